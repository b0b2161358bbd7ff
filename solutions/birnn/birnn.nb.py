# %% [markdown]
# # 双方向 RNN（Bidirectional RNN）を numpy で実装する
#
# これまでの RNN は、系列を**過去から未来へ**一方向に読みます。時刻 $t$ の中間層の出力 $\mathbf{z}_t$ が知っているのは
# $\mathbf{x}_1, \dots, \mathbf{x}_t$ だけで、$t$ より後の入力は何も知りません。
# ところが、系列データが**一括で与えられる**場合（文章の品詞付け、録音済みの音声、欠けた値の補完など）は、
# 時刻 $t$ の出力を決めるのに「その後に何が来るか」も使えます。
#
# 講義で紹介された **双方向 RNN (Bidirectional RNN, BiRNN)** は「過去だけではなく未来からの情報も通す」ネットワークです。
#
# - 過去 → 未来の RNN（**順方向, forward direction**）と、未来 → 過去の RNN（**逆方向, backward direction**）の 2 つを用意する
# - 2 つの中間層の出力を並べて（連結して, concatenate）、1 つの出力層で予測する
#
# 難しく見えますが、部品は素の RNN（Elman ネットワーク）2 つと出力層 1 つだけです。
# 逆方向の RNN は「系列を逆順に並べ替えて、ふつうの RNN に読ませる」だけで作れます。
#
# **この演習のゴール**
#
# 1. 一方向の RNN の順伝播を書く — `rnn_states`
# 2. それを 2 回使って双方向 RNN の順伝播を書く — `birnn_forward`
# 3. 一方向の BPTT（δ の漸化式）を書く — `rnn_deltas`
# 4. それを 2 回使って両方向の δ を求める — `birnn_deltas`
# 5. 5 つの重み行列の勾配を求める — `birnn_grads`
# 6. 「未来の入力が必要な」系列ラベリング (tagging) の課題で、一方向の RNN は解けず双方向 RNN は解けることを確かめる
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
# 講義と同じく、入力 $\mathbf{x}_t$ の先頭には常に 1 を置き、バイアスを重み行列の 0 列目で表します。
# 系列 $X$ は $(T, d+1)$ の配列で、その 1 列目はすべて 1 です。活性化関数は $f = \tanh$ です。
# 矢印で方向を区別します: $\rightarrow$ が順方向（過去 → 未来）、$\leftarrow$ が逆方向（未来 → 過去）。
# コードではそれぞれ `_fw`, `_bw` を付けます。
#
# | 記号 | 意味 | コード | 形 |
# | --- | --- | --- | --- |
# | $\mathbf{x}_t$ | 時刻 $t$ の入力（先頭が 1） | `X[t-1]` | `(d+1,)` |
# | $\overrightarrow{\mathbf{u}}_t, \overrightarrow{\mathbf{z}}_t$ | 順方向の中間層への入力と出力 | `U_fw[t-1]`, `Z_fw[t-1]` | `(H,)` |
# | $\overleftarrow{\mathbf{u}}_t, \overleftarrow{\mathbf{z}}_t$ | 逆方向の中間層への入力と出力 | `U_bw[t-1]`, `Z_bw[t-1]` | `(H,)` |
# | $\overrightarrow{W}^{\mathrm{in}}, \overrightarrow{W}$ | 順方向の重み | `P["W_in_fw"]`, `P["W_fw"]` | `(H, d+1)`, `(H, H)` |
# | $\overleftarrow{W}^{\mathrm{in}}, \overleftarrow{W}$ | 逆方向の重み | `P["W_in_bw"]`, `P["W_bw"]` | `(H, d+1)`, `(H, H)` |
# | $W^{\mathrm{out}}$ | 出力層の重み（0 列目がバイアス） | `P["W_out"]` | `(m, 2H+1)` |
# | $\hat{\mathbf{y}}_t, \mathbf{y}_t$ | 出力と目標値 | `Yhat[t-1]`, `Y[t-1]` | `(m,)` |
# | $\overrightarrow{D}, \overleftarrow{D}$ | δ を**列**に並べた行列 | `D_fw`, `D_bw` | `(H, T)` |
#
# $H$ は各方向の中間層のユニット数、$d$ は（バイアスの 1 を除いた）入力の次元、$m$ は出力の次元です。
#
# **すべての配列は時刻の順に並べます。** 逆方向の RNN は $t = T$ から $t = 1$ へ向かって計算しますが、
# `U_bw`, `Z_bw` の行 $t-1$ も、`D_bw` の列 $t-1$ も、時刻 $t$ の値です。
#
# **言葉の注意.** 「逆方向 (backward direction)」は未来 → 過去に読む RNN のこと、
# 「逆伝播 (backpropagation, backward pass)」は勾配の計算のことです。この演習では両方が出てきます。
# 逆方向の RNN にも順伝播と逆伝播があります。

