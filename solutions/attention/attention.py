"""Attention over the encoder's states: dot-product (Luong) and additive (Bahdanau) scores, forward, backward.

One pair of sequences at a time, float64, numpy only. The decoder's state at step t, h_t,
looks at all encoder states h̄_1 … h̄_T (in the seq2seq exercise h̄_s = z_s of the encoder and
h_t = z′_t of the decoder):

    e_ts = h_tᵀ h̄_s                          dot-product score (内積, Luong)
    e_ts = vᵀ tanh(W_a h_t + U_a h̄_s)          additive score (加法, Bahdanau)
    α_ts = exp(e_ts) / Σ_s' exp(e_ts')         attention weights, a softmax over s: Σ_s α_ts = 1
    c_t  = Σ_s α_ts h̄_s                        context vector (文脈ベクトル)

All T′ decoder steps are computed at once: the rows of Hdec (T′, H) are h_1 … h_T′, the rows
of Hbar (T, H) are h̄_1 … h̄_T, the scores form a (T′, T) matrix E (row t: e_t1 … e_tT), the
weights a (T′, T) matrix alpha, and the context vectors the rows of C (T′, H).
The additive score's parameters: P = {"W_a": (d_a, H), "U_a": (d_a, H), "v": (d_a,)}, no biases.

Channel attention (チャンネルごとの Attention, seed 003 "Attentionの応用": Squeeze-and-Excitation, SENet)
weighs the C channels (columns) of Hbar (T, C) instead of the positions, with the lecture's bias as
a leading 1 and a bottleneck of r < C units:

    s = (1/T) Σ_t h̄_t                          squeeze: the average over the positions t
    q = relu(W_1 [1; s]),  e = σ(W_2 [1; q])    excitation: one weight e_c in (0, 1) per channel
    y_t = e ⊙ h̄_t,  i.e. Y = H̄ diag(e)          rescale
"""

import numpy as np


def dot_attention_forward(Hdec, Hbar):
    """内積注意 (dot-product attention), forward: e_ts = h_tᵀ h̄_s, α_t = softmax_s(e_t), c_t = Σ_s α_ts h̄_s.

    Parameters
    ----------
    Hdec : (T′, H)  row t−1 is the decoder state h_t
    Hbar : (T, H)  row s−1 is the encoder state h̄_s

    Returns
    -------
    C : (T′, H)  row t−1 is the context vector c_t
    alpha : (T′, T)  alpha[t−1, s−1] = α_ts; every row sums to 1
    """
    # Hint: E = Hdec Hbarᵀ is (T′, T); softmax each ROW (over s, subtract the row's max first); C = alpha Hbar.
    ### BEGIN SOLUTION
    E = Hdec @ Hbar.T  # e_ts = h_tᵀ h̄_s
    E = np.exp(E - E.max(axis=1, keepdims=True))
    alpha = E / E.sum(axis=1, keepdims=True)
    C = alpha @ Hbar  # c_t = Σ_s α_ts h̄_s
    return C, alpha
    ### END SOLUTION


def dot_attention_backward(dC, Hdec, Hbar, alpha):
    """内積注意の逆伝播 (backward of dot-product attention): ∂E/∂h_t and ∂E/∂h̄_s from ∂E/∂c_t.

    ∂E/∂α_ts = dc_tᵀ h̄_s,
    ∂E/∂e_ts = α_ts (∂E/∂α_ts − Σ_s' α_ts' ∂E/∂α_ts')         (the softmax's Jacobian),
    ∂E/∂h_t = Σ_s ∂E/∂e_ts h̄_s,
    ∂E/∂h̄_s = Σ_t α_ts dc_t + Σ_t ∂E/∂e_ts h_t                 (h̄_s is both weighed and scored).

    Parameters
    ----------
    dC : (T′, H)  row t−1 is ∂E/∂c_t
    Hdec : (T′, H)  the decoder states h_t
    Hbar : (T, H)  the encoder states h̄_s
    alpha : (T′, T)  the weights α_ts of the forward pass

    Returns
    -------
    dHdec : (T′, H)  row t−1 is ∂E/∂h_t
    dHbar : (T, H)  row s−1 is ∂E/∂h̄_s
    """
    # Hint: dalpha = dC Hbarᵀ; dE = alpha ⊙ (dalpha − the row sums of alpha ⊙ dalpha); h̄_s gets two terms.
    ### BEGIN SOLUTION
    dalpha = dC @ Hbar.T  # forward was: c_t = Σ_s α_ts h̄_s
    dE = alpha * (dalpha - np.sum(alpha * dalpha, axis=1, keepdims=True))  # forward was: α_t = softmax(e_t)
    dHdec = dE @ Hbar  # forward was: e_ts = h_tᵀ h̄_s
    dHbar = alpha.T @ dC + dE.T @ Hdec
    return dHdec, dHbar
    ### END SOLUTION


