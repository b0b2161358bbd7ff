"""Jordan ネットワーク (Jordan network): the previous output ŷ_{t−1}, not z_{t−1}, is fed back.

One sequence at a time, float64, numpy only. Seed 004 §6.2.1 lists the Jordan network beside the
Elman network; the notation is seed 001's (f = tanh, regression: g = identity, E = ½ Σ_t ‖ŷ_t − y_t‖²).
x_t carries a leading 1 for the bias, so X is (T, d+1) with a first column of ones; ŷ_0 = 0:

    u_t = W_in x_t + W_y ŷ_{t−1},   z_t = f(u_t),   v_t = W_out [1; z_t],   ŷ_t = g(v_t) = v_t
    δ^out_t = ∂E/∂v_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1},   δ_t = ∂E/∂u_t = (W̃_outᵀ δ^out_t) ⊙ f′(u_t),   δ_{T+1} = 0
    ∂E/∂W_in = D X,   ∂E/∂W_y = D Ŷ̃,   ∂E/∂W_out = D_out [1 Z]

W_y is (H, m); W̃_out = W_out[:, 1:] is W_out without its bias column. D = (δ_1 … δ_T) (H, T) and
D_out = (δ^out_1 … δ^out_T) (m, T) hold the δ's as columns; Ŷ̃ = (ŷ_0, ŷ_1, …, ŷ_{T−1})ᵀ (T, m)
holds the fed-back outputs as rows, as Z̃ = (z_0, …, z_{T−1})ᵀ does in the Elman network.
"""

import numpy as np


def forward(X, W_in, W_y, W_out):
    """順伝播 (forward pass) of the Jordan network over one sequence, ŷ_0 = 0.

    For t = 1 … T:
        u_t = W_in x_t + W_y ŷ_{t−1},   z_t = f(u_t) = tanh(u_t),
        v_t = W_out [1; z_t],           ŷ_t = v_t   (regression: g is the identity).

    Parameters
    ----------
    X : (T, d+1)  inputs x_1 … x_T as rows, with the bias column of ones first
    W_in : (H, d+1)  input → hidden weights, column 0 is the bias
    W_y : (H, m)  output → hidden (feedback) weights: they read ŷ_{t−1}
    W_out : (m, H+1)  hidden → output weights, column 0 is the bias

    Returns
    -------
    U : (T, H)  row t−1 is u_t
    Z : (T, H)  row t−1 is z_t (no bias column)
    Yhat : (T, m)  row t−1 is ŷ_t (ŷ_0 not included)
    """
    # Hint: loop over t keeping ŷ_{t−1} (zeros at first): ŷ_t must be computed inside the loop, before step t+1.
    # YOUR CODE HERE
    raise NotImplementedError()


def loss(Yhat, Y):
    """誤差関数 (loss) E = Σ_t E_t = ½ Σ_t ‖y_t − ŷ_t‖² of one sequence.

    Parameters
    ----------
    Yhat : (T, m)  outputs ŷ_t as rows
    Y : (T, m)  targets y_t as rows

    Returns
    -------
    E : float
    """
    # Hint: a sum over t and k, not a mean, with the ½.
    # YOUR CODE HERE
    raise NotImplementedError()


def deltas(U, Yhat, Y, W_y, W_out):
    """誤差逆伝播 (BPTT) through the output feedback: δ^out_t and δ_t of every step.

    ŷ_t reaches E directly (E_t) and through u_{t+1} = … + W_y ŷ_t, so for t = T, …, 1:

        δ^out_t = ∂E/∂v_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1},      δ_{T+1} = 0,
        δ_t = ∂E/∂u_t = (W̃_outᵀ δ^out_t) ⊙ f′(u_t),         f′(u) = 1 − tanh(u)²,

    W̃_out = W_out without its first (bias) column.

    Parameters
    ----------
    U : (T, H)  row t−1 is u_t
    Yhat : (T, m)  row t−1 is ŷ_t
    Y : (T, m)  row t−1 is y_t
    W_y : (H, m)  feedback weights
    W_out : (m, H+1)  output weights, column 0 is the bias

    Returns
    -------
    D_out : (m, T)  column t−1 is δ^out_t
    D : (H, T)  column t−1 is δ_t
    """
    # Hint: go backwards from t = T carrying δ_{t+1} (zeros at first); it reaches step t through ŷ_t, i.e. W_yᵀ δ_{t+1}.
    # YOUR CODE HERE
    raise NotImplementedError()


def gradients(X, Yhat, Z, D_out, D):
    """∂E/∂W_in = D X,   ∂E/∂W_y = D Ŷ̃,   ∂E/∂W_out = D_out [1 Z].

    Ŷ̃ = (ŷ_0, ŷ_1, …, ŷ_{T−1})ᵀ with ŷ_0 = 0 holds, as rows, the outputs that were fed back:
    ∂E/∂W_y = Σ_t δ_t ŷ_{t−1}ᵀ. ∂E/∂W_out = Σ_t δ^out_t [1; z_t]ᵀ: with the feedback, the error of
    v_t is δ^out_t, not only ŷ_t − y_t.

    Parameters
    ----------
    X : (T, d+1)  inputs with the bias column of ones first
    Yhat : (T, m)  row t−1 is ŷ_t
    Z : (T, H)  row t−1 is z_t (no bias column)
    D_out : (m, T)  column t−1 is δ^out_t
    D : (H, T)  column t−1 is δ_t

    Returns
    -------
    grads : dict  "W_in": (H, d+1), "W_y": (H, m), "W_out": (m, H+1) (column 0 the bias gradient Σ_t δ^out_t)
    """
    # Hint: three matrix products; build Ŷ̃ by shifting the rows of Yhat down one step (u_t sees ŷ_{t−1}).
    # YOUR CODE HERE
    raise NotImplementedError()