# %% [markdown]
# ## 2. 一方向の RNN — `rnn_states`
#
# まず部品です。`rnn_bptt` の演習の `forward` から出力層を取り除いたもので、
# $\mathbf{z}_0 = \mathbf{0}$ から $t = 1, \dots, T$ の順に
#
# $$\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}, \qquad \mathbf{z}_t = \tanh(\mathbf{u}_t)$$
#
# を計算し、$U$（行 $t-1$ が $\mathbf{u}_t$）と $Z$（行 $t-1$ が $\mathbf{z}_t$）を返します。

# %% [solution] rnn_states

# %% [tests] rnn_states

# %% [markdown]
# ## 3. 双方向 RNN の順伝播 — `birnn_forward`
#
# 順方向の RNN は $\overrightarrow{\mathbf{z}}_0 = \mathbf{0}$ から過去 → 未来へ、逆方向の RNN は
# $\overleftarrow{\mathbf{z}}_{T+1} = \mathbf{0}$ から未来 → 過去へ進みます。2 つは重みを共有しません:
#
# $$
# \begin{aligned}
# \overrightarrow{\mathbf{u}}_t &= \overrightarrow{W}^{\mathrm{in}} \mathbf{x}_t + \overrightarrow{W} \, \overrightarrow{\mathbf{z}}_{t-1}, &
# \overrightarrow{\mathbf{z}}_t &= \tanh(\overrightarrow{\mathbf{u}}_t), & t &= 1, 2, \dots, T \\
# \overleftarrow{\mathbf{u}}_t &= \overleftarrow{W}^{\mathrm{in}} \mathbf{x}_t + \overleftarrow{W} \, \overleftarrow{\mathbf{z}}_{t+1}, &
# \overleftarrow{\mathbf{z}}_t &= \tanh(\overleftarrow{\mathbf{u}}_t), & t &= T, T-1, \dots, 1
# \end{aligned}
# $$
#
# こうすると $\overrightarrow{\mathbf{z}}_t$ は $\mathbf{x}_1, \dots, \mathbf{x}_t$（過去）を、
# $\overleftarrow{\mathbf{z}}_t$ は $\mathbf{x}_t, \dots, \mathbf{x}_T$（未来）を見ています。
# 出力層は 2 つを縦に連結したベクトルに、講義と同じくバイアスの 1 を先頭に付けて読みます:
#
# $$
# \mathbf{v}_t = W^{\mathrm{out}} \begin{pmatrix} 1 \\ \overrightarrow{\mathbf{z}}_t \\ \overleftarrow{\mathbf{z}}_t \end{pmatrix}, \qquad
# \hat{\mathbf{y}}_t = g(\mathbf{v}_t)
# $$
#
# $W^{\mathrm{out}}$ は $(m, 2H+1)$ で、0 列目がバイアス、列 $1 \dots H$ が $\overrightarrow{\mathbf{z}}_t$ に、
# 列 $H+1 \dots 2H$ が $\overleftarrow{\mathbf{z}}_t$ に掛かります（**順方向が先**）。
# $g$ は `task="regression"` なら恒等関数、`task="classification"` ならソフトマックス関数です。
# ソフトマックス関数は次のセルの `softmax` を使ってください（最大値を引いてから計算するので、オーバーフローしません）。
#
# **逆方向は、逆順の系列に読ませたふつうの RNN.** 逆順に並べた系列 $\mathbf{x}_T, \mathbf{x}_{T-1}, \dots, \mathbf{x}_1$
# （numpy では `X[::-1]`）を `rnn_states` に渡すと、その $k$ 番目の状態は、$\mathbf{x}_T, \dots, \mathbf{x}_{T-k+1}$ を読んだ後の
# 状態、つまり $\overleftarrow{\mathbf{z}}_{T-k+1}$ です。返ってくる行は**時刻の逆順**に並んでいるので、
# 時刻の順に戻してから（もう一度 `[::-1]`）使います。戻し忘れると、$\overrightarrow{\mathbf{z}}_t$ と
# 違う時刻の $\overleftarrow{\mathbf{z}}_{T-t+1}$ を連結してしまいます。

