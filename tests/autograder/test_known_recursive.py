"""recursive's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/recursive.py: loops over nodes as a student writes them, one thing wrong each.
"""

import numpy as np

from autograder.known_mistakes.recursive import MISTAKES

from .known_harness import FiniteDifferenceContract, KnownMistakesContract, load_solution, run_function

A = "recursive"
sol = load_solution(A)


# ---------------------------------------------------------------- forward and root


def _forward_with(cat=lambda hl, hr: np.r_[1.0, hl, hr], leaf=lambda x: x, act=np.tanh):
    def tree_forward(X_leaves, children, W):
        nodes = [leaf(x) for x in X_leaves]
        for l, r in children:
            nodes.append(act(W @ cat(nodes[l], nodes[r])))
        return np.array(nodes)

    return tree_forward


def _softmax(v):
    e = np.exp(v - np.max(v))
    return e / np.sum(e)


def _root_no_bias(h_root, W_out):
    return _softmax(W_out[:, 1:] @ h_root)


def _root_bias_last(h_root, W_out):
    return _softmax(W_out @ np.r_[h_root, 1.0])


def _root_logits(h_root, W_out):
    return W_out @ np.r_[1.0, h_root]


def _root_shifted(shift):
    """root_output with the student's own softmax, v shifted by "none", "min", "sum" or, one entry at a time, "loop"
    (each e^{v_k − max v}: right)."""

    def root_output(h_root, W_out):
        v = W_out @ np.r_[1.0, h_root]
        if shift == "loop":
            top = max(v)
            e = [np.exp(vk - top) for vk in v]
            return np.array([ek / sum(e) for ek in e])
        e = np.exp(v - {"none": 0.0, "min": np.min(v), "sum": np.sum(v)}[shift])
        return e / np.sum(e)

    return root_output


def _log_terms(yhat, y):
    """y_k log ŷ_k where y_k > 0, 0 elsewhere (0 · log 0 = 0)."""
    out = np.zeros(len(y))
    out[y > 0] = y[y > 0] * np.log(yhat[y > 0])
    return out


# ---------------------------------------------------------------- BPTS


def _backward_with(left=lambda W, H: W[:, 1:H + 1], right=lambda W, H: W[:, H + 1:], fprime=True, overwrite=False,
                   leaf_prime=False, cat=lambda hl, hr: np.r_[1.0, hl, hr]):
    def tree_backward(dh_root, H_nodes, children, W):
        H = H_nodes.shape[1]
        n_leaves = len(H_nodes) - len(children)
        grad_h = {len(H_nodes) - 1: dh_root}
        D = np.zeros((H, len(children)))
        dW = np.zeros(W.shape)
        for i in reversed(range(len(children))):
            p = n_leaves + i
            l, r = children[i]
            delta = grad_h[p] * (1 - H_nodes[p] ** 2) if fprime else grad_h[p]
            D[:, i] = delta
            term = np.outer(delta, cat(H_nodes[l], H_nodes[r]))
            dW = term if overwrite else dW + term
            grad_h[l] = left(W, H).T @ delta
            grad_h[r] = right(W, H).T @ delta
        dX = np.array([grad_h[i] for i in range(n_leaves)])
        if leaf_prime:
            dX = dX * (1 - H_nodes[:n_leaves] ** 2)
        return D, dW, dX

    return tree_backward


