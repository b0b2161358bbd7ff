# %% [markdown]
# # 再帰型ニューラルネットワークと通時的逆伝播 (RNN and BPTT)
#
# 時系列・音声・テキストのような**系列データ (sequential data)** では、「いまの値」が「過去の値」に依存します。
# **再帰型ニューラルネットワーク (RNN: recurrent neural network)** は、中間層の出力 $\mathbf{z}_{t-1}$ を次の時刻の中間層へ戻す
# **帰還路 (recurrent connection)** によって、過去の情報を内部状態として持ち運びます。
#
# この課題では、講義の Elman 型 RNN を numpy だけで一から実装し、
# **通時的逆伝播 (BPTT: backpropagation through time)** で勾配を計算して、実際に学習させます。
#
# **この課題の目標**
#
# 1. 順伝播 (forward pass) $\mathbf{u}_t, \mathbf{z}_t, \mathbf{v}_t$ と誤差関数 $E$ を実装する
# 2. 誤差 $\boldsymbol{\delta}_t = \partial E / \partial \mathbf{u}_t$ を時間をさかのぼって計算する
# 3. 勾配を講義の行列積 $DX$, $D\tilde{Z}$, $(g(V) - Y)Z$ のとおりに書く
# 4. many-to-one ネットワーク (系列の最後だけで予測する) の場合に書き換える
# 5. SGD と Adam でパラメータを更新し、正弦波の予測と系列の分類を学習させる
#
# 各関数のセルにある `# YOUR CODE HERE` を実装し、直後のテストセルを実行して確認してください。
# テストが表示するのは公開テスト (visible cases) の結果です。採点では、形の違う隠しテスト (hidden tests) も使います。

# %% [markdown]
# ## 記法 (notation)
#
# 系列の長さを $T$、入力の次元を $d$、中間層のユニット数を $H$、出力の次元を $m$ とします。
# 講義と同じく、**バイアス (bias) は先頭に 1 を付け足したベクトルで表します**。
#
# - 入力 $\mathbf{x}_t = (1, x_{t1}, \dots, x_{td})^\top \in \mathbb{R}^{d+1}$。$\mathbf{x}_t^\top$ を行に並べたものが $X \in \mathbb{R}^{T \times (d+1)}$ で、1 列目はすべて 1 です。
# - 重みは $W^{\mathrm{in}} \in \mathbb{R}^{H \times (d+1)}$ (コードでは `W_in`)、$W \in \mathbb{R}^{H \times H}$ (`W`)、$W^{\mathrm{out}} \in \mathbb{R}^{m \times (H+1)}$ (`W_out`)。`W_in` と `W_out` の 0 列目がバイアスです。
# - $\tilde{W}^{\mathrm{out}}$ は $W^{\mathrm{out}}$ から 1 列目 (バイアス) を取り除いた $m \times H$ 行列、コードでは `W_out[:, 1:]` です。
# - 中間層の初期状態は $\mathbf{z}_0 = \mathbf{0}$ です。
#
# 配列の形は次のとおりです (1 つの系列を扱います。ミニバッチはありません)。
#
# | 記号 | コード | 形 | 中身 |
# | --- | --- | --- | --- |
# | $X$ | `X` | `(T, d+1)` | 行 $t$ が $\mathbf{x}_t^\top$ (先頭は 1) |
# | $U$ | `U` | `(T, H)` | 行 $t$ が $\mathbf{u}_t^\top$ |
# | $Z$ | `Z` | `(T, H)` | 行 $t$ が $\mathbf{z}_t^\top$ ($\mathbf{z}_0$ もバイアスの 1 も含まない) |
# | $\hat{Y}$ | `Yhat` | `(T, m)` | 行 $t$ が $\hat{\mathbf{y}}_t^\top = g(\mathbf{v}_t)^\top$ |
# | $Y$ | `Y` | `(T, m)` | 行 $t$ が目標値 $\mathbf{y}_t^\top$ |
# | $D$ | `D` | `(H, T)` | **列** $t$ が $\boldsymbol{\delta}_t$ |
#
# $D = (\boldsymbol{\delta}_1, \dots, \boldsymbol{\delta}_T)$ だけは講義どおり δ を**列**に並べます。
# こうしておくと、勾配が講義の式 $DX$, $D\tilde{Z}$ そのままの行列積になります。
#
# 次のセルはモジュールの先頭部分 (import) です。実行してから先に進んでください。

