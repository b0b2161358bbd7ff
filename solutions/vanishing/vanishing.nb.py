# %% [markdown]
# # 勾配消失: 単純な RNN はなぜ忘れるのか (vanishing gradients)
#
# 講義の「長期依存性の問題」では、単純な RNN は大昔の情報を忘れてしまう、と説明されました。
#
# - 保持したい情報に 1 より小さい値を何度も掛けると 0 になってしまう (消える)
# - 逆に 1 より大きい値を掛けていくと発散してしまう
# - 何も工夫しなければ、出力に反映できるのは「せいぜい過去 10 時刻分程度」
#
# この「掛ける値」が行列のときに大きさを測るのが、重み行列 $W$ の**スペクトル半径 (spectral radius)** $\rho(W)$ です。
# この課題では、$\rho(W)$ と $\|W^k\|$ を計算して講義の 3 つの例を確かめ、
# 誤差 $\partial E / \partial \mathbf{z}_t$ が時間をさかのぼるにつれて小さくなる様子を、素の RNN と LSTM で測ります。
# 次に、BPTT の計算を軽くする**打ち切り BPTT (truncated BPTT)** を実装して、打ち切りで失われる勾配と節約できる時間を測ります。
# 最後に、爆発する勾配への対策である**勾配クリッピング (gradient clipping)** を実装して、その効果を見ます。
#
# **この課題の目標**
#
# 1. スペクトル半径 $\rho(W)$ を計算する — `spectral_radius`
# 2. $\|W^k\|$ を $k = 0, \dots, K$ について計算する — `power_norms`
# 3. $\partial E / \partial \mathbf{z}_t$ を $t = T$ から過去へ計算する — `state_gradients`
# 4. そのノルム $\|\partial E / \partial \mathbf{z}_t\|$ を時刻ごとに求める — `grad_norms_over_time`
# 5. 誤差を $k$ 時刻ごとに打ち切った $\partial E / \partial \mathbf{z}_t$ を計算する — `truncated_state_gradients`
# 6. 勾配をノルムでクリップする — `clip_grad_norm`
#
# 各関数のセルにある `# YOUR CODE HERE` を実装し、直後のテストセルを実行して確認してください。
# テストが表示するのは公開テスト (visible cases) の結果です。採点では、形の違う隠しテスト (hidden tests) も使います。

# %% [markdown]
# ## 記法 (notation)
#
# RNN の課題と同じく、講義の Elman 型 RNN を使います ($f = \tanh$, $\mathbf{z}_0 = \mathbf{0}$, 入力 $\mathbf{x}_t$ の先頭はバイアスの 1)。
#
# $$\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}, \qquad \mathbf{z}_t = f(\mathbf{u}_t)$$
#
# | 記号 | コード | 形 | 中身 |
# | --- | --- | --- | --- |
# | $W$ | `W` | `(H, H)` | 中間層から中間層への (再帰の) 重み |
# | $U$ | `U` | `(T, H)` | 行 $t-1$ が $\mathbf{u}_t^\top$ |
# | $dZ$ | `dZ` | `(T, H)` | 行 $t-1$ が $\mathbf{z}_t$ に**直接**届く誤差 $\partial E / \partial \mathbf{z}_t \big|_{\text{direct}}$ (その時刻の出力から) |
# | $G$ | `G` | `(T, H)` | 行 $t-1$ が $\partial E / \partial \mathbf{z}_t$ (直接の誤差と、後の時刻を経由して届く誤差の和) |
# | — | `grads` | dict | 名前 → 勾配の配列 (`"W_in"`, `"W"`, `"W_out"` など) |
#
# $T$ は系列の長さ、$H$ は中間層のユニット数です。RNN の課題の $D$ は δ を**列**に並べましたが、
# この課題の $U$, $dZ$, $G$ はどれも時刻を**行**に並べます。
#
# 次のセルはモジュールの先頭部分 (import) です。実行してから先に進んでください。

# %% [module]

# %% [markdown]
# ## 1. スペクトル半径 (spectral radius)
#
# 講義の定義どおり、行列 $W$ のスペクトル半径は「固有値の絶対値の中で一番大きいもの」です。
#
# $$\rho(W) = \max_i |\lambda_i(W)|$$
#
# $W$ は対称行列とは限らないので、固有値 $\lambda_i$ は負の数や複素数にもなります。
# 複素数 $\lambda = a + bi$ の絶対値は $|\lambda| = \sqrt{a^2 + b^2}$ です。
#
# - `np.linalg.eigvals(W)` は一般の正方行列の固有値を (必要なら複素数で) 返します。
#   `np.linalg.eigvalsh` は対称行列専用なので、ここでは使えません。
# - 戻り値は Python の `float` (実数 1 つ) にしてください。

# %% [solution] spectral_radius

# %% [tests] spectral_radius

# %% [markdown]
# 講義のスライドの 3 つの行列で確かめてみましょう。スライドには $\rho(W) = 1$, $0.866$, $2.01$ と書かれていました。
# 3 つ目の行列では、絶対値が最大の固有値は**負** ($-2.01$) です。

# %%
import numpy as np

try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

SLIDES = {
    "W1 = [[1, -1], [2, -2]]": np.array([[1.0, -1.0], [2.0, -2.0]]),
    "W2 = [[1, 0.5], [-0.5, -1]]": np.array([[1.0, 0.5], [-0.5, -1.0]]),
    "W3 = [[-2, -0.1], [-0.3, 1]]": np.array([[-2.0, -0.1], [-0.3, 1.0]]),
}
for name, W_s in SLIDES.items():
    print(f"{name:28s} eigenvalues {np.round(np.linalg.eigvals(W_s), 3)},  rho = {spectral_radius(W_s):.3f}")
    print("    W^10 =", np.round(np.linalg.matrix_power(W_s, 10), 2).tolist())

