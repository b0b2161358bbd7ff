"""rnnref.attention against PyTorch: scaled_dot_product_attention (scale 1) for the dot score, the
additive score written in torch ops, and autograd for every gradient."""

import numpy as np
import pytest

from rnnref.attention import (
    ATTENTION_KEYS,
    AttentionBackward,
    additive_attention_backward,
    additive_attention_forward,
    attention_backward,
    attention_forward,
    dot_attention_backward,
    dot_attention_forward,
    init_attention_params,
)
from rnnref.gradcheck import gradcheck

#: (N, T′, T, H, d_a): every dimension differs, then one of N, T′, T, H equal to 1
SHAPES = [
    pytest.param(3, 4, 6, 5, 2, id="N3-Tp4-T6-H5-da2"),
    pytest.param(1, 4, 6, 5, 2, id="N1"),
    pytest.param(3, 1, 6, 5, 2, id="Tp1"),
    pytest.param(3, 4, 1, 5, 2, id="T1"),
    pytest.param(3, 4, 6, 1, 2, id="H1"),
]


def make_case(N, Tp, T, H, d_a, *, seed=0):
    """Decoder states Hdec (N, T′, H), encoder states Hbar (N, T, H), additive parameters, upstream G (N, T′, H)."""
    rng = np.random.default_rng([seed, N, Tp, T, H, d_a])
    Hdec = rng.standard_normal((N, Tp, H))
    Hbar = rng.standard_normal((N, T, H))
    P = {"W_a": rng.normal(0, 0.8, (d_a, H)), "U_a": rng.normal(0, 0.8, (d_a, H)), "v": rng.standard_normal(d_a)}
    G = rng.standard_normal((N, Tp, H))
    return Hdec, Hbar, P, G


def as_np(t):
    return t.detach().numpy()


def leaves(torch, **arrays):
    return {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}


def torch_additive(torch, p):
    """C and α of the additive score in torch ops: vᵀ tanh(W_a h_t + U_a h̄_s), softmax over s."""
    Q = torch.tanh((p["Hdec"] @ p["W_a"].T)[:, :, None, :] + (p["Hbar"] @ p["U_a"].T)[:, None, :, :])
    A = torch.softmax(Q @ p["v"], dim=-1)
    return A @ p["Hbar"], A


class TestDotAttention:
    @pytest.mark.parametrize("N,Tp,T,H,d_a", SHAPES)
    def test_forward_matches_scaled_dot_product_attention(self, torch, oracle_close, N, Tp, T, H, d_a):
        """C equals torch's scaled_dot_product_attention(h, h̄, h̄, scale=1); α equals softmax(h h̄ᵀ) over s."""
        Hdec, Hbar, _, _ = make_case(N, Tp, T, H, d_a)
        q, k = torch.tensor(Hdec), torch.tensor(Hbar)
        expected = torch.nn.functional.scaled_dot_product_attention(q, k, k, scale=1.0)
        C, cache = dot_attention_forward(Hdec, Hbar)
        oracle_close(C, as_np(expected), "C")
        oracle_close(cache["A"], as_np(torch.softmax(q @ k.transpose(1, 2), dim=-1)), "α")

    @pytest.mark.parametrize("N,Tp,T,H,d_a", SHAPES)
    def test_backward_matches_autograd(self, torch, oracle_close, N, Tp, T, H, d_a):
        """∂E/∂h_t and ∂E/∂h̄_s of E = Σ C ⊙ G equal autograd's through scaled_dot_product_attention."""
        Hdec, Hbar, _, G = make_case(N, Tp, T, H, d_a, seed=1)
        p = leaves(torch, Hdec=Hdec, Hbar=Hbar)
        C_t = torch.nn.functional.scaled_dot_product_attention(p["Hdec"], p["Hbar"], p["Hbar"], scale=1.0)
        (C_t * torch.tensor(G)).sum().backward()
        _, cache = dot_attention_forward(Hdec, Hbar)
        dHdec, dHbar = dot_attention_backward(G, cache)
        oracle_close(dHdec, as_np(p["Hdec"].grad), "dHdec")
        oracle_close(dHbar, as_np(p["Hbar"].grad), "dHbar")

    def test_gradcheck(self):
        """Central differences of E = Σ C ⊙ G agree with both analytic gradients."""
        Hdec, Hbar, _, G = make_case(2, 3, 4, 5, 2, seed=2)
        _, cache = dot_attention_forward(Hdec, Hbar)
        dHdec, dHbar = dot_attention_backward(G, cache)
        report = gradcheck(lambda p: np.sum(G * dot_attention_forward(p["Hdec"], p["Hbar"])[0]),
                           {"Hdec": Hdec, "Hbar": Hbar}, {"Hdec": dHdec, "Hbar": dHbar})
        assert report, str(report)

    def test_weights_are_a_distribution_over_s(self):
        """Every row of α is positive and sums to 1, also with scores in the thousands (the max shift)."""
        Hdec, Hbar, _, _ = make_case(3, 4, 6, 5, 2)
        _, cache = dot_attention_forward(100 * Hdec, 10 * Hbar)
        A = cache["A"]
        assert A.shape == (3, 4, 6) and np.all(np.isfinite(A)) and np.all(A >= 0)
        np.testing.assert_allclose(A.sum(axis=-1), 1.0, rtol=1e-13)

    def test_single_encoder_state_is_copied(self):
        """With T = 1 the context is h̄_1 itself for every t and no gradient flows into the scores."""
        Hdec, Hbar, _, G = make_case(2, 3, 1, 4, 2)
        C, cache = dot_attention_forward(Hdec, Hbar)
        np.testing.assert_allclose(C, np.repeat(Hbar, 3, axis=1), rtol=1e-14)
        dHdec, dHbar = dot_attention_backward(G, cache)
        np.testing.assert_allclose(dHdec, 0.0, atol=1e-14)
        np.testing.assert_allclose(dHbar[:, 0], G.sum(axis=1), rtol=1e-13)