def additive_attention_forward(Hdec, Hbar, P):
    """加法注意 (additive attention), forward: e_ts = vᵀ tanh(W_a h_t + U_a h̄_s), then α_t and c_t as for the dot score.

    Parameters
    ----------
    Hdec : (T′, H)  row t−1 is the decoder state h_t
    Hbar : (T, H)  row s−1 is the encoder state h̄_s
    P : dict  "W_a" (d_a, H), "U_a" (d_a, H), "v" (d_a,)

    Returns
    -------
    C : (T′, H)  row t−1 is the context vector c_t
    alpha : (T′, T)  the weights α_ts; every row sums to 1
    Q : (T′, T, d_a)  Q[t−1, s−1] = q_ts = tanh(W_a h_t + U_a h̄_s), for the backward pass
    """
    # Hint: Hdec W_aᵀ (T′, d_a) and Hbar U_aᵀ (T, d_a), added with broadcasting ([:, None] + [None]) to (T′, T, d_a).
    ### BEGIN SOLUTION
    Wh = Hdec @ P["W_a"].T  # row t−1: W_a h_t
    Uh = Hbar @ P["U_a"].T  # row s−1: U_a h̄_s
    Q = np.tanh(Wh[:, None, :] + Uh[None, :, :])
    E = Q @ P["v"]  # e_ts = vᵀ q_ts, (T′, T)
    E = np.exp(E - E.max(axis=1, keepdims=True))
    alpha = E / E.sum(axis=1, keepdims=True)
    return alpha @ Hbar, alpha, Q
    ### END SOLUTION


def additive_attention_backward(dC, Hdec, Hbar, P, alpha, Q):
    """加法注意の逆伝播 (backward of additive attention): the states' and the parameters' gradients.

    ∂E/∂e_ts as for the dot product (∂E/∂α_ts = dc_tᵀ h̄_s, then the softmax's Jacobian), then with
    ρ_ts = ∂E/∂e_ts · v ⊙ (1 − q_ts ⊙ q_ts)  (= ∂E/∂(W_a h_t + U_a h̄_s), (d_a,)):
        ∂E/∂v = Σ_t Σ_s ∂E/∂e_ts q_ts,
        ∂E/∂W_a = Σ_t Σ_s ρ_ts h_tᵀ,            ∂E/∂U_a = Σ_t Σ_s ρ_ts h̄_sᵀ,
        ∂E/∂h_t = W_aᵀ Σ_s ρ_ts,                 ∂E/∂h̄_s = Σ_t α_ts dc_t + U_aᵀ Σ_t ρ_ts.

    Parameters
    ----------
    dC : (T′, H)  row t−1 is ∂E/∂c_t
    Hdec : (T′, H)  the decoder states h_t
    Hbar : (T, H)  the encoder states h̄_s
    P : dict  "W_a" (d_a, H), "U_a" (d_a, H), "v" (d_a,)
    alpha : (T′, T)  the weights of the forward pass
    Q : (T′, T, d_a)  q_ts = tanh(W_a h_t + U_a h̄_s) of the forward pass

    Returns
    -------
    dHdec : (T′, H)  row t−1 is ∂E/∂h_t
    dHbar : (T, H)  row s−1 is ∂E/∂h̄_s
    grads : dict  "W_a" (d_a, H), "U_a" (d_a, H), "v" (d_a,)
    """
    # Hint: R = dE[:, :, None] * v * (1 − Q²) holds every ρ_ts; sum R over s for the h_t side, over t for h̄_s.
    ### BEGIN SOLUTION
    dalpha = dC @ Hbar.T  # forward was: c_t = Σ_s α_ts h̄_s
    dE = alpha * (dalpha - np.sum(alpha * dalpha, axis=1, keepdims=True))  # forward was: α_t = softmax(e_t)
    # forward was: e_ts = vᵀ q_ts,  q_ts = tanh(W_a h_t + U_a h̄_s)
    dv = np.einsum("ts,tsa->a", dE, Q)
    R = dE[:, :, None] * P["v"] * (1.0 - Q * Q)  # ρ_ts
    R_t, R_s = R.sum(axis=1), R.sum(axis=0)  # Σ_s ρ_ts (T′, d_a), Σ_t ρ_ts (T, d_a)
    grads = {"W_a": R_t.T @ Hdec, "U_a": R_s.T @ Hbar, "v": dv}
    dHdec = R_t @ P["W_a"]
    dHbar = alpha.T @ dC + R_s @ P["U_a"]
    return dHdec, dHbar, grads
    ### END SOLUTION


