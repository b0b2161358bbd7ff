"""``rnngrade nbgrader autograde``: nbgrader's autograde, with rnngrade's isolated worker in place
of the kernel.

Plain ``nbgrader autograde`` executes each submitted notebook in a Jupyter kernel, one student
after another, and reads the points from the test cells' outputs; a student's answer cell runs in
that same kernel and can replace the checks. Here:

1. Each submission under ``submitted/<student>/<assignment>/`` is copied to a staging folder (regular
   files only, size-capped, nothing followed through a link: a link or a FIFO handed in gives that
   student a zero and the reason), its locked cells (test cells included) restored from the gradebook
   with nbgrader's own OverwriteCells, and its code graded by ``api.grade`` — the isolated worker, never the kernel,
   the cell outputs or the student's test cells — several students at once (``jobs``).
2. nbgrader's own Autograde converter then runs per student on the staged copy, with every one of
   its preprocessors except Execute, which ``RnngradeScores`` replaces: it writes each test cell's
   feedback and points (the numeric output nbgrader reads as partial credit). SaveAutoGrades,
   late penalties, the autograded notebook and the gradebook entries are nbgrader's, so formgrader,
   ``generate_feedback`` and ``export`` work as if nbgrader had graded.

A notebook nbgrader cannot use (broken JSON, missing, or one its converter rejects) is replaced by
the released notebook, so that the student still gets an autograded notebook, a zero and the reason
in every test cell; the other students are graded regardless. Test cells that lost their nbgrader
metadata are reported: nbgrader leaves them for manual grading, as it would itself. A student already autograded is
skipped unless ``force`` (so an interrupted run is resumed by running it again).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import tempfile
import warnings
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import api
from .errors import SubmissionError
from .files import copy_regular_tree, unique_names
from .messages import Said, from_plain, message_of, say, text
from .submission import MAX_NOTEBOOK_BYTES
from .course import CONFIG_NAME, CourseError
from .selfcheck import NOTEBOOK_LANG, feedback_lines, function_points
from .suites import get_suite

try:  # the nbgrader extra; the module imports without it so that `rnngrade --help` works
    from nbgrader.preprocessors import NbGraderPreprocessor
    from traitlets import Dict, Unicode
except ImportError:  # pragma: no cover - exercised only without the extra
    NbGraderPreprocessor = object

    def Unicode(*a, **k):  # noqa: N802
        return None

    Dict = Unicode

#: what staging copies of one student's submission at most
MAX_STAGED_BYTES = 2 * MAX_NOTEBOOK_BYTES
MAX_STAGED_ENTRIES = 1000
MAX_STAGED_DEPTH = 8


@dataclass
class Outcome:
    """One student's autograde: the points recorded in the gradebook, or why there are none."""

    student: str
    score: float = 0.0
    max_score: float = 0.0
    error: str = ""  # why the notebook could not be graded as handed in (the student got zeros): a messages.Said,
    # its English for the TA's command line, worded in the notebooks' language in the test cells
    skipped: bool = False  # already autograded (run with force to grade again)
    note: str = ""  # graded, but something needs the instructor (e.g. test cells nbgrader cannot find)
    functions: dict = field(default_factory=dict)  # function -> points
    internal: bool = False  # the grader failed (not the notebook): the command exits 1
    isolation: list = field(default_factory=list)  # api.GradeResult.isolation: for the instructor, once


# ---------------------------------------------------------------------------------------------
# the preprocessor that replaces nbgrader's Execute


