"""Typical mistakes, each written as a variant of the reference, to name them in the feedback.

MISTAKES[(assignment, function)] lists the known mistakes of one graded function. A
Mistake's ``variant`` has the graded function's signature and computes the WRONG result
(numpy, run in the grader's process: it is our code, not the student's); it is called
through the case's driver on the case's own inputs. When a student's result fails a case
and agrees with a variant's result (NaN and inf in the same places, finite entries within
the grader's tolerance), the feedback's hint says which mistake it is, in plain words.
A variant that raises, or that agrees with the reference on the case, tells nothing and is
skipped.

Some mistakes do not produce a result but a numpy error (W_out used where W̃_out belongs:
(H+1,) against (H,)); ``error`` recognises them from the exception's message. Others show in
the type of what is returned, whatever the inputs (a complex eigenvalue where ρ(W) belongs);
``returns`` recognises them from the value itself, when it has the wrong type or dtype.

Diagnosing never raises: the student's result may be anything the worker's decoder gives
(checks.Opaque, complex numbers, huge ints, odd dtypes and shapes); what cannot be compared
matches no mistake.
"""

from __future__ import annotations

import copy
import re
import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import checks
from .drivers import DRIVERS


@dataclass(frozen=True)
class Mistake:
    """One known wrong way to write a graded function."""

    name: str  # an identifier, e.g. "W_not_transposed"
    hint_en: str
    hint_ja: str
    variant: Callable | None = None  # same signature as the graded function, computes the wrong result
    outputs: tuple = ()  # compare only these outputs (names of the case's outputs); () = all of them
    error: Callable | None = None  # (args, kwargs, message) -> True when the student's exception is this mistake
    returns: Callable | None = None  # (result) -> True when a result of the wrong type or dtype is this mistake

    @property
    def hint(self) -> dict:
        return {"en": self.hint_en, "ja": self.hint_ja}


# ---------------------------------------------------------------------------------------------
# agreement: like checks.compare, but NaN and inf agree with themselves (a variant may overflow)


def _agree(got, ref) -> bool:
    if isinstance(ref, dict):
        return isinstance(got, dict) and got.keys() == ref.keys() and all(_agree(got[k], ref[k]) for k in ref)
    if isinstance(ref, (tuple, list)):
        return isinstance(got, (tuple, list)) and len(got) == len(ref) and all(_agree(g, r) for g, r in zip(got, ref))
    if isinstance(ref, (float, int)) and not isinstance(ref, bool):
        got = checks.as_float(got, "")
        if isinstance(got, checks.Mismatch):
            return False
        got, ref = np.array(got), np.array(float(ref))
    if not isinstance(ref, np.ndarray):
        return False
    arr = checks.as_float64_array(got, "")
    if isinstance(arr, checks.Mismatch) or arr.shape != ref.shape:
        return False
    ref = np.asarray(ref, dtype=np.float64)
    finite = np.isfinite(ref)
    if not np.array_equal(np.isfinite(arr), finite):
        return False
    if not np.array_equal(arr[~finite], ref[~finite], equal_nan=True):
        return False
    return checks.values_close(arr[finite], ref[finite])