def se_forward(Hbar, W1, W2):
    """チャンネル注意 (channel attention, Squeeze-and-Excitation), forward: squeeze, excitation, rescale.

    s = (1/T) Σ_t h̄_t,   q = relu(W_1 [1; s]),   e = σ(W_2 [1; q]),   y_t = e ⊙ h̄_t  (Y[t, c] = e_c H̄[t, c]).

    Parameters
    ----------
    Hbar : (T, C)  row t−1 is h̄_t; column c is channel c
    W1 : (r, 1+C)  column 0 is the bias (it multiplies the leading 1 of [1; s])
    W2 : (C, 1+r)  column 0 is the bias (it multiplies the leading 1 of [1; q])

    Returns
    -------
    Y : (T, C)  row t−1 is y_t = e ⊙ h̄_t
    s : (C,)  the squeeze, the average of the rows of Hbar
    q : (r,)  relu(W_1 [1; s]), for the backward pass
    e : (C,)  the excitation, one weight in (0, 1) per channel
    """
    # Hint: s averages the ROWS (axis 0); [1; s] is np.concatenate(([1.0], s)); σ(a) = 1 / (1 + exp(−a)); Y = Hbar * e.
    ### BEGIN SOLUTION
    s = Hbar.mean(axis=0)  # squeeze over the positions t
    q = np.maximum(W1 @ np.concatenate(([1.0], s)), 0.0)
    e = 1.0 / (1.0 + np.exp(-(W2 @ np.concatenate(([1.0], q)))))
    return Hbar * e, s, q, e  # e broadcast over the rows: Y[t, c] = e_c H̄[t, c]
    ### END SOLUTION


def se_backward(dY, Hbar, W1, W2, s, q, e):
    """チャンネル注意の逆伝播 (backward of Squeeze-and-Excitation): ∂E/∂H̄, ∂E/∂W_1, ∂E/∂W_2 from ∂E/∂Y.

    With a_1 = W_1 [1; s], a_2 = W_2 [1; q] and W̃ = W[:, 1:] (the bias column sends nothing back):
    ∂E/∂e_c = Σ_t ∂E/∂y_tc h̄_tc,         ∂E/∂a_2 = ∂E/∂e ⊙ e ⊙ (1 − e),     ∂E/∂W_2 = ∂E/∂a_2 [1; q]ᵀ,
    ∂E/∂a_1 = (W̃_2ᵀ ∂E/∂a_2) ⊙ [q > 0],  ∂E/∂W_1 = ∂E/∂a_1 [1; s]ᵀ,        ∂E/∂s = W̃_1ᵀ ∂E/∂a_1,
    ∂E/∂h̄_t = e ⊙ ∂E/∂y_t + (1/T) ∂E/∂s    (h̄_t is both rescaled and averaged into s).

    Parameters
    ----------
    dY : (T, C)  row t−1 is ∂E/∂y_t
    Hbar : (T, C)  the states h̄_t
    W1 : (r, 1+C), W2 : (C, 1+r)  the excitation's weights, biases in column 0
    s : (C,), q : (r,), e : (C,)  the squeeze, hidden layer and excitation of the forward pass

    Returns
    -------
    dHbar : (T, C)  row t−1 is ∂E/∂h̄_t
    dW1 : (r, 1+C)
    dW2 : (C, 1+r)
    """
    # Hint: de = column sums of dY ⊙ Hbar; use W[:, 1:] to go back through W_1 and W_2; every row of dHbar gets ds / T.
    ### BEGIN SOLUTION
    de = np.sum(dY * Hbar, axis=0)  # forward was: y_t = e ⊙ h̄_t
    da2 = de * e * (1.0 - e)  # forward was: e = σ(a_2)
    dW2 = np.outer(da2, np.concatenate(([1.0], q)))  # forward was: a_2 = W_2 [1; q]
    da1 = (W2[:, 1:].T @ da2) * (q > 0)  # forward was: q = relu(a_1)
    dW1 = np.outer(da1, np.concatenate(([1.0], s)))  # forward was: a_1 = W_1 [1; s]
    ds = W1[:, 1:].T @ da1
    dHbar = dY * e + ds / Hbar.shape[0]  # forward was: s = (1/T) Σ_t h̄_t, and y_t = e ⊙ h̄_t
    return dHbar, dW1, dW2
    ### END SOLUTION
