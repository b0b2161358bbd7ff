"""autograder.lms_in: Moodle's and Canvas's bulk downloads read as a class (names, choices, hostile archives)."""

import re
import stat
import zipfile
from pathlib import Path

import pytest

from autograder import lms_in
from autograder.errors import SubmissionError, UserError
from autograder.lms_in import CanvasName, MoodleName, Origin, canvas_name, moodle_name
from tests.autograder import lms_fixtures as fx

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"


class TestMoodleName:
    def test_folders_and_flat_files(self):
        """Moodle's folder (4.1+ and earlier, with its trailing "_") and flat names split as its zip importer splits."""
        assert moodle_name("山田 花子_1001_assignsubmission_file") == MoodleName("山田 花子", "1001", "file", None)
        assert moodle_name("Bob Smith_12_assignsubmission_file_") == MoodleName("Bob Smith", "12", "file", "")
        assert moodle_name("Bob Smith_12_assignsubmission_file_my_hw 2.py") == MoodleName(
            "Bob Smith", "12", "file", "my_hw 2.py")
        assert moodle_name("Dave Lee_7_assignsubmission_onlinetext").plugin == "onlinetext"

    def test_other_names(self):
        """A name without a numeric id, without assignsubmission or with too few parts is none of Moodle's."""
        assert [moodle_name(n) for n in ("alice", "a_b_c", "Bob_x1_assignsubmission_file", "Bob_12_assignfeedback_file",
                                         "Bob_12_assignsubmission_", "bob_12_345_rnn_bptt.py")] == [None] * 6

    def test_prefix(self):
        """The prefix is the folder's 4.1+ name, whatever the name parsed."""
        assert moodle_name("Bob Smith_12_assignsubmission_file_x.py").prefix == "Bob Smith_12_assignsubmission_file"


class TestCanvasName:
    def test_upload(self):
        """<name>_<user id>_<attachment id>_<file name>, the file name keeping its underscores and spaces."""
        assert canvas_name("山田花子_2001_9001_rnn_bptt.py") == CanvasName("山田花子", False, "2001", "9001", "rnn_bptt.py")
        assert canvas_name("smithbob_LATE_2002_9002_bptt final.py") == CanvasName(
            "smithbob", True, "2002", "9002", "bptt final.py")
        assert canvas_name("x_3_4_hw_2_final.py").file_name == "hw_2_final.py"  # Canvas's first two digit parts

    def test_text_entry_and_anonymous(self):
        """A text entry has no attachment; anonymous grading names the student anon_<id>, LATE first."""
        assert canvas_name("leedave_2005_text.html") == CanvasName("leedave", False, "2005", None, "text.html")
        assert canvas_name("anon_Xy3kP_9001_rnn_bptt.py") == CanvasName("", False, "anon_Xy3kP", "9001", "rnn_bptt.py")
        assert canvas_name("LATE_anon_Xy3kP_text.html") == CanvasName("", True, "anon_Xy3kP", None, "text.html")

    def test_prefix_round_trips(self):
        """prefix rebuilds what Canvas wrote before the file name, which its re-upload parses back."""
        for name in ("smithbob_LATE_2002_9002_a.py", "anon_Xy3kP_9001_a.py", "LATE_anon_Q1_9001_a.py", "_5_6_a.py"):
            n = canvas_name(name)
            assert f"{n.prefix}_{n.file_name}" == name

    def test_numbered(self):
        """Canvas's re-submission number comes off the file name's stem."""
        assert canvas_name("z_1_2_rnn_bptt-2.py").numbered() == ("rnn_bptt.py", 2)
        assert canvas_name("z_1_2_rnn_bptt.ipynb").numbered() == ("rnn_bptt.ipynb", 0)

    def test_other_names(self):
        """Names without two adjacent all-digit parts (or a text entry's) are none of Canvas's."""
        names = ("alice.py", "bob_12.py", "bob_12_x_3.py", "bob_1_2_", "²_1_x.py")
        assert [canvas_name(n) for n in names] == [None] * 5


