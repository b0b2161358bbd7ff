"""The recursive neural network (再帰型ニューラルネットワーク) over binary trees, with backpropagation
through structure (BPTS).

Seed 003 ("Recurrent & Recursive NN") sets the recursive network beside the recurrent one: the same
weights are applied at every inner node of a tree instead of at every step of a sequence. In the
lectures' notation (seed 001: bias as a leading 1, u = W [1; ·], δ = ∂E/∂u, W̃_out without column 0):

    leaves:      h_i = x_i                           (given H-vectors, i = 0 … n_leaves−1)
    inner node:  u_p = W [1; h_l; h_r],  h_p = tanh(u_p)     (l, r: p's left and right child)
    root:        v = W_out [1; h_root],  ŷ = g(v)    (g = softmax, E = −Σ_k y_k log ŷ_k)

W = [b, W_l, W_r] is (H, 2H+1): column 0 the bias, columns 1…H act on the left child, H+1…2H on the
right one. BPTS runs top-down: with ∂E/∂h_root = W̃_outᵀ (ŷ − y) (plus any direct ∂E/∂h_p),

    δ_p = ∂E/∂u_p = ∂E/∂h_p ⊙ (1 − h_p²)
    ∂E/∂h_l += W_lᵀ δ_p,   ∂E/∂h_r += W_rᵀ δ_p
    ∂E/∂W = Σ_p δ_p [1; h_l; h_r]ᵀ = D C,   ∂E/∂x_i = ∂E/∂h_i  (a leaf has no activation)

with D = (δ_p …) as columns and C the rows [1; h_l; h_r]ᵀ, as the lecture's ∂E/∂W = D Z̃.

Trees as plain arrays. Nodes are numbered so that children come before parents, leaves first:
leaves 0 … n_leaves−1, inner node i (row i of ``children``, an int array (n_inner, 2) of node
indices [left, right], or a list of such pairs) is node n_leaves + i, and each child's index is smaller
than its parent's.
A single tree has n_inner = n_leaves − 1 and its root is the last node, n_leaves + n_inner − 1; a
single leaf (n_inner = 0) is its own root. A *forest* (several trees in one numbering, e.g. a
mini-batch, see merge_trees) has one root per tree (tree_roots). A left-deep chain
((((x_0 x_1) x_2) x_3) …) is exactly the Elman RNN z_t = tanh(W_r-part x_t + W_l z_{t−1}) with
z_0 = x_0 (tests/rnnref/test_recursive.py shows it).

Vectorized by level: every inner node of the same height (1 + the larger height of its children,
leaves 0) is computed in one matrix product, so a forest of many small trees costs a few products.
Arrays are (n_nodes, H) rows; the lecture's D of columns is ``RecursiveBackward.D.T``. float64
unless the caller passes another dtype.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .activations import OUTPUT_ACTIVATIONS, output_loss, softmax
from .rnn import affine_out_backward, affine_out_forward

__all__ = [
    "RECURSIVE_KEYS",
    "init_recursive_params",
    "check_tree",
    "tree_roots",
    "node_heights",
    "left_chain",
    "right_chain",
    "balanced_tree",
    "random_tree",
    "merge_trees",
    "recursive_forward",
    "recursive_backward",
    "RecursiveBackward",
    "recursive_net_forward",
    "recursive_net_loss",
    "recursive_net_backward",
    "RecursiveBPTS",
]

RECURSIVE_KEYS = ("W", "W_out")


def init_recursive_params(H: int, m: int, *, seed: int = 0, scale: float | None = None) -> dict:
    """Random parameters in the lecture's shapes, float64, uniform in ±1/√H unless ``scale`` is given.

    Returns
    -------
    params : {"W": (H, 2H+1), "W_out": (m, H+1)}  column 0 of each is the bias
    """
    if H < 1 or m < 1:
        raise ValueError(f"need H ≥ 1 hidden units and m ≥ 1 outputs, got H={H}, m={m}")
    rng = np.random.default_rng(seed)
    s = 1.0 / np.sqrt(H) if scale is None else scale
    return {"W": rng.uniform(-s, s, (H, 2 * H + 1)), "W_out": rng.uniform(-s, s, (m, H + 1))}


# ---------------------------------------------------------------------------------------------
# trees as arrays


def check_tree(children, n_leaves: int, *, forest: bool = False) -> np.ndarray:
    """``children`` as an (n_inner, 2) int64 array, after checking it is a tree (or a forest) in the numbering.

    ``children`` may be an int array or a list of [left, right] pairs (how the grader hands it to students).

    Every child index is a node made before its parent (0 ≤ child < n_leaves + i for row i), no node
    has two parents, and a single tree (forest=False) has n_inner = n_leaves − 1, so exactly one root.
    Raises ValueError naming the first problem.
    """
    if int(n_leaves) != n_leaves or n_leaves < 1:
        raise ValueError(f"a tree needs n_leaves ≥ 1, got {n_leaves!r}")
    C = np.asarray(children)
    if C.size == 0:  # [] or an empty array of any dtype: no inner node
        C = np.zeros((0, 2), dtype=np.int64)
    if C.ndim != 2 or C.shape[1] != 2:
        raise ValueError(f"children must be (n_inner, 2), got shape {C.shape}")
    if C.dtype.kind not in "iu":
        raise ValueError(f"children must hold integer node indices, got dtype {C.dtype}")
    C = C.astype(np.int64)
    n_inner = C.shape[0]
    parent_index = n_leaves + np.arange(n_inner)
    if np.any(C < 0) or np.any(C >= parent_index[:, None]):
        i = int(np.argmax(np.any((C < 0) | (C >= parent_index[:, None]), axis=1)))
        raise ValueError(f"inner node {n_leaves + i} (row {i}) has children {C[i].tolist()}: each child must be "
                         f"a node numbered before it, 0 ≤ child < {n_leaves + i}")
    counts = np.bincount(C.reshape(-1), minlength=n_leaves + n_inner)
    if np.any(counts > 1):
        raise ValueError(f"node {int(np.argmax(counts > 1))} is the child of two inner nodes: not a tree")
    if not forest and n_inner != n_leaves - 1:
        raise ValueError(f"a binary tree with {n_leaves} leaves has {n_leaves - 1} inner nodes, got {n_inner} "
                         "(pass forest=True for several trees)")
    return C


def tree_roots(children, n_leaves: int) -> np.ndarray:
    """The nodes that are nobody's child, in increasing order: [n_nodes − 1] for one tree, one per tree of a forest."""
    C = check_tree(children, n_leaves, forest=True)
    n_nodes = n_leaves + C.shape[0]
    is_child = np.zeros(n_nodes, dtype=bool)
    is_child[C.reshape(-1)] = True
    return np.flatnonzero(~is_child)


