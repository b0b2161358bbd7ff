# %% [markdown]
# # Jordan ネットワーク (Jordan network): 出力を戻す RNN
#
# 講義 (seed 004 §6.2.1) では、リカレントニューラルネットワーク (RNN) の例として
#
# > Elman ネットワーク / **Jordan ネットワーク** / 時間遅れネットワーク / エコー状態ネットワーク
#
# が挙げられていました。別の講義 (seed 000「RNNとは？」) は RNN を「ある入力を与えた時の**中間層・出力層**のユニットの値が，
# 次の入力を与えた時の中間層に戻る」ネットワークと説明しています。これまで実装してきた Elman ネットワークは
# **中間層** $\mathbf{z}_{t-1}$ を戻す RNN でした。**Jordan ネットワーク**は、代わりに**出力層** $\hat{\mathbf{y}}_{t-1}$ を中間層に戻します。
#
# $$\text{Elman:}\quad \mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}
# \qquad\qquad
# \text{Jordan:}\quad \mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W^{y} \hat{\mathbf{y}}_{t-1}$$
#
# 違いは 1 か所だけですが、逆伝播 (BPTT) で誤差が過去へ流れる道筋が変わり、ネットワークが「覚えておける」ものも変わります。
#
# **この課題の目標**
#
# 1. 出力を戻す順伝播を書く — `forward`
# 2. 誤差関数を書く — `loss`
# 3. 出力の帰還路を通る BPTT を自分で導き、$\boldsymbol{\delta}^{\mathrm{out}}_t$ と $\boldsymbol{\delta}_t$ を計算する — `deltas`
# 4. 3 つの重みの勾配を行列積で書く — `gradients`
# 5. 出力を戻すだけで足りる課題と足りない課題で、Jordan ネットワークと Elman ネットワークを比べる
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
# 講義 (seed 001) の記号をそのまま使います。入力 $\mathbf{x}_t$ の先頭には常にバイアスの 1 を置き ($X$ は $(T, d+1)$ で 1 列目はすべて 1)、
# 出力層も $[1; \mathbf{z}_t]$ を読みます。活性化関数は $f = \tanh$、この課題は**回帰 (regression)** だけを扱うので $g$ は恒等関数で
# $\hat{\mathbf{y}}_t = \mathbf{v}_t$、誤差関数は二乗誤差 $E = \sum_t E_t = \frac{1}{2} \sum_t \|\hat{\mathbf{y}}_t - \mathbf{y}_t\|^2$ です。
#
# | 記号 | 意味 | コード | 形 |
# | --- | --- | --- | --- |
# | $\mathbf{x}_t$ | 時刻 $t$ の入力（先頭が 1） | `X[t-1]` | `(d+1,)` |
# | $\mathbf{u}_t, \mathbf{z}_t$ | 中間層への入力と中間層の出力 | `U[t-1]`, `Z[t-1]` | `(H,)` |
# | $\hat{\mathbf{y}}_t, \mathbf{y}_t$ | 出力と目標値 ($\hat{\mathbf{y}}_0 = \mathbf{0}$) | `Yhat[t-1]`, `Y[t-1]` | `(m,)` |
# | $W^{\mathrm{in}}$ | 入力 → 中間層（0 列目がバイアス） | `W_in` | `(H, d+1)` |
# | $W^{y}$ | **出力 → 中間層（帰還路, feedback）** | `W_y` | `(H, m)` |
# | $W^{\mathrm{out}}$ | 中間層 → 出力（0 列目がバイアス） | `W_out` | `(m, H+1)` |
# | $\tilde{W}^{\mathrm{out}}$ | $W^{\mathrm{out}}$ からバイアスの列を除いたもの | `W_out[:, 1:]` | `(m, H)` |
# | $D$ | $\boldsymbol{\delta}_t = \partial E / \partial \mathbf{u}_t$ を**列**に並べた行列 | `D` | `(H, T)` |
# | $D^{\mathrm{out}}$ | $\boldsymbol{\delta}^{\mathrm{out}}_t = \partial E / \partial \mathbf{v}_t$ を**列**に並べた行列 | `D_out` | `(m, T)` |
#
# $H$ は中間層のユニット数、$d$ は入力の次元、$m$ は出力の次元です。Elman ネットワークの $W$ が $(H, H)$ だったのに対し、
# $W^{y}$ は $m$ 次元の出力を $H$ 次元の中間層へ送るので $(H, m)$ です。

