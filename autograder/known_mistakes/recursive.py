"""The typical mistakes of the recursive exercise (see autograder/mistakes.py for how they are matched).

Each variant is the reference written with one thing wrong; the backward variants share one helper,
so that each differs from the lecture's BPTS in exactly one place.
"""

from __future__ import annotations

import numpy as np

from ..mistakes import Mistake
from ._softmax import LOG_OF_ZERO, MIN_SHIFT, NO_SHIFT, cross_entropy_everywhere
from ._softmax import softmax as _shifted_softmax


def _softmax(v):
    e = np.exp(v - v.max())
    return e / e.sum()


def _child_input(hl, hr, how):
    """[1; h_l; h_r], or one of its wrong orders."""
    if how == "swapped":
        return np.concatenate([[1.0], hr, hl])
    if how == "bias_last":
        return np.concatenate([hl, hr, [1.0]])
    return np.concatenate([[1.0], hl, hr])


# ---------------------------------------------------------------------------------------------
# the forward pass and the root


def _forward(order="right", leaf_tanh=False, activation=np.tanh):
    def tree_forward(X_leaves, children, W):
        n_leaves, H = X_leaves.shape
        rows = [np.tanh(x) if leaf_tanh else np.asarray(x, dtype=np.float64) for x in X_leaves]
        for l, r in np.asarray(children).reshape(-1, 2):
            rows.append(activation(W @ _child_input(rows[l], rows[r], order)))
        return np.array(rows).reshape(-1, H)

    return tree_forward


def _root_output(bias="first", normalise=True, shift="max"):
    def root_output(h_root, W_out):
        if bias == "first":
            v = W_out[:, 0] + W_out[:, 1:] @ h_root
        elif bias == "last":
            v = W_out[:, :-1] @ h_root + W_out[:, -1]
        else:  # omitted
            v = W_out[:, 1:] @ h_root
        return _shifted_softmax(v, shift) if normalise else v

    return root_output


def _loss(kind):
    def loss(yhat, y):
        if kind == "log_everywhere":
            return cross_entropy_everywhere(yhat, y)
        with np.errstate(divide="ignore"):
            terms = np.where(y > 0, y * np.log(np.where(y > 0, yhat, 1.0)), 0.0)  # 0 · log 0 = 0: one thing wrong
        if kind == "no_minus":
            return float(np.sum(terms))
        if kind == "mean":
            return float(-np.mean(terms))
        return float(-np.sum(terms + (1.0 - y) * np.log(1.0 - yhat)))  # "binary": a sigmoid's loss per class

    return loss


# ---------------------------------------------------------------------------------------------
# BPTS


def _backward(split="right", fprime=True, accumulate=True, leaf_fprime=False):
    """(D, dW, dX) of the lecture's BPTS with one thing wrong."""

    def tree_backward(dh_root, H_nodes, children, W):
        n_nodes, H = H_nodes.shape
        C = np.asarray(children).reshape(-1, 2)
        n_leaves = n_nodes - len(C)
        blocks = {"right": (W[:, 1:H + 1], W[:, H + 1:]), "swapped": (W[:, H + 1:], W[:, 1:H + 1]),
                  "bias_kept": (W[:, :H], W[:, H:2 * H])}[split]
        G = np.zeros((n_nodes, H))
        G[-1] = dh_root
        D = np.zeros((H, len(C)))
        dW = np.zeros(W.shape)
        for i in range(len(C) - 1, -1, -1):
            p, (l, r) = n_leaves + i, C[i]
            delta = G[p] * (1.0 - H_nodes[p] ** 2) if fprime else G[p]
            D[:, i] = delta
            term = np.outer(delta, _child_input(H_nodes[l], H_nodes[r], "swapped" if split == "swapped" else "right"))
            dW = dW + term if accumulate else term
            G[l] += blocks[0].T @ delta
            G[r] += blocks[1].T @ delta
        dX = G[:n_leaves] * (1.0 - H_nodes[:n_leaves] ** 2) if leaf_fprime else G[:n_leaves]
        return D, dW, dX

    return tree_backward


_RIGHT_BACKWARD = _backward()


def _grads(error=lambda yhat, y: yhat - y, tilde=lambda W_out: W_out[:, 1:], out_bias=True):
    def tree_grads(H_nodes, children, W, W_out, y):
        h = H_nodes[-1]
        d_out = error(_softmax(W_out[:, 0] + W_out[:, 1:] @ h), y)
        dW_out = np.outer(d_out, np.concatenate([[1.0], h]) if out_bias else h)
        _, dW, dX = _RIGHT_BACKWARD(tilde(W_out).T @ d_out, H_nodes, children, W)
        return {"W": dW, "W_out": dW_out, "X": dX}

    return tree_grads