# %% [setup] softmax

# %% [solution] birnn_forward

# %% [tests] birnn_forward

# %% [markdown]
# ## 4. 一方向の BPTT — `rnn_deltas`
#
# 逆伝播も部品から作ります。`rnn_bptt` の演習の `deltas` では、出力層から $\mathbf{z}_t$ に直接届く誤差が
# $\tilde{W}^{\mathrm{out}\top} (\hat{\mathbf{y}}_t - \mathbf{y}_t)$ でした。ここではそれを引数 `dZ` で受け取ります
# （行 $t-1$ が $\partial E / \partial \mathbf{z}_t|_{\text{直接}}$）。$\delta_t = \partial E / \partial \mathbf{u}_t$ は
#
# $$
# \boldsymbol{\delta}_t = \left( W^\top \boldsymbol{\delta}_{t+1} + \frac{\partial E}{\partial \mathbf{z}_t}\Big|_{\text{直接}} \right) \odot f'(\mathbf{u}_t),
# \qquad t = T, T-1, \dots, 1, \qquad \boldsymbol{\delta}_{T+1} = \mathbf{0}
# $$
#
# で、$f'(\mathbf{u}) = 1 - \tanh^2(\mathbf{u})$ です。返すのは $D = (\boldsymbol{\delta}_1, \dots, \boldsymbol{\delta}_T)$（形 $(H, T)$、列 $t-1$ が $\boldsymbol{\delta}_t$）です。
# 出力層をこの関数の外に出しておくと、順方向にも逆方向にもそのまま使えます。

# %% [solution] rnn_deltas

# %% [tests] rnn_deltas

# %% [markdown]
# ## 5. 双方向の BPTT — `birnn_deltas`
#
# **出力層から両方向へ.** $\boldsymbol{\delta}^{\mathrm{out}}_t = \hat{\mathbf{y}}_t - \mathbf{y}_t$（恒等関数 + 二乗誤差でも、ソフトマックス + 交差エントロピーでも同じ形）です。
# $\mathbf{v}_t = W^{\mathrm{out}} (1; \overrightarrow{\mathbf{z}}_t; \overleftarrow{\mathbf{z}}_t)$ なので、$W^{\mathrm{out}}$ をバイアスの列と 2 つのブロックに分けて
# $W^{\mathrm{out}} = \bigl(\mathbf{b}, \; \overrightarrow{W}^{\mathrm{out}}, \; \overleftarrow{W}^{\mathrm{out}}\bigr)$
# （コードでは `W_out[:, 0]`, `W_out[:, 1:H+1]`, `W_out[:, H+1:]`）と書くと、
#
# $$
# \frac{\partial E}{\partial \overrightarrow{\mathbf{z}}_t}\Big|_{\text{直接}} = \overrightarrow{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}_t, \qquad
# \frac{\partial E}{\partial \overleftarrow{\mathbf{z}}_t}\Big|_{\text{直接}} = \overleftarrow{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}_t
# $$
#
# です。$\tilde{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}_t$（$2H$ 個の要素）の前半が順方向へ、後半が逆方向へ届きます。
#
# **それぞれの方向の漸化式.** 順方向はいつもの BPTT で、時刻 $T$ から過去へさかのぼります。
# 逆方向では $\overleftarrow{\mathbf{z}}_t$ が**1 時刻前**の $\overleftarrow{\mathbf{u}}_{t-1}$ に入っているので、
# 誤差は $\boldsymbol{\delta}^{\leftarrow}_{t-1}$ から届き、計算は時刻 1 から**未来へ向かって**進みます:
#
# $$
# \begin{aligned}
# \overrightarrow{\boldsymbol{\delta}}_t &= \bigl(\overrightarrow{W}^\top \overrightarrow{\boldsymbol{\delta}}_{t+1} + \overrightarrow{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}_t\bigr) \odot f'(\overrightarrow{\mathbf{u}}_t), &
# t &= T, \dots, 1, & \overrightarrow{\boldsymbol{\delta}}_{T+1} &= \mathbf{0} \\
# \overleftarrow{\boldsymbol{\delta}}_t &= \bigl(\overleftarrow{W}^\top \overleftarrow{\boldsymbol{\delta}}_{t-1} + \overleftarrow{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}_t\bigr) \odot f'(\overleftarrow{\mathbf{u}}_t), &
# t &= 1, \dots, T, & \overleftarrow{\boldsymbol{\delta}}_0 &= \mathbf{0}
# \end{aligned}
# $$
#
# 2 つの漸化式は互いに独立で、それぞれ自分の再帰の重み（$\overrightarrow{W}$ と $\overleftarrow{W}$）を使います。
# 逆方向の漸化式は、逆順に並べた `U_bw[::-1]` と誤差で `rnn_deltas` を呼び、結果の列を時刻の順に戻せば得られます。
# 「逆順の系列に読ませたふつうの RNN」の逆伝播は、逆順の系列でのふつうの BPTT だからです。

