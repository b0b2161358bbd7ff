"""gru's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/gru.py (moved here from tests/autograder/test_mistakes.py with the mistakes).
"""

import numpy as np
import pytest

from autograder.known_mistakes.gru import MISTAKES

from .known_harness import KnownMistakesContract, load_solution, run_function

A = "gru"
gru = load_solution(A)


def _gru_z_swapped(x, h_prev, P):
    h, cache = gru.gru_step(x, h_prev, P)
    z, c = cache["z"], cache["c"]
    return z * h_prev + (1 - z) * c, cache


def _gru_reset_after(x, h_prev, P):
    z = gru.sigmoid(P["W_Z_in"] @ x + P["W_Z"] @ h_prev)
    r = gru.sigmoid(P["W_R_in"] @ x + P["W_R"] @ h_prev)
    c = np.tanh(P["W_in"] @ x + r * (P["W"] @ h_prev))
    return (1 - z) * h_prev + z * c, {"x": x, "h_prev": h_prev, "z": z, "r": r, "c": c}


def _gru_forward_with(step):
    def gru_forward(X, P):
        h, Hs, caches = np.zeros(P["W"].shape[0]), [], []
        for x in X:
            h, cache = step(x, h, P)
            Hs.append(h)
            caches.append(cache)
        return np.array(Hs), caches

    return gru_forward


def _student_gru_backward(direct=True, reset=True, gates=True):
    def gru_backward(dH, caches, P):
        g = {k: np.zeros(P[k].shape) for k in P}
        back = np.zeros(P["W"].shape[0])
        for t in reversed(range(len(caches))):
            c = caches[t]
            e = dH[t] + back
            d_c = e * c["z"] * (1 - c["c"] ** 2)
            d_rh = P["W"].T @ d_c
            d_z = e * (c["c"] - c["h_prev"]) * c["z"] * (1 - c["z"])
            d_r = d_rh * c["h_prev"] * c["r"] * (1 - c["r"])
            for key, d, inp in (("W_in", d_c, c["x"]), ("W", d_c, c["r"] * c["h_prev"]),
                                ("W_Z_in", d_z, c["x"]), ("W_Z", d_z, c["h_prev"]),
                                ("W_R_in", d_r, c["x"]), ("W_R", d_r, c["h_prev"])):
                g[key] += np.outer(d, inp)
            back = (e * (1 - c["z"]) if direct else 0.0) + (d_rh * c["r"] if reset else 0.0)
            if gates:
                back = back + P["W_Z"].T @ d_z + P["W_R"].T @ d_r
        return g

    return gru_backward


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("gru_step", "z_swapped"): _gru_z_swapped,
    ("gru_step", "reset_after_product"): _gru_reset_after,
    ("gru_forward", "z_swapped"): _gru_forward_with(_gru_z_swapped),
    ("gru_forward", "reset_after_product"): _gru_forward_with(_gru_reset_after),
    ("gru_backward", "one_minus_z_path_dropped"): _student_gru_backward(direct=False),
    ("gru_backward", "reset_path_dropped"): _student_gru_backward(reset=False),
    ("gru_backward", "gate_paths_dropped"): _student_gru_backward(gates=False),
}


def _stacked_step(x, h_prev, P):
    """gru_step with the two gates stacked into one matrix product (another correct form)."""
    a = np.vstack([P["W_Z_in"], P["W_R_in"]]) @ x + np.vstack([P["W_Z"], P["W_R"]]) @ h_prev
    z, r = np.split(1 / (1 + np.exp(-a)), 2)
    c = np.tanh(P["W_in"] @ x + P["W"] @ (r * h_prev))
    return (1 - z) * h_prev + z * c, {"x": x, "h_prev": h_prev, "z": z, "r": r, "c": c}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG


class TestHardForms:
    def test_stacked_gates_keep_full_marks(self):
        """The gates as one stacked (2H, ·) product, step and forward, earn every point."""
        from autograder.suites import get_suite

        points = get_suite(A).points
        for function, func in (("gru_step", _stacked_step), ("gru_forward", _gru_forward_with(_stacked_step))):
            assert sum(r.score for r in run_function(A, function, func)) == pytest.approx(points[function]), function
