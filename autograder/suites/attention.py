"""attention: dot-product (Luong) and additive (Bahdanau) attention over the encoder's states, and channel
attention (Squeeze-and-Excitation), forward and backward.

References from rnnref.attention with N = 1. Sizes (T′, T, H, d_a): within each, the four
differ, so that no matrix is square by accident; T′ = 1, T = 1 and H = 1 among them.
Squeeze-and-Excitation's sizes (T, C, r) are its own (SE_SIZES_VISIBLE below).
"""

from __future__ import annotations

import numpy as np

from rnnref import attention as att

from ..cases import FDGradients
from . import FD_LABEL, Suite, fd_last, numerical_gradients, spread
from ._data import matrix

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 12

#: (T′, T, H, d_a)
SIZES_VISIBLE = [(3, 5, 4, 2), (1, 4, 3, 6)]
SIZES_HIDDEN = [(4, 1, 2, 5), (6, 7, 1, 3), (5, 8, 6, 2)]
FD_DIMS = (5, 6, 3, 4)
KEYS = att.ATTENTION_KEYS


def _states(rng, Tp, T, H):
    """Decoder states Hdec (T′, H) and encoder states Hbar (T, H), normal entries."""
    return rng.standard_normal((Tp, H)), rng.standard_normal((T, H))


def _params(rng, H, d_a):
    return {"W_a": matrix(rng, d_a, H, scale=0.8), "U_a": matrix(rng, d_a, H, scale=0.8),
            "v": matrix(rng, d_a, scale=1.0)}


def _variants(build, with_d_a):
    out = []
    for sizes, visible in ((SIZES_VISIBLE, True), (SIZES_HIDDEN, False)):
        for Tp, T, H, d_a in sizes:
            label = f"T′={Tp}, T={T}, H={H}" + (f", d_a={d_a}" if with_d_a else "")
            out.append((label, (lambda rng, dims=(Tp, T, H, d_a): build(rng, *dims)), visible))
    return out


def _dot_forward(rng, Tp, T, H, d_a):
    Hdec, Hbar = _states(rng, Tp, T, H)
    C, cache = att.dot_attention_forward(Hdec[None], Hbar[None])
    return (Hdec, Hbar), {}, (C[0], cache["A"][0])


def _dot_backward(rng, Tp, T, H, d_a):
    Hdec, Hbar = _states(rng, Tp, T, H)
    dC = rng.standard_normal((Tp, H))
    _, cache = att.dot_attention_forward(Hdec[None], Hbar[None])
    dHdec, dHbar = att.dot_attention_backward(dC[None], cache)
    return (dC, Hdec, Hbar, cache["A"][0]), {}, (dHdec[0], dHbar[0])


def _additive_forward(rng, Tp, T, H, d_a):
    Hdec, Hbar = _states(rng, Tp, T, H)
    P = _params(rng, H, d_a)
    C, cache = att.additive_attention_forward(Hdec[None], Hbar[None], P)
    return (Hdec, Hbar, P), {}, (C[0], cache["A"][0], cache["Q"][0])


def _additive_backward(rng, Tp, T, H, d_a):
    Hdec, Hbar = _states(rng, Tp, T, H)
    P = _params(rng, H, d_a)
    dC = rng.standard_normal((Tp, H))
    _, cache = att.additive_attention_forward(Hdec[None], Hbar[None], P)
    back = att.additive_attention_backward(dC[None], cache)
    return (dC, Hdec, Hbar, P, cache["A"][0], cache["Q"][0]), {}, (back.dHdec[0], back.dHbar[0], back.grads)


def _alternating(n, a):
    """(a, −a, a, …) of length n."""
    return np.where(np.arange(n) % 2 == 0, a, -a)


def _dot_forward_rows_apart(rng):
    """Scores e_ts in the thousands: rows whose maxima lie about 2400 apart, each spread over 900; only each row's
    own max shift keeps e^{e_ts} finite (the max of all rows, a row's min or its sum gives 0/0 or ∞/∞)."""
    Tp, T, H = 4, 5, 3
    Hdec, Hbar = _states(rng, Tp, T, H)
    Hdec[:, 0], Hbar[:, 0] = _alternating(Tp, 40.0), 30.0  # row t moves by ±1200
    Hdec[:, 1], Hbar[:, 1] = 30.0, rng.permutation(np.linspace(-15.0, 15.0, T))  # spreads each row over 900
    C, cache = att.dot_attention_forward(Hdec[None], Hbar[None])
    return (Hdec, Hbar), {}, (C[0], cache["A"][0])


