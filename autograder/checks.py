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
from dataclasses import dataclass

import numpy as np

RTOL = 1e-7
ATOL = 1e-9  # relative to max(1, max |expected|)

#: gradient checks (finite differences), shared with rnnref.gradcheck's defaults
GRAD_H = 1e-5
GRAD_TOL = 1e-6


@dataclass(frozen=True)
class Opaque:
    """Stands for a value the worker returned that is not plain data (an object, an ndarray
    subclass, a string, …): the parent never rebuilds it, only names it."""

    description: str  # e.g. "a Sneaky (ndarray subclass)", "a str", "a generator"


@dataclass(frozen=True)
class Mismatch:
    """The first problem found in a result: where and what."""

    path: str  # e.g. "Yhat", "grads['W']", "caches[3]['gF']"
    problem: str  # one phrase, "has the wrong shape, expected (5, 4) (got (4, 5))"
    kind: str  # "type", "dtype", "shape", "finite", "value", "structure", "mutation"
    rel_error: float = float("nan")
    index: tuple = ()  # the worst entry, for value mismatches


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


def _describe(obj) -> str:
    if isinstance(obj, Opaque):
        return obj.description
    if isinstance(obj, np.ndarray):
        return f"a {type(obj).__name__} of dtype {obj.dtype}"
    return f"a {type(obj).__name__}"


def as_float64_array(obj, path: str):
    """The student's value as a plain float64 ndarray, or the Mismatch that prevents it."""
    if type(obj) is np.ndarray:
        arr = obj
    elif isinstance(obj, Opaque):
        return Mismatch(path, f"has the wrong type, expected a numpy.ndarray (got {obj.description})", "type")
    elif isinstance(obj, np.ndarray):  # a subclass: its methods are not to be trusted
        return Mismatch(path, f"has the wrong type, expected a plain numpy.ndarray (got the subclass {type(obj).__name__})", "type")
    elif isinstance(obj, (list, tuple)) or isinstance(obj, numbers.Real):
        try:
            arr = np.array(obj, dtype=np.float64)
        except (TypeError, ValueError):
            return Mismatch(path, f"has the wrong type, expected a numpy.ndarray (got {_describe(obj)} that is not a rectangular array of numbers)", "type")
        return arr
    else:
        return Mismatch(path, f"has the wrong type, expected a numpy.ndarray (got {_describe(obj)})", "type")
    if arr.dtype != np.float64:
        return Mismatch(path, f"has the wrong dtype, expected float64 (got {arr.dtype})", "dtype")
    return arr


def compare(got, expected, path: str) -> Mismatch | None:
    """Walk the reference structure (tuple, list, dict, array, float) and the student's in step.

    Returns the first Mismatch, or None when everything agrees.
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return Mismatch(path, f"has the wrong type, expected a dict with keys {list(expected)} (got {_describe(got)})", "structure")
        missing = [k for k in expected if k not in got]
        extra = [k for k in got if k not in expected]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"lacks the keys {missing}")
            if extra:
                parts.append(f"has unexpected keys {sorted(map(str, extra))}")
            return Mismatch(path, " and ".join(parts), "structure")
        for k in expected:
            m = compare(got[k], expected[k], f"{path}[{k!r}]")
            if m:
                return m
        return None
    if isinstance(expected, (tuple, list)):
        kind = "tuple" if isinstance(expected, tuple) else "list"
        if not isinstance(got, (tuple, list)):
            return Mismatch(path, f"has the wrong type, expected a {kind} of {len(expected)} items (got {_describe(got)})", "structure")
        if len(got) != len(expected):
            return Mismatch(path, f"has the wrong length, expected {len(expected)} items (got {len(got)})", "structure")
        for i, (g, e) in enumerate(zip(got, expected)):
            m = compare(g, e, f"{path}[{i}]")
            if m:
                return m
        return None
    if isinstance(expected, float):
        if isinstance(got, np.ndarray) and type(got) is np.ndarray and got.size == 1:
            got = float(got.reshape(()))
        if not isinstance(got, numbers.Real) or isinstance(got, bool):
            return Mismatch(path, f"has the wrong type, expected a float (got {_describe(got)})", "type")
        value = float(got)
        if not np.isfinite(value):
            return Mismatch(path, f"is not finite, expected a finite number (got {value})", "finite")
        if not values_close(np.array(value), np.array(expected)):
            rel = abs(value - expected) / max(abs(expected), 1e-300)
            return Mismatch(path, f"disagrees with the reference (rel. error {rel:.1e})", "value", rel)
        return None
    # an array
    arr = as_float64_array(got, path)
    if isinstance(arr, Mismatch):
        return arr
    if arr.shape != expected.shape:
        return Mismatch(path, f"has the wrong shape, expected {expected.shape} (got {arr.shape})", "shape")
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        return Mismatch(path, f"is not finite, expected finite values (got {arr[bad]} at index {list(bad)})", "finite", index=bad)
    if not values_close(arr, expected):
        rel, where = max_rel_error(arr, expected)
        loc = f" at index {list(where)}" if where else ""
        return Mismatch(path, f"disagrees with the reference (max rel. error {rel:.1e}{loc})", "value", rel, where)
    return None
