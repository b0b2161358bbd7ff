"""vanishing: ρ(W), ‖W^k‖, ∂E/∂z_t through time and its norms, truncated BPTT, gradient clipping by norm.

References from rnnref.analysis (spectral_radius, power_norms, grad_norms_over_time),
rnnref.rnn (rnn_forward / rnn_backward's dZ_total, with N = 1; truncate=k for the truncated
∂E/∂z_t) and rnnref.optim.clip_grad_norm.
"""

from __future__ import annotations

import numpy as np

from rnnref.analysis import grad_norms_over_time, power_norms, spectral_radius
from rnnref.optim import clip_grad_norm
from rnnref.rnn import rnn_backward, rnn_forward

from ..cases import FDGradients
from . import FD_LABEL, FD_SIZE, Suite, fd_last, numerical_gradients, spread
from ._data import matrix, sequence, sizes

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 6

A = "vanishing"

#: the three 2×2 matrices of the lecture's slides (seed 003)
W_EQUAL = np.array([[1.0, -1.0], [2.0, -2.0]])  # ρ = 1: ‖W^k‖ stays
W_DECAY = np.array([[1.0, 0.5], [-0.5, -1.0]])  # ρ = 0.866: W^10 ≈ 0.24 I
W_GROW = np.array([[-2.0, -0.1], [-0.3, 1.0]])  # ρ = 2.01 from the eigenvalue −2.01


def _variants(build, label=lambda T, d, H, m: f"T={T}, H={H}"):
    """Every size of _data.sizes, as (label, make, visible); build(rng, T, d, H, m)."""
    return [(label(*dims), (lambda rng, dims=dims: build(rng, *dims)), visible) for _, dims, visible in sizes()]


def _square(rng, H):
    """A non-symmetric (H, H) matrix with N(0, 1/H) entries times a random scale: ρ around 0.5 … 1.5."""
    return rng.standard_normal((H, H)) * rng.uniform(0.5, 1.5) / np.sqrt(H)


# ---------------------------------------------------------------------------------------------
# spectral_radius


def _rho(rng, T, d, H, m):
    W = _square(rng, H)
    return (W,), {}, spectral_radius(W)


def _rho_fixed(W):
    def make(rng):
        return (np.array(W, dtype=np.float64),), {}, spectral_radius(W)

    return make


def _rotation(rng):
    """r · (a rotation by φ) ⊕ a smaller block: the two largest eigenvalues are r e^{±iφ}."""
    r, phi = rng.uniform(0.6, 1.4), rng.uniform(0.8, 2.3)
    W = np.zeros((3, 3))
    W[:2, :2] = r * np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
    W[2, 2] = 0.3 * r
    W[2, :2] = rng.standard_normal(2)
    return (W,), {}, spectral_radius(W)


def _non_normal(rng):
    """Upper triangular with a large off-diagonal entry: ρ is the largest |diagonal entry|, ‖W‖₂ is much larger."""
    W = np.triu(rng.standard_normal((4, 4)))
    W[0, 3] = 5.0
    return (W,), {}, spectral_radius(W)


# ---------------------------------------------------------------------------------------------
# power_norms


def _powers(rng, T, d, H, m):
    W = _square(rng, H)
    K = T + 3
    return (W, K), {}, power_norms(W, K)


def _powers_lecture(rng):
    return (W_DECAY.copy(), 10), {}, power_norms(W_DECAY, 10)


def _powers_grow(rng):
    return (W_GROW.copy(), 12), {}, power_norms(W_GROW, 12)


# ---------------------------------------------------------------------------------------------
# state_gradients


def _recurrence(rng, T, d, H, scale=0.8):
    X = sequence(rng, T, d)
    P = {"W_in": matrix(rng, H, d + 1), "W": rng.standard_normal((H, H)) * scale / np.sqrt(H)}
    _, cache = rnn_forward(X[None], P)
    return X, P, cache


def _state(rng, T, d, H, m):
    _, P, cache = _recurrence(rng, T, d, H)
    dZ = rng.standard_normal((T, H))
    U = cache["U"][:, 0]
    return (U, P["W"], dZ), {}, rnn_backward(dZ[None], cache).dZ_total[0]


