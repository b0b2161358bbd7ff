"""autograder.batch: finding a class's submissions and resuming."""

import json

import pytest

from autograder.api import SubmissionError
from autograder.batch import discover, load_done, safe_name


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

    def test_empty_or_missing(self, tmp_path):
        """An empty folder or a missing one is a one-line SubmissionError."""
        with pytest.raises(SubmissionError, match="holds no submissions"):
            discover(tmp_path, "gru")
        with pytest.raises(SubmissionError, match="is not a folder"):
            discover(tmp_path / "nope", "gru")


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