# %% [module]

# %% [markdown]
# ## 1. 順伝播と誤差関数 (forward pass and loss)
#
# 各時刻 $t = 1, \dots, T$ で、入力 $\mathbf{x}_t$ と 1 時刻前の中間層の出力 $\mathbf{z}_{t-1}$ から
#
# $$\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}, \qquad \mathbf{z}_t = f(\mathbf{u}_t), \qquad f = \tanh$$
#
# を計算し、出力層では $\mathbf{z}_t$ の先頭にバイアスの 1 を付けて
#
# $$\mathbf{v}_t = W^{\mathrm{out}} \begin{pmatrix} 1 \\ \mathbf{z}_t \end{pmatrix}, \qquad \hat{\mathbf{y}}_t = g(\mathbf{v}_t)$$
#
# とします。各時刻の入出力関係は 3 層ニューラルネットワークそのものですが、$\mathbf{z}_{t-1}$ を通して
# 過去のすべての入力が $\hat{\mathbf{y}}_t$ に影響します。時間方向に展開すると、全体は $T$ 層の「深い」ネットワークです。
#
# 出力層の活性化関数 $g$ と誤差関数 $E = \sum_{t=1}^T E_t$ は問題に合わせて選びます。
#
# - **回帰 (regression)**, `task="regression"`: $g$ は恒等関数、$E_t = \frac{1}{2} \|\mathbf{y}_t - \hat{\mathbf{y}}_t\|^2$ (二乗誤差)
# - **分類 (classification)**, `task="classification"`: $g$ はソフトマックス関数 (softmax)、$E_t = -\sum_{k=1}^m y_{tk} \log \hat{y}_{tk}$ (クロスエントロピー, cross-entropy)。$\mathbf{y}_t$ は one-hot ベクトルです。
#
# ソフトマックス関数 $g(\mathbf{v})_k = e^{v_k} / \sum_j e^{v_j}$ は、$v_k$ が大きいと $e^{v_k}$ がオーバーフローします。
# すべての成分から同じ定数 $c$ を引いても値は変わらない ($e^{v_k - c} / \sum_j e^{v_j - c}$ の分母・分子から $e^{-c}$ が約分される) ので、
# $c = \max_j v_j$ を引いてから計算してください。
#
# `loss` は平均ではなく**和**を返します (回帰の $\frac{1}{2}$ を忘れずに)。戻り値は Python の `float` にしてください。

# %% [solution] forward loss

# %% [tests] forward

# %% [tests] loss

# %% [markdown]
# ## 2. 誤差の逆伝播: $\boldsymbol{\delta}_t$ (backpropagation of the errors)
#
# 講義にならって、中間層と出力層への入力についての誤差を
#
# $$\boldsymbol{\delta}_t = \frac{\partial E}{\partial \mathbf{u}_t}, \qquad \boldsymbol{\delta}_t^{\mathrm{out}} = \frac{\partial E}{\partial \mathbf{v}_t}$$
#
# と定義します。
#
# **出力層の誤差。** 二乗誤差 + 恒等関数なら $E_t = \frac{1}{2}\|\mathbf{y}_t - \mathbf{v}_t\|^2$ なので $\partial E / \partial \mathbf{v}_t = \mathbf{v}_t - \mathbf{y}_t$ です。
# クロスエントロピー + ソフトマックスでも、$\log \hat{y}_{tk} = v_{tk} - \log \sum_j e^{v_{tj}}$ と $\sum_k y_{tk} = 1$ から
# $\partial E / \partial v_{tj} = -y_{tj} + \hat{y}_{tj}$ となります。どちらの組み合わせでも
#
# $$\boldsymbol{\delta}_t^{\mathrm{out}} = g(\mathbf{v}_t) - \mathbf{y}_t = \hat{\mathbf{y}}_t - \mathbf{y}_t$$
#
# という同じ形になるのが、この組み合わせを使う理由です。
#
# **中間層の誤差。** $\mathbf{u}_t$ は $\mathbf{z}_t = f(\mathbf{u}_t)$ を通して、**2 つの道**で $E$ に影響します。
#
# 1. 同じ時刻の出力 $\mathbf{v}_t = W^{\mathrm{out}} (1; \mathbf{z}_t)$ へ (バイアスの 1 は $\mathbf{z}_t$ によらないので $\tilde{W}^{\mathrm{out}}$ だけが関係する)
# 2. 次の時刻の中間層 $\mathbf{u}_{t+1} = W^{\mathrm{in}} \mathbf{x}_{t+1} + W \mathbf{z}_t$ へ
#
# 連鎖律 (chain rule) で 2 つの寄与を足し、最後に $f$ の微分を成分ごとに掛けると
#
# $$\boldsymbol{\delta}_t = \left( W^\top \boldsymbol{\delta}_{t+1} + \tilde{W}^{\mathrm{out}\top} \boldsymbol{\delta}_t^{\mathrm{out}} \right) \odot f'(\mathbf{u}_t), \qquad \boldsymbol{\delta}_{T+1} = \mathbf{0}$$
#
# が得られます。$\odot$ は成分ごとの積 (アダマール積) で、$f = \tanh$ なら $f'(\mathbf{u}) = 1 - \tanh^2(\mathbf{u})$ です。
# $\boldsymbol{\delta}_t$ は $\boldsymbol{\delta}_{t+1}$ を使うので、**$t = T, T-1, \dots, 1$ の順に時間をさかのぼって**計算します。
# これが「通時的」逆伝播と呼ばれる理由です。
#
# `deltas` は $D = (\boldsymbol{\delta}_1, \dots, \boldsymbol{\delta}_T)$ を形 `(H, T)` で返します (列 $t$ が $\boldsymbol{\delta}_t$)。

