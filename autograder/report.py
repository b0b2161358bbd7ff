"""What a grade looks like on paper: the text report, Gradescope's results.json, the class CSV,
and the class summary (score histogram, per-function pass rate) in the terminal and as a PNG (report.html:
classreport.py)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from .api import GradeResult

STATUS_MARK = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "info": "ℹ"}


def printable(text) -> str:
    """Text a student may have chosen (a folder name, a file name in a note) as one printable line: no
    terminal escape sequences, no line breaks that would forge another student's line."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


def _notebook_order(assignment: str) -> dict:
    """{function: its place in the exercise's notebook} (the suite's points), {} for an unknown assignment."""
    from .suites import ASSIGNMENTS, get_suite

    return {fn: i for i, fn in enumerate(get_suite(assignment).points)} if assignment in ASSIGNMENTS else {}


def text_report(result: GradeResult, *, show_hidden_output: bool = True, lang: str | None = None) -> str:
    """The report a student or TA reads: one line per function, then each failing case and its message; every
    word of its own from the message catalog (autograder/messages/) in ``lang``, the language the result was graded
    in (None: English, as before — the caller knows the language; the environment may name another one than
    ``--lang``). A function's pass count and mark cover its scored cases; a 0-point check is information (ℹ)."""
    from .diagnosis import step_vs_time
    from .feedback import resolve_lang
    from .messages import text

    lang = resolve_lang(lang or "en")
    lines = [text("report_head", lang, assignment=result.assignment, student=printable(result.student),
                  score=result.score, max_score=result.max_score)]
    for note in result.notes:
        lines.append(text("note", lang, text=printable(note)))
    functions: dict[str, list] = {}
    for t in result.tests:
        functions.setdefault(t.function, []).append(t)
    order = _notebook_order(result.assignment)
    width = max([24, *map(len, functions)])
    for fn, tests in sorted(functions.items(), key=lambda item: order.get(item[0], len(order))):
        scored = [t for t in tests if t.max_score > 0]
        passed = sum(t.status == "passed" for t in scored)
        got, possible = sum(t.score for t in scored), sum(t.max_score for t in scored)
        if scored:
            mark = STATUS_MARK["passed"] if passed == len(scored) else STATUS_MARK["failed"]
            lines.append("  " + text("report_function", lang, mark=mark, function=fn, width=width, got=got,
                                     possible=possible, passed=passed, total=len(scored)))
        else:
            lines.append("  " + text("report_info", lang, function=fn, width=width))
        across = step_vs_time(tests, result.assignment, fn, lang)  # T = 1 right, T > 1 wrong: in the function's words
        if across:
            lines.append("      " + across)
        by_message: dict[tuple, list] = {}  # one message, printed once, with every case it applies to
        for t in tests:
            if t.status != "passed" or t.output:  # failures, and what a passing check has to say
                shown = t.output if (t.visible or show_hidden_output) else ""
                status = "info" if t.max_score == 0 else t.status
                by_message.setdefault((status, shown), []).append(t)
        for (status, message), group in by_message.items():
            labels = "; ".join((t.name[len(fn):].strip() or t.name) + ("" if t.visible else text("hidden_mark", lang))
                               for t in group)
            lines.append(f"      {STATUS_MARK.get(status, '?')} {labels}")
            for out in message.splitlines():
                lines.append(f"        {out}")
    lines.append(text("report_tail", lang, seconds=result.execution_time, version=result.rnngrade_version))
    return "\n".join(lines) + "\n"


#: Gradescope's visibility values (its autograder specification), most to least shown
GRADESCOPE_VISIBILITY = ("visible", "after_due_date", "after_published", "hidden")
#: the output formats results.json may declare: plain text, or Markdown with every student-chosen character escaped
GRADESCOPE_FORMATS = ("text", "md")
#: a test's status said in results.json when it has no output (the catalog's words)
_STATUS_WORD = {"passed": "status_passed", "failed": "status_failed", "error": "status_error",
                "timeout": "status_timeout"}
_SHOWN_WHEN = {"after_due_date": "gradescope_when_after_due_date", "after_published": "gradescope_when_after_published"}
_MD_SPECIAL = set("\\`*_{}[]()#+-.!|~=")  # Markdown's syntax (and GFM's tables, strike-through): backslash-escaped
_MD_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}


def clean_text(text) -> str:
    """Text for a JSON file a browser shows: valid UTF-8 (a lone surrogate would make the file unwritable)
    and no control characters but line breaks and tabs."""
    text = str(text).encode("utf-8", "replace").decode("utf-8")
    return "".join(ch if ch in "\n\t" or ch.isprintable() else "?" for ch in text.replace("\r\n", "\n"))


def md_escape(text) -> str:
    """Text shown literally when rendered as Markdown: HTML's special characters as entities (no tag, no
    attribute, whatever a renderer allows), Markdown's as backslash escapes, each line break a hard break,
    leading spaces kept (not an indented code block)."""
    lines = []
    for line in clean_text(text).split("\n"):
        body = line.lstrip(" \t")
        lead = "&nbsp;" * (len(line) - len(body))
        lines.append(lead + "".join(_MD_ENTITY.get(ch) or ("\\" + ch if ch in _MD_SPECIAL else ch) for ch in body))
    return "  \n".join(lines)


