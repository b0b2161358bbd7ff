"""autograder.wire: the one frame format between the grader and its worker.

Whatever a frame holds (random bytes, random skeletons, frames built to hurt), decoding gives
plain data within the budget, or raises wire.ProtocolError, and nothing else, in bounded memory.
"""

import io
import json
import struct
import tracemalloc

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings

from autograder import wire
from autograder.checks import Opaque

MB = 2**20
PEAK_LIMIT = 200 * MB  # what decoding one frame may allocate, whatever the frame


def npz(meta, **arrays) -> bytes:
    """An .npz frame as the worker's own numpy would write it; meta a dict or raw JSON text."""
    text = meta if isinstance(meta, (str, bytes)) else json.dumps(meta)
    raw = text.encode() if isinstance(text, str) else text
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(raw, dtype=np.uint8), **arrays)
    return buf.getvalue()


def ok(result, **arrays) -> bytes:
    """An outcome frame whose result skeleton is the JSON text result."""
    return npz('{"status":"ok","kind":"ok","args_after":null,"result":%s}' % result, **arrays)


def charge(value) -> int:
    """What value costs in the budget's terms: every node, every array reference, every str."""
    cost = wire.NODE_BYTES
    if isinstance(value, str):
        return cost + len(value)
    if isinstance(value, np.ndarray):
        return cost + value.nbytes + wire.ARRAY_BYTES
    if isinstance(value, (tuple, list)):
        return cost + sum(charge(v) for v in value)
    if isinstance(value, dict):
        return cost + sum(len(k) + charge(v) for k, v in value.items())
    return cost


def assert_plain(value, depth=0):
    """value is None, bool, int within ±2**63, float, a bounded str, a tuple/list/dict (str keys)
    of such, a plain numpy array of kind b/i/u/f, or an Opaque of a known kind with exactly its facts, each a
    bounded printable str (a size: a bounded int)."""
    assert depth <= wire.MAX_DEPTH + 1
    t = type(value)
    if t is Opaque:
        assert value.kind in wire.OPAQUE and [name for name, _ in value.facts] == list(wire.OPAQUE[value.kind])
        for name, fact in value.facts:
            assert (type(fact) is int and 0 <= fact <= 2**20) if name == "mb" else \
                (type(fact) is str and 0 < len(fact) <= wire.MAX_FACT and fact.isprintable())
        assert value.description and value.description.isprintable()
        return
    if value is None or t in (bool, float):
        return
    if t is int:
        assert -2**63 < value < 2**63
    elif t is str:
        assert len(value) <= wire.MAX_STR
        value.encode("utf-8")  # no lone surrogates
    elif t in (tuple, list):
        for v in value:
            assert_plain(v, depth + 1)
    elif t is dict:
        for k, v in value.items():
            assert type(k) is str
            assert_plain(v, depth + 1)
    else:
        assert t is np.ndarray, t
        assert value.dtype.kind in "biuf" and value.dtype.fields is None and value.dtype.subdtype is None


def decode_checked(payload, budget=None):
    """wire.decode under tracemalloc: (fields, values), or None for a ProtocolError; every other
    exception fails the test. The values are plain, within the budget, and decoding stayed small."""
    budget = budget or wire.Budget()
    tracemalloc.start()
    try:
        fields, values = wire.decode(payload, budget, Opaque)
    except wire.ProtocolError:
        return None
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < PEAK_LIMIT, f"decoding allocated {peak / MB:.0f} MB"
    for key, val in fields.items():
        assert key not in wire.VALUES and (val is None or type(val) in (bool, int, float, str))
        assert_plain(val)
    assert set(values) <= set(wire.VALUES)
    for val in values.values():
        assert_plain(val)
    assert sum(charge(v) for v in values.values()) <= budget.total
    return fields, values


# --------------------------------------------------------------------------- strategies

_names = st.sampled_from(["x0", "x1", "x2", "x3", "nope", "__meta__", ""])
_scalars = (st.none() | st.booleans() | st.integers(-10**400, 10**400) | st.floats(allow_nan=True)
            | st.text(max_size=20))
_skeletons = st.recursive(
    _scalars | _names.map(lambda n: {"a": n}) | st.text(max_size=20).map(lambda s: {"o": s})
    | st.fixed_dictionaries({"o": st.sampled_from([*wire.OPAQUE, "nope"])},
                            optional={"type": st.text(max_size=300) | st.integers(),
                                      "dtype": st.text(max_size=300) | st.none(),
                                      "mb": st.integers(-5, 2**21) | st.text(max_size=3),
                                      "other": st.text(max_size=3)}),
    lambda kids: (st.lists(kids, max_size=5) | st.dictionaries(st.sampled_from("atldo"), kids, max_size=2)
                  | st.lists(kids, max_size=5).map(lambda v: {"t": v})
                  | st.lists(kids, max_size=5).map(lambda v: {"l": v})
                  | st.lists(st.tuples(st.text(max_size=5) | st.integers(), kids).map(list), max_size=4)
                  .map(lambda v: {"d": v})),
    max_leaves=30)
