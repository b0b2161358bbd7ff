"""rnnref.recursive against PyTorch: the same formula built node by node in torch (one torch op per inner
node, in the numbering's order), differentiated by autograd; the left chain against rnnref.rnn's Elman RNN;
rnnref.gradcheck for the network's loss."""

import numpy as np
import pytest

from rnnref import add_bias, rnn_backward, rnn_forward
from rnnref.gradcheck import gradcheck
from rnnref.recursive import (
    RECURSIVE_KEYS,
    balanced_tree,
    check_tree,
    init_recursive_params,
    left_chain,
    merge_trees,
    node_heights,
    random_tree,
    recursive_backward,
    recursive_forward,
    recursive_net_backward,
    recursive_net_forward,
    right_chain,
    tree_roots,
)


def _random(n):
    return lambda: random_tree(n, np.random.default_rng([n, 7]))


#: (id, n_leaves, builder): every shape the exercise grades; with H = 4 (2H+1 = 9) and m = 3, n_leaves,
#: n_inner, n_nodes, H, 2H+1 and m differ in each but the smallest trees
TREES = [
    pytest.param(1, lambda: left_chain(1), id="single-leaf"),
    pytest.param(2, lambda: left_chain(2), id="two-leaves"),
    pytest.param(6, lambda: left_chain(6), id="left-chain"),
    pytest.param(6, lambda: right_chain(6), id="right-chain"),
    pytest.param(7, lambda: balanced_tree(7), id="balanced"),
    pytest.param(8, _random(8), id="random"),
]
HS = [pytest.param(4, id="H4"), pytest.param(1, id="H1")]


def make_inputs(n_leaves, H, m=3, seed=0):
    """Leaf vectors (n_leaves, H), parameters (scale 0.8), a direct upstream dH for every node's row later."""
    P = init_recursive_params(H, m, seed=seed, scale=0.8)
    X = np.random.default_rng([seed, 1]).standard_normal((n_leaves, H))
    return X, P


# ---------------------------------------------------------------- the oracle


def torch_tree(torch, X, children, P, *, dH=None, Y=None, roots=None, g="softmax"):
    """h_p = tanh(W [1; h_l; h_r]) node by node in torch; E = Σ ⟨dH, H_nodes⟩ or the loss at the roots.

    Returns H_nodes, D (n_inner, H) from u_p.grad, and the gradients of E by W, W_out (when used) and X.
    """
    x = torch.from_numpy(X.copy()).requires_grad_(True)
    W = torch.from_numpy(P["W"].copy()).requires_grad_(True)
    W_out = torch.from_numpy(P["W_out"].copy()).requires_grad_(True)
    one = torch.ones(1)
    h = [x[i] for i in range(X.shape[0])]
    us = []
    for l, r in np.asarray(children).reshape(-1, 2):
        u = W @ torch.cat([one, h[int(l)], h[int(r)]])
        u.retain_grad()
        us.append(u)
        h.append(torch.tanh(u))
    H_nodes = torch.stack(h)
    if dH is not None:
        E = (torch.from_numpy(dH) * H_nodes).sum()
    else:
        V = H_nodes[torch.from_numpy(np.asarray(roots))] @ W_out[:, 1:].T + W_out[:, 0]
        Yt = torch.from_numpy(Y)
        E = -(Yt * torch.log_softmax(V, dim=-1)).sum() if g == "softmax" else 0.5 * ((V - Yt) ** 2).sum()
    E.backward()
    H_dim = X.shape[1]
    D = np.stack([u.grad.numpy() for u in us]) if us else np.zeros((0, H_dim))
    def grad(t):  # a tensor the loss never used (W of a single leaf) has no .grad: its gradient is 0
        return np.zeros(tuple(t.shape)) if t.grad is None else t.grad.numpy()

    return {"E": float(E.detach()), "H_nodes": H_nodes.detach().numpy(), "D": D, "W": grad(W),
            "W_out": grad(W_out), "X": grad(x)}


# ---------------------------------------------------------------- trees


