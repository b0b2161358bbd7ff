"""rnnref.birnn against PyTorch: nn.RNN(bidirectional=True) for the states, torch autograd for every gradient."""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnref import add_bias, rnn_forward
from rnnref.birnn import (
    BIRNN_KEYS,
    LAYER_KEYS,
    BiBPTT,
    BiRNNBackward,
    bi_bptt,
    bi_elman_backward,
    bi_elman_forward,
    birnn_backward,
    birnn_forward,
    birnn_states,
    init_birnn_params,
)
from rnnref.gradcheck import directional_check, gradcheck

# (N, T, d, H, m): every dimension differs (and d+1, H+1, 2H, 2H+1 too), then T = 1, N = 1, H = 1
SHAPES = [(3, 5, 4, 6, 2), (3, 1, 4, 6, 2), (1, 5, 4, 6, 2), (3, 5, 4, 1, 2)]
SHAPE_IDS = ["N3T5d4H6m2", "T1", "N1", "H1"]


def make_case(N, T, d, H, m, seed=0, g="identity"):
    """Parameters, inputs (N, T, d+1), the two initial states, an upstream G (N, T, 2H) and targets Y."""
    P = init_birnn_params(d, H, m, seed=seed, scale=0.7)
    rng = np.random.default_rng([seed, 30])
    X = add_bias(rng.standard_normal((N, T, d)))
    z0_fw, z0_bw = 0.5 * rng.standard_normal((2, N, H))
    G = rng.standard_normal((N, T, 2 * H))
    Y = rng.standard_normal((N, T, m)) if g == "identity" else np.eye(m)[rng.integers(0, m, (N, T))]
    return P, X, z0_fw, z0_bw, G, Y


# ---------------------------------------------------------------- the oracles


