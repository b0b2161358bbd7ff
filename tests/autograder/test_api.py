"""autograder.api.grade and autograder.submission: what a submission is, and its grade whatever it does.

The attack submissions live in tests/autograder/attacks/; an *override* is appended to the
reference solution, so that only the function it attacks may lose points and the credit of
every other function shows that nothing else was lost. Real worker processes, no mocks.
"""

import ast
import json
import os
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import api
from autograder.checks import Opaque
from autograder.runner import Limits
from autograder.submission import Submission, load_submission
from autograder.suites import get_suite

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"
STUB = ROOT / "assignments" / "rnn_bptt" / "rnn_bptt.py"
RELEASE_NB = ROOT / "assignments" / "rnn_bptt" / "rnn_bptt.ipynb"
ATTACKS = Path(__file__).resolve().parent / "attacks"
SUITE = get_suite("rnn_bptt")
FULL = SUITE.max_score  # 15
FAST = Limits(per_call_s=1.0, total_s=30.0)


def attack(name, whole=False, **fill) -> Submission:
    """The attack file `name` (placeholders __KEY__ filled), appended to the reference solution
    unless whole."""
    text = (ATTACKS / f"{name}.py").read_text(encoding="utf-8")
    for key, value in fill.items():
        text = text.replace(f"__{key}__", str(value))
    source = text if whole else SOLUTION.read_text(encoding="utf-8") + "\n\n" + text
    return Submission(source, name, "py", "rnn_bptt", origin=f"{name}.py")


def grade(sub, **kw):
    kw.setdefault("limits", FAST)
    return api.grade(sub, "rnn_bptt", **kw)


def cases_of(result, function):
    return [t for t in result.tests if t.function == function]


def assert_only(result, function, lost=None):
    """Every case of the other functions passed; `function` lost `lost` points (default: all)."""
    # scored cases only: a 0-point consistency check runs the student's forward, attacked or not
    others = [t for t in result.tests if t.function != function and t.max_score > 0]
    assert others and all(t.passed for t in others), [t.output for t in others if not t.passed]
    lost = SUITE.points[function] if lost is None else lost
    assert result.score == pytest.approx(FULL - lost)


def fill_notebook(path: Path) -> nbformat.NotebookNode:
    """The released notebook with each solution cell replaced by the solution's functions."""
    nb = nbformat.read(path, as_version=4)
    sol_text = SOLUTION.read_text(encoding="utf-8")
    tree = ast.parse(sol_text)
    funcs = {n.name: ast.get_source_segment(sol_text, n) for n in tree.body if isinstance(n, ast.FunctionDef)}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            names = [n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)]
            assert names, cell.source[:80]
            cell.source = "import numpy as np\n\n\n" + "\n\n\n".join(funcs[n] for n in names)
    return nb


# --------------------------------------------------------------------------- submissions


