"""rtrl's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/rtrl.py.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.cases import run_in_process
from autograder.suites import FD_LABEL
from rnnref.gradcheck import rel_error
from autograder.known_mistakes.rtrl import MISTAKES
from autograder.suites import get_suite

ROOT = Path(__file__).resolve().parents[2]
A = "rtrl"


def _load():
    spec = importlib.util.spec_from_file_location("known_sol_rtrl", ROOT / "solutions" / A / f"{A}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


sol = _load()


def _student_step(direct=True, recurrent=True, transposed=False, fprime=True, z_now=False):
    """A loop version, as a student might write it first."""

    def sensitivity_step(P_in, P_W, x, z_prev, u, W):
        H = len(u)
        new_in, new_W = np.zeros(P_in.shape), np.zeros(P_W.shape)
        slope = (1 - np.tanh(u) ** 2) if fprime else np.ones(H)
        a = np.tanh(u) if z_now else z_prev
        for k in range(H):
            for j in range(H):
                rec_in = sum((W[l, k] if transposed else W[k, l]) * P_in[l, j] for l in range(H)) if recurrent else 0.0
                rec_W = sum((W[l, k] if transposed else W[k, l]) * P_W[l, j] for l in range(H)) if recurrent else 0.0
                new_in[k, j] = slope[k] * (rec_in + (x if (direct and k == j) else 0.0))
                new_W[k, j] = slope[k] * (rec_W + (a if (direct and k == j) else 0.0))
        return new_in, new_W

    return sensitivity_step


def _student_rtrl(step=None, flip=False, last_only=False, z_now=False, reset=False):
    def rtrl_gradients(X, Y, W_in, W, W_out, task="regression"):
        T, H = len(X), len(W)
        stepper = step or sol.sensitivity_step
        Pi, Pw = np.zeros((H, H, X.shape[1])), np.zeros((H, H, H))
        z = np.zeros(H)
        dW_in, dW, dW_out = np.zeros(W_in.shape), np.zeros(W.shape), np.zeros(W_out.shape)
        for t in range(T):
            u = W_in @ X[t] + W @ z
            z_t = np.tanh(u)
            if reset:
                Pi, Pw = np.zeros_like(Pi), np.zeros_like(Pw)
            Pi, Pw = stepper(Pi, Pw, X[t], z_t if z_now else z, u, W)
            z = z_t
            if last_only and t != T - 1:
                continue
            err = sol.output_layer(z, W_out, task) - Y[t]
            if flip:
                err = -err
            e = W_out[:, 1:].T @ err
            dW_in += np.einsum("k,kji->ji", e, Pi)
            dW += np.einsum("k,kji->ji", e, Pw)
            dW_out += np.outer(err, np.r_[1.0, z])
        return {"W_in": dW_in, "W": dW, "W_out": dW_out}

    return rtrl_gradients


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("sensitivity_step", "direct_term_missing"): _student_step(direct=False),
    ("sensitivity_step", "recurrent_term_missing"): _student_step(recurrent=False),
    ("sensitivity_step", "W_transposed"): _student_step(transposed=True),
    ("sensitivity_step", "f_prime_missing"): _student_step(fprime=False),
    ("sensitivity_step", "direct_term_with_z_t"): _student_step(z_now=True),
    ("gradient_from_sensitivities", "wrong_axis"): lambda e, P: np.tensordot(e, P, axes=([0], [1])),
    ("gradient_from_sensitivities", "transposed"): lambda e, P: np.einsum("k,kji->ij", e, P),
    ("rtrl_gradients", "z_t_in_sensitivity_step"): _student_rtrl(z_now=True),
    ("rtrl_gradients", "sensitivities_not_carried"): _student_rtrl(reset=True),
    ("rtrl_gradients", "sign_flipped"): _student_rtrl(flip=True),
    ("rtrl_gradients", "only_last_error"): _student_rtrl(last_only=True),
    ("rtrl_gradients", "direct_term_missing"): _student_rtrl(step=_student_step(direct=False)),
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
        """Every key of MISTAKES is a graded function of the suite, with 2–5 mistakes."""
        points = get_suite(A).points
        for function, ms in MISTAKES.items():
            assert function in points and 2 <= len(ms) <= 5

    def test_hints_bilingual_questions(self):
        """Names are unique per function; each hint is a question in English and in Japanese."""
        for function, ms in MISTAKES.items():
            assert len({m.name for m in ms}) == len(ms), function
            for m in ms:
                assert m.hint_en.startswith("Did you ") and "?" in m.hint_en, m.name
                assert "ませんか？" in m.hint_ja and re.search(r"[ぁ-ん]", m.hint_ja), m.name


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


class TestFiniteDifferences:
    def test_sensitivities_fail_against_the_jacobian(self):
        """A sensitivity step without f′ fails the Jacobian (finite-difference) case too, as a gradcheck."""
        results = _run("sensitivity_step", WRONG[("sensitivity_step", "f_prime_missing")])
        fd = [r for r in results if "finite differences" in r.name]
        assert fd and not fd[0].passed and "central differences" in fd[0].output

    def test_rtrl_gradients_fail_against_the_loss(self):
        """Gradients from sensitivities that are never carried forward fail the loss's central differences."""
        results = _run("rtrl_gradients", WRONG[("rtrl_gradients", "sensitivities_not_carried")])
        fd = [r for r in results if "finite differences" in r.name]
        assert fd and not fd[0].passed and "central differences" in fd[0].output


class TestNoFalseNames:
    def test_solution_never_named(self):
        """The reference solution passes every case, so no mistake is named for it."""
        suite = get_suite(A)
        hints = [m.hint_en for ms in MISTAKES.values() for m in ms]
        for i, case in enumerate(suite.cases):
            r = run_in_process(case, getattr(sol, case.function), suite.seed, i)
            assert r.passed and not any(h in r.output for h in hints), r.output


FD_FUNCTIONS = ['sensitivity_step', 'gradient_from_sensitivities', 'rtrl_gradients']


def _fd_case(function):
    suite = get_suite(A)
    (i, case), = [(i, c) for i, c in suite.for_function(function) if c.compare == "gradcheck"]
    return suite, i, case


class TestFiniteDifferenceCase:
    @pytest.mark.parametrize("function", FD_FUNCTIONS)
    def test_one_hidden_case_with_equal_weight(self, function):
        """The gradient has one hidden finite-difference case, weighted like its other cases."""
        suite, _, case = _fd_case(function)
        others = [c for _, c in suite.for_function(function) if c is not case and c.points > 0]
        assert not case.visible and case.label.startswith(FD_LABEL)
        assert all(c.points == pytest.approx(case.points) for c in others)

    @pytest.mark.parametrize("function", FD_FUNCTIONS)
    def test_expected_is_the_numerical_gradient(self, function):
        """The expected values are central differences: within 1e-6 of rnnref's analytic result, not equal."""
        suite, i, case = _fd_case(function)
        _, _, expected = case.build(suite.seed, i)
        like = expected.like
        if case.post is not None:
            analytic = case.post(like, expected.extra)
        else:
            analytic = like if isinstance(like, dict) else {next(iter(expected)): like}
        for k, n in expected.items():
            assert 0 < rel_error(analytic[k], n) < 1e-6, k

    @pytest.mark.parametrize("function", FD_FUNCTIONS)
    def test_solution_passes(self, function):
        """The reference solution passes the finite-difference case at two seeds."""
        suite, i, case = _fd_case(function)
        for seed in (suite.seed, 4321):
            r = run_in_process(case, getattr(sol, function), seed, i)
            assert r.passed, r.output