class RnngradeScores(NbGraderPreprocessor):
    """Fill each autograded test cell with rnngrade's feedback and points for its function.

    Reads ``<results_dir>/<names[student]>.json`` (written by :func:`autograde` before nbgrader runs):
    {"functions": {name: {"points": p, "lines": [...]}}, "error": str, "lang": the notebooks' language}. A test cell's
    grade id is ``test_<function>``; its outputs become the feedback (stdout) and the points (execute_result).
    """

    results_dir = Unicode("", help="Folder of the per-student rnngrade results").tag(config=True)
    names = Dict(help="Each student's results file name (files.unique_names: eve+1 and eve_1 each their own)"
                 ).tag(config=True)

    def preprocess(self, nb, resources):
        student = resources["nbgrader"]["student"]
        data = json.loads((Path(self.results_dir) / f"{self.names[student]}.json").read_text(encoding="utf-8"))
        lang = data.get("lang") or "en"
        count = 0
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
                continue
            count += 1
            grade_id = meta.get("grade_id", "")
            function = grade_id[len("test_"):] if grade_id.startswith("test_") else grade_id
            info = data["functions"].get(function)
            if info is None:
                lines, points = [text("nb_unknown_cell", lang, function=function, grade_id=grade_id)], 0.0
            else:
                lines, points = info["lines"], info["points"]
            cell.execution_count = count
            cell.outputs = [
                {"output_type": "stream", "name": "stdout", "text": "\n".join(lines) + "\n"},
                {"output_type": "execute_result", "execution_count": count, "metadata": {},
                 "data": {"text/plain": repr(points)}},
            ]
        from nbformat import from_dict

        return from_dict(nb), resources


# ---------------------------------------------------------------------------------------------
# helpers


def _logger(name: str) -> tuple[logging.Logger, list]:
    """A quiet logger that keeps nbgrader's warnings and errors for the report."""
    records: list = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    log = logging.getLogger(f"rnngrade.nbgrader.{name}")
    log.handlers[:] = [Keep(level=logging.WARNING)]
    log.propagate = False
    log.setLevel(logging.WARNING)
    return log, records


def alembic_on_path() -> None:
    """nbgrader's Gradebook runs the `alembic` command by name: find it beside this Python (a venv
    that was not activated) when it is not on PATH."""
    import os
    import sys

    here = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None and (Path(here) / "alembic").exists():
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def load_config(course: Path):
    """The course's nbgrader config (nbgrader_config.py), with the course as root."""
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader(CONFIG_NAME, path=str(course)).load_config()
    cfg.CourseDirectory.root = str(course)
    return cfg


def db_url(course: Path, config) -> str:
    """The gradebook's URL: the config's, or nbgrader's default (gradebook.db in the course)."""
    return config.CourseDirectory.get("db_url") or f"sqlite:///{course / 'gradebook.db'}"


def _check_course(course: Path, assignment: str, config) -> None:
    from nbgrader.api import MissingEntry

    from .suites import ASSIGNMENTS

    if assignment not in ASSIGNMENTS:
        raise CourseError(f"unknown assignment {assignment!r}: use one of {', '.join(ASSIGNMENTS)}")
    try:
        with gradebook(course, config) as gb:
            gb.find_assignment(assignment)
    except MissingEntry:
        raise CourseError(f"{assignment} is not in the gradebook of {course}: run `nbgrader generate_assignment "
                          f"{assignment}` in the course first") from None


def _mode(path: Path) -> int:
    try:
        return os.lstat(path).st_mode
    except OSError:
        return 0


def students_of(course: Path, assignment: str, only: tuple = ()) -> list[str]:
    """Students with a submitted/<student>/<assignment>/ folder (only those named, when given). No link is
    followed: a link as the student's or the assignment's folder still names a student, whom staging
    refuses with the reason."""
    submitted = course / "submitted"
    if stat.S_ISLNK(_mode(submitted)):
        raise CourseError(f"{submitted} is a symbolic link, and links in the course are never followed: make it "
                          f"a folder (nbgrader collect copies the submissions there)")
    found = []
    if stat.S_ISDIR(_mode(submitted)):
        with os.scandir(submitted) as it:
            for e in it:
                kind = e.stat(follow_symlinks=False).st_mode
                if e.name.startswith(".") or not (stat.S_ISDIR(kind) or stat.S_ISLNK(kind)):
                    continue
                inner = _mode(submitted / e.name / assignment) if stat.S_ISDIR(kind) else 0
                if stat.S_ISLNK(kind) or stat.S_ISDIR(inner) or stat.S_ISLNK(inner):
                    found.append(e.name)
    found.sort()
    if not found:
        raise CourseError(f"no submissions of {assignment} under {submitted}: collect them first "
                          f"(nbgrader collect, or nbgrader zip_collect)")
    for s in only:
        if s not in found:
            raise CourseError(f"student {s!r} has no submitted/{s}/{assignment}/ in {course}: check the id "
                              f"(found {', '.join(found[:10])}{'…' if len(found) > 10 else ''})")
    return [s for s in found if not only or s in only]


