"""The typical mistakes of the rnn_bptt exercise (see autograder/mistakes.py for how they are matched).

Each variant is the reference written with one mistake: the δ recursion with W for Wᵀ, Z for Z̃, the
bias column in the wrong place, a mean for a sum, Adam without (or with a wrong) bias correction, ….
"""

from __future__ import annotations

import re

import numpy as np

from ..mistakes import Mistake
from ._adam import ADAM_MISTAKES
from ._bias import NOT_REMOVED

#: what the softmax subtracts before the exp: each row's own max (right), nothing, the max of all rows, the row's min
_SHIFTS = {True: lambda V: V.max(axis=-1, keepdims=True), False: lambda V: 0.0, "global": lambda V: V.max(),
           "min": lambda V: V.min(axis=-1, keepdims=True)}


def _tanh_prime(U):
    return 1.0 - np.tanh(U) ** 2


def _bptt(U, E, W, W_out, *, back=lambda W, d: W.T @ d, fprime=_tanh_prime, tilde=lambda W_out: W_out[:, 1:]):
    """δ_t = (back(W, δ_{t+1}) + tilde(W_out)ᵀ e_t) ⊙ fprime(u_t), e_t the rows of E."""
    T, H = U.shape
    Wt = tilde(W_out)
    D = np.zeros((H, T))
    nxt = np.zeros(H)
    for t in range(T - 1, -1, -1):
        D[:, t] = (back(W, nxt) + Wt.T @ E[t]) * fprime(U[t])
        nxt = D[:, t]
    return D


def _deltas(**how):
    def deltas(U, Yhat, Y, W, W_out):
        return _bptt(U, Yhat - Y, W, W_out, **how)

    return deltas


def _deltas_sign_flipped(U, Yhat, Y, W, W_out):
    return _bptt(U, Y - Yhat, W, W_out)


def _shapes_in(message: str) -> list[tuple]:
    return [tuple(int(n) for n in re.findall(r"\d+", m)) for m in re.findall(r"\((\d+(?:,\s*\d*)*)\)", message)]


def _bias_not_removed_error(args, kwargs, message: str) -> bool:
    """numpy's complaint about (H+1,) against (H,): W_outᵀ(ŷ − y) has H+1 entries, δ has H."""
    H = args[0].shape[1]
    firsts = {s[0] for s in _shapes_in(message) if s}
    if H in firsts and H + 1 in firsts:
        return True
    return bool(re.search(rf"size {H + 1} is different from {H}\b|size {H} is different from {H + 1}\b", message))


def _m2o_errors(U, yhat_T, y_T, every_step=False):
    T = U.shape[0]
    E = np.zeros((T, yhat_T.shape[0]))
    if every_step:
        E[:] = yhat_T - y_T
    else:
        E[-1] = yhat_T - y_T
    return E


def _deltas_m2o(every_step=False, **how):
    def deltas_many_to_one(U, yhat_T, y_T, W, W_out):
        return _bptt(U, _m2o_errors(U, yhat_T, y_T, every_step), W, W_out, **how)

    return deltas_many_to_one


def _forward(shift=True, bias_in_Z=False, out_bias=True):
    def forward(X, W_in, W, W_out, task="regression"):
        T, H = X.shape[0], W.shape[0]
        U, Z = np.zeros((T, H)), np.zeros((T, H))
        z = np.zeros(H)
        for t in range(T):
            U[t] = W_in @ X[t] + W @ z
            z = Z[t] = np.tanh(U[t])
        V = Z @ W_out[:, 1:].T + (W_out[:, 0] if out_bias else 0.0)
        if task == "classification":
            e = np.exp(V - _SHIFTS[shift](V))
            Yhat = e / e.sum(axis=1, keepdims=True)
        else:
            Yhat = V
        if bias_in_Z:
            Z = np.hstack([np.ones((T, 1)), Z])
        return U, Z, Yhat

    return forward


def _cross_entropy_terms(Yhat, Y):
    out = np.zeros_like(Y)
    mask = Y > 0
    out[mask] = Y[mask] * np.log(Yhat[mask])
    return out


def _loss_log_of_zero(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-np.sum(Y * np.log(Yhat)))
    return float(0.5 * np.sum((Y - Yhat) ** 2))


def _loss_mean_entries(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-np.mean(_cross_entropy_terms(Yhat, Y)))
    return float(0.5 * np.mean((Y - Yhat) ** 2))


