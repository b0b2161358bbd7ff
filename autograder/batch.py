"""Grade a whole class: find the submissions, grade them in parallel, write each result as it
finishes (atomically), then the CSV and the summary.

A submission that cannot be graded (bad file, grader bug) gives that student a zero with the
reason; the other students are graded regardless.
"""

from __future__ import annotations

import json
import os
import stat
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import api, report
from .files import unique_names, write_atomic
from .suites import ASSIGNMENTS, get_suite

SUBMISSION_SUFFIXES = (".py", ".ipynb", ".zip")
_UNSET = object()


@dataclass(frozen=True)
class Entry:
    """One student of the class: who (``student``; from an LMS's download also its id and the name it shows) and
    where their submission is: ``path``, or for an LMS's download ``load(assignment)`` (the file chosen, read when
    graded); ``missing`` (in the download without a file to grade) or ``problem`` (several files) say why there is
    none; ``origin`` (lms_in.Origin) is where the LMS takes the student's feedback back."""

    student: str
    path: Path
    lms_id: str = ""
    display_name: str = ""
    load: Callable | None = field(default=None, compare=False, repr=False)
    missing: str = ""
    problem: str = ""
    origin: object = None


def lms_download(source: Path):
    """The LMS's bulk download at source (lms_in.Download: Moodle's or Canvas's, its .zip or the folder it unzips
    to), or None for a class folder (one folder or file per student, or nbgrader's)."""
    from . import lms_in

    source = Path(source)
    if source.suffix.lower() == ".zip" and not source.is_dir():
        if not source.exists():
            raise api.SubmissionError(f"{source} does not exist: pass the folder holding one submission per student, "
                                      f"or the .zip downloaded from Moodle or Canvas")
        return lms_in.from_archive(source)
    if not source.is_dir():
        raise api.SubmissionError(f"{source} is not a folder: pass the folder holding one submission per student, "
                                  f"or the .zip downloaded from Moodle or Canvas")
    try:
        os.lstat(source / "submitted")
        return None  # nbgrader's course folder (a link there is refused by discover)
    except OSError:
        pass
    return lms_in.from_folder(source)


def discover(root: Path, assignment: str | None, download=_UNSET) -> list[Entry]:
    """One Entry per student under root.

    Layouts: an LMS's bulk download (lms_download: Moodle's "Download all submissions", Canvas's submissions.zip,
    as the .zip or unzipped; ``download`` when already read); nbgrader's course folder
    (``root/submitted/<student>/<assignment>/``) or its ``submitted/`` folder itself; otherwise one folder or one
    file (.py, .ipynb, .zip) per student.
    root itself may be a link (the TA chose it); nothing below it is followed: a link (as a student's
    folder or file) or a special file named like a submission is an entry all the same, which grading
    refuses with the reason (that student's zero), so that it is never graded through the link.
    """
    root = Path(root)
    if download is _UNSET:
        download = lms_download(root)
    if download is not None:
        entries = download.entries(assignment)
        if not entries:
            raise api.SubmissionError(f"{root} holds no submissions")
        return entries
    if not root.is_dir():
        raise api.SubmissionError(f"{root} is not a folder: pass the folder holding one submission per student")

    def mode(p: Path) -> int:
        try:
            return os.lstat(p).st_mode
        except OSError:
            return 0

    submitted = mode(root / "submitted")
    if stat.S_ISLNK(submitted):
        raise api.SubmissionError(f"{root / 'submitted'} is a symbolic link, and links below the class folder are "
                                  f"never followed: pass the folder it points to")
    base = root / "submitted" if stat.S_ISDIR(submitted) else root
    entries = []
    with os.scandir(base) as it:
        children = sorted((e.name, e.stat(follow_symlinks=False).st_mode) for e in it)
    for name, m in children:
        child = base / name
        if name.startswith("."):
            continue
        if stat.S_ISDIR(m):
            nb_dir = child / assignment if assignment else None
            if nb_dir is not None and stat.S_ISDIR(mode(nb_dir)) | stat.S_ISLNK(mode(nb_dir)):
                entries.append(Entry(name, nb_dir))  # nbgrader: submitted/<student>/<assignment>/
            else:
                entries.append(Entry(name, child))
        elif stat.S_ISLNK(m):  # a student's folder or file, unknown which without following it
            entries.append(Entry(child.stem if child.suffix in SUBMISSION_SUFFIXES else name, child))
        elif child.suffix in SUBMISSION_SUFFIXES:  # a FIFO or a device too: refused when graded
            entries.append(Entry(child.stem, child))
    if not entries:
        raise api.SubmissionError(f"{root} holds no submissions: expected one folder or .py/.ipynb/.zip file per student")
    return entries


