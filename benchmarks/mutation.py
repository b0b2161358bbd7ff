"""Mutation benchmark: how many wrong solutions the grader catches, and what their feedback says.

    python benchmarks/mutation.py                      # every exercise, every mutant (capped, below)
    python benchmarks/mutation.py --sample 30          # 30 mutants per exercise, seeded: a quick run
    python benchmarks/mutation.py --exercises lstm,gru -j 2 --out benchmarks/results

Each exercise's solution (``solutions/<name>/<name>.py``) is mutated **inside its solution regions
only** (the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION``), by two mutators:

* **mutmut** (the version pinned in the ``bench`` extra of pyproject.toml), through its library:
  ``mutmut.mutation.file_mutation.MutationVisitor`` with ``mutmut.mutation.mutators.mutation_operators``
  (numbers +1, strings, True/False, ``a = b`` → ``a = None``, ``+=`` → ``=``, operator swaps ``+ − * /
  ** < <= == and or``, call arguments → None or dropped, …), restricted to the regions' lines through
  its ``covered_lines``. mutmut's ``create_mutations`` wants a mutmut project configuration (it reads
  ``do_not_mutate`` patterns from a config it looks up in the working directory); the solutions carry
  no pragmas, so the visitor is run directly with an empty ``IgnoredCode`` — the same six lines.
  Each mutation is applied alone with libcst's ``deep_replace``: one mutant per mutation.
* **numpy** (this file, on Python's ``ast``; each mutated node's source span is replaced by the
  unparsed new node, everything else is kept byte for byte): the mistakes of array code
  (``NUMPY_OPERATORS``): a ``.T`` removed or added to an operand of ``@``; ``axis=`` changed or
  dropped; slices shifted by one (``[1:]`` ↔ ``[:-1]``, ``[a:b]`` → ``[a+1:b+1]``); row/column block
  swaps (``[:H]`` ↔ ``[H:]``, ``[L:U]`` → the next block) and gate swaps (``P["W_F"]`` →
  ``P["W_I"]``, ``gF`` → ``gI``, ``_fw`` ↔ ``_bw``); off-by-one in time (``range(T)`` →
  ``range(T-1)`` / ``range(1, T)``, the same at either end of a reversed range, ``t-1`` → ``t``,
  ``X[t]`` → ``X[t-1]`` / ``X[t+1]``); ``np.sum`` ↔ ``np.mean``, ``max`` ↔ ``min``; ``tanh`` ↔
  ``sigmoid``; ``1 - x**2`` → ``x`` or ``1 - x``, ``x (1 - x)`` → ``x``; the softmax's max shift
  dropped; ``.copy()`` dropped; ``np.outer(a, b)`` → ``np.outer(b, a)``; a bias 1 or a z_0 row left
  out of ``concatenate``/``hstack``/``vstack``; ``np.zeros`` → ``np.ones``.

Mutants identical to the solution, to each other, or that do not compile are dropped. Every
mutant is a student folder, and all of an exercise's are graded by one ``rnngrade batch -a <name>
-j J --results DIR`` (the installed command, as a TA runs it; public-default inputs, no course secret).

Verdicts, per mutant:

* **killed**: its score is below the maximum (0-point informational checks never kill).
* **equivalent**: not killed, and the same outputs as the solution on the suite's inputs built with
  three other seeds (``EQUIV_SEEDS``), as far as the stubs' contract fixes them: each of the exercise's
  functions is called, through the case's driver, on every case's inputs, in a subprocess that imports
  the mutant; results are compared exactly in type, shape and dtype and to 1e-9 relative in value,
  exceptions by type, and the arguments must come back unchanged. Where the contract leaves a choice to
  the student, equivalence is the contract: a figure is compared on each line's x and y data (more than the
  grader's ``figure_lines`` driver reads) and on whether the Axes drawing the loss has both axis labels — not
  on their words ("English labels, e.g. \"epoch\""), titles, limits or an optional second Axes' labels
  (``_figure_data``); a compare="threshold" case (a
  performance whose method is the student's: esn.forecast's "your choice of H, ρ, a, …") on whether the
  bound is met on the fresh seeds, not on the values. Only the mutants the grader did not kill are checked
  (a killed mutant is taken as non-equivalent; ``--equiv-all`` checks them too and reports the
  killed ones that are equivalent: the grader's false alarms).
* **surviving**: neither. Listed in ``survivors.csv``: exercise, function, line, the mutation.

Feedback classes of a killed mutant (the best over its failed scored cases, ``max_score > 0``):

* **specific diagnosis**: a failed case whose JSON result carries a non-empty ``tags`` (the id of a
  known mistake or of a diagnosis the grader matched);
* **function hint only**: no tag, but a message whose hint is not one of the grader's generic
  ones — i.e. the suite's own hint for that function and kind of problem (``Case.hints``) or any
  other text specific to it;
* **generic only**: every failed case's message ends in one of the message catalog's generic
  hints, read from ``autograder.feedback`` at run time in the grading language: ``GENERIC_HINTS``
  (e.g. "Print the intermediate quantities on a small case …"), the default hint of an exception
  ("Run it on a small example and read the traceback."), the hints of a case with no result
  (``NO_RESULT``: timeouts, crashes, failed imports) and of an internal error.

**crash**: a killed mutant with a failed scored case of status ``error`` or ``timeout`` (an
exception, a timeout, a crashed or failed import), as opposed to a wrong value.

All mutants: 2,865 (146–399 per exercise). ``--max-per-exercise`` (default 150, seeded like ``--sample``) caps
the full run at 1,942 mutants: 12 minutes on 2 cores with ``-j 3 --lang en,ja`` (about 0.1 s a mutant and
language, except classify's 1.3 s: each grades a training run); ``--max-per-exercise 0`` grades them all.
This is a benchmark that prints a table, not a test.
"""

