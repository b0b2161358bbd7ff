"""Every notebook runs top to bottom in a fresh kernel (nbclient).

The nbgrader source notebook (the full solution) must run without an error, earn every
point in its test cells, write nothing to stderr there (nbgrader would zero the cell) and
draw its plots. The student release must run its test cells to a score of 0 without
crashing, its experiments stopping at the first NotImplementedError.
"""

import json
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.suites import ASSIGNMENTS, get_suite

ROOT = Path(__file__).resolve().parents[2]
# the limit for one notebook, top to bottom, kernel start included (issue 15: under 30 s). CI measures it on
# 2 cores; on a machine busy with other work the wall time can exceed it without the notebook being slower.
BUDGET_S = 30


def execute(path: Path, allow_errors: bool):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def score_of(cell) -> float | None:
    for out in cell.get("outputs", []):
        if out["output_type"] == "execute_result" and "text/plain" in out["data"]:
            return float(out["data"]["text/plain"])
    return None


def grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def solved(request):
    name = request.param
    nb, seconds = execute(ROOT / "solutions" / name / f"{name}.ipynb", allow_errors=False)
    return name, nb, seconds


class TestSourceNotebooks:
    def test_runs_within_budget(self, solved):
        """The solution notebook runs top to bottom, without an error, in under BUDGET_S (30 s)."""
        name, nb, seconds = solved
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
        assert errors == []
        assert seconds < BUDGET_S, f"{name}: {seconds:.1f} s"

    def test_test_cells_award_full_points(self, solved):
        """Every graded cell's numeric output is the points the suite gives its function."""
        name, nb, _ = solved
        points = get_suite(name).points
        cells = grade_cells(nb)
        assert sorted(c.metadata["nbgrader"]["grade_id"] for c in cells) == sorted(f"test_{f}" for f in points)
        for c in cells:
            fn = c.metadata["nbgrader"]["grade_id"].removeprefix("test_")
            assert score_of(c) == pytest.approx(points[fn]), (fn, json.dumps(c.outputs)[:500])

    def test_no_stderr_in_test_cells(self, solved):
        """No graded cell writes to stderr (nbgrader gives such a cell zero)."""
        _, nb, _ = solved
        for c in grade_cells(nb):
            assert not [o for o in c.outputs if o["output_type"] == "stream" and o["name"] == "stderr"]

    def test_draws_plots(self, solved):
        """The experiments draw at least one figure (a PNG in the outputs)."""
        _, nb, _ = solved
        pngs = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        assert pngs, "no plot was drawn"


class TestStudentNotebooks:
    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_release_scores_zero_without_crashing(self, name):
        """The untouched release runs: test cells score 0, the experiments stop at NotImplementedError."""
        nb, _ = execute(ROOT / "assignments" / name / f"{name}.ipynb", allow_errors=True)
        cells = grade_cells(nb)
        assert cells and all(score_of(c) == 0.0 for c in cells)
        for c in cells:
            assert not [o for o in c.outputs if o["output_type"] in ("error",)]
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
        assert errors and errors[0]["ename"] == "NotImplementedError"
