"""rtrl's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/rtrl.py.
"""

import numpy as np

from autograder.known_mistakes.rtrl import MISTAKES

from .known_harness import FiniteDifferenceContract, KnownMistakesContract, load_solution, run_function

A = "rtrl"
sol = load_solution(A)


def _student_step(direct=True, recurrent=True, transposed=False, fprime=True, z_now=False):
    """A loop version, as a student might write it first."""

    def sensitivity_step(P_in, P_W, x, z_prev, u, W):
        H = len(u)
        new_in, new_W = np.zeros(P_in.shape), np.zeros(P_W.shape)
        slope = (1 - np.tanh(u) ** 2) if fprime else np.ones(H)
        a = np.tanh(u) if z_now else z_prev
        for k in range(H):
            for j in range(H):
                rec_in = sum((W[l, k] if transposed else W[k, l]) * P_in[l, j] for l in range(H)) if recurrent else 0.0
                rec_W = sum((W[l, k] if transposed else W[k, l]) * P_W[l, j] for l in range(H)) if recurrent else 0.0
                new_in[k, j] = slope[k] * (rec_in + (x if (direct and k == j) else 0.0))
                new_W[k, j] = slope[k] * (rec_W + (a if (direct and k == j) else 0.0))
        return new_in, new_W

    return sensitivity_step


def _own_output(shift):
    """The student's own output layer for classification: the softmax shifted by "none", "min", "sum" or, one class
    at a time, "loop" (each e^{v_k − max v}: right)."""

    def output_layer(z, W_out, task="regression"):
        v = W_out @ np.r_[1.0, z]
        if task != "classification":
            return v
        if shift == "loop":
            top = max(v)
            e = np.array([np.exp(vk - top) for vk in v])
            return e / sum(e)
        e = np.exp(v - {"none": 0.0, "min": v.min(), "sum": v.sum()}[shift])
        return e / e.sum()

    return output_layer


def _student_rtrl(step=None, flip=False, last_only=False, z_now=False, reset=False, output=None):
    def rtrl_gradients(X, Y, W_in, W, W_out, task="regression"):
        T, H = len(X), len(W)
        stepper = step or sol.sensitivity_step
        Pi, Pw = np.zeros((H, H, X.shape[1])), np.zeros((H, H, H))
        z = np.zeros(H)
        dW_in, dW, dW_out = np.zeros(W_in.shape), np.zeros(W.shape), np.zeros(W_out.shape)
        for t in range(T):
            u = W_in @ X[t] + W @ z
            z_t = np.tanh(u)
            if reset:
                Pi, Pw = np.zeros_like(Pi), np.zeros_like(Pw)
            Pi, Pw = stepper(Pi, Pw, X[t], z_t if z_now else z, u, W)
            z = z_t
            if last_only and t != T - 1:
                continue
            err = (output or sol.output_layer)(z, W_out, task) - Y[t]
            if flip:
                err = -err
            e = W_out[:, 1:].T @ err
            dW_in += np.einsum("k,kji->ji", e, Pi)
            dW += np.einsum("k,kji->ji", e, Pw)
            dW_out += np.outer(err, np.r_[1.0, z])
        return {"W_in": dW_in, "W": dW, "W_out": dW_out}

    return rtrl_gradients


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("sensitivity_step", "direct_term_missing"): _student_step(direct=False),
    ("sensitivity_step", "recurrent_term_missing"): _student_step(recurrent=False),
    ("sensitivity_step", "W_transposed"): _student_step(transposed=True),
    ("sensitivity_step", "f_prime_missing"): _student_step(fprime=False),
    ("sensitivity_step", "direct_term_with_z_t"): _student_step(z_now=True),
    ("gradient_from_sensitivities", "wrong_axis"): lambda e, P: np.tensordot(e, P, axes=([0], [1])),
    ("gradient_from_sensitivities", "transposed"): lambda e, P: np.einsum("k,kji->ij", e, P),
    ("rtrl_gradients", "z_t_in_sensitivity_step"): _student_rtrl(z_now=True),
    ("rtrl_gradients", "sensitivities_not_carried"): _student_rtrl(reset=True),
    ("rtrl_gradients", "sign_flipped"): _student_rtrl(flip=True),
    ("rtrl_gradients", "only_last_error"): _student_rtrl(last_only=True),
    ("rtrl_gradients", "direct_term_missing"): _student_rtrl(step=_student_step(direct=False)),
    ("rtrl_gradients", "softmax_without_max_shift"): _student_rtrl(output=_own_output("none")),
    ("rtrl_gradients", "softmax_min_shift"): _student_rtrl(output=_own_output("min")),
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG
    MISTAKES_PER_FUNCTION = (2, 7)  # rtrl_gradients: five of its own, two of a softmax written by hand


class TestSoftmaxBlindSpots:
    """A softmax written by hand instead of the given output_layer, which kept full marks before the large cases."""

    def test_every_wrong_shift_fails_the_large_cases_only(self):
        """A softmax shifted by nothing, the min or the sum of v_t fails the scores-in-the-thousands cases, no other."""
        for shift in ("none", "min", "sum"):
            results = run_function(A, "rtrl_gradients", _student_rtrl(output=_own_output(shift)))
            assert [r.passed for r in results] == ["thousands" not in r.name for r in results], shift

    def test_a_loop_over_classes_keeps_full_marks(self):
        """A softmax by hand one class at a time, shifted by the max (another correct form), earns every point."""
        results = run_function(A, "rtrl_gradients", _student_rtrl(output=_own_output("loop")))
        assert all(r.passed for r in results), [r.output for r in results if not r.passed]


class TestFiniteDifferences:
    def test_sensitivities_fail_against_the_jacobian(self):
        """A sensitivity step without f′ fails the Jacobian (finite-difference) case too, as a gradcheck."""
        results = run_function(A, "sensitivity_step", WRONG[("sensitivity_step", "f_prime_missing")])
        fd = [r for r in results if "finite differences" in r.name]
        assert fd and not fd[0].passed and "central differences" in fd[0].output

    def test_rtrl_gradients_fail_against_the_loss(self):
        """Gradients from sensitivities that are never carried forward fail the loss's central differences."""
        results = run_function(A, "rtrl_gradients", WRONG[("rtrl_gradients", "sensitivities_not_carried")])
        fd = [r for r in results if "finite differences" in r.name]
        assert fd and not fd[0].passed and "central differences" in fd[0].output


class TestFiniteDifferenceCase(FiniteDifferenceContract):
    A, FD_FUNCTIONS = A, ["sensitivity_step", "gradient_from_sensitivities", "rtrl_gradients"]
