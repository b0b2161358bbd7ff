# %% [markdown]
# # エコー状態ネットワーク (echo state network, ESN) でカオス時系列を予測する
#
# 講義では、リカレントニューラルネットワークの一種として **エコー状態ネットワーク (echo state network, ESN)** が紹介され、
# 長期依存性の問題の説明の最後に、次の一文がありました。
#
# > ちなみに「スペクトル半径を 1 付近にすることで挙動を安定させる」方針をとっている手法もある (ESN)
#
# ESN は、BPTT で重みを学習する代わりに、次のように割り切った RNN です。
#
# - 入力の重み $W^{\mathrm{in}}$ と再帰の重み $W$ は**乱数で作って固定**し、学習しない。この RNN 部分を**リザバー (reservoir, 貯水池)** と呼ぶ
# - $W$ は、スペクトル半径 $\rho(W)$ が 1 付近の決めた値になるように定数倍しておく
# - 学習するのは**出力層 (読み出し層, readout) $W^{\mathrm{out}}$ だけ**。出力層は線形なので、学習は**リッジ回帰 (ridge regression)**、
#   つまり連立一次方程式を 1 回解くだけで終わる (勾配降下法も BPTT も要らない)
#
# この課題では ESN を numpy / scipy で実装し、カオス的な時系列である **Mackey–Glass 方程式**の解を、
# 学習後は自分の出力だけを頼りに 100 ステップ先まで予測します。
#
# **この課題の目標**
#
# 1. $W$ をスペクトル半径 $\rho$ に合わせて定数倍する — `scale_to_spectral_radius`
# 2. 漏れ率 (leak rate) 付きのリザバーの 1 時刻分の更新を書く — `reservoir_step`
# 3. 系列全体のリザバー状態を求める — `reservoir_states`
# 4. 読み出し層をリッジ回帰で学習する — `ridge_readout`
# 5. 予測の良さを測る NRMSE (normalized root-mean-square error) を書く — `nrmse`
# 6. 出力を次の入力に戻して自律的に予測する (自律生成, free-running) — `generate`
# 7. 全部を組み合わせて、Mackey–Glass 系列の続きを予測する — `forecast` (予測誤差が基準以下なら合格)
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
# 講義の Elman ネットワーク ($\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}$, $\mathbf{z}_t = f(\mathbf{u}_t)$) と同じ記号を使い、
# 入力 $\mathbf{x}_t$ の先頭には常にバイアスの 1 を置きます ($X$ は $(T, d+1)$ で、1 列目はすべて 1)。初期状態は $\mathbf{z}_0 = \mathbf{0}$ です。
# ESN の文献 (Jaeger; Lukoševičius の "A practical guide to applying echo state networks") では入力を $\mathbf{u}(n)$、状態を $\mathbf{x}(n)$ と書くので、
# 読むときは文字の入れ替わりに注意してください。
#
# | 記号 | 意味 | コード | 形 |
# | --- | --- | --- | --- |
# | $\mathbf{x}_t$ | 時刻 $t$ の入力（先頭が 1） | `x`, `X[t-1]` | `(d+1,)` |
# | $\mathbf{z}_t$ | リザバーの状態 (reservoir state) | `z`, `Z[t-1]` | `(H,)` |
# | $W^{\mathrm{in}}$ | 入力の重み（乱数、固定） | `W_in` | `(H, d+1)` |
# | $W$ | リザバーの再帰の重み（乱数、固定） | `W` | `(H, H)` |
# | $a$ | 漏れ率 (leak rate), $0 < a \le 1$ | `a` | スカラー |
# | $W^{\mathrm{out}}$ | 読み出しの重み（学習する）、0 列目がバイアス | `W_out` | `(m, H+1)` |
# | $\hat{\mathbf{y}}_t$ | 出力 $W^{\mathrm{out}} [1; \mathbf{z}_t]$ | `Yhat[t-1]` | `(m,)` |
# | $\beta$ | リッジ回帰の正則化の強さ | `beta` | スカラー |
#
# $H$ はリザバーのユニット数 (数百程度にします)、$d$ は入力の次元、$m$ は出力の次元です。

