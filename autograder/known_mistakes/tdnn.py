"""The typical mistakes of the tdnn exercise (see autograder/mistakes.py for how they are matched).

Each variant is the reference written with one thing wrong. The window mistakes (which input a
slot holds, the padding, the bias) are written once, in _windows, and reused by delayed_inputs,
forward and grad_W, as a student's own delayed_inputs would carry them into the others.
"""

from __future__ import annotations

import re

import numpy as np

from ..mistakes import Mistake
from ._bias import NOT_REMOVED


def _windows(X, K, how="right"):
    """Xd (T, taps, d+1), slot k of row t−1 = x_{t−k} (bias 0 for k ≥ 1, zeros before t = 1), one thing wrong."""
    T, d1 = X.shape
    taps = K + 1 if how == "K_plus_one" else K
    Xd = np.zeros((T, taps, d1))
    for t in range(T):
        for k in range(taps):
            s = {"reversed": t - (K - 1 - k), "off_by_one": t - k - 1, "future": t + k}.get(how, t - k)
            if how == "wrap":
                s %= T
            if 0 <= s < T:
                Xd[t, k] = X[s]
    if how != "bias_K_times":
        Xd[:, 1:, 0] = 0.0
    return Xd


def _delayed_inputs(how):
    def delayed_inputs(X, K):
        return _windows(X, K, how)

    return delayed_inputs


def _forward(how):
    def forward(X, W, W_out):
        U = np.einsum("tkj,khj->th", _windows(X, W.shape[0], how), W)
        Z = np.tanh(U)
        return U, Z, Z @ W_out[:, 1:].T + W_out[:, 0]

    return forward


def _grad_W(how):
    def grad_W(D, X, K):
        if how == "not_shifted":
            dW = np.stack([D @ X for _ in range(K)])
            dW[1:, :, 0] = 0.0
            return dW
        return np.einsum("ht,tkj->khj", D, _windows(X, K, how))

    return grad_W


def _deltas(fprime=lambda U: 1.0 - np.tanh(U) ** 2, sign=1.0):
    def deltas(U, Yhat, Y, W_out):
        return (W_out[:, 1:].T @ (sign * (Yhat - Y)).T) * fprime(U).T

    return deltas


def _bias_not_removed_error(args, kwargs, message: str) -> bool:
    """numpy's complaint about H+1 against H: W_outᵀ (ŷ_t − y_t) has H+1 entries, f′(u_t) has H."""
    H = args[0].shape[1]
    sizes = {int(n) for n in re.findall(r"\d+", message)}
    return H in sizes and H + 1 in sizes and bool(re.search(r"broadcast|mismatch|size", message))


def _grad_X(shift=1, full_W=False):
    """Σ_k W̃_kᵀ δ_{t+shift·k} (shift 1 right, 0 no shift, −1 into the past), W_k whole with full_W."""
    def grad_X(D, W):
        H, T = D.shape
        K = W.shape[0]
        Wt = W if full_W else W[:, :, 1:]
        dX = np.zeros((T, Wt.shape[2]))
        for t in range(T):
            for k in range(K):
                s = t + shift * k
                if 0 <= s < T:
                    dX[t] += Wt[k].T @ D[:, s]
        return dX

    return grad_X


def _backward(sign=1.0, out_bias=True):
    def backward(X, W, W_out, Y):
        K = W.shape[0]
        Xd = _windows(X, K)
        U = np.einsum("tkj,khj->th", Xd, W)
        Z = np.tanh(U)
        E = sign * (Z @ W_out[:, 1:].T + W_out[:, 0] - Y)
        D = (W_out[:, 1:].T @ E.T) * (1.0 - Z.T ** 2)
        Z1 = np.hstack([np.ones((Z.shape[0], 1)), Z]) if out_bias else Z
        return {"W": np.einsum("ht,tkj->khj", D, Xd), "W_out": E.T @ Z1}

    return backward


