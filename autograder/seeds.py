"""Where a grading's inputs come from: a public seed for the visible cases, a secret key for the hidden ones.

Visible cases are built from the suite's public seed, always, so that a student's self-check
(the notebook's test cells, ``rnngrade check``) sees exactly the inputs the grader uses. Hidden
cases are built from a key that a student cannot compute:

- the course secret: 32 random bytes in a file ``.rnngrade-secret`` (``rnngrade secret DIR``,
  or ``rnngrade nbgrader init``), readable by the TAs only; found with ``--secret FILE``, the
  environment variable ``RNNGRADE_SECRET``, or upward from the class or course folder and the
  current folder;
- ``--seed TEXT``: any text, hashed with the secret (if any) and the assignment, for a second
  set of hidden inputs (a retake, a re-grade);
- neither: the hidden inputs are the public defaults (``[suite seed, case index]``), which
  anyone with the package can compute; the CLI says so once.

The key never appears in anything a student sees: results name the inputs by ``Inputs.id``, a
hash of the key (with a secret, it tells nothing about it).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import UserError

SECRET_NAME = ".rnngrade-secret"
SECRET_ENV = "RNNGRADE_SECRET"
SECRET_BYTES = 32
MIN_SECRET_CHARS = 32  # 128 bits as hex
MAX_SEED_CHARS = 200


@dataclass(frozen=True)
class Inputs:
    """The seeds of one grading: ``public`` for the visible cases, ``hidden`` (an int of up to 256
    bits, or the public seed) for the hidden ones; ``id`` names the pair in results, revealing neither."""

    public: int
    hidden: int
    id: str
    secret: bool  # a course secret went into the hidden key
    default: bool  # the hidden inputs are the public defaults

    def seed_for(self, case) -> int:
        """The seed case.build takes for this case."""
        return self.public if case.visible else self.hidden


def check_seed(seed) -> str | None:
    """The seed as the text that is hashed, or None; UserError for a seed that is surely a mistake."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, str)):
        raise UserError(f"--seed {seed!r}: a seed is a word or a number, e.g. --seed 2026-retake")
    text = str(seed)
    if not text.strip() or len(text) > MAX_SEED_CHARS or not text.isprintable():
        raise UserError(f"--seed {text[:40]!r}: a seed is a word or a number of at most {MAX_SEED_CHARS} printable "
                        f"characters, e.g. --seed 2026-retake")
    if text.startswith("-"):
        raise UserError(f"--seed {text}: a seed must not start with '-' (a negative number or an option?): use a "
                        f"word or a non-negative number, e.g. --seed 2026-retake")
    return text


def inputs_for(assignment: str, public_seed: int, seed=None, secret: bytes | None = None) -> Inputs:
    """The Inputs of grading ``assignment`` with an optional --seed and course secret."""
    text = check_seed(seed)
    if text is None and secret is None:
        return Inputs(public_seed, public_seed, "public-defaults", False, True)
    h = hashlib.sha256()
    for part in (b"rnngrade hidden inputs v1", assignment.encode(), secret or b"", (text or "").encode("utf-8")):
        h.update(len(part).to_bytes(8, "big") + part)
    digest = h.digest()
    ident = ("s-" if secret else "k-") + hashlib.sha256(b"rnngrade inputs id\0" + digest).hexdigest()[:16]
    return Inputs(public_seed, int.from_bytes(digest, "big"), ident, secret is not None, False)


# --------------------------------------------------------------------------- the course secret


def _others_can_read(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & stat.S_IROTH)
    except OSError:
        return False


def read_secret(path: Path) -> bytes:
    """The secret in ``path`` (UserError when it is not a usable secret file)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise UserError(f"the course secret {path} cannot be read ({exc.strerror or exc}): check the path and "
                        f"its permissions, or create one with `rnngrade secret DIR`") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UserError(f"the course secret {path} is not a regular file: create one with `rnngrade secret DIR`")
        data = os.read(fd, 4096)
    finally:
        os.close(fd)
    text = data.strip()
    if len(text) < MIN_SECRET_CHARS:
        raise UserError(f"the course secret {path} holds {len(text)} characters, too few to be secret: "
                        f"create one with `rnngrade secret DIR`")
    return text


def find_secret(explicit: Path | None = None, near=()) -> Path | None:
    """The course secret's file: --secret, $RNNGRADE_SECRET, else .rnngrade-secret in a folder of
    ``near`` (the class or course folder, a submission) or above it, or in the current folder or above."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(SECRET_ENV)
    if env:
        return Path(env)
    starts = [Path(p) for p in near] + [Path.cwd()]
    for start in starts:
        start = start.absolute()
        if not start.is_dir():
            start = start.parent
        for folder in [start, *start.parents]:
            candidate = folder / SECRET_NAME
            if candidate.is_file():
                return candidate
    return None


def load_secret(explicit: Path | None = None, near=()) -> tuple[bytes | None, list[str]]:
    """(the secret or None, notes for the TA): a missing secret and a world-readable one are noted."""
    path = find_secret(explicit, near)
    if path is None:
        return None, [f"no course secret ({SECRET_NAME}): hidden inputs are the public defaults, which anyone with "
                      f"the kit can compute; create one with `rnngrade secret COURSE_DIR`"]
    notes = []
    secret = read_secret(path)
    if _others_can_read(path):
        notes.append(f"the course secret {path} is readable by everyone: chmod o-r {path}")
    return secret, notes


def create_secret(folder: Path) -> Path:
    """A new ``folder/.rnngrade-secret`` (mode 0640): UserError when one exists, since replacing it
    would change every hidden input."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder: pass the course folder (where grading is run)")
    path = folder / SECRET_NAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640)
    except FileExistsError:
        raise UserError(f"{path} already exists: keep it (a new secret changes every hidden input), or delete it "
                        f"first") from None
    except OSError as exc:
        raise UserError(f"cannot write {path} ({exc.strerror or exc}): choose a folder you can write") from None
    try:
        os.fchmod(fd, 0o640)
        os.write(fd, (secrets.token_hex(SECRET_BYTES) + "\n").encode("ascii"))
    finally:
        os.close(fd)
    return path
