"""Typical mistakes of the seq2seq exercise, each a variant of the reference (see autograder/mistakes.py)."""

from __future__ import annotations

import re

import numpy as np

from ..mistakes import Mistake
from ._bias import NOT_REMOVED_ROWS
from ._softmax import GLOBAL_MAX, LOG_OF_ZERO, MIN_SHIFT, NO_SHIFT, cross_entropy_everywhere
from ._softmax import softmax as _shifted_softmax

KEYS = ("W_in", "W", "W_F_in", "W_F", "W_I_in", "W_I", "W_O_in", "W_O")


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _step(x, z_prev, s_prev, P):
    u = P["W_in"] @ x + P["W"] @ z_prev
    gF = _sigmoid(P["W_F_in"] @ x + P["W_F"] @ z_prev)
    gI = _sigmoid(P["W_I_in"] @ x + P["W_I"] @ z_prev)
    gO = _sigmoid(P["W_O_in"] @ x + P["W_O"] @ z_prev)
    s = gF * s_prev + gI * np.tanh(u)
    return gO * np.tanh(s), s, {"x": x, "z_prev": z_prev, "s_prev": s_prev, "u": u, "gF": gF, "gI": gI, "gO": gO,
                                "s": s}


def _forward(X, P, z0=None, s0=None):
    H = P["W"].shape[0]
    z = np.zeros(H) if z0 is None else z0
    s = np.zeros(H) if s0 is None else s0
    Z, S, caches = [], [], []
    for x in X:
        z, s, c = _step(x, z, s, P)
        Z.append(z)
        S.append(s)
        caches.append(c)
    return np.array(Z), np.array(S), caches


def _backward(dZ, caches, P, ds_last=None):
    grads = {k: np.zeros_like(P[k], dtype=float) for k in KEYS}
    H = P["W"].shape[0]
    dz = np.zeros(H)
    ds = np.zeros(H) if ds_last is None else np.asarray(ds_last, dtype=float)
    for t in range(len(caches) - 1, -1, -1):
        c = caches[t]
        fu, fs = np.tanh(c["u"]), np.tanh(c["s"])
        ez = dZ[t] + dz
        es = ds + ez * c["gO"] * (1.0 - fs * fs)
        deltas = (("W_in", "W", es * c["gI"] * (1.0 - fu * fu)),
                  ("W_F_in", "W_F", es * c["s_prev"] * c["gF"] * (1.0 - c["gF"])),
                  ("W_I_in", "W_I", es * fu * c["gI"] * (1.0 - c["gI"])),
                  ("W_O_in", "W_O", ez * fs * c["gO"] * (1.0 - c["gO"])))
        ds = es * c["gF"]
        dz = np.zeros(H)
        for k_in, k, d in deltas:
            grads[k_in] += np.outer(d, c["x"])
            grads[k] += np.outer(d, c["z_prev"])
            dz = dz + P[k].T @ d
    return grads, dz, ds


# ---------------------------------------------------------------------------------------------
# encode


def _encode_first(X, P):
    Z, S, caches = _forward(X, P)
    return Z[0], S[0], caches


def _encode_swapped(X, P):
    Z, S, caches = _forward(X, P)
    return S[-1], Z[-1], caches


# ---------------------------------------------------------------------------------------------
# decoder_inputs


def _inputs(shift=True, go=True, bias=True):
    def decoder_inputs(Y):
        T, m = Y.shape
        Xd = np.zeros((T, m + 2))
        Xd[:, 0] = 1.0
        if go:
            Xd[0, 1] = 1.0
        if shift:
            Xd[1:, 2:] = Y[:-1]
        else:
            Xd[:, 2:] = Y
        return Xd if bias else Xd[:, 1:]

    return decoder_inputs


# ---------------------------------------------------------------------------------------------
# decoder_forward


def _decoder_forward(shift=True, from_encoder=True, mean=False, softmax_shift="max", log_everywhere=False):
    def decoder_forward(Y, z0, s0, P):
        Xd = _inputs(shift=shift)(Y)
        Z, _, caches = _forward(Xd, P, z0, s0) if from_encoder else _forward(Xd, P)
        Yhat = _shifted_softmax(Z @ P["W_out"][:, 1:].T + P["W_out"][:, 0], softmax_shift)
        E = cross_entropy_everywhere(Yhat, Y) if log_everywhere else -float(np.sum(Y[Y > 0] * np.log(Yhat[Y > 0])))
        return Yhat, E / len(Y) if mean else E, Z, caches

    return decoder_forward


# ---------------------------------------------------------------------------------------------
# decoder_backward


def _decoder_backward(sign=1.0, out_bias=True):
    def decoder_backward(Y, Yhat, Z, caches, P):
        dV = sign * (Yhat - Y)
        Z1 = np.hstack([np.ones((len(Z), 1)), Z]) if out_bias else Z
        grads, dz0, ds0 = _backward(dV @ P["W_out"][:, 1:], caches, P)
        return dict(grads, W_out=dV.T @ Z1), dz0, ds0

    return decoder_backward


