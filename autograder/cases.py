"""Case and CaseResult: one scored check of one student function (named so pytest skips them)."""

from __future__ import annotations

import copy
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import checks, diagnosis, feedback, messages, mistakes
from .drivers import DRIVERS


@dataclass(frozen=True)
class Case:
    """One scored call of a student function on seeded inputs, compared with rnnref.

    make(rng) -> (args, kwargs, expected): the inputs (arrays and plain values only) and
        the reference result, a structure of tuples, lists, dicts, float64 arrays and
        floats that mirrors what the student must return. Backward cases get reference
        inputs, so that a wrong forward does not also fail every backward.
    outputs: names of the items of a returned tuple, or the name of the one result.
    labels: output name -> (axis, format) naming a slice, e.g. {"D": (1, "δ_{}")}: the
        worst entry of D in column t is reported as δ_{t+1}.
    driver: how to call the function (see drivers.py).
    hints: kind of problem ("shape", "value", …) -> what to check, in English and Japanese.
    assignment: the suite's name; with it, a failing result is checked against the typical
        mistakes of autograder/known_mistakes/<assignment>.py (MISTAKES[function]) and the hint names the one found.
    """

    function: str
    label: str  # what is special about this case: "T=5, H=4, regression"
    make: Callable[[np.random.Generator], tuple[tuple, dict, Any]]
    points: float
    visible: bool
    arg_names: tuple = ()
    outputs: tuple | str = ()
    driver: str = "call"
    labels: dict = field(default_factory=dict)
    hints: dict = field(default_factory=dict)  # kind of problem -> hint: a str, or {"en": …, "ja": …}
    assignment: str = ""  # e.g. "rnn_bptt": whose known_mistakes/<assignment>.py holds the function's typical mistakes
    compare: str = "values"  # "values": checks.compare; "gradcheck": expected is an FDGradients (see below);
    # "threshold": expected is a Threshold, a measured quantity at least / at most a bound
    post: Callable | None = None  # gradcheck: (checked result, expected.extra) -> {name: gradient}

    @property
    def name(self) -> str:
        return f"{self.function} [{self.label}]"

    def build(self, seed: int, index: int) -> tuple[tuple, dict, Any]:
        """The case's inputs and expected result for this seed (index: the case's position)."""
        return self.make(np.random.default_rng([seed, index]))


class FDGradients(dict):
    """The expected result of a compare="gradcheck" case: {name: the numerical gradient ∂E/∂name}.

    The entries are central differences (rnnref.gradcheck.numerical_gradient, h = checks.GRAD_H)
    of the reference loss, not rnnref's analytic gradient. ``like`` is the reference result in
    the student's format (walked for type, dtype, shape and finite values only); ``extra`` holds
    parent-only inputs of the case's ``post`` (e.g. X and Z̃, to turn D into D X and D Z̃).
    """

    def __init__(self, numerical: dict, like, extra: dict | None = None, source: str = ""):
        super().__init__(numerical)
        self.like = like
        self.extra = dict(extra or {})
        self.source = source  # what the gradients are computed from, e.g. "D" ("" for the result itself)


def _checked(got, like):
    """A result that checks.compare(got, like, values=False) accepted, rebuilt as plain data: float64
    arrays where ``like`` has arrays, floats where it has floats, the reference's containers."""
    if isinstance(like, dict):
        return {k: _checked(got[k], v) for k, v in like.items()}
    if isinstance(like, (tuple, list)):
        return type(like)(_checked(g, e) for g, e in zip(got, like))
    if isinstance(like, float):
        return checks.as_float(got, "")
    return checks.as_float64_array(got, "")


def _as_gradients(case: Case, result, expected: FDGradients) -> dict:
    """The student's (checked) result as {name: float64 gradient}, through the case's post."""
    result = _checked(result, expected.like)
    if case.post is not None:
        grads = case.post(result, expected.extra)
    elif isinstance(result, dict):
        grads = result
    else:
        (name,) = expected.keys()
        grads = {name: result}
    return {k: np.asarray(checks.as_float64_array(grads[k], k), dtype=np.float64) for k in expected}


