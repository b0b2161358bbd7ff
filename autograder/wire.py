"""The one frame format between the grader and its worker, both ways: encoder and decoder.

The grader imports this as ``autograder.wire``; the worker (``python -I``, where the autograder
package is not importable) loads the copy in its job folder by file path. Standalone on
purpose: stdlib + numpy only.

A frame is a head line ``TAG [FIELD ...] SIZE\\n`` followed by SIZE bytes:

  J SIZE                      grader → worker forked from the template (only): the job, JSON, with
                              the submission's source, before anything else
  R 0                         worker → grader: ready (limits applied, numpy loaded, no student code yet)
  G SIZE                      grader → worker: R was read, go on (so the student's code, which runs
                              only now, cannot take R out of the pipe before the grader sees it); JSON
                              {"cpu_s"}: the CPU time the submission has left
  I SIZE                      worker → grader: the import's outcome, JSON
  K INDEX TOKEN SIZE          grader → worker: the call to make now, an .npz frame whose meta is
                              {"function", "driver", "args", "kwargs"}
  C INDEX TOKEN SIZE          worker → grader: that call's outcome, an .npz frame whose meta is
                              {"status", "kind", "exc_type", "exc_text", "line", "result", "args_after"}

TOKEN is random, new for each call and sent only with it: an outcome the student's code forges
before its call was made cannot carry it.

An .npz frame is a zip (stored, not compressed) of .npy members: ``__meta__`` the meta as JSON
bytes (uint8), ``x0``, ``x1``, … the arrays its skeletons name. Skeletons: null, bools, numbers
and strings as themselves; {"t": [...]} a tuple, {"l": [...]} a list, {"d": [[key, value], ...]} a
dict with str keys, {"a": name} an array member, {"o": kind, field: value, …} a value that is not plain data:
one of OPAQUE's kinds and its facts (a type's name, a dtype, a size in MB), never prose; the grader words it
(describe_opaque in English, the message catalog in any language).

Everything the worker sends is hostile: ``decode`` parses the zip and the .npy headers itself
(never pickle, never numpy's loader), and every node of a structure and every *reference* to an
array (one array named a million times is a million arrays to whoever judges it) is charged to a
``Budget``: past it, the value is an opaque "too much data returned". It returns only None,
bool, int within ±2**63, float, str of at most MAX_STR characters, tuple, list, dict with str keys,
numpy.ndarray of dtype kind b/i/u/f, or ``opaque(kind, facts)`` (a kind of OPAQUE, its facts cleaned and bounded:
an unknown kind, or one without its facts, is "object"); it raises only ProtocolError.
The encoder charges the same budget, so an honest value it sends fits the decoder's.
"""

import json
import re
import struct
import zlib

import numpy as np

MAX_HEAD = 64  # bytes of a head line
MAX_FRAME = 96 * 2**20  # payload of one frame
MAX_META = 2 * 2**20  # the JSON meta of a frame: parsing it costs up to ~30 times this
MAX_JSON = 64 * 2**10  # an I frame
MAX_MEMBERS = 10_000
MAX_STR = 10_000
MAX_DEPTH = 64
MAX_ARRAY_BYTES = 50 * 2**20  # one returned array
BUDGET_BYTES = 64 * 2**20  # data one call may send; the grader charges it once per submission
NODE_BYTES = 64  # the charge for one node of a structure
ARRAY_BYTES = 128  # … and for one reference to an array, on top of its data
PLAIN_KINDS = "biuf"
MAX_FACT = 200  # characters of an opaque value's fact (a type's name, a dtype)

