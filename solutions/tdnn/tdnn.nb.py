# %% [markdown]
# # 時間遅れネットワーク (time-delay neural network, TDNN) を numpy で実装する
#
# 講義（第 6 章 6.2.1 概要）では、系列データを扱うネットワークとして次のものが挙げられていました。
#
# > - Elman ネットワーク
# > - Jordan ネットワーク
# > - 時間遅れネットワーク
# > - エコー状態ネットワーク
#
# この演習では 3 つ目の **時間遅れネットワーク (time-delay neural network, TDNN)** を実装します。
# Elman ネットワークは中間層の出力 $\mathbf{z}_{t-1}$ を**帰還路**で次の時刻に戻し、それで過去を覚えていました。
# TDNN には帰還路がありません。その代わりに、中間層の各ユニットが**直近 $K$ 時刻分の入力**
# $\mathbf{x}_t, \mathbf{x}_{t-1}, \dots, \mathbf{x}_{t-K+1}$ を**同時に**受け取ります。
# これは時間方向の **1 次元畳み込み (1-D convolution)** で、しかも未来の入力を使わない**因果的 (causal)** な畳み込みです。
#
# 帰還路がないので、逆伝播に時間方向の漸化式（BPTT）は要りません。その代わりに覚えていられる過去は $K - 1$ 時刻分まで、
# と**固定**されます。最後の実験で、Elman ネットワーク（再帰による記憶）と比べてこの違いを確かめます。
#
# **この演習のゴール**
#
# 1. 各時刻の「窓」（直近 $K$ 個の入力）を並べた配列を作る — `delayed_inputs`
# 2. TDNN の順伝播を書く — `forward`
# 3. $\boldsymbol{\delta}_t = \partial E / \partial \mathbf{u}_t$ を求める — `deltas`
# 4. $K$ 個の重み行列 $W_k$ の勾配を求める — `grad_W`
# 5. 入力の勾配 $\partial E / \partial \mathbf{x}_t$ を求める — `grad_X`
# 6. 全部をつないで、すべての重みの勾配を求める — `backward`
# 7. 実験: 遅れ $L$ の入力を思い出す課題で、TDNN は $L < K$ なら解け、$L \ge K$ では解けず、Elman ネットワークはどちらも解けることを確かめる
#
# 各関数のセルにある `# YOUR CODE HERE` を実装し、直後のテストセルを実行して確認してください。
# テストセルは自動採点 (auto-grading) と同じチェックを実行し、得点と、間違っていればどこが違うかを表示します。
# 表示されるのは公開テスト (visible cases) の結果です。採点では、形の違う隠しテスト (hidden tests) も使います。
#
# 次のセルはモジュールの先頭部分 (import) です。実行してから先に進んでください。

# %% [module]

# %% [markdown]
# ## 1. 記号と配列の形
#
# 講義と同じく、入力 $\mathbf{x}_t$ の先頭には常に 1 を置き、バイアスを重み行列の 0 列目で表します
# （講義 6.2.2: 「中間層のバイアスは $w^{(in)}_{j0}$ ($x_0^t = 1$ と固定) が与えられる」）。
# 系列 $X$ は $(T, d+1)$ の配列で、その 1 列目はすべて 1 です。活性化関数は $f = \tanh$、出力層は恒等関数（回帰）です。
#
# | 記号 | 意味 | コード | 形 |
# | --- | --- | --- | --- |
# | $\mathbf{x}_t$ | 時刻 $t$ の入力（先頭が 1） | `X[t-1]` | `(d+1,)` |
# | $K$ | タップ数 (number of taps): 遅れ $k = 0, 1, \dots, K-1$ | `K` | 整数 |
# | $W_k$ | $k$ 時刻前の入力に掛かる重み | `W[k]` | `(H, d+1)` |
# | $W$ | $W_0, \dots, W_{K-1}$ をまとめた配列 | `W` | `(K, H, d+1)` |
# | $\mathbf{u}_t, \mathbf{z}_t$ | 中間層への入力と出力 | `U[t-1]`, `Z[t-1]` | `(H,)` |
# | $W^{\mathrm{out}}$ | 出力層の重み（0 列目がバイアス） | `W_out` | `(m, H+1)` |
# | $\hat{\mathbf{y}}_t, \mathbf{y}_t$ | 出力と目標値 | `Yhat[t-1]`, `Y[t-1]` | `(m,)` |
# | $D$ | $\boldsymbol{\delta}_1, \dots, \boldsymbol{\delta}_T$ を**列**に並べた行列 | `D` | `(H, T)` |
#
# $H$ は中間層のユニット数、$d$ は（バイアスの 1 を除いた）入力の次元、$m$ は出力の次元です。
# $\tilde{W}_k = W_k$`[:, 1:]` と $\tilde{W}^{\mathrm{out}} = W^{\mathrm{out}}$`[:, 1:]` は、バイアスの列を除いた行列です（`rnn_bptt` の演習と同じ記法）。

