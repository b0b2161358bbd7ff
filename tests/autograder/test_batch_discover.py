"""autograder.batch: finding a class's submissions (links and special files among them) and resuming."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.api import SubmissionError
from autograder.batch import Entry, discover, grade_class, load_done, no_submission
from autograder.files import safe_name
from tests.autograder import lms_fixtures as fx
from tests.autograder.test_files import finishes

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"
RNNGRADE = Path(sys.executable).with_name("rnngrade")


class TestDiscover:
    def test_folder_per_student_and_files(self, tmp_path):
        """A folder per student and loose files each make one entry, hidden files ignored."""
        (tmp_path / "alice").mkdir()
        (tmp_path / "alice" / "rnn_bptt.py").write_text("")
        (tmp_path / "bob.zip").write_bytes(b"")
        (tmp_path / ".DS_Store").write_text("")
        (tmp_path / "notes.txt").write_text("")
        assert [(e.student, e.path.name) for e in discover(tmp_path, "rnn_bptt")] == [("alice", "alice"),
                                                                                     ("bob", "bob.zip")]

    def test_nbgrader_layout(self, tmp_path):
        """nbgrader's submitted/<student>/<assignment>/ is found from the course folder."""
        for s in ("s1", "s2"):
            (tmp_path / "submitted" / s / "lstm").mkdir(parents=True)
        entries = discover(tmp_path, "lstm")
        assert [(e.student, e.path.relative_to(tmp_path).as_posix()) for e in entries] == [
            ("s1", "submitted/s1/lstm"), ("s2", "submitted/s2/lstm")]

    def test_links_and_special_files_are_entries(self, tmp_path):
        """Links (as a student's folder or file) and a FIFO named like a submission are entries, never followed."""
        (tmp_path / "bob").mkdir()
        (tmp_path / "frank").symlink_to(tmp_path / "bob")
        (tmp_path / "gus.py").symlink_to(SOLUTION)
        os.mkfifo(tmp_path / "x.py")
        os.mkfifo(tmp_path / "notes.txt")
        done, exc = finishes(lambda: discover(tmp_path, "rnn_bptt"))
        assert done and exc is None
        assert [(e.student, e.path.name) for e in discover(tmp_path, "rnn_bptt")] == [
            ("bob", "bob"), ("frank", "frank"), ("gus", "gus.py"), ("x", "x.py")]

    def test_nbgrader_assignment_folder_link(self, tmp_path):
        """A link as submitted/<student>/<assignment> is that student's entry (refused when graded), not followed."""
        (tmp_path / "submitted" / "s1" / "lstm").mkdir(parents=True)
        (tmp_path / "submitted" / "s2").mkdir()
        (tmp_path / "submitted" / "s2" / "lstm").symlink_to(tmp_path / "submitted" / "s1" / "lstm")
        entries = discover(tmp_path, "lstm")
        assert [(e.student, e.path.relative_to(tmp_path).as_posix()) for e in entries] == [
            ("s1", "submitted/s1/lstm"), ("s2", "submitted/s2/lstm")]

    def test_submitted_link_refused_class_link_followed(self, tmp_path):
        """A link as submitted/ is refused in one line; the class folder the TA names may itself be a link."""
        (tmp_path / "real" / "s1" / "lstm").mkdir(parents=True)
        (tmp_path / "course").mkdir()
        (tmp_path / "course" / "submitted").symlink_to(tmp_path / "real")
        with pytest.raises(SubmissionError, match=r"submitted is a symbolic link, and links below the class folder"):
            discover(tmp_path / "course", "lstm")
        (tmp_path / "via").symlink_to(tmp_path / "real")
        assert [e.student for e in discover(tmp_path / "via", "lstm")] == ["s1"]

    def test_empty_or_missing(self, tmp_path):
        """An empty folder or a missing one is a one-line SubmissionError."""
        with pytest.raises(SubmissionError, match="holds no submissions"):
            discover(tmp_path, "gru")
        with pytest.raises(SubmissionError, match="is not a folder"):
            discover(tmp_path / "nope", "gru")


class TestDiscoverLms:
    def test_downloads_folder_and_zip(self, tmp_path):
        """Moodle's and Canvas's downloads, unzipped or as the .zip, give one entry per student with the LMS's id and
        name, in id order."""
        for name, members, klass in (("m", fx.moodle_files(), fx.MOODLE_CLASS), ("c", fx.canvas_files(),
                                                                                  fx.CANVAS_CLASS)):
            for src in (fx.write_folder(tmp_path / name, members), fx.write_zip(tmp_path / f"{name}.zip", members)):
                entries = discover(src, "rnn_bptt")
                assert [(e.lms_id, bool(e.missing)) for e in entries] == [(s.lms_id, s.expected == "none")
                                                                          for s in klass], src

    def test_nbgrader_course_is_not_a_download(self, tmp_path):
        """A course folder with submitted/ is nbgrader's, even holding a file named as Canvas names them."""
        (tmp_path / "submitted" / "s1" / "lstm").mkdir(parents=True)
        (tmp_path / "bob_1_2_lstm.py").write_text("")
        assert [(e.student, e.lms_id) for e in discover(tmp_path, "lstm")] == [("s1", "")]

    def test_neither_folder_nor_zip(self, tmp_path):
        """A file that is not a .zip, or a missing .zip, is a one-line SubmissionError."""
        (tmp_path / "grades.txt").write_text("")
        with pytest.raises(SubmissionError, match="is not a folder: pass the folder .* or the .zip downloaded"):
            discover(tmp_path / "grades.txt", "gru")
        with pytest.raises(SubmissionError, match="does not exist"):
            discover(tmp_path / "nope.zip", "gru")