def _lines_for(result: api.GradeResult, lang: str) -> dict:
    """{function: {"points", "lines"}}: the summary line and messages selfcheck.check would print."""
    suite = get_suite(result.assignment)
    out = {}
    for function in suite.points:
        tests = [t for t in result.tests if t.function == function]
        out[function] = {"points": function_points(suite, function, tests),
                         "lines": feedback_lines(suite, function, tests, True, lang, result.notes)}
    return out


def _error_lines(assignment: str, message: str, lang: str = "en") -> dict:
    """{function: {"points": 0, "lines"}} for a notebook that could not be graded: the reason (a messages.Said worded
    in ``lang``) in every cell."""
    reason = say(message, lang)
    return {f: {"points": 0.0, "lines": [text("nb_not_graded", lang, function=f, points=p, reason=reason)]}
            for f, p in get_suite(assignment).points.items()}


def _write_results(results_dir: Path, name: str, functions: dict, error: str, lang: str = "en") -> None:
    """The file RnngradeScores reads for a student (name: the student's in files.unique_names)."""
    (results_dir / f"{name}.json").write_text(
        json.dumps({"functions": functions, "error": error, "lang": lang}, ensure_ascii=False), encoding="utf-8")


def gradebook(course: Path, config):
    """nbgrader's Gradebook of the course (a context manager)."""
    from nbgrader.api import Gradebook

    return Gradebook(db_url(course, config), config.CourseDirectory.get("course_id") or "")


# ---------------------------------------------------------------------------------------------
# the command


