"""classify's typical mistakes: each, written as a student would, loses points and is named (en and ja);
and the threshold cases — the held-out accuracy of train, what plot_learning_curve draws — judged as such.

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/classify.py.
"""

import re

import numpy as np
import pytest

from autograder.known_mistakes.classify import MISTAKES

from .known_harness import KnownMistakesContract, load_solution, run_function
from .test_known_rnn_bptt import ADAM_WRONG

A = "classify"
sol = load_solution(A)


def _softmax_rows(V, shift=True):
    sub = {True: V.max(axis=-1, keepdims=True), False: 0.0, "global": V.max(), "min": V.min(axis=-1, keepdims=True)}
    e = np.exp(V - sub[shift])
    return e / e.sum(axis=-1, keepdims=True)


def _forward_as(shift=True, recur=lambda z, W: z @ W.T, bias=True, every=False):
    def forward(X, P):
        z = np.zeros((X.shape[0], P["W"].shape[0]))
        Z = []
        for t in range(X.shape[1]):
            z = np.tanh(X[:, t] @ P["W_in"].T + recur(z, P["W"]))
            Z.append(z)
        Z = np.stack(Z, axis=1)
        V = (Z if every else z) @ P["W_out"][:, 1:].T + (P["W_out"][:, 0] if bias else 0)
        return _softmax_rows(V, shift), Z

    return forward


def _previous(Z, t):
    return Z[:, t - 1] if t > 0 else np.zeros_like(Z[:, 0])


def _grads_wrong(divide=True, back=lambda d, W: d @ W, every=False, prev_of=_previous):
    def backward(X, Z, Yhat, Y, P):
        N, T, H = Z.shape
        e = (Yhat - Y) / (N if divide else 1)
        g = {"W_out": e.T @ np.column_stack([np.ones(N), Z[:, -1]]), "W_in": 0, "W": 0}
        top = e @ P["W_out"][:, 1:]
        dz = top
        for t in reversed(range(T)):
            delta = dz * (1 - Z[:, t] ** 2)
            g["W_in"] = g["W_in"] + delta.T @ X[:, t]
            g["W"] = g["W"] + delta.T @ prev_of(Z, t)
            dz = back(delta, P["W"]) + (top if every else 0)
        return g

    return backward


def _train_as(reset=False, pass_lr=True):
    def train(X, Y, P, epochs, batch_size, lr, seed=0):
        rng = np.random.default_rng(seed)
        state, loss_hist, acc_hist = None, [], []
        for _ in range(epochs):
            order = rng.permutation(len(X))
            running = 0.0
            for start in range(0, len(X), batch_size):
                b = order[start:start + batch_size]
                Yhat, Z = sol.forward(X[b], P)
                running += sol.loss(Yhat, Y[b]) * len(b)
                g = sol.backward(X[b], Z, Yhat, Y[b], P)
                kw = {"lr": lr} if pass_lr else {}
                P, state = sol.adam_step(P, g, None if reset else state, **kw)
            loss_hist.append(running / len(X))
            acc_hist.append(sol.accuracy(sol.forward(X, P)[0], Y))
        return P, {"loss": np.array(loss_hist), "acc": np.array(acc_hist)}

    return train