#: the kinds of value that is not plain data, and the facts each carries: {"o": kind, fact: value, …} on the wire
OPAQUE = {
    "object": (),  # anything else; also what an unknown kind, or a kind without its facts, becomes
    "instance": ("type",),  # an object of a type that is not plain data: its type's name
    "subclass": ("type",),  # an ndarray subclass: its name
    "complex": (),  # a complex number
    "dtype": ("dtype",),  # an ndarray of a dtype that is not plain (complex128, object, a structured one's str)
    "structured": (),  # an .npy member of a structured dtype
    "unsupported_dtype": (),  # … of another dtype no plain array has
    "nested": (),  # a structure nested deeper than MAX_DEPTH
    "bad_keys": (),  # a dict with keys that are not str
    "long_str": (),  # a str longer than MAX_STR
    "bigint": (),  # an int beyond float range
    "too_large": (),  # one array larger than MAX_ARRAY_BYTES
    "too_much": ("mb",),  # past the budget of one call (the encoder's)
    "too_much_all": ("mb",),  # past the budget of the submission's calls together (the decoder's)
    "malformed": (),  # a skeleton that is none of the above
    "unreturnable": (),  # a value the worker failed to encode at all
}
TOO_MUCH = {"o": "too_much", "mb": BUDGET_BYTES // 2**20}

# bound now: the worker loads this module before the student's code, which may monkeypatch numpy
_ndarray, _generic, _asarray, _frombuffer = np.ndarray, np.generic, np.asarray, np.frombuffer
_bool_, _integer, _float64, _complexfloating = np.bool_, np.integer, np.float64, np.complexfloating
_uint8, _dumps, _crc32, _descr = np.uint8, json.dumps, zlib.crc32, np.lib.format.dtype_to_descr
_ascontiguous = np.ascontiguousarray

_HEAD = re.compile(rb"([JRGICK])((?: [0-9a-f]{1,32}){0,2}) ([0-9]{1,9})")
_FIELDS = {b"J": 0, b"R": 0, b"G": 0, b"I": 0, b"K": 2, b"C": 2}
_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_MEMBER = re.compile(rb"(__meta__|x[0-9]{1,5})\.npy")
_NPY = re.compile(r"\{'descr': (.{1,200}?), 'fortran_order': (True|False), 'shape': \(([0-9, ]{0,400})\), \} *\n?",
                  re.S)


def _descr_table():
    """The .npy descr strings of the plain dtypes (and of complex, to name them): no np.dtype()
    of a string from the worker, ever."""
    plain, named = {}, {}
    for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
              np.float16, np.float32, np.float64, np.longdouble, np.complex64, np.complex128, np.clongdouble):
        for dt in {np.dtype(t), np.dtype(t).newbyteorder("<"), np.dtype(t).newbyteorder(">")}:
            descr = repr(np.lib.format.dtype_to_descr(dt))
            if dt.kind in PLAIN_KINDS:
                plain[descr] = dt
            else:
                named[descr] = {"o": "dtype", "dtype": dt.name}
    named["'|O'"] = {"o": "dtype", "dtype": "object"}
    return plain, named


_PLAIN_DESCR, _NAMED_DESCR = _descr_table()


class ProtocolError(ValueError):
    """A frame that is not what the protocol says: the call that sent it fails."""


class _OverBudget(Exception):
    pass


class Budget:
    """Bytes of data a decoder may still hand out. Once overspent it stays spent."""

    def __init__(self, total=BUDGET_BYTES):
        self.total = self.left = total

    def spend(self, n):
        if n > self.left:
            self.left = 0
            raise _OverBudget
        self.left -= n


def clean_text(s, limit=300):
    """A str from the worker as printable text of at most limit characters ('' for anything else)."""
    if not isinstance(s, str):
        return ""
    return "".join(ch if ch.isprintable() else " " for ch in s[:limit])


def opaque_facts(skel):
    """(kind, facts) of an opaque skeleton {"o": kind, fact: value, …} from the worker: a kind of OPAQUE with exactly
    its facts, each a printable str of at most MAX_FACT characters (a size: an int from 0 to 2**20); anything else
    is ("object", ()). facts: a tuple of (name, value) pairs."""
    kind = skel.get("o")
    names = OPAQUE.get(kind) if type(kind) is str else None
    if names is None or len(skel) != len(names) + 1:
        return "object", ()
    facts = []
    for name in names:
        value = skel.get(name)
        if name == "mb":
            if type(value) is not int or not 0 <= value <= 2**20:
                return "object", ()
        else:
            value = clean_text(value, MAX_FACT).strip()
            if not value:
                return "object", ()
        facts.append((name, value))
    return kind, tuple(facts)


