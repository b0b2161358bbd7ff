"""autograder.runner: the isolated worker, its limits, and the plain data it brings back.

Every test starts real worker processes (bubblewrap where it is available); nothing is mocked.
"""

import json
import os
import resource
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
import weakref
from pathlib import Path

import numpy as np
import pytest

from autograder import wire
from autograder.checks import Opaque
from autograder.runner import Call, Limits, SandboxUnavailable, run_calls
from autograder.worker import TEMPLATE_UID_BASE, TEMPLATE_UID_SPAN

ROOT = Path(__file__).resolve().parents[2]
ATTACKS = Path(__file__).resolve().parent / "attacks"
FAST = Limits(per_call_s=1.0, total_s=30.0)


@pytest.fixture(params=["sandbox", "sandbox-fresh", "off"])
def mode(request, monkeypatch):
    """Every way of running the worker: in bubblewrap (when available; as root, forked from the worker template),
    in bubblewrap as a fresh process each (RNNGRADE_TEMPLATE=0), and without it."""
    if request.param.startswith("sandbox"):
        request.getfixturevalue("bwrap")
        if request.param == "sandbox-fresh":
            monkeypatch.setenv("RNNGRADE_TEMPLATE", "0")
        elif os.geteuid() != 0:
            pytest.skip("the worker template needs root: without it, the same as sandbox-fresh")
        return "require"
    return "off"


def run(source, *calls, limits=FAST, sandbox="auto", **kw):
    """run_calls on a dedented source; calls as (function, args) or (function, args, kwargs)."""
    cs = [Call(i, c[0], "call", tuple(c[1]) if len(c) > 1 else (), c[2] if len(c) > 2 else {})
          for i, c in enumerate(calls)]
    return run_calls(textwrap.dedent(source).lstrip("\n"), cs, limits=limits, sandbox=sandbox, **kw)


def attack(name, **fill):
    """The whole-module attack file `name`, its placeholders __KEY__ filled."""
    text = (ATTACKS / f"{name}.py").read_text(encoding="utf-8")
    for key, value in fill.items():
        text = text.replace(f"__{key}__", str(value))
    return text


def processes_named(name):
    """PIDs of the host's processes whose comm is name."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                    found.append(int(pid))
            except OSError:
                pass
    return found


FORK = """
import ctypes, os, time

def _fork():
    try:
        return os.fork()
    except PermissionError:  # refused by the worker's audit hook: libc's fork is not
        return ctypes.CDLL(None, use_errno=True).fork()
