"""seq2seq's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution (its given LSTM helpers included),
independently of the variants in autograder/known_mistakes/seq2seq.py.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.cases import run_in_process
from autograder.known_mistakes.seq2seq import MISTAKES
from autograder.suites import get_suite

ROOT = Path(__file__).resolve().parents[2]
A = "seq2seq"


def _load():
    spec = importlib.util.spec_from_file_location("known_sol_seq2seq", ROOT / "solutions" / A / f"{A}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


sol = _load()


def _encode_first(X, P):
    Z, S, caches = sol.lstm_forward(X, P)
    return Z[0], S[0], caches


def _encode_swapped(X, P):
    z_T, s_T, caches = sol.encode(X, P)
    return s_T, z_T, caches


def _inputs_unshifted(Y):
    T, m = Y.shape
    go = np.zeros((T, 1))
    go[0] = 1.0
    return np.hstack([np.ones((T, 1)), go, Y])


def _inputs_no_go(Y):
    Xd = sol.decoder_inputs(Y)
    Xd[0, 1] = 0.0
    return Xd


def _inputs_no_bias(Y):
    return sol.decoder_inputs(Y)[:, 1:]


def _decoder_with(inputs=None, zero_state=False, mean=False):
    def decoder_forward(Y, z0, s0, P):
        Xd = (inputs or sol.decoder_inputs)(Y)
        if zero_state:
            Z, S, caches = sol.lstm_forward(Xd, P)
        else:
            Z, S, caches = sol.lstm_forward(Xd, P, z0, s0)
        Yhat = sol.softmax(np.hstack([np.ones((len(Z), 1)), Z]) @ P["W_out"].T)
        E = -np.sum(Y * np.log(Yhat))
        return Yhat, float(E / len(Y) if mean else E), Z, caches

    return decoder_forward


def _decoder_backward_flipped(Y, Yhat, Z, caches, P):
    return sol.decoder_backward(Yhat, Y, Z, caches, P)


def _decoder_backward_no_bias(Y, Yhat, Z, caches, P):
    grads, dz0, ds0 = sol.decoder_backward(Y, Yhat, Z, caches, P)
    grads["W_out"] = (Yhat - Y).T @ Z
    return grads, dz0, ds0


def _decoder_backward_full_W_out(Y, Yhat, Z, caches, P):
    dZ = (Yhat - Y) @ P["W_out"]
    grads, dz0, ds0 = sol.lstm_backward(dZ, caches, P)
    grads["W_out"] = (Yhat - Y).T @ np.hstack([np.ones((len(Z), 1)), Z])
    return grads, dz0, ds0


def _encoder_backward_with(rows="last", cell=True):
    def encoder_backward(dz_T, ds_T, caches, P):
        dZ = np.zeros((len(caches), len(dz_T)))
        if rows == "last":
            dZ[-1] = dz_T
        elif rows == "first":
            dZ[0] = dz_T
        else:
            dZ += dz_T
        return sol.lstm_backward(dZ, caches, P, ds_T if cell else None)[0]

    return encoder_backward


def _greedy_with(feed="choice", reset=False):
    def greedy_decode(z0, s0, P, T_out):
        m = P["W_out"].shape[0]
        x = np.concatenate([[1.0, 1.0], np.zeros(m)])
        z, s = z0, s0
        Yhat, Y_pred = [], []
        for _ in range(T_out):
            z, s, _ = sol.lstm_step(x, z0 if reset else z, s0 if reset else s, P)
            y = sol.softmax(P["W_out"] @ np.concatenate([[1.0], z]))
            onehot = np.eye(m)[np.argmax(y)]
            Yhat.append(y)
            Y_pred.append(onehot)
            if feed == "choice":
                x = np.concatenate([[1.0, 0.0], onehot])
            elif feed == "probabilities":
                x = np.concatenate([[1.0, 0.0], y])
        return np.array(Yhat), np.array(Y_pred)

    return greedy_decode


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("encode", "first_state"): _encode_first,
    ("encode", "states_swapped"): _encode_swapped,
    ("decoder_inputs", "not_shifted"): _inputs_unshifted,
    ("decoder_inputs", "go_flag_missing"): _inputs_no_go,
    ("decoder_inputs", "bias_column_missing"): _inputs_no_bias,
    ("decoder_forward", "zero_initial_state"): _decoder_with(zero_state=True),
    ("decoder_forward", "not_shifted"): _decoder_with(inputs=_inputs_unshifted),
    ("decoder_forward", "mean_over_time"): _decoder_with(mean=True),
    ("decoder_backward", "sign_flipped"): _decoder_backward_flipped,
    ("decoder_backward", "W_out_bias_column_dropped"): _decoder_backward_no_bias,
    ("decoder_backward", "bias_column_not_removed"): _decoder_backward_full_W_out,
    ("encoder_backward", "cell_gradient_dropped"): _encoder_backward_with(cell=False),
    ("encoder_backward", "error_at_first_step"): _encoder_backward_with(rows="first"),
    ("encoder_backward", "error_at_every_step"): _encoder_backward_with(rows="every"),
    ("greedy_decode", "probabilities_fed_back"): _greedy_with(feed="probabilities"),
    ("greedy_decode", "state_not_carried"): _greedy_with(reset=True),
    ("greedy_decode", "output_not_fed_back"): _greedy_with(feed="go"),
}

ALL = [(f, m) for f, ms in MISTAKES.items() for m in ms]


def _run(function, func, lang="en"):
    suite = get_suite(A)
    return [run_in_process(c, func, suite.seed, i, lang) for i, c in suite.for_function(function) if c.points > 0]


class TestRegistry:
    def test_every_mistake_has_a_student_version(self):
        """Each registered mistake is exercised by a wrong function in this file, and no other."""
        assert {(f, m.name) for f, m in ALL} == set(WRONG)

    def test_keys_are_graded_functions(self):
        """Every graded function has 2–5 typical mistakes, and every key of MISTAKES is graded."""
        assert set(MISTAKES) == set(get_suite(A).points)
        assert all(2 <= len(ms) <= 5 for ms in MISTAKES.values())

    def test_hints_bilingual_questions(self):
        """Names are unique per function; each hint is a question in English and in Japanese."""
        for function, ms in MISTAKES.items():
            assert len({m.name for m in ms}) == len(ms), function
            for m in ms:
                assert m.hint_en.startswith("Did you ") and "?" in m.hint_en, m.name
                assert "ませんか？" in m.hint_ja and re.search(r"[ぁ-ん]", m.hint_ja), m.name
                assert (m.variant is None) != (m.error is None), m.name


class TestEachMistake:
    @pytest.mark.parametrize("function,mistake", ALL, ids=[f"{f}.{m.name}" for f, m in ALL])
    def test_named_in_both_languages(self, function, mistake):
        """The student's version loses points, and a failure names the mistake, in en and ja."""
        wrong = WRONG[(function, mistake.name)]
        results = _run(function, wrong, "en")
        assert sum(r.score for r in results) < get_suite(A).points[function]
        named = [r for r in results if not r.passed and mistake.hint_en in r.output]
        assert named, [r.output for r in results]
        for r in named:
            assert r.output.startswith(f"{function}: ") and r.output.endswith(mistake.hint_en), r.output
        results_ja = _run(function, wrong, "ja")
        named_ja = [r for r in results_ja if not r.passed and mistake.hint_ja in r.output]
        assert [r.name for r in named_ja] == [r.name for r in named]