# %% [markdown]
# スライドのとおり、$W_1^{10}$ の大きさは $W_1$ と変わらず ($W_1^2 = -W_1$ なので $W_1^k = \pm W_1$)、
# $W_2^{10} \approx 0.24 I$ (ゆっくり減衰)、$W_3^{10}$ は成分が 1000 を超えます (すぐ発散)。

# %% [markdown]
# ## 2. $\|W^k\|$: 何度も掛けるとどうなるか
#
# 入力を無視すると (そして $f$ を恒等関数とみなすと)、中間層の状態は $\mathbf{z}_k = W^k \mathbf{z}_0$ のように $W$ を何度も掛けられます。
# ベクトルが最大で何倍に引き伸ばされるかを表すのが、行列の**スペクトルノルム (spectral norm)**
#
# $$\|A\|_2 = \max_{\mathbf{v} \ne \mathbf{0}} \frac{\|A\mathbf{v}\|}{\|\mathbf{v}\|} = A \text{ の最大特異値}$$
#
# です (`np.linalg.norm(A, 2)`)。`power_norms(W, K)` は $k = 0, 1, \dots, K$ の $\|W^k\|_2$ を並べた長さ $K+1$ の配列を返します。
#
# - $W^0 = I$ (単位行列) なので、最初の値は $\|I\|_2 = 1$ です。
# - $W^k$ は**行列の積** $W W \cdots W$ です。`W ** k` は成分ごとの $k$ 乗なので別物です。
#   1 つ前の $W^{k-1}$ に $W$ を 1 回掛ければ、$K$ 回の積ですべて求まります。
#
# $k$ が大きいとき $\|W^k\|_2^{1/k} \to \rho(W)$ となることが知られています (Gelfand の公式)。
# つまり $\|W^k\|$ は、おおよそ $\rho(W)^k$ のように指数的に減るか増えます。

# %% [solution] power_norms

# %% [tests] power_norms

# %% [markdown]
# ### 実験: スライドの 3 つの行列と、$\rho$ をそろえたランダムな行列
#
# 左はスライドの 3 つの行列、右は $50 \times 50$ のランダムな行列を $\rho = 0.9, 1, 1.1$ に拡大・縮小したものです
# (`W * rho / spectral_radius(W)`)。点線は $\rho^k$ です。
# 縦軸は対数目盛 (log scale) なので、指数的な減衰・増大は直線に見えます。

# %%
import matplotlib.pyplot as plt

rng = np.random.default_rng(0)
W_rand = rng.standard_normal((50, 50)) / np.sqrt(50)

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
K = 20
for (name, W_s), marker in zip(SLIDES.items(), "os^"):
    axes[0].semilogy(np.arange(K + 1), power_norms(W_s, K), marker=marker, ms=4,
                     label=rf"{name}, $\rho$ = {spectral_radius(W_s):.3f}")
axes[0].axvline(10, color="gray", ls=":")
axes[0].set(xlabel="$k$", ylabel=r"$\|W^k\|_2$", title=r"the lecture's $2 \times 2$ matrices")
axes[0].legend(fontsize=8)
K = 100
for rho, color in zip([0.9, 1.0, 1.1], ["C0", "C1", "C3"]):
    W_r = W_rand * rho / spectral_radius(W_rand)
    axes[1].semilogy(np.arange(K + 1), power_norms(W_r, K), color=color, label=rf"$\rho$ = {rho}")
    axes[1].semilogy(np.arange(K + 1), rho ** np.arange(K + 1.0), color=color, ls=":")
axes[1].set(xlabel="$k$", ylabel=r"$\|W^k\|_2$", title=r"random $50 \times 50$ $W$ scaled to a given $\rho$ (dotted: $\rho^k$)")
axes[1].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# - $\rho < 1$ なら $\|W^k\|$ は 0 へ、$\rho > 1$ なら $\infty$ へ、どちらも指数的に向かいます。$\rho = 1$ のときだけ大きさがほぼ保たれます。
# - ランダムな行列では、はじめの数ステップで $\|W^k\|$ が $\rho^k$ より大きくなっています。
#   対称でない行列では最大特異値 $\|W\|_2$ が $\rho(W)$ より大きいことがあるからです。
#   しかし長い目で見た増え方・減り方を決めるのは $\rho(W)$ です。

