"""autograder.classreport: report.html for TAs (per function, diagnoses, not graded, times, similar pairs), its
place in rnngrade batch (exit code 3), and the page in a real browser (Debian's chromium, headless)."""

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder import classreport as cr
from autograder.batch import finish
from autograder.cli import UNGRADABLE_EXIT, main

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"
STUB = ROOT / "assignments" / "rnn_bptt" / "rnn_bptt.py"
EVIL = "<script>alert(1)</script>"


def case(name, status="passed", score=1.0, max_score=1.0, output="", tags=()):
    return {"name": name, "score": score if status == "passed" else 0.0, "max_score": max_score, "status": status,
            "output": output, "visibility": "visible", "tags": list(tags)}


def result(student, tests=(), status="graded", notes=(), time=1.0, display_name=""):
    return {"assignment": "rnn_bptt", "student": student, "score": sum(t["score"] for t in tests), "max_score": 4.0,
            "tests": list(tests), "execution_time": time, "inputs": "s-0", "notes": list(notes), "status": status,
            "isolation": [], "lms_id": "", "display_name": display_name}


def klass() -> list[dict]:
    """A small class: two right, one with W for Wᵀ (its name in the message), an evil id, three not graded."""
    ok = [case("deltas [T=1]"), case("deltas [T=5]"), case("forward [T=3]", max_score=2.0, score=2.0),
          case("deltas [own forward]", max_score=0.0, score=0.0)]
    wrong = [case("deltas [T=1]", "failed", output="deltas: δ_2 disagrees; see /home/bob/rnn_bptt.py (bob)",
                  tags=["W_not_transposed"]),
             case("deltas [T=5]", "failed", output="deltas: δ_3 disagrees", tags=["W_not_transposed"]),
             case("forward [T=3]", max_score=2.0, score=2.0),
             case("deltas [own forward]", "failed", max_score=0.0, score=0.0)]
    return [result("alice", ok, time=1.0), result("carol", ok, time=1.2), result("bob", wrong, time=0.9),
            result(EVIL, [case("forward [T=3]", "failed", max_score=2.0, output=f"x {EVIL}", tags=["<b>tag</b>"]),
                          case("deltas [T=1]"), case("deltas [T=5]")], time=9.0),
            result("dave", status="refused", notes=["dave.py is not a regular file (a FIFO)"]),
            result("erin", status="no_submission", notes=["no .py, .ipynb or .zip file handed in"]),
            result("frank", status="internal_error", notes=["internal error while grading (KeyError)"])]


class TestFunctionRates:
    def test_cases_folded_per_function(self):
        """One row per function, in test order, its scored cases summed over the graded students only."""
        rates = {r.function: r for r in cr.function_rates(klass())}
        assert list(rates) == ["deltas", "forward"]
        assert (rates["deltas"].passed, rates["deltas"].cases, rates["deltas"].students_all) == (6, 8, 3)
        assert (rates["forward"].passed, rates["forward"].cases) == (3, 4)

    def test_zero_point_checks_not_counted(self):
        """A 0-point informational check (deltas [own forward]) is in no function's count."""
        rates = {r.function: r for r in cr.function_rates([klass()[2]])}
        assert rates["deltas"].cases == 2 and rates["deltas"].max_points == 2.0


class TestDiagnoses:
    def test_counts_and_anonymised_example(self):
        """Each known mistake is counted per student and per case, its example message without the student's name."""
        d = {x.tag: x for x in cr.diagnoses(klass())}
        assert (d["W_not_transposed"].students, d["W_not_transposed"].cases) == (1, 2)
        assert "bob" not in d["W_not_transposed"].example and "<student>" in d["W_not_transposed"].example


class TestUngraded:
    def test_lists_every_status_without_a_grade(self):
        """Refused, no submission and internal error are listed, by student."""
        assert [r["student"] for r in cr.ungraded(klass())] == ["dave", "erin", "frank"]


class TestTimeOutliers:
    def test_over_three_times_the_median(self):
        """Only the submission graded in over 3× the median time is an outlier."""
        med, slow = cr.time_outliers(klass())
        assert med == pytest.approx(1.1) and [r["student"] for r in slow] == [EVIL]


class TestSimilarPairs:
    def test_copy_listed_with_overlap_marked(self):
        """A renamed copy of a solution is paired with it, the overlap in <mark>; an unrelated answer is not."""
        sol = SOLUTION.read_text(encoding="utf-8")
        other = "import numpy as np\n\ndef forward(X, W_in, W, W_out, task='regression'):\n    return X.sum()\n"
        pairs = cr.similar_pairs({"a": sol, "b": sol.replace("delta", "d_"), "c": other}, STUB.read_text())
        assert [(p.a, p.b) for p in pairs] == [("a", "b")] and "<mark>" in pairs[0].code_a

    def test_stub_alone_is_boilerplate(self):
        """Two unchanged stubs are not a pair: the released stub is removed as boilerplate."""
        stub = STUB.read_text(encoding="utf-8")
        assert cr.similar_pairs({"a": stub, "b": stub + "\n# mine\n"}, stub) == []

    def test_code_is_escaped(self):
        """A student's code with markup is shown as text: html.escape'd, only the highlight is a tag."""
        sol = SOLUTION.read_text(encoding="utf-8") + f"\n# {EVIL}\n"
        pairs = cr.similar_pairs({"a": sol, "b": sol}, "")
        assert EVIL not in pairs[0].code_a and html.escape(EVIL) in pairs[0].code_a


