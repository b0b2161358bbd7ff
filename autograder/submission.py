"""What a student handed in, as one Python module's source. Nothing here runs the student's code.

A submission is a ``.py`` (its text), a ``.ipynb`` (its code cells, without the cells that only
run experiments — tagged "experiment" — and without nbgrader's autograder test cells, which the
student cannot change: we never run them; IPython's %magics and !commands become `pass`), a
folder holding one of them, or a ``.zip`` of one (read in memory, with size limits).
"""

from __future__ import annotations

import io
import json
import re
import tokenize
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import SubmissionError
from .suites import ASSIGNMENTS

SUFFIXES = (".py", ".ipynb")
MAX_PY_BYTES = 5 * 2**20
MAX_NOTEBOOK_BYTES = 50 * 2**20
MAX_ZIP_BYTES = 50 * 2**20
MAX_ZIP_UNCOMPRESSED = 20 * 2**20
MAX_ZIP_MEMBERS = 2000
MAX_SOURCE_CHARS = 5 * 2**20
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", "__MACOSX", ".git", "node_modules"}
#: cell magics whose body is plain Python: the first line is dropped, the body kept
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun")


@dataclass(frozen=True)
class Submission:
    """One student's module.

    source: the Python source the worker imports
    student: who (the folder's or file's name; nbgrader's submitted/<student>/<assignment>/)
    kind: "py" or "ipynb"
    assignment_guess: the assignment the file is named after, or None
    origin: what was given (a path, "alice.zip:rnn_bptt.ipynb"), for messages
    cells: for a notebook, (first line in source, cell number) of each code cell kept
    """

    source: str
    student: str
    kind: str
    assignment_guess: str | None
    origin: str = ""
    cells: tuple = ()

    def where(self, line: int) -> str:
        """'line 12', or for a notebook 'cell 7, line 3'."""
        for first, cell in reversed(self.cells):
            if line >= first:
                return f"cell {cell}, line {line - first + 1}"
        return f"line {line}"


# --------------------------------------------------------------------------- entry point


def load_submission(path, assignment: str | None = None) -> Submission:
    """The Submission at ``path``: a .py, a .ipynb, a folder holding one, or a .zip of one.

    ``assignment`` (optional) picks the file named after it when a folder or zip holds several.
    Raises SubmissionError (one line: what is wrong and what to do) for anything else.
    """
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"{path} does not exist: pass the student's .py or .ipynb, a folder holding one, "
                              f"or a .zip of one")
    if path.is_dir():
        return _from_dir(path, assignment)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        return _from_zip(path, assignment)
    if suffix not in SUFFIXES:
        raise SubmissionError(f"{path} is not a .py, .ipynb or .zip file: pass the student's module or notebook")
    return _build(path.name, _read_limited(path), _student_of_file(path), str(path), dir_name=path.parent.name)


def _read_limited(path: Path) -> bytes:
    """The file's bytes, refused (SubmissionError) when unreadable or above its kind's size limit."""
    limit = MAX_PY_BYTES if path.suffix.lower() == ".py" else MAX_NOTEBOOK_BYTES
    try:
        if path.stat().st_size > limit:
            raise SubmissionError(f"{path} is larger than {limit // 2**20} MB: clear the notebook's outputs "
                                  f"(Cell > All Output > Clear) or remove data from the file")
        return path.read_bytes()
    except OSError as exc:
        raise SubmissionError(f"{path} cannot be read ({exc.strerror or exc}): check its permissions") from None


# --------------------------------------------------------------------------- containers


def _student_of_file(path: Path) -> str:
    """alice.py -> alice; .../alice/rnn_bptt.py -> alice; submitted/alice/rnn_bptt/rnn_bptt.ipynb -> alice."""
    path = path.absolute()
    if path.stem not in ASSIGNMENTS:
        return path.stem
    return _student_of_dir(path.parent) or path.stem


