"""Where the worker runs and as whom: bubblewrap's arguments, whether the sandbox works here,
the uid the worker drops to, its limits and its environment.

- bubblewrap: new pid, network, ipc and uts namespaces; a read-only view of /usr and of the
  Python installation(s) only (the checkout, ``rnnref``, ``autograder`` and ``solutions/`` are
  not there; where they lie inside a bound directory an empty tmpfs hides them); a private,
  size-capped tmpfs /tmp holding the working directory; a scrubbed environment; a new session.
  As root: no user namespace and no capabilities but CAP_SETUID/CAP_SETGID, with which the
  worker becomes the real uid 65534 before anything else (a user namespace would map its
  uid to root, for which RLIMIT_NPROC does not count); otherwise an unprivileged user namespace
  that cannot create more. The sandbox dies with the grader (--die-with-parent).
- without bubblewrap, as root (e.g. in Docker, where bwrap cannot start): the worker still
  becomes uid 65534 once it has read its job folder (readable by root only), so that the file
  system's permissions keep it out of what other users cannot read. ``user_plan`` checks,
  from the permission bits along each path, that uid 65534 can reach Python and can read
  neither the grader's sources nor the folders the caller protects (results); whatever it
  cannot arrange is said in one note naming the paths and the fix.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .errors import SandboxUnavailable

HERE = Path(__file__).resolve().parent
NOBODY = 65534
SANDBOX_JOB = "/job"
SANDBOX_WORKDIR = "/tmp/work"
FORBIDDEN_MODULES = ("rnnref", "autograder", "solutions")
SYSTEM_DIRS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime")


@dataclass(frozen=True)
class Limits:
    """Limits of one submission's run. Times in seconds, sizes in MB / KB."""

    per_call_s: float = 5.0  # wall clock per call (and for importing the module)
    total_s: float = 60.0  # wall clock for everything, restarts and judging included
    cpu_s: float = 60.0  # CPU time for all the workers together
    memory_mb: int = 2048  # address space of the worker
    output_kb: int = 64  # stdout + stderr kept (the rest is dropped)
    file_mb: int = 32  # largest file the worker may write
    nproc: int = 32  # processes (and threads) of the sandbox user: fork bombs stop here
    max_failures: int = 5  # crashes + timeouts before all the remaining calls are skipped
    max_failures_per_function: int = 2  # … before that function's remaining calls are skipped
    import_s: float | None = None  # importing the module; default per_call_s


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def forbidden_paths() -> list[str]:
    """What submissions must not see: the grader's packages, and the checkout they live in."""
    paths = [str(HERE)]
    spec = importlib.util.find_spec("rnnref")
    if spec is not None and spec.origin:
        paths.append(str(Path(spec.origin).resolve().parent))
    root = HERE.parent
    if (root / "pyproject.toml").is_file() or (root / "solutions").is_dir():
        paths += [str(root), str(root / "solutions")]
    return list(dict.fromkeys(paths))


