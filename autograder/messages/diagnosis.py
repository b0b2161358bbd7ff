"""The catalog's diagnosis section: diagnosis.py's sentences (the first wrong quantity, the result related to the
reference, the crashes, the order of problems), keys prefixed ``diag_``.

Facts are plain values (names, numbers, shapes, the quoted source line) or words of another entry of this
section chosen in the same language (``line``: diag_line, ``small``: diag_small_case, a list joined with
diag_list_sep, …). diagnosis.py chooses which entry; it writes no words itself.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- pieces: a sentence's end, lists, names of gradients -------------------------------------------------
    "diag_sentence": {"en": "{text}.", "ja": "{text}。"},
    "diag_list_sep": {"en": ", ", "ja": "、"},
    "diag_and_sep": {"en": " and ", "ja": "、"},
    "diag_or_sep": {"en": " or ", "ja": "、"},
    "diag_dims_paren": {"en": " ({names})", "ja": "（{names}）"},  # the sizes a length may be: " (T or H)"
    "diag_key_grad": {"en": "∂E/∂{key}", "ja": "∂E/∂{key}"},
    "diag_key_grad_named": {"en": "∂E/∂{key} ({name})", "ja": "∂E/∂{key}（{name}）"},
    # ---- Relate: the wrong array as a transformation of the reference (the head of a sentence: no final stop) --
    "diag_nonfinite_first": {
        "en": "the first non-finite value appears there: an exp of a large number overflows (shift by each row's own "
              "maximum before exp), or a log 0, 0/0 or ∞ − ∞",
        "ja": "最初の有限でない値がそこに現れます。大きな数の exp がオーバーフローしている（exp の前に各行自身の最大値を引く）か、"
              "log 0、0/0、∞ − ∞ です",
    },
    "diag_activation": {
        "en": "{quantity} equals {act}({name}): check the activation (the lecture's f, σ for a gate)",
        "ja": "{quantity} が {act}({name}) に一致します。活性化関数（講義の f、ゲートなら σ）を確かめてください",
    },
    "diag_scale_minus_one": {
        "en": "it is the reference times −1: a sign is flipped (e.g. y − ŷ for ŷ − y, or a − for a +)",
        "ja": "参照解の −1 倍です。符号が反転しています（例: ŷ − y の代わりに y − ŷ、+ の代わりに −）",
    },
    "diag_scale_half": {
        "en": "it is half the reference: a factor ½ too many (or a 2 missing)",
        "ja": "参照解のちょうど半分です。余分な ½ があるか、2 が欠けています",
    },
    "diag_scale_twice": {
        "en": "it is twice the reference: a factor ½ missing, or a term counted twice",
        "ja": "参照解のちょうど 2 倍です。½ が欠けているか、同じ項を 2 回足しています",
    },
    "diag_scale_zero": {
        "en": "it is all zeros where the reference is not: the result was never written (the loop did not run, the "
              "initial zeros were returned) or everything was clipped to 0",
        "ja": "参照解が 0 でないのにすべて 0 です。結果が書き込まれていない（ループが回っていない、初期化した 0 を返している）か、"
              "すべて 0 に切り捨てられています",
    },
    "diag_scale_mean": {
        "en": "it is the reference times {factor}: a mean where the lecture has a sum (or an extra division)",
        "ja": "参照解の {factor} 倍です。講義の和の代わりに平均を取っている（または余分に割っている）ようです",
    },
    "diag_scale_other": {
        "en": "it is a constant multiple of the reference: a wrong constant factor (a learning rate, ½, a "
              "normalisation) and the rest right",
        "ja": "参照解の定数倍です。定数の係数（学習率、½、正規化）が違い、それ以外は正しいようです",
    },
    "diag_scale_sum": {
        "en": "it is the reference times {factor}: a sum where the lecture has a mean (or a missing division)",
        "ja": "参照解の {factor} 倍です。講義の平均の代わりに和を取っている（または割り算が抜けている）ようです",
    },
    "diag_transpose": {
        "en": "it is the reference transposed: a product in the wrong order, or ᵀ missing/extra",
        "ja": "参照解の転置です。積の順序が逆か、ᵀ の付け忘れ・付けすぎです",
    },
    "diag_time_shift_back": {
        "en": "from the second step on it equals the reference one step earlier: an index t − 1 where t belongs (or "
              "the initial state counted as a step)",
        "ja": "2 番目の時刻以降、参照解の 1 時刻前の値に一致します。t の代わりに t − 1 を使っている（または初期状態を 1 時刻と"
              "数えている）ようです",
    },
    "diag_time_shift_ahead": {
        "en": "it equals the reference one step later: an index t + 1 where t belongs",
        "ja": "参照解の 1 時刻後の値に一致します。t の代わりに t + 1 を使っているようです",
    },
    "diag_time_reversed": {
        "en": "it is the reference in reversed time: the loop or the stacking runs the wrong way",
        "ja": "参照解を時間反転したものです。ループまたは積み重ねの向きが逆です",
    },
    "diag_index_shift_back": {
        "en": "from the second entry (row) on it equals the reference's previous one: an index off by one (k − 1 "
              "where k belongs, or a range starting one too early)",
        "ja": "2 番目の要素（行）以降が参照解の 1 つ前の値に一致します。添字が 1 つずれています（k の代わりに k − 1、"
              "または 1 つ早く始まる range）",
    },
    "diag_index_shift_ahead": {
        "en": "entry (row) k equals the reference's entry k + 1: an index off by one (k + 1 where k belongs, or a "
              "range starting at 1 instead of 0)",
        "ja": "要素（行）k が参照解の k + 1 番目の値に一致します。添字が 1 つずれています（k の代わりに k + 1、"
              "または 0 ではなく 1 から始まる range）",
    },
    "diag_unwritten_last": {
        "en": "the wrong row is the last one, left at 0: a loop that stops short (range(n − 1)) or a branch that "
              "skips them",
        "ja": "誤っているのは最後の行で、0 のままです。途中で止まるループ（range(n − 1)）か、それを飛ばす分岐があります",
    },
    "diag_unwritten_some": {
        "en": "the wrong rows (entries) are left at 0: a loop that stops short (range(n − 1)) or a branch that "
              "skips them",
        "ja": "誤っている行（要素）は 0 のままです。途中で止まるループ（range(n − 1)）か、それを飛ばす分岐があります",
    },
    "diag_swapped_halves": {
        "en": "its two halves are swapped{names}: the blocks are concatenated in the wrong order",
        "ja": "前半と後半が入れ替わっています{names}。ブロックを連結する順序が逆です",
    },
    "diag_halves_names": {"en": " ({first} and {second})", "ja": "（{first} と {second}）"},
    "diag_bias_column_moved": {
        "en": "its columns are the reference's, rotated by one: the bias column is last instead of first "
              "(W̃ = [b W], x̃ = [1; x])",
        "ja": "列が参照解の列を 1 つずらしたものです。バイアスの列が先頭ではなく末尾にあります（W̃ = [b W]、x̃ = [1; x]）",
    },
    "diag_extra_term": {
        "en": "it differs from the reference by exactly {name}: an extra term {name}",
        "ja": "参照解との差がちょうど {name} です: 余分な項 {name}",
    },
    "diag_missing_term": {
        "en": "it differs from the reference by exactly {name}: a missing term {name}",
        "ja": "参照解との差がちょうど {name} です: 欠けた項 {name}",
    },
    "diag_boundary_first": {
        "en": "only the first step is wrong: the start of the recursion (z_0 = 0, the initial state) or the loop's "
              "bound at that end",
        "ja": "最初の時刻だけが誤っています。再帰の始まり（初期状態 z_0 = 0）か、その端のループの範囲を確かめてください",
    },
    "diag_boundary_last": {
        "en": "only the last step is wrong: the start of the recursion (δ_{{T+1}} = 0, the last step) or the loop's "
              "bound at that end",
        "ja": "最後の時刻だけが誤っています。再帰の始まり（δ_{{T+1}} = 0、最後の時刻）か、その端のループの範囲を確かめてください",
    },
    "diag_bias_column_only": {
        "en": "only the first column, the bias's, is wrong: the bias term (a column of ones, Σ_t of the errors)",
        "ja": "先頭の列（バイアスの列）だけが誤っています。バイアスの項（1 の列、誤差の Σ_t）を確かめてください",
    },
    "diag_constant_offset": {
        "en": "it differs from the reference by the same constant everywhere: an extra or missing constant term",
        "ja": "参照解との差がどこでも同じ定数です。定数の項が余分か欠けています",
    },
    "diag_small_error": {
        "en": "the error is small (below 10⁻³): not a wrong formula but a constant (ε, a step size), a float32 "
              "intermediate or a rounding",
        "ja": "誤差が小さい（10⁻³ 未満）ので、式の誤りではなく定数（ε、刻み幅）、float32 の途中計算、丸めが原因です",
    },
    "diag_swapped": {
        "en": "{first} and {second} are swapped: each holds the other's value",
        "ja": "{first} と {second} が入れ替わっています（互いの値を持っています）",
    },
    # ---- Locate: the first wrong quantity, which gradients --------------------------------------------------
    "diag_only_right_one": {
        "en": "Only {right} is right; wrong: {wrong}.",
        "ja": "正しいのは {right} だけで、{wrong} が誤っています。",
    },
    "diag_only_right_many": {
        "en": "Only {right} are right; wrong: {wrong}.",
        "ja": "正しいのは {right} だけで、{wrong} が誤っています。",
    },
    "diag_wrong_keys": {  # every other entry is 0 on this case
        "en": "Wrong: {wrong}.",
        "ja": "誤っているのは {wrong} です。",
    },
    "diag_wrong_and_right": {
        "en": "Wrong: {wrong}; right: {right}.",
        "ja": "誤っているのは {wrong} で、{right} は正しいです。",
    },
    # right, but 0 in the reference: e.g. a recurrent weight's gradient on T = 1, where z_0 = 0
    "diag_zero_key_one": {
        "en": "On this case {zero} is 0, in the reference and in yours: it tells nothing.",
        "ja": "このケースでは {zero} は参照解でもあなたの結果でも 0 なので、何も分かりません。",
    },
    "diag_zero_key_many": {
        "en": "On this case {zero} are 0, in the reference and in yours: they tell nothing.",
        "ja": "このケースでは {zero} は参照解でもあなたの結果でも 0 なので、何も分かりません。",
    },
    "diag_all_wrong": {
        "en": "All {n} gradients are wrong: the mistake is in what they share — the gradients carried back from step "
              "t + 1, or the error every product starts from; the T = 1 case (nothing carried) shows which gradient "
              "the step itself gets wrong.",
        "ja": "{n} 個の勾配がすべて誤っています。誤りはそれらが共有するもの、つまり t + 1 から逆向きに運ぶ勾配か、すべての積の"
              "元になる誤差にあります。T = 1 のケース（運ぶものがない）で、1 時刻分の計算がどの勾配を誤るかが分かります。",
    },
    "diag_all_wrong_shared": {  # no recurrence (a window, a tree's nodes): nothing is carried from step to step
        "en": "All {n} gradients are wrong: the mistake is in what they share — the error every product starts from "
              "(the δ's, ŷ − y).",
        "ja": "{n} 個の勾配がすべて誤っています。誤りはそれらが共有するもの、つまりすべての積の元になる誤差（δ、ŷ − y）に"
              "あります。",
    },
    "diag_first_wrong_after": {
        "en": "The first wrong quantity is {name}; everything computed before it is right.",
        "ja": "最初に誤るのは {name} で、それより前に計算される量はすべて正しいです。",
    },
    "diag_first_wrong_first": {
        "en": "The first wrong quantity is {name}, the first one computed.",
        "ja": "最初に計算される {name} から誤っています。",
    },
    # the first step right and a later one wrong, by how time enters the function (its suite's "across_time")
    "diag_later_step_wrong": {
        "en": "The first step is right and a later one wrong: what is carried from one step to the next (a state, a "
              "counter) is wrong.",
        "ja": "最初のステップは正しく、後のステップが誤っています。ステップからステップへ引き継ぐ量（状態、カウンタ）が"
              "誤っています。",
    },
    "diag_recurrence": {
        "en": "The first step is right and later ones are wrong: the step is right, the recurrence (what is carried "
              "from t − 1) is wrong.",
        "ja": "最初の時刻は正しく、それ以降が誤っています。1 時刻分の計算は正しく、再帰（t − 1 から引き継ぐ量）が誤っています。",
    },
    "diag_recurrence_back": {
        "en": "The last step is right and earlier ones are wrong: the step is right, what is carried back from t + 1 "
              "is wrong.",
        "ja": "最後の時刻は正しく、それより前が誤っています。1 時刻分の計算は正しく、t + 1 から逆向きに伝わる量が誤っています。",
    },
    "diag_window": {
        "en": "The first step is right and later ones are wrong: one step is right, the window over the earlier "
              "inputs x_{{t−1}} … x_{{t−K+1}} is wrong (the delays, the zero padding before t = 1).",
        "ja": "最初の時刻は正しく、それ以降が誤っています。1 時刻分の計算は正しく、それより前の入力 x_{{t−1}} … x_{{t−K+1}} "
              "にわたる窓（遅れ、t = 1 より前のゼロ詰め）が誤っています。",
    },
    "diag_window_back": {
        "en": "The last step is right and earlier ones are wrong: one step is right, the window over the later "
              "δ_{{t+1}} … δ_{{t+K−1}} is wrong (the delays, nothing past t = T).",
        "ja": "最後の時刻は正しく、それより前が誤っています。1 時刻分の計算は正しく、それより後の δ_{{t+1}} … δ_{{t+K−1}} "
              "にわたる窓（遅れ、t = T より後は何もない）が誤っています。",
    },
    "diag_steps_apart": {
        "en": "One step is right and another wrong: each step is computed on its own here, so the mistake is in how "
              "the steps are indexed or laid out (rows for columns, one step's value used for all, a loop that stops "
              "early).",
        "ja": "ある時刻は正しく、別の時刻が誤っています。ここでは各時刻を独立に計算するので、誤りは時刻の添字か並べ方"
              "（行と列、1 時刻の値をすべてに使う、途中で止まるループ）にあります。",
    },
    # the summary line of a function whose T = 1 cases pass and T > 1 cases fail (the recurrence's own is
    # general.py's "step_vs_recurrence")
    "diag_step_vs_window": {
        "en": "{function}: the T = 1 cases pass and the T > 1 cases fail: one step is right, the window over the "
              "earlier inputs x_{{t−1}} … x_{{t−K+1}} is wrong (the delays, the zero padding before t = 1).",
        "ja": "{function}: T = 1 のケースは合格し、T > 1 のケースが不合格です。1 時刻分の計算は正しく、それより前の入力 "
              "x_{{t−1}} … x_{{t−K+1}} にわたる窓（遅れ、t = 1 より前のゼロ詰め）が誤っています。",
    },
    "diag_step_vs_window_back": {
        "en": "{function}: the T = 1 cases pass and the T > 1 cases fail: one step is right, the window over the "
              "later δ_{{t+1}} … δ_{{t+K−1}} is wrong (the delays, nothing past t = T).",
        "ja": "{function}: T = 1 のケースは合格し、T > 1 のケースが不合格です。1 時刻分の計算は正しく、それより後の "
              "δ_{{t+1}} … δ_{{t+K−1}} にわたる窓（遅れ、t = T より後は何もない）が誤っています。",
    },
    "diag_step_vs_sum": {
        "en": "{function}: the T = 1 cases pass and the T > 1 cases fail: one step is right, the sum over the time "
              "steps is wrong (a mean for a sum, only one step counted, a step paired with the wrong time).",
        "ja": "{function}: T = 1 のケースは合格し、T > 1 のケースが不合格です。1 時刻分の計算は正しく、時刻についての和が"
              "誤っています（和の代わりに平均、1 時刻だけを数える、別の時刻との組み合わせ）。",
    },
    "diag_step_vs_steps": {
        "en": "{function}: the T = 1 cases pass and the T > 1 cases fail: each step is computed on its own here, so "
              "the mistake is in how the steps are indexed or laid out (rows for columns, one step's value used for "
              "all, a loop that stops early).",
        "ja": "{function}: T = 1 のケースは合格し、T > 1 のケースが不合格です。ここでは各時刻を独立に計算するので、誤りは"
              "時刻の添字か並べ方（行と列、1 時刻の値をすべてに使う、途中で止まるループ）にあります。",
    },
    "diag_step_vs_positions": {
        "en": "{function}: the T = 1 cases pass and the T > 1 cases fail: with one position every weight of the "
              "softmax is 1, so the mistake is in what runs over the T positions (the softmax's axis, the weighted "
              "sum, the mean over time).",
        "ja": "{function}: T = 1 のケースは合格し、T > 1 のケースが不合格です。位置が 1 つならソフトマックスの重みはすべて 1 "
              "なので、誤りは T 個の位置にわたる計算（ソフトマックスの軸、重み付き和、時間平均）にあります。",
    },
    # ---- wrong shapes ----------------------------------------------------------------------------------------
    "diag_shape_transposed": {
        "en": "Your result is the transpose of what is expected: check the order of the product (A B vs B A) and the "
              "ᵀ's.",
        "ja": "結果が期待される形の転置になっています。積の順序（A B と B A）と ᵀ を確かめてください。",
    },
    "diag_shape_one_fewer": {
        "en": "Axis {axis} has one entry too few{dims}: a bias column or row left out, or a time step (z_0, the last "
              "step) dropped by the loop's range.",
        "ja": "軸 {axis} の要素が 1 つ足りません{dims}。バイアスの列や行を忘れたか、ループの範囲で時刻（z_0 や最後の時刻）が"
              "抜けています。",
    },
    "diag_shape_one_more": {
        "en": "Axis {axis} has one entry too many{dims}: the bias column kept where it is not part of the result, or "
              "the initial state z_0 included.",
        "ja": "軸 {axis} の要素が 1 つ多すぎます{dims}。結果に含めないバイアスの列や初期状態 z_0 を含めています。",
    },
    "diag_shape_axis": {
        "en": "Axis {axis} has the wrong size{dims}: check which of T, H, d, m it should have.",
        "ja": "軸 {axis} の大きさが違います{dims}。T、H、d、m のどれであるべきか確かめてください。",
    },
    "diag_shape_extra_axis": {
        "en": "An axis of length 1 too many: keepdims=True, a column vector (n, 1) where a vector (n,) belongs, or "
              "x[None].",
        "ja": "長さ 1 の軸が余分です。keepdims=True や、ベクトル (n,) の代わりに列ベクトル (n, 1) を使っています。",
    },
    "diag_shape_missing_axis": {
        "en": "An axis of length 1 is missing: keep it (keepdims=True, reshape) as the docstring's shape has it.",
        "ja": "長さ 1 の軸がありません。docstring の形のとおり（keepdims=True や reshape で）残してください。",
    },
    "diag_shape_reshaped": {
        "en": "The right number of entries in the wrong shape: a reshape or ravel where the docstring keeps the axes.",
        "ja": "要素数は正しいのに形が違います。docstring の軸を保たずに reshape や ravel をしています。",
    },
    "diag_shape_scalar": {
        "en": "A single number where an array belongs: a sum over every axis (np.sum without axis=).",
        "ja": "配列の代わりに 1 つの数になっています。axis= を付けずにすべての軸で和を取っています。",
    },
    "diag_shape_reduced": {
        "en": "An axis is missing: a sum or mean over an axis that the result keeps (check axis=).",
        "ja": "軸が 1 つ足りません。結果に残すべき軸で和や平均を取っています（axis= を確かめてください）。",
    },
    "diag_shape_other": {
        "en": "Work out the shape of each intermediate quantity on paper from the docstring's shapes.",
        "ja": "docstring の形から、途中の各量の形を紙に書き出して確かめてください。",
    },
    # ---- wrong types, dtypes, structure ---------------------------------------------------------------------
    "diag_dtype_float32": {
        "en": "A float32 crept in (np.float32, astype, or an array created with dtype=np.float32): compute in float64.",
        "ja": "float32 が混ざっています（np.float32、astype、dtype=np.float32 で作った配列）。float64 で計算してください。",
    },
    "diag_dtype_int": {
        "en": "An integer array: np.zeros_like or np.empty_like of an integer array, integer division //, or np.array "
              "of ints; create float arrays.",
        "ja": "整数の配列です。整数配列の np.zeros_like、整数の割り算 //、整数の np.array が原因です。float の配列を作ってください。",
    },
    "diag_dtype_bool": {
        "en": "A boolean array: a comparison returned instead of a value.",
        "ja": "真偽値の配列です。値ではなく比較の結果を返しています。",
    },
    "diag_dtype_other": {"en": "Compute in float64 throughout.", "ja": "最後まで float64 で計算してください。"},
    "diag_type_none": {
        "en": "None is what a function without a return statement gives: return the result (or the function modified "
              "something and returned nothing).",
        "ja": "None は return 文のない関数が返す値です。結果を return してください。",
    },
    "diag_type_sequence": {
        "en": "A list or tuple where one array belongs: build the result with np.array / np.stack, or return only the "
              "item asked for.",
        "ja": "配列 1 つの代わりにリストやタプルになっています。np.array / np.stack でまとめるか、求められた要素だけを返してください。",
    },
    "diag_type_complex": {
        "en": "A complex number: eigenvalues are complex; take np.abs (the modulus) before the maximum.",
        "ja": "複素数です。固有値は複素数なので、最大値の前に np.abs（絶対値）を取ってください。",
    },
    "diag_type_other": {
        "en": "Return what the docstring lists, as numpy arrays of floats.",
        "ja": "docstring に書かれたものを float の numpy 配列で返してください。",
    },
    "diag_structure_length": {
        "en": "The tuple has the wrong number of items: return exactly the docstring's outputs, in its order.",
        "ja": "タプルの要素数が違います。docstring の出力を、その順に、過不足なく返してください。",
    },
    "diag_structure_keys": {
        "en": "Use exactly the keys of the docstring{missing}; a key's spelling and case matter.",
        "ja": "docstring のキーをそのまま使ってください{missing}。綴りと大文字・小文字も区別されます。",
    },
    "diag_missing_keys": {"en": " (missing: {keys})", "ja": "（ないキー: {keys}）"},
    "diag_nonfinite_number": {
        "en": "A log of 0 or an overflow: only entries with y > 0 enter −Σ y log ŷ (0 · log 0 = 0); shift before exp.",
        "ja": "log 0 またはオーバーフローです。−Σ y log ŷ には y > 0 の要素だけを入れ（0 · log 0 = 0）、exp の前にずらしてください。",
    },
    "diag_small_error_number": {
        "en": "The error is small (below 10⁻³): a constant (ε, a clip) or float32, not a wrong formula.",
        "ja": "誤差が小さい（10⁻³ 未満）ので、式の誤りではなく定数（ε、クリップ）か float32 が原因です。",
    },
    # ---- crashes: pieces ------------------------------------------------------------------------------------
    "diag_line": {"en": " (line: `{line}`)", "ja": "（該当行: `{line}`）"},
    "diag_small_case": {
        "en": " This case has {sizes}: check that the code works for that size (a squeeze, a range(1, T), a [0] that "
              "drops an axis).",
        "ja": "このケースは {sizes} です。その大きさでも動くか確かめてください（squeeze、range(1, T)、軸を落とす [0]）。",
    },
    "diag_named": {"en": " = {names}", "ja": " = {names}"},  # " = D or X": the inputs a shape is
    "diag_named_sep": {"en": " or ", "ja": " または "},
    "diag_sym": {"en": " = {sym}", "ja": " = {sym}"},
    "diag_product_no_fit": {
        "en": "{left} {a}{a_sym} @ {right} {b}{b_sym} does not fit{fit}",
        "ja": "{left} {a}{a_sym} @ {right} {b}{b_sym} は形が合いません{fit}",
    },
    "diag_product_fits": {"en": "; {fit} does", "ja": "。{fit} なら合います"},
    "diag_product_need_rows": {
        "en": "{name} is {shape}{sym}, so {other} must have {need} rows (entries) for {left} @ {right}",
        "ja": "{name} は {shape}{sym} なので、{left} @ {right} の {other} は行（要素）が {need} 個でなければなりません",
    },
    "diag_product_need_columns": {
        "en": "{name} is {shape}{sym}, so {other} must have {need} columns (entries) for {left} @ {right}",
        "ja": "{name} は {shape}{sym} なので、{left} @ {right} の {other} は列（要素）が {need} 個でなければなりません",
    },
    "diag_matmul_fits": {
        "en": "; {fit} fits (a transpose missing or extra, or the operands in the wrong order)",
        "ja": "。{fit} なら合います（ᵀ の付け忘れ・付けすぎ、または順序が逆）",
    },
    "diag_matmul_no_fit": {
        "en": "; write the shape of each operand next to the lecture's equation",
        "ja": "。講義の式の各項の形を書き出してください",
    },
    # numpy's inner sizes and shapes (a visible case's message), the line's operands (their shapes the inputs')
    "diag_inner_sizes": {"en": " (inner sizes {a} and {b})", "ja": "（内側の大きさ {a} と {b}）"},
    "diag_shape_pair": {"en": " ({first} and {second})", "ja": "（{first} と {second}）"},
    "diag_operands": {"en": " ({left} {a} {op} {right} {b})", "ja": "（{left} {a} {op} {right} {b}）"},
    "diag_none_given": {"en": "none", "ja": "なし"},
    # ---- crashes: the sentences -----------------------------------------------------------------------------
    "diag_crash_none_shape": {
        "en": "None used as a size{line}: a shape (T, H) built from a variable that is None (set to None, or the "
              "result of a function without return).",
        "ja": "大きさとして None を使っています{line}。形 (T, H) を None の変数（None を代入したか、return のない関数の戻り値）"
              "から作っています。",
    },
    "diag_crash_scalar_operand": {
        "en": "An operand of a matrix product is a single number{line}: a sum without axis=, an index that picked one "
              "entry, or a constant where a vector or matrix belongs.",
        "ja": "行列積の片方が 1 つの数になっています{line}。axis= のない和、1 要素だけを取り出した添字、ベクトルや行列の代わりの"
              "定数です。",
    },
    "diag_crash_einsum": {
        "en": "An einsum or tensordot whose subscripts do not match its operands{line}: one letter per axis of each "
              "operand, the same letter for axes that are summed together (the inputs here: {shapes}).",
        "ja": "einsum または tensordot の添字が引数と合いません{line}。各引数の軸ごとに 1 文字、足し合わせる軸には同じ文字を"
              "使います（このケースの入力: {shapes}）。",
    },
    "diag_crash_stack": {
        "en": "np.stack / np.vstack / np.hstack take a list of arrays{line}, not a generator or a single array.",
        "ja": "np.stack / np.vstack / np.hstack は配列のリストを取ります{line}。ジェネレータや配列 1 つではありません。",
    },
    "diag_crash_matmul_pair": {
        "en": "A matrix product whose shapes do not fit: A {a}{a_named} times B {b}{b_named}{fit}{line}.",
        "ja": "形の合わない行列積です: A {a}{a_named} と B {b}{b_named}{fit}{line}。",
    },
    "diag_crash_matmul_product": {
        "en": "A matrix product whose shapes do not fit{line}: {product} — a ᵀ missing or extra, or the operands in "
              "the wrong order.",
        "ja": "形の合わない行列積です{line}。{product}（ᵀ の付け忘れ・付けすぎ、または順序が逆）。",
    },
    "diag_crash_matmul": {
        "en": "A matrix product whose inner sizes do not match{sizes}{line}: the inputs here are {shapes}; write each "
              "operand's shape under the lecture's equation — a ᵀ missing or extra, or the operands in the wrong "
              "order.{small}",
        "ja": "内側の大きさが合わない行列積です{sizes}{line}。このケースの入力は {shapes} です。講義の式の各項の形を書き出して"
              "ください（ᵀ の付け忘れ・付けすぎ、または順序が逆）。{small}",
    },
    "diag_crash_broadcast": {
        "en": "An element-wise operation on arrays of shapes that do not broadcast{pair}{line}: one operand is "
              "transposed, has the bias entry (H+1 instead of H), or is a whole sequence where one step "
              "belongs.{small}",
        "ja": "形がブロードキャストできない配列どうしの要素ごとの演算です{pair}{line}。片方が転置されているか、バイアス分の"
              "要素（H ではなく H+1）を含むか、1 時刻分の代わりに系列全体になっています。{small}",
    },
    "diag_crash_assign": {
        "en": "An array does not fit where it is stored or stacked{line}: the slice and the value have different "
              "shapes (a row for a column, H+1 for H, T−1 for T).",
        "ja": "配列を格納・連結する先と形が合いません{line}。スライスと値の形が違います（行と列、H+1 と H、T−1 と T）。",
    },
    "diag_crash_sequence": {
        "en": "A sequence stored where one number belongs{line}: an array or list assigned to a single entry (A[t, j] "
              "= v with v holding several values), or np.array of pieces of different lengths — store a whole row "
              "(A[t] = v) or make the pieces the same length.",
        "ja": "1 つの数が入る所に系列を格納しています{line}。1 要素（A[t, j] = v）に複数の値を持つ配列やリストを代入しているか、"
              "長さの違う部分から np.array を作っています。行ごと（A[t] = v）に格納するか、部分の長さをそろえてください。",
    },
    "diag_crash_unpack": {
        "en": "Unpacking into the wrong number of names{line}: the right side has more or fewer items than the names "
              "on the left — a function returns exactly the tuple its docstring lists (count its outputs), and a "
              "shape unpacks into as many names as it has axes.",
        "ja": "展開する名前の数が合いません{line}。右辺の要素数が左辺の名前の数と違います。関数は docstring に書かれたタプルを"
              "そのまま返し（出力の数を数えてください）、形は軸の数だけの名前に展開されます。",
    },
    "diag_crash_unpack_single": {
        "en": "A single value unpacked into several names{line}: the right side is one number or array, not the tuple "
              "a function returns — return (and unpack) exactly the tuple its docstring lists.",
        "ja": "1 つの値を複数の名前に展開しています{line}。右辺は関数が返すタプルではなく、1 つの数や配列です。docstring に"
              "書かれたタプルをそのまま返し、展開してください。",
    },
    "diag_crash_domain": {
        "en": "A math function outside its domain{line}: math.sqrt or math.log of a negative number (or math.log of "
              "0); math works on one float — on arrays use np.sqrt / np.log, and check the sign of what goes in (a "
              "variance, a norm, a probability).",
        "ja": "数学関数の定義域の外です{line}。負の数の math.sqrt や math.log（または 0 の math.log）です。math は 1 つの float "
              "に使うもので、配列には np.sqrt / np.log を使い、入れる値の符号（分散、ノルム、確率）を確かめてください。",
    },
    "diag_crash_index_edge": {
        "en": "Index {i} on an axis of size {n}{dims}: one past the end, an off-by-one at the loop's edge "
              "(range(T + 1), t + 1 at the last step, or a 1-based t){line}.",
        "ja": "大きさ {n} の軸に添字 {i}{dims}: 末尾の 1 つ先です。ループの端での 1 つずれ（range(T + 1)、最後の時刻での t + 1、"
              "1 始まりの t）です{line}。",
    },
    "diag_crash_index_axis": {
        "en": "Index {i} on axis {axis} of size {n}{line}: the index runs over the wrong size (T for H, or the wrong "
              "axis).",
        "ja": "大きさ {n} の軸 {axis} に添字 {i}{line}: 添字が別の大きさ（H の代わりに T、または別の軸）を走っています。",
    },
    "diag_crash_index_too_many": {
        "en": "Too many indices for the array{line}: it has fewer axes than you index (a vector indexed as a matrix, "
              "x[t, :] on one step's vector).",
        "ja": "配列の軸より多くの添字を使っています{line}。ベクトルを行列として添字付けしています。",
    },
    "diag_crash_index_loop_edge": {
        "en": "An index out of range{line}: t ± 1 at the edge of the time loop, an off-by-one.{small}",
        "ja": "範囲外の添字です{line}。時間ループの端での t ± 1、1 つずれです。{small}",
    },
    "diag_crash_index": {
        "en": "An index out of range{line}: an index beyond the axis's size (an off-by-one, or T for H).{small}",
        "ja": "範囲外の添字です{line}。軸の大きさを超えた添字です（1 つずれ、または H の代わりに T）。{small}",
    },
    "diag_crash_key": {
        "en": "A key that is not there{quoted}{line}: the keys given are {keys} (spelling and case matter; a cache "
              "holds exactly the keys the docstring lists).",
        "ja": "存在しないキーです{quoted}{line}。渡されるキーは {keys} です（綴りと大文字・小文字を区別します。キャッシュは "
              "docstring のキーだけを持ちます）。",
    },
    "diag_crash_none": {
        "en": "None used as a number or an array{line}: a variable set to None, or a function that returns nothing "
              "(no return statement).",
        "ja": "None を数や配列として使っています{line}。None を代入した変数か、return のない関数の戻り値です。",
    },
    "diag_crash_list": {
        "en": "Arithmetic on a Python list or tuple{line}: + joins lists, * repeats them, − and / fail — make it an "
              "array first (np.array, np.stack), or take the item you need from the tuple a function returns.",
        "ja": "Python のリストやタプルで計算しています{line}。+ はリストの連結、* は繰り返しになり、− や / はエラーになります。"
              "先に配列にする（np.array、np.stack）か、関数が返すタプルから必要な要素を取り出してください。",
    },
    "diag_crash_number": {
        "en": "A single number indexed or iterated as if it were an array{line}: a loop over a size needs range "
              "(for t in range(T), not for t in T); elsewhere a sum without axis=, float(…) or an index that already "
              "picked one entry left a number where an array belongs.",
        "ja": "1 つの数を配列のように添字付け・反復しています{line}。大きさについてのループには range が要ります"
              "（for t in T ではなく for t in range(T)）。それ以外なら、axis= のない和、float(…)、すでに 1 要素を取り出した"
              "添字のせいで、配列であるべき所が数になっています。",
    },
    "diag_crash_type_structure": {
        "en": "Something indexed or unpacked is not what the docstring says{line} (a number for an array, a tuple of "
              "the wrong length).",
        "ja": "添字付けや展開をしている値が docstring と違います{line}（配列の代わりに数、長さの違うタプル）。",
    },
    "diag_crash_type_call": {
        "en": "A call with the wrong arguments{line}: check the signature of the function you call (and numpy's: "
              "np.zeros((T, H)) takes one shape tuple).",
        "ja": "引数が違う呼び出しです{line}。呼び出す関数のシグネチャを確かめてください（np.zeros((T, H)) は形のタプル 1 つを"
              "取ります）。",
    },
    "diag_crash_type": {
        "en": "An operation on a value of the wrong type{line}: a number, None, a list or a dict where an array "
              "belongs.{small}",
        "ja": "型の違う値に対する演算です{line}。配列の代わりに数、None、リスト、dict になっています。{small}",
    },
    "diag_crash_name": {
        "en": "A name used before it is assigned{line}: a variable set only inside a loop or branch that did not run "
              "(T = 1), or a typo.",
        "ja": "代入前の名前を使っています{line}。実行されなかったループや分岐（T = 1）の中でだけ代入した変数か、綴りの誤りです。",
    },
    "diag_crash_zero_division": {
        "en": "A division by zero{line}: a count that is 0 here (T − 1 for T = 1, a bias correction 1 − βᵗ at t = 0).",
        "ja": "0 での割り算です{line}。ここでは 0 になる数（T = 1 での T − 1、t = 0 でのバイアス補正 1 − βᵗ）です。",
    },
    "diag_crash_attribute": {
        "en": "An attribute that the value does not have{line}: a list or a number where an ndarray belongs (.T, "
              ".shape), or a misspelt numpy function.",
        "ja": "値にない属性です{line}。ndarray の代わりにリストや数になっている（.T、.shape）か、numpy の関数名の誤りです。",
    },
    "diag_crash_recursion": {
        "en": "Endless recursion{line}: a function that calls itself without reaching a base case.",
        "ja": "終わらない再帰です{line}。基底に届かないまま自分自身を呼んでいます。",
    },
    "diag_crash_overflow": {
        "en": "A number too large{line}: an exp or a power of a large value; shift before exp.",
        "ja": "大きすぎる数です{line}。大きな値の exp やべき乗です。exp の前にずらしてください。",
    },
    "diag_crash_value": {
        "en": "A ValueError{line}: usually shapes that do not fit (the inputs here: {shapes}) or an argument out of "
              "its range.{small}",
        "ja": "ValueError です{line}。多くは形が合わないか（このケースの入力: {shapes}）、引数が範囲外です。{small}",
    },
    "diag_crash_assert": {
        "en": "Your own assert failed{line}: the condition it checks does not hold for these inputs.",
        "ja": "あなた自身の assert が失敗しました{line}。このケースの入力ではその条件が成り立ちません。",
    },
    "diag_crash_other": {
        "en": "An exception{line}: the inputs here are {shapes}.{small}",
        "ja": "例外です{line}。このケースの入力は {shapes} です。{small}",
    },
    # ---- no result ------------------------------------------------------------------------------------------
    "diag_timeout": {
        "en": "A loop that never ends: a while loop whose counter is not advanced, or a range over something far "
              "larger than T (a value instead of a size).",
        "ja": "終わらないループです。カウンタを進めない while ループか、T よりはるかに大きなもの（大きさではなく値）の range です。",
    },
}
