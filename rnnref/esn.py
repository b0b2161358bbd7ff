"""The echo state network (ESN, エコー状態ネットワーク): a fixed random reservoir, a trained linear readout.

Lecture notation (the Elman RNN of seed 001 with a leak): x_t carries the bias as a leading 1
(X's first column is ones), the reservoir state is z_t, z_0 = 0 unless given:

    z_t = (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1})      leaky update, leak rate a ∈ (0, 1]
    ŷ_t = W_out [1; z_t]                                        linear readout, column 0 the bias

W_in (H, d+1) and W (H, H) are random and never trained; W is rescaled to a chosen spectral
radius ρ(W) (seed 003: "スペクトル半径を1付近にすることで挙動を安定させる" — the ESN). Only W_out is
fitted, by ridge regression (リッジ回帰) on the states after a washout (the first steps, which
still remember z_0):

    Φ = rows [1; z_t]ᵀ, t > washout  (n, H+1),   Y = rows y_tᵀ (n, m)
    W_outᵀ = (ΦᵀΦ + β I)⁻¹ Φᵀ Y                  (every column of W_out penalised, the bias too)

The ESN literature (Jaeger; Lukoševičius, "A practical guide to applying echo state networks")
writes u(n) for the input and x(n) for the state; here they are the lectures' x_t and z_t.

Batching: a batch of N sequences is (N, T, ·); the recurrence runs time-major ((T, N, H)), one
(N, H) @ (H, H) product per step. The input projections of all steps are one product.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ._shapes import check_sequences, compute_dtype, initial_state, time_major
from .analysis import scale_to_spectral_radius

__all__ = [
    "mackey_glass",
    "init_reservoir",
    "esn_states",
    "ridge_readout",
    "esn_readout",
    "esn_generate",
    "nrmse",
    "delay_pairs",
]


def mackey_glass(n: int, *, tau: float = 17.0, beta: float = 0.2, gamma: float = 0.1, p: float = 10.0,
                 sample: float = 1.0, h: float = 0.1, x0: float = 1.2, discard: float = 500.0) -> np.ndarray:
    """n samples of the Mackey–Glass series, a chaotic delay differential equation (τ = 17: chaotic).

    dx/dt = β x(t−τ) / (1 + x(t−τ)^p) − γ x(t),   x(t) = x0 for t ≤ 0.

    Integrated by the classical Runge–Kutta method (RK4) with step h; the delayed value at the
    half steps is the mean of its two grid neighbours (τ/h must be an integer). The first
    ``discard`` time units (the transient from the constant history) are dropped, then every
    ``sample`` time units one value is kept (sample/h an integer).

    Returns
    -------
    s : (n,)  x(discard), x(discard + sample), …
    """
    lag = tau / h
    every = sample / h
    if abs(lag - round(lag)) > 1e-9 or abs(every - round(every)) > 1e-9:
        raise ValueError(f"tau/h and sample/h must be integers, got {lag} and {every}")
    lag, every = int(round(lag)), int(round(every))
    skip = int(round(discard / h))
    steps = skip + (n - 1) * every
    x = np.empty(lag + steps + 1)
    x[: lag + 1] = x0  # x(t) for t = −τ … 0

    def rhs(xt, xd):
        return beta * xd / (1.0 + xd**p) - gamma * xt

    for i in range(lag, lag + steps):
        xd0, xd1 = x[i - lag], x[i - lag + 1]
        xdm = 0.5 * (xd0 + xd1)
        xi = x[i]
        k1 = rhs(xi, xd0)
        k2 = rhs(xi + 0.5 * h * k1, xdm)
        k3 = rhs(xi + 0.5 * h * k2, xdm)
        k4 = rhs(xi + h * k3, xd1)
        x[i + 1] = xi + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return x[lag + skip :: every][:n].copy()


def init_reservoir(d: int, H: int, *, rho: float = 0.9, input_scale: float = 1.0, density: float = 1.0,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A random reservoir: W_in uniform in ±input_scale, W uniform in ±1 (a fraction ``density`` of its
    entries nonzero) rescaled to spectral radius ρ.

    Returns
    -------
    W_in : (H, d+1)  column 0 is the bias
    W : (H, H)  ρ(W) = rho
    """
    rng = np.random.default_rng(seed)
    W_in = rng.uniform(-input_scale, input_scale, (H, d + 1))
    W = rng.uniform(-1.0, 1.0, (H, H))
    if density < 1.0:
        W = W * (rng.random((H, H)) < density)
    return W_in, scale_to_spectral_radius(W, rho)


def esn_states(X: np.ndarray, W_in: np.ndarray, W: np.ndarray, a: float = 1.0, z0: np.ndarray | None = None):
    """Reservoir states of the leaky ESN for a batch of sequences.

    z_t = (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1}),  z_0 = 0 unless ``z0`` is given.
    a = 1 is the Elman recurrence z_t = tanh(u_t) of the lectures.

    Parameters
    ----------
    X : (N, T, d+1)  inputs, bias column of ones first
    W_in : (H, d+1)
    W : (H, H)
    a : leak rate, 0 < a ≤ 1
    z0 : (N, H) or None

    Returns
    -------
    Z : (N, T, H)  z_1 … z_T (z_0 not included)
    """
    check_sequences(X, W_in.shape[1])
    if not 0.0 < a <= 1.0:
        raise ValueError(f"the leak rate a must be in (0, 1], got {a!r}")
    N, T, _ = X.shape
    H = W.shape[0]
    dtype = compute_dtype(X, W_in, W, z0)
    Xt = time_major(X, dtype)
    U_in = (Xt.reshape(T * N, -1) @ W_in.T).reshape(T, N, H)
    Z = np.empty((T, N, H), dtype=dtype)
    z = initial_state(z0, "z0", N, H, dtype)
    WT = W.T
    for t in range(T):
        z = (1.0 - a) * z + a * np.tanh(U_in[t] + z @ WT)
        Z[t] = z
    return Z.transpose(1, 0, 2)