def _additive_forward_rows_apart(rng):
    """Scores e_ts = vᵀ q_ts in the hundreds: rows whose maxima lie about 2000 apart, each spread over 900
    (one unit of q reads only h_t, weighed by v = 1000; another only h̄_s, weighed by 450)."""
    Tp, T, H, d_a = 4, 5, 3, 4
    Hdec, Hbar = _states(rng, Tp, T, H)
    P = _params(rng, H, d_a)
    Hdec[:, 0], Hbar[:, 1] = _alternating(Tp, 1.0), _alternating(T, 1.0)
    P["W_a"][0], P["U_a"][0], P["v"][0] = [5.0, 0.0, 0.0], 0.0, 1000.0
    P["W_a"][1], P["U_a"][1], P["v"][1] = 0.0, [0.0, 5.0, 0.0], 450.0
    C, cache = att.additive_attention_forward(Hdec[None], Hbar[None], P)
    return (Hdec, Hbar, P), {}, (C[0], cache["A"][0], cache["Q"][0])


def appended(cases: list, new: int) -> tuple[list, list]:
    """A function's cases (spread over old and new variants alike) split into the old ones, which keep their
    places, and the ``new`` last ones, appended at the end of the suite so that no older case's index (and so
    its inputs) changes."""
    return cases[:len(cases) - new], cases[len(cases) - new:]


def _post_dot(result, extra):
    dHdec, dHbar = result
    return {"Hdec": dHdec, "Hbar": dHbar}


def _post_additive(result, extra):
    dHdec, dHbar, grads = result
    return dict(grads, Hdec=dHdec, Hbar=dHbar)


def _fd(score):
    """Central differences of E = Σ_t dc_tᵀ c_t (rnnref's forward) by the states (and W_a, U_a, v)."""
    Tp, T, H, d_a = FD_DIMS

    def make(rng):
        Hdec, Hbar = _states(rng, Tp, T, H)
        P = _params(rng, H, d_a) if score == "additive" else {}
        dC = rng.standard_normal((Tp, H))

        def loss(p):
            C, _ = att.attention_forward(p["Hdec"][None], p["Hbar"][None], {k: p[k] for k in P}, score)
            return float(np.sum(dC * C[0]))

        _, cache = att.attention_forward(Hdec[None], Hbar[None], P, score)
        back = att.attention_backward(dC[None], cache)
        numerical = numerical_gradients(loss, dict(P, Hdec=Hdec, Hbar=Hbar))
        if score == "dot":
            args, like = (dC, Hdec, Hbar, cache["A"][0]), (back.dHdec[0], back.dHbar[0])
        else:
            args = (dC, Hdec, Hbar, P, cache["A"][0], cache["Q"][0])
            like = (back.dHdec[0], back.dHbar[0], back.grads)
        return args, {}, FDGradients(numerical, like)

    post = _post_dot if score == "dot" else _post_additive
    label = f"{FD_LABEL}, T′={Tp}, T={T}, H={H}" + (f", d_a={d_a}" if score == "additive" else "")
    return [(label, make, False, {"compare": "gradcheck", "post": post})]


# ---------------------------------------------------------------------------------------------
# channel attention: Squeeze-and-Excitation

#: (T, C, r), r < C: within each, T ∉ {C−1, C, C+1, r, r+1} and C ≠ r+1, so that no matrix is square by
#: accident, [1; mean over the channels] (T+1,) never fits W_1 (r, 1+C), and that mistake's numpy
#: error (T+1 against C+1) differs from the missing bias's (C against C+1); T = 1 and r = 1 among them
SE_SIZES_VISIBLE = [(6, 4, 2), (1, 5, 3)]
SE_SIZES_HIDDEN = [(7, 3, 1), (3, 8, 5), (9, 6, 3)]
SE_FD_DIMS = (5, 7, 3)


def _se_inputs(rng, T, C, r):
    """Hbar (T, C) and W_1 (r, 1+C), W_2 (C, 1+r). W_1's biases put the relu inputs a_1 = W_1 [1; s] at
    ±0.4 … 1.2 (away from relu's kink): unit 0 positive, every other unit negative, so with r ≥ 2
    some relu inputs are negative and with r = 1 the path through the squeeze is open."""
    Hbar = rng.standard_normal((T, C))
    W1 = matrix(rng, r, 1 + C)
    sign = np.where(np.arange(r) % 2 == 0, 1.0, -1.0)
    W1[:, 0] = sign * rng.uniform(0.4, 1.2, r) - W1[:, 1:] @ Hbar.mean(axis=0)
    return Hbar, W1, matrix(rng, C, 1 + r, scale=1.0)


def _se_reference(Hbar, W1, W2, dY=None):
    Y, cache = att.se_forward(Hbar[None], {"W_1": W1, "W_2": W2})
    out = (Y[0], cache["S"][0], cache["Q"][0], cache["E"][0])
    if dY is None:
        return out
    back = att.se_backward(dY[None], cache)
    return out, (back.dHbar[0], back.grads["W_1"], back.grads["W_2"])


