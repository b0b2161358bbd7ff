"""seq2seq: the encoder's final state, teacher forcing, the decoder's forward and BPTT, the
encoder's BPTT from its final state, and greedy decoding.

References from rnnref.seq2seq (and rnnref.lstm) with N = 1. The LSTM step caches are the lstm
exercise's contract (x, z_prev, s_prev, u, gF, gI, gO, s). Sizes (T, T′, d, H, m): within each,
T, T′, d+1, m+2, H, H+1 and m all differ, except the 1s of T = 1, T′ = 1 and H = 1.
"""

from __future__ import annotations

import numpy as np

import rnnref
from rnnref import seq2seq as s2s
from rnnref.activations import output_loss

from ..cases import FDGradients
from . import FD_LABEL, Suite, fd_last, numerical_gradients, spread
from ._data import matrix, sequence, targets
from .lstm import _reference as lstm_reference

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 11

KEYS = rnnref.LSTM_KEYS
DEC_KEYS = KEYS + ("W_out",)

#: (T, T′, d, H, m)
SIZES_VISIBLE = [(8, 7, 2, 5, 2), (6, 1, 3, 2, 5)]
SIZES_HIDDEN = [(6, 7, 3, 1, 3), (1, 6, 1, 3, 5), (10, 8, 5, 4, 7)]
#: the finite-difference cases' size (T, T′, d, H, m): small enough for every entry
FD_DIMS = (8, 6, 1, 3, 5)


def _lstm_params(rng, d_in, H):
    return {k: matrix(rng, H, d_in + 1 if k.endswith("_in") else H) for k in KEYS}


def _dec_params(rng, H, m):
    return dict(_lstm_params(rng, m + 1, H), W_out=matrix(rng, m, H + 1))


def _state(rng, H):
    """An encoder's final state (z_T, s_T): z in (−1, 1), s normal."""
    return rng.uniform(-1, 1, H), rng.normal(0, 1, H)


def _decoder(Y, z0, s0, P):
    """The reference decoder under teacher forcing: Yhat, E, Z, the contract's caches, and its backward."""
    Xd = s2s.decoder_inputs(Y[None])[0]
    Z, _, caches, _ = lstm_reference(Xd, P, z0, s0)
    V, cache = s2s.decoder_forward(Xd[None], z0[None], s0[None], P)
    E, dV = output_loss(V, Y[None], "softmax")
    back = s2s.decoder_backward(dV, cache)
    return rnnref.softmax(V[0]), float(E), Z, caches, back


def _variants(build, dims_label):
    out = []
    for sizes, visible in ((SIZES_VISIBLE, True), (SIZES_HIDDEN, False)):
        for dims in sizes:
            out.append((dims_label(*dims), (lambda rng, dims=dims: build(rng, *dims)), visible))
    return out


def _enc_label(T, Tp, d, H, m):
    return f"T={T}, d={d}, H={H}"


def _dec_label(T, Tp, d, H, m):
    return f"T′={Tp}, H={H}, m={m}"


def _encode(rng, T, Tp, d, H, m):
    P = _lstm_params(rng, d, H)
    X = sequence(rng, T, d)
    Z, S, caches, _ = lstm_reference(X, P)
    return (X, P), {}, (Z[-1], S[-1], caches)


def _decoder_inputs(rng, T, Tp, d, H, m):
    Y = targets(rng, Tp, m, "classification")
    return (Y,), {}, s2s.decoder_inputs(Y[None])[0]


def _decoder_forward(rng, T, Tp, d, H, m):
    P = _dec_params(rng, H, m)
    Y = targets(rng, Tp, m, "classification")
    z0, s0 = _state(rng, H)
    Yhat, E, Z, caches, _ = _decoder(Y, z0, s0, P)
    return (Y, z0, s0, P), {}, (Yhat, E, Z, caches)


def _decoder_backward(rng, T, Tp, d, H, m):
    P = _dec_params(rng, H, m)
    Y = targets(rng, Tp, m, "classification")
    z0, s0 = _state(rng, H)
    Yhat, _, Z, caches, back = _decoder(Y, z0, s0, P)
    return (Y, Yhat, Z, caches, P), {}, (back.grads, back.dz0[0], back.ds0[0])


