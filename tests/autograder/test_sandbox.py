"""autograder.sandbox: what uid 65534 can read, from the permission bits along each path.

Real folders with real modes; the end-to-end runs (the worker as uid 65534 without the sandbox)
are in test_runner.py's TestUser.
"""

import os
from pathlib import Path

import pytest

from autograder import sandbox


def make(path: Path, mode: int, owner=None, group=None) -> str:
    path.mkdir()
    (path / "file.txt").write_text("x")
    os.chmod(path, mode)
    if owner is not None or group is not None:
        os.chown(path, -1 if owner is None else owner, -1 if group is None else group)
    return str(path)


class TestExposedPaths:
    def test_modes_decide(self, open_dir):
        """A folder is exposed when others may search or list it, and not when only its owner may."""
        open_, listable, closed = make(open_dir / "open", 0o755), make(open_dir / "list", 0o704), make(open_dir / "closed", 0o700)
        assert sandbox.exposed_paths([open_, listable, closed], []) == [open_, listable]

    @pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
    def test_owner_and_group_bits_of_nobody(self, open_dir):
        """For a folder owned by uid 65534 (or of group 65534) the owner's (the group's) bits decide, not others'."""
        owned = make(open_dir / "owned", 0o700, owner=sandbox.NOBODY)
        grouped = make(open_dir / "grouped", 0o750, group=sandbox.NOBODY)
        not_grouped = make(open_dir / "not_grouped", 0o705, group=sandbox.NOBODY)
        assert sandbox.exposed_paths([owned, grouped, not_grouped], []) == [owned, grouped]

    def test_unsearchable_ancestor_hides(self, open_dir):
        """Whatever lies below a folder others cannot search is not exposed, whatever its own mode."""
        outer = make(open_dir / "outer", 0o700)
        inner = open_dir / "outer" / "inner"
        os.chmod(outer, 0o755)
        make(inner, 0o755)
        os.chmod(outer, 0o700)
        assert sandbox.exposed_paths([str(inner)], []) == []

    def test_python_inside_stays_reachable(self, open_dir):
        """A folder holding an allowed Python folder must stay searchable: its other entries are named one by one,
        the Python folder and the folder itself are not."""
        checkout = make(open_dir / "checkout", 0o755)
        venv = make(open_dir / "checkout" / "venv", 0o755)
        secret = make(open_dir / "checkout" / "solutions", 0o755)
        private = make(open_dir / "checkout" / "private", 0o700)
        assert sandbox.exposed_paths([checkout], [venv]) == [os.path.join(checkout, "file.txt"), secret]
        assert private not in sandbox.exposed_paths([checkout], [venv])

    def test_nested_paths_named_once(self, open_dir):
        """A path inside another exposed one is not named again; missing paths are ignored."""
        outer = make(open_dir / "outer", 0o755)
        inner = make(open_dir / "outer" / "inner", 0o755)
        assert sandbox.exposed_paths([outer, inner, str(open_dir / "missing")], []) == [outer]


class TestUserPlan:
    def test_sandboxed_root_drops_without_a_note(self):
        """In the sandbox the worker (as root) always drops to uid 65534, and there is nothing to say."""
        if os.geteuid() != 0:
            assert sandbox.user_plan(True) == (None, None)
        else:
            assert sandbox.user_plan(True) == ([sandbox.NOBODY, sandbox.NOBODY], None)

    def test_not_root_stays(self, monkeypatch):
        """Not root: the worker runs as the grader's user, and the isolation note is the sandbox's."""
        monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)  # the tests run as root here and in CI
        assert sandbox.user_plan(False) == (None, None) and sandbox.user_plan(True) == (None, None)
