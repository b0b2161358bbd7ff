"""What a student handed in, as one Python module's source. Nothing here runs the student's code.

A submission is a ``.py`` (its text), a ``.ipynb`` (its code cells, without the cells that only
run experiments — tagged "experiment" — and without nbgrader's autograder test cells, which the
student cannot change: we never run them), a folder holding one of them, or a ``.zip`` of one (read
in memory, with size limits). In a folder or zip holding several, the file named after the assignment is chosen,
and a notebook before a .py of the same name (the notebook is what the course hands out; a note on the result says
which file was graded). A file's assignment is its name's, or its copy's ("rnn_bptt-Copy1", "rnn_bptt (1)"):
assignment_of. A file without code (0 bytes, or only blank lines and comments) is ``empty``: graded 0, said once.
Only regular files are read, never through a symbolic link (see
files.py): a link or a FIFO handed in is refused with the reason. Every reason and note is an entry of the message
catalog (messages.Said: its English for the TA's command line, worded in the graded language for the student).

A notebook's cells become Python as IPython makes them: %magics, !shell commands and ``obj?`` help are
found where IPython finds them (at the start of a logical line, never inside brackets or after a
backslash continuation; ``x = !cmd`` and ``x = %magic`` too) and become ``pass`` (``None`` as a value):
the worker has no IPython. The self-check (``from autograder.selfcheck import check`` and the
statements that use what it imported) becomes ``pass`` statement by statement, line numbers kept; a
cell that is nothing else is left out.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import stat
import textwrap
import tokenize
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import files
from .errors import SubmissionError
from .messages import Said
from .suites import ASSIGNMENTS

SUFFIXES = (".py", ".ipynb")
MAX_PY_BYTES = 5 * 2**20
MAX_NOTEBOOK_BYTES = 50 * 2**20
MAX_ZIP_BYTES = 50 * 2**20
MAX_ZIP_UNCOMPRESSED = 20 * 2**20
MAX_ZIP_MEMBERS = 2000
MAX_SOURCE_CHARS = 5 * 2**20
MAX_DIR_DEPTH = 4  # a folder's candidate files are at most this many names deep
MAX_DIR_ENTRIES = 10_000  # files and folders looked at in a student's folder
MAX_CLASS_ENTRIES = 200_000  # … and in a whole class folder, to tell its assignment
SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", "__MACOSX", ".git", "node_modules"}
#: cell magics whose body is plain Python: the first line is dropped, the body kept
PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun")


@dataclass(frozen=True)
class Submission:
    """One student's module.

    source: the Python source the worker imports
    student: who (the folder's or file's name; nbgrader's submitted/<student>/<assignment>/)
    kind: "py" or "ipynb"
    assignment_guess: the assignment the file is named after, or None
    origin: what was given (a path, "alice.zip:rnn_bptt.ipynb"), for messages
    cells: for a notebook, (first line in source, cell number) of each code cell kept
    notes: for the result, e.g. which of a folder's files was graded (messages.Said: worded in the graded language
        by api.grade)
    empty: why there is nothing to grade ("… is empty", a messages.Said), or "" when there is code
    """

    source: str
    student: str
    kind: str
    assignment_guess: str | None
    origin: str = ""
    cells: tuple = ()
    notes: tuple = ()
    empty: str = ""

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
    Raises SubmissionError (one line: what is wrong and what to do) for anything else, a symbolic
    link or a special file (FIFO, device) included: ``path`` itself is never followed.
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise SubmissionError(Said("refused_missing", path=str(path))) from None
    except OSError as exc:
        raise SubmissionError(Said("refused_unreadable", path=str(path), why=str(exc.strerror or exc))) from None
    suffix = path.suffix.lower()
    if stat.S_ISLNK(st.st_mode):
        what = "file" if suffix in SUFFIXES + (".zip",) else "folder"
        raise SubmissionError(Said(f"refused_link_{what}", path=str(path)))
    if stat.S_ISDIR(st.st_mode):
        return _from_dir(path, assignment)
    if suffix == ".zip":
        return _from_zip(path, assignment)
    if suffix not in SUFFIXES:
        raise SubmissionError(Said("refused_not_a_submission", path=str(path)))
    data = files.read_regular(path, _limit(path.name))
    return _build(path.name, data, _student_of_file(path), str(path), dir_name=path.parent.name)


def _limit(name: str) -> int:
    return MAX_PY_BYTES if name.lower().endswith(".py") else MAX_NOTEBOOK_BYTES


def _skip_name(name: str) -> bool:
    return name.startswith(".") or name in SKIP_DIRS


def assignment_names(directory) -> set:
    """The assignments that the submissions under a class folder are named after: files (``rnn_bptt.py``,
    ``rnn_bptt.ipynb``) and nbgrader's ``submitted/<student>/<assignment>/`` folders, found without
    following a link below the folder (the folder itself may be one) and without opening any file."""
    fd = files.open_root(directory)
    found = set()
    try:
        for _, parts, _ in files.walk_at(fd, directory, max_depth=MAX_DIR_DEPTH + 2, max_entries=MAX_CLASS_ENTRIES,
                                         skip=_skip_name):
            p = PurePosixPath(*parts)
            named = assignment_of(p.stem) if p.suffix in SUFFIXES else None
            if named:
                found.add(named)
            if len(parts) >= 3 and parts[0] == "submitted" and parts[2] in ASSIGNMENTS:
                found.add(parts[2])
    finally:
        os.close(fd)
    return found


def assignments_named(path) -> set:
    """The assignments the candidate files at ``path`` (a student's file or folder) are named after, by their names
    only: nothing opened, no link followed (a link, a zip or anything else: the empty set)."""
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return set()
    if stat.S_ISREG(mode):
        named = assignment_of(path.stem) if path.suffix.lower() in SUFFIXES else None
        return {named} if named else set()
    if not stat.S_ISDIR(mode):
        return set()
    found = set()
    try:
        fd = files.open_dir_at(None, path, path)
    except SubmissionError:
        return found
    try:
        for _, parts, _ in files.walk_at(fd, path, max_depth=MAX_DIR_DEPTH, max_entries=MAX_DIR_ENTRIES,
                                         skip=_skip_name):
            p = PurePosixPath(*parts)
            named = assignment_of(p.stem) if p.suffix.lower() in SUFFIXES else None
            if named:
                found.add(named)
    except SubmissionError:  # too many files: grading says so
        pass
    finally:
        os.close(fd)
    return found


# --------------------------------------------------------------------------- containers


def _student_of_file(path: Path) -> str:
    """alice.py -> alice; .../alice/rnn_bptt.py -> alice; submitted/alice/rnn_bptt/rnn_bptt.ipynb -> alice."""
    path = path.absolute()
    if not named_after_assignment(path.stem):
        return path.stem
    return _student_of_dir(path.parent) or path.stem


def _student_of_dir(folder: Path) -> str:
    folder = folder.absolute()
    if folder.name in ASSIGNMENTS and folder.parent.name:
        return folder.parent.name  # nbgrader: submitted/<student>/<assignment>/
    return folder.name


def _choose(names: list[str], where: str, assignment: str | None) -> tuple[str, str]:
    """(the one candidate file among names (relative paths), a note saying why when there were others), or
    SubmissionError. Among several: the one named after ``assignment``, else after an assignment; a notebook
    and a .py of the same name: the notebook (NOTEBOOK_FIRST)."""
    if not names:
        raise SubmissionError(Said("refused_no_candidate", where=where))
    if len(names) == 1:
        return names[0], ""
    for prefer in ([assignment] if assignment else []), ASSIGNMENTS:
        named = [n for n in names if PurePosixPath(n).stem in prefer]
        if len(named) == 1:
            return named[0], ""
        if len(named) > 1:
            names = named
            break
    paths = [PurePosixPath(n) for n in names]
    if len(paths) == 2 and paths[0].with_suffix("") == paths[1].with_suffix("") and \
            {p.suffix.lower() for p in paths} == {".py", ".ipynb"}:
        notebook, module = sorted(names, key=lambda n: not n.lower().endswith(".ipynb"))
        return notebook, Said("note_notebook_first", notebook=notebook, where=where, module=module)
    shown = ", ".join(sorted(names)[:6]) + (", …" if len(names) > 6 else "")
    raise SubmissionError(Said("refused_several", where=where, shown=shown))


def _from_dir(folder: Path, assignment: str | None) -> Submission:
    fd = files.open_dir_at(None, folder, folder)  # the folder itself is not followed either
    try:
        # links and special files are candidates too, so that choosing one refuses it rather than another file
        names = ["/".join(parts) for _, parts, _ in files.walk_at(fd, folder, max_depth=MAX_DIR_DEPTH,
                                                                  max_entries=MAX_DIR_ENTRIES, skip=_skip_name)
                 if PurePosixPath(parts[-1]).suffix.lower() in SUFFIXES]
        # files directly in the folder first; deeper ones only when there are none
        top = [n for n in names if "/" not in n]
        chosen, note = _choose(top or names, str(folder), assignment)
        path = folder / chosen
        data = files.read_below(fd, chosen.split("/"), _limit(chosen), path)
    finally:
        os.close(fd)
    return _build(path.name, data, _student_of_dir(folder), str(path), dir_name=folder.name,
                  notes=(note,) if note else ())


def _from_zip(path: Path, assignment: str | None) -> Submission:
    raw = files.read_regular(path, MAX_ZIP_BYTES)
    chosen, data, note = _zip_member(raw, path, assignment)
    member = PurePosixPath(chosen)
    if named_after_assignment(path.stem):
        student = _student_of_dir(path.parent) or path.stem
    else:
        student = path.stem
    dir_name = member.parent.name if member.parent.name else path.stem
    return _build(member.name, data, student, f"{path}:{chosen}", dir_name=dir_name,
                  notes=(note,) if note else ())


def _zip_member(raw: bytes, path, assignment: str | None) -> tuple[str, bytes, str]:
    """(the chosen member's name, its bytes, a note on the choice or "") of a student's zip, read in memory with its
    limits; ``path`` names it in messages."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise SubmissionError(Said("refused_zip_members", path=str(path), n=len(infos)))
            if sum(i.file_size for i in infos) > MAX_ZIP_UNCOMPRESSED:
                raise SubmissionError(Said("refused_zip_unpacks", path=str(path), mb=MAX_ZIP_UNCOMPRESSED // 2**20))
            names = []
            for info in infos:
                name, unsafe = files.zip_name(info)
                parts = PurePosixPath(name).parts
                if unsafe:
                    raise SubmissionError(Said("refused_zip_unsafe", path=str(path), name=repr(name)))
                if info.is_dir() or any(p.startswith(".") or p in SKIP_DIRS for p in parts):
                    continue
                if PurePosixPath(name).suffix.lower() in SUFFIXES:
                    names.append(name)
            top = [n for n in names if "/" not in n]
            chosen, note = _choose(top or names, str(path), assignment)
            info = zf.getinfo(chosen) if chosen in zf.namelist() else next(
                i for i in infos if i.filename.replace("\\", "/") == chosen)
            if files.zip_is_link(info):
                raise SubmissionError(Said("refused_zip_link", path=f"{path}:{chosen}"))
            with zf.open(info) as f:
                data = f.read(MAX_ZIP_UNCOMPRESSED + 1)
            if len(data) > MAX_ZIP_UNCOMPRESSED:
                raise SubmissionError(Said("refused_zip_member_big", path=str(path), name=chosen,
                                           mb=MAX_ZIP_UNCOMPRESSED // 2**20))
    except SubmissionError:
        raise
    except Exception as exc:  # BadZipFile, zlib.error, encrypted members, truncated archives, …
        raise SubmissionError(Said("refused_bad_zip", path=str(path), error=f"{type(exc).__name__}: {exc}")) from None
    return chosen, data, note


def from_bytes(name: str, data: bytes, student: str, origin: str, assignment: str | None = None) -> Submission:
    """The Submission handed in as the file ``name`` with these bytes (a file of an LMS's bulk download, read by the
    caller under the same limits): a .py, a .ipynb or a .zip of one (read in memory as ``load_submission`` reads
    one). ``origin`` names it in messages."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".zip":
        if len(data) > MAX_ZIP_BYTES:
            raise SubmissionError(Said("refused_zip_too_big", path=origin, mb=MAX_ZIP_BYTES // 2**20))
        chosen, inner, note = _zip_member(data, origin, assignment)
        member = PurePosixPath(chosen)
        return _build(member.name, inner, student, f"{origin}:{chosen}", dir_name=member.parent.name,
                      notes=(note,) if note else ())
    if suffix not in SUFFIXES:
        raise SubmissionError(Said("refused_suffix", path=origin))
    if len(data) > _limit(name):
        raise SubmissionError(Said("refused_too_big", path=origin, mb=_limit(name) // 2**20))
    return _build(name, data, student, origin)


# --------------------------------------------------------------------------- files


#: what Jupyter's Duplicate, a browser's download and a student add to a file's name: "-Copy1", " (1)", "_v2",
#: " copy", "_2" (after the assignment's name, case ignored)
_COPY_SUFFIX = re.compile(r"(?:-copy\d*|[ _-]?copy(?:[ _-]?\d+)?|\s*\(\d+\)|[ _-]v\d+|[ _-]\d+)+", re.IGNORECASE)
#: what may follow an assignment's name in a file named after it ("rnn_bptt_tanaka", "rnn_bptt-final")
_AFTER_NAME = re.compile(r"[ _.()-]")


def assignment_of(stem: str) -> str | None:
    """The assignment a file's stem is named after: the stem itself ("rnn_bptt"), else the one assignment it starts
    with, followed by a separator ("rnn_bptt-Copy1", "rnn_bptt (1)", "rnn_bptt_v2", "lstm_tanaka"); None when it
    names none, or more than one."""
    stem = stem.strip()
    if stem in ASSIGNMENTS:
        return stem
    found = [a for a in ASSIGNMENTS if stem.startswith(a) and _AFTER_NAME.match(stem, len(a))]
    return max(found, key=len) if len(found) == 1 or _nested(found) else None


def _nested(found: list) -> bool:
    """Several assignments that are prefixes of one another ("rnn" and "rnn_bptt"): the longest is meant."""
    longest = max(found, key=len, default="")
    return bool(found) and all(longest.startswith(a) for a in found)


def named_after_assignment(stem: str) -> bool:
    """The stem is an assignment's name, or a copy's of it ("rnn_bptt-Copy1", "rnn_bptt (1)", "rnn_bptt_v2"): the
    file says which exercise it is, not who handed it in."""
    stem = stem.strip()
    a = assignment_of(stem)
    if a is None:
        return False
    rest = stem[len(a):]
    return not rest or _COPY_SUFFIX.fullmatch(rest) is not None


#: the rule for a folder holding both rnn_bptt.ipynb and rnn_bptt.py
NOTEBOOK_FIRST = "a notebook is graded before a .py of the same name (the notebook is what the course hands out)"


def _guess(stem: str, dir_name: str) -> str | None:
    return assignment_of(stem) or (dir_name if dir_name in ASSIGNMENTS else None)


def _empty(data: bytes, source: str) -> bool:
    """Nothing to grade: no bytes but blank ones, or no code but comments and blank lines."""
    if not data.strip():
        return True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                                tokenize.ENDMARKER):
                return False
    except (tokenize.TokenError, SyntaxError):
        return False
    return True


def _build(name: str, data: bytes, student: str, origin: str, dir_name: str = "", notes: tuple = ()) -> Submission:
    stem = PurePosixPath(name).stem
    if not data.strip():  # a 0-byte notebook too: Jupyter had not saved it yet
        return Submission("", student or stem, "ipynb" if name.lower().endswith(".ipynb") else "py",
                          _guess(stem, dir_name), origin, (), notes, _empty_message(name, origin))
    if name.lower().endswith(".ipynb"):
        source, cells = notebook_source(data, origin)
        kind = "ipynb"
    else:
        source, cells, kind = _py_source(data, origin), (), "py"
    if len(source) > MAX_SOURCE_CHARS:
        raise SubmissionError(Said("refused_code_too_big", path=origin, mb=MAX_SOURCE_CHARS // 2**20))
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        raise SubmissionError(Said("refused_not_text", path=origin)) from None
    empty = _empty_message(name, origin) if _empty(data, source) else ""
    return Submission(source, student or stem, kind, _guess(stem, dir_name), origin, cells, notes, empty)


def _empty_message(name: str, origin: str) -> Said:
    return Said("note_empty_notebook" if name.lower().endswith(".ipynb") else "note_empty_py", path=origin)


def _py_source(data: bytes, origin: str) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise SubmissionError(Said("refused_not_readable_text", path=origin,
                                   error=f"{type(exc).__name__}: {exc}")) from None


def _cell_text(cell) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        if not all(isinstance(s, str) for s in src):
            raise ValueError("a cell's source is not text")
        return "".join(src)
    if not isinstance(src, str):
        raise ValueError("a cell's source is not text")
    return src


def _skipped(cell) -> bool:
    """A cell that is not the student's code: an experiment, or an nbgrader autograder test cell."""
    meta = cell.get("metadata") or {}
    if not isinstance(meta, dict):
        return False
    tags = meta.get("tags") or []
    if isinstance(tags, list) and "experiment" in tags:
        return True
    nbg = meta.get("nbgrader")
    return isinstance(nbg, dict) and nbg.get("grade") is True and not nbg.get("solution")  # ours, never run


# --------------------------------------------------------------------------- IPython's syntax

#: IPython's escapes at the start of a logical line (inputtransformer2.ESCAPE_SINGLES)
_ESCAPES = {"!", "?", "%", ",", ";", "/"}
#: IPython's `obj?` / `obj??` (inputtransformer2._help_end_re)
_HELP_END = re.compile(r"(%{0,2}(?!\d)[\w*]+(\.(?!\d)[\w*]+|\[-?[0-9]+\])*)(\?\??)$")
_OPEN, _CLOSE = {"(", "[", "{"}, {")", "]", "}"}


def ipython_to_python(text: str, quick: bool = True) -> str | None:
    """A cell's code as the Python IPython would run, its IPython-only lines as ``pass``: None for a cell
    that is not Python (a cell magic such as %%bash). Line numbers are kept.

    IPython's own rules (IPython.core.inputtransformer2.TransformerManager), without IPython: the cell is
    dedented; a first line ``%%name`` is a cell magic; then, at the start of a logical line only, ``!``,
    ``!!``, ``%``, ``?``, ``??`` begin a command (``pass``), ``,f a`` / ``;f a`` / ``/f a`` are calls, a
    logical line ending in ``name?`` asks for help (``pass``), and ``x = !cmd`` / ``x = %magic`` assign
    ``None``. Brackets, strings and backslash continuations are found with Python's tokenizer.
    """
    text = textwrap.dedent(text.replace("\r\n", "\n").replace("\r", "\n"))
    if quick and not _MAYBE_IPYTHON.search(text):  # nothing for the rules below to rewrite (most cells): no tokenizer
        return text
    lines = text.split("\n")
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].startswith("%%"):
        if re.match(r"%%\w+\?", lines[first]):
            return None  # help on a cell magic
        if lines[first][2:].rstrip().partition(" ")[0] not in PYTHON_CELL_MAGICS:
            return None
        lines[first] = ""
    start = 0
    while start < len(lines):  # each command rewritten, the tokenizer starts again after it, as IPython's does
        start = _rewrite_first_command(lines, start)
    return "\n".join(lines)


#: what every IPython-only line has: a ? or a % anywhere, a ! that is not !=, or a line starting with , ; or /
_MAYBE_IPYTHON = re.compile(r"[?%]|!(?!=)|^[ \t\f]*[,;/]", re.MULTILINE)


def _rewrite_first_command(lines: list[str], start: int) -> int:
    """Rewrite (in place) the first IPython command of lines[start:]: the line to go on from (len(lines): done)."""
    # leading whitespace never matters to where a logical line starts; without it the tokenizer cannot
    # stop at an indentation error
    stripped = (lines[i].lstrip(" \t\f") + "\n" for i in range(start, len(lines)))
    group, depth = [], 0
    try:
        for tok in tokenize.generate_tokens(lambda: next(stripped, "")):
            if tok.type == tokenize.ENDMARKER:
                break
            group.append(tok)
            if tok.type == tokenize.NEWLINE or (tok.type == tokenize.NL and depth <= 0):
                end = _rewrite_logical_line(lines, start, group)
                if end is not None:
                    return end + 1
                group = []
            elif tok.type == tokenize.OP and tok.string in _OPEN:
                depth += 1
            elif tok.type == tokenize.OP and tok.string in _CLOSE and depth > 0:
                depth -= 1
    except (tokenize.TokenError, SyntaxError):  # an unfinished string or bracket: what came before still counts
        pass
    if group:
        end = _rewrite_logical_line(lines, start, group)
        if end is not None:
            return end + 1
    return len(lines)


def _continued_to(lines: list[str], row: int) -> int:
    """The last physical line of the line at row continued with backslashes."""
    while lines[row].endswith("\\") and row + 1 < len(lines):
        row += 1
    return row


def _assemble(lines: list[str], row: int, col: int, end: int) -> str:
    parts = [lines[row][col:], *lines[row + 1:end + 1]]
    return " ".join([p.rstrip()[:-1] for p in parts[:-1]] + [parts[-1].rstrip()])


def _replace(lines: list[str], row: int, end: int, new: str) -> int:
    lines[row] = new
    for i in range(row + 1, end + 1):
        lines[i] = ""
    return end


def _autocall(escape: str, content: str) -> str | None:
    """IPython's ,f a b -> f("a", "b"); ;f a b -> f("a b"); /f a b -> f(a, b)."""
    name, _, args = content.partition(" ")
    if escape == ",":
        return '{}("{}")'.format(name, '", "'.join(args.split()))
    if escape == ";":
        return '{}("{}")'.format(name, args)
    return "{}({})".format(name, ", ".join(args.split())) if name else None


def _rewrite_logical_line(lines: list[str], offset: int, group: list) -> int | None:
    """Rewrite the logical line of tokens ``group`` (rows counted from lines[offset]) when it is IPython's:
    the last physical line rewritten, or None."""
    row = offset + group[0].start[0] - 1
    indent = lines[row][:len(lines[row]) - len(lines[row].lstrip(" \t\f"))]
    note = "pass  # IPython: " + lines[row][len(indent):]
    if len(group) > 2 and group[-2].string == "?":  # obj? and %magic? (before the escapes, as in IPython)
        q_row = offset + group[-2].start[0] - 1
        if _HELP_END.search("\n".join(lines[row:q_row + 1])[len(indent):]):
            return _replace(lines, row, q_row, indent + note)
    if group[0].string in _ESCAPES:
        end = _continued_to(lines, row)
        content = _assemble(lines, row, len(indent), end)
        if content[0] in ",;/":
            call = _autocall(content[0], content[1:])
            return None if call is None else _replace(lines, row, end, indent + call)
        return _replace(lines, row, end, indent + note)
    assign = _assign_op(group)
    if assign is None or group[assign].line.strip().startswith("="):
        return None
    after = [t for t in group[assign + 1:] if not (t.type == tokenize.ERRORTOKEN and t.string.isspace())]
    if len(after) >= 2 and (after[0].string == "!" or (after[0].string == "%" and after[1].type == tokenize.NAME)):
        r = offset + after[0].start[0] - 1
        c = after[0].start[1] + len(lines[r]) - len(lines[r].lstrip(" \t\f"))
        end = _continued_to(lines, r)
        return _replace(lines, r, end, lines[r][:c] + "None  # IPython: " + lines[r][c:])
    return None


def _assign_op(group: list) -> int | None:
    """The index of the first '=' outside brackets in a logical line's tokens (IPython's _find_assign_op)."""
    depth = 0
    for i, tok in enumerate(group):
        if tok.string == "=" and depth == 0:
            return i
        if tok.string in _OPEN:
            depth += 1
        elif tok.string in _CLOSE and depth > 0:
            depth -= 1
    return None


# --------------------------------------------------------------------------- the self-check


def _is_autograder(module: str | None) -> bool:
    return bool(module) and (module == "autograder" or module.startswith("autograder."))


def _autograder_import(stmt) -> tuple[set, str] | None:
    """For an import of the grader: (the names it binds, what replaces it); None for any other statement."""
    if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and _is_autograder(stmt.module):
        return _bound(stmt), "pass"
    if isinstance(stmt, ast.Import) and any(_is_autograder(a.name) for a in stmt.names):
        ours = ast.Import([a for a in stmt.names if _is_autograder(a.name)])
        others = [a for a in stmt.names if not _is_autograder(a.name)]
        return _bound(ours), ast.unparse(ast.Import(others)) if others else "pass"  # import numpy as np, autograder
    return None


def _bound(stmt) -> set:
    """The names a top-level statement binds (enough to know when a student's own code takes a name back)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    return {n.id for t in targets if t is not None for n in ast.walk(t) if isinstance(n, ast.Name)}


def _without_selfcheck(text: str, tainted: set, quick: bool = True) -> tuple[str, bool]:
    """(the cell with each top-level ``import autograder…`` statement, and each simple statement using a name
    it bound, as ``pass`` — line numbers kept; whether nothing else was in the cell). ``tainted`` carries
    the names bound by the self-check from cell to cell."""
    if quick and not tainted and "autograder" not in unicodedata.normalize("NFKC", text):  # names are NFKC's
        return text, False
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):  # not Python: the worker reports it where it is
        return text, False
    dropped = []  # (statement, what replaces it)
    for stmt in tree.body:
        loads = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        grader = _autograder_import(stmt)
        if grader is not None:
            dropped.append((stmt, grader[1]))
            tainted |= grader[0]
        elif isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign)) and loads & tainted:
            dropped.append((stmt, "pass"))  # score = check(...), score
            tainted |= _bound(stmt)
        else:
            tainted -= _bound(stmt)
    if not dropped:
        return text, False
    if all(new == "pass" for _, new in dropped) and len(dropped) == len(tree.body):
        return "", True
    lines = text.split("\n")
    for stmt, replacement in reversed(dropped):
        first, last = stmt.lineno - 1, stmt.end_lineno - 1
        # ast's columns count UTF-8 bytes
        head = lines[first].encode("utf-8")[:stmt.col_offset].decode("utf-8")
        tail = lines[last].encode("utf-8")[stmt.end_col_offset:].decode("utf-8")
        # a statement over several lines: its other lines joined to `pass` by backslashes, so that
        # whatever follows it on its last line (`; x = 1`) stays on the same logical line
        new = [head + replacement + (" \\" if last > first else "")] + ["\\"] * (last - first - 1)
        if last > first:
            new.append(tail)
        else:
            new[0] += tail
        lines[first:last + 1] = new
    return "\n".join(lines), False


# --------------------------------------------------------------------------- notebooks


def notebook_source(data: bytes, origin: str | None = None) -> tuple[str, tuple]:
    """(source, cells) of a notebook's code: the code cells kept, in order, and where each starts. ``origin`` names
    it in a SubmissionError's reason ("the notebook" when not given)."""
    origin = Said("the_notebook") if origin is None else origin
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SubmissionError(Said("refused_notebook_not_utf8", path=origin)) from None
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        line = getattr(exc, "lineno", None)
        raise SubmissionError(Said("refused_notebook_json_at", path=origin, line=line, error=msg) if line else
                              Said("refused_notebook_json", path=origin, error=msg)) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SubmissionError(Said("refused_notebook_no_cells", path=origin))
    if nb.get("nbformat", 4) != 4:
        raise SubmissionError(Said("refused_notebook_format", path=origin, format=repr(nb.get("nbformat"))))
    parts, cells, line, tainted, size = [], [], 1, set(), 0
    for number, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        try:
            text = _cell_text(cell)
        except ValueError:
            raise SubmissionError(Said("refused_notebook_cell", path=origin, cell=number)) from None
        if _skipped(cell):
            continue
        size += len(text)
        if size > MAX_SOURCE_CHARS:  # before the tokenizer: it takes a while on megabytes
            raise SubmissionError(Said("refused_notebook_code_too_big", path=origin, mb=MAX_SOURCE_CHARS // 2**20))
        text = ipython_to_python(text)
        if text is None or not text.strip():
            continue
        text, only_selfcheck = _without_selfcheck(text, tainted)
        if only_selfcheck:  # a test cell that lost its metadata: it only calls the self-check
            continue
        if not text.endswith("\n"):
            text += "\n"
        cells.append((line, number))
        parts.append(text)
        line += text.count("\n") + 1
        parts.append("\n")
    return "".join(parts), tuple(cells)