class Interrupted(KeyboardInterrupt):
    """grade_class stopped by Ctrl-C: ``done`` of ``total`` students have their result written."""

    def __init__(self, done: int, total: int):
        super().__init__(done, total)
        self.done, self.total = done, total


def check_names(entries: list[Entry], assignment: str) -> dict:
    """{student: [the other assignments their files are named after]}, for the students of a class folder whose
    files are named after other assignments only (by names: nothing opened). SubmissionError (one line) when some
    are and none is named after ``assignment``: -a is most likely not the class's exercise."""
    from .submission import assignments_named

    other, matched = {}, False
    for e in entries:
        if e.load is not None or e.missing or e.problem:  # an LMS's download chose its files by the assignment
            continue
        named = assignments_named(e.path)
        if assignment in named:
            matched = True
        elif named:
            other[e.student] = sorted(named)
    if other and not matched:
        names = sorted({a for v in other.values() for a in v})
        raise api.SubmissionError(f"no file is named after {assignment}: the submissions are named after "
                                  f"{', '.join(names)} ({len(other)} student(s)); pass -a {names[0]} if that is the "
                                  f"exercise to grade, or check that the folder holds {assignment}'s submissions")
    return other


def failed_result(student: str, assignment: str, inputs: str, message: str,
                  status: str = "refused") -> api.GradeResult:
    """Zero for a submission that could not be graded, with the reason; status "refused" (the
    submission's problem: a bad file), "no_submission" (an LMS's download lists the student without a file to
    grade) or "internal_error" (the grader's: the command exits 1)."""
    return api.GradeResult(assignment, student, 0.0, get_suite(assignment).max_score, [], 0.0, inputs,
                           notes=[message], status=status)


def load_done(path: Path, assignment: str, inputs: str) -> dict | None:
    """A finished result from an earlier run, if it is complete, for the same grading (assignment and
    inputs) and not an internal error (those are graded again)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (isinstance(data, dict) and data.get("assignment") == assignment and data.get("inputs") == inputs
            and "score" in data and data.get("status") != "internal_error"):
        return data
    return None


def current_key(e: Entry, assignment: str, inputs: str) -> str | None:
    """The submission_key of e's submission as it is now (read, not run), or None when it cannot be graded."""
    from .submission import load_submission

    if e.problem or e.missing:
        return None
    try:
        sub = e.load(assignment) if e.load else load_submission(e.path, assignment)
    except api.SubmissionError:
        return None
    return api.submission_key(sub, assignment, inputs)


