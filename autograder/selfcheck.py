"""The checks of rnngrade, run inside a notebook kernel: ``check(assignment, function, globals())``.

This is what the notebooks' test cells call, for students (visible cases) and for plain
``nbgrader autograde`` (every case, inside the hidden-tests block). It prints feedback on
stdout only — nbgrader zeroes a cell that writes to stderr — and returns the points earned,
so that the cell's numeric output is nbgrader's partial credit.

The student's function runs in the kernel's own process here: fine for a student checking
their own work. Grading a class goes through ``rnngrade``, which isolates the code.
"""

from __future__ import annotations

from .cases import run_in_process
from .feedback import resolve_lang
from .suites import get_suite


def summary_line(function: str, passed: int, total: int, points: float, possible: float, hidden: bool,
                 lang: str = "en") -> str:
    """'✓ deltas: 4/4 visible cases passed (3.00 / 3 points)', in English or Japanese."""
    mark = "✓" if passed == total else "✗"
    if lang == "ja":
        which = "全ケース" if hidden else "公開ケース"
        return f"{mark} {function}: {which} {total} 件中 {passed} 件に合格（{points:.2f} / {possible} 点）"
    which = "" if hidden else " visible"
    return f"{mark} {function}: {passed}/{total}{which} cases passed ({points:.2f} / {possible} points)"


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
    lang : "en" or "ja" for the feedback; None: from the locale (LANG, LC_ALL, LC_MESSAGES)

    Returns
    -------
    points earned, out of the function's points (scaled over the cases run)
    """
    suite = get_suite(assignment)
    if function not in suite.points:
        raise ValueError(f"{assignment} has no graded function {function!r}; it has {', '.join(suite.points)}")
    seed = suite.seed if seed is None else seed
    lang = resolve_lang(lang)
    func = namespace.get(function)
    results = [run_in_process(case, func, seed, i, lang) for i, case in suite.for_function(function, hidden)]
    got = sum(r.score for r in results)
    possible = sum(r.max_score for r in results)
    points = suite.points[function] * got / possible if possible else 0.0
    if verbose:
        passed = sum(r.passed for r in results)
        print(summary_line(function, passed, len(results), points, suite.points[function], hidden, lang))
        shown = []
        for r in results:
            if r.output and r.output not in shown:  # failures, and what passing checks have to say
                shown.append(r.output)
                print(f"  [{r.name.split('[', 1)[1].rstrip(']')}] {r.output}")
    return round(points, 6)
