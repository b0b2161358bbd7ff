"""The catalog's general section: the summary lines of ``rnngrade check`` and of the notebooks' test cells, the points,
which cases ("visible", "hidden"), the text report's lines (report.text_report) and the runner's "skipped" messages
(the worker sends the facts: a status and the total time; the words are these)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- summary lines, points, which cases -------------------------------------------------------------------
    "summary": {
        "en": "{mark} {function}: {passed}/{total} {which} passed ({points:.2f} / {possible:g} points{scope})",
        "ja": "{mark} {function}: {which} {total} 件中 {passed} 件に合格（{points:.2f} / {possible:g} 点{scope}）",
    },
    "cases_visible": {"en": "visible cases", "ja": "公開ケース"},
    "cases_all": {"en": "cases", "ja": "全ケース"},
    "scope_visible": {"en": "; the visible cases' share of the function's {full:g}",
                      "ja": "、関数の {full:g} 点のうち公開ケースの分"},
    "scope_all": {"en": "", "ja": ""},
    "info_line": {"en": "ℹ {function}: {text}", "ja": "ℹ {function}: {text}"},
    "note": {"en": "note: {text}", "ja": "注: {text}"},
    "hidden_mark": {"en": " (hidden)", "ja": "（非公開）"},
    "report_head": {"en": "{assignment} — {student}: {score:g} / {max_score:g} points",
                    "ja": "{assignment} — {student}: {score:g} / {max_score:g} 点"},
    "report_function": {"en": "{mark} {function:<{width}} {got:5.2f} / {possible:<5.2f} {passed}/{total} cases passed",
                        "ja": "{mark} {function:<{width}} {got:5.2f} / {possible:<5.2f} 点、{total} 件中 {passed} 件に合格"},
    "report_info": {"en": "ℹ {function:<{width}} information only (0 points)",
                    "ja": "ℹ {function:<{width}} 参考情報（0 点）"},
    "report_tail": {"en": "graded in {seconds:.2f} s (rnngrade {version})",
                    "ja": "採点時間 {seconds:.2f} 秒（rnngrade {version}）"},
    "step_vs_recurrence": {
        "en": "{function}: the T = 1 cases pass and the T > 1 cases fail: the step is right, the recurrence is wrong "
              "(what is carried from one time step to the next).",
        "ja": "{function}: T = 1 のケースは合格し、T > 1 のケースが不合格です。1 時刻分の計算は正しく、時刻から時刻へ"
              "引き継ぐ量（再帰）が誤っています。",
    },
    # ---- the runner's "skipped" (facts from the worker, words here) -------------------------------------------
    "skipped_total": {
        "en": "{function}: skipped, expected a result (got none: the submission's total time of {seconds} s was used up "
              "by earlier calls).",
        "ja": "{function}: 実行されませんでした（期待: 戻り値、実際: それ以前の呼び出しで提出全体の制限時間 {seconds} 秒を使い切りました）。",
    },
    "skipped_crashes": {
        "en": "{function}: skipped, expected a result (got none: the worker crashed or timed out repeatedly on earlier "
              "calls).",
        "ja": "{function}: 実行されませんでした（期待: 戻り値、実際: それ以前の呼び出しでワーカーが繰り返し異常終了または時間切れになりました）。",
    },
    "skipped": {
        "en": "{function}: skipped, expected a result (got none).",
        "ja": "{function}: 実行されませんでした（期待: 戻り値、実際: なし）。",
    },
}
