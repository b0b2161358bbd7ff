"""autograder.lms: the LMS import layouts (Moodle's grading worksheet and gradebook, Canvas's gradebook), the
feedback zips, the checks before grading, and `rnngrade batch --lms`."""

import csv
import io
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import lms
from autograder.batch import Entry
from autograder.cli import main
from autograder.errors import UserError
from autograder.lms_in import Origin
from tests.autograder import lms_fixtures as fx

ROOT = Path(__file__).resolve().parents[2]
CLASS = ROOT / "examples" / "class"
RNNGRADE = Path(sys.executable).with_name("rnngrade")


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


ASSIGNMENTS = [("rnn_bptt", 15.0), ("lstm", 10.0)]
ROWS = [
    lms.Row("bob", scores={"rnn_bptt": 12.233333333, "lstm": 0.0}),
    lms.Row("alice", "Alice", "Liddell", "alice@example.org", "1001", {"rnn_bptt": 15.0}),
]
#: a student whose every text field would be a formula in a spreadsheet
HOSTILE = lms.Row("=HYPERLINK(\"http://evil\",\"x\")", "+cmd", "-2+3", "@evil.org", "\t1001",
                  {"rnn_bptt": -2.5})
WORKSHEET = [
    lms.Row("山田 花子_1001", lms_user_id="1001", full_name="山田 花子", scores={"rnn_bptt": 15.0},
            feedback="rnn_bptt — 山田 花子: 15 / 15\n  ✓ forward <ok> & done\n"),
    lms.Row("Dave Lee_4", lms_user_id="4", full_name="Dave Lee", scores={"rnn_bptt": None}, feedback="note: none\n"),
]
GRADED_AT = datetime(2026, 6, 1, 10, 15, 0, tzinfo=timezone(timedelta(hours=9)))


class TestNumber:
    def test_plain_decimals(self):
        """Scores are plain decimals with at most four places, no exponent, no trailing zeros."""
        assert [lms.number(x) for x in (15.0, 12.233333333, 0.0, -0.0, 1e-7, 2.5)] == \
            ["15", "12.2333", "0", "0", "0", "2.5"]


class TestMoodleGradebook:
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
        """Canvas's columns, "Last, First" names, the hub id as SIS Login ID, no Points Possible row unless asked."""
        rows = rows_of(lms.canvas_csv(ROWS, ASSIGNMENTS))
        assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "rnn_bptt", "lstm"]
        assert rows[1] == ["Liddell, Alice", "1001", "", "alice", "", "15", ""]
        assert rows[2] == ["bob", "", "", "bob", "", "12.2333", "0"]
        assert rows_of(lms.canvas_csv(ROWS, ASSIGNMENTS, points_possible=True))[1] == [
            "    Points Possible", "", "", "", "", "15", "10"]

    def test_download_rows(self):
        """A student of Canvas's download: the name it showed, the user id, no SIS Login ID; nothing handed in is
        blank."""
        row = lms.Row("leedave_2005", lms_user_id="2005", full_name="leedave", scores={"RNN (12)": None},
                      origin=Origin("canvas", "2005", ""))
        assert rows_of(lms.canvas_csv([row], [("RNN (12)", 15.0)]))[1] == ["leedave", "2005", "", "", "", ""]

    def test_non_numeric_id_refused(self):
        """An ID Canvas would read as another number ("535fa0" → 535), or an anonymous id, is refused with the fix."""
        with pytest.raises(UserError, match=r"s1: Canvas user id '535fa0' is not a number"):
            lms.canvas_csv([lms.Row("s1", lms_user_id="535fa0", scores={})], ASSIGNMENTS)
        with pytest.raises(UserError, match="anonymous ids"):
            lms.check_canvas_ids([("x", "anon_Xy3kP")])

    def test_formulas_written_as_text(self):
        """Canvas's Student, ID and SIS Login ID cells starting like a formula are text; scores stay numbers."""
        with pytest.raises(UserError):  # "\t1001" is no Canvas id
            lms.canvas_csv([HOSTILE], ASSIGNMENTS)
        hostile = lms.Row(HOSTILE.student_id, HOSTILE.first_name, HOSTILE.last_name, scores=HOSTILE.scores)
        rows = rows_of(lms.canvas_csv([hostile], ASSIGNMENTS))
        assert rows[1] == ["'-2+3, +cmd", "", "", "'=HYPERLINK(\"http://evil\",\"x\")", "", "-2.5", ""]

    def test_title(self):
        """The assignment column must be Canvas's "Title (id)"."""
        assert lms.check_canvas_title("RNN BPTT (1234)") == "RNN BPTT (1234)"
        for bad in ("RNN BPTT", "RNN BPTT(1234)", "RNN (12a)"):
            with pytest.raises(UserError, match="is not Canvas's 'Title \\(id\\)'"):
                lms.check_canvas_title(bad)


