"""birnn: one direction's states and δ's, the bidirectional forward pass, BPTT through both directions.

References come from rnnref.birnn (built on rnnref.rnn) with N = 1, read in time order
(rnnref.birnn.birnn_states); the lecture's D→ and D← (H, T) are rnnref's D_fw[0].T, D_bw[0].T.

The sizes are this suite's own: W_out is (m, 2H+1) here, so T, d+1, H, 2H, 2H+1 and m must all
differ (the shared _data sizes make W_out square twice, and FD_SIZE has T = 2H).
"""

from __future__ import annotations

import numpy as np

from rnnref.birnn import BIRNN_KEYS, LAYER_KEYS, bi_elman_backward, bi_elman_forward, bi_elman_loss, birnn_states
from rnnref.rnn import rnn_backward, rnn_forward

from ..cases import FDGradients
from . import FD_LABEL, Suite, fd_last, numerical_gradients, spread
from ._data import matrix, sequence, targets

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 9

A = "birnn"

# (T, d, H, m): within each, T, d+1, H, 2H, 2H+1 and m all differ; T = 1 and H = 1 among them
SIZES_VISIBLE = [(6, 2, 4, 2), (1, 2, 2, 6)]
SIZES_HIDDEN = [(7, 4, 1, 4), (9, 5, 7, 4)]
FD_SIZE = (5, 1, 3, 4)  # T=5, d+1=2, H=3, 2H=6, 2H+1=7, m=4

TASKS = ("regression", "classification")
G = {"regression": "identity", "classification": "softmax"}


def sizes():
    """(label, (T, d, H, m), visible) for every size."""
    for T, d, H, m in SIZES_VISIBLE:
        yield f"T={T}, d={d}, H={H}, m={m}", (T, d, H, m), True
    for T, d, H, m in SIZES_HIDDEN:
        yield f"T={T}, d={d}, H={H}, m={m}", (T, d, H, m), False


def _variants(build, tasks=True):
    """Every size as (label, make, visible); with tasks, alternating regression and classification."""
    out = []
    for i, (label, dims, visible) in enumerate(sizes()):
        task = TASKS[i % 2]
        if tasks:
            out.append((f"{label}, {task}", (lambda rng, dims=dims, task=task: build(rng, *dims, task)), visible))
        else:  # one direction: m plays no part
            T, d, H, _ = dims
            out.append((f"T={T}, d={d}, H={H}", (lambda rng, dims=dims: build(rng, *dims)), visible))
    return out


def _params(rng, d, H, m):
    shapes = {"W_in_fw": (H, d + 1), "W_fw": (H, H), "W_in_bw": (H, d + 1), "W_bw": (H, H), "W_out": (m, 2 * H + 1)}
    return {k: matrix(rng, *shapes[k]) for k in BIRNN_KEYS}


def _model(rng, T, d, H, m, task):
    """Inputs, parameters, targets and rnnref's forward and backward of one sequence, time order."""
    X = sequence(rng, T, d)
    P = _params(rng, d, H, m)
    Y = targets(rng, T, m, task)
    Yhat, cache = bi_elman_forward(X[None], P, g=G[task])
    res = bi_elman_backward(cache, Y[None])
    S = {k: v[0] for k, v in birnn_states(cache).items()}
    return X, P, Y, Yhat[0], S, res


def _tildes(S):
    """Z̃→ = (z→_0 … z→_{T−1}) and Z̃← = (z←_2 … z←_{T+1}), z→_0 = z←_{T+1} = 0."""
    zero = np.zeros((1, S["Z_fw"].shape[1]))
    return np.vstack([zero, S["Z_fw"][:-1]]), np.vstack([S["Z_bw"][1:], zero])


# ---------------------------------------------------------------------------------------------
# one direction


def _direction(rng, T, d, H):
    X = sequence(rng, T, d)
    P = {"W_in": matrix(rng, H, d + 1), "W": matrix(rng, H, H)}
    _, cache = rnn_forward(X[None], P)
    return X, P, cache


def _rnn_states(rng, T, d, H, m):
    X, P, cache = _direction(rng, T, d, H)
    return (X, P["W_in"], P["W"]), {}, (cache["U"][:, 0], cache["Z"][:, 0])


def _rnn_deltas(rng, T, d, H, m):
    X, P, cache = _direction(rng, T, d, H)
    dZ = rng.standard_normal((T, H))
    back = rnn_backward(dZ[None], cache)
    return (cache["U"][:, 0], dZ, P["W"]), {}, back.D[0].T


