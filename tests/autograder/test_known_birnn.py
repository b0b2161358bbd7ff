"""birnn's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/birnn.py.
"""

import numpy as np

from autograder.cases import run_in_process
from autograder.known_mistakes.birnn import MISTAKES

from .known_harness import FiniteDifferenceContract, KnownMistakesContract, load_solution, run_function

A = "birnn"
sol = load_solution(A)


# ---------------------------------------------------------------------------------------------
# rnn_states


def _states_row_vector(X, W_in, W):
    return sol.rnn_states(X, W_in, W.T)


def _states_no_carry(X, W_in, W):
    U = X @ W_in.T
    return U, np.tanh(U)


def _states_late(X, W_in, W):
    U, Z = sol.rnn_states(X, W_in, W)
    return U, np.vstack([np.zeros((1, Z.shape[1])), Z[:-1]])


# ---------------------------------------------------------------------------------------------
# birnn_forward


def _output(X, P, Z_fw, Z_bw, task, swap=False):
    halves = (Z_bw, Z_fw) if swap else (Z_fw, Z_bw)
    V = np.column_stack([np.ones(len(X)), *halves]) @ P["W_out"].T
    return sol.softmax(V) if task == "classification" else V


def _forward_not_reversed_back(X, P, task="regression"):
    U_fw, Z_fw = sol.rnn_states(X, P["W_in_fw"], P["W_fw"])
    U_bw, Z_bw = sol.rnn_states(np.flip(X, axis=0), P["W_in_bw"], P["W_bw"])
    return U_fw, Z_fw, U_bw, Z_bw, _output(X, P, Z_fw, Z_bw, task)


def _forward_input_not_reversed(X, P, task="regression"):
    U_fw, Z_fw = sol.rnn_states(X, P["W_in_fw"], P["W_fw"])
    U_bw, Z_bw = sol.rnn_states(X, P["W_in_bw"], P["W_bw"])
    return U_fw, Z_fw, U_bw, Z_bw, _output(X, P, Z_fw, Z_bw, task)


def _forward_shared_weights(X, P, task="regression"):
    return sol.birnn_forward(X, dict(P, W_in_bw=P["W_in_fw"], W_bw=P["W_fw"]), task)


def _forward_swapped(X, P, task="regression"):
    U_fw, Z_fw, U_bw, Z_bw, _ = sol.birnn_forward(X, P, task)
    return U_fw, Z_fw, U_bw, Z_bw, _output(X, P, Z_fw, Z_bw, task, swap=True)


def _forward_softmax(shift):
    """birnn_forward with the student's own softmax, shifted by shift ("none", "global", "min", "sum", or "loop":
    one step at a time, each by its own max)."""

    def birnn_forward(X, P, task="regression"):
        U_fw, Z_fw, U_bw, Z_bw, V = sol.birnn_forward(X, P, "regression")
        if task != "classification":
            return U_fw, Z_fw, U_bw, Z_bw, V
        if shift == "loop":
            Yhat = np.zeros_like(V)
            for t in range(len(V)):
                e = np.exp(V[t] - max(V[t]))
                Yhat[t] = e / sum(e)
            return U_fw, Z_fw, U_bw, Z_bw, Yhat
        c = {"none": 0.0, "global": np.max(V), "min": V.min(axis=1)[:, None], "sum": V.sum(axis=1)[:, None]}[shift]
        e = np.exp(V - c)
        return U_fw, Z_fw, U_bw, Z_bw, e / e.sum(axis=1)[:, None]

    return birnn_forward


# ---------------------------------------------------------------------------------------------
# rnn_deltas


def _student_deltas(transposed=True, fprime=True, backwards=True):
    def rnn_deltas(U, dZ, W):
        T, H = U.shape
        D = np.zeros((H, T))
        carry = np.zeros(H)
        steps = reversed(range(T)) if backwards else range(T)
        for t in steps:
            g = dZ[t] + (W.T @ carry if transposed else W @ carry)
            carry = g * (1 - np.tanh(U[t]) ** 2) if fprime else g
            D[:, t] = carry
        return D

    return rnn_deltas


# ---------------------------------------------------------------------------------------------
# birnn_deltas


