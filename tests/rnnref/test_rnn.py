"""rnnref.rnn against PyTorch: nn.RNN for the recurrence, torch autograd for every gradient."""

import numpy as np
import pytest
from tests.conftest import assert_oracle
from hypothesis import given
from hypothesis import strategies as st

from rnnref import add_bias, bptt, elman_forward, gradcheck, init_params, rnn_backward, rnn_forward

# every dimension different, so that a transpose cannot hide
N, T, d, H, m = 3, 5, 4, 6, 2


def make(N=N, T=T, d=d, H=H, m=m, seed=0):
    rng = np.random.default_rng(seed)
    X = add_bias(rng.standard_normal((N, T, d)))
    P = init_params(d, H, m, seed=seed + 1, scale=0.6)
    return rng, X, P


def torch_rnn(torch, X, P, f, z0=None):
    """nn.RNN with the lecture's weights copied in: bias_ih = W_in[:, 0], bias_hh = 0."""
    Nn, Tn, d1 = X.shape
    Hn = P["W"].shape[0]
    net = torch.nn.RNN(d1 - 1, Hn, nonlinearity=f, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.from_numpy(P["W_in"][:, 1:]))
        net.bias_ih_l0.copy_(torch.from_numpy(P["W_in"][:, 0]))
        net.weight_hh_l0.copy_(torch.from_numpy(P["W"]))
        net.bias_hh_l0.zero_()
    x = torch.from_numpy(X[..., 1:].copy()).requires_grad_(True)
    h0 = torch.zeros(1, Nn, Hn) if z0 is None else torch.from_numpy(z0[None].copy())
    h0.requires_grad_(True)
    out, _ = net(x, h0)
    return net, x, h0, out


def torch_elman(torch, X, P, f, g, many_to_one=False, detach_every=None):
    """The lecture's network written step by step in torch ops; u_t kept for δ_t = ∂E/∂u_t."""
    Xt = torch.from_numpy(X)
    leaves = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in P.items()}
    Nn, Tn, _ = X.shape
    z = torch.zeros(Nn, P["W"].shape[0])
    act = torch.tanh if f == "tanh" else torch.relu
    Us, Zs = [], []
    for t in range(Tn):
        if detach_every and t > 0 and t % detach_every == 0:
            z = z.detach()
        u = Xt[:, t] @ leaves["W_in"].T + z @ leaves["W"].T
        u.retain_grad()
        z = act(u)
        Us.append(u)
        Zs.append(z)
    Z = torch.stack(Zs, 1)
    Zo = Z[:, -1] if many_to_one else Z
    V = Zo @ leaves["W_out"][:, 1:].T + leaves["W_out"][:, 0]
    return leaves, Us, V


def torch_loss(torch, V, Y, g):
    Yt = torch.from_numpy(Y)
    if g == "identity":
        return 0.5 * ((V - Yt) ** 2).sum()
    return -(Yt * torch.log_softmax(V, dim=-1)).sum()


def targets(rng, shape, g):
    if g == "identity":
        return rng.standard_normal(shape)
    return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]


class TestRnnForward:
    @pytest.mark.parametrize("f", ["tanh", "relu"])
    def test_matches_torch_rnn(self, torch, f):
        """Z equals nn.RNN's output with the lecture's weights copied in."""
        _, X, P = make()
        Z, _ = rnn_forward(X, P, f=f)
        _, _, _, out = torch_rnn(torch, X, P, f)
        assert_oracle(Z, out.detach().numpy(), f"Z ({f})")

    def test_initial_state(self, torch):
        """A given z_0 enters the first step exactly as nn.RNN's h0."""
        rng, X, P = make()
        z0 = rng.standard_normal((N, H))
        Z, _ = rnn_forward(X, P, z0=z0)
        _, _, _, out = torch_rnn(torch, X, P, "tanh", z0)
        assert_oracle(Z, out.detach().numpy(), "Z with z0")

    @pytest.mark.parametrize("shape", [(1, 1, 1, 1), (1, 7, 2, 3), (4, 1, 3, 2), (2, 3, 1, 1)])
    def test_degenerate_sizes(self, torch, shape):
        """N = 1, T = 1, H = 1 and d = 1 give the oracle's states too."""
        n, t, dd, h = shape
        _, X, P = make(n, t, dd, h, 2)
        Z, _ = rnn_forward(X, P)
        _, _, _, out = torch_rnn(torch, X, P, "tanh")
        assert_oracle(Z, out.detach().numpy(), f"Z {shape}")

    def test_dtype_follows_inputs(self):
        """float64 inputs give float64 states and float32 inputs float32 ones."""
        _, X, P = make()
        assert rnn_forward(X, P)[0].dtype == np.float64
        P32 = {k: v.astype(np.float32) for k, v in P.items()}
        assert rnn_forward(X.astype(np.float32), P32)[0].dtype == np.float32

    def test_rejects_input_without_bias_column(self):
        """An X whose width is not d+1 is refused with a message naming the bias column."""
        _, X, P = make()
        with pytest.raises(ValueError, match=r"d\+1 entries, the leading 1 included"):
            rnn_forward(X[..., 1:], P)

    def test_rejects_unknown_activation(self):
        """An unknown f is refused, naming the ones that exist."""
        _, X, P = make()
        with pytest.raises(ValueError, match="tanh"):
            rnn_forward(X, P, f="sigmoid")


