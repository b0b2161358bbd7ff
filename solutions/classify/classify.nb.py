# %% [markdown]
# # 画像を行ごとに読む RNN で手書き数字を分類する (many-to-one classification)
#
# 講義の「画像の分類: many-to-one ネットワーク」では、画像を**行ごとにスキャンし、最終的な出力を用いて予測する**方法が紹介されました。
#
# - 画像の 1 行を 1 時刻の入力 $\mathbf{x}_t$ とみなし、上の行から順に RNN に読ませる
# - 最後の時刻 $T$ の中間層の出力 $\mathbf{z}_T$ だけを出力層に通して、クラスを予測する (**many-to-one**)
# - 分類問題なので、出力層の活性化関数はソフトマックス関数、誤差関数はクロスエントロピー (cross-entropy)
#
# この課題では、scikit-learn に付属している 8 × 8 画素の手書き数字 (1797 枚, 0〜9 の 10 クラス) をこの方法で分類します。
# RNN の課題で 1 系列ずつ書いた順伝播・BPTT を、**ミニバッチ (mini-batch)** の $N$ 系列をまとめて計算する形に書き直し、
# Adam と組み合わせて学習ループを完成させます。
#
# **この課題の目標**
#
# 1. ミニバッチの順伝播 (many-to-one) — `forward`
# 2. ミニバッチの平均交差エントロピー — `loss`
# 3. ミニバッチの BPTT — `backward`
# 4. 正解率 (accuracy) — `accuracy`
# 5. Adam による更新 (RNN の課題と同じ) — `adam_step`
# 6. ミニバッチ学習のループ — `train` (学習に使っていない画像での正解率が基準以上なら合格)
# 7. 学習曲線 (learning curve) を描く — `plot_learning_curve`
#
# 各関数のセルにある `# YOUR CODE HERE` を実装し、直後のテストセルを実行して確認してください。
# テストセルは自動採点 (auto-grading) と同じチェックを実行し、得点と、間違っていればどこが違うかを表示します。
# 表示されるのは公開テスト (visible cases) の結果です。採点では、形の違う隠しテスト (hidden tests) も使います。
#
# 次のセルはモジュールの先頭部分 (import) です。実行してから先に進んでください。

# %% [module]

# %% [markdown]
# ## 1. データ: 画像を行の系列として見る
#
# `sklearn.datasets.load_digits()` の画像は 8 × 8 画素で、各画素は 0〜16 の整数です。16 で割って $[0, 1]$ にそろえ、
# **行 $t$ を時刻 $t$ の入力** ($d = 8$ 画素) とします。講義と同じく先頭にバイアスの 1 を付けるので、
# 1 枚の画像は $(T, d+1) = (8, 9)$ の系列、$N$ 枚まとめると $(N, 8, 9)$ の配列です。目標 $\mathbf{y}$ は 10 クラスの one-hot ベクトルです。

# %%
import time

from sklearn.datasets import load_digits

try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

digits = load_digits()
images = digits.images / 16.0  # (1797, 8, 8), pixels in [0, 1]
labels = digits.target  # (1797,) the digit 0 … 9
X_digits = np.concatenate([np.ones((len(images), 8, 1)), images], axis=2)  # x_t = [1; row t]: (1797, 8, 9)
Y_digits = np.eye(10)[labels]  # one-hot (1797, 10)

order = np.random.default_rng(0).permutation(len(labels))  # a fixed split: 1200 for training, 597 for testing
train_idx, test_idx = order[:1200], order[1200:]
X_tr, Y_tr, X_te, Y_te = X_digits[train_idx], Y_digits[train_idx], X_digits[test_idx], Y_digits[test_idx]
print("X:", X_digits.shape, " training:", X_tr.shape, " test:", X_te.shape)

fig, axes = plt.subplots(1, 8, figsize=(10, 1.8))
for ax, n in zip(axes, range(8)):
    ax.imshow(images[n], cmap="gray_r")
    ax.set(title=f"label {labels[n]}", xticks=[], yticks=[])
