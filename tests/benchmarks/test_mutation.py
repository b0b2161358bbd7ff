"""benchmarks/mutation.py: the mutators, the equivalence check and the command (fast: < 60 s)."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "mutation.py"
try:
    import mutmut  # noqa: F401

    HAVE_MUTMUT = True
except ImportError:  # the bench extra: the mutmut tests skip, the rest run
    HAVE_MUTMUT = False
needs_mutmut = pytest.mark.skipif(not HAVE_MUTMUT, reason="the bench extra (mutmut) is not installed")


def _load():
    spec = importlib.util.spec_from_file_location("mutation_bench", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["mutation_bench"] = mod
    spec.loader.exec_module(mod)
    return mod


M = _load()
RNN = (ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py").read_text(encoding="utf-8")

#: a module that has every pattern of NUMPY_OPERATORS inside its solution region, and the same
#: patterns outside it (which must never change)
SNIPPET = '''\
import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def outside(X, W, P, H, T):
    """The same patterns, given to students: never mutated."""
    y = W.T @ X[1:] + np.sum(X, axis=0) + np.outer(X[0], X[0])
    for t in range(T):
        y = y + np.tanh(X[t - 1]) * (1 - X[t] ** 2) + P["W_F"][:H]
    return y


def graded(X, W, P, H, T):
    """Graded."""
    # Hint: none.
    ### BEGIN SOLUTION
    A = W.T @ X[1:, :]
    B = W @ X[:-1]
    s = np.sum(A, axis=1, keepdims=True) + A.max(axis=0)
    E = np.exp(A - A.max(axis=1, keepdims=True))
    Z = np.zeros((T, H))
    gF, gI = sigmoid(P["W_F"] @ X[0]), sigmoid(P["W_I"] @ X[0])
    top, rest = Z[:H], Z[H:]
    for t in range(T):
        Z[t] = np.tanh(X[t - 1]) * (1 - X[t] ** 2) + gF * (1 - gF)
    for t in range(T - 1, -1, -1):
        Z[t] += np.outer(gI, gF)[0, 0]
    C = np.concatenate(([1.0], X[0])).copy()
    return A, B, s, E, Z, top, rest, C
    ### END SOLUTION
'''


def _region_lines(code):
    return M.region_lines(M.solution_regions(code))


class TestSolutionRegions:
    def test_regions_and_their_functions(self):
        """Each region is found between the markers and named after the function that holds it."""
        regions = M.solution_regions(RNN)
        assert [r.function for r in regions] == ["forward", "loss", "deltas", "grad_W_in", "grad_W", "grad_W_out",
                                                 "deltas_many_to_one", "grad_W_out_many_to_one", "sgd_step",
                                                 "adam_step"]
        lines = RNN.splitlines()
        for r in regions:
            assert lines[r.first - 2].strip() == "### BEGIN SOLUTION"
            assert lines[r.last].strip() == "### END SOLUTION"


@needs_mutmut
class TestMutmutMutants:
    def test_only_solution_lines_change(self):
        """Every mutmut mutant of rnn_bptt differs from the solution only on lines inside its solution regions."""
        inside = _region_lines(RNN)
        mutants = M.mutmut_mutants("rnn_bptt", RNN)
        assert len(mutants) > 100
        for mu in mutants:
            touched, _, _ = M.changed_lines(RNN, mu.code)
            assert touched and set(touched) <= inside, mu.mutation
            assert mu.function == M.function_at(M.solution_regions(RNN), mu.line)

    def test_the_markers_and_docstrings_stay(self):
        """A mutant keeps the markers, the hints and the docstrings: it is the released stub's shape, filled."""
        for mu in M.mutmut_mutants("rnn_bptt", RNN)[:40]:
            assert mu.code.count("### BEGIN SOLUTION") == RNN.count("### BEGIN SOLUTION")
            assert ast.get_docstring(ast.parse(mu.code)) == ast.get_docstring(ast.parse(RNN))


