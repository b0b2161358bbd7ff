"""The typical mistakes of the jordan exercise (see autograder/mistakes.py for how they are matched).

Two of them show only as numpy's complaint, never as a result: the suite's sizes keep H, H+1 and m
apart, so W_y z_{t−1}, W_y δ_{t+1} (W_y is (H, m)) and W_outᵀ δ^out_t ((H+1,) against (H,)) cannot run.
"""

from __future__ import annotations

import re

import numpy as np

from ..mistakes import Mistake


def _tanh_prime(u):
    return 1.0 - np.tanh(u) ** 2


def _forward(feedback=True, yhat0_bias=False):
    def forward(X, W_in, W_y, W_out):
        T, H, m = X.shape[0], W_in.shape[0], W_out.shape[0]
        U, Z, Yhat = np.zeros((T, H)), np.zeros((T, H)), np.zeros((T, m))
        yhat = W_out[:, 0].copy() if yhat0_bias else np.zeros(m)
        for t in range(T):
            U[t] = W_in @ X[t] + (W_y @ yhat if feedback else 0.0)
            Z[t] = np.tanh(U[t])
            yhat = W_out[:, 1:] @ Z[t] + W_out[:, 0]
            Yhat[t] = yhat
        return U, Z, Yhat

    return forward


def _deltas(feedback=True, report_direct=False, tilde=lambda W_out: W_out[:, 1:]):
    def deltas(U, Yhat, Y, W_y, W_out):
        T, H = U.shape
        W_t = tilde(W_out)
        D_out, D = np.zeros((Yhat.shape[1], T)), np.zeros((H, T))
        nxt = np.zeros(H)
        for t in range(T - 1, -1, -1):
            e = Yhat[t] - Y[t] + (W_y.T @ nxt if feedback else 0.0)
            D_out[:, t] = Yhat[t] - Y[t] if report_direct else e
            D[:, t] = (W_t.T @ e) * _tanh_prime(U[t])
            nxt = D[:, t]
        return D_out, D

    return deltas


def _shifted(A):
    """(0, a_1, …, a_{T−1}) as rows: A's rows moved down one step, zeros first."""
    return np.vstack([np.zeros((1, A.shape[1])), A[:-1]])


def _gradients(W_y_from="Yhat_tilde", transpose_W_y=False, out_bias=True):
    def gradients(X, Yhat, Z, D_out, D):
        fed = {"Yhat_tilde": _shifted(Yhat), "Yhat": Yhat, "Z_tilde": _shifted(Z)}[W_y_from]
        dW_y = D @ fed
        Z1 = np.hstack([np.ones((Z.shape[0], 1)), Z]) if out_bias else Z
        return {"W_in": D @ X, "W_y": dW_y.T if transpose_W_y else dW_y, "W_out": D_out @ Z1}

    return gradients


def _H_against_m(H, m, message):
    """numpy's complaint about W_y (H, m) times an H-vector: matmul's 'size H is different from m', np.dot's
    'shapes (H,m) and (H,) not aligned'."""
    return bool(re.search(rf"size {H} is different from {m}\b", message)
                or re.search(rf"\({H},\s*{m}\) and \({H},\)", message))


def _feedback_from_z_error(args, kwargs, message):
    """forward(X, W_in, W_y, W_out): W_y z_{t−1} with z_{t−1} (H,) where ŷ_{t−1} (m,) belongs."""
    return _H_against_m(args[1].shape[0], args[3].shape[0], message)


def _W_y_not_transposed_error(args, kwargs, message):
    """deltas(U, Yhat, Y, W_y, W_out): W_y δ_{t+1} with δ_{t+1} (H,) where W_yᵀ δ_{t+1} belongs."""
    return _H_against_m(args[0].shape[1], args[1].shape[1], message)


def _shapes_in(message):
    return [tuple(int(n) for n in re.findall(r"\d+", s)) for s in re.findall(r"\((\d+(?:,\s*\d*)*)\)", message)]


