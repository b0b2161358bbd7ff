# %% [markdown]
# # エンコーダ・デコーダ (Encoder–Decoder, Sequence-to-Sequence) を numpy で実装する
#
# これまでのモデルは、入力が系列で出力は各時刻に 1 つ（many-to-many）か、系列全体で 1 つ（many-to-one）でした。
# 講義（RNN の発展系）にあるとおり、**入力が系列なら出力も系列で予測したい** 問題があります。機械翻訳のように、
# 入力系列と出力系列の長さが一致せず、どちらの長さもまちまちな場合です。これを
# **シークエンストゥシークエンス (Sequence-to-Sequence, seq2seq)** と呼びます。
#
# 講義のモデル **RNN Encoder-Decoder** は 2 つの LSTM を組み合わせます。
#
# - **エンコーダ (Encoder)** は入力系列 $\mathbf{x}_1, \dots, \mathbf{x}_T$ を読み、中間表現に変換する
# - **デコーダ (Decoder)** は中間表現から出力系列 $\mathbf{y}_1, \dots, \mathbf{y}_{T'}$ を作る
# - 2 つの RNN をつなぐのは、エンコーダが出力したベクトル $S$ だけ
# - 出力も系列なので一気には出せない。デコーダは **自身の出力を次のステップで入力として受け取って** 処理する
#
# **この演習のゴール**
#
# 1. エンコーダの最後の状態（講義のベクトル $S$）を求める — `encode`
# 2. 学習時のデコーダの入力を作る（教師強制, teacher forcing） — `decoder_inputs`
# 3. デコーダの順伝播と誤差関数 — `decoder_forward`
# 4. デコーダの BPTT と、エンコーダへ送る誤差 — `decoder_backward`
# 5. エンコーダの BPTT（誤差は最後の状態からだけ入ってくる） — `encoder_backward`
# 6. 正解を使わずに出力系列を作る（貪欲法, greedy decoding） — `greedy_decode`
# 7. 数字列を逆順にする課題で学習させ、系列が長くなると精度が落ちることを確かめる
#
# 各関数のセルにある `# YOUR CODE HERE` を実装し、直後のテストセルを実行して確認してください。
# テストセルは自動採点 (auto-grading) と同じチェックを実行し、得点と、間違っていればどこが違うかを表示します。
# 表示されるのは公開テスト (visible cases) の結果です。採点では、形の違う隠しテスト (hidden tests) も使います。
#
# 次のセルはモジュールの先頭部分 (import と定数) です。実行してから先に進んでください。

# %% [module]

