"""時間遅れネットワーク (TDNN, time-delay neural network): a causal 1-D convolution over time.

Seed 004 §6.2.1 lists the time-delay network beside the Elman network, the Jordan network and
the ESN. One sequence at a time, float64, numpy only. Lecture notation (f = tanh, g = identity);
x_t carries a leading 1 for the bias, so X is (T, d+1) with a first column of ones. Each hidden
unit sees the last K inputs x_t, x_{t−1}, …, x_{t−K+1} through K matrices W_0 … W_{K−1}:

    u_t = Σ_{k=0}^{K−1} W_k x^{(k)}_{t−k},   z_t = f(u_t),   ŷ_t = W_out [1; z_t]
    x^{(0)}_t = x_t;   x^{(k)}_s = (0, x_s1, …, x_sd)ᵀ for k ≥ 1;   x_s = 0 for s < 1

The bias is counted once: x_t's 1 enters through W_0 only (column 0 of W_0); the delayed copies
carry a 0 in its place, so column 0 of W_k, k ≥ 1, is never used and its gradient is 0. Zero
padding on the past: before the sequence starts there is no input (no wrap-around). No state is
carried from step to step, so the δ's need no recursion in time:

    δ_t = ∂E/∂u_t = W̃_outᵀ (ŷ_t − y_t) ⊙ f′(u_t),   E = ½ Σ_t ‖y_t − ŷ_t‖²
    ∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k},   ∂E/∂x_t = Σ_{k=0}^{K−1} W̃_kᵀ δ_{t+k}  (δ_s = 0 for s > T)

W is stored as one array (K, H, d+1), W[k] = W_k; W̃_k = W_k[:, 1:] and W̃_out = W_out[:, 1:] are
the matrices without their bias column. D = (δ_1 … δ_T) holds the δ's as columns, (H, T).
"""

import numpy as np


def delayed_inputs(X, K):
    """遅延入力の窓 (the window stack, the im2col view): Xd[t−1, k] = x^{(k)}_{t−k}.

    Slot k of row t−1 holds the input k steps back: x_t itself for k = 0 (with its 1), and for
    k ≥ 1 the delayed x_{t−k} with 0 in place of its 1 (the bias is counted once). When
    t − k < 1 the slot is all zeros (zero padding on the past), also when K > T.

    Parameters
    ----------
    X : (T, d+1)  inputs x_1 … x_T as rows, with the bias column of ones first
    K : int ≥ 1  the number of taps, delays 0 … K−1

    Returns
    -------
    Xd : (T, K, d+1)  Xd[t−1, k] = x^{(k)}_{t−k};  u_t = Σ_k W_k Xd[t−1, k]
    """
    # Hint: start from zeros; slot k gets the rows of X moved down k steps (none if k ≥ T); then zero the 1 of slots k ≥ 1.
    ### BEGIN SOLUTION
    T = X.shape[0]
    Xd = np.zeros((T, K, X.shape[1]))
    for k in range(min(K, T)):
        Xd[k:, k] = X[:T - k]  # row t−1 gets x_{t−k}; rows t ≤ k stay 0
    Xd[:, 1:, 0] = 0.0  # the 1 of the bias only in slot 0
    return Xd
    ### END SOLUTION


def forward(X, W, W_out):
    """順伝播 (forward pass) of the TDNN over one sequence.

    For t = 1 … T:
        u_t = Σ_{k=0}^{K−1} W_k x^{(k)}_{t−k},   z_t = tanh(u_t),   ŷ_t = W_out [1; z_t]
    (x_s = 0 for s < 1; the bias 1 through W_0 only: see delayed_inputs).

    Parameters
    ----------
    X : (T, d+1)  inputs with the bias column of ones first
    W : (K, H, d+1)  W[k] = W_k, the weights of the input k steps back
    W_out : (m, H+1)  hidden → output weights, column 0 is the bias

    Returns
    -------
    U : (T, H)  row t−1 is u_t
    Z : (T, H)  row t−1 is z_t (no bias column)
    Yhat : (T, m)  row t−1 is ŷ_t
    """
    # Hint: build the windows with delayed_inputs(X, K), then one sum over k of (T, d+1) @ W_kᵀ; no loop over t.
    ### BEGIN SOLUTION
    Xd = delayed_inputs(X, W.shape[0])
    U = np.einsum("tkj,khj->th", Xd, W)  # u_t = Σ_k W_k Xd[t−1, k]
    Z = np.tanh(U)
    Yhat = np.hstack([np.ones((Z.shape[0], 1)), Z]) @ W_out.T  # row t−1 is W_out [1; z_t]
    return U, Z, Yhat
    ### END SOLUTION


