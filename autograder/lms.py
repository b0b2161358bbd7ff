"""Grades and feedback as the LMS imports them.

Written from rows (one per student) by ``rnngrade batch --lms …`` and by the nbgrader exporters shipped here:

    nbgrader export --exporter=autograder.lms.MoodleExporter --to moodle.csv
    nbgrader export --exporter=autograder.lms.CanvasExporter --to canvas.csv

``moodle`` — the assignment's offline grading worksheet, which Moodle's "Upload grading worksheet" takes
(mod/assign/feedback/offline/importgradeslib.php). Moodle finds its columns by their header, exactly: "Identifier"
("Participant N", N the participant id of "Download all submissions"), "Grade" and "Last modified (grade)" are
required; "Feedback comments" is read when the assignment has feedback comments on. A blank grade is skipped, as is a
grade above the assignment's maximum grade, and a grade changed in Moodle since "Last modified (grade)" unless "Allow
updating records that have been modified more recently in Moodle" is ticked. The other columns (Full name, Status,
Maximum Grade, …) are what Moodle's own worksheet shows, for the TA; Moodle ignores them. The feedback zip is what
"Upload multiple feedback files in a zip" takes: one file per participant, in the folder (or under the prefix) the
download gave them, read back by Moodle from those names (mod/assign/feedback/file/importziplib.php).

``moodle-gradebook`` — Moodle's gradebook import (Grades › Import › CSV file): a header row, then one row per student;
Moodle asks which column identifies the user (Username, Email address or ID number) and which grade item each
assignment column goes to. The columns are Moodle's own export's names: First name, Last name, ID number, Email
address, Username, then one column per assignment. A grade item created by the import ("New grade item") has a
maximum grade of 100: create the item first with the assignment's points, or write scores out of 100 (``percent``).

``canvas`` — Canvas's gradebook import (Grades › Import; app/models/gradebook_importer.rb): Student, ID, SIS User ID,
SIS Login ID, Section, then one column per assignment. Canvas matches students by ID — its numeric user id, read
with Ruby's to_i, so "535fa0" would be user 535: a non-numeric ID is refused here — then by SIS User ID, SIS Login ID,
then name; an assignment column ``Title (id)`` goes to that assignment, another name to the assignment of that title
or to a new one. A "Points Possible" row (only when asked) sets the points of every assignment in the file, existing
ones too. A blank grade changes nothing: students without a submission are left blank, never 0. The feedback zip is
what "Re-upload submissions" takes: a file per student named ``<name>_<user id>_<attachment id>_…``, added as a
comment on that submission (Assignment#generate_comments_from_files; Canvas shows it under the name of the file the
student handed in).

Every CSV cell of text starting with =, +, -, @, a tab or a carriage return gets a leading single quote (OWASP's
CSV-injection advice, files.csv_text); scores are plain numbers. Such a student's row is matched by hand in the LMS.
"""

from __future__ import annotations

import html
import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from .errors import UserError
from .files import Number, csv_text

LAYOUTS = ("moodle", "moodle-gradebook", "canvas")
DEFAULT_OUTPUT = {"moodle": "moodle-grading-worksheet.csv", "moodle-gradebook": "moodle-gradebook.csv",
                  "canvas": "canvas-gradebook.csv"}
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address", "Username"]
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "    Points Possible"  # as Canvas writes it in its own export
#: the grading worksheet's columns, as Moodle names them (mod/assign/gradingtable.php, downloading); "Email address"
#: only when known
WORKSHEET_COLUMNS = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                     "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
MOODLE_PARTICIPANT = "Participant "  # get_string('hiddenuser', 'assign'): the Identifier's prefix
MOODLE_STATUS = {True: "Submitted for grading", False: "No submission"}
CANVAS_TITLE = re.compile(r"(.*)\s\(([0-9]+)\)")  # Assignment.title_and_id: /\A(.*)\s\((\d+)\)\z/
CANVAS_ID = re.compile(r"[0-9]+")
UTF8_BOM = "\ufeff"


@dataclass
class Row:
    """One student's grades: the ids an LMS can match, {assignment: score, None when nothing was handed in}, and
    what goes back to them."""

    student_id: str  # nbgrader's id = the hub's user name (Moodle Username, Canvas SIS Login ID); batch's student
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""  # Canvas's numeric user id / Moodle's ID number (gradebook) or participant id (worksheet)
    scores: dict = field(default_factory=dict)
    full_name: str = ""  # as the LMS's download showed it
    feedback: str = ""  # the student's report
    origin: object = None  # lms_in.Origin: where the LMS expects the feedback file
    pending: set = field(default_factory=set)  # assignments whose grade waits for a human (nbgrader): left blank


