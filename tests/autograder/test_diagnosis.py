"""The general diagnosis layer (autograder/diagnosis.py): one example of each kind on a real mutant — a solution
function with one line changed, as a student would write it — run on the suite's own cases."""

import linecache
import types

import pytest

from autograder.cases import run_in_process
from autograder.diagnosis import step_vs_time
from autograder.selfcheck import feedback_lines, function_points, summary_line
from autograder.suites import get_suite
from tests.autograder.known_harness import ROOT


def mutant(name, *patches):
    """solutions/<name>/<name>.py with each (old, new) replaced once, loaded as a module (old must occur)."""
    src = (ROOT / "solutions" / name / f"{name}.py").read_text(encoding="utf-8")
    for old, new in patches:
        assert old in src, old
        src = src.replace(old, new, 1)
    mod = types.ModuleType(f"mutant_{name}")
    filename = f"<mutant {name}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)  # the traceback's source line
    exec(compile(src, filename, "exec"), mod.__dict__)  # noqa: S102 - our own solution, mutated
    return mod


def results(name, function, *patches, lang="en", visible=None):
    """The function's scored results (visible ones only with visible=True) on the mutant."""
    suite = get_suite(name)
    func = getattr(mutant(name, *patches), function)
    return [run_in_process(c, func, suite.seed, i, lang) for i, c in suite.for_function(function)
            if c.points > 0 and (visible is None or c.visible == visible)]


def first_failed(rs):
    return next(r for r in rs if not r.passed)


def crashes(name, function, *patches, visible, lang="en"):
    """The mutant's crashed results (status "error") on the visible or the hidden scored cases; at least one."""
    rs = [r for r in results(name, function, *patches, lang=lang, visible=visible) if r.status == "error"]
    assert rs
    return rs


def all_results(name, function, *patches):
    """Every scored case of the function, visible and hidden (the T = 1 case among them), on the mutant."""
    suite = get_suite(name)
    func = getattr(mutant(name, *patches), function)
    return [run_in_process(c, func, suite.seed, i, "en") for i, c in suite.for_function(function) if c.points > 0]


#: the TDNN's delayed_inputs with the bias zeroed in the rows t ≥ 2 instead of the slots k ≥ 1: x_1's window (all
#: a T = 1 case has) is right, every later one lacks its 1
TDNN_WINDOW = ("    Xd[:, 1:, 0] = 0.0", "    Xd[1:, :, 0] = 0.0")


class TestLocate:
    def test_relu_for_tanh_is_reported_at_z_1(self):
        """ReLU in place of tanh: the first wrong quantity is z_1 (u_1 is right), and the activation is named."""
        r = first_failed(results("rnn_bptt", "forward", ("z = np.tanh(U[t])", "z = np.maximum(U[t], 0)"),
                                 visible=True))
        assert r.output.startswith("forward: z_1 disagrees")
        assert "first_wrong:z_t" in r.tags and "activation:relu" in r.tags
        assert "everything computed before it is right" in r.output

    def test_step_right_recurrence_wrong(self):
        """z_0 fed to every step: u_1 right, u_2 wrong — the step is right, the recurrence is wrong."""
        r = first_failed(results("rnn_bptt", "forward", ("        Z[t] = z", "        Z[t] = z; z = np.zeros(H)"),
                                 visible=True))
        assert r.output.startswith("forward: u_2 disagrees")
        assert {"first_wrong:u_t", "recurrence"} <= set(r.tags)

    def test_t1_passes_t_more_fails_is_said_once_for_the_function(self):
        """The summary of a function whose T = 1 case passes and T > 1 cases fail says the recurrence is wrong."""
        suite = get_suite("rnn_bptt")
        func = mutant("rnn_bptt", ("        Z[t] = z", "        Z[t] = z; z = np.zeros(H)")).forward
        rs = [run_in_process(c, func, suite.seed, i, "en") for i, c in suite.for_function("forward", False)]
        lines = feedback_lines(suite, "forward", rs, False, "en")
        assert lines[1] == ("  forward: the T = 1 cases pass and the T > 1 cases fail: the step is right, the "
                            "recurrence is wrong (what is carried from one time step to the next).")

    def test_lstm_backward_names_the_wrong_and_right_gradients(self):
        """The output gate's σ′ dropped: on T = 1 only ∂E/∂W_O_in is wrong, by its lecture name, the others right."""
        rs = results("lstm", "lstm_backward", ("daO = dgO * gO * (1.0 - gO)", "daO = dgO * gO"), visible=True)
        t1 = next(r for r in rs if "T=1" in r.name)
        assert "wrong_keys:W_O_in" in t1.tags
        assert "Wrong: ∂E/∂W_O_in (the output gate's weights on x); right: ∂E/∂W_in" in t1.output
        assert "On this case ∂E/∂W, ∂E/∂W_F_in, ∂E/∂W_F, ∂E/∂W_I, ∂E/∂W_O are 0" in t1.output

    def test_every_gradient_wrong_points_at_what_they_share(self):
        """With T > 1 the same mutant makes every gradient wrong: the message says so instead of naming W_in first."""
        rs = results("lstm", "lstm_backward", ("daO = dgO * gO * (1.0 - gO)", "daO = dgO * gO"), visible=True)
        long = next(r for r in rs if "T=1" not in r.name)
        assert "wrong_keys:all" in long.tags and "All 8 gradients are wrong" in long.output

    def test_japanese(self):
        """The same diagnosis in Japanese."""
        r = first_failed(results("rnn_bptt", "forward", ("z = np.tanh(U[t])", "z = np.maximum(U[t], 0)"),
                                 lang="ja", visible=True))
        assert "最初に誤るのは z_1" in r.output and "activation:relu" in r.tags


