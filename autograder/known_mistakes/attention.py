"""Typical mistakes of the attention exercise, each a variant of the reference (see autograder/mistakes.py)."""

from __future__ import annotations

import re

import numpy as np

from ..mistakes import Mistake


def _softmax(E, axis=1):
    e = np.exp(E - E.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_backward(dalpha, alpha, full=True):
    if not full:
        return alpha * dalpha
    return alpha * (dalpha - np.sum(alpha * dalpha, axis=1, keepdims=True))


# ---------------------------------------------------------------------------------------------
# dot-product attention


def _dot_forward(axis=1, scale=False, normalise=True):
    def dot_attention_forward(Hdec, Hbar):
        E = Hdec @ Hbar.T
        if scale:
            E = E / np.sqrt(Hdec.shape[1])
        alpha = _softmax(E, axis) if normalise else E
        return alpha @ Hbar, alpha

    return dot_attention_forward


def _dot_backward(full=True, weighed=True, scored=True):
    def dot_attention_backward(dC, Hdec, Hbar, alpha):
        dE = _softmax_backward(dC @ Hbar.T, alpha, full)
        dHbar = np.zeros_like(Hbar, dtype=float)
        if weighed:
            dHbar = dHbar + alpha.T @ dC
        if scored:
            dHbar = dHbar + dE.T @ Hdec
        return dE @ Hbar, dHbar

    return dot_attention_backward


# ---------------------------------------------------------------------------------------------
# additive attention


def _additive_forward(swap=False, axis=1, tanh=True):
    def additive_attention_forward(Hdec, Hbar, P):
        W_a, U_a = (P["U_a"], P["W_a"]) if swap else (P["W_a"], P["U_a"])
        pre = (Hdec @ W_a.T)[:, None, :] + (Hbar @ U_a.T)[None, :, :]
        Q = np.tanh(pre) if tanh else pre
        alpha = _softmax(Q @ P["v"], axis)
        return alpha @ Hbar, alpha, Q

    return additive_attention_forward


def _additive_backward(tanh_prime=True, full=True, weighed=True):
    def additive_attention_backward(dC, Hdec, Hbar, P, alpha, Q):
        dE = _softmax_backward(dC @ Hbar.T, alpha, full)
        R = dE[:, :, None] * P["v"] * ((1.0 - Q * Q) if tanh_prime else 1.0)
        R_t, R_s = R.sum(axis=1), R.sum(axis=0)
        grads = {"W_a": R_t.T @ Hdec, "U_a": R_s.T @ Hbar, "v": np.einsum("ts,tsa->a", dE, Q)}
        dHbar = R_s @ P["U_a"] + (alpha.T @ dC if weighed else 0.0)
        return R_t @ P["W_a"], dHbar, grads

    return additive_attention_backward


# ---------------------------------------------------------------------------------------------
# channel attention: Squeeze-and-Excitation


def _one(v):
    return np.concatenate(([1.0], v))


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _se_forward(squeeze="mean", excite="sigmoid", relu=True):
    def se_forward(Hbar, W1, W2):
        s = Hbar.sum(axis=0) if squeeze == "sum" else Hbar.mean(axis=0)
        a1 = W1 @ _one(s)
        q = np.maximum(a1, 0.0) if relu else a1
        a2 = W2 @ _one(q)
        e = _softmax(a2[None], axis=1)[0] if excite == "softmax" else _sigmoid(a2)
        return Hbar * e, s, q, e

    return se_forward


def _se_backward(squeeze=True, over_T=True, sigmoid_prime=True, relu_prime=True):
    def se_backward(dY, Hbar, W1, W2, s, q, e):
        da2 = np.sum(dY * Hbar, axis=0) * (e * (1.0 - e) if sigmoid_prime else 1.0)
        da1 = (W2[:, 1:].T @ da2) * ((q > 0) if relu_prime else 1.0)
        ds = W1[:, 1:].T @ da1
        dHbar = dY * e + ((ds / Hbar.shape[0] if over_T else ds) if squeeze else 0.0)
        return dHbar, np.outer(da1, _one(s)), np.outer(da2, _one(q))

    return se_backward


def _size_pairs(message: str) -> list[set]:
    """The sizes numpy names in a failed product: matmul's "size 6 is different from 5", np.dot's
    "shapes (2,5) and (6,) not aligned: 5 (dim 1) != 6 (dim 0)"."""
    pairs = re.findall(r"size (\d+) is different from (\d+)", message)
    pairs += re.findall(r"(\d+) \(dim \d+\) != (\d+) \(dim \d+\)", message)
    return [{int(a), int(b)} for a, b in pairs]


def _squeeze_over_channels_error(args, kwargs, message: str) -> bool:
    """[1; s] with s the mean of each ROW has T+1 entries where W_1 (r, 1+C) needs C+1 (or T against C)."""
    T, C = np.shape(args[0])
    return {T + 1, C + 1} in _size_pairs(message) or {T, C} in _size_pairs(message)


def _bias_missing_error(args, kwargs, message: str) -> bool:
    """W_1 s or W_2 q without the leading 1: C against C+1 columns, or r against r+1."""
    C, r = np.shape(args[0])[1], np.shape(args[1])[0]
    return {C, C + 1} in _size_pairs(message) or {r, r + 1} in _size_pairs(message)


def _broadcast_lasts(message: str) -> set:
    """The last sizes of the shapes in numpy's "could not be broadcast together with shapes (6,4) (5,)"."""
    if "broadcast" not in message:
        return set()
    return {int(m.split(",")[-1] or m.split(",")[-2]) for m in re.findall(r"\((\d+(?:,\d*)*)\)", message)}


def _bias_column_kept_error(args, kwargs, message: str) -> bool:
    """W_2ᵀ ∂E/∂a_2 has r+1 entries where q has r; W_1ᵀ ∂E/∂a_1 C+1 where a row of dY has C."""
    C, r = np.shape(args[1])[1], np.shape(args[2])[0]
    lasts = _broadcast_lasts(message)
    pairs = _size_pairs(message)
    return any({n, n + 1} <= lasts or {n, n + 1} in pairs for n in (C, r))


SOFTMAX_AXIS = ("Did you take the softmax over t (down each column) instead of over s? α_t = softmax of the ROW "
                "e_t1 … e_tT: every row of alpha sums to 1.",
                "ソフトマックス関数を s ではなく t について（列ごとに）とっていませんか？α_t は行 e_t1 … e_tT の"
                "ソフトマックス関数で、alpha の各行の和が 1 になります。")
JACOBIAN = ("Did you write ∂E/∂e_ts = α_ts ∂E/∂α_ts? The softmax couples the weights of a row: "
            "∂E/∂e_ts = α_ts (∂E/∂α_ts − Σ_s' α_ts' ∂E/∂α_ts').",
            "∂E/∂e_ts = α_ts ∂E/∂α_ts としていませんか？ソフトマックス関数は同じ行の重みを結び付けるので、"
            "∂E/∂e_ts = α_ts (∂E/∂α_ts − Σ_s' α_ts' ∂E/∂α_ts') です。")
WEIGHED = ("Did you drop Σ_t α_ts dc_t from ∂E/∂h̄_s? h̄_s is also the value being weighed in c_t = Σ_s α_ts h̄_s, "
           "so ∂E/∂h̄_s gets αᵀ dC besides the score's term.",
           "∂E/∂h̄_s から Σ_t α_ts dc_t を落としていませんか？h̄_s は c_t = Σ_s α_ts h̄_s で足し合わされる値でもあるので、"
           "∂E/∂h̄_s にはスコアからの項に加えて αᵀ dC が入ります。")

MISTAKES = {
    "dot_attention_forward": (
        Mistake("softmax_over_t", *SOFTMAX_AXIS, _dot_forward(axis=0)),
        Mistake("scaled_scores",
                "Did you divide the scores by √H? That is the Transformer's scaled dot-product; here e_ts = h_tᵀ h̄_s.",
                "スコアを √H で割っていませんか？それは Transformer の scaled dot-product です。ここでは e_ts = h_tᵀ h̄_s です。",
                _dot_forward(scale=True)),
        Mistake("softmax_missing",
                "Did you use the scores e_ts as the weights? α_ts = exp(e_ts) / Σ_s' exp(e_ts'): take the softmax "
                "of each row first.",
                "スコア e_ts をそのまま重みにしていませんか？α_ts = exp(e_ts) / Σ_s' exp(e_ts') です。先に各行の"
                "ソフトマックス関数をとってください。",
                _dot_forward(normalise=False)),
    ),
    "dot_attention_backward": (
        Mistake("softmax_jacobian_diagonal", *JACOBIAN, _dot_backward(full=False)),
        Mistake("weighted_sum_path_dropped", *WEIGHED, _dot_backward(weighed=False)),
        Mistake("score_path_dropped",
                "Did you drop the score's term from ∂E/∂h̄_s? h̄_s is also in e_ts = h_tᵀ h̄_s, so ∂E/∂h̄_s gets "
                "Σ_t ∂E/∂e_ts h_t besides αᵀ dC.",
                "∂E/∂h̄_s からスコアの項を落としていませんか？h̄_s は e_ts = h_tᵀ h̄_s にも入っているので、"
                "αᵀ dC に加えて Σ_t ∂E/∂e_ts h_t が届きます。",
                _dot_backward(scored=False)),
    ),
    "additive_attention_forward": (
        Mistake("W_a_U_a_swapped",
                "Did you swap W_a and U_a? W_a acts on the decoder state h_t, U_a on the encoder state h̄_s: "
                "tanh(W_a h_t + U_a h̄_s).",
                "W_a と U_a を取り違えていませんか？W_a はデコーダの状態 h_t に、U_a はエンコーダの状態 h̄_s に掛かります: "
                "tanh(W_a h_t + U_a h̄_s)。",
                _additive_forward(swap=True)),
        Mistake("softmax_over_t", *SOFTMAX_AXIS, _additive_forward(axis=0), outputs=("C", "alpha")),
        Mistake("tanh_missing",
                "Did you leave out the tanh? e_ts = vᵀ tanh(W_a h_t + U_a h̄_s).",
                "tanh を忘れていませんか？e_ts = vᵀ tanh(W_a h_t + U_a h̄_s) です。",
                _additive_forward(tanh=False), outputs=("C", "alpha")),
    ),
    "additive_attention_backward": (
        Mistake("tanh_derivative_missing",
                "Did you leave out tanh′? ρ_ts = ∂E/∂e_ts · v ⊙ (1 − q_ts²), with q_ts = tanh(W_a h_t + U_a h̄_s).",
                "tanh′ を忘れていませんか？ρ_ts = ∂E/∂e_ts · v ⊙ (1 − q_ts²) で、q_ts = tanh(W_a h_t + U_a h̄_s) です。",
                _additive_backward(tanh_prime=False)),
        Mistake("softmax_jacobian_diagonal", *JACOBIAN, _additive_backward(full=False)),
        Mistake("weighted_sum_path_dropped", *WEIGHED, _additive_backward(weighed=False)),
    ),
    "se_forward": (
        Mistake("squeeze_over_channels",
                "Did you average each row (over the channels) instead of each column? The squeeze is over the "
                "positions: s = (1/T) Σ_t h̄_t = Hbar.mean(axis=0), one value per channel, (C,).",
                "各行（チャンネル方向）で平均していませんか？squeeze は位置についての平均で、"
                "s = (1/T) Σ_t h̄_t = Hbar.mean(axis=0)、チャンネルごとに 1 つの値 (C,) です。",
                error=_squeeze_over_channels_error),
        Mistake("sum_instead_of_mean",
                "Did you sum the rows instead of averaging them? The squeeze is the mean s = (1/T) Σ_t h̄_t.",
                "行を平均せずに足し合わせていませんか？squeeze は平均 s = (1/T) Σ_t h̄_t です。",
                _se_forward(squeeze="sum")),
        Mistake("softmax_excitation",
                "Did you use a softmax for the excitation? e = σ(W_2 [1; q]) applies the sigmoid to each channel on "
                "its own: every e_c is in (0, 1) and they need not sum to 1.",
                "excitation にソフトマックス関数を使っていませんか？e = σ(W_2 [1; q]) はチャンネルごとのシグモイド関数"
                "で、各 e_c は (0, 1) に入り、和が 1 になる必要はありません。",
                _se_forward(excite="softmax")),
        Mistake("relu_missing",
                "Did you leave out the relu? q = relu(W_1 [1; s]) = max(W_1 [1; s], 0): the negative entries become 0.",
                "relu を忘れていませんか？q = relu(W_1 [1; s]) = max(W_1 [1; s], 0) で、負の成分は 0 になります。",
                _se_forward(relu=False)),
        Mistake("bias_missing",
                "Did you leave out the leading 1? The bias is column 0 of W_1 and W_2: q = relu(W_1 [1; s]), "
                "e = σ(W_2 [1; q]), with [1; s] = np.concatenate(([1.0], s)).",
                "先頭の 1 を忘れていませんか？バイアスは W_1 と W_2 の列 0 で、q = relu(W_1 [1; s])、"
                "e = σ(W_2 [1; q]) です。[1; s] は np.concatenate(([1.0], s)) で作れます。",
                error=_bias_missing_error),
    ),
    "se_backward": (
        Mistake("squeeze_path_dropped",
                "Did you keep only e ⊙ dy_t in ∂E/∂h̄_t? h̄_t is also averaged into s, so every row gets "
                "(1/T) ∂E/∂s = (1/T) W̃_1ᵀ ∂E/∂a_1 as well.",
                "∂E/∂h̄_t を e ⊙ dy_t だけにしていませんか？h̄_t は s の平均にも入っているので、各行に "
                "(1/T) ∂E/∂s = (1/T) W̃_1ᵀ ∂E/∂a_1 も加わります。",
                _se_backward(squeeze=False)),
        Mistake("squeeze_not_divided_by_T",
                "Did you add ∂E/∂s to every row without dividing by T? s = (1/T) Σ_t h̄_t, so each h̄_t gets (1/T) ∂E/∂s.",
                "∂E/∂s を T で割らずに各行へ足していませんか？s = (1/T) Σ_t h̄_t なので、各 h̄_t には "
                "(1/T) ∂E/∂s が届きます。",
                _se_backward(over_T=False)),
        Mistake("sigmoid_derivative_missing",
                "Did you leave out σ′? ∂E/∂a_2 = ∂E/∂e ⊙ e ⊙ (1 − e), with e = σ(a_2).",
                "σ′ を忘れていませんか？e = σ(a_2) なので ∂E/∂a_2 = ∂E/∂e ⊙ e ⊙ (1 − e) です。",
                _se_backward(sigmoid_prime=False)),
        Mistake("relu_derivative_missing",
                "Did you leave out relu′? ∂E/∂a_1 = (W̃_2ᵀ ∂E/∂a_2) ⊙ [q > 0]: a unit whose input was negative "
                "passes nothing back.",
                "relu′ を忘れていませんか？∂E/∂a_1 = (W̃_2ᵀ ∂E/∂a_2) ⊙ [q > 0] で、入力が負だったユニットは"
                "何も戻しません。",
                _se_backward(relu_prime=False)),
        Mistake("bias_column_kept",
                "Did you go back through W_1 or W_2 with the bias column? Use W̃ = W[:, 1:]: ∂E/∂a_1 = "
                "(W̃_2ᵀ ∂E/∂a_2) ⊙ [q > 0] has r entries, ∂E/∂s = W̃_1ᵀ ∂E/∂a_1 has C; the bias column sends "
                "nothing back.",
                "バイアスの列を含めたまま W_1 や W_2 で戻していませんか？W̃ = W[:, 1:] を使います。"
                "∂E/∂a_1 = (W̃_2ᵀ ∂E/∂a_2) ⊙ [q > 0] は r 個、∂E/∂s = W̃_1ᵀ ∂E/∂a_1 は C 個の成分で、"
                "バイアスの列からは何も戻りません。",
                error=_bias_column_kept_error),
    ),
}
