"""The class report for TAs (report.html): what to re-teach, not 48 bars of per-case pass rates.

One self-contained HTML page (plots inline as SVG, no script, no external request, opens offline): the score
histogram with its mean and median, the pass rate per function (its cases folded in, 0-point informational checks
left out), the most frequent diagnoses (the known mistakes of each test's ``tags``) with one anonymised example,
the students who could not be graded and why, the grading time per student and its outliers, and optionally the
pairs of similar submissions (the ``similarity`` extra: copydetect), for a human to review. Every string a student
controls (ids, names, messages, code) goes through html.escape.
"""

from __future__ import annotations

import html
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import charts

#: the statuses of a result without a grade: listed in the report, never hidden among the zeros
UNGRADED = ("refused", "internal_error", "no_submission")
#: a student whose grading took more than this many times the class's median is an outlier
TIME_OUTLIER = 3.0
#: copydetect's similarity (share of a file's fingerprinted tokens found in the other) from which a pair is listed
SIMILARITY_THRESHOLD = 0.8
#: copydetect's noise threshold (k-gram length in tokens) and guarantee threshold (winnowing window: win = g - k + 1)
SIMILARITY_K, SIMILARITY_WINDOW = 25, 6

def _words(lang: str):
    """The class report's words in ``lang``: ``t(key, **facts)`` is the message catalog's class_<key>."""
    from .messages import text

    def t(key: str, **facts) -> str:
        return text("class_" + key, lang, **facts)

    return t


def _status_word(status: str, lang: str) -> str:
    """Why a submission was not graded, in ``lang`` (its status as it is when the catalog has no word for it)."""
    from .messages import MESSAGES, text

    return text("class_" + status, lang) if "class_" + status in MESSAGES else status


def function_of(test_name: str) -> str:
    """The function a test checks: "deltas [T=5, H=4]" → "deltas"."""
    return str(test_name).split(" [", 1)[0]


@dataclass
class FunctionRate:
    """One function's cases over the class (graded submissions only, scored cases only)."""

    function: str
    cases: int = 0
    passed: int = 0
    students: int = 0
    students_all: int = 0  # students who passed every scored case of the function
    points: float = 0.0
    max_points: float = 0.0

    @property
    def rate(self) -> float:
        return self.passed / self.cases if self.cases else 0.0


def function_rates(results: list[dict]) -> list[FunctionRate]:
    """Pass rate per function, in the order the tests come, over the graded submissions; 0-point checks left out."""
    rates: dict[str, FunctionRate] = {}
    for r in results:
        if r.get("status", "graded") != "graded":
            continue
        mine: dict[str, list] = {}
        for t in r["tests"]:
            if t.get("max_score", 0) > 0:
                mine.setdefault(function_of(t["name"]), []).append(t)
        for fn, tests in mine.items():
            fr = rates.setdefault(fn, FunctionRate(fn))
            ok = sum(t["status"] == "passed" for t in tests)
            fr.cases += len(tests)
            fr.passed += ok
            fr.students += 1
            fr.students_all += ok == len(tests)
            fr.points += sum(t["score"] for t in tests)
            fr.max_points += sum(t["max_score"] for t in tests)
    return list(rates.values())


def anonymise(text: str, result: dict) -> str:
    """text without the student's id, LMS id or name (replaced by "<student>")."""
    text = str(text)
    for who in sorted({result.get("student", ""), result.get("display_name", ""), result.get("lms_id", "")},
                      key=len, reverse=True):
        if who and len(who) >= 2:
            text = text.replace(who, "<student>")
    return text


@dataclass
class Diagnosis:
    tag: str
    students: int
    cases: int
    example: str


