"""rnn_bptt: the Elman RNN forward pass, the δ recursion and the gradients DX, DZ̃, (g(V) − Y)Z.

References come from rnnref's batched implementation with N = 1; the lecture's D (H, T)
is rnnref's D[0].T.
"""

from __future__ import annotations

import numpy as np

import rnnref

from ..cases import Case, FDGradients, OwnForward
from . import FD_LABEL, FD_SIZE, Suite, fd_last, numerical_gradients, spread
from ._data import matrix, sequence, sizes, targets

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 1

TASKS = ("regression", "classification")
G = {"regression": "identity", "classification": "softmax"}


def _model(rng, T, d, H, m, task, many_to_one=False):
    X = sequence(rng, T, d)
    P = {"W_in": matrix(rng, H, d + 1), "W": matrix(rng, H, H), "W_out": matrix(rng, m, H + 1)}
    Y = targets(rng, 1 if many_to_one else T, m, task)
    Y = Y[0] if many_to_one else Y
    Yhat, cache = rnnref.elman_forward(X[None], P, g=G[task], many_to_one=many_to_one)
    res = rnnref.elman_backward(cache, Y[None])
    U = cache["rnn"]["U"][:, 0]
    Z = cache["rnn"]["Z"][:, 0]
    return X, P, Y, Yhat[0], U, Z, res


def _variants(build):
    """Every size, alternating the task, as (label, make, visible)."""
    out = []
    for i, (label, dims, visible) in enumerate(sizes()):
        task = TASKS[i % 2]
        out.append((f"{label}, {task}", (lambda rng, dims=dims, task=task: build(rng, *dims, task)), visible))
    return out


def _forward(rng, T, d, H, m, task):
    X, P, Y, Yhat, U, Z, _ = _model(rng, T, d, H, m, task)
    return (X, P["W_in"], P["W"], P["W_out"]), {"task": task}, (U, Z, Yhat)


def _forward_large_logits(rng):
    """Classification with |v_t| in the hundreds: e^{v} overflows unless v is shifted by its max."""
    T, d, H, m = 4, 2, 3, 5
    X = sequence(rng, T, d)
    P = {"W_in": matrix(rng, H, d + 1), "W": matrix(rng, H, H), "W_out": matrix(rng, m, H + 1, scale=400.0)}
    Yhat, cache = rnnref.elman_forward(X[None], P, g="softmax")
    U, Z = cache["rnn"]["U"][:, 0], cache["rnn"]["Z"][:, 0]
    return (X, P["W_in"], P["W"], P["W_out"]), {"task": "classification"}, (U, Z, Yhat[0])


def _loss(rng, T, d, H, m, task):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, task)
    return (Yhat, Y), {"task": task}, float(res.E)


def _deltas(rng, T, d, H, m, task):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, task)
    return (U, Yhat, Y, P["W"], P["W_out"]), {}, res.D[0].T


def _grad_W_in(rng, T, d, H, m, task):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, task)
    return (res.D[0].T, X), {}, res.grads["W_in"]


def _grad_W(rng, T, d, H, m, task):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, task)
    return (res.D[0].T, Z), {}, res.grads["W"]


def _grad_W_out(rng, T, d, H, m, task):
    X, P, Y, Yhat, U, Z, res = _model(rng, T, d, H, m, task)
    return (Yhat, Y, Z), {}, res.grads["W_out"]


def _deltas_m2o(rng, T, d, H, m, task):
    X, P, y, yhat, U, Z, res = _model(rng, T, d, H, m, task, many_to_one=True)
    return (U, yhat, y, P["W"], P["W_out"]), {}, res.D[0].T


def _grad_W_out_m2o(rng, T, d, H, m, task):
    X, P, y, yhat, U, Z, res = _model(rng, T, d, H, m, task, many_to_one=True)
    return (yhat, y, Z[-1]), {}, res.grads["W_out"]


def _grads_from_D(D, extra):
    """The lecture's products from the student's D: ∂E/∂W_in = D X, ∂E/∂W = D Z̃."""
    D = np.asarray(D, dtype=np.float64)
    return {"W_in": D @ extra["X"], "W": D @ extra["Z_tilde"]}


