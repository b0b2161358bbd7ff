"""One example of each kind of diagnosis (autograder/diagnosis.py) on a real mutant: a solution with one small edit,
as benchmarks/mutation.py's mutators make them, written to a file and graded by the real grader (api.grade), in
English and in Japanese. The mutants of one exercise that change functions independent of each other are graded
together in one file (a "batch"), so that the whole file grades about 30 submissions.

Kinds with no real single-edit mutant in the solutions (found while writing this file): a ZeroDivisionError (every
division of the solutions is numpy's, which gives inf, but clip_grad_norm's θ / (‖g‖ + 10⁻⁶), and its suite has no
zero gradient), a NameError of a loop that does not run at T = 1 (no solution assigns a name in a loop and reads it
after; the NameError below is a misspelt name), and swapped halves or keys (a single edit changes one side of a
swap; the realistic two-sided swaps — concatenation order, gates, children — are known mistakes, named first).
"""

from __future__ import annotations

import importlib.util
import sys
from typing import NamedTuple

import pytest

from autograder import api, report
from tests.autograder.known_harness import ROOT


class Kind(NamedTuple):
    """A kind of diagnosis, its mutant and what a student reads of it."""

    id: str
    exercise: str
    batch: int  # the mutants of one (exercise, batch) are graded in one file: their functions do not call each other
    function: str
    patch: tuple  # (old, new), replaced once in solutions/<exercise>/<exercise>.py
    tag: str  # in the case's tags
    en: str  # in the English output
    ja: str  # in the Japanese output


LOCATE = [
    Kind("first_wrong_in_time_forward", "rnn_bptt", 2, "forward",
         ("        Z[t] = z\n", "        Z[t] = z\n        z = np.zeros(H)\n"), "first_wrong:u_t",
         "The first wrong quantity is u_2; everything computed before it is right. The first step is right",
         "最初に誤るのは u_2 で"),
    Kind("first_wrong_in_time_backward", "rnn_bptt", 1, "deltas", ("delta_next = D[:, t]", "delta_next = dz"),
         "first_wrong:δ_t", "The first wrong quantity is δ_5; everything computed before it is right. The last step is "
         "right and earlier ones are wrong", "最初に誤るのは δ_5 で"),
    Kind("first_wrong_in_the_chain", "rnn_bptt", 1, "forward", ("z = np.tanh(U[t])", "z = np.maximum(U[t], 0)"),
         "first_wrong:z_t", "The first wrong quantity is z_1; everything computed before it is right. "
         "z_1 equals relu(u_1)", "z_1 が relu(u_1) に一致します"),
    Kind("recurrence", "rnn_bptt", 2, "forward",
         ("        Z[t] = z\n", "        Z[t] = z\n        z = np.zeros(H)\n"), "recurrence",
         "the step is right, the recurrence (what is carried from t − 1) is wrong", "再帰（t − 1 から引き継ぐ量）が誤っています"),
    Kind("wrong_and_right_keys", "jordan", 1, "gradients",
         ("Yhat_tilde = np.vstack([np.zeros((1, m)), Yhat[:-1]])",
          "Yhat_tilde = np.vstack([np.zeros((1, m)), Yhat[1:]])"),
         "wrong_keys:W_y", "Wrong: ∂E/∂W_y; right: ∂E/∂W_in, ∂E/∂W_out.",
         "誤っているのは ∂E/∂W_y で、∂E/∂W_in、∂E/∂W_out は正しいです。"),
    Kind("every_key_wrong", "lstm", 1, "lstm_backward", ("daO = dgO * gO * (1.0 - gO)", "daO = dgO * gO"),
         "wrong_keys:all", "All 8 gradients are wrong: the mistake is in what they share", "8 個の勾配がすべて誤っています"),
]

