"""autograder.feedback: the language, the template in English and Japanese, no reference values."""

import re

import numpy as np
import pytest

from autograder.cases import OwnForward

from autograder import feedback
from autograder.cases import Case, judge, run_in_process
from autograder.checks import Mismatch, Opaque, compare
from autograder.feedback import (
    GENERIC_HINTS,
    GENERIC_HINTS_JA,
    PROBLEM_CODES,
    default_lang,
    problem_text,
    render,
    resolve_lang,
)
from autograder.messages import MESSAGES
from autograder.selfcheck import check, summary_line
from autograder.suites import ASSIGNMENTS, get_suite

# <function>: <quantity> <problem>, expected <X> (got <Y>). <hint>
TEMPLATE_EN = re.compile(r"^[A-Za-z_]+: \S+ .+, expected .+ \(got .+\)\. \S.*$")
VALUE_EN = re.compile(r"^[A-Za-z_]+: \S+ disagrees with the reference \((max )?rel\. error [0-9.e+-]+( at .+)?\)\. \S.*$")
# <function>: <quantity> <problem>（期待: <X>、実際: <Y>）。<hint>
TEMPLATE_JA = re.compile(r"^[A-Za-z_]+: \S+ ?\S*[ぁ-んァ-ヶ一-龥].*（期待: .+、実際: .+）。\S.*$")
VALUE_JA = re.compile(r"^[A-Za-z_]+: \S+ が参照解と一致しません（(最大)?相対誤差 [0-9.e+-]+(、.+)?）。\S.*$")
JAPANESE = re.compile(r"[ぁ-んァ-ヶ一-龥]")


def _case(**kw):
    def make(rng):
        A = rng.standard_normal((3, 5))
        return (A,), {}, A

    base = dict(function="grad_W", label="toy", make=make, points=1.0, visible=True, arg_names=("A",), outputs="dW")
    base.update(kw)
    return Case(**base)


class Sub(np.ndarray):
    pass


def _examples():
    """One Mismatch per phrase, from checks.compare and cases.judge on small inputs, with its case."""
    e = np.arange(1.0, 16.0).reshape(3, 5)
    nan = e.copy()
    nan[1, 2] = np.nan
    case = _case()
    out = [
        (case, compare("x", e, "dW")),
        (case, compare(e.view(Sub), e, "dW")),
        (case, compare([[1.0], [2.0, 3.0]], e, "dW")),
        (case, compare(Opaque("subclass", (("type", "Sneaky"),)), e, "dW")),
        (case, compare(e.astype(np.float32), e, "dW")),
        (case, compare(e.T, e, "dW")),
        (case, compare(nan, e, "dW")),
        (case, compare(e * 1.5, e, "dW")),
        (case, compare(float("inf"), 0.75, "E")),
        (case, compare(0.5, 0.75, "E")),
        (case, compare("s", 0.75, "E")),
        (case, compare([np.zeros(2)], [np.zeros(2), np.zeros(4)], "caches")),
        (case, compare(np.zeros(2), (np.zeros(2), np.zeros(3)), "out")),
        (case, compare({"W": e, "b": e}, {"W": e, "W_in": e}, "grads")),
        (case, compare([1.0], {"W": e}, "grads")),
    ]
    return out


def _judged(lang):
    """Outputs of judge for the structural problems it finds itself, and a mutation."""
    tup = _case(outputs=("U", "Z"), make=lambda rng: ((np.ones((2, 3)),), {}, (np.ones((2, 3)), np.ones((2, 3)))))
    args, _, expected = tup.build(1, 0)
    return [
        judge(tup, np.ones(3), expected, [], lang).output,
        judge(tup, (np.ones((2, 3)),), expected, [], lang).output,
        judge(tup, expected, expected, ["A", "argument 2"], lang).output,
    ]