def _shapes_in(message: str) -> list[tuple]:
    return [tuple(int(n) for n in re.findall(r"\d+", m)) for m in re.findall(r"\((\d+(?:,\s*\d*)*)\)", message)]


def _full_W_out_error(args, kwargs, message: str) -> bool:
    """numpy's complaint about H+1 against H: δ^out W_out has H+1 columns, the LSTM's z′_t has H."""
    H = np.shape(args[4]["W"])[0]
    lasts = {s[-1] for s in _shapes_in(message) if s}
    if H in lasts and H + 1 in lasts:
        return True
    return bool(re.search(rf"size {H + 1} is different from {H}\b|size {H} is different from {H + 1}\b", message))


# ---------------------------------------------------------------------------------------------
# encoder_backward


def _encoder_backward(where="last", cell=True):
    def encoder_backward(dz_T, ds_T, caches, P):
        T, H = len(caches), P["W"].shape[0]
        dZ = np.zeros((T, H))
        if where == "last":
            dZ[-1] = dz_T
        elif where == "first":
            dZ[0] = dz_T
        else:
            dZ[:] = dz_T
        return _backward(dZ, caches, P, ds_T if cell else None)[0]

    return encoder_backward


# ---------------------------------------------------------------------------------------------
# greedy_decode


def _greedy(feed="onehot", carry=True, softmax_shift="max"):
    def greedy_decode(z0, s0, P, T_out):
        W_out = P["W_out"]
        m = W_out.shape[0]
        go = np.zeros(m + 2)
        go[:2] = 1.0
        Yhat, Y_pred = np.zeros((T_out, m)), np.zeros((T_out, m))
        x, z, s = go, z0, s0
        for t in range(T_out):
            z, s, _ = _step(x, z if carry else z0, s if carry else s0, P)
            Yhat[t] = _shifted_softmax(W_out[:, 1:] @ z + W_out[:, 0], softmax_shift)
            k = int(np.argmax(Yhat[t]))
            Y_pred[t, k] = 1.0
            x = np.zeros(m + 2)
            x[0] = 1.0
            if feed == "onehot":
                x[2 + k] = 1.0
            elif feed == "probabilities":
                x[2:] = Yhat[t]
            else:
                x = go
        return Yhat, Y_pred

    return greedy_decode