def describe_opaque(kind, facts=()):
    """An opaque value in English, e.g. "a Sneaky (ndarray subclass)", "a numpy.ndarray of dtype complex128" (for
    logs, errors and Opaque.description; the feedback's words are the message catalog's)."""
    f = dict(facts)
    if kind == "instance" and f.get("type"):
        return _article(f["type"])
    if kind == "subclass" and f.get("type"):
        return f"{_article(f['type'])} (ndarray subclass)"
    if kind == "dtype" and f.get("dtype"):
        return f"a numpy.ndarray of dtype {f['dtype']}"
    if kind in ("too_much", "too_much_all") and isinstance(f.get("mb"), int):
        return (f"too much data returned (more than {f['mb']} MB"
                + (" from all the calls together)" if kind == "too_much_all" else ")"))
    return _DESCRIBED.get(kind, "an object")


_DESCRIBED = {"complex": "a complex number", "structured": "a numpy.ndarray of a structured dtype",
              "unsupported_dtype": "a numpy.ndarray of an unsupported dtype", "nested": "a structure nested too deeply",
              "bad_keys": "a dict with keys that are not strings", "long_str": "a very long str",
              "bigint": "an integer too large for a float", "too_large": "an array too large to return",
              "malformed": "malformed data from the worker", "unreturnable": "a value that could not be returned"}


# --------------------------------------------------------------------------- heads


def head(tag, *fields, size=0):
    return f"{' '.join((tag,) + tuple(str(f) for f in fields))} {size}\n".encode("ascii")


def parse_head(buf):
    """(tag, fields, size, length of the head) of the frame at the start of buf, None when the
    head is not complete yet. Raises ProtocolError for anything but a valid head."""
    nl = buf.find(b"\n", 0, MAX_HEAD)
    if nl < 0:
        if len(buf) >= MAX_HEAD:
            raise ProtocolError("malformed frame head")
        return None
    m = _HEAD.fullmatch(bytes(buf[:nl]))
    if m is None:
        raise ProtocolError("malformed frame head")
    tag, fields, size = m.group(1), m.group(2).split(), int(m.group(3))
    if (len(fields) != _FIELDS[tag] or size > MAX_FRAME or (tag == b"R" and size)
            or (fields and not fields[0].isdigit())):
        raise ProtocolError("malformed frame head")
    return tag.decode(), [f.decode() for f in fields], size, nl + 1


# --------------------------------------------------------------------------- encoding


def _article(word):
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _type_name(obj):
    try:
        name = type.__dict__["__name__"].__get__(type(obj))
    except Exception:  # noqa: BLE001 - a metaclass may do anything
        name = "object"
    return name if isinstance(name, str) else "object"


