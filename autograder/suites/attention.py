"""attention: dot-product (Luong) and additive (Bahdanau) attention over the encoder's states, forward and backward.

References from rnnref.attention with N = 1. Sizes (T′, T, H, d_a): within each, the four
differ, so that no matrix is square by accident; T′ = 1, T = 1 and H = 1 among them.
"""

from __future__ import annotations

import numpy as np

from rnnref import attention as att

from ..cases import FDGradients
from . import FD_LABEL, Suite, fd_last, numerical_gradients, spread
from ._data import matrix

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 9

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


A = "attention"
ROWS = {"C": (0, "c_{}"), "alpha": (0, "α_{}"), "dHdec": (0, "∂E/∂h_{}"), "dHbar": (0, "∂E/∂h̄_{}")}
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

SUITE = Suite(
    assignment=A,
    seed=20231207,
    points={"dot_attention_forward": 2, "dot_attention_backward": 3,
            "additive_attention_forward": 2, "additive_attention_backward": 4},
    cases=fd_last(
        spread("dot_attention_forward", 2, _variants(_dot_forward, False), assignment=A,
               arg_names=("Hdec", "Hbar"), outputs=("C", "alpha"), labels=ROWS,
               hints={"value": SOFTMAX_HINT})
        + spread("dot_attention_backward", 3, _variants(_dot_backward, False) + _fd("dot"), assignment=A,
                 arg_names=("dC", "Hdec", "Hbar", "alpha"), outputs=("dHdec", "dHbar"), labels=ROWS,
                 hints={"value": BACK_HINT})
        + spread("additive_attention_forward", 2, _variants(_additive_forward, True), assignment=A,
                 arg_names=("Hdec", "Hbar", "P"), outputs=("C", "alpha", "Q"), labels=ROWS,
                 hints={"value": {"en": "q_ts = tanh(W_a h_t + U_a h̄_s): W_a acts on the decoder state, U_a on the "
                                        "encoder state; e_ts = vᵀ q_ts, then a softmax over s.",
                                  "ja": "q_ts = tanh(W_a h_t + U_a h̄_s) で、W_a はデコーダの状態、U_a はエンコーダの状態に"
                                        "掛かります。e_ts = vᵀ q_ts のあと s 方向のソフトマックス関数です。"},
                        "shape": {"en": "Q is (T′, T, d_a): Q[t−1, s−1] = tanh(W_a h_t + U_a h̄_s).",
                                  "ja": "Q は (T′, T, d_a) で、Q[t−1, s−1] = tanh(W_a h_t + U_a h̄_s) です。"}})
        + spread("additive_attention_backward", 4, _variants(_additive_backward, True) + _fd("additive"),
                 assignment=A, arg_names=("dC", "Hdec", "Hbar", "P", "alpha", "Q"),
                 outputs=("dHdec", "dHbar", "grads"), labels=ROWS,
                 hints={"value": {"en": "After ∂E/∂e_ts (as for the dot score), ρ_ts = ∂E/∂e_ts · v ⊙ (1 − q_ts²); "
                                        "Σ_s ρ_ts goes to W_a and h_t, Σ_t ρ_ts to U_a and h̄_s, which also gets "
                                        "Σ_t α_ts dc_t.",
                                  "ja": "∂E/∂e_ts（内積のときと同じ）のあと ρ_ts = ∂E/∂e_ts · v ⊙ (1 − q_ts²) です。"
                                        "Σ_s ρ_ts が W_a と h_t へ、Σ_t ρ_ts が U_a と h̄_s へ伝わり、h̄_s にはさらに "
                                        "Σ_t α_ts dc_t が加わります。"}})
    ),
)
