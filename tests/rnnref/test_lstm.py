"""rnnref.lstm against PyTorch: nn.LSTM and nn.LSTMCell as oracles, and the lecture's
formula written in torch ops (autograd) for what torch's modules lack (peepholes)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnref.gradcheck import directional_check, gradcheck
from rnnref.lstm import (
    LSTM_KEYS,
    PEEPHOLE_KEYS,
    LSTMBackward,
    init_lstm_params,
    lstm_backward,
    lstm_forward,
)

#: (N, T, d, H): every dimension differs, then one of N, T, H equal to 1
SHAPES = [
    pytest.param(3, 5, 4, 6, id="N3-T5-d4-H6"),
    pytest.param(1, 5, 4, 6, id="N1"),
    pytest.param(3, 1, 4, 6, id="T1"),
    pytest.param(3, 5, 4, 1, id="H1"),
]

#: torch's gate blocks in weight_ih_l0 / weight_hh_l0, in its order (i, f, g, o)
TORCH_ORDER = (("W_I_in", "W_I"), ("W_F_in", "W_F"), ("W_in", "W"), ("W_O_in", "W_O"))


def make_case(N, T, d, H, *, seed=0, peephole=False, initial=True, upstream_S=False):
    """X with its column of ones, parameters, z0/s0 (or None), G = ∂E/∂Z and GS = ∂E/∂S (or None)."""
    rng = np.random.default_rng([seed, N, T, d, H])
    X = np.concatenate([np.ones((N, T, 1)), rng.standard_normal((N, T, d))], axis=-1)
    P = init_lstm_params(d, H, seed=seed, peephole=peephole)
    z0 = rng.uniform(-0.9, 0.9, (N, H)) if initial else None
    s0 = rng.standard_normal((N, H)) if initial else None
    G = rng.standard_normal((N, T, H))
    GS = rng.standard_normal((N, T, H)) if upstream_S else None
    return X, P, z0, s0, G, GS


def as_np(t):
    return t.detach().numpy()


def torch_weights(torch, P):
    """weight_ih (4H, d), bias_ih (4H,), weight_hh (4H, H) in torch's (i, f, g, o) order."""
    w_ih = torch.cat([torch.tensor(P[k_in][:, 1:]) for k_in, _ in TORCH_ORDER])
    b_ih = torch.cat([torch.tensor(P[k_in][:, 0]) for k_in, _ in TORCH_ORDER])
    w_hh = torch.cat([torch.tensor(P[k]) for _, k in TORCH_ORDER])
    return w_ih, b_ih, w_hh


def copy_weights(torch, module, P, suffix=""):
    """Load the lecture's P into nn.LSTM (suffix "_l0") or nn.LSTMCell (suffix ""); bias_hh = 0."""
    w_ih, b_ih, w_hh = torch_weights(torch, P)
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(w_ih)
        getattr(module, "bias_ih" + suffix).copy_(b_ih)
        getattr(module, "weight_hh" + suffix).copy_(w_hh)
        getattr(module, "bias_hh" + suffix).zero_()
    return module


def lecture_grads(w_ih_grad, b_ih_grad, w_hh_grad, H):
    """torch's gradients mapped back: ∂E/∂W_·_in = [bias part, weight_ih part], ∂E/∂W_· = weight_hh part."""
    grads = {}
    for i, (k_in, k) in enumerate(TORCH_ORDER):
        rows = slice(i * H, (i + 1) * H)
        grads[k_in] = np.concatenate([as_np(b_ih_grad)[rows, None], as_np(w_ih_grad)[rows]], axis=1)
        grads[k] = as_np(w_hh_grad)[rows]
    return grads


