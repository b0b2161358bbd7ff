"""再帰型ニューラルネットワーク (recursive neural network) over binary trees, and backpropagation through
structure (BPTS).

Seed 003 ("Recurrent & Recursive NN"): the recurrent network applies the same weights at every step of a
sequence; the recursive network applies the same W at every inner node of a tree. One tree at a time,
float64, numpy only. The lecture's notation (seed 001): the bias is a leading 1, u = W [1; ·] is the
input of a unit, δ = ∂E/∂u, W̃_out is W_out without its column 0.

    leaves:      h_i = x_i                                  given H-vectors (e.g. word vectors)
    inner node:  u_p = W [1; h_l; h_r],  h_p = tanh(u_p)    l, r: the left and right child of p
    root:        ŷ = softmax(W_out [1; h_root]),  E = −Σ_k y_k log ŷ_k

W = [b, W_l, W_r] is (H, 2H+1): column 0 is the bias, columns 1…H (W_l) act on the left child, columns
H+1…2H (W_r) on the right child.

A tree as plain data: nodes are numbered so that children come before parents, leaves first. Leaves
are 0 … n_leaves−1 (row i of X_leaves is x_i); ``children`` is a list of n_inner pairs [l, r] of node
numbers (Python ints): pair i belongs to inner node n_leaves + i, and l, r < n_leaves + i. A tree has
n_inner = n_leaves − 1 and its root is the last node, n_nodes − 1 (n_nodes = n_leaves + n_inner). A single
leaf (n_inner = 0, children = []) is its own root. For ((x_0 x_1) (x_2 x_3)): children = [[0, 1], [2, 3],
[4, 5]] and the root is node 6. (np.array(children, dtype=int).reshape(-1, 2) makes it an (n_inner, 2) array.)
"""

import numpy as np


def tree_forward(X_leaves, children, W):
    """木の順伝播 (the forward pass over a tree): the state h_p of every node, leaves first.

    h_i = x_i for a leaf i;  for inner node p = n_leaves + i with [l, r] = children[i]:
        u_p = W [1; h_l; h_r],   h_p = tanh(u_p)

    Parameters
    ----------
    X_leaves : (n_leaves, H)  row i is the leaf vector x_i
    children : list of n_inner pairs [l, r]  pair i belongs to inner node n_leaves + i (children before parents)
    W : (H, 2H+1)  [b, W_l, W_r], column 0 the bias

    Returns
    -------
    H_nodes : (n_nodes, H)  row p is h_p: the leaves x_0 … x_{n_leaves−1} first, then the inner nodes;
        the last row is the root (the leaf itself when n_inner = 0)
    """
    # Hint: copy the leaves into the first rows, then one inner node per pair of children, in order.
    ### BEGIN SOLUTION
    n_leaves, H = X_leaves.shape
    n_inner = len(children)
    H_nodes = np.zeros((n_leaves + n_inner, H))
    H_nodes[:n_leaves] = X_leaves
    for i in range(n_inner):
        l, r = children[i]
        c = np.concatenate([[1.0], H_nodes[l], H_nodes[r]])  # [1; h_l; h_r]
        H_nodes[n_leaves + i] = np.tanh(W @ c)
    return H_nodes
    ### END SOLUTION


def root_output(h_root, W_out):
    """根の出力 (the output at the root): ŷ = softmax(v), v = W_out [1; h_root].

    softmax(v)_k = e^{v_k} / Σ_j e^{v_j}, computed with max_k v_k subtracted first (no overflow).

    Parameters
    ----------
    h_root : (H,)  the root's state
    W_out : (m, H+1)  column 0 the bias

    Returns
    -------
    yhat : (m,)  ŷ, entries in [0, 1] summing to 1 (exactly 0 for a score far below the max: e^{v_k − max} underflows)
    """
    # Hint: the bias column times 1 plus the other columns times h_root, then a stable softmax.
    ### BEGIN SOLUTION
    v = W_out[:, 0] + W_out[:, 1:] @ h_root
    e = np.exp(v - v.max())
    return e / e.sum()
    ### END SOLUTION


def loss(yhat, y):
    """クロスエントロピー誤差 (the cross-entropy) of one tree: E = −Σ_k y_k log ŷ_k, with 0 · log 0 = 0.

    Parameters
    ----------
    yhat : (m,)  ŷ, entries ≥ 0 summing to 1; ŷ_k may be exactly 0 where y_k = 0 (as root_output gives for
        a score far below the max), and that class adds nothing to E
    y : (m,)  the target, one-hot

    Returns
    -------
    E : float
    """
    # Hint: one sum over the m classes; return a Python float.
    ### BEGIN SOLUTION
    mask = y > 0  # 0 · log 0 = 0
    return float(-np.sum(y[mask] * np.log(yhat[mask])))
    ### END SOLUTION


