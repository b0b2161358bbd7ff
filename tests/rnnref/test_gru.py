"""rnnref.gru against PyTorch: nn.GRU for the torch convention, autograd on the lecture formula."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnref.gradcheck import directional_check, gradcheck
from rnnref.gru import (
    CONVENTIONS,
    GRU_KEYS,
    GRUBackward,
    gru_backward,
    gru_forward,
    init_gru_params,
)

# (N, T, d, H): every dimension differs, then T = 1, N = 1, H = 1
SHAPES = [(3, 5, 4, 6), (3, 1, 4, 6), (1, 5, 4, 6), (3, 5, 4, 1)]
SHAPE_IDS = ["N3T5d4H6", "T1", "N1", "H1"]


def make_X(N, T, d, seed=1, dtype=np.float64):
    """(N, T, d+1) inputs, bias column of ones first, standard normal features."""
    rng = np.random.default_rng([seed, 10])
    X = np.ones((N, T, d + 1))
    X[..., 1:] = rng.standard_normal((N, T, d))
    return X.astype(dtype)


def make_case(N, T, d, H, convention, seed=0):
    """Parameters, inputs, a nonzero h0 and an upstream gradient G of the loss Σ Hs ⊙ G."""
    P = init_gru_params(d, H, seed=seed, convention=convention)
    rng = np.random.default_rng([seed, 20])
    return P, make_X(N, T, d, seed), 0.5 * rng.standard_normal((N, H)), rng.standard_normal((N, T, H))


def keys_of(convention):
    return GRU_KEYS + (("b_hn",) if convention == "torch" else ())


# ---------------------------------------------------------------- the oracles


def torch_gru(torch, P):
    """nn.GRU with rnnref's torch-convention weights; PyTorch stacks the blocks as (r, z, n)."""
    H, d1 = P["W_in"].shape
    gru = torch.nn.GRU(d1 - 1, H, batch_first=True, dtype=torch.float64)
    blocks_in = [P["W_R_in"], P["W_Z_in"], P["W_in"]]
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.from_numpy(np.concatenate([B[:, 1:] for B in blocks_in])))
        gru.bias_ih_l0.copy_(torch.from_numpy(np.concatenate([B[:, 0] for B in blocks_in])))
        gru.weight_hh_l0.copy_(torch.from_numpy(np.concatenate([P["W_R"], P["W_Z"], P["W"]])))
        gru.bias_hh_l0.copy_(torch.from_numpy(np.concatenate([np.zeros(2 * H), P["b_hn"]])))
    return gru


def torch_gru_run(torch, P, X, h0, G):
    """Hs, h_T and the gradients of Σ Hs ⊙ G from nn.GRU, mapped back to rnnref's keys."""
    H = P["W"].shape[0]
    gru = torch_gru(torch, P)
    x = torch.from_numpy(X[..., 1:].copy()).requires_grad_()
    h = torch.from_numpy(h0[None].copy()).requires_grad_()
    out, h_n = gru(x, h)
    (out * torch.from_numpy(G)).sum().backward()
    gih, gbih = gru.weight_ih_l0.grad.numpy(), gru.bias_ih_l0.grad.numpy()
    ghh, gbhh = gru.weight_hh_l0.grad.numpy(), gru.bias_hh_l0.grad.numpy()
    r, z, n = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)
    grads = {
        "W_R_in": np.column_stack([gbih[r], gih[r]]),
        "W_Z_in": np.column_stack([gbih[z], gih[z]]),
        "W_in": np.column_stack([gbih[n], gih[n]]),
        "W_R": ghh[r],
        "W_Z": ghh[z],
        "W": ghh[n],
        "b_hn": gbhh[n],
    }
    return {
        "Hs": out.detach().numpy(),
        "h_n": h_n.detach().numpy()[0],
        "grads": grads,
        "bias_hh_rz": gbhh[: 2 * H],
        "dx": x.grad.numpy(),
        "dh0": h.grad.numpy()[0],
    }