# %% [solution] birnn_deltas

# %% [tests] birnn_deltas

# %% [markdown]
# ## 6. 重みの勾配 — `birnn_grads`
#
# 講義の $\partial E / \partial W^{\mathrm{in}} = D X$, $\partial E / \partial W = D \tilde{Z}$ を方向ごとに使います。
# $\tilde{Z}$ は「$\boldsymbol{\delta}_t$ と組になる、再帰の重みに掛かっていた状態」を行に並べたものです:
#
# - 順方向: $\overrightarrow{\mathbf{u}}_t$ には $\overrightarrow{\mathbf{z}}_{t-1}$ が入るので
#   $\overrightarrow{\tilde{Z}} = (\overrightarrow{\mathbf{z}}_0, \overrightarrow{\mathbf{z}}_1, \dots, \overrightarrow{\mathbf{z}}_{T-1})^\top$（$\overrightarrow{\mathbf{z}}_0 = \mathbf{0}$、$Z$ を 1 行下にずらす）
# - 逆方向: $\overleftarrow{\mathbf{u}}_t$ には $\overleftarrow{\mathbf{z}}_{t+1}$ が入るので
#   $\overleftarrow{\tilde{Z}} = (\overleftarrow{\mathbf{z}}_2, \dots, \overleftarrow{\mathbf{z}}_T, \overleftarrow{\mathbf{z}}_{T+1})^\top$（$\overleftarrow{\mathbf{z}}_{T+1} = \mathbf{0}$、$Z$ を 1 行**上に**ずらす）
#
# $$
# \frac{\partial E}{\partial \overrightarrow{W}^{\mathrm{in}}} = \overrightarrow{D} X, \quad
# \frac{\partial E}{\partial \overrightarrow{W}} = \overrightarrow{D} \, \overrightarrow{\tilde{Z}}, \quad
# \frac{\partial E}{\partial \overleftarrow{W}^{\mathrm{in}}} = \overleftarrow{D} X, \quad
# \frac{\partial E}{\partial \overleftarrow{W}} = \overleftarrow{D} \, \overleftarrow{\tilde{Z}}, \quad
# \frac{\partial E}{\partial W^{\mathrm{out}}} = \sum_{t=1}^T \boldsymbol{\delta}^{\mathrm{out}}_t
# \begin{pmatrix} 1 \\ \overrightarrow{\mathbf{z}}_t \\ \overleftarrow{\mathbf{z}}_t \end{pmatrix}^{\!\top}
# = (\hat{Y} - Y)^\top \bigl(\mathbf{1} \;\; \overrightarrow{Z} \;\; \overleftarrow{Z}\bigr)
# $$
#
# 返すのは、`P` と同じ 5 つのキーを持つ辞書です。

# %% [solution] birnn_grads

# %% [tests] birnn_grads