# %% [markdown]
# ## 2. 遅延入力の窓 — `delayed_inputs`
#
# TDNN の中間層への入力は、直近 $K$ 時刻分の入力に、遅れ $k$ ごとに別の重み $W_k$ を掛けて足したものです:
#
# $$
# \mathbf{u}_t = \sum_{k=0}^{K-1} W_k \, \mathbf{x}^{(k)}_{t-k}
# = W_0 \mathbf{x}_t + W_1 \mathbf{x}^{(1)}_{t-1} + \dots + W_{K-1} \mathbf{x}^{(K-1)}_{t-K+1},
# \qquad \mathbf{z}_t = \tanh(\mathbf{u}_t)
# $$
#
# 右肩の $(k)$ は、次の 2 つの約束を表します。
#
# - **バイアスは 1 回だけ.** $\mathbf{x}_t$ の先頭の 1 をすべての遅れに残すと、バイアスが $K$ 回足されてしまいます
#   （しかも $t < K$ では回数が変わります）。そこで 1 は $W_0$ にだけ入れ、遅れた入力 $\mathbf{x}^{(k)}_{t-k}$ ($k \ge 1$) では
#   1 の位置を 0 にします: $\mathbf{x}^{(k)}_s = (0, x_{s1}, \dots, x_{sd})^\top$。
#   したがって $W_k$ ($k \ge 1$) の 0 列目は使われず、その勾配は 0 です（$W_k$ の形を講義の $W^{\mathrm{in}}$ とそろえるために残してあります）。
# - **過去側のゼロ埋め (zero padding).** 系列が始まる前には入力がありません: $s < 1$ なら $\mathbf{x}_s = \mathbf{0}$ です。
#   系列の最後を先頭に回り込ませる (wrap-around) のは誤りです。
#
# 時刻ごとに、この $K$ 個のベクトルを並べたものを**窓 (window)** と呼び、全時刻の窓を積み重ねた $(T, K, d+1)$ の配列
#
# $$
# \texttt{Xd[t-1, k]} = \mathbf{x}^{(k)}_{t-k}
# $$
#
# を作るのが `delayed_inputs` です。枠 $k$ は「行を $k$ 段下にずらした $X$」になります。
# 例えば $T = 4$, $K = 3$ なら、窓は次のとおりです（$\mathbf{x}^\circ_s$ は 1 を 0 にした $\mathbf{x}_s$）:
#
# | 時刻 | 枠 0 | 枠 1 | 枠 2 |
# | --- | --- | --- | --- |
# | $t = 1$ | $\mathbf{x}_1$ | $\mathbf{0}$ | $\mathbf{0}$ |
# | $t = 2$ | $\mathbf{x}_2$ | $\mathbf{x}^\circ_1$ | $\mathbf{0}$ |
# | $t = 3$ | $\mathbf{x}_3$ | $\mathbf{x}^\circ_2$ | $\mathbf{x}^\circ_1$ |
# | $t = 4$ | $\mathbf{x}_4$ | $\mathbf{x}^\circ_3$ | $\mathbf{x}^\circ_2$ |
#
# 畳み込みを行列の積 1 回で計算するためのこの並べ替えは、画像の CNN では **im2col** と呼ばれます。
# $K > T$ のとき（系列がタップ数より短いとき）も正しく動くようにしてください。

# %% [solution] delayed_inputs

# %% [tests] delayed_inputs