def torch_formula(torch, X, P, z0, s0):
    """The lecture's LSTM step by step in torch ops, every input a requires_grad leaf.

    Returns Z (N, T, H), S (N, T, H) and the leaves {name: tensor} (P's keys, "X", "z0", "s0").
    """
    N, T, _ = X.shape
    H = P["W"].shape[0]
    z0 = np.zeros((N, H)) if z0 is None else z0
    s0 = np.zeros((N, H)) if s0 is None else s0
    p = {k: torch.tensor(v, requires_grad=True) for k, v in dict(P, X=X, z0=z0, s0=s0).items()}
    peep = "p_F" in P
    z, s = p["z0"], p["s0"]
    Zs, Ss = [], []
    for t in range(T):
        x = p["X"][:, t]
        u = x @ p["W_in"].T + z @ p["W"].T
        aF = x @ p["W_F_in"].T + z @ p["W_F"].T
        aI = x @ p["W_I_in"].T + z @ p["W_I"].T
        if peep:
            aF = aF + p["p_F"] * s
            aI = aI + p["p_I"] * s
        s = torch.sigmoid(aF) * s + torch.sigmoid(aI) * torch.tanh(u)
        aO = x @ p["W_O_in"].T + z @ p["W_O"].T
        if peep:
            aO = aO + p["p_O"] * s  # the output gate looks at the new cell
        z = torch.sigmoid(aO) * torch.tanh(s)
        Zs.append(z)
        Ss.append(s)
    return torch.stack(Zs, dim=1), torch.stack(Ss, dim=1), p


def rnnref_grads(X, P, z0, s0, G, GS=None) -> LSTMBackward:
    """lstm_backward for E = Σ Z ⊙ G (+ Σ S ⊙ GS)."""
    _, cache = lstm_forward(X, P, z0, s0)
    return lstm_backward(G, cache, GS)


def loss_problem(X, P, z0, s0, G, GS=None):
    """(f, inputs, analytic) for gradcheck: E = Σ Z ⊙ G (+ Σ S ⊙ GS) as a function of P, X, z0, s0."""
    N, _, _ = X.shape
    H = P["W"].shape[0]
    z0 = np.zeros((N, H)) if z0 is None else z0
    s0 = np.zeros((N, H)) if s0 is None else s0
    inputs = dict(P, X=X, z0=z0, s0=s0)

    def f(p):
        Z, cache = lstm_forward(p["X"], {k: p[k] for k in P}, p["z0"], p["s0"])
        E = np.sum(Z * G)
        if GS is not None:
            E += np.sum(cache["S"].transpose(1, 0, 2) * GS)
        return E

    back = rnnref_grads(X, P, z0, s0, G, GS)
    analytic = dict(back.grads, X=back.dX, z0=back.dz0, s0=back.ds0)
    return f, inputs, analytic


class TestInitLstmParams:
    def test_shapes_dtype_and_range(self):
        """The eight matrices have the lecture's shapes, are float64 and lie within ±1/√H."""
        d, H = 4, 6
        P = init_lstm_params(d, H, seed=3)
        assert tuple(P) == LSTM_KEYS
        for k, v in P.items():
            assert v.shape == ((H, d + 1) if k.endswith("_in") else (H, H)), k
            assert v.dtype == np.float64, k
            assert np.all(np.abs(v) <= 1 / np.sqrt(H)), k

    def test_peephole_adds_vectors_and_keeps_matrices(self):
        """peephole=True adds p_F, p_I, p_O of shape (H,) and draws the same eight matrices."""
        plain = init_lstm_params(4, 6, seed=1)
        peep = init_lstm_params(4, 6, seed=1, peephole=True)
        assert tuple(peep) == LSTM_KEYS + PEEPHOLE_KEYS
        for k in PEEPHOLE_KEYS:
            assert peep[k].shape == (6,)
        for k in LSTM_KEYS:
            np.testing.assert_array_equal(peep[k], plain[k])

    def test_seed_changes_parameters(self):
        """Different seeds give different parameters, the same seed the same ones."""
        a, b, c = (init_lstm_params(2, 3, seed=s) for s in (0, 0, 1))
        assert all(np.array_equal(a[k], b[k]) for k in LSTM_KEYS)
        assert not np.array_equal(a["W_in"], c["W_in"])


