"""The isolated worker: runs one student module's functions, one call at a time.

Run as ``python -I -B worker.py JOBDIR`` by session.py inside bubblewrap, or without it as
``python -I -B worker.py --supervise JOBDIR``: a supervisor (a child subreaper) that runs the
worker as its child and, when the worker ends, kills every process the worker left behind.
Standalone on purpose (stdlib + numpy; wire.py and drivers.py are loaded from their source):
the autograder package, rnnref and solutions/ are not importable here.

JOBDIR (readable by the grader's user only: everything is read before dropping to uid 65534)
holds job.json {"module", "filename", "result_fd", "input_fd", "limits": {...}, "drop": [uid,
gid] | null, "workdir", "forbidden_modules", "forbidden_paths", "allowed_paths", "jobdir"},
worker.py, wire.py, drivers.py and submission.py. No inputs: each call's arrive on
``input_fd`` (stdin) as a K frame when the grader makes that call (see wire.py for the frames).

To the grader, through the pipe ``result_fd``: R once limits are applied and numpy is loaded
(then it waits for the grader's G: no student code has run yet), I with the import's outcome,
then for each K frame received the C frame of that call's outcome, with the K frame's index
and token. The end of the input is the end of the run. A frame is written whole, once
complete, so a call that never finishes leaves no outcome. The grader trusts nothing in these
frames beyond their being plain data: it times the calls itself, decodes them as hostile
(wire.decode) and judges them in its own process.
"""

import io
import json
import os
import sys
import time


class Channel:
    """Frames to the grader over a pipe: written whole, so a crash leaves no partial outcome."""

    def __init__(self, fd):
        self.fd = fd
        self.os_write = os.write  # bound now: the student's module may replace os.write

    def send(self, frame):
        view = memoryview(frame)
        while view:
            n = self.os_write(self.fd, view)
            if not n:
                raise OSError("the result pipe accepts nothing")
            view = view[n:]


class Calls:
    """Frames from the grader: G once, then K frames, each the next call; None once there are no more."""

    def __init__(self, fd, parse_head):
        self.fd, self.parse_head, self.buf = fd, parse_head, bytearray()
        self.os_read = os.read  # bound now, like Channel's

    def next(self):
        while True:
            head = self.parse_head(self.buf)
            if head is not None:
                tag, fields, size, n = head
                while len(self.buf) < n + size:
                    if not self._fill():
                        raise EOFError("the grader's input ended inside a frame")
                payload = self.buf[n: n + size]
                del self.buf[: n + size]
                return tag, fields, payload
            if not self._fill():
                return None

    def _fill(self):
        data = self.os_read(self.fd, 1 << 20)
        self.buf += data
        return bool(data)

class CappedStream(io.TextIOBase):
    """sys.stdout / sys.stderr: the first `cap` characters reach the fd, the rest is dropped
    (a 200 MB print costs nothing but the time to build the string)."""

    def __init__(self, fd, cap):
        self.fd, self.left = fd, cap
        self.buffer = _CappedBytes(self)

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "replace"

    def writable(self):
        return True

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        if self.left > 0:
            self._out(s[: self.left].encode("utf-8", "replace"))
        return len(s)

    def _out(self, data):
        data = data[: max(0, self.left)]
        self.left -= len(data)
        try:
            os.write(self.fd, data)
        except OSError:
            self.left = 0

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        return self.fd