def agrees(case, got, ref, only: tuple = ()) -> bool:
    """Whether a result agrees with a variant's (restricted to the named outputs ``only``)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        names = case.outputs
        if isinstance(names, tuple) and names and isinstance(ref, tuple):
            if not isinstance(got, (tuple, list)) or len(got) != len(ref):
                return False
            return all(_agree(g, r) for n, g, r in zip(names, got, ref) if not only or n in only)
        return _agree(got, ref)


def _run(case, variant, args, kwargs):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return DRIVERS[case.driver](variant, copy.deepcopy(args), copy.deepcopy(kwargs))


def mistakes_for(case) -> tuple:
    """The known mistakes of the case's function: MISTAKES here, or a later exercise's own
    module autograder/known_mistakes/<assignment>.py defining MISTAKES = {function: (Mistake, …)}."""
    assignment = getattr(case, "assignment", "")
    if (assignment, case.function) in MISTAKES:
        return MISTAKES[(assignment, case.function)]
    if not assignment.isidentifier():
        return ()
    import importlib

    try:
        module = importlib.import_module(f"{__package__}.known_mistakes.{assignment}")
    except ModuleNotFoundError:
        return ()
    return tuple(module.MISTAKES.get(case.function, ()))


def diagnose(case, result, expected, args, kwargs, kind: str = "value") -> Mistake | None:
    """The known mistake the student's (wrong) result shows: for a problem of ``kind`` "type" or "dtype",
    the first whose ``returns`` recognises the result; otherwise the first whose variant gives the
    student's result on these inputs (args None: none). Never raises."""
    for mistake in mistakes_for(case):
        try:
            if kind in ("type", "dtype"):
                if mistake.returns is not None and mistake.returns(result):
                    return mistake
                continue
            if mistake.variant is None or args is None:
                continue
            wrong = _run(case, mistake.variant, args, kwargs)
            if agrees(case, wrong, expected, mistake.outputs):
                continue  # the mistake makes no difference here
            if agrees(case, result, wrong, mistake.outputs):
                return mistake
        except Exception:  # noqa: BLE001 - a variant that cannot run here, or a result it cannot read, tells nothing
            continue
    return None


def diagnose_error(case, message: str, args, kwargs) -> Mistake | None:
    """The first known mistake that explains the exception the student's function raised."""
    for mistake in mistakes_for(case):
        if mistake.error is None:
            continue
        try:
            if mistake.error(args, kwargs, message or ""):
                return mistake
        except Exception:  # noqa: BLE001
            continue
    return None


# ---------------------------------------------------------------------------------------------
# rnn_bptt


def _tanh_prime(U):
    return 1.0 - np.tanh(U) ** 2


def _bptt(U, E, W, W_out, *, back=lambda W, d: W.T @ d, fprime=_tanh_prime, tilde=lambda W_out: W_out[:, 1:]):
    """δ_t = (back(W, δ_{t+1}) + tilde(W_out)ᵀ e_t) ⊙ fprime(u_t), e_t the rows of E."""
    T, H = U.shape
    Wt = tilde(W_out)
    D = np.zeros((H, T))
    nxt = np.zeros(H)
    for t in range(T - 1, -1, -1):
        D[:, t] = (back(W, nxt) + Wt.T @ E[t]) * fprime(U[t])
        nxt = D[:, t]
    return D


def _deltas(**how):
    def deltas(U, Yhat, Y, W, W_out):
        return _bptt(U, Yhat - Y, W, W_out, **how)

    return deltas


def _deltas_sign_flipped(U, Yhat, Y, W, W_out):
    return _bptt(U, Y - Yhat, W, W_out)


def _shapes_in(message: str) -> list[tuple]:
    return [tuple(int(n) for n in re.findall(r"\d+", m)) for m in re.findall(r"\((\d+(?:,\s*\d*)*)\)", message)]


def _bias_not_removed_error(args, kwargs, message: str) -> bool:
    """numpy's complaint about (H+1,) against (H,): W_outᵀ(ŷ − y) has H+1 entries, δ has H."""
    H = args[0].shape[1]
    firsts = {s[0] for s in _shapes_in(message) if s}
    if H in firsts and H + 1 in firsts:
        return True
    return bool(re.search(rf"size {H + 1} is different from {H}\b|size {H} is different from {H + 1}\b", message))


def _m2o_errors(U, yhat_T, y_T, every_step=False):
    T = U.shape[0]
    E = np.zeros((T, yhat_T.shape[0]))
    if every_step:
        E[:] = yhat_T - y_T
    else:
        E[-1] = yhat_T - y_T
    return E


def _deltas_m2o(every_step=False, **how):
    def deltas_many_to_one(U, yhat_T, y_T, W, W_out):
        return _bptt(U, _m2o_errors(U, yhat_T, y_T, every_step), W, W_out, **how)

    return deltas_many_to_one