"""


class TestResults:
    def test_plain_data_comes_back(self):
        """Arrays, tuples, lists, dicts, floats, ints, strings and None come back as plain data."""
        (o,), info = run("""
            import numpy as np
            def f(x):
                return (x * 2, [1.5, 2], {"k": np.float64(0.25), "n": None}, "text", True)
        """, ("f", [np.arange(3.0)]))
        assert o.status == "ok" and o.kind == "ok"
        arr, lst, dct, text, flag = o.result
        assert type(arr) is np.ndarray and arr.dtype == np.float64 and arr.tolist() == [0.0, 2.0, 4.0]
        assert lst == [1.5, 2] and type(lst[1]) is int
        assert dct == {"k": 0.25, "n": None} and type(dct["k"]) is float
        assert text == "text" and flag is True

    def test_dtypes_are_kept(self):
        """A float32 or int array comes back with its dtype, for the judge to report."""
        (o,), _ = run("""
            import numpy as np
            def f():
                return np.ones(2, dtype=np.float32), np.arange(3)
        """, ("f",))
        assert o.result[0].dtype == np.float32 and o.result[1].dtype.kind == "i"

    def test_ndarray_subclass_is_opaque(self):
        """An ndarray subclass is described, never rebuilt: its methods do not run here."""
        (o,), _ = run("""
            import numpy as np
            class Sneaky(np.ndarray):
                def __eq__(self, other):
                    return True
            def f():
                return np.zeros(3).view(Sneaky)
        """, ("f",))
        assert o.result == Opaque("subclass", (("type", "Sneaky"),))

    def test_objects_are_opaque(self):
        """Objects, generators and object arrays come back as named placeholders."""
        (o,), _ = run("""
            import numpy as np
            class Thing:
                def __eq__(self, other):
                    return True
            def f():
                return Thing(), (i for i in range(3)), np.array([None, 1]), {1: 2}
        """, ("f",))
        assert o.result == (Opaque("instance", (("type", "Thing"),)), Opaque("instance", (("type", "generator"),)),
                            Opaque("dtype", (("dtype", "object"),)), Opaque("bad_keys"))

    def test_too_large_array_is_opaque(self):
        """An array over 50 MB is not sent back."""
        (o,), _ = run("""
            import numpy as np
            def f():
                return np.zeros(7 * 10**6)
        """, ("f",))
        assert o.result == Opaque("too_large")

    def test_arguments_after_the_call_show_mutation(self):
        """args_after holds the arguments as the call left them; the parent's inputs are untouched."""
        x = np.arange(3.0)
        (o,), _ = run("""
            def f(x):
                x[0] = 99.0
                return x.sum()
        """, ("f", [x]))
        assert o.args_after[0].tolist() == [99.0, 1.0, 2.0]
        assert x.tolist() == [0.0, 1.0, 2.0]

    def test_exceptions_are_outcomes(self):
        """NotImplementedError, other exceptions, SystemExit and a missing function are outcomes of their call."""
        outs, _ = run("""
            import sys
            def stub():
                raise NotImplementedError()
            def bad():
                raise ValueError("shapes do not match")
            def leave():
                sys.exit(3)
            not_callable = 3
        """, ("stub",), ("bad",), ("leave",), ("absent",), ("not_callable",))
        assert [o.kind for o in outs] == ["not_implemented", "raised", "raised", "missing", "missing"]
        assert (outs[1].exc_type, outs[1].exc_text, outs[1].line) == ("ValueError", "shapes do not match", 5)
        assert (outs[2].exc_type, outs[2].exc_text) == ("SystemExit", "3")
        assert all(o.status == "error" for o in outs)

    def test_seconds_are_measured_by_the_parent(self):
        """Each outcome carries the call's wall time."""
        (o,), _ = run("""
            import time
            def f():
                time.sleep(0.3)
                return 1.0
        """, ("f",))
        assert 0.3 <= o.seconds < 1.0


