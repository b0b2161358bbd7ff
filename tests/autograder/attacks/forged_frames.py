"""Whole module: writes outcome frames of its own to the grader's result pipe, found through
/proc/self/fd and through the descriptor job.json names, each written both to the descriptor
and to a fresh open of /proc/self/fd/N where the process may open it.

forge_later(): frames claiming the outcome of call __LATER__ (the value the judge expects), one
with a guessed token, one for the call in progress with a guessed token; then it answers "mine".
garbage(): bytes that are not a frame; then it answers "mine too".
stub(): the function call __LATER__ makes, not written yet.
"""
import io
import json
import os
import sys

import numpy as np


def _frame(head, meta, **arrays):
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    payload = buf.getvalue()
    return f"{head} {len(payload)}\n".encode() + payload


def _result_fds():
    """Every pipe open for writing but stdout/stderr, and the fd job.json names when readable."""
    fds = set()
    for job in (os.path.join(sys.argv[-1], "job.json"), "/job/job.json"):
        try:
            with open(job) as f:
                fds.add(int(json.load(f)["result_fd"]))
        except (OSError, ValueError, KeyError):
            pass
    for name in os.listdir("/proc/self/fd"):
        try:
            fd = int(name)
            with open(f"/proc/self/fdinfo/{fd}") as f:
                flags = int(next(line for line in f if line.startswith("flags:")).split()[1], 8)
            if fd > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:") and flags & 3 == os.O_WRONLY:
                fds.add(fd)
        except (OSError, ValueError, StopIteration):
            pass
    return sorted(fds)


def _write_all(data):
    """How many writes got through (as uid 65534 the process is not dumpable: /proc/self/fd/N
    may refuse to be opened; the descriptor itself never does)."""
    done = 0
    for fd in _result_fds():
        os.write(fd, data)
        done += 1
        try:
            with open(f"/proc/self/fd/{fd}", "wb", buffering=0) as f:
                f.write(data)
            done += 1
        except PermissionError:
            pass
    return done


def forge_later():
    claim = {"status": "ok", "kind": "ok", "result": 1.0, "args_after": {"t": []}}
    done = _write_all(_frame(f"C __LATER__ {'0' * 16}", claim) + _frame("C __LATER__ 1", claim)
                      + _frame(f"C 0 {'f' * 16}", dict(claim, result="forged")))
    if not done:
        raise RuntimeError("found no result pipe")
    return "mine"


def garbage():
    _write_all(b"\x00this is not a frame\n" * 8)
    return "mine too"


def stub():
    raise NotImplementedError()
