"""tdnn: the time-delay neural network — the window stack, the forward pass, the δ's, ∂E/∂W_k, ∂E/∂x_t
and the whole gradient.

References come from rnnref.tdnn (batched) with N = 1; the lecture's D (H, T) is rnnref's D[0].T and
the student's ∂E/∂x_t (T, d) is rnnref's dX[0] without its bias column.

The sizes are this suite's own, (T, d, H, m, K): within each, T, d+1, H, H+1, m and K all differ (K
is a dimension of W and dW), with T < K, T = 1, K = 1 (a feed-forward net) and H = 1 among them.
W's column 0 of W_k, k ≥ 1, is random, not 0: a forward that lets it meet a 1 (the bias counted K
times) is caught.
"""

from __future__ import annotations

import numpy as np

from rnnref.tdnn import delay_windows, tdnn_net_backward, tdnn_net_forward, tdnn_net_loss

from ..cases import FDGradients
from . import FD_LABEL, Suite, fd_last, numerical_gradients, spread
from ._data import matrix, sequence

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 3

A = "tdnn"

# (T, d, H, m, K)
SIZES_VISIBLE = [(7, 1, 4, 6, 3), (2, 4, 3, 7, 6)]  # general; T < K
SIZES_HIDDEN = [(1, 3, 2, 5, 6), (9, 4, 6, 3, 1), (8, 2, 1, 4, 5)]  # T = 1; K = 1; H = 1
FD_SIZE = (7, 1, 3, 5, 6)  # T=7, d+1=2, H=3, H+1=4, m=5, K=6


def sizes():
    """(label, (T, d, H, m, K), visible) for every size."""
    for T, d, H, m, K in SIZES_VISIBLE:
        yield f"T={T}, d={d}, H={H}, m={m}, K={K}", (T, d, H, m, K), True
    for T, d, H, m, K in SIZES_HIDDEN:
        yield f"T={T}, d={d}, H={H}, m={m}, K={K}", (T, d, H, m, K), False


def _variants(build, label="T={T}, d={d}, H={H}, m={m}, K={K}"):
    """One variant per size, labelled with the dimensions that matter to the function."""
    return [(label.format(T=T, d=d, H=H, m=m, K=K), (lambda rng, dims=dims: build(rng, *dims)), visible)
            for _, dims, visible in sizes() for T, d, H, m, K in [dims]]


def _model(rng, T, d, H, m, K):
    """Inputs, parameters (column 0 of W_k, k ≥ 1, random too), targets and rnnref's forward and backward."""
    X = sequence(rng, T, d)
    P = {"W": matrix(rng, K, H, d + 1), "W_out": matrix(rng, m, H + 1)}
    Y = rng.standard_normal((T, m))
    Yhat, cache = tdnn_net_forward(X[None], P)
    res = tdnn_net_backward(cache, Y[None])
    return X, P, Y, Yhat[0], cache["tdnn"]["U"][0], cache["tdnn"]["Z"][0], res


def _delayed_inputs(rng, T, d, H, m, K):
    X = sequence(rng, T, d)
    return (X, K), {}, delay_windows(X[None], K)[0]


def _forward(rng, T, d, H, m, K):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, K)
    return (X, P["W"], P["W_out"]), {}, (U, Z, Yhat)


def _deltas(rng, T, d, H, m, K):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, K)
    return (U, Yhat, Y, P["W_out"]), {}, res.D[0].T


def _grad_W(rng, T, d, H, m, K):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, K)
    return (res.D[0].T, X, K), {}, res.grads["W"]


def _grad_X(rng, T, d, H, m, K):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, K)
    return (res.D[0].T, P["W"]), {}, res.dX[0][:, 1:]


def _backward(rng, T, d, H, m, K):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, K)
    return (X, P["W"], P["W_out"], Y), {}, dict(res.grads)


def _grads_from_D(D, extra):
    """The lecture's sums from the student's D: ∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k} = D Xd[:, k]."""
    return {"W": np.einsum("ht,tkj->khj", np.asarray(D, dtype=np.float64), extra["Xd"])}


