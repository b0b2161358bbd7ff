"""rnngrade list / grade / check / batch / demo, through click's CliRunner and as real processes."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.suites import get_suite

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"
STUB = ROOT / "assignments" / "rnn_bptt" / "rnn_bptt.py"
RNNGRADE = str(Path(sys.executable).with_name("rnngrade"))


def run(*args, cwd=None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def proc(*args, cwd=None, timeout=300):
    return subprocess.run([RNNGRADE, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def report_of(data: dict) -> str:
    """The student's text report of a JSON result."""
    from autograder.api import GradeResult
    from autograder.cases import CaseResult
    from autograder.report import text_report

    tests = [CaseResult(t["name"], t["name"].split(" ")[0], t["score"], t["max_score"], t["status"], t["output"],
                        t["visibility"] == "visible") for t in data["tests"]]
    return text_report(GradeResult(data["assignment"], data["student"], data["score"], data["max_score"], tests,
                                   data["execution_time"], data["inputs"], notes=data["notes"],
                                   isolation=data["isolation"]))


def one_line_error(result, *phrases):
    """Exit 2, one line on stderr, saying each phrase."""
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert text.count("\n") == 0, text
    for p in phrases:
        assert p in text, text


class TestList:
    def test_lists_assignments_and_points(self):
        """Every assignment with its total and each function's points."""
        r = run("list")
        assert r.exit_code == 0
        heads = {ln.split()[0]: ln.split()[1] for ln in r.output.splitlines() if not ln.startswith(" ")}
        assert (heads["rnn_bptt"], heads["lstm"], heads["gru"]) == ("15", "10", "10")
        assert "deltas" in r.output and "gru_backward" in r.output

    def test_subprocess(self):
        """`rnngrade list` runs as a process."""
        p = proc("list")
        assert p.returncode == 0 and "lstm_backward" in p.stdout


