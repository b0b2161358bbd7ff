"""autograder.report: text report, Gradescope results.json, class CSV and summary."""

import csv
import io
import json

import pytest

from autograder.api import GradeResult
from autograder.cases import CaseResult
from autograder.files import write_atomic
from autograder.report import class_csv, gradescope_json, render, summary, summary_png, text_report


def result(student="alice", scores=(1.0, 0.0), statuses=("passed", "failed")):
    tests = [
        CaseResult(f"deltas [case {i}]", "deltas", s, 1.0, st, "" if st == "passed" else "deltas: δ_2 disagrees.",
                   visible=i == 0)
        for i, (s, st) in enumerate(zip(scores, statuses))
    ]
    return GradeResult("rnn_bptt", student, sum(scores), 2.0, tests, 0.42, "s-0123456789abcdef",
                       notes=["file-system isolation is off"])


class TestFormats:
    def test_json_has_every_field(self):
        """--format json carries the issue's fields, tests with name/score/max_score/status/output/visibility."""
        data = json.loads(render(result(), "json"))
        assert {"assignment", "student", "score", "max_score", "tests", "execution_time", "inputs",
                "rnngrade_version", "status"} <= set(data) and "seed" not in data
        assert data["tests"][1] == {"name": "deltas [case 1]", "score": 0.0, "max_score": 1.0, "status": "failed",
                                    "output": "deltas: δ_2 disagrees.", "visibility": "hidden"}

    def test_gradescope_schema(self):
        """Gradescope's results.json: statuses passed/failed only, known visibility values, integer time."""
        data = gradescope_json(result(statuses=("passed", "timeout"), scores=(1.0, 0.0)))
        assert data["score"] == 1.0 and isinstance(data["execution_time"], int)
        assert {t["status"] for t in data["tests"]} == {"passed", "failed"}
        assert {t["visibility"] for t in data["tests"]} <= {"hidden", "after_due_date", "after_published", "visible"}
        assert all(set(t) == {"name", "score", "max_score", "status", "output", "visibility"} for t in data["tests"])

    def test_text_report(self):
        """The text report gives the total, a line per function, each failing case with its message, the notes."""
        text = text_report(result())
        lines = text.splitlines()
        assert lines[0] == "rnn_bptt — alice: 1 / 2 points"
        assert "note: file-system isolation is off" in text
        assert any(ln.strip().startswith("✗ deltas") and "1/2 cases passed" in ln for ln in lines)
        assert "✗ [case 1] (hidden)" in text and "[case 0]" not in text  # passed cases are not listed
        assert "deltas: δ_2 disagrees." in text


class TestClassOutputs:
    def test_csv_columns_and_rows(self):
        """One row per student (sorted), student/score/max_score then one column per test."""
        rows = list(csv.reader(io.StringIO(class_csv([result("bob", (0.0, 0.0)).to_json(),
                                                        result("alice").to_json()]))))
        assert rows[0] == ["student", "score", "max_score", "deltas [case 0]", "deltas [case 1]"]
        assert rows[1][:3] == ["alice", "1.0", "2.0"] and rows[2][0] == "bob"

    def test_csv_formula_ids_are_text(self):
        """Student ids starting with = + - @ tab or CR are written with a leading quote; scores stay numbers, negative too."""
        ids = ['=HYPERLINK("http://evil","x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]
        results = [result(s).to_json() for s in ids]
        results[0]["score"] = -1.5
        rows = list(csv.reader(io.StringIO(class_csv(results), newline="")))
        assert sorted(r[0] for r in rows[1:]) == sorted("'" + s for s in ids)
        assert {r[0]: r[1] for r in rows[1:]}["'" + ids[0]] == "-1.5"
        assert all(len(r) == 5 for r in rows)

    def test_summary_text(self):
        """The summary has a histogram with every student counted and a pass rate per test."""
        text = summary([result("a").to_json(), result("b", (1.0, 1.0), ("passed", "passed")).to_json()])
        assert text.startswith("2 submissions, mean 1.50 / 2")
        assert "100.0%  deltas [case 0]" in text and " 50.0%  deltas [case 1]" in text
        assert sum(int(line.rsplit(" ", 1)[1]) for line in text.splitlines() if "–" in line) == 2

    def test_summary_png(self, tmp_path):
        """summary.png is a real PNG."""
        summary_png([result().to_json()], tmp_path / "summary.png")
        assert (tmp_path / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


class TestWriteAtomic:
    def test_replaces_whole_file(self, tmp_path):
        """The file holds the new text and no temporary file is left behind."""
        p = tmp_path / "out" / "r.json"
        write_atomic(p, "old")
        write_atomic(p, "new")
        assert p.read_text() == "new" and [x.name for x in p.parent.iterdir()] == ["r.json"]

    def test_failure_keeps_old_content(self, tmp_path):
        """A failed write (here: text that cannot be encoded) leaves the previous file intact."""
        p = tmp_path / "r.txt"
        write_atomic(p, "old")
        with pytest.raises(UnicodeEncodeError):
            write_atomic(p, "\ud800")
        assert p.read_text() == "old" and len(list(tmp_path.iterdir())) == 1


class TestShown:
    def test_terminal_escapes_and_line_breaks_are_neutralised(self):
        """A student id or note with an escape sequence or a line break prints as one inert line."""
        from autograder.report import printable

        r = result(student="eve\x1b[2J\nalice: 15 / 15")
        r.notes = ["eve\x1b]0;owned\x07.py is a symbolic link"]
        text = text_report(r)
        assert "\x1b" not in text and "\x07" not in text
        assert text.splitlines()[0] == "rnn_bptt — eve?[2J?alice: 15 / 15: 1 / 2 points"
        assert printable("山田 太郎") == "山田 太郎"
