"""attention's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/attention.py.
"""

import numpy as np
import pytest

from autograder.known_mistakes.attention import MISTAKES
from autograder.suites import get_suite

from .known_harness import FiniteDifferenceContract, KnownMistakesContract, load_solution, run_function

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


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def _se_with(squeeze="rows", excite="sigmoid", relu=True, bias=True):
    """Squeeze-and-Excitation as a student writes it, channel by channel."""
    def se_forward(Hbar, W1, W2):
        T, C = Hbar.shape
        if squeeze == "channels":
            s = np.array([Hbar[t].mean() for t in range(T)])  # one value per position
        else:
            s = Hbar.sum(axis=0) if squeeze == "sum" else Hbar.sum(axis=0) / T
        a1 = W1 @ np.r_[1.0, s] if bias else W1 @ s
        q = np.where(a1 > 0, a1, 0.0) if relu else a1
        a2 = W2 @ np.r_[1.0, q] if bias else W2 @ q
        e = np.exp(a2) / np.exp(a2).sum() if excite == "softmax" else _sig(a2)
        Y = np.empty_like(Hbar)
        for c in range(C):
            Y[:, c] = e[c] * Hbar[:, c]
        return Y, s, q, e

    return se_forward


def _se_backward_with(squeeze=True, over_T=True, sigmoid_prime=True, relu_prime=True, bias_column=False):
    """The backward as a student writes it: step by step back from y_t = e ⊙ h̄_t."""
    def se_backward(dY, Hbar, W1, W2, s, q, e):
        T, C = Hbar.shape
        de = np.array([dY[:, c] @ Hbar[:, c] for c in range(C)])
        da2 = de * e * (1 - e) if sigmoid_prime else de
        dW2 = np.outer(da2, np.r_[1.0, q])
        dq = W2.T @ da2 if bias_column else W2[:, 1:].T @ da2
        da1 = dq * (q > 0) if relu_prime else dq
        dW1 = np.outer(da1, np.r_[1.0, s])
        ds = W1.T @ da1 if bias_column else W1[:, 1:].T @ da1
        dHbar = np.zeros((T, C))
        for t in range(T):
            dHbar[t] = e * dY[t]
            if squeeze:
                dHbar[t] = dHbar[t] + (ds / T if over_T else ds)
        return dHbar, dW1, dW2

    return se_backward


def _se_backward_bias_in_s_path(dY, Hbar, W1, W2, s, q, e):
    """Bias column kept only on the way back through W_1: ∂E/∂s has C+1 entries."""
    de = np.sum(dY * Hbar, axis=0)
    da2 = de * e * (1 - e)
    da1 = (W2[:, 1:].T @ da2) * (q > 0)
    ds = W1.T @ da1
    return dY * e + ds / len(Hbar), np.outer(da1, np.r_[1.0, s]), np.outer(da2, np.r_[1.0, q])


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
    ("se_forward", "squeeze_over_channels"): _se_with(squeeze="channels"),
    ("se_forward", "sum_instead_of_mean"): _se_with(squeeze="sum"),
    ("se_forward", "softmax_excitation"): _se_with(excite="softmax"),
    ("se_forward", "relu_missing"): _se_with(relu=False),
    ("se_forward", "bias_missing"): _se_with(bias=False),
    ("se_backward", "squeeze_path_dropped"): _se_backward_with(squeeze=False),
    ("se_backward", "squeeze_not_divided_by_T"): _se_backward_with(over_T=False),
    ("se_backward", "sigmoid_derivative_missing"): _se_backward_with(sigmoid_prime=False),
    ("se_backward", "relu_derivative_missing"): _se_backward_with(relu_prime=False),
    ("se_backward", "bias_column_kept"): _se_backward_with(bias_column=True),
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG

    def test_loops_pass_like_the_vectorized_solution(self):
        """The student-style loop versions, with no mistake, earn full marks (the variants' loops are sound)."""
        suite = get_suite(A)
        for function, right in (("dot_attention_backward", _dot_backward_with()),
                                ("additive_attention_forward", _additive_with()),
                                ("additive_attention_backward", _additive_backward_with()),
                                ("se_forward", _se_with()), ("se_backward", _se_backward_with())):
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

    def test_se_sizes(self):
        """Every (T, C, r) has r < C, C ≠ r+1 and T ∉ {C−1, C, C+1, r, r+1}; T = 1 and r = 1 occur."""
        from autograder.suites import attention as suite

        sizes = suite.SE_SIZES_VISIBLE + suite.SE_SIZES_HIDDEN + [suite.SE_FD_DIMS]
        for T, C, r in sizes:
            assert 1 <= r < C and C != r + 1 and T not in (C - 1, C, C + 1, r, r + 1), (T, C, r)
        assert any(T == 1 for T, _, _ in sizes) and any(r == 1 for _, _, r in sizes)