def _rnn_deltas_fd():
    T, d, H, _ = FD_SIZE

    def make(rng):
        X, P, cache = _direction(rng, T, d, H)
        dZ = rng.standard_normal((T, H))
        D = rnn_backward(dZ[None], cache).D[0].T
        Z = cache["Z"][:, 0]

        def loss(p):  # E = Σ_t ⟨dZ_t, z_t⟩, so that ∂E/∂z_t|direct = dZ_t
            return float(np.sum(dZ * rnn_forward(X[None], p)[0][0]))

        extra = {"X": X, "Z_tilde": np.vstack([np.zeros((1, H)), Z[:-1]])}
        return (cache["U"][:, 0], dZ, P["W"]), {}, FDGradients(numerical_gradients(loss, P), D, extra, "D")

    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}", make, False,
             {"compare": "gradcheck", "post": _grads_from_D})]


def _grads_from_D(D, extra):
    """The lecture's products from the student's D: ∂E/∂W_in = D X, ∂E/∂W = D Z̃."""
    D = np.asarray(D, dtype=np.float64)
    return {"W_in": D @ extra["X"], "W": D @ extra["Z_tilde"]}


# ---------------------------------------------------------------------------------------------
# both directions


def _birnn_forward(rng, T, d, H, m, task):
    X, P, Y, Yhat, S, res = _model(rng, T, d, H, m, task)
    return (X, P), {"task": task}, (S["U_fw"], S["Z_fw"], S["U_bw"], S["Z_bw"], Yhat)


def _birnn_deltas(rng, T, d, H, m, task):
    X, P, Y, Yhat, S, res = _model(rng, T, d, H, m, task)
    return (S["U_fw"], S["U_bw"], Yhat, Y, P), {}, (res.D_fw[0].T, res.D_bw[0].T)


def _birnn_grads(rng, T, d, H, m, task):
    X, P, Y, Yhat, S, res = _model(rng, T, d, H, m, task)
    args = (X, S["Z_fw"], S["Z_bw"], res.D_fw[0].T, res.D_bw[0].T, Yhat, Y)
    return args, {}, {k: res.grads[k] for k in BIRNN_KEYS}


def _layer_grads_from_Ds(result, extra):
    """∂E/∂W_in→ = D→ X, ∂E/∂W→ = D→ Z̃→, ∂E/∂W_in← = D← X, ∂E/∂W← = D← Z̃← from the student's D's."""
    D_fw, D_bw = (np.asarray(D, dtype=np.float64) for D in result)
    X = extra["X"]
    return {"W_in_fw": D_fw @ X, "W_fw": D_fw @ extra["Z_tilde_fw"],
            "W_in_bw": D_bw @ X, "W_bw": D_bw @ extra["Z_tilde_bw"]}


def _birnn_fd(kind, task):
    """A finite-difference case: the expected gradients are central differences of the reference loss."""
    T, d, H, m = FD_SIZE

    def make(rng):
        X, P, Y, Yhat, S, res = _model(rng, T, d, H, m, task)

        def loss(p):
            _, cache = bi_elman_forward(X[None], p, g=G[task])
            return bi_elman_loss(cache, Y[None])[0]

        D_fw, D_bw = res.D_fw[0].T, res.D_bw[0].T
        if kind == "deltas":
            Zt_fw, Zt_bw = _tildes(S)
            extra = {"X": X, "Z_tilde_fw": Zt_fw, "Z_tilde_bw": Zt_bw}
            fd = FDGradients(numerical_gradients(loss, P, LAYER_KEYS), (D_fw, D_bw), extra, "D_fw, D_bw")
            return (S["U_fw"], S["U_bw"], Yhat, Y, P), {}, fd
        like = {k: res.grads[k] for k in BIRNN_KEYS}
        args = (X, S["Z_fw"], S["Z_bw"], D_fw, D_bw, Yhat, Y)
        return args, {}, FDGradients(numerical_gradients(loss, P, BIRNN_KEYS), like)

    fields = {"compare": "gradcheck", "post": _layer_grads_from_Ds if kind == "deltas" else None}
    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}, m={m}, {task}", make, False, fields)]


ROWS = {"U": (0, "u_{}"), "Z": (0, "z_{}"), "D": (1, "δ_{}")}
BI_ROWS = {"U_fw": (0, "u→_{}"), "Z_fw": (0, "z→_{}"), "U_bw": (0, "u←_{}"), "Z_bw": (0, "z←_{}"),
           "Yhat": (0, "ŷ_{}"), "D_fw": (1, "δ→_{}"), "D_bw": (1, "δ←_{}")}

