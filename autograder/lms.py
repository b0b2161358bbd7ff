"""Grades as the LMS imports them: Moodle's grade-import CSV and Canvas's gradebook-import CSV.

Both layouts are written from rows (one per student) by the same two functions, used by
``rnngrade batch --lms moodle|canvas`` and by the nbgrader exporters shipped here:

    nbgrader export --exporter=autograder.lms.MoodleExporter --to moodle.csv
    nbgrader export --exporter=autograder.lms.CanvasExporter --to canvas.csv

Moodle (Grades › Import › CSV file): a header row, then one row per student. Moodle asks at import
which column identifies the user ("Map from", e.g. Username, Email address or ID number, "Map to"
the same user field) and which grade item each assignment column goes to. The columns here are
Moodle's own export's names: First name, Last name, ID number, Email address, Username, then one
column per assignment.

Canvas (Grades › Import): the gradebook-export layout, Student, ID, SIS User ID, SIS Login ID,
Section, then one column per assignment, and a "Points Possible" row under the header (Canvas
creates an assignment it does not know from its column name, with those points). Canvas matches
students by ID (its numeric user id: nbgrader's lms_user_id), then by SIS User ID or SIS Login ID.

A name or id starting with =, +, -, @, a tab or a carriage return would be a formula in the TA's
spreadsheet: it is written with a leading single quote (OWASP's CSV-injection advice), scores as
plain numbers, so such a student's row is matched by hand in the LMS.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .files import Number, csv_text

LAYOUTS = ("moodle", "canvas")
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address", "Username"]
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "    Points Possible"  # as Canvas writes it in its own export


@dataclass
class Row:
    """One student's grades: the ids an LMS can match, and {assignment: score}."""

    student_id: str  # nbgrader's id = the hub's user name (Moodle Username, Canvas SIS Login ID)
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""  # Canvas's numeric user id / Moodle's ID number
    scores: dict = field(default_factory=dict)


def number(x: float) -> Number:
    """A score as an LMS reads it: a plain decimal, at most 4 places ("12.2333", "15"), written as a number."""
    text = f"{round(float(x), 4):.4f}".rstrip("0").rstrip(".")
    return Number("0" if text in ("-0", "") else text)


def _write(header: list, rows: list) -> str:
    """The CSV, names and ids that a spreadsheet would run as a formula written as text (files.csv_text)."""
    return csv_text([header, *rows])


def moodle_csv(rows: list[Row], assignments: list[tuple[str, float]]) -> str:
    """Moodle's grade-import CSV (see the module docstring); assignments: [(name, max score)]."""
    names = [a for a, _ in assignments]
    return _write(MOODLE_COLUMNS + names, [
        [r.first_name, r.last_name, r.lms_user_id, r.email, r.student_id, *[number(r.scores.get(a, 0.0)) for a in names]]
        for r in sorted(rows, key=lambda r: r.student_id)
    ])


def canvas_csv(rows: list[Row], assignments: list[tuple[str, float]]) -> str:
    """Canvas's gradebook-import CSV (see the module docstring); assignments: [(name, max score)]."""
    names = [a for a, _ in assignments]
    points = [CANVAS_POINTS_ROW, "", "", "", "", *[number(m) for _, m in assignments]]

    def student(r: Row) -> str:
        return f"{r.last_name}, {r.first_name}" if r.last_name and r.first_name else (r.last_name or r.first_name
                                                                                       or r.student_id)

    return _write(CANVAS_COLUMNS + names, [points] + [
        [student(r), r.lms_user_id, "", r.student_id, "", *[number(r.scores.get(a, 0.0)) for a in names]]
        for r in sorted(rows, key=lambda r: r.student_id)
    ])


def render(layout: str, rows: list[Row], assignments: list[tuple[str, float]]) -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown LMS layout {layout!r}: use one of {', '.join(LAYOUTS)}")
    return (moodle_csv if layout == "moodle" else canvas_csv)(rows, assignments)


def rows_from_results(results: list[dict]) -> tuple[list[Row], list[tuple[str, float]]]:
    """Rows from rnngrade batch's JSON results (one assignment; students known by their folder name)."""
    assignment = results[0]["assignment"] if results else ""
    max_score = max((r["max_score"] for r in results), default=0.0)
    return ([Row(r["student"], scores={assignment: r["score"]}) for r in results],
            [(assignment, max_score)] if results else [])


def rows_from_gradebook(gb, students=(), assignments=()) -> tuple[list[Row], list[tuple[str, float]]]:
    """Rows from an nbgrader Gradebook: each assignment's score after the late penalty, 0 when
    nothing was submitted (as nbgrader's own CSV exporter counts)."""
    from nbgrader.api import MissingEntry

    chosen = [a for a in gb.assignments if not assignments or a.name in assignments]
    rows = []
    for s in gb.students:
        if students and s.id not in students:
            continue
        scores = {}
        for a in chosen:
            try:
                sub = gb.find_submission(a.name, s.id)
            except MissingEntry:
                scores[a.name] = 0.0
            else:
                scores[a.name] = max(0.0, float(sub.score) - float(sub.late_submission_penalty or 0.0))
        rows.append(Row(s.id, s.first_name or "", s.last_name or "", s.email or "", s.lms_user_id or "", scores))
    return rows, [(a.name, float(a.max_score)) for a in chosen]


try:
    from nbgrader.plugins import ExportPlugin
except ImportError:  # pragma: no cover - the nbgrader extra is not installed
    ExportPlugin = None

if ExportPlugin is not None:

    class _LmsExporter(ExportPlugin):
        layout = ""
        default_to = ""

        def export(self, gradebook) -> None:
            from .files import write_atomic

            dest = self.to or self.default_to
            rows, assignments = rows_from_gradebook(gradebook, [str(s) for s in self.student],
                                                    [str(a) for a in self.assignment])
            self.log.info("Exporting %d students' grades in %s's import layout to %s", len(rows),
                          self.layout.capitalize(), dest)
            write_atomic(dest, render(self.layout, rows, assignments))

    class MoodleExporter(_LmsExporter):
        """Moodle's grade-import CSV: nbgrader export --exporter=autograder.lms.MoodleExporter"""

        layout = "moodle"
        default_to = "moodle_grades.csv"

    class CanvasExporter(_LmsExporter):
        """Canvas's gradebook-import CSV: nbgrader export --exporter=autograder.lms.CanvasExporter"""

        layout = "canvas"
        default_to = "canvas_grades.csv"