class TestFailures:
    def test_timeout_then_fresh_worker(self):
        """A call over per_call_s times out; a fresh worker runs the next call."""
        outs, info = run("""
            def loop():
                while True:
                    pass
            def ok():
                return 2.0
        """, ("loop",), ("ok",))
        assert [o.status for o in outs] == ["timeout", "ok"] and outs[1].result == 2.0
        assert outs[0].message == "timed out after 1 s (the time per call)" and 1.0 <= outs[0].seconds < 2.0
        assert info.workers == 2

    def test_crashes_are_named(self):
        """A segfault and os._exit end their call as 'crashed', saying how; the rest still runs."""
        outs, info = run("""
            import ctypes, os
            def segv():
                ctypes.string_at(0)
            def leave():
                os._exit(3)
            def ok():
                return 1.0
        """, ("segv",), ("leave",), ("ok",))
        assert [o.status for o in outs] == ["crashed", "crashed", "ok"]
        assert outs[0].exc_text == "a segmentation fault (SIGSEGV)"
        assert outs[1].exc_text == "the process exited with code 3"
        # facts, never prose: the catalog's entry and the exit code, worded in the graded language by feedback.ending
        assert (outs[0].exc_text.key, outs[1].exc_text.key, outs[1].exc_text.facts) == \
            ("exit_sigsegv", "exit_code", {"code": 3})
        assert info.workers == 3

    def test_function_skipped_after_two_failures(self):
        """A function that crashes twice is not run again; the other functions still are."""
        outs, _ = run("""
            import os
            def f():
                os._exit(1)
            def g():
                return 1.0
        """, ("f",), ("f",), ("f",), ("g",))
        assert [o.status for o in outs] == ["crashed", "crashed", "error", "ok"]
        assert outs[2].message == "skipped: f crashed or timed out 2 times"

    def test_everything_skipped_after_max_failures(self):
        """After max_failures crashes in all, the remaining calls are skipped with the reason."""
        outs, info = run("""
            import os
            def a():
                os._exit(1)
            b = c = a
        """, ("a",), ("b",), ("c",), limits=Limits(per_call_s=1, max_failures=2))
        assert [o.status for o in outs] == ["crashed", "crashed", "error"]
        assert outs[2].message == "skipped: the submission crashed or timed out 2 times"
        assert info.workers == 2

    def test_total_time_bounds_the_run(self):
        """total_s bounds everything: slow calls past it are cut off or skipped."""
        t0 = time.monotonic()
        outs, _ = run("""
            import time
            def slow():
                time.sleep(0.8)
                return 1.0
        """, *[("slow",)] * 6, limits=Limits(per_call_s=5, total_s=3))
        assert time.monotonic() - t0 < 5.0
        assert outs[0].status == "ok"
        assert outs[-1].status == "timeout" and "total time of 3 s" in outs[-1].message

    def test_cpu_limit(self):
        """RLIMIT_CPU ends a busy call even when the wall-clock limit is larger."""
        (o,), _ = run("""
            def busy():
                while True:
                    pass
        """, ("busy",), limits=Limits(per_call_s=10, cpu_s=1))
        assert o.status == "crashed" and "CPU time limit" in o.exc_text and o.exc_text.key == "exit_sigxcpu"

    def test_memory_limit(self):
        """RLIMIT_AS turns a huge allocation into a MemoryError of that call."""
        (o,), _ = run("""
            import numpy as np
            def f():
                return np.ones(10**10)
        """, ("f",))
        assert o.kind == "raised" and o.exc_type == "MemoryError"

    def test_file_size_limit(self):
        """RLIMIT_FSIZE stops a large file with an error (not a kill)."""
        (o,), _ = run("""
            def f():
                with open("big.bin", "wb") as fh:
                    fh.write(b"x" * 3 * 2**20)
        """, ("f",), limits=Limits(per_call_s=2, file_mb=1))
        assert o.kind == "raised" and o.exc_type == "OSError" and "File too large" in o.exc_text

    def test_output_is_capped(self):
        """200 MB of prints and 20 MB written to fd 1 cost nothing: the first output_kb are kept."""
        (o,), info = run("""
            import os
            def f():
                print("x" * 200_000_000)
                os.write(1, b"y" * 20_000_000)
                return 1.0
        """, ("f",), limits=Limits(per_call_s=10))
        assert o.status == "ok" and o.result == 1.0
        assert 0 < len(info.output.encode()) <= 64 * 1024 and info.output.startswith("x")


class TestImport:
    def test_syntax_error(self):
        """A syntax error fails every call, with the line."""
        outs, info = run("import numpy\ndef f(:\n    pass\n", ("f",), ("g",))
        assert all(o.kind == "import_error" and o.exc_type == "SyntaxError" and o.line == 2 for o in outs)
        assert info.import_failure.message.startswith("the module could not be imported: SyntaxError at line 2")

    def test_exception_at_import(self):
        """An exception at import fails every call, naming it."""
        outs, _ = run("x = 1\nraise RuntimeError('boom')\n", ("f",))
        assert (outs[0].kind, outs[0].exc_type, outs[0].exc_text, outs[0].line) == \
            ("import_error", "RuntimeError", "boom", 2)

    def test_exit_at_import(self):
        """sys.exit() at import is reported as such."""
        outs, info = run("import sys\nsys.exit(4)\n", ("f",))
        assert outs[0].kind == "import_exit" and outs[0].status == "error"
        assert "called sys.exit() at import at line 2 (exit code 4)" in info.import_failure.message

    def test_endless_import(self):
        """An endless loop at import times out once, for every call."""
        outs, info = run("while True:\n    pass\n", ("f",), ("g",))
        assert [o.kind for o in outs] == ["import_timeout"] * 2 and outs[0].status == "timeout"
        assert info.workers == 1

    def test_crash_at_import(self):
        """os._exit at import is a crash of the import."""
        outs, _ = run("import os\nos._exit(5)\n", ("f",))
        assert outs[0].kind == "import_crash" and outs[0].exc_text == "the process exited with code 5"
        assert (outs[0].exc_text.key, outs[0].exc_text.facts) == ("exit_code", {"code": 5})

    def test_main_block_does_not_run(self):
        """The module is not __main__: experiments under `if __name__ == "__main__"` do not run."""
        outs, _ = run("""
            def f():
                return __name__
            if __name__ == "__main__":
                raise SystemExit(1)
        """, ("f",))
        assert outs[0].result == "submission"


