"""An LMS's bulk download read as a class: Moodle's "Download all submissions" and Canvas's submissions.zip, as
the folder they unzip to or as the .zip itself (read in memory, never extracted).

Moodle (mod/assign/classes/downloader.php; assign::download_submissions before 4.1). Each participant's files are in
a folder per submission plugin, ``<full name>_<participant id>_assignsubmission_file`` (``…_file_`` before Moodle 4.1),
as handed in (their sub-folders kept), online text in ``…_assignsubmission_onlinetext``; with "Download submissions in
folders" off, flat files ``<full name>_<participant id>_assignsubmission_file_<original name>``. Moodle writes the full
name with its underscores as spaces, so it never holds "_"; the participant id is the assignment's id of the user,
the grading worksheet's "Participant N". "Upload multiple feedback files in a zip" reads the same names back
(mod/assign/feedback/file/importziplib.php: each path part split at "_", at most 5 pieces: name, id, plugin type,
plugin name, the rest), and so are they parsed here.

Canvas (lib/content_zipper.rb). One file per file handed in, ``<name>[_LATE]_<user id>_<attachment id>_<file name>``:
the name is the student's sortable name lowercased, every non-word character (space, comma, hyphen) removed
("Yamada, Hanako" → yamadahanako, "山田, 花子" → 山田花子); LATE marks a late submission; the file name is the
attachment's display name, which Canvas numbers ``rnn_bptt-1.py``, ``rnn_bptt-2.py`` when a student hands in a file of
the same name again (Attachment.make_unique_filename). A text entry is ``<name>_<user id>_text.html`` (no attachment);
with anonymous grading name and user id are ``anon_<anonymous id>``. "Re-upload submissions" reads a zip's names the
same way (Assignment#infer_comment_context_from_filename: the first two all-digit parts between underscores are the
user id and the attachment id), and so are they parsed here.

Everything in the download is the students' (file names included): the folder is walked without following a link
(files.walk_at), each file read as a regular file with its size limit; the archive is read in memory with a member
count and size limits, its members never written anywhere, one with an absolute or ``..`` path refuses the archive.
"""

from __future__ import annotations

import io
import os
import re
import stat
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from . import files
from .batch import Entry
from .errors import SubmissionError, UserError
from .messages import Said
from .submission import MAX_DIR_DEPTH, MAX_NOTEBOOK_BYTES, MAX_PY_BYTES, MAX_ZIP_BYTES, SKIP_DIRS, from_bytes
from .suites import ASSIGNMENTS

CANDIDATE_SUFFIXES = (".py", ".ipynb", ".zip")
MAX_ARCHIVE_BYTES = 256 * 2**20  # a class's download read in memory; unzip a larger one and pass the folder
MAX_ARCHIVE_MEMBERS = 20_000
MAX_CLASS_ENTRIES = 200_000
_DIGITS = re.compile(r"[0-9]+")  # Ruby's /^\d+$/ and Moodle's ids: ASCII digits only
_NUMBERED = re.compile(r"(.+)-([0-9]+)")  # Canvas's rnn_bptt-1

#: nbgrader's FileNameCollectorPlugin.named_regexp for Moodle's download (folders, both namings, or flat files); the
#: student id is the participant id (docs/instructors.md)
MOODLE_NBGRADER_REGEXP = r".*/[^/_]*_(?P<student_id>[0-9]+)_assignsubmission_file_?/?(?P<file_id>[^/]+\.ipynb)$"


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class MoodleName:
    """A top-level name of Moodle's download: ``<full name>_<id>_assignsubmission_<plugin>[_<rest>]``."""

    full_name: str
    participant: str
    plugin: str  # file, onlinetext, …
    rest: str | None  # None: a 4.1+ folder; "": a folder before 4.1; otherwise a flat file's original name

    @property
    def prefix(self) -> str:
        """``<full name>_<id>_assignsubmission_<plugin>``"""
        return f"{self.full_name}_{self.participant}_assignsubmission_{self.plugin}"