def _student_bi_deltas(bw="reversed", W_back="W_bw", split="ok"):
    def birnn_deltas(U_fw, U_bw, Yhat, Y, P):
        H = U_fw.shape[1]
        W_out = P["W_out"]
        if split == "ok":
            A_fw, A_bw = W_out[:, 1:1 + H], W_out[:, 1 + H:]
        elif split == "swapped":
            A_fw, A_bw = W_out[:, 1 + H:], W_out[:, 1:1 + H]
        else:
            A_fw, A_bw = W_out[:, :H], W_out[:, H:2 * H]
        err = Yhat - Y
        D_fw = sol.rnn_deltas(U_fw, err @ A_fw, P["W_fw"])
        if bw == "like_fw":
            D_bw = sol.rnn_deltas(U_bw, err @ A_bw, P[W_back])
        else:
            D_bw = sol.rnn_deltas(np.flip(U_bw, 0), np.flip(err @ A_bw, 0), P[W_back])
            if bw == "reversed":
                D_bw = np.flip(D_bw, 1)
        return D_fw, D_bw

    return birnn_deltas


# ---------------------------------------------------------------------------------------------
# birnn_grads


def _grads_bw_shift_down(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y):
    g = sol.birnn_grads(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y)
    g["W_bw"] = D_bw @ np.concatenate([np.zeros((1, Z_bw.shape[1])), Z_bw[:-1]])
    return g


def _grads_Z(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y):
    g = sol.birnn_grads(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y)
    g["W_fw"], g["W_bw"] = D_fw @ Z_fw, D_bw @ Z_bw
    return g


def _grads_out_swapped(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y):
    g = sol.birnn_grads(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y)
    g["W_out"] = (Yhat - Y).T @ np.column_stack([np.ones(len(X)), Z_bw, Z_fw])
    return g


def _grads_no_out_bias(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y):
    g = sol.birnn_grads(X, Z_fw, Z_bw, D_fw, D_bw, Yhat, Y)
    g["W_out"] = g["W_out"][:, 1:]
    return g


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("rnn_states", "row_vector_W"): _states_row_vector,
    ("rnn_states", "state_not_carried"): _states_no_carry,
    ("rnn_states", "Z_one_step_late"): _states_late,
    ("birnn_forward", "bw_not_reversed_back"): _forward_not_reversed_back,
    ("birnn_forward", "bw_input_not_reversed"): _forward_input_not_reversed,
    ("birnn_forward", "bw_uses_fw_weights"): _forward_shared_weights,
    ("birnn_forward", "concat_order_swapped"): _forward_swapped,
    ("birnn_forward", "softmax_without_max_shift"): _forward_softmax("none"),
    ("birnn_forward", "softmax_global_max"): _forward_softmax("global"),
    ("birnn_forward", "softmax_min_shift"): _forward_softmax("min"),
    ("rnn_deltas", "W_not_transposed"): _student_deltas(transposed=False),
    ("rnn_deltas", "f_prime_missing"): _student_deltas(fprime=False),
    ("rnn_deltas", "forward_in_time"): _student_deltas(backwards=False),
    ("birnn_deltas", "bw_recursion_from_T"): _student_bi_deltas(bw="like_fw"),
    ("birnn_deltas", "bw_not_reversed_back"): _student_bi_deltas(bw="not_flipped_back"),
    ("birnn_deltas", "bw_uses_W_fw"): _student_bi_deltas(W_back="W_fw"),
    ("birnn_deltas", "halves_swapped"): _student_bi_deltas(split="swapped"),
    ("birnn_deltas", "bias_column_not_skipped"): _student_bi_deltas(split="from_0"),
    ("birnn_grads", "bw_Z_tilde_shifted_down"): _grads_bw_shift_down,
    ("birnn_grads", "Z_instead_of_Z_tilde"): _grads_Z,
    ("birnn_grads", "out_concat_order_swapped"): _grads_out_swapped,
    ("birnn_grads", "out_bias_column_dropped"): _grads_no_out_bias,
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG
    MISTAKES_PER_FUNCTION = (2, 7)  # birnn_forward: four of the directions, three of the softmax

    def test_hints_bilingual_questions(self):
        """Names are unique per function; each hint is a bilingual question; every mistake is a variant."""
        super().test_hints_bilingual_questions()
        for _, m in self.all_mistakes():
            assert m.variant is not None and m.error is None, m.name

    def test_no_other_mistake_named(self, function, mistake):
        """A failing case of the student's version is never given another mistake's hint."""
        wrong = WRONG[(function, mistake.name)]
        others = [m.hint_en for m in MISTAKES[function] if m.name != mistake.name]
        for r in run_function(A, function, wrong, "en"):
            assert not any(h in r.output for h in others), r.output

    def test_finite_difference_cases_catch_the_order_mistake(self):
        """The finite-difference case of birnn_deltas fails δ's left in reversed order, naming the mistake."""
        wrong = WRONG[("birnn_deltas", "bw_not_reversed_back")]
        fd = [r for r in run_function(A, "birnn_deltas", wrong) if "finite differences" in r.name]
        assert len(fd) == 1 and not fd[0].passed
        assert "central differences" in fd[0].output
        assert fd[0].output.endswith(MISTAKES["birnn_deltas"][1].hint_en), fd[0].output

    def test_unknown_mistake_keeps_the_suite_hint(self):
        """A wrong δ that is no known mistake (the reference scaled by 1.1) gets the ordinary hint."""

        def scaled(*args):
            return tuple(1.1 * D for D in sol.birnn_deltas(*args))

        hints = [m.hint_en for m in MISTAKES["birnn_deltas"]]
        failed = [r.output for r in run_function(A, "birnn_deltas", scaled) if not r.passed]
        assert failed and not any(h in o for o in failed for h in hints)
        assert all("δ→_t = (W_fwᵀ δ→_{t+1}" in o or "central differences" in o for o in failed), failed


