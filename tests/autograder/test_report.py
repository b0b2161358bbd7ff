"""autograder.report: text report, Gradescope results.json, class CSV and summary."""

import csv
import io
import json

import pytest

from autograder.api import GradeResult
from autograder.cases import CaseResult
from autograder.files import write_atomic
from autograder.report import class_csv, gradescope_json, md_escape, render, summary, summary_png, text_report

from .gradescope_schema import validate


def result(student="alice", scores=(1.0, 0.0), statuses=("passed", "failed")):
    tests = [
        CaseResult(f"deltas [case {i}]", "deltas", s, 1.0, st, "" if st == "passed" else "deltas: δ_2 disagrees.",
                   visible=i == 0)
        for i, (s, st) in enumerate(zip(scores, statuses))
    ]
    return GradeResult("rnn_bptt", student, sum(scores), 2.0, tests, 0.42, "s-0123456789abcdef",
                       notes=["file-system isolation is off"])


class TestFormats:
    def test_json_has_every_field(self):
        """--format json carries the issue's fields, tests with name/score/max_score/status/output/visibility."""
        data = json.loads(render(result(), "json"))
        assert {"assignment", "student", "score", "max_score", "tests", "execution_time", "inputs",
                "rnngrade_version", "status"} <= set(data) and "seed" not in data
        assert data["tests"][1] == {"name": "deltas [case 1]", "score": 0.0, "max_score": 1.0, "status": "failed",
                                    "output": "deltas: δ_2 disagrees.", "visibility": "hidden", "tags": []}

    def test_text_report(self):
        """The text report gives the total, a line per function, each failing case with its message, the notes."""
        text = text_report(result())
        lines = text.splitlines()
        assert lines[0] == "rnn_bptt — alice: 1 / 2 points"
        assert "note: file-system isolation is off" in text
        assert any(ln.strip().startswith("✗ deltas") and "1/2 cases passed" in ln for ln in lines)
        assert "✗ [case 1] (hidden)" in text and "[case 0]" not in text  # passed cases are not listed
        assert "deltas: δ_2 disagrees." in text

    def test_functions_in_the_notebooks_order(self):
        """Functions are listed in the notebook's order, whatever the cases' order; a long name keeps the columns."""
        tests = [CaseResult("clip_grad_norm [case 9]", "clip_grad_norm", 1.0, 1.0, "passed", "", True),
                 CaseResult("truncated_state_gradients [case 20]", "truncated_state_gradients", 0.5, 0.5, "passed",
                            "", True),
                 CaseResult("spectral_radius [case 0]", "spectral_radius", 1.0, 1.0, "passed", "", True)]
        lines = [ln for ln in text_report(GradeResult("vanishing", "ann", 2.5, 2.5, tests, 0.1, "s-0")).splitlines()
                 if "cases passed" in ln]
        assert [ln.split()[1] for ln in lines] == ["spectral_radius", "truncated_state_gradients", "clip_grad_norm"]
        assert len({ln.index("/") for ln in lines}) == 1


def gs_result(outputs=("", "deltas: δ_2 disagrees."), tags=((), ("W_not_transposed",)), **kw):
    """A graded rnn_bptt with two deltas cases (visible, hidden) and one grad_W case (visible)."""
    tests = [CaseResult("deltas [case 0]", "deltas", 1.0 if not outputs[0] else 0.0, 1.0,
                        "passed" if not outputs[0] else "failed", outputs[0], True, list(tags[0])),
             CaseResult("deltas [case 1]", "deltas", 0.0, 1.0, "timeout", outputs[1], False, list(tags[1])),
             CaseResult("grad_W [case 2]", "grad_W", 2.0, 2.0, "passed", "", True)]
    return GradeResult("rnn_bptt", "alice", sum(t.score for t in tests), 4.0, tests, 0.42, "s-0123456789abcdef",
                       **kw)