def _rows_apart(T, d, H, m):
    """Classification with scores v_t whose row maxima lie about 2000 apart, each row spread over 900: only each
    row's own max shift keeps e^{v} finite (nothing, the max of all rows, a row's min or its sum gives 0/0 or ∞/∞).
    z→_t's first unit is ≈ ±1 in turn (x_t1 alternating in sign through W_in→'s first row, no recurrence there),
    and W_out reads it with 1000 for every class, on top of biases spread from −450 to 450."""
    from ..known_mistakes._softmax import fails_every_wrong_shift

    def make(rng):
        while True:
            X = sequence(rng, T, d)
            X[:, 1] = np.where(np.arange(T) % 2 == 0, 1.0, -1.0) * rng.uniform(2.0, 3.0, T)
            P = _params(rng, d, H, m)
            P["W_in_fw"][0] = 0.0
            P["W_in_fw"][0, 1] = 2.0
            P["W_fw"][0] = 0.0
            P["W_out"][:, 0] = rng.permutation(np.linspace(-450.0, 450.0, m)) + rng.uniform(-20.0, 20.0, m)
            P["W_out"][:, 1] = 1000.0
            Yhat, cache = bi_elman_forward(X[None], P, g="softmax")
            S = {k: v[0] for k, v in birnn_states(cache).items()}
            V = np.hstack([np.ones((T, 1)), S["Z_fw"], S["Z_bw"]]) @ P["W_out"].T
            if fails_every_wrong_shift(V):
                return (X, P), {"task": "classification"}, (S["U_fw"], S["Z_fw"], S["U_bw"], S["Z_bw"], Yhat[0])

    return make


BIRNN_FORWARD = spread(
    "birnn_forward", 3,
    _variants(_birnn_forward) + [("rows apart by 2000, T=6, d=2, H=3, m=5, classification", _rows_apart(6, 2, 3, 5),
                                  True),
                                 ("rows apart by 2000, T=7, d=3, H=2, m=4, classification", _rows_apart(7, 3, 2, 4),
                                  False)],
    assignment=A, arg_names=("X", "P"), outputs=("U_fw", "Z_fw", "U_bw", "Z_bw", "Yhat"),
    labels=BI_ROWS,
    hints={"shape": {"en": "U_fw, Z_fw, U_bw, Z_bw are (T, H) and Yhat is (T, m); W_out is (m, 2H+1) "
                           "and reads [1; z→_t; z←_t].",
                     "ja": "U_fw, Z_fw, U_bw, Z_bw は (T, H)、Yhat は (T, m) です。W_out は (m, 2H+1) で "
                           "[1; z→_t; z←_t] に掛かります。"},
           "finite": {"en": "e^{v} overflows for large v: subtract max_k v_tk of each row (each step t) before the "
                            "softmax, as the given softmax(V) does.",
                      "ja": "v が大きいと e^{v} がオーバーフローします。ソフトマックス関数の前に各行（各時刻 t）の "
                            "max_k v_tk を引いてください（与えられた softmax(V) がそうしています）。"},
           "value": {"en": "The backward direction starts at t = T from z←_{T+1} = 0 with its own "
                           "W_in_bw, W_bw; return its rows in time order (row t−1 is step t).",
                     "ja": "逆方向は z←_{T+1} = 0 から t = T で始まり、自分の W_in_bw, W_bw を使います。"
                           "その行は時刻の順（行 t−1 が時刻 t）で返してください。"}})

#: the rows-apart cases, appended after every older case so that no older case's index (and inputs) changes
BIRNN_FORWARD, BIRNN_FORWARD_NEW = BIRNN_FORWARD[:-2], BIRNN_FORWARD[-2:]


