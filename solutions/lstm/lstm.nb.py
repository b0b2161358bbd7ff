# %% [markdown]
# # LSTM（長・短期記憶, Long Short-Term Memory）を numpy で実装する
#
# 素の RNN は「遠い過去の入力」を出力に反映させるのが苦手でした（講義 6.3.1: 工夫しなければ
# せいぜい過去 10 時刻分程度）。この演習では、その限界を緩和するために考案された **LSTM** を、
# 講義の式のとおりに 1 系列ずつ numpy で実装し、BPTT で勾配を求め、最後に実際に学習させます。
#
# **この演習のゴール**
#
# 1. メモリユニットの 1 時刻分の順伝播を書く — `lstm_step`
# 2. 系列全体の順伝播を書く — `lstm_forward`
# 3. BPTT (Back Propagation Through Time, 通時的逆伝播法) で 8 つの重み行列の勾配を求める — `lstm_backward`
# 4. 長い時間差 (long time lag) のある課題で、素の RNN は学習できず LSTM は学習できることを確かめる
#
# 各関数のセルにある `# YOUR CODE HERE` を実装し、直後のテストセルを実行して確認してください。
# テストセルは自動採点 (auto-grading) と同じチェックを実行し、得点と、間違っていればどこが違うかを表示します。
# 表示されるのは公開テスト (visible cases) の結果です。採点では、形の違う隠しテスト (hidden tests) も使います。
#
# 次のセルはモジュールの先頭部分 (import と定数) です。実行してから先に進んでください。

# %% [module]

# %% [markdown]
# ## 1. 記号と配列の形
#
# 講義と同じく、入力 $\mathbf{x}_t$ の先頭には常に 1 を置きます（講義の $x_0^t = 1$）。こうするとバイアスは
# 重み行列の 0 列目 $w_{j0}$ になり、別にバイアスベクトルを持つ必要がありません。
# 系列 $X$ は $(T, d+1)$ の配列で、その 1 列目はすべて 1 です。初期状態は $\mathbf{z}_0 = \mathbf{s}_0 = \mathbf{0}$ とします。
#
# | 講義の記号 | 意味 | コード | 形 |
# | --- | --- | --- | --- |
# | $\mathbf{x}_t$ | 時刻 $t$ の入力（先頭が 1） | `x`, `X[t-1]` | `(d+1,)` |
# | $\mathbf{z}_t$ | メモリユニットの出力（中間層の出力, hidden state） | `z`, `Z[t-1]` | `(H,)` |
# | $\mathbf{s}_t$ | メモリセル (memory cell) の状態 | `s`, `S[t-1]` | `(H,)` |
# | $\mathbf{u}_t$ | メモリセルへの入力（$f$ を通す前） | `u` | `(H,)` |
# | $\mathbf{g}^F_t$ | 忘却ゲート (forget gate) | `gF` | `(H,)` |
# | $\mathbf{g}^I_t$ | 入力ゲート (input gate) | `gI` | `(H,)` |
# | $\mathbf{g}^O_t$ | 出力ゲート (output gate) | `gO` | `(H,)` |
# | $W^{\mathrm{in}}, W$ | $\mathbf{u}_t$ を作る重み | `P["W_in"]`, `P["W"]` | `(H, d+1)`, `(H, H)` |
# | $W^{F,\mathrm{in}}, W^{F}$ | 忘却ゲートの重み | `P["W_F_in"]`, `P["W_F"]` | `(H, d+1)`, `(H, H)` |
# | $W^{I,\mathrm{in}}, W^{I}$ | 入力ゲートの重み | `P["W_I_in"]`, `P["W_I"]` | `(H, d+1)`, `(H, H)` |
# | $W^{O,\mathrm{in}}, W^{O}$ | 出力ゲートの重み | `P["W_O_in"]`, `P["W_O"]` | `(H, d+1)`, `(H, H)` |
#
# $H$ はメモリユニットの数、$d$ は（バイアスの 1 を除いた）入力の次元です。
# 英語の教科書や PyTorch では $\mathbf{z}_t$ を $h_t$、$\mathbf{s}_t$ を $c_t$ と書くことが多いので、
# 読み替えてください。

