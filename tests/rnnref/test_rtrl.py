"""rnnref.rtrl against torch autograd (gradients and Jacobians ∂z_t/∂W) and rnnref's BPTT."""

import numpy as np
import pytest

from rnnref import add_bias, bptt, gradcheck
from rnnref.rtrl import RTRL, rtrl, rtrl_online, rtrl_step, sensitivity_bytes, sensitivity_gradient
from tests.conftest import assert_oracle

#: (N, T, d, H, m): N, T, d+1, H, H+1 and m all differ, then T = 1, N = 1, H = 1
SHAPES = [
    pytest.param(2, 6, 2, 4, 7, id="N2-T6-d2-H4-m7"),
    pytest.param(2, 1, 2, 4, 7, id="T1"),
    pytest.param(1, 6, 2, 4, 7, id="N1"),
    pytest.param(4, 6, 2, 1, 7, id="H1"),
]
TASKS = [("identity", False), ("softmax", False), ("identity", True), ("softmax", True)]
TASK_IDS = ["regression", "classification", "m2o-regression", "m2o-classification"]


def make(N, T, d, H, m, g="identity", many_to_one=False, seed=0):
    """X with its column of ones, params with entries ~ N(0, 0.5²), targets for the task."""
    rng = np.random.default_rng([seed, N, T, d, H, m])
    X = add_bias(rng.standard_normal((N, T, d)))
    P = {"W_in": rng.normal(0, 0.5, (H, d + 1)), "W": rng.normal(0, 0.5, (H, H)), "W_out": rng.normal(0, 0.5, (m, H + 1))}
    shape = (N, m) if many_to_one else (N, T, m)
    Y = np.eye(m)[rng.integers(0, m, shape[:-1])] if g == "softmax" else rng.standard_normal(shape)
    return X, P, Y


def torch_states(torch, X, P, f="tanh"):
    """z_1 … z_T (a list of (N, H) tensors) of the lecture's recurrence, P's entries as leaves."""
    leaves = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in P.items()}
    act = torch.tanh if f == "tanh" else torch.relu
    z = torch.zeros(X.shape[0], P["W"].shape[0])
    Zs = []
    for t in range(X.shape[1]):
        z = act(torch.from_numpy(X[:, t]) @ leaves["W_in"].T + z @ leaves["W"].T)
        Zs.append(z)
    return leaves, Zs


def torch_grads(torch, X, P, Y, g, many_to_one, f="tanh"):
    """E and every gradient by autograd, for the lecture's loss."""
    leaves, Zs = torch_states(torch, X, P, f)
    Z = Zs[-1] if many_to_one else torch.stack(Zs, 1)
    V = Z @ leaves["W_out"][:, 1:].T + leaves["W_out"][:, 0]
    Yt = torch.from_numpy(Y)
    if g == "softmax":
        E = -(Yt * torch.log_softmax(V, dim=-1)).sum()
    else:
        E = 0.5 * ((V - Yt) ** 2).sum()
    E.backward()
    return E.item(), {k: v.grad.numpy() for k, v in leaves.items()}


def torch_sensitivities(torch, X, P, t):
    """∂z_k(t)/∂W_in[j, i] and ∂z_k(t)/∂W[j, i] by torch.autograd.functional.jacobian: (N, H, H, ·)."""
    Xt = torch.from_numpy(X[:, :t])

    def z_t(W_in, W):
        z = torch.zeros(X.shape[0], W.shape[0])
        for s in range(t):
            z = torch.tanh(Xt[:, s] @ W_in.T + z @ W.T)
        return z

    J_in, J_W = torch.autograd.functional.jacobian(z_t, (torch.from_numpy(P["W_in"]), torch.from_numpy(P["W"])))
    return J_in.numpy(), J_W.numpy()


