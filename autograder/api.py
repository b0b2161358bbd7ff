"""Scoring: load a submission, run its functions isolated (runner.py), judge in this process.

The student's code never runs in this process; only plain data comes back from the worker
(runner.py decodes it without pickle), and every comparison and every score is made here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import __version__


class SubmissionError(ValueError):
    """The path given is not a gradeable submission (missing, unknown kind, corrupt zip, …).

    Its message is one line saying what is wrong and what to do; the CLI exits 2 with it.
    """


@dataclass
class GradeResult:
    """One submission's grade: what `--format json` writes, field for field."""

    assignment: str
    student: str
    score: float
    max_score: float
    tests: list  # of cases.CaseResult
    execution_time: float
    seed: int
    rnngrade_version: str = __version__
    notes: list = field(default_factory=list)  # e.g. "file-system isolation is off: …", import errors

    def to_json(self) -> dict:
        """The JSON result: {assignment, student, score, max_score, tests: [...], execution_time, seed,
        rnngrade_version}; each test {name, score, max_score, status, output, visibility}."""
        return {
            "assignment": self.assignment,
            "student": self.student,
            "score": round(self.score, 6),
            "max_score": self.max_score,
            "tests": [
                {
                    "name": t.name,
                    "score": round(t.score, 6),
                    "max_score": round(t.max_score, 6),
                    "status": t.status,
                    "output": t.output,
                    "visibility": "visible" if t.visible else "hidden",
                }
                for t in self.tests
            ],
            "execution_time": round(self.execution_time, 3),
            "seed": self.seed,
            "rnngrade_version": self.rnngrade_version,
            "notes": list(self.notes),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"