def _ce(Yhat, Y):
    return np.where(Y > 0, Y * np.log(np.where(Y > 0, Yhat, 1.0)), 0.0)


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("forward", "softmax_without_max_shift"): _forward_as(shift=False),
    ("forward", "W_transposed"): _forward_as(recur=lambda z, W: z @ W),
    ("forward", "output_bias_omitted"): _forward_as(bias=False),
    ("forward", "output_at_every_step"): _forward_as(every=True),
    ("loss", "sum_not_mean"): lambda Yhat, Y: float(-_ce(Yhat, Y).sum()),
    ("loss", "mean_over_entries"): lambda Yhat, Y: float(-_ce(Yhat, Y).mean()),
    ("loss", "minus_sign_dropped"): lambda Yhat, Y: float(_ce(Yhat, Y).sum() / len(Y)),
    ("backward", "not_divided_by_N"): _grads_wrong(divide=False),
    ("backward", "W_not_transposed"): _grads_wrong(back=lambda d, W: d @ W.T),
    ("backward", "error_at_every_step"): _grads_wrong(every=True),
    ("backward", "z_not_shifted"): _grads_wrong(prev_of=lambda Z, t: Z[:, t]),
    ("accuracy", "count_not_fraction"): lambda Yhat, Y: float((Yhat.argmax(1) == Y.argmax(1)).sum()),
    ("accuracy", "argmax_over_sequences"): lambda Yhat, Y: float((Yhat.argmax(0) == Y.argmax(0)).mean()),
    **{("adam_step", name): wrong for name, wrong in ADAM_WRONG.items()},
    ("forward", "softmax_global_max"): _forward_as(shift="global"),
    ("forward", "softmax_min_shift"): _forward_as(shift="min"),
    ("loss", "log_of_zero"): lambda Yhat, Y: float(-(Y * np.log(Yhat)).sum() / len(Y)),
    ("train", "adam_state_reset"): _train_as(reset=True),
    ("train", "lr_not_passed"): _train_as(pass_lr=False),
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG
    WITHOUT_MISTAKES = {"plot_learning_curve"}  # judged on what it draws (TestPlotThreshold)
    MISTAKES_PER_FUNCTION = (2, 9)  # forward has six, adam_step nine
    COMPARE = {"train": "values"}  # the exact cases; the digits case is judged on accuracy (TestTrainThreshold)


class TestTrainThreshold:
    def test_untrained_parameters_fail_with_their_accuracy(self):
        """Returning the initial parameters fails the held-out accuracy bar, naming the bound, and the value
        for a visible case (a hidden case's text holds no value of the student's)."""

        def train(X, Y, P, epochs, batch_size, lr, seed=0):
            return P, {"loss": np.ones(epochs), "acc": np.zeros(epochs)}

        for lang, pattern, own in (("en", r"^train: the accuracy on 597 held-out digits is too low, expected at least "
                                          r"0\.850( \(got 0\.\d{3}\))?\. Each batch", " (got "),
                                   ("ja", r"^train: 学習に使っていない 597 枚の数字の正解率が小さすぎます（期待: 0\.850 以上"
                                          r"(、実際: 0\.\d{3})?）。バッチごとに", "、実際: ")):
            results = run_function(A, "train", train, lang, only="threshold")
            assert len(results) == 2 and all(re.match(pattern, r.output) and (own in r.output) == r.visible
                                             for r in results), [r.output for r in results]

    def test_one_batch_only_fails(self):
        """Training on the first mini-batch of every epoch only does not reach the bar."""

        def train(X, Y, P, epochs, batch_size, lr, seed=0):
            state = None
            for _ in range(epochs):
                Yhat, Z = sol.forward(X[:batch_size], P)
                P, state = sol.adam_step(P, sol.backward(X[:batch_size], Z, Yhat, Y[:batch_size], P), state, lr=lr)
            return P, {"loss": np.ones(epochs), "acc": np.zeros(epochs)}

        results = run_function(A, "train", train, only="threshold")
        assert results and all(not r.passed and "is too low" in r.output for r in results)

    def test_another_shuffle_passes(self):
        """The bar does not need the docstring's shuffling: a different order of the batches passes too."""

        def train(X, Y, P, epochs, batch_size, lr, seed=0):
            return sol.train(X, Y, P, epochs, batch_size, lr, seed + 1)

        assert all(r.passed for r in run_function(A, "train", train, only="threshold"))

    def test_missing_history_key_is_a_structure_problem(self):
        """A history without "acc" fails on its keys before any accuracy is measured."""

        def train(X, Y, P, epochs, batch_size, lr, seed=0):
            P, history = sol.train(X, Y, P, 1, batch_size, lr, seed)
            return P, {"loss": history["loss"]}

        results = run_function(A, "train", train, only="threshold")
        assert results and all("lacks the keys ['acc']" in r.output for r in results)


