"""Case and CaseResult: one scored check of one student function (named so pytest skips them)."""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import checks, feedback, mistakes
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
        mistakes of mistakes.MISTAKES[(assignment, function)] and the hint names the one found.
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
    assignment: str = ""  # e.g. "rnn_bptt": where mistakes.MISTAKES looks up the function's typical mistakes

    @property
    def name(self) -> str:
        return f"{self.function} [{self.label}]"

    def build(self, seed: int, index: int) -> tuple[tuple, dict, Any]:
        """The case's inputs and expected result for this seed (index: the case's position)."""
        return self.make(np.random.default_rng([seed, index]))


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

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def mutated_inputs(before: tuple, after: tuple, names: list[str]) -> list[str]:
    """Names of the arguments whose contents changed during the call."""
    return [n for n, a, b in zip(names, before, after) if not _same(a, b)]


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

    lang: "en" or "ja" (None: from the locale) for the output.
    inputs: (args, kwargs) the case was called with, unchanged (pristine copies): with them a
        wrong result is checked against the function's typical mistakes (mistakes.py), and the
        hint names the one it matches.
    """
    lang = feedback.resolve_lang(lang)
    m = first_mismatch(case, result, expected)
    if m is None and mutated:
        m = checks.mismatch(", ".join(mutated), "mutation", "mutated")
    if m is None:
        return CaseResult(case.name, case.function, case.points, case.points, "passed", "", case.visible)
    hint = None
    if inputs is not None and m.kind in ("value", "shape", "finite"):
        found = mistakes.diagnose(case, result, expected, *inputs)
        hint = found.hint if found else None
    return CaseResult(case.name, case.function, 0.0, case.points, "failed",
                      feedback.render(case, m, lang, hint), case.visible)


def error_result(case: Case, message: str, status: str = "error") -> CaseResult:
    return CaseResult(case.name, case.function, 0.0, case.points, status, message, case.visible)


def error_hint(case: Case, message: str, inputs: tuple | None):
    """The hint of a typical mistake that explains the student's exception ({"en", "ja"}), or None."""
    if inputs is None:
        return None
    found = mistakes.diagnose_error(case, message, *inputs)
    return found.hint if found else None


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
        hint = error_hint(case, str(exc), (pristine, kwargs))
        return error_result(case, feedback.raised(case.function, exc, lang, hint))
    names = list(case.arg_names) or [f"argument {i + 1}" for i in range(len(args))]
    return judge(case, result, expected, mutated_inputs(pristine, given, names), lang, (pristine, kwargs))