class TestTrees:
    @pytest.mark.parametrize("n", [1, 2, 3, 6, 9])
    def test_builders_make_trees(self, n):
        """Every builder gives n−1 inner nodes that check_tree accepts, with one root, the last node."""
        for children in (left_chain(n), right_chain(n), balanced_tree(n), random_tree(n, np.random.default_rng(n))):
            assert children.shape == (n - 1, 2) and children.dtype == np.int64
            check_tree(children, n)
            assert tree_roots(children, n).tolist() == [2 * n - 2]

    def test_chain_and_balanced_shapes(self):
        """The left chain nests to the left, the right chain to the right, the balanced tree pairs neighbours."""
        assert left_chain(4).tolist() == [[0, 1], [4, 2], [5, 3]]
        assert right_chain(4).tolist() == [[2, 3], [1, 4], [0, 5]]
        assert balanced_tree(4).tolist() == [[0, 1], [2, 3], [4, 5]]
        assert balanced_tree(5).tolist() == [[0, 1], [2, 3], [5, 6], [7, 4]]

    def test_random_tree_keeps_the_leaf_order(self):
        """Reading a random tree's leaves left to right (in-order) gives 0 … n−1: it only brackets the sequence."""
        n = 9
        children = random_tree(n, np.random.default_rng(3))

        def leaves(p):
            return [p] if p < n else leaves(children[p - n][0]) + leaves(children[p - n][1])

        assert leaves(2 * n - 2) == list(range(n))

    def test_heights(self):
        """A leaf has height 0; the chain's root n−1, the balanced tree's ⌈log₂ n⌉."""
        assert node_heights(left_chain(6), 6).tolist() == [0] * 6 + [1, 2, 3, 4, 5]
        assert node_heights(balanced_tree(8), 8)[-1] == 3 and node_heights(balanced_tree(5), 5)[-1] == 3

    @pytest.mark.parametrize("children, n, message", [
        ([[0, 1], [0, 2]], 3, "child of two inner nodes"),
        ([[0, 3], [1, 2]], 3, "numbered before it"),
        ([[0, -1], [3, 2]], 3, "numbered before it"),
        ([[0, 1]], 3, "has 2 inner nodes"),
        (np.zeros((2, 3), dtype=int), 3, r"\(n_inner, 2\)"),
        ([[0.0, 1.0], [3.0, 2.0]], 3, "integer"),
    ])
    def test_check_tree_rejects(self, children, n, message):
        """A child used twice, a child after its parent, a forest where a tree is asked, a bad shape or dtype fail."""
        with pytest.raises(ValueError, match=message):
            check_tree(np.asarray(children), n)

    def test_merge_trees_numbering(self):
        """merge_trees puts every leaf first, keeps children before parents and names each tree's root."""
        trees = [(1, left_chain(1)), (3, balanced_tree(3)), (2, left_chain(2))]
        children, roots, offsets = merge_trees(trees)
        assert offsets.tolist() == [0, 1, 4, 6]
        assert children.tolist() == [[1, 2], [6, 3], [4, 5]]
        assert roots.tolist() == [0, 7, 8] == tree_roots(children, 6).tolist()


# ---------------------------------------------------------------- the layer


class TestForwardTorchOracle:
    @pytest.mark.parametrize("n_leaves, build", TREES)
    @pytest.mark.parametrize("H", HS)
    def test_states_match_torch(self, torch, oracle_close, n_leaves, build, H):
        """h_p = tanh(W [1; h_l; h_r]) for every node, the leaves copied, as torch builds it node by node."""
        X, P = make_inputs(n_leaves, H)
        children = build()
        H_nodes, cache = recursive_forward(X, children, P)
        ref = torch_tree(torch, X, children, P, dH=np.zeros((len(X) + len(children), H)))
        oracle_close(H_nodes, ref["H_nodes"], "H_nodes")
        assert H_nodes.shape == (2 * n_leaves - 1, H) and H_nodes.dtype == np.float64
        np.testing.assert_array_equal(H_nodes[:n_leaves], X)
        np.testing.assert_array_equal(cache["C"][:, 0], np.ones(n_leaves - 1))

    def test_single_leaf_is_its_own_root(self):
        """With no inner node the only state is the leaf itself, and W is never used."""
        X, P = make_inputs(1, 3)
        H_nodes, _ = recursive_forward(X, np.zeros((0, 2), dtype=np.int64), P)
        np.testing.assert_array_equal(H_nodes, X)

    def test_inputs_are_not_modified(self):
        """X_leaves, children and W are left unchanged by forward and backward."""
        X, P = make_inputs(7, 4)
        children = balanced_tree(7)
        before = [X.copy(), children.copy(), P["W"].copy()]
        H_nodes, cache = recursive_forward(X, children, P)
        recursive_backward(np.ones_like(H_nodes), cache)
        for old, new in zip(before, (X, children, P["W"])):
            np.testing.assert_array_equal(old, new)


