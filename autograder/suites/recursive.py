"""recursive: the recursive neural network over binary trees — the forward pass node by node, the softmax
classifier at the root, backpropagation through structure (BPTS) and every gradient of the loss.

References from rnnref.recursive (one tree: its forest of one). Trees cross the wire as plain data:
``children`` is a list of [l, r] pairs of ints (the kit hands students float64 arrays only), leaves
first, children before parents, the root last (see the exercise's module docstring). The shapes: a single leaf (no inner node: the root is the leaf), two
leaves, the left-deep chain (an Elman RNN), the right-deep chain, a balanced and random trees; within
each, n_leaves, n_inner, n_nodes, H, 2H+1 and m differ (except the single leaf's n_leaves = n_nodes).
"""

from __future__ import annotations

import numpy as np

from rnnref.activations import softmax
from rnnref.recursive import (
    balanced_tree,
    left_chain,
    random_tree,
    recursive_backward,
    recursive_forward,
    recursive_net_backward,
    recursive_net_forward,
    right_chain,
)
from rnnref.rnn import affine_out_forward

from ..cases import FDGradients
from . import FD_LABEL, Suite, fd_last, numerical_gradients, spread
from ._data import matrix

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 10

A = "recursive"

BUILD = {"balanced": lambda n, rng: balanced_tree(n), "left chain": lambda n, rng: left_chain(n),
         "right chain": lambda n, rng: right_chain(n), "random": random_tree}

# (shape, n_leaves, H, m, visible): n_leaves, n_inner = n_leaves − 1, n_nodes = 2 n_leaves − 1, H, 2H+1, m differ
TREES = [("balanced", 4, 2, 6, True), ("left chain", 5, 3, 2, True), ("single leaf", 1, 3, 4, True),
         ("right chain", 6, 1, 4, False), ("random", 7, 4, 3, False), ("two leaves", 2, 5, 4, False)]
FD_TREE = ("random", 5, 3, 2)  # n_leaves 5, n_inner 4, n_nodes 9, H 3, 2H+1 7, m 2

#: root_output's (H, m) and loss's m
OUT_SIZES = [(3, 5, True), (1, 4, True), (4, 2, False), (6, 3, False)]
LOSS_SIZES = [(3, True), (5, True), (2, False), (7, False)]


def _children(rng, shape, n):
    """The tree as students get it: a list of [l, r] pairs of Python ints (every array handed out is float64)."""
    return BUILD.get(shape, BUILD["left chain"])(n, rng).tolist()


def _tree(rng, shape, n, H, m):
    """A tree's inputs: children, leaf vectors, W (H, 2H+1), W_out (m, H+1) and a one-hot y."""
    children = _children(rng, shape, n)
    X = rng.normal(0.0, 0.8, (n, H))
    W = matrix(rng, H, 2 * H + 1, scale=0.6)
    W_out = matrix(rng, m, H + 1, scale=0.8)
    y = np.eye(m)[rng.integers(0, m)]
    return children, X, W, W_out, y


def _label(shape, n, H, m, with_m=True):
    what = {"left chain": "left chain (an Elman RNN)", "single leaf": "single leaf (the root is the leaf)"}.get(shape, shape)
    leaves = "" if shape in ("single leaf", "two leaves") else f", {n} leaves"
    return f"{what}{leaves}, H={H}" + (f", m={m}" if with_m else "")


def _variants(build, with_m=True):
    return [(_label(shape, n, H, m, with_m), (lambda rng, dims=(shape, n, H, m): build(rng, *dims)), visible)
            for shape, n, H, m, visible in TREES]


def _forward(rng, shape, n, H, m):
    children, X, W, _, _ = _tree(rng, shape, n, H, m)
    return (X, children, W), {}, recursive_forward(X, children, {"W": W})[0]


def _root_output(H, m):
    def make(rng):
        h_root = np.tanh(rng.normal(0.0, 1.0, H))
        W_out = matrix(rng, m, H + 1, scale=0.8)
        return (h_root, W_out), {}, softmax(affine_out_forward(h_root, W_out)[0])

    return make


