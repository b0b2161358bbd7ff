"""Encoder–decoder (Sequence-to-Sequence) with two LSTMs: teacher forcing, BPTT into the encoder, greedy decoding.

One pair of sequences at a time, float64, numpy only. The lecture's seq2seq: the encoder
(an LSTM) reads x_1 … x_T and hands the decoder one vector, the lecture's S — here the
encoder's final state (z_T, s_T); the decoder (another LSTM) starts from it and writes
y_1 … y_T′, reading its previous symbol at each step:

    encoder:  (z_t, s_t) = LSTM_enc(x_t, z_{t−1}, s_{t−1}),      z_0 = s_0 = 0
    decoder:  (z′_t, s′_t) = LSTM_dec(x′_t, z′_{t−1}, s′_{t−1}),  z′_0 = z_T,  s′_0 = s_T
              v_t = W_out [1; z′_t],   ŷ_t = softmax(v_t),   E = −Σ_t Σ_k y_tk log ŷ_tk

x_t carries the bias as a leading 1 (X is (T, d+1)). The decoder's input is
x′_t = [1; go; previous symbol] ∈ R^{m+2}: x′_1 = [1; 1; 0] is the start symbol <go>, and
under teacher forcing x′_t = [1; 0; y_{t−1}] for t ≥ 2 (the correct previous symbol).

The LSTM (lstm_step, lstm_forward, lstm_backward) is given: the lecture's cell, as in the
lstm exercise, with initial states and the gradients of the initial states added.
Parameters: P of the encoder has the eight LSTM matrices W_·_in (H, d+1), W_· (H, H);
P of the decoder has them with W_·_in (H, m+2), plus "W_out" (m, H+1) (column 0 the bias).
A step cache is a dict with the keys "x", "z_prev", "s_prev", "u", "gF", "gI", "gO", "s".
"""

import numpy as np

LSTM_KEYS = ("W_in", "W", "W_F_in", "W_F", "W_I_in", "W_I", "W_O_in", "W_O")


