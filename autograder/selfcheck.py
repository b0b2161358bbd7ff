"""The checks of rnngrade, run inside a notebook kernel: ``check(assignment, function, globals())``.

This is what the notebooks' test cells call, for students (visible cases) and for plain
``nbgrader autograde`` (every case, inside the hidden-tests block). It prints feedback on
stdout only — nbgrader zeroes a cell that writes to stderr — and returns the points earned,
so that the cell's numeric output is nbgrader's partial credit.

The student's function runs in the kernel's own process here: fine for a student checking
their own work. Grading a class goes through ``rnngrade``, which isolates the code.
"""

from __future__ import annotations

import contextlib
import sys

from .cases import run_in_process
from .feedback import resolve_lang
from .suites import get_suite

#: the language of the notebooks, and so of the feedback their test cells print by default
NOTEBOOK_LANG = "ja"


def summary_line(function: str, passed: int, total: int, points: float, possible: float, hidden: bool,
                 lang: str = "en") -> str:
    """'✓ deltas: 4/4 visible cases passed (3.00 / 3 points)', in English or Japanese."""
    mark = "✓" if passed == total else "✗"
    if lang == "ja":
        which = "全ケース" if hidden else "公開ケース"
        return f"{mark} {function}: {which} {total} 件中 {passed} 件に合格（{points:.2f} / {possible} 点）"
    which = "" if hidden else " visible"
    return f"{mark} {function}: {passed}/{total}{which} cases passed ({points:.2f} / {possible} points)"


def function_points(suite, function: str, results) -> float:
    """A function's points from its case results (scaled over the cases run), as nbgrader records
    them: rounded to 6 decimals, so that the kernel's check and ``rnngrade nbgrader autograde`` agree."""
    got = sum(r.score for r in results)
    possible = sum(r.max_score for r in results)
    return round(suite.points[function] * got / possible, 6) if possible else 0.0


def check(assignment: str, function: str, namespace: dict, *, hidden: bool = False, seed: int | None = None,
          verbose: bool = True, lang: str | None = None) -> float:
    """Run the cases of one function on ``namespace[function]``; print feedback; return the points.

    Parameters
    ----------
    assignment : e.g. "rnn_bptt"
    function : the graded function's name, e.g. "deltas"
    namespace : where to find it, usually ``globals()``
    hidden : every case (visible and hidden) instead of the visible ones only
    seed : the inputs' seed (default: the assignment's)
    lang : "en" or "ja" for the feedback; None: $RNNGRADE_LANG when set, else Japanese (the notebooks'
        language, whatever the kernel's locale)

    Returns
    -------
    points earned, out of the function's points (scaled over the cases run)
    """
    suite = get_suite(assignment)
    if function not in suite.points:
        raise ValueError(f"{assignment} has no graded function {function!r}; it has {', '.join(suite.points)}")
    seed = suite.seed if seed is None else seed
    lang = resolve_lang(lang, default=NOTEBOOK_LANG)
    func = namespace.get(function)
    # whatever the student's code writes to stderr goes to stdout: nbgrader zeroes a cell with stderr output
    with contextlib.redirect_stderr(sys.stdout):
        results = [run_in_process(case, func, seed, i, lang) for i, case in suite.for_function(function, hidden)]
    points = function_points(suite, function, results)
    if verbose:
        print("\n".join(feedback_lines(suite, function, results, hidden, lang)))
    return points


def feedback_lines(suite, function: str, results, hidden: bool, lang: str, notes=()) -> list[str]:
    """The summary line, the notes, then each distinct message of the results (CaseResults)."""
    points = function_points(suite, function, results)
    lines = [summary_line(function, sum(r.passed for r in results), len(results), points,
                          suite.points[function], hidden, lang)]
    lines += [f"  note: {n}" for n in notes]
    shown = []
    for r in results:
        if r.output and r.output not in shown:  # failures, and what passing checks have to say
            shown.append(r.output)
            lines.append(f"  [{r.name.split('[', 1)[1].rstrip(']')}] {r.output}")
    return lines
