"""Fixture downloads of Moodle and Canvas, built from the LMSs' own naming rules (their source, cited in
autograder/lms_in.py) with the kit's real files as contents: the solution, the student stub and the buggy example.
The tests build them into tmp_path; nothing here is a copy of the grader's output.

    python -m tests.autograder.lms_fixtures DEST     # writes DEST/moodle/, DEST/moodle.zip, DEST/canvas/, …
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENTS = {  # what a student hands in -> (the file's bytes, the grade it must get)
    "solution": (ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py", "full"),
    "stub": (ROOT / "assignments" / "rnn_bptt" / "rnn_bptt.py", "zero"),
    "buggy": (ROOT / "examples" / "class" / "bob" / "rnn_bptt.py", "partial"),
}
TEXT_ENTRY = "<html><body><p>I could not finish; see my notes.</p></body></html>\n"


def notebook(source: str) -> bytes:
    """A Jupyter notebook (format 4) whose one code cell is ``source``, as a student saves it."""
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                                           "display_name": "Python 3"}},
          "cells": [{"cell_type": "markdown", "id": "intro", "metadata": {}, "source": ["# BPTT\n"]},
                    {"cell_type": "code", "id": "answer", "metadata": {}, "execution_count": None, "outputs": [],
                     "source": source.splitlines(keepends=True)}]}
    return (json.dumps(nb, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def content(kind: str) -> tuple[bytes, str]:
    """(bytes, expected grade: full, zero, partial or none) of a content kind: solution, stub, buggy, their
    notebook:… versions, or text (an online text entry: nothing to grade)."""
    if kind == "text":
        return TEXT_ENTRY.encode("utf-8"), "none"
    path, grade = CONTENTS[kind.removeprefix("notebook:")]
    if kind.startswith("notebook:"):
        return notebook(path.read_text(encoding="utf-8")), grade
    return path.read_bytes(), grade


@dataclass(frozen=True)
class Handed:
    """One file a student handed in: its original name, its content kind, Canvas's attachment id."""

    name: str
    kind: str
    attachment: int = 0


@dataclass(frozen=True)
class Student:
    """A student as the LMS knows them, what they handed in, and the content that must be graded (the latest)."""

    name: str  # Moodle's full name; Canvas's sortable name ("Last, First")
    lms_id: str
    files: tuple
    late: bool = False

    @property
    def graded(self) -> Handed | None:
        """The file that must be graded: the one handed in, or Canvas's latest; None with nothing to grade."""
        code = [f for f in self.files if Path(f.name).suffix in (".py", ".ipynb", ".zip")]
        return max(code, key=lambda f: f.attachment) if code else None

    @property
    def expected(self) -> str:
        return content(self.graded.kind)[1] if self.graded else "none"


MOODLE_CLASS = (
    Student("山田 花子", "1001", (Handed("rnn_bptt.py", "solution"),)),
    Student("Bob Smith", "1002", (Handed("bptt_final.py", "buggy"),)),  # any original name
    Student("Zoë Durand", "1003", (Handed("Übung 3.ipynb", "notebook:buggy"),)),
    Student("Dave Lee", "1004", (Handed("onlinetext.html", "text"),)),  # online text only: nothing to grade
    Student("田中 一郎", "1005", (Handed("rnn_bptt.py", "stub"),)),
)

CANVAS_CLASS = (
    Student("山田, 花子", "2001", (Handed("rnn_bptt.py", "solution", 9001),)),
    Student("Smith, Bob", "2002", (Handed("bptt final.py", "buggy", 9002),), late=True),
    Student("Durand, Zoë", "2003", (Handed("rnn_bptt.py", "stub", 9003),  # handed in again: Canvas's -1, graded
                                    Handed("rnn_bptt-1.py", "solution", 9010))),
    Student("Tanaka, Eve", "2004", (Handed("homework.ipynb", "notebook:solution", 9004),)),
    Student("Lee, Dave", "2005", (Handed("text.html", "text"),)),  # a text entry: no attachment, nothing to grade
)


