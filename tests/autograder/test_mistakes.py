"""autograder.mistakes: every typical mistake, written as a student would, is named in the feedback.

The wrong functions here are written from the reference solutions, independently of the
variants in autograder/mistakes.py: they are what a student hands in, the variants are
what the grader compares them with.
"""

import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

from autograder.cases import Case, judge, run_in_process
from autograder.checks import Opaque
from autograder.feedback import case_hint
from autograder.mistakes import MISTAKES, Mistake, agrees, diagnose, diagnose_error
from autograder.suites import ASSIGNMENTS, get_suite

ROOT = Path(__file__).resolve().parents[2]

TEMPLATE_EN = re.compile(r"^[A-Za-z_]+: \S+ .+\. Did you .+\?.*$")
TEMPLATE_JA = re.compile(r"^[A-Za-z_]+: \S+ ?.+（.+）。.+ませんか？.*$")


def _load(name):
    path = ROOT / "solutions" / name / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"mistakes_sol_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


rnn = _load("rnn_bptt")
lstm = _load("lstm")
gru = _load("gru")


# ---------------------------------------------------------------------------------------------
# rnn_bptt, as students get it wrong


def _forward_no_shift(X, W_in, W, W_out, task="regression"):
    U, Z, Yhat = rnn.forward(X, W_in, W, W_out, "regression")
    if task == "classification":
        return U, Z, np.exp(Yhat) / np.sum(np.exp(Yhat), axis=1, keepdims=True)
    return U, Z, Yhat


def _forward_bias_in_Z(X, W_in, W, W_out, task="regression"):
    U, Z, Yhat = rnn.forward(X, W_in, W, W_out, task)
    return U, np.hstack([np.ones((Z.shape[0], 1)), Z]), Yhat


def _forward_no_out_bias(X, W_in, W, W_out, task="regression"):
    W_out0 = W_out.copy()
    W_out0[:, 0] = 0.0
    return rnn.forward(X, W_in, W, W_out0, task)


def _loss_mean(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-np.mean(Y * np.log(Yhat)))
    return float(0.5 * np.mean((Y - Yhat) ** 2))


def _loss_mean_time(Yhat, Y, task="regression"):
    return rnn.loss(Yhat, Y, task) / len(Y)


def _loss_no_half(Yhat, Y, task="regression"):
    if task == "classification":
        return rnn.loss(Yhat, Y, task)
    return float(np.sum((Y - Yhat) ** 2))


def _loss_plus(Yhat, Y, task="regression"):
    E = rnn.loss(Yhat, Y, task)
    return -E if task == "classification" else E


def _student_deltas(transpose=True, recurrent=True, fprime="tanh", bias="first", sign=1.0):
    def deltas(U, Yhat, Y, W, W_out):
        T, H = U.shape
        W_out_tilde = {"first": W_out[:, 1:], "last": W_out[:, :-1], "kept": W_out}[bias]
        D = np.zeros((H, T))
        delta = np.zeros(H)
        for t in reversed(range(T)):
            back = (W.T if transpose else W) @ delta if recurrent else 0.0
            dz = back + W_out_tilde.T @ (sign * (Yhat[t] - Y[t]))
            if fprime == "tanh":
                d = 1 - np.tanh(U[t]) ** 2
            elif fprime == "u":
                d = 1 - U[t] ** 2
            elif fprime == "z":
                z = np.tanh(U[t])
                d = 1 - np.tanh(z) ** 2
            else:
                d = 1.0
            delta = dz * d
            D[:, t] = delta
        return D

    return deltas


def _deltas_m2o_every_step(U, yhat_T, y_T, W, W_out):
    T = U.shape[0]
    return rnn.deltas(U, np.tile(yhat_T, (T, 1)), np.tile(y_T, (T, 1)), W, W_out)


def _deltas_m2o_W(U, yhat_T, y_T, W, W_out):
    return rnn.deltas_many_to_one(U, yhat_T, y_T, W.T, W_out)