class TestPlotThreshold:
    def test_unlabelled_plot_fails_the_label_cases_only(self):
        """A loss curve without axis labels passes the curve cases and fails the label cases, with both counts."""
        import matplotlib.pyplot as plt

        def plot_learning_curve(history):
            fig, ax = plt.subplots()
            ax.plot(np.arange(1, len(history["loss"]) + 1), history["loss"])
            return fig

        results = run_function(A, "plot_learning_curve", plot_learning_curve)
        assert [r.passed for r in results] == [("axis labels" not in r.name) for r in results]
        failed = [r for r in results if not r.passed]
        assert failed and all("the number of labelled axes (x and y) of the loss curve is too low, expected at least 2"
                              + (" (got 0)" if r.visible else ". ") in r.output for r in failed), failed

    def test_accuracy_only_fails_everything(self):
        """Plotting the accuracy but not the loss fails every case: no Axes shows history["loss"]."""
        import matplotlib.pyplot as plt

        def plot_learning_curve(history):
            fig, ax = plt.subplots()
            ax.plot(history["acc"])
            ax.set(xlabel="epoch", ylabel="accuracy")
            return fig

        results = run_function(A, "plot_learning_curve", plot_learning_curve, "ja")
        assert results and not any(r.passed for r in results)
        assert any('history["loss"] を描いた Axes の数が小さすぎます（期待: 1 以上、実際: 0）' in r.output for r in results)

    def test_twin_axes_pass(self):
        """The loss on ax and the accuracy on ax.twinx() pass: the loss's Axes has both labels."""
        import matplotlib.pyplot as plt

        def plot_learning_curve(history):
            epochs = range(1, len(history["loss"]) + 1)
            fig, ax = plt.subplots()
            ax.plot(epochs, history["loss"], label="loss")
            ax.set_xlabel("epoch")
            ax.set_ylabel("loss")
            ax.twinx().plot(epochs, history["acc"], color="C1")
            return fig

        assert all(r.passed for r in run_function(A, "plot_learning_curve", plot_learning_curve))

    def test_curves_against_0_to_E_minus_1_fail_the_epoch_cases_only(self):
        """A curve drawn without its x-values (at 0 … E−1) fails the x = epochs cases, whether the loss or the
        accuracy curve, with the share of the curves on 1 … E and a hint about np.arange(1, E + 1)."""
        import matplotlib.pyplot as plt

        def plot_as(x_of_loss, x_of_acc):
            def plot_learning_curve(history):
                E = len(history["loss"])
                fig, (a, b) = plt.subplots(1, 2)
                a.plot(*x_of_loss(E), history["loss"])
                a.set(xlabel="epoch", ylabel="loss")
                b.plot(*x_of_acc(E), history["acc"])
                return fig

            return plot_learning_curve

        right, none = (lambda E: (np.arange(1, E + 1),)), (lambda E: ())
        for x_of_loss, x_of_acc, share in ((right, none, "0.5"), (none, right, "0.5"), (none, none, "0")):
            results = run_function(A, "plot_learning_curve", plot_as(x_of_loss, x_of_acc))
            assert [r.passed for r in results] == ["x = epochs" not in r.name for r in results]
            (visible,) = [r for r in results if not r.passed and r.visible]
            assert visible.output.startswith(
                "plot_learning_curve: the share of the curves of history[\"loss\"] and history[\"acc\"] drawn against "
                f"the epochs 1 … E is too low, expected at least 1 (got {share}). Draw every curve against") \
                and "np.arange(1, E + 1)" in visible.output, visible.output

    def test_label_words_are_free(self):
        """Any non-empty axis labels pass (the docstring's "epoch" is an example): "XXepochXX" keeps full marks."""
        import matplotlib.pyplot as plt

        def plot_learning_curve(history):
            fig, ax = plt.subplots()
            ax.plot(np.arange(1, len(history["loss"]) + 1), history["loss"])
            ax.set(xlabel="XXepochXX", ylabel="E")
            return fig

        assert all(r.passed for r in run_function(A, "plot_learning_curve", plot_learning_curve))

    def test_not_a_figure_is_an_error(self):
        """Returning the Axes instead of the Figure is reported as an exception naming what was expected."""
        import matplotlib.pyplot as plt

        def plot_learning_curve(history):
            ax = plt.subplots()[1]
            ax.plot(history["loss"])
            return ax

        results = run_function(A, "plot_learning_curve", plot_learning_curve)
        assert results and all(("expected a matplotlib Figure to be returned, got Axes" in r.output) == r.visible
                               and "TypeError" in r.output for r in results)
        plt.close("all")


