"""rnnref — a vectorized numpy reference of the RNN lectures (Elman RNN, BPTT, LSTM, GRU, …).

Functional style, as CS231n's rnn_layers.py: every layer is ``*_forward(...) -> (out, cache)``
and ``*_backward(dout, cache) -> grads``; parameters and gradients are dicts with the same keys.
Sequence batches are (N, T, ·); inputs carry the lecture's bias as a leading column of ones.
float64 unless the caller passes another dtype.
"""

import sys as _sys

from .activations import *  # noqa: F403
from .analysis import *  # noqa: F403
from .attention import *  # noqa: F403
from .birnn import *  # noqa: F403
from .classify import *  # noqa: F403
from .esn import *  # noqa: F403
from .gradcheck import *  # noqa: F403
from .gru import *  # noqa: F403
from .lstm import *  # noqa: F403
from .optim import *  # noqa: F403
from .rnn import *  # noqa: F403
from .rtrl import *  # noqa: F403
from .seq2seq import *  # noqa: F403

__version__ = "0.1.0"

# (rnnref.gradcheck and rnnref.rtrl are functions here: the modules share their names)
_MODULES = tuple(_sys.modules[f"{__name__}.{m}"] for m in (
    "activations", "analysis", "attention", "birnn", "classify", "esn", "gradcheck", "gru", "lstm", "optim", "rnn", "rtrl",
    "seq2seq"))
__all__ = sorted({name for m in _MODULES for name in m.__all__})
