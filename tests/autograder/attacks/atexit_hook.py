"""Override: an atexit hook (and a finalizer) that write __TARGET__ when the worker exits."""
import atexit


def _write():
    with open("__TARGET__", "w") as f:
        f.write("atexit ran")


atexit.register(_write)


class _Finalizer:
    def __del__(self):
        _write()


_keep = _Finalizer()
