"""Override: at import, a double-forked setsid'd daemon (named __MARKER__) sleeps 1.5 s, then
writes __TARGET__; it uses libc's fork() when os.fork is refused."""
import ctypes
import os
import time


def _fork():
    try:
        return os.fork()
    except PermissionError:
        return ctypes.CDLL(None, use_errno=True).fork()


def _daemon():
    if _fork() != 0:
        return
    os.setsid()
    if _fork() != 0:
        os._exit(0)
    try:
        ctypes.CDLL(None).prctl(15, b"__MARKER__", 0, 0, 0)  # PR_SET_NAME
    except Exception:
        pass
    time.sleep(1.5)
    try:
        with open("__TARGET__", "w") as f:
            f.write("the daemon survived")
    finally:
        os._exit(0)


_daemon()