SUITE = Suite(
    assignment=A,
    seed=20231209,
    points={"rnn_states": 1, "birnn_forward": 3, "rnn_deltas": 2, "birnn_deltas": 3, "birnn_grads": 3},
    cases=fd_last(
        spread("rnn_states", 1, _variants(_rnn_states, tasks=False), assignment=A, arg_names=("X", "W_in", "W"),
               outputs=("U", "Z"), labels=ROWS,
               hints={"shape": {"en": "U and Z are (T, H): one row u_t, z_t per step, z_0 not included.",
                                "ja": "U と Z は (T, H) です。各時刻の u_t, z_t が 1 行ずつで、z_0 は含めません。"},
                      "value": {"en": "u_t = W_in x_t + W z_{t−1} with z_0 = 0, then z_t = tanh(u_t); carry z_t to "
                                      "the next step.",
                                "ja": "z_0 = 0 から u_t = W_in x_t + W z_{t−1}、z_t = tanh(u_t) を計算し、z_t を次の時刻へ"
                                      "渡してください。"}})
        + BIRNN_FORWARD
        + spread("rnn_deltas", 2, _variants(_rnn_deltas, tasks=False) + _rnn_deltas_fd(), assignment=A,
                 arg_names=("U", "dZ", "W"), outputs="D", labels=ROWS,
                 hints={"shape": {"en": "D stores δ_1 … δ_T as columns: (H, T).",
                                  "ja": "D は δ_1 … δ_T を列として並べた (H, T) の行列です。"},
                        "value": {"en": "Check δ_t = (Wᵀ δ_{t+1} + dZ_t) ⊙ (1 − tanh(u_t)²) term by term, going back "
                                        "from t = T with δ_{T+1} = 0.",
                                  "ja": "δ_t = (Wᵀ δ_{t+1} + dZ_t) ⊙ (1 − tanh(u_t)²) を、δ_{T+1} = 0 として t = T から"
                                        "さかのぼり、項ごとに確かめてください。"}})
        + spread("birnn_deltas", 3, _variants(_birnn_deltas) + _birnn_fd("deltas", "classification"),
                 assignment=A, arg_names=("U_fw", "U_bw", "Yhat", "Y", "P"), outputs=("D_fw", "D_bw"),
                 labels=BI_ROWS,
                 hints={"shape": {"en": "D_fw and D_bw store δ→_t and δ←_t as columns: (H, T) each.",
                                  "ja": "D_fw と D_bw は δ→_t, δ←_t を列として並べた (H, T) の行列です。"},
                        "value": {"en": "δ→_t = (W_fwᵀ δ→_{t+1} + W̃_out→ᵀ (ŷ_t − y_t)) ⊙ f′(u→_t) from t = T; "
                                        "δ←_t = (W_bwᵀ δ←_{t−1} + W̃_out←ᵀ (ŷ_t − y_t)) ⊙ f′(u←_t) from t = 1; "
                                        "W̃_out→ = W_out[:, 1:H+1], W̃_out← = W_out[:, H+1:].",
                                  "ja": "δ→_t = (W_fwᵀ δ→_{t+1} + W̃_out→ᵀ (ŷ_t − y_t)) ⊙ f′(u→_t) は t = T から、"
                                        "δ←_t = (W_bwᵀ δ←_{t−1} + W̃_out←ᵀ (ŷ_t − y_t)) ⊙ f′(u←_t) は t = 1 から計算します。"
                                        "W̃_out→ = W_out[:, 1:H+1]、W̃_out← = W_out[:, H+1:] です。"}})
        + spread("birnn_grads", 3, _variants(_birnn_grads) + _birnn_fd("grads", "regression"),
                 assignment=A, arg_names=("X", "Z_fw", "Z_bw", "D_fw", "D_bw", "Yhat", "Y"), outputs="grads",
                 hints={"shape": {"en": "Return a dict with the five keys of P, each gradient shaped like its "
                                        "matrix; ∂E/∂W_out is (m, 2H+1).",
                                  "ja": "P と同じ五つのキーを持つ辞書を返してください。各勾配は対応する行列と同じ形で、"
                                        "∂E/∂W_out は (m, 2H+1) です。"},
                        "value": {"en": "∂E/∂W_fw = D→ Z̃→ with Z̃→ = (z→_0, …, z→_{T−1}); ∂E/∂W_bw = D← Z̃← with "
                                        "Z̃← = (z←_2, …, z←_{T+1}); ∂E/∂W_out = (Ŷ − Y)ᵀ [1 Z→ Z←].",
                                  "ja": "∂E/∂W_fw = D→ Z̃→（Z̃→ = (z→_0, …, z→_{T−1})）、∂E/∂W_bw = D← Z̃←"
                                        "（Z̃← = (z←_2, …, z←_{T+1})）、∂E/∂W_out = (Ŷ − Y)ᵀ [1 Z→ Z←] です。"}})
    ) + tuple(BIRNN_FORWARD_NEW),
)

#: for the general diagnosis (autograder/diagnosis.py): how time enters each function (ACROSS_TIME; the others: a
#: recurrence)
DIAGNOSIS = {"across_time": {"birnn_grads": "sum"}}