def lecture_gru_autograd(torch, P, X, h0, G):
    """The lecture formula step by step in torch ops; Hs and the autograd gradients of Σ Hs ⊙ G."""
    leaves = {k: torch.from_numpy(P[k].copy()).requires_grad_() for k in GRU_KEYS}
    x = torch.from_numpy(X.copy()).requires_grad_()
    h0_t = torch.from_numpy(h0.copy()).requires_grad_()
    h, outs = h0_t, []
    for t in range(X.shape[1]):
        xt = x[:, t]
        z = torch.sigmoid(xt @ leaves["W_Z_in"].T + h @ leaves["W_Z"].T)
        r = torch.sigmoid(xt @ leaves["W_R_in"].T + h @ leaves["W_R"].T)
        hc = torch.tanh(xt @ leaves["W_in"].T + (r * h) @ leaves["W"].T)
        h = (1 - z) * h + z * hc
        outs.append(h)
    Hs = torch.stack(outs, dim=1)
    (Hs * torch.from_numpy(G)).sum().backward()
    return {
        "Hs": Hs.detach().numpy(),
        "grads": {k: v.grad.numpy() for k, v in leaves.items()},
        "dX": x.grad.numpy(),
        "dh0": h0_t.grad.numpy(),
    }


def rnnref_run(P, X, h0, G, convention):
    Hs, cache = gru_forward(X, P, h0=h0, convention=convention)
    return Hs, gru_backward(G, cache)


# ---------------------------------------------------------------- tests


class TestInitGruParams:
    def test_shapes_dtype_and_range(self):
        """Every matrix has the lecture's shape, is float64 and lies in ±1/√H."""
        d, H = 4, 6
        P = init_gru_params(d, H, seed=3)
        assert set(P) == set(GRU_KEYS)
        for k in GRU_KEYS:
            assert P[k].shape == ((H, d + 1) if k.endswith("_in") else (H, H)), k
            assert P[k].dtype == np.float64
            assert np.all(np.abs(P[k]) <= 1 / np.sqrt(H)), k

    def test_torch_adds_b_hn_and_shares_the_matrices(self):
        """convention='torch' adds b_hn (H,) and draws the same six matrices for the same seed."""
        lec = init_gru_params(4, 6, seed=7)
        tor = init_gru_params(4, 6, seed=7, convention="torch")
        assert set(tor) == set(GRU_KEYS) | {"b_hn"}
        assert tor["b_hn"].shape == (6,) and np.all(np.abs(tor["b_hn"]) <= 1 / np.sqrt(6))
        for k in GRU_KEYS:
            np.testing.assert_array_equal(lec[k], tor[k])

    def test_seed_determines_the_draw(self):
        """The same seed gives the same parameters, another seed different ones."""
        a, b, c = init_gru_params(3, 2, seed=1), init_gru_params(3, 2, seed=1), init_gru_params(3, 2, seed=2)
        assert all(np.array_equal(a[k], b[k]) for k in GRU_KEYS)
        assert not np.array_equal(a["W"], c["W"])

    def test_unknown_convention(self):
        """An unknown convention is a ValueError naming the valid ones."""
        with pytest.raises(ValueError, match=re.escape("unknown GRU convention 'keras'; use one of ('lecture', 'torch')")):
            init_gru_params(4, 6, convention="keras")