# %% [markdown]
# ### 自分でも確かめよう: 数値微分 (gradient check)
#
# （採点されません。）分類の誤差関数 $E = -\sum_t \sum_k y_{tk} \log \hat{y}_{tk}$ を、各重み $w$ を $\pm\varepsilon$ だけ動かした
# 中心差分 $\bigl(E(w+\varepsilon) - E(w-\varepsilon)\bigr) / 2\varepsilon$（$\varepsilon = 10^{-6}$）で微分し、
# `birnn_deltas` と `birnn_grads` から求めた勾配と比べます。相対誤差が $10^{-7}$ 程度以下なら正しいでしょう。

# %%
try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

rng_check = np.random.default_rng(0)
T_c, d_c, H_c, m_c = 5, 2, 3, 4
X_c = np.hstack([np.ones((T_c, 1)), rng_check.standard_normal((T_c, d_c))])
shapes_c = {"W_in_fw": (H_c, d_c + 1), "W_fw": (H_c, H_c), "W_in_bw": (H_c, d_c + 1), "W_bw": (H_c, H_c),
            "W_out": (m_c, 2 * H_c + 1)}
P_c = {k: 0.5 * rng_check.standard_normal(shapes_c[k]) for k in BIRNN_KEYS}
Y_c = np.eye(m_c)[rng_check.integers(0, m_c, T_c)]


def loss_c():
    Yhat = birnn_forward(X_c, P_c, task="classification")[-1]
    return -np.sum(Y_c * np.log(Yhat))


U_fw_c, Z_fw_c, U_bw_c, Z_bw_c, Yhat_c = birnn_forward(X_c, P_c, task="classification")
D_fw_c, D_bw_c = birnn_deltas(U_fw_c, U_bw_c, Yhat_c, Y_c, P_c)
grads_c = birnn_grads(X_c, Z_fw_c, Z_bw_c, D_fw_c, D_bw_c, Yhat_c, Y_c)
step_c = 1e-6
for key in BIRNN_KEYS:
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
    print(f"{key:8s} relative error {rel:.1e}")

# %% [markdown]
# ## 7. 実験: 両隣の 1 を数える
#
# ここからは採点されません。未来の入力が必要な**系列ラベリング (sequence tagging)** の課題で、
# 一方向の RNN と双方向 RNN を比べます。
#
# - 入力は 0 と 1 がランダムに並んだ長さ $T = 12$ の系列 $b_1, \dots, b_T$ で、$\mathbf{x}_t = (1, b_t)^\top$（$d = 1$）です。
# - 各時刻のラベルは**両隣の 1 の個数** $y_t = b_{t-1} + b_{t+1} \in \{0, 1, 2\}$ です（系列の外は $b_0 = b_{T+1} = 0$）。
#   $m = 3$ クラスの分類で、出力層はソフトマックス関数、誤差関数は交差エントロピーです。
#   たとえば `0 1 1 0 1` のラベルは `1 1 1 2 0` です。
# - 時刻 $t$ の正解には、過去の $b_{t-1}$ と未来の $b_{t+1}$ の**両方**が要ります。
#   順方向の RNN は $b_{t+1}$ をまだ読んでいないので、$b_{t-1}$ が分かっても残りは当て推量です。
#
# 比べるのは、同じ $H$・同じデータ・同じ Adam（`rnnref.optim.adam`）で学習する次の 3 つです。
#
# 1. **双方向 RNN**: あなたの `birnn_forward` / `birnn_deltas` / `birnn_grads` で 1 系列ずつ勾配を求める
# 2. **順方向だけの RNN**（ふつうの Elman ネットワーク）: 参照実装 `rnnref` の BPTT
# 3. **逆方向だけの RNN**: 同じ `rnnref` の RNN に、系列とラベルを逆順にして読ませる
#
# 1 回の更新ごとに新しい 16 系列を作るので、学習中の誤差はそのまま未知のデータに対する誤差の目安になります。
# 実行には数秒かかります。

# %%
import time

import matplotlib.pyplot as plt

from rnnref import add_bias, elman_backward, elman_forward, init_params
from rnnref.optim import adam

T, C = 12, 3                      # sequence length; classes y_t ∈ {0, 1, 2}


