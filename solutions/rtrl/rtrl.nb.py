# %% [markdown]
# # 実時間リカレント学習 (RTRL: Real-Time Recurrent Learning)
#
# RNN の勾配を求める方法として、講義では 2 つが紹介されました。
#
# - **通時的逆伝播法 (BPTT: Back Propagation Through Time)**: RNN を時間方向に展開した多層ネットワークとみなし、
#   最後の時刻 $T$ の誤差を時刻 1 へ向かって逆伝播する。逆伝播を始められるのは系列を最後まで読んだ後で、
#   それまでのすべての時刻の状態を覚えておく必要がある。
# - **実時間リカレント学習 (RTRL: Real-Time Recurrent Learning)**: 各時刻 $t$ で中間パラメータ
#   $p^k_{ji}(t) = \partial z_k(t) / \partial w_{ji}$ を計算し、これを各時刻で更新していく。
#   「総計算量、メモリ使用量は大きい」が、「時刻 $t_n$ の入力時点ですぐに重みを更新できる」。
#
# この課題では RTRL を講義の Elman 型 RNN で実装し、BPTT とまったく同じ勾配が得られることを確かめたうえで、
# 講義の「総計算量、メモリ使用量は大きい」を実際に測ります。最後に、RTRL の長所である「その場での更新 (online learning)」も試します。
#
# **この課題の目標**
#
# 1. 感度 (sensitivity) $p^k_{ji}(t)$ の漸化式を 1 時刻分実装する — `sensitivity_step`
# 2. 感度から 1 時刻分の勾配 $\sum_k e_k\, p^k_{ji}$ を求める — `gradient_from_sensitivities`
# 3. 系列全体の勾配を、時間を前向きに進むだけで求める — `rtrl_gradients`
# 4. BPTT と比べて、勾配が一致すること、計算時間とメモリがどう増えるかを測る
#
# 各関数のセルにある `# YOUR CODE HERE` を実装し、直後のテストセルを実行して確認してください。
# テストが表示するのは公開テスト (visible cases) の結果です。採点では、形の違う隠しテスト (hidden tests) も使います。

# %% [markdown]
# ## 記法 (notation)
#
# RNN と BPTT の課題と同じ記法です ($f = \tanh$、バイアスは先頭の 1、$\mathbf{z}_0 = \mathbf{0}$)。
#
# $$\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}, \qquad \mathbf{z}_t = f(\mathbf{u}_t), \qquad
# \mathbf{v}_t = W^{\mathrm{out}} \begin{pmatrix} 1 \\ \mathbf{z}_t \end{pmatrix}, \qquad \hat{\mathbf{y}}_t = g(\mathbf{v}_t)$$
#
# $g$ は回帰 (`task="regression"`) なら恒等関数、分類 (`task="classification"`) ならソフトマックス関数で、
# 誤差関数 $E = \sum_t E_t$ は二乗誤差 $\frac12 \|\mathbf{y}_t - \hat{\mathbf{y}}_t\|^2$ またはクロスエントロピーです。どちらでも $\partial E_t / \partial \mathbf{v}_t = \hat{\mathbf{y}}_t - \mathbf{y}_t$ でした。
#
# 感度は、微分される状態のユニット $k$ と、重みの添字 $(j, i)$ の 3 つの添字を持つ 3 次元配列で持ちます。
#
# | 記号 | コード | 形 | 中身 |
# | --- | --- | --- | --- |
# | $X$ | `X` | `(T, d+1)` | 行 $t-1$ が $\mathbf{x}_t^\top$ (先頭は 1) |
# | $Y$ | `Y` | `(T, m)` | 行 $t-1$ が目標値 $\mathbf{y}_t^\top$ |
# | $W^{\mathrm{in}}, W, W^{\mathrm{out}}$ | `W_in`, `W`, `W_out` | `(H, d+1)`, `(H, H)`, `(m, H+1)` | 重み (`W_in`, `W_out` の 0 列目がバイアス) |
# | $p^k_{ji}(t)$ | `P_W[k, j, i]` | `(H, H, H)` | $W$ についての感度 $\partial z_k(t) / \partial w_{ji}$ |
# | $q^k_{ji}(t)$ | `P_in[k, j, i]` | `(H, H, d+1)` | $W^{\mathrm{in}}$ についての感度 $\partial z_k(t) / \partial w^{\mathrm{in}}_{ji}$ |
# | $\mathbf{e}(t)$ | `e` | `(H,)` | 時刻 $t$ の出力から $\mathbf{z}_t$ に届く誤差 $\partial E_t / \partial \mathbf{z}_t$ |
#
# 次のセルはモジュールの先頭部分 (import) です。その次のセルの `output_layer` は用意してあるので、そのまま使ってください。

