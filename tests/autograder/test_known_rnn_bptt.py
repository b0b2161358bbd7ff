"""rnn_bptt's typical mistakes: each, written as a student would, loses points and is named (en and ja); the blind spots (softmax shifts, 0 · log 0, Adam's ε) closed.

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/rnn_bptt.py (moved here from tests/autograder/test_mistakes.py with the mistakes).
"""

import re

import numpy as np
import pytest

from autograder.known_mistakes.rnn_bptt import MISTAKES
from autograder.suites import get_suite

from .known_harness import KnownMistakesContract, load_solution, run_function

A = "rnn_bptt"
rnn = load_solution(A)


def _forward_no_shift(X, W_in, W, W_out, task="regression"):
    U, Z, Yhat = rnn.forward(X, W_in, W, W_out, "regression")
    if task == "classification":
        return U, Z, np.exp(Yhat) / np.sum(np.exp(Yhat), axis=1, keepdims=True)
    return U, Z, Yhat


def _forward_bias_in_Z(X, W_in, W, W_out, task="regression"):
    U, Z, Yhat = rnn.forward(X, W_in, W, W_out, task)
    return U, np.hstack([np.ones((Z.shape[0], 1)), Z]), Yhat


def _forward_no_out_bias(X, W_in, W, W_out, task="regression"):
    W_out0 = W_out.copy()
    W_out0[:, 0] = 0.0
    return rnn.forward(X, W_in, W, W_out0, task)


def _loss_mean(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-np.mean(Y * np.log(Yhat)))
    return float(0.5 * np.mean((Y - Yhat) ** 2))


def _loss_mean_time(Yhat, Y, task="regression"):
    return rnn.loss(Yhat, Y, task) / len(Y)


def _loss_no_half(Yhat, Y, task="regression"):
    if task == "classification":
        return rnn.loss(Yhat, Y, task)
    return float(np.sum((Y - Yhat) ** 2))


def _loss_plus(Yhat, Y, task="regression"):
    E = rnn.loss(Yhat, Y, task)
    return -E if task == "classification" else E


def _student_deltas(transpose=True, recurrent=True, fprime="tanh", bias="first", sign=1.0):
    def deltas(U, Yhat, Y, W, W_out):
        T, H = U.shape
        W_out_tilde = {"first": W_out[:, 1:], "last": W_out[:, :-1], "kept": W_out}[bias]
        D = np.zeros((H, T))
        delta = np.zeros(H)
        for t in reversed(range(T)):
            back = (W.T if transpose else W) @ delta if recurrent else 0.0
            dz = back + W_out_tilde.T @ (sign * (Yhat[t] - Y[t]))
            if fprime == "tanh":
                d = 1 - np.tanh(U[t]) ** 2
            elif fprime == "u":
                d = 1 - U[t] ** 2
            elif fprime == "z":
                z = np.tanh(U[t])
                d = 1 - np.tanh(z) ** 2
            else:
                d = 1.0
            delta = dz * d
            D[:, t] = delta
        return D

    return deltas


def _deltas_m2o_every_step(U, yhat_T, y_T, W, W_out):
    T = U.shape[0]
    return rnn.deltas(U, np.tile(yhat_T, (T, 1)), np.tile(y_T, (T, 1)), W, W_out)


def _deltas_m2o_W(U, yhat_T, y_T, W, W_out):
    return rnn.deltas_many_to_one(U, yhat_T, y_T, W.T, W_out)


def _softmax_shifted(shift):
    """forward with the softmax shifted by shift(V) instead of each row's own maximum."""

    def forward(X, W_in, W, W_out, task="regression"):
        U, Z, V = rnn.forward(X, W_in, W, W_out, "regression")
        if task != "classification":
            return U, Z, V
        e = np.exp(V - shift(V))
        return U, Z, e / e.sum(axis=1, keepdims=True)

    return forward


def _loss_log_everywhere(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-(Y * np.log(Yhat)).sum())
    return rnn.loss(Yhat, Y, task)


