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
        data = self.os_read(self.fd, 1 << 16)  # below malloc's mmap threshold: no mmap/munmap per read
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


def refuse(kind, facts=()):
    raise ValueError(f"the grader sent a value that is not plain data ({kind})")


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


def lower_cpu_limit(remaining):
    """RLIMIT_CPU: what this process has used so far plus the submission's remaining CPU time (a worker started
    ahead of its turn learns that only when its turn comes)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    cpu = max(1, int(ru.ru_utime + ru.ru_stime + float(remaining) + 0.999))
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    new_hard = cpu + 1 if hard == resource.RLIM_INFINITY else min(hard, cpu + 1)
    new_soft = min(cpu, new_hard) if soft == resource.RLIM_INFINITY else min(soft, cpu, new_hard)
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (new_soft, new_hard))
    except (ValueError, OSError):
        pass


def main(argv, preloaded=None):
    """The worker: from its job folder (argv[1], the job file argv[2]), or forked from the template (preloaded:
    (wire, drivers), privileges already dropped), when the job and the source come first on the input pipe."""
    jobdir = argv[1]
    if preloaded is None:
        texts = {}
        job_name = argv[2] if len(argv) > 2 else "job.json"
        for name in (job_name, "wire.py", "drivers.py", "submission.py"):
            with open(os.path.join(jobdir, name), "rb") as f:
                texts[name] = f.read()
        job = json.loads(texts.pop(job_name))
        source = texts.pop("submission.py")
        chan = Channel(int(job["result_fd"]))
        if job.get("drop"):
            drop_privileges(*job["drop"])
    else:
        wire, drivers = preloaded[:2]
        calls = Calls(0, wire.parse_head)
        frame = calls.next()  # the grader's: the job and the submission's source, before anything runs
        if frame is None or frame[0] != "J":
            raise ValueError("the grader did not send the job")
        job = json.loads(bytes(frame[2]))
        source = job.pop("source").encode("utf-8")
        chan = Channel(int(job["result_fd"]))
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
    if preloaded is None:
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
    go = calls.next()
    if go is None or go[0] != "G":  # the grader has read R: only now may the student's code run
        raise ValueError("the grader did not say go")
    if go[2]:
        lower_cpu_limit(json.loads(bytes(go[2]))["cpu_s"])
    del go

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
            out = encode({"status": "ok", "kind": "ok", "result": {"o": "unreturnable"},
                          "args_after": None}, {})
        del result, args
        chan.send(head("C", index, token, size=len(out)) + out)
    # no atexit hooks, no finalizers: the student's code must not run after the last call
    exit_now(0)


# --------------------------------------------------------------------------- template (bubblewrap, as root)

# Linux's constants (sched.h, mount.h, prctl.h)
CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
MS_RDONLY, MS_REMOUNT, MS_BIND = 1, 32, 4096

PR_SET_PDEATHSIG, PR_SET_NAME, PR_CAPBSET_DROP = 1, 15, 24
#: the uids of the template's workers: one per worker alive at a time, in a block of TEMPLATE_SLOTS chosen by the
#: template's pid (two graders on one machine, e.g. two Dask worker processes, use different blocks), above the
#: ranges systems give users and containers (systemd-nspawn's ends at 0x6FFFFFFF) and below 2**31
TEMPLATE_UID_BASE = 0x70000000
TEMPLATE_SLOTS = 4096
TEMPLATE_UID_SPAN = 4096 * TEMPLATE_SLOTS


def _libc_call(libc, what, *args):
    import ctypes

    if getattr(libc, what)(*args) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _only_fds(fds):
    """Keep fds as 3, 4, … (in order) and stdio; close every other descriptor."""
    import fcntl

    import resource

    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 3 + len(fds)) for fd in fds]
    for i, fd in enumerate(high):
        os.dup2(fd, 3 + i)
    os.closerange(3 + len(fds), max(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 1 << 16))


def _devnull_stdio():
    null = os.open("/dev/null", os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    if null > 2:
        os.close(null)


def _mounts_under_tmp() -> list:
    """The mount points strictly under /tmp in this view, outermost only (a Python or venv that lives under /tmp,
    bound there by bubblewrap over its tmpfs, with the masks inside it): a worker's fresh /tmp must keep them."""
    import re

    found = []
    with open("/proc/self/mountinfo", "rb") as f:
        for line in f:
            point = line.split()[4].decode("utf-8", "surrogateescape")
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), point)  # mountinfo's escapes
            if point.startswith("/tmp/"):
                found.append(point)
    found = sorted(set(found))
    return [m for m in found if not any(m.startswith(o + "/") for o in found if o != m)]


