"""LSTM (長・短期記憶, Long Short-Term Memory): one step, the forward pass and BPTT.

One sequence at a time, float64, numpy only. Lecture notation (f = tanh, σ the logistic
sigmoid, no peepholes); x_t carries the bias as a leading 1, so X is (T, d+1) and its
first column is ones; z_0 = s_0 = 0:

    u_t     = W_in x_t + W z_{t−1}                       input of the memory cell
    g^F_t   = σ(W_F_in x_t + W_F z_{t−1})                忘却ゲート  forget gate
    g^I_t   = σ(W_I_in x_t + W_I z_{t−1})                入力ゲート  input gate
    g^O_t   = σ(W_O_in x_t + W_O z_{t−1})                出力ゲート  output gate
    s_t     = g^F_t ⊙ s_{t−1} + g^I_t ⊙ f(u_t)           メモリセル  memory cell
    z_t     = g^O_t ⊙ f(s_t)                             output of the memory unit

Parameters P: a dict with "W_in", "W_F_in", "W_I_in", "W_O_in" of shape (H, d+1) (column 0
is the bias) and "W", "W_F", "W_I", "W_O" of shape (H, H).

The cache of one step is a dict with exactly these keys, the vectors of step t:
    "x"       (d+1,)  x_t, the leading 1 included
    "z_prev"  (H,)    z_{t−1}
    "s_prev"  (H,)    s_{t−1}
    "u"       (H,)    u_t = W_in x_t + W z_{t−1}, before f
    "gF"      (H,)    g^F_t, after σ
    "gI"      (H,)    g^I_t, after σ
    "gO"      (H,)    g^O_t, after σ
    "s"       (H,)    s_t, the new memory cell
lstm_backward reads nothing else (f(u_t), f(s_t) are recomputed from "u" and "s").
"""

import numpy as np

LSTM_KEYS = ("W_in", "W", "W_F_in", "W_F", "W_I_in", "W_I", "W_O_in", "W_O")


