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
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ReleaseError
from .suites import ASSIGNMENTS, get_suite

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"  # nbgrader's ClearSolutions default
#: nbgrader's delimiters: like ClearSolutions and ClearHiddenTests, any line CONTAINING one is a marker
DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")

CELL_RE = re.compile(r"^# %%(?:[ \t]+\[(?P<kind>[a-z]+)\])?(?P<args>.*)$")
CELL_ID_RE = re.compile(r"[a-zA-Z0-9_-]{1,64}")  # nbformat 4.5's cell id

#: the body release writes into every ``# %% [tests] f`` cell (the source's cell is just the header)
TESTS_BODY = """from autograder.selfcheck import check
score = check("{assignment}", "{function}", globals())
### BEGIN HIDDEN TESTS
score = check("{assignment}", "{function}", globals(), hidden=True)
### END HIDDEN TESTS
score"""


def _regions(text: str, begin: str, end: str, where: str, stub: str | None):
    """nbgrader's line scan: (text with every begin…end region replaced by stub (or removed), regions found).

    A line containing ``begin`` opens a region, one containing ``end`` closes it, wherever the
    delimiter sits on the line (as nbgrader's ClearSolutions and ClearHiddenTests read it).
    """
    out, regions, opened = [], [], None
    for lineno, line in enumerate(text.splitlines(keepends=True), start=1):
        if begin in line:
            if opened is not None:
                raise ReleaseError(f"{where}:{lineno}: nested '{begin}' (the region opened at line {opened} "
                                   f"has no '{end}')")
            opened = lineno
            regions.append(line)
            if stub is not None:
                indent = re.match(r"[ \t]*", line).group(0)
                out.extend(f"{indent}{s}\n" for s in stub.splitlines())
        elif end in line:
            if opened is None:
                raise ReleaseError(f"{where}:{lineno}: '{end}' without a '{begin}' above it")
            regions[-1] += line
            opened = None
        elif opened is not None:
            regions[-1] += line
        else:
            out.append(line)
    if opened is not None:
        raise ReleaseError(f"{where}:{opened}: unmatched '{begin}' (no '{end}' below it)")
    return "".join(out), regions


def clear_solutions(text: str, where: str = "") -> str:
    """Replace every BEGIN/END SOLUTION region by nbgrader's stub, at the BEGIN line's indentation."""
    return _regions(text, "BEGIN SOLUTION", "END SOLUTION", where, CODE_STUB)[0]