# %% [markdown]
# ## 1. モデルと記号
#
# エンコーダもデコーダも、LSTM の演習と同じ講義の LSTM です（$\mathbf{z}$ がメモリユニットの出力、$\mathbf{s}$ がメモリセル）。
# デコーダの量にはプライム ($'$) を付けて区別します。
#
# $$
# \begin{aligned}
# &\text{エンコーダ:} && (\mathbf{z}_t, \mathbf{s}_t) = \mathrm{LSTM}_{\mathrm{enc}}(\mathbf{x}_t, \mathbf{z}_{t-1}, \mathbf{s}_{t-1}),
#   \quad \mathbf{z}_0 = \mathbf{s}_0 = \mathbf{0}, \quad t = 1, \dots, T \\
# &\text{デコーダ:} && (\mathbf{z}'_t, \mathbf{s}'_t) = \mathrm{LSTM}_{\mathrm{dec}}(\mathbf{x}'_t, \mathbf{z}'_{t-1}, \mathbf{s}'_{t-1}),
#   \quad \mathbf{z}'_0 = \mathbf{z}_T, \ \mathbf{s}'_0 = \mathbf{s}_T, \quad t = 1, \dots, T' \\
# &\text{出力層:} && \mathbf{v}_t = W^{\mathrm{out}} \begin{pmatrix} 1 \\ \mathbf{z}'_t \end{pmatrix}, \quad
#   \hat{\mathbf{y}}_t = \operatorname{softmax}(\mathbf{v}_t), \quad
#   E = -\sum_{t=1}^{T'} \sum_{k=1}^{m} y_{tk} \log \hat{y}_{tk}
# \end{aligned}
# $$
#
# 講義の「エンコーダが出力したベクトル $S$」は、ここではエンコーダの最後の状態の組 $(\mathbf{z}_T, \mathbf{s}_T)$ です。
# デコーダはその状態から出発します。出力は $m$ 種類の記号のどれかで、出力層はソフトマックス関数、
# 誤差関数はクロスエントロピーです（rnn_bptt の分類と同じ）。
#
# **デコーダの入力.** デコーダは 1 つ前の記号を入力として読みます。最初の時刻には前の記号がないので、
# 開始の記号 **<go>** を入れます。入力は $m+2$ 次元で、先頭はいつもどおりバイアスの 1、次が <go> の印、残り $m$ 個が前の記号の one-hot です:
#
# $$
# \mathbf{x}'_1 = (1, 1, 0, \dots, 0)^\top, \qquad \mathbf{x}'_t = (1, 0, \mathbf{y}_{t-1}^\top)^\top \quad (t \ge 2).
# $$
#
# | 記号 | 意味 | コード | 形 |
# | --- | --- | --- | --- |
# | $\mathbf{x}_t$ | エンコーダの入力（先頭が 1） | `X[t-1]` | `(d+1,)` |
# | $\mathbf{z}_t, \mathbf{s}_t$ | エンコーダの出力とメモリセル | `Z[t-1]`, `S[t-1]` | `(H,)` |
# | $\mathbf{z}_T, \mathbf{s}_T$ | エンコーダの最後の状態（講義の $S$） | `z_T`, `s_T` | `(H,)` |
# | $\mathbf{x}'_t$ | デコーダの入力（1, <go>, 前の記号） | `Xd[t-1]` | `(m+2,)` |
# | $\mathbf{z}'_t, \mathbf{s}'_t$ | デコーダの出力とメモリセル | `Z[t-1]` | `(H,)` |
# | $\mathbf{y}_t$ | 正解の記号（one-hot） | `Y[t-1]` | `(m,)` |
# | $\hat{\mathbf{y}}_t$ | デコーダの出力（確率） | `Yhat[t-1]` | `(m,)` |
# | $W^{\mathrm{out}}$ | 出力層の重み（列 0 がバイアス） | `P["W_out"]` | `(m, H+1)` |
# | エンコーダの LSTM の重み | `W_in`, `W`, `W_F_in`, … | `P[...]` | `(H, d+1)`, `(H, H)` |
# | デコーダの LSTM の重み | 同じ 8 つのキー | `P[...]` | `(H, m+2)`, `(H, H)` |
#
# $T$ は入力系列の長さ、$T'$ は出力系列の長さで、一般に $T \neq T'$ です。エンコーダとデコーダは別々の重みを持ちますが、
# 状態を受け渡すので $H$ は共通です。

# %% [markdown]
# ## 2. 用意してある LSTM
#
# 次のセルの関数はそのまま使ってください。`lstm_step`, `lstm_forward` は LSTM の演習で書いたものと同じで、
# ステップの `cache` のキーも同じ（`"x"`, `"z_prev"`, `"s_prev"`, `"u"`, `"gF"`, `"gI"`, `"gO"`, `"s"`）です。違いは次の 2 点です。
#
# - `lstm_forward(X, P, z0, s0)` は初期状態 $\mathbf{z}_0, \mathbf{s}_0$ を受け取れます（省略すると $\mathbf{0}$）。
#   デコーダはエンコーダの最後の状態から始まるからです。
# - `lstm_backward(dZ, caches, P, ds_last)` は `(grads, dz0, ds0)` を返します。`dz0`, `ds0` は
#   **初期状態に対する勾配** $\partial E / \partial \mathbf{z}_0$, $\partial E / \partial \mathbf{s}_0$ です。
#   `ds_last` には、最後のメモリセル $\mathbf{s}_T$ に上から直接届く誤差 $\partial E / \partial \mathbf{s}_T$ を渡せます（省略すると $\mathbf{0}$）。
#
# `softmax` は行ごと（最後の軸について）のソフトマックス関数で、最大値を引いてから計算します。

# %% [setup] sigmoid softmax lstm_step lstm_forward lstm_backward