# %% [solution] deltas

# %% [tests] deltas

# %% [markdown]
# ## 3. 重みの勾配 (gradients of the weights)
#
# 同じ重みがすべての時刻で使われる (**重み共有, weight sharing**) ので、勾配は各時刻の寄与の和です。
#
# **入力層 → 中間層。** $\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + \cdots$ より
#
# $$\frac{\partial E}{\partial W^{\mathrm{in}}} = \sum_{t=1}^T \boldsymbol{\delta}_t \mathbf{x}_t^\top = D X.$$
#
# ($X$ の 1 列目が 1 なので、$DX$ の 0 列目はそのままバイアスの勾配 $\sum_t \boldsymbol{\delta}_t$ になります。)
#
# **中間層 → 中間層。** $\mathbf{u}_t = \cdots + W \mathbf{z}_{t-1}$ なので、$\boldsymbol{\delta}_t$ と組になるのは $\mathbf{z}_t$ ではなく **1 時刻前の** $\mathbf{z}_{t-1}$ です。
# $\tilde{Z} = (\mathbf{z}_0, \mathbf{z}_1, \dots, \mathbf{z}_{T-1})^\top$ ($\mathbf{z}_0 = \mathbf{0}$、形 `(T, H)`) とおくと
#
# $$\frac{\partial E}{\partial W} = \sum_{t=1}^T \boldsymbol{\delta}_t \mathbf{z}_{t-1}^\top = D \tilde{Z}.$$
#
# **中間層 → 出力層。** $\mathbf{v}_t = W^{\mathrm{out}} (1; \mathbf{z}_t)$ より
#
# $$\frac{\partial E}{\partial W^{\mathrm{out}}} = \sum_{t=1}^T (g(\mathbf{v}_t) - \mathbf{y}_t) \begin{pmatrix} 1 \\ \mathbf{z}_t \end{pmatrix}^\top = (g(V) - Y) Z.$$
#
# 講義の $g(V) - Y = (g(\mathbf{v}_1) - \mathbf{y}_1, \dots, g(\mathbf{v}_T) - \mathbf{y}_T)$ は誤差を**列**に並べた $m \times T$ 行列です。
# この課題の `Yhat`, `Y` は行に並べてあるので、これは `(Yhat - Y).T` にあたります。
# また、ここでの $Z$ はバイアスの 1 を含めた $T \times (H+1)$ 行列 $[\mathbf{1}\ Z]$ (1 列目がすべて 1) と読んでください。
# 結果は `W_out` と同じ形 `(m, H+1)` になります。

# %% [solution] grad_W_in grad_W grad_W_out

# %% [tests] grad_W_in

# %% [tests] grad_W

# %% [tests] grad_W_out

