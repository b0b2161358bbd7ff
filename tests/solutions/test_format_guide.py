"""solutions/FORMAT.md's example: an exercise in three files, released and graded in a copy of the kit."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "solutions" / "FORMAT.md"
RNNGRADE = Path(sys.executable).with_name("rnngrade")


def guide_files() -> dict:
    """The files FORMAT.md's example shows, from its ```python <path> blocks: path -> text."""
    text = GUIDE.read_text(encoding="utf-8")
    return dict(re.findall(r"^```python (\S+)\n(.*?)^```$", text, re.MULTILINE | re.DOTALL))


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """A copy of the kit (grader, reference, sources; nothing generated) with the guide's example added."""
    dst = tmp_path_factory.mktemp("kit")
    ignore = shutil.ignore_patterns("__pycache__", "*.ipynb")
    for d in ("autograder", "rnnref", "solutions"):
        shutil.copytree(ROOT / d, dst / d, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", dst)
    for path, text in guide_files().items():
        (dst / path).parent.mkdir(parents=True, exist_ok=True)
        (dst / path).write_text(text, encoding="utf-8")
    return dst


def rnngrade(kit: Path, *args) -> subprocess.CompletedProcess:
    """`rnngrade ARGS` run in the copy, importing the copy's grader."""
    env = dict(os.environ, PYTHONPATH=str(kit), RNNGRADE_LANG="en")
    return subprocess.run([str(RNNGRADE), *args], cwd=kit, env=env, capture_output=True, text=True, timeout=300)


class TestGuideExample:
    def test_exactly_three_files(self):
        """The guide's example is the three files of an exercise and nothing else."""
        assert sorted(guide_files()) == ["autograder/suites/affine.py", "solutions/affine/affine.nb.py",
                                         "solutions/affine/affine.py"]

    def test_released_and_graded(self, kit):
        """Released in the copy, its solution earns 2 / 2 and its stub 0 / 2 through `rnngrade grade`."""
        rel = rnngrade(kit, "release", "--root", str(kit), "affine")
        assert rel.returncode == 0 and "3 files changed" in rel.stdout, rel.stdout + rel.stderr
        solved = rnngrade(kit, "grade", "solutions/affine/affine.py", "-a", "affine")
        assert solved.returncode == 0 and ": 2 / 2 points" in solved.stdout, solved.stdout + solved.stderr
        stub = rnngrade(kit, "grade", "assignments/affine/affine.py", "-a", "affine")
        assert stub.returncode == 0 and ": 0 / 2 points" in stub.stdout and "not implemented yet" in stub.stdout, \
            stub.stdout + stub.stderr

    def test_registered_last_by_its_order(self, kit):
        """With no list edited, the copy's grader knows the example after the existing exercises."""
        out = rnngrade(kit, "list").stdout
        names = re.findall(r"^(\w+)\b", out, re.MULTILINE)
        assert "affine" in names and names.index("affine") > max(names.index(n) for n in ("rnn_bptt", "classify"))