# %% [markdown]
# ## 3. 誤差は時間をさかのぼるとどうなるか: $\partial E / \partial \mathbf{z}_t$
#
# BPTT で、時刻 $t$ の中間層の出力 $\mathbf{z}_t$ に対する誤差を考えます。$\mathbf{z}_t$ は
#
# 1. 同じ時刻の出力 $\mathbf{v}_t = W^{\mathrm{out}} (1; \mathbf{z}_t)$ へ (ここから届く誤差が $dZ_t = \tilde{W}^{\mathrm{out}\top}(\hat{\mathbf{y}}_t - \mathbf{y}_t)$)
# 2. 次の時刻の $\mathbf{u}_{t+1} = W^{\mathrm{in}} \mathbf{x}_{t+1} + W \mathbf{z}_t$ へ
#
# の 2 つの道で $E$ に影響するので、連鎖律 (chain rule) から
#
# $$\frac{\partial E}{\partial \mathbf{z}_t} = dZ_t + W^\top \left( f'(\mathbf{u}_{t+1}) \odot \frac{\partial E}{\partial \mathbf{z}_{t+1}} \right), \qquad \frac{\partial E}{\partial \mathbf{z}_T} = dZ_T$$
#
# です。括弧の中は RNN の課題の $\boldsymbol{\delta}_{t+1} = \partial E / \partial \mathbf{u}_{t+1}$ そのものなので、
# 右辺の第 2 項は $W^\top \boldsymbol{\delta}_{t+1}$ とも書けます。
#
# many-to-one のネットワーク (最後の時刻だけに出力がある) では $t < T$ で $dZ_t = \mathbf{0}$ なので、$k$ 時刻さかのぼると
#
# $$\frac{\partial E}{\partial \mathbf{z}_{T-k}} = \left(W^\top \operatorname{diag} f'(\mathbf{u}_{T-k+1})\right) \cdots \left(W^\top \operatorname{diag} f'(\mathbf{u}_{T})\right) \frac{\partial E}{\partial \mathbf{z}_T}$$
#
# となり、$W^\top$ が $k$ 回掛かります。しかも $\tanh$ の微分は $0 < f'(u) = 1 - \tanh^2 u \le 1$ なので、掛かるたびに小さくなる一方です。
# これが**勾配消失 (vanishing gradient)** の仕組みです。$W$ が大きく $f'$ があまり小さくならない場合には、逆に**勾配爆発 (exploding gradient)** が起きます。
#
# `state_gradients(U, W, dZ)` は、この漸化式で $G$ (行 $t-1$ が $\partial E / \partial \mathbf{z}_t$) を計算します。
#
# - $t = T$ から 1 へ向かって、$\partial E / \partial \mathbf{z}_{t+1}$ (または $\boldsymbol{\delta}_{t+1}$) を持ち運ぶループです。
# - $f'$ を評価するのは $\mathbf{u}_{t+1}$ (つまり $\mathbf{z}_t$ が入っていく先の時刻) です。行 $t-1$ に入れるのは $f'(\mathbf{u}_t)$ を掛ける**前**の値です。

# %% [solution] state_gradients

# %% [tests] state_gradients

# %% [markdown]
# `grad_norms_over_time(G)` は、各時刻の誤差の大きさ $\|\partial E / \partial \mathbf{z}_t\| = \sqrt{\sum_j (\partial E / \partial z_{tj})^2}$ を並べた長さ $T$ の配列を返します
# (ノルムを取るのは $H$ 個のユニットについてです)。

# %% [solution] grad_norms_over_time

# %% [tests] grad_norms_over_time

# %% [markdown]
# ### 確かめてみよう: 数値微分 (gradient check)
#
# $\partial E / \partial \mathbf{z}_t$ が正しいことは、数値微分で確かめられます。順伝播で $\mathbf{z}_t = f(\mathbf{u}_t) + \boldsymbol{\varepsilon}_t$ と
# 小さな値 $\boldsymbol{\varepsilon}_t$ を足すと、$\partial E / \partial \boldsymbol{\varepsilon}_t = \partial E / \partial \mathbf{z}_t$ です
# ($\boldsymbol{\varepsilon}_t$ は $\mathbf{z}_t$ と同じ道を通って $E$ に影響するからです)。
# ここでは $E = \sum_t dZ_t^\top \mathbf{z}_t$ (直接の誤差が $dZ_t$ になる誤差関数) を使い、各成分を $\pm h$ ずらした中心差分と比べます。

# %%
rng = np.random.default_rng(1)
T_c, d_c, H_c = 7, 2, 3
X_c = np.column_stack([np.ones(T_c), rng.standard_normal((T_c, d_c))])
W_in_c, W_c = rng.normal(0, 0.8, (H_c, d_c + 1)), rng.normal(0, 0.8, (H_c, H_c))
dZ_c = rng.standard_normal((T_c, H_c))


def forward_with(eps):
    """U (T, H) and E = Σ_t dZ_t · z_t, where z_t = tanh(u_t) + eps_t."""
    z, U, E = np.zeros(H_c), np.zeros((T_c, H_c)), 0.0
    for t in range(T_c):
        U[t] = W_in_c @ X_c[t] + W_c @ z
        z = np.tanh(U[t]) + eps[t]
        E += dZ_c[t] @ z
    return U, E


U_c, _ = forward_with(np.zeros((T_c, H_c)))
G_c = state_gradients(U_c, W_c, dZ_c)
h = 1e-5
numeric = np.zeros((T_c, H_c))
for idx in np.ndindex(T_c, H_c):
    e = np.zeros((T_c, H_c))
    e[idx] = h
    numeric[idx] = (forward_with(e)[1] - forward_with(-e)[1]) / (2 * h)
print(f"relative error of dE/dz_t: {np.abs(G_c - numeric).max() / np.abs(numeric).max():.1e}")

# %% [markdown]
# ## 4. 実験: 誤差はどこまで過去に届くか — 素の RNN と LSTM
#
# 長さ $T = 100$ のランダムな入力系列 ($d = 4$, $H = 32$) を流し、最後の時刻だけに誤差 $dZ_T$ を与えます (many-to-one)。
# $\|\partial E / \partial \mathbf{z}_{T-k}\| \,/\, \|\partial E / \partial \mathbf{z}_T\|$ を $k$ に対して対数目盛で描きます。
#
# - **素の RNN** (左): 同じランダムな行列を $\rho(W) = 0.5, 0.9, 1, 1.5, 3$ に拡大・縮小して使います。あなたの `state_gradients` と `grad_norms_over_time` で計算します。
# - **LSTM** (右): 同じ入力・同じ $dZ$ で、参照実装 `rnnref` の LSTM を使います。LSTM の誤差は $\mathbf{z}_t$ と**メモリセル** $\mathbf{s}_t$ の 2 つを通って過去へ運ばれるので、両方の大きさを描きます。
#   忘却ゲートのバイアス $b_F$ (`W_F_in` の 0 列目) を $0$ と $3$ にして比べます ($\sigma(3) \approx 0.95$ なので、$b_F = 3$ では忘却ゲートがほぼ開いた状態から始まります)。
#
# LSTM の $\partial E / \partial \mathbf{s}_t$ は、メモリセルの式 $\mathbf{s}_t = \mathbf{g}^F_t \odot \mathbf{s}_{t-1} + \mathbf{g}^I_t \odot f(\mathbf{u}_t)$ から
# $\partial E / \partial \mathbf{s}_{t-1} = \mathbf{g}^F_t \odot \partial E / \partial \mathbf{s}_t + \cdots$ となり、重み行列も $f'$ も掛からずに、忘却ゲートの値だけが掛かります。

