"""The Elman RNN of the lectures, batched, with BPTT that returns the δ's.

Lecture convention (seed 001):
    u_t = W_in x_t + W z_{t−1},   z_t = f(u_t),   z_0 = 0
    v_t = W_out [1; z_t],          ŷ_t = g(v_t)
    δ_t = ∂E/∂u_t = (Wᵀ δ_{t+1} + W̃_outᵀ (g(v_t) − y_t)) ⊙ ∇f(u_t),   δ_{T+1} = 0
    ∂E/∂W_in = D X,   ∂E/∂W = D Z̃,   ∂E/∂W_out = (g(V) − Y) [1 Z]

x_t carries the bias as a leading 1 (X's first column is ones); the bias of the
output layer is W_out's first column, so W̃_out = W_out[:, 1:].

Batching: a batch of N sequences is (N, T, ·). The lecture's D = (δ_1 … δ_T) of one
sequence is an (H, T) matrix of columns; here ``D`` is (N, T, H) and the lecture's
matrix of sequence n is ``D[n].T``. Likewise the lecture's X (T, d+1) is ``X[n]``.
The sums over t in DX and DZ̃ become sums over (n, t), done as one matrix product.

Internally the recurrence runs time-major ((T, N, H) contiguous), so each step is a
single (N, H) @ (H, H) product on contiguous memory; inputs and outputs are (N, T, ·).
Returned states are views of the cache (no copy on the hot path): modifying them in place
corrupts the backward pass. Copy before mutating.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shapes import check_sequences, compute_dtype, initial_state, time_major
from .activations import (
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    hidden_activation,
    hidden_derivative,
    output_loss,
    softmax,
)

__all__ = [
    "add_bias",
    "init_params",
    "rnn_forward",
    "rnn_backward",
    "RNNBackward",
    "affine_out_forward",
    "affine_out_backward",
    "elman_forward",
    "elman_loss",
    "elman_backward",
    "bptt",
    "BPTT",
]


def add_bias(A: np.ndarray) -> np.ndarray:
    """[1; a] for every vector a along the last axis: (..., k) -> (..., k+1), ones first."""
    ones = np.ones(A.shape[:-1] + (1,), dtype=A.dtype)
    return np.concatenate([ones, A], axis=-1)


def init_params(d: int, H: int, m: int, *, seed: int = 0, scale: float | None = None) -> dict:
    """Random Elman parameters in the lecture's shapes, float64.

    Entries are uniform in ±1/√H (PyTorch's nn.RNN initialisation) unless ``scale`` is given.

    Returns
    -------
    params : {"W_in": (H, d+1), "W": (H, H), "W_out": (m, H+1)}
    """
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(H) if scale is None else scale
    return {
        "W_in": rng.uniform(-s, s, (H, d + 1)),
        "W": rng.uniform(-s, s, (H, H)),
        "W_out": rng.uniform(-s, s, (m, H + 1)),
    }


def rnn_forward(X: np.ndarray, params: dict, f: str = "tanh", z0: np.ndarray | None = None):
    """Hidden states of the Elman recurrence for a batch of sequences.

    u_t = W_in x_t + W z_{t−1},  z_t = f(u_t),  z_0 = 0 unless ``z0`` is given.
    The input projections W_in x_t of all steps and sequences are one matrix product;
    only the recurrent product W z_{t−1} is taken step by step.

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    params : dict with W_in (H, d+1) and W (H, H) (other keys are ignored)
    f : "tanh" or "relu"
    z0 : (N, H) or None  initial state z_0

    Returns
    -------
    Z : (N, T, H)  z_t = f(u_t), t = 1 … T (z_0 not included, no bias column)
    cache : dict for rnn_backward. Its arrays are time-major: "U" (T, N, H) with
        u_t = W_in x_t + W z_{t−1}, "Z" (T, N, H), "X" (T, N, d+1), "z0" (N, H)
    """
    W_in, W = params["W_in"], params["W"]
    check_sequences(X, W_in.shape[1])
    if f not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"unknown hidden activation f={f!r}; use one of {HIDDEN_ACTIVATIONS}")
    N, T, _ = X.shape
    H = W.shape[0]
    dtype = compute_dtype(X, W_in, W, z0)
    Xt = time_major(X, dtype)
    U = (Xt.reshape(T * N, -1) @ W_in.T).reshape(T, N, H).astype(dtype, copy=False)
    Z = np.empty_like(U)
    z_prev = initial_state(z0, "z0", N, H, dtype)
    z_init = z_prev
    WT = W.T
    for t in range(T):
        U[t] += z_prev @ WT
        z_prev = hidden_activation(f, U[t], out=Z[t])
    cache = {"X": Xt, "U": U, "Z": Z, "z0": z_init, "W_in": W_in, "W": W, "f": f}
    return Z.transpose(1, 0, 2), cache


class RNNBackward(NamedTuple):
    """What rnn_backward returns.

    grads : {"W_in": (H, d+1) = D X, "W": (H, H) = D Z̃}
    D : (N, T, H)  δ_t = ∂E/∂u_t (the lecture's D of sequence n is D[n].T, (H, T))
    dX : (N, T, d+1)  ∂E/∂x_t = W_inᵀ δ_t (the bias column included)
    dz0 : (N, H)  ∂E/∂z_0 = Wᵀ δ_1
    dZ_total : (N, T, H)  ∂E/∂z_t through every path: the direct one and Wᵀ δ_{t+1}
    """

    grads: dict
    D: np.ndarray
    dX: np.ndarray
    dz0: np.ndarray
    dZ_total: np.ndarray


def rnn_backward(dZ: np.ndarray, cache, truncate: int | None = None) -> RNNBackward:
    """BPTT through the recurrence: the δ recursion, then DX and DZ̃ as one product each.

    δ_t = (Wᵀ δ_{t+1} + ∂E/∂z_t|direct) ⊙ ∇f(u_t),  δ_{T+1} = 0,
    where ∂E/∂z_t|direct (``dZ``) is what the layer above sends, for the lecture's
    output layer W̃_outᵀ (g(v_t) − y_t).

    Truncated BPTT (``truncate=k``): the sequence is cut into chunks of k steps
    (t = 1…k, k+1…2k, …) and no δ crosses a chunk boundary, as when the hidden state
    is detached every k steps; the forward pass is unchanged. ``dz0`` still receives
    the first chunk's gradient.

    Parameters
    ----------
    dZ : (N, T, H)  ∂E/∂z_t arriving from above (not through the recurrence)
    cache : from rnn_forward
    truncate : int ≥ 1 or None (full BPTT)

    Returns
    -------
    RNNBackward(grads, D, dX, dz0, dZ_total), see its docstring for the shapes
    """
    if truncate is not None and (int(truncate) != truncate or truncate < 1):
        raise ValueError(f"truncate must be a positive number of steps or None, got {truncate!r}")
    Xt, U, Z = cache["X"], cache["U"], cache["Z"]
    W_in, W, f, z0 = cache["W_in"], cache["W"], cache["f"], cache["z0"]
    T, N, H = U.shape
    if dZ.shape != (N, T, H):
        raise ValueError(f"dZ must be (N, T, H) = {(N, T, H)}, got {dZ.shape}")
    dZt = dZ.transpose(1, 0, 2)
    fprime = hidden_derivative(f, U, Z)
    D = np.empty_like(U, dtype=np.result_type(U, dZ))
    G = np.empty_like(D)
    back = np.zeros((N, H), dtype=D.dtype)  # row form of Wᵀ δ_{t+1}
    for t in range(T - 1, -1, -1):
        np.add(dZt[t], back, out=G[t])
        np.multiply(G[t], fprime[t], out=D[t])
        if truncate is not None and t % truncate == 0 and t > 0:
            back = np.zeros((N, H), dtype=D.dtype)
        else:
            back = D[t] @ W
    dz0 = back
    D2 = D.reshape(T * N, H)
    Z_tilde = np.concatenate([z0[None], Z[:-1]], axis=0)  # rows z_0 … z_{T−1}
    grads = {
        "W_in": D2.T @ Xt.reshape(T * N, -1),  # D X
        "W": D2.T @ Z_tilde.reshape(T * N, H),  # D Z̃
    }
    dX = (D2 @ W_in).reshape(T, N, -1)
    return RNNBackward(
        grads,
        D.transpose(1, 0, 2),
        dX.transpose(1, 0, 2),
        dz0,
        G.transpose(1, 0, 2),
    )


def affine_out_forward(Z: np.ndarray, W_out: np.ndarray):
    """Output pre-activations v_t = W_out [1; z_t], for any leading axes.

    Parameters
    ----------
    Z : (..., H)
    W_out : (m, H+1)  first column is the output bias

    Returns
    -------
    V : (..., m)
    cache : (Z, W_out)
    """
    if Z.shape[-1] + 1 != W_out.shape[1]:
        raise ValueError(f"W_out must be (m, H+1) = (m, {Z.shape[-1] + 1}), got {W_out.shape}")
    V = Z @ W_out[:, 1:].T + W_out[:, 0]
    return V, (Z, W_out)


def affine_out_backward(dV: np.ndarray, cache):
    """Gradients of v_t = W_out [1; z_t]: (g(V) − Y)[1 Z] and W̃_outᵀ δ^out_t.

    Parameters
    ----------
    dV : (..., m)  δ^out_t = ∂E/∂v_t
    cache : from affine_out_forward

    Returns
    -------
    dZ : (..., H)  W̃_outᵀ δ^out_t for every t
    dW_out : (m, H+1)  Σ δ^out_t [1; z_t]ᵀ over every leading axis
    """
    Z, W_out = cache
    H = Z.shape[-1]
    dV2 = dV.reshape(-1, dV.shape[-1])
    Z2 = Z.reshape(-1, H)
    dW_out = np.empty((dV2.shape[1], H + 1), dtype=np.result_type(dV, Z))
    dW_out[:, 0] = dV2.sum(axis=0)
    dW_out[:, 1:] = dV2.T @ Z2
    dZ = dV @ W_out[:, 1:]
    return dZ, dW_out


def elman_forward(
    X: np.ndarray,
    params: dict,
    *,
    f: str = "tanh",
    g: str = "identity",
    many_to_one: bool = False,
    z0: np.ndarray | None = None,
):
    """Outputs ŷ_t = g(W_out [1; f(W_in x_t + W z_{t−1})]) of the lecture's Elman network.

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    params : {"W_in": (H, d+1), "W": (H, H), "W_out": (m, H+1)}
    f : "tanh" or "relu"
    g : "identity" (regression) or "softmax" (classification)
    many_to_one : only the last step has an output (seed 001's many-to-one network)
    z0 : (N, H) or None

    Returns
    -------
    Yhat : (N, T, m), or (N, m) when many_to_one   ŷ_t = g(v_t)
    cache : for elman_backward; holds ``V`` (same shape as Yhat) and the rnn cache
    """
    if g not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output activation g={g!r}; use one of {OUTPUT_ACTIVATIONS}")
    Z, rcache = rnn_forward(X, params, f=f, z0=z0)
    Zo = Z[:, -1] if many_to_one else Z
    V, ocache = affine_out_forward(Zo, params["W_out"])
    Yhat = softmax(V) if g == "softmax" else V
    cache = {"rnn": rcache, "out": ocache, "V": V, "g": g, "many_to_one": many_to_one}
    return Yhat, cache


def elman_loss(cache, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """E and δ^out = g(V) − Y for the outputs of elman_forward (see activations.output_loss).

    Parameters
    ----------
    cache : from elman_forward
    Y : same shape as Yhat, (N, T, m) or (N, m) for many-to-one

    Returns
    -------
    E : float  ½ Σ ‖y_t − ŷ_t‖² or −Σ y_tk log ŷ_tk, summed over sequences and steps
    dV : like Y, δ^out_t = g(v_t) − y_t
    """
    return output_loss(cache["V"], Y, cache["g"])


class BPTT(NamedTuple):
    """What bptt and elman_backward return.

    E : float  the loss
    grads : {"W_in": (H, d+1), "W": (H, H), "W_out": (m, H+1)}, same keys as params
    D : (N, T, H)  δ_t = ∂E/∂u_t; the lecture's (H, T) matrix of sequence n is D[n].T
    dZ_total : (N, T, H)  ‖∂E/∂z_t‖ over t is the lecture's vanishing-gradient plot
    """

    E: float
    grads: dict
    D: np.ndarray
    dZ_total: np.ndarray


def elman_backward(cache, Y: np.ndarray, truncate: int | None = None) -> BPTT:
    """BPTT for the Elman network: δ^out, the δ recursion, and DX, DZ̃, (g(V) − Y)[1 Z].

    Parameters
    ----------
    cache : from elman_forward
    Y : (N, T, m), or (N, m) for many-to-one
    truncate : chunk length of truncated BPTT, or None (see rnn_backward)

    Returns
    -------
    BPTT(E, grads, D, dZ_total)
    """
    E, dV = elman_loss(cache, Y)
    dZo, dW_out = affine_out_backward(dV, cache["out"])
    rcache = cache["rnn"]
    if cache["many_to_one"]:
        U = rcache["U"]
        dZ = np.zeros((U.shape[1], U.shape[0], U.shape[2]), dtype=dZo.dtype)
        dZ[:, -1] = dZo  # only z_T sees an error
    else:
        dZ = dZo
    back = rnn_backward(dZ, rcache, truncate=truncate)
    grads = {"W_in": back.grads["W_in"], "W": back.grads["W"], "W_out": dW_out}
    return BPTT(E, grads, back.D, back.dZ_total)


def bptt(
    X: np.ndarray,
    Y: np.ndarray,
    params: dict,
    *,
    f: str = "tanh",
    g: str = "identity",
    many_to_one: bool = False,
    truncate: int | None = None,
) -> BPTT:
    """Forward and backward in one call: the loss, every gradient and the δ's.

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    Y : (N, T, m), or (N, m) when many_to_one
    params : {"W_in": (H, d+1), "W": (H, H), "W_out": (m, H+1)}

    Returns
    -------
    BPTT(E, grads, D, dZ_total)
    """
    _, cache = elman_forward(X, params, f=f, g=g, many_to_one=many_to_one)
    return elman_backward(cache, Y, truncate=truncate)
