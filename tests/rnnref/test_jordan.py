"""rnnref.jordan against PyTorch: the Jordan recurrence written step by step in torch ops, torch autograd
for every gradient and for δ_t = ∂E/∂u_t, δ^out_t = ∂E/∂v_t; central differences for the gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnnref import add_bias, elman_forward
from rnnref.gradcheck import gradcheck
from rnnref.jordan import (
    JORDAN_KEYS,
    JordanBackward,
    JordanBPTT,
    init_jordan_params,
    jordan_backward,
    jordan_bptt,
    jordan_forward,
    jordan_loss,
)
from tests.conftest import assert_oracle

#: (N, T, d, H, m): N, T, d+1, H, H+1 and m all differ, then T = 1, N = 1, H = 1
SHAPES = [
    pytest.param(3, 5, 3, 6, 2, id="N3-T5-d3-H6-m2"),
    pytest.param(3, 1, 3, 6, 2, id="T1"),
    pytest.param(1, 5, 3, 6, 2, id="N1"),
    pytest.param(3, 5, 3, 1, 2, id="H1"),
]


def make_case(N, T, d, H, m, seed=0, scale=0.7):
    """Parameters, inputs (N, T, d+1), targets (N, T, m) and a nonzero ŷ_0 (N, m)."""
    P = init_jordan_params(d, H, m, seed=seed, scale=scale)
    rng = np.random.default_rng([seed, 40])
    X = add_bias(rng.standard_normal((N, T, d)))
    Y = rng.standard_normal((N, T, m))
    yhat0 = 0.5 * rng.standard_normal((N, m))
    return P, X, Y, yhat0


def torch_jordan(torch, P, X, Y, f="tanh", yhat0=None):
    """u_t = W_in x_t + W_y ŷ_{t−1}, z_t = f(u_t), v_t = W_out [1; z_t], ŷ_t = v_t in torch, E = ½ Σ ‖ŷ − y‖².

    Returns the parameter leaves, the x and ŷ_0 leaves, the lists of u_t and v_t (gradients retained),
    Ŷ (N, T, m) and E, after E.backward().
    """
    leaves = {k: torch.from_numpy(P[k].copy()).requires_grad_(True) for k in JORDAN_KEYS}
    x = torch.from_numpy(X.copy()).requires_grad_(True)
    N, T, _ = X.shape
    m = P["W_out"].shape[0]
    y0 = torch.zeros(N, m) if yhat0 is None else torch.from_numpy(yhat0.copy())
    y0.requires_grad_(True)
    act = torch.tanh if f == "tanh" else torch.relu
    y, Us, Vs = y0, [], []
    for t in range(T):
        u = x[:, t] @ leaves["W_in"].T + y @ leaves["W_y"].T
        u.retain_grad()
        z = act(u)
        v = torch.cat([torch.ones(N, 1), z], dim=1) @ leaves["W_out"].T
        v.retain_grad()
        Us.append(u)
        Vs.append(v)
        y = v
    Yhat = torch.stack(Vs, dim=1)
    E = 0.5 * ((Yhat - torch.from_numpy(Y)) ** 2).sum()
    E.backward()
    return leaves, x, y0, Us, Vs, Yhat, E


class TestInitJordanParams:
    def test_shapes_and_range(self):
        """W_in is (H, d+1), W_y (H, m), W_out (m, H+1), every entry within ±1/√H."""
        P = init_jordan_params(3, 4, 2, seed=1)
        assert {k: v.shape for k, v in P.items()} == {"W_in": (4, 4), "W_y": (4, 2), "W_out": (2, 5)}
        assert all(np.all(np.abs(v) <= 0.5) and v.dtype == np.float64 for v in P.values())

    def test_seed_determines_the_draw(self):
        """The same seed gives the same parameters, another seed different ones."""
        a, b, c = (init_jordan_params(2, 3, 2, seed=s) for s in (1, 1, 2))
        assert np.array_equal(a["W_y"], b["W_y"]) and not np.array_equal(a["W_y"], c["W_y"])

    def test_rejects_empty_sizes(self):
        """A size below 1 is refused, naming the sizes."""
        with pytest.raises(ValueError, match="m=0"):
            init_jordan_params(2, 3, 0)


class TestJordanForward:
    @pytest.mark.parametrize("N,T,d,H,m", SHAPES)
    def test_matches_torch(self, torch, N, T, d, H, m):
        """Ŷ, U and Z equal the torch recurrence from ŷ_0 = 0."""
        P, X, Y, _ = make_case(N, T, d, H, m)
        Yhat, cache = jordan_forward(X, P)
        _, _, _, Us, _, Yt, _ = torch_jordan(torch, P, X, Y)
        assert_oracle(Yhat, Yt.detach().numpy(), "Yhat")
        U = np.stack([u.detach().numpy() for u in Us], axis=0)
        assert_oracle(cache["U"], U, "U")
        assert_oracle(cache["Z"], np.tanh(U), "Z")

    def test_given_yhat0(self, torch):
        """A given ŷ_0 enters the first step through W_y."""
        P, X, Y, yhat0 = make_case(3, 5, 3, 6, 2)
        _, _, _, _, _, Yt, _ = torch_jordan(torch, P, X, Y, yhat0=yhat0)
        assert_oracle(jordan_forward(X, P, yhat0=yhat0)[0], Yt.detach().numpy(), "Yhat with yhat0")
        assert not np.allclose(jordan_forward(X, P)[0][:, 0], Yt.detach().numpy()[:, 0])

    def test_relu(self, torch):
        """f = relu gives the torch recurrence with relu."""
        P, X, Y, _ = make_case(3, 5, 3, 6, 2)
        _, _, _, _, _, Yt, _ = torch_jordan(torch, P, X, Y, f="relu")
        assert_oracle(jordan_forward(X, P, f="relu")[0], Yt.detach().numpy(), "Yhat (relu)")

    def test_no_feedback_is_feed_forward(self):
        """With W_y = 0 every step is the feed-forward net ŷ_t = W_out [1; tanh(W_in x_t)] (Elman with W = 0)."""
        P, X, _, _ = make_case(3, 5, 3, 6, 2)
        P["W_y"] = np.zeros_like(P["W_y"])
        H = P["W_in"].shape[0]
        ff, _ = elman_forward(X, {"W_in": P["W_in"], "W": np.zeros((H, H)), "W_out": P["W_out"]})
        assert_oracle(jordan_forward(X, P)[0], ff, "Yhat with W_y = 0")

    def test_dtype_follows_inputs(self):
        """float64 inputs give float64 outputs, float32 inputs float32 ones."""
        P, X, _, _ = make_case(2, 4, 3, 5, 2)
        assert jordan_forward(X, P)[0].dtype == np.float64
        P32 = {k: v.astype(np.float32) for k, v in P.items()}
        assert jordan_forward(X.astype(np.float32), P32)[0].dtype == np.float32

    def test_inputs_are_not_modified(self):
        """X, the parameters and ŷ_0 are left unchanged by the forward and backward passes."""
        P, X, Y, yhat0 = make_case(2, 4, 3, 5, 2)
        before = [A.copy() for A in (X, Y, yhat0, *P.values())]
        Yhat, cache = jordan_forward(X, P, yhat0=yhat0)
        jordan_backward(jordan_loss(Yhat, Y)[1], cache)
        for old, new in zip(before, (X, Y, yhat0, *P.values())):
            np.testing.assert_array_equal(old, new)

    def test_rejects_W_y_of_the_wrong_shape(self):
        """A W_y that is not (H, m), e.g. the Elman network's (H, H), is refused, naming (H, m)."""
        P, X, _, _ = make_case(2, 4, 3, 5, 2)
        P["W_y"] = np.zeros((5, 5))
        with pytest.raises(ValueError, match=r"W_y must be \(H, m\) = \(5, 2\)"):
            jordan_forward(X, P)

    def test_rejects_input_without_bias_column(self):
        """An X whose width is not d+1 is refused with a message naming the bias column."""
        P, X, _, _ = make_case(2, 4, 3, 5, 2)
        with pytest.raises(ValueError, match=r"d\+1 entries, the leading 1 included"):
            jordan_forward(X[..., 1:], P)

    def test_rejects_missing_parameter(self):
        """A params dict without W_y is refused, naming it."""
        P, X, _, _ = make_case(2, 4, 3, 5, 2)
        del P["W_y"]
        with pytest.raises(ValueError, match="W_y"):
            jordan_forward(X, P)