def _se_variants(build):
    out = []
    for sizes, visible in ((SE_SIZES_VISIBLE, True), (SE_SIZES_HIDDEN, False)):
        for T, C, r in sizes:
            out.append((f"T={T}, C={C}, r={r}", (lambda rng, dims=(T, C, r): build(rng, *dims)), visible))
    return out


def _se_forward(rng, T, C, r):
    Hbar, W1, W2 = _se_inputs(rng, T, C, r)
    return (Hbar, W1, W2), {}, _se_reference(Hbar, W1, W2)


def _se_backward(rng, T, C, r):
    Hbar, W1, W2 = _se_inputs(rng, T, C, r)
    dY = rng.standard_normal((T, C))
    (_, s, q, e), grads = _se_reference(Hbar, W1, W2, dY)
    return (dY, Hbar, W1, W2, s, q, e), {}, grads


def _post_se(result, extra):
    dHbar, dW1, dW2 = result
    return {"Hbar": dHbar, "W_1": dW1, "W_2": dW2}


def _se_fd():
    """Central differences of E = Σ_t dy_tᵀ y_t (rnnref's forward) by H̄, W_1 and W_2."""
    T, C, r = SE_FD_DIMS

    def make(rng):
        Hbar, W1, W2 = _se_inputs(rng, T, C, r)
        dY = rng.standard_normal((T, C))

        def loss(p):
            Y, _ = att.se_forward(p["Hbar"][None], {"W_1": p["W_1"], "W_2": p["W_2"]})
            return float(np.sum(dY * Y[0]))

        (_, s, q, e), like = _se_reference(Hbar, W1, W2, dY)
        numerical = numerical_gradients(loss, {"Hbar": Hbar, "W_1": W1, "W_2": W2})
        return (dY, Hbar, W1, W2, s, q, e), {}, FDGradients(numerical, like)

    return [(f"{FD_LABEL}, T={T}, C={C}, r={r}", make, False, {"compare": "gradcheck", "post": _post_se})]


A = "attention"
ROWS = {"C": (0, "c_{}"), "alpha": (0, "α_{}"), "dHdec": (0, "∂E/∂h_{}"), "dHbar": (0, "∂E/∂h̄_{}"),
        "Y": (0, "y_{}")}
SOFTMAX_HINT = {
    "en": "α_t = softmax over s of the row e_t1 … e_tT: every row of alpha sums to 1; then c_t = Σ_s α_ts h̄_s.",
    "ja": "α_t は e_t1 … e_tT の行について s 方向にとったソフトマックス関数で、alpha の各行の和は 1 です。"
          "その上で c_t = Σ_s α_ts h̄_s です。",
}
BACK_HINT = {
    "en": "∂E/∂e_ts = α_ts (∂E/∂α_ts − Σ_s' α_ts' ∂E/∂α_ts') with ∂E/∂α_ts = dc_tᵀ h̄_s; h̄_s gets two terms: "
          "Σ_t α_ts dc_t (it is weighed) and the one through the scores.",
    "ja": "∂E/∂α_ts = dc_tᵀ h̄_s から ∂E/∂e_ts = α_ts (∂E/∂α_ts − Σ_s' α_ts' ∂E/∂α_ts') です。h̄_s には二つの項が"
          "届きます: 重み付き和の Σ_t α_ts dc_t と、スコアを通る項です。",
}

DOT_FORWARD, DOT_FORWARD_NEW = appended(
    spread("dot_attention_forward", 2, _variants(_dot_forward, False)
           + [("scores in the thousands, rows apart, T′=4, T=5, H=3", _dot_forward_rows_apart, True),
              ("scores in the thousands, rows apart, T′=4, T=5, H=3 (2)", _dot_forward_rows_apart, False)], assignment=A,
               arg_names=("Hdec", "Hbar"), outputs=("C", "alpha"), labels=ROWS,
               hints={"value": SOFTMAX_HINT}),
    2)

ADDITIVE_FORWARD, ADDITIVE_FORWARD_NEW = appended(
    spread("additive_attention_forward", 2, _variants(_additive_forward, True)
           + [("scores in the hundreds, rows apart, T′=4, T=5, H=3, d_a=4", _additive_forward_rows_apart, True),
              ("scores in the hundreds, rows apart, T′=4, T=5, H=3, d_a=4 (2)", _additive_forward_rows_apart, False)], assignment=A,
                 arg_names=("Hdec", "Hbar", "P"), outputs=("C", "alpha", "Q"), labels=ROWS,
                 hints={"value": {"en": "q_ts = tanh(W_a h_t + U_a h̄_s): W_a acts on the decoder state, U_a on the "
                                        "encoder state; e_ts = vᵀ q_ts, then a softmax over s.",
                                  "ja": "q_ts = tanh(W_a h_t + U_a h̄_s) で、W_a はデコーダの状態、U_a はエンコーダの状態に"
                                        "掛かります。e_ts = vᵀ q_ts のあと s 方向のソフトマックス関数です。"},
                        "shape": {"en": "Q is (T′, T, d_a): Q[t−1, s−1] = tanh(W_a h_t + U_a h̄_s).",
                                  "ja": "Q は (T′, T, d_a) で、Q[t−1, s−1] = tanh(W_a h_t + U_a h̄_s) です。"}}),
    2)