class TestRelate:
    def test_sign_flip_is_scale_minus_one(self):
        """−(D X) is the reference times −1."""
        r = first_failed(results("rnn_bptt", "grad_W_in", ("return D @ X", "return -(D @ X)")))
        assert "scale:-1" in r.tags and "times −1" in r.output

    def test_known_mistake_wins_over_the_general_layer(self):
        """(D Z̃)ᵀ is a catalogued mistake: its tag <exercise>/<function>/<mistake> and hint, not "transpose"."""
        r = first_failed(results("rnn_bptt", "grad_W", ("return D @ Z_tilde", "return (D @ Z_tilde).T")))
        assert r.tags == ["rnn_bptt/grad_W/transposed"]

    def test_mean_for_sum_in_the_loss_is_caught_by_the_consistency_check_as_a_scale(self):
        """A loss that takes a mean: deltas' 0-point check says the loss is scaled, not that deltas is wrong."""
        suite = get_suite("rnn_bptt")
        func = mutant("rnn_bptt", ("return float(0.5 * np.sum((Y - Yhat) ** 2))",
                                   "return float(0.5 * np.mean((Y - Yhat) ** 2))")).deltas
        (i, case), = [(i, c) for i, c in suite.for_function("deltas") if c.points == 0]
        r = run_in_process(case, func, suite.seed, i, "en")
        assert r.tags == ["consistency:scale"] and "the mistake is in loss" in r.output


