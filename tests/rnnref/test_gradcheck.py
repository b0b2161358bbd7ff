"""rnnref.gradcheck: it passes correct gradients and catches wrong ones, naming the entry."""

import numpy as np
import pytest

from rnnref.gradcheck import directional_check, gradcheck, numerical_gradient, rel_error


def problem(seed=0):
    """f(A, B) = Σ sin(A) B with hand-derived gradients ∂f/∂A = cos(A) ⊙ (1 Bᵀ...) below."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((5, 7))
    B = rng.standard_normal((7, 3))
    C = rng.standard_normal((5, 3))

    def f(p):
        return float(np.sum(C * (np.sin(p["A"]) @ p["B"])))

    grads = {"A": np.cos(A) * (C @ B.T), "B": np.sin(A).T @ C}
    return f, {"A": A, "B": B}, grads


class TestRelError:
    def test_zero_for_equal_and_both_zero(self):
        """Equal arrays, and two zero arrays, have relative error 0."""
        x = np.arange(6.0).reshape(2, 3)
        assert rel_error(x, x.copy()) == 0.0
        assert rel_error(np.zeros(3), np.zeros(3)) == 0.0

    def test_one_for_opposite_signs(self):
        """a and −a have relative error 1, the largest possible."""
        x = np.array([1.0, -2.0, 3.0])
        assert rel_error(x, -x) == pytest.approx(1.0)

    def test_nan_never_passes(self):
        """A NaN or an inf anywhere makes the error infinite."""
        assert rel_error(np.array([1.0, np.nan]), np.array([1.0, 2.0])) == np.inf
        assert rel_error(np.array([1.0, 2.0]), np.array([np.inf, 2.0])) == np.inf


class TestNumericalGradient:
    def test_matches_hand_derivative(self):
        """Central differences reproduce the hand-derived gradient to 1e-8."""
        f, p, g = problem()
        num = numerical_gradient(f, p, "A")
        np.testing.assert_allclose(num, g["A"], rtol=1e-7, atol=1e-9)

    def test_inputs_untouched(self):
        """The caller's arrays are not modified, even transiently visible changes are undone."""
        f, p, _ = problem()
        before = {k: v.copy() for k, v in p.items()}
        numerical_gradient(f, p, "A")
        for k in p:
            np.testing.assert_array_equal(p[k], before[k])

    def test_subset_leaves_others_nan(self):
        """Only the requested flat indices are differentiated; the rest stay NaN."""
        f, p, g = problem()
        num = numerical_gradient(f, p, "B", indices=np.array([0, 5]))
        flat = num.reshape(-1)
        assert np.isfinite(flat[[0, 5]]).all() and np.isnan(np.delete(flat, [0, 5])).all()
        np.testing.assert_allclose(flat[[0, 5]], g["B"].reshape(-1)[[0, 5]], rtol=1e-7)


