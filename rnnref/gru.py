"""The gated recurrent unit (GRU), batched, in the lectures' and in PyTorch's convention.

Lecture convention (``"lecture"``: the lectures' figure with the "1 − z" block, as in
ゼロから作るDeep Learning 2):
    z_t = σ(W_Z_in x_t + W_Z h_{t−1})               update gate
    r_t = σ(W_R_in x_t + W_R h_{t−1})               reset gate
    h̃_t = tanh(W_in x_t + W (r_t ⊙ h_{t−1}))         reset applied before the recurrent product
    h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t,           h_0 = 0

PyTorch / cuDNN convention (``"torch"``, nn.GRU), with one more parameter b_hn (H,), the
recurrent bias of the candidate; the reset multiplies it, so it cannot be folded into the
input bias (the recurrent biases of r and z can, and are):
    r_t = σ(W_R_in x_t + W_R h_{t−1}),   z_t = σ(W_Z_in x_t + W_Z h_{t−1})
    h̃_t = tanh(W_in x_t + r_t ⊙ (W h_{t−1} + b_hn))  reset applied after the recurrent product
    h_t = (1 − z_t) ⊙ h̃_t + z_t ⊙ h_{t−1}            (z and 1 − z swapped w.r.t. the lecture)

x_t carries the bias as a leading 1 (X's first column is ones); the bias of each input
projection is column 0 of its ``*_in`` matrix.

Pre-activations u^z_t, u^r_t, ũ_t are the arguments of σ, σ, tanh above; their gradients
δ^z_t = ∂E/∂u^z_t, δ^r_t = ∂E/∂u^r_t, δ̃_t = ∂E/∂ũ_t. With δh_t = ∂E/∂h_t through every path:

lecture:  δ̃_t = δh_t ⊙ z_t ⊙ (1 − h̃_t²),     g_t = Wᵀ δ̃_t  (= ∂E/∂(r_t ⊙ h_{t−1}))
          δ^z_t = δh_t ⊙ (h̃_t − h_{t−1}) ⊙ z_t ⊙ (1 − z_t)
          δ^r_t = g_t ⊙ h_{t−1} ⊙ r_t ⊙ (1 − r_t)
          δh_{t−1} = ∂E/∂h_{t−1}|direct + δh_t ⊙ (1 − z_t) + g_t ⊙ r_t + W_Zᵀ δ^z_t + W_Rᵀ δ^r_t
          ∂E/∂W = Σ_t δ̃_t (r_t ⊙ h_{t−1})ᵀ
torch:    δ̃_t = δh_t ⊙ (1 − z_t) ⊙ (1 − h̃_t²),   δq_t = δ̃_t ⊙ r_t  (q_t = W h_{t−1} + b_hn)
          δ^z_t = δh_t ⊙ (h_{t−1} − h̃_t) ⊙ z_t ⊙ (1 − z_t)
          δ^r_t = δ̃_t ⊙ q_t ⊙ r_t ⊙ (1 − r_t)
          δh_{t−1} = ∂E/∂h_{t−1}|direct + δh_t ⊙ z_t + Wᵀ δq_t + W_Zᵀ δ^z_t + W_Rᵀ δ^r_t
          ∂E/∂W = Σ_t δq_t h_{t−1}ᵀ,   ∂E/∂b_hn = Σ_t δq_t
both:     ∂E/∂[W_Z_in; W_R_in; W_in] = Σ_t [δ^z_t; δ^r_t; δ̃_t] x_tᵀ,
          ∂E/∂[W_Z; W_R] = Σ_t [δ^z_t; δ^r_t] h_{t−1}ᵀ
(the sums also run over the N sequences of a batch).

Layout: the three blocks are stacked in the order (z, r, candidate): W_x = [W_Z_in; W_R_in; W_in]
(3H, d+1), W_h = [W_Z; W_R; W] (3H, H). The input projections of all T steps and N
sequences are one (T·N, d+1) @ (d+1, 3H) product before the loop. Per step, the lecture
convention takes one product for both gates (h_{t−1} against [W_Z; W_R]) and one for the
candidate ((r_t ⊙ h_{t−1}) against W); the torch convention needs r_t only after its product,
so its step is a single h_{t−1} @ W_hᵀ. Internally everything is time-major (T, N, ·);
inputs and outputs are (N, T, ·). The weight gradients are matrix products after the loop.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shapes import check_sequences, compute_dtype, initial_state, time_major
from .activations import sigmoid

__all__ = [
    "GRU_KEYS",
    "CONVENTIONS",
    "init_gru_params",
    "gru_forward",
    "gru_backward",
    "GRUBackward",
]

GRU_KEYS = ("W_in", "W", "W_Z_in", "W_Z", "W_R_in", "W_R")
CONVENTIONS = ("lecture", "torch")


def _check_convention(convention) -> None:
    if convention not in CONVENTIONS:
        raise ValueError(f"unknown GRU convention {convention!r}; use one of {CONVENTIONS}")


def init_gru_params(d: int, H: int, *, seed: int = 0, convention: str = "lecture") -> dict:
    """Random GRU parameters in the lecture's shapes, float64.

    Entries are uniform in ±1/√H (PyTorch's nn.GRU initialisation), the input biases
    (column 0 of the ``*_in`` matrices) included. The six matrices are drawn first, in the
    order of GRU_KEYS, so both conventions get the same ones for the same seed; "torch"
    then draws b_hn.

    Returns
    -------
    params : {"W_in": (H, d+1), "W": (H, H), "W_Z_in": (H, d+1), "W_Z": (H, H),
              "W_R_in": (H, d+1), "W_R": (H, H)}, plus "b_hn": (H,) for convention="torch"
    """
    _check_convention(convention)
    if d < 1 or H < 1:
        raise ValueError(f"need d ≥ 1 input features and H ≥ 1 hidden units, got d={d}, H={H}")
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(H)
    shapes = {"W_in": (H, d + 1), "W": (H, H), "W_Z_in": (H, d + 1), "W_Z": (H, H),
              "W_R_in": (H, d + 1), "W_R": (H, H)}
    params = {k: rng.uniform(-s, s, shapes[k]) for k in GRU_KEYS}
    if convention == "torch":
        params["b_hn"] = rng.uniform(-s, s, (H,))
    return params


def _check_params(P: dict, convention: str) -> tuple[int, int]:
    """Keys and shapes of the parameters for ``convention``; returns (d+1, H)."""
    _check_convention(convention)
    missing = [k for k in GRU_KEYS if k not in P]
    if missing:
        raise ValueError(f"GRU parameters {missing} are missing; a GRU needs {GRU_KEYS}")
    if convention == "torch" and "b_hn" not in P:
        raise ValueError(
            "convention='torch' needs params['b_hn'] (H,), the recurrent bias of the candidate "
            "in h̃_t = tanh(W_in x_t + r_t ⊙ (W h_{t−1} + b_hn)); "
            "init_gru_params(d, H, convention='torch') creates it"
        )
    if convention == "lecture" and "b_hn" in P:
        raise ValueError(
            "convention='lecture' has no b_hn (its candidate is tanh(W_in x_t + W (r_t ⊙ h_{t−1})), "
            "the bias is column 0 of W_in), but params has 'b_hn': it would be silently ignored; "
            "drop it or use convention='torch'"
        )
    W = np.asarray(P["W"])
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square (H, H), got shape {W.shape}")
    H = W.shape[0]
    W_in = np.asarray(P["W_in"])
    if W_in.ndim != 2 or W_in.shape[0] != H or W_in.shape[1] < 1:
        raise ValueError(f"W_in must be (H, d+1) with H = {H} (from W), got shape {W_in.shape}")
    d1 = W_in.shape[1]
    for k in GRU_KEYS:
        expected = (H, d1) if k.endswith("_in") else (H, H)
        if np.shape(P[k]) != expected:
            form = "(H, d+1)" if k.endswith("_in") else "(H, H)"
            raise ValueError(f"{k} must be {form} = {expected} (from W_in and W), got shape {np.shape(P[k])}")
    if convention == "torch" and np.shape(P["b_hn"]) != (H,):
        raise ValueError(f"b_hn must be (H,) = {(H,)}, got shape {np.shape(P['b_hn'])}")
    return d1, H


def gru_forward(X: np.ndarray, P: dict, h0: np.ndarray | None = None, convention: str = "lecture"):
    """Hidden states h_1 … h_T of the GRU for a batch of sequences.

    lecture: z_t = σ(W_Z_in x_t + W_Z h_{t−1}),  r_t = σ(W_R_in x_t + W_R h_{t−1}),
             h̃_t = tanh(W_in x_t + W (r_t ⊙ h_{t−1})),  h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t
    torch:   h̃_t = tanh(W_in x_t + r_t ⊙ (W h_{t−1} + b_hn)),  h_t = (1 − z_t) ⊙ h̃_t + z_t ⊙ h_{t−1}
    h_0 = 0 unless ``h0`` is given. Computes in np.result_type(X, parameters, h0) (float64 if
    that is not a float type): float32 inputs and parameters compute in float32.

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    P : {"W_in", "W_Z_in", "W_R_in": (H, d+1), "W", "W_Z", "W_R": (H, H)}, and for
        convention="torch" also "b_hn": (H,) (other keys are ignored)
    h0 : (N, H) or None  initial state h_0
    convention : "lecture" or "torch"

    Returns
    -------
    Hs : (N, T, H)  h_t, t = 1 … T (h_0 not included)
    cache : dict for gru_backward. Its arrays are time-major: "X" (T, N, d+1),
        "Hall" (T+1, N, H) with h_0 … h_T, "ZR" (T, N, 2H) with [z_t, r_t], "Hc" (T, N, H)
        with h̃_t, and "RH" (T, N, H) with r_t ⊙ h_{t−1} (lecture) or "Q" (T, N, H) with
        W h_{t−1} + b_hn (torch); "W_x" (3H, d+1) = [W_Z_in; W_R_in; W_in],
        "W_h" (3H, H) = [W_Z; W_R; W], "convention"
    """
    d1, H = _check_params(P, convention)
    X = np.asarray(X)
    check_sequences(X, d1)
    N, T, _ = X.shape
    torch_conv = convention == "torch"
    keys = GRU_KEYS + (("b_hn",) if torch_conv else ())
    dtype = compute_dtype(X, *(P[k] for k in keys), h0)
    h_init = initial_state(h0, "h0", N, H, dtype)

    W_x = np.concatenate([P["W_Z_in"], P["W_R_in"], P["W_in"]], axis=0).astype(dtype, copy=False)
    W_h = np.concatenate([P["W_Z"], P["W_R"], P["W"]], axis=0).astype(dtype, copy=False)
    Xt = time_major(X, dtype)
    # input projections of every step and sequence, blocks (z, r, candidate): one product
    A = (Xt.reshape(T * N, d1) @ W_x.T).reshape(T, N, 3 * H)

    Hall = np.empty((T + 1, N, H), dtype=dtype)  # h_0 … h_T
    Hall[0] = h_init
    ZR = np.empty((T, N, 2 * H), dtype=dtype)  # [z_t, r_t]
    Hc = np.empty((T, N, H), dtype=dtype)  # h̃_t
    S = np.empty((T, N, H), dtype=dtype)  # r_t ⊙ h_{t−1} (lecture) or q_t = W h_{t−1} + b_hn (torch)
    if torch_conv:
        W_hT = W_h.T  # (H, 3H)
        b_hn = np.asarray(P["b_hn"], dtype=dtype)
    else:
        W_zrT, W_T = W_h[: 2 * H].T, W_h[2 * H :].T  # (H, 2H), (H, H)

    for t in range(T):
        h_prev = Hall[t]
        z, r = ZR[t, :, :H], ZR[t, :, H:]
        if torch_conv:
            Uh = h_prev @ W_hT  # [W_Z h, W_R h, W h] in one product
            Uh[:, : 2 * H] += A[t, :, : 2 * H]
            sigmoid(Uh[:, : 2 * H], out=ZR[t])  # z_t, r_t
            np.add(Uh[:, 2 * H :], b_hn, out=S[t])  # q_t = W h_{t−1} + b_hn
            u = r * S[t]
        else:
            Uzr = h_prev @ W_zrT
            Uzr += A[t, :, : 2 * H]
            sigmoid(Uzr, out=ZR[t])  # z_t, r_t
            np.multiply(r, h_prev, out=S[t])  # r_t ⊙ h_{t−1}
            u = S[t] @ W_T
        u += A[t, :, 2 * H :]
        np.tanh(u, out=Hc[t])  # h̃_t
        h = Hall[t + 1]
        if torch_conv:
            np.subtract(h_prev, Hc[t], out=h)  # h_t = h̃_t + z_t ⊙ (h_{t−1} − h̃_t)
            h *= z
            h += Hc[t]
        else:
            np.subtract(Hc[t], h_prev, out=h)  # h_t = h_{t−1} + z_t ⊙ (h̃_t − h_{t−1})
            h *= z
            h += h_prev

    cache = {"X": Xt, "Hall": Hall, "ZR": ZR, "Hc": Hc, "RH" if not torch_conv else "Q": S,
             "W_x": W_x, "W_h": W_h, "convention": convention}
    return Hall[1:].transpose(1, 0, 2), cache


class GRUBackward(NamedTuple):
    """What gru_backward returns.

    grads : {"W_in", "W_Z_in", "W_R_in": (H, d+1), "W", "W_Z", "W_R": (H, H)}, and
        "b_hn": (H,) for convention="torch" — the keys of the GRU parameters
    dX : (N, T, d+1)  ∂E/∂x_t = W_Z_inᵀ δ^z_t + W_R_inᵀ δ^r_t + W_inᵀ δ̃_t (the bias column included)
    dh0 : (N, H)  ∂E/∂h_0
    """

    grads: dict
    dX: np.ndarray
    dh0: np.ndarray


def gru_backward(dHs: np.ndarray, cache) -> GRUBackward:
    """Backpropagation through time for the GRU of gru_forward, in the convention it used.

    Per step, from t = T down to 1, with δh_t = ∂E/∂h_t|direct (``dHs``) + what h_{t+1} sends:
    the δ's of the pre-activations δ^z_t, δ^r_t, δ̃_t and ∂E/∂h_{t−1} (see the module
    docstring for both conventions); they are collected in a (T, N, 3H) array, and the
    weight gradients are products after the loop:
    ∂E/∂[W_Z_in; W_R_in; W_in] = Σ_t [δ^z_t; δ^r_t; δ̃_t] x_tᵀ,  ∂E/∂[W_Z; W_R] = Σ_t [δ^z_t; δ^r_t] h_{t−1}ᵀ,
    ∂E/∂W = Σ_t δ̃_t (r_t ⊙ h_{t−1})ᵀ (lecture) or Σ_t δq_t h_{t−1}ᵀ (torch), ∂E/∂b_hn = Σ_t δq_t.

    Parameters
    ----------
    dHs : (N, T, H)  ∂E/∂h_t arriving from above (not through the recurrence)
    cache : from gru_forward

    Returns
    -------
    GRUBackward(grads, dX, dh0), see its docstring for the shapes
    """
    Xt, Hall, ZR, Hc = cache["X"], cache["Hall"], cache["ZR"], cache["Hc"]
    W_x, W_h, convention = cache["W_x"], cache["W_h"], cache["convention"]
    torch_conv = convention == "torch"
    S = cache["Q"] if torch_conv else cache["RH"]
    T, N, H = Hc.shape
    d1 = Xt.shape[2]
    dHs = np.asarray(dHs)
    if dHs.shape != (N, T, H):
        raise ValueError(f"dHs must be (N, T, H) = {(N, T, H)}, got {dHs.shape}")
    dtype = np.result_type(Hc, dHs)
    dHt = dHs.transpose(1, 0, 2)
    W_zr, W = W_h[: 2 * H], W_h[2 * H :]  # (2H, H), (H, H)

    D = np.empty((T, N, 3 * H), dtype=dtype)  # [δ^z_t, δ^r_t, δ̃_t]
    if torch_conv:
        DQ = np.empty((T, N, H), dtype=dtype)  # δq_t = ∂E/∂q_t, q_t = W h_{t−1} + b_hn
    back = np.zeros((N, H), dtype=dtype)  # ∂E/∂h_t through h_{t+1}
    for t in range(T - 1, -1, -1):
        h_prev, hc, q_or_rh = Hall[t], Hc[t], S[t]
        z, r = ZR[t, :, :H], ZR[t, :, H:]
        dz_pre, dr_pre, dc_pre = D[t, :, :H], D[t, :, H : 2 * H], D[t, :, 2 * H :]
        dh = dHt[t] + back  # δh_t
        if torch_conv:
            # h_t = (1 − z_t) ⊙ h̃_t + z_t ⊙ h_{t−1}
            back = dh * z
            np.multiply(dh, h_prev - hc, out=dz_pre)  # ∂E/∂z_t
            # h̃_t = tanh(ũ_t): δ̃_t = ∂E/∂h̃_t ⊙ (1 − h̃_t²)
            np.multiply(dh * (1.0 - z), 1.0 - hc * hc, out=dc_pre)
            # ũ_t = W_in x_t + r_t ⊙ q_t
            np.multiply(dc_pre, q_or_rh, out=dr_pre)  # ∂E/∂r_t
            np.multiply(dc_pre, r, out=DQ[t])  # δq_t
            back += DQ[t] @ W  # q_t = W h_{t−1} + b_hn
        else:
            # h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t
            back = dh * (1.0 - z)
            np.multiply(dh, hc - h_prev, out=dz_pre)  # ∂E/∂z_t
            # h̃_t = tanh(ũ_t): δ̃_t = ∂E/∂h̃_t ⊙ (1 − h̃_t²)
            np.multiply(dh * z, 1.0 - hc * hc, out=dc_pre)
            # ũ_t = W_in x_t + W (r_t ⊙ h_{t−1})
            g = dc_pre @ W  # ∂E/∂(r_t ⊙ h_{t−1}), row form of Wᵀ δ̃_t
            np.multiply(g, h_prev, out=dr_pre)  # ∂E/∂r_t
            back += g * r
        # z_t = σ(u^z_t), r_t = σ(u^r_t): δ = ∂E/∂gate ⊙ σ(1 − σ)
        dzr = D[t, :, : 2 * H]
        dzr *= ZR[t] * (1.0 - ZR[t])
        back += dzr @ W_zr  # u^z_t, u^r_t contain W_Z h_{t−1}, W_R h_{t−1}
    dh0 = back

    D2 = D.reshape(T * N, 3 * H)
    Hprev2 = Hall[:-1].reshape(T * N, H)  # rows h_0 … h_{T−1}
    dW_x = D2.T @ Xt.reshape(T * N, d1)  # Σ [δ^z; δ^r; δ̃] x_tᵀ
    dW_zr = D2[:, : 2 * H].T @ Hprev2  # Σ [δ^z; δ^r] h_{t−1}ᵀ
    grads = {
        "W_Z_in": dW_x[:H],
        "W_R_in": dW_x[H : 2 * H],
        "W_in": dW_x[2 * H :],
        "W_Z": dW_zr[:H],
        "W_R": dW_zr[H:],
    }
    if torch_conv:
        DQ2 = DQ.reshape(T * N, H)
        grads["W"] = DQ2.T @ Hprev2  # Σ δq_t h_{t−1}ᵀ
        grads["b_hn"] = DQ2.sum(axis=0)  # Σ δq_t
    else:
        grads["W"] = D2[:, 2 * H :].T @ S.reshape(T * N, H)  # Σ δ̃_t (r_t ⊙ h_{t−1})ᵀ
    grads = {k: grads[k] for k in GRU_KEYS + (("b_hn",) if torch_conv else ())}
    dX = (D2 @ W_x).reshape(T, N, d1)
    return GRUBackward(grads, dX.transpose(1, 0, 2), dh0)
