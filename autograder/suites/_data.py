"""Seeded inputs in the lecture's convention, shared by the suites."""

from __future__ import annotations

import numpy as np

from rnnref import add_bias

# (T, d, H, m): within each, T, d+1, H, H+1 and m all differ, so that no matrix is
# square by accident and a transpose cannot hide; T = 1 and H = 1 among them
SIZES_VISIBLE = [(6, 2, 4, 2), (1, 3, 2, 5)]
SIZES_HIDDEN = [(7, 4, 1, 3), (9, 5, 7, 4)]


def sizes():
    """(label suffix, (T, d, H, m), visible) for every size."""
    for T, d, H, m in SIZES_VISIBLE:
        yield f"T={T}, d={d}, H={H}, m={m}", (T, d, H, m), True
    for T, d, H, m in SIZES_HIDDEN:
        yield f"T={T}, d={d}, H={H}, m={m}", (T, d, H, m), False


def sequence(rng, T: int, d: int) -> np.ndarray:
    """X (T, d+1): a random sequence with the bias column of ones first."""
    return add_bias(rng.standard_normal((T, d)))


def matrix(rng, *shape, scale: float = 0.5) -> np.ndarray:
    return rng.normal(0.0, scale, shape)


def targets(rng, T: int, m: int, task: str) -> np.ndarray:
    """Y (T, m): normal targets for regression, one-hot rows for classification."""
    if task == "regression":
        return rng.standard_normal((T, m))
    return np.eye(m)[rng.integers(0, m, T)]