# %% [module]

# %% [setup] output_layer

# %% [markdown]
# ## 1. 感度の漸化式 (sensitivity recursion)
#
# $w_{ji}$ を $W$ の成分 (中間層のユニット $i$ から $j$ への再帰の重み) とします。
# $z_k(t) = f(u_k(t))$, $u_k(t) = \sum_i w^{\mathrm{in}}_{ki} x_i(t) + \sum_l w_{kl} z_l(t-1)$ を $w_{ji}$ で微分すると、
# $w_{ji}$ は 2 つの道で $u_k(t)$ に影響します。
#
# 1. **直接**: $k = j$ のときだけ、$u_j(t)$ の中の項 $w_{ji} z_i(t-1)$ から $z_i(t-1)$
# 2. **1 時刻前の状態を通して**: $z_l(t-1)$ 自体も $w_{ji}$ に依存するので、$\sum_l w_{kl}\, \partial z_l(t-1) / \partial w_{ji}$
#
# よって、クロネッカーのデルタ $\delta_{kj}$ ($k = j$ なら 1、それ以外は 0) を使って
#
# $$p^k_{ji}(t) = f'(u_k(t)) \left( \delta_{kj}\, z_i(t-1) + \sum_l w_{kl}\, p^l_{ji}(t-1) \right), \qquad p^k_{ji}(0) = 0$$
#
# です。$W^{\mathrm{in}}$ の成分 $w^{\mathrm{in}}_{ji}$ についても、直接の項の $z_i(t-1)$ が $x_i(t)$ に変わるだけです。
#
# $$q^k_{ji}(t) = f'(u_k(t)) \left( \delta_{kj}\, x_i(t) + \sum_l w_{kl}\, q^l_{ji}(t-1) \right)$$
#
# BPTT では誤差を**過去へ**向かって運びましたが、RTRL では感度を順伝播と一緒に**未来へ**向かって運びます。
#
# `sensitivity_step(P_in, P_W, x, z_prev, u, W)` は、1 時刻前の感度 `P_in`, `P_W` から時刻 $t$ の感度を計算して、新しい配列として返します。
#
# - $\sum_l w_{kl} p^l_{ji}$ は、`W` と `P` の `l` の軸についての積です。`np.einsum("kl,lji->kji", W, P)` と書けます
#   (`np.tensordot(W, P, axes=1)` でも同じです)。
# - $\delta_{kj}$ の項は、$k = j$ の位置 `P[k, k, :]` ($k = 0, \dots, H-1$) にだけベクトル `z_prev` (または `x`) を足します。
#   `idx = np.arange(H)` とすると `A[idx, idx, :] += z_prev` と 1 行で書けます。
# - 最後に、ユニット $k$ ごとに $f'(u_k) = 1 - \tanh^2 u_k$ を掛けます (`fp[:, None, None] * A`)。
# - $H^3$ 個の成分を Python の三重ループで計算すると、後の実験が終わらなくなります。ループは使わないでください。

# %% [solution] sensitivity_step

# %% [tests] sensitivity_step

# %% [markdown]
# ## 2. 感度から勾配へ (gradient from the sensitivities)
#
# 時刻 $t$ の誤差 $E_t$ は、$\mathbf{z}_t$ を通してだけ $W$ に依存します ($W^{\mathrm{out}}$ は固定して考えます)。
# $\mathbf{z}_t$ に届く誤差を $\mathbf{e}(t) = \partial E_t / \partial \mathbf{z}_t = \tilde{W}^{\mathrm{out}\top}(\hat{\mathbf{y}}_t - \mathbf{y}_t)$
# ($\tilde{W}^{\mathrm{out}}$ はバイアスの列を除いた `W_out[:, 1:]`) とすると、連鎖律から
#
# $$\frac{\partial E_t}{\partial w_{ji}} = \sum_k \frac{\partial E_t}{\partial z_k(t)} \frac{\partial z_k(t)}{\partial w_{ji}} = \sum_k e_k(t)\, p^k_{ji}(t)$$
#
# です。`gradient_from_sensitivities(e, P)` は、この和を重みと同じ形の配列として返します (`P` は `P_W` でも `P_in` でもかまいません)。
# 和を取るのは `P` の**最初の軸** (ユニット $k$) です。