def _forward(shift=True, bias_in_Z=False, out_bias=True):
    def forward(X, W_in, W, W_out, task="regression"):
        T, H = X.shape[0], W.shape[0]
        U, Z = np.zeros((T, H)), np.zeros((T, H))
        z = np.zeros(H)
        for t in range(T):
            U[t] = W_in @ X[t] + W @ z
            z = Z[t] = np.tanh(U[t])
        V = Z @ W_out[:, 1:].T + (W_out[:, 0] if out_bias else 0.0)
        if task == "classification":
            e = np.exp(V - V.max(axis=1, keepdims=True)) if shift else np.exp(V)
            Yhat = e / e.sum(axis=1, keepdims=True)
        else:
            Yhat = V
        if bias_in_Z:
            Z = np.hstack([np.ones((T, 1)), Z])
        return U, Z, Yhat

    return forward


def _cross_entropy_terms(Yhat, Y):
    out = np.zeros_like(Y)
    mask = Y > 0
    out[mask] = Y[mask] * np.log(Yhat[mask])
    return out


def _loss_mean_entries(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-np.mean(_cross_entropy_terms(Yhat, Y)))
    return float(0.5 * np.mean((Y - Yhat) ** 2))


def _loss_mean_time(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-np.sum(_cross_entropy_terms(Yhat, Y)) / Y.shape[0])
    return float(0.5 * np.sum((Y - Yhat) ** 2) / Y.shape[0])


def _loss_no_half(Yhat, Y, task="regression"):
    if task == "classification":
        return float(-np.sum(_cross_entropy_terms(Yhat, Y)))
    return float(np.sum((Y - Yhat) ** 2))


def _loss_no_minus(Yhat, Y, task="regression"):
    if task == "classification":
        return float(np.sum(_cross_entropy_terms(Yhat, Y)))
    return float(0.5 * np.sum((Y - Yhat) ** 2))


def _Z_tilde(Z):
    return np.vstack([np.zeros((1, Z.shape[1])), Z[:-1]])


def _with_ones(Z, last=False):
    ones = np.ones((Z.shape[0], 1))
    return np.hstack([Z, ones] if last else [ones, Z])