class TestNumpyOperators:
    @pytest.mark.parametrize("name", sorted(M.NUMPY_OPERATORS))
    def test_operator_makes_valid_distinct_mutants(self, name):
        """Each numpy operator makes at least one mutant of the snippet: it compiles and differs from the source."""
        mutants = M.numpy_mutants("snippet", SNIPPET, {name: M.NUMPY_OPERATORS[name]})
        assert mutants, f"{name} made no mutant"
        for mu in mutants:
            compile(mu.code, "<mutant>", "exec")
            assert mu.code != SNIPPET
            assert mu.operator == f"numpy:{name}"

    def test_only_solution_lines_change(self):
        """No numpy mutant touches a line outside the region, though `outside` has the same patterns."""
        inside = _region_lines(SNIPPET)
        for mu in M.numpy_mutants("snippet", SNIPPET):
            touched, _, _ = M.changed_lines(SNIPPET, mu.code)
            assert touched and set(touched) <= inside, mu.mutation
            assert mu.function == "graded"

    @pytest.mark.parametrize("before,after", [
        ("A = W.T @ X[1:, :]", "A = W @ X[1:, :]"),
        ("A = W.T @ X[1:, :]", "A = W.T @ X[:-1, :]"),
        ("B = W @ X[:-1]", "B = W @ X[1:]"),
        ("for t in range(T):", "for t in range(T - 1):"),
        ("for t in range(T):", "for t in range(1, T):"),
        ("for t in range(T - 1, -1, -1):", "for t in range(T - 1, 0, -1):"),
        ("np.tanh(X[t - 1])", "np.tanh(X[t])"),
        ("np.sum(A, axis=1, keepdims=True)", "np.mean(A, axis=1, keepdims=True)"),
        ("np.sum(A, axis=1, keepdims=True)", "np.sum(A, axis=0, keepdims=True)"),
        ("np.tanh(X[t - 1])", "sigmoid(X[t - 1])"),
        ("(1 - X[t] ** 2)", "(X[t])"),
        ('sigmoid(P["W_F"] @ X[0])', "sigmoid(P['W_I'] @ X[0])"),
        ("top, rest = Z[:H], Z[H:]", "top, rest = Z[H:], Z[H:]"),
        ("np.exp(A - A.max(axis=1, keepdims=True))", "np.exp(A)"),
    ])
    def test_named_mistakes_are_made(self, before, after):
        """The mistakes the issue names are among the numpy mutants, written as a student would."""
        line = next(i for i, text in enumerate(SNIPPET.splitlines(), 1)
                    if before in text and i in _region_lines(SNIPPET))
        made = [mu.code.splitlines()[line - 1] for mu in M.numpy_mutants("snippet", SNIPPET)
                if mu.line == line and mu.code.count("\n") == SNIPPET.count("\n")]
        expected = SNIPPET.splitlines()[line - 1].replace(before, after)
        assert expected in made


class TestEquivalence:
    def test_recognises_equivalent_and_rejects_different(self):
        """x ** 2 → x * x (made by hand) is equivalent; W instead of Wᵀ and an in-place SGD are not."""
        same = RNN.replace("(1 - beta2) * grads[k] ** 2", "(1 - beta2) * (grads[k] * grads[k])")
        wrong = RNN.replace("W.T @ delta_next", "W @ delta_next")
        in_place = RNN.replace("return {k: params[k] - lr * grads[k] for k in params}",
                               "for k in params:\n        params[k] -= lr * grads[k]\n    return dict(params)")
        assert len({RNN, same, wrong, in_place}) == 4
        verdicts = M.equivalent("rnn_bptt", [same, wrong, in_place], jobs=1)
        assert verdicts[0] is True
        assert verdicts[1] is not True and "deltas" in verdicts[1]
        assert verdicts[2] is not True and "inputs" in verdicts[2]

    def test_a_plot_with_other_x_values_is_not_equivalent(self):
        """A learning curve drawn against 0…E−1 instead of the epochs 1…E differs, though its y values are the same."""
        src = (ROOT / "solutions" / "classify" / "classify.py").read_text(encoding="utf-8")
        pytest.importorskip("sklearn")
        shifted = src.replace('ax_acc.plot(epochs, history["acc"], "o-", color="C1")',
                              'ax_acc.plot(history["acc"], "o-", color="C1")')
        assert shifted != src
        verdict = M.equivalent("classify", [shifted])[0]
        assert verdict is not True and "plot_learning_curve" in verdict

    def test_a_mutant_that_does_not_import_is_not_equivalent(self):
        """A mutant whose import raises is reported as not equivalent, with the exception's type."""
        broken = RNN.replace("import numpy as np", "import numpy as np\nraise ValueError('x')")
        assert M.equivalent("rnn_bptt", [broken])[0] == "ValueError"


class TestCommand:
    def test_sample_run_prints_the_table(self, tmp_path):
        """`mutation.py --sample 2 --exercises rnn_bptt` grades two mutants and prints the table and its files."""
        out = tmp_path / "out"
        mutators = [] if HAVE_MUTMUT else ["--mutators", "numpy"]
        proc = subprocess.run([sys.executable, str(SCRIPT), "--sample", "2", "--exercises", "rnn_bptt",
                               "--out", str(out), *mutators], capture_output=True, text=True, cwd=tmp_path, timeout=300)
        assert proc.returncode == 0, proc.stderr
        header = next(line for line in proc.stdout.splitlines() if line.startswith("exercise"))
        for col in ("mutants", "killed", "equivalent", "surviving", "crash", "specific", "function_hint", "generic"):
            assert col in header.split()
        row = next(line for line in proc.stdout.splitlines() if line.startswith("rnn_bptt")).split()
        assert row[1] == "2"  # mutants
        assert int(row[2]) + int(row[3]) + int(row[4]) + int(row[5]) == 2  # killed + equivalent + surviving + errors
        for name in ("mutation.csv", "survivors.csv", "mutants.csv", "mutation.md"):
            assert (out / name).exists()
        assert "| exercise |" in (out / "mutation.md").read_text(encoding="utf-8")
