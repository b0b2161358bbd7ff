"""esn's typical mistakes: each, written as a student would, loses points and is named (en and ja).

The wrong functions are written from the reference solution, independently of the variants in
autograder/known_mistakes/esn.py.
"""

import numpy as np

from autograder.known_mistakes.esn import MISTAKES

from .known_harness import KnownMistakesContract, load_solution, run_function

A = "esn"
sol = load_solution(A)


def _scale_svd(W, rho):
    return W * rho / np.linalg.svd(W, compute_uv=False)[0]


def _scale_max_eig(W, rho):
    return W * rho / max(np.linalg.eigvals(W).real)


def _scale_complex(W, rho):
    return W * rho / np.max(np.linalg.eigvals(W))


def _scale_max_entry(W, rho):
    return rho * W / abs(W).max()


def _step_swapped(x, z_prev, W_in, W, a):
    return a * z_prev + (1 - a) * np.tanh(W_in @ x + W @ z_prev)


def _step_plain(x, z_prev, W_in, W, a):
    return np.tanh(W_in @ x + W @ z_prev)


def _step_inside(x, z_prev, W_in, W, a):
    return np.tanh((1 - a) * z_prev + a * (W_in @ x + W @ z_prev))


def _step_row_vector(x, z_prev, W_in, W, a):
    return (1 - a) * z_prev + a * np.tanh(x @ W_in.T + z_prev @ W)


def _states_with(step, carry=True, shift=False):
    def reservoir_states(X, W_in, W, a):
        Z = []
        z = np.zeros(W.shape[0])
        for x in X:
            new = step(x, z if carry else np.zeros_like(z), W_in, W, a)
            Z.append(z if shift else new)
            z = new
        return np.array(Z)

    return reservoir_states


def _ridge_all_steps(Z, Y, beta, washout):
    return sol.ridge_readout(Z, Y, beta, 0)


def _ridge_sklearn_intercept(Z, Y, beta, washout):
    Phi = np.column_stack([np.ones(len(Z) - washout), Z[washout:]])
    Yw = Y[washout:]
    # what Ridge(alpha=beta, fit_intercept=True) computes: centre, solve without the bias, then the intercept
    mu_z, mu_y = Phi[:, 1:].mean(0), Yw.mean(0)
    Zc, Yc = Phi[:, 1:] - mu_z, Yw - mu_y
    coef = np.linalg.solve(Zc.T @ Zc + beta * np.eye(Zc.shape[1]), Zc.T @ Yc).T
    return np.column_stack([mu_y - coef @ mu_z, coef])


def _ridge_transposed(Z, Y, beta, washout):
    return sol.ridge_readout(Z, Y, beta, washout).T


def _generate_update_first(z, W_in, W, W_out, a, K):
    out = []
    y = W_out @ np.r_[1.0, z]
    for _ in range(K):
        z = sol.reservoir_step(np.r_[1.0, y], z, W_in, W, a)
        y = W_out @ np.r_[1.0, z]
        out.append(y)
    return np.array(out)


def _generate_plain(z, W_in, W, W_out, a, K):
    out = [W_out @ np.r_[1.0, z]]
    for _ in range(K - 1):
        z = np.tanh(W_in @ np.r_[1.0, out[-1]] + W @ z)
        out.append(W_out @ np.r_[1.0, z])
    return np.array(out)


def _generate_bias_last(z, W_in, W, W_out, a, K):
    out = [W_out @ np.r_[1.0, z]]
    for _ in range(K - 1):
        z = sol.reservoir_step(np.r_[out[-1], 1.0], z, W_in, W, a)
        out.append(W_out @ np.r_[1.0, z])
    return np.array(out)