# %% [markdown]
# ### 確かめてみよう: 数値微分による勾配確認 (gradient check)
#
# 逆伝播の式が正しいかどうかは、**数値微分 (numerical differentiation)** と比べれば確かめられます。
# 重みの 1 成分 $w$ だけを $\pm h$ ずらして誤差関数を 2 回計算すると
#
# $$\frac{\partial E}{\partial w} \approx \frac{E(w + h) - E(w - h)}{2h}$$
#
# です。次のセルは、あなたの `forward`, `loss` から作った数値微分と、`deltas` と 3 つの勾配関数から作った BPTT の勾配を比べます。
# 相対誤差が $10^{-7}$ 程度より小さければ一致しています。(数値微分はパラメータの数だけ順伝播が必要なので、学習には使いません。)

# %%
import numpy as np

try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

rng = np.random.default_rng(0)
T_, d_, H_, m_ = 5, 2, 3, 4
X_chk = np.column_stack([np.ones(T_), rng.standard_normal((T_, d_))])
P_chk = {"W_in": rng.normal(0, 0.5, (H_, d_ + 1)), "W": rng.normal(0, 0.5, (H_, H_)),
         "W_out": rng.normal(0, 0.5, (m_, H_ + 1))}
targets_chk = {"regression": rng.standard_normal((T_, m_)),
               "classification": np.eye(m_)[rng.integers(0, m_, T_)]}


def error_of(P, Y, task):
    _, _, Yhat = forward(X_chk, P["W_in"], P["W"], P["W_out"], task)
    return loss(Yhat, Y, task)


h = 1e-5
for task, Y_chk in targets_chk.items():
    U, Z, Yhat = forward(X_chk, P_chk["W_in"], P_chk["W"], P_chk["W_out"], task)
    D = deltas(U, Yhat, Y_chk, P_chk["W"], P_chk["W_out"])
    bptt_grads = {"W_in": grad_W_in(D, X_chk), "W": grad_W(D, Z), "W_out": grad_W_out(Yhat, Y_chk, Z)}
    for name, A in P_chk.items():
        numeric = np.zeros_like(A)
        for idx in np.ndindex(A.shape):
            P_plus = {k: v.copy() for k, v in P_chk.items()}
            P_minus = {k: v.copy() for k, v in P_chk.items()}
            P_plus[name][idx] += h
            P_minus[name][idx] -= h
            numeric[idx] = (error_of(P_plus, Y_chk, task) - error_of(P_minus, Y_chk, task)) / (2 * h)
        rel = np.max(np.abs(numeric - bptt_grads[name])) / max(np.max(np.abs(numeric)), 1e-12)
        print(f"{task:14s} dE/d{name:6s} relative error {rel:.1e}")

# %% [markdown]
# ## 4. many-to-one ネットワーク
#
# 系列全体に対して答えが 1 つだけの問題 (文の感情分析、系列のクラス分類など) では、
# 最後の時刻の出力 $\hat{\mathbf{y}}_T = g(\mathbf{v}_T)$ だけを予測に使います。これを **many-to-one** ネットワークと呼びます
# (ここまでの、時刻ごとに出力するネットワークは **many-to-many**)。
# 分類なら $g$ はソフトマックス関数、誤差関数はクロスエントロピー $E = -\sum_k y_{Tk} \log \hat{y}_{Tk}$ です。
#
# 誤差関数に現れるのは $\hat{\mathbf{y}}_T$ だけなので、出力層の誤差は時刻 $T$ にしかありません。
# δ の漸化式から $t < T$ の出力の項が消えて
#
# $$\boldsymbol{\delta}_T = \left( \tilde{W}^{\mathrm{out}\top} (g(\mathbf{v}_T) - \mathbf{y}_T) \right) \odot f'(\mathbf{u}_T), \qquad
# \boldsymbol{\delta}_t = \left( W^\top \boldsymbol{\delta}_{t+1} \right) \odot f'(\mathbf{u}_t) \quad (t = T-1, \dots, 1)$$
#
# となります。$\partial E / \partial W^{\mathrm{in}} = DX$ と $\partial E / \partial W = D\tilde{Z}$ はそのまま使え
# (`grad_W_in`, `grad_W` を再利用できます)、出力層だけが
#
# $$\frac{\partial E}{\partial W^{\mathrm{out}}} = (g(\mathbf{v}_T) - \mathbf{y}_T) \begin{pmatrix} 1 \\ \mathbf{z}_T \end{pmatrix}^\top \in \mathbb{R}^{m \times (H+1)}$$
#
# に変わります。ここでは `yhat_T`, `y_T` は形 `(m,)`、`z_T` は形 `(H,)` の 1 次元配列です。