class Encoder:
    """Values as skeletons plus arrays, charging the budget as the decoder will. Never trusts a
    value (it may be the student's): an ndarray subclass, an unknown object or anything too
    large becomes {"o": kind, …} (OPAQUE); with strict, a TypeError instead."""

    def __init__(self, budget_bytes=BUDGET_BYTES, strict=False):
        self.arrays = {}
        self.left = budget_bytes  # None: no limit
        self.strict = strict

    def value(self, obj):
        names, left = len(self.arrays), self.left
        try:
            return self._enc(obj, 0)
        except _OverBudget:
            if self.strict:
                raise TypeError("too much data to send") from None
            for name in list(self.arrays)[names:]:
                del self.arrays[name]
            self.left = left
            return dict(TOO_MUCH)

    def _spend(self, n):
        if self.left is not None:
            if n > self.left:
                raise _OverBudget
            self.left -= n

    def _opaque(self, kind, **facts):
        if self.strict:
            raise TypeError(f"cannot send {describe_opaque(kind, facts)}")
        return {"o": kind, **{name: value[:MAX_FACT] if isinstance(value, str) else value
                              for name, value in facts.items()}}

    def _enc(self, obj, depth):
        self._spend(NODE_BYTES)
        if depth > MAX_DEPTH:
            return self._opaque("nested")
        t = type(obj)
        if obj is None or t is bool or t is float:
            return obj
        if t is str:
            return self._str(obj)
        if t is int:
            return self._int(obj)
        if t is _ndarray:
            return self._array(obj)
        if isinstance(obj, _ndarray):
            return self._opaque("subclass", type=_type_name(obj))
        if isinstance(obj, _generic):
            if isinstance(obj, _bool_):
                return bool(obj)
            if isinstance(obj, _integer):
                return self._int(int(obj))
            if t is _float64:
                return float(obj)
            if isinstance(obj, _complexfloating):
                return self._opaque("complex")
            return self._array(_asarray(obj))  # float32 and other scalars: a 0-d array of their dtype
        if isinstance(obj, float):
            return float.__float__(obj)
        if isinstance(obj, int):
            return self._int(int.__index__(obj))
        if isinstance(obj, complex):
            return self._opaque("complex")
        if isinstance(obj, tuple):
            return {"t": [self._enc(tuple.__getitem__(obj, i), depth + 1) for i in range(tuple.__len__(obj))]}
        if isinstance(obj, list):
            return {"l": [self._enc(list.__getitem__(obj, i), depth + 1) for i in range(list.__len__(obj))]}
        if isinstance(obj, dict):
            items = list(dict.items(obj))
            if not all(type(k) is str for k, _ in items):
                return self._opaque("bad_keys")
            out = []
            for k, v in items:
                self._spend(len(k))
                out.append([k, self._enc(v, depth + 1)])
            return {"d": out}
        return self._opaque("instance", type=_type_name(obj))

    def _str(self, s):
        if len(s) > MAX_STR:
            return self._opaque("long_str")
        self._spend(len(s))
        return s

    def _int(self, n):
        if -2**63 < n < 2**63:
            return n
        try:
            return float(n)  # as a float, like numpy would
        except OverflowError:
            return self._opaque("bigint")

    def _array(self, arr):
        dt = arr.dtype
        if dt.kind not in PLAIN_KINDS or dt.fields is not None or dt.subdtype is not None:
            return self._opaque("dtype", dtype=str(dt))
        if arr.nbytes > MAX_ARRAY_BYTES:
            return self._opaque("too_large")
        self._spend(arr.nbytes + ARRAY_BYTES)
        if len(self.arrays) >= MAX_MEMBERS - 1:
            raise _OverBudget
        name = f"x{len(self.arrays)}"
        self.arrays[name] = arr
        return {"a": name}


_ZLOCAL = struct.Struct("<4s5H3L2H")  # the zip records as numpy.savez's zipfile writes them, stored
_ZCENTRAL = struct.Struct("<4s6H3L5H2L")
_ZDATE = 0x21  # 1980-01-01: frames carry no time


_HEADERS: dict = {}  # (dtype, shape, fortran) -> an .npy member's header: the same few shapes come back all the time
_HEADERS_MAX = 4096


def _npy_bytes(arr):
    """An .npy member (format 1.0, the header padded to 64 bytes as numpy writes it) as a list of byte strings."""
    fortran = not arr.flags.c_contiguous and arr.flags.f_contiguous
    if not (fortran or arr.flags.c_contiguous):
        arr = _ascontiguous(arr)
    shape = tuple(int(d) for d in arr.shape)
    key = (arr.dtype, shape, fortran)
    head_ = _HEADERS.get(key)
    if head_ is None:
        text = f"{{'descr': {_descr(arr.dtype)!r}, 'fortran_order': {fortran}, 'shape': {shape!r}, }}"
        pad = 64 - (10 + len(text) + 1) % 64
        header = text + " " * (pad % 64) + "\n"
        head_ = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin-1")
        if len(_HEADERS) >= _HEADERS_MAX:
            _HEADERS.clear()
        _HEADERS[key] = head_
    return head_, arr.tobytes(order="F" if fortran else "C")