def grade_class(
    root: Path,
    assignment: str,
    results_dir: Path,
    *,
    jobs: int = 2,
    seed: int | str | None = None,
    secret: bytes | None = None,
    resume: bool = False,
    timeout: float | None = None,
    lang: str | None = None,
    on_done: Callable[[str, dict, bool], None] | None = None,
    entries: list[Entry] | None = None,
) -> list[dict]:
    """Grade every submission under root (or ``entries``, from discover); returns the JSON results of the whole
    class, in the entries' order.

    Each student's ``<id>.json`` and ``<id>.txt`` (the feedback) are written atomically as
    soon as that student is graded. With ``resume``, students whose JSON is already there with the key of their
    submission as it is now (api.submission_key: the same code, assignment, inputs and grader) are not graded again;
    a student who handed in again since is. ``on_done(student,
    result, skipped)`` is called after each student. Ctrl-C (KeyboardInterrupt) raises Interrupted, saying how many
    students are done. A student whose grading failed inside the
    grader gets a result with status "internal_error" (see ``internal_errors``), never a silent zero.
    """
    from .seeds import inputs_for

    if assignment not in ASSIGNMENTS:
        raise api.SubmissionError(f"unknown assignment {assignment!r}; known: {', '.join(ASSIGNMENTS)}")
    inputs = inputs_for(assignment, get_suite(assignment).seed, seed, secret).id
    entries = discover(root, assignment) if entries is None else entries
    misnamed = check_names(entries, assignment)
    ids = dict(zip(unique_names([e.student for e in entries]), entries))  # eve+1 and eve_1 keep their own
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)

    done: dict[str, dict] = {}
    todo = []
    for sid, e in ids.items():
        prior = load_done(results_dir / f"{sid}.json", assignment, inputs) if resume else None
        if prior is not None and prior.get("key") and prior["key"] == current_key(e, assignment, inputs):
            done[sid] = prior
            if on_done:
                on_done(e.student, prior, True)
        else:
            todo.append((sid, e))

    limits = None
    if timeout is not None:
        from .runner import Limits

        limits = Limits(per_call_s=timeout)

    def one(sid: str, e: Entry) -> tuple[str, api.GradeResult]:
        try:
            if e.problem:
                raise api.SubmissionError(e.problem)
            if e.missing:
                res = failed_result(e.student, assignment, inputs, e.missing, status="no_submission")
            else:
                res = api.grade(e.load(assignment) if e.load else e.path, assignment, seed=seed, secret=secret,
                                limits=limits, lang=lang, protect=[results_dir])
                res.student = e.student
        except api.SubmissionError as exc:
            res = failed_result(e.student, assignment, inputs, str(exc))
        except Exception as exc:  # a grader bug must not cost the rest of the class, nor pass for a zero
            res = failed_result(e.student, assignment, inputs,
                                f"internal error while grading ({type(exc).__name__}); please report it",
                                status="internal_error")
        if e.student in misnamed:
            res.notes.append(f"the file is named after {', '.join(misnamed[e.student])}, not {assignment}: it was "
                             f"graded as {assignment}")
        res.lms_id, res.display_name = e.lms_id, e.display_name
        return sid, res

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = [pool.submit(one, sid, e) for sid, e in todo]
        for fut in as_completed(futures):
            sid, res = fut.result()
            data = res.to_json()
            write_atomic(results_dir / f"{sid}.txt", report.text_report(res))
            write_atomic(results_dir / f"{sid}.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            done[sid] = data
            if on_done:
                on_done(res.student, data, False)
    except KeyboardInterrupt:  # Ctrl-C: the results written so far stay, for --resume
        pool.shutdown(wait=False, cancel_futures=True)
        raise Interrupted(len(done), len(ids)) from None
    pool.shutdown()
    return [done[sid] for sid in ids]


def internal_errors(results: list[dict]) -> list[str]:
    """The students whose grading failed inside the grader (the command then exits 1)."""
    return [r["student"] for r in results if r.get("status") == "internal_error"]


def no_submission(results: list[dict]) -> list[str]:
    """The students of an LMS's download without a file to grade (a blank grade in the LMS's import)."""
    return [r["student"] for r in results if r.get("status") == "no_submission"]


def finish(results: list[dict], csv_path: Path, results_dir: Path, lms=None, *, entries: list[Entry] | None = None,
           feedback_zip: Path | None = None, lang: str | None = None, similarity: bool = False) -> str:
    """Write the CSV (per test; or with ``lms``, an lms.Options or a layout name, the LMS's import layout, the per-test
    CSV then in results_dir/grades.csv), the feedback zip the LMS takes back (``feedback_zip``: each student's report,
    named as the download named them), the summary PNG and the class report results_dir/report.html (in ``lang``;
    with ``similarity``, the similar pairs of submissions: the similarity extra); return the text summary.
    ``entries`` (discover's, in the results' order) carry the identities the LMS's download gave, and the files."""
    results_dir = Path(results_dir)
    extra = ""
    if lms:
        from . import lms as lms_mod

        options = lms if isinstance(lms, lms_mod.Options) else lms_mod.Options(lms)
        feedback = None
        if entries is not None:
            sids = list(unique_names([e.student for e in entries]))
            feedback = [_text(results_dir / f"{sid}.txt") for sid in sids]
        rows, assignments = lms_mod.rows_from_results(results, entries, feedback, percent=options.percent,
                                                      column=options.canvas_assignment)
        write_atomic(csv_path, lms_mod.render(options.layout, rows, assignments,
                                              points_possible=options.points_possible, bom=options.bom))
        write_atomic(results_dir / "grades.csv", report.class_csv(results))
        if feedback_zip is not None:
            data, left_out = lms_mod.feedback_zip(rows, f"{results[0]['assignment']}-feedback.txt" if results else "x")
            write_atomic(feedback_zip, data)
            if left_out:
                extra = (f"left out of the feedback zip ({len(left_out)}; {options.layout.capitalize()} attaches "
                         f"feedback to a file handed in): " + report.printable(", ".join(left_out)) + "\n")
    else:
        write_atomic(csv_path, report.class_csv(results))
    report.summary_png(results, results_dir / "summary.png")
    if results:
        from . import classreport
        from .errors import ReleaseError
        from .files import find_root

        assignment = results[0]["assignment"]
        sim = None
        if similarity:
            sources = classreport.sources_of(entries, results, assignment) if classreport.similarity_available() else {}
            try:
                root = find_root()
            except ReleaseError:  # installed without the kit's folders: no released stub to discount
                root = None
            sim = classreport.check_similarity(results, sources, assignment, root)
        write_atomic(results_dir / "report.html", classreport.render_html(results, assignment, lang, sim))
    return report.summary(results) + extra


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""

