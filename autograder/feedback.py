"""The one-line feedback to students, in English and Japanese, every word from the message catalog; one template:

    <function>: <quantity> <problem>, expected <X> (got <Y>). <hint>
    <function>: <quantity> <problem>（期待: <X>、実際: <Y>）。<hint>

e.g. ``deltas: δ_3 disagrees with the reference (max rel. error 4.1e-01 at entry 2). Did you
use W instead of Wᵀ in the δ recursion? …``. checks.compare finds the facts of a problem
(a Mismatch: its kind, a phrase code and plain facts); render() turns them into the sentence
in the requested language. Never a hidden reference array: only shapes, dtypes, key names,
error sizes, indices, and the student's own values.

Every word comes from the message catalog (autograder/messages/, its feedback section): this module
chooses the entries from the facts and composes them; the only language-specific code left here is
how pieces join (no space after a Japanese word, an English plural). GENERIC_HINTS, GENERIC_HINTS_JA
and NO_RESULT are views of the catalog, kept for their readers.

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

from .messages import LANGS, MESSAGES, Said, text

#: the phrases of problem_text, one per kind of fact checks.compare and cases.judge report
PROBLEM_CODES = ("wrong_type", "wrong_dtype", "wrong_shape", "wrong_length", "wrong_keys", "not_finite_number",
                 "not_finite", "value_number", "value", "mutated")
#: phrases of problem_text beyond checks.compare's: a gradient that fails the finite-difference check
GRADCHECK_CODES = ("gradcheck",)
#: phrases of problem_text for a compare="threshold" case: a measured quantity short of its bound
THRESHOLD_CODES = ("threshold",)

#: the kinds of problem that have a generic hint (the catalog's generic_<kind>)
GENERIC_KINDS = ("type", "dtype", "shape", "finite", "value", "structure", "mutation")
#: what to try, by kind of problem, when the suite has nothing more specific (a view of the catalog)
GENERIC_HINTS = {kind: text("generic_" + kind, "en") for kind in GENERIC_KINDS}
GENERIC_HINTS_JA = {kind: text("generic_" + kind, "ja") for kind in GENERIC_KINDS}

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


def _gap(word: str, lang: str) -> str:
    """The space after ``word`` before the next word: none after a Japanese word in Japanese (戻り値の型 …)."""
    return "" if lang == "ja" and word and ord(word[-1]) >= 0x3000 else " "


def _sentence(function: str, quantity: str, problem: str, hint: str, lang: str) -> str:
    """The template: '<function>: <quantity> <problem>. <hint>' ('。' in Japanese)."""
    head = f"{function}: {quantity}{_gap(quantity, lang)}{problem}" if quantity else f"{function}: {problem}"
    return text("sentence", lang, head=head, hint=hint).rstrip()


# ---------------------------------------------------------------------------------------------
# the facts of a problem, in words


def _a(word: str, lang: str) -> str:
    """The word with its indefinite article ('a float', 'an int'; the word alone in Japanese)."""
    return text("indefinite_an" if word[:1].lower() in "aeiou" else "indefinite_a", lang, word=word)


def _thing(t, lang: str) -> str:
    """What the student returned, from checks.describe(): a tuple of plain facts."""
    what = t[0]
    if what == "array":
        return text("thing_array", lang, thing=_a(t[1], lang), dtype=t[2])
    if what == "subclass":
        return text("thing_subclass", lang, name=t[1])
    if what == "ragged":
        return text("thing_ragged", lang, name=t[1])
    if what == "opaque":  # a value the worker could not send, as its kind and facts (checks.Opaque)
        return _opaque(t[1], dict(t[2]) if len(t) > 2 else {}, lang)
    if what == "none":
        return "None"
    if what == "complex":
        return text("thing_complex", lang)
    if what == "bigint":
        return text("thing_bigint", lang)
    if what == "entry":  # a list or tuple holding something that is not a real number
        inner = _thing(t[2], lang)
        return text("thing_entry", lang, container=t[1], inner=inner, gap=_gap(inner, lang))
    return _a(t[1], lang)  # ("object", type name)


#: the kinds of opaque value (wire.OPAQUE) worded by the catalog's opaque_<kind>, with no fact
OPAQUE_PLAIN = ("object", "complex", "structured", "unsupported_dtype", "nested", "bad_keys", "long_str", "bigint",
                "too_large", "malformed", "unreturnable")


def _opaque(kind: str, facts: dict, lang: str) -> str:
    """A value the worker could not send, from its kind and facts (wire.OPAQUE): the catalog's opaque_<kind>; an
    unknown kind, or one without its facts, is "an object"."""
    if kind in ("instance", "subclass") and facts.get("type"):
        thing = _a(str(facts["type"]), lang)
        return thing if kind == "instance" else text("opaque_subclass", lang, thing=thing)
    if kind == "dtype" and facts.get("dtype"):
        return text("opaque_dtype", lang, dtype=facts["dtype"])
    if kind in ("too_much", "too_much_all") and isinstance(facts.get("mb"), int):
        return text("opaque_" + kind, lang, mb=facts["mb"])
    return text("opaque_" + (kind if kind in OPAQUE_PLAIN else "object"), lang)


def _expected_kind(e, lang: str) -> str:
    """What was expected, from a tuple of facts."""
    what = e[0]
    if what in ("ndarray", "plain_ndarray", "float"):
        return text("expected_" + what, lang)
    if what == "dict":
        return text("expected_dict", lang, keys=list(e[1]))
    if what in ("tuple", "list"):
        return text("expected_sequence", lang, what=what, n=e[1])
    if what == "outputs":  # the named items of a returned tuple
        return text("expected_outputs", lang, names=", ".join(e[1]))
    return str(e)


def _index(index, entry, lang: str) -> str:
    """Where: 'at entry 2' for a labelled slice, 'at index [2, 1]' otherwise ('' for a scalar)."""
    if entry is not None:
        return text("at_entry", lang, entry=entry)
    if not index:
        return ""
    return text("at_index", lang, index=list(index))


def _got(got, lang: str, hidden: bool) -> str:
    """'(got …)' / '、実際: …' — nothing for a hidden case, where it would be the student's own fact."""
    if hidden:
        return ""
    return text("got", lang, got=got)