def _adam_no_correction(params, grads, state=None, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    if state is None:
        state = {k: (np.zeros_like(p), np.zeros_like(p)) for k, p in params.items()}
    new, new_state = {}, {}
    for k in params:
        m = beta1 * state[k][0] + (1 - beta1) * grads[k]
        v = beta2 * state[k][1] + (1 - beta2) * grads[k] ** 2
        new[k] = params[k] - lr * m / (np.sqrt(v) + eps)
        new_state[k] = (m, v)
    return new, new_state


# ---------------------------------------------------------------------------------------------
# lstm


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
            ds_rec = ds * c["gF"]
            dz_rec = np.zeros(H)
            for gate, d in deltas.items():
                g[f"W{gate}_in"] += np.outer(d, c["x"])
                g[f"W{gate}"] += np.outer(d, c["z_prev"])
                if through == "all" or (through == "W" and gate == ""):
                    dz_rec = dz_rec + P[f"W{gate}"].T @ d
        return g

    return lstm_backward


# ---------------------------------------------------------------------------------------------
# gru


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


#: (assignment, function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("rnn_bptt", "forward", "softmax_without_max_shift"): _forward_no_shift,
    ("rnn_bptt", "forward", "bias_in_Z"): _forward_bias_in_Z,
    ("rnn_bptt", "forward", "output_bias_omitted"): _forward_no_out_bias,
    ("rnn_bptt", "loss", "mean_instead_of_sum"): _loss_mean,
    ("rnn_bptt", "loss", "mean_over_time"): _loss_mean_time,
    ("rnn_bptt", "loss", "half_missing"): _loss_no_half,
    ("rnn_bptt", "loss", "cross_entropy_sign"): _loss_plus,
    ("rnn_bptt", "deltas", "W_not_transposed"): _student_deltas(transpose=False),
    ("rnn_bptt", "deltas", "recurrent_term_dropped"): _student_deltas(recurrent=False),
    ("rnn_bptt", "deltas", "f_prime_of_u_as_z"): _student_deltas(fprime="u"),
    ("rnn_bptt", "deltas", "f_prime_at_z"): _student_deltas(fprime="z"),
    ("rnn_bptt", "deltas", "f_prime_missing"): _student_deltas(fprime="none"),
    ("rnn_bptt", "deltas", "bias_column_last"): _student_deltas(bias="last"),
    ("rnn_bptt", "deltas", "sign_flipped"): _student_deltas(sign=-1.0),
    ("rnn_bptt", "deltas", "bias_column_not_removed"): _student_deltas(bias="kept"),
    ("rnn_bptt", "grad_W_in", "transposed"): lambda D, X: X.T @ D.T,
    ("rnn_bptt", "grad_W_in", "bias_column_dropped"): lambda D, X: D @ X[:, 1:],
    ("rnn_bptt", "grad_W", "Z_instead_of_Z_tilde"): lambda D, Z: D @ Z,
    ("rnn_bptt", "grad_W", "transposed"): lambda D, Z: rnn.grad_W(D, Z).T,
    ("rnn_bptt", "grad_W_out", "bias_column_dropped"): lambda Yhat, Y, Z: (Yhat - Y).T @ Z,
    ("rnn_bptt", "grad_W_out", "sign_flipped"): lambda Yhat, Y, Z: rnn.grad_W_out(Y, Yhat, Z),
    ("rnn_bptt", "grad_W_out", "bias_column_last"):
        lambda Yhat, Y, Z: (Yhat - Y).T @ np.column_stack([Z, np.ones(len(Z))]),
    ("rnn_bptt", "deltas_many_to_one", "error_at_every_step"): _deltas_m2o_every_step,
    ("rnn_bptt", "deltas_many_to_one", "W_not_transposed"): _deltas_m2o_W,
    ("rnn_bptt", "grad_W_out_many_to_one", "bias_column_dropped"): lambda yhat_T, y_T, z_T: np.outer(yhat_T - y_T, z_T),
    ("rnn_bptt", "grad_W_out_many_to_one", "sign_flipped"): lambda yhat_T, y_T, z_T: rnn.grad_W_out_many_to_one(y_T, yhat_T, z_T),
    ("rnn_bptt", "sgd_step", "ascent"): lambda params, grads, lr: rnn.sgd_step(params, grads, -lr),
    ("rnn_bptt", "adam_step", "no_bias_correction"): _adam_no_correction,
    ("lstm", "lstm_step", "gates_swapped"): _lstm_gates_swapped,
    ("lstm", "lstm_step", "tanh_of_s_missing"): _lstm_no_tanh_s,
    ("lstm", "lstm_step", "output_gate_on_s_prev"): _lstm_gate_on_prev,
    ("lstm", "lstm_forward", "gates_swapped"): _lstm_forward_with(_lstm_gates_swapped),
    ("lstm", "lstm_forward", "tanh_of_s_missing"): _lstm_forward_with(_lstm_no_tanh_s),
    ("lstm", "lstm_forward", "output_gate_on_s_prev"): _lstm_forward_with(_lstm_gate_on_prev),
    ("lstm", "lstm_backward", "cell_path_dropped"): _student_lstm_backward(cell=False),
    ("lstm", "lstm_backward", "gate_paths_dropped"): _student_lstm_backward(through="W"),
    ("lstm", "lstm_backward", "recurrent_path_dropped"): _student_lstm_backward(through="none"),
    ("gru", "gru_step", "z_swapped"): _gru_z_swapped,
    ("gru", "gru_step", "reset_after_product"): _gru_reset_after,
    ("gru", "gru_forward", "z_swapped"): _gru_forward_with(_gru_z_swapped),
    ("gru", "gru_forward", "reset_after_product"): _gru_forward_with(_gru_reset_after),
    ("gru", "gru_backward", "one_minus_z_path_dropped"): _student_gru_backward(direct=False),
    ("gru", "gru_backward", "reset_path_dropped"): _student_gru_backward(reset=False),
    ("gru", "gru_backward", "gate_paths_dropped"): _student_gru_backward(gates=False),
}