class TestBackwardTorchOracle:
    @pytest.mark.parametrize("n_leaves, build", TREES)
    @pytest.mark.parametrize("H", HS)
    def test_every_node_upstream(self, torch, oracle_close, n_leaves, build, H):
        """With a direct ∂E/∂h_p at every node, D, ∂E/∂W and ∂E/∂x equal autograd's (δ_p = u_p.grad)."""
        X, P = make_inputs(n_leaves, H, seed=1)
        children = build()
        H_nodes, cache = recursive_forward(X, children, P)
        dH = np.random.default_rng(5).standard_normal(H_nodes.shape)
        back = recursive_backward(dH, cache)
        ref = torch_tree(torch, X, children, P, dH=dH)
        oracle_close(back.D, ref["D"], "D")
        oracle_close(back.grads["W"], ref["W"], "dW")
        oracle_close(back.dX, ref["X"], "dX")
        assert back.D.shape == (n_leaves - 1, H) and back.grads["W"].shape == (H, 2 * H + 1)

    @pytest.mark.parametrize("n_leaves, build", TREES)
    def test_root_upstream_only(self, torch, oracle_close, n_leaves, build):
        """A gradient at the root alone (the classifier's case) reaches every leaf through the tree."""
        X, P = make_inputs(n_leaves, 3, seed=2)
        children = build()
        H_nodes, cache = recursive_forward(X, children, P)
        dH = np.zeros_like(H_nodes)
        dH[-1] = np.random.default_rng(6).standard_normal(3)
        back = recursive_backward(dH, cache)
        ref = torch_tree(torch, X, children, P, dH=dH)
        oracle_close(back.D, ref["D"], "D")
        oracle_close(back.grads["W"], ref["W"], "dW")
        oracle_close(back.dX, ref["X"], "dX")
        oracle_close(back.dH_total[:n_leaves], back.dX, "dH_total of the leaves")

    def test_dW_is_D_times_C(self, oracle_close):
        """∂E/∂W = Σ_p δ_p [1; h_l; h_r]ᵀ, summed node by node, is the lecture's product D C."""
        X, P = make_inputs(8, 4, seed=3)
        children = random_tree(8, np.random.default_rng(1))
        H_nodes, cache = recursive_forward(X, children, P)
        back = recursive_backward(np.random.default_rng(2).standard_normal(H_nodes.shape), cache)
        summed = sum(np.outer(back.D[i], np.concatenate([[1.0], H_nodes[l], H_nodes[r]]))
                     for i, (l, r) in enumerate(children))
        oracle_close(back.grads["W"], summed, "dW")

    def test_wrong_upstream_shape(self):
        """dH must have one row per node."""
        X, P = make_inputs(3, 2)
        _, cache = recursive_forward(X, left_chain(3), P)
        with pytest.raises(ValueError, match=r"dH must be \(n_nodes, H\) = \(5, 2\)"):
            recursive_backward(np.zeros((3, 2)), cache)


class TestLeftChainIsElman:
    def test_states_and_gradients_equal_the_elman_rnn(self, oracle_close):
        """The left chain is the Elman RNN (W_in = [b, W_r], W = W_l, z_0 = x_0): same states, δ's and gradients."""
        n, H = 6, 3
        X, P = make_inputs(n, H, seed=4)
        W = P["W"]
        H_nodes, cache = recursive_forward(X, left_chain(n), P)
        rnn_params = {"W_in": np.column_stack([W[:, 0], W[:, H + 1:]]), "W": W[:, 1:H + 1]}
        Z, rcache = rnn_forward(add_bias(X[1:])[None], rnn_params, z0=X[:1])
        oracle_close(H_nodes[n:], Z[0], "chain states")
        dZ = np.random.default_rng(3).standard_normal((1, n - 1, H))
        dH = np.zeros_like(H_nodes)
        dH[n:] = dZ[0]
        back, rback = recursive_backward(dH, cache), rnn_backward(dZ, rcache)
        oracle_close(back.D, rback.D[0], "δ's")
        oracle_close(back.grads["W"][:, 1:H + 1], rback.grads["W"], "∂E/∂W_l")
        oracle_close(np.column_stack([back.grads["W"][:, 0], back.grads["W"][:, H + 1:]]), rback.grads["W_in"],
                     "∂E/∂[b, W_r]")
        oracle_close(back.dX[0], rback.dz0[0], "∂E/∂x_0")
        oracle_close(back.dX[1:], rback.dX[0][:, 1:], "∂E/∂x_t")


