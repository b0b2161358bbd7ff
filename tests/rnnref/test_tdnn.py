"""rnnref.tdnn against PyTorch: nn.Conv1d (causal left padding K−1, kernel flipped) for the layer, autograd
for ∂E/∂W, ∂E/∂X and δ_t = ∂E/∂u_t, and the lecture's sum Σ_k W_k x^{(k)}_{t−k} written step by step in torch."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnref import add_bias
from rnnref.gradcheck import gradcheck
from rnnref.tdnn import (
    delay_windows,
    init_tdnn_params,
    tdnn_backward,
    tdnn_forward,
    tdnn_net_backward,
    tdnn_net_forward,
    tdnn_net_loss,
)
from tests.conftest import assert_oracle

#: (N, T, d, H, K): N, T, d+1, H and K all differ; then T = 1, T < K, K = 1, H = 1, N = 1
SHAPES = [
    pytest.param(2, 7, 2, 4, 5, id="N2-T7-d2-H4-K5"),
    pytest.param(3, 1, 3, 2, 4, id="T1"),
    pytest.param(2, 3, 1, 4, 6, id="T<K"),
    pytest.param(3, 6, 3, 5, 1, id="K1"),
    pytest.param(2, 5, 3, 1, 3, id="H1"),
    pytest.param(1, 6, 2, 4, 3, id="N1"),
]


def make(N, T, d, H, K, m=3, seed=0):
    rng = np.random.default_rng([seed, 16])
    X = add_bias(rng.standard_normal((N, T, d)))
    P = init_tdnn_params(d, H, m, K, seed=seed + 1, scale=0.6)
    return rng, X, P


def torch_conv(torch, X, W, f="tanh"):
    """nn.Conv1d(d, H, K) on x left-padded with K−1 zeros: weight[:, :, K−1−k] = W_k[:, 1:], bias = W_0[:, 0].

    Returns the conv, the input leaf x (N, d, T), the pre-activations U (N, T, H) and Z = f(U)."""
    K, H, d1 = W.shape
    conv = torch.nn.Conv1d(d1 - 1, H, K, bias=True, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(W[::-1, :, 1:].transpose(1, 2, 0))))
        conv.bias.copy_(torch.from_numpy(W[0, :, 0].copy()))
    x = torch.from_numpy(np.ascontiguousarray(X[..., 1:].transpose(0, 2, 1))).requires_grad_(True)
    u = conv(torch.nn.functional.pad(x, (K - 1, 0))).transpose(1, 2)
    u.retain_grad()
    z = torch.tanh(u) if f == "tanh" else torch.relu(u)
    return conv, x, u, z


def conv_weight_as_W(conv, d1):
    """Conv1d's weight and bias gradients back in the (K, H, d+1) layout; column 0 of W_k, k ≥ 1, is 0."""
    wg = conv.weight.grad.numpy()  # (H, d, K), oldest tap first
    K, H = wg.shape[2], wg.shape[0]
    out = np.zeros((K, H, d1))
    out[:, :, 1:] = wg[:, :, ::-1].transpose(2, 0, 1)
    out[0, :, 0] = conv.bias.grad.numpy()
    return out


def torch_sum_of_delays(torch, X, W):
    """u_t = Σ_k W_k x^{(k)}_{t−k} step by step from the definition; X and W are leaves (every entry)."""
    x = torch.from_numpy(X.copy()).requires_grad_(True)
    w = torch.from_numpy(W.copy()).requires_grad_(True)
    N, T, d1 = X.shape
    K, H, _ = W.shape
    rows = []
    for t in range(T):
        u = torch.zeros(N, H)
        for k in range(K):
            if t - k < 0:
                continue  # x_{t−k} = 0 before the sequence
            xs = x[:, t - k] if k == 0 else torch.cat([torch.zeros(N, 1), x[:, t - k, 1:]], dim=1)
            u = u + xs @ w[k].T
        rows.append(u)
    return x, w, torch.stack(rows, dim=1)