def tree_backward(dh_root, H_nodes, children, W):
    """構造を通る誤差逆伝播 (BPTS, backpropagation through structure) from the root down to the leaves.

    With g_p = ∂E/∂h_p (g_root = dh_root), from the root (the last inner node) down to the first:

        δ_p = g_p ⊙ (1 − h_p²)                 = ∂E/∂u_p, since h_p = tanh(u_p)
        g_l = W_lᵀ δ_p,   g_r = W_rᵀ δ_p        W_l = W[:, 1:H+1], W_r = W[:, H+1:]; the bias gets nothing
        ∂E/∂W = Σ_p δ_p [1; h_l; h_r]ᵀ          summed over every inner node
        ∂E/∂x_i = g_i                           a leaf has no tanh

    Every node but the root has exactly one parent, so g_p is complete once its parent is done: going
    through the inner nodes from the last pair of children to the first is enough.

    Parameters
    ----------
    dh_root : (H,)  ∂E/∂h_root, what the layer above the root sends
    H_nodes : (n_nodes, H)  from tree_forward
    children : list of n_inner pairs [l, r]
    W : (H, 2H+1)

    Returns
    -------
    D : (H, n_inner)  column i is δ_p of inner node p = n_leaves + i (the lecture's D, δ's as columns)
    dW : (H, 2H+1)  ∂E/∂W
    dX : (n_leaves, H)  row i is ∂E/∂x_i
    """
    # Hint: keep g (n_nodes, H) with g[-1] = dh_root; loop over the pairs of children from the last to the first.
    ### BEGIN SOLUTION
    n_nodes, H = H_nodes.shape
    n_inner = len(children)
    n_leaves = n_nodes - n_inner
    G = np.zeros((n_nodes, H))  # G[p] = ∂E/∂h_p
    G[-1] = dh_root
    D = np.zeros((H, n_inner))
    dW = np.zeros_like(W, dtype=np.float64)
    for p in range(n_nodes - 1, n_leaves - 1, -1):  # the root first, then down to the first inner node
        l, r = children[p - n_leaves]
        # forward: u_p = W [1; h_l; h_r], h_p = tanh(u_p)
        delta = G[p] * (1.0 - H_nodes[p] ** 2)  # δ_p = ∂E/∂h_p ⊙ tanh′(u_p)
        D[:, p - n_leaves] = delta
        dW += np.outer(delta, np.concatenate([[1.0], H_nodes[l], H_nodes[r]]))  # δ_p [1; h_l; h_r]ᵀ
        G[l] += W[:, 1:H + 1].T @ delta  # u_p reads h_l through W_l
        G[r] += W[:, H + 1:].T @ delta  # … and h_r through W_r
    return D, dW, G[:n_leaves]
    ### END SOLUTION


def tree_grads(H_nodes, children, W, W_out, y):
    """All the gradients of the tree classifier's E: {"W": ∂E/∂W, "W_out": ∂E/∂W_out, "X": ∂E/∂X_leaves}.

    At the root (seed 001's output layer, softmax with the cross-entropy):
        δ^out = ŷ − y,   ŷ = root_output(h_root, W_out)
        ∂E/∂W_out = δ^out [1; h_root]ᵀ,   ∂E/∂h_root = W̃_outᵀ δ^out   (W̃_out = W_out[:, 1:])
    then tree_backward from ∂E/∂h_root.

    Parameters
    ----------
    H_nodes : (n_nodes, H)  from tree_forward, the root last
    children : list of n_inner pairs [l, r]
    W : (H, 2H+1),  W_out : (m, H+1)
    y : (m,)  one-hot target

    Returns
    -------
    grads : {"W": (H, 2H+1), "W_out": (m, H+1), "X": (n_leaves, H)}
    """
    # Hint: root_output gives ŷ; then the output layer's two products and one call of tree_backward.
    ### BEGIN SOLUTION
    h_root = H_nodes[-1]
    d_out = root_output(h_root, W_out) - y  # δ^out = ŷ − y
    dW_out = np.outer(d_out, np.concatenate([[1.0], h_root]))
    dh_root = W_out[:, 1:].T @ d_out  # W̃_outᵀ δ^out: the bias column sends nothing back
    _, dW, dX = tree_backward(dh_root, H_nodes, children, W)
    return {"W": dW, "W_out": dW_out, "X": dX}
    ### END SOLUTION
