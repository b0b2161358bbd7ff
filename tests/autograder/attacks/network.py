"""Override: forward connects to 127.0.0.1:__PORT__ (socket module, then libc through ctypes),
then answers right."""
import ctypes
import socket
import struct

_forward = forward  # noqa: F821


def _connect():
    try:
        s = socket.create_connection(("127.0.0.1", __PORT__), timeout=1)
        s.sendall(b"leak")
        return
    except OSError:
        pass
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.socket(2, 1, 0)
    addr = struct.pack("=H", 2) + struct.pack("!H", __PORT__) + socket.inet_aton("127.0.0.1") + b"\0" * 8
    libc.connect(fd, addr, len(addr))


def forward(X, W_in, W, W_out, task="regression"):
    _connect()
    return _forward(X, W_in, W, W_out, task)
