"""Gradescope: the autograder zip its "Configure Autograder" page takes, and the grading of one
submission in its layout.

``build_zip`` makes the zip (``rnngrade gradescope build``): at its top level ``setup.sh`` (run once,
as root, when Gradescope builds the image: installs the kit and its dependencies into a virtual
environment of the image's python3, after apt-get installs python3, python3-venv, python3-pip and
bubblewrap where they are missing) and ``run_autograder`` (run for each submission, as root, in
/autograder), both executable; ``rnngrade-gradescope.json`` (the assignment, the hidden cases'
visibility, the output format, the language); the course secret ``.rnngrade-secret``; and the kit's
sources under ``kit/`` (what pip installs: pyproject.toml, README.md, rnnref/, autograder/; never
solutions/ or tests/).

``run`` (``rnngrade gradescope run``, which run_autograder calls) grades the one submission in
/autograder/submission (a .py, .ipynb or .zip of any name) and always writes
/autograder/results/results.json, atomically: a zero with the reason when there is nothing to grade,
several candidate files, a file that cannot be read or parsed, another exercise's file, or an internal
error. Every word the student reads there — the summary, the reasons, a late note, the feedback — is in
the zip's language (``--lang``; the environment's or the locale's when it names none). Before any
student code runs it closes to other users (``chmod o=``) what that code must not read —
/autograder/source (the kit and the secret), results/, submission/, the submission metadata, the kit's
packages in the virtual environment — and keeps /autograder searchable so that uid 65534 reaches Python
and numpy: in Docker, where bubblewrap cannot start under the default seccomp profile, the worker runs
as uid 65534 and the file permissions are what keep it out (Gradescope's advice: ``chmod o=`` and
dropping privileges). What it did, and the grader's isolation notes, go to stdout: Gradescope shows
stdout to instructors only (results.json says ``"stdout_visibility": "hidden"``), never in the student's
text.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import sys
import sysconfig
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from . import __version__, files, seeds
from .errors import GraderError, SubmissionError, UserError
from .messages import Said, message_of, text

ROOT = Path("/autograder")
CONFIG_NAME = "rnngrade-gradescope.json"
SECRET_MEMBER = seeds.SECRET_NAME
KIT_DIR = "kit"
VENV_DIR = "rnngrade-venv"  # /autograder/rnngrade-venv: beside source/, which is closed to other users
KIT_FILES = ("pyproject.toml", "README.md")
KIT_PACKAGES = ("rnnref", "autograder")
HIDDEN_VISIBILITY = ("after_due_date", "after_published", "hidden", "visible")
FORMATS = ("text", "md")
CANDIDATE_SUFFIXES = (".py", ".ipynb", ".zip")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # every member's time: the same inputs make the same zip
MAX_METADATA_BYTES = 20 * 2**20  # submission_metadata.json holds the previous submissions' results too
MAX_KIT_BYTES = 20 * 2**20

SETUP_SH = """\
#!/usr/bin/env bash
# rnngrade {version}, Gradescope autograder of {assignment}: setup.sh
# Gradescope runs this once, as root, when it builds the autograder's image (base image: Ubuntu).
# It installs the kit and its dependencies into a virtual environment of the image's python3.
set -uo pipefail
ROOT=/autograder
SOURCE="$ROOT/source"
VENV="$ROOT/{venv}"
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1

missing=0
command -v python3 >/dev/null 2>&1 || missing=1
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing=1
command -v bwrap >/dev/null 2>&1 || missing=1
if [ "$missing" = 1 ]; then
    if command -v apt-get >/dev/null 2>&1; then
        apt-get update -q || echo "setup.sh: apt-get update failed; trying the install all the same" >&2
        apt-get install -y -q python3 python3-venv python3-pip bubblewrap \\
            || echo "setup.sh: apt-get could not install them all; going on with what is there" >&2
    else
        echo "setup.sh: no apt-get here: the image needs python3 (3.10 or newer, with venv) and bubblewrap" >&2
    fi
fi
if ! python3 -c "import sys; sys.exit(sys.version_info < (3, 10))"; then
    echo "setup.sh: rnngrade needs Python 3.10 or newer, not $(python3 -V 2>&1): choose a newer base image" >&2
    exit 1