# %%
from rnnref import init_lstm_params, lstm_forward
from rnnref.analysis import lstm_state_gradients

rng = np.random.default_rng(2)
T_e, d_e, H_e = 100, 4, 32
X_e = np.column_stack([np.ones(T_e), rng.standard_normal((T_e, d_e))])
W_in_e = rng.normal(0, 1 / np.sqrt(d_e + 1), (H_e, d_e + 1))
W_base = rng.standard_normal((H_e, H_e))
dZ_e = np.zeros((T_e, H_e))
dZ_e[-1] = rng.standard_normal(H_e)  # only the last step has an output error
k_axis = np.arange(T_e)  # k = T − t


def relative(norms):
    """‖∂E/∂z_{T−k}‖ / ‖∂E/∂z_T‖ for k = 0 … T−1."""
    return norms[::-1] / norms[-1]


fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), sharey=True)
for rho in [0.5, 0.9, 1.0, 1.5, 3.0]:
    W_e = W_base * rho / spectral_radius(W_base)
    U_e = np.zeros((T_e, H_e))
    z = np.zeros(H_e)
    for t in range(T_e):
        U_e[t] = W_in_e @ X_e[t] + W_e @ z
        z = np.tanh(U_e[t])
    axes[0].semilogy(k_axis, relative(grad_norms_over_time(state_gradients(U_e, W_e, dZ_e))), label=rf"$\rho(W)$ = {rho}")
axes[0].axvline(10, color="gray", ls=":")
axes[0].set(xlabel="$k$ (steps back from $T$)", ylabel=r"$\|\partial E/\partial z_{T-k}\| \,/\, \|\partial E/\partial z_T\|$",
            title="plain tanh RNN")
axes[0].legend(fontsize=8)

for b_F, color in [(0.0, "C0"), (3.0, "C3")]:
    P_lstm = init_lstm_params(d_e, H_e, seed=3)
    P_lstm["W_F_in"][:, 0] += b_F  # forget-gate bias
    _, cache = lstm_forward(X_e[None], P_lstm)
    dZ_tot, dS_tot = lstm_state_gradients(dZ_e[None], cache)
    axes[1].semilogy(k_axis, relative(grad_norms_over_time(dZ_tot[0])), color=color, label=f"LSTM $z_t$, $b_F$ = {b_F:g}")
    axes[1].semilogy(k_axis, relative(grad_norms_over_time(dS_tot[0])), color=color, ls="--",
                     label=f"LSTM memory cell $s_t$, $b_F$ = {b_F:g}")
axes[1].axvline(10, color="gray", ls=":")
axes[1].set(xlabel="$k$ (steps back from $T$)", title="LSTM (rnnref), same inputs")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# - 素の RNN では、$\rho(W) < 1$ のとき誤差は指数的に (対数目盛で直線的に) 小さくなり、10 時刻さかのぼるだけで数桁も小さくなります。
#   講義の「せいぜい過去 10 時刻分程度」の実感が得られるでしょう。
# - $\rho(W) = 1.5$ でも誤差は消えていきます。$W$ が大きいと $\mathbf{u}_t$ が大きくなり $\tanh$ が飽和して、$f'(\mathbf{u}_t) \approx 0$ になるからです。
#   $\rho(W) = 3$ ではさかのぼるほど誤差が大きくなります (勾配爆発)。$\rho(W)$ を 1 付近に保てば消失も爆発も起きにくいものの、
#   講義のとおり、それではネットワークの表現能力が落ちてしまいます。
# - LSTM で忘却ゲートを開いておく ($b_F = 3$) と、メモリセルを通る誤差 $\partial E / \partial \mathbf{s}_t$ は 100 時刻さかのぼってもほとんど減りません。
#   これが LSTM が長期の依存関係を学習できる理由です。$b_F = 0$ ($\mathbf{g}^F \approx 0.5$) では、LSTM の誤差も素の RNN と同じように消えていきます。