# %% [solution] deltas_many_to_one grad_W_out_many_to_one

# %% [tests] deltas_many_to_one

# %% [tests] grad_W_out_many_to_one

# %% [markdown]
# ## 5. パラメータの更新: SGD と Adam (parameter updates)
#
# 勾配が求まれば、あとは重みを更新するだけです。パラメータと勾配は、キー `"W_in"`, `"W"`, `"W_out"` を持つ辞書で渡します。
#
# **確率的勾配降下法 (SGD: stochastic gradient descent)。** 講義の疑似コードの 5.1–5.3 そのものです。学習率を $\eta$ として
#
# $$W^{\mathrm{in}} \leftarrow W^{\mathrm{in}} - \eta DX, \qquad W \leftarrow W - \eta D\tilde{Z}, \qquad W^{\mathrm{out}} \leftarrow W^{\mathrm{out}} - \eta (g(V) - Y)Z.$$
#
# **Adam** (Kingma & Ba, 2015) は、勾配 $\mathbf{g} = \partial E / \partial W$ の移動平均 (1 次モーメント $\mathbf{m}$) と
# 勾配の 2 乗の移動平均 (2 次モーメント $\mathbf{v}$) を成分ごとに覚えておき、成分ごとに歩幅を調整します。
# $\mathbf{m} = \mathbf{v} = \mathbf{0}$, $t = 0$ から始めて、1 回の更新ごとに
#
# $$t \leftarrow t + 1, \qquad \mathbf{m} \leftarrow \beta_1 \mathbf{m} + (1 - \beta_1) \mathbf{g}, \qquad \mathbf{v} \leftarrow \beta_2 \mathbf{v} + (1 - \beta_2)\, \mathbf{g} \odot \mathbf{g},$$
#
# $$\hat{\mathbf{m}} = \frac{\mathbf{m}}{1 - \beta_1^t}, \qquad \hat{\mathbf{v}} = \frac{\mathbf{v}}{1 - \beta_2^t}, \qquad W \leftarrow W - \eta \frac{\hat{\mathbf{m}}}{\sqrt{\hat{\mathbf{v}}} + \varepsilon}$$
#
# (割り算と平方根は成分ごと)。$\mathbf{m}, \mathbf{v}$ は $\mathbf{0}$ から始まるので、はじめのうちは小さすぎます。
# $1 - \beta^t$ で割る**バイアス補正 (bias correction)** がそれを打ち消します。
#
# `adam_step` は前回の呼び出しの状態 `state` ($t$, $\mathbf{m}$, $\mathbf{v}$) を受け取り、新しいパラメータと新しい状態を返します。
# 最初の呼び出しでは `state=None` です。状態の中身は自由に決めてかまいません (呼び出す側は、前回返されたものをそのまま渡すだけです)。
#
# どちらの関数も、**引数の辞書や配列を書き換えてはいけません**。`W -= ...` は呼び出し元の配列を書き換えてしまうので、新しい配列を作ってください。

# %% [solution] sgd_step adam_step

# %% [tests] sgd_step

# %% [tests] adam_step

# %% [markdown]
# ## 6. 実験: RNN を学習させる (experiments)
#
# ここからは採点されません。あなたが実装した関数だけを使って、講義の疑似コードどおりに RNN を学習させます。
#
# 1. パラメータを初期化する
# 2. ランダムな順番で系列を 1 つ読み込む
# 3. 順伝播 (`forward`)
# 4. 逆伝播 (`deltas` または `deltas_many_to_one`) と勾配
# 5. 重みの更新 (`sgd_step` または `adam_step`)
# 6. 2–5 を繰り返す
#
# 次のセルは、この手順をまとめた補助関数です。`gradients` は 1 つの系列の誤差 $E$ と 3 つの勾配を返し、
# `train` はデータ全体を何周か (エポック, epoch) 学習して、エポックごとの平均誤差の履歴を返します。

# %%
import numpy as np
import matplotlib.pyplot as plt