fi
set -e
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --no-input -q "$SOURCE/{kit}{extra}"
chmod 0755 "$SOURCE/run_autograder"
if [ -f "$ROOT/run_autograder" ]; then chmod 0755 "$ROOT/run_autograder"; fi
"$VENV/bin/rnngrade" --version
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# rnngrade {version}, Gradescope autograder of {assignment}: run_autograder
# Gradescope runs this, as root in /autograder, for each submission. `rnngrade gradescope run` grades
# the file in /autograder/submission and always writes /autograder/results/results.json (a zero and
# the reason when it cannot grade); what it did, isolation notes included, goes to stdout, which
# Gradescope shows to instructors only. Extra arguments (e.g. --sandbox off) are passed on.
ROOT=/autograder
RESULTS="$ROOT/results/results.json"
rm -f "$RESULTS"
"$ROOT/{venv}/bin/rnngrade" gradescope run --root "$ROOT" "$@"
code=$?
if [ ! -s "$RESULTS" ]; then
    # rnngrade could not even start (a broken image): still a results.json Gradescope can show
    echo "run_autograder: rnngrade exited with code $code and wrote no $RESULTS: check setup.sh's output"
    mkdir -p "$ROOT/results"
    printf '%s\\n' '{fallback}' > "$RESULTS.tmp" && mv -f "$RESULTS.tmp" "$RESULTS"
fi
exit 0
"""

FALLBACK_RESULTS = {
    "score": 0,
    "output": text("gradescope_not_started", "en"),
    "output_format": "text",
    "visibility": "visible",
    "stdout_visibility": "hidden",
    "extra_data": {"status": "internal_error"},
    "tests": [],
}
FAILED_OUTPUT = text("gradescope_failed", "en")


# --------------------------------------------------------------------------- the zip


@dataclass(frozen=True)
class Config:
    """What the zip's rnngrade-gradescope.json says: how ``run`` grades and reports."""

    assignment: str
    hidden_visibility: str = "after_due_date"
    format: str = "text"
    lang: str | None = None
    secret: str | None = None  # the secret's file name in source/; None: built with --no-secret
    rnngrade_version: str = __version__

    def to_json(self) -> dict:
        return {"assignment": self.assignment, "hidden_visibility": self.hidden_visibility, "format": self.format,
                "lang": self.lang, "secret": self.secret, "rnngrade_version": self.rnngrade_version}


def check_options(assignment: str, hidden_visibility: str, fmt: str, lang: str | None) -> None:
    """UserError (one line) for an unknown assignment, visibility, format or language."""
    from .feedback import LANGS
    from .suites import ASSIGNMENTS

    if assignment not in ASSIGNMENTS:
        raise UserError(f"unknown assignment {assignment!r}: use one of {', '.join(ASSIGNMENTS)} (see rnngrade list)")
    if hidden_visibility not in HIDDEN_VISIBILITY:
        raise UserError(f"--hidden-visibility {hidden_visibility!r}: use one of {', '.join(HIDDEN_VISIBILITY)}")
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if lang is not None and lang not in LANGS:
        raise UserError(f"--lang {lang!r}: use one of {', '.join(LANGS)}")