# %% [markdown]
# ## 2. 順伝播 — `forward`
#
# $\hat{\mathbf{y}}_0 = \mathbf{0}$ から始めて、$t = 1, \dots, T$ の順に
#
# $$\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W^{y} \hat{\mathbf{y}}_{t-1}, \qquad \mathbf{z}_t = \tanh(\mathbf{u}_t), \qquad
# \hat{\mathbf{y}}_t = \mathbf{v}_t = W^{\mathrm{out}} \begin{pmatrix} 1 \\ \mathbf{z}_t \end{pmatrix}$$
#
# を計算します。Elman ネットワークでは出力層を (ループの外で) 最後にまとめて計算できましたが、ここではできません。
# 時刻 $t+1$ の中間層が $\hat{\mathbf{y}}_t$ を必要とするので、**$\hat{\mathbf{y}}_t$ はループの中で、次の時刻へ進む前に**計算します。
#
# 返すのは $U$, $Z$（行 $t-1$ が $\mathbf{u}_t$, $\mathbf{z}_t$、形 $(T, H)$）と $\hat{Y}$（行 $t-1$ が $\hat{\mathbf{y}}_t$、形 $(T, m)$、$\hat{\mathbf{y}}_0$ は含めない）です。

# %% [solution] forward

# %% [tests] forward

# %% [markdown]
# ## 3. 誤差関数 — `loss`
#
# $$E = \sum_{t=1}^{T} E_t, \qquad E_t = \frac{1}{2} \|\mathbf{y}_t - \hat{\mathbf{y}}_t\|^2$$
#
# 講義の回帰の誤差関数と同じです（平均ではなく和です）。

# %% [solution] loss

# %% [tests] loss

# %% [markdown]
# ## 4. 出力の帰還路を通る BPTT — `deltas`
#
# 講義 (seed 001「誤差逆伝播」) と同じく、2 つの量を定義します。
#
# $$\boldsymbol{\delta}_t = \frac{\partial E}{\partial \mathbf{u}_t}, \qquad \boldsymbol{\delta}^{\mathrm{out}}_t = \frac{\partial E}{\partial \mathbf{v}_t}$$
#
# Elman ネットワークでは $\boldsymbol{\delta}^{\mathrm{out}}_t = g(\mathbf{v}_t) - \mathbf{y}_t$ でした。$\mathbf{v}_t$ が $E$ に効くのは $E_t$ を通してだけだったからです。
# Jordan ネットワークでは違います。**どの変数が、どの変数に使われているか**を順伝播の式から読み取ると:
#
# - $\mathbf{u}_t$ は $\mathbf{z}_t$ だけに使われ、$\mathbf{z}_t$ は $\mathbf{v}_t$ だけに使われる（Elman と違い、$\mathbf{z}_t$ は次の時刻へ行かない）
# - $\mathbf{v}_t = \hat{\mathbf{y}}_t$ は**2 か所**で使われる: 誤差 $E_t$ と、次の時刻の $\mathbf{u}_{t+1} = W^{\mathrm{in}} \mathbf{x}_{t+1} + W^{y} \hat{\mathbf{y}}_t$
#
# 連鎖律 (chain rule) で、使われている先からの寄与を足し合わせます。
#
# $$\boldsymbol{\delta}^{\mathrm{out}}_t
# = \frac{\partial E_t}{\partial \hat{\mathbf{y}}_t} + \left(\frac{\partial \mathbf{u}_{t+1}}{\partial \hat{\mathbf{y}}_t}\right)^{\!\top} \frac{\partial E}{\partial \mathbf{u}_{t+1}}
# = (\hat{\mathbf{y}}_t - \mathbf{y}_t) + W^{y\top} \boldsymbol{\delta}_{t+1}$$
#
# $$\boldsymbol{\delta}_t
# = \left(\frac{\partial \mathbf{v}_t}{\partial \mathbf{u}_t}\right)^{\!\top} \boldsymbol{\delta}^{\mathrm{out}}_t
# = \left(\tilde{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}_t\right) \odot f'(\mathbf{u}_t),
# \qquad f'(\mathbf{u}) = 1 - \tanh^2(\mathbf{u})$$
#
# 最後の時刻 $T$ の出力はどこにも戻らないので $\boldsymbol{\delta}_{T+1} = \mathbf{0}$ とし、$t = T, T-1, \dots, 1$ の順に
# 「$\boldsymbol{\delta}^{\mathrm{out}}_t$ を求める → $\boldsymbol{\delta}_t$ を求める」を繰り返します。
# バイアスの列は $\mathbf{z}_t$ に掛かっていないので、誤差を返すのは $\tilde{W}^{\mathrm{out}}$ (`W_out[:, 1:]`) です。
#
# 講義の Elman ネットワークの漸化式と並べると、違いがよく分かります。
#
# $$\text{Elman:}\quad \boldsymbol{\delta}_t = \bigl(W^\top \boldsymbol{\delta}_{t+1} + \tilde{W}^{\mathrm{out}\top} (\hat{\mathbf{y}}_t - \mathbf{y}_t)\bigr) \odot f'(\mathbf{u}_t)
# \qquad
# \text{Jordan:}\quad \boldsymbol{\delta}_t = \Bigl(\tilde{W}^{\mathrm{out}\top} \bigl(W^{y\top} \boldsymbol{\delta}_{t+1} + \hat{\mathbf{y}}_t - \mathbf{y}_t\bigr)\Bigr) \odot f'(\mathbf{u}_t)$$
#
# Jordan ネットワークでは、未来からの誤差 $\boldsymbol{\delta}_{t+1}$ がいったん $m$ 次元の出力 $\hat{\mathbf{y}}_t$ まで戻り、
# そこで時刻 $t$ 自身の誤差 $\hat{\mathbf{y}}_t - \mathbf{y}_t$ と合流してから、$\tilde{W}^{\mathrm{out}}$ を通って中間層へ降りてきます。
#
# `deltas` は $(D^{\mathrm{out}}, D)$ の組を返します。$D^{\mathrm{out}}$ は $\boldsymbol{\delta}^{\mathrm{out}}_t$ を列に並べた $(m, T)$、
# $D$ は $\boldsymbol{\delta}_t$ を列に並べた $(H, T)$ の行列です。