def _grads_with(error=lambda yhat, y: yhat - y, back_through=lambda W_out: W_out[:, 1:], bias=True):
    def tree_grads(H_nodes, children, W, W_out, y):
        h = H_nodes[-1]
        e = error(sol.root_output(h, W_out), y)
        dW_out = np.outer(e, np.r_[1.0, h] if bias else h)
        _, dW, dX = sol.tree_backward(back_through(W_out).T @ e, H_nodes, children, W)
        return {"W": dW, "W_out": dW_out, "X": dX}

    return tree_grads


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("tree_forward", "children_swapped"): _forward_with(cat=lambda hl, hr: np.r_[1.0, hr, hl]),
    ("tree_forward", "bias_last"): _forward_with(cat=lambda hl, hr: np.r_[hl, hr, 1.0]),
    ("tree_forward", "tanh_missing"): _forward_with(act=lambda u: u),
    ("tree_forward", "leaves_through_tanh"): _forward_with(leaf=np.tanh),
    ("root_output", "output_bias_omitted"): _root_no_bias,
    ("root_output", "bias_column_last"): _root_bias_last,
    ("root_output", "softmax_missing"): _root_logits,
    ("loss", "cross_entropy_sign"): lambda yhat, y: float(np.sum(_log_terms(yhat, y))),
    ("loss", "mean_over_classes"): lambda yhat, y: float(-np.mean(_log_terms(yhat, y))),
    ("loss", "binary_cross_entropy"): lambda yhat, y: float(-np.sum(_log_terms(yhat, y) + (1 - y) * np.log(1 - yhat))),
    ("loss", "log_of_zero"): lambda yhat, y: float(-np.sum(y * np.log(yhat))),
    ("root_output", "softmax_without_max_shift"): _root_shifted("none"),
    ("root_output", "softmax_min_shift"): _root_shifted("min"),
    # the split swapped only: dW still reads [1; h_l; h_r]
    ("tree_backward", "children_swapped"): _backward_with(left=lambda W, H: W[:, H + 1:],
                                                          right=lambda W, H: W[:, 1:H + 1]),
    ("tree_backward", "bias_kept_in_split"): _backward_with(left=lambda W, H: W[:, :H],
                                                            right=lambda W, H: W[:, H:2 * H]),
    ("tree_backward", "tanh_prime_missing"): _backward_with(fprime=False),
    ("tree_backward", "dW_overwritten"): _backward_with(overwrite=True),
    ("tree_backward", "tanh_prime_at_leaves"): _backward_with(leaf_prime=True),
    ("tree_grads", "output_error_sign"): _grads_with(error=lambda yhat, y: y - yhat),
    ("tree_grads", "target_missing"): _grads_with(error=lambda yhat, y: yhat),
    ("tree_grads", "bias_column_kept"): _grads_with(back_through=lambda W_out: W_out[:, :-1]),
    ("tree_grads", "output_bias_gradient_missing"): _grads_with(bias=False),
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG

    def test_consistently_swapped_children_named_too(self):
        """Reading W as [b, W_r, W_l] everywhere (dW from [1; h_r; h_l] too) is named as the children swapped."""
        wrong = _backward_with(left=lambda W, H: W[:, H + 1:], right=lambda W, H: W[:, 1:H + 1],
                               cat=lambda hl, hr: np.r_[1.0, hr, hl])
        results = run_function(A, "tree_backward", wrong)
        hint = MISTAKES["tree_backward"][0].hint_en
        assert any(not r.passed and hint in r.output for r in results), [r.output for r in results]

    def test_single_leaf_tells_leaves_from_inner_nodes(self):
        """On the single leaf (no inner node) the inner-node mistakes of tree_backward pass, tanh′ at the leaves fails."""
        for name in ("children_swapped", "bias_kept_in_split", "tanh_prime_missing", "dW_overwritten",
                     "tanh_prime_at_leaves"):
            (r,) = [r for r in run_function(A, "tree_backward", WRONG[("tree_backward", name)]) if "single leaf" in r.name]
            assert r.passed == (name != "tanh_prime_at_leaves"), (name, r.output)

    def test_children_as_an_int_array_accepted(self):
        """A solution that first makes children an (n_inner, 2) int array (the single leaf's [] included) passes."""
        def tree_forward(X_leaves, children, W):
            return sol.tree_forward(X_leaves, np.array(children, dtype=np.int64).reshape(-1, 2), W)

        def tree_backward(dh_root, H_nodes, children, W):
            return sol.tree_backward(dh_root, H_nodes, np.array(children, dtype=np.int64).reshape(-1, 2), W)

        assert all(r.passed for r in run_function(A, "tree_forward", tree_forward))
        assert all(r.passed for r in run_function(A, "tree_backward", tree_backward))

    def test_swapped_children_fail_on_asymmetric_trees(self):
        """The children swapped fail the balanced tree and both chains, not only random trees."""
        results = run_function(A, "tree_forward", WRONG[("tree_forward", "children_swapped")])
        failed = {r.name.split(" [")[1].split(",")[0] for r in results if not r.passed}
        assert {"balanced", "left chain (an Elman RNN)", "right chain"} <= failed


class TestFiniteDifferences(FiniteDifferenceContract):
    A = A
    FD_FUNCTIONS = ("tree_backward", "tree_grads")


class TestShapesOfTheEdgeCases:
    def test_single_leaf_backward_returns_empty_D(self):
        """For a single leaf, D is (H, 0): an empty D of shape (0,) fails as a wrong shape naming (3, 0)."""
        def tree_backward(dh_root, H_nodes, children, W):
            D, dW, dX = sol.tree_backward(dh_root, H_nodes, children, W)
            return (D.reshape(-1) if D.size == 0 else D), dW, dX

        results = [r for r in run_function(A, "tree_backward", tree_backward) if "single leaf" in r.name]
        assert len(results) == 1 and not results[0].passed and "wrong shape, expected (3, 0)" in results[0].output


class TestSoftmaxBlindSpots:
    """Wrong code that kept full marks before the scores-in-the-thousands and ŷ_k = 0 cases."""

    def test_every_wrong_shift_fails_the_large_cases_only(self):
        """A softmax shifted by nothing, the min or the sum of v fails the scores-in-the-thousands cases and no other."""
        for shift in ("none", "min", "sum"):
            results = run_function(A, "root_output", _root_shifted(shift))
            assert [r.passed for r in results] == ["thousands" not in r.name for r in results], shift

    def test_log_everywhere_fails_the_zero_cases_only(self):
        """−Σ y log ŷ over every entry fails the cases where ŷ_k = 0 = y_k, naming 0 · log 0, and only those."""
        results = run_function(A, "loss", WRONG[("loss", "log_of_zero")])
        assert [r.passed for r in results] == ["ŷ_k = 0" not in r.name for r in results]
        assert all("0 · log 0 counts as 0" in r.output for r in results if not r.passed)

    def test_other_correct_forms_keep_full_marks(self):
        """A softmax one entry at a time and the loss as −log ŷ of the true class (other correct forms) earn every
        point."""
        for function, func in (("root_output", _root_shifted("loop")),
                               ("loss", lambda yhat, y: float(-np.log(yhat[np.argmax(y)])))):
            results = run_function(A, function, func)
            assert all(r.passed for r in results), [r.output for r in results if not r.passed]

    def test_large_cases_are_not_one_hot(self):
        """The large-scores cases' reference ŷ has exact zeros and two classes sharing the probability (no argmax
        one-hot passes them)."""
        from autograder.suites import get_suite

        suite = get_suite(A)
        for i, case in suite.for_function("root_output"):
            if "thousands" in case.label:
                _, _, yhat = case.build(suite.seed, i)
                assert np.any(yhat == 0) and np.sum(yhat > 1e-3) == 2 and abs(yhat.sum() - 1) < 1e-12
