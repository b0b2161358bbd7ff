"""rtrl: the sensitivity recursion p(t−1) → p(t), a step's gradient Σ_k e_k p^k, and the RTRL gradients.

References from rnnref.rtrl with N = 1 (rtrl_step, sensitivity_gradient, rtrl), which its tests
check against torch autograd and rnnref's BPTT; the finite-difference cases compare with central
differences of a loss through the forward pass (E = rᵀ z_T for the sensitivities, projected on r).
"""

from __future__ import annotations

import numpy as np

import rnnref
from rnnref.rtrl import rtrl, rtrl_step, sensitivity_gradient

from ..cases import FDGradients
from . import FD_LABEL, FD_SIZE, Suite, fd_last, numerical_gradients, spread
from ._data import matrix, sequence, sizes, targets

#: the exercise's place in the lectures' order (autograder.suites.ASSIGNMENTS)
ORDER = 8

A = "rtrl"
TASKS = ("regression", "classification")
G = {"regression": "identity", "classification": "softmax"}


def _params(rng, d, H, m):
    return {"W_in": matrix(rng, H, d + 1), "W": matrix(rng, H, H), "W_out": matrix(rng, m, H + 1)}


def _states(X, P):
    """z_1 … z_T (T, H) of rnnref's forward pass."""
    return rnnref.rnn_forward(X[None], P)[0][0]


def _sensitivities(X, P):
    """The true p(t) after the rows of X: (P_in (H, H, d+1), P_W (H, H, H)); zeros for no rows."""
    H, D1 = P["W"].shape[0], P["W_in"].shape[1]
    if X.shape[0] == 0:
        return np.zeros((H, H, D1)), np.zeros((H, H, H))
    res = rtrl(X[None], np.zeros((1, 1)), dict(P, W_out=np.zeros((1, H + 1))), many_to_one=True)
    return res.P_in[0], res.P_W[0]


def _variants(build, label=lambda T, d, H, m: f"d={d}, H={H}"):
    """Every size of _data.sizes, as (label, make, visible); build(rng, T, d, H, m)."""
    return [(label(*dims), (lambda rng, dims=dims: build(rng, *dims)), visible) for _, dims, visible in sizes()]


def _contract_label(T, d, H, m):
    return f"H={H}, P of W_in (H, H, d+1), d={d}" if d % 2 else f"H={H}, P of W (H, H, H)"


# ---------------------------------------------------------------------------------------------
# sensitivity_step


def _step_args(rng, d, H, first=False):
    P = _params(rng, d, H, 1)
    x = sequence(rng, 1, d)[0]
    z_prev = np.zeros(H) if first else rng.uniform(-1, 1, H)
    P_in = np.zeros((H, H, d + 1)) if first else matrix(rng, H, H, d + 1)
    P_W = np.zeros((H, H, H)) if first else matrix(rng, H, H, H)
    u = P["W_in"] @ x + P["W"] @ z_prev
    return P_in, P_W, x, z_prev, u, P["W"]


def _step(rng, T, d, H, m):
    args = _step_args(rng, d, H)
    new_in, new_W = rtrl_step(*(a[None] for a in args[:5]), args[5])
    return args, {}, (new_in[0], new_W[0])


def _step_first(rng):
    """t = 1: p(0) = 0 and z_0 = 0, so only the δ_kj terms remain."""
    d, H = 3, 4
    args = _step_args(rng, d, H, first=True)
    new_in, new_W = rtrl_step(*(a[None] for a in args[:5]), args[5])
    return args, {}, (new_in[0], new_W[0])