class TestDefaultLang:
    @pytest.fixture
    def env(self, monkeypatch):
        for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
            monkeypatch.delenv(var, raising=False)
        return monkeypatch

    def test_japanese_locale(self, env):
        """LANG=ja_JP.UTF-8 gives Japanese."""
        env.setenv("LANG", "ja_JP.UTF-8")
        assert default_lang() == "ja"

    def test_c_locale(self, env):
        """LANG=C.UTF-8 gives English."""
        env.setenv("LANG", "C.UTF-8")
        assert default_lang() == "en"

    def test_nothing_set(self, env):
        """No locale at all gives English."""
        assert default_lang() == "en"

    def test_lc_all_wins(self, env):
        """LC_ALL overrides LC_MESSAGES and LANG, either way."""
        env.setenv("LANG", "en_US.UTF-8")
        env.setenv("LC_ALL", "ja_JP.UTF-8")
        assert default_lang() == "ja"
        env.setenv("LANG", "ja_JP.UTF-8")
        env.setenv("LC_ALL", "C")
        assert default_lang() == "en"

    def test_lc_messages_over_lang(self, env):
        """LC_MESSAGES overrides LANG."""
        env.setenv("LANG", "en_GB.UTF-8")
        env.setenv("LC_MESSAGES", "ja_JP.eucJP")
        assert default_lang() == "ja"

    def test_explicit_environment(self):
        """An environment given as a dict is read instead of os.environ."""
        assert default_lang({"LANG": "ja_JP.UTF-8"}) == "ja" and default_lang({}) == "en"

    def test_resolve(self, env):
        """resolve_lang keeps en/ja, takes None from the locale, refuses anything else."""
        env.setenv("LANG", "ja_JP.UTF-8")
        assert resolve_lang(None) == "ja" and resolve_lang("en") == "en"
        with pytest.raises(ValueError, match="unknown language"):
            resolve_lang("fr")


class TestTemplate:
    def test_every_phrase_is_exercised(self):
        """The examples below cover every problem code."""
        codes = {m.code for _, m in _examples()} | {"mutated"}
        assert codes == set(PROBLEM_CODES)

    @pytest.mark.parametrize("i", range(len(_examples())))
    def test_english(self, i):
        """Every phrase, in English, follows the template."""
        case, m = _examples()[i]
        text = render(case, m, "en")
        assert (VALUE_EN if m.kind == "value" else TEMPLATE_EN).match(text), text
        assert not JAPANESE.search(text.split(". ", 1)[0])

    @pytest.mark.parametrize("i", range(len(_examples())))
    def test_japanese(self, i):
        """Every phrase, in Japanese, follows the template and says it in Japanese."""
        case, m = _examples()[i]
        text = render(case, m, "ja")
        assert (VALUE_JA if m.kind == "value" else TEMPLATE_JA).match(text), text
        assert "expected" not in text and "got" not in text

    def test_english_phrase_kept_on_the_mismatch(self):
        """Mismatch.problem still holds the English phrase (callers of the first API read it)."""
        m = compare(np.zeros((2, 3)), np.zeros((3, 2)), "D")
        assert m.problem == "has the wrong shape, expected (3, 2) (got (2, 3))"

    @pytest.mark.parametrize("lang", ["en", "ja"])
    def test_judge_structure_and_mutation(self, lang):
        """judge's own problems (not a tuple, wrong length, mutation) follow the template too."""
        for text in _judged(lang):
            assert (TEMPLATE_JA if lang == "ja" else TEMPLATE_EN).match(text), text

    def test_japanese_words_for_paths(self):
        """'the result' and 'argument 2' are translated; an output name is not."""
        wrong_type, _, mutated = _judged("ja")
        assert wrong_type.startswith("grad_W: 戻り値の型が違います")
        assert mutated.startswith("grad_W: A, 引数 2 がその場で書き換えられています")

    def test_labelled_entry(self):
        """A labelled output names δ_t and the entry in both languages."""
        case = _case(labels={"dW": (1, "δ_{}")})
        e = np.arange(1.0, 16.0).reshape(3, 5)
        g = e.copy()
        g[2, 3] += 4.0
        m = compare(g, e, "dW")
        assert render(case, m, "en").startswith("grad_W: δ_4 disagrees with the reference (max rel. error 2.9e-01 at entry 2). ")
        assert render(case, m, "ja").startswith("grad_W: δ_4 が参照解と一致しません（最大相対誤差 2.9e-01、要素 2）。")

    def test_hand_made_mismatch(self):
        """A Mismatch made by hand (no code) is rendered with its own phrase and the hint by kind."""
        m = Mismatch("dW", "is odd, expected even (got odd)", "value")
        assert render(_case(), m, "en") == f"grad_W: dW is odd, expected even (got odd). {GENERIC_HINTS['value']}"
        assert render(_case(), m, "ja").endswith(GENERIC_HINTS_JA["value"])

    def test_shapes_distinct_in_messages(self):
        """A shape problem names both shapes, the expected first."""
        m = compare(np.zeros((4, 6)), np.zeros((6, 4)), "D")
        assert "expected (6, 4) (got (4, 6))" in render(_case(), m, "en")
        assert "（期待: (6, 4)、実際: (4, 6)）" in render(_case(), m, "ja")


