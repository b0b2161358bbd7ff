"""Override: forward dereferences NULL on the first visible case (T = 6) and is correct otherwise."""
import ctypes

_forward = forward  # noqa: F821 - the solution's, defined above this override


def forward(X, W_in, W, W_out, task="regression"):
    if X.shape[0] == 6:
        ctypes.string_at(0)
    return _forward(X, W_in, W, W_out, task)
