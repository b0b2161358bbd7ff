"""rnnref.esn against independent oracles: the leaky update written step by step in torch, the readout by
scipy.linalg.lstsq on an augmented system and by sklearn's Ridge, ρ(W) by scipy.linalg.eigvals, and the
Mackey–Glass integration against a finer step and its known range."""

import numpy as np
import pytest
import scipy.linalg

from rnnref.esn import (
    delay_pairs,
    esn_generate,
    esn_readout,
    esn_states,
    init_reservoir,
    mackey_glass,
    nrmse,
    ridge_readout,
)

#: (N, T, d, H): N, T, d+1 and H all differ, then T = 1, N = 1, H = 1
SHAPES = [
    pytest.param(2, 6, 3, 5, id="N2-T6-d3-H5"),
    pytest.param(2, 1, 3, 5, id="T1"),
    pytest.param(1, 6, 3, 5, id="N1"),
    pytest.param(2, 6, 3, 1, id="H1"),
]


def make_X(N, T, d, seed=1):
    """(N, T, d+1) inputs, bias column of ones first, standard normal features."""
    rng = np.random.default_rng([seed, 10])
    X = np.ones((N, T, d + 1))
    X[..., 1:] = rng.standard_normal((N, T, d))
    return X


def torch_leaky_states(torch, X, W_in, W, a, z0):
    """z_t = (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1}), one torch step per t."""
    x, Wi, Wr = (torch.from_numpy(A.copy()) for A in (X, W_in, W))
    z = torch.from_numpy(z0.copy())
    out = []
    for t in range(X.shape[1]):
        z = (1 - a) * z + a * torch.tanh(torch.einsum("hk,nk->nh", Wi, x[:, t]) + torch.einsum("hj,nj->nh", Wr, z))
        out.append(z)
    return torch.stack(out, dim=1).numpy()


class TestInitReservoir:
    def test_shapes_and_spectral_radius(self):
        """W_in is (H, d+1) within ±input_scale and W is (H, H) with ρ(W) = rho (scipy.linalg.eigvals)."""
        W_in, W = init_reservoir(3, 7, rho=0.8, input_scale=0.4, seed=2)
        assert W_in.shape == (7, 4) and W.shape == (7, 7)
        assert np.all(np.abs(W_in) <= 0.4)
        assert np.max(np.abs(scipy.linalg.eigvals(W))) == pytest.approx(0.8, rel=1e-12)

    def test_density_leaves_zeros(self):
        """density=0.2 keeps about a fifth of W's entries nonzero."""
        _, W = init_reservoir(1, 50, rho=0.9, density=0.2, seed=3)
        assert 0.1 < np.mean(W != 0) < 0.3

    def test_seed_determines_the_draw(self):
        """The same seed gives the same reservoir, another seed a different one."""
        a, b, c = init_reservoir(2, 4, seed=1), init_reservoir(2, 4, seed=1), init_reservoir(2, 4, seed=2)
        assert np.array_equal(a[1], b[1]) and not np.array_equal(a[1], c[1])


class TestEsnStatesTorchOracle:
    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    @pytest.mark.parametrize("a", [0.3, 1.0])
    def test_matches_torch_steps(self, torch, oracle_close, N, T, d, H, a):
        """The leaky states equal the torch recurrence from z_0 = 0, for a leak and for a = 1."""
        W_in, W = init_reservoir(d, H, rho=0.9, seed=4)
        X = make_X(N, T, d)
        oracle_close(esn_states(X, W_in, W, a), torch_leaky_states(torch, X, W_in, W, a, np.zeros((N, H))), "Z")

    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    def test_matches_torch_steps_from_z0(self, torch, oracle_close, N, T, d, H):
        """A given z_0 starts the recurrence."""
        W_in, W = init_reservoir(d, H, rho=1.1, seed=5)
        X = make_X(N, T, d, seed=2)
        z0 = np.random.default_rng(6).uniform(-1, 1, (N, H))
        oracle_close(esn_states(X, W_in, W, 0.6, z0=z0), torch_leaky_states(torch, X, W_in, W, 0.6, z0), "Z")

    def test_no_leak_is_the_elman_recurrence(self, oracle_close):
        """a = 1 gives rnnref.rnn_forward's z_t = tanh(W_in x_t + W z_{t−1})."""
        from rnnref import rnn_forward

        W_in, W = init_reservoir(3, 5, rho=0.9, seed=7)
        X = make_X(2, 6, 3)
        oracle_close(esn_states(X, W_in, W, 1.0), rnn_forward(X, {"W_in": W_in, "W": W})[0], "Z")

    def test_bad_leak_rate(self):
        """A leak rate outside (0, 1] is a ValueError."""
        W_in, W = init_reservoir(1, 3)
        with pytest.raises(ValueError, match=r"leak rate a must be in \(0, 1\]"):
            esn_states(make_X(1, 2, 1), W_in, W, 0.0)

    def test_inputs_are_not_modified(self):
        """X, W_in, W and z0 are left unchanged."""
        W_in, W = init_reservoir(2, 4, seed=8)
        X, z0 = make_X(3, 5, 2), np.full((3, 4), 0.5)
        before = [A.copy() for A in (X, W_in, W, z0)]
        esn_states(X, W_in, W, 0.5, z0=z0)
        for old, new in zip(before, (X, W_in, W, z0)):
            np.testing.assert_array_equal(old, new)


