"""rnnref.optim against torch.optim and torch.nn.utils.clip_grad_norm_."""

import numpy as np
import pytest

from rnnref.optim import adam, clip_grad_norm, global_norm, momentum, sgd
from tests.conftest import assert_oracle


def setup(seed=0):
    rng = np.random.default_rng(seed)
    params = {"W_in": rng.standard_normal((4, 3)), "W": rng.standard_normal((4, 4)), "W_out": rng.standard_normal((2, 5))}
    grad_seq = [{k: rng.standard_normal(v.shape) for k, v in params.items()} for _ in range(6)]
    return params, grad_seq


def run_torch(torch, params, grad_seq, make_opt):
    leaves = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in params.items()}
    opt = make_opt(list(leaves.values()))
    for grads in grad_seq:
        for k, leaf in leaves.items():
            leaf.grad = torch.from_numpy(grads[k].copy())
        opt.step()
    return {k: v.detach().numpy() for k, v in leaves.items()}


class TestSgd:
    def test_matches_torch(self, torch):
        """Six SGD steps equal torch.optim.SGD's."""
        params, seq = setup()
        p = params
        for g in seq:
            p = sgd(p, g, lr=0.1)
        expected = run_torch(torch, params, seq, lambda ps: torch.optim.SGD(ps, lr=0.1))
        for k in p:
            assert_oracle(p[k], expected[k], k)

    def test_does_not_mutate(self):
        """The caller's params and grads are unchanged."""
        params, seq = setup()
        before = {k: v.copy() for k, v in params.items()}
        sgd(params, seq[0], lr=0.5)
        for k in params:
            np.testing.assert_array_equal(params[k], before[k])

    def test_rejects_mismatched_keys(self):
        """grads without a parameter's key is refused, naming the key."""
        params, seq = setup()
        with pytest.raises(ValueError, match="'W_out'"):
            sgd(params, {k: v for k, v in seq[0].items() if k != "W_out"}, lr=0.1)


class TestMomentum:
    def test_matches_torch(self, torch):
        """Six momentum steps equal torch.optim.SGD(momentum=0.9)."""
        params, seq = setup(1)
        p, state = params, None
        for g in seq:
            p, state = momentum(p, g, state, lr=0.05, mu=0.9)
        expected = run_torch(torch, params, seq, lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9))
        for k in p:
            assert_oracle(p[k], expected[k], k)


class TestAdam:
    def test_matches_torch(self, torch):
        """Six Adam steps equal torch.optim.Adam (bias-corrected, same ε placement)."""
        params, seq = setup(2)
        p, state = params, None
        for g in seq:
            p, state = adam(p, g, state, lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6)
        expected = run_torch(
            torch, params, seq, lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-6)
        )
        for k in p:
            assert_oracle(p[k], expected[k], k)
        assert state["t"] == 6

    def test_first_step_is_lr_times_sign(self):
        """With bias correction the first step moves every entry by ≈ η·sign(g) (Kingma & Ba §3)."""
        params, seq = setup(3)
        p, _ = adam(params, seq[0], None, lr=0.01, eps=0.0)
        for k in params:
            np.testing.assert_allclose(params[k] - p[k], 0.01 * np.sign(seq[0][k]), rtol=1e-12)

    def test_state_not_mutated(self):
        """Passing a state in does not change it; a new one is returned."""
        params, seq = setup(4)
        _, s1 = adam(params, seq[0])
        m_before = {k: v.copy() for k, v in s1["m"].items()}
        adam(params, seq[1], s1)
        assert s1["t"] == 1
        for k in m_before:
            np.testing.assert_array_equal(s1["m"][k], m_before[k])


class TestClipGradNorm:
    @pytest.mark.parametrize("max_norm", [0.5, 3.0, 100.0])
    def test_matches_torch(self, torch, max_norm):
        """Clipping by global norm equals torch.nn.utils.clip_grad_norm_, total norm included."""
        _, seq = setup(5)
        grads = seq[0]
        clipped, total = clip_grad_norm(grads, max_norm)
        leaves = [torch.zeros(v.shape, requires_grad=True) for v in grads.values()]
        for leaf, g in zip(leaves, grads.values()):
            leaf.grad = torch.from_numpy(g.copy())
        t_total = torch.nn.utils.clip_grad_norm_(leaves, max_norm)
        assert abs(total - t_total.item()) <= 1e-12 * total
        for leaf, k in zip(leaves, grads):
            assert_oracle(clipped[k], leaf.grad.numpy(), k)

    def test_norm_after_clipping(self):
        """A gradient larger than θ comes out with norm θ (up to the 1e-6 guard); a smaller one unchanged."""
        _, seq = setup(6)
        clipped, total = clip_grad_norm(seq[0], 1.0)
        assert total > 1.0
        assert global_norm(clipped) == pytest.approx(1.0, rel=1e-5)
        same, _ = clip_grad_norm(seq[0], 10 * total)
        for k in same:
            np.testing.assert_array_equal(same[k], seq[0][k])

    def test_rejects_nonpositive_threshold(self):
        """θ ≤ 0 is refused."""
        with pytest.raises(ValueError, match="positive"):
            clip_grad_norm({"W": np.ones(2)}, 0.0)