# %% [solution] deltas

# %% [tests] deltas

# %% [markdown]
# ## 5. 重みの勾配 — `gradients`
#
# 各重みが順伝播のどこで使われたかを見れば、講義の $DX$, $D\tilde{Z}$, $(g(V) - Y)Z$ と同じ形になります。
#
# - $W^{\mathrm{in}}$ は $\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + \cdots$ で使われる:
#   $\displaystyle \frac{\partial E}{\partial W^{\mathrm{in}}} = \sum_t \boldsymbol{\delta}_t \mathbf{x}_t^\top = D X$
# - $W^{y}$ は $\mathbf{u}_t = \cdots + W^{y} \hat{\mathbf{y}}_{t-1}$ で使われる:
#   $\displaystyle \frac{\partial E}{\partial W^{y}} = \sum_t \boldsymbol{\delta}_t \hat{\mathbf{y}}_{t-1}^\top = D \tilde{\hat{Y}}$、
#   ただし $\tilde{\hat{Y}} = (\hat{\mathbf{y}}_0, \hat{\mathbf{y}}_1, \dots, \hat{\mathbf{y}}_{T-1})^\top$ ($\hat{\mathbf{y}}_0 = \mathbf{0}$)。
#   Elman ネットワークの $\tilde{Z} = (\mathbf{z}_0, \dots, \mathbf{z}_{T-1})^\top$ と同じく、$\hat{Y}$ の行を 1 つ下にずらしたもの
# - $W^{\mathrm{out}}$ は $\mathbf{v}_t = W^{\mathrm{out}} [1; \mathbf{z}_t]$ で使われる:
#   $\displaystyle \frac{\partial E}{\partial W^{\mathrm{out}}} = \sum_t \boldsymbol{\delta}^{\mathrm{out}}_t [1; \mathbf{z}_t]^\top = D^{\mathrm{out}} \, [\mathbf{1} \; Z]$。
#   Elman ネットワークの $(g(V) - Y)Z$ の $g(V) - Y$ が、帰還路からの誤差も含む $D^{\mathrm{out}}$ に置き換わります
#
# 返すのは、キー `"W_in"`, `"W_y"`, `"W_out"` を持つ辞書です。