def _fd(kind, task):
    """A finite-difference case: the expected gradients are central differences of the reference loss."""
    m2o = kind.endswith("many_to_one")

    def make(rng):
        X, P, Y, Yhat, U, Z, res = _model(rng, *FD_SIZE, task, many_to_one=m2o)
        D = res.D[0].T

        def loss(p):
            _, cache = rnnref.elman_forward(X[None], p, g=G[task], many_to_one=m2o)
            return rnnref.elman_loss(cache, Y[None])[0]

        extra, source = {}, ""
        if kind.startswith("deltas"):
            args, names, like, source = (U, Yhat, Y, P["W"], P["W_out"]), ("W_in", "W"), D, "D"
            extra = {"X": X, "Z_tilde": np.vstack([np.zeros((1, Z.shape[1])), Z[:-1]])}
        elif kind == "grad_W_in":
            args, names, like = (D, X), ("W_in",), res.grads["W_in"]
        elif kind == "grad_W":
            args, names, like = (D, Z), ("W",), res.grads["W"]
        else:
            args, names, like = (Yhat, Y, Z[-1] if m2o else Z), ("W_out",), res.grads["W_out"]
        return args, {}, FDGradients(numerical_gradients(loss, P, names), like, extra, source)

    T, d, H, m = FD_SIZE
    fields = {"compare": "gradcheck", "post": _grads_from_D if kind.startswith("deltas") else None}
    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}, m={m}, {task}", make, False, fields)]


def _params_and_grads(rng, d, H, m, k):
    shapes = {"W_in": (H, d + 1), "W": (H, H), "W_out": (m, H + 1)}
    params = {n: matrix(rng, *s) for n, s in shapes.items()}
    grads = [{n: matrix(rng, *s, scale=1.0) for n, s in shapes.items()} for _ in range(k)]
    return params, grads


def _sgd(rng, T, d, H, m, task):
    params, (grads,) = _params_and_grads(rng, d, H, m, 1)
    lr = float(rng.uniform(0.01, 0.5))
    return (params, grads, lr), {}, rnnref.sgd(params, grads, lr)


def _adam(rng, T, d, H, m, task):
    params, seq = _params_and_grads(rng, d, H, m, 3)
    kw = {"lr": float(rng.uniform(1e-3, 1e-1)), "beta1": 0.85, "beta2": 0.99, "eps": 1e-7}
    expected, p, state = [], params, None
    for g in seq:
        p, state = rnnref.adam(p, g, state, **kw)
        expected.append(p)
    return (params, seq), kw, expected


def _forward_rows_apart(rng):
    """Classification whose rows v_t have maxima about 2000 apart and spread over 900 within a row: only
    each row's own max shift keeps e^{v} finite (a global max, a min or a sum gives 0/0 or ∞/∞)."""
    T, d, H, m = 5, 2, 3, 4
    X = sequence(rng, T, d)
    X[:, 1] = np.where(np.arange(T) % 2 == 0, 1.0, -1.0) * rng.uniform(2.0, 3.0, T)  # z_t's first entry ≈ ±1 in turn
    P = {"W_in": matrix(rng, H, d + 1), "W": matrix(rng, H, H), "W_out": matrix(rng, m, H + 1)}
    P["W_in"][0] = [0.0, 2.0, 0.0]
    P["W"][0] = 0.0
    P["W_out"][:, 0] = rng.permutation(np.linspace(-450.0, 450.0, m))  # the bias spreads every row over 900
    P["W_out"][:, 1] = 1000.0  # the same for every class: moves row t's max by 1000 z_t1
    Yhat, cache = rnnref.elman_forward(X[None], P, g="softmax")
    U, Z = cache["rnn"]["U"][:, 0], cache["rnn"]["Z"][:, 0]
    return (X, P["W_in"], P["W"], P["W_out"]), {"task": "classification"}, (U, Z, Yhat[0])


def _loss_zero_probabilities(T, m):
    """Classification where some ŷ_tk are exactly 0 with y_tk = 0: 0 · log 0 counts as 0."""

    def make(rng):
        Y = targets(rng, T, m, "classification")
        Yhat = rng.dirichlet(np.ones(m), T)
        Yhat[(Y == 0) & (rng.random((T, m)) < 0.5)] = 0.0
        Yhat[np.arange(T), (Y.argmax(1) + 1) % m] = 0.0  # at least one zero per row, never at the target
        Yhat /= Yhat.sum(axis=1, keepdims=True)
        mask = Y > 0
        return (Yhat, Y), {"task": "classification"}, float(-np.sum(Y[mask] * np.log(Yhat[mask])))

    return make


#: what a wrong Adam step is told when it is none of the known mistakes (not only the bias correction)
ADAM_HINT = {"en": "Check the step in order: t ← t + 1 first; m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g ⊙ g; "
                   "m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ); W ← W − η m̂ / (√v̂ + ε), ε outside the root.",
             "ja": "順に確かめてください: まず t ← t + 1、m ← β₁ m + (1 − β₁) g、v ← β₂ v + (1 − β₂) g ⊙ g、"
                   "m̂ = m / (1 − β₁ᵗ)、v̂ = v / (1 − β₂ᵗ)、W ← W − η m̂ / (√v̂ + ε)（ε は平方根の外）。"}