class TestAdditiveAttention:
    @pytest.mark.parametrize("N,Tp,T,H,d_a", SHAPES)
    def test_forward_matches_torch_formula(self, torch, oracle_close, N, Tp, T, H, d_a):
        """C, α and q_ts equal the torch formula vᵀ tanh(W_a h_t + U_a h̄_s) with a softmax over s."""
        Hdec, Hbar, P, _ = make_case(N, Tp, T, H, d_a, seed=3)
        p = leaves(torch, Hdec=Hdec, Hbar=Hbar, **P)
        C_t, A_t = torch_additive(torch, p)
        C, cache = additive_attention_forward(Hdec, Hbar, P)
        oracle_close(C, as_np(C_t), "C")
        oracle_close(cache["A"], as_np(A_t), "α")
        assert cache["Q"].shape == (N, Tp, T, d_a)
        oracle_close(cache["Q"][:, -1, 0], np.tanh(Hdec[:, -1] @ P["W_a"].T + Hbar[:, 0] @ P["U_a"].T), "q_T′1")

    @pytest.mark.parametrize("N,Tp,T,H,d_a", SHAPES)
    def test_backward_matches_autograd(self, torch, oracle_close, N, Tp, T, H, d_a):
        """∂E/∂h_t, ∂E/∂h̄_s, ∂E/∂W_a, ∂E/∂U_a, ∂E/∂v of E = Σ C ⊙ G equal torch autograd's."""
        Hdec, Hbar, P, G = make_case(N, Tp, T, H, d_a, seed=4)
        p = leaves(torch, Hdec=Hdec, Hbar=Hbar, **P)
        C_t, _ = torch_additive(torch, p)
        (C_t * torch.tensor(G)).sum().backward()
        _, cache = additive_attention_forward(Hdec, Hbar, P)
        back = additive_attention_backward(G, cache)
        assert isinstance(back, AttentionBackward) and tuple(back.grads) == ATTENTION_KEYS
        oracle_close(back.dHdec, as_np(p["Hdec"].grad), "dHdec")
        oracle_close(back.dHbar, as_np(p["Hbar"].grad), "dHbar")
        for k in ATTENTION_KEYS:
            oracle_close(back.grads[k], as_np(p[k].grad), f"∂E/∂{k}")

    def test_gradcheck(self):
        """Central differences of E = Σ C ⊙ G agree with every analytic gradient, states and parameters."""
        Hdec, Hbar, P, G = make_case(2, 3, 4, 5, 2, seed=5)
        _, cache = additive_attention_forward(Hdec, Hbar, P)
        back = additive_attention_backward(G, cache)

        def f(p):
            return np.sum(G * additive_attention_forward(p["Hdec"], p["Hbar"], p)[0])

        report = gradcheck(f, dict(P, Hdec=Hdec, Hbar=Hbar), dict(back.grads, Hdec=back.dHdec, Hbar=back.dHbar))
        assert report, str(report)
        assert {t.name for t in report.tensors} == set(ATTENTION_KEYS) | {"Hdec", "Hbar"}

    def test_float32_computes_in_float32(self):
        """float32 states and parameters give float32 results, close to the float64 ones."""
        Hdec, Hbar, P, G = make_case(2, 3, 4, 5, 2, seed=6)
        f32 = {k: v.astype(np.float32) for k, v in P.items()}
        C32, cache32 = additive_attention_forward(Hdec.astype(np.float32), Hbar.astype(np.float32), f32)
        back32 = additive_attention_backward(G.astype(np.float32), cache32)
        C64, _ = additive_attention_forward(Hdec, Hbar, P)
        assert C32.dtype == np.float32 and back32.dHbar.dtype == np.float32
        assert all(g.dtype == np.float32 for g in back32.grads.values())
        np.testing.assert_allclose(C32, C64, atol=1e-5)


