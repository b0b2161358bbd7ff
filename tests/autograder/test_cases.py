"""autograder.cases and feedback: running a case in-process, judging, the message template."""

import functools
import re

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from autograder.cases import Case, CaseResult, FDGradients, OwnForward, Threshold, judge, mutated_inputs, run_in_process
from autograder.checks import Opaque
from autograder.feedback import GENERIC_HINTS
from autograder.suites import get_suite

# <function>: <quantity> <problem>, expected <X> (got <Y>). <hint>
TEMPLATE = re.compile(r"^[A-Za-z_]+: \S+ .+, expected .+ \(got .+\)\. \S.*$")
# value mismatches, as the guide's example: <function>: <quantity> disagrees with the reference (…). <hint>
VALUE_TEMPLATE = re.compile(r"^[A-Za-z_]+: \S+ disagrees with the reference \(max rel\. error [0-9.e+-]+ at .+\)\. \S.*$")


def make_case(**kw):
    def make(rng):
        D = rng.standard_normal((3, 4))
        X = rng.standard_normal((4, 5))
        return (D, X), {}, D @ X

    defaults = dict(function="grad_W_in", label="T=4", make=make, points=2.0, visible=True,
                    arg_names=("D", "X"), outputs="dW_in")
    defaults.update(kw)
    return Case(**defaults)


class TestRunInProcess:
    def test_correct_function_passes(self):
        """A correct function earns the case's points."""
        r = run_in_process(make_case(), lambda D, X: D @ X, seed=1, index=0)
        assert r.passed and r.score == 2.0 and r.output == ""

    def test_wrong_values_fail_with_template_message(self):
        """A wrong result fails with a one-line message in the house template."""
        r = run_in_process(make_case(), lambda D, X: D @ X * 1.1, seed=1, index=0)
        assert r.status == "failed" and r.score == 0.0
        assert VALUE_TEMPLATE.match(r.output), r.output
        assert r.output.startswith("grad_W_in: dW_in disagrees with the reference")

    def test_not_implemented(self):
        """An untouched stub is an error with a 'not implemented yet' message, not a crash."""

        def stub(D, X):
            raise NotImplementedError()

        r = run_in_process(make_case(), stub, seed=1, index=0)
        assert r.status == "error" and "not implemented yet" in r.output
        assert TEMPLATE.match(r.output), r.output

    def test_exception_is_reported(self):
        """Any exception becomes an error result naming its type and message."""
        r = run_in_process(make_case(), lambda D, X: D @ D, seed=1, index=0)
        assert r.status == "error" and "ValueError" in r.output and "matmul" in r.output

    def test_missing_function(self):
        """A missing function (None) is reported by name."""
        r = run_in_process(make_case(), None, seed=1, index=0)
        assert r.status == "error" and "function not found" in r.output

    def test_mutation_is_reported(self):
        """A correct result computed by writing into an input still fails, naming the input."""

        def mutating(D, X):
            out = D @ X
            X *= 0
            return out

        r = run_in_process(make_case(), mutating, seed=1, index=0)
        assert r.status == "failed" and r.output.startswith("grad_W_in: X was modified in place")

    def test_mutation_of_an_unnamed_argument_in_japanese(self):
        """A case without argument names names the argument written into by its position, in the graded language:
        '引数 2' in Japanese, both in the quantity and in the hint, never the English 'argument 2'."""

        def mutating(D, X):
            out = D @ X
            X *= 0
            return out

        case = make_case(arg_names=())
        ja = run_in_process(case, mutating, seed=1, index=0, lang="ja").output
        assert ja.startswith("grad_W_in: 引数 2 がその場で書き換えられています") and "引数 2 に書き込んでいます" in ja, ja
        assert "argument" not in ja, ja
        en = run_in_process(case, mutating, seed=1, index=0).output
        assert en.startswith("grad_W_in: argument 2 was modified in place") and "writes into argument 2 " in en, en

    def test_warnings_do_not_escape(self, recwarn):
        """A function that triggers numpy warnings neither raises nor leaks them (filterwarnings=error)."""
        r = run_in_process(make_case(), lambda D, X: (D @ X) + np.log(np.zeros(1)) * 0 + np.zeros(1) / np.zeros(1) * 0,
                           seed=1, index=0)
        assert r.status == "failed" and "not finite" in r.output
        assert len(recwarn) == 0

    def test_labelled_column(self):
        """A labelled output reports its worst column as the lecture's δ_t."""
        case = make_case(labels={"dW_in": (1, "δ_{}")})

        def off(D, X):
            out = D @ X
            out[1, 3] += 1.0
            return out

        r = run_in_process(case, off, seed=1, index=0)
        assert r.output.startswith("grad_W_in: δ_4 disagrees with the reference") and "at entry 1" in r.output

    def test_hint_by_kind(self):
        """The case's own hint for the kind of problem wins over the generic one."""
        case = make_case(hints={"shape": "D X is (H, d+1)."})
        r = run_in_process(case, lambda D, X: (D @ X).T, seed=1, index=0)
        assert r.output.endswith("D X is (H, d+1).")
        r2 = run_in_process(make_case(), lambda D, X: (D @ X).T, seed=1, index=0)
        assert "transpose" in r2.output and r2.tags == ["shape:transposed"]  # no own hint: the diagnosis speaks
        assert TEMPLATE.match(r2.output), r2.output

    def test_seed_changes_inputs(self):
        """Different seeds give different inputs; the same seed the same ones."""
        c = make_case()
        a1, _, _ = c.build(1, 0)
        a2, _, _ = c.build(1, 0)
        a3, _, _ = c.build(2, 0)
        assert np.array_equal(a1[0], a2[0]) and not np.array_equal(a1[0], a3[0])