# %% [solution] gradients

# %% [tests] gradients

# %% [markdown]
# ### 自分でも確かめよう: 数値微分 (gradient check)
#
# （採点されません。）各重み $w$ を $\pm\varepsilon$ だけ動かした中心差分 $\bigl(E(w+\varepsilon) - E(w-\varepsilon)\bigr) / 2\varepsilon$ と、
# あなたの `deltas` と `gradients` から求めた勾配を比べます。相対誤差が $10^{-7}$ 程度以下なら正しいでしょう。
# 最後に、次の実験で使う参照実装 `rnnref.jordan` の勾配とも比べておきます（実験では、速さのために系列をまとめて計算する `rnnref` を使います）。

# %%
try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

from rnnref.jordan import jordan_bptt

rng_check = np.random.default_rng(0)
T_c, d_c, H_c, m_c = 6, 2, 4, 3
X_c = np.hstack([np.ones((T_c, 1)), rng_check.standard_normal((T_c, d_c))])
P_c = {"W_in": 0.5 * rng_check.standard_normal((H_c, d_c + 1)), "W_y": 0.5 * rng_check.standard_normal((H_c, m_c)),
       "W_out": 0.5 * rng_check.standard_normal((m_c, H_c + 1))}
Y_c = rng_check.standard_normal((T_c, m_c))


def loss_c():
    return loss(forward(X_c, P_c["W_in"], P_c["W_y"], P_c["W_out"])[2], Y_c)


U_c, Z_c, Yhat_c = forward(X_c, P_c["W_in"], P_c["W_y"], P_c["W_out"])
D_out_c, D_c = deltas(U_c, Yhat_c, Y_c, P_c["W_y"], P_c["W_out"])
grads_c = gradients(X_c, Yhat_c, Z_c, D_out_c, D_c)
reference_c = jordan_bptt(X_c[None], Y_c[None], P_c).grads
step_c = 1e-6
for key in ("W_in", "W_y", "W_out"):
    numeric = np.zeros_like(P_c[key])
    for idx in np.ndindex(P_c[key].shape):
        old = P_c[key][idx]
        P_c[key][idx] = old + step_c
        e_plus = loss_c()
        P_c[key][idx] = old - step_c
        e_minus = loss_c()
        P_c[key][idx] = old
        numeric[idx] = (e_plus - e_minus) / (2 * step_c)
    rel = np.abs(numeric - grads_c[key]).max() / (np.abs(numeric).max() + 1e-12)
    ref = np.abs(reference_c[key] - grads_c[key]).max() / np.abs(reference_c[key]).max()
    print(f"{key:6s} relative error: central differences {rel:.1e}, rnnref {ref:.1e}")

# %% [markdown]
# ## 6. 実験: 出力を戻すだけで足りるとき、足りないとき
#
# ここからは採点されません。Jordan ネットワークが過去から持ち越せるのは、**自分が出した答え** $\hat{\mathbf{y}}_{t-1}$ だけです。
# これで足りる課題と足りない課題を 1 つずつ用意し、同じ $H$・同じデータ・同じ Adam で次の 3 つを学習させて比べます。
#
# 1. **Jordan ネットワーク**（出力を戻す）: `rnnref.jordan`（あなたの実装と同じ計算を、系列をまとめて行うもの）
# 2. **Elman ネットワーク**（中間層を戻す）: `rnnref` の BPTT
# 3. **帰還路なし**（順伝播型, feed-forward）: Jordan ネットワークで $W^{y} = 0$ に固定したもの。過去をまったく覚えられない基準線
#
# 入力はどちらの課題も平均 0、分散 1 の白色雑音 (white noise) $x_1, \dots, x_T$ ($d = 1$, $m = 1$, $T = 30$) です。
#
# - **(a) 指数平滑 (exponential smoothing)**: $y_t = \lambda y_{t-1} + (1 - \lambda) x_t$（$\lambda = 0.8$, $y_0 = 0$）。
#   雑音をならした、滑らかな信号を出力する課題です。$y_t$ は過去の入力すべてに依存しますが、必要な記憶は**ちょうど 1 時刻前の答え** $y_{t-1}$ です。
#   Jordan ネットワークは $\hat{y}_{t-1} \approx y_{t-1}$ を受け取るので、$\hat{y}_t = \lambda \hat{y}_{t-1} + (1-\lambda) x_t$ を計算すればよいはずです。
# - **(b) 遅延 (delay)**: $y_t = x_{t-2}$（$t \le 2$ では 0）。2 時刻前の入力をそのまま出力する課題です。
#   必要なのは $x_{t-1}$ と $x_{t-2}$ の 2 つの記憶ですが、戻ってくる答え $\hat{y}_{t-1} \approx x_{t-3}$ はどちらでもありません。
#   出力は「いまの答え」でなければならないので、「次に使う値」を出力に隠しておくこともできません。
#
# 学習の進み具合は、**正規化二乗誤差** $\sum_t (\hat{y}_t - y_t)^2 / \sum_t y_t^2$ で測ります（常に 0 と答えると 1）。
# 1 回の更新ごとに新しい 32 系列を作るので、学習中の誤差がそのまま未知のデータに対する誤差の目安になります。