def _problem(N, T, H, m, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (N, T, H)), rng.standard_normal((N, T, m))


class TestRidgeReadout:
    @pytest.mark.parametrize("N,T,H,m,washout", [(2, 9, 4, 3, 2), (1, 9, 4, 3, 0), (3, 1, 5, 2, 0), (2, 7, 1, 3, 3)],
                             ids=["N2", "N1", "T1", "H1"])
    def test_matches_augmented_lstsq(self, oracle_close, N, T, H, m, washout):
        """(ΦᵀΦ + βI)⁻¹ΦᵀY is the least-squares solution of [Φ; √β I] A = [Y; 0] (scipy.linalg.lstsq)."""
        Z, Y = _problem(N, T, H, m)
        beta = 0.3
        Phi = np.concatenate([np.ones((N, T - washout, 1)), Z[:, washout:]], axis=2).reshape(-1, H + 1)
        A = np.vstack([Phi, np.sqrt(beta) * np.eye(H + 1)])
        B = np.vstack([Y[:, washout:].reshape(-1, m), np.zeros((H + 1, m))])
        oracle_close(ridge_readout(Z, Y, beta, washout), scipy.linalg.lstsq(A, B)[0].T, "W_out")

    def test_matches_sklearn_ridge(self, oracle_close):
        """sklearn's Ridge without an intercept on Φ = [1 Z] gives the same W_out (the bias penalised too)."""
        from sklearn.linear_model import Ridge

        Z, Y = _problem(1, 40, 6, 2, seed=3)
        Phi = np.column_stack([np.ones(35), Z[0, 5:]])
        ref = Ridge(alpha=0.05, fit_intercept=False, solver="cholesky").fit(Phi, Y[0, 5:]).coef_
        oracle_close(ridge_readout(Z[0], Y[0], 0.05, 5), ref, "W_out")

    def test_zero_beta_is_least_squares(self, oracle_close):
        """β = 0 is ordinary least squares (numpy.linalg.lstsq) when Φ has full column rank."""
        Z, Y = _problem(1, 30, 4, 2, seed=4)
        Phi = np.column_stack([np.ones(30), Z[0]])
        oracle_close(ridge_readout(Z, Y, 0.0), np.linalg.lstsq(Phi, Y[0], rcond=None)[0].T, "W_out")

    def test_readout_reproduces_a_linear_target(self, oracle_close):
        """With targets y_t = W_out [1; z_t] exactly and a tiny β, the readout recovers W_out."""
        Z, _ = _problem(2, 50, 5, 1, seed=5)
        W_true = np.random.default_rng(6).standard_normal((3, 6))
        Y = esn_readout(Z, W_true)
        np.testing.assert_allclose(ridge_readout(Z, Y, 1e-12, 4), W_true, atol=1e-8)

    def test_bad_washout(self):
        """A washout that leaves no step is a ValueError."""
        Z, Y = _problem(1, 4, 2, 1)
        with pytest.raises(ValueError, match="washout must leave at least one step"):
            ridge_readout(Z, Y, 0.1, 4)