axes[0].set_ylabel("row $t$ = 1 … 8")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. 記号と配列の形
#
# 講義の many-to-one ネットワークと同じ記号です ($f = \tanh$, $g$ = ソフトマックス関数, $\mathbf{z}_0 = \mathbf{0}$)。
#
# $$\mathbf{u}_t = W^{\mathrm{in}} \mathbf{x}_t + W \mathbf{z}_{t-1}, \quad \mathbf{z}_t = \tanh(\mathbf{u}_t), \qquad
# \hat{\mathbf{y}} = \mathrm{softmax}(\mathbf{v}), \quad \mathbf{v} = W^{\mathrm{out}} [1; \mathbf{z}_T]$$
#
# ミニバッチでは、$N$ 個の系列 (画像) を**最初の軸**に並べます。
#
# | 記号 | 意味 | コード | 形 |
# | --- | --- | --- | --- |
# | $\mathbf{x}^{(n)}_t$ | 系列 $n$ の時刻 $t$ の入力 (先頭が 1) | `X[n, t-1]` | `(d+1,)` |
# | $\mathbf{z}^{(n)}_t$ | 系列 $n$ の中間層の出力 | `Z[n, t-1]` | `(H,)` |
# | $\hat{\mathbf{y}}^{(n)}$ | 系列 $n$ の出力 (ソフトマックス関数の値) | `Yhat[n]` | `(m,)` |
# | $\mathbf{y}^{(n)}$ | 系列 $n$ の目標 (one-hot) | `Y[n]` | `(m,)` |
# | $W^{\mathrm{in}}, W, W^{\mathrm{out}}$ | 重み (0 列目がバイアス) | `P["W_in"]`, `P["W"]`, `P["W_out"]` | `(H, d+1)`, `(H, H)`, `(m, H+1)` |
#
# 配列 `X`, `Z` は $(N, T, \cdot)$、`Yhat`, `Y` は $(N, m)$ です。
#
# **行ベクトルで計算する.** `X[:, t-1]` は $(N, d+1)$ の行列で、行 $n$ が $\mathbf{x}^{(n)\top}_t$ です。
# 全系列の $W^{\mathrm{in}} \mathbf{x}_t$ をまとめると、行 $n$ が $(W^{\mathrm{in}} \mathbf{x}^{(n)}_t)^\top = \mathbf{x}^{(n)\top}_t W^{\mathrm{in}\top}$ の行列、
# つまり `X[:, t-1] @ P["W_in"].T` です。同じく全系列の $W \mathbf{z}_{t-1}$ は `Z_prev @ P["W"].T` です。
# $n$ についてのループは書かず、時刻 $t$ についてのループだけにしてください (その方がずっと速く、採点には時間制限があります)。

# %% [markdown]
# ## 3. ミニバッチの順伝播 — `forward`
#
# $t = 1, \dots, T$ について全系列の $\mathbf{z}_t$ を求め、最後の $\mathbf{z}_T$ から $\hat{\mathbf{y}} = \mathrm{softmax}(W^{\mathrm{out}} [1; \mathbf{z}_T])$ を求めます。
# ソフトマックス関数は、各行の最大値を引いてから `np.exp` を計算してください ($e^{v}$ のオーバーフローを防ぎます。結果は変わりません)。
# 返すのは `Yhat` $(N, m)$ と、逆伝播で使う `Z` $(N, T, H)$ です。

# %% [solution] forward

# %% [tests] forward

# %% [markdown]
# ## 4. 誤差関数 — `loss`
#
# 講義の分類の誤差関数 (クロスエントロピー) を、ミニバッチの $N$ 系列について**平均**します。
#
# $$E = -\frac{1}{N} \sum_{n=1}^{N} \sum_{k=1}^{m} y^{(n)}_k \log \hat{y}^{(n)}_k$$
#
# 和ではなく平均にするのは、ミニバッチの大きさを変えても勾配の大きさ (学習率の意味) が変わらないようにするためです。
# $y_k = 0$ の項は $0 \cdot \log \hat{y}_k = 0$ として扱ってください ($\hat{y}_k$ が 0 に丸められていても `nan` にならないように)。

# %% [solution] loss

# %% [tests] loss