def autograde(course: Path, assignment: str, *, jobs: int = 2, students: tuple = (), force: bool = False,
              seed: int | str | None = None, secret: bytes | None = None, timeout: float | None = None,
              lang: str | None = None,
              on_done: Callable[[Outcome], None] | None = None, on_total: Callable[[int], None] | None = None,
              cluster=None) -> list[Outcome]:
    """Autograde every submission of ``assignment`` in the nbgrader course ``course``; see the module
    docstring. Raises CourseError for bad input (no course, unknown assignment, nothing submitted). With ``cluster``
    (distributed.Cluster, entered) the submissions are graded on its Dask workers; this process still stages them
    and writes the gradebook, one student at a time."""
    from .feedback import resolve_lang

    course = Path(course).resolve()
    if not course.is_dir():
        raise CourseError(f"{course} is not a folder: pass the nbgrader course directory with --course")
    if not (course / CONFIG_NAME).is_file():
        raise CourseError(f"{course} is not an nbgrader course (no {CONFIG_NAME}): run `rnngrade nbgrader init "
                          f"{course}` first, or pass the course with --course")
    alembic_on_path()
    config = load_config(course)
    _check_course(course, assignment, config)
    lang = resolve_lang(lang, default=NOTEBOOK_LANG)  # the notebooks' language, as their own test cells print
    everyone = students_of(course, assignment, tuple(students))
    names = {s: name for name, s in unique_names(everyone).items()}  # eve+1 and eve_1 keep their own results
    outcomes: dict[str, Outcome] = {}
    todo = []
    for s in everyone:
        done = course / "autograded" / s / assignment / f"{assignment}.ipynb"
        if done.is_file() and not force:
            outcomes[s] = Outcome(s, skipped=True)
        else:
            todo.append(s)
    if on_total:
        on_total(len(everyone))
    for o in outcomes.values():
        if on_done:
            on_done(o)
    release_nb = course / "release" / assignment / f"{assignment}.ipynb"

    with tempfile.TemporaryDirectory(prefix="rnngrade-nbgrader-") as tmp:
        tmp = Path(tmp)
        staged_root, results_dir = tmp / "submitted", tmp / "results"
        results_dir.mkdir()

        def record(o: Outcome) -> None:
            """nbgrader's own converter for one graded student (it writes the gradebook: one at a time)."""
            staged = staged_root / o.student / assignment
            if o.error:
                _substitute(staged / f"{assignment}.ipynb", release_nb)
            problem = _run_nbgrader(cfg, assignment, o.student)
            if problem:
                o.error = o.error or Said("note_nbgrader_failed", problem=problem)
                _write_results(results_dir, names[o.student], _error_lines(assignment, o.error, lang), o.error, lang)
                _substitute(staged / f"{assignment}.ipynb", release_nb)
                again = _run_nbgrader(cfg, assignment, o.student)
                if again:
                    raise CourseError(f"nbgrader cannot autograde {assignment} for {o.student} even with the released "
                                      f"notebook ({again}): check the course with `nbgrader validate`")
                o.functions = {f: 0.0 for f in o.functions}
            outcomes[o.student] = o
            if on_done:
                on_done(o)

        # grading processes (forked: they inherit the imports) work while this one records each finished
        # student in nbgrader; processes, not threads, so that nbgrader's bookkeeping has this one to itself
        job = _Job(course, assignment, tmp, seed, timeout, lang, secret, names)
        cfg = _converter_config(config, staged_root, results_dir, names)
        if cluster is not None:
            _on_cluster(job, cluster, todo, record)
        else:
            with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=multiprocessing.get_context("fork"),
                                     initializer=_lower_priority) as pool:
                for fut in as_completed([pool.submit(_grade_one, job, s) for s in todo]):
                    record(fut.result())
    _record_scores(course, config, assignment, [o for o in outcomes.values() if not o.skipped])
    return [outcomes[s] for s in everyone]


@dataclass(frozen=True)
class _Job:
    """What a grading process needs to grade one student (picklable)."""

    course: Path
    assignment: str
    tmp: Path  # the staging folder: submitted/, grading/, results/
    seed: int | str | None
    timeout: float | None
    lang: str
    secret: bytes | None = None
    names: dict = field(default_factory=dict)  # student -> results file name


def _stage(job: _Job, config, student: str) -> tuple[Path | None, str]:
    """Copy the submission into the staging folder: (the notebook to grade, or None; why not, or a note).
    Regular files only, size-capped, nothing below the course followed through a link."""
    import nbformat

    a = job.assignment
    dest = job.tmp / "submitted" / student / a
    try:
        copy_regular_tree(job.course, Path("submitted", student, a), dest, file_limit=MAX_NOTEBOOK_BYTES,
                          total_limit=MAX_STAGED_BYTES, max_entries=MAX_STAGED_ENTRIES, max_depth=MAX_STAGED_DEPTH,
                          skip=lambda name: name == ".ipynb_checkpoints")
    except SubmissionError as exc:
        shutil.rmtree(dest, ignore_errors=True)  # none of it: nbgrader grades the release in its place
        dest.mkdir(parents=True, exist_ok=True)
        return None, message_of(exc)
    nb_path = dest / f"{a}.ipynb"
    if not nb_path.is_file():
        return None, Said("refused_no_notebook", assignment=a, student=student)
    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any unreadable notebook
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        return None, Said("refused_invalid_notebook", assignment=a, error=reason)
    out = job.tmp / "grading" / student / f"{a}.ipynb"
    out.parent.mkdir(parents=True)
    nbformat.write(_overwrite_locked_cells(nb, job.course, config, a, student), out)
    present = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells}
    missing = [f"test_{f}" for f in get_suite(a).points if f"test_{f}" not in present]
    if missing:  # nbgrader records nothing for a test cell it cannot find: those points need a grader
        return out, (f"{len(missing)} test cells ({', '.join(missing[:3])}{'…' if len(missing) > 3 else ''}) are "
                     f"missing from the notebook or lost their nbgrader metadata: nbgrader leaves them for manual "
                     f"grading in formgrader")
    return out, ""


