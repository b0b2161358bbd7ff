"""rnnref.seq2seq against PyTorch: nn.LSTM encoder and decoder (h_n, c_n handed over), a linear
output layer, cross-entropy summed, attention in torch ops; autograd for every gradient."""

import numpy as np
import pytest

from rnnref import add_bias
from rnnref.attention import ATTENTION_KEYS
from rnnref.gradcheck import gradcheck
from rnnref.lstm import LSTM_KEYS
from rnnref.seq2seq import (
    DecoderBackward,
    Seq2SeqBackward,
    decoder_backward,
    decoder_forward,
    decoder_inputs,
    encoder_forward,
    greedy_decode,
    init_seq2seq_params,
    seq2seq_backward,
    seq2seq_forward,
    seq2seq_loss,
)
from tests.rnnref.test_lstm import copy_weights, lecture_grads

#: (N, T, T′, d, H, m): every dimension differs (d+1 and m+2 too), then one of N, T, T′, H equal to 1
SHAPES = [
    pytest.param(3, 7, 4, 2, 5, 6, id="N3-T7-Tp4-d2-H5-m6"),
    pytest.param(1, 7, 4, 2, 5, 6, id="N1"),
    pytest.param(3, 1, 4, 2, 5, 6, id="T1"),
    pytest.param(3, 7, 1, 2, 5, 6, id="Tp1"),
    pytest.param(3, 7, 4, 2, 1, 6, id="H1"),
]
ATTENTION = [None, "dot", "additive"]


def make_case(N, T, Tp, d, H, m, *, attention=None, seed=0):
    """X with its column of ones, one-hot targets Y, and random encoder and decoder parameters."""
    rng = np.random.default_rng([seed, N, T, Tp, d, H, m])
    X = add_bias(rng.standard_normal((N, T, d)))
    Y = np.eye(m)[rng.integers(0, m, (N, Tp))]
    P_enc, P_dec = init_seq2seq_params(d, m, H, seed=seed, attention=attention, d_a=3)
    return X, Y, P_enc, P_dec


def as_np(t):
    return t.detach().numpy()


def torch_lstm(torch, P, d_in, H):
    return copy_weights(torch, torch.nn.LSTM(d_in, H, batch_first=True, dtype=torch.float64), P, "_l0")


def torch_model(torch, X, Y, P_enc, P_dec, attention):
    """E, Ŷ and the gradients {"enc": {...}, "dec": {...}} of the same model in torch: nn.LSTM for
    both, the decoder started from the encoder's (h_n, c_n), attention and output layer in torch ops."""
    N, T, d1 = X.shape
    H = P_enc["W"].shape[0]
    m = Y.shape[2]
    enc, dec = torch_lstm(torch, P_enc, d1 - 1, H), torch_lstm(torch, P_dec, m + 1, H)
    extra = {k: torch.tensor(P_dec[k], requires_grad=True) for k in ("W_out",) + ATTENTION_KEYS if k in P_dec}
    Zenc, (h_n, c_n) = enc(torch.tensor(X[..., 1:]))
    Zd, _ = dec(torch.tensor(decoder_inputs(Y)[..., 1:]), (h_n, c_n))
    F = Zd
    if attention is not None:
        if attention == "dot":
            scores = Zd @ Zenc.transpose(1, 2)
        else:
            q = torch.tanh((Zd @ extra["W_a"].T)[:, :, None, :] + (Zenc @ extra["U_a"].T)[:, None, :, :])
            scores = q @ extra["v"]
        F = torch.cat([Zd, torch.softmax(scores, dim=-1) @ Zenc], dim=-1)
    W_out = extra["W_out"]
    V = F @ W_out[:, 1:].T + W_out[:, 0]
    E = -(torch.tensor(Y) * torch.log_softmax(V, dim=-1)).sum()
    E.backward()
    grads = {"enc": lecture_grads(enc.weight_ih_l0.grad, enc.bias_ih_l0.grad, enc.weight_hh_l0.grad, H),
             "dec": lecture_grads(dec.weight_ih_l0.grad, dec.bias_ih_l0.grad, dec.weight_hh_l0.grad, H)}
    grads["dec"].update({k: as_np(t.grad) for k, t in extra.items()})
    return float(E.detach()), as_np(torch.softmax(V, dim=-1)), grads


class TestDecoderInputs:
    def test_go_then_shifted_targets(self):
        """x′_1 = [1; 1; 0], x′_t = [1; 0; y_{t−1}]: the last target is never an input."""
        Y = np.eye(4)[np.array([[2, 0, 3], [1, 1, 0]])]
        Xd = decoder_inputs(Y)
        assert Xd.shape == (2, 3, 6) and Xd.dtype == np.float64
        np.testing.assert_array_equal(Xd[:, :, 0], 1.0)
        np.testing.assert_array_equal(Xd[:, :, 1], [[1, 0, 0], [1, 0, 0]])
        np.testing.assert_array_equal(Xd[:, 0, 2:], 0.0)
        np.testing.assert_array_equal(Xd[:, 1:, 2:], Y[:, :-1])

    def test_needs_3d(self):
        """A single target sequence (T′, m) raises a ValueError naming (N, T′, m)."""
        with pytest.raises(ValueError, match=r"Y must be \(N, T′, m\)"):
            decoder_inputs(np.eye(3))