class TestGradescopeJson:
    def test_every_field_of_the_specification(self):
        """results.json passes the schema and carries every field: numbers function.case, tags, formats, extra_data."""
        data = gradescope_json(gs_result())
        validate(data)
        assert {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                "visibility", "stdout_visibility", "extra_data", "tests"} == set(data)
        assert data["score"] == 3.0 and data["execution_time"] == 1 and data["stdout_visibility"] == "hidden"
        assert [t["number"] for t in data["tests"]] == ["1.1", "1.2", "2.1"]
        assert [t["status"] for t in data["tests"]] == ["passed", "failed", "passed"]
        assert [t["tags"] for t in data["tests"]] == [[], ["W_not_transposed"], []]
        assert all(t["output_format"] == "text" and t["name_format"] == "text" for t in data["tests"])

    def test_hidden_cases_visibility_is_the_instructors_choice(self):
        """Visible cases are "visible"; hidden ones after_due_date by default, or what is asked; nothing else."""
        assert [t["visibility"] for t in gradescope_json(gs_result())["tests"]] == ["visible", "after_due_date",
                                                                                   "visible"]
        for choice in ("after_published", "hidden", "visible"):
            assert gradescope_json(gs_result(), hidden_visibility=choice)["tests"][1]["visibility"] == choice
        with pytest.raises(ValueError):
            gradescope_json(gs_result(), hidden_visibility="later")

    def test_total_withheld_while_hidden_cases_are(self):
        """While hidden cases are not shown the output tells only the visible cases' points, not the total."""
        withheld = gradescope_json(gs_result())["output"]
        assert "3 / 3 points" in withheld and "3 / 4" not in withheld and "after the due date" in withheld
        assert gradescope_json(gs_result(), hidden_visibility="visible")["output"].startswith("rnn_bptt: 3 / 4 points")

    def test_extra_data_names_inputs_never_a_key(self):
        """extra_data holds the assignment, the version and the inputs' id; notes and late notes are in the output."""
        data = gradescope_json(gs_result(notes=["the module printed a lot"]), notes=["Late: submitted 5 min after."])
        assert data["extra_data"]["inputs"] == "s-0123456789abcdef" and data["extra_data"]["assignment"] == "rnn_bptt"
        assert not {"seed", "secret"} & set(data["extra_data"])
        assert data["output"].splitlines()[1:] == ["the module printed a lot", "Late: submitted 5 min after."]

    def test_words_in_the_graded_language(self):
        """With lang="ja" every word of results.json's own is Japanese: the summary, a test's status word when it
        has no output, a note that is still facts (messages.Said); plain notes as they are; English by default."""
        from autograder.messages import Said

        late = Said("note_late", after=Said("duration_minutes", minutes=5), due="2026-07-31T23:00-07:00")
        res = gs_result(outputs=("", ""), notes=["already worded"])
        data = gradescope_json(res, notes=[late], lang="ja")
        validate(data)
        assert data["output"].splitlines() == [
            "rnn_bptt: 公開ケースの得点は 3 / 3 点（2 件中 2 件に合格）。非公開の 1 件と合計点は締め切り後に表示されます",
            "already worded", "遅延提出: 提出期限（2026-07-31T23:00-07:00）から 5 分遅れて提出されました。"]
        assert [t["output"] for t in data["tests"]] == ["合格", "時間切れ", "合格"]
        english = gradescope_json(res, notes=[late])
        assert english["output"].splitlines()[2] == "Late: submitted 5 min after the due date (2026-07-31T23:00-07:00)."
        assert [t["output"] for t in english["tests"]] == ["passed", "timeout", "passed"]
        assert json.loads(render(res, "gradescope", lang="ja"))["output"].startswith("rnn_bptt: 公開ケースの得点は")

    def test_markdown_escapes_student_text(self):
        """With md, a student's HTML and Markdown arrive as literal text: no tag, no link, no emphasis."""
        attack = 'forward: got RuntimeError: <img src=x onerror=alert(1)> [x](javascript:alert(1)) **b** `c`'
        data = gradescope_json(gs_result(outputs=(attack, "ok\n    <script>x</script>")), fmt="md")
        validate(data)
        first, second = data["tests"][0]["output"], data["tests"][1]["output"]
        assert "<" not in first + second and r"&lt;img src\=x onerror\=alert\(1\)&gt;" in first
        assert r"\[x\]\(javascript:alert\(1\)\)" in first and r"\*\*b\*\*" in first and r"\`c\`" in first
        assert second == "ok  \n&nbsp;&nbsp;&nbsp;&nbsp;&lt;script&gt;x&lt;/script&gt;"
        assert data["output_format"] == data["test_output_format"] == "md"

    def test_text_is_kept_and_always_writable(self):
        """With text the message is kept as written, minus control characters and lone surrogates."""
        data = gradescope_json(gs_result(outputs=("<b>x</b>\x1b[2J\ud800", "")))
        assert data["tests"][0]["output"] == "<b>x</b>?[2J?"
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # raises on a lone surrogate
        assert md_escape("a_b\r\nc") == "a\\_b  \nc"