def _design(Z: np.ndarray, washout: int) -> np.ndarray:
    """Φ: the rows [1; z_t]ᵀ of every sequence after the washout, (N·(T − washout), H+1)."""
    kept = Z[:, washout:]
    Phi = np.empty(kept.shape[:2] + (kept.shape[2] + 1,), dtype=Z.dtype)
    Phi[..., 0] = 1.0
    Phi[..., 1:] = kept
    return Phi.reshape(-1, Phi.shape[-1])


def ridge_readout(Z: np.ndarray, Y: np.ndarray, beta: float, washout: int = 0) -> np.ndarray:
    """W_out by ridge regression of y_t on [1; z_t] over the steps after the washout.

    W_outᵀ = (ΦᵀΦ + β I)⁻¹ Φᵀ Y, solved as a symmetric positive definite system (scipy.linalg.solve),
    never by forming the inverse. β > 0 penalises every column, the bias column too.

    Parameters
    ----------
    Z : (N, T, H) or (T, H)  reservoir states z_1 … z_T
    Y : (N, T, m) or (T, m)  targets y_1 … y_T
    beta : β ≥ 0 (β = 0: least squares, by scipy.linalg.lstsq)
    washout : the first ``washout`` steps of each sequence are left out

    Returns
    -------
    W_out : (m, H+1)  column 0 is the bias
    """
    Z, Y = np.asarray(Z), np.asarray(Y)
    if Z.ndim == 2:
        Z, Y = Z[None], Y[None]
    if Z.shape[:2] != Y.shape[:2]:
        raise ValueError(f"Z (N, T, H) and Y (N, T, m) must share N and T, got {Z.shape} and {Y.shape}")
    if not 0 <= washout < Z.shape[1]:
        raise ValueError(f"washout must leave at least one step: 0 ≤ washout < T = {Z.shape[1]}, got {washout}")
    if beta < 0:
        raise ValueError(f"beta must be ≥ 0, got {beta!r}")
    Phi = _design(Z, washout)
    Yk = Y[:, washout:].reshape(-1, Y.shape[-1])
    if beta == 0:
        return scipy.linalg.lstsq(Phi, Yk)[0].T
    A = Phi.T @ Phi
    A[np.diag_indices_from(A)] += beta
    return scipy.linalg.solve(A, Phi.T @ Yk, assume_a="pos").T


def esn_readout(Z: np.ndarray, W_out: np.ndarray) -> np.ndarray:
    """ŷ_t = W_out [1; z_t] for any leading axes: (..., H) -> (..., m)."""
    return Z @ W_out[:, 1:].T + W_out[:, 0]


def esn_generate(z: np.ndarray, W_in: np.ndarray, W: np.ndarray, W_out: np.ndarray, a: float, K: int) -> np.ndarray:
    """Free-running (closed-loop, 自律生成) prediction: each output is fed back as the next input.

    ŷ_1 = W_out [1; z];  for k = 2 … K:  z ← (1 − a) z + a tanh(W_in [1; ŷ_{k−1}] + W z),
    ŷ_k = W_out [1; z].  The input dimension d equals the output dimension m.

    Parameters
    ----------
    z : (N, H)  the state after the last known input (teacher forcing up to there)
    W_in : (H, m+1), W : (H, H), W_out : (m, H+1)
    a : leak rate
    K : number of predictions

    Returns
    -------
    Yhat : (N, K, m)
    """
    z = np.asarray(z, dtype=np.result_type(z, W, np.float64))
    N, H = z.shape
    m = W_out.shape[0]
    if W_in.shape[1] != m + 1:
        raise ValueError(f"closed loop needs W_in (H, m+1) = (H, {m + 1}), got {W_in.shape}")
    out = np.empty((N, K, m), dtype=z.dtype)
    x = np.ones((N, m + 1), dtype=z.dtype)
    for k in range(K):
        if k:
            x[:, 1:] = out[:, k - 1]
            z = (1.0 - a) * z + a * np.tanh(x @ W_in.T + z @ W.T)
        out[:, k] = esn_readout(z, W_out)
    return out


def nrmse(Yhat: np.ndarray, Y: np.ndarray) -> float:
    """Normalised root-mean-square error √(Σ_t ‖ŷ_t − y_t‖² / Σ_t ‖y_t − ȳ‖²), ȳ the mean of the y_t.

    0 is perfect; 1 is no better than always predicting the mean ȳ.

    Parameters
    ----------
    Yhat, Y : (T, m)  (or any shape: the first axis is time)
    """
    Yhat, Y = np.asarray(Yhat, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    if Yhat.shape != Y.shape:
        raise ValueError(f"Yhat and Y must have the same shape, got {Yhat.shape} and {Y.shape}")
    return float(np.sqrt(np.sum((Yhat - Y) ** 2) / np.sum((Y - Y.mean(axis=0)) ** 2)))


def delay_pairs(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-step-ahead training pairs of a series s (T,): inputs X = rows [1, s_t], targets Y = rows s_{t+1}.

    Returns
    -------
    X : (T−1, 2),  Y : (T−1, 1)
    """
    s = np.asarray(s, dtype=np.float64).reshape(-1)
    X = np.column_stack([np.ones(len(s) - 1), s[:-1]])
    return X, s[1:, None]
