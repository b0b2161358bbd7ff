"""Whole module: at import and in each call, reads everything it can reach (the job folder, the
working directory, the grader's job folders in /tmp, every open descriptor through
/proc/self/fd, without blocking) looking for the calls' inputs, each a string
"snoop-marker-<digits>"; each call raises with what it found.
"""
import os
import re
import sys

MARK = re.compile(rb"snoop-marker-[0-9]+")


def _read_file(path, found):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return
    try:
        data = os.read(fd, 1 << 22)
        found.update(m.decode() for m in MARK.findall(data))
    except OSError:
        pass
    finally:
        os.close(fd)


def look():
    found = set()
    roots = {sys.argv[-1], "/job", os.getcwd()}
    try:
        roots.update(os.path.join("/tmp", n) for n in os.listdir("/tmp") if n.startswith("rnngrade-"))
    except OSError:
        pass
    budget = [5000]  # files: the grader's job folders are flat and small; an unrelated big folder must not stall
    for root in roots:
        for dirpath, dirs, files in os.walk(root):
            if dirpath.count(os.sep) - root.count(os.sep) >= 3:
                dirs[:] = []
            for name in files:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
                _read_file(os.path.join(dirpath, name), found)
    for name in os.listdir("/proc/self/fd"):
        _read_file(f"/proc/self/fd/{name}", found)  # the pipes too: without blocking, whatever is in them
    for name in ("cmdline", "environ"):
        _read_file(f"/proc/self/{name}", found)
    return sorted(found)


AT_IMPORT = look()


def f(marker):
    raise ValueError(f"import {AT_IMPORT} call {look()}")