def _template_worker(libc, fds, uid, request, preloaded):
    """The worker, forked by the template as pid 1 of a new pid namespace (bubblewrap's part, without its reaper):
    namespaces, its own /proc, /tmp and /dev/pts; then no capability left, its own uid, and main(). When it ends,
    the kernel ends whatever is left in its namespace; the template, in the grader's pid namespace, reports its pid
    and how it ended.

    As a namespace's pid 1 it gets no signal it has no handler for from inside the namespace (a fault's still
    ends it; the grader's SIGKILL comes from outside): RLIMIT_CPU's SIGXCPU gets a handler that ends it as that
    signal would, as a fresh worker's SIGXCPU ends it (the hard limit's SIGKILL a second later still does)."""
    import signal

    _only_fds(fds)  # 0-2: stdio of nothing yet; 3: results, 4: info (the template's), 5: input, 6: output, 7: the
    os.close(4)     # template's pidfd
    libc.prctl(PR_SET_NAME, b"rnngrade-worker", 0, 0, 0)  # what ps and top show
    in_r, out_w = 5, 6
    os.dup2(in_r, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.close(in_r)
    os.close(out_w)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.setsid()
    _libc_call(libc, "unshare", CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)
    _libc_call(libc, "mount", None, b"/", None, MS_REC | MS_PRIVATE, None)
    tmp = f"mode=1777,size={int(request.get('tmp_mb', 64)) * 2**20}".encode()
    _libc_call(libc, "mount", b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    kept = [(m, os.open(m, os.O_PATH | os.O_DIRECTORY)) for m in preloaded[2]]  # before the fresh /tmp hides them
    _libc_call(libc, "mount", b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, tmp)
    for point, fd in kept:  # bound again, read-only, with whatever is mounted inside (the grader's masks)
        os.makedirs(point, mode=0o755, exist_ok=True)
        _libc_call(libc, "mount", f"/proc/self/fd/{fd}".encode(), point.encode(), None, MS_BIND | MS_REC, None)
        _libc_call(libc, "mount", None, point.encode(), None, MS_REMOUNT | MS_BIND | MS_RDONLY, None)
        os.close(fd)
    if os.path.isdir("/dev/pts"):
        _libc_call(libc, "mount", b"devpts", b"/dev/pts", b"devpts", MS_NOSUID | MS_NOEXEC,
                   b"newinstance,ptmxmode=0666,mode=620")
    signal.signal(signal.SIGXCPU, _cpu_limit_reached)
    for cap in range(64):  # nothing can be regained, even by executing a set-user-ID program
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    drop_privileges(uid, uid)
    # a new uid clears the parent-death signal: set again, then make sure the template did not end before (its
    # pidfd, fd 7, reads as ready once it has): a worker must never outlive its template
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if len(fds) > 4:
        import select

        if select.select([7], [], [], 0)[0]:
            os._exit(70)
        os.close(7)
    main(["worker", "/job"], preloaded)


def _cpu_limit_reached(signum, frame):
    os._exit(128 + signum)  # as the signal itself would end it, in the status the template reports


def _fork_in_new_pid_namespace(libc, own_pid_ns):
    """os.fork() whose child is pid 1 of a new pid namespace (the template itself stays in its own): unshare
    CLONE_NEWPID applies to the next child only, once; setns to the template's own namespace first makes it
    possible again for each worker."""
    _libc_call(libc, "setns", own_pid_ns, CLONE_NEWPID)
    _libc_call(libc, "unshare", CLONE_NEWPID)
    return os.fork()


class _Reported:
    """The template's end of a worker's info pipe: {"child-pid"} once forked, {"exit-code", "cpu"} once it has ended
    (its status, a signal as 128 + its number, and its CPU time), then the pipe's end. The template only writes
    there: nothing comes back from a worker."""

    def __init__(self, pid, info_fd, slot):
        self.pid, self.info, self.slot = pid, info_fd, slot
        try:
            self.pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.pidfd = None
        os.set_blocking(info_fd, False)  # a grader that stopped reading must not stall the template
        self.say({"child-pid": pid})

    def say(self, fact):
        try:
            os.write(self.info, (json.dumps(fact) + "\n").encode())
        except OSError:
            pass

    def ended(self):
        """Whether pid 1 has ended: then it is reaped and reported, and the pipe closed."""
        try:
            pid, status, ru = os.wait4(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status, ru = self.pid, None, None
        except InterruptedError:
            return False
        if not pid:
            return False
        code = 70
        if status is not None:
            code = os.waitstatus_to_exitcode(status)
            code = 128 - code if code < 0 else code
        self.say({"exit-code": code, "cpu": (ru.ru_utime + ru.ru_stime) if ru is not None else 0.0})
        for fd in (self.info, self.pidfd):
            if fd is not None:
                os.close(fd)
        return True


def _warm_up(wire, np):
    """Run once, in the template, what every worker's first call would otherwise pay for: the frames' encoding and
    decoding, numpy's first array operations and error states (the grader's own code and data only)."""
    import warnings

    a = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    frame = wire.encode({"function": "f", "driver": "call"}, {"args": (a, [a[0], {"k": 1.5}]), "kwargs": {}}, None)
    _, values = wire.decode(frame, None, refuse, copy=True)
    b = values["args"][0]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        out = np.tanh(b @ b.T) + np.exp(-b).sum(axis=0, keepdims=True).T[:3] * np.maximum(b, 0.0)[:, :3]
        np.einsum("ij,ij->i", out, out), np.linalg.norm(out), np.outer(b[0], b[1]), np.clip(out, -1, 1)
    wire.encode({"status": "ok", "kind": "ok"}, {"result": (out, float(out[0, 0]), [out]), "args_after": None})


def template(argv):
    """``worker.py --template JOBDIR FD``: Python, numpy, wire.py and drivers.py loaded once (no student code,
    ever), then for each request of the grader on the socket FD — four pipe ends (results, info, input, output)
    and {"tmp_mb"} — a fresh worker forked in namespaces of its own, as its own uid: the template forks the new pid
    namespace's pid 1, which is the worker (_template_worker), and reports on the info pipe its pid and, once it has
    ended, its status (_Reported). It reads nothing from its workers (only the kernel's word on how they
    ended), and a worker has nothing of the template but its memory as it was before any student code ran."""
    import ctypes
    import select
    import signal
    import socket

    jobdir, ctl = argv[2], int(argv[3])
    texts = {}
    for name in ("wire.py", "drivers.py"):
        with open(os.path.join(jobdir, name), "rb") as f:
            texts[name] = f.read()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    libc.prctl(PR_SET_NAME, b"rnngrade-tmpl", 0, 0, 0)
    import importlib.abc  # noqa: F401 - loaded once, for the workers (install_guard, apply_limits, load_source)
    import resource  # noqa: F401
    import types  # noqa: F401
    import warnings  # noqa: F401

    import numpy  # noqa: F401 - BLAS on one thread (the environment says so before this import): fork is safe

    wire = load_source("_rnngrade_wire", os.path.join(jobdir, "wire.py"), texts["wire.py"])
    drivers = load_source("_rnngrade_drivers", os.path.join(jobdir, "drivers.py"), texts["drivers.py"])
    preloaded = (wire, drivers, _mounts_under_tmp())
    _warm_up(wire, numpy)
    sock = socket.socket(fileno=ctl)
    _devnull_stdio()
    own_pid_ns = os.open("/proc/self/ns/pid", os.O_RDONLY)
    try:
        lifeline = [os.pidfd_open(os.getpid())]  # a worker checks it once it has its uid (_template_worker)
    except (AttributeError, OSError):
        lifeline = []
    live = {}  # pid -> _Reported
    free = list(range(TEMPLATE_SLOTS - 1, -1, -1))
    uid_base = TEMPLATE_UID_BASE + (os.getpid() % (TEMPLATE_UID_SPAN // TEMPLATE_SLOTS)) * TEMPLATE_SLOTS
    fd_space = socket.CMSG_SPACE(4 * 4)
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    while True:
        # each worker's end as soon as its pidfd says so (every 50 ms where there is none)
        blind = any(w.pidfd is None for w in live.values())
        ready = {fd for fd, _ in poller.poll(50 if blind else 500)}
        for pid, w in list(live.items()):
            if (w.pidfd is None or w.pidfd in ready) and w.ended():
                del live[pid]
                if w.pidfd is not None:
                    poller.unregister(w.pidfd)
                free.append(w.slot)
        if sock.fileno() not in ready:
            continue
        msg, anc, _flags, _ = sock.recvmsg(4096, fd_space)
        fds = []
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds += list(memoryview(data).cast("i"))
        if not msg:
            break  # the grader is done
        if len(fds) != 4 or not free:
            for fd in fds:
                os.close(fd)
            continue  # the grader sees its pipes end at once: the worker failed to start
        request = json.loads(msg)
        slot = free.pop()
        try:
            pid = _fork_in_new_pid_namespace(libc, own_pid_ns)
        except OSError:
            pid = None
        if pid == 0:
            try:
                sock.close()
                _template_worker(libc, fds + lifeline, uid_base + slot, request, preloaded)
            except BaseException as exc:
                _failed(exc)
            finally:
                os._exit(70)
        for i, fd in enumerate(fds):
            if pid is None or i != 1:  # the info pipe (fds[1]) stays: the template reports there
                os.close(fd)
        if pid is None:
            free.append(slot)
            continue
        w = live[pid] = _Reported(pid, fds[1], slot)
        if w.pidfd is not None:
            poller.register(w.pidfd, select.POLLIN)
    os.close(own_pid_ns)
    os._exit(0)


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


def _failed(exc):
    """Say on the worker's output why the worker itself failed (before or between calls): the grader shows its tail.
    The caller then exits with 70."""
    try:
        os.write(2, f"\nrnngrade worker failed: {type(exc).__name__}: {exc}\n".encode("utf-8", "replace"))
    except BaseException:  # noqa: BLE001 - its output may be gone
        pass


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
        os.execv(sys.executable, [sys.executable, "-I", "-B", os.path.abspath(argv[0]), *argv[2:]])

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
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--supervise":
        supervise(sys.argv)
    if len(sys.argv) == 4 and sys.argv[1] == "--template":
        template(sys.argv)
    try:
        main(sys.argv)
    except BaseException as exc:
        _failed(exc)
        os._exit(70)
