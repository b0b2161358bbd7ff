"""jordan: the Jordan network — the forward pass with the output fed back, the loss, BPTT through the
output feedback (δ^out_t and δ_t), and the gradients D X, D Ŷ̃, D_out [1 Z].

References come from rnnref.jordan with N = 1; the lecture's D (H, T) and D_out (m, T) are rnnref's
D[0].T and D_out[0].T. The shared sizes (_data.sizes, FD_SIZE) keep T, d+1, H, H+1 and m apart, so
W_y (H, m) and W_out (m, H+1) are never square and a transpose cannot hide.
"""

from __future__ import annotations

import numpy as np

from rnnref.jordan import JORDAN_KEYS, jordan_backward, jordan_forward, jordan_loss

from ..cases import FDGradients
from . import FD_LABEL, FD_SIZE, Suite, fd_last, numerical_gradients, spread
from ._data import matrix, sequence, sizes, targets

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 2

A = "jordan"


def _model(rng, T, d, H, m):
    """Inputs, parameters, targets and rnnref's forward and backward of one sequence."""
    X = sequence(rng, T, d)
    P = {"W_in": matrix(rng, H, d + 1), "W_y": matrix(rng, H, m), "W_out": matrix(rng, m, H + 1)}
    Y = targets(rng, T, m, "regression")
    Yhat, cache = jordan_forward(X[None], P)
    E, dYhat = jordan_loss(Yhat, Y[None])
    back = jordan_backward(dYhat, cache)
    S = {"U": cache["U"][:, 0], "Z": cache["Z"][:, 0], "Yhat": Yhat[0], "E": E,
         "D_out": back.D_out[0].T, "D": back.D[0].T}
    return X, P, Y, S, back.grads


def _variants(build):
    """Every size of _data.sizes() as (label, make, visible)."""
    return [(label, (lambda rng, dims=dims: build(rng, *dims)), visible) for label, dims, visible in sizes()]


def _forward(rng, T, d, H, m):
    X, P, Y, S, _ = _model(rng, T, d, H, m)
    return (X, P["W_in"], P["W_y"], P["W_out"]), {}, (S["U"], S["Z"], S["Yhat"])


def _loss(rng, T, d, H, m):
    X, P, Y, S, _ = _model(rng, T, d, H, m)
    return (S["Yhat"], Y), {}, float(S["E"])


def _deltas(rng, T, d, H, m):
    X, P, Y, S, _ = _model(rng, T, d, H, m)
    return (S["U"], S["Yhat"], Y, P["W_y"], P["W_out"]), {}, (S["D_out"], S["D"])


def _gradients(rng, T, d, H, m):
    X, P, Y, S, grads = _model(rng, T, d, H, m)
    return (X, S["Yhat"], S["Z"], S["D_out"], S["D"]), {}, {k: grads[k] for k in JORDAN_KEYS}


def _grads_from_deltas(result, extra):
    """The lecture's products from the student's (D_out, D): D X, D Ŷ̃ and D_out [1 Z]."""
    D_out, D = (np.asarray(a, dtype=np.float64) for a in result)
    return {"W_in": D @ extra["X"], "W_y": D @ extra["Yhat_tilde"], "W_out": D_out @ extra["Z1"]}


def _fd(kind):
    """A finite-difference case: the expected gradients are central differences of the reference loss."""
    T, d, H, m = FD_SIZE

    def make(rng):
        X, P, Y, S, grads = _model(rng, T, d, H, m)

        def loss(p):
            return jordan_loss(jordan_forward(X[None], p)[0], Y[None])[0]

        numerical = numerical_gradients(loss, P, JORDAN_KEYS)
        if kind == "deltas":
            extra = {"X": X, "Yhat_tilde": np.vstack([np.zeros((1, m)), S["Yhat"][:-1]]),
                     "Z1": np.hstack([np.ones((T, 1)), S["Z"]])}
            fd = FDGradients(numerical, (S["D_out"], S["D"]), extra, "D_out, D")
            return (S["U"], S["Yhat"], Y, P["W_y"], P["W_out"]), {}, fd
        like = {k: grads[k] for k in JORDAN_KEYS}
        return (X, S["Yhat"], S["Z"], S["D_out"], S["D"]), {}, FDGradients(numerical, like)

    fields = {"compare": "gradcheck", "post": _grads_from_deltas if kind == "deltas" else None}
    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}, m={m}", make, False, fields)]