class TestGruForwardTorchOracle:
    @pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
    def test_matches_nn_gru(self, torch, oracle_close, shape):
        """convention='torch' reproduces nn.GRU's outputs from h_0 = 0."""
        N, T, d, H = shape
        P, X, _, G = make_case(N, T, d, H, "torch")
        Hs, _ = gru_forward(X, P, convention="torch")
        ref = torch_gru_run(torch, P, X, np.zeros((N, H)), G)
        oracle_close(Hs, ref["Hs"], "Hs")
        oracle_close(Hs[:, -1], ref["h_n"], "h_T")

    @pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
    def test_matches_nn_gru_with_h0(self, torch, oracle_close, shape):
        """convention='torch' reproduces nn.GRU's outputs from a nonzero h_0."""
        N, T, d, H = shape
        P, X, h0, G = make_case(N, T, d, H, "torch", seed=4)
        Hs, _ = gru_forward(X, P, h0=h0, convention="torch")
        ref = torch_gru_run(torch, P, X, h0, G)
        oracle_close(Hs, ref["Hs"], "Hs")

    def test_inputs_are_not_modified(self):
        """gru_forward and gru_backward leave X, the parameters, h0 and dHs unchanged."""
        P, X, h0, G = make_case(3, 5, 4, 6, "torch")
        before = [a.copy() for a in (X, h0, G, *P.values())]
        rnnref_run(P, X, h0, G, "torch")
        for old, new in zip(before, (X, h0, G, *P.values())):
            np.testing.assert_array_equal(old, new)


class TestGruBackwardTorchOracle:
    @pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
    def test_every_gradient_matches_autograd(self, torch, oracle_close, shape):
        """Every parameter gradient, dX[..., 1:] and dh0 equal nn.GRU's autograd gradients."""
        N, T, d, H = shape
        P, X, h0, G = make_case(N, T, d, H, "torch", seed=5)
        _, back = rnnref_run(P, X, h0, G, "torch")
        ref = torch_gru_run(torch, P, X, h0, G)
        assert isinstance(back, GRUBackward)
        assert set(back.grads) == set(keys_of("torch"))
        for k in keys_of("torch"):
            oracle_close(back.grads[k], ref["grads"][k], f"d{k}")
        oracle_close(back.dX[..., 1:], ref["dx"], "dX[..., 1:]")
        oracle_close(back.dh0, ref["dh0"], "dh0")

    def test_folded_recurrent_gate_biases(self, torch, oracle_close):
        """The r and z parts of bias_hh get the gradient of rnnref's input biases (column 0)."""
        P, X, h0, G = make_case(3, 5, 4, 6, "torch", seed=6)
        _, back = rnnref_run(P, X, h0, G, "torch")
        ref = torch_gru_run(torch, P, X, h0, G)
        rz = np.concatenate([back.grads["W_R_in"][:, 0], back.grads["W_Z_in"][:, 0]])
        oracle_close(rz, ref["bias_hh_rz"], "bias_hh[r, z]")


class TestGruLectureOracle:
    @pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
    def test_forward_and_gradients_match_autograd(self, torch, oracle_close, shape):
        """convention='lecture' matches the step-by-step formula in torch: Hs, every gradient, dX, dh0."""
        N, T, d, H = shape
        P, X, h0, G = make_case(N, T, d, H, "lecture", seed=8)
        Hs, back = rnnref_run(P, X, h0, G, "lecture")
        ref = lecture_gru_autograd(torch, P, X, h0, G)
        oracle_close(Hs, ref["Hs"], "Hs")
        assert set(back.grads) == set(GRU_KEYS)
        for k in GRU_KEYS:
            oracle_close(back.grads[k], ref["grads"][k], f"d{k}")
        oracle_close(back.dX, ref["dX"], "dX")
        oracle_close(back.dh0, ref["dh0"], "dh0")

    def test_zero_h0_is_the_default(self, torch, oracle_close):
        """h0=None gives the autograd result from h_0 = 0."""
        P, X, _, G = make_case(3, 5, 4, 6, "lecture", seed=9)
        Hs, back = rnnref_run(P, X, None, G, "lecture")
        ref = lecture_gru_autograd(torch, P, X, np.zeros((3, 6)), G)
        oracle_close(Hs, ref["Hs"], "Hs")
        oracle_close(back.dh0, ref["dh0"], "dh0")

    def test_conventions_differ_on_the_same_weights(self):
        """The two conventions give clearly different Hs on the same six matrices, even with b_hn = 0."""
        P, X, h0, _ = make_case(3, 5, 4, 6, "lecture", seed=2)
        lec, _ = gru_forward(X, P, h0=h0, convention="lecture")
        tor, _ = gru_forward(X, dict(P, b_hn=np.zeros(6)), h0=h0, convention="torch")
        assert np.max(np.abs(lec - tor)) > 1e-2

    def test_float32_computes_in_float32(self):
        """float32 inputs and parameters give float32 states, caches and gradients close to float64."""
        P, X, h0, G = make_case(3, 5, 4, 6, "torch", seed=3)
        Hs64, back64 = rnnref_run(P, X, h0, G, "torch")
        P32 = {k: v.astype(np.float32) for k, v in P.items()}
        Hs32, cache = gru_forward(X.astype(np.float32), P32, h0=h0.astype(np.float32), convention="torch")
        back32 = gru_backward(G.astype(np.float32), cache)
        assert Hs32.dtype == np.float32
        assert all(v.dtype == np.float32 for v in cache.values() if isinstance(v, np.ndarray))
        assert all(g.dtype == np.float32 for g in back32.grads.values())
        assert back32.dX.dtype == np.float32 and back32.dh0.dtype == np.float32
        np.testing.assert_allclose(Hs32, Hs64, atol=1e-5)
        for k in keys_of("torch"):
            np.testing.assert_allclose(back32.grads[k], back64.grads[k], atol=1e-4, err_msg=k)