# %% [markdown]
# ## 2. メモリユニットの順伝播 — `lstm_step`
#
# LSTM は、素の RNN の中間層のユニットを **メモリユニット** に置き換えたものです。
# メモリユニットの中心は **メモリセル** $s_j^t$ で、その値を 1 時刻後の自分自身へ帰還させることで記憶を保ちます。
# 講義 (6.3.2) の式は、ユニット $j$ ごとに
#
# $$
# s_j^t = g_j^{F,t}\, s_j^{t-1} + g_j^{I,t}\, f(u_j^t), \qquad
# u_j^t = \sum_i w_{ji}^{\mathrm{in}} x_i^t + \sum_{j'} w_{jj'} z_{j'}^{t-1}
# $$
#
# です。第 1 項は前の時刻から引き継いだ状態、第 2 項はこの時刻の入力に関する項です。
# 以下では RNN の演習と同じく、時刻を下付きの添字で書いたベクトル（$\mathbf{s}_t = (s_1^t, \dots, s_H^t)^\top$ など）を使います。
# 3 つのゲートはどれも「入力と 1 時刻前の出力の重み付き和」をロジスティックシグモイド $\sigma$ に通した値で、
# 0 から 1 の間をとります。ベクトルでまとめて書くと（$\odot$ は要素ごとの積, $f = \tanh$）:
#
# $$
# \begin{aligned}
# \mathbf{u}_t &= W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1} \\
# \mathbf{g}^F_t &= \sigma\!\left(W^{F,\mathrm{in}} \mathbf{x}_t + W^{F} \mathbf{z}_{t-1}\right) && \text{忘却ゲート} \\
# \mathbf{g}^I_t &= \sigma\!\left(W^{I,\mathrm{in}} \mathbf{x}_t + W^{I} \mathbf{z}_{t-1}\right) && \text{入力ゲート} \\
# \mathbf{g}^O_t &= \sigma\!\left(W^{O,\mathrm{in}} \mathbf{x}_t + W^{O} \mathbf{z}_{t-1}\right) && \text{出力ゲート} \\
# \mathbf{s}_t &= \mathbf{g}^F_t \odot \mathbf{s}_{t-1} + \mathbf{g}^I_t \odot f(\mathbf{u}_t) && \text{メモリセル} \\
# \mathbf{z}_t &= \mathbf{g}^O_t \odot f(\mathbf{s}_t) && \text{メモリユニットの出力}
# \end{aligned}
# $$
#
# - **忘却ゲート** $g^F$: 1 に近ければ前の状態をそのまま残し、0 に近ければリセットします。
# - **入力ゲート** $g^I$: 新しい入力 $f(\mathbf{u}_t)$ をどれだけメモリに書き込むかを決めます。
# - **出力ゲート** $g^O$: メモリの内容 $f(\mathbf{s}_t)$ をどれだけ外（次の層と次の時刻）へ読み出すかを決めます。
#
# 講義の言葉では「忘却ゲートを 1 (オープン)、入力ゲートを 0 (クローズ) にし続ければ、メモリセルの状態は
# いつまでも保たれる」。ゲートを学習でうまく開け閉めすることで、長い文脈を扱えるようになります。
# この演習ではのぞき穴結合 (peephole) は使いません。
#
# `lstm_step` は $(\mathbf{z}_t, \mathbf{s}_t)$ と、逆伝播で使う値を集めた辞書 `cache` を返します。
# `cache` のキーはちょうど次の 8 つです（どれも時刻 $t$ のベクトル）:
#
# | キー | 中身 | 形 |
# | --- | --- | --- |
# | `"x"` | $\mathbf{x}_t$（先頭の 1 を含む） | `(d+1,)` |
# | `"z_prev"`, `"s_prev"` | $\mathbf{z}_{t-1}$, $\mathbf{s}_{t-1}$ | `(H,)` |
# | `"u"` | $\mathbf{u}_t$（$f$ を通す前） | `(H,)` |
# | `"gF"`, `"gI"`, `"gO"` | $\mathbf{g}^F_t$, $\mathbf{g}^I_t$, $\mathbf{g}^O_t$（$\sigma$ を通した後） | `(H,)` |
# | `"s"` | $\mathbf{s}_t$ | `(H,)` |
#
# 次のセルの関数 `sigmoid` は用意してあるので、そのまま使ってください
# （$\sigma(a) = \tfrac12(1 + \tanh(a/2))$ は $1/(1+e^{-a})$ と同じ値で、$a$ が大きな負の数でもオーバーフローしません）。

