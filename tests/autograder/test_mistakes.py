"""autograder.mistakes, the engine: how a typical mistake is matched, and the registry of all of them.

Every exercise's mistakes live in autograder/known_mistakes/<assignment>.py; the student versions
that show each is named (en and ja) are in tests/autograder/test_known_<assignment>.py.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.cases import Case, judge, run_in_process
from autograder.checks import Opaque
from autograder.feedback import case_hint
from autograder.known_mistakes import rnn_bptt as known_rnn_bptt
from autograder.mistakes import Mistake, agrees, diagnose, diagnose_error, known, mistakes_for
from autograder.suites import ASSIGNMENTS, get_suite

ROOT = Path(__file__).resolve().parents[2]

TEMPLATE_EN = re.compile(r"^[A-Za-z_]+: \S+ .+\. Did you .+\?.*$")
TEMPLATE_JA = re.compile(r"^[A-Za-z_]+: \S+ ?.+（.+）。.+ませんか？.*$")


def _load(name):
    path = ROOT / "solutions" / name / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"mistakes_sol_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


rnn = _load("rnn_bptt")

#: every known mistake, from autograder/known_mistakes/<assignment>.py (the student versions that each is named for
#: are in tests/autograder/test_known_<assignment>.py)
MISTAKES = known(ASSIGNMENTS)
ALL = [(a, f, m) for (a, f), ms in MISTAKES.items() for m in ms]


def _run(assignment, function, func, lang="en"):
    suite = get_suite(assignment)
    return [run_in_process(c, func, suite.seed, i, lang) for i, c in suite.for_function(function) if c.points > 0]


class TestRegistry:
    def test_every_exercise_has_its_module(self):
        """All thirteen exercises' mistakes come from autograder/known_mistakes/<assignment>.py, none from the engine."""
        import autograder.mistakes as engine

        assert {a for a, _ in MISTAKES} == set(ASSIGNMENTS)
        assert not hasattr(engine, "MISTAKES")
        for a in ASSIGNMENTS:
            assert (ROOT / "autograder" / "known_mistakes" / f"{a}.py").is_file(), a
            assert (ROOT / "tests" / "autograder" / f"test_known_{a}.py").is_file(), a

    def test_lookup_finds_the_module(self):
        """mistakes_for finds a case's mistakes in its exercise's module; an unknown or private name finds none."""
        i, case = get_suite("lstm").for_function("lstm_backward")[0]
        from autograder.known_mistakes import lstm as known_lstm

        assert mistakes_for(case) == known_lstm.MISTAKES["lstm_backward"]
        for name in ("nope", "_adam", "../x"):
            assert mistakes_for(Case("adam_step", "x", lambda rng: ((), {}, None), 1.0, True, assignment=name)) == ()

    def test_keys_are_graded_functions(self):
        """Every (assignment, function) key names a graded function of that suite."""
        for assignment, function in MISTAKES:
            assert assignment in ASSIGNMENTS and function in get_suite(assignment).points

    def test_names_unique_and_hints_bilingual(self):
        """Names are unique per function; each hint is a question in English and in Japanese; one of a variant, an
        error or a returned value's test."""
        for key, ms in MISTAKES.items():
            assert len({m.name for m in ms}) == len(ms), key
            for m in ms:
                assert m.hint_en.startswith("Did you ") and "?" in m.hint_en, m.name
                assert "ませんか？" in m.hint_ja and re.search(r"[ぁ-ん]", m.hint_ja), m.name
                assert [m.variant, m.error, m.returns].count(None) == 2, m.name

    def test_cases_know_their_assignment(self):
        """Every suite case carries its assignment, so that its mistakes are found."""
        for name in ASSIGNMENTS:
            assert all(c.assignment == name for c in get_suite(name).cases)


