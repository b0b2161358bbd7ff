"""The grader's own files: where the kit lives, names safe as file names, atomic writes."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import ReleaseError, UserError


def umask() -> int:
    """The process's umask, read without changing it (os.umask would, for a moment, for every thread)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def write_atomic(path: Path, text: str) -> None:
    """Write text so that a reader (or a killed writer) never sees half a file; the file gets the
    mode a plain open() would give (0666 less the umask), so that other TAs can read the grades."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def safe_name(student: str) -> str:
    """A student id usable as a file name (results/<id>.json)."""
    return re.sub(r"[^\w.@-]+", "_", student).strip("._") or "student"


def unique_names(students) -> dict:
    """{file name: student} for ids that may sanitise to one name (eve+1, eve_1): each keeps its own,
    the later ones with -2, -3, … in the order given."""
    out: dict = {}
    for s in students:
        base = safe_name(s)
        name, k = base, 1
        while name in out:
            k += 1
            name = f"{base}-{k}"
        out[name] = s
    return out


def find_root(start: Path | None = None) -> Path:
    """The kit's root: the nearest folder upward holding solutions/ and pyproject.toml."""
    for base in [start or Path.cwd(), Path(__file__).resolve().parents[1]]:
        for p in [base, *base.parents]:
            if (p / "solutions").is_dir() and (p / "pyproject.toml").is_file():
                return p
    raise ReleaseError("no kit root found: run inside the rnn-exercise-kit checkout or pass --root")


def _probe_write(folder: Path, what: str) -> None:
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".rnngrade-probe-")
    except OSError as exc:
        raise UserError(f"cannot write {what} in {folder} ({exc.strerror or exc}): choose a folder you can "
                        f"write, or fix its permissions") from None
    os.close(fd)
    os.unlink(probe)


def check_writable_dir(folder: Path, what: str) -> None:
    """Before any work: the folder exists (created if missing) and a file can be written in it;
    UserError saying which and what to do otherwise. Nothing in it is touched."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file, not a folder: pass a folder for {what}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder {folder} for {what} ({exc.strerror or exc}): choose a folder "
                        f"you can write") from None
    _probe_write(folder, what)


def check_writable_file(path: Path, what: str) -> None:
    """Before any work: the file can be (re)written atomically where it is; UserError otherwise.
    An existing file is left as it is until the new one replaces it."""
    path = Path(path)
    if path.is_dir():
        raise UserError(f"{path} is a folder: pass a file name for {what}")
    check_writable_dir(path.parent if str(path.parent) else Path("."), what)
