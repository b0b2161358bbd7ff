"""Override: forward forks as many children as it can (each holds its slot for 2 s), with
os.fork and, when that is refused, with libc's fork() through ctypes; reports the count."""
import ctypes
import os
import time


def _fork():
    try:
        return os.fork()
    except PermissionError:
        return ctypes.CDLL(None, use_errno=True).fork()


def forward(X, W_in, W, W_out, task="regression"):
    n = 0
    for _ in range(300):
        pid = _fork()
        if pid == 0:
            time.sleep(2)
            os._exit(0)
        if pid < 0:
            break
        n += 1
    raise RuntimeError(f"forked {n} children")