class TestOrigin:
    def test_feedback_names(self):
        """Feedback goes in the participant's folder, under the flat prefix, or after Canvas's prefix; none without."""
        assert Origin("moodle", "1", "A_1_assignsubmission_file_").feedback_name("f.txt") == \
            "A_1_assignsubmission_file_/f.txt"
        assert Origin("moodle", "1", "A_1_assignsubmission_file", folder=False).feedback_name("f.txt") == \
            "A_1_assignsubmission_file_f.txt"
        assert Origin("canvas", "2", "b_LATE_2_9").feedback_name("f.txt") == "b_LATE_2_9_f.txt"
        assert Origin("canvas", "2", "").feedback_name("f.txt") is None


def _canvas(*names):
    return [(canvas_name(n), n) for n in names]


class TestChoose:
    def test_canvas_latest(self):
        """Of one file handed in again, the highest -N, then the larger attachment id, is graded."""
        found = _canvas("z_1_9003_rnn_bptt.py", "z_1_9010_rnn_bptt-1.py", "z_1_9004_rnn_bptt-1.py")
        assert lms_in._choose_canvas(found, "rnn_bptt")[0][1] == "z_1_9010_rnn_bptt-1.py"

    def test_canvas_any_name_and_ambiguity(self):
        """One file of any name is graded; of several names the one after the assignment; otherwise none, and why."""
        assert lms_in._choose_canvas(_canvas("z_1_5_mine.py"), "rnn_bptt")[0][1] == "z_1_5_mine.py"
        assert lms_in._choose_canvas(_canvas("z_1_5_a.py", "z_1_6_rnn_bptt.ipynb"), "rnn_bptt")[0][1] == \
            "z_1_6_rnn_bptt.ipynb"
        chosen, why = lms_in._choose_canvas(_canvas("z_1_5_a.py", "z_1_6_b.py"), "rnn_bptt")
        assert chosen is None and why.startswith("several files handed in (a.py, b.py)")

    def test_moodle(self):
        """Moodle: the one file; else the one named after the assignment, at the top of the folder first."""
        assert lms_in._choose_moodle([("x/any.ipynb", 1)], "gru") == (1, "")
        assert lms_in._choose_moodle([("gru.py", 1), ("sub/gru.py", 2), ("notes.py", 3)], "gru") == (1, "")
        assert lms_in._choose_moodle([("a.py", 1), ("b.py", 2)], "gru")[0] is None


class TestFromFolder:
    def test_kinds(self, tmp_path):
        """Moodle's and Canvas's downloads are told by their names; a folder per student is neither."""
        moodle = fx.write_folder(tmp_path / "m", fx.moodle_files())
        canvas = fx.write_folder(tmp_path / "c", fx.canvas_files())
        plain = tmp_path / "p"
        (plain / "alice").mkdir(parents=True)
        (plain / "bob.py").write_text("")
        assert (lms_in.from_folder(moodle).lms, lms_in.from_folder(canvas).lms, lms_in.from_folder(plain)) == (
            "moodle", "canvas", None)

    def test_identity_and_missing(self, tmp_path):
        """Each participant keeps id and full name; one with online text only has nothing to grade."""
        d = lms_in.from_folder(fx.write_folder(tmp_path, fx.moodle_files()))
        entries = d.entries("rnn_bptt")
        assert [(e.student, e.lms_id, e.display_name) for e in entries] == [
            (f"{s.name}_{s.lms_id}", s.lms_id, s.name) for s in fx.MOODLE_CLASS]
        assert [bool(e.missing) for e in entries] == [s.expected == "none" for s in fx.MOODLE_CLASS]

    def test_loads_the_file_handed_in(self, tmp_path):
        """An entry's load reads the chosen file (a notebook of any name) into the module's source."""
        d = lms_in.from_folder(fx.write_folder(tmp_path, fx.moodle_files()))
        zoe = next(e for e in d.entries("rnn_bptt") if e.lms_id == "1003")
        sub = zoe.load("rnn_bptt")
        assert sub.kind == "ipynb" and "def deltas" in sub.source and sub.origin.endswith("Übung 3.ipynb")

    def test_link_refused_when_graded(self, tmp_path):
        """A link as a participant's file, or as the participant's folder, is that participant's refusal, never
        followed."""
        (tmp_path / "A_1_assignsubmission_file").mkdir()
        (tmp_path / "A_1_assignsubmission_file" / "rnn_bptt.py").symlink_to(SOLUTION)
        (tmp_path / "B_2_assignsubmission_file").symlink_to(SOLUTION.parent)
        a, b = lms_in.from_folder(tmp_path).entries("rnn_bptt")
        for e in (a, b):
            with pytest.raises(SubmissionError, match="is a symbolic link"):
                e.load("rnn_bptt")

    def test_other_names_left_out(self, tmp_path):
        """Files not named as the LMS names them are listed as left out, not graded."""
        fx.write_folder(tmp_path, fx.moodle_files())
        (tmp_path / "index.html").write_text("")
        d = lms_in.from_folder(tmp_path)
        assert d.ignored == ["index.html"] and len(d.entries("rnn_bptt")) == len(fx.MOODLE_CLASS)