def _state_many_to_one(rng):
    """Only z_T has a direct error (a many-to-one network): ∂E/∂z_t = Wᵀ δ_{t+1} for t < T."""
    T, d, H = 9, 2, 5
    _, P, cache = _recurrence(rng, T, d, H, scale=1.2)
    dZ = np.zeros((T, H))
    dZ[-1] = rng.standard_normal(H)
    U = cache["U"][:, 0]
    return (U, P["W"], dZ), {}, rnn_backward(dZ[None], cache).dZ_total[0]


def _state_fd():
    """Central differences of E = Σ_t ⟨dZ_t, z_t⟩ by a perturbation ε_t added to each z_t = tanh(u_t)."""
    T, d, H, _ = FD_SIZE

    def make(rng):
        X, P, cache = _recurrence(rng, T, d, H, scale=1.0)
        dZ = rng.standard_normal((T, H))
        U = cache["U"][:, 0]

        def loss(p):
            z, E = np.zeros(H), 0.0
            for t in range(T):
                z = np.tanh(P["W_in"] @ X[t] + P["W"] @ z) + p["z_t"][t]
                E += float(dZ[t] @ z)
            return E

        like = rnn_backward(dZ[None], cache).dZ_total[0]
        return (U, P["W"], dZ), {}, FDGradients(numerical_gradients(loss, {"z_t": np.zeros((T, H))}), like)

    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}", make, False, {"compare": "gradcheck"})]


# ---------------------------------------------------------------------------------------------
# truncated_state_gradients: rnn_backward(truncate=k), chunks of k steps from t = 1


def _chunks(T, k):
    """'chunks t=1–4, 5–6' for a label: the chunks of k steps counted from t = 1."""
    parts = [(a, min(a + k - 1, T)) for a in range(1, T + 1, k)]
    return "chunks t=" + ", ".join(f"{a}–{b}" if b > a else f"{a}" for a, b in parts)


def _truncated(T, d, H, k, many_to_one=False, scale=0.8):
    def make(rng):
        _, P, cache = _recurrence(rng, T, d, H, scale=scale)
        dZ = rng.standard_normal((T, H))
        if many_to_one:
            dZ[:-1] = 0.0
        U = cache["U"][:, 0]
        return (U, P["W"], dZ, k), {}, rnn_backward(dZ[None], cache, truncate=k).dZ_total[0]

    return make


def _truncated_variants():
    """(label, make, visible): k not dividing T, T = 1, k = 1, k = T, H = 1, many-to-one.

    Where k does not divide T, 2 ≤ T mod k ≤ k−2: chunks counted from t = T then end neither where the
    reference's do nor one step early or late, so each typical mistake gives its own result."""
    def label(T, d, H, k, what):
        return f"T={T}, d={d}, H={H}, k={k}: {what}"

    rows = [((6, 2, 4, 4), _chunks(6, 4), True, {}),
            ((1, 3, 2, 1), "T = 1", True, {}),
            ((6, 2, 4, 1), "k = 1, no recursion", True, {}),
            ((6, 2, 4, 6), "k = T, full BPTT", True, {}),
            ((7, 4, 1, 5), _chunks(7, 5), False, {}),
            ((10, 5, 7, 4), _chunks(10, 4), False, {}),
            ((12, 2, 5, 4), "many-to-one, " + _chunks(12, 4), False, {"many_to_one": True, "scale": 1.2})]
    return [(label(*dims, what), _truncated(*dims, **kw), visible) for dims, what, visible, kw in rows]