def _loss_mean_time(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-np.sum(_cross_entropy_terms(Yhat, Y)) / Y.shape[0])
    return float(0.5 * np.sum((Y - Yhat) ** 2) / Y.shape[0])


def _loss_no_half(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-np.sum(_cross_entropy_terms(Yhat, Y)))
    return float(np.sum((Y - Yhat) ** 2))


def _loss_no_minus(Yhat, Y, task="regression"):
    if task == "classification":
        return float(np.sum(_cross_entropy_terms(Yhat, Y)))
    return float(0.5 * np.sum((Y - Yhat) ** 2))


def _Z_tilde(Z):
    return np.vstack([np.zeros((1, Z.shape[1])), Z[:-1]])


def _with_ones(Z, last=False):
    ones = np.ones((Z.shape[0], 1))
    return np.hstack([Z, ones] if last else [ones, Z])


WT = ("Did you use W instead of Wᵀ in the δ recursion? δ_t receives Wᵀ δ_{t+1} from step t+1.",
      "δ の漸化式で Wᵀ の代わりに W を使っていませんか？δ_t には時刻 t+1 から Wᵀ δ_{t+1} が伝わります。")

MISTAKES = {
    "forward": (
        Mistake("softmax_without_max_shift",
                "Did you compute the softmax without the max shift? e^{v} overflows for large v_t: "
                "subtract max_k v_tk before the exp (it does not change the result).",
                "最大値を引かずにソフトマックス関数を計算していませんか？v_t が大きいと e^{v} がオーバーフローします。"
                "exp の前に max_k v_tk を引いてください（結果は変わりません）。",
                _forward(shift=False)),
        Mistake("softmax_global_max",
                "Did you subtract the maximum of all of V instead of each row's own maximum? Rows whose maxima "
                "lie far apart underflow to 0/0: subtract max_k v_tk of each row (V.max(axis=1, "
                "keepdims=True)).",
                "各行の最大値ではなく V 全体の最大値を引いていませんか？最大値が大きく離れた行は 0/0 になります。"
                "各行の max_k v_tk を引いてください（V.max(axis=1, keepdims=True)）。",
                _forward(shift="global")),
        Mistake("softmax_min_shift",
                "Did you subtract each row's minimum instead of its maximum? e^{v − min} overflows when a row spreads over more than ~700: subtract max_k v_tk (V.max(axis=1, keepdims=True)).",
                "各行の最大値ではなく最小値を引いていませんか？行の値の幅が約 700 を超えると e^{v − min} がオーバーフローします。"
                "max_k v_tk を引いてください（V.max(axis=1, keepdims=True)）。",
                _forward(shift="min")),
        Mistake("bias_in_Z",
                "Did you store [1; z_t] in Z? The 1 of the bias is for the output layer only: "
                "Z is (T, H), row t−1 is z_t without the bias entry.",
                "Z に [1; z_t] を入れていませんか？バイアスの 1 は出力層で使うだけです。"
                "Z は (T, H) で、行 t−1 はバイアスなしの z_t です。",
                _forward(bias_in_Z=True)),
        Mistake("output_bias_omitted",
                "Did you leave out the output bias? v_t = W_out [1; z_t]: column 0 of W_out multiplies the 1.",
                "出力層のバイアスを忘れていませんか？v_t = W_out [1; z_t] で、W_out の列 0 が 1 に掛かります。",
                _forward(out_bias=False)),
    ),
    "loss": (
        Mistake("log_of_zero",
                "Did you take log ŷ where y = 0? ŷ can be exactly 0 there and 0 · log 0 gives nan: sum y log ŷ only where y > 0 (0 · log 0 counts as 0).",
                "y = 0 の所でも log ŷ を取っていませんか？そこでは ŷ がちょうど 0 になることがあり、0 · log 0 は nan になります。"
                "y > 0 の所だけで y log ŷ を足してください（0 · log 0 は 0 と数えます）。",
                _loss_log_of_zero),
        Mistake("mean_instead_of_sum",
                "Did you take a mean instead of a sum? E = Σ_t E_t sums over the steps and the outputs, "
                "without dividing.",
                "和ではなく平均を取っていませんか？誤差関数 E = Σ_t E_t は時刻と出力について足し合わせるだけで、割りません。",
                _loss_mean_entries),
        Mistake("mean_over_time",
                "Did you divide by T? E = Σ_t E_t is a sum over the steps, not a mean.",
                "T で割っていませんか？誤差関数 E = Σ_t E_t は時刻についての和で、平均ではありません。",
                _loss_mean_time),
        Mistake("half_missing",
                "Did you forget the ½? The squared error is E = ½ Σ_t ‖y_t − ŷ_t‖².",
                "½ を忘れていませんか？二乗誤差は E = ½ Σ_t ‖y_t − ŷ_t‖² です。",
                _loss_no_half),
        Mistake("cross_entropy_sign",
                "Did you drop the minus sign? The cross-entropy is E = −Σ_t Σ_k y_tk log ŷ_tk ≥ 0.",
                "マイナス符号を落としていませんか？クロスエントロピーは E = −Σ_t Σ_k y_tk log ŷ_tk ≥ 0 です。",
                _loss_no_minus),
    ),
    "deltas": (
        Mistake("W_not_transposed", *WT, _deltas(back=lambda W, d: W @ d)),
        Mistake("recurrent_term_dropped",
                "Did you drop the Wᵀ δ_{t+1} term? δ_t gets the error of step t through W̃_outᵀ (ŷ_t − y_t) "
                "and that of the later steps through Wᵀ δ_{t+1}.",
                "Wᵀ δ_{t+1} の項を落としていませんか？δ_t には時刻 t の誤差 W̃_outᵀ (ŷ_t − y_t) に加えて、"
                "後の時刻の誤差が Wᵀ δ_{t+1} として伝わります。",
                _deltas(back=lambda W, d: np.zeros_like(d))),
        Mistake("f_prime_of_u_as_z",
                "Did you write f′(u_t) as 1 − u_t²? f′(u_t) = 1 − tanh(u_t)² = 1 − z_t²: square z_t = tanh(u_t), not u_t.",
                "f′(u_t) を 1 − u_t² としていませんか？f′(u_t) = 1 − tanh(u_t)² = 1 − z_t² で、"
                "二乗するのは u_t ではなく z_t = tanh(u_t) です。",
                _deltas(fprime=lambda u: 1.0 - u ** 2)),
        Mistake("f_prime_at_z",
                "Did you evaluate f′ at z_t instead of u_t? f′(u_t) = 1 − tanh(u_t)²; 1 − tanh(z_t)² applies tanh twice.",
                "f′ を u_t ではなく z_t で評価していませんか？f′(u_t) = 1 − tanh(u_t)² で、"
                "1 − tanh(z_t)² では tanh が二重にかかります。",
                _deltas(fprime=lambda u: 1.0 - np.tanh(np.tanh(u)) ** 2)),
        Mistake("f_prime_missing",
                "Did you leave out ⊙ f′(u_t)? δ_t = ∂E/∂u_t is taken after the activation: multiply by 1 − tanh(u_t)².",
                "⊙ f′(u_t) を忘れていませんか？δ_t = ∂E/∂u_t は活性化関数の手前の量なので、1 − tanh(u_t)² を掛けます。",
                _deltas(fprime=np.ones_like)),
        Mistake("bias_column_last",
                "Did you remove the last column of W_out instead of the first? The bias is column 0: W̃_out = W_out[:, 1:].",
                "W_out の最初ではなく最後の列を除いていませんか？バイアスは列 0 なので W̃_out = W_out[:, 1:] です。",
                _deltas(tilde=lambda W_out: W_out[:, :-1])),
        Mistake("sign_flipped",
                "Did you use y_t − ŷ_t? The output error is ŷ_t − y_t = g(v_t) − y_t (the gradient, not its negative).",
                "y_t − ŷ_t を使っていませんか？出力の誤差は ŷ_t − y_t = g(v_t) − y_t です（勾配で、その符号反転ではありません）。",
                _deltas_sign_flipped),
        Mistake("bias_column_not_removed", *NOT_REMOVED, error=_bias_not_removed_error),
    ),
    "grad_W_in": (
        Mistake("transposed",
                "Did you compute Xᵀ Dᵀ? That is (D X)ᵀ; ∂E/∂W_in = D X is (H, d+1), like W_in.",
                "Xᵀ Dᵀ を計算していませんか？それは (D X)ᵀ です。∂E/∂W_in = D X は W_in と同じ (H, d+1) です。",
                lambda D, X: X.T @ D.T),
        Mistake("bias_column_dropped",
                "Did you drop the column of ones of X? W_in has a bias column, so ∂E/∂W_in = D X uses all of X: (H, d+1).",
                "X の 1 の列（バイアス）を除いていませんか？W_in にはバイアスの列があるので、∂E/∂W_in = D X は X 全体を使い (H, d+1) になります。",
                lambda D, X: D @ X[:, 1:]),
    ),
    "grad_W": (
        Mistake("Z_instead_of_Z_tilde",
                "Did you use Z where Z̃ belongs? ∂E/∂W = D Z̃ with Z̃ = (z_0, …, z_{T−1}), z_0 = 0: u_t sees z_{t−1}.",
                "Z̃ の代わりに Z を使っていませんか？∂E/∂W = D Z̃ で、Z̃ = (z_0, …, z_{T−1})、z_0 = 0 です（u_t に入るのは z_{t−1}）。",
                lambda D, Z: D @ Z),
        Mistake("transposed",
                "Did you return (D Z̃)ᵀ? ∂E/∂W = D Z̃ = Σ_t δ_t z_{t−1}ᵀ: row i belongs to δ_t's entry i.",
                "(D Z̃)ᵀ を返していませんか？∂E/∂W = D Z̃ = Σ_t δ_t z_{t−1}ᵀ で、行 i は δ_t の要素 i に対応します。",
                lambda D, Z: (D @ _Z_tilde(Z)).T),
    ),
    "grad_W_out": (
        Mistake("bias_column_dropped",
                "Did you drop the bias column? ∂E/∂W_out = (g(V) − Y) Z with a column of ones in Z: (m, H+1), "
                "column 0 is Σ_t (ŷ_t − y_t).",
                "バイアスの列を落としていませんか？∂E/∂W_out = (g(V) − Y) Z の Z には 1 の列があり、(m, H+1) になります。"
                "列 0 は Σ_t (ŷ_t − y_t) です。",
                lambda Yhat, Y, Z: (Yhat - Y).T @ Z),
        Mistake("sign_flipped",
                "Did you use Y − Ŷ? ∂E/∂W_out = (g(V) − Y) Z: the error is ŷ_t − y_t.",
                "Y − Ŷ を使っていませんか？∂E/∂W_out = (g(V) − Y) Z で、誤差は ŷ_t − y_t です。",
                lambda Yhat, Y, Z: (Y - Yhat).T @ _with_ones(Z)),
        Mistake("bias_column_last",
                "Did you put the column of ones last? The bias is column 0 of W_out: [1 Z], not [Z 1].",
                "1 の列を最後に置いていませんか？バイアスは W_out の列 0 なので [Z 1] ではなく [1 Z] です。",
                lambda Yhat, Y, Z: (Yhat - Y).T @ _with_ones(Z, last=True)),
    ),
    "deltas_many_to_one": (
        Mistake("error_at_every_step",
                "Did you add the output error W̃_outᵀ (ŷ_T − y_T) at every step? In the many-to-one network only "
                "δ_T gets it; earlier δ_t get only Wᵀ δ_{t+1}.",
                "出力の誤差 W̃_outᵀ (ŷ_T − y_T) を全時刻で足していませんか？多対一のネットワークでは δ_T だけが受け取り、"
                "それより前の δ_t には Wᵀ δ_{t+1} だけが伝わります。",
                _deltas_m2o(every_step=True)),
        Mistake("W_not_transposed", *WT, _deltas_m2o(back=lambda W, d: W @ d)),
    ),
    "grad_W_out_many_to_one": (
        Mistake("bias_column_dropped",
                "Did you drop the bias? ∂E/∂W_out = (ŷ_T − y_T) [1; z_T]ᵀ is (m, H+1).",
                "バイアスを落としていませんか？∂E/∂W_out = (ŷ_T − y_T) [1; z_T]ᵀ は (m, H+1) です。",
                lambda yhat_T, y_T, z_T: np.outer(yhat_T - y_T, z_T)),
        Mistake("sign_flipped",
                "Did you use y_T − ŷ_T? The error is ŷ_T − y_T.",
                "y_T − ŷ_T を使っていませんか？誤差は ŷ_T − y_T です。",
                lambda yhat_T, y_T, z_T: np.outer(y_T - yhat_T, np.concatenate([[1.0], z_T]))),
    ),
    "sgd_step": (
        Mistake("ascent",
                "Did you add the gradient? Gradient descent goes downhill: W ← W − η ∂E/∂W.",
                "勾配を足していませんか？勾配降下法は W ← W − η ∂E/∂W です。",
                lambda params, grads, lr: {k: params[k] + lr * grads[k] for k in params}),
    ),
    "adam_step": ADAM_MISTAKES,
}