# %% [solution] gradient_from_sensitivities

# %% [tests] gradient_from_sensitivities

# %% [markdown]
# ## 3. RTRL で系列全体の勾配を求める — `rtrl_gradients`
#
# 時刻 $t = 1, \dots, T$ について、順伝播と同時に次のことを行います (感度は最初 0、$\mathbf{z}_0 = \mathbf{0}$)。
#
# 1. $\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}$
# 2. 感度の更新: `sensitivity_step` には $\mathbf{z}_{t-1}$ が必要なので、$\mathbf{z}$ を上書きする**前に**呼ぶ
# 3. $\mathbf{z}_t = \tanh(\mathbf{u}_t)$, $\hat{\mathbf{y}}_t$ = `output_layer(z_t, W_out, task)`
# 4. $\mathbf{e}(t) = \tilde{W}^{\mathrm{out}\top}(\hat{\mathbf{y}}_t - \mathbf{y}_t)$ を求め、`gradient_from_sensitivities` で $\partial E/\partial W$ と $\partial E/\partial W^{\mathrm{in}}$ に足し込む
# 5. $\partial E / \partial W^{\mathrm{out}}$ には $(\hat{\mathbf{y}}_t - \mathbf{y}_t) (1; \mathbf{z}_t)^\top$ を足し込む (BPTT の課題と同じ式です)
#
# 時刻 $t$ の計算が終われば、$\mathbf{z}_{t-1}$ も $\mathbf{u}_t$ も二度と使いません。**過去の状態を覚えておく必要がない**のが RTRL の特徴です。
# 戻り値は、キー `"W_in"`, `"W"`, `"W_out"` の勾配の辞書です。
#
# 講義のスライドの例は「出力が $t_n$ の時のみ」(many-to-one) でした。その場合は、最後の時刻以外で $\mathbf{e}(t) = \mathbf{0}$ になるだけです
# (感度の更新は毎時刻必要です)。

# %% [solution] rtrl_gradients

# %% [tests] rtrl_gradients

# %% [markdown]
# ## 4. BPTT と同じ勾配か?
#
# RTRL と BPTT は、同じ $\partial E / \partial W$ を違う順番で計算しているだけです。
# 連鎖律の積 $\frac{\partial E_t}{\partial \mathbf{z}_t} \frac{\partial \mathbf{z}_t}{\partial \mathbf{z}_{t-1}} \cdots \frac{\partial \mathbf{z}_{s}}{\partial W}$ を、
# BPTT は左から (誤差を過去へ運んで)、RTRL は右から (感度を未来へ運んで) 掛けていきます。
# したがって結果は丸め誤差の範囲で一致するはずです。参照実装 `rnnref` の BPTT (RNN と BPTT の課題で書いたものと同じ計算) と比べます。

# %%
import numpy as np

try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

from rnnref import bptt

rng = np.random.default_rng(0)
for task, g in [("regression", "identity"), ("classification", "softmax")]:
    T_, d_, H_, m_ = 12, 3, 5, 4
    X_ = np.column_stack([np.ones(T_), rng.standard_normal((T_, d_))])
    P_ = {"W_in": rng.normal(0, 0.5, (H_, d_ + 1)), "W": rng.normal(0, 0.5, (H_, H_)),
          "W_out": rng.normal(0, 0.5, (m_, H_ + 1))}
    Y_ = rng.standard_normal((T_, m_)) if task == "regression" else np.eye(m_)[rng.integers(0, m_, T_)]
    ours = rtrl_gradients(X_, Y_, P_["W_in"], P_["W"], P_["W_out"], task)
    ref = bptt(X_[None], Y_[None], P_, g=g).grads  # a batch of one sequence
    for k in P_:
        diff = np.max(np.abs(ours[k] - ref[k]))
        print(f"{task:14s} dE/d{k:6s} max |RTRL - BPTT| = {diff:.1e}")
        assert diff < 1e-10

