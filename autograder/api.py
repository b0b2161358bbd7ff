"""Scoring: load a submission, run its functions isolated (runner.py), judge in this process.

The student's code never runs in this process; only plain data comes back from the worker
(runner.py decodes it without pickle), and every comparison and every score is made here.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import SubmissionError  # noqa: F401 - api.SubmissionError: what grade() raises for bad input


@dataclass
class GradeResult:
    """One submission's grade: what `--format json` writes, field for field."""

    assignment: str
    student: str
    score: float
    max_score: float
    tests: list  # of cases.CaseResult
    execution_time: float
    inputs: str  # seeds.Inputs.id: names the inputs graded on, never the seed or the secret
    rnngrade_version: str = __version__
    notes: list = field(default_factory=list)  # about the submission, for its student: e.g. an import error
    status: str = "graded"  # "graded"; "refused": not gradeable (a bad file, 0 and the reason in notes);
    # "internal_error": the grader failed (0, and the command that graded it exits 1)
    isolation: list = field(default_factory=list)  # for the TA, never in the student's report: what of the
    # isolation could not be arranged here ("file-system isolation is off: …", what uid 65534 can read)
    # (batch also writes status "no_submission": in an LMS's bulk download without a file to grade; 0 here, a blank
    # grade in the LMS's import)
    lms_id: str = ""  # from an LMS's bulk download: Moodle's participant id, Canvas's user id
    display_name: str = ""  # … and the name it shows: Moodle's full name, Canvas's name in its file names
    key: str = ""  # submission_key of what was graded; "" when nothing was (batch --resume grades it again)

    def to_json(self) -> dict:
        """The JSON result: {assignment, student, score, max_score, tests: [...], execution_time, inputs,
        rnngrade_version}; each test {name, score, max_score, status, output, visibility, tags}."""
        return {
            "assignment": self.assignment,
            "student": self.student,
            "score": round(self.score, 6),
            "max_score": self.max_score,
            "tests": [
                {
                    "name": t.name,
                    "score": round(t.score, 6),
                    "max_score": round(t.max_score, 6),
                    "status": t.status,
                    "output": t.output,
                    "visibility": "visible" if t.visible else "hidden",
                    "tags": list(t.tags),  # the known mistakes matched (cases.CaseResult.tags)
                }
                for t in self.tests
            ],
            "execution_time": round(self.execution_time, 3),
            "inputs": self.inputs,
            "rnngrade_version": self.rnngrade_version,
            "notes": list(self.notes),
            "status": self.status,
            "isolation": list(self.isolation),
            "lms_id": self.lms_id,
            "display_name": self.display_name,
            "key": self.key,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- grading


def grade(path_or_submission, assignment: str | None = None, *, seed: int | str | None = None,
          secret: bytes | None = None, visible_only: bool = False, limits=None, sandbox: str = "auto",
          lang: str | None = None, protect=()) -> GradeResult:
    """Grade one submission.

    Parameters
    ----------
    path_or_submission : a path (.py, .ipynb, a folder holding one, a .zip of one) or a
        submission.Submission
    assignment : e.g. "rnn_bptt"; default: the one the file is named after
    seed : any word or number: a second set of hidden inputs (see seeds.py); visible cases always use
        the suite's public seed. The result is deterministic for a seed and secret.
    secret : the course secret (seeds.load_secret): hidden inputs no student can compute; without it
        and without seed, the hidden inputs are the public defaults
    visible_only : only the visible cases (what a student's self-check runs)
    limits : runner.Limits (default Limits())
    sandbox : "auto", "require" or "off" (see runner.run_calls)
    lang : "ja" or "en" for the feedback (default: from the locale)
    protect : folders the student's code must not read (the results, the course with its gradebook);
        without bubblewrap a note says when their permissions let it (see runner.run_calls)

    Each case's inputs and expected result are built here; only (function, driver, args,
    kwargs) go to the isolated worker, and every result is judged here.

    Raises SubmissionError for bad input (a missing or unreadable path, an unknown assignment).
    """
    from . import runner

    runner.warm_up(sandbox)  # the worker template loads numpy while the submission and its cases are prepared
    from . import feedback, seeds
    from .messages import say
    from .runner import Call, Limits, run_calls
    from .submission import Submission, load_submission
    from .suites import ASSIGNMENTS, get_suite

    t0 = time.perf_counter()
    if assignment is not None and assignment not in ASSIGNMENTS:
        raise SubmissionError(f"unknown assignment {assignment!r}: use one of {', '.join(ASSIGNMENTS)}")
    if isinstance(path_or_submission, Submission):
        sub = path_or_submission
    else:
        sub = load_submission(path_or_submission, assignment)
    assignment = assignment or sub.assignment_guess
    if assignment is None:
        raise SubmissionError(f"cannot tell the assignment of {sub.origin or sub.student}: name the file after it "
                              f"(e.g. rnn_bptt.py) or pass -a with one of {', '.join(ASSIGNMENTS)}")
    suite = get_suite(assignment)
    inputs = seeds.inputs_for(assignment, suite.seed, seed, secret)
    selected = [(i, c) for i, c in enumerate(suite.cases) if c.visible or not visible_only]
    max_score = suite.max_score if not visible_only else round(sum(c.points for _, c in selected), 9)
    key = submission_key(sub, assignment, inputs.id, visible_only)
    lang = feedback.resolve_lang(lang)
    if sub.empty:  # said once, rather than "function not found" for every case
        return GradeResult(assignment, sub.student, 0.0, max_score, [], time.perf_counter() - t0, inputs.id,
                           notes=[say(n, lang) for n in (*sub.notes, sub.empty)], status="refused", key=key)
    case_of = dict(selected)
    built, calls, builder = _build_cases(assignment, selected, inputs, Call)

    def judge(o):  # each outcome as it arrives: only one outcome's data is held at a time
        return _judge_outcome(case_of[o.index], o, *built(o.index)[1], sub, lang)

    try:
        tests, info = run_calls(sub.source, calls, limits=limits or Limits(), sandbox=sandbox,
                                module=assignment, filename=f"{assignment}.py", judge=judge,
                                protect=protect)
    except BaseException:
        if builder is not None:
            builder.shutdown(wait=False, cancel_futures=True)
        raise
    if builder is not None:
        builder.shutdown(wait=True)
    for i, _ in selected:  # a case that could not be built is the grader's failure, never a silent zero
        built(i)
    notes = [say(n, lang) for n in sub.notes]  # e.g. which of a folder's files was graded
    if info.import_failure is not None:
        notes.append(_import_note(info.import_failure, sub, lang))
    return GradeResult(
        assignment=assignment,
        student=sub.student,
        score=round(float(sum(t.score for t in tests)), 9),  # fifths of points do not add up exactly in binary
        max_score=max_score,
        tests=tests,
        execution_time=time.perf_counter() - t0,
        inputs=inputs.id,
        notes=notes,
        isolation=list(info.notes),
        key=key,
    )


#: the cases built or being built, by (assignment, case index, seed) -> (case, Future of (Call, (args, kwargs,
#: expected))): a class graded on one seed builds each case's inputs and reference result once, not once per student
_BUILT: dict = {}
_BUILT_MAX = 4096
_built_lock = threading.Lock()


def _freeze(value, seen=None) -> None:
    """Make every array in value read-only (through tuples, lists, dicts and objects' attributes), so that the
    judging of one submission cannot change what the next one is judged against: an in-place change raises."""
    import numpy as np

    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
        return
    if isinstance(value, (str, bytes, int, float, complex, bool, type(None))) or callable(value):
        return
    if isinstance(value, dict):
        for v in value.values():
            _freeze(v, seen)
    elif isinstance(value, (tuple, list, set, frozenset)):
        for v in value:
            _freeze(v, seen)
    for v in getattr(value, "__dict__", {}).values():
        _freeze(v, seen)


def _built_case(assignment: str, index: int, case, seed: int, call_type):
    """(the Call, (args, kwargs, expected)) of a case for a seed: built once per process and seed, then shared, its
    arrays read-only (the first submissions of a class, graded at once, wait for the one build; a build that raised
    raises for each of them and is tried again next time). The Call is the same object each time, so runner.py
    encodes its inputs once too."""
    from concurrent.futures import Future

    key = (assignment, index, seed)
    with _built_lock:
        entry = _BUILT.get(key)
        mine = entry is None or entry[0] is not case
        if mine:
            while len(_BUILT) >= _BUILT_MAX:
                _BUILT.pop(next(iter(_BUILT)))
            entry = _BUILT[key] = (case, Future())
    if not mine:
        return entry[1].result()
    try:
        args, kwargs, expected = case.build(seed, index)
        call = call_type(index, case.function, case.driver, args, kwargs, private=not case.visible, reused=True)
        _freeze((args, kwargs, expected))
    except BaseException as exc:
        with _built_lock:
            if _BUILT.get(key) is entry:
                del _BUILT[key]
        entry[1].set_exception(exc)
        raise
    entry[1].set_result((call, (args, kwargs, expected)))
    return call, (args, kwargs, expected)


def _ready(entry, case) -> bool:
    """Whether a _BUILT entry holds this case, built."""
    return entry is not None and entry[0] is case and entry[1].done()


def _build_cases(assignment: str, selected: list, inputs, call_type):
    """(built(i) -> (Call, (args, kwargs, expected)), the calls to run, the builder or None).

    Cases already built for their seed (a class graded by one process) are taken at once. Otherwise they are built
    in a thread, in the order the calls run, while run_calls starts the workers and makes the first calls: each
    call's inputs are waited for only when it is sent (runner.Call.resolve), each judge's reference likewise.
    A case whose building raised raises again there, and in grade() after the run."""
    from concurrent.futures import ThreadPoolExecutor

    seeds = {i: inputs.seed_for(case) for i, case in selected}
    if all(_ready(_BUILT.get((assignment, i, seeds[i])), case) for i, case in selected):
        done = {i: _built_case(assignment, i, case, seeds[i], call_type) for i, case in selected}
        return done.__getitem__, [done[i][0] for i, _ in selected], None
    builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rnngrade-cases")
    order = sorted(selected, key=lambda ic: not ic[1].visible)  # the visible calls run first
    futures = {i: builder.submit(_built_case, assignment, i, case, seeds[i], call_type) for i, case in order}

    def built(i):
        return futures[i].result()

    calls = [call_type(i, case.function, case.driver, (), {}, private=not case.visible,
                       resolve=lambda i=i: built(i)[0]) for i, case in selected]
    return built, calls, builder


_fingerprint_lock = threading.Lock()


def grader_fingerprint() -> str:
    """A hash of the grader's and the reference's code (every .py of autograder/ and rnnref/): a result keyed with it
    is stale as soon as either changes, whatever the version number says. Computed once per process (the command
    line starts it in a thread beside the worker template's start: prefetch_fingerprint)."""
    with _fingerprint_lock:
        return _fingerprint()


def prefetch_fingerprint() -> None:
    threading.Thread(target=grader_fingerprint, name="rnngrade-fingerprint", daemon=True).start()


@functools.lru_cache(maxsize=1)
def _fingerprint() -> str:
    h = hashlib.sha256(__version__.encode())
    for package in ("autograder", "rnnref"):
        root = Path(__file__).resolve().parent.parent / package
        for path in sorted(root.rglob("*.py")):
            h.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def submission_key(sub, assignment: str, inputs: str, visible_only: bool = False) -> str:
    """The content address of a grading: a hash of what the worker runs from the submission (its code, or why there
    is none), the assignment, the inputs (seeds.Inputs.id: seed and secret), the cases graded and the grader's code.
    Equal keys give equal grades, so ``batch --resume`` keeps a result only while its key is the submission's now."""
    fields = [grader_fingerprint(), assignment, inputs, bool(visible_only), sub.kind, sub.source, sub.empty,
              list(sub.notes)]
    return "sha256:" + hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def _place(outcome, sub) -> str:
    """Where an exception was raised, as Submission.where's fact: 'line 12' ('cell 7, line 3'); '' when the line is
    unknown or none of the submission's (the student's code can forge a traceback's line number, e.g. to send a
    number back)."""
    line = outcome.line
    if not line or not 0 < line <= sub.source.count("\n") + 1:
        return ""
    return sub.where(line)


def _where(outcome, sub, lang: str = "en") -> str:
    """' at line 12' (' at cell 7, line 3'), '（12 行目）' in Japanese; '' when the place is unknown (_place)."""
    from .feedback import _located
    from .messages import text

    place = _place(outcome, sub)
    return text("import_at", lang, where=_located(place, lang)) if place else ""


def _paren(outcome, sub, lang: str = "en") -> str:
    """' (line 12)' after 'sys.exit() at import', '、12 行目で' in Japanese; '' when the place is unknown."""
    from .feedback import _located
    from .messages import text

    place = _place(outcome, sub)
    return text("import_exit_at", lang, where=_located(place, lang)) if place else ""


def _import_note(o, sub, lang: str = "en") -> str:
    """The note of a failed import, in ``lang``. One that failed while hidden cases ran (a fresh worker after a
    crash) comes without the exception's type and text: runner.Call.private."""
    from .messages import say, text

    if o.kind == "import_error":
        return text("note_import_error", lang, name=o.exc_type or text("an_exception", lang),
                    where=_where(o, sub, lang), text=text("import_exc_text", lang, text=o.exc_text) if o.exc_text else "")
    if o.kind == "import_exit":
        return text("note_import_exit", lang, where=_paren(o, sub, lang))
    if o.kind == "import_timeout":
        return (text("note_import_timeout", lang, seconds=o.exc_text) if o.exc_text
                else text("note_import_timeout_limit", lang))
    return text("note_import_crash", lang, why=text("paren", lang, what=say(o.exc_text, lang)) if o.exc_text else "")


def _source_line(outcome, sub) -> str:
    """The text of the submission's line an exception was raised at ('' when the line is none of its own): the
    grader's own copy of the student's source, so that a hidden case's diagnosis may name it."""
    line = outcome.line
    lines = sub.source.splitlines()
    if not line or not 0 < line <= len(lines):
        return ""
    return lines[line - 1]


def _judge_outcome(case, o, args, kwargs, expected, sub, lang):
    """A CaseResult from the worker's outcome of one case (plain data only) and the reference.

    Never raises: a failure of the judging itself is this case's error, never the whole grade's. For a
    hidden case the text holds only the grader's and bounded facts (feedback's hidden switch: an
    exception's builtin type and line, no message, no exit code), so that what the student's code saw of
    the case's inputs cannot come back in it."""
    from . import cases, diagnosis, feedback, messages

    fn = case.function
    hidden = not case.visible
    try:
        at = _place(o, sub)  # "line 12": a hidden case's exception shows only this and its type
        if o.status == "ok":
            names = list(case.arg_names) or [f"argument {k + 1}" for k in range(len(args))]
            mutated = cases.mutated_inputs(tuple(args), o.args_after, names)
            return cases.judge(case, o.result, expected, mutated, lang, inputs=(args, kwargs))
        if o.kind == "not_implemented":
            return cases.error_result(case, feedback.not_implemented(fn, lang))
        if o.kind == "missing":
            return cases.error_result(case, feedback.missing_function(fn, lang))
        if o.kind == "raised":  # a known mistake, else the general diagnosis of the crash (diagnosis.py)
            return cases.raised_result(case, o.exc_type or "Exception", o.exc_text or "", lang, (args, kwargs),
                                       _source_line(o, sub), at)
        if o.kind == "timeout":
            kind = "total_timeout" if o.exc_type == "total" else "timeout"
            d = diagnosis.diagnose_no_result(case, kind)
            return cases.error_result(case, feedback.no_result(fn, kind, lang, seconds=o.exc_text), "timeout",
                                      tags=d.tags if d else ())
        if o.kind == "crashed":
            return cases.error_result(case, feedback.no_result(fn, "crashed", lang,
                                                               what=feedback.ending(o.exc_text, hidden, lang)),
                                      tags=("crash:process",))
        if o.kind == "import_error":
            if hidden:
                what = feedback.exception_text(o.exc_type or "Exception", "", lang, True, at)
            else:
                what = f"{o.exc_type}{_where(o, sub, lang)}" + (messages.text("import_exc_text", lang, text=o.exc_text)
                                                                  if o.exc_text else "")
            return cases.error_result(case, feedback.no_result(fn, "import_error", lang, what=what))
        if o.kind == "import_exit":
            return cases.error_result(case, feedback.no_result(fn, "import_exit", lang, where=_paren(o, sub, lang)))
        if o.kind == "import_timeout":
            return cases.error_result(case, feedback.no_result(fn, "import_timeout", lang, seconds=o.exc_text),
                                      "timeout")
        if o.kind == "import_crash":
            return cases.error_result(case, feedback.no_result(fn, "import_crash", lang,
                                                               what=feedback.ending(o.exc_text, hidden, lang)))
        if o.kind == "judge_error":  # the runner's word for a judge that raised
            return cases.error_result(case, feedback.internal_error(fn, o.exc_type, lang))
        # skipped (after repeated crashes or timeouts, or once the total time is used up): the words from the catalog,
        # chosen by the runner's facts (the status, the total time in exc_text), never its English prose
        if o.kind == "skipped" and o.status == "timeout":
            text = messages.text("skipped_total", lang, function=fn, seconds=o.exc_text or "?")
            return cases.error_result(case, text, "timeout", tags=("skipped:total_time",))
        if o.kind == "skipped":
            return cases.error_result(case, messages.text("skipped_crashes", lang, function=fn), "error",
                                      tags=("skipped:crashes",))
        return cases.error_result(case, messages.text("skipped", lang, function=fn),
                                  "timeout" if o.status == "timeout" else "error")
    except Exception as exc:  # noqa: BLE001 - a bug of the judge costs this case, never the whole grade
        return cases.error_result(case, feedback.internal_error(fn, type(exc).__name__, lang))