class TestNoResult:
    @pytest.mark.parametrize("lang", ["en", "ja"])
    def test_not_implemented_missing_raised(self, lang):
        """Stub, missing function and exception messages follow the template in both languages."""
        template = TEMPLATE_JA if lang == "ja" else TEMPLATE_EN
        stub = feedback.not_implemented("deltas", lang)
        missing = feedback.missing_function("deltas", lang)
        raised = feedback.raised("deltas", ValueError("bad shapes (2,) (3,) \nsecond line"), lang)
        for text in (stub, missing, raised):
            assert re.match(r"^deltas: \S", text) and (template.match(text) or "（期待: " in text), text
        assert "NotImplementedError" in stub and "ValueError: bad shapes (2,) (3,)" in raised
        assert "second line" not in raised
        if lang == "ja":
            assert JAPANESE.search(stub) and JAPANESE.search(missing) and JAPANESE.search(raised)

    def test_raised_keeps_a_short_first_line(self):
        """An exception's message is cut to its first line and 200 characters."""
        text = feedback.raised("f", RuntimeError("x" * 500))
        assert "x" * 200 in text and "x" * 201 not in text

    def test_raised_with_hint(self):
        """A hint given ({"en", "ja"}) replaces the generic advice."""
        hint = {"en": "Did you X?", "ja": "X していませんか？"}
        assert feedback.raised("f", KeyError("k"), "en", hint).endswith("Did you X?")
        assert feedback.raised("f", KeyError("k"), "ja", hint).endswith("X していませんか？")

    def test_run_in_process_in_japanese(self):
        """run_in_process renders its errors in the language asked for."""
        def stub(A):
            raise NotImplementedError()

        assert "まだ実装されていません" in run_in_process(_case(), stub, 1, 0, "ja").output
        assert "関数が見つかりません" in run_in_process(_case(), None, 1, 0, "ja").output
        assert "not implemented yet" in run_in_process(_case(), stub, 1, 0).output


class TestBilingualHints:
    def test_generic_hints(self):
        """The generic hints exist for the same kinds in both languages."""
        assert GENERIC_HINTS.keys() == GENERIC_HINTS_JA.keys()
        assert all(JAPANESE.search(h) for h in GENERIC_HINTS_JA.values())

    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_suite_hints(self, name):
        """Every hint of every suite has an English and a Japanese text."""
        for case in get_suite(name).cases:
            for kind, hint in case.hints.items():
                assert kind in GENERIC_HINTS
                assert isinstance(hint, dict) and set(hint) == {"en", "ja"}, case.name
                assert not JAPANESE.search(hint["en"]) and JAPANESE.search(hint["ja"]), case.name

    def test_plain_string_hint_is_kept(self):
        """A case hint given as a plain string is used as it is."""
        case = _case(hints={"shape": "D Z̃ is (H, H)."})
        m = compare(np.zeros((3, 5)), np.zeros((5, 3)), "dW")
        assert render(case, m, "ja").endswith("D Z̃ is (H, H).")


class TestCatalogViews:
    def test_generic_hints_are_the_catalogs(self):
        """GENERIC_HINTS and GENERIC_HINTS_JA are the catalog's generic_<kind> entries, and case_hint reads them."""
        for kind in feedback.GENERIC_KINDS:
            assert GENERIC_HINTS[kind] == MESSAGES["generic_" + kind]["en"]
            assert GENERIC_HINTS_JA[kind] == MESSAGES["generic_" + kind]["ja"]
            assert feedback.case_hint(_case(), kind, "ja") == GENERIC_HINTS_JA[kind]

    def test_no_result_is_the_catalogs(self):
        """NO_RESULT holds each kind's problem and hint templates from the catalog, in both languages, and
        no_result() words them; a kind without an entry is refused."""
        assert set(feedback.NO_RESULT) == set(feedback.NO_RESULT_KINDS)
        for kind, langs in feedback.NO_RESULT.items():
            for lang, (problem, hint) in langs.items():
                assert problem == MESSAGES[f"no_result_{kind}"][lang]
                assert hint == MESSAGES[f"no_result_{kind}_hint"][lang]
        assert feedback.no_result("f", "timeout", "ja", seconds=10) == (
            "f: 10 秒で時間切れになりました（期待: 戻り値、実際: 応答なし）。" + feedback.NO_RESULT["timeout"]["ja"][1])
        with pytest.raises(KeyError):
            feedback.no_result("f", "timeout_hint")