class TestRTRLGradients:
    @pytest.mark.parametrize("N,T,d,H,m", SHAPES)
    @pytest.mark.parametrize("g,many_to_one", TASKS, ids=TASK_IDS)
    def test_matches_autograd(self, torch, N, T, d, H, m, g, many_to_one):
        """E and ∂E/∂W_in, ∂E/∂W, ∂E/∂W_out equal torch autograd's, every task and shape."""
        X, P, Y = make(N, T, d, H, m, g, many_to_one)
        res = rtrl(X, Y, P, g=g, many_to_one=many_to_one)
        E, expected = torch_grads(torch, X, P, Y, g, many_to_one)
        assert res.E == pytest.approx(E, rel=1e-12)
        for k in P:
            assert res.grads[k].shape == P[k].shape
            assert_oracle(res.grads[k], expected[k], k)

    @pytest.mark.parametrize("N,T,d,H,m", SHAPES)
    @pytest.mark.parametrize("g,many_to_one", TASKS, ids=TASK_IDS)
    def test_equals_bptt(self, N, T, d, H, m, g, many_to_one):
        """Forward-in-time RTRL and backward-in-time BPTT give the same loss and gradients to 1e-10."""
        X, P, Y = make(N, T, d, H, m, g, many_to_one, seed=1)
        a = rtrl(X, Y, P, g=g, many_to_one=many_to_one)
        b = bptt(X, Y, P, g=g, many_to_one=many_to_one)
        assert a.E == pytest.approx(b.E, rel=1e-12)
        for k in P:
            assert_oracle(a.grads[k], b.grads[k], k)

    def test_relu_matches_autograd(self, torch):
        """With f = ReLU the sensitivities use f′(u) = [u > 0]."""
        X, P, Y = make(2, 6, 2, 4, 7, seed=2)
        res = rtrl(X, Y, P, f="relu")
        leaves, Zs = torch_states(torch, X, P, "relu")
        V = torch.stack(Zs, 1) @ leaves["W_out"][:, 1:].T + leaves["W_out"][:, 0]
        (0.5 * ((V - torch.from_numpy(Y)) ** 2).sum()).backward()
        for k in P:
            assert_oracle(res.grads[k], leaves[k].grad.numpy(), k)

    def test_gradcheck(self):
        """The gradients agree with central differences of the loss (T = 5, classification)."""
        X, P, Y = make(1, 5, 2, 3, 4, "softmax", seed=3)
        report = gradcheck(lambda p: rtrl(X, Y, p, g="softmax").E, P, rtrl(X, Y, P, g="softmax").grads)
        assert report.passed, str(report)

    def test_returns_named_tuple_and_leaves_inputs(self):
        """rtrl returns an RTRL and never modifies X, Y or the parameters."""
        X, P, Y = make(2, 6, 2, 4, 7, seed=4)
        copies = [X.copy(), Y.copy(), {k: v.copy() for k, v in P.items()}]
        res = rtrl(X, Y, P)
        assert isinstance(res, RTRL)
        np.testing.assert_array_equal(X, copies[0])
        np.testing.assert_array_equal(Y, copies[1])
        for k in P:
            np.testing.assert_array_equal(P[k], copies[2][k])

    def test_rejects_wrong_target_shape(self):
        """Y of the many-to-many shape for a many-to-one network is refused, naming (N, m)."""
        X, P, Y = make(2, 6, 2, 4, 7, seed=5)
        with pytest.raises(ValueError, match=r"\(N, m\)"):
            rtrl(X, Y, P, many_to_one=True)