# %% [markdown]
# ## 3. 順伝播 — `forward`
#
# 窓ができれば、$\mathbf{u}_t = \sum_k W_k \, \texttt{Xd[t-1, k]}$ は時刻についてのループなしで計算できます。
# `np.einsum("tkj,khj->th", Xd, W)` でも、$k$ についてのループ `U += Xd[:, k] @ W[k].T` でも構いません。
# そのあと
#
# $$
# \mathbf{z}_t = \tanh(\mathbf{u}_t), \qquad \hat{\mathbf{y}}_t = W^{\mathrm{out}} \begin{pmatrix} 1 \\ \mathbf{z}_t \end{pmatrix}
# $$
#
# です。Elman ネットワークと違い、$\mathbf{z}_{t-1}$ は $\mathbf{u}_t$ に入りません。各時刻の計算は互いに独立で、並列に計算できます。
#
# **PyTorch との対応.** これは `torch.nn.Conv1d(d, H, K)` に、入力の左（過去側）だけに $K-1$ 個の 0 を詰めて
# 入れたものと同じです。ただし `Conv1d` のカーネルは古いタップから順に並ぶので、`weight[:, :, K-1-k]` が $\tilde{W}_k$、
# `bias` が $W_0$ の 0 列目です（参照実装 `rnnref.tdnn` はこの対応でテストされています）。
# $K = 1$ なら、各時刻に同じ順伝播型ネットワークを使うだけになります。

# %% [solution] forward

# %% [tests] forward

# %% [markdown]
# ## 4. 逆伝播: δ — `deltas`
#
# 誤差関数は二乗誤差 $E = \frac{1}{2} \sum_t \|\mathbf{y}_t - \hat{\mathbf{y}}_t\|^2$ です。
# Elman ネットワークの BPTT では、$\mathbf{z}_t$ が $\mathbf{u}_{t+1}$ にも入るので $W^\top \boldsymbol{\delta}_{t+1}$ の項がありました。
# TDNN では $\mathbf{z}_t$ は $\hat{\mathbf{y}}_t$ にしか入らないので、その項はなく、**漸化式は要りません**:
#
# $$
# \boldsymbol{\delta}_t = \frac{\partial E}{\partial \mathbf{u}_t}
# = \tilde{W}^{\mathrm{out}\top} (\hat{\mathbf{y}}_t - \mathbf{y}_t) \odot f'(\mathbf{u}_t),
# \qquad f'(\mathbf{u}) = 1 - \tanh^2(\mathbf{u})
# $$
#
# 全時刻を一度に計算し、$D = (\boldsymbol{\delta}_1, \dots, \boldsymbol{\delta}_T)$（形 $(H, T)$、列 $t-1$ が $\boldsymbol{\delta}_t$）を返してください。

# %% [solution] deltas

# %% [tests] deltas

# %% [markdown]
# ## 5. 重みの勾配 — `grad_W`
#
# $W_k$ は各時刻 $t$ で $k$ 時刻前の入力 $\mathbf{x}^{(k)}_{t-k}$ に掛かります。Elman ネットワークの
# $\partial E / \partial W^{\mathrm{in}} = \sum_t \boldsymbol{\delta}_t \mathbf{x}_t^\top = D X$ と同じ考え方で、
#
# $$
# \frac{\partial E}{\partial W_k} = \sum_{t=1}^{T} \boldsymbol{\delta}_t \, \mathbf{x}^{(k)\top}_{t-k}
# = D \, \texttt{Xd[:, k]}
# $$
#
# です。$\boldsymbol{\delta}_t$ と組にするのは、$X$ を **$k$ 段ずらした**もの（$t - k < 1$ では 0、$k \ge 1$ では 1 の位置が 0）です。
# $W_k$ がすべて同じ $D X$ になるわけではありません。$k \ge 1$ の $\partial E / \partial W_k$ の 0 列目は 0 になります。
# これは重み共有 (weight sharing) の勾配でもあります: 同じ $W_k$ が全時刻で使われるので、その勾配は全時刻の和です。

# %% [solution] grad_W

# %% [tests] grad_W

# %% [markdown]
# ## 6. 入力の勾配 — `grad_X`
#
# TDNN を何層も重ねる（下の層の $\mathbf{z}_t$ を上の層の入力にする）ときには、入力についての勾配も要ります。
# $\mathbf{x}_t$ は、$\mathbf{u}_t$ には $W_0$ を通って、$\mathbf{u}_{t+1}$ には $W_1$ を通って、…、$\mathbf{u}_{t+K-1}$ には $W_{K-1}$ を通って入ります。
# つまり $\mathbf{x}_t$ の勾配は**未来の** δ から集まります:
#
# $$
# \frac{\partial E}{\partial \mathbf{x}_t} = \sum_{k=0}^{K-1} \tilde{W}_k^\top \boldsymbol{\delta}_{t+k},
# \qquad \boldsymbol{\delta}_s = \mathbf{0} \;\; (s > T)
# $$
#
# 先頭の 1 は定数で入力ではないので、バイアスの列を除いた $\tilde{W}_k$ を使い、$(T, d)$ の配列を返してください（行 $t-1$ が $\partial E / \partial \mathbf{x}_t$）。
# 順伝播の「窓を作る」操作の逆向きで、畳み込みの逆伝播は**転置畳み込み (transposed convolution)** になります。