def _pack(meta, arrays):
    """The frame: a zip of stored .npy members (``__meta__`` first, then the arrays), readable by numpy.load, written
    here rather than through numpy.savez's zipfile, which costs ten times as much for the small arrays of a call."""
    raw = _dumps(meta, allow_nan=True, separators=(",", ":")).encode("ascii")
    if len(raw) > MAX_META:
        raise _OverBudget
    members = [("__meta__", _frombuffer(raw, dtype=_uint8))] + list(arrays.items())
    parts, central, offset = [], [], 0
    for name, arr in members:
        fname = f"{name}.npy".encode("ascii")
        head_, data = _npy_bytes(arr)
        size = len(head_) + len(data)
        crc = _crc32(data, _crc32(head_))
        local = _ZLOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, _ZDATE, crc, size, size, len(fname), 0)
        parts += [local, fname, head_, data]
        central.append(_ZCENTRAL.pack(b"PK\x01\x02", 20, 20, 0, 0, 0, _ZDATE, crc, size, size, len(fname), 0, 0, 0,
                                      0, 0, offset) + fname)
        offset += len(local) + len(fname) + size
    cd = b"".join(central)
    parts += [cd, _EOCD.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(cd), offset, 0)]
    return b"".join(parts)


def encode(fields, values, budget_bytes=BUDGET_BYTES, strict=False):
    """The payload of an .npz frame: fields (small JSON scalars) as they are, values (any
    Python data) as skeletons and arrays, within budget_bytes (None: no limit). strict: raise
    TypeError for what is not plain data instead of sending it as opaque."""
    enc = Encoder(budget_bytes, strict)
    meta = dict(fields)
    for key, value in values.items():
        meta[key] = enc.value(value)
    try:
        return _pack(meta, enc.arrays)
    except _OverBudget:  # a structure whose JSON is too long
        if strict:
            raise TypeError("too much data to send") from None
        meta = dict(fields)
        meta.update({key: dict(TOO_MUCH) for key in values})
        return _pack(meta, {})


# --------------------------------------------------------------------------- decoding

_HUGE = object()  # an integer literal beyond float range


def _parse_int(text):
    if len(text) > 400:  # more digits than the largest float has
        return _HUGE
    n = int(text)
    if -2**63 < n < 2**63:
        return n
    try:
        return float(n)
    except OverflowError:
        return _HUGE


def loads(data, limit=MAX_JSON):
    """JSON from the worker: at most limit bytes; integers beyond float range are a marker."""
    if len(data) > limit:
        raise ProtocolError("too much JSON")
    try:
        return json.loads(bytes(data).decode("utf-8"), parse_int=_parse_int)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ProtocolError("malformed JSON") from None


