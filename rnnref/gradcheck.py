"""Finite-difference gradient checks for any function of a dict of numpy arrays.

Two checks:

* ``gradcheck`` — central differences entry by entry (every entry, or a seeded random
  subset of ``max_entries`` per tensor), compared with an analytic gradient per tensor by
  the relative error ‖a − n‖ / (‖a‖ + ‖n‖) and, entry by entry, by an element-wise guard
  that catches one wrong entry in a large tensor. A per-entry max relative error alone would
  fail correct code on entries that are zero up to rounding, so the guard is scaled by the
  tensor's largest entry.
* ``directional_check`` — the idea of torch.autograd.gradcheck's fast mode: along random
  directions u (and, for an array-valued f, a random cotangent v) compare the numerical
  vᵀ J u = (φ(p + h u) − φ(p − h u)) / 2h, φ = ⟨v, f⟩, with the analytic ⟨vjp(v), u⟩.
  Two evaluations of f per direction, whatever the number of parameters.

``f`` receives a dict {name: array} and returns a float (or an array, see below). The
arrays are float64 copies; the caller's arrays are never modified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

__all__ = [
    "rel_error",
    "numerical_gradient",
    "gradcheck",
    "directional_check",
    "GradcheckReport",
    "TensorReport",
    "DirectionalReport",
]

#: default tolerances, one place for the reference's own tests and the autograder
DEFAULT_H = 1e-5
DEFAULT_TOL = 1e-6  # per tensor, ‖a − n‖ / (‖a‖ + ‖n‖)
DEFAULT_ELEM_TOL = 1e-5  # per entry, relative to |a_i| + |n_i| + FLOOR · max_j(|a_j|, |n_j|)
ELEM_FLOOR = 1e-3
DEFAULT_ATOL = 1e-9  # absolute slack per entry: rounding noise of a difference quotient


def rel_error(a: np.ndarray, n: np.ndarray) -> float:
    """‖a − n‖ / (‖a‖ + ‖n‖) in the Frobenius norm; 0 when both are zero, 1 for opposite signs.

    NaN-safe: any NaN or inf in a or n gives inf, so a NaN never passes a tolerance.
    """
    a = np.asarray(a, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(n))):
        return float("inf")
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    if denom == 0.0:
        return 0.0
    return float(np.linalg.norm(a - n) / denom)


def _as_float64_copies(inputs: Mapping[str, np.ndarray]) -> dict:
    # C order: numerical_gradient perturbs through reshape(-1), which must be a view
    return {k: np.array(v, dtype=np.float64, copy=True, order="C") for k, v in inputs.items()}


def _scalar(value, what: str) -> float:
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(
            f"{what} returned an array of shape {arr.shape}; gradcheck needs a scalar loss "
            "(pass a vjp callable as `analytic` to check an array-valued function)"
        )
    return float(arr.reshape(()))


def _projected(f: Callable, inputs: Mapping, v: np.ndarray | None) -> Callable[[dict], float]:
    """φ(p) = f(p) for a scalar f, ⟨v, f(p)⟩ for an array-valued one."""
    if v is None:
        return lambda p: _scalar(f(p), "f")
    return lambda p: float(np.sum(v * np.asarray(f(p), dtype=np.float64)))


def _resolve_analytic(f, params, analytic, seed) -> tuple[Callable[[dict], float], dict]:
    """Turn (f, analytic) into a scalar φ and its analytic gradient dict."""
    if callable(analytic):
        out = np.asarray(f(_as_float64_copies(params)), dtype=np.float64)
        v = np.random.default_rng([seed, 1]).standard_normal(out.shape)
        return _projected(f, params, v), {k: np.asarray(g) for k, g in analytic(v).items()}
    return _projected(f, params, None), dict(analytic)


def numerical_gradient(
    f: Callable[[dict], float],
    inputs: Mapping[str, np.ndarray],
    key: str,
    *,
    h: float = DEFAULT_H,
    indices: np.ndarray | None = None,
) -> np.ndarray:
    """Central differences (f(p + h e_i) − f(p − h e_i)) / 2h for the entries of inputs[key].

    Parameters
    ----------
    f : dict -> float
    inputs : {name: array}; only ``key`` is perturbed, one entry at a time
    indices : flat indices to perturb, or None for every entry

    Returns
    -------
    grad : float64 array of inputs[key]'s shape; entries not in ``indices`` are NaN
    """
    p = _as_float64_copies(inputs)
    x = p[key]
    flat = x.reshape(-1)  # a view: perturbing it perturbs p[key]
    grad = np.full(x.shape, np.nan)
    gflat = grad.reshape(-1)
    idx = range(flat.size) if indices is None else indices
    for i in idx:
        old = flat[i]
        flat[i] = old + h
        fp = _scalar(f(p), "f")
        flat[i] = old - h
        fm = _scalar(f(p), "f")
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * h)
    return grad


@dataclass
class TensorReport:
    """The check of one tensor: its relative error and its worst entries."""

    name: str
    shape: tuple
    checked: int
    rel_error: float
    max_elem_error: float
    passed: bool
    worst: list = field(default_factory=list)  # [(index tuple, analytic, numerical, elem error)]
    problem: str = ""

    def line(self) -> str:
        status = "ok  " if self.passed else "FAIL"
        text = (
            f"{status} {self.name}{list(self.shape)}: rel. error {self.rel_error:.2e}, "
            f"worst entry error {self.max_elem_error:.2e} ({self.checked} entries checked)"
        )
        if self.problem:
            text += f" — {self.problem}"
        return text


@dataclass
class GradcheckReport:
    """Outcome of gradcheck: one TensorReport per checked tensor."""

    tensors: list
    h: float
    tol: float
    elem_tol: float

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.tensors)

    @property
    def max_rel_error(self) -> float:
        return max((t.rel_error for t in self.tensors), default=0.0)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        lines = [
            f"gradcheck {'passed' if self.passed else 'FAILED'} "
            f"(h={self.h:g}, tol={self.tol:g} per tensor, {self.elem_tol:g} per entry)"
        ]
        for t in self.tensors:
            lines.append("  " + t.line())
            if not t.passed:
                for idx, a, n, e in t.worst:
                    lines.append(
                        f"      {t.name}{list(idx)}: analytic {a:+.6e}, numerical {n:+.6e} (error {e:.1e})"
                    )
        return "\n".join(lines)


def _elem_errors(a: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per entry: |a_i − n_i| and its scale |a_i| + |n_i| + FLOOR·max_j max(|a_j|, |n_j|)."""
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(n), initial=0.0))
    diff = np.abs(a - n)
    denom = np.abs(a) + np.abs(n) + ELEM_FLOOR * scale
    bad = ~(np.isfinite(a) & np.isfinite(n))
    diff = np.where(bad, np.inf, diff)
    return diff, np.where(bad, 1.0, denom)