# %% [markdown]
# ## 5. 打ち切り BPTT (truncated BPTT)
#
# ### BPTT はなぜ遅いか
#
# 講義 (seed 000「RNNの学習法」) では、BPTT の欠点として次のように書かれていました。
#
# > 時刻 $t_n$ において時刻 $t_0$ に向かって逆伝搬を計算し始めるので学習に時間がかかる
#
# BPTT で 1 回更新するには、系列を最後まで順伝播して $T$ 個の状態 $\mathbf{u}_t, \mathbf{z}_t$ をすべて**覚えておき** (メモリが $T$ に比例)、
# 時刻 $T$ から時刻 1 まで $T$ ステップ逆伝播しなければなりません (時間も $T$ に比例)。
# 音声や文章のように長い系列、あるいは終わりのないデータの流れ (stream) では、系列の終わりまで更新を待つことも、
# 毎回の更新で先頭まで戻ることも現実的ではありません。
#
# seed 003「長期依存性の問題」には「ネットワークが大きくなりすぎる問題についてはデータをある程度の長さで打ち切ればいい」とあります。
# これが**打ち切り BPTT (truncated BPTT)** です。系列を $t = 1$ から数えて $k$ 時刻ずつの**まとまり (chunk)** に区切り、
#
# $$t = 1, \dots, k \;\big|\; k+1, \dots, 2k \;\big|\; \cdots \;\big|\; \lfloor (T-1)/k \rfloor k + 1, \dots, T$$
#
# 誤差はまとまりの境目を越えて過去へ伝えません。順伝播はまったく同じで、まとまりの最後の状態 $\mathbf{z}_k, \mathbf{z}_{2k}, \dots$ は
# 次のまとまりに値としては渡しますが、逆伝播では定数とみなします。PyTorch で $k$ ステップごとに `h = h.detach()` と書くのと同じです。
# こうすると、まとまりごとに (順伝播 $k$ ステップ、逆伝播 $k$ ステップで) 重みを更新でき、覚えておく状態も $k$ 個で済みます。
#
# 3 節の漸化式は、$t$ が $k$ の倍数のところで切れます ($f'(u) = 1 - \tanh^2 u$)。
#
# $$\frac{\partial E}{\partial \mathbf{z}_t} = \begin{cases} dZ_t & t \text{ が } k \text{ の倍数のとき、または } t = T \\[4pt] dZ_t + W^\top \left( f'(\mathbf{u}_{t+1}) \odot \dfrac{\partial E}{\partial \mathbf{z}_{t+1}} \right) & \text{それ以外} \end{cases}$$
#
# たとえば $T = 7$, $k = 3$ ならまとまりは $t = 1\text{–}3,\ 4\text{–}6,\ 7$ で、$\mathbf{z}_3$ と $\mathbf{z}_6$ には次の時刻からの誤差が届きません。
#
# `truncated_state_gradients(U, W, dZ, k)` は、この打ち切った $\partial E / \partial \mathbf{z}_t$ を並べた $G$ (`state_gradients` と同じ形) を返します。
#
# - `state_gradients` のループに、条件を 1 つ足すだけです。行 `t` (0 始まり) は時刻 $t+1$ なので、「時刻が $k$ の倍数」の判定で 1 ずれないよう注意してください。
# - まとまりは**先頭 $t = 1$ から**数えます (順伝播しながら $k$ ステップごとに切り離すのと同じ)。$k$ が $T$ を割り切らないときに短くなるのは最後のまとまりです。
# - $k \ge T$ なら打ち切りなし (`state_gradients` と同じ)、$k = 1$ なら漸化式はまったく使われず $G = dZ$ です。

# %% [solution] truncated_state_gradients

# %% [tests] truncated_state_gradients

# %% [markdown]
# 3 節の数値微分の例 ($T = 7$) で、$k = 3$ の打ち切り (まとまり $t = 1\text{–}3,\ 4\text{–}6,\ 7$) を打ち切りなしと比べてみましょう。
# 最後のまとまり ($t = 7$) は変わりません。それより前の行は、後のまとまりからの誤差を受け取らなくなった分だけ変わります。
# $k \ge T$ では `state_gradients` と、$k = 1$ では $dZ$ と一致するはずです。

# %%
G_full = state_gradients(U_c, W_c, dZ_c)
G_cut = truncated_state_gradients(U_c, W_c, dZ_c, 3)
for t in range(T_c):
    print(f"t = {t + 1}: |G_cut - G_full| = {np.abs(G_cut[t] - G_full[t]).max():.2e}"
          + ("   <- z_t is the end of a chunk" if (t + 1) % 3 == 0 else ""))
print("k = T equals state_gradients:", np.allclose(truncated_state_gradients(U_c, W_c, dZ_c, T_c), G_full))
print("k = 1 equals dZ:             ", np.allclose(truncated_state_gradients(U_c, W_c, dZ_c, 1), dZ_c))

# %% [markdown]
# ### 実験: 打ち切りで失われる勾配と、節約できる時間
#
# **左: 勾配の誤差。** 4 節と同じ入力の作り方で長さ $T = 120$ の系列を流し、重み $W$ の勾配
#
# $$\frac{\partial E}{\partial W} = \sum_t \boldsymbol{\delta}_t \mathbf{z}_{t-1}^\top = D \tilde{Z}, \qquad \boldsymbol{\delta}_t = \frac{\partial E}{\partial \mathbf{z}_t} \odot f'(\mathbf{u}_t)$$
#
# (RNN の課題の $D\tilde{Z}$) を、打ち切りなしと打ち切りありで計算して、相対誤差 $\|\partial E / \partial W_{(k)} - \partial E / \partial W\| \,/\, \|\partial E / \partial W\|$ を $k$ に対して描きます。
# 実線は seed 000 の BPTT のスライドと同じ「時刻 $t_n$ だけで出力する」many-to-one の場合です ($dZ_t = \mathbf{0}$, $t < T$)。
# 最後のまとまりがちょうど $k$ 時刻になるよう、$k$ は $T = 120$ の約数だけを使います。
# 点線は、すべての時刻に出力がある場合 (many-to-many) の $\rho(W) = 0.9$ です。
# $k = T$ では誤差は 0 (打ち切りなし) なので描いていません。誤差が倍精度の丸め誤差より小さくなった点は $10^{-16}$ に描きます。
#
# **右: 1 回の更新にかかる時間。** 長さ $T_s = 2000$ の流れを $k$ 時刻ごとに区切って更新するとき、1 回の更新の逆伝播は最後のまとまりの $k$ ステップだけです。
# あなたの `truncated_state_gradients` で $k$ ステップの逆伝播にかかる時間 (壁時計時間、何回か測った最小値) を測り、
# 先頭まで戻る BPTT ($T_s$ ステップ) と比べます。