# --------------------------------------------------------------------------- hostile results
# What the worker's decoder can hand the judge: plain data of any size, kind and nesting, and Opaque
# placeholders; never objects with methods of their own.

_NUMBERS = (st.integers() | st.integers(min_value=2 ** 1024) | st.floats() | st.complex_numbers()
            | st.booleans() | hnp.from_dtype(np.dtype("complex128")) | hnp.from_dtype(np.dtype("int64")))
_LEAVES = (_NUMBERS | st.text(max_size=5) | st.none() | st.builds(Opaque, st.text(max_size=30))
           | st.just(Opaque("complex")))
_DTYPES = (hnp.scalar_dtypes() | hnp.byte_string_dtypes(max_len=3) | hnp.unicode_string_dtypes(max_len=3)
           | hnp.array_dtypes(max_size=2))


def _object_array(items):
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


_ARRAYS = (hnp.arrays(_DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
           | st.lists(_LEAVES, max_size=4).map(_object_array)
           | st.lists(st.integers(0, 10 ** 6), min_size=1, max_size=3).map(lambda s: np.zeros(s + [0])))
_HOSTILE = st.recursive(_LEAVES | _ARRAYS,
                        lambda inner: (st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple)
                                       | st.dictionaries(st.text(max_size=4), inner, max_size=3)),
                        max_leaves=8)


def _like(expected):
    """Results shaped like the reference, with any entry replaced by a hostile one (reaches the deep checks)."""
    if isinstance(expected, OwnForward):  # the worker's analytic and numerical gradients
        grads = st.dictionaries(st.sampled_from(expected.keys), _ARRAYS | st.just(np.zeros((3, 2))), max_size=3)
        return st.fixed_dictionaries({"analytic": grads, "numerical": grads}) | _HOSTILE
    if isinstance(expected, (FDGradients, Threshold)):
        return _like(expected.like) if expected.like is not None else _HOSTILE
    if isinstance(expected, dict):
        keys = list(expected)
        return st.fixed_dictionaries({k: _like(expected[k]) for k in keys}) | _HOSTILE
    if isinstance(expected, (tuple, list)):
        return st.tuples(*[_like(e) for e in expected]).map(type(expected)) | _HOSTILE
    if isinstance(expected, np.ndarray):
        return (st.just(expected) | st.just(expected * 3.0) | _HOSTILE
                | hnp.arrays(_DTYPES, st.just(expected.shape)) | st.just(expected.tolist()))
    return st.just(expected) | _NUMBERS | _HOSTILE