def _member(zf: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.create_system = 3  # Unix: the mode below is the member's permission bits
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def kit_files(kit_root: Path) -> list[tuple[str, Path]]:
    """(name in the zip, file) of the kit's sources pip needs: pyproject.toml, README.md and the packages'
    regular files (no caches, no hidden files), sorted; GraderError when the checkout lacks one."""
    kit_root = Path(kit_root)
    out = []
    for name in KIT_FILES:
        if not (kit_root / name).is_file():
            raise GraderError(f"{kit_root / name} is missing: build from a complete checkout of the kit")
        out.append((f"{KIT_DIR}/{name}", kit_root / name))
    for package in KIT_PACKAGES:
        base = kit_root / package
        if not (base / "__init__.py").is_file():
            raise GraderError(f"{base} is not the kit's package: build from a complete checkout of the kit")
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(kit_root)
            if (any(p.startswith(".") or p == "__pycache__" for p in rel.parts) or path.suffix == ".pyc"
                    or path.is_symlink() or not path.is_file()):
                continue
            out.append((f"{KIT_DIR}/{rel.as_posix()}", path))
    return out


def build_zip(assignment: str, *, secret: bytes | None, hidden_visibility: str = "after_due_date", fmt: str = "text",
              lang: str | None = None, kit_root: Path | None = None) -> bytes:
    """The bytes of the autograder zip for ``assignment`` (see the module's docstring); ``secret`` is the
    course secret (seeds.read_secret), None for an autograder whose hidden inputs are the public defaults."""
    check_options(assignment, hidden_visibility, fmt, lang)
    kit_root = Path(kit_root) if kit_root is not None else files.find_root()
    config = Config(assignment, hidden_visibility, fmt, lang, SECRET_MEMBER if secret is not None else None)
    extra = "[classify]" if assignment == "classify" else ""  # the digits data set: scikit-learn
    fallback = json.dumps(FALLBACK_RESULTS)
    scripts = {
        "setup.sh": SETUP_SH.format(version=__version__, assignment=assignment, venv=VENV_DIR, kit=KIT_DIR,
                                    extra=extra),
        "run_autograder": RUN_AUTOGRADER.format(version=__version__, assignment=assignment, venv=VENV_DIR,
                                                fallback=fallback),
    }
    buf = io.BytesIO()
    total = 0
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in scripts.items():
            _member(zf, name, text.encode("utf-8"), 0o755)
        _member(zf, CONFIG_NAME, (json.dumps(config.to_json(), indent=2) + "\n").encode("utf-8"), 0o644)
        if secret is not None:
            _member(zf, SECRET_MEMBER, bytes(secret).strip() + b"\n", 0o600)
        for name, path in kit_files(kit_root):
            data = path.read_bytes()
            total += len(data)
            if total > MAX_KIT_BYTES:
                raise GraderError(f"the kit's sources in {kit_root} exceed {MAX_KIT_BYTES // 2**20} MB: build from a "
                                  f"clean checkout")
            _member(zf, name, data, 0o644)
    return buf.getvalue()


# --------------------------------------------------------------------------- one submission, in /autograder


def load_config(source: Path) -> Config:
    """The zip's rnngrade-gradescope.json; GraderError when it is missing or not what build_zip writes."""
    path = Path(source) / CONFIG_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        config = Config(**{k: data[k] for k in ("assignment", "hidden_visibility", "format", "lang", "secret")},
                        rnngrade_version=str(data.get("rnngrade_version", "")))
        check_options(config.assignment, config.hidden_visibility, config.format, config.lang)
    except (OSError, ValueError, KeyError, TypeError, UserError) as exc:
        raise GraderError(f"{path} is missing or broken ({type(exc).__name__}: {exc}): build the autograder again "
                          f"with rnngrade gradescope build") from None
    if config.secret is not None and (not isinstance(config.secret, str) or "/" in config.secret):
        raise GraderError(f"{path} names no usable secret file: build the autograder again")
    return config


def _installed_packages() -> list[Path]:
    """The kit's package folders when installed in this Python's site-packages (the autograder's virtual
    environment): never a checkout's (an editable install), which is nobody else's to change."""
    import rnnref

    sites = {os.path.realpath(p) for p in (sysconfig.get_paths().get("purelib"), sysconfig.get_paths().get("platlib"))
             if p}
    out = []
    for init in (__file__, rnnref.__file__):
        folder = Path(os.path.realpath(init)).parent
        if str(folder.parent) in sites and os.path.realpath(sys.prefix) != os.path.realpath(sys.base_prefix):
            out.append(folder)
    return out


def lock_down(root: Path, config: Config | None = None) -> list[str]:
    """Close to other users what the student's code must not read, keep /autograder searchable (the virtual
    environment's Python is below it); the log lines saying what changed."""
    root = Path(root)
    targets = [root / "source", root / "results", root / "submission", root / "submission_metadata.json"]
    if config is not None and config.secret:
        targets.append(root / "source" / config.secret)
    targets += _installed_packages()
    results = root / "results"
    if not results.exists():
        results.mkdir(mode=0o750, parents=True)
    closed = []
    for path in targets:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(st.st_mode):
            continue
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o007:
            os.chmod(path, mode & ~0o007)
            closed.append(str(path))
    log = [f"closed to other users (chmod o=): {', '.join(closed)}"] if closed else []
    mode = stat.S_IMODE(os.stat(root).st_mode)
    if not mode & stat.S_IXOTH:
        os.chmod(root, mode | stat.S_IXOTH)
        log.append(f"made {root} searchable by other users (chmod o+x): the virtual environment's Python is below it")
    return log


def _skip(name: str) -> bool:
    from .submission import SKIP_DIRS

    return name.startswith(".") or name in SKIP_DIRS


def find_submission(folder: Path, assignment: str):
    """The submission.Submission in Gradescope's submission folder: its one .py, .ipynb or .zip (any file
    name; files at the top first, deeper ones only when there are none; among several, the one named after
    the assignment). SubmissionError, in the student's terms, for an empty folder, several candidates, a
    file named after another exercise, or a file that cannot be read (see submission.load_submission)."""
    from .submission import MAX_DIR_DEPTH, MAX_DIR_ENTRIES, load_submission
    from .suites import ASSIGNMENTS

    folder = Path(folder)
    what = Said("upload_what", assignment=assignment)
    try:
        fd = files.open_dir_at(None, folder, folder)
    except SubmissionError:
        raise SubmissionError(Said("refused_nothing_submitted", what=what)) from None
    try:
        found = [parts for _, parts, _ in files.walk_at(fd, "the submission", max_depth=MAX_DIR_DEPTH,
                                                        max_entries=MAX_DIR_ENTRIES, skip=_skip)
                 if PurePosixPath(parts[-1]).suffix.lower() in CANDIDATE_SUFFIXES]
    finally:
        os.close(fd)
    if not found:
        raise SubmissionError(Said("refused_no_candidate_upload", what=what))
    top = [p for p in found if len(p) == 1] or found
    if len(top) > 1:
        named = [p for p in top if PurePosixPath(p[-1]).stem == assignment]
        if len(named) != 1:
            shown = ", ".join("/".join(p) for p in sorted(top)[:6]) + (", …" if len(top) > 6 else "")
            raise SubmissionError(Said("refused_several_upload", shown=shown, what=what))
        top = named
    parts = top[0]
    name = "/".join(parts)

    def other_exercise(stem):
        if stem in ASSIGNMENTS and stem != assignment:
            raise SubmissionError(Said("refused_other_exercise", name=name, stem=stem, assignment=assignment,
                                       what=what))

    other_exercise(PurePosixPath(parts[-1]).stem)
    sub = load_submission(folder.joinpath(*parts), assignment)
    other_exercise(sub.assignment_guess)
    return sub


def _when(value) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"  # Python 3.10's fromisoformat does not read Z
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _duration(seconds: float) -> Said:
    """'1 day 5 h', '3 h 7 min', '7 min', '9 s' (in the catalog's words)."""
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return Said("duration_day" if days == 1 else "duration_days", days=days, hours=hours)
    if hours:
        return Said("duration_hours", hours=hours, minutes=minutes)
    return Said("duration_minutes", minutes=minutes) if minutes else Said("duration_seconds", seconds=secs)


def late_note(path: Path) -> tuple[list[str], list[str]]:
    """([the student's note of a late submission], [log lines]) from Gradescope's submission_metadata.json
    (created_at, assignment.due_date, assignment.late_due_date); missing or malformed metadata: no note. The note is
    a messages.Said (results.json words it in the configured language), the log English."""
    if not os.path.lexists(path):
        return [], [f"no {path}: lateness not checked"]
    try:
        data = json.loads(files.read_regular(path, MAX_METADATA_BYTES).decode("utf-8"))
    except SubmissionError as exc:
        return [], [f"unusable submission metadata ({exc}): lateness not checked"]
    except ValueError as exc:
        return [], [f"submission metadata {path} is not JSON ({type(exc).__name__}): lateness not checked"]
    assignment = data.get("assignment") if isinstance(data, dict) else None
    created = _when(data.get("created_at")) if isinstance(data, dict) else None
    due = _when(assignment.get("due_date")) if isinstance(assignment, dict) else None
    if created is None or due is None:
        return [], [f"submission metadata {path} gives no submission time or due date: lateness not checked"]
    late_due = _when(assignment.get("late_due_date"))
    if created <= due:
        return [], ["submitted before the due date"]
    after, due_at = _duration((created - due).total_seconds()), due.isoformat(timespec="minutes")
    if late_due is not None and created > late_due:
        note = Said("note_late_after_late_due", after=after, due=due_at,
                    late_due=late_due.isoformat(timespec="minutes"))
    else:
        note = Said("note_late", after=after, due=due_at)
    return [note], [note.removesuffix(".")]


def _read_secret(source: Path, config: Config) -> bytes | None:
    if config.secret is None:
        return None
    return seeds.read_secret(Path(source) / config.secret)


def _failed(config: Config | None, message: str, status: str):
    from .api import GradeResult
    from .suites import get_suite

    assignment = config.assignment if config is not None else "rnngrade"
    max_score = get_suite(assignment).max_score if config is not None else 0.0
    return GradeResult(assignment, "submission", 0.0, max_score, [], 0.0, "", notes=[message], status=status)


@dataclass
class RunOutcome:
    """What ``run`` did: results.json's data, the grade, the log for stdout, and whether the grader failed."""

    data: dict
    result: object | None = None  # api.GradeResult
    log: list = field(default_factory=list)
    failed: bool = False


def run(root: Path = ROOT, *, sandbox: str = "auto") -> RunOutcome:
    """Grade the one submission in root/submission as root/source/rnngrade-gradescope.json says, and write
    root/results/results.json atomically, whatever happens (see the module's docstring)."""
    from . import api, report

    t0 = time.perf_counter()
    root = Path(root)
    source, submission = root / "source", root / "submission"
    log: list[str] = [f"rnngrade {__version__} gradescope run in {root}"]
    config, result, failed, late = None, None, False, []
    try:
        config = load_config(source)
        log.append(f"{config.assignment}: hidden cases {config.hidden_visibility}, output {config.format}, "
                   f"built by rnngrade {config.rnngrade_version}"
                   + ("" if config.secret else "; built without a course secret: the hidden inputs are the public "
                                               "defaults"))
        log += lock_down(root, config)
        late, more = late_note(root / "submission_metadata.json")
        log += more
        secret = _read_secret(source, config)
        sub = _as_uploaded(find_submission(submission, config.assignment), submission)
        log.append(f"grading {report.printable(os.path.relpath(sub.origin, submission) if sub.origin else '?')} "
                   f"({sub.kind})")
        result = api.grade(sub, config.assignment, secret=secret, sandbox=sandbox, lang=config.lang,
                           protect=[root / "results", source, submission, root / "submission_metadata.json"])
    except SubmissionError as exc:  # the student's file: a zero and the reason, in the student's words
        message = _uploaded(message_of(exc), submission)
        result = _failed(config, message, "refused")
    except Exception as exc:  # noqa: BLE001 - the grader's failure: a zero saying so, the traceback in the log
        failed = True
        log.append("internal error:\n" + traceback.format_exc().rstrip())
        result = _failed(config, Said("note_autograder_failed", name=type(exc).__name__), "internal_error")
    log.append(f"score: {result.score:g} / {result.max_score:g} ({result.status}"
               + (f", inputs {result.inputs}" if result.inputs else "") + ")")
    for note in result.notes:
        log.append(f"student note: {report.printable(note)}")
    for note in result.isolation:
        log.append(f"note: {note}")
    lang = _lang(config)
    data = _results_json(result, config, late, time.perf_counter() - t0, lang)
    path = root / "results" / "results.json"
    for attempt in (data, dict(FALLBACK_RESULTS, output=text("gradescope_failed", lang),
                               execution_time=data.get("execution_time", 0))):
        try:
            files.write_atomic(path, json.dumps(attempt, ensure_ascii=False, indent=2) + "\n")
        except Exception as exc:  # noqa: BLE001 - a full disk, a folder in the way: say so, try the fallback
            failed = True
            log.append(f"cannot write {path} ({type(exc).__name__}: {exc})")
            continue
        log.append(f"wrote {path}")
        return RunOutcome(attempt, result, log, failed)
    return RunOutcome(data, result, log, failed)


def _lang(config: Config | None) -> str:
    """The language results.json is written in: the configured one, as api.grade resolves it (the environment's
    or the locale's when the zip names none); English when even that fails."""
    from .feedback import resolve_lang

    try:
        return resolve_lang(config.lang if config is not None else None)
    except Exception:  # noqa: BLE001 - a bad $RNNGRADE_LANG must not cost the results.json
        return "en"


def _uploaded(said: str, submission: Path) -> str:
    """A reason or note (a messages.Said, or plain text) with the paths as the student uploaded them: without the
    submission folder's."""
    def inside(fact: str) -> str:
        return fact.replace(f"{submission}/", "")

    return said.map_facts(inside) if isinstance(said, Said) else inside(said)


def _as_uploaded(sub, submission: Path):
    """The submission with its notes and its empty reason naming its files as the student uploaded them."""
    from dataclasses import replace

    return replace(sub, notes=tuple(_uploaded(n, submission) for n in sub.notes),
                   empty=_uploaded(sub.empty, submission) if sub.empty else sub.empty)


def _results_json(result, config: Config | None, late: list, seconds: float, lang: str = "en") -> dict:
    from . import report

    try:
        return report.gradescope_json(result, hidden_visibility=config.hidden_visibility if config else "visible",
                                      fmt=config.format if config else "text", notes=late,
                                      execution_time=seconds, lang=lang)
    except Exception:  # noqa: BLE001 - never without a results.json
        return dict(FALLBACK_RESULTS, output=text("gradescope_failed", lang), execution_time=max(0, math.ceil(seconds)))
