"""The worker template (runner.Template, worker.py --template): workers forked from one process that loaded numpy
once, each in namespaces, a /tmp, a /proc and a uid of its own. Real bubblewrap, real forks, no mocks."""

from __future__ import annotations

import os
import shutil
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import runner, sandbox
from autograder.runner import Call, run_calls
from autograder.worker import TEMPLATE_UID_BASE, TEMPLATE_UID_SPAN

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("bwrap") is None or not sandbox.sandbox_status("auto")[0],
    reason="the worker template needs bubblewrap and root")

#: what a fresh worker's /tmp holds: its working folder, and the way to a Python or venv that lives under /tmp
FRESH_TMP = sorted({"work"} | {d.split("/")[2] for d in sandbox.python_dirs() if d.startswith("/tmp/")})

STUDENT_A = textwrap.dedent("""
    import json, os, signal, threading, time
    import numpy

    def evil(*args, **kwargs):
        return 42.0

    numpy.dot = evil
    numpy.random.seed(1234)
    json.LEAKED = True
    os.environ["LEAKED"] = "yes"
    os.environ["PATH"] = "/nowhere"
    signal.signal(signal.SIGUSR1, lambda *a: None)
    with open("/tmp/left-by-a", "w") as f:
        f.write("a")
    with open("left-in-cwd", "w") as f:
        f.write("a")
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()

    def f():
        return [os.getuid(), threading.active_count()]
""")

STUDENT_B = textwrap.dedent("""
    import json, os, signal, sys, threading
    import numpy

    def g():
        status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
        return {
            "dot": float(numpy.dot(numpy.ones(3), numpy.ones(3))),
            "json": hasattr(json, "LEAKED"),
            "env": "LEAKED" in os.environ,
            "path": os.environ.get("PATH"),
            "signal": signal.getsignal(signal.SIGUSR1) == signal.SIG_DFL,
            "tmp": sorted(os.listdir("/tmp")),
            "cwd": sorted(os.listdir(".")),
            "threads": threading.active_count(),
            "uid": os.getuid(),
            "fds": sorted(int(x) for x in os.listdir("/proc/self/fd")),
            "cap_eff": int(status["CapEff"].strip(), 16),
            "cap_bnd": int(status["CapBnd"].strip(), 16),
            "nnp": status["NoNewPrivs"].strip(),
            "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        }
""")


def in_template_range(uid) -> bool:
    return TEMPLATE_UID_BASE <= uid < TEMPLATE_UID_BASE + TEMPLATE_UID_SPAN


class TestTemplateIsolation:
    def test_nothing_one_student_does_reaches_the_next(self):
        """Globals, monkeypatched numpy, files in /tmp and the cwd, threads, environment and signal handlers of one
        student are gone for the next student forked from the same template."""
        (a,), _ = run_calls(STUDENT_A, [Call(0, "f", "call", (), {})], template=True)
        assert a.status == "ok", a.message
        uid_a, threads_a = a.result
        assert in_template_range(uid_a) and threads_a == 2  # A ran from the template, its thread running
        (b,), _ = run_calls(STUDENT_B, [Call(0, "g", "call", (), {})], template=True)
        assert b.status == "ok", b.message
        seen = b.result
        assert seen["dot"] == 3.0 and not seen["json"] and not seen["env"]
        assert seen["path"] == sandbox.environment("/tmp")["PATH"]
        assert seen["signal"] and seen["threads"] == 1
        assert seen["tmp"] == FRESH_TMP and seen["cwd"] == []
        assert in_template_range(seen["uid"])

    def test_a_forked_worker_holds_nothing_of_the_template(self):
        """A forked worker has only its own pipes (stdin, stdout, stderr, results), no capability at all, no new
        privileges, and sees only its own pid namespace."""
        (b,), _ = run_calls(STUDENT_B, [Call(0, "g", "call", (), {})], template=True)
        seen = b.result
        assert set(seen["fds"]) - {0, 1, 2, 3} <= {max(seen["fds"])}  # the one listing /proc/self/fd
        assert seen["cap_eff"] == 0 and seen["cap_bnd"] == 0 and seen["nnp"] == "1"
        assert seen["pids"] == [1]  # itself, its namespace's pid 1

    def test_concurrent_students_cannot_signal_or_read_each_other(self):
        """While student A runs, student B (forked from the same template) kills every process it may signal and
        looks for A's files: A is not touched, B sees nothing of A, and their uids differ."""
        slow = textwrap.dedent("""
            import os, time
            def f():
                with open("/tmp/secret-of-a", "w") as fh:
                    fh.write("secret")
                time.sleep(1.5)
                return [os.getuid(), open("/tmp/secret-of-a").read()]
        """)
        killer = textwrap.dedent("""
            import ctypes, os
            def g():
                libc = ctypes.CDLL(None, use_errno=True)
                libc.kill(-1, 9)  # every process this one may signal (never itself)
                return [os.getuid(), os.path.exists("/tmp/secret-of-a"), sorted(os.listdir("/tmp"))]
        """)
        got = {}

        def grade_a():
            got["a"] = run_calls(slow, [Call(0, "f", "call", (), {})], template=True)[0][0]

        t = threading.Thread(target=grade_a)
        t.start()
        time.sleep(0.5)  # A is inside its sleep
        (b,), _ = run_calls(killer, [Call(0, "g", "call", (), {})], template=True)
        t.join(30)
        a = got["a"]
        assert a.status == "ok", a.message  # not killed
        uid_a, secret = a.result
        uid_b, saw_secret, tmp_b = b.result
        assert secret == "secret" and not saw_secret and tmp_b == FRESH_TMP
        assert uid_a != uid_b and in_template_range(uid_a) and in_template_range(uid_b)


