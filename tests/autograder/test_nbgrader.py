"""rnngrade nbgrader init / autograde against real nbgrader: a course directory, its gradebook, both
autograde paths (plain `nbgrader autograde` in a kernel, and the hardened `rnngrade nbgrader autograde`),
generate_feedback and export."""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.course import filled_release, init_course
from autograder.suites import get_suite
from tests.autograder.test_commands import one_line_error

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
A = "rnn_bptt"
HONEST = ("alice", "bob", "carol", "erin", "frank")
NOISY_FORWARD = '''
_forward = forward


def forward(*args, **kwargs):
    import sys
    import warnings

    import numpy as np

    print("debugging forward", file=sys.stderr)
    warnings.warn("a warning of the student's own")
    np.exp(np.array([1000.0]))  # overflow: a numpy RuntimeWarning
    return _forward(*args, **kwargs)
'''
TAMPER = '''
try:  # replace the checks with ones that award every point
    import autograder.selfcheck as _s
    from autograder.suites import get_suite as _g
    _s.check = lambda a, f, *args, **kw: float(_g(a).points[f])
except Exception:
    pass
'''


#: nbgrader runs `alembic` by name: the venv's bin must be on PATH, as it is once the venv is activated
ENV = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")


def nbgrader(*args, cwd, check=True):
    r = subprocess.run([str(BIN / "nbgrader"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                       timeout=900, env=ENV)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def rnngrade(*args, cwd=None):
    return subprocess.run([str(BIN / "rnngrade"), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=900)


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def text_of(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def submissions(course: Path) -> dict:
    """student -> notebook bytes: the release filled in from the source notebook, with or without bugs."""
    release = json.loads((course / "release" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
    source = json.loads((course / "source" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
    empty = {"cells": []}  # nothing filled in: the release as it is

    def notebook(src=source, **kw):
        return json.dumps(filled_release(release, src, **kw)).encode("utf-8")

    return {
        "alice": notebook(),
        "bob": notebook(edits=[("dz = W.T @ delta_next", "dz = W @ delta_next")]),
        "carol": notebook(empty),
        "erin": notebook(edits=[("return D @ Z_tilde", "return D @ Z")]),
        "frank": notebook(extra={"forward": NOISY_FORWARD}),
        "dave": b'{"cells": [',
        "mallory": notebook(empty, extra={"forward": TAMPER}),
        "gina": json.dumps(without_metadata(filled_release(release, source))).encode("utf-8"),
    }


def without_metadata(nb: dict) -> dict:
    """A notebook whose cells lost their nbgrader metadata (copied into a new notebook, say)."""
    for cell in nb["cells"]:
        cell["metadata"].pop("nbgrader", None)
    return nb


#: students added to the hardened course only: ids that sanitise to one file name, and hostile files
SIMILAR = ("eve+1", "eve_1")
HOSTILE = ("oscar", "paul", "quinn")


def add_hostile_students(course: Path) -> None:
    """eve+1 (honest) and eve_1 (the untouched release), oscar whose notebook is a link to alice's, paul with a
    link to /dev/zero beside an honest notebook, quinn with a FIFO beside one."""
    sub = course / "submitted"
    honest = (sub / "alice" / A / f"{A}.ipynb").read_bytes()
    for student, data in (("eve+1", honest), ("eve_1", (course / "release" / A / f"{A}.ipynb").read_bytes()),
                          ("paul", honest), ("quinn", honest)):
        (sub / student / A).mkdir(parents=True)
        (sub / student / A / f"{A}.ipynb").write_bytes(data)
    (sub / "oscar" / A).mkdir(parents=True)
    (sub / "oscar" / A / f"{A}.ipynb").symlink_to(f"../../alice/{A}/{A}.ipynb")
    (sub / "paul" / A / "data.npy").symlink_to("/dev/zero")
    os.mkfifo(sub / "quinn" / A / "pipe")


def copy_course(src: Path, dest: Path) -> None:
    """A copy of a course holding hostile submissions: links copied as links (shutil.copytree's default would
    read paul's /dev/zero until the disk is full), FIFOs left out (reading one waits forever)."""
    shutil.copytree(src, dest, symlinks=True, ignore=lambda folder, names: [
        n for n in names if stat.S_ISFIFO(os.lstat(os.path.join(folder, n)).st_mode)])


def grades(course: Path) -> dict:
    """student -> {grade id: auto score} (None when nbgrader recorded no submission)."""
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.nbgrade import alembic_on_path

    alembic_on_path()
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "rnn") as gb:
            for s in gb.students:
                try:
                    nb = gb.find_submission_notebook(A, A, s.id)
                except MissingEntry:
                    out[s.id] = None
                    continue
                out[s.id] = {g.name: g.auto_score for g in nb.grades}
    return out


def total(cells) -> float:
    return sum(v or 0.0 for v in cells.values())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One course, graded twice from the same submissions: plain nbgrader, then the hardened path."""
    base = tmp_path_factory.mktemp("nbgrader")
    course = base / "course"
    init_course(course, ROOT, [A])
    nbgrader("generate_assignment", A, cwd=course)
    nbgrader("db", "student", "add", "alice", "--first-name", "Alice", "--last-name", "Liddell",
             "--email", "alice@example.org", "--lms-user-id", "1001", cwd=course)
    for student, data in submissions(course).items():
        folder = course / "submitted" / student / A
        folder.mkdir(parents=True)
        (folder / f"{A}.ipynb").write_bytes(data)
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC\n")
    plain, hardened = base / "plain", base / "hardened"
    shutil.copytree(course, plain)
    shutil.copytree(course, hardened)
    add_hostile_students(hardened)
    plain_run = nbgrader("autograde", A, cwd=plain, check=False)
    templates = set(Path(tempfile.gettempdir()).glob("rnngrade-template-*"))
    hard_run = rnngrade("nbgrader", "autograde", A, "--course", hardened, "-j", "2")
    assert hard_run.returncode == 0, hard_run.stdout + hard_run.stderr
    left = set(Path(tempfile.gettempdir()).glob("rnngrade-template-*")) - templates
    return {"plain": plain, "hardened": hardened, "plain_run": plain_run, "hard_run": hard_run,
            "plain_grades": grades(plain), "hard_grades": grades(hardened), "templates_left": left}


class TestInit:
    def test_creates_a_standard_course(self, tmp_path):
        """init writes nbgrader_config.py (course id, SQLite gradebook in the course, cell timeout) and the source notebooks."""
        r = invoke("nbgrader", "init", tmp_path / "c", "--assignments", "rnn_bptt,gru", "--course-id", "rnn-2026")
        assert r.exit_code == 0, r.output
        config = (tmp_path / "c" / "nbgrader_config.py").read_text()
        assert "course_id = 'rnn-2026'" in config and "gradebook.db" in config and "Execute.timeout = 120" in config
        for name in ("rnn_bptt", "gru"):
            assert (tmp_path / "c" / "source" / name / f"{name}.ipynb").read_bytes() == \
                (ROOT / "solutions" / name / f"{name}.ipynb").read_bytes()
        assert not (tmp_path / "c" / "source" / "lstm").exists()

    def test_config_loads_in_nbgrader(self, tmp_path):
        """nbgrader itself reads the course id and the gradebook's URL from the written config."""
        init_course(tmp_path / "c", ROOT, [A], "kit")
        r = nbgrader("db", "assignment", "list", cwd=tmp_path / "c")
        assert (tmp_path / "c" / "gradebook.db").is_file(), r.stdout + r.stderr
        from autograder.nbgrade import db_url, load_config

        cfg = load_config(tmp_path / "c")
        assert cfg.CourseDirectory.course_id == "kit"
        assert db_url(tmp_path / "c", cfg) == f"sqlite:///{tmp_path / 'c' / 'gradebook.db'}"

    def test_second_run_keeps_gradebook_submissions_and_config(self, tmp_path):
        """Running init again leaves the gradebook, submissions and an edited config byte for byte, and refreshes source/."""
        c = tmp_path / "c"
        init_course(c, ROOT, [A])
        (c / "nbgrader_config.py").write_text((c / "nbgrader_config.py").read_text() + "# mine\n")
        (c / "gradebook.db").write_bytes(b"not touched")
        (c / "submitted" / "alice" / A).mkdir(parents=True)
        (c / "submitted" / "alice" / A / f"{A}.ipynb").write_bytes(b"hers")
        stale = c / "source" / A / f"{A}.ipynb"
        stale.write_text("{}")
        r = invoke("nbgrader", "init", c, "--assignments", A)
        assert r.exit_code == 0, r.output
        assert "kept as it is" in r.output
        assert (c / "nbgrader_config.py").read_text().endswith("# mine\n")
        assert (c / "gradebook.db").read_bytes() == b"not touched"
        assert (c / "submitted" / "alice" / A / f"{A}.ipynb").read_bytes() == b"hers"
        assert stale.read_bytes() == (ROOT / "solutions" / A / f"{A}.ipynb").read_bytes()

    def test_second_run_keeps_the_course_s_assignments_and_secret(self, tmp_path):
        """init without --assignments on an existing course refreshes its own exercises, not all ten; the secret
        of the hidden inputs is written once (mode 0640) and kept."""
        c = tmp_path / "c"
        assert invoke("nbgrader", "init", c, "--assignments", "lstm,gru").exit_code == 0
        secret = (c / ".rnngrade-secret").read_bytes()
        assert (c / ".rnngrade-secret").stat().st_mode & 0o777 == 0o640
        r = invoke("nbgrader", "init", c)
        assert r.exit_code == 0 and "2 assignments (lstm, gru)" in r.output, r.output
        assert sorted(p.name for p in (c / "source").iterdir()) == ["gru", "lstm"]
        assert (c / ".rnngrade-secret").read_bytes() == secret

    def test_copies_data_files_not_the_kit_sources(self, tmp_path):
        """Files beside an exercise's notebook go to source/ too; its .py sources do not."""
        kit = tmp_path / "kit"
        ex = kit / "solutions" / "ex"
        (ex / "data").mkdir(parents=True)
        (ex / "ex.ipynb").write_text("{}")
        (ex / "ex.py").write_text("x = 1")
        (ex / "ex.nb.py").write_text("# %%")
        (ex / "data" / "series.csv").write_text("1,2\n")
        rep = init_course(tmp_path / "c", kit, ["ex"])
        src = tmp_path / "c" / "source" / "ex"
        assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()) == \
            ["data/series.csv", "ex.ipynb"]
        assert rep.config_written

    def test_bad_input(self, tmp_path):
        """Unknown assignment, a file as the course, a clashing course id: exit 2, one line, nothing written."""
        one_line_error(invoke("nbgrader", "init", tmp_path / "c", "--assignments", "rnn_bptt,nope"),
                       "unknown assignment 'nope'")
        assert not (tmp_path / "c").exists()
        (tmp_path / "f").write_text("x")
        one_line_error(invoke("nbgrader", "init", tmp_path / "f"), "is a file, not a folder")
        init_course(tmp_path / "c", ROOT, [A])
        one_line_error(invoke("nbgrader", "init", tmp_path / "c", "--course-id", "other"),
                       "already sets course_id 'rnn'")
        one_line_error(invoke("nbgrader", "init", tmp_path / "d", "--course-id", "a b"), "is not usable")

    def test_subprocess(self, tmp_path):
        """A real `rnngrade nbgrader init` process."""
        r = rnngrade("nbgrader", "init", tmp_path / "c", "--assignments", A)
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "c" / "source" / A / f"{A}.ipynb").is_file()


class TestBothPaths:
    def test_grading_processes_leave_no_template_folder(self, graded):
        """Each grading process of `rnngrade nbgrader autograde` closes its worker template when it ends: no
        rnngrade-template-* folder is left in the temporary folder."""
        assert graded["templates_left"] == set()

    def test_honest_submissions_score_the_same_per_cell(self, graded):
        """For honest submissions plain nbgrader and rnngrade record identical points in every grade cell."""
        plain, hard = graded["plain_grades"], graded["hard_grades"]
        for s in HONEST:
            assert plain[s] is not None and plain[s] == hard[s], s
        full = get_suite(A).max_score
        assert total(hard["alice"]) == full
        assert total(hard["carol"]) == 0
        assert 0 < total(hard["bob"]) < full and 0 < total(hard["erin"]) < full
        assert hard["bob"]["test_deltas"] < get_suite(A).points["deltas"]
        assert hard["erin"]["test_grad_W"] == 0

    def test_stderr_and_warnings_cost_no_points_in_the_kernel(self, graded):
        """A forward that prints to stderr and warns still earns full points in plain nbgrader's kernel."""
        assert total(graded["plain_grades"]["frank"]) == get_suite(A).max_score

    def test_broken_notebook_gets_zero_and_the_reason(self, graded):
        """A broken notebook: plain nbgrader records nothing; rnngrade records zeros and says why in the notebook."""
        assert graded["plain_grades"]["dave"] is None or all(v is None for v in graded["plain_grades"]["dave"].values())
        hard = graded["hard_grades"]["dave"]
        assert hard and set(hard.values()) == {0.0}
        nb = (graded["hardened"] / "autograded" / "dave" / A / f"{A}.ipynb").read_text(encoding="utf-8")
        # the notebooks' language (Japanese) in the student's cells; English on the TA's command line
        assert f"{A}.ipynb は正しいノートブックではありません" in nb and "is not a valid notebook" not in nb
        assert "dave: 0 / 15" in graded["hard_run"].stdout and "is not a valid notebook" in graded["hard_run"].stdout

    def test_test_cells_without_metadata_left_to_a_grader(self, graded):
        """Test cells that lost their metadata get no automatic points on either path, and rnngrade says so."""
        assert graded["plain_grades"]["gina"] == graded["hard_grades"]["gina"]
        assert set(graded["hard_grades"]["gina"].values()) == {None}
        line = next(ln for ln in graded["hard_run"].stdout.splitlines() if ln.startswith("gina:"))
        assert "lost their nbgrader metadata" in line and "manual grading" in line

    def test_summary_names_test_cells_without_metadata(self, graded):
        """The run's summary names the students whose test cells lost their metadata, and only them."""
        lines = graded["hard_run"].stdout.splitlines()
        line = next(ln for ln in lines if "lost their nbgrader metadata, to grade" in ln)
        assert line.startswith("1 with test cells") and line.endswith(": gina")

    def test_tampering_fools_the_kernel_only(self, graded):
        """An answer cell that replaces the checks gets full marks from plain nbgrader and zero from rnngrade."""
        assert total(graded["plain_grades"]["mallory"]) == get_suite(A).max_score
        assert total(graded["hard_grades"]["mallory"]) == 0

    def test_autograded_notebooks_carry_the_feedback(self, graded):
        """Each autograded test cell shows rnngrade's summary line and hint, and its points as the output."""
        nb = json.loads((graded["hardened"] / "autograded" / "bob" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
        cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_deltas")
        stdout = "".join(text_of({"source": o["text"]}) for o in cell["outputs"] if o["output_type"] == "stream")
        assert "✗ deltas" in stdout and "Wᵀ" in stdout
        result = next(o for o in cell["outputs"] if o["output_type"] == "execute_result")
        assert float(text_of({"source": result["data"]["text/plain"]})) == graded["hard_grades"]["bob"]["test_deltas"]

    def test_timestamp_and_students_recorded_by_nbgrader(self, graded):
        """nbgrader's own bookkeeping happens: the submission's timestamp, and a student created on the fly."""
        from nbgrader.api import Gradebook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Gradebook(f"sqlite:///{graded['hardened'] / 'gradebook.db'}", "rnn") as gb:
                sub = gb.find_submission(A, "alice")
                assert sub.timestamp.year == 2026 and sub.timestamp.day == 20
                assert {s.id for s in gb.students} >= set(HONEST) | {"dave", "mallory"}

    def test_generate_feedback_and_lms_export(self, graded, tmp_path):
        """generate_feedback and `nbgrader export` with the shipped Moodle and Canvas exporters work on the result."""
        course = graded["hardened"]
        nbgrader("generate_feedback", A, cwd=course)
        html = (course / "feedback" / "bob" / A / f"{A}.html").read_text(encoding="utf-8")
        assert "✗ deltas" in html
        nbgrader("export", "--exporter=autograder.lms.MoodleExporter", "--to", tmp_path / "m.csv", cwd=course)
        nbgrader("export", "--exporter=autograder.lms.CanvasExporter", "--to", tmp_path / "c.csv", cwd=course)
        import csv

        moodle = list(csv.DictReader((tmp_path / "m.csv").read_text().splitlines()))
        totals = {s: total(g) for s, g in graded["hard_grades"].items() if s != "gina"}
        assert {r["Username"]: float(r[A]) for r in moodle if r["Username"] != "gina"} == pytest.approx(totals)
        alice = next(r for r in moodle if r["Username"] == "alice")
        assert (alice["First name"], alice["Email address"], alice["ID number"]) == ("Alice", "alice@example.org", "1001")
        canvas = list(csv.DictReader((tmp_path / "c.csv").read_text().splitlines()))
        assert canvas[0]["Student"].strip() == "Points Possible" and float(canvas[0][A]) == 15
        assert {r["SIS Login ID"]: float(r[A]) for r in canvas[1:] if r["SIS Login ID"] != "gina"} == \
            pytest.approx(totals)
        # gina's test cells lost their metadata: her grade waits for formgrader, blank rather than a silent 0
        assert next(r for r in moodle if r["Username"] == "gina")[A] == ""
        assert next(r for r in canvas if r["SIS Login ID"] == "gina")[A] == ""
        assert next(r for r in canvas if r["SIS Login ID"] == "alice")["Student"] == "Liddell, Alice"

    def test_through_a_dask_cluster(self, graded, tmp_path):
        """`rnngrade nbgrader autograde --scheduler local:2` (a real process; Dask workers grade, this process writes
        the gradebook) records the same points per cell as the local run, hostile submissions included."""
        course = tmp_path / "course"
        shutil.copytree(graded["plain"].parent / "course", course)
        add_hostile_students(course)
        some = ("alice", "bob", "dave", "mallory", "oscar", "paul")  # honest, buggy, broken, tampering, links
        r = rnngrade("nbgrader", "autograde", A, "--course", course, "--scheduler", "local:2",
                     *[f"--student={s}" for s in some])
        assert r.returncode == 0, r.stdout + r.stderr
        assert {s: g for s, g in grades(course).items() if s in some} == {s: graded["hard_grades"][s] for s in some}
        assert "dave: 0 / 15" in r.stdout and "autograding rnn_bptt: 6/6 done in" in r.stderr

    def test_resume_then_force_one_student(self, graded, tmp_path):
        """A second run skips everyone already autograded; --force --student grades just that one again."""
        course = tmp_path / "again"
        copy_course(graded["hardened"], course)
        r = invoke("nbgrader", "autograde", A, "--course", course)
        assert r.exit_code == 0, r.output
        assert r.output.count("already autograded") == 8 + len(SIMILAR) + len(HOSTILE)
        before = grades(course)
        r = invoke("nbgrader", "autograde", A, "--course", course, "--force", "--student", "bob")
        assert r.exit_code == 0, r.output
        assert "bob: 13.2 / 15" in r.output and "alice" not in r.output
        assert grades(course) == before



def mathjax_scripts(html: str) -> list:
    """The src of every <script> in a feedback HTML that loads MathJax."""
    import re

    return [src for src in re.findall(r"<script[^>]*\ssrc=[\"']([^\"']+)[\"']", html) if "mathjax" in src.lower()]


class TestFeedbackMathJax:
    def test_feedback_loads_mathjax_from_a_local_file(self, graded):
        """generate_feedback's HTML loads MathJax from an existing local file, and names no CDN or web URL for it."""
        from urllib.parse import urlparse
        from urllib.request import url2pathname

        course = graded["plain"]
        nbgrader("generate_feedback", A, "--student", "alice", cwd=course)
        html = (course / "feedback" / "alice" / A / f"{A}.html").read_text(encoding="utf-8")
        assert "$" in html and "MathJax.Hub.Config" in html  # the equations are there, for MathJax to typeset
        scripts = mathjax_scripts(html)
        assert len(scripts) == 1, scripts
        url = urlparse(scripts[0])
        assert url.scheme == "file", scripts[0]
        assert Path(url2pathname(url.path)).is_file(), scripts[0]
        import re

        assert not re.findall(r"(?i)(?:https?:|[\"'=(]\s*)//[^\"'\s]*mathjax", html)  # no web address of MathJax anywhere

    def test_config_without_the_package_keeps_working(self, tmp_path):
        """The written config still loads in nbgrader where jupyter-server-mathjax is missing (the CDN as before)."""
        init_course(tmp_path / "c", ROOT, [A])
        config = (tmp_path / "c" / "nbgrader_config.py").read_text(encoding="utf-8")
        assert "c.GenerateFeedback.exporter_class = LocalMathJaxHTMLExporter" in config
        (tmp_path / "hide").mkdir()
        (tmp_path / "hide" / "jupyter_server_mathjax.py").write_text("raise ImportError('not installed')\n")
        env = dict(ENV, PYTHONPATH=str(tmp_path / "hide"))
        r = subprocess.run([str(BIN / "nbgrader"), "db", "assignment", "list"], cwd=tmp_path / "c",
                           capture_output=True, text=True, timeout=300, env=env)
        assert r.returncode == 0, r.stdout + r.stderr


class TestHostileSubmissions:
    def test_similar_ids_keep_their_own_results(self, graded):
        """eve+1 and eve_1 (one safe file name) each get their own grade: full marks and zero."""
        hard = graded["hard_grades"]
        assert total(hard["eve+1"]) == get_suite(A).max_score and total(hard["eve_1"]) == 0
        assert "eve+1: 15 / 15" in graded["hard_run"].stdout

    def test_linked_notebook_gets_zero_and_the_reason(self, graded):
        """A notebook that is a link to alice's gets 0 and the reason in its autograded notebook; alice keeps hers."""
        hard = graded["hard_grades"]
        assert set(hard["oscar"].values()) == {0.0} and total(hard["alice"]) == get_suite(A).max_score
        reason = f"submitted/oscar/{A}/{A}.ipynb is a symbolic link: hand in the file itself, not a link"
        said = f"submitted/oscar/{A}/{A}.ipynb はシンボリックリンクです。リンクではなくファイルそのものを提出してください"
        nb = (graded["hardened"] / "autograded" / "oscar" / A / f"{A}.ipynb").read_text(encoding="utf-8")
        assert said in nb and reason not in nb  # the notebooks' language in the student's cells
        assert reason in next(ln for ln in graded["hard_run"].stdout.splitlines() if ln.startswith("oscar:"))

    def test_special_files_refused_not_copied(self, graded):
        """A link to /dev/zero or a FIFO in a submission gets 0 and the reason (the run did not hang or fill /tmp)."""
        hard = graded["hard_grades"]
        assert set(hard["paul"].values()) == {0.0} and set(hard["quinn"].values()) == {0.0}
        lines = {ln.split(":")[0]: ln for ln in graded["hard_run"].stdout.splitlines()}
        assert f"submitted/paul/{A}/data.npy is a symbolic link" in lines["paul"]
        assert f"submitted/quinn/{A}/pipe is not a regular file (a FIFO)" in lines["quinn"]
        assert not (graded["hardened"] / "autograded" / "paul" / A / "data.npy").exists()


class TestReasonsInTheNotebooksLanguage:
    """A notebook that cannot be graded: the reason in each test cell in the notebooks' language (the catalog's words
    from the reason's facts), its English for the TA."""

    ENGLISH = re.compile(r"not graded|points|handed in|holds no|not a valid|open it|symbolic link|hand in|grade it by")

    def test_stage_reasons_and_error_lines(self, tmp_path):
        """No notebook, a broken one, a link: the reasons are the catalog's, in Japanese with none of their English,
        and in English as before."""
        from autograder.nbgrade import _error_lines, _Job, _stage

        sub = tmp_path / "course" / "submitted"
        for student in ("ann", "ben", "cat"):
            (sub / student / A).mkdir(parents=True)
        (sub / "ben" / A / f"{A}.ipynb").write_text('{"cells": [', encoding="utf-8")
        (sub / "cat" / A / f"{A}.ipynb").symlink_to(ROOT / "solutions" / A / f"{A}.ipynb")
        job = _Job(tmp_path / "course", A, tmp_path / "stage", None, None, "ja")
        reasons = {student: _stage(job, None, student) for student in ("ann", "ben", "cat")}
        assert all(path is None for path, _ in reasons.values())
        assert reasons["ann"][1] == f"no {A}.ipynb was handed in (submitted/ann/{A}/ holds no notebook)"
        assert reasons["ben"][1].startswith(f"{A}.ipynb is not a valid notebook (")
        assert reasons["cat"][1] == f"submitted/cat/{A}/{A}.ipynb is a symbolic link: hand in the file itself, not a " \
                                    f"link"
        points = get_suite(A).points
        for student, (_, why) in reasons.items():
            lines = _error_lines(A, why, "ja")
            assert sorted(lines) == sorted(points) and all(v["points"] == 0.0 for v in lines.values())
            for f, v in lines.items():
                (line,) = v["lines"]
                assert line.startswith(f"✗ {f}: 採点できませんでした（0 / {points[f]} 点）: "), line
                assert not self.ENGLISH.search(line.replace(str(tmp_path), "")), line
            assert _error_lines(A, why)["forward"]["lines"] == [f"✗ forward: not graded (0 / {points['forward']} "
                                                                f"points): {why}"]
        assert _error_lines(A, reasons["ann"][1], "ja")["forward"]["lines"][0].endswith(
            f": {A}.ipynb が提出されていません（submitted/ann/{A}/ にノートブックがありません）")

    def test_unknown_test_cell_in_the_notebooks_language(self, tmp_path):
        """A test cell that is none of the kit's is left to a grader, said in the language of the results file."""
        import nbformat

        from autograder.nbgrade import RnngradeScores, _error_lines, _write_results

        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "assert True", metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "test_bonus",
                                                  "points": 1}})])
        for lang, said in (("en", "✗ bonus: not graded: this test cell is not one of the kit's (test_bonus); grade it "
                                  "by hand\n"),
                           ("ja", "✗ bonus: 採点されていません。このテストセル（test_bonus）はキットのものではありません。"
                                  "手作業で採点してください\n")):
            _write_results(tmp_path, "ann", _error_lines(A, "why", lang), "why", lang)
            out, _ = RnngradeScores(results_dir=str(tmp_path), names={"ann": "ann"}).preprocess(
                nbformat.from_dict(nb), {"nbgrader": {"student": "ann"}})
            assert out.cells[0].outputs[0]["text"] == said


class TestStudentsOf:
    def test_links_name_students_without_being_followed(self, tmp_path):
        """Real folders and links (as student or assignment folder) are students; files and hidden names are not."""
        from autograder.nbgrade import students_of

        sub = tmp_path / "submitted"
        (sub / "ann" / A).mkdir(parents=True)
        (sub / "ben").mkdir()
        (sub / "ben" / A).symlink_to(sub / "ann" / A)
        (sub / "cat").symlink_to(sub / "ann")
        (sub / "dan").mkdir()
        (sub / "README").write_text("")
        (sub / ".hidden" / A).mkdir(parents=True)
        assert students_of(tmp_path, A) == ["ann", "ben", "cat"]

    def test_submitted_link_refused(self, tmp_path):
        """submitted/ as a link is a one-line CourseError."""
        from autograder.course import CourseError
        from autograder.nbgrade import students_of

        (tmp_path / "elsewhere" / "ann" / A).mkdir(parents=True)
        (tmp_path / "submitted").symlink_to(tmp_path / "elsewhere")
        with pytest.raises(CourseError, match="submitted is a symbolic link"):
            students_of(tmp_path, A)


class TestAutogradeBadInput:
    @pytest.fixture
    def course(self, tmp_path):
        c = tmp_path / "c"
        init_course(c, ROOT, [A, "lstm"])
        nbgrader("generate_assignment", A, cwd=c)
        return c

    def test_not_a_course(self, tmp_path):
        """A missing folder, or one without nbgrader_config.py: exit 2 naming the fix."""
        one_line_error(invoke("nbgrader", "autograde", A, "--course", tmp_path / "nope"), "is not a folder")
        one_line_error(invoke("nbgrader", "autograde", A, "--course", tmp_path), "rnngrade nbgrader init")

    def test_unknown_or_ungenerated_assignment(self, course):
        """An assignment the kit does not have, or one not generated in nbgrader yet: exit 2."""
        one_line_error(invoke("nbgrader", "autograde", "nope", "--course", course), "unknown assignment 'nope'")
        one_line_error(invoke("nbgrader", "autograde", "lstm", "--course", course), "nbgrader generate_assignment lstm")

    def test_nothing_submitted_or_unknown_student(self, course):
        """No submissions, or a --student without one: exit 2, and the gradebook keeps its state."""
        db = (course / "gradebook.db").read_bytes()
        one_line_error(invoke("nbgrader", "autograde", A, "--course", course), "nbgrader collect")
        (course / "submitted" / "alice" / A).mkdir(parents=True)
        one_line_error(invoke("nbgrader", "autograde", A, "--course", course, "--student", "zed"),
                       "student 'zed' has no submitted")
        assert (course / "gradebook.db").read_bytes() == db


class TestExportRows:
    @staticmethod
    def gradebook(needs_manual: bool):
        from types import SimpleNamespace as NS

        from nbgrader.api import MissingEntry

        def find_submission(assignment, student):
            if student == "carol":
                raise MissingEntry()
            return NS(score=9.0 if student == "alice" else 0.0, late_submission_penalty=0.0,
                      needs_manual_grade=needs_manual and student == "gina")

        people = [NS(id=i, first_name="", last_name="", email="", lms_user_id="") for i in ("alice", "carol", "gina")]
        return NS(assignments=[NS(name=A, max_score=15.0)], students=people, find_submission=find_submission)

    def test_pending_grade_left_blank(self):
        """A submission waiting for manual grading is blank in both layouts; nothing handed in stays 0 in Moodle's."""
        from autograder.lms import pending_grades, render, rows_from_gradebook

        rows, assignments = rows_from_gradebook(self.gradebook(True))
        assert pending_grades(rows) == [f"gina/{A}"]
        moodle = render("moodle-gradebook", rows, assignments).splitlines()
        assert [ln.rsplit(",", 1)[1] for ln in moodle[1:]] == ["9", "0", ""]
        canvas = render("canvas", rows, assignments).splitlines()
        assert [ln.rsplit(",", 1)[1] for ln in canvas[1:]] == ["9", "", ""]

    def test_graded_submission_exported(self):
        """Without cells waiting for a human, gina's 0 is exported as 0."""
        from autograder.lms import pending_grades, render, rows_from_gradebook

        rows, assignments = rows_from_gradebook(self.gradebook(False))
        assert pending_grades(rows) == []
        assert render("moodle-gradebook", rows, assignments).splitlines()[3].endswith(",0")