class TestClassOutputs:
    def test_csv_columns_and_rows(self):
        """One row per student (sorted), student/score/max_score then one column per test."""
        rows = list(csv.reader(io.StringIO(class_csv([result("bob", (0.0, 0.0)).to_json(),
                                                        result("alice").to_json()]))))
        assert rows[0] == ["student", "score", "max_score", "deltas [case 0]", "deltas [case 1]"]
        assert rows[1][:3] == ["alice", "1.0", "2.0"] and rows[2][0] == "bob"

    def test_csv_formula_ids_are_text(self):
        """Student ids starting with = + - @ tab or CR are written with a leading quote; scores stay numbers, negative too."""
        ids = ['=HYPERLINK("http://evil","x")', "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx"]
        results = [result(s).to_json() for s in ids]
        results[0]["score"] = -1.5
        rows = list(csv.reader(io.StringIO(class_csv(results), newline="")))
        assert sorted(r[0] for r in rows[1:]) == sorted("'" + s for s in ids)
        assert {r[0]: r[1] for r in rows[1:]}["'" + ids[0]] == "-1.5"
        assert all(len(r) == 5 for r in rows)

    def test_summary_text(self):
        """The summary names the assignment, counts every student in its histogram, gives a pass rate per function."""
        text = summary([result("a").to_json(), result("b", (1.0, 1.0), ("passed", "passed")).to_json()])
        assert text.startswith("rnn_bptt: 2 submissions (2 graded), mean 1.50 / 2")
        assert " 75.0%  deltas" in text and "1/2 students" in text and "[case 0]" not in text
        assert sum(int(line.rsplit(" ", 1)[1]) for line in text.splitlines() if "–" in line) == 2

    def test_summary_png(self, tmp_path):
        """summary.png is a real PNG."""
        summary_png([result().to_json()], tmp_path / "summary.png")
        assert (tmp_path / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


class TestWriteAtomic:
    def test_replaces_whole_file(self, tmp_path):
        """The file holds the new text and no temporary file is left behind."""
        p = tmp_path / "out" / "r.json"
        write_atomic(p, "old")
        write_atomic(p, "new")
        assert p.read_text() == "new" and [x.name for x in p.parent.iterdir()] == ["r.json"]

    def test_failure_keeps_old_content(self, tmp_path):
        """A failed write (here: text that cannot be encoded) leaves the previous file intact."""
        p = tmp_path / "r.txt"
        write_atomic(p, "old")
        with pytest.raises(UnicodeEncodeError):
            write_atomic(p, "\ud800")
        assert p.read_text() == "old" and len(list(tmp_path.iterdir())) == 1


class TestShown:
    def test_terminal_escapes_and_line_breaks_are_neutralised(self):
        """A student id or note with an escape sequence or a line break prints as one inert line."""
        from autograder.report import printable

        r = result(student="eve\x1b[2J\nalice: 15 / 15")
        r.notes = ["eve\x1b]0;owned\x07.py is a symbolic link"]
        text = text_report(r)
        assert "\x1b" not in text and "\x07" not in text
        assert text.splitlines()[0] == "rnn_bptt — eve?[2J?alice: 15 / 15: 1 / 2 points"
        assert printable("山田 太郎") == "山田 太郎"
