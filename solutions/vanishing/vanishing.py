"""勾配消失 (vanishing gradients): why a plain RNN forgets, measured, and gradient clipping.

One sequence at a time, float64, numpy only. Lecture notation (f = tanh); x_t carries a
leading 1 for the bias, z_0 = 0:

    u_t = W_in x_t + W z_{t−1},   z_t = f(u_t)

スペクトル半径 (spectral radius) ρ(W) = max_i |λ_i(W)|: ‖W^k‖ → 0 when ρ(W) < 1 and grows
without bound when ρ(W) > 1 (the lecture's three 2×2 examples).

Going back in time, the error on the hidden state z_t (all paths: the output at t and every
later step through the recurrence) obeys

    ∂E/∂z_t = ∂E/∂z_t|direct + Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}),   ∂E/∂z_{T+1} = 0,

so ∂E/∂z_{T−k} carries the product of k Jacobians (diag(f′(u)) W)ᵀ: its norm shrinks (or
grows) geometrically in k. δ_t = ∂E/∂u_t = ∂E/∂z_t ⊙ f′(u_t) is the BPTT δ of the lecture.

打ち切り BPTT (truncated BPTT): the same recursion cut into chunks of k steps counted from t = 1,
no error crossing a chunk boundary (the state detached every k steps): an update every k steps
goes back k steps and keeps k states instead of T; with ρ(W) < 1 it loses little, since what it
drops has vanished anyway.

Gradient clipping by norm (勾配クリッピング): all gradients together are scaled down to the
norm θ when they are longer, as torch.nn.utils.clip_grad_norm_ does.
"""

import numpy as np


def spectral_radius(W):
    """スペクトル半径 ρ(W) = max_i |λ_i(W)|, the largest modulus of W's eigenvalues.

    W need not be symmetric: its eigenvalues may be negative or complex, |λ| = √(Re λ² + Im λ²).

    Parameters
    ----------
    W : (H, H)

    Returns
    -------
    rho : float
    """
    # Hint: np.linalg.eigvals (not eigvalsh: W is not symmetric), then the largest modulus np.abs.
    ### BEGIN SOLUTION
    return float(np.max(np.abs(np.linalg.eigvals(W))))
    ### END SOLUTION


def power_norms(W, K):
    """‖W^k‖₂ for k = 0, 1, …, K: how a vector is stretched by k steps of the recurrence.

    W⁰ = I (so the first entry is 1) and W^k = W W … W, the matrix power (not entry-wise);
    ‖A‖₂ is the spectral norm, the largest singular value, np.linalg.norm(A, 2).

    Parameters
    ----------
    W : (H, H)
    K : int ≥ 0  the largest power

    Returns
    -------
    norms : (K+1,)  entry k is ‖W^k‖₂
    """
    # Hint: keep a running product A (start with np.eye) and multiply by W once per k.
    ### BEGIN SOLUTION
    norms = np.zeros(K + 1)
    A = np.eye(W.shape[0])
    for k in range(K + 1):
        norms[k] = np.linalg.norm(A, 2)
        A = A @ W
    return norms
    ### END SOLUTION


def state_gradients(U, W, dZ):
    """∂E/∂z_t for t = T, …, 1 through every path, for the tanh RNN z_t = tanh(u_t).

    ∂E/∂z_T = dZ_T,
    ∂E/∂z_t = dZ_t + Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}),   f′(u) = 1 − tanh(u)²,
    where dZ_t = ∂E/∂z_t|direct is what z_t receives from its own output (e.g.
    W̃_outᵀ (ŷ_t − y_t)); in a many-to-one network only dZ_T is nonzero.

    Parameters
    ----------
    U : (T, H)  row t−1 is u_t = W_in x_t + W z_{t−1}
    W : (H, H)  recurrent weights
    dZ : (T, H)  row t−1 is ∂E/∂z_t|direct

    Returns
    -------
    G : (T, H)  row t−1 is ∂E/∂z_t (direct + through z_{t+1}, z_{t+2}, …)
    """
    # Hint: go backwards carrying ∂E/∂z_{t+1}; f′ is taken at u_{t+1}, the step z_t feeds into.
    ### BEGIN SOLUTION
    T, H = U.shape
    G = np.zeros((T, H))
    back = np.zeros(H)  # Wᵀ δ_{t+1}, zero after the last step
    for t in range(T - 1, -1, -1):
        G[t] = dZ[t] + back
        # forward was: z_t = tanh(u_t), u_t = W_in x_t + W z_{t−1}
        delta = G[t] * (1.0 - np.tanh(U[t]) ** 2)  # δ_t = ∂E/∂u_t
        back = W.T @ delta
    return G
    ### END SOLUTION


