"""The hint of a backward pass that sends the output error back through the whole W_out, its bias column
included, shared by the exercises whose output layer is ŷ_t = W_out [1; z_t] (rnn_bptt, tdnn, seq2seq).

Not an exercise itself (the leading underscore). The bias column 0 of W_out multiplies the constant 1, not z_t,
so nothing flows back through it: the error reaches z_t through W̃_out = W_out[:, 1:]. Used whole, W_out gives
H+1 entries where z_t has H, and numpy's complaint about H+1 against H is what each exercise matches
(its own ``error=`` predicate: where the sizes stand in the message depends on the product's orientation).
"""

from __future__ import annotations

#: (en, ja) for the column form W_outᵀ (ŷ_t − y_t) (rnn_bptt's and tdnn's deltas)
NOT_REMOVED = (
    "Did you use W_out instead of W̃_out = W_out[:, 1:]? W_outᵀ (ŷ_t − y_t) has H+1 entries; "
    "the bias column sends nothing back, so drop it.",
    "W̃_out = W_out[:, 1:] の代わりに W_out を使っていませんか？W_outᵀ (ŷ_t − y_t) は H+1 個の要素を持ちます。"
    "バイアスの列からは何も逆伝播しないので取り除いてください。",
)

#: (en, ja) for the row form δ^out W_out, one row per step (seq2seq's decoder_backward)
NOT_REMOVED_ROWS = (
    "Did you send δ^out back through W_out instead of W̃_out = W_out[:, 1:]? δ^out W_out has H+1 columns; "
    "the bias column sends nothing back to z′_t.",
    "δ^out を W̃_out = W_out[:, 1:] ではなく W_out で戻していませんか？δ^out W_out は H+1 列になります。"
    "バイアスの列から z′_t へは何も戻りません。",
)