_members = st.sampled_from([
    np.arange(6.0).reshape(2, 3), np.zeros((0, 4)), np.array(True), np.arange(5, dtype=">i4"),
    np.asfortranarray(np.ones((3, 2), dtype=np.float32)), np.ones(3, dtype=complex), np.array([{"x": 1}, None]),
    np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]), np.array(["text"]), np.zeros((2, 2), dtype=np.float16),
    np.zeros(3, dtype=np.longdouble), np.arange(4, dtype=np.uint8)])


@st.composite
def frames(draw):
    """A well-formed .npz frame with a random meta (random skeletons, random other keys) and
    random members, plain or not."""
    meta = draw(st.dictionaries(st.sampled_from(["status", "kind", "line", "exc_text", "result", "args_after",
                                                 "args", "kwargs", "other"]), _skeletons, max_size=6))
    members = draw(st.dictionaries(st.sampled_from(["x0", "x1", "x2", "x3"]), _members, max_size=4))
    return npz(json.dumps(meta), **members)


# --------------------------------------------------------------------------- tests


class TestHead:
    @pytest.mark.parametrize("tag, fields, size", [("R", (), 0), ("G", (), 0), ("I", (), 17),
                                                  ("K", (3, "0a1b2c3d4e5f6071"), 123), ("C", (0, "ff"), 0)])
    def test_round_trip(self, tag, fields, size):
        """A head written by head() is read back by parse_head, with its length."""
        data = wire.head(tag, *fields, size=size)
        assert wire.parse_head(data + b"rest") == (tag, [str(f) for f in fields], size, len(data))

    def test_incomplete_head_waits(self):
        """A head without its newline yet is not an error: parse_head waits for more."""
        assert wire.parse_head(b"C 12 ab") is None

    @pytest.mark.parametrize("data", [b"X 0\n", b"R 5\n", b"C 1 2\n", b"C ab cd 3\n", b"I -1\n", b"K 1 t 9\n",
                                      b"I 99999999999\n", b"R" * 80, b"C 1 " + b"a" * 40 + b" 3\n"])
    def test_bad_heads_are_protocol_errors(self, data):
        """A head that is not one the protocol knows raises ProtocolError."""
        with pytest.raises(wire.ProtocolError):
            wire.parse_head(data)

    @given(st.binary(max_size=100))
    def test_any_bytes(self, data):
        """Any bytes give a valid head, None, or ProtocolError."""
        try:
            head = wire.parse_head(data)
        except wire.ProtocolError:
            return
        if head is not None:
            tag, fields, size, n = head
            assert tag in "RGICK" and 0 <= size <= wire.MAX_FRAME and n <= wire.MAX_HEAD