def _grade_one(job: _Job, student: str) -> Outcome:
    """Stage and grade one student in the isolated worker; write the results the preprocessor reads."""
    from .runner import Limits

    error, note, path, functions, internal, isolation = "", "", None, None, False, []
    try:
        path, note = _stage(job, load_config(job.course), student)
        error = note if path is None else ""
        if path is not None:
            res = api.grade(path, job.assignment, seed=job.seed, secret=job.secret, lang=job.lang,
                            protect=[job.course, job.tmp],
                            limits=Limits(per_call_s=job.timeout) if job.timeout else None)
            functions, isolation = _lines_for(res, job.lang), res.isolation
    except api.SubmissionError as exc:
        error = message_of(exc)
    except Exception as exc:  # noqa: BLE001 - a grader bug must not cost the rest of the class
        error, internal = Said("note_grading_failed", name=type(exc).__name__), True
    return _settle(job, student, functions, error, note if path is not None else "", internal, isolation)


def _settle(job: _Job, student: str, functions, error: str, note: str, internal: bool, isolation) -> Outcome:
    """Write the results the preprocessor reads for a graded (or refused) student; their Outcome."""
    if functions is None or error:
        functions = _error_lines(job.assignment, error, job.lang)
    _write_results(job.tmp / "results", job.names[student], functions, error, job.lang)
    return Outcome(student, error=error, note=note,  # note: of a graded notebook only
                   functions={f: v["points"] for f, v in functions.items()}, internal=internal,
                   isolation=list(isolation))


def _on_cluster(job: _Job, cluster, students: list, record: Callable[[Outcome], None]) -> None:
    """Grade the students on a Dask cluster: each staged and read here (the course stays on this machine), its
    code sent to a task (distributed.nbgrader_task) that grades it on a Dask worker; each Outcome recorded here."""
    from . import distributed
    from .submission import load_submission

    config, notes = load_config(job.course), {}

    def tasks():
        for student in students:
            try:
                path, note = _stage(job, config, student)
                if path is None:
                    record(_settle(job, student, None, note, "", False, []))
                    continue
                sub = load_submission(path, job.assignment)
            except api.SubmissionError as exc:
                record(_settle(job, student, None, message_of(exc), "", False, []))
                continue
            except Exception as exc:  # noqa: BLE001 - a grader bug must not cost the rest of the class
                record(_settle(job, student, None, Said("note_grading_failed", name=type(exc).__name__), "", True,
                               []))
                continue
            notes[student] = note
            yield student, {"submission": distributed.submission_fields(sub), "assignment": job.assignment,
                            "seed": job.seed, "secret": job.secret, "timeout": job.timeout, "lang": job.lang,
                            "protect": [str(job.course), str(job.tmp)]}

    from distributed import KilledWorker

    from .errors import GraderError

    for student, value in cluster.map(distributed.nbgrader_task, tasks()):
        if isinstance(value, BaseException) and not isinstance(value, KilledWorker):  # the scheduler is lost
            raise GraderError(f"lost the Dask cluster ({type(value).__name__}): the students recorded so far are in "
                              f"the gradebook; start the scheduler again and run the same command (they are skipped)")
        out = {"internal": type(value).__name__} if isinstance(value, BaseException) else json.loads(value)
        if "functions" in out:
            record(_settle(job, student, out["functions"], "", notes[student], False, out.get("isolation", [])))
        elif "error" in out:  # the reason's key and facts (messages.to_plain), worded here in the notebooks' language
            record(_settle(job, student, None, from_plain(out["error"]), "", False, []))
        else:
            record(_settle(job, student, None, Said("note_grading_failed", name=str(out["internal"])), "", True, []))


