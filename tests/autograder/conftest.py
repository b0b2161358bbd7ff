"""Fixtures of the grader's tests."""

import os

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
