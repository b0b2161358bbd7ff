"""Run a student's functions in an isolated worker process and bring back plain data.

``run_calls(source, calls)`` starts ``worker.py`` (a standalone script) on the source, inside
bubblewrap when it is available (sandbox.py: where and as whom it runs, its limits), and
returns one ``Outcome`` per call: what came back, decoded here into plain numpy arrays, Python
data and ``checks.Opaque`` placeholders, never by unpickling. Nothing here judges a result;
with ``judge=``, the caller's function judges each outcome as it arrives and only what it
returns is kept.

The trust boundary: every frame the worker sends is hostile data, decoded by wire.py (the one
encoder/decoder, which the worker uses too) against a byte budget for the whole submission;
session.py runs one worker process, sending each call's inputs only when the call is made.
The job folder holds job.json, worker.py, wire.py, drivers.py and submission.py, readable by
the grader's user only; nothing the worker writes to disk is ever read back.

Always: per-call and per-submission wall-clock limits (the session kills the worker), RLIMIT_AS
/ CPU / FSIZE / NPROC / CORE / NOFILE set by the worker before the student's code runs, output
capped, an import guard for rnnref/autograder/solutions, no child processes, signals or
sockets (an audit hook: what ctypes bypasses, the sandbox and limits still stop), and a fresh
worker after each crash or timeout. With bubblewrap as root, the workers are forked from the worker
template (Template: Python and numpy loaded once, never any student's code), each in new pid, mount,
network, IPC, UTS and cgroup namespaces with its own /tmp, /proc and /dev/pts, as a uid of its own,
without capabilities; elsewhere (or if the template fails) each worker is a fresh bubblewrap process as
before. The private calls' worker starts with the public calls' (it gets its inputs after they are done). Without bubblewrap (or with sandbox="off"), the worker runs
below a supervisor, a child subreaper that kills whatever the worker leaves behind (setsid'd
daemons included); the file system and the network are the grader's, only permissions keep
the worker (uid 65534 when we are root) out: RunInfo.notes says what is missing.
"""

from __future__ import annotations

import array
import atexit
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import sandbox
from .errors import SandboxUnavailable, WorkerFailure  # noqa: F401 - runner.*, as before
from .sandbox import Limits, sandbox_status  # noqa: F401 - runner.*, as before


def __getattr__(name):
    """session, wire (and session's describe_exit) are loaded when first used, not with this module: they load
    numpy, and the command line starts the worker template (warm_up) before it loads numpy itself."""
    if name in ("session", "wire"):
        import importlib

        return importlib.import_module(f"{__package__}.{name}")
    if name == "describe_exit":
        from .session import describe_exit

        return describe_exit
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

HERE = Path(__file__).resolve().parent
JOB_FILES = ("worker.py", "wire.py", "drivers.py")


@dataclass(frozen=True)
class Call:
    """One call of a student function: driver(func, args, kwargs) in the worker.

    private: a hidden case's call. Private calls run after every other call, in worker processes
    of their own, so that nothing the student's code saw in one (a hidden input) can come back
    through the feedback of a call that is not private (whose messages are shown in full).
    """

    index: int
    function: str
    driver: str
    args: tuple
    kwargs: dict
    private: bool = False
    reused: bool = field(default=False, compare=False)  # the same object is run for many submissions (its
    # inputs read-only): its frame is encoded once (api.py builds each case once per seed)
    resolve: Callable | None = field(default=None, compare=False)  # a call whose inputs are still being built:
    # resolve() waits for them and returns the built Call (api.py builds a submission's cases while its workers start)


_PAYLOADS: dict = {}  # id(call) -> (call, its encoded inputs), for reused calls
_PAYLOADS_MAX = 4096
_payloads_lock = threading.Lock()