# %% [markdown]
# ## 3. エンコーダ — `encode`
#
# エンコーダは $\mathbf{z}_0 = \mathbf{s}_0 = \mathbf{0}$ から入力系列を最後まで読みます。エンコーダには出力層がなく、
# 使うのは最後の状態 $(\mathbf{z}_T, \mathbf{s}_T)$ だけです。これが入力系列全体を表す **固定長のベクトル** になります。
# 逆伝播のために、各時刻の `cache` のリストも返してください。

# %% [solution] encode

# %% [tests] encode

# %% [markdown]
# ## 4. 教師強制 — `decoder_inputs`
#
# デコーダは 1 つ前の記号を入力として読みます。学習のときは、デコーダ自身の（まだ間違いだらけの）出力ではなく、
# **正解の 1 つ前の記号** $\mathbf{y}_{t-1}$ を入れます。これを **教師強制 (teacher forcing)** と呼びます。
# こうすると、どの時刻も正しい文脈から次の記号を予測する練習になり、全時刻の入力が最初から決まるので、
# デコーダの順伝播は普通の LSTM の順伝播 1 回で済みます。
#
# $$
# X' = \begin{pmatrix} \mathbf{x}'^\top_1 \\ \mathbf{x}'^\top_2 \\ \vdots \\ \mathbf{x}'^\top_{T'} \end{pmatrix}
#    = \begin{pmatrix} 1 & 1 & \mathbf{0}^\top \\ 1 & 0 & \mathbf{y}_1^\top \\ \vdots & \vdots & \vdots \\ 1 & 0 & \mathbf{y}_{T'-1}^\top \end{pmatrix}
#    \in \mathbb{R}^{T' \times (m+2)}
# $$
#
# 正解 $\mathbf{y}_t$ そのものを時刻 $t$ に入れてはいけません（答えを見ながら答えることになります）。最後の記号 $\mathbf{y}_{T'}$ は入力には使われません。

# %% [solution] decoder_inputs

# %% [tests] decoder_inputs

# %% [markdown]
# ## 5. デコーダの順伝播 — `decoder_forward`
#
# 教師強制の入力 $X'$ を、エンコーダの最後の状態 $(\mathbf{z}'_0, \mathbf{s}'_0) = (\mathbf{z}_T, \mathbf{s}_T)$ から始めた
# デコーダの LSTM に通し、各時刻の出力層で
#
# $$
# \hat{\mathbf{y}}_t = \operatorname{softmax}\!\left(W^{\mathrm{out}} \begin{pmatrix} 1 \\ \mathbf{z}'_t \end{pmatrix}\right), \qquad
# E = -\sum_{t=1}^{T'} \sum_{k=1}^{m} y_{tk} \log \hat{y}_{tk}
# $$
#
# を計算します。$E$ は時刻についての**和**です（平均ではありません）。返すのは `Yhat` $(T', m)$, `E`（float）,
# デコーダの出力 `Z` $(T', H)$（行 $t-1$ が $\mathbf{z}'_t$）と、デコーダの LSTM の `caches` です。

# %% [solution] decoder_forward

# %% [tests] decoder_forward

# %% [markdown]
# ## 6. デコーダの逆伝播 — `decoder_backward`
#
# 出力層は rnn_bptt の分類と同じです。ソフトマックス関数とクロスエントロピーの組なので、出力層の誤差は
# $\boldsymbol{\delta}^{\mathrm{out}}_t = \hat{\mathbf{y}}_t - \mathbf{y}_t$ で、
#
# $$
# \frac{\partial E}{\partial W^{\mathrm{out}}} = \sum_t \boldsymbol{\delta}^{\mathrm{out}}_t \begin{pmatrix} 1 \\ \mathbf{z}'_t \end{pmatrix}^{\!\top} = (g(V) - Y)\,(1\ Z),
# \qquad
# \frac{\partial E}{\partial \mathbf{z}'_t}\Big|_{\text{上}} = \tilde{W}^{\mathrm{out}\top} \boldsymbol{\delta}^{\mathrm{out}}_t
# $$
#
# です（$\tilde{W}^{\mathrm{out}}$ はバイアスの列を除いた `W_out[:, 1:]`）。後者を `dZ` として `lstm_backward` に渡せば、
# デコーダの LSTM の 8 つの勾配と、**デコーダの初期状態に対する勾配** $\partial E/\partial \mathbf{z}'_0$, $\partial E/\partial \mathbf{s}'_0$ が得られます。
#
# $\mathbf{z}'_0 = \mathbf{z}_T$, $\mathbf{s}'_0 = \mathbf{s}_T$ なので、これがそのまま **エンコーダへ送る誤差**
# $\partial E/\partial \mathbf{z}_T$, $\partial E/\partial \mathbf{s}_T$ です。返す `grads` には LSTM の 8 つに `"W_out"` を加えた 9 つのキーを入れてください。
#
# 採点では正しい `Yhat`, `Z`, `caches` を渡すので、順伝播に誤りがあっても逆伝播は独立に採点されます。

