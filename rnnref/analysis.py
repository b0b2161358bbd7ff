"""What the lectures measure about a recurrence: spectral radius, ‖W^k‖, ‖∂E/∂z_t‖ over t."""

from __future__ import annotations

import numpy as np

__all__ = ["spectral_radius", "power_norms", "scale_to_spectral_radius", "grad_norms_over_time"]


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