def grad_agreement(a: np.ndarray, n: np.ndarray):
    """rnnref.gradcheck's criterion for an analytic gradient a and a numerical one n.

    Per tensor ‖a − n‖ ≤ tol·(‖a‖ + ‖n‖) + atol·√k, and per entry
    |a_i − n_i| ≤ elem_tol·(|a_i| + |n_i| + 10⁻³·max_j max(|a_j|, |n_j|)) + atol.
    Returns (ok, rel. error, index of the worst entry, its error, whether the norm test passed).
    """
    import importlib

    gc = importlib.import_module("rnnref.gradcheck")  # the module: rnnref.gradcheck is also its function
    rel = gc.rel_error(a, n)
    k = max(a.size, 1)
    na, nn = np.linalg.norm(a), np.linalg.norm(n)
    norm_ok = bool(np.isfinite(rel) and np.linalg.norm(a - n) <= checks.GRAD_TOL * (na + nn) + gc.DEFAULT_ATOL * np.sqrt(k))
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(n), initial=0.0))
    diff = np.abs(a - n)
    denom = np.abs(a) + np.abs(n) + gc.ELEM_FLOOR * scale
    ok = norm_ok and bool(np.all(diff <= gc.DEFAULT_ELEM_TOL * denom + gc.DEFAULT_ATOL))
    with np.errstate(invalid="ignore", divide="ignore"):
        elem = np.where(diff == 0, 0.0, diff / np.where(denom == 0, 1.0, denom))
    flat = int(np.argmax(elem)) if elem.size else 0
    index = tuple(int(i) for i in np.unravel_index(flat, elem.shape)) if elem.size else ()
    return ok, rel, index, float(elem.reshape(-1)[flat]) if elem.size else 0.0, norm_ok


class OwnForward:
    """The 'expected' of a consistency case: no reference at all — the student's own forward,
    differentiated numerically in the worker, is the yardstick for their backward."""

    def __init__(self, keys, forward: str):
        self.keys = tuple(keys)
        self.forward = forward


#: the finite-difference tolerance of the consistency check, by the precision the student's code computes in: central
#: differences (h = 1e-5) of a float32 forward carry an error of about eps32 · |φ| / h, far above float64's
CONSISTENCY_TOL = {"float64": None, "float32": 3e-2, "float16": 0.5}


def _real_array(x):
    """A plain real array of any float or int dtype as float64, with its dtype's name; (None, "") otherwise."""
    if type(x) is np.ndarray and x.dtype.kind in "iuf":
        return x.astype(np.float64), ("float64" if x.dtype.kind in "iu" else str(x.dtype))
    if isinstance(x, (list, tuple)):
        a = checks.as_float64_array(x, "")
        return (a, "float64") if isinstance(a, np.ndarray) else (None, "")
    return None, ""