def _adam_without_bias_correction(params, grads, state=None, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    if state is None:
        state = {"m": {k: np.zeros_like(params[k]) for k in params}, "v": {k: np.zeros_like(params[k]) for k in params}}
    m = {k: beta1 * state["m"][k] + (1 - beta1) * grads[k] for k in params}
    v = {k: beta2 * state["v"][k] + (1 - beta2) * grads[k] ** 2 for k in params}
    return {k: params[k] - lr * m[k] / (np.sqrt(v[k]) + eps) for k in params}, {"m": m, "v": v}


WT = ("Did you use W instead of Wᵀ in the δ recursion? δ_t receives Wᵀ δ_{t+1} from step t+1.",
      "δ の漸化式で Wᵀ の代わりに W を使っていませんか？δ_t には時刻 t+1 から Wᵀ δ_{t+1} が伝わります。")

RNN_BPTT = {
    "forward": (
        Mistake("softmax_without_max_shift",
                "Did you compute the softmax without the max shift? e^{v} overflows for large v_t: "
                "subtract max_k v_tk before the exp (it does not change the result).",
                "最大値を引かずにソフトマックス関数を計算していませんか？v_t が大きいと e^{v} がオーバーフローします。"
                "exp の前に max_k v_tk を引いてください（結果は変わりません）。",
                _forward(shift=False)),
        Mistake("bias_in_Z",
                "Did you store [1; z_t] in Z? The 1 of the bias is for the output layer only: "
                "Z is (T, H), row t−1 is z_t without the bias entry.",
                "Z に [1; z_t] を入れていませんか？バイアスの 1 は出力層で使うだけです。"
                "Z は (T, H) で、行 t−1 はバイアスなしの z_t です。",
                _forward(bias_in_Z=True)),
        Mistake("output_bias_omitted",
                "Did you leave out the output bias? v_t = W_out [1; z_t]: column 0 of W_out multiplies the 1.",
                "出力層のバイアスを忘れていませんか？v_t = W_out [1; z_t] で、W_out の列 0 が 1 に掛かります。",
                _forward(out_bias=False)),
    ),
    "loss": (
        Mistake("mean_instead_of_sum",
                "Did you take a mean instead of a sum? E = Σ_t E_t sums over the steps and the outputs, "
                "without dividing.",
                "和ではなく平均を取っていませんか？誤差関数 E = Σ_t E_t は時刻と出力について足し合わせるだけで、割りません。",
                _loss_mean_entries),
        Mistake("mean_over_time",
                "Did you divide by T? E = Σ_t E_t is a sum over the steps, not a mean.",
                "T で割っていませんか？誤差関数 E = Σ_t E_t は時刻についての和で、平均ではありません。",
                _loss_mean_time),
        Mistake("half_missing",
                "Did you forget the ½? The squared error is E = ½ Σ_t ‖y_t − ŷ_t‖².",
                "½ を忘れていませんか？二乗誤差は E = ½ Σ_t ‖y_t − ŷ_t‖² です。",
                _loss_no_half),
        Mistake("cross_entropy_sign",
                "Did you drop the minus sign? The cross-entropy is E = −Σ_t Σ_k y_tk log ŷ_tk ≥ 0.",
                "マイナス符号を落としていませんか？クロスエントロピーは E = −Σ_t Σ_k y_tk log ŷ_tk ≥ 0 です。",
                _loss_no_minus),
    ),
    "deltas": (
        Mistake("W_not_transposed", *WT, _deltas(back=lambda W, d: W @ d)),
        Mistake("recurrent_term_dropped",
                "Did you drop the Wᵀ δ_{t+1} term? δ_t gets the error of step t through W̃_outᵀ (ŷ_t − y_t) "
                "and that of the later steps through Wᵀ δ_{t+1}.",
                "Wᵀ δ_{t+1} の項を落としていませんか？δ_t には時刻 t の誤差 W̃_outᵀ (ŷ_t − y_t) に加えて、"
                "後の時刻の誤差が Wᵀ δ_{t+1} として伝わります。",
                _deltas(back=lambda W, d: np.zeros_like(d))),
        Mistake("f_prime_of_u_as_z",
                "Did you write f′(u_t) as 1 − u_t²? f′(u_t) = 1 − tanh(u_t)² = 1 − z_t²: square z_t = tanh(u_t), not u_t.",
                "f′(u_t) を 1 − u_t² としていませんか？f′(u_t) = 1 − tanh(u_t)² = 1 − z_t² で、"
                "二乗するのは u_t ではなく z_t = tanh(u_t) です。",
                _deltas(fprime=lambda u: 1.0 - u ** 2)),
        Mistake("f_prime_at_z",
                "Did you evaluate f′ at z_t instead of u_t? f′(u_t) = 1 − tanh(u_t)²; 1 − tanh(z_t)² applies tanh twice.",
                "f′ を u_t ではなく z_t で評価していませんか？f′(u_t) = 1 − tanh(u_t)² で、"
                "1 − tanh(z_t)² では tanh が二重にかかります。",
                _deltas(fprime=lambda u: 1.0 - np.tanh(np.tanh(u)) ** 2)),
        Mistake("f_prime_missing",
                "Did you leave out ⊙ f′(u_t)? δ_t = ∂E/∂u_t is taken after the activation: multiply by 1 − tanh(u_t)².",
                "⊙ f′(u_t) を忘れていませんか？δ_t = ∂E/∂u_t は活性化関数の手前の量なので、1 − tanh(u_t)² を掛けます。",
                _deltas(fprime=np.ones_like)),
        Mistake("bias_column_last",
                "Did you remove the last column of W_out instead of the first? The bias is column 0: W̃_out = W_out[:, 1:].",
                "W_out の最初ではなく最後の列を除いていませんか？バイアスは列 0 なので W̃_out = W_out[:, 1:] です。",
                _deltas(tilde=lambda W_out: W_out[:, :-1])),
        Mistake("sign_flipped",
                "Did you use y_t − ŷ_t? The output error is ŷ_t − y_t = g(v_t) − y_t (the gradient, not its negative).",
                "y_t − ŷ_t を使っていませんか？出力の誤差は ŷ_t − y_t = g(v_t) − y_t です（勾配で、その符号反転ではありません）。",
                _deltas_sign_flipped),
        Mistake("bias_column_not_removed",
                "Did you use W_out instead of W̃_out = W_out[:, 1:]? W_outᵀ (ŷ_t − y_t) has H+1 entries; "
                "the bias column sends nothing back, so drop it.",
                "W̃_out = W_out[:, 1:] の代わりに W_out を使っていませんか？W_outᵀ (ŷ_t − y_t) は H+1 個の要素を持ちます。"
                "バイアスの列からは何も逆伝播しないので取り除いてください。",
                error=_bias_not_removed_error),
    ),
    "grad_W_in": (
        Mistake("transposed",
                "Did you compute Xᵀ Dᵀ? That is (D X)ᵀ; ∂E/∂W_in = D X is (H, d+1), like W_in.",
                "Xᵀ Dᵀ を計算していませんか？それは (D X)ᵀ です。∂E/∂W_in = D X は W_in と同じ (H, d+1) です。",
                lambda D, X: X.T @ D.T),
        Mistake("bias_column_dropped",
                "Did you drop the column of ones of X? W_in has a bias column, so ∂E/∂W_in = D X uses all of X: (H, d+1).",
                "X の 1 の列（バイアス）を除いていませんか？W_in にはバイアスの列があるので、∂E/∂W_in = D X は X 全体を使い (H, d+1) になります。",
                lambda D, X: D @ X[:, 1:]),
    ),
    "grad_W": (
        Mistake("Z_instead_of_Z_tilde",
                "Did you use Z where Z̃ belongs? ∂E/∂W = D Z̃ with Z̃ = (z_0, …, z_{T−1}), z_0 = 0: u_t sees z_{t−1}.",
                "Z̃ の代わりに Z を使っていませんか？∂E/∂W = D Z̃ で、Z̃ = (z_0, …, z_{T−1})、z_0 = 0 です（u_t に入るのは z_{t−1}）。",
                lambda D, Z: D @ Z),
        Mistake("transposed",
                "Did you return (D Z̃)ᵀ? ∂E/∂W = D Z̃ = Σ_t δ_t z_{t−1}ᵀ: row i belongs to δ_t's entry i.",
                "(D Z̃)ᵀ を返していませんか？∂E/∂W = D Z̃ = Σ_t δ_t z_{t−1}ᵀ で、行 i は δ_t の要素 i に対応します。",
                lambda D, Z: (D @ _Z_tilde(Z)).T),
    ),
    "grad_W_out": (
        Mistake("bias_column_dropped",
                "Did you drop the bias column? ∂E/∂W_out = (g(V) − Y) Z with a column of ones in Z: (m, H+1), "
                "column 0 is Σ_t (ŷ_t − y_t).",
                "バイアスの列を落としていませんか？∂E/∂W_out = (g(V) − Y) Z の Z には 1 の列があり、(m, H+1) になります。"
                "列 0 は Σ_t (ŷ_t − y_t) です。",
                lambda Yhat, Y, Z: (Yhat - Y).T @ Z),
        Mistake("sign_flipped",
                "Did you use Y − Ŷ? ∂E/∂W_out = (g(V) − Y) Z: the error is ŷ_t − y_t.",
                "Y − Ŷ を使っていませんか？∂E/∂W_out = (g(V) − Y) Z で、誤差は ŷ_t − y_t です。",
                lambda Yhat, Y, Z: (Y - Yhat).T @ _with_ones(Z)),
        Mistake("bias_column_last",
                "Did you put the column of ones last? The bias is column 0 of W_out: [1 Z], not [Z 1].",
                "1 の列を最後に置いていませんか？バイアスは W_out の列 0 なので [Z 1] ではなく [1 Z] です。",
                lambda Yhat, Y, Z: (Yhat - Y).T @ _with_ones(Z, last=True)),
    ),
    "deltas_many_to_one": (
        Mistake("error_at_every_step",
                "Did you add the output error W̃_outᵀ (ŷ_T − y_T) at every step? In the many-to-one network only "
                "δ_T gets it; earlier δ_t get only Wᵀ δ_{t+1}.",
                "出力の誤差 W̃_outᵀ (ŷ_T − y_T) を全時刻で足していませんか？多対一のネットワークでは δ_T だけが受け取り、"
                "それより前の δ_t には Wᵀ δ_{t+1} だけが伝わります。",
                _deltas_m2o(every_step=True)),
        Mistake("W_not_transposed", *WT, _deltas_m2o(back=lambda W, d: W @ d)),
    ),
    "grad_W_out_many_to_one": (
        Mistake("bias_column_dropped",
                "Did you drop the bias? ∂E/∂W_out = (ŷ_T − y_T) [1; z_T]ᵀ is (m, H+1).",
                "バイアスを落としていませんか？∂E/∂W_out = (ŷ_T − y_T) [1; z_T]ᵀ は (m, H+1) です。",
                lambda yhat_T, y_T, z_T: np.outer(yhat_T - y_T, z_T)),
        Mistake("sign_flipped",
                "Did you use y_T − ŷ_T? The error is ŷ_T − y_T.",
                "y_T − ŷ_T を使っていませんか？誤差は ŷ_T − y_T です。",
                lambda yhat_T, y_T, z_T: np.outer(y_T - yhat_T, np.concatenate([[1.0], z_T]))),
    ),
    "sgd_step": (
        Mistake("ascent",
                "Did you add the gradient? Gradient descent goes downhill: W ← W − η ∂E/∂W.",
                "勾配を足していませんか？勾配降下法は W ← W − η ∂E/∂W です。",
                lambda params, grads, lr: {k: params[k] + lr * grads[k] for k in params}),
    ),
    "adam_step": (
        Mistake("no_bias_correction",
                "Did you skip the bias correction? Use m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ), t counting from 1.",
                "バイアス補正を省いていませんか？m̂ = m / (1 − β₁ᵗ)、v̂ = v / (1 − β₂ᵗ) を使ってください（t は 1 から数えます）。",
                _adam_without_bias_correction),
    ),
}


# ---------------------------------------------------------------------------------------------
# lstm


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
            ds_next = es * gF if cell_path else np.zeros(H)
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

LSTM = {
    "lstm_step": tuple(Mistake(n, en, ja, v, outputs=("z", "s")) for n, en, ja, v in _LSTM_STEP),
    "lstm_forward": tuple(Mistake(n, en, ja, _lstm_forward(v), outputs=("Z", "S")) for n, en, ja, v in _LSTM_STEP),
    "lstm_backward": (
        Mistake("cell_path_dropped",
                "Did you drop the path through the memory cell? ∂E/∂s_{t−1} = ∂E/∂s_t ⊙ g^F_t must be carried back "
                "and added to ∂E/∂s_{t−1}.",
                "メモリセルを通る経路を落としていませんか？∂E/∂s_{t−1} = ∂E/∂s_t ⊙ g^F_t を一つ前の時刻へ運び、"
                "そこで ∂E/∂s_{t−1} に足してください。",
                _lstm_backward(cell_path=False)),
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


# ---------------------------------------------------------------------------------------------
# gru


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
)

GRU = {
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


MISTAKES: dict[tuple[str, str], tuple[Mistake, ...]] = {
    **{("rnn_bptt", f): ms for f, ms in RNN_BPTT.items()},
    **{("lstm", f): ms for f, ms in LSTM.items()},
    **{("gru", f): ms for f, ms in GRU.items()},
}
