"""エコー状態ネットワーク (ESN, echo state network): a fixed random reservoir and a trained readout.

One sequence at a time, float64, numpy and scipy. Lecture notation: x_t carries a leading 1
for the bias, so X is (T, d+1) with a first column of ones; the reservoir (リザバー) state is
z_t, z_0 = 0; a ∈ (0, 1] is the leak rate (漏れ率):

    z_t = (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1})     (a = 1: the lecture's Elman RNN)
    ŷ_t = W_out [1; z_t]                                       the readout, column 0 the bias

W_in and W are random and are never trained; W is rescaled to a chosen spectral radius
ρ(W) = max_i |λ_i(W)|. Only W_out is fitted, by ridge regression (リッジ回帰) over the steps
after a washout (the first steps still remember z_0):

    Φ = rows [1; z_t]ᵀ, t > washout  (n, H+1),   Ytr = rows y_tᵀ, t > washout  (n, m)
    W_outᵀ = (ΦᵀΦ + β I)⁻¹ Φᵀ Ytr                (β penalises every column of W_out, the bias too)

The ESN literature writes u(n) for the input and x(n) for the state: here they are x_t and z_t.
"""

import numpy as np
import scipy.linalg


def scale_to_spectral_radius(W, rho):
    """W を定数倍して、スペクトル半径をちょうど ρ にする: W · ρ / ρ(W).

    ρ(W) = max_i |λ_i(W)| is the largest modulus of W's eigenvalues (W need not be symmetric:
    its eigenvalues may be negative or complex).

    Parameters
    ----------
    W : (H, H)
    rho : float > 0  the spectral radius wanted

    Returns
    -------
    W_scaled : (H, H)  a new array with ρ(W_scaled) = rho; W is left unchanged
    """
    # Hint: np.linalg.eigvals (W is not symmetric), the largest np.abs, then one multiplication.
    ### BEGIN SOLUTION
    radius = np.max(np.abs(np.linalg.eigvals(W)))
    return W * (rho / radius)
    ### END SOLUTION


def reservoir_step(x, z_prev, W_in, W, a):
    """リザバーの 1 時刻分の更新 (one leaky update of the reservoir).

    z_t = (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1})

    Parameters
    ----------
    x : (d+1,)  x_t, first entry 1 (the bias)
    z_prev : (H,)  z_{t−1}
    W_in : (H, d+1)  input weights, column 0 is the bias
    W : (H, H)  reservoir (recurrent) weights
    a : float  leak rate, 0 < a ≤ 1

    Returns
    -------
    z : (H,)  z_t
    """
    # Hint: the old state keeps the share 1 − a, the new tanh(…) gets the share a.
    ### BEGIN SOLUTION
    return (1.0 - a) * z_prev + a * np.tanh(W_in @ x + W @ z_prev)
    ### END SOLUTION


def reservoir_states(X, W_in, W, a):
    """系列全体のリザバー状態 (the reservoir states of a whole input sequence), z_0 = 0.

    For t = 1 … T: z_t = reservoir_step(x_t, z_{t−1}).

    Parameters
    ----------
    X : (T, d+1)  rows x_1 … x_T, first column ones
    W_in : (H, d+1), W : (H, H), a : float

    Returns
    -------
    Z : (T, H)  row t−1 is z_t (z_0 not included)
    """
    # Hint: start from np.zeros(H) and call reservoir_step once per row of X, keeping the state.
    ### BEGIN SOLUTION
    T, H = X.shape[0], W.shape[0]
    Z = np.zeros((T, H))
    z = np.zeros(H)  # z_0
    for t in range(T):
        z = reservoir_step(X[t], z, W_in, W, a)
        Z[t] = z
    return Z
    ### END SOLUTION


def ridge_readout(Z, Y, beta, washout):
    """リッジ回帰による読み出し層の学習 (the readout W_out by ridge regression).

    With Φ the rows [1; z_t]ᵀ and Ytr the rows y_tᵀ of the steps t > washout (the first
    ``washout`` rows of Z and Y are left out):

        W_outᵀ = (ΦᵀΦ + β I)⁻¹ Φᵀ Ytr,   I the (H+1) × (H+1) identity,

    solved as a linear system (scipy.linalg.solve), never through an explicit inverse.

    Parameters
    ----------
    Z : (T, H)  row t−1 is z_t
    Y : (T, m)  row t−1 is the target y_t
    beta : float > 0  β, the ridge (L2) penalty
    washout : int, 0 ≤ washout < T  the number of first steps to leave out

    Returns
    -------
    W_out : (m, H+1)  column 0 is the bias
    """
    # Hint: Φ = [1 Z] without the first washout rows; solve (ΦᵀΦ + βI) A = ΦᵀY and transpose A.
    ### BEGIN SOLUTION
    Zw, Yw = Z[washout:], Y[washout:]
    Phi = np.hstack([np.ones((Zw.shape[0], 1)), Zw])
    A = Phi.T @ Phi + beta * np.eye(Phi.shape[1])
    return scipy.linalg.solve(A, Phi.T @ Yw, assume_a="pos").T
    ### END SOLUTION