def _encoder_backward(rng, T, Tp, d, H, m):
    P = _lstm_params(rng, d, H)
    X = sequence(rng, T, d)
    dz_T, ds_T = rng.standard_normal(H), rng.standard_normal(H)
    _, _, caches, cache = lstm_reference(X, P)
    dZ, dS = np.zeros((1, T, H)), np.zeros((1, T, H))
    dZ[0, -1], dS[0, -1] = dz_T, ds_T
    grads = rnnref.lstm_backward(dZ, cache, dS).grads
    return (dz_T, ds_T, caches, P), {}, {k: grads[k] for k in KEYS}


def _greedy(rng, T, Tp, d, H, m):
    """Greedy decoding; parameters are redrawn until every step's top two ŷ differ by 10⁻⁶ (no ties)."""
    while True:
        P = _dec_params(rng, H, m)
        z0, s0 = _state(rng, H)
        Yhat, Ypred, _ = s2s.greedy_decode(z0[None], s0[None], P, Tp)
        top2 = np.sort(Yhat[0], axis=1)[:, -2:]
        if np.all(top2[:, 1] - top2[:, 0] > 1e-6):
            return (z0, s0, P, Tp), {}, (Yhat[0], Ypred[0])


def _large_scores(rng, H, m, T_out):
    """A decoder whose scores v_t = W_out [1; z′_t] are in the thousands (W_out drawn at scale 3000), redrawn until
    the row maxima lie more than 1000 apart and every wrong shift of the softmax (nothing, the max of all rows, a
    row's min or its sum) gives 0/0 or ∞/∞ somewhere. Y is the greedy path, so every target is its row's max; the
    other ŷ_tk underflow to exactly 0 where y_tk = 0, and E needs 0 · log 0 = 0. Returns Y, z0, s0, P, greedy's
    (Yhat, Y_pred)."""
    from ..known_mistakes._softmax import fails_every_wrong_shift

    while True:
        P = _dec_params(rng, H, m)
        P["W_out"] = matrix(rng, m, H + 1, scale=3000.0)
        z0, s0 = _state(rng, H)
        Yhat, Y_pred, _ = s2s.greedy_decode(z0[None], s0[None], P, T_out)
        Y = Y_pred[0]
        _, _, Z, _, _ = _decoder(Y, z0, s0, P)
        V = Z @ P["W_out"][:, 1:].T + P["W_out"][:, 0]
        maxima = V.max(axis=1)
        top2 = np.sort(V, axis=1)[:, -2:]
        if (maxima.max() - maxima.min() > 1000 and np.all(top2[:, 1] - top2[:, 0] > 1.0)
                and fails_every_wrong_shift(V)):
            return Y, z0, s0, P, (Yhat[0], Y_pred[0])


def _decoder_forward_large(T_out, H, m):
    def make(rng):
        Y, z0, s0, P, _ = _large_scores(rng, H, m, T_out)
        Yhat, E, Z, caches, _ = _decoder(Y, z0, s0, P)
        return (Y, z0, s0, P), {}, (Yhat, E, Z, caches)

    return make


def _greedy_large(T_out, H, m):
    def make(rng):
        _, z0, s0, P, expected = _large_scores(rng, H, m, T_out)
        return (z0, s0, P, T_out), {}, expected

    return make


#: the large-scores cases: (label, T′, H, m, visible), appended after every older case
LARGE = [("scores in the thousands, rows apart, T′=6, H=4, m=5", 6, 4, 5, True),
         ("scores in the thousands, rows apart, T′=8, H=3, m=6", 8, 3, 6, False)]


def _post_decoder(result, extra):
    """The student's (grads, dz0, ds0) as one dict of gradients."""
    grads, dz0, ds0 = result
    return dict(grads, z0=dz0, s0=ds0)


def _fd_decoder():
    """Central differences of the decoder's E by its nine parameters and its initial state (z′_0, s′_0)."""
    T, Tp, d, H, m = FD_DIMS

    def make(rng):
        P = _dec_params(rng, H, m)
        Y = targets(rng, Tp, m, "classification")
        z0, s0 = _state(rng, H)
        Yhat, _, Z, caches, back = _decoder(Y, z0, s0, P)
        Xd = s2s.decoder_inputs(Y[None])

        def loss(p):
            V, _ = s2s.decoder_forward(Xd, p["z0"][None], p["s0"][None], {k: p[k] for k in DEC_KEYS})
            return output_loss(V, Y[None], "softmax")[0]

        like = (back.grads, back.dz0[0], back.ds0[0])
        numerical = numerical_gradients(loss, dict(P, z0=z0, s0=s0))
        return (Y, Yhat, Z, caches, P), {}, FDGradients(numerical, like)

    return [(f"{FD_LABEL}, T′={Tp}, H={H}, m={m}", make, False, {"compare": "gradcheck", "post": _post_decoder})]