def student_adam(correct_m=True, correct_v=True, where_eps="outside", t_first=1, swap=False, square=True):
    """Adam as a student writes it, state kept as a (t, m, v) tuple: with the bias corrections of m and v (or not),
    ε outside the root, inside it ("inside") or the paper's efficient form ("efficient"), the first step's t
    (t_first: 2 when t starts at 1 and is incremented before use twice, 0 when it is used before the increment),
    β₁ and β₂ swapped, v averaging g instead of g²."""

    def adam_step(params, grads, state=None, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        if swap:
            beta1, beta2 = beta2, beta1
        t, m, v = (t_first - 1, {k: 0.0 for k in params}, {k: 0.0 for k in params}) if state is None else state
        t = t + 1
        new, m2, v2 = {}, {}, {}
        for k in params:
            g = grads[k]
            m2[k] = beta1 * m[k] + (1 - beta1) * g
            v2[k] = beta2 * v[k] + (1 - beta2) * (g * g if square else g)
            if where_eps == "efficient":
                step = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
                new[k] = params[k] - step * m2[k] / (np.sqrt(v2[k]) + eps)
                continue
            mh = m2[k] / (1 - beta1 ** t) if correct_m else m2[k]
            vh = v2[k] / (1 - beta2 ** t) if correct_v else v2[k]
            denom = np.sqrt(vh + eps) if where_eps == "inside" else np.sqrt(vh) + eps
            new[k] = params[k] - lr * mh / denom
        return new, (t, m2, v2)

    return adam_step


#: adam_step's mistakes (shared by rnn_bptt and classify) -> what a student with that mistake hands in
ADAM_WRONG = {
    "no_bias_correction": student_adam(correct_m=False, correct_v=False),
    "only_m_corrected": student_adam(correct_v=False),
    "only_v_corrected": student_adam(correct_m=False),
    "eps_inside_sqrt": student_adam(where_eps="inside"),
    "efficient_form": student_adam(where_eps="efficient"),
    "t_from_2": student_adam(t_first=2),
    "t_used_before_increment": student_adam(t_first=0),
    "betas_swapped": student_adam(swap=True),
    "v_not_squared": student_adam(square=False),
}


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("forward", "softmax_without_max_shift"): _forward_no_shift,
    ("forward", "bias_in_Z"): _forward_bias_in_Z,
    ("forward", "output_bias_omitted"): _forward_no_out_bias,
    ("loss", "mean_instead_of_sum"): _loss_mean,
    ("loss", "mean_over_time"): _loss_mean_time,
    ("loss", "half_missing"): _loss_no_half,
    ("loss", "cross_entropy_sign"): _loss_plus,
    ("deltas", "W_not_transposed"): _student_deltas(transpose=False),
    ("deltas", "recurrent_term_dropped"): _student_deltas(recurrent=False),
    ("deltas", "f_prime_of_u_as_z"): _student_deltas(fprime="u"),
    ("deltas", "f_prime_at_z"): _student_deltas(fprime="z"),
    ("deltas", "f_prime_missing"): _student_deltas(fprime="none"),
    ("deltas", "bias_column_last"): _student_deltas(bias="last"),
    ("deltas", "sign_flipped"): _student_deltas(sign=-1.0),
    ("deltas", "bias_column_not_removed"): _student_deltas(bias="kept"),
    ("grad_W_in", "transposed"): lambda D, X: X.T @ D.T,
    ("grad_W_in", "bias_column_dropped"): lambda D, X: D @ X[:, 1:],
    ("grad_W", "Z_instead_of_Z_tilde"): lambda D, Z: D @ Z,
    ("grad_W", "transposed"): lambda D, Z: rnn.grad_W(D, Z).T,
    ("grad_W_out", "bias_column_dropped"): lambda Yhat, Y, Z: (Yhat - Y).T @ Z,
    ("grad_W_out", "sign_flipped"): lambda Yhat, Y, Z: rnn.grad_W_out(Y, Yhat, Z),
    ("grad_W_out", "bias_column_last"):
        lambda Yhat, Y, Z: (Yhat - Y).T @ np.column_stack([Z, np.ones(len(Z))]),
    ("deltas_many_to_one", "error_at_every_step"): _deltas_m2o_every_step,
    ("deltas_many_to_one", "W_not_transposed"): _deltas_m2o_W,
    ("grad_W_out_many_to_one", "bias_column_dropped"): lambda yhat_T, y_T, z_T: np.outer(yhat_T - y_T, z_T),
    ("grad_W_out_many_to_one", "sign_flipped"): lambda yhat_T, y_T, z_T: rnn.grad_W_out_many_to_one(y_T, yhat_T, z_T),
    ("sgd_step", "ascent"): lambda params, grads, lr: rnn.sgd_step(params, grads, -lr),

    ("forward", "softmax_global_max"): _softmax_shifted(lambda V: V.max()),
    ("forward", "softmax_min_shift"): _softmax_shifted(lambda V: V.min(axis=1, keepdims=True)),
    ("loss", "log_of_zero"): _loss_log_everywhere,
    **{("adam_step", name): wrong for name, wrong in ADAM_WRONG.items()},
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG
    MISTAKES_PER_FUNCTION = (1, 9)  # sgd_step has one (ascent); adam_step nine


class TestMessages:
    def test_w_for_wt_follows_the_template(self):
        """deltas with W for Wᵀ reads: the first wrong δ_t, the error, then the question (en and ja)."""
        en = [r.output for r in run_function(A, "deltas", WRONG[("deltas", "W_not_transposed")], "en") if not r.passed]
        ja = [r.output for r in run_function(A, "deltas", WRONG[("deltas", "W_not_transposed")], "ja") if not r.passed]
        assert en and re.match(r"^deltas: δ_\d disagrees with the reference \(max rel\. error \d\.\de[+-]\d\d at entry "
                               r"\d\)\. Did you use W instead of Wᵀ in the δ recursion\?", en[0]), en[0]
        assert ja and re.match(r"^deltas: δ_\d が参照解と一致しません（最大相対誤差 \d\.\de[+-]\d\d、要素 \d）。"
                               r"δ の漸化式で Wᵀ の代わりに W を使っていませんか？", ja[0]), ja[0]


class TestSoftmaxShift:
    """Blind spot closed: a softmax shifted by anything but each row's own maximum loses points."""

    @pytest.mark.parametrize("shift", [lambda V: V.max(), lambda V: V.min(axis=1, keepdims=True),
                                       lambda V: V.sum(axis=1, keepdims=True), lambda V: np.median(V)],
                             ids=["global max", "row min", "row sum", "global median"])
    def test_other_shifts_lose_points(self, shift):
        """A shift by the global maximum, a row's minimum or sum, or any constant fails the rows-apart cases."""
        results = run_function(A, "forward", _softmax_shifted(shift))
        failed = [r for r in results if not r.passed]
        assert sum(r.score for r in results) < get_suite(A).points["forward"]
        assert any("rows apart" in r.name for r in failed), [r.name for r in failed]

    def test_each_rows_own_max_keeps_full_marks(self):
        """The row's own max shift, written with a loop over the rows, keeps every point."""

        def forward(X, W_in, W, W_out, task="regression"):
            U, Z, V = rnn.forward(X, W_in, W, W_out, "regression")
            if task != "classification":
                return U, Z, V
            Yhat = np.empty_like(V)
            for t, v in enumerate(V):
                e = np.exp(v - v.max())
                Yhat[t] = e / e.sum()
            return U, Z, Yhat

        assert sum(r.score for r in run_function(A, "forward", forward)) == pytest.approx(get_suite(A).points["forward"])


class TestLogOfZero:
    def test_log_everywhere_loses_points_and_is_named(self):
        """−Σ y log ŷ over every entry gives nan where ŷ = 0 = y: it loses points, and the feedback says 0 · log 0."""
        results = run_function(A, "loss", _loss_log_everywhere)
        failed = [r for r in results if not r.passed]
        assert failed and all("ŷ_tk = 0 where y_tk = 0" in r.name and "0 · log 0" in r.output for r in failed)

    def test_where_and_errstate_keep_full_marks(self):
        """np.where around the log (another correct form) keeps every point."""

        def loss(Yhat, Y, task="regression"):
            if task == "regression":
                return float(0.5 * np.sum((Y - Yhat) ** 2))
            with np.errstate(divide="ignore"):
                return float(-np.sum(np.where(Y > 0, Y * np.log(Yhat), 0.0)))

        assert sum(r.score for r in run_function(A, "loss", loss)) == pytest.approx(get_suite(A).points["loss"])


class TestAdamVariants:
    def test_each_variant_named_only_as_itself(self):
        """Each Adam variant is named by its own hint and by no other variant's, on every case it fails."""
        hints = {m.name: m.hint_en for m in MISTAKES["adam_step"]}
        for name, wrong in ADAM_WRONG.items():
            failed = [r for r in run_function(A, "adam_step", wrong) if not r.passed]
            assert failed, name
            for r in failed:
                assert r.output.endswith(hints[name]), (name, r.output)
                assert not any(h in r.output for n, h in hints.items() if n != name), (name, r.output)

    def test_large_eps_case_separates_eps_placements(self):
        """ε inside the root and the efficient form fail the ε = 0.05 cases (not only the tiny-ε ones)."""
        for name in ("eps_inside_sqrt", "efficient_form"):
            failed = [r.name for r in run_function(A, "adam_step", ADAM_WRONG[name]) if not r.passed]
            assert any("ε = 0.05" in n for n in failed), (name, failed)

    def test_unknown_mistake_gets_the_step_by_step_hint(self):
        """A wrong Adam that is no known mistake (lr halved) is not told to bias-correct: it gets the ordered check."""
        right = student_adam()

        def adam_step(params, grads, state=None, lr=1e-3, **kw):
            return right(params, grads, state, lr=lr / 2, **kw)

        failed = [r.output for r in run_function(A, "adam_step", adam_step) if not r.passed]
        assert failed and all("t ← t + 1 first" in o and "Did you" not in o for o in failed), failed

    def test_loop_and_vectorised_forms_keep_full_marks(self):
        """The student's (t, m, v)-tuple Adam and the reference's dict form both earn every point."""
        for adam_step in (student_adam(), rnn.adam_step):
            assert sum(r.score for r in run_function(A, "adam_step", adam_step)) == pytest.approx(2.0)


class TestHardForms:
    def test_vectorised_and_einsum_forms_keep_full_marks(self):
        """forward with np.einsum, deltas with the recursion on rows, the gradients as einsum products earn every point."""

        def forward(X, W_in, W, W_out, task="regression"):
            T, H = X.shape[0], W.shape[0]
            U, Z, z = np.zeros((T, H)), np.zeros((T, H)), np.zeros(H)
            A_in = np.einsum("hd,td->th", W_in, X)  # every W_in x_t at once
            for t in range(T):
                U[t] = A_in[t] + np.einsum("hk,k->h", W, z)
                z = Z[t] = np.tanh(U[t])
            V = np.einsum("mh,th->tm", W_out, np.column_stack([np.ones(T), Z]))
            if task == "classification":
                V = np.exp(V - V.max(axis=1, keepdims=True))
                V = V / V.sum(axis=1, keepdims=True)
            return U, Z, V

        def deltas(U, Yhat, Y, W, W_out):
            E = (Yhat - Y) @ W_out[:, 1:]  # row t: W̃_outᵀ (ŷ_t − y_t)
            rows = np.zeros_like(U)
            nxt = np.zeros(U.shape[1])
            for t in range(U.shape[0] - 1, -1, -1):
                nxt = rows[t] = (nxt @ W + E[t]) * (1 - np.tanh(U[t]) ** 2)
            return rows.T

        forms = {"forward": forward, "deltas": deltas,
                 "grad_W_in": lambda D, X: np.einsum("ht,td->hd", D, X),
                 "grad_W": lambda D, Z: np.einsum("ht,tk->hk", D[:, 1:], Z[:-1]),
                 "grad_W_out": lambda Yhat, Y, Z: np.einsum("tm,th->mh", Yhat - Y, np.column_stack([np.ones(len(Z)), Z]))}
        points = get_suite(A).points
        for function, func in forms.items():
            assert sum(r.score for r in run_function(A, function, func)) == pytest.approx(points[function]), function
