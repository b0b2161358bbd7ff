"""The typical mistakes of the classify exercise (see autograder/mistakes.py for how they are matched)."""

from __future__ import annotations

import numpy as np

from rnnref import adam
from rnnref.classify import accuracy as _accuracy
from rnnref.classify import mean_loss_and_grads

from ..mistakes import Mistake
from ._adam import ADAM_MISTAKES

#: what the softmax subtracts before the exp: each row's own max (right), nothing, the max of all rows, the row's min
_SHIFTS = {True: lambda V: V.max(axis=-1, keepdims=True), False: lambda V: 0.0, "global": lambda V: V.max(),
           "min": lambda V: V.min(axis=-1, keepdims=True)}


def _forward(shift=True, transpose=False, out_bias=True, every_step=False):
    def forward(X, P):
        N, T, _ = X.shape
        H = P["W"].shape[0]
        Z = np.zeros((N, T, H))
        z = np.zeros((N, H))
        for t in range(T):
            z = np.tanh(X[:, t] @ P["W_in"].T + z @ (P["W"] if transpose else P["W"].T))
            Z[:, t] = z
        V = (Z if every_step else z) @ P["W_out"][:, 1:].T + (P["W_out"][:, 0] if out_bias else 0.0)
        e = np.exp(V - _SHIFTS[shift](V))
        return e / e.sum(axis=-1, keepdims=True), Z

    return forward


def _ce_terms(Yhat, Y):
    out = np.zeros_like(Y)
    mask = Y > 0
    out[mask] = Y[mask] * np.log(Yhat[mask])
    return out


def _backward(scale_by_N=True, transpose=False, every_step=False, shift=True):
    def backward(X, Z, Yhat, Y, P):
        N, T, H = Z.shape
        d_out = (Yhat - Y) / (N if scale_by_N else 1)
        grads = {"W_in": np.zeros_like(P["W_in"]), "W": np.zeros_like(P["W"]),
                 "W_out": d_out.T @ np.hstack([np.ones((N, 1)), Z[:, -1]])}
        direct = d_out @ P["W_out"][:, 1:]
        dz = direct
        for t in range(T - 1, -1, -1):
            delta = dz * (1.0 - Z[:, t] ** 2)
            prev = Z[:, t - 1] if t > 0 else np.zeros((N, H))
            grads["W_in"] += delta.T @ X[:, t]
            grads["W"] += delta.T @ (prev if shift else Z[:, t])
            dz = delta @ (P["W"].T if transpose else P["W"])
            if every_step:
                dz = dz + direct
        return grads

    return backward


def _train(keep_state=True, use_lr=True):
    def train(X, Y, P, epochs, batch_size, lr, seed=0):
        from rnnref import elman_forward

        N = X.shape[0]
        rng = np.random.default_rng(seed)
        state, losses, accs = None, [], []
        for _ in range(epochs):
            perm = rng.permutation(N)
            total = 0.0
            for i in range(0, N, batch_size):
                idx = perm[i:i + batch_size]
                E, grads, _ = mean_loss_and_grads(X[idx], Y[idx], P)
                total += E * len(idx)
                P, state = adam(P, grads, state if keep_state else None, **({"lr": lr} if use_lr else {}))
            losses.append(total / N)
            accs.append(_accuracy(elman_forward(X, P, g="softmax", many_to_one=True)[0], Y))
        return P, {"loss": np.array(losses), "acc": np.array(accs)}

    return train


_NO_SHIFT = ("Did you compute the softmax without the max shift? e^{v} overflows for large v: subtract max_k v_k of "
             "each row before the exp (it does not change the result).",
             "最大値を引かずにソフトマックス関数を計算していませんか？v が大きいと e^{v} がオーバーフローします。"
             "exp の前に各行の max_k v_k を引いてください（結果は変わりません）。")