# %%
import time

rng = np.random.default_rng(4)
T_k = 120
X_k = np.column_stack([np.ones(T_k), rng.standard_normal((T_k, d_e))])
dZ_one = np.zeros((T_k, H_e))
dZ_one[-1] = rng.standard_normal(H_e)  # many-to-one: only the last step has an output error
dZ_all = rng.standard_normal((T_k, H_e))  # many-to-many: every step has one
k_div = np.array([k for k in range(1, T_k) if T_k % k == 0])  # k < T dividing T


def run(W, X):
    """U (T, H) and Z̃ (rows z_0 … z_{T−1}) of the tanh RNN with the W_in of section 4."""
    U, Z_tilde = np.zeros((len(X), H_e)), np.zeros((len(X), H_e))
    z = np.zeros(H_e)
    for t in range(len(X)):
        Z_tilde[t] = z
        U[t] = W_in_e @ X[t] + W @ z
        z = np.tanh(U[t])
    return U, Z_tilde


def grad_W(G, U, Z_tilde):
    """∂E/∂W = D Z̃ from the rows ∂E/∂z_t of G: δ_t = ∂E/∂z_t ⊙ f′(u_t)."""
    return (G * (1.0 - np.tanh(U) ** 2)).T @ Z_tilde


def truncation_error(W, dZ):
    """‖∂E/∂W with truncation k − ∂E/∂W‖ / ‖∂E/∂W‖ for every k of k_div."""
    U, Z_tilde = run(W, X_k)
    full = grad_W(state_gradients(U, W, dZ), U, Z_tilde)
    return np.array([np.linalg.norm(grad_W(truncated_state_gradients(U, W, dZ, k), U, Z_tilde) - full)
                     for k in k_div]) / np.linalg.norm(full)


fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
for rho, color in zip([0.5, 0.9, 1.5, 3.0], ["C0", "C1", "C2", "C3"]):
    W_k = W_base * rho / spectral_radius(W_base)
    err = truncation_error(W_k, dZ_one)
    axes[0].loglog(k_div, np.maximum(err, 1e-16), "o-", color=color, ms=4, label=rf"many-to-one, $\rho(W)$ = {rho}")
    if rho == 0.9:
        axes[0].loglog(k_div, truncation_error(W_k, dZ_all), "o:", color=color, ms=3,
                       label=rf"many-to-many, $\rho(W)$ = {rho}")
axes[0].set(xlabel="$k$ (steps per chunk)", ylabel=r"relative error of $\partial E/\partial W$", ylim=(1e-16, 3),
            title=f"truncated vs full BPTT, T = {T_k} (at 1e-16: exact)")
axes[0].legend(fontsize=8)

T_s = 2000
W_s = W_base * 0.9 / spectral_radius(W_base)
U_s, _ = run(W_s, np.column_stack([np.ones(T_s), rng.standard_normal((T_s, d_e))]))
dZ_s = rng.standard_normal((T_s, H_e))
k_time = np.array([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000])
seconds = []
for k in k_time:  # one update: the backward through the last chunk of k steps only
    best = np.inf
    for _ in range(5):
        start_t = time.perf_counter()
        truncated_state_gradients(U_s[-k:], W_s, dZ_s[-k:], k)
        best = min(best, time.perf_counter() - start_t)
    seconds.append(best)
seconds = np.array(seconds) * 1e3
axes[1].loglog(k_time, seconds, "o-", label="truncated BPTT: back k steps")
axes[1].axhline(seconds[-1], color="C3", ls="--", label=f"full BPTT: back to $t = 1$ ({T_s} steps)")
axes[1].set(xlabel="$k$ (steps per chunk)", ylabel="backward time per update [ms]",
            title=f"one update on a stream of {T_s} steps (H = {H_e})")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()
print(f"backward per update: k = 20 {seconds[k_time == 20][0]:.3f} ms, full BPTT {seconds[-1]:.2f} ms; "
      f"states kept: 20 instead of {T_s}")

# %% [markdown]
# - many-to-one で $\rho(W) < 1$ のとき、打ち切りの誤差は $k$ とともに**指数的に**小さくなります。打ち切って捨てるのは
#   $k$ 時刻より前から届く誤差で、それは 4 節で見たとおり、打ち切らなくても消えてしまう大きさだからです。
#   勾配消失が起きる RNN では、打ち切り BPTT はほとんど何も失いません。裏返せば、打ち切らない BPTT でも、そのような遠い過去からはほとんど学べていません。
# - $\rho(W) = 1.5$ では ($\tanh$ の飽和のため誤差はやはり消えていきますが) 減り方が遅く、長い $k$ が要ります。
#   $\rho(W) = 3$ (勾配爆発) では、遠い過去からの誤差ほど大きいので、$k < T$ のどの打ち切りでも勾配はまったく別物 (相対誤差 ≈ 1) になります。
# - すべての時刻に出力がある場合 (点線) は、誤差はゆっくりとしか減りません。まとまりの境目の直前の時刻は、
#   すぐ次の時刻の出力の誤差さえ受け取れないからです。境目の数は $T/k$ に比例するので、$k$ を大きくすれば誤差は減りますが、指数的ではありません。
# - 右の図のとおり、1 回の更新の逆伝播の時間は $k$ に比例し、覚えておく状態も $k$ 個で済みます。
#   $k = 20$ なら、先頭まで戻る BPTT ($T_s = 2000$ ステップ) に比べて逆伝播のステップ数もメモリも 1/100 です。
#   測った時間もおおよそそのとおりになります ($k$ が小さいところでは、Python の関数呼び出しの手間が目立ちます)。
#
# 打ち切り BPTT は計算の重さへの対策であって、勾配消失の対策ではありません。seed 003 のとおり「情報が消えてしまうのはどうしようもない」ので、
# $k$ 時刻より長い依存関係は、打ち切り BPTT では原理的に学習できません。