ALL = [(a, f, m) for (a, f), ms in MISTAKES.items() for m in ms]


def _run(assignment, function, func, lang="en"):
    suite = get_suite(assignment)
    return [run_in_process(c, func, suite.seed, i, lang) for i, c in suite.for_function(function) if c.points > 0]


class TestRegistry:
    def test_every_mistake_has_a_student_version_here(self):
        """Each registered mistake is exercised by a wrong function in this file, and no other."""
        assert {(a, f, m.name) for a, f, m in ALL} == set(WRONG)

    def test_keys_are_graded_functions(self):
        """Every (assignment, function) key names a graded function of that suite."""
        for assignment, function in MISTAKES:
            assert assignment in ASSIGNMENTS and function in get_suite(assignment).points

    def test_names_unique_and_hints_bilingual(self):
        """Names are unique per function; each hint is a question in English and in Japanese."""
        for key, ms in MISTAKES.items():
            assert len({m.name for m in ms}) == len(ms), key
            for m in ms:
                assert m.hint_en.startswith("Did you ") and "?" in m.hint_en, m.name
                assert "ませんか？" in m.hint_ja and re.search(r"[ぁ-ん]", m.hint_ja), m.name
                assert (m.variant is None) != (m.error is None), m.name

    def test_cases_know_their_assignment(self):
        """Every suite case carries its assignment, so that its mistakes are found."""
        for name in ASSIGNMENTS:
            assert all(c.assignment == name for c in get_suite(name).cases)


class TestEachMistake:
    @pytest.mark.parametrize("assignment,function,mistake", ALL, ids=[f"{a}.{f}.{m.name}" for a, f, m in ALL])
    def test_named_in_both_languages(self, assignment, function, mistake):
        """The student's version loses points, and a failure says which mistake it is, in en and ja."""
        wrong = WRONG[(assignment, function, mistake.name)]
        results = _run(assignment, function, wrong, "en")
        assert sum(r.score for r in results) < get_suite(assignment).points[function]
        named = [r for r in results if not r.passed and mistake.hint_en in r.output]
        assert named, [r.output for r in results]
        results_ja = _run(assignment, function, wrong, "ja")
        named_ja = [r for r in results_ja if not r.passed and mistake.hint_ja in r.output]
        assert [r.name for r in named_ja] == [r.name for r in named]
        for r in named:
            assert r.output.startswith(f"{function}: ") and r.output.endswith(mistake.hint_en), r.output
        for r in named_ja:
            assert r.output.startswith(f"{function}: ") and r.output.endswith(mistake.hint_ja), r.output
            assert mistake.hint_en not in r.output