def _str_ok(s):
    """s with lone surrogates (valid JSON, unprintable, unencodable) replaced."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "replace").decode("utf-8")


def _npy(mv, start, end):
    """An .npy member: (dtype, shape, fortran, data offset, count), or the opaque skeleton of why it is not plain
    data ({"o": "dtype", …}). Sizes are checked before anything is allocated."""
    if end - start < 10 or bytes(mv[start:start + 6]) != b"\x93NUMPY":
        raise ProtocolError("malformed array member")
    major = mv[start + 6]
    if major == 1:
        (hlen,), hstart = struct.unpack_from("<H", mv, start + 8), start + 10
    elif major in (2, 3) and end - start >= 12:
        (hlen,), hstart = struct.unpack_from("<I", mv, start + 8), start + 12
    else:
        raise ProtocolError("malformed array member")
    if hlen > 4096 or hstart + hlen > end:
        raise ProtocolError("malformed array member")
    header = bytes(mv[hstart:hstart + hlen])
    parsed = _PARSED.get(header)
    if parsed is None:
        parsed = _parse_header(header)
        if hlen <= 256:  # numpy's own headers: 64 or 128 bytes
            if len(_PARSED) >= _HEADERS_MAX:
                _PARSED.clear()
            _PARSED[header] = parsed
    if isinstance(parsed, dict):
        return dict(parsed)
    dt, shape, fortran, count, nonzero = parsed
    data = hstart + hlen
    if nonzero * dt.itemsize > MAX_FRAME or count * dt.itemsize != end - data:
        raise ProtocolError("array member of the wrong size")
    return dt, shape, fortran, data, count


_PARSED: dict = {}  # an .npy header's bytes -> _parse_header's answer (a valid header only: anything else raises)


def _parse_header(header):
    """(dtype, shape, fortran, count, count with 0s as 1s) of an .npy header, or the opaque skeleton of why it is not
    plain data ({"o": "dtype", …}); ProtocolError for anything but a header as numpy writes it."""
    m = _NPY.fullmatch(header.decode("latin-1"))
    if m is None:
        raise ProtocolError("malformed array header")
    descr, fortran, shape_text = m.groups()
    parts = [p.strip() for p in shape_text.split(",")]
    if parts and parts[-1] == "":
        parts.pop()
    if len(parts) > 32 or not all(p.isdigit() and len(p) <= 12 for p in parts):
        raise ProtocolError("malformed array shape")
    shape = tuple(int(p) for p in parts)
    dt = _PLAIN_DESCR.get(descr)
    if dt is None:
        if descr in _NAMED_DESCR:
            return _NAMED_DESCR[descr]
        return {"o": "structured"} if descr.startswith("[") else {"o": "unsupported_dtype"}
    count = nonzero = 1
    for d in shape:
        count *= d
        nonzero *= max(d, 1)
    return dt, shape, fortran == "True", count, nonzero


def _members(mv):
    """The members of an .npz payload: name -> _npy(...). The zip is read here, strictly as
    numpy.savez writes it (stored members, no comment, no zip64 directory)."""
    n = len(mv)
    if n > MAX_FRAME or n < _EOCD.size:
        raise ProtocolError("malformed frame")
    sig, disk, cd_disk, entries, total, cd_size, cd_off, comment = _EOCD.unpack_from(mv, n - _EOCD.size)
    if (sig != b"PK\x05\x06" or disk or cd_disk or entries != total or not 0 < total <= MAX_MEMBERS
            or comment or cd_off + cd_size != n - _EOCD.size):
        raise ProtocolError("malformed frame")
    members = {}
    pos, end_cd = cd_off, cd_off + cd_size
    for _ in range(total):
        if pos + _CENTRAL.size > end_cd:
            raise ProtocolError("malformed frame")
        f = _CENTRAL.unpack_from(mv, pos)
        sig, flags, method, csize, usize, nlen, xlen, clen, offset = f[0], f[5], f[6], f[10], f[11], f[12], f[13], \
            f[14], f[18]
        name = bytes(mv[pos + _CENTRAL.size: pos + _CENTRAL.size + nlen])
        pos += _CENTRAL.size + nlen + xlen + clen
        m = _MEMBER.fullmatch(name)
        if sig != b"PK\x01\x02" or flags & 1 or method != 0 or csize != usize or m is None or pos > end_cd:
            raise ProtocolError("malformed frame member")
        if offset + _LOCAL.size > cd_off:
            raise ProtocolError("malformed frame member")
        loc = _LOCAL.unpack_from(mv, offset)
        start = offset + _LOCAL.size + loc[10] + loc[11]
        if loc[0] != b"PK\x03\x04" or start + usize > cd_off:
            raise ProtocolError("malformed frame member")
        key = m.group(1).decode()
        if key in members:
            raise ProtocolError("duplicate frame member")
        members[key] = _npy(mv, start, start + usize)
    return members


class _Decoder:
    def __init__(self, mv, members, budget, opaque, copy):
        self.mv, self.members, self.budget, self.opaque, self.copy = mv, members, budget, opaque, copy
        self.views = {}

    def value(self, skel):
        try:
            return self._dec(skel, 0)
        except _OverBudget:
            return self.opaque("too_much_all", (("mb", self.budget.total // 2**20),))

    def _spend(self, n):
        if self.budget is not None:
            self.budget.spend(n)

    def _dec(self, skel, depth):
        self._spend(NODE_BYTES)
        if depth > MAX_DEPTH:
            return self.opaque("nested", ())
        t = type(skel)
        if skel is None or t is bool or t is int or t is float:
            return skel
        if skel is _HUGE:
            return self.opaque("bigint", ())
        if t is str:
            if len(skel) > MAX_STR:
                return self.opaque("long_str", ())
            self._spend(len(skel))
            return _str_ok(skel)
        if t is dict and "o" in skel:  # {"o": kind, fact: value, …}: a kind of OPAQUE with its facts, else "object"
            return self.opaque(*opaque_facts(skel))
        if t is dict and len(skel) == 1:
            (key, val), = skel.items()
            if key == "a" and type(val) is str and val in self.members:
                return self._array(val)
            if key in ("t", "l") and type(val) is list:
                items = [self._dec(x, depth + 1) for x in val]
                return tuple(items) if key == "t" else items
            if key == "d" and type(val) is list:
                out = {}
                for item in val:
                    if not (type(item) is list and len(item) == 2 and type(item[0]) is str
                            and len(item[0]) <= MAX_STR):
                        return self.opaque("malformed", ())
                    self._spend(len(item[0]))
                    out[_str_ok(item[0])] = self._dec(item[1], depth + 1)
                return out
        return self.opaque("malformed", ())

    def _array(self, name):
        spec = self.members[name]
        if isinstance(spec, dict):  # not plain data: the decoder's own skeleton of why
            return self.opaque(*opaque_facts(spec))
        dt, shape, fortran, offset, count = spec
        nbytes = count * dt.itemsize
        if self.budget is not None and nbytes > MAX_ARRAY_BYTES:
            return self.opaque("too_large", ())
        self._spend(nbytes + ARRAY_BYTES)
        arr = self.views.get(name)
        if arr is None:
            arr = _frombuffer(self.mv, dtype=dt, count=count, offset=offset) if count else np.empty(0, dt)
            arr = self.views[name] = arr.reshape(shape, order="F" if fortran else "C")
        return arr.copy() if self.copy else arr


VALUES = ("result", "args_after", "args", "kwargs")


def decode(payload, budget, opaque, copy=False):
    """(fields, values) of an .npz frame. fields: the meta's JSON scalars (str cut to MAX_STR
    characters; anything else dropped); values: its skeletons (keys VALUES) as plain data.

    budget: a Budget charged for every node and array reference (None: no limit, for the
    grader's own inputs); opaque(kind, facts): what stands for a value that is not plain data (a kind of OPAQUE
    and a tuple of (name, value) pairs, cleaned and bounded: see opaque_facts);
    copy: every array reference its own copy (else views of payload, writable when it is a
    bytearray). Raises ProtocolError, and nothing else, for whatever the payload is.
    """
    mv = memoryview(payload).cast("B")
    members = _members(mv)
    spec = members.pop("__meta__", None)
    if not (isinstance(spec, tuple) and spec[0] == np.dtype(np.uint8) and len(spec[1]) == 1):
        raise ProtocolError("no meta in the frame")
    meta = loads(mv[spec[3]: spec[3] + spec[4]], MAX_META)
    if type(meta) is not dict:
        raise ProtocolError("the meta is not an object")
    fields = {}
    for key, val in meta.items():
        if key in VALUES:
            continue
        if val is None or type(val) in (bool, int, float):
            fields[key] = val
        elif type(val) is str:
            fields[key] = _str_ok(val[:MAX_STR])
    dec = _Decoder(mv, members, budget, opaque, copy)
    return fields, {key: dec.value(meta[key]) for key in VALUES if key in meta}