class TestNoFalseNames:
    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_reference_never_named(self, name):
        """The reference solution passes every case, so no mistake is ever named for it."""
        suite = get_suite(name)
        mod = _load(name)
        hints = [m.hint_en for ms in MISTAKES.values() for m in ms]
        for i, case in enumerate(suite.cases):
            r = run_in_process(case, getattr(mod, case.function), suite.seed, i)
            assert r.passed and not any(h in r.output for h in hints), r.output

    @pytest.mark.parametrize("function", ["deltas", "grad_W", "grad_W_out", "forward"])
    def test_unknown_mistake_keeps_the_suite_hint(self, function):
        """A wrong result that is no known mistake (the reference scaled by 1.1) gets the ordinary hint."""
        suite = get_suite("rnn_bptt")
        ref = getattr(rnn, function)

        def scaled(*args, **kwargs):
            out = ref(*args, **kwargs)
            return tuple(o * 1.1 for o in out) if isinstance(out, tuple) else out * 1.1

        hints = [m.hint_en for m in MISTAKES[("rnn_bptt", function)]]
        results = _run("rnn_bptt", function, scaled)
        case = suite.for_function(function)[0][1]
        ordinary = case_hint(case, "value", "en")
        failed = [r.output for r in results if not r.passed]
        assert failed and not any(h in o for o in failed for h in hints)
        if case.hints.get("value"):  # the suite's own hint still closes the message
            assert all(o.endswith(ordinary) for o in failed), failed
        else:  # no own hint: the general diagnosis (a constant multiple) replaces the generic one
            assert all("constant multiple" in o for o in failed), failed

    def test_messages_follow_the_template(self):
        """Named mistakes keep the house template in both languages."""
        from .test_known_rnn_bptt import WRONG

        wrong = WRONG[("deltas", "W_not_transposed")]
        en = [r.output for r in _run("rnn_bptt", "deltas", wrong, "en") if not r.passed]
        ja = [r.output for r in _run("rnn_bptt", "deltas", wrong, "ja") if not r.passed]
        assert en and all(TEMPLATE_EN.match(o) for o in en), en
        assert ja and all(TEMPLATE_JA.match(o) for o in ja), ja
        assert re.match(r"^deltas: δ_\d disagrees with the reference \(max rel\. error \d\.\de[+-]\d\d at entry \d\)\. "
                        r"Did you use W instead of Wᵀ in the δ recursion\?", en[0]), en[0]
        assert re.match(r"^deltas: δ_\d が参照解と一致しません（最大相対誤差 \d\.\de[+-]\d\d、要素 \d）。"
                        r"δ の漸化式で Wᵀ の代わりに W を使っていませんか？", ja[0]), ja[0]


def _toy_case(**kw):
    def make(rng):
        D = rng.standard_normal((3, 5))
        X = rng.standard_normal((5, 4))
        return (D, X), {}, D @ X

    return Case("grad_W_in", "toy", make, 1.0, True, ("D", "X"), "dW_in", assignment="rnn_bptt", **kw)