def _truncated_fd():
    """Central differences of E = Σ_t ⟨dZ_t, z_t⟩, perturbing z_t by ε_t, with the state detached every k steps:
    each chunk starts from the unperturbed z_{k}, z_{2k}, …, so no ε crosses a chunk boundary."""
    T, d, H, _ = FD_SIZE
    k = 4  # chunks t=1–4, 5–6: k does not divide T

    def make(rng):
        X, P, cache = _recurrence(rng, T, d, H, scale=1.0)
        dZ = rng.standard_normal((T, H))
        U = cache["U"][:, 0]
        Z = cache["Z"][:, 0]  # the unperturbed z_1 … z_T

        def loss(p):
            E = 0.0
            for t in range(T):
                if t % k == 0:  # a new chunk: start from the detached, unperturbed state
                    z = Z[t - 1] if t > 0 else np.zeros(H)
                z = np.tanh(P["W_in"] @ X[t] + P["W"] @ z) + p["z_t"][t]
                E += float(dZ[t] @ z)
            return E

        like = rnn_backward(dZ[None], cache, truncate=k).dZ_total[0]
        return (U, P["W"], dZ, k), {}, FDGradients(numerical_gradients(loss, {"z_t": np.zeros((T, H))}), like)

    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}, k={k}", make, False, {"compare": "gradcheck"})]


# ---------------------------------------------------------------------------------------------
# grad_norms_over_time


def _norms(rng, T, d, H, m):
    G = rng.standard_normal((T, H)) * np.geomspace(1e-3, 1.0, T)[:, None]  # decaying back in time
    return (G,), {}, grad_norms_over_time(G[None])


# ---------------------------------------------------------------------------------------------
# clip_grad_norm


def _grads(rng, d, H, m, norm):
    shapes = {"W_in": (H, d + 1), "W": (H, H), "W_out": (m, H + 1)}
    g = {k: rng.standard_normal(s) for k, s in shapes.items()}
    scale = norm / np.sqrt(sum(np.sum(v * v) for v in g.values()))
    return {k: v * scale for k, v in g.items()}


def _clip(clipped):
    def build(rng, T, d, H, m):
        norm = rng.uniform(1.5, 3.0)  # small enough that the 10⁻⁶ of c shows
        grads = _grads(rng, d, H, m, norm)
        theta = float(norm * (rng.uniform(0.2, 0.7) if clipped else rng.uniform(1.5, 3.0)))
        return (grads, theta), {}, clip_grad_norm(grads, theta)

    return build


def _clip_variants():
    out = []
    for i, (_, (T, d, H, m), visible) in enumerate(sizes()):
        clipped = i % 2 == 0
        build = _clip(clipped)
        dims = (T, d, H, m)
        out.append((f"d={d}, H={H}, m={m}, {'‖g‖ > θ' if clipped else '‖g‖ ≤ θ'}",
                    (lambda rng, dims=dims, build=build: build(rng, *dims)), visible))
    return out


