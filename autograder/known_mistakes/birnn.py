"""The typical mistakes of the birnn exercise (see autograder/mistakes.py for how they are matched).

Each variant is the reference written with one thing wrong; the BiRNN variants are built from
the one-direction helpers below, so that each differs from the lecture in exactly one place.
"""

from __future__ import annotations

import numpy as np

from ..mistakes import Mistake
from ._softmax import GLOBAL_MAX, MIN_SHIFT, NO_SHIFT
from ._softmax import softmax as _shifted_softmax


def _fprime(U):
    return 1.0 - np.tanh(U) ** 2


# ---------------------------------------------------------------------------------------------
# one direction


def _states(row_vector=False, carry=True, late=False):
    """U, Z of u_t = W_in x_t + W z_{t−1}, z_t = tanh(u_t), with one thing wrong."""

    def rnn_states(X, W_in, W):
        T, H = X.shape[0], W.shape[0]
        U, Z = np.zeros((T, H)), np.zeros((T, H))
        z = np.zeros(H)
        for t in range(T):
            rec = (z @ W if row_vector else W @ z) if carry else 0.0
            U[t] = W_in @ X[t] + rec
            if late:
                Z[t] = z  # stored before the update: z_{t−1}
            z = np.tanh(U[t])
            if not late:
                Z[t] = z
        return U, Z

    return rnn_states


def _recursion(U, dZ, W, transpose=True, fprime=True, forward_in_time=False):
    """D (H, T) of δ_t = (Wᵀ δ_next + dZ_t) ⊙ f′(u_t), with one thing wrong."""
    T, H = U.shape
    D = np.zeros((H, T))
    nxt = np.zeros(H)
    order = range(T) if forward_in_time else range(T - 1, -1, -1)
    for t in order:
        back = (W.T if transpose else W) @ nxt
        D[:, t] = (back + dZ[t]) * (_fprime(U[t]) if fprime else 1.0)
        nxt = D[:, t]
    return D


def _deltas(**how):
    def rnn_deltas(U, dZ, W):
        return _recursion(U, dZ, W, **how)

    return rnn_deltas


# ---------------------------------------------------------------------------------------------
# both directions


_RIGHT = _states()


def _forward(reverse_input=True, reverse_back=True, bw_weights="bw", order="fw_bw", shift="max"):
    def birnn_forward(X, P, task="regression"):
        U_fw, Z_fw = _RIGHT(X, P["W_in_fw"], P["W_fw"])
        Xb = X[::-1] if reverse_input else X
        U_bw, Z_bw = _RIGHT(Xb, P[f"W_in_{bw_weights}"], P[f"W_{bw_weights}"])
        if reverse_input and reverse_back:
            U_bw, Z_bw = U_bw[::-1], Z_bw[::-1]
        halves = [Z_fw, Z_bw] if order == "fw_bw" else [Z_bw, Z_fw]
        V = np.hstack([np.ones((X.shape[0], 1))] + halves) @ P["W_out"].T
        Yhat = _shifted_softmax(V, shift) if task == "classification" else V
        return U_fw, Z_fw, U_bw, Z_bw, Yhat

    return birnn_forward


def _bi_deltas(bw_end="first", bw_W="W_bw", split="right", reverse_back=True):
    def birnn_deltas(U_fw, U_bw, Yhat, Y, P):
        H = U_fw.shape[1]
        E = Yhat - Y
        W_out = P["W_out"]
        blocks = {"right": (W_out[:, 1:H + 1], W_out[:, H + 1:]),
                  "swapped": (W_out[:, H + 1:], W_out[:, 1:H + 1]),
                  "bias_kept": (W_out[:, :H], W_out[:, H:2 * H])}[split]
        dZ_fw, dZ_bw = E @ blocks[0], E @ blocks[1]
        D_fw = _recursion(U_fw, dZ_fw, P["W_fw"])
        if bw_end == "last":  # the backward direction's δ's computed like the forward direction's
            D_bw = _recursion(U_bw, dZ_bw, P[bw_W])
        else:
            D_bw = _recursion(U_bw[::-1], dZ_bw[::-1], P[bw_W])
            if reverse_back:
                D_bw = D_bw[:, ::-1]
        return D_fw, D_bw

    return birnn_deltas


def _grads(bw_shift="up", use_tilde=True, order="fw_bw", out_bias=True):
    def birnn_grads(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y):
        T, H = Z_fw.shape
        zero = np.zeros((1, H))
        Zt_fw = np.vstack([zero, Z_fw[:-1]]) if use_tilde else Z_fw
        if not use_tilde:
            Zt_bw = Z_bw
        elif bw_shift == "up":
            Zt_bw = np.vstack([Z_bw[1:], zero])
        else:  # shifted down, as for the forward direction
            Zt_bw = np.vstack([zero, Z_bw[:-1]])
        halves = [Z_fw, Z_bw] if order == "fw_bw" else [Z_bw, Z_fw]
        Z1 = np.hstack(([np.ones((T, 1))] if out_bias else []) + halves)
        return {"W_in_fw": D_fw @ X, "W_fw": D_fw @ Zt_fw, "W_in_bw": D_bw @ X, "W_bw": D_bw @ Zt_bw,
                "W_out": (Yhat - Y).T @ Z1}

    return birnn_grads


