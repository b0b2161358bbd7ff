"""gru: one GRU step (the lecture's convention), the forward pass, and BPTT.

References from rnnref.gru with convention="lecture", N = 1. The step caches the student
must build are the contract's: x, h_prev, z, r, c (c = h̃).
"""

from __future__ import annotations

import numpy as np

import rnnref

from ..cases import FDGradients
from . import FD_LABEL, FD_SIZE, Suite, fd_last, gated_own_forward_case, gated_variants, numerical_gradients, spread
from ._data import matrix, sequence

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 5

KEYS = rnnref.GRU_KEYS


def _params(rng, d, H):
    return {k: matrix(rng, H, d + 1 if k.endswith("_in") else H) for k in KEYS}


def _reference(X, P, h0=None):
    """Hs (T, H) and the contract's list of step caches, from rnnref's batched forward."""
    T, H = X.shape[0], P["W"].shape[0]
    h0 = np.zeros(H) if h0 is None else h0
    Hs, cache = rnnref.gru_forward(X[None], P, h0=h0[None], convention="lecture")
    Hs = Hs[0]
    ZR = cache["ZR"][:, 0]  # [z_t, r_t]
    C = cache["Hc"][:, 0]  # h̃_t
    Hprev = np.vstack([h0, Hs[:-1]])
    caches = [
        {"x": X[t], "h_prev": Hprev[t], "z": ZR[t, :H], "r": ZR[t, H:], "c": C[t]}
        for t in range(T)
    ]
    return Hs, caches, cache


def _step(rng, T, d, H):
    P = _params(rng, d, H)
    x = sequence(rng, 1, d)[0]
    h_prev = rng.uniform(-1, 1, H)
    Hs, caches, _ = _reference(x[None], P, h_prev)
    return (x, h_prev, P), {}, (Hs[0], caches[0])


def _forward(rng, T, d, H):
    P = _params(rng, d, H)
    X = sequence(rng, T, d)
    Hs, caches, _ = _reference(X, P)
    return (X, P), {}, (Hs, caches)


def _backward(rng, T, d, H):
    P = _params(rng, d, H)
    X = sequence(rng, T, d)
    dH = rng.standard_normal((T, H))
    _, caches, cache = _reference(X, P)
    grads = rnnref.gru_backward(dH[None], cache).grads
    return (dH, caches, P), {}, {k: grads[k] for k in KEYS}


def _fd():
    """The finite-difference case: central differences of E = Σ_t dH_t · h_t (rnnref's forward) by each weight."""
    T, d, H, _ = FD_SIZE

    def make(rng):
        P = _params(rng, d, H)
        X = sequence(rng, T, d)
        dH = rng.standard_normal((T, H))
        _, caches, cache = _reference(X, P)
        grads = rnnref.gru_backward(dH[None], cache).grads
        zeros = np.zeros((1, H))

        def loss(p):
            return float(np.sum(dH * rnnref.gru_forward(X[None], p, h0=zeros, convention="lecture")[0][0]))

        like = {k: grads[k] for k in KEYS}
        return (dH, caches, P), {}, FDGradients(numerical_gradients(loss, P, KEYS), like)

    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}", make, False, {"compare": "gradcheck"})]


A = "gru"


OWN_FORWARD = gated_own_forward_case(A, "gru_backward", "gru_forward", _params, KEYS)

SUITE = Suite(
    assignment=A,
    seed=20231205,
    points={"gru_step": 3, "gru_forward": 2, "gru_backward": 5},
    cases=fd_last(
        spread("gru_step", 3, gated_variants(_step), assignment=A, arg_names=("x", "h_prev", "P"), outputs=("h", "cache"),
               hints={"value": {"en": "The lecture's GRU: h = (1 − z)⊙h_prev + z⊙h̃ and h̃ = tanh(W_in x + W (r⊙h_prev)) — "
                                      "the reset gate multiplies h_prev before the product with W.",
                                "ja": "講義の GRU: h = (1 − z)⊙h_prev + z⊙h̃、h̃ = tanh(W_in x + W (r⊙h_prev)) です。"
                                      "リセットゲートは W との積の前に h_prev に掛けます。"}})
        + spread("gru_forward", 2, gated_variants(_forward), assignment=A, arg_names=("X", "P"), outputs=("Hs", "caches"),
                 labels={"Hs": (0, "h_{}")},
                 hints={"value": {"en": "Start from h_0 = 0 and feed each step the previous h.",
                                  "ja": "h_0 = 0 から始め、各時刻に一つ前の h を渡してください。"}})
        + spread("gru_backward", 5, gated_variants(_backward) + _fd(), assignment=A, arg_names=("dH", "caches", "P"),
                 outputs="grads",
                 hints={"value": {"en": "∂E/∂h_{t−1} collects four paths: (1 − z_t)⊙δh_t, through r_t⊙h_{t−1} in h̃, "
                                        "and through the two gates' W_Z, W_R.",
                                  "ja": "∂E/∂h_{t−1} は四つの経路から集まります: (1 − z_t)⊙δh_t、h̃ の中の r_t⊙h_{t−1}、"
                                        "二つのゲートの W_Z と W_R。"}})
    ) + (OWN_FORWARD,),
)

#: for the general diagnosis (autograder/diagnosis.py): the parameters by the lecture's names
DIAGNOSIS = {
    "names": {
        "W_in": {"en": "the candidate's weights on x", "ja": "候補状態の x への重み"},
        "W": {"en": "the candidate's recurrent weights", "ja": "候補状態の再帰の重み"},
        "W_Z_in": {"en": "the update gate's weights on x", "ja": "更新ゲートの x への重み"},
        "W_Z": {"en": "the update gate's recurrent weights", "ja": "更新ゲートの再帰の重み"},
        "W_R_in": {"en": "the reset gate's weights on x", "ja": "リセットゲートの x への重み"},
        "W_R": {"en": "the reset gate's recurrent weights", "ja": "リセットゲートの再帰の重み"},
    },
    "backward": {"gru_backward"},
}