# %% [setup] sigmoid

# %% [solution] lstm_step

# %% [tests] lstm_step

# %% [markdown]
# ## 3. 系列全体の順伝播 — `lstm_forward`
#
# $\mathbf{z}_0 = \mathbf{s}_0 = \mathbf{0}$ から始めて、$t = 1, \dots, T$ の順に `lstm_step` を呼びます。
# 返すのは、各時刻の出力を行に並べた $Z$（$T \times H$, 行 $t-1$ が $\mathbf{z}_t$）、
# メモリセルの状態を並べた $S$（$T \times H$）、そして $T$ 個の `cache` を時刻順に並べたリストです。
# 同じ重み $W$ たちを全時刻で使い回すことに注意してください。

# %% [solution] lstm_forward

# %% [tests] lstm_forward

# %% [markdown]
# ## 4. BPTT — `lstm_backward`
#
# 講義のとおり、LSTM は複雑に見えても「時間方向に展開すれば普通の多層ネットワーク」なので、
# BPTT がそのまま使えます。`dZ` の行 $t-1$ には、上の層（出力層）から $\mathbf{z}_t$ に直接届く誤差
# $\partial E / \partial \mathbf{z}_t\big|_{\text{上}}$ が入っています。時刻 $t+1$ 以降を経由して届く誤差は
# 関数の中で計算します。
#
# 素の RNN と違い、時刻 $t$ から $t+1$ へは **2 本の道** があります。$\mathbf{z}_t$ は時刻 $t+1$ の
# 4 つのアフィン変換すべてに入り、$\mathbf{s}_t$ は $\mathbf{g}^F_{t+1} \odot \mathbf{s}_t$ としてメモリセルに直接入ります。
# そこで、時刻 $t+1$ から戻ってくる 2 つの誤差を $\boldsymbol{\epsilon}^{z}$, $\boldsymbol{\epsilon}^{s}$（最後の時刻の後は $\mathbf{0}$）として、
# $t = T, T-1, \dots, 1$ の順に:
#
# $$
# \begin{aligned}
# \mathbf{e}^z_t &= \frac{\partial E}{\partial \mathbf{z}_t}\bigg|_{\text{上}} + \boldsymbol{\epsilon}^{z}
#   && \mathbf{z}_t \text{ に届く誤差の合計} \\
# \mathbf{e}^s_t &= \boldsymbol{\epsilon}^{s} + \mathbf{e}^z_t \odot \mathbf{g}^O_t \odot f'(\mathbf{s}_t)
#   && \mathbf{s}_t \text{ に届く誤差の合計} \\
# \boldsymbol{\delta}^O_t &= \mathbf{e}^z_t \odot f(\mathbf{s}_t) \odot \mathbf{g}^O_t \odot (1 - \mathbf{g}^O_t) \\
# \boldsymbol{\delta}^F_t &= \mathbf{e}^s_t \odot \mathbf{s}_{t-1} \odot \mathbf{g}^F_t \odot (1 - \mathbf{g}^F_t) \\
# \boldsymbol{\delta}^I_t &= \mathbf{e}^s_t \odot f(\mathbf{u}_t) \odot \mathbf{g}^I_t \odot (1 - \mathbf{g}^I_t) \\
# \boldsymbol{\delta}_t &= \mathbf{e}^s_t \odot \mathbf{g}^I_t \odot f'(\mathbf{u}_t)
#   && = \partial E / \partial \mathbf{u}_t
# \end{aligned}
# $$
#
# を求め、時刻 $t-1$ へ送る誤差を
#
# $$
# \boldsymbol{\epsilon}^{s} \leftarrow \mathbf{e}^s_t \odot \mathbf{g}^F_t, \qquad
# \boldsymbol{\epsilon}^{z} \leftarrow W^\top \boldsymbol{\delta}_t + W^{F\top} \boldsymbol{\delta}^F_t
#   + W^{I\top} \boldsymbol{\delta}^I_t + W^{O\top} \boldsymbol{\delta}^O_t
# $$
#
# とします（$f'(u) = 1 - f(u)^2$, $\sigma'(a) = \sigma(a)(1 - \sigma(a))$）。
# 重みの勾配は、4 つのアフィン変換それぞれについて素の RNN の $\partial E/\partial W^{\mathrm{in}} = D X$,
# $\partial E/\partial W = D \tilde{Z}$ と同じ形の和です。たとえば
#
# $$
# \frac{\partial E}{\partial W^{\mathrm{in}}} = \sum_t \boldsymbol{\delta}_t \mathbf{x}_t^\top, \qquad
# \frac{\partial E}{\partial W} = \sum_t \boldsymbol{\delta}_t \mathbf{z}_{t-1}^\top, \qquad
# \frac{\partial E}{\partial W^{F,\mathrm{in}}} = \sum_t \boldsymbol{\delta}^F_t \mathbf{x}_t^\top, \quad \dots
# $$
#
# **なぜ勾配が消えにくいのか.** メモリセルの道だけをたどると
# $\partial \mathbf{s}_t / \partial \mathbf{s}_{t-1} = \operatorname{diag}(\mathbf{g}^F_t)$ で、
# 素の RNN の $\operatorname{diag}(f'(\mathbf{u}_t))\,W$ と違って重み行列も活性化関数の微分も掛かりません。
# 忘却ゲートが 1 に近い間は、誤差がほとんど減らずに過去へ運ばれます
# （CEC: Constant Error Carousel, 「誤差を内部にとどまらせるセル」）。
#
# **約束.** `lstm_backward` が使ってよいのは `dZ`, `P` と、`caches` の上の 8 つのキーだけです
# （$f(\mathbf{u}_t)$ や $f(\mathbf{s}_t)$ は `"u"`, `"s"` から計算し直します）。採点では正しい
# `caches` を渡すので、順伝播に誤りがあっても逆伝播は独立に採点されます。入力の配列を書き換えてはいけません。