def problem_text(code: str, facts: dict, lang: str = "en", entry: int | None = None, hidden: bool = False) -> str:
    """The <problem> part of the template for a checks.Mismatch's code and facts.

    entry: for a labelled output (δ_t of D, …), the position inside the slice, which replaces
    the full index.
    hidden: for a hidden case: without the student's type names, dtypes, shapes, lengths, key names
    and measured values (see the module's docstring).
    """
    f = facts
    if code in ("wrong_type", "wrong_dtype", "wrong_shape"):
        expected = _expected_kind(f["expected"], lang) if code == "wrong_type" else f["expected"]
        got = _thing(f["got"], lang) if code == "wrong_type" else f["got"]
        return text("problem_" + code, lang, expected=expected, got=_got(got, lang, hidden))
    if code == "wrong_length":
        names = f" ({', '.join(f['names'])})" if f.get("names") else ""
        return text("problem_wrong_length_values" if f.get("names") else "problem_wrong_length_items", lang,
                    expected=f["expected"], names=names, got=_got(text("count", lang, n=f["got"]), lang, hidden))
    if code == "wrong_keys":  # the missing keys are the reference's; the extra ones the student's
        missing, extra = f["missing"], f["extra"]
        parts = (([text("keys_missing", lang, missing=missing)] if missing else [])
                 + ([text("keys_extra_hidden", lang) if hidden else text("keys_extra", lang, extra=extra)]
                    if extra else []))
        return text("problem_wrong_keys", lang, parts=text("keys_and", lang).join(parts), expected=f["expected"],
                    got=_got(f["got"], lang, hidden))
    if code == "not_finite_number":
        return text("problem_not_finite_number", lang, got=f["got"])
    if code == "not_finite":
        return text("problem_not_finite", lang, got=f["got"], where=_index(f["index"], entry, lang))
    if code == "value_number":
        if f.get("zero"):
            return text("problem_value_zero", lang, abs=f["abs"], where="")
        return text("problem_value_number", lang, rel=f["rel"])
    if code == "value":
        where = _index(f["index"], entry, lang)
        if f.get("zero"):
            return text("problem_value_zero_at" if where else "problem_value_zero", lang, abs=f["abs"], where=where)
        return text("problem_value_at" if where else "problem_value", lang, rel=f["rel"], where=where)
    if code == "gradcheck":
        return _gradcheck_text(f, lang)
    if code == "threshold":  # a performance short of its bound: the bound and the student's own value
        return text("problem_threshold_low" if f["at_least"] else "problem_threshold_high", lang, bound=f["bound"],
                    got=_got(f["got"], lang, hidden))
    if code == "mutated":
        return text("problem_mutated", lang)
    raise ValueError(f"unknown problem code {code!r}")


