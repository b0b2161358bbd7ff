"""The 0-point check of a backward against central differences of the student's own forward."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from autograder import api
from autograder.cases import OwnForward, run_in_process
from autograder.suites import get_suite

ROOT = Path(__file__).resolve().parents[2]
BACKWARDS = [("rnn_bptt", "deltas", "forward"), ("lstm", "lstm_backward", "lstm_forward"),
             ("gru", "gru_backward", "gru_forward")]


def solution(name):
    spec = importlib.util.spec_from_file_location(f"consistency_{name}", ROOT / "solutions" / name / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def consistency_case(name, function):
    suite = get_suite(name)
    (i, case), = [(i, c) for i, c in suite.for_function(function) if c.label.startswith("consistency")]
    return suite, i, case


class TestConsistencyCase:
    @pytest.mark.parametrize("name, function, forward", BACKWARDS)
    def test_zero_points_no_reference(self, name, function, forward):
        """The case is worth nothing and carries no reference value, only the forward's name."""
        suite, i, case = consistency_case(name, function)
        _, _, expected = case.build(suite.seed, i)
        assert case.points == 0 and case.visible
        assert isinstance(expected, OwnForward) and expected.forward == forward.split()[0]

    @pytest.mark.parametrize("name, function, forward", BACKWARDS)
    def test_solution_agrees_with_itself(self, name, function, forward):
        """The solution's backward agrees with its own forward, and the report says so."""
        suite, i, case = consistency_case(name, function)
        mod = solution(name)
        r = run_in_process(case, getattr(mod, function), suite.seed, i, "en")
        assert r.status == "passed" and r.score == 0 and "agree with central differences of your own" in r.output

    @pytest.mark.parametrize("name, function, forward", BACKWARDS[1:])
    def test_wrong_forward_right_backward_is_inconsistent(self, name, function, forward):
        """A forward scaled by 1.01 makes the (reference) backward inconsistent with it: reported, 0 points."""
        suite, i, case = consistency_case(name, function)
        mod = solution(name)
        right = getattr(mod, forward)
        setattr(mod, forward, lambda X, P: (right(X, P)[0] * 1.01,) + tuple(right(X, P)[1:]))
        r = run_in_process(case, getattr(mod, function), suite.seed, i, "ja")
        assert r.status == "failed" and r.score == 0 and r.max_score == 0
        assert f"あなた自身の {forward} の中心差分と一致しません" in r.output

    def test_wrong_backward_is_inconsistent(self):
        """An LSTM backward with one gradient entry scaled by 1.001 disagrees with the student's own forward."""
        suite, i, case = consistency_case("lstm", "lstm_backward")
        mod = solution("lstm")
        mod._right = mod.lstm_backward
        exec(  # defined next to the student's forward, as in a submission
            "def off(dZ, caches, P):\n"
            "    g = _right(dZ, caches, P)\n"
            "    g['W_O'] = g['W_O'].copy()\n"
            "    g['W_O'][1, 2] *= 1.001\n"
            "    return g\n", vars(mod))
        off = mod.off
        r = run_in_process(case, off, suite.seed, i, "en")
        assert r.status == "failed" and "∂/∂W_O disagrees with central differences of your own lstm_forward" in r.output

    def test_runs_in_the_isolated_worker(self, tmp_path):
        """Graded through api.grade, a forward that is wrong gets its backward's consistency reported."""
        src = (ROOT / "solutions" / "gru" / "gru.py").read_text(encoding="utf-8")
        src += "\n\n_right_forward = gru_forward\n\n\ndef gru_forward(X, P):\n    Hs, caches = _right_forward(X, P)\n    return Hs * 1.01, caches\n"
        (tmp_path / "gru.py").write_text(src, encoding="utf-8")
        result = api.grade(tmp_path / "gru.py", lang="en")
        (t,) = [t for t in result.tests if t.name.startswith("gru_backward [consistency")]
        assert t.status == "failed" and "your own gru_forward" in t.output
        assert result.score == pytest.approx(10 - 2)  # gru_forward lost its 2 points, nothing else
        assert np.isfinite(result.execution_time)
