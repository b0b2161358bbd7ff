"""autograder.submission: hostile files handed in (links, FIFOs, devices, deep folders, zip links) and
notebooks turned into Python as IPython runs them (magics, shell escapes, help, the self-check), checked
against IPython's own transformer and by grading honest notebooks of every formatting style."""

import ast
import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import api, submission
from autograder.course import filled_release
from autograder.errors import SubmissionError
from autograder.submission import assignment_names, ipython_to_python, load_submission, notebook_source
from autograder.suites import get_suite
from tests.autograder.test_files import finishes

ROOT = Path(__file__).resolve().parents[2]
A = "rnn_bptt"
SOLUTION = ROOT / "solutions" / A / f"{A}.py"
RELEASE = json.loads((ROOT / "assignments" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
SOURCE = json.loads((ROOT / "solutions" / A / f"{A}.ipynb").read_text(encoding="utf-8"))
FULL = get_suite(A).max_score
RNNGRADE = Path(sys.executable).with_name("rnngrade")


# --------------------------------------------------------------------------- hostile files


class TestHostileFiles:
    @pytest.fixture
    def klass(self, tmp_path):
        root = tmp_path / "class"
        (root / "bob").mkdir(parents=True)
        (root / "bob" / A).with_suffix(".py").write_bytes(SOLUTION.read_bytes())
        return root

    def test_link_to_another_students_file(self, klass):
        """alice's rnn_bptt.py linked to bob's is refused with the reason, never read."""
        (klass / "alice").mkdir()
        (klass / "alice" / "rnn_bptt.py").symlink_to("../bob/rnn_bptt.py")
        with pytest.raises(SubmissionError, match=r"alice/rnn_bptt\.py is a symbolic link: hand in the file itself, "
                                                  r"not a link$"):
            load_submission(klass / "alice")
        with pytest.raises(SubmissionError, match="is a symbolic link"):
            load_submission(klass / "alice" / "rnn_bptt.py")

    def test_link_to_the_solution(self, klass):
        """A link to solutions/rnn_bptt/rnn_bptt.py is refused as a link."""
        (klass / "carol").mkdir()
        (klass / "carol" / "rnn_bptt.py").symlink_to(SOLUTION)
        with pytest.raises(SubmissionError, match="is a symbolic link"):
            load_submission(klass / "carol")

    def test_link_as_the_student_folder(self, klass):
        """A student folder that is a link is refused as a folder link."""
        (klass / "frank").symlink_to(klass / "bob")
        with pytest.raises(SubmissionError, match=r"frank is a symbolic link: hand in the folder itself, not a link$"):
            load_submission(klass / "frank")

    def test_linked_subfolder_not_entered(self, klass):
        """A link to another folder inside a student's folder is not followed to find a candidate."""
        (klass / "erin" / "work").mkdir(parents=True)
        (klass / "erin" / "work" / "theirs").symlink_to(klass / "bob")
        with pytest.raises(SubmissionError, match="holds no .py or .ipynb file"):
            load_submission(klass / "erin")

    def test_fifo_does_not_hang(self, klass):
        """A FIFO named like a submission (loose, or inside a folder) is refused at once as a FIFO."""
        os.mkfifo(klass / "x.py")
        (klass / "gina").mkdir()
        os.mkfifo(klass / "gina" / "rnn_bptt.ipynb")
        for path in (klass / "x.py", klass / "gina"):
            done, exc = finishes(lambda: load_submission(path))
            assert done and isinstance(exc, SubmissionError) and "is not a regular file (a FIFO)" in str(exc), exc

    def test_link_to_dev_zero(self, klass):
        """A link to /dev/zero (st_size 0) is refused, never read until memory runs out."""
        (klass / "dave").mkdir()
        (klass / "dave" / "rnn_bptt.py").symlink_to("/dev/zero")
        with pytest.raises(SubmissionError, match="is a symbolic link"):
            load_submission(klass / "dave")

    def test_zip_member_that_is_a_link(self, tmp_path):
        """A zip member stored as a symbolic link (its content a path) is refused as a link."""
        info = zipfile.ZipInfo("rnn_bptt.py")
        info.external_attr = (0o120777 << 16)
        with zipfile.ZipFile(tmp_path / "hank.zip", "w") as zf:
            zf.writestr(info, "../bob/rnn_bptt.py")
        with pytest.raises(SubmissionError, match=r"hank\.zip:rnn_bptt\.py is a symbolic link"):
            load_submission(tmp_path / "hank.zip")

    def test_folder_walk_bounded(self, tmp_path):
        """A folder with too many entries is refused; files deeper than four names are not looked for."""
        many = tmp_path / "many"
        many.mkdir()
        for i in range(10_001):
            (many / f"f{i}").touch()
        with pytest.raises(SubmissionError, match="holds more than 10000 files and folders"):
            load_submission(many)
        deep = tmp_path / "deep" / "a" / "b" / "c" / "d"
        deep.mkdir(parents=True)
        (deep / "rnn_bptt.py").write_text("x = 1\n")
        with pytest.raises(SubmissionError, match="holds no .py or .ipynb file"):
            load_submission(tmp_path / "deep")

    def test_assignment_names_without_following(self, klass, tmp_path):
        """The class's assignment is told from names only, links below the class folder not followed."""
        other = tmp_path / "other"
        other.mkdir()
        (other / "lstm.py").write_text("")
        (klass / "zed").symlink_to(other)
        (tmp_path / "via").symlink_to(klass)
        assert assignment_names(klass) == {A} and assignment_names(tmp_path / "via") == {A}


# --------------------------------------------------------------------------- IPython's syntax

#: cells IPython accepts; each is converted here and by IPython's TransformerManager, and both must agree
CELLS = {
    "line magic": "%matplotlib inline\nimport numpy as np\n",
    "shell": "!pip install numpy\n!!ls\nx = 1\n",
    "black continuation !=": "ok = (\n    len('abc')\n    != 0\n)\n",
    "black continuation %": "odd = (\n    7\n    % 2\n)\n",
    "black continuation -": "def f(a, b):\n    return (\n        a\n        - b\n    )\n",
    "backslash": "total = 1 + \\\n    2\nz = total \\\n    % 3\n",
    "continued shell": "!pip install \\\n    numpy\nx = 2\n",
    "help": "np?\n?np\nnp.dot??\n%timeit?\n",
    "assignment": "files = !ls\nnames = %who_ls\n",
    "indented command": "if True:\n    !ls\n    y = 1\nelse:\n    %time f(\n    z = 2\n",
    "tabs": "def f():\n\tif True:\n\t\treturn 1\n\treturn 2\n",
    "whole cell indented": "    x = 1\n    y = 2\n",
    "strings and comments": "s = '''\n!not a command\n%not a magic\n'''\nx = 1  # %not\n#!nor this\n",
    "brackets": "a = {\n  'k': 1,\n}\n!ls\n",
    "autocall": "/print 1 2\n,print a b\n;print a b\n",
    "crlf": "%matplotlib inline\r\nx = (1\r\n     % 2)\r\n",
}


def neutral_ipython(code: str) -> str:
    """IPython's transformed cell with its get_ipython() calls as this kit writes them (pass / None)."""

    def ipython_call(node) -> bool:
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Call) and getattr(node.func.value.func, "id", "") == "get_ipython")

    class Neutral(ast.NodeTransformer):
        def visit_Expr(self, node):
            return ast.Pass() if ipython_call(node.value) else node

        def visit_Assign(self, node):
            if ipython_call(node.value):
                node.value = ast.Constant(None)
            return node

    return ast.dump(Neutral().visit(ast.parse(code)))


