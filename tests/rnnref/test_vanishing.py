"""rnnref.analysis for the vanishing exercise: scipy for ρ(W) and ‖W^k‖, torch autograd for ∂E/∂z_t
and ∂E/∂s_t of the plain RNN and the LSTM (tests/rnnref/test_analysis.py covers the lecture's values),
and for the truncated ∂E/∂z_t of rnn_backward(truncate=k), with the state detached every k steps."""

import numpy as np
import pytest
import scipy.linalg

from rnnref import add_bias, init_lstm_params, lstm_forward, rnn_backward, rnn_forward
from rnnref.analysis import grad_norms_over_time, lstm_state_gradients, power_norms, spectral_radius
from tests.conftest import assert_oracle

#: (N, T, d, H): N, T, d+1 and H all differ, then T = 1, N = 1, H = 1
SHAPES = [
    pytest.param(2, 6, 3, 5, id="N2-T6-d3-H5"),
    pytest.param(2, 1, 3, 5, id="T1"),
    pytest.param(1, 6, 3, 5, id="N1"),
    pytest.param(2, 6, 3, 1, id="H1"),
]


class TestSpectralRadiusScipy:
    @pytest.mark.parametrize("H", [1, 2, 7])
    def test_matches_scipy_eigvals(self, H):
        """ρ(W) = max |λ| of scipy.linalg.eigvals, for non-symmetric W (complex eigenvalues included)."""
        W = np.random.default_rng(H).standard_normal((H, H))
        assert spectral_radius(W) == pytest.approx(np.max(np.abs(scipy.linalg.eigvals(W))), rel=1e-12)

    def test_rotation_is_not_its_real_parts(self):
        """A scaled rotation has eigenvalues r e^{±iφ}: ρ = r, not the largest real part r cos φ."""
        r, phi = 0.9, 1.2
        W = r * np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
        assert spectral_radius(W) == pytest.approx(r, rel=1e-12)
        assert np.max(scipy.linalg.eigvals(W).real) == pytest.approx(r * np.cos(phi))

    def test_is_not_the_spectral_norm(self):
        """For a non-normal W, ρ(W) < ‖W‖₂ (scipy's largest singular value)."""
        W = np.array([[0.5, 3.0], [0.0, 0.5]])
        assert spectral_radius(W) == pytest.approx(0.5)
        assert scipy.linalg.norm(W, 2) > 3.0


class TestPowerNormsScipy:
    @pytest.mark.parametrize("ord", [2, "fro"])
    def test_matches_scipy(self, ord):
        """‖W^k‖ for k = 0 … K equals scipy.linalg.norm of scipy's matrix powers."""
        W = np.random.default_rng(3).standard_normal((4, 4)) * 0.6
        expected = [scipy.linalg.norm(np.linalg.matrix_power(W, k), ord) for k in range(6)]
        assert_oracle(power_norms(W, 5, ord=ord), np.array(expected), f"‖W^k‖ ({ord})")


def torch_rnn_states(torch, X, P):
    """z_1 … z_T of the plain tanh RNN in torch ops, each z_t retaining its gradient."""
    Wi, W = (torch.from_numpy(P[k].copy()).requires_grad_(True) for k in ("W_in", "W"))
    z = torch.zeros(X.shape[0], W.shape[0])
    Zs = []
    for t in range(X.shape[1]):
        z = torch.tanh(torch.from_numpy(X[:, t]) @ Wi.T + z @ W.T)
        z.retain_grad()
        Zs.append(z)
    return Zs


class TestPlainRNNStateGradients:
    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    def test_dZ_total_matches_autograd(self, torch, N, T, d, H):
        """rnn_backward's dZ_total (what the exercise's state_gradients returns) is z_t.grad of Σ ⟨G_t, z_t⟩."""
        rng = np.random.default_rng([N, T, d, H])
        X = add_bias(rng.standard_normal((N, T, d)))
        P = {"W_in": rng.normal(0, 0.5, (H, d + 1)), "W": rng.normal(0, 0.7, (H, H))}
        G = rng.standard_normal((N, T, H))
        _, cache = rnn_forward(X, P)
        dZ_total = rnn_backward(G, cache).dZ_total
        Zs = torch_rnn_states(torch, X, P)
        (torch.stack(Zs, 1) * torch.from_numpy(G)).sum().backward()
        expected = np.stack([z.grad.numpy() for z in Zs], 1)
        assert_oracle(dZ_total, expected, "∂E/∂z_t")
        assert_oracle(grad_norms_over_time(dZ_total), np.linalg.norm(expected, axis=(0, 2)), "‖∂E/∂z_t‖")