def _payload(call: Call) -> bytes:
    """The encoded inputs of a call (checked now: TypeError for what is not plain data); once per reused call."""
    if call.resolve is not None:
        return _payload(call.resolve())
    hit = _PAYLOADS.get(id(call)) if call.reused else None
    if hit is not None and hit[0] is call:
        return hit[1]
    from . import wire

    data = bytes(wire.encode({"function": call.function, "driver": call.driver},
                             {"args": tuple(call.args), "kwargs": dict(call.kwargs)}, None, strict=True))
    if call.reused:
        with _payloads_lock:
            while len(_PAYLOADS) >= _PAYLOADS_MAX:
                _PAYLOADS.pop(next(iter(_PAYLOADS)))
            _PAYLOADS[id(call)] = (call, data)
    return data


class _Payloads:
    """index -> the encoded inputs of a run's calls (_payload): at once, or for a call still being built
    (Call.resolve) when first asked for, i.e. when it is sent."""

    def __init__(self, calls: list[Call]):
        self.calls = {c.index: c for c in calls}
        self.done = {c.index: _payload(c) for c in calls if c.resolve is None}

    def __getitem__(self, index: int) -> bytes:
        data = self.done.get(index)
        if data is None:
            data = self.done[index] = _payload(self.calls[index])
        return data


@dataclass
class Outcome:
    """What one call did. ``result``/``args_after`` are plain data (ndarray, float, int, str,
    tuple, list, dict, None) or checks.Opaque; they are set only for status "ok".

    status: "ok" | "error" | "timeout" | "crashed"
    kind: "ok", "raised", "not_implemented", "missing", "timeout", "crashed", "skipped", "judge_error",
        or when the module could not be imported "import_error", "import_exit", "import_timeout", "import_crash"
    exc_type / exc_text / line: the exception (kinds "raised", "not_implemented", "import_*", and
    "judge_error": the judge's); for "crashed" exc_text says how the process ended; for "timeout"
    exc_text is the limit in seconds and exc_type which limit ("call" or "total").
    """

    index: int
    status: str
    result: Any = None
    args_after: Any = None
    message: str = ""
    seconds: float = 0.0
    kind: str = ""
    exc_type: str = ""
    exc_text: str = ""
    line: int | None = None


@dataclass
class RunInfo:
    sandboxed: bool
    notes: list = field(default_factory=list)
    workers: int = 0  # processes started (1 + restarts)
    output: str = ""  # the first output_kb of what the workers printed
    import_failure: Outcome | None = None  # when the module could not be imported (its message says why)