def _bias_column_kept_error(args, kwargs, message):
    """deltas: W_outᵀ δ^out_t has H+1 entries where f′(u_t) and δ_t have H."""
    H = args[0].shape[1]
    firsts = {s[0] for s in _shapes_in(message) if s}
    if H in firsts and H + 1 in firsts:
        return True
    return bool(re.search(rf"size {H + 1} is different from {H}\b|size {H} is different from {H + 1}\b", message))


MISTAKES = {
    "forward": (
        Mistake("feedback_from_z",
                "Did you feed back z_{t−1} as in the Elman network? The Jordan network feeds back the previous "
                "output: u_t = W_in x_t + W_y ŷ_{t−1}, and W_y is (H, m) because ŷ_{t−1} has m entries.",
                "Elman ネットワークのように z_{t−1} を戻していませんか？Jordan ネットワークが戻すのは一つ前の出力で、"
                "u_t = W_in x_t + W_y ŷ_{t−1} です。ŷ_{t−1} は m 個の要素を持つので W_y は (H, m) です。",
                error=_feedback_from_z_error),
        Mistake("feedback_missing",
                "Did you feed back Yhat[t] before computing it (still 0), or leave W_y ŷ_{t−1} out? u_t needs the "
                "output of the previous step: keep ŷ_{t−1} from the last iteration (ŷ_0 = 0).",
                "まだ計算していない Yhat[t]（0 のまま）を戻したり、W_y ŷ_{t−1} を落としたりしていませんか？"
                "u_t には一つ前の時刻の出力が要ります。前の繰り返しの ŷ_{t−1} を取っておいてください（ŷ_0 = 0）。",
                _forward(feedback=False)),
        Mistake("yhat0_not_zero",
                "Did you start from ŷ_0 = W_out [1; 0], the output of z_0 = 0? Nothing is fed back into the first "
                "step: ŷ_0 = 0, so u_1 = W_in x_1.",
                "z_0 = 0 から出力 ŷ_0 = W_out [1; 0] を作っていませんか？最初の時刻には何も戻らないので ŷ_0 = 0、"
                "u_1 = W_in x_1 です。",
                _forward(yhat0_bias=True)),
    ),
    "loss": (
        Mistake("mean_instead_of_sum",
                "Did you take a mean instead of a sum? E = ½ Σ_t ‖y_t − ŷ_t‖² sums over the steps and the outputs, "
                "without dividing.",
                "和ではなく平均を取っていませんか？E = ½ Σ_t ‖y_t − ŷ_t‖² は時刻と出力について足し合わせるだけで、割りません。",
                lambda Yhat, Y: float(0.5 * np.mean((Y - Yhat) ** 2))),
        Mistake("mean_over_time",
                "Did you divide by T? E = Σ_t E_t is a sum over the steps, not a mean.",
                "T で割っていませんか？E = Σ_t E_t は時刻についての和で、平均ではありません。",
                lambda Yhat, Y: float(0.5 * np.sum((Y - Yhat) ** 2) / Y.shape[0])),
        Mistake("half_missing",
                "Did you forget the ½? The squared error is E = ½ Σ_t ‖y_t − ŷ_t‖².",
                "½ を忘れていませんか？二乗誤差は E = ½ Σ_t ‖y_t − ŷ_t‖² です。",
                lambda Yhat, Y: float(np.sum((Y - Yhat) ** 2))),
    ),
    "deltas": (
        Mistake("W_y_not_transposed",
                "Did you use W_y instead of W_yᵀ? The error goes back along u_{t+1} = … + W_y ŷ_t: "
                "δ^out_t receives W_yᵀ δ_{t+1}, an m-vector.",
                "W_yᵀ の代わりに W_y を使っていませんか？誤差は u_{t+1} = … + W_y ŷ_t を逆にたどるので、"
                "δ^out_t には W_yᵀ δ_{t+1}（m 次元のベクトル）が伝わります。",
                error=_W_y_not_transposed_error),
        Mistake("feedback_term_dropped",
                "Did you drop W_yᵀ δ_{t+1}, as in a feed-forward network? ŷ_t is also fed into u_{t+1}, so "
                "δ^out_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1}; without it no error reaches the earlier steps.",
                "順伝播型ネットワークのように W_yᵀ δ_{t+1} を落としていませんか？ŷ_t は u_{t+1} にも入るので "
                "δ^out_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1} です。この項がないと、前の時刻に誤差が伝わりません。",
                _deltas(feedback=False)),
        Mistake("D_out_without_feedback",
                "Did you store ŷ_t − y_t in D_out? Your D is right, but the column t−1 of D_out is "
                "δ^out_t = ∂E/∂v_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1}, the same vector that W̃_outᵀ sends down to δ_t.",
                "D_out に ŷ_t − y_t を入れていませんか？D は正しいですが、D_out の列 t−1 は "
                "δ^out_t = ∂E/∂v_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1} で、W̃_outᵀ で δ_t へ送るのと同じベクトルです。",
                _deltas(report_direct=True)),
        Mistake("bias_column_kept",
                "Did you use W_out instead of W̃_out = W_out[:, 1:]? W_outᵀ δ^out_t has H+1 entries; "
                "the bias column sends nothing back to z_t, so drop it.",
                "W̃_out = W_out[:, 1:] の代わりに W_out を使っていませんか？W_outᵀ δ^out_t は H+1 個の要素を持ちます。"
                "バイアスの列からは z_t に何も逆伝播しないので取り除いてください。",
                error=_bias_column_kept_error),
        Mistake("bias_column_last",
                "Did you remove the last column of W_out instead of the first? The bias is column 0: "
                "W̃_out = W_out[:, 1:].",
                "W_out の最初ではなく最後の列を除いていませんか？バイアスは列 0 なので W̃_out = W_out[:, 1:] です。",
                _deltas(tilde=lambda W_out: W_out[:, :-1])),
    ),
    "gradients": (
        Mistake("Yhat_not_shifted",
                "Did you use Ŷ where Ŷ̃ belongs? u_t sees ŷ_{t−1}: ∂E/∂W_y = D Ŷ̃ with "
                "Ŷ̃ = (ŷ_0, …, ŷ_{T−1}), ŷ_0 = 0.",
                "Ŷ̃ の代わりに Ŷ を使っていませんか？u_t に入るのは ŷ_{t−1} なので、∂E/∂W_y = D Ŷ̃"
                "（Ŷ̃ = (ŷ_0, …, ŷ_{T−1})、ŷ_0 = 0）です。",
                _gradients(W_y_from="Yhat")),
        Mistake("Z_tilde_for_W_y",
                "Did you use Z̃, as for the Elman network's ∂E/∂W = D Z̃? W_y multiplies the fed-back output "
                "ŷ_{t−1}: ∂E/∂W_y = D Ŷ̃, (H, m).",
                "Elman ネットワークの ∂E/∂W = D Z̃ のように Z̃ を使っていませんか？W_y に掛かるのは戻ってきた出力 "
                "ŷ_{t−1} なので、∂E/∂W_y = D Ŷ̃（(H, m)）です。",
                _gradients(W_y_from="Z_tilde")),
        Mistake("W_y_transposed",
                "Did you return (D Ŷ̃)ᵀ for W_y? ∂E/∂W_y = D Ŷ̃ = Σ_t δ_t ŷ_{t−1}ᵀ is (H, m), like W_y.",
                "W_y の勾配として (D Ŷ̃)ᵀ を返していませんか？∂E/∂W_y = D Ŷ̃ = Σ_t δ_t ŷ_{t−1}ᵀ は W_y と同じ (H, m) です。",
                _gradients(transpose_W_y=True)),
        Mistake("bias_column_dropped",
                "Did you drop the column of ones? ∂E/∂W_out = D_out [1 Z] is (m, H+1): column 0 is Σ_t δ^out_t.",
                "1 の列を落としていませんか？∂E/∂W_out = D_out [1 Z] は (m, H+1) で、列 0 は Σ_t δ^out_t です。",
                _gradients(out_bias=False)),
    ),
}