class TestDispatchAndValidation:
    @pytest.mark.parametrize("score", ["dot", "additive"])
    def test_attention_forward_backward_dispatch(self, score):
        """attention_forward/backward give the score's own results; the dot score has no parameter gradients."""
        Hdec, Hbar, P, G = make_case(2, 3, 4, 5, 2, seed=7)
        C, cache = attention_forward(Hdec, Hbar, P, score)
        back = attention_backward(G, cache)
        if score == "dot":
            C0, c0 = dot_attention_forward(Hdec, Hbar)
            expected = dot_attention_backward(G, c0)
            assert back.grads == {}
        else:
            C0, c0 = additive_attention_forward(Hdec, Hbar, P)
            expected = additive_attention_backward(G, c0)[:2]
        np.testing.assert_array_equal(C, C0)
        np.testing.assert_array_equal(back.dHdec, expected[0])
        np.testing.assert_array_equal(back.dHbar, expected[1])

    def test_init_shapes(self):
        """init_attention_params gives W_a, U_a (d_a, H) and v (d_a,), float64."""
        P = init_attention_params(5, 3, seed=1)
        assert {k: v.shape for k, v in P.items()} == {"W_a": (3, 5), "U_a": (3, 5), "v": (3,)}
        assert all(v.dtype == np.float64 for v in P.values())

    def test_inputs_not_modified(self):
        """Forward and backward leave the states, the parameters and dC unchanged."""
        Hdec, Hbar, P, G = make_case(2, 3, 4, 5, 2)
        before = [a.copy() for a in (Hdec, Hbar, G, *P.values())]
        for score in ("dot", "additive"):
            _, cache = attention_forward(Hdec, Hbar, P, score)
            attention_backward(G, cache)
        for b, a in zip(before, (Hdec, Hbar, G, *P.values())):
            np.testing.assert_array_equal(a, b)

    def test_unknown_score(self):
        """An unknown score raises a ValueError naming the known ones; additive without P too."""
        Hdec, Hbar, P, _ = make_case(2, 3, 4, 5, 2)
        with pytest.raises(ValueError, match=r"unknown attention score 'general'.*\('dot', 'additive'\)"):
            attention_forward(Hdec, Hbar, P, "general")
        with pytest.raises(ValueError, match=r"needs the parameters"):
            attention_forward(Hdec, Hbar, None, "additive")

    def test_mismatched_states(self):
        """Hdec and Hbar of different H (or N), or not 3-D, raise a ValueError naming both shapes."""
        Hdec, Hbar, _, _ = make_case(2, 3, 4, 5, 2)
        with pytest.raises(ValueError, match=r"agree in N and H, got \(2, 3, 5\) and \(2, 4, 4\)"):
            dot_attention_forward(Hdec, Hbar[..., :4])
        with pytest.raises(ValueError, match=r"must be \(N, T′, H\)"):
            dot_attention_forward(Hdec[0], Hbar[0])

    def test_bad_parameters(self):
        """A missing key or a wrong shape of W_a, U_a, v raises a ValueError saying what was expected."""
        Hdec, Hbar, P, _ = make_case(2, 3, 4, 5, 2)
        with pytest.raises(ValueError, match=r"missing \('v',\)"):
            additive_attention_forward(Hdec, Hbar, {k: P[k] for k in ("W_a", "U_a")})
        with pytest.raises(ValueError, match=r"U_a must be \(2, 5\).*got \(5, 2\)"):
            additive_attention_forward(Hdec, Hbar, dict(P, U_a=P["U_a"].T))

    def test_bad_upstream_shape(self):
        """dC not of Hdec's shape raises a ValueError."""
        Hdec, Hbar, P, G = make_case(2, 3, 4, 5, 2)
        for score in ("dot", "additive"):
            _, cache = attention_forward(Hdec, Hbar, P, score)
            with pytest.raises(ValueError, match=r"dC must be \(N, T′, H\) = \(2, 3, 5\), got \(2, 4, 5\)"):
                attention_backward(np.zeros((2, 4, 5)), cache)