# %% [markdown]
# ## 5. 実験: 計算時間とメモリ (cost of RTRL and BPTT)
#
# 1 系列 (長さ $T$) あたりのコストを数えてみます。
#
# | | 計算量 (時間) | メモリ |
# | --- | --- | --- |
# | BPTT | 1 時刻あたり $W^\top \boldsymbol{\delta}$ などの $O(H^2)$、系列全体で $O(H^2 T)$ | 全時刻の状態 $\mathbf{u}_t, \mathbf{z}_t$: $O(HT)$ |
# | RTRL | 1 時刻あたり $\sum_l w_{kl} p^l_{ji}$ が $H \times H^2 \times H$ 回の積和: $O(H^4)$、系列全体で $O(H^4 T)$ | 感度 $p^k_{ji}$: $O(H^3)$ ($T$ によらない) |
#
# 講義の「総計算量、メモリ使用量は大きい」は、この $H^4$ と $H^3$ のことです。実際に測ってみましょう。
# 時間は `time.perf_counter`、メモリは Python 標準の `tracemalloc` で、関数の実行中に確保された numpy 配列の最大量 (peak) を測ります。
#
# - 左: 1 系列 ($T = 30$) の計算時間。RTRL はあなたの `rtrl_gradients`、BPTT は `rnnref` の `bptt` です。
#   BPTT は $H = 128$ まで測ります。
# - 中: 同じ設定でのメモリの最大量。
# - 右: $H = 16$ に固定して系列を長くしたときのメモリの最大量。
#
# 点線は傾きの目安 ($H^4$, $H^3$, $H$, $T$ に比例する直線) です。実行には数秒かかります。
# 時間の測定値は、コンピュータの混み具合や numpy が使う BLAS ライブラリ (スレッドの使い方) によって揺れます。

# %%
import time
import tracemalloc

import matplotlib.pyplot as plt


def problem(H, T, d=2, seed=0):
    """A random sequence X (T, d+1), targets Y (T, 1) and parameters for hidden size H."""
    r = np.random.default_rng(seed)
    X = np.column_stack([np.ones(T), r.standard_normal((T, d))])
    P = {"W_in": r.normal(0, 0.5, (H, d + 1)), "W": r.normal(0, 0.5 / np.sqrt(H), (H, H)),
         "W_out": r.normal(0, 0.5, (1, H + 1))}
    return X, r.standard_normal((T, 1)), P


def run_rtrl(X, Y, P):
    return rtrl_gradients(X, Y, P["W_in"], P["W"], P["W_out"])


def run_bptt(X, Y, P):
    return bptt(X[None], Y[None], P).grads