class TestGuard:
    @pytest.mark.parametrize("stmt", ["import rnnref", "import autograder.checks", "import solutions"])
    def test_grader_packages_refused(self, mode, stmt):
        """rnnref, autograder and solutions cannot be imported, even with the checkout on sys.path."""
        (o,), _ = run(f"""
            import sys
            sys.path.insert(0, {str(ROOT)!r})
            def f():
                {stmt}
        """, ("f",), sandbox=mode)
        assert o.exc_type in ("ImportError", "ModuleNotFoundError")
        assert o.exc_text == f"{stmt.split()[1].split('.')[0]} is not available to submissions"

    def test_child_processes_refused(self, mode):
        """subprocess and os.system are refused."""
        (o,), _ = run("""
            import subprocess
            def f():
                subprocess.run(["true"])
        """, ("f",), sandbox=mode)
        assert o.exc_type == "PermissionError" and "child processes are not allowed" in o.exc_text

    def test_checkout_files_unreadable(self, mode):
        """The reference solution's file cannot be read (hidden by the sandbox, refused without it)."""
        path = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"
        assert path.is_file()
        (o,), _ = run(f"""
            def f():
                return open({str(path)!r}).read()
        """, ("f",), sandbox=mode)
        assert o.status == "error" and o.exc_type in ("FileNotFoundError", "PermissionError")


class TestSandbox:
    def test_sandboxed_and_no_note(self, bwrap):
        """With bubblewrap the run says it was sandboxed and has nothing to warn about."""
        (o,), info = run("def f():\n    return 1.0\n", ("f",), sandbox="require")
        assert info.sandboxed and info.notes == [] and o.result == 1.0

    def test_checkout_invisible(self, bwrap):
        """The checkout (rnnref, autograder, solutions/) does not exist inside the sandbox."""
        (o,), _ = run(f"""
            import os
            def f():
                return [os.path.exists(os.path.join({str(ROOT)!r}, p)) for p in ("rnnref", "autograder", "solutions")]
        """, ("f",), sandbox="require")
        assert o.result == [False, False, False]

    def test_unprivileged_scrubbed_private(self, bwrap, monkeypatch):
        """The worker is not root, sees a scrubbed environment and a private /tmp."""
        monkeypatch.setenv("RNNGRADE_SECRET", "s3cret")
        name = f"rnngrade-test-{uuid.uuid4().hex}"
        (o,), _ = run(f"""
            import os
            def f():
                open("/tmp/{name}", "w").write("x")
                return os.getuid(), sorted(os.environ), os.getcwd()
        """, ("f",), sandbox="require")
        uid, env, cwd = o.result
        # as root: uid 65534, or a uid of its own when forked from the worker template
        assert uid != 0 and (os.geteuid() != 0 or uid == 65534
                             or TEMPLATE_UID_BASE <= uid < TEMPLATE_UID_BASE + TEMPLATE_UID_SPAN)
        assert "RNNGRADE_SECRET" not in env and set(env) <= {
            "PATH", "HOME", "TMPDIR", "LANG", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
            "MPLBACKEND", "PYTHONDONTWRITEBYTECODE", "PWD"}
        assert cwd == "/tmp/work" and not Path("/tmp", name).exists()

    def test_no_network(self, bwrap):
        """A connection to the host's 127.0.0.1 fails, through the socket module and through libc."""
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        server.setblocking(False)
        port = server.getsockname()[1]
        try:
            (o,), _ = run(f"""
                import ctypes, socket, struct
                def f():
                    try:
                        socket.create_connection(("127.0.0.1", {port}), timeout=1)
                        first = "connected"
                    except OSError as exc:
                        first = type(exc).__name__
                    libc = ctypes.CDLL(None, use_errno=True)
                    fd = libc.socket(2, 1, 0)
                    addr = struct.pack("=H", 2) + struct.pack("!H", {port}) + socket.inet_aton("127.0.0.1") + bytes(8)
                    return first, libc.connect(fd, addr, len(addr))
            """, ("f",), sandbox="require")
            assert o.result[0] == "PermissionError" and o.result[1] == -1
            with pytest.raises(BlockingIOError):
                server.accept()
        finally:
            server.close()

    def test_fork_bomb_is_bounded(self, bwrap):
        """Forking in a loop stops at the process limit, and the children die with the worker."""
        (o,), _ = run(FORK + """
def f():
    n = 0
    for _ in range(300):
        pid = _fork()
        if pid == 0:
            ctypes.CDLL(None).prctl(15, b"rgfork", 0, 0, 0)
            time.sleep(5)
            os._exit(0)
        if pid < 0:
            break
        n += 1
    return n
""", ("f",), limits=Limits(per_call_s=5, nproc=16), sandbox="require")
        assert o.status == "ok" and 0 < o.result < 16
        assert processes_named("rgfork") == []


