"""Run a student's functions in an isolated worker process and bring back plain data.

``run_calls(source, calls)`` starts ``worker.py`` (a standalone script) on the source, inside
bubblewrap when it is available, and returns one ``Outcome`` per call: what came back, decoded
here into plain numpy arrays, Python data and ``checks.Opaque`` placeholders, never by
unpickling. Nothing here judges a result; api.py does, in this process.

The worker sends its outcomes through a pipe, one whole frame per call (see worker.py); this
process times each call from the frames' arrival, keeps the first ``output_kb`` of the
worker's stdout/stderr (another pipe) and drops the rest. Nothing the worker writes to disk
is ever read back.

Isolation (see ``Limits`` for the numbers):

- bubblewrap: new pid, network, ipc and uts namespaces; a read-only view of /usr and of the
  Python installation(s) only (the checkout, ``rnnref``, ``autograder`` and ``solutions/`` are
  not there; where they lie inside a bound directory an empty tmpfs hides them); a private,
  size-capped tmpfs /tmp holding the working directory; a scrubbed environment; a new session.
  As root: no user namespace and no capabilities but CAP_SETUID/CAP_SETGID, with which the
  worker becomes the real uid 65534 before anything else (a user namespace would map its
  uid to root, for which RLIMIT_NPROC does not count); otherwise an unprivileged user namespace
  that cannot create more. The sandbox dies with the grader (--die-with-parent); when its
  pid 1 ends (after the worker, or killed on a timeout) the kernel kills every process left in
  its pid namespace, setsid'd daemons included, before bwrap — and so this process — sees it end.
- always: per-call and per-submission wall-clock limits (this process kills the sandbox),
  RLIMIT_AS / CPU / FSIZE / NPROC / CORE / NOFILE set by the worker before the student's code
  runs, output capped, an import guard for rnnref/autograder/solutions, no child processes,
  signals or sockets (an audit hook: what ctypes bypasses, the sandbox and limits still stop),
  and a fresh worker after each crash or timeout.
- without bubblewrap (or with sandbox="off"), the same limits apply and the worker runs below a
  supervisor, a child subreaper that kills whatever the worker leaves behind (setsid'd daemons
  included); the file system and the network are the grader's: RunInfo.notes says so. As root
  the worker can only become uid 65534 when that uid can reach the Python installation;
  otherwise the process-count limit does not apply, and a note says that too.
"""

from __future__ import annotations

import functools
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .checks import Opaque
from .errors import SandboxUnavailable, WorkerFailure  # noqa: F401 - runner.*, as before

HERE = Path(__file__).resolve().parent
WORKER = HERE / "worker.py"
DRIVERS = HERE / "drivers.py"

NOBODY = 65534
SANDBOX_JOB = "/job"
SANDBOX_WORKDIR = "/tmp/work"
FORBIDDEN_MODULES = ("rnnref", "autograder", "solutions")
MAX_FRAME = 96 * 2**20  # one outcome: arrays ≤ 50 MB plus the skeleton
MAX_RESULT_BYTES = 50 * 2**20
MAX_SKELETON_DEPTH = 80
STARTUP_S = 15.0  # for the worker to load numpy (no student code yet); counted in total_s


@dataclass(frozen=True)
class Limits:
    """Limits of one submission's run. Times in seconds, sizes in MB / KB."""

    per_call_s: float = 5.0  # wall clock per call (and for importing the module)
    total_s: float = 60.0  # wall clock for everything, restarts included
    cpu_s: float = 60.0  # CPU time for all the workers together
    memory_mb: int = 2048  # address space of the worker
    output_kb: int = 64  # stdout + stderr kept (the rest is dropped)
    file_mb: int = 32  # largest file the worker may write
    nproc: int = 32  # processes (and threads) of the sandbox user: fork bombs stop here
    max_failures: int = 5  # crashes + timeouts before all the remaining calls are skipped
    max_failures_per_function: int = 2  # … before that function's remaining calls are skipped
    import_s: float | None = None  # importing the module; default per_call_s


@dataclass(frozen=True)
class Call:
    """One call of a student function: driver(func, args, kwargs) in the worker."""

    index: int
    function: str
    driver: str
    args: tuple
    kwargs: dict


