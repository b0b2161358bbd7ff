"""Tolerances and comparisons, in one place.

A student's result is compared with the reference's in a fixed order — it is the right
kind of object, a float64 ``numpy.ndarray`` (a list or tuple of real numbers is converted;
anything else fails), the shape, all values finite, then the values — and the first
problem found is the one reported. Comparisons never trust the student's objects: only
plain ``numpy.ndarray`` / float data are read, and NaN never passes. Whatever the student
returned, a comparison reports a Mismatch and never raises: a complex number, a bool, an
int too large for a float, a string or an object array where a float belongs is the
wrong type.

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

MAX_DEPTH = 64  # lists nested deeper are no array: numpy has at most 64 dimensions


@dataclass(frozen=True)
class Opaque:
    """Stands for a value the worker returned that is not plain data (an object, an ndarray
    subclass, a complex number, …): the parent never rebuilds it, only names it, from facts.

    kind: one of wire.OPAQUE's ("subclass", "instance", "dtype", "complex", "too_much", …; anything else is
    said as "an object"); facts: (name, value) pairs of that kind, e.g. (("type", "Sneaky"),), cleaned and bounded
    by the decoder. The feedback words them from the message catalog (feedback._thing), in either language."""

    kind: str = "object"
    facts: tuple = ()

    @property
    def description(self) -> str:
        """In English, e.g. "a Sneaky (ndarray subclass)", "a numpy.ndarray of dtype complex128" (wire.describe_opaque):
        for logs and reprs; a student reads the catalog's words."""
        from .wire import describe_opaque

        return describe_opaque(self.kind, self.facts)

    def fact(self, name: str) -> str:
        """One of its facts ("" when it has none by that name)."""
        return next((value for key, value in self.facts if key == name), "")


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
            from .feedback import problem_text  # deferred: only a Mismatch made with a code and no problem needs it

            object.__setattr__(self, "problem", problem_text(self.code, self.facts, "en"))


def mismatch(path: str, kind: str, code: str, rel_error: float = float("nan"), index: tuple = (), **facts) -> Mismatch:
    """A Mismatch from its phrase code and facts (see feedback.problem_text); problem is filled in."""
    if kind in ("value", "finite"):
        facts["index"] = index
    return Mismatch(path, "", kind, rel_error, index, code, facts)


def max_rel_error(got: np.ndarray, expected: np.ndarray) -> tuple[float, tuple]:
    """The largest |a − e| / (|e| + ATOL·scale) and the index where it occurs."""
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    with np.errstate(all="ignore"):  # a student's 1e308 against −1e308 overflows to inf: still an error size
        err = np.abs(got - expected) / (np.abs(expected) + ATOL * scale)
    if err.size == 0:
        return 0.0, ()
    flat = int(np.argmax(err))
    return float(err.reshape(-1)[flat]), tuple(int(i) for i in np.unravel_index(flat, err.shape))


def values_close(got: np.ndarray, expected: np.ndarray) -> bool:
    """Entry-wise |a − e| ≤ ATOL·max(1, max|e|) + RTOL·|e|; NaN never passes."""
    scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(got - expected) <= ATOL * scale + RTOL * np.abs(expected)))


def describe(obj) -> tuple:
    """What the student returned, as plain facts for feedback: ("array", type, dtype),
    ("opaque", kind, facts) (an Opaque's), ("complex",), ("bigint",), ("none",) or ("object", type name)."""
    if isinstance(obj, Opaque):
        return ("opaque", obj.kind, obj.facts)
    if isinstance(obj, np.ndarray):
        return ("array", type(obj).__name__, str(obj.dtype))
    if obj is None:
        return ("none",)
    if isinstance(obj, (complex, np.complexfloating)):
        return ("complex",)
    if isinstance(obj, int) and not isinstance(obj, bool) and not _fits_float(obj):
        return ("bigint",)
    return ("object", type(obj).__name__)


def is_complex(obj) -> bool:
    """A complex number or array, however it arrived: a Python or numpy complex, an ndarray of complex
    dtype, or the placeholder the worker's decoder makes of one (an Opaque of kind "complex", or "dtype" complex…)."""
    if isinstance(obj, Opaque):
        return obj.kind == "complex" or (obj.kind == "dtype" and str(obj.fact("dtype")).startswith("complex"))
    if isinstance(obj, np.ndarray):
        return obj.dtype.kind == "c"
    return isinstance(obj, (complex, np.complexfloating))