def clear_hidden_tests(text: str, where: str = "") -> str:
    """Remove every BEGIN/END HIDDEN TESTS region, markers included (nbgrader's ClearHiddenTests)."""
    return _regions(text, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", where, None)[0]


def solution_regions(text: str) -> list[str]:
    """The text of each solution region, markers included (what must never reach a student)."""
    return _regions(text, "BEGIN SOLUTION", "END SOLUTION", "", CODE_STUB)[1]


def check_markers(text: str, where: str, allowed=(BEGIN_SOLUTION, END_SOLUTION)) -> None:
    """Every line nbgrader reads as a marker must be exactly one of ``allowed``, alone on its line.

    ``## BEGIN SOLUTION`` or ``return x  # END SOLUTION`` would be cleared by nbgrader all the
    same, but with what the author did not mean: refused, naming the line.
    """
    for lineno, line in enumerate(text.splitlines(), start=1):
        found = [d for d in DELIMITERS if d in line]
        if found and line.strip() not in allowed:
            which = max(found, key=len)
            hint = f"write '### {which}' alone on its line" if f"### {which}" in allowed else \
                f"'{which}' has no place here"
            raise ReleaseError(f"{where}:{lineno}: a line containing '{which}' is an nbgrader marker: {hint}")


def check_hints(text: str, where: str) -> None:
    """Every solution region must be preceded by a one-line ``# Hint:`` comment."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == BEGIN_SOLUTION and (i == 0 or not lines[i - 1].strip().startswith("# Hint:")):
            raise ReleaseError(f"{where}:{i + 1}: put a one-line '# Hint: …' comment directly above {BEGIN_SOLUTION}")


def cell_id(text: str) -> str:
    """text as an nbformat cell id (letters, digits, - and _, at most 64), shortened with a hash if need be."""
    if CELL_ID_RE.fullmatch(text):
        return text
    clean = re.sub(r"[^a-zA-Z0-9_-]", "_", text)[:55]
    return f"{clean}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"


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

    def grade_id(text):  # unique within the notebook and a valid nbformat cell id
        cid = cell_id(text)
        if cid in ids:
            raise ReleaseError(f"{where}: two cells would have the id {cid!r}")
        ids.add(cid)
        return cid

    ids: set = set()

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
            if BEGIN_SOLUTION in src:
                raise ReleaseError(f"{where}:{cell.line}: a [setup] cell is given to students whole, but "
                                   f"{', '.join(cell.names)} has a {BEGIN_SOLUTION} region: use a [solution] cell")
            cid = next_id("setup")
            nb_cells.append(_nb_cell("code", src, cid, _nbgrader(cid)))
        elif cell.kind == "solution":
            if not cell.names:
                raise ReleaseError(f"{where}:{cell.line}: name the functions: '# %% [solution] f g'")
            src = functions_of(cell)
            if BEGIN_SOLUTION not in src:
                raise ReleaseError(f"{where}:{cell.line}: {', '.join(cell.names)} has no {BEGIN_SOLUTION} region")
            cid = grade_id("solution_" + "_".join(cell.names))
            nb_cells.append(_nb_cell("code", src, cid, _nbgrader(cid, solution=True, locked=False)))
        elif cell.kind == "tests":
            if len(cell.names) != 1 or cell.names[0] not in suite.points:
                raise ReleaseError(f"{where}:{cell.line}: a [tests] cell names one graded function of {name}: "
                                   f"{', '.join(suite.points)}")
            if cell.source.strip():
                raise ReleaseError(f"{where}:{cell.line}: a [tests] cell is just its header: "
                                   "`rnngrade release` writes its body (see solutions/FORMAT.md)")
            fn = cell.names[0]
            cid = grade_id(f"test_{fn}")
            body = TESTS_BODY.format(assignment=name, function=fn)
            nb_cells.append(_nb_cell("code", body, cid, _nbgrader(cid, grade=True, points=suite.points[fn])))
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


EXERCISE = "an exercise is solutions/{0}/{0}.py, solutions/{0}/{0}.nb.py and autograder/suites/{0}.py " \
           "(see solutions/FORMAT.md)"


def exercises(root: Path) -> list[str]:
    """The exercises under root/solutions, in the registry's (the lectures') order.

    Every folder of root/solutions must be a complete exercise, registered with the grader
    (autograder/suites/<name>.py), and, when root holds autograder/suites/, every suite there
    must have its solutions: anything else is a ReleaseError naming what is missing.
    """
    sol = root / "solutions"
    if not sol.is_dir():
        return []
    found = sorted(p.name for p in sol.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    for name in found:
        missing = [f for f in (f"{name}.py", f"{name}.nb.py") if not (sol / name / f).is_file()]
        if missing:
            raise ReleaseError(f"solutions/{name} has no {' and no '.join(missing)}: " + EXERCISE.format(name))
        if name not in ASSIGNMENTS:
            raise ReleaseError(f"solutions/{name} has no suite in the grader being run ({', '.join(ASSIGNMENTS)}): "
                               + EXERCISE.format(name))
    for folder, problem in (("suites", "has no solutions/{}/"), ("known_mistakes", "belongs to no exercise")):
        for p in sorted((root / "autograder" / folder).glob("*.py")):
            if not p.name.startswith("_") and p.stem not in found:
                raise ReleaseError(f"autograder/{folder}/{p.name} {problem.format(p.stem)}: "
                                   + EXERCISE.format(p.stem))
    return [n for n in ASSIGNMENTS if n in found]


def render(root: Path, name: str) -> dict[Path, str]:
    """Every generated file of one exercise: path -> text."""
    src_py = root / "solutions" / name / f"{name}.py"
    src_nb = root / "solutions" / name / f"{name}.nb.py"
    py_text = src_py.read_text(encoding="utf-8")
    nb_text = src_nb.read_text(encoding="utf-8")
    where_py, where_nb = str(src_py.relative_to(root)), str(src_nb.relative_to(root))
    check_markers(py_text, where_py)
    check_markers(nb_text, where_nb, allowed=())
    check_hints(py_text, where_py)
    module = split_module(py_text, where_py)
    cells = parse_cells(nb_text, where_nb)
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
                   if "BEGIN SOLUTION" not in ln and "END SOLUTION" not in ln)


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