def _step_fd():
    """p(T−1) of a real sequence in; the new p(T), projected on a random r, against central differences
    of E = rᵀ z_T by W_in and W (∂E/∂w_ji = Σ_k r_k p^k_ji(T))."""
    T, d, H, _ = FD_SIZE

    def make(rng):
        P = _params(rng, d, H, 1)
        X = sequence(rng, T, d)
        r = rng.standard_normal(H)
        P_in, P_W = _sensitivities(X[:-1], P)
        z_prev = _states(X[:-1], P)[-1] if T > 1 else np.zeros(H)
        u = P["W_in"] @ X[-1] + P["W"] @ z_prev
        args = (P_in, P_W, X[-1], z_prev, u, P["W"])
        new_in, new_W = rtrl_step(*(a[None] for a in args[:5]), args[5])

        def E(p):
            return float(r @ _states(X, p)[-1])

        numerical = numerical_gradients(E, P, ("W_in", "W"))
        return args, {}, FDGradients(numerical, (new_in[0], new_W[0]), {"r": r}, "P_in, P_W")

    def projected(result, extra):
        """∂E/∂W_in = Σ_k r_k P_in[k], ∂E/∂W = Σ_k r_k P_W[k] from the student's sensitivities."""
        r = extra["r"]
        return {"W_in": np.tensordot(r, np.asarray(result[0], dtype=np.float64), axes=1),
                "W": np.tensordot(r, np.asarray(result[1], dtype=np.float64), axes=1)}

    fields = {"compare": "gradcheck", "post": projected}
    return [(f"{FD_LABEL} of E = rᵀ z_T, T={T}, d={d}, H={H}", make, False, fields)]


# ---------------------------------------------------------------------------------------------
# gradient_from_sensitivities


def _contract(rng, T, d, H, m):
    c = d + 1 if d % 2 else H  # W_in's sensitivities for some sizes, W's for the others
    e = rng.standard_normal(H)
    P = matrix(rng, H, H, c)
    return (e, P), {}, sensitivity_gradient(e[None], P[None])


def _contract_fd():
    """e = W̃_outᵀ (ŷ_T − y_T) and the true p(T) in; central differences of E_T by W expected."""
    T, d, H, m = FD_SIZE

    def make(rng):
        P = _params(rng, d, H, m)
        X = sequence(rng, T, d)
        y = rng.standard_normal(m)
        _, P_W = _sensitivities(X, P)
        z = _states(X, P)[-1]
        e = P["W_out"][:, 1:].T @ (P["W_out"][:, 0] + P["W_out"][:, 1:] @ z - y)

        def E_T(p):
            v = p["W_out"][:, 0] + p["W_out"][:, 1:] @ _states(X, p)[-1]
            return 0.5 * float(np.sum((v - y) ** 2))

        return (e, P_W), {}, FDGradients(numerical_gradients(E_T, P, ("W",)), sensitivity_gradient(e[None], P_W[None]))

    return [(f"{FD_LABEL} of E_T by W, T={T}, d={d}, H={H}, m={m}", make, False, {"compare": "gradcheck"})]


# ---------------------------------------------------------------------------------------------
# rtrl_gradients


def _model(rng, T, d, H, m, task):
    P = _params(rng, d, H, m)
    X = sequence(rng, T, d)
    Y = targets(rng, T, m, task)
    return X, Y, P


def _grads(rng, T, d, H, m, task):
    X, Y, P = _model(rng, T, d, H, m, task)
    return (X, Y, P["W_in"], P["W"], P["W_out"]), {"task": task}, rtrl(X[None], Y[None], P, g=G[task]).grads


def _grads_variants():
    out = []
    for i, (label, dims, visible) in enumerate(sizes()):
        task = TASKS[i % 2]
        out.append((f"{label}, {task}", (lambda rng, dims=dims, task=task: _grads(rng, *dims, task)), visible))
    return out


def _grads_fd(task):
    T, d, H, m = FD_SIZE

    def make(rng):
        X, Y, P = _model(rng, T, d, H, m, task)

        def loss(p):
            _, cache = rnnref.elman_forward(X[None], p, g=G[task])
            return rnnref.elman_loss(cache, Y[None])[0]

        like = rtrl(X[None], Y[None], P, g=G[task]).grads
        return (X, Y, P["W_in"], P["W"], P["W_out"]), {"task": task}, FDGradients(numerical_gradients(loss, P), like)

    return [(f"{FD_LABEL}, T={T}, d={d}, H={H}, m={m}, {task}", make, False, {"compare": "gradcheck"})]


def _grads_large(T, d, H, m):
    """Classification with scores v_t in the thousands (the bias column spread over about 4000, all moved by up to
    ±1000): e^{v} overflows unless each step's v is shifted by its max (nothing, the min or the sum gives ∞/∞);
    ŷ_t − y_t, and so every gradient, stays finite."""
    from ..known_mistakes._softmax import fails_every_wrong_shift

    def make(rng):
        while True:
            X, Y, P = _model(rng, T, d, H, m, "classification")
            P["W_out"][:, 0] = (rng.permutation(np.linspace(-2000.0, 2000.0, m)) + rng.uniform(-50.0, 50.0, m)
                                + rng.uniform(-1000.0, 1000.0))
            V = _states(X, P) @ P["W_out"][:, 1:].T + P["W_out"][:, 0]
            if all(fails_every_wrong_shift(v) for v in V):
                return ((X, Y, P["W_in"], P["W"], P["W_out"]), {"task": "classification"},
                        rtrl(X[None], Y[None], P, g="softmax").grads)

    return make