def make_batch(rng, n):
    """n random 0/1 sequences: X (n, T, 2) with the bias column, one-hot Y (n, T, C), labels (n, T)."""
    b = rng.integers(0, 2, (n, T)).astype(float)
    padded = np.pad(b, ((0, 0), (1, 1)))                   # b_0 = b_{T+1} = 0
    labels = (padded[:, :-2] + padded[:, 2:]).astype(int)  # y_t = b_{t−1} + b_{t+1}
    return add_bias(b[..., None]), np.eye(C)[labels], labels


rng = np.random.default_rng(0)
B, ITERS, H, LR = 16, 300, 8, 0.03
train = [make_batch(rng, B) for _ in range(ITERS)]  # the same data stream for all three models
X_test, Y_test, labels_test = make_batch(np.random.default_rng(1), 500)
print("b:", train[0][0][0, :, 1].astype(int), "\ny:", train[0][2][0])

# %%
init = np.random.default_rng(2)
shapes = {"W_in_fw": (H, 2), "W_fw": (H, H), "W_in_bw": (H, 2), "W_bw": (H, H), "W_out": (C, 2 * H + 1)}
P = {k: init.uniform(-1, 1, shapes[k]) / np.sqrt(H) for k in BIRNN_KEYS}

start = time.perf_counter()
state, bi_loss = None, []
for X, Y, _ in train:
    grads = {k: np.zeros_like(v) for k, v in P.items()}
    E = 0.0
    for n in range(B):
        U_fw, Z_fw, U_bw, Z_bw, Yhat = birnn_forward(X[n], P, task="classification")
        E -= np.sum(Y[n] * np.log(Yhat))
        D_fw, D_bw = birnn_deltas(U_fw, U_bw, Yhat, Y[n], P)
        for k, g in birnn_grads(X[n], Z_fw, Z_bw, D_fw, D_bw, Yhat, Y[n]).items():
            grads[k] += g / B                                # the mean over the batch
    bi_loss.append(E / (B * T))                              # cross-entropy per position
    P, state = adam(P, grads, state, lr=LR)
bi_prob = np.array([birnn_forward(x, P, task="classification")[-1] for x in X_test])
print(f"BiRNN: trained in {time.perf_counter() - start:.1f} s, "
      f"test accuracy {np.mean(bi_prob.argmax(-1) == labels_test):.3f}")

# %%
def train_one_direction(reverse, seed):
    """A plain Elman RNN (rnnref) reading the sequences forwards, or backwards when reverse=True."""
    Q, state, losses = init_params(1, H, C, seed=seed), None, []
    for X, Y, _ in train:
        if reverse:                                  # x_T, …, x_1 and their labels in the same order
            X, Y = X[:, ::-1], Y[:, ::-1]
        _, cache = elman_forward(X, Q, g="softmax")  # the whole batch at once
        res = elman_backward(cache, Y)               # E and the gradients, summed over the batch
        losses.append(res.E / (B * T))
        Q, state = adam(Q, {k: g / B for k, g in res.grads.items()}, state, lr=LR)
    X = X_test[:, ::-1] if reverse else X_test
    prob = elman_forward(X, Q, g="softmax")[0]
    return losses, prob[:, ::-1] if reverse else prob    # back to time order


fw_loss, fw_prob = train_one_direction(reverse=False, seed=3)
bw_loss, bw_prob = train_one_direction(reverse=True, seed=4)
for name, prob in (("forward only", fw_prob), ("backward only", bw_prob)):
    print(f"{name:13s} RNN: test accuracy {np.mean(prob.argmax(-1) == labels_test):.3f}")

# %%
def moving_average(a, w=20):
    return np.convolve(a, np.ones(w) / w, mode="valid")


iters = np.arange(1, ITERS + 1)
fig, ax = plt.subplots(figsize=(7, 4))
for losses, label in ((bi_loss, "BiRNN"), (fw_loss, "forward-only RNN"), (bw_loss, "backward-only RNN")):
    ax.plot(iters[19:], moving_average(losses), label=label)