# %% [solution] lstm_backward

# %% [tests] lstm_backward

# %% [markdown]
# ### 自分でも確かめよう: 数値微分 (gradient check)
#
# （採点されません。）
# $E = \sum_t \mathbf{r}_t^\top \mathbf{z}_t$（$\mathbf{r}_t$ は乱数の $T \times H$ 行列 $R$ の行）とすると
# $\partial E / \partial \mathbf{z}_t|_{\text{上}} = \mathbf{r}_t$ なので、`dZ` として $R$ を渡せばよいことになります。各重み $w$ を $\pm \varepsilon$ だけ動かした中心差分
# $\bigl(E(w + \varepsilon) - E(w - \varepsilon)\bigr) / 2\varepsilon$（$\varepsilon = 10^{-6}$） と `lstm_backward` の結果を比べます。相対誤差が $10^{-7}$ 程度以下なら正しいでしょう。

# %%
try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

rng_check = np.random.default_rng(0)
T_c, d_c, H_c = 4, 3, 2
X_c = np.hstack([np.ones((T_c, 1)), rng_check.standard_normal((T_c, d_c))])
P_c = {k: rng_check.standard_normal((H_c, d_c + 1) if k.endswith("_in") else (H_c, H_c)) for k in LSTM_KEYS}
R_c = rng_check.standard_normal((T_c, H_c))