def _numbers(tests) -> list[str]:
    """Gradescope's test numbers, "function.case": 2.3 is the third case of the second function."""
    functions: dict[str, int] = {}
    cases: dict[str, int] = {}
    out = []
    for t in tests:
        functions.setdefault(t.function, len(functions) + 1)
        cases[t.function] = cases.get(t.function, 0) + 1
        out.append(f"{functions[t.function]}.{cases[t.function]}")
    return out


def gradescope_summary(result: GradeResult, hidden_visibility: str = "after_due_date", lang: str = "en") -> str:
    """The first line of results.json's output, in ``lang``. While the hidden cases are not shown (after the due
    date, once published) neither is the total, which would tell their sum: only the visible cases' points."""
    from .messages import text

    hidden = [t for t in result.tests if not t.visible]
    if result.status == "refused":
        return text("gradescope_refused", lang, assignment=result.assignment, max_score=result.max_score)
    if result.status == "internal_error":
        return text("gradescope_internal_error", lang, assignment=result.assignment, max_score=result.max_score)
    if hidden and hidden_visibility in _SHOWN_WHEN:
        visible = [t for t in result.tests if t.visible]
        got, possible = sum(t.score for t in visible), sum(t.max_score for t in visible)
        passed = sum(t.status == "passed" for t in visible)
        return text("gradescope_visible_only", lang, assignment=result.assignment, got=round(got, 6),
                    possible=round(possible, 6), passed=passed, visible=len(visible), hidden=len(hidden),
                    when=text(_SHOWN_WHEN[hidden_visibility], lang))
    return text("gradescope_total", lang, assignment=result.assignment, score=result.score, max_score=result.max_score)


def gradescope_json(result: GradeResult, *, hidden_visibility: str = "after_due_date", fmt: str = "text",
                    notes=(), execution_time: float | None = None, lang: str | None = None) -> dict:
    """Gradescope's results.json (its autograder specification, every field): score, execution_time,
    output (a summary, the submission's notes, then ``notes``, e.g. a late submission) with output_format,
    test_output_format, test_name_format, visibility (the total: visible), stdout_visibility ("hidden": the
    grader's log is the instructor's), extra_data (assignment, rnngrade version, the inputs' id, status);
    tests with name, name_format, number ("function.case"), score, max_score, status (passed | failed),
    output, output_format, tags (the known mistakes matched), visibility (visible cases "visible", hidden
    ones ``hidden_visibility``), extra_data. ``fmt`` "md" escapes every text (student-chosen parts
    included) so that nothing renders as HTML or Markdown; "text" is shown as it is, in a <pre>. ``lang``: the
    language the result was graded in (None: English), that of every word of its own (the summary, a test's status
    word when it has no output, the notes that are still facts: messages.Said)."""
    from .feedback import resolve_lang
    from .messages import say, text

    lang = resolve_lang(lang or "en")
    if hidden_visibility not in GRADESCOPE_VISIBILITY:
        raise ValueError(f"hidden_visibility must be one of {', '.join(GRADESCOPE_VISIBILITY)}, "
                         f"not {hidden_visibility!r}")
    if fmt not in GRADESCOPE_FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(GRADESCOPE_FORMATS)}, not {fmt!r}")
    shown = md_escape if fmt == "md" else clean_text
    tests = []
    for t, number in zip(result.tests, _numbers(result.tests)):
        tests.append({
            "name": clean_text(t.name),
            "name_format": "text",
            "number": number,
            "score": round(t.score, 6),
            "max_score": round(t.max_score, 6),
            "status": "passed" if t.status == "passed" else "failed",
            "output": shown(t.output or (text(_STATUS_WORD[t.status], lang) if t.status in _STATUS_WORD
                                         else t.status)),
            "output_format": fmt,
            "tags": [clean_text(tag) for tag in t.tags],
            "visibility": "visible" if t.visible else hidden_visibility,
            "extra_data": {"function": t.function, "hidden": not t.visible},
        })
    lines = [gradescope_summary(result, hidden_visibility, lang), *(say(n, lang) for n in (*result.notes, *notes))]
    seconds = result.execution_time if execution_time is None else execution_time
    return {
        "score": round(result.score, 6),
        "execution_time": max(0, math.ceil(seconds)),
        "output": ("\n\n" if fmt == "md" else "\n").join(shown(line) for line in lines),
        "output_format": fmt,
        "test_output_format": fmt,
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"assignment": result.assignment, "rnngrade_version": result.rnngrade_version,
                       "inputs": result.inputs, "status": result.status, "max_score": result.max_score},
        "tests": tests,
    }


def render(result: GradeResult, fmt: str, lang: str | None = None) -> str:
    """The result in one of the formats of `rnngrade grade --format`."""
    if fmt == "json":
        return result.dumps()
    if fmt == "gradescope":
        return json.dumps(gradescope_json(result, lang=lang), ensure_ascii=False, indent=2) + "\n"
    return text_report(result, lang=lang)