class TestGenerate:
    @pytest.mark.parametrize("N,K,m,H", [(2, 6, 3, 5), (2, 1, 3, 5), (1, 6, 3, 5), (2, 6, 3, 1)],
                             ids=["N2-K6-m3-H5", "K1", "N1", "H1"])
    def test_closed_loop_equals_feeding_the_outputs(self, torch, oracle_close, N, K, m, H):
        """Each output, fed back as [1; ŷ], gives the next state (the torch recurrence) and the next output."""
        W_in, W = init_reservoir(m, H, rho=0.9, seed=9)
        W_out = np.random.default_rng(10).normal(0, 0.5, (m, H + 1))
        z = np.random.default_rng(11).uniform(-1, 1, (N, H))
        Yhat = esn_generate(z, W_in, W, W_out, 0.4, K)
        assert Yhat.shape == (N, K, m)
        oracle_close(Yhat[:, 0], esn_readout(z, W_out), "ŷ_1")
        if K > 1:
            X = np.concatenate([np.ones((N, K - 1, 1)), Yhat[:, :-1]], axis=2)
            Z = torch_leaky_states(torch, X, W_in, W, 0.4, z)
            oracle_close(Yhat[:, 1:], esn_readout(Z, W_out), "ŷ_2 … ŷ_K")

    def test_needs_input_dimension_m(self):
        """A W_in whose width is not m+1 is a ValueError."""
        W_in, W = init_reservoir(2, 3)
        with pytest.raises(ValueError, match="closed loop needs W_in"):
            esn_generate(np.zeros((1, 3)), W_in, W, np.zeros((1, 4)), 0.5, 3)


class TestNrmse:
    def test_formula(self):
        """√(Σ‖ŷ − y‖² / Σ‖y − ȳ‖²) with ȳ the mean over time, for several outputs."""
        rng = np.random.default_rng(12)
        Y, Yhat = rng.standard_normal((20, 3)) + 5.0, rng.standard_normal((20, 3))
        ref = np.sqrt(np.sum((Yhat - Y) ** 2) / np.sum((Y - Y.mean(0)) ** 2))
        assert nrmse(Yhat, Y) == pytest.approx(ref, rel=1e-14)

    def test_mean_predictor_scores_one(self):
        """Always predicting the mean scores exactly 1; the truth scores 0."""
        Y = np.random.default_rng(13).standard_normal((15, 2))
        assert nrmse(np.broadcast_to(Y.mean(0), Y.shape), Y) == pytest.approx(1.0)
        assert nrmse(Y, Y) == 0.0


class TestMackeyGlass:
    def test_step_size_converges(self):
        """Halving h shrinks the change of the first 300 time units at least threefold (second order: the
        delayed value at the half steps is interpolated linearly), and h = 0.1 is within 10⁻³ of h = 0.025."""
        a, b, c = (mackey_glass(300, h=h, discard=0.0) for h in (0.1, 0.05, 0.025))
        assert np.max(np.abs(a - b)) > 3 * np.max(np.abs(b - c))
        np.testing.assert_allclose(a, c, atol=1e-3)

    def test_attractor_range(self):
        """τ = 17 stays in the known band of the attractor, about 0.4 … 1.35, with spread about 0.23."""
        s = mackey_glass(2000)
        assert 0.35 < s.min() < 0.5 and 1.2 < s.max() < 1.4 and 0.2 < s.std() < 0.26

    def test_constant_history_is_the_start(self):
        """Without a discard the first sample is x0, and the sampling keeps one value per time unit."""
        s = mackey_glass(5, x0=0.8, discard=0.0)
        assert s.shape == (5,) and s[0] == 0.8

    def test_fixed_point(self):
        """x* = 1 is an equilibrium of β x/(1 + x^p) − γ x when β/2 = γ: a constant history stays at 1."""
        s = mackey_glass(50, beta=0.2, gamma=0.1, x0=1.0, discard=0.0)
        np.testing.assert_allclose(s, 1.0, atol=1e-12)

    def test_non_integer_lag(self):
        """τ/h must be an integer."""
        with pytest.raises(ValueError, match="must be integers"):
            mackey_glass(10, tau=17.05, h=0.1)


class TestDelayPairs:
    def test_inputs_and_targets(self):
        """X = rows [1, s_t], Y = rows s_{t+1}."""
        X, Y = delay_pairs(np.array([1.0, 2.0, 3.0]))
        np.testing.assert_array_equal(X, [[1, 1], [1, 2]])
        np.testing.assert_array_equal(Y, [[2], [3]])


class TestEndToEnd:
    def test_mackey_glass_forecast(self):
        """A 200-unit reservoir trained on 2000 samples forecasts 100 steps of Mackey–Glass with NRMSE < 0.05."""
        s = mackey_glass(2100)
        X, Y = delay_pairs(s[:2000])
        W_in, W = init_reservoir(1, 200, rho=1.25, input_scale=1.0, seed=0)
        Z = esn_states(np.concatenate([X, [[1.0, s[1999]]]])[None], W_in, W, 0.3)[0]
        W_out = ridge_readout(Z[:-1], Y, 1e-8, 100)
        forecast = esn_generate(Z[-1][None], W_in, W, W_out, 0.3, 100)[0]
        assert nrmse(forecast, s[2000:, None]) < 0.05