class TestLoadSubmission:
    def test_py(self, tmp_path):
        """A .py is its text; the student is the file's folder when the file is named after the assignment."""
        d = tmp_path / "alice"
        d.mkdir()
        (d / "rnn_bptt.py").write_text("x = 1\n", encoding="utf-8")
        sub = load_submission(d / "rnn_bptt.py")
        assert (sub.source, sub.student, sub.kind, sub.assignment_guess) == ("x = 1\n", "alice", "py", "rnn_bptt")

    def test_py_named_after_student(self, tmp_path):
        """bob.py is bob's, with no assignment guess."""
        (tmp_path / "bob.py").write_text("x = 1\n", encoding="utf-8")
        sub = load_submission(tmp_path / "bob.py")
        assert (sub.student, sub.assignment_guess) == ("bob", None)

    def test_notebook_cells(self, tmp_path):
        """A notebook's module: its code cells minus experiment and autograder test cells; magics neutralised."""
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_markdown_cell("# title"),
            nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy as np"),
            nbformat.v4.new_code_cell("def f():\n    return 1"),
            nbformat.v4.new_code_cell("raise SystemExit('experiment')", metadata={"tags": ["experiment"]}),
            nbformat.v4.new_code_cell("score = 100", metadata={"nbgrader": {"grade": True, "grade_id": "t"}}),
            nbformat.v4.new_code_cell("ANSWER = 42", metadata={"nbgrader": {"grade": True, "solution": True}}),
            nbformat.v4.new_code_cell("from autograder.selfcheck import check\ncheck('rnn_bptt', 'f', globals())"),
            nbformat.v4.new_code_cell("%%bash\nrm -rf /"),
            nbformat.v4.new_code_cell("!pip install x\nX = 2"),
        ]
        path = tmp_path / "rnn_bptt.ipynb"
        nbformat.write(nb, path)
        sub = load_submission(path)
        assert sub.kind == "ipynb" and sub.assignment_guess == "rnn_bptt"
        assert "experiment" not in sub.source and "score = 100" not in sub.source
        assert "selfcheck" not in sub.source and "rm -rf" not in sub.source
        assert "pass  # IPython: %matplotlib inline" in sub.source and "X = 2" in sub.source
        assert "ANSWER = 42" in sub.source  # a manually graded answer cell is the student's
        compile(sub.source, "nb", "exec")
        line = sub.source.splitlines().index("def f():") + 1
        assert sub.where(line + 1) == "cell 3, line 2"

    def test_folder(self, tmp_path):
        """A folder gives its one candidate, preferring the file named after an assignment."""
        (tmp_path / "carol").mkdir()
        (tmp_path / "carol" / "helpers.py").write_text("y = 2\n", encoding="utf-8")
        (tmp_path / "carol" / "rnn_bptt.py").write_text("x = 1\n", encoding="utf-8")
        sub = load_submission(tmp_path / "carol")
        assert (sub.source, sub.student, sub.assignment_guess) == ("x = 1\n", "carol", "rnn_bptt")

    def test_nbgrader_folder(self, tmp_path):
        """nbgrader's submitted/<student>/<assignment>/ names the student by the student folder."""
        d = tmp_path / "submitted" / "dave" / "rnn_bptt"
        d.mkdir(parents=True)
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), d / "rnn_bptt.ipynb")
        sub = load_submission(d)
        assert (sub.student, sub.assignment_guess, sub.kind) == ("dave", "rnn_bptt", "ipynb")

    def test_ambiguous_folder(self, tmp_path):
        """Two candidates with no way to choose is an error naming them."""
        for name in ("a.py", "b.py"):
            (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
        with pytest.raises(api.SubmissionError, match=r"several candidate files \(a\.py, b\.py\)"):
            load_submission(tmp_path)

    def test_empty_folder(self, tmp_path):
        """A folder without a .py or .ipynb is an error."""
        with pytest.raises(api.SubmissionError, match="holds no .py or .ipynb file"):
            load_submission(tmp_path)

    def test_reasons_in_the_graded_language(self, tmp_path):
        """What a student reads of a refused or odd submission is worded in the graded language: an empty file's
        reason and the note on which of two files was graded (api.grade), a file that cannot be read (batch)."""
        from autograder import batch

        (tmp_path / "empty").mkdir()
        (tmp_path / "empty" / "rnn_bptt.py").write_text("# to do\n", encoding="utf-8")
        refused = api.grade(tmp_path / "empty", "rnn_bptt", lang="ja")
        assert refused.status == "refused" and refused.notes == [
            f"ファイルが空です（{tmp_path}/empty/rnn_bptt.py: コードがなく、空行かコメントだけです）。課題の関数を書いて保存し、"
            f"もう一度提出してください"]
        assert api.grade(tmp_path / "empty", "rnn_bptt", lang="en").notes[0].startswith("the file is empty (")
        both = tmp_path / "both"
        both.mkdir()
        (both / "rnn_bptt.py").write_text("# to do\n", encoding="utf-8")
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# to do")]), both / "rnn_bptt.ipynb")
        notes = api.grade(both, "rnn_bptt", lang="ja").notes
        assert notes[0].startswith(f"rnn_bptt.ipynb を採点しました。{both} には rnn_bptt.py もありますが") and \
            notes[1].startswith("ファイルが空です") and len(notes) == 2
        (tmp_path / "bad.ipynb").write_bytes(b"{ not json")
        data, report = batch.grade_entry(lambda: tmp_path / "bad.ipynb", "bad", "rnn_bptt", "i", lang="ja")
        assert data["status"] == "refused" and data["notes"] == [
            f"{tmp_path}/bad.ipynb は正しいノートブックではありません（1 行目に JSON のエラー: Expecting property name enclosed in "
            f"double quotes）。Jupyter で開いて保存し直し、再提出してください"]
        assert "注: " + data["notes"][0] in report

    def test_zip(self, tmp_path):
        """A zip is read in memory: its one member, the student from the zip's name."""
        z = tmp_path / "erin.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("work/rnn_bptt.py", "x = 1\n")
            zf.writestr("__MACOSX/work/._rnn_bptt.py", "junk")
        sub = load_submission(z)
        assert (sub.source, sub.student, sub.assignment_guess) == ("x = 1\n", "erin", "rnn_bptt")

    def test_zip_bomb(self, tmp_path):
        """A zip that unpacks to more than 20 MB is refused before anything is unpacked."""
        z = tmp_path / "bomb.zip"
        with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("rnn_bptt.py", "#" * (25 * 2**20))
        assert z.stat().st_size < 2**20
        with pytest.raises(api.SubmissionError, match="unpacks to more than 20 MB"):
            load_submission(z)

    def test_zip_unsafe_path(self, tmp_path):
        """Absolute and '..' member paths are refused."""
        z = tmp_path / "evil.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.writestr("../rnn_bptt.py", "x = 1\n")
        with pytest.raises(api.SubmissionError, match="unsafe path"):
            load_submission(z)

    @pytest.mark.parametrize("name, content, message", [
        ("corrupt.zip", b"PK\x03\x04 this is not a zip", r"is not a readable zip file .*: zip the submission again$"),
        ("rnn_bptt.ipynb", b'{"cells": [', r"is not a valid notebook \(JSON error at line 1: .*\): open it in Jupyter"),
        ("rnn_bptt.ipynb", b'{"nbformat": 4}', r"is not a Jupyter notebook \(it has no list of cells\)"),
        ("notes.txt", b"hello", r"is not a \.py, \.ipynb or \.zip file"),
    ])
    def test_bad_input_is_one_line(self, tmp_path, name, content, message):
        """Corrupt zips, malformed notebooks and other files give a one-line SubmissionError."""
        (tmp_path / name).write_bytes(content)
        with pytest.raises(api.SubmissionError, match=message) as info:
            load_submission(tmp_path / name)
        assert "\n" not in str(info.value)

    def test_missing_path(self, tmp_path):
        """A path that does not exist says so, and what to pass instead."""
        with pytest.raises(api.SubmissionError, match=r"does not exist: pass the student's \.py or \.ipynb"):
            load_submission(tmp_path / "nope.py")


# --------------------------------------------------------------------------- grading


class TestGrade:
    def test_solution_full_marks(self):
        """The reference solution earns every point, and the file name gives the assignment."""
        result = api.grade(SOLUTION)
        assert result.assignment == "rnn_bptt" and result.score == FULL == result.max_score
        assert all(t.passed for t in result.tests) and result.inputs == "public-defaults"

    def test_solution_graded_fast(self):
        """One submission is graded in well under a second of wall time (goal < 1 s)."""
        api.grade(SOLUTION)  # warm: the sandbox probe and the imports
        t0 = time.perf_counter()
        result = api.grade(SOLUTION)
        wall = time.perf_counter() - t0
        assert result.score == FULL
        assert wall < 1.5, f"grading took {wall:.2f} s"

    def test_stub_zero_not_implemented(self):
        """The untouched stub earns 0, every case saying 'not implemented yet', without a grader error."""
        result = api.grade(STUB)
        assert result.score == 0 and result.max_score == FULL
        assert not any("imported" in n for n in result.notes)
        assert all(t.status == "error" and "not implemented yet" in t.output for t in result.tests)

    def test_notebook_full_marks(self, tmp_path):
        """A filled-in notebook earns every point: its crashing experiment and its tampered test cell never run."""
        nb = fill_notebook(RELEASE_NB)
        nb.cells.append(nbformat.v4.new_code_cell("import os\nos._exit(1)", metadata={"tags": ["experiment"]}))
        test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
        test_cell.source = "import os\nos._exit(1)\nscore = 100"
        path = tmp_path / "frank" / "rnn_bptt.ipynb"
        path.parent.mkdir()
        nbformat.write(nb, path)
        result = api.grade(path)
        assert result.student == "frank" and result.score == FULL, [t.output for t in result.tests if not t.passed]

    def test_folder_and_zip(self, tmp_path):
        """A folder and a zip holding the solution are graded like the file."""
        d = tmp_path / "gina"
        d.mkdir()
        (d / "rnn_bptt.py").write_text(SOLUTION.read_text(encoding="utf-8"), encoding="utf-8")
        z = tmp_path / "hank.zip"
        with zipfile.ZipFile(z, "w") as zf:
            zf.write(SOLUTION, "rnn_bptt.py")
        for path, student in ((d, "gina"), (z, "hank")):
            result = api.grade(path)
            assert (result.student, result.score) == (student, FULL)

    def test_deterministic_for_a_seed(self):
        """Two gradings with one seed give the same JSON (but the time); the inputs are named, the seed is not."""
        sub = attack("wrong_shape")
        a, b = (grade(sub, seed=7).to_json() for _ in range(2))
        for r in (a, b):
            r.pop("execution_time")
        assert a == b and a["inputs"].startswith("k-") and "seed" not in a

    def test_visible_only(self):
        """visible_only runs the visible cases and scores out of their points."""
        result = api.grade(SOLUTION, visible_only=True)
        assert result.tests and all(t.visible for t in result.tests)
        assert result.max_score == pytest.approx(sum(c.points for c in SUITE.cases if c.visible))
        assert result.score == pytest.approx(result.max_score)

    def test_unknown_assignment(self):
        """An unknown assignment is a SubmissionError naming the known ones."""
        with pytest.raises(api.SubmissionError, match="unknown assignment 'rnn'.*rnn_bptt, jordan, tdnn, lstm"):
            api.grade(SOLUTION, "rnn")

    def test_assignment_not_inferable(self, tmp_path):
        """A file not named after an assignment, without -a, says to pass -a."""
        (tmp_path / "mine.py").write_text("x = 1\n", encoding="utf-8")
        with pytest.raises(api.SubmissionError, match="cannot tell the assignment .* pass -a"):
            api.grade(tmp_path / "mine.py")

    def test_parallel_students_independent(self):
        """Graded at once (as the batch does), a crashing submission leaves the other's grade intact."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            bad = pool.submit(grade, attack("os_exit"))
            good = pool.submit(grade, Submission(SOLUTION.read_text(encoding="utf-8"), "ok", "py", "rnn_bptt"))
            assert good.result().score == FULL
            assert bad.result().score == FULL - SUITE.points["forward"]


# --------------------------------------------------------------------------- attacks


class TestAttacks:
    def test_sys_exit_in_function(self):
        """sys.exit() in a function is that function's exception (a hidden case: its type and line only); nothing
        else is lost."""
        result = grade(attack("exit_in_function"))
        assert_only(result, "forward")
        line = SOLUTION.read_text(encoding="utf-8").count("\n") + 2 + 6  # the override's sys.exit(3)
        assert all("raised an exception, expected a result (got "
                   + ("SystemExit: 3)" if t.visible else f"SystemExit at line {line})") in t.output
                   for t in cases_of(result, "forward"))

    def test_sys_exit_at_import(self):
        """sys.exit() at import is zero with that reason, for every case."""
        result = grade(attack("exit_at_import", whole=True))
        assert result.score == 0
        assert all(t.output.startswith(f"{t.function}: the module called sys.exit() at import (line 9), expected")
                   for t in result.tests)
        assert result.notes[-1] == "the module called sys.exit() at import (line 9)"

    def test_os_exit(self):
        """os._exit in a function crashes twice, then the function is skipped; the rest is graded."""
        result = grade(attack("os_exit"))
        assert_only(result, "forward")
        outs = [t.output for t in cases_of(result, "forward")]
        assert outs[0] == ("forward: the call crashed the Python process, expected a result (got the process "
                           "exited with code 0). Look for os._exit, ctypes, or arrays far larger than the inputs.")
        assert outs[2:] == ["forward: skipped, expected a result (got none: the worker crashed or timed out "
                            "repeatedly on earlier calls)."] * (len(outs) - 2)

    def test_segfault(self):
        """A segfault costs only the case that crashed: a fresh worker runs the rest."""
        result = grade(attack("segfault"))
        fwd = cases_of(result, "forward")
        assert_only(result, "forward", lost=fwd[0].max_score)
        assert "(got a segmentation fault (SIGSEGV))" in fwd[0].output and all(t.passed for t in fwd[1:])

    def test_crashes_worded_in_japanese(self):
        """Graded in Japanese, how the process ended is said in Japanese (the exit code, the signal by name), in the
        feedback and in the note of a crashed import: none of the English words of session.describe_exit."""
        english = ("the process", "exited with code", "segmentation fault", "killed", "unknown way")
        exited = cases_of(grade(attack("os_exit"), lang="ja"), "forward")[0].output
        assert "実際: 終了コード 0 でのプロセスの終了）" in exited, exited
        segv = cases_of(grade(attack("segfault"), lang="ja"), "forward")[0].output
        assert "実際: セグメンテーション違反（SIGSEGV））" in segv, segv
        at_import = grade(Submission("import os\nos._exit(5)\n", "s", "py", "rnn_bptt"), lang="ja")
        assert at_import.notes == ["モジュールの読み込み中に Python のプロセスが異常終了しました（終了コード 5 でのプロセスの終了）"]
        hidden = [t.output for t in at_import.tests if not t.visible]
        assert hidden and all("実際: プロセスの終了）" in o and "5" not in o.split("実際")[1] for o in hidden), hidden
        for text in (exited, segv, *at_import.notes, *(t.output for t in at_import.tests)):
            assert not any(e in text for e in english), text

    def test_infinite_loop(self):
        """An endless loop times out (twice, then the function is skipped)."""
        result = grade(attack("infinite_loop"))
        assert_only(result, "forward")
        fwd = cases_of(result, "forward")
        assert [t.status for t in fwd[:2]] == ["timeout", "timeout"]
        assert fwd[0].output.startswith("forward: timed out after 1 s, expected a result (got no answer). Look for")

    def test_sleep(self):
        """time.sleep(100) is cut at the per-call limit."""
        t0 = time.perf_counter()
        result = grade(attack("sleep"))
        assert time.perf_counter() - t0 < 10
        assert_only(result, "loss")
        assert cases_of(result, "loss")[0].output.startswith("loss: timed out after 1 s")

    def test_memory_bomb(self):
        """A huge array and a growing list hit the memory limit: MemoryError or timeout, for those functions only."""
        result = grade(attack("memory_bomb"), limits=Limits(per_call_s=2, memory_mb=384))
        lost = SUITE.points["forward"] + SUITE.points["deltas"]
        others = [t for t in result.tests if t.function not in ("forward", "deltas")]
        assert all(t.passed for t in others) and result.score == pytest.approx(FULL - lost)
        assert "(got MemoryError: Unable to allocate 74.5 GiB" in cases_of(result, "forward")[0].output
        assert "(got MemoryError" in cases_of(result, "deltas")[0].output

    def test_fork_bomb(self, bwrap):
        """Forking in a loop stops at the process limit (the machine is not hurt); only forward is lost."""
        result = grade(attack("fork_bomb"))
        assert_only(result, "forward")
        first = cases_of(result, "forward")[0].output
        count = int(first.split("forked ")[1].split()[0])
        assert 0 < count < Limits().nproc

    def test_huge_print(self):
        """200 MB of printing changes nothing: full marks."""
        result = grade(attack("huge_print"), limits=Limits(per_call_s=10))
        assert result.score == FULL

    def test_syntax_error(self):
        """A syntax error is zero with the line and the reason."""
        result = grade(load_submission(ATTACKS / "syntax_error.py"))
        assert result.score == 0
        assert result.tests[0].output.startswith(
            "forward: the module could not be imported, expected it to define forward (got SyntaxError at line 3: ")
        assert result.notes[-1].startswith("the module could not be imported: SyntaxError at line 3")

    def test_syntax_error_in_japanese(self):
        """Graded in Japanese, a syntax error's note and feedback name its line in Japanese."""
        result = grade(load_submission(ATTACKS / "syntax_error.py"), lang="ja")
        assert result.notes[-1].startswith("モジュールを読み込めませんでした: SyntaxError（3 行目）: ")
        assert "実際: SyntaxError（3 行目）: " in result.tests[0].output and " at line" not in result.tests[0].output

    def test_exception_at_import(self):
        """An exception at import is zero, naming it and its line (and its message for a visible case)."""
        result = grade(load_submission(ATTACKS / "import_exception.py"))
        assert result.score == 0
        assert all(f"(got RuntimeError at line 2{': boom at import' if t.visible else ''})" in t.output
                   for t in result.tests)

    def test_missing_function(self):
        """A missing function loses its points with 'function not found'."""
        result = grade(attack("missing_function"))
        assert_only(result, "deltas")
        assert cases_of(result, "deltas")[0].output.startswith("deltas: function not found, expected a function named")

    def test_wrong_shape(self):
        """A transposed result fails on its shape."""
        result = grade(attack("wrong_shape"))
        assert_only(result, "grad_W_in")
        assert "dW_in has the wrong shape, expected (4, 3) (got (3, 4))" in cases_of(result, "grad_W_in")[0].output

    def test_nan(self):
        """NaN fails on finiteness, never passes."""
        result = grade(attack("nan"))
        assert_only(result, "grad_W")
        assert "dW is not finite, expected finite values (got nan at index [0, 0])" in cases_of(result, "grad_W")[0].output

    def test_list_instead_of_array(self):
        """A list with the right numbers is converted and passes."""
        assert grade(attack("list_result")).score == FULL

    def test_ndarray_subclass(self):
        """An ndarray subclass whose __eq__ says yes fails on its type."""
        result = grade(attack("ndarray_subclass"))
        assert_only(result, "grad_W_in")
        assert ("dW_in has the wrong type, expected a numpy.ndarray (got a Sneaky (ndarray subclass))"
                in cases_of(result, "grad_W_in")[0].output)

    def test_in_place_mutation(self):
        """Updating the inputs in place is reported, even with the right values returned."""
        result = grade(attack("mutation"))
        assert_only(result, "sgd_step")
        assert "params was modified in place" in cases_of(result, "sgd_step")[0].output

    def test_monkeypatching_numpy(self):
        """Patching numpy's comparisons in the worker changes nothing: the zeros still fail."""
        result = grade(attack("monkeypatch_numpy"))
        assert_only(result, "deltas")
        first = cases_of(result, "deltas")[0]  # δ_T = δ_6 is the first δ computed: the first wrong quantity
        assert first.output.startswith("deltas: δ_6 disagrees with the reference") and "scale:0" in first.tags

    def test_import_rnnref(self):
        """Importing rnnref (checkout on sys.path or not) is refused: zero for that function, with the reason."""
        result = grade(attack("import_rnnref", ROOT=ROOT))
        assert_only(result, "deltas")
        assert "(got ImportError: rnnref is not available to submissions)" in cases_of(result, "deltas")[0].output

    def test_import_autograder(self):
        """Importing the grader at the top fails the import: zero, with the reason."""
        result = grade(attack("import_autograder", whole=True))
        assert result.score == 0
        assert "(got ImportError at line 2: autograder is not available to submissions)" in result.tests[0].output

    def test_read_solutions(self):
        """Loading solutions/ by path fails: zero for that function, with the reason."""
        result = grade(attack("read_solutions", ROOT=ROOT))
        assert_only(result, "grad_W")
        out = cases_of(result, "grad_W")[0].output
        assert "is not available to submissions" in out or "No such file or directory" in out

    def test_write_files(self, bwrap, tmp_path, monkeypatch):
        """Files written to the grader's working directory or /tmp never appear on the host."""
        monkeypatch.chdir(tmp_path)
        in_tmp = Path("/tmp") / f"rnngrade-pwned-{uuid.uuid4().hex}"
        result = grade(attack("write_files", TARGET=tmp_path / "pwned.txt", TARGET2=in_tmp))
        assert result.score == FULL
        assert not (tmp_path / "pwned.txt").exists() and not in_tmp.exists()

    def test_setsid_daemon(self, bwrap, tmp_path):
        """A double-forked setsid'd daemon is dead before grade returns; its delayed write never happens."""
        target = tmp_path / "daemon.txt"
        marker = f"rgd{uuid.uuid4().hex[:8]}"
        result = grade(attack("daemon", TARGET=target, MARKER=marker))
        assert result.score == FULL
        time.sleep(3)
        assert not target.exists()
        assert not any(Path(f"/proc/{p}/comm").exists() and Path(f"/proc/{p}/comm").read_text().strip() == marker
                       for p in os.listdir("/proc") if p.isdigit())

    def test_atexit_hook(self, tmp_path):
        """An atexit hook never runs (not even without the sandbox)."""
        target = tmp_path / "atexit.txt"
        for sandbox in ("auto", "off"):
            result = grade(attack("atexit_hook", TARGET=target), sandbox=sandbox)
            assert result.score == FULL and not target.exists()

    def test_network(self, bwrap):
        """A connection to the host's 127.0.0.1 never arrives."""
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        server.setblocking(False)
        try:
            result = grade(attack("network", PORT=server.getsockname()[1]))
            assert result.score == FULL
            with pytest.raises(BlockingIOError):
                server.accept()
        finally:
            server.close()

    def test_output_file_found_through_proc(self, bwrap, tmp_path):
        """The `-o` result file, looked up through /proc and overwritten now and by a daemon later, stays ours."""
        sub_path = tmp_path / "rnn_bptt.py"
        sub_path.write_text((ATTACKS / "output_via_proc.py").read_text(encoding="utf-8"), encoding="utf-8")
        out = tmp_path / "result.json"
        proc = subprocess.run([sys.executable, "-c", "from autograder.cli import main; main()", "grade",
                               str(sub_path), "-a", "rnn_bptt", "--format", "json", "-o", str(out)],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        time.sleep(3)
        data = json.loads(out.read_text(encoding="utf-8"))
        assert (data["assignment"], data["score"], data["max_score"]) == ("rnn_bptt", 0, FULL)
        assert "not implemented yet" in data["tests"][0]["output"]


class TestFallback:
    def test_off_still_grades_attacks(self):
        """Without the sandbox, the limits still turn a loop and an import of rnnref into graded zeros, with a note."""
        loop = grade(attack("infinite_loop"), sandbox="off")
        assert_only(loop, "forward")
        assert any(n.startswith("file-system isolation is off") for n in loop.isolation) and not loop.notes
        ref = grade(attack("import_rnnref", ROOT=ROOT), sandbox="off")
        assert_only(ref, "deltas")
        assert "rnnref is not available to submissions" in cases_of(ref, "deltas")[0].output


# --------------------------------------------------------------------------- judging one outcome


def _outcome(**kw):
    from autograder.runner import Outcome

    return Outcome(**{"index": 0, "status": "error", **kw})


def _judged(o, visible=True, lang="en"):
    """_judge_outcome of the first case of spectral_radius (vanishing), made visible or hidden."""
    import dataclasses

    suite = get_suite("vanishing")
    i, case = suite.for_function("spectral_radius")[0]
    case = dataclasses.replace(case, visible=visible)
    args, kwargs, expected = case.build(suite.seed, i)
    sub = Submission("import numpy as np\n" * 20, "s", "py", "vanishing")
    return api._judge_outcome(case, o, args, kwargs, expected, sub, lang)


class TestJudgeOutcome:
    def test_a_failing_judge_is_this_case_error(self, monkeypatch):
        """An exception while judging becomes this case's error with a clear message, never a traceback."""
        from autograder import cases

        def boom(*a, **k):
            raise TypeError("a bug of the grader")

        monkeypatch.setattr(cases, "judge", boom)
        r = _judged(_outcome(status="ok", kind="ok", result=0.5, args_after=(np.zeros((2, 2)),)))
        assert r.status == "error" and r.score == 0
        assert r.output.startswith("spectral_radius: internal error while judging this case, expected a verdict "
                                   "(got TypeError). ") and "a bug of the grader" not in r.output

    @pytest.mark.parametrize("result", [Opaque("complex"), np.array(0.5 + 1j), 10 ** 400])
    def test_odd_results_are_failures(self, result):
        """A complex or huge-int result fails as the wrong type, whatever the arguments after the call hold."""
        for after in (None, (np.array([1.0, 2.0]),), (Opaque("object"),), [[np.nan]]):
            r = _judged(_outcome(status="ok", kind="ok", result=result, args_after=after))
            assert r.status == "failed" and "has the wrong type, expected a float" in r.output, r.output

    @pytest.mark.parametrize("lang", ["en", "ja"])
    def test_hidden_exception(self, lang):
        """A hidden case's exception shows its builtin type and line, never its message or a made-up type name."""
        raised = _outcome(kind="raised", exc_type="ValueError", exc_text="W = [[4711]]", line=3)
        assert "4711" in _judged(raised, True, lang).output
        hidden = _judged(raised, False, lang).output
        assert "4711" not in hidden and "ValueError" in hidden and ("line 3" in hidden or "3 行目" in hidden), hidden
        made_up = _judged(_outcome(kind="raised", exc_type="W4711Error", exc_text="", line=3), False, lang).output
        assert "4711" not in made_up, made_up

    def test_forged_line_not_shown(self):
        """A line number beyond the submission (a forged traceback's) is not shown."""
        o = _outcome(kind="raised", exc_type="ValueError", exc_text="", line=4711)
        assert "4711" not in _judged(o, False).output and "4711" not in _judged(o, True).output

    def test_hidden_exit_code_and_import_message(self):
        """A hidden case shows neither the exit code of a crash nor the message of a failed import."""
        crash = _outcome(status="crashed", kind="crashed", exc_text="the process exited with code 47")
        assert "47" in _judged(crash).output and "47" not in _judged(crash, False).output
        failed = _outcome(kind="import_error", exc_type="RuntimeError", exc_text="4711", line=2)
        assert "4711" in _judged(failed).output
        assert "4711" not in _judged(failed, False).output and "RuntimeError at line 2" in _judged(failed, False).output

    def test_hidden_exit_code_worded_in_japanese(self):
        """A crash's exit code (session.describe_exit's fact) is worded in Japanese, and left out of a hidden case."""
        from autograder.session import describe_exit

        crash = _outcome(status="crashed", kind="crashed", exc_text=describe_exit(47))
        assert "実際: 終了コード 47 でのプロセスの終了）" in _judged(crash, True, "ja").output
        hidden = _judged(crash, False, "ja").output
        assert "実際: プロセスの終了）" in hidden and "47" not in hidden and "process" not in hidden, hidden
        assert "(got the process exited)" in _judged(crash, False).output

    def test_import_failure_worded_in_japanese(self):
        """In Japanese, where a failed import or sys.exit() happened is said in Japanese: no English "at line"."""
        failed = _outcome(kind="import_error", exc_type="NameError", exc_text="name 'W' is not defined", line=2)
        assert "（期待: spectral_radius の定義、実際: NameError（2 行目）: name 'W' is not defined）" in \
            _judged(failed, True, "ja").output
        exited = _judged(_outcome(kind="import_exit", line=3), True, "ja").output
        assert exited.startswith("spectral_radius: モジュールの読み込み中に、3 行目で sys.exit() が呼ばれました（期待: ")
        assert not any(" at " in o or "line" in o for o in (_judged(failed, True, "ja").output, exited))
        sub = Submission("a = 1\nb = 2\n", "s", "py", "vanishing", cells=((1, 4), (2, 7)))
        assert api._import_note(failed, sub, "ja") == ("モジュールを読み込めませんでした: NameError（セル 7 の1 行目）: "
                                                       "name 'W' is not defined")
        assert api._import_note(failed, sub) == "the module could not be imported: NameError at cell 7, line 1: " \
                                                "name 'W' is not defined"
        assert api._import_note(_outcome(kind="import_timeout", exc_text="10"), sub, "ja") == \
            "モジュールの読み込みが 10 秒以内に終わりませんでした"

    def test_runner_judge_error(self):
        """The runner's "judge_error" outcome is worded like any internal error."""
        r = _judged(_outcome(kind="judge_error", exc_type="KeyError", message="internal error …"), lang="ja")
        assert r.status == "error" and "採点プログラムの内部エラー" in r.output and "KeyError" in r.output


class TestHostileResults:
    def test_complex_result_is_a_type_mismatch(self):
        """The honest mistake np.max(np.linalg.eigvals(W)) returns a complex number for some W: those cases fail
        saying so, the others (real eigenvalues) pass, every other function keeps its credit."""
        source = (ROOT / "solutions" / "vanishing" / "vanishing.py").read_text(encoding="utf-8")
        source += "\n\ndef spectral_radius(W):\n    return np.max(np.linalg.eigvals(W))\n"
        result = api.grade(Submission(source, "eve", "py", "vanishing"), "vanishing", limits=FAST)
        radius = [t for t in result.tests if t.function == "spectral_radius"]
        others = [t for t in result.tests if t.function != "spectral_radius"]
        assert all(t.passed for t in others) and not all(t.passed for t in radius)
        assert any("got a complex number" in t.output for t in radius)
        assert 0 < result.score < result.max_score


class TestPrivateCalls:
    @pytest.mark.parametrize("sandbox", ["require", "off"])
    def test_hidden_inputs_never_reach_a_visible_message(self, sandbox, request):
        """A function that remembers every input (in memory and on disk) and raises them all: the visible
        cases' messages show the visible inputs only, since hidden cases run later in workers of their own."""
        if sandbox == "require":
            request.getfixturevalue("bwrap")
        result = grade(attack("remember_hidden"), sandbox=sandbox)
        seen = {True: [], False: []}
        for i, case in enumerate(SUITE.cases):
            if case.function == "forward":
                seen[case.visible].append(repr(float(case.build(SUITE.seed, i)[0][0][0, 1])))
        visible_text = " ".join(t.output for t in cases_of(result, "forward") if t.visible)
        everything = " ".join(t.output for t in result.tests) + " ".join(result.notes)
        assert all(v in visible_text for v in seen[True])  # the channel is real for public inputs
        assert seen[False] and not any(h in everything for h in seen[False])
        assert_only(result, "forward")


class TestSubmissionKey:
    def test_same_code_same_key(self, tmp_path):
        """Two files with the same code under different students and paths have one key; the result carries it."""
        for who in ("ann", "ben"):
            (tmp_path / who).mkdir()
            (tmp_path / who / "rnn_bptt.py").write_bytes(SOLUTION.read_bytes())
        a, b = (load_submission(tmp_path / w / "rnn_bptt.py") for w in ("ann", "ben"))
        assert api.submission_key(a, "rnn_bptt", "s-1") == api.submission_key(b, "rnn_bptt", "s-1")

    def test_key_changes_with_what_decides_the_grade(self, tmp_path):
        """The code, the assignment, the inputs and the cases graded each change the key."""
        sub = load_submission(SOLUTION)
        key = api.submission_key(sub, "rnn_bptt", "s-1")
        edited = Submission(sub.source + "\n#\n", sub.student, sub.kind, sub.assignment_guess)
        assert len({key, api.submission_key(edited, "rnn_bptt", "s-1"), api.submission_key(sub, "lstm", "s-1"),
                    api.submission_key(sub, "rnn_bptt", "s-2"),
                    api.submission_key(sub, "rnn_bptt", "s-1", visible_only=True)}) == 5

    def test_key_in_the_result(self):
        """grade() writes the key of what it graded into the JSON result."""
        res = api.grade(SOLUTION, "rnn_bptt", lang="en")
        assert res.to_json()["key"] == api.submission_key(load_submission(SOLUTION), "rnn_bptt", res.inputs)
