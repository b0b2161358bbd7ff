"""What the lectures measure about a recurrence: spectral radius, ‖W^k‖, ‖∂E/∂z_t‖ over t."""

from __future__ import annotations

import numpy as np

__all__ = [
    "spectral_radius",
    "power_norms",
    "scale_to_spectral_radius",
    "grad_norms_over_time",
    "lstm_state_gradients",
]


def _square(W: np.ndarray) -> np.ndarray:
    W = np.asarray(W)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square (H, H) matrix, got shape {W.shape}")
    return W


def spectral_radius(W: np.ndarray) -> float:
    """ρ(W) = max_i |λ_i(W)|, the largest eigenvalue modulus.

    ρ(W) < 1: W^k → 0 (signals and gradients vanish); ρ(W) > 1: ‖W^k‖ grows without bound.

    Parameters
    ----------
    W : (H, H)
    """
    return float(np.max(np.abs(np.linalg.eigvals(_square(W)))))


def power_norms(W: np.ndarray, K: int, ord=2) -> np.ndarray:
    """‖W^k‖ for k = 0 … K (W⁰ = I), the decay or growth the lecture's 2×2 examples show.

    Parameters
    ----------
    W : (H, H)
    K : largest power
    ord : matrix norm, as numpy.linalg.norm (2 = spectral norm, "fro" = Frobenius)

    Returns
    -------
    norms : (K+1,)
    """
    W = _square(W)
    out = np.empty(K + 1)
    P = np.eye(W.shape[0], dtype=np.result_type(W, np.float64))
    for k in range(K + 1):
        out[k] = np.linalg.norm(P, ord)
        P = P @ W
    return out


def scale_to_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """W · ρ / ρ(W): the same matrix rescaled so that its spectral radius is ρ (as for an ESN reservoir)."""
    r = spectral_radius(W)
    if r == 0:
        raise ValueError("W has spectral radius 0 (nilpotent or zero); it cannot be rescaled")
    return np.asarray(W) * (rho / r)


def grad_norms_over_time(dZ_total: np.ndarray) -> np.ndarray:
    """‖∂E/∂z_t‖ for t = 1 … T, the norm taken over the batch and the hidden units.

    Parameters
    ----------
    dZ_total : (N, T, H)  ∂E/∂z_t through every path (``BPTT.dZ_total``)

    Returns
    -------
    norms : (T,)
    """
    dZ_total = np.asarray(dZ_total)
    if dZ_total.ndim != 3:
        raise ValueError(f"dZ_total must be (N, T, H), got shape {dZ_total.shape}")
    return np.sqrt(np.sum(np.square(dZ_total), axis=(0, 2)))


def lstm_state_gradients(dZ: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray]:
    """∂E/∂z_t and ∂E/∂s_t through every path, for the LSTM of rnnref.lstm (the LSTM's dZ_total).

    The recursion of lstm_backward, keeping what it discards: going back from t = T,
        e^z_t = ∂E/∂z_t|direct + W_zᵀ δ_{t+1},
        e^s_t = e^s_{t+1} ⊙ g^F_{t+1} [+ peepholes] + e^z_t ⊙ g^O_t ⊙ (1 − f(s_t)²) [+ p_O ⊙ δ^O_t],
    with δ_t = [δ^u_t; δ^F_t; δ^I_t; δ^O_t] as in lstm_backward. ‖e^z_t‖ over t is the
    LSTM's counterpart of the plain RNN's ‖∂E/∂z_t‖; ‖e^s_t‖ is the error on the memory cell,
    which the forget gate carries back (the constant error carousel when g^F ≈ 1).

    Parameters
    ----------
    dZ : (N, T, H)  ∂E/∂z_t arriving from above (not through the recurrence)
    cache : from rnnref.lstm_forward

    Returns
    -------
    dZ_total : (N, T, H)  e^z_t = ∂E/∂z_t
    dS_total : (N, T, H)  e^s_t = ∂E/∂s_t
    """
    G, S, fS = cache["G"], cache["S"], cache["fS"]
    s0, W_z, peep = cache["s0"], cache["W_z"], cache["peep"]
    T, N, H = S.shape
    dZ = np.asarray(dZ)
    if dZ.shape != (N, T, H):
        raise ValueError(f"dZ must be (N, T, H) = {(N, T, H)}, got {dZ.shape}")
    u, gF, gI, gO = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H), slice(3 * H, 4 * H)
    EZ = np.empty((T, N, H), dtype=np.result_type(G, dZ))
    ES = np.empty_like(EZ)
    dz = np.zeros((N, H), dtype=EZ.dtype)
    ds = np.zeros((N, H), dtype=EZ.dtype)
    for t in range(T - 1, -1, -1):
        g = G[t]
        s_prev = S[t - 1] if t > 0 else s0
        ez = dZ[:, t] + dz
        dO = ez * fS[t] * g[:, gO] * (1.0 - g[:, gO])
        es = ds + ez * g[:, gO] * (1.0 - fS[t] ** 2)
        if peep is not None:
            es = es + peep[2] * dO
        EZ[t], ES[t] = ez, es
        dU = es * g[:, gI] * (1.0 - g[:, u] ** 2)
        dF = es * s_prev * g[:, gF] * (1.0 - g[:, gF])
        dI = es * g[:, u] * g[:, gI] * (1.0 - g[:, gI])
        ds = es * g[:, gF]
        if peep is not None:
            ds = ds + peep[0] * dF + peep[1] * dI
        dz = np.concatenate([dU, dF, dI, dO], axis=1) @ W_z
    return EZ.transpose(1, 0, 2), ES.transpose(1, 0, 2)