class TestIPythonSyntax:
    @pytest.mark.parametrize("name", CELLS)
    def test_agrees_with_ipython(self, name):
        """Each cell becomes the Python IPython runs (its commands as pass), line numbers kept."""
        transformer = pytest.importorskip("IPython.core.inputtransformer2").TransformerManager()
        cell = CELLS[name]
        ours = ipython_to_python(cell)
        assert neutral_ipython(ours) == neutral_ipython(transformer.transform_cell(cell))
        assert ours.count("\n") == cell.replace("\r\n", "\n").count("\n")

    def test_kit_notebooks_agree_with_ipython(self):
        """Every code cell of the kit's own notebooks (solutions and releases) converts as IPython converts it."""
        transformer = pytest.importorskip("IPython.core.inputtransformer2").TransformerManager()
        cells = [c for path in sorted(ROOT.glob("*/*/*.ipynb")) if path.parts[-3] in ("assignments", "solutions")
                 for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        assert len(cells) > 100
        for cell in cells:
            text = "".join(cell["source"])
            assert neutral_ipython(ipython_to_python(text)) == neutral_ipython(transformer.transform_cell(text)), text

    def test_continuation_lines_untouched(self):
        """Lines inside brackets or after a backslash that start with !=, % or - are kept byte for byte."""
        for name in ("black continuation !=", "black continuation %", "black continuation -", "backslash"):
            assert ipython_to_python(CELLS[name]) == CELLS[name]

    def test_commands_become_pass(self):
        """Commands keep their indentation and become pass; a continued command's other lines become blank."""
        assert ipython_to_python(CELLS["indented command"]).split("\n")[1] == "    pass  # IPython: !ls"
        assert ipython_to_python(CELLS["continued shell"]).split("\n")[:2] == ["pass  # IPython: !pip install \\", ""]
        assert ipython_to_python(CELLS["assignment"]).startswith("files = None  # IPython: !ls\n")

    @pytest.mark.parametrize("cell, expected", [
        ("%%time\nx = 1\n", "\nx = 1\n"),
        ("\n%%capture out\n!ls\n", "\n\npass  # IPython: !ls\n"),
        ("%%bash\nrm -rf /\n", None),
        ("%%writefile x.py\nimport os\n", None),
        ("%%time?\n", None),
    ])
    def test_cell_magics(self, cell, expected):
        """%%time and the like keep their Python body (its own commands converted); %%bash and others are no Python."""
        assert ipython_to_python(cell) == expected

    def test_quick_path_is_the_rules_answer(self):
        """A cell with nothing IPython could rewrite skips the tokenizer with the answer the full rules give, for every
        code cell of the kit's notebooks, the cells above and lines that only look like commands."""
        cells = [c for path in sorted(ROOT.glob("*/*/*.ipynb")) if path.parts[-3] in ("assignments", "solutions")
                 for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        texts = ["".join(c["source"]) for c in cells] + list(CELLS.values()) + [
            "a = 1 != 2\nb = [1,\n  2]\n", "x = (1\n , 2)\n", "  y = 3\r\n  z = 4\r\n", "s = 'a ! b'\n",
            "np.dot?", "f(a)  # ?", "%%time\nx = 1\n"]
        quick = 0
        for text in texts:
            assert ipython_to_python(text) == ipython_to_python(text, quick=False), text
            quick += not submission._MAYBE_IPYTHON.search(text.replace("\r", ""))
        assert quick > 100  # most cells take the quick path

    def test_linear_in_the_number_of_commands(self):
        """A cell of many commands converts in one pass over it (IPython's loop would re-tokenize each time)."""
        import time

        cell = "x = (1,\n 2)\n" + "%magic\n" * 20_000
        start = time.perf_counter()
        out = ipython_to_python(cell)
        assert out.count("pass  # IPython: %magic") == 20_000
        assert time.perf_counter() - start < 10


# --------------------------------------------------------------------------- the self-check


def source_of(*cells, meta=None) -> str:
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "source": c, "metadata": meta or {}, "outputs": [], "execution_count": None}
                    for c in cells]}
    return notebook_source(json.dumps(nb).encode())[0]


