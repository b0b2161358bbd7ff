"""Typical mistakes of the attention exercise, each a variant of the reference (see autograder/mistakes.py)."""

from __future__ import annotations

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
}