def torch_lstm_states(torch, X, P):
    """z_t and s_t of the lecture's LSTM in torch ops (peepholes if P has them), retaining gradients."""
    p = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in P.items()}
    H = P["W"].shape[0]
    z = torch.zeros(X.shape[0], H)
    s = torch.zeros(X.shape[0], H)
    Zs, Ss = [], []
    for t in range(X.shape[1]):
        x = torch.from_numpy(X[:, t])
        u = x @ p["W_in"].T + z @ p["W"].T
        aF = x @ p["W_F_in"].T + z @ p["W_F"].T
        aI = x @ p["W_I_in"].T + z @ p["W_I"].T
        if "p_F" in p:
            aF, aI = aF + p["p_F"] * s, aI + p["p_I"] * s
        s = torch.sigmoid(aF) * s + torch.sigmoid(aI) * torch.tanh(u)
        aO = x @ p["W_O_in"].T + z @ p["W_O"].T
        if "p_O" in p:
            aO = aO + p["p_O"] * s
        z = torch.sigmoid(aO) * torch.tanh(s)
        z.retain_grad()
        s.retain_grad()
        Zs.append(z)
        Ss.append(s)
    return Zs, Ss


class TestLSTMStateGradients:
    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    @pytest.mark.parametrize("peephole", [False, True], ids=["plain", "peephole"])
    def test_matches_autograd(self, torch, N, T, d, H, peephole):
        """∂E/∂z_t and ∂E/∂s_t equal z_t.grad and s_t.grad of E = Σ ⟨G_t, z_t⟩."""
        rng = np.random.default_rng([N, T, d, H, peephole])
        X = add_bias(rng.standard_normal((N, T, d)))
        P = init_lstm_params(d, H, seed=1, peephole=peephole)
        G = rng.standard_normal((N, T, H))
        _, cache = lstm_forward(X, P)
        dZ, dS = lstm_state_gradients(G, cache)
        Zs, Ss = torch_lstm_states(torch, X, P)
        (torch.stack(Zs, 1) * torch.from_numpy(G)).sum().backward()
        assert_oracle(dZ, np.stack([z.grad.numpy() for z in Zs], 1), "∂E/∂z_t")
        assert_oracle(dS, np.stack([s.grad.numpy() for s in Ss], 1), "∂E/∂s_t")

    def test_only_last_output(self):
        """With the error at t = T only, ∂E/∂z_T is that error and s_T gets it through g^O ⊙ (1 − tanh² s_T)."""
        rng = np.random.default_rng(2)
        X = add_bias(rng.standard_normal((1, 8, 2)))
        P = init_lstm_params(2, 3, seed=2)
        G = np.zeros((1, 8, 3))
        G[0, -1] = rng.standard_normal(3)
        _, cache = lstm_forward(X, P)
        dZ, dS = lstm_state_gradients(G, cache)
        np.testing.assert_array_equal(dZ[0, -1], G[0, -1])
        gO, fS = cache["G"][-1, 0, 9:], cache["fS"][-1, 0]
        np.testing.assert_allclose(dS[0, -1], G[0, -1] * gO * (1 - fS**2), rtol=1e-14)

    def test_rejects_wrong_shape(self):
        """An upstream gradient of the wrong shape is refused with the expected (N, T, H)."""
        _, cache = lstm_forward(add_bias(np.zeros((1, 4, 2))), init_lstm_params(2, 3))
        with pytest.raises(ValueError, match=r"\(1, 4, 3\)"):
            lstm_state_gradients(np.zeros((1, 3, 4)), cache)


