"""The isolated worker: runs one student module's functions on the calls of a job.

Run as ``python -I -B worker.py JOBDIR`` by runner.py inside bubblewrap, or without it as
``python -I -B worker.py --supervise JOBDIR``: a supervisor (a child subreaper) that runs the
worker as its child and, when the worker ends, kills every process the worker left behind.
Standalone on purpose (stdlib + numpy; drivers.py is loaded by file path): the autograder
package, rnnref and solutions/ are not importable here.

JOBDIR holds (read-only for this process):
  job.json     {"calls": [{"index", "function", "driver", "args", "kwargs"}], "module": name,
                "result_fd": fd, "limits": {...}, "drop": [uid, gid] | null, "workdir": path,
                "forbidden_modules": [...], "forbidden_paths": [...]}
  inputs.npz   the arrays the skeletons of "args"/"kwargs" name (loaded with allow_pickle=False)
  submission.py, drivers.py

Everything goes back to the parent through the pipe ``result_fd`` as frames:
  b"R\\n"                        ready: limits applied, numpy loaded (sent before any student code)
  b"I <n>\\n" + n bytes          the import's outcome, JSON
  b"C <index> <n>\\n" + n bytes  one call's outcome: an .npz (allow_pickle=False) whose member
                                "__meta__" is the JSON {status, kind, exc_type, exc_text, result,
                                args_after, seconds} and whose other members are the arrays the
                                skeletons name
A frame is sent only once complete, so a call that never finishes leaves no outcome. The
parent trusts nothing in these frames beyond their being plain data: it times the calls
itself, decodes without pickle and judges in its own process.

Skeletons (JSON) stand for structures: null, bools, numbers and strings as themselves;
{"t": [...]} a tuple, {"l": [...]} a list, {"d": [[key, value], ...]} a dict with str keys,
{"a": name} an array of the .npz, {"o": description} a value that is not plain data.
"""

import io
import json
import os
import sys
import time

MAX_ARRAY_BYTES = 50 * 2**20  # one returned array
MAX_NODES = 200_000  # items of one returned structure
MAX_DEPTH = 64
MAX_STR = 10_000
PLAIN_KINDS = "biufc"  # bool, int, uint, float, complex


class Channel:
    """Frames to the parent over a pipe: written whole, so a crash leaves no partial outcome."""

    def __init__(self, fd):
        self.fd = fd
        self.os_write = os.write  # bound now: the student's module may replace os.write

    def _write(self, data):
        view = memoryview(data)
        while view:
            n = self.os_write(self.fd, view)
            if not n:
                raise OSError("the result pipe accepts nothing")
            view = view[n:]

    def ready(self):
        self._write(b"R\n")

    def send(self, tag, payload, index=None):
        head = f"{tag} {index} {len(payload)}\n" if index is not None else f"{tag} {len(payload)}\n"
        self._write(head.encode("ascii") + payload)


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