class TestAgainstTorch:
    @pytest.mark.parametrize("attention", ATTENTION, ids=["plain", "dot", "additive"])
    @pytest.mark.parametrize("N,T,Tp,d,H,m", SHAPES)
    def test_loss_outputs_and_gradients(self, torch, oracle_close, N, T, Tp, d, H, m, attention):
        """E, ŷ and every encoder and decoder gradient equal the nn.LSTM model's, with and without attention."""
        X, Y, P_enc, P_dec = make_case(N, T, Tp, d, H, m, attention=attention, seed=1)
        E_t, Yhat_t, grads_t = torch_model(torch, X, Y, P_enc, P_dec, attention)
        Yhat, cache = seq2seq_forward(X, Y, P_enc, P_dec, attention)
        back = seq2seq_backward(cache, Y)
        assert isinstance(back, Seq2SeqBackward)
        oracle_close(back.E, E_t, "E")
        oracle_close(Yhat, Yhat_t, "Ŷ")
        assert set(back.grads_enc) == set(P_enc) and set(back.grads_dec) == set(P_dec)
        for k in P_enc:
            oracle_close(back.grads_enc[k], grads_t["enc"][k], f"∂E/∂{k} (encoder)")
        for k in P_dec:
            oracle_close(back.grads_dec[k], grads_t["dec"][k], f"∂E/∂{k} (decoder)")

    @pytest.mark.parametrize("N,T,Tp,d,H,m", SHAPES)
    def test_decoder_initial_state_gradients(self, torch, oracle_close, N, T, Tp, d, H, m):
        """decoder_backward's dz0, ds0 equal autograd's ∂E/∂h0, ∂E/∂c0 of nn.LSTM started from (h0, c0)."""
        _, Y, _, P_dec = make_case(N, T, Tp, d, H, m, seed=2)
        rng = np.random.default_rng(3)
        z0, s0 = rng.uniform(-1, 1, (N, H)), rng.standard_normal((N, H))
        dec = torch_lstm(torch, P_dec, m + 1, H)
        h0, c0 = torch.tensor(z0[None], requires_grad=True), torch.tensor(s0[None], requires_grad=True)
        Zd, _ = dec(torch.tensor(decoder_inputs(Y)[..., 1:]), (h0, c0))
        W_out = torch.tensor(P_dec["W_out"])
        V_t = Zd @ W_out[:, 1:].T + W_out[:, 0]
        (-(torch.tensor(Y) * torch.log_softmax(V_t, dim=-1)).sum()).backward()
        V, cache = decoder_forward(decoder_inputs(Y), z0, s0, P_dec)
        oracle_close(V, as_np(V_t), "V")
        e = np.exp(V - V.max(axis=-1, keepdims=True))
        back = decoder_backward(e / e.sum(axis=-1, keepdims=True) - Y, cache)
        assert isinstance(back, DecoderBackward) and back.dHbar is None
        oracle_close(back.dz0, as_np(h0.grad[0]), "dz0")
        oracle_close(back.ds0, as_np(c0.grad[0]), "ds0")

    @pytest.mark.parametrize("attention", ATTENTION, ids=["plain", "dot", "additive"])
    def test_greedy_decode_matches_torch(self, torch, oracle_close, attention):
        """Greedy decoding equals a step-by-step nn.LSTMCell that feeds back the one-hot of its argmax."""
        N, T, Tp, d, H, m = 3, 5, 6, 2, 4, 7
        X, _, P_enc, P_dec = make_case(N, T, Tp, d, H, m, attention=attention, seed=4)
        P_dec = dict(P_dec, W_out=3 * P_dec["W_out"])  # confident outputs: no near-ties
        Zenc, zT, sT, _ = encoder_forward(X, P_enc)
        Yhat, Ypred, A = greedy_decode(zT, sT, P_dec, Tp, Hbar=Zenc, attention=attention)
        cell = copy_weights(torch, torch.nn.LSTMCell(m + 1, H, dtype=torch.float64), P_dec)
        Hbar, W_out = torch.tensor(Zenc), torch.tensor(P_dec["W_out"])
        h, c = torch.tensor(zT), torch.tensor(sT)
        x = torch.zeros((N, m + 1), dtype=torch.float64)
        x[:, 0] = 1.0
        probs, alphas = [], []
        with torch.no_grad():
            for _ in range(Tp):
                h, c = cell(x, (h, c))
                f = h
                if attention is not None:
                    if attention == "dot":
                        scores = (Hbar @ h[:, :, None])[..., 0]
                    else:
                        W_a, U_a, v = (torch.tensor(P_dec[k]) for k in ATTENTION_KEYS)
                        scores = torch.tanh((h @ W_a.T)[:, None, :] + Hbar @ U_a.T) @ v
                    a = torch.softmax(scores, dim=-1)
                    alphas.append(a)
                    f = torch.cat([h, (a[:, :, None] * Hbar).sum(dim=1)], dim=-1)
                y = torch.softmax(f @ W_out[:, 1:].T + W_out[:, 0], dim=-1)
                probs.append(y)
                x = torch.zeros((N, m + 1), dtype=torch.float64)
                x[torch.arange(N), 1 + y.argmax(dim=1)] = 1.0
        expected = np.stack([as_np(y) for y in probs], axis=1)
        oracle_close(Yhat, expected, "Ŷ")
        np.testing.assert_array_equal(Ypred, np.eye(m)[expected.argmax(axis=-1)])
        assert (A is None) == (attention is None)
        if attention is not None:
            oracle_close(A, np.stack([as_np(a) for a in alphas], axis=1), "α")