from __future__ import annotations

import argparse
import ast
import csv
import difflib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
RNNGRADE = str(BIN / "rnngrade")

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
#: the seeds of the equivalence check's inputs (the suites' own seeds are 8-digit dates)
EQUIV_SEEDS = (7, 1234, 999331)
#: relative tolerance of the equivalence check (a reordered sum may differ in the last bits)
EQUIV_RTOL, EQUIV_ATOL = 1e-9, 1e-12
#: seconds one mutant may run in the equivalence check before it counts as not equivalent
EQUIV_TIMEOUT = 60
DEFAULT_CAP = 150
COLUMNS = ("exercise", "mutants", "killed", "equivalent", "surviving", "errors", "kill_rate", "crash",
           "specific", "function_hint", "generic")


# ---------------------------------------------------------------------------------------------
# solution regions


@dataclass(frozen=True)
class Region:
    first: int  # first line inside the markers (1-based)
    last: int  # last line inside the markers
    function: str  # the function the region belongs to


def solution_regions(code: str) -> list[Region]:
    """The regions between ``### BEGIN SOLUTION`` / ``### END SOLUTION``, with their enclosing function."""
    lines = code.splitlines()
    spans, start = [], None
    for i, line in enumerate(lines, 1):
        if line.strip() == BEGIN:
            start = i + 1
        elif line.strip() == END and start is not None:
            spans.append((start, i - 1))
            start = None
    funcs = [(n.lineno, n.end_lineno, n.name) for n in ast.walk(ast.parse(code))
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    out = []
    for a, b in spans:
        owners = [f for f in funcs if f[0] < a and f[1] >= b]
        name = max(owners)[2] if owners else "<module>"  # the innermost: the latest def holding it
        out.append(Region(a, b, name))
    return out


def region_lines(regions: list[Region]) -> set[int]:
    return {i for r in regions for i in range(r.first, r.last + 1)}


def function_at(regions: list[Region], line: int) -> str:
    for r in regions:
        if r.first <= line <= r.last:
            return r.function
    return "<outside>"


@dataclass
class Mutant:
    exercise: str
    mutator: str  # "mutmut" or "numpy"
    operator: str
    function: str
    line: int  # in the solution, 1-based: the first line that differs
    before: str
    after: str
    code: str = field(repr=False)
    id: str = ""

    @property
    def mutation(self) -> str:
        return f"{self.before.strip()}  →  {self.after.strip()}"


def changed_lines(source: str, mutated: str) -> tuple[list[int], str, str]:
    """The source's line numbers (1-based) a mutation changed, and the first changed line before / after."""
    a, b = source.splitlines(), mutated.splitlines()
    touched, before, after = [], "", ""
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        touched += list(range(i1 + 1, i2 + 1)) or [i1 + 1]  # an insertion touches the line it goes before
        if not before and not after:
            before = "\n".join(a[i1:i2])
            after = "\n".join(b[j1:j2])
    return touched, before, after


def _mutant(exercise, mutator, operator, source, mutated, regions, lines) -> Mutant | None:
    """A Mutant when ``mutated`` compiles, differs, and changed only lines inside the regions; else None."""
    if mutated == source:
        return None
    try:
        compile(mutated, f"<{exercise} mutant>", "exec")
    except (SyntaxError, ValueError):
        return None
    touched, before, after = changed_lines(source, mutated)
    if not touched or not set(touched) <= lines:
        return None
    return Mutant(exercise, mutator, operator, function_at(regions, touched[0]), touched[0], before, after, mutated)


# ---------------------------------------------------------------------------------------------
# mutmut's operators


def mutmut_mutants(exercise: str, source: str) -> list[Mutant]:
    """One mutant per mutation mutmut's operators make on the solution regions' lines."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper
    from mutmut.mutation.file_mutation import MutationVisitor
    from mutmut.mutation.mutators import mutation_operators
    from mutmut.mutation.pragma_handling import IgnoredCode

    regions = solution_regions(source)
    lines = region_lines(regions)
    wrapper = MetadataWrapper(cst.parse_module(source))
    visitor = MutationVisitor(mutation_operators, IgnoredCode(set(), set(), set()), lines)
    module = wrapper.visit(visitor)
    out = []
    for m in visitor.mutations:
        mutated = module.deep_replace(m.original_node, m.mutated_node).code
        op = f"mutmut:{type(m.original_node).__name__}→{type(m.mutated_node).__name__}"
        mu = _mutant(exercise, "mutmut", op, source, mutated, regions, lines)
        if mu:
            out.append(mu)
    return out


# ---------------------------------------------------------------------------------------------
# numpy-specific operators, on Python's ast


def _expr(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body


def _num(n: int) -> ast.expr:
    return ast.Constant(n) if n >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-n))


def _int_of(node) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and type(node.operand.value) is int:
        return -node.operand.value
    return None


def _plus(node, k: int) -> ast.expr:
    """node + k, folded when node is an int literal."""
    v = _int_of(node)
    if v is not None:
        return _num(v + k)
    return ast.BinOp(node, ast.Add() if k > 0 else ast.Sub(), ast.Constant(abs(k)))


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        base = f.value.id + "." if isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy") else "."
        return base + f.attr
    return ""


def _copy(node):
    return ast.parse(ast.unparse(node), mode="eval").body if isinstance(node, ast.expr) else node


class _Context:
    """What the numpy operators need to know about the module."""

    def __init__(self, tree: ast.Module):
        self.has_sigmoid = any(isinstance(n, ast.FunctionDef) and n.name == "sigmoid" for n in tree.body)
        keys = {n.slice.value for n in ast.walk(tree) if isinstance(n, ast.Subscript)
                and isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, str)}
        keys |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                 and re.fullmatch(r"[A-Za-z_]\w*", n.value)}
        self.keys = sorted(keys)
        self.names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})
        self.loop_vars = {n.target.id for n in ast.walk(tree) if isinstance(n, ast.For)
                          and isinstance(n.target, ast.Name) and isinstance(n.iter, ast.Call)
                          and _call_name(n.iter) == "range"}


def _siblings(word: str, pool: list[str], names: bool) -> list[str]:
    """Other words of the pool that differ from ``word`` in exactly one place: a gate's letter (F/I/O, Z/R:
    both upper case) or the direction of a bidirectional pass (fw/bw); for string keys any one letter."""
    out = []
    for other in pool:
        if other == word or len(other) != len(word) or len(word) < 2:
            continue
        diff = [(i, a, b) for i, (a, b) in enumerate(zip(word, other)) if a != b]
        if len(diff) != 1:
            continue
        i, a, b = diff[0]
        gate = a.isupper() and b.isupper() and i > 0  # gF → gI, daF → daI, W_F → W_I; not U_fw → D_fw
        direction = {a, b} == {"f", "b"} and ("fw" in word or "bw" in word)
        if gate or direction or (not names and a.isalpha() and b.isalpha()):
            out.append(other)
    return out


def op_transpose(node, ctx):
    """``X.T`` → ``X``; an operand ``A`` of ``@`` → ``A.T``."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield _copy(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        for side in ("left", "right"):
            operand = getattr(node, side)
            if isinstance(operand, ast.Attribute) and operand.attr == "T":
                continue
            new = _copy(node)
            setattr(new, side, ast.Attribute(_copy(operand), "T", ast.Load()))
            yield new


