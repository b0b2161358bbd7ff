"""rnnref — a vectorized numpy reference of the RNN lectures (Elman RNN, BPTT, LSTM, GRU, …).

Functional style, as CS231n's rnn_layers.py: every layer is ``*_forward(...) -> (out, cache)``
and ``*_backward(dout, cache) -> grads``; parameters and gradients are dicts with the same keys.
Sequence batches are (N, T, ·); inputs carry the lecture's bias as a leading column of ones.
float64 unless the caller passes another dtype.
"""

from .activations import log_softmax, output_loss, sigmoid, softmax
from .gradcheck import directional_check, gradcheck, numerical_gradient, rel_error
from .gru import GRU_KEYS, GRUBackward, gru_backward, gru_forward, init_gru_params
from .lstm import LSTM_KEYS, PEEPHOLE_KEYS, LSTMBackward, init_lstm_params, lstm_backward, lstm_forward
from .optim import adam, clip_grad_norm, momentum, sgd
from .analysis import grad_norms_over_time, power_norms, scale_to_spectral_radius, spectral_radius
from .rnn import (
    BPTT,
    RNNBackward,
    add_bias,
    affine_out_backward,
    affine_out_forward,
    bptt,
    elman_backward,
    elman_forward,
    elman_loss,
    init_params,
    rnn_backward,
    rnn_forward,
)

__version__ = "0.1.0"

__all__ = [
    "BPTT",
    "GRUBackward",
    "GRU_KEYS",
    "LSTMBackward",
    "LSTM_KEYS",
    "PEEPHOLE_KEYS",
    "RNNBackward",
    "adam",
    "add_bias",
    "affine_out_backward",
    "affine_out_forward",
    "bptt",
    "clip_grad_norm",
    "directional_check",
    "elman_backward",
    "elman_forward",
    "elman_loss",
    "grad_norms_over_time",
    "gradcheck",
    "gru_backward",
    "gru_forward",
    "init_gru_params",
    "init_lstm_params",
    "init_params",
    "log_softmax",
    "lstm_backward",
    "lstm_forward",
    "momentum",
    "numerical_gradient",
    "output_loss",
    "power_norms",
    "rel_error",
    "rnn_backward",
    "rnn_forward",
    "scale_to_spectral_radius",
    "sgd",
    "sigmoid",
    "softmax",
    "spectral_radius",
]