@dataclass(frozen=True)
class Options:
    """What ``rnngrade batch --lms`` writes, beyond the layout."""

    layout: str
    percent: bool = False  # scores out of 100
    canvas_assignment: str | None = None  # the assignment column's header, "Title (id)"
    points_possible: bool = False  # Canvas's "Points Possible" row
    bom: bool = False  # a UTF-8 byte-order mark (for spreadsheets that otherwise read the file as ANSI)


def number(x: float) -> Number:
    """A score as an LMS reads it: a plain decimal, at most 4 places ("12.2333", "15"), written as a number."""
    text = f"{round(float(x), 4):.4f}".rstrip("0").rstrip(".")
    return Number("0" if text in ("-0", "") else text)


def _score(x) -> Number | str:
    return "" if x is None else number(x)


def _write(header: list, rows: list) -> str:
    """The CSV, names and ids that a spreadsheet would run as a formula written as text (files.csv_text)."""
    return csv_text([header, *rows])


# --------------------------------------------------------------------------- checks


def check_canvas_title(title: str) -> str:
    """The assignment column as Canvas matches it to an assignment, ``Title (id)``; UserError otherwise."""
    if not CANVAS_TITLE.fullmatch(title):
        raise UserError(f"--canvas-assignment {title!r} is not Canvas's 'Title (id)': copy the assignment's column "
                        f"header from a Canvas gradebook export, e.g. \"RNN BPTT (1234)\"")
    return title


def check_canvas_ids(rows_or_ids) -> None:
    """Canvas reads the ID column with Ruby's to_i ("535fa0" is user 535): an ID that is not all digits is refused
    (UserError naming the student) rather than graded into another student's row."""
    for student, uid in rows_or_ids:
        if uid and not CANVAS_ID.fullmatch(uid):
            if uid.startswith("anon_"):
                raise UserError(f"{student}: the download names students by Canvas's anonymous ids ({uid}), which its "
                                f"gradebook import cannot match: turn anonymous grading off before downloading, or "
                                f"grade in SpeedGrader")
            raise UserError(f"{student}: Canvas user id {uid!r} is not a number; Canvas reads only its leading digits, "
                            f"so the grade would go to another student: give Canvas's numeric user id (the ID column "
                            f"of its gradebook export)")