def op_axis(node, ctx):
    """``axis=k`` → the other axis (0 ↔ 1, −1 → 0, 2 → 1), and ``axis=`` dropped (a global reduction)."""
    if not isinstance(node, ast.Call):
        return
    for i, kw in enumerate(node.keywords):
        if kw.arg != "axis":
            continue
        k = _int_of(kw.value)
        if k is not None:
            other = {0: 1, 1: 0, -1: 0, 2: 1}.get(k, 0)
            new = _copy(node)
            new.keywords[i].value = _num(other)
            yield new
        new = _copy(node)
        del new.keywords[i]
        yield new


def op_slice_shift(node, ctx):
    """``[1:]`` ↔ ``[:-1]`` (also inside ``[:, 1:]``), ``[a:b]`` → ``[a+1:b+1]``."""
    if not isinstance(node, ast.Slice) or node.step is not None:
        return
    lo, hi = node.lower, node.upper
    if lo is not None and hi is None and _int_of(lo) == 1:
        yield ast.Slice(None, _num(-1))
    elif lo is None and hi is not None and _int_of(hi) == -1:
        yield ast.Slice(_num(1), None)
    elif lo is not None and hi is not None:
        yield ast.Slice(_plus(_copy(lo), 1), _plus(_copy(hi), 1))
    elif lo is not None:
        yield ast.Slice(_plus(_copy(lo), 1), None)
    elif hi is not None:
        yield ast.Slice(None, _plus(_copy(hi), 1))


def op_block_swap(node, ctx):
    """Row/column blocks of stacked arrays: ``[:H]`` ↔ ``[H:]``, ``[L:U]`` → the next block ``[U:2U−L]``;
    gates: a key ``"W_F"`` → ``"W_I"``, a name ``gF`` → ``gI``, ``_fw`` ↔ ``_bw``."""
    if isinstance(node, ast.Slice) and node.step is None:
        lo, hi = node.lower, node.upper
        if lo is None and hi is not None and _int_of(hi) is None:
            yield ast.Slice(_copy(hi), None)
        elif hi is None and lo is not None and _int_of(lo) is None:
            yield ast.Slice(None, _copy(lo))
        elif lo is not None and hi is not None and (_int_of(lo) is None or _int_of(hi) is None):
            width = ast.BinOp(_copy(hi), ast.Sub(), _copy(lo))
            yield ast.Slice(_copy(hi), ast.BinOp(_copy(hi), ast.Add(), width))
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        for other in _siblings(node.slice.value, ctx.keys, names=False)[:1]:
            new = _copy(node)
            new.slice = ast.Constant(other)
            yield new
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        for other in _siblings(node.id, ctx.names, names=True)[:1]:
            yield ast.Name(other, ast.Load())


def op_time_range(node, ctx):
    """Off-by-one at a time loop's ends: ``range(T)`` → ``range(T-1)``, ``range(1, T)``; ``range(a, b)`` →
    ``range(a+1, b)``, ``range(a, b-1)``; a reversed ``range(a, b, -1)`` → ``range(a-1, b, -1)``, ``range(a, b+1, -1)``."""
    if not (isinstance(node, ast.Call) and _call_name(node) == "range" and not node.keywords):
        return
    args = node.args
    if len(args) == 1:
        yield ast.Call(ast.Name("range", ast.Load()), [_plus(_copy(args[0]), -1)], [])
        yield ast.Call(ast.Name("range", ast.Load()), [ast.Constant(1), _copy(args[0])], [])
    elif len(args) >= 2:
        step = _int_of(args[2]) if len(args) == 3 else 1
        sign = -1 if step is not None and step < 0 else 1
        rest = [_copy(a) for a in args[2:]]
        yield ast.Call(ast.Name("range", ast.Load()), [_plus(_copy(args[0]), sign), _copy(args[1]), *rest], [])
        yield ast.Call(ast.Name("range", ast.Load()), [_copy(args[0]), _plus(_copy(args[1]), -sign), *rest], [])