def load_by_path(name, path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def decode(skel, arrays):
    """A skeleton and its arrays (from the parent: trusted) as Python objects, arrays copied."""
    if isinstance(skel, dict):
        if "a" in skel:
            return arrays[skel["a"]].copy()
        if "t" in skel:
            return tuple(decode(x, arrays) for x in skel["t"])
        if "l" in skel:
            return [decode(x, arrays) for x in skel["l"]]
        if "d" in skel:
            return {k: decode(v, arrays) for k, v in skel["d"]}
        raise ValueError(f"unknown skeleton {sorted(skel)}")
    return skel


class Encoder:
    """A student's value as a skeleton plus plain arrays. Never trusts the value: an ndarray
    subclass, an unknown object or anything too large becomes {"o": description}."""

    def __init__(self, np, max_bytes):
        self.np = np
        self.arrays = {}
        self.nodes = 0
        self.bytes_left = max_bytes

    def opaque(self, description):
        return {"o": description[:200]}

    def type_name(self, obj):
        try:
            name = type.__dict__["__name__"].__get__(type(obj))
        except Exception:
            name = "object"
        return name if isinstance(name, str) else "object"

    def article(self, word):
        return ("an " if word[:1].lower() in "aeiou" else "a ") + word

    def encode(self, obj, depth=0):
        np = self.np
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise OverflowError("too many items")
        if depth > MAX_DEPTH:
            return self.opaque("a structure nested too deeply")
        t = type(obj)
        if obj is None or t is bool or t is str and len(obj) <= MAX_STR:
            return obj
        if t is str:
            return self.opaque("a very long str")
        if t is int:
            return obj if abs(obj) < 2**63 else float(obj)
        if t is float:
            return obj
        if t is np.ndarray:
            return self.array(obj)
        if isinstance(obj, np.ndarray):
            return self.opaque(f"{self.article(self.type_name(obj))} (ndarray subclass)")
        if isinstance(obj, np.generic):
            if isinstance(obj, np.bool_):
                return bool(obj)
            if isinstance(obj, np.integer):
                return int(obj)
            if t is np.float64:
                return float(obj)
            return self.array(np.asarray(obj))
        if isinstance(obj, float):
            return float.__float__(obj)
        if isinstance(obj, bool):
            return bool(obj)
        if isinstance(obj, int):
            return int.__index__(obj) if abs(int.__index__(obj)) < 2**63 else float(int.__index__(obj))
        if isinstance(obj, tuple):
            n = tuple.__len__(obj)
            return {"t": [self.encode(tuple.__getitem__(obj, i), depth + 1) for i in range(n)]}
        if isinstance(obj, list):
            n = list.__len__(obj)
            return {"l": [self.encode(list.__getitem__(obj, i), depth + 1) for i in range(n)]}
        if isinstance(obj, dict):
            items = list(dict.items(obj))
            if not all(type(k) is str for k, _ in items):
                return self.opaque("a dict with keys that are not strings")
            return {"d": [[k, self.encode(v, depth + 1)] for k, v in items]}
        if isinstance(obj, complex):
            return self.array(np.asarray(complex(obj)))
        return self.opaque(self.article(self.type_name(obj)))

    def array(self, arr):
        dt = arr.dtype
        if dt.kind not in PLAIN_KINDS or dt.fields is not None or dt.subdtype is not None:
            return self.opaque(f"a numpy.ndarray of dtype {dt}")
        if arr.nbytes > min(MAX_ARRAY_BYTES, self.bytes_left):
            return self.opaque("an array too large to return")
        self.bytes_left -= arr.nbytes
        name = f"x{len(self.arrays)}"
        self.arrays[name] = arr
        return {"a": name}


def packer(np):
    """pack(meta, arrays) -> the bytes of an .npz: the meta JSON as uint8, then the arrays.
    Its functions are bound before the student's module runs (it may monkeypatch numpy)."""
    savez, frombuffer, uint8, dumps, BytesIO = np.savez, np.frombuffer, np.uint8, json.dumps, io.BytesIO

    def pack(meta, arrays):
        buf = BytesIO()
        data = {"__meta__": frombuffer(dumps(meta, allow_nan=True).encode("utf-8"), dtype=uint8)}
        data.update(arrays)
        savez(buf, **data)
        return buf.getvalue()

    return pack


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
    with open(os.path.join(jobdir, "job.json"), "rb") as f:
        job = json.loads(f.read())
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
    drivers = load_by_path("_rnngrade_drivers", os.path.join(jobdir, "drivers.py"))
    with np.load(os.path.join(jobdir, "inputs.npz"), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    cap = int(job.get("limits", {}).get("output_kb", 64)) * 1024
    out_cap = job.get("max_result_bytes", MAX_ARRAY_BYTES)
    with open(os.path.join(jobdir, "submission.py"), "rb") as f:
        source = f.read()
    install_guard(job.get("forbidden_modules", []), job.get("forbidden_paths", []),
                  list(job.get("allowed_paths", [])) + [jobdir, job["workdir"]])
    sys.stdout = CappedStream(1, cap)
    sys.stderr = CappedStream(2, cap)
    sys.stdin = None
    pack = packer(np)
    perf_counter, exit_now, errstate, catch_warnings, simplefilter = (
        time.perf_counter, os._exit, np.errstate, warnings.catch_warnings, warnings.simplefilter)
    chan.ready()

    # ---- the student's module: anything may happen from here on
    filename = job.get("filename", "submission.py")
    name = job.get("module", "submission")
    import types

    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
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
    chan.send("I", json.dumps(info).encode("utf-8"))
    if not info["ok"]:
        exit_now(0)

    namespace = module.__dict__
    for call in job["calls"]:
        func = dict.get(namespace, call["function"])
        t0 = perf_counter()
        meta = {"status": "error", "kind": "missing"}
        args = kwargs = result = None
        if callable(func):
            try:
                args = decode(call["args"], arrays)
                kwargs = decode(call["kwargs"], arrays)
                with catch_warnings(), errstate(all="ignore"):
                    simplefilter("ignore")
                    result = drivers.DRIVERS[call["driver"]](func, args, kwargs)
                meta = {"status": "ok", "kind": "ok"}
            except BaseException as exc:  # SystemExit, KeyboardInterrupt, … included
                tname, text, line = exception_info(exc, filename)
                kind = "not_implemented" if isinstance(exc, NotImplementedError) else "raised"
                meta = {"status": "error", "kind": kind, "exc_type": tname, "exc_text": text, "line": line}
        meta["seconds"] = perf_counter() - t0
        enc = Encoder(np, out_cap)
        try:
            if meta["status"] == "ok":
                meta["result"] = enc.encode(result)
                meta["args_after"] = enc.encode(args)
            payload = pack(meta, enc.arrays)
        except BaseException as exc:
            meta = {"status": "ok", "kind": "ok", "seconds": meta["seconds"],
                    "result": {"o": "a value that could not be returned"
                               + (" (too large)" if isinstance(exc, OverflowError) else "")},
                    "args_after": None}
            payload = pack(meta, {})
        chan.send("C", payload, call["index"])
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