def loss_c():
    return np.sum(R_c * lstm_forward(X_c, P_c)[0])


grads_c = lstm_backward(R_c, lstm_forward(X_c, P_c)[2], P_c)
step_c = 1e-6
for key in LSTM_KEYS:
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
    print(f"{key:7s} relative error {rel:.1e}")

# %% [markdown]
# ## 5. 実験: 50 時刻前の記号を覚えておく
#
# ここからは採点されません。長期の記憶が必要な課題で、素の RNN と LSTM を比べます。
#
# - 入力 $\mathbf{x}_t = (1, \text{記号}(C=4), \text{ノイズ}(4))^\top$。時刻 $t = 1$ にだけ、クラス $c \in \{0,1,2,3\}$
#   を表す one-hot の記号が入ります。その後の 49 時刻は、記号の部分が 0 で、ノイズの部分に標準正規乱数が入り続けます
#   （ノイズは $t=1$ にも入ります）。
# - 系列の最後 $t = T = 50$ の出力だけで、最初の記号のクラスを答えます（many-to-one）。
#   出力層は講義と同じく $\mathbf{v} = W^{\mathrm{out}} (1, \mathbf{z}_T)^\top$、活性化関数はソフトマックス、
#   誤差関数は交差エントロピーで、出力層の誤差は $\boldsymbol{\delta}^{\mathrm{out}} = \hat{\mathbf{y}} - \mathbf{y}$ です。
#   したがって `dZ` は、最後の行 $\tilde{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}$
#   （$\tilde{W}^{\mathrm{out}}$ はバイアスの列を除いた `W_out[:, 1:]`）以外すべて 0 です。
# - 1 回の更新ごとに新しい 8 系列を作り、その平均の誤差で Adam により更新します（300 回、勾配ノルムは 1 でクリップ）。
#   新しいバッチに対する正解率は、学習に使う前のデータに対する正解率なので、そのまま汎化性能の目安になります。
# - LSTM はあなたの `lstm_forward` / `lstm_backward` で学習します。比較する素の RNN (Elman ネットワーク) は、
#   同じデータ・同じ $H$・同じ Adam で、参照実装 `rnnref` の BPTT を使って学習します。
#
# **ゲートの初期値.** 忘却ゲートのバイアス（`W_F_in` の 0 列目）を $+4$、入力ゲートのバイアス（`W_I_in` の 0 列目）を
# $-3$ から始めます。つまり最初から $g^F \approx 0.98$（ほぼオープン）、$g^I \approx 0.05$（ほぼクローズ）で、
# 講義の「忘却ゲートを 1、入力ゲートを 0 にすれば記憶が保たれる」状態の近くから学習を始めます
# （忘却ゲートのバイアスを大きめに初期化するのは実際によく使われる工夫です）。
#
# 実行には 10 秒ほどかかります（Python のループで 1 系列ずつ計算するため）。

# %%
import time

import matplotlib.pyplot as plt

from rnnref import add_bias, elman_backward, elman_forward, init_params

C, N_NOISE, T = 4, 4, 50          # classes, noise channels, sequence length
d = C + N_NOISE                   # x_t = [1; one-hot symbol (C); noise (N_NOISE)]


def make_batch(rng, n):
    """n sequences (n, T, d+1) and their classes (n,): the symbol only at t = 1, noise at every t."""
    cls = rng.integers(C, size=n)
    A = np.zeros((n, T, d))
    A[np.arange(n), 0, cls] = 1.0                       # t = 1: one-hot of the class
    A[:, :, C:] = rng.standard_normal((n, T, N_NOISE))  # distractor noise
    return add_bias(A), cls