def test_columns(results: list[dict]) -> list[str]:
    """Every case name, in first-seen order, over a class's JSON results."""
    names: list[str] = []
    for r in results:
        for t in r["tests"]:
            if t["name"] not in names:
                names.append(t["name"])
    return names


def class_csv(results: list[dict]) -> str:
    """student, score, max_score, then one column per test (its score), one row per student; a student id
    a spreadsheet would run as a formula (=, +, -, @, …) is written as text (files.csv_text)."""
    from .files import csv_text

    columns = test_columns(results)
    rows = [["student", "score", "max_score", *columns]]
    for r in sorted(results, key=lambda r: r["student"]):
        by_name = {t["name"]: t["score"] for t in r["tests"]}
        rows.append([r["student"], r["score"], r["max_score"], *[by_name.get(c, 0) for c in columns]])
    return csv_text(rows)


def summary(results: list[dict], bins: int = 10) -> str:
    """The class in brief, for the terminal: the assignment, score histogram, pass rate per function (cases folded in,
    0-point checks left out), the most frequent diagnoses, the students who could not be graded and why, the slow
    ones; report.html (classreport) says the same at length."""
    from . import classreport as cr

    if not results:
        return "no results\n"
    max_score = max(r["max_score"] for r in results) or 1.0
    counts = [0] * bins
    for r in results:
        counts[min(bins - 1, int(bins * r["score"] / max_score))] += 1
    width = max(counts) or 1
    scores = [r["score"] for r in results]
    graded = sum(r.get("status", "graded") == "graded" for r in results)
    from statistics import median as median_of  # loaded only here: a grade's report needs none of it

    median = median_of(scores)
    lines = [f"{results[0]['assignment']}: {len(results)} submissions ({graded} graded), mean "
             f"{sum(scores) / len(scores):.2f} / {max_score:g}, median {median:.2f}", "score histogram:"]
    for i, c in enumerate(counts):
        lo, hi = max_score * i / bins, max_score * (i + 1) / bins
        lines.append(f"  {lo:6.2f}–{hi:6.2f} {'█' * round(30 * c / width):<30} {c}")
    rates = cr.function_rates(results)
    if rates:
        lines.append("pass rate per function (cases passed; students passing every case):")
        width = max(24, *(len(fr.function) for fr in rates))
        for fr in rates:
            lines.append(f"  {100 * fr.rate:5.1f}%  {fr.function:<{width}} {fr.students_all}/{fr.students} students")
    diag = cr.diagnoses(results, top=5)
    if diag:
        lines.append("most frequent diagnoses (known mistakes):")
        for d in diag:
            lines.append(f"  {d.students:4d} student(s)  {printable(d.tag)}")
    bad = cr.ungraded(results)
    if bad:
        lines.append(f"not graded ({len(bad)}; 0 points each):")
        why = {"internal_error": "internal error of the grader", "refused": "submission refused",
               "no_submission": "no file to grade"}
        for r in bad:
            reason = (r.get("notes") or [""])[0]
            lines.append(f"  {printable(r['student'])}: {why[r['status']]}: {printable(reason)}")
    med, slow = cr.time_outliers(results)
    if slow:
        lines.append(f"slow to grade (over {cr.TIME_OUTLIER:g}× the median {med:.2f} s): "
                     + ", ".join(f"{printable(r['student'])} {r.get('execution_time', 0.0):.1f} s" for r in slow[:10])
                     + (", …" if len(slow) > 10 else ""))
    return "\n".join(lines) + "\n"


def warm_up() -> None:
    """Load, in a thread of its own, what the class report and summary_png will need (Pillow, its PNG writer and
    font; classreport): a batch does it while its first submissions wait for their workers, not after the last."""
    import threading

    def load():
        try:
            import io

            from . import charts, classreport  # noqa: F401

            charts.png([charts.histogram_plot([0.5], 1.0)], io.BytesIO(), title="-")
        except Exception:  # noqa: BLE001 - only a head start: summary_png says what is wrong, if anything
            pass

    threading.Thread(target=load, name="rnngrade-report", daemon=True).start()


def summary_png(results: list[dict], path: Path) -> None:
    """The same summary as a figure, titled with the assignment: histogram of scores, pass rate per function — the
    class report's charts (charts.py), rasterized with Pillow (matplotlib would cost half a second to import)."""
    from . import charts
    from .classreport import function_rates

    rates = function_rates(results)
    top = max((r["max_score"] for r in results), default=1) or 1
    bars = charts.hbars_plot([fr.function for fr in rates], [100 * fr.rate for fr in rates], 100,
                             xlabel="cases passed per function (%)", height=320)
    hist = charts.histogram_plot([r["score"] for r in results], top, xlabel="score", ylabel="submissions",
                                 title=f"{len(results)} submissions", height=bars.h)
    tmp = Path(path).with_name(Path(path).name + ".tmp.png")
    charts.png([hist, bars], tmp, title=printable(results[0]["assignment"]) if results else "")
    os.replace(tmp, path)
