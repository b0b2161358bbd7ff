"""実時間リカレント学習 (RTRL: real-time recurrent learning) for the lecture's Elman RNN.

One sequence at a time, float64, numpy only. Lecture notation (f = tanh); x_t and z_t
carry a leading 1 for the bias, so X is (T, d+1) with a first column of ones; z_0 = 0:

    u_t = W_in x_t + W z_{t−1},   z_t = f(u_t),   v_t = W_out [1; z_t],   ŷ_t = g(v_t)

BPTT goes back from t = T to 1 after the whole sequence. RTRL (seed 000) instead carries the
sensitivities (感度) p^k_ji(t) = ∂z_k(t)/∂w_ji forward in time with the network, p(0) = 0:

    p^k_ji(t) = f′(u_k(t)) ( δ_kj z_i(t−1) + Σ_l w_kl p^l_ji(t−1) )     for w_ji in W
    q^k_ji(t) = f′(u_k(t)) ( δ_kj x_i(t)   + Σ_l w_kl q^l_ji(t−1) )     for w^in_ji in W_in

(δ_kj = 1 if k = j else 0, Kronecker's delta) and adds each step's gradient at once:

    ∂E/∂w_ji = Σ_t Σ_k e_k(t) p^k_ji(t),   e(t) = ∂E_t/∂z_t = W̃_outᵀ (g(v_t) − y_t),
    ∂E/∂W_out = Σ_t (g(v_t) − y_t) [1; z_t]ᵀ,

with W̃_out = W_out[:, 1:]. Sensitivities are stored as P[k, j, i] = ∂z_k/∂w_ji: P_W is
(H, H, H) for W and P_in is (H, H, d+1) for W_in (axis 0 the unit k, axes 1, 2 the weight's).
"""

import numpy as np


def output_layer(z, W_out, task="regression"):
    """ŷ_t = g(W_out [1; z_t]): the identity for "regression", the softmax for "classification".

    Parameters
    ----------
    z : (H,)  z_t
    W_out : (m, H+1)  column 0 is the bias
    task : "regression" or "classification"

    Returns
    -------
    yhat : (m,)
    """
    v = W_out[:, 0] + W_out[:, 1:] @ z
    if task == "classification":
        e = np.exp(v - v.max())
        return e / e.sum()
    return v


def sensitivity_step(P_in, P_W, x, z_prev, u, W):
    """感度の更新 (one step of the sensitivity recursion), p(t−1) → p(t).

    P_W[k, j, i]  ← f′(u_k) ( δ_kj z_prev_i + Σ_l W[k, l] P_W[l, j, i] )
    P_in[k, j, i] ← f′(u_k) ( δ_kj x_i      + Σ_l W[k, l] P_in[l, j, i] )
    with f′(u) = 1 − tanh(u)² and δ_kj = 1 if k = j else 0.

    Parameters
    ----------
    P_in : (H, H, d+1)  q(t−1): P_in[k, j, i] = ∂z_k(t−1)/∂W_in[j, i]
    P_W : (H, H, H)  p(t−1): P_W[k, j, i] = ∂z_k(t−1)/∂W[j, i]
    x : (d+1,)  x_t, first entry 1 (the bias)
    z_prev : (H,)  z_{t−1}
    u : (H,)  u_t = W_in x_t + W z_{t−1}
    W : (H, H)  recurrent weights

    Returns
    -------
    P_in : (H, H, d+1)  new array, ∂z_k(t)/∂W_in[j, i]
    P_W : (H, H, H)  new array, ∂z_k(t)/∂W[j, i]
    (the arguments are left unchanged)
    """
    # Hint: Σ_l W[k, l] P[l, j, i] is np.einsum("kl,lji->kji", W, P); the δ_kj term adds a vector to P[k, k, :].
    ### BEGIN SOLUTION
    H = W.shape[0]
    fp = 1.0 - np.tanh(u) ** 2  # f′(u_t)
    # forward was: z_t = f(u_t), u_t = W_in x_t + W z_{t−1}, with z_{t−1} depending on the weights too
    A_in = np.einsum("kl,lji->kji", W, P_in)  # Σ_l w_kl q^l_ji(t−1)
    A_W = np.einsum("kl,lji->kji", W, P_W)  # Σ_l w_kl p^l_ji(t−1)
    k = np.arange(H)
    A_in[k, k, :] += x  # δ_kj x_i: w^in_ki multiplies x_i in u_k
    A_W[k, k, :] += z_prev  # δ_kj z_i(t−1): w_ki multiplies z_i(t−1) in u_k
    return fp[:, None, None] * A_in, fp[:, None, None] * A_W
    ### END SOLUTION