class TestGradeClassStatuses:
    def test_no_file_and_several_files(self, tmp_path):
        """A student of the download without a file is "no_submission", one with several files "refused" with the
        reason, both with the download's identity and 0; nothing is run for them."""
        entries = [Entry("A_1", tmp_path, "1", "A", missing="no .py, .ipynb or .zip file handed in"),
                   Entry("B_2", tmp_path, "2", "B", problem="several files handed in (a.py, b.py): keep one")]
        results = grade_class(tmp_path, "rnn_bptt", tmp_path / "res", entries=entries)
        got = [(r["student"], r["status"], r["lms_id"], r["display_name"], r["score"], r["notes"]) for r in results]
        assert got == [
            ("A_1", "no_submission", "1", "A", 0.0, ["no .py, .ipynb or .zip file handed in"]),
            ("B_2", "refused", "2", "B", 0.0, ["several files handed in (a.py, b.py): keep one"])]
        assert no_submission(results) == ["A_1"]
        assert json.loads((tmp_path / "res" / "A_1.json").read_text())["status"] == "no_submission"


class TestResume:
    def test_load_done_requires_same_grading(self, tmp_path):
        """A prior result counts only for the same assignment and inputs, only if it parses, and never an
        internal error."""
        p = tmp_path / "a.json"
        p.write_text(json.dumps({"assignment": "gru", "inputs": "k-3", "score": 1.0, "status": "graded"}))
        assert load_done(p, "gru", "k-3")["score"] == 1.0
        assert load_done(p, "gru", "k-4") is None and load_done(p, "lstm", "k-3") is None
        p.write_text(json.dumps({"assignment": "gru", "inputs": "k-3", "score": 0.0, "status": "internal_error"}))
        assert load_done(p, "gru", "k-3") is None
        p.write_text('{"assignment": "gru", "in')
        assert load_done(p, "gru", "k-3") is None

    def test_safe_names(self):
        """Student ids become safe file names."""
        assert safe_name("../../etc/passwd") == "etc_passwd" and safe_name("山田 太郎") == "山田_太郎"
        assert safe_name("///") == "student"
        assert safe_name("s.tanaka@uni.ac.jp") == "s.tanaka@uni.ac.jp"


class TestHostileClass:
    def test_batch_subprocess(self, tmp_path):
        """A real `rnngrade batch`: links to another student, to the solution, to /dev/zero, a linked student folder
        and a FIFO each give that student 0 and the reason, and the others are graded."""
        klass = tmp_path / "class"
        for student in ("bob", "alice", "carol", "dave"):
            (klass / student).mkdir(parents=True)
        (klass / "bob" / "rnn_bptt.py").write_bytes(SOLUTION.read_bytes())
        (klass / "alice" / "rnn_bptt.py").symlink_to("../bob/rnn_bptt.py")
        (klass / "carol" / "rnn_bptt.py").symlink_to(SOLUTION)
        (klass / "dave" / "rnn_bptt.py").symlink_to("/dev/zero")
        (klass / "frank").symlink_to(klass / "bob")
        os.mkfifo(klass / "x.py")
        r = subprocess.run([str(RNNGRADE), "batch", str(klass), "-a", "rnn_bptt", "-o", str(tmp_path / "g.csv"),
                            "--results", str(tmp_path / "res")], capture_output=True, text=True, timeout=300)
        assert r.returncode == 3, r.stderr  # graded, some refused
        rows = list(csv.DictReader(io.StringIO((tmp_path / "g.csv").read_text(), newline="")))
        assert {row["student"]: float(row["score"]) for row in rows} == {
            "alice": 0, "bob": 15, "carol": 0, "dave": 0, "frank": 0, "x": 0}
        notes = {s: json.loads((tmp_path / "res" / f"{s}.json").read_text())["notes"]
                 for s in ("alice", "carol", "dave", "frank", "x")}
        assert notes["alice"] == [f"{klass}/alice/rnn_bptt.py is a symbolic link: hand in the file itself, not a link"]
        assert all("is a symbolic link" in notes[s][0] for s in ("carol", "dave", "frank"))
        assert notes["x"] == [f"{klass}/x.py is not a regular file (a FIFO): hand in the exercise's files themselves"]
        assert (tmp_path / "res" / "alice.txt").read_text().splitlines()[:2] == [
            "rnn_bptt — alice: 0 / 15 points", f"note: {notes['alice'][0]}"]  # not bob's feedback