# %% [markdown]
# ## 6. 勾配クリッピング (gradient clipping by norm)
#
# 勾配が爆発すると、1 回の更新 $W \leftarrow W - \eta\, \partial E / \partial W$ でパラメータが遠くへ飛ばされ、それまでの学習が台無しになります。
# **勾配クリッピング**は、すべての勾配をまとめたベクトル $\mathbf{g}$ の長さ
#
# $$\|\mathbf{g}\| = \sqrt{\sum_{W} \left\| \frac{\partial E}{\partial W} \right\|^2} \qquad (\text{和は } W^{\mathrm{in}}, W, W^{\mathrm{out}}, \dots \text{ のすべての成分について})$$
#
# がしきい値 $\theta$ を超えたときだけ、$\mathbf{g}$ を長さ $\theta$ に縮めます。すべての勾配に同じ係数
#
# $$c = \min\left(1, \frac{\theta}{\|\mathbf{g}\| + 10^{-6}}\right)$$
#
# を掛けるので、$\mathbf{g}$ の**向きは変わりません**。$10^{-6}$ は 0 除算を防ぐためのもので、PyTorch の `torch.nn.utils.clip_grad_norm_` と同じ値です。
#
# `clip_grad_norm(grads, max_norm)` は、クリップした勾配の辞書 (同じキーと形の**新しい**配列) と、クリップ**前**のノルム $\|\mathbf{g}\|$ (`float`) を返します。
# 引数の辞書や配列を書き換えてはいけません (`g *= c` は呼び出し元の配列を書き換えてしまいます)。

# %% [solution] clip_grad_norm

# %% [tests] clip_grad_norm

# %% [markdown]
# ### 実験: 誤差関数の「崖」(cliff) とクリッピング
#
# Pascanu ら (2013) にならって、中間層のユニットが 1 つだけの RNN ($H = 1$) を考えます。
# 入力は、最初の時刻だけの信号 $x_1 = 1$ ($t > 1$ では 0) で、学習するのは再帰の重み $w$ とバイアス $b$ の 2 つです。
#
# $$u_t = b + a\, x_t + w\, z_{t-1}, \quad z_t = \tanh(u_t), \quad a = 2 \text{ (固定)}, \qquad E = \tfrac{1}{2} (z_T - 0.5)^2, \quad T = 30$$
#
# $z_t$ が最後に正の値に落ち着くか負の値に落ち着くかは $(w, b)$ によって急に切り替わるので、$E$ には切り立った**崖**ができます。
# 崖の上では勾配がとても大きく、クリッピングなしの勾配降下法 (学習率 0.3) は 1 歩で遠くへ飛ばされてしまいます。
# 同じ出発点からクリッピングあり ($\theta = 0.5$) で学習すると、崖を下りて誤差の小さい谷に入ります。
#
# 勾配はあなたの `state_gradients` から計算します: $\boldsymbol{\delta}_t = \partial E / \partial \mathbf{z}_t \odot f'(\mathbf{u}_t)$ を使い、
# $\partial E / \partial b = \sum_t \delta_t$, $\partial E / \partial w = \sum_t \delta_t z_{t-1}$ です (RNN の課題の $DX$, $D\tilde{Z}$ の 1 成分)。

# %%
T_cl, a_cl, target = 30, 2.0, 0.5
x_pulse = np.zeros(T_cl)
x_pulse[0] = 1.0


def loss_and_grads(w, b):
    """E and {"w", "b"} for the one-unit RNN, through your state_gradients."""
    U, Z = np.zeros((T_cl, 1)), np.zeros((T_cl, 1))
    z = np.zeros(1)
    for t in range(T_cl):
        U[t] = b + a_cl * x_pulse[t] + w * z
        z = np.tanh(U[t])
        Z[t] = z
    dZ = np.zeros((T_cl, 1))
    dZ[-1] = Z[-1] - target  # E = ½ (z_T − 0.5)²
    G = state_gradients(U, np.array([[w]]), dZ)
    delta = G[:, 0] * (1.0 - np.tanh(U[:, 0]) ** 2)
    z_prev = np.concatenate([[0.0], Z[:-1, 0]])
    return 0.5 * float((Z[-1, 0] - target) ** 2), {"w": np.array([delta @ z_prev]), "b": np.array([delta.sum()])}


def descend(w, b, lr=0.3, steps=150, max_norm=None):
    """Gradient descent from (w, b); returns the path (steps+1, 2), the losses and the gradient norms."""
    path, losses, norms = [(w, b)], [], []
    for _ in range(steps):
        E, g = loss_and_grads(w, b)
        if max_norm is None:
            norm = float(np.sqrt(g["w"][0] ** 2 + g["b"][0] ** 2))
        else:
            g, norm = clip_grad_norm(g, max_norm)
        w, b = w - lr * g["w"][0], b - lr * g["b"][0]
        path.append((w, b))
        losses.append(E)
        norms.append(norm)
    return np.array(path), np.array(losses), np.array(norms)


start = (2.0, -0.5)
path_plain, loss_plain, norm_plain = descend(*start)
path_clip, loss_clip, norm_clip = descend(*start, max_norm=0.5)
print(f"without clipping: largest |g| = {norm_plain.max():.0f}, ends at w = {path_plain[-1, 0]:.1f}, "
      f"b = {path_plain[-1, 1]:.1f} with E = {loss_plain[-1]:.4f}")