class TestSelfCheck:
    def test_quick_path_is_the_full_answer(self):
        """A cell that cannot touch the self-check (no name it bound, no `autograder` even after NFKC) is kept as
        the full analysis would keep it; a fullwidth `ａutograder` import is still found."""
        from autograder.submission import _without_selfcheck

        for text, tainted in [("x = 1\n", set()), ("import numpy as np\nprint(np)\n", set()),
                              ("from autograder.selfcheck import check\n", set()),
                              ("import \uff41utograder\nx = 1\n", set()), ("score = check()\n", {"check"}),
                              ("def check():\n    pass\n", {"check"})]:
            assert _without_selfcheck(text, set(tainted)) == _without_selfcheck(text, set(tainted), quick=False)
        assert _without_selfcheck("import \uff41utograder\nx = 1\n", set())[0] == "pass\nx = 1\n"

    def test_only_the_import_statement_goes(self):
        """An answer cell importing the self-check keeps its own code; the import becomes pass on its line."""
        src = source_of("LR = 0.1\nfrom autograder.selfcheck import check\nSTEPS = 3\n")
        assert src.splitlines()[:3] == ["LR = 0.1", "pass", "STEPS = 3"]

    def test_statements_using_it_go_too(self):
        """check(...) calls, the score they return and its display become pass; the student's own lines stay."""
        src = source_of("def f():\n    return 1\nfrom autograder.selfcheck import check\n"
                        "score = check('rnn_bptt', 'f', globals())\nscore\nAFTER = f()\n")
        assert src.splitlines()[:6] == ["def f():", "    return 1", "pass", "pass", "pass", "AFTER = f()"]
        exec(compile(src, "nb", "exec"), {})

    def test_test_cell_without_metadata_left_out(self):
        """A cell that is nothing but the self-check's test call is left out whole."""
        assert source_of("from autograder.selfcheck import check\nscore = check('rnn_bptt', 'f', globals())\n"
                         "score\n", "X = 1\n") == "X = 1\n\n"

    def test_names_carried_across_cells_until_rebound(self):
        """A later cell calling the imported check is neutralised too, until the student binds the name again."""
        src = source_of("from autograder.selfcheck import check\nY = 2\n", "check('a', 'b', globals())\nZ = 3\n",
                        "def check(*a):\n    return 1\n", "W = check()\n")
        assert "pass\nZ = 3" in src and "W = check()" in src
        namespace = {}
        exec(compile(src, "nb", "exec"), namespace)
        assert namespace["W"] == 1

    def test_mixed_import_and_multiline_import(self):
        """`import numpy as np, autograder` keeps numpy; a multi-line import keeps what follows it on its last line."""
        src = source_of("import numpy as np, autograder.selfcheck as sc\nx = np.zeros(1)\n",
                        "A = 1; from autograder.selfcheck import (\n    check,\n); B = 2\nC = 3\n")
        namespace = {}
        exec(compile(src, "nb", "exec"), namespace)
        assert (namespace["A"], namespace["B"], namespace["C"]) == (1, 2, 3) and "sc" not in namespace
        assert src.splitlines()[3:7] == ["A = 1; pass \\", "\\", "; B = 2", "C = 3"]  # line numbers kept