def diagnoses(results: list[dict], top: int = 10) -> list[Diagnosis]:
    """The known mistakes most often matched (each test's ``tags``), by students then cases, each with one
    anonymised example message."""
    students: Counter = Counter()
    cases: Counter = Counter()
    example: dict[str, str] = {}
    for r in results:
        seen = set()
        for t in r.get("tests", ()):
            for tag in t.get("tags") or ():
                cases[tag] += 1
                seen.add(tag)
                if tag not in example and t.get("output"):
                    example[tag] = anonymise(t["output"], r)
        students.update(seen)
    order = sorted(students, key=lambda g: (-students[g], -cases[g], g))[:top]
    return [Diagnosis(g, students[g], cases[g], example.get(g, "")) for g in order]


def ungraded(results: list[dict]) -> list[dict]:
    """The results without a grade (refused, internal error, no submission), by student."""
    return sorted((r for r in results if r.get("status") in UNGRADED), key=lambda r: str(r["student"]))


def time_outliers(results: list[dict], factor: float = TIME_OUTLIER) -> tuple[float, list[dict]]:
    """(median grading time of the graded submissions, those that took more than factor × it, slowest first)."""
    times = [r.get("execution_time", 0.0) for r in results if r.get("status", "graded") == "graded"]
    if not times:
        return 0.0, []
    med = statistics.median(times)
    out = [r for r in results if r.get("status", "graded") == "graded" and r.get("execution_time", 0.0) > factor * med]
    return med, sorted(out, key=lambda r: -r.get("execution_time", 0.0))


# --------------------------------------------------------------------------- similarity


@dataclass
class SimilarPair:
    a: str
    b: str
    similarity: tuple  # (share of a found in b, share of b found in a)
    code_a: str  # HTML: the escaped code with the overlap in <mark>
    code_b: str


@dataclass
class Similarity:
    """What the similarity section shows: state "off" (not asked), "missing" (copydetect not installed), "done"."""

    state: str = "off"
    threshold: float = SIMILARITY_THRESHOLD
    pairs: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def similarity_available() -> bool:
    try:
        import copydetect  # noqa: F401
    except ImportError:
        return False
    return True


def similar_pairs(sources: dict[str, str], boilerplate: str = "", threshold: float = SIMILARITY_THRESHOLD,
                  k: int = SIMILARITY_K, window: int = SIMILARITY_WINDOW) -> list[SimilarPair]:
    """The pairs of students whose code (sources: student → Python source) shares at least ``threshold`` of either
    file's fingerprinted tokens once the boilerplate (the released stub) is removed, most similar first, each with
    its overlap highlighted (copydetect's winnowing)."""
    from copydetect.detector import CodeFingerprint, compare_files
    from copydetect.utils import highlight_overlap

    base = CodeFingerprint("stub.py", k, window, fp=io.StringIO(boilerplate)).hashes if boilerplate.strip() else []
    prints = {s: CodeFingerprint("submission.py", k, window, boilerplate=list(base),
                                 fp=io.StringIO(src.replace(_OPEN, "").replace(_CLOSE, "")))
              for s, src in sources.items()}
    names = sorted(prints)
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            fa, fb = prints[a], prints[b]
            if not fa.hashes or not fb.hashes:
                continue
            _, sims, (sa, sb) = compare_files(fa, fb)
            if max(sims) < threshold or len(sa) == 0 or sa.shape[-1] == 0:
                continue
            pairs.append(SimilarPair(a, b, (float(sims[0]), float(sims[1])),
                                     _marked(fa.raw_code, sa, highlight_overlap),
                                     _marked(fb.raw_code, sb, highlight_overlap)))
    return sorted(pairs, key=lambda p: -max(p.similarity))


_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: where <mark> goes once the code is escaped