class Template:
    """The worker template (worker.py --template): one process in bubblewrap, as root only, in which Python,
    numpy, wire.py and drivers.py are loaded once; each worker is a fork of it in namespaces, a /tmp, a /proc and
    a uid of its own (worker.py: the isolation bubblewrap gives a fresh worker, and a uid per worker on top).
    It never runs a student's code and reads nothing from its workers: what one submission does cannot reach
    the next. Its only input is this socket: for each worker, four pipe ends and the size of its /tmp."""

    def __init__(self, bwrap: str):
        self.jobdir = tempfile.mkdtemp(prefix="rnngrade-template-")
        try:
            for name in JOB_FILES:
                shutil.copyfile(HERE / name, os.path.join(self.jobdir, name))
                os.chmod(os.path.join(self.jobdir, name), 0o600)
            self.sock, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            try:
                cmd = sandbox.bwrap_args(bwrap, True, self.jobdir, Limits(), None, template=True) + [
                    sys.executable, "-I", "-B", f"{sandbox.SANDBOX_JOB}/worker.py", "--template", sandbox.SANDBOX_JOB,
                    str(child.fileno())]
                self.proc = self._launch(cmd, child.fileno())
            finally:
                child.close()
        except BaseException:
            shutil.rmtree(self.jobdir, ignore_errors=True)
            raise
        self.lock = threading.Lock()

    def _launch(self, cmd: list, fd: int) -> subprocess.Popen:
        """Popen from a thread of its own that lives as long as the template: bubblewrap's --die-with-parent
        follows the thread that started it, and the grading thread that first needs the template may end first
        (a pool's thread), taking the other threads' workers with it."""
        self.closed = threading.Event()
        got: dict = {}
        ready = threading.Event()

        def launcher():
            try:
                got["proc"] = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL, pass_fds=[fd], start_new_session=True,
                                               close_fds=True)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                got["error"] = exc
            finally:
                ready.set()
            self.closed.wait()

        threading.Thread(target=launcher, name="rnngrade-template", daemon=True).start()
        ready.wait()
        if "error" in got:
            raise got["error"]
        return got["proc"]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def spawn(self, fds: list, tmp_mb: int) -> None:
        """A worker on these pipe ends (results, info, input, output); OSError when the template is gone."""
        with self.lock:
            self.sock.sendmsg([json.dumps({"tmp_mb": int(tmp_mb)}).encode()],
                              [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])

    def close(self) -> None:
        try:
            self.sock.close()  # the template ends once it has read everything
            try:
                self.proc.wait(2.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        finally:
            self.closed.set()
            shutil.rmtree(self.jobdir, ignore_errors=True)


_template: Template | None = None
_template_lock = threading.Lock()
_template_broken = False


def template_wanted() -> bool:
    """Whether workers come from the template where it can be used (RNNGRADE_TEMPLATE=0: never)."""
    return os.environ.get("RNNGRADE_TEMPLATE", "1") != "0"


def worker_template(bwrap: str) -> Template | None:
    """The process's worker template, started (again) when needed; None where it cannot be used."""
    global _template
    with _template_lock:
        if _template_broken or not template_wanted():
            return None
        if _template is not None and _template.alive():
            return _template
        if _template is not None:
            _template.close()
            _template = None
        try:
            _template = Template(bwrap)
        except OSError:
            return None
        return _template


def template_failed(tmpl: Template) -> None:
    """A worker forked from the template did not start: this process uses fresh workers from now on."""
    global _template, _template_broken
    with _template_lock:
        _template_broken = True
        if _template is tmpl:
            _template = None
    tmpl.close()


@atexit.register
def _close_template() -> None:
    global _template
    with _template_lock:
        if _template is not None:
            _template.close()
            _template = None


def warm_up(sandbox_mode: str = "auto") -> None:
    """Start the worker template now (where it is used), so that it loads numpy while the caller prepares; and probe
    bubblewrap beside it (sandbox.sandbox_status, cached), rather than before it. The template is used only once the
    probe says bubblewrap works here: where it does not, the template has failed on its own and is never asked."""
    if sandbox_mode == "off" or not template_wanted():
        return
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return
    if os.geteuid() == 0:
        worker_template(bwrap)
    threading.Thread(target=_probe_quietly, args=(sandbox_mode,), name="rnngrade-probe", daemon=True).start()


def _probe_quietly(sandbox_mode: str) -> None:
    try:
        sandbox.sandbox_status(sandbox_mode)
    except Exception:  # noqa: BLE001 - e.g. SandboxUnavailable: said when grading
        pass


class _Runner:
    """The whole run of one submission: the job folder, the sessions, the retry loop."""

    def __init__(self, source: str, calls: list[Call], limits: Limits, sandbox_mode: str, module: str,
                 filename: str, judge: Callable | None, protect, template: bool | None = None):
        self.limits = limits
        self.import_s = limits.import_s if limits.import_s is not None else limits.per_call_s
        self.sandboxed, note = sandbox.sandbox_status(sandbox_mode)
        self.info = RunInfo(self.sandboxed, [note] if note else [])
        self.bwrap = shutil.which("bwrap") if self.sandboxed else None
        self.as_root = os.geteuid() == 0
        # workers forked from the template: with bubblewrap, as root (it needs CAP_SYS_ADMIN for their namespaces)
        self.use_template = bool(self.sandboxed and self.as_root and self.bwrap
                                 and (template_wanted() if template is None else template))
        self.calls = calls
        self.judge = judge
        self.results: dict[int, Any] = {}
        from . import wire

        self.budget = wire.Budget()  # for everything the submission sends back
        # the grader's own inputs, sent call by call: checked now (TypeError for what is not plain data), except a
        # call whose inputs are still being built (Call.resolve), encoded when it is sent, so that the workers start
        # meanwhile
        self.payloads = _Payloads(calls)
        drop, note = sandbox.user_plan(self.sandboxed, protect)
        if note:
            self.info.notes.append(note)
        self.cpu_used = 0.0
        self._out = bytearray()
        self.deadline = time.monotonic() + limits.total_s
        self.source, self.protect = source, protect
        self.jobdir = None  # the job folder of fresh workers, written when the first one starts
        self.workdir = sandbox.SANDBOX_WORKDIR
        if not self.sandboxed:
            self.ensure_jobdir()
            self.workdir = os.path.join(self.jobdir, "work")
            os.mkdir(self.workdir, 0o700)
            if drop:
                os.chown(self.workdir, *drop)
        lim = self.limits
        self.job_common = {
            "module": module,
            "filename": filename,
            "drop": drop,
            "workdir": self.workdir,
            "limits": {"memory_mb": lim.memory_mb, "cpu_s": lim.cpu_s, "file_mb": lim.file_mb, "nproc": lim.nproc,
                       "output_kb": lim.output_kb},
            "forbidden_modules": list(sandbox.FORBIDDEN_MODULES),
            "forbidden_paths": sandbox.forbidden_paths() + [os.path.abspath(p) for p in protect],
            "allowed_paths": sandbox.python_dirs(),
            "jobdir": sandbox.SANDBOX_JOB if self.sandboxed else self.jobdir,
        }

    def ensure_jobdir(self) -> str:
        """The job folder of fresh (not forked) workers: worker.py, wire.py, drivers.py and submission.py,
        readable by the grader's user only (the worker reads them before it drops to uid 65534; other users,
        other workers, may only pass through to the working directory)."""
        if self.jobdir is None:
            jd = tempfile.mkdtemp(prefix="rnngrade-")
            try:
                os.chmod(jd, 0o711)
                fd = os.open(os.path.join(jd, "submission.py"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with open(fd, "w", encoding="utf-8") as f:
                    f.write(self.source)
                for name in JOB_FILES:
                    shutil.copyfile(HERE / name, os.path.join(jd, name))
                    os.chmod(os.path.join(jd, name), 0o600)
            except BaseException:
                shutil.rmtree(jd, ignore_errors=True)
                raise
            self.jobdir = jd
        return self.jobdir

    def keep_output(self, data: bytes):
        room = self.limits.output_kb * 1024 - len(self._out)
        if room > 0:
            self._out += data[:room]

    def output_tail(self) -> str:
        text = self._out.decode("utf-8", "replace").strip()
        return text[-500:] if text else "no output"

    def settle(self, outcome: Outcome) -> None:
        """Keep what the judge makes of the outcome (the outcome itself without a judge). A judge
        that fails makes the case an error saying so, never a traceback."""
        if self.judge is None:
            self.results[outcome.index] = outcome
            return
        try:
            self.results[outcome.index] = self.judge(outcome)
            return
        except Exception as exc:  # noqa: BLE001 - a grader bug costs this case, not the others
            name = type(exc).__name__
        failed = Outcome(outcome.index, "error", message=f"internal error while judging this case ({name}); "
                                                         f"please report it",
                         seconds=outcome.seconds, kind="judge_error", exc_type=name)
        try:
            self.results[outcome.index] = self.judge(failed)
        except Exception:  # noqa: BLE001
            self.results[outcome.index] = failed

    def run(self) -> list:
        from . import session

        pending = sorted(self.calls, key=lambda c: c.private)  # stable: the public calls first, in order
        failures = 0
        by_function: dict[str, int] = {}
        lim = self.limits
        # the private calls' worker starts with the public calls' (it gets their inputs only once they are done):
        # the two start-ups overlap
        ahead = None
        if pending and not pending[0].private and pending[-1].private:
            ahead = session.Session(self, [c for c in pending if c.private])
        try:
            if ahead is not None:
                ahead.start()
            while pending:
                if failures >= lim.max_failures:
                    for c in pending:
                        self.settle(Outcome(c.index, "error", kind="skipped",
                                            message=f"skipped: the submission crashed or timed out {failures} times"))
                    break
                if time.monotonic() >= self.deadline:
                    for c in pending:
                        self.settle(Outcome(c.index, "timeout", kind="skipped", exc_text=f"{lim.total_s:g}",
                                            message=f"skipped: the submission used up its total time of "
                                                    f"{lim.total_s:g} s"))
                    break
                group = [c for c in pending if c.private == pending[0].private]
                if ahead is not None and pending[0].private:
                    s, ahead = ahead, None
                    s.pending = group
                else:
                    s = session.Session(self, group)
                s.run()
                done = set(s.done)
                pending = [c for c in pending if c.index not in done]
                if s.import_failure is not None:
                    f = s.import_failure
                    if pending and pending[0].private:  # a re-import may tell what a private call saw
                        f = Outcome(f.index, f.status, message=f.message.split(":")[0], seconds=f.seconds, kind=f.kind,
                                    line=f.line)
                    self.info.import_failure = f
                    for c in pending:
                        self.settle(Outcome(c.index, "error" if f.status == "crashed" else f.status,
                                            message=f.message, seconds=0.0, kind=f.kind, exc_type=f.exc_type,
                                            exc_text=f.exc_text, line=f.line))
                    break
                if s.stopped is not None:
                    stopped = s.stopped
                    fn = next(c.function for c in pending if c.index == stopped.index)
                    self.settle(stopped)
                    pending = [c for c in pending if c.index != stopped.index]
                    failures += 1
                    by_function[fn] = by_function.get(fn, 0) + 1
                    if by_function[fn] >= lim.max_failures_per_function:
                        for c in pending:
                            if c.function == fn:
                                self.settle(Outcome(c.index, "error", kind="skipped",
                                                    message=f"skipped: {fn} crashed or timed out {by_function[fn]} "
                                                            f"times"))
                        pending = [c for c in pending if c.function != fn]
        finally:
            try:
                if ahead is not None:
                    ahead.abort()
            finally:
                if self.jobdir is not None:
                    shutil.rmtree(self.jobdir, ignore_errors=True)
        self.info.output = self._out.decode("utf-8", "replace")
        return [self.results[c.index] for c in self.calls]


def run_calls(source: str, calls, *, limits: Limits | None = None, sandbox: str = "auto",
              module: str = "submission", filename: str | None = None, judge: Callable | None = None,
              protect=(), template: bool | None = None) -> tuple[list, RunInfo]:
    """Run each call on the module ``source`` in an isolated worker; one result per call, in order.

    Parameters
    ----------
    source : the student's module (Python source)
    calls : Call's; their indexes must be distinct
    limits : Limits (default Limits())
    sandbox : "auto" (bubblewrap when it works here, else limits only, with a note),
        "require" (SandboxUnavailable without it) or "off"
    module : the module's __name__ in the worker (not "__main__": `if __name__ == "__main__"` blocks
        do not run)
    filename : the name tracebacks and line numbers refer to (default "<module>.py")
    judge : judge(outcome) -> what to keep of it (e.g. a small CaseResult), called on each
        Outcome as it arrives, so that only one outcome's data is held at a time; the results
        are then what it returned. An exception it raises makes that case an Outcome of kind
        "judge_error" (given to judge once more, kept as it is if that fails too). Judging counts
        against limits.total_s, not against the per-call time. Default: keep the Outcomes.
    protect : folders the worker must not be able to read (e.g. the results): without the
        sandbox they are refused to it, and a note says if their permissions let it read them
    template : fork the workers from the worker template (see Template) where it can be used: with
        bubblewrap, as root; default: yes unless RNNGRADE_TEMPLATE=0. Elsewhere, or when it fails, each
        worker is a fresh process in a sandbox of its own, as before: the isolation is the same

    Raises WorkerFailure when the worker cannot start at all (a problem of this machine, not of
    the submission), SandboxUnavailable as above, TypeError for inputs that are not plain data.
    """
    calls = list(calls)
    if len({c.index for c in calls}) != len(calls):
        raise ValueError("the calls' indexes must be distinct")
    runner = _Runner(source, calls, limits or Limits(), sandbox, module, filename or f"{module}.py", judge,
                     [str(p) for p in protect], template)
    return runner.run(), runner.info
