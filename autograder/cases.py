"""Case and CaseResult: one scored check of one student function (named so pytest skips them)."""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import checks, feedback
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
    hints: dict = field(default_factory=dict)  # kind of problem -> hint for this function

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


def judge(case: Case, result, expected, mutated: list[str]) -> CaseResult:
    """Compare a raw student result with the reference; the first problem decides."""
    name = case.outputs if isinstance(case.outputs, str) else None
    if isinstance(case.outputs, tuple) and case.outputs and isinstance(expected, tuple):
        m = None
        if not isinstance(result, (tuple, list)):
            m = checks.Mismatch("the result", f"has the wrong type, expected a tuple ({', '.join(case.outputs)}) "
                                f"(got {checks._describe(result)})", "structure")
        elif len(result) != len(expected):
            m = checks.Mismatch("the result", f"has the wrong length, expected {len(expected)} values "
                                f"({', '.join(case.outputs)}) (got {len(result)})", "structure")
        else:
            for out_name, r, e in zip(case.outputs, result, expected):
                m = checks.compare(r, e, out_name)
                if m:
                    break
    else:
        m = checks.compare(result, expected, name or "the result")
    if m is None and mutated:
        m = checks.Mismatch(", ".join(mutated), "was modified in place, expected the inputs unchanged (got new values)", "mutation")
    if m is None:
        return CaseResult(case.name, case.function, case.points, case.points, "passed", "", case.visible)
    return CaseResult(case.name, case.function, 0.0, case.points, "failed",
                      feedback.mismatch_message(case, m), case.visible)


def error_result(case: Case, message: str, status: str = "error") -> CaseResult:
    return CaseResult(case.name, case.function, 0.0, case.points, status, message, case.visible)


def run_in_process(case: Case, func, seed: int, index: int) -> CaseResult:
    """Run one case in this process: for the notebook self-checks, never for grading others' code."""
    args, kwargs, expected = case.build(seed, index)
    pristine = copy.deepcopy(args)
    given = copy.deepcopy(args)
    if not callable(func):
        return error_result(case, feedback.missing_function(case.function))
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            result = DRIVERS[case.driver](func, given, copy.deepcopy(kwargs))
    except NotImplementedError:
        return error_result(case, feedback.not_implemented(case.function))
    except Exception as exc:  # the student's exception is the student's result
        return error_result(case, feedback.raised(case.function, exc))
    names = list(case.arg_names) or [f"argument {i + 1}" for i in range(len(args))]
    return judge(case, result, expected, mutated_inputs(pristine, given, names))
