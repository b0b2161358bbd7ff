"""The assignments' scored cases: the registry of exercises.

Each module ``<name>.py`` here (not starting with ``_``) is one exercise: it defines SUITE, a
Suite, and ORDER, its place in the lectures' order. ASSIGNMENTS lists them sorted by ORDER
(then by name; a module without ORDER comes last), read from the files without importing them,
so adding an exercise edits no list (see solutions/FORMAT.md).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..cases import Case, OwnForward
from ..registry import ASSIGNMENTS, SUITES_DIR, registered, suite_order  # noqa: F401 - the registry, re-exported


@dataclass(frozen=True)
class Suite:
    """An assignment: its graded functions in order, their points, and their cases."""

    assignment: str
    seed: int  # the default seed; TAs may pass another so hidden inputs differ
    points: dict  # function -> points, in the notebook's order
    cases: tuple  # of Case; a function's points are spread evenly over its cases

    def for_function(self, function: str, hidden: bool = True) -> list[tuple[int, Case]]:
        """(index, case) pairs of one function: the visible ones, or all with hidden=True."""
        return [(i, c) for i, c in enumerate(self.cases) if c.function == function and (hidden or c.visible)]

    @property
    def max_score(self) -> float:
        return float(sum(self.points.values()))


def spread(function: str, points: float, variants: list, **common) -> list[Case]:
    """One Case per (label, make, visible) variant, sharing the function's points evenly.

    A variant may carry a fourth item, a dict of Case fields that replace the common ones for it
    (e.g. {"compare": "gradcheck", "post": …} for a finite-difference case).
    """
    each = points / len(variants)
    out = []
    for label, make, visible, *own in variants:
        fields = dict(common, **(own[0] if own else {}))
        out.append(Case(function, label, make, each, visible, **fields))
    return out


#: the finite-difference cases' size: T, d+1, H, H+1 and m all differ, small enough for every entry
FD_SIZE = (6, 1, 3, 5)
FD_LABEL = "finite differences"


def numerical_gradients(loss, params: dict, names=None) -> dict:
    """{name: central differences of loss(params) by params[name]} (h = checks.GRAD_H), every entry."""
    from rnnref.gradcheck import numerical_gradient

    from ..checks import GRAD_H

    return {k: numerical_gradient(loss, params, k, h=GRAD_H) for k in (names or params)}


def gated_variants(build) -> list:
    """(label, make, visible) for every size of _data.sizes(); build(rng, T, d, H) (the gated cells use no m)."""
    from ._data import sizes

    return [(label, (lambda rng, dims=dims: build(rng, *dims[:3])), visible) for label, dims, visible in sizes()]


def gated_own_forward_case(assignment: str, backward: str, forward: str, make_params, keys) -> Case:
    """The 0-point check of a gated cell's backward against its student's own forward, T=6, d=1, H=3."""
    from ._data import sequence

    def make(rng):
        T, d, H = 6, 1, 3
        P = make_params(rng, d, H)
        X = sequence(rng, T, d)
        G = rng.standard_normal((T, H))
        return (X, P, G), {"forward": forward}, OwnForward(keys, forward)

    return Case(backward, f"consistency with your own {forward}", make, 0.0, True,
                arg_names=("X", "P", "dZ"), driver="own_forward_gradients", assignment=assignment)


def get_suite(assignment: str) -> Suite:
    """The Suite of an assignment; ValueError naming the known ones otherwise."""
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(ASSIGNMENTS)}")
    return importlib.import_module(f"{__name__}.{assignment}").SUITE


def fd_last(cases: list) -> tuple:
    """The cases with the finite-difference ones moved to the end: the others keep their index (and inputs)."""
    return tuple([c for c in cases if c.compare != "gradcheck"] + [c for c in cases if c.compare == "gradcheck"])
