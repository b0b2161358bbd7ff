"""rnnref — a vectorized numpy reference of the RNN lectures (Elman RNN, BPTT, LSTM, GRU, …).

Functional style, as CS231n's rnn_layers.py: every layer is ``*_forward(...) -> (out, cache)``
and ``*_backward(dout, cache) -> grads``; parameters and gradients are dicts with the same keys.
Sequence batches are (N, T, ·); inputs carry the lecture's bias as a leading column of ones.
float64 unless the caller passes another dtype.

Every public name of every module is a name of the package (``rnnref.lstm_forward``,
``from rnnref import *``), loaded lazily: a module is imported the first time one of its names
is used, so that ``from rnnref import add_bias`` loads numpy and rnnref.rnn, not scipy (which only
rnnref.esn needs). ``rnnref.gradcheck`` and ``rnnref.rtrl`` are the functions (the modules share
their names); import the modules with ``importlib.import_module("rnnref.gradcheck")``.
"""

import ast as _ast
import importlib as _importlib
import re as _re
from pathlib import Path as _Path

__version__ = "0.1.0"

_ALL_RE = _re.compile(r"^__all__[ \t]*=[ \t]*(\[[^\]]*\])", _re.MULTILINE)


def _public_names() -> dict:
    """{name: module} for every module of the package that declares ``__all__`` (not ``_private``, not the demo
    script), read from the files' text without importing them; a name two modules declare is the later module's
    (alphabetical order, as ``from .x import *`` one module after the other did)."""
    where = {}
    for path in sorted(_Path(__path__[0]).glob("*.py")):
        name = path.stem
        if name.startswith("_") or not name.isidentifier():
            continue
        m = _ALL_RE.search(path.read_text(encoding="utf-8"))
        if m is not None:
            where.update(dict.fromkeys(_ast.literal_eval(m.group(1)), name))
    return where


_WHERE = _public_names()
_MODULE_NAMES = frozenset(_WHERE.values())
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    """A public name (its module imported now, once), or a submodule (``rnnref.esn``)."""
    module = _WHERE.get(name)
    if module is not None:
        value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value
    if name in _MODULE_NAMES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(__all__) | _MODULE_NAMES)


# the names that are also modules' names are the functions: their modules are imported now (numpy only), so that a
# later `import rnnref.gradcheck` finds them loaded and does not set the package's attribute to the module
for _name in sorted(_MODULE_NAMES & set(_WHERE)):
    globals()[_name] = getattr(_importlib.import_module(f"{__name__}.{_WHERE[_name]}"), _name)
del _name