def torch_birnn(torch, P, X, f="tanh", z0_fw=None, z0_bw=None):
    """nn.RNN(bidirectional=True) with rnnref's weights: bias_ih = column 0 of W_in, bias_hh = 0.

    Returns the module, the input and h0 leaves, the output (N, T, 2H) and h_n (2, N, H).
    """
    H, d1 = P["W_in_fw"].shape
    N = X.shape[0]
    net = torch.nn.RNN(d1 - 1, H, nonlinearity=f, batch_first=True, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        for suffix, k in (("l0", "fw"), ("l0_reverse", "bw")):
            getattr(net, f"weight_ih_{suffix}").copy_(torch.from_numpy(P[f"W_in_{k}"][:, 1:]))
            getattr(net, f"bias_ih_{suffix}").copy_(torch.from_numpy(P[f"W_in_{k}"][:, 0]))
            getattr(net, f"weight_hh_{suffix}").copy_(torch.from_numpy(P[f"W_{k}"]))
            getattr(net, f"bias_hh_{suffix}").zero_()
    x = torch.from_numpy(X[..., 1:].copy()).requires_grad_(True)
    zeros = np.zeros((N, H))
    h0 = torch.from_numpy(np.stack([zeros if z0_fw is None else z0_fw, zeros if z0_bw is None else z0_bw]))
    h0.requires_grad_(True)
    out, h_n = net(x, h0)
    return net, x, h0, out, h_n


def torch_grads(net):
    """nn.RNN's parameter gradients mapped back to rnnref's keys (bias_ih as column 0)."""
    out = {}
    for suffix, k in (("l0", "fw"), ("l0_reverse", "bw")):
        w, b = getattr(net, f"weight_ih_{suffix}").grad.numpy(), getattr(net, f"bias_ih_{suffix}").grad.numpy()
        out[f"W_in_{k}"] = np.column_stack([b, w])
        out[f"W_{k}"] = getattr(net, f"weight_hh_{suffix}").grad.numpy()
    return out


def torch_lecture(torch, P, X, Y, g, f="tanh"):
    """The lecture's bidirectional network step by step in torch ops; u→_t, u←_t kept for the δ's."""
    Xt = torch.from_numpy(X)
    leaves = {k: torch.from_numpy(P[k].copy()).requires_grad_(True) for k in BIRNN_KEYS}
    N, T, _ = X.shape
    H = P["W_fw"].shape[0]
    act = torch.tanh if f == "tanh" else torch.relu
    U_fw, Z_fw, U_bw, Z_bw = [None] * T, [None] * T, [None] * T, [None] * T
    z = torch.zeros(N, H)
    for t in range(T):  # past → future
        u = Xt[:, t] @ leaves["W_in_fw"].T + z @ leaves["W_fw"].T
        u.retain_grad()
        z = act(u)
        U_fw[t], Z_fw[t] = u, z
    z = torch.zeros(N, H)
    for t in reversed(range(T)):  # future → past
        u = Xt[:, t] @ leaves["W_in_bw"].T + z @ leaves["W_bw"].T
        u.retain_grad()
        z = act(u)
        U_bw[t], Z_bw[t] = u, z
    Z = torch.cat([torch.stack(Z_fw, 1), torch.stack(Z_bw, 1)], dim=-1)
    V = Z @ leaves["W_out"][:, 1:].T + leaves["W_out"][:, 0]
    Yt = torch.from_numpy(Y)
    E = 0.5 * ((V - Yt) ** 2).sum() if g == "identity" else -(Yt * torch.log_softmax(V, dim=-1)).sum()
    E.backward()
    Yhat = V if g == "identity" else torch.softmax(V, dim=-1)
    return {
        "E": float(E.detach()),
        "Yhat": Yhat.detach().numpy(),
        "grads": {k: v.grad.numpy() for k, v in leaves.items()},
        "D_fw": np.stack([u.grad.numpy() for u in U_fw], 1),
        "D_bw": np.stack([u.grad.numpy() for u in U_bw], 1),
        "U_fw": np.stack([u.detach().numpy() for u in U_fw], 1),
        "U_bw": np.stack([u.detach().numpy() for u in U_bw], 1),
    }


# ---------------------------------------------------------------- tests


class TestInitBirnnParams:
    def test_shapes_dtype_and_range(self):
        """Every matrix has the lecture's shape (W_out reads [1; z→; z←]), is float64 and lies in ±1/√H."""
        d, H, m = 4, 6, 2
        P = init_birnn_params(d, H, m, seed=3)
        assert tuple(P) == BIRNN_KEYS
        shapes = {"W_in_fw": (H, d + 1), "W_fw": (H, H), "W_in_bw": (H, d + 1), "W_bw": (H, H), "W_out": (m, 2 * H + 1)}
        for k, s in shapes.items():
            assert P[k].shape == s and P[k].dtype == np.float64, k
            assert np.all(np.abs(P[k]) <= 1 / np.sqrt(H)), k

    def test_seed_determines_the_draw(self):
        """The same seed gives the same parameters, another seed different ones; the directions differ."""
        a, b, c = (init_birnn_params(3, 2, 4, seed=s) for s in (1, 1, 2))
        assert all(np.array_equal(a[k], b[k]) for k in BIRNN_KEYS)
        assert not np.array_equal(a["W_fw"], c["W_fw"])
        assert not np.array_equal(a["W_fw"], a["W_bw"])

    def test_rejects_empty_sizes(self):
        """d, H and m must be at least 1."""
        with pytest.raises(ValueError, match="H ≥ 1 hidden units"):
            init_birnn_params(3, 0, 2)


class TestBirnnForwardTorchOracle:
    @pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
    def test_matches_bidirectional_nn_rnn(self, torch, oracle_close, shape):
        """[z→_t; z←_t] equals nn.RNN(bidirectional=True)'s output from zero states, and h_n its ends."""
        N, T, d, H, m = shape
        P, X, *_ = make_case(N, T, d, H, m)
        Z, _ = birnn_forward(X, P)
        _, _, _, out, h_n = torch_birnn(torch, P, X)
        oracle_close(Z, out.detach().numpy(), "Z")
        oracle_close(Z[:, -1, :H], h_n[0].detach().numpy(), "z→_T")
        oracle_close(Z[:, 0, H:], h_n[1].detach().numpy(), "z←_1")

    @pytest.mark.parametrize("f", ["tanh", "relu"])
    def test_initial_states_and_activation(self, torch, oracle_close, f):
        """z0_fw is z→_0 and z0_bw is z←_{T+1}, as nn.RNN's h0[0] and h0[1], for tanh and ReLU."""
        P, X, z0_fw, z0_bw, _, _ = make_case(3, 5, 4, 6, 2, seed=1)
        Z, _ = birnn_forward(X, P, f=f, z0_fw=z0_fw, z0_bw=z0_bw)
        _, _, _, out, _ = torch_birnn(torch, P, X, f, z0_fw, z0_bw)
        oracle_close(Z, out.detach().numpy(), f"Z ({f})")

    def test_states_in_time_order(self, torch, oracle_close):
        """birnn_states gives u→_t, z→_t, u←_t, z←_t at index t−1 for both directions."""
        P, X, *_, Y = make_case(3, 5, 4, 6, 2, seed=2)
        Z, cache = birnn_forward(X, P)
        S = birnn_states(cache)
        ref = torch_lecture(torch, P, X, Y, "identity")
        oracle_close(S["U_fw"], ref["U_fw"], "U_fw")
        oracle_close(S["U_bw"], ref["U_bw"], "U_bw")
        np.testing.assert_array_equal(S["Z_fw"], Z[..., :6])
        np.testing.assert_array_equal(S["Z_bw"], Z[..., 6:])

    def test_backward_direction_is_an_rnn_on_the_reversed_sequence(self):
        """z←_t is rnn_forward's state over x_T, …, x_t with the backward direction's weights."""
        P, X, *_ = make_case(3, 5, 4, 6, 2, seed=3)
        Z, _ = birnn_forward(X, P)
        Z_rev, _ = rnn_forward(X[:, ::-1], {"W_in": P["W_in_bw"], "W": P["W_bw"]})
        np.testing.assert_allclose(Z[..., 6:], Z_rev[:, ::-1], rtol=0, atol=1e-15)

    def test_reversing_the_sequence_swaps_the_directions(self):
        """Reversed inputs with the two directions' weights exchanged give the same states, halves swapped."""
        P, X, *_ = make_case(2, 6, 3, 4, 2, seed=4)
        Z, _ = birnn_forward(X, P)
        swapped = {"W_in_fw": P["W_in_bw"], "W_fw": P["W_bw"], "W_in_bw": P["W_in_fw"], "W_bw": P["W_fw"]}
        Zs, _ = birnn_forward(X[:, ::-1], swapped)
        np.testing.assert_allclose(Zs[:, ::-1], np.concatenate([Z[..., 4:], Z[..., :4]], axis=-1), atol=1e-14)

    def test_only_the_backward_direction_sees_the_future(self):
        """Changing x_T changes every z←_t and z→_T only: z→_t for t < T has not read it yet."""
        P, X, *_ = make_case(2, 6, 3, 4, 2, seed=5)
        X2 = X.copy()
        X2[:, -1, 1:] += 1.0
        Z, _ = birnn_forward(X, P)
        Z2, _ = birnn_forward(X2, P)
        np.testing.assert_array_equal(Z[:, :-1, :4], Z2[:, :-1, :4])
        assert np.all(np.abs(Z[:, :, 4:] - Z2[:, :, 4:]).max(axis=-1) > 0)

    def test_dtype_follows_inputs(self):
        """float64 inputs give float64 states and float32 inputs float32 ones."""
        P, X, *_ = make_case(3, 5, 4, 6, 2)
        assert birnn_forward(X, P)[0].dtype == np.float64
        P32 = {k: v.astype(np.float32) for k, v in P.items()}
        assert birnn_forward(X.astype(np.float32), P32)[0].dtype == np.float32

    def test_inputs_are_not_modified(self):
        """birnn_forward, birnn_backward and bi_bptt leave X, the parameters, the states and dZ unchanged."""
        P, X, z0_fw, z0_bw, G, Y = make_case(3, 5, 4, 6, 2)
        before = [a.copy() for a in (X, z0_fw, z0_bw, G, Y, *P.values())]
        _, cache = birnn_forward(X, P, z0_fw=z0_fw, z0_bw=z0_bw)
        birnn_backward(G, cache)
        bi_bptt(X, Y, P)
        for old, new in zip(before, (X, z0_fw, z0_bw, G, Y, *P.values())):
            np.testing.assert_array_equal(old, new)


class TestBirnnBackwardTorchOracle:
    @pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
    def test_every_gradient_matches_autograd(self, torch, oracle_close, shape):
        """The four weight gradients, dX[..., 1:] and both initial states' gradients equal nn.RNN's autograd."""
        N, T, d, H, m = shape
        P, X, z0_fw, z0_bw, G, _ = make_case(N, T, d, H, m, seed=6)
        _, cache = birnn_forward(X, P, z0_fw=z0_fw, z0_bw=z0_bw)
        back = birnn_backward(G, cache)
        net, x, h0, out, _ = torch_birnn(torch, P, X, "tanh", z0_fw, z0_bw)
        (out * torch.from_numpy(G)).sum().backward()
        assert isinstance(back, BiRNNBackward) and tuple(back.grads) == LAYER_KEYS
        ref = torch_grads(net)
        for k in LAYER_KEYS:
            oracle_close(back.grads[k], ref[k], f"d{k}")
        oracle_close(back.dX[..., 1:], x.grad.numpy(), "dX[..., 1:]")
        oracle_close(back.dz0_fw, h0.grad[0].numpy(), "dz0_fw")
        oracle_close(back.dz0_bw, h0.grad[1].numpy(), "dz0_bw")

    def test_relu(self, torch, oracle_close):
        """With f = ReLU the gradients equal autograd too."""
        P, X, z0_fw, z0_bw, G, _ = make_case(3, 5, 4, 6, 2, seed=7)
        _, cache = birnn_forward(X, P, f="relu", z0_fw=z0_fw, z0_bw=z0_bw)
        back = birnn_backward(G, cache)
        net, x, h0, out, _ = torch_birnn(torch, P, X, "relu", z0_fw, z0_bw)
        (out * torch.from_numpy(G)).sum().backward()
        ref = torch_grads(net)
        for k in LAYER_KEYS:
            oracle_close(back.grads[k], ref[k], f"d{k} (relu)")

    def test_directions_are_separate(self):
        """An upstream gradient on z→ only leaves the backward direction's gradients zero, and vice versa."""
        P, X, _, _, G, _ = make_case(3, 5, 4, 6, 2, seed=8)
        _, cache = birnn_forward(X, P)
        only_fw = birnn_backward(np.concatenate([G[..., :6], np.zeros_like(G[..., 6:])], -1), cache)
        only_bw = birnn_backward(np.concatenate([np.zeros_like(G[..., :6]), G[..., 6:]], -1), cache)
        assert not np.any(only_fw.grads["W_in_bw"]) and not np.any(only_fw.grads["W_bw"]) and not np.any(only_fw.D_bw)
        assert not np.any(only_bw.grads["W_in_fw"]) and not np.any(only_bw.grads["W_fw"]) and not np.any(only_bw.D_fw)


class TestBiElmanTorchOracle:
    @pytest.mark.parametrize("g", ["identity", "softmax"])
    @pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
    def test_outputs_deltas_and_gradients(self, torch, oracle_close, shape, g):
        """ŷ_t, E, δ→_t = ∂E/∂u→_t, δ←_t = ∂E/∂u←_t (time order) and all five gradients equal autograd."""
        N, T, d, H, m = shape
        P, X, *_, Y = make_case(N, T, d, H, m, seed=9, g=g)
        Yhat, cache = bi_elman_forward(X, P, g=g)
        res = bi_elman_backward(cache, Y)
        ref = torch_lecture(torch, P, X, Y, g)
        assert isinstance(res, BiBPTT) and tuple(res.grads) == BIRNN_KEYS
        oracle_close(Yhat, ref["Yhat"], "Yhat")
        oracle_close(res.E, ref["E"], "E")
        oracle_close(res.D_fw, ref["D_fw"], "D_fw")
        oracle_close(res.D_bw, ref["D_bw"], "D_bw")
        for k in BIRNN_KEYS:
            oracle_close(res.grads[k], ref["grads"][k], f"d{k}")

    def test_lecture_matrix_products(self):
        """For one sequence: D→X, D→Z̃→, D←X, D←Z̃← (Z̃← = z←_2 … z←_{T+1}) and (g(V) − Y)[1 Z→ Z←]."""
        P, X, *_, Y = make_case(1, 6, 3, 4, 5, seed=10)
        Yhat, cache = bi_elman_forward(X, P)
        res = bi_bptt(X, Y, P)
        S = birnn_states(cache)
        Zf, Zb = S["Z_fw"][0], S["Z_bw"][0]
        Df, Db = res.D_fw[0].T, res.D_bw[0].T  # (H, T): columns δ_1 … δ_T
        zero = np.zeros((1, 4))
        expected = {
            "W_in_fw": Df @ X[0],
            "W_fw": Df @ np.vstack([zero, Zf[:-1]]),
            "W_in_bw": Db @ X[0],
            "W_bw": Db @ np.vstack([Zb[1:], zero]),
            "W_out": (Yhat[0] - Y[0]).T @ np.hstack([np.ones((6, 1)), Zf, Zb]),
        }
        for k in BIRNN_KEYS:
            np.testing.assert_allclose(res.grads[k], expected[k], rtol=1e-12, atol=1e-14, err_msg=k)

    def test_backward_delta_recursion_runs_forward_in_time(self):
        """δ←_t = (W←ᵀ δ←_{t−1} + W̃_out←ᵀ δ^out_t) ⊙ f′(u←_t) from δ←_0 = 0, and δ→ the usual way."""
        P, X, *_, Y = make_case(1, 7, 3, 4, 2, seed=11)
        Yhat, cache = bi_elman_forward(X, P)
        res = bi_bptt(X, Y, P)
        S = birnn_states(cache)
        E = (Yhat - Y)[0]
        Wf_out, Wb_out = P["W_out"][:, 1:5], P["W_out"][:, 5:]
        d_bw, d_fw = np.zeros(4), np.zeros(4)
        for t in range(7):
            d_bw = (P["W_bw"].T @ d_bw + Wb_out.T @ E[t]) * (1 - S["Z_bw"][0, t] ** 2)
            np.testing.assert_allclose(res.D_bw[0, t], d_bw, rtol=1e-12, atol=1e-14)
        for t in reversed(range(7)):
            d_fw = (P["W_fw"].T @ d_fw + Wf_out.T @ E[t]) * (1 - S["Z_fw"][0, t] ** 2)
            np.testing.assert_allclose(res.D_fw[0, t], d_fw, rtol=1e-12, atol=1e-14)


def _layer_loss_and_analytic(N, T, d, H, seed=0, f="tanh"):
    """φ(p) = Σ [z→; z←] ⊙ G over {the four matrices, X, z0_fw, z0_bw} and rnnref's gradient of it."""
    P, X, z0_fw, z0_bw, G, _ = make_case(N, T, d, H, 2, seed)
    P = {k: P[k] for k in LAYER_KEYS}

    def phi(p):
        Z, _ = birnn_forward(p["X"], p, f=f, z0_fw=p["z0_fw"], z0_bw=p["z0_bw"])
        return float(np.sum(Z * G))

    _, cache = birnn_forward(X, P, f=f, z0_fw=z0_fw, z0_bw=z0_bw)
    back = birnn_backward(G, cache)
    inputs = dict(P, X=X, z0_fw=z0_fw, z0_bw=z0_bw)
    return phi, inputs, dict(back.grads, X=back.dX, z0_fw=back.dz0_fw, z0_bw=back.dz0_bw)


class TestBirnnGradcheck:
    def test_layer_gradcheck(self):
        """Central differences confirm the four gradients, dX and both initial states' gradients."""
        phi, inputs, analytic = _layer_loss_and_analytic(3, 5, 4, 6)
        report = gradcheck(phi, inputs, analytic)
        assert report, str(report)

    @pytest.mark.parametrize("g", ["identity", "softmax"])
    def test_network_gradcheck(self, g):
        """Central differences of E confirm all five gradients of bi_bptt, both tasks."""
        P, X, *_, Y = make_case(2, 4, 3, 5, 2, seed=12, g=g)
        report = gradcheck(lambda p: bi_bptt(X, Y, p, g=g).E, P, bi_bptt(X, Y, P, g=g).grads)
        assert report, str(report)

    def test_directional_check(self):
        """Directional derivatives along random directions agree with the analytic gradient."""
        phi, inputs, analytic = _layer_loss_and_analytic(3, 5, 4, 6, seed=1)
        report = directional_check(phi, inputs, analytic, n_directions=6)
        assert report, str(report)

    def test_wrong_order_fails(self):
        """gradcheck rejects the backward direction's gradients when its δ's are left in reversed order."""
        P, X, *_, Y = make_case(1, 5, 3, 4, 2, seed=13)
        Yhat, cache = bi_elman_forward(X, P)
        res = bi_bptt(X, Y, P)
        Zb = birnn_states(cache)["Z_bw"][0]
        wrong = dict(res.grads, W_bw=res.D_bw[0, ::-1].T @ np.vstack([Zb[1:], np.zeros((1, 4))]))
        report = gradcheck(lambda p: bi_bptt(X, Y, p).E, P, wrong, wrt=("W_bw",))
        assert not report, str(report)

    @given(
        N=st.integers(1, 3),
        T=st.integers(1, 4),
        d=st.integers(1, 3),
        H=st.integers(1, 3),
        seed=st.integers(0, 2**16),
    )
    def test_gradcheck_property(self, N, T, d, H, seed):
        """For any small shape and seed, gradcheck passes for the layer, inputs and states included."""
        phi, inputs, analytic = _layer_loss_and_analytic(N, T, d, H, seed)
        report = gradcheck(phi, inputs, analytic)
        assert report, str(report)


class TestBirnnValidation:
    def test_missing_key(self):
        """A missing direction matrix is named."""
        P, X, *_ = make_case(3, 5, 4, 6, 2)
        del P["W_bw"]
        with pytest.raises(ValueError, match=re.escape("BiRNN parameters ['W_bw'] are missing")):
            birnn_forward(X, P)

    def test_directions_of_different_sizes(self):
        """W_fw and W_bw must have the same H."""
        P, X, *_ = make_case(3, 5, 4, 6, 2)
        P["W_bw"] = P["W_bw"][:5, :5]
        with pytest.raises(ValueError, match=re.escape("W_fw and W_bw must both be (H, H), got (6, 6) and (5, 5)")):
            birnn_forward(X, P)

    def test_X_not_3d(self):
        """A single sequence (T, d+1) must be given as a batch (1, T, d+1)."""
        P, X, *_ = make_case(3, 5, 4, 6, 2)
        with pytest.raises(ValueError, match=re.escape("X must be (N, T, d+1), got 2 dimensions with shape (5, 5)")):
            birnn_forward(X[0], P)

    def test_wrong_X_width(self):
        """X without the bias column is rejected, naming the leading 1."""
        P, X, *_ = make_case(3, 5, 4, 6, 2)
        with pytest.raises(ValueError, match=r"d\+1 entries, the leading 1 included"):
            birnn_forward(X[..., 1:], P)

    def test_W_out_reads_both_directions(self):
        """A W_out of (m, H+1), as for one direction, is refused naming (m, 2H+1)."""
        P, X, *_ = make_case(3, 5, 4, 6, 2)
        P["W_out"] = P["W_out"][:, :7]
        with pytest.raises(ValueError, match=re.escape("W_out must be (m, 2H+1) = (m, 13)")):
            bi_elman_forward(X, P)

    def test_unknown_output_activation(self):
        """An unknown g is refused, naming the ones that exist."""
        P, X, *_ = make_case(3, 5, 4, 6, 2)
        with pytest.raises(ValueError, match="softmax"):
            bi_elman_forward(X, P, g="sigmoid")

    def test_wrong_dZ_shape(self):
        """birnn_backward rejects an upstream gradient that is not (N, T, 2H)."""
        P, X, *_ = make_case(3, 5, 4, 6, 2)
        _, cache = birnn_forward(X, P)
        with pytest.raises(ValueError, match=re.escape("dZ must be (N, T, 2H) = (3, 5, 12), got (3, 5, 6)")):
            birnn_backward(np.zeros((3, 5, 6)), cache)