def _perturb(x):
    if isinstance(x, dict):
        return {k: _perturb(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_perturb(v) for v in x)
    return x * 1.37 + 0.11  # an array or a float


def _transpose_first(x):
    if isinstance(x, dict):
        k = next(iter(x))
        return dict(x, **{k: _transpose_first(x[k])})
    if isinstance(x, (list, tuple)):
        return type(x)([_transpose_first(x[0])] + list(x[1:]))
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape[::-1] + (2,))
    return "not a number"


def _reference_texts(x, out):
    """Ways an entry of a reference array could be printed (4 significant digits or more)."""
    if isinstance(x, dict):
        for v in x.values():
            _reference_texts(v, out)
    elif isinstance(x, (list, tuple)):
        for v in x:
            _reference_texts(v, out)
    else:
        for v in np.ravel(x)[:3]:
            v = float(v)
            if abs(v) > 1e-3 and abs(v - round(v, 2)) > 1e-6:  # not 1.0 or 0.5: those print everywhere
                texts = {repr(v), str(v), f"{v:.4f}", f"{v:.4g}", f"{v:.6g}", np.format_float_positional(v, 4)}
                out |= {t for t in texts if len(t.lstrip("-")) >= 5}
    return out


#: one Opaque of each kind the wire knows (wire.OPAQUE), with its facts
OPAQUES = [Opaque("object"), Opaque("instance", (("type", "Thing"),)), Opaque("subclass", (("type", "Sneaky"),)),
           Opaque("complex"), Opaque("dtype", (("dtype", "complex128"),)), Opaque("structured"),
           Opaque("unsupported_dtype"), Opaque("nested"), Opaque("bad_keys"), Opaque("long_str"), Opaque("bigint"),
           Opaque("too_large"), Opaque("too_much", (("mb", 64),)), Opaque("too_much_all", (("mb", 64),)),
           Opaque("malformed"), Opaque("unreturnable")]


class TestOpaqueWords:
    """A value the worker could not send arrives as a kind and facts, worded by the catalog in either language."""

    def test_every_kind_of_the_wire(self):
        """The feedback knows every kind the wire may send, and its English is the Opaque's description."""
        from autograder import wire

        assert sorted(o.kind for o in OPAQUES) == sorted(wire.OPAQUE)
        for o in OPAQUES:
            m = compare(o, np.zeros(2), "dW")
            assert m.problem == f"has the wrong type, expected a numpy.ndarray (got {o.description})", o

    def test_japanese_has_no_english_description(self):
        """In Japanese each kind is said in Japanese words (type names and dtypes aside), never the worker's English."""
        said = {o.kind: problem_text("wrong_type", compare(o, np.zeros(2), "dW").facts, "ja") for o in OPAQUES}
        assert said["subclass"] == "の型が違います（期待: numpy.ndarray、実際: Sneaky（ndarray のサブクラス））"
        assert said["dtype"] == "の型が違います（期待: numpy.ndarray、実際: dtype complex128 の numpy.ndarray）"
        assert said["too_much_all"].endswith("実際: 多すぎるデータ（すべての呼び出しの合計で 64 MB 超））")
        assert said["instance"].endswith("実際: Thing）") and said["complex"].endswith("実際: 複素数）")
        english = re.compile(r"\b(a|an|of|too|with|the|returned|number|structure|data|value|dict with)\b")
        assert not [s for s in said.values() if english.search(s)], said

    def test_hidden_case_names_no_type(self):
        """For a hidden case the feedback says the type was wrong, never the type name the student's code chose."""
        o = Opaque("subclass", (("type", "Marker4711"),))
        for lang in ("en", "ja"):
            m = compare(o, np.zeros(2), "dW")
            assert "Marker4711" in problem_text(m.code, m.facts, lang)
            assert "Marker4711" not in problem_text(m.code, m.facts, lang, hidden=True)

    def test_unknown_kind_is_an_object(self):
        """An Opaque of a kind the wire does not know, or without its facts, is "an object" (オブジェクト)."""
        for o in (Opaque("a Sneaky (ndarray subclass)"), Opaque("subclass"), Opaque("too_much", (("mb", "x"),))):
            m = compare(o, np.zeros(2), "dW")
            assert o.description == "an object" and m.problem.endswith("(got an object)")
            assert problem_text(m.code, m.facts, "ja").endswith("実際: オブジェクト）")


