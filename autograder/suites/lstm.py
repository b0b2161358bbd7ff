"""lstm: one LSTM step, the forward pass over a sequence, and BPTT through gates and cell.

References from rnnref.lstm with N = 1 (same parameter keys). The step caches the student
must build are the contract's: x, z_prev, s_prev, u, gF, gI, gO, s.
"""

from __future__ import annotations

import numpy as np

import rnnref

from ..cases import FDGradients
from . import FD_LABEL, FD_SIZE, Suite, fd_last, gated_own_forward_case, gated_variants, numerical_gradients, spread
from ._data import matrix, sequence

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 4

KEYS = rnnref.LSTM_KEYS


def _params(rng, d, H):
    return {k: matrix(rng, H, d + 1 if k.endswith("_in") else H) for k in KEYS}


def _reference(X, P, z0=None, s0=None):
    """Z, S (T, H) and the contract's list of step caches, from rnnref's batched forward."""
    T, H = X.shape[0], P["W"].shape[0]
    z0 = np.zeros(H) if z0 is None else z0
    s0 = np.zeros(H) if s0 is None else s0
    Z, cache = rnnref.lstm_forward(X[None], P, z0=z0[None], s0=s0[None])
    Z = Z[0]
    S = cache["S"][:, 0]
    G = cache["G"][:, 0]  # rows [f(u_t), g^F_t, g^I_t, g^O_t]
    Zprev = np.vstack([z0, Z[:-1]])
    Sprev = np.vstack([s0, S[:-1]])
    U = X @ P["W_in"].T + Zprev @ P["W"].T
    caches = [
        {"x": X[t], "z_prev": Zprev[t], "s_prev": Sprev[t], "u": U[t],
         "gF": G[t, H:2 * H], "gI": G[t, 2 * H:3 * H], "gO": G[t, 3 * H:], "s": S[t]}
        for t in range(T)
    ]
    return Z, S, caches, cache


def _step(rng, T, d, H):
    P = _params(rng, d, H)
    x = sequence(rng, 1, d)[0]
    z_prev, s_prev = rng.uniform(-1, 1, H), rng.normal(0, 1, H)
    Z, S, caches, _ = _reference(x[None], P, z_prev, s_prev)
    return (x, z_prev, s_prev, P), {}, (Z[0], S[0], caches[0])


def _forward(rng, T, d, H):
    P = _params(rng, d, H)
    X = sequence(rng, T, d)
    Z, S, caches, _ = _reference(X, P)
    return (X, P), {}, (Z, S, caches)


def _backward(rng, T, d, H):
    P = _params(rng, d, H)
    X = sequence(rng, T, d)
    dZ = rng.standard_normal((T, H))
    _, _, caches, cache = _reference(X, P)
    grads = rnnref.lstm_backward(dZ[None], cache).grads
    return (dZ, caches, P), {}, {k: grads[k] for k in KEYS}


def _fd():
    """The finite-difference case: central differences of E = Σ_t dZ_t · z_t (rnnref's forward) by each weight."""
    T, d, H, _ = FD_SIZE

    def make(rng):
        P = _params(rng, d, H)
        X = sequence(rng, T, d)
        dZ = rng.standard_normal((T, H))
        _, _, caches, cache = _reference(X, P)
        grads = rnnref.lstm_backward(dZ[None], cache).grads
        zeros = np.zeros((1, H))

        def loss(p):
            return float(np.sum(dZ * rnnref.lstm_forward(X[None], p, z0=zeros, s0=zeros)[0][0]))

        like = {k: grads[k] for k in KEYS}
        return (dZ, caches, P), {}, FDGradients(numerical_gradients(loss, P, KEYS), like)

    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}", make, False, {"compare": "gradcheck"})]


ROWS = {"Z": (0, "z_{}"), "S": (0, "s_{}")}
GATE_HINT = {
    "en": "Check each gate against its own weights: g^F uses W_F_in and W_F, g^I uses W_I_in and W_I, "
          "g^O uses W_O_in and W_O; s = g^F⊙s_prev + g^I⊙tanh(u), z = g^O⊙tanh(s).",
    "ja": "各ゲートが自分の重みを使っているか確かめてください: 忘却ゲート g^F は W_F_in と W_F、入力ゲート g^I は "
          "W_I_in と W_I、出力ゲート g^O は W_O_in と W_O です。s = g^F⊙s_prev + g^I⊙tanh(u)、z = g^O⊙tanh(s)。",
}
A = "lstm"


OWN_FORWARD = gated_own_forward_case(A, "lstm_backward", "lstm_forward", _params, KEYS)

SUITE = Suite(
    assignment=A,
    seed=20231204,
    points={"lstm_step": 3, "lstm_forward": 2, "lstm_backward": 5},
    cases=fd_last(
        spread("lstm_step", 3, gated_variants(_step), assignment=A, arg_names=("x", "z_prev", "s_prev", "P"),
               outputs=("z", "s", "cache"), hints={"value": GATE_HINT})
        + spread("lstm_forward", 2, gated_variants(_forward), assignment=A, arg_names=("X", "P"),
                 outputs=("Z", "S", "caches"), labels=ROWS,
                 hints={"value": {"en": "Start from z_0 = s_0 = 0 and feed each step the previous z and s.",
                                  "ja": "z_0 = s_0 = 0 から始め、各時刻に一つ前の z と s を渡してください。"}})
        + spread("lstm_backward", 5, gated_variants(_backward) + _fd(), assignment=A, arg_names=("dZ", "caches", "P"),
                 outputs="grads",
                 hints={"value": {"en": "Carry two gradients back in time, ∂E/∂z_{t−1} and ∂E/∂s_{t−1} = ∂E/∂s_t ⊙ g^F_t; "
                                        "∂E/∂s_t also gets ∂E/∂z_t ⊙ g^O_t ⊙ (1 − tanh²(s_t)).",
                                  "ja": "二つの勾配 ∂E/∂z_{t−1} と ∂E/∂s_{t−1} = ∂E/∂s_t ⊙ g^F_t を過去へ運んでください。"
                                        "∂E/∂s_t には ∂E/∂z_t ⊙ g^O_t ⊙ (1 − tanh²(s_t)) も加わります。"}})
    ) + (OWN_FORWARD,),
)

#: for the general diagnosis (autograder/diagnosis.py): the parameters by the lecture's names
DIAGNOSIS = {
    "names": {
        "W_in": {"en": "the cell input's weights on x", "ja": "セル入力の x への重み"},
        "W": {"en": "the cell input's recurrent weights", "ja": "セル入力の再帰の重み"},
        "W_F_in": {"en": "the forget gate's weights on x", "ja": "忘却ゲートの x への重み"},
        "W_F": {"en": "the forget gate's recurrent weights", "ja": "忘却ゲートの再帰の重み"},
        "W_I_in": {"en": "the input gate's weights on x", "ja": "入力ゲートの x への重み"},
        "W_I": {"en": "the input gate's recurrent weights", "ja": "入力ゲートの再帰の重み"},
        "W_O_in": {"en": "the output gate's weights on x", "ja": "出力ゲートの x への重み"},
        "W_O": {"en": "the output gate's recurrent weights", "ja": "出力ゲートの再帰の重み"},
    },
    "backward": {"lstm_backward"},
}
