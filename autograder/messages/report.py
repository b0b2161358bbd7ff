"""The catalog's report section: the class report for TAs (classreport.render_html, report.html), keys prefixed
``class_`` (a result's status, e.g. "class_refused", names why a submission was not graded); the first line of
Gradescope's results.json (report.gradescope_summary) and gradescope.py's fixed outputs, keys prefixed
``gradescope_``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "class_title": {"en": "Class report", "ja": "クラスレポート"},
    "class_students": {"en": "submissions", "ja": "提出"},
    "class_graded": {"en": "graded", "ja": "採点済み"},
    "class_mean": {"en": "mean", "ja": "平均"},
    "class_median": {"en": "median", "ja": "中央値"},
    "class_scores": {"en": "Scores", "ja": "得点分布"},
    "class_score": {"en": "score", "ja": "得点"},
    "class_functions": {"en": "Pass rate per function", "ja": "関数ごとの合格率"},
    "class_function": {"en": "function", "ja": "関数"},
    "class_cases": {"en": "cases passed", "ja": "合格したケース"},
    "class_all_cases": {"en": "students passing every case", "ja": "全ケースに合格した学生"},
    "class_points": {"en": "points earned", "ja": "得点率"},
    "class_fn_note": {
        "en": "Cases folded in; 0-point informational checks are not counted.",
        "ja": "ケースは関数ごとにまとめています。0 点の参考チェックは数えません。",
    },
    "class_diagnoses": {"en": "Most frequent diagnoses", "ja": "多かった診断"},
    "class_mistake": {"en": "known mistake", "ja": "既知の誤り"},
    "class_count": {"en": "students", "ja": "学生数"},
    "class_cases_n": {"en": "cases", "ja": "ケース数"},
    "class_example": {"en": "example message (anonymised)", "ja": "メッセージの例（匿名化）"},
    "class_no_diag": {"en": "No known mistake was diagnosed.", "ja": "既知の誤りは診断されませんでした。"},
    "class_ungraded": {"en": "Not graded", "ja": "採点できなかった提出"},
    "class_student": {"en": "student", "ja": "学生"},
    "class_status": {"en": "status", "ja": "状態"},
    "class_reason": {"en": "reason", "ja": "理由"},
    "class_all_graded": {"en": "Every submission was graded.", "ja": "すべての提出を採点しました。"},
    "class_refused": {"en": "submission refused", "ja": "提出を受け付けられません"},
    "class_internal_error": {"en": "internal error of the grader", "ja": "採点器の内部エラー"},
    "class_no_submission": {"en": "no file to grade", "ja": "採点するファイルがありません"},
    "class_times": {"en": "Grading time", "ja": "採点時間"},
    "class_time": {"en": "seconds", "ja": "秒"},
    "class_outliers": {
        "en": "Outliers (more than {k:g}× the median of {m:.2f} s)",
        "ja": "外れ値（中央値 {m:.2f} 秒の {k:g} 倍超）",
    },
    "class_no_outliers": {
        "en": "No outlier (none above {k:g}× the median of {m:.2f} s).",
        "ja": "外れ値はありません（中央値 {m:.2f} 秒の {k:g} 倍を超えるものなし）。",
    },
    "class_similar": {
        "en": "Similar submissions (for a human to review, never a penalty)",
        "ja": "似ている提出（人が確認するためのもので、減点の根拠ではありません）",
    },
    "class_sim_caveat": {
        "en": "Correct numpy answers are short and alike: two correct solutions of a few lines can look the same "
              "without any copying. The released stub is removed as boilerplate and only pairs with at least {t:.0%} "
              "of their fingerprinted code in common are listed; read the highlighted code before drawing any "
              "conclusion.",
        "ja": "numpy による正しい解答は短く、互いに似ています。数行の正解どうしは写さなくても同じに"
              "見えることがあります。配布したひな形は定型部分として除き、指紋化したコードの {t:.0%} 以上が"
              "共通する組だけを挙げています。判断の前に強調表示されたコードを読んでください。",
    },
    "class_sim_none": {"en": "No pair above {t:.0%}.", "ja": "{t:.0%} を超える組はありません。"},
    "class_pair": {"en": "pair", "ja": "組"},
    "class_overlap": {"en": "overlap", "ja": "共通部分"},
    "class_sim_off": {
        "en": "Similarity was not checked. To list similar submissions, install the extra (pip install "
              "'rnn-exercise-kit[similarity]') and run rnngrade batch with --similarity.",
        "ja": "類似度は調べていません。調べるには追加機能をインストールし"
              "（pip install 'rnn-exercise-kit[similarity]'）、rnngrade batch に --similarity を付けてください。",
    },
    "class_sim_missing": {
        "en": "Similarity was requested but copydetect is not installed: pip install 'rnn-exercise-kit[similarity]'.",
        "ja": "類似度の確認が指定されましたが copydetect がインストールされていません: "
              "pip install 'rnn-exercise-kit[similarity]'",
    },
    "class_sim_skipped": {"en": "Not compared (no source to read): {n}",
                          "ja": "比較していない提出（ソースを読めません）: {n}"},
    # ---- Gradescope's results.json: its summary line, the outputs of a run that failed ---------------------------
    "gradescope_total": {"en": "{assignment}: {score:g} / {max_score:g} points",
                         "ja": "{assignment}: {score:g} / {max_score:g} 点"},
    "gradescope_refused": {"en": "{assignment}: 0 / {max_score:g} points: the submission could not be graded",
                           "ja": "{assignment}: 0 / {max_score:g} 点。提出を採点できませんでした"},
    "gradescope_internal_error": {
        "en": "{assignment}: 0 / {max_score:g} points: the autograder failed on this submission (not your mistake); "
              "your instructor can see why",
        "ja": "{assignment}: 0 / {max_score:g} 点。採点プログラムがこの提出の採点に失敗しました（あなたの誤りではありません）。"
              "理由は教員が確認できます",
    },
    "gradescope_visible_only": {
        "en": "{assignment}: the visible cases give {got:g} / {possible:g} points ({passed} of {visible} passed); "
              "the {hidden} hidden cases and the total are shown {when}",
        "ja": "{assignment}: 公開ケースの得点は {got:g} / {possible:g} 点（{visible} 件中 {passed} 件に合格）。"
              "非公開の {hidden} 件と合計点は{when}表示されます",
    },
    "gradescope_when_after_due_date": {"en": "after the due date", "ja": "締め切り後に"},
    "gradescope_when_after_published": {"en": "once the grades are published", "ja": "成績の公開後に"},
    "status_passed": {"en": "passed", "ja": "合格"},  # a test's status, when it has no output
    "status_failed": {"en": "failed", "ja": "不合格"},
    "status_error": {"en": "error", "ja": "エラー"},
    "status_timeout": {"en": "timeout", "ja": "時間切れ"},
    "gradescope_not_started": {
        "en": "The autograder could not start (not your mistake): your instructor can see why.",
        "ja": "採点プログラムを起動できませんでした（あなたの誤りではありません）。理由は教員が確認できます。",
    },
    "gradescope_failed": {
        "en": "The autograder failed on this submission (not your mistake): your instructor can see why.",
        "ja": "採点プログラムがこの提出の採点に失敗しました（あなたの誤りではありません）。理由は教員が確認できます。",
    },
}