def _loss(m):
    def make(rng):
        yhat = softmax(rng.normal(0.0, 1.5, m))
        y = np.eye(m)[rng.integers(0, m)]
        return (yhat, y), {}, float(-np.log(yhat[np.argmax(y)]))

    return make


def _root_output_large(H, m):
    """Scores v in the thousands, spread over about 4000 (the bias column from −2000 to 2000, the runner-up within a few
    units of the max): e^{v} overflows unless v is shifted by its max (nothing, the min or the sum gives ∞/∞), and
    the ŷ_k far below the max are exactly 0."""
    from ..known_mistakes._softmax import fails_every_wrong_shift

    def make(rng):
        while True:
            h_root = np.tanh(rng.normal(0.0, 1.0, H))
            W_out = matrix(rng, m, H + 1, scale=0.8)
            W_out[:, 0] = rng.permutation(np.linspace(-2000.0, 2000.0, m)) + rng.uniform(-50.0, 50.0, m)
            top = np.argsort(W_out[:, 0])[-2:]
            W_out[top[0], 0] = W_out[top[1], 0] - rng.uniform(0.5, 3.0)  # a runner-up close to the max: ŷ not one-hot
            W_out[:, 0] += rng.uniform(-1000.0, 1000.0)  # all moved together: the sum of v is no stand-in for the max
            v = affine_out_forward(h_root, W_out)[0]
            if fails_every_wrong_shift(v):
                return (h_root, W_out), {}, softmax(v)

    return make


def _loss_zero_probabilities(m):
    """Some ŷ_k exactly 0 where y_k = 0 (as root_output gives for scores far below the max): 0 · log 0 counts as 0."""

    def make(rng):
        k = int(rng.integers(0, m))
        yhat = rng.dirichlet(np.ones(m))
        yhat[(np.arange(m) != k) & (rng.random(m) < 0.5)] = 0.0
        yhat[(k + 1) % m] = 0.0  # at least one zero, never at the target
        yhat /= yhat.sum()
        return (yhat, np.eye(m)[k]), {}, float(-np.log(yhat[k]))

    return make


#: the cases appended after every older case (so that no older case's index, and inputs, changes)
ROOT_NEW = [("scores in the thousands, H=3, m=5", _root_output_large(3, 5), True),
            ("scores in the thousands, H=4, m=3", _root_output_large(4, 3), False)]
LOSS_NEW = [("ŷ_k = 0 where y_k = 0, m=4", _loss_zero_probabilities(4), True),
            ("ŷ_k = 0 where y_k = 0, m=6", _loss_zero_probabilities(6), False)]


def _backward_reference(X, children, W, dh_root):
    """(D (H, n_inner), dW, dX) from rnnref, the gradient arriving at the root only."""
    H_nodes, cache = recursive_forward(X, children, {"W": W})
    dH = np.zeros_like(H_nodes)
    dH[-1] = dh_root
    back = recursive_backward(dH, cache)
    return H_nodes, (back.D.T.copy(), back.grads["W"], back.dX)


def _tree_backward(rng, shape, n, H, m):
    children, X, W, _, _ = _tree(rng, shape, n, H, m)
    dh_root = rng.standard_normal(H)
    H_nodes, expected = _backward_reference(X, children, W, dh_root)
    return (dh_root, H_nodes, children, W), {}, expected


def _net(X, children, W, W_out, y):
    P = {"W": W, "W_out": W_out}
    _, cache = recursive_net_forward(X, children, P)
    return cache["tree"]["H_nodes"], recursive_net_backward(cache, y[None])


def _tree_grads(rng, shape, n, H, m):
    children, X, W, W_out, y = _tree(rng, shape, n, H, m)
    H_nodes, res = _net(X, children, W, W_out, y)
    return (H_nodes, children, W, W_out, y), {}, {"W": res.grads["W"], "W_out": res.grads["W_out"], "X": res.dX}


def _post_backward(result, extra):
    """The student's (D, dW, dX) as {name: gradient} for the finite differences of E = ⟨dh_root, h_root⟩."""
    _, dW, dX = result
    return {"W": dW, "X": dX}