# %% [markdown]
# ## 2. スペクトル半径に合わせる — `scale_to_spectral_radius`
#
# 講義 (長期依存性の問題) のとおり、行列 $W$ のスペクトル半径 (spectral radius) は固有値の絶対値の最大値です。
#
# $$\rho(W) = \max_i |\lambda_i(W)|$$
#
# $W$ を $c$ 倍すると固有値もすべて $c$ 倍になるので、$\rho(cW) = c\,\rho(W)$ です。したがって
#
# $$W' = \frac{\rho}{\rho(W)}\, W$$
#
# のスペクトル半径はちょうど $\rho$ になります。ESN では乱数で作った $W$ をこうして「1 付近」にそろえます。
#
# - $W$ は対称ではないので、固有値は `np.linalg.eigvals` で求めます (負の数や複素数にもなります)。
# - 引数の `W` を書き換えず、新しい配列を返してください (`W *= …` は呼び出し元の配列を書き換えます)。

# %% [solution] scale_to_spectral_radius

# %% [tests] scale_to_spectral_radius

# %% [markdown]
# ## 3. リザバーの更新 — `reservoir_step`, `reservoir_states`
#
# 講義の RNN の中間層 $\mathbf{z}_t = \tanh(W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1})$ に、**漏れ率 (leak rate)** $a$ を加えたものがリザバーの更新です
# (leaky-integrator ESN)。
#
# $$\mathbf{z}_t = (1 - a)\, \mathbf{z}_{t-1} + a \tanh\!\left(W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}\right)$$
#
# 前の状態を割合 $1 - a$ だけ残し、新しい値 $\tanh(\cdots)$ を割合 $a$ だけ混ぜます。$a = 1$ なら講義の RNN そのもので、
# $a$ が小さいほど状態はゆっくり変化します。ゆっくり変化する時系列には小さめの $a$ が合います。
#
# `reservoir_step` は 1 時刻分、`reservoir_states` は $\mathbf{z}_0 = \mathbf{0}$ から始めて系列全体の状態を求め、
# 行 $t-1$ に $\mathbf{z}_t$ を並べた $(T, H)$ の配列を返します ($\mathbf{z}_0$ は含めません)。

# %% [solution] reservoir_step

# %% [tests] reservoir_step

# %% [solution] reservoir_states

# %% [tests] reservoir_states

# %% [markdown]
# 次のセルの `random_reservoir` は用意してあります。$W^{\mathrm{in}}$ の成分を $[-s, s]$ ($s$ = `input_scale`, 入力のスケール) の一様乱数、
# $W$ の成分を $[-1, 1]$ の一様乱数で作り、あなたの `scale_to_spectral_radius` で $\rho(W) = \rho$ にそろえます。

# %% [setup] random_reservoir

# %% [markdown]
# ## 4. データ: Mackey–Glass 方程式
#
# **Mackey–Glass 方程式**は、血液中の細胞数のモデルとして提案された**遅れ (delay) のある微分方程式**です。
#
# $$\frac{dx}{dt} = \frac{0.2\, x(t - \tau)}{1 + x(t - \tau)^{10}} - 0.1\, x(t)$$
#
# 時刻 $t$ の変化が $\tau$ だけ前の値 $x(t - \tau)$ で決まります。$\tau = 17$ では解は周期的にならず、似た形を繰り返しながら
# 少しずつずれていく**カオス (chaos)** になります。わずかな誤差が時間とともに指数的に拡大するので、長く先まで予測するのは難しい系列です。
# ESN の性能を測る定番のデータです。
#
# 次のセルで、4 次の Runge–Kutta 法 (刻み $h = 0.1$) で数値積分し、時間 1 ごとに標本を取ります。
# $t \le 0$ では $x = 1.2$ とし、最初の 500 の時間 (初期値の影響が残る部分) は捨てます。
# 中間の時刻 $t + h/2$ の遅れた値 $x(t + h/2 - \tau)$ は、両隣の格子点の平均で近似します。

# %%
import time

import matplotlib.pyplot as plt

try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass


def mackey_glass_series(n, tau=17.0, h=0.1, x0=1.2, discard=500.0):
    """n samples (one per unit of time) of dx/dt = 0.2 x(t−τ) / (1 + x(t−τ)^10) − 0.1 x(t), by RK4."""
    lag, per_sample, skip = int(round(tau / h)), int(round(1.0 / h)), int(round(discard / h))
    steps = skip + (n - 1) * per_sample
    x = np.full(lag + steps + 1, x0)  # x[:lag + 1] is the constant history x(t) = x0, t ≤ 0

    def slope(now, delayed):
        return 0.2 * delayed / (1.0 + delayed ** 10) - 0.1 * now

    for i in range(lag, lag + steps):
        d0, d1 = x[i - lag], x[i - lag + 1]  # x(t − τ) and x(t + h − τ)
        k1 = slope(x[i], d0)
        k2 = slope(x[i] + 0.5 * h * k1, 0.5 * (d0 + d1))
        k3 = slope(x[i] + 0.5 * h * k2, 0.5 * (d0 + d1))
        k4 = slope(x[i] + h * k3, d1)
        x[i + 1] = x[i] + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
    return x[lag + skip::per_sample][:n]


start = time.perf_counter()
series = mackey_glass_series(2600)
print(f"{len(series)} samples in {time.perf_counter() - start:.2f} s, range [{series.min():.2f}, {series.max():.2f}]")

fig, ax = plt.subplots(figsize=(10, 2.8))
ax.plot(series[:600])
ax.set(xlabel="$t$", ylabel="$x(t)$", title=r"Mackey–Glass, $\tau = 17$ (first 600 samples)")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### 実験: エコー状態性 (echo state property)
#
# ESN の名前の由来です。リザバーの状態は、入力の**こだま (echo)** として決まっていてほしい。つまり、初期状態 $\mathbf{z}_0$ が違っても、
# 同じ入力を流し続ければ状態は同じものに近づいてほしい、ということです。これを**エコー状態性 (echo state property)** と呼びます。
#
# 同じ入力 (Mackey–Glass 系列) を、乱数で選んだ 2 つの初期状態から流し、2 つの状態の距離 $\|\mathbf{z}_t - \mathbf{z}'_t\|$ を描きます。
# 距離が十分小さくなる前の時刻の状態は初期状態の影響が残っているので、読み出し層の学習には使いません。
# この最初の部分を**ウォッシュアウト (washout)** と呼びます。$\rho(W)$ を大きくしすぎるとエコー状態性が失われ、距離が小さくなりません。

# %%
X_ms = np.column_stack([np.ones(300), series[:300]])  # x_t = [1; s_t]
fig, ax = plt.subplots(figsize=(7, 3.5))
for rho_e in [0.8, 1.25, 2.0, 4.0]:
    W_in_e, W_e = random_reservoir(1, 200, rho_e, 1.0, seed=0)
    pair = np.random.default_rng(1).uniform(-1, 1, (2, 200))  # two different z_0
    gaps = []
    for x_t in X_ms:
        pair = np.stack([reservoir_step(x_t, z_prev, W_in_e, W_e, 0.3) for z_prev in pair])
        gaps.append(np.linalg.norm(pair[0] - pair[1]))
    ax.semilogy(np.arange(1, 301), gaps, label=rf"$\rho(W)$ = {rho_e}")
ax.set(xlabel="$t$", ylabel=r"$\|\mathbf{z}_t - \mathbf{z}'_t\|$", title="same input, two initial states ($H = 200$, $a = 0.3$)")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 5. 読み出し層の学習: リッジ回帰 — `ridge_readout`
#
# 出力 $\hat{\mathbf{y}}_t = W^{\mathrm{out}} [1; \mathbf{z}_t]$ は状態の線形関数なので、二乗誤差
#
# $$E = \sum_{t > \text{washout}} \left\| \mathbf{y}_t - W^{\mathrm{out}} [1; \mathbf{z}_t] \right\|^2 + \beta \left\| W^{\mathrm{out}} \right\|^2$$
#
# を最小にする $W^{\mathrm{out}}$ は式で求まります (第 2 項は重みが大きくなりすぎるのを防ぐ L2 正則化, $\beta > 0$)。
# ウォッシュアウト後の時刻について $[1; \mathbf{z}_t]^\top$ を行に並べた行列を $\Phi$ $(n, H+1)$、$\mathbf{y}_t^\top$ を行に並べた行列を $Y$ $(n, m)$ とすると、
# $\partial E / \partial W^{\mathrm{out}} = 0$ から
#
# $$\left(\Phi^\top \Phi + \beta I\right) W^{\mathrm{out}\top} = \Phi^\top Y
# \qquad\Longrightarrow\qquad
# W^{\mathrm{out}\top} = \left(\Phi^\top \Phi + \beta I\right)^{-1} \Phi^\top Y$$
#
# です ($I$ は $(H+1) \times (H+1)$ の単位行列)。$\beta$ はバイアスの列も含めたすべての列に掛けます。
#
# - 逆行列を作らずに、連立一次方程式として `scipy.linalg.solve` で解いてください (速く、数値的にも安定です)。
#   $\Phi^\top \Phi + \beta I$ は対称正定値なので `assume_a="pos"` を指定できます。
# - 最初の `washout` 行は使いません。返すのは $W^{\mathrm{out}}$ $(m, H+1)$ で、解いた $(H+1, m)$ の行列の転置です。