#: real cases of several suites and kinds: floats, tuples, dicts, caches, gradcheck, threshold, consistency
_REAL = (("vanishing", "spectral_radius", "values"), ("vanishing", "clip_grad_norm", "values"),
         ("rnn_bptt", "forward", "values"), ("rnn_bptt", "sgd_step", "values"), ("rnn_bptt", "deltas", "gradcheck"),
         ("rnn_bptt", "deltas", "consistency"), ("lstm", "lstm_step", "values"), ("esn", "forecast", "threshold"),
         ("esn", "scale_to_spectral_radius", "values"))


@functools.lru_cache(maxsize=None)
def _real_case(i):
    """(case, args, kwargs, expected) of the first case of _REAL[i]."""
    name, function, kind = _REAL[i]
    suite = get_suite(name)
    for index, case in suite.for_function(function):
        if kind == case.compare or kind == "consistency" and case.points == 0:
            args, kwargs, expected = case.build(suite.seed, index)
            return case, args, kwargs, expected
    raise LookupError(_REAL[i])


class TestJudgeHostileResults:
    @settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data(), i=st.integers(0, len(_REAL) - 1), lang=st.sampled_from(["en", "ja"]),
           visible=st.booleans())
    def test_judge_never_raises(self, data, i, lang, visible):
        """Whatever plain data comes back, judge returns a passed or failed CaseResult, typical mistakes included."""
        case, args, kwargs, expected = _real_case(i)
        case = Case(**{**case.__dict__, "visible": visible})
        result = data.draw(_like(expected))
        r = judge(case, result, expected, [], lang, (args, kwargs))
        assert isinstance(r, CaseResult) and r.status in ("passed", "failed") and isinstance(r.output, str)

    @given(after=_HOSTILE | st.lists(_HOSTILE, min_size=3, max_size=3))
    def test_mutated_inputs_never_raises(self, after):
        """mutated_inputs names a subset of the arguments, whatever the arguments after the call hold."""
        before = (np.array([1.0, np.nan]), 0.5, {"W": np.zeros(2), "n": 3})
        names = ["X", "lr", "params"]
        assert set(mutated_inputs(before, after, names)) <= set(names)


class TestMutatedInputs:
    def test_scalar_back_as_an_array(self):
        """A scalar argument that comes back as an array is reported as changed, not compared as a truth value."""
        assert mutated_inputs((0.5, np.zeros(2)), (np.array([0.5, 0.5]), np.zeros(2)), ["lr", "X"]) == ["lr"]

    def test_nan_and_types_kept(self):
        """NaN entries and scalars that stay what they were are unchanged; a changed type or dtype is a change."""
        before = (np.array([np.nan, 1.0]), float("nan"), 3, "regression")
        assert mutated_inputs(before, (np.array([np.nan, 1.0]), float("nan"), 3, "regression"), list("abcd")) == []
        after = (np.array([np.nan, 1.0], dtype=np.float32), float("nan"), True, Opaque("instance", (("type", "str"),)))
        assert mutated_inputs(before, after, list("abcd")) == ["a", "c", "d"]

    def test_not_a_sequence_of_arguments(self):
        """Arguments that did not come back as one sequence of as many items are all reported."""
        assert mutated_inputs((1.0, 2.0), Opaque("object"), ["a", "b"]) == ["a", "b"]
        assert mutated_inputs((1.0, 2.0), (1.0,), ["a", "b"]) == ["a", "b"]


def _suite_case(name, function, index=0):
    suite = get_suite(name)
    i, case = suite.for_function(function)[index]
    args, kwargs, expected = case.build(suite.seed, i)
    return case, args, kwargs, expected