def truncated_state_gradients(U, W, dZ, k):
    """打ち切り BPTT (truncated BPTT): ∂E/∂z_t with the recursion cut every k steps.

    BPTT is slow because every update goes back from t = T all the way to t = 1 (seed 000,
    "RNNの学習法": 時刻 t_0 に向かって逆伝搬を計算し始めるので学習に時間がかかる); seed 003
    (長期依存性の問題) cuts the data at some length (データをある程度の長さで打ち切ればいい).
    The sequence is cut into chunks of k steps counted from t = 1,

        t = 1 … k,   k+1 … 2k,   …,   ⌊(T−1)/k⌋ k + 1 … T   (the last chunk may be shorter),

    and no error crosses a chunk boundary: as if z_k, z_{2k}, … were detached (a constant to
    the backward pass) where they enter the next step. The forward pass is unchanged.

    ∂E/∂z_t = dZ_t                                     when t is a multiple of k, or t = T,
    ∂E/∂z_t = dZ_t + Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1})    otherwise,   f′(u) = 1 − tanh(u)².

    k ≥ T gives state_gradients' full BPTT; k = 1 no recursion at all (G = dZ). The same as
    rnnref.rnn.rnn_backward(…, truncate=k).dZ_total.

    Parameters
    ----------
    U : (T, H)  row t−1 is u_t = W_in x_t + W z_{t−1}
    W : (H, H)  recurrent weights
    dZ : (T, H)  row t−1 is ∂E/∂z_t|direct
    k : int ≥ 1  the chunk length

    Returns
    -------
    G : (T, H)  row t−1 is the truncated ∂E/∂z_t (direct + through the later steps of its chunk)
    """
    # Hint: state_gradients' loop, but Wᵀ δ_{t+1} is not added when t (counted from 1) is a multiple of k.
    ### BEGIN SOLUTION
    T, H = U.shape
    G = np.zeros((T, H))
    back = np.zeros(H)  # Wᵀ δ_{t+1}, zero after the last step
    for t in range(T - 1, -1, -1):  # row t is step t+1
        # the chunk ends at step t+1 when k divides it: z_{t+1} was detached, nothing comes back
        G[t] = dZ[t] + (0.0 if (t + 1) % k == 0 else back)
        # forward was: z_t = tanh(u_t), u_t = W_in x_t + W z_{t−1}
        delta = G[t] * (1.0 - np.tanh(U[t]) ** 2)  # δ_t = ∂E/∂u_t
        back = W.T @ delta
    return G
    ### END SOLUTION


def grad_norms_over_time(G):
    """‖∂E/∂z_t‖ for t = 1 … T: the Euclidean norm of each row of G.

    Parameters
    ----------
    G : (T, H)  row t−1 is ∂E/∂z_t

    Returns
    -------
    norms : (T,)  entry t−1 is ‖∂E/∂z_t‖ = √(Σ_j (∂E/∂z_tj)²)
    """
    # Hint: one call: np.linalg.norm with the axis of the hidden units.
    ### BEGIN SOLUTION
    return np.linalg.norm(G, axis=1)
    ### END SOLUTION


def clip_grad_norm(grads, max_norm):
    """勾配クリッピング (gradient clipping by norm), as torch.nn.utils.clip_grad_norm_.

    ‖g‖ = √(Σ_W ‖∂E/∂W‖²) over every array of the dict together, then every gradient is
    multiplied by the same c = min(1, θ / (‖g‖ + 10⁻⁶)): unchanged when ‖g‖ ≤ θ, scaled to
    the norm θ (up to the 10⁻⁶) otherwise. The direction of g is kept.

    Parameters
    ----------
    grads : dict  name -> gradient array, e.g. "W_in" (H, d+1), "W" (H, H), "W_out" (m, H+1)
    max_norm : float  θ > 0

    Returns
    -------
    clipped : dict  the same keys and shapes, new arrays (grads is left unchanged)
    norm : float  ‖g‖ before clipping
    """
    # Hint: one norm over all arrays together, one factor c for all; build new arrays (no *=).
    ### BEGIN SOLUTION
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    c = min(1.0, max_norm / (norm + 1e-6))
    return {k: g * c for k, g in grads.items()}, norm
    ### END SOLUTION