def moodle_name(part: str) -> MoodleName | None:
    """The pieces of one path part of Moodle's download, split as Moodle's zip importer splits it; None for another
    name."""
    bits = part.split("_", 4)
    if len(bits) < 4 or not _DIGITS.fullmatch(bits[1]) or bits[2] != "assignsubmission" or not bits[3]:
        return None
    return MoodleName(bits[0], bits[1], bits[3], bits[4] if len(bits) == 5 else None)


@dataclass(frozen=True)
class CanvasName:
    """A file name of Canvas's submissions.zip."""

    name: str  # the lowercased sortable name ("" when anonymous)
    late: bool
    user_id: str  # Canvas's numeric user id, or anon_<anonymous id>
    attachment_id: str | None  # None: a text entry or a link (no file)
    file_name: str  # the attachment's display name (text.html, link.html for the others)

    @property
    def prefix(self) -> str:
        """Everything before the file name, as Canvas wrote it: ``<name>[_LATE]_<user id>[_<attachment id>]``."""
        if self.user_id.startswith("anon_"):
            who = ["LATE"] * self.late + [self.user_id]
        else:
            who = [self.name] + ["LATE"] * self.late + [self.user_id]
        return "_".join(who + ([self.attachment_id] if self.attachment_id else []))

    def numbered(self) -> tuple[str, int]:
        """(the file name without Canvas's re-submission number, the number): ("rnn_bptt.py", 2) for rnn_bptt-2.py."""
        p = PurePosixPath(self.file_name)
        m = _NUMBERED.fullmatch(p.stem)
        return (m[1] + p.suffix, int(m[2])) if m else (self.file_name, 0)


def canvas_name(filename: str) -> CanvasName | None:
    """The pieces of a file name of Canvas's submissions.zip (Canvas's own rule: the first two all-digit parts between
    underscores are the user id and the attachment id); None for another name."""
    parts = filename.split("_")
    late = parts[:1] == ["LATE"]
    if parts[int(late):int(late) + 1] == ["anon"] and len(parts) >= int(late) + 3:  # anonymous grading
        user, rest = f"anon_{parts[int(late) + 1]}", parts[int(late) + 2:]
        name = ""
    else:
        digits = [k for k, p in enumerate(parts) if _DIGITS.fullmatch(p)]
        if not digits:
            return None
        name_parts, user, rest = parts[:digits[0]], parts[digits[0]], parts[digits[0] + 1:]
        late = name_parts[-1:] == ["LATE"]
        name = "_".join(name_parts[:-1] if late else name_parts)
    if rest in (["text.html"], ["link.html"]):
        return CanvasName(name, late, user, None, rest[0])
    if len(rest) >= 2 and _DIGITS.fullmatch(rest[0]) and rest[1:] != [""]:
        return CanvasName(name, late, user, rest[0], "_".join(rest[1:]))
    return None


def _hidden(name: str) -> bool:
    return name.startswith((".", "~")) or name in SKIP_DIRS


def _limit(name: str) -> int:
    suffix = PurePosixPath(name).suffix.lower()
    return {".py": MAX_PY_BYTES, ".zip": MAX_ZIP_BYTES}.get(suffix, MAX_NOTEBOOK_BYTES)


