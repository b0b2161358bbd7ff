# %% [markdown]
# # 再帰型ニューラルネットワーク (Recursive Neural Network) を木の上で動かす
#
# 講義 (seed 003) のスライド「Recurrent & Recursive NN」では、時系列を扱う **Recurrent** NN と並べて
# **Recursive** NN（再帰型ニューラルネットワーク, 木構造ニューラルネットワーク）が描かれていました
# （「RNN (Recurrent, Recursive) NN は主に時系列処理に用いられる手法」）。
#
# - **Recurrent NN** は、系列の各時刻で**同じ重み**を使い、前の状態と新しい入力から次の状態を作ります。
#   時間方向に展開すると、一列に並んだ**鎖 (chain)** になります。
# - **Recursive NN** は、**木 (tree)** の各内部ノードで**同じ重み**を使い、2 つの子の状態から親の状態を作ります。
#   文の構文木 (parse tree) や数式の木のように、入力そのものが木構造をもつときに使います。
#
# 鎖は「いつも左側が深い木」なので、Recurrent NN は Recursive NN の特別な場合です（この演習で確かめます）。
# 学習は、講義の BPTT（展開してしまえばループのない大きな NN なので、ふつうに誤差逆伝播できる）と同じ考え方で、
# 木をそのまま 1 つの大きな NN とみなして誤差を根から葉へ逆伝播します。これを
# **BPTS (backpropagation through structure, 構造を通る誤差逆伝播)** と呼びます。
#
# **この演習の目標**
#
# 1. 木の順伝播: すべてのノードの状態を求める — `tree_forward`
# 2. 根での分類: ソフトマックス関数の出力とクロスエントロピー誤差 — `root_output`, `loss`
# 3. BPTS: 根から葉へ δ を伝え、$\partial E / \partial W$ と葉のベクトルの勾配を求める — `tree_backward`
# 4. 分類器としてのすべての勾配 — `tree_grads`
# 5. 葉の並び順だけでは答えが決まらない課題（引き算の木の符号）で、Recursive NN と、葉を左から順に読む
#    Elman RNN を比べる
#
# 各関数のセルにある `# YOUR CODE HERE` を実装し、直後のテストセルを実行して確認してください。
# テストセルは自動採点 (auto-grading) と同じチェックを実行し、得点と、間違っていればどこが違うかを表示します。
# 表示されるのは公開テスト (visible cases) の結果です。採点では、形の違う隠しテスト (hidden tests) も使います。
#
# 次のセルはモジュールの先頭部分 (import) です。実行してから先に進んでください。

# %% [module]