# %% [solution] ridge_readout

# %% [tests] ridge_readout

# %% [markdown]
# ## 6. 予測の良さ — `nrmse`
#
# 予測の誤差は、目標値のばらつきで割った **NRMSE (normalized root-mean-square error, 正規化した二乗平均平方根誤差)** で測ります。
#
# $$\mathrm{NRMSE} = \sqrt{\frac{\sum_t \|\hat{\mathbf{y}}_t - \mathbf{y}_t\|^2}{\sum_t \|\mathbf{y}_t - \bar{\mathbf{y}}\|^2}}, \qquad \bar{\mathbf{y}} = \frac{1}{T} \sum_t \mathbf{y}_t$$
#
# 完全な予測なら 0、いつも平均 $\bar{\mathbf{y}}$ を答えるだけの予測なら 1 です。系列の大きさによらずに比べられます。
# $\bar{\mathbf{y}}$ は出力ごとの時間平均 (`Y.mean(axis=0)`) です。戻り値は `float` にしてください。

# %% [solution] nrmse

# %% [tests] nrmse

# %% [markdown]
# ### 実験: 1 ステップ先の予測 (教師強制, teacher forcing)
#
# 系列 $s_1, s_2, \dots$ の「次の値」を予測するように学習します。時刻 $t$ の入力は $\mathbf{x}_t = [1; s_t]$、目標は $y_t = s_{t+1}$ です。
# 入力には常に**本物の**系列を使うので、これを**教師強制 (teacher forcing)** と呼びます。
# 最初の 2000 標本で学習し、続く 200 標本で 1 ステップ先の予測を確かめます (リザバーは学習しないので、学習は `ridge_readout` 1 回だけです)。

# %%
T_train = 2000
H_res, rho_res, a_res, scale_res, beta_res, washout_res = 200, 1.25, 0.3, 1.0, 1e-8, 100
W_in_res, W_res = random_reservoir(1, H_res, rho_res, scale_res, seed=0)

start = time.perf_counter()
X_all = np.column_stack([np.ones(T_train + 200), series[:T_train + 200]])
Z_all = reservoir_states(X_all, W_in_res, W_res, a_res)  # teacher forcing: the true s_t as every input
targets = series[1:T_train + 201, None]  # y_t = s_{t+1}
W_out_res = ridge_readout(Z_all[:T_train - 1], targets[:T_train - 1], beta_res, washout_res)
one_step = Z_all @ W_out_res[:, 1:].T + W_out_res[:, 0]
print(f"trained in {time.perf_counter() - start:.2f} s")
print(f"one-step NRMSE: training {nrmse(one_step[washout_res:T_train - 1], targets[washout_res:T_train - 1]):.1e}, "
      f"test {nrmse(one_step[T_train:], targets[T_train:]):.1e}")

# %% [markdown]
# 1 ステップ先なら誤差はとても小さくなります。しかし、本当に知りたいのは「本物の続きが手に入らないとき」にどこまで予測できるかです。

