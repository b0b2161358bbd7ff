"""Messages to students, in English and Japanese, one template:

    <function>: <quantity> <problem>, expected <X> (got <Y>). <hint>
    <function>: <quantity> <problem>（期待: <X>、実際: <Y>）。<hint>

e.g. ``deltas: δ_3 disagrees with the reference (max rel. error 4.1e-01 at entry 2). Did you
use W instead of Wᵀ in the δ recursion? …``. checks.compare finds the facts of a problem
(a Mismatch: its kind, a phrase code and plain facts); render() turns them into the sentence
in the requested language. Never a hidden reference array: only shapes, dtypes, key names,
error sizes, indices, and the student's own values.

For a hidden case (``hidden=True``) the text holds only what the grader chose or a bounded
fact: the kind of problem, the expected type, shape, length or keys (the reference's), the
error size to two significant digits and its index, non-finite values (nan, inf), the
catalogued hint; never the student's own text, type names, key names, shapes, lengths or
numbers, and of an exception only a builtin type's name and the line. A student's code that
saw a hidden case's inputs must not be able to send them back through the feedback.
"""

from __future__ import annotations

import builtins
import os
import re

LANGS = ("en", "ja")

#: the phrases of problem_text, one per kind of fact checks.compare and cases.judge report
PROBLEM_CODES = ("wrong_type", "wrong_dtype", "wrong_shape", "wrong_length", "wrong_keys", "not_finite_number",
                 "not_finite", "value_number", "value", "mutated")
#: phrases of problem_text beyond checks.compare's: a gradient that fails the finite-difference check
GRADCHECK_CODES = ("gradcheck",)
#: phrases of problem_text for a compare="threshold" case: a measured quantity short of its bound
THRESHOLD_CODES = ("threshold",)

#: what to try, by kind of problem, when the suite has nothing more specific
GENERIC_HINTS = {
    "type": "Return numpy arrays (np.array / np.zeros), not lists or other objects.",
    "dtype": "Compute in float64: do not cast, and create arrays with dtype float (the default).",
    "shape": "Compare your shapes with the docstring; a transposed result has the right size but the wrong shape.",
    "finite": "Look for overflow: an exp of a large number (softmax without the max shift) or a division by zero.",
    "value": "Print the intermediate quantities on a small case and compare them with the equations of the lecture.",
    "structure": "Return exactly what the docstring lists, in that order.",
    "mutation": "Work on copies (A = A.copy()) or build new arrays instead of writing into the arguments.",
}

GENERIC_HINTS_JA = {
    "type": "リストなどではなく numpy の配列（np.array / np.zeros）を返してください。",
    "dtype": "float64 で計算してください。型を変換せず、配列は float 型（既定）で作ってください。",
    "shape": "docstring に書かれた形と比べてください。転置した結果は要素数が同じでも形が違います。",
    "finite": "オーバーフローを探してください。大きな数の exp（最大値を引かないソフトマックス関数）や 0 での割り算が原因になります。",
    "value": "小さな例で途中の量を表示し、講義の式と一つずつ比べてください。",
    "structure": "docstring に書かれたものを、その順に、過不足なく返してください。",
    "mutation": "引数に書き込まず、コピー（A = A.copy()）や新しい配列を使ってください。",
}

_GENERIC = {"en": GENERIC_HINTS, "ja": GENERIC_HINTS_JA}


# ---------------------------------------------------------------------------------------------
# language


def default_lang(environ=None) -> str:
    """"ja" when the locale is Japanese (LC_ALL, else LC_MESSAGES, else LANG starts with "ja"), else "en"."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


#: the environment variable that chooses the feedback's language wherever ``lang`` is not given
LANG_VARIABLE = "RNNGRADE_LANG"


def env_lang(environ=None) -> str | None:
    """The language $RNNGRADE_LANG asks for ("ja" or "en"), None when it is unset or empty; UserError (one line)
    for any other value."""
    env = os.environ if environ is None else environ
    value = env.get(LANG_VARIABLE, "").strip().lower()
    if not value:
        return None
    if value not in LANGS:
        from .errors import UserError

        raise UserError(f"{LANG_VARIABLE}={value!r} is not a known language: set it to {' or '.join(LANGS)}, "
                        f"or unset it")
    return value


def resolve_lang(lang: str | None, default: str | None = None) -> str:
    """lang itself when it is one of LANGS (ValueError otherwise); for None, $RNNGRADE_LANG, else ``default``,
    else the locale's language."""
    if lang is None:
        return env_lang() or default or default_lang()
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(LANGS)}")
    return lang