def _zip(path, members, link=None):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return path


class TestArchive:
    def test_same_entries_as_the_folder(self, tmp_path):
        """The downloaded zip, read in memory, gives the same students and files as the folder it unzips to."""
        members = fx.canvas_files()
        z = lms_in.from_archive(fx.write_zip(tmp_path / "c.zip", members))
        f = lms_in.from_folder(fx.write_folder(tmp_path / "c", members))
        assert [(e.student, e.origin) for e in z.entries(None)] == [(e.student, e.origin) for e in f.entries(None)]
        assert z.entries(None)[2].load(None).source == SOLUTION.read_text(encoding="utf-8")

    def test_unsafe_path_refuses_the_archive(self, tmp_path):
        """A member with '..' or an absolute path: no LMS writes it, the archive is refused before grading."""
        for bad in ("../a_1_2_x.py", "/a_1_2_x.py"):
            with pytest.raises(SubmissionError, match="unsafe path"):
                lms_in.from_archive(_zip(tmp_path / "x.zip", {bad: "x"}))

    def test_link_member_and_size(self, tmp_path, monkeypatch):
        """A link member is that student's refusal; a member over its limit too, counted while reading."""
        z = lms_in.from_archive(_zip(tmp_path / "x.zip", {"b_2_6_rnn_bptt.py": "x = 1\n" * 100},
                                     link="a_1_5_rnn_bptt.py"))
        a, b = z.entries("rnn_bptt")
        with pytest.raises(SubmissionError, match="is a symbolic link"):
            a.load("rnn_bptt")
        monkeypatch.setattr(lms_in, "MAX_PY_BYTES", 50)
        with pytest.raises(SubmissionError, match="larger than"):
            b.load("rnn_bptt")

    def test_limits_and_other_zips(self, tmp_path, monkeypatch):
        """Too many members, not a zip, or a zip of no LMS: one-line errors before grading."""
        monkeypatch.setattr(lms_in, "MAX_ARCHIVE_MEMBERS", 2)
        with pytest.raises(SubmissionError, match="holds 3 files"):
            lms_in.from_archive(_zip(tmp_path / "a.zip", {f"a_1_{k}_x.py": "" for k in range(3)}))
        (tmp_path / "b.zip").write_bytes(b"PK\x03\x04 not really")
        with pytest.raises(SubmissionError, match="not a readable zip"):
            lms_in.from_archive(tmp_path / "b.zip")
        with pytest.raises(UserError, match="not an LMS's 'Download all submissions' archive"):
            lms_in.from_archive(_zip(tmp_path / "c.zip", {"alice/rnn_bptt.py": ""}))