@dataclass
class Outcome:
    """What one call did. ``result``/``args_after`` are plain data (ndarray, float, int, str,
    tuple, list, dict, None) or checks.Opaque; they are set only for status "ok".

    status: "ok" | "error" | "timeout" | "crashed"
    kind: "ok", "raised", "not_implemented", "missing", "timeout", "crashed", "skipped", or when the module
        could not be imported "import_error", "import_exit", "import_timeout", "import_crash"
    exc_type / exc_text / line: the exception (kinds "raised", "not_implemented", "import_*"); for
    "crashed" exc_text says how the process ended; for "timeout" exc_text is the limit in seconds
    and exc_type which limit ("call" or "total").
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


class _ProtocolError(ValueError):
    pass


# --------------------------------------------------------------------------- encoding


def _skeleton(obj, arrays: dict):
    """Inputs (ours: trusted) as a JSON skeleton plus named arrays."""
    if isinstance(obj, np.ndarray):
        name = f"a{len(arrays)}"
        arrays[name] = obj
        return {"a": name}
    if isinstance(obj, tuple):
        return {"t": [_skeleton(x, arrays) for x in obj]}
    if isinstance(obj, list):
        return {"l": [_skeleton(x, arrays) for x in obj]}
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj):
            raise TypeError("only dicts with str keys can be sent to the worker")
        return {"d": [[k, _skeleton(v, arrays)] for k, v in obj.items()]}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj)
    raise TypeError(f"cannot send a {type(obj).__name__} to the worker")


def _clean_text(s, limit=300) -> str:
    if not isinstance(s, str):
        return ""
    s = "".join(ch if ch.isprintable() else " " for ch in s)
    return s[:limit]


def _from_skeleton(skel, arrays: dict, depth: int = 0):
    """The worker's skeleton (untrusted) as plain data; anything unexpected is Opaque."""
    if depth > MAX_SKELETON_DEPTH:
        return Opaque("a structure nested too deeply")
    if skel is None or isinstance(skel, (bool, int, float)):
        return skel
    if isinstance(skel, str):
        return skel[:10_000]
    if isinstance(skel, dict) and len(skel) == 1:
        (key, val), = skel.items()
        if key == "a" and isinstance(val, str) and val in arrays:
            return arrays[val]
        if key == "o" and isinstance(val, str):
            return Opaque(_clean_text(val, 200) or "an object")
        if key == "t" and isinstance(val, list):
            return tuple(_from_skeleton(x, arrays, depth + 1) for x in val)
        if key == "l" and isinstance(val, list):
            return [_from_skeleton(x, arrays, depth + 1) for x in val]
        if key == "d" and isinstance(val, list):
            out = {}
            for item in val:
                if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
                    return Opaque("malformed data from the worker")
                out[item[0]] = _from_skeleton(item[1], arrays, depth + 1)
            return out
    return Opaque("malformed data from the worker")


def _read_npz(payload: bytes) -> dict:
    """The members of an .npz from the worker: size-checked, no pickle, plain dtypes only."""
    arrays = {}
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        infos = zf.infolist()
        if len(infos) > 10_000 or sum(i.file_size for i in infos) > MAX_FRAME:
            raise _ProtocolError("too much data")
        for info in infos:
            name = info.filename
            if not name.endswith(".npy"):
                raise _ProtocolError(f"unexpected member {name!r}")
            with zf.open(info) as f:
                data = f.read(info.file_size + 1)
            if len(data) > info.file_size:
                raise _ProtocolError("member larger than declared")
            arr = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
            if (type(arr) is not np.ndarray or arr.dtype.kind not in "biufc" or arr.dtype.fields is not None
                    or arr.dtype.subdtype is not None):
                raise _ProtocolError(f"array of dtype {arr.dtype}")
            arrays[name[:-4]] = arr
    return arrays


def _decode_outcome(index: int, payload: bytes, seconds: float) -> Outcome:
    arrays = _read_npz(payload)
    meta_arr = arrays.pop("__meta__", None)
    if meta_arr is None or meta_arr.dtype != np.uint8 or meta_arr.ndim != 1:
        raise _ProtocolError("no meta")
    meta = json.loads(meta_arr.tobytes().decode("utf-8"))
    if not isinstance(meta, dict):
        raise _ProtocolError("meta is not an object")
    status = meta.get("status")
    kind = meta.get("kind")
    line = meta.get("line")
    line = line if isinstance(line, int) and not isinstance(line, bool) else None
    if status == "ok":
        return Outcome(index, "ok", _from_skeleton(meta.get("result"), arrays),
                       _from_skeleton(meta.get("args_after"), arrays), "", seconds, "ok")
    if status == "error" and kind in ("raised", "not_implemented", "missing"):
        exc_type = _clean_text(meta.get("exc_type"), 100)
        exc_text = _clean_text(meta.get("exc_text"))
        if kind == "missing":
            message = "function not found"
        elif kind == "not_implemented":
            message = "not implemented yet (NotImplementedError)"
        else:
            message = f"raised {exc_type}" + (f": {exc_text}" if exc_text else "")
        return Outcome(index, "error", None, None, message, seconds, kind, exc_type, exc_text, line)
    raise _ProtocolError(f"unknown status {status!r}")