class TestLstmForward:
    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    def test_matches_torch_lstm(self, torch, oracle_close, N, T, d, H):
        """Z and the last cell state equal nn.LSTM's output and c_n, with z_0 = s_0 = 0."""
        X, P, _, _, _, _ = make_case(N, T, d, H, initial=False)
        lstm = copy_weights(torch, torch.nn.LSTM(d, H, batch_first=True, dtype=torch.float64), P, "_l0")
        out, (h_n, c_n) = lstm(torch.tensor(X[..., 1:]))
        Z, cache = lstm_forward(X, P)
        oracle_close(Z, as_np(out), "Z")
        oracle_close(cache["S"][-1], as_np(c_n[0]), "s_T")
        oracle_close(Z[:, -1], as_np(h_n[0]), "z_T")

    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    def test_matches_torch_lstm_with_initial_state(self, torch, oracle_close, N, T, d, H):
        """Given z0, s0, Z and s_T equal nn.LSTM's with (h0, c0) = (z0, s0)."""
        X, P, z0, s0, _, _ = make_case(N, T, d, H, seed=5)
        lstm = copy_weights(torch, torch.nn.LSTM(d, H, batch_first=True, dtype=torch.float64), P, "_l0")
        out, (_, c_n) = lstm(torch.tensor(X[..., 1:]), (torch.tensor(z0)[None], torch.tensor(s0)[None]))
        Z, cache = lstm_forward(X, P, z0, s0)
        oracle_close(Z, as_np(out), "Z")
        oracle_close(cache["S"][-1], as_np(c_n[0]), "s_T")

    def test_cell_states_match_torch_lstmcell(self, torch, oracle_close):
        """cache["S"] is time-major (T, N, H) and holds every s_t of nn.LSTMCell."""
        N, T, d, H = 3, 5, 4, 6
        X, P, z0, s0, _, _ = make_case(N, T, d, H, seed=2)
        cell = copy_weights(torch, torch.nn.LSTMCell(d, H, dtype=torch.float64), P)
        h, c = torch.tensor(z0), torch.tensor(s0)
        cs = []
        for t in range(T):
            h, c = cell(torch.tensor(X[:, t, 1:]), (h, c))
            cs.append(as_np(c))
        _, cache = lstm_forward(X, P, z0, s0)
        assert cache["S"].shape == (T, N, H)
        oracle_close(cache["S"], np.stack(cs), "S")

    def test_non_contiguous_input(self):
        """A non-contiguous X (a transposed view) gives the same Z as its contiguous copy."""
        X, P, z0, s0, _, _ = make_case(3, 5, 4, 6)
        Xv = np.ascontiguousarray(X.transpose(1, 0, 2)).transpose(1, 0, 2)
        assert not Xv.flags.c_contiguous
        np.testing.assert_array_equal(lstm_forward(Xv, P, z0, s0)[0], lstm_forward(X, P, z0, s0)[0])

    def test_float32_computes_in_float32(self):
        """float32 X and parameters give float32 Z, cache and gradients, close to the float64 result."""
        X, P, z0, s0, G, GS = make_case(3, 5, 4, 6, peephole=True, upstream_S=True)
        f32 = lambda a: a.astype(np.float32)  # noqa: E731
        Z32, cache32 = lstm_forward(f32(X), {k: f32(v) for k, v in P.items()}, f32(z0), f32(s0))
        back32 = lstm_backward(f32(G), cache32, f32(GS))
        Z64, cache64 = lstm_forward(X, P, z0, s0)
        back64 = lstm_backward(G, cache64, GS)
        assert Z32.dtype == np.float32
        assert all(v.dtype == np.float32 for v in cache32.values() if isinstance(v, np.ndarray))
        assert all(g.dtype == np.float32 for g in back32.grads.values())
        assert back32.dX.dtype == back32.dz0.dtype == back32.ds0.dtype == np.float32
        np.testing.assert_allclose(Z32, Z64, atol=1e-5)
        for k in P:
            np.testing.assert_allclose(back32.grads[k], back64.grads[k], rtol=1e-4, atol=1e-4, err_msg=k)

    def test_inputs_not_modified(self):
        """Forward and backward leave X, P, z0, s0, dZ and dS unchanged."""
        X, P, z0, s0, G, GS = make_case(3, 5, 4, 6, peephole=True, upstream_S=True)
        before = [a.copy() for a in (X, z0, s0, G, GS, *P.values())]
        _, cache = lstm_forward(X, P, z0, s0)
        lstm_backward(G, cache, GS)
        for b, a in zip(before, (X, z0, s0, G, GS, *P.values())):
            np.testing.assert_array_equal(a, b)