class TestRnnBackward:
    @pytest.mark.parametrize("f", ["tanh", "relu"])
    def test_gradients_match_torch_rnn(self, torch, f):
        """DX, DZ̃, ∂E/∂x_t and ∂E/∂z_0 equal autograd through nn.RNN."""
        rng, X, P = make()
        z0 = rng.standard_normal((N, H))
        G = rng.standard_normal((N, T, H))
        Z, cache = rnn_forward(X, P, f=f, z0=z0)
        back = rnn_backward(G, cache)
        net, x, h0, out = torch_rnn(torch, X, P, f, z0)
        (out * torch.from_numpy(G)).sum().backward()
        assert_oracle(back.grads["W_in"][:, 1:], net.weight_ih_l0.grad.numpy(), "dW_in weights")
        assert_oracle(back.grads["W_in"][:, 0], net.bias_ih_l0.grad.numpy(), "dW_in bias column")
        assert_oracle(back.grads["W"], net.weight_hh_l0.grad.numpy(), "dW")
        assert_oracle(back.dX[..., 1:], x.grad.numpy(), "dX")
        assert_oracle(back.dz0, h0.grad[0].numpy(), "dz0")

    def test_deltas_are_dE_du(self, torch):
        """D[n, t] is δ_t = ∂E/∂u_t, read off autograd's u_t.grad."""
        rng, X, P = make()
        Y = rng.standard_normal((N, T, m))
        res = bptt(X, Y, P)
        _, Us, V = torch_elman(torch, X, P, "tanh", "identity")
        torch_loss(torch, V, Y, "identity").backward()
        expected = np.stack([u.grad.numpy() for u in Us], axis=1)
        assert_oracle(res.D, expected, "D")

    def test_lecture_matrix_products(self):
        """For one sequence, D[0].T is the lecture's (H, T) D and the gradients are DX and DZ̃."""
        rng, X, P = make(N=1)
        Y = rng.standard_normal((1, T, m))
        res = bptt(X, Y, P)
        Z, _ = rnn_forward(X, P)
        D = res.D[0].T  # (H, T): columns δ_1 … δ_T
        Z_tilde = np.vstack([np.zeros(H), Z[0, :-1]])  # rows z_0 … z_{T−1}
        assert D.shape == (H, T)
        np.testing.assert_allclose(res.grads["W_in"], D @ X[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(res.grads["W"], D @ Z_tilde, rtol=1e-12, atol=1e-14)

    @pytest.mark.parametrize("k", [1, 2, 3])
    def test_truncated_bptt_matches_detached_torch(self, torch, k):
        """truncate=k equals autograd with the state detached every k steps."""
        rng, X, P = make(T=7)
        Y = rng.standard_normal((N, 7, m))
        res = bptt(X, Y, P, truncate=k)
        leaves, _, V = torch_elman(torch, X, P, "tanh", "identity", detach_every=k)
        torch_loss(torch, V, Y, "identity").backward()
        for key in P:
            assert_oracle(res.grads[key], leaves[key].grad.numpy(), f"d{key} truncate={k}")

    def test_truncation_longer_than_sequence_is_full_bptt(self):
        """truncate ≥ T gives exactly the full BPTT gradients."""
        rng, X, P = make()
        Y = rng.standard_normal((N, T, m))
        full, cut = bptt(X, Y, P), bptt(X, Y, P, truncate=T)
        for key in P:
            np.testing.assert_array_equal(full.grads[key], cut.grads[key])

    def test_truncation_changes_the_gradient(self):
        """truncate < T is an approximation: the finite-difference check of E rejects it."""
        rng, X, P = make()
        Y = rng.standard_normal((N, T, m))
        cut = bptt(X, Y, P, truncate=2)
        report = gradcheck(lambda p: bptt(X, Y, p).E, P, cut.grads)
        assert not report.passed
        assert report.tensors[0].name == "W_in" and not report.tensors[0].passed

    @pytest.mark.parametrize("bad", [0, -1, 1.5])
    def test_rejects_bad_truncation(self, bad):
        """A truncation that is not a positive whole number of steps is refused."""
        rng, X, P = make()
        with pytest.raises(ValueError, match="truncate must be a positive"):
            bptt(X, rng.standard_normal((N, T, m)), P, truncate=bad)

    def test_rejects_wrong_upstream_shape(self):
        """dZ of the wrong shape is refused, naming the expected (N, T, H)."""
        _, X, P = make()
        _, cache = rnn_forward(X, P)
        with pytest.raises(ValueError, match=r"\(3, 5, 6\)"):
            rnn_backward(np.zeros((N, T, H + 1)), cache)


class TestElmanNetwork:
    @pytest.mark.parametrize("f", ["tanh", "relu"])
    @pytest.mark.parametrize("g", ["identity", "softmax"])
    @pytest.mark.parametrize("many_to_one", [False, True])
    def test_loss_and_gradients_match_autograd(self, torch, f, g, many_to_one):
        """E, ∂E/∂W_in, ∂E/∂W, ∂E/∂W_out equal autograd of the lecture's formula."""
        rng, X, P = make()
        Y = targets(rng, (N, m) if many_to_one else (N, T, m), g)
        res = bptt(X, Y, P, f=f, g=g, many_to_one=many_to_one)
        leaves, _, V = torch_elman(torch, X, P, f, g, many_to_one)
        E = torch_loss(torch, V, Y, g)
        E.backward()
        assert abs(res.E - E.item()) <= 1e-10 * max(1.0, abs(E.item()))
        for key in P:
            assert_oracle(res.grads[key], leaves[key].grad.numpy(), f"d{key}")

    def test_outputs_are_probabilities_for_softmax(self, torch):
        """With g = softmax, ŷ_t equals torch.softmax of v_t and every row sums to 1."""
        _, X, P = make()
        Yhat, cache = elman_forward(X, P, g="softmax")
        expected = torch.softmax(torch.from_numpy(cache["V"]), dim=-1).numpy()
        assert_oracle(Yhat, expected, "Yhat")
        np.testing.assert_allclose(Yhat.sum(-1), 1.0, rtol=1e-14)

    def test_many_to_one_output_shape(self):
        """Many-to-one gives one output per sequence, (N, m), from z_T."""
        _, X, P = make()
        Yhat, _ = elman_forward(X, P, many_to_one=True)
        Yall, _ = elman_forward(X, P)
        assert Yhat.shape == (N, m)
        np.testing.assert_array_equal(Yhat, Yall[:, -1])

    def test_rejects_unknown_output_activation(self):
        """An unknown g is refused."""
        _, X, P = make()
        with pytest.raises(ValueError, match="identity"):
            elman_forward(X, P, g="sigmoid")

    def test_rejects_mismatched_targets(self):
        """Y of another shape than the outputs is refused, both shapes named."""
        _, X, P = make()
        with pytest.raises(ValueError, match=r"\(3, 5, 2\).*\(3, 5, 3\)"):
            bptt(X, np.zeros((N, T, m + 1)), P)


class TestBpttGradcheck:
    @pytest.mark.parametrize("f", ["tanh", "relu"])
    @pytest.mark.parametrize("g", ["identity", "softmax"])
    @pytest.mark.parametrize("many_to_one", [False, True])
    def test_passes_finite_differences(self, f, g, many_to_one):
        """Every BPTT gradient passes the central-difference gradcheck."""
        rng, X, P = make()
        Y = targets(rng, (N, m) if many_to_one else (N, T, m), g)
        res = bptt(X, Y, P, f=f, g=g, many_to_one=many_to_one)
        report = gradcheck(lambda p: bptt(X, Y, p, f=f, g=g, many_to_one=many_to_one).E, P, res.grads)
        assert report.passed, str(report)

    @given(
        n=st.integers(1, 3), t=st.integers(1, 4), dd=st.integers(1, 3), h=st.integers(1, 4),
        mm=st.integers(1, 3), seed=st.integers(0, 2**16),
    )
    def test_random_shapes(self, n, t, dd, h, mm, seed):
        """gradcheck passes for random shapes, N = T = H = 1 included."""
        rng, X, P = make(n, t, dd, h, mm, seed)
        Y = rng.standard_normal((n, t, mm))
        res = bptt(X, Y, P)
        report = gradcheck(lambda p: bptt(X, Y, p).E, P, res.grads)
        assert report.passed, str(report)


class TestRnnInputValidation:
    def test_rejects_misshapen_initial_state(self):
        """A z0 that is not (N, H) is refused instead of broadcast."""
        _, X, P = make()
        with pytest.raises(ValueError, match=r"z0 must be \(N, H\) = \(3, 6\)"):
            rnn_forward(X, P, z0=np.zeros(H))

    def test_rejects_empty_sequence(self):
        """T = 0 is refused with the shape."""
        _, X, P = make()
        with pytest.raises(ValueError, match="at least one step"):
            rnn_forward(X[:, :0], P)