SUITE = Suite(
    assignment=A,
    seed=20231207,
    points={"dot_attention_forward": 2, "dot_attention_backward": 3,
            "additive_attention_forward": 2, "additive_attention_backward": 4,
            "se_forward": 2, "se_backward": 3},
    cases=fd_last(
        DOT_FORWARD
        + spread("dot_attention_backward", 3, _variants(_dot_backward, False) + _fd("dot"), assignment=A,
                 arg_names=("dC", "Hdec", "Hbar", "alpha"), outputs=("dHdec", "dHbar"), labels=ROWS,
                 hints={"value": BACK_HINT})
        + ADDITIVE_FORWARD
        + spread("additive_attention_backward", 4, _variants(_additive_backward, True) + _fd("additive"),
                 assignment=A, arg_names=("dC", "Hdec", "Hbar", "P", "alpha", "Q"),
                 outputs=("dHdec", "dHbar", "grads"), labels=ROWS,
                 hints={"value": {"en": "After ∂E/∂e_ts (as for the dot score), ρ_ts = ∂E/∂e_ts · v ⊙ (1 − q_ts²); "
                                        "Σ_s ρ_ts goes to W_a and h_t, Σ_t ρ_ts to U_a and h̄_s, which also gets "
                                        "Σ_t α_ts dc_t.",
                                  "ja": "∂E/∂e_ts（内積のときと同じ）のあと ρ_ts = ∂E/∂e_ts · v ⊙ (1 − q_ts²) です。"
                                        "Σ_s ρ_ts が W_a と h_t へ、Σ_t ρ_ts が U_a と h̄_s へ伝わり、h̄_s にはさらに "
                                        "Σ_t α_ts dc_t が加わります。"}})
        + spread("se_forward", 2, _se_variants(_se_forward), assignment=A,
                 arg_names=("Hbar", "W1", "W2"), outputs=("Y", "s", "q", "e"), labels=ROWS,
                 hints={"value": {"en": "s = (1/T) Σ_t h̄_t averages the rows (the positions) of Hbar; "
                                        "q = relu(W_1 [1; s]), e = σ(W_2 [1; q]) with the bias 1 first; "
                                        "y_t = e ⊙ h̄_t scales channel c of every row by e_c.",
                                  "ja": "s = (1/T) Σ_t h̄_t は Hbar の行（位置）についての平均です。"
                                        "q = relu(W_1 [1; s]), e = σ(W_2 [1; q]) で、バイアスの 1 が先頭です。"
                                        "y_t = e ⊙ h̄_t は各行のチャンネル c を e_c 倍します。"},
                        "shape": {"en": "s and e have one entry per channel, (C,); q is (r,); Y is Hbar's (T, C).",
                                  "ja": "s と e はチャンネルごとに 1 つの値で (C,)、q は (r,)、Y は Hbar と同じ "
                                        "(T, C) です。"}})
        + spread("se_backward", 3, _se_variants(_se_backward) + _se_fd(), assignment=A,
                 arg_names=("dY", "Hbar", "W1", "W2", "s", "q", "e"), outputs=("dHbar", "dW1", "dW2"),
                 labels=ROWS,
                 hints={"value": {"en": "∂E/∂e = Σ_t dy_t ⊙ h̄_t, then σ′ = e ⊙ (1 − e), W̃_2ᵀ, relu′ = [q > 0], "
                                        "W̃_1ᵀ (W̃ = W[:, 1:]); ∂E/∂h̄_t = e ⊙ dy_t + (1/T) ∂E/∂s.",
                                  "ja": "∂E/∂e = Σ_t dy_t ⊙ h̄_t から σ′ = e ⊙ (1 − e)、W̃_2ᵀ、relu′ = [q > 0]、"
                                        "W̃_1ᵀ（W̃ = W[:, 1:]）とさかのぼります。∂E/∂h̄_t = e ⊙ dy_t + (1/T) ∂E/∂s です。"}})
    ) + tuple(DOT_FORWARD_NEW + ADDITIVE_FORWARD_NEW),
)

#: for the general diagnosis (autograder/diagnosis.py): how time enters each function (ACROSS_TIME; the others: a
#: recurrence)
DIAGNOSIS = {"across_time": "positions"}
