"""The grader's own files: where the kit lives, names safe as file names, atomic writes, CSV cells
safe in a spreadsheet, and the students' files read as hostile input.

Submissions are read with the TA's privileges, and links and special files arrive for real (GitHub
Classroom clones, unzip, tar, shared folders). So a student's file is read only when it is a regular
file, opened without following a link (O_NOFOLLOW, checked again with fstat), and no more than a limit
counted while reading; folders below the one the TA named are walked through directory descriptors,
never through a link, with bounded depth and count.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import tempfile
from pathlib import Path, PurePath

from .errors import ReleaseError, SubmissionError, UserError
from .messages import Said


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


def write_atomic(path: Path, data: str | bytes, mode: int | None = None) -> None:
    """Write text (UTF-8) or bytes so that a reader (or a killed writer) never sees half a file. The
    file gets ``mode``, by default the one a plain open() would give (0666 less the umask), so that
    other TAs can read the grades; 0o600 for what holds a secret."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~umask() if mode is None else mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
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


def zip_name(info) -> tuple[str, bool]:
    """(a zip member's name with '/' separators, whether it is unsafe to use: absolute, a drive, or '..')."""
    name = info.filename.replace("\\", "/")
    return name, name.startswith("/") or bool(re.match(r"^[A-Za-z]:", name)) or ".." in name.split("/")


def zip_is_link(info) -> bool:
    """Whether a zip member is a symbolic link (its content is the target's path, never a file)."""
    return stat.S_ISLNK(info.external_attr >> 16)


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


# --------------------------------------------------------------------------- CSV for spreadsheets

#: what starts a formula (or, for tab and carriage return, hides one) in a spreadsheet: OWASP's CSV injection list
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Number(str):
    """A number already formatted as text ("12.2333", "-1"): written to a CSV as it is."""


def spreadsheet_cell(value):
    """A CSV cell that a spreadsheet shows as text, never runs: text starting with = + - @ tab or CR gets a
    leading single quote (OWASP); numbers (int, float, Number) are left as they are, negative ones too."""
    if isinstance(value, str) and not isinstance(value, Number) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows) -> str:
    """Rows (lists of cells) as CSV text, every text cell made safe for a spreadsheet: the one writer of
    every CSV the kit writes."""
    import csv  # loaded only here: grading one submission writes no CSV

    lines = []
    for row in rows:
        buf = io.StringIO()
        # terminated by "\r\n" so that a cell holding a lone CR is quoted too (the writer quotes only the
        # terminator's characters); the file's lines still end in "\n"
        csv.writer(buf, lineterminator="\r\n").writerow([spreadsheet_cell(c) for c in row])
        lines.append(buf.getvalue()[:-2] + "\n")
    return "".join(lines)


# --------------------------------------------------------------------------- students' files

