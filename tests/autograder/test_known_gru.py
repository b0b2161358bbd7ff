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


def _gru_pytorch(x, h_prev, P):
    """torch.nn.GRU's equations in the kit's names (no separate biases: column 0 of the _in matrices)."""
    z = gru.sigmoid(P["W_Z_in"] @ x + P["W_Z"] @ h_prev)
    r = gru.sigmoid(P["W_R_in"] @ x + P["W_R"] @ h_prev)
    n = np.tanh(P["W_in"] @ x + r * (P["W"] @ h_prev))
    return (1 - z) * n + z * h_prev, {"x": x, "h_prev": h_prev, "z": z, "r": r, "c": n}


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
    ("gru_step", "pytorch_convention"): _gru_pytorch,
    ("gru_forward", "pytorch_convention"): _gru_forward_with(_gru_pytorch),
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


class TestPyTorchConvention:
    def test_named_where_the_convention_shows(self):
        """torch.nn.GRU's equations: pytorch_convention where T, H > 1, else z_swapped; never reset_after_product."""
        hints = {m.name: m.hint_en for m in MISTAKES["gru_forward"]}
        for r in run_function(A, "gru_forward", _gru_forward_with(_gru_pytorch)):
            assert not r.passed
            sizes = dict(kv.split("=") for kv in r.name.split("[")[1].rstrip("]").split(", "))
            plain = sizes["T"] == "1" or sizes["H"] == "1"
            assert r.output.endswith(hints["z_swapped" if plain else "pytorch_convention"]), r.output
            assert hints["reset_after_product"] not in r.output

    def test_lecture_gru_with_one_mistake_is_not_called_pytorch(self):
        """A GRU with only z swapped, or only the reset after the product, is never told it wrote PyTorch's GRU."""
        pytorch = next(m.hint_en for m in MISTAKES["gru_step"] if m.name == "pytorch_convention")
        for one in (_gru_z_swapped, _gru_reset_after):
            outputs = [r.output for r in run_function(A, "gru_step", one) if not r.passed]
            assert outputs and not any(pytorch in o for o in outputs)


class TestHardForms:
    def test_stacked_gates_keep_full_marks(self):
        """The gates as one stacked (2H, ·) product, step and forward, earn every point."""
        from autograder.suites import get_suite

        points = get_suite(A).points
        for function, func in (("gru_step", _stacked_step), ("gru_forward", _gru_forward_with(_stacked_step))):
            assert sum(r.score for r in run_function(A, function, func)) == pytest.approx(points[function]), function
