"""The engine that names typical mistakes in the feedback; the mistakes themselves live elsewhere.

Every exercise's known mistakes are in its own module autograder/known_mistakes/<assignment>.py,
defining MISTAKES = {function: (Mistake, …)} (``mistakes_for`` finds them; ``known`` lists them all). A
Mistake's ``variant`` has the graded function's signature and computes the WRONG result
(numpy, run in the grader's process: it is our code, not the student's); it is called
through the case's driver on the case's own inputs. When a student's result fails a case
and agrees with a variant's result (NaN and inf in the same places, finite entries within
the grader's tolerance), the feedback's hint says which mistake it is, in plain words.
A variant that raises, or that agrees with the reference on the case, tells nothing and is
skipped.

Some mistakes do not produce a result but a numpy error (W_out used where W̃_out belongs:
(H+1,) against (H,)); ``error`` recognises them from the exception's message. Others show in
the type of what is returned, whatever the inputs (a complex eigenvalue where ρ(W) belongs);
``returns`` recognises them from the value itself, when it has the wrong type or dtype.

Diagnosing never raises: the student's result may be anything the worker's decoder gives
(checks.Opaque, complex numbers, huge ints, odd dtypes and shapes); what cannot be compared
matches no mistake.
"""

from __future__ import annotations

import copy
import importlib
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import checks
from .drivers import DRIVERS


@dataclass(frozen=True)
class Mistake:
    """One known wrong way to write a graded function."""

    name: str  # an identifier, e.g. "W_not_transposed"
    hint_en: str
    hint_ja: str
    variant: Callable | None = None  # same signature as the graded function, computes the wrong result
    outputs: tuple = ()  # compare only these outputs (names of the case's outputs); () = all of them
    error: Callable | None = None  # (args, kwargs, message) -> True when the student's exception is this mistake
    returns: Callable | None = None  # (result) -> True when a result of the wrong type or dtype is this mistake

    @property
    def hint(self) -> dict:
        return {"en": self.hint_en, "ja": self.hint_ja}


# ---------------------------------------------------------------------------------------------
# agreement: like checks.compare, but NaN and inf agree with themselves (a variant may overflow)


def _agree(got, ref) -> bool:
    if isinstance(ref, dict):
        return isinstance(got, dict) and got.keys() == ref.keys() and all(_agree(got[k], ref[k]) for k in ref)
    if isinstance(ref, (tuple, list)):
        return isinstance(got, (tuple, list)) and len(got) == len(ref) and all(_agree(g, r) for g, r in zip(got, ref))
    if isinstance(ref, (float, int)) and not isinstance(ref, bool):
        got = checks.as_float(got, "")
        if isinstance(got, checks.Mismatch):
            return False
        got, ref = np.array(got), np.array(float(ref))
    if not isinstance(ref, np.ndarray):
        return False
    arr = checks.as_float64_array(got, "")
    if isinstance(arr, checks.Mismatch) or arr.shape != ref.shape:
        return False
    ref = np.asarray(ref, dtype=np.float64)
    finite = np.isfinite(ref)
    if not np.array_equal(np.isfinite(arr), finite):
        return False
    if not np.array_equal(arr[~finite], ref[~finite], equal_nan=True):
        return False
    return checks.values_close(arr[finite], ref[finite])


def agrees(case, got, ref, only: tuple = ()) -> bool:
    """Whether a result agrees with a variant's (restricted to the named outputs ``only``)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        names = case.outputs
        if isinstance(names, tuple) and names and isinstance(ref, tuple):
            if not isinstance(got, (tuple, list)) or len(got) != len(ref):
                return False
            return all(_agree(g, r) for n, g, r in zip(names, got, ref) if not only or n in only)
        return _agree(got, ref)


def _run(case, variant, args, kwargs):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return DRIVERS[case.driver](variant, copy.deepcopy(args), copy.deepcopy(kwargs))


def _module_mistakes(assignment: str) -> dict:
    """autograder/known_mistakes/<assignment>.py's MISTAKES ({} when the exercise has none)."""
    if not assignment.isidentifier() or assignment.startswith("_"):
        return {}
    name = f"{__package__}.known_mistakes.{assignment}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the module exists but imports something missing: not "no known mistakes"
            raise
        return {}
    return getattr(module, "MISTAKES", {})


def mistakes_for(case) -> tuple:
    """The known mistakes of the case's function, from autograder/known_mistakes/<assignment>.py."""
    return tuple(_module_mistakes(getattr(case, "assignment", "")).get(case.function, ()))


def known(assignments) -> dict:
    """{(assignment, function): (Mistake, …)} for every known mistake of the given assignments."""
    return {(a, f): tuple(ms) for a in assignments for f, ms in _module_mistakes(a).items()}


def diagnose(case, result, expected, args, kwargs, kind: str = "value") -> Mistake | None:
    """The known mistake the student's (wrong) result shows: for a problem of ``kind`` "type" or "dtype",
    the first whose ``returns`` recognises the result; otherwise the first whose variant gives the
    student's result on these inputs (args None: none). Never raises."""
    for mistake in mistakes_for(case):
        try:
            if kind in ("type", "dtype"):
                if mistake.returns is not None and mistake.returns(result):
                    return mistake
                continue
            if mistake.variant is None or args is None:
                continue
            wrong = _run(case, mistake.variant, args, kwargs)
            if agrees(case, wrong, expected, mistake.outputs):
                continue  # the mistake makes no difference here
            if agrees(case, result, wrong, mistake.outputs):
                return mistake
        except Exception:  # noqa: BLE001 - a variant that cannot run here, or a result it cannot read, tells nothing
            continue
    return None


def diagnose_error(case, message: str, args, kwargs) -> Mistake | None:
    """The first known mistake that explains the exception the student's function raised."""
    for mistake in mistakes_for(case):
        if mistake.error is None:
            continue
        try:
            if mistake.error(args, kwargs, message or ""):
                return mistake
        except Exception:  # noqa: BLE001
            continue
    return None