# --------------------------------------------------------------------------- how a process ended

SIGNAL_TEXT = {
    "SIGSEGV": "a segmentation fault (SIGSEGV)",
    "SIGBUS": "a bus error (SIGBUS)",
    "SIGABRT": "an abort (SIGABRT)",
    "SIGFPE": "a floating-point exception signal (SIGFPE)",
    "SIGILL": "an illegal instruction (SIGILL)",
    "SIGKILL": "the process killed (SIGKILL), e.g. for using too much memory",
    "SIGXCPU": "the CPU time limit exceeded (SIGXCPU)",
    "SIGXFSZ": "the file size limit exceeded (SIGXFSZ)",
}


def describe_exit(code: int | None, signal_as_128: bool = True) -> str:
    """How the worker ended, for a student: 'a segmentation fault (SIGSEGV)', 'exit code 3'.

    code: the exit status as subprocess gives it (-n for signal n); with signal_as_128, codes
    above 128 are signals too, as bubblewrap and the supervisor report them."""
    if code is None:
        return "the process ended in an unknown way"
    sig = None
    if code < 0:
        sig = -code
    elif signal_as_128 and code > 128 and code - 128 < 65:
        sig = code - 128  # bubblewrap reports a signal as 128 + its number
    if sig is not None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return SIGNAL_TEXT.get(name, f"the process killed by {name}")
    return f"the process exited with code {code}"


# --------------------------------------------------------------------------- launching


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def forbidden_paths() -> list[str]:
    """What submissions must not see: the grader's packages, and the checkout they live in."""
    import importlib.util

    paths = [str(HERE)]
    spec = importlib.util.find_spec("rnnref")
    if spec is not None and spec.origin:
        paths.append(str(Path(spec.origin).resolve().parent))
    root = HERE.parent
    if (root / "pyproject.toml").is_file() or (root / "solutions").is_dir():
        paths += [str(root), str(root / "solutions")]
    out = []
    for p in paths:
        if p not in out:
            out.append(p)
    return out