_OFF_BY_ONE = (
    "Did you start the window one step back, at x_{t−1} … x_{t−K}? The K taps are x_t, x_{t−1}, …, x_{t−K+1}: "
    "slot k holds the input k steps back, and slot 0 is x_t itself.",
    "窓を 1 時刻前の x_{t−1} … x_{t−K} から始めていませんか？K 個のタップは x_t, x_{t−1}, …, x_{t−K+1} です。"
    "枠 k には k 時刻前の入力が入り、枠 0 は x_t そのものです。",
)
_REVERSED = (
    "Did you reverse the window, putting x_{t−K+1+k} in slot k? W_k belongs to the input k steps back: "
    "slot k holds x_{t−k}, so slot 0 is the newest input x_t.",
    "窓の順番を逆にして、枠 k に x_{t−K+1+k} を入れていませんか？W_k は k 時刻前の入力に掛かる重みなので、"
    "枠 k には x_{t−k} が入り、枠 0 が最新の入力 x_t です。",
)
_WRAP = (
    "Did you shift with np.roll? It wraps the last inputs around to the start; before t = 1 there is no input: "
    "x_{t−k} = 0 for t − k < 1 (zero padding on the past).",
    "np.roll でずらしていませんか？np.roll は最後の入力を先頭に回り込ませます。t = 1 より前には入力がないので、"
    "t − k < 1 では x_{t−k} = 0 です（過去側のゼロ埋め）。",
)
_BIAS_K = (
    "Did you keep the 1 of every delayed input? Then the bias is counted K times; the 1 enters through W_0 only: "
    "the delayed copies x^{(k)}_{t−k}, k ≥ 1, carry 0 in its place.",
    "遅れた入力すべてに 1 を残していませんか？それではバイアスが K 回数えられます。1 は W_0 にだけ入り、"
    "k ≥ 1 の遅れた入力 x^{(k)}_{t−k} ではその位置が 0 です。",
)