def _gradcheck_text(f: dict, lang: str) -> str:
    """A gradient against central differences of the loss: its relative error, or its worst entry's."""
    src = f.get("source") or ""
    head = text("gradcheck_source", lang, source=src) if src else ""
    if "elem" in f:
        return text("problem_gradcheck_entry", lang, head=head, index=list(f.get("index") or ()), elem=f["elem"],
                    elem_tol=f["elem_tol"])
    return text("problem_gradcheck", lang, head=head, rel=f["rel"], tol=f["tol"])


def _quantity(case, m, lang: str) -> tuple[str, int | None]:
    """(quantity, entry): a labelled output names its worst slice, e.g. δ_3 of D, and the entry in it."""
    if getattr(m, "code", "") == "threshold" and m.facts.get("quantity"):  # a measured quantity, named in lang
        return pick(m.facts["quantity"], lang), None
    label = case.labels.get(m.path)
    if label and m.kind in ("value", "finite") and len(m.index) == 2:
        axis, fmt = label
        return fmt.format(m.index[axis] + 1), m.index[1 - axis]
    path = re.sub(r"^the result", lambda _: text("path_result", lang), m.path)  # the grader's English path words
    return re.sub(r"\bargument (\d+)", lambda a: text("path_argument", lang, n=a[1]), path), None


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
        problem = re.sub(r" at index \[[0-9, ]*\]", lambda _: " " + text("at_entry", "en", entry=entry), problem)
    said = pick(hint, lang) if hint else case_hint(case, m.kind, lang)
    return _sentence(case.function, quantity, problem, said, lang)


# ---------------------------------------------------------------------------------------------
# when there is no result to compare


def not_implemented(function: str, lang: str = "en") -> str:
    """A function still raising the template's NotImplementedError."""
    return _sentence(function, "", text("not_implemented", lang), text("not_implemented_hint", lang), lang)


def exception_name(type_name: str) -> str | None:
    """The exception's type name when it is Python's own (ValueError, …) or numpy's LinAlgError or AxisError;
    None for any other, whose name the student chose."""
    known = getattr(builtins, type_name, None) if isinstance(type_name, str) and type_name.isidentifier() else None
    if (isinstance(known, type) and issubclass(known, BaseException)) or type_name in ("LinAlgError", "AxisError"):
        return type_name
    return None


def _located(where: str, lang: str) -> str:
    """'line 12' / 'cell 7, line 3' (Submission.where) in the language."""
    if not where:
        return where
    return re.sub(r"^(?:cell (\d+), )?line (\d+)$", lambda m: (text("at_cell_line", lang, cell=m[1], line=m[2]) if m[1]
                                                           else text("at_line", lang, line=m[2])), where)


def exception_text(type_name: str, message: str, lang: str = "en", hidden: bool = False, where: str = "") -> str:
    """What an exception was, for the feedback: its type's name and the first line of its message
    ("ValueError: shapes (2,) (3,) …"); for a hidden case only a builtin type's name and where it
    was raised ("ValueError at line 12", "an exception at line 12")."""
    if not hidden:
        first = message.strip().splitlines()[0][:200].strip() if message and message.strip() else ""
        return f"{type_name}{': ' + first if first else ''}"
    name = exception_name(type_name) or text("an_exception", lang)
    if not where:
        return name
    return text("exception_at", lang, name=name, where=_located(where, lang))


def raised_text(function: str, type_name: str, message: str, lang: str = "en", hint=None, hidden: bool = False,
                where: str = "") -> str:
    """An exception known by its type's name and message (e.g. sent back by an isolated worker).

    hidden: for a hidden case, never the message (see exception_text); where: the line it was raised at
    ("line 12", "cell 7, line 3"), shown for a hidden case."""
    got = exception_text(type_name, message, lang, hidden, where)
    said = pick(hint, lang) if hint else text("raised_hint", lang)
    return _sentence(function, "", text("raised", lang, got=got), said, lang)


