"""What grading a class shares between submissions: the cases built once per seed (api._built_case), read-only, and
their encoded inputs (runner._payload); and the CPU time a worker started ahead is given (the G frame)."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder import api, runner, sandbox
from autograder.runner import Call, Limits, run_calls
from autograder.suites import get_suite

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"


def arrays(value, out=None):
    out = [] if out is None else out
    if isinstance(value, np.ndarray):
        out.append(value)
    elif isinstance(value, dict):
        for v in value.values():
            arrays(v, out)
    elif isinstance(value, (tuple, list)):
        for v in value:
            arrays(v, out)
    for v in getattr(value, "__dict__", {}).values():
        arrays(v, out)
    return out


class TestCaseCache:
    def test_built_once_per_seed_and_shared(self):
        """Two gradings on one seed use the same Call objects and one encoded frame each; another seed builds anew."""
        suite = get_suite("rnn_bptt")
        case = suite.cases[0]
        first, _ = api._built_case("rnn_bptt", 0, case, 12345, Call)
        again, _ = api._built_case("rnn_bptt", 0, case, 12345, Call)
        other, _ = api._built_case("rnn_bptt", 0, case, 54321, Call)
        assert first is again and other is not first
        assert runner._payload(first) is runner._payload(again)
        assert not np.array_equal(first.args[0], other.args[0])  # another seed, other inputs

    def test_shared_cases_are_read_only(self):
        """Every array of a cached case (inputs and expected result) is read-only: a judge cannot change it for the
        next submission."""
        suite = get_suite("rnn_bptt")
        for i, case in enumerate(suite.cases):
            _, (args, kwargs, expected) = api._built_case("rnn_bptt", i, case, 777, Call)
            found = arrays((args, kwargs, expected))
            assert found and not any(a.flags.writeable for a in found), case.name
        with pytest.raises(ValueError):
            found[0][...] = 0.0

    def test_grades_equal_with_the_cache(self):
        """A buggy submission graded after a correct one, with the cache warm, gets the grade it gets alone (its
        cases then built in a thread while the workers start)."""
        buggy = SOLUTION.read_text(encoding="utf-8").replace("W.T @", "W @")
        from autograder.submission import Submission

        sub = Submission(buggy, "buggy", "py", "rnn_bptt")
        api._BUILT.clear()
        alone = api.grade(sub, "rnn_bptt", lang="en").to_json()
        api.grade(SOLUTION, "rnn_bptt", lang="en")
        after = api.grade(sub, "rnn_bptt", lang="en").to_json()
        for r in (alone, after):
            r.pop("execution_time")
        assert alone == after and alone["score"] < alone["max_score"]


class TestSharedBuild:
    def test_submissions_graded_at_once_wait_for_one_build(self):
        """Threads asking at once for a case not built yet get the same objects from a single build."""
        import threading
        import time
        from dataclasses import replace

        suite = get_suite("rnn_bptt")
        made = []

        def slow(rng, make=suite.cases[0].make):
            made.append(threading.get_ident())
            time.sleep(0.2)  # the other threads ask meanwhile
            return make(rng)

        case = replace(suite.cases[0], make=slow)
        got = []
        threads = [threading.Thread(target=lambda: got.append(api._built_case("rnn_bptt", 0, case, 98765, Call)))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(made) == 1 and len(got) == 4
        assert all(g[0] is got[0][0] and g[1][2] is got[0][1][2] for g in got)

    def test_a_failed_build_raises_for_every_waiter_and_is_tried_again(self):
        """A build that raises raises in each thread that waited for it; the next request builds again."""
        import threading
        import time
        from dataclasses import replace

        suite = get_suite("rnn_bptt")
        tries = []

        def broken(rng):
            tries.append(1)
            time.sleep(0.2)
            raise ZeroDivisionError("a bug of the grader")

        case = replace(suite.cases[1], make=broken)
        errors = []

        def ask():
            try:
                api._built_case("rnn_bptt", 1, case, 98766, Call)
            except ZeroDivisionError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(errors) == 3 and len(tries) == 1
        with pytest.raises(ZeroDivisionError):
            api._built_case("rnn_bptt", 1, case, 98766, Call)
        assert len(tries) == 2


class TestLazyPayloads:
    def test_inputs_still_being_built_are_encoded_when_sent(self):
        """A run's plain calls are encoded (and checked) at once; a call whose inputs are being built is encoded when
        its payload is first asked for, and only once."""
        from autograder.runner import _Payloads

        asked = []

        def later():
            asked.append(1)
            return Call(1, "f", "call", (np.ones(3),), {})

        with pytest.raises(TypeError):
            _Payloads([Call(0, "f", "call", (object(),), {})])  # not plain data: refused before any worker starts
        payloads = _Payloads([Call(0, "f", "call", (1.0,), {}), Call(1, "f", "call", (), {}, resolve=later)])
        assert asked == [] and isinstance(payloads[0], bytes)
        first = payloads[1]
        assert asked == [1] and payloads[1] is first


class TestLazyBuild:
    def test_a_case_that_cannot_be_built_raises_where_it_is_used(self):
        """Cases not yet built are built in a thread while the workers start; a case whose building raises raises
        again when its call is sent and when it is judged (the grader's failure, never a silent zero)."""
        from dataclasses import replace

        from autograder import seeds

        suite = get_suite("rnn_bptt")
        good = suite.cases[0]

        def broken(rng):
            raise ZeroDivisionError("a bug of the grader")

        bad = replace(suite.cases[1], make=broken)
        inputs = seeds.inputs_for("rnn_bptt", 424242, None, None)
        built, calls, builder = api._build_cases("rnn_bptt", [(0, good), (1, bad)], inputs, Call)
        try:
            assert builder is not None and [c.index for c in calls] == [0, 1]
            assert isinstance(runner._payload(calls[0]), bytes) and built(0)[0].function == good.function
            with pytest.raises(ZeroDivisionError):
                runner._payload(calls[1])
            with pytest.raises(ZeroDivisionError):
                built(1)
        finally:
            builder.shutdown(wait=True)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("bwrap") is None or not sandbox.sandbox_status("auto")[0],
                    reason="the worker's CPU time is reported by the worker template (bubblewrap, root)")
class TestAheadWorker:
    def test_worker_started_ahead_gets_the_cpu_left(self):
        """The private calls' worker, started with full CPU time, is cut to what the public calls left of it."""
        src = textwrap.dedent("""
            import resource, time
            def burn():
                end = time.process_time() + 2.0
                while time.process_time() < end:
                    pass
            def limit():
                ru = resource.getrusage(resource.RUSAGE_SELF)
                return [resource.getrlimit(resource.RLIMIT_CPU)[0], ru.ru_utime + ru.ru_stime]
        """)
        outs, _ = run_calls(src, [Call(0, "burn", "call", (), {}), Call(1, "limit", "call", (), {}, private=True)],
                            limits=Limits(per_call_s=20, total_s=60, cpu_s=5), template=True)
        assert outs[0].status == "ok"
        soft, used = outs[1].result
        assert soft <= int(used + 3.0 + 0.999) < 5  # 5 s less the 2 s burnt, not the 5 s it started with
