"""Parameter updates: SGD, momentum, Adam (Kingma & Ba, bias-corrected), clipping by global norm.

Pure functions: the caller's parameter, gradient and state dicts are never modified; each
update returns new dicts with the same keys. ``state`` is created on the first call
(pass ``state=None``) and threaded through the following ones.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sgd", "momentum", "adam", "clip_grad_norm", "global_norm"]


def _check_keys(params: dict, grads: dict) -> None:
    if set(params) != set(grads):
        missing = sorted(set(params) - set(grads))
        extra = sorted(set(grads) - set(params))
        raise ValueError(
            f"params and grads must have the same keys; grads lacks {missing} and has extra {extra}"
        )
    for k in params:
        if np.shape(params[k]) != np.shape(grads[k]):
            raise ValueError(f"grads[{k!r}] has shape {np.shape(grads[k])}, params[{k!r}] has {np.shape(params[k])}")


def _zeros(grads: dict) -> dict:
    return {k: np.zeros_like(g) for k, g in grads.items()}


def sgd(params: dict, grads: dict, lr: float) -> dict:
    """W ← W − η ∂E/∂W for every parameter (the lecture's 5.1–5.3).

    Parameters
    ----------
    params, grads : dicts with the same keys and shapes
    lr : η

    Returns
    -------
    new params : dict
    """
    _check_keys(params, grads)
    return {k: params[k] - lr * grads[k] for k in params}


def momentum(params: dict, grads: dict, state: dict | None = None, *, lr: float = 1e-2, mu: float = 0.9):
    """Heavy-ball momentum, in PyTorch's form: b ← μ b + ∂E/∂W,  W ← W − η b  (b = 0 before the first step).

    Parameters
    ----------
    params, grads : dicts with the same keys and shapes
    state : None on the first call, then what the previous call returned

    Returns
    -------
    (new params, new state)
    """
    _check_keys(params, grads)
    prev = state["b"] if state is not None else _zeros(grads)
    b = {k: mu * prev[k] + grads[k] for k in params}
    return {k: params[k] - lr * b[k] for k in params}, {"b": b}


def adam(
    params: dict,
    grads: dict,
    state: dict | None = None,
    *,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
):
    """Adam (Kingma & Ba 2015, Algorithm 1), with bias correction.

    t ← t + 1
    m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g ⊙ g
    m̂ = m / (1 − β₁ᵗ),       v̂ = v / (1 − β₂ᵗ)
    W ← W − η m̂ / (√v̂ + ε)

    Parameters
    ----------
    params, grads : dicts with the same keys and shapes
    state : None on the first call, then what the previous call returned

    Returns
    -------
    (new params, new state) — state = {"t": int, "m": dict, "v": dict}
    """
    _check_keys(params, grads)
    if state is None:
        state = {"t": 0, "m": _zeros(grads), "v": _zeros(grads)}
    t = state["t"] + 1
    m = {k: beta1 * state["m"][k] + (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * state["v"][k] + (1 - beta2) * grads[k] * grads[k] for k in params}
    c1, c2 = 1 - beta1**t, 1 - beta2**t
    new = {k: params[k] - lr * (m[k] / c1) / (np.sqrt(v[k] / c2) + eps) for k in params}
    return new, {"t": t, "m": m, "v": v}


def global_norm(grads: dict) -> float:
    """‖g‖ = √(Σ_k ‖g_k‖²) over every tensor of the dict."""
    return float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads.values())))


def clip_grad_norm(grads: dict, max_norm: float) -> tuple[dict, float]:
    """Gradient clipping by global norm: g ← g · c, c = min(1, θ / (‖g‖ + 10⁻⁶)).

    The 10⁻⁶ is torch.nn.utils.clip_grad_norm_'s, so both clip identically.

    Parameters
    ----------
    grads : dict of arrays
    max_norm : θ > 0

    Returns
    -------
    (clipped grads, ‖g‖ before clipping)
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm!r}")
    total = global_norm(grads)
    coef = min(1.0, max_norm / (total + 1e-6))
    return {k: g * coef for k, g in grads.items()}, total
