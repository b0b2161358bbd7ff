"""The LSTM of the lectures, batched, with BPTT through the cell state.

Lecture convention (f = tanh, σ the logistic sigmoid, z_0 = s_0 = 0):
    u_t   = W_in x_t + W z_{t−1}
    g^F_t = σ(W_F_in x_t + W_F z_{t−1} [+ p_F ⊙ s_{t−1}])      forget gate
    g^I_t = σ(W_I_in x_t + W_I z_{t−1} [+ p_I ⊙ s_{t−1}])      input gate
    s_t   = g^F_t ⊙ s_{t−1} + g^I_t ⊙ f(u_t)                   cell state
    g^O_t = σ(W_O_in x_t + W_O z_{t−1} [+ p_O ⊙ s_t])          output gate (peeks at the NEW cell)
    z_t   = g^O_t ⊙ f(s_t)                                     hidden state

x_t carries the bias as a leading 1 (X's first column is ones): the bias of each
projection is column 0 of its ``*_in`` matrix; there are no separate bias vectors.
The bracketed peephole terms (Gers, Schraudolph & Schmidhuber 2002) are used when the
parameters hold "p_F", "p_I", "p_O" (each (H,)), and left out otherwise.

Stacking: the four pre-activations of a step are one vector a_t = [u_t; a^F_t; a^I_t; a^O_t]
of 4H entries, in this (lecture) order, so
    W_x = [W_in; W_F_in; W_I_in; W_O_in]  (4H, d+1),   W_z = [W; W_F; W_I; W_O]  (4H, H),
    a_t = W_x x_t + W_z z_{t−1} (+ peepholes).
The input part W_x x_t of all steps and sequences is one matrix product before the loop,
the recurrent part is one (N, H) @ (H, 4H) product per step. Backward collects
δ_t = ∂E/∂a_t of every step in a (T, N, 4H) array Δ and gets all eight weight gradients
from two products after the loop, ∂E/∂W_x = Δ X and ∂E/∂W_z = Δ Z̃ (Z̃ = z_0 … z_{T−1}),
as the Elman network's D X and D Z̃ (see rnn.py).

Batching: a batch of N sequences is (N, T, ·); internally the recurrence runs time-major
((T, N, ·) contiguous). Computations run in the dtype of the inputs and parameters
(np.result_type; float64 by default, float32 when X and every parameter are float32).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shapes import check_sequences, compute_dtype, initial_state, time_major
from .activations import sigmoid

__all__ = [
    "LSTM_KEYS",
    "PEEPHOLE_KEYS",
    "init_lstm_params",
    "lstm_forward",
    "lstm_backward",
    "LSTMBackward",
]

LSTM_KEYS = ("W_in", "W", "W_F_in", "W_F", "W_I_in", "W_I", "W_O_in", "W_O")
PEEPHOLE_KEYS = ("p_F", "p_I", "p_O")

#: input and recurrent matrices in the stacking order of a_t = [u_t; a^F_t; a^I_t; a^O_t]
_IN_KEYS = ("W_in", "W_F_in", "W_I_in", "W_O_in")
_REC_KEYS = ("W", "W_F", "W_I", "W_O")


def init_lstm_params(d: int, H: int, *, seed: int = 0, peephole: bool = False) -> dict:
    """Random LSTM parameters in the lecture's shapes, float64.

    Entries are uniform in ±1/√H (PyTorch's nn.LSTM initialisation). The eight matrices are
    drawn first, in LSTM_KEYS order, so the same seed gives the same matrices with or
    without peepholes.

    Parameters
    ----------
    d : input size (x_t has d+1 entries, the leading 1 included)
    H : number of cells
    seed : for numpy's default_rng
    peephole : also draw p_F, p_I, p_O

    Returns
    -------
    params : {"W_in", "W_F_in", "W_I_in", "W_O_in": (H, d+1), "W", "W_F", "W_I", "W_O": (H, H)}
        and, when peephole, {"p_F", "p_I", "p_O": (H,)}
    """
    if d < 1 or H < 1:
        raise ValueError(f"need d ≥ 1 input features and H ≥ 1 cells, got d={d}, H={H}")
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(H)
    params = {k: rng.uniform(-s, s, (H, d + 1) if k.endswith("_in") else (H, H)) for k in LSTM_KEYS}
    if peephole:
        params.update({k: rng.uniform(-s, s, H) for k in PEEPHOLE_KEYS})
    return params


def _check_params(P: dict) -> tuple[int, int, bool]:
    """(H, d+1, has_peephole) after checking every key and shape of P."""
    missing = [k for k in LSTM_KEYS if k not in P]
    if missing:
        raise ValueError(f"LSTM parameters need the keys {LSTM_KEYS}; missing {tuple(missing)}")
    W_in = np.asarray(P["W_in"])
    if W_in.ndim != 2:
        raise ValueError(f"W_in must be (H, d+1), got shape {W_in.shape}")
    H, D1 = W_in.shape
    for k in LSTM_KEYS:
        want = (H, D1) if k.endswith("_in") else (H, H)
        got = np.shape(P[k])
        if got != want:
            form = "(H, d+1)" if k.endswith("_in") else "(H, H)"
            raise ValueError(f"{k} must be {form} = {want} (from W_in {W_in.shape}), got {got}")
    present = [k for k in PEEPHOLE_KEYS if k in P]
    if present and len(present) != len(PEEPHOLE_KEYS):
        raise ValueError(
            f"peepholes need all of {PEEPHOLE_KEYS} or none; got only {tuple(present)}"
        )
    for k in present:
        if np.shape(P[k]) != (H,):
            raise ValueError(f"{k} must be (H,) = {(H,)}, got {np.shape(P[k])}")
    return H, D1, bool(present)


def lstm_forward(X: np.ndarray, P: dict, z0: np.ndarray | None = None, s0: np.ndarray | None = None):
    """Hidden and cell states of the lecture's LSTM for a batch of sequences.

    u_t = W_in x_t + W z_{t−1},
    g^F_t = σ(W_F_in x_t + W_F z_{t−1} [+ p_F ⊙ s_{t−1}]),
    g^I_t = σ(W_I_in x_t + W_I z_{t−1} [+ p_I ⊙ s_{t−1}]),
    s_t = g^F_t ⊙ s_{t−1} + g^I_t ⊙ f(u_t),
    g^O_t = σ(W_O_in x_t + W_O z_{t−1} [+ p_O ⊙ s_t]),
    z_t = g^O_t ⊙ f(s_t),   f = tanh,   z_0 = s_0 = 0 unless given.
    The bracketed peephole terms are used when P holds p_F, p_I, p_O.

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    P : dict with W_in, W_F_in, W_I_in, W_O_in (H, d+1), W, W_F, W_I, W_O (H, H),
        optionally p_F, p_I, p_O (H,) (all three or none; other keys are ignored)
    z0 : (N, H) or None  initial hidden state z_0
    s0 : (N, H) or None  initial cell state s_0

    Returns
    -------
    Z : (N, T, H)  z_t, t = 1 … T (z_0 not included, no bias column)
    cache : dict for lstm_backward. Its arrays are time-major: "X" (T, N, d+1),
        "G" (T, N, 4H) with rows [f(u_t); g^F_t; g^I_t; g^O_t], "S" (T, N, H) cell states s_t,
        "fS" (T, N, H) f(s_t), "Z" (T, N, H), "z0", "s0" (N, H); also the stacked
        "W_x" (4H, d+1), "W_z" (4H, H) and "peep" (3, H) = [p_F; p_I; p_O] or None
    """
    H, D1, has_peep = _check_params(P)
    X = np.asarray(X)
    check_sequences(X, D1)
    N, T, _ = X.shape
    keys = LSTM_KEYS + (PEEPHOLE_KEYS if has_peep else ())
    dtype = compute_dtype(X, *(P[k] for k in keys))
    W_x = np.concatenate([P[k] for k in _IN_KEYS], axis=0, dtype=dtype)  # (4H, d+1)
    W_z = np.concatenate([P[k] for k in _REC_KEYS], axis=0, dtype=dtype)  # (4H, H)
    peep = np.stack([P[k] for k in PEEPHOLE_KEYS]).astype(dtype, copy=False) if has_peep else None
    z_prev = z_init = initial_state(z0, "z0", N, H, dtype)
    s_prev = s_init = initial_state(s0, "s0", N, H, dtype)

    Xt = time_major(X, dtype)
    # W_x x_t for every t and n at once; G then becomes the gate values in place
    G = (Xt.reshape(T * N, D1) @ W_x.T).reshape(T, N, 4 * H)
    S = np.empty((T, N, H), dtype=dtype)
    fS = np.empty_like(S)
    Z = np.empty_like(S)
    W_zT = np.ascontiguousarray(W_z.T)  # (H, 4H): z_{t−1} @ W_zT = (W_z z_{t−1}) as a row
    u, gF, gI, gO = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H), slice(3 * H, 4 * H)
    for t in range(T):
        g = G[t]  # (N, 4H): row n is a_t = [u_t; a^F_t; a^I_t; a^O_t] of sequence n
        g += z_prev @ W_zT
        np.tanh(g[:, u], out=g[:, u])  # f(u_t)
        if has_peep:
            g[:, gF] += peep[0] * s_prev
            g[:, gI] += peep[1] * s_prev
            sigmoid(g[:, gF.start : gI.stop], out=g[:, gF.start : gI.stop])  # g^F_t, g^I_t
        else:
            sigmoid(g[:, gF.start :], out=g[:, gF.start :])  # g^F_t, g^I_t, g^O_t
        s = S[t]
        np.multiply(g[:, gF], s_prev, out=s)
        s += g[:, gI] * g[:, u]  # s_t = g^F_t ⊙ s_{t−1} + g^I_t ⊙ f(u_t)
        if has_peep:
            g[:, gO] += peep[2] * s
            sigmoid(g[:, gO], out=g[:, gO])  # g^O_t sees the new cell s_t
        np.tanh(s, out=fS[t])
        np.multiply(g[:, gO], fS[t], out=Z[t])  # z_t = g^O_t ⊙ f(s_t)
        z_prev, s_prev = Z[t], s
    cache = {
        "X": Xt,
        "G": G,
        "S": S,
        "fS": fS,
        "Z": Z,
        "z0": z_init,
        "s0": s_init,
        "W_x": W_x,
        "W_z": W_z,
        "peep": peep,
    }
    return Z.transpose(1, 0, 2), cache


class LSTMBackward(NamedTuple):
    """What lstm_backward returns.

    grads : {"W_in", "W_F_in", "W_I_in", "W_O_in": (H, d+1), "W", "W_F", "W_I", "W_O": (H, H)},
        plus {"p_F", "p_I", "p_O": (H,)} when the forward pass had peepholes; same keys as P
    dX : (N, T, d+1)  ∂E/∂x_t = W_xᵀ δ_t (the bias column included)
    dz0 : (N, H)  ∂E/∂z_0 = W_zᵀ δ_1
    ds0 : (N, H)  ∂E/∂s_0 (through g^F_1 ⊙ s_0 and the peepholes p_F, p_I of step 1)
    """

    grads: dict
    dX: np.ndarray
    dz0: np.ndarray
    ds0: np.ndarray


def lstm_backward(dZ: np.ndarray, cache, dS: np.ndarray | None = None) -> LSTMBackward:
    """BPTT through the LSTM: δ_t = ∂E/∂a_t step by step, then Δ X and Δ Z̃ as one product each.

    Going back from t = T to 1 with ∂z and ∂s, what z_t and s_t send into step t+1
    (zero after step T); ∂E/∂z_t|direct (``dZ``) and ∂E/∂s_t|direct (``dS``) come from above:
        e^z_t = ∂E/∂z_t|direct + ∂z,                              total ∂E/∂z_t
        δ^O_t = e^z_t ⊙ f(s_t) ⊙ g^O_t ⊙ (1 − g^O_t)
        e^s_t = ∂E/∂s_t|direct + ∂s + e^z_t ⊙ g^O_t ⊙ (1 − f(s_t)²) [+ p_O ⊙ δ^O_t]
        δ^u_t = e^s_t ⊙ g^I_t ⊙ (1 − f(u_t)²)
        δ^F_t = e^s_t ⊙ s_{t−1} ⊙ g^F_t ⊙ (1 − g^F_t)
        δ^I_t = e^s_t ⊙ f(u_t) ⊙ g^I_t ⊙ (1 − g^I_t)
        ∂s ← e^s_t ⊙ g^F_t [+ p_F ⊙ δ^F_t + p_I ⊙ δ^I_t],   ∂z ← W_zᵀ δ_t
    with δ_t = [δ^u_t; δ^F_t; δ^I_t; δ^O_t]. Then ∂E/∂W_x = Δ X, ∂E/∂W_z = Δ Z̃ (split into
    the eight matrices), ∂E/∂p_F = Σ δ^F_t ⊙ s_{t−1}, ∂E/∂p_I = Σ δ^I_t ⊙ s_{t−1},
    ∂E/∂p_O = Σ δ^O_t ⊙ s_t (sums over t and n), ∂E/∂z_0 = ∂z, ∂E/∂s_0 = ∂s.

    Parameters
    ----------
    dZ : (N, T, H)  ∂E/∂z_t arriving from above (not through the recurrence)
    cache : from lstm_forward
    dS : (N, T, H) or None  ∂E/∂s_t arriving from above (e.g. a decoder reading the
        encoder's cell), None for zeros

    Returns
    -------
    LSTMBackward(grads, dX, dz0, ds0), see its docstring for the shapes
    """
    Xt, G, S, fS, Z = cache["X"], cache["G"], cache["S"], cache["fS"], cache["Z"]
    z0, s0, W_x, W_z, peep = cache["z0"], cache["s0"], cache["W_x"], cache["W_z"], cache["peep"]
    T, N, H = S.shape
    dZ = np.asarray(dZ)
    if dZ.shape != (N, T, H):
        raise ValueError(f"dZ must be (N, T, H) = {(N, T, H)}, got {dZ.shape}")
    if dS is not None:
        dS = np.asarray(dS)
        if dS.shape != (N, T, H):
            raise ValueError(f"dS must be (N, T, H) = {(N, T, H)} or None, got {dS.shape}")
    dtype = np.result_type(G, dZ) if dS is None else np.result_type(G, dZ, dS)
    dZt = dZ.transpose(1, 0, 2)
    dSt = None if dS is None else dS.transpose(1, 0, 2)
    u, gF, gI, gO = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H), slice(3 * H, 4 * H)

    # local derivatives of every step at once: [1 − f(u_t)²; σ′ of the three gates]
    dG = G * (1.0 - G)
    np.subtract(1.0, G[..., u] * G[..., u], out=dG[..., u])
    # ∂z_t/∂s_t through f(s_t): g^O_t ⊙ (1 − f(s_t)²)
    dzds = G[..., gO] * (1.0 - fS * fS)

    D = np.empty((T, N, 4 * H), dtype=dtype)  # Δ: row n of D[t] is δ_t of sequence n
    dz = np.zeros((N, H), dtype=dtype)  # ∂z: what z_t sends into step t+1
    ds = np.zeros((N, H), dtype=dtype)  # ∂s: what s_t sends into step t+1
    for t in range(T - 1, -1, -1):
        g, delta = G[t], D[t]
        s_prev = S[t - 1] if t > 0 else s0
        # z_t = g^O_t ⊙ f(s_t): e^z_t reaches g^O_t and s_t
        ez = dZt[t] + dz
        np.multiply(ez, fS[t], out=delta[:, gO])
        delta[:, gO] *= dG[t, :, gO]  # δ^O_t
        es = ds + ez * dzds[t]
        if dSt is not None:
            es += dSt[t]
        if peep is not None:
            es += peep[2] * delta[:, gO]  # g^O_t = σ(… + p_O ⊙ s_t)
        # s_t = g^F_t ⊙ s_{t−1} + g^I_t ⊙ f(u_t)
        np.multiply(es, g[:, gI], out=delta[:, u])  # ∂E/∂f(u_t)
        np.multiply(es, s_prev, out=delta[:, gF])  # ∂E/∂g^F_t
        np.multiply(es, g[:, u], out=delta[:, gI])  # ∂E/∂g^I_t
        delta[:, : gI.stop] *= dG[t, :, : gI.stop]  # δ^u_t, δ^F_t, δ^I_t
        # s_{t−1} enters s_t directly and, with peepholes, g^F_t and g^I_t
        ds = es * g[:, gF]
        if peep is not None:
            ds += peep[0] * delta[:, gF] + peep[1] * delta[:, gI]
        # z_{t−1} enters all four pre-activations through W_z
        dz = delta @ W_z

    D2 = D.reshape(T * N, 4 * H)
    Z_tilde = np.concatenate([z0[None], Z[:-1]], axis=0)  # rows z_0 … z_{T−1}
    D1 = W_x.shape[1]
    dW_x = D2.T @ Xt.reshape(T * N, D1)  # Δ X, (4H, d+1)
    dW_z = D2.T @ Z_tilde.reshape(T * N, H)  # Δ Z̃, (4H, H)
    grads = {}
    for i, (k_in, k) in enumerate(zip(_IN_KEYS, _REC_KEYS)):
        grads[k_in] = dW_x[i * H : (i + 1) * H]
        grads[k] = dW_z[i * H : (i + 1) * H]
    grads = {k: grads[k] for k in LSTM_KEYS}
    if peep is not None:
        S_tilde = np.concatenate([s0[None], S[:-1]], axis=0)  # rows s_0 … s_{T−1}
        grads["p_F"] = np.einsum("tnh,tnh->h", D[..., gF], S_tilde)
        grads["p_I"] = np.einsum("tnh,tnh->h", D[..., gI], S_tilde)
        grads["p_O"] = np.einsum("tnh,tnh->h", D[..., gO], S)
    dX = (D2 @ W_x).reshape(T, N, D1)
    return LSTMBackward(grads, dX.transpose(1, 0, 2), dz, ds)