class TestNoSurvivors:
    def test_setsid_daemon_is_killed(self, mode, tmp_path):
        """A double-forked setsid'd daemon dies with the worker: it never writes its file."""
        marker, target = f"rgd{uuid.uuid4().hex[:8]}", tmp_path / "daemon.txt"
        (o,), _ = run(FORK + f"""
def f():
    r, w = os.pipe()
    if _fork() == 0:
        os.setsid()
        if _fork() == 0:
            ctypes.CDLL(None).prctl(15, b"{marker}", 0, 0, 0)
            os.write(w, b"1")
            time.sleep(1.5)
            try:
                with open({str(target)!r}, "w") as fh:
                    fh.write("survived")
            finally:
                os._exit(0)
        os._exit(0)
    os.close(w)
    return os.read(r, 1).decode()
""", ("f",), sandbox=mode)
        assert o.result == "1", "the daemon did not start"
        assert processes_named(marker) == []
        time.sleep(3)
        assert not target.exists() and processes_named(marker) == []

    def test_atexit_hook_never_runs(self, mode, tmp_path):
        """atexit hooks and finalizers of the submission do not run when the worker ends."""
        target = tmp_path / "atexit.txt"
        (o,), _ = run(f"""
            import atexit
            def _write():
                open({str(target)!r}, "w").write("ran")
            atexit.register(_write)
            class Fin:
                def __del__(self):
                    _write()
            keep = Fin()
            def f():
                return 1.0
        """, ("f",), sandbox=mode)
        assert o.result == 1.0 and not target.exists()


class TestFallback:
    def test_off_says_so_and_keeps_limits(self):
        """sandbox='off' notes that isolation is off, and the time and memory limits still apply."""
        outs, info = run("""
            import numpy as np
            def loop():
                while True:
                    pass
            def big():
                return np.ones(10**10)
        """, ("loop",), ("big",), sandbox="off")
        assert not info.sandboxed and any(n.startswith("file-system isolation is off") for n in info.notes)
        assert outs[0].status == "timeout" and outs[1].exc_type == "MemoryError"

    def test_missing_bwrap_falls_back_once(self, monkeypatch, tmp_path):
        """Without bwrap on PATH, 'auto' runs unsandboxed with one note; 'require' refuses."""
        monkeypatch.setenv("PATH", str(tmp_path))
        (o,), info = run("def f():\n    return 1.0\n", ("f",))
        notes = [n for n in info.notes if "isolation is off" in n]
        assert o.result == 1.0 and len(notes) == 1 and "not installed" in notes[0]
        with pytest.raises(SandboxUnavailable, match="bubblewrap"):
            run("def f():\n    return 1.0\n", ("f",), sandbox="require")

    def test_unknown_sandbox_mode(self):
        """Only 'auto', 'require' and 'off' are accepted."""
        with pytest.raises(ValueError, match="sandbox must be"):
            run("x = 1\n", ("f",), sandbox="maybe")