RELATE = [
    Kind("scale_minus_one", "rnn_bptt", 1, "grad_W_in", ("return D @ X", "return -(D @ X)"), "scale:-1",
         "It is the reference times −1: a sign is flipped", "参照解の −1 倍です"),
    Kind("scale_half", "rnn_bptt", 1, "grad_W_out", ("return (Yhat - Y).T @ Z1", "return 0.5 * (Yhat - Y).T @ Z1"),
         "scale:1/2", "It is half the reference", "参照解のちょうど半分です"),
    Kind("scale_two", "rnn_bptt", 3, "grad_W_out", ("return (Yhat - Y).T @ Z1", "return 2 * (Yhat - Y).T @ Z1"),
         "scale:2", "It is twice the reference", "参照解のちょうど 2 倍です"),
    Kind("scale_one_over_T", "rnn_bptt", 2, "grad_W_out",
         ("return (Yhat - Y).T @ Z1", "return (Yhat - Y).T @ Z1 / len(Y)"), "scale:1/T",
         "It is the reference times 1/T: a mean where the lecture has a sum", "参照解の 1/T 倍です"),
    Kind("scale_zero", "gru", 3, "gru_backward",
         ("for t in range(len(caches) - 1, -1, -1):", "for t in range(len(caches) - 1, 0, -1):"), "scale:0",
         "It is all zeros where the reference is not", "参照解が 0 でないのにすべて 0 です"),
    Kind("transpose", "gru", 1, "gru_backward",
         ('grads["W_Z"] += np.outer(dz_pre, h_prev)', 'grads["W_Z"] += np.outer(h_prev, dz_pre)'), "transpose",
         "It is the reference transposed", "参照解の転置です"),
    Kind("time_shift", "rnn_bptt", 3, "forward", ("        Z[t] = z\n", "        Z[t - 1] = z\n"), "time_shift:-1",
         "It equals the reference one step later", "参照解の 1 時刻後の値に一致します"),
    Kind("time_reversed", "birnn", 1, "birnn_forward",
         ("U_bw, Z_bw = U_rev[::-1], Z_rev[::-1]", "U_bw, Z_bw = U_rev[::-1], Z_rev"), "time_reversed",
         "It is the reference in reversed time", "参照解を時間反転したものです"),
    Kind("index_shift", "vanishing", 1, "power_norms", ("for k in range(K + 1):", "for k in range(1, K + 1):"),
         "index_shift:+1", "From the second entry (row) on it equals the reference's previous one",
         "2 番目の要素（行）以降が参照解の 1 つ前の値に一致します"),
    Kind("unwritten_rows", "recursive", 1, "tree_forward", ("for i in range(n_inner):", "for i in range(n_inner - 1):"),
         "unwritten:last", "The wrong row is the last one, left at 0", "誤っているのは最後の行で、0 のままです"),
    Kind("boundary_step", "jordan", 1, "deltas", ("for t in range(T - 1, -1, -1):", "for t in range(T - 1, -2, -1):"),
         "boundary:last_step", "Only the last step is wrong", "最後の時刻だけが誤っています"),
    Kind("bias_column_rotated", "attention", 1, "se_backward",
         ("dW2 = np.outer(da2, np.concatenate(([1.0], q)))", "dW2 = np.outer(da2, np.concatenate((q, [1.0])))"),
         "bias_column_moved", "the bias column is last instead of first", "バイアスの列が先頭ではなく末尾にあります"),
    Kind("bias_column_only", "attention", 2, "se_backward",
         ("dW2 = np.outer(da2, np.concatenate(([1.0], q)))", "dW2 = np.outer(da2, np.concatenate(([2.0], q)))"),
         "bias_column", "Only the first column, the bias's, is wrong", "先頭の列（バイアスの列）だけが誤っています"),
    Kind("extra_term", "lstm", 2, "lstm_backward", ('("W_F_in", "W_F", daF)', '("W_F_in", "W_F", daI)'),
         "extra_term:grads['W_I_in']", "It differs from the reference by exactly grads['W_I_in']: an extra term",
         "参照解との差がちょうど grads['W_I_in'] です"),
    Kind("constant_offset", "jordan", 2, "gradients",
         ("Yhat_tilde = np.vstack([np.zeros((1, m)), Yhat[:-1]])",
          "Yhat_tilde = np.vstack([np.ones((1, m)), Yhat[:-1]])"),
         "constant_offset", "It differs from the reference by the same constant everywhere", "参照解との差がどこでも同じ定数です"),
    Kind("first_non_finite", "attention", 1, "dot_attention_forward",
         ("E = np.exp(E - E.max(axis=1, keepdims=True))\n    alpha = E / E.sum(axis=1, keepdims=True)\n    C = alpha",
          "E = np.exp(E)\n    alpha = E / E.sum(axis=1, keepdims=True)\n    C = alpha"), "nonfinite:nan",
         "The first non-finite value appears there: an exp of a large number overflows", "最初の有限でない値がそこに現れます"),
]