class _CappedBytes:
    """sys.stdout.buffer: the same cap, for bytes."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, b):
        data = bytes(b)
        if self.stream.left > 0:
            self.stream._out(data)
        return len(data)

    def flush(self):
        pass


# --------------------------------------------------------------------------- setup


def drop_privileges(uid, gid):
    """From root (the sandbox's only capabilities are CAP_SETUID/CAP_SETGID) to uid:gid."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise RuntimeError("could not drop privileges")


def apply_limits(limits):
    import resource

    def lim(which, soft, hard=None):
        if soft is None:
            return
        hard = soft if hard is None else hard
        try:
            old_soft, old_hard = resource.getrlimit(which)
            if old_hard != resource.RLIM_INFINITY:
                hard = min(hard, old_hard)
                soft = min(soft, hard)
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            pass

    mb = 2**20
    lim(resource.RLIMIT_AS, limits.get("memory_mb") and int(limits["memory_mb"] * mb))
    cpu = limits.get("cpu_s")
    if cpu is not None:
        cpu = max(1, int(cpu + 0.999))
        lim(resource.RLIMIT_CPU, cpu, cpu + 1)  # SIGXCPU, then SIGKILL a second later
    lim(resource.RLIMIT_FSIZE, limits.get("file_mb") and int(limits["file_mb"] * mb))
    lim(resource.RLIMIT_NPROC, limits.get("nproc"))
    lim(resource.RLIMIT_CORE, 0)
    lim(resource.RLIMIT_NOFILE, 256)


def install_guard(forbidden_modules, forbidden_paths, allowed_paths=()):
    """Refuse the forbidden packages (an import hook first in sys.meta_path, and an audit hook
    that cannot be removed), files under the forbidden paths, child processes and sockets."""
    import importlib.abc

    top = frozenset(forbidden_modules)

    def refused(name):
        return isinstance(name, str) and name.partition(".")[0] in top

    class Guard(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if refused(name):
                raise ImportError(f"{name.partition('.')[0]} is not available to submissions", name=name)
            return None

    # the editable install's finder maps rnnref/autograder to the checkout: not for submissions
    def editable(f):
        mod = f.__module__ if isinstance(f, type) else type(f).__module__
        return "__editable__" in (mod or "")

    sys.meta_path[:] = [f for f in sys.meta_path if not editable(f)]
    sys.meta_path.insert(0, Guard())
    roots = tuple(os.path.normpath(p) for p in forbidden_paths)
    # the deepest root containing a path decides: a venv inside the checkout is allowed,
    # the grader's packages inside an allowed site-packages are not
    marks = sorted([(os.path.normpath(p), True) for p in forbidden_paths]
                   + [(os.path.normpath(p), False) for p in allowed_paths], key=lambda m: -len(m[0]))

    def inside(full):
        for root, forbidden in marks:
            if full == root or full.startswith(root.rstrip(os.sep) + os.sep):
                return forbidden
        return False

    sys.path[:] = [p for p in sys.path if not (isinstance(p, str) and inside(os.path.normpath(os.path.abspath(p or "."))))]

    def under_forbidden(path):
        if isinstance(path, bytes):
            path = path.decode("utf-8", "replace")
        if not isinstance(path, str):
            return False
        try:
            return inside(os.path.normpath(os.path.join(os.getcwd(), path)))
        except OSError:  # no current directory any more
            return inside(os.path.normpath(path))

    no_children = frozenset({"os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.exec", "os.system",
                             "subprocess.Popen", "pty.spawn", "os.startfile"})
    no_signals = frozenset({"os.kill", "os.killpg", "signal.pthread_kill"})
    no_network = frozenset({"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
                            "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"})

    def hook(event, args):
        if event == "import":
            if args and refused(args[0]):
                raise ImportError(f"{args[0].partition('.')[0]} is not available to submissions")
        elif event == "open":
            if roots and args and under_forbidden(args[0]):
                raise PermissionError(f"{args[0]} is not available to submissions")
        elif event in no_children:
            raise PermissionError("child processes are not allowed in submissions")
        elif event in no_signals:
            raise PermissionError("sending signals is not allowed in submissions")
        elif event in no_network:
            raise PermissionError("network access is not allowed in submissions")

    sys.addaudithook(hook)


# --------------------------------------------------------------------------- data


def load_source(name, path, source):
    """A module from its source (read before the privileges were dropped)."""
    import types

    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(compile(source, path, "exec", dont_inherit=True), module.__dict__)
    return module


def refuse(description):
    raise ValueError(f"the grader sent {description}")


def exception_info(exc, filename):
    """(type name, first line of the message, line in the submission or None); never raises."""
    try:
        name = type.__dict__["__name__"].__get__(type(exc))
    except Exception:
        name = "BaseException"
    try:
        text = str(exc)
    except BaseException:
        text = ""
    if not isinstance(text, str):
        text = ""
    text = text.strip().splitlines()[0][:300] if text.strip() else ""
    line = None
    try:
        if isinstance(exc, SyntaxError) and exc.filename == filename:
            line = exc.lineno
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == filename:
                line = tb.tb_lineno
            tb = tb.tb_next
    except BaseException:
        pass
    return name, text, line


# --------------------------------------------------------------------------- main


def main(argv):
    jobdir = argv[1]
    texts = {}
    for name in ("job.json", "wire.py", "drivers.py", "submission.py"):
        with open(os.path.join(jobdir, name), "rb") as f:
            texts[name] = f.read()
    job = json.loads(texts["job.json"])
    chan = Channel(int(job["result_fd"]))
    if job.get("drop"):
        drop_privileges(*job["drop"])
    apply_limits(job.get("limits", {}))
    os.makedirs(job["workdir"], exist_ok=True)
    os.chdir(job["workdir"])
    try:
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails, it does not kill
    except (ImportError, AttributeError, ValueError):
        pass

    import warnings

    import numpy as np

    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    wire = load_source("_rnngrade_wire", os.path.join(jobdir, "wire.py"), texts["wire.py"])
    drivers = load_source("_rnngrade_drivers", os.path.join(jobdir, "drivers.py"), texts["drivers.py"])
    calls = Calls(int(job.get("input_fd", 0)), wire.parse_head)
    cap = int(job.get("limits", {}).get("output_kb", 64)) * 1024
    install_guard(job.get("forbidden_modules", []), job.get("forbidden_paths", []),
                  list(job.get("allowed_paths", [])) + [jobdir, job["workdir"]])
    sys.stdout = CappedStream(1, cap)
    sys.stderr = CappedStream(2, cap)
    sys.stdin = None
    # bound before the student's module runs: it may monkeypatch numpy, time, warnings, os
    encode, decode, head, driver_table = wire.encode, wire.decode, wire.head, dict(drivers.DRIVERS)
    exit_now, errstate, catch_warnings, simplefilter = os._exit, np.errstate, warnings.catch_warnings, \
        warnings.simplefilter
    chan.send(head("R"))
    if calls.next()[0] != "G":  # the grader has read R: only now may the student's code run
        raise ValueError("the grader did not say go")

    # ---- the student's module: anything may happen from here on
    filename = job.get("filename", "submission.py")
    name = job.get("module", "submission")
    import types

    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    try:
        code = compile(texts.pop("submission.py"), filename, "exec", dont_inherit=True)
        exec(code, module.__dict__)
        info = {"ok": True}
    except SystemExit as exc:
        code_ = exc.code
        info = {"ok": False, "kind": "exit", "exc_type": "SystemExit",
                "exc_text": code_ if isinstance(code_, (int, str)) and not isinstance(code_, bool) else None,
                "line": exception_info(exc, filename)[2]}
        if isinstance(info["exc_text"], str):
            info["exc_text"] = info["exc_text"][:300]
    except BaseException as exc:  # the student's failure is the student's result
        kind = "syntax" if isinstance(exc, SyntaxError) else "exception"
        tname, text, line = exception_info(exc, filename)
        if isinstance(exc, SyntaxError):
            text = exc.msg if isinstance(exc.msg, str) else text
        info = {"ok": False, "kind": kind, "exc_type": tname, "exc_text": text, "line": line}
    payload = json.dumps(info).encode("utf-8")
    chan.send(head("I", size=len(payload)) + payload)
    if not info["ok"]:
        exit_now(0)

    namespace = module.__dict__
    while True:
        frame = calls.next()  # nothing of a call is here before the grader makes it
        if frame is None:
            break
        tag, fields, payload = frame
        if tag != "K":
            raise ValueError(f"unexpected frame {tag} from the grader")
        index, token = fields
        fields, values = decode(payload, None, refuse, copy=True)
        del payload
        func = dict.get(namespace, fields.get("function"))
        meta = {"status": "error", "kind": "missing"}
        args = result = None
        if callable(func):
            args, kwargs = values["args"], values["kwargs"]
            try:
                with catch_warnings(), errstate(all="ignore"):
                    simplefilter("ignore")
                    result = driver_table[fields["driver"]](func, args, kwargs)
                meta = {"status": "ok", "kind": "ok"}
            except BaseException as exc:  # SystemExit, KeyboardInterrupt, … included
                tname, text, line = exception_info(exc, filename)
                kind = "not_implemented" if isinstance(exc, NotImplementedError) else "raised"
                meta = {"status": "error", "kind": kind, "exc_type": tname, "exc_text": text, "line": line}
        try:
            out = encode(meta, {"result": result, "args_after": args} if meta["status"] == "ok" else {})
        except BaseException:  # e.g. a RecursionError or MemoryError on the student's value
            out = encode({"status": "ok", "kind": "ok", "result": {"o": "a value that could not be returned"},
                          "args_after": None}, {})
        del result, args
        chan.send(head("C", index, token, size=len(out)) + out)
    # no atexit hooks, no finalizers: the student's code must not run after the last call
    exit_now(0)


# --------------------------------------------------------------------------- supervisor (no sandbox)


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        pass
    kids = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    stat = f.read()
                if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                    kids.append(int(name))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def _kill_descendants(limit_s=10.0):
    """Kill every process left below this one (orphans are reparented to us: a subreaper)."""
    import signal

    me = os.getpid()
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        for kid in _children(me):
            try:
                os.kill(kid, signal.SIGKILL)
            except OSError:
                pass
        try:
            pid, _ = os.waitpid(-1, 0)  # reap one; its orphans (if any) are ours now
        except ChildProcessError:
            return
        except InterruptedError:
            continue


def supervise(argv):
    """Without bubblewrap: run the worker as a child, as a child subreaper, so that a daemon the
    student's code starts (even setsid'd) is reparented here and killed when the worker ends."""
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    pid = os.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-I", "-B", os.path.abspath(argv[0]), argv[2]])

    def on_term(signum, frame):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        _kill_descendants()
        os._exit(128 + signal.SIGKILL)

    signal.signal(signal.SIGTERM, on_term)
    status = None
    while True:
        try:
            p, st = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if p == pid:
            status = st
            break
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _kill_descendants()
    if status is None:
        os._exit(70)
    code = os.waitstatus_to_exitcode(status)
    os._exit(128 - code if code < 0 else code)  # a signal as 128 + its number, as bubblewrap does


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--supervise":
        supervise(sys.argv)
    try:
        main(sys.argv)
    except BaseException as exc:  # a failure of the worker itself (before or between calls)
        try:
            os.write(2, f"\nrnngrade worker failed: {type(exc).__name__}: {exc}\n".encode("utf-8", "replace"))
        finally:
            os._exit(70)