# %% [solution] grad_X

# %% [tests] grad_X

# %% [markdown]
# ## 7. すべての勾配 — `backward`
#
# ここまでの関数をつなぎ、1 系列についての重みの勾配をすべて求めます。出力層の勾配は `rnn_bptt` の演習と同じで、
#
# $$
# \frac{\partial E}{\partial W^{\mathrm{out}}} = \sum_t (\hat{\mathbf{y}}_t - \mathbf{y}_t) \begin{pmatrix} 1 \\ \mathbf{z}_t \end{pmatrix}^{\!\top}
# = (\hat{Y} - Y)^\top \bigl(\mathbf{1} \;\; Z\bigr)
# $$
#
# です。`{"W": ∂E/∂W (K, H, d+1), "W_out": ∂E/∂W_out (m, H+1)}` を返してください。
# 採点では、この勾配を誤差関数の数値微分（中心差分）とも比べます。

# %% [solution] backward

# %% [tests] backward

# %% [markdown]
# ## 8. 実験: 固定の記憶と再帰による記憶
#
# ここからは採点されません。入力 $x_t$ は $[-1, 1]$ の一様乱数（$d = 1$）で、目標は **$L$ 時刻前の入力をそのまま出す**ことです:
#
# $$
# y_t = x_{t-L} \qquad (t \le L \text{ では } 0)
# $$
#
# $K = 4$ の TDNN は $x_t, \dots, x_{t-3}$ しか見えないので、$L \le 3 = K - 1$ なら解けるはずで、$L \ge K$ では
# $x_{t-L}$ の情報がまったく届きません。一方、Elman ネットワーク（参照実装 `rnnref` の BPTT）は、
# 中間層の状態に過去を保持して $L$ 時刻後まで運べます。
#
# 遅れ $L = 0, 1, \dots, 9$ のそれぞれについて、同じ回数だけ Adam（`rnnref.optim.adam`）で学習し、
# 学習に使っていないテスト系列で**正規化した二乗誤差** $\sum (\hat{y}_t - y_t)^2 / \sum y_t^2$ を測ります
# （0 なら完全、1 なら常に 0 を答えるのと同じ）。TDNN の勾配はあなたの `backward` で求めます。

# %%
import time

import matplotlib.pyplot as plt

try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

from rnnref import add_bias, bptt, elman_forward, init_params
from rnnref.optim import adam

T_EXP, K_EXP, H_TDNN, H_RNN = 40, 4, 8, 16
LAGS = np.arange(10)
ITERS, LR = 300, 0.02


def delay_task(rng, n, L):
    """n sequences of x_t ~ U(−1, 1): X (n, T, 2) with the bias column, targets y_t = x_{t−L} (0 for t ≤ L)."""
    x = rng.uniform(-1.0, 1.0, (n, T_EXP))
    y = np.zeros_like(x)
    y[:, L:] = x[:, :T_EXP - L]
    return add_bias(x[..., None]), y[..., None]


def normalised_error(Yhat, Y):
    return float(np.sum((Yhat - Y) ** 2) / np.sum(Y ** 2))


start = time.perf_counter()
err_tdnn, err_rnn, W_learned = [], [], {}
for L in LAGS:
    rng = np.random.default_rng(int(L))
    X_test, Y_test = delay_task(np.random.default_rng(100), 50, L)

    # TDNN: your backward, one new sequence per step
    init = np.random.default_rng(0)
    P = {"W": init.uniform(-0.5, 0.5, (K_EXP, H_TDNN, 2)), "W_out": init.uniform(-0.5, 0.5, (1, H_TDNN + 1))}
    state = None
    for _ in range(ITERS):
        X, Y = delay_task(rng, 1, L)
        P, state = adam(P, backward(X[0], P["W"], P["W_out"], Y[0]), state, lr=LR)
    Yhat = np.stack([forward(x, P["W"], P["W_out"])[2] for x in X_test])
    err_tdnn.append(normalised_error(Yhat, Y_test))
    W_learned[int(L)] = P

    # Elman RNN (rnnref): 8 new sequences per step
    Q, state = init_params(1, H_RNN, 1, seed=0), None
    for _ in range(ITERS):
        X, Y = delay_task(rng, 8, L)
        Q, state = adam(Q, bptt(X, Y, Q).grads, state, lr=LR)
    err_rnn.append(normalised_error(elman_forward(X_test, Q)[0], Y_test))