MISTAKES = {
    "encode": (
        Mistake("first_state",
                "Did you return the FIRST state z_1, s_1? The decoder starts from the last one, z_T and s_T: "
                "Z[-1] and S[-1].",
                "最初の状態 z_1, s_1 を返していませんか？デコーダが始まるのは最後の状態 z_T, s_T（Z[-1] と S[-1]）です。",
                _encode_first, outputs=("z_T", "s_T")),
        Mistake("states_swapped",
                "Did you swap z_T and s_T? Return the output z_T first, then the memory cell s_T.",
                "z_T と s_T を入れ替えていませんか？先にメモリユニットの出力 z_T、次にメモリセル s_T を返してください。",
                _encode_swapped, outputs=("z_T", "s_T")),
    ),
    "decoder_inputs": (
        Mistake("not_shifted",
                "Did you feed y_t itself at step t? Teacher forcing feeds the PREVIOUS symbol: x′_t = [1; 0; y_{t−1}], "
                "and x′_1 holds only <go>.",
                "時刻 t に y_t そのものを入れていませんか？教師強制で入れるのは 1 つ前の記号 x′_t = [1; 0; y_{t−1}] で、"
                "x′_1 は <go> だけです。",
                _inputs(shift=False)),
        Mistake("go_flag_missing",
                "Did you forget the <go> flag? x′_1 = [1; 1; 0, …, 0]: column 1 of the first row is 1.",
                "<go> の印を忘れていませんか？x′_1 = [1; 1; 0, …, 0] で、最初の行の列 1 が 1 です。",
                _inputs(go=False)),
        Mistake("bias_column_missing",
                "Did you leave out the bias column? x′_t = [1; go; symbol] has m+2 entries, the leading 1 first.",
                "バイアスの列を忘れていませんか？x′_t = [1; go; 記号] は先頭の 1 を含めて m+2 個の要素を持ちます。",
                _inputs(bias=False)),
    ),
    "decoder_forward": (
        Mistake("zero_initial_state",
                "Did you start the decoder from zeros? It starts from the encoder's state: pass z0 and s0 to lstm_forward.",
                "デコーダを 0 から始めていませんか？デコーダはエンコーダの状態から始まります。lstm_forward に z0 と s0 を"
                "渡してください。",
                _decoder_forward(from_encoder=False), outputs=("Yhat", "E")),
        Mistake("not_shifted",
                "Did you feed y_t itself at step t? The decoder reads the previous symbol: use decoder_inputs(Y).",
                "時刻 t に y_t そのものを入れていませんか？デコーダが読むのは 1 つ前の記号です。decoder_inputs(Y) を"
                "使ってください。",
                _decoder_forward(shift=False), outputs=("Yhat", "E")),
        Mistake("mean_over_time",
                "Did you divide E by T′? E = −Σ_t Σ_k y_tk log ŷ_tk is a sum over the steps, not a mean.",
                "E を T′ で割っていませんか？E = −Σ_t Σ_k y_tk log ŷ_tk は時刻についての和で、平均ではありません。",
                _decoder_forward(mean=True), outputs=("E",)),
        Mistake("softmax_without_max_shift", *NO_SHIFT, _decoder_forward(softmax_shift="none"), outputs=("Yhat",)),
        Mistake("softmax_global_max", *GLOBAL_MAX, _decoder_forward(softmax_shift="global"), outputs=("Yhat",)),
        Mistake("softmax_min_shift", *MIN_SHIFT, _decoder_forward(softmax_shift="min"), outputs=("Yhat",)),
        Mistake("log_of_zero", *LOG_OF_ZERO, _decoder_forward(log_everywhere=True), outputs=("E",)),
    ),
    "decoder_backward": (
        Mistake("sign_flipped",
                "Did you use Y − Ŷ? The output error is δ^out = Ŷ − Y (the gradient, not its negative).",
                "Y − Ŷ を使っていませんか？出力層の誤差は δ^out = Ŷ − Y です（勾配で、その符号反転ではありません）。",
                _decoder_backward(sign=-1.0)),
        Mistake("W_out_bias_column_dropped",
                "Did you leave out the bias column of ∂E/∂W_out? It is δ^outᵀ [1 Z], (m, H+1), column 0 Σ_t δ^out_t.",
                "∂E/∂W_out のバイアスの列を落としていませんか？δ^outᵀ [1 Z] は (m, H+1) で、列 0 は Σ_t δ^out_t です。",
                _decoder_backward(out_bias=False)),
        Mistake("bias_column_not_removed", *NOT_REMOVED_ROWS, error=_full_W_out_error),
    ),
    "encoder_backward": (
        Mistake("cell_gradient_dropped",
                "Did you drop ds_T? The memory cell s_T is handed to the decoder too, so ∂E/∂s_T = ds_T must enter "
                "lstm_backward (ds_last).",
                "ds_T を落としていませんか？メモリセル s_T もデコーダに引き継がれるので、∂E/∂s_T = ds_T を "
                "lstm_backward の ds_last から入れてください。",
                _encoder_backward(cell=False)),
        Mistake("error_at_first_step",
                "Did you put dz_T in the first row of dZ? It belongs to z_T, the LAST row; the other rows are 0.",
                "dz_T を dZ の最初の行に入れていませんか？dz_T は z_T、つまり最後の行のものです。他の行は 0 です。",
                _encoder_backward(where="first")),
        Mistake("error_at_every_step",
                "Did you put dz_T in every row of dZ? Only z_T is handed to the decoder; z_1 … z_{T−1} get no error "
                "from above.",
                "dz_T を dZ の全ての行に入れていませんか？デコーダに渡るのは z_T だけで、z_1 … z_{T−1} には上からの誤差は"
                "ありません。",
                _encoder_backward(where="every")),
    ),
    "greedy_decode": (
        Mistake("probabilities_fed_back",
                "Did you feed ŷ_t back as the next input? Feed the one-hot of the chosen symbol argmax_k ŷ_tk.",
                "ŷ_t そのものを次の入力にしていませんか？選んだ記号 argmax_k ŷ_tk の one-hot を入れてください。",
                _greedy(feed="probabilities")),
        Mistake("state_not_carried",
                "Did you restart every step from (z0, s0)? Carry the decoder's state (z′_t, s′_t) to the next step.",
                "毎時刻 (z0, s0) からやり直していませんか？デコーダの状態 (z′_t, s′_t) を次の時刻へ引き継いでください。",
                _greedy(carry=False)),
        Mistake("output_not_fed_back",
                "Did you feed <go> at every step? After x′_1 = [1; 1; 0], the input is the previous choice "
                "[1; 0; one-hot(k_{t−1})].",
                "毎時刻 <go> を入れていませんか？x′_1 = [1; 1; 0] の後の入力は、1 つ前に選んだ記号 "
                "[1; 0; one-hot(k_{t−1})] です。",
                _greedy(feed="go")),
        Mistake("softmax_without_max_shift", *NO_SHIFT, _greedy(softmax_shift="none"), outputs=("Yhat",)),
        Mistake("softmax_min_shift", *MIN_SHIFT, _greedy(softmax_shift="min"), outputs=("Yhat",)),
    ),
}
