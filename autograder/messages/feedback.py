"""The catalog's feedback section: the words of the one-line template of feedback.py and of cases.judge.

    <function>: <quantity> <problem>, expected <X> (got <Y>). <hint>
    <function>: <quantity> <problem>（期待: <X>、実際: <Y>）。<hint>

feedback.py chooses the entry from the facts (checks.Mismatch's code and facts, the worker's outcome) and fills its
{placeholders}; the pieces it composes (what was returned, what was expected, where, "(got …)") are entries too.
A few facts are words of another entry, chosen in the same language: {got} is "_got"'s, {where} "_index"'s,
{expected} "_expected_kind"'s, {head} "gradcheck_source"'s, {gap} a space (none after a Japanese word).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- the sentence: '<function>: <quantity> <problem>. <hint>' -----------------------------------------------
    "sentence": {"en": "{head}. {hint}", "ja": "{head}。{hint}"},
    # ---- what to try, by kind of problem, when the suite has nothing more specific (feedback.GENERIC_HINTS) -----
    "generic_type": {
        "en": "Return numpy arrays (np.array / np.zeros), not lists or other objects.",
        "ja": "リストなどではなく numpy の配列（np.array / np.zeros）を返してください。",
    },
    "generic_dtype": {
        "en": "Compute in float64: do not cast, and create arrays with dtype float (the default).",
        "ja": "float64 で計算してください。型を変換せず、配列は float 型（既定）で作ってください。",
    },
    "generic_shape": {
        "en": "Compare your shapes with the docstring; a transposed result has the right size but the wrong shape.",
        "ja": "docstring に書かれた形と比べてください。転置した結果は要素数が同じでも形が違います。",
    },
    "generic_finite": {
        "en": "Look for overflow: an exp of a large number (softmax without the max shift) or a division by zero.",
        "ja": "オーバーフローを探してください。大きな数の exp（最大値を引かないソフトマックス関数）や 0 での割り算が原因になります。",
    },
    "generic_value": {
        "en": "Print the intermediate quantities on a small case and compare them with the equations of the lecture.",
        "ja": "小さな例で途中の量を表示し、講義の式と一つずつ比べてください。",
    },
    "generic_structure": {
        "en": "Return exactly what the docstring lists, in that order.",
        "ja": "docstring に書かれたものを、その順に、過不足なく返してください。",
    },
    "generic_mutation": {
        "en": "Work on copies (A = A.copy()) or build new arrays instead of writing into the arguments.",
        "ja": "引数に書き込まず、コピー（A = A.copy()）や新しい配列を使ってください。",
    },
    # ---- what the student returned (checks.describe's facts) ---------------------------------------------------
    "indefinite_a": {"en": "a {word}", "ja": "{word}"},
    "indefinite_an": {"en": "an {word}", "ja": "{word}"},
    "thing_array": {"en": "{thing} of dtype {dtype}", "ja": "dtype {dtype} の {thing}"},
    "thing_subclass": {"en": "the subclass {name}", "ja": "ndarray のサブクラス {name}"},
    "thing_ragged": {"en": "a {name} that is not a rectangular array of numbers",
                     "ja": "数の長方形の配列になっていない {name}"},
    "thing_complex": {"en": "a complex number", "ja": "複素数"},
    "thing_bigint": {"en": "an int too large for a float", "ja": "float に収まらない大きさの int"},
    "thing_entry": {"en": "a {container} holding{gap}{inner}", "ja": "{inner}{gap}を含む {container}"},
    # ---- a value the worker could not send (checks.Opaque: wire.OPAQUE's kind and facts) ----------------------
    "opaque_object": {"en": "an object", "ja": "オブジェクト"},
    "opaque_subclass": {"en": "{thing} (ndarray subclass)", "ja": "{thing}（ndarray のサブクラス）"},
    "opaque_complex": {"en": "a complex number", "ja": "複素数"},
    "opaque_dtype": {"en": "a numpy.ndarray of dtype {dtype}", "ja": "dtype {dtype} の numpy.ndarray"},
    "opaque_structured": {"en": "a numpy.ndarray of a structured dtype", "ja": "構造化 dtype の numpy.ndarray"},
    "opaque_unsupported_dtype": {"en": "a numpy.ndarray of an unsupported dtype",
                                 "ja": "扱えない dtype の numpy.ndarray"},
    "opaque_nested": {"en": "a structure nested too deeply", "ja": "入れ子が深すぎる構造"},
    "opaque_bad_keys": {"en": "a dict with keys that are not strings", "ja": "文字列でないキーを持つ dict"},
    "opaque_long_str": {"en": "a very long str", "ja": "非常に長い str"},
    "opaque_bigint": {"en": "an integer too large for a float", "ja": "float に収まらない大きさの整数"},
    "opaque_too_large": {"en": "an array too large to return", "ja": "返すには大きすぎる配列"},
    "opaque_too_much": {"en": "too much data returned (more than {mb} MB)", "ja": "多すぎるデータ（{mb} MB 超）"},
    "opaque_too_much_all": {"en": "too much data returned (more than {mb} MB from all the calls together)",
                            "ja": "多すぎるデータ（すべての呼び出しの合計で {mb} MB 超）"},
    "opaque_malformed": {"en": "malformed data from the worker", "ja": "ワーカーからの不正なデータ"},
    "opaque_unreturnable": {"en": "a value that could not be returned", "ja": "返せなかった値"},
    # ---- what was expected ---------------------------------------------------------------------------------------
    "expected_ndarray": {"en": "a numpy.ndarray", "ja": "numpy.ndarray"},
    "expected_plain_ndarray": {"en": "a plain numpy.ndarray", "ja": "サブクラスでない numpy.ndarray"},
    "expected_float": {"en": "a float", "ja": "float"},
    "expected_dict": {"en": "a dict with keys {keys}", "ja": "キー {keys} を持つ dict"},
    "expected_sequence": {"en": "a {what} of {n} items", "ja": "{n} 個の要素の {what}"},
    "expected_outputs": {"en": "a tuple ({names})", "ja": "tuple ({names})"},
    # ---- where, and what was got --------------------------------------------------------------------------------
    "at_entry": {"en": "at entry {entry}", "ja": "要素 {entry}"},
    "at_index": {"en": "at index {index}", "ja": "位置 {index}"},
    "got": {"en": " (got {got})", "ja": "、実際: {got}"},
    "count": {"en": "{n}", "ja": "{n} 個"},
    "path_result": {"en": "the result", "ja": "戻り値"},
    "path_argument": {"en": "argument {n}", "ja": "引数 {n}"},
    # ---- the <problem> of problem_text, one per code (checks.compare's and cases.judge's facts) ----------------
    "problem_wrong_type": {"en": "has the wrong type, expected {expected}{got}",
                           "ja": "の型が違います（期待: {expected}{got}）"},
    "problem_wrong_dtype": {"en": "has the wrong dtype, expected {expected}{got}",
                            "ja": "の dtype が違います（期待: {expected}{got}）"},
    "problem_wrong_shape": {"en": "has the wrong shape, expected {expected}{got}",
                            "ja": "の形が違います（期待: {expected}{got}）"},
    "problem_wrong_length_values": {"en": "has the wrong length, expected {expected} values{names}{got}",
                                    "ja": "の長さが違います（期待: {expected} 個{names}{got}）"},
    "problem_wrong_length_items": {"en": "has the wrong length, expected {expected} items{names}{got}",
                                   "ja": "の長さが違います（期待: {expected} 個{names}{got}）"},
    "problem_wrong_keys": {"en": "{parts}, expected the keys {expected}{got}",
                           "ja": "のキーが違います（期待: {expected}{got}。{parts}）"},
    "keys_missing": {"en": "lacks the keys {missing}", "ja": "{missing} がありません"},
    "keys_extra": {"en": "has unexpected keys {extra}", "ja": "{extra} は余分です"},
    "keys_extra_hidden": {"en": "has unexpected keys", "ja": "余分なキーがあります"},
    "keys_and": {"en": " and ", "ja": "、"},
    "problem_not_finite_number": {"en": "is not finite, expected a finite number (got {got})",
                                  "ja": "が有限の数ではありません（期待: 有限の数、実際: {got}）"},
    "problem_not_finite": {"en": "is not finite, expected finite values (got {got} {where})",
                           "ja": "に有限でない値があります（期待: すべて有限の値、実際: {where} に {got}）"},
    "problem_value_number": {"en": "disagrees with the reference (rel. error {rel:.1e})",
                             "ja": "が参照解と一致しません（相対誤差 {rel:.1e}）"},
    "problem_value_zero": {"en": "disagrees with the reference (error {abs:.1e} where the reference is 0)",
                           "ja": "が参照解と一致しません（参照解が 0 のところで誤差 {abs:.1e}）"},
    "problem_value_zero_at": {"en": "disagrees with the reference (error {abs:.1e} {where}, where the reference is 0)",
                              "ja": "が参照解と一致しません（{where}、参照解が 0 のところで誤差 {abs:.1e}）"},
    "problem_value": {"en": "disagrees with the reference (max rel. error {rel:.1e})",
                      "ja": "が参照解と一致しません（最大相対誤差 {rel:.1e}）"},
    "problem_value_at": {"en": "disagrees with the reference (max rel. error {rel:.1e} {where})",
                         "ja": "が参照解と一致しません（最大相対誤差 {rel:.1e}、{where}）"},
    "gradcheck_source": {"en": "computed from your {source} ", "ja": "（あなたの {source} から計算）"},
    "problem_gradcheck": {
        "en": "{head}disagrees with central differences of the loss (rel. error {rel:.1e} > {tol:.0e})",
        "ja": "{head}が損失の中心差分と一致しません（相対誤差 {rel:.1e} > {tol:.0e}）",
    },
    "problem_gradcheck_entry": {
        "en": "{head}disagrees with central differences of the loss at index {index} "
              "(rel. error of the entry {elem:.1e} > {elem_tol:.0e})",
        "ja": "{head}が損失の中心差分と一致しません（位置 {index} の相対誤差 {elem:.1e} > {elem_tol:.0e}）",
    },
    "problem_threshold_low": {"en": "is too low, expected at least {bound}{got}",
                              "ja": "が小さすぎます（期待: {bound} 以上{got}）"},
    "problem_threshold_high": {"en": "is too high, expected at most {bound}{got}",
                               "ja": "が大きすぎます（期待: {bound} 以下{got}）"},
    "problem_mutated": {"en": "was modified in place, expected the inputs unchanged (got new values)",
                        "ja": "がその場で書き換えられています（期待: 入力は変更しないこと、実際: 値が変わった）"},
    # ---- when there is no result to compare ----------------------------------------------------------------------
    "not_implemented": {"en": "not implemented yet, expected a result (got NotImplementedError)",
                        "ja": "まだ実装されていません（期待: 戻り値、実際: NotImplementedError）"},
    "not_implemented_hint": {"en": "Replace `raise NotImplementedError()` with your code.",
                             "ja": "`raise NotImplementedError()` をあなたのコードに置き換えてください。"},
    "an_exception": {"en": "an exception", "ja": "例外"},
    "exception_at": {"en": "{name} at {where}", "ja": "{name}（{where}）"},
    "at_line": {"en": "line {line}", "ja": "{line} 行目"},
    "at_cell_line": {"en": "cell {cell}, line {line}", "ja": "セル {cell} の{line} 行目"},
    "raised": {"en": "the call raised an exception, expected a result (got {got})",
               "ja": "呼び出しで例外が発生しました（期待: 戻り値、実際: {got}）"},
    "raised_hint": {"en": "Run it on a small example and read the traceback.",
                    "ja": "小さな例で実行して、トレースバックを読んでください。"},
    "internal_error": {"en": "internal error while judging this case, expected a verdict (got {name})",
                       "ja": "このケースの判定中に採点プログラムの内部エラーが発生しました（期待: 判定結果、実際: {name}）"},
    "internal_error_hint": {"en": "Not necessarily a mistake of yours: please report it.",
                            "ja": "あなたのコードの誤りとは限りません。教員に報告してください。"},
    "missing_function": {"en": "function not found, expected a function named {function} (got nothing)",
                         "ja": "関数が見つかりません（期待: {function} という名前の関数、実際: なし）"},
    "missing_function_hint": {"en": "Keep the names and signatures of the template.",
                              "ja": "テンプレートの関数名と引数を変えないでください。"},
    # ---- when the isolated worker gave no result (feedback.NO_RESULT: no_result_<kind> and its _hint) ---------
    "no_result_timeout": {"en": "timed out after {seconds} s, expected a result (got no answer)",
                          "ja": "{seconds} 秒で時間切れになりました（期待: 戻り値、実際: 応答なし）"},
    "no_result_timeout_hint": {
        "en": "Look for an endless loop, or a computation far slower than needed (Python loops where numpy would do).",
        "ja": "無限ループや、numpy で書ける計算を Python のループで遅くしていないか確認してください。",
    },
    "no_result_total_timeout": {
        "en": "timed out, expected a result (got no answer within the submission's total time of {seconds} s)",
        "ja": "時間切れになりました（期待: 戻り値、実際: 提出全体の制限時間 {seconds} 秒以内に応答なし）",
    },
    "no_result_total_timeout_hint": {
        "en": "Look for endless loops or slow computations in this and the earlier functions.",
        "ja": "この関数とそれ以前の関数に、無限ループや遅い計算がないか確認してください。",
    },
    "no_result_crashed": {"en": "the call crashed the Python process, expected a result (got {what})",
                          "ja": "呼び出しで Python のプロセスが異常終了しました（期待: 戻り値、実際: {what}）"},
    "no_result_crashed_hint": {"en": "Look for os._exit, ctypes, or arrays far larger than the inputs.",
                               "ja": "os._exit や ctypes、入力よりはるかに大きな配列を使っていないか確認してください。"},
    "no_result_import_error": {"en": "the module could not be imported, expected it to define {function} (got {what})",
                               "ja": "モジュールを読み込めませんでした（期待: {function} の定義、実際: {what}）"},
    "no_result_import_error_hint": {"en": "Run the whole file or notebook from a fresh start and fix the first error.",
                                    "ja": "ファイルまたはノートブック全体を最初から実行し、最初のエラーを直してください。"},
    "no_result_import_exit": {
        "en": "the module called sys.exit() at import{where}, expected it only to define functions (got SystemExit)",
        "ja": "モジュールの読み込み中に{where} sys.exit() が呼ばれました（期待: 関数の定義だけ、実際: SystemExit）",
    },
    "no_result_import_exit_hint": {"en": "Remove the exit, or put experiments under `if __name__ == \"__main__\":`.",
                                   "ja": "exit を削除するか、実験コードを `if __name__ == \"__main__\":` の下に移してください。"},
    "no_result_import_timeout": {
        "en": "the module did not finish importing within {seconds} s, expected it only to define functions "
              "(got no answer)",
        "ja": "モジュールの読み込みが {seconds} 秒以内に終わりませんでした（期待: 関数の定義だけ、実際: 応答なし）",
    },
    "no_result_import_timeout_hint": {"en": "Look for an endless loop or a long experiment outside the functions.",
                                      "ja": "関数の外にある無限ループや長い実験コードを確認してください。"},
    "no_result_import_crash": {
        "en": "the module crashed the Python process while being imported, expected it only to define functions "
              "(got {what})",
        "ja": "モジュールの読み込み中に Python のプロセスが異常終了しました（期待: 関数の定義だけ、実際: {what}）",
    },
    "no_result_import_crash_hint": {"en": "Look for os._exit, ctypes or huge arrays outside the functions.",
                                    "ja": "関数の外で os._exit や ctypes、巨大な配列を使っていないか確認してください。"},
    # ---- how a worker process ended (session.describe_exit's facts: exit_<signal>, exit_code, …), the {what} above --
    "exit_unknown": {"en": "the process ended in an unknown way", "ja": "原因不明のプロセスの終了"},
    "exit_code": {"en": "the process exited with code {code}", "ja": "終了コード {code} でのプロセスの終了"},
    "exit_code_hidden": {"en": "the process exited", "ja": "プロセスの終了"},  # a hidden case: not the code it chose
    "exit_sigsegv": {"en": "a segmentation fault (SIGSEGV)", "ja": "セグメンテーション違反（SIGSEGV）"},
    "exit_sigbus": {"en": "a bus error (SIGBUS)", "ja": "バスエラー（SIGBUS）"},
    "exit_sigabrt": {"en": "an abort (SIGABRT)", "ja": "アボート（SIGABRT）"},
    "exit_sigfpe": {"en": "a floating-point exception signal (SIGFPE)", "ja": "浮動小数点例外のシグナル（SIGFPE）"},
    "exit_sigill": {"en": "an illegal instruction (SIGILL)", "ja": "不正な命令（SIGILL）"},
    "exit_sigkill": {"en": "the process killed (SIGKILL), e.g. for using too much memory",
                     "ja": "プロセスの強制終了（SIGKILL、メモリの使いすぎなど）"},
    "exit_sigxcpu": {"en": "the CPU time limit exceeded (SIGXCPU)", "ja": "CPU 時間の制限超過（SIGXCPU）"},
    "exit_sigxfsz": {"en": "the file size limit exceeded (SIGXFSZ)", "ja": "ファイルサイズの制限超過（SIGXFSZ）"},
    "exit_signal": {"en": "the process killed by {name}", "ja": "シグナル {name} によるプロセスの終了"},
    "exit_signal_number": {"en": "the process killed by signal {n}", "ja": "シグナル {n} によるプロセスの終了"},
    "exit_malformed": {"en": "malformed data from the worker", "ja": "ワーカーからの不正なデータ"},
    # ---- the 0-point consistency check (feedback.consistency): {fwd} is "forward_and_loss"'s or the forward -----
    "forward_and_loss": {"en": "{forward} and loss", "ja": "{forward} と loss"},
    "consistency_precision": {"en": " (compared with the tolerance {precision} allows)",
                              "ja": "{precision} の精度に合わせた許容誤差で比べました。"},
    "consistency_agree": {
        "en": "{function}: your gradients agree with central differences of your own {fwd}{prec} "
              "(information, 0 points). If {fwd} is right, so is your backward.",
        "ja": "{function}: 勾配があなた自身の {fwd} の中心差分と一致しています（参考情報、0 点）。{prec}"
              "{fwd} が正しければ、逆伝播も正しいはずです。",
    },
    "consistency_agree_with_loss": {
        "en": "{function}: your gradients agree with central differences of your own {fwd}{prec} "
              "(information, 0 points). If {fwd} are right, so is your backward.",
        "ja": "{function}: 勾配があなた自身の {fwd} の中心差分と一致しています（参考情報、0 点）。{prec}"
              "{fwd} が正しければ、逆伝播も正しいはずです。",
    },
    "consistency_factor": {
        "en": "{function}: central differences of your own {fwd} are exactly {factor:.4g} times your {what} "
              "(information, 0 points): your backward and your {culprit} differ by a constant factor. {check}"
              "; if {function} passes its scored cases, the mistake is in {culprit}.",
        "ja": "{function}: あなた自身の {fwd} の中心差分は、あなたの {what} のちょうど {factor:.4g} 倍です（参考情報、0 点）。"
              "逆伝播と {culprit} の尺度が違います。{check}を確かめてください。{function} の採点ケースに合格していれば、"
              "誤りは {culprit} にあります。",
    },
    "consistency_check_loss": {"en": "Check that loss takes the lecture’s sum, not a mean, and keeps its ½",
                               "ja": "loss が講義の和ではなく平均を取っていないか、½ が抜けていないか"},
    "consistency_check_scale": {"en": "Check the scale of {forward}", "ja": "{forward} の尺度"},
    "consistency_rel_error": {"en": "rel. error {rel:.1e}", "ja": "相対誤差 {rel:.1e}"},
    "consistency_not_comparable": {"en": "not comparable", "ja": "比較できません"},
    "consistency_disagree": {
        "en": "{function}: {what} disagrees with central differences of your own {fwd} ({err}){prec}, expected them "
              "to agree (got a backward that does not match your {fwd}; information, 0 points). If {fwd} is right, "
              "the mistake is in {function}; if not, fix {fwd} first.",
        "ja": "{function}: {what} があなた自身の {fwd} の中心差分と一致しません（{err}、参考情報、0 点）。{prec}"
              "{fwd} が正しいなら誤りは {function} に、そうでなければまず {fwd} を直してください。",
    },
    "consistency_disagree_with_loss": {
        "en": "{function}: {what} disagrees with central differences of your own {fwd} ({err}){prec}, expected them "
              "to agree (got a backward that does not match your {fwd}; information, 0 points). If {fwd} are right, "
              "the mistake is in {function}; if not, fix {fwd} first.",
        "ja": "{function}: {what} があなた自身の {fwd} の中心差分と一致しません（{err}、参考情報、0 点）。{prec}"
              "{fwd} が正しいなら誤りは {function} に、そうでなければまず {fwd} を直してください。",
    },
    # ---- cases.judge's own sentences: an input changed in place, the finite-difference check's gradients -------
    "mutation_writes": {
        "en": "Your function writes into {names} (e.g. W -= …, W[...] = …, or +=, which change the caller's array): "
              "work on a copy or build a new array.",
        "ja": "{names} に書き込んでいます（W -= …、W[...] = …、+= は呼び出し側の配列を変えます）。コピーか新しい配列を使ってください。",
    },
    "mutation_also_wrong": {
        "en": " Its values disagree with the reference too, as an in-place change makes every later use see new "
              "values.",
        "ja": "その場での書き換えは後の計算にも影響するため、値も参照解と一致しません。",
    },
    "gradcheck_wrong_right": {"en": "Wrong: {wrong}; right: {right}.", "ja": "誤り: {wrong}。正しい: {right}。"},
    "gradcheck_all_wrong": {
        "en": "All {n} gradients fail: the mistake is in what they share (the gradient carried back in time, or the "
              "error every product starts from).",
        "ja": "{n} 個の勾配がすべて不合格です。誤りはそれらが共有するもの（時間を逆向きに運ぶ勾配、またはすべての積の元になる誤差）にあります。",
    },
    "gradcheck_one": {
        "en": "∂E/∂{key} fails the finite-difference check while the result's type and shape are right: compare it "
              "with the lecture's product term by term.",
        "ja": "結果の型と形は正しいのに、∂E/∂{key} が有限差分の検査に通りません。講義の積と項ごとに比べてください。",
    },
}