def gradient_from_sensitivities(e, P):
    """One step's contribution to a weight's gradient: ∂E_t/∂w_ji = Σ_k e_k p^k_ji.

    Parameters
    ----------
    e : (H,)  e(t) = ∂E_t/∂z_t, e.g. W̃_outᵀ (ŷ_t − y_t)
    P : (H, H, c)  the sensitivities P[k, j, i] = ∂z_k(t)/∂w_ji of one weight matrix (c = d+1 or H)

    Returns
    -------
    dW : (H, c)  entry [j, i] is Σ_k e_k P[k, j, i]
    """
    # Hint: contract e with the FIRST axis of P (the unit k), e.g. np.tensordot(e, P, axes=1).
    ### BEGIN SOLUTION
    return np.tensordot(e, P, axes=1)
    ### END SOLUTION


def rtrl_gradients(X, Y, W_in, W, W_out, task="regression"):
    """∂E/∂W_in, ∂E/∂W, ∂E/∂W_out of one sequence by RTRL: one pass forward in time, no going back.

    For t = 1 … T: u_t = W_in x_t + W z_{t−1}; the sensitivities p(t) from p(t−1)
    (sensitivity_step, p(0) = 0); z_t = tanh(u_t); ŷ_t = output_layer(z_t, W_out, task);
    e(t) = W̃_outᵀ (ŷ_t − y_t); add Σ_k e_k p^k(t) to ∂E/∂W and ∂E/∂W_in and
    (ŷ_t − y_t) [1; z_t]ᵀ to ∂E/∂W_out. E = Σ_t E_t as in the BPTT exercise (½‖y_t − ŷ_t‖² for
    regression, cross-entropy for classification), for which ∂E_t/∂v_t = ŷ_t − y_t.

    Parameters
    ----------
    X : (T, d+1)  inputs x_1 … x_T as rows, with the bias column of ones first
    Y : (T, m)  targets y_t as rows (one-hot for classification)
    W_in : (H, d+1)  column 0 is the bias
    W : (H, H)
    W_out : (m, H+1)  column 0 is the bias
    task : "regression" or "classification"

    Returns
    -------
    grads : dict  "W_in" (H, d+1), "W" (H, H), "W_out" (m, H+1)
    """
    # Hint: keep z_{t−1} and the two sensitivity arrays (zeros at first); call sensitivity_step BEFORE overwriting z.
    ### BEGIN SOLUTION
    T, H, D1 = X.shape[0], W.shape[0], X.shape[1]
    P_in, P_W = np.zeros((H, H, D1)), np.zeros((H, H, H))
    z = np.zeros(H)  # z_0
    grads = {"W_in": np.zeros_like(W_in, dtype=float), "W": np.zeros_like(W, dtype=float),
             "W_out": np.zeros_like(W_out, dtype=float)}
    for t in range(T):
        u = W_in @ X[t] + W @ z
        P_in, P_W = sensitivity_step(P_in, P_W, X[t], z, u, W)  # needs z_{t−1}
        z = np.tanh(u)
        dv = output_layer(z, W_out, task) - Y[t]  # ∂E_t/∂v_t = ŷ_t − y_t
        e = W_out[:, 1:].T @ dv  # ∂E_t/∂z_t: the bias column sends nothing back
        grads["W_in"] += gradient_from_sensitivities(e, P_in)
        grads["W"] += gradient_from_sensitivities(e, P_W)
        grads["W_out"] += np.outer(dv, np.concatenate([[1.0], z]))
    return grads
    ### END SOLUTION