class TestLstmBackward:
    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    def test_gradients_match_torch_lstm(self, torch, oracle_close, N, T, d, H):
        """Every weight gradient, dX, dz0 and ds0 equal nn.LSTM's autograd for E = Σ Z ⊙ G."""
        X, P, z0, s0, G, _ = make_case(N, T, d, H, seed=7)
        lstm = copy_weights(torch, torch.nn.LSTM(d, H, batch_first=True, dtype=torch.float64), P, "_l0")
        x = torch.tensor(X[..., 1:], requires_grad=True)
        h0 = torch.tensor(z0[None], requires_grad=True)
        c0 = torch.tensor(s0[None], requires_grad=True)
        out, _ = lstm(x, (h0, c0))
        (out * torch.tensor(G)).sum().backward()
        expected = lecture_grads(lstm.weight_ih_l0.grad, lstm.bias_ih_l0.grad, lstm.weight_hh_l0.grad, H)
        back = rnnref_grads(X, P, z0, s0, G)
        assert tuple(back.grads) == LSTM_KEYS
        for k in LSTM_KEYS:
            oracle_close(back.grads[k], expected[k], f"∂E/∂{k}")
        oracle_close(back.dX[..., 1:], as_np(x.grad), "dX")
        oracle_close(back.dz0, as_np(h0.grad[0]), "dz0")
        oracle_close(back.ds0, as_np(c0.grad[0]), "ds0")

    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    def test_gradients_with_dS_match_torch_lstmcell(self, torch, oracle_close, N, T, d, H):
        """With dS given, E = Σ Z ⊙ G + Σ S ⊙ GS: every gradient equals nn.LSTMCell's autograd."""
        X, P, z0, s0, G, GS = make_case(N, T, d, H, seed=11, upstream_S=True)
        cell = copy_weights(torch, torch.nn.LSTMCell(d, H, dtype=torch.float64), P)
        x = torch.tensor(X, requires_grad=True)
        h0 = torch.tensor(z0, requires_grad=True)
        c0 = torch.tensor(s0, requires_grad=True)
        h, c, E = h0, c0, 0.0
        for t in range(T):
            h, c = cell(x[:, t, 1:], (h, c))
            E = E + (h * torch.tensor(G[:, t])).sum() + (c * torch.tensor(GS[:, t])).sum()
        E.backward()
        expected = lecture_grads(cell.weight_ih.grad, cell.bias_ih.grad, cell.weight_hh.grad, H)
        back = rnnref_grads(X, P, z0, s0, G, GS)
        for k in LSTM_KEYS:
            oracle_close(back.grads[k], expected[k], f"∂E/∂{k}")
        oracle_close(back.dX[..., 1:], as_np(x.grad)[..., 1:], "dX")
        oracle_close(back.dz0, as_np(h0.grad), "dz0")
        oracle_close(back.ds0, as_np(c0.grad), "ds0")

    def test_bias_column_gradient_matches_formula(self, torch, oracle_close):
        """dX's bias column (x_t[0] = 1) equals autograd's through the lecture's formula."""
        X, P, z0, s0, G, _ = make_case(3, 5, 4, 6, seed=4)
        Zt, _, leaves = torch_formula(torch, X, P, z0, s0)
        (Zt * torch.tensor(G)).sum().backward()
        back = rnnref_grads(X, P, z0, s0, G)
        oracle_close(back.dX, as_np(leaves["X"].grad), "dX")

    def test_dS_none_equals_zeros(self):
        """dS=None gives exactly the gradients of dS = 0."""
        X, P, z0, s0, G, _ = make_case(3, 5, 4, 6, peephole=True)
        a = rnnref_grads(X, P, z0, s0, G)
        b = rnnref_grads(X, P, z0, s0, G, np.zeros_like(G))
        for k in P:
            np.testing.assert_array_equal(a.grads[k], b.grads[k])
        np.testing.assert_array_equal(a.dX, b.dX)
        np.testing.assert_array_equal(a.ds0, b.ds0)

    def test_result_shapes(self):
        """LSTMBackward holds grads of P's shapes, dX (N, T, d+1), dz0 and ds0 (N, H)."""
        N, T, d, H = 3, 5, 4, 6
        X, P, z0, s0, G, _ = make_case(N, T, d, H, peephole=True)
        back = rnnref_grads(X, P, z0, s0, G)
        assert isinstance(back, LSTMBackward)
        assert {k: g.shape for k, g in back.grads.items()} == {k: v.shape for k, v in P.items()}
        assert back.dX.shape == (N, T, d + 1)
        assert back.dz0.shape == back.ds0.shape == (N, H)

    @pytest.mark.parametrize("peephole", [False, True], ids=["plain", "peephole"])
    @pytest.mark.parametrize("upstream_S", [False, True], ids=["dZ", "dZ+dS"])
    def test_gradcheck(self, peephole, upstream_S):
        """Central differences of E = Σ Z ⊙ G (+ Σ S ⊙ GS) agree with every analytic gradient, X included."""
        X, P, z0, s0, G, GS = make_case(2, 3, 2, 3, seed=13, peephole=peephole, upstream_S=upstream_S)
        f, inputs, analytic = loss_problem(X, P, z0, s0, G, GS)
        report = gradcheck(f, inputs, analytic)
        assert report, str(report)
        assert {t.name for t in report.tensors} == set(P) | {"X", "z0", "s0"}

    @pytest.mark.parametrize("peephole", [False, True], ids=["plain", "peephole"])
    def test_directional_check(self, peephole):
        """Along random directions in all parameters and inputs, ⟨∇E, u⟩ agrees with central differences."""
        X, P, z0, s0, G, GS = make_case(3, 5, 4, 6, seed=17, peephole=peephole, upstream_S=True)
        f, inputs, analytic = loss_problem(X, P, z0, s0, G, GS)
        report = directional_check(f, inputs, analytic, n_directions=6)
        assert report, str(report)

    def test_gradcheck_catches_a_wrong_entry(self):
        """One corrupted entry of ∂E/∂W_F makes gradcheck fail and name W_F."""
        X, P, z0, s0, G, _ = make_case(2, 3, 2, 3, seed=19)
        f, inputs, analytic = loss_problem(X, P, z0, s0, G)
        analytic["W_F"] = analytic["W_F"].copy()
        analytic["W_F"][1, 2] += 1e-3
        report = gradcheck(f, inputs, analytic, wrt=["W_F", "W_I"])
        assert not report
        assert "FAIL W_F" in str(report) and "W_F[1, 2]" in str(report)
        assert "ok   W_I" in str(report)