def seconds(fn, *args, repeat=3):
    """The fastest of a few runs."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def peak_bytes(fn, *args):
    """The largest amount of memory allocated while fn runs (tracemalloc traces numpy's arrays)."""
    tracemalloc.start()
    fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


T_cost = 30
H_rtrl = [2, 4, 8, 16, 32, 48, 64]
H_bptt = [2, 4, 8, 16, 32, 64, 128]
time_rtrl = [seconds(run_rtrl, *problem(H, T_cost), repeat=1 if H > 32 else 3) for H in H_rtrl]
time_bptt = [seconds(run_bptt, *problem(H, T_cost), repeat=5) for H in H_bptt]
mem_rtrl = [peak_bytes(run_rtrl, *problem(H, T_cost)) for H in H_rtrl]
mem_bptt = [peak_bytes(run_bptt, *problem(H, T_cost)) for H in H_bptt]
T_list = [10, 30, 100, 300, 1000, 3000]
mem_rtrl_T = [peak_bytes(run_rtrl, *problem(16, T)) for T in T_list]
mem_bptt_T = [peak_bytes(run_bptt, *problem(16, T)) for T in T_list]
for H, t, mb in zip(H_rtrl, time_rtrl, mem_rtrl):
    print(f"RTRL H = {H:4d}: {1e3 * t:8.2f} ms, peak {mb / 1024:8.1f} KiB")
for H, t, mb in zip(H_bptt, time_bptt, mem_bptt):
    print(f"BPTT H = {H:4d}: {1e3 * t:8.2f} ms, peak {mb / 1024:8.1f} KiB")


# %%
def guide(ax, xs, ys, power, label):
    """A dotted line ∝ x^power through the last point of (xs, ys)."""
    xs = np.asarray(xs, dtype=float)
    ax.loglog(xs, ys[-1] * (xs / xs[-1]) ** power, ":", color="gray")
    ax.annotate(label, (xs[len(xs) // 2], ys[-1] * (xs[len(xs) // 2] / xs[-1]) ** power), color="gray")


fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
axes[0].loglog(H_rtrl, time_rtrl, "o-", label="RTRL (your rtrl_gradients)")
axes[0].loglog(H_bptt, time_bptt, "s-", label="BPTT (rnnref)")
guide(axes[0], H_rtrl[3:], time_rtrl[3:], 4, "$H^4$")
axes[0].set(xlabel="$H$ (hidden units)", ylabel="seconds per sequence", title=f"time, $T$ = {T_cost}")
axes[0].legend(fontsize=8)
axes[1].loglog(H_rtrl, mem_rtrl, "o-", label="RTRL")
axes[1].loglog(H_bptt, mem_bptt, "s-", label="BPTT")
guide(axes[1], H_rtrl[3:], mem_rtrl[3:], 3, "$H^3$")
guide(axes[1], H_bptt[3:], mem_bptt[3:], 1, "$H$")
axes[1].set(xlabel="$H$ (hidden units)", ylabel="peak bytes", title=f"memory, $T$ = {T_cost}")
axes[1].legend(fontsize=8)
axes[2].loglog(T_list, mem_rtrl_T, "o-", label="RTRL")
axes[2].loglog(T_list, mem_bptt_T, "s-", label="BPTT")
guide(axes[2], T_list, mem_bptt_T, 1, "$T$")
axes[2].set(xlabel="$T$ (sequence length)", ylabel="peak bytes", title="memory, $H$ = 16")
axes[2].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# - **時間**: RTRL は $H$ が大きくなると $H^4$ に比例して遅くなります ($H$ を 2 倍にすると 16 倍)。
#   同じ $H = 64$ で比べると、BPTT の数百倍の時間がかかります。BPTT の積和は $O(H^2 T)$ しかないので、
#   この範囲の $H$ では numpy の関数を呼ぶ固定の時間 (1 回あたり数マイクロ秒) が大半で、$H$ を増やしてもほとんど遅くなりません
#   (小さい $H$ では RTRL も同じで、グラフが平らなのはそのためです)。
# - **メモリ (H)**: RTRL の感度は $H^2 (H + d + 1)$ 個の数なので $H^3$ に比例します。BPTT は状態 $O(HT)$ と勾配 $O(H^2)$ だけで、$T = 30$ のこの範囲ではほぼ $H$ に比例します。
# - **メモリ (T)**: RTRL のメモリは系列の長さによりません。BPTT は全時刻の状態を覚えるので $T$ に比例して増え、
#   $T$ がおよそ $H^2$ を超えると RTRL より多くのメモリを使います。
#
# このため実用では BPTT (長い系列では、一定の長さで打ち切る truncated BPTT) が使われ、RTRL は
# 「過去を覚えずに、いつでも正確な勾配が手に入る」性質を生かしたい場合や、その近似手法の研究で使われます。

# %% [markdown]
# ## 6. 実験: その場で学習する (online learning)
#
# RTRL の長所は、講義のとおり「時刻 $t_n$ の入力時点ですぐに重みを更新できる」ことです。
# 系列の終わりを待つ必要がないので、終わりのない入力の流れ (stream) からでも学習できます。
#
# **課題 (delay task)**: 各時刻に $+1$ か $-1$ がランダムに入力され、ネットワークは **5 時刻前の入力** $x_{t-5}$ を出力しなければなりません。
# 入力を 5 時刻分覚えておく必要があります。
#
# 中間層 $H = 8$ の RNN を、1 本の長い入力の流れ (6000 時刻) の上で、**毎時刻**
# $\mathbf{e}(t)$ と感度から勾配を求めてすぐに重みを更新します (学習率 0.03 の SGD、二乗誤差 $E_t = \frac12 (\hat{y}_t - y_t)^2$)。
# 1 時刻ごとの計算はあなたの `rtrl_gradients` のループの中身と同じで、違うのは、各時刻の勾配を足し込む代わりに
# その場で $W \leftarrow W - \eta \sum_k e_k(t) p^k(t)$ と更新することだけです。ここでは参照実装 `rnnref.rtrl.rtrl_online` を使います。
# 感度は、重みを更新した後もそのまま引き継ぎます (重みが少しずつ変わるので厳密な微分からは少しずれますが、学習率が小さければ問題になりません)。
#
# 比較として、感度を**毎時刻 0 に戻してから**更新した場合 (漸化式の直接の項 $\delta_{kj} z_i(t-1)$ だけが残り、過去を 1 時刻もさかのぼらない勾配) も学習させます。

# %%
from rnnref.rtrl import rtrl_online

steps, delay, H_on = 6000, 5, 8
stream = np.random.default_rng(0).choice([-1.0, 1.0], steps)
X_on = np.column_stack([np.ones(steps), stream])[None]  # one stream: (1, steps, 2)
Y_on = np.concatenate([np.zeros(delay), stream[:-delay]])[None, :, None]  # y_t = x_{t−5}
r = np.random.default_rng(1)
P_on = {"W_in": r.normal(0, 0.5, (H_on, 2)), "W": r.normal(0, 1 / np.sqrt(H_on), (H_on, H_on)),
        "W_out": r.normal(0, 0.5, (1, H_on + 1))}

start = time.perf_counter()
E_rtrl = rtrl_online(X_on, Y_on, P_on, lr=0.03).E
E_cut = rtrl_online(X_on, Y_on, P_on, lr=0.03, reset_sensitivities=True).E
print(f"two runs of {steps} online steps in {time.perf_counter() - start:.1f} s")
print(f"mean E_t over the last 1000 steps: RTRL {E_rtrl[-1000:].mean():.4f}, "
      f"sensitivities reset every step {E_cut[-1000:].mean():.4f}")

window = 200
fig, ax = plt.subplots(figsize=(7, 4))
for E_t, label in [(E_rtrl, "online RTRL"), (E_cut, "sensitivities reset every step")]:
    ax.semilogy(np.arange(window, steps + 1), np.convolve(E_t, np.ones(window) / window, mode="valid"), label=label)
ax.axhline(0.5, color="gray", ls=":", label="always answer 0")
ax.set(xlabel="time step $t$ (one update per step)", ylabel=f"$E_t$ (moving avg. {window})",
       title="recall the input of 5 steps ago, learning online")
ax.legend()
plt.show()

# %% [markdown]
# RTRL は入力の流れを読みながら、1000 時刻ほどのうちに 5 時刻前の入力を思い出せるようになります。
# 感度を毎時刻 0 に戻すと、勾配には「いまの重みが、いまの状態に直接与える影響」しか入りません。
# 過去の入力を中間層に残しておく方向へ $W$ を動かす手がかりがないので、誤差はあまり下がりません。
#
# ## まとめ (summary)
#
# - RTRL は感度 $p^k_{ji}(t) = \partial z_k(t) / \partial w_{ji}$ を $p^k_{ji}(t) = f'(u_k(t)) (\delta_{kj} z_i(t-1) + \sum_l w_{kl} p^l_{ji}(t-1))$ で未来へ運び、
#   各時刻の勾配を $\sum_k e_k(t) p^k_{ji}(t)$ として足し込む。
# - 得られる勾配は BPTT と (丸め誤差を除いて) まったく同じ。違うのは連鎖律の積を計算する順番だけ。
# - コストは 1 時刻あたり時間 $O(H^4)$、メモリ $O(H^3)$ で、BPTT の系列あたり時間 $O(H^2 T)$、メモリ $O(HT)$ よりずっと重い ($T \gtrsim H^2$ ならメモリは RTRL が有利)。
# - その代わり、過去の状態を覚えずに毎時刻すぐ重みを更新でき、終わりのない入力の流れからも学習できる。
#
# **やってみよう (採点対象外)**
#
# 1. 6 節の `delay` を 2 や 8 にすると、学習にかかる時刻はどう変わるでしょうか。$H$ を増やすと、計算時間はどう変わるでしょうか。
# 2. 5 節の実験で、`sensitivity_step` の `np.einsum` を `np.tensordot(W, P, axes=1)` に変えると速くなるでしょうか。
# 3. 1 系列の勾配を BPTT で求めるとき、メモリを $O(HT)$ より減らす方法はあるでしょうか (ヒント: 一部の時刻の状態だけを覚えて、残りは計算し直す)。
