"""The bidirectional Elman RNN (BiRNN), batched, built on rnnref.rnn's rnn_forward and rnn_backward.

Lecture convention (seeds 000, 002, 003: "過去だけではなく未来からの情報も通す"): two RNNs read the
same sequence, one from the past to the future (順方向, forward direction, "fw"), one from the
future to the past (逆方向, backward direction, "bw"), and the output layer reads both states:

    u→_t = W_in→ x_t + W→ z→_{t−1},   z→_t = f(u→_t),   t = 1 … T,   z→_0 = 0
    u←_t = W_in← x_t + W← z←_{t+1},   z←_t = f(u←_t),   t = T … 1,   z←_{T+1} = 0
    v_t = W_out [1; z→_t; z←_t],       ŷ_t = g(v_t)

so z→_t has seen x_1 … x_t and z←_t has seen x_t … x_T. The backward direction is an ordinary
Elman RNN run on the reversed sequence x_T, …, x_1; its states, read back in time order, are
z←_1 … z←_T. With δ^out_t = g(v_t) − y_t and W_out = [b, W̃_out→, W̃_out←] (columns 0, 1…H, H+1…2H):

    δ→_t = (W→ᵀ δ→_{t+1} + W̃_out→ᵀ δ^out_t) ⊙ f′(u→_t),   t = T … 1,   δ→_{T+1} = 0
    δ←_t = (W←ᵀ δ←_{t−1} + W̃_out←ᵀ δ^out_t) ⊙ f′(u←_t),   t = 1 … T,   δ←_0 = 0
    ∂E/∂W_in→ = D→ X,   ∂E/∂W→ = D→ Z̃→,   Z̃→ = (z→_0, …, z→_{T−1})ᵀ
    ∂E/∂W_in← = D← X,   ∂E/∂W← = D← Z̃←,   Z̃← = (z←_2, …, z←_{T+1})ᵀ
    ∂E/∂W_out = (g(V) − Y) [1 Z→ Z←]

The two directions share nothing but the input and the output layer: the δ recursion of the
backward direction runs forward in time, with its own W←.

Parameters: {"W_in_fw": (H, d+1), "W_fw": (H, H), "W_in_bw": (H, d+1), "W_bw": (H, H)} for the
layer, plus "W_out": (m, 2H+1) for the network. Batches are (N, T, ·) as in rnnref.rnn; every
array returned here is in time order (row t−1 of a sequence belongs to step t), the backward
direction's included.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import OUTPUT_ACTIVATIONS, output_loss, softmax
from .rnn import affine_out_backward, affine_out_forward, rnn_backward, rnn_forward

__all__ = [
    "BIRNN_KEYS",
    "LAYER_KEYS",
    "init_birnn_params",
    "birnn_forward",
    "birnn_states",
    "birnn_backward",
    "BiRNNBackward",
    "bi_elman_forward",
    "bi_elman_loss",
    "bi_elman_backward",
    "bi_bptt",
    "BiBPTT",
]

LAYER_KEYS = ("W_in_fw", "W_fw", "W_in_bw", "W_bw")
BIRNN_KEYS = LAYER_KEYS + ("W_out",)


def init_birnn_params(d: int, H: int, m: int, *, seed: int = 0, scale: float | None = None) -> dict:
    """Random BiRNN parameters in the lecture's shapes, float64.

    Entries are uniform in ±1/√H (PyTorch's nn.RNN initialisation) unless ``scale`` is given;
    drawn in the order of BIRNN_KEYS.

    Returns
    -------
    params : {"W_in_fw": (H, d+1), "W_fw": (H, H), "W_in_bw": (H, d+1), "W_bw": (H, H),
              "W_out": (m, 2H+1)}
    """
    if d < 1 or H < 1 or m < 1:
        raise ValueError(f"need d ≥ 1 inputs, H ≥ 1 hidden units and m ≥ 1 outputs, got d={d}, H={H}, m={m}")
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(H) if scale is None else scale
    shapes = {"W_in_fw": (H, d + 1), "W_fw": (H, H), "W_in_bw": (H, d + 1), "W_bw": (H, H), "W_out": (m, 2 * H + 1)}
    return {k: rng.uniform(-s, s, shapes[k]) for k in BIRNN_KEYS}


def _direction(params: dict, which: str) -> dict:
    """The {"W_in", "W"} of one direction, as rnn_forward reads them."""
    missing = [k for k in (f"W_in_{which}", f"W_{which}") if k not in params]
    if missing:
        raise ValueError(f"BiRNN parameters {missing} are missing; the layer needs {LAYER_KEYS}")
    return {"W_in": params[f"W_in_{which}"], "W": params[f"W_{which}"]}


def birnn_forward(
    X: np.ndarray,
    params: dict,
    f: str = "tanh",
    z0_fw: np.ndarray | None = None,
    z0_bw: np.ndarray | None = None,
):
    """The states [z→_t; z←_t] of both directions for a batch of sequences.

    z→_t = f(W_in→ x_t + W→ z→_{t−1}) from z→_0 (``z0_fw``, zeros by default), t = 1 … T;
    z←_t = f(W_in← x_t + W← z←_{t+1}) from z←_{T+1} (``z0_bw``, zeros by default), t = T … 1:
    rnn_forward on the reversed sequence, its states reversed back to time order.
    nn.RNN(bidirectional=True)'s output, with h0 = [z0_fw, z0_bw].

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    params : "W_in_fw", "W_in_bw": (H, d+1); "W_fw", "W_bw": (H, H) (other keys are ignored)
    f : "tanh" or "relu"
    z0_fw : (N, H) or None  z→_0
    z0_bw : (N, H) or None  z←_{T+1}, where the backward direction starts

    Returns
    -------
    Z : (N, T, 2H)  row t−1 of sequence n is [z→_t; z←_t], the forward direction's H entries first
    cache : {"fw": rnn_forward's cache, "bw": rnn_forward's cache of the reversed sequence
        (time-major in reversed time), "H": H}; birnn_states reads them in time order
    """
    fw, bw = _direction(params, "fw"), _direction(params, "bw")
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(f"X must be (N, T, d+1), got {X.ndim} dimensions with shape {X.shape}")
    if np.shape(fw["W"]) != np.shape(bw["W"]):
        raise ValueError(f"W_fw and W_bw must both be (H, H), got {np.shape(fw['W'])} and {np.shape(bw['W'])}")
    Z_fw, cache_fw = rnn_forward(X, fw, f=f, z0=z0_fw)
    Z_rev, cache_bw = rnn_forward(X[:, ::-1], bw, f=f, z0=z0_bw)  # reads x_T, …, x_1
    Z = np.concatenate([Z_fw, Z_rev[:, ::-1]], axis=-1)  # z←_t back in time order
    return Z, {"fw": cache_fw, "bw": cache_bw, "H": Z_fw.shape[-1]}


def birnn_states(cache) -> dict:
    """u→_t, z→_t, u←_t, z←_t of every sequence and step, in time order.

    Parameters
    ----------
    cache : from birnn_forward, or from bi_elman_forward (its layer's cache is read)

    Returns
    -------
    {"U_fw", "Z_fw", "U_bw", "Z_bw"} : each (N, T, H); [n, t−1] is the vector of step t
    """
    cache = cache.get("layer", cache)
    fw, bw = cache["fw"], cache["bw"]
    return {
        "U_fw": fw["U"].transpose(1, 0, 2),
        "Z_fw": fw["Z"].transpose(1, 0, 2),
        "U_bw": bw["U"][::-1].transpose(1, 0, 2),
        "Z_bw": bw["Z"][::-1].transpose(1, 0, 2),
    }


class BiRNNBackward(NamedTuple):
    """What birnn_backward returns.

    grads : {"W_in_fw": D→ X, "W_fw": D→ Z̃→, "W_in_bw": D← X, "W_bw": D← Z̃←}
    D_fw : (N, T, H)  δ→_t = ∂E/∂u→_t in time order (the lecture's (H, T) D→ of sequence n is D_fw[n].T)
    D_bw : (N, T, H)  δ←_t = ∂E/∂u←_t in time order
    dX : (N, T, d+1)  ∂E/∂x_t = W_in→ᵀ δ→_t + W_in←ᵀ δ←_t (the bias column included)
    dz0_fw : (N, H)  ∂E/∂z→_0 = W→ᵀ δ→_1
    dz0_bw : (N, H)  ∂E/∂z←_{T+1} = W←ᵀ δ←_T
    """

    grads: dict
    D_fw: np.ndarray
    D_bw: np.ndarray
    dX: np.ndarray
    dz0_fw: np.ndarray
    dz0_bw: np.ndarray


def birnn_backward(dZ: np.ndarray, cache) -> BiRNNBackward:
    """BPTT through both directions from ∂E/∂[z→_t; z←_t] arriving from above.

    The first H entries of dZ go to the forward direction's δ recursion (t = T … 1), the last H
    to the backward direction's, which is rnn_backward on the reversed sequence: its δ's run
    from t = 1 to T (δ←_0 = 0) and are reversed back to time order.

    Parameters
    ----------
    dZ : (N, T, 2H)  ∂E/∂[z→_t; z←_t]|direct (for the lecture's output layer W̃_outᵀ (g(v_t) − y_t))
    cache : from birnn_forward

    Returns
    -------
    BiRNNBackward(grads, D_fw, D_bw, dX, dz0_fw, dz0_bw), see its docstring for the shapes
    """
    H = cache["H"]
    T, N, _ = cache["fw"]["U"].shape
    dZ = np.asarray(dZ)
    if dZ.shape != (N, T, 2 * H):
        raise ValueError(f"dZ must be (N, T, 2H) = {(N, T, 2 * H)}, got {dZ.shape}")
    fw = rnn_backward(dZ[..., :H], cache["fw"])
    rev = rnn_backward(dZ[:, ::-1, H:], cache["bw"])  # δ←_1 is computed last: δ←_0 = 0
    grads = {
        "W_in_fw": fw.grads["W_in"],
        "W_fw": fw.grads["W"],
        "W_in_bw": rev.grads["W_in"],
        "W_bw": rev.grads["W"],
    }
    return BiRNNBackward(grads, fw.D, rev.D[:, ::-1], fw.dX + rev.dX[:, ::-1], fw.dz0, rev.dz0)


def bi_elman_forward(X: np.ndarray, params: dict, *, f: str = "tanh", g: str = "identity",
                     z0_fw: np.ndarray | None = None, z0_bw: np.ndarray | None = None):
    """Outputs ŷ_t = g(W_out [1; z→_t; z←_t]) of the bidirectional network, one per step.

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    params : the layer's four matrices and "W_out": (m, 2H+1), column 0 the output bias
    f : "tanh" or "relu"
    g : "identity" (regression) or "softmax" (classification)

    Returns
    -------
    Yhat : (N, T, m)
    cache : for bi_elman_backward: {"layer": birnn_forward's cache, "out": the output layer's,
        "V": (N, T, m), "g": g}
    """
    if g not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output activation g={g!r}; use one of {OUTPUT_ACTIVATIONS}")
    if "W_out" not in params:
        raise ValueError("the network needs params['W_out'] (m, 2H+1)")
    Z, lcache = birnn_forward(X, params, f=f, z0_fw=z0_fw, z0_bw=z0_bw)
    if params["W_out"].shape[1] != Z.shape[-1] + 1:
        H = lcache["H"]
        raise ValueError(f"W_out must be (m, 2H+1) = (m, {2 * H + 1}): it reads [1; z→_t; z←_t], "
                         f"got {params['W_out'].shape}")
    V, ocache = affine_out_forward(Z, params["W_out"])
    Yhat = softmax(V) if g == "softmax" else V
    return Yhat, {"layer": lcache, "out": ocache, "V": V, "g": g}


def bi_elman_loss(cache, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """E and δ^out = g(V) − Y for the outputs of bi_elman_forward (see activations.output_loss)."""
    return output_loss(cache["V"], Y, cache["g"])


class BiBPTT(NamedTuple):
    """What bi_elman_backward and bi_bptt return.

    E : float  the loss
    grads : the five gradients, same keys as params (BIRNN_KEYS)
    D_fw, D_bw : (N, T, H)  δ→_t and δ←_t in time order
    """

    E: float
    grads: dict
    D_fw: np.ndarray
    D_bw: np.ndarray


def bi_elman_backward(cache, Y: np.ndarray) -> BiBPTT:
    """BPTT for the bidirectional network: δ^out, W̃_outᵀ δ^out split between the directions,
    the two δ recursions, and every weight gradient.

    Parameters
    ----------
    cache : from bi_elman_forward
    Y : (N, T, m)  targets (one-hot rows for classification)

    Returns
    -------
    BiBPTT(E, grads, D_fw, D_bw)
    """
    E, dV = bi_elman_loss(cache, Y)
    dZ, dW_out = affine_out_backward(dV, cache["out"])  # W̃_outᵀ δ^out_t: (N, T, 2H)
    back = birnn_backward(dZ, cache["layer"])
    return BiBPTT(E, dict(back.grads, W_out=dW_out), back.D_fw, back.D_bw)


def bi_bptt(X: np.ndarray, Y: np.ndarray, params: dict, *, f: str = "tanh", g: str = "identity") -> BiBPTT:
    """Forward and backward in one call: the loss, the five gradients and both directions' δ's."""
    _, cache = bi_elman_forward(X, params, f=f, g=g)
    return bi_elman_backward(cache, Y)