def sigmoid(a):
    """σ(a) = 1 / (1 + e^{−a}), element-wise, written as ½(1 + tanh(a/2)) so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def softmax(V):
    """softmax over the last axis, e^{v_k} / Σ_j e^{v_j}, computed after subtracting max_j v_j.

    V : (m,) or (T, m)  →  same shape, each row sums to 1
    """
    e = np.exp(V - np.max(V, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def lstm_step(x, z_prev, s_prev, P):
    """One step of the lecture's LSTM (given): returns z_t (H,), s_t (H,) and the step cache.

    u_t = W_in x_t + W z_{t−1},  g^F_t, g^I_t, g^O_t = σ(W_·_in x_t + W_· z_{t−1}),
    s_t = g^F_t ⊙ s_{t−1} + g^I_t ⊙ tanh(u_t),  z_t = g^O_t ⊙ tanh(s_t).
    """
    u = P["W_in"] @ x + P["W"] @ z_prev
    gF = sigmoid(P["W_F_in"] @ x + P["W_F"] @ z_prev)
    gI = sigmoid(P["W_I_in"] @ x + P["W_I"] @ z_prev)
    gO = sigmoid(P["W_O_in"] @ x + P["W_O"] @ z_prev)
    s = gF * s_prev + gI * np.tanh(u)
    z = gO * np.tanh(s)
    cache = {"x": x, "z_prev": z_prev, "s_prev": s_prev, "u": u, "gF": gF, "gI": gI, "gO": gO, "s": s}
    return z, s, cache


def lstm_forward(X, P, z0=None, s0=None):
    """The LSTM over one sequence from (z_0, s_0) (given; zeros when None).

    Parameters
    ----------
    X : (T, d+1)  rows x_1 … x_T, first column ones
    P : dict  the eight LSTM matrices (other keys, e.g. "W_out", are ignored)
    z0, s0 : (H,) or None  the initial state

    Returns
    -------
    Z : (T, H)  row t−1 is z_t
    S : (T, H)  row t−1 is s_t
    caches : list of the T step caches
    """
    T, H = X.shape[0], P["W"].shape[0]
    z = np.zeros(H) if z0 is None else z0
    s = np.zeros(H) if s0 is None else s0
    Z, S = np.zeros((T, H)), np.zeros((T, H))
    caches = []
    for t in range(T):
        z, s, cache = lstm_step(X[t], z, s, P)
        Z[t], S[t] = z, s
        caches.append(cache)
    return Z, S, caches


def lstm_backward(dZ, caches, P, ds_last=None):
    """BPTT through the LSTM (given), down to the initial state.

    Parameters
    ----------
    dZ : (T, H)  row t−1 is ∂E/∂z_t from above (not through the recurrence)
    caches : the T step caches of lstm_forward
    P : dict  the parameters of the forward pass
    ds_last : (H,) or None  ∂E/∂s_T from above (the last cell state), zeros when None

    Returns
    -------
    grads : dict  the eight LSTM gradients, shapes of P's matrices
    dz0 : (H,)  ∂E/∂z_0
    ds0 : (H,)  ∂E/∂s_0
    """
    grads = {k: np.zeros_like(P[k], dtype=float) for k in LSTM_KEYS}
    H = P["W"].shape[0]
    dz_next = np.zeros(H)
    ds_next = np.zeros(H) if ds_last is None else np.array(ds_last, dtype=float)
    for t in range(len(caches) - 1, -1, -1):
        c = caches[t]
        fu, fs = np.tanh(c["u"]), np.tanh(c["s"])
        ez = dZ[t] + dz_next  # ∂E/∂z_t, all paths
        es = ds_next + ez * c["gO"] * (1.0 - fs * fs)  # ∂E/∂s_t, all paths
        deltas = (("W_in", "W", es * c["gI"] * (1.0 - fu * fu)),
                  ("W_F_in", "W_F", es * c["s_prev"] * c["gF"] * (1.0 - c["gF"])),
                  ("W_I_in", "W_I", es * fu * c["gI"] * (1.0 - c["gI"])),
                  ("W_O_in", "W_O", ez * fs * c["gO"] * (1.0 - c["gO"])))
        ds_next = es * c["gF"]
        dz_next = np.zeros(H)
        for k_in, k, d in deltas:
            grads[k_in] += np.outer(d, c["x"])
            grads[k] += np.outer(d, c["z_prev"])
            dz_next += P[k].T @ d
    return grads, dz_next, ds_next


def encode(X, P):
    """エンコーダ (encoder): read the source sequence, return its final state, the vector handed to the decoder.

    (z_t, s_t) = LSTM_enc(x_t, z_{t−1}, s_{t−1}) for t = 1 … T from z_0 = s_0 = 0.

    Parameters
    ----------
    X : (T, d+1)  the source x_1 … x_T as rows, first column ones
    P : dict  the encoder's eight LSTM matrices, W_·_in (H, d+1), W_· (H, H)

    Returns
    -------
    z_T : (H,)  the encoder's last output
    s_T : (H,)  its last memory cell
    caches : list of the T step caches (for encoder_backward)
    """
    # Hint: one call of lstm_forward; the decoder needs the LAST row of Z and of S.
    ### BEGIN SOLUTION
    Z, S, caches = lstm_forward(X, P)
    return Z[-1], S[-1], caches
    ### END SOLUTION


def decoder_inputs(Y):
    """教師強制 (teacher forcing): the decoder's inputs x′_1 … x′_T′ built from the targets.

    x′_1 = [1; 1; 0, …, 0]         the bias 1, the <go> flag, no previous symbol
    x′_t = [1; 0; y_{t−1}]          t = 2 … T′: the correct previous symbol, shifted by one step

    Parameters
    ----------
    Y : (T′, m)  the targets y_1 … y_T′, one-hot rows

    Returns
    -------
    Xd : (T′, m+2)  row t−1 is x′_t: column 0 the bias, column 1 the <go> flag, columns 2… the symbol
    """
    # Hint: start from zeros; column 0 is all ones, row 0 gets the <go> flag, rows 1… get Y without its last row.
    ### BEGIN SOLUTION
    T, m = Y.shape
    Xd = np.zeros((T, m + 2))
    Xd[:, 0] = 1.0
    Xd[0, 1] = 1.0
    Xd[1:, 2:] = Y[:-1]
    return Xd
    ### END SOLUTION


def decoder_forward(Y, z0, s0, P):
    """デコーダの順伝播 (decoder forward pass) under teacher forcing, from the encoder's state, and the loss.

    (z′_t, s′_t) = LSTM_dec(x′_t, z′_{t−1}, s′_{t−1}),  (z′_0, s′_0) = (z0, s0) = (z_T, s_T),
    v_t = W_out [1; z′_t],  ŷ_t = softmax(v_t),  E = −Σ_t Σ_k y_tk log ŷ_tk,
    with x′_t from decoder_inputs(Y).

    Parameters
    ----------
    Y : (T′, m)  the targets, one-hot rows
    z0, s0 : (H,)  the encoder's final state z_T, s_T
    P : dict  the decoder's eight LSTM matrices, W_·_in (H, m+2), W_· (H, H), and "W_out" (m, H+1)

    Returns
    -------
    Yhat : (T′, m)  row t−1 is ŷ_t
    E : float  the cross-entropy, summed over t (not a mean)
    Z : (T′, H)  row t−1 is z′_t (no bias entry)
    caches : list of the T′ step caches of the decoder's LSTM
    """
    # Hint: decoder_inputs, then lstm_forward with the initial state (z0, s0), then the output layer of rnn_bptt.
    ### BEGIN SOLUTION
    Xd = decoder_inputs(Y)
    Z, S, caches = lstm_forward(Xd, P, z0, s0)
    W_out = P["W_out"]
    Yhat = softmax(Z @ W_out[:, 1:].T + W_out[:, 0])  # row t−1: softmax(W_out [1; z′_t])
    mask = Y > 0  # 0 · log 0 = 0
    E = float(-np.sum(Y[mask] * np.log(Yhat[mask])))
    return Yhat, E, Z, caches
    ### END SOLUTION


def decoder_backward(Y, Yhat, Z, caches, P):
    """デコーダの逆伝播 (BPTT through the decoder): its gradients, and the error sent back to the encoder.

    δ^out_t = ŷ_t − y_t,   ∂E/∂W_out = Σ_t δ^out_t [1; z′_t]ᵀ = (g(V) − Y)[1 Z],
    ∂E/∂z′_t|above = W̃_outᵀ δ^out_t (W̃_out = W_out without its bias column),
    then BPTT through the decoder's LSTM down to its initial state: ∂E/∂z′_0, ∂E/∂s′_0.
    Since z′_0 = z_T and s′_0 = s_T, these are the encoder's ∂E/∂z_T and ∂E/∂s_T.

    Parameters
    ----------
    Y : (T′, m)  the targets, one-hot rows
    Yhat : (T′, m)  the outputs ŷ_t of decoder_forward
    Z : (T′, H)  the decoder's outputs z′_t
    caches : the decoder's T′ step caches
    P : dict  the decoder's parameters (eight LSTM matrices and "W_out")

    Returns
    -------
    grads : dict  the gradients of the nine decoder parameters, same keys and shapes as P
    dz0 : (H,)  ∂E/∂z′_0 = ∂E/∂z_T
    ds0 : (H,)  ∂E/∂s′_0 = ∂E/∂s_T
    """
    # Hint: softmax + cross-entropy give δ^out = Ŷ − Y; W̃_out sends it to Z; lstm_backward does the rest.
    ### BEGIN SOLUTION
    dV = Yhat - Y  # δ^out_t as rows
    # forward was: v_t = W_out [1; z′_t]
    dW_out = dV.T @ np.hstack([np.ones((Z.shape[0], 1)), Z])
    dZ = dV @ P["W_out"][:, 1:]  # row t−1: W̃_outᵀ δ^out_t
    # forward was: (z′_t, s′_t) = LSTM_dec(x′_t, z′_{t−1}, s′_{t−1}) from (z′_0, s′_0)
    grads, dz0, ds0 = lstm_backward(dZ, caches, P)
    grads["W_out"] = dW_out
    return grads, dz0, ds0
    ### END SOLUTION


def encoder_backward(dz_T, ds_T, caches, P):
    """エンコーダの逆伝播 (BPTT through the encoder): the error arrives only through its final state.

    The encoder has no output layer: E depends on it only through (z_T, s_T) = (z′_0, s′_0).
    So ∂E/∂z_t|above = 0 for t < T, ∂E/∂z_T|above = dz_T, and the last memory cell receives
    ∂E/∂s_T = ds_T from above; BPTT then runs back to t = 1 as usual.

    Parameters
    ----------
    dz_T : (H,)  ∂E/∂z_T, the decoder's ∂E/∂z′_0
    ds_T : (H,)  ∂E/∂s_T, the decoder's ∂E/∂s′_0
    caches : the encoder's T step caches (from encode)
    P : dict  the encoder's eight LSTM matrices

    Returns
    -------
    grads : dict  the eight LSTM gradients of the encoder, shapes of P's matrices
    """
    # Hint: a dZ of zeros except its last row; the cell's error goes in through lstm_backward's ds_last.
    ### BEGIN SOLUTION
    T, H = len(caches), P["W"].shape[0]
    dZ = np.zeros((T, H))
    dZ[-1] = dz_T  # forward was: z′_0 = z_T
    grads, _, _ = lstm_backward(dZ, caches, P, ds_last=ds_T)  # forward was: s′_0 = s_T
    return grads
    ### END SOLUTION


def greedy_decode(z0, s0, P, T_out):
    """貪欲法による復号 (greedy decoding): without the targets, feed back the most probable symbol.

    x′_1 = [1; 1; 0] (<go>); for t = 1 … T′:
        (z′_t, s′_t) = LSTM_dec(x′_t, z′_{t−1}, s′_{t−1}),  ŷ_t = softmax(W_out [1; z′_t]),
        k_t = argmax_k ŷ_tk,   x′_{t+1} = [1; 0; one-hot(k_t)].

    Parameters
    ----------
    z0, s0 : (H,)  the encoder's final state
    P : dict  the decoder's parameters (eight LSTM matrices and "W_out" (m, H+1))
    T_out : int  T′, the number of symbols to write

    Returns
    -------
    Yhat : (T′, m)  row t−1 is ŷ_t along the greedy path
    Y_pred : (T′, m)  row t−1 is one-hot(k_t), the chosen symbol, as floats
    """
    # Hint: one lstm_step per symbol, carrying (z, s) along; the next input holds the one-hot of argmax ŷ_t, not ŷ_t.
    ### BEGIN SOLUTION
    W_out = P["W_out"]
    m = W_out.shape[0]
    Yhat, Y_pred = np.zeros((T_out, m)), np.zeros((T_out, m))
    x = np.zeros(m + 2)
    x[0], x[1] = 1.0, 1.0  # <go>
    z, s = z0, s0
    for t in range(T_out):
        z, s, _ = lstm_step(x, z, s, P)
        Yhat[t] = softmax(W_out[:, 1:] @ z + W_out[:, 0])
        k = int(np.argmax(Yhat[t]))
        Y_pred[t, k] = 1.0
        x = np.zeros(m + 2)
        x[0], x[2 + k] = 1.0, 1.0
    return Yhat, Y_pred
    ### END SOLUTION
