"""tdnn's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the lecture's formulas, independently of the variants in
autograder/known_mistakes/tdnn.py (loops over t and k here, where the variants use a window helper).
"""

import numpy as np
import pytest

from autograder.known_mistakes.tdnn import MISTAKES
from autograder.suites import get_suite

from .known_harness import FiniteDifferenceContract, KnownMistakesContract, load_solution, run_function

A = "tdnn"
sol = load_solution(A)


# ---------------------------------------------------------------------------------------------
# windows: slot k of row t−1 should be x_{t−k}, bias entry 0 for k ≥ 1, zeros before t = 1


def _window_off_by_one(X, K):
    T, d1 = X.shape
    out = np.zeros((T, K, d1))
    for t in range(T):
        for k in range(K):
            if t - k - 1 >= 0:  # x_{t−1−k}: the window starts one step back
                out[t, k] = X[t - k - 1]
                if k > 0:
                    out[t, k, 0] = 0.0
    return out


def _window_K_plus_one(X, K):
    T, d1 = X.shape
    out = np.zeros((T, K + 1, d1))
    for k in range(K + 1):  # delays 0 … K
        out[k:, k] = X[:max(T - k, 0)]
    out[:, 1:, 0] = 0.0
    return out


def _reversed_loop(X, K):
    T, d1 = X.shape
    out = np.zeros((T, K, d1))
    for t in range(T):
        for k in range(K):
            s = t - (K - 1) + k  # the oldest input first, as Conv1d's kernel reads them
            if s >= 0:
                out[t, k] = X[s]
    out[:, 1:, 0] = 0.0
    return out


def _window_roll(X, K):
    out = np.stack([np.roll(X, k, axis=0) for k in range(K)], axis=1)
    out[:, 1:, 0] = 0.0
    return out


def _window_all_ones(X, K):
    T, d1 = X.shape
    out = np.zeros((T, K, d1))
    for k in range(min(K, T)):
        out[k:, k] = X[:T - k]  # the 1 stays in every slot
    return out


def _forward_with(window):
    def forward(X, W, W_out):
        Xd = window(X, W.shape[0])
        U = sum(Xd[:, k] @ W[k].T for k in range(W.shape[0]))
        Z = np.tanh(U)
        return U, Z, Z @ W_out[:, 1:].T + W_out[:, 0]

    return forward


def _grad_W_with(window):
    def grad_W(D, X, K):
        Xd = window(X, K)
        return np.stack([D @ Xd[:, k] for k in range(K)])

    return grad_W


def _grad_W_unshifted(D, X, K):
    dW = np.array([D @ X for _ in range(K)])
    dW[1:, :, 0] = 0.0
    return dW


def _grad_W_future(D, X, K):
    H, T = D.shape
    dW = np.zeros((K, H, X.shape[1]))
    for k in range(K):
        for t in range(T - k):
            dW[k] += np.outer(D[:, t], X[t + k])  # δ_t with x_{t+k}
    dW[1:, :, 0] = 0.0
    return dW


def _deltas_u_squared(U, Yhat, Y, W_out):
    return ((Yhat - Y) @ W_out[:, 1:] * (1 - U ** 2)).T


def _deltas_no_fprime(U, Yhat, Y, W_out):
    return ((Yhat - Y) @ W_out[:, 1:]).T


def _deltas_sign(U, Yhat, Y, W_out):
    return ((Y - Yhat) @ W_out[:, 1:] * (1 - np.tanh(U) ** 2)).T


def _deltas_full_W_out(U, Yhat, Y, W_out):
    return (W_out.T @ (Yhat - Y).T) * (1 - np.tanh(U) ** 2).T


def _grad_X_loop(shift, bias=False):
    def grad_X(D, W):
        H, T = D.shape
        K = W.shape[0]
        cols = slice(None) if bias else slice(1, None)
        dX = np.zeros((T, W[0][:, cols].shape[1]))
        for t in range(T):
            for k in range(K):
                s = t + shift * k
                if 0 <= s < T:
                    dX[t] += D[:, s] @ W[k][:, cols]
        return dX

    return grad_X


def _backward_no_out_bias(X, W, W_out, Y):
    g = sol.backward(X, W, W_out, Y)
    U, Z, Yhat = sol.forward(X, W, W_out)
    return {"W": g["W"], "W_out": (Yhat - Y).T @ Z}