#: large-ε Adam: small gradients, so that ε is not negligible against √v̂ and its place in the formula shows
ADAM_LARGE_EPS = {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 0.05}


def _adam_large_eps(rng):
    params, seq = _params_and_grads(rng, 2, 3, 4, 3)
    seq = [{k: 0.1 * g for k, g in grads.items()} for grads in seq]
    expected, p, state = [], params, None
    for g in seq:
        p, state = rnnref.adam(p, g, state, **ADAM_LARGE_EPS)
        expected.append(p)
    return (params, seq), dict(ADAM_LARGE_EPS), expected


def appended(cases: list, new: int) -> tuple[list, list]:
    """A function's cases (spread over old and new variants alike) split into the old ones, which keep their
    places, and the ``new`` last ones, appended at the end of the suite so that no older case's index (and so
    its inputs) changes."""
    return cases[:len(cases) - new], cases[len(cases) - new:]


ROWS = {"U": (0, "u_{}"), "Z": (0, "z_{}"), "Yhat": (0, "ŷ_{}"), "D": (1, "δ_{}")}

A = "rnn_bptt"


def _own_forward(rng):
    """deltas against the student's own forward and loss (0 points): T=6, d=1, H=3, m=5."""
    T, d, H, m = 6, 1, 3, 5
    X = sequence(rng, T, d)
    P = {"W_in": matrix(rng, H, d + 1), "W": matrix(rng, H, H), "W_out": matrix(rng, m, H + 1)}
    return (X, P, targets(rng, T, m, "regression")), {"task": "regression"}, OwnForward(("W_in", "W"), "forward")


OWN_FORWARD = Case("deltas", "consistency with your own forward", _own_forward, 0.0, True,
                   arg_names=("X", "params", "Y"), driver="own_forward_deltas", assignment="rnn_bptt")

FORWARD, FORWARD_NEW = appended(
    spread("forward", 2, _variants(_forward) + [("large logits, classification", _forward_large_logits, False),
                                                ("rows apart by 2000, classification", _forward_rows_apart, True),
                                                ("rows apart by 2000, classification (2)", _forward_rows_apart, False),
                                                ("rows apart by 2000, classification (3)", _forward_rows_apart, False)],
               assignment=A, arg_names=("X", "W_in", "W", "W_out"), outputs=("U", "Z", "Yhat"), labels=ROWS,
               hints={"shape": {"en": "U and Z are (T, H): one row u_t, z_t per step, z_0 not included.",
                                "ja": "U と Z は (T, H) です。各時刻の u_t, z_t が 1 行ずつで、z_0 は含めません。"},
                      "finite": {"en": "e^{v} overflows for large v_t: subtract max_k v_tk before the softmax "
                                       "(it does not change the result).",
                                 "ja": "v_t が大きいと e^{v} がオーバーフローします。ソフトマックス関数の前に max_k v_tk を"
                                       "引いてください（結果は変わりません）。"}}),
    3)

LOSS, LOSS_NEW = appended(
    spread("loss", 1, _variants(_loss) + [("ŷ_tk = 0 where y_tk = 0, T=5, m=4, classification", _loss_zero_probabilities(5, 4), True),
                                      ("ŷ_tk = 0 where y_tk = 0, T=8, m=6, classification", _loss_zero_probabilities(8, 6), False)],
            assignment=A, arg_names=("Yhat", "Y"), outputs="E",
                 hints={"type": {"en": "Return one number as a float, e.g. float(np.sum(…)).",
                                 "ja": "一つの数を float として返してください（例: float(np.sum(…))）。"},
                        "value": {"en": "Regression: ½ Σ_t ‖y_t − ŷ_t‖² (the ½, a sum not a mean); "
                                        "classification: −Σ_t Σ_k y_tk log ŷ_tk.",
                                  "ja": "回帰: ½ Σ_t ‖y_t − ŷ_t‖²（½ を付け、平均ではなく和）、"
                                        "分類: −Σ_t Σ_k y_tk log ŷ_tk です。"}}),
    2)

ADAM, ADAM_NEW = appended(
    spread("adam_step", 2, _variants(_adam) + [("ε = 0.05 with small gradients, 3 steps", _adam_large_eps, True),
                                          ("ε = 0.05 with small gradients, 3 steps (2)", _adam_large_eps, False)],
            assignment=A, arg_names=("params", "grads"), outputs="params",
                 driver="optimizer_steps",
                 hints={"value": ADAM_HINT}),
    2)