def _fd(kind):
    """A finite-difference case: the expected gradients are central differences of the reference loss."""
    T, d, H, m, K = FD_SIZE

    def make(rng):
        X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, K)

        def loss(p):
            return tdnn_net_loss(tdnn_net_forward(X[None], p)[1], Y[None])[0]

        D = res.D[0].T
        if kind == "deltas":
            extra = {"Xd": delay_windows(X[None], K)[0]}
            fd = FDGradients(numerical_gradients(loss, P, ("W",)), D, extra, "D")
            return (U, Yhat, Y, P["W_out"]), {}, fd
        if kind == "grad_W":
            return (D, X, K), {}, FDGradients(numerical_gradients(loss, P, ("W",)), res.grads["W"])
        return (X, P["W"], P["W_out"], Y), {}, FDGradients(numerical_gradients(loss, P), dict(res.grads))

    fields = {"compare": "gradcheck", "post": _grads_from_D if kind == "deltas" else None}
    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}, m={m}, K={K}", make, False, fields)]


ROWS = {"U": (0, "u_{}"), "Z": (0, "z_{}"), "Yhat": (0, "ŷ_{}"), "D": (1, "δ_{}"), "dX": (0, "∂E/∂x_{}")}

SUITE = Suite(
    assignment=A,
    seed=20231216,
    points={"delayed_inputs": 2, "forward": 2, "deltas": 1, "grad_W": 3, "grad_X": 2, "backward": 2},
    cases=fd_last(
        spread("delayed_inputs", 2, _variants(_delayed_inputs, "T={T}, d={d}, K={K}"), assignment=A,
               arg_names=("X", "K"), outputs="Xd", labels=ROWS,
               hints={"shape": {"en": "Xd is (T, K, d+1): one window per step, one slot per delay k = 0 … K−1.",
                                "ja": "Xd は (T, K, d+1) です。各時刻に窓が一つ、遅れ k = 0 … K−1 ごとに枠が一つあります。"},
                      "value": {"en": "Slot k of row t−1 is x_{t−k}: x_t itself for k = 0, and for k ≥ 1 x_{t−k} with "
                                      "0 in place of its 1; all zeros where t − k < 1.",
                                "ja": "行 t−1 の枠 k は x_{t−k} です。k = 0 は x_t そのもの、k ≥ 1 は x_{t−k} の 1 を 0 に"
                                      "置き換えたもので、t − k < 1 ならすべて 0 です。"}})
        + spread("forward", 2, _variants(_forward), assignment=A, arg_names=("X", "W", "W_out"),
                 outputs=("U", "Z", "Yhat"), labels=ROWS,
                 hints={"shape": {"en": "U and Z are (T, H) and Yhat is (T, m): one row per step.",
                                  "ja": "U と Z は (T, H)、Yhat は (T, m) です。各時刻が 1 行です。"},
                        "value": {"en": "u_t = Σ_k W_k x^{(k)}_{t−k} over k = 0 … K−1 (W[k] = W_k), with x_s = 0 for "
                                        "s < 1 and the bias 1 through W_0 only; z_t = tanh(u_t), ŷ_t = W_out [1; z_t].",
                                  "ja": "u_t = Σ_k W_k x^{(k)}_{t−k}（k = 0 … K−1、W[k] = W_k）で、s < 1 では x_s = 0、"
                                        "バイアスの 1 は W_0 にだけ掛かります。z_t = tanh(u_t)、ŷ_t = W_out [1; z_t] です。"}})
        + spread("deltas", 1, _variants(_deltas) + _fd("deltas"), assignment=A,
                 arg_names=("U", "Yhat", "Y", "W_out"), outputs="D", labels=ROWS,
                 hints={"shape": {"en": "D stores δ_1 … δ_T as columns: (H, T).",
                                  "ja": "D は δ_1 … δ_T を列として並べた (H, T) の行列です。"},
                        "value": {"en": "δ_t = W̃_outᵀ (ŷ_t − y_t) ⊙ (1 − tanh(u_t)²) with W̃_out = W_out[:, 1:]; "
                                        "no term from δ_{t+1}: the TDNN has no recurrence.",
                                  "ja": "δ_t = W̃_outᵀ (ŷ_t − y_t) ⊙ (1 − tanh(u_t)²)、W̃_out = W_out[:, 1:] です。"
                                        "TDNN には再帰がないので δ_{t+1} からの項はありません。"}})
        + spread("grad_W", 3, _variants(_grad_W, "T={T}, d={d}, H={H}, K={K}") + _fd("grad_W"), assignment=A,
                 arg_names=("D", "X", "K"), outputs="dW",
                 hints={"shape": {"en": "dW is (K, H, d+1), like W: dW[k] = ∂E/∂W_k.",
                                  "ja": "dW は W と同じ (K, H, d+1) で、dW[k] = ∂E/∂W_k です。"},
                        "value": {"en": "∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k}: δ_t meets the input k steps back "
                                        "(0 before t = 1), and column 0 is 0 for k ≥ 1.",
                                  "ja": "∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k} です。δ_t には k 時刻前の入力（t = 1 より前は 0）を"
                                        "掛け、k ≥ 1 では列 0 が 0 になります。"}})
        + spread("grad_X", 2, _variants(_grad_X, "T={T}, d={d}, H={H}, K={K}"), assignment=A,
                 arg_names=("D", "W"), outputs="dX", labels=ROWS,
                 hints={"shape": {"en": "dX is (T, d): ∂E/∂x_t for the d inputs, without the constant 1.",
                                  "ja": "dX は (T, d) です。d 個の入力についての ∂E/∂x_t で、定数の 1 は含めません。"},
                        "value": {"en": "∂E/∂x_t = Σ_k W̃_kᵀ δ_{t+k} over the k with t + k ≤ T: x_t reaches "
                                        "u_t … u_{t+K−1}; W̃_k = W[k][:, 1:].",
                                  "ja": "∂E/∂x_t = Σ_k W̃_kᵀ δ_{t+k}（t + k ≤ T の k について）です。x_t は u_t … u_{t+K−1} に"
                                        "入ります。W̃_k = W[k][:, 1:] です。"}})
        + spread("backward", 2, _variants(_backward) + _fd("backward"), assignment=A,
                 arg_names=("X", "W", "W_out", "Y"), outputs="grads",
                 hints={"shape": {"en": "Return a dict with the keys \"W\" (K, H, d+1) and \"W_out\" (m, H+1).",
                                  "ja": "キー \"W\" (K, H, d+1) と \"W_out\" (m, H+1) を持つ辞書を返してください。"},
                        "value": {"en": "Chain your forward, deltas and grad_W (fix those first if they fail); "
                                        "∂E/∂W_out = (Ŷ − Y)ᵀ [1 Z] with the bias column first.",
                                  "ja": "あなたの forward、deltas、grad_W をつないでください（それらが不合格なら先に直してください）。"
                                        "∂E/∂W_out = (Ŷ − Y)ᵀ [1 Z] で、バイアスの列が先頭です。"}})
    ),
)

#: for the general diagnosis (autograder/diagnosis.py): the gradients' names, and how time enters each function —
#: a TDNN has no recurrence: a window over the K − 1 earlier inputs (its gradient ∂E/∂x_t over the later δ's), and
#: δ_t of each step on its own
DIAGNOSIS = {
    "names": {
        "W": {"en": "the delay weights W_0 … W_{K−1}", "ja": "遅れの重み W_0 … W_{K−1}"},
        "W_out": {"en": "the output weights W_out", "ja": "出力の重み W_out"},
    },
    "across_time": {"delayed_inputs": "window", "forward": "window", "deltas": "steps", "grad_W": "window",
                    "grad_X": "window_back", "backward": "window"},
}