def consistency_result(case: Case, result, expected: OwnForward, lang: str) -> CaseResult:
    """Whether the student's backward agrees with central differences of their own forward
    (0 points: it tells a student with a wrong forward whether the backward at least matches it).

    The tolerance is the one the student's precision allows: a float32 backward is compared with a tolerance
    fit for float32 finite differences (float32 is no mistake here). When the backward is a constant multiple of
    the numerical gradient, the sentence says so: the forward's loss is scaled (a mean for a sum, a ½ missing)."""
    fn, fwd = case.function, expected.forward
    uses_loss = case.driver == "own_forward_deltas"
    worst = None
    factor = None
    precision = "float64"
    if not (isinstance(result, dict) and isinstance(result.get("analytic"), dict)
            and isinstance(result.get("numerical"), dict)):
        worst = ("", float("inf"))
    else:
        for key in expected.keys:
            a, dtype = _real_array(result["analytic"].get(key))
            n = result["numerical"].get(key)
            if dtype in CONSISTENCY_TOL and dtype != "float64":
                precision = dtype
            if a is None or type(n) is not np.ndarray or n.dtype.kind not in "iuf" or a.shape != n.shape:
                worst = (key, float("inf"))
                break
            n = n.astype(np.float64)
            tol = CONSISTENCY_TOL.get(dtype)
            if tol is None:
                ok, rel, *_ = grad_agreement(a, n)
            else:
                import importlib

                rel = importlib.import_module("rnnref.gradcheck").rel_error(a, n)
                ok = bool(np.isfinite(rel) and rel <= tol)
            if not ok:
                worst = (key, rel)
                den = float(np.sum(a * a))
                if den > 0 and np.all(np.isfinite(n)):
                    c = float(np.sum(a * n)) / den  # numerical ≈ c · analytic
                    if abs(c - 1) > 1e-2 and np.linalg.norm(n - c * a) <= 1e-6 * max(np.linalg.norm(n), 1e-300):
                        factor = c
                break
    text = feedback.consistency(fn, fwd, worst, lang, uses_loss=uses_loss, factor=factor, precision=precision)
    tags = [] if worst is None else (["consistency:scale"] if factor is not None else ["consistency:disagrees"])
    return CaseResult(case.name, fn, 0.0, case.points, "passed" if worst is None else "failed", text, case.visible,
                      tags)


def gradcheck_mismatch(case: Case, result, expected: FDGradients) -> checks.Mismatch | None:
    """The first tensor whose gradient fails rnnref.gradcheck's criterion against the numerical one.

    Per tensor ‖a − n‖ ≤ tol·(‖a‖ + ‖n‖) + atol·√k, and per entry
    |a_i − n_i| ≤ elem_tol·(|a_i| + |n_i| + 10⁻³·max_j max(|a_j|, |n_j|)) + atol (gradcheck's defaults,
    tol = checks.GRAD_TOL).
    """
    name = case.outputs if isinstance(case.outputs, str) and case.outputs else "the result"
    m = checks.compare(result, expected.like, name, values=False)
    if m is not None:
        return m
    grads = _as_gradients(case, result, expected)
    for key, n in expected.items():
        a = grads[key]
        ok, rel, index, elem, norm_ok = grad_agreement(a, np.asarray(n, dtype=np.float64))
        if ok:
            continue
        facts = {"grad": key, "source": expected.source, "rel": rel, "tol": checks.GRAD_TOL}
        if norm_ok:  # one entry off in an otherwise right tensor
            facts.update(elem=elem, elem_tol=checks.GRAD_ELEM_TOL)
        return checks.Mismatch(f"∂E/∂{key}", "", "value", rel, index, "gradcheck",
                               dict(facts, index=index))
    return None


class Threshold(dict):
    """The expected of a compare="threshold" case: {name: bound}, one item — a performance that must
    reach a bound instead of (only) equal the reference, e.g. a test accuracy of at least 0.85.

    ``measure(result, extra) -> float`` computes the quantity here, in the grader, from the student's
    (plain-data) result, after ``like`` — the reference result in the student's format, or None —
    has been walked for type, dtype, shape and finite values; it never runs in the worker.
    ``extra`` holds grader-only data the student's code never sees (e.g. held-out data, the true
    continuation of a series). The feedback names the quantity ({"en", "ja"}), the bound and the
    student's own value (formatted by ``fmt``), never a reference value.
    """

    def __init__(self, name: str, bound: float, measure: Callable, *, at_least: bool, quantity: dict,
                 like=None, extra: dict | None = None, fmt: str = ".3g"):
        super().__init__({name: float(bound)})
        self.bound = float(bound)
        self.measure = measure
        self.at_least = at_least
        self.quantity = quantity
        self.like = like
        self.extra = dict(extra or {})
        self.fmt = fmt