rng = np.random.default_rng(0)
B, ITERS = 8, 300
train = [make_batch(rng, B) for _ in range(ITERS)]  # the same data stream for both models
X_test, c_test = make_batch(np.random.default_rng(1), 500)
print("one sequence X:", train[0][0][0].shape, "  classes of the first batch:", train[0][1])

# %%
def softmax_out(z, W_out):
    """ŷ = softmax(v), v = W_out [1; z], for one z (H,) or many (n, H)."""
    v = z @ W_out[:, 1:].T + W_out[:, 0]
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def clip(grads, max_norm=1.0):
    """Scale all gradients together so that their joint norm is at most max_norm."""
    norm = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    return {k: g * min(1.0, max_norm / (norm + 1e-6)) for k, g in grads.items()}


class Adam:
    """W ← W − η m̂ / (√v̂ + ε), with the moment estimates m, v and their bias correction."""

    def __init__(self, params, lr=0.01, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads):
        self.t += 1
        for k in params:
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * grads[k]
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.b1 ** self.t)
            v_hat = self.v[k] / (1 - self.b2 ** self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

# %%
H = 16
init = np.random.default_rng(2)
P = {k: init.uniform(-1, 1, (H, d + 1) if k.endswith("_in") else (H, H)) / np.sqrt(H) for k in LSTM_KEYS}
P["W_F_in"][:, 0] += 4.0   # forget gate starts open:  g^F ≈ σ(4) ≈ 0.98
P["W_I_in"][:, 0] -= 3.0   # input gate starts closed: g^I ≈ σ(−3) ≈ 0.05
P["W_out"] = init.uniform(-1, 1, (C, H + 1)) / np.sqrt(H)
opt = Adam(P, lr=0.01)

start = time.perf_counter()
lstm_acc = []
for X, cls in train:
    grads = {k: np.zeros_like(v) for k, v in P.items()}
    correct = 0
    for n in range(B):
        Z, S, caches = lstm_forward(X[n], P)
        y_hat = softmax_out(Z[-1], P["W_out"])       # many-to-one: only z_T is read
        correct += int(y_hat.argmax() == cls[n])
        dv = y_hat - np.eye(C)[cls[n]]               # δ^out = ŷ − y (softmax + cross-entropy)
        grads["W_out"] += np.outer(dv, np.concatenate([[1.0], Z[-1]])) / B
        dZ = np.zeros_like(Z)
        dZ[-1] = P["W_out"][:, 1:].T @ dv / B        # ∂E/∂z_T; no other z_t gets an error from above
        for k, g in lstm_backward(dZ, caches, P).items():
            grads[k] += g
    lstm_acc.append(correct / B)
    opt.step(P, clip(grads))
lstm_time = time.perf_counter() - start
lstm_test = np.mean([softmax_out(lstm_forward(x, P)[0][-1], P["W_out"]).argmax() == c
                     for x, c in zip(X_test, c_test)])
print(f"LSTM: trained in {lstm_time:.1f} s, test accuracy {lstm_test:.3f}")

# %%
Q = init_params(d, H, C, seed=3)   # plain (Elman) RNN: W_in (H, d+1), W (H, H), W_out (C, H+1)
opt_rnn = Adam(Q, lr=0.01)
rnn_acc = []
for X, cls in train:
    Y = np.eye(C)[cls]
    Y_hat, cache = elman_forward(X, Q, g="softmax", many_to_one=True)   # the whole batch at once
    rnn_acc.append(np.mean(Y_hat.argmax(axis=1) == cls))
    grads = elman_backward(cache, Y).grads                                # summed over the batch
    opt_rnn.step(Q, clip({k: g / B for k, g in grads.items()}))
rnn_test = np.mean(elman_forward(X_test, Q, g="softmax", many_to_one=True)[0].argmax(axis=1) == c_test)
print(f"plain RNN: test accuracy {rnn_test:.3f}")

# %%
def moving_average(a, w=20):
    return np.convolve(a, np.ones(w) / w, mode="valid")


iters = np.arange(1, ITERS + 1)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(iters[19:], moving_average(lstm_acc), label=f"LSTM (test {lstm_test:.0%})")
ax.plot(iters[19:], moving_average(rnn_acc), label=f"plain RNN (test {rnn_test:.0%})")
ax.axhline(1 / C, color="gray", ls=":", label="chance $1/C$")
ax.set(xlabel=f"iteration ({B} new sequences each)", ylabel="accuracy on the new batch (moving avg. 20)",
       title=f"recall the first symbol after {T - 1} noisy steps", ylim=(0, 1.05))
ax.legend()
plt.show()

# %% [markdown]
# 学習した LSTM の中をのぞいてみます。各クラスのテスト系列を 1 本ずつ流し、出力層がよく使っているメモリセル 1 つの
# 状態 $s_t$ と、忘却ゲート・入力ゲートの値（全ユニットの平均）を時刻に沿って描きます。

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), sharex=True)
j = np.argmax(np.abs(P["W_out"][:, 1:]).sum(axis=0))   # a cell the output layer relies on
t_axis = np.arange(1, T + 1)
for c in range(C):
    x = X_test[np.argmax(c_test == c)]
    Z, S, caches = lstm_forward(x, P)
    axes[0].plot(t_axis, S[:, j], label=f"class {c}")
    axes[1].plot(t_axis, [ca["gF"].mean() for ca in caches], color=f"C{c}")
    axes[2].plot(t_axis, [ca["gI"].mean() for ca in caches], color=f"C{c}")