class TestGrade:
    def test_solution_full_marks(self):
        """The reference solution gets 15/15 in the text report; exit 0."""
        r = run("grade", SOLUTION, "--lang", "en")
        assert r.exit_code == 0
        assert r.output.splitlines()[0].endswith(": 15 / 15 points")

    def test_stub_zero_exit_zero(self):
        """The untouched stub gets 0 and exit 0 (a grade was produced)."""
        r = run("grade", STUB, "--format", "json")
        data = json.loads(r.stdout)
        assert r.exit_code == 0 and data["score"] == 0 and data["max_score"] == 15
        assert all(t["status"] == "error" for t in data["tests"])

    def test_json_to_file(self, tmp_path):
        """-o writes the JSON result, with the fields of the issue, naming the inputs but never the seed."""
        out = tmp_path / "r.json"
        r = run("grade", SOLUTION, "--format", "json", "-o", out, "--seed", "7")
        data = json.loads(out.read_text())
        assert r.exit_code == 0 and data["inputs"].startswith("k-") and data["assignment"] == "rnn_bptt"
        assert "seed" not in data and '"7"' not in out.read_text()
        assert {t["visibility"] for t in data["tests"]} == {"visible", "hidden"}

    def test_seed_changes_hidden_inputs_not_the_score(self, tmp_path):
        """Another seed still gives the solution full marks (the inputs differ, the grading does not)."""
        r = run("grade", SOLUTION, "--format", "json", "--seed", "99")
        assert json.loads(r.stdout)["score"] == 15

    def test_gradescope(self):
        """--format gradescope writes Gradescope's results.json."""
        r = run("grade", SOLUTION, "--format", "gradescope")
        data = json.loads(r.stdout)
        assert data["score"] == 15 and {t["status"] for t in data["tests"]} == {"passed"}

    def test_missing_path(self, tmp_path):
        """A missing path is a one-line error, exit 2."""
        one_line_error(run("grade", tmp_path / "nope.py"), "nope.py")

    def test_cannot_infer_assignment(self, tmp_path):
        """A file not named after an assignment needs -a: one-line error naming the choices."""
        f = tmp_path / "homework.py"
        shutil.copy(SOLUTION, f)
        one_line_error(run("grade", f), "-a", "rnn_bptt")
        assert run("grade", f, "-a", "rnn_bptt").exit_code == 0

    def test_unknown_assignment(self):
        """An unknown -a is refused with exit 2."""
        r = run("grade", SOLUTION, "-a", "transformer")
        assert r.exit_code == 2 and "transformer" in r.output

    def test_malformed_notebook_keeps_existing_output(self, tmp_path):
        """A malformed notebook is a one-line error and the existing -o file is left as it was."""
        nb = tmp_path / "rnn_bptt.ipynb"
        nb.write_text('{"cells": [', encoding="utf-8")
        out = tmp_path / "result.json"
        out.write_text("previous result")
        one_line_error(run("grade", nb, "-o", out), "rnn_bptt.ipynb")
        assert out.read_text() == "previous result"

    def test_subprocess(self, tmp_path):
        """`rnngrade grade` runs as a process and exits 0 with a JSON result."""
        p = proc("grade", SOLUTION, "--format", "json", cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        assert json.loads(p.stdout)["score"] == 15


class TestCheck:
    def test_visible_cases_only(self):
        """check runs the visible cases only and shows their feedback."""
        r = run("check", STUB, "--lang", "en")
        assert r.exit_code == 0
        assert "(hidden)" not in r.output and "not implemented yet" in r.output

    def test_subprocess(self, tmp_path):
        """`rnngrade check` runs as a process."""
        p = proc("check", SOLUTION, cwd=tmp_path)
        assert p.returncode == 0 and "rnn_bptt" in p.stdout


@pytest.fixture
def klass(tmp_path):
    """A class of three: a correct .py, an untouched stub, a broken notebook."""
    d = tmp_path / "class"
    for student, src in (("alice", SOLUTION), ("bob", STUB)):
        (d / student).mkdir(parents=True)
        shutil.copy(src, d / student / "rnn_bptt.py")
    (d / "carol").mkdir()
    (d / "carol" / "rnn_bptt.ipynb").write_text("not json", encoding="utf-8")
    return d


class TestBatch:
    def test_grades_the_class(self, klass, tmp_path):
        """Every student gets a JSON and a feedback file, the CSV a row each, the summary a PNG."""
        out, res = tmp_path / "grades.csv", tmp_path / "results"
        r = run("batch", klass, "-o", out, "--results", res, "-j", "2")
        assert r.exit_code == 3, r.output  # carol's notebook cannot be graded
        rows = {row["student"]: row for row in csv.DictReader(out.read_text().splitlines())}
        assert rows["alice"]["score"] == "15.0" and rows["bob"]["score"] == "0.0" and rows["carol"]["score"] == "0.0"
        assert json.loads((res / "carol.json").read_text())["notes"]  # why carol got zero
        assert (res / "alice.txt").exists() and (res / "summary.png").read_bytes()[:4] == b"\x89PNG"
        assert "3 submissions" in r.output and "pass rate per function" in r.output

    def test_resume_skips_done(self, klass, tmp_path):
        """--resume keeps a finished student's result instead of grading again."""
        out, res = tmp_path / "grades.csv", tmp_path / "results"
        run("batch", klass, "-o", out, "--results", res)
        data = json.loads((res / "alice.json").read_text())
        data["score"] = 14.5  # a mark only a skipped student keeps
        (res / "alice.json").write_text(json.dumps(data))
        run("batch", klass, "-o", out, "--results", res, "--resume")
        rows = {row["student"]: row for row in csv.DictReader(out.read_text().splitlines())}
        assert rows["alice"]["score"] == "14.5"

    def test_resume_regrades_a_resubmission(self, klass, tmp_path):
        """--resume grades again a student whose file changed since (full marks replaced by the stub: 0), and a
        refused submission (carol's broken notebook: no key), not the unchanged bob."""
        out, res = tmp_path / "grades.csv", tmp_path / "results"
        run("batch", klass, "-o", out, "--results", res)
        assert json.loads((res / "alice.json").read_text())["key"].startswith("sha256:")
        shutil.copy(STUB, klass / "alice" / "rnn_bptt.py")
        for student in ("bob", "carol"):
            data = json.loads((res / f"{student}.json").read_text())
            data["notes"] = ["kept"]  # what only a skipped student keeps
            (res / f"{student}.json").write_text(json.dumps(data))
        r = run("batch", klass, "-o", out, "--results", res, "--resume")
        rows = {row["student"]: row for row in csv.DictReader(out.read_text().splitlines())}
        assert rows["alice"]["score"] == "0.0"
        assert json.loads((res / "bob.json").read_text())["notes"] == ["kept"]
        assert json.loads((res / "carol.json").read_text())["notes"] != ["kept"]
        assert "resumed: 1 student(s)" in r.output and "2 graded now" in r.output

    def test_missing_dir(self, tmp_path):
        """A missing folder is a one-line error, exit 2."""
        one_line_error(run("batch", tmp_path / "nope"), "is not a folder")

    def test_subprocess(self, klass, tmp_path):
        """`rnngrade batch` runs as a process."""
        p = proc("batch", klass, "-o", tmp_path / "g.csv", "--results", tmp_path / "r", cwd=tmp_path)
        assert p.returncode == 3, p.stderr  # carol's notebook cannot be graded
        assert (tmp_path / "g.csv").read_text().count("\n") == 4


class TestDemo:
    def test_demo_reports_three_students(self):
        """The demo grades alice (all right), bob (two known mistakes) and carol (untouched)."""
        r = run("demo", "--lang", "en")
        assert r.exit_code == 0, r.output
        assert "alice: 15 / 15 points" in r.output
        assert "carol: 0 / 15 points" in r.output
        bob = [ln for ln in r.output.splitlines() if "— bob:" in ln][0]
        assert "15 / 15" not in bob
        assert "Wᵀ" in r.output and "Z̃" in r.output  # bob's mistakes are named

    def test_subprocess(self, tmp_path):
        """`rnngrade demo` (the README's main job) runs as a process."""
        p = proc("demo", cwd=ROOT)
        assert p.returncode == 0, p.stderr
        assert "3 submissions" in p.stdout


class TestSandboxOption:
    def test_off_still_grades_and_says_so(self):
        """--sandbox off grades with the limits only and says that isolation is off."""
        r = run("grade", SOLUTION, "--sandbox", "off", "--format", "json")
        data = json.loads(r.stdout)
        assert r.exit_code == 0 and data["score"] == 15
        assert any("isolation is off" in n for n in data["isolation"]) and not data["notes"]
        assert "isolation is off" in r.stderr and "isolation is off" not in report_of(data)

    def test_require_uses_bubblewrap(self, bwrap):
        """--sandbox require grades inside bubblewrap when it is installed."""
        r = run("grade", SOLUTION, "--sandbox", "require", "--format", "json")
        data = json.loads(r.stdout)
        assert r.exit_code == 0 and data["score"] == 15 and not data["notes"] and not data["isolation"]


def ro_proc(ro: Path, *args, cwd):
    """rnngrade as a process that sees the folder ro read-only (a read-only bind mount: root ignores
    file modes), through bubblewrap."""
    bwrap = shutil.which("bwrap")
    cmd = [bwrap, "--dev-bind", "/", "/", "--ro-bind", str(ro), str(ro), RNNGRADE, *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd)


class TestBadInput:
    """Bad input is refused in one line, exit 2, before any grading; nothing written before is lost."""

    def test_negative_seed_grade(self):
        """grade --seed -5 is a one-line error, not a traceback."""
        one_line_error(run("grade", SOLUTION, "--seed", "-5"), "--seed -5", "must not start with '-'")

    def test_negative_seed_batch_grades_nobody(self, klass, tmp_path):
        """batch --seed -1 grades nobody and writes nothing (it used to give the whole class 0, exit 0)."""
        out, res = tmp_path / "grades.csv", tmp_path / "results"
        one_line_error(run("batch", klass, "-o", out, "--results", res, "--seed", "-1"), "--seed -1")
        assert not out.exists() and not res.exists()

    def test_negative_seed_subprocess(self, klass, tmp_path):
        """As a process: exit 2 and one line on stderr."""
        p = proc("batch", klass, "--seed", "-1", cwd=tmp_path)
        assert p.returncode == 2 and p.stderr.strip().count("\n") == 0 and "--seed -1" in p.stderr
        assert not (tmp_path / "results").exists()

    def test_csv_path_is_a_folder(self, klass, tmp_path):
        """-o naming a folder is refused before grading."""
        one_line_error(run("batch", klass, "-o", tmp_path, "--results", tmp_path / "r"), "is a directory")
        assert not (tmp_path / "r" / "alice.json").exists()

    def test_usage_errors_are_one_line(self, klass):
        """click's own usage errors (-j 0, an unknown option) are one line too, with where to look."""
        one_line_error(run("batch", klass, "-j", "0"), "-j", "rnngrade batch -h")
        one_line_error(run("grade", SOLUTION, "--bogus"), "--bogus")

    def test_read_only_results_folder(self, bwrap, klass, tmp_path):
        """A read-only --results folder is refused before anyone is graded; the old results and CSV stay."""
        res, out = tmp_path / "results", tmp_path / "grades.csv"
        res.mkdir()
        (res / "alice.json").write_text("old result")
        out.write_text("old csv")
        p = ro_proc(res, "batch", klass, "-o", out, "--results", res, cwd=tmp_path)
        assert p.returncode == 2, p.stderr
        assert p.stderr.strip().count("\n") == 0 and "cannot write the results" in p.stderr
        assert (res / "alice.json").read_text() == "old result" and out.read_text() == "old csv"

    def test_read_only_csv_folder(self, bwrap, klass, tmp_path):
        """A CSV in a read-only folder is refused before grading (it used to crash after grading everyone)."""
        ro = tmp_path / "ro"
        ro.mkdir()
        p = ro_proc(ro, "batch", klass, "-o", ro / "grades.csv", "--results", tmp_path / "res", cwd=tmp_path)
        assert p.returncode == 2 and "cannot write the class CSV" in p.stderr, p.stderr
        assert not (tmp_path / "res" / "alice.json").exists()

    def test_read_only_grade_output(self, bwrap, tmp_path):
        """grade -o into a read-only folder: exit 2, one line, nothing graded."""
        ro = tmp_path / "ro"
        ro.mkdir()
        p = ro_proc(ro, "grade", SOLUTION, "-o", ro / "r.json", cwd=tmp_path)
        assert p.returncode == 2 and p.stderr.strip().count("\n") == 0 and "cannot write" in p.stderr


class TestInternalError:
    def test_batch_exits_1_and_names_the_student(self, klass, tmp_path, monkeypatch):
        """A grader failure for one student is never a silent zero: the others are graded, the CSV written,
        the student listed, their JSON marked, and batch exits 1."""
        from autograder import api

        real = api.grade

        def failing_for_bob(path, *a, **k):
            if "bob" in str(path):
                raise RuntimeError("a bug in the grader")
            return real(path, *a, **k)

        monkeypatch.setattr(api, "grade", failing_for_bob)
        out, res = tmp_path / "grades.csv", tmp_path / "results"
        r = run("batch", klass, "-o", out, "--results", res)
        assert r.exit_code == 1, r.output
        assert "the grader failed for 1 student(s) (bob)" in r.output
        assert "bob: internal error of the grader" in r.output
        assert json.loads((res / "bob.json").read_text())["status"] == "internal_error"
        rows = {row["student"]: row for row in csv.DictReader(out.read_text().splitlines())}
        assert rows["alice"]["score"] == "15.0"
        monkeypatch.setattr(api, "grade", real)
        r = run("batch", klass, "-o", out, "--results", res, "--resume")  # bob, and only bob, again
        assert r.exit_code == 3 and json.loads((res / "bob.json").read_text())["status"] == "graded"  # carol: 3


class TestSecretCommand:
    def test_creates_once(self, tmp_path):
        """rnngrade secret writes the course secret; a second run is a one-line error and keeps it."""
        r = run("secret", tmp_path)
        assert r.exit_code == 0 and (tmp_path / ".rnngrade-secret").exists()
        before = (tmp_path / ".rnngrade-secret").read_text()
        one_line_error(run("secret", tmp_path), "already exists")
        assert (tmp_path / ".rnngrade-secret").read_text() == before

    def test_batch_finds_it_and_hides_it(self, klass, tmp_path):
        """As processes: batch finds the secret above the class folder, says nothing about public defaults,
        and no result names the secret or a seed."""
        p = proc("secret", tmp_path, cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        secret = (tmp_path / ".rnngrade-secret").read_text().strip()
        p = proc("batch", klass, "-o", tmp_path / "g.csv", "--results", tmp_path / "r", "--seed", "final",
                 cwd=klass)
        assert p.returncode == 3 and "public defaults" not in p.stderr, p.stderr  # carol cannot be graded
        alice = (tmp_path / "r" / "alice.json").read_text()
        assert json.loads(alice)["inputs"].startswith("s-") and json.loads(alice)["score"] == 15
        for f in (tmp_path / "r").iterdir():
            if f.suffix in (".json", ".txt"):
                text = f.read_text()
                assert secret not in text and "final" not in text and "seed" not in text


class TestHostileValues:
    def test_batch_grades_a_hostile_class(self, tmp_path):
        """A real `rnngrade batch` of vanishing: an honest complex ρ(W), forged frames (a 5000-digit integer,
        a lying zip; 150 000 references to an 8 MB array, which uses up that submission's 64 MB budget) — every
        student graded, honest partial credit kept, exit 0, and the grader's memory stays under 1 GB."""
        solution = (ROOT / "solutions" / "vanishing" / "vanishing.py").read_text(encoding="utf-8")
        hostile = (ROOT / "tests" / "autograder" / "attacks" / "hostile_frames.py").read_text(encoding="utf-8")
        klass = tmp_path / "class"
        files = {
            "alice": solution,
            "eve": solution + "\n\ndef spectral_radius(W):\n    return np.max(np.linalg.eigvals(W))\n",
            "mallory": solution + "\n\n" + hostile + (
                "\n\ndef spectral_radius(W):\n    return hostile('huge_int')\n"
                "\n\ndef power_norms(W, K):\n    return hostile('lying_size')\n"),
            "trudy": solution + "\n\n" + hostile + (
                "\n\ndef clip_grad_norm(grads, max_norm):\n    return hostile('references')\n"),
        }
        for student, text in files.items():
            (klass / student).mkdir(parents=True)
            (klass / student / "vanishing.py").write_text(text, encoding="utf-8")
        measure = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
                   "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)")
        p = subprocess.run([sys.executable, "-c", measure, RNNGRADE, "batch", klass, "-o", tmp_path / "g.csv",
                            "--results", tmp_path / "r"], capture_output=True, text=True, timeout=600, cwd=tmp_path)
        maxrss_kb, code = map(int, p.stdout.split()[-2:])
        assert code == 0, p.stderr
        assert maxrss_kb < 2**20, maxrss_kb
        res = {s: json.loads((tmp_path / "r" / f"{s}.json").read_text()) for s in files}
        assert all(r["status"] == "graded" for r in res.values())
        full = get_suite("vanishing").max_score
        assert res["alice"]["score"] == res["alice"]["max_score"] == full
        assert 0 < res["eve"]["score"] < full and 0 < res["mallory"]["score"] < full
        by_fn = {}
        for t in res["mallory"]["tests"]:
            by_fn.setdefault(t["name"].split(" ")[0], []).append(t["status"])
        assert all(s == "passed" for s in by_fn["state_gradients"] + by_fn["grad_norms_over_time"])
        assert not any(s == "passed" for s in by_fn["spectral_radius"] + by_fn["power_norms"])
        clip = [t for t in res["trudy"]["tests"] if t["name"].startswith("clip_grad_norm")]
        assert clip and not any(t["status"] == "passed" for t in clip)
