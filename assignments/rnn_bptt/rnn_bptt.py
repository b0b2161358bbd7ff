"""再帰型ニューラルネットワーク (Elman RNN): the forward pass, BPTT and two optimizers.

One sequence at a time, float64, numpy only. Lecture notation (f = tanh); x_t and z_t
carry a leading 1 for the bias, so X is (T, d+1) with a first column of ones; z_0 = 0:

    u_t = W_in x_t + W z_{t−1},   z_t = f(u_t),   v_t = W_out [1; z_t],   ŷ_t = g(v_t)
    δ_t = ∂E/∂u_t = (Wᵀ δ_{t+1} + W̃_outᵀ (g(v_t) − y_t)) ⊙ f′(u_t),   δ_{T+1} = 0
    ∂E/∂W_in = D X,   ∂E/∂W = D Z̃,   ∂E/∂W_out = (g(V) − Y) Z

g is the identity (regression) or softmax (classification). D = (δ_1 … δ_T) holds the
δ's as columns, (H, T); W̃_out = W_out[:, 1:] is W_out without its bias column.
"""

import numpy as np


def forward(X, W_in, W, W_out, task="regression"):
    """順伝播 (forward pass) of the many-to-many RNN over one sequence, z_0 = 0.

    For t = 1 … T:
        u_t = W_in x_t + W z_{t−1},   z_t = f(u_t) = tanh(u_t),
        v_t = W_out [1; z_t],          ŷ_t = g(v_t),
    g = identity for task="regression", g = softmax for task="classification"
    (softmax(v)_k = e^{v_k} / Σ_j e^{v_j}, computed after subtracting max_j v_j).

    Parameters
    ----------
    X : (T, d+1)  inputs x_1 … x_T as rows, with the bias column of ones first
    W_in : (H, d+1)  input → hidden weights, column 0 is the bias
    W : (H, H)  hidden → hidden (recurrent) weights
    W_out : (m, H+1)  hidden → output weights, column 0 is the bias
    task : "regression" or "classification"

    Returns
    -------
    U : (T, H)  row t−1 is u_t
    Z : (T, H)  row t−1 is z_t (z_0 not included, no bias column)
    Yhat : (T, m)  row t−1 is ŷ_t = g(v_t)
    """
    # Hint: loop over t keeping z_{t−1} (start from zeros); prepend the 1 to z_t only for the output layer.
    # YOUR CODE HERE
    raise NotImplementedError()


def loss(Yhat, Y, task="regression"):
    """誤差関数 (loss) E = Σ_t E_t of one sequence.

    regression:      E = ½ Σ_t ‖y_t − ŷ_t‖²
    classification:  E = −Σ_t Σ_k y_tk log ŷ_tk   (クロスエントロピー, cross-entropy)

    Parameters
    ----------
    Yhat : (T, m)  outputs ŷ_t as rows (softmax probabilities for classification)
    Y : (T, m)  targets y_t as rows (one-hot for classification)
    task : "regression" or "classification"

    Returns
    -------
    E : float
    """
    # Hint: sums over t and k, not means; take np.log(ŷ) only where y_tk > 0 (0 · log 0 would give nan).
    # YOUR CODE HERE
    raise NotImplementedError()


def deltas(U, Yhat, Y, W, W_out):
    """誤差逆伝播 (BPTT): the δ's of every step, many-to-many.

    δ_t = ∂E/∂u_t = (Wᵀ δ_{t+1} + W̃_outᵀ (ŷ_t − y_t)) ⊙ f′(u_t),   t = T, …, 1,
    δ_{T+1} = 0, f′(u) = 1 − tanh(u)², W̃_out = W_out without its first (bias) column.
    ŷ_t − y_t = g(v_t) − y_t = δ^out_t for both squared error + identity and
    cross-entropy + softmax.

    Parameters
    ----------
    U : (T, H)  row t−1 is u_t
    Yhat : (T, m)  row t−1 is ŷ_t
    Y : (T, m)  row t−1 is y_t
    W : (H, H)  recurrent weights
    W_out : (m, H+1)  output weights, column 0 is the bias

    Returns
    -------
    D : (H, T)  column t−1 is δ_t
    """
    # Hint: go backwards from t = T carrying δ_{t+1} (zeros at first); the bias column of W_out sends nothing back.
    # YOUR CODE HERE
    raise NotImplementedError()


def grad_W_in(D, X):
    """∂E/∂W_in = Σ_t δ_t x_tᵀ = D X.

    Parameters
    ----------
    D : (H, T)  column t−1 is δ_t
    X : (T, d+1)  inputs with the bias column of ones first

    Returns
    -------
    dW_in : (H, d+1)
    """
    # Hint: one matrix product, no loop.
    # YOUR CODE HERE
    raise NotImplementedError()