class TestCrashes:
    def test_matmul_shape_error(self):
        """D @ Xᵀ: a matrix-product shape error, the inputs' shapes and the line named."""
        r = first_failed(results("rnn_bptt", "grad_W_in", ("return D @ X", "return D @ X.T"), visible=True))
        assert r.status == "error" and r.tags[:1] == ["crash:shape"]
        assert "D (4, 6) = (H, T) @ X.T (3, 6) does not fit; D X does" in r.output and "`return D @ X.T`" in r.output

    def test_hidden_shape_error_names_the_product_from_the_inputs(self):
        """On a hidden case the same product is named from the grader's inputs and the source line alone."""
        rs = results("rnn_bptt", "grad_W_in", ("return D @ X", "return D @ X.T"), visible=False)
        assert rs and all(r.tags[:1] == ["crash:shape"] and "does not fit; D X does" in r.output for r in rs)
        assert all("gufunc" not in r.output for r in rs)  # numpy's message is not shown on a hidden case

    def test_index_one_past_the_end_is_an_off_by_one(self):
        """range(T, -1, -1): index T on an axis of size T, an off-by-one at the loop's edge."""
        r = first_failed(results("rnn_bptt", "deltas", ("for t in range(T - 1, -1, -1):", "for t in range(T, -1, -1):"),
                                 visible=True))
        assert "crash:index:off_by_one" in r.tags and "(T)" in r.output

    def test_key_error_names_the_keys_given(self):
        """P["W_o_in"]: the keys the case gives are listed."""
        r = first_failed(results("lstm", "lstm_step", ('P["W_O_in"] @ x', 'P["W_o_in"] @ x'), visible=True))
        assert r.tags == ["crash:key"] and "W_O_in" in r.output.split("the keys given are")[1]

    def test_hidden_case_never_reads_the_exception_text(self):
        """On a hidden case the student's message is neither shown nor used: the diagnosis comes from the type."""
        src_old, src_new = "return D @ X", "raise ValueError(chr(83) * 3 + repr(float(X.sum())))"
        rs = results("rnn_bptt", "grad_W_in", (src_old, src_new), visible=False)
        assert rs and all("SSS" not in r.output for r in rs)
        assert all(r.tags and r.tags[0].startswith("crash:") for r in rs)


    def test_broadcast_is_named_from_the_message_or_from_the_line(self):
        """D * X for D X: numpy's two shapes on a visible case; on a hidden one the line's operands by the inputs'
        shapes, numpy's words neither read nor shown."""
        mut = ("rnn_bptt", "grad_W_in", ("return D @ X", "return D * X"))
        r = crashes(*mut, visible=True)[0]
        assert r.tags[:2] == ["crash:shape", "crash:shape:broadcast"]
        assert "do not broadcast ((4, 6) = D and (6, 3) = X) (line: `return D * X`)" in r.output
        ja = crashes(*mut, visible=True, lang="ja")[0]
        assert "ブロードキャストできない" in ja.output and "（(4, 6) = D と (6, 3) = X）" in ja.output
        for lang, words in (("en", "do not broadcast (D (7, 9) * X (9, 6))"), ("ja", "（D (7, 9) * X (9, 6)）")):
            hidden = crashes(*mut, visible=False, lang=lang)
            assert all(h.tags[:2] == ["crash:shape", "crash:shape:broadcast"] for h in hidden)
            assert any(words in h.output for h in hidden)
            assert not any("could not be broadcast" in h.output or "(4,6)" in h.output for h in hidden)

    def test_unpacking_into_too_few_names(self):
        """z, s = lstm_step(…) for a step that returns three: crash:unpack from the message, and from the line's
        tuple of names on a hidden case."""
        mut = ("lstm", "lstm_forward", ("z, s, cache = lstm_step(X[t], z, s, P)", "z, s = lstm_step(X[t], z, s, P)"))
        for visible in (True, False):
            for lang, words in (("en", "Unpacking into the wrong number of names"), ("ja", "展開する名前の数が合いません")):
                rs = crashes(*mut, visible=visible, lang=lang)
                assert all(r.tags == ["crash:value", "crash:unpack"] and words in r.output for r in rs)
                if not visible:
                    assert not any("values to unpack" in r.output or "expected 2" in r.output for r in rs)

    def test_a_single_value_unpacked(self):
        """T, H = X.shape[0]: a TypeError of a value unpacked, told by the line's call-free right side when hidden."""
        mut = ("rnn_bptt", "forward", ("    T, H = X.shape[0], W.shape[0]", "    T, H = X.shape[0]"))
        for visible in (True, False):
            en, ja = crashes(*mut, visible=visible)[0], crashes(*mut, visible=visible, lang="ja")[0]
            assert en.tags == ja.tags == ["crash:type", "crash:unpack"]
            assert "A single value unpacked into several names" in en.output and "1 つの値を複数の名前に展開" in ja.output
            if not visible:
                assert "non-iterable" not in en.output and "int object" not in en.output

    def test_a_sequence_stored_in_one_entry(self):
        """Z[t, 0] = z: numpy's "setting an array element with a sequence" on a visible case; a hidden case has
        only the line, a store into a slice: the array does not fit where it is stored."""
        mut = ("rnn_bptt", "forward", ("        Z[t] = z", "        Z[t, 0] = z"))
        en, ja = crashes(*mut, visible=True)[0], crashes(*mut, visible=True, lang="ja")[0]
        assert en.tags == ja.tags == ["crash:value", "crash:value:sequence"]
        assert "A sequence stored where one number belongs" in en.output and "系列を格納しています" in ja.output
        hidden = crashes(*mut, visible=False)
        assert all(h.tags == ["crash:shape", "crash:shape:assign"] for h in hidden)
        assert not any("sequence" in h.output for h in hidden)

    def test_math_domain_error(self):
        """math.sqrt of a sum whose sign is flipped: crash:value:domain, from the message or from the line's math."""
        mut = ("esn", "nrmse", ("import numpy as np", "import math\nimport numpy as np"),
               ("return float(np.sqrt(np.sum((Yhat - Y) ** 2) / np.sum((Y - Y.mean(axis=0)) ** 2)))",
                "return math.sqrt(np.sum((Yhat - Y) ** 2) / np.sum(Y.mean(axis=0) ** 2 - Y ** 2))"))
        for visible in (True, False):
            en, ja = crashes(*mut, visible=visible)[0], crashes(*mut, visible=visible, lang="ja")[0]
            assert en.tags == ja.tags == ["crash:value", "crash:value:domain"]
            assert "A math function outside its domain" in en.output and "定義域の外です" in ja.output
            assert visible or "domain error" not in en.output

    def test_arithmetic_on_a_list(self):
        """z_0 = [0.0] * H: a float times a list, crash:type:list on a visible case; a hidden case keeps the type's
        family (the line alone cannot tell a list) and never numpy's words."""
        mut = ("esn", "reservoir_states", ("    z = np.zeros(H)  # z_0", "    z = [0.0] * H  # z_0"))
        en, ja = crashes(*mut, visible=True)[0], crashes(*mut, visible=True, lang="ja")[0]
        assert en.tags == ja.tags == ["crash:type", "crash:type:list"]
        assert "Arithmetic on a Python list or tuple" in en.output and "リストやタプルで計算しています" in ja.output
        hidden = crashes(*mut, visible=False)
        assert all(h.tags[0] == "crash:type" and "multiply sequence" not in h.output for h in hidden)

    def test_a_loop_over_a_number(self):
        """for t in T: a number iterated, crash:type:number from the message or from the loop on the line."""
        mut = ("rnn_bptt", "forward", ("    for t in range(T):\n        U[t]", "    for t in T:\n        U[t]"))
        for visible in (True, False):
            en, ja = crashes(*mut, visible=visible)[0], crashes(*mut, visible=visible, lang="ja")[0]
            assert en.tags == ja.tags == ["crash:type", "crash:type:number"]
            assert "for t in range(T), not for t in T" in en.output and "for t in range(T)）" in ja.output
            assert visible or "not iterable" not in en.output

    def test_none_in_arithmetic(self):
        """An ESN's z_0 = None: "unsupported operand … NoneType" in (1 − a) z_{t−1} is crash:none on a visible case."""
        mut = ("esn", "reservoir_states", ("    z = np.zeros(H)  # z_0", "    z = None  # z_0"))
        en, ja = crashes(*mut, visible=True)[0], crashes(*mut, visible=True, lang="ja")[0]
        assert en.tags == ja.tags == ["crash:none"]
        assert "None used as a number or an array" in en.output and "None を数や配列として使っています" in ja.output