class TestPeephole:
    def test_torch_formula_matches_nn_lstm(self, torch, oracle_close):
        """The hand-written torch formula (the peephole oracle) reproduces nn.LSTM without peepholes."""
        N, T, d, H = 3, 5, 4, 6
        X, P, z0, s0, G, _ = make_case(N, T, d, H, seed=23)
        Zt, St, leaves = torch_formula(torch, X, P, z0, s0)
        (Zt * torch.tensor(G)).sum().backward()
        lstm = copy_weights(torch, torch.nn.LSTM(d, H, batch_first=True, dtype=torch.float64), P, "_l0")
        out, (_, c_n) = lstm(torch.tensor(X[..., 1:]), (torch.tensor(z0)[None], torch.tensor(s0)[None]))
        (out * torch.tensor(G)).sum().backward()
        expected = lecture_grads(lstm.weight_ih_l0.grad, lstm.bias_ih_l0.grad, lstm.weight_hh_l0.grad, H)
        oracle_close(as_np(Zt), as_np(out), "Z")
        oracle_close(as_np(St[:, -1]), as_np(c_n[0]), "s_T")
        for k in LSTM_KEYS:
            oracle_close(as_np(leaves[k].grad), expected[k], f"∂E/∂{k}")

    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    def test_forward_matches_torch_formula(self, torch, oracle_close, N, T, d, H):
        """With peepholes, Z and every cell state s_t equal the torch formula's."""
        X, P, z0, s0, _, _ = make_case(N, T, d, H, seed=29, peephole=True)
        Zt, St, _ = torch_formula(torch, X, P, z0, s0)
        Z, cache = lstm_forward(X, P, z0, s0)
        oracle_close(Z, as_np(Zt), "Z")
        oracle_close(cache["S"].transpose(1, 0, 2), as_np(St), "S")

    @pytest.mark.parametrize("N,T,d,H", SHAPES)
    @pytest.mark.parametrize("upstream_S", [False, True], ids=["dZ", "dZ+dS"])
    def test_gradients_match_torch_formula(self, torch, oracle_close, N, T, d, H, upstream_S):
        """With peepholes, every gradient (p_F, p_I, p_O, X, z0, s0 included) equals torch autograd's."""
        X, P, z0, s0, G, GS = make_case(N, T, d, H, seed=31, peephole=True, upstream_S=upstream_S)
        Zt, St, leaves = torch_formula(torch, X, P, z0, s0)
        E = (Zt * torch.tensor(G)).sum()
        if upstream_S:
            E = E + (St * torch.tensor(GS)).sum()
        E.backward()
        back = rnnref_grads(X, P, z0, s0, G, GS)
        assert tuple(back.grads) == LSTM_KEYS + PEEPHOLE_KEYS
        for k in P:
            oracle_close(back.grads[k], as_np(leaves[k].grad), f"∂E/∂{k}")
        oracle_close(back.dX, as_np(leaves["X"].grad), "dX")
        oracle_close(back.dz0, as_np(leaves["z0"].grad), "dz0")
        oracle_close(back.ds0, as_np(leaves["s0"].grad), "ds0")

    def test_zero_peepholes_equal_no_peepholes(self):
        """p_F = p_I = p_O = 0 gives the plain LSTM's Z and gradients, plus peephole gradients."""
        X, P, z0, s0, G, GS = make_case(3, 5, 4, 6, seed=37, upstream_S=True)
        P0 = dict(P, **{k: np.zeros(6) for k in PEEPHOLE_KEYS})
        Z, _ = lstm_forward(X, P, z0, s0)
        Z0, _ = lstm_forward(X, P0, z0, s0)
        np.testing.assert_allclose(Z0, Z, rtol=0, atol=1e-15)
        a, b = rnnref_grads(X, P, z0, s0, G, GS), rnnref_grads(X, P0, z0, s0, G, GS)
        for k in LSTM_KEYS:
            np.testing.assert_allclose(b.grads[k], a.grads[k], rtol=0, atol=1e-14, err_msg=k)
        assert all(np.any(b.grads[k]) for k in PEEPHOLE_KEYS)

    def test_output_gate_reads_new_cell(self):
        """Only p_O nonzero, T = 1, s_0 = 0: g^O_1 = σ(W_O_in x_1 + p_O ⊙ s_1), s_1 the new cell."""
        X, P, _, _, _, _ = make_case(2, 1, 3, 4, seed=41, peephole=True)
        P = dict(P, p_F=np.zeros(4), p_I=np.zeros(4))
        Z, cache = lstm_forward(X, P)
        x = X[:, 0]
        s1 = 1 / (1 + np.exp(-x @ P["W_I_in"].T)) * np.tanh(x @ P["W_in"].T)
        gO = 1 / (1 + np.exp(-(x @ P["W_O_in"].T + P["p_O"] * s1)))
        np.testing.assert_allclose(cache["S"][0], s1, rtol=1e-13)
        np.testing.assert_allclose(Z[:, 0], gO * np.tanh(s1), rtol=1e-13)


