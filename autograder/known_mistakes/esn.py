"""The typical mistakes of the esn exercise (see autograder/mistakes.py for how they are matched)."""

from __future__ import annotations

import numpy as np
import scipy.linalg

from ..checks import is_complex
from ..mistakes import Mistake


def _scaled_by(radius):
    def scale_to_spectral_radius(W, rho):
        return W * (rho / radius(np.asarray(W, dtype=np.float64)))

    return scale_to_spectral_radius


def _update(z_prev, pre, a, how):
    if how == "swapped":
        return a * z_prev + (1.0 - a) * np.tanh(pre)
    if how == "no_leak":
        return np.tanh(pre)
    if how == "leak_inside":
        return np.tanh((1.0 - a) * z_prev + a * pre)
    return (1.0 - a) * z_prev + a * np.tanh(pre)


def _step(how="right", transpose=False):
    def reservoir_step(x, z_prev, W_in, W, a):
        return _update(z_prev, W_in @ x + (W.T if transpose else W) @ z_prev, a, how)

    return reservoir_step


def _states(how="right", carry=True, shift=False):
    def reservoir_states(X, W_in, W, a):
        T, H = X.shape[0], W.shape[0]
        Z = np.zeros((T, H))
        z = np.zeros(H)
        for t in range(T):
            prev = z if carry else np.zeros(H)
            new = _update(prev, W_in @ X[t] + W @ prev, a, how)
            Z[t] = prev if shift else new
            z = new
        return Z

    return reservoir_states


def _ridge(washout_used=True, penalise_bias=True, transpose=False):
    def ridge_readout(Z, Y, beta, washout):
        w = washout if washout_used else 0
        Zw, Yw = Z[w:], Y[w:]
        Phi = np.hstack([np.ones((Zw.shape[0], 1)), Zw])
        P = beta * np.eye(Phi.shape[1])
        if not penalise_bias:
            P[0, 0] = 0.0
        out = scipy.linalg.solve(Phi.T @ Phi + P, Phi.T @ Yw)
        return out if transpose else out.T

    return ridge_readout


def _generate(how="right", update_first=False, feed_bias=True):
    def generate(z, W_in, W, W_out, a, K):
        m = W_out.shape[0]
        out = np.zeros((K, m))
        y = W_out @ np.concatenate([[1.0], z])
        for k in range(K):
            if update_first or k > 0:
                x = np.concatenate([[1.0], y]) if feed_bias else np.concatenate([y, [1.0]])
                z = _update(z, W_in @ x + W @ z, a, how)
                y = W_out @ np.concatenate([[1.0], z])
            out[k] = y
        return out

    return generate


def _nrmse(kind):
    def nrmse(Yhat, Y):
        err = np.sum((Yhat - Y) ** 2)
        if kind == "not_centred":
            return float(np.sqrt(err / np.sum(Y ** 2)))
        if kind == "no_sqrt":
            return float(err / np.sum((Y - Y.mean(axis=0)) ** 2))
        if kind == "overall_mean":
            return float(np.sqrt(err / np.sum((Y - Y.mean()) ** 2)))
        return float(np.sqrt(err / np.sum((Yhat - Yhat.mean(axis=0)) ** 2)))  # "prediction_spread"

    return nrmse


_LEAK_SWAPPED = (
    "Did you swap a and 1 − a? The old state keeps the share 1 − a and the new tanh(W_in x_t + W z_{t−1}) gets a: "
    "with a = 1 the update is the plain z_t = tanh(u_t).",
    "a と 1 − a を取り違えていませんか？前の状態の割合が 1 − a、新しい tanh(W_in x_t + W z_{t−1}) の割合が a です。"
    "a = 1 なら普通の z_t = tanh(u_t) になります。",
)
_NO_LEAK = (
    "Did you leave out the leak? z_t = (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1}), not tanh(…) alone.",
    "漏れ率を忘れていませんか？z_t = (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1}) で、tanh(…) だけではありません。",
)
_LEAK_INSIDE = (
    "Did you mix the states inside the tanh? The leak mixes after it: (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1}).",
    "tanh の中で状態を混ぜていませんか？漏れ率による混合は tanh の外です: (1 − a) z_{t−1} + a tanh(W_in x_t + W z_{t−1})。",
)

