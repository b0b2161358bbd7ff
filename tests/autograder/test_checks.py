"""autograder.checks: the comparison order, the tolerance, and the messages' facts."""

import numpy as np
import pytest

from autograder.checks import Opaque, as_float64_array, compare, is_complex, values_close


class TestCompareArrays:
    def test_equal_arrays_pass(self):
        """The reference compared with a copy of itself passes."""
        e = np.random.default_rng(0).standard_normal((4, 3))
        assert compare(e.copy(), e, "D") is None

    def test_summation_order_passes(self):
        """A loop-accumulated product equals the vectorized one within the tolerance."""
        rng = np.random.default_rng(1)
        D, X = rng.standard_normal((7, 50)), rng.standard_normal((50, 9))
        loop = np.zeros((7, 9))
        for t in reversed(range(50)):
            loop += np.outer(D[:, t], X[t])
        assert compare(loop, D @ X, "dW_in") is None

    def test_small_real_error_fails(self):
        """An error of 1e-5 relative in one entry fails with the entry's index."""
        e = np.random.default_rng(2).standard_normal((4, 3))
        g = e.copy()
        g[2, 1] *= 1 + 1e-5
        m = compare(g, e, "D")
        assert m.kind == "value" and m.index == (2, 1) and "[2, 1]" in m.problem

    def test_list_is_converted(self):
        """A nested list of the right numbers is accepted."""
        e = np.array([[1.0, 2.0], [3.0, 4.0]])
        assert compare([[1.0, 2.0], [3.0, 4.0]], e, "Z") is None

    def test_ragged_list_is_a_type_problem(self):
        """A list that is not rectangular is a type problem, not a crash."""
        m = compare([[1.0], [2.0, 3.0]], np.zeros((2, 2)), "Z")
        assert m.kind == "type" and "rectangular" in m.problem

    def test_float32_is_a_dtype_problem(self):
        """A float32 array fails on dtype before shape or values are looked at."""
        m = compare(np.zeros((3, 2), dtype=np.float32), np.zeros((2, 3)), "U")
        assert m.kind == "dtype" and "expected float64 (got float32)" in m.problem

    def test_subclass_is_refused(self):
        """An ndarray subclass (whose methods could lie) is refused."""

        class Sneaky(np.ndarray):
            def __eq__(self, other):
                return True

        m = compare(np.zeros((2, 2)).view(Sneaky), np.ones((2, 2)), "D")
        assert m.kind == "type" and "Sneaky" in m.problem

    def test_transposed_shape_fails_with_both_shapes(self):
        """A transposed result fails on shape, naming expected and got."""
        m = compare(np.zeros((3, 4)), np.zeros((4, 3)), "D")
        assert m.kind == "shape" and "expected (4, 3) (got (3, 4))" in m.problem

    @pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
    def test_non_finite_fails(self, bad):
        """NaN or inf fails, even where the reference has the same value nearby."""
        g = np.zeros((2, 3))
        g[1, 2] = bad
        m = compare(g, np.zeros((2, 3)), "Yhat")
        assert m.kind == "finite" and m.index == (1, 2)

    def test_nan_never_close(self):
        """values_close is False when either side has a NaN."""
        assert not values_close(np.array([np.nan]), np.array([np.nan]))

    def test_other_objects_are_type_problems(self):
        """A string or None is reported as the wrong type."""
        assert compare("0.5", np.zeros(2), "x").kind == "type"
        assert compare(None, np.zeros(2), "x").kind == "type"

    def test_as_float64_passes_plain_arrays_through(self):
        """A plain float64 array is returned as it is, not copied."""
        a = np.zeros(3)
        assert as_float64_array(a, "a") is a


class TestCompareStructures:
    def test_dict_keys(self):
        """Missing and extra keys are both named."""
        e = {"W": np.zeros(2), "W_in": np.zeros(2)}
        m = compare({"W": np.zeros(2), "b": np.zeros(2)}, e, "grads")
        assert m.kind == "structure" and "'W_in'" in m.problem and "'b'" in m.problem

    def test_nested_path(self):
        """A wrong entry deep inside names its path."""
        e = [{"gF": np.zeros(2)}, {"gF": np.ones(2)}]
        m = compare([{"gF": np.zeros(2)}, {"gF": np.zeros(2)}], e, "caches")
        assert m.path == "caches[1]['gF']"

    def test_tuple_length(self):
        """A tuple with a missing item fails with both lengths."""
        m = compare((np.zeros(1),), (np.zeros(1), np.zeros(1)), "out")
        assert "expected 2 items (got 1)" in m.problem

    def test_floats(self):
        """A numpy scalar or a 1-element array passes as a float; a bool or NaN does not."""
        assert compare(np.float64(0.5), 0.5, "E") is None
        assert compare(np.array([0.5]), 0.5, "E") is None
        assert compare(True, 1.0, "E").kind == "type"
        assert compare(float("nan"), 0.5, "E").kind == "finite"
        assert compare(0.5 + 1e-4, 0.5, "E").kind == "value"


class TestOpaque:
    def test_opaque_is_a_type_problem_with_its_description(self):
        """A value the worker could not send as data is reported by its description."""
        from autograder.checks import Opaque

        m = compare(Opaque("subclass", (("type", "Sneaky"),)), np.zeros(2), "D")
        assert m.kind == "type" and "(got a Sneaky (ndarray subclass))" in m.problem
        m2 = compare(Opaque("instance", (("type", "generator"),)), {"W": np.zeros(1)}, "grads")
        assert m2.kind == "structure" and "got a generator" in m2.problem


