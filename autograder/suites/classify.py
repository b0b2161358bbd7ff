"""classify: many-to-one classification of 8 × 8 digits scanned row by row — the batched forward pass,
the mean cross-entropy, BPTT, the accuracy, Adam, the mini-batch training loop, and the learning curve.

References from rnnref.rnn (elman_forward / elman_backward with many_to_one=True, the sums divided by
N), rnnref.optim.adam and rnnref.classify. ``train`` is graded three ways: exactly, where the batches
cannot depend on the shuffling (batch_size ≥ N); exactly, with batches smaller than N, where the
parameters and the loss history follow the docstring's schedule (one rng, a permutation per epoch);
and on a threshold — the accuracy on held-out digits of the parameters it returns, computed here
with rnnref (the held-out digits never reach the student's code). ``plot_learning_curve`` is graded on what its figure shows (drivers.figure_lines): a line of history["loss"],
its Axes's two axis labels (any words), and every curve of history["loss"] or history["acc"] drawn against the
epochs 1 … E.
"""

from __future__ import annotations

import numpy as np

from rnnref import adam, elman_backward, elman_forward
from rnnref.classify import accuracy, digits_sequences, train_many_to_one

from ..cases import FDGradients, Threshold
from . import FD_LABEL, FD_SIZE, Suite, fd_last, numerical_gradients, spread
from ._data import matrix, sequence, sizes

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 13

A = "classify"
KEYS = ("W_in", "W", "W_out")

#: the batch size N of each size of _data.sizes(): N differs from T, d+1, H, H+1 and m; N = 1 among them
BATCH = {(6, 2, 4, 2): 7, (1, 3, 2, 5): 6, (7, 4, 1, 3): 4, (9, 5, 7, 4): 1}

#: the training case on the digits: its settings, and the held-out accuracy it must reach
DIGITS_TRAIN, DIGITS_EPOCHS, DIGITS_BATCH, DIGITS_LR = 1200, 10, 32, 0.01
DIGITS_ACCURACY = 0.85  # the reference reaches 0.92 … 0.97


def _params(rng, d, H, m, scale=0.5):
    return {"W_in": matrix(rng, H, d + 1, scale=scale), "W": matrix(rng, H, H, scale=scale),
            "W_out": matrix(rng, m, H + 1, scale=scale)}


def _batch(rng, N, T, d, m):
    X = np.stack([sequence(rng, T, d) for _ in range(N)])
    return X, np.eye(m)[rng.integers(0, m, N)]


def _model(rng, T, d, H, m):
    N = BATCH[(T, d, H, m)]
    P = _params(rng, d, H, m)
    X, Y = _batch(rng, N, T, d, m)
    Yhat, cache = elman_forward(X, P, g="softmax", many_to_one=True)
    Z = cache["rnn"]["Z"].transpose(1, 0, 2).copy()
    return X, Y, P, Yhat, Z, cache


def _variants(build):
    out = []
    for _, dims, visible in sizes():
        T, d, H, m = dims
        out.append((f"N={BATCH[dims]}, T={T}, d={d}, H={H}, m={m}", (lambda rng, dims=dims: build(rng, *dims)), visible))
    return out


def _forward(rng, T, d, H, m):
    X, Y, P, Yhat, Z, _ = _model(rng, T, d, H, m)
    return (X, P), {}, (Yhat, Z)


def _forward_large_logits(rng):
    """|v| in the hundreds: e^{v} overflows unless v is shifted by its max."""
    T, d, H, m, N = 4, 2, 3, 5, 6
    P = _params(rng, d, H, m)
    P["W_out"] = matrix(rng, m, H + 1, scale=400.0)
    X, _ = _batch(rng, N, T, d, m)
    Yhat, cache = elman_forward(X, P, g="softmax", many_to_one=True)
    return (X, P), {}, (Yhat, cache["rnn"]["Z"].transpose(1, 0, 2).copy())


