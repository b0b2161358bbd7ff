"""The typical mistakes of adam_step, shared by the exercises that ask for Adam (rnn_bptt, classify).

Not an exercise itself (the leading underscore): rnn_bptt.py and classify.py list ADAM_MISTAKES under
"adam_step". Each variant is Adam (Kingma & Ba, 2015, Algorithm 1) with one mistake:

    t ← t + 1,  m ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g ⊙ g,
    m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ),  W ← W − η m̂ / (√v̂ + ε).

The suites' adam_step cases separate them: β₁ ≠ β₂, three steps, and one case whose ε is not small
against √v̂ (small gradients, ε = 0.05), where ε's place in the formula shows.
"""

from __future__ import annotations

import numpy as np

from ..mistakes import Mistake


def _adam(correct=(True, True), square=True, t_offset=0, betas_swapped=False, update="paper"):
    """adam_step with one mistake: which moments are bias-corrected, g instead of g ⊙ g, the t used in the
    corrections (t_offset: +1 = t starting at 2, −1 = t used before it is incremented), β₁ and β₂ swapped, or
    the update written as "eps_in_sqrt" (√(v̂ + ε)) or "efficient" (α_t = η √(1 − β₂ᵗ)/(1 − β₁ᵗ), ε not corrected)."""

    def adam_step(params, grads, state=None, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        b1, b2 = (beta2, beta1) if betas_swapped else (beta1, beta2)
        if state is None:
            state = {"t": 0, "m": {k: np.zeros_like(params[k]) for k in params},
                     "v": {k: np.zeros_like(params[k]) for k in params}}
        t = state["t"] + 1
        m = {k: b1 * state["m"][k] + (1 - b1) * grads[k] for k in params}
        v = {k: b2 * state["v"][k] + (1 - b2) * (grads[k] ** 2 if square else grads[k]) for k in params}
        tc = t + t_offset
        c1 = 1 - b1 ** tc if correct[0] else 1.0
        c2 = 1 - b2 ** tc if correct[1] else 1.0
        new = {}
        for k in params:
            if update == "efficient":
                new[k] = params[k] - lr * np.sqrt(c2) / c1 * m[k] / (np.sqrt(v[k]) + eps)
            elif update == "eps_in_sqrt":
                new[k] = params[k] - lr * (m[k] / c1) / np.sqrt(v[k] / c2 + eps)
            else:
                new[k] = params[k] - lr * (m[k] / c1) / (np.sqrt(v[k] / c2) + eps)
        return new, {"t": t, "m": m, "v": v}

    return adam_step


ADAM_MISTAKES = (
    Mistake("no_bias_correction",
            "Did you skip the bias correction? Use m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ), t counting from 1.",
            "バイアス補正を省いていませんか？m̂ = m / (1 − β₁ᵗ)、v̂ = v / (1 − β₂ᵗ) を使ってください（t は 1 から数えます）。",
            _adam(correct=(False, False))),
    Mistake("only_m_corrected",
            "Did you bias-correct m but not v? Both moments start at 0: v̂ = v / (1 − β₂ᵗ) as well as m̂ = m / (1 − β₁ᵗ).",
            "m はバイアス補正して v はしていませんか？二つのモーメントはどちらも 0 から始まるので、m̂ = m / (1 − β₁ᵗ) と同じく "
            "v̂ = v / (1 − β₂ᵗ) も使います。",
            _adam(correct=(True, False))),
    Mistake("only_v_corrected",
            "Did you bias-correct v but not m? Both moments start at 0: m̂ = m / (1 − β₁ᵗ) as well as v̂ = v / (1 − β₂ᵗ).",
            "v はバイアス補正して m はしていませんか？二つのモーメントはどちらも 0 から始まるので、v̂ = v / (1 − β₂ᵗ) と同じく "
            "m̂ = m / (1 − β₁ᵗ) も使います。",
            _adam(correct=(False, True))),
    Mistake("eps_inside_sqrt",
            "Did you put ε inside the square root? The update is η m̂ / (√v̂ + ε): ε is added after the root, "
            "not √(v̂ + ε).",
            "ε を平方根の中に入れていませんか？更新量は η m̂ / (√v̂ + ε) で、ε は √(v̂ + ε) ではなく平方根の後に足します。",
            _adam(update="eps_in_sqrt")),
    Mistake("efficient_form",
            "Did you use the paper's \"efficient\" form, α_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ) and W − α_t m / (√v + ε)? "
            "It leaves ε uncorrected: write W − η m̂ / (√v̂ + ε) with m̂ and v̂ as defined.",
            "論文の「効率的な」形 α_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ)、W − α_t m / (√v + ε) を使っていませんか？"
            "ε が補正されないので結果が変わります。定義どおりの m̂, v̂ で W − η m̂ / (√v̂ + ε) と書いてください。",
            _adam(update="efficient")),
    Mistake("t_from_2",
            "Did you start t at 2 (a state created with t = 1, then incremented)? The first step has t = 1: "
            "1 − β₁¹ = 1 − β₁ in m̂, and each step adds exactly 1.",
            "state を t = 1 で作ってから増やし、t を 2 から始めていませんか？最初のステップは t = 1 で、m̂ の分母は "
            "1 − β₁¹ = 1 − β₁ です。t は 1 ステップに 1 ずつ増えます。",
            _adam(t_offset=1)),
    Mistake("t_used_before_increment",
            "Did you use t before incrementing it (or never increment it)? With t = 0, 1 − β₁⁰ = 0 divides by zero: "
            "increment t first, so that the first step has t = 1.",
            "t を増やす前に使って（または増やさずに）いませんか？t = 0 では 1 − β₁⁰ = 0 で割ることになります。"
            "先に t を増やし、最初のステップを t = 1 にしてください。",
            _adam(t_offset=-1)),
    Mistake("betas_swapped",
            "Did you swap β₁ and β₂? β₁ averages the gradient g (m), β₂ its square g ⊙ g (v).",
            "β₁ と β₂ を取り違えていませんか？β₁ は勾配 g の平均（m）に、β₂ はその二乗 g ⊙ g の平均（v）に使います。",
            _adam(betas_swapped=True)),
    Mistake("v_not_squared",
            "Did you average g instead of g ⊙ g in v? The second moment is v ← β₂ v + (1 − β₂) g ⊙ g.",
            "v で g ⊙ g ではなく g を平均していませんか？二次のモーメントは v ← β₂ v + (1 − β₂) g ⊙ g です。",
            _adam(square=False)),
)