# %% [markdown]
# ## 5. ミニバッチの BPTT — `backward`
#
# 講義の many-to-one ネットワークの逆伝播です。出力の誤差があるのは最後の時刻 $T$ だけです。
# $E$ が $N$ 系列の平均なので、出力層の誤差にも $1/N$ が付きます (系列 $n$ ごとに):
#
# $$\boldsymbol{\delta}^{\mathrm{out}} = \frac{\partial E}{\partial \mathbf{v}} = \frac{1}{N} (\hat{\mathbf{y}} - \mathbf{y}), \qquad
# \boldsymbol{\delta}_T = \left(\tilde{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}\right) \odot (1 - \mathbf{z}_T^2), \qquad
# \boldsymbol{\delta}_t = \left(W^\top \boldsymbol{\delta}_{t+1}\right) \odot (1 - \mathbf{z}_t^2) \quad (t = T-1, \dots, 1)$$
#
# ($\tilde{W}^{\mathrm{out}}$ は $W^{\mathrm{out}}$ からバイアスの列を除いたもの, $1 - \mathbf{z}_t^2 = f'(\mathbf{u}_t)$)。勾配は系列と時刻についての和です。
#
# $$\frac{\partial E}{\partial W^{\mathrm{out}}} = \sum_n \boldsymbol{\delta}^{\mathrm{out}} [1; \mathbf{z}_T]^\top, \qquad
# \frac{\partial E}{\partial W^{\mathrm{in}}} = \sum_n \sum_t \boldsymbol{\delta}_t \mathbf{x}_t^\top, \qquad
# \frac{\partial E}{\partial W} = \sum_n \sum_t \boldsymbol{\delta}_t \mathbf{z}_{t-1}^\top \quad (\mathbf{z}_0 = \mathbf{0})$$
#
# **行ベクトルで計算する.** 全系列の $\boldsymbol{\delta}_t$ を行に並べた $(N, H)$ の行列を $D_t$ とすると、
# $\sum_n \boldsymbol{\delta}_t \mathbf{x}_t^\top$ は `D_t.T @ X[:, t-1]` $(H, d+1)$ です。
# また、行 $n$ が $(W^\top \boldsymbol{\delta}_{t+1})^\top = \boldsymbol{\delta}_{t+1}^\top W$ の行列は `D_next @ P["W"]` です (転置に注意)。
#
# 返すのは `P` と同じキー・同じ形の勾配の辞書です。採点では正しい `Z`, `Yhat` を渡すので、順伝播に誤りがあっても逆伝播は独立に採点されます。

# %% [solution] backward

# %% [tests] backward

# %% [markdown]
# ### 自分でも確かめよう: 数値微分 (gradient check)
#
# （採点されません。）あなたの `forward` と `loss` から、重みの各成分を $\pm \varepsilon$ だけ動かした中心差分
# $\bigl(E(w + \varepsilon) - E(w - \varepsilon)\bigr) / 2\varepsilon$ を求め、`backward` の結果と比べます。
# 相対誤差が $10^{-7}$ 程度以下なら正しいでしょう。

# %%
rng_gc = np.random.default_rng(1)
N_gc, T_gc, d_gc, H_gc, m_gc = 3, 4, 2, 5, 6
X_gc = np.concatenate([np.ones((N_gc, T_gc, 1)), rng_gc.standard_normal((N_gc, T_gc, d_gc))], axis=2)
Y_gc = np.eye(m_gc)[rng_gc.integers(0, m_gc, N_gc)]
P_gc = {"W_in": rng_gc.normal(0, 0.5, (H_gc, d_gc + 1)), "W": rng_gc.normal(0, 0.5, (H_gc, H_gc)),
        "W_out": rng_gc.normal(0, 0.5, (m_gc, H_gc + 1))}
Yhat_gc, Z_gc = forward(X_gc, P_gc)
analytic = backward(X_gc, Z_gc, Yhat_gc, Y_gc, P_gc)
eps = 1e-6
for key in P_gc:
    numeric = np.zeros_like(P_gc[key])
    for idx in np.ndindex(P_gc[key].shape):
        old = P_gc[key][idx]
        P_gc[key][idx] = old + eps
        E_plus = loss(forward(X_gc, P_gc)[0], Y_gc)
        P_gc[key][idx] = old - eps
        E_minus = loss(forward(X_gc, P_gc)[0], Y_gc)
        P_gc[key][idx] = old
        numeric[idx] = (E_plus - E_minus) / (2 * eps)
    rel = np.abs(numeric - analytic[key]).max() / (np.abs(numeric).max() + 1e-12)
    print(f"{key:6s} relative error {rel:.1e}")

# %% [markdown]
# ## 6. 正解率 — `accuracy`
#
# 予測したクラスは $\hat{\mathbf{y}}^{(n)}$ の最大の成分の番号 $\arg\max_k \hat{y}^{(n)}_k$ です。one-hot の目標のクラス $\arg\max_k y^{(n)}_k$ と
# 一致した系列の割合 (0 以上 1 以下の `float`) を返します。

# %% [solution] accuracy

# %% [tests] accuracy

# %% [markdown]
# ## 7. Adam — `adam_step`
#
# RNN の課題で書いた `adam_step` と同じものです (同じ引数、同じ戻り値)。あなたの実装をそのまま使ってかまいません。
#
# $$t \leftarrow t + 1, \quad \mathbf{m} \leftarrow \beta_1 \mathbf{m} + (1 - \beta_1) \mathbf{g}, \quad \mathbf{v} \leftarrow \beta_2 \mathbf{v} + (1 - \beta_2)\, \mathbf{g} \odot \mathbf{g}, \quad
# W \leftarrow W - \eta\, \frac{\mathbf{m} / (1 - \beta_1^t)}{\sqrt{\mathbf{v} / (1 - \beta_2^t)} + \varepsilon}$$
#
# `state` は最初の呼び出しでは `None` で、その後は前の呼び出しが返したものを渡します。引数の辞書や配列は書き換えないでください。

