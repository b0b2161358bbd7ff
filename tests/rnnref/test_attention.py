"""rnnref.attention against PyTorch: scaled_dot_product_attention (scale 1) for the dot score, the
additive score written in torch ops, Squeeze-and-Excitation built from torch's mean, nn.Linear, ReLU,
sigmoid and a product, and autograd for every gradient."""

import numpy as np
import pytest

from rnnref.attention import (
    ATTENTION_KEYS,
    SE_KEYS,
    AttentionBackward,
    SEBackward,
    additive_attention_backward,
    additive_attention_forward,
    attention_backward,
    attention_forward,
    dot_attention_backward,
    dot_attention_forward,
    init_attention_params,
    init_se_params,
    se_backward,
    se_forward,
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


#: (N, T, C, r) of Squeeze-and-Excitation: every dimension differs (and C ≠ r+1, so W_2 is not square),
#: then N = 1, T = 1 and r = 1
SE_SHAPES = [
    pytest.param(3, 6, 5, 2, id="N3-T6-C5-r2"),
    pytest.param(1, 6, 5, 2, id="N1"),
    pytest.param(3, 1, 5, 2, id="T1"),
    pytest.param(4, 6, 3, 1, id="r1"),
    pytest.param(2, 7, 9, 4, id="N2-T7-C9-r4"),
]


def make_se_case(N, T, C, r, *, seed=0):
    """States Hbar (N, T, C), P = {W_1, W_2}, upstream G (N, T, C). W_1's biases alternate ±1.5 over small
    weights, so that with r ≥ 2 some relu inputs are negative in every sequence (the last unit's positive)."""
    rng = np.random.default_rng([seed, N, T, C, r])
    Hbar = rng.standard_normal((N, T, C))
    W1 = rng.normal(0, 0.3, (r, 1 + C))
    W1[:, 0] = np.where(np.arange(r) % 2 == (r - 1) % 2, 1.5, -1.5)
    P = {"W_1": W1, "W_2": rng.normal(0, 0.8, (C, 1 + r))}
    return Hbar, P, rng.standard_normal((N, T, C))


def torch_se(torch, p):
    """Squeeze, excitation and rescale in torch's own pieces: the bias is nn.Linear's, column 0 of W_1, W_2."""
    r, C = p["W_1"].shape[0], p["W_2"].shape[0]
    lin1, lin2 = torch.nn.Linear(C, r), torch.nn.Linear(r, C)
    with torch.no_grad():
        for lin, W in ((lin1, p["W_1"]), (lin2, p["W_2"])):
            lin.weight.copy_(torch.tensor(W[:, 1:]))
            lin.bias.copy_(torch.tensor(W[:, 0]))
    S = p["Hbar"].mean(dim=1)
    Q = torch.nn.ReLU()(lin1(S))
    E = torch.sigmoid(lin2(Q))
    Y = torch.mul(p["Hbar"], E.unsqueeze(1))
    return {"Y": Y, "S": S, "Q": Q, "E": E}, lin1, lin2


def linear_grad(lin):
    """∂E/∂W in the kit's layout: the bias's gradient as column 0, then the weight's."""
    return np.hstack([as_np(lin.bias.grad)[:, None], as_np(lin.weight.grad)])


class TestSqueezeExcitation:
    @pytest.mark.parametrize("N,T,C,r", SE_SHAPES)
    def test_forward_matches_torch_pieces(self, torch, oracle_close, N, T, C, r):
        """s, q, e and Y equal torch's mean over dim 1, ReLU(Linear), sigmoid(Linear) and the product."""
        Hbar, P, _ = make_se_case(N, T, C, r)
        ref, _, _ = torch_se(torch, {"Hbar": torch.tensor(Hbar), **P})
        Y, cache = se_forward(Hbar, P)
        oracle_close(Y, as_np(ref["Y"]), "Y")
        for k in ("S", "Q", "E"):
            oracle_close(cache[k], as_np(ref[k]), k)

    @pytest.mark.parametrize("N,T,C,r", SE_SHAPES)
    def test_backward_matches_autograd(self, torch, oracle_close, N, T, C, r):
        """∂E/∂h̄_t, ∂E/∂W_1 and ∂E/∂W_2 of E = Σ Y ⊙ G equal torch autograd's (biases as column 0)."""
        Hbar, P, G = make_se_case(N, T, C, r, seed=1)
        p = {"Hbar": torch.tensor(Hbar, requires_grad=True), **P}
        ref, lin1, lin2 = torch_se(torch, p)
        (ref["Y"] * torch.tensor(G)).sum().backward()
        _, cache = se_forward(Hbar, P)
        back = se_backward(G, cache)
        assert isinstance(back, SEBackward) and tuple(back.grads) == SE_KEYS
        oracle_close(back.dHbar, as_np(p["Hbar"].grad), "dHbar")
        oracle_close(back.grads["W_1"], linear_grad(lin1), "∂E/∂W_1")
        oracle_close(back.grads["W_2"], linear_grad(lin2), "∂E/∂W_2")

    def test_some_relu_inputs_negative(self):
        """The cases have relu inputs of both signs; a unit whose input is negative in every sequence
        has a zero row of ∂E/∂W_1 and a zero column of ∂E/∂W_2 (its q is 0)."""
        Hbar, P, G = make_se_case(3, 6, 5, 4, seed=2)
        A1 = np.concatenate([np.ones((3, 1)), Hbar.mean(axis=1)], axis=1) @ P["W_1"].T
        assert (A1 < 0).any() and (A1 > 0).any()
        dead = np.all(A1 < 0, axis=0)
        assert dead.any() and not dead.all()
        _, cache = se_forward(Hbar, P)
        back = se_backward(G, cache)
        np.testing.assert_array_equal(back.grads["W_1"][dead], 0.0)
        np.testing.assert_array_equal(back.grads["W_2"][:, 1:][:, dead], 0.0)
        assert np.all(np.abs(back.grads["W_1"][~dead]).sum(axis=1) > 0)

    def test_squeeze_path_reaches_every_position_equally(self):
        """∂E/∂h̄_t − e ⊙ dy_t (the path through the squeeze) is the same row for every t, and not zero."""
        Hbar, P, G = make_se_case(2, 5, 4, 2, seed=3)
        Y, cache = se_forward(Hbar, P)
        back = se_backward(G, cache)
        rest = back.dHbar - G * cache["E"][:, None, :]
        np.testing.assert_allclose(rest, np.repeat(rest[:, :1], 5, axis=1), rtol=1e-12, atol=1e-15)
        assert np.abs(rest).max() > 1e-3

    def test_gradcheck(self):
        """Central differences of E = Σ Y ⊙ G agree with ∂E/∂h̄_t, ∂E/∂W_1 and ∂E/∂W_2."""
        Hbar, P, G = make_se_case(2, 5, 7, 3, seed=4)
        _, cache = se_forward(Hbar, P)
        back = se_backward(G, cache)
        report = gradcheck(lambda p: np.sum(G * se_forward(p["Hbar"], p)[0]), dict(P, Hbar=Hbar),
                           dict(back.grads, Hbar=back.dHbar))
        assert report, str(report)
        assert {t.name for t in report.tensors} == set(SE_KEYS) | {"Hbar"}

    def test_excitation_in_unit_interval(self):
        """e lies in (0, 1) for every channel, also for large inputs, so y_t is h̄_t shrunk channel by channel."""
        Hbar, P, _ = make_se_case(3, 6, 5, 2)
        Y, cache = se_forward(50 * Hbar, {k: 10 * v for k, v in P.items()})
        E = cache["E"]
        assert E.shape == (3, 5) and np.all(np.isfinite(E)) and np.all((E >= 0) & (E <= 1))
        assert np.all(np.abs(Y) <= 50 * np.abs(Hbar))

    def test_float32_computes_in_float32(self):
        """float32 states and parameters give float32 results, close to the float64 ones."""
        Hbar, P, G = make_se_case(2, 5, 4, 2, seed=5)
        f32 = {k: v.astype(np.float32) for k, v in P.items()}
        Y32, cache32 = se_forward(Hbar.astype(np.float32), f32)
        back32 = se_backward(G.astype(np.float32), cache32)
        Y64, _ = se_forward(Hbar, P)
        assert Y32.dtype == np.float32 and back32.dHbar.dtype == np.float32
        assert all(g.dtype == np.float32 for g in back32.grads.values())
        np.testing.assert_allclose(Y32, Y64, atol=1e-5)

    def test_init_shapes(self):
        """init_se_params gives W_1 (r, 1+C) and W_2 (C, 1+r), float64."""
        P = init_se_params(6, 2, seed=1)
        assert {k: v.shape for k, v in P.items()} == {"W_1": (2, 7), "W_2": (6, 3)}
        assert all(v.dtype == np.float64 for v in P.values())

    def test_inputs_not_modified(self):
        """Forward and backward leave Hbar, W_1, W_2 and dY unchanged."""
        Hbar, P, G = make_se_case(2, 5, 4, 2)
        before = [a.copy() for a in (Hbar, G, *P.values())]
        _, cache = se_forward(Hbar, P)
        se_backward(G, cache)
        for b, a in zip(before, (Hbar, G, *P.values())):
            np.testing.assert_array_equal(a, b)

    def test_bad_shapes(self):
        """Hbar not 3-D, a missing key, W_1 or W_2 of the wrong shape, or dY not of Hbar's shape raise a ValueError."""
        Hbar, P, G = make_se_case(2, 5, 4, 2)
        with pytest.raises(ValueError, match=r"Hbar must be \(N, T, C\)"):
            se_forward(Hbar[0], P)
        with pytest.raises(ValueError, match=r"missing \('W_2',\)"):
            se_forward(Hbar, {"W_1": P["W_1"]})
        with pytest.raises(ValueError, match=r"W_1 must be \(2, 5\).*got \(2, 4\)"):
            se_forward(Hbar, dict(P, W_1=P["W_1"][:, 1:]))
        with pytest.raises(ValueError, match=r"W_2 must be \(4, 3\).*got \(3, 4\)"):
            se_forward(Hbar, dict(P, W_2=P["W_2"].T))
        _, cache = se_forward(Hbar, P)
        with pytest.raises(ValueError, match=r"dY must be \(N, T, C\) = \(2, 5, 4\), got \(2, 4, 4\)"):
            se_backward(G[:, :4], cache)
