"""Issue 12's examples, read as a student reads them: each is a real file (the exercise's solution with the
example's mistake written in), graded by the real grader (api.grade: the student's code in the isolated worker),
its report read in English and in Japanese (report.text_report, what ``rnngrade grade`` and ``check`` print)."""

from __future__ import annotations

import re

import pytest

from autograder import api, report
from tests.autograder.known_harness import ROOT

_GRADED: dict = {}


def student_file(folder, exercise, *patches):
    """solutions/<exercise>/<exercise>.py with each (old, new) replaced once, written as <exercise>.py in folder."""
    src = (ROOT / "solutions" / exercise / f"{exercise}.py").read_text(encoding="utf-8")
    for old, new in patches:
        assert src.count(old) >= 1, old
        src = src.replace(old, new, 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{exercise}.py"
    path.write_text(src, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def grade(tmp_path_factory):
    """grade(exercise, *patches, lang=…): the GradeResult of the student's file (graded once per language)."""

    def run(exercise, *patches, lang="en"):
        key = (exercise, patches, lang)
        if key not in _GRADED:
            folder = tmp_path_factory.mktemp(exercise)
            _GRADED[key] = api.grade(student_file(folder, exercise, *patches), exercise, lang=lang)
        return _GRADED[key]

    return run


def case(result, function, label):
    """The result's case of function whose label (the part in brackets) starts with label."""
    return next(t for t in result.tests if t.function == function and t.name.split("[", 1)[1].startswith(label))


def block(text, function):
    """The lines of a text report under function's summary line, up to the next function's."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if re.match(rf"\s+[✓✗ℹ] {re.escape(function)}\b", ln))
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"\s{2}[✓✗ℹ] \w", lines[i])), len(lines))
    return "\n".join(lines[start:end])


# --------------------------------------------------------------------------------------------- the mistakes

#: ∂E/∂s_t without the output gate: z_t = g^O_t ⊙ tanh(s_t) differentiated as if z_t were tanh(s_t)
LSTM_ES_WITHOUT_GO = ("es = ds_next + ez * gO * (1.0 - fs * fs)", "es = ds_next + ez * (1.0 - fs * fs)")
#: ∂E/∂s_{t−1} not carried back at all
LSTM_CELL_NOT_CARRIED = ("ds_next = es * gF", "ds_next = np.zeros(H)")
#: ∂E/∂s_t carried back to s_{t−1} without the forget gate
LSTM_CARRY_WITHOUT_GF = ("ds_next = es * gF", "ds_next = es")

ADAM_UPDATE = "new[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)"
#: the four Adam examples: (what the student wrote, the known mistake it is, words its hint must hold)
ADAM = {
    "eps_inside_sqrt": ((ADAM_UPDATE, "new[k] = params[k] - lr * m_hat / np.sqrt(v_hat + eps)"),
                        "ε inside the square root", "平方根の中"),
    "efficient_form": (("        m_hat = m[k] / (1 - beta1 ** t)\n        v_hat = v[k] / (1 - beta2 ** t)\n"
                        f"        {ADAM_UPDATE}",
                        "        alpha_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)\n"
                        "        new[k] = params[k] - alpha_t * m[k] / (np.sqrt(v[k]) + eps)"),
                       "the paper's \"efficient\" form", "「効率的な」形"),
    "t_from_2": (('state = {"t": 0,', 'state = {"t": 1,'), "start t at 2", "t を 2 から始めて"),
    "only_m_corrected": (("v_hat = v[k] / (1 - beta2 ** t)", "v_hat = v[k]"), "bias-correct m but not v",
                         "m はバイアス補正して v はしていません"),
}
ADAM_IN_PLACE = (ADAM_UPDATE, "params[k] -= lr * m_hat / (np.sqrt(v_hat) + eps)\n        new[k] = params[k]")

#: a right LSTM backward computed in float32: the inputs cast inside, the gradients float32
LSTM_FLOAT32 = (
    "    grads = {k: np.zeros_like(P[k], dtype=float) for k in LSTM_KEYS}\n    H = P[\"W\"].shape[0]\n"
    "    dz_next, ds_next = np.zeros(H), np.zeros(H)  # what z_t, s_t send into step t+1\n"
    "    for t in range(len(caches) - 1, -1, -1):\n        c = caches[t]",
    "    grads = {k: np.zeros_like(P[k], dtype=np.float32) for k in LSTM_KEYS}\n"
    "    P = {k: v.astype(np.float32) for k, v in P.items()}\n    dZ = dZ.astype(np.float32)\n"
    "    H = P[\"W\"].shape[0]\n"
    "    dz_next, ds_next = np.zeros(H, np.float32), np.zeros(H, np.float32)  # what z_t, s_t send into step t+1\n"
    "    for t in range(len(caches) - 1, -1, -1):\n        c = {k: v.astype(np.float32) for k, v in caches[t].items()}")

RELU_FOR_TANH = ("z = np.tanh(U[t])", "z = np.maximum(U[t], 0)")
LOSS_MEAN = ("return float(0.5 * np.sum((Y - Yhat) ** 2))", "return float(0.5 * np.mean((Y - Yhat) ** 2))")

#: torch.nn.GRU's equations in the stub's names: the reset gate after the product, z weighing the old state
GRU_PYTORCH = ("    c = np.tanh(P[\"W_in\"] @ x + P[\"W\"] @ (r * h_prev))\n    h = (1.0 - z) * h_prev + z * c",
               "    c = np.tanh(P[\"W_in\"] @ x + r * (P[\"W\"] @ h_prev))\n    h = (1.0 - z) * c + z * h_prev")


# --------------------------------------------------------------------------------------------- the examples


class TestLstmBackward:
    def test_output_gate_alone_right_names_the_gradients_by_the_lecture(self, grade):
        """∂E/∂s_t without g^O_t: on T = 1 the two wrong gradients are named as in the lecture."""
        for lang, wrong in (("en", ("∂E/∂W_in (the cell input's weights on x)",
                                    "∂E/∂W_I_in (the input gate's weights on x)")),
                            ("ja", ("∂E/∂W_in（セル入力の x への重み）", "∂E/∂W_I_in（入力ゲートの x への重み）"))):
            t1 = case(grade("lstm", LSTM_ES_WITHOUT_GO, lang=lang), "lstm_backward", "T=1")
            assert t1.status == "failed" and t1.tags == ["wrong_keys:W_in,W_I_in"]
            assert all(w in t1.output for w in wrong), t1.output

    def test_output_gate_named_right_and_zero_gradients_set_aside(self, grade):
        """On T = 1 the output gate's gradient is named right, the five that are 0 there (z_0 = s_0 = 0) set aside."""
        for lang, right, zero in (("en", "Only ∂E/∂W_O_in (the output gate's weights on x) is right; wrong: ",
                                   "On this case ∂E/∂W, ∂E/∂W_F_in, ∂E/∂W_F, ∂E/∂W_I, ∂E/∂W_O are 0"),
                                  ("ja", "正しいのは ∂E/∂W_O_in（出力ゲートの x への重み） だけで",
                                   "このケースでは ∂E/∂W、∂E/∂W_F_in、∂E/∂W_F、∂E/∂W_I、∂E/∂W_O は参照解でもあなたの結果でも 0")):
            t1 = case(grade("lstm", LSTM_ES_WITHOUT_GO, lang=lang), "lstm_backward", "T=1")
            assert right in t1.output and zero in t1.output, t1.output

    def test_longer_sequences_point_at_what_the_gradients_share(self, grade):
        """With T > 1 every gradient is wrong, and the message sends the student to the T = 1 case, in en and ja."""
        long_en = case(grade("lstm", LSTM_ES_WITHOUT_GO), "lstm_backward", "T=6")
        long_ja = case(grade("lstm", LSTM_ES_WITHOUT_GO, lang="ja"), "lstm_backward", "T=6")
        assert long_en.tags == long_ja.tags == ["wrong_keys:all"]
        assert "All 8 gradients are wrong" in long_en.output and "the T = 1 case" in long_en.output
        assert "8 個の勾配がすべて誤っています" in long_ja.output and "T = 1 のケース" in long_ja.output

    @pytest.mark.parametrize("patch,mistake,en,ja", [
        (LSTM_CELL_NOT_CARRIED, "cell_path_dropped", "Did you drop the path through the memory cell?",
         "メモリセルを通る経路を落としていませんか？"),
        (LSTM_CARRY_WITHOUT_GF, "forget_gate_missing_in_cell_path",
         "Did you carry ∂E/∂s_t back to s_{t−1} without the forget gate?", "忘却ゲートを掛けずに s_{t−1} へ運んで"),
    ], ids=["cell_state_not_carried", "forget_gate_missing"])
    def test_two_other_bugs_each_named(self, grade, patch, mistake, en, ja):
        """Two other LSTM backward bugs in the cell path are each named as their own mistake, in en and ja."""
        for lang, words in (("en", en), ("ja", ja)):
            failed = [t for t in grade("lstm", patch, lang=lang).tests if t.function == "lstm_backward"
                      and t.max_score > 0 and t.status != "passed"]
            assert failed and all(t.tags == [f"lstm/lstm_backward/{mistake}"] and words in t.output for t in failed)

    def test_the_three_bugs_read_differently(self, grade):
        """The visible T = 6 case of the three bugs gets three different messages."""
        outputs = {case(grade("lstm", p), "lstm_backward", "T=6").output
                   for p in (LSTM_ES_WITHOUT_GO, LSTM_CELL_NOT_CARRIED, LSTM_CARRY_WITHOUT_GF)}
        assert len(outputs) == 3


class TestAdam:
    @pytest.mark.parametrize("mistake", list(ADAM))
    def test_each_variant_gets_its_own_hint(self, grade, mistake):
        """Each Adam variant is named as itself on every scored case it fails, in en and ja."""
        patch, en, ja = ADAM[mistake]
        for lang, words in (("en", en), ("ja", ja)):
            failed = [t for t in grade("rnn_bptt", patch, lang=lang).tests
                      if t.function == "adam_step" and t.status != "passed"]
            assert failed and all(t.tags == [f"rnn_bptt/adam_step/{mistake}"] and words in t.output
                                  for t in failed), [t.output for t in failed]

    def test_bias_correct_both_only_for_one_moment_corrected(self, grade):
        """Only the student who bias-corrected one moment is told about bias-correcting; the others never are."""
        for mistake, (patch, _, _) in ADAM.items():
            told = {"bias-correct" in t.output for t in grade("rnn_bptt", patch).tests
                    if t.function == "adam_step" and t.status != "passed"}
            assert told == {mistake == "only_m_corrected"}, mistake

    def test_in_place_update_is_reported_before_any_value(self, grade):
        """An Adam that writes into the caller's params is told so, as the problem itself, in en and ja."""
        for lang, words in (("en", "adam_step: params was modified in place"),
                            ("ja", "adam_step: params がその場で書き換えられています")):
            failed = [t for t in grade("rnn_bptt", ADAM_IN_PLACE, lang=lang).tests
                      if t.function == "adam_step" and t.status != "passed"]
            assert failed and all(t.tags[0] == "mutation:params" and t.output.startswith(words) for t in failed)
            assert not any("max rel. error" in t.output or "最大相対誤差" in t.output for t in failed)  # no value mismatch


class TestFloat32Backward:
    def test_consistency_check_is_information(self, grade):
        """A right backward in float32: the 0-point check agrees within float32's tolerance, shown as ℹ (en and ja)."""
        for lang, words in (("en", ("information, 0 points", "float32")), ("ja", ("参考情報、0 点", "float32"))):
            result = grade("lstm", LSTM_FLOAT32, lang=lang)
            check = case(result, "lstm_backward", "consistency")
            assert check.status == "passed" and check.max_score == 0 and not check.tags
            assert all(w in check.output for w in words), check.output
            text = report.text_report(result, lang=lang)
            assert "ℹ [consistency with your own lstm_forward]" in text
            assert "✗ [consistency" not in text

    def test_float32_inside_is_a_small_error(self, grade):
        """Cast to float32 inside and back to float64: the scored cases say a small error (float32), never a factor."""
        back = ("    return grads\n    ### END SOLUTION",
                "    return {k: g.astype(np.float64) for k, g in grads.items()}\n    ### END SOLUTION")
        failed = [t for t in grade("lstm", LSTM_FLOAT32, back).tests
                  if t.function == "lstm_backward" and t.status == "failed" and t.max_score > 0]
        assert failed and all("small_error" in t.tags and "scale:other" not in t.tags for t in failed)
        assert all("a float32 intermediate" in t.output and "what they share" not in t.output for t in failed)

    def test_scored_cases_ask_for_float64(self, grade):
        """The scored cases say the float32 result, not a wrong formula: dtype:float32."""
        failed = [t for t in grade("lstm", LSTM_FLOAT32).tests if t.function == "lstm_backward" and t.max_score > 0]
        assert failed and all(t.tags == ["dtype:float32"] and "compute in float64" in t.output for t in failed)


class TestRnnBptt:
    def test_relu_is_reported_at_z_1(self, grade):
        """ReLU for tanh in forward: each visible case names z_1 as the first wrong quantity, and relu (en and ja)."""
        for lang, first, act in (("en", "forward: z_1 disagrees", "z_1 equals relu(u_1)"),
                                 ("ja", "forward: z_1 が参照解と一致しません", "z_1 が relu(u_1) に一致します")):
            visible = [t for t in grade("rnn_bptt", RELU_FOR_TANH, lang=lang).tests
                       if t.function == "forward" and t.visible and t.max_score > 0]
            assert visible and all(t.output.startswith(first) and act in t.output for t in visible)
            assert all(t.tags == ["first_wrong:z_t", "activation:relu"] for t in visible)
            assert not any("u_5" in t.output for t in visible)

    def test_mean_in_loss_blames_loss(self, grade):
        """A mean in loss with forward and deltas right: loss is named, deltas passes, its ℹ check blames loss."""
        for lang, hint, blame in (("en", "Did you take a mean instead of a sum?", "the mistake is in loss"),
                                  ("ja", "和ではなく平均を取っていませんか？", "誤りは loss にあります")):
            result = grade("rnn_bptt", LOSS_MEAN, lang=lang)
            loss = [t for t in result.tests if t.function == "loss" and t.status != "passed"]
            assert loss and all(t.tags == ["rnn_bptt/loss/mean_instead_of_sum"] and hint in t.output for t in loss)
            deltas = block(report.text_report(result, lang=lang), "deltas")
            assert deltas.lstrip().startswith("✓ deltas") and blame in deltas
            assert "the mistake is in deltas" not in deltas and "誤りは deltas に" not in deltas
            check = case(result, "deltas", "consistency")
            assert check.tags == ["consistency:scale"] and check.max_score == 0


class TestPyTorchGru:
    @pytest.mark.parametrize("function", ["gru_step", "gru_forward"])
    def test_convention_is_named_with_t_above_one(self, grade, function):
        """torch.nn.GRU's equations: the visible T = 6 case names the convention (z's state, r's place), en and ja."""
        for lang, words in (("en", ("PyTorch's nn.GRU", "z weighs the old state",
                                    "the reset gate multiplies after the product")),
                            ("ja", ("PyTorch の nn.GRU", "z が前の状態に掛かり", "W との積の後に掛かり"))):
            t6 = case(grade("gru", GRU_PYTORCH, lang=lang), function, "T=6")
            assert t6.tags == [f"gru/{function}/pytorch_convention"]
            assert all(w in t6.output for w in words), t6.output
            assert "h_0 = 0" not in t6.output