# %% [solution] decoder_backward

# %% [tests] decoder_backward

# %% [markdown]
# ## 7. エンコーダの逆伝播 — `encoder_backward`
#
# エンコーダには出力層がないので、誤差関数 $E$ がエンコーダに依存するのは最後の状態 $(\mathbf{z}_T, \mathbf{s}_T)$ を
# 通してだけです。したがって「上から」届く誤差は
#
# $$
# \frac{\partial E}{\partial \mathbf{z}_t}\Big|_{\text{上}} = \mathbf{0} \ (t < T), \qquad
# \frac{\partial E}{\partial \mathbf{z}_T}\Big|_{\text{上}} = \frac{\partial E}{\partial \mathbf{z}'_0}, \qquad
# \frac{\partial E}{\partial \mathbf{s}_T}\Big|_{\text{上}} = \frac{\partial E}{\partial \mathbf{s}'_0}
# $$
#
# で、あとは普通の BPTT で $t = T, \dots, 1$ とさかのぼります。メモリセル $\mathbf{s}_T$ への誤差を忘れないでください。
# LSTM ではメモリセルも次の時刻（ここではデコーダ）へ引き継がれる状態なので、勾配もそこから戻ってきます。
#
# 講義の図のとおり、エンコーダとデコーダをつなぐのはベクトル $S$ だけなので、**誤差もこの 1 か所を通ってしか
# エンコーダに届きません**。入力系列の最初のほうの記号を出力に反映させるには、誤差がエンコーダの中を
# $T$ 時刻分さかのぼる必要があります。

# %% [solution] encoder_backward

# %% [tests] encoder_backward

# %% [markdown]
# ### 自分でも確かめよう: 数値微分 (gradient check)
#
# （採点されません。）あなたの `encode` → `decoder_forward` で誤差 $E$ を計算し、
# `decoder_backward` → `encoder_backward` の勾配を、各重みを $\pm\varepsilon$ だけ動かした中心差分
# $\bigl(E(w+\varepsilon) - E(w-\varepsilon)\bigr) / 2\varepsilon$ と比べます。相対誤差が $10^{-7}$ 程度以下なら正しいでしょう。

# %%
try:  # small matrices: one BLAS thread is faster than several waiting for each other on a busy machine
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

rng_check = np.random.default_rng(0)
T_c, Tp_c, d_c, H_c, m_c = 4, 3, 2, 2, 3
X_c = np.hstack([np.ones((T_c, 1)), rng_check.standard_normal((T_c, d_c))])
Y_c = np.eye(m_c)[rng_check.integers(0, m_c, Tp_c)]
P_enc_c = {k: rng_check.normal(0, 0.5, (H_c, d_c + 1) if k.endswith("_in") else (H_c, H_c)) for k in LSTM_KEYS}
P_dec_c = {k: rng_check.normal(0, 0.5, (H_c, m_c + 2) if k.endswith("_in") else (H_c, H_c)) for k in LSTM_KEYS}
P_dec_c["W_out"] = rng_check.normal(0, 0.5, (m_c, H_c + 1))


def loss_c():
    z_T, s_T, _ = encode(X_c, P_enc_c)
    return decoder_forward(Y_c, z_T, s_T, P_dec_c)[1]