class TestNoFalseNames:
    def test_solution_never_named(self):
        """The reference solution passes every case, so no mistake is named for it."""
        suite = get_suite(A)
        hints = [m.hint_en for ms in MISTAKES.values() for m in ms]
        for i, case in enumerate(suite.cases):
            r = run_in_process(case, getattr(sol, case.function), suite.seed, i)
            assert r.passed and not any(h in r.output for h in hints), r.output

    def test_unknown_mistake_keeps_the_suite_hint(self):
        """A wrong decoder_backward that is no known mistake (gradients scaled by 1.1) gets the suite's own hint."""

        def scaled(Y, Yhat, Z, caches, P):
            grads, dz0, ds0 = sol.decoder_backward(Y, Yhat, Z, caches, P)
            return {k: 1.1 * g for k, g in grads.items()}, 1.1 * dz0, 1.1 * ds0

        results = _run("decoder_backward", scaled)
        failed = [r.output for r in results if not r.passed]
        hints = [m.hint_en for m in MISTAKES["decoder_backward"]]
        assert failed and not any(h in o for o in failed for h in hints)
        assert any("lstm_backward returns ∂E/∂z′_0" in o for o in failed), failed


class TestSuiteSizes:
    def test_no_square_by_accident(self):
        """Within every size, T, T′, d+1, m+2, H, H+1 and m differ (but for the 1s); T, T′ and H = 1 occur."""
        from autograder.suites import seq2seq as suite

        sizes = suite.SIZES_VISIBLE + suite.SIZES_HIDDEN + [suite.FD_DIMS]
        for T, Tp, d, H, m in sizes:
            dims = [x for x in (T, Tp, d + 1, m + 2, H, H + 1, m) if x != 1]
            assert len(set(dims)) == len(dims), (T, Tp, d, H, m)
        for axis in (0, 1, 3):
            assert any(s[axis] == 1 for s in sizes)
