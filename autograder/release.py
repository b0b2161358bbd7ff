"""Generate assignments/ (and the nbgrader source notebooks) from solutions/, the single source.

For every exercise ``solutions/<name>/`` holding ``<name>.py`` and ``<name>.nb.py`` (see
solutions/FORMAT.md) this writes

* ``solutions/<name>/<name>.ipynb``   — the nbgrader source notebook (solutions, hidden tests)
* ``assignments/<name>/<name>.py``    — the stub module: every solution region replaced
* ``assignments/<name>/<name>.ipynb`` — the student release: solutions and hidden tests cleared

The replacement is nbgrader's own (ClearSolutions' default stub, ClearHiddenTests), so a
release made here and one made by ``nbgrader generate_assignment`` give students the same
code. Output is deterministic: the same sources always give byte-identical files.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ReleaseError
from .suites import get_suite

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # nbgrader's ClearSolutions default

_SOLUTION_RE = re.compile(
    rf"^(?P<indent>[ \t]*){re.escape(BEGIN_SOLUTION)}[ \t]*\n.*?^[ \t]*{re.escape(END_SOLUTION)}[ \t]*\n?",
    re.MULTILINE | re.DOTALL,
)
_HIDDEN_RE = re.compile(
    rf"^[ \t]*{re.escape(BEGIN_HIDDEN)}[ \t]*\n.*?^[ \t]*{re.escape(END_HIDDEN)}[ \t]*\n?",
    re.MULTILINE | re.DOTALL,
)
CELL_RE = re.compile(r"^# %%(?:[ \t]+\[(?P<kind>[a-z]+)\])?(?P<args>.*)$")


def clear_solutions(text: str, where: str = "") -> str:
    """Replace every BEGIN/END SOLUTION region by nbgrader's stub, at the region's indentation."""

    def stub(m: re.Match) -> str:
        indent = m.group("indent")
        return "".join(f"{indent}{line}\n" for line in CODE_STUB.splitlines())

    out = _SOLUTION_RE.sub(stub, text)
    if BEGIN_SOLUTION in out or END_SOLUTION in out:
        raise ReleaseError(f"{where}: unmatched {BEGIN_SOLUTION} / {END_SOLUTION} marker")
    return out


def clear_hidden_tests(text: str, where: str = "") -> str:
    """Remove every BEGIN/END HIDDEN TESTS region, markers included (nbgrader's ClearHiddenTests)."""
    out = _HIDDEN_RE.sub("", text)
    if BEGIN_HIDDEN in out or END_HIDDEN in out:
        raise ReleaseError(f"{where}: unmatched {BEGIN_HIDDEN} / {END_HIDDEN} marker")
    return out


def solution_regions(text: str) -> list[str]:
    """The text inside each solution region (what must never reach a student)."""
    return [m.group(0) for m in _SOLUTION_RE.finditer(text)]


def check_hints(text: str, where: str) -> None:
    """Every solution region must be preceded by a one-line ``# Hint:`` comment."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == BEGIN_SOLUTION and (i == 0 or not lines[i - 1].strip().startswith("# Hint:")):
            raise ReleaseError(f"{where}:{i + 1}: put a one-line '# Hint: …' comment directly above {BEGIN_SOLUTION}")


@dataclass
class Module:
    """A solution module split into its header (imports, constants) and its top-level functions."""

    header: str
    functions: dict  # name -> source text (decorators and body, comments inside included)


def split_module(text: str, where: str) -> Module:
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise ReleaseError(f"{where}:{exc.lineno}: syntax error: {exc.msg}") from exc
    lines = text.splitlines(keepends=True)
    body = list(tree.body)
    start = 0
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        start = body[0].end_lineno
        body = body[1:]
    functions = {}
    first_def = None
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            first_def = first_def or first
            end = node.end_lineno
            # trailing comments of the body (### END SOLUTION) are not in the AST: take the
            # indented and blank lines that follow, up to the next top-level line
            while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
                end += 1
            functions[node.name] = "".join(lines[first - 1:end]).rstrip()
        elif first_def is not None:
            raise ReleaseError(
                f"{where}:{node.lineno}: only functions may follow the first function "
                "(move constants and imports above it, into the module header)"
            )
    header_end = (first_def - 1) if first_def else len(lines)
    header = "".join(lines[start:header_end]).strip("\n")
    return Module(header, functions)


@dataclass
class Cell:
    kind: str  # markdown | module | solution | tests | setup | experiment
    names: list
    source: str
    line: int


def parse_cells(text: str, where: str) -> list[Cell]:
    """Split a percent-format notebook source into cells."""
    cells: list[Cell] = []
    current = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = CELL_RE.match(line)
        if m:
            if current:
                cells.append(current)
            kind = m.group("kind") or "experiment"
            if m.group("kind") and kind not in ("markdown", "module", "solution", "tests", "setup"):
                raise ReleaseError(f"{where}:{lineno}: unknown cell kind [{kind}] (see solutions/FORMAT.md)")
            current = Cell(kind, m.group("args").split(), "", lineno)
            continue
        if current is None:
            if line.strip():
                raise ReleaseError(f"{where}:{lineno}: text before the first '# %%' cell marker")
            continue
        current.source += line + "\n"
    if current:
        cells.append(current)
    for c in cells:
        c.source = c.source.strip("\n")
        if c.kind == "markdown":
            c.source = "\n".join(re.sub(r"^# ?", "", ln) if ln.startswith("#") else ln for ln in c.source.splitlines())
    return cells


def _nb_cell(cell_type: str, source: str, cell_id: str, metadata: dict) -> dict:
    cell = {"cell_type": cell_type, "id": cell_id, "metadata": metadata, "source": source.splitlines(keepends=True)}
    if cell_type == "code":
        cell.update({"execution_count": None, "outputs": []})
    return cell


def _nbgrader(grade_id: str, *, grade=False, solution=False, locked=True, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def build_notebook(name: str, module: Module, cells: list[Cell], where: str) -> dict:
    """The nbgrader source notebook of an exercise, as a JSON-ready dict."""
    suite = get_suite(name)
    placed: dict[str, int] = {}
    nb_cells = []
    counters: dict[str, int] = {}

    def next_id(kind):
        counters[kind] = counters.get(kind, 0) + 1
        return f"{kind}-{counters[kind]}"

    def functions_of(cell):
        missing = [n for n in cell.names if n not in module.functions]
        if missing:
            raise ReleaseError(f"{where}:{cell.line}: {name}.py has no function {', '.join(missing)}")
        if cell.source.strip():
            raise ReleaseError(f"{where}:{cell.line}: a [{cell.kind}] cell must be empty; "
                               f"its code comes from {name}.py")
        for n in cell.names:
            if n in placed:
                raise ReleaseError(f"{where}:{cell.line}: function {n} already placed at line {placed[n]}")
            placed[n] = cell.line
        return "\n\n\n".join(module.functions[n] for n in cell.names)

    for cell in cells:
        if cell.kind == "markdown":
            nb_cells.append(_nb_cell("markdown", cell.source, next_id("markdown"), {}))
        elif cell.kind == "module":
            nb_cells.append(_nb_cell("code", module.header, "module", _nbgrader("module")))
        elif cell.kind == "setup":
            src = functions_of(cell) if cell.names else cell.source
            cid = next_id("setup")
            nb_cells.append(_nb_cell("code", src, cid, _nbgrader(cid)))
        elif cell.kind == "solution":
            if not cell.names:
                raise ReleaseError(f"{where}:{cell.line}: name the functions: '# %% [solution] f g'")
            src = functions_of(cell)
            if BEGIN_SOLUTION not in src:
                raise ReleaseError(f"{where}:{cell.line}: {', '.join(cell.names)} has no {BEGIN_SOLUTION} region")
            cid = "solution_" + "_".join(cell.names)
            nb_cells.append(_nb_cell("code", src, cid, _nbgrader(cid, solution=True, locked=False)))
        elif cell.kind == "tests":
            if len(cell.names) != 1 or cell.names[0] not in suite.points:
                raise ReleaseError(f"{where}:{cell.line}: a [tests] cell names one graded function of {name}: "
                                   f"{', '.join(suite.points)}")
            fn = cell.names[0]
            cid = f"test_{fn}"
            nb_cells.append(_nb_cell("code", cell.source, cid,
                                     _nbgrader(cid, grade=True, points=suite.points[fn])))
        else:
            nb_cells.append(_nb_cell("code", cell.source, next_id("experiment"), {"tags": ["experiment"]}))

    unplaced = [n for n in module.functions if n not in placed]
    if unplaced:
        raise ReleaseError(f"{where}: functions of {name}.py in no cell: {', '.join(unplaced)} "
                           "(add them to a [solution] or [setup] cell)")
    untested = [f for f in suite.points if not any(c.kind == "tests" and c.names == [f] for c in cells)]
    if untested:
        raise ReleaseError(f"{where}: graded functions without a [tests] cell: {', '.join(untested)}")
    return {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def student_notebook(source_nb: dict, where: str) -> dict:
    """The release: every solution region stubbed, every hidden-tests region removed."""
    nb = json.loads(json.dumps(source_nb))
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = "".join(cell["source"])
        text = clear_hidden_tests(clear_solutions(text, where), where)
        cell["source"] = text.splitlines(keepends=True)
    return nb


def dumps_notebook(nb: dict) -> str:
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def exercises(root: Path) -> list[str]:
    """Names of the exercises under root/solutions (folders holding <name>.py and <name>.nb.py)."""
    sol = root / "solutions"
    return sorted(p.name for p in sol.iterdir() if p.is_dir() and (p / f"{p.name}.py").exists()
                  and (p / f"{p.name}.nb.py").exists()) if sol.is_dir() else []


def render(root: Path, name: str) -> dict[Path, str]:
    """Every generated file of one exercise: path -> text."""
    src_py = root / "solutions" / name / f"{name}.py"
    src_nb = root / "solutions" / name / f"{name}.nb.py"
    py_text = src_py.read_text(encoding="utf-8")
    where_py = str(src_py.relative_to(root))
    check_hints(py_text, where_py)
    module = split_module(py_text, where_py)
    cells = parse_cells(src_nb.read_text(encoding="utf-8"), str(src_nb.relative_to(root)))
    source_nb = build_notebook(name, module, cells, str(src_nb.relative_to(root)))
    return {
        root / "solutions" / name / f"{name}.ipynb": dumps_notebook(source_nb),
        root / "assignments" / name / f"{name}.py": clear_solutions(py_text, where_py),
        root / "assignments" / name / f"{name}.ipynb": dumps_notebook(student_notebook(source_nb, name)),
    }


#: the example class graded by `rnngrade demo`: (student, file, what to make it from)
EXAMPLE_ASSIGNMENT = "rnn_bptt"
EXAMPLE_BUGS = [  # two typical mistakes, injected into the solution for the "buggy" student
    ("dz = W.T @ delta_next", "dz = W @ delta_next"),  # W instead of Wᵀ in the δ recursion
    ("return D @ Z_tilde", "return D @ Z"),  # Z where Z̃ belongs
]
EXAMPLE_HEADER = "# Example submission for `rnngrade demo`, generated by `rnngrade release`: do not edit.\n"


def fill_solutions(text: str) -> str:
    """What a student who solved everything hands in: the solution without nbgrader's markers."""
    return "".join(ln for ln in text.splitlines(keepends=True)
                   if ln.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def render_examples(root: Path, rendered: dict[Path, str]) -> dict[Path, str]:
    """examples/class/{alice,bob,carol}: a correct .py, a buggy .py, the untouched notebook."""
    name = EXAMPLE_ASSIGNMENT
    src = root / "solutions" / name / f"{name}.py"
    if not src.exists():
        return {}
    filled = fill_solutions(src.read_text(encoding="utf-8"))
    buggy = filled
    for old, new in EXAMPLE_BUGS:
        if buggy.count(old) != 1:
            raise ReleaseError(f"{src.relative_to(root)}: the example bug expects exactly one '{old}' "
                               f"(found {buggy.count(old)}); update EXAMPLE_BUGS in autograder/release.py")
        buggy = buggy.replace(old, new)
    klass = root / "examples" / "class"
    return {
        klass / "alice" / f"{name}.py": EXAMPLE_HEADER + filled,
        klass / "bob" / f"{name}.py": EXAMPLE_HEADER + buggy,
        klass / "carol" / f"{name}.ipynb": rendered[root / "assignments" / name / f"{name}.ipynb"],
    }


def render_all(root: Path, names=None) -> dict[Path, str]:
    """Every generated file (of the named exercises only, when names is given): path -> text."""
    out: dict[Path, str] = {}
    known = exercises(root)
    for name in names or known:
        if name not in known:
            raise ReleaseError(f"no exercise {name!r} under {root / 'solutions'}: known are {', '.join(known)}")
        out.update(render(root, name))
    if EXAMPLE_ASSIGNMENT in (names or known):
        out.update(render_examples(root, out))
    return out


def stale(root: Path) -> list[Path]:
    """Generated files that differ from what the generator makes now (or are missing)."""
    return [p for p, text in render_all(root).items()
            if not p.exists() or p.read_text(encoding="utf-8") != text]


def release(root: Path, names=None) -> list[Path]:
    """Write every generated file (of the named exercises) whose content changed; return the paths written."""
    rendered = render_all(root, names)  # everything first: a bad source writes nothing
    written = []
    for path, text in rendered.items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