def _student_of_dir(folder: Path) -> str:
    folder = folder.absolute()
    if folder.name in ASSIGNMENTS and folder.parent.name:
        return folder.parent.name  # nbgrader: submitted/<student>/<assignment>/
    return folder.name


def _choose(names: list[str], where: str, assignment: str | None) -> str:
    """The one candidate file among names (relative paths), or SubmissionError."""
    if not names:
        raise SubmissionError(f"{where} holds no .py or .ipynb file: hand in the exercise's module or notebook")
    if len(names) == 1:
        return names[0]
    for prefer in ([assignment] if assignment else []), ASSIGNMENTS:
        named = [n for n in names if PurePosixPath(n).stem in prefer]
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            names = named
            break
    shown = ", ".join(sorted(names)[:6]) + (", …" if len(names) > 6 else "")
    raise SubmissionError(f"{where} holds several candidate files ({shown}): keep only one, or pass the file itself")


def _from_dir(folder: Path, assignment: str | None) -> Submission:
    names = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if len(rel.parts) > 4 or any(part.startswith(".") or part in SKIP_DIRS for part in rel.parts):
            continue
        if p.suffix.lower() in SUFFIXES and p.is_file():
            names.append(rel.as_posix())
    # files directly in the folder first; deeper ones only when there are none
    top = [n for n in names if "/" not in n]
    chosen = _choose(top or names, str(folder), assignment)
    path = folder / chosen
    return _build(path.name, _read_limited(path), _student_of_dir(folder), str(path), dir_name=folder.name)


def _from_zip(path: Path, assignment: str | None) -> Submission:
    try:
        if path.stat().st_size > MAX_ZIP_BYTES:
            raise SubmissionError(f"{path} is larger than {MAX_ZIP_BYTES // 2**20} MB: zip only the exercise's "
                                  f".py or .ipynb")
        raw = path.read_bytes()
    except OSError as exc:
        raise SubmissionError(f"{path} cannot be read ({exc.strerror or exc}): check its permissions") from None
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise SubmissionError(f"{path} holds {len(infos)} files: zip only the exercise's .py or .ipynb")
            if sum(i.file_size for i in infos) > MAX_ZIP_UNCOMPRESSED:
                raise SubmissionError(f"{path} unpacks to more than {MAX_ZIP_UNCOMPRESSED // 2**20} MB: zip only "
                                      f"the exercise's .py or .ipynb")
            names = []
            for info in infos:
                name = info.filename.replace("\\", "/")
                parts = PurePosixPath(name).parts
                if name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                    raise SubmissionError(f"{path} contains an unsafe path ({name!r}): zip the files without "
                                          f"absolute paths or '..'")
                if info.is_dir() or any(p.startswith(".") or p in SKIP_DIRS for p in parts):
                    continue
                if PurePosixPath(name).suffix.lower() in SUFFIXES:
                    names.append(name)
            top = [n for n in names if "/" not in n]
            chosen = _choose(top or names, str(path), assignment)
            info = zf.getinfo(chosen) if chosen in zf.namelist() else next(
                i for i in infos if i.filename.replace("\\", "/") == chosen)
            with zf.open(info) as f:
                data = f.read(MAX_ZIP_UNCOMPRESSED + 1)
            if len(data) > MAX_ZIP_UNCOMPRESSED:
                raise SubmissionError(f"{path}: {chosen} unpacks to more than {MAX_ZIP_UNCOMPRESSED // 2**20} MB")
    except SubmissionError:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, encrypted members, truncated archives, …
        raise SubmissionError(f"{path} is not a readable zip file ({type(exc).__name__}: {exc}): zip the "
                              f"submission again") from None
    member = PurePosixPath(chosen)
    if path.stem in ASSIGNMENTS:
        student = _student_of_dir(path.parent) or path.stem
    else:
        student = path.stem
    dir_name = member.parent.name if member.parent.name else path.stem
    return _build(member.name, data, student, f"{path}:{chosen}", dir_name=dir_name)


# --------------------------------------------------------------------------- files


