"""attention's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/attention.py.
"""

import numpy as np
import pytest

from autograder.known_mistakes.attention import MISTAKES
from autograder.suites import get_suite

from .known_harness import KnownMistakesContract, load_solution, run_function

A = "attention"
sol = load_solution(A)


def _column_softmax(E):
    e = np.exp(E - E.max(axis=0))
    return e / e.sum(axis=0)


def _dot_over_t(Hdec, Hbar):
    alpha = _column_softmax(Hdec @ Hbar.T)
    return alpha @ Hbar, alpha


def _dot_scaled_full(Hdec, Hbar):
    E = Hdec @ Hbar.T / np.sqrt(Hdec.shape[1])
    alpha = np.exp(E - E.max(axis=1, keepdims=True))
    alpha /= alpha.sum(axis=1, keepdims=True)
    return alpha @ Hbar, alpha


def _dot_raw(Hdec, Hbar):
    E = Hdec @ Hbar.T
    return E @ Hbar, E


def _dot_backward_with(jacobian="full", weighed=True, scored=True):
    def dot_attention_backward(dC, Hdec, Hbar, alpha):
        Tp, T = alpha.shape
        dE = np.zeros((Tp, T))
        for t in range(Tp):
            da = Hbar @ dC[t]
            dE[t] = alpha[t] * da if jacobian == "diagonal" else alpha[t] * (da - alpha[t] @ da)
        dHbar = np.zeros_like(Hbar)
        for s in range(T):
            for t in range(Tp):
                if weighed:
                    dHbar[s] += alpha[t, s] * dC[t]
                if scored:
                    dHbar[s] += dE[t, s] * Hdec[t]
        return dE @ Hbar, dHbar

    return dot_attention_backward


def _additive_with(swap=False, over_t=False, tanh=True):
    def additive_attention_forward(Hdec, Hbar, P):
        Tp, T = len(Hdec), len(Hbar)
        W_a, U_a = (P["U_a"], P["W_a"]) if swap else (P["W_a"], P["U_a"])
        Q = np.zeros((Tp, T, len(P["v"])))
        for t in range(Tp):
            for s in range(T):
                a = W_a @ Hdec[t] + U_a @ Hbar[s]
                Q[t, s] = np.tanh(a) if tanh else a
        E = Q @ P["v"]
        if over_t:
            alpha = _column_softmax(E)
        else:
            alpha = np.exp(E - E.max(axis=1, keepdims=True))
            alpha /= alpha.sum(axis=1, keepdims=True)
        return alpha @ Hbar, alpha, Q

    return additive_attention_forward


def _additive_backward_with(tanh_prime=True, jacobian="full", weighed=True):
    def additive_attention_backward(dC, Hdec, Hbar, P, alpha, Q):
        dalpha = dC @ Hbar.T
        if jacobian == "diagonal":
            dE = alpha * dalpha
        else:
            dE = alpha * (dalpha - (alpha * dalpha).sum(axis=1, keepdims=True))
        grads = {"W_a": np.zeros_like(P["W_a"]), "U_a": np.zeros_like(P["U_a"]), "v": np.zeros_like(P["v"])}
        dHdec, dHbar = np.zeros_like(Hdec), (alpha.T @ dC if weighed else np.zeros_like(Hbar))
        for t in range(len(Hdec)):
            for s in range(len(Hbar)):
                q = Q[t, s]
                rho = dE[t, s] * P["v"] * ((1 - q ** 2) if tanh_prime else 1.0)
                grads["v"] += dE[t, s] * q
                grads["W_a"] += np.outer(rho, Hdec[t])
                grads["U_a"] += np.outer(rho, Hbar[s])
                dHdec[t] += P["W_a"].T @ rho
                dHbar[s] += P["U_a"].T @ rho
        return dHdec, dHbar, grads

    return additive_attention_backward


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("dot_attention_forward", "softmax_over_t"): _dot_over_t,
    ("dot_attention_forward", "scaled_scores"): _dot_scaled_full,
    ("dot_attention_forward", "softmax_missing"): _dot_raw,
    ("dot_attention_backward", "softmax_jacobian_diagonal"): _dot_backward_with(jacobian="diagonal"),
    ("dot_attention_backward", "weighted_sum_path_dropped"): _dot_backward_with(weighed=False),
    ("dot_attention_backward", "score_path_dropped"): _dot_backward_with(scored=False),
    ("additive_attention_forward", "W_a_U_a_swapped"): _additive_with(swap=True),
    ("additive_attention_forward", "softmax_over_t"): _additive_with(over_t=True),
    ("additive_attention_forward", "tanh_missing"): _additive_with(tanh=False),
    ("additive_attention_backward", "tanh_derivative_missing"): _additive_backward_with(tanh_prime=False),
    ("additive_attention_backward", "softmax_jacobian_diagonal"): _additive_backward_with(jacobian="diagonal"),
    ("additive_attention_backward", "weighted_sum_path_dropped"): _additive_backward_with(weighed=False),
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG

    def test_loops_pass_like_the_vectorized_solution(self):
        """The student-style loop versions, with no mistake, earn full marks (the variants' loops are sound)."""
        suite = get_suite(A)
        for function, right in (("dot_attention_backward", _dot_backward_with()),
                                ("additive_attention_forward", _additive_with()),
                                ("additive_attention_backward", _additive_backward_with())):
            results = run_function(A, function, right)
            assert sum(r.score for r in results) == pytest.approx(suite.points[function]), [r.output for r in results]


class TestSuiteSizes:
    def test_no_square_by_accident(self):
        """Within every size, T′, T, H and d_a differ; T′ = 1, T = 1 and H = 1 occur."""
        from autograder.suites import attention as suite

        sizes = suite.SIZES_VISIBLE + suite.SIZES_HIDDEN + [suite.FD_DIMS]
        assert all(len(set(s)) == 4 for s in sizes)
        for axis in (0, 1, 2):
            assert any(s[axis] == 1 for s in sizes)