def op_time_index(node, ctx):
    """``t-1`` / ``t+1`` → ``t`` for a loop variable t; an index ``X[t]`` → ``X[t-1]``, ``X[t+1]``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)) and isinstance(node.left, ast.Name) \
            and node.left.id in ctx.loop_vars and _int_of(node.right) == 1:
        yield ast.Name(node.left.id, ast.Load())
    if isinstance(node, ast.Subscript):
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        for i, p in enumerate(parts):
            if isinstance(p, ast.Name) and p.id in ctx.loop_vars:
                for k in (-1, 1):
                    new = _copy(node)
                    shifted = _plus(ast.Name(p.id, ast.Load()), k)
                    if isinstance(new.slice, ast.Tuple):
                        new.slice.elts[i] = shifted
                    else:
                        new.slice = shifted
                    yield new


_SWAPS = {"np.sum": "np.mean", "np.mean": "np.sum", ".sum": ".mean", ".mean": ".sum",
          "np.max": "np.min", "np.min": "np.max", ".max": ".min", ".min": ".max"}


def op_reduce(node, ctx):
    """``np.sum`` ↔ ``np.mean``, ``.sum()`` ↔ ``.mean()``, ``max`` ↔ ``min``."""
    if not isinstance(node, ast.Call):
        return
    name = _call_name(node)
    if name in _SWAPS:
        new = _copy(node)
        new.func.attr = _SWAPS[name].split(".")[-1]
        yield new


def op_activation(node, ctx):
    """``np.tanh(x)`` → ``sigmoid(x)`` (the module's, else written out), ``sigmoid(x)`` → ``np.tanh(x)``."""
    if not (isinstance(node, ast.Call) and len(node.args) == 1):
        return
    name = _call_name(node)
    arg = _copy(node.args[0])
    if name == "np.tanh":
        if ctx.has_sigmoid:
            yield ast.Call(ast.Name("sigmoid", ast.Load()), [arg], [])
        else:
            yield _expr(f"1.0 / (1.0 + np.exp(-({ast.unparse(arg)})))")
    elif name == "sigmoid":
        yield ast.Call(_expr("np.tanh"), [arg], [])


def _is_one(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in (1, 1.0) and type(node.value) in (int, float)


def op_derivative(node, ctx):
    """A derivative left out or half-written: ``1 - x**2`` → ``x``, ``1 - x``; ``1 - x*x`` → ``x``;
    ``x * (1 - x)`` → ``x``."""
    if not isinstance(node, ast.BinOp):
        return
    if isinstance(node.op, ast.Sub) and _is_one(node.left):
        r = node.right
        if isinstance(r, ast.BinOp) and isinstance(r.op, ast.Pow) and _int_of(r.right) == 2:
            yield _copy(r.left)
            yield ast.BinOp(ast.Constant(1.0), ast.Sub(), _copy(r.left))
        elif isinstance(r, ast.BinOp) and isinstance(r.op, ast.Mult) and ast.dump(r.left) == ast.dump(r.right):
            yield _copy(r.left)
            yield ast.BinOp(ast.Constant(1.0), ast.Sub(), _copy(r.left))
    if isinstance(node.op, ast.Mult):
        for a, b in ((node.left, node.right), (node.right, node.left)):
            if isinstance(b, ast.BinOp) and isinstance(b.op, ast.Sub) and _is_one(b.left) \
                    and ast.dump(b.right) == ast.dump(a):
                yield _copy(a)


def op_softmax_shift(node, ctx):
    """The softmax's max shift dropped: ``V - V.max(…)`` → ``V``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) and isinstance(node.right, ast.Call) \
            and _call_name(node.right) in ("np.max", ".max", "np.amax"):
        yield _copy(node.left)


def op_copy(node, ctx):
    """``x.copy()`` → ``x`` (an input then written into in place)."""
    if isinstance(node, ast.Call) and _call_name(node) == ".copy" and not node.args:
        yield _copy(node.func.value)


def op_outer(node, ctx):
    """``np.outer(a, b)`` → ``np.outer(b, a)``."""
    if isinstance(node, ast.Call) and _call_name(node) == "np.outer" and len(node.args) == 2:
        new = _copy(node)
        new.args = [_copy(node.args[1]), _copy(node.args[0])]
        yield new


def op_stack_part(node, ctx):
    """A bias 1 or a z_0 row left out: ``np.concatenate(([1.0], s))`` → ``s``, ``np.vstack([z0, Z[:-1]])`` →
    ``Z[:-1]``, ``np.hstack([ones, Z])`` → ``Z``."""
    if isinstance(node, ast.Call) and _call_name(node) in ("np.concatenate", "np.hstack", "np.vstack") \
            and node.args and isinstance(node.args[0], (ast.List, ast.Tuple)) and len(node.args[0].elts) == 2:
        yield _copy(node.args[0].elts[1])
        yield _copy(node.args[0].elts[0])


def op_init(node, ctx):
    """``np.zeros`` → ``np.ones`` (a state or an accumulator that does not start at 0)."""
    if isinstance(node, ast.Call) and _call_name(node) in ("np.zeros", "np.zeros_like"):
        new = _copy(node)
        new.func.attr = new.func.attr.replace("zeros", "ones")
        yield new


#: operator name -> generator (node, context) -> replacement nodes
NUMPY_OPERATORS = {
    "transpose": op_transpose,
    "axis": op_axis,
    "slice_shift": op_slice_shift,
    "block_swap": op_block_swap,
    "time_range": op_time_range,
    "time_index": op_time_index,
    "reduce": op_reduce,
    "activation": op_activation,
    "derivative": op_derivative,
    "softmax_shift": op_softmax_shift,
    "copy": op_copy,
    "outer": op_outer,
    "stack_part": op_stack_part,
    "init": op_init,
}


def _offsets(source: str):
    """(line, utf-8 byte column) → character offset in source."""
    starts, pos = [], 0
    lines = source.splitlines(keepends=True)
    for line in lines:
        starts.append(pos)
        pos += len(line)

    def at(line: int, col: int) -> int:
        text = lines[line - 1]
        return starts[line - 1] + len(text.encode("utf-8")[:col].decode("utf-8", errors="ignore"))

    return at


_ATOMIC = (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant, ast.List, ast.Tuple, ast.Dict)


def _text(new) -> str:
    if isinstance(new, ast.Slice):
        lo = ast.unparse(new.lower) if new.lower is not None else ""
        hi = ast.unparse(new.upper) if new.upper is not None else ""
        return f"{lo}:{hi}"
    text = ast.unparse(new)
    if isinstance(new, ast.Tuple) and not text.startswith("("):
        text = f"({text})"
    return text if isinstance(new, _ATOMIC) else f"({text})"


def numpy_mutants(exercise: str, source: str, operators: dict | None = None) -> list[Mutant]:
    """The numpy operators' mutants of the nodes that lie wholly inside a solution region."""
    tree = ast.parse(source)
    ctx = _Context(tree)
    regions = solution_regions(source)
    lines = region_lines(regions)
    at = _offsets(source)
    out = []
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or node.lineno not in lines or node.end_lineno not in lines:
            continue
        if isinstance(node, ast.Slice) and node.lineno != node.end_lineno:
            continue
        start, end = at(node.lineno, node.col_offset), at(node.end_lineno, node.end_col_offset)
        for name, op in (operators or NUMPY_OPERATORS).items():
            for new in op(node, ctx):
                try:
                    text = _text(ast.fix_missing_locations(new))
                except Exception:  # noqa: BLE001 - a node the unparser cannot write is no mutant
                    continue
                mutated = source[:start] + text + source[end:]
                mu = _mutant(exercise, "numpy", f"numpy:{name}", source, mutated, regions, lines)
                if mu:
                    out.append(mu)
    return out


MUTATORS = ("mutmut", "numpy")


def make_mutants(exercise: str, source: str | None = None, mutators=MUTATORS) -> list[Mutant]:
    """Every distinct mutant of the exercise's solution, mutmut's first, ids m0001…"""
    if source is None:
        source = (ROOT / "solutions" / exercise / f"{exercise}.py").read_text(encoding="utf-8")
    seen, out = {source}, []
    made = ((mutmut_mutants(exercise, source) if "mutmut" in mutators else [])
            + (numpy_mutants(exercise, source) if "numpy" in mutators else []))
    for mu in made:
        if mu.code in seen:
            continue
        seen.add(mu.code)
        mu.id = f"m{len(out) + 1:04d}"
        out.append(mu)
    return out


def choose(mutants: list, n: int | None, seed: int = 0) -> list:
    """n of the mutants, seeded, in their original order (all when n is None, 0 or at least their number)."""
    if not n or n >= len(mutants):
        return list(mutants)
    keep = set(random.Random(seed).sample(range(len(mutants)), n))
    return [m for i, m in enumerate(mutants) if i in keep]


# ---------------------------------------------------------------------------------------------
# grading


def grade(exercise: str, mutants: list[Mutant], work: Path, jobs: int, lang: str) -> dict:
    """{mutant id: its JSON result}, all mutants graded by one ``rnngrade batch``."""
    cls = work / f"{exercise}-{lang}" / "class"
    res = work / f"{exercise}-{lang}" / "results"
    for mu in mutants:
        d = cls / mu.id
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{exercise}.py").write_text(mu.code, encoding="utf-8")
    cmd = [RNNGRADE, "batch", str(cls), "-a", exercise, "-j", str(jobs), "--results", str(res),
           "-o", str(work / f"{exercise}-{lang}" / "grades.csv"), "--lang", lang]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=work)
    if proc.returncode not in (0, 1, 3) or not res.is_dir():  # 1: the grader failed for some (counted as errors)
        raise SystemExit(f"rnngrade batch failed ({proc.returncode}) for {exercise}: {proc.stderr.strip()[-2000:]}")
    out = {}
    for mu in mutants:
        p = res / f"{mu.id}.json"
        out[mu.id] = json.loads(p.read_text(encoding="utf-8")) if p.exists() else None
    return out


def generic_hints(lang: str) -> list[str]:
    """The message catalog's generic hints in ``lang``, read from autograder.feedback (see the docstring)."""
    from autograder import feedback as fb

    texts = []
    table = getattr(fb, "GENERIC_HINTS_JA" if lang == "ja" else "GENERIC_HINTS", {})
    texts += list(table.values())
    for kinds in getattr(fb, "NO_RESULT", {}).values():
        entry = kinds.get(lang) or kinds.get("en")
        if entry:
            texts.append(entry[1])
    for make in (lambda h: fb.raised_text("f", "ValueError", "boom", lang, hint=h),
                 lambda h: fb.internal_error("f", "ValueError", lang)):
        try:  # the default hint: what the sentence holds without an explicit hint and not with one
            plain, marked = make(None), make("\x00")
            head = marked.split("\x00")[0]
            if plain.startswith(head) and plain[len(head):].strip():
                texts.append(plain[len(head):].strip())
            elif "\x00" not in marked:  # no hint slot: the whole sentence is generic
                texts.append(plain.split(": ", 1)[-1])
        except Exception:  # noqa: BLE001 - a catalog that moved: fall back to the known wording below
            pass
    texts += (["小さな例で実行して、トレースバックを読んでください。"] if lang == "ja"
              else ["Run it on a small example and read the traceback."])
    return [t for t in dict.fromkeys(t.strip() for t in texts) if t]


CLASSES = ("specific", "function_hint", "generic")


def verdict(result: dict | None, generic: list[str]) -> dict:
    """killed, crash, and the feedback class of one mutant's JSON result."""
    if result is None or result.get("status") == "internal_error":  # the grader's failure, not the mutant's
        return {"killed": False, "crash": False, "feedback": "", "tags": [], "graded": False, "error": True}
    if result.get("status") not in (None, "graded"):  # refused: 0 and a reason
        return {"killed": True, "crash": True, "feedback": "generic", "tags": [], "graded": False, "error": False}
    failed = [t for t in result.get("tests", []) if t.get("max_score", 0) > 0 and t.get("status") != "passed"]
    killed = result.get("score", 0) < result.get("max_score", 0) - 1e-9 or bool(failed)
    crash = any(t.get("status") in ("error", "timeout") for t in failed)
    tags = sorted({tag for t in failed for tag in (t.get("tags") or [])})
    if tags:
        cls = "specific"
    elif any(not any(g in (t.get("output") or "") for g in generic) for t in failed):
        cls = "function_hint"
    else:
        cls = "generic"
    return {"killed": killed, "crash": crash, "feedback": cls if killed else "", "tags": tags, "graded": True,
            "error": False}


# ---------------------------------------------------------------------------------------------
# equivalence: the mutant's outputs against the solution's on fresh seeds


def _same_output(a, b, depth: int = 0) -> bool:
    import numpy as np

    if depth > 20:
        return False
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if type(a) is not type(b) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return bool(np.allclose(a, b, rtol=EQUIV_RTOL, atol=EQUIV_ATOL, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same_output(a[k], b[k], depth + 1) for k in a)
    if isinstance(a, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same_output(x, y, depth + 1) for x, y in zip(a, b)))
    if isinstance(a, float) or isinstance(b, float):
        if type(a) is not type(b):
            return False
        return a == b or (a != a and b != b) or abs(a - b) <= EQUIV_ATOL + EQUIV_RTOL * abs(b)
    if isinstance(a, (np.generic,)) or isinstance(b, np.generic):
        return type(a) is type(b) and _same_output(np.asarray(a), np.asarray(b), depth + 1)
    return type(a) is type(b) and a == b


def _load(path: Path, name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _run(func, driver, args, kwargs):
    """(outcome, arguments after the call): ("ok", result) or ("raise", exception type name)."""
    import copy
    import warnings

    import numpy as np

    given = copy.deepcopy(args)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return ("ok", driver(func, given, copy.deepcopy(kwargs))), given
    except Exception as exc:  # noqa: BLE001 - the outcome is compared, whatever it is
        return ("raise", type(exc).__name__), given


def _figure_data(func, args, kwargs):
    """What the stubs' contract fixes of a figure (classify.plot_learning_curve: "Draw history["loss"] as a line in
    an Axes whose x and y axes are labelled (English labels, e.g. "epoch" …); you may draw history["acc"] too"):
    every line's x and y data, Axes by Axes (more than the grader's ``figure_lines`` driver reads: it keeps only y),
    and whether the Axes that draws history["loss"] has both axis labels. The words of the labels, the titles, the
    limits and a second Axes' labels are the student's: another choice is equivalent by the contract."""
    import numpy as np

    fig = func(*args, **kwargs)
    if not callable(getattr(fig, "get_axes", None)):
        raise TypeError("not a Figure")
    history = args[0] if args and isinstance(args[0], dict) else {}
    loss = np.asarray(history.get("loss", []), dtype=np.float64)
    out = []
    for ax in fig.get_axes():
        lines = [(np.asarray(line.get_xdata(), dtype=np.float64), np.asarray(line.get_ydata(), dtype=np.float64))
                 for line in ax.get_lines()]
        draws_loss = any(y.shape == loss.shape and np.allclose(y, loss) for _, y in lines) if loss.size else False
        out.append({"lines": lines,
                    "loss_axes_labelled": (bool(ax.get_xlabel().strip()) and bool(ax.get_ylabel().strip()))
                    if draws_loss else None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return out


def _meets_contract(case, got, expected) -> bool:
    """For a compare="threshold" case (a performance whose method is the student's choice: esn.forecast's H, ρ, a,
    …): whether the outcome meets the case's bound, as the grader judges it. Two such solutions are equivalent by
    the contract when both meet it on the fresh seeds, whatever their values."""
    from autograder.cases import judge

    return got[0] == "ok" and judge(case, got[1], expected, [], "en").passed


def equivalence_worker(exercise: str, paths: list[str]) -> dict:
    """{path: True | reason}: whether each mutant behaves as the solution on the suite's inputs for EQUIV_SEEDS."""
    import signal
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    from autograder.cases import _same
    from autograder.drivers import DRIVERS
    from autograder.suites import get_suite

    drivers = dict(DRIVERS, figure_lines=_figure_data)
    suite = get_suite(exercise)
    sol = _load(ROOT / "solutions" / exercise / f"{exercise}.py", f"_sol_{exercise}")
    inputs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in EQUIV_SEEDS:
            for i, case in enumerate(suite.cases):
                args, kwargs, built = case.build(seed, i)
                ref, after = _run(getattr(sol, case.function), drivers[case.driver], args, kwargs)
                expected = built if case.compare == "threshold" and case.driver != "figure_lines" else None
                inputs.append((case, args, kwargs, ref, expected))

    def alarm(signum, frame):
        raise TimeoutError("equivalence check timed out")

    signal.signal(signal.SIGALRM, alarm)
    out = {}
    for n, path in enumerate(paths):
        signal.alarm(EQUIV_TIMEOUT)
        try:
            mod = _load(Path(path), f"_mutant_{n}")
            verdict_ = True
            for case, args, kwargs, ref, expected in inputs:
                got, after = _run(getattr(mod, case.function, None), drivers[case.driver], args, kwargs)
                if got[0] == "raise" and got[1] == "TimeoutError":
                    raise TimeoutError
                if expected is not None:  # a performance: the bound is the contract, not the values
                    if not _meets_contract(case, got, expected):
                        verdict_ = f"misses its bound: {case.name}"
                        break
                elif not _same_output(ref, got):
                    verdict_ = f"differs: {case.name}"
                    break
                if not _same(args, after):
                    verdict_ = f"changes its inputs: {case.name}"
                    break
        except BaseException as exc:  # noqa: BLE001 - import failure, timeout: not equivalent
            verdict_ = f"{type(exc).__name__}"
        finally:
            signal.alarm(0)
        out[path] = verdict_
    return out


def equivalent(exercise: str, codes: list[str], work: Path | None = None, jobs: int = 1) -> list:
    """For each mutant source, True when it is equivalent to the solution, else the reason (a str).

    Runs the check in subprocesses (``jobs`` of them, each importing its share of the mutants)."""
    if not codes:
        return []
    own = work is None
    tmp = Path(tempfile.mkdtemp(prefix="mut-equiv-")) if own else work
    tmp.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, code in enumerate(codes):
        p = tmp / f"eq_{exercise}_{i:04d}.py"
        p.write_text(code, encoding="utf-8")
        paths.append(str(p))
    chunks = [paths[k::jobs] for k in range(max(1, jobs)) if paths[k::jobs]]
    procs = []
    env = dict(os.environ, MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYTHONDONTWRITEBYTECODE="1")
    for chunk in chunks:
        procs.append((chunk, subprocess.Popen([sys.executable, __file__, "--equivalence-worker", exercise, *chunk],
                                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                              cwd=ROOT, env=env)))
    found = {}
    for chunk, proc in procs:
        try:
            stdout, stderr = proc.communicate(timeout=EQUIV_TIMEOUT * (len(chunk) + 5))
            found.update(json.loads(stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {})
        except (subprocess.TimeoutExpired, ValueError, IndexError):
            proc.kill()
            proc.communicate()
    return [found.get(p, "the check did not finish") for p in paths]


# ---------------------------------------------------------------------------------------------
# the run and its table


def pct(k: int, n: int) -> str:
    return f"{100.0 * k / n:.0f}%" if n else "–"


def run_exercise(exercise: str, args, work: Path) -> tuple[list[dict], list[dict]]:
    """Rows (one per language) and the per-mutant records of one exercise."""
    allm = make_mutants(exercise, mutators=args.mutators.split(","))
    cap = args.sample or (args.max_per_exercise or None)
    mutants = choose(allm, cap, seed=args.seed)
    t0 = time.perf_counter()
    langs = [x for x in args.lang.split(",") if x]
    results = {lang: grade(exercise, mutants, work, args.jobs, lang) for lang in langs}
    generic = {lang: generic_hints(lang) for lang in langs}
    first = langs[0]
    records = []
    for mu in mutants:
        v = {lang: verdict(results[lang][mu.id], generic[lang]) for lang in langs}
        records.append({"mutant": mu, "verdict": v})
    check = [r for r in records if not r["verdict"][first]["error"]
             and (args.equiv_all or not r["verdict"][first]["killed"])]
    eq = equivalent(exercise, [r["mutant"].code for r in check], work / f"{exercise}-equiv", jobs=args.jobs)
    for r, e in zip(check, eq):
        r["equivalent"] = e is True
        r["equiv_reason"] = "" if e is True else e
    rows = []
    for lang in langs:
        killed = [r for r in records if r["verdict"][lang]["killed"]]
        errors = [r for r in records if r["verdict"][lang]["error"]]
        live = [r for r in records if not r["verdict"][lang]["killed"] and not r["verdict"][lang]["error"]]
        eqv = [r for r in live if r.get("equivalent")]
        classes = {c: sum(r["verdict"][lang]["feedback"] == c for r in killed) for c in CLASSES}
        rows.append({
            "exercise": exercise, "lang": lang, "mutants": len(mutants), "of": len(allm),
            "killed": len(killed), "equivalent": len(eqv), "surviving": len(live) - len(eqv), "errors": len(errors),
            "false_alarms": sum(1 for r in killed if r.get("equivalent")),
            "crash_n": sum(r["verdict"][lang]["crash"] for r in killed),
            **{f"{c}_n": classes[c] for c in CLASSES},
            "seconds": round(time.perf_counter() - t0, 1),
        })
    return rows, records


def fmt_row(row: dict) -> dict:
    k = row["killed"]
    nonequiv = row["mutants"] - row["equivalent"] - row["errors"]
    return {
        "exercise": row["exercise"], "mutants": row["mutants"], "killed": k, "equivalent": row["equivalent"],
        "surviving": row["surviving"], "errors": row["errors"], "kill_rate": pct(k, nonequiv), "crash": pct(row["crash_n"], k),
        **{c: pct(row[f"{c}_n"], k) for c in CLASSES},
    }


def total(rows: list[dict], lang: str) -> dict:
    t = {"exercise": "total", "lang": lang}
    for key in ("mutants", "of", "killed", "equivalent", "surviving", "errors", "false_alarms", "crash_n",
                *(f"{c}_n" for c in CLASSES), "seconds"):
        t[key] = sum(r[key] for r in rows if r["lang"] == lang)
    return t


def table_text(rows: list[dict]) -> str:
    cols = list(COLUMNS)
    cells = [[str(fmt_row(r)[c]) for c in cols] for r in rows]
    widths = [max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cols, widths)))
    out = [line, "-" * len(line)]
    for x in cells:
        out.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(x, widths))))
    return "\n".join(out)