def gradcheck(
    f: Callable,
    inputs: Mapping[str, np.ndarray],
    analytic,
    *,
    wrt=None,
    h: float = DEFAULT_H,
    tol: float = DEFAULT_TOL,
    elem_tol: float = DEFAULT_ELEM_TOL,
    atol: float = DEFAULT_ATOL,
    max_entries: int | None = None,
    seed: int = 0,
    n_worst: int = 3,
) -> GradcheckReport:
    """Compare an analytic gradient with central differences, tensor by tensor.

    A tensor passes when ‖a − n‖ ≤ tol·(‖a‖ + ‖n‖) + atol·√k (k entries checked) and every
    entry satisfies |a_i − n_i| ≤ elem_tol·(|a_i| + |n_i| + 10⁻³·max_j max(|a_j|, |n_j|)) + atol.
    NaN or inf anywhere fails.

    Parameters
    ----------
    f : dict -> float, the loss; or dict -> array, with ``analytic`` a vjp callable
    inputs : {name: array} at which to check; never modified
    analytic : {name: gradient} of inputs' shapes, or a callable v -> {name: vᵀ ∂f/∂name}
    wrt : names to check (default: every key of the analytic gradient)
    max_entries : check at most this many entries per tensor (seeded random subset)
    seed : for the subset and, for an array-valued f, the random cotangent v

    Returns
    -------
    GradcheckReport: truthy when every tensor passed; str() names the worst entries
    """
    phi, grads = _resolve_analytic(f, inputs, analytic, seed)
    names = list(grads) if wrt is None else list(wrt)
    rng = np.random.default_rng(seed)
    reports = []
    for name in names:
        x = np.asarray(inputs[name])
        a_full = np.asarray(grads.get(name)) if name in grads else None
        if a_full is None or a_full.shape != x.shape:
            got = "nothing" if a_full is None else f"shape {a_full.shape}"
            reports.append(
                TensorReport(name, x.shape, 0, float("inf"), float("inf"), False,
                             problem=f"analytic gradient has {got}, expected shape {x.shape}")
            )
            continue
        size = x.size
        if max_entries is not None and size > max_entries:
            idx = np.sort(rng.choice(size, size=max_entries, replace=False))
        else:
            idx = np.arange(size)
        n_full = numerical_gradient(phi, inputs, name, h=h, indices=idx)
        a = np.asarray(a_full, dtype=np.float64).reshape(-1)[idx]
        n = n_full.reshape(-1)[idx]
        rel = rel_error(a, n)
        diff, denom = _elem_errors(a, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            elem = np.where(diff == 0, 0.0, diff / np.where(denom == 0, 1.0, denom))
        norm_ok = np.isfinite(rel) and (
            np.linalg.norm(a - n) <= tol * (np.linalg.norm(a) + np.linalg.norm(n)) + atol * np.sqrt(len(idx))
        )
        elem_ok = bool(np.all(diff <= elem_tol * denom + atol))
        order = np.argsort(-elem, kind="stable")[:n_worst]
        worst = [
            (tuple(int(i) for i in np.unravel_index(idx[j], x.shape)), float(a[j]), float(n[j]), float(elem[j]))
            for j in order
        ]
        reports.append(
            TensorReport(name, x.shape, len(idx), rel, float(elem.max(initial=0.0)), bool(norm_ok and elem_ok), worst)
        )
    return GradcheckReport(reports, h, tol, elem_tol)


@dataclass
class DirectionalReport:
    """Outcome of directional_check: per direction, the analytic and numerical vᵀ J u."""

    analytic: list
    numerical: list
    errors: list
    tol: float
    ok: list

    @property
    def passed(self) -> bool:
        return all(self.ok)

    @property
    def max_rel_error(self) -> float:
        return max(self.errors, default=0.0)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        head = f"directional check {'passed' if self.passed else 'FAILED'} (tol={self.tol:g})"
        rows = [
            f"  direction {i}: analytic {a:+.8e}, numerical {n:+.8e}, rel. error {e:.1e}"
            for i, (a, n, e) in enumerate(zip(self.analytic, self.numerical, self.errors))
        ]
        return "\n".join([head] + rows)


def directional_check(
    f: Callable,
    inputs: Mapping[str, np.ndarray],
    analytic,
    *,
    wrt=None,
    n_directions: int = 4,
    h: float = DEFAULT_H,
    tol: float = DEFAULT_TOL,
    atol: float = DEFAULT_ATOL,
    seed: int = 0,
) -> DirectionalReport:
    """Compare vᵀ J u along random unit directions u with central differences.

    numerical: (φ(p + h u) − φ(p − h u)) / 2h,  analytic: Σ_name ⟨grad[name], u[name]⟩,
    φ = f for a scalar f and ⟨v, f⟩ for an array-valued f (``analytic`` then a vjp callable).
    A direction passes when |a − n| ≤ tol·(|a| + |n|) + atol.

    Parameters
    ----------
    f, inputs, analytic, wrt : as in gradcheck
    n_directions : how many random directions u (seeded)

    Returns
    -------
    DirectionalReport: truthy when every direction passed
    """
    phi, grads = _resolve_analytic(f, inputs, analytic, seed)
    names = list(grads) if wrt is None else list(wrt)
    rng = np.random.default_rng([seed, 2])
    base = _as_float64_copies(inputs)
    A, Nn, E, ok = [], [], [], []
    for _ in range(n_directions):
        u = {k: rng.standard_normal(np.shape(inputs[k])) for k in names}
        norm = np.sqrt(sum(float(np.sum(v * v)) for v in u.values())) or 1.0
        u = {k: v / norm for k, v in u.items()}
        plus = dict(base, **{k: base[k] + h * u[k] for k in names})
        minus = dict(base, **{k: base[k] - h * u[k] for k in names})
        num = (phi(plus) - phi(minus)) / (2 * h)
        ana = 0.0
        for k in names:
            g = np.asarray(grads[k], dtype=np.float64) if k in grads else None
            if g is None or g.shape != u[k].shape:
                ana = float("nan")
                break
            ana += float(np.sum(g * u[k]))
        err = abs(ana - num)
        scale = abs(ana) + abs(num)
        A.append(ana)
        Nn.append(num)
        E.append(float("inf") if not np.isfinite(err) else (err / scale if scale > 0 else 0.0))
        ok.append(bool(np.isfinite(err) and err <= tol * scale + atol))
    return DirectionalReport(A, Nn, E, tol, ok)