# %% [markdown]
# ## 7. 自律生成 (free-running prediction) — `generate`
#
# 学習が終わったら、本物の入力の代わりに**自分の出力を次の入力に戻して**予測を続けます (closed loop, 閉ループ)。
# 最後の本物の値を読んだ状態 $\mathbf{z}$ から始めて
#
# $$\hat{\mathbf{y}}_1 = W^{\mathrm{out}} [1; \mathbf{z}], \qquad
# \text{for } k = 2, \dots, K:\quad
# \mathbf{z} \leftarrow (1 - a)\, \mathbf{z} + a \tanh\!\left(W^{\mathrm{in}} [1; \hat{\mathbf{y}}_{k-1}] + W \mathbf{z}\right), \quad
# \hat{\mathbf{y}}_k = W^{\mathrm{out}} [1; \mathbf{z}]$$
#
# です。入力が自分の出力なので、入力の次元 $d$ と出力の次元 $m$ は同じです。`generate` は $\hat{\mathbf{y}}_1, \dots, \hat{\mathbf{y}}_K$ を行に並べた $(K, m)$ の配列を返します。
# 予測の誤差も入力に戻るので、誤差は積み重なっていきます。

# %% [solution] generate

# %% [tests] generate

# %% [markdown]
# ## 8. 全部を組み合わせる — `forecast`
#
# 既知の系列 $s_1, \dots, s_T$ だけを受け取り、続きの $\hat{s}_{T+1}, \dots, \hat{s}_{T+K}$ を返す関数を書きます。
#
# 1. リザバーを作る (`random_reservoir`; 乱数の seed は固定してかまいません)
# 2. 教師強制で状態を求める: 入力 $\mathbf{x}_t = [1; s_t]$ ($t = 1, \dots, T$)
# 3. 目標 $y_t = s_{t+1}$ で読み出し層を学習する。最後の状態 $\mathbf{z}_T$ には目標 $s_{T+1}$ がないので、学習には使わない
# 4. $s_T$ まで読んだ状態 $\mathbf{z}_T$ から `generate` で $K$ ステップ予測する ($\hat{\mathbf{y}}_1 = W^{\mathrm{out}}[1; \mathbf{z}_T]$ が $\hat{s}_{T+1}$)
#
# **ハイパーパラメータはあなたが選びます**: ユニット数 $H$、スペクトル半径 $\rho$、漏れ率 $a$、入力のスケール、$\beta$、ウォッシュアウトの長さ。
# 採点では、Mackey–Glass 系列 ($\tau = 17$) の $T = 2000$ 標本を渡し、続く $K = 100$ ステップの予測の NRMSE が **0.1 以下**なら合格です
# (値が参照解と一致する必要はありません)。採点は 1 回の呼び出しにつき数秒で打ち切るので、1 秒程度で終わるようにしてください
# (目安: $H = 200$ なら 0.1 秒程度)。戻り値は 1 次元の配列 $(K,)$ です。

# %% [solution] forecast

# %% [tests] forecast

# %%
K_pred = 300
start = time.perf_counter()
s_hat = forecast(series[:T_train], K_pred)
truth = series[T_train:T_train + K_pred]
print(f"forecast of {K_pred} steps in {time.perf_counter() - start:.2f} s; "
      f"NRMSE over the first 100 steps {nrmse(s_hat[:100, None], truth[:100, None]):.3f}, "
      f"over all {K_pred} {nrmse(s_hat[:, None], truth[:, None]):.3f}")

t_axis = np.arange(T_train + 1, T_train + K_pred + 1)
fig, axes = plt.subplots(2, 1, figsize=(10, 5), sharex=True)
axes[0].plot(np.arange(T_train - 150, T_train + 1), series[T_train - 151:T_train], color="gray", label="known series")
axes[0].plot(t_axis, truth, color="k", label="true continuation")
axes[0].plot(t_axis, s_hat, "--", color="C3", label="ESN, free-running")
axes[0].axvline(T_train + 100, color="gray", ls=":")
axes[0].set(ylabel="$x(t)$", title="forecast after the last known sample $t = T$")
axes[0].legend(fontsize=8, loc="best")
axes[1].semilogy(t_axis, np.abs(s_hat - truth) + 1e-12, color="C3")
axes[1].set(xlabel="$t$", ylabel="$|$error$|$")
plt.tight_layout()
plt.show()