class TestNoFalseNames:
    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_reference_never_named(self, name):
        """The reference solution passes every case, so no mistake is ever named for it."""
        suite = get_suite(name)
        mod = _load(name)
        hints = [m.hint_en for ms in MISTAKES.values() for m in ms]
        for i, case in enumerate(suite.cases):
            r = run_in_process(case, getattr(mod, case.function), suite.seed, i)
            assert r.passed and not any(h in r.output for h in hints), r.output

    @pytest.mark.parametrize("function", ["deltas", "grad_W", "grad_W_out", "forward"])
    def test_unknown_mistake_keeps_the_suite_hint(self, function):
        """A wrong result that is no known mistake (the reference scaled by 1.1) gets the ordinary hint."""
        suite = get_suite("rnn_bptt")
        ref = getattr(rnn, function)

        def scaled(*args, **kwargs):
            out = ref(*args, **kwargs)
            return tuple(o * 1.1 for o in out) if isinstance(out, tuple) else out * 1.1

        hints = [m.hint_en for m in MISTAKES[("rnn_bptt", function)]]
        results = _run("rnn_bptt", function, scaled)
        ordinary = case_hint(suite.for_function(function)[0][1], "value", "en")
        failed = [r.output for r in results if not r.passed]
        assert failed and not any(h in o for o in failed for h in hints)
        assert all(o.endswith(ordinary) for o in failed), failed

    def test_messages_follow_the_template(self):
        """Named mistakes keep the house template in both languages."""
        wrong = WRONG[("rnn_bptt", "deltas", "W_not_transposed")]
        en = [r.output for r in _run("rnn_bptt", "deltas", wrong, "en") if not r.passed]
        ja = [r.output for r in _run("rnn_bptt", "deltas", wrong, "ja") if not r.passed]
        assert en and all(TEMPLATE_EN.match(o) for o in en), en
        assert ja and all(TEMPLATE_JA.match(o) for o in ja), ja
        assert re.match(r"^deltas: δ_\d disagrees with the reference \(max rel\. error \d\.\de[+-]\d\d at entry \d\)\. "
                        r"Did you use W instead of Wᵀ in the δ recursion\?", en[0]), en[0]
        assert re.match(r"^deltas: δ_\d が参照解と一致しません（最大相対誤差 \d\.\de[+-]\d\d、要素 \d）。"
                        r"δ の漸化式で Wᵀ の代わりに W を使っていませんか？", ja[0]), ja[0]


def _toy_case(**kw):
    def make(rng):
        D = rng.standard_normal((3, 5))
        X = rng.standard_normal((5, 4))
        return (D, X), {}, D @ X

    return Case("grad_W_in", "toy", make, 1.0, True, ("D", "X"), "dW_in", assignment="rnn_bptt", **kw)