def threshold_mismatch(case: Case, result, expected: Threshold) -> checks.Mismatch | None:
    """None when the measured quantity reaches the bound (≥ for at_least, else ≤); NaN never does."""
    like = expected.like
    if like is not None:
        if isinstance(case.outputs, tuple) and case.outputs and isinstance(like, tuple):
            names = tuple(case.outputs)
            if not isinstance(result, (tuple, list)):
                return checks.mismatch("the result", "structure", "wrong_type", expected=("outputs", names),
                                       got=checks.describe(result))
            if len(result) != len(like):
                return checks.mismatch("the result", "structure", "wrong_length", expected=len(like),
                                       got=len(result), names=names)
            pairs = list(zip(names, result, like))
        else:
            pairs = [(case.outputs if isinstance(case.outputs, str) and case.outputs else "the result", result, like)]
        for name, r, e in pairs:
            m = checks.compare(r, e, name, values=False)
            if m is not None:
                return m
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = float(expected.measure(result, expected.extra))
    except Exception:  # noqa: BLE001 - a result the measure cannot read reaches no bound
        value = float("nan")
    ok = value >= expected.bound if expected.at_least else value <= expected.bound
    if ok:
        return None
    return checks.mismatch("", "value", "threshold", float("nan"), (), quantity=expected.quantity,
                           bound=format(expected.bound, expected.fmt), got=format(value, expected.fmt),
                           at_least=expected.at_least)


@dataclass
class CaseResult:
    """What one case earned and why."""

    name: str
    function: str
    score: float
    max_score: float
    status: str  # "passed" | "failed" | "error" | "timeout"
    output: str  # the feedback line(s); never the hidden reference arrays
    visible: bool
    tags: list = field(default_factory=list)  # ids of the known mistakes (mistakes.Mistake.name) the result matched

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def _same(a, b, depth: int = 0) -> bool:
    """Whether ``b`` (an argument after the call: plain data, checks.Opaque, anything) still holds our
    input ``a`` (arrays, dicts, lists, tuples, numbers, str, None): same types of data, same values."""
    if depth > checks.MAX_DEPTH:
        return False
    if isinstance(a, np.ndarray):
        if type(b) is not np.ndarray or a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.tobytes() == b.tobytes():  # the common case, in one C comparison (−0.0 and NaNs' bits: below)
            return True
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(_same(a[k], b[k], depth + 1) for k in a))
    if isinstance(a, (list, tuple)):
        return (isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(_same(x, y, depth + 1) for x, y in zip(a, b)))
    if isinstance(a, (bool, str)) or a is None:
        return type(b) is type(a) and a == b
    if isinstance(a, numbers.Real):
        if isinstance(b, (bool, np.bool_)) or not isinstance(b, numbers.Real):
            return False
        return a == b or (a != a and b != b)  # NaN stays NaN
    return type(b) is type(a) and bool(a == b)


def mutated_inputs(before: tuple, after, names: list[str]) -> list[str]:
    """Names of the arguments whose contents changed during the call (all of them when ``after`` is not a
    sequence of as many arguments); never raises, whatever ``after`` holds."""
    if not isinstance(after, (tuple, list)) or len(after) != len(before):
        return list(names)
    changed = []
    for n, a, b in zip(names, before, after):
        try:
            same = _same(a, b)
        except Exception:  # noqa: BLE001 - an argument that cannot be compared has not stayed the same
            same = False
        if not same:
            changed.append(n)
    return changed


def first_mismatch(case: Case, result, expected) -> checks.Mismatch | None:
    """The first problem of a raw student result against the reference, the outputs named."""
    if isinstance(case.outputs, tuple) and case.outputs and isinstance(expected, tuple):
        names = tuple(case.outputs)
        if not isinstance(result, (tuple, list)):
            return checks.mismatch("the result", "structure", "wrong_type", expected=("outputs", names),
                                    got=checks.describe(result))
        if len(result) != len(expected):
            return checks.mismatch("the result", "structure", "wrong_length", expected=len(expected),
                                    got=len(result), names=names)
        for out_name, r, e in zip(case.outputs, result, expected):
            m = checks.compare(r, e, out_name)
            if m:
                return m
        return None
    name = case.outputs if isinstance(case.outputs, str) and case.outputs else "the result"
    return checks.compare(result, expected, name)


