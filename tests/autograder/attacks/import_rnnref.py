"""Override: deltas asks the reference implementation (rnnref) for the answer."""
import sys


def deltas(U, Yhat, Y, W, W_out):
    sys.path.insert(0, "__ROOT__")
    import rnnref  # noqa: F401

    raise AssertionError("rnnref was importable")