class TestCompareWithoutValues:
    def test_values_off_checks_everything_else(self):
        """values=False ignores wrong values but still reports dtype, shape and non-finite problems."""
        e = {"W": np.zeros((2, 3)), "E": 0.5}
        assert compare({"W": np.ones((2, 3)), "E": 9.0}, e, "g", values=False) is None
        assert compare({"W": np.ones((3, 2)), "E": 9.0}, e, "g", values=False).kind == "shape"
        assert compare({"W": np.full((2, 3), np.nan), "E": 0.5}, e, "g", values=False).kind == "finite"
        assert compare({"W": np.ones((2, 3), np.float32), "E": 0.5}, e, "g", values=False).kind == "dtype"


class TestOddValues:
    @pytest.mark.parametrize("value", [complex(0.5, 1), np.complex128(0.5 + 1j), np.array(0.5 + 1j),
                                       np.array([0.5 + 1j]), Opaque("complex")])
    def test_complex_number_for_a_float(self, value):
        """A complex number where a float belongs, however it arrives, is the wrong type, named as such."""
        m = compare(value, 0.5, "rho")
        assert m.kind == "type" and m.problem == "has the wrong type, expected a float (got a complex number)"

    def test_complex_entries_are_not_dropped(self):
        """A list of complex numbers is the wrong type, not converted without its imaginary parts (ComplexWarning)."""
        for value in ([0.5 + 1j, 0.5], [np.complex128(0.5 + 1j)], [np.array([1.0]), np.array([1j])]):
            m = compare(value, np.zeros(2), "W")
            assert m.kind == "type" and "holding a complex number" in m.problem, value

    def test_int_beyond_float_range(self):
        """A Python int too large for a float is the wrong type, as a number or inside a list."""
        for value, expected in ((10 ** 400, 0.5), (10 ** 400, np.zeros(2)), ([10 ** 400, 1], np.zeros(2))):
            m = compare(value, expected, "E")
            assert m.kind == "type" and "an int too large for a float" in m.problem, value

    def test_bools_are_not_numbers(self):
        """Bools where floats belong are the wrong type: a bool, a list of bools, a one-entry bool array."""
        assert compare([True, False], np.zeros(2), "mask").kind == "type"
        assert compare(np.array([True]), 1.0, "E").kind == "type"
        assert compare(np.True_, 1.0, "E").kind == "type"

    def test_strings_and_object_arrays_are_not_parsed(self):
        """A string array holding a number, or an object array, is the wrong type or dtype, never read as numbers."""
        assert compare(np.array(["0.5"]), 0.5, "E").kind == "type"
        assert compare(np.array([0.5], dtype=object), 0.5, "E").kind == "type"
        assert compare(np.array([0.5, 1.0], dtype=object), np.zeros(2), "W").kind == "dtype"
        assert compare(["0.5", "1.0"], np.zeros(2), "W").kind == "type"

    def test_extreme_values_are_judged_without_warnings(self):
        """Finite values whose difference overflows fail on their values, without a numpy warning."""
        m = compare(np.full(2, 1e308), np.full(2, -1e308), "W")
        assert m.kind == "value" and m.rel_error == np.inf
        assert compare(1e308, -1e308, "E").kind == "value"

    def test_ints_stay_accepted(self):
        """Plain ints and a list of ints are still numbers."""
        assert compare(2, 2.0, "E") is None
        assert compare([1, 2], np.array([1.0, 2.0]), "W") is None


class TestIsComplex:
    def test_complex_in_every_form(self):
        """A complex number or array is recognised as a Python, numpy or decoded (Opaque) value; real ones are not."""
        for value in (1j, np.complex64(1j), np.zeros(2, complex), Opaque("complex"),
                      Opaque("dtype", (("dtype", "complex128"),))):
            assert is_complex(value), value
        for value in (0.5, np.zeros(2), Opaque("instance", (("type", "generator"),)), [1j], None):
            assert not is_complex(value), value


class TestErrorWhereTheReferenceIsZero:
    def test_array_entry_reported_by_its_error(self):
        """The worst entry sits where the reference is 0 (a zero-padded window, z_0): the message gives its error,
        not a meaningless relative error of 1e+08, in both languages; the Mismatch keeps the relative error."""
        from autograder.feedback import problem_text

        expected = np.array([[1.0, 0.0], [2.0, 3.0]])
        got = expected.copy()
        got[0, 1] = 0.3
        m = compare(got, expected, "D")
        assert m.problem == "disagrees with the reference (error 3.0e-01 at index [0, 1], where the reference is 0)"
        assert "参照解が 0 のところで誤差 3.0e-01" in problem_text(m.code, m.facts, "ja")
        assert m.rel_error > 1e7 and m.index == (0, 1)

    def test_number_reported_by_its_error(self):
        """A scalar whose reference is 0 is reported by its error too; elsewhere the relative error stays."""
        assert compare(0.25, 0.0, "E").problem == "disagrees with the reference (error 2.5e-01 where the reference is 0)"
        assert compare(0.5, 0.25, "E").problem == "disagrees with the reference (rel. error 1.0e+00)"
        got = np.array([[1.0, 0.0], [2.0, 4.0]])
        assert "max rel. error 3.3e-01 at index [1, 1]" in compare(got, np.array([[1.0, 0.0], [2.0, 3.0]]), "D").problem