def check(options: Options, lms_kind: str | None, entries, feedback_zip) -> None:
    """Before grading: the layout fits the class (an LMS's download of that LMS, or a class folder) and the options;
    UserError (one line: what is wrong and what to do) otherwise."""
    layout = options.layout
    if layout not in LAYOUTS:
        raise UserError(f"unknown LMS layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    if layout == "moodle" and lms_kind != "moodle":
        raise UserError("--lms moodle writes the assignment's grading worksheet, whose rows are the participant ids "
                        "of Moodle's 'Download all submissions': pass that download (its .zip or the folder it unzips "
                        "to), or use --lms moodle-gradebook for a class folder")
    if layout == "moodle-gradebook" and lms_kind is not None:
        raise UserError(f"--lms moodle-gradebook matches students by user name, which {lms_kind.capitalize()}'s "
                        f"download does not give: use --lms {lms_kind}")
    if layout == "canvas" and lms_kind == "moodle":
        raise UserError("--lms canvas needs Canvas's user ids, which Moodle's download does not give: use --lms moodle")
    if feedback_zip is not None and (layout not in ("moodle", "canvas") or lms_kind != layout):
        raise UserError("--feedback-zip names each file as the LMS's download named the student: pass Moodle's or "
                        "Canvas's download with --lms moodle or --lms canvas")
    if layout == "canvas":
        if options.canvas_assignment is not None:
            check_canvas_title(options.canvas_assignment)
        check_canvas_ids((e.student, e.lms_id) for e in entries)
    elif options.canvas_assignment is not None or options.points_possible:
        raise UserError("--canvas-assignment and --points-possible are for --lms canvas")


# --------------------------------------------------------------------------- layouts


def moodle_csv(rows: list[Row], assignments: list[tuple[str, float]]) -> str:
    """Moodle's gradebook-import CSV (see the module docstring); assignments: [(name, max score)]. Nothing handed
    in counts 0, as nbgrader's own CSV counts it; a grade still waiting for a human (Row.pending) is blank, which
    the import skips."""
    names = [a for a, _ in assignments]
    return _write(MOODLE_COLUMNS + names, [
        [r.first_name, r.last_name, r.lms_user_id, r.email, r.student_id,
         *["" if a in r.pending else number(r.scores.get(a) or 0.0) for a in names]]
        for r in sorted(rows, key=lambda r: r.student_id)
    ])


def canvas_csv(rows: list[Row], assignments: list[tuple[str, float]], *, points_possible: bool = False) -> str:
    """Canvas's gradebook-import CSV (see the module docstring); assignments: [(column, max score)]. A non-numeric
    ID is refused (UserError); nothing handed in is a blank grade."""
    check_canvas_ids((r.student_id, r.lms_user_id) for r in rows)
    names = [a for a, _ in assignments]

    def student(r: Row) -> str:
        if r.last_name and r.first_name:
            return f"{r.last_name}, {r.first_name}"
        return r.last_name or r.first_name or r.full_name or r.student_id

    points = [[CANVAS_POINTS_ROW, "", "", "", "", *[number(m) for _, m in assignments]]] if points_possible else []

    def key(r: Row):
        return (not r.lms_user_id, int(r.lms_user_id) if r.lms_user_id else 0, r.student_id)

    return _write(CANVAS_COLUMNS + names, points + [
        [student(r), r.lms_user_id, "", "" if r.origin is not None else r.student_id, "",
         *[_score(r.scores.get(a)) for a in names]]
        for r in sorted(rows, key=key)
    ])


def feedback_html(text: str) -> str:
    """A report as Moodle's feedback comments (HTML): escaped, its lines kept."""
    return f"<pre>{html.escape(text.rstrip())}</pre>" if text.strip() else ""


def moodle_worksheet(rows: list[Row], assignment: tuple[str, float], graded_at: datetime) -> str:
    """The assignment's offline grading worksheet (see the module docstring): one row per participant of the
    download, in participant order. "Last modified (grade)" is graded_at (ISO 8601 with its offset, which PHP's
    strtotime reads), so that a grade changed in Moodle after grading is not overwritten."""
    name, max_score = assignment
    columns = [c for c in WORKSHEET_COLUMNS if c != "Email address" or any(r.email for r in rows)]
    stamp = graded_at.isoformat(timespec="seconds")
    out = []
    for r in sorted(rows, key=lambda r: int(r.lms_user_id)):
        score = r.scores.get(name)
        cell = {"Identifier": f"{MOODLE_PARTICIPANT}{r.lms_user_id}", "Full name": r.full_name,
                "Email address": r.email, "Status": MOODLE_STATUS[score is not None], "Grade": _score(score),
                "Maximum Grade": number(max_score), "Grade can be changed": "Yes", "Last modified (submission)": "",
                "Last modified (grade)": stamp, "Feedback comments": feedback_html(r.feedback)}
        out.append([cell[c] for c in columns])
    return _write(columns, out)


def render(layout: str, rows: list[Row], assignments: list[tuple[str, float]], *, points_possible: bool = False,
           bom: bool = False, graded_at: datetime | None = None) -> str:
    """The CSV of one layout (LAYOUTS); ``bom`` starts it with a UTF-8 byte-order mark."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown LMS layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    if layout == "moodle":
        text = moodle_worksheet(rows, assignments[0], graded_at or datetime.now().astimezone())
    elif layout == "moodle-gradebook":
        text = moodle_csv(rows, assignments)
    else:
        text = canvas_csv(rows, assignments, points_possible=points_possible)
    return UTF8_BOM + text if bom else text


def feedback_zip(rows: list[Row], file_name: str) -> tuple[bytes, list[str]]:
    """(the zip the LMS takes back: each student's report as ``file_name`` where the download named them, UTF-8 with
    a byte-order mark so that browsers show Japanese; the students left out: Canvas attaches feedback only to a file
    handed in)."""
    buf, left_out = io.BytesIO(), []
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for r in sorted(rows, key=lambda r: r.student_id):
            name = r.origin.feedback_name(file_name) if r.origin is not None else None
            if name is None or not r.feedback:
                left_out.append(r.student_id)
                continue
            info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, (UTF8_BOM + r.feedback).encode("utf-8"))
    return buf.getvalue(), left_out


# --------------------------------------------------------------------------- rows


def rows_from_results(results: list[dict], entries=None, feedback=None, *, percent: bool = False,
                      column: str | None = None) -> tuple[list[Row], list[tuple[str, float]]]:
    """Rows from rnngrade batch's JSON results (one assignment), with the identity the LMS's download gave (results'
    lms_id and display_name), each entry's Origin (batch.Entry, aligned with results) and report (feedback: aligned
    texts). ``percent``: scores out of 100; ``column``: the assignment column's name (default: the assignment)."""
    if not results:
        return [], []
    assignment = results[0]["assignment"]
    max_score = max(r["max_score"] for r in results)
    scale = 100.0 / max_score if percent and max_score else 1.0
    name = column or assignment
    rows = []
    for k, r in enumerate(results):
        score = None if r.get("status") == "no_submission" else r["score"] * scale
        rows.append(Row(r["student"], lms_user_id=r.get("lms_id", ""), scores={name: score},
                        full_name=r.get("display_name", ""), feedback=feedback[k] if feedback else "",
                        origin=entries[k].origin if entries else None))
    return rows, [(name, 100.0 if percent else max_score)]