def judge(case: Case, result, expected, mutated: list[str], lang: str | None = "en",
          inputs: tuple | None = None) -> CaseResult:
    """Compare a raw student result with the reference; the first problem decides.

    result: plain data as the worker's decoder gives it (arrays of any dtype, numbers, str, None,
        tuples, lists, dicts, checks.Opaque), or the student's own objects in-process; whatever it
        is, the verdict is "passed" or "failed" with the reason.
    lang: "en" or "ja" (None: from the locale) for the output.
    inputs: (args, kwargs) the case was called with, unchanged (pristine copies): with them a
        wrong result is checked against the function's typical mistakes (known_mistakes/<assignment>.py), and the
        hint names the one it matches; when none does, the general diagnosis (diagnosis.py) says
        what it can: the first wrong quantity, the transformation of the reference it is.
    Order: an input changed in place is reported first (before the value mismatch it causes).
    A hidden case's output holds only the grader's and bounded facts (feedback's hidden switch).
    """
    lang = feedback.resolve_lang(lang)
    with np.errstate(all="ignore"):  # a student's extreme values are judged, not warned about
        if isinstance(expected, OwnForward):
            return consistency_result(case, result, expected, lang)
        gradcheck = case.compare == "gradcheck" and isinstance(expected, FDGradients)
        threshold = case.compare == "threshold" and isinstance(expected, Threshold)
        if threshold:
            m = threshold_mismatch(case, result, expected)
        else:
            m = gradcheck_mismatch(case, result, expected) if gradcheck else first_mismatch(case, result, expected)
        if mutated:  # the in-place change comes first: it is the cause of any mismatch it brings
            mut = checks.mismatch(", ".join(mutated), "mutation", "mutated")
            if m is None or m.kind in ("value", "finite"):
                tags = ["mutation:" + name for name in mutated]
                found = None
                if m is not None and inputs is not None and not threshold:
                    found = mistakes.diagnose(case, result, expected.like if gradcheck else expected, *inputs, m.kind)
                if found is not None:
                    tags.insert(0, mistake_tag(case, found))
                hint = _mutation_hint(mutated, m is not None, found)
                return CaseResult(case.name, case.function, 0.0, case.points, "failed",
                                  feedback.render(case, mut, lang, hint, hidden=not case.visible), case.visible, tags)
        if m is None:
            return CaseResult(case.name, case.function, case.points, case.points, "passed", "", case.visible)
        hint = found = None
        tags: list = []
        by_type = m.kind in ("type", "dtype")  # a known mistake recognised from the returned value alone
        if not threshold and (by_type or inputs is not None and m.kind in ("value", "shape", "finite")):
            args, kwargs = inputs if inputs is not None else (None, None)
            found = mistakes.diagnose(case, result, expected.like if gradcheck else expected, args, kwargs, m.kind)
            hint = found.hint if found else None
            if found:
                tags.append(mistake_tag(case, found))
                if m.kind in ("value", "finite") and not gradcheck:  # the known mistake's hint, at the first wrong place
                    d = diagnosis.diagnose_value(case, result, expected, m, args, kwargs, hidden=not case.visible)
                    if d is not None and d.mismatch is not None:
                        m = d.mismatch
        if found is None and not threshold:
            args, kwargs = inputs if inputs is not None else (None, None)
            d = (gradcheck_diagnosis(case, result, expected, m) if gradcheck and m.code == "gradcheck"
                 else diagnosis.diagnose_mismatch(case, result, expected.like if gradcheck else expected, m, args,
                                                  kwargs, hidden=not case.visible))
            if d:
                tags += list(d.tags)
                if d.mismatch is not None:
                    m = d.mismatch
                hint = _with_own_hint(case, m.kind, d.text)
        elif threshold and m is not None:
            tags.append("threshold:" + (case.outputs if isinstance(case.outputs, str) and case.outputs else "result"))
        return CaseResult(case.name, case.function, 0.0, case.points, "failed",
                          feedback.render(case, m, lang, hint, hidden=not case.visible), case.visible, tags)