def _forward_rows_apart(rng):
    """Rows v_n whose maxima lie about 2000 apart, each spread over 900: only each row's own max shift keeps
    e^{v} finite (the max of all rows, a row's min or its sum gives 0/0 or ∞/∞)."""
    T, d, H, m, N = 4, 2, 3, 5, 6
    P = _params(rng, d, H, m)
    X, _ = _batch(rng, N, T, d, m)
    X[:, -1, 1] = np.where(np.arange(N) % 2 == 0, 1.0, -1.0) * rng.uniform(2.0, 3.0, N)  # z_T's first entry ≈ ±1 in turn
    P["W_in"][0] = [0.0, 2.0, 0.0]
    P["W"][0] = 0.0
    P["W_out"][:, 0] = rng.permutation(np.linspace(-450.0, 450.0, m))
    P["W_out"][:, 1] = 1000.0  # the same for every class: moves row n's max by 1000 z_T1
    Yhat, cache = elman_forward(X, P, g="softmax", many_to_one=True)
    return (X, P), {}, (Yhat, cache["rnn"]["Z"].transpose(1, 0, 2).copy())


def _loss_zero_probabilities(N, m):
    """Some ŷ_nk exactly 0 where y_nk = 0: 0 · log 0 counts as 0."""

    def make(rng):
        Y = np.eye(m)[rng.integers(0, m, N)]
        Yhat = rng.dirichlet(np.ones(m), N)
        Yhat[(Y == 0) & (rng.random((N, m)) < 0.5)] = 0.0
        Yhat[np.arange(N), (Y.argmax(1) + 1) % m] = 0.0  # at least one zero per row, never at the target
        Yhat /= Yhat.sum(axis=1, keepdims=True)
        mask = Y > 0
        return (Yhat, Y), {}, float(-np.sum(Y[mask] * np.log(Yhat[mask])) / N)

    return make


def _loss(rng, T, d, H, m):
    X, Y, P, Yhat, Z, cache = _model(rng, T, d, H, m)
    return (Yhat, Y), {}, float(elman_backward(cache, Y).E / X.shape[0])


def _backward(rng, T, d, H, m):
    X, Y, P, Yhat, Z, cache = _model(rng, T, d, H, m)
    grads = elman_backward(cache, Y).grads
    return (X, Z, Yhat, Y, P), {}, {k: grads[k] / X.shape[0] for k in KEYS}


def _fd():
    """Central differences of the reference's mean cross-entropy by every weight, N = 2."""
    T, d, H, m = FD_SIZE

    def make(rng):
        N = 2
        P = _params(rng, d, H, m)
        X, Y = _batch(rng, N, T, d, m)
        Yhat, cache = elman_forward(X, P, g="softmax", many_to_one=True)
        Z = cache["rnn"]["Z"].transpose(1, 0, 2).copy()
        like = {k: g / N for k, g in elman_backward(cache, Y).grads.items()}

        def mean_loss(p):
            return elman_backward(elman_forward(X, p, g="softmax", many_to_one=True)[1], Y).E / N

        return (X, Z, Yhat, Y, P), {}, FDGradients(numerical_gradients(mean_loss, P, KEYS), like)

    return [(f"{FD_LABEL}, N=2, T={T}, d={d}, H={H}, m={m}", make, False, {"compare": "gradcheck"})]


def _accuracy(rng, T, d, H, m):
    N = BATCH[(T, d, H, m)]
    Yhat = rng.dirichlet(np.ones(m), N)
    Y = np.eye(m)[rng.integers(0, m, N)]
    return (Yhat, Y), {}, accuracy(Yhat, Y)


def _adam(rng, T, d, H, m):
    params = _params(rng, d, H, m)
    seq = [_params(rng, d, H, m, scale=1.0) for _ in range(3)]
    kw = {"lr": float(rng.uniform(1e-3, 1e-1)), "beta1": 0.85, "beta2": 0.99, "eps": 1e-7}
    expected, p, state = [], params, None
    for g in seq:
        p, state = adam(p, g, state, **kw)
        expected.append(p)
    return (params, seq), kw, expected


