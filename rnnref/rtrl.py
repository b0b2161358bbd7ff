"""Real-time recurrent learning (RTRL, 実時間リカレント学習) for the lecture's Elman RNN, batched.

Seed 000: instead of going back in time (BPTT), carry the sensitivities

    p^k_ji(t) = ∂z_k(t) / ∂w_ji

forward with the network and read the gradient off them at every step. For the
recurrence u_t = W_in x_t + W z_{t−1}, z_t = f(u_t), z_0 = 0 (so p(0) = 0):

    p^k_ji(t)    = f′(u_k(t)) ( δ_kj z_i(t−1) + Σ_l w_kl p^l_ji(t−1) )       for w_ji in W
    q^k_ji(t)    = f′(u_k(t)) ( δ_kj x_i(t)   + Σ_l w_kl q^l_ji(t−1) )       for w^in_ji in W_in
    ∂E/∂w_ji     = Σ_t Σ_k e_k(t) p^k_ji(t),   e(t) = ∂E_t/∂z_t = W̃_outᵀ (g(v_t) − y_t)

and ∂E/∂W_out = Σ_t (g(v_t) − y_t) [1; z_t]ᵀ as in BPTT. δ_kj is Kronecker's delta.

Layout: the sensitivities of sequence n are P_W[n, k, j, i] = ∂z_k(t)/∂W[j, i], (N, H, H, H),
and P_in[n, k, j, i] = ∂z_k(t)/∂W_in[j, i], (N, H, H, d+1): the first axis after the batch is
the unit k whose state is differentiated, the last two are the weight's own axes.

Cost per step and sequence: the product Σ_l w_kl p^l_ji is H · H·(H + d+1) multiply-adds,
O(H⁴) for the recurrent weights, and the sensitivities take O(H³) memory whatever T is.
BPTT costs O(H²) per step (O(H² T) per sequence) but stores the O(H T) states of the whole
sequence. Both give the same gradient.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._shapes import check_sequences, compute_dtype
from .activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, hidden_activation, hidden_derivative, output_loss
from .rnn import affine_out_backward

__all__ = ["rtrl_step", "sensitivity_gradient", "rtrl", "RTRL", "rtrl_online", "RTRLOnline", "sensitivity_bytes"]


def rtrl_step(P_in: np.ndarray, P_W: np.ndarray, x: np.ndarray, z_prev: np.ndarray, u: np.ndarray,
              W: np.ndarray, f: str = "tanh"):
    """One step of the sensitivity recursion, p(t−1) → p(t), for a batch.

        P_W[n, k, j, i]  ← f′(u_k) ( δ_kj z_prev_i + Σ_l W[k, l] P_W[n, l, j, i] )
        P_in[n, k, j, i] ← f′(u_k) ( δ_kj x_i      + Σ_l W[k, l] P_in[n, l, j, i] )

    The sums over l are one matrix product each (W @ P reshaped to (H, H·(·))).

    Parameters
    ----------
    P_in : (N, H, H, d+1)  q(t−1): ∂z_k(t−1)/∂W_in[j, i]
    P_W : (N, H, H, H)  p(t−1): ∂z_k(t−1)/∂W[j, i]
    x : (N, d+1)  x_t, the leading 1 included
    z_prev : (N, H)  z_{t−1}
    u : (N, H)  u_t = W_in x_t + W z_{t−1}
    W : (H, H)  recurrent weights
    f : "tanh" or "relu"

    Returns
    -------
    P_in, P_W : new arrays of the same shapes, the sensitivities at t
    """
    N, H = u.shape
    D1 = x.shape[1]
    if P_in.shape != (N, H, H, D1) or P_W.shape != (N, H, H, H):
        raise ValueError(f"P_in must be (N, H, H, d+1) = {(N, H, H, D1)} and P_W (N, H, H, H) = {(N, H, H, H)}, "
                         f"got {P_in.shape} and {P_W.shape}")
    fp = hidden_derivative(f, u, hidden_activation(f, u))  # f′(u_t), (N, H)
    A_in = np.matmul(W, P_in.reshape(N, H, H * D1)).reshape(N, H, H, D1)  # Σ_l w_kl q^l_ji
    A_W = np.matmul(W, P_W.reshape(N, H, H * H)).reshape(N, H, H, H)  # Σ_l w_kl p^l_ji
    k = np.arange(H)
    A_in[:, k, k, :] += x[:, None, :]  # δ_kj x_i
    A_W[:, k, k, :] += z_prev[:, None, :]  # δ_kj z_{t−1, i}
    A_in *= fp[:, :, None, None]
    A_W *= fp[:, :, None, None]
    return A_in, A_W


def sensitivity_gradient(e: np.ndarray, P: np.ndarray) -> np.ndarray:
    """∂E_t/∂w_ji = Σ_n Σ_k e_k(t) p^k_ji(t): one step's contribution to a weight's gradient.

    Parameters
    ----------
    e : (N, H)  e(t) = ∂E_t/∂z_t = W̃_outᵀ (g(v_t) − y_t) of each sequence
    P : (N, H, H, c)  the sensitivities ∂z_k(t)/∂w_ji of one weight matrix (c = d+1 or H)

    Returns
    -------
    dW : (H, c)  summed over the batch
    """
    if e.ndim != 2 or P.ndim != 4 or P.shape[:2] != e.shape:
        raise ValueError(f"e must be (N, H) and P (N, H, H, c) with the same N, H; got {e.shape} and {P.shape}")
    return np.tensordot(e, P, axes=([0, 1], [0, 1]))


class RTRL(NamedTuple):
    """What rtrl returns.

    E : float  the loss, summed over sequences and steps
    grads : {"W_in": (H, d+1), "W": (H, H), "W_out": (m, H+1)}, the same as BPTT's
    P_in : (N, H, H, d+1)  the sensitivities ∂z_k(T)/∂W_in[j, i] after the last step
    P_W : (N, H, H, H)  the sensitivities ∂z_k(T)/∂W[j, i] after the last step
    """

    E: float
    grads: dict
    P_in: np.ndarray
    P_W: np.ndarray


def rtrl(X: np.ndarray, Y: np.ndarray, params: dict, *, f: str = "tanh", g: str = "identity",
         many_to_one: bool = False) -> RTRL:
    """The loss and its gradients by real-time recurrent learning: one pass forward in time.

    At each step t: u_t, z_t, the sensitivities (rtrl_step), v_t = W_out [1; z_t], ŷ_t = g(v_t),
    and, when step t has an output error, e(t) = W̃_outᵀ (g(v_t) − y_t) is contracted with the
    sensitivities and added to the gradients. Nothing of step t is kept after step t+1.

    Parameters
    ----------
    X : (N, T, d+1)  inputs with the bias column of ones first
    Y : (N, T, m), or (N, m) when many_to_one
    params : {"W_in": (H, d+1), "W": (H, H), "W_out": (m, H+1)}
    f : "tanh" or "relu";  g : "identity" (regression) or "softmax" (classification)
    many_to_one : only the last step has an output

    Returns
    -------
    RTRL(E, grads, P_in, P_W)
    """
    W_in, W, W_out = params["W_in"], params["W"], params["W_out"]
    check_sequences(X, W_in.shape[1])
    if f not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"unknown hidden activation f={f!r}; use one of {HIDDEN_ACTIVATIONS}")
    if g not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output activation g={g!r}; use one of {OUTPUT_ACTIVATIONS}")
    N, T, D1 = X.shape
    H, m = W.shape[0], W_out.shape[0]
    want = (N, m) if many_to_one else (N, T, m)
    if Y.shape != want:
        raise ValueError(f"Y must be {'(N, m)' if many_to_one else '(N, T, m)'} = {want}, got {Y.shape}")
    dtype = compute_dtype(X, W_in, W, W_out, Y)
    W_tilde = W_out[:, 1:]
    P_in = np.zeros((N, H, H, D1), dtype=dtype)
    P_W = np.zeros((N, H, H, H), dtype=dtype)
    z = np.zeros((N, H), dtype=dtype)
    grads = {"W_in": np.zeros((H, D1), dtype=dtype), "W": np.zeros((H, H), dtype=dtype)}
    Zo, dV = [], []
    E = 0.0
    for t in range(T):
        x = X[:, t]
        u = x @ W_in.T + z @ W.T
        P_in, P_W = rtrl_step(P_in, P_W, x, z, u, W, f)
        z = hidden_activation(f, u)
        if many_to_one and t < T - 1:
            continue
        v = z @ W_tilde.T + W_out[:, 0]
        E_t, dv = output_loss(v, Y if many_to_one else Y[:, t], g)
        e = dv @ W_tilde  # ∂E_t/∂z_t, (N, H)
        grads["W_in"] += sensitivity_gradient(e, P_in)  # Σ_n Σ_k e_k q^k_ji
        grads["W"] += sensitivity_gradient(e, P_W)
        E += E_t
        Zo.append(z)
        dV.append(dv)
    _, dW_out = affine_out_backward(np.stack(dV, axis=1), (np.stack(Zo, axis=1), W_out))
    grads["W_out"] = dW_out
    return RTRL(E, {"W_in": grads["W_in"], "W": grads["W"], "W_out": grads["W_out"]}, P_in, P_W)


class RTRLOnline(NamedTuple):
    """What rtrl_online returns.

    params : {"W_in", "W", "W_out"} after the last update
    E : (T,)  the loss E_t of each step (summed over the batch), before that step's update
    """

    params: dict
    E: np.ndarray


def rtrl_online(X: np.ndarray, Y: np.ndarray, params: dict, *, lr: float, f: str = "tanh", g: str = "identity",
                reset_sensitivities: bool = False) -> RTRLOnline:
    """Online learning by RTRL: the weights are updated at every step, as soon as E_t is known.

    At step t: u_t, the sensitivities (rtrl_step, with the current weights), z_t, ŷ_t, and then at once
    W ← W − η Σ_k e_k(t) p^k(t) (likewise W_in) and W_out ← W_out − η (g(v_t) − y_t) [1; z_t]ᵀ,
    summed over the batch. The sensitivities are carried on across the updates (Williams & Zipser's
    real-time learning): they are exact for the first step only and an approximation afterwards,
    good while η is small. With reset_sensitivities=True they are set to zero before every step, so
    only the direct term δ_kj z_i(t−1) remains (a gradient that looks back no step at all).

    Parameters
    ----------
    X : (N, T, d+1)  N streams with the bias column of ones first
    Y : (N, T, m)  targets
    params : {"W_in": (H, d+1), "W": (H, H), "W_out": (m, H+1)}, left unchanged
    lr : η ≥ 0 (lr = 0: the weights stay and the step gradients sum to rtrl's)

    Returns
    -------
    RTRLOnline(params, E)
    """
    W_in, W, W_out = (np.array(params[k], dtype=np.float64) for k in ("W_in", "W", "W_out"))
    check_sequences(X, W_in.shape[1])
    N, T, D1 = X.shape
    H, m = W.shape[0], W_out.shape[0]
    if Y.shape != (N, T, m):
        raise ValueError(f"Y must be (N, T, m) = {(N, T, m)}, got {Y.shape}")
    P_in, P_W = np.zeros((N, H, H, D1)), np.zeros((N, H, H, H))
    z = np.zeros((N, H))
    E = np.zeros(T)
    for t in range(T):
        x = X[:, t]
        u = x @ W_in.T + z @ W.T
        if reset_sensitivities:
            P_in, P_W = np.zeros_like(P_in), np.zeros_like(P_W)
        P_in, P_W = rtrl_step(P_in, P_W, x, z, u, W, f)
        z = hidden_activation(f, u)
        v = z @ W_out[:, 1:].T + W_out[:, 0]
        E[t], dv = output_loss(v, Y[:, t], g)
        e = dv @ W_out[:, 1:]
        _, dW_out = affine_out_backward(dv, (z, W_out))
        W_in = W_in - lr * sensitivity_gradient(e, P_in)
        W = W - lr * sensitivity_gradient(e, P_W)
        W_out = W_out - lr * dW_out
    return RTRLOnline({"W_in": W_in, "W": W, "W_out": W_out}, E)


def sensitivity_bytes(d: int, H: int, itemsize: int = 8) -> int:
    """Bytes of RTRL's sensitivities for one sequence: H·H·(d+1) + H·H·H numbers (the O(H³) memory)."""
    return itemsize * H * H * (d + 1 + H)
