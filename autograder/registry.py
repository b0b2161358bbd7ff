"""The registry of exercises: one per suite module in autograder/suites/, in the lectures' order.

Read from the files' text without importing them (and without numpy), so that the command line can list the
assignments, and start the worker template, before anything heavy is loaded.
"""

from __future__ import annotations

import re
from pathlib import Path

SUITES_DIR = Path(__file__).parent / "suites"
_ORDER_RE = re.compile(r"^ORDER[ \t]*=[ \t]*(\d+)[ \t]*(?:#.*)?$", re.MULTILINE)


def suite_order(path: Path) -> float:
    """The ``ORDER = n`` of a suite module, read from its text (infinity when it has none)."""
    m = _ORDER_RE.search(path.read_text(encoding="utf-8"))
    return int(m.group(1)) if m else float("inf")


def registered(folder: Path = SUITES_DIR) -> tuple:
    """The exercises whose suite module is in folder, in the lectures' order."""
    mods = [p for p in folder.glob("*.py") if not p.name.startswith("_") and p.stem.isidentifier()]
    return tuple(p.stem for p in sorted(mods, key=lambda p: (suite_order(p), p.stem)))


#: every exercise, in the lectures' order: one per suite module
ASSIGNMENTS = registered()