CRASHES = [
    Kind("shape_matmul", "rnn_bptt", 2, "grad_W_in", ("return D @ X", "return D @ X.T"), "crash:shape:matmul",
         "D (4, 6) = (H, T) @ X.T (3, 6) does not fit; D X does", "D X なら合います"),
    Kind("index_off_by_one", "rnn_bptt", 2, "deltas",
         ("    for t in range(T - 1, -1, -1):\n        # forward was: v_t",
          "    for t in range(T, -1, -1):\n        # forward was: v_t"),
         "crash:index:off_by_one", "Index 6 on an axis of size 6 (T): one past the end", "末尾の 1 つ先です"),
    Kind("key", "lstm", 1, "lstm_step", ('P["W_O_in"] @ x', 'P["W_o_in"] @ x'), "crash:key",
         "the keys given are W, W_F, W_F_in, W_I, W_I_in, W_O, W_O_in, W_in", "渡されるキーは W、W_F"),
    Kind("none", "gru", 2, "gru_backward",
         ("    dh_next = np.zeros(H)  # what h_t sends into step t+1",
          "    dh_next = None  # what h_t sends into step t+1"),
         "crash:none", "None used as a number or an array (line: `e = dH[t] + dh_next`)", "None を数や配列として使っています"),
    Kind("name", "attention", 1, "dot_attention_backward",
         ("    dalpha = dC @ Hbar.T  # forward was: c_t = Σ_s α_ts h̄_s\n    dE = alpha * (dalpha - np.sum(",
          "    dalpha = dE @ Hbar.T  # forward was: c_t = Σ_s α_ts h̄_s\n    dE = alpha * (dalpha - np.sum("),
         "crash:name", "A name used before it is assigned", "代入前の名前を使っています"),
]

ORDER = [
    Kind("mutated_input", "rnn_bptt", 1, "adam_step",
         ("new[k] = params[k] - lr * m_hat / (np.sqrt(v_hat) + eps)",
          "params[k] -= lr * m_hat / (np.sqrt(v_hat) + eps)\n        new[k] = params[k]"),
         "mutation:params", "adam_step: params was modified in place", "adam_step: params がその場で書き換えられています"),
]

CONSISTENCY_SCALE = Kind(
    "consistency_scale", "rnn_bptt", 4, "deltas",
    ("return float(0.5 * np.sum((Y - Yhat) ** 2))", "return float(0.5 * np.mean((Y - Yhat) ** 2))"),
    "consistency:scale", "if deltas passes its scored cases, the mistake is in loss", "誤りは loss にあります")
FLOAT32 = Kind(
    "consistency_float32", "lstm", 3, "lstm_backward",
    ("grads = {k: np.zeros_like(P[k], dtype=float) for k in LSTM_KEYS}",
     "grads = {k: np.zeros_like(P[k], dtype=np.float32) for k in LSTM_KEYS}"),
    "", "compared with the tolerance float32 allows", "float32 の精度に合わせた許容誤差で比べました")

ALL = LOCATE + RELATE + CRASHES + ORDER + [CONSISTENCY_SCALE, FLOAT32]
_GRADED: dict = {}


def _generic(lang):
    """The grader's generic hints in lang, as benchmarks/mutation.py reads them (its "generic" class)."""
    name = "mutation_bench_kinds"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "mutation.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return sys.modules[name].generic_hints(lang)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """graded(kind, lang): the GradeResult of the file with every mutant of the kind's (exercise, batch)."""

    def run(kind, lang):
        key = (kind.exercise, kind.batch, lang)
        if key not in _GRADED:
            src = (ROOT / "solutions" / kind.exercise / f"{kind.exercise}.py").read_text(encoding="utf-8")
            for old, new in dict.fromkeys(k.patch for k in ALL if (k.exercise, k.batch) == key[:2]):
                assert old in src, old  # (a mutant with two kinds is applied once)
                src = src.replace(old, new, 1)
            path = tmp_path_factory.mktemp(f"{kind.exercise}-{kind.batch}") / f"{kind.exercise}.py"
            path.write_text(src, encoding="utf-8")
            _GRADED[key] = api.grade(path, kind.exercise, lang=lang)
        return _GRADED[key]

    return run


