"""Tolerances and comparisons, in one place.

A student's result is compared with the reference's in a fixed order — it is the right
kind of object, a float64 ``numpy.ndarray`` (a list or tuple of numbers is converted;
anything else fails), the shape, all values finite, then the values — and the first
problem found is the one reported. Comparisons never trust the student's objects: only
plain ``numpy.ndarray`` / float data are read, and NaN never passes.

The value tolerance accepts every correct way to write the math (loops or vectorized,
any summation order: differences of a few ulps times the number of terms) and rejects
every wrong one (the smallest real mistake, e.g. one δ term dropped, is orders of
magnitude larger): |a − e| ≤ ATOL + RTOL · |e|, entry by entry, with the absolute part
scaled by the largest reference entry so that near-zero entries of a large array pass.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

RTOL = 1e-7
ATOL = 1e-9  # relative to max(1, max |expected|)

#: gradient checks (finite differences), shared with rnnref.gradcheck's defaults
GRAD_H = 1e-5
GRAD_TOL = 1e-6
GRAD_ELEM_TOL = 1e-5  # rnnref.gradcheck's element guard


@dataclass(frozen=True)
class Opaque:
    """Stands for a value the worker returned that is not plain data (an object, an ndarray
    subclass, a string, …): the parent never rebuilds it, only names it."""

    description: str  # e.g. "a Sneaky (ndarray subclass)", "a str", "a generator"


@dataclass(frozen=True)
class Mismatch:
    """The first problem found in a result: where and what, as plain facts.

    code and facts say what went wrong (see feedback.problem_text, which words them in
    English or Japanese); problem is the English phrase, filled in from them when not given.
    facts hold shapes, dtypes, key names, lengths, error sizes, indices and the student's
    own values, never the reference's.
    """

    path: str  # e.g. "Yhat", "grads['W']", "caches[3]['gF']"
    problem: str = ""  # one phrase, "has the wrong shape, expected (5, 4) (got (4, 5))"
    kind: str = "value"  # "type", "dtype", "shape", "finite", "value", "structure", "mutation"
    rel_error: float = float("nan")
    index: tuple = ()  # the worst entry, for value mismatches; the first bad one for non-finite values
    code: str = ""  # the phrase: "wrong_type", "wrong_shape", "value", … ("" for a hand-made problem)
    facts: dict = field(default_factory=dict, hash=False)

    def __post_init__(self):
        if not self.problem and self.code:
            from .feedback import problem_text  # here: the isolated worker may load this file alone

            object.__setattr__(self, "problem", problem_text(self.code, self.facts, "en"))


def mismatch(path: str, kind: str, code: str, rel_error: float = float("nan"), index: tuple = (), **facts) -> Mismatch:
    """A Mismatch from its phrase code and facts (see feedback.problem_text); problem is filled in."""
    if kind in ("value", "finite"):
        facts["index"] = index
    return Mismatch(path, "", kind, rel_error, index, code, facts)


def max_rel_error(got: np.ndarray, expected: np.ndarray) -> tuple[float, tuple]:
    """The largest |a − e| / (|e| + ATOL·scale) and the index where it occurs."""
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    err = np.abs(got - expected) / (np.abs(expected) + ATOL * scale)
    if err.size == 0:
        return 0.0, ()
    flat = int(np.argmax(err))
    return float(err.reshape(-1)[flat]), tuple(int(i) for i in np.unravel_index(flat, err.shape))


def values_close(got: np.ndarray, expected: np.ndarray) -> bool:
    """Entry-wise |a − e| ≤ ATOL·max(1, max|e|) + RTOL·|e|; NaN never passes."""
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(got - expected) <= ATOL * scale + RTOL * np.abs(expected)))


def describe(obj) -> tuple:
    """What the student returned, as plain facts for feedback: ("array", type, dtype),
    ("opaque", description), ("none",) or ("object", type name)."""
    if isinstance(obj, Opaque):
        return ("opaque", obj.description)
    if isinstance(obj, np.ndarray):
        return ("array", type(obj).__name__, str(obj.dtype))
    if obj is None:
        return ("none",)
    return ("object", type(obj).__name__)


def as_float64_array(obj, path: str):
    """The student's value as a plain float64 ndarray, or the Mismatch that prevents it."""
    if type(obj) is np.ndarray:
        arr = obj
    elif isinstance(obj, Opaque):
        return mismatch(path, "type", "wrong_type", expected=("ndarray",), got=describe(obj))
    elif isinstance(obj, np.ndarray):  # a subclass: its methods are not to be trusted
        return mismatch(path, "type", "wrong_type", expected=("plain_ndarray",), got=("subclass", type(obj).__name__))
    elif isinstance(obj, (list, tuple)) or isinstance(obj, numbers.Real):
        try:
            arr = np.array(obj, dtype=np.float64)
        except (TypeError, ValueError):
            return mismatch(path, "type", "wrong_type", expected=("ndarray",), got=("ragged", type(obj).__name__))
        return arr
    else:
        return mismatch(path, "type", "wrong_type", expected=("ndarray",), got=describe(obj))
    if arr.dtype != np.float64:
        return mismatch(path, "dtype", "wrong_dtype", expected="float64", got=str(arr.dtype))
    return arr