ROWS = {"U": (0, "u_{}"), "Z": (0, "z_{}"), "Yhat": (0, "ŷ_{}"), "D_out": (1, "δ^out_{}"), "D": (1, "δ_{}")}

SUITE = Suite(
    assignment=A,
    seed=20240516,
    points={"forward": 3, "loss": 1, "deltas": 5, "gradients": 3},
    cases=fd_last(
        spread("forward", 3, _variants(_forward), assignment=A, arg_names=("X", "W_in", "W_y", "W_out"),
               outputs=("U", "Z", "Yhat"), labels=ROWS,
               hints={"shape": {"en": "U and Z are (T, H) and Yhat is (T, m): one row u_t, z_t, ŷ_t per step, "
                                      "ŷ_0 not included.",
                                "ja": "U と Z は (T, H)、Yhat は (T, m) です。各時刻の u_t, z_t, ŷ_t が 1 行ずつで、"
                                      "ŷ_0 は含めません。"},
                      "value": {"en": "u_t = W_in x_t + W_y ŷ_{t−1} with ŷ_0 = 0: compute ŷ_t = W_out [1; z_t] "
                                      "inside the loop and feed it to the next step.",
                                "ja": "ŷ_0 = 0 として u_t = W_in x_t + W_y ŷ_{t−1} です。ループの中で "
                                      "ŷ_t = W_out [1; z_t] を計算し、次の時刻に渡してください。"}})
        + spread("loss", 1, _variants(_loss), assignment=A, arg_names=("Yhat", "Y"), outputs="E",
                 hints={"type": {"en": "Return one number as a float, e.g. float(np.sum(…)).",
                                 "ja": "一つの数を float として返してください（例: float(np.sum(…))）。"},
                        "value": {"en": "E = ½ Σ_t ‖y_t − ŷ_t‖²: the ½, and a sum over the steps and outputs, "
                                        "not a mean.",
                                  "ja": "E = ½ Σ_t ‖y_t − ŷ_t‖² です。½ を付け、時刻と出力について平均ではなく和を取ります。"}})
        + spread("deltas", 5, _variants(_deltas) + _fd("deltas"), assignment=A,
                 arg_names=("U", "Yhat", "Y", "W_y", "W_out"), outputs=("D_out", "D"), labels=ROWS,
                 hints={"shape": {"en": "Return (D_out, D): D_out stores δ^out_1 … δ^out_T as columns, (m, T); "
                                        "D stores δ_1 … δ_T as columns, (H, T).",
                                  "ja": "(D_out, D) を返してください。D_out は δ^out_1 … δ^out_T を列に並べた (m, T)、"
                                        "D は δ_1 … δ_T を列に並べた (H, T) の行列です。"},
                        "value": {"en": "Check δ^out_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1} and "
                                        "δ_t = (W̃_outᵀ δ^out_t) ⊙ f′(u_t) term by term, from t = T with δ_{T+1} = 0.",
                                  "ja": "δ^out_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1} と δ_t = (W̃_outᵀ δ^out_t) ⊙ f′(u_t) を、"
                                        "δ_{T+1} = 0 として t = T から項ごとに確かめてください。"}})
        + spread("gradients", 3, _variants(_gradients) + _fd("gradients"), assignment=A,
                 arg_names=("X", "Yhat", "Z", "D_out", "D"), outputs="grads",
                 hints={"shape": {"en": "Return a dict with the keys W_in, W_y, W_out, each gradient shaped like "
                                        "its matrix: (H, d+1), (H, m), (m, H+1).",
                                  "ja": "キー W_in, W_y, W_out を持つ辞書を返してください。各勾配は対応する行列と同じ形 "
                                        "(H, d+1)、(H, m)、(m, H+1) です。"},
                        "value": {"en": "∂E/∂W_in = D X, ∂E/∂W_y = D Ŷ̃ with Ŷ̃ = (ŷ_0, …, ŷ_{T−1}), ŷ_0 = 0, "
                                        "and ∂E/∂W_out = D_out [1 Z].",
                                  "ja": "∂E/∂W_in = D X、∂E/∂W_y = D Ŷ̃（Ŷ̃ = (ŷ_0, …, ŷ_{T−1})、ŷ_0 = 0）、"
                                        "∂E/∂W_out = D_out [1 Z] です。"}})
    ),
)

#: for the general diagnosis (autograder/diagnosis.py): how time enters each function (ACROSS_TIME; the others: a
#: recurrence)
DIAGNOSIS = {"across_time": {"loss": "sum", "gradients": "sum"}}