# %% [markdown]
# ## 1. 記号と、木を配列で表す方法
#
# 講義 (seed 001) と同じく、バイアスは先頭の 1 で表し、ユニットへの入力を $\mathbf{u}$、誤差を $\boldsymbol{\delta} = \partial E / \partial \mathbf{u}$ と書きます。
# 葉 (leaf) には $H$ 次元のベクトル $\mathbf{x}_i$（たとえば単語ベクトル, word vector）が与えられ、
# 内部ノード (inner node) $p$ の状態 $\mathbf{h}_p$ は、左の子 $l$ と右の子 $r$ の状態から作ります。
#
# $$\mathbf{h}_i = \mathbf{x}_i \ (\text{葉}), \qquad
# \mathbf{u}_p = W \begin{bmatrix} 1 \\ \mathbf{h}_l \\ \mathbf{h}_r \end{bmatrix}, \quad \mathbf{h}_p = \tanh(\mathbf{u}_p) \ (\text{内部ノード}), \qquad
# \hat{\mathbf{y}} = \mathrm{softmax}\!\left(W^{\mathrm{out}} \begin{bmatrix} 1 \\ \mathbf{h}_{\mathrm{root}} \end{bmatrix}\right)$$
#
# $W = [\,\mathbf{b},\ W_l,\ W_r\,]$ は $(H, 2H+1)$ の行列で、列 0 がバイアス、列 $1 \dots H$ の $W_l$ が左の子に、
# 列 $H+1 \dots 2H$ の $W_r$ が右の子に掛かります。**どの内部ノードでも同じ $W$ を使います**（RNN がどの時刻でも同じ $W$ を使うのと同じです）。
#
# | 記号 | 意味 | コード | 形 |
# | --- | --- | --- | --- |
# | $\mathbf{x}_i$ | 葉 $i$ のベクトル | `X_leaves[i]` | `(H,)` |
# | — | 内部ノード $n_{\mathrm{leaves}} + i$ の子 $[l, r]$ | `children[i]` | 整数 2 つの組 |
# | $\mathbf{h}_p$ | ノード $p$ の状態（葉が先、根が最後） | `H_nodes[p]` | `(H,)` |
# | $W = [\mathbf{b}, W_l, W_r]$ | 子から親への重み（全ノードで共有） | `W` | `(H, 2H+1)` |
# | $W^{\mathrm{out}}$ | 根の出力層の重み、列 0 がバイアス | `W_out` | `(m, H+1)` |
# | $\hat{\mathbf{y}}, \mathbf{y}$ | 根の出力（確率）と目標値 (one-hot) | `yhat`, `y` | `(m,)` |
# | $D$ | 内部ノードの $\boldsymbol{\delta}_p$ を**列**に並べた行列 | `D` | `(H, n_inner)` |
#
# **木は配列で渡します。** ノードには「**子が親より先**」になるように番号を付けます（トポロジカル順序, topological order）。
#
# - 葉が先: 葉は $0, 1, \dots, n_{\mathrm{leaves}}-1$ で、`X_leaves` の行 $i$ が $\mathbf{x}_i$ です。
# - 内部ノードはその後: `children` は整数の組 `[l, r]` を $n_{\mathrm{inner}}$ 個並べたリストで、$i$ 番目の組が内部ノード $p = n_{\mathrm{leaves}} + i$ の
#   子の番号です。子の番号はいつも親の番号より小さくなります（配列で扱いたければ `np.array(children, dtype=int).reshape(-1, 2)` で
#   `(n_inner, 2)` の配列になります）。
# - 葉が $n_{\mathrm{leaves}}$ 枚の二分木の内部ノードは $n_{\mathrm{inner}} = n_{\mathrm{leaves}} - 1$ 個で、**根 (root) は最後のノード** $n_{\mathrm{nodes}} - 1$ です。
# - 葉が 1 枚だけの木（`children = []`）では、**その葉自身が根**です。
#
# 例: $((x_0\ x_1)\ (x_2\ x_3))$ は `children = [[0, 1], [2, 3], [4, 5]]` で、ノード 4 が $(x_0\ x_1)$、ノード 5 が $(x_2\ x_3)$、根はノード 6 です。
# 次のセルで、葉 4 枚の 3 つの木を描きます（丸の中がノードの番号です）。
# 左に深い鎖 $(((x_0\ x_1)\ x_2)\ x_3)$ は、$\mathbf{x}_0, \mathbf{x}_1, \dots$ を順に読む RNN と同じ形をしています。

# %%
import time

import matplotlib.pyplot as plt

try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

import rnnref


def draw_tree(ax, kids, n_leaves, names=None, title=""):
    """A binary tree in the exercise's numbering: leaves on the bottom row, each parent above its children."""
    kids = np.asarray(kids, dtype=int).reshape(-1, 2)
    x = list(np.arange(n_leaves, dtype=float))
    y = [0.0] * n_leaves
    for a, b in kids:
        x.append((x[a] + x[b]) / 2)
        y.append(1.0 + max(y[a], y[b]))
    for i, (a, b) in enumerate(kids):
        for c in (a, b):
            ax.plot([x[n_leaves + i], x[c]], [y[n_leaves + i], y[c]], color="gray", zorder=1)
    for node, (px, py) in enumerate(zip(x, y)):
        ax.scatter(px, py, s=420, color="C1" if node < n_leaves else "C0", zorder=2)
        ax.text(px, py, str(node), ha="center", va="center", color="white", fontsize=10, zorder=3)
        if names is not None and node < n_leaves:
            ax.text(px, py - 0.45, names[node], ha="center", va="top", fontsize=10)
    ax.set_title(title, fontsize=9)
    ax.set_ylim(-1.0, max(y) + 0.6)
    ax.axis("off")


examples = {"balanced": rnnref.balanced_tree(4), "left chain (= RNN)": rnnref.left_chain(4),
            "right chain": rnnref.right_chain(4)}
fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
for ax, (kind, kids) in zip(axes, examples.items()):
    draw_tree(ax, kids, 4, names=[f"$x_{i}$" for i in range(4)], title=f"{kind}\nchildren = {kids.tolist()}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. 木の順伝播 — `tree_forward`
#
# 葉の状態は与えられたベクトルそのもの $\mathbf{h}_i = \mathbf{x}_i$ です（葉には $\tanh$ を掛けません）。
# 内部ノードは、`children` の組の順に
#
# $$\mathbf{u}_p = W \begin{bmatrix} 1 \\ \mathbf{h}_l \\ \mathbf{h}_r \end{bmatrix}, \qquad \mathbf{h}_p = \tanh(\mathbf{u}_p), \qquad p = n_{\mathrm{leaves}} + i,\ [l, r] = \texttt{children[i]}$$
#
# を計算します。番号は「子が親より先」なので、組の順に計算すれば、子の状態はいつも先に求まっています。
# `H_nodes` は $(n_{\mathrm{leaves}} + n_{\mathrm{inner}}, H)$ で、葉の行が先、根が最後の行です。

# %% [solution] tree_forward

# %% [tests] tree_forward

# %% [markdown]
# ### 確かめよう: 左に深い鎖は Elman RNN
#
# （採点されません。）左に深い鎖 $(((x_0\ x_1)\ x_2)\ x_3) \dots$ では、内部ノード $i$ の子は「1 つ前の内部ノード」と「葉 $i+1$」です。
# $W = [\mathbf{b}, W_l, W_r]$ と書くと $\mathbf{h} \leftarrow \tanh(\mathbf{b} + W_l \mathbf{h} + W_r \mathbf{x}_{i+1})$ で、
# これは講義の Elman ネットワーク $\mathbf{z}_t = \tanh(W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1})$ そのものです
# （$W^{\mathrm{in}} = [\mathbf{b}, W_r]$、再帰の重みが $W_l$、最初の状態が $\mathbf{z}_0 = \mathbf{x}_0$）。
# あなたの `tree_forward` と、`rnnref` の RNN (`rnn_forward`) を比べます。

# %%
rng_demo = np.random.default_rng(0)
n_demo, H_demo = 6, 3
X_demo = rng_demo.standard_normal((n_demo, H_demo))
W_demo = 0.6 * rng_demo.standard_normal((H_demo, 2 * H_demo + 1))
states_tree = tree_forward(X_demo, rnnref.left_chain(n_demo).tolist(), W_demo)
elman = {"W_in": np.column_stack([W_demo[:, 0], W_demo[:, H_demo + 1:]]), "W": W_demo[:, 1:H_demo + 1]}
states_rnn = rnnref.rnn_forward(rnnref.add_bias(X_demo[1:])[None], elman, z0=X_demo[:1])[0][0]
print("inner nodes of the left chain vs the Elman RNN's z_1 … z_5: max |difference| =",
      f"{np.abs(states_tree[n_demo:] - states_rnn).max():.1e}")

# %% [markdown]
# ## 3. 根での分類 — `root_output`, `loss`
#
# 木全体の表現は根の状態 $\mathbf{h}_{\mathrm{root}}$ です。講義 (seed 001) の分類（many-to-one ネットワーク）と同じく、
# 出力層の活性化関数はソフトマックス関数、誤差関数はクロスエントロピーです。
#
# $$\mathbf{v} = W^{\mathrm{out}} \begin{bmatrix} 1 \\ \mathbf{h}_{\mathrm{root}} \end{bmatrix}, \qquad
# \hat{y}_k = \mathrm{softmax}(\mathbf{v})_k = \frac{e^{v_k}}{\sum_j e^{v_j}}, \qquad
# E = -\sum_{k=1}^{m} y_k \log \hat{y}_k$$
#
# - `root_output` は $\hat{\mathbf{y}}$ $(m,)$ を返します。オーバーフローを防ぐため、exp の前に $\max_k v_k$ を引いてください（結果は変わりません）。
# - `loss` は $E$ を `float` で返します。$\mathbf{y}$ は one-hot です。

# %% [solution] root_output

# %% [tests] root_output

# %% [solution] loss

# %% [tests] loss

# %% [markdown]
# ## 4. 構造を通る誤差逆伝播 (BPTS) — `tree_backward`
#
# 講義の BPTT では $\boldsymbol{\delta}_t = \partial E / \partial \mathbf{u}_t$ を時刻 $T$ から $1$ へさかのぼって求めました。
# 木では**根から葉へ**下ります。$\mathbf{g}_p = \partial E / \partial \mathbf{h}_p$ と書くと、根では $\mathbf{g}_{\mathrm{root}}$ が上の層
# （出力層）から与えられ（引数 `dh_root`）、各内部ノード $p$（子 $l, r$）で
#
# $$\boldsymbol{\delta}_p = \frac{\partial E}{\partial \mathbf{u}_p} = \mathbf{g}_p \odot \left(1 - \mathbf{h}_p^2\right), \qquad
# \mathbf{g}_l = W_l^\top \boldsymbol{\delta}_p, \qquad \mathbf{g}_r = W_r^\top \boldsymbol{\delta}_p$$
#
# です（$\tanh'(\mathbf{u}_p) = 1 - \tanh(\mathbf{u}_p)^2 = 1 - \mathbf{h}_p^2$）。$\boldsymbol{\delta}_p$ は $W$ の 2 つのブロックを通って左右の子に**分かれて**伝わり、
# バイアスの列 0 からは何も伝わりません（講義で $W^{\mathrm{out}}$ の代わりに $\tilde{W}^{\mathrm{out}}$ を使ったのと同じ理由です）。
#
# - 根以外のノードには親がちょうど 1 つあるので、$\mathbf{g}_p$ は親を処理した時点で完成しています。
#   `children` の**最後の組から最初の組へ**順に処理すれば、いつも親が子より先です。
# - $W$ はすべての内部ノードで共有されているので、勾配は全ノードの項の**和**です。講義の $\partial E / \partial W = D \tilde{Z}$ と同じく、
#   $\boldsymbol{\delta}_p$ を列に並べた $D$ $(H, n_{\mathrm{inner}})$ と、$[1; \mathbf{h}_l; \mathbf{h}_r]^\top$ を行に並べた $C$ $(n_{\mathrm{inner}}, 2H+1)$ を使うと
#
# $$\frac{\partial E}{\partial W} = \sum_p \boldsymbol{\delta}_p \begin{bmatrix} 1 \\ \mathbf{h}_l \\ \mathbf{h}_r \end{bmatrix}^{\!\top} = D\, C$$
#
# - 葉には $\tanh$ がないので、葉のベクトルの勾配は届いた $\mathbf{g}_i$ そのもの: $\partial E / \partial \mathbf{x}_i = \mathbf{g}_i$ です。
#   単語ベクトルを学習するときに使います（6 節）。
# - 葉が 1 枚だけの木では、$D$ は $(H, 0)$、$\partial E / \partial W = 0$、$\partial E / \partial \mathbf{x}_0$ は `dh_root` です。
#
# `tree_backward` は `(D, dW, dX)` を返します。

# %% [solution] tree_backward

# %% [tests] tree_backward

# %% [markdown]
# ## 5. 分類器のすべての勾配 — `tree_grads`
#
# 出力層は講義 (seed 001) の many-to-one の場合と同じです。ソフトマックス関数とクロスエントロピーの組み合わせでは、
# $\mathbf{v}$ についての勾配は簡単な形 $\boldsymbol{\delta}^{\mathrm{out}} = \partial E / \partial \mathbf{v} = \hat{\mathbf{y}} - \mathbf{y}$ になり、
#
# $$\frac{\partial E}{\partial W^{\mathrm{out}}} = \boldsymbol{\delta}^{\mathrm{out}} \begin{bmatrix} 1 \\ \mathbf{h}_{\mathrm{root}} \end{bmatrix}^{\!\top}, \qquad
# \frac{\partial E}{\partial \mathbf{h}_{\mathrm{root}}} = \tilde{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}$$
#
# です（$\tilde{W}^{\mathrm{out}}$ は $W^{\mathrm{out}}$ の 1 列目を取り除いた行列）。これを `tree_backward` に渡せば、残りの勾配が求まります。
# `tree_grads` は `{"W": ∂E/∂W, "W_out": ∂E/∂W_out, "X": ∂E/∂X_leaves}` を返します。あなたの `root_output` と `tree_backward` を使ってかまいません。

# %% [solution] tree_grads

# %% [tests] tree_grads

# %% [markdown]
# ### 自分でも確かめよう: 数値微分 (gradient check)
#
# （採点されません。）葉 7 枚のランダムな木で、誤差 $E$ を各成分について中心差分で微分し（`rnnref.gradcheck`）、
# あなたの `tree_grads` と比べます。$W$、$W^{\mathrm{out}}$、葉のベクトル $X$ のすべてで `ok` になれば正しいでしょう。

# %%
rng_gc = np.random.default_rng(1)
kids_gc = rnnref.random_tree(7, rng_gc).tolist()
H_gc, m_gc = 3, 4
params_gc = {"X": rng_gc.standard_normal((7, H_gc)), "W": 0.6 * rng_gc.standard_normal((H_gc, 2 * H_gc + 1)),
             "W_out": 0.6 * rng_gc.standard_normal((m_gc, H_gc + 1))}
y_gc = np.eye(m_gc)[2]


def loss_of(p):
    return loss(root_output(tree_forward(p["X"], kids_gc, p["W"])[-1], p["W_out"]), y_gc)


analytic_gc = tree_grads(tree_forward(params_gc["X"], kids_gc, params_gc["W"]), kids_gc, params_gc["W"],
                         params_gc["W_out"], y_gc)
print(rnnref.gradcheck(loss_of, params_gc, analytic_gc))

# %% [markdown]
# ## 6. 実験: 引き算の木の符号 — 並び順だけでは答えが決まらない
#
# ここからは採点されません。葉が 1〜9 の数字で、**内部ノードがすべて引き算「左 − 右」**の数式の木を考えます。
# 課題は、木全体の値が正か負かの 2 クラス分類 ($m = 2$) です（値が 0 になる木は使いません）。
#
# 同じ数字の並びでも、括弧の付け方で答えが変わります。たとえば `2 5 4` は
# $((2 - 5) - 4) = -7 < 0$ ですが、$(2 - (5 - 4)) = 1 > 0$ です。
# 葉を左から順に読むだけの RNN には括弧が見えないので、この違いは区別できません。
# Recursive NN は木の形のとおりに計算するので、区別できるはずです。
#
# - **Recursive NN**: あなたの `tree_forward`, `root_output`, `loss`, `tree_grads` で 1 本ずつ勾配を求め、20 本のミニバッチごとに
#   `rnnref.adam` で更新します。葉のベクトル $\mathbf{x}_i$ は数字ごとの**単語ベクトル (word vector)** の表 `E_words` $(10, H)$ の行で、
#   これも `tree_grads` の `"X"`（$\partial E / \partial \mathbf{x}_i$）で学習します（同じ数字が 2 回出れば、勾配は足し合わせます）。
# - **Elman RNN**（比較, `rnnref`）: 同じ数字を左から順に one-hot で読み、最後の状態で分類する many-to-one ネットワーク。
#   系列の長さごとにミニバッチを作り、同じ Adam で学習します。
#
# 学習には葉 2〜6 枚のランダムな木 1000 本を使い、テストには学習にない 7, 8 枚の木も含めます。

# %%
def subtraction_value(digits, kids):
    """The value of the tree with every inner node computing left − right."""
    vals = [int(v) for v in digits]
    for a, b in kids:
        vals.append(vals[a] - vals[b])
    return vals[-1]


def make_trees(count, smallest, largest, rng):
    """(digits, children, label) of random bracketings; label 1 when the value is positive (value 0 left out)."""
    out = []
    while len(out) < count:
        size = int(rng.integers(smallest, largest + 1))
        digits = rng.integers(1, 10, size)
        kids = rnnref.random_tree(size, rng).tolist()
        value = subtraction_value(digits, kids)
        if value != 0:
            out.append((digits, kids, int(value > 0)))
    return out


rng_data = np.random.default_rng(2024)
train_trees = make_trees(1000, 2, 6, rng_data)
test_trees = make_trees(800, 2, 8, rng_data)
print(f"{len(train_trees)} training trees, {len(test_trees)} test trees; "
      f"positive: {np.mean([t[2] for t in train_trees]):.2f} of the training set")
for kids_ex in (rnnref.left_chain(3).tolist(), rnnref.right_chain(3).tolist()):
    print("2 5 4 with children", kids_ex, "->", subtraction_value([2, 5, 4], kids_ex))

# %%
H_rec, batch, epochs, lr = 8, 20, 15, 0.01
rng_init = np.random.default_rng(0)
rec = {"E_words": rng_init.normal(0.0, 0.5, (10, H_rec)),
       "W": rng_init.uniform(-1, 1, (H_rec, 2 * H_rec + 1)) / np.sqrt(H_rec),
       "W_out": rng_init.uniform(-0.3, 0.3, (2, H_rec + 1))}


def rec_predict(p, digits, kids):
    return root_output(tree_forward(p["E_words"][digits], kids, p["W"])[-1], p["W_out"])


def accuracy_by_size(predict, trees):
    """{number of leaves: the fraction of trees whose larger class is the label}."""
    hits = {}
    for digits, kids, label in trees:
        hits.setdefault(len(digits), []).append(int(np.argmax(predict(digits, kids)) == label))
    return {size: float(np.mean(h)) for size, h in sorted(hits.items())}


start = time.perf_counter()
adam_state, rec_curve = None, []
rng_order = np.random.default_rng(1)
for epoch in range(epochs):
    total = 0.0
    order = rng_order.permutation(len(train_trees))
    for first in range(0, len(order), batch):
        acc_grads = {k: np.zeros_like(v) for k, v in rec.items()}
        for j in order[first:first + batch]:
            digits, kids, label = train_trees[j]
            target = np.eye(2)[label]
            states = tree_forward(rec["E_words"][digits], kids, rec["W"])
            total += loss(root_output(states[-1], rec["W_out"]), target)
            g = tree_grads(states, kids, rec["W"], rec["W_out"], target)
            acc_grads["W"] += g["W"]
            acc_grads["W_out"] += g["W_out"]
            np.add.at(acc_grads["E_words"], digits, g["X"])  # a digit used twice gets both gradients
        rec, adam_state = rnnref.adam(rec, {k: v / batch for k, v in acc_grads.items()}, adam_state, lr=lr)
    rec_curve.append(total / len(train_trees))
rec_time = time.perf_counter() - start
rec_acc = accuracy_by_size(lambda d, k: rec_predict(rec, d, k), test_trees)
print(f"recursive NN: {epochs} epochs in {rec_time:.1f} s, test accuracy by number of leaves:",
      {k: round(v, 2) for k, v in rec_acc.items()})
for kids_ex in (rnnref.left_chain(3).tolist(), rnnref.right_chain(3).tolist()):
    print("  2 5 4 with children", kids_ex, "-> P(positive) =",
          f"{rec_predict(rec, np.array([2, 5, 4]), kids_ex)[1]:.2f}")

# %% [markdown]
# 比較の Elman RNN は `rnnref` の many-to-one ネットワーク（`elman_forward` / `elman_backward`, 出力はソフトマックス関数）です。
# 入力は数字の one-hot ベクトルにバイアスの 1 を付けた $\mathbf{x}_t$ $(d = 9)$ で、括弧の情報は入りません。
# 長さの違う系列は同じミニバッチに入れられないので、葉の枚数ごとにまとめます。

# %%
def one_hot_sequences(trees):
    """{number of leaves: (X (N, T, 10) with the bias first, Y (N, 2) one-hot)}: the digits read left to right."""
    groups = {}
    for digits, _, label in trees:
        groups.setdefault(len(digits), []).append((digits, label))
    return {size: (rnnref.add_bias(np.eye(9)[np.array([d for d, _ in items]) - 1]), np.eye(2)[[lab for _, lab in items]])
            for size, items in sorted(groups.items())}


H_rnn = 16
train_seq, test_seq = one_hot_sequences(train_trees), one_hot_sequences(test_trees)
rnn_params = rnnref.init_params(9, H_rnn, 2, seed=0)
start = time.perf_counter()
adam_state, rnn_curve = None, []
for epoch in range(epochs):
    total = 0.0
    for size in rng_order.permutation(list(train_seq)):
        X_all, Y_all = train_seq[size]
        order = rng_order.permutation(len(X_all))
        for first in range(0, len(order), batch):
            pick = order[first:first + batch]
            _, cache = rnnref.elman_forward(X_all[pick], rnn_params, g="softmax", many_to_one=True)
            res = rnnref.elman_backward(cache, Y_all[pick])
            total += res.E
            rnn_params, adam_state = rnnref.adam(rnn_params, {k: v / len(pick) for k, v in res.grads.items()},
                                                 adam_state, lr=lr)
    rnn_curve.append(total / len(train_trees))
rnn_acc = {size: float(np.mean(np.argmax(rnnref.elman_forward(X_all, rnn_params, g="softmax", many_to_one=True)[0], 1)
                               == np.argmax(Y_all, 1)))
           for size, (X_all, Y_all) in test_seq.items()}
print(f"Elman RNN: {epochs} epochs in {time.perf_counter() - start:.1f} s, test accuracy by number of leaves:",
      {k: round(v, 2) for k, v in rnn_acc.items()})

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].plot(np.arange(1, epochs + 1), rec_curve, "o-", label=f"recursive NN (H = {H_rec})")
axes[0].plot(np.arange(1, epochs + 1), rnn_curve, "s-", label=f"Elman RNN, left to right (H = {H_rnn})")
axes[0].set(xlabel="epoch", ylabel="mean cross-entropy per tree", title="learning curves (training set)", yscale="log")
axes[0].legend()
sizes = sorted(rec_acc)
axes[1].plot(sizes, [rec_acc[s] for s in sizes], "o-", label="recursive NN")
axes[1].plot(sizes, [rnn_acc[s] for s in sizes], "s-", label="Elman RNN")
axes[1].axhline(0.5, color="gray", ls=":", label="chance")
axes[1].axvspan(6.5, max(sizes) + 0.5, color="gray", alpha=0.12, label="longer than any training tree")
axes[1].set(xlabel="number of leaves", ylabel="test accuracy", ylim=(0.3, 1.03), title="sign of a subtraction tree")
axes[1].legend(fontsize=8, loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown]
# 葉が 2 枚なら答えは $x_0 - x_1$ の符号だけで決まるので、RNN でもかなり解けます。葉が 3 枚以上になると、同じ並びに
# いくつもの括弧の付け方があり、左から読むだけの RNN の正解率は当て推量 (0.5) を少し上回る程度にとどまります
# （最初の 2 枚の符号はどの木でも $+x_0$, $-x_1$ なので、その分だけは当たります）。
# Recursive NN は木の形どおりに計算するので、学習に使っていない大きさの木でも高い正解率を保ちます。
#
# ## 7. 考察
#
# - Recursive NN は「同じ重み $W$ を木のすべての内部ノードで使う」ネットワークで、Recurrent NN（Elman ネットワーク）は
#   その木がいつも左に深い鎖の場合です（2 節の確かめ）。BPTS も、鎖の場合は BPTT そのものです。
# - BPTT との違いは、誤差が**分かれて**伝わることです。$\boldsymbol{\delta}_p$ は $W_l^\top$ と $W_r^\top$ を通って 2 つの子に届きます。
#   木の深さが $d$ なら、葉に届くまでに $W_l$ か $W_r$ が $d$ 回掛かるので、長い鎖ほど勾配消失・発散が起きやすいのは RNN と同じです。
#   一方、釣り合った木なら深さは $\log_2 n_{\mathrm{leaves}}$ 程度で済みます。
# - Recursive NN には木構造が**入力として**必要です。自然言語処理では構文解析器 (parser) で作った構文木を使います
#   （Socher らの感情分析 (sentiment analysis) の研究が有名です）。木の形がデータごとに違うので、
#   ミニバッチをまとめて計算するには工夫が要ります（`rnnref.recursive` は同じ高さのノードをまとめて 1 回の行列積で計算します）。
#
# **やってみよう（採点対象外）**
#
# 1. RNN の入力に括弧の記号 `(` と `)` を加えた系列（例: `( ( 2 5 ) 4 )`）を読ませると、RNN の正解率はどう変わるでしょうか。
# 2. 学習後の単語ベクトル `rec["E_words"]` の 1〜9 の行を、主成分 (PCA) の最初の軸に射影して数字の大きさと比べてみましょう。
# 3. 内部ノードの演算を「左 + 右」と「左 − 右」の 2 種類にして、演算の種類も葉として与える木（例: 演算子を根に持つ 3 分木を二分木に直したもの）
#    を考えると、どんな工夫が必要でしょうか。
