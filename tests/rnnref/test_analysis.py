"""rnnref.analysis: the lecture's spectral-radius examples, ‖W^k‖, and ‖∂E/∂z_t‖ over t."""

import numpy as np
import pytest

from rnnref import add_bias, bptt, init_params
from rnnref.analysis import grad_norms_over_time, power_norms, scale_to_spectral_radius, spectral_radius
from tests.conftest import assert_oracle

# the three 2×2 matrices of seed 003's slides, with the values the slides print
W_EQUAL = np.array([[1.0, -1.0], [2.0, -2.0]])  # ρ = 1
W_DECAY = np.array([[1.0, 0.5], [-0.5, -1.0]])  # ρ = 0.866, W^10 ≈ 0.24 I
W_GROW = np.array([[-2.0, -0.1], [-0.3, 1.0]])  # ρ = 2.01, W^10 ≈ [[1072, 36], [107, 5]] in magnitude


class TestSpectralRadius:
    def test_lecture_examples(self):
        """ρ of the slides' matrices is 1, 0.866 and 2.01."""
        assert spectral_radius(W_EQUAL) == pytest.approx(1.0, abs=1e-12)
        assert spectral_radius(W_DECAY) == pytest.approx(0.866, abs=5e-4)
        assert spectral_radius(W_GROW) == pytest.approx(2.01, abs=5e-3)

    def test_matches_torch_eigvals(self, torch):
        """ρ of a random non-symmetric matrix equals max |torch.linalg.eigvals|."""
        W = np.random.default_rng(0).standard_normal((7, 7))
        expected = torch.linalg.eigvals(torch.from_numpy(W)).abs().max().item()
        assert spectral_radius(W) == pytest.approx(expected, rel=1e-12)

    def test_rescaling(self):
        """scale_to_spectral_radius gives the requested ρ."""
        W = np.random.default_rng(1).standard_normal((6, 6))
        for rho in (0.5, 1.0, 1.3):
            assert spectral_radius(scale_to_spectral_radius(W, rho)) == pytest.approx(rho, rel=1e-12)

    def test_rejects_non_square(self):
        """A non-square matrix is refused with its shape."""
        with pytest.raises(ValueError, match=r"\(2, 3\)"):
            spectral_radius(np.ones((2, 3)))


class TestPowerNorms:
    def test_lecture_examples(self):
        """W^10 stays, decays to ≈ 0.24 I, and grows to the slide's ≈ [[1072, 36], [107, 5]]."""
        assert power_norms(W_EQUAL, 10)[10] == pytest.approx(power_norms(W_EQUAL, 10)[1], rel=1e-12)
        W10 = np.linalg.matrix_power(W_DECAY, 10)
        np.testing.assert_allclose(W10, 0.75**5 * np.eye(2), atol=1e-12)
        assert power_norms(W_DECAY, 10)[10] == pytest.approx(0.24, abs=5e-3)
        np.testing.assert_allclose(np.abs(np.linalg.matrix_power(W_GROW, 10)), [[1072, 36], [107, 5]], rtol=0.05, atol=1)
        assert power_norms(W_GROW, 10, ord=np.inf)[10] == pytest.approx(np.abs(np.linalg.matrix_power(W_GROW, 10)).sum(1).max())

    def test_first_entry_is_identity(self):
        """‖W⁰‖ = ‖I‖ = 1 in the spectral norm."""
        assert power_norms(W_GROW, 3)[0] == 1.0

    def test_rate_is_spectral_radius(self):
        """‖W^k‖^{1/k} tends to ρ(W) (Gelfand's formula)."""
        W = np.random.default_rng(2).standard_normal((5, 5))
        norms = power_norms(W, 200)
        assert norms[200] ** (1 / 200) == pytest.approx(spectral_radius(W), rel=0.05)


class TestGradNormsOverTime:
    def test_matches_autograd(self, torch):
        """‖∂E/∂z_t‖ equals the norm of autograd's z_t.grad at every t."""
        rng = np.random.default_rng(3)
        X = add_bias(rng.standard_normal((2, 6, 3)))
        Y = rng.standard_normal((2, 6))[..., None]
        P = init_params(3, 4, 1, seed=4)
        res = bptt(X, Y, P)
        leaves = {k: torch.from_numpy(v).requires_grad_(True) for k, v in P.items()}
        z = torch.zeros(2, 4)
        zs = []
        for t in range(6):
            z = torch.tanh(torch.from_numpy(X[:, t]) @ leaves["W_in"].T + z @ leaves["W"].T)
            z.retain_grad()
            zs.append(z)
        V = torch.stack(zs, 1) @ leaves["W_out"][:, 1:].T + leaves["W_out"][:, 0]
        (0.5 * ((V - torch.from_numpy(Y)) ** 2).sum()).backward()
        expected = np.array([zt.grad.norm().item() for zt in zs])
        assert_oracle(grad_norms_over_time(res.dZ_total), expected, "‖∂E/∂z_t‖")

    def test_vanishing_with_small_recurrent_weights(self):
        """With ρ(W) ≪ 1 and only the last output scored, ‖∂E/∂z_t‖ decays going back in time."""
        rng = np.random.default_rng(5)
        P = init_params(2, 8, 1, seed=6)
        P["W"] = scale_to_spectral_radius(rng.standard_normal((8, 8)), 0.3)
        X = add_bias(rng.standard_normal((1, 20, 2)))
        res = bptt(X, rng.standard_normal((1, 1)), P, many_to_one=True)
        norms = grad_norms_over_time(res.dZ_total)
        assert norms[0] < 1e-6 * norms[-1]
