"""Override: forward prints 200 MB (and writes 20 MB straight to fd 1) before a correct result."""
import os

_forward = forward  # noqa: F821


def forward(X, W_in, W, W_out, task="regression"):
    print("x" * 200_000_000)
    os.write(1, b"y" * 20_000_000)
    return _forward(X, W_in, W, W_out, task)