# %% [solution] adam_step

# %% [tests] adam_step

# %% [markdown]
# ## 8. ミニバッチ学習 — `train`
#
# 講義の疑似コード (2. ランダムにデータを読み込む → 3. 順伝播 → 4. 逆伝播 → 5. Adam で更新 → 6. 繰り返す) を、ミニバッチで書きます。
#
# 1. 最初に一度だけ `rng = np.random.default_rng(seed)` を作る
# 2. エポック (epoch, データ全体を 1 周すること) ごとに `perm = rng.permutation(N)` で順番を混ぜ、
#    `perm[i:i + batch_size]` ($i = 0, \text{batch\_size}, 2\,\text{batch\_size}, \dots$) をミニバッチにする (最後のバッチは短くてもよい)
# 3. ミニバッチごとに `forward` → `loss` → `backward` → `adam_step(..., lr=lr)`。Adam の `state` はバッチとエポックをまたいで引き継ぐ
# 4. エポックの終わりに `history` に記録する:
#    `history["loss"][e]` はそのエポックの平均の損失 $\sum_{\text{batch}} |\text{batch}| \cdot E_{\text{batch}} / N$ (各 $E_{\text{batch}}$ は更新の前に `forward` で求めたもの)、
#    `history["acc"][e]` はエポックの終わりのパラメータでの $(X, Y)$ 全体の正解率
#
# 引数の `P` は書き換えず、学習したパラメータを新しい辞書で返します (`adam_step` は新しい辞書を返すので、`P = ...` と受け取り直せば大丈夫です)。
#
# **採点.** バッチの大きさが $N$ 以上の小さな例 (順番を混ぜても結果が変わらない) では、値が参照解と一致するかを調べます。
# さらに、手書き数字 1200 枚で 10 エポック学習させ (H = 32, バッチ 32, 学習率 0.01)、返されたパラメータで
# **学習に使っていない 597 枚**を分類したときの正解率が **0.85 以上**なら合格です。この正解率は採点側で計算します。

# %% [solution] train

# %% [tests] train

# %% [markdown]
# ### 実験: 手書き数字を学習する
#
# 中間層のユニット数 $H = 64$、バッチ 32、学習率 0.005 で 20 エポック学習させ、学習に使っていないテスト画像 597 枚で正解率を測ります。
# 初期値は PyTorch の `nn.RNN` と同じく、すべての重みを $[-1/\sqrt{H}, 1/\sqrt{H}]$ の一様乱数にします。

# %%
H_dig = 64
init = np.random.default_rng(2)
bound = 1 / np.sqrt(H_dig)
P0 = {"W_in": init.uniform(-bound, bound, (H_dig, 9)), "W": init.uniform(-bound, bound, (H_dig, H_dig)),
      "W_out": init.uniform(-bound, bound, (10, H_dig + 1))}

start = time.perf_counter()
P_dig, history = train(X_tr, Y_tr, P0, epochs=20, batch_size=32, lr=0.005, seed=3)
print(f"trained in {time.perf_counter() - start:.1f} s")
Yhat_te, _ = forward(X_te, P_dig)
print(f"accuracy: training {history['acc'][-1]:.3f}, test {accuracy(Yhat_te, Y_te):.3f}")

# %% [markdown]
# ## 9. 学習曲線 — `plot_learning_curve`
#
# エポックごとの損失 `history["loss"]` を、横軸をエポック $1, \dots, E$ として描く関数を書きます。
#
# - `fig, ax = plt.subplots()` で図を作り、`ax.plot(...)` で `history["loss"]` **そのもの**を描く (平滑化したり、対数を取ったりしない)
# - `ax.set_xlabel(...)`, `ax.set_ylabel(...)` で両方の軸に名前を付ける (英語で。日本語のフォントは入っていないことがあります)
# - 正解率 `history["acc"]` も描いてかまいません (2 つ目の Axes や `ax.twinx()` に)
# - `plt.show()` は呼ばずに、`fig` を返す
#
# 採点では、返された図の中に `history["loss"]` と同じ値の線があるか、その Axes の x 軸と y 軸に名前が付いているか (名前の言葉は自由)、
# `history["loss"]` と `history["acc"]` の曲線の横軸がエポック $1, \dots, E$ になっているか (`ax.plot(history["loss"])` だけでは $0, \dots, E-1$) を調べます。