def node_heights(children, n_leaves: int) -> np.ndarray:
    """(n_nodes,) int: 0 for a leaf, 1 + max(height of l, height of r) for an inner node (a tree's depth is its root's)."""
    C = check_tree(children, n_leaves, forest=True)
    heights = np.zeros(n_leaves + C.shape[0], dtype=np.int64)
    for i, (l, r) in enumerate(C):
        heights[n_leaves + i] = 1 + max(heights[l], heights[r])
    return heights


def left_chain(n_leaves: int) -> np.ndarray:
    """((((x_0 x_1) x_2) x_3) …): inner node i has children (its predecessor, leaf i+1) — an Elman RNN."""
    rows = [(0, 1)] if n_leaves > 1 else []
    rows += [(n_leaves + i - 1, i + 1) for i in range(1, n_leaves - 1)]
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def right_chain(n_leaves: int) -> np.ndarray:
    """(x_0 (x_1 (x_2 (… x_{n−1})))): the last two leaves first, then one leaf more to the left per inner node."""
    rows = [(n_leaves - 2, n_leaves - 1)] if n_leaves > 1 else []
    rows += [(n_leaves - 2 - i, n_leaves + i - 1) for i in range(1, n_leaves - 1)]
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def _merge_adjacent(n_leaves: int, pick) -> np.ndarray:
    """Merge two neighbours of the frontier (the roots so far, left to right) until one is left."""
    frontier, rows = list(range(n_leaves)), []
    while len(frontier) > 1:
        for j in pick(len(frontier)):
            rows.append((frontier[j], frontier[j + 1]))
            frontier[j:j + 2] = [n_leaves + len(rows) - 1]
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def balanced_tree(n_leaves: int) -> np.ndarray:
    """Neighbours paired level by level, left to right ((x_0 x_1) (x_2 x_3)) …; an odd one out waits a level."""
    return _merge_adjacent(n_leaves, lambda k: range(k // 2))  # j-th pair sits at j after the earlier merges


def random_tree(n_leaves: int, rng: np.random.Generator) -> np.ndarray:
    """A random binary tree over the leaves in their order (a random bracketing): two random neighbours at a time."""
    return _merge_adjacent(n_leaves, lambda k: [int(rng.integers(k - 1))])


def merge_trees(trees) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Several trees as one forest in the module's numbering (all leaves first, then all inner nodes).

    Parameters
    ----------
    trees : sequence of (n_leaves_k, children_k)

    Returns
    -------
    children : (Σ_k n_inner_k, 2) int64
    roots : (K,) int64  the node of tree k's root
    leaf_offset : (K + 1,) int64  tree k's leaves are leaf_offset[k] … leaf_offset[k+1] − 1
    """
    sizes = [int(n) for n, _ in trees]
    inner = [check_tree(c, n) for n, c in trees]
    leaf_offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    inner_offset = np.concatenate([[0], np.cumsum([len(c) for c in inner])]).astype(np.int64)
    total_leaves = int(leaf_offset[-1])
    rows, roots = [], []
    for k, (n, C) in enumerate(zip(sizes, inner)):
        new = np.where(C < n, C + leaf_offset[k], C - n + total_leaves + inner_offset[k])
        rows.append(new)
        roots.append(leaf_offset[k] if len(C) == 0 else total_leaves + inner_offset[k + 1] - 1)
    children = np.concatenate(rows, axis=0) if rows else np.zeros((0, 2), dtype=np.int64)
    return children.astype(np.int64).reshape(-1, 2), np.array(roots, dtype=np.int64), leaf_offset


def _levels(C: np.ndarray, n_leaves: int) -> list:
    """Row indices of the inner nodes, grouped by height 1, 2, …: each group depends only on the ones before."""
    if len(C) == 0:
        return []
    inner_heights = node_heights(C, n_leaves)[n_leaves:]
    order = np.argsort(inner_heights, kind="stable")
    bounds = np.flatnonzero(np.diff(inner_heights[order])) + 1
    return np.split(order, bounds)


# ---------------------------------------------------------------------------------------------
# the recursive layer


def recursive_forward(X_leaves: np.ndarray, children, params: dict):
    """Every node's state h_p over a tree (or forest): leaves h_i = x_i, inner h_p = tanh(W [1; h_l; h_r]).

    Parameters
    ----------
    X_leaves : (n_leaves, H)  the leaf vectors x_0 … x_{n_leaves−1}
    children : (n_inner, 2) int  [left, right] of inner node n_leaves + i (see the module's numbering)
    params : dict with W (H, 2H+1) (other keys are ignored)

    Returns
    -------
    H_nodes : (n_nodes, H)  row p is h_p, leaves first, n_nodes = n_leaves + n_inner
    cache : for recursive_backward: "H_nodes", "C" (n_inner, 2H+1) with row i = [1; h_l; h_r]ᵀ,
        "U" (n_inner, H) with u_p, "children", "levels", "W"
    """
    W = params["W"]
    X_leaves = np.asarray(X_leaves)
    if X_leaves.ndim != 2:
        raise ValueError(f"X_leaves must be (n_leaves, H), got shape {X_leaves.shape}")
    n_leaves, H = X_leaves.shape
    if W.shape != (H, 2 * H + 1):
        raise ValueError(f"W must be (H, 2H+1) = {(H, 2 * H + 1)}, got {W.shape}")
    C = check_tree(children, n_leaves, forest=True)
    n_inner = C.shape[0]
    dtype = np.result_type(X_leaves, W, np.float64)
    H_nodes = np.empty((n_leaves + n_inner, H), dtype=dtype)
    H_nodes[:n_leaves] = X_leaves
    Cin = np.empty((n_inner, 2 * H + 1), dtype=dtype)
    Cin[:, 0] = 1.0
    U = np.empty((n_inner, H), dtype=dtype)
    levels = _levels(C, n_leaves)
    for rows in levels:  # a level reads only the levels below it
        Cin[rows, 1:H + 1] = H_nodes[C[rows, 0]]
        Cin[rows, H + 1:] = H_nodes[C[rows, 1]]
        U[rows] = Cin[rows] @ W.T
        H_nodes[n_leaves + rows] = np.tanh(U[rows])
    cache = {"H_nodes": H_nodes, "C": Cin, "U": U, "children": C, "levels": levels, "W": W, "n_leaves": n_leaves}
    return H_nodes, cache


class RecursiveBackward(NamedTuple):
    """What recursive_backward returns.

    grads : {"W": (H, 2H+1)}  ∂E/∂W = Σ_p δ_p [1; h_l; h_r]ᵀ
    D : (n_inner, H)  row i is δ_p = ∂E/∂u_p of inner node p = n_leaves + i (the lecture's D is D.T)
    dX : (n_leaves, H)  ∂E/∂x_i
    dH_total : (n_nodes, H)  ∂E/∂h_p through every path: the direct one and the parent's W_lᵀ δ or W_rᵀ δ
    """

    grads: dict
    D: np.ndarray
    dX: np.ndarray
    dH_total: np.ndarray


def recursive_backward(dH: np.ndarray, cache) -> RecursiveBackward:
    """BPTS: δ_p = ∂E/∂h_p ⊙ (1 − h_p²) from the root down, split to the children through W's two blocks.

    Parameters
    ----------
    dH : (n_nodes, H)  ∂E/∂h_p arriving directly (not through a parent); for a classifier at the root,
        zero except the root's row W̃_outᵀ (ŷ − y)
    cache : from recursive_forward

    Returns
    -------
    RecursiveBackward(grads, D, dX, dH_total), see its docstring for the shapes
    """
    H_nodes, Cin, C, W, n_leaves = (cache[k] for k in ("H_nodes", "C", "children", "W", "n_leaves"))
    n_nodes, H = H_nodes.shape
    if dH.shape != (n_nodes, H):
        raise ValueError(f"dH must be (n_nodes, H) = {(n_nodes, H)}, got {dH.shape}")
    G = np.array(dH, dtype=np.result_type(dH, H_nodes), copy=True)
    D = np.zeros((C.shape[0], H), dtype=G.dtype)
    W_children = W[:, 1:]  # [W_l, W_r]: the bias column sends nothing down
    for rows in reversed(cache["levels"]):  # a level's ∂E/∂h is complete once every level above is done
        p = n_leaves + rows
        D[rows] = G[p] * (1.0 - H_nodes[p] ** 2)
        down = D[rows] @ W_children  # row i: [W_lᵀ δ_p ; W_rᵀ δ_p]
        np.add.at(G, C[rows, 0], down[:, :H])
        np.add.at(G, C[rows, 1], down[:, H:])
    grads = {"W": D.T @ Cin}  # D C
    return RecursiveBackward(grads, D, G[:n_leaves].copy(), G)


# ---------------------------------------------------------------------------------------------
# the network: a classifier (or regressor) at each root


def recursive_net_forward(X_leaves: np.ndarray, children, params: dict, roots=None, *, g: str = "softmax"):
    """Outputs ŷ = g(W_out [1; h_root]) at the root of each tree.

    Parameters
    ----------
    X_leaves : (n_leaves, H),  children : (n_inner, 2) int
    params : {"W": (H, 2H+1), "W_out": (m, H+1)}
    roots : (K,) int node indices, or None for tree_roots(children, n_leaves)
    g : "softmax" (classification, the default) or "identity" (regression)

    Returns
    -------
    Yhat : (K, m)  row k is ŷ of tree k
    cache : for recursive_net_backward; holds "V" (K, m), "roots" and the layer's cache
    """
    if g not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"unknown output activation g={g!r}; use one of {OUTPUT_ACTIVATIONS}")
    H_nodes, tcache = recursive_forward(X_leaves, children, params)
    roots = tree_roots(tcache["children"], tcache["n_leaves"]) if roots is None else np.asarray(roots, dtype=np.int64)
    V, ocache = affine_out_forward(H_nodes[roots], params["W_out"])
    Yhat = softmax(V) if g == "softmax" else V
    return Yhat, {"tree": tcache, "out": ocache, "V": V, "roots": roots, "g": g}


def recursive_net_loss(cache, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """E summed over the trees and δ^out = g(V) − Y (activations.output_loss); Y (K, m)."""
    return output_loss(cache["V"], Y, cache["g"])


class RecursiveBPTS(NamedTuple):
    """What recursive_net_backward returns.

    E : float  the loss, summed over the trees
    grads : {"W": (H, 2H+1), "W_out": (m, H+1)}, the keys of params
    dX : (n_leaves, H)  ∂E/∂x_i, e.g. for learned word vectors
    D : (n_inner, H)  δ_p of every inner node (the lecture's D is D.T)
    """

    E: float
    grads: dict
    dX: np.ndarray
    D: np.ndarray


def recursive_net_backward(cache, Y: np.ndarray) -> RecursiveBPTS:
    """BPTS for the network: δ^out = ŷ − y, ∂E/∂h_root = W̃_outᵀ δ^out, then recursive_backward.

    Parameters
    ----------
    cache : from recursive_net_forward
    Y : (K, m)  one target per root (one-hot rows for softmax)

    Returns
    -------
    RecursiveBPTS(E, grads, dX, D)
    """
    E, dV = recursive_net_loss(cache, Y)
    d_roots, dW_out = affine_out_backward(dV, cache["out"])
    tcache = cache["tree"]
    dH = np.zeros_like(tcache["H_nodes"], dtype=d_roots.dtype)
    np.add.at(dH, cache["roots"], d_roots)
    back = recursive_backward(dH, tcache)
    return RecursiveBPTS(E, {"W": back.grads["W"], "W_out": dW_out}, back.dX, back.D)