class TestComplexResults:
    @pytest.mark.parametrize("value", [Opaque("complex"), np.complex128(0.9 + 0.2j), complex(0.9, 0.2),
                                       np.array(0.9 + 0.2j)])
    def test_spectral_radius(self, value):
        """A complex ρ (np.max of the eigenvalues) fails as the wrong type with the known mistake's diagnosis."""
        case, args, kwargs, expected = _suite_case("vanishing", "spectral_radius")
        r = judge(case, value, expected, [], "en", (args, kwargs))
        assert r.status == "failed" and r.output.startswith(
            "spectral_radius: rho has the wrong type, expected a float (got a complex number). Did you return an "
            "eigenvalue itself?") and r.output.endswith("take the absolute value of the eigenvalues."), r.output

    def test_student_function_in_process(self):
        """The honest mistake np.max(np.linalg.eigvals(W)), run in-process, is named where the eigenvalues are complex."""
        suite = get_suite("vanishing")
        results = [run_in_process(c, lambda W: np.max(np.linalg.eigvals(W)), suite.seed, i, "ja")
                   for i, c in suite.for_function("spectral_radius")]
        assert any("固有値の絶対値を取ってください" in r.output and "複素数" in r.output for r in results)
        assert all(r.status in ("passed", "failed") for r in results)

    def test_scaled_reservoir(self):
        """A complex W from dividing by a complex eigenvalue fails on its dtype with the diagnosis."""
        case, args, kwargs, expected = _suite_case("esn", "scale_to_spectral_radius")
        r = judge(case, expected.astype(complex), expected, [], "en", (args, kwargs))
        assert "has the wrong dtype, expected float64 (got complex128)" in r.output
        assert r.output.endswith("take the absolute value of the eigenvalues.")


# --------------------------------------------------------------------------- hidden cases do not leak

MARK = "4711"  # planted in what a student's code returns or raises: shown for a visible case only


class Marker4711(np.ndarray):
    pass


class Marker4711Error(Exception):
    pass


def _dict_case(**kw):
    return make_case(outputs="grads", make=lambda rng: ((rng.standard_normal(2),), {},
                                                       {"W": rng.standard_normal((2, 3)), "b": rng.standard_normal(3)}),
                     arg_names=("A",), **kw)


def _tuple_case(**kw):
    return make_case(outputs=("U", "Z"), make=lambda rng: ((rng.standard_normal(2),), {},
                                                          (rng.standard_normal(2), rng.standard_normal(3))),
                     arg_names=("A",), **kw)


LEAKS = {
    "a type name (Opaque)": (make_case, Opaque("subclass", (("type", f"Marker{MARK}"),))),
    "a type name (subclass)": (make_case, np.zeros((3, 5)).view(Marker4711)),
    "a type name in a tuple": (_tuple_case, Marker4711Error()),
    "an extra key": (_dict_case, {"W": np.zeros((2, 3)), "b": np.zeros(3), f"k{MARK}": np.zeros(1)}),
    "a shape": (make_case, np.zeros((1, 0, int(MARK)))),
    "a length": (_tuple_case, [np.zeros(2)] * int(MARK)),
    "a dtype": (make_case, np.zeros((3, 5), dtype=[(f"f{MARK}", "f8")])),
}


class TestHiddenCasesDoNotLeak:
    @pytest.mark.parametrize("channel", LEAKS)
    @pytest.mark.parametrize("lang", ["en", "ja"])
    def test_returned_value(self, channel, lang):
        """What the student's result says about itself reaches a visible case's feedback, never a hidden one's."""
        make, value = LEAKS[channel]
        for visible in (True, False):
            case = make(visible=visible)
            args, kwargs, expected = case.build(1, 0)
            r = judge(case, value, expected, [], lang, (args, kwargs))
            assert r.status == "failed" and (MARK in r.output) == visible, r.output

    @pytest.mark.parametrize("exc", [ValueError(f"inputs {MARK}"), Marker4711Error("x")])
    @pytest.mark.parametrize("lang", ["en", "ja"])
    def test_exception(self, exc, lang):
        """An exception's message and a made-up type's name reach a visible case's feedback, never a hidden one's."""
        def raising(D, X):
            raise exc

        for visible in (True, False):
            r = run_in_process(make_case(visible=visible), raising, 1, 0, lang)
            assert r.status == "error" and (MARK in r.output) == visible, r.output
            assert ("ValueError" in r.output) == isinstance(exc, ValueError)


class TestRunInProcessGuard:
    def test_unreadable_result_is_an_error_not_a_traceback(self):
        """A result whose own methods raise while it is judged in-process is that case's error."""
        class Hostile(list):
            def __iter__(self):
                raise RuntimeError("no")

        r = run_in_process(make_case(), lambda D, X: Hostile([1.0]), 1, 0)
        assert r.status == "error" and "internal error while judging this case" in r.output