class TestNoReferenceValues:
    @pytest.mark.parametrize("name", ASSIGNMENTS)
    @pytest.mark.parametrize("lang", ["en", "ja"])
    def test_messages_never_show_reference_entries(self, name, lang):
        """For every case, a wrong value and a wrong shape are reported without any reference entry."""
        suite = get_suite(name)
        for i, case in enumerate(suite.cases):
            args, kwargs, expected = case.build(suite.seed, i)
            if isinstance(expected, OwnForward):  # no reference at all: the student's own forward
                continue
            secrets = _reference_texts(expected, set())
            for wrong in (_perturb(expected), _transpose_first(expected)):
                r = judge(case, wrong, expected, [], lang, (args, kwargs))
                assert r.status == "failed", case.name
                leaked = [s for s in secrets if s in r.output]
                assert not leaked, (case.name, leaked, r.output)


class TestSelfcheck:
    def test_summary_line(self):
        """The summary line in English keeps its form; the Japanese one says the same."""
        assert summary_line("deltas", 2, 2, 3.0, 3, False) == "✓ deltas: 2/2 visible cases passed (3.00 / 3 points)"
        assert summary_line("deltas", 1, 4, 0.75, 3, True, "ja") == "✗ deltas: 全ケース 4 件中 1 件に合格（0.75 / 3 点）"

    def test_check_in_japanese(self, capsys):
        """check(lang="ja") prints its summary and feedback in Japanese."""
        pts = check("rnn_bptt", "grad_W", {"grad_W": lambda D, Z: D @ Z}, lang="ja")
        out = capsys.readouterr().out
        assert pts == 0 and out.startswith("✗ grad_W: 公開ケース 2 件中 0 件に合格（0.00 / 0.4 点、関数の 1 点のうち公開ケースの分）")
        assert "Z̃ の代わりに Z を使っていませんか？" in out

    def test_check_is_japanese_unless_told(self, capsys, monkeypatch):
        """check() without lang speaks Japanese, as the notebooks do, whatever the locale; RNNGRADE_LANG=en gives
        English (see test_selfcheck.py)."""
        monkeypatch.delenv("LC_ALL", raising=False)
        monkeypatch.delenv("LC_MESSAGES", raising=False)
        monkeypatch.delenv("RNNGRADE_LANG", raising=False)
        monkeypatch.setenv("LANG", "C.UTF-8")
        check("rnn_bptt", "grad_W", {"grad_W": lambda D, Z: D @ Z})
        assert "公開ケース" in capsys.readouterr().out
        monkeypatch.setenv("RNNGRADE_LANG", "en")
        check("rnn_bptt", "grad_W", {"grad_W": lambda D, Z: D @ Z})
        assert "visible cases passed" in capsys.readouterr().out


# <function>: <quantity> <problem>, expected <X>. <hint> — a hidden case's text, without the student's facts
HIDDEN_EN = re.compile(r"^[A-Za-z_]+: \S+ .+, expected .+\. \S.*$")
HIDDEN_JA = re.compile(r"^[A-Za-z_]+: \S+ ?\S*[ぁ-んァ-ヶ一-龥].*（期待: .+）。\S.*$")