# %% [solution] plot_learning_curve

# %% [tests] plot_learning_curve

# %%
fig = plot_learning_curve(history)
plt.show()

# %% [markdown]
# ### 実験: 混同行列 (confusion matrix)
#
# テスト画像について、本当のクラス $i$ (行) の画像がクラス $j$ (列) と予測された枚数を数えた表を**混同行列**と呼びます。
# 対角成分が正解で、対角の外が間違いです。どの数字とどの数字を取り違えやすいかがわかります。

# %%
true_te, pred_te = Y_te.argmax(axis=1), Yhat_te.argmax(axis=1)
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (true_te, pred_te), 1)

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.1, 1]})
im = axes[0].imshow(confusion, cmap="Blues")
for i, j in np.ndindex(confusion.shape):
    if confusion[i, j]:
        axes[0].text(j, i, confusion[i, j], ha="center", va="center", fontsize=8,
                     color="white" if confusion[i, j] > confusion.max() / 2 else "black")
axes[0].set(xticks=range(10), yticks=range(10), xlabel="predicted class", ylabel="true class",
            title=f"test set: {np.trace(confusion)} of {len(true_te)} right")
fig.colorbar(im, ax=axes[0])
wrong = np.flatnonzero(true_te != pred_te)[:8]
axes[1].axis("off")
axes[1].set_title("some mistakes (true -> predicted)")
for k, n in enumerate(wrong):
    sub = axes[1].inset_axes([(k % 4) * 0.25, 0.5 - (k // 4) * 0.5, 0.21, 0.38])
    sub.imshow(X_te[n, :, 1:], cmap="gray_r")
    sub.set(xticks=[], yticks=[])
    sub.set_title(f"{true_te[n]} -> {pred_te[n]}", fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ### 実験: 何行読めば数字がわかるか
#
# RNN は上の行から順に読み、最後の $\mathbf{z}_T$ だけで答えます。では、画像の上から $k$ 行だけを読ませたら ($T = k$) どこまで当たるでしょうか。
# $k = 1, \dots, 8$ のそれぞれで、同じ設定 ($H = 32$, 8 エポック) で学習し直してテスト正解率を比べます。

# %%
start = time.perf_counter()
rows_seen, test_acc = range(1, 9), []
for k in rows_seen:
    init_k = np.random.default_rng(4)
    b = 1 / np.sqrt(32)
    P_k = {"W_in": init_k.uniform(-b, b, (32, 9)), "W": init_k.uniform(-b, b, (32, 32)),
           "W_out": init_k.uniform(-b, b, (10, 33))}
    P_k, _ = train(X_tr[:, :k], Y_tr, P_k, epochs=8, batch_size=32, lr=0.01, seed=5)
    test_acc.append(accuracy(forward(X_te[:, :k], P_k)[0], Y_te))
print(f"8 trainings in {time.perf_counter() - start:.1f} s")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(list(rows_seen), test_acc, "o-")
ax.axhline(0.1, color="gray", ls=":", label="chance $1/10$")
ax.set(xlabel="rows read ($T = k$)", ylabel="test accuracy", ylim=(0, 1.02), title="reading the image row by row")
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 10. 考察
#
# - 画像を 1 行ずつ読むだけの小さな RNN (パラメータは数千個) でも、テスト画像の 9 割以上を正しく分類できます。
#   RNN は読んだ行の情報を $\mathbf{z}_t$ に蓄え、最後の $\mathbf{z}_T$ に画像全体の要約を作っています。
# - 上の数行だけでは多くの数字を区別できず、読む行が増えるにつれて正解率が上がります。many-to-one のネットワークでは、
#   最後の時刻の出力しか使わないので、必要な情報を最後まで運べることが大切です (行数が多いと勾配消失が問題になります)。
# - 学習曲線の損失は学習データでの値です。学習を続けると学習データでの正解率は 1 に近づきますが、テスト正解率はそこまで上がりません。
#   この差が広がっていくのは過学習 (overfitting) の兆しです。
#
# **やってみよう（採点対象外）**
#
# 1. 行ではなく列ごとに読ませる (`images.transpose(0, 2, 1)`) と、正解率は変わるでしょうか。
# 2. 下の行から上へ (`X[:, ::-1]`) 読ませると、「何行読めばわかるか」の曲線はどう変わるでしょうか。
# 3. バッチの大きさを 1 や 1200 (全データ) にすると、学習の速さと学習曲線の形はどう変わるでしょうか。
# 4. `history` にテスト正解率も記録するように `train` を改造し (採点用の `train` とは別の関数で)、学習曲線に重ねてみましょう。