# %% [markdown]
# 誤差は予測の先へ行くほど (だいたい指数的に) 大きくなります。カオスでは小さな誤差が時間とともに拡大するからです。
# それでも、学習は連立一次方程式を 1 回解いただけで、数周期先まで系列の形を再現できています。
#
# ### 実験: ハイパーパラメータの影響
#
# スペクトル半径 $\rho$ と漏れ率 $a$ を変えて、100 ステップの自律生成の NRMSE を比べます (他の値は上と同じ)。
# 乱数によるばらつきを抑えるため、リザバーの seed を 2 通り変えて平均を描きます (数秒かかります)。

# %%
def free_run_error(rho, a, seed, K=100):
    """NRMSE of K free-running steps after training on series[:T_train], for one reservoir."""
    W_in_h, W_h = random_reservoir(1, H_res, rho, scale_res, seed=seed)
    states = reservoir_states(np.column_stack([np.ones(T_train), series[:T_train]]), W_in_h, W_h, a)
    W_out_h = ridge_readout(states[:-1], series[1:T_train, None], beta_res, washout_res)
    pred = generate(states[-1], W_in_h, W_h, W_out_h, a, K)
    return nrmse(pred, series[T_train:T_train + K, None])


start = time.perf_counter()
rhos = [0.5, 0.8, 1.0, 1.25, 1.5, 2.0]
fig, ax = plt.subplots(figsize=(7, 4))
for a_h in [0.1, 0.3, 1.0]:
    errors = [np.mean([free_run_error(r, a_h, seed) for seed in range(2)]) for r in rhos]
    ax.semilogy(rhos, errors, "o-", label=f"leak rate $a$ = {a_h}")
ax.axhline(0.1, color="gray", ls=":", label="pass mark 0.1")
ax.set(xlabel=r"spectral radius $\rho(W)$", ylabel="NRMSE of 100 free-running steps (mean of 2)",
       title=rf"$H$ = {H_res}, $\beta$ = {beta_res:g}")
ax.legend()
plt.tight_layout()
plt.show()
print(f"{len(rhos) * 3 * 2} reservoirs in {time.perf_counter() - start:.1f} s")

# %% [markdown]
# ## 9. 考察
#
# - ESN で学習するのは読み出し層だけで、学習はリッジ回帰 (連立一次方程式 1 回) で終わります。BPTT で $W$ まで学習する RNN と比べて
#   ずっと速く、勾配消失も勾配爆発も起こりません (そもそも再帰の重みを勾配で動かさないからです)。
# - その代わり、リザバーが入力の「こだま」として豊かな状態を作ってくれることに頼っています。
#   $\rho(W)$ が小さすぎると過去をすぐ忘れ (状態の違いがすぐ消える)、大きすぎるとエコー状態性が失われて初期値や雑音に振り回されます。
#   講義の「スペクトル半径を 1 付近にすることで挙動を安定させる」は、この兼ね合いのことです。
#   漏れ率 $a < 1$ では、1 時刻の更新で前の状態が $(1-a)$ 倍で残り、$W$ の効果は $a$ 倍に薄まります。線形化した更新の行列は
#   $(1-a) I + a W$ で、そのスペクトル半径は高々 $(1-a) + a\rho$ です。さらに入力が $\tanh$ を飽和させる分だけ状態の差は縮むので、
#   上の実験のように $\rho$ が 1 を少し超えてもエコー状態性が保たれることがあります。
# - 1 ステップ先の予測 (教師強制) の誤差と、自律生成の誤差は大きく違います。自律生成では予測の誤差が入力に戻って積み重なるからです。
#
# **やってみよう（採点対象外）**
#
# 1. `beta_res` を $10^{-4}$ や $10^{-12}$ に変えると、1 ステップ先の予測と自律生成の誤差はそれぞれどう変わるでしょうか。
# 2. ユニット数 $H$ を 50 や 400 にすると、予測できる長さと計算時間はどう変わるでしょうか。
# 3. $\tau = 30$ の Mackey–Glass 系列 (よりカオス的) では、どこまで予測できるでしょうか。
# 4. 読み出し層の入力を $[1; \mathbf{z}_t]$ から $[1; \mathbf{x}_t; \mathbf{z}_t]$ (入力も直接使う) に変えると、予測は良くなるでしょうか。