class TestRenderHtml:
    def test_sections_and_escaping(self):
        """Every section is there; a student's id and message render as text, never as markup."""
        page = cr.render_html(klass(), "rnn_bptt", "en")
        for anchor in ("scores", "functions", "diagnoses", "ungraded", "times", "similarity"):
            assert f'id="{anchor}"' in page
        assert EVIL not in page and "<b>tag</b>" not in page and html.escape(EVIL) in page
        assert page.count("<svg") == 3 and "Not graded (3)" in page and "no file to grade" in page

    def test_self_contained(self):
        """No external request: no src or href but the SVGs' own #fragments, no url(), no script element."""
        page = cr.render_html(klass(), "rnn_bptt", "en").replace(html.escape(EVIL), "")
        assert not re.search(r"""(src|href)\s*=\s*["'](?!#)|url\((?!#)|@import""", page) and "<script" not in page

    def test_japanese(self):
        """--lang ja gives the Japanese page."""
        page = cr.render_html(klass(), "rnn_bptt", "ja")
        assert '<html lang="ja">' in page and "関数ごとの合格率" in page and "採点できなかった提出 (3)" in page

    def test_similarity_states(self):
        """Without --similarity the page says how to enable it; without copydetect, how to install it."""
        off = cr.render_html(klass(), "rnn_bptt", "en")
        missing = cr.render_html(klass(), "rnn_bptt", "en", cr.Similarity("missing"))
        assert "--similarity" in off and "rnn-exercise-kit[similarity]" in missing


class TestFinish:
    def test_writes_report_html(self, tmp_path):
        """batch.finish writes report.html in the results folder, in the language asked."""
        finish(klass(), tmp_path / "grades.csv", tmp_path, lang="ja")
        assert '<html lang="ja">' in (tmp_path / "report.html").read_text(encoding="utf-8")


class TestBatchCommand:
    def test_exit_3_when_some_not_graded(self, tmp_path, bwrap):
        """A refused submission: the class is graded, the summary names it per function, and the exit code is 3."""
        d = tmp_path / "class"
        (d / "alice").mkdir(parents=True)
        shutil.copy(SOLUTION, d / "alice" / "rnn_bptt.py")
        os.mkfifo(d / "eve.py")
        r = CliRunner().invoke(main, ["batch", str(d), "-a", "rnn_bptt", "-o", str(tmp_path / "g.csv"),
                                      "--results", str(tmp_path / "res"), "--lang", "en"], catch_exceptions=False)
        assert r.exit_code == UNGRADABLE_EXIT == 3, r.output
        assert "pass rate per function" in r.output
        assert re.search(r"not graded \(1.*\n  eve: submission refused", r.output), r.output
        assert "eve" in (tmp_path / "res" / "report.html").read_text(encoding="utf-8")


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but chromium is not installed (.ci/run installs it: apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return exe


def browse(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless chromium on page, offline-minded, console messages logged to stderr."""
    cmd = [chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0", *args, page.as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


class TestInBrowser:
    def test_loads_without_console_errors(self, tmp_path):
        """report.html loads in chromium with no console message; the DOM has the plots (svg) and the tables, the
        evil id as text; a screenshot is written (and copied to $RNNGRADE_SCREENSHOTS when set)."""
        sim = cr.Similarity("done", pairs=[cr.SimilarPair("alice", EVIL, (0.9, 0.95), "x = <mark>W.T @ d</mark>",
                                                          "y = <mark>W.T @ d</mark>")])
        page = tmp_path / "report.html"
        page.write_text(cr.render_html(klass(), "rnn_bptt", "en", sim), encoding="utf-8")
        dom = browse(page, tmp_path, "--dump-dom")
        assert dom.returncode == 0 and "CONSOLE" not in dom.stderr, dom.stderr[-2000:]
        assert dom.stdout.count("<svg") == 3 and dom.stdout.count("<table>") == 4
        assert "<script" not in dom.stdout and html.escape(EVIL) in dom.stdout
        shot = tmp_path / "report.png"
        r = browse(page, tmp_path, "--window-size=1200,3000", f"--screenshot={shot}")
        assert r.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", r.stderr[-2000:]
        if os.environ.get("RNNGRADE_SCREENSHOTS"):
            Path(os.environ["RNNGRADE_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, Path(os.environ["RNNGRADE_SCREENSHOTS"]) / "report.png")
