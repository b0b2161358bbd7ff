"""autograder.release and `rnngrade release`: the single-source generator."""

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from autograder.cli import main
from autograder.drivers import DRIVERS
from autograder.release import (
    CODE_STUB,
    TESTS_BODY,
    ReleaseError,
    cell_id,
    check_hints,
    check_markers,
    clear_hidden_tests,
    clear_solutions,
    exercises,
    parse_cells,
    release,
    render,
    solution_regions,
    split_module,
    stale,
)
from autograder.suites import ASSIGNMENTS, get_suite

ROOT = Path(__file__).resolve().parents[2]

TOY_PY = '''"""A toy GRU exercise (only its shape matters here)."""

import numpy as np

SCALE = 2.0


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def gru_step(x, h_prev, P):
    """One step."""
    # Hint: three lines.
    ### BEGIN SOLUTION
    secret_step_answer = x * SCALE
    return secret_step_answer
    ### END SOLUTION


def gru_forward(X, P):
    """Forward."""
    H = 3
    # Hint: loop over t.
    ### BEGIN SOLUTION
    secret_forward_answer = X
    return secret_forward_answer
    ### END SOLUTION


def gru_backward(dH, caches, P):
    """Backward."""
    # Hint: go back in time.
    ### BEGIN SOLUTION
    return {"secret_backward_answer": dH}
    ### END SOLUTION
'''

TOY_NB = '''# %% [markdown]
# # GRU
#
# 説明 $h_t$.

# %% [module]

# %% [setup] sigmoid

# %% [solution] gru_step gru_forward

# %% [tests] gru_step

# %% [tests] gru_forward

# %% [solution] gru_backward

# %% [tests] gru_backward

# %%
import matplotlib
experiment = 1
'''


@pytest.fixture
def toy_root(tmp_path):
    """A kit checkout holding one exercise, 'gru', written in the single-source format."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'toy'\n")
    d = tmp_path / "solutions" / "gru"
    d.mkdir(parents=True)
    (d / "gru.py").write_text(TOY_PY, encoding="utf-8")
    (d / "gru.nb.py").write_text(TOY_NB, encoding="utf-8")
    return tmp_path


class TestClearSolutions:
    def test_region_becomes_nbgrader_stub_at_its_indentation(self):
        """A solution region becomes nbgrader's stub, indented like the markers."""
        out = clear_solutions("def f():\n    # Hint: h\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n")
        assert out == "def f():\n    # Hint: h\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
        assert CODE_STUB == "# YOUR CODE HERE\nraise NotImplementedError()"

    def test_every_region_and_nothing_else(self):
        """Two regions are both replaced; lines between and around them stay."""
        src = "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\nc = 3\n### BEGIN SOLUTION\nd = 4\n### END SOLUTION\n"
        out = clear_solutions(src)
        assert "b = 2" not in out and "d = 4" not in out
        assert out.startswith("a = 1\n") and "c = 3\n" in out and out.count("raise NotImplementedError()") == 2

    def test_unmatched_marker_is_an_error(self):
        """A BEGIN without END is refused, naming the file."""
        with pytest.raises(ReleaseError, match="x.py:1: unmatched 'BEGIN SOLUTION'"):
            clear_solutions("### BEGIN SOLUTION\nsecret\n", "x.py")

    def test_nested_and_stray_end_are_errors(self):
        """A BEGIN inside a region, and an END outside one, are refused with their line."""
        with pytest.raises(ReleaseError, match="x.py:3: nested 'BEGIN SOLUTION'"):
            clear_solutions("### BEGIN SOLUTION\na\n### BEGIN SOLUTION\nb\n### END SOLUTION\n", "x.py")
        with pytest.raises(ReleaseError, match="x.py:2: 'END SOLUTION' without a 'BEGIN SOLUTION'"):
            clear_solutions("a\n### END SOLUTION\n", "x.py")

    @pytest.mark.parametrize("src", [
        "def f():\n    # Hint: h\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n",
        "def f():\n    ## BEGIN SOLUTION\n    return 42\n    ## END SOLUTION\n",
        "x = 1  # BEGIN SOLUTION here\ny = 2\n# END SOLUTION\nz = 3\n",
        "a\n  ### BEGIN SOLUTION\n  b\n  ### END SOLUTION\nc\n### BEGIN SOLUTION\nd\n### END SOLUTION\n",
    ])
    def test_same_as_nbgrader(self, src):
        """Any line containing a marker is one, as for nbgrader's ClearSolutions: the same cell text results."""
        from nbgrader.preprocessors import ClearSolutions

        cell = nbformat.v4.new_code_cell(src, metadata={"nbgrader": {"solution": True, "grade": False,
                                                                     "grade_id": "s", "locked": False}})
        nb = nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}})
        ClearSolutions().preprocess(nb, {})
        assert clear_solutions(src) == nb.cells[0].source

    def test_hidden_tests_marker_anywhere_on_the_line(self):
        """A hidden-tests region opened by any line containing the marker is removed (nbgrader's rule)."""
        assert clear_hidden_tests("a\n## BEGIN HIDDEN TESTS\nsecret\n# END HIDDEN TESTS!\nb\n") == "a\nb\n"

    def test_hidden_tests_removed_with_markers(self):
        """A hidden-tests region disappears entirely, its markers too."""
        out = clear_hidden_tests("a\n### BEGIN HIDDEN TESTS\nsecret\n### END HIDDEN TESTS\nb\n")
        assert out == "a\nb\n"

    def test_regions_are_listed(self):
        """solution_regions returns each region's text."""
        assert len(solution_regions(TOY_PY)) == 3
        assert solution_regions("## BEGIN SOLUTION\nx\n## END SOLUTION\n") == ["## BEGIN SOLUTION\nx\n## END SOLUTION\n"]