SUITE = Suite(
    assignment=A,
    seed=20231206,
    points={"spectral_radius": 2, "power_norms": 2, "state_gradients": 4, "grad_norms_over_time": 1,
            "truncated_state_gradients": 4, "clip_grad_norm": 3},
    cases=fd_last(
        spread("spectral_radius", 2,
               _variants(_rho, lambda T, d, H, m: f"H={H}") + [("the lecture's W = [[−2, −0.1], [−0.3, 1]]", _rho_fixed(W_GROW), True),
                                  ("the lecture's W = [[1, −1], [2, −2]]", _rho_fixed(W_EQUAL), False),
                                  ("a scaled rotation (complex eigenvalues)", _rotation, False),
                                  ("a non-normal W (ρ(W) < ‖W‖₂)", _non_normal, False)],
               assignment=A, arg_names=("W",), outputs="rho",
               hints={"type": {"en": "Return one real number: float(np.max(np.abs(…))).",
                               "ja": "実数を一つ返してください: float(np.max(np.abs(…)))。"},
                      "value": {"en": "ρ(W) = max_i |λ_i| over the eigenvalues of W (np.linalg.eigvals), "
                                      "the modulus of complex and negative ones included.",
                                "ja": "ρ(W) = max_i |λ_i| は W の固有値 (np.linalg.eigvals) の絶対値の最大です。"
                                      "負の固有値や複素数の固有値も絶対値で比べます。"}})
        + spread("power_norms", 2,
                 _variants(_powers, lambda T, d, H, m: f"H={H}, K={T + 3}") + [("the lecture's W = [[1, 0.5], [−0.5, −1]], K = 10", _powers_lecture, True),
                                       ("the lecture's W = [[−2, −0.1], [−0.3, 1]], K = 12", _powers_grow, False)],
                 assignment=A, arg_names=("W", "K"), outputs="norms",
                 hints={"shape": {"en": "Return K+1 norms, for k = 0, 1, …, K (W⁰ = I comes first).",
                                  "ja": "k = 0, 1, …, K の K+1 個のノルムを返してください（最初は W⁰ = I）。"},
                        "value": {"en": "Entry k is ‖W^k‖₂ = np.linalg.norm(W^k, 2) with the matrix power W W … W.",
                                  "ja": "要素 k は ‖W^k‖₂ = np.linalg.norm(W^k, 2) で、W^k は行列の積 W W … W です。"}})
        + spread("state_gradients", 4,
                 _variants(_state, lambda T, d, H, m: f"T={T}, d={d}, H={H}") + [("many-to-one, T=9, d=2, H=5", _state_many_to_one, False)] + _state_fd(),
                 assignment=A, arg_names=("U", "W", "dZ"), outputs="G", labels={"G": (0, "∂E/∂z_{}")},
                 hints={"shape": {"en": "G is (T, H): row t−1 is ∂E/∂z_t.",
                                  "ja": "G は (T, H) で、行 t−1 が ∂E/∂z_t です。"},
                        "value": {"en": "∂E/∂z_t = dZ_t + Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}) from t = T down to 1, "
                                        "f′(u) = 1 − tanh(u)².",
                                  "ja": "∂E/∂z_t = dZ_t + Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}) を t = T から 1 へ計算します"
                                        "（f′(u) = 1 − tanh(u)²）。"}})
        + spread("grad_norms_over_time", 1, _variants(_norms), assignment=A, arg_names=("G",), outputs="norms",
                 hints={"shape": {"en": "One norm per step: (T,), the norm taken over the H hidden units.",
                                  "ja": "時刻ごとに一つのノルムで (T,) です。ノルムは H 個の中間層ユニットについて取ります。"}})
        + spread("clip_grad_norm", 3, _clip_variants(), assignment=A, arg_names=("grads", "max_norm"),
                 outputs=("grads", "norm"),
                 hints={"value": {"en": "One norm ‖g‖ over all arrays together and one factor "
                                        "c = min(1, θ / (‖g‖ + 10⁻⁶)) for every array; return ‖g‖ before clipping.",
                                  "ja": "すべての配列をまとめたノルム ‖g‖ を一つ求め、すべての配列に同じ "
                                        "c = min(1, θ / (‖g‖ + 10⁻⁶)) を掛けます。返すノルムはクリップ前の ‖g‖ です。"}})
        # appended after the older functions' cases, so that their indices (and seeded inputs) stay as they were
        + spread("truncated_state_gradients", 4, _truncated_variants() + _truncated_fd(),
                 assignment=A, arg_names=("U", "W", "dZ", "k"), outputs="G", labels={"G": (0, "∂E/∂z_{}")},
                 hints={"shape": {"en": "G is (T, H): row t−1 is the truncated ∂E/∂z_t.",
                                  "ja": "G は (T, H) で、行 t−1 が打ち切った ∂E/∂z_t です。"},
                        "value": {"en": "Chunks of k steps counted from t = 1 (t = 1…k, k+1…2k, …): "
                                        "∂E/∂z_t = dZ_t when t is a multiple of k, else "
                                        "dZ_t + Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}).",
                                  "ja": "t = 1 から数えて k 時刻ずつのまとまり (t = 1…k, k+1…2k, …) に区切ります。"
                                        "t が k の倍数なら ∂E/∂z_t = dZ_t、そうでなければ "
                                        "dZ_t + Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}) です。"}})
    ),
)

#: for the general diagnosis (autograder/diagnosis.py): how time enters each function (ACROSS_TIME; the others: a
#: recurrence)
DIAGNOSIS = {"across_time": {"grad_norms_over_time": "steps", "clip_grad_norm": None}}