class TestHidden:
    @pytest.mark.parametrize("i", range(len(_examples())))
    def test_no_student_facts_in_either_language(self, i):
        """Hidden, every phrase keeps the template and drops '(got …)' / '実際:', except for non-finite values."""
        case, m = _examples()[i]
        for lang, template, got in (("en", HIDDEN_EN, "(got "), ("ja", HIDDEN_JA, "実際: ")):
            text = render(case, m, lang, hidden=True)
            if m.kind in ("value", "finite"):  # the error size, the index, nan or inf: bounded facts
                assert text == render(case, m, lang), text
            else:
                assert template.match(text) and got not in text, text

    def test_extra_keys_not_named(self):
        """Hidden, a dict's missing keys (the reference's) are named, its extra keys (the student's) are not."""
        m = compare({"W": 1.0, "secret_b": 2.0}, {"W": 1.0, "W_in": 2.0}, "grads")
        for lang in ("en", "ja"):
            text = render(_case(), m, lang, hidden=True)
            assert "W_in" in text and "secret_b" not in text and "secret_b" in render(_case(), m, lang), text

    def test_exception_type_and_line_only(self):
        """Hidden, an exception shows a builtin type's name and its line, never its message or a made-up type name."""
        for lang, where in (("en", "at line 12"), ("ja", "12 行目")):
            text = feedback.raised_text("f", "ValueError", "secret 123", lang, hidden=True, where="line 12")
            assert "ValueError" in text and where in text and "secret" not in text, text
            text = feedback.raised_text("f", "Secret123Error", "", lang, hidden=True)
            assert "Secret123" not in text and ("an exception" in text or "例外" in text), text
        assert "secret 123" in feedback.raised_text("f", "ValueError", "secret 123")

    def test_exception_names(self):
        """exception_name keeps Python's own exception types (and numpy's LinAlgError), nothing else."""
        assert [feedback.exception_name(n) for n in ("ValueError", "SystemExit", "LinAlgError")] == \
            ["ValueError", "SystemExit", "LinAlgError"]
        assert [feedback.exception_name(n) for n in ("Secret1Error", "print", "os.system", "")] == [None] * 4

    def test_exit_code_dropped(self):
        """Hidden, a worker's exit code (chosen by the student's code) is not shown; a signal is."""
        assert feedback.ending("the process exited with code 123", hidden=True) == "the process exited"
        assert feedback.ending("the process exited with code 123") == "the process exited with code 123"
        assert feedback.ending("a segmentation fault (SIGSEGV)", hidden=True) == "a segmentation fault (SIGSEGV)"

    @pytest.mark.parametrize("code", [None, 0, 3, 47, -11, -9, -24, -25, -6, -7, -8, -4, -10, -15, 139, 137, 152, -70])
    def test_exit_worded_from_its_facts(self, code):
        """How a worker ended is worded from session.describe_exit's facts: the same English as before, Japanese
        with none of its English words (a signal keeps its name), and, hidden, no exit code in either language."""
        from autograder.session import describe_exit

        why = describe_exit(code)
        assert feedback.ending(why) == str(why)
        assert feedback.ending(why, True) == re.sub(r" with code -?\d+", "", str(why))
        for hidden in (False, True):
            ja = feedback.ending(why, hidden, "ja")
            assert not re.search(r"process|exited|killed|fault|error|abort|instruction|exceeded|limit|unknown|memory"
                                 r"|signal\b", ja), ja
            assert re.findall(r"SIG[A-Z0-9]+", ja) == re.findall(r"SIG[A-Z0-9]+", str(why)), ja
            if why.key == "exit_code":
                assert (str(code) in ja) != hidden and "終了" in ja, ja

    def test_internal_error(self):
        """A failure of the judge itself is worded in the template in both languages and asks to report it."""
        en = feedback.internal_error("loss", "TypeError")
        assert TEMPLATE_EN.match(en) and "internal error while judging this case" in en and "(got TypeError)" in en
        assert "please report it" in en
        ja = feedback.internal_error("loss", "TypeError", "ja")
        assert TEMPLATE_JA.match(ja) and "TypeError" in ja and "報告" in ja

    def test_new_kinds_of_values_named(self):
        """Complex numbers, huge ints and lists holding them are named in both languages."""
        for got, en, ja in ((("complex",), "a complex number", "複素数"),
                            (("bigint",), "an int too large for a float", "float に収まらない"),
                            (("entry", "list", ("complex",)), "a list holding a complex number", "複素数を含む list")):
            facts = {"expected": ("float",), "got": got}
            assert en in feedback.problem_text("wrong_type", facts, "en")
            assert ja in feedback.problem_text("wrong_type", facts, "ja")