class TestAcrossTime:
    def test_tdnn_window_is_not_a_recurrence(self):
        """A TDNN whose windows after t = 1 lack their 1: u_1 right, u_2 wrong — the window over the earlier inputs
        is wrong, not a recurrence (the TDNN has none)."""
        r = first_failed(results("tdnn", "forward", TDNN_WINDOW, visible=True))
        assert r.tags[:2] == ["first_wrong:u_t", "window"] and "recurrence" not in r.tags
        assert "the window over the earlier inputs x_{t−1} … x_{t−K+1} is wrong" in r.output
        ja = first_failed(results("tdnn", "forward", TDNN_WINDOW, lang="ja", visible=True))
        assert "x_{t−1} … x_{t−K+1} にわたる窓" in ja.output and "再帰" not in ja.output

    def test_tdnn_summary_speaks_of_the_window(self):
        """The same TDNN: the T = 1 cases pass and the T > 1 cases fail, said of the window in both languages."""
        rs = all_results("tdnn", "forward", TDNN_WINDOW)
        assert step_vs_time(rs, "tdnn", "forward", "en") == (
            "forward: the T = 1 cases pass and the T > 1 cases fail: one step is right, the window over the earlier "
            "inputs x_{t−1} … x_{t−K+1} is wrong (the delays, the zero padding before t = 1).")
        assert step_vs_time(rs, "tdnn", "forward", "ja") == (
            "forward: T = 1 のケースは合格し、T > 1 のケースが不合格です。1 時刻分の計算は正しく、それより前の入力 "
            "x_{t−1} … x_{t−K+1} にわたる窓（遅れ、t = 1 より前のゼロ詰め）が誤っています。")

    def test_rnn_summary_still_speaks_of_the_recurrence(self):
        """An Elman RNN's forward whose z_0 is fed to every step keeps the recurrence's words."""
        rs = all_results("rnn_bptt", "forward", ("        Z[t] = z", "        Z[t] = z; z = np.zeros(H)"))
        assert step_vs_time(rs, "rnn_bptt", "forward", "en").endswith(
            "the step is right, the recurrence is wrong (what is carried from one time step to the next).")

    def test_trees_never_speak_of_time(self):
        """A recursive net's tree_forward without its tanh: nothing about steps or time (a tree has no T)."""
        rs = all_results("recursive", "tree_forward",
                         ("H_nodes[n_leaves + i] = np.tanh(W @ c)", "H_nodes[n_leaves + i] = W @ c"))
        assert any(not r.passed for r in rs)
        assert step_vs_time(rs, "recursive", "tree_forward", "en") == ""
        assert not {"recurrence", "window", "steps_apart"} & {t for r in rs for t in r.tags}


