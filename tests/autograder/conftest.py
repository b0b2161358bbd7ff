"""Fixtures of the grader's tests."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from autograder.runner import sandbox_status


@pytest.fixture
def bwrap():
    """bubblewrap usable here: skipped when it is not, except under CI=true (CI installs it)."""
    use, note = sandbox_status("auto")
    if not use:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the sandbox is unavailable: {note}")
        pytest.skip(note)


@pytest.fixture
def open_dir():
    """A fresh folder other users can search, under the temporary directory; removed afterwards."""
    d = tempfile.mkdtemp(prefix="rnngrade-test-")
    os.chmod(d, 0o755)
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)