def _overwrite_locked_cells(nb, course: Path, config, assignment: str, student: str):
    """The notebook as nbgrader will grade it: locked and test cells restored from the gradebook."""
    import copy

    from nbgrader.preprocessors import OverwriteCells

    resources = {"nbgrader": {"db_url": db_url(course, config), "assignment": assignment, "notebook": assignment, "student": student}}
    try:
        out, _ = OverwriteCells(config=config).preprocess(copy.deepcopy(nb), resources)
    except Exception:  # noqa: BLE001 - nbgrader will report the broken metadata in its own run
        return nb
    return out


def _substitute(path: Path, release_nb: Path) -> None:
    if not release_nb.is_file():
        raise CourseError(f"{release_nb} is missing: run `nbgrader generate_assignment` for the assignment first")
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(release_nb, path)


def _converter_config(config, staged_root: Path, results_dir: Path, names: dict):
    """The course's config for nbgrader's Autograde converter reading the staged copies, Execute replaced."""
    import copy

    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import AssignLatePenalties, IgnorePattern, LimitOutput, SaveAutoGrades

    cfg = copy.deepcopy(config)
    cfg.CourseDirectory.submitted_directory = str(staged_root)
    # nbgrader's list with Execute replaced; its final CheckCellMetadata is left out: the sanitizing
    # pass has just validated the metadata, and RnngradeScores changes outputs only
    cfg.Autograde.autograde_preprocessors = [RnngradeScores, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                             SaveAutoGrades, AssignLatePenalties]
    cfg.RnngradeScores.results_dir = str(results_dir)
    cfg.RnngradeScores.names = dict(names)
    return cfg


def _run_nbgrader(cfg, assignment: str, student: str) -> str:
    """nbgrader's Autograde converter for one student (cfg from _converter_config); "" or what went wrong."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory

    log, records = _logger(student)
    coursedir = CourseDirectory(config=cfg, log=log)
    coursedir.assignment_id = assignment
    coursedir.student_id = student
    app = Autograde(coursedir=coursedir, config=cfg, log=log)
    app.force = True
    app.create_student = True
    try:
        with warnings.catch_warnings():  # SQLAlchemy's notes on nbgrader's sessions are not ours to fix
            warnings.simplefilter("ignore")
            app.start()
    except Exception as exc:  # noqa: BLE001 - nbgrader's NbGraderException and whatever a notebook provokes
        tracebacks = [r for r in records if r.startswith("Traceback")]
        if tracebacks:  # the exception's own line, not nbgrader's "see the traceback above"
            return [ln for ln in tracebacks[0].splitlines() if ln.strip()][-1].strip()[:300]
        return (str(exc) or type(exc).__name__).splitlines()[0][:300]
    return ""


def _record_scores(course: Path, config, assignment: str, outcomes) -> None:
    """Each outcome's score and max score as the gradebook now has them."""
    with warnings.catch_warnings(), gradebook(course, config) as gb:
        warnings.simplefilter("ignore")
        for o in outcomes:
            sub = gb.find_submission(assignment, o.student)
            o.score, o.max_score = float(sub.score), float(sub.max_score)


def _lower_priority() -> None:
    """A grading process yields the CPU to nbgrader's bookkeeping, the slower, serial stage; when it ends, its worker
    template is closed and its folder removed (a pool's process ends without the atexit hooks, through
    multiprocessing's own finalizers)."""
    import os
    from multiprocessing.util import Finalize

    from . import runner

    os.nice(5)
    Finalize(None, runner._close_template, exitpriority=10)