ax.axhline(np.log(2), color="gray", ls=":", label=r"$\ln 2$: one neighbour known, the other guessed")
ax.set(xlabel=f"iteration ({B} new sequences each)", ylabel="cross-entropy per position (moving avg. 20)",
       title=r"tag $y_t = b_{t-1} + b_{t+1}$", ylim=(0, 1.2))
ax.legend(loc="best")
plt.show()

# %% [markdown]
# どこで間違えるのかを見るために、テスト系列の全時刻を両隣の組 $(b_{t-1}, b_{t+1})$ で 4 つに分け、
# 各モデルが正解のクラスに割り当てた確率の平均を描きます。

# %%
padded_test = np.pad(X_test[:, :, 1], ((0, 0), (1, 1))).astype(int)
left, right = padded_test[:, :-2], padded_test[:, 2:]
pairs = [(0, 0), (0, 1), (1, 0), (1, 1)]
fig, ax = plt.subplots(figsize=(7, 3.5))
width = 0.27
for i, (prob, label) in enumerate(((bi_prob, "BiRNN"), (fw_prob, "forward-only"), (bw_prob, "backward-only"))):
    p_correct = np.take_along_axis(prob, labels_test[..., None], axis=-1)[..., 0]
    means = [p_correct[(left == a) & (right == b)].mean() for a, b in pairs]
    ax.bar(np.arange(4) + (i - 1) * width, means, width, label=label)
ax.set_xticks(range(4), [f"({a}, {b})\ny_t = {a + b}" for a, b in pairs])
ax.set(xlabel=r"neighbours $(b_{t-1}, b_{t+1})$", ylabel="mean probability of the true tag", ylim=(0, 1.25),
       title="test positions by their two neighbours")
ax.axhline(0.5, color="gray", ls=":")
ax.legend(loc="upper center", ncol=3, fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 8. 考察
#
# - 双方向 RNN の誤差はほぼ 0 まで下がり、テストの正解率はほぼ 100 % になります。
#   $\overrightarrow{\mathbf{z}}_t$ が $b_{t-1}$ を、$\overleftarrow{\mathbf{z}}_t$ が $b_{t+1}$ を覚えていて、
#   出力層が 2 つを足し合わせればよいからです。
# - 順方向だけの RNN の誤差は $\ln 2 \approx 0.69$ で止まります。$b_{t-1}$ は分かっても $b_{t+1}$ はまだ読んでいないので、
#   残りの 2 つの可能性に 1/2 ずつ確率を割り当てるのが最善です（棒グラフで、正解の確率はどの組でも 0.5 前後）。
#   学習を長くしても、$H$ を増やしても、この壁は越えられません。情報がないのですから。
#   逆方向だけの RNN も、同じ理由で（今度は $b_{t-1}$ が分からずに）$\ln 2$ で止まります。
# - 逆方向の RNN は、系列を逆順に並べて読ませたふつうの RNN でした。順伝播も逆伝播も一方向の部品をそのまま使え、
#   新しく必要だったのは「逆順にして、結果を時刻の順に戻す」ことと、出力層の誤差を 2 つに分けることだけです。
# - 双方向 RNN は系列の**最後まで読んでから**でないと、どの時刻の出力も計算できません
#   （$\overleftarrow{\mathbf{z}}_1$ は $\mathbf{x}_T$ から始まる計算の最後に得られます）。講義にあるとおり、
#   系列データが一括で与えられるときに有効な方法で、音声をその場で認識し続けるような実時間の処理には使えません。
#
# **やってみよう（採点対象外）**
#
# 1. ラベルを $y_t = b_{t+1}$（次の記号）に変えると、3 つのモデルはそれぞれどうなるでしょうか。
# 2. ラベルを $y_t = b_{t-2} + b_{t+2}$（2 つ隣）に変えて、同じ比較をしてみましょう。
# 3. `birnn_forward` で $\overleftarrow{\mathbf{z}}$ を時刻の順に戻さずに連結したら、この課題の学習はどうなるでしょうか。
#    勾配が正しく計算されていても、モデルとして何が変わるかを考えてみましょう。
# 4. 講義のとおり、2 つの方向の RNN を LSTM や GRU に置き換えたもの（Bidirectional LSTM / GRU）も広く使われています。
#    どの部分を取り替えればよいでしょうか。