class TestJordanBackward:
    @pytest.mark.parametrize("N,T,d,H,m", SHAPES)
    def test_gradients_match_torch(self, torch, N, T, d, H, m):
        """E, ∂E/∂W_in, ∂E/∂W_y, ∂E/∂W_out, ∂E/∂x_t and ∂E/∂ŷ_0 equal torch autograd."""
        P, X, Y, yhat0 = make_case(N, T, d, H, m)
        Yhat, cache = jordan_forward(X, P, yhat0=yhat0)
        E, dYhat = jordan_loss(Yhat, Y)
        back = jordan_backward(dYhat, cache)
        leaves, x, y0, _, _, _, Et = torch_jordan(torch, P, X, Y, yhat0=yhat0)
        assert E == pytest.approx(Et.item(), rel=1e-12)
        for k in JORDAN_KEYS:
            assert_oracle(back.grads[k], leaves[k].grad.numpy(), f"d{k}")
        assert_oracle(back.dX, x.grad.numpy(), "dX")
        assert_oracle(back.dyhat0, y0.grad.numpy(), "dyhat0")

    @pytest.mark.parametrize("N,T,d,H,m", SHAPES)
    def test_deltas_are_dE_du_and_dE_dv(self, torch, N, T, d, H, m):
        """D[n, t] is δ_t = ∂E/∂u_t and D_out[n, t] is δ^out_t = ∂E/∂v_t, read off autograd's u_t.grad, v_t.grad."""
        P, X, Y, _ = make_case(N, T, d, H, m)
        res = jordan_bptt(X, Y, P)
        _, _, _, Us, Vs, _, _ = torch_jordan(torch, P, X, Y)
        assert_oracle(res.D, np.stack([u.grad.numpy() for u in Us], axis=1), "D")
        assert_oracle(res.D_out, np.stack([v.grad.numpy() for v in Vs], axis=1), "D_out")

    def test_relu_matches_torch(self, torch):
        """With f = relu the gradients equal autograd too."""
        P, X, Y, _ = make_case(3, 5, 3, 6, 2)
        res = jordan_bptt(X, Y, P, f="relu")
        leaves, *_ = torch_jordan(torch, P, X, Y, f="relu")
        for k in JORDAN_KEYS:
            assert_oracle(res.grads[k], leaves[k].grad.numpy(), f"d{k} (relu)")

    def test_lecture_matrix_products(self):
        """For one sequence: δ^out_t = (ŷ_t − y_t) + W_yᵀ δ_{t+1}, and the gradients are D X, D Ŷ̃, D_out [1 Z]."""
        P, X, Y, _ = make_case(1, 6, 3, 5, 2)
        Yhat, cache = jordan_forward(X, P)
        res = jordan_bptt(X, Y, P)
        D, D_out = res.D[0].T, res.D_out[0].T  # (H, T), (m, T): columns δ_t, δ^out_t
        assert D.shape == (5, 6) and D_out.shape == (2, 6)
        E_direct = (Yhat[0] - Y[0]).T
        np.testing.assert_allclose(D_out[:, -1], E_direct[:, -1], rtol=1e-13)  # δ_{T+1} = 0
        np.testing.assert_allclose(D_out[:, :-1], E_direct[:, :-1] + P["W_y"].T @ D[:, 1:], rtol=1e-12, atol=1e-14)
        Y_tilde = np.vstack([np.zeros(2), Yhat[0, :-1]])  # rows ŷ_0 … ŷ_{T−1}
        Z1 = np.hstack([np.ones((6, 1)), cache["Z"][:, 0]])
        np.testing.assert_allclose(res.grads["W_in"], D @ X[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(res.grads["W_y"], D @ Y_tilde, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(res.grads["W_out"], D_out @ Z1, rtol=1e-12, atol=1e-14)

    def test_returns_named_tuples(self):
        """jordan_backward and jordan_bptt return their named tuples with the documented shapes."""
        P, X, Y, _ = make_case(3, 5, 3, 6, 2)
        Yhat, cache = jordan_forward(X, P)
        back = jordan_backward(jordan_loss(Yhat, Y)[1], cache)
        res = jordan_bptt(X, Y, P)
        assert isinstance(back, JordanBackward) and isinstance(res, JordanBPTT)
        assert back.D.shape == (3, 5, 6) and back.D_out.shape == (3, 5, 2) and back.dX.shape == (3, 5, 4)
        assert back.dyhat0.shape == (3, 2) and set(res.grads) == set(JORDAN_KEYS)

    def test_rejects_dYhat_of_the_wrong_shape(self):
        """A dYhat that is not (N, T, m) is refused, naming the shape expected."""
        P, X, _, _ = make_case(3, 5, 3, 6, 2)
        _, cache = jordan_forward(X, P)
        with pytest.raises(ValueError, match=r"dYhat must be \(N, T, m\) = \(3, 5, 2\)"):
            jordan_backward(np.zeros((3, 5, 6)), cache)


class TestGradcheck:
    @pytest.mark.parametrize("N,T,d,H,m", SHAPES)
    def test_central_differences(self, N, T, d, H, m):
        """Every entry of the three gradients agrees with central differences of E."""
        P, X, Y, _ = make_case(N, T, d, H, m)
        res = jordan_bptt(X, Y, P)
        report = gradcheck(lambda p: jordan_bptt(X, Y, p).E, P, res.grads)
        assert report, str(report)

    def test_catches_a_dropped_feedback_term(self):
        """The feed-forward gradient (δ^out_t = ŷ_t − y_t only) fails the check on W_in and W_y."""
        P, X, Y, _ = make_case(2, 5, 3, 4, 2)
        Yhat, cache = jordan_forward(X, P)
        dYhat = Yhat - Y
        Z, Xt = cache["Z"], cache["X"]
        D = (dYhat.transpose(1, 0, 2) @ P["W_out"][:, 1:]) * (1 - Z ** 2)  # no W_yᵀ δ_{t+1}
        Y_tilde = np.concatenate([np.zeros((1, 2, 2)), cache["Yhat"][:-1]])
        wrong = {"W_in": np.einsum("tnh,tnk->hk", D, Xt), "W_y": np.einsum("tnh,tnk->hk", D, Y_tilde),
                 "W_out": jordan_bptt(X, Y, P).grads["W_out"]}
        report = gradcheck(lambda p: jordan_bptt(X, Y, p).E, P, wrong, wrt=["W_in", "W_y"])
        assert not report


@given(N=st.integers(1, 3), T=st.integers(1, 6), d=st.integers(1, 3), H=st.integers(1, 5), m=st.integers(1, 3),
       seed=st.integers(0, 2**16))
def test_any_size_matches_central_differences(N, T, d, H, m, seed):
    """For random sizes (including T = 1, H = 1, m = 1) the gradients pass gradcheck."""
    P, X, Y, _ = make_case(N, T, d, H, m, seed=seed, scale=0.5)
    res = jordan_bptt(X, Y, P)
    assert gradcheck(lambda p: jordan_bptt(X, Y, p).E, P, res.grads)