class TestTemplateLifecycle:
    def test_same_outcomes_as_fresh_workers(self):
        """Results, an exception, a crash and a call timeout come out the same from forked and from fresh workers."""
        src = textwrap.dedent("""
            import os, time
            import numpy as np
            def ok(x):
                return np.asarray(x) * 2
            def raises():
                raise ValueError("no")
            def crash():
                os._exit(3)
            def hang():
                time.sleep(30)
        """)
        calls = [Call(0, "ok", "call", ([1.0, 2.0],), {}), Call(1, "raises", "call", (), {}),
                 Call(2, "crash", "call", (), {}), Call(3, "hang", "call", (), {}),
                 Call(4, "ok", "call", (3.0,), {}, private=True)]
        limits = runner.Limits(per_call_s=1.0)

        def summary(outs):
            return [(o.status, o.kind, o.message, None if o.result is None else np.asarray(o.result).tolist())
                    for o in outs]

        forked, info_f = run_calls(src, calls, limits=limits, template=True)
        fresh, info_n = run_calls(src, calls, limits=limits, template=False)
        assert summary(forked) == summary(fresh)
        assert summary(forked)[0] == ("ok", "ok", "", [2.0, 4.0]) and forked[2].kind == "crashed"
        assert forked[3].kind == "timeout" and summary(forked)[4] == ("ok", "ok", "", 6.0)
        assert info_f.workers == info_n.workers == 3  # the first, one after the crash, one for the private calls

    def test_a_dead_template_is_started_again(self):
        """When the template process is killed, the next submission starts a new one and is graded from it."""
        src = "import os\ndef f():\n    return os.getuid()\n"
        (first,), _ = run_calls(src, [Call(0, "f", "call", (), {})], template=True)
        tmpl = runner._template
        assert tmpl is not None and in_template_range(first.result)
        tmpl.proc.kill()
        tmpl.proc.wait()
        (second,), _ = run_calls(src, [Call(0, "f", "call", (), {})], template=True)
        assert second.status == "ok" and in_template_range(second.result)
        assert runner._template is not tmpl and runner._template.alive()

    def test_template_outlives_the_thread_that_started_it(self):
        """A template first needed by a grading thread (a pool's) that then ends keeps serving the other threads."""
        runner._close_template()
        src = "import os\ndef f():\n    return os.getuid()\n"
        t = threading.Thread(target=run_calls, args=(src, [Call(0, "f", "call", (), {})]), kwargs={"template": True})
        t.start()
        t.join(30)
        tmpl = runner._template
        time.sleep(0.3)  # the thread is gone
        assert tmpl is not None and tmpl.alive()
        (o,), _ = run_calls(src, [Call(0, "f", "call", (), {})], template=True)
        assert o.status == "ok" and in_template_range(o.result) and runner._template is tmpl