def torch_rnn_states_detached(torch, X, P, k):
    """z_1 … z_T as torch_rnn_states, with the state detached every k steps (z_k, z_{2k}, … enter the next step as
    constants): truncated BPTT as PyTorch users write it."""
    Wi, W = (torch.from_numpy(P[key].copy()).requires_grad_(True) for key in ("W_in", "W"))
    z = torch.zeros(X.shape[0], W.shape[0])
    Zs = []
    for t in range(X.shape[1]):
        if t > 0 and t % k == 0:
            z = z.detach()
        z = torch.tanh(torch.from_numpy(X[:, t]) @ Wi.T + z @ W.T)
        z.retain_grad()
        Zs.append(z)
    return Zs


#: (T, k): k not dividing T, k dividing T, k = 1, k = T, k > T, T = 1
TRUNCATIONS = [(7, 3), (6, 2), (6, 1), (6, 6), (5, 9), (1, 1)]


class TestTruncatedStateGradients:
    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    @pytest.mark.parametrize("k", [1, 2, 4])
    def test_dZ_total_matches_detached_autograd(self, torch, N, T, d, H, k):
        """rnn_backward(truncate=k).dZ_total (the exercise's truncated_state_gradients) is z_t.grad of Σ ⟨G_t, z_t⟩
        with the state detached every k steps."""
        rng = np.random.default_rng([N, T, d, H, k])
        X = add_bias(rng.standard_normal((N, T, d)))
        P = {"W_in": rng.normal(0, 0.5, (H, d + 1)), "W": rng.normal(0, 0.7, (H, H))}
        G = rng.standard_normal((N, T, H))
        _, cache = rnn_forward(X, P)
        dZ_total = rnn_backward(G, cache, truncate=k).dZ_total
        Zs = torch_rnn_states_detached(torch, X, P, k)
        (torch.stack(Zs, 1) * torch.from_numpy(G)).sum().backward()
        assert_oracle(dZ_total, np.stack([z.grad.numpy() for z in Zs], 1), f"∂E/∂z_t, truncate={k}")

    @pytest.mark.parametrize("T,k", TRUNCATIONS)
    def test_chunk_ends_get_only_their_direct_error(self, T, k):
        """z_t gets only dZ_t exactly at t = k, 2k, … and t = T; k ≥ T is full BPTT and k = 1 gives dZ itself."""
        rng = np.random.default_rng([T, k])
        X = add_bias(rng.standard_normal((1, T, 2)))
        P = {"W_in": rng.normal(0, 0.5, (4, 3)), "W": rng.normal(0, 0.7, (4, 4))}
        G = rng.standard_normal((1, T, 4))
        _, cache = rnn_forward(X, P)
        cut = rnn_backward(G, cache, truncate=k).dZ_total[0]
        full = rnn_backward(G, cache).dZ_total[0]
        ends = [t for t in range(1, T + 1) if t % k == 0 or t == T]
        for t in range(1, T + 1):
            if t in ends:
                np.testing.assert_array_equal(cut[t - 1], G[0, t - 1])
            else:
                assert not np.array_equal(cut[t - 1], G[0, t - 1]), t
        if k >= T:
            np.testing.assert_array_equal(cut, full)
        if k == 1:
            np.testing.assert_array_equal(cut, G[0])

    def test_max_error_against_torch(self, torch):
        """The largest |rnnref − torch| over the truncations above, on N=2, T=9, d=3, H=5, is below 1e-12."""
        worst = 0.0
        for k in (1, 2, 3, 4, 9, 12):
            rng = np.random.default_rng(k)
            X = add_bias(rng.standard_normal((2, 9, 3)))
            P = {"W_in": rng.normal(0, 0.5, (5, 4)), "W": rng.normal(0, 0.7, (5, 5))}
            G = rng.standard_normal((2, 9, 5))
            _, cache = rnn_forward(X, P)
            Zs = torch_rnn_states_detached(torch, X, P, k)
            (torch.stack(Zs, 1) * torch.from_numpy(G)).sum().backward()
            expected = np.stack([z.grad.numpy() for z in Zs], 1)
            worst = max(worst, float(np.max(np.abs(rnn_backward(G, cache, truncate=k).dZ_total - expected))))
        print(f"max |rnnref − torch| of the truncated ∂E/∂z_t: {worst:.3e}")
        assert worst < 1e-12