def _marked(code: str, slices, highlight_overlap) -> str:
    """The code, html.escape'd, with copydetect's overlap slices in <mark>."""
    text, _ = highlight_overlap(code, slices, _OPEN, _CLOSE)
    return html.escape(str(text)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


def sources_of(entries, results: list[dict], assignment: str) -> dict[str, str]:
    """{student: the Python source graded} for the graded students of batch.discover's entries (in the results'
    order), read again as grading read them (regular files only, no link followed); one that cannot be read is left
    out."""
    from .errors import SubmissionError
    from .submission import Submission, load_submission

    out = {}
    for e, r in zip(entries or (), results):
        if r.get("status", "graded") != "graded":
            continue
        try:
            sub = e.load(assignment) if e.load else e.path
            sub = sub if isinstance(sub, Submission) else load_submission(sub, assignment)
        except (SubmissionError, OSError, ValueError):
            continue
        out[r["student"]] = sub.source
    return out


def check_similarity(results: list[dict], sources: dict[str, str], assignment: str, root: Path | None = None,
                     threshold: float = SIMILARITY_THRESHOLD) -> Similarity:
    """The similarity section for the graded students' sources; state "missing" without copydetect."""
    if not similarity_available():
        return Similarity("missing", threshold)
    stub = ""
    if root is not None:
        try:
            stub = (Path(root) / "assignments" / assignment / f"{assignment}.py").read_text(encoding="utf-8")
        except OSError:
            stub = ""
    graded = {r["student"] for r in results if r.get("status", "graded") == "graded"}
    use = {s: src for s, src in sources.items() if s in graded}
    skipped = sorted(graded - set(use))
    return Similarity("done", threshold, similar_pairs(use, stub, threshold), skipped)


# --------------------------------------------------------------------------- plots


def histogram_svg(results: list[dict]) -> str:
    scores = [r["score"] for r in results]
    top = max((r["max_score"] for r in results), default=1) or 1
    markers = []
    if scores:
        mean, med = statistics.fmean(scores), statistics.median(scores)
        markers = [(f"mean {mean:.2f}", mean, charts.RED, "6 4"), (f"median {med:.2f}", med, charts.GREEN, "2 3")]
    # plots in ASCII: the page's words are in the tables around them
    return charts.histogram(scores, top, markers, xlabel="score", ylabel="submissions")


def function_svg(rates: list[FunctionRate]) -> str:
    return charts.hbars([r.function for r in rates], [100 * r.rate for r in rates], 100, xlabel="cases passed (%)")


def times_svg(results: list[dict], median: float) -> str:
    times = sorted(r.get("execution_time", 0.0) for r in results if r.get("status", "graded") == "graded")
    colors = [charts.RED if x > TIME_OUTLIER * median else charts.BLUE for x in times]
    lines = []
    if median:
        lines = [(f"median {median:.2f} s", median, charts.GREEN, "2 3"),
                 (f"{TIME_OUTLIER:g}× median", TIME_OUTLIER * median, charts.RED, "6 4")]
    return charts.vbars(times, colors, lines, xlabel="submissions, fastest first", ylabel="s")


# --------------------------------------------------------------------------- the page

_CSS = """body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;
vertical-align:top}th{background:#f0f0f0;white-space:nowrap}td.n{text-align:right}pre{white-space:pre-wrap;font-size:.85rem;margin:0}
mark{background:#ffe08a}.pair{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}.pair pre{border:1px solid #ccc;
padding:.3rem;max-height:30rem;overflow:auto}.note{color:#555}svg{max-width:100%;height:auto}"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def render_html(results: list[dict], assignment: str, lang: str | None = None,
                similarity: Similarity | None = None) -> str:
    """The class report as one self-contained HTML page (see the module's docstring)."""
    from .feedback import resolve_lang

    lang = resolve_lang(lang)
    t = _words(lang)
    sim = similarity or Similarity()
    graded = [r for r in results if r.get("status", "graded") == "graded"]
    scores = [r["score"] for r in results]
    top = max((r["max_score"] for r in results), default=0)
    out = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
           'img-src data:">',
           f"<title>{_e(t('title'))}: {_e(assignment)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{_e(t('title'))}: {_e(assignment)}</h1>"]
    if scores:
        out.append(f"<p>{len(results)} {t('students')}, {len(graded)} {t('graded')}; {t('mean')} "
                   f"{statistics.fmean(scores):.2f} / {top:g}, {t('median')} "
                   f"{statistics.median(scores):.2f} / {top:g}</p>")
    out.append(f'<h2 id="scores">{_e(t("scores"))}</h2>')
    out.append(histogram_svg(results))

    rates = function_rates(results)
    out.append(f'<h2 id="functions">{_e(t("functions"))}</h2><p class="note">{_e(t("fn_note"))}</p>')
    if rates:
        out.append(function_svg(rates))
        out.append(f"<table><tr><th>{t('function')}</th><th>{t('cases')}</th><th>{t('all_cases')}</th>"
                   f"<th>{t('points')}</th></tr>")
        for r in rates:
            pts = 100 * r.points / r.max_points if r.max_points else 0
            out.append(f"<tr><td>{_e(r.function)}</td><td class=n>{r.passed}/{r.cases} ({100 * r.rate:.0f}%)</td>"
                       f"<td class=n>{r.students_all}/{r.students}</td><td class=n>{pts:.0f}%</td></tr>")
        out.append("</table>")

    diag = diagnoses(results)
    out.append(f'<h2 id="diagnoses">{_e(t("diagnoses"))}</h2>')
    if diag:
        out.append(f"<table><tr><th>{t('mistake')}</th><th>{t('count')}</th><th>{t('cases_n')}</th>"
                   f"<th>{t('example')}</th></tr>")
        for d in diag:
            out.append(f"<tr><td>{_e(d.tag)}</td><td class=n>{d.students}</td><td class=n>{d.cases}</td>"
                       f"<td><pre>{_e(d.example)}</pre></td></tr>")
        out.append("</table>")
    else:
        out.append(f"<p>{_e(t('no_diag'))}</p>")

    bad = ungraded(results)
    out.append(f'<h2 id="ungraded">{_e(t("ungraded"))} ({len(bad)})</h2>')
    if bad:
        out.append(f"<table><tr><th>{t('student')}</th><th>{t('status')}</th><th>{t('reason')}</th></tr>")
        for r in bad:
            reason = "; ".join(str(n) for n in r.get("notes") or ())
            out.append(f"<tr><td>{_e(r['student'])}</td><td>{_e(_status_word(r['status'], lang))}</td>"
                       f"<td>{_e(reason)}</td></tr>")
        out.append("</table>")
    else:
        out.append(f"<p>{_e(t('all_graded'))}</p>")

    med, slow = time_outliers(results)
    out.append(f'<h2 id="times">{_e(t("times"))}</h2>')
    if graded:
        out.append(times_svg(results, med))
    if slow:
        out.append(f"<p>{_e(t('outliers', k=TIME_OUTLIER, m=med))}</p>"
                   f"<table><tr><th>{t('student')}</th><th>{t('time')}</th></tr>")
        for r in slow:
            out.append(f"<tr><td>{_e(r['student'])}</td><td class=n>{r.get('execution_time', 0.0):.2f}</td></tr>")
        out.append("</table>")
    else:
        out.append(f"<p>{_e(t('no_outliers', k=TIME_OUTLIER, m=med))}</p>")

    out.append(f'<h2 id="similarity">{_e(t("similar"))}</h2>')
    if sim.state == "off":
        out.append(f"<p>{_e(t('sim_off'))}</p>")
    elif sim.state == "missing":
        out.append(f"<p>{_e(t('sim_missing'))}</p>")
    else:
        out.append(f'<p class="note">{_e(t("sim_caveat", t=sim.threshold))}</p>')
        if not sim.pairs:
            out.append(f"<p>{_e(t('sim_none', t=sim.threshold))}</p>")
        for p in sim.pairs:
            out.append(f"<h3>{_e(p.a)} — {_e(p.b)}: {t('overlap')} {p.similarity[0]:.0%} / {p.similarity[1]:.0%}</h3>"
                       f'<div class="pair"><pre>{p.code_a}</pre><pre>{p.code_b}</pre></div>')
        if sim.skipped:
            out.append(f"<p class=note>{_e(t('sim_skipped', n=', '.join(sim.skipped)))}</p>")
    out.append("</body></html>\n")
    return "\n".join(out)