def _fd_encoder():
    """Central differences of the whole seq2seq E (rnnref) by the encoder's eight matrices."""
    T, Tp, d, H, m = FD_DIMS

    def make(rng):
        P = _lstm_params(rng, d, H)
        P_dec = _dec_params(rng, H, m)
        X = sequence(rng, T, d)
        Y = targets(rng, Tp, m, "classification")
        Z, S, caches, _ = lstm_reference(X, P)
        _, _, _, _, back = _decoder(Y, Z[-1], S[-1], P_dec)
        grads = s2s.seq2seq_loss(X[None], Y[None], P, P_dec).grads_enc

        def loss(p):
            _, cache = s2s.seq2seq_forward(X[None], Y[None], p, P_dec)
            return output_loss(cache["V"], Y[None], "softmax")[0]

        like = {k: grads[k] for k in KEYS}
        return (back.dz0[0], back.ds0[0], caches, P), {}, FDGradients(numerical_gradients(loss, P, KEYS), like)

    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}, through the decoder (T′={Tp}, m={m})", make, False,
             {"compare": "gradcheck"})]


A = "seq2seq"
ROWS = {"Yhat": (0, "ŷ_{}"), "Z": (0, "z′_{}"), "Xd": (0, "x′_{}"), "Y_pred": (0, "ŷ_{} (one-hot)")}

HINTS = {
    "encode": {
        "en": "The decoder starts from the encoder's LAST state: run lstm_forward from z_0 = s_0 = 0 and return "
              "the last rows of Z and S.",
        "ja": "デコーダはエンコーダの最後の状態から始まります。z_0 = s_0 = 0 から lstm_forward を実行し、Z と S の"
              "最後の行を返してください。",
    },
    "decoder_inputs": {
        "en": "x′_1 = [1; 1; 0] carries only the <go> flag; x′_t = [1; 0; y_{t−1}] for t ≥ 2: the targets shifted "
              "down by one step.",
        "ja": "x′_1 = [1; 1; 0] は <go> の印だけを持ちます。t ≥ 2 では x′_t = [1; 0; y_{t−1}] で、正解の記号を"
              "1 時刻ずらして入れます。",
    },
    "decoder_forward": {
        "en": "Run the decoder's LSTM on decoder_inputs(Y) from the encoder's state (z0, s0), then "
              "ŷ_t = softmax(W_out [1; z′_t]) and E = −Σ_t Σ_k y_tk log ŷ_tk (a sum).",
        "ja": "decoder_inputs(Y) をエンコーダの状態 (z0, s0) から始めたデコーダの LSTM に通し、"
              "ŷ_t = softmax(W_out [1; z′_t])、E = −Σ_t Σ_k y_tk log ŷ_tk（和）を計算してください。",
    },
    "decoder_backward": {
        "en": "δ^out = Ŷ − Y; ∂E/∂W_out = δ^outᵀ [1 Z]; the LSTM receives dZ = δ^out W̃_out (W̃_out = W_out[:, 1:]), "
              "and lstm_backward returns ∂E/∂z′_0 and ∂E/∂s′_0.",
        "ja": "δ^out = Ŷ − Y、∂E/∂W_out = δ^outᵀ [1 Z] です。LSTM には dZ = δ^out W̃_out（W̃_out = W_out[:, 1:]）を渡し、"
              "lstm_backward が ∂E/∂z′_0 と ∂E/∂s′_0 を返します。",
    },
    "encoder_backward": {
        "en": "Only z_T gets an error from above (dz_T in the last row of dZ, zeros elsewhere), and the last memory "
              "cell s_T gets ds_T through lstm_backward's ds_last.",
        "ja": "上から誤差を受け取るのは z_T だけです（dZ の最後の行が dz_T で、他は 0）。最後のメモリセル s_T には "
              "lstm_backward の ds_last から ds_T を入れてください。",
    },
    "greedy_decode": {
        "en": "Start with x′_1 = [1; 1; 0], carry (z, s) from step to step, and feed back the one-hot of "
              "argmax_k ŷ_tk (not ŷ_t itself).",
        "ja": "x′_1 = [1; 1; 0] から始め、(z, s) を次の時刻へ引き継ぎ、ŷ_t そのものではなく argmax_k ŷ_tk の "
              "one-hot を次の入力にしてください。",
    },
}