axes[0].set(title=f"memory cell $s_t$ (unit {j})", xlabel="$t$")
axes[1].set(title="forget gate $g^F_t$ (mean over units)", xlabel="$t$", ylim=(0, 1.05))
axes[2].set(title="input gate $g^I_t$ (mean over units)", xlabel="$t$", ylim=(0, 1.05))
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 6. 考察
#
# - 素の RNN の正解率は偶然の水準 $1/C = 25\,\%$ 付近から動きません。時刻 $T$ の誤差を 49 時刻さかのぼって
#   $t=1$ の入力の重みまで届けるには $\operatorname{diag}(f'(\mathbf{u}_t))W$ を何十回も掛ける必要があり、
#   その間に勾配が消えてしまうからです（勾配消失問題, vanishing gradient）。
# - LSTM は同じデータ・同じ更新回数で正解率がほぼ 100 % に達します。忘却ゲートはほぼ 1 のまま、入力ゲートは小さく
#   保たれ、クラスごとにメモリセルの値が分かれたまま最後まで運ばれています。
#   学習で得られた解は「$g^F = 1$, $g^I = 0$」という理想化そのものではなく、
#   セルの値がクラスごとに別の方向へゆっくり動き続ける解になることもあります。それでもクラスの区別は最後まで保たれています。
# - 講義にもあるように、LSTM は「こうしないと学習不可能」というわけではありません。素の RNN も理屈の上では
#   この課題を解けますし、ずっと多くの更新を行えばたまたま解けることもあります。LSTM は学習を**楽にする**仕組みです。
#
# **やってみよう（採点対象外）**
#
# 1. 忘却ゲートのバイアスを $+4$ ではなく $0$（$g^F \approx 0.5$）にして学習し直すと、どうなるでしょうか。
#    $0.5^{49}$ はいくつでしょう。
# 2. `T` を 10 にすると、素の RNN でも学習できるでしょうか。
# 3. メモリセルの道の $\partial \mathbf{s}_t / \partial \mathbf{s}_{t-1} = \operatorname{diag}(\mathbf{g}^F_t)$ と、
#    素の RNN の $\partial \mathbf{z}_t / \partial \mathbf{z}_{t-1}$ を比べて、違いを自分の言葉で説明してください。
# 4. PyTorch の `nn.LSTM` はゲートを $(i, f, g, o)$ の順に 1 つの行列に積み重ね、バイアスを 2 つ（入力側と再帰側）持ちます。
#    この演習の 8 つの行列とどう対応するか、書き出してみましょう。