MISTAKES = {
    "scale_to_spectral_radius": (
        Mistake("spectral_norm",
                "Did you divide by the largest singular value ‖W‖₂? The spectral radius is the largest |eigenvalue|, "
                "max_i |λ_i| of np.linalg.eigvals(W); the two differ unless W is normal (e.g. symmetric).",
                "最大特異値 ‖W‖₂ で割っていませんか？スペクトル半径は np.linalg.eigvals(W) の絶対値の最大 max_i |λ_i| です。"
                "W が正規行列（対称行列など）でなければ二つは異なります。",
                _scaled_by(lambda W: np.linalg.norm(W, 2))),
        Mistake("largest_real_eigenvalue",
                "Did you take the largest eigenvalue instead of the largest |eigenvalue|? A negative or complex "
                "eigenvalue can have the largest modulus: ρ(W) = max_i |λ_i|.",
                "絶対値の最大ではなく、最大の固有値を取っていませんか？負や複素数の固有値の絶対値が最大のこともあります: "
                "ρ(W) = max_i |λ_i|。",
                _scaled_by(lambda W: float(np.max(np.linalg.eigvals(W).real)))),
        Mistake("largest_entry",
                "Did you divide by the largest entry max |w_ij|? ρ(W) is the largest modulus of W's eigenvalues, "
                "np.abs(np.linalg.eigvals(W)).max().",
                "要素の最大値 max |w_ij| で割っていませんか？ρ(W) は W の固有値の絶対値の最大、"
                "np.abs(np.linalg.eigvals(W)).max() です。",
                _scaled_by(lambda W: float(np.max(np.abs(W))))),
        Mistake("complex_eigenvalue",
                "Did you divide by an eigenvalue itself? np.linalg.eigvals(W) gives complex numbers, which made W "
                "complex; ρ(W) = max |λ_i|: take the absolute value of the eigenvalues.",
                "固有値そのもので割っていませんか？np.linalg.eigvals(W) の結果は複素数なので、W も複素数になりました。"
                "ρ(W) = max |λ_i| なので、固有値の絶対値を取ってください。",
                returns=is_complex),
    ),
    "reservoir_step": (
        Mistake("leak_swapped", *_LEAK_SWAPPED, _step("swapped")),
        Mistake("no_leak", *_NO_LEAK, _step("no_leak")),
        Mistake("leak_inside_tanh", *_LEAK_INSIDE, _step("leak_inside")),
        Mistake("W_transposed",
                "Did you use Wᵀ z_{t−1} (z_prev @ W)? The recurrent input is W z_{t−1}: W @ z_prev.",
                "Wᵀ z_{t−1}（z_prev @ W）を使っていませんか？再帰の入力は W z_{t−1}、つまり W @ z_prev です。",
                _step(transpose=True)),
    ),
    "reservoir_states": (
        Mistake("state_not_carried",
                "Did you start every step from zeros? Each step must get the previous state z_{t−1}; only z_0 = 0.",
                "毎時刻ゼロから計算していませんか？各時刻には一つ前の状態 z_{t−1} を渡します。0 なのは z_0 だけです。",
                _states(carry=False)),
        Mistake("rows_shifted",
                "Did you store z_{t−1} in row t−1? Row t−1 of Z is z_t, the state after reading x_t; z_0 is not stored.",
                "行 t−1 に z_{t−1} を入れていませんか？Z の行 t−1 は x_t を読んだ後の状態 z_t で、z_0 は含めません。",
                _states(shift=True)),
        Mistake("leak_swapped", *_LEAK_SWAPPED, _states("swapped")),
        Mistake("no_leak", *_NO_LEAK, _states("no_leak")),
    ),
    "ridge_readout": (
        Mistake("washout_ignored",
                "Did you fit on every step? Leave out the first washout rows of Z and Y: they still depend on z_0 = 0.",
                "全時刻で当てはめていませんか？Z と Y の最初の washout 行は z_0 = 0 の影響が残っているので除いてください。",
                _ridge(washout_used=False)),
        Mistake("bias_not_penalised",
                "Did you leave the bias out of the penalty (e.g. sklearn's Ridge with fit_intercept=True)? Here β I "
                "covers every column of W_out, the bias too: (ΦᵀΦ + β I)⁻¹ ΦᵀY with Φ = [1 Z].",
                "バイアスを正則化から外していませんか？（sklearn の Ridge の fit_intercept=True など）ここでは β I が "
                "バイアスも含めた W_out のすべての列に掛かります: (ΦᵀΦ + β I)⁻¹ ΦᵀY、Φ = [1 Z]。",
                _ridge(penalise_bias=False)),
        Mistake("transposed",
                "Did you return (ΦᵀΦ + β I)⁻¹ ΦᵀY itself? That is W_outᵀ, (H+1, m); W_out is its transpose, (m, H+1).",
                "(ΦᵀΦ + β I)⁻¹ ΦᵀY をそのまま返していませんか？それは W_outᵀ (H+1, m) です。W_out はその転置 (m, H+1) です。",
                _ridge(transpose=True)),
    ),
    "generate": (
        Mistake("first_prediction_skipped",
                "Did you update the state before the first readout? ŷ_1 = W_out [1; z] comes from the given z; "
                "update only before ŷ_2, ŷ_3, ….",
                "最初の読み出しの前に状態を更新していませんか？ŷ_1 = W_out [1; z] は与えられた z から読み出し、"
                "更新は ŷ_2, ŷ_3, … の前だけです。",
                _generate(update_first=True)),
        Mistake("no_leak", *_NO_LEAK, _generate("no_leak")),
        Mistake("bias_last",
                "Did you feed [ŷ; 1] back? The input carries the bias first: x = [1; ŷ_{k−1}].",
                "[ŷ; 1] を入力に戻していませんか？入力の先頭がバイアスです: x = [1; ŷ_{k−1}]。",
                _generate(feed_bias=False)),
    ),
    "nrmse": (
        Mistake("not_centred",
                "Did you divide by Σ‖y_t‖²? The denominator is the spread around the mean, Σ‖y_t − ȳ‖².",
                "Σ‖y_t‖² で割っていませんか？分母は平均のまわりの散らばり Σ‖y_t − ȳ‖² です。",
                _nrmse("not_centred")),
        Mistake("no_sqrt",
                "Did you forget the square root? NRMSE = √(Σ‖ŷ_t − y_t‖² / Σ‖y_t − ȳ‖²).",
                "平方根を忘れていませんか？NRMSE = √(Σ‖ŷ_t − y_t‖² / Σ‖y_t − ȳ‖²) です。",
                _nrmse("no_sqrt")),
        Mistake("overall_mean",
                "Did you subtract one mean of all entries? ȳ is the mean over time of each output: Y.mean(axis=0).",
                "全要素の平均を一つだけ引いていませんか？ȳ は出力ごとの時間平均 Y.mean(axis=0) です。",
                _nrmse("overall_mean")),
        Mistake("prediction_spread",
                "Did you normalise by the spread of the predictions? The denominator uses the targets: Σ‖y_t − ȳ‖².",
                "予測値の散らばりで割っていませんか？分母は目標値の散らばり Σ‖y_t − ȳ‖² です。",
                _nrmse("prediction_spread")),
    ),
}
