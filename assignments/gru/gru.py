"""GRU (Gated Recurrent Unit) of the lecture: one step, the forward pass and BPTT.

One sequence at a time, float64, numpy only. The lecture's GRU (the figure with the
"1 − z" block, the same convention as ゼロから作るDeep Learning 2); σ is the logistic
sigmoid; x_t carries the bias as a leading 1, so X is (T, d+1) and its first column is
ones; h_0 = 0:

    z_t  = σ(W_Z_in x_t + W_Z h_{t−1})                  更新ゲート  update gate
    r_t  = σ(W_R_in x_t + W_R h_{t−1})                  リセットゲート  reset gate
    h̃_t  = tanh(W_in x_t + W (r_t ⊙ h_{t−1}))            candidate (新しい記憶の候補)
    h_t  = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t

PyTorch's nn.GRU is a different convention: it applies the reset after the recurrent
product, tanh(W_in x_t + r_t ⊙ (W h_{t−1} + b)), and swaps z_t and 1 − z_t.

Parameters P: a dict with "W_in", "W_Z_in", "W_R_in" of shape (H, d+1) (column 0 is the
bias) and "W", "W_Z", "W_R" of shape (H, H).

The cache of one step is a dict with exactly these keys, the vectors of step t:
    "x"       (d+1,)  x_t, the leading 1 included
    "h_prev"  (H,)    h_{t−1}
    "z"       (H,)    z_t, the update gate after σ
    "r"       (H,)    r_t, the reset gate after σ
    "c"       (H,)    h̃_t, the candidate after tanh
gru_backward reads nothing else.
"""

import numpy as np

GRU_KEYS = ("W_in", "W", "W_Z_in", "W_Z", "W_R_in", "W_R")


def sigmoid(a):
    """σ(a) = 1 / (1 + e^{−a}), element-wise, written as ½(1 + tanh(a/2)) so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def gru_step(x, h_prev, P):
    """1 時刻分の順伝播 (one time step) of the lecture's GRU.

    z_t = σ(W_Z_in x_t + W_Z h_{t−1}),   r_t = σ(W_R_in x_t + W_R h_{t−1}),
    h̃_t = tanh(W_in x_t + W (r_t ⊙ h_{t−1})),
    h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t.

    Parameters
    ----------
    x : (d+1,)  x_t, first entry 1 (the bias)
    h_prev : (H,)  h_{t−1}
    P : dict  "W_in", "W_Z_in", "W_R_in": (H, d+1); "W", "W_Z", "W_R": (H, H)

    Returns
    -------
    h : (H,)  h_t
    cache : dict with exactly the keys "x" (d+1,), "h_prev", "z", "r", "c" (each (H,)),
        where "c" is h̃_t — see the module docstring
    """
    # Hint: the reset gate multiplies h_{t−1} BEFORE the product with W; z_t weighs the new candidate h̃_t.
    # YOUR CODE HERE
    raise NotImplementedError()


def gru_forward(X, P):
    """系列全体の順伝播 (forward pass) of the GRU over one sequence, h_0 = 0.

    For t = 1 … T: h_t = gru_step(x_t, h_{t−1}).

    Parameters
    ----------
    X : (T, d+1)  rows x_1 … x_T, first column ones
    P : dict  "W_in", "W_Z_in", "W_R_in": (H, d+1); "W", "W_Z", "W_R": (H, H)

    Returns
    -------
    Hs : (T, H)  row t−1 is h_t (h_0 not included)
    caches : list of the T step caches, in time order
    """
    # Hint: H is P["W"].shape[0]; start from a zero vector and call gru_step once per row of X.
    # YOUR CODE HERE
    raise NotImplementedError()


def gru_backward(dH, caches, P):
    """通時的逆伝播 (BPTT) through the GRU: the gradients of E with respect to the six weight matrices.

    Going back from t = T to 1, with e_t = ∂E/∂h_t|above + (what h_t sends into step t+1):
        δ̃_t   = e_t ⊙ z_t ⊙ (1 − h̃_t²)                     ∂E/∂ũ_t, ũ_t = W_in x_t + W (r_t ⊙ h_{t−1})
        g_t   = Wᵀ δ̃_t                                     ∂E/∂(r_t ⊙ h_{t−1})
        δ^z_t = e_t ⊙ (h̃_t − h_{t−1}) ⊙ z_t ⊙ (1 − z_t)
        δ^r_t = g_t ⊙ h_{t−1} ⊙ r_t ⊙ (1 − r_t)
        e_{t−1} ← ∂E/∂h_{t−1}|above + e_t ⊙ (1 − z_t) + g_t ⊙ r_t + W_Zᵀ δ^z_t + W_Rᵀ δ^r_t
    and
        ∂E/∂W_in = Σ_t δ̃_t x_tᵀ,     ∂E/∂W   = Σ_t δ̃_t (r_t ⊙ h_{t−1})ᵀ,
        ∂E/∂W_Z_in = Σ_t δ^z_t x_tᵀ,  ∂E/∂W_Z = Σ_t δ^z_t h_{t−1}ᵀ,
        ∂E/∂W_R_in = Σ_t δ^r_t x_tᵀ,  ∂E/∂W_R = Σ_t δ^r_t h_{t−1}ᵀ.

    Parameters
    ----------
    dH : (T, H)  row t−1 is ∂E/∂h_t from above (the output layer), not through the recurrence
    caches : list of T dicts from gru_forward; only the keys "x", "h_prev", "z", "r", "c"
        are used
    P : dict  the parameters of the forward pass (same shapes as below)

    Returns
    -------
    grads : dict  "W_in", "W_Z_in", "W_R_in": (H, d+1); "W", "W_Z", "W_R": (H, H)
    """
    # Hint: h_{t−1} reaches h_t along four paths (1 − z_t, r_t inside h̃_t, W_Z, W_R); add all four.
    # YOUR CODE HERE
    raise NotImplementedError()