z_T, s_T, enc_caches = encode(X_c, P_enc_c)
Yhat_c, _, Z_c, dec_caches = decoder_forward(Y_c, z_T, s_T, P_dec_c)
grads_dec_c, dz_T_c, ds_T_c = decoder_backward(Y_c, Yhat_c, Z_c, dec_caches, P_dec_c)
grads_enc_c = encoder_backward(dz_T_c, ds_T_c, enc_caches, P_enc_c)
step_c = 1e-6
for name, P_c, grads_c in (("encoder", P_enc_c, grads_enc_c), ("decoder", P_dec_c, grads_dec_c)):
    for key in P_c:
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
        print(f"{name} {key:7s} relative error {rel:.1e}")

# %% [markdown]
# ## 8. 貪欲法による復号 — `greedy_decode`
#
# 学習が終わって実際に使うときには正解 $\mathbf{y}_{t-1}$ がありません。講義のとおり、デコーダは
# **自身の出力を次のステップで入力として受け取ります**。各時刻で最も確率の高い記号
# $k_t = \operatorname{argmax}_k \hat{y}_{tk}$ を選んで出力し、その one-hot を次の入力にします（**貪欲法, greedy decoding**）:
#
# $$
# \mathbf{x}'_1 = (1, 1, 0, \dots, 0)^\top, \qquad
# \mathbf{x}'_{t+1} = (1, 0, \operatorname{onehot}(k_t)^\top)^\top .
# $$
#
# 入力が前の時刻の出力で決まるので、今度は `lstm_forward` を 1 回呼ぶのではなく、`lstm_step` を 1 時刻ずつ呼び、
# 状態 $(\mathbf{z}'_t, \mathbf{s}'_t)$ を引き継ぎます。返すのは各時刻の $\hat{\mathbf{y}}_t$ と、選んだ記号の one-hot です。
# 確率のベクトル $\hat{\mathbf{y}}_t$ そのものを次の入力にしてはいけません（学習のときにデコーダが見ていたのは one-hot です）。

# %% [solution] greedy_decode

# %% [tests] greedy_decode

# %% [markdown]
# ## 9. 実験: 数字列を逆順にする
#
# ここからは採点されません。入力は長さ $L$ の数字列（0〜9 の one-hot, $d = 10$）、出力はそれを逆順にした数字列
# （$m = 10$, $T' = T = L$）です。たとえば `3 1 4 1 5` → `5 1 4 1 3`。出力の最初の記号は入力の最後の記号なので、
# エンコーダは入力全体を最後の状態 $(\mathbf{z}_T, \mathbf{s}_T)$ に詰め込んでおく必要があります。
#
# まず、あなたの関数が参照実装 `rnnref.seq2seq`（系列をまとめて処理するバッチ版）と同じ誤差と勾配を与えることを確かめます。
# 学習はその参照実装で行います（1 回の更新で 32 組の系列をまとめて扱うため、Python で 1 組ずつ計算するより速いからです）。
#
# 行列が小さいので、numpy の行列積 (BLAS) を 1 スレッドに制限します（複数のスレッドは互いを待つだけで遅くなります）。

# %%
import time

import matplotlib.pyplot as plt

from rnnref import add_bias, adam, clip_grad_norm
from rnnref.seq2seq import encoder_forward, init_seq2seq_params, seq2seq_loss
from rnnref.seq2seq import greedy_decode as greedy_decode_batch

try:  # small matrices: one BLAS thread is faster than several waiting for each other
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")
except ImportError:
    pass

K = 10  # digits 0-9: the encoder's d and the decoder's m


def reverse_task(rng, n, L):
    """n digit strings of length L: X (n, L, K+1) one-hot with the bias 1 first, Y (n, L, K) the reversed strings."""
    digits = rng.integers(0, K, (n, L))
    return add_bias(np.eye(K)[digits]), np.eye(K)[digits[:, ::-1]]


X_demo, Y_demo = reverse_task(np.random.default_rng(0), 4, 5)
print("source digits:", X_demo[0, :, 1:].argmax(axis=1), " target digits:", Y_demo[0].argmax(axis=1))