def _loss_and_analytic(N, T, d, H, convention, seed=0):
    """f(p) = Σ Hs ⊙ G over the inputs {params, X, h0} and rnnref's analytic gradient of it."""
    P, X, h0, G = make_case(N, T, d, H, convention, seed)
    keys = keys_of(convention)

    def f(p):
        Hs, _ = gru_forward(p["X"], {k: p[k] for k in keys}, h0=p["h0"], convention=convention)
        return float(np.sum(Hs * G))

    _, back = rnnref_run(P, X, h0, G, convention)
    return f, dict(P, X=X, h0=h0), dict(back.grads, X=back.dX, h0=back.dh0)


class TestGruGradcheck:
    @pytest.mark.parametrize("convention", CONVENTIONS)
    def test_gradcheck_passes(self, convention):
        """Central differences confirm every gradient, dX and dh0 of Σ Hs ⊙ G."""
        f, inputs, analytic = _loss_and_analytic(3, 5, 4, 6, convention)
        report = gradcheck(f, inputs, analytic)
        assert report, str(report)
        assert {t.name for t in report.tensors} == set(keys_of(convention)) | {"X", "h0"}

    @pytest.mark.parametrize("convention", CONVENTIONS)
    def test_directional_check_passes(self, convention):
        """Directional derivatives along random directions agree with the analytic gradient."""
        f, inputs, analytic = _loss_and_analytic(3, 5, 4, 6, convention, seed=1)
        report = directional_check(f, inputs, analytic, n_directions=6)
        assert report, str(report)

    def test_the_other_conventions_gradient_fails(self):
        """gradcheck rejects the lecture convention's gradients for the torch convention's loss."""
        f, inputs, _ = _loss_and_analytic(3, 5, 4, 6, "torch", seed=2)
        _, _, wrong = _loss_and_analytic(3, 5, 4, 6, "lecture", seed=2)
        report = gradcheck(f, inputs, wrong, wrt=GRU_KEYS)
        assert not report, str(report)

    @given(
        N=st.integers(1, 4),
        T=st.integers(1, 4),
        d=st.integers(1, 4),
        H=st.integers(1, 4),
        convention=st.sampled_from(CONVENTIONS),
        seed=st.integers(0, 2**16),
    )
    def test_gradcheck_property(self, N, T, d, H, convention, seed):
        """For any small shape and seed, gradcheck passes in both conventions."""
        f, inputs, analytic = _loss_and_analytic(N, T, d, H, convention, seed)
        report = gradcheck(f, inputs, analytic)
        assert report, str(report)


