"""The typical mistakes of the lstm exercise (see autograder/mistakes.py for how they are matched)."""

from __future__ import annotations

import numpy as np

from ..mistakes import Mistake


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _lstm_step(swap=False, out=lambda gO, s, s_prev: gO * np.tanh(s)):
    def lstm_step(x, z_prev, s_prev, P):
        if swap:
            P = dict(P, W_F_in=P["W_I_in"], W_F=P["W_I"], W_I_in=P["W_F_in"], W_I=P["W_F"])
        u = P["W_in"] @ x + P["W"] @ z_prev
        gF = _sigmoid(P["W_F_in"] @ x + P["W_F"] @ z_prev)
        gI = _sigmoid(P["W_I_in"] @ x + P["W_I"] @ z_prev)
        gO = _sigmoid(P["W_O_in"] @ x + P["W_O"] @ z_prev)
        s = gF * s_prev + gI * np.tanh(u)
        z = out(gO, s, s_prev)
        return z, s, {"x": x, "z_prev": z_prev, "s_prev": s_prev, "u": u, "gF": gF, "gI": gI, "gO": gO, "s": s}

    return lstm_step


def _lstm_forward(step):
    def lstm_forward(X, P):
        T, H = X.shape[0], P["W"].shape[0]
        Z, S = np.zeros((T, H)), np.zeros((T, H))
        z, s = np.zeros(H), np.zeros(H)
        caches = []
        for t in range(T):
            z, s, cache = step(X[t], z, s, P)
            Z[t], S[t] = z, s
            caches.append(cache)
        return Z, S, caches

    return lstm_forward


def _lstm_backward(cell_path=True, z_path="all"):
    """lstm_backward with one mistake: cell_path False drops ∂E/∂s_{t−1} (nothing carried through the cell),
    "ungated" carries ∂E/∂s_t back without the forget gate; z_path "W_only" sends ∂E/∂z_{t−1} back through W
    alone, "none" not at all."""

    def lstm_backward(dZ, caches, P):
        keys = ("W_in", "W", "W_F_in", "W_F", "W_I_in", "W_I", "W_O_in", "W_O")
        grads = {k: np.zeros_like(P[k], dtype=float) for k in keys}
        H = P["W"].shape[0]
        dz_next, ds_next = np.zeros(H), np.zeros(H)
        for t in range(len(caches) - 1, -1, -1):
            c = caches[t]
            gF, gI, gO = c["gF"], c["gI"], c["gO"]
            fu, fs = np.tanh(c["u"]), np.tanh(c["s"])
            ez = dZ[t] + dz_next
            es = ds_next + ez * gO * (1.0 - fs * fs)
            if not cell_path:
                ds_next = np.zeros(H)
            else:
                ds_next = es if cell_path == "ungated" else es * gF
            pairs = (("W_in", "W", es * gI * (1.0 - fu * fu)),
                     ("W_F_in", "W_F", es * c["s_prev"] * gF * (1.0 - gF)),
                     ("W_I_in", "W_I", es * fu * gI * (1.0 - gI)),
                     ("W_O_in", "W_O", ez * fs * gO * (1.0 - gO)))
            dz_next = np.zeros(H)
            for k_in, k, d in pairs:
                grads[k_in] += np.outer(d, c["x"])
                grads[k] += np.outer(d, c["z_prev"])
                if z_path == "all" or (z_path == "W_only" and k == "W"):
                    dz_next += P[k].T @ d
        return grads

    return lstm_backward