def init_params(d, H, m, seed=0):
    """Small random weights; W is scaled down so that z_t does not saturate at the start."""
    rng = np.random.default_rng(seed)
    return {"W_in": rng.normal(0.0, 1.0 / np.sqrt(d + 1), (H, d + 1)),
            "W": rng.normal(0.0, 0.5 / np.sqrt(H), (H, H)),
            "W_out": rng.normal(0.0, 1.0 / np.sqrt(H + 1), (m, H + 1))}


def gradients(X, Y, P, task, many_to_one=False):
    """E and {"W_in", "W", "W_out"} gradients of one sequence (Y is (T, m), or (m,) for many-to-one)."""
    U, Z, Yhat = forward(X, P["W_in"], P["W"], P["W_out"], task)
    if many_to_one:
        E = loss(Yhat[-1:], Y[None], task)
        D = deltas_many_to_one(U, Yhat[-1], Y, P["W"], P["W_out"])
        dW_out = grad_W_out_many_to_one(Yhat[-1], Y, Z[-1])
    else:
        E = loss(Yhat, Y, task)
        D = deltas(U, Yhat, Y, P["W"], P["W_out"])
        dW_out = grad_W_out(Yhat, Y, Z)
    return E, {"W_in": grad_W_in(D, X), "W": grad_W(D, Z), "W_out": dW_out}


def train(data, P, epochs, task, optimizer="adam", lr=1e-2, many_to_one=False, seed=0):
    """One update per sequence, in a random order each epoch; returns (params, mean E per epoch)."""
    rng = np.random.default_rng(seed)
    state, history = None, []
    for epoch in range(epochs):
        total = 0.0
        for i in rng.permutation(len(data)):
            X, Y = data[i]
            E, grads = gradients(X, Y, P, task, many_to_one)
            total += E
            if optimizer == "adam":
                P, state = adam_step(P, grads, state, lr=lr)
            else:
                P = sgd_step(P, grads, lr)
        history.append(total / len(data))
    return P, history

# %% [markdown]
# ### 6.1 many-to-many の回帰: ノイズのある正弦波の 1 ステップ先予測
#
# 周期 20 の正弦波に正規ノイズ (標準偏差 0.1) を加えた時系列 $s_1, s_2, \dots$ を作り、
# 各時刻で**次の値を予測**させます。入力は $\mathbf{x}_t = (1, s_t)^\top$、目標値は $y_t = s_{t+1}$ ($d = m = 1$) です。
#
# 1 つの値 $s_t$ だけでは、波が上り坂なのか下り坂なのかは分かりません。
# 過去の入力を中間層 $\mathbf{z}_t$ に覚えておけるからこそ、RNN は次の値を予測できます。
#
# 長さ $T = 30$ の区間を 40 本切り出して学習データにし、同じ初期値から Adam と SGD で学習させて比べます。

# %%
rng = np.random.default_rng(0)
period, noise, T_seq = 20, 0.1, 30
steps = np.arange(2000)
clean = np.sin(2 * np.pi * steps / period)
series = clean + noise * rng.standard_normal(steps.size)


def window(start, length=T_seq):
    """X (length, 2) with the bias column, Y (length, 1): the next value of the series."""
    s = series[start:start + length]
    return np.column_stack([np.ones(length), s]), series[start + 1:start + length + 1, None]


sine_train = [window(s) for s in rng.integers(0, 1500, 40)]  # the test window starts at 1700
P_init = init_params(d=1, H=10, m=1, seed=1)
P_adam, hist_adam = train(sine_train, P_init, epochs=40, task="regression", optimizer="adam", lr=1e-2)
P_sgd, hist_sgd = train(sine_train, P_init, epochs=40, task="regression", optimizer="sgd", lr=1e-2)
print(f"mean E per sequence after 40 epochs: Adam {hist_adam[-1]:.3f}, SGD {hist_sgd[-1]:.3f}")

# %% [markdown]
# 学習曲線 (learning curve) と、学習に使っていない区間での予測を描きます。
#
# 比較のため、学習曲線には 2 本の水平線を引きました。
# - 「copy $s_t$」: 何も学習せず $\hat{y}_t = s_t$ (今の値をそのまま答える) としたときの誤差
# - 「noise floor」: 目標値自体に含まれるノイズの分の誤差 $\frac{1}{2} T \sigma^2$。ノイズは予測できないので、これより下がることは期待できません。
#
# このデータでは、同じ学習率でも Adam のほうが速く誤差が下がります。学習率 `lr` や中間層のユニット数 `H` を変えて試してみてください。