class TestSensitivities:
    @pytest.mark.parametrize("N,T,d,H,m", SHAPES)
    def test_final_sensitivities_are_jacobians(self, torch, N, T, d, H, m):
        """P_W[n, k, j, i] = ∂z_k(T)/∂W[j, i] and P_in likewise, as torch's Jacobians of z_T."""
        X, P, Y = make(N, T, d, H, m, seed=6)
        res = rtrl(X, Y, P)
        J_in, J_W = torch_sensitivities(torch, X, P, T)
        assert res.P_in.shape == (N, H, H, d + 1) and res.P_W.shape == (N, H, H, H)
        assert_oracle(res.P_in, J_in, "P_in")
        assert_oracle(res.P_W, J_W, "P_W")

    def test_step_is_the_chain_rule(self, torch):
        """For ANY p(t−1), rtrl_step gives ∂z_t/∂θ when z_{t−1}(θ) has the Jacobian p(t−1)."""
        rng = np.random.default_rng(7)
        N, d, H = 2, 2, 4
        x = add_bias(rng.standard_normal((N, d)))
        z_prev = rng.uniform(-0.9, 0.9, (N, H))
        W_in, W = rng.normal(0, 0.5, (H, d + 1)), rng.normal(0, 0.5, (H, H))
        Q, Pw = rng.standard_normal((N, H, H, d + 1)), rng.standard_normal((N, H, H, H))
        u = x @ W_in.T + z_prev @ W.T
        new_in, new_W = rtrl_step(Q, Pw, x, z_prev, u, W)
        W_in0, W0 = torch.from_numpy(W_in), torch.from_numpy(W)

        def z_t(A, B):  # z_{t−1}(θ) = z_prev + p(t−1)·(θ − θ₀), a function with Jacobian p(t−1)
            zp = (torch.from_numpy(z_prev) + torch.einsum("nkji,ji->nk", torch.from_numpy(Q), A - W_in0)
                  + torch.einsum("nkji,ji->nk", torch.from_numpy(Pw), B - W0))
            return torch.tanh(torch.from_numpy(x) @ A.T + zp @ B.T)

        J_in, J_W = torch.autograd.functional.jacobian(z_t, (W_in0, W0))
        assert_oracle(new_in, J_in.numpy(), "P_in")
        assert_oracle(new_W, J_W.numpy(), "P_W")

    def test_step_leaves_inputs(self):
        """rtrl_step returns new arrays; p(t−1) is left as it was."""
        rng = np.random.default_rng(8)
        Q, Pw = rng.standard_normal((1, 3, 3, 2)), rng.standard_normal((1, 3, 3, 3))
        before = (Q.copy(), Pw.copy())
        rtrl_step(Q, Pw, np.ones((1, 2)), rng.standard_normal((1, 3)), rng.standard_normal((1, 3)),
                  rng.standard_normal((3, 3)))
        np.testing.assert_array_equal(Q, before[0])
        np.testing.assert_array_equal(Pw, before[1])

    def test_step_rejects_wrong_layout(self):
        """Sensitivities in another axis order are refused with the expected shape."""
        with pytest.raises(ValueError, match=r"\(N, H, H, d\+1\)"):
            rtrl_step(np.zeros((1, 3, 2, 3)), np.zeros((1, 3, 3, 3)), np.ones((1, 2)), np.zeros((1, 3)),
                      np.zeros((1, 3)), np.eye(3))


class TestSensitivityGradient:
    def test_is_the_step_loss_gradient(self, torch):
        """Σ_n Σ_k e_k p^k_ji with e = ∂E_t/∂z_t and the true p(t) is autograd's ∂E_t/∂W, E_t the loss of step t."""
        N, T, d, H, m = 2, 4, 2, 3, 5
        X, P, Y = make(N, T, d, H, m, seed=10)
        res = rtrl(X, Y[:, -1], P, many_to_one=True)  # the sensitivities at t = T
        leaves, Zs = torch_states(torch, X, P)
        V = Zs[-1] @ leaves["W_out"][:, 1:].T + leaves["W_out"][:, 0]
        (0.5 * ((V - torch.from_numpy(Y[:, -1])) ** 2).sum()).backward()
        with torch.no_grad():
            e = ((V - torch.from_numpy(Y[:, -1])) @ leaves["W_out"][:, 1:]).numpy()
        assert_oracle(sensitivity_gradient(e, res.P_W), leaves["W"].grad.numpy(), "W")
        assert_oracle(sensitivity_gradient(e, res.P_in), leaves["W_in"].grad.numpy(), "W_in")

    def test_sums_over_batch_and_units(self):
        """The contraction runs over the batch and the differentiated unit k, leaving the weight's axes (j, i)."""
        rng = np.random.default_rng(11)
        e, P = rng.standard_normal((3, 4)), rng.standard_normal((3, 4, 4, 2))
        expected = sum(e[n, k] * P[n, k] for n in range(3) for k in range(4))
        assert_oracle(sensitivity_gradient(e, P), expected, "Σ e p")

    def test_rejects_mismatch(self):
        """e and P with different (N, H) are refused."""
        with pytest.raises(ValueError, match=r"\(N, H\)"):
            sensitivity_gradient(np.zeros((2, 3)), np.zeros((2, 4, 4, 1)))


