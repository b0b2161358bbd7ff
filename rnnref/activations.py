"""Activation functions f (hidden) and g (output), their derivatives, and the output losses.

Every derivative is written in terms of what the forward pass already stored, so
that a backward pass never recomputes a transcendental function:
tanh′(u) = 1 − z², σ′(a) = σ(a)(1 − σ(a)), ReLU′(u) = [u > 0].
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "sigmoid",
    "tanh",
    "relu",
    "softmax",
    "log_softmax",
    "hidden_activation",
    "hidden_derivative",
    "output_loss",
    "HIDDEN_ACTIVATIONS",
    "OUTPUT_ACTIVATIONS",
]

HIDDEN_ACTIVATIONS = ("tanh", "relu")
OUTPUT_ACTIVATIONS = ("identity", "softmax")


def sigmoid(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(a) = 1 / (1 + e^{−a}), computed as ½(1 + tanh(a/2)): no overflow for any |a|, one pass.

    Parameters
    ----------
    a : any shape
    out : optional array of a's shape to write into

    Returns
    -------
    σ(a) : same shape as a
    """
    out = np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def tanh(u: np.ndarray) -> np.ndarray:
    """f(u) = tanh(u)."""
    return np.tanh(u)


def relu(u: np.ndarray) -> np.ndarray:
    """f(u) = max(u, 0)."""
    return np.maximum(u, 0)


def softmax(V: np.ndarray) -> np.ndarray:
    """g(v)_k = e^{v_k} / Σ_j e^{v_j} over the last axis, shifted by max_k v_k for stability.

    Parameters
    ----------
    V : (..., m)

    Returns
    -------
    g(V) : (..., m)  every row sums to 1
    """
    e = np.exp(V - V.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(V: np.ndarray) -> np.ndarray:
    """log g(v)_k = v_k − log Σ_j e^{v_j}, computed with the max shift (finite for any finite V)."""
    shifted = V - V.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_hidden(f: str) -> None:
    if f not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"unknown hidden activation f={f!r}; use one of {HIDDEN_ACTIVATIONS}")


def hidden_activation(f: str, u: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """z = f(u) for f = "tanh" or "relu", written into ``out`` when given."""
    _check_hidden(f)
    if f == "tanh":
        return np.tanh(u, out=out)
    return np.maximum(u, 0, out=out)


def hidden_derivative(f: str, u: np.ndarray, z: np.ndarray) -> np.ndarray:
    """∇f(u_t), from the pre-activation u_t and the activation z_t = f(u_t) of the same step.

    tanh′(u) = 1 − z², ReLU′(u) = [u > 0] (the subgradient 0 at u = 0, as PyTorch).
    """
    _check_hidden(f)
    if f == "tanh":
        return 1.0 - z * z
    return (u > 0).astype(u.dtype)


def output_loss(V: np.ndarray, Y: np.ndarray, g: str = "identity") -> tuple[float, np.ndarray]:
    """Loss E and δ^out = ∂E/∂v_t = g(v_t) − y_t, from the output pre-activations.

    g = "identity":  E = ½ Σ ‖y_t − g(v_t)‖²        (regression)
    g = "softmax":   E = −Σ Σ_k y_tk log g(v_t)_k   (classification, y_t one-hot or a distribution)
    The sums run over every leading axis (sequences and time steps), as the lecture's E = Σ_t E_t.

    Parameters
    ----------
    V : (..., m)  v_t = W_out [1; z_t]
    Y : (..., m)  targets y_t

    Returns
    -------
    E : float
    dV : (..., m)  δ^out_t = g(v_t) − y_t  (for softmax this needs Σ_k y_tk = 1)
    """
    if V.shape != Y.shape:
        raise ValueError(f"V has shape {V.shape} but Y has shape {Y.shape}; they must match")
    if g == "identity":
        diff = V - Y
        return 0.5 * float(np.sum(diff * diff)), diff
    if g == "softmax":
        logp = log_softmax(V)
        return -float(np.sum(Y * logp)), np.exp(logp) - Y
    raise ValueError(f"unknown output activation g={g!r}; use one of {OUTPUT_ACTIVATIONS}")