def _is_candidate(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in CANDIDATE_SUFFIXES


# --------------------------------------------------------------------------- where the feedback goes


@dataclass(frozen=True)
class Origin:
    """Where a student's feedback goes back into the LMS: the name the download gave them."""

    lms: str  # "moodle" | "canvas"
    lms_id: str
    prefix: str  # Moodle: the participant's folder (or flat prefix without its trailing "_"); Canvas: the graded
    # file's name up to its file name ("" when no file was handed in: Canvas attaches feedback to a file only)
    folder: bool = True  # Moodle: the download had a folder per participant
    late: bool = False

    def feedback_name(self, file_name: str) -> str | None:
        """The name of a feedback file in the zip the LMS takes back (None: this student cannot get one)."""
        if not self.prefix:
            return None
        if self.lms == "moodle":
            return f"{self.prefix}/{file_name}" if self.folder else f"{self.prefix}_{file_name}"
        return f"{self.prefix}_{file_name}"


# --------------------------------------------------------------------------- the download


@dataclass(frozen=True)
class Item:
    """A file of the download: its path parts below the class folder (or in the archive) and what it is."""

    parts: tuple
    kind: str = "file"  # "file", or "link" / "special": refused when chosen


@dataclass
class Download:
    """An LMS's bulk download: its kind, its files, and how to read one."""

    lms: str
    source: Path
    items: list
    archive: "Archive | None" = None
    ignored: list = field(default_factory=list)  # names that are none of the LMS's, left out

    def shown(self, item: Item) -> str:
        rel = "/".join(item.parts)
        return f"{self.source}:{rel}" if self.archive else str(Path(self.source, *item.parts))

    def read(self, item: Item, limit: int) -> bytes:
        """The bytes of one file, at most limit (SubmissionError for a link, a special file, a larger one)."""
        if self.archive is not None:
            return self.archive.read(item, limit, self.shown(item))
        return files.read_regular(Path(*item.parts), limit, root=self.source)

    def assignments(self) -> set:
        """The assignments the handed-in files are named after (Canvas's re-submission numbers left out)."""
        found = set()
        for item in self.items:
            name = self._original(item)
            if name and _is_candidate(name):
                if self.lms == "canvas":
                    name = canvas_name(item.parts[-1]).numbered()[0]
                stem = PurePosixPath(name).stem
                if stem in ASSIGNMENTS:
                    found.add(stem)
        return found

    def _original(self, item: Item) -> str | None:
        if self.lms == "canvas":
            n = canvas_name(item.parts[-1])
            return n.file_name if n and n.attachment_id else None
        n = moodle_name(item.parts[0])
        if n is None or n.plugin != "file":
            return None
        return "/".join(item.parts[1:]) if len(item.parts) > 1 else n.rest or None

    def entries(self, assignment: str | None) -> list:
        """One batch.Entry per student, in the LMS's id order."""
        return self._moodle(assignment) if self.lms == "moodle" else self._canvas(assignment)

    def _entry(self, student: str, lms_id: str, display: str, origin: Origin, chosen: Item | None, name: str,
               missing: str = "", problem: str = "") -> Entry:
        """The student's Entry: the file chosen, read when graded; or why there is none (no file: missing; several
        files: problem)."""
        if chosen is None:
            return Entry(student, Path(self.source), lms_id, display, missing="" if problem else missing,
                         problem=problem, origin=origin)
        shown = self.shown(chosen)

        def load(assignment, item=chosen, name=name, shown=shown, student=student):
            return from_bytes(name, self.read(item, _limit(name)), student, shown, assignment)

        return Entry(student, Path(shown), lms_id, display, load=load, origin=origin)

    def _moodle(self, assignment: str | None) -> list:
        people: dict = {}  # participant id -> {name, files: [(path in the folder, item)], others, origins}
        for item in self.items:
            n = moodle_name(item.parts[0])
            p = people.setdefault(n.participant, {"name": n.full_name, "files": [], "others": [], "origins": []})
            folder = len(item.parts) > 1
            # the feedback goes where the download put the files: the folder as it was named (…_file_ before 4.1)
            p["origins"].append((n.plugin != "file", Origin("moodle", n.participant,
                                                             item.parts[0] if folder else n.prefix, folder=folder)))
            rel = "/".join(item.parts[1:]) if folder else (n.rest or item.parts[0])
            if n.plugin == "file" and (_is_candidate(rel) or not folder and not n.rest):
                p["files"].append((rel, item))  # (a link or FIFO named like the folder too: refused when graded)
            else:
                p["others"].append(PurePosixPath(rel).name)
        out = []
        for pid in sorted(people, key=int):
            p = people[pid]
            origin = min(p["origins"], key=lambda o: o[0])[1]
            chosen, problem = _choose_moodle(p["files"], assignment)
            name = PurePosixPath(next(rel for rel, i in p["files"] if i == chosen)).name if chosen else ""
            out.append(self._entry(f"{p['name']}_{pid}", pid, p["name"], origin, chosen, name, _nothing(p["others"]),
                                   problem))
        return out

    def _canvas(self, assignment: str | None) -> list:
        people: dict = {}
        for item in self.items:
            n = canvas_name(item.parts[-1])
            p = people.setdefault(n.user_id, {"name": n.name, "files": [], "others": []})
            if n.attachment_id and _is_candidate(n.file_name):
                p["files"].append((n, item))
            else:
                p["others"].append(n.file_name)
        out = []
        for uid in sorted(people, key=lambda u: (not _DIGITS.fullmatch(u), int(u) if _DIGITS.fullmatch(u) else 0, u)):
            p = people[uid]
            display = p["name"] or uid
            student = f"{p['name']}_{uid}" if p["name"] else uid
            chosen, problem = _choose_canvas(p["files"], assignment)
            if chosen is None:  # Canvas attaches feedback to a file handed in: none for this student
                out.append(self._entry(student, uid, display, Origin("canvas", uid, ""), None, "",
                                       _nothing(p["others"]), problem))
            else:
                n, item = chosen
                out.append(self._entry(student, uid, display, Origin("canvas", uid, n.prefix, late=n.late), item,
                                       n.file_name))
        return out


def _nothing(others: list) -> Said:
    """Why a student has no file to grade (batch.Entry.missing), the files found instead named: a messages.Said,
    worded in the graded language."""
    names = f"{', '.join(sorted(others)[:5])}{', …' if len(others) > 5 else ''}"
    return Said("missing_no_file", found=Said("missing_found", names=names) if others else "")


def _several(names) -> Said:
    """Why none of a student's files is graded (batch.Entry.problem): a messages.Said."""
    shown = ", ".join(sorted(names)[:6]) + (", …" if len(names) > 6 else "")
    return Said("refused_several_handed_in", shown=shown)


def _named(name: str, assignment: str | None) -> bool:
    stem = PurePosixPath(name).stem
    return stem == assignment if assignment else stem in ASSIGNMENTS


def _choose_moodle(found: list, assignment: str | None) -> tuple:
    """(the item to grade or None, the problem): the one file handed in; among several, the one named after the
    assignment (at the top of the participant's folder first)."""
    if len(found) <= 1:
        return (found[0][1] if found else None), ""
    named = [(rel, item) for rel, item in found if _named(rel, assignment)]
    top = [(rel, item) for rel, item in named if "/" not in rel]
    for pick in (named, top):
        if len(pick) == 1:
            return pick[0][1], ""
    return None, _several([rel for rel, _ in found])


def _choose_canvas(found: list, assignment: str | None) -> tuple:
    """((CanvasName, item) to grade or None, the problem): the latest of the file handed in (Canvas's -1, -2, then
    the larger attachment id); among files of several names, the latest of those named after the assignment."""
    if not found:
        return None, ""
    groups: dict = {}
    for n, item in found:
        groups.setdefault(n.numbered()[0], []).append((n, item))
    if len(groups) > 1:
        named = {base: g for base, g in groups.items() if _named(base, assignment)}
        if len(named) != 1:
            return None, _several([n.file_name for n, _ in found])
        groups = named
    (group,) = groups.values()
    return max(group, key=lambda g: (g[0].numbered()[1], int(g[0].attachment_id))), ""


# --------------------------------------------------------------------------- reading


class Archive:
    """A downloaded .zip read in memory: members listed with their limits checked, each read on demand, capped."""

    def __init__(self, path: Path):
        self.path = Path(path)
        raw = files.read_regular(self.path, MAX_ARCHIVE_BYTES)
        try:
            self._zf = zipfile.ZipFile(io.BytesIO(raw))
            infos = self._zf.infolist()
        except Exception as exc:  # BadZipFile, truncated, …
            raise SubmissionError(f"{path} is not a readable zip file ({type(exc).__name__}: {exc}): download it "
                                  f"again") from None
        if len(infos) > MAX_ARCHIVE_MEMBERS:
            raise SubmissionError(f"{path} holds {len(infos)} files, more than {MAX_ARCHIVE_MEMBERS}: unzip it and "
                                  f"pass the folder")
        self._lock = threading.Lock()
        self.members: dict = {}
        for info in infos:
            name, unsafe = files.zip_name(info)
            parts = tuple(p for p in name.split("/") if p)
            if unsafe:
                raise SubmissionError(f"{path} contains an unsafe path ({name!r}), which no LMS writes: download "
                                      f"the submissions again from the LMS")
            if info.is_dir() or not parts or any(_hidden(p) for p in parts):
                continue
            kind = "link" if files.zip_is_link(info) else "file"
            self.members[parts] = (info, kind)

    def items(self) -> list:
        return [Item(parts, kind) for parts, (_, kind) in sorted(self.members.items())]

    def read(self, item: Item, limit: int, shown: str) -> bytes:
        info, kind = self.members[item.parts]
        if kind == "link":  # its content is the link's target, a path, never the file
            raise SubmissionError(Said("refused_link_file", path=shown))
        try:
            with self._lock, self._zf.open(info) as f:
                data = f.read(limit + 1)
        except Exception as exc:  # zlib.error, encrypted member, bad CRC, …
            raise SubmissionError(Said("refused_zip_member_unreadable", path=shown,
                                       error=f"{type(exc).__name__}: {exc}")) from None
        if len(data) > limit:
            raise SubmissionError(Said("refused_larger", path=shown, size=Said("size_mb", n=limit // 2**20)))
        return data


def _kind(items: list) -> str | None:
    """Which LMS named these files: Moodle when a top-level name is Moodle's; Canvas when every file is at the top and
    named as Canvas names them."""
    if any(moodle_name(i.parts[0]) for i in items):
        return "moodle"
    if items and all(len(i.parts) == 1 and canvas_name(i.parts[0]) for i in items):
        return "canvas"
    return None


def _split(kind: str, items: list) -> tuple:
    """(the items of the LMS's naming, the names of the others)."""
    if kind == "moodle":
        ok = [i for i in items if moodle_name(i.parts[0])]
    else:
        ok = [i for i in items if len(i.parts) == 1 and canvas_name(i.parts[0])]
    return ok, sorted({"/".join(i.parts[:1]) for i in items if i not in ok})


def from_folder(root: Path) -> Download | None:
    """The folder as an LMS's download (unzipped), or None when its top-level names are none of an LMS's. Nothing
    below it is followed; a link or special file is an item all the same (refused when it is the one graded)."""
    root = Path(root)
    try:
        with os.scandir(root) as it:
            top = [(e.name, e.is_dir(follow_symlinks=False)) for e in it if not _hidden(e.name)]
    except OSError as exc:
        raise SubmissionError(f"{root} cannot be read ({exc.strerror or exc}): check its permissions") from None
    if not any(moodle_name(n) for n, _ in top) and not (
            top and all(not d and canvas_name(n) for n, d in top)):
        return None
    fd = files.open_root(root)
    try:
        items = [Item(parts, "file" if stat.S_ISREG(mode) else "link" if stat.S_ISLNK(mode) else "special")
                 for _, parts, mode in files.walk_at(fd, root, max_depth=MAX_DIR_DEPTH + 1,
                                                     max_entries=MAX_CLASS_ENTRIES, skip=_hidden)]
    finally:
        os.close(fd)
    kind = _kind(items)
    if kind is None:
        return None
    ok, ignored = _split(kind, items)
    return Download(kind, root, ok, ignored=ignored)


def from_archive(path: Path) -> Download:
    """The downloaded .zip (Moodle's or Canvas's), read in memory; SubmissionError for any other zip."""
    archive = Archive(path)
    items = archive.items()
    kind = _kind(items)
    if kind is None:
        raise UserError(f"{path} is not an LMS's 'Download all submissions' archive (no file named as Moodle or "
                        f"Canvas names them): unzip it and pass the folder holding one submission per student")
    ok, ignored = _split(kind, items)
    return Download(kind, Path(path), ok, archive=archive, ignored=ignored)