# %%
X_test, Y_test = window(1700, length=60)
_, _, Yhat_test = forward(X_test, P_adam["W_in"], P_adam["W"], P_adam["W_out"])
copy_E = np.mean([0.5 * np.sum((X[:, 1:] - Y) ** 2) for X, Y in sine_train])

fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
axes[0].plot(np.arange(1, 41), hist_adam, label="Adam")
axes[0].plot(np.arange(1, 41), hist_sgd, label="SGD")
axes[0].axhline(copy_E, color="gray", ls="--", label="copy $s_t$")
axes[0].axhline(0.5 * T_seq * noise**2, color="gray", ls=":", label="noise floor")
axes[0].set(xlabel="epoch", ylabel="mean E per sequence", yscale="log", title="learning curve")
axes[0].legend(loc="best")
t_axis = np.arange(1, 61)
axes[1].plot(t_axis, clean[1701:1761], color="lightgray", label="sine without noise")
axes[1].plot(t_axis, Y_test[:, 0], ".", label="target $y_t = s_{t+1}$")
axes[1].plot(t_axis, Yhat_test[:, 0], label=r"prediction $\hat{y}_t$ (Adam)")
axes[1].set(xlabel="$t$", title="one-step-ahead prediction on unseen data")
axes[1].legend(loc="best", fontsize=8)
plt.tight_layout()
plt.show()
print(f"test MSE: RNN {np.mean((Yhat_test - Y_test) ** 2):.4f}, copy s_t {np.mean((X_test[:, 1:] - Y_test) ** 2):.4f}")

# %% [markdown]
# ### 6.2 many-to-one の分類: 系列の形を当てる
#
# 長さ $T = 12$ の系列が、次の 3 つの形のどれにノイズを加えたものかを当てます ($m = 3$ クラス)。
#
# - クラス 0: 上昇 (rising)、クラス 1: 下降 (falling)、クラス 2: 山型 (peak)
#
# 振幅と上下の位置 (オフセット) は系列ごとにランダムなので、ある 1 時刻の値だけでは判定できません。
# 系列全体を読んだあとの $\mathbf{z}_T$ に形の情報を集めて、最後の出力 $\hat{\mathbf{y}}_T$ (ソフトマックス) で答えます。
# `forward` は全時刻の $\hat{\mathbf{y}}_t$ を返しますが、使うのは最後の行 `Yhat[-1]` だけです。
# 150 本で学習し、別の 150 本で正解率 (accuracy) を測ります。

# %%
CLASSES = ["rising", "falling", "peak"]


def make_shape(rng, c, length=12):
    """One noisy sequence of class c: X (length, 2) with the bias column, y (3,) one-hot."""
    s = np.linspace(-1.0, 1.0, length)
    base = [s, -s, 1.0 - 2.0 * s**2][c]
    x = rng.uniform(0.5, 1.5) * base + rng.uniform(-1.0, 1.0) + 0.3 * rng.standard_normal(length)
    return np.column_stack([np.ones(length), x]), np.eye(3)[c]


rng = np.random.default_rng(1)
shapes = [make_shape(rng, c) for c in rng.integers(0, 3, 300)]
shape_train, shape_test = shapes[:150], shapes[150:]

fig, axes = plt.subplots(1, 3, figsize=(12, 2.8), sharey=True)
for c, ax in enumerate(axes):
    for X, y in [ex for ex in shape_train if ex[1][c] == 1][:5]:
        ax.plot(np.arange(1, 13), X[:, 1], marker=".")
    ax.set(title=f"class {c}: {CLASSES[c]}", xlabel="$t$")
plt.tight_layout()
plt.show()

# %%
P_cls, hist_cls = train(shape_train, init_params(d=1, H=8, m=3, seed=2), epochs=30,
                        task="classification", optimizer="adam", lr=1e-2, many_to_one=True)


def predict(X, P):
    _, _, Yhat = forward(X, P["W_in"], P["W"], P["W_out"], "classification")
    return int(np.argmax(Yhat[-1]))  # many-to-one: only ŷ_T is used


def accuracy(data, P):
    return np.mean([predict(X, P) == np.argmax(y) for X, y in data])


