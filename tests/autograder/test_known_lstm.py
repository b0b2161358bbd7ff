"""lstm's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/lstm.py (moved here from tests/autograder/test_mistakes.py with the mistakes).
"""

import numpy as np
import pytest

from autograder.known_mistakes.lstm import MISTAKES

from .known_harness import KnownMistakesContract, load_solution, run_function

A = "lstm"
lstm = load_solution(A)


def _lstm_gates_swapped(x, z_prev, s_prev, P):
    Q = dict(P, W_F_in=P["W_I_in"], W_F=P["W_I"], W_I_in=P["W_F_in"], W_I=P["W_F"])
    return lstm.lstm_step(x, z_prev, s_prev, Q)


def _lstm_no_tanh_s(x, z_prev, s_prev, P):
    z, s, cache = lstm.lstm_step(x, z_prev, s_prev, P)
    return cache["gO"] * s, s, cache


def _lstm_gate_on_prev(x, z_prev, s_prev, P):
    z, s, cache = lstm.lstm_step(x, z_prev, s_prev, P)
    return cache["gO"] * np.tanh(s_prev), s, cache


def _lstm_forward_with(step):
    def lstm_forward(X, P):
        H = P["W"].shape[0]
        z, s, Z, S, caches = np.zeros(H), np.zeros(H), [], [], []
        for x in X:
            z, s, cache = step(x, z, s, P)
            Z.append(z)
            S.append(s)
            caches.append(cache)
        return np.array(Z), np.array(S), caches

    return lstm_forward


def _student_lstm_backward(cell=True, through="all"):
    """cell: True carries ∂E/∂s_t ⊙ g^F_t back, False nothing, "ungated" ∂E/∂s_t without the forget gate."""

    def lstm_backward(dZ, caches, P):
        g = {k: np.zeros(P[k].shape) for k in P}
        H = P["W"].shape[0]
        dz_rec, ds_rec = np.zeros(H), np.zeros(H)
        for t in reversed(range(len(caches))):
            c = caches[t]
            tu, ts = np.tanh(c["u"]), np.tanh(c["s"])
            dz = dZ[t] + dz_rec
            ds = dz * c["gO"] * (1 - ts ** 2) + (ds_rec if cell else 0.0)
            deltas = {
                "": ds * c["gI"] * (1 - tu ** 2),
                "_F": ds * c["s_prev"] * c["gF"] * (1 - c["gF"]),
                "_I": ds * tu * c["gI"] * (1 - c["gI"]),
                "_O": dz * ts * c["gO"] * (1 - c["gO"]),
            }
            ds_rec = ds if cell == "ungated" else ds * c["gF"]
            dz_rec = np.zeros(H)
            for gate, d in deltas.items():
                g[f"W{gate}_in"] += np.outer(d, c["x"])
                g[f"W{gate}"] += np.outer(d, c["z_prev"])
                if through == "all" or (through == "W" and gate == ""):
                    dz_rec = dz_rec + P[f"W{gate}"].T @ d
        return g

    return lstm_backward


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("lstm_step", "gates_swapped"): _lstm_gates_swapped,
    ("lstm_step", "tanh_of_s_missing"): _lstm_no_tanh_s,
    ("lstm_step", "output_gate_on_s_prev"): _lstm_gate_on_prev,
    ("lstm_forward", "gates_swapped"): _lstm_forward_with(_lstm_gates_swapped),
    ("lstm_forward", "tanh_of_s_missing"): _lstm_forward_with(_lstm_no_tanh_s),
    ("lstm_forward", "output_gate_on_s_prev"): _lstm_forward_with(_lstm_gate_on_prev),
    ("lstm_backward", "cell_path_dropped"): _student_lstm_backward(cell=False),
    ("lstm_backward", "forget_gate_missing_in_cell_path"): _student_lstm_backward(cell="ungated"),
    ("lstm_backward", "gate_paths_dropped"): _student_lstm_backward(through="W"),
    ("lstm_backward", "recurrent_path_dropped"): _student_lstm_backward(through="none"),
}


def _stacked_step(x, z_prev, s_prev, P):
    """lstm_step with the four blocks stacked into one matrix product, as in PyTorch (another correct form)."""
    W_x = np.vstack([P["W_in"], P["W_F_in"], P["W_I_in"], P["W_O_in"]])
    W_z = np.vstack([P["W"], P["W_F"], P["W_I"], P["W_O"]])
    u, aF, aI, aO = np.split(W_x @ x + W_z @ z_prev, 4)
    gF, gI, gO = (1 / (1 + np.exp(-a)) for a in (aF, aI, aO))
    s = gF * s_prev + gI * np.tanh(u)
    z = gO * np.tanh(s)
    return z, s, {"x": x, "z_prev": z_prev, "s_prev": s_prev, "u": u, "gF": gF, "gI": gI, "gO": gO, "s": s}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG


class TestHardForms:
    def test_stacked_gates_keep_full_marks(self):
        """The gates as one stacked (4H, ·) product, step and forward, earn every point."""
        from autograder.suites import get_suite

        points = get_suite(A).points
        for function, func in (("lstm_step", _stacked_step), ("lstm_forward", _lstm_forward_with(_stacked_step))):
            assert sum(r.score for r in run_function(A, function, func)) == pytest.approx(points[function]), function