class TestSourceParsing:
    def test_hint_required(self):
        """A solution region without a '# Hint:' line above is refused with its line number."""
        with pytest.raises(ReleaseError, match=r"f.py:2: put a one-line '# Hint: …'"):
            check_hints("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "f.py")

    def test_marker_not_alone_refused(self):
        """`## BEGIN SOLUTION` (nbgrader would clear it all the same) is refused, naming file and line."""
        with pytest.raises(ReleaseError, match=r"f.py:3: a line containing 'BEGIN SOLUTION' is an nbgrader marker"):
            check_markers("def f():\n    # Hint: h\n    ## BEGIN SOLUTION\n    return 42\n    ## END SOLUTION\n", "f.py")

    def test_hidden_marker_outside_tests_refused(self):
        """A hidden-tests marker in a source (its test cells are written by release) is refused."""
        with pytest.raises(ReleaseError, match=r"nb.py:2: a line containing 'BEGIN HIDDEN TESTS'"):
            check_markers("# %% [tests] f\n### BEGIN HIDDEN TESTS\n", "nb.py", allowed=())

    def test_cell_ids_fit_nbformat(self):
        """Ids are kept when valid; a long or non-ASCII one becomes ≤ 64 valid characters, distinct and stable."""
        long_a, long_b = "solution_" + "a" * 70, "solution_" + "a" * 69 + "b"
        assert cell_id("test_deltas") == "test_deltas"
        for text in (long_a, long_b, "test_δ"):
            assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cell_id(text)) and cell_id(text) == cell_id(text)
        assert cell_id(long_a) != cell_id(long_b)

    def test_split_module(self):
        """The header is the imports and constants after the docstring; functions keep their text."""
        mod = split_module(TOY_PY, "gru.py")
        assert mod.header == "import numpy as np\n\nSCALE = 2.0"
        assert list(mod.functions) == ["sigmoid", "gru_step", "gru_forward", "gru_backward"]
        assert mod.functions["gru_forward"].startswith("def gru_forward(X, P):")
        assert mod.functions["gru_forward"].endswith("### END SOLUTION")

    def test_statement_after_functions_refused(self):
        """A constant after the first function is refused (it would be lost from the notebook)."""
        with pytest.raises(ReleaseError, match=r"m.py:4: only functions may follow"):
            split_module("def f():\n    return 1\n\nLATE = 2\n", "m.py")

    def test_syntax_error_named(self):
        """A syntax error in a solution names the file and line."""
        with pytest.raises(ReleaseError, match=r"m.py:2: syntax error"):
            split_module("x = 1\ndef f(:\n", "m.py")

    def test_cells(self):
        """Percent cells are split by kind; markdown loses its '# ' prefix."""
        cells = parse_cells(TOY_NB, "gru.nb.py")
        assert [c.kind for c in cells] == ["markdown", "module", "setup", "solution", "tests", "tests",
                                           "solution", "tests", "experiment"]
        assert cells[0].source == "# GRU\n\n説明 $h_t$."
        assert cells[3].names == ["gru_step", "gru_forward"]

    def test_unknown_kind(self):
        """An unknown cell kind is refused with the line."""
        with pytest.raises(ReleaseError, match=r"nb.py:1: unknown cell kind \[solutions\]"):
            parse_cells("# %% [solutions] f\n", "nb.py")


