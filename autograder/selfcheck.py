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
                 lang: str = "en", full: float | None = None) -> str:
    """'✓ deltas: 4/4 visible cases passed (1.20 / 1.2 points; the visible cases' share of the function's 3)', in
    English or Japanese (the message catalog, autograder/messages/). ``possible``: the points of the cases run;
    ``full``: the function's points, said when the cases run are only part of them."""
    from .messages import text

    mark = "✓" if passed == total else "✗"
    which = text("cases_all" if hidden else "cases_visible", lang)
    scope = text("scope_visible", lang, full=full) if full is not None and abs(full - possible) > 1e-9 else ""
    return text("summary", lang, mark=mark, function=function, passed=passed, total=total, which=which,
                points=points, possible=possible, scope=scope)


def function_points(suite, function: str, results) -> float:
    """A function's points from its case results: the sum of the cases' scores, rounded to 6 decimals — the same
    scale everywhere (``rnngrade check``, the notebook's test cell, ``rnngrade grade`` and nbgrader): the visible
    cases alone are worth their share of the function's points, all cases the function's points."""
    return round(sum(r.score for r in results), 6)


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
    points earned: the sum of the cases' scores (the visible cases are worth their share of the function's points)
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
    """The summary line (scored cases only: a 0-point check is information, never a ✗), the notes, then each
    distinct message of the results (CaseResults); an informational check's message is marked ℹ."""
    from .messages import text

    points = function_points(suite, function, results)
    scored = [r for r in results if r.max_score > 0]
    possible = round(sum(r.max_score for r in scored), 6)
    lines = [summary_line(function, sum(r.passed for r in scored), len(scored), points, possible, hidden, lang,
                          full=suite.points[function])]
    lines += ["  " + text("note", lang, text=n) for n in notes]
    from .diagnosis import step_vs_time

    across = step_vs_time(results, suite.assignment, function, lang)  # T = 1 right, T > 1 wrong: in its words
    if across:
        lines.append("  " + across)
    shown = []
    for r in results:
        if r.output and r.output not in shown:  # failures, and what passing checks have to say
            shown.append(r.output)
            mark = "ℹ " if r.max_score == 0 else ""
            lines.append(f"  {mark}[{r.name.split('[', 1)[1].rstrip(']')}] {r.output}")
    return lines