print(f"with clipping:    ends at w = {path_clip[-1, 0]:.2f}, b = {path_clip[-1, 1]:.2f} with E = {loss_clip[-1]:.2e}")

# %%
from matplotlib.colors import LogNorm

ws, bs = np.linspace(0.0, 4.0, 161), np.linspace(-1.5, 1.0, 126)
Wg, Bg = np.meshgrid(ws, bs)
Zg = np.zeros_like(Wg)
for t in range(T_cl):  # the same forward pass on the whole grid at once
    Zg = np.tanh(Bg + a_cl * x_pulse[t] + Wg * Zg)
Eg = 0.5 * (Zg - target) ** 2

fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
im = axes[0].pcolormesh(Wg, Bg, Eg, cmap="viridis", shading="auto", norm=LogNorm(vmin=1e-4, vmax=1.2))
fig.colorbar(im, ax=axes[0], label="$E$ (log scale)")
axes[0].plot(path_clip[:, 0], path_clip[:, 1], "w.-", ms=3, label="with clipping")
inside = (path_plain[:, 0] <= ws[-1]) & (path_plain[:, 1] <= bs[-1])
axes[0].plot(path_plain[inside, 0], path_plain[inside, 1], "r.-", ms=3, label="without clipping")
axes[0].plot(*start, "k*", ms=12, label="start")
jump = int(np.argmax(~inside))  # the first step that leaves the picture
last, away = path_plain[jump - 1], path_plain[jump] - path_plain[jump - 1]
tip = last + 0.7 * away / np.linalg.norm(away)
axes[0].annotate("", xy=tip, xytext=last, arrowprops={"arrowstyle": "->", "color": "red"})
axes[0].text(*tip, f" jumps to ({path_plain[jump, 0]:.0f}, {path_plain[jump, 1]:.0f})", color="red", va="bottom")
axes[0].set(xlabel="$w$", ylabel="$b$", title="loss surface of a one-unit RNN ($T = 30$)")
axes[0].legend(loc="best", fontsize=8)
axes[1].semilogy(loss_plain, "r", label="$E$ without clipping")
axes[1].semilogy(loss_clip, "C0", label="$E$ with clipping")
axes[1].semilogy(norm_plain, "r:", label=r"$\|g\|$ without clipping")
axes[1].semilogy(norm_clip, "C0:", label=r"$\|g\|$ with clipping (before clipping)")
axes[1].set(xlabel="iteration", title="gradient descent, learning rate 0.3")
axes[1].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# クリッピングなしでは、崖に触れた 1 歩で勾配のノルムが数十になり、パラメータは誤差関数がほぼ平らな遠くの場所へ飛ばされます。
# そこでは勾配がほぼ 0 なので、もう戻ってこられません。
# クリッピングありでも崖の上では同じ大きな勾配 (点線) が計算されますが、1 歩の長さが $\eta \theta$ 以下に制限されるので、崖を下りて谷に入れます。
#
# クリッピングは勾配**爆発**への対策です。勾配**消失**は解決しません (小さい勾配はそのまま通すだけです)。
# 消失への対策が、LSTM や GRU のゲートとメモリセルです。
#
# ## まとめ (summary)
#
# - スペクトル半径 $\rho(W) = \max_i |\lambda_i(W)|$ は、$W$ を何度も掛けたときの増え方・減り方を決める: $\|W^k\| \approx \rho(W)^k$。
# - BPTT の誤差は $\partial E / \partial \mathbf{z}_t = dZ_t + W^\top (f'(\mathbf{u}_{t+1}) \odot \partial E / \partial \mathbf{z}_{t+1})$ で過去へ伝わり、$k$ 時刻さかのぼるごとに $W^\top \operatorname{diag} f'$ が $k$ 回掛かる。$\rho(W) < 1$ や $\tanh$ の飽和で誤差は指数的に消え、$\rho(W)$ が大きいと爆発しうる。
# - LSTM のメモリセルは、忘却ゲートが開いていれば誤差をほぼそのまま過去へ運ぶ。
# - 打ち切り BPTT は系列を $t = 1$ から $k$ 時刻ずつのまとまりに区切り、誤差を境目で止める ($k$ ステップごとに状態を detach するのと同じ)。1 回の更新の時間とメモリは $T$ ではなく $k$ に比例し、$\rho(W) < 1$ なら失う勾配は $k$ とともに指数的に小さい。ただし $k$ 時刻より長い依存関係は学べない。
# - 勾配クリッピングは、すべての勾配を同じ係数 $\min(1, \theta / (\|\mathbf{g}\| + 10^{-6}))$ で縮めて、爆発した勾配による大きすぎる 1 歩を防ぐ。
#
# **やってみよう (採点対象外)**
#
# 1. 4 節の実験で、入力の大きさ (`X_e` の 2 列目以降) を 10 倍にすると、$\rho(W) = 3$ の曲線はどう変わるでしょうか。$\tanh$ の飽和から説明してください。
# 2. LSTM の $b_F$ を 1 にすると、メモリセルの誤差は何時刻くらいまで残るでしょうか。$\sigma(1)^k$ と比べてみましょう。
# 3. 5 節の実験で、$T = 120$ の約数でない $k$ (たとえば $k = 50$ や $k = 70$) も使うと、many-to-one の誤差の曲線はどうなるでしょうか。最後のまとまりの長さ $((T-1) \bmod k) + 1$ から説明してください。
# 4. 6 節の実験で、しきい値 $\theta$ や学習率を変えるとどうなるでしょうか。$\theta$ が小さすぎると何が困るでしょうか。