# %%
import time

import matplotlib.pyplot as plt

from rnnref import add_bias, bptt, elman_forward, init_params
from rnnref.jordan import init_jordan_params, jordan_bptt, jordan_forward
from rnnref.optim import adam

T, B, ITERS, H, LR = 30, 32, 400, 8, 0.02
LAMBDA, DELAY = 0.8, 2
TASKS = {"smooth": r"(a) smoothing $y_t = 0.8\,y_{t-1} + 0.2\,x_t$", "delay": r"(b) delay $y_t = x_{t-2}$"}
MODELS = ("Jordan", "Elman", "no feedback")


def make_batch(rng, n, task):
    """n white-noise sequences: X (n, T, 2) with the bias column, targets Y (n, T, 1)."""
    x = rng.standard_normal((n, T))
    y = np.zeros((n, T))
    if task == "smooth":
        for step in range(T):  # y_0 = 0
            y[:, step] = LAMBDA * (y[:, step - 1] if step else 0.0) + (1 - LAMBDA) * x[:, step]
    else:
        y[:, DELAY:] = x[:, :-DELAY]
    return add_bias(x[..., None]), y[..., None]


def train(model, task, seed=0):
    """ITERS Adam steps on fresh batches; returns the normalised squared error of each batch and the parameters."""
    rng = np.random.default_rng([seed, list(TASKS).index(task)])  # the same data stream for every model of a task
    P = init_params(1, H, 1, seed=seed) if model == "Elman" else init_jordan_params(1, H, 1, seed=seed)
    if model == "no feedback":
        P["W_y"] = np.zeros_like(P["W_y"])
    state, errors = None, []
    for _ in range(ITERS):
        X, Y = make_batch(rng, B, task)
        res = bptt(X, Y, P) if model == "Elman" else jordan_bptt(X, Y, P)
        errors.append(2 * res.E / np.sum(Y ** 2))
        grads = {k: g / B for k, g in res.grads.items()}
        if model == "no feedback":
            grads["W_y"] = np.zeros_like(grads["W_y"])  # W_y stays 0: no way back from the output
        P, state = adam(P, grads, state, lr=LR)
    return np.array(errors), P


start = time.perf_counter()
results = {(task, model): train(model, task) for task in TASKS for model in MODELS}
print(f"6 models trained in {time.perf_counter() - start:.1f} s")
for task in TASKS:
    print(task, "  ".join(f"{model}: {results[task, model][0][-50:].mean():.3f}" for model in MODELS))

# %%
def moving_average(a, w=20):
    return np.convolve(a, np.ones(w) / w, mode="valid")


iters = np.arange(1, ITERS + 1)
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, (task, title) in zip(axes, TASKS.items()):
    for model, style in zip(MODELS, ("-", "--", ":")):
        ax.semilogy(iters[19:], moving_average(results[task, model][0]), style, label=model)
    ax.set(title=title, xlabel=f"iteration ({B} new sequences each)")
axes[0].set_ylabel("normalised squared error (moving avg. 20)")
axes[0].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# 学習した 3 つのネットワークに新しいテスト系列を 1 本ずつ読ませ、出力を目標値と重ねて描きます。

