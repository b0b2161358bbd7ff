"""jordan's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/jordan.py.
"""

import numpy as np

from autograder.cases import run_in_process
from autograder.known_mistakes.jordan import MISTAKES
from autograder.suites import get_suite

from .known_harness import FiniteDifferenceContract, KnownMistakesContract, load_solution, run_function

A = "jordan"
sol = load_solution(A)


# ---------------------------------------------------------------------------------------------
# forward


def _forward_elman_feedback(X, W_in, W_y, W_out):
    """An Elman network's loop with the feedback matrix renamed: W_y z_{t−1}."""
    T, H = X.shape[0], W_in.shape[0]
    U, Z = np.zeros((T, H)), np.zeros((T, H))
    z = np.zeros(H)
    for t in range(T):
        U[t] = W_in @ X[t] + W_y @ z
        z = Z[t] = np.tanh(U[t])
    return U, Z, Z @ W_out[:, 1:].T + W_out[:, 0]


def _forward_reads_yhat_t(X, W_in, W_y, W_out):
    """Yhat[t] is read before it is written: it is still the zeros it was made with."""
    T, H, m = X.shape[0], W_in.shape[0], W_out.shape[0]
    U, Z, Yhat = np.zeros((T, H)), np.zeros((T, H)), np.zeros((T, m))
    for t in range(T):
        U[t] = W_in @ X[t] + W_y @ Yhat[t]
        Z[t] = np.tanh(U[t])
        Yhat[t] = W_out @ np.r_[1.0, Z[t]]
    return U, Z, Yhat


def _forward_yhat0_from_z0(X, W_in, W_y, W_out):
    """ŷ_{t−1} recomputed from z_{t−1} each step, with z_0 = 0 giving ŷ_0 = the output bias."""
    T, H = X.shape[0], W_in.shape[0]
    U, Z, out = np.zeros((T, H)), np.zeros((T, H)), []
    z = np.zeros(H)
    for t in range(T):
        U[t] = W_in @ X[t] + W_y @ (W_out @ np.r_[1.0, z])
        z = Z[t] = np.tanh(U[t])
        out.append(W_out @ np.r_[1.0, z])
    return U, Z, np.array(out)


# ---------------------------------------------------------------------------------------------
# deltas


def _deltas_with(step):
    """The backward loop, δ^out_t and δ_t from step(t, δ_{t+1}) -> (δ^out_t, δ_t)."""

    def deltas(U, Yhat, Y, W_y, W_out):
        T, H = U.shape
        outs, ds = [None] * T, [None] * T
        nxt = np.zeros(H)
        for t in reversed(range(T)):
            outs[t], ds[t] = step(U[t], Yhat[t] - Y[t], nxt, W_y, W_out)
            nxt = ds[t]
        return np.array(outs).T, np.array(ds).T

    return deltas


def _fprime(u):
    return 1 - np.tanh(u) ** 2


def _step_W_y(u, err, nxt, W_y, W_out):
    e = err + W_y @ nxt
    return e, W_out[:, 1:].T @ e * _fprime(u)


def _step_feed_forward(u, err, nxt, W_y, W_out):
    return err, W_out[:, 1:].T @ err * _fprime(u)


def _step_report_direct(u, err, nxt, W_y, W_out):
    return err, W_out[:, 1:].T @ (err + W_y.T @ nxt) * _fprime(u)


def _step_full_W_out(u, err, nxt, W_y, W_out):
    e = err + W_y.T @ nxt
    return e, W_out.T @ e * _fprime(u)


def _step_last_column(u, err, nxt, W_y, W_out):
    e = err + W_y.T @ nxt
    return e, W_out[:, :-1].T @ e * _fprime(u)


# ---------------------------------------------------------------------------------------------
# gradients


def _gradients_with(W_y_of=None, W_out_of=None):
    def gradients(X, Yhat, Z, D_out, D):
        g = dict(sol.gradients(X, Yhat, Z, D_out, D))
        if W_y_of is not None:
            g["W_y"] = W_y_of(Yhat, Z, D)
        if W_out_of is not None:
            g["W_out"] = W_out_of(Z, D_out)
        return g

    return gradients