class TestGruValidation:
    def test_unknown_convention(self):
        """gru_forward rejects an unknown convention by name."""
        P, X, _, _ = make_case(3, 5, 4, 6, "lecture")
        with pytest.raises(ValueError, match=re.escape("unknown GRU convention 'cudnn'; use one of ('lecture', 'torch')")):
            gru_forward(X, P, convention="cudnn")

    def test_torch_without_b_hn(self):
        """convention='torch' with lecture parameters (no b_hn) is a ValueError naming b_hn."""
        P, X, _, _ = make_case(3, 5, 4, 6, "lecture")
        with pytest.raises(ValueError, match=re.escape("convention='torch' needs params['b_hn'] (H,)")):
            gru_forward(X, P, convention="torch")

    def test_lecture_with_b_hn(self):
        """convention='lecture' refuses a b_hn it would silently ignore."""
        P, X, _, _ = make_case(3, 5, 4, 6, "torch")
        with pytest.raises(ValueError, match=re.escape("convention='lecture' has no b_hn")):
            gru_forward(X, P)

    def test_missing_key(self):
        """A missing parameter matrix is named."""
        P, X, _, _ = make_case(3, 5, 4, 6, "lecture")
        del P["W_R"]
        with pytest.raises(ValueError, match=re.escape("GRU parameters ['W_R'] are missing")):
            gru_forward(X, P)

    def test_wrong_X_width(self):
        """X without the bias column (d instead of d+1 columns) is rejected with both widths."""
        P, X, _, _ = make_case(3, 5, 4, 6, "lecture")
        with pytest.raises(ValueError, match=re.escape("X must be (N, T, d+1) = (N, T, 5) to match W_in (H, d+1), got (3, 5, 4)")):
            gru_forward(X[..., 1:], P)

    def test_X_not_3d(self):
        """A single sequence (T, d+1) must be given as a batch (1, T, d+1)."""
        P, X, _, _ = make_case(3, 5, 4, 6, "lecture")
        with pytest.raises(ValueError, match=re.escape("X must be (N, T, d+1), got 2 dimensions with shape (5, 5)")):
            gru_forward(X[0], P)

    def test_wrong_gate_matrix_shape(self):
        """A gate matrix of the wrong shape is named with the expected shape."""
        P, X, _, _ = make_case(3, 5, 4, 6, "lecture")
        P["W_Z"] = P["W_Z"][:, :5]
        with pytest.raises(ValueError, match=re.escape("W_Z must be (H, H) = (6, 6) (from W_in and W), got shape (6, 5)")):
            gru_forward(X, P)

    def test_wrong_b_hn_shape(self):
        """b_hn must be a vector of H entries."""
        P, X, _, _ = make_case(3, 5, 4, 6, "torch")
        P["b_hn"] = P["b_hn"][:, None]
        with pytest.raises(ValueError, match=re.escape("b_hn must be (H,) = (6,), got shape (6, 1)")):
            gru_forward(X, P, convention="torch")

    def test_wrong_h0_shape(self):
        """h0 must be (N, H)."""
        P, X, _, _ = make_case(3, 5, 4, 6, "lecture")
        with pytest.raises(ValueError, match=re.escape("h0 must be (N, H) = (3, 6), got shape (6,)")):
            gru_forward(X, P, h0=np.zeros(6))

    def test_wrong_dHs_shape(self):
        """gru_backward rejects an upstream gradient that is not (N, T, H)."""
        P, X, _, _ = make_case(3, 5, 4, 6, "lecture")
        _, cache = gru_forward(X, P)
        with pytest.raises(ValueError, match=re.escape("dHs must be (N, T, H) = (3, 5, 6), got (5, 3, 6)")):
            gru_backward(np.zeros((5, 3, 6)), cache)


class TestGruEmptyInput:
    def test_rejects_empty_sequence(self):
        """T = 0 is refused with the shape, as in rnn_forward."""
        X = np.ones((2, 0, 4))
        with pytest.raises(ValueError, match="at least one step"):
            gru_forward(X, init_gru_params(3, 5))
