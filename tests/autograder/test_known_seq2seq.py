"""seq2seq's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution (its given LSTM helpers included),
independently of the variants in autograder/known_mistakes/seq2seq.py.
"""

import numpy as np

from autograder.known_mistakes.seq2seq import MISTAKES

from .known_harness import KnownMistakesContract, load_solution, run_function

A = "seq2seq"
sol = load_solution(A)


def _encode_first(X, P):
    Z, S, caches = sol.lstm_forward(X, P)
    return Z[0], S[0], caches


def _encode_swapped(X, P):
    z_T, s_T, caches = sol.encode(X, P)
    return s_T, z_T, caches


def _inputs_unshifted(Y):
    T, m = Y.shape
    go = np.zeros((T, 1))
    go[0] = 1.0
    return np.hstack([np.ones((T, 1)), go, Y])


def _inputs_no_go(Y):
    Xd = sol.decoder_inputs(Y)
    Xd[0, 1] = 0.0
    return Xd


def _inputs_no_bias(Y):
    return sol.decoder_inputs(Y)[:, 1:]


def _own_softmax(V, shift):
    """The student's own softmax over each row: shifted by "max" (right), "none", "global", "min" or "sum"."""
    if shift == "max":
        return sol.softmax(V)
    c = {"none": 0.0, "global": V.max(), "min": V.min(axis=-1, keepdims=True),
         "sum": V.sum(axis=-1, keepdims=True)}[shift]
    e = np.exp(V - c)
    return e / e.sum(axis=-1, keepdims=True)


def _decoder_with(inputs=None, zero_state=False, mean=False, shift="max", log_everywhere=False):
    def decoder_forward(Y, z0, s0, P):
        Xd = (inputs or sol.decoder_inputs)(Y)
        if zero_state:
            Z, S, caches = sol.lstm_forward(Xd, P)
        else:
            Z, S, caches = sol.lstm_forward(Xd, P, z0, s0)
        Yhat = _own_softmax(np.hstack([np.ones((len(Z), 1)), Z]) @ P["W_out"].T, shift)
        if log_everywhere:
            E = -np.sum(Y * np.log(Yhat))
        else:  # 0 · log 0 = 0: only the targets' terms
            E = -sum(np.log(Yhat[t, np.argmax(Y[t])]) for t in range(len(Y)))
        return Yhat, float(E / len(Y) if mean else E), Z, caches

    return decoder_forward


def _decoder_backward_flipped(Y, Yhat, Z, caches, P):
    return sol.decoder_backward(Yhat, Y, Z, caches, P)


def _decoder_backward_no_bias(Y, Yhat, Z, caches, P):
    grads, dz0, ds0 = sol.decoder_backward(Y, Yhat, Z, caches, P)
    grads["W_out"] = (Yhat - Y).T @ Z
    return grads, dz0, ds0


def _decoder_backward_full_W_out(Y, Yhat, Z, caches, P):
    dZ = (Yhat - Y) @ P["W_out"]
    grads, dz0, ds0 = sol.lstm_backward(dZ, caches, P)
    grads["W_out"] = (Yhat - Y).T @ np.hstack([np.ones((len(Z), 1)), Z])
    return grads, dz0, ds0


def _encoder_backward_with(rows="last", cell=True):
    def encoder_backward(dz_T, ds_T, caches, P):
        dZ = np.zeros((len(caches), len(dz_T)))
        if rows == "last":
            dZ[-1] = dz_T
        elif rows == "first":
            dZ[0] = dz_T
        else:
            dZ += dz_T
        return sol.lstm_backward(dZ, caches, P, ds_T if cell else None)[0]

    return encoder_backward


def _greedy_with(feed="choice", reset=False, shift="max"):
    def greedy_decode(z0, s0, P, T_out):
        m = P["W_out"].shape[0]
        x = np.concatenate([[1.0, 1.0], np.zeros(m)])
        z, s = z0, s0
        Yhat, Y_pred = [], []
        for _ in range(T_out):
            z, s, _ = sol.lstm_step(x, z0 if reset else z, s0 if reset else s, P)
            y = _own_softmax(P["W_out"] @ np.concatenate([[1.0], z]), shift)
            onehot = np.eye(m)[np.argmax(y)]
            Yhat.append(y)
            Y_pred.append(onehot)
            if feed == "choice":
                x = np.concatenate([[1.0, 0.0], onehot])
            elif feed == "probabilities":
                x = np.concatenate([[1.0, 0.0], y])
        return np.array(Yhat), np.array(Y_pred)

    return greedy_decode


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("encode", "first_state"): _encode_first,
    ("encode", "states_swapped"): _encode_swapped,
    ("decoder_inputs", "not_shifted"): _inputs_unshifted,
    ("decoder_inputs", "go_flag_missing"): _inputs_no_go,
    ("decoder_inputs", "bias_column_missing"): _inputs_no_bias,
    ("decoder_forward", "zero_initial_state"): _decoder_with(zero_state=True),
    ("decoder_forward", "not_shifted"): _decoder_with(inputs=_inputs_unshifted),
    ("decoder_forward", "mean_over_time"): _decoder_with(mean=True),
    ("decoder_backward", "sign_flipped"): _decoder_backward_flipped,
    ("decoder_backward", "W_out_bias_column_dropped"): _decoder_backward_no_bias,
    ("decoder_backward", "bias_column_not_removed"): _decoder_backward_full_W_out,
    ("encoder_backward", "cell_gradient_dropped"): _encoder_backward_with(cell=False),
    ("encoder_backward", "error_at_first_step"): _encoder_backward_with(rows="first"),
    ("encoder_backward", "error_at_every_step"): _encoder_backward_with(rows="every"),
    ("greedy_decode", "probabilities_fed_back"): _greedy_with(feed="probabilities"),
    ("greedy_decode", "state_not_carried"): _greedy_with(reset=True),
    ("greedy_decode", "output_not_fed_back"): _greedy_with(feed="go"),
    ("decoder_forward", "softmax_without_max_shift"): _decoder_with(shift="none"),
    ("decoder_forward", "softmax_global_max"): _decoder_with(shift="global"),
    ("decoder_forward", "softmax_min_shift"): _decoder_with(shift="min"),
    ("decoder_forward", "log_of_zero"): _decoder_with(log_everywhere=True),
    ("greedy_decode", "softmax_without_max_shift"): _greedy_with(shift="none"),
    ("greedy_decode", "softmax_min_shift"): _greedy_with(shift="min"),
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG
    MISTAKES_PER_FUNCTION = (2, 7)  # decoder_forward: three of its own, three of the softmax, 0 · log 0

    def test_unknown_mistake_keeps_the_suite_hint(self):
        """A wrong decoder_backward that is no known mistake (gradients scaled by 1.1) gets the suite's own hint."""

        def scaled(Y, Yhat, Z, caches, P):
            grads, dz0, ds0 = sol.decoder_backward(Y, Yhat, Z, caches, P)
            return {k: 1.1 * g for k, g in grads.items()}, 1.1 * dz0, 1.1 * ds0

        results = run_function(A, "decoder_backward", scaled)
        failed = [r.output for r in results if not r.passed]
        hints = [m.hint_en for m in MISTAKES["decoder_backward"]]
        assert failed and not any(h in o for o in failed for h in hints)
        assert any("lstm_backward returns ∂E/∂z′_0" in o for o in failed), failed