def generate(z, W_in, W, W_out, a, K):
    """自律生成 (free-running, closed-loop prediction): each output is the next input.

    ŷ_1 = W_out [1; z];  for k = 2 … K:
        z ← (1 − a) z + a tanh(W_in [1; ŷ_{k−1}] + W z),   ŷ_k = W_out [1; z].
    The input of the reservoir is its own last output, so d = m.

    Parameters
    ----------
    z : (H,)  the state after the last known input
    W_in : (H, m+1), W : (H, H), W_out : (m, H+1), a : float
    K : int ≥ 1  the number of predictions

    Returns
    -------
    Yhat : (K, m)  row k−1 is ŷ_k
    """
    # Hint: read out first, then feed [1; ŷ] back through reservoir_step for the next prediction.
    ### BEGIN SOLUTION
    m = W_out.shape[0]
    Yhat = np.zeros((K, m))
    for k in range(K):
        if k > 0:
            z = reservoir_step(np.concatenate([[1.0], Yhat[k - 1]]), z, W_in, W, a)
        Yhat[k] = W_out @ np.concatenate([[1.0], z])
    return Yhat
    ### END SOLUTION


def nrmse(Yhat, Y):
    """正規化平均二乗誤差平方根 (normalised root-mean-square error, NRMSE).

    NRMSE = √( Σ_t ‖ŷ_t − y_t‖² / Σ_t ‖y_t − ȳ‖² ),   ȳ = (1/T) Σ_t y_t,

    0 for a perfect prediction, 1 for always predicting the mean ȳ.

    Parameters
    ----------
    Yhat, Y : (T, m)  predictions and targets, one row per step (T ≥ 2)

    Returns
    -------
    e : float
    """
    # Hint: the denominator is the spread of the targets around their mean over time (axis 0).
    ### BEGIN SOLUTION
    return float(np.sqrt(np.sum((Yhat - Y) ** 2) / np.sum((Y - Y.mean(axis=0)) ** 2)))
    ### END SOLUTION


def random_reservoir(d, H, rho, input_scale, seed=0):
    """A random reservoir: W_in uniform in ±input_scale, W uniform in ±1 rescaled to spectral radius ρ.

    Returns
    -------
    W_in : (H, d+1),  W : (H, H)
    """
    rng = np.random.default_rng(seed)
    W_in = rng.uniform(-input_scale, input_scale, (H, d + 1))
    W = rng.uniform(-1.0, 1.0, (H, H))
    return W_in, scale_to_spectral_radius(W, rho)


def forecast(s, K):
    """時系列の予測 (forecasting a series): train an ESN on s, then predict its next K values.

    Teacher forcing (教師強制) on the known series: the input at step t is x_t = [1; s_t] and the
    target is y_t = s_{t+1}; after the ridge readout is fitted, the state that has read the last
    value s_T starts the free-running generation of ŝ_{T+1} … ŝ_{T+K}.

    Your choice of H, ρ, a, the input scale, β and the washout; graded on the NRMSE of the
    forecast against the true continuation (at most 0.1 for K = 100 steps of Mackey–Glass τ = 17,
    T = 2000 samples at unit time steps). It must run in about a second.

    Parameters
    ----------
    s : (T,)  the known series s_1 … s_T
    K : int  the number of steps to predict

    Returns
    -------
    s_next : (K,)  ŝ_{T+1} … ŝ_{T+K}
    """
    # Hint: X = [1 s], targets s_{t+1}; fit on Z[:-1] (the last state has no target), generate from Z[-1].
    ### BEGIN SOLUTION
    H, rho, a, input_scale, beta, washout = 200, 1.25, 0.3, 1.0, 1e-8, 100
    W_in, W = random_reservoir(1, H, rho, input_scale, seed=0)
    X = np.column_stack([np.ones(len(s)), s])  # x_t = [1; s_t]
    Z = reservoir_states(X, W_in, W, a)  # row t−1: z_t, the state that has read s_1 … s_t
    W_out = ridge_readout(Z[:-1], s[1:, None], beta, washout)  # ŷ_t = W_out [1; z_t] ≈ s_{t+1}
    return generate(Z[-1], W_in, W, W_out, a, K)[:, 0]
    ### END SOLUTION