MISTAKES = {
    "delayed_inputs": (
        Mistake("off_by_one", *_OFF_BY_ONE, _delayed_inputs("off_by_one")),
        Mistake("K_plus_one_taps",
                "Did you make K+1 slots, delays 0 … K? K taps are the delays 0 … K−1: Xd is (T, K, d+1).",
                "K+1 個の枠（遅れ 0 … K）を作っていませんか？K 個のタップは遅れ 0 … K−1 なので、Xd は (T, K, d+1) です。",
                _delayed_inputs("K_plus_one")),
        Mistake("reversed", *_REVERSED, _delayed_inputs("reversed")),
        Mistake("wrap_around", *_WRAP, _delayed_inputs("wrap")),
        Mistake("bias_K_times", *_BIAS_K, _delayed_inputs("bias_K_times")),
    ),
    "forward": (
        Mistake("off_by_one", *_OFF_BY_ONE, _forward("off_by_one"), outputs=("U", "Z")),
        Mistake("reversed", *_REVERSED, _forward("reversed"), outputs=("U", "Z")),
        Mistake("wrap_around", *_WRAP, _forward("wrap"), outputs=("U", "Z")),
        Mistake("bias_K_times", *_BIAS_K, _forward("bias_K_times"), outputs=("U", "Z")),
    ),
    "deltas": (
        Mistake("f_prime_of_u_as_z",
                "Did you write f′(u_t) as 1 − u_t²? f′(u_t) = 1 − tanh(u_t)² = 1 − z_t²: square tanh(u_t), not u_t.",
                "f′(u_t) を 1 − u_t² としていませんか？f′(u_t) = 1 − tanh(u_t)² = 1 − z_t² で、"
                "二乗するのは u_t ではなく tanh(u_t) です。",
                _deltas(fprime=lambda U: 1.0 - U ** 2)),
        Mistake("f_prime_missing",
                "Did you leave out ⊙ f′(u_t)? δ_t = ∂E/∂u_t is taken before the activation: multiply by 1 − tanh(u_t)².",
                "⊙ f′(u_t) を忘れていませんか？δ_t = ∂E/∂u_t は活性化関数の手前の量なので、1 − tanh(u_t)² を掛けます。",
                _deltas(fprime=np.ones_like)),
        Mistake("sign_flipped",
                "Did you use y_t − ŷ_t? The output error is ŷ_t − y_t, the gradient of ½ ‖y_t − ŷ_t‖² by ŷ_t.",
                "y_t − ŷ_t を使っていませんか？出力の誤差は ½ ‖y_t − ŷ_t‖² を ŷ_t で微分した ŷ_t − y_t です。",
                _deltas(sign=-1.0)),
        Mistake("bias_column_not_removed", *NOT_REMOVED, error=_bias_not_removed_error),
    ),
    "grad_W": (
        Mistake("not_shifted",
                "Did you use D X for every W_k? W_k sees the input k steps back, so ∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k}: "
                "shift X down k steps (zeros before t = 1) before the product.",
                "すべての W_k に D X を使っていませんか？W_k は k 時刻前の入力に掛かるので、"
                "∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k} です。積の前に X を k 時刻下へずらしてください（t = 1 より前は 0）。",
                _grad_W("not_shifted")),
        Mistake("shifted_into_future",
                "Did you pair δ_t with x_{t+k}? u_t sees the past, x_{t−k}: ∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k}.",
                "δ_t を x_{t+k} と組にしていませんか？u_t に入るのは過去の x_{t−k} なので、"
                "∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k} です。",
                _grad_W("future")),
        Mistake("reversed", *_REVERSED, _grad_W("reversed")),
        Mistake("bias_K_times",
                "Did you keep the 1 of the delayed inputs? Column 0 of ∂E/∂W_k is 0 for k ≥ 1: the bias enters "
                "through W_0 only, so only ∂E/∂W_0 has the bias column Σ_t δ_t.",
                "遅れた入力の 1 を残していませんか？k ≥ 1 では ∂E/∂W_k の列 0 は 0 です。バイアスは W_0 にだけ入るので、"
                "バイアスの列 Σ_t δ_t を持つのは ∂E/∂W_0 だけです。",
                _grad_W("bias_K_times")),
    ),
    "grad_X": (
        Mistake("not_shifted",
                "Did you use δ_t for every W_k? x_t enters u_{t+k} through W_k, so ∂E/∂x_t = Σ_k W̃_kᵀ δ_{t+k}.",
                "すべての W_k に δ_t を使っていませんか？x_t は W_k を通って u_{t+k} に入るので、"
                "∂E/∂x_t = Σ_k W̃_kᵀ δ_{t+k} です。",
                _grad_X(shift=0)),
        Mistake("shifted_into_past",
                "Did you collect δ_{t−k}? x_t reaches the later steps u_t … u_{t+K−1}: ∂E/∂x_t = Σ_k W̃_kᵀ δ_{t+k}, "
                "δ_s = 0 for s > T.",
                "δ_{t−k} を集めていませんか？x_t が入るのは後の時刻 u_t … u_{t+K−1} なので、"
                "∂E/∂x_t = Σ_k W̃_kᵀ δ_{t+k}（s > T では δ_s = 0）です。",
                _grad_X(shift=-1)),
        Mistake("bias_column_kept",
                "Did you return the bias entry too? The 1 is a constant, not an input: use W̃_k = W[k][:, 1:], "
                "so that dX is (T, d).",
                "バイアスの要素も返していませんか？1 は定数で入力ではありません。W̃_k = W[k][:, 1:] を使い、"
                "dX を (T, d) にしてください。",
                _grad_X(full_W=True)),
    ),
    "backward": (
        Mistake("W_out_bias_dropped",
                "Did you drop the bias column of ∂E/∂W_out? It is (Ŷ − Y)ᵀ [1 Z], (m, H+1), column 0 Σ_t (ŷ_t − y_t).",
                "∂E/∂W_out のバイアスの列を落としていませんか？(Ŷ − Y)ᵀ [1 Z] は (m, H+1) で、列 0 は Σ_t (ŷ_t − y_t) です。",
                _backward(out_bias=False)),
        Mistake("sign_flipped",
                "Did you use Y − Ŷ? That is the negative gradient; the output error is ŷ_t − y_t.",
                "Y − Ŷ を使っていませんか？それは勾配の符号を反転したものです。出力の誤差は ŷ_t − y_t です。",
                _backward(sign=-1.0)),
    ),
}