class TestGradients:
    @pytest.mark.parametrize("attention", ATTENTION, ids=["plain", "dot", "additive"])
    def test_gradcheck(self, attention):
        """Central differences of E by every encoder and decoder parameter agree with seq2seq_loss's gradients."""
        X, Y, P_enc, P_dec = make_case(2, 4, 3, 2, 3, 4, attention=attention, seed=5)
        back = seq2seq_loss(X, Y, P_enc, P_dec, attention)
        inputs = {**{("enc", k): v for k, v in P_enc.items()}, **{("dec", k): v for k, v in P_dec.items()}}
        analytic = {**{("enc", k): g for k, g in back.grads_enc.items()},
                    **{("dec", k): g for k, g in back.grads_dec.items()}}

        def f(p):
            return seq2seq_loss(X, Y, {k: p["enc", k] for k in P_enc}, {k: p["dec", k] for k in P_dec}, attention).E

        report = gradcheck(f, inputs, analytic)
        assert report, str(report)


class TestParametersAndValidation:
    @pytest.mark.parametrize("attention,width", [(None, 6), ("dot", 11), ("additive", 11)])
    def test_init_shapes(self, attention, width):
        """Encoder W_·_in (H, d+1), decoder W_·_in (H, m+2), W_out (m, H+1) or (m, 2H+1), W_a, U_a, v for additive."""
        P_enc, P_dec = init_seq2seq_params(2, 4, 5, attention=attention, d_a=3)
        assert set(P_enc) == set(LSTM_KEYS)
        assert P_enc["W_in"].shape == (5, 3) and P_dec["W_in"].shape == (5, 6)
        assert P_dec["W_out"].shape == (4, width)
        assert (set(P_dec) - set(LSTM_KEYS)) == ({"W_out"} | (set(ATTENTION_KEYS) if attention == "additive" else set()))
        if attention == "additive":
            assert P_dec["W_a"].shape == (3, 5) and P_dec["v"].shape == (3,)

    def test_unknown_attention(self):
        """An unknown attention raises a ValueError naming the known ones."""
        with pytest.raises(ValueError, match=r"unknown attention 'general'"):
            init_seq2seq_params(2, 4, 5, attention="general")

    def test_attention_needs_encoder_states(self):
        """decoder_forward with attention but without Hbar raises a ValueError."""
        X, Y, P_enc, P_dec = make_case(2, 4, 3, 2, 3, 4, attention="dot")
        _, zT, sT, _ = encoder_forward(X, P_enc)
        with pytest.raises(ValueError, match=r"needs the encoder states Hbar"):
            decoder_forward(decoder_inputs(Y), zT, sT, P_dec, attention="dot")

    @pytest.mark.parametrize("T_out", [0, 2.5])
    def test_greedy_needs_positive_steps(self, T_out):
        """T_out must be a positive whole number of steps."""
        X, _, P_enc, P_dec = make_case(2, 4, 3, 2, 3, 4)
        _, zT, sT, _ = encoder_forward(X, P_enc)
        with pytest.raises(ValueError, match=r"T_out must be a positive number of steps"):
            greedy_decode(zT, sT, P_dec, T_out)

    def test_inputs_not_modified(self):
        """Training's forward and backward leave X, Y and both parameter dicts unchanged."""
        X, Y, P_enc, P_dec = make_case(2, 4, 3, 2, 3, 4, attention="additive")
        before = [a.copy() for a in (X, Y, *P_enc.values(), *P_dec.values())]
        seq2seq_loss(X, Y, P_enc, P_dec, "additive")
        for b, a in zip(before, (X, Y, *P_enc.values(), *P_dec.values())):
            np.testing.assert_array_equal(a, b)
