"""The typical mistakes of the rtrl exercise (see autograder/mistakes.py for how they are matched)."""

from __future__ import annotations

import numpy as np

from ..mistakes import Mistake
from ._softmax import MIN_SHIFT, NO_SHIFT
from ._softmax import softmax as _shifted_softmax


def _step(direct=True, recurrent=True, transpose=False, fprime=True, direct_z="prev"):
    """sensitivity_step written wrongly in one way."""

    def sensitivity_step(P_in, P_W, x, z_prev, u, W):
        H = W.shape[0]
        Wr = W.T if transpose else W
        A_in = np.einsum("kl,lji->kji", Wr, P_in) if recurrent else np.zeros_like(P_in, dtype=float)
        A_W = np.einsum("kl,lji->kji", Wr, P_W) if recurrent else np.zeros_like(P_W, dtype=float)
        if direct:
            k = np.arange(H)
            A_in[k, k, :] += x
            A_W[k, k, :] += z_prev if direct_z == "prev" else np.tanh(u)
        fp = 1.0 - np.tanh(u) ** 2 if fprime else np.ones(H)
        return fp[:, None, None] * A_in, fp[:, None, None] * A_W

    return sensitivity_step


def _output(z, W_out, task, shift="max"):
    v = W_out[:, 0] + W_out[:, 1:] @ z
    return _shifted_softmax(v, shift) if task == "classification" else v


def _rtrl(step=_step(), sign=1.0, every_step=True, z_for_step="prev", carry=True, shift="max"):
    """rtrl_gradients written wrongly in one way."""

    def rtrl_gradients(X, Y, W_in, W, W_out, task="regression"):
        T, H, D1 = X.shape[0], W.shape[0], X.shape[1]
        P_in, P_W = np.zeros((H, H, D1)), np.zeros((H, H, H))
        z = np.zeros(H)
        g = {"W_in": np.zeros(W_in.shape), "W": np.zeros(W.shape), "W_out": np.zeros(W_out.shape)}
        for t in range(T):
            u = W_in @ X[t] + W @ z
            z_new = np.tanh(u)
            if not carry:
                P_in, P_W = np.zeros((H, H, D1)), np.zeros((H, H, H))
            P_in, P_W = step(P_in, P_W, X[t], z if z_for_step == "prev" else z_new, u, W)
            z = z_new
            if not every_step and t < T - 1:
                continue
            dv = sign * (_output(z, W_out, task, shift) - Y[t])
            e = W_out[:, 1:].T @ dv
            g["W_in"] += np.tensordot(e, P_in, axes=1)
            g["W"] += np.tensordot(e, P_W, axes=1)
            g["W_out"] += np.outer(dv, np.concatenate([[1.0], z]))
        return g

    return rtrl_gradients