def rows_from_gradebook(gb, students=(), assignments=()) -> tuple[list[Row], list[tuple[str, float]]]:
    """Rows from an nbgrader Gradebook: each assignment's score after the late penalty, None when nothing was
    submitted (0 in Moodle's layout, as nbgrader's own CSV exporter counts it; blank in Canvas's). A submission with
    a cell still waiting for a human (nbgrader's needs_manual_grade: test cells that lost their metadata, which
    nbgrader leaves for formgrader) is None and in Row.pending: blank in both layouts, never a silent 0."""
    from nbgrader.api import MissingEntry

    chosen = [a for a in gb.assignments if not assignments or a.name in assignments]
    rows = []
    for s in gb.students:
        if students and s.id not in students:
            continue
        scores, pending = {}, set()
        for a in chosen:
            try:
                sub = gb.find_submission(a.name, s.id)
            except MissingEntry:
                scores[a.name] = None
            else:
                if sub.needs_manual_grade:
                    scores[a.name] = None
                    pending.add(a.name)
                else:
                    scores[a.name] = max(0.0, float(sub.score) - float(sub.late_submission_penalty or 0.0))
        rows.append(Row(s.id, s.first_name or "", s.last_name or "", s.email or "", s.lms_user_id or "", scores,
                        pending=pending))
    return rows, [(a.name, float(a.max_score)) for a in chosen]


def pending_grades(rows: list[Row]) -> list[str]:
    """'student/assignment' of each grade left blank because it waits for a human (Row.pending)."""
    return [f"{r.student_id}/{a}" for r in sorted(rows, key=lambda r: r.student_id) for a in sorted(r.pending)]


def _exporters() -> dict:
    """nbgrader's exporter plugins, built on first use (nbgrader takes seconds to import: `rnngrade batch` never
    needs it); {} without the nbgrader extra."""
    try:
        from nbgrader.plugins import ExportPlugin
    except ImportError:  # pragma: no cover - the nbgrader extra is not installed
        return {}
    from traitlets import Bool

    class _LmsExporter(ExportPlugin):
        layout = ""
        default_to = ""
        points = False

        def export(self, gradebook) -> None:
            from .files import write_atomic

            dest = self.to or self.default_to
            rows, assignments = rows_from_gradebook(gradebook, [str(s) for s in self.student],
                                                    [str(a) for a in self.assignment])
            self.log.info("Exporting %d students' grades in %s's import layout to %s", len(rows),
                          self.layout.split("-")[0].capitalize(), dest)
            waiting = pending_grades(rows)
            if waiting:
                self.log.warning("Left blank (not exported) until graded by hand in formgrader: %d grade(s) with cells "
                                 "that need manual grading (e.g. test cells that lost their nbgrader metadata): %s",
                                 len(waiting), ", ".join(waiting[:20]) + (", …" if len(waiting) > 20 else ""))
            write_atomic(dest, render(self.layout, rows, assignments, points_possible=self.points))

    class MoodleExporter(_LmsExporter):
        """Moodle's gradebook-import CSV: nbgrader export --exporter=autograder.lms.MoodleExporter"""

        layout = "moodle-gradebook"
        default_to = "moodle_grades.csv"

    class CanvasExporter(_LmsExporter):
        """Canvas's gradebook-import CSV: nbgrader export --exporter=autograder.lms.CanvasExporter"""

        layout = "canvas"
        default_to = "canvas_grades.csv"
        points_possible = Bool(True, help="Write Canvas's 'Points Possible' row: it sets the points of the assignment "
                                          "each column goes to (a new one, named after nbgrader's assignment, or an "
                                          "existing one of that title)").tag(config=True)

        @property
        def points(self) -> bool:
            return bool(self.points_possible)

    found = {"_LmsExporter": _LmsExporter, "MoodleExporter": MoodleExporter, "CanvasExporter": CanvasExporter}
    for name, cls in found.items():
        cls.__qualname__ = name
    return found


def __getattr__(name: str):
    """autograder.lms.MoodleExporter / CanvasExporter, as nbgrader export --exporter=… names them."""
    if name in ("_LmsExporter", "MoodleExporter", "CanvasExporter"):
        found = _exporters()
        if name in found:
            globals().update(found)
            return found[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