_LSTM_STEP = (
    ("gates_swapped",
     "Did you swap the forget and input gates? s_t = g^F_t ⊙ s_{t−1} + g^I_t ⊙ tanh(u_t): the forget gate "
     "(W_F_in, W_F) multiplies the old cell, the input gate (W_I_in, W_I) the new input.",
     "忘却ゲートと入力ゲートを取り違えていませんか？s_t = g^F_t ⊙ s_{t−1} + g^I_t ⊙ tanh(u_t) で、"
     "忘却ゲート（W_F_in, W_F）が前のメモリセルに、入力ゲート（W_I_in, W_I）が新しい入力に掛かります。",
     _lstm_step(swap=True)),
    ("tanh_of_s_missing",
     "Did you use s_t instead of tanh(s_t)? The output is z_t = g^O_t ⊙ tanh(s_t).",
     "tanh(s_t) の代わりに s_t を使っていませんか？出力は z_t = g^O_t ⊙ tanh(s_t) です。",
     _lstm_step(out=lambda gO, s, s_prev: gO * s)),
    ("output_gate_on_s_prev",
     "Did you apply the output gate to s_{t−1}? z_t = g^O_t ⊙ tanh(s_t) reads the new cell s_t.",
     "出力ゲートを s_{t−1} に掛けていませんか？z_t = g^O_t ⊙ tanh(s_t) は新しいメモリセル s_t を使います。",
     _lstm_step(out=lambda gO, s, s_prev: gO * np.tanh(s_prev))),
)

MISTAKES = {
    "lstm_step": tuple(Mistake(n, en, ja, v, outputs=("z", "s")) for n, en, ja, v in _LSTM_STEP),
    "lstm_forward": tuple(Mistake(n, en, ja, _lstm_forward(v), outputs=("Z", "S")) for n, en, ja, v in _LSTM_STEP),
    "lstm_backward": (
        Mistake("cell_path_dropped",
                "Did you drop the path through the memory cell? ∂E/∂s_{t−1} = ∂E/∂s_t ⊙ g^F_t must be carried back "
                "and added to ∂E/∂s_{t−1}.",
                "メモリセルを通る経路を落としていませんか？∂E/∂s_{t−1} = ∂E/∂s_t ⊙ g^F_t を一つ前の時刻へ運び、"
                "そこで ∂E/∂s_{t−1} に足してください。",
                _lstm_backward(cell_path=False)),
        Mistake("forget_gate_missing_in_cell_path",
                "Did you carry ∂E/∂s_t back to s_{t−1} without the forget gate? s_t = g^F_t ⊙ s_{t−1} + …, so "
                "∂E/∂s_{t−1} gets ∂E/∂s_t ⊙ g^F_t, not ∂E/∂s_t itself.",
                "∂E/∂s_t を忘却ゲートを掛けずに s_{t−1} へ運んでいませんか？s_t = g^F_t ⊙ s_{t−1} + … なので、"
                "∂E/∂s_{t−1} に加わるのは ∂E/∂s_t そのものではなく ∂E/∂s_t ⊙ g^F_t です。",
                _lstm_backward(cell_path="ungated")),
        Mistake("gate_paths_dropped",
                "Did you send ∂E/∂z_{t−1} back through W only? z_{t−1} also feeds the three gates: "
                "∂E/∂z_{t−1} = Wᵀ δ_t + W_Fᵀ δ^F_t + W_Iᵀ δ^I_t + W_Oᵀ δ^O_t.",
                "∂E/∂z_{t−1} を W だけを通して戻していませんか？z_{t−1} は三つのゲートにも入るので、"
                "∂E/∂z_{t−1} = Wᵀ δ_t + W_Fᵀ δ^F_t + W_Iᵀ δ^I_t + W_Oᵀ δ^O_t です。",
                _lstm_backward(z_path="W_only")),
        Mistake("recurrent_path_dropped",
                "Did you drop ∂E/∂z_{t−1}? Besides dZ from above, z_t gets Wᵀ δ_{t+1} + W_Fᵀ δ^F_{t+1} + … from step t+1.",
                "∂E/∂z_{t−1} を落としていませんか？z_t には上からの dZ に加えて、時刻 t+1 から "
                "Wᵀ δ_{t+1} + W_Fᵀ δ^F_{t+1} + … が伝わります。",
                _lstm_backward(z_path="none")),
    ),
}