#: (function, mistake) -> what a student with that mistake hands in
WRONG = {
    ("scale_to_spectral_radius", "spectral_norm"): _scale_svd,
    ("scale_to_spectral_radius", "largest_real_eigenvalue"): _scale_max_eig,
    ("scale_to_spectral_radius", "largest_entry"): _scale_max_entry,
    ("scale_to_spectral_radius", "complex_eigenvalue"): _scale_complex,
    ("reservoir_step", "leak_swapped"): _step_swapped,
    ("reservoir_step", "no_leak"): _step_plain,
    ("reservoir_step", "leak_inside_tanh"): _step_inside,
    ("reservoir_step", "W_transposed"): _step_row_vector,
    ("reservoir_states", "state_not_carried"): _states_with(sol.reservoir_step, carry=False),
    ("reservoir_states", "rows_shifted"): _states_with(sol.reservoir_step, shift=True),
    ("reservoir_states", "leak_swapped"): _states_with(_step_swapped),
    ("reservoir_states", "no_leak"): _states_with(_step_plain),
    ("ridge_readout", "washout_ignored"): _ridge_all_steps,
    ("ridge_readout", "bias_not_penalised"): _ridge_sklearn_intercept,
    ("ridge_readout", "transposed"): _ridge_transposed,
    ("generate", "first_prediction_skipped"): _generate_update_first,
    ("generate", "no_leak"): _generate_plain,
    ("generate", "bias_last"): _generate_bias_last,
    ("nrmse", "not_centred"): lambda Yhat, Y: float(np.sqrt(((Yhat - Y) ** 2).sum() / (Y ** 2).sum())),
    ("nrmse", "no_sqrt"): lambda Yhat, Y: float(((Yhat - Y) ** 2).sum() / ((Y - Y.mean(0)) ** 2).sum()),
    ("nrmse", "overall_mean"): lambda Yhat, Y: float(np.sqrt(((Yhat - Y) ** 2).sum() / ((Y - Y.mean()) ** 2).sum())),
    ("nrmse", "prediction_spread"):
        lambda Yhat, Y: float(np.sqrt(((Yhat - Y) ** 2).sum() / ((Yhat - Yhat.mean(0)) ** 2).sum())),
}


class TestKnownMistakes(KnownMistakesContract):
    A, MISTAKES, WRONG = A, MISTAKES, WRONG
    WITHOUT_MISTAKES = {"forecast"}  # judged on its NRMSE (TestForecastThreshold)

    def test_sklearn_ridge_without_intercept_passes(self):
        """sklearn's Ridge(fit_intercept=False) on Φ = [1 Z] is the readout: every case passes."""
        from sklearn.linear_model import Ridge

        def ridge_readout(Z, Y, beta, washout):
            Phi = np.column_stack([np.ones(len(Z) - washout), Z[washout:]])
            return Ridge(alpha=beta, fit_intercept=False, solver="cholesky").fit(Phi, Y[washout:]).coef_

        assert all(r.passed for r in run_function(A, "ridge_readout", ridge_readout))

    def test_scale_in_place_is_a_mutation(self):
        """Rescaling the caller's W in place (W *= c) fails as a modified input."""

        def scale_to_spectral_radius(W, rho):
            W *= rho / np.abs(np.linalg.eigvals(W)).max()
            return W

        results = run_function(A, "scale_to_spectral_radius", scale_to_spectral_radius)
        assert results and all(not r.passed and "modified in place" in r.output for r in results)


class TestForecastThreshold:
    def test_poor_forecast_fails_with_its_own_value(self):
        """A forecast that always predicts the last known value fails the NRMSE bar, in en and ja; the value
        is shown for the visible case only."""

        def forecast(s, K):
            return np.full(K, s[-1])

        for lang, bar, own in (("en", "is too high, expected at most 0.1", " (got "),
                               ("ja", "が大きすぎます（期待: 0.1 以下", "、実際: ")):
            results = run_function(A, "forecast", forecast, lang)
            assert {r.visible for r in results} == {True, False}
            assert all(not r.passed and bar in r.output and (own in r.output) == r.visible for r in results), \
                [r.output for r in results]

    def test_wrong_shape_is_reported_before_the_error(self):
        """A (K, 1) forecast fails as a shape, naming (K,)."""
        results = run_function(A, "forecast", lambda s, K: sol.forecast(s, K)[:, None])
        assert results and all("wrong shape, expected (100,)" in r.output for r in results)