class TestDelayWindows:
    def test_slots_hold_the_delayed_inputs(self):
        """Slot k of row t−1 is x_{t−k} with its bias entry 0 for k ≥ 1, and zero where t − k < 1."""
        _, X, _ = make(2, 5, 2, 3, 3)
        Xi = delay_windows(X, 3)
        assert Xi.shape == (2, 5, 3, 3)
        for t in range(5):
            for k in range(3):
                want = np.zeros(3) if t - k < 0 else X[1, t - k].copy()
                if k > 0:
                    want[0] = 0.0
                np.testing.assert_array_equal(Xi[1, t, k], want)

    def test_more_taps_than_steps(self):
        """K > T gives all-zero slots for the delays that reach before t = 1, not a wrap-around."""
        _, X, _ = make(1, 2, 1, 3, 5)
        Xi = delay_windows(X, 5)
        assert Xi.shape == (1, 2, 5, 2) and not Xi[:, :, 2:].any()
        np.testing.assert_array_equal(Xi[0, 1, 1], [0.0, X[0, 0, 1]])

    def test_bias_counted_once(self):
        """Every window holds exactly one 1 in a bias position, in slot 0."""
        _, X, _ = make(2, 6, 2, 3, 4)
        Xi = delay_windows(X, 4)
        np.testing.assert_array_equal(Xi[..., 0].sum(axis=-1), np.ones((2, 6)))

    def test_rejects_bad_K(self):
        """K = 0 or a fraction is refused."""
        _, X, _ = make(1, 3, 1, 2, 2)
        for K in (0, 1.5):
            with pytest.raises(ValueError, match="K must be a positive"):
                delay_windows(X, K)


class TestTdnnForward:
    @pytest.mark.parametrize("N, T, d, H, K", SHAPES)
    def test_matches_causal_conv1d(self, torch, N, T, d, H, K):
        """Z equals tanh of nn.Conv1d on the left-padded input, with the lecture's weights copied in."""
        _, X, P = make(N, T, d, H, K)
        Z, cache = tdnn_forward(X, P)
        _, _, u, z = torch_conv(torch, X, P["W"])
        assert_oracle(cache["U"], u.detach().numpy(), "U")
        assert_oracle(Z, z.detach().numpy(), "Z")

    def test_matches_the_definition_with_live_bias_columns(self, torch):
        """With nonzero column 0 in every W_k, u_t still equals Σ_k W_k x^{(k)}_{t−k}: those columns meet 0s."""
        rng, X, P = make(2, 6, 2, 3, 4)
        W = rng.standard_normal(P["W"].shape)
        Z, cache = tdnn_forward(X, {"W": W})
        _, _, u = torch_sum_of_delays(torch, X, W)
        assert_oracle(cache["U"], u.detach().numpy(), "U")
        assert np.any(W[1:, :, 0] != 0)

    def test_relu(self, torch):
        """f = "relu" gives relu of the convolution."""
        _, X, P = make(2, 5, 2, 3, 3)
        Z, _ = tdnn_forward(X, P, f="relu")
        _, _, _, z = torch_conv(torch, X, P["W"], f="relu")
        assert_oracle(Z, z.detach().numpy(), "Z relu")

    def test_causal(self):
        """Changing x_s changes only z_s … z_{s+K−1}: no future input and nothing older than K−1 steps."""
        rng, X, P = make(1, 9, 2, 3, 3)
        Z, _ = tdnn_forward(X, P)
        X2 = X.copy()
        X2[0, 4, 1:] += rng.standard_normal(2)
        Z2, _ = tdnn_forward(X2, P)
        changed = np.any(Z2 != Z, axis=-1)[0]
        np.testing.assert_array_equal(np.flatnonzero(changed), [4, 5, 6])

    def test_rejects_input_without_bias_column(self):
        """An X whose width is not d+1 is refused with a message naming the bias column."""
        _, X, P = make(1, 3, 2, 3, 2)
        with pytest.raises(ValueError, match=r"d\+1 entries, the leading 1 included"):
            tdnn_forward(X[..., 1:], P)