def raised(function: str, exc: BaseException, lang: str = "en", hint=None, hidden: bool = False) -> str:
    return raised_text(function, type(exc).__name__, "" if hidden else str(exc), lang, hint, hidden)


def ending(why, hidden: bool = False, lang: str = "en") -> str:
    """How a worker process ended, in ``lang``: session.describe_exit's facts (a messages.Said) worded by the catalog;
    for a hidden case without the exit code, which the student's code chose. A plain str (English) is kept, the exit
    code taken out of it for a hidden case."""
    if isinstance(why, Said):
        return (Said("exit_code_hidden") if hidden and why.key == "exit_code" else why).in_lang(lang)
    return re.sub(r" with code -?\d+", "", why or "") if hidden else why


def internal_error(function: str, type_name: str, lang: str = "en") -> str:
    """A case the grader itself failed to judge (a bug of the grader, not of the submission)."""
    name = exception_name(type_name) or "Exception"
    return _sentence(function, "", text("internal_error", lang, name=name), text("internal_error_hint", lang), lang)


def missing_function(function: str, lang: str = "en") -> str:
    """A graded function the submission does not define."""
    return _sentence(function, "", text("missing_function", lang, function=function),
                     text("missing_function_hint", lang), lang)


#: the kinds of case without a result (the catalog's no_result_<kind> and no_result_<kind>_hint)
NO_RESULT_KINDS = ("timeout", "total_timeout", "crashed", "import_error", "import_exit", "import_timeout",
                   "import_crash")
#: when the isolated worker gave no result: kind -> (problem, hint) per language; {placeholders} from facts (a view
#: of the catalog)
NO_RESULT = {kind: {lang: (MESSAGES[f"no_result_{kind}"][lang], MESSAGES[f"no_result_{kind}_hint"][lang])
                    for lang in LANGS} for kind in NO_RESULT_KINDS}


def no_result(function: str, kind: str, lang: str = "en", **facts) -> str:
    """The message for a case that produced no result (timeout, crash, failed import)."""
    if kind not in NO_RESULT_KINDS:
        raise KeyError(kind)
    facts = {"function": function, "where": "", "what": "", "seconds": "", **facts}
    return _sentence(function, "", text(f"no_result_{kind}", lang, **facts), text(f"no_result_{kind}_hint", lang), lang)


def consistency(function: str, forward: str, worst, lang: str = "en", *, uses_loss: bool = False,
                factor: float | None = None, precision: str = "float64") -> str:
    """The 0-point check of a backward against central differences of the student's own forward.

    worst: None when they agree, else (gradient name, rel. error); ("", inf) when the result
    could not be compared at all. uses_loss: the check differentiates the student's forward *and* loss.
    factor: the numerical gradient is factor × the backward's (a scaled loss). precision: the dtype the
    backward computes in (float32 is checked with float32's tolerance, and said so). Always "information,
    0 points": it never costs a point, and is never shown as a failed case.
    """
    fwd = text("forward_and_loss", lang, forward=forward) if uses_loss else forward
    prec = text("consistency_precision", lang, precision=precision) if precision != "float64" else ""
    plural = "_with_loss" if uses_loss else ""  # "If forward and loss are right" (English's plural)
    if worst is None:
        return text("consistency_agree" + plural, lang, function=function, fwd=fwd, prec=prec)
    key, rel = worst
    what = f"∂/∂{key}" if key else text("path_result", lang)
    if factor is not None:
        culprit = "loss" if uses_loss else forward
        check = text("consistency_check_loss", lang) if uses_loss else text("consistency_check_scale", lang,
                                                                           forward=forward)
        return text("consistency_factor", lang, function=function, fwd=fwd, what=what, factor=factor,
                    culprit=culprit, check=check)
    err = (text("consistency_rel_error", lang, rel=rel) if rel != float("inf")
           else text("consistency_not_comparable", lang))
    return text("consistency_disagree" + plural, lang, function=function, what=what, fwd=fwd, err=err, prec=prec)