class TestConcurrency:
    def test_parallel_runs_are_independent(self):
        """Two submissions run at once (as the batch does): a crashing one does not disturb the other."""
        results = {}

        def go(key, source):
            results[key] = run(source, ("f",), ("f",))

        threads = [threading.Thread(target=go, args=("bad", "import os\ndef f():\n    os._exit(9)\n")),
                   threading.Thread(target=go, args=("good", "def f():\n    return 7.0\n"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert [o.status for o in results["bad"][0]] == ["crashed", "crashed"]
        assert [o.result for o in results["good"][0]] == [7.0, 7.0]


class TestMountOrder:
    def test_python_under_tmp_is_bound_over_the_private_tmp(self, monkeypatch):
        """A venv under /tmp (a checkout cloned there) is bound after the private /tmp, not hidden by it."""
        from autograder import sandbox

        venv = "/tmp/some-clone/.venv"
        monkeypatch.setattr(sandbox, "python_dirs", lambda: [venv])
        args = sandbox.bwrap_args("bwrap", True, None, sandbox.Limits(), None)
        tmpfs = next(i for i in range(len(args) - 1) if args[i] == "--tmpfs" and args[i + 1] == "/tmp")
        bind = next(i for i in range(len(args) - 2) if args[i] == "--ro-bind" and args[i + 1] == venv)
        assert tmpfs < bind
        assert sum(1 for i in range(len(args) - 1) if args[i] == "--tmpfs" and args[i + 1] == "/tmp") == 1


class TestJudge:
    def test_results_are_what_the_judge_returns(self):
        """With judge=, each call's result is what the judge made of its outcome, failures included, in order."""
        outs, _ = run("""
            import os
            def f(x):
                return x + 1
            def boom():
                os._exit(3)
        """, ("f", [1.0]), ("boom",), ("f", [2.0]), judge=lambda o: (o.index, o.kind, o.result))
        assert outs == [(0, "ok", 2.0), (1, "crashed", None), (2, "ok", 3.0)]

    def test_each_outcome_is_judged_then_dropped(self):
        """Each outcome is judged as it arrives and not kept: when one is judged, the earlier ones' arrays are gone."""
        refs = []

        def judge(o):
            alive = [r() is not None for r in refs]
            refs.append(weakref.ref(o.result))
            return alive

        outs, _ = run("""
            import numpy as np
            def f(n):
                return np.ones(n)
        """, *[("f", [10**5])] * 4, judge=judge)
        assert outs == [[], [False], [False, False], [False, False, False]]

    def test_judging_is_not_charged_to_the_next_call(self):
        """The next call runs while an outcome is judged; its time per call does not count the judging."""
        def judge(o):
            if o.index == 0:
                time.sleep(1.5)
            return o

        outs, _ = run("""
            import time
            def f():
                time.sleep(0.3)
                return 1.0
        """, ("f",), ("f",), ("f",), limits=Limits(per_call_s=1.0, total_s=30), judge=judge)
        assert [o.status for o in outs] == ["ok"] * 3
        assert all(o.seconds < 1.0 for o in outs)

    def test_judging_counts_against_the_total_time(self):
        """Judging is part of the submission's total time: past total_s the calls left are stopped or skipped."""
        def judge(o):
            if o.status == "ok":
                time.sleep(1.2)
            return o

        t0 = time.monotonic()
        outs, _ = run("def f():\n    return 1.0\n", *[("f",)] * 5, limits=Limits(per_call_s=1.0, total_s=3.0),
                      judge=judge)
        assert outs[0].status == "ok" and outs[-1].status == "timeout"
        assert "total time of 3 s" in outs[-1].message or "the submission's total time" in outs[-1].message
        assert time.monotonic() - t0 < 6.0

    def test_a_failing_judge_costs_only_its_case(self):
        """A judge that raises makes that case an error saying so (judged once more); the other cases are judged."""
        def judge(o):
            if o.index == 1 and o.kind == "ok":
                raise TypeError("a bug of the judge")
            if o.index == 2:
                raise KeyError("fails for every outcome")
            return (o.kind, o.message)

        outs, _ = run("def f():\n    return 1.0\n", ("f",), ("f",), ("f",), ("f",), judge=judge)
        assert outs[0] == outs[3] == ("ok", "")
        assert outs[1] == ("judge_error", "internal error while judging this case (TypeError); please report it")
        assert outs[2].kind == "judge_error" and outs[2].exc_type == "KeyError" and outs[2].status == "error"


class TestForgedFrames:
    def test_forged_frames_are_ignored(self, mode):
        """Frames the submission writes into the result pipe (through its descriptor and /proc/self/fd), one
        claiming the expected value of a later call, change no outcome; bytes that are no frame fail only the
        call that wrote them."""
        def judge(o):
            return "full marks" if o.result == 1.0 else (o.kind, o.result)

        outs, info = run(attack("forged_frames", LATER=2), ("forge_later",), ("garbage",), ("stub",), sandbox=mode,
                         judge=judge)
        assert outs[0] == ("ok", "mine")
        assert outs[1] == ("crashed", None)
        assert outs[2] == ("not_implemented", None)

    def test_hostile_frames_become_placeholders(self, mode):
        """A submission sending, as its own outcomes, frames built to hurt (a 5000-digit integer, complex,
        pickled and structured arrays, deep nesting, a size that lies, an 8 MB array named 150 000 times)
        gets placeholders or a failed call; the grader does not raise and stays small."""
        kinds = ["huge_int", "complex", "pickled", "structured", "nested", "lying_size"]
        calls = [("hostile", [k]) for k in kinds] + [("honest",), ("hostile", ["references"]), ("honest",)]
        outs, _ = run(attack("hostile_frames"), *calls, sandbox=mode, limits=Limits(per_call_s=5, total_s=60))
        results = [o.result for o in outs]
        assert results[:4] == [Opaque("bigint"), Opaque("dtype", (("dtype", "complex128"),)),
                               Opaque("dtype", (("dtype", "object"),)), Opaque("structured")]
        nested = results[4]
        for _ in range(wire.MAX_DEPTH + 1):
            (nested,) = nested
        assert nested == Opaque("nested")
        assert (outs[5].status, outs[5].exc_text) == ("crashed", "malformed data from the worker")
        assert results[6] == 2.0
        too_much = Opaque("too_much_all", (("mb", 64),))
        assert results[7] == results[8] == too_much  # the budget is the whole submission's
        assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2**20  # KB: under 1 GB

    def test_budget_covers_the_whole_submission(self):
        """Two honest calls returning 40 MB each: the first comes back, the second is past the submission's 64 MB."""
        outs, _ = run("""
            import numpy as np
            def f():
                return np.ones(5 * 10**6)
        """, ("f",), ("f",), limits=Limits(per_call_s=5, total_s=60))
        assert outs[0].result.nbytes == 40 * 10**6
        assert outs[1].result == Opaque("too_much_all", (("mb", 64),))


class TestInputs:
    def test_inputs_arrive_only_with_their_call(self, mode):
        """At import and in each call the submission finds no input of another call, wherever it looks
        (the job folder, its working directory, every descriptor, the grader's other job folders)."""
        marks = [f"snoop-marker-{i}{uuid.uuid4().int % 10**12}" for i in range(3)]
        outs, _ = run(attack("snoop_inputs"), *[("f", [m]) for m in marks], sandbox=mode)
        assert [o.kind for o in outs] == ["raised"] * 3
        assert [o.exc_text for o in outs] == ["import [] call []"] * 3

    def test_job_folder_holds_no_inputs(self, mode):
        """While the calls run, the job folder holds only the worker's job file (naming no call), worker.py,
        wire.py, drivers.py and submission.py, readable by the grader's user only; a worker forked from the
        template has no job folder at all, and the template's holds only worker.py, wire.py and drivers.py."""
        source = f"# {uuid.uuid4().hex}\ndef f(x):\n    return 1.0\n"
        seen, templates = [], []

        def judge(o):
            for d in Path(tempfile.gettempdir()).glob("rnngrade-*"):
                try:
                    files = sorted(p.name for p in d.iterdir() if p.is_file())
                    modes = {p.name: p.stat().st_mode & 0o777 for p in d.iterdir() if p.is_file()}
                    if d.name.startswith("rnngrade-template-"):
                        templates.append((files, modes))
                    elif (d / "submission.py").read_text() == source:
                        jobs = [json.loads((d / n).read_text()) for n in files if n.startswith("job")]
                        seen.append((files, modes, jobs))
                except OSError:
                    pass
            return o.result

        outs, _ = run(source, ("f", ["in-0"]), ("f", ["in-1"]), sandbox=mode, judge=judge)
        assert outs == [1.0, 1.0]
        if mode == "require" and os.environ.get("RNNGRADE_TEMPLATE") != "0" and os.geteuid() == 0:  # forked
            assert seen == [] and templates
            for files, modes in templates:
                assert files == ["drivers.py", "wire.py", "worker.py"] and set(modes.values()) == {0o600}
            return
        assert len(seen) == 2
        for files, modes, jobs in seen:
            assert files == ["drivers.py", "job-1.json", "submission.py", "wire.py", "worker.py"]
            assert set(modes.values()) == {0o600}
            assert all("calls" not in job and "in-1" not in json.dumps(job) for job in jobs)


def _searchable_by_others(path) -> bool:
    """Every directory from / to path (included) has the search bit for others."""
    parts = os.path.abspath(path).split("/")
    return all(os.stat("/".join(parts[:i]) or "/").st_mode & stat.S_IXOTH for i in range(1, len(parts) + 1))


def _python_dirs_now():
    return [sys.prefix, sys.base_prefix, os.path.realpath(sys.executable), os.path.dirname(np.__file__)]


USER_SCRIPT = '''
import json, sys
from autograder.runner import Call, run_calls
SOURCE = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def f(paths):
    out = [os.getuid()]
    for p in paths:
        fd = libc.open(p.encode(), 0)  # the audit hook does not see this: only permissions stop it
        out.append(0 if fd >= 0 else ctypes.get_errno())
    return out
"""
paths, protect = json.loads(sys.argv[1])
(o,), info = run_calls(SOURCE, [Call(0, "f", "call", (paths,), {})], sandbox="off", protect=protect)
print(json.dumps({"result": o.result, "message": o.message, "notes": info.notes}))
'''


def _python_for_nobody(where: Path):
    """An interpreter of this Python version, with numpy and the grader, that uid 65534 can run:
    this one, or a venv of the system's Python made under where; None if there is none."""
    if all(map(_searchable_by_others, _python_dirs_now())):
        return sys.executable
    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    site = os.path.dirname(os.path.dirname(np.__file__))
    if not (system.is_file() and _searchable_by_others(system) and _searchable_by_others(site)):
        return None
    venv = where / "venv"
    subprocess.run([str(system), "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c",
                              "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "rnngrade_kit.pth").write_text(f"import site; site.addsitedir({site!r})\n")
    return str(venv / "bin" / "python")


class TestUser:
    def test_root_without_sandbox_runs_as_nobody(self, open_dir):
        """Without the sandbox, as root, the worker runs as uid 65534: a protected folder closed to others
        stays unreadable to it, and one note names every path it can read (a protected folder left open,
        the grader's sources) with the chmod that fixes it."""
        if os.geteuid() != 0:
            pytest.skip("only root drops to uid 65534")
        python = _python_for_nobody(open_dir)
        if python is None:
            pytest.skip("no interpreter of this version that uid 65534 can run")
        closed, opened = open_dir / "results", open_dir / "open"
        for d, mode in ((closed, 0o700), (opened, 0o755)):
            d.mkdir()
            os.chmod(d, mode)
            (d / "alice.json").write_text("{}")
            os.chmod(d / "alice.json", 0o644)
        sources = ROOT / "solutions" / "rnn_bptt" / "rnn_bptt.py"
        paths = [str(closed / "alice.json"), str(opened / "alice.json"), str(sources)]
        proc = subprocess.run([python, "-c", USER_SCRIPT, json.dumps([paths, [str(closed), str(opened)]])],
                              capture_output=True, text=True, timeout=120, cwd=open_dir)
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout)
        uid, *errnos = out["result"]
        assert uid == 65534 and errnos[0] == 13 and errnos[1] == 0
        notes = [n for n in out["notes"] if "user 65534" in n]
        assert len(notes) == 1 and str(opened) in notes[0]
        fixed = notes[0].split("chmod o-rx ")[1].split()
        for path, err in zip(paths, errnos):  # named exactly when uid 65534 could read it
            assert (err == 0) == any(path == f or path.startswith(f + "/") for f in fixed), path

    def test_root_without_python_for_nobody_says_why(self):
        """Where uid 65534 cannot reach Python, the worker stays root and one note names the folder in the way
        and the fix."""
        if os.geteuid() != 0:
            pytest.skip("only root drops to uid 65534")
        blocked = []
        for p in _python_dirs_now():
            parts = os.path.abspath(p).split("/")
            blocked += ["/".join(parts[:i]) or "/" for i in range(1, len(parts) + 1)
                        if not os.stat("/".join(parts[:i]) or "/").st_mode & stat.S_IXOTH][:1]
        if not blocked:
            pytest.skip("uid 65534 can reach this Python (see test_root_without_sandbox_runs_as_nobody)")
        (o,), info = run("import os\ndef f():\n    return os.getuid()\n", ("f",), sandbox="off")
        notes = [n for n in info.notes if "user 65534" in n]
        assert o.result == 0 and len(notes) == 1
        assert "cannot reach Python" in notes[0] and f"chmod o+x {blocked[0]}" in notes[0]