def read(graded, kind):
    """(en, ja) CaseResults of the kind's function that carry its tag, the same case in both languages (a
    visible one when there is one)."""
    en = [t for t in graded(kind, "en").tests if t.function == kind.function and t.max_score > 0 and kind.tag in t.tags]
    assert en, [(t.name, t.tags) for t in graded(kind, "en").tests if t.function == kind.function]
    first = sorted(en, key=lambda t: not t.visible)[0]
    ja = next(t for t in graded(kind, "ja").tests if t.name == first.name)
    return first, ja


def assert_reads(graded, kind):
    """The kind's tag on its case in both languages, its words in each, neither text ending in a generic hint."""
    en, ja = read(graded, kind)
    assert en.status != "passed" and kind.tag in ja.tags
    assert kind.en in en.output, en.output
    assert kind.ja in ja.output and kind.en not in ja.output, ja.output
    assert not any(en.output.endswith(g) for g in _generic("en")), en.output
    assert not any(ja.output.endswith(g) for g in _generic("ja")), ja.output


def ids(kinds):
    return [f"{k.id}[{k.exercise}.{k.function}]" for k in kinds]


class TestLocate:
    @pytest.mark.parametrize("kind", LOCATE, ids=ids(LOCATE))
    def test_kind(self, graded, kind):
        """The first wrong quantity, in time and in the chain, and which gradients are wrong, read in en and ja."""
        assert_reads(graded, kind)

    def test_step_right_recurrence_wrong_is_said_for_the_function(self, graded):
        """z reset every step: the report says once, under forward, that T = 1 passes and T > 1 fails, in en and ja."""
        kind = LOCATE[0]
        for lang, words in (("en", "forward: the T = 1 cases pass and the T > 1 cases fail"),
                            ("ja", "forward: T = 1 のケースは合格し、T > 1 のケースが不合格です")):
            text = report.text_report(graded(kind, lang), lang=lang)
            assert text.count(words) == 1, text


class TestRelate:
    @pytest.mark.parametrize("kind", RELATE, ids=ids(RELATE))
    def test_kind(self, graded, kind):
        """The wrong result related to the reference (a scale, a transpose, a shift, …), read in en and ja."""
        assert_reads(graded, kind)


class TestCrashes:
    @pytest.mark.parametrize("kind", CRASHES, ids=ids(CRASHES))
    def test_kind(self, graded, kind):
        """An exception explained from its type, the line and the inputs' shapes, read in en and ja."""
        en, _ = read(graded, kind)
        assert en.status == "error" and en.tags[0].startswith("crash:")
        assert_reads(graded, kind)


class TestOrder:
    @pytest.mark.parametrize("kind", ORDER, ids=ids(ORDER))
    def test_kind(self, graded, kind):
        """An input changed in place is the problem reported, not the values it spoils, in en and ja."""
        en, _ = read(graded, kind)
        assert en.tags[0] == kind.tag and en.output.startswith(kind.en)
        assert_reads(graded, kind)


class TestConsistency:
    def test_scale_blames_the_loss(self, graded):
        """A mean in loss: deltas' 0-point check says its gradients are a multiple of the loss's, in en and ja."""
        en, ja = (next(t for t in graded(CONSISTENCY_SCALE, lang).tests
                       if t.function == "deltas" and t.max_score == 0) for lang in ("en", "ja"))
        assert en.tags == ja.tags == [CONSISTENCY_SCALE.tag]
        assert CONSISTENCY_SCALE.en in en.output and CONSISTENCY_SCALE.ja in ja.output

    def test_float32_is_information(self, graded):
        """A right backward in float32 passes the 0-point check with float32's tolerance, said in en and ja."""
        en, ja = (next(t for t in graded(FLOAT32, lang).tests if t.function == "lstm_backward" and t.max_score == 0)
                  for lang in ("en", "ja"))
        assert en.status == ja.status == "passed" and not en.tags
        assert FLOAT32.en in en.output and FLOAT32.ja in ja.output
