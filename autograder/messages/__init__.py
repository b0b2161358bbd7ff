"""The message catalog: every word of the grader's own that a student or a TA reads, in English and Japanese.

``text(key, lang, **facts)`` formats one entry; ``both(key, **facts)`` gives {"en": …, "ja": …}. Facts are plain
values (numbers, shapes, the grader's own names, words of another entry chosen in the same language); the worker
never sends prose: it sends facts, and the words are chosen here, in the language asked for. The catalog is the
merge of its sections, one module each, each a ``MESSAGES`` dict {key: {"en": template, "ja": template}}:

- general.py: the summary lines, points, which cases, the text report's lines, the runner's "skipped" messages;
- feedback.py: the one-line template of feedback.py (problem_text, NO_RESULT, the generic hints, the consistency
  check, …) and cases.judge's own sentences;
- report.py: the class report's words (classreport.render_html), keys ``class_…``;
- diagnosis.py: diagnosis.py's sentences, keys ``diag_…``.

To add a message: put ``"key": {"en": "…{fact}…", "ja": "…{fact}…"}`` in the section of the module that uses it
(a key unique over the whole catalog: importing this package raises when two sections define one), with the same
{placeholders} in both languages (format specs such as {rel:.1e} allowed), and read it with
``text("key", lang, fact=…)``. Never write the words in the module itself: tests/autograder/test_messages.py fails
on a Japanese literal outside the catalog. A language that an entry lacks falls back to English.
"""

from __future__ import annotations

from . import diagnosis, feedback, general, report

#: the catalog's languages: every entry has a template in each
LANGS = ("en", "ja")

#: the sections, merged into MESSAGES in this order
SECTIONS = {"general": general.MESSAGES, "feedback": feedback.MESSAGES, "report": report.MESSAGES,
            "diagnosis": diagnosis.MESSAGES}


def merge(sections: dict) -> dict:
    """One catalog from the sections {name: {key: {lang: template}}}; ValueError naming both sections when two of
    them define the same key."""
    merged: dict[str, dict[str, str]] = {}
    owner: dict[str, str] = {}
    for name, entries in sections.items():
        for key, entry in entries.items():
            if key in owner:
                raise ValueError(f"message {key!r} is defined in two sections: {owner[key]} and {name}")
            owner[key] = name
            merged[key] = entry
    return merged


MESSAGES: dict[str, dict[str, str]] = merge(SECTIONS)


def text(key: str, lang: str = "en", /, **facts) -> str:
    """The catalog's entry ``key`` in ``lang`` (English when the entry lacks the language), formatted with
    ``facts`` (positional key and lang: a fact may be named ``key`` or ``lang``)."""
    entry = MESSAGES[key]
    template = entry.get(lang)
    return (entry["en"] if template is None else template).format(**facts)


def both(key: str, /, **facts) -> dict:
    """{"en": …, "ja": …} of one entry."""
    return {lang: text(key, lang, **facts) for lang in LANGS}
