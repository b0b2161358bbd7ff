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
from .suites import get_suite


def check(assignment: str, function: str, namespace: dict, *, hidden: bool = False, seed: int | None = None,
          verbose: bool = True) -> float:
    """Run the cases of one function on ``namespace[function]``; print feedback; return the points.

    Parameters
    ----------
    assignment : e.g. "rnn_bptt"
    function : the graded function's name, e.g. "deltas"
    namespace : where to find it, usually ``globals()``
    hidden : every case (visible and hidden) instead of the visible ones only
    seed : the inputs' seed (default: the assignment's)

    Returns
    -------
    points earned, out of the function's points (scaled over the cases run)
    """
    suite = get_suite(assignment)
    if function not in suite.points:
        raise ValueError(f"{assignment} has no graded function {function!r}; it has {', '.join(suite.points)}")
    seed = suite.seed if seed is None else seed
    func = namespace.get(function)
    results = [run_in_process(case, func, seed, i) for i, case in suite.for_function(function, hidden)]
    got = sum(r.score for r in results)
    possible = sum(r.max_score for r in results)
    points = suite.points[function] * got / possible if possible else 0.0
    if verbose:
        passed = sum(r.passed for r in results)
        which = "" if hidden else " visible"
        mark = "✓" if passed == len(results) else "✗"
        print(f"{mark} {function}: {passed}/{len(results)}{which} cases passed "
              f"({points:.2f} / {suite.points[function]} points)")
        shown = []
        for r in results:
            if not r.passed and r.output not in shown:
                shown.append(r.output)
                print(f"  [{r.name.split('[', 1)[1].rstrip(']')}] {r.output}")
    return round(points, 6)
