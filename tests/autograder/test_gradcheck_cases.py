"""The finite-difference cases: every backward is checked against central differences of the loss."""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.cases import Case, FDGradients, gradcheck_mismatch, judge, run_in_process
from autograder.suites import ASSIGNMENTS, FD_LABEL, get_suite
from rnnref.gradcheck import rel_error

ROOT = Path(__file__).resolve().parents[2]

#: the names the kit gives graded functions that return a gradient (∂E/∂·, δ's, sensitivities); not
#: clip_grad_norm or grad_norms_over_time, which take gradients (esn has none: its readout is ridge regression)
GRADIENT_NAME = re.compile(r"backward|deltas|^grad_W|gradients?$|_grads$|sensitivit")

#: every (exercise, function) with a finite-difference case, from the registry
BACKWARDS = sorted({(name, c.function) for name in ASSIGNMENTS for c in get_suite(name).cases
                    if c.compare == "gradcheck"})


def _load(name):
    path = ROOT / "solutions" / name / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"fd_sol_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _fd_case(name, function):
    suite = get_suite(name)
    (i, case), = [(i, c) for i, c in suite.for_function(function) if c.compare == "gradcheck"]
    return suite, i, case


def _analytic(case, expected):
    """rnnref's analytic gradients in the expected's keys (for deltas: through D X, D Z̃)."""
    like = expected.like
    if case.post is not None:
        return case.post(like, expected.extra)
    return like if isinstance(like, dict) else {next(iter(expected)): like}


def _toy(n):
    def make(rng):
        return (n,), {}, FDGradients({"W": n}, n)

    return Case("grad_W", "toy", make, 1.0, False, arg_names=("A",), outputs="dW", compare="gradcheck")


class TestGradcheckMismatch:
    def test_equal_passes(self):
        """The numerical gradient itself passes."""
        n = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
        assert gradcheck_mismatch(_toy(n), n.copy(), FDGradients({"W": n}, n)) is None

    def test_relative_error_reported(self):
        """A tensor off by 1e-4 fails with its relative error and the tolerance."""
        n = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
        r = judge(_toy(n), n * (1 + 2e-4), FDGradients({"W": n}, n), [])
        assert r.status == "failed" and r.output.startswith("grad_W: ∂E/∂W disagrees with central differences")
        assert "> 1e-06" in r.output

    def test_one_entry_caught_by_the_element_guard(self):
        """One zero entry off by 1e-6 in a large tensor passes the norm but fails the element guard."""
        n = np.ones((100, 100))
        n[3, 7] = 0.0
        a = n.copy()
        a[3, 7] = 1e-6
        m = gradcheck_mismatch(_toy(n), a, FDGradients({"W": n}, n))
        assert m is not None and m.index == (3, 7) and "at index [3, 7]" in m.problem

    def test_structure_checked_first(self):
        """A transposed result is a shape failure, not a gradient failure."""
        n = np.ones((3, 4))
        r = judge(_toy(n), n.T.copy(), FDGradients({"W": n}, n), [])
        assert r.status == "failed" and "wrong shape" in r.output

    def test_nan_fails(self):
        """A NaN is reported as not finite."""
        n = np.ones((3, 4))
        a = n.copy()
        a[1, 1] = np.nan
        r = judge(_toy(n), a, FDGradients({"W": n}, n), [])
        assert r.status == "failed" and "not finite" in r.output


class TestFiniteDifferenceCases:
    def test_every_gradient_function_has_one(self):
        """The functions with a finite-difference case are exactly the graded ones named like a gradient."""
        named = {(name, f) for name in ASSIGNMENTS for f in get_suite(name).points if GRADIENT_NAME.search(f)}
        assert len(BACKWARDS) >= 20 and set(BACKWARDS) == named

    def test_gradient_names(self):
        """The naming rule takes backward passes, δ's and sensitivities, not functions that only take gradients."""
        assert all(GRADIENT_NAME.search(f) for f in ("lstm_backward", "deltas_many_to_one", "grad_W_out",
                                                     "state_gradients", "birnn_grads", "sensitivity_step"))
        assert not any(GRADIENT_NAME.search(f) for f in ("clip_grad_norm", "grad_norms_over_time", "forward"))

    @pytest.mark.parametrize("name, function", BACKWARDS)
    def test_one_hidden_case_with_equal_weight(self, name, function):
        """Each backward has one hidden finite-difference case, weighted like its other cases."""
        suite, _, case = _fd_case(name, function)
        others = [c for _, c in suite.for_function(function) if c is not case and c.points > 0]
        assert not case.visible and case.label.startswith(FD_LABEL)
        assert all(c.points == pytest.approx(case.points) for c in others)
        assert sum(c.points for _, c in suite.for_function(function)) == pytest.approx(suite.points[function])

    @pytest.mark.parametrize("name, function", BACKWARDS)
    def test_expected_is_the_numerical_gradient(self, name, function):
        """The expected gradients are central differences: within 1e-6 of rnnref's analytic, not equal."""
        suite, i, case = _fd_case(name, function)
        _, _, expected = case.build(suite.seed, i)
        analytic = _analytic(case, expected)
        for k, n in expected.items():
            err = rel_error(analytic[k], n)
            assert 0 < err < 1e-6, (k, err)

    @pytest.mark.parametrize("name, function", BACKWARDS)
    def test_solution_passes(self, name, function):
        """The reference solution passes the finite-difference case at two seeds."""
        suite, i, case = _fd_case(name, function)
        func = getattr(_load(name), function)
        for seed in (suite.seed, 4321):
            r = run_in_process(case, func, seed, i)
            assert r.passed, r.output

    @pytest.mark.parametrize("name, function", [("lstm", "lstm_backward"), ("gru", "gru_backward")])
    def test_one_entry_scaled_fails(self, name, function):
        """grads['W'] with one entry scaled by 1.001 fails, naming ∂E/∂W and the tolerance."""
        suite, i, case = _fd_case(name, function)
        ref = getattr(_load(name), function)

        def planted(*args):
            grads = dict(ref(*args))
            grads["W"] = grads["W"].copy()
            grads["W"][1, 2] *= 1.001
            return grads

        r = run_in_process(case, planted, suite.seed, i)
        assert r.status == "failed" and r.score == 0
        assert f"{function}: ∂E/∂W disagrees with central differences of the loss" in r.output, r.output

    def test_deltas_with_W_instead_of_WT(self):
        """δ with W instead of Wᵀ fails: the gradient computed from D disagrees, and the mistake is named."""
        suite, i, case = _fd_case("rnn_bptt", "deltas")

        def deltas(U, Yhat, Y, W, W_out):
            T, H = U.shape
            D = np.zeros((H, T))
            nxt = np.zeros(H)
            for t in reversed(range(T)):
                nxt = (W @ nxt + W_out[:, 1:].T @ (Yhat[t] - Y[t])) * (1 - np.tanh(U[t]) ** 2)
                D[:, t] = nxt
            return D

        r = run_in_process(case, deltas, suite.seed, i)
        assert r.status == "failed"
        assert "∂E/∂W_in computed from your D disagrees with central differences" in r.output, r.output
        assert "W instead of Wᵀ" in r.output

    def test_japanese_message(self):
        """The message is in Japanese with lang="ja"."""
        suite, i, case = _fd_case("rnn_bptt", "grad_W")
        r = run_in_process(case, lambda D, Z: D @ Z * 1.01, suite.seed, i, "ja")
        assert r.status == "failed" and "中心差分と一致しません" in r.output
