"""画像の分類: many-to-one ネットワーク — handwritten digits scanned row by row by the lecture's RNN.

A mini-batch at a time, float64, numpy (matplotlib for the plot). Lecture notation (seed 001,
f = tanh, g = softmax): an 8 × 8 image is a sequence of T = 8 rows; x_t is row t with a leading 1
for the bias; only the last state z_T is read out:

    u_t = W_in x_t + W z_{t−1},   z_t = tanh(u_t),   z_0 = 0
    ŷ = softmax(v),   v = W_out [1; z_T]
    E = −(1/N) Σ_n Σ_k y_nk log ŷ_nk      (the mean cross-entropy of a mini-batch of N images)

BPTT for the many-to-one network (only z_T sees the output error), for each sequence n:

    δ^out = (ŷ − y) / N,   δ_T = (W̃_outᵀ δ^out) ⊙ (1 − z_T²),   δ_t = (Wᵀ δ_{t+1}) ⊙ (1 − z_t²)
    ∂E/∂W_out = Σ_n δ^out [1; z_T]ᵀ,   ∂E/∂W_in = Σ_n Σ_t δ_t x_tᵀ,   ∂E/∂W = Σ_n Σ_t δ_t z_{t−1}ᵀ

Batched arrays put the sequence index n first: X (N, T, d+1), Z (N, T, H), Yhat and Y (N, m).
Row n of a step's block, e.g. X[:, t−1] (N, d+1), is one sequence's vector as a row, so a matrix
product with a weight goes on the right and transposed: W_in x_t for all n is X[:, t−1] @ W_in.T.

Parameters P: {"W_in": (H, d+1), "W": (H, H), "W_out": (m, H+1)}; column 0 of W_in and W_out is the bias.
"""

import matplotlib.pyplot as plt
import numpy as np


def forward(X, P):
    """ミニバッチの順伝播 (forward pass of a mini-batch), many-to-one, z_0 = 0.

    For t = 1 … T and every sequence n at once:
        z_t = tanh(W_in x_t + W z_{t−1});   then ŷ = softmax(W_out [1; z_T]),
    softmax(v)_k = e^{v_k} / Σ_j e^{v_j}, computed after subtracting max_j v_j.

    Parameters
    ----------
    X : (N, T, d+1)  X[n, t−1] is x_t of sequence n, first entry 1
    P : dict  "W_in" (H, d+1), "W" (H, H), "W_out" (m, H+1)

    Returns
    -------
    Yhat : (N, m)  row n is ŷ of sequence n (each row sums to 1)
    Z : (N, T, H)  Z[n, t−1] is z_t of sequence n (z_0 not included)
    """
    # Hint: loop over t only (not over n): one (N, d+1) @ (d+1, H) and one (N, H) @ (H, H) product per step.
    # YOUR CODE HERE
    raise NotImplementedError()


def loss(Yhat, Y):
    """平均交差エントロピー (the mean cross-entropy of a mini-batch): E = −(1/N) Σ_n Σ_k y_nk log ŷ_nk.

    Parameters
    ----------
    Yhat : (N, m)  softmax outputs
    Y : (N, m)  one-hot targets

    Returns
    -------
    E : float
    """
    # Hint: a mean over the N sequences, a sum over the m classes; take np.log only where y_nk > 0.
    # YOUR CODE HERE
    raise NotImplementedError()


def backward(X, Z, Yhat, Y, P):
    """ミニバッチの逆伝播 (BPTT of a mini-batch): the gradients of the mean cross-entropy E.

    δ^out = (ŷ − y)/N,  δ_T = (W̃_outᵀ δ^out) ⊙ (1 − z_T²),  δ_t = (Wᵀ δ_{t+1}) ⊙ (1 − z_t²),
    ∂E/∂W_out = Σ_n δ^out [1; z_T]ᵀ,  ∂E/∂W_in = Σ_n Σ_t δ_t x_tᵀ,  ∂E/∂W = Σ_n Σ_t δ_t z_{t−1}ᵀ (z_0 = 0),
    W̃_out = W_out without its bias column. Only the last step has an output error.

    Parameters
    ----------
    X : (N, T, d+1), Z : (N, T, H), Yhat : (N, m)  from forward
    Y : (N, m)  one-hot targets
    P : dict  the parameters of the forward pass

    Returns
    -------
    grads : dict  "W_in" (H, d+1), "W" (H, H), "W_out" (m, H+1)
    """
    # Hint: go back from t = T keeping the rows δ_t (N, H); sum over n and t with products like D_tᵀ X[:, t−1].
    # YOUR CODE HERE
    raise NotImplementedError()


def accuracy(Yhat, Y):
    """正解率 (accuracy): the fraction of sequences whose largest ŷ_nk is at the class of y_n.

    Parameters
    ----------
    Yhat : (N, m)  outputs (probabilities or any scores)
    Y : (N, m)  one-hot targets

    Returns
    -------
    acc : float in [0, 1]
    """
    # Hint: np.argmax along the classes (axis 1) for both, then the mean of the matches.
    # YOUR CODE HERE
    raise NotImplementedError()


def adam_step(params, grads, state=None, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam (Kingma & Ba, 2015) with bias correction, one step for every parameter (as in rnn_bptt).

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
    # Hint: your adam_step of the rnn_bptt exercise works here unchanged.
    # YOUR CODE HERE
    raise NotImplementedError()


def train(X, Y, P, epochs, batch_size, lr, seed=0):
    """ミニバッチ学習 (mini-batch training) with Adam: forward, loss, backward and adam_step in a loop.

    rng = np.random.default_rng(seed), made once. Every epoch: perm = rng.permutation(N); the
    mini-batches are perm[i : i + batch_size] for i = 0, batch_size, 2·batch_size, … (the last one
    may be shorter); each makes one adam_step (learning rate lr) on its gradients, the Adam state
    carried from step to step and across epochs.

    Parameters
    ----------
    X : (N, T, d+1)  the training sequences
    Y : (N, m)  one-hot targets
    P : dict  the initial parameters (left unchanged)
    epochs : int  passes over the data
    batch_size : int
    lr : float  Adam's learning rate η
    seed : int  the shuffling's seed

    Returns
    -------
    P : dict  the trained parameters
    history : dict
        "loss" (epochs,)  the epoch's mean training loss per sequence: Σ_batches |batch| · E_batch / N,
                          each E_batch computed by forward before that batch's update
        "acc" (epochs,)   the accuracy on (X, Y) with the parameters at the end of the epoch
    """
    # Hint: one rng before the epochs; per batch forward → loss → backward → adam_step; then the epoch's history.
    # YOUR CODE HERE
    raise NotImplementedError()


def plot_learning_curve(history):
    """学習曲線 (learning curve): the training loss history["loss"] against the epochs 1 … E.

    Draw history["loss"] as a line in an Axes whose x and y axes are labelled (English labels,
    e.g. "epoch" and "mean cross-entropy"); you may draw history["acc"] too, e.g. in a second
    Axes or on ax.twinx(). Do not call plt.show(): return the figure.

    Parameters
    ----------
    history : dict  "loss" (E,), "acc" (E,)  as returned by train

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    # Hint: fig, ax = plt.subplots(); ax.plot(epochs, history["loss"]); ax.set_xlabel(…); ax.set_ylabel(…).
    # YOUR CODE HERE
    raise NotImplementedError()
