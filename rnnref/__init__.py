"""rnnref — a vectorized numpy reference of the RNN lectures (Elman RNN, BPTT, LSTM, GRU, …).

Functional style, as CS231n's rnn_layers.py: every layer is ``*_forward(...) -> (out, cache)``
and ``*_backward(dout, cache) -> grads``; parameters and gradients are dicts with the same keys.
Sequence batches are (N, T, ·); inputs carry the lecture's bias as a leading column of ones.
float64 unless the caller passes another dtype.
"""

import importlib as _importlib
import pkgutil as _pkgutil
import re as _re
from pathlib import Path as _Path

__version__ = "0.1.0"


def _public_modules() -> list:
    """Every module of the package that declares ``__all__`` (not ``_private``, not the demo script), by name."""
    out = []
    for info in sorted(_pkgutil.iter_modules(__path__), key=lambda i: i.name):
        path = _Path(__path__[0]) / f"{info.name}.py"
        if not info.name.startswith("_") and path.is_file() and \
                _re.search(r"^__all__\b", path.read_text(encoding="utf-8"), _re.MULTILINE):
            out.append(info.name)
    return out


# every module first, then their names, in alphabetical order (as `from .x import *` did): rnnref.gradcheck
# and rnnref.rtrl are then the functions (the modules share their names)
_MODULES = tuple(_importlib.import_module(f"{__name__}.{m}") for m in _public_modules())
for _m in _MODULES:
    globals().update({_n: getattr(_m, _n) for _n in _m.__all__})
__all__ = sorted({name for m in _MODULES for name in m.__all__})
del _m