class TestRenderToy:
    def test_three_files(self, toy_root):
        """One exercise renders its source notebook, stub module and student notebook."""
        files = render(toy_root, "gru")
        rel = sorted(str(p.relative_to(toy_root)) for p in files)
        assert rel == ["assignments/gru/gru.ipynb", "assignments/gru/gru.py", "solutions/gru/gru.ipynb"]

    def test_notebooks_are_valid_nbformat(self, toy_root):
        """Both notebooks validate against the nbformat 4 schema."""
        for path, text in render(toy_root, "gru").items():
            if path.suffix == ".ipynb":
                nbformat.validate(nbformat.reads(text, as_version=4))

    def test_source_notebook_is_nbgrader_source(self, toy_root):
        """Solution cells, graded test cells with the suite's points, hidden tests present."""
        nb = json.loads(render(toy_root, "gru")[toy_root / "solutions/gru/gru.ipynb"])
        meta = {c["id"]: c["metadata"].get("nbgrader") for c in nb["cells"]}
        assert meta["solution_gru_step_gru_forward"]["solution"] is True
        assert meta["test_gru_backward"] == {"grade": True, "grade_id": "test_gru_backward", "locked": True,
                                             "points": get_suite("gru").points["gru_backward"],
                                             "schema_version": 3, "solution": False, "task": False}
        text = json.dumps(nb)
        assert "secret_step_answer" in text

    def test_tests_cells_written_by_release(self, toy_root):
        """A [tests] header becomes the visible check, the hidden block and the score, for its function."""
        nb = json.loads(render(toy_root, "gru")[toy_root / "solutions/gru/gru.ipynb"])
        body = {c["id"]: "".join(c["source"]) for c in nb["cells"]}
        assert body["test_gru_forward"] == TESTS_BODY.format(assignment="gru", function="gru_forward")
        assert 'check("gru", "gru_forward", globals(), hidden=True)' in body["test_gru_forward"]

    def test_tests_cell_with_a_body_refused(self, toy_root):
        """A [tests] cell with a body is refused with its line: release writes the body."""
        nb = toy_root / "solutions/gru/gru.nb.py"
        nb.write_text(nb.read_text().replace("# %% [tests] gru_forward\n", "# %% [tests] gru_forward\nscore = 1\n"))
        with pytest.raises(ReleaseError, match=r"gru.nb.py:14: a \[tests\] cell is just its header"):
            render(toy_root, "gru")

    def test_double_hash_marker_refused(self, toy_root):
        """`## BEGIN SOLUTION … return 42` in a solution is an error naming the file and line, not a leak."""
        src = toy_root / "solutions/gru/gru.py"
        src.write_text(src.read_text().replace("    return {\"secret_backward_answer\": dH}\n    ### END SOLUTION",
                                               "    return {\"secret_backward_answer\": dH}\n    ### END SOLUTION\n"
                                               "    ## BEGIN SOLUTION\n    return 42\n    ## END SOLUTION"))
        with pytest.raises(ReleaseError, match=r"^solutions/gru/gru.py:37: a line containing 'BEGIN SOLUTION'"):
            render(toy_root, "gru")

    def test_solution_region_in_setup_refused(self, toy_root):
        """A [setup] function with a solution region is refused (nbgrader allows regions in solution cells only)."""
        nb = toy_root / "solutions/gru/gru.nb.py"
        nb.write_text(nb.read_text().replace("# %% [solution] gru_backward\n", "# %% [setup] gru_backward\n"))
        with pytest.raises(ReleaseError, match=r"a \[setup\] cell is given to students whole"):
            render(toy_root, "gru")

    def test_long_names_give_valid_cell_ids(self, toy_root):
        """A solution cell of many long names still gets a valid nbformat id (≤ 64 characters)."""
        src = toy_root / "solutions/gru/gru.py"
        long = "a_helper_with_a_long_name_that_students_write_" + "x" * 20
        src.write_text(src.read_text() + f"\n\ndef {long}():\n    # Hint: h.\n    ### BEGIN SOLUTION\n"
                                         "    return 1\n    ### END SOLUTION\n")
        nb = toy_root / "solutions/gru/gru.nb.py"
        nb.write_text(nb.read_text().replace("# %% [solution] gru_backward\n", f"# %% [solution] gru_backward {long}\n"))
        for path, text in render(toy_root, "gru").items():
            if path.suffix == ".ipynb":
                nbformat.validate(nbformat.reads(text, as_version=4))
                assert all(len(c["id"]) <= 64 for c in json.loads(text)["cells"])

    def test_student_release_has_no_solution(self, toy_root):
        """The student's module and notebook contain no solution text and no hidden test."""
        files = render(toy_root, "gru")
        for path in (toy_root / "assignments/gru/gru.py", toy_root / "assignments/gru/gru.ipynb"):
            text = files[path]
            for secret in ("secret_step_answer", "secret_forward_answer", "secret_backward_answer",
                           "hidden=True", "BEGIN SOLUTION", "HIDDEN TESTS"):
                assert secret not in text, (path, secret)
        assert "# Hint: loop over t." in files[toy_root / "assignments/gru/gru.py"]

    def test_experiment_cells_tagged(self, toy_root):
        """Plain cells are tagged 'experiment' (not part of the graded module)."""
        nb = json.loads(render(toy_root, "gru")[toy_root / "assignments/gru/gru.ipynb"])
        tagged = [c for c in nb["cells"] if "experiment" in c["metadata"].get("tags", [])]
        assert len(tagged) == 1 and "experiment = 1" in "".join(tagged[0]["source"])

    def test_deterministic(self, toy_root):
        """Rendering twice gives identical text."""
        assert render(toy_root, "gru") == render(toy_root, "gru")

    def test_every_function_must_be_placed(self, toy_root):
        """A function of the module in no cell is refused."""
        nb = toy_root / "solutions/gru/gru.nb.py"
        nb.write_text(nb.read_text().replace("# %% [setup] sigmoid\n", ""))
        with pytest.raises(ReleaseError, match="in no cell: sigmoid"):
            render(toy_root, "gru")

    def test_every_graded_function_needs_tests(self, toy_root):
        """A graded function without a [tests] cell is refused."""
        nb = toy_root / "solutions/gru/gru.nb.py"
        nb.write_text(nb.read_text().replace("# %% [tests] gru_forward\n", ""))
        with pytest.raises(ReleaseError, match="without a \\[tests\\] cell: gru_forward"):
            render(toy_root, "gru")