class TestSuiteSizes:
    def test_no_square_by_accident(self):
        """Within every size, T, T′, d+1, m+2, H, H+1 and m differ (but for the 1s); T, T′ and H = 1 occur."""
        from autograder.suites import seq2seq as suite

        sizes = suite.SIZES_VISIBLE + suite.SIZES_HIDDEN + [suite.FD_DIMS]
        for T, Tp, d, H, m in sizes:
            dims = [x for x in (T, Tp, d + 1, m + 2, H, H + 1, m) if x != 1]
            assert len(set(dims)) == len(dims), (T, Tp, d, H, m)
        for axis in (0, 1, 3):
            assert any(s[axis] == 1 for s in sizes)


class TestSoftmaxBlindSpots:
    """Wrong code that kept full marks before the scores-in-the-thousands cases of decoder_forward and greedy_decode."""

    LARGE = "scores in the thousands"

    def test_every_wrong_shift_fails_the_large_cases_only(self):
        """A softmax shifted by nothing, the max of all rows, a row's min or a row's sum fails the large-scores cases
        of decoder_forward and no other; of greedy_decode (one step at a time: no max of all rows) the same."""
        for shift in ("none", "global", "min", "sum"):
            results = run_function(A, "decoder_forward", _decoder_with(shift=shift))
            assert [r.passed for r in results] == [self.LARGE not in r.name for r in results], shift
        for shift in ("none", "min", "sum"):
            results = run_function(A, "greedy_decode", _greedy_with(shift=shift))
            assert [r.passed for r in results] == [self.LARGE not in r.name for r in results], shift

    def test_log_everywhere_fails_the_large_cases_only(self):
        """−Σ y log ŷ over every entry (0 · log 0 = nan) fails where some ŷ_tk = 0 = y_tk, and only there."""
        results = run_function(A, "decoder_forward", _decoder_with(log_everywhere=True))
        assert [r.passed for r in results] == [self.LARGE not in r.name for r in results]

    def test_the_large_cases_hold_zero_probabilities_at_non_targets(self):
        """The large-scores cases' reference ŷ has exact zeros, all where y = 0, and a finite E."""
        from autograder.suites import get_suite

        suite = get_suite(A)
        for i, case in suite.for_function("decoder_forward"):
            if self.LARGE in case.label:
                (Y, *_), _, (Yhat, E, *_) = case.build(suite.seed, i)
                assert np.any(Yhat == 0) and np.all(Y[Yhat == 0] == 0) and np.isfinite(E)

    def test_the_given_softmax_and_a_loop_keep_full_marks(self):
        """The solution's decoder_forward (the given softmax) and a greedy_decode writing its softmax per step, shifted
        by the step's max (another correct form), earn every point."""
        def greedy_loop(z0, s0, P, T_out):
            Yhat, Y_pred = sol.greedy_decode(z0, s0, P, T_out)
            V = [P["W_out"] @ np.r_[1.0, z] for z in _greedy_states(z0, s0, P, Y_pred)]
            return np.array([np.exp(v - max(v)) / np.exp(v - max(v)).sum() for v in V]), Y_pred

        for function, func in (("decoder_forward", sol.decoder_forward), ("greedy_decode", greedy_loop)):
            results = run_function(A, function, func)
            assert all(r.passed for r in results), [r.output for r in results if not r.passed]


def _greedy_states(z0, s0, P, Y_pred):
    """z′_1 … z′_T′ along a greedy path Y_pred (a loop of lstm_step, the choices fed back)."""
    m = P["W_out"].shape[0]
    x, z, s, out = np.r_[1.0, 1.0, np.zeros(m)], z0, s0, []
    for y in Y_pred:
        z, s, _ = sol.lstm_step(x, z, s, P)
        out.append(z)
        x = np.r_[1.0, 0.0, y]
    return out
