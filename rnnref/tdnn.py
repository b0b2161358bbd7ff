"""The time-delay neural network (TDNN, 時間遅れネットワーク), batched: a causal 1-D convolution over time.

Seed 004 §6.2.1 lists it beside the Elman network, the Jordan network and the ESN. Each hidden
unit sees the last K inputs through K weight matrices W_0 … W_{K−1}, and no state is carried
from step to step (fixed memory: nothing older than x_{t−K+1} reaches u_t):

    u_t = Σ_{k=0}^{K−1} W_k x^{(k)}_{t−k},   z_t = f(u_t),   v_t = W_out [1; z_t],   ŷ_t = g(v_t)
    x^{(0)}_t = x_t (its leading 1 is the bias),
    x^{(k)}_s = (0, x_s1, …, x_sd)ᵀ for k ≥ 1 (the delayed copies carry a 0 where x_t carries its 1),
    x_s = 0 for s < 1 (zero padding on the past: causal, no wrap-around).

So the bias is counted once, W_0's column 0; column 0 of W_k, k ≥ 1, multiplies a 0: it is kept
only so that every W_k has the (H, d+1) shape of the lecture's W_in, and its gradient is 0.
The window stack Ξ_t = (x^{(0)}_t, x^{(1)}_{t−1}, …, x^{(K−1)}_{t−K+1}) is the im2col view of the
convolution (``delay_windows``), and u_t = Σ_k W_k Ξ_t[k]. With δ_t = ∂E/∂u_t = ∂E/∂z_t ⊙ f′(u_t)
(no recursion in time: u_t depends on no earlier u):

    ∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k}         (D X shifted down k steps, bias entries zero for k ≥ 1)
    ∂E/∂x_t = Σ_{k=0}^{K−1} W_kᵀ δ_{t+k}      (δ_s = 0 for s > T: the future steps that saw x_t)

where ∂E/∂x_t's bias entry (column 0 of dX) gets W_0's column only, as x_t's 1 enters u_t alone.

In PyTorch terms: nn.Conv1d(d, H, K) on the input left-padded with K−1 zeros, with
weight[:, :, K−1−k] = W_k[:, 1:] (Conv1d's kernel is read oldest tap first) and bias = W_0[:, 0].

Storage: W is one array (K, H, d+1), W[k] = W_k. Batches are (N, T, ·) as in rnnref.rnn; the
lecture's D (H, T) of sequence n is D[n].T.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shapes import compute_dtype
from .activations import (
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    hidden_activation,
    hidden_derivative,
    output_loss,
    softmax,
)
from .rnn import affine_out_backward, affine_out_forward

__all__ = [
    "TDNN_KEYS",
    "init_tdnn_params",
    "delay_windows",
    "tdnn_forward",
    "tdnn_backward",
    "TDNNBackward",
    "tdnn_net_forward",
    "tdnn_net_loss",
    "tdnn_net_backward",
    "TDNNNetBackward",
]

TDNN_KEYS = ("W", "W_out")


def init_tdnn_params(d: int, H: int, m: int, K: int, *, seed: int = 0, scale: float | None = None) -> dict:
    """Random TDNN parameters, float64: entries uniform in ±1/√(K d + 1) unless ``scale`` is given.

    Column 0 of W[k], k ≥ 1, is set to 0 (it multiplies a 0 and is never trained).

    Returns
    -------
    params : {"W": (K, H, d+1), "W_out": (m, H+1)}
    """
    if d < 1 or H < 1 or m < 1 or K < 1:
        raise ValueError(f"need d, H, m, K ≥ 1, got d={d}, H={H}, m={m}, K={K}")
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(K * d + 1) if scale is None else scale
    W = rng.uniform(-s, s, (K, H, d + 1))
    W[1:, :, 0] = 0.0
    s_out = 1.0 / np.sqrt(H) if scale is None else scale
    return {"W": W, "W_out": rng.uniform(-s_out, s_out, (m, H + 1))}


def _check(X: np.ndarray, W: np.ndarray) -> None:
    if np.ndim(W) != 3:
        raise ValueError(f"W must be (K, H, d+1), one W_k per delay, got shape {np.shape(W)}")
    if X.ndim != 3 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must be a non-empty (N, T, d+1) batch, got shape {X.shape}")
    if X.shape[2] != W.shape[2]:
        raise ValueError(
            f"X must be (N, T, d+1) = (N, T, {W.shape[2]}) to match W (K, H, d+1), got {X.shape}: "
            "x_t must have d+1 entries, the leading 1 included"
        )


def delay_windows(X: np.ndarray, K: int) -> np.ndarray:
    """The window stack Ξ (the im2col view): Ξ[n, t−1, k] = x^{(k)}_{t−k}.

    x^{(0)}_t = x_t; for k ≥ 1 the delayed copy x_{t−k} with its bias entry set to 0; rows with
    t − k < 1 are zero (padding on the past).

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    K : int ≥ 1  the number of taps (delays 0 … K−1)

    Returns
    -------
    Xi : (N, T, K, d+1)
    """
    if int(K) != K or K < 1:
        raise ValueError(f"K must be a positive number of taps, got {K!r}")
    K = int(K)
    N, T, d1 = X.shape
    Xi = np.zeros((N, T, K, d1), dtype=compute_dtype(X))
    for k in range(min(K, T)):
        Xi[:, k:, k] = X[:, : T - k]
    Xi[:, :, 1:, 0] = 0.0  # the bias 1 enters through W_0 only
    return Xi


def tdnn_forward(X: np.ndarray, params: dict, f: str = "tanh"):
    """The hidden states z_t = f(Σ_k W_k x^{(k)}_{t−k}) of a batch, all steps at once.

    u_t for every (n, t) is one matrix product of the window stack, (N T, K(d+1)) by (K(d+1), H).

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    params : dict with W (K, H, d+1) (other keys are ignored)
    f : "tanh" or "relu"

    Returns
    -------
    Z : (N, T, H)
    cache : {"Xi": (N, T, K, d+1), "U": (N, T, H), "Z": (N, T, H), "W", "f"} for tdnn_backward
    """
    W = np.asarray(params["W"])
    X = np.asarray(X)
    _check(X, W)
    if f not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"unknown hidden activation f={f!r}; use one of {HIDDEN_ACTIVATIONS}")
    K, H, d1 = W.shape
    N, T, _ = X.shape
    Xi = delay_windows(X, K)
    Wflat = W.transpose(1, 0, 2).reshape(H, K * d1)  # row h: (W_0[h], W_1[h], …)
    U = (Xi.reshape(N * T, K * d1) @ Wflat.T).reshape(N, T, H)
    Z = hidden_activation(f, U)
    return Z, {"Xi": Xi, "U": U, "Z": Z, "W": W, "f": f}


class TDNNBackward(NamedTuple):
    """What tdnn_backward returns.

    grads : {"W": (K, H, d+1)}  ∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k}; column 0 of W_k, k ≥ 1, is 0
    D : (N, T, H)  δ_t = ∂E/∂u_t (the lecture's D of sequence n is D[n].T)
    dX : (N, T, d+1)  ∂E/∂x_t = Σ_k W_kᵀ δ_{t+k} (column 0: W_0[:, 0]ᵀ δ_t, the bias entry)
    """

    grads: dict
    D: np.ndarray
    dX: np.ndarray


def tdnn_backward(dZ: np.ndarray, cache) -> TDNNBackward:
    """Backward through the TDNN layer: δ_t = dZ_t ⊙ f′(u_t), then ∂E/∂W and ∂E/∂X.

    Parameters
    ----------
    dZ : (N, T, H)  ∂E/∂z_t from above
    cache : from tdnn_forward

    Returns
    -------
    TDNNBackward(grads, D, dX)
    """
    Xi, U, Z, W, f = cache["Xi"], cache["U"], cache["Z"], cache["W"], cache["f"]
    N, T, K, d1 = Xi.shape
    H = W.shape[1]
    if dZ.shape != (N, T, H):
        raise ValueError(f"dZ must be (N, T, H) = {(N, T, H)}, got {dZ.shape}")
    D = dZ * hidden_derivative(f, U, Z)
    D2 = D.reshape(N * T, H)
    # forward was: u_t = Σ_k W_k Ξ_t[k], one product over (n, t)
    dW = (D2.T @ Xi.reshape(N * T, K * d1)).reshape(H, K, d1).transpose(1, 0, 2)
    dXi = (D2 @ W.transpose(1, 0, 2).reshape(H, K * d1)).reshape(N, T, K, d1)
    # forward was: Ξ_t[k] = x_{t−k} (bias entry 0 for k ≥ 1): send each slot back k steps
    dX = np.zeros((N, T, d1), dtype=D.dtype)
    dX[..., 0] = dXi[:, :, 0, 0]
    for k in range(min(K, T)):
        dX[:, : T - k, 1:] += dXi[:, k:, k, 1:]
    return TDNNBackward({"W": np.ascontiguousarray(dW)}, D, dX)


def tdnn_net_forward(X: np.ndarray, params: dict, *, f: str = "tanh", g: str = "identity"):
    """Outputs ŷ_t = g(W_out [1; z_t]) of the TDNN, one output per step (many-to-many).

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    params : {"W": (K, H, d+1), "W_out": (m, H+1)}
    f : "tanh" or "relu";  g : "identity" (regression) or "softmax" (classification)

    Returns
    -------
    Yhat : (N, T, m)
    cache : for tdnn_net_backward; holds "V", the layer's cache "tdnn" and the output cache "out"
    """
    if g not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output activation g={g!r}; use one of {OUTPUT_ACTIVATIONS}")
    Z, lcache = tdnn_forward(X, params, f=f)
    V, ocache = affine_out_forward(Z, params["W_out"])
    Yhat = softmax(V) if g == "softmax" else V
    return Yhat, {"tdnn": lcache, "out": ocache, "V": V, "g": g}


def tdnn_net_loss(cache, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """E and δ^out = g(V) − Y for the outputs of tdnn_net_forward (see activations.output_loss)."""
    return output_loss(cache["V"], Y, cache["g"])


class TDNNNetBackward(NamedTuple):
    """What tdnn_net_backward returns.

    E : float  the loss
    grads : {"W": (K, H, d+1), "W_out": (m, H+1)}, the keys of params
    D : (N, T, H)  δ_t = ∂E/∂u_t = W̃_outᵀ (g(v_t) − y_t) ⊙ f′(u_t)
    dX : (N, T, d+1)  ∂E/∂x_t
    """

    E: float
    grads: dict
    D: np.ndarray
    dX: np.ndarray


def tdnn_net_backward(cache, Y: np.ndarray) -> TDNNNetBackward:
    """Every gradient of the TDNN network: δ^out, δ_t, Σ_t δ_t x^{(k)ᵀ}_{t−k} and (g(V) − Y)[1 Z].

    Parameters
    ----------
    cache : from tdnn_net_forward
    Y : (N, T, m)

    Returns
    -------
    TDNNNetBackward(E, grads, D, dX)
    """
    E, dV = tdnn_net_loss(cache, Y)
    dZ, dW_out = affine_out_backward(dV, cache["out"])
    back = tdnn_backward(dZ, cache["tdnn"])
    return TDNNNetBackward(E, {"W": back.grads["W"], "W_out": dW_out}, back.D, back.dX)