# --------------------------------------------------------------------------- honest notebooks, every style


def tabs(code: str) -> str:
    """Every 4-space indentation step as a tab."""
    out = []
    for line in code.split("\n"):
        body = line.lstrip(" ")
        n = len(line) - len(body)
        out.append("\t" * (n // 4) + " " * (n % 4) + body)
    return "\n".join(out)


#: style -> (transformation of each answer cell's code, extra cells before the answers)
STYLES = {
    "black": lambda c: c + ("\n\n_ok = (\n    len('abc')\n    != 0\n)\n_odd = (\n    7\n    % 2\n)\n_diff = (\n"
                            "    10\n    - 3\n)\nassert _ok and _odd == 1 and _diff == 7\n"),
    "backslash": lambda c: c + ("\n\n_total = 1 + \\\n    2 \\\n    % 2\nassert _total == 1\n"
                                "!pip install \\\n    numpy\n"),
    "magics": lambda c: ("%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n!pip install numpy\nnp?\n"
                         "?np.tanh\nnp.dot??\nfiles = !ls\n" + c),
    "cell magic": lambda c: "%%time\n" + c,
    "tabs": tabs,
    "self-check in an answer": lambda c: c + ("\n\nDEFAULT_LR = 0.1\nfrom autograder.selfcheck import check\n"
                                              "score = check('rnn_bptt', 'forward', globals())\nscore\n"
                                              "assert DEFAULT_LR == 0.1\n"),
    "crlf and indented": lambda c: "\r\n".join("    " + ln for ln in c.split("\n")),
    # a cell of its own: a constant beside the self-check's import (the old converter dropped it whole)
    "constant beside the self-check": lambda c: c + "\n\nassert DEFAULT_LR == 0.1\n",
}
CONSTANT_CELL = "DEFAULT_LR = 0.1\nfrom autograder.selfcheck import check\n"


def styled(style: str) -> bytes:
    """The release notebook with the solution filled in and every answer cell written in one style."""
    nb = filled_release(RELEASE, SOURCE)
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            code = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = STYLES[style](code)
    if style == "constant beside the self-check":
        nb["cells"].insert(1, {"cell_type": "code", "source": CONSTANT_CELL, "metadata": {}, "outputs": [],
                               "execution_count": None})
    return json.dumps(nb).encode("utf-8")


class TestHonestNotebooks:
    @pytest.mark.parametrize("style", STYLES)
    def test_full_marks(self, style, tmp_path):
        """The solution in the release notebook gets full marks whatever its formatting, magics or self-check calls."""
        path = tmp_path / style.replace(" ", "_") / f"{A}.ipynb"
        path.parent.mkdir()
        path.write_bytes(styled(style))
        res = api.grade(path, A)
        assert res.score == FULL, (res.notes, [t.output for t in res.tests if not t.passed][:2])

    def test_batch_subprocess(self, tmp_path):
        """A real `rnngrade batch` of a class with one student per style gives every one of them full marks."""
        klass = tmp_path / "class"
        for style in STYLES:
            folder = klass / style.replace(" ", "_")
            folder.mkdir(parents=True)
            (folder / f"{A}.ipynb").write_bytes(styled(style))
        r = subprocess.run([str(RNNGRADE), "batch", str(klass), "-a", A, "-o", str(tmp_path / "g.csv"),
                            "--results", str(tmp_path / "res")], capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        rows = list(csv.DictReader(io.StringIO((tmp_path / "g.csv").read_text(), newline="")))
        assert {row["student"]: float(row["score"]) for row in rows} == \
            {style.replace(" ", "_"): FULL for style in STYLES}


# --------------------------------------------------------------------------- names, choices, empty files


def notebook_bytes(nb=None) -> bytes:
    """The rnn_bptt release filled in with the solution (full marks), as a notebook's bytes."""
    return json.dumps(filled_release(RELEASE, SOURCE) if nb is None else nb).encode("utf-8")


class TestAssignmentOf:
    @pytest.mark.parametrize("stem", ["rnn_bptt", "rnn_bptt-Copy1", "rnn_bptt-Copy12", "rnn_bptt (1)",
                                      "rnn_bptt(2)", "rnn_bptt_v2", "rnn_bptt copy", "rnn_bptt-Copy1 (1)"])
    def test_copy_names(self, stem):
        """Jupyter's and browsers' copy names keep their exercise, and say nothing of who handed them in."""
        assert submission.assignment_of(stem) == A and submission.named_after_assignment(stem)

    def test_prefix_then_anything(self):
        """'lstm_tanaka' is lstm's file, yet named after its student too."""
        assert submission.assignment_of("lstm_tanaka") == "lstm"
        assert not submission.named_after_assignment("lstm_tanaka")

    @pytest.mark.parametrize("stem", ["alice", "rnn_bpttx", "Untitled", "my_rnn_bptt"])
    def test_other_names(self, stem):
        """A name that does not start with an assignment and a separator names none."""
        assert submission.assignment_of(stem) is None and not submission.named_after_assignment(stem)

    def test_copy_in_a_student_folder(self, tmp_path):
        """alice/rnn_bptt-Copy1.ipynb is alice's rnn_bptt."""
        (tmp_path / "alice").mkdir()
        path = tmp_path / "alice" / "rnn_bptt-Copy1.ipynb"
        path.write_bytes(notebook_bytes())
        sub = load_submission(path)
        assert (sub.assignment_guess, sub.student) == (A, "alice")

    def test_class_assignment_from_copies(self, tmp_path):
        """A class whose files are copies' names is still rnn_bptt's."""
        (tmp_path / "bob").mkdir()
        (tmp_path / "bob" / "rnn_bptt (1).ipynb").write_bytes(b"{}")
        assert assignment_names(tmp_path) == {A} and submission.assignments_named(tmp_path / "bob") == {A}


class TestNotebookAndModule:
    def test_folder_grades_the_notebook_and_says_so(self, tmp_path):
        """rnn_bptt.ipynb beside rnn_bptt.py: the notebook is graded and a note says which file and why."""
        (tmp_path / "rnn_bptt.py").write_text("x = 1\n")
        (tmp_path / "rnn_bptt.ipynb").write_bytes(notebook_bytes())
        sub = load_submission(tmp_path)
        assert sub.kind == "ipynb" and sub.origin.endswith("rnn_bptt.ipynb")
        assert len(sub.notes) == 1 and "graded rnn_bptt.ipynb" in sub.notes[0] and "rnn_bptt.py" in sub.notes[0]
        result = api.grade(tmp_path, lang="en")
        assert result.score == FULL and result.notes == list(sub.notes)

    def test_zip_too(self, tmp_path):
        """The same rule in a zip."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("rnn_bptt.py", "x = 1\n")
            zf.writestr("rnn_bptt.ipynb", notebook_bytes())
        (tmp_path / "alice.zip").write_bytes(buf.getvalue())
        sub = load_submission(tmp_path / "alice.zip")
        assert sub.kind == "ipynb" and "graded rnn_bptt.ipynb" in sub.notes[0]

    def test_two_notebooks_still_ambiguous(self, tmp_path):
        """Two notebooks of other names are still refused, with the names."""
        (tmp_path / "a.ipynb").write_bytes(notebook_bytes())
        (tmp_path / "b.py").write_text("x = 1\n")
        with pytest.raises(SubmissionError, match="several candidate files"):
            load_submission(tmp_path)


class TestEmptyFiles:
    COMMENTS_ONLY = json.dumps({"cells": [{"cell_type": "code", "source": "# nothing yet\n", "metadata": {}},
                                          {"cell_type": "markdown", "source": "text", "metadata": {}}]}).encode()

    @pytest.mark.parametrize("name,data", [("rnn_bptt.py", b""), ("rnn_bptt.py", b"  \n\n\t\n"),
                                           ("rnn_bptt.py", b"# TODO\n\n   # later\n"), ("rnn_bptt.ipynb", b""),
                                           ("rnn_bptt.ipynb", COMMENTS_ONLY)])
    def test_empty_said_once(self, tmp_path, name, data):
        """An empty file scores 0 with one note "the file is empty", not a message per case."""
        (tmp_path / name).write_bytes(data)
        assert load_submission(tmp_path / name).empty
        result = api.grade(tmp_path / name, lang="en")
        assert (result.score, result.tests, result.status) == (0.0, [], "refused")
        assert len(result.notes) == 1 and result.notes[0].startswith("the file is empty")

    def test_code_is_not_empty(self, tmp_path):
        """A docstring alone, or a syntax error, is code: graded as usual."""
        for text in ('"""my answers"""\n', "def f(:\n"):
            (tmp_path / "rnn_bptt.py").write_text(text)
            assert load_submission(tmp_path / "rnn_bptt.py").empty == ""