# %%
fig, axes = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True)
steps = np.arange(1, T + 1)
for ax, (task, title) in zip(axes, TASKS.items()):
    X_test, Y_test = make_batch(np.random.default_rng(7), 1, task)
    ax.plot(steps, X_test[0, :, 1], color="lightgray", label="input $x_t$")
    ax.plot(steps, Y_test[0, :, 0], "k", lw=2, label="target $y_t$")
    for model, style in zip(MODELS, ("-", "--", ":")):
        P = results[task, model][1]
        out = elman_forward(X_test, P)[0] if model == "Elman" else jordan_forward(X_test, P)[0]
        ax.plot(steps, out[0, :, 0], style, label=model)
    ax.set(title=title, ylabel="value")
axes[0].legend(ncol=5, fontsize=8, loc="upper left")
axes[1].set_xlabel("$t$")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 7. 考察
#
# - **(a) 指数平滑**では、Jordan ネットワークも Elman ネットワークも誤差がほぼ 0 まで下がり、帰還路のないネットワークは大きな誤差で止まります。
#   過去の情報は必要ですが、必要なのが「1 時刻前の答え」だけなので、出力を戻す Jordan ネットワークで足ります。
# - **(b) 遅延**では、Elman ネットワークの誤差はほぼ 0 まで下がりますが、Jordan ネットワークの誤差は 0.85 前後からほとんど下がりません。
#   Elman ネットワークは $H$ 次元の中間層に $x_{t-1}, x_{t-2}$ を**答えとは別に**しまっておけます。
#   Jordan ネットワークが持ち越せるのは $m = 1$ 次元の答え $\hat{y}_{t-1}$ だけで、それは「いまの答え」$x_{t-3}$ でなければならないので、
#   $x_{t-2}$ を覚えておく場所がありません。帰還路のないネットワーク (誤差 1) より少しだけ良いのは、答えをわざと少しずらして
#   (2 つ目の図の (b) に見えるギザギザ)、その「ずれ」に過去の入力をわずかに載せているからです。答えを悪くした分しか運べないので、学習を長くしても越えられない壁です。
# - 式で見ると、$\hat{\mathbf{y}}_{t-1} = \tilde{W}^{\mathrm{out}} \mathbf{z}_{t-1} + \mathbf{b}$ なので Jordan ネットワークは
#   $\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + (W^{y} \tilde{W}^{\mathrm{out}}) \mathbf{z}_{t-1} + W^{y} \mathbf{b}$ となり、
#   **再帰の重みが $W = W^{y} \tilde{W}^{\mathrm{out}}$（階数が高々 $m$）に制限された Elman ネットワーク**です。
#   過去の情報は、毎時刻 $m$ 次元の出力という細い通り道 (bottleneck) を通らなければなりません。BPTT の漸化式で
#   $\boldsymbol{\delta}_{t+1}$ が $W^{y\top}$ を通って $m$ 次元の $\boldsymbol{\delta}^{\mathrm{out}}_t$ に入ったのも、同じ通り道を逆にたどったものです。
# - その代わり、Jordan ネットワークの「記憶」は出力そのものなので、人が読めます。ロボットの動作の系列のように、
#   次の動作が主にいまの動作で決まる課題では、これが自然なモデルです。
#
# **やってみよう（採点対象外）**
#
# 1. (b) で出力を $\mathbf{y}_t = (x_{t-1}, x_{t-2})^\top$（$m = 2$）に変えると、Jordan ネットワークは $x_{t-2}$ を出せるようになるでしょうか。
#    2 つ目の出力が何を持ち越しているかを考えてみましょう。
# 2. 滑らかな信号の「次の値の予測」（入力 $s_t = \sin(\omega t + \phi)$、目標 $s_{t+1}$）では、戻ってくる答え $\hat{y}_{t-1} \approx s_t$ は
#    入力 $x_t$ と同じものです。Jordan ネットワークはどこまで予測できるでしょうか。Elman ネットワークと比べてみましょう。
# 3. 学習のときに、戻す値を自分の出力 $\hat{\mathbf{y}}_{t-1}$ ではなく正解 $\mathbf{y}_{t-1}$ にする方法を**教師強制 (teacher forcing)** と呼びます。
#    このとき BPTT の $\boldsymbol{\delta}^{\mathrm{out}}_t$ はどう変わるでしょうか（ヒント: $\mathbf{y}_{t-1}$ は重みに依存しません）。
