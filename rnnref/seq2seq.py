"""Encoder–decoder (sequence-to-sequence, seeds 002 and 003): two LSTMs, teacher forcing, greedy decoding.

The lecture's picture: the encoder reads x_1 … x_T and hands the decoder one vector (the
lecture's S); the decoder writes y_1 … y_T′, each output fed back as its next input.
With the LSTM of rnnref.lstm for both, the vector handed over is the encoder's final state:

    encoder:  (z_t, s_t) = LSTM_enc(x_t, z_{t−1}, s_{t−1}),   z_0 = s_0 = 0,   t = 1 … T
    decoder:  (z′_t, s′_t) = LSTM_dec(x′_t, z′_{t−1}, s′_{t−1}),  z′_0 = z_T,  s′_0 = s_T,  t = 1 … T′
              v_t = W_out [1; z′_t],   ŷ_t = softmax(v_t),   E = −Σ_t Σ_k y_tk log ŷ_tk

The decoder's input x′_t ∈ R^{m+2} is [1; go; one-hot of the previous symbol], the leading 1
the lecture's bias: x′_1 = [1; 1; 0] (the start symbol <go>) and, under teacher forcing
(training), x′_t = [1; 0; y_{t−1}], the correct previous symbol; greedy decoding feeds its own
previous choice instead, x′_t = [1; 0; one-hot(argmax_k ŷ_{t−1,k})].

The gradient reaches the encoder only through (z_T, s_T): ∂E/∂z′_0 and ∂E/∂s′_0 of the decoder's
BPTT are the encoder's ∂E/∂z_T and ∂E/∂s_T.

With attention (attention="dot" or "additive", see rnnref.attention), the output layer also
reads the context vector c_t over all encoder states h̄_s = z_s:
    v_t = W_out [1; z′_t; c_t],   W_out (m, 2H+1)
and ∂E/∂z_s reaches every encoder step directly (the additive score's W_a, U_a, v live in
the decoder's parameters).

Parameters: P_enc has rnnref.LSTM_KEYS with W_·_in (H, d+1); P_dec has LSTM_KEYS with W_·_in
(H, m+2), "W_out" (m, H+1) or (m, 2H+1) with attention, and "W_a", "U_a", "v" for the
additive score. Batches are (N, T, ·), float64.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import output_loss, softmax
from .attention import ATTENTION_KEYS, SCORES, attention_backward, attention_forward, init_attention_params
from .lstm import LSTM_KEYS, init_lstm_params, lstm_backward, lstm_forward
from .rnn import affine_out_backward, affine_out_forward

__all__ = [
    "init_seq2seq_params",
    "decoder_inputs",
    "encoder_forward",
    "decoder_forward",
    "decoder_backward",
    "DecoderBackward",
    "seq2seq_forward",
    "seq2seq_backward",
    "Seq2SeqBackward",
    "seq2seq_loss",
    "greedy_decode",
]


def _check_attention(attention) -> None:
    if attention is not None and attention not in SCORES:
        raise ValueError(f"unknown attention {attention!r}; use None or one of {SCORES}")


def init_seq2seq_params(d: int, m: int, H: int, *, seed: int = 0, attention: str | None = None,
                        d_a: int | None = None) -> tuple[dict, dict]:
    """Random encoder and decoder parameters, uniform in ±1/√H (PyTorch's initialisation), float64.

    Parameters
    ----------
    d : the encoder's input size (x_t has d+1 entries)
    m : the number of output symbols (x′_t has m+2 entries)
    H : the cells of both LSTMs
    attention : None, "dot" or "additive"
    d_a : the additive score's size (default H)

    Returns
    -------
    P_enc : LSTM_KEYS, W_·_in (H, d+1)
    P_dec : LSTM_KEYS with W_·_in (H, m+2), "W_out" (m, H+1) — (m, 2H+1) with attention —
        and "W_a", "U_a", "v" for attention="additive"
    """
    _check_attention(attention)
    P_enc = init_lstm_params(d, H, seed=seed)
    P_dec = init_lstm_params(m + 1, H, seed=seed + 1)
    rng = np.random.default_rng([seed, 2])
    width = H + 1 if attention is None else 2 * H + 1
    P_dec["W_out"] = rng.uniform(-1.0, 1.0, (m, width)) / np.sqrt(H)
    if attention == "additive":
        P_dec.update(init_attention_params(H, d_a or H, seed=seed + 3))
    return P_enc, P_dec


def decoder_inputs(Y: np.ndarray) -> np.ndarray:
    """Teacher forcing: x′_1 = [1; 1; 0] (<go>), x′_t = [1; 0; y_{t−1}] for t = 2 … T′.

    Parameters
    ----------
    Y : (N, T′, m)  the target symbols y_t, one-hot rows

    Returns
    -------
    Xd : (N, T′, m+2)  columns: the bias 1, the <go> flag, the previous symbol
    """
    Y = np.asarray(Y)
    if Y.ndim != 3:
        raise ValueError(f"Y must be (N, T′, m), got shape {Y.shape}")
    N, T, m = Y.shape
    Xd = np.zeros((N, T, m + 2), dtype=np.result_type(Y, np.float64))
    Xd[:, :, 0] = 1.0
    Xd[:, 0, 1] = 1.0
    Xd[:, 1:, 2:] = Y[:, :-1]
    return Xd


def encoder_forward(X: np.ndarray, P_enc: dict):
    """The encoder LSTM from z_0 = s_0 = 0.

    Returns
    -------
    Z : (N, T, H)  z_1 … z_T (the encoder states h̄_s of attention)
    zT, sT : (N, H)  the final state handed to the decoder
    cache : rnnref.lstm_forward's cache
    """
    Z, cache = lstm_forward(X, P_enc)
    return Z, Z[:, -1], cache["S"][-1], cache


def decoder_forward(Xd: np.ndarray, z0: np.ndarray, s0: np.ndarray, P_dec: dict,
                    Hbar: np.ndarray | None = None, attention: str | None = None):
    """The decoder LSTM from (z′_0, s′_0) = (z0, s0), and its output pre-activations v_t.

    Parameters
    ----------
    Xd : (N, T′, m+2)  decoder inputs x′_t (decoder_inputs under teacher forcing)
    z0, s0 : (N, H)  the encoder's final state
    P_dec : the decoder's parameters (see the module docstring)
    Hbar : (N, T, H)  the encoder states, needed with attention
    attention : None, "dot" or "additive"

    Returns
    -------
    V : (N, T′, m)  v_t = W_out [1; z′_t] (or W_out [1; z′_t; c_t])
    cache : for decoder_backward; "Zd" (N, T′, H) the decoder states, "A" (N, T′, T) the
        attention weights α_ts with attention
    """
    _check_attention(attention)
    Zd, lcache = lstm_forward(Xd, P_dec, z0, s0)
    acache = None
    F = Zd
    if attention is not None:
        if Hbar is None:
            raise ValueError("attention needs the encoder states Hbar (N, T, H)")
        C, acache = attention_forward(Zd, Hbar, P_dec, attention)
        F = np.concatenate([Zd, C], axis=-1)
    V, ocache = affine_out_forward(F, P_dec["W_out"])
    cache = {"lstm": lcache, "out": ocache, "att": acache, "Zd": Zd, "attention": attention,
             "A": None if acache is None else acache["A"]}
    return V, cache


class DecoderBackward(NamedTuple):
    """What decoder_backward returns.

    grads : the decoder's parameters' gradients, same keys as P_dec
    dz0, ds0 : (N, H)  ∂E/∂z′_0 = ∂E/∂z_T and ∂E/∂s′_0 = ∂E/∂s_T, for the encoder
    dHbar : (N, T, H)  ∂E/∂h̄_s through the attention, None without attention
    """

    grads: dict
    dz0: np.ndarray
    ds0: np.ndarray
    dHbar: np.ndarray | None


def decoder_backward(dV: np.ndarray, cache) -> DecoderBackward:
    """BPTT through the decoder: output layer, attention (if any), LSTM down to its initial state.

    Parameters
    ----------
    dV : (N, T′, m)  δ^out_t = ∂E/∂v_t = ŷ_t − y_t for the cross-entropy
    cache : from decoder_forward

    Returns
    -------
    DecoderBackward(grads, dz0, ds0, dHbar)
    """
    dF, dW_out = affine_out_backward(dV, cache["out"])
    H = cache["Zd"].shape[-1]
    dZd = dF[..., :H]
    dHbar, att_grads = None, {}
    if cache["attention"] is not None:
        back = attention_backward(dF[..., H:], cache["att"])
        dZd = dZd + back.dHdec
        dHbar, att_grads = back.dHbar, back.grads
    lback = lstm_backward(dZd, cache["lstm"])
    grads = dict(lback.grads, W_out=dW_out, **att_grads)
    return DecoderBackward(grads, lback.dz0, lback.ds0, dHbar)


def seq2seq_forward(X: np.ndarray, Y: np.ndarray, P_enc: dict, P_dec: dict, attention: str | None = None):
    """Encoder, then the decoder under teacher forcing: the outputs ŷ_t for the targets Y.

    Parameters
    ----------
    X : (N, T, d+1)  source sequences, bias column first
    Y : (N, T′, m)  target symbols, one-hot rows (also the decoder's shifted inputs)

    Returns
    -------
    Yhat : (N, T′, m)  ŷ_t = softmax(v_t)
    cache : for seq2seq_backward ("V", "enc", "dec"; cache["dec"]["A"] the attention weights)
    """
    Z, zT, sT, ecache = encoder_forward(X, P_enc)
    V, dcache = decoder_forward(decoder_inputs(Y), zT, sT, P_dec, Hbar=Z, attention=attention)
    return softmax(V), {"V": V, "enc": ecache, "dec": dcache}


class Seq2SeqBackward(NamedTuple):
    """What seq2seq_backward returns: E, and the gradients with the keys of P_enc and P_dec."""

    E: float
    grads_enc: dict
    grads_dec: dict


def seq2seq_backward(cache, Y: np.ndarray) -> Seq2SeqBackward:
    """E = −Σ y log ŷ (summed over sequences and steps) and its gradients, encoder included.

    The decoder's ∂E/∂z′_0, ∂E/∂s′_0 enter the encoder's BPTT as ∂E/∂z_T and ∂E/∂s_T at its last
    step; with attention, ∂E/∂h̄_s enters at every step s.
    """
    E, dV = output_loss(cache["V"], Y, "softmax")
    back = decoder_backward(dV, cache["dec"])
    S = cache["enc"]["S"]  # (T, N, H)
    T, N, H = S.shape
    dZ = np.zeros((N, T, H), dtype=dV.dtype) if back.dHbar is None else back.dHbar.copy()
    dZ[:, -1] += back.dz0
    dS = np.zeros((N, T, H), dtype=dV.dtype)
    dS[:, -1] = back.ds0
    eback = lstm_backward(dZ, cache["enc"], dS)
    return Seq2SeqBackward(E, eback.grads, back.grads)


def seq2seq_loss(X: np.ndarray, Y: np.ndarray, P_enc: dict, P_dec: dict,
                 attention: str | None = None) -> Seq2SeqBackward:
    """Forward and backward in one call: Seq2SeqBackward(E, grads_enc, grads_dec)."""
    _, cache = seq2seq_forward(X, Y, P_enc, P_dec, attention)
    return seq2seq_backward(cache, Y)


def greedy_decode(z0: np.ndarray, s0: np.ndarray, P_dec: dict, T_out: int,
                  Hbar: np.ndarray | None = None, attention: str | None = None):
    """Greedy decoding: x′_1 = [1; 1; 0], then feed back the most probable symbol of each step.

    Parameters
    ----------
    z0, s0 : (N, H)  the encoder's final state
    P_dec : the decoder's parameters
    T_out : T′, the number of symbols to write
    Hbar : (N, T, H)  encoder states, with attention

    Returns
    -------
    Yhat : (N, T′, m)  ŷ_t along the greedy path
    Ypred : (N, T′, m)  the chosen symbols, one-hot rows
    A : (N, T′, T) the attention weights along the path, or None without attention
    """
    _check_attention(attention)
    if int(T_out) != T_out or T_out < 1:
        raise ValueError(f"T_out must be a positive number of steps, got {T_out!r}")
    m = P_dec["W_out"].shape[0]
    N = np.shape(z0)[0]
    x = np.zeros((N, 1, m + 2))
    x[:, 0, :2] = 1.0  # [1; <go>; 0]
    z, s = z0, s0
    Yhat, Ypred, As = [], [], []
    for _ in range(int(T_out)):
        V, cache = decoder_forward(x, z, s, P_dec, Hbar=Hbar, attention=attention)
        y = softmax(V[:, 0])
        k = np.argmax(y, axis=1)
        Yhat.append(y)
        Ypred.append(np.eye(m)[k])
        if attention is not None:
            As.append(cache["A"][:, 0])
        z, s = cache["Zd"][:, 0], cache["lstm"]["S"][0]
        x = np.zeros((N, 1, m + 2))
        x[:, 0, 0] = 1.0
        x[np.arange(N), 0, 2 + k] = 1.0
    A = np.stack(As, axis=1) if As else None
    return np.stack(Yhat, axis=1), np.stack(Ypred, axis=1), A
