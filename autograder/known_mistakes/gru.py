"""The typical mistakes of the gru exercise (see autograder/mistakes.py for how they are matched)."""

from __future__ import annotations

import numpy as np

from ..mistakes import Mistake


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _gru_step(swap_z=False, reset_after=False):
    def gru_step(x, h_prev, P):
        z = _sigmoid(P["W_Z_in"] @ x + P["W_Z"] @ h_prev)
        r = _sigmoid(P["W_R_in"] @ x + P["W_R"] @ h_prev)
        if reset_after:
            c = np.tanh(P["W_in"] @ x + r * (P["W"] @ h_prev))
        else:
            c = np.tanh(P["W_in"] @ x + P["W"] @ (r * h_prev))
        h = z * h_prev + (1.0 - z) * c if swap_z else (1.0 - z) * h_prev + z * c
        return h, {"x": x, "h_prev": h_prev, "z": z, "r": r, "c": c}

    return gru_step


def _gru_forward(step):
    def gru_forward(X, P):
        T, H = X.shape[0], P["W"].shape[0]
        Hs = np.zeros((T, H))
        h = np.zeros(H)
        caches = []
        for t in range(T):
            h, cache = step(X[t], h, P)
            Hs[t] = h
            caches.append(cache)
        return Hs, caches

    return gru_forward


def _gru_backward(one_minus_z=True, reset_path=True, gate_paths=True):
    def gru_backward(dH, caches, P):
        keys = ("W_in", "W", "W_Z_in", "W_Z", "W_R_in", "W_R")
        grads = {k: np.zeros_like(P[k], dtype=float) for k in keys}
        H = P["W"].shape[0]
        dh_next = np.zeros(H)
        for t in range(len(caches) - 1, -1, -1):
            x, h_prev, z, r, c = (caches[t][k] for k in ("x", "h_prev", "z", "r", "c"))
            e = dH[t] + dh_next
            dc_pre = e * z * (1.0 - c * c)
            drh = P["W"].T @ dc_pre
            dz_pre = e * (c - h_prev) * z * (1.0 - z)
            dr_pre = drh * h_prev * r * (1.0 - r)
            grads["W_in"] += np.outer(dc_pre, x)
            grads["W"] += np.outer(dc_pre, r * h_prev)
            grads["W_Z_in"] += np.outer(dz_pre, x)
            grads["W_Z"] += np.outer(dz_pre, h_prev)
            grads["W_R_in"] += np.outer(dr_pre, x)
            grads["W_R"] += np.outer(dr_pre, h_prev)
            dh_next = np.zeros(H)
            if one_minus_z:
                dh_next += e * (1.0 - z)
            if reset_path:
                dh_next += drh * r
            if gate_paths:
                dh_next += P["W_Z"].T @ dz_pre + P["W_R"].T @ dr_pre
        return grads

    return gru_backward


_GRU_STEP = (
    ("z_swapped",
     "Did you swap z and 1 − z? In the lecture's GRU h = (1 − z)⊙h_prev + z⊙h̃: z weighs the new candidate "
     "(PyTorch's nn.GRU has them the other way round).",
     "z と 1 − z を取り違えていませんか？講義の GRU では h = (1 − z)⊙h_prev + z⊙h̃ で、"
     "z が新しい候補 h̃ に掛かります（PyTorch の nn.GRU とは逆です）。",
     _gru_step(swap_z=True)),
    ("reset_after_product",
     "Did you apply the reset gate after the product with W (PyTorch's convention)? The lecture's GRU resets "
     "h_prev first: h̃ = tanh(W_in x + W (r⊙h_prev)).",
     "PyTorch の流儀のように、リセットゲートを W との積の後に掛けていませんか？講義の GRU では先に h_prev に掛けます："
     "h̃ = tanh(W_in x + W (r⊙h_prev))。",
     _gru_step(reset_after=True)),
    # both at once, after the single mistakes: where h_prev = 0 (T = 1, the first step) or H = 1 the reset's place
    # makes no difference and z_swapped, the simpler explanation, is named
    ("pytorch_convention",
     "Did you write PyTorch's nn.GRU? It differs from the lecture's GRU twice: there z weighs the old state, "
     "h = (1 − z)⊙h̃ + z⊙h_prev, and the reset gate multiplies after the product, h̃ = tanh(W_in x + r⊙(W h_prev)). "
     "The lecture's: h = (1 − z)⊙h_prev + z⊙h̃ (z weighs the new candidate h̃) and h̃ = tanh(W_in x + W (r⊙h_prev)) "
     "(r multiplies h_prev before the product with W).",
     "PyTorch の nn.GRU の式で書いていませんか？講義の GRU とは二点違います。nn.GRU では z が前の状態に掛かり "
     "h = (1 − z)⊙h̃ + z⊙h_prev、リセットゲートは W との積の後に掛かり h̃ = tanh(W_in x + r⊙(W h_prev)) です。"
     "講義では h = (1 − z)⊙h_prev + z⊙h̃（z は新しい候補 h̃ に掛かる）、h̃ = tanh(W_in x + W (r⊙h_prev))"
     "（r は W との積の前に h_prev に掛ける）です。",
     _gru_step(swap_z=True, reset_after=True)),
)

MISTAKES = {
    "gru_step": tuple(Mistake(n, en, ja, v, outputs=("h",)) for n, en, ja, v in _GRU_STEP),
    "gru_forward": tuple(Mistake(n, en, ja, _gru_forward(v), outputs=("Hs",)) for n, en, ja, v in _GRU_STEP),
    "gru_backward": (
        Mistake("one_minus_z_path_dropped",
                "Did you drop the direct path (1 − z_t)⊙δh_t? h_t = (1 − z_t)⊙h_{t−1} + z_t⊙h̃_t sends "
                "e_t ⊙ (1 − z_t) straight back to h_{t−1}.",
                "直接の経路 (1 − z_t)⊙δh_t を落としていませんか？h_t = (1 − z_t)⊙h_{t−1} + z_t⊙h̃_t なので、"
                "e_t ⊙ (1 − z_t) がそのまま h_{t−1} に伝わります。",
                _gru_backward(one_minus_z=False)),
        Mistake("reset_path_dropped",
                "Did you drop the path through r_t⊙h_{t−1} inside h̃_t? It sends (Wᵀ δ̃_t) ⊙ r_t back to h_{t−1}.",
                "h̃_t の中の r_t⊙h_{t−1} を通る経路を落としていませんか？h_{t−1} には (Wᵀ δ̃_t) ⊙ r_t が伝わります。",
                _gru_backward(reset_path=False)),
        Mistake("gate_paths_dropped",
                "Did you drop the paths through the gates? h_{t−1} also gets W_Zᵀ δ^z_t + W_Rᵀ δ^r_t.",
                "ゲートを通る経路を落としていませんか？h_{t−1} には W_Zᵀ δ^z_t + W_Rᵀ δ^r_t も伝わります。",
                _gru_backward(gate_paths=False)),
    ),
}
