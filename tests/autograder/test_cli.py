"""The rnngrade console script that pyproject.toml installs; list, check and batch as a student and a TA use them."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import __version__, api, batch
from autograder.cli import main
from autograder.course import filled_release
from autograder.seeds import inputs_for
from autograder.submission import load_submission
from autograder.suites import get_suite


class TestEntryPoint:
    def test_version_option(self):
        """`rnngrade --version` prints the package version."""
        result = CliRunner().invoke(main, ["--version"])
        assert result.exit_code == 0
        assert result.output.strip() == f"rnngrade, version {__version__}"

    def test_installed_script_runs(self, tmp_path):
        """The installed `rnngrade` script runs as a real process."""
        script = Path(sys.executable).with_name("rnngrade")
        assert script.exists(), f"console script not installed next to {sys.executable}"
        proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "rnngrade" in proc.stdout and "Usage:" in proc.stdout

    def test_quick_exit_keeps_output_and_exit_code(self, tmp_path):
        """grade and check end without the interpreter's teardown, yet their whole output is there and their exit
        codes are the command's: 0 with the full report on stdout and the note on stderr, 2 for a missing path."""
        script = str(Path(sys.executable).with_name("rnngrade"))
        sol = str(ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py")
        ok = subprocess.run([script, "grade", sol], capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.rstrip().splitlines()[-1].startswith("graded in ") and "15 / 15" in ok.stdout
        assert "note: no course secret" in ok.stderr
        check = subprocess.run([script, "check", sol], capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert check.returncode == 0 and "adam_step" in check.stdout, check.stderr
        bad = subprocess.run([script, "grade", str(tmp_path / "missing.py")], capture_output=True, text=True,
                             timeout=60, cwd=tmp_path)
        assert bad.returncode == 2 and bad.stderr.startswith("Error: ") and bad.stdout == ""

    def test_quick_exit_after_batch_keeps_every_file(self, tmp_path):
        """batch ends without the interpreter's teardown too, with its summary printed, the CSV, each student's result,
        summary.png and report.html written whole, and exit code 3 when a submission could not be graded."""
        script = str(Path(sys.executable).with_name("rnngrade"))
        klass = tmp_path / "class"
        for student, text in {"alice": (ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py").read_text(encoding="utf-8"),
                              "bob": ""}.items():
            (klass / student).mkdir(parents=True)
            (klass / student / "rnn_bptt.py").write_text(text, encoding="utf-8")
        p = subprocess.run([script, "batch", str(klass), "-o", str(tmp_path / "g.csv"), "--results",
                            str(tmp_path / "r")], capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert p.returncode == 3, p.stderr
        assert "2 submissions (1 graded)" in p.stdout and "bob" in p.stdout and p.stdout.endswith("report.html\n")
        assert (tmp_path / "g.csv").read_text(encoding="utf-8").count("\n") == 3
        assert json.loads((tmp_path / "r" / "alice.json").read_text(encoding="utf-8"))["score"] == 15
        assert (tmp_path / "r" / "summary.png").read_bytes().startswith(b"\x89PNG")
        assert (tmp_path / "r" / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")

    def test_command_line_loads_no_numpy_before_it_grades(self):
        """Importing the command line, the registry and the runner's template starter loads no numpy (the worker
        template loads it in parallel), and the registry lists the same exercises as the suites."""
        code = ("import sys, autograder.cli, autograder.registry as r, autograder.runner\n"
                "assert 'numpy' not in sys.modules, 'numpy'\n"
                "import autograder.suites as s\n"
                "assert s.ASSIGNMENTS == r.ASSIGNMENTS and len(r.ASSIGNMENTS) >= 13\n"
                "assert [s.get_suite(a).assignment for a in r.ASSIGNMENTS] == list(r.ASSIGNMENTS)\n")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------- list, check, batch

ROOT = Path(__file__).resolve().parents[2]
A = "rnn_bptt"
SOLUTION = ROOT / "solutions" / A / f"{A}.py"
#: the points of the visible cases, what `rnngrade check` grades
VISIBLE = round(sum(c.points for c in get_suite(A).cases if c.visible), 9)
RELEASE = json.loads((ROOT / "assignments" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
SOURCE = json.loads((ROOT / "solutions" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
RNNGRADE = str(Path(sys.executable).with_name("rnngrade"))


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)


def proc(*args, env=None, cwd=None):
    full = {k: v for k, v in os.environ.items() if k != "RNNGRADE_LANG"}
    full.update(env or {})
    return subprocess.run([RNNGRADE, *map(str, args)], capture_output=True, text=True, timeout=600, env=full, cwd=cwd)


@pytest.fixture(autouse=True)
def no_lang_variable(monkeypatch):
    monkeypatch.delenv("RNNGRADE_LANG", raising=False)


class TestList:
    def test_columns_aligned(self):
        """Every line's points end at the same column, and the cases' counts start at the same column."""
        r = run("list")
        assert r.exit_code == 0, r.output
        ends = {m.end() for ln in r.output.splitlines() for m in [re.search(r"\d+ points?", ln)]}
        assert len(ends) == 1

    def test_singular_point(self):
        """A function worth 1 point says '1 point', never '1 points'."""
        out = run("list").output
        assert re.search(r"\b1 point  ", out) and not re.search(r"\b1 points", out)

    def test_extra_needed_when_missing(self, monkeypatch):
        """Without scikit-learn, classify's line says the pip command that installs its extra; others say nothing."""
        import importlib.util

        real = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "sklearn" else real(name, *a))
        needs = [ln for ln in run("list").output.splitlines() if "needs:" in ln]
        assert needs == [next(ln for ln in needs if ln.startswith("classify"))]
        assert needs[0].endswith("needs: pip install 'rnn-exercise-kit[classify]'")

    def test_subprocess(self):
        """`rnngrade list` as a process: classify's extra is installed here, so nothing is needed."""
        p = proc("list")
        assert p.returncode == 0 and "classify" in p.stdout and "needs:" not in p.stdout


class TestCheck:
    @pytest.mark.parametrize("name", ["rnn_bptt-Copy1.ipynb", "rnn_bptt (1).ipynb", "rnn_bptt_v2.ipynb"])
    def test_copy_names(self, tmp_path, name):
        """A Jupyter or browser copy is checked as its exercise, without -a."""
        (tmp_path / name).write_text(json.dumps(filled_release(RELEASE, SOURCE)), encoding="utf-8")
        r = run("check", tmp_path / name, "--lang", "en")
        assert r.exit_code == 0, r.output
        assert r.output.startswith(f"{A} — {tmp_path.name}: {VISIBLE:g} / {VISIBLE:g} points")  # every visible case passed

    def test_folder_with_both_files(self, tmp_path):
        """A folder with rnn_bptt.py and rnn_bptt.ipynb: the report names the notebook as the file graded."""
        shutil.copy(SOLUTION, tmp_path / f"{A}.py")
        (tmp_path / f"{A}.ipynb").write_text(json.dumps(RELEASE), encoding="utf-8")
        r = run("check", tmp_path, "--lang", "en")
        assert r.exit_code == 0, r.output
        assert "graded rnn_bptt.ipynb" in r.output and "a notebook is graded before a .py" in r.output

    def test_empty_file(self, tmp_path):
        """An empty file: 'the file is empty' once, and not 'not found' per function."""
        (tmp_path / f"{A}.py").write_text("# nothing yet\n")
        r = run("check", tmp_path / f"{A}.py", "--lang", "en")
        assert r.exit_code == 0, r.output
        assert r.output.count("the file is empty") == 1 and "not found" not in r.output

    def test_language_from_environment(self, tmp_path):
        """RNNGRADE_LANG=ja gives Japanese on the command line; --lang en overrides it."""
        shutil.copy(SOLUTION, tmp_path / f"{A}.py")
        ja = run("check", tmp_path / f"{A}.py", env={"RNNGRADE_LANG": "ja", "LANG": "C.UTF-8"})
        en = run("check", tmp_path / f"{A}.py", "--lang", "en", env={"RNNGRADE_LANG": "ja"})
        assert re.search(r"[\u3040-\u30ff]", ja.output) and not re.search(r"[\u3040-\u30ff]", en.output)

    def test_subprocess_copy_name(self, tmp_path):
        """`rnngrade check rnn_bptt-Copy1.ipynb` as a process."""
        (tmp_path / "rnn_bptt-Copy1.ipynb").write_text(json.dumps(filled_release(RELEASE, SOURCE)), encoding="utf-8")
        p = proc("check", "rnn_bptt-Copy1.ipynb", "--lang", "en", cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        assert p.stdout.startswith(f"{A} — {tmp_path.name}: {VISIBLE:g} / {VISIBLE:g} points")  # the visible cases only


def klass(root: Path, names=("alice", "bob", "carol"), file=f"{A}.py") -> Path:
    for n in names:
        (root / n).mkdir(parents=True)
        shutil.copy(SOLUTION, root / n / file)
    return root


class TestBatch:
    def test_no_file_named_after_the_assignment(self, tmp_path):
        """-a lstm on a class of rnn_bptt.py: one line before grading, nothing written."""
        root = klass(tmp_path / "class")
        r = run("batch", root, "-a", "lstm", "--results", tmp_path / "res", "-o", tmp_path / "g.csv")
        assert r.exit_code == 2 and r.output.strip().count("\n") == 0, r.output
        assert "no file is named after lstm" in r.output and "pass -a rnn_bptt" in r.output
        assert not (tmp_path / "res").exists() and not (tmp_path / "g.csv").exists()

    def test_some_named_after_another(self, tmp_path):
        """When some files match, a student whose file is named after another exercise gets a note."""
        root = klass(tmp_path / "class", names=("alice",))
        klass(root, names=("bob",), file="lstm.py")
        res = batch.grade_class(root, A, tmp_path / "res", jobs=1, lang="en")
        notes = {r["student"]: r["notes"] for r in res}
        assert notes["alice"] == [] and notes["bob"] == ["the file is named after lstm, not rnn_bptt: it was graded "
                                                         "as rnn_bptt"]
        ja = {r["student"]: r["notes"] for r in batch.grade_class(root, A, tmp_path / "ja", jobs=1, lang="ja")}
        assert ja["bob"] == ["ファイル名が rnn_bptt ではなく lstm になっています。rnn_bptt として採点しました"], ja["bob"]

    def test_interrupted_then_resumed(self, tmp_path, monkeypatch):
        """Ctrl-C says how many are done and to use --resume (exit 130); --resume says how many it skipped."""
        root = klass(tmp_path / "class")
        real = api.grade

        def fake(path, assignment, *, seed=None, secret=None, **kw):
            if "bob" in str(path):
                raise KeyboardInterrupt
            inputs = inputs_for(assignment, get_suite(assignment).seed, seed, secret).id
            key = api.submission_key(load_submission(path, assignment), assignment, inputs)
            return api.GradeResult(assignment, "x", 15.0, 15.0, [], 0.0, inputs, key=key)

        monkeypatch.setattr(api, "grade", fake)
        args = ["batch", root, "-j", "1", "--results", tmp_path / "res", "-o", tmp_path / "g.csv", "--lang", "en"]
        r = run(*args)
        assert r.exit_code == 130, r.output
        assert "interrupted: 1 of 3 students graded" in r.output and "--resume to grade the other 2" in r.output
        monkeypatch.setattr(api, "grade", real)
        r = run(*args, "--resume")
        assert r.exit_code == 0, r.output
        assert "resumed: 1 student(s) already graded" in r.output and "2 graded now" in r.output

    def test_subprocess_mismatch_and_resume(self, tmp_path):
        """As processes: the name mismatch is one line (exit 2); a finished class resumed skips everyone."""
        root = klass(tmp_path / "class", names=("alice",))
        p = proc("batch", root, "-a", "gru", "--results", tmp_path / "res", "-o", tmp_path / "g.csv")
        assert p.returncode == 2 and "no file is named after gru" in p.stderr and p.stderr.count("\n") == 1
        args = ("batch", root, "--results", tmp_path / "res", "-o", tmp_path / "g.csv")
        assert proc(*args).returncode == 0
        p = proc(*args, "--resume")
        assert p.returncode == 0 and "resumed: 1 student(s) already graded" in p.stderr and "0 graded now" in p.stderr

    def test_subprocess_ctrl_c(self, tmp_path):
        """SIGINT to a real `rnngrade batch` mid-class: exit 130, how many are done, and --resume."""
        import signal
        import time

        root = klass(tmp_path / "class", names=("alice", "bob", "carol"))
        (root / "bob" / f"{A}.py").write_text("import time\ntime.sleep(4)\n" + SOLUTION.read_text(encoding="utf-8"))
        full = {k: v for k, v in os.environ.items() if k != "RNNGRADE_LANG"}
        p = subprocess.Popen([RNNGRADE, "batch", str(root), "-j", "1", "--results", str(tmp_path / "res"), "-o",
                              str(tmp_path / "g.csv")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=full)
        deadline = time.monotonic() + 120
        while not (tmp_path / "res" / "alice.json").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # bob's import is sleeping
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=120)
        assert p.returncode == 130, out + err
        assert "interrupted: 1 of 3 students graded" in err and "--resume" in err
        assert not (tmp_path / "g.csv").exists()