class TestOnline:
    def test_without_updates_sums_to_rtrl(self):
        """With η = 0 the weights stay and the step losses add up to rtrl's E."""
        X, P, Y = make(2, 6, 2, 4, 7, seed=12)
        res = rtrl_online(X, Y, P, lr=0.0)
        assert res.E.shape == (6,)
        assert res.E.sum() == pytest.approx(rtrl(X, Y, P).E, rel=1e-12)
        for k in P:
            np.testing.assert_array_equal(res.params[k], P[k])

    def test_first_update_is_a_gradient_step(self, torch):
        """After one step the weights moved by −η ∂E_1/∂W, ∂E_1/∂W from torch autograd."""
        X, P, Y = make(2, 1, 2, 4, 7, "softmax", seed=13)
        res = rtrl_online(X, Y, P, lr=0.1, g="softmax")
        _, grads = torch_grads(torch, X, P, Y, "softmax", False)
        for k in P:
            assert_oracle(res.params[k], P[k] - 0.1 * grads[k], k)

    def test_updates_use_carried_sensitivities(self):
        """Step 2 uses p(2) built from p(1) and the weights after the first update, as rtrl_step defines it."""
        X, P, Y = make(1, 2, 2, 3, 4, seed=14)
        lr = 0.2
        res = rtrl_online(X, Y, P, lr=lr)
        Q = {k: v.copy() for k, v in P.items()}
        one = rtrl_online(X[:, :1], Y[:, :1], Q, lr=lr).params  # the weights after step 1
        z1 = np.tanh(X[:, 0] @ P["W_in"].T)
        u2 = X[:, 1] @ one["W_in"].T + z1 @ one["W"].T
        p_in, p_W = rtrl_step(np.zeros((1, 3, 3, 3)), np.zeros((1, 3, 3, 3)), X[:, 0], np.zeros((1, 3)),
                              X[:, 0] @ P["W_in"].T, P["W"])
        p_in, p_W = rtrl_step(p_in, p_W, X[:, 1], z1, u2, one["W"])
        z2 = np.tanh(u2)
        dv = z2 @ one["W_out"][:, 1:].T + one["W_out"][:, 0] - Y[:, 1]
        e = dv @ one["W_out"][:, 1:]
        assert_oracle(res.params["W"], one["W"] - lr * sensitivity_gradient(e, p_W), "W")
        assert_oracle(res.params["W_in"], one["W_in"] - lr * sensitivity_gradient(e, p_in), "W_in")
        assert_oracle(res.params["W_out"], one["W_out"] - lr * np.outer(dv[0], np.r_[1.0, z2[0]]), "W_out")

    def test_reset_keeps_only_the_direct_term(self):
        """With reset_sensitivities the W update of step 2 is −η (f′(u_2) ⊙ e_2) z_1ᵀ: no look back."""
        X, P, Y = make(1, 2, 2, 3, 4, seed=15)
        lr = 0.2
        res = rtrl_online(X, Y, P, lr=lr, reset_sensitivities=True)
        one = rtrl_online(X[:, :1], Y[:, :1], P, lr=lr, reset_sensitivities=True).params
        z1 = np.tanh(X[0, 0] @ P["W_in"].T)
        z2 = np.tanh(one["W_in"] @ X[0, 1] + one["W"] @ z1)
        e2 = one["W_out"][:, 1:].T @ (one["W_out"][:, 0] + one["W_out"][:, 1:] @ z2 - Y[0, 1])
        assert_oracle(res.params["W"], one["W"] - lr * np.outer((1 - z2**2) * e2, z1), "W")

    def test_learns_a_delay(self):
        """Online RTRL learns to output the input of 2 steps ago on a ±1 stream; the reset version does worse."""
        rng = np.random.default_rng(16)
        s = rng.choice([-1.0, 1.0], 3000)
        X = add_bias(s[None, :, None])
        Y = np.concatenate([[0.0, 0.0], s[:-2]])[None, :, None]
        P = {"W_in": rng.normal(0, 0.5, (6, 2)), "W": rng.normal(0, 0.4, (6, 6)), "W_out": rng.normal(0, 0.5, (1, 7))}
        full = rtrl_online(X, Y, P, lr=0.05).E
        cut = rtrl_online(X, Y, P, lr=0.05, reset_sensitivities=True).E
        assert full[-500:].mean() < 0.05 < cut[-500:].mean()

    def test_rejects_many_to_one_targets(self):
        """Online learning needs a target at every step: Y must be (N, T, m)."""
        X, P, Y = make(1, 3, 2, 3, 4, seed=17)
        with pytest.raises(ValueError, match=r"\(N, T, m\)"):
            rtrl_online(X, Y[:, -1], P, lr=0.1)


class TestMemory:
    def test_sensitivity_bytes(self):
        """sensitivity_bytes counts exactly the final P_in and P_W of one sequence, independent of T."""
        for T in (1, 9):
            X, P, Y = make(1, T, 2, 5, 3, seed=9)
            res = rtrl(X, Y, P)
            assert res.P_in.nbytes + res.P_W.nbytes == sensitivity_bytes(2, 5)
