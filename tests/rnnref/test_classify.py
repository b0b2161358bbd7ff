"""rnnref.classify against PyTorch: the many-to-one network written in torch ops with autograd, trained by
torch.optim.Adam on the same mini-batches; sklearn's digits and confusion matrix for the data helpers."""

import numpy as np
import pytest

from rnnref import init_params
from rnnref.classify import accuracy, confusion_matrix, digits_sequences, mean_loss_and_grads, train_many_to_one

#: (N, T, d, H, m): N, T, d+1, H, H+1 and m all differ, then T = 1, N = 1, H = 1
SHAPES = [
    pytest.param(5, 6, 3, 4, 7, id="N5-T6-d3-H4-m7"),
    pytest.param(5, 1, 3, 4, 7, id="T1"),
    pytest.param(1, 6, 3, 4, 7, id="N1"),
    pytest.param(5, 6, 3, 1, 7, id="H1"),
]


def make_data(N, T, d, m, seed=0):
    """(N, T, d+1) inputs with the bias column first and (N, m) one-hot targets."""
    rng = np.random.default_rng([seed, 30])
    X = np.ones((N, T, d + 1))
    X[..., 1:] = rng.standard_normal((N, T, d))
    return X, np.eye(m)[rng.integers(0, m, N)]


def torch_model(torch, P):
    leaves = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in P.items()}

    def forward(X):
        x = torch.from_numpy(X)
        z = torch.zeros(X.shape[0], P["W"].shape[0], dtype=torch.float64)
        for t in range(X.shape[1]):
            z = torch.tanh(x[:, t] @ leaves["W_in"].T + z @ leaves["W"].T)
        return z @ leaves["W_out"][:, 1:].T + leaves["W_out"][:, 0]

    return leaves, forward


def torch_mean_loss(torch, forward, X, Y):
    """Mean cross-entropy −(1/N) Σ_n log softmax(v_n)[class of n], as torch.nn.functional.cross_entropy."""
    return torch.nn.functional.cross_entropy(forward(X), torch.from_numpy(np.argmax(Y, axis=1)))


class TestMeanLossAndGradsTorchOracle:
    @pytest.mark.parametrize("N,T,d,H,m", SHAPES)
    def test_loss_and_grads_match_autograd(self, torch, oracle_close, N, T, d, H, m):
        """E and every gradient equal torch's cross_entropy (mean reduction) and its autograd gradients."""
        P = init_params(d, H, m, seed=1, scale=0.8)
        X, Y = make_data(N, T, d, m)
        E, grads, Yhat = mean_loss_and_grads(X, Y, P)
        leaves, forward = torch_model(torch, P)
        loss = torch_mean_loss(torch, forward, X, Y)
        loss.backward()
        assert E == pytest.approx(loss.item(), rel=1e-12)
        for k in P:
            oracle_close(grads[k], leaves[k].grad.numpy(), f"d{k}")
        oracle_close(Yhat, torch.softmax(forward(X), dim=1).detach().numpy(), "Yhat")


class TestTrainTorchOracle:
    @pytest.mark.parametrize("batch_size", [4, 11, 40], ids=["uneven-batches", "one-short-batch", "full-batch"])
    def test_matches_torch_adam_on_the_same_batches(self, torch, oracle_close, batch_size):
        """Parameters and history equal torch.optim.Adam on the contract's permutations, batch by batch."""
        N, T, d, H, m = 11, 5, 3, 6, 4
        P = init_params(d, H, m, seed=2)
        X, Y = make_data(N, T, d, m, seed=3)
        kw = {"lr": 0.02, "beta1": 0.85, "beta2": 0.99, "eps": 1e-7}
        trained, history = train_many_to_one(X, Y, P, epochs=3, batch_size=batch_size, seed=7, **kw)

        leaves, forward = torch_model(torch, P)
        opt = torch.optim.Adam(leaves.values(), lr=kw["lr"], betas=(kw["beta1"], kw["beta2"]), eps=kw["eps"])
        rng = np.random.default_rng(7)
        losses, accs = [], []
        for _ in range(3):
            perm = rng.permutation(N)
            total = 0.0
            for i in range(0, N, batch_size):
                idx = perm[i : i + batch_size]
                opt.zero_grad()
                loss = torch_mean_loss(torch, forward, X[idx], Y[idx])
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            losses.append(total / N)
            with torch.no_grad():
                accs.append(float(np.mean(forward(X).numpy().argmax(1) == Y.argmax(1))))
        for k in P:
            np.testing.assert_allclose(trained[k], leaves[k].detach().numpy(), rtol=1e-9, atol=1e-11, err_msg=k)
        np.testing.assert_allclose(history["loss"], losses, rtol=1e-10)
        np.testing.assert_array_equal(history["acc"], accs)

    def test_inputs_are_not_modified(self):
        """The caller's parameters and data are left unchanged."""
        P = init_params(2, 3, 4, seed=4)
        X, Y = make_data(6, 3, 2, 4)
        before = {k: v.copy() for k, v in P.items()}
        train_many_to_one(X, Y, P, epochs=2, batch_size=4, lr=0.1, seed=0)
        assert all(np.array_equal(before[k], P[k]) for k in P)

    def test_learns_the_digits(self):
        """32 hidden units, 10 epochs of batches of 32 on 1200 digits: over 90 % of the other 597 right."""
        X, Y, _ = digits_sequences()
        perm = np.random.default_rng(0).permutation(len(X))
        tr, te = perm[:1200], perm[1200:]
        P, history = train_many_to_one(X[tr], Y[tr], init_params(8, 32, 10, seed=0), epochs=10, batch_size=32,
                                       lr=0.01, seed=1)
        Yhat = mean_loss_and_grads(X[te], Y[te], P)[2]
        assert accuracy(Yhat, Y[te]) > 0.9
        assert history["loss"][-1] < 0.5 * history["loss"][0] and history["acc"][-1] > 0.9


class TestDataHelpers:
    def test_digits_as_row_sequences(self):
        """1797 images of 8 rows, bias column of ones, pixels in [0, 1]; row t of image n is X[n, t, 1:]."""
        from sklearn.datasets import load_digits

        X, Y, labels = digits_sequences()
        digits = load_digits()
        assert X.shape == (1797, 8, 9) and Y.shape == (1797, 10) and X.dtype == np.float64
        np.testing.assert_array_equal(X[..., 0], 1.0)
        np.testing.assert_array_equal(X[..., 1:] * 16.0, digits.images)
        np.testing.assert_array_equal(Y.argmax(1), labels)
        np.testing.assert_array_equal(labels, digits.target)

    def test_accuracy(self):
        """The fraction of rows whose argmax is the target class."""
        Yhat = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
        Y = np.eye(3)[[1, 1, 2, 0]]
        assert accuracy(Yhat, Y) == 0.5

    def test_confusion_matrix_matches_sklearn(self):
        """C[i, j] counts class i predicted as j, as sklearn.metrics.confusion_matrix."""
        from sklearn.metrics import confusion_matrix as sk_confusion

        rng = np.random.default_rng(5)
        true, pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
        np.testing.assert_array_equal(confusion_matrix(true, pred, 4), sk_confusion(true, pred, labels=range(4)))