MISTAKES = {
    "sensitivity_step": (
        Mistake("direct_term_missing",
                "Did you leave out the direct term δ_kj z_i(t−1) (δ_kj x_i for W_in)? w_ji multiplies z_i(t−1) in u_j "
                "itself, so P[j, j, i] gets that input besides Σ_l W[j, l] P[l, j, i].",
                "直接の項 δ_kj z_i(t−1)（W_in では δ_kj x_i）を忘れていませんか？w_ji は u_j の中で z_i(t−1) に掛かるので、"
                "P[j, j, i] には Σ_l W[j, l] P[l, j, i] のほかにその入力が加わります。",
                _step(direct=False)),
        Mistake("recurrent_term_missing",
                "Did you leave out Σ_l W[k, l] P[l, j, i]? z_{t−1} depends on the weights too: that is what the "
                "sensitivities carry forward in time.",
                "Σ_l W[k, l] P[l, j, i] を忘れていませんか？z_{t−1} も重みに依存します。それを時間方向に運ぶのが感度です。",
                _step(recurrent=False)),
        Mistake("W_transposed",
                "Did you use Wᵀ? u_k = … + Σ_l W[k, l] z_l(t−1), so the sum is Σ_l W[k, l] P[l, j, i] "
                "(np.einsum(\"kl,lji->kji\", W, P)).",
                "Wᵀ を使っていませんか？u_k = … + Σ_l W[k, l] z_l(t−1) なので、和は Σ_l W[k, l] P[l, j, i] "
                "（np.einsum(\"kl,lji->kji\", W, P)）です。",
                _step(transpose=True)),
        Mistake("f_prime_missing",
                "Did you leave out f′(u_k)? z_k = tanh(u_k), so every term is multiplied by f′(u_k) = 1 − tanh(u_k)².",
                "f′(u_k) を忘れていませんか？z_k = tanh(u_k) なので、すべての項に f′(u_k) = 1 − tanh(u_k)² が掛かります。",
                _step(fprime=False)),
        Mistake("direct_term_with_z_t",
                "Did you use z_t = tanh(u_t) in the direct term? u_t contains W z_{t−1}: the direct term of P_W is "
                "δ_kj z_i(t−1), the z_prev you are given.",
                "直接の項に z_t = tanh(u_t) を使っていませんか？u_t に入っているのは W z_{t−1} なので、P_W の直接の項は "
                "δ_kj z_i(t−1)（引数の z_prev）です。",
                _step(direct_z="t")),
    ),
    "gradient_from_sensitivities": (
        Mistake("wrong_axis",
                "Did you sum over the wrong axis of P? e pairs with the unit k, axis 0: dW[j, i] = Σ_k e_k P[k, j, i].",
                "P の違う軸について和を取っていませんか？e が対応するのはユニット k の軸 0 です: dW[j, i] = Σ_k e_k P[k, j, i]。",
                lambda e, P: np.einsum("j,kji->ki", e, P)),
        Mistake("transposed",
                "Did you return the transpose? dW[j, i] has the weight's own shape, like W or W_in.",
                "転置を返していませんか？dW[j, i] は重み（W や W_in）と同じ形です。",
                lambda e, P: np.tensordot(e, P, axes=1).T),
    ),
    "rtrl_gradients": (
        Mistake("z_t_in_sensitivity_step",
                "Did you pass z_t to sensitivity_step? It needs z_{t−1}: update the sensitivities before overwriting z.",
                "sensitivity_step に z_t を渡していませんか？必要なのは z_{t−1} です。z を上書きする前に感度を更新してください。",
                _rtrl(z_for_step="t")),
        Mistake("sensitivities_not_carried",
                "Did you start the sensitivities from zero at every step? p(t) is built from p(t−1): keep P_in and P_W "
                "from one step to the next (zeros only before t = 1).",
                "感度を毎時刻 0 から始めていませんか？p(t) は p(t−1) から作ります。P_in と P_W は次の時刻へ引き継ぎます"
                "（0 にするのは t = 1 の前だけです）。",
                _rtrl(carry=False)),
        Mistake("sign_flipped",
                "Did you use y_t − ŷ_t? The output error is ŷ_t − y_t = g(v_t) − y_t.",
                "y_t − ŷ_t を使っていませんか？出力の誤差は ŷ_t − y_t = g(v_t) − y_t です。",
                _rtrl(sign=-1.0)),
        Mistake("only_last_error",
                "Did you add only the last step's error? In this many-to-many network every step t has E_t, and "
                "RTRL adds Σ_k e_k(t) p^k(t) at every t.",
                "最後の時刻の誤差だけを足していませんか？この many-to-many のネットワークでは各時刻に E_t があり、"
                "RTRL は毎時刻 Σ_k e_k(t) p^k(t) を足します。",
                _rtrl(every_step=False)),
        Mistake("direct_term_missing",
                "Did you leave out the direct term δ_kj z_i(t−1) (δ_kj x_i for W_in) of the sensitivities? Without it "
                "they stay zero and ∂E/∂W_in, ∂E/∂W come out zero.",
                "感度の直接の項 δ_kj z_i(t−1)（W_in では δ_kj x_i）を忘れていませんか？それがないと感度は 0 のままで、"
                "∂E/∂W_in と ∂E/∂W が 0 になります。",
                _rtrl(step=_step(direct=False))),
        Mistake("softmax_without_max_shift", *NO_SHIFT, _rtrl(shift="none")),
        Mistake("softmax_min_shift", *MIN_SHIFT, _rtrl(shift="min")),
    ),
}