class TestReleaseCommand:
    def test_writes_then_up_to_date(self, toy_root):
        """The first release writes three files, the second none; --check then passes."""
        r1 = CliRunner().invoke(main, ["release", "--root", str(toy_root)])
        assert r1.exit_code == 0 and "3 files changed" in r1.output
        r2 = CliRunner().invoke(main, ["release", "--root", str(toy_root)])
        assert r2.exit_code == 0 and "0 files changed" in r2.output
        r3 = CliRunner().invoke(main, ["release", "--root", str(toy_root), "--check"])
        assert r3.exit_code == 0 and "up to date" in r3.output

    def test_check_reports_stale(self, toy_root):
        """After a solution changes, --check exits 1 and names the stale files."""
        release(toy_root)
        src = toy_root / "solutions/gru/gru.py"
        src.write_text(src.read_text().replace("# Hint: three lines.", "# Hint: two lines."))
        r = CliRunner().invoke(main, ["release", "--root", str(toy_root), "--check"])
        assert r.exit_code == 1 and "out of date: assignments/gru/gru.py" in r.output
        assert sorted(stale(toy_root)) == sorted(
            toy_root / p for p in ("solutions/gru/gru.ipynb", "assignments/gru/gru.py", "assignments/gru/gru.ipynb")
        )

    def test_bad_source_writes_nothing(self, toy_root):
        """A source error exits 2 with one line, and the files already generated stay as they were."""
        release(toy_root)
        before = (toy_root / "assignments/gru/gru.py").read_text()
        src = toy_root / "solutions/gru/gru.py"
        src.write_text(src.read_text().replace("    # Hint: go back in time.\n", ""))
        r = CliRunner().invoke(main, ["release", "--root", str(toy_root)])
        assert r.exit_code == 2
        assert r.output.strip().count("\n") == 0 and "put a one-line '# Hint: …'" in r.output
        assert (toy_root / "assignments/gru/gru.py").read_text() == before

    @pytest.mark.parametrize("make, message", [
        (lambda r: (r / "solutions/affine").mkdir() or (r / "solutions/affine/affine.py").write_text("x = 1\n"),
         "solutions/affine has no affine.nb.py: an exercise is solutions/affine/affine.py, "),
        (lambda r: shutil.copytree(r / "solutions/gru", r / "solutions/affine",
                                   copy_function=lambda s, d: shutil.copy(s, d.replace("/gru.", "/affine."))),
         "solutions/affine has no suite in the grader being run"),
        (lambda r: (r / "autograder/suites").mkdir(parents=True) or (r / "autograder/suites/lstm.py").write_text(""),
         "autograder/suites/lstm.py has no solutions/lstm/"),
        (lambda r: (r / "autograder/known_mistakes").mkdir(parents=True)
         or (r / "autograder/known_mistakes/lstm.py").write_text(""),
         "autograder/known_mistakes/lstm.py belongs to no exercise"),
    ])
    @pytest.mark.parametrize("check", [False, True])
    def test_incomplete_exercise_is_one_line(self, toy_root, make, message, check):
        """A folder without both sources, solutions without a suite, a suite or mistakes without solutions:
        exit 2 with one line, for release and release --check alike."""
        make(toy_root)
        r = CliRunner().invoke(main, ["release", "--root", str(toy_root), *(["--check"] if check else [])])
        assert r.exit_code == 2 and r.output.strip().count("\n") == 0 and message in r.output, r.output

    def test_missing_root(self, tmp_path):
        """A --root without solutions/ exits 2 with a one-line message."""
        r = CliRunner().invoke(main, ["release", "--root", str(tmp_path)])
        assert r.exit_code == 2 and "has no solutions/ folder" in r.output

    def test_subprocess(self, toy_root):
        """`rnngrade release` works as a real process."""
        script = Path(sys.executable).with_name("rnngrade")
        proc = subprocess.run([str(script), "release", "--root", str(toy_root)], capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert (toy_root / "assignments/gru/gru.ipynb").exists()


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class TestRepository:
    def test_every_assignment_is_an_exercise(self):
        """solutions/ holds exactly the assignments the grader knows, listed in the registry's order."""
        assert exercises(ROOT) == list(ASSIGNMENTS)

    def test_tests_cells_are_headers(self):
        """Every [tests] cell of the kit's notebooks is just its header (its body is generated)."""
        for name in ASSIGNMENTS:
            cells = parse_cells((ROOT / "solutions" / name / f"{name}.nb.py").read_text(encoding="utf-8"), name)
            tests = [c for c in cells if c.kind == "tests"]
            assert sorted(c.names[0] for c in tests) == sorted(get_suite(name).points)
            assert not any(c.source for c in tests)

    def test_generated_files_up_to_date(self):
        """Every generated file equals what `rnngrade release` makes now."""
        assert stale(ROOT) == [], "run `rnngrade release` and commit the result"

    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_no_solution_text_survives(self, name):
        """No line of any solution region appears in the generated student files."""
        src = (ROOT / "solutions" / name / f"{name}.py").read_text(encoding="utf-8")
        student_py = (ROOT / "assignments" / name / f"{name}.py").read_text(encoding="utf-8")
        nb = json.loads((ROOT / "assignments" / name / f"{name}.ipynb").read_text(encoding="utf-8"))
        student_nb = "\n".join("".join(c["source"]) for c in nb["cells"])
        for region in solution_regions(src):
            for line in region.splitlines()[1:-1]:
                code = line.strip()
                if len(code) > 12 and not code.startswith("#"):
                    assert code not in student_py, f"{name}.py leaks: {code}"
                    assert code not in student_nb, f"{name}.ipynb leaks: {code}"
        assert "HIDDEN TESTS" not in student_nb

    @pytest.mark.parametrize("name", ASSIGNMENTS)
    def test_stubs_raise_everywhere(self, name):
        """Every graded function of the stub module raises NotImplementedError."""
        mod = load_module(ROOT / "assignments" / name / f"{name}.py", f"stub_{name}")
        suite = get_suite(name)
        for fn in suite.points:
            (i, case), *_ = suite.for_function(fn)
            args, kwargs, _ = case.build(suite.seed, i)
            with pytest.raises(NotImplementedError):
                DRIVERS[case.driver](getattr(mod, fn), args, kwargs)