class TestBlindSpots:
    """Wrong code that kept full marks before the rows-apart, 0 · log 0 and mini-batch schedule cases."""

    def test_softmax_shifts_lose_points(self):
        """A softmax shifted by the max of all rows, a row's min, or a row's sum loses points on the rows-apart cases."""
        for shift in ("global", "min"):
            results = run_function(A, "forward", _forward_as(shift=shift))
            assert any(not r.passed and "rows apart" in r.name for r in results), shift

        def by_sum(X, P):
            Yhat, Z = sol.forward(X, P)
            V = Z[:, -1] @ P["W_out"][:, 1:].T + P["W_out"][:, 0]
            e = np.exp(V - V.sum(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True), Z

        assert any(not r.passed and "rows apart" in r.name for r in run_function(A, "forward", by_sum))

    def test_log_everywhere_loses_points(self):
        """−Σ y log ŷ over every entry fails the cases where ŷ = 0 = y, and only those."""
        results = run_function(A, "loss", WRONG[("loss", "log_of_zero")])
        assert [r.passed for r in results] == ["ŷ_nk = 0" not in r.name for r in results]

    def test_other_schedules_lose_points(self):
        """A fresh rng every epoch, one shuffle for all epochs, no shuffle, or the mean of the batch losses fails the
        batches-smaller-than-N cases."""

        def train_as(mode):
            def train(X, Y, P, epochs, batch_size, lr, seed=0):
                rng = np.random.default_rng(seed)
                first = rng.permutation(len(X))
                state, losses, accs = None, [], []
                for epoch in range(epochs):
                    order = {"fresh": lambda: np.random.default_rng(seed).permutation(len(X)), "once": lambda: first,
                             "none": lambda: np.arange(len(X)),
                             "mean": lambda: first if epoch == 0 else rng.permutation(len(X))}[mode]()
                    batch_losses = []
                    for i in range(0, len(X), batch_size):
                        b = order[i:i + batch_size]
                        Yhat, Z = sol.forward(X[b], P)
                        batch_losses.append((sol.loss(Yhat, Y[b]), len(b)))
                        P, state = sol.adam_step(P, sol.backward(X[b], Z, Yhat, Y[b], P), state, lr=lr)
                    if mode == "mean":
                        losses.append(np.mean([e for e, _ in batch_losses]))
                    else:
                        losses.append(sum(e * n for e, n in batch_losses) / len(X))
                    accs.append(sol.accuracy(sol.forward(X, P)[0], Y))
                return P, {"loss": np.array(losses), "acc": np.array(accs)}

            return train

        for mode in ("fresh", "once", "none", "mean"):
            results = run_function(A, "train", train_as(mode), only="values")
            assert [r.passed for r in results] == ["batches of" not in r.name for r in results], mode

    def test_solution_keeps_the_schedule_cases(self):
        """The reference train passes the batches-smaller-than-N cases, which check the loss history exactly."""
        results = [r for r in run_function(A, "train", sol.train, only="values") if "batches of" in r.name]
        assert len(results) == 2 and all(r.passed for r in results)


class TestHardForms:
    def test_einsum_forward_and_backward_keep_full_marks(self):
        """forward and backward written with np.einsum (another correct form) earn every point."""
        from autograder.suites import get_suite

        def forward(X, P):
            N, T, _ = X.shape
            z = np.zeros((N, P["W"].shape[0]))
            Z = np.zeros((N, T, z.shape[1]))
            for t in range(T):
                z = Z[:, t] = np.tanh(np.einsum("hd,nd->nh", P["W_in"], X[:, t]) + np.einsum("hk,nk->nh", P["W"], z))
            return _softmax_rows(np.einsum("mh,nh->nm", P["W_out"][:, 1:], z) + P["W_out"][:, 0]), Z

        def backward(X, Z, Yhat, Y, P):
            N, T, H = Z.shape
            e = (Yhat - Y) / N
            Zprev = np.concatenate([np.zeros((N, 1, H)), Z[:, :-1]], axis=1)
            D = np.zeros((N, T, H))
            dz = e @ P["W_out"][:, 1:]
            for t in reversed(range(T)):
                D[:, t] = dz * (1 - Z[:, t] ** 2)
                dz = D[:, t] @ P["W"]
            return {"W_in": np.einsum("nth,ntd->hd", D, X), "W": np.einsum("nth,ntk->hk", D, Zprev),
                    "W_out": np.einsum("nm,nh->mh", e, np.concatenate([np.ones((N, 1)), Z[:, -1]], axis=1))}

        points = get_suite(A).points
        for function, func in (("forward", forward), ("backward", backward)):
            assert sum(r.score for r in run_function(A, function, func)) == pytest.approx(points[function]), function
