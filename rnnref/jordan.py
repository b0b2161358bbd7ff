"""The Jordan network (Jordan ネットワーク): the previous OUTPUT, not the previous hidden state, is fed back.

Seed 004 §6.2.1 lists it beside the Elman network ("Elman ネットワーク / Jordan ネットワーク / 時間遅れ
ネットワーク / エコー状態ネットワーク"); seed 000 describes the RNN as one where "中間層・出力層のユニットの値が，
次の入力を与えた時の中間層に戻る": the Elman network feeds back the hidden layer, the Jordan network the
output layer. Lecture notation (seed 001), regression (g = identity, E = ½ Σ_t ‖ŷ_t − y_t‖²); x_t carries
the bias as a leading 1 (X's first column is ones):

    u_t = W_in x_t + W_y ŷ_{t−1},   z_t = f(u_t),   v_t = W_out [1; z_t],   ŷ_t = g(v_t) = v_t,   ŷ_0 = 0

so W_y is (H, m). BPTT: ŷ_t now reaches E twice, directly through E_t and through u_{t+1}, so the
lecture's δ^out_t = ∂E/∂v_t is no longer just g(v_t) − y_t (W̃_out = W_out without its bias column):

    δ^out_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1},      δ_t = ∂E/∂u_t = (W̃_outᵀ δ^out_t) ⊙ f′(u_t),   δ_{T+1} = 0
    ∂E/∂W_in = D X,   ∂E/∂W_y = D Ŷ̃,   ∂E/∂W_out = D_out [1 Z]

with D = (δ_1 … δ_T) (H, T), D_out = (δ^out_1 … δ^out_T) (m, T) and Ŷ̃ = (ŷ_0, ŷ_1, …, ŷ_{T−1})ᵀ the
fed-back outputs as rows (ŷ_0 = 0). The error runs from step t+1 back to step t only through the
m outputs, where the Elman network's runs through the H hidden units (Wᵀ δ_{t+1}).

Batching: a batch of N sequences is (N, T, ·) as in rnnref.rnn; the lecture's D of sequence n is
D[n].T. The recurrence runs time-major ((T, N, ·) contiguous); the input projections W_in x_t of
every step are one matrix product, as the sums over (n, t) of the gradients are.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shapes import check_sequences, compute_dtype, initial_state, time_major
from .activations import HIDDEN_ACTIVATIONS, hidden_activation, hidden_derivative, output_loss

__all__ = [
    "JORDAN_KEYS",
    "init_jordan_params",
    "jordan_forward",
    "jordan_loss",
    "jordan_backward",
    "JordanBackward",
    "jordan_bptt",
    "JordanBPTT",
]

JORDAN_KEYS = ("W_in", "W_y", "W_out")


def init_jordan_params(d: int, H: int, m: int, *, seed: int = 0, scale: float | None = None) -> dict:
    """Random Jordan-network parameters in the lecture's shapes, float64.

    Entries are uniform in ±1/√H (as rnnref.rnn.init_params) unless ``scale`` is given; drawn in the
    order of JORDAN_KEYS.

    Returns
    -------
    params : {"W_in": (H, d+1), "W_y": (H, m), "W_out": (m, H+1)}
    """
    if d < 1 or H < 1 or m < 1:
        raise ValueError(f"need d ≥ 1 inputs, H ≥ 1 hidden units and m ≥ 1 outputs, got d={d}, H={H}, m={m}")
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(H) if scale is None else scale
    shapes = {"W_in": (H, d + 1), "W_y": (H, m), "W_out": (m, H + 1)}
    return {k: rng.uniform(-s, s, shapes[k]) for k in JORDAN_KEYS}


def _check_params(params: dict) -> tuple[int, int]:
    """(H, m) from the parameters, after checking that W_in, W_y and W_out fit together."""
    missing = [k for k in JORDAN_KEYS if k not in params]
    if missing:
        raise ValueError(f"Jordan parameters {missing} are missing; the network needs {JORDAN_KEYS}")
    W_in, W_y, W_out = (np.asarray(params[k]) for k in JORDAN_KEYS)
    if W_in.ndim != 2 or W_y.ndim != 2 or W_out.ndim != 2:
        raise ValueError("W_in, W_y and W_out must be matrices")
    H, m = W_in.shape[0], W_out.shape[0]
    if W_out.shape[1] != H + 1:
        raise ValueError(f"W_out must be (m, H+1) = (m, {H + 1}), got {W_out.shape}")
    if W_y.shape != (H, m):
        raise ValueError(f"W_y must be (H, m) = {(H, m)}: it maps the fed-back output ŷ_{{t−1}} (m) to the "
                         f"hidden layer (H), got {W_y.shape}")
    return H, m


def jordan_forward(X: np.ndarray, params: dict, *, f: str = "tanh", yhat0: np.ndarray | None = None):
    """Outputs ŷ_t = W_out [1; f(W_in x_t + W_y ŷ_{t−1})] of the Jordan network, ŷ_0 = 0 unless given.

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    params : {"W_in": (H, d+1), "W_y": (H, m), "W_out": (m, H+1)}
    f : "tanh" or "relu"
    yhat0 : (N, m) or None  the output fed back into the first step

    Returns
    -------
    Yhat : (N, T, m)  ŷ_1 … ŷ_T (ŷ_0 not included)
    cache : for jordan_backward; time-major arrays "X" (T, N, d+1), "U", "Z" (T, N, H), "Yhat" (T, N, m),
        "yhat0" (N, m), and the parameters and f
    """
    H, m = _check_params(params)
    W_in, W_y, W_out = (params[k] for k in JORDAN_KEYS)
    check_sequences(X, W_in.shape[1])
    if f not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"unknown hidden activation f={f!r}; use one of {HIDDEN_ACTIVATIONS}")
    N, T, _ = X.shape
    dtype = compute_dtype(X, W_in, W_y, W_out, yhat0)
    Xt = time_major(X, dtype)
    U = (Xt.reshape(T * N, -1) @ W_in.T).reshape(T, N, H).astype(dtype, copy=False)
    Z = np.empty_like(U)
    Yhat = np.empty((T, N, m), dtype=dtype)
    y_init = initial_state(yhat0, "yhat0", N, m, dtype)
    y_prev = y_init
    W_yT, W_tT, b = W_y.T, W_out[:, 1:].T, W_out[:, 0]
    for t in range(T):
        U[t] += y_prev @ W_yT
        hidden_activation(f, U[t], out=Z[t])
        np.add(Z[t] @ W_tT, b, out=Yhat[t])
        y_prev = Yhat[t]
    cache = {"X": Xt, "U": U, "Z": Z, "Yhat": Yhat, "yhat0": y_init, "W_in": W_in, "W_y": W_y, "W_out": W_out,
             "f": f}
    return Yhat.transpose(1, 0, 2), cache


def jordan_loss(Yhat: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """E = ½ Σ ‖ŷ_t − y_t‖² over every sequence and step, and its direct gradient ∂E/∂ŷ_t = ŷ_t − y_t.

    Parameters
    ----------
    Yhat, Y : (N, T, m)

    Returns
    -------
    E : float
    dYhat : (N, T, m)  ŷ_t − y_t (what jordan_backward takes)
    """
    return output_loss(np.asarray(Yhat), np.asarray(Y), "identity")


class JordanBackward(NamedTuple):
    """What jordan_backward returns.

    grads : {"W_in": D X, "W_y": D Ŷ̃, "W_out": D_out [1 Z]}
    D : (N, T, H)  δ_t = ∂E/∂u_t (the lecture's (H, T) D of sequence n is D[n].T)
    D_out : (N, T, m)  δ^out_t = ∂E/∂v_t = ∂E/∂ŷ_t|direct + W_yᵀ δ_{t+1}
    dX : (N, T, d+1)  ∂E/∂x_t = W_inᵀ δ_t (the bias column included)
    dyhat0 : (N, m)  ∂E/∂ŷ_0 = W_yᵀ δ_1
    """

    grads: dict
    D: np.ndarray
    D_out: np.ndarray
    dX: np.ndarray
    dyhat0: np.ndarray


def jordan_backward(dYhat: np.ndarray, cache) -> JordanBackward:
    """BPTT through the output feedback, t = T … 1 (δ_{T+1} = 0):

    δ^out_t = dYhat_t + W_yᵀ δ_{t+1},   δ_t = (W̃_outᵀ δ^out_t) ⊙ f′(u_t),
    then ∂E/∂W_in = D X, ∂E/∂W_y = D Ŷ̃ and ∂E/∂W_out = D_out [1 Z], one product each.

    Parameters
    ----------
    dYhat : (N, T, m)  ∂E/∂ŷ_t arriving directly (not through the feedback), ŷ_t − y_t for ½‖ŷ − y‖²
    cache : from jordan_forward

    Returns
    -------
    JordanBackward(grads, D, D_out, dX, dyhat0), see its docstring for the shapes
    """
    Xt, U, Z, Yh = cache["X"], cache["U"], cache["Z"], cache["Yhat"]
    W_in, W_y, W_out = cache["W_in"], cache["W_y"], cache["W_out"]
    T, N, H = U.shape
    m = Yh.shape[2]
    dYhat = np.asarray(dYhat)
    if dYhat.shape != (N, T, m):
        raise ValueError(f"dYhat must be (N, T, m) = {(N, T, m)}, got {dYhat.shape}")
    dYt = dYhat.transpose(1, 0, 2)
    fprime = hidden_derivative(cache["f"], U, Z)
    dtype = np.result_type(U, dYhat)
    D = np.empty((T, N, H), dtype=dtype)
    D_out = np.empty((T, N, m), dtype=dtype)
    W_t = W_out[:, 1:]
    back = np.zeros((N, m), dtype=dtype)  # row form of W_yᵀ δ_{t+1}
    for t in range(T - 1, -1, -1):
        np.add(dYt[t], back, out=D_out[t])
        np.multiply(D_out[t] @ W_t, fprime[t], out=D[t])
        back = D[t] @ W_y
    D2, Do2 = D.reshape(T * N, H), D_out.reshape(T * N, m)
    Y_tilde = np.concatenate([cache["yhat0"][None], Yh[:-1]], axis=0)  # rows ŷ_0 … ŷ_{T−1}
    dW_out = np.empty_like(W_out, dtype=dtype)
    dW_out[:, 0] = Do2.sum(axis=0)
    dW_out[:, 1:] = Do2.T @ Z.reshape(T * N, H)
    grads = {
        "W_in": D2.T @ Xt.reshape(T * N, -1),  # D X
        "W_y": D2.T @ Y_tilde.reshape(T * N, m),  # D Ŷ̃
        "W_out": dW_out,  # D_out [1 Z]
    }
    dX = (D2 @ W_in).reshape(T, N, -1)
    return JordanBackward(grads, D.transpose(1, 0, 2), D_out.transpose(1, 0, 2), dX.transpose(1, 0, 2), back)


class JordanBPTT(NamedTuple):
    """What jordan_bptt returns.

    E : float  the loss ½ Σ ‖ŷ_t − y_t‖²
    grads : {"W_in": (H, d+1), "W_y": (H, m), "W_out": (m, H+1)}, same keys as params
    D : (N, T, H)  δ_t = ∂E/∂u_t
    D_out : (N, T, m)  δ^out_t = ∂E/∂v_t
    """

    E: float
    grads: dict
    D: np.ndarray
    D_out: np.ndarray


def jordan_bptt(X: np.ndarray, Y: np.ndarray, params: dict, *, f: str = "tanh") -> JordanBPTT:
    """Forward and backward in one call: the loss, the three gradients, the δ's and δ^out's.

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    Y : (N, T, m)  targets
    params : {"W_in": (H, d+1), "W_y": (H, m), "W_out": (m, H+1)}

    Returns
    -------
    JordanBPTT(E, grads, D, D_out)
    """
    Yhat, cache = jordan_forward(X, params, f=f)
    E, dYhat = jordan_loss(Yhat, Y)
    back = jordan_backward(dYhat, cache)
    return JordanBPTT(E, back.grads, back.D, back.D_out)
