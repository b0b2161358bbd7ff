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

Channel attention (seed 003, "Attentionの応用": "チャンネルごとに Attention する", Squeeze-and-Excitation
Networks, Hu et al. 2018): the weights are over the C channels of H̄ = (h̄_1 … h̄_T)ᵀ (T, C), not over
the positions. With the lecture's bias as a leading 1 and a bottleneck of r units (usually r < C):
    s = (1/T) Σ_t h̄_t                          squeeze: the average over the positions, (C,)
    q = relu(W_1 [1; s])                        the excitation's hidden layer, (r,)
    e = σ(W_2 [1; q])                           excitation: one weight in (0, 1) per channel, (C,)
    y_t = e ⊙ h̄_t,  i.e. Y = H̄ diag(e)          rescale every position's channels
Backward, with dY from above, W̃_1 = W_1[:, 1:], W̃_2 = W_2[:, 1:]:
    ∂E/∂e = Σ_t dy_t ⊙ h̄_t,   ∂E/∂a_2 = ∂E/∂e ⊙ e ⊙ (1 − e)   (a_2 = W_2 [1; q]),
    ∂E/∂W_2 = ∂E/∂a_2 [1; q]ᵀ,   ∂E/∂a_1 = W̃_2ᵀ ∂E/∂a_2 ⊙ [q > 0]   (a_1 = W_1 [1; s]),
    ∂E/∂W_1 = ∂E/∂a_1 [1; s]ᵀ,   ∂E/∂h̄_t = e ⊙ dy_t + (1/T) W̃_1ᵀ ∂E/∂a_1   (direct + through the squeeze).
Batched: Hbar (N, T, C), P = {"W_1": (r, 1+C), "W_2": (C, 1+r)}, the same for every sequence.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shapes import compute_dtype
from .activations import sigmoid
from .rnn import add_bias

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
    "SE_KEYS",
    "init_se_params",
    "se_forward",
    "se_backward",
    "SEBackward",
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


# ---------------------------------------------------------------------------------------------
# channel attention: Squeeze-and-Excitation

SE_KEYS = ("W_1", "W_2")


def init_se_params(C: int, r: int, *, seed: int = 0) -> dict:
    """Random parameters of the excitation, uniform in ±1/√(1+C) (W_1) and ±1/√(1+r) (W_2), float64.

    Returns
    -------
    P : {"W_1": (r, 1+C), "W_2": (C, 1+r)}, column 0 the biases
    """
    if C < 1 or r < 1:
        raise ValueError(f"need C ≥ 1 and r ≥ 1, got C={C}, r={r}")
    rng = np.random.default_rng(seed)
    s1, s2 = 1.0 / np.sqrt(1 + C), 1.0 / np.sqrt(1 + r)
    return {"W_1": rng.uniform(-s1, s1, (r, 1 + C)), "W_2": rng.uniform(-s2, s2, (C, 1 + r))}


def _check_se(Hbar: np.ndarray, P: dict) -> None:
    if Hbar.ndim != 3 or Hbar.shape[1] < 1:
        raise ValueError(f"Hbar must be (N, T, C) with T ≥ 1, got shape {Hbar.shape}")
    missing = [k for k in SE_KEYS if k not in P]
    if missing:
        raise ValueError(f"the excitation needs the keys {SE_KEYS}; missing {tuple(missing)}")
    C = Hbar.shape[2]
    r = np.shape(P["W_1"])[0] if np.ndim(P["W_1"]) == 2 else -1
    for k, shape in {"W_1": (r, 1 + C), "W_2": (C, 1 + r)}.items():
        if np.shape(P[k]) != shape or r < 1:
            raise ValueError(f"{k} must be {shape} (C from Hbar, r = rows of W_1), got {np.shape(P[k])}")


def se_forward(Hbar: np.ndarray, P: dict):
    """Squeeze-and-Excitation: s = mean_t h̄_t, q = relu(W_1 [1; s]), e = σ(W_2 [1; q]), y_t = e ⊙ h̄_t.

    Parameters
    ----------
    Hbar : (N, T, C)  the states h̄_t (rows: positions, columns: channels)
    P : {"W_1": (r, 1+C), "W_2": (C, 1+r)}

    Returns
    -------
    Y : (N, T, C)  y_t = e ⊙ h̄_t
    cache : {"S": (N, C) squeezes s, "Q": (N, r) hidden q, "E": (N, C) excitations e, "Hbar", "P"}
        for se_backward
    """
    Hbar = np.asarray(Hbar)
    _check_se(Hbar, P)
    dtype = compute_dtype(Hbar, *(P[k] for k in SE_KEYS))
    Hbar = Hbar.astype(dtype, copy=False)
    W1, W2 = (np.asarray(P[k], dtype=dtype) for k in SE_KEYS)
    S = Hbar.mean(axis=1)  # squeeze over the positions t
    Q = np.maximum(add_bias(S) @ W1.T, 0.0)
    E = sigmoid(add_bias(Q) @ W2.T)
    return Hbar * E[:, None, :], {"S": S, "Q": Q, "E": E, "Hbar": Hbar, "P": P}


class SEBackward(NamedTuple):
    """What se_backward returns.

    dHbar : (N, T, C)  ∂E/∂h̄_t, both paths (direct and through the squeeze)
    grads : {"W_1": (r, 1+C), "W_2": (C, 1+r)}, summed over the batch
    """

    dHbar: np.ndarray
    grads: dict


def se_backward(dY: np.ndarray, cache) -> SEBackward:
    """Gradients of se_forward: the states and W_1, W_2 (see the module docstring).

    Parameters
    ----------
    dY : (N, T, C)  ∂E/∂y_t
    cache : from se_forward

    Returns
    -------
    SEBackward(dHbar, grads)
    """
    S, Q, E, Hbar, P = cache["S"], cache["Q"], cache["E"], cache["Hbar"], cache["P"]
    dY = np.asarray(dY)
    if dY.shape != Hbar.shape:
        raise ValueError(f"dY must be (N, T, C) = {Hbar.shape}, got {dY.shape}")
    W1, W2 = (np.asarray(P[k], dtype=Hbar.dtype) for k in SE_KEYS)
    T = Hbar.shape[1]
    dE = np.sum(dY * Hbar, axis=1)  # y_t = e ⊙ h̄_t
    dA2 = dE * E * (1.0 - E)  # e = σ(a_2)
    dA1 = (dA2 @ W2[:, 1:]) * (Q > 0)  # a_2 = W_2 [1; q], q = relu(a_1)
    dS = dA1 @ W1[:, 1:]  # a_1 = W_1 [1; s]
    grads = {"W_1": dA1.T @ add_bias(S), "W_2": dA2.T @ add_bias(Q)}
    dHbar = dY * E[:, None, :] + dS[:, None, :] / T  # s = (1/T) Σ_t h̄_t
    return SEBackward(dHbar, grads)
