"""The wrong softmax shifts and the 0 · log 0 of the cross-entropy, shared by the exercises whose students write a
softmax (birnn, recursive, rtrl, seq2seq; classify has its own): the variants' softmax and the hints' words."""

from __future__ import annotations

import numpy as np

#: what the softmax subtracts before the exp: each row's own max (right), nothing, the max of all rows, the row's
#: min, the row's sum
SHIFTS = {"max": lambda V: np.max(V, axis=-1, keepdims=True), "none": lambda V: 0.0, "global": lambda V: np.max(V),
          "min": lambda V: np.min(V, axis=-1, keepdims=True), "sum": lambda V: np.sum(V, axis=-1, keepdims=True)}


def softmax(V, shift="max"):
    """e^{v − c} / Σ e^{v − c} over the last axis, c as SHIFTS[shift] says."""
    V = np.asarray(V, dtype=np.float64)
    e = np.exp(V - SHIFTS[shift](V))
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_everywhere(Yhat, Y) -> float:
    """−Σ y log ŷ over every entry, also where y = 0 (0 · log 0 = nan)."""
    return float(-np.sum(Y * np.log(Yhat)))


NO_SHIFT = ("Did you compute the softmax without the max shift? e^{v} overflows when a score is in the hundreds: "
            "subtract max_k v_k before the exp (it does not change the result).",
            "最大値を引かずにソフトマックス関数を計算していませんか？スコアが数百になると e^{v} がオーバーフローします。"
            "exp の前に max_k v_k を引いてください（結果は変わりません）。")

GLOBAL_MAX = ("Did you subtract the maximum of all of V instead of each row's own maximum? A row whose maximum lies far "
              "below the others underflows to 0/0: subtract max_k v_tk of each row (V.max(axis=1, keepdims=True)).",
              "各行の最大値ではなく V 全体の最大値を引いていませんか？最大値がほかの行よりずっと小さい行は 0/0 になります。"
              "各行の max_k v_tk を引いてください（V.max(axis=1, keepdims=True)）。")

MIN_SHIFT = ("Did you subtract the minimum instead of the maximum? e^{v − min} overflows when the scores spread over "
             "more than ~700: subtract max_k v_k.",
             "最大値ではなく最小値を引いていませんか？スコアの幅が約 700 を超えると e^{v − min} がオーバーフローします。"
             "max_k v_k を引いてください。")

LOG_OF_ZERO = ("Did you take log ŷ where y = 0? ŷ can be exactly 0 there (e^{v_k − max} underflows for a score far "
               "below the maximum) and 0 · log 0 gives nan: sum y log ŷ only where y > 0 (0 · log 0 counts as 0).",
               "y = 0 の所でも log ŷ を取っていませんか？最大値よりずっと小さいスコアでは e^{v_k − max} がアンダーフローして "
               "ŷ がちょうど 0 になり、0 · log 0 は nan になります。y > 0 の所だけで y log ŷ を足してください"
               "（0 · log 0 は 0 と数えます）。")


def fails_every_wrong_shift(V) -> bool:
    """Whether scores V (rows over the last axis) tell each wrong shift from the right one: with every shift but
    each row's own max, the softmax is not finite somewhere (the input a blind-spot case needs)."""
    with np.errstate(all="ignore"):
        return all(not np.all(np.isfinite(softmax(V, s))) for s in ("none", "global", "min", "sum")
                   if not (s == "global" and np.ndim(V) == 1))