MISTAKES = {
    "forward": (
        Mistake("softmax_without_max_shift", *_NO_SHIFT, _forward(shift=False)),
        Mistake("softmax_global_max",
                "Did you subtract the maximum of all of V instead of each row's own maximum? Rows whose maxima "
                "lie far apart underflow to 0/0: subtract max_k v_nk of each row (V.max(axis=1, "
                "keepdims=True)).",
                "各行の最大値ではなく V 全体の最大値を引いていませんか？最大値が大きく離れた行は 0/0 になります。"
                "各行の max_k v_nk を引いてください（V.max(axis=1, keepdims=True)）。",
                _forward(shift="global")),
        Mistake("softmax_min_shift",
                "Did you subtract each row's minimum instead of its maximum? e^{v − min} overflows when a row spreads over more than ~700: subtract max_k v_nk (V.max(axis=1, keepdims=True)).",
                "各行の最大値ではなく最小値を引いていませんか？行の値の幅が約 700 を超えると e^{v − min} がオーバーフローします。"
                "max_k v_nk を引いてください（V.max(axis=1, keepdims=True)）。",
                _forward(shift="min")),
        Mistake("W_transposed",
                "Did you write z_prev @ W? With the sequences as rows, W z_{t−1} for every n is z_prev @ W.T "
                "(z_prev @ W is Wᵀ z_{t−1}).",
                "z_prev @ W と書いていませんか？系列を行に並べると、全系列の W z_{t−1} は z_prev @ W.T です"
                "（z_prev @ W は Wᵀ z_{t−1}）。",
                _forward(transpose=True)),
        Mistake("output_bias_omitted",
                "Did you leave out the output bias? v = W_out [1; z_T]: column 0 of W_out multiplies the 1.",
                "出力層のバイアスを忘れていませんか？v = W_out [1; z_T] で、W_out の列 0 が 1 に掛かります。",
                _forward(out_bias=False), outputs=("Yhat",)),
        Mistake("output_at_every_step",
                "Did you compute an output at every step? The many-to-one network reads out only z_T: Yhat is (N, m).",
                "全時刻で出力を計算していませんか？many-to-one のネットワークは z_T だけを読み出すので、Yhat は (N, m) です。",
                _forward(every_step=True), outputs=("Yhat",)),
    ),
    "loss": (
        Mistake("log_of_zero",
                "Did you take log ŷ where y = 0? ŷ can be exactly 0 there and 0 · log 0 gives nan: sum y log ŷ only where y > 0 (0 · log 0 counts as 0).",
                "y = 0 の所でも log ŷ を取っていませんか？そこでは ŷ がちょうど 0 になることがあり、0 · log 0 は nan になります。"
                "y > 0 の所だけで y log ŷ を足してください（0 · log 0 は 0 と数えます）。",
                lambda Yhat, Y: float(-np.sum(Y * np.log(Yhat)))),
        Mistake("sum_not_mean",
                "Did you sum over the sequences? E is the mean over the N sequences of the mini-batch: divide by N.",
                "系列について和を取っていませんか？E はミニバッチの N 系列についての平均なので、N で割ってください。",
                lambda Yhat, Y: float(-np.sum(_ce_terms(Yhat, Y)))),
        Mistake("mean_over_entries",
                "Did you take the mean of all N·m entries? Sum over the classes k, then divide by N only.",
                "N·m 個すべての要素の平均を取っていませんか？クラス k については和を取り、N だけで割ってください。",
                lambda Yhat, Y: float(-np.mean(_ce_terms(Yhat, Y)))),
        Mistake("minus_sign_dropped",
                "Did you drop the minus sign? The cross-entropy −(1/N) Σ_n Σ_k y_nk log ŷ_nk is never negative.",
                "マイナス符号を落としていませんか？交差エントロピー −(1/N) Σ_n Σ_k y_nk log ŷ_nk は負になりません。",
                lambda Yhat, Y: float(np.sum(_ce_terms(Yhat, Y)) / Y.shape[0])),
    ),
    "backward": (
        Mistake("not_divided_by_N",
                "Did you forget the 1/N of the mean? E averages over the sequences, so δ^out = (ŷ − y)/N.",
                "平均の 1/N を忘れていませんか？E は系列について平均しているので δ^out = (ŷ − y)/N です。",
                _backward(scale_by_N=False)),
        Mistake("W_not_transposed",
                "Did you send δ back with W instead of Wᵀ? With δ_{t+1} as rows, Wᵀ δ_{t+1} is delta @ W (not delta @ W.T).",
                "δ を Wᵀ ではなく W で戻していませんか？δ_{t+1} を行に並べると、Wᵀ δ_{t+1} は delta @ W です"
                "（delta @ W.T ではありません）。",
                _backward(transpose=True)),
        Mistake("error_at_every_step",
                "Did you add the output error W̃_outᵀ δ^out at every step? In the many-to-one network only δ_T gets it.",
                "出力の誤差 W̃_outᵀ δ^out を全時刻で足していませんか？many-to-one のネットワークでは δ_T だけが受け取ります。",
                _backward(every_step=True)),
        Mistake("z_not_shifted",
                "Did you use z_t instead of z_{t−1} in ∂E/∂W? u_t = W_in x_t + W z_{t−1}: ∂E/∂W = Σ δ_t z_{t−1}ᵀ with z_0 = 0.",
                "∂E/∂W で z_{t−1} の代わりに z_t を使っていませんか？u_t = W_in x_t + W z_{t−1} なので "
                "∂E/∂W = Σ δ_t z_{t−1}ᵀ（z_0 = 0）です。",
                _backward(shift=False)),
    ),
    "accuracy": (
        Mistake("count_not_fraction",
                "Did you return the number of right answers? The accuracy is their fraction: divide by N (np.mean).",
                "正解の個数を返していませんか？正解率はその割合なので N で割ってください（np.mean）。",
                lambda Yhat, Y: float(np.sum(np.argmax(Yhat, 1) == np.argmax(Y, 1)))),
        Mistake("argmax_over_sequences",
                "Did you take np.argmax along axis 0? The classes are along axis 1: np.argmax(Yhat, axis=1).",
                "np.argmax を axis 0 に沿って取っていませんか？クラスは axis 1 の方向なので np.argmax(Yhat, axis=1) です。",
                lambda Yhat, Y: float(np.mean(np.argmax(Yhat, 0) == np.argmax(Y, 0)))),
    ),
    "adam_step": ADAM_MISTAKES,
    "train": (
        Mistake("adam_state_reset",
                "Did you pass state=None to every adam_step? Keep the state it returns and pass it to the next step, "
                "across batches and epochs.",
                "毎回 adam_step に state=None を渡していませんか？返された state を次のステップに渡し、"
                "バッチとエポックをまたいで引き継いでください。",
                _train(keep_state=False)),
        Mistake("lr_not_passed",
                "Did you call adam_step without lr=lr? Its default learning rate 10⁻³ is not the lr given to train.",
                "adam_step を lr=lr なしで呼んでいませんか？既定の学習率 10⁻³ は train に渡された lr とは違います。",
                _train(use_lr=False)),
    ),
}