def _fd(function):
    """A finite-difference case: central differences of the reference's E by W (and W_out) and the leaves."""
    shape, n, H, m = FD_TREE

    def make(rng):
        children, X, W, W_out, y = _tree(rng, shape, n, H, m)
        if function == "tree_backward":
            dh_root = rng.standard_normal(H)

            def loss(p):  # E = ⟨dh_root, h_root⟩, so that ∂E/∂h_root = dh_root
                return float(dh_root @ recursive_forward(p["X"], children, p)[0][-1])

            H_nodes, like = _backward_reference(X, children, W, dh_root)
            numerical = numerical_gradients(loss, {"W": W, "X": X})
            return (dh_root, H_nodes, children, W), {}, FDGradients(numerical, like, source="dW, dX")

        def loss(p):
            return recursive_net_backward(recursive_net_forward(p["X"], children, p)[1], y[None]).E

        H_nodes, res = _net(X, children, W, W_out, y)
        like = {"W": res.grads["W"], "W_out": res.grads["W_out"], "X": res.dX}
        numerical = numerical_gradients(loss, {"W": W, "W_out": W_out, "X": X})
        return (H_nodes, children, W, W_out, y), {}, FDGradients(numerical, like)

    fields = {"compare": "gradcheck", "post": _post_backward if function == "tree_backward" else None}
    return [(f"{FD_LABEL}, {_label(shape, n, H, m, function == 'tree_grads')}", make, False, fields)]


ROOT_OUTPUT = spread(
    "root_output", 1, [(f"H={H}, m={m}", _root_output(H, m), visible) for H, m, visible in OUT_SIZES] + ROOT_NEW,
    assignment=A, arg_names=("h_root", "W_out"), outputs="yhat",
    hints={"shape": {"en": "ŷ is (m,): one probability per class.",
                     "ja": "ŷ は (m,) で、クラスごとに確率が 1 つです。"},
           "finite": {"en": "e^{v} overflows for scores in the thousands: subtract max_k v_k before the exp (the "
                            "scores far below it give ŷ_k = 0 exactly).",
                      "ja": "スコアが数千になると e^{v} がオーバーフローします。exp の前に max_k v_k を引いてください"
                            "（それよりずっと小さいスコアの ŷ_k はちょうど 0 になります）。"},
           "value": {"en": "ŷ = softmax(v) with v = W_out [1; h_root]: column 0 of W_out is the bias; "
                           "subtract max_k v_k before the exp.",
                     "ja": "ŷ = softmax(v)、v = W_out [1; h_root] です。W_out の列 0 がバイアスです。"
                           "exp の前に max_k v_k を引いてください。"}})
ROOT_OUTPUT, ROOT_OUTPUT_NEW = ROOT_OUTPUT[:-len(ROOT_NEW)], ROOT_OUTPUT[-len(ROOT_NEW):]

LOSS = spread(
    "loss", 1, [(f"m={m}", _loss(m), visible) for m, visible in LOSS_SIZES] + LOSS_NEW,
    assignment=A, arg_names=("yhat", "y"), outputs="E",
    hints={"type": {"en": "Return one number as a float, e.g. float(-np.sum(…)).",
                    "ja": "一つの数を float として返してください（例: float(-np.sum(…))）。"},
           "finite": {"en": "ŷ_k can be exactly 0 where y_k = 0: 0 · log 0 counts as 0, so take the log only where "
                            "y_k > 0 (with a one-hot y, −log ŷ of the true class).",
                      "ja": "y_k = 0 の所では ŷ_k がちょうど 0 のことがあります。0 · log 0 は 0 と数えるので、log は "
                            "y_k > 0 の所だけで取ってください（y が one-hot なら正解クラスの −log ŷ）。"},
           "value": {"en": "E = −Σ_k y_k log ŷ_k: with a one-hot y only the true class's −log ŷ_k remains.",
                     "ja": "E = −Σ_k y_k log ŷ_k です。y が one-hot なら正解クラスの −log ŷ_k だけが残ります。"}})
LOSS, LOSS_NEW_CASES = LOSS[:-len(LOSS_NEW)], LOSS[-len(LOSS_NEW):]