#: large-ε Adam: small gradients, so that ε is not negligible against √v̂ and its place in the formula shows
ADAM_LARGE_EPS = {"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 0.05}

#: what a wrong Adam step is told when it is none of the known mistakes (not only the bias correction)
ADAM_HINT = {"en": "Check the step in order: t ← t + 1 first; m ← β₁ m + (1 − β₁) g, v ← β₂ v + (1 − β₂) g ⊙ g; "
                   "m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ); W ← W − η m̂ / (√v̂ + ε), ε outside the root.",
             "ja": "順に確かめてください: まず t ← t + 1、m ← β₁ m + (1 − β₁) g、v ← β₂ v + (1 − β₂) g ⊙ g、"
                   "m̂ = m / (1 − β₁ᵗ)、v̂ = v / (1 − β₂ᵗ)、W ← W − η m̂ / (√v̂ + ε)（ε は平方根の外）。"}


def _adam_large_eps(rng):
    params = _params(rng, 2, 3, 4)
    seq = [_params(rng, 2, 3, 4, scale=0.1) for _ in range(3)]
    expected, p, state = [], params, None
    for g in seq:
        p, state = adam(p, g, state, **ADAM_LARGE_EPS)
        expected.append(p)
    return (params, seq), dict(ADAM_LARGE_EPS), expected


def _train_schedule(N, T, d, H, m, batch_size, epochs):
    """Mini-batches smaller than N (the last one shorter): the parameters and the loss history depend on the
    docstring's exact schedule — one rng = default_rng(seed), perm = rng.permutation(N) per epoch."""

    def make(rng):
        P = _params(rng, d, H, m)
        X, Y = _batch(rng, N, T, d, m)
        lr, seed = float(rng.uniform(0.01, 0.1)), int(rng.integers(1000))
        trained, history = train_many_to_one(X, Y, P, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
        return (X, Y, P, epochs, batch_size, lr, seed), {}, (trained, history)

    return make


def appended(cases: list, new: int) -> tuple[list, list]:
    """A function's cases (spread over old and new variants alike) split into the old ones, which keep their
    places, and the ``new`` last ones, appended at the end of the suite so that no older case's index (and so
    its inputs) changes."""
    return cases[:len(cases) - new], cases[len(cases) - new:]


def _train_exact(T, d, H, m, extra_batch):
    """Full-batch training (batch_size ≥ N): every epoch is one Adam step on all N sequences, whatever the order."""
    N = BATCH[(T, d, H, m)]

    def make(rng):
        P = _params(rng, d, H, m)
        X, Y = _batch(rng, N, T, d, m)
        epochs, lr, seed = 3, float(rng.uniform(0.01, 0.1)), int(rng.integers(1000))
        trained, history = train_many_to_one(X, Y, P, epochs=epochs, batch_size=N + extra_batch, lr=lr, seed=seed)
        return (X, Y, P, epochs, N + extra_batch, lr, seed), {}, (trained, history)

    return make


def _digits_split(rng):
    X, Y, _ = digits_sequences()
    perm = rng.permutation(len(X))
    return (X[perm[:DIGITS_TRAIN]], Y[perm[:DIGITS_TRAIN]]), (X[perm[DIGITS_TRAIN:]], Y[perm[DIGITS_TRAIN:]])


def _held_out_accuracy(result, extra) -> float:
    P = result[0]
    params = {k: np.asarray(P[k], dtype=np.float64) for k in KEYS}
    Yhat, _ = elman_forward(extra["X"], params, g="softmax", many_to_one=True)
    return accuracy(Yhat, extra["Y"])


def _train_digits(H):
    def make(rng):
        (X, Y), (X_test, Y_test) = _digits_split(rng)
        s = 1.0 / np.sqrt(H)
        P = {"W_in": rng.uniform(-s, s, (H, 9)), "W": rng.uniform(-s, s, (H, H)), "W_out": rng.uniform(-s, s, (10, H + 1))}
        like = ({k: np.zeros_like(v) for k, v in P.items()},
                {"loss": np.zeros(DIGITS_EPOCHS), "acc": np.zeros(DIGITS_EPOCHS)})
        expected = Threshold("accuracy", DIGITS_ACCURACY, _held_out_accuracy, at_least=True, like=like,
                             extra={"X": X_test, "Y": Y_test}, fmt=".3f",
                             quantity={"en": f"the accuracy on {len(X_test)} held-out digits",
                                       "ja": f"学習に使っていない {len(X_test)} 枚の数字の正解率"})
        return (X, Y, P, DIGITS_EPOCHS, DIGITS_BATCH, DIGITS_LR, int(rng.integers(1000))), {}, expected

    return make


def _history(rng, E):
    loss = np.sort(rng.uniform(0.1, 2.3, E))[::-1].copy()
    acc = np.sort(rng.uniform(0.1, 1.0, E)).copy()
    return {"loss": loss, "acc": acc}


def _loss_lines(result, extra):
    """The Axes (dicts of drivers.figure_lines) with a line whose y-values are history["loss"] (whatever its x)."""
    return [ax for ax in result if any(_same_values(line["y"], extra["loss"]) for line in ax["lines"])]


def _count_loss_lines(result, extra) -> float:
    return float(len(_loss_lines(result, extra)))


def _count_labels(result, extra) -> float:
    """The most labelled Axes among those showing the loss: 0, 1 or 2 non-empty axis labels (their words are the
    student's: the docstring's "epoch" and "mean cross-entropy" are examples)."""
    axes = _loss_lines(result, extra)
    return float(max((bool(str(ax["xlabel"]).strip()) + bool(str(ax["ylabel"]).strip()) for ax in axes), default=0))


def _same_values(a, b) -> bool:
    a = np.asarray(a, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def _share_on_epochs(result, extra) -> float:
    """Of the lines whose y-values are history["loss"] or history["acc"], the share drawn against x = 1 … E (0 when
    there is none): ax.plot(history["loss"]) alone puts the curve at 0 … E−1."""
    curves = [line for ax in result for line in ax["lines"]
              if any(_same_values(line["y"], extra[k]) for k in ("loss", "acc"))]
    epochs = np.arange(1.0, len(extra["loss"]) + 1)
    return sum(_same_values(line["x"], epochs) for line in curves) / len(curves) if curves else 0.0


_PLOT_QUANTITY = {
    "curve": {"en": "the number of Axes that plot history[\"loss\"]", "ja": "history[\"loss\"] を描いた Axes の数"},
    "labels": {"en": "the number of labelled axes (x and y) of the loss curve",
               "ja": "損失の曲線の Axes の軸ラベル（x と y）の数"},
    "epochs": {"en": "the share of the curves of history[\"loss\"] and history[\"acc\"] drawn against the epochs 1 … E",
               "ja": "history[\"loss\"] と history[\"acc\"] の曲線のうち横軸をエポック 1 … E として描いたものの割合"},
}

_PLOT_MEASURE = {"curve": (_count_loss_lines, 1), "labels": (_count_labels, 2), "epochs": (_share_on_epochs, 1)}

#: the hint of the x-values cases: what is wrong there is the x of a curve that is otherwise right
EPOCHS_HINT = {"en": "Draw every curve against the epochs 1 … E: epochs = np.arange(1, E + 1), then "
                     "ax.plot(epochs, history[\"loss\"]); ax.plot(history[\"loss\"]) alone puts it at 0 … E−1.",
               "ja": "どの曲線も横軸をエポック 1 … E として描いてください。epochs = np.arange(1, E + 1) として "
                     "ax.plot(epochs, history[\"loss\"]) です。ax.plot(history[\"loss\"]) だけでは 0 … E−1 に描かれます。"}


def _plot(E, what):
    def make(rng):
        history = _history(rng, E)
        measure, bound = _PLOT_MEASURE[what]
        expected = Threshold(what, bound, measure, at_least=True, extra=dict(history), fmt="g",
                             quantity=_PLOT_QUANTITY[what])
        return (history,), {}, expected

    return make


FORWARD, FORWARD_NEW = appended(
    spread("forward", 2, _variants(_forward) + [("large logits, N=6, T=4, d=2, H=3, m=5", _forward_large_logits,
                                                 False),
                                                ("rows apart by 2000, N=6, T=4, d=2, H=3, m=5", _forward_rows_apart, True),
                                                ("rows apart by 2000, N=6, T=4, d=2, H=3, m=5 (2)", _forward_rows_apart,
                                                 False)],
               assignment=A, arg_names=("X", "P"), outputs=("Yhat", "Z"),
               hints={"shape": {"en": "Yhat is (N, m): one row ŷ per sequence, from z_T only; Z is (N, T, H).",
                                "ja": "Yhat は (N, m) で、系列ごとに z_T だけから求めた ŷ が 1 行ずつです。Z は (N, T, H) です。"},
                      "finite": {"en": "e^{v} overflows for large v: subtract max_k v_k of each row before the softmax.",
                                 "ja": "v が大きいと e^{v} がオーバーフローします。ソフトマックス関数の前に各行の max_k v_k を"
                                       "引いてください。"},
                      "value": {"en": "Rows are sequences: W_in x_t for all n is X[:, t−1] @ W_in.T, and W z_{t−1} is "
                                      "Z_prev @ W.T; the output reads z_T through W_out [1; z_T].",
                                "ja": "行が系列です。全系列の W_in x_t は X[:, t−1] @ W_in.T、W z_{t−1} は Z_prev @ W.T です。"
                                      "出力は W_out [1; z_T] で z_T だけを読み出します。"}}),
    2)

LOSS, LOSS_NEW = appended(
    spread("loss", 1, _variants(_loss) + [("ŷ_nk = 0 where y_nk = 0, N=5, m=4", _loss_zero_probabilities(5, 4), True),
                                      ("ŷ_nk = 0 where y_nk = 0, N=8, m=6", _loss_zero_probabilities(8, 6), False)],
           assignment=A, arg_names=("Yhat", "Y"), outputs="E",
                 hints={"type": {"en": "Return one number as a float, e.g. float(…).",
                                 "ja": "一つの数を float として返してください（例: float(…)）。"},
                        "value": {"en": "E = −(1/N) Σ_n Σ_k y_nk log ŷ_nk: a mean over the sequences, a sum over the classes.",
                                  "ja": "E = −(1/N) Σ_n Σ_k y_nk log ŷ_nk です。系列について平均、クラスについて和を取ります。"}}),
    2)

ADAM, ADAM_NEW = appended(
    spread("adam_step", 1, _variants(_adam) + [("ε = 0.05 with small gradients, 3 steps", _adam_large_eps, True),
                                          ("ε = 0.05 with small gradients, 3 steps (2)", _adam_large_eps, False)],
           assignment=A, arg_names=("params", "grads"), outputs="params",
                 driver="optimizer_steps",
                 hints={"value": ADAM_HINT}),
    2)

TRAIN, TRAIN_NEW = appended(
    spread("train", 3,
                 [("full batch, N=7, T=6, d=2, H=4, m=2, 3 epochs", _train_exact(6, 2, 4, 2, 0), True),
                  ("batch larger than N, N=1, T=9, d=5, H=7, m=4, 3 epochs", _train_exact(9, 5, 7, 4, 3), False),
                  (f"digits, H=32, {DIGITS_EPOCHS} epochs, held-out accuracy ≥ {DIGITS_ACCURACY}", _train_digits(32),
                   True, {"compare": "threshold"}),
                  (f"digits, H=24, {DIGITS_EPOCHS} epochs, held-out accuracy ≥ {DIGITS_ACCURACY}", _train_digits(24),
                   False, {"compare": "threshold"}),
                  ("batches of 3, N=7, T=6, d=2, H=4, m=2, 3 epochs", _train_schedule(7, 6, 2, 4, 2, 3, 3), True),
                  ("batches of 4, N=10, T=4, d=2, H=3, m=3, 4 epochs", _train_schedule(10, 4, 2, 3, 3, 4, 4), False)],
                 assignment=A, arg_names=("X", "Y", "P", "epochs", "batch_size", "lr", "seed"), outputs=("P", "history"),
                 hints={"value": {"en": "Each batch: forward → loss → backward → adam_step(…, state, lr=lr), the state "
                                        "carried on; per epoch record the mean loss and the accuracy after the epoch.",
                                  "ja": "バッチごとに forward → loss → backward → adam_step(…, state, lr=lr) とし、state を"
                                        "引き継いでください。エポックごとに平均の損失とエポック後の正解率を記録します。"}}),
    2)


PLOT, PLOT_NEW = appended(
    spread("plot_learning_curve", 1,
           [("the loss curve, 8 epochs", _plot(8, "curve"), True),
            ("axis labels, 8 epochs", _plot(8, "labels"), True),
            ("the loss curve, 15 epochs", _plot(15, "curve"), False),
            ("axis labels, 15 epochs", _plot(15, "labels"), False),
            ("x = epochs 1 … 8", _plot(8, "epochs"), True, {"hints": {"value": EPOCHS_HINT}}),
            ("x = epochs 1 … 15", _plot(15, "epochs"), False, {"hints": {"value": EPOCHS_HINT}})],
           assignment=A, arg_names=("history",), outputs="fig", driver="figure_lines", compare="threshold",
           hints={"value": {"en": "Plot history[\"loss\"] itself with ax.plot(epochs, history[\"loss\"]), name both "
                                  "axes with ax.set_xlabel and ax.set_ylabel, and return the Figure.",
                            "ja": "history[\"loss\"] そのものを ax.plot(epochs, history[\"loss\"]) で描き、"
                                  "ax.set_xlabel と ax.set_ylabel で両方の軸に名前を付け、Figure を返してください。"}}),
    2)


SUITE = Suite(
    assignment=A,
    seed=20231214,
    points={"forward": 2, "loss": 1, "backward": 3, "accuracy": 1, "adam_step": 1, "train": 3,
            "plot_learning_curve": 1},
    cases=fd_last(
        FORWARD
        + LOSS
        + spread("backward", 3, _variants(_backward) + _fd(), assignment=A, arg_names=("X", "Z", "Yhat", "Y", "P"),
                 outputs="grads",
                 hints={"shape": {"en": "Return a dict with W_in (H, d+1), W (H, H), W_out (m, H+1): the shapes of P.",
                                  "ja": "W_in (H, d+1)、W (H, H)、W_out (m, H+1) の dict を返してください（P と同じ形）。"},
                        "value": {"en": "δ^out = (ŷ − y)/N at t = T only; δ_t = (Wᵀ δ_{t+1}) ⊙ (1 − z_t²); sum δ_t x_tᵀ and "
                                        "δ_t z_{t−1}ᵀ over n and t, with z_0 = 0.",
                                  "ja": "δ^out = (ŷ − y)/N は t = T だけ、δ_t = (Wᵀ δ_{t+1}) ⊙ (1 − z_t²) です。"
                                        "δ_t x_tᵀ と δ_t z_{t−1}ᵀ を n と t について足します（z_0 = 0）。"}})
        + spread("accuracy", 1, _variants(_accuracy), assignment=A, arg_names=("Yhat", "Y"), outputs="acc",
                 hints={"type": {"en": "Return one number as a float, e.g. float(np.mean(…)).",
                                 "ja": "一つの数を float として返してください（例: float(np.mean(…))）。"},
                        "value": {"en": "Compare np.argmax(Yhat, axis=1) with np.argmax(Y, axis=1) and take the fraction.",
                                  "ja": "np.argmax(Yhat, axis=1) と np.argmax(Y, axis=1) を比べ、一致した割合を求めてください。"}})
        + ADAM
        + TRAIN
        + PLOT
    ) + tuple(FORWARD_NEW + LOSS_NEW + ADAM_NEW + TRAIN_NEW + PLOT_NEW),
)

#: for the general diagnosis (autograder/diagnosis.py): how time enters each function (ACROSS_TIME; the others: a
#: recurrence)
DIAGNOSIS = {"across_time": {"loss": None, "accuracy": None, "adam_step": None, "train": None, "plot_learning_curve": None}}