def _guess(stem: str, dir_name: str) -> str | None:
    if stem in ASSIGNMENTS:
        return stem
    if dir_name in ASSIGNMENTS:
        return dir_name
    return None


def _build(name: str, data: bytes, student: str, origin: str, dir_name: str = "") -> Submission:
    stem = PurePosixPath(name).stem
    if name.lower().endswith(".ipynb"):
        source, cells = notebook_source(data, origin)
        kind = "ipynb"
    else:
        source, cells, kind = _py_source(data, origin), (), "py"
    if len(source) > MAX_SOURCE_CHARS:
        raise SubmissionError(f"{origin}: the code is larger than {MAX_SOURCE_CHARS // 2**20} MB: remove data "
                              f"from the file")
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        raise SubmissionError(f"{origin} contains characters that are not valid text: save it again as UTF-8") from None
    return Submission(source, student or stem, kind, _guess(stem, dir_name), origin, cells)


def _py_source(data: bytes, origin: str) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SubmissionError(f"{origin} is not readable text ({type(exc).__name__}: {exc}): save it as UTF-8") from None


_MAGIC = re.compile(r"^([ \t]*)([%!].*)$")
_SELFCHECK = re.compile(r"^\s*(from\s+autograder\b|import\s+autograder\b)", re.MULTILINE)


def _cell_text(cell) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        if not all(isinstance(s, str) for s in src):
            raise ValueError("a cell's source is not text")
        return "".join(src)
    if not isinstance(src, str):
        raise ValueError("a cell's source is not text")
    return src


def _skipped(cell, text: str) -> bool:
    meta = cell.get("metadata") or {}
    if not isinstance(meta, dict):
        return False
    tags = meta.get("tags") or []
    if isinstance(tags, list) and "experiment" in tags:
        return True
    nbg = meta.get("nbgrader")
    if isinstance(nbg, dict) and nbg.get("grade") is True and not nbg.get("solution"):
        return True  # an autograder test cell: ours, not the student's (and never run)
    # a test cell that lost its metadata: it only calls the self-check
    return bool(_SELFCHECK.search(text)) and "def " not in text


def _strip_magics(text: str) -> str | None:
    """IPython's %magics and !shell lines as `pass`; None for a cell that is not Python."""
    lines = text.split("\n")
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        if not lines[first].lstrip().startswith(PYTHON_CELL_MAGICS):
            return None
        lines[first] = ""
    return "\n".join(_MAGIC.sub(r"\1pass  # IPython: \2", ln) if _MAGIC.match(ln) else ln for ln in lines)


def notebook_source(data: bytes, origin: str = "the notebook") -> tuple[str, tuple]:
    """(source, cells) of a notebook's code: the code cells kept, in order, and where each starts."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SubmissionError(f"{origin} is not a notebook (not UTF-8 text): hand in the .ipynb saved by Jupyter") from None
    except ValueError as exc:
        where = f" at line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        msg = getattr(exc, "msg", str(exc))
        raise SubmissionError(f"{origin} is not a valid notebook (JSON error{where}: {msg}): open it in Jupyter, "
                              f"save it again and resubmit") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SubmissionError(f"{origin} is not a Jupyter notebook (it has no list of cells): hand in the .ipynb "
                              f"saved by Jupyter")
    if nb.get("nbformat", 4) != 4:
        raise SubmissionError(f"{origin} is a notebook of format {nb.get('nbformat')!r}: save it with a current "
                              f"Jupyter (format 4)")
    parts, cells, line = [], [], 1
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        try:
            text = _cell_text(cell)
        except ValueError:
            raise SubmissionError(f"{origin} is not a valid notebook (cell {number} has no text source): open it "
                                  f"in Jupyter, save it again and resubmit") from None
        if _skipped(cell, text):
            continue
        text = _strip_magics(text)
        if text is None or not text.strip():
            continue
        if not text.endswith("\n"):
            text += "\n"
        cells.append((line, number))
        parts.append(text)
        line += text.count("\n") + 1
        parts.append("\n")
    return "".join(parts), tuple(cells)