class TestMoodleWorksheet:
    def test_columns_and_rows(self):
        """Moodle's worksheet columns; "Participant N"; a blank grade and "No submission" with nothing handed in."""
        rows = rows_of(lms.moodle_worksheet(WORKSHEET, ("rnn_bptt", 15.0), GRADED_AT))
        assert rows[0] == ["Identifier", "Full name", "Status", "Grade", "Maximum Grade", "Grade can be changed",
                           "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
        assert rows[1][:8] == ["Participant 4", "Dave Lee", "No submission", "", "15", "Yes", "",
                               "2026-06-01T10:15:00+09:00"]
        assert rows[2][:4] == ["Participant 1001", "山田 花子", "Submitted for grading", "15"]

    def test_feedback_html(self):
        """The report is Moodle's feedback comments as escaped HTML, its lines kept."""
        cell = rows_of(lms.moodle_worksheet(WORKSHEET, ("rnn_bptt", 15.0), GRADED_AT))[2][8]
        assert cell == "<pre>rnn_bptt — 山田 花子: 15 / 15\n  ✓ forward &lt;ok&gt; &amp; done</pre>"

    def test_email_when_known(self):
        """"Email address" is a column only when some participant's is known."""
        row = lms.Row("x", lms_user_id="1", email="x@example.org", scores={"a": 1.0})
        assert rows_of(lms.moodle_worksheet([row], ("a", 2.0), GRADED_AT))[0][2] == "Email address"


class TestRender:
    def test_unknown_layout(self):
        """render names the layouts it knows."""
        with pytest.raises(ValueError, match="moodle, moodle-gradebook, canvas"):
            lms.render("blackboard", ROWS, ASSIGNMENTS)

    def test_bom(self):
        """bom starts the CSV with a UTF-8 byte-order mark, and nothing else changes."""
        plain = lms.render("canvas", ROWS, ASSIGNMENTS)
        assert lms.render("canvas", ROWS, ASSIGNMENTS, bom=True) == "\ufeff" + plain


class TestFeedbackZip:
    def test_names_and_left_out(self):
        """Each report where the download named its student, UTF-8 with a BOM; a student Canvas cannot take one
        back from is left out."""
        rows = [lms.Row("a", feedback="A ✓\n", origin=Origin("moodle", "1", "A_1_assignsubmission_file")),
                lms.Row("b", feedback="B\n", origin=Origin("canvas", "2", "b_LATE_2_9")),
                lms.Row("c", feedback="C\n", origin=Origin("canvas", "3", ""))]
        data, left_out = lms.feedback_zip(rows, "rnn_bptt-feedback.txt")
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert zf.namelist() == ["A_1_assignsubmission_file/rnn_bptt-feedback.txt",
                                     "b_LATE_2_9_rnn_bptt-feedback.txt"]
            assert zf.read(zf.namelist()[0]) == "\ufeffA ✓\n".encode("utf-8")
        assert left_out == ["c"]


def _entries(*ids):
    return [Entry(f"s{k}", Path("."), lms_id=i) for k, i in enumerate(ids)]


class TestCheck:
    @pytest.mark.parametrize("layout,kind,fz,match", [
        ("moodle", None, None, "--lms moodle writes the assignment's grading worksheet"),
        ("moodle", "canvas", None, "--lms moodle writes"),
        ("moodle-gradebook", "moodle", None, "use --lms moodle"),
        ("canvas", "moodle", None, "use --lms moodle"),
        ("moodle-gradebook", None, Path("f.zip"), "--feedback-zip names each file"),
        ("canvas", None, Path("f.zip"), "--feedback-zip names each file"),
    ])
    def test_layout_fits_the_class(self, layout, kind, fz, match):
        """A layout the class cannot fill, or a feedback zip without an LMS's download, is refused in one line."""
        with pytest.raises(UserError, match=match):
            lms.check(lms.Options(layout), kind, [], fz)

    def test_canvas_options(self):
        """Canvas: its column title and numeric ids are checked; its options are refused with another layout."""
        lms.check(lms.Options("canvas", canvas_assignment="A (1)"), "canvas", _entries("1", "22"), Path("f.zip"))
        with pytest.raises(UserError, match="Title \\(id\\)"):
            lms.check(lms.Options("canvas", canvas_assignment="A"), "canvas", [], None)
        with pytest.raises(UserError, match="anonymous"):
            lms.check(lms.Options("canvas"), "canvas", _entries("anon_Q1"), None)
        with pytest.raises(UserError, match="are for --lms canvas"):
            lms.check(lms.Options("moodle", points_possible=True), "moodle", [], None)


class TestExporters:
    def test_points_possible_switch(self):
        """CanvasExporter writes the Points Possible row unless configured off; MoodleExporter is the gradebook."""
        from traitlets.config import Config

        off = lms.CanvasExporter(config=Config({"CanvasExporter": {"points_possible": False}}))
        assert (lms.CanvasExporter().points, off.points) == (True, False)
        assert lms.MoodleExporter.layout == "moodle-gradebook"


class TestRowsFromResults:
    def test_identity_percent_and_missing(self):
        """Rows keep the download's identity; percent scales scores to 100; no submission is None."""
        results = [{"assignment": "rnn_bptt", "student": "A_1", "score": 7.5, "max_score": 15.0, "status": "graded",
                    "lms_id": "1", "display_name": "A"},
                   {"assignment": "rnn_bptt", "student": "B_2", "score": 0.0, "max_score": 15.0,
                    "status": "no_submission", "lms_id": "2", "display_name": "B"}]
        rows, assignments = lms.rows_from_results(results, percent=True, column="RNN (9)")
        assert [(r.student_id, r.lms_user_id, r.full_name, r.scores) for r in rows] == [
            ("A_1", "1", "A", {"RNN (9)": 50.0}), ("B_2", "2", "B", {"RNN (9)": None})]
        assert assignments == [("RNN (9)", 100.0)]


class TestBatchLms:
    @pytest.mark.parametrize("layout,id_column", [("moodle-gradebook", "Username"), ("canvas", "SIS Login ID")])
    def test_batch_writes_the_layout(self, tmp_path, layout, id_column):
        """`rnngrade batch --lms` on a class folder writes -o in the LMS's layout with each student's total, and the
        per-test CSV in --results."""
        out = tmp_path / "lms.csv"
        r = CliRunner().invoke(main, ["batch", str(CLASS), "-o", str(out), "--results", str(tmp_path / "res"),
                                      "--lms", layout], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        rows = [row for row in csv.DictReader(out.read_text().splitlines()) if row[id_column]]
        scores = {row[id_column]: float(row["rnn_bptt"]) for row in rows}
        assert scores["alice"] == 15 and scores["carol"] == 0 and 0 < scores["bob"] < 15
        assert f"({layout} import)" in r.output and (tmp_path / "res" / "grades.csv").is_file()

    def test_lms_without_o_keeps_grades_csv(self, tmp_path, monkeypatch):
        """--lms without -o writes the LMS file under its own name (here with --percent) and leaves grades.csv as it
        was."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "grades.csv").write_text("the per-test CSV of last week\n")
        r = CliRunner().invoke(main, ["batch", str(CLASS), "--lms", "moodle-gradebook", "--percent"],
                               catch_exceptions=False)
        assert r.exit_code == 0, r.output
        assert (tmp_path / "grades.csv").read_text() == "the per-test CSV of last week\n"
        rows = {row["Username"]: float(row["rnn_bptt"]) for row in
                csv.DictReader((tmp_path / "moodle-gradebook.csv").read_text().splitlines())}
        assert rows["alice"] == 100 and rows["carol"] == 0 and 0 < rows["bob"] < 100

    @pytest.mark.parametrize("layout,id_column", [("moodle-gradebook", "Username"), ("canvas", "SIS Login ID")])
    def test_formula_student_ids_subprocess(self, tmp_path, layout, id_column):
        """A real `rnngrade batch --lms`: folders named like formulas come out as text, their scores as numbers."""
        klass = tmp_path / "class"
        for student in ("=1+1", "@SUM(A1)", "-2+3"):
            shutil.copytree(CLASS / "carol", klass / student)
        shutil.copytree(CLASS / "alice", klass / "+alice")
        out = tmp_path / "lms.csv"
        r = subprocess.run([str(RNNGRADE), "batch", str(klass), "-a", "rnn_bptt",
                            "-o", str(out), "--results", str(tmp_path / "res"), "--lms", layout],
                           capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        rows = [row for row in csv.DictReader(io.StringIO(out.read_text(), newline="")) if row[id_column]]
        assert {row[id_column]: row["rnn_bptt"] for row in rows} == {
            "'=1+1": "0", "'@SUM(A1)": "0", "'-2+3": "0", "'+alice": "15"}

    @pytest.mark.parametrize("args,match", [
        (["--lms", "blackboard"], "blackboard"),
        (["--lms", "moodle"], "--lms moodle writes the assignment's grading worksheet"),
        (["--feedback-zip", "f.zip"], "go with --lms"),
        (["--lms", "canvas", "--canvas-assignment", "RNN BPTT"], "Title \\(id\\)"),
    ])
    def test_refused_before_grading(self, tmp_path, args, match):
        """Options that cannot be honoured: exit 2 with one line, nothing graded, nothing written."""
        out = tmp_path / "x.csv"
        r = CliRunner().invoke(main, ["batch", str(CLASS), "-o", str(out), "--results", str(tmp_path / "res"), *args])
        assert r.exit_code == 2 and re.search(match, r.output), r.output
        assert not out.exists() and not (tmp_path / "res").exists()

    def test_download_mismatch_refused(self, tmp_path):
        """Moodle's download with --lms canvas or moodle-gradebook, or Canvas's anonymous download: exit 2 before
        grading."""
        moodle = fx.write_folder(tmp_path / "m", fx.moodle_files())
        anon = fx.write_folder(tmp_path / "a", {"anon_Xy3kP_9001_rnn_bptt.py": b"x = 1\n"})
        for src, layout, match in ((moodle, "canvas", "use --lms moodle"), (moodle, "moodle-gradebook",
                                                                           "use --lms moodle"),
                                   (anon, "canvas", "anonymous ids")):
            r = CliRunner().invoke(main, ["batch", str(src), "-a", "rnn_bptt", "--lms", layout, "-o",
                                          str(tmp_path / "x.csv"), "--results", str(tmp_path / "res")])
            assert r.exit_code == 2 and match in r.output, r.output
        assert not (tmp_path / "res").exists()