print(f"trained {2 * len(LAGS)} networks in {time.perf_counter() - start:.1f} s")
for L, e_t, e_r in zip(LAGS, err_tdnn, err_rnn):
    print(f"L = {L}: TDNN {e_t:.3f}   Elman RNN {e_r:.3f}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
ax = axes[0]
ax.semilogy(LAGS, err_tdnn, "o-", label=f"TDNN, $K$ = {K_EXP} ($H$ = {H_TDNN})")
ax.semilogy(LAGS, err_rnn, "s-", label=f"Elman RNN ($H$ = {H_RNN})")
ax.axvspan(K_EXP - 0.5, LAGS[-1] + 0.5, color="gray", alpha=0.15, label="$L \\geq K$: outside the window")
ax.set(xlabel="delay $L$ of the target $y_t = x_{t-L}$", ylabel="normalised squared error (test)",
       title=f"recall the input $L$ steps back ({ITERS} Adam steps each)")
ax.legend(fontsize=8, loc="center left")

ax = axes[1]
for L in (1, 3, 5):
    W_L, W_out_L = W_learned[L]["W"], W_learned[L]["W_out"]
    Z_L = np.concatenate([forward(x, W_L, W_out_L)[1] for x in X_test])
    # ∂ŷ_t/∂x_{t−k} = Σ_j w^out_j f′(u_tj) (W_k)_{j1}, averaged over the test steps
    gain = [np.mean((1 - Z_L ** 2) @ (W_out_L[0, 1:] * W_L[k, :, 1])) for k in range(K_EXP)]
    ax.plot(np.arange(K_EXP), gain, "o-", label=f"$L$ = {L}")
ax.axhline(0.0, color="gray", lw=0.8)
ax.set(xlabel="tap $k$ (input $x_{t-k}$)", ylabel=r"mean $\partial \hat{y}_t / \partial x_{t-k}$",
       title="which tap the trained TDNN uses", xticks=range(K_EXP))
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 9. 考察
#
# - TDNN の誤差は $L \le K - 1 = 3$ ではほぼ 0、$L \ge K$ では 1 前後（常に 0 を答えるのと同じ）です。
#   $x_{t-L}$ が窓の外にあれば、学習をいくら続けても $H$ を増やしても解けません。情報が届いていないのですから。
#   右の図は、出力が各タップの入力にどれだけ敏感か（感度 $\partial \hat{y}_t / \partial x_{t-k}$ のテスト系列での平均）です。
#   学習した TDNN は $k = L$ のタップだけを感度 1 で使っています。$L = 5$ では使えるタップがなく、感度はどれも 0 付近です。
# - Elman ネットワークの誤差は $L$ とともに少しずつ増えますが、どの $L$ でも小さいままです。
#   帰還路 $W \mathbf{z}_{t-1}$ で過去の入力を状態に保持し、何時刻でも（原理的には）運べるからです。
#   ただし講義 6.3.1 のとおり、遠い過去ほど勾配消失のために学習は難しくなり、「せいぜい過去 10 時刻分程度」と言われます。
# - 代わりに TDNN には次の長所があります。
#   - 逆伝播に時間方向の漸化式がなく、全時刻を並列に計算できる（BPTT のように $T$ 回の逐次計算が要らない）
#   - 勾配が時間方向に積み重ならないので、勾配消失・勾配爆発が時間方向には起こらない
#   - どこまでの過去を使うかが $K$ で明示される
# - TDNN は 1980 年代末に音素認識のために提案され (Waibel ら)、層を重ねて見える範囲（受容野, receptive field）を広げて使われました。
#   時間方向の畳み込みという考え方は、WaveNet や時間畳み込みネットワーク (temporal convolutional network, TCN) に受け継がれています。
#
# **やってみよう（採点対象外）**
#
# 1. `K_EXP` を 6 にすると、TDNN が解ける $L$ の範囲はどう変わるでしょうか。
# 2. 2 層の TDNN（1 層目の $\mathbf{z}_t$ を 2 層目の入力にする）では、見える過去は何時刻分になるでしょうか。
#    `grad_X` は 2 層目から 1 層目へ勾配を渡すのに使えます。
# 3. 目標を $y_t = x_{t-1} x_{t-2}$（2 つの入力の積）に変えると、TDNN と Elman ネットワークはそれぞれどうなるでしょうか。
