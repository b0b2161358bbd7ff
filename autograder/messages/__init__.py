"""The message catalog: every word of the grader's own that a student or a TA reads, in English and Japanese.

``text(key, lang, **facts)`` formats one entry; ``both(key, **facts)`` gives {"en": …, "ja": …}. Facts are plain
values (numbers, shapes, the grader's own names, words of another entry chosen in the same language); the worker
never sends prose: it sends facts, and the words are chosen here, in the language asked for. The catalog is the
merge of its sections, one module each, each a ``MESSAGES`` dict {key: {"en": template, "ja": template}}:

- general.py: the summary lines, points, which cases, the text report's lines, the runner's "skipped" messages;
- feedback.py: the one-line template of feedback.py (problem_text, NO_RESULT, the generic hints, the consistency
  check, …) and cases.judge's own sentences;
- report.py: the class report's words (classreport.render_html), keys ``class_…``;
- diagnosis.py: diagnosis.py's sentences, keys ``diag_…``;
- submission.py: why a submission is refused (``refused_…``) and the notes a result carries (``note_…``).

A reason said long before the language is known (a SubmissionError raised while a file is read, a note on a
submission) travels as a ``Said``: the entry's key and facts, standing in its English (what ``str()``, the TA's
command line and the logs show); ``say(value, lang)`` words it in the graded language where the result is made.
Across a wire that carries JSON (a Dask task), ``to_plain`` sends it as its key and facts and ``from_plain`` rebuilds
it.

To add a message: put ``"key": {"en": "…{fact}…", "ja": "…{fact}…"}`` in the section of the module that uses it
(a key unique over the whole catalog: importing this package raises when two sections define one), with the same
{placeholders} in both languages (format specs such as {rel:.1e} allowed), and read it with
``text("key", lang, fact=…)``. Never write the words in the module itself: tests/autograder/test_messages.py fails
on a Japanese literal outside the catalog. A language that an entry lacks falls back to English.
"""

from __future__ import annotations

from . import diagnosis, feedback, general, report, submission

#: the catalog's languages: every entry has a template in each
LANGS = ("en", "ja")

#: the sections, merged into MESSAGES in this order
SECTIONS = {"general": general.MESSAGES, "feedback": feedback.MESSAGES, "report": report.MESSAGES,
            "diagnosis": diagnosis.MESSAGES, "submission": submission.MESSAGES}


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


class Said(str):
    """An entry of the catalog with its facts, standing in its English text: ``str()``, printing and JSON give the
    English (for the TA's command line and the logs), ``in_lang(lang)`` words it in any language. A fact may be a
    Said itself (worded in the same language). Pickles as its key and facts."""

    def __new__(cls, key: str, /, **facts):
        self = super().__new__(cls, text(key, "en", **facts))
        self.key, self.facts = key, facts
        return self

    def in_lang(self, lang: str) -> str:
        """The entry in ``lang``, its Said facts too."""
        return text(self.key, lang, **{name: say(value, lang) for name, value in self.facts.items()})

    def map_facts(self, fn) -> "Said":
        """The same entry with ``fn`` applied to each of its plain str facts (those of Said facts too), e.g. to
        leave a folder's name out of every path."""
        return Said(self.key, **{name: value.map_facts(fn) if isinstance(value, Said) else
                                 fn(value) if isinstance(value, str) else value for name, value in self.facts.items()})

    def __reduce__(self):
        return _said, (self.key, self.facts)

    def __repr__(self) -> str:
        return f"Said({self.key!r}, {self.facts!r})"


def _said(key: str, facts: dict) -> Said:
    return Said(key, **facts)


def say(value, lang: str):
    """A Said in ``lang``; anything else (a str already worded) as it is."""
    return value.in_lang(lang) if isinstance(value, Said) else value


def to_plain(value):
    """A Said as plain JSON data, {"said": its key, "facts": {…}} (its Said facts likewise), for a wire that carries
    JSON (a Dask task's arguments and result); anything else as it is. from_plain rebuilds the Said."""
    if isinstance(value, Said):
        return {"said": value.key, "facts": {name: to_plain(fact) for name, fact in value.facts.items()}}
    return value


def from_plain(value):
    """The Said that to_plain made (its facts as JSON gives them back: a tuple fact comes back a list); a str as it is;
    anything else, a key of no entry or facts that do not fit its entry included, as its str (never a Said that
    would raise when worded)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"said", "facts"} and value["said"] in MESSAGES \
            and isinstance(value["facts"], dict):
        facts = {str(name): from_plain(fact) if isinstance(fact, dict) else fact
                 for name, fact in value["facts"].items()}
        try:
            said = Said(value["said"], **facts)
            for lang in LANGS:
                said.in_lang(lang)
            return said
        except (KeyError, IndexError, ValueError, TypeError, AttributeError):
            pass
    return str(value)


def reason(exc: BaseException, lang: str) -> str:
    """An exception's message in ``lang``: its Said worded in the language, else its str (English)."""
    return say(message_of(exc), lang)


def message_of(exc: BaseException) -> str:
    """An exception's message as it was raised: its Said (to be worded later, in the graded language), else its str."""
    args = getattr(exc, "args", ())
    return args[0] if len(args) == 1 and isinstance(args[0], Said) else str(exc)