class TestDiagnose:
    def test_judge_without_inputs_names_nothing(self):
        """judge called the first way (no inputs) still works and names no mistake."""
        case = _toy_case()
        (D, X), _, expected = case.build(1, 0)
        r = judge(case, X.T @ D.T, expected, [])
        assert r.status == "failed" and "has the wrong shape" in r.output and "Did you" not in r.output

    def test_judge_with_inputs_names_the_mistake(self):
        """judge given the case's inputs names the mistake, in the language asked for."""
        case = _toy_case()
        (D, X), kw, expected = case.build(1, 0)
        r = judge(case, X.T @ D.T, expected, [], lang="ja", inputs=((D, X), kw))
        assert r.output.startswith("grad_W_in: dW_in の形が違います（期待: (3, 4)、実際: (4, 3)）。Xᵀ Dᵀ を計算していませんか？")

    def test_variant_that_raises_is_skipped(self, monkeypatch):
        """A variant that cannot run on the inputs is skipped; the next one is still tried."""
        def boom(D, X):
            raise ValueError("no")

        ms = (Mistake("boom", "Did you boom?", "ボームしていませんか？", boom),
              Mistake("double", "Did you double?", "二倍にしていませんか？", lambda D, X: 2 * (D @ X)))
        monkeypatch.setitem(MISTAKES, ("rnn_bptt", "grad_W_in"), ms)
        case = _toy_case()
        (D, X), kw, expected = case.build(1, 0)
        assert diagnose(case, 2 * expected, expected, (D, X), kw).name == "double"
        r = run_in_process(case, lambda D, X: 2 * (D @ X), 1, 0)
        assert r.output.endswith("Did you double?")

    def test_variant_equal_to_reference_is_skipped(self, monkeypatch):
        """A variant that gives the reference's result on a case cannot name anything there."""
        ms = (Mistake("same", "Did you same?", "同じですか？ませんか？", lambda D, X: D @ X),)
        monkeypatch.setitem(MISTAKES, ("rnn_bptt", "grad_W_in"), ms)
        case = _toy_case()
        (D, X), kw, expected = case.build(1, 0)
        assert diagnose(case, expected * 3, expected, (D, X), kw) is None

    def test_error_pattern(self):
        """numpy's complaints about (H+1,) against (H,) are the W_out-for-W̃_out mistake; others are not."""
        suite = get_suite("rnn_bptt")
        i, case = suite.for_function("deltas")[0]
        args, kw, _ = case.build(suite.seed, i)
        H = args[0].shape[1]
        hit = diagnose_error(case, f"operands could not be broadcast together with shapes ({H},) ({H + 1},) ", args, kw)
        assert hit.name == "bias_column_not_removed"
        assert diagnose_error(case, f"matmul: … (size {H + 1} is different from {H})", args, kw).name == hit.name
        assert diagnose_error(case, "name 'np' is not defined", args, kw) is None
        assert diagnose_error(case, f"shapes ({H + 3},) ({H + 5},)", args, kw) is None

    def test_error_pattern_needs_inputs(self):
        """Without the case's inputs an exception is reported with the ordinary hint."""
        from autograder.cases import error_hint

        case = get_suite("rnn_bptt").for_function("deltas")[0][1]
        assert error_hint(case, "shapes (4,) (5,)", None) is None


class TestAgrees:
    def _case(self, outputs):
        return Case("f", "x", lambda rng: ((), {}, None), 1.0, True, outputs=outputs)

    def test_nan_and_inf_agree_with_themselves(self):
        """Non-finite entries agree when they sit in the same places with the same values."""
        a = np.array([[np.nan, 1.0, np.inf], [0.5, -np.inf, 2.0]])
        case = self._case("Y")
        assert agrees(case, a.copy(), a)
        b = a.copy()
        b[0, 0] = 0.0
        assert not agrees(case, b, a)
        c = a.copy()
        c[0, 2] = -np.inf
        assert not agrees(case, c, a)

    def test_only_named_outputs(self):
        """With only=("h",), the other outputs of a tuple are not looked at."""
        case = self._case(("h", "cache"))
        ref = (np.arange(3.0), {"z": np.zeros(4)})
        assert agrees(case, (np.arange(3.0), {"z": np.ones(4)}), ref, ("h",))
        assert not agrees(case, (np.arange(3.0), {"z": np.ones(4)}), ref)

    def test_untrusted_objects_never_agree(self):
        """Opaque values, subclasses, float32 arrays and wrong shapes never agree."""
        case = self._case("Y")
        ref = np.zeros((2, 3))

        class Sub(np.ndarray):
            pass

        for got in (Opaque("a str"), np.zeros((2, 3)).view(Sub), np.zeros((2, 3), np.float32), np.zeros((3, 2)), "x"):
            assert not agrees(case, got, ref)

    def test_floats(self):
        """A float result agrees with a float variant within the tolerance, not beyond."""
        case = self._case("E")
        assert agrees(case, 0.5, 0.5) and agrees(case, np.float64(0.5), 0.5) and agrees(case, np.array([0.5]), 0.5)
        assert not agrees(case, 0.6, 0.5) and not agrees(case, True, 1.0)
