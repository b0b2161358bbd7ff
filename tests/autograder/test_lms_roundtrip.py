"""End to end: downloads of Moodle and Canvas, built by lms_fixtures from the LMSs' naming rules with the kit's
solution, stub and buggy example as contents, go in through real `rnngrade batch` processes (the .zip and the folder
it unzips to); the grading worksheet, the gradebook CSV and the feedback zips come out, and are read back here by the
rules each LMS's importer applies (the sources are cited with each reader), so that every student's grade and
feedback are shown to arrive at their identity."""

import csv
import html
import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.autograder import lms_fixtures as fx

RNNGRADE = Path(sys.executable).with_name("rnngrade")
A, MAX = "rnn_bptt", 15.0
FEEDBACK = f"{A}-feedback.txt"
TITLE = "RNN BPTT (1234)"


def rnngrade_batch(*args, cwd):
    r = subprocess.run([str(RNNGRADE), "batch", *map(str, args)], capture_output=True, text=True, timeout=600,
                       cwd=cwd)
    assert r.returncode == 0, r.stdout + r.stderr  # students an LMS lists without a file are no failure to grade
    return r


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each download graded once: {run: (its folder, the fixture class)}."""
    base = tmp_path_factory.mktemp("lms")
    src = fx.build(base / "downloads")
    out = {}
    moodle = ["--lms", "moodle", "-o", "worksheet.csv", "--feedback-zip", "feedback.zip", "--results", "res"]
    for run, source, extra in (("moodle.zip", src["moodle-folders.zip"], ["-a", A]),
                               ("moodle-4.0 folder", src["moodle-folders-4.0"], []),  # the assignment inferred
                               ("moodle-flat.zip", src["moodle-flat.zip"], ["-a", A])):
        cwd = base / run.replace(" ", "-")
        cwd.mkdir()
        rnngrade_batch(source, *extra, *moodle, "-j", "2", cwd=cwd)
        out[run] = (cwd, fx.MOODLE_CLASS)
    cwd = base / "canvas-zip"
    cwd.mkdir()
    rnngrade_batch(src["canvas.zip"], "--lms", "canvas", "--canvas-assignment", TITLE, "--points-possible", "--bom",
                   "-o", "gradebook.csv", "--feedback-zip", "feedback.zip", "--results", "res", "-j", "2", cwd=cwd)
    out["canvas.zip"] = (cwd, fx.CANVAS_CLASS)
    cwd = base / "canvas-folder"
    cwd.mkdir()
    (cwd / "grades.csv").write_text("last week's per-test CSV\n")
    rnngrade_batch(src["canvas"], "-a", A, "--lms", "canvas", "--results", "res", "-j", "2", cwd=cwd)  # no -o
    out["canvas folder"] = (cwd, fx.CANVAS_CLASS)
    return out


def results_by_id(cwd: Path) -> dict:
    """{lms id: (JSON result, its report)} of a run's --results."""
    out = {}
    for p in sorted((cwd / "res").glob("*.json")):
        r = json.loads(p.read_text(encoding="utf-8"))
        out[r["lms_id"]] = (r, p.with_suffix(".txt").read_text(encoding="utf-8"))
    return out


def check_grade(grade: float | None, expected: str, who: str) -> None:
    """The grade an LMS takes for the content the student handed in (the kit's files: known outcomes)."""
    if expected == "none":
        assert grade is None, who
    elif expected == "full":
        assert grade == MAX, who
    elif expected == "zero":
        assert grade == 0, who
    else:
        assert grade is not None and 0 < grade < MAX, who


# --------------------------------------------------------------------------- Moodle's importers


def moodle_worksheet(path: Path) -> dict:
    """{participant id: (grade or None, last modified, feedback text, the row)} as "Upload grading worksheet" reads
    the file (mod/assign/feedback/offline/importgradeslib.php): csv_import_reader (UTF-8, its BOM trimmed, comma);
    "Identifier", "Grade" and "Last modified (grade)" found by their exact headers, all three required; the id is the
    Identifier less "Participant "; a blank grade is skipped (no update); "Feedback comments" by its header."""
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    ident, grade, modified = (header.index(c) for c in ("Identifier", "Grade", "Last modified (grade)"))
    comments = header.index("Feedback comments")
    out = {}
    for row in rows:
        assert row[ident].startswith("Participant ")
        pid = row[ident][len("Participant "):]
        body = re.fullmatch(r"<pre>(.*)</pre>", row[comments], re.S)
        out[pid] = (float(row[grade]) if row[grade].strip() else None, datetime.fromisoformat(row[modified]),
                    html.unescape(body[1]), dict(zip(header, row)))
    return out