#: the large-scores cases, appended after every older case (no older case's index, and inputs, changes)
LARGE = [("scores in the thousands, T=5, d=2, H=3, m=4, classification", _grads_large(5, 2, 3, 4), True),
         ("scores in the thousands, T=7, d=1, H=4, m=3, classification", _grads_large(7, 1, 4, 3), False)]

RTRL_GRADIENTS = spread(
    "rtrl_gradients", 5, _grads_variants() + _grads_fd("classification") + LARGE,
    assignment=A, arg_names=("X", "Y", "W_in", "W", "W_out"), outputs="grads",
    hints={"finite": {"en": "e^{v} overflows for scores in the thousands: compute ŷ_t with the given output_layer "
                            "(or subtract max_k v_k before the exp).",
                      "ja": "スコアが数千になると e^{v} がオーバーフローします。ŷ_t は与えられた output_layer で計算して"
                            "ください（または exp の前に max_k v_k を引きます）。"},
           "value": {"en": "At each t: the sensitivities from z_{t−1} (before z is overwritten), "
                           "then e(t) = W̃_outᵀ (ŷ_t − y_t) contracted with them; "
                           "∂E/∂W_out adds (ŷ_t − y_t) [1; z_t]ᵀ.",
                     "ja": "各時刻 t で、まず z_{t−1} から感度を更新し（z を上書きする前に）、"
                           "e(t) = W̃_outᵀ (ŷ_t − y_t) と縮約します。∂E/∂W_out には (ŷ_t − y_t) [1; z_t]ᵀ を足します。"}})
RTRL_GRADIENTS, RTRL_GRADIENTS_NEW = RTRL_GRADIENTS[:-len(LARGE)], RTRL_GRADIENTS[-len(LARGE):]


SUITE = Suite(
    assignment=A,
    seed=20231208,
    points={"sensitivity_step": 5, "gradient_from_sensitivities": 2, "rtrl_gradients": 5},
    cases=fd_last(
        spread("sensitivity_step", 5,
               _variants(_step) + [("t = 1: p(0) = 0, z_0 = 0, d=3, H=4", _step_first, True)] + _step_fd(),
               assignment=A, arg_names=("P_in", "P_W", "x", "z_prev", "u", "W"), outputs=("P_in", "P_W"),
               hints={"shape": {"en": "P_in is (H, H, d+1) and P_W is (H, H, H): axis 0 is the unit k, "
                                      "axes 1 and 2 the weight's own (j, i).",
                                "ja": "P_in は (H, H, d+1)、P_W は (H, H, H) です。軸 0 が微分されるユニット k、"
                                      "軸 1, 2 が重みの添字 (j, i) です。"},
                      "value": {"en": "P[k, j, i] ← f′(u_k) (δ_kj a_i + Σ_l W[k, l] P[l, j, i]) with a = z_{t−1} for W "
                                      "and a = x_t for W_in, f′(u) = 1 − tanh(u)².",
                                "ja": "P[k, j, i] ← f′(u_k) (δ_kj a_i + Σ_l W[k, l] P[l, j, i]) です。W では a = z_{t−1}、"
                                      "W_in では a = x_t、f′(u) = 1 − tanh(u)² です。"}})
        + spread("gradient_from_sensitivities", 2, _variants(_contract, _contract_label) + _contract_fd(),
                 assignment=A, arg_names=("e", "P"), outputs="dW",
                 hints={"shape": {"en": "Sum over the first axis of P (the unit k): the result has P's last two axes.",
                                  "ja": "P の最初の軸（ユニット k）について和を取ります。結果の形は P の後ろ二つの軸です。"},
                        "value": {"en": "dW[j, i] = Σ_k e_k P[k, j, i].",
                                  "ja": "dW[j, i] = Σ_k e_k P[k, j, i] です。"}})
        + RTRL_GRADIENTS
    ) + tuple(RTRL_GRADIENTS_NEW),
)