def sigmoid(a):
    """σ(a) = 1 / (1 + e^{−a}), element-wise, written as ½(1 + tanh(a/2)) so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def lstm_step(x, z_prev, s_prev, P):
    """1 時刻分の順伝播 (one time step) of the LSTM memory units.

    u_t = W_in x_t + W z_{t−1},
    g^F_t = σ(W_F_in x_t + W_F z_{t−1}),  g^I_t = σ(W_I_in x_t + W_I z_{t−1}),
    g^O_t = σ(W_O_in x_t + W_O z_{t−1}),
    s_t = g^F_t ⊙ s_{t−1} + g^I_t ⊙ f(u_t),   z_t = g^O_t ⊙ f(s_t),   f = tanh.

    Parameters
    ----------
    x : (d+1,)  x_t, first entry 1 (the bias)
    z_prev : (H,)  z_{t−1}
    s_prev : (H,)  s_{t−1}
    P : dict  "W_in", "W_F_in", "W_I_in", "W_O_in": (H, d+1); "W", "W_F", "W_I", "W_O": (H, H)

    Returns
    -------
    z : (H,)  z_t
    s : (H,)  s_t
    cache : dict with exactly the keys "x" (d+1,), "z_prev", "s_prev", "u", "gF", "gI",
        "gO", "s" (each (H,)) — see the module docstring
    """
    # Hint: four affine maps of the same (x_t, z_{t−1}); σ for the three gates, f = np.tanh for u_t and s_t.
    ### BEGIN SOLUTION
    u = P["W_in"] @ x + P["W"] @ z_prev
    gF = sigmoid(P["W_F_in"] @ x + P["W_F"] @ z_prev)
    gI = sigmoid(P["W_I_in"] @ x + P["W_I"] @ z_prev)
    gO = sigmoid(P["W_O_in"] @ x + P["W_O"] @ z_prev)
    s = gF * s_prev + gI * np.tanh(u)
    z = gO * np.tanh(s)
    cache = {"x": x, "z_prev": z_prev, "s_prev": s_prev, "u": u, "gF": gF, "gI": gI, "gO": gO, "s": s}
    return z, s, cache
    ### END SOLUTION


def lstm_forward(X, P):
    """系列全体の順伝播 (forward pass) of the LSTM over one sequence, z_0 = s_0 = 0.

    For t = 1 … T: (z_t, s_t) = lstm_step(x_t, z_{t−1}, s_{t−1}).

    Parameters
    ----------
    X : (T, d+1)  rows x_1 … x_T, first column ones
    P : dict  "W_in", "W_F_in", "W_I_in", "W_O_in": (H, d+1); "W", "W_F", "W_I", "W_O": (H, H)

    Returns
    -------
    Z : (T, H)  row t−1 is z_t (z_0 not included)
    S : (T, H)  row t−1 is s_t (s_0 not included)
    caches : list of the T step caches, in time order
    """
    # Hint: H is P["W"].shape[0]; start from zero vectors and call lstm_step once per row of X.
    ### BEGIN SOLUTION
    T, H = X.shape[0], P["W"].shape[0]
    Z, S = np.zeros((T, H)), np.zeros((T, H))
    z, s = np.zeros(H), np.zeros(H)
    caches = []
    for t in range(T):
        z, s, cache = lstm_step(X[t], z, s, P)
        Z[t], S[t] = z, s
        caches.append(cache)
    return Z, S, caches
    ### END SOLUTION


def lstm_backward(dZ, caches, P):
    """通時的逆伝播 (BPTT) through the LSTM: the gradients of E with respect to the eight weight matrices.

    Going back from t = T to 1, with ∂z and ∂s what z_t and s_t send into step t+1
    (zero after step T):
        e^z_t = ∂E/∂z_t|above + ∂z                                   total ∂E/∂z_t
        e^s_t = ∂s + e^z_t ⊙ g^O_t ⊙ f′(s_t)                          total ∂E/∂s_t
        δ^O_t = e^z_t ⊙ f(s_t) ⊙ g^O_t ⊙ (1 − g^O_t)
        δ^F_t = e^s_t ⊙ s_{t−1} ⊙ g^F_t ⊙ (1 − g^F_t)
        δ^I_t = e^s_t ⊙ f(u_t) ⊙ g^I_t ⊙ (1 − g^I_t)
        δ_t   = e^s_t ⊙ g^I_t ⊙ f′(u_t)                                ∂E/∂u_t
        ∂s ← e^s_t ⊙ g^F_t,   ∂z ← Wᵀ δ_t + W_Fᵀ δ^F_t + W_Iᵀ δ^I_t + W_Oᵀ δ^O_t
    and, for each of the four affine maps (δ_t with W_in, W; δ^F_t with W_F_in, W_F; …),
        ∂E/∂W_in = Σ_t δ_t x_tᵀ,   ∂E/∂W = Σ_t δ_t z_{t−1}ᵀ.
    f′(u) = 1 − f(u)² with f = tanh.

    Parameters
    ----------
    dZ : (T, H)  row t−1 is ∂E/∂z_t from above (the output layer), not through the recurrence
    caches : list of T dicts from lstm_forward; only the keys "x", "z_prev", "s_prev", "u",
        "gF", "gI", "gO", "s" are used
    P : dict  the parameters of the forward pass (same shapes as below)

    Returns
    -------
    grads : dict  "W_in", "W_F_in", "W_I_in", "W_O_in": (H, d+1); "W", "W_F", "W_I", "W_O": (H, H)
    """
    # Hint: loop t backwards carrying ∂E/∂z_t and ∂E/∂s_t into step t−1; the four gradient pairs are sums of np.outer.
    ### BEGIN SOLUTION
    grads = {k: np.zeros_like(P[k], dtype=float) for k in LSTM_KEYS}
    H = P["W"].shape[0]
    dz_next, ds_next = np.zeros(H), np.zeros(H)  # what z_t, s_t send into step t+1
    for t in range(len(caches) - 1, -1, -1):
        c = caches[t]
        x, z_prev, s_prev = c["x"], c["z_prev"], c["s_prev"]
        gF, gI, gO = c["gF"], c["gI"], c["gO"]
        fu, fs = np.tanh(c["u"]), np.tanh(c["s"])
        # forward was: z = gO * tanh(s)
        ez = dZ[t] + dz_next
        dgO = ez * fs
        es = ds_next + ez * gO * (1.0 - fs * fs)
        # forward was: s = gF * s_prev + gI * tanh(u)
        dgF = es * s_prev
        dgI = es * fu
        du = es * gI * (1.0 - fu * fu)  # δ_t
        ds_next = es * gF
        # forward was: gate = σ(a), σ'(a) = gate (1 − gate)
        daF = dgF * gF * (1.0 - gF)
        daI = dgI * gI * (1.0 - gI)
        daO = dgO * gO * (1.0 - gO)
        # forward was: u = W_in x + W z_prev, a^F = W_F_in x + W_F z_prev, …
        dz_next = np.zeros(H)
        for k_in, k, d in (("W_in", "W", du), ("W_F_in", "W_F", daF),
                           ("W_I_in", "W_I", daI), ("W_O_in", "W_O", daO)):
            grads[k_in] += np.outer(d, x)
            grads[k] += np.outer(d, z_prev)
            dz_next += P[k].T @ d
    return grads
    ### END SOLUTION