class TestSqueezeExcitationMistakes:
    def test_bias_column_kept_on_either_way_back(self):
        """The bias column kept only in W_1's way back (∂E/∂s with C+1 entries) is named as well as in W_2's."""
        m = next(m for m in MISTAKES["se_backward"] if m.name == "bias_column_kept")
        results = run_function(A, "se_backward", _se_backward_bias_in_s_path)
        assert results and all(r.status == "error" and r.output.endswith(m.hint_en) for r in results), \
            [r.output for r in results]

    def test_every_case_has_relu_inputs_of_both_signs_or_r_1(self):
        """With r ≥ 2 some relu inputs a_1 = W_1 [1; s] are negative and some positive (relu and relu′ matter);
        with r = 1 the one input is positive (the path through the squeeze is open); all at least 0.4 from 0."""
        suite = get_suite(A)
        for function in ("se_forward", "se_backward"):
            for i, case in suite.for_function(function):
                args, _, _ = case.build(suite.seed, i)
                Hbar, W1 = (args[0], args[1]) if function == "se_forward" else (args[1], args[2])
                a1 = W1 @ np.r_[1.0, Hbar.mean(axis=0)]
                assert np.abs(a1).min() >= 0.4, case.name
                assert (a1 > 0).any() and ((a1 < 0).any() or len(a1) == 1), case.name

    def test_unrelated_error_names_nothing(self):
        """An exception unrelated to the shapes (a student's own ValueError) names no mistake of se_forward."""
        def broken(Hbar, W1, W2):
            raise ValueError("something else went wrong")

        hints = [m.hint_en for m in MISTAKES["se_forward"]]
        results = run_function(A, "se_forward", broken)
        assert results and all(r.status == "error" and not any(h in r.output for h in hints) for r in results)


class TestFiniteDifferenceCases(FiniteDifferenceContract):
    A, FD_FUNCTIONS = A, ["dot_attention_backward", "additive_attention_backward", "se_backward"]


def _rows(E, shift):
    e = np.exp(E - shift(E))
    return e / e.sum(axis=1, keepdims=True)


SHIFTS = {"none": lambda E: 0.0, "global max": lambda E: E.max(), "row min": lambda E: E.min(axis=1, keepdims=True),
          "row sum": lambda E: E.sum(axis=1, keepdims=True)}


class TestSoftmaxBlindSpot:
    """Before the rows-apart cases (scores in the hundreds and thousands), any softmax shift kept full marks."""

    @pytest.mark.parametrize("shift", list(SHIFTS))
    def test_other_shifts_lose_points(self, shift):
        """A softmax without the shift, or shifted by the max of all rows, a row's min or sum, loses points (dot and
        additive), on the rows-apart cases."""

        def dot(Hdec, Hbar):
            alpha = _rows(Hdec @ Hbar.T, SHIFTS[shift])
            return alpha @ Hbar, alpha

        def additive(Hdec, Hbar, P):
            Q = np.tanh((Hdec @ P["W_a"].T)[:, None, :] + (Hbar @ P["U_a"].T)[None, :, :])
            alpha = _rows(Q @ P["v"], SHIFTS[shift])
            return alpha @ Hbar, alpha, Q

        for function, func in (("dot_attention_forward", dot), ("additive_attention_forward", additive)):
            results = run_function(A, function, func)
            assert any(not r.passed and "rows apart" in r.name for r in results), function

    def test_einsum_forms_keep_full_marks(self):
        """Both forwards written with np.einsum and each row's own max shift earn every point."""
        own = lambda E: E.max(axis=1, keepdims=True)  # noqa: E731

        def dot(Hdec, Hbar):
            alpha = _rows(np.einsum("th,sh->ts", Hdec, Hbar), own)
            return np.einsum("ts,sh->th", alpha, Hbar), alpha

        def additive(Hdec, Hbar, P):
            Q = np.tanh(np.einsum("ah,th->ta", P["W_a"], Hdec)[:, None] + np.einsum("ah,sh->sa", P["U_a"], Hbar)[None])
            alpha = _rows(np.einsum("tsa,a->ts", Q, P["v"]), own)
            return np.einsum("ts,sh->th", alpha, Hbar), alpha, Q

        points = get_suite(A).points
        for function, func in (("dot_attention_forward", dot), ("additive_attention_forward", additive)):
            assert sum(r.score for r in run_function(A, function, func)) == pytest.approx(points[function]), function