class TestFiniteDifferenceCases(FiniteDifferenceContract):
    A, FD_FUNCTIONS = A, ["rnn_deltas", "birnn_deltas", "birnn_grads"]

    def test_one_entry_of_W_bw_scaled_fails(self):
        """grads['W_bw'] with one entry scaled by 1.001 fails the check, naming ∂E/∂W_bw."""
        suite, i, case = self.fd_case("birnn_grads")

        def planted(*args):
            grads = dict(sol.birnn_grads(*args))
            grads["W_bw"] = grads["W_bw"].copy()
            grads["W_bw"][1, 2] *= 1.001
            return grads

        r = run_in_process(case, planted, suite.seed, i)
        assert r.status == "failed" and r.score == 0
        assert "birnn_grads: ∂E/∂W_bw disagrees with central differences of the loss" in r.output, r.output

    def test_deltas_checked_through_the_products(self):
        """birnn_deltas' case checks D→ X, D→ Z̃→, D← X, D← Z̃← against the loss's four layer gradients."""
        suite, i, case = self.fd_case("birnn_deltas")
        _, _, expected = case.build(suite.seed, i)
        assert set(expected) == {"W_in_fw", "W_fw", "W_in_bw", "W_bw"} and expected.source == "D_fw, D_bw"


class TestSoftmaxBlindSpots:
    """Wrong softmax shifts that kept full marks before the rows-apart cases of birnn_forward."""

    def test_every_wrong_shift_fails_the_rows_apart_cases_only(self):
        """No shift, the max of all rows, a row's min or a row's sum fails both rows-apart cases and no other."""
        for shift in ("none", "global", "min", "sum"):
            results = run_function(A, "birnn_forward", _forward_softmax(shift))
            assert [r.passed for r in results] == ["rows apart" not in r.name for r in results], shift

    def test_sum_shift_gets_the_finite_hint(self):
        """A row's sum (no known mistake) fails with the suite's hint about each row's max."""
        failed = [r for r in run_function(A, "birnn_forward", _forward_softmax("sum")) if not r.passed and r.visible]
        assert failed and all("subtract max_k v_tk of each row" in r.output for r in failed), failed

    def test_a_loop_over_steps_keeps_full_marks(self):
        """A softmax step by step, each shifted by its own max (another correct form), earns every point."""
        results = run_function(A, "birnn_forward", _forward_softmax("loop"))
        assert len(results) == 6 and all(r.passed for r in results), [r.output for r in results if not r.passed]