def _keys(keys) -> list:
    """Key names for a message: the reference's as they are, the student's as short strings."""
    return [k if isinstance(k, str) else str(k)[:40] for k in keys]


def compare(got, expected, path: str, values: bool = True) -> Mismatch | None:
    """Walk the reference structure (tuple, list, dict, array, float) and the student's in step.

    Returns the first Mismatch, or None when everything agrees. With values=False only the
    type, dtype, shape and finite checks are made (the values are judged elsewhere, e.g. by a
    gradient check).
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return mismatch(path, "structure", "wrong_type", expected=("dict", tuple(expected)), got=describe(got))
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            return mismatch(path, "structure", "wrong_keys", missing=_keys(missing),
                             extra=sorted(_keys(extra)), expected=_keys(expected), got=_keys(got)[:20])
        for k in expected:
            m = compare(got[k], expected[k], f"{path}[{k!r}]", values)
            if m:
                return m
        return None
    if isinstance(expected, (tuple, list)):
        kind = "tuple" if isinstance(expected, tuple) else "list"
        if not isinstance(got, (tuple, list)):
            return mismatch(path, "structure", "wrong_type", expected=(kind, len(expected)), got=describe(got))
        if len(got) != len(expected):
            return mismatch(path, "structure", "wrong_length", expected=len(expected), got=len(got))
        for i, (g, e) in enumerate(zip(got, expected)):
            m = compare(g, e, f"{path}[{i}]", values)
            if m:
                return m
        return None
    if isinstance(expected, float):
        if isinstance(got, np.ndarray) and type(got) is np.ndarray and got.size == 1:
            got = float(got.reshape(()))
        if not isinstance(got, numbers.Real) or isinstance(got, bool):
            return mismatch(path, "type", "wrong_type", expected=("float",), got=describe(got))
        value = float(got)
        if not np.isfinite(value):
            return mismatch(path, "finite", "not_finite_number", got=value)
        if values and not values_close(np.array(value), np.array(expected)):
            rel = abs(value - expected) / max(abs(expected), 1e-300)
            return mismatch(path, "value", "value_number", rel, rel=rel)
        return None
    # an array
    arr = as_float64_array(got, path)
    if isinstance(arr, Mismatch):
        return arr
    if arr.shape != expected.shape:
        return mismatch(path, "shape", "wrong_shape", expected=expected.shape, got=arr.shape)
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        return mismatch(path, "finite", "not_finite", index=bad, got=float(arr[bad]))
    if values and not values_close(arr, expected):
        rel, where = max_rel_error(arr, expected)
        return mismatch(path, "value", "value", rel, where, rel=rel)
    return None