class TestGradcheckProperty:
    @given(
        N=st.integers(1, 4),
        T=st.integers(1, 4),
        d=st.integers(1, 4),
        H=st.integers(1, 4),
        peephole=st.booleans(),
        upstream_S=st.booleans(),
        seed=st.integers(0, 2**16),
    )
    def test_gradcheck_any_shape(self, N, T, d, H, peephole, upstream_S, seed):
        """For any small N, T, d, H, with or without peepholes and dS, gradcheck passes on every input."""
        X, P, z0, s0, G, GS = make_case(N, T, d, H, seed=seed, peephole=peephole, upstream_S=upstream_S)
        f, inputs, analytic = loss_problem(X, P, z0, s0, G, GS)
        report = gradcheck(f, inputs, analytic)
        assert report, str(report)


class TestValidation:
    def test_wrong_X_width_names_expected_shape(self):
        """X with d columns instead of d+1 raises a ValueError naming (N, T, d+1) = (N, T, 5) and X's shape."""
        X, P, _, _, _, _ = make_case(3, 5, 4, 6)
        with pytest.raises(ValueError, match=r"\(N, T, d\+1\) = \(N, T, 5\).*got \(3, 5, 4\)"):
            lstm_forward(X[..., 1:], P)

    @pytest.mark.parametrize("N,T", [(3, 0), (0, 5)], ids=["T0", "N0"])
    def test_empty_batch(self, N, T):
        """No step (T = 0) or no sequence (N = 0) raises a ValueError, as rnn_forward."""
        X, P, _, _, _, _ = make_case(3, 5, 4, 6)
        with pytest.raises(ValueError, match=r"at least one sequence of at least one step, got shape"):
            lstm_forward(X[:N, :T], P)

    def test_init_needs_positive_sizes(self):
        """init_lstm_params with d = 0 or H = 0 raises a ValueError."""
        with pytest.raises(ValueError, match=r"d ≥ 1 .* H ≥ 1"):
            init_lstm_params(0, 3)
        with pytest.raises(ValueError, match=r"got d=2, H=0"):
            init_lstm_params(2, 0)

    def test_X_must_be_3d(self):
        """A single sequence (T, d+1) raises a ValueError naming (N, T, d+1)."""
        X, P, _, _, _, _ = make_case(3, 5, 4, 6)
        with pytest.raises(ValueError, match=r"X must be \(N, T, d\+1\), got 2 dimensions"):
            lstm_forward(X[0], P)

    @pytest.mark.parametrize(
        "change, message",
        [
            (lambda P: P.pop("W_O"), r"missing \('W_O',\)"),
            (lambda P: P.update(W_F=np.zeros((6, 5))), r"W_F must be \(H, H\) = \(6, 6\).*got \(6, 5\)"),
            (lambda P: P.update(W_I_in=np.zeros((6, 4))), r"W_I_in must be \(H, d\+1\) = \(6, 5\).*got \(6, 4\)"),
            (lambda P: P.update(p_F=np.zeros(6)), r"all of \('p_F', 'p_I', 'p_O'\) or none; got only \('p_F',\)"),
            (
                lambda P: P.update(p_F=np.zeros(6), p_I=np.zeros(6), p_O=np.zeros(5)),
                r"p_O must be \(H,\) = \(6,\), got \(5,\)",
            ),
        ],
        ids=["missing-key", "W_F-shape", "W_I_in-shape", "partial-peephole", "p_O-shape"],
    )
    def test_bad_parameters(self, change, message):
        """Missing keys, wrong matrix shapes and incomplete peepholes raise a ValueError saying what was expected."""
        X, P, _, _, _, _ = make_case(3, 5, 4, 6)
        change(P)
        with pytest.raises(ValueError, match=message):
            lstm_forward(X, P)

    @pytest.mark.parametrize("which", ["z0", "s0"])
    def test_bad_initial_state(self, which):
        """z0 or s0 not (N, H) raises a ValueError naming (N, H) = (3, 6)."""
        X, P, z0, s0, _, _ = make_case(3, 5, 4, 6)
        kw = {"z0": z0, "s0": s0, which: np.zeros((6, 3))}
        with pytest.raises(ValueError, match=rf"{which} must be \(N, H\) = \(3, 6\), got shape \(6, 3\)"):
            lstm_forward(X, P, **kw)

    def test_bad_upstream_shapes(self):
        """dZ or dS not (N, T, H) raises a ValueError naming (N, T, H) = (3, 5, 6)."""
        X, P, _, _, G, _ = make_case(3, 5, 4, 6)
        _, cache = lstm_forward(X, P)
        with pytest.raises(ValueError, match=r"dZ must be \(N, T, H\) = \(3, 5, 6\), got \(5, 3, 6\)"):
            lstm_backward(G.transpose(1, 0, 2), cache)
        with pytest.raises(ValueError, match=r"dS must be \(N, T, H\) = \(3, 5, 6\) or None, got \(3, 5, 5\)"):
            lstm_backward(G, cache, G[..., :5])