# your functions, one pair of sequences at a time, summed over the batch ...
P_enc, P_dec = init_seq2seq_params(K, K, 8, seed=0)
E_mine = 0.0
g_enc_mine = {k: np.zeros_like(v) for k, v in P_enc.items()}
g_dec_mine = {k: np.zeros_like(v) for k, v in P_dec.items()}
for X, Y in zip(X_demo, Y_demo):
    z_T, s_T, enc_caches = encode(X, P_enc)
    Yhat, E, Z, dec_caches = decoder_forward(Y, z_T, s_T, P_dec)
    g_dec, dz_T, ds_T = decoder_backward(Y, Yhat, Z, dec_caches, P_dec)
    g_enc = encoder_backward(dz_T, ds_T, enc_caches, P_enc)
    E_mine += E
    for k in g_enc:
        g_enc_mine[k] += g_enc[k]
    for k in g_dec:
        g_dec_mine[k] += g_dec[k]
# ... and rnnref's batched version
E_ref, g_enc_ref, g_dec_ref = seq2seq_loss(X_demo, Y_demo, P_enc, P_dec)
print(f"E: yours {E_mine:.10f}, rnnref {E_ref:.10f}")
print("largest gradient difference:",
      max(np.abs(g_enc_mine[k] - g_enc_ref[k]).max() for k in g_enc_ref),
      max(np.abs(g_dec_mine[k] - g_dec_ref[k]).max() for k in g_dec_ref))

# %% [markdown]
# 学習には誤差の勾配を使い、Adam で更新します（1 回の更新ごとに新しい 32 組、勾配のノルムは 5 でクリップ）。
# 25 回の更新ごとに、学習に使っていない 200 組の系列を **貪欲法で** 復号し、1 桁ごとの正解率を測ります
# （学習の後の最終的な正解率は、別の 500 組で測ります）。

# %%
def clip_both(g_enc, g_dec, max_norm=5.0):
    """Clip the encoder's and the decoder's gradients together, by their joint norm."""
    both, _ = clip_grad_norm({**{("enc", k): g for k, g in g_enc.items()},
                              **{("dec", k): g for k, g in g_dec.items()}}, max_norm)
    return {k: both[("enc", k)] for k in g_enc}, {k: both[("dec", k)] for k in g_dec}


def digit_accuracy(P_enc, P_dec, L, n=500, seed=1):
    """Greedy decoding of n new strings: (n, L) booleans, True where the digit is right."""
    X, Y = reverse_task(np.random.default_rng(seed), n, L)
    _, z_T, s_T, _ = encoder_forward(X, P_enc)
    _, Y_pred, _ = greedy_decode_batch(z_T, s_T, P_dec, L)
    return Y_pred.argmax(axis=-1) == Y.argmax(axis=-1)


def train(L, H=32, iters=400, batch=32, lr=0.02, seed=0, every=0):
    """Adam on the cross-entropy under teacher forcing; returns the parameters, the loss per digit
    and, every `every` updates, the greedy per-digit accuracy on new strings."""
    rng = np.random.default_rng(seed)
    P_enc, P_dec = init_seq2seq_params(K, K, H, seed=seed)
    s_enc = s_dec = None
    losses, accs = [], []
    for it in range(iters):
        X, Y = reverse_task(rng, batch, L)
        E, g_enc, g_dec = seq2seq_loss(X, Y, P_enc, P_dec)
        g_enc, g_dec = clip_both({k: g / batch for k, g in g_enc.items()}, {k: g / batch for k, g in g_dec.items()})
        P_enc, s_enc = adam(P_enc, g_enc, s_enc, lr=lr)
        P_dec, s_dec = adam(P_dec, g_dec, s_dec, lr=lr)
        losses.append(E / (batch * L))
        if every and (it + 1) % every == 0:
            accs.append(digit_accuracy(P_enc, P_dec, L, n=200, seed=2).mean())
    return P_enc, P_dec, np.array(losses), np.array(accs)