O_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: what an entry is, by its type (the catalog's kind_… words)
_KINDS = {stat.S_IFIFO: "kind_fifo", stat.S_IFCHR: "kind_character_device", stat.S_IFBLK: "kind_block_device",
          stat.S_IFSOCK: "kind_socket", stat.S_IFDIR: "kind_folder", stat.S_IFREG: "kind_file"}


def _size(limit: int) -> Said:
    return Said("size_mb", n=limit // 2**20) if limit >= 2**20 else Said("size_bytes", n=limit)


def _link_error(shown) -> SubmissionError:
    return SubmissionError(Said("refused_link_file", path=str(shown)))


def _kind_error(shown, mode: int, wanted: str = "file") -> SubmissionError:
    kind = Said(_KINDS.get(stat.S_IFMT(mode), "kind_special"))
    return SubmissionError(Said("refused_not_regular" if wanted == "file" else "refused_not_folder", path=str(shown),
                                kind=kind))


def _os_error(shown, exc: OSError) -> SubmissionError:
    if isinstance(exc, FileNotFoundError):
        return SubmissionError(Said("refused_does_not_exist", path=str(shown)))
    return SubmissionError(Said("refused_unreadable", path=str(shown), why=str(exc.strerror or exc)))


def lstat_at(dir_fd: int | None, name, shown):
    """The entry's own stat (a link's, not its target's); SubmissionError when it cannot be read."""
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError as exc:
        raise _os_error(shown, exc) from None


def open_dir_at(dir_fd: int | None, name, shown) -> int:
    """A descriptor of the folder ``name`` (in dir_fd, or a path), refused when it is a link or no folder."""
    st = lstat_at(dir_fd, name, shown)
    if stat.S_ISLNK(st.st_mode):
        raise SubmissionError(Said("refused_link_folder", path=str(shown)))
    if not stat.S_ISDIR(st.st_mode):
        raise _kind_error(shown, st.st_mode, "folder")
    try:
        return os.open(name, O_DIR, dir_fd=dir_fd)
    except OSError as exc:  # ELOOP: replaced by a link since the lstat
        if exc.errno == errno.ELOOP:
            raise SubmissionError(Said("refused_link_folder", path=str(shown))) from None
        raise _os_error(shown, exc) from None


def open_root(path) -> int:
    """A descriptor of a folder the TA named (a class or course folder): a link there is followed."""
    try:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise SubmissionError(f"{path} cannot be opened as a folder ({exc.strerror or exc}): pass the folder "
                              f"holding the submissions") from None


def read_at(dir_fd: int | None, name, limit: int, shown) -> bytes:
    """The bytes of the regular file ``name`` (in dir_fd, or a path), at most ``limit``: a link, a FIFO, a
    device or a larger file is a SubmissionError. The size is counted while reading (st_size can lie)."""
    st = lstat_at(dir_fd, name, shown)
    if stat.S_ISLNK(st.st_mode):
        raise _link_error(shown)
    if not stat.S_ISREG(st.st_mode):  # never opened: opening a FIFO or a device can block or act
        raise _kind_error(shown, st.st_mode)
    try:
        fd = os.open(name, O_FILE, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a link since the lstat
            raise _link_error(shown) from None
        raise _os_error(shown, exc) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced since the lstat
            raise _kind_error(shown, st.st_mode)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(2**20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _os_error(shown, exc) from None
    finally:
        os.close(fd)
    if size > limit:
        raise SubmissionError(Said("refused_larger", path=str(shown), size=_size(limit)))
    return b"".join(chunks)


def read_below(dir_fd: int, parts, limit: int, shown) -> bytes:
    """read_at of the file dir_fd/parts[0]/…/parts[-1], each folder on the way opened without following a link."""
    fds = []
    try:
        for i, part in enumerate(parts[:-1]):
            fds.append(open_dir_at(fds[-1] if fds else dir_fd, part, Path(shown).parents[len(parts) - 2 - i]))
        return read_at(fds[-1] if fds else dir_fd, parts[-1], limit, shown)
    finally:
        for fd in fds:
            os.close(fd)


def read_regular(path, limit: int, root=None) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit``, never through a link (see read_at).

    Without ``root`` only the file itself must not be a link (the folders above it are the caller's
    choice). With ``root`` (a folder the TA chose, itself followed when a link) ``path`` is below root
    (or relative to it) and no component below root is followed.
    """
    path = Path(path)
    if root is None:
        return read_at(None, path, limit, path)
    try:
        rel = path.relative_to(root)
    except ValueError:  # a path relative to root
        rel, path = path, Path(root, path)
    if rel.is_absolute() or not rel.parts or ".." in rel.parts:
        raise SubmissionError(f"{path} is not a file below {root}: pass a path inside it")
    fd = open_root(root)
    try:
        return read_below(fd, rel.parts, limit, path)
    finally:
        os.close(fd)


def walk_at(dir_fd: int, shown, *, max_depth: int, max_entries: int, skip=lambda name: False):
    """(parent fd, relative parts, lstat mode) of every entry below the folder dir_fd that is not a folder,
    sorted; links and special files are included (as what they are) but never followed. The parent fd is
    valid until the next item. Folders deeper than max_depth are not entered, names for which skip(name)
    holds neither; more than max_entries entries is a SubmissionError."""
    count = 0

    def entries(fd: int, prefix: tuple):
        nonlocal count
        try:
            with os.scandir(fd) as it:
                found = sorted((e.name, e.stat(follow_symlinks=False).st_mode) for e in it if not skip(e.name))
        except PermissionError as exc:
            if not prefix:
                raise _os_error(shown, exc) from None
            return  # a subfolder the TA cannot list
        except OSError as exc:
            raise _os_error(Path(shown, *prefix), exc) from None
        count += len(found)
        if count > max_entries:
            raise SubmissionError(Said("refused_too_many_entries", path=str(shown), n=max_entries))
        for name, mode in found:
            if not stat.S_ISDIR(mode):
                yield fd, prefix + (name,), mode
            elif len(prefix) + 1 < max_depth:
                try:
                    sub = os.open(name, O_DIR, dir_fd=fd)
                except PermissionError:
                    continue  # a folder the TA cannot read holds nothing to grade (as pathlib's rglob)
                except OSError as exc:
                    if exc.errno == errno.ELOOP:  # replaced by a link since the listing
                        raise SubmissionError(Said("refused_link_folder", path=str(Path(shown, *prefix, name)))) \
                            from None
                    raise _os_error(Path(shown, *prefix, name), exc) from None
                try:
                    yield from entries(sub, prefix + (name,))
                finally:
                    os.close(sub)

    yield from entries(dir_fd, ())


def copy_regular_tree(root, rel, dest: Path, *, file_limit: int, total_limit: int, max_entries: int = 1000,
                      max_depth: int = 8, skip=lambda name: False) -> None:
    """Copy the folder root/rel to dest: regular files only, each at most file_limit, all together at most
    total_limit. root is the TA's folder (followed when a link); below it nothing is followed: a link or a
    special file anywhere in root/rel is a SubmissionError naming it (relative to root), as is a size over a
    limit. Names for which skip(name) holds are left out."""
    rel = PurePath(rel)
    fds = [open_root(root)]
    try:
        for i, part in enumerate(rel.parts):
            fds.append(open_dir_at(fds[-1], part, PurePath(*rel.parts[:i + 1]).as_posix()))
        dest.mkdir(parents=True, exist_ok=True)
        total = 0
        for parent, parts, mode in walk_at(fds[-1], rel.as_posix(), max_depth=max_depth, max_entries=max_entries,
                                           skip=skip):
            shown = PurePath(rel, *parts).as_posix()
            if stat.S_ISLNK(mode):
                raise _link_error(shown)
            data = read_at(parent, parts[-1], file_limit, shown)
            total += len(data)
            if total > total_limit:
                raise SubmissionError(Said("refused_folder_larger", path=rel.as_posix(), size=_size(total_limit)))
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    finally:
        for fd in fds:
            os.close(fd)