def mistake_tag(case: Case, found) -> str:
    """A known mistake's tag: <exercise>/<function>/<mistake>."""
    return f"{case.assignment or '?'}/{case.function}/{found.name}"


def _with_own_hint(case: Case, kind: str, text: dict) -> dict:
    """A diagnosis's sentence followed by the case's own hint for the kind of problem (not the generic one)."""
    own = case.hints.get(kind)
    out = {}
    for lang in ("en", "ja"):
        parts = [feedback.pick(text, lang)]
        if own:
            parts.append(feedback.pick(own, lang))
        out[lang] = ("" if lang == "ja" else " ").join(p for p in parts if p)
    return out


def _mutation_hint(mutated: list, also_wrong: bool, found) -> dict:
    """The hint of an input changed in place, in both languages: the arguments named (the fallback "argument 2" of a
    case without arg_names worded in the language), and a known mistake's hint after it."""
    def named(lang: str) -> str:
        return ", ".join(messages.text("path_argument", lang, n=name[len("argument "):])
                         if name.startswith("argument ") and name[len("argument "):].isdigit() else name
                         for name in mutated)

    en = messages.text("mutation_writes", "en", names=named("en"))
    ja = messages.text("mutation_writes", "ja", names=named("ja"))
    if also_wrong:
        en += messages.text("mutation_also_wrong", "en")
        ja += messages.text("mutation_also_wrong", "ja")
    if found is not None:
        en += " " + found.hint_en
        ja += found.hint_ja
    return {"en": en, "ja": ja}


def gradcheck_diagnosis(case: Case, result, expected: FDGradients, m) -> "diagnosis.Diagnosis | None":
    """Which gradients fail the finite-difference check and which pass, and a scale between them."""
    try:
        grads = _as_gradients(case, result, expected)
        wrong, right = [], []
        for key, n in expected.items():
            ok = grad_agreement(grads[key], np.asarray(n, dtype=np.float64))[0]
            (right if ok else wrong).append(key)
        desc = diagnosis.suite_description(case)
        tags, en, ja = [], [], []
        if wrong and right:
            tags.append("wrong_keys:" + ",".join(wrong))
            en.append(messages.text("gradcheck_wrong_right", "en",
                                    wrong=", ".join(diagnosis.key_name(k, desc, "en") for k in wrong),
                                    right=", ".join(diagnosis.key_name(k, desc, "en") for k in right)))
            ja.append(messages.text("gradcheck_wrong_right", "ja",
                                    wrong="、".join(diagnosis.key_name(k, desc, "ja") for k in wrong),
                                    right="、".join(diagnosis.key_name(k, desc, "ja") for k in right)))
        if len(wrong) > 1 and not right:
            tags.append("wrong_keys:all")
            en.append(messages.text("gradcheck_all_wrong", "en", n=len(wrong)))
            ja.append(messages.text("gradcheck_all_wrong", "ja", n=len(wrong)))
        key = wrong[0] if wrong else None
        if key is not None:
            a, n = grads[key], np.asarray(expected[key], dtype=np.float64)
            den = float(np.sum(n * n))
            if den > 0:
                c = float(np.sum(a * n)) / den
                if np.linalg.norm(a - c * n) <= 1e-5 * np.linalg.norm(c * n) and abs(c - 1) > 1e-3:
                    name = diagnosis._name_scale(c, case, None) or "other"
                    tags.append(f"scale:{name}")
                    t = diagnosis._scale_text(name, not case.visible)
                    en.append(diagnosis._cap(t["en"]) + ".")
                    ja.append(t["ja"] + "。")
            if not tags:
                tags.append(f"gradcheck:{key}")
                en.append(messages.text("gradcheck_one", "en", key=key))
                ja.append(messages.text("gradcheck_one", "ja", key=key))
        if not tags:
            return None
        return diagnosis.Diagnosis(tuple(tags), {"en": " ".join(en), "ja": "".join(ja)})
    except Exception:  # noqa: BLE001
        return None


