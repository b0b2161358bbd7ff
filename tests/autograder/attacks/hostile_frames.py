"""Whole module: each call sends, as its own outcome, a frame built to hurt the grader (the
call's index and token read from the worker's frames), then raises, so that the worker's own
frame comes too late to count.

hostile(kind): kind in huge_int, complex, pickled, structured, nested, lying_size, references
(one 8 MB array named 150 000 times: 1.2 TB for whoever rebuilds it); honest(): returns 2.0.
"""
import io
import os
import struct
import sys

import numpy as np


def _call_of_worker():
    """(index, token, result fd) of the call in progress, from the worker's main loop."""
    frame = sys._getframe(1)
    while frame is not None:
        if {"index", "token", "chan"} <= set(frame.f_locals):
            return frame.f_locals["index"], frame.f_locals["token"], frame.f_locals["chan"].fd
        frame = frame.f_back
    raise RuntimeError("not called by the worker")


def _npz(meta_text, **arrays):
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(meta_text.encode(), dtype=np.uint8), **arrays)
    return buf.getvalue()


def _payload(kind):
    ok = '{"status":"ok","kind":"ok","args_after":null,"result":%s}'
    if kind == "huge_int":
        return _npz(ok % ("9" * 5000))
    if kind == "complex":
        return _npz(ok % '{"a":"x0"}', x0=np.ones(3, dtype=complex))
    if kind == "pickled":
        return _npz(ok % '{"a":"x0"}', x0=np.array([{"evil": 1}, None], dtype=object))
    if kind == "structured":
        return _npz(ok % '{"a":"x0"}', x0=np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]))
    if kind == "nested":
        return _npz(ok % ('{"l":[' * 200 + "1" + "]}" * 200))
    if kind == "references":
        return _npz(ok % ('{"l":[' + ",".join(['{"a":"x0"}'] * 150_000) + "]}"), x0=np.zeros(10**6))
    if kind == "lying_size":
        data = bytearray(_npz(ok % '{"a":"x0"}', x0=np.zeros(4)))
        cd = struct.unpack_from("<L", data, len(data) - 6)[0]
        # the last central directory entry (x0) claims 1000 times its size
        pos = data.rfind(b"PK\x01\x02", cd)
        size = struct.unpack_from("<L", data, pos + 24)[0]
        struct.pack_into("<LL", data, pos + 20, size * 1000, size * 1000)
        return bytes(data)
    raise ValueError(kind)


def hostile(kind):
    index, token, fd = _call_of_worker()
    payload = _payload(kind)
    os.write(fd, f"C {index} {token} {len(payload)}\n".encode() + payload)
    raise RuntimeError("this outcome arrives after the forged one")


def honest():
    return 2.0