class TestDiagnose:
    def test_judge_without_inputs_names_nothing(self):
        """judge called the first way (no inputs) still works and names no mistake."""
        case = _toy_case()
        (D, X), _, expected = case.build(1, 0)
        r = judge(case, X.T @ D.T, expected, [])
        assert r.status == "failed" and "has the wrong shape" in r.output and "Did you" not in r.output

    def test_judge_with_inputs_names_the_mistake(self):
        """judge given the case's inputs names the mistake, in the language asked for."""
        case = _toy_case()
        (D, X), kw, expected = case.build(1, 0)
        r = judge(case, X.T @ D.T, expected, [], lang="ja", inputs=((D, X), kw))
        assert r.output.startswith("grad_W_in: dW_in の形が違います（期待: (3, 4)、実際: (4, 3)）。Xᵀ Dᵀ を計算していませんか？")

    def test_variant_that_raises_is_skipped(self, monkeypatch):
        """A variant that cannot run on the inputs is skipped; the next one is still tried."""
        def boom(D, X):
            raise ValueError("no")

        ms = (Mistake("boom", "Did you boom?", "ボームしていませんか？", boom),
              Mistake("double", "Did you double?", "二倍にしていませんか？", lambda D, X: 2 * (D @ X)))
        monkeypatch.setitem(known_rnn_bptt.MISTAKES, "grad_W_in", ms)
        case = _toy_case()
        (D, X), kw, expected = case.build(1, 0)
        assert diagnose(case, 2 * expected, expected, (D, X), kw).name == "double"
        r = run_in_process(case, lambda D, X: 2 * (D @ X), 1, 0)
        assert r.output.endswith("Did you double?")

    def test_variant_equal_to_reference_is_skipped(self, monkeypatch):
        """A variant that gives the reference's result on a case cannot name anything there."""
        ms = (Mistake("same", "Did you same?", "同じですか？ませんか？", lambda D, X: D @ X),)
        monkeypatch.setitem(known_rnn_bptt.MISTAKES, "grad_W_in", ms)
        case = _toy_case()
        (D, X), kw, expected = case.build(1, 0)
        assert diagnose(case, expected * 3, expected, (D, X), kw) is None

    def test_error_pattern(self):
        """numpy's complaints about (H+1,) against (H,) are the W_out-for-W̃_out mistake; others are not."""
        suite = get_suite("rnn_bptt")
        i, case = suite.for_function("deltas")[0]
        args, kw, _ = case.build(suite.seed, i)
        H = args[0].shape[1]
        hit = diagnose_error(case, f"operands could not be broadcast together with shapes ({H},) ({H + 1},) ", args, kw)
        assert hit.name == "bias_column_not_removed"
        assert diagnose_error(case, f"matmul: … (size {H + 1} is different from {H})", args, kw).name == hit.name
        assert diagnose_error(case, "name 'np' is not defined", args, kw) is None
        assert diagnose_error(case, f"shapes ({H + 3},) ({H + 5},)", args, kw) is None

    def test_error_pattern_needs_inputs(self):
        """Without the case's inputs an exception is reported with the ordinary hint."""
        from autograder.cases import error_hint

        case = get_suite("rnn_bptt").for_function("deltas")[0][1]
        assert error_hint(case, "shapes (4,) (5,)", None) is None


class TestAgrees:
    def _case(self, outputs):
        return Case("f", "x", lambda rng: ((), {}, None), 1.0, True, outputs=outputs)

    def test_nan_and_inf_agree_with_themselves(self):
        """Non-finite entries agree when they sit in the same places with the same values."""
        a = np.array([[np.nan, 1.0, np.inf], [0.5, -np.inf, 2.0]])
        case = self._case("Y")
        assert agrees(case, a.copy(), a)
        b = a.copy()
        b[0, 0] = 0.0
        assert not agrees(case, b, a)
        c = a.copy()
        c[0, 2] = -np.inf
        assert not agrees(case, c, a)

    def test_only_named_outputs(self):
        """With only=("h",), the other outputs of a tuple are not looked at."""
        case = self._case(("h", "cache"))
        ref = (np.arange(3.0), {"z": np.zeros(4)})
        assert agrees(case, (np.arange(3.0), {"z": np.ones(4)}), ref, ("h",))
        assert not agrees(case, (np.arange(3.0), {"z": np.ones(4)}), ref)

    def test_untrusted_objects_never_agree(self):
        """Opaque values, subclasses, float32 arrays and wrong shapes never agree."""
        case = self._case("Y")
        ref = np.zeros((2, 3))

        class Sub(np.ndarray):
            pass

        for got in (Opaque("instance", (("type", "str"),)), np.zeros((2, 3)).view(Sub), np.zeros((2, 3), np.float32),
                    np.zeros((3, 2)), "x"):
            assert not agrees(case, got, ref)

    def test_floats(self):
        """A float result agrees with a float variant within the tolerance, not beyond."""
        case = self._case("E")
        assert agrees(case, 0.5, 0.5) and agrees(case, np.float64(0.5), 0.5) and agrees(case, np.array([0.5]), 0.5)
        assert not agrees(case, 0.6, 0.5) and not agrees(case, True, 1.0)