def error_result(case: Case, message: str, status: str = "error", tags=()) -> CaseResult:
    return CaseResult(case.name, case.function, 0.0, case.points, status, message, case.visible, list(tags))


def error_hint(case: Case, message: str, inputs: tuple | None):
    """The hint of a typical mistake that explains the student's exception ({"en", "ja"}), or None."""
    if inputs is None:
        return None
    found = mistakes.diagnose_error(case, message, *inputs)
    return found.hint if found else None


def raised_result(case: Case, type_name: str, message: str, lang: str, inputs: tuple | None, line_text: str = "",
                  where: str = "") -> CaseResult:
    """The result of a case whose call raised: a known mistake's hint when one explains the exception, else the
    general diagnosis of the crash (diagnosis.diagnose_exception), with their tags. For a hidden case the
    exception's message is never read for the diagnosis, nor shown."""
    hidden = not case.visible
    found = None
    if inputs is not None:
        found = mistakes.diagnose_error(case, message or "", *inputs)
    if found is not None:
        hint, tags = found.hint, [mistake_tag(case, found)]
    else:
        args, kwargs = inputs if inputs is not None else ((), {})
        d = diagnosis.diagnose_exception(case, type_name, message or "", line_text, args, kwargs, hidden)
        hint = d.text if d and d.text.get("en") else None
        tags = list(d.tags) if d else []
    return error_result(case, feedback.raised_text(case.function, type_name, message or "", lang, hint, hidden, where),
                        tags=tags)


def _line_of(exc: BaseException, func) -> str:
    """The source line of the student's function where the exception was raised (in-process checks)."""
    import linecache
    import traceback

    try:
        code = getattr(func, "__code__", None)
        frames = traceback.extract_tb(exc.__traceback__)
        mine = [f for f in frames if code is not None and f.filename == code.co_filename] or frames[-1:]
        if not mine:
            return ""
        f = mine[-1]
        return f.line or linecache.getline(f.filename, f.lineno) or ""
    except Exception:  # noqa: BLE001
        return ""


def run_in_process(case: Case, func, seed: int, index: int, lang: str | None = "en") -> CaseResult:
    """Run one case in this process: for the notebook self-checks, never for grading others' code."""
    lang = feedback.resolve_lang(lang)
    args, kwargs, expected = case.build(seed, index)
    pristine = copy.deepcopy(args)
    given = copy.deepcopy(args)
    if not callable(func):
        return error_result(case, feedback.missing_function(case.function, lang))
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = DRIVERS[case.driver](func, given, copy.deepcopy(kwargs))
    except NotImplementedError:
        return error_result(case, feedback.not_implemented(case.function, lang))
    except Exception as exc:  # the student's exception is the student's result
        try:
            message = str(exc)
        except Exception:  # noqa: BLE001 - an exception whose str() raises
            message = ""
        return raised_result(case, type(exc).__name__, message, lang, (pristine, kwargs), _line_of(exc, func))
    names = list(case.arg_names) or [f"argument {i + 1}" for i in range(len(args))]
    try:
        return judge(case, result, expected, mutated_inputs(pristine, given, names), lang, (pristine, kwargs))
    except Exception as exc:  # noqa: BLE001 - the student's own objects are judged here: never a traceback
        return error_result(case, feedback.internal_error(case.function, type(exc).__name__, lang))