class TestRoundTrip:
    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(value=st.recursive(
        st.none() | st.booleans() | st.integers(-2**63 + 1, 2**63 - 1) | st.floats(allow_nan=False)
        | st.text(max_size=30)
        | hnp.arrays(st.sampled_from(["f8", "f4", "i8", "u1", "?"]), hnp.array_shapes(min_dims=0)),
        lambda kids: st.lists(kids, max_size=4) | st.tuples(kids, kids)
        | st.dictionaries(st.text(max_size=5), kids, max_size=3), max_leaves=12))
    def test_plain_values_come_back_equal(self, value):
        """Plain data sent by the encoder is decoded to equal plain data, arrays with their dtype and shape."""
        fields, values = wire.decode(wire.encode({"status": "ok"}, {"result": value}), wire.Budget(), Opaque)

        def same(a, b):
            if isinstance(a, np.ndarray):
                return (type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape
                        and a.tobytes() == b.tobytes())
            if isinstance(a, (list, tuple)):
                return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
            if isinstance(a, dict):
                return type(b) is dict and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
            return type(a) is type(b) and a == b

        assert fields == {"status": "ok"} and same(value, values["result"])

    def test_what_is_not_plain_is_named(self):
        """Complex numbers and arrays, object and structured arrays, subclasses, huge ints, long strings
        and dicts with other keys come back as named placeholders."""

        class Sneaky(np.ndarray):
            pass

        sent = [1 + 2j, np.complex128(1j), np.zeros(2, complex), np.array([None]), np.zeros(1, "f8,i4"),
                np.zeros(2).view(Sneaky), 10**400, "x" * (wire.MAX_STR + 1), {1: 2}, object(), 2**70]
        _, values = wire.decode(wire.encode({}, {"result": sent}), wire.Budget(), Opaque)
        assert values["result"][:-1] == [
            Opaque("complex"), Opaque("complex"), Opaque("dtype", (("dtype", "complex128"),)),
            Opaque("dtype", (("dtype", "object"),)), Opaque("dtype", (("dtype", "[('f0', '<f8'), ('f1', '<i4')]"),)),
            Opaque("subclass", (("type", "Sneaky"),)), Opaque("bigint"), Opaque("long_str"), Opaque("bad_keys"),
            Opaque("instance", (("type", "object"),))]
        assert [o.description for o in values["result"][:-1]] == [
            "a complex number", "a complex number", "a numpy.ndarray of dtype complex128",
            "a numpy.ndarray of dtype object", "a numpy.ndarray of dtype [('f0', '<f8'), ('f1', '<i4')]",
            "a Sneaky (ndarray subclass)", "an integer too large for a float", "a very long str",
            "a dict with keys that are not strings", "an object"]
        assert values["result"][-1] == float(2**70)

    def test_opaque_values_are_facts(self):
        """The encoder sends what is not plain data as a kind and bounded facts, never prose: a type's name cut to
        MAX_FACT characters, a size in MB."""
        Named = type("N" * 500, (), {})
        frame = wire.encode({}, {"result": [Named(), 1j, np.zeros(2, complex)]})
        meta = json.loads(bytes(np.load(io.BytesIO(frame))["__meta__"]))
        assert meta["result"] == {"l": [{"o": "instance", "type": "N" * wire.MAX_FACT}, {"o": "complex"},
                                        {"o": "dtype", "dtype": "complex128"}]}
        assert wire.TOO_MUCH == {"o": "too_much", "mb": 64}

    @pytest.mark.parametrize("skeleton, kind, facts", [
        ({"o": "subclass", "type": "Evil\x1b[2J\nName"}, "subclass", (("type", "Evil [2J Name"),)),
        ({"o": "subclass", "type": "x" * 5000}, "subclass", (("type", "x" * wire.MAX_FACT),)),
        ({"o": "subclass"}, "object", ()),  # without its fact
        ({"o": "subclass", "type": "   "}, "object", ()),  # an empty one
        ({"o": "subclass", "type": 7}, "object", ()),  # not a str
        ({"o": "complex", "type": "extra"}, "object", ()),  # a fact it does not carry
        ({"o": "too_much_all", "mb": 2**40}, "object", ()),  # a size out of bounds
        ({"o": "too_much", "mb": 3}, "too_much", (("mb", 3),)),
        ({"o": "a Sneaky (ndarray subclass)"}, "object", ()),  # prose: an unknown kind
        ({"o": 5}, "object", ()),
    ])
    def test_decoder_keeps_only_known_kinds_and_clean_facts(self, skeleton, kind, facts):
        """An opaque skeleton from the worker becomes an Opaque of a known kind with exactly its facts, cleaned and
        bounded; an unknown kind, a missing, extra or malformed fact give the generic "object" ("an object")."""
        _, values = wire.decode(npz(json.dumps({"result": skeleton})), wire.Budget(), Opaque)
        assert values["result"] == Opaque(kind, facts)
        assert_plain(values["result"])

    def test_encoder_charges_as_the_decoder(self):
        """One value of just under the budget is sent whole; the same value over it is a placeholder,
        and the other values of the frame are still sent."""
        arr = np.zeros(2**20)  # 8 MB
        fits = [arr] * 7
        over = [arr] * 9
        _, values = wire.decode(wire.encode({}, {"result": fits, "args_after": 1.5}), wire.Budget(), Opaque)
        assert len(values["result"]) == 7 and values["args_after"] == 1.5
        _, values = wire.decode(wire.encode({}, {"result": over, "args_after": 1.5}), wire.Budget(), Opaque)
        assert values["result"] == Opaque("too_much", (("mb", 64),)) and values["args_after"] == 1.5
        assert values["result"].description == "too much data returned (more than 64 MB)"

    def test_strict_refuses_what_is_not_plain(self):
        """The grader's own inputs are encoded strictly: anything not plain is a TypeError, not a placeholder."""
        with pytest.raises(TypeError, match="cannot send a complex number"):
            wire.encode({}, {"args": (1j,)}, None, strict=True)

    def test_copies_are_private(self):
        """copy=True gives each reference its own writable array (the worker's inputs)."""
        _, values = wire.decode(npz('{"args":{"t":[{"a":"x0"},{"a":"x0"}]}}', x0=np.arange(3.0)), None, Opaque,
                                copy=True)
        a, b = values["args"]
        a[0] = 9.0
        assert b[0] == 0.0 and a.flags.writeable and a.flags.owndata


