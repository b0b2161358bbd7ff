"""Grade a whole class: find the submissions, grade them in parallel, write each result as it
finishes (atomically), then the CSV and the summary.

A submission that cannot be graded (bad file, grader bug) gives that student a zero with the
reason; the other students are graded regardless.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import api, feedback, messages, report
from .errors import GraderError
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


def grade_entry(get: Callable, student: str, assignment: str, inputs: str, *, seed=None, secret=None,
                timeout=None, lang=None, protect=(), notes=(), lms_id: str = "", display_name: str = "",
                problem: str = "", missing: str = "") -> tuple[dict, str]:
    """Grade one student of a class: (the JSON result, the student's text report). ``get()`` gives what api.grade
    grades (a path or a submission.Submission); ``problem`` (why it cannot be graded) or ``missing`` (an LMS's
    download lists the student without a file) give a zero with the reason instead. ``notes`` are added to the
    result's. The same here and on a Dask worker (distributed.batch_task), so that both grade alike."""
    try:
        if problem:
            raise api.SubmissionError(problem)
        if missing:
            res = failed_result(student, assignment, inputs, messages.say(missing, feedback.resolve_lang(lang)),
                                status="no_submission")
        else:
            limits = None
            if timeout is not None:
                from .runner import Limits

                limits = Limits(per_call_s=timeout)
            res = api.grade(get(), assignment, seed=seed, secret=secret, limits=limits, lang=lang,
                            protect=list(protect))
            res.student = student
    except api.SubmissionError as exc:
        res = failed_result(student, assignment, inputs, messages.reason(exc, feedback.resolve_lang(lang)))
    except Exception as exc:  # a grader bug must not cost the rest of the class, nor pass for a zero
        res = failed_result(student, assignment, inputs, messages.text("note_grading_failed", feedback.resolve_lang(
            lang), name=type(exc).__name__), status="internal_error")
    res.notes.extend(messages.say(n, feedback.resolve_lang(lang)) for n in notes)
    res.lms_id, res.display_name = lms_id, display_name
    return res.to_json(), report.text_report(res, lang=feedback.resolve_lang(lang))


def parse_shard(text: str) -> tuple[int, int]:
    """(K, N) of "K/N", 1 ≤ K ≤ N; UserError (one line) otherwise."""
    m = re.fullmatch(r"\s*([0-9]{1,6})\s*/\s*([0-9]{1,6})\s*", text or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise api.SubmissionError(f"--shard {text!r} is not K/N with 1 ≤ K ≤ N (e.g. --shard 2/8: the second of 8 "
                                  f"slices; a SLURM array job passes $SLURM_ARRAY_TASK_ID/N)")
    return int(m.group(1)), int(m.group(2))


def in_shard(student: str, k: int, n: int) -> bool:
    """Whether the student is in slice k of n: by a hash of their id alone, so that a student's slice does not change
    when others are added or removed."""
    h = int.from_bytes(hashlib.sha256(student.encode("utf-8", "surrogatepass")).digest()[:8], "big")
    return h % n == k - 1


#: the file a shard writes in its --results folder: which students of the class it grades (rnngrade merge reads it)
SHARD_MANIFEST = "rnngrade-shard-{k}-of-{n}.json"


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
    shard: tuple[int, int] | None = None,
    cluster=None,
    on_total: Callable[[int], None] | None = None,
) -> list[dict]:
    """Grade every submission under root (or ``entries``, from discover); returns the JSON results of the whole
    class, in the entries' order.

    Each student's ``<id>.json`` and ``<id>.txt`` (the feedback) are written atomically as
    soon as that student is graded, once (a duplicated task's result is not written again). With ``resume``, students
    whose JSON is already there with the key of their submission as it is now (api.submission_key: the same code,
    assignment, inputs and grader) are not graded again; a student who handed in again since is. ``on_done(student,
    result, skipped)`` is called after each student. Ctrl-C (KeyboardInterrupt) raises Interrupted, saying how many
    students are done. A student whose grading failed inside the
    grader gets a result with status "internal_error" (see ``internal_errors``), never a silent zero.

    ``shard`` (K, N): only the K-th of N slices of the class (in_shard), its students listed in
    results_dir/rnngrade-shard-K-of-N.json for ``merge``. ``cluster`` (distributed.Cluster, entered): grade on its
    Dask workers, one task per submission, instead of ``jobs`` threads here. ``on_total(n)``: how many students this
    run covers, before the first result.
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
    if shard is not None:
        k, n = shard
        order = {sid: i for i, sid in enumerate(ids)}
        ids = {sid: e for sid, e in ids.items() if in_shard(e.student, k, n)}
        manifest = {"rnngrade_shard": f"{k}/{n}", "assignment": assignment, "inputs": inputs,
                    "class_size": len(order), "students": [[order[sid], sid] for sid in ids]}
        write_atomic(results_dir / SHARD_MANIFEST.format(k=k, n=n), json.dumps(manifest, ensure_ascii=False) + "\n")
    if on_total:
        on_total(len(ids))

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

    def notes_of(e: Entry) -> list:
        if e.student not in misnamed:
            return []
        return [messages.Said("note_misnamed", names=", ".join(misnamed[e.student]), assignment=assignment)]

    committed: dict[str, str] = {}  # sid -> key of the result written in this run

    def commit(sid: str, data: dict, text: str) -> None:
        key = data.get("key", "")
        if sid in committed and committed[sid] == key:  # a retried or duplicated task: written once
            return
        write_atomic(results_dir / f"{sid}.txt", text)
        write_atomic(results_dir / f"{sid}.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        committed[sid] = key
        done[sid] = data
        if on_done:
            on_done(data["student"], data, False)

    def one(sid: str, e: Entry) -> tuple[str, dict, str]:
        data, text = grade_entry(lambda: e.load(assignment) if e.load else e.path, e.student, assignment, inputs,
                                 seed=seed, secret=secret, timeout=timeout, lang=lang, protect=[results_dir],
                                 notes=notes_of(e), lms_id=e.lms_id, display_name=e.display_name,
                                 problem=e.problem, missing=e.missing)
        return sid, data, text

    if cluster is not None:
        try:
            _on_cluster(cluster, todo, one, commit, assignment, inputs, seed, secret, timeout, lang, results_dir,
                        notes_of)
        except KeyboardInterrupt:  # Ctrl-C: the results committed so far stay, for --resume
            raise Interrupted(len(done), len(ids)) from None
        except _ClusterLost as exc:  # the scheduler is gone: what was committed stays, nothing is made up
            raise GraderError(f"lost the Dask cluster ({exc}) with {len(done)} of {len(ids)} students graded, their "
                              f"results in {results_dir}: start the scheduler again and run the same command with "
                              f"--resume to grade the other {len(ids) - len(done)}") from None
        return [done[sid] for sid in ids]

    pool = ThreadPoolExecutor(max_workers=max(1, jobs))
    try:
        futures = [pool.submit(one, sid, e) for sid, e in todo]
        for fut in as_completed(futures):
            commit(*fut.result())
    except KeyboardInterrupt:  # Ctrl-C: the results written so far stay, for --resume
        pool.shutdown(wait=False, cancel_futures=True)
        raise Interrupted(len(done), len(ids)) from None
    pool.shutdown()
    return [done[sid] for sid in ids]


class _ClusterLost(Exception):
    """A task ended by the cluster itself (the scheduler lost, the client disconnected), not by its submission."""


def _on_cluster(cluster, todo, one, commit, assignment, inputs, seed, secret, timeout, lang, results_dir,
                notes_of) -> None:
    """grade_class's students on a Dask cluster: each submission read here and sent as content to a task
    (distributed.batch_task); a student that cannot be read is settled here, as the local batch would."""
    from . import distributed
    from .submission import load_submission

    expected: dict[str, str] = {}

    def tasks():
        for sid, e in todo:
            if e.problem or e.missing:
                commit(*one(sid, e))
                continue
            try:
                sub = e.load(assignment) if e.load else load_submission(e.path, assignment)
            except api.SubmissionError as exc:
                commit(*one(sid, Entry(e.student, e.path, e.lms_id, e.display_name, problem=messages.message_of(exc),
                                       origin=e.origin)))
                continue
            expected[sid] = api.submission_key(sub, assignment, inputs)
            yield sid, {"submission": distributed.submission_fields(sub), "student": e.student,
                        "assignment": assignment, "inputs": inputs, "seed": seed, "secret": secret,
                        "timeout": timeout, "lang": lang, "protect": [str(Path(results_dir).absolute())],
                        "notes": [messages.to_plain(n) for n in notes_of(e)], "lms_id": e.lms_id,
                        "display_name": e.display_name}

    from distributed import KilledWorker

    entry = dict(todo)
    for sid, value in cluster.map(distributed.batch_task, tasks(), token=inputs):
        e = entry[sid]
        if isinstance(value, BaseException) and not isinstance(value, KilledWorker):
            raise _ClusterLost(type(value).__name__)  # the scheduler is lost: the others are not this student's fault
        if isinstance(value, KilledWorker):  # every worker that took this submission died
            why = messages.Said("note_cluster_killed")
        else:
            out = json.loads(value)
            data, text = out["result"], out["text"]
            if data.get("key") and data["key"] != expected.get(sid):
                why = messages.Said("note_cluster_version")
            else:
                commit(sid, data, text)
                continue
        commit(sid, *_cluster_failure(e, assignment, inputs, why, lang, notes_of(e)))


def _cluster_failure(e: Entry, assignment: str, inputs: str, why, lang, notes=()) -> tuple[dict, str]:
    """The result of a student whose Dask task failed (why: a messages.Said, worded in the graded language): an
    internal error, graded again by --resume; (the JSON result, the student's text report)."""
    lang = feedback.resolve_lang(lang)
    res = failed_result(e.student, assignment, inputs, messages.say(why, lang), status="internal_error")
    res.notes.extend(messages.say(n, lang) for n in notes)
    res.lms_id, res.display_name = e.lms_id, e.display_name
    return res.to_json(), report.text_report(res, lang=lang)


def internal_errors(results: list[dict]) -> list[str]:
    """The students whose grading failed inside the grader (the command then exits 1)."""
    return [r["student"] for r in results if r.get("status") == "internal_error"]


def no_submission(results: list[dict]) -> list[str]:
    """The students of an LMS's download without a file to grade (a blank grade in the LMS's import)."""
    return [r["student"] for r in results if r.get("status") == "no_submission"]


def finish(results: list[dict], csv_path: Path, results_dir: Path, lms=None, *, entries: list[Entry] | None = None,
           feedback_zip: Path | None = None, lang: str | None = None, similarity: bool = False,
           class_report: bool = True) -> str:
    """Write the CSV (per test; or with ``lms``, an lms.Options or a layout name, the LMS's import layout, the per-test
    CSV then in results_dir/grades.csv), the feedback zip the LMS takes back (``feedback_zip``: each student's report,
    named as the download named them), the summary PNG and the class report results_dir/report.html (in ``lang``;
    with ``similarity``, the similar pairs of submissions: the similarity extra; neither with ``class_report=False``,
    for one shard of a class); return the text summary. ``entries`` (discover's, in the results' order) carry the
    identities the LMS's download gave, and the files."""
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
    if not class_report:  # one shard of a class: the class's plot and report.html are merge's
        return report.summary(results) + extra
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



# --------------------------------------------------------------------------- progress


class Progress:
    """done/total, the rate (submissions graded per second, this run) and the ETA, on ``stream`` (stderr): rewritten
    in place on a terminal, otherwise a line at most every ``every`` seconds, and a last line at the end. Students
    kept by --resume count as done, not in the rate."""

    def __init__(self, label: str, stream=None, every: float = 10.0, clock=time.monotonic):
        self.label, self.stream, self.every, self.clock = label, stream or sys.stderr, every, clock
        self.total = self.done = self.graded = 0
        self.start = self.clock()
        self.last = None
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def set_total(self, total: int) -> None:
        self.total, self.start = total, self.clock()

    def update(self, skipped: bool = False) -> None:
        self.done += 1
        self.graded += not skipped
        now = self.clock()
        if self.tty or self.last is None or now - self.last >= self.every:
            self.last = now
            self._write(self.line(), final=False)

    def rate(self) -> float:
        elapsed = self.clock() - self.start
        return self.graded / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        rate, left = self.rate(), self.total - self.done
        eta = f", ETA {_duration(left / rate)}" if rate > 0 and left > 0 else ""
        return f"{self.label}: {self.done}/{self.total} done, {rate:.2f} submissions/s{eta}"

    def close(self) -> None:
        elapsed = self.clock() - self.start
        self._write(f"{self.label}: {self.done}/{self.total} done in {_duration(elapsed)} ({self.rate():.2f} "
                    f"submissions/s)", final=True)

    def _write(self, text: str, final: bool) -> None:
        try:
            if self.tty:
                self.stream.write("\r\x1b[K" + text + ("\n" if final else ""))
            else:
                self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal must not stop the grading
            pass


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


# --------------------------------------------------------------------------- merge


@dataclass
class Merged:
    """rnngrade merge's class: every student's result in the whole class's order, and where each came from."""

    assignment: str
    inputs: str
    results: list  # the JSON results, in the class's order
    sids: list  # their file names (files.unique_names over the whole class)
    folders: list  # the results folder each came from
    shards: int


def merge(folders: list[Path]) -> Merged:
    """The whole class from the --results folders of ``batch --shard K/N`` (each with its rnngrade-shard-K-of-N.json).
    UserError (one line) when they cannot make one class: no shard there, other assignments or inputs, another N or
    class size, a slice missing, a student's result missing or of another grading, the same student twice with
    different keys."""
    from .errors import UserError

    manifests = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise UserError(f"{folder} is not a folder: pass the --results folders of `rnngrade batch --shard K/N`")
        found = sorted(folder.glob("rnngrade-shard-*-of-*.json"))
        if not found:
            raise UserError(f"{folder} holds no shard (rnngrade-shard-K-of-N.json): pass the --results folders of "
                            f"`rnngrade batch --shard K/N`")
        for path in found:
            try:
                m = json.loads(path.read_text(encoding="utf-8"))
                k, n = parse_shard(m["rnngrade_shard"])
                m = {"k": k, "n": n, "assignment": str(m["assignment"]), "inputs": str(m["inputs"]),
                     "size": int(m["class_size"]), "students": [(int(i), str(s)) for i, s in m["students"]],
                     "folder": folder, "path": path}
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise UserError(f"{path} is not a shard manifest ({type(exc).__name__}): run that shard "
                                f"again") from None
            manifests.append(m)
    first = manifests[0]
    for m in manifests[1:]:
        for what, field_ in (("assignment", "assignment"), ("inputs", "inputs"), ("number of shards", "n"),
                             ("class size", "size")):
            if m[field_] != first[field_]:
                raise UserError(f"{m['path']} and {first['path']} are of different gradings ({what} {m[field_]} vs "
                                f"{first[field_]}): merge only the shards of one `rnngrade batch --shard K/N` "
                                f"command run with the same assignment, seed and secret on the same class")
    n = first["n"]
    missing = sorted(set(range(1, n + 1)) - {m["k"] for m in manifests})
    if missing:
        raise UserError(f"shard {missing[0]}/{n} is missing ({len(missing)} of {n}): pass its --results folder too, "
                        f"or run `rnngrade batch --shard {missing[0]}/{n}`")
    by_index: dict[int, tuple] = {}
    for m in manifests:
        for index, sid in m["students"]:
            path = m["folder"] / f"{sid}.json"
            data = load_done(path, first["assignment"], first["inputs"])
            if data is None:
                try:
                    raw = json.loads(path.read_text(encoding="utf-8"))
                    ok = isinstance(raw, dict) and raw.get("status") == "internal_error" and "score" in raw
                except (OSError, ValueError):
                    ok = False
                if not ok:
                    raise UserError(f"no result for {report.printable(sid)} of shard {m['k']}/{n} in {m['folder']}: "
                                    f"run that shard again with --resume")
                data = raw  # an internal error is merged as it is (merge exits 1 and lists it)
            prior = by_index.get(index)
            if prior is not None:
                if prior[1] != sid or prior[0].get("key") != data.get("key"):
                    raise UserError(f"{report.printable(sid)} is in {prior[2]} and {m['folder']} with different "
                                    f"results (graded on different submissions): merge the shards of one run")
                continue
            by_index[index] = (data, sid, m["folder"])
    absent = [i for i in range(first["size"]) if i not in by_index]
    if absent or len(by_index) != first["size"]:
        raise UserError(f"the shards cover {len(by_index)} of the class's {first['size']} students: run every shard "
                        f"on the same class folder and merge them all")
    order = [by_index[i] for i in range(first["size"])]
    return Merged(first["assignment"], first["inputs"], [d for d, _, _ in order], [s for _, s, _ in order],
                  [f for _, _, f in order], n)