# ---------------------------------------------------------------- the network


class TestNetTorchOracle:
    @pytest.mark.parametrize("g", ["softmax", "identity"])
    def test_forest_of_every_shape(self, torch, oracle_close, g):
        """A mini-batch of six trees (single leaf to random) in one forest: ŷ, E and every gradient equal autograd's."""
        H, m = 4, 3
        trees = [(int(p.values[0]), p.values[1]()) for p in TREES]
        children, roots, offsets = merge_trees(trees)
        X, P = make_inputs(int(offsets[-1]), H, m, seed=6)
        rng = np.random.default_rng(8)
        Y = np.eye(m)[rng.integers(0, m, len(trees))] if g == "softmax" else rng.standard_normal((len(trees), m))
        Yhat, cache = recursive_net_forward(X, children, P, g=g)
        res = recursive_net_backward(cache, Y)
        ref = torch_tree(torch, X, children, P, Y=Y, roots=roots, g=g)
        assert cache["roots"].tolist() == roots.tolist()
        assert res.E == pytest.approx(ref["E"], rel=1e-12)
        for k in RECURSIVE_KEYS:
            oracle_close(res.grads[k], ref[k], k)
        oracle_close(res.dX, ref["X"], "dX")
        oracle_close(res.D, ref["D"], "D")
        if g == "softmax":
            np.testing.assert_allclose(Yhat.sum(axis=1), 1.0, rtol=1e-14)

    @pytest.mark.parametrize("n_leaves, build", TREES)
    def test_one_tree(self, torch, oracle_close, n_leaves, build):
        """One tree (K = 1), its root the last node: the classifier's gradients equal autograd's."""
        H, m = 3, 2
        X, P = make_inputs(n_leaves, H, m, seed=9)
        children = build()
        Y = np.eye(m)[[1]]
        _, cache = recursive_net_forward(X, children, P)
        res = recursive_net_backward(cache, Y)
        ref = torch_tree(torch, X, children, P, Y=Y, roots=[2 * n_leaves - 2])
        for k in RECURSIVE_KEYS:
            oracle_close(res.grads[k], ref[k], k)
        oracle_close(res.dX, ref["X"], "dX")

    def test_forest_equals_each_tree(self, oracle_close):
        """Batching by level changes nothing: the forest's gradients are the sums of the trees' own."""
        H, m = 3, 4
        trees = [(5, random_tree(5, np.random.default_rng(k))) for k in range(4)] + [(1, left_chain(1))]
        children, roots, offsets = merge_trees(trees)
        X, P = make_inputs(int(offsets[-1]), H, m, seed=10)
        Y = np.eye(m)[[0, 3, 1, 2, 2]]
        res = recursive_net_backward(recursive_net_forward(X, children, P, roots)[1], Y)
        total = {k: 0.0 for k in RECURSIVE_KEYS}
        for k, (n, c) in enumerate(trees):
            one = recursive_net_backward(recursive_net_forward(X[offsets[k]:offsets[k + 1]], c, P)[1], Y[k:k + 1])
            total = {key: total[key] + one.grads[key] for key in RECURSIVE_KEYS}
            oracle_close(res.dX[offsets[k]:offsets[k + 1]], one.dX, f"dX of tree {k}")
        for key in RECURSIVE_KEYS:
            oracle_close(res.grads[key], total[key], key)

    def test_gradcheck(self):
        """rnnref.gradcheck: central differences of E by W, W_out and the leaves agree with BPTS."""
        H, m = 3, 2
        children = random_tree(5, np.random.default_rng(4))
        X, P = make_inputs(5, H, m, seed=11)
        Y = np.eye(m)[[1]]

        def loss(p):
            return recursive_net_backward(recursive_net_forward(p["X"], children, p)[1], Y).E

        res = recursive_net_backward(recursive_net_forward(X, children, P)[1], Y)
        report = gradcheck(loss, dict(P, X=X), dict(res.grads, X=res.dX))
        assert report.passed, str(report)