def _python_dirs() -> list[str]:
    """The Python installation(s) the worker needs, as the interpreter names them."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    real = os.path.realpath(sys.executable)
    dirs.add(os.path.dirname(os.path.dirname(real)))
    dirs.add(os.path.dirname(os.path.dirname(os.path.abspath(np.__file__))))  # numpy's site-packages
    return sorted(d for d in dirs if d and os.path.isdir(d) and d != "/")


def _others_can_use(paths) -> bool:
    """Can uid 65534 reach these directories (every ancestor searchable by others)?"""
    import stat

    for p in paths:
        cur = os.path.abspath(p)
        while True:
            try:
                if not os.stat(cur).st_mode & stat.S_IXOTH:
                    return False
            except OSError:
                return False
            if cur == "/":
                break
            cur = os.path.dirname(cur)
    return True


SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime")


def _bwrap_args(bwrap: str, as_root: bool, jobdir: str | None, limits: Limits, info_fd: int | None) -> list[str]:
    args = [bwrap, "--die-with-parent", "--new-session"]
    if as_root:
        # no user namespace: the worker becomes the real uid 65534, for which RLIMIT_NPROC counts
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                 "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-all", "--unshare-user", "--disable-userns"]
    args += ["--ro-bind", "/usr", "/usr"]
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for f in ETC_FILES:
        if os.path.lexists(f):
            args += ["--ro-bind-try", f, f]
    system = ["/usr"] + [d for d in SYSTEM_DIRS if os.path.isdir(d) and not os.path.islink(d)]
    chosen = []
    for d in _python_dirs():  # sorted: a directory comes before what it contains
        if not any(_within(d, b) for b in system + chosen):
            chosen.append(d)
    # the grader's packages and checkout are hidden: never bound, and masked by an empty tmpfs
    # where they lie inside a bound directory (e.g. a non-editable install in site-packages);
    # mounts go shallow first, so that a venv inside the masked checkout is bound over the mask
    ops = [(d.count("/"), d, "--ro-bind") for d in chosen]
    ops += [(h.count("/"), h, "--tmpfs") for h in forbidden_paths()
            if os.path.isdir(h) and any(_within(h, b) and h != b for b in system + chosen)]
    # the private /tmp first: a Python or venv that lives under /tmp is then bound on top of it
    tmp_mb = max(64, 2 * limits.file_mb)
    args += ["--perms", "1777", "--size", str(tmp_mb * 2**20), "--tmpfs", "/tmp"]
    made = {"/tmp"}
    for _, path, op in sorted(ops):
        # bwrap would create the missing parents (/root, /root/.pyenv, …) with mode 0700
        parents = []
        cur = os.path.dirname(path)
        while cur not in ("/", "") and cur not in made and not any(_within(cur, b) for b in system + chosen):
            parents.append(cur)
            cur = os.path.dirname(cur)
        for d in reversed(parents):
            args += ["--perms", "0755", "--dir", d]
            made.add(d)
        args += [op, path] if op == "--tmpfs" else [op, path, path]
    args += ["--proc", "/proc", "--dev", "/dev", "--hostname", "rnngrade", "--chdir", "/tmp", "--clearenv"]
    for k, v in _environment("/tmp").items():
        args += ["--setenv", k, v]
    if jobdir is not None:
        args += ["--ro-bind", jobdir, SANDBOX_JOB]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    return args


def _environment(home: str) -> dict:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


_probe_lock = threading.Lock()


@functools.lru_cache(maxsize=None)
def _probe(bwrap: str, as_root: bool) -> str | None:
    """None when bubblewrap can run this Python in a sandbox here, else the reason."""
    code = "import os; os.setgroups([]); os.setgid(65534); os.setuid(65534)" if as_root else "pass"
    cmd = _bwrap_args(bwrap, as_root, None, Limits(), None) + [sys.executable, "-I", "-S", "-c", code]
    try:
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{type(exc).__name__}: {exc}"
    if r.returncode != 0:
        text = r.stderr.decode("utf-8", "replace").strip().splitlines()
        return text[0][:200] if text else f"exit code {r.returncode}"
    return None


def sandbox_status(sandbox: str = "auto") -> tuple[bool, str | None]:
    """(use bubblewrap, the note to give when not). Raises SandboxUnavailable for "require"."""
    if sandbox not in ("auto", "require", "off"):
        raise ValueError(f"sandbox must be 'auto', 'require' or 'off', not {sandbox!r}")
    if sandbox == "off":
        return False, "file-system isolation is off (sandbox='off'): the submission ran without bubblewrap; " \
                      "the time, memory, output and process limits still applied"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        reason = "bubblewrap (bwrap) is not installed"
    else:
        with _probe_lock:
            reason = _probe(bwrap, os.geteuid() == 0)
        if reason is not None:
            reason = f"bubblewrap cannot create a sandbox here ({reason})"
    if reason is None:
        return True, None
    if sandbox == "require":
        raise SandboxUnavailable(f"{reason}: install bubblewrap (apt-get install bubblewrap) or grade with sandbox='off'")
    return False, f"file-system isolation is off: {reason}; the time, memory, output and process limits still applied"


# --------------------------------------------------------------------------- one worker


class _Session:
    """One worker process over a list of calls; stops at the first call that times out or crashes."""

    def __init__(self, runner: "_Runner", calls: list[Call]):
        self.r = runner
        self.calls = calls
        self.outcomes: list[Outcome] = []
        self.stopped: Outcome | None = None  # the call that timed out or crashed
        self.import_failure: Outcome | None = None
        self.cpu = 0.0

    def run(self) -> None:
        r = self.r
        res_r, res_w = os.pipe()
        out_r, out_w = os.pipe()
        info_r = info_w = None
        job = dict(r.job_common)
        job["calls"] = [r.call_skeletons[c.index] for c in self.calls]
        job["result_fd"] = res_w
        job["limits"] = dict(job["limits"], cpu_s=max(1.0, r.limits.cpu_s - r.cpu_used))
        job_path = os.path.join(r.jobdir, "job.json")
        with open(job_path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(job, f)
        os.chmod(job_path + ".tmp", 0o644)
        os.replace(job_path + ".tmp", job_path)
        pass_fds = [res_w]
        if r.sandboxed:
            info_r, info_w = os.pipe()
            pass_fds.append(info_w)
            cmd = _bwrap_args(r.bwrap, r.as_root, r.jobdir, r.limits, info_w) + [
                sys.executable, "-I", "-B", f"{SANDBOX_JOB}/worker.py", SANDBOX_JOB]
            env, cwd = None, None
        else:  # the worker below a supervisor that kills whatever the worker leaves behind
            cmd = [sys.executable, "-I", "-B", os.path.join(r.jobdir, "worker.py"), "--supervise", r.jobdir]
            env, cwd = _environment(r.workdir), r.workdir
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, pass_fds=pass_fds,
                                    env=env, cwd=cwd, start_new_session=True, close_fds=True)
        finally:
            for fd in (res_w, out_w, info_w):
                if fd is not None:
                    os.close(fd)
        r.info.workers += 1
        self.proc = proc
        self.pidfd = None
        try:
            self.pidfd = os.pidfd_open(proc.pid)
        except (AttributeError, OSError):
            pass
        self.child_pidfd = None  # the sandbox's pid 1
        try:
            self._loop(res_r, out_r, info_r)
        except BaseException:  # KeyboardInterrupt in the grader, a bug: the worker must not outlive us
            self._kill()
            raise
        finally:
            self._end()
            for fd in (res_r, out_r, info_r, self.pidfd, self.child_pidfd):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass

    # -- the event loop

    def _loop(self, res_r, out_r, info_r):
        """Read frames until every call has an outcome, or a call times out or crashes."""
        r = self.r
        self.state = "starting"
        self.t_mark = time.monotonic()
        self.deadline = min(self.t_mark + STARTUP_S, r.deadline)
        self.pending = list(self.calls)
        self.buf = bytearray()
        self.info_buf = b""
        self.fds = [res_r, out_r] + ([info_r] if info_r is not None else [])
        self.res_r, self.out_r, self.info_r = res_r, out_r, info_r
        exited = False
        while True:
            now = time.monotonic()
            if now >= self.deadline:
                return self._timed_out(now - self.t_mark)
            watch = list(self.fds)
            if self.pidfd is not None:
                watch.append(self.pidfd)
            wait = min(self.deadline - now, 0.05 if self.pidfd is None else 3600.0)
            try:
                ready = select.select(watch, [], [], wait)[0] if watch else []
            except InterruptedError:
                continue
            if not watch:
                time.sleep(wait)
            if self.pidfd in ready or (self.pidfd is None and self.proc.poll() is not None):
                exited = True
            self._read([fd for fd in ready if fd != self.pidfd])
            if exited:
                self._drain()  # whatever the worker wrote before it ended is in the pipes now
            done = self._frames()
            if done:
                return None
            if exited:
                if self.state == "finishing":
                    return None
                why = describe_exit(self._reap(5.0))
                return self._crashed(time.monotonic() - self.t_mark, why)

    def _read(self, ready):
        for fd in ready:
            try:
                data = os.read(fd, 1 << 20)
            except OSError:
                data = b""
            if not data:
                self.fds.remove(fd)
            elif fd == self.res_r:
                self.buf += data
            elif fd == self.out_r:
                self.r.keep_output(data)
            elif fd == self.info_r:
                self.info_buf += data
                self._child_pid(self.info_buf)

    def _drain(self):
        while self.fds:
            ready = select.select(self.fds, [], [], 0)[0]
            if not ready:
                return
            self._read(ready)
            if len(self.buf) > MAX_FRAME + 100:
                return

    def _frames(self) -> bool:
        """Handle the complete frames in the buffer; True when the session is over."""
        r = self.r
        while True:
            now = time.monotonic()
            if len(self.buf) > MAX_FRAME + 100:
                self._crashed(now - self.t_mark, "malformed data from the worker")
                return True
            nl = self.buf.find(b"\n", 0, 64)
            if nl < 0:
                if len(self.buf) >= 64:
                    self._crashed(now - self.t_mark, "malformed data from the worker")
                    return True
                return False
            head = bytes(self.buf[:nl]).split()
            if head == [b"R"]:
                del self.buf[: nl + 1]
                if self.state == "starting":  # sent before any student code: trustworthy
                    self.state, self.t_mark = "importing", now
                    self.deadline = min(now + r.import_s, r.deadline)
                continue
            try:
                tag, size = head[0], int(head[-1])
                index = int(head[1]) if tag == b"C" and len(head) == 3 else None
                if not (0 <= size <= MAX_FRAME) or not ((tag == b"I" and len(head) == 2)
                                                          or (tag == b"C" and index is not None)):
                    raise ValueError
            except (ValueError, IndexError):
                self._crashed(now - self.t_mark, "malformed data from the worker")
                return True
            if len(self.buf) < nl + 1 + size:
                return False
            payload = bytes(self.buf[nl + 1: nl + 1 + size])
            del self.buf[: nl + 1 + size]
            if tag == b"I" and self.state == "importing":
                failure = self._import_info(payload, now - self.t_mark)
                if failure is not None:
                    self.import_failure = failure
                    self._kill()
                    return True
                self.state, self.t_mark = "calling", now
                self.deadline = min(now + r.limits.per_call_s, r.deadline)
            elif tag == b"C" and self.state == "calling" and index == self.pending[0].index:
                try:
                    outcome = _decode_outcome(index, payload, now - self.t_mark)
                except Exception:  # noqa: BLE001 - whatever the worker sent is the submission's problem
                    self._crashed(now - self.t_mark, "malformed data from the worker")
                    return True
                self.outcomes.append(outcome)
                self.pending.pop(0)
                self.t_mark = now
                if self.pending:
                    self.deadline = min(now + r.limits.per_call_s, r.deadline)
                else:
                    self.state = "finishing"  # the worker exits by itself now
                    self.deadline = min(now + 5.0, r.deadline + 5.0)
            # any other frame (out of order: forged by the student's code) is ignored

    def _child_pid(self, info_buf: bytes):
        if self.child_pidfd is not None:
            return
        try:
            pid = int(json.loads(info_buf.decode())["child-pid"])
        except (ValueError, KeyError, TypeError):
            return
        try:
            self.child_pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.child_pid = pid

    def _import_info(self, payload: bytes, seconds: float) -> Outcome | None:
        try:
            info = json.loads(payload.decode("utf-8"))
            assert isinstance(info, dict)
        except Exception:  # noqa: BLE001
            info = {"ok": False, "kind": "exception", "exc_type": "?", "exc_text": "malformed data from the worker"}
        if info.get("ok") is True:
            return None
        kind = info.get("kind")
        exc_type = _clean_text(info.get("exc_type"), 100)
        text = info.get("exc_text")
        line = info.get("line") if isinstance(info.get("line"), int) and not isinstance(info.get("line"), bool) else None
        at = f" at line {line}" if line else ""
        if kind == "exit":
            code = text if isinstance(text, (int, str)) and not isinstance(text, bool) else None
            code_txt = f" (exit code {_clean_text(str(code), 60)})" if code is not None else ""
            message = (f"the module called sys.exit() at import{at}{code_txt}: code outside the functions must not "
                       f"exit; put experiments under `if __name__ == \"__main__\":`")
            text = _clean_text(str(code)) if code is not None else ""
            kind = "import_exit"
        else:
            text = _clean_text(text)
            message = f"the module could not be imported: {exc_type}{at}" + (f": {text}" if text else "")
            kind = "import_error"
        return Outcome(-1, "error", message=message, seconds=seconds, kind=kind, exc_type=exc_type,
                       exc_text=text, line=line)

    # -- endings

    def _timed_out(self, seconds):
        r, state, pending = self.r, self.state, self.pending
        self._kill()
        total = time.monotonic() >= r.deadline - 1e-3
        if state == "starting":
            if total:
                return None  # the total time is used up: the remaining calls are skipped
            raise WorkerFailure(f"the grader's worker did not start within {STARTUP_S:g} s: {r.output_tail()}")
        if state == "importing":
            if total:
                msg = f"the module did not finish importing within the total time of {r.limits.total_s:g} s"
            else:
                msg = (f"the module did not finish importing within {r.import_s:g} s: look for an endless loop or a "
                       f"long computation outside the functions")
            self.import_failure = Outcome(-1, "timeout", message=msg, seconds=seconds, kind="import_timeout",
                                          exc_text=f"{r.limits.total_s if total else r.import_s:g}")
            return None
        if state == "finishing" or not pending:
            return None
        limit = r.limits.total_s if total else r.limits.per_call_s
        what = "the submission's total time" if total else "the time per call"
        self.stopped = Outcome(pending[0].index, "timeout", message=f"timed out after {limit:g} s ({what})",
                               seconds=seconds, kind="timeout", exc_type="total" if total else "call",
                               exc_text=f"{limit:g}")
        return None

    def _crashed(self, seconds, why):
        state, pending = self.state, self.pending
        self._kill()
        if state == "starting":
            raise WorkerFailure(f"the grader's worker failed to start ({why}): {self.r.output_tail()}")
        if state == "importing":
            self.import_failure = Outcome(-1, "crashed", message=f"the module crashed the worker while being imported "
                                                                 f"({why})", seconds=seconds, kind="import_crash",
                                          exc_text=why)
            return None
        if state == "finishing" or not pending:
            return None
        self.stopped = Outcome(pending[0].index, "crashed", message=f"crashed: {why}", seconds=seconds,
                               kind="crashed", exc_text=why)
        return None

    def _kill(self):
        """Kill the worker and everything it started."""
        if self.r.sandboxed:
            # killing the sandbox's pid 1 makes the kernel kill its whole pid namespace; bwrap then exits
            if self.child_pidfd is not None:
                try:
                    signal.pidfd_send_signal(self.child_pidfd, signal.SIGKILL)
                    return
                except OSError:
                    pass
            elif getattr(self, "child_pid", None):
                try:
                    os.kill(self.child_pid, signal.SIGKILL)
                    return
                except OSError:
                    pass
            self._killpg()
        else:
            # the supervisor kills the worker and every process below it, then exits
            try:
                self.proc.send_signal(signal.SIGTERM)
            except OSError:
                pass

    def _killpg(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            try:
                self.proc.kill()
            except OSError:
                pass

    def _reap(self, timeout: float) -> int | None:
        """Wait for the worker (bwrap) to end; its CPU time is added to the submission's."""
        proc = self.proc
        if proc.returncode is not None:
            return proc.returncode
        end = time.monotonic() + timeout
        while True:
            try:
                pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            except ChildProcessError:
                proc.returncode = proc.returncode if proc.returncode is not None else -1
                return proc.returncode
            if pid:
                self.cpu += ru.ru_utime + ru.ru_stime
                proc.returncode = os.waitstatus_to_exitcode(status)
                return proc.returncode
            if time.monotonic() >= end:
                return None
            if self.pidfd is not None:
                select.select([self.pidfd], [], [], max(0.0, min(0.5, end - time.monotonic())))
            else:
                time.sleep(0.005)

    def _end(self):
        """After the session: the worker and every process it started are gone."""
        code = self._reap(5.0)
        if code is None:  # still running (a worker that ignored its end): kill it
            self._kill()
            code = self._reap(5.0)
            if code is None:
                self._killpg()
                self._reap(5.0)
        if self.r.sandboxed:
            # bwrap has reaped the sandbox's pid 1, which the kernel lets end only after every
            # process of its namespace is gone; make sure of it when bwrap itself was killed
            if self.child_pidfd is not None:
                try:
                    signal.pidfd_send_signal(self.child_pidfd, signal.SIGKILL)
                except OSError:
                    pass
                select.select([self.child_pidfd], [], [], 5.0)
        else:
            self._killpg()  # whatever is left in the process group (the supervisor got the rest)
        self.r.cpu_used += self.cpu