SUITE = Suite(
    assignment=A,
    seed=31415016,
    points={"tree_forward": 3, "root_output": 1, "loss": 1, "tree_backward": 4, "tree_grads": 3},
    cases=fd_last(
        spread("tree_forward", 3, _variants(_forward, with_m=False), assignment=A,
               arg_names=("X_leaves", "children", "W"), outputs="H_nodes",
               hints={"shape": {"en": "H_nodes is (n_leaves + n_inner, H): the leaves x_i first, then one row per "
                                      "pair of children, the root last; a single leaf (children = []) is its own root.",
                                "ja": "H_nodes は (n_leaves + n_inner, H) です。葉 x_i が先、その後に children の各組に"
                                      "対応する内部ノードが 1 行ずつ並び、最後が根です。葉が 1 枚だけ（children = []）なら、"
                                      "その葉が根です。"},
                      "value": {"en": "Row n_leaves + i is h_p = tanh(W [1; h_l; h_r]) with [l, r] = children[i]: "
                                      "column 0 of W multiplies the 1, columns 1…H the left child, the rest the "
                                      "right child; the leaf rows are x_i unchanged.",
                                "ja": "行 n_leaves + i は h_p = tanh(W [1; h_l; h_r])（[l, r] = children[i]）です。"
                                      "W の列 0 が 1 に、列 1…H が左の子に、残りが右の子に掛かります。葉の行は x_i のままです。"}})
        + ROOT_OUTPUT
        + LOSS
        + spread("tree_backward", 4, _variants(_tree_backward, with_m=False) + _fd("tree_backward"),
                 assignment=A, arg_names=("dh_root", "H_nodes", "children", "W"), outputs=("D", "dW", "dX"),
                 hints={"shape": {"en": "D is (H, n_inner) with δ_p of inner node n_leaves + i in column i; dW is "
                                        "(H, 2H+1) like W; dX is (n_leaves, H).",
                                  "ja": "D は (H, n_inner) で、列 i が内部ノード n_leaves + i の δ_p です。dW は W と同じ "
                                        "(H, 2H+1)、dX は (n_leaves, H) です。"},
                        "value": {"en": "From the root down: δ_p = ∂E/∂h_p ⊙ (1 − h_p²); h_l gets W_lᵀ δ_p and h_r "
                                        "gets W_rᵀ δ_p (W_l = W[:, 1:H+1], W_r = W[:, H+1:]); "
                                        "∂E/∂W = Σ_p δ_p [1; h_l; h_r]ᵀ; a leaf's ∂E/∂x_i is its ∂E/∂h_i.",
                                  "ja": "根から順に δ_p = ∂E/∂h_p ⊙ (1 − h_p²) です。h_l には W_lᵀ δ_p、h_r には "
                                        "W_rᵀ δ_p が伝わり（W_l = W[:, 1:H+1]、W_r = W[:, H+1:]）、"
                                        "∂E/∂W = Σ_p δ_p [1; h_l; h_r]ᵀ です。葉の ∂E/∂x_i は ∂E/∂h_i そのものです。"}})
        + spread("tree_grads", 3, _variants(_tree_grads) + _fd("tree_grads"), assignment=A,
                 arg_names=("H_nodes", "children", "W", "W_out", "y"), outputs="grads",
                 hints={"shape": {"en": "Return {'W': (H, 2H+1), 'W_out': (m, H+1), 'X': (n_leaves, H)}.",
                                  "ja": "{'W': (H, 2H+1), 'W_out': (m, H+1), 'X': (n_leaves, H)} を返してください。"},
                        "value": {"en": "δ^out = ŷ − y; ∂E/∂W_out = δ^out [1; h_root]ᵀ; the root sends "
                                        "∂E/∂h_root = W̃_outᵀ δ^out (W̃_out = W_out[:, 1:]) into tree_backward "
                                        "(make tree_backward pass first: its mistakes show here too).",
                                  "ja": "δ^out = ŷ − y、∂E/∂W_out = δ^out [1; h_root]ᵀ です。根からは "
                                        "∂E/∂h_root = W̃_outᵀ δ^out（W̃_out = W_out[:, 1:]）を tree_backward に渡します"
                                        "（tree_backward の誤りはここにも現れるので、先に tree_backward を合格させてください）。"}})
    ) + tuple(ROOT_OUTPUT_NEW + LOSS_NEW_CASES),
)
