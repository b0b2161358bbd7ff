"""The typical mistakes of the vanishing exercise (see autograder/mistakes.py for how they are matched)."""

from __future__ import annotations

import numpy as np

from ..checks import is_complex
from ..mistakes import Mistake


def _eigvals(W):
    return np.linalg.eigvals(np.asarray(W, dtype=np.float64))


def _powers(norm=lambda A: np.linalg.norm(A, 2), power=lambda W, k: np.linalg.matrix_power(W, k), first=0):
    def power_norms(W, K):
        return np.array([norm(power(W, k)) for k in range(first, K + 1)], dtype=np.float64)

    return power_norms


def _state(transpose=True, fprime="tanh", direct="all", out="z"):
    """∂E/∂z_t = dZ_t + Wᵀ δ_{t+1}, written wrongly in one way; out="u" returns the δ's instead."""

    def fp(u):
        return {"tanh": 1.0 - np.tanh(u) ** 2, "u": 1.0 - u ** 2, "none": np.ones_like(u)}[fprime]

    def state_gradients(U, W, dZ):
        T, H = U.shape
        G, D = np.zeros((T, H)), np.zeros((T, H))
        back = np.zeros(H)
        for t in range(T - 1, -1, -1):
            G[t] = (dZ[t] if direct == "all" or t == T - 1 else 0.0) + back
            D[t] = G[t] * fp(U[t])
            back = (W.T if transpose else W) @ D[t]
        return D if out == "u" else G

    return state_gradients


def _truncated(cut=lambda t, T, k: t % k == 0, sliding=False):
    """∂E/∂z_t cut wrongly: no error reaches z_t from z_{t+1} where cut(t, T, k) (t counted from 1); sliding: a
    window of k steps back from every error dZ_s (each dZ_s reaches z_{s−k+1} … z_s) instead of fixed chunks."""

    def truncated_state_gradients(U, W, dZ, k):
        T, H = U.shape
        fp = 1.0 - np.tanh(U) ** 2
        G = np.zeros((T, H))
        if sliding:
            for s in range(T):
                g = dZ[s].copy()
                for t in range(s, max(s - k, -1), -1):
                    G[t] += g
                    g = W.T @ (fp[t] * g)
            return G
        back = np.zeros(H)
        for t in range(T - 1, -1, -1):
            G[t] = dZ[t] + (0.0 if cut(t + 1, T, k) else back)
            back = W.T @ (fp[t] * G[t])
        return G

    return truncated_state_gradients


def _clip(norm_of=None, coef=None, elementwise=False, after=False):
    def clip_grad_norm(grads, max_norm):
        total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
        if elementwise:
            out = {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}
        elif norm_of == "each":
            out = {k: g * min(1.0, max_norm / (np.linalg.norm(g) + 1e-6)) for k, g in grads.items()}
        else:
            c = coef(total, max_norm)
            out = {k: g * c for k, g in grads.items()}
        if after:
            total = float(np.sqrt(sum(np.sum(g ** 2) for g in out.values())))
        return out, total

    return clip_grad_norm


_TORCH = lambda total, theta: min(1.0, theta / (total + 1e-6))  # noqa: E731