SUITE = Suite(
    assignment=A,
    seed=20231203,
    points={
        "forward": 2, "loss": 1, "deltas": 3, "grad_W_in": 1, "grad_W": 1, "grad_W_out": 1,
        "deltas_many_to_one": 2, "grad_W_out_many_to_one": 1, "sgd_step": 1, "adam_step": 2,
    },
    cases=fd_last(
        FORWARD
        + LOSS
        + spread("deltas", 3, _variants(_deltas) + _fd("deltas", "classification"),
                 assignment=A, arg_names=("U", "Yhat", "Y", "W", "W_out"),
                 outputs="D", labels=ROWS,
                 hints={"shape": {"en": "D stores δ_1 … δ_T as columns: (H, T).",
                                  "ja": "D は δ_1 … δ_T を列として並べた (H, T) の行列です。"},
                        "value": {"en": "Check δ_t = (Wᵀ δ_{t+1} + W̃_outᵀ (ŷ_t − y_t)) ⊙ f′(u_t) term by term, "
                                        "starting from δ_{T+1} = 0.",
                                  "ja": "δ_t = (Wᵀ δ_{t+1} + W̃_outᵀ (ŷ_t − y_t)) ⊙ f′(u_t) を δ_{T+1} = 0 から"
                                        "項ごとに確かめてください。"}})
        + spread("grad_W_in", 1, _variants(_grad_W_in) + _fd("grad_W_in", "regression"),
                 assignment=A, arg_names=("D", "X"), outputs="dW_in",
                 hints={"shape": {"en": "∂E/∂W_in = D X is (H, d+1).",
                                  "ja": "∂E/∂W_in = D X は (H, d+1) です。"}})
        + spread("grad_W", 1, _variants(_grad_W) + _fd("grad_W", "classification"),
                 assignment=A, arg_names=("D", "Z"), outputs="dW",
                 hints={"value": {"en": "Use Z̃ = (z_0, …, z_{T−1}) with z_0 = 0, not Z = (z_1, …, z_T).",
                                  "ja": "Z = (z_1, …, z_T) ではなく、z_0 = 0 とした Z̃ = (z_0, …, z_{T−1}) を使ってください。"}})
        + spread("grad_W_out", 1, _variants(_grad_W_out) + _fd("grad_W_out", "classification"),
                 assignment=A, arg_names=("Yhat", "Y", "Z"),
                 outputs="dW_out",
                 hints={"shape": {"en": "∂E/∂W_out includes the bias column: (m, H+1).",
                                  "ja": "∂E/∂W_out はバイアスの列を含み (m, H+1) です。"},
                        "value": {"en": "(g(V) − Y) times [1 Z]: the bias column is Σ_t (ŷ_t − y_t).",
                                  "ja": "(g(V) − Y) と [1 Z] の積です。バイアスの列は Σ_t (ŷ_t − y_t) になります。"}})
        + spread("deltas_many_to_one", 2, _variants(_deltas_m2o) + _fd("deltas_many_to_one", "regression"),
                 assignment=A,
                 arg_names=("U", "yhat_T", "y_T", "W", "W_out"), outputs="D", labels=ROWS,
                 hints={"value": {"en": "Only the last step has an output error; earlier δ_t get only Wᵀ δ_{t+1}.",
                                  "ja": "出力の誤差があるのは最後の時刻だけです。それより前の δ_t には Wᵀ δ_{t+1} だけが伝わります。"}})
        + spread("grad_W_out_many_to_one", 1, _variants(_grad_W_out_m2o) + _fd("grad_W_out_many_to_one", "classification"),
                 assignment=A,
                 arg_names=("yhat_T", "y_T", "z_T"), outputs="dW_out")
        + spread("sgd_step", 1, _variants(_sgd), assignment=A, arg_names=("params", "grads", "lr"), outputs="params")
        + ADAM
    ) + (OWN_FORWARD,) + tuple(FORWARD_NEW + LOSS_NEW + ADAM_NEW),
)

#: for the general diagnosis (autograder/diagnosis.py): the parameters by the lecture's names; the functions
#: whose quantities are computed backward in time (δ_T first)
DIAGNOSIS = {
    "names": {
        "W_in": {"en": "the input weights W_in", "ja": "入力の重み W_in"},
        "W": {"en": "the recurrent weights W", "ja": "再帰の重み W"},
        "W_out": {"en": "the output weights W_out", "ja": "出力の重み W_out"},
    },
    "backward": {"deltas", "deltas_many_to_one"},
    # how time enters each function (autograder/diagnosis.py's ACROSS_TIME; the others: a recurrence)
    "across_time": {"loss": "sum", "grad_W_in": "sum", "grad_W": "sum", "grad_W_out": "sum",
                    "grad_W_out_many_to_one": "steps", "sgd_step": None, "adam_step": None},
}