class TestPack:
    ARRAYS = {
        "c": np.arange(12.0).reshape(3, 4),
        "fortran": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
        "strided": np.arange(24.0).reshape(4, 6)[:, ::2],
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3)),
        "big_endian": np.arange(5, dtype=">i4"),
        "bool": np.array([True, False]),
        "long_shape": np.zeros((1, 2, 1, 3, 1, 2)),
    }

    def test_numpy_reads_every_member(self):
        """A frame is a zip numpy.load reads: the meta first, then each array with its values, dtype and shape."""
        frame = wire.encode({"status": "ok"}, {"result": tuple(self.ARRAYS.values())})
        with np.load(io.BytesIO(frame)) as z:
            assert z.files == ["__meta__"] + [f"x{i}" for i in range(len(self.ARRAYS))]
            meta = json.loads(z["__meta__"].tobytes())
            for i, want in enumerate(self.ARRAYS.values()):
                got = z[f"x{i}"]
                assert got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)
        assert meta["status"] == "ok" and meta["result"] == {"t": [{"a": f"x{i}"} for i in range(len(self.ARRAYS))]}

    def test_headers_are_padded_as_numpy_writes_them(self):
        """Each .npy member's data starts on a multiple of 64 bytes from the member's start (numpy's alignment),
        and the zip's checksums are right (zipfile's testzip finds no bad member)."""
        import zipfile

        frame = wire.encode({}, {"result": list(self.ARRAYS.values())})
        with zipfile.ZipFile(io.BytesIO(frame)) as z:
            assert z.testzip() is None
            for name in z.namelist():
                data = z.read(name)
                (hlen,) = struct.unpack_from("<H", data, 8)
                assert data[:8] == b"\x93NUMPY\x01\x00" and (10 + hlen) % 64 == 0

    def test_decoder_reads_what_numpy_savez_writes(self):
        """The decoder takes numpy.savez's own frames too: the two encoders write the same format."""
        buf = io.BytesIO()
        meta = json.dumps({"status": "ok", "result": {"a": "x0"}}).encode()
        np.savez(buf, __meta__=np.frombuffer(meta, dtype=np.uint8), x0=self.ARRAYS["fortran"])
        fields, values = wire.decode(buf.getvalue(), None, Opaque)
        assert fields == {"status": "ok"} and np.array_equal(values["result"], self.ARRAYS["fortran"])


class TestBudget:
    def test_references_are_charged_each_time(self):
        """One 1 MB array named 100 times costs 100 MB: past the budget the value is a placeholder."""
        frame = ok('{"l":[%s]}' % ",".join(['{"a":"x0"}'] * 100), x0=np.zeros(2**17))
        _, values = decode_checked(frame)
        assert values["result"] == Opaque("too_much_all", (("mb", 64),))
        assert values["result"].description == "too much data returned (more than 64 MB from all the calls together)"

    def test_budget_spans_the_submission(self):
        """40 MB, then 40 MB more against the same budget: the second is a placeholder, and so is
        anything after it."""
        budget = wire.Budget()
        frame = ok('{"a":"x0"}', x0=np.zeros(5 * 10**6))
        assert decode_checked(frame, budget)[1]["result"].nbytes == 40 * 10**6
        assert type(decode_checked(frame, budget)[1]["result"]) is Opaque
        assert type(decode_checked(ok("1.0"), budget)[1]["result"]) is Opaque


def _lying(frame: bytes, patch) -> bytes:
    data = bytearray(frame)
    patch(data)
    return bytes(data)


def _last_central(data):
    return data.rfind(b"PK\x01\x02")


def _claim_size(n):
    def patch(data):
        pos = _last_central(data)
        struct.pack_into("<LL", data, pos + 20, n, n)
    return patch


def _shape(old, new):
    """Replace the header text old (followed by padding) with new, keeping the length."""
    def patch(data):
        i = data.rfind(old)
        data[i:i + len(new)] = new
    return patch


def _no_meta() -> bytes:
    buf = io.BytesIO()
    np.savez(buf, x0=np.zeros(2))
    return buf.getvalue()


