"""Input validation and layout shared by the recurrent layers (one message, one place)."""

from __future__ import annotations

import numpy as np


def check_sequences(X: np.ndarray, d1: int) -> None:
    """X must be a non-empty (N, T, d+1) batch whose width matches W_in's d+1 columns."""
    if X.ndim != 3:
        raise ValueError(f"X must be (N, T, d+1), got {X.ndim} dimensions with shape {X.shape}")
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must hold at least one sequence of at least one step, got shape {X.shape}")
    if X.shape[2] != d1:
        raise ValueError(
            f"X must be (N, T, d+1) = (N, T, {d1}) to match W_in (H, d+1), got {X.shape}: "
            "x_t must have d+1 entries, the leading 1 included"
        )


def initial_state(v, name: str, N: int, H: int, dtype) -> np.ndarray:
    """z_0, s_0 or h_0: zeros when v is None, else v as an (N, H) array of ``dtype``."""
    if v is None:
        return np.zeros((N, H), dtype=dtype)
    v = np.asarray(v)
    if v.shape != (N, H):
        raise ValueError(f"{name} must be (N, H) = {(N, H)}, got shape {v.shape}")
    return v.astype(dtype, copy=False)


def time_major(A: np.ndarray, dtype=None) -> np.ndarray:
    """(N, T, k) -> contiguous (T, N, k), so that each step's (N, k) block is contiguous."""
    return np.ascontiguousarray(A.transpose(1, 0, 2), dtype=dtype)


def compute_dtype(*arrays) -> np.dtype:
    """The floating type to compute in: numpy's promotion of the inputs, float64 for integers."""
    dtype = np.result_type(*(np.asarray(a) for a in arrays if a is not None))
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)