MOODLE_PLUGINS = {("assignsubmission", "file"), ("assignsubmission", "onlinetext"), ("assignfeedback", "file")}


def moodle_feedback_zip(path: Path) -> dict:
    """{participant id: [(file name, text)]} as "Upload multiple feedback files in a zip" reads it
    (mod/assign/feedback/file/importziplib.php, is_valid_filename_for_import): hidden files skipped; each path part
    split at "_" into at most 5 pieces, the first with at least 4, a numeric id and a known plugin, names the
    participant; what follows is the file's name."""
    out: dict = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir() or name.rsplit("/", 1)[-1].startswith((".", "~")):
                continue
            parts = name.split("/")
            while parts:
                info4 = parts.pop(0).split("_", 4)
                if len(info4) < 4 or not info4[1].isdigit() or (info4[2], info4[3]) not in MOODLE_PLUGINS:
                    continue
                rest = "/".join([info4[4] if len(info4) == 5 else "", *parts]).lstrip("/")
                out.setdefault(info4[1], []).append((rest, zf.read(info).decode("utf-8")))
                break
            else:
                pytest.fail(f"Moodle would ignore {name}")
    return out


@pytest.mark.parametrize("run", ["moodle.zip", "moodle-4.0 folder", "moodle-flat.zip"])
class TestMoodleRoundTrip:
    def test_identity_kept_in_results(self, runs, run):
        """Every participant's result keeps the download's participant id and full name."""
        cwd, klass = runs[run]
        got = {i: (r["display_name"], r["student"]) for i, (r, _) in results_by_id(cwd).items()}
        assert got == {s.lms_id: (s.name, f"{s.name}_{s.lms_id}") for s in klass}

    def test_worksheet_grades_arrive(self, runs, run):
        """Read as Moodle reads the worksheet, each participant's row has the grade of what they handed in (blank
        with nothing to grade), their full name, the maximum, and a grading time Moodle's staleness check can use."""
        cwd, klass = runs[run]
        sheet = moodle_worksheet(cwd / "worksheet.csv")
        assert set(sheet) == {s.lms_id for s in klass}
        for s in klass:
            grade, modified, _, row = sheet[s.lms_id]
            check_grade(grade, s.expected, s.name)
            assert (row["Full name"], row["Maximum Grade"]) == (s.name, "15")
            assert abs(datetime.now(timezone.utc) - modified) < timedelta(hours=1)

    def test_feedback_comments_are_the_reports(self, runs, run):
        """Each participant's feedback comments are their own report."""
        cwd, _ = runs[run]
        sheet, results = moodle_worksheet(cwd / "worksheet.csv"), results_by_id(cwd)
        assert {pid: row[2] for pid, row in sheet.items()} == {pid: txt.rstrip() for pid, (_, txt) in results.items()}

    def test_feedback_zip_arrives(self, runs, run):
        """Read as Moodle reads a feedback zip, each participant gets exactly one file, their own report."""
        cwd, klass = runs[run]
        got, results = moodle_feedback_zip(cwd / "feedback.zip"), results_by_id(cwd)
        assert got == {s.lms_id: [(FEEDBACK, "\ufeff" + results[s.lms_id][1])] for s in klass}


def test_moodle_zip_and_folder_agree(runs):
    """The downloaded zip and the folder it unzips to (in Moodle's older naming) give the same grades to the same
    participants."""
    a, b = (moodle_worksheet(runs[r][0] / "worksheet.csv") for r in ("moodle.zip", "moodle-4.0 folder"))
    assert {k: v[0] for k, v in a.items()} == {k: v[0] for k, v in b.items()}


# --------------------------------------------------------------------------- Canvas's importers


def ruby_to_i(text: str) -> int:
    """Ruby's String#to_i: the leading digits ("535fa0" → 535), 0 without."""
    m = re.match(r"\s*[+-]?[0-9]+", text)
    return int(m[0]) if m else 0