SWAPPED = ("Did you swap the children? u_p = W [1; h_l; h_r]: columns 1…H of W (W_l) act on the LEFT child "
           "children[i][0], columns H+1…2H (W_r) on the right child children[i][1].",
           "左右の子を取り違えていませんか？u_p = W [1; h_l; h_r] で、W の列 1…H（W_l）が左の子 children[i][0] に、"
           "列 H+1…2H（W_r）が右の子 children[i][1] に掛かります。")

MISTAKES = {
    "tree_forward": (
        Mistake("children_swapped", *SWAPPED, _forward(order="swapped")),
        Mistake("bias_last",
                "Did you put the 1 of the bias last, [h_l; h_r; 1]? The bias is W's column 0: u_p = W [1; h_l; h_r].",
                "バイアスの 1 を最後に置いて [h_l; h_r; 1] としていませんか？バイアスは W の列 0 です: "
                "u_p = W [1; h_l; h_r]。",
                _forward(order="bias_last")),
        Mistake("tanh_missing",
                "Did you leave out the tanh? An inner node's state is h_p = tanh(u_p), u_p = W [1; h_l; h_r].",
                "tanh を忘れていませんか？内部ノードの状態は h_p = tanh(u_p)、u_p = W [1; h_l; h_r] です。",
                _forward(activation=lambda u: u)),
        Mistake("leaves_through_tanh",
                "Did you pass the leaves through tanh? A leaf's state is its vector itself, h_i = x_i: only the "
                "inner nodes compute tanh(W [1; h_l; h_r]).",
                "葉にも tanh を掛けていませんか？葉の状態はベクトルそのもの h_i = x_i で、tanh(W [1; h_l; h_r]) を"
                "計算するのは内部ノードだけです。",
                _forward(leaf_tanh=True)),
    ),
    "root_output": (
        Mistake("output_bias_omitted",
                "Did you leave out the output bias? v = W_out [1; h_root]: column 0 of W_out multiplies the 1.",
                "出力層のバイアスを忘れていませんか？v = W_out [1; h_root] で、W_out の列 0 が 1 に掛かります。",
                _root_output(bias="omitted")),
        Mistake("bias_column_last",
                "Did you take the last column of W_out as the bias? The bias is column 0: v = W_out[:, 0] + "
                "W_out[:, 1:] h_root.",
                "W_out の最後の列をバイアスにしていませんか？バイアスは列 0 です: v = W_out[:, 0] + W_out[:, 1:] h_root。",
                _root_output(bias="last")),
        Mistake("softmax_missing",
                "Did you return v = W_out [1; h_root] itself? The classifier's output is ŷ = softmax(v), "
                "probabilities that sum to 1.",
                "v = W_out [1; h_root] をそのまま返していませんか？分類の出力は ŷ = softmax(v) で、和が 1 の確率です。",
                _root_output(normalise=False)),
        Mistake("softmax_without_max_shift", *NO_SHIFT, _root_output(shift="none")),
        Mistake("softmax_min_shift", *MIN_SHIFT, _root_output(shift="min")),
    ),
    "loss": (
        Mistake("cross_entropy_sign",
                "Did you drop the minus sign? The cross-entropy is E = −Σ_k y_k log ŷ_k ≥ 0.",
                "マイナス符号を落としていませんか？クロスエントロピーは E = −Σ_k y_k log ŷ_k ≥ 0 です。",
                _loss("no_minus")),
        Mistake("mean_over_classes",
                "Did you take the mean over the classes? E = −Σ_k y_k log ŷ_k is a sum, not divided by m.",
                "クラスについて平均を取っていませんか？E = −Σ_k y_k log ŷ_k は和で、m で割りません。",
                _loss("mean")),
        Mistake("binary_cross_entropy",
                "Did you add (1 − y_k) log(1 − ŷ_k)? That is the loss of m separate sigmoids; with the softmax "
                "E = −Σ_k y_k log ŷ_k only.",
                "(1 − y_k) log(1 − ŷ_k) を足していませんか？それは m 個のシグモイドの誤差です。ソフトマックス関数では "
                "E = −Σ_k y_k log ŷ_k だけです。",
                _loss("binary")),
        Mistake("log_of_zero", *LOG_OF_ZERO, _loss("log_everywhere")),
    ),
    "tree_backward": (
        Mistake("children_swapped", *SWAPPED, _backward(split="swapped"), outputs=("D", "dX")),
        Mistake("bias_kept_in_split",
                "Did you split δ to the children with the bias column kept? h_l gets W_lᵀ δ_p with "
                "W_l = W[:, 1:H+1] and h_r gets W_rᵀ δ_p with W_r = W[:, H+1:]; column 0 (the bias) sends nothing down.",
                "バイアスの列を残したまま δ を子に分けていませんか？h_l には W_l = W[:, 1:H+1] の W_lᵀ δ_p、h_r には "
                "W_r = W[:, H+1:] の W_rᵀ δ_p が伝わります。列 0（バイアス）からは何も伝わりません。",
                _backward(split="bias_kept"), outputs=("D", "dX")),
        Mistake("tanh_prime_missing",
                "Did you leave out ⊙ (1 − h_p²)? δ_p = ∂E/∂u_p is taken before the tanh: "
                "δ_p = ∂E/∂h_p ⊙ (1 − h_p²) at every inner node.",
                "⊙ (1 − h_p²) を忘れていませんか？δ_p = ∂E/∂u_p は tanh の手前の量なので、どの内部ノードでも "
                "δ_p = ∂E/∂h_p ⊙ (1 − h_p²) です。",
                _backward(fprime=False)),
        Mistake("dW_overwritten",
                "Did you overwrite dW at each inner node? W is shared by every inner node: "
                "∂E/∂W = Σ_p δ_p [1; h_l; h_r]ᵀ adds up the terms of all of them (dW += …).",
                "内部ノードごとに dW を上書きしていませんか？W はすべての内部ノードで共有されているので、"
                "∂E/∂W = Σ_p δ_p [1; h_l; h_r]ᵀ は全ノードの項の和です（dW += …）。",
                _backward(accumulate=False), outputs=("dW",)),
        Mistake("tanh_prime_at_leaves",
                "Did you multiply the leaves' gradients by 1 − x_i²? A leaf has no tanh (h_i = x_i): "
                "∂E/∂x_i is the ∂E/∂h_i its parent sends.",
                "葉の勾配にも 1 − x_i² を掛けていませんか？葉には tanh がない（h_i = x_i）ので、∂E/∂x_i は"
                "親から届いた ∂E/∂h_i そのものです。",
                _backward(leaf_fprime=True), outputs=("dX",)),
    ),
    "tree_grads": (
        Mistake("output_error_sign",
                "Did you use y − ŷ? The root's output error is δ^out = ŷ − y (the gradient, not its negative).",
                "y − ŷ を使っていませんか？根での出力の誤差は δ^out = ŷ − y です（勾配で、その符号反転ではありません）。",
                _grads(error=lambda yhat, y: y - yhat)),
        Mistake("target_missing",
                "Did you leave y out of the root's error? With the softmax and the cross-entropy "
                "∂E/∂v = ŷ − y: subtract the one-hot target from ŷ.",
                "根での誤差から y を落としていませんか？ソフトマックス関数とクロスエントロピーでは ∂E/∂v = ŷ − y です。"
                "ŷ から one-hot の目標値を引いてください。",
                _grads(error=lambda yhat, y: yhat)),
        Mistake("bias_column_kept",
                "Did you send the error to the root through W_out[:, :H]? The bias column 0 sends nothing back: "
                "∂E/∂h_root = W̃_outᵀ (ŷ − y) with W̃_out = W_out[:, 1:].",
                "W_out[:, :H] を通して根に誤差を戻していませんか？バイアスの列 0 からは何も戻りません: "
                "∂E/∂h_root = W̃_outᵀ (ŷ − y)、W̃_out = W_out[:, 1:] です。",
                _grads(tilde=lambda W_out: W_out[:, :-1])),
        Mistake("output_bias_gradient_missing",
                "Did you leave the bias out of ∂E/∂W_out? ∂E/∂W_out = δ^out [1; h_root]ᵀ is (m, H+1), like W_out; "
                "its column 0 is δ^out.",
                "∂E/∂W_out からバイアスを落としていませんか？∂E/∂W_out = δ^out [1; h_root]ᵀ は W_out と同じ (m, H+1) で、"
                "列 0 は δ^out です。",
                _grads(out_bias=False)),
    ),
}