def _fits_float(n) -> bool:
    try:
        float(n)
    except OverflowError:
        return False
    return True


def _real_number(obj) -> float | tuple:
    """A real scalar as a float, else what it is (describe()'s facts): bools and complex numbers are not
    real numbers here, and neither is an int too large for a float."""
    if isinstance(obj, (bool, np.bool_)):
        return ("object", "bool")
    if isinstance(obj, (complex, np.complexfloating)):
        return ("complex",)
    if isinstance(obj, numbers.Real):
        try:
            return float(obj)
        except OverflowError:
            return ("bigint",)
        except (TypeError, ValueError):  # a Real that will not say its value (in-process only)
            return describe(obj)
    return describe(obj)


def as_float(obj, path: str):
    """The student's value as a Python float, or the Mismatch that prevents it: a real number, a numpy
    real scalar or a one-entry real array (a one-entry complex array is a complex number)."""
    if type(obj) is np.ndarray and obj.size == 1:
        if obj.dtype.kind in "iuf":
            obj = obj.reshape(-1)[0]
        elif obj.dtype.kind == "c":
            obj = complex(obj.reshape(-1)[0])
    value = _real_number(obj)
    if isinstance(value, tuple):
        return mismatch(path, "type", "wrong_type", expected=("float",), got=value)
    return value


def _odd_entry(obj, depth: int = 0):
    """The first entry of a (nested) list or tuple that is neither a real number nor a plain real array,
    as describe()'s facts; None when there is none."""
    if isinstance(obj, (list, tuple)):
        if depth > MAX_DEPTH:
            return ("ragged", type(obj).__name__)
        for x in obj:
            odd = _odd_entry(x, depth + 1)
            if odd is not None:
                return odd
        return None
    if type(obj) is np.ndarray:
        return None if obj.dtype.kind in "iuf" else ("complex",) if obj.dtype.kind == "c" else describe(obj)
    value = _real_number(obj)
    return value if isinstance(value, tuple) else None


def as_float64_array(obj, path: str):
    """The student's value as a plain float64 ndarray, or the Mismatch that prevents it."""
    if type(obj) is np.ndarray:
        arr = obj
    elif isinstance(obj, Opaque):
        return mismatch(path, "type", "wrong_type", expected=("ndarray",), got=describe(obj))
    elif isinstance(obj, np.ndarray):  # a subclass: its methods are not to be trusted
        return mismatch(path, "type", "wrong_type", expected=("plain_ndarray",), got=("subclass", type(obj).__name__))
    elif isinstance(obj, (list, tuple)):
        odd = _odd_entry(obj)
        if odd is not None:
            got = odd if odd[0] == "ragged" else ("entry", type(obj).__name__, odd)
            return mismatch(path, "type", "wrong_type", expected=("ndarray",), got=got)
        try:
            return np.array(obj, dtype=np.float64)
        except (TypeError, ValueError, OverflowError, RecursionError):
            return mismatch(path, "type", "wrong_type", expected=("ndarray",), got=("ragged", type(obj).__name__))
    else:
        value = _real_number(obj)  # a number where an array belongs: its shape () is reported next
        if isinstance(value, tuple):
            return mismatch(path, "type", "wrong_type", expected=("ndarray",), got=value)
        return np.array(value, dtype=np.float64)
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
        value = as_float(got, path)
        if isinstance(value, Mismatch):
            return value
        if not np.isfinite(value):
            return mismatch(path, "finite", "not_finite_number", got=value)
        if values and not values_close(np.array(value), np.array(expected)):
            rel = abs(value - expected) / max(abs(expected), 1e-300)
            if abs(expected) <= ATOL:  # a relative error against 0 is a meaningless 1e+300: say the error itself
                return mismatch(path, "value", "value_number", rel, rel=rel, abs=abs(value - expected), zero=True)
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
        ref = abs(float(expected[where]))
        scale = max(1.0, float(np.max(np.abs(expected), initial=0.0)))
        if ref <= ATOL * scale:  # the worst entry where the reference is 0: its error itself, not 1e+08 "relative"
            err = float(abs(arr[where] - expected[where]))
            return mismatch(path, "value", "value", rel, where, rel=rel, abs=err, zero=True)
        return mismatch(path, "value", "value", rel, where, rel=rel)
    return None