class TestTemplateProcesses:
    def test_a_forked_worker_is_pid_1_of_its_namespace_forked_by_the_template(self):
        """Each forked worker is pid 1 of a new pid namespace, the template's own child (no process between them),
        and its exit status reaches the grader from the template."""
        src = textwrap.dedent("""
            import os, time
            def f():
                return [os.getpid(), os.getppid(), sorted(int(p) for p in os.listdir("/proc") if p.isdigit())]
            def crash():
                time.sleep(1.0)  # the judge of f's outcome looks at the processes meanwhile
                os._exit(5)
        """)
        got = {}

        def children(pid):
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

        def judge(o):
            if o.index == 0:
                (template,) = children(runner._template.proc.pid)  # bubblewrap runs the template as its child
                got["workers"] = children(template)
                got["below"] = [children(p) for p in got["workers"]]
                got["names"] = [Path(f"/proc/{p}/comm").read_text().strip() for p in got["workers"]]
                return o.result
            return o

        calls = [Call(0, "f", "call", (), {}), Call(1, "crash", "call", (), {})]
        outs, info = run_calls(src, calls, template=True, judge=judge)
        assert outs[0] == [1, 0, [1]]  # pid 1, its parent outside its namespace, alone in it
        assert len(got["workers"]) == 1 and got["below"] == [[]] and got["names"] == ["rnngrade-worker"]
        assert outs[1].kind == "crashed" and "5" in outs[1].exc_text
        assert info.workers == 1

    def test_signals_as_pid_1(self):
        """As its namespace's pid 1 the worker still ends on a fault (SIGSEGV), on abort(), on RLIMIT_CPU (reported as
        SIGXCPU) and on the grader's SIGKILL at a timeout; a signal it sends itself with no handler does nothing."""
        src = textwrap.dedent("""
            import ctypes, os, signal, time
            def segv():
                ctypes.string_at(0)
            def abort():
                os.abort()
            def busy():
                while True:
                    pass
            def hang():
                time.sleep(30)
            def self_term():
                signal.raise_signal(signal.SIGTERM)
                return "alive"
        """)
        limits = runner.Limits(per_call_s=3.0, cpu_s=1)
        out = {}
        for name in ("segv", "abort", "busy", "hang", "self_term"):
            (o,), _ = run_calls(src, [Call(0, name, "call", (), {})], limits=limits, template=True)
            out[name] = o
        assert out["segv"].kind == "crashed" and out["segv"].exc_text.key == "exit_sigsegv"
        assert out["abort"].kind == "crashed"
        assert out["busy"].kind == "crashed" and out["busy"].exc_text.key == "exit_sigxcpu"
        assert out["hang"].kind == "timeout"
        assert out["self_term"].status == "ok" and out["self_term"].result == "alive"

    def test_a_worker_never_outlives_its_grader(self):
        """When the grading process is killed (SIGKILL) while a worker sleeps in a call, bubblewrap and the template
        end with it, and the worker too: its new uid clears the parent-death signal, which it sets again and the
        template (CAP_KILL) may deliver. No worker is left behind."""
        import signal
        import subprocess
        import sys

        def workers():
            """The live workers (a zombie has ended: who reaps an orphan is the machine's init's business)."""
            found = set()
            for p in Path("/proc").iterdir():
                try:
                    if p.name.isdigit() and (p / "comm").read_text().strip() == "rnngrade-worker" and \
                            "\nState:\tZ" not in (p / "status").read_text():
                        found.add(int(p.name))
                except OSError:
                    pass
            return found

        code = ("from autograder import runner\nfrom autograder.runner import Call, run_calls\n"
                "run_calls('import time\\ndef f():\\n    time.sleep(60)\\n', [Call(0, 'f', 'call', (), {})], "
                "template=True, limits=runner.Limits(per_call_s=50, total_s=55))\n")
        before = workers()
        grader = subprocess.Popen([sys.executable, "-c", code])
        try:
            deadline = time.monotonic() + 30
            while not workers() - before and time.monotonic() < deadline:
                time.sleep(0.05)
            mine = workers() - before
            assert mine  # the worker is in its call
            time.sleep(0.5)
        finally:
            grader.send_signal(signal.SIGKILL)
            grader.wait(10)
        deadline = time.monotonic() + 10
        while mine & workers() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not mine & workers()