# --------------------------------------------------------------------------- the whole run


class _Runner:
    def __init__(self, source: str, calls: list[Call], limits: Limits, sandbox: str, module: str, filename: str):
        self.limits = limits
        self.import_s = limits.import_s if limits.import_s is not None else limits.per_call_s
        self.sandboxed, note = sandbox_status(sandbox)
        self.info = RunInfo(self.sandboxed, [note] if note else [])
        self.bwrap = shutil.which("bwrap") if self.sandboxed else None
        self.as_root = os.geteuid() == 0
        self.calls = calls
        self.cpu_used = 0.0
        self._out = bytearray()
        self.start = time.monotonic()
        self.deadline = self.start + limits.total_s
        self.jobdir = tempfile.mkdtemp(prefix="rnngrade-")
        drop = None
        if self.as_root and (self.sandboxed or _others_can_use(_python_dirs() + [os.path.dirname(sys.executable)])):
            drop = [NOBODY, NOBODY]
        elif self.as_root:
            self.info.notes.append("running as root without the sandbox: the process-count limit does not apply to "
                                   "root, so only the time limits stop a fork bomb")
        self.workdir = SANDBOX_WORKDIR if self.sandboxed else os.path.join(self.jobdir, "work")
        try:
            self._write_job(source, calls, module, filename, drop)
        except BaseException:
            shutil.rmtree(self.jobdir, ignore_errors=True)
            raise

    def _write_job(self, source, calls, module, filename, drop):
        jd = self.jobdir
        os.chmod(jd, 0o755)
        arrays: dict = {}
        self.call_skeletons = {}
        for c in calls:
            self.call_skeletons[c.index] = {
                "index": c.index, "function": c.function, "driver": c.driver,
                "args": _skeleton(tuple(c.args), arrays), "kwargs": _skeleton(dict(c.kwargs), arrays)}
        np.savez(os.path.join(jd, "inputs.npz"), **arrays)
        Path(jd, "submission.py").write_text(source, encoding="utf-8")
        shutil.copyfile(WORKER, os.path.join(jd, "worker.py"))
        shutil.copyfile(DRIVERS, os.path.join(jd, "drivers.py"))
        for name in ("inputs.npz", "submission.py", "worker.py", "drivers.py"):
            os.chmod(os.path.join(jd, name), 0o644)
        base = SANDBOX_JOB if self.sandboxed else jd
        if not self.sandboxed:
            os.mkdir(self.workdir)
            if drop:
                os.chown(self.workdir, NOBODY, NOBODY)
        lim = self.limits
        self.job_common = {
            "module": module,
            "filename": filename,
            "drop": drop,
            "workdir": self.workdir,
            "limits": {"memory_mb": lim.memory_mb, "cpu_s": lim.cpu_s, "file_mb": lim.file_mb, "nproc": lim.nproc,
                       "output_kb": lim.output_kb},
            "max_result_bytes": MAX_RESULT_BYTES,
            "forbidden_modules": list(FORBIDDEN_MODULES),
            "forbidden_paths": forbidden_paths(),
            "allowed_paths": _python_dirs(),
            "jobdir": base,
        }

    def keep_output(self, data: bytes):
        room = self.limits.output_kb * 1024 - len(self._out)
        if room > 0:
            self._out += data[:room]

    def output_tail(self) -> str:
        text = self._out.decode("utf-8", "replace").strip()
        return text[-500:] if text else "no output"

    def run(self) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        pending = list(self.calls)
        failures = 0
        by_function: dict[str, int] = {}
        lim = self.limits
        try:
            while pending:
                if failures >= lim.max_failures:
                    for c in pending:
                        outcomes[c.index] = Outcome(
                            c.index, "error", kind="skipped",
                            message=f"skipped: the submission crashed or timed out {failures} times")
                    break
                if time.monotonic() >= self.deadline:
                    for c in pending:
                        outcomes[c.index] = Outcome(
                            c.index, "timeout", kind="skipped", exc_text=f"{lim.total_s:g}",
                            message=f"skipped: the submission used up its total time of {lim.total_s:g} s")
                    break
                s = _Session(self, pending)
                s.run()
                for o in s.outcomes:
                    outcomes[o.index] = o
                done = {o.index for o in s.outcomes}
                pending = [c for c in pending if c.index not in done]
                if s.import_failure is not None:
                    f = s.import_failure
                    for c in pending:
                        outcomes[c.index] = Outcome(c.index, "error" if f.status == "crashed" else f.status,
                                                    message=f.message, seconds=0.0, kind=f.kind,
                                                    exc_type=f.exc_type, exc_text=f.exc_text, line=f.line)
                    self.info.import_failure = f
                    pending = []
                    break
                if s.stopped is not None:
                    stopped = s.stopped
                    outcomes[stopped.index] = stopped
                    fn = next(c.function for c in pending if c.index == stopped.index)
                    pending = [c for c in pending if c.index != stopped.index]
                    failures += 1
                    by_function[fn] = by_function.get(fn, 0) + 1
                    if by_function[fn] >= lim.max_failures_per_function:
                        for c in pending:
                            if c.function == fn:
                                outcomes[c.index] = Outcome(
                                    c.index, "error", kind="skipped",
                                    message=f"skipped: {fn} crashed or timed out {by_function[fn]} times")
                        pending = [c for c in pending if c.function != fn]
        finally:
            shutil.rmtree(self.jobdir, ignore_errors=True)
        self.info.output = self._out.decode("utf-8", "replace")
        return [outcomes[c.index] for c in self.calls]


def run_calls(source: str, calls, *, limits: Limits | None = None, sandbox: str = "auto",
              module: str = "submission", filename: str | None = None) -> tuple[list[Outcome], RunInfo]:
    """Run each call on the module ``source`` in an isolated worker; one Outcome per call, in order.

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

    Raises WorkerFailure when the worker cannot start at all (a problem of this machine, not of
    the submission), SandboxUnavailable as above.
    """
    calls = list(calls)
    if len({c.index for c in calls}) != len(calls):
        raise ValueError("the calls' indexes must be distinct")
    runner = _Runner(source, calls, limits or Limits(), sandbox, module, filename or f"{module}.py")
    outcomes = runner.run()
    return outcomes, runner.info