def python_dirs() -> list[str]:
    """The Python installation(s) the worker needs, as the interpreter names them."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    real = os.path.realpath(sys.executable)
    dirs.add(os.path.dirname(os.path.dirname(real)))
    spec = importlib.util.find_spec("numpy")  # numpy's site-packages, without importing it here
    if spec is not None and spec.origin:
        dirs.add(os.path.dirname(os.path.dirname(os.path.abspath(spec.origin))))
    return sorted(d for d in dirs if d and os.path.isdir(d) and d != "/")


def environment(home: str) -> dict:
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


# --------------------------------------------------------------------------- bubblewrap


def bwrap_args(bwrap: str, as_root: bool, jobdir: str | None, limits: Limits, info_fd: int | None,
               template: bool = False) -> list[str]:
    """bubblewrap's command line for one worker; with template (as root only), for the worker template
    (worker.py --template): the same view of the file system, but in the grader's pid namespace and with
    CAP_SYS_ADMIN, with which it gives each worker it forks namespaces, a /tmp, a /proc and a uid of its own, and
    CAP_KILL, without which the kernel would not deliver a worker (another uid) its parent-death signal: no worker
    outlives the template."""
    args = [bwrap, "--die-with-parent", "--new-session"]
    if as_root:
        # no user namespace: the worker becomes the real uid 65534, for which RLIMIT_NPROC counts
        args += ["--unshare-ipc"] + ([] if template else ["--unshare-pid"]) + [
            "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        if template:
            args += ["--cap-add", "CAP_SYS_ADMIN", "--cap-add", "CAP_SETPCAP",  # SETPCAP: to empty the bounding set
                     "--cap-add", "CAP_KILL"]
    elif template:
        raise ValueError("the worker template needs root")
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
    for d in python_dirs():  # sorted: a directory comes before what it contains
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
    for k, v in environment("/tmp").items():
        args += ["--setenv", k, v]
    if jobdir is not None:
        args += ["--ro-bind", jobdir, SANDBOX_JOB]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    return args


_probe_lock = threading.Lock()


@functools.lru_cache(maxsize=None)
def _probe(bwrap: str, as_root: bool) -> str | None:
    """None when bubblewrap can run this Python in a sandbox here, else the reason."""
    code = "import os; os.setgroups([]); os.setgid(65534); os.setuid(65534)" if as_root else "pass"
    cmd = bwrap_args(bwrap, as_root, None, Limits(), None) + [sys.executable, "-I", "-S", "-c", code]
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


# --------------------------------------------------------------------------- the worker's user


def _nobody_may(st: os.stat_result, read: bool) -> bool:
    """Does uid/gid 65534 (no other groups) have read (else search) permission on this inode?"""
    if st.st_uid == NOBODY:
        bit = stat.S_IRUSR if read else stat.S_IXUSR
    elif st.st_gid == NOBODY:
        bit = stat.S_IRGRP if read else stat.S_IXGRP
    else:
        bit = stat.S_IROTH if read else stat.S_IXOTH
    return bool(st.st_mode & bit)


def _blocked_at(path: str) -> str | None:
    """The first directory on the way to path (path included) that uid 65534 cannot search."""
    parts = os.path.abspath(path).split("/")
    for i in range(1, len(parts) + 1):
        cur = "/".join(parts[:i]) or "/"
        try:
            if not _nobody_may(os.stat(cur), read=False):
                return cur
        except OSError:
            return cur
    return None


def _exposed(path: str, allowed: list[str], out: list[str]) -> None:
    """Append what under path uid 65534 can read (its ancestors being searchable), the Python
    directories in allowed excepted: a directory that holds one must stay searchable, so its
    other entries are looked at one by one."""
    try:
        st = os.stat(path)
    except OSError:
        return
    inner = [a for a in allowed if _within(a, path)]
    if path in inner:
        return
    if inner and stat.S_ISDIR(st.st_mode):
        if _nobody_may(st, read=False):
            try:
                names = sorted(os.listdir(path))
            except OSError:
                return
            for name in names:
                child = os.path.join(path, name)
                if not os.path.islink(child):
                    _exposed(child, allowed, out)
        return
    if _nobody_may(st, read=True) or (stat.S_ISDIR(st.st_mode) and _nobody_may(st, read=False)):
        out.append(path)


def exposed_paths(paths, allowed) -> list[str]:
    """What of paths (and below them) uid 65534 can read, from the permission bits along each path."""
    out: list[str] = []
    for p in paths:
        p = os.path.abspath(p)
        if _blocked_at(os.path.dirname(p)) is None:
            _exposed(p, list(allowed), out)
    kept: list[str] = []
    for p in dict.fromkeys(out):
        if not any(_within(p, k) for k in kept):
            kept.append(p)
    return kept


def user_plan(sandboxed: bool, protect=()) -> tuple[list | None, str | None]:
    """([uid, gid] the worker drops to, or None: it stays who we are; the note saying what of the
    isolation could not be arranged, or None). Only root drops; with the sandbox it always can."""
    if os.geteuid() != 0:
        return None, None
    if sandboxed:
        return [NOBODY, NOBODY], None
    needed = python_dirs() + [os.path.dirname(sys.executable), tempfile.gettempdir()]
    blocked = next((b for b in map(_blocked_at, needed) if b is not None), None)
    if blocked is not None:
        return None, (f"the submission ran as root: without the sandbox it should run as user {NOBODY}, but that "
                      f"user cannot reach Python or the temporary folder ({blocked} is not searchable by other "
                      f"users), so the submission could read and change whatever root can and the process-count "
                      f"limit did not apply; fix: install bubblewrap, or chmod o+x {blocked}")
    exposed = exposed_paths([str(p) for p in protect] + forbidden_paths(), python_dirs())
    if not exposed:
        return [NOBODY, NOBODY], None
    shown = ", ".join(exposed[:4]) + (f" and {len(exposed) - 4} more" if len(exposed) > 4 else "")
    return [NOBODY, NOBODY], (f"without the sandbox the submission runs as user {NOBODY}, and other users can read "
                              f"{shown} (the grader's sources or results); fix: install bubblewrap, or "
                              f"chmod o-rx {' '.join(exposed)}")
