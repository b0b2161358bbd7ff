"""Attention over the encoder's states (seed 003): dot-product (Luong) and additive (Bahdanau) scores.

The decoder's state at step t, h_t, looks at every encoder state h̄_s, s = 1 … T:
    e_ts = h_tᵀ h̄_s                          dot-product score (Luong et al. 2015, "dot")
    e_ts = vᵀ tanh(W_a h_t + U_a h̄_s)          additive score (Bahdanau et al. 2015; Luong's "concat")
    α_ts = exp(e_ts) / Σ_s' exp(e_ts')         attention weights: a softmax over s, Σ_s α_ts = 1
    c_t  = Σ_s α_ts h̄_s                        context vector
No step of the decoder feeds c_t back into the recurrence here (Luong's global attention
without input feeding), so the scores of all T′ decoder steps are one batched product.

Backward, with dc_t = ∂E/∂c_t from above:
    ∂E/∂α_ts = dc_tᵀ h̄_s
    ∂E/∂e_ts = α_ts (∂E/∂α_ts − Σ_s' α_ts' ∂E/∂α_ts')            the softmax's Jacobian
    dot:       ∂E/∂h_t = Σ_s ∂E/∂e_ts h̄_s,   ∂E/∂h̄_s = Σ_t α_ts dc_t + Σ_t ∂E/∂e_ts h_t
    additive:  with q_ts = tanh(W_a h_t + U_a h̄_s) and ρ_ts = ∂E/∂e_ts · v ⊙ (1 − q_ts ⊙ q_ts),
               ∂E/∂v = Σ_ts ∂E/∂e_ts q_ts,  ∂E/∂W_a = Σ_ts ρ_ts h_tᵀ,  ∂E/∂U_a = Σ_ts ρ_ts h̄_sᵀ,
               ∂E/∂h_t = W_aᵀ Σ_s ρ_ts,   ∂E/∂h̄_s = Σ_t α_ts dc_t + U_aᵀ Σ_t ρ_ts

Batching: N pairs of sequences; decoder states Hdec (N, T′, H), encoder states Hbar (N, T, H)
(the same H for both: the dot product needs it). Parameters of the additive score:
P = {"W_a": (d_a, H), "U_a": (d_a, H), "v": (d_a,)}, no biases. float64 unless the inputs are
of another floating type.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shapes import compute_dtype

__all__ = [
    "ATTENTION_KEYS",
    "SCORES",
    "init_attention_params",
    "dot_attention_forward",
    "dot_attention_backward",
    "additive_attention_forward",
    "additive_attention_backward",
    "attention_forward",
    "attention_backward",
    "AttentionBackward",
]

ATTENTION_KEYS = ("W_a", "U_a", "v")
SCORES = ("dot", "additive")


def init_attention_params(H: int, d_a: int, *, seed: int = 0) -> dict:
    """Random parameters of the additive score, uniform in ±1/√H (W_a, U_a) and ±1/√d_a (v), float64.

    Returns
    -------
    P : {"W_a": (d_a, H), "U_a": (d_a, H), "v": (d_a,)}
    """
    if H < 1 or d_a < 1:
        raise ValueError(f"need H ≥ 1 and d_a ≥ 1, got H={H}, d_a={d_a}")
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(H)
    return {"W_a": rng.uniform(-s, s, (d_a, H)), "U_a": rng.uniform(-s, s, (d_a, H)),
            "v": rng.uniform(-1.0, 1.0, d_a) / np.sqrt(d_a)}


def _check_states(Hdec: np.ndarray, Hbar: np.ndarray) -> None:
    if Hdec.ndim != 3 or Hbar.ndim != 3:
        raise ValueError(f"Hdec must be (N, T′, H) and Hbar (N, T, H), got shapes {Hdec.shape} and {Hbar.shape}")
    if Hdec.shape[0] != Hbar.shape[0] or Hdec.shape[2] != Hbar.shape[2]:
        raise ValueError(
            f"Hdec (N, T′, H) and Hbar (N, T, H) must agree in N and H, got {Hdec.shape} and {Hbar.shape}"
        )
    if Hbar.shape[1] < 1:
        raise ValueError(f"Hbar must hold at least one encoder state, got shape {Hbar.shape}")


def _check_params(P: dict, H: int) -> int:
    missing = [k for k in ATTENTION_KEYS if k not in P]
    if missing:
        raise ValueError(f"additive attention needs the keys {ATTENTION_KEYS}; missing {tuple(missing)}")
    d_a = np.shape(P["v"])[0] if np.ndim(P["v"]) == 1 else -1
    want = {"W_a": (d_a, H), "U_a": (d_a, H), "v": (d_a,)}
    for k, shape in want.items():
        if np.shape(P[k]) != shape:
            raise ValueError(f"{k} must be {shape} (d_a = len(v), H from the states), got {np.shape(P[k])}")
    return d_a


def _softmax_rows(E: np.ndarray) -> np.ndarray:
    """α = softmax over the last axis (s), shifted by its max."""
    A = np.exp(E - E.max(axis=-1, keepdims=True))
    A /= A.sum(axis=-1, keepdims=True)
    return A


def _softmax_backward(dA: np.ndarray, A: np.ndarray) -> np.ndarray:
    """∂E/∂e_ts = α_ts (∂E/∂α_ts − Σ_s' α_ts' ∂E/∂α_ts')."""
    return A * (dA - np.sum(A * dA, axis=-1, keepdims=True))


def dot_attention_forward(Hdec: np.ndarray, Hbar: np.ndarray):
    """Context vectors of dot-product attention: e_ts = h_tᵀ h̄_s, α = softmax over s, c_t = Σ_s α_ts h̄_s.

    Parameters
    ----------
    Hdec : (N, T′, H)  decoder states h_t
    Hbar : (N, T, H)  encoder states h̄_s

    Returns
    -------
    C : (N, T′, H)  context vectors c_t
    cache : {"A": (N, T′, T) the weights α_ts, "Hdec", "Hbar"} for dot_attention_backward
    """
    Hdec, Hbar = np.asarray(Hdec), np.asarray(Hbar)
    _check_states(Hdec, Hbar)
    dtype = compute_dtype(Hdec, Hbar)
    Hdec, Hbar = Hdec.astype(dtype, copy=False), Hbar.astype(dtype, copy=False)
    A = _softmax_rows(Hdec @ Hbar.transpose(0, 2, 1))  # e_ts = h_tᵀ h̄_s
    return A @ Hbar, {"A": A, "Hdec": Hdec, "Hbar": Hbar, "score": "dot"}


def dot_attention_backward(dC: np.ndarray, cache):
    """Gradients of dot-product attention with respect to both sets of states.

    ∂E/∂h_t = Σ_s ∂E/∂e_ts h̄_s,   ∂E/∂h̄_s = Σ_t α_ts dc_t + Σ_t ∂E/∂e_ts h_t.

    Parameters
    ----------
    dC : (N, T′, H)  ∂E/∂c_t
    cache : from dot_attention_forward

    Returns
    -------
    dHdec : (N, T′, H)
    dHbar : (N, T, H)
    """
    A, Hdec, Hbar = cache["A"], cache["Hdec"], cache["Hbar"]
    dC = np.asarray(dC)
    if dC.shape != Hdec.shape:
        raise ValueError(f"dC must be (N, T′, H) = {Hdec.shape}, got {dC.shape}")
    dE = _softmax_backward(dC @ Hbar.transpose(0, 2, 1), A)
    dHdec = dE @ Hbar
    dHbar = A.transpose(0, 2, 1) @ dC + dE.transpose(0, 2, 1) @ Hdec
    return dHdec, dHbar


def additive_attention_forward(Hdec: np.ndarray, Hbar: np.ndarray, P: dict):
    """Context vectors of additive attention: e_ts = vᵀ tanh(W_a h_t + U_a h̄_s), α = softmax over s.

    W_a h_t and U_a h̄_s are computed once per state (two matrix products), then broadcast to
    all (t, s) pairs.

    Parameters
    ----------
    Hdec : (N, T′, H)  decoder states h_t
    Hbar : (N, T, H)  encoder states h̄_s
    P : {"W_a": (d_a, H), "U_a": (d_a, H), "v": (d_a,)}

    Returns
    -------
    C : (N, T′, H)  context vectors c_t
    cache : {"A": (N, T′, T) weights α_ts, "Q": (N, T′, T, d_a) q_ts = tanh(W_a h_t + U_a h̄_s),
        "Hdec", "Hbar", "P"} for additive_attention_backward
    """
    Hdec, Hbar = np.asarray(Hdec), np.asarray(Hbar)
    _check_states(Hdec, Hbar)
    _check_params(P, Hdec.shape[2])
    dtype = compute_dtype(Hdec, Hbar, *(P[k] for k in ATTENTION_KEYS))
    Hdec, Hbar = Hdec.astype(dtype, copy=False), Hbar.astype(dtype, copy=False)
    Wh = Hdec @ np.asarray(P["W_a"], dtype=dtype).T  # (N, T′, d_a): W_a h_t
    Uh = Hbar @ np.asarray(P["U_a"], dtype=dtype).T  # (N, T, d_a): U_a h̄_s
    Q = np.tanh(Wh[:, :, None, :] + Uh[:, None, :, :])  # (N, T′, T, d_a)
    A = _softmax_rows(Q @ np.asarray(P["v"], dtype=dtype))
    return A @ Hbar, {"A": A, "Q": Q, "Hdec": Hdec, "Hbar": Hbar, "P": P, "score": "additive"}


class AttentionBackward(NamedTuple):
    """What attention_backward returns.

    dHdec : (N, T′, H)  ∂E/∂h_t
    dHbar : (N, T, H)  ∂E/∂h̄_s
    grads : {"W_a": (d_a, H), "U_a": (d_a, H), "v": (d_a,)} for the additive score, {} for dot
    """

    dHdec: np.ndarray
    dHbar: np.ndarray
    grads: dict


def additive_attention_backward(dC: np.ndarray, cache) -> AttentionBackward:
    """Gradients of additive attention: the states and W_a, U_a, v (see the module docstring).

    Parameters
    ----------
    dC : (N, T′, H)  ∂E/∂c_t
    cache : from additive_attention_forward

    Returns
    -------
    AttentionBackward(dHdec, dHbar, grads)
    """
    A, Q, Hdec, Hbar, P = cache["A"], cache["Q"], cache["Hdec"], cache["Hbar"], cache["P"]
    dC = np.asarray(dC)
    if dC.shape != Hdec.shape:
        raise ValueError(f"dC must be (N, T′, H) = {Hdec.shape}, got {dC.shape}")
    dE = _softmax_backward(dC @ Hbar.transpose(0, 2, 1), A)  # (N, T′, T)
    v = np.asarray(P["v"])
    R = dE[..., None] * (1.0 - Q * Q) * v  # ρ_ts = ∂E/∂(W_a h_t + U_a h̄_s), (N, T′, T, d_a)
    dWh = R.sum(axis=2)  # (N, T′, d_a)
    dUh = R.sum(axis=1)  # (N, T, d_a)
    d_a, H = np.shape(P["W_a"])
    grads = {
        "W_a": dWh.reshape(-1, d_a).T @ Hdec.reshape(-1, H),
        "U_a": dUh.reshape(-1, d_a).T @ Hbar.reshape(-1, H),
        "v": np.einsum("nts,ntsa->a", dE, Q),
    }
    dHdec = dWh @ np.asarray(P["W_a"])
    dHbar = A.transpose(0, 2, 1) @ dC + dUh @ np.asarray(P["U_a"])
    return AttentionBackward(dHdec, dHbar, grads)


def attention_forward(Hdec: np.ndarray, Hbar: np.ndarray, P: dict | None = None, score: str = "dot"):
    """dot_attention_forward (score="dot", P unused) or additive_attention_forward (score="additive")."""
    if score == "dot":
        return dot_attention_forward(Hdec, Hbar)
    if score == "additive":
        if P is None:
            raise ValueError("score='additive' needs the parameters P = {'W_a', 'U_a', 'v'}")
        return additive_attention_forward(Hdec, Hbar, P)
    raise ValueError(f"unknown attention score {score!r}; use one of {SCORES}")


def attention_backward(dC: np.ndarray, cache) -> AttentionBackward:
    """The backward of attention_forward, as an AttentionBackward (grads = {} for the dot score)."""
    if cache["score"] == "dot":
        return AttentionBackward(*dot_attention_backward(dC, cache), {})
    return additive_attention_backward(dC, cache)