MISTAKES = {
    "rnn_states": (
        Mistake("row_vector_W",
                "Did you write z_{t−1} @ W? That is Wᵀ z_{t−1}; the lecture's u_t = W_in x_t + W z_{t−1} is W @ z "
                "(or z @ W.T with row vectors).",
                "z_{t−1} @ W と書いていませんか？それは Wᵀ z_{t−1} です。講義の u_t = W_in x_t + W z_{t−1} は "
                "W @ z（行ベクトルなら z @ W.T）です。",
                _states(row_vector=True)),
        Mistake("state_not_carried",
                "Did you leave z_{t−1} at zero? Carry z_t = tanh(u_t) to the next step: only z_0 is 0.",
                "z_{t−1} を 0 のままにしていませんか？z_t = tanh(u_t) を次の時刻へ渡してください。0 なのは z_0 だけです。",
                _states(carry=False)),
        Mistake("Z_one_step_late",
                "Did you store z before updating it? Row t−1 of Z must be z_t = tanh(u_t), not z_{t−1}.",
                "z を更新する前に保存していませんか？Z の行 t−1 は z_{t−1} ではなく z_t = tanh(u_t) です。",
                _states(late=True)),
    ),
    "birnn_forward": (
        Mistake("bw_not_reversed_back",
                "Did you forget to reverse the backward direction's states back to time order? rnn_states on X[::-1] "
                "returns z←_T first: flip U and Z with [::-1] before storing them and before the concatenation.",
                "逆方向の状態を時刻の順に戻し忘れていませんか？X[::-1] に対する rnn_states は z←_T から返します。"
                "保存する前と連結する前に U と Z を [::-1] で戻してください。",
                _forward(reverse_back=False)),
        Mistake("bw_input_not_reversed",
                "Did you run the backward direction on X in its original order? It reads x_T, …, x_1: pass X[::-1] "
                "(then reverse its states back).",
                "逆方向の RNN に X を元の順のまま読ませていませんか？逆方向は x_T, …, x_1 の順に読みます。"
                "X[::-1] を渡してください（その後、状態を時刻の順に戻します）。",
                _forward(reverse_input=False)),
        Mistake("bw_uses_fw_weights",
                "Did you use W_in_fw and W_fw for the backward direction too? The two directions share no weights: "
                "the backward one has its own W_in_bw and W_bw.",
                "逆方向にも W_in_fw と W_fw を使っていませんか？二つの方向は重みを共有しません。"
                "逆方向には専用の W_in_bw と W_bw があります。",
                _forward(bw_weights="fw")),
        Mistake("concat_order_swapped",
                "Did you concatenate [1; z←_t; z→_t]? The forward direction comes first: v_t = W_out [1; z→_t; z←_t], "
                "columns 1 … H of W_out read z→_t.",
                "[1; z←_t; z→_t] の順に連結していませんか？順方向が先で、v_t = W_out [1; z→_t; z←_t] です。"
                "W_out の列 1 … H が z→_t に掛かります。",
                _forward(order="bw_fw")),
        Mistake("softmax_without_max_shift", *NO_SHIFT, _forward(shift="none"), outputs=("Yhat",)),
        Mistake("softmax_global_max", *GLOBAL_MAX, _forward(shift="global"), outputs=("Yhat",)),
        Mistake("softmax_min_shift", *MIN_SHIFT, _forward(shift="min"), outputs=("Yhat",)),
    ),
    "rnn_deltas": (
        Mistake("W_not_transposed",
                "Did you use W instead of Wᵀ in the δ recursion? δ_t receives Wᵀ δ_{t+1} from step t+1.",
                "δ の漸化式で Wᵀ の代わりに W を使っていませんか？δ_t には時刻 t+1 から Wᵀ δ_{t+1} が伝わります。",
                _deltas(transpose=False)),
        Mistake("f_prime_missing",
                "Did you leave out ⊙ f′(u_t)? δ_t = ∂E/∂u_t is taken before tanh: multiply by 1 − tanh(u_t)².",
                "⊙ f′(u_t) を忘れていませんか？δ_t = ∂E/∂u_t は tanh の手前の量なので、1 − tanh(u_t)² を掛けます。",
                _deltas(fprime=False)),
        Mistake("forward_in_time",
                "Did you run the recursion from t = 1 forward? BPTT starts at t = T with δ_{T+1} = 0 and goes back "
                "in time: δ_t needs δ_{t+1}.",
                "漸化式を t = 1 から未来へ向かって計算していませんか？BPTT は δ_{T+1} = 0 として t = T から時間をさかのぼります"
                "（δ_t には δ_{t+1} が必要です）。",
                _deltas(forward_in_time=True)),
    ),
    "birnn_deltas": (
        Mistake("bw_recursion_from_T",
                "Did you start the backward direction's recursion at t = T, like the forward one? z←_t feeds u←_{t−1}, "
                "so δ←_t = (W_bwᵀ δ←_{t−1} + …) ⊙ f′(u←_t) runs from t = 1 with δ←_0 = 0.",
                "逆方向の漸化式を順方向と同じく t = T から始めていませんか？z←_t は u←_{t−1} に入るので、"
                "δ←_t = (W_bwᵀ δ←_{t−1} + …) ⊙ f′(u←_t) は δ←_0 = 0 として t = 1 から計算します。",
                _bi_deltas(bw_end="last")),
        Mistake("bw_not_reversed_back",
                "Did you forget to reverse the backward direction's δ's back to time order? rnn_deltas on reversed "
                "rows returns δ←_T in column 0: flip the columns with [:, ::-1].",
                "逆方向の δ を時刻の順に戻し忘れていませんか？逆順の行に対する rnn_deltas は列 0 に δ←_T を返します。"
                "[:, ::-1] で列を戻してください。",
                _bi_deltas(reverse_back=False)),
        Mistake("bw_uses_W_fw",
                "Did you use W_fw in the backward direction's recursion? Each direction sends its δ through its own "
                "recurrent weights: W_bwᵀ δ←_{t−1}.",
                "逆方向の漸化式で W_fw を使っていませんか？それぞれの方向は自分の再帰の重みで δ を伝えます: W_bwᵀ δ←_{t−1}。",
                _bi_deltas(bw_W="W_fw")),
        Mistake("halves_swapped",
                "Did you send the two halves of W̃_outᵀ (ŷ_t − y_t) to the wrong directions? Columns 1 … H of W_out "
                "read z→_t, columns H+1 … 2H read z←_t.",
                "W̃_outᵀ (ŷ_t − y_t) の前半と後半を逆の方向に送っていませんか？W_out の列 1 … H が z→_t に、"
                "列 H+1 … 2H が z←_t に掛かります。",
                _bi_deltas(split="swapped")),
        Mistake("bias_column_not_skipped",
                "Did you split W_out from column 0? Column 0 is the bias: W̃_out→ = W_out[:, 1:H+1] and "
                "W̃_out← = W_out[:, H+1:].",
                "W_out を列 0 から分けていませんか？列 0 はバイアスです: W̃_out→ = W_out[:, 1:H+1]、"
                "W̃_out← = W_out[:, H+1:]。",
                _bi_deltas(split="bias_kept")),
    ),
    "birnn_grads": (
        Mistake("bw_Z_tilde_shifted_down",
                "Did you shift Z← down like Z→? u←_t sees z←_{t+1}, so Z̃← = (z←_2, …, z←_T, 0): Z← shifted up, "
                "zeros in the last row.",
                "Z← を Z→ と同じく下にずらしていませんか？u←_t に入るのは z←_{t+1} なので、Z̃← = (z←_2, …, z←_T, 0) です。"
                "Z← を上にずらし、最後の行を 0 にします。",
                _grads(bw_shift="down")),
        Mistake("Z_instead_of_Z_tilde",
                "Did you use Z where Z̃ belongs? ∂E/∂W = D Z̃ pairs δ_t with the state W multiplied: z→_{t−1} for "
                "W_fw, z←_{t+1} for W_bw.",
                "Z̃ の代わりに Z を使っていませんか？∂E/∂W = D Z̃ では δ_t と W に掛かっていた状態を組にします: "
                "W_fw には z→_{t−1}、W_bw には z←_{t+1} です。",
                _grads(use_tilde=False)),
        Mistake("out_concat_order_swapped",
                "Did you use [1 Z← Z→] for ∂E/∂W_out? The forward direction comes first: (Ŷ − Y)ᵀ [1 Z→ Z←].",
                "∂E/∂W_out に [1 Z← Z→] を使っていませんか？順方向が先です: (Ŷ − Y)ᵀ [1 Z→ Z←]。",
                _grads(order="bw_fw")),
        Mistake("out_bias_column_dropped",
                "Did you drop the bias column of ∂E/∂W_out? It is (Ŷ − Y)ᵀ [1 Z→ Z←], (m, 2H+1): column 0 is "
                "Σ_t (ŷ_t − y_t).",
                "∂E/∂W_out のバイアスの列を落としていませんか？(Ŷ − Y)ᵀ [1 Z→ Z←] は (m, 2H+1) で、"
                "列 0 は Σ_t (ŷ_t − y_t) です。",
                _grads(out_bias=False)),
    ),
}