L = 5
start = time.perf_counter()
P_enc5, P_dec5, losses5, accs5 = train(L, every=25)
print(f"trained in {time.perf_counter() - start:.1f} s")
right5 = digit_accuracy(P_enc5, P_dec5, L)
print(f"L={L}: per-digit accuracy {right5.mean():.3f}, whole strings right {right5.all(axis=1).mean():.3f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
axes[0].plot(losses5)
axes[0].set(xlabel="update", ylabel="cross-entropy per digit", title="teacher forcing: training loss", yscale="log")
axes[1].plot(np.arange(1, len(accs5) + 1) * 25, accs5, marker="o")
axes[1].axhline(1 / K, color="gray", ls=":", label="chance 1/10")
axes[1].set(xlabel="update", ylabel="per-digit accuracy", title=f"greedy decoding of new strings, $L$ = {L}",
            ylim=(0, 1.05))
axes[1].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# 学習したモデルで、あなたの `encode` と `greedy_decode` を使って新しい数字列を逆順にしてみます。

# %%
X_new, Y_new = reverse_task(np.random.default_rng(3), 5, L)
for X, Y in zip(X_new, Y_new):
    z_T, s_T, _ = encode(X, P_enc5)
    _, Y_pred = greedy_decode(z_T, s_T, P_dec5, L)
    src, out, want = X[:, 1:].argmax(axis=1), Y_pred.argmax(axis=1), Y.argmax(axis=1)
    print(" ".join(map(str, src)), "->", " ".join(map(str, out)), "  (correct)" if np.all(out == want) else "  (wrong)")

# %% [markdown]
# ### 系列が長くなると
#
# 同じ $H = 32$、同じ更新回数で、長さ $L = 4, 8, 12$ の数字列を学習させます。右の図は、出力の位置ごとの正解率です。
# 出力の 1 番目は入力の最後の数字（エンコーダが最後に読んだもの）、出力の最後は入力の最初の数字（$L$ 時刻前に読んだもの）です。

# %%
lengths = (4, 8, 12)
results = {}
for L_i in lengths:
    P_e, P_d, _, _ = train(L_i)
    results[L_i] = digit_accuracy(P_e, P_d, L_i)
    print(f"L={L_i:2d}: per-digit accuracy {results[L_i].mean():.3f}, whole strings {results[L_i].all(axis=1).mean():.3f}")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
axes[0].plot(lengths, [results[L_i].mean() for L_i in lengths], marker="o")
axes[0].axhline(1 / K, color="gray", ls=":", label="chance 1/10")
axes[0].set(xlabel="string length $L$", ylabel="per-digit accuracy", title="seq2seq without attention", ylim=(0, 1.05))
axes[0].legend()
for L_i in lengths:
    axes[1].plot(np.arange(1, L_i + 1), results[L_i].mean(axis=0), marker=".", label=f"$L$ = {L_i}")
axes[1].set(xlabel="output position $t$ ($t = 1$ is the LAST input digit)", ylabel="accuracy", ylim=(0, 1.05),
            title="accuracy by output position")
axes[1].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 10. 考察
#
# - 長さ 5 の数字列なら、エンコーダの最後の状態 $(\mathbf{z}_T, \mathbf{s}_T)$ だけから、デコーダはほぼすべての数字を逆順に書けます。
#   2 つの LSTM をつなぐのは講義のベクトル $S$ だけで、誤差もそこを通ってエンコーダに戻ります（`encoder_backward`）。
# - 系列が長くなると正解率は大きく下がります。$H = 32$ 次元の固定長のベクトルに、長い入力のすべてを詰め込まなければならないからです。
#   位置ごとに見ると、入力の最後のほうの数字（出力の最初のほう）は当たり、入力の最初のほうの数字ほど外れます。
#   講義の言葉では「Encoder の出力は 1 つの固定次元ベクトルに収めなければならず、長文では精度低下が避けられなかった」。
#   これを解決するのが次の演習の **Attention** です。
# - 学習（教師強制）では正しい前の記号を入力しますが、復号（貪欲法）では自分の出力を入力します。
#   一度間違えると、その後は学習で見たことのない文脈から予測を続けることになります。
#
# **やってみよう（採点対象外）**
#
# 1. $H$ を 16 や 64 にすると、長い系列での正解率はどう変わるでしょうか。
# 2. 入力系列を逆順にせず、そのまま写す（コピーする）課題にすると、学習は易しくなるでしょうか、難しくなるでしょうか。
#    （講義の seq2seq の元論文 (Sutskever et al., 2014) は、入力の語順を逆にすると翻訳の精度が上がることを報告しています。）
# 3. `greedy_decode` で、argmax の代わりに $\hat{\mathbf{y}}_t$ から確率的に記号を選ぶと、出力はどうなるでしょうか。
