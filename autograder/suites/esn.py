"""esn: the echo state network — spectral-radius scaling, the leaky reservoir, the ridge readout,
free-running generation, the NRMSE, and a forecast of Mackey–Glass graded on its error.

References from rnnref.esn (batched, N = 1) and rnnref.analysis. ``forecast`` is graded on a
threshold: the NRMSE of the student's K-step forecast against the true continuation of a
Mackey–Glass series (computed here, in the grader; the continuation never reaches the student's
code) must be at most FORECAST_NRMSE.
"""

from __future__ import annotations

import numpy as np

from rnnref.analysis import scale_to_spectral_radius
from rnnref.esn import esn_generate, esn_states, mackey_glass, nrmse, ridge_readout

from ..cases import Threshold
from . import Suite, spread
from ._data import matrix, sequence, sizes

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 7

A = "esn"

#: the forecast's bar: NRMSE over K = FORECAST_K steps (the reference reaches about 0.01)
FORECAST_NRMSE = 0.1
FORECAST_T, FORECAST_K = 2000, 100


def _variants(build, label="T={T}, d={d}, H={H}, m={m}"):
    """One variant per size of _data.sizes(), labelled with the dimensions that matter to the function."""
    return [(label.format(T=T, d=d, H=H, m=m, w=T // 3), (lambda rng, dims=dims: build(rng, *dims)), visible)
            for _, dims, visible in sizes() for T, d, H, m in [dims]]


def _leak(rng):
    return float(rng.uniform(0.1, 0.9))


def _reservoir(rng, d, H):
    return matrix(rng, H, d + 1), scale_to_spectral_radius(rng.standard_normal((H, H)), float(rng.uniform(0.8, 1.2)))


def _scale(rng, T, d, H, m):
    W = rng.standard_normal((H, H))
    rho = float(rng.uniform(0.5, 1.5))
    return (W, rho), {}, scale_to_spectral_radius(W, rho)


def _scale_negative(rng):
    """The largest |λ| belongs to a negative eigenvalue: the largest λ is not ρ(W)."""
    H = 3
    Q = rng.standard_normal((H, H)) + 3 * np.eye(H)
    W = Q @ np.diag([-2.5, 1.0, 1.5]) @ np.linalg.inv(Q)
    rho = float(rng.uniform(0.5, 1.5))
    return (W, rho), {}, scale_to_spectral_radius(W, rho)


def _step(rng, T, d, H, m):
    W_in, W = _reservoir(rng, d, H)
    x = sequence(rng, 1, d)[0]
    z_prev = rng.uniform(-1, 1, H)
    a = _leak(rng)
    z = esn_states(x[None, None], W_in, W, a, z0=z_prev[None])[0, 0]
    return (x, z_prev, W_in, W, a), {}, z


def _states(rng, T, d, H, m, a=None):
    W_in, W = _reservoir(rng, d, H)
    X = sequence(rng, T, d)
    a = _leak(rng) if a is None else a
    return (X, W_in, W, a), {}, esn_states(X[None], W_in, W, a)[0]


def _readout_data(rng, T, d, H, m):
    W_in, W = _reservoir(rng, d, H)
    Z = esn_states(sequence(rng, T, d)[None], W_in, W, _leak(rng))[0]
    Y = rng.standard_normal((T, m))
    beta = float(10 ** rng.uniform(-2, 0))
    return Z, Y, beta


def _ridge(rng, T, d, H, m):
    Z, Y, beta = _readout_data(rng, T, d, H, m)
    washout = T // 3
    return (Z, Y, beta, washout), {}, ridge_readout(Z, Y, beta, washout)


def _ridge_long(rng):
    """More steps than unknowns, as in practice: T = 40, H = 6, m = 2, washout 10."""
    T, d, H, m = 40, 2, 6, 2
    Z, Y, beta = _readout_data(rng, T, d, H, m)
    return (Z, Y, beta, 10), {}, ridge_readout(Z, Y, beta, 10)


def _generate(rng, T, d, H, m):
    """Closed loop: the input dimension is the output dimension m; K = T predictions."""
    W_in, W = _reservoir(rng, m, H)
    W_out = matrix(rng, m, H + 1)
    z = rng.uniform(-1, 1, H)
    a = _leak(rng)
    return (z, W_in, W, W_out, a, T), {}, esn_generate(z[None], W_in, W, W_out, a, T)[0]


def _nrmse(T, m):
    def make(rng):
        Y = rng.standard_normal((T, m)) + rng.standard_normal(m)
        Yhat = Y + 0.3 * rng.standard_normal((T, m))
        return (Yhat, Y), {}, nrmse(Yhat, Y)

    return make


def _forecast_error(result, extra) -> float:
    s_next = np.asarray(result, dtype=np.float64).reshape(-1, 1)
    return nrmse(s_next, extra["truth"].reshape(-1, 1))


def _forecast(rng):
    """T = 2000 samples of Mackey–Glass τ = 17 from a random start; the next K = 100 are held back."""
    s = mackey_glass(FORECAST_T + FORECAST_K, x0=float(rng.uniform(0.5, 1.3)), discard=float(rng.uniform(300, 1000)))
    known, truth = s[:FORECAST_T], s[FORECAST_T:]
    expected = Threshold("nrmse", FORECAST_NRMSE, _forecast_error, at_least=False, like=np.zeros(FORECAST_K),
                         extra={"truth": truth}, fmt=".3g",
                         quantity={"en": f"the NRMSE of the {FORECAST_K}-step forecast",
                                   "ja": f"{FORECAST_K} ステップ先までの予測の NRMSE"})
    return (known, FORECAST_K), {}, expected


FORECAST_LABEL = f"Mackey–Glass τ=17, T={FORECAST_T}, K={FORECAST_K}, NRMSE ≤ {FORECAST_NRMSE}"

SUITE = Suite(
    assignment=A,
    seed=20231213,
    points={"scale_to_spectral_radius": 1, "reservoir_step": 2, "reservoir_states": 2, "ridge_readout": 3,
            "generate": 2, "nrmse": 1, "forecast": 3},
    cases=tuple(
        spread("scale_to_spectral_radius", 1,
               [(f"H={H}", (lambda rng, H=H: _scale(rng, 0, 0, H, 0)), visible) for H, visible in
                ((4, True), (1, False), (7, False))] + [("largest |λ| negative, H=3", _scale_negative, True)],
               assignment=A, arg_names=("W", "rho"), outputs="W_scaled",
               hints={"value": {"en": "ρ(W) = max_i |λ_i| over np.linalg.eigvals(W) (complex in general); "
                                      "multiply W by ρ / ρ(W).",
                                "ja": "ρ(W) は np.linalg.eigvals(W)（一般に複素数）の絶対値の最大 max_i |λ_i| です。"
                                      "W に ρ / ρ(W) を掛けてください。"}})
        + spread("reservoir_step", 2, _variants(_step, "d={d}, H={H}"), assignment=A, arg_names=("x", "z_prev", "W_in", "W", "a"),
                 outputs="z",
                 hints={"value": {"en": "z_t = (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1}): the leak mixes the old "
                                        "state with the new tanh(…).",
                                  "ja": "z_t = (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1}) です。"
                                        "漏れ率 a で前の状態と新しい tanh(…) を混ぜます。"}})
        + spread("reservoir_states", 2,
                 _variants(_states, "T={T}, d={d}, H={H}") + [("a=1 (no leak), T=5, d=2, H=3", lambda rng: _states(rng, 5, 2, 3, 0, 1.0), False)],
                 assignment=A, arg_names=("X", "W_in", "W", "a"), outputs="Z", labels={"Z": (0, "z_{}")},
                 hints={"shape": {"en": "Z is (T, H): one row z_t per step, z_0 not included.",
                                  "ja": "Z は (T, H) です。各時刻の z_t が 1 行ずつで、z_0 は含めません。"},
                        "value": {"en": "Start from z_0 = 0 and feed each step the previous state.",
                                  "ja": "z_0 = 0 から始め、各時刻に一つ前の状態を渡してください。"}})
        + spread("ridge_readout", 3,
                 _variants(_ridge, "T={T}, H={H}, m={m}, washout={w}") + [("T=40, H=6, m=2, washout=10", _ridge_long, True)],
                 assignment=A, arg_names=("Z", "Y", "beta", "washout"), outputs="W_out",
                 hints={"shape": {"en": "W_out is (m, H+1): column 0 is the bias, so Φ = [1 Z] has H+1 columns.",
                                  "ja": "W_out は (m, H+1) です。列 0 がバイアスなので Φ = [1 Z] は H+1 列です。"},
                        "value": {"en": "W_outᵀ = (ΦᵀΦ + β I)⁻¹ Φᵀ Y over the rows after the washout, "
                                        "Φ = [1 Z], β on every diagonal entry.",
                                  "ja": "ウォッシュアウト後の行だけで W_outᵀ = (ΦᵀΦ + β I)⁻¹ Φᵀ Y です"
                                        "（Φ = [1 Z]、β は対角成分すべてに足します）。"}})
        + spread("generate", 2, _variants(_generate, "K={T}, m={m}, H={H}"), assignment=A, arg_names=("z", "W_in", "W", "W_out", "a", "K"),
                 outputs="Yhat", labels={"Yhat": (0, "ŷ_{}")},
                 hints={"value": {"en": "ŷ_1 = W_out [1; z] comes from the given state; then z is updated with the "
                                        "input [1; ŷ_{k−1}] before each further readout.",
                                  "ja": "ŷ_1 = W_out [1; z] は与えられた状態から読み出します。その後は読み出しの前に、"
                                        "入力 [1; ŷ_{k−1}] で z を更新します。"}})
        + spread("nrmse", 1,
                 [("T=6, m=2", _nrmse(6, 2), True), ("T=12, m=1", _nrmse(12, 1), True),
                  ("T=7, m=3", _nrmse(7, 3), False), ("T=20, m=4", _nrmse(20, 4), False)],
                 assignment=A, arg_names=("Yhat", "Y"), outputs="e",
                 hints={"type": {"en": "Return one number as a float, e.g. float(np.sqrt(…)).",
                                 "ja": "一つの数を float として返してください（例: float(np.sqrt(…))）。"},
                        "value": {"en": "√(Σ‖ŷ_t − y_t‖² / Σ‖y_t − ȳ‖²) with ȳ the mean of the targets over time.",
                                  "ja": "√(Σ‖ŷ_t − y_t‖² / Σ‖y_t − ȳ‖²) で、ȳ は目標値の時間平均です。"}})
        + spread("forecast", 3, [(f"{FORECAST_LABEL}, stretch 1", _forecast, True),
                                 (f"{FORECAST_LABEL}, stretch 2", _forecast, False)],
                 assignment=A, arg_names=("s", "K"), outputs="s_next", compare="threshold",
                 hints={"shape": {"en": "Return the K predicted values as a 1-D array (K,).",
                                  "ja": "予測した K 個の値を 1 次元配列 (K,) で返してください。"},
                        "finite": {"en": "The closed loop diverged: lower ρ, raise β, or check the leak.",
                                   "ja": "自律生成が発散しています。ρ を下げる、β を上げる、漏れ率を確かめる、などを試してください。"},
                        "value": {"en": "Train with teacher forcing (target s_{t+1} for input s_t), fit the readout "
                                        "after a washout, start the loop from the state that has read s_T, and try "
                                        "ρ near 1, a leak a < 1 and a small β.",
                                  "ja": "教師強制（入力 s_t に目標 s_{t+1}）で学習し、ウォッシュアウト後に読み出しを当てはめ、"
                                        "s_T まで読んだ状態から自律生成を始めてください。ρ は 1 付近、漏れ率 a < 1、"
                                        "小さな β を試してください。"}})
    ),
)

#: for the general diagnosis (autograder/diagnosis.py): how time enters each function (ACROSS_TIME; the others: a
#: recurrence)
DIAGNOSIS = {"across_time": {"ridge_readout": "sum"}}
