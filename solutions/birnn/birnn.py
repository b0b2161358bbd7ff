"""双方向 RNN (Bidirectional RNN): two Elman RNNs, past → future and future → past, one output layer.

One sequence at a time, float64, numpy only. Lecture notation (f = tanh); x_t carries a
leading 1 for the bias, so X is (T, d+1) with a first column of ones. "fw" (順方向, forward
direction) reads x_1 … x_T, "bw" (逆方向, backward direction) reads x_T … x_1:

    u→_t = W_in→ x_t + W→ z→_{t−1},   z→_t = f(u→_t),   z→_0 = 0        (t = 1, …, T)
    u←_t = W_in← x_t + W← z←_{t+1},   z←_t = f(u←_t),   z←_{T+1} = 0    (t = T, …, 1)
    v_t = W_out [1; z→_t; z←_t],       ŷ_t = g(v_t)

z→_t has seen the past x_1 … x_t, z←_t the future x_t … x_T. W_out = [b, W̃_out→, W̃_out←]:
column 0 is the bias, columns 1 … H read z→_t, columns H+1 … 2H read z←_t. BPTT, with
δ^out_t = ŷ_t − y_t:

    δ→_t = (W→ᵀ δ→_{t+1} + W̃_out→ᵀ δ^out_t) ⊙ f′(u→_t),   t = T, …, 1,   δ→_{T+1} = 0
    δ←_t = (W←ᵀ δ←_{t−1} + W̃_out←ᵀ δ^out_t) ⊙ f′(u←_t),   t = 1, …, T,   δ←_0 = 0
    ∂E/∂W_in→ = D→ X,  ∂E/∂W→ = D→ Z̃→,  ∂E/∂W_in← = D← X,  ∂E/∂W← = D← Z̃←,
    ∂E/∂W_out = (g(V) − Y) [1 Z→ Z←]
    Z̃→ = (z→_0, …, z→_{T−1})ᵀ,   Z̃← = (z←_2, …, z←_T, z←_{T+1})ᵀ

Parameters P: a dict with "W_in_fw", "W_in_bw" (H, d+1) (column 0 is the bias), "W_fw",
"W_bw" (H, H) and "W_out" (m, 2H+1). Every array is in time order: row (or column) t−1
belongs to step t, for the backward direction too.
"""

import numpy as np

BIRNN_KEYS = ("W_in_fw", "W_fw", "W_in_bw", "W_bw", "W_out")