HOSTILE = {
    "huge int": ok("9" * 5000),
    "huge negative int": ok("-" + "9" * 350),
    "int beyond int64": ok(str(2**64)),
    "float overflow": ok("1e999"),
    "deep nesting": ok('{"l":[' * 5000 + "]}" * 5000),
    "nesting past MAX_DEPTH": ok('{"t":[' * 300 + "]}" * 300),
    "many references": ok('{"l":[%s]}' % ",".join(['{"a":"x0"}'] * 150_000), x0=np.zeros(10**6)),
    "many nodes": ok('{"l":[%s]}' % ",".join(['{"t":[]}'] * 220_000)),
    "meta too long": ok('{"l":[%s]}' % ",".join(["0"] * 1_100_000)),
    "complex array": ok('{"a":"x0"}', x0=np.ones(3, complex)),
    "pickled object array": ok('{"a":"x0"}', x0=np.array([{"evil": 1}, None], dtype=object)),
    "structured dtype": ok('{"a":"x0"}', x0=np.zeros(2, dtype=[("a", "<f8")])),
    "strings": ok('{"a":"x0"}', x0=np.array(["abc"])),
    "member larger than the frame": _lying(ok('{"a":"x0"}', x0=np.zeros(4)), _claim_size(10**6)),
    "member of size 2**32-1": _lying(ok('{"a":"x0"}', x0=np.zeros(4)), _claim_size(2**32 - 1)),
    "shape larger than the data": _lying(ok('{"a":"x0"}', x0=np.zeros(4)), _shape(b"(4,), }", b"(9,), }")),
    "zero-size with huge dims": _lying(ok('{"a":"x0"}', x0=np.zeros((0, 1))),
                                       _shape(b"(0, 1), }", b"(0, 99999999999), }")),
    "compressed member": _lying(ok('{"a":"x0"}', x0=np.zeros(4)),
                                lambda d: struct.pack_into("<H", d, _last_central(d) + 10, 8)),
    "truncated": ok('{"a":"x0"}', x0=np.zeros(4))[:-30],
    "no meta": _no_meta(),
    "meta not an object": npz("[1, 2]"),
    "meta not JSON": npz(b"\xff\xfe{"),
    "lone surrogates": ok('"\\ud800"'),
    "empty": b"",
}


class TestHostileFrames:
    @pytest.mark.parametrize("name", list(HOSTILE))
    def test_built_to_hurt(self, name):
        """Each frame built to hurt the grader decodes to plain data within the budget, in bounded
        memory, or raises ProtocolError."""
        decode_checked(HOSTILE[name])

    def test_what_the_hurtful_frames_become(self):
        """Huge integers, complex, pickled and structured arrays are named; lies about sizes are ProtocolErrors."""
        result = {name: (r[1]["result"] if (r := decode_checked(f)) else "ProtocolError")
                  for name, f in HOSTILE.items()}
        assert result["huge int"] == result["huge negative int"] == Opaque("bigint")
        assert result["int beyond int64"] == float(2**64) and result["float overflow"] == float("inf")
        assert result["complex array"] == Opaque("dtype", (("dtype", "complex128"),))
        assert result["pickled object array"] == Opaque("dtype", (("dtype", "object"),))
        assert result["structured dtype"] == Opaque("structured")
        assert result["structured dtype"].description == "a numpy.ndarray of a structured dtype"
        assert type(result["many references"]) is Opaque and "too much data" in result["many references"].description
        assert result["lone surrogates"] == "?"
        for name in ("member larger than the frame", "member of size 2**32-1", "shape larger than the data",
                     "zero-size with huge dims", "compressed member", "truncated", "no meta", "meta not an object",
                     "meta not JSON", "deep nesting", "meta too long", "empty"):
            assert result[name] == "ProtocolError", name

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.binary(max_size=2048))
    @example(b"PK\x05\x06" + bytes(18))
    def test_random_bytes(self, data):
        """Random bytes decode to plain data or raise ProtocolError."""
        decode_checked(data)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(frames())
    def test_random_skeletons(self, frame):
        """Well-formed frames with random skeletons and members, plain or not, decode to plain data
        within the budget or raise ProtocolError."""
        decode_checked(frame)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(frame=frames(), data=st.data())
    def test_damaged_frames(self, frame, data):
        """Frames with bytes overwritten, cut or inserted anywhere decode to plain data or raise ProtocolError."""
        buf = bytearray(frame)
        for _ in range(data.draw(st.integers(1, 4))):
            pos = data.draw(st.integers(0, max(0, len(buf) - 1)))
            how = data.draw(st.sampled_from(["set", "cut", "insert"]))
            byte = data.draw(st.integers(0, 255))
            if how == "set" and buf:
                buf[pos] = byte
            elif how == "cut":
                del buf[pos:]
            else:
                buf[pos:pos] = bytes([byte]) * data.draw(st.integers(1, 8))
        decode_checked(bytes(buf))