def _backward_negated(X, W, W_out, Y):
    return {k: -v for k, v in sol.backward(X, W, W_out, Y).items()}


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("delayed_inputs", "off_by_one"): _window_off_by_one,
    ("delayed_inputs", "K_plus_one_taps"): _window_K_plus_one,
    ("delayed_inputs", "reversed"): _reversed_loop,
    ("delayed_inputs", "wrap_around"): _window_roll,
    ("delayed_inputs", "bias_K_times"): _window_all_ones,
    ("forward", "off_by_one"): _forward_with(_window_off_by_one),
    ("forward", "reversed"): _forward_with(_reversed_loop),
    ("forward", "wrap_around"): _forward_with(_window_roll),
    ("forward", "bias_K_times"): _forward_with(_window_all_ones),
    ("deltas", "f_prime_of_u_as_z"): _deltas_u_squared,
    ("deltas", "f_prime_missing"): _deltas_no_fprime,
    ("deltas", "sign_flipped"): _deltas_sign,
    ("deltas", "bias_column_not_removed"): _deltas_full_W_out,
    ("grad_W", "not_shifted"): _grad_W_unshifted,
    ("grad_W", "shifted_into_future"): _grad_W_future,
    ("grad_W", "reversed"): _grad_W_with(_reversed_loop),
    ("grad_W", "bias_K_times"): _grad_W_with(_window_all_ones),
    ("grad_X", "not_shifted"): _grad_X_loop(0),
    ("grad_X", "shifted_into_past"): _grad_X_loop(-1),
    ("grad_X", "bias_column_kept"): _grad_X_loop(1, bias=True),
    ("backward", "W_out_bias_dropped"): _backward_no_out_bias,
    ("backward", "sign_flipped"): _backward_negated,
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG


class TestFiniteDifferences(FiniteDifferenceContract):
    A = A
    FD_FUNCTIONS = ("deltas", "grad_W", "backward")


class TestSuiteShape:
    def test_points_and_order(self):
        """Six graded functions worth 12 points; as in seed 004 §6.2.1, the exercise follows the Elman and Jordan
        networks and comes before the LSTM."""
        from autograder.suites import ASSIGNMENTS

        suite = get_suite(A)
        assert suite.max_score == 12
        assert ASSIGNMENTS.index("rnn_bptt") < ASSIGNMENTS.index("jordan") < ASSIGNMENTS.index(A) < ASSIGNMENTS.index("lstm")
        assert list(suite.points) == ["delayed_inputs", "forward", "deltas", "grad_W", "grad_X", "backward"]

    def test_sizes_cover_the_edge_cases(self):
        """Among the sizes: T = 1, T < K, K = 1 and H = 1, each with T, d+1, H, H+1, m and K all different."""
        from autograder.suites import tdnn

        dims = [s for _, s, _ in tdnn.sizes()] + [tdnn.FD_SIZE]
        assert any(T == 1 for T, d, H, m, K in dims) and any(T < K for T, d, H, m, K in dims)
        assert any(K == 1 for T, d, H, m, K in dims) and any(H == 1 for T, d, H, m, K in dims)
        for T, d, H, m, K in dims:
            assert len({T, d + 1, H, H + 1, m, K}) == 6, (T, d, H, m, K)

    def test_dead_bias_columns_are_random(self):
        """Column 0 of W_k, k ≥ 1, is nonzero in the forward cases, so that using it costs points."""
        suite = get_suite(A)
        for i, case in suite.for_function("forward"):
            (X, W, W_out), _, _ = case.build(suite.seed, i)
            assert W.shape[0] == 1 or np.all(W[1:, :, 0] != 0)


class TestReadableFeedback:
    def test_wrap_around_named_on_a_visible_case(self):
        """np.roll's wrap-around is named on the visible cases, in both languages."""
        for lang, hint in (("en", "Did you shift with np.roll?"), ("ja", "np.roll でずらしていませんか？")):
            results = run_function(A, "delayed_inputs", _window_roll, lang)
            assert any(r.visible and not r.passed and hint in r.output for r in results)

    def test_one_tap_is_feedforward(self):
        """With K = 1 the window mistakes that only move delayed slots make no difference: those cases pass."""
        suite = get_suite(A)
        passed = {r.name for r in run_function(A, "delayed_inputs", _window_all_ones) if r.passed}
        assert any("K=1" in n for n in passed)
        assert not any("K=1" in n for n in
                       {r.name for r in run_function(A, "delayed_inputs", _window_off_by_one) if r.passed})
        assert suite.points["delayed_inputs"] == 2

    @pytest.mark.parametrize("function", ["grad_W", "grad_X"])
    def test_loops_over_t_pass(self, function):
        """A correct version written with loops over t and k (not the reference's vectorised form) passes."""
        if function == "grad_W":
            def student(D, X, K):
                H, T = D.shape
                dW = np.zeros((K, H, X.shape[1]))
                for k in range(K):
                    for t in range(k, T):
                        x = X[t - k].copy()
                        if k > 0:
                            x[0] = 0.0
                        dW[k] += np.outer(D[:, t], x)
                return dW
        else:
            student = _grad_X_loop(1)
        assert all(r.passed for r in run_function(A, function, student))
