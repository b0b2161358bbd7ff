"""vanishing's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/vanishing.py.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.cases import run_in_process
from autograder.suites import FD_LABEL
from rnnref.gradcheck import rel_error
from autograder.known_mistakes.vanishing import MISTAKES
from autograder.suites import get_suite

ROOT = Path(__file__).resolve().parents[2]
A = "vanishing"


def _load():
    spec = importlib.util.spec_from_file_location("known_sol_vanishing", ROOT / "solutions" / A / f"{A}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


sol = _load()


def _rho_no_abs(W):
    return float(max(np.linalg.eigvals(W).real))


def _rho_real_part(W):
    lam = np.linalg.eigvals(W)
    return float(np.abs(lam.real).max())


def _rho_svd(W):
    return float(np.linalg.svd(W, compute_uv=False)[0])


def _rho_eigvalsh(W):
    return float(np.abs(np.linalg.eigvalsh(W)).max())


def _powers_entrywise(W, K):
    return np.array([np.linalg.norm(W ** k, 2) for k in range(K + 1)])


def _powers_fro(W, K):
    out, A = [], np.eye(len(W))
    for _ in range(K + 1):
        out.append(np.sqrt(np.sum(A * A)))
        A = W @ A
    return np.array(out)


def _powers_from_one(W, K):
    out, A = [], W.copy()
    for _ in range(K):
        out.append(np.linalg.norm(A, 2))
        A = A @ W
    return np.array(out)


def _student_state(transposed=True, fprime="tanh", every_step=True, deltas=False):
    def state_gradients(U, W, dZ):
        T, H = U.shape
        G, D = np.zeros((T, H)), np.zeros((T, H))
        for t in reversed(range(T)):
            g = dZ[t].copy() if (every_step or t == T - 1) else np.zeros(H)
            if t < T - 1:
                g += (W.T if transposed else W) @ D[t + 1]
            G[t] = g
            if fprime == "tanh":
                D[t] = g * (1 - np.tanh(U[t]) ** 2)
            elif fprime == "u":
                D[t] = g * (1 - U[t] ** 2)
            else:
                D[t] = g
        return D if deltas else G

    return state_gradients


def _student_clip(kind):
    def clip_grad_norm(grads, max_norm):
        norm = np.sqrt(sum((g ** 2).sum() for g in grads.values()))
        if kind == "each":
            return {k: g * min(1, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in grads.items()}, norm
        if kind == "always":
            return {k: g * max_norm / (norm + 1e-6) for k, g in grads.items()}, norm
        if kind == "np.clip":
            return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, norm
        if kind == "no eps":
            return {k: g * min(1, max_norm / norm) for k, g in grads.items()}, norm
        out, _ = sol.clip_grad_norm(grads, max_norm)
        return out, np.sqrt(sum((g ** 2).sum() for g in out.values()))

    return clip_grad_norm


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("spectral_radius", "largest_real_eigenvalue"): _rho_no_abs,
    ("spectral_radius", "modulus_of_real_part"): _rho_real_part,
    ("spectral_radius", "spectral_norm"): _rho_svd,
    ("spectral_radius", "eigvalsh_on_non_symmetric"): _rho_eigvalsh,
    ("power_norms", "entrywise_power"): _powers_entrywise,
    ("power_norms", "frobenius_norm"): _powers_fro,
    ("power_norms", "starts_at_W1"): _powers_from_one,
    ("state_gradients", "W_not_transposed"): _student_state(transposed=False),
    ("state_gradients", "returned_deltas"): _student_state(deltas=True),
    ("state_gradients", "f_prime_missing"): _student_state(fprime="none"),
    ("state_gradients", "f_prime_of_u_as_z"): _student_state(fprime="u"),
    ("state_gradients", "direct_error_only_at_T"): _student_state(every_step=False),
    ("grad_norms_over_time", "norm_over_time"): lambda G: np.sqrt((G ** 2).sum(axis=0)),
    ("grad_norms_over_time", "squared_norm"): lambda G: (G ** 2).sum(axis=1),
    ("clip_grad_norm", "per_array_norm"): _student_clip("each"),
    ("clip_grad_norm", "no_min_with_one"): _student_clip("always"),
    ("clip_grad_norm", "entrywise_clip"): _student_clip("np.clip"),
    ("clip_grad_norm", "epsilon_missing"): _student_clip("no eps"),
    ("clip_grad_norm", "norm_after_clipping"): _student_clip("after"),
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


class TestNoFalseNames:
    def test_solution_never_named(self):
        """The reference solution passes every case, so no mistake is named for it."""
        suite = get_suite(A)
        hints = [m.hint_en for ms in MISTAKES.values() for m in ms]
        for i, case in enumerate(suite.cases):
            r = run_in_process(case, getattr(sol, case.function), suite.seed, i)
            assert r.passed and not any(h in r.output for h in hints), r.output

    def test_clip_in_place_is_a_mutation(self):
        """Scaling the caller's arrays in place (g *= c) fails as a modified input, not as a known mistake."""

        def clip_grad_norm(grads, max_norm):
            norm = float(np.sqrt(sum((g ** 2).sum() for g in grads.values())))
            for g in grads.values():
                g *= min(1.0, max_norm / (norm + 1e-6))
            return grads, norm

        results = _run("clip_grad_norm", clip_grad_norm)
        clipped = [r for r in results if "‖g‖ > θ" in r.name]
        assert clipped and all(not r.passed and "modified in place" in r.output for r in clipped)


FD_FUNCTIONS = ['state_gradients']


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