# --------------------------------------------------------------------------- Moodle


def moodle_clean_filename(name: str) -> str:
    """Moodle's clean_filename (PARAM_FILE): control characters and &<>"`|':\\/ removed."""
    return re.sub(r"[\x00-\x1f\x7f&<>\"`|':\\/]", "", name)


def moodle_prefix(s: Student) -> str:
    """mod_assign\\downloader::get_student_prefix: the full name with "_" as spaces, "_", the participant id."""
    return moodle_clean_filename(s.name.replace("_", " ") + "_" + s.lms_id)


def moodle_files(students=MOODLE_CLASS, style: str = "folders") -> dict:
    """{path in the download: bytes} of Moodle's "Download all submissions"
    (mod_assign\\downloader::load_submissionplugin_filelist): style "folders" (4.1+:
    <prefix>_assignsubmission_<plugin>/<file>), "folders-4.0" (the folder ends in "_") or "flat" ("Download
    submissions in folders" off: <prefix>_assignsubmission_<plugin>_<file>)."""
    out = {}
    for s in students:
        for f in s.files:
            plugin = "onlinetext" if f.kind == "text" else "file"
            base = f"{moodle_prefix(s)}_assignsubmission_{plugin}"
            if style == "flat":
                path = moodle_clean_filename(f"{base}_{f.name}")
            else:
                path = f"{base}{'_' if style == 'folders-4.0' else ''}/{f.name}"
            out[path] = content(f.kind)[0]
    return out


# --------------------------------------------------------------------------- Canvas


def canvas_user_prefix(s: Student) -> str:
    """ContentZipper#get_filename: the sortable name sanitized (sanitize_user_name: "_<digits>_" joined, lowercased),
    "LATE" when late, the user id, then every non-word character removed (sanitize_file_name)."""
    name = re.sub(r"_(\d+)_", r"\1", s.name).lower()
    return re.sub(r"[^\w]", "", "_".join([name] + ["LATE"] * s.late + [s.lms_id]))


def canvas_files(students=CANVAS_CLASS) -> dict:
    """{file name: bytes} of Canvas's submissions.zip (ContentZipper#add_submission): an upload as
    <user prefix>_<attachment id>_<display name> (sanitize_attachment_filename), a text entry as
    <user prefix>_text.html."""
    out = {}
    for s in students:
        for f in s.files:
            if f.kind == "text":
                out[f"{canvas_user_prefix(s)}_text.html"] = content(f.kind)[0]
            else:
                shown = re.sub(r'[\x00/\\:*?"<>|]+', "_", f.name)
                out[f"{canvas_user_prefix(s)}_{f.attachment}_{shown}"] = content(f.kind)[0]
    return out


# --------------------------------------------------------------------------- writing


def write_folder(dest: Path, members: dict) -> Path:
    """The download unzipped into dest."""
    for name, data in members.items():
        path = dest / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dest


def write_zip(dest: Path, members: dict) -> Path:
    """The download as the LMS sends it: a zip (UTF-8 names)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dest


def build(dest: Path) -> dict:
    """Every fixture download under dest: {name: path}."""
    dest = Path(dest)
    out = {}
    for style in ("folders", "folders-4.0", "flat"):
        members = moodle_files(style=style)
        out[f"moodle-{style}"] = write_folder(dest / f"moodle-{style}", members)
        out[f"moodle-{style}.zip"] = write_zip(dest / f"moodle-{style}.zip", members)
    out["canvas"] = write_folder(dest / "canvas", canvas_files())
    out["canvas.zip"] = write_zip(dest / "canvas.zip", canvas_files())
    return out


if __name__ == "__main__":  # pragma: no cover - a helper for looking at the fixtures by hand
    for name, path in build(Path(sys.argv[1])).items():
        print(f"{name}: {path}")