def deltas(U, Yhat, Y, W_out):
    """The δ's of every step, δ_t = ∂E/∂u_t, for E = ½ Σ_t ‖y_t − ŷ_t‖².

    δ_t = W̃_outᵀ (ŷ_t − y_t) ⊙ f′(u_t),   f′(u) = 1 − tanh(u)²,   W̃_out = W_out[:, 1:].
    No Wᵀ δ_{t+1} term: u_{t+1} does not depend on z_t (the TDNN has no recurrence).

    Parameters
    ----------
    U : (T, H)  row t−1 is u_t
    Yhat : (T, m)  row t−1 is ŷ_t
    Y : (T, m)  row t−1 is y_t
    W_out : (m, H+1)  output weights, column 0 is the bias

    Returns
    -------
    D : (H, T)  column t−1 is δ_t
    """
    # Hint: every step at once, no loop: W̃_outᵀ (Ŷ − Y)ᵀ is (H, T); the bias column of W_out sends nothing back.
    ### BEGIN SOLUTION
    # forward was: ŷ_t = W_out [1; z_t], z_t = tanh(u_t)
    return (W_out[:, 1:].T @ (Yhat - Y).T) * (1.0 - np.tanh(U.T) ** 2)
    ### END SOLUTION


def grad_W(D, X, K):
    """∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k}, k = 0 … K−1: the lecture's D X, shifted by k steps.

    Parameters
    ----------
    D : (H, T)  column t−1 is δ_t
    X : (T, d+1)  inputs with the bias column of ones first
    K : int ≥ 1  the number of taps

    Returns
    -------
    dW : (K, H, d+1)  dW[k] = ∂E/∂W_k; column 0 of dW[k] is 0 for k ≥ 1
    """
    # Hint: dW[k] is D times slot k of the windows of delayed_inputs(X, K): they hold the shift and the bias.
    ### BEGIN SOLUTION
    # forward was: u_t = Σ_k W_k Xd[t−1, k]
    Xd = delayed_inputs(X, K)
    return np.einsum("ht,tkj->khj", D, Xd)
    ### END SOLUTION


def grad_X(D, W):
    """∂E/∂x_t for the inputs themselves: Σ_{k=0}^{K−1} W̃_kᵀ δ_{t+k}, δ_s = 0 for s > T.

    x_t enters u_t, u_{t+1}, …, u_{t+K−1} (as the input k steps back of u_{t+k}), so its gradient
    collects the δ's of those K future steps that exist. The leading 1 is a constant, not an
    input: only the d columns x_t1 … x_td are returned (the gradient a lower layer would get).

    Parameters
    ----------
    D : (H, T)  column t−1 is δ_t
    W : (K, H, d+1)  W[k] = W_k

    Returns
    -------
    dX : (T, d)  row t−1 is ∂E/∂x_t without the bias entry
    """
    # Hint: for each k, W̃_kᵀ times the columns k … T−1 of D lands on the rows 0 … T−1−k of dX (none if k ≥ T).
    ### BEGIN SOLUTION
    H, T = D.shape
    K, _, d1 = W.shape
    dX = np.zeros((T, d1 - 1))
    for k in range(min(K, T)):
        # forward was: u_{t+k} = … + W_k x^{(k)}_t
        dX[:T - k] += D[:, k:].T @ W[k, :, 1:]
    return dX
    ### END SOLUTION


def backward(X, W, W_out, Y):
    """The whole gradient of E = ½ Σ_t ‖y_t − ŷ_t‖² for one sequence.

    ∂E/∂W_k = Σ_t δ_t x^{(k)ᵀ}_{t−k},   ∂E/∂W_out = (Ŷ − Y)ᵀ [1 Z]   (column 0: Σ_t (ŷ_t − y_t)).

    Parameters
    ----------
    X : (T, d+1)  inputs with the bias column of ones first
    W : (K, H, d+1)
    W_out : (m, H+1)
    Y : (T, m)  targets

    Returns
    -------
    grads : dict  "W" (K, H, d+1) and "W_out" (m, H+1), the shapes of the weights
    """
    # Hint: forward, deltas and grad_W from above; ∂E/∂W_out is as in rnn_bptt, (Ŷ − Y)ᵀ [1 Z].
    ### BEGIN SOLUTION
    U, Z, Yhat = forward(X, W, W_out)
    # backward retraces: ŷ_t = W_out [1; z_t] → δ_t → u_t = Σ_k W_k x^{(k)}_{t−k}
    D = deltas(U, Yhat, Y, W_out)
    Z1 = np.hstack([np.ones((Z.shape[0], 1)), Z])
    return {"W": grad_W(D, X, W.shape[0]), "W_out": (Yhat - Y).T @ Z1}
    ### END SOLUTION