class TestGradcheck:
    def test_passes_correct_gradient(self):
        """A correct analytic gradient passes every tensor."""
        f, p, g = problem()
        report = gradcheck(f, p, g)
        assert report.passed and bool(report)
        assert report.max_rel_error < 1e-8

    @pytest.mark.parametrize("factor", [1 + 1e-3, 1 + 1e-4, -1.0, 0.0])
    def test_catches_one_wrong_entry(self, factor):
        """One entry scaled (even by 1e-4), negated or zeroed fails, and the report names it."""
        f, p, g = problem()
        bad = {k: v.copy() for k, v in g.items()}
        bad["A"][3, 4] *= factor
        report = gradcheck(f, p, bad)
        assert not report.passed
        a_report = report.tensors[0]
        assert a_report.name == "A" and not a_report.passed
        assert a_report.worst[0][0] == (3, 4)
        assert "A[3, 4]" in str(report)
        assert report.tensors[1].passed  # B was right

    def test_catches_transposed_sized_gradient(self):
        """A gradient of the wrong shape fails with a message giving both shapes."""
        f, p, g = problem()
        bad = dict(g, B=g["B"].T)
        report = gradcheck(f, p, bad)
        assert not report.passed
        assert "expected shape (7, 3)" in str(report)

    def test_nan_gradient_fails(self):
        """A NaN in the analytic gradient fails."""
        f, p, g = problem()
        bad = {k: v.copy() for k, v in g.items()}
        bad["B"][0, 0] = np.nan
        assert not gradcheck(f, p, bad).passed

    def test_zero_gradient_passes(self):
        """A tensor f does not depend on, with analytic gradient 0, passes despite rounding noise."""
        f, p, g = problem()
        p2 = dict(p, unused=np.ones((2, 2)))
        report = gradcheck(f, p2, dict(g, unused=np.zeros((2, 2))))
        assert report.passed, str(report)

    def test_random_subset_is_seeded(self):
        """max_entries checks that many entries, the same ones for the same seed."""
        f, p, g = problem()
        r1 = gradcheck(f, p, g, max_entries=6, seed=3)
        r2 = gradcheck(f, p, g, max_entries=6, seed=3)
        assert [t.checked for t in r1.tensors] == [6, 6]
        assert [t.worst for t in r1.tensors] == [t.worst for t in r2.tensors]

    def test_wrt_selects_tensors(self):
        """wrt limits the check to the named tensors."""
        f, p, g = problem()
        report = gradcheck(f, p, g, wrt=["B"])
        assert [t.name for t in report.tensors] == ["B"]

    def test_vjp_of_array_valued_function(self):
        """For an array-valued f, a vjp callable is checked; a wrong vjp fails."""
        rng = np.random.default_rng(1)
        p = {"A": rng.standard_normal((4, 5)), "B": rng.standard_normal((5, 3))}

        def f(q):
            return q["A"] @ q["B"]

        good = gradcheck(f, p, lambda v: {"A": v @ p["B"].T, "B": p["A"].T @ v})
        bad = gradcheck(f, p, lambda v: {"A": v @ p["B"].T, "B": (v.T @ p["A"]).T * 1.01})
        assert good.passed, str(good)
        assert not bad.passed and bad.tensors[0].passed and not bad.tensors[1].passed

    def test_scalar_needed_without_vjp(self):
        """An array-valued f with a gradient dict is refused with an explanation."""
        p = {"A": np.ones((2, 2))}
        with pytest.raises(ValueError, match="vjp"):
            gradcheck(lambda q: q["A"] * 2, p, {"A": np.ones((2, 2))})


class TestDirectionalCheck:
    def test_passes_correct_gradient(self):
        """vᵀJu agrees along every random direction for a correct gradient."""
        f, p, g = problem()
        report = directional_check(f, p, g, n_directions=5)
        assert report.passed, str(report)
        assert len(report.errors) == 5

    def test_catches_scaled_gradient(self):
        """A gradient off by 1 % in one tensor fails the directional check."""
        f, p, g = problem()
        report = directional_check(f, p, dict(g, A=g["A"] * 1.01))
        assert not report.passed
        assert report.max_rel_error > 1e-4

    def test_vjp_mode(self):
        """The directional check accepts a vjp for an array-valued f and rejects a wrong one."""
        rng = np.random.default_rng(2)
        p = {"A": rng.standard_normal((3, 4))}
        assert directional_check(lambda q: np.tanh(q["A"]), p, lambda v: {"A": v * (1 - np.tanh(p["A"]) ** 2)})
        assert not directional_check(lambda q: np.tanh(q["A"]), p, lambda v: {"A": v * (1 - np.tanh(p["A"]))})


class TestMemoryLayout:
    def test_fortran_ordered_and_transposed_inputs(self):
        """Inputs in Fortran order or as transposed views are differentiated correctly."""
        f, p, g = problem()
        for layout in (np.asfortranarray, lambda a: a.T.copy().T):
            q = {k: layout(v) for k, v in p.items()}
            report = gradcheck(f, q, g)
            assert report.passed, str(report)