class TestTdnnBackward:
    @pytest.mark.parametrize("N, T, d, H, K", SHAPES)
    def test_gradients_match_conv1d_autograd(self, torch, N, T, d, H, K):
        """∂E/∂W, ∂E/∂x_t (features) and δ_t equal autograd through nn.Conv1d, E = Σ ⟨G, Z⟩."""
        rng, X, P = make(N, T, d, H, K)
        G = rng.standard_normal((N, T, H))
        _, cache = tdnn_forward(X, P)
        back = tdnn_backward(G, cache)
        conv, x, u, z = torch_conv(torch, X, P["W"])
        (z * torch.from_numpy(G)).sum().backward()
        assert_oracle(back.grads["W"], conv_weight_as_W(conv, d + 1), "dW")
        assert_oracle(back.dX[..., 1:], x.grad.numpy().transpose(0, 2, 1), "dX")
        assert_oracle(back.D, u.grad.numpy(), "D")

    def test_every_entry_matches_the_definition(self, torch):
        """With live bias columns, ∂E/∂W (zeros in column 0 of W_k, k ≥ 1) and ∂E/∂X (its bias column too)
        equal autograd through Σ_k W_k x^{(k)}_{t−k}."""
        rng, X, P = make(2, 5, 3, 4, 3)
        W = rng.standard_normal(P["W"].shape)
        G = rng.standard_normal((2, 5, 4))
        _, cache = tdnn_forward(X, {"W": W})
        back = tdnn_backward(G, cache)
        x, w, u = torch_sum_of_delays(torch, X, W)
        (torch.tanh(u) * torch.from_numpy(G)).sum().backward()
        assert_oracle(back.grads["W"], w.grad.numpy(), "dW")
        assert_oracle(back.dX, x.grad.numpy(), "dX")
        assert not back.grads["W"][1:, :, 0].any() and back.grads["W"][0, :, 0].any()

    def test_rejects_wrong_dZ(self):
        """dZ of the wrong shape is refused."""
        _, X, P = make(1, 3, 2, 3, 2)
        _, cache = tdnn_forward(X, P)
        with pytest.raises(ValueError, match=r"dZ must be \(N, T, H\)"):
            tdnn_backward(np.zeros((1, 3, 2)), cache)


class TestTdnnNet:
    @pytest.mark.parametrize("g", ["identity", "softmax"])
    def test_network_gradients_match_autograd(self, torch, g):
        """E, ∂E/∂W and ∂E/∂W_out of the whole network equal autograd of the conv network and its loss."""
        N, T, d, H, K, m = 2, 7, 2, 4, 3, 5
        rng, X, P = make(N, T, d, H, K, m=m)
        Y = rng.standard_normal((N, T, m)) if g == "identity" else np.eye(m)[rng.integers(0, m, (N, T))]
        Yhat, cache = tdnn_net_forward(X, P, g=g)
        res = tdnn_net_backward(cache, Y)
        conv, x, u, z = torch_conv(torch, X, P["W"])
        W_out = torch.from_numpy(P["W_out"].copy()).requires_grad_(True)
        V = z @ W_out[:, 1:].T + W_out[:, 0]
        Yt = torch.from_numpy(Y)
        E = 0.5 * ((V - Yt) ** 2).sum() if g == "identity" else -(Yt * torch.log_softmax(V, dim=-1)).sum()
        E.backward()
        out = V if g == "identity" else torch.softmax(V, dim=-1)
        assert_oracle(Yhat, out.detach().numpy(), "Yhat")
        assert res.E == pytest.approx(E.item(), rel=1e-12)
        assert_oracle(res.grads["W"], conv_weight_as_W(conv, d + 1), "dW")
        assert_oracle(res.grads["W_out"], W_out.grad.numpy(), "dW_out")
        assert_oracle(res.D, u.grad.numpy(), "D")
        assert_oracle(res.dX[..., 1:], x.grad.numpy().transpose(0, 2, 1), "dX")

    def test_one_tap_is_a_feedforward_net(self):
        """K = 1: z_t = tanh(W_0 x_t), each step on its own (the lecture's feed-forward layer)."""
        _, X, P = make(2, 4, 3, 5, 1)
        Z, _ = tdnn_forward(X, P)
        np.testing.assert_allclose(Z, np.tanh(X @ P["W"][0].T), rtol=1e-13, atol=1e-15)

    def test_loss_is_the_elman_loss_form(self):
        """tdnn_net_loss gives ½ Σ ‖ŷ_t − y_t‖² and δ^out = ŷ − y for regression."""
        rng, X, P = make(2, 4, 2, 3, 2)
        Yhat, cache = tdnn_net_forward(X, P)
        Y = rng.standard_normal(Yhat.shape)
        E, dV = tdnn_net_loss(cache, Y)
        assert E == pytest.approx(0.5 * np.sum((Yhat - Y) ** 2), rel=1e-13)
        np.testing.assert_allclose(dV, Yhat - Y, rtol=1e-13)

    @given(T=st.integers(1, 6), K=st.integers(1, 5), seed=st.integers(0, 2**16))
    def test_gradcheck_any_T_and_K(self, T, K, seed):
        """Central differences agree with the analytic gradients for any T and K, T < K included."""
        rng, X, P = make(1, T, 2, 3, K, m=2, seed=seed)
        Y = rng.standard_normal((1, T, 2))

        def loss(p):
            return tdnn_net_loss(tdnn_net_forward(X, p)[1], Y)[0]

        res = tdnn_net_backward(tdnn_net_forward(X, P)[1], Y)
        report = gradcheck(loss, P, res.grads)
        assert report, str(report)