def canvas_gradebook(path: Path) -> dict:
    """{"assignments": [(title, id)], "points": row or None, "grades": {user id: grade text}} as Canvas's gradebook
    import reads the file (app/models/gradebook_importer.rb): the separator told from the first lines (";" when it
    splits them into more fields, consistently); no BOM handling (row[0] only has to include "Student"); the header
    needs Student, ID, then SIS User ID + SIS Login ID, the student columns ending at Section; the other columns are
    assignments, "Title (id)" going to that id (Assignment.title_and_id); a first cell including "Points Possible"
    sets points; a student is found by the ID column's to_i."""
    text = path.read_bytes().decode("utf-8")
    first = text.splitlines()[:3]
    counts = {sep: {len(next(csv.reader([line], delimiter=sep))) for line in first} for sep in ";,"}
    fields = {sep: (c.pop() if len(c) == 1 else 0) for sep, c in counts.items()}
    assert fields[","] >= fields[";"], "Canvas would read this file as semicolon-separated"
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1]
    assert re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3])
    student_columns = 5
    assert "Section" in header[student_columns - 1]
    assignments = []
    for h in header[student_columns:]:
        m = re.fullmatch(r"(.*)\s\(([0-9]+)\)", h)
        assignments.append((m[1], int(m[2])) if m else (h, None))
    points, grades = None, {}
    for row in rows:
        if "Points Possible" in row[0]:
            points = row
            continue
        assert re.fullmatch(r"[0-9]+", row[1]), f"Canvas would read ID {row[1]!r} as {ruby_to_i(row[1])}"
        grades[ruby_to_i(row[1])] = row[student_columns].strip()
    return {"assignments": assignments, "points": points, "grades": grades, "bom": text.startswith("\ufeff")}


def canvas_reupload(path: Path) -> dict:
    """{(user id, attachment id): text} as "Re-upload submissions" reads the zip
    (Assignment#infer_comment_context_from_filename): the base name split at "_", its first two all-digit parts the
    user id and the attachment id; a name starting "._" or ending in a link is ignored."""
    out = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            parts = name.split("_")
            ids = [p for p in parts if re.fullmatch(r"[0-9]+", p)][:2]
            assert len(ids) == 2 and not name.startswith("._") and not parts[-1].startswith("link"), name
            out[(ids[0], ids[1])] = zf.read(info).decode("utf-8")
    return out


class TestCanvasRoundTrip:
    def test_identity_kept_in_results(self, runs):
        """Every student's result keeps Canvas's user id and the name its download gave."""
        cwd, klass = runs["canvas.zip"]
        got = {i: r["display_name"] for i, (r, _) in results_by_id(cwd).items()}
        assert got == {s.lms_id: fx.canvas_user_prefix(s).split("_")[0] for s in klass}

    @pytest.mark.parametrize("run,output", [("canvas.zip", "gradebook.csv"), ("canvas folder", "canvas-gradebook.csv")])
    def test_gradebook_grades_arrive(self, runs, run, output):
        """Read as Canvas reads an import, each student's grade (the latest of a file handed in again, a late one, a
        notebook of any name) is found by their user id; nothing handed in is blank, which changes nothing."""
        cwd, klass = runs[run]
        book = canvas_gradebook(cwd / output)
        assert set(book["grades"]) == {int(s.lms_id) for s in klass}
        for s in klass:
            text = book["grades"][int(s.lms_id)]
            check_grade(float(text) if text else None, s.expected, s.name)

    def test_options(self, runs):
        """--canvas-assignment names the column as Canvas matches it, the Points Possible row and the BOM only when
        asked."""
        zipped = canvas_gradebook(runs["canvas.zip"][0] / "gradebook.csv")
        folder = canvas_gradebook(runs["canvas folder"][0] / "canvas-gradebook.csv")
        assert zipped["assignments"] == [("RNN BPTT", 1234)] and folder["assignments"] == [(A, None)]
        assert zipped["points"][5] == "15" and folder["points"] is None
        assert zipped["bom"] and not folder["bom"]

    def test_reupload_feedback_arrives(self, runs):
        """Read as Canvas reads a re-upload, each student who handed in a file gets their report on the attachment
        that was graded; the student with a text entry only is not in the zip."""
        cwd, klass = runs["canvas.zip"]
        results = results_by_id(cwd)
        assert canvas_reupload(cwd / "feedback.zip") == {
            (s.lms_id, str(s.graded.attachment)): "\ufeff" + results[s.lms_id][1] for s in klass if s.graded}

    def test_default_output_keeps_grades_csv(self, runs):
        """--lms without -o wrote canvas-gradebook.csv and left the per-test grades.csv of the folder as it was."""
        cwd, _ = runs["canvas folder"]
        assert (cwd / "grades.csv").read_text() == "last week's per-test CSV\n"
        assert (cwd / "canvas-gradebook.csv").is_file() and (cwd / "res" / "grades.csv").is_file()