def grad_W(D, Z):
    """∂E/∂W = Σ_t δ_t z_{t−1}ᵀ = D Z̃, Z̃ = (z_0, z_1, …, z_{T−1})ᵀ with z_0 = 0.

    Parameters
    ----------
    D : (H, T)  column t−1 is δ_t
    Z : (T, H)  row t−1 is z_t (z_0 not included)

    Returns
    -------
    dW : (H, H)
    """
    # Hint: build Z̃ from Z by shifting its rows down one step in time (u_t sees z_{t−1}).
    # YOUR CODE HERE
    raise NotImplementedError()


def grad_W_out(Yhat, Y, Z):
    """∂E/∂W_out = Σ_t (g(v_t) − y_t) [1; z_t]ᵀ = (g(V) − Y) Z, bias column included.

    In the lecture g(V) − Y = (g(v_1) − y_1, …, g(v_T) − y_T) has the errors as columns;
    here they are the rows of Yhat − Y, so the product is (Ŷ − Y)ᵀ [1 Z].

    Parameters
    ----------
    Yhat : (T, m)  row t−1 is ŷ_t = g(v_t)
    Y : (T, m)  row t−1 is y_t
    Z : (T, H)  row t−1 is z_t (no bias column)

    Returns
    -------
    dW_out : (m, H+1)  column 0 is the bias gradient Σ_t (ŷ_t − y_t)
    """
    # Hint: prepend a column of ones to Z (the bias), then one matrix product.
    # YOUR CODE HERE
    raise NotImplementedError()


def deltas_many_to_one(U, yhat_T, y_T, W, W_out):
    """BPTT for the many-to-one network: only the last output ŷ_T has an error.

    δ_T = (W̃_outᵀ (ŷ_T − y_T)) ⊙ f′(u_T),
    δ_t = (Wᵀ δ_{t+1}) ⊙ f′(u_t),   t = T−1, …, 1,   f′(u) = 1 − tanh(u)².

    Parameters
    ----------
    U : (T, H)  row t−1 is u_t
    yhat_T : (m,)  ŷ_T = g(v_T), the only output
    y_T : (m,)  its target
    W : (H, H)  recurrent weights
    W_out : (m, H+1)  output weights, column 0 is the bias

    Returns
    -------
    D : (H, T)  column t−1 is δ_t
    """
    # Hint: the same backward loop as deltas, with the output-error term present only at t = T.
    # YOUR CODE HERE
    raise NotImplementedError()


def grad_W_out_many_to_one(yhat_T, y_T, z_T):
    """∂E/∂W_out = (g(v_T) − y_T) [1; z_T]ᵀ for the many-to-one network.

    Parameters
    ----------
    yhat_T : (m,)  ŷ_T = g(v_T)
    y_T : (m,)  its target
    z_T : (H,)  the last hidden state (no bias entry)

    Returns
    -------
    dW_out : (m, H+1)  column 0 is the bias gradient ŷ_T − y_T
    """
    # Hint: an outer product of two vectors; do not forget the 1 of the bias.
    # YOUR CODE HERE
    raise NotImplementedError()


def sgd_step(params, grads, lr):
    """確率的勾配降下法 (SGD): W ← W − η ∂E/∂W for W_in, W and W_out.

    Parameters
    ----------
    params : dict  "W_in" (H, d+1), "W" (H, H), "W_out" (m, H+1)
    grads : dict  the same keys and shapes: ∂E/∂W_in, ∂E/∂W, ∂E/∂W_out
    lr : float  the learning rate η

    Returns
    -------
    new_params : dict  the same keys and shapes; params and grads are left unchanged
    """
    # Hint: build a new dict; `W - lr * g` makes a new array, `W -= …` would change the caller's.
    # YOUR CODE HERE
    raise NotImplementedError()


def adam_step(params, grads, state=None, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam (Kingma & Ba, 2015) with bias correction, one step for every parameter.

    t ← t + 1,
    m ← β₁ m + (1 − β₁) g,        v ← β₂ v + (1 − β₂) g ⊙ g,
    m̂ = m / (1 − β₁ᵗ),            v̂ = v / (1 − β₂ᵗ),
    W ← W − η m̂ / (√v̂ + ε),
    with m = v = 0 and t = 0 before the first step (g = ∂E/∂W).

    Parameters
    ----------
    params : dict  "W_in" (H, d+1), "W" (H, H), "W_out" (m, H+1)
    grads : dict  the same keys and shapes
    state : None on the first call, then the state returned by the previous call
    lr, beta1, beta2, eps : η, β₁, β₂, ε

    Returns
    -------
    new_params : dict  the same keys and shapes
    new_state : what the next call needs (t and the moments m, v); the inputs are left unchanged
    """
    # Hint: keep t, m and v per parameter in the state; t counts from 1 in the bias corrections.
    # YOUR CODE HERE
    raise NotImplementedError()