def _down(A):
    return np.concatenate([np.zeros_like(A[:1]), A[:-1]])


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("forward", "feedback_from_z"): _forward_elman_feedback,
    ("forward", "feedback_missing"): _forward_reads_yhat_t,
    ("forward", "yhat0_not_zero"): _forward_yhat0_from_z0,
    ("loss", "mean_instead_of_sum"): lambda Yhat, Y: float(np.mean((Yhat - Y) ** 2) / 2),
    ("loss", "mean_over_time"): lambda Yhat, Y: float(((Yhat - Y) ** 2).sum(axis=1).mean() / 2),
    ("loss", "half_missing"): lambda Yhat, Y: float(((Yhat - Y) ** 2).sum()),
    ("deltas", "W_y_not_transposed"): _deltas_with(_step_W_y),
    ("deltas", "feedback_term_dropped"): _deltas_with(_step_feed_forward),
    ("deltas", "D_out_without_feedback"): _deltas_with(_step_report_direct),
    ("deltas", "bias_column_kept"): _deltas_with(_step_full_W_out),
    ("deltas", "bias_column_last"): _deltas_with(_step_last_column),
    ("gradients", "Yhat_not_shifted"): _gradients_with(W_y_of=lambda Yhat, Z, D: D @ Yhat),
    ("gradients", "Z_tilde_for_W_y"): _gradients_with(W_y_of=lambda Yhat, Z, D: D @ _down(Z)),
    ("gradients", "W_y_transposed"): _gradients_with(W_y_of=lambda Yhat, Z, D: _down(Yhat).T @ D.T),
    ("gradients", "bias_column_dropped"): _gradients_with(W_out_of=lambda Z, D_out: D_out @ Z),
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG

    def test_errors_are_named_on_every_case(self):
        """The three mistakes numpy refuses (W_y z_{t−1}, W_y δ_{t+1}, W_outᵀ δ^out_t) are named on every case, the
        H = 1 and T = 1 ones included."""
        for function, name in (("forward", "feedback_from_z"), ("deltas", "W_y_not_transposed"),
                               ("deltas", "bias_column_kept")):
            hint = next(m.hint_en for m in MISTAKES[function] if m.name == name)
            results = run_function(A, function, WRONG[(function, name)])
            assert results and all(r.status == "error" and r.output.endswith(hint) for r in results), \
                [r.output for r in results]

    def test_other_errors_are_not_named(self):
        """An unrelated exception in deltas (an IndexError) names none of its mistakes."""

        def deltas(U, Yhat, Y, W_y, W_out):
            return U[U.shape[0]]

        hints = [m.hint_en for m in MISTAKES["deltas"]]
        results = run_function(A, "deltas", deltas)
        assert results and not any(h in r.output for r in results for h in hints)

    def test_unknown_wrong_result_keeps_the_suite_hint(self):
        """D scaled by 1.1 is no known mistake: the ordinary δ hint is given, no mistake named."""

        def deltas(U, Yhat, Y, W_y, W_out):
            D_out, D = sol.deltas(U, Yhat, Y, W_y, W_out)
            return D_out, 1.1 * D

        hints = [m.hint_en for m in MISTAKES["deltas"]]
        failed = [r.output for r in run_function(A, "deltas", deltas) if not r.passed]
        assert failed and not any(h in o for o in failed for h in hints)
        assert all("δ^out_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1}" in o for o in failed), failed


class TestFiniteDifferenceCases(FiniteDifferenceContract):
    A, FD_FUNCTIONS = A, ["deltas", "gradients"]

    def test_feedback_term_dropped_fails_against_central_differences(self):
        """The feed-forward δ's fail the finite-difference case: ∂E/∂W_in computed from D disagrees."""
        suite = get_suite(A)
        (i, case), = [(i, c) for i, c in suite.for_function("deltas") if c.compare == "gradcheck"]
        r = run_in_process(case, WRONG[("deltas", "feedback_term_dropped")], suite.seed, i)
        assert r.status == "failed" and "∂E/∂W_in computed from your D_out, D disagrees with central differences" \
            in r.output, r.output