def pick(text, lang: str) -> str:
    """A bilingual text {"en": …, "ja": …} in ``lang`` (English when missing); a plain str as it is."""
    if isinstance(text, dict):
        return text.get(lang) or text.get("en", "")
    return text or ""


def _end(lang: str) -> str:
    return "。" if lang == "ja" else ". "


def _sentence(function: str, quantity: str, problem: str, hint: str, lang: str) -> str:
    """The template: '<function>: <quantity> <problem>. <hint>' ('。' in Japanese)."""
    if not quantity:
        head = f"{function}: {problem}"
    elif lang == "ja" and ord(quantity[-1]) >= 0x3000:  # 戻り値の型 …: no space between Japanese words
        head = f"{function}: {quantity}{problem}"
    else:
        head = f"{function}: {quantity} {problem}"
    if lang == "ja":
        return f"{head}。{hint}".rstrip()
    return f"{head}. {hint}".rstrip()


# ---------------------------------------------------------------------------------------------
# the facts of a problem, in words


def _a(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def _thing(t, lang: str) -> str:
    """What the student returned, from checks.describe(): a tuple of plain facts."""
    what = t[0]
    if what == "array":
        return f"dtype {t[2]} の {t[1]}" if lang == "ja" else f"{_a(t[1])} of dtype {t[2]}"
    if what == "subclass":
        return f"ndarray のサブクラス {t[1]}" if lang == "ja" else f"the subclass {t[1]}"
    if what == "ragged":
        return f"数の長方形の配列になっていない {t[1]}" if lang == "ja" else f"a {t[1]} that is not a rectangular array of numbers"
    if what == "opaque":  # an English description made by the isolated worker, e.g. "a Sneaky (ndarray subclass)"
        if lang != "ja":
            return t[1]
        text = re.sub(r"^an? ", "", t[1])
        return text.replace(" (ndarray subclass)", "（ndarray のサブクラス）")
    if what == "none":
        return "None"
    if what == "complex":
        return "複素数" if lang == "ja" else "a complex number"
    if what == "bigint":
        return "float に収まらない大きさの int" if lang == "ja" else "an int too large for a float"
    if what == "entry":  # a list or tuple holding something that is not a real number
        if lang != "ja":
            return f"a {t[1]} holding {_thing(t[2], lang)}"
        inner = _thing(t[2], lang)
        return f"{inner}{'' if inner and ord(inner[-1]) >= 0x3000 else ' '}を含む {t[1]}"
    return t[1] if lang == "ja" else _a(t[1])  # ("object", type name)


def _expected_kind(e, lang: str) -> str:
    """What was expected, from a tuple of facts."""
    what = e[0]
    ja = lang == "ja"
    if what == "ndarray":
        return "numpy.ndarray" if ja else "a numpy.ndarray"
    if what == "plain_ndarray":
        return "サブクラスでない numpy.ndarray" if ja else "a plain numpy.ndarray"
    if what == "float":
        return "float" if ja else "a float"
    if what == "dict":
        return f"キー {list(e[1])} を持つ dict" if ja else f"a dict with keys {list(e[1])}"
    if what in ("tuple", "list"):
        return f"{e[1]} 個の要素の {what}" if ja else f"a {what} of {e[1]} items"
    if what == "outputs":  # the named items of a returned tuple
        return f"tuple ({', '.join(e[1])})" if ja else f"a tuple ({', '.join(e[1])})"
    return str(e)


def _index(index, entry, lang: str) -> str:
    """Where: 'at entry 2' for a labelled slice, 'at index [2, 1]' otherwise ('' for a scalar)."""
    if entry is not None:
        return f"要素 {entry}" if lang == "ja" else f"at entry {entry}"
    if not index:
        return ""
    return f"位置 {list(index)}" if lang == "ja" else f"at index {list(index)}"


def _got(text: str, lang: str, hidden: bool) -> str:
    """'(got …)' / '、実際: …' — nothing for a hidden case, where it would be the student's own fact."""
    if hidden:
        return ""
    return f"、実際: {text}" if lang == "ja" else f" (got {text})"


def problem_text(code: str, facts: dict, lang: str = "en", entry: int | None = None, hidden: bool = False) -> str:
    """The <problem> part of the template for a checks.Mismatch's code and facts.

    entry: for a labelled output (δ_t of D, …), the position inside the slice, which replaces
    the full index.
    hidden: for a hidden case: without the student's type names, dtypes, shapes, lengths, key names
    and measured values (see the module's docstring).
    """
    ja = lang == "ja"
    f = facts
    if code == "wrong_type":
        e, g = _expected_kind(f["expected"], lang), _got(_thing(f["got"], lang), lang, hidden)
        return f"の型が違います（期待: {e}{g}）" if ja else f"has the wrong type, expected {e}{g}"
    if code == "wrong_dtype":
        g = _got(f["got"], lang, hidden)
        return f"の dtype が違います（期待: {f['expected']}{g}）" if ja else f"has the wrong dtype, expected {f['expected']}{g}"
    if code == "wrong_shape":
        g = _got(f["got"], lang, hidden)
        return f"の形が違います（期待: {f['expected']}{g}）" if ja else f"has the wrong shape, expected {f['expected']}{g}"
    if code == "wrong_length":
        names = f" ({', '.join(f['names'])})" if f.get("names") else ""
        if ja:
            return f"の長さが違います（期待: {f['expected']} 個{names}{_got(str(f['got']) + ' 個', lang, hidden)}）"
        unit = "values" if f.get("names") else "items"
        return f"has the wrong length, expected {f['expected']} {unit}{names}{_got(f['got'], lang, hidden)}"
    if code == "wrong_keys":  # the missing keys are the reference's; the extra ones the student's
        missing, extra = f["missing"], f["extra"]
        if ja:
            parts = (([f"{missing} がありません"] if missing else [])
                     + (["余分なキーがあります" if hidden else f"{extra} は余分です"] if extra else []))
            return f"のキーが違います（期待: {f['expected']}{_got(f['got'], lang, hidden)}。{'、'.join(parts)}）"
        parts = (([f"lacks the keys {missing}"] if missing else [])
                 + (["has unexpected keys" if hidden else f"has unexpected keys {extra}"] if extra else []))
        return f"{' and '.join(parts)}, expected the keys {f['expected']}{_got(f['got'], lang, hidden)}"
    if code == "not_finite_number":
        return (f"が有限の数ではありません（期待: 有限の数、実際: {f['got']}）" if ja
                else f"is not finite, expected a finite number (got {f['got']})")
    if code == "not_finite":
        where = _index(f["index"], entry, lang)
        return (f"に有限でない値があります（期待: すべて有限の値、実際: {where} に {f['got']}）" if ja
                else f"is not finite, expected finite values (got {f['got']} {where})")
    if code == "value_number":
        return (f"が参照解と一致しません（相対誤差 {f['rel']:.1e}）" if ja
                else f"disagrees with the reference (rel. error {f['rel']:.1e})")
    if code == "value":
        where = _index(f["index"], entry, lang)
        if ja:
            return f"が参照解と一致しません（最大相対誤差 {f['rel']:.1e}{'、' + where if where else ''}）"
        return f"disagrees with the reference (max rel. error {f['rel']:.1e}{' ' + where if where else ''})"
    if code == "gradcheck":
        return _gradcheck_text(f, lang)
    if code == "threshold":  # a performance short of its bound: the bound and the student's own value
        if ja:
            return (f"が{'小さ' if f['at_least'] else '大き'}すぎます（期待: {f['bound']} "
                    f"{'以上' if f['at_least'] else '以下'}{_got(f['got'], lang, hidden)}）")
        return (f"is too {'low' if f['at_least'] else 'high'}, expected {'at least' if f['at_least'] else 'at most'} "
                f"{f['bound']}{_got(f['got'], lang, hidden)}")
    if code == "mutated":
        return ("がその場で書き換えられています（期待: 入力は変更しないこと、実際: 値が変わった）" if ja
                else "was modified in place, expected the inputs unchanged (got new values)")
    raise ValueError(f"unknown problem code {code!r}")


def _gradcheck_text(f: dict, lang: str) -> str:
    """A gradient against central differences of the loss: its relative error, or its worst entry's."""
    src = f.get("source") or ""
    idx = list(f.get("index") or ())
    if lang == "ja":
        head = f"（あなたの {src} から計算）" if src else ""
        if "elem" in f:
            return (f"{head}が損失の中心差分と一致しません（位置 {idx} の相対誤差 {f['elem']:.1e} > "
                    f"{f['elem_tol']:.0e}）")
        return f"{head}が損失の中心差分と一致しません（相対誤差 {f['rel']:.1e} > {f['tol']:.0e}）"
    head = f"computed from your {src} " if src else ""
    if "elem" in f:
        return (f"{head}disagrees with central differences of the loss at index {idx} "
                f"(rel. error of the entry {f['elem']:.1e} > {f['elem_tol']:.0e})")
    return f"{head}disagrees with central differences of the loss (rel. error {f['rel']:.1e} > {f['tol']:.0e})"


def _quantity(case, m, lang: str) -> tuple[str, int | None]:
    """(quantity, entry): a labelled output names its worst slice, e.g. δ_3 of D, and the entry in it."""
    if getattr(m, "code", "") == "threshold" and m.facts.get("quantity"):  # a measured quantity, named in lang
        return pick(m.facts["quantity"], lang), None
    label = case.labels.get(m.path)
    if label and m.kind in ("value", "finite") and len(m.index) == 2:
        axis, fmt = label
        return fmt.format(m.index[axis] + 1), m.index[1 - axis]
    path = m.path
    if lang == "ja":
        path = re.sub(r"^the result", "戻り値", path)
        path = re.sub(r"\bargument (\d+)", r"引数 \1", path)
    return path, None


def case_hint(case, kind: str, lang: str = "en") -> str:
    """The case's own hint for this kind of problem, else the generic one."""
    own = case.hints.get(kind)
    if own:
        return pick(own, lang)
    return _GENERIC[lang].get(kind, "")


def render(case, m, lang: str = "en", hint=None, hidden: bool = False) -> str:
    """The one-line feedback for a Mismatch ``m`` found in ``case``; ``hint`` (a str or
    {"en", "ja"}) replaces the case's hint, e.g. a recognised mistake's. hidden: for a hidden
    case, only the grader's and bounded facts (see the module's docstring)."""
    quantity, entry = _quantity(case, m, lang)
    code = getattr(m, "code", "")
    problem = problem_text(code, m.facts, lang, entry, hidden) if code else m.problem
    if not code and entry is not None:  # a Mismatch made by hand: only its English phrase is known
        problem = re.sub(r" at index \[[0-9, ]*\]", f" at entry {entry}", problem)
    text = pick(hint, lang) if hint else case_hint(case, m.kind, lang)
    return _sentence(case.function, quantity, problem, text, lang)


# ---------------------------------------------------------------------------------------------
# when there is no result to compare


def not_implemented(function: str, lang: str = "en") -> str:
    if lang == "ja":
        return _sentence(function, "", "まだ実装されていません（期待: 戻り値、実際: NotImplementedError）",
                         "`raise NotImplementedError()` をあなたのコードに置き換えてください。", lang)
    return _sentence(function, "", "not implemented yet, expected a result (got NotImplementedError)",
                     "Replace `raise NotImplementedError()` with your code.", lang)


def exception_name(type_name: str) -> str | None:
    """The exception's type name when it is Python's own (ValueError, …) or numpy's LinAlgError or AxisError;
    None for any other, whose name the student chose."""
    known = getattr(builtins, type_name, None) if isinstance(type_name, str) and type_name.isidentifier() else None
    if (isinstance(known, type) and issubclass(known, BaseException)) or type_name in ("LinAlgError", "AxisError"):
        return type_name
    return None


def _located(where: str, lang: str) -> str:
    """'line 12' / 'cell 7, line 3' (Submission.where) in the language."""
    if lang != "ja" or not where:
        return where
    return re.sub(r"^(?:cell (\d+), )?line (\d+)$",
                  lambda m: (f"セル {m[1]} の" if m[1] else "") + f"{m[2]} 行目", where)


def exception_text(type_name: str, message: str, lang: str = "en", hidden: bool = False, where: str = "") -> str:
    """What an exception was, for the feedback: its type's name and the first line of its message
    ("ValueError: shapes (2,) (3,) …"); for a hidden case only a builtin type's name and where it
    was raised ("ValueError at line 12", "an exception at line 12")."""
    if not hidden:
        text = message.strip().splitlines()[0][:200].strip() if message and message.strip() else ""
        return f"{type_name}{': ' + text if text else ''}"
    name = exception_name(type_name) or ("例外" if lang == "ja" else "an exception")
    if not where:
        return name
    return f"{name}（{_located(where, lang)}）" if lang == "ja" else f"{name} at {where}"


def raised_text(function: str, type_name: str, message: str, lang: str = "en", hint=None, hidden: bool = False,
                where: str = "") -> str:
    """An exception known by its type's name and message (e.g. sent back by an isolated worker).

    hidden: for a hidden case, never the message (see exception_text); where: the line it was raised at
    ("line 12", "cell 7, line 3"), shown for a hidden case."""
    got = exception_text(type_name, message, lang, hidden, where)
    if lang == "ja":
        return _sentence(function, "", f"呼び出しで例外が発生しました（期待: 戻り値、実際: {got}）",
                         pick(hint, lang) if hint else "小さな例で実行して、トレースバックを読んでください。", lang)
    return _sentence(function, "", f"the call raised an exception, expected a result (got {got})",
                     pick(hint, lang) if hint else "Run it on a small example and read the traceback.", lang)


def raised(function: str, exc: BaseException, lang: str = "en", hint=None, hidden: bool = False) -> str:
    return raised_text(function, type(exc).__name__, "" if hidden else str(exc), lang, hint, hidden)


def ending(why: str, hidden: bool = False) -> str:
    """How a worker process ended (runner.describe_exit's words); for a hidden case without the exit
    code, which the student's code chose."""
    return re.sub(r" with code -?\d+", "", why or "") if hidden else why


def internal_error(function: str, type_name: str, lang: str = "en") -> str:
    """A case the grader itself failed to judge (a bug of the grader, not of the submission)."""
    name = exception_name(type_name) or "Exception"
    if lang == "ja":
        return _sentence(function, "", f"このケースの判定中に採点プログラムの内部エラーが発生しました（期待: 判定結果、実際: {name}）",
                         "あなたのコードの誤りとは限りません。教員に報告してください。", lang)
    return _sentence(function, "", f"internal error while judging this case, expected a verdict (got {name})",
                     "Not necessarily a mistake of yours: please report it.", lang)


def missing_function(function: str, lang: str = "en") -> str:
    if lang == "ja":
        return _sentence(function, "", f"関数が見つかりません（期待: {function} という名前の関数、実際: なし）",
                         "テンプレートの関数名と引数を変えないでください。", lang)
    return _sentence(function, "", f"function not found, expected a function named {function} (got nothing)",
                     "Keep the names and signatures of the template.", lang)


#: when the isolated worker gave no result: kind -> (problem, hint) per language; {placeholders} from facts
NO_RESULT = {
    "timeout": {
        "en": ("timed out after {seconds} s, expected a result (got no answer)",
               "Look for an endless loop, or a computation far slower than needed (Python loops where numpy would do)."),
        "ja": ("{seconds} 秒で時間切れになりました（期待: 戻り値、実際: 応答なし）",
               "無限ループや、numpy で書ける計算を Python のループで遅くしていないか確認してください。"),
    },
    "total_timeout": {
        "en": ("timed out, expected a result (got no answer within the submission's total time of {seconds} s)",
               "Look for endless loops or slow computations in this and the earlier functions."),
        "ja": ("時間切れになりました（期待: 戻り値、実際: 提出全体の制限時間 {seconds} 秒以内に応答なし）",
               "この関数とそれ以前の関数に、無限ループや遅い計算がないか確認してください。"),
    },
    "crashed": {
        "en": ("the call crashed the Python process, expected a result (got {what})",
               "Look for os._exit, ctypes, or arrays far larger than the inputs."),
        "ja": ("呼び出しで Python のプロセスが異常終了しました（期待: 戻り値、実際: {what}）",
               "os._exit や ctypes、入力よりはるかに大きな配列を使っていないか確認してください。"),
    },
    "import_error": {
        "en": ("the module could not be imported, expected it to define {function} (got {what})",
               "Run the whole file or notebook from a fresh start and fix the first error."),
        "ja": ("モジュールを読み込めませんでした（期待: {function} の定義、実際: {what}）",
               "ファイルまたはノートブック全体を最初から実行し、最初のエラーを直してください。"),
    },
    "import_exit": {
        "en": ("the module called sys.exit() at import{where}, expected it only to define functions (got SystemExit)",
               "Remove the exit, or put experiments under `if __name__ == \"__main__\":`."),
        "ja": ("モジュールの読み込み中に sys.exit() が呼ばれました{where}（期待: 関数の定義だけ、実際: SystemExit）",
               "exit を削除するか、実験コードを `if __name__ == \"__main__\":` の下に移してください。"),
    },
    "import_timeout": {
        "en": ("the module did not finish importing within {seconds} s, expected it only to define functions "
               "(got no answer)", "Look for an endless loop or a long experiment outside the functions."),
        "ja": ("モジュールの読み込みが {seconds} 秒以内に終わりませんでした（期待: 関数の定義だけ、実際: 応答なし）",
               "関数の外にある無限ループや長い実験コードを確認してください。"),
    },
    "import_crash": {
        "en": ("the module crashed the Python process while being imported, expected it only to define functions "
               "(got {what})", "Look for os._exit, ctypes or huge arrays outside the functions."),
        "ja": ("モジュールの読み込み中に Python のプロセスが異常終了しました（期待: 関数の定義だけ、実際: {what}）",
               "関数の外で os._exit や ctypes、巨大な配列を使っていないか確認してください。"),
    },
}


def no_result(function: str, kind: str, lang: str = "en", **facts) -> str:
    """The message for a case that produced no result (timeout, crash, failed import)."""
    problem, hint = NO_RESULT[kind][lang if lang in ("en", "ja") else "en"]
    facts = {"function": function, "where": "", "what": "", "seconds": "", **facts}
    return _sentence(function, "", problem.format(**facts), hint, lang)


def consistency(function: str, forward: str, worst, lang: str = "en", *, uses_loss: bool = False,
                factor: float | None = None, precision: str = "float64") -> str:
    """The 0-point check of a backward against central differences of the student's own forward.

    worst: None when they agree, else (gradient name, rel. error); ("", inf) when the result
    could not be compared at all. uses_loss: the check differentiates the student's forward *and* loss.
    factor: the numerical gradient is factor × the backward's (a scaled loss). precision: the dtype the
    backward computes in (float32 is checked with float32's tolerance, and said so). Always "information,
    0 points": it never costs a point, and is never shown as a failed case.
    """
    ja = lang == "ja"
    fwd = (f"{forward} と loss" if ja else f"{forward} and loss") if uses_loss else forward
    prec = ""
    if precision != "float64":
        prec = (f"{precision} の精度に合わせた許容誤差で比べました。" if ja
                else f" (compared with the tolerance {precision} allows)")
    if worst is None:
        if ja:
            return (f"{function}: 勾配があなた自身の {fwd} の中心差分と一致しています（参考情報、0 点）。{prec}"
                    f"{fwd} が正しければ、逆伝播も正しいはずです。")
        return (f"{function}: your gradients agree with central differences of your own {fwd}{prec} "
                f"(information, 0 points). If {fwd} {'are' if uses_loss else 'is'} right, so is your backward.")
    key, rel = worst
    what = f"∂/∂{key}" if key else ("戻り値" if ja else "the result")
    if factor is not None:
        if ja:
            return (f"{function}: あなた自身の {fwd} の中心差分は、あなたの {what} のちょうど {factor:.4g} 倍です（参考情報、0 点）。"
                    f"逆伝播と {'loss' if uses_loss else forward} の尺度が違います。{'loss が講義の和ではなく平均を取っていないか、½ が抜けていないか' if uses_loss else forward + ' の尺度'}"
                    f"を確かめてください。{function} の採点ケースに合格していれば、誤りは {'loss' if uses_loss else forward} にあります。")
        return (f"{function}: central differences of your own {fwd} are exactly {factor:.4g} times your {what} "
                f"(information, 0 points): your backward and your {'loss' if uses_loss else forward} differ by a "
                f"constant factor. {'Check that loss takes the lecture’s sum, not a mean, and keeps its ½' if uses_loss else 'Check the scale of ' + forward}"
                f"; if {function} passes its scored cases, the mistake is in {'loss' if uses_loss else forward}.")
    err = f"rel. error {rel:.1e}" if rel != float("inf") else "not comparable"
    if ja:
        err_ja = f"相対誤差 {rel:.1e}" if rel != float("inf") else "比較できません"
        return (f"{function}: {what} があなた自身の {fwd} の中心差分と一致しません（{err_ja}、参考情報、0 点）。{prec}"
                f"{fwd} が正しいなら誤りは {function} に、そうでなければまず {fwd} を直してください。")
    return (f"{function}: {what} disagrees with central differences of your own {fwd} ({err}){prec}, expected them "
            f"to agree (got a backward that does not match your {fwd}; information, 0 points). If {fwd} "
            f"{'are' if uses_loss else 'is'} right, the mistake is in {function}; if not, fix {fwd} first.")
