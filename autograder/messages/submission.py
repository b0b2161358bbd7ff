"""The catalog's submission section: why a submission is refused (submission.py's, files.py's, gradescope.py's,
lms_in.py's and nbgrade.py's SubmissionError reasons, keys ``refused_…``), the notes a result carries for its student
(a file that is empty, which of two files was graded, a failed import, a late submission, a failed Dask task: keys
``note_…``), an LMS's student without a file (``missing_…``), the lines of a notebook nbgrader could not grade
(``nb_…``), and the pieces they are made of.

These reasons are raised long before the language of the grade is known: they travel as ``messages.Said`` (the
entry's key and facts, standing in its English), and are worded in the graded language where the result is made
(api.grade, batch.grade_entry, gradescope.run). Facts are paths, file names, sizes and Python's own error text.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # ---- a path that cannot be read ---------------------------------------------------------------------------
    "refused_missing": {
        "en": "{path} does not exist: pass the student's .py or .ipynb, a folder holding one, or a .zip of one",
        "ja": "{path} は存在しません。学生の .py または .ipynb、それを含むフォルダー、またはその .zip を指定してください",
    },
    "refused_unreadable": {"en": "{path} cannot be read ({why}): check its permissions",
                           "ja": "{path} を読めません（{why}）。アクセス権を確認してください"},
    "refused_link_file": {"en": "{path} is a symbolic link: hand in the file itself, not a link",
                          "ja": "{path} はシンボリックリンクです。リンクではなくファイルそのものを提出してください"},
    "refused_link_folder": {"en": "{path} is a symbolic link: hand in the folder itself, not a link",
                            "ja": "{path} はシンボリックリンクです。リンクではなくフォルダーそのものを提出してください"},
    "refused_not_a_submission": {
        "en": "{path} is not a .py, .ipynb or .zip file: pass the student's module or notebook",
        "ja": "{path} は .py、.ipynb、.zip のいずれでもありません。学生のモジュールまたはノートブックを指定してください",
    },
    "refused_suffix": {
        "en": "{path} is not a .py, .ipynb or .zip file: hand in the exercise's module or notebook",
        "ja": "{path} は .py、.ipynb、.zip のいずれでもありません。課題のモジュールまたはノートブックを提出してください",
    },
    "refused_too_big": {
        "en": "{path} is larger than {mb} MB: remove data from it (a notebook: Edit > Clear All Outputs) and hand it "
              "in again",
        "ja": "{path} は {mb} MB を超えています。データを削除して（ノートブックなら Edit > Clear All Outputs）、"
              "もう一度提出してください",
    },
    # ---- files.py's reasons (read without following a link, regular files only, under a size limit) -----------
    "refused_does_not_exist": {"en": "{path} does not exist: hand in the exercise's files",
                               "ja": "{path} は存在しません。課題のファイルを提出してください"},
    "refused_not_regular": {"en": "{path} is not a regular file ({kind}): hand in the exercise's files themselves",
                            "ja": "{path} は通常のファイルではありません（{kind}）。課題のファイルそのものを提出してください"},
    "refused_not_folder": {"en": "{path} is not a folder ({kind}): hand in the exercise's files themselves",
                           "ja": "{path} はフォルダーではありません（{kind}）。課題のファイルそのものを提出してください"},
    "refused_larger": {
        "en": "{path} is larger than {size}: remove data from it (a notebook: Edit > Clear All Outputs) and hand it "
              "in again",
        "ja": "{path} は {size} を超えています。データを削除して（ノートブックなら Edit > Clear All Outputs）、"
              "もう一度提出してください",
    },
    "refused_too_many_entries": {
        "en": "{path} holds more than {n} files and folders: hand in only the exercise's files",
        "ja": "{path} には {n} 個を超えるファイルとフォルダーがあります。課題のファイルだけを提出してください",
    },
    "refused_folder_larger": {"en": "{path} holds more than {size}: hand in only the exercise's files",
                              "ja": "{path} の中身が {size} を超えています。課題のファイルだけを提出してください"},
    "size_mb": {"en": "{n} MB", "ja": "{n} MB"},
    "size_bytes": {"en": "{n} bytes", "ja": "{n} バイト"},
    "kind_fifo": {"en": "a FIFO", "ja": "FIFO"},
    "kind_character_device": {"en": "a character device", "ja": "キャラクターデバイス"},
    "kind_block_device": {"en": "a block device", "ja": "ブロックデバイス"},
    "kind_socket": {"en": "a socket", "ja": "ソケット"},
    "kind_folder": {"en": "a folder", "ja": "フォルダー"},
    "kind_file": {"en": "a file", "ja": "ファイル"},
    "kind_special": {"en": "a special file", "ja": "特殊ファイル"},
    # ---- which file: a folder's or a zip's ------------------------------------------------------------------
    "refused_no_candidate": {
        "en": "{where} holds no .py or .ipynb file: hand in the exercise's module or notebook",
        "ja": "{where} に .py も .ipynb もありません。課題のモジュールまたはノートブックを提出してください",
    },
    "refused_several": {
        "en": "{where} holds several candidate files ({shown}): keep only one, or pass the file itself",
        "ja": "{where} に候補となるファイルが複数あります（{shown}）。一つだけ残すか、ファイルそのものを指定してください",
    },
    "note_notebook_first": {
        "en": "graded {notebook}: {where} also holds {module}, and a notebook is graded before a .py of the same name "
              "(the notebook is what the course hands out); hand in only one of them to choose",
        "ja": "{notebook} を採点しました。{where} には {module} もありますが、同じ名前の .py よりノートブックを先に採点します"
              "（授業で配布するのはノートブックです）。どちらを採点するか選ぶには、一方だけを提出してください",
    },
    # ---- a zip ------------------------------------------------------------------------------------------------
    "refused_zip_members": {"en": "{path} holds {n} files: zip only the exercise's .py or .ipynb",
                            "ja": "{path} には {n} 個のファイルがあります。課題の .py または .ipynb だけを zip にしてください"},
    "refused_zip_unpacks": {
        "en": "{path} unpacks to more than {mb} MB: zip only the exercise's .py or .ipynb",
        "ja": "{path} は展開すると {mb} MB を超えます。課題の .py または .ipynb だけを zip にしてください",
    },
    "refused_zip_unsafe": {
        "en": "{path} contains an unsafe path ({name}): zip the files without absolute paths or '..'",
        "ja": "{path} に安全でないパス（{name}）が含まれています。絶対パスや '..' を含めずに zip にしてください",
    },
    "refused_zip_link": {"en": "{path} is a symbolic link: zip the file itself, not a link",
                         "ja": "{path} はシンボリックリンクです。リンクではなくファイルそのものを zip にしてください"},
    "refused_zip_member_big": {"en": "{path}: {name} unpacks to more than {mb} MB",
                               "ja": "{path}: {name} は展開すると {mb} MB を超えます"},
    "refused_bad_zip": {"en": "{path} is not a readable zip file ({error}): zip the submission again",
                        "ja": "{path} は読める zip ファイルではありません（{error}）。もう一度 zip にしてください"},
    "refused_zip_too_big": {
        "en": "{path} is larger than {mb} MB: zip only the exercise's .py or .ipynb",
        "ja": "{path} は {mb} MB を超えています。課題の .py または .ipynb だけを zip にしてください",
    },
    # ---- the file's text ------------------------------------------------------------------------------------
    "refused_code_too_big": {"en": "{path}: the code is larger than {mb} MB: remove data from the file",
                             "ja": "{path}: コードが {mb} MB を超えています。ファイルからデータを削除してください"},
    "refused_notebook_code_too_big": {
        "en": "{path}: the code is larger than {mb} MB: remove data from the notebook's code cells",
        "ja": "{path}: コードが {mb} MB を超えています。ノートブックのコードセルからデータを削除してください",
    },
    "refused_not_text": {"en": "{path} contains characters that are not valid text: save it again as UTF-8",
                         "ja": "{path} にテキストとして正しくない文字が含まれています。UTF-8 で保存し直してください"},
    "refused_not_readable_text": {"en": "{path} is not readable text ({error}): save it as UTF-8",
                                  "ja": "{path} はテキストとして読めません（{error}）。UTF-8 で保存してください"},
    "note_empty_py": {
        "en": "the file is empty ({path}: it holds no code, only blank lines or comments): write the exercise's "
              "functions in it, save it and hand it in again",
        "ja": "ファイルが空です（{path}: コードがなく、空行かコメントだけです）。課題の関数を書いて保存し、もう一度提出してください",
    },
    "note_empty_notebook": {
        "en": "the file is empty ({path}: its code cells hold no code, only blank lines or comments): write the "
              "exercise's functions in it, save it and hand it in again",
        "ja": "ファイルが空です（{path}: コードセルにコードがなく、空行かコメントだけです）。課題の関数を書いて保存し、"
              "もう一度提出してください",
    },
    # ---- a notebook -----------------------------------------------------------------------------------------
    "the_notebook": {"en": "the notebook", "ja": "ノートブック"},
    "refused_notebook_not_utf8": {
        "en": "{path} is not a notebook (not UTF-8 text): hand in the .ipynb saved by Jupyter",
        "ja": "{path} はノートブックではありません（UTF-8 のテキストではありません）。Jupyter で保存した .ipynb を提出してください",
    },
    "refused_notebook_json": {
        "en": "{path} is not a valid notebook (JSON error: {error}): open it in Jupyter, save it again and resubmit",
        "ja": "{path} は正しいノートブックではありません（JSON のエラー: {error}）。Jupyter で開いて保存し直し、再提出してください",
    },
    "refused_notebook_json_at": {
        "en": "{path} is not a valid notebook (JSON error at line {line}: {error}): open it in Jupyter, save it again "
              "and resubmit",
        "ja": "{path} は正しいノートブックではありません（{line} 行目に JSON のエラー: {error}）。Jupyter で開いて保存し直し、"
              "再提出してください",
    },
    "refused_notebook_no_cells": {
        "en": "{path} is not a Jupyter notebook (it has no list of cells): hand in the .ipynb saved by Jupyter",
        "ja": "{path} は Jupyter のノートブックではありません（セルの一覧がありません）。Jupyter で保存した .ipynb を提出してください",
    },
    "refused_notebook_format": {
        "en": "{path} is a notebook of format {format}: save it with a current Jupyter (format 4)",
        "ja": "{path} は形式 {format} のノートブックです。新しい Jupyter で保存し直してください（形式 4）",
    },
    "refused_notebook_cell": {
        "en": "{path} is not a valid notebook (cell {cell} has no text source): open it in Jupyter, save it again and "
              "resubmit",
        "ja": "{path} は正しいノートブックではありません（セル {cell} にテキストのソースがありません）。Jupyter で開いて保存し直し、"
              "再提出してください",
    },
    # ---- Gradescope's submission folder (gradescope.find_submission) ----------------------------------------
    "upload_what": {"en": "your {assignment}.py or {assignment}.ipynb (any file name), or a .zip of one",
                    "ja": "{assignment}.py または {assignment}.ipynb（ファイル名は自由）、またはその .zip "},
    "refused_nothing_submitted": {"en": "nothing was submitted: upload {what}",
                                  "ja": "何も提出されていません。{what}をアップロードしてください"},
    "refused_no_candidate_upload": {
        "en": "the submission holds no .py, .ipynb or .zip file: upload {what}",
        "ja": "提出物に .py、.ipynb、.zip のファイルがありません。{what}をアップロードしてください",
    },
    "refused_several_upload": {
        "en": "the submission holds several candidate files ({shown}): upload only {what}",
        "ja": "提出物に候補となるファイルが複数あります（{shown}）。{what}だけをアップロードしてください",
    },
    "refused_other_exercise": {
        "en": "{name} is named after the exercise {stem}, but this autograder grades {assignment}: upload {what}",
        "ja": "{name} は課題 {stem} の名前ですが、この採点プログラムが採点するのは {assignment} です。{what}をアップロードしてください",
    },
    "note_autograder_failed": {"en": "internal error of the autograder ({name})",
                               "ja": "採点プログラムの内部エラー（{name}）"},
    "note_grading_failed": {"en": "internal error while grading ({name}); please report it",
                            "ja": "採点中に内部エラーが発生しました（{name}）。教員に報告してください"},
    # ---- a late submission (Gradescope's metadata) ------------------------------------------------------------
    "note_late": {"en": "Late: submitted {after} after the due date ({due}).",
                  "ja": "遅延提出: 提出期限（{due}）から {after}遅れて提出されました。"},
    "note_late_after_late_due": {
        "en": "Late: submitted {after} after the due date ({due}), and after the late due date ({late_due}).",
        "ja": "遅延提出: 提出期限（{due}）から {after}遅れ、遅延提出の期限（{late_due}）も過ぎてから提出されました。",
    },
    "duration_day": {"en": "{days} day {hours} h", "ja": "{days} 日 {hours} 時間"},
    "duration_days": {"en": "{days} days {hours} h", "ja": "{days} 日 {hours} 時間"},
    "duration_hours": {"en": "{hours} h {minutes} min", "ja": "{hours} 時間 {minutes} 分"},
    "duration_minutes": {"en": "{minutes} min", "ja": "{minutes} 分"},
    "duration_seconds": {"en": "{seconds} s", "ja": "{seconds} 秒"},
    # ---- a module that could not be imported (api.grade's note; the cases say it in their feedback too) --------
    "import_at": {"en": " at {where}", "ja": "（{where}）"},  # "NameError at line 12" / "NameError（12 行目）"
    "import_exit_at": {"en": " ({where})", "ja": "、{where}で"},  # where sys.exit() was called
    "import_exc_text": {"en": ": {text}", "ja": ": {text}"},
    "note_import_error": {"en": "the module could not be imported: {name}{where}{text}",
                          "ja": "モジュールを読み込めませんでした: {name}{where}{text}"},
    "note_import_exit": {"en": "the module called sys.exit() at import{where}",
                         "ja": "モジュールの読み込み中に{where} sys.exit() が呼ばれました"},
    "note_import_timeout": {"en": "the module did not finish importing within {seconds} s",
                            "ja": "モジュールの読み込みが {seconds} 秒以内に終わりませんでした"},
    "note_import_timeout_limit": {"en": "the module did not finish importing within its time limit",
                                  "ja": "モジュールの読み込みが制限時間内に終わりませんでした"},
    "note_import_crash": {"en": "the module crashed the Python process while being imported{why}",
                          "ja": "モジュールの読み込み中に Python のプロセスが異常終了しました{why}"},
    "paren": {"en": " ({what})", "ja": "（{what}）"},
    # ---- rnngrade nbgrader autograde (nbgrade.py): a notebook not graded, in each of its test cells --------------
    "nb_not_graded": {"en": "✗ {function}: not graded (0 / {points} points): {reason}",
                      "ja": "✗ {function}: 採点できませんでした（0 / {points} 点）: {reason}"},
    "nb_unknown_cell": {
        "en": "✗ {function}: not graded: this test cell is not one of the kit's ({grade_id}); grade it by hand",
        "ja": "✗ {function}: 採点されていません。このテストセル（{grade_id}）はキットのものではありません。手作業で採点してください",
    },
    "refused_no_notebook": {
        "en": "no {assignment}.ipynb was handed in (submitted/{student}/{assignment}/ holds no notebook)",
        "ja": "{assignment}.ipynb が提出されていません（submitted/{student}/{assignment}/ にノートブックがありません）",
    },
    "refused_invalid_notebook": {
        "en": "{assignment}.ipynb is not a valid notebook ({error}): open it in Jupyter, save it again and resubmit",
        "ja": "{assignment}.ipynb は正しいノートブックではありません（{error}）。Jupyter で開いて保存し直し、再提出してください",
    },
    "note_nbgrader_failed": {
        "en": "nbgrader could not use the notebook ({problem}); it was graded as the release",
        "ja": "nbgrader がこのノートブックを扱えませんでした（{problem}）。配布されたままのノートブックとして採点しました",
    },
    # ---- an LMS's download (lms_in.py): a student without a file to grade, or with several ----------------------
    "missing_no_file": {"en": "no .py, .ipynb or .zip file handed in{found}",
                        "ja": ".py、.ipynb、.zip のファイルが提出されていません{found}"},
    "missing_found": {"en": " (found: {names})", "ja": "（提出されたファイル: {names}）"},
    "refused_several_handed_in": {
        "en": "several files handed in ({shown}), not one named after the assignment: hand in only the exercise's file",
        "ja": "複数のファイルが提出されていて（{shown}）、課題の名前のファイルがありません。課題のファイルだけを提出してください",
    },
    "refused_zip_member_unreadable": {
        "en": "{path} cannot be read from the zip ({error}): download the submissions again",
        "ja": "{path} を zip から読めません（{error}）。提出物をもう一度ダウンロードしてください",
    },
    # ---- a class graded on a Dask cluster (batch._on_cluster): the student's result of a failed task -----------
    "note_cluster_killed": {
        "en": "internal error while grading on the Dask cluster (KilledWorker: the workers that took this submission "
              "died); run again with --resume",
        "ja": "Dask クラスターでの採点中に内部エラーが発生しました（KilledWorker: この提出物を担当したワーカーが停止しました）。"
              "--resume を付けてもう一度実行してください",
    },
    "note_cluster_version": {
        "en": "internal error while grading on the Dask cluster: a worker runs another version of the grader; install "
              "the same rnn-exercise-kit on every worker and run again with --resume",
        "ja": "Dask クラスターでの採点中に内部エラーが発生しました。別の版の採点プログラムを実行しているワーカーがあります。"
              "すべてのワーカーに同じ rnn-exercise-kit をインストールし、--resume を付けてもう一度実行してください",
    },
    # ---- a class folder's file named after another exercise (batch.grade_class's notes_of) ---------------------
    "note_misnamed": {"en": "the file is named after {names}, not {assignment}: it was graded as {assignment}",
                      "ja": "ファイル名が {assignment} ではなく {names} になっています。{assignment} として採点しました"},
}
