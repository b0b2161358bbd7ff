"""Many-to-one classification with the lecture's Elman RNN: images scanned row by row, mini-batch Adam.

Seed 001 ("画像の分類: many-to-one ネットワーク — 行ごとにデータをスキャンし、最終的な出力を用いて予測する"):
an 8 × 8 image is a sequence of T = 8 rows x_t (d = 8 pixels, a leading 1 for the bias); only the
last state is read out, through the softmax, with the cross-entropy error:

    z_t = tanh(W_in x_t + W z_{t−1}),  z_0 = 0,    ŷ = softmax(W_out [1; z_T])
    E = −(1/N) Σ_n Σ_k y_nk log ŷ_nk                the mean over the N sequences of a mini-batch

Training: every epoch, the N training sequences are visited in the order of a fresh permutation
(``rng.permutation(N)``, rng = numpy.random.default_rng(seed) made once), cut into mini-batches of
``batch_size`` consecutive indices (the last one may be shorter); each mini-batch makes one Adam
step on the gradient of its mean loss. rnnref.rnn does the forward and the BPTT, rnnref.optim.adam
the update.
"""

from __future__ import annotations

import numpy as np

from .optim import adam
from .rnn import add_bias, elman_backward, elman_forward

__all__ = [
    "digits_sequences",
    "mean_loss_and_grads",
    "train_many_to_one",
    "accuracy",
    "confusion_matrix",
]


def digits_sequences():
    """scikit-learn's 8 × 8 handwritten digits (bundled, no download) as sequences of image rows.

    Returns
    -------
    X : (1797, 8, 9)  X[n, t] = [1; row t+1 of image n / 16]: pixels scaled to [0, 1], bias first
    Y : (1797, 10)  one-hot classes
    labels : (1797,) int  the digit 0 … 9
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("the digits of the classify exercise come with scikit-learn: "
                          "pip install 'rnn-exercise-kit[classify]' (or pip install scikit-learn)") from None
    digits = load_digits()
    X = add_bias(digits.images.astype(np.float64) / 16.0)
    labels = digits.target.astype(np.int64)
    return X, np.eye(10)[labels], labels


def mean_loss_and_grads(X: np.ndarray, Y: np.ndarray, params: dict) -> tuple[float, dict, np.ndarray]:
    """The mini-batch's mean cross-entropy, its gradients and the predictions, many-to-one.

    Parameters
    ----------
    X : (N, T, d+1)  inputs, bias column of ones first
    Y : (N, m)  one-hot targets
    params : {"W_in": (H, d+1), "W": (H, H), "W_out": (m, H+1)}

    Returns
    -------
    E : float  −(1/N) Σ_n Σ_k y_nk log ŷ_nk
    grads : dict, same keys and shapes as params: the gradients of E (the sums of BPTT divided by N)
    Yhat : (N, m)  ŷ = softmax(W_out [1; z_T])
    """
    N = X.shape[0]
    Yhat, cache = elman_forward(X, params, g="softmax", many_to_one=True)
    res = elman_backward(cache, Y)
    return res.E / N, {k: g / N for k, g in res.grads.items()}, Yhat


def accuracy(Yhat: np.ndarray, Y: np.ndarray) -> float:
    """The fraction of rows whose largest ŷ_nk is at the class of the one-hot y_n."""
    return float(np.mean(np.argmax(Yhat, axis=1) == np.argmax(Y, axis=1)))


def train_many_to_one(X: np.ndarray, Y: np.ndarray, params: dict, *, epochs: int, batch_size: int, lr: float,
                      seed: int = 0, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
    """Mini-batch Adam on the mean cross-entropy of the many-to-one Elman network.

    The batches follow the module's contract: one rng = default_rng(seed); per epoch
    perm = rng.permutation(N) and batches perm[i : i + batch_size], i = 0, batch_size, ….

    Returns
    -------
    params : the trained parameters (new arrays; the caller's are unchanged)
    history : {"loss": (epochs,), "acc": (epochs,)}: the epoch's mean training loss per sequence,
        Σ_batches |batch| · E_batch / N with E_batch computed before its update, and the accuracy on
        (X, Y) with the parameters at the end of the epoch
    """
    N = X.shape[0]
    rng = np.random.default_rng(seed)
    state = None
    losses, accs = [], []
    for _ in range(epochs):
        perm = rng.permutation(N)
        total = 0.0
        for i in range(0, N, batch_size):
            idx = perm[i : i + batch_size]
            E, grads, _ = mean_loss_and_grads(X[idx], Y[idx], params)
            total += E * len(idx)
            params, state = adam(params, grads, state, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        losses.append(total / N)
        accs.append(accuracy(elman_forward(X, params, g="softmax", many_to_one=True)[0], Y))
    return params, {"loss": np.array(losses), "acc": np.array(accs)}


def confusion_matrix(true: np.ndarray, pred: np.ndarray, m: int) -> np.ndarray:
    """C[i, j] = the number of examples of class i predicted as class j, (m, m) int."""
    C = np.zeros((m, m), dtype=np.int64)
    np.add.at(C, (np.asarray(true), np.asarray(pred)), 1)
    return C
