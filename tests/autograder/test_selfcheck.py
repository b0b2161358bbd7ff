"""autograder.selfcheck: what the notebooks' test cells print, in which language."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.errors import UserError
from autograder.selfcheck import check
from autograder.suites import get_suite

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"
JA = "公開ケース"
EN = "visible cases passed"
#: the points of loss's visible cases: what check() returns for a right loss (one scale of points everywhere)
VISIBLE_LOSS = round(sum(c.points for c in get_suite("rnn_bptt").cases if c.function == "loss" and c.visible), 6)


@pytest.fixture
def english_kernel(monkeypatch):
    """A kernel whose locale is C.UTF-8 (English) and no RNNGRADE_LANG, as Jupyter's often is."""
    for var in ("LC_ALL", "LC_MESSAGES", "RNNGRADE_LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return monkeypatch


@pytest.fixture(scope="module")
def solution():
    return runpy.run_path(str(SOLUTION))


class TestCheckLanguage:
    def test_japanese_by_default(self, english_kernel, solution, capsys):
        """With an English locale and nothing asked, the feedback is in Japanese, as the notebooks are."""
        assert check("rnn_bptt", "loss", solution) == VISIBLE_LOSS  # the visible cases' share of loss's 1 point
        assert JA in capsys.readouterr().out

    def test_environment_variable(self, english_kernel, solution, capsys):
        """RNNGRADE_LANG=en gives English."""
        english_kernel.setenv("RNNGRADE_LANG", "en")
        check("rnn_bptt", "loss", solution)
        assert EN in capsys.readouterr().out

    def test_argument_wins(self, english_kernel, solution, capsys):
        """lang= overrides RNNGRADE_LANG."""
        english_kernel.setenv("RNNGRADE_LANG", "ja")
        check("rnn_bptt", "loss", solution, lang="en")
        assert EN in capsys.readouterr().out

    def test_unknown_environment_value(self, english_kernel, solution):
        """RNNGRADE_LANG=fr is refused in one line naming the variable."""
        english_kernel.setenv("RNNGRADE_LANG", "fr")
        with pytest.raises(UserError, match=r"^RNNGRADE_LANG='fr' is not a known language: set it to en or ja"):
            check("rnn_bptt", "loss", solution)

    def test_kernel_process(self):
        """In a real Python process with LANG=C.UTF-8, a test cell's check prints Japanese."""
        env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "RNNGRADE_LANG")}
        env["LANG"] = "C.UTF-8"
        code = (f"import runpy; from autograder.selfcheck import check; "
                f"print(check('rnn_bptt', 'loss', runpy.run_path({str(SOLUTION)!r})))")
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                           cwd=ROOT)
        assert p.returncode == 0, p.stderr
        assert JA in p.stdout and p.stdout.strip().endswith(str(VISIBLE_LOSS))