class TestOrder:
    def test_in_place_adam_is_reported_as_mutation(self):
        """An Adam that writes into params is told so first, not as a value mismatch."""
        r = first_failed(results("rnn_bptt", "adam_step",
                                 ("new[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)",
                                  "params[k] -= lr * m_hat / (np.sqrt(v_hat) + eps); new[k] = params[k]")))
        assert "mutation:params" in r.tags and "modified in place" in r.output

    def test_float32_backward_passes_the_consistency_check(self):
        """A right LSTM backward in float32 is not flagged by the 0-point check (float32's tolerance)."""
        suite = get_suite("lstm")
        func = mutant("lstm", ("grads = {k: np.zeros_like(P[k], dtype=float) for k in LSTM_KEYS}",
                               "grads = {k: np.zeros_like(P[k], dtype=np.float32) for k in LSTM_KEYS}")).lstm_backward
        (i, case), = [(i, c) for i, c in suite.for_function("lstm_backward") if c.points == 0]
        r = run_in_process(case, func, suite.seed, i, "en")
        assert r.passed and "float32" in r.output and "information, 0 points" in r.output

    def test_zero_point_check_is_information_not_a_cross(self):
        """A failing 0-point check leaves the summary's ✓ and is marked ℹ."""
        suite = get_suite("rnn_bptt")
        func = mutant("rnn_bptt", ("return float(0.5 * np.sum((Y - Yhat) ** 2))",
                                   "return float(0.5 * np.mean((Y - Yhat) ** 2))")).deltas
        rs = [run_in_process(c, func, suite.seed, i, "en") for i, c in suite.for_function("deltas", hidden=False)]
        lines = feedback_lines(suite, "deltas", rs, False, "en")
        assert lines[0].startswith("✓ deltas") and any(ln.startswith("  ℹ [") for ln in lines)


class TestOneScale:
    def test_points_are_the_cases_scores(self):
        """The visible cases count their own points (their share of the function's), the same as rnngrade check."""
        suite = get_suite("rnn_bptt")
        rs = results("rnn_bptt", "grad_W_in", ("return D @ X", "return -(D @ X)"), visible=True)
        assert function_points(suite, "grad_W_in", rs) == 0.0
        ok = [run_in_process(c, mutant("rnn_bptt").grad_W_in, suite.seed, i, "en")
              for i, c in suite.for_function("grad_W_in", hidden=False)]
        assert function_points(suite, "grad_W_in", ok) == pytest.approx(sum(c.points for _, c in
                                                                             suite.for_function("grad_W_in", False)))

    def test_summary_says_which_cases(self):
        """The visible-only line says it is the visible cases' share of the function's points."""
        line = summary_line("deltas", 2, 2, 1.2, 1.2, False, "en", full=3)
        assert line == ("✓ deltas: 2/2 visible cases passed (1.20 / 1.2 points; the visible cases' share of the "
                        "function's 3)")
        assert summary_line("deltas", 1, 4, 0.75, 3, True, "ja", full=3) == "✗ deltas: 全ケース 4 件中 1 件に合格（0.75 / 3 点）"