class TestReasonsInTheGradedLanguage:
    def test_missing_several_and_link_worded_in_japanese(self, tmp_path):
        """A student with only online text, one with several files, one whose file is a link in the zip: each result
        says why in the graded language (the catalog's, from the reason's facts), with none of its English in
        Japanese; in English the words are as before."""
        from autograder import batch

        z = lms_in.from_archive(_zip(tmp_path / "dl.zip", {
            "Dave Lee_1004_assignsubmission_onlinetext/onlinetext.html": "<p>later</p>",
            "Eve Ito_1006_assignsubmission_file/a.py": "a = 1\n",
            "Eve Ito_1006_assignsubmission_file/b.py": "b = 1\n"}, link="Lin Wu_1007_assignsubmission_file/x.py"))
        notes = {}
        for lang in ("en", "ja"):
            results = batch.grade_class(tmp_path / "dl.zip", "rnn_bptt", tmp_path / lang, jobs=1, lang=lang,
                                        entries=z.entries("rnn_bptt"))
            notes[lang] = {r["lms_id"]: r["notes"] for r in results}
        assert notes["en"] == {
            "1004": ["no .py, .ipynb or .zip file handed in (found: onlinetext.html)"],
            "1006": ["several files handed in (a.py, b.py), not one named after the assignment: hand in only the "
                     "exercise's file"],
            "1007": [f"{tmp_path / 'dl.zip'}:Lin Wu_1007_assignsubmission_file/x.py is a symbolic link: hand in the "
                     f"file itself, not a link"]}
        assert notes["ja"] == {
            "1004": [".py、.ipynb、.zip のファイルが提出されていません（提出されたファイル: onlinetext.html）"],
            "1006": ["複数のファイルが提出されていて（a.py, b.py）、課題の名前のファイルがありません。課題のファイルだけを提出してください"],
            "1007": [f"{tmp_path / 'dl.zip'}:Lin Wu_1007_assignsubmission_file/x.py はシンボリックリンクです。リンクではなく"
                     f"ファイルそのものを提出してください"]}
        for (note,) in notes["ja"].values():
            words = note.replace(str(tmp_path), "")  # the test's own folder is named after it
            assert not re.search(r"handed in|several|named after|symbolic link|hand in", words), note

    def test_member_over_its_limit_worded_in_japanese(self, tmp_path, monkeypatch):
        """A member over its size limit is refused with the limit, in the graded language."""
        monkeypatch.setattr(lms_in, "MAX_PY_BYTES", 2**20)
        z = lms_in.from_archive(_zip(tmp_path / "x.zip", {"b_2_6_rnn_bptt.py": "#" * (2**20 + 1)}))
        with pytest.raises(SubmissionError) as info:
            z.entries("rnn_bptt")[0].load("rnn_bptt")
        from autograder.messages import reason

        assert str(info.value).endswith("b_2_6_rnn_bptt.py is larger than 1 MB: remove data from it (a notebook: "
                                        "Edit > Clear All Outputs) and hand it in again")
        assert reason(info.value, "ja").endswith("b_2_6_rnn_bptt.py は 1 MB を超えています。データを削除して（ノートブックなら "
                                                 "Edit > Clear All Outputs）、もう一度提出してください")


class TestNbgraderRegexp:
    def test_documented_and_matches_moodle_names(self, tmp_path):
        """The named_regexp docs/instructors.md gives finds the participant id and notebook in every Moodle naming,
        through nbgrader's own FileNameCollectorPlugin."""
        from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

        doc = (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
        assert lms_in.MOODLE_NBGRADER_REGEXP in doc
        plugin = FileNameCollectorPlugin(named_regexp=lms_in.MOODLE_NBGRADER_REGEXP)
        s = fx.Student("山田 花子", "1001", (fx.Handed("rnn_bptt.ipynb", "notebook:solution"),))
        for style in ("folders", "folders-4.0", "flat"):
            (name,) = fx.moodle_files([s], style)
            got = plugin.collect(str(tmp_path / "extracted" / "download" / name))
            assert (got["student_id"], got["file_id"]) == ("1001", "rnn_bptt.ipynb"), style
        assert re.match(lms_in.MOODLE_NBGRADER_REGEXP, "/x/alice/rnn_bptt.ipynb") is None
