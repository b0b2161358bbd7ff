"""The assignments' scored cases. Each module defines SUITE, a Suite."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..cases import Case

ASSIGNMENTS = ("rnn_bptt", "lstm", "gru")


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
    """One Case per (label, make, visible) variant, sharing the function's points evenly."""
    each = points / len(variants)
    return [Case(function, label, make, each, visible, **common) for label, make, visible in variants]


def get_suite(assignment: str) -> Suite:
    """The Suite of an assignment; ValueError naming the known ones otherwise."""
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(ASSIGNMENTS)}")
    return importlib.import_module(f"{__name__}.{assignment}").SUITE