plt.figure(figsize=(5, 3.5))
plt.plot(np.arange(1, 31), hist_cls)
plt.axhline(np.log(3), color="gray", ls="--", label=r"chance: $\ln 3$")
plt.xlabel("epoch")
plt.ylabel("mean cross-entropy")
plt.title("many-to-one classification")
plt.legend()
plt.show()
print(f"accuracy: train {accuracy(shape_train, P_cls):.3f}, test {accuracy(shape_test, P_cls):.3f} (chance 0.333)")

# %% [markdown]
# ## 7. 予告: 勾配消失 (vanishing gradients)
#
# many-to-one の漸化式 $\boldsymbol{\delta}_t = (W^\top \boldsymbol{\delta}_{t+1}) \odot f'(\mathbf{u}_t)$ を $T - t$ 回たどると、
# $\boldsymbol{\delta}_t$ には $W^\top$ と $f'(\mathbf{u}) \le 1$ が $T - t$ 回掛かります。
# $W$ が「小さい」(スペクトル半径, spectral radius $< 1$) と $\|\boldsymbol{\delta}_t\|$ は過去へ向かって指数的に小さくなり
# (**勾配消失, vanishing gradient**)、「大きい」と逆に大きくなりえます (**勾配爆発, exploding gradient**)。
# 次のセルでは長さ $T = 60$ のランダムな系列で、`deltas_many_to_one` が返す $\|\boldsymbol{\delta}_t\|$ を $\|\boldsymbol{\delta}_T\|$ との比で描きます。

# %%
rng = np.random.default_rng(3)
T_long, H_long = 60, 16
X_long = np.column_stack([np.ones(T_long), rng.standard_normal(T_long)])
plt.figure(figsize=(6, 3.8))
for rho in [0.5, 0.9, 1.5, 3.0]:
    W_r = rng.standard_normal((H_long, H_long))
    W_r *= rho / np.max(np.abs(np.linalg.eigvals(W_r)))  # spectral radius rho
    W_in_r, W_out_r = rng.normal(0, 0.5, (H_long, 2)), rng.normal(0, 0.5, (1, H_long + 1))
    U_r, Z_r, Yhat_r = forward(X_long, W_in_r, W_r, W_out_r)
    D_r = deltas_many_to_one(U_r, Yhat_r[-1], np.zeros(1), W_r, W_out_r)
    norms = np.linalg.norm(D_r, axis=0)
    plt.semilogy(np.arange(1, T_long + 1), norms / norms[-1], label=f"spectral radius of $W$ = {rho}")
plt.xlabel("$t$")
plt.ylabel(r"$\|\delta_t\| \,/\, \|\delta_T\|$")
plt.title("how far back does the error reach?")
plt.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## まとめ (summary)
#
# - RNN は $\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}$ の帰還路で過去の情報を運び、時間方向に展開すると重みを共有した深いネットワークになる。
# - 誤差 $\boldsymbol{\delta}_t = (W^\top \boldsymbol{\delta}_{t+1} + \tilde{W}^{\mathrm{out}\top} (g(\mathbf{v}_t) - \mathbf{y}_t)) \odot f'(\mathbf{u}_t)$ を $t = T$ から 1 へさかのぼって計算するのが通時的逆伝播 (BPTT)。
# - $D = (\boldsymbol{\delta}_1, \dots, \boldsymbol{\delta}_T)$ を作れば、勾配は行列積 $DX$, $D\tilde{Z}$, $(g(V) - Y)Z$ だけで求まる。
# - many-to-one では出力の誤差が時刻 $T$ にしかなく、$\partial E / \partial W^{\mathrm{out}} = (g(\mathbf{v}_T) - \mathbf{y}_T)(1; \mathbf{z}_T)^\top$ になる。
# - 勾配は数値微分で確かめられる。更新は SGD でも Adam でもよく、Adam は成分ごとに歩幅を調整する。
#
# 最後の図のとおり、単純な RNN では誤差が過去へ届くうちに消えてしまい (あるいは爆発し)、
# 遠い過去の入力を使うことを学ぶのが難しくなります。講義では「せいぜい過去 10 時刻分程度」とされていました。
# これを緩和するのが、メモリセルとゲートで情報を長く保持する **LSTM (Long Short-Term Memory, 長・短期記憶)** や、
# より簡単な構造の **GRU (Gated Recurrent Unit)** です。次の課題で扱います。