MISTAKES = {
    "spectral_radius": (
        Mistake("largest_real_eigenvalue",
                "Did you take the largest eigenvalue instead of the largest |eigenvalue|? A negative (or complex) "
                "eigenvalue can be the one of largest modulus: ρ(W) = max_i |λ_i|.",
                "絶対値の最大ではなく、最大の固有値を取っていませんか？負（や複素数）の固有値の絶対値が最大のこともあります: "
                "ρ(W) = max_i |λ_i|。",
                lambda W: float(np.max(_eigvals(W).real))),
        Mistake("modulus_of_real_part",
                "Did you take |Re λ| instead of |λ|? For a complex eigenvalue |λ| = √(Re λ² + Im λ²): "
                "use np.abs on the complex eigenvalues themselves.",
                "|λ| の代わりに |Re λ| を取っていませんか？複素数の固有値では |λ| = √(Re λ² + Im λ²) です。"
                "複素数の固有値そのものに np.abs を使ってください。",
                lambda W: float(np.max(np.abs(_eigvals(W).real)))),
        Mistake("spectral_norm",
                "Did you compute the largest singular value ‖W‖₂ (np.linalg.norm(W, 2))? ρ(W) is the largest "
                "|eigenvalue|; the two differ unless W is normal (e.g. symmetric).",
                "最大特異値 ‖W‖₂（np.linalg.norm(W, 2)）を計算していませんか？ρ(W) は固有値の絶対値の最大です。"
                "W が正規行列（対称行列など）でなければ二つは異なります。",
                lambda W: float(np.linalg.norm(W, 2))),
        Mistake("eigvalsh_on_non_symmetric",
                "Did you use np.linalg.eigvalsh? It assumes a symmetric W and reads only one triangle of it; "
                "the recurrent W is not symmetric: use np.linalg.eigvals.",
                "np.linalg.eigvalsh を使っていませんか？これは W が対称行列だと仮定して片側の三角部分しか読みません。"
                "再帰の重み W は対称ではないので np.linalg.eigvals を使ってください。",
                lambda W: float(np.max(np.abs(np.linalg.eigvalsh(W))))),
        Mistake("complex_eigenvalue",
                "Did you return an eigenvalue itself? np.linalg.eigvals(W) gives complex numbers, and "
                "ρ(W) = max |λ_i|: take the absolute value of the eigenvalues.",
                "固有値そのものを返していませんか？np.linalg.eigvals(W) の結果は複素数です。ρ(W) = max |λ_i| なので、"
                "固有値の絶対値を取ってください。",
                returns=is_complex),
    ),
    "power_norms": (
        Mistake("entrywise_power",
                "Did you raise the entries to the k-th power (W ** k)? W^k is the matrix power W W … W: "
                "multiply with @, or use np.linalg.matrix_power.",
                "各要素を k 乗（W ** k）していませんか？W^k は行列の積 W W … W です。@ で掛けるか "
                "np.linalg.matrix_power を使ってください。",
                _powers(power=lambda W, k: W ** k)),
        Mistake("frobenius_norm",
                "Did you use the Frobenius norm (np.linalg.norm(A) without ord)? ‖W^k‖₂ is the spectral norm, "
                "np.linalg.norm(A, 2).",
                "フロベニウスノルム（ord なしの np.linalg.norm(A)）を使っていませんか？‖W^k‖₂ はスペクトルノルム "
                "np.linalg.norm(A, 2) です。",
                _powers(norm=np.linalg.norm)),
        Mistake("starts_at_W1",
                "Did you start at W¹? The K+1 norms start with ‖W⁰‖₂ = ‖I‖₂ = 1, then k = 1, …, K.",
                "W¹ から始めていませんか？K+1 個のノルムは ‖W⁰‖₂ = ‖I‖₂ = 1 から始まり、k = 1, …, K と続きます。",
                _powers(first=1)),
    ),
    "state_gradients": (
        Mistake("W_not_transposed",
                "Did you use W instead of Wᵀ? z_t enters u_{t+1} = … + W z_t, so the error goes back as "
                "Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}).",
                "Wᵀ の代わりに W を使っていませんか？z_t は u_{t+1} = … + W z_t に入るので、誤差は "
                "Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}) として戻ります。",
                _state(transpose=False)),
        Mistake("returned_deltas",
                "Did you return δ_t = ∂E/∂u_t instead of ∂E/∂z_t? The row for step t is the error on z_t, "
                "before the factor f′(u_t) of its own step.",
                "∂E/∂z_t の代わりに δ_t = ∂E/∂u_t を返していませんか？時刻 t の行は z_t に対する誤差で、"
                "その時刻自身の f′(u_t) はまだ掛けません。",
                _state(out="u")),
        Mistake("f_prime_missing",
                "Did you leave out f′(u_{t+1})? z_t reaches z_{t+1} through tanh: ∂E/∂z_t gets "
                "Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}), f′(u) = 1 − tanh(u)².",
                "f′(u_{t+1}) を忘れていませんか？z_t は tanh を通って z_{t+1} に届くので、∂E/∂z_t には "
                "Wᵀ (f′(u_{t+1}) ⊙ ∂E/∂z_{t+1}) が加わります（f′(u) = 1 − tanh(u)²）。",
                _state(fprime="none")),
        Mistake("f_prime_of_u_as_z",
                "Did you compute f′ as 1 − u²? That is 1 − z² with z = u; f′(u) = 1 − tanh(u)².",
                "f′ を 1 − u² として計算していませんか？それは z = u とみなした 1 − z² です。f′(u) = 1 − tanh(u)² です。",
                _state(fprime="u")),
        Mistake("direct_error_only_at_T",
                "Did you add dZ_t only at t = T? Every step's direct error dZ_t joins ∂E/∂z_t "
                "(only a many-to-one network has dZ_t = 0 for t < T).",
                "dZ_t を t = T でしか足していませんか？各時刻の直接の誤差 dZ_t がすべて ∂E/∂z_t に加わります"
                "（t < T で dZ_t = 0 になるのは many-to-one のときだけです）。",
                _state(direct="last")),
    ),
    "truncated_state_gradients": (
        Mistake("cut_one_step_late",
                "Did you test the row index, t % k == 0 on row t? Row t−1 holds z_t, and the chunks end at "
                "t = k, 2k, … counted from 1; that test ends them one step late, at t = 1, k+1, 2k+1, ….",
                "行の番号で t % k == 0 と判定していませんか？行 t−1 が z_t で、まとまりは 1 から数えて t = k, 2k, … で"
                "終わります。その判定では境目が 1 時刻遅れて t = 1, k+1, 2k+1, … になります。",
                _truncated(cut=lambda t, T, k: t % k == 1 % k)),
        Mistake("cut_one_step_early",
                "Did you cut one step early, after k−1 steps (chunks ending at t = k−1, 2k−1, …)? z_t is the "
                "last step of its chunk when t is a multiple of k: z_t gets nothing from z_{t+1}, but z_{t−1} "
                "still gets Wᵀ δ_t.",
                "1 時刻早く、k−1 時刻で打ち切って（まとまりが t = k−1, 2k−1, … で終わって）いませんか？t が k の倍数のとき "
                "z_t がまとまりの最後で、z_t には z_{t+1} からの誤差が届きませんが、z_{t−1} にはまだ Wᵀ δ_t が届きます。",
                _truncated(cut=lambda t, T, k: (t + 1) % k == 0)),
        Mistake("sliding_window",
                "Did you carry each error dZ_s back k steps (a window sliding with s)? Truncated BPTT here cuts the "
                "sequence into fixed chunks t = 1…k, k+1…2k, …, as when the state is detached every k steps: "
                "an error crosses no chunk boundary, however near it is.",
                "各時刻の誤差 dZ_s をそれぞれ k 時刻さかのぼらせて（s とともに動く窓で）いませんか？ここでの打ち切り BPTT は、"
                "状態を k 時刻ごとに切り離す (detach) のと同じで、系列を t = 1…k, k+1…2k, … の固定したまとまりに区切ります。"
                "誤差は、すぐ近くでも、まとまりの境目を越えません。",
                _truncated(sliding=True)),
        Mistake("chunks_from_the_end",
                "Did you count the chunks from t = T? They are counted from t = 1 (t = 1…k, k+1…2k, …), as when "
                "the forward pass detaches the state every k steps: when k does not divide T the last chunk "
                "is the shorter one.",
                "まとまりを t = T から数えていませんか？順伝播で k 時刻ごとに状態を切り離すのと同じく、t = 1 から数えます "
                "(t = 1…k, k+1…2k, …)。k が T を割り切らないときは、最後のまとまりが短くなります。",
                _truncated(cut=lambda t, T, k: (T - t) % k == 0)),
        Mistake("not_truncated",
                "Did you leave the recursion uncut? z_t gets no Wᵀ δ_{t+1} when t is a multiple of k: "
                "the error stops at every chunk boundary (only k ≥ T gives the full BPTT).",
                "漸化式を打ち切り忘れていませんか？t が k の倍数のとき z_t には Wᵀ δ_{t+1} が届きません。"
                "誤差はまとまりの境目ごとに止まります（k ≥ T のときだけ、打ち切らない BPTT と同じになります）。",
                _truncated(cut=lambda t, T, k: False)),
    ),
    "grad_norms_over_time": (
        Mistake("norm_over_time",
                "Did you take the norm over time (axis=0)? Each step t gets its own norm over the H units: axis=1.",
                "時間方向（axis=0）にノルムを取っていませんか？各時刻 t ごとに H 個のユニットについてノルムを取ります: axis=1。",
                lambda G: np.linalg.norm(G, axis=0)),
        Mistake("squared_norm",
                "Did you forget the square root? ‖g‖ = √(Σ_j g_j²).",
                "平方根を忘れていませんか？‖g‖ = √(Σ_j g_j²) です。",
                lambda G: np.sum(np.asarray(G) ** 2, axis=1)),
    ),
    "clip_grad_norm": (
        Mistake("per_array_norm",
                "Did you clip each array by its own norm? Clipping by the global norm uses one ‖g‖ over all "
                "arrays together and one factor c for all of them, so the direction of g is kept.",
                "配列ごとに自分のノルムでクリップしていませんか？ノルムによるクリッピングでは、すべての配列をまとめた "
                "‖g‖ を一つ求め、全部に同じ係数 c を掛けます（g の向きが保たれます）。",
                _clip(norm_of="each"), outputs=("grads",)),
        Mistake("no_min_with_one",
                "Did you always scale to θ? c = min(1, θ / (‖g‖ + 10⁻⁶)): a gradient shorter than θ is left as it is.",
                "常に長さ θ に揃えていませんか？c = min(1, θ / (‖g‖ + 10⁻⁶)) なので、θ より短い勾配はそのままです。",
                _clip(coef=lambda total, theta: theta / (total + 1e-6)), outputs=("grads",)),
        Mistake("entrywise_clip",
                "Did you clip every entry to [−θ, θ] (np.clip)? Clipping by norm scales all the arrays by one "
                "factor c = min(1, θ / (‖g‖ + 10⁻⁶)).",
                "各要素を [−θ, θ] に切り詰めて（np.clip）いませんか？ノルムによるクリッピングでは、すべての配列に同じ係数 "
                "c = min(1, θ / (‖g‖ + 10⁻⁶)) を掛けます。",
                _clip(elementwise=True), outputs=("grads",)),
        Mistake("epsilon_missing",
                "Did you leave out the 10⁻⁶? c = min(1, θ / (‖g‖ + 10⁻⁶)), as torch.nn.utils.clip_grad_norm_.",
                "10⁻⁶ を忘れていませんか？c = min(1, θ / (‖g‖ + 10⁻⁶)) です（torch.nn.utils.clip_grad_norm_ と同じ）。",
                _clip(coef=lambda total, theta: min(1.0, theta / total)), outputs=("grads",)),
        Mistake("norm_after_clipping",
                "Did you return the norm after clipping? Return ‖g‖ before clipping (it shows how large the "
                "gradient really was).",
                "クリップ後のノルムを返していませんか？クリップ前の ‖g‖ を返してください（勾配が実際にどれだけ大きかったかが分かります）。",
                _clip(coef=_TORCH, after=True), outputs=("norm",)),
    ),
}
