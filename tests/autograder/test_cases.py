"""autograder.cases and feedback: running a case in-process, judging, the message template."""

import re

import numpy as np

from autograder.cases import Case, run_in_process
from autograder.feedback import GENERIC_HINTS

# <function>: <quantity> <problem>, expected <X> (got <Y>). <hint>
TEMPLATE = re.compile(r"^[A-Za-z_]+: \S+ .+, expected .+ \(got .+\)\. \S.*$")
# value mismatches, as the guide's example: <function>: <quantity> disagrees with the reference (…). <hint>
VALUE_TEMPLATE = re.compile(r"^[A-Za-z_]+: \S+ disagrees with the reference \(max rel\. error [0-9.e+-]+ at .+\)\. \S.*$")


def make_case(**kw):
    def make(rng):
        D = rng.standard_normal((3, 4))
        X = rng.standard_normal((4, 5))
        return (D, X), {}, D @ X

    defaults = dict(function="grad_W_in", label="T=4", make=make, points=2.0, visible=True,
                    arg_names=("D", "X"), outputs="dW_in")
    defaults.update(kw)
    return Case(**defaults)


class TestRunInProcess:
    def test_correct_function_passes(self):
        """A correct function earns the case's points."""
        r = run_in_process(make_case(), lambda D, X: D @ X, seed=1, index=0)
        assert r.passed and r.score == 2.0 and r.output == ""

    def test_wrong_values_fail_with_template_message(self):
        """A wrong result fails with a one-line message in the house template."""
        r = run_in_process(make_case(), lambda D, X: D @ X * 1.1, seed=1, index=0)
        assert r.status == "failed" and r.score == 0.0
        assert VALUE_TEMPLATE.match(r.output), r.output
        assert r.output.startswith("grad_W_in: dW_in disagrees with the reference")

    def test_not_implemented(self):
        """An untouched stub is an error with a 'not implemented yet' message, not a crash."""

        def stub(D, X):
            raise NotImplementedError()

        r = run_in_process(make_case(), stub, seed=1, index=0)
        assert r.status == "error" and "not implemented yet" in r.output
        assert TEMPLATE.match(r.output), r.output

    def test_exception_is_reported(self):
        """Any exception becomes an error result naming its type and message."""
        r = run_in_process(make_case(), lambda D, X: D @ D, seed=1, index=0)
        assert r.status == "error" and "ValueError" in r.output and "matmul" in r.output

    def test_missing_function(self):
        """A missing function (None) is reported by name."""
        r = run_in_process(make_case(), None, seed=1, index=0)
        assert r.status == "error" and "function not found" in r.output

    def test_mutation_is_reported(self):
        """A correct result computed by writing into an input still fails, naming the input."""

        def mutating(D, X):
            out = D @ X
            X *= 0
            return out

        r = run_in_process(make_case(), mutating, seed=1, index=0)
        assert r.status == "failed" and r.output.startswith("grad_W_in: X was modified in place")

    def test_warnings_do_not_escape(self, recwarn):
        """A function that triggers numpy warnings neither raises nor leaks them (filterwarnings=error)."""
        r = run_in_process(make_case(), lambda D, X: (D @ X) + np.log(np.zeros(1)) * 0 + np.zeros(1) / np.zeros(1) * 0,
                           seed=1, index=0)
        assert r.status == "failed" and "not finite" in r.output
        assert len(recwarn) == 0

    def test_labelled_column(self):
        """A labelled output reports its worst column as the lecture's δ_t."""
        case = make_case(labels={"dW_in": (1, "δ_{}")})

        def off(D, X):
            out = D @ X
            out[1, 3] += 1.0
            return out

        r = run_in_process(case, off, seed=1, index=0)
        assert r.output.startswith("grad_W_in: δ_4 disagrees with the reference") and "at entry 1" in r.output

    def test_hint_by_kind(self):
        """The case's own hint for the kind of problem wins over the generic one."""
        case = make_case(hints={"shape": "D X is (H, d+1)."})
        r = run_in_process(case, lambda D, X: (D @ X).T, seed=1, index=0)
        assert r.output.endswith("D X is (H, d+1).")
        r2 = run_in_process(make_case(), lambda D, X: (D @ X).T, seed=1, index=0)
        assert r2.output.endswith(GENERIC_HINTS["shape"])
        assert TEMPLATE.match(r2.output), r2.output

    def test_seed_changes_inputs(self):
        """Different seeds give different inputs; the same seed the same ones."""
        c = make_case()
        a1, _, _ = c.build(1, 0)
        a2, _, _ = c.build(1, 0)
        a3, _, _ = c.build(2, 0)
        assert np.array_equal(a1[0], a2[0]) and not np.array_equal(a1[0], a3[0])