def table_markdown(rows: list[dict]) -> str:
    cols = list(COLUMNS)
    out = ["| " + " | ".join(cols) + " |", "|" + "|".join([" --- "] + [" ---: "] * (len(cols) - 1)) + "|"]
    for r in rows:
        f = fmt_row(r)
        out.append("| " + " | ".join(str(f[c]) for c in cols) + " |")
    return "\n".join(out)


def main(argv=None) -> int:
    from autograder.suites import ASSIGNMENTS

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sample", type=int, default=0, help="N mutants per exercise, seeded (a quick run)")
    p.add_argument("--max-per-exercise", type=int, default=DEFAULT_CAP,
                   help=f"cap of the full run, seeded (default {DEFAULT_CAP}; 0: every mutant)")
    p.add_argument("--exercises", default="", help="comma-separated exercises (default: all)")
    p.add_argument("-j", "--jobs", type=int, default=2, help="rnngrade batch -j and equivalence workers")
    p.add_argument("--out", default="", help="folder for mutation.csv, survivors.csv, mutants.csv, mutation.md")
    p.add_argument("--lang", default="en", help="grading language(s): en, ja or en,ja (graded once per language)")
    p.add_argument("--seed", type=int, default=0, help="the sampling seed")
    p.add_argument("--equiv-all", action="store_true", help="check killed mutants for equivalence too")
    p.add_argument("--mutators", default=",".join(MUTATORS), help="mutmut,numpy (default: both)")
    p.add_argument("--keep", default="", help="keep the mutants and results in this folder")
    args = p.parse_args(argv)
    exercises = [e for e in args.exercises.split(",") if e] or list(ASSIGNMENTS)
    unknown = [e for e in exercises if e not in ASSIGNMENTS]
    if unknown:
        p.error(f"unknown exercise(s) {', '.join(unknown)}; known: {', '.join(ASSIGNMENTS)}")
    for lang in args.lang.split(","):
        if lang not in ("en", "ja"):
            p.error(f"unknown language {lang!r}")
    for name in args.mutators.split(","):
        if name not in MUTATORS:
            p.error(f"unknown mutator {name!r}; known: {', '.join(MUTATORS)}")
    if "mutmut" in args.mutators.split(","):
        try:
            import mutmut  # noqa: F401
        except ImportError:
            p.error("mutmut is not installed: pip install -e '.[bench]' (or --mutators numpy)")

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mutation-"))
    work.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows, records = [], []
    for ex in exercises:
        r, rec = run_exercise(ex, args, work)
        rows += r
        records += rec
        print(f"{ex}: {r[0]['mutants']} of {r[0]['of']} mutants graded in {r[0]['seconds']} s", file=sys.stderr,
              flush=True)
    langs = [x for x in args.lang.split(",") if x]
    mode = (f"--sample {args.sample}" if args.sample
            else f"--max-per-exercise {args.max_per_exercise}" if args.max_per_exercise else "every mutant")
    mode += f", mutators {args.mutators}"
    text_parts, md_parts = [], []
    for lang in langs:
        lrows = [r for r in rows if r["lang"] == lang] + [total([r for r in rows], lang)]
        head = f"mutation benchmark ({mode}, lang={lang}, {time.perf_counter() - start:.0f} s)"
        text_parts.append(head + "\n" + table_text(lrows))
        md_parts.append(f"**{head}**\n\n" + table_markdown(lrows))
        t = lrows[-1]
        if t["false_alarms"]:
            text_parts.append(f"killed but equivalent (false alarms): {t['false_alarms']}")
    print("\n\n".join(text_parts))
    print("\ncolumns: errors = the grader's own internal errors (neither killed nor surviving); "
          "kill_rate = killed / (mutants − equivalent − errors); crash, specific, function_hint, generic: "
          "shares of the killed (see the docstring)")
    survivors = [r for r in records if not r["verdict"][langs[0]]["killed"] and not r.get("equivalent")
                 and not r["verdict"][langs[0]]["error"]]
    if survivors:
        print(f"\nsurviving mutants: {len(survivors)}" + ("" if args.out else ""))
        for r in survivors[:20]:
            m = r["mutant"]
            print(f"  {m.exercise}.{m.function} line {m.line} [{m.operator}]: {m.mutation}")
        if len(survivors) > 20:
            print(f"  … {len(survivors) - 20} more" + (f" in {Path(args.out) / 'survivors.csv'}" if args.out else ""))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        cmd = "python benchmarks/mutation.py " + " ".join(argv if argv is not None else sys.argv[1:])
        with open(out / "mutation.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["lang", *COLUMNS])
            for lang in langs:
                for r in [r for r in rows if r["lang"] == lang] + [total(rows, lang)]:
                    fr = fmt_row(r)
                    w.writerow([lang, *(fr[c] for c in COLUMNS)])
        with open(out / "survivors.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["exercise", "function", "line", "operator", "mutation", "equivalence check"])
            for r in survivors:
                m = r["mutant"]
                w.writerow([m.exercise, m.function, m.line, m.operator, m.mutation, r.get("equiv_reason", "")])
        with open(out / "mutants.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["exercise", "id", "function", "line", "operator", "mutation", "lang", "killed", "crash",
                        "feedback", "tags", "equivalent"])
            for r in records:
                m = r["mutant"]
                for lang in langs:
                    v = r["verdict"][lang]
                    w.writerow([m.exercise, m.id, m.function, m.line, m.operator, m.mutation, lang, int(v["killed"]),
                                int(v["crash"]), v["feedback"], " ".join(v["tags"]),
                                "" if "equivalent" not in r else int(r["equivalent"])])
        (out / "mutation.md").write_text(
            "<!-- generated by benchmarks/mutation.py; do not edit -->\n\n"
            f"Made by `{cmd.strip()}` on a 2-core machine.\n\n" + "\n\n".join(md_parts)
            + "\n\nerrors = the grader's internal errors; kill_rate = killed / (mutants − equivalent − errors); crash, specific, function_hint, generic: shares "
              "of the killed mutants (definitions in the docstring of benchmarks/mutation.py).\n",
            encoding="utf-8")
        print(f"\nwrote {out / 'mutation.csv'}, {out / 'survivors.csv'}, {out / 'mutants.csv'}, {out / 'mutation.md'}")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)  # ~100 MB of mutants and their results
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--equivalence-worker":
        print(json.dumps(equivalence_worker(sys.argv[2], sys.argv[3:])))
        sys.exit(0)
    sys.exit(main())
