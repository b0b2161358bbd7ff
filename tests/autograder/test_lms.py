"""The LMS grade-import layouts (Moodle, Canvas), and `rnngrade batch --lms`."""

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import lms
from autograder.cli import main

ROOT = Path(__file__).resolve().parents[2]
CLASS = ROOT / "examples" / "class"


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


ASSIGNMENTS = [("rnn_bptt", 15.0), ("lstm", 10.0)]
ROWS = [
    lms.Row("bob", scores={"rnn_bptt": 12.233333333, "lstm": 0.0}),
    lms.Row("alice", "Alice", "Liddell", "alice@example.org", "1001", {"rnn_bptt": 15.0}),
]


class TestNumber:
    def test_plain_decimals(self):
        """Scores are plain decimals with at most four places, no exponent, no trailing zeros."""
        assert [lms.number(x) for x in (15.0, 12.233333333, 0.0, -0.0, 1e-7, 2.5)] == \
            ["15", "12.2333", "0", "0", "0", "2.5"]


#: a student whose every text field would be a formula in a spreadsheet
HOSTILE = lms.Row("=HYPERLINK(\"http://evil\",\"x\")", "+cmd", "-2+3", "@evil.org", "\t1001",
                  {"rnn_bptt": -2.5})


class TestMoodle:
    def test_layout(self):
        """Moodle's export column names, one row per student sorted by id, a missing score as 0."""
        rows = rows_of(lms.moodle_csv(ROWS, ASSIGNMENTS))
        assert rows[0] == ["First name", "Last name", "ID number", "Email address", "Username", "rnn_bptt", "lstm"]
        assert rows[1] == ["Alice", "Liddell", "1001", "alice@example.org", "alice", "15", "0"]
        assert rows[2] == ["", "", "", "", "bob", "12.2333", "0"]
        assert len(rows) == 3

    def test_formulas_written_as_text(self):
        """Every text field starting like a formula gets a leading quote; the (negative) score stays a number."""
        rows = rows_of(lms.moodle_csv([HOSTILE], ASSIGNMENTS))
        assert rows[1] == ["'+cmd", "'-2+3", "'\t1001", "'@evil.org", "'=HYPERLINK(\"http://evil\",\"x\")",
                           "-2.5", "0"]


class TestCanvas:
    def test_layout(self):
        """Canvas's columns, the Points Possible row, "Last, First" names, the hub id as SIS Login ID."""
        rows = rows_of(lms.canvas_csv(ROWS, ASSIGNMENTS))
        assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "rnn_bptt", "lstm"]
        assert rows[1] == ["    Points Possible", "", "", "", "", "15", "10"]
        assert rows[2] == ["Liddell, Alice", "1001", "", "alice", "", "15", "0"]
        assert rows[3] == ["bob", "", "", "bob", "", "12.2333", "0"]

    def test_formulas_written_as_text(self):
        """Canvas's Student, ID and SIS Login ID cells starting like a formula are text; scores stay numbers."""
        rows = rows_of(lms.canvas_csv([HOSTILE], ASSIGNMENTS))
        assert rows[2] == ["'-2+3, +cmd", "'\t1001", "", "'=HYPERLINK(\"http://evil\",\"x\")", "", "-2.5", "0"]

    def test_unknown_layout(self):
        """render names the layouts it knows."""
        with pytest.raises(ValueError, match="moodle, canvas"):
            lms.render("blackboard", ROWS, ASSIGNMENTS)


class TestBatchLms:
    @pytest.mark.parametrize("layout,id_column", [("moodle", "Username"), ("canvas", "SIS Login ID")])
    def test_batch_writes_the_layout(self, tmp_path, layout, id_column):
        """`rnngrade batch --lms` writes -o in the LMS's layout with each student's total."""
        out = tmp_path / "lms.csv"
        r = CliRunner().invoke(main, ["batch", str(CLASS), "-o", str(out), "--results", str(tmp_path / "res"),
                                      "--lms", layout], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        rows = [row for row in csv.DictReader(out.read_text().splitlines()) if row[id_column]]
        scores = {row[id_column]: float(row["rnn_bptt"]) for row in rows}
        assert scores["alice"] == 15 and scores["carol"] == 0 and 0 < scores["bob"] < 15
        assert f"({layout.capitalize()} grade import)" in r.output

    @pytest.mark.parametrize("layout,id_column", [("moodle", "Username"), ("canvas", "SIS Login ID")])
    def test_formula_student_ids_subprocess(self, tmp_path, layout, id_column):
        """A real `rnngrade batch --lms`: folders named like formulas come out as text, their scores as numbers."""
        klass = tmp_path / "class"
        for student in ("=1+1", "@SUM(A1)", "-2+3"):
            shutil.copytree(CLASS / "carol", klass / student)
        shutil.copytree(CLASS / "alice", klass / "+alice")
        out = tmp_path / "lms.csv"
        r = subprocess.run([str(Path(sys.executable).with_name("rnngrade")), "batch", str(klass), "-a", "rnn_bptt",
                            "-o", str(out), "--results", str(tmp_path / "res"), "--lms", layout],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        rows = [row for row in csv.DictReader(io.StringIO(out.read_text(), newline="")) if row[id_column]]
        assert {row[id_column]: row["rnn_bptt"] for row in rows} == {
            "'=1+1": "0", "'@SUM(A1)": "0", "'-2+3": "0", "'+alice": "15"}

    def test_unknown_layout_exit_2(self, tmp_path):
        """An LMS the kit does not know: click's usage error (exit 2), nothing written."""
        r = CliRunner().invoke(main, ["batch", str(CLASS), "-o", str(tmp_path / "x.csv"), "--lms", "blackboard"])
        assert r.exit_code == 2 and "blackboard" in r.output
        assert not (tmp_path / "x.csv").exists()

    def test_subprocess(self, tmp_path):
        """A real `rnngrade batch --lms canvas` process."""
        klass = tmp_path / "class"
        shutil.copytree(CLASS, klass)
        r = subprocess.run([str(Path(sys.executable).with_name("rnngrade")), "batch", str(klass), "-o",
                            str(tmp_path / "c.csv"), "--results", str(tmp_path / "res"), "--lms", "canvas"],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert rows_of((tmp_path / "c.csv").read_text())[1][:1] == ["    Points Possible"]