def softmax(V):
    """g(v)_k = e^{v_k} / Σ_j e^{v_j} for every row v of V (T, m), after subtracting the row's max."""
    E = np.exp(V - V.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def rnn_states(X, W_in, W):
    """一方向の RNN の順伝播 (one direction's forward pass), z_0 = 0.

    For t = 1 … T:  u_t = W_in x_t + W z_{t−1},  z_t = tanh(u_t).

    Parameters
    ----------
    X : (T, d+1)  inputs x_1 … x_T as rows, bias column of ones first
    W_in : (H, d+1)  column 0 is the bias
    W : (H, H)  recurrent weights

    Returns
    -------
    U : (T, H)  row t−1 is u_t
    Z : (T, H)  row t−1 is z_t (z_0 not included)
    """
    # Hint: the loop of rnn_bptt's forward without the output layer; z_{t−1} starts as zeros.
    ### BEGIN SOLUTION
    T, H = X.shape[0], W.shape[0]
    U, Z = np.zeros((T, H)), np.zeros((T, H))
    z = np.zeros(H)  # z_0
    for t in range(T):
        U[t] = W_in @ X[t] + W @ z
        z = np.tanh(U[t])
        Z[t] = z
    return U, Z
    ### END SOLUTION


def birnn_forward(X, P, task="regression"):
    """双方向 RNN の順伝播 (forward pass of the bidirectional RNN) over one sequence.

    順方向: u→_t = W_in→ x_t + W→ z→_{t−1}, z→_t = tanh(u→_t), t = 1 … T, z→_0 = 0;
    逆方向: u←_t = W_in← x_t + W← z←_{t+1}, z←_t = tanh(u←_t), t = T … 1, z←_{T+1} = 0
            (an ordinary RNN run on the reversed sequence x_T, …, x_1);
    出力:   v_t = W_out [1; z→_t; z←_t],  ŷ_t = g(v_t),
    g = identity for task="regression", g = softmax for task="classification".

    Parameters
    ----------
    X : (T, d+1)  inputs as rows, bias column of ones first
    P : dict  "W_in_fw", "W_in_bw": (H, d+1); "W_fw", "W_bw": (H, H); "W_out": (m, 2H+1)
    task : "regression" or "classification"

    Returns
    -------
    U_fw, Z_fw : (T, H)  row t−1 is u→_t, z→_t
    U_bw, Z_bw : (T, H)  row t−1 is u←_t, z←_t — in time order, like the forward direction's
    Yhat : (T, m)  row t−1 is ŷ_t
    """
    # Hint: rnn_states on X[::-1] gives the backward direction's rows in reversed time: flip them back before use.
    ### BEGIN SOLUTION
    U_fw, Z_fw = rnn_states(X, P["W_in_fw"], P["W_fw"])
    U_rev, Z_rev = rnn_states(X[::-1], P["W_in_bw"], P["W_bw"])  # reads x_T, …, x_1
    U_bw, Z_bw = U_rev[::-1], Z_rev[::-1]  # row t−1 is step t again
    T = X.shape[0]
    Z1 = np.hstack([np.ones((T, 1)), Z_fw, Z_bw])  # row t−1 is [1; z→_t; z←_t]
    V = Z1 @ P["W_out"].T
    Yhat = softmax(V) if task == "classification" else V
    return U_fw, Z_fw, U_bw, Z_bw, Yhat
    ### END SOLUTION


def rnn_deltas(U, dZ, W):
    """一方向の BPTT (one direction's δ recursion), from the errors that reach z_t directly.

    δ_t = (Wᵀ δ_{t+1} + dZ_t) ⊙ f′(u_t),   t = T, …, 1,   δ_{T+1} = 0,   f′(u) = 1 − tanh(u)²,
    where dZ_t = ∂E/∂z_t|direct is what the layer above sends (for an output layer
    W̃_outᵀ (ŷ_t − y_t)); the path through z_{t+1} is the Wᵀ δ_{t+1} term.

    Parameters
    ----------
    U : (T, H)  row t−1 is u_t
    dZ : (T, H)  row t−1 is ∂E/∂z_t|direct
    W : (H, H)  recurrent weights

    Returns
    -------
    D : (H, T)  column t−1 is δ_t
    """
    # Hint: rnn_bptt's deltas with W̃_outᵀ (ŷ_t − y_t) replaced by the given dZ_t.
    ### BEGIN SOLUTION
    T, H = U.shape
    D = np.zeros((H, T))
    delta_next = np.zeros(H)  # δ_{T+1} = 0
    for t in range(T - 1, -1, -1):
        # forward was: z_t = tanh(u_t), u_{t+1} = W_in x_{t+1} + W z_t
        D[:, t] = (W.T @ delta_next + dZ[t]) * (1.0 - np.tanh(U[t]) ** 2)
        delta_next = D[:, t]
    return D
    ### END SOLUTION


def birnn_deltas(U_fw, U_bw, Yhat, Y, P):
    """双方向 RNN の BPTT: the δ's of both directions.

    The output error reaches both states of step t through W_out's two blocks:
    ∂E/∂z→_t|direct = W̃_out→ᵀ (ŷ_t − y_t),  W̃_out→ = W_out[:, 1:H+1];
    ∂E/∂z←_t|direct = W̃_out←ᵀ (ŷ_t − y_t),  W̃_out← = W_out[:, H+1:].
    Then, each direction with its own W:
    δ→_t = (W→ᵀ δ→_{t+1} + W̃_out→ᵀ (ŷ_t − y_t)) ⊙ f′(u→_t),   t = T, …, 1,  δ→_{T+1} = 0;
    δ←_t = (W←ᵀ δ←_{t−1} + W̃_out←ᵀ (ŷ_t − y_t)) ⊙ f′(u←_t),   t = 1, …, T,  δ←_0 = 0
    (z←_t feeds u←_{t−1}, so the backward direction's errors flow forward in time).

    Parameters
    ----------
    U_fw, U_bw : (T, H)  row t−1 is u→_t, u←_t (time order)
    Yhat, Y : (T, m)  row t−1 is ŷ_t, y_t
    P : dict  the parameters (W_fw, W_bw and W_out are used)

    Returns
    -------
    D_fw : (H, T)  column t−1 is δ→_t
    D_bw : (H, T)  column t−1 is δ←_t
    """
    # Hint: split W̃_outᵀ (ŷ_t − y_t) into its two halves; the backward direction is rnn_deltas on reversed rows.
    ### BEGIN SOLUTION
    H = U_fw.shape[1]
    # forward was: v_t = W_out [1; z→_t; z←_t]
    dZ = (Yhat - Y) @ P["W_out"][:, 1:]  # row t−1 is (W̃_outᵀ (ŷ_t − y_t))ᵀ, (T, 2H)
    D_fw = rnn_deltas(U_fw, dZ[:, :H], P["W_fw"])
    # forward was: the backward direction = rnn_states on X[::-1], so its BPTT runs on reversed rows
    D_rev = rnn_deltas(U_bw[::-1], dZ[::-1, H:], P["W_bw"])
    D_bw = D_rev[:, ::-1]  # column t−1 is δ←_t again
    return D_fw, D_bw
    ### END SOLUTION


def birnn_grads(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y):
    """The gradients of E with respect to the five weight matrices.

    ∂E/∂W_in→ = D→ X,   ∂E/∂W→ = D→ Z̃→,   Z̃→ = (z→_0, z→_1, …, z→_{T−1})ᵀ,  z→_0 = 0
    ∂E/∂W_in← = D← X,   ∂E/∂W← = D← Z̃←,   Z̃← = (z←_2, …, z←_T, z←_{T+1})ᵀ,  z←_{T+1} = 0
    ∂E/∂W_out = Σ_t (ŷ_t − y_t) [1; z→_t; z←_t]ᵀ = (Ŷ − Y)ᵀ [1 Z→ Z←]

    Parameters
    ----------
    X : (T, d+1)  inputs, bias column of ones first
    Z_fw, Z_bw : (T, H)  row t−1 is z→_t, z←_t
    D_fw, D_bw : (H, T)  column t−1 is δ→_t, δ←_t
    Yhat, Y : (T, m)  row t−1 is ŷ_t, y_t

    Returns
    -------
    grads : dict  "W_in_fw", "W_in_bw": (H, d+1); "W_fw", "W_bw": (H, H); "W_out": (m, 2H+1)
    """
    # Hint: u←_t sees z←_{t+1}, the NEXT state: Z̃← is Z← shifted up one row, zeros at the bottom.
    ### BEGIN SOLUTION
    T, H = Z_fw.shape
    zero = np.zeros((1, H))
    # forward was: u→_t = W_in→ x_t + W→ z→_{t−1}
    Z_tilde_fw = np.vstack([zero, Z_fw[:-1]])
    # forward was: u←_t = W_in← x_t + W← z←_{t+1}
    Z_tilde_bw = np.vstack([Z_bw[1:], zero])
    # forward was: v_t = W_out [1; z→_t; z←_t]
    Z1 = np.hstack([np.ones((T, 1)), Z_fw, Z_bw])
    return {
        "W_in_fw": D_fw @ X,
        "W_fw": D_fw @ Z_tilde_fw,
        "W_in_bw": D_bw @ X,
        "W_bw": D_bw @ Z_tilde_bw,
        "W_out": (Yhat - Y).T @ Z1,
    }
    ### END SOLUTION
