"""The harness shared by the test_known_<assignment>.py files.

Each of those files writes, from the reference solution, what a student with each typical mistake of
autograder/known_mistakes/<assignment>.py hands in (its WRONG functions), and subclasses
KnownMistakesContract (and FiniteDifferenceContract when its suite has finite-difference cases), which
holds the tests every assignment's typical mistakes must pass. Not collected itself: no test_ prefix.
"""

import functools
import importlib.util
import re
from pathlib import Path

import pytest

from autograder.cases import run_in_process
from autograder.suites import FD_LABEL, get_suite
from rnnref.gradcheck import rel_error

ROOT = Path(__file__).resolve().parents[2]


@functools.lru_cache(maxsize=None)
def load_solution(name):
    """solutions/<name>/<name>.py, imported by path as the module known_sol_<name> (once per name)."""
    spec = importlib.util.spec_from_file_location(f"known_sol_{name}", ROOT / "solutions" / name / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_function(assignment, function, func, lang="en", only=None):
    """func run on the scored cases of function in assignment's suite (only those compared by `only`, if given)."""
    suite = get_suite(assignment)
    return [run_in_process(c, func, suite.seed, i, lang) for i, c in suite.for_function(function)
            if c.points > 0 and (only is None or c.compare == only)]


class KnownMistakesContract:
    """The tests of an assignment's typical mistakes; a subclass sets A, MISTAKES and WRONG."""

    #: the assignment
    A = None
    #: autograder.known_mistakes.<A>.MISTAKES: function -> its typical mistakes
    MISTAKES = {}
    #: (function, mistake name) -> what a student with that mistake hands in
    WRONG = {}
    #: how many typical mistakes each function has, at least and at most
    MISTAKES_PER_FUNCTION = (2, 5)
    #: the graded functions that have no typical mistakes (every other graded function has some)
    WITHOUT_MISTAKES = frozenset()
    #: function -> the only comparison (Case.compare) whose cases a student's version is judged on
    COMPARE = {}

    @classmethod
    def all_mistakes(cls):
        return [(f, m) for f, ms in cls.MISTAKES.items() for m in ms]

    def pytest_generate_tests(self, metafunc):
        """A test taking (function, mistake) is run once per registered mistake, with the id function.name."""
        if {"function", "mistake"} <= set(metafunc.fixturenames):
            pairs = self.all_mistakes()
            metafunc.parametrize("function,mistake", pairs, ids=[f"{f}.{m.name}" for f, m in pairs])

    def run(self, function, func, lang="en"):
        """func run on the cases of function a student's version is judged on."""
        return run_function(self.A, function, func, lang, self.COMPARE.get(function))

    def test_every_mistake_has_a_student_version(self):
        """Each registered mistake is exercised by a wrong function in this file, and no other."""
        assert {(f, m.name) for f, m in self.all_mistakes()} == set(self.WRONG)

    def test_keys_are_graded_functions(self):
        """Every key of MISTAKES is a graded function with 2–5 mistakes; so is every graded function not exempted."""
        points = get_suite(self.A).points
        low, high = self.MISTAKES_PER_FUNCTION
        for function, ms in self.MISTAKES.items():
            assert function in points and low <= len(ms) <= high, function
        assert set(self.MISTAKES) == set(points) - set(self.WITHOUT_MISTAKES)
        assert set(self.WITHOUT_MISTAKES) <= set(points)

    def test_hints_bilingual_questions(self):
        """Names are unique per function; each hint is a question in English and in Japanese; one of a variant, an
        error or a returned value's test."""
        for function, ms in self.MISTAKES.items():
            assert len({m.name for m in ms}) == len(ms), function
            for m in ms:
                assert m.hint_en.startswith("Did you ") and "?" in m.hint_en, m.name
                assert "ませんか？" in m.hint_ja and re.search(r"[ぁ-ん]", m.hint_ja), m.name
                assert [m.variant, m.error, m.returns].count(None) == 2, m.name

    def test_named_in_both_languages(self, function, mistake):
        """The student's version loses points, and a failure names the mistake, in en and ja."""
        wrong = self.WRONG[(function, mistake.name)]
        results = self.run(function, wrong, "en")
        full = sum(r.max_score for r in results) if function in self.COMPARE else get_suite(self.A).points[function]
        assert sum(r.score for r in results) < full
        named = [r for r in results if not r.passed and mistake.hint_en in r.output]
        assert named, [r.output for r in results]
        for r in named:
            assert r.output.startswith(f"{function}: ") and r.output.endswith(mistake.hint_en), r.output
        results_ja = self.run(function, wrong, "ja")
        named_ja = [r for r in results_ja if not r.passed and mistake.hint_ja in r.output]
        assert [r.name for r in named_ja] == [r.name for r in named]
        for r in named_ja:
            assert r.output.endswith(mistake.hint_ja) and mistake.hint_en not in r.output, r.output

    def test_solution_never_named(self):
        """The reference solution passes every case, so no mistake is named for it."""
        suite, sol = get_suite(self.A), load_solution(self.A)
        hints = [m.hint_en for ms in self.MISTAKES.values() for m in ms]
        for i, case in enumerate(suite.cases):
            r = run_in_process(case, getattr(sol, case.function), suite.seed, i)
            assert r.passed and not any(h in r.output for h in hints), r.output


class FiniteDifferenceContract:
    """The tests of the finite-difference case of each of FD_FUNCTIONS; a subclass sets A and FD_FUNCTIONS."""

    A = None
    #: the gradient functions, each with one finite-difference (gradcheck) case
    FD_FUNCTIONS = ()

    def pytest_generate_tests(self, metafunc):
        """A test taking function is run once per function of FD_FUNCTIONS."""
        if "function" in metafunc.fixturenames:
            metafunc.parametrize("function", list(self.FD_FUNCTIONS))

    def fd_case(self, function):
        """The suite, the index and the case of function's one finite-difference case."""
        suite = get_suite(self.A)
        (i, case), = [(i, c) for i, c in suite.for_function(function) if c.compare == "gradcheck"]
        return suite, i, case

    def test_one_hidden_case_with_equal_weight(self, function):
        """The gradient has one hidden finite-difference case, weighted like its other cases."""
        suite, _, case = self.fd_case(function)
        others = [c for _, c in suite.for_function(function) if c is not case]
        assert not case.visible and case.label.startswith(FD_LABEL)
        assert all(c.points == pytest.approx(case.points) for c in others)

    def test_expected_is_the_numerical_gradient(self, function):
        """The expected values are central differences: within 1e-6 of rnnref's analytic result, not equal."""
        suite, i, case = self.fd_case(function)
        _, _, expected = case.build(suite.seed, i)
        like = expected.like
        if case.post is not None:
            analytic = case.post(like, expected.extra)
        else:
            analytic = like if isinstance(like, dict) else {next(iter(expected)): like}
        assert set(analytic) == set(expected)
        for k, n in expected.items():
            assert 0 < rel_error(analytic[k], n) < 1e-6, k

    def test_solution_passes(self, function):
        """The reference solution passes the finite-difference case at the suite's seed and another."""
        suite, i, case = self.fd_case(function)
        sol = load_solution(self.A)
        for seed in (suite.seed, 4321):
            r = run_in_process(case, getattr(sol, function), seed, i)
            assert r.passed, r.output
