"""autograder.files: students' files read as hostile input (links, FIFOs, devices, sizes) and CSV cells
safe in a spreadsheet."""

import csv
import io
import os
import re
import stat
import threading

import pytest

from autograder.errors import SubmissionError
from autograder.files import Number, copy_regular_tree, csv_text, open_root, read_regular, spreadsheet_cell, walk_at


def parse(text: str) -> list:
    """CSV text read back as a spreadsheet import would (newline="" keeps a quoted CR in its cell)."""
    return list(csv.reader(io.StringIO(text, newline="")))


def finishes(fn, seconds=10.0):
    """fn() run in a thread: (finished in time, its exception or None); a blocked open cannot hang the tests."""
    out = {}

    def run():
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["exc"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    return not t.is_alive(), out.get("exc")


@pytest.fixture
def klass(tmp_path):
    """A class folder: bob's real file, alice's a link to it, and a link as a whole student folder."""
    root = tmp_path / "class"
    (root / "bob").mkdir(parents=True)
    (root / "bob" / "rnn_bptt.py").write_text("BOB = 1\n")
    (root / "alice").mkdir()
    (root / "alice" / "rnn_bptt.py").symlink_to("../bob/rnn_bptt.py")
    (root / "carol").symlink_to(root / "bob")
    return root


class TestReadRegular:
    def test_regular_file(self, klass):
        """A regular file's bytes are returned."""
        assert read_regular(klass / "bob" / "rnn_bptt.py", 100) == b"BOB = 1\n"

    def test_link_refused(self, klass):
        """A link to another student's file is refused with the reason, the target never read."""
        with pytest.raises(SubmissionError, match=r"alice/rnn_bptt\.py is a symbolic link: hand in the file itself, "
                                                  r"not a link$"):
            read_regular(klass / "alice" / "rnn_bptt.py", 100)

    def test_fifo_refused_without_blocking(self, tmp_path):
        """A FIFO is refused at once (opening it to read would wait for a writer forever)."""
        os.mkfifo(tmp_path / "x.py")
        done, exc = finishes(lambda: read_regular(tmp_path / "x.py", 100))
        assert done and isinstance(exc, SubmissionError)
        assert str(exc).endswith("x.py is not a regular file (a FIFO): hand in the exercise's files themselves")

    def test_device_and_link_to_device(self, tmp_path):
        """/dev/zero (st_size 0, endless) is refused as a device, and a link to it as a link."""
        with pytest.raises(SubmissionError, match=r"is not a regular file \(a character device\)"):
            read_regular("/dev/zero", 100)
        (tmp_path / "big.py").symlink_to("/dev/zero")
        with pytest.raises(SubmissionError, match="is a symbolic link"):
            read_regular(tmp_path / "big.py", 100)

    def test_size_counted_while_reading(self, tmp_path):
        """The cap holds for a file whose st_size says 0 (/proc), and for one just over it."""
        assert os.stat("/proc/self/status").st_size == 0
        with pytest.raises(SubmissionError, match=r"is larger than 10 bytes"):
            read_regular("/proc/self/status", 10)
        (tmp_path / "f").write_bytes(b"x" * 11)
        assert read_regular(tmp_path / "f", 11) == b"x" * 11
        with pytest.raises(SubmissionError, match=r"f is larger than 10 bytes: remove data from it"):
            read_regular(tmp_path / "f", 10)

    def test_link_as_intermediate_folder_below_root(self, klass):
        """Below root, a link as a folder on the way is refused; without root the caller's path is trusted."""
        with pytest.raises(SubmissionError, match=r"class/carol is a symbolic link: hand in the folder itself"):
            read_regular(klass / "carol" / "rnn_bptt.py", 100, root=klass)
        assert read_regular(klass / "carol" / "rnn_bptt.py", 100) == b"BOB = 1\n"

    def test_root_itself_may_be_a_link(self, klass, tmp_path):
        """The class folder the TA names may be a link; a path relative to root works too."""
        (tmp_path / "via").symlink_to(klass)
        assert read_regular(tmp_path / "via" / "bob" / "rnn_bptt.py", 100, root=tmp_path / "via") == b"BOB = 1\n"
        assert read_regular("bob/rnn_bptt.py", 100, root=klass) == b"BOB = 1\n"

    def test_outside_root_refused(self, klass):
        """A path that climbs out of root is refused."""
        with pytest.raises(SubmissionError, match="is not a file below"):
            read_regular("../class/bob/rnn_bptt.py", 100, root=klass)

    def test_missing(self, tmp_path):
        """A missing file says so in one line."""
        with pytest.raises(SubmissionError, match=r"nope\.py does not exist"):
            read_regular(tmp_path / "nope.py", 100)


class TestWalkAt:
    def test_links_and_special_files_listed_never_entered(self, klass):
        """Links and FIFOs are listed as what they are; a linked folder is not entered."""
        os.mkfifo(klass / "bob" / "pipe")
        fd = open_root(klass)
        try:
            found = {"/".join(parts): mode for _, parts, mode in walk_at(fd, klass, max_depth=4, max_entries=100)}
        finally:
            os.close(fd)
        assert sorted(found) == ["alice/rnn_bptt.py", "bob/pipe", "bob/rnn_bptt.py", "carol"]
        assert stat.S_ISLNK(found["carol"]) and stat.S_ISLNK(found["alice/rnn_bptt.py"])
        assert stat.S_ISFIFO(found["bob/pipe"])

    def test_depth_and_count_bounded(self, tmp_path):
        """Folders deeper than max_depth are not entered; more entries than max_entries is refused."""
        deep = tmp_path.joinpath("a", "b", "c")
        deep.mkdir(parents=True)
        (deep / "x.py").write_text("")
        (tmp_path / "a" / "y.py").write_text("")
        fd = open_root(tmp_path)
        try:
            assert [p for _, p, _ in walk_at(fd, tmp_path, max_depth=3, max_entries=100)] == [("a", "y.py")]
            with pytest.raises(SubmissionError, match="holds more than 3 files and folders"):
                list(walk_at(fd, tmp_path, max_depth=9, max_entries=3))
        finally:
            os.close(fd)


class TestCopyRegularTree:
    @pytest.fixture
    def course(self, tmp_path):
        c = tmp_path / "course"
        d = c / "submitted" / "eve" / "rnn_bptt"
        (d / "data").mkdir(parents=True)
        (d / "rnn_bptt.ipynb").write_text("{}")
        (d / "data" / "x.csv").write_text("1,2\n")
        (d / ".ipynb_checkpoints").mkdir()
        (d / ".ipynb_checkpoints" / "old.ipynb").write_text("old")
        return c

    def test_copies_regular_files(self, course, tmp_path):
        """Regular files are copied, nested folders kept, skipped names left out."""
        dest = tmp_path / "staged"
        copy_regular_tree(course, "submitted/eve/rnn_bptt", dest, file_limit=100, total_limit=100,
                          skip=lambda n: n == ".ipynb_checkpoints")
        assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == \
            ["data/x.csv", "rnn_bptt.ipynb"]

    @pytest.mark.parametrize("make, message", [
        (lambda d: (d / "rnn_bptt.ipynb").unlink() or (d / "rnn_bptt.ipynb").symlink_to("/dev/zero"),
         r"^submitted/eve/rnn_bptt/rnn_bptt\.ipynb is a symbolic link: hand in the file itself, not a link$"),
        (lambda d: os.mkfifo(d / "data" / "pipe"),
         r"^submitted/eve/rnn_bptt/data/pipe is not a regular file \(a FIFO\)"),
        (lambda d: (d / "data" / "x.csv").write_text("x" * 200), r"data/x\.csv is larger than 100 bytes"),
    ])
    def test_hostile_entries_refused(self, course, tmp_path, make, message):
        """A link, a FIFO or an oversized file anywhere in the submission refuses it, named relative to the course."""
        make(course / "submitted" / "eve" / "rnn_bptt")
        done, exc = finishes(lambda: copy_regular_tree(course, "submitted/eve/rnn_bptt", tmp_path / "staged",
                                                       file_limit=100, total_limit=1000))
        assert done and isinstance(exc, SubmissionError), exc
        assert re.search(message, str(exc)), str(exc)

    def test_link_as_student_folder_refused(self, course, tmp_path):
        """A student folder that is a link (to another student's) is refused, not copied through."""
        (course / "submitted" / "mallory").symlink_to("eve")
        with pytest.raises(SubmissionError, match=r"^submitted/mallory is a symbolic link"):
            copy_regular_tree(course, "submitted/mallory/rnn_bptt", tmp_path / "staged", file_limit=100,
                              total_limit=100)
        assert not (tmp_path / "staged").exists()

    def test_total_capped(self, course, tmp_path):
        """All files together are capped too."""
        with pytest.raises(SubmissionError, match="holds more than 5 bytes"):
            copy_regular_tree(course, "submitted/eve/rnn_bptt", tmp_path / "staged", file_limit=100, total_limit=5)


class TestSpreadsheetCells:
    @pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"])
    def test_formula_starts_quoted(self, text):
        """Text starting with = + - @ tab or CR is written with a leading quote and read back as that text."""
        rows = parse(csv_text([["student", "score"], [text, -1.5]]))
        assert rows[1] == ["'" + text, "-1.5"]

    def test_numbers_and_plain_text_unchanged(self):
        """Numbers (negative too, formatted or not) and ordinary text are written as they are."""
        assert [spreadsheet_cell(v) for v in (-1, -2.5, Number("-3"), "alice", "a=b", "")] == \
            [-1, -2.5, "-3", "alice", "a=b", ""]

    def test_quoting_kept(self):
        """A cell with a comma, a quote and a newline still round-trips through the csv module."""
        text = 'a,"b"\nc'
        assert parse(csv_text([[text, "=x,\"y\""]])) == [[text, "'=x,\"y\""]]

    def test_lone_carriage_return_quoted(self):
        """A cell holding a lone CR is quoted, so that it cannot split its row; lines still end in a newline."""
        text = csv_text([["a\rb", 1], ["c", 2]])
        assert text == '"a\rb",1\nc,2\n'
        assert parse(text) == [["a\rb", "1"], ["c", "2"]]


class TestWriteAtomicMode:
    @pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
    def test_mode_follows_the_umask(self, tmp_path, mask, mode):
        """Results get the mode open() would give (0666 less the umask), so co-TAs can read the grades."""
        from autograder.files import write_atomic

        old = os.umask(mask)
        try:
            write_atomic(tmp_path / "grades.csv", "student,score\n")
        finally:
            os.umask(old)
        assert stat.S_IMODE((tmp_path / "grades.csv").stat().st_mode) == mode