#: what a softmax that is not finite is told (a wrong shift on the large-scores cases)
FINITE_HINT = {"en": "e^{v} overflows or underflows to 0/0 for large scores: subtract each row's own max_k v_tk "
                     "before the exp, as the given softmax does; and count 0 · log 0 as 0 in E (sum only where "
                     "y_tk > 0).",
               "ja": "スコアが大きいと e^{v} がオーバーフローしたり 0/0 になったりします。与えられた softmax のように、"
                     "exp の前に各行の max_k v_tk を引いてください。E では 0 · log 0 を 0 と数えます（y_tk > 0 の所だけ"
                     "足します）。"}

DECODER_FORWARD = spread(
    "decoder_forward", 3,
    _variants(_decoder_forward, _dec_label)
    + [(label, _decoder_forward_large(Tp, H, m), visible) for label, Tp, H, m, visible in LARGE],
    assignment=A, arg_names=("Y", "z0", "s0", "P"), outputs=("Yhat", "E", "Z", "caches"), labels=ROWS,
    hints={"value": HINTS["decoder_forward"], "finite": FINITE_HINT,
           "type": {"en": "Return E as one float, e.g. float(-np.sum(…)).",
                    "ja": "E は一つの float として返してください（例: float(-np.sum(…))）。"}})
DECODER_FORWARD, DECODER_FORWARD_NEW = DECODER_FORWARD[:-len(LARGE)], DECODER_FORWARD[-len(LARGE):]

GREEDY = spread(
    "greedy_decode", 2,
    _variants(_greedy, _dec_label) + [(label, _greedy_large(Tp, H, m), visible) for label, Tp, H, m, visible in LARGE],
    assignment=A, arg_names=("z0", "s0", "P", "T_out"), outputs=("Yhat", "Y_pred"), labels=ROWS,
    hints={"value": HINTS["greedy_decode"],
           "finite": {"en": "e^{v} overflows for large scores: subtract max_k v_k before the exp, as the given softmax "
                            "does.",
                      "ja": "スコアが大きいと e^{v} がオーバーフローします。与えられた softmax のように、exp の前に "
                            "max_k v_k を引いてください。"}})
GREEDY, GREEDY_NEW = GREEDY[:-len(LARGE)], GREEDY[-len(LARGE):]

SUITE = Suite(
    assignment=A,
    seed=20231210,
    points={"encode": 1, "decoder_inputs": 1, "decoder_forward": 3, "decoder_backward": 3,
            "encoder_backward": 2, "greedy_decode": 2},
    cases=fd_last(
        spread("encode", 1, _variants(_encode, _enc_label), assignment=A, arg_names=("X", "P"),
               outputs=("z_T", "s_T", "caches"), hints={"value": HINTS["encode"]})
        + spread("decoder_inputs", 1, _variants(_decoder_inputs, lambda T, Tp, d, H, m: f"T′={Tp}, m={m}"),
                 assignment=A, arg_names=("Y",), outputs="Xd", labels=ROWS,
                 hints={"value": HINTS["decoder_inputs"],
                        "shape": {"en": "Xd is (T′, m+2): the bias 1, the <go> flag, then the m symbols.",
                                  "ja": "Xd は (T′, m+2) です: バイアスの 1、<go> の印、m 個の記号の順です。"}})
        + DECODER_FORWARD
        + spread("decoder_backward", 3, _variants(_decoder_backward, _dec_label) + _fd_decoder(), assignment=A,
                 arg_names=("Y", "Yhat", "Z", "caches", "P"), outputs=("grads", "dz0", "ds0"),
                 hints={"value": HINTS["decoder_backward"]})
        + spread("encoder_backward", 2, _variants(_encoder_backward, _enc_label) + _fd_encoder(), assignment=A,
                 arg_names=("dz_T", "ds_T", "caches", "P"), outputs="grads",
                 hints={"value": HINTS["encoder_backward"]})
        + GREEDY
    ) + tuple(DECODER_FORWARD_NEW + GREEDY_NEW),
)

#: for the general diagnosis (autograder/diagnosis.py): how time enters each function (ACROSS_TIME; the others: a
#: recurrence)
DIAGNOSIS = {"across_time": {"decoder_inputs": "steps"}}
