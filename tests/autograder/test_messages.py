"""autograder.messages: one catalog, every entry in both languages with the same facts, no grader words outside it."""

import io
import json
import pickle
import re
import string
import tokenize
from pathlib import Path

import pytest

from autograder import messages
from autograder.errors import SubmissionError
from autograder.messages import LANGS, MESSAGES, SECTIONS, Said, both, merge, message_of, reason, say, text

AUTOGRADER = Path(messages.__file__).resolve().parent.parent
#: hiragana, katakana, CJK ideographs: a Japanese word (punctuation such as 。、（ is joining, not words)
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
#: modules not scanned: none (known_mistakes/ and suites/, per-exercise texts by design, are packages: the scan reads
#: autograder/*.py only)
NOT_SCANNED: set = set()
SCANNED = sorted(p.name for p in AUTOGRADER.glob("*.py") if p.name not in NOT_SCANNED)


def _fields(template: str) -> set:
    """The {placeholders} of a template, those nested in a format spec ({function:<{width}}) included."""
    out = set()
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None:
            out.add(name)
            out |= _fields(spec or "")
    return out


def japanese_literals(source: str) -> list:
    """(line, literal) of each string literal holding a Japanese word, docstrings and comments aside: a string
    token that is a whole statement by itself (a docstring) is skipped, and comments are not string tokens."""
    kinds = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    skip = {tokenize.NL, tokenize.COMMENT}
    toks = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type not in skip]
    found = []
    for i, tok in enumerate(toks):
        if tok.type not in kinds or not JAPANESE.search(tok.string):
            continue
        before = toks[i - 1].type if i else tokenize.NEWLINE
        after = toks[i + 1].type if i + 1 < len(toks) else tokenize.NEWLINE
        statement = before in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING)
        if tok.type == tokenize.STRING and statement and after in (tokenize.NEWLINE, tokenize.ENDMARKER):
            continue  # a docstring
        found.append((tok.start[0], tok.string))
    return found


class TestCatalog:
    def test_every_entry_in_both_languages(self):
        """Every entry has a template in each of the catalog's languages, and nothing else."""
        odd = {key: sorted(entry) for key, entry in MESSAGES.items()
               if set(entry) != set(LANGS) or not all(isinstance(v, str) for v in entry.values())}
        assert not odd
        assert LANGS == ("en", "ja")

    def test_same_placeholders_in_both_languages(self):
        """An entry's English and Japanese templates take the same facts (format specs aside)."""
        differ = {key: {lang: sorted(_fields(entry[lang])) for lang in LANGS} for key, entry in MESSAGES.items()
                  if _fields(entry["en"]) != _fields(entry["ja"])}
        assert not differ
        assert _fields("{mark} {function:<{width}} {got:5.2f}") == {"mark", "function", "width", "got"}

    def test_no_positional_placeholder(self):
        """Every placeholder is named: a fact is passed by its name, never by its place."""
        assert not [key for key, entry in MESSAGES.items() for t in entry.values() if "" in _fields(t)]

    def test_catalog_is_the_merge_of_its_sections(self):
        """MESSAGES holds every section's entries, each key once."""
        assert set(SECTIONS) == {"general", "feedback", "report", "diagnosis", "submission"}
        assert MESSAGES == merge(SECTIONS)
        assert len(MESSAGES) == sum(len(entries) for entries in SECTIONS.values())
        assert "summary" in SECTIONS["general"] and "sentence" in SECTIONS["feedback"]
        assert "class_title" in SECTIONS["report"]

    def test_a_key_in_two_sections_is_refused(self):
        """Merging two sections that define the same key raises, naming the key and both sections."""
        entry = {"en": "x", "ja": "x"}
        with pytest.raises(ValueError, match=r"'same'.*\bfirst\b.*\bsecond\b"):
            merge({"first": {"same": entry, "a": entry}, "second": {"b": entry, "same": entry}})
        assert merge({"first": {"a": entry}, "second": {"b": entry}}) == {"a": entry, "b": entry}

    def test_text_formats_in_the_language_asked(self):
        """text() fills the facts in the language asked; a language the entry lacks falls back to English."""
        facts = dict(mark="✓", function="deltas", passed=4, total=4, which="cases", points=1.2, possible=1.2, scope="")
        assert text("summary", "en", **facts) == "✓ deltas: 4/4 cases passed (1.20 / 1.2 points)"
        assert text("summary", "ja", **facts) == "✓ deltas: cases 4 件中 4 件に合格（1.20 / 1.2 点）"
        assert text("summary", "fr", **facts) == text("summary", "en", **facts)
        assert text("cases_all") == "cases"
        assert both("hidden_mark") == {"en": " (hidden)", "ja": "（非公開）"}

    def test_facts_may_be_named_key_or_lang(self):
        """The entry's key and language are positional, so that a fact may be called key or lang."""
        assert text("gradcheck_one", "en", key="W_in").startswith("∂E/∂W_in fails")
        assert both("gradcheck_one", key="W")["ja"].startswith("結果の型と形は正しいのに、∂E/∂W が")

    def test_every_entry_formats_with_its_own_facts(self):
        """Each template formats with one value per placeholder (no stray brace, no fact of another entry)."""
        broken = []
        for key, entry in MESSAGES.items():
            for lang in LANGS:
                facts = {name: (12 if name == "width" else 0.5) for name in _fields(entry[lang])}
                try:
                    text(key, lang, **facts)
                except (KeyError, IndexError, ValueError):
                    broken.append((key, lang))
        assert not broken


class TestSaid:
    """A reason said before the language is known: the entry's key and facts, standing in its English."""

    def test_stands_in_its_english_and_words_any_language(self):
        """str(), JSON and equality see the English; in_lang and say word it in the language asked, its Said facts
        in the same language."""
        what = Said("upload_what", assignment="lstm")
        said = Said("refused_nothing_submitted", what=what)
        english = "nothing was submitted: upload your lstm.py or lstm.ipynb (any file name), or a .zip of one"
        assert said == english and str(said) == english and json.dumps([said]) == json.dumps([english])
        assert said.in_lang("ja") == say(said, "ja") == "何も提出されていません。lstm.py または lstm.ipynb（ファイル名は自由）、" \
                                                        "またはその .zip をアップロードしてください"
        assert say(said, "en") == english and say("already worded", "ja") == "already worded"

    def test_an_exception_carries_it(self):
        """A SubmissionError raised with a Said prints its English; reason() words it in the graded language, and a
        plain message stays as it is."""
        exc = SubmissionError(Said("refused_link_file", path="alice/rnn_bptt.py"))
        assert str(exc) == "alice/rnn_bptt.py is a symbolic link: hand in the file itself, not a link"
        assert reason(exc, "ja") == "alice/rnn_bptt.py はシンボリックリンクです。リンクではなくファイルそのものを提出してください"
        assert isinstance(message_of(exc), Said) and message_of(exc).key == "refused_link_file"
        assert reason(SubmissionError("plain English"), "ja") == message_of(SubmissionError("plain English")) \
            == "plain English"

    def test_pickles_and_maps_its_facts(self):
        """A Said survives pickling (a Dask task) with its facts; map_facts changes every str fact, nested ones too."""
        said = Said("refused_other_exercise", name="sub/lstm.py", stem="lstm", assignment="gru",
                    what=Said("upload_what", assignment="gru"))
        back = pickle.loads(pickle.dumps(said))
        assert isinstance(back, Said) and back == said and back.in_lang("ja") == said.in_lang("ja")
        short = said.map_facts(lambda fact: fact.replace("sub/", ""))
        assert short.startswith("lstm.py is named after the exercise lstm")
        assert short.in_lang("ja").startswith("lstm.py は")

    def test_crosses_json_as_its_key_and_facts(self):
        """to_plain sends a Said as plain JSON data (its key and facts, nested Saids too); from_plain rebuilds it,
        worded in any language; a plain str stays as it is, and data that is no entry of the catalog becomes a str."""
        said = Said("refused_larger", path="dl.zip:A_1/x.py", size=Said("size_mb", n=5))
        back = messages.from_plain(json.loads(json.dumps(messages.to_plain(said))))
        assert isinstance(back, Said) and isinstance(back.facts["size"], Said) and back == said
        assert back.in_lang("ja") == said.in_lang("ja") == \
            "dl.zip:A_1/x.py は 5 MB を超えています。データを削除して（ノートブックなら Edit > Clear All Outputs）、もう一度提出してください"
        assert messages.to_plain("plain") == messages.from_plain("plain") == "plain"
        for junk in ({"said": "no_such_entry", "facts": {}}, {"said": "refused_larger", "facts": {}}, 7):
            assert type(messages.from_plain(junk)) is str


class TestOneCatalog:
    """No Japanese word in the grader's code outside the catalog (docstrings and comments aside)."""

    @pytest.mark.parametrize("name", SCANNED)
    def test_no_japanese_literal(self, name):
        """The module's string literals hold no Japanese word: its words come from the catalog."""
        assert japanese_literals((AUTOGRADER / name).read_text(encoding="utf-8")) == []

    def test_scan_covers_the_feedback_modules(self):
        """The feedback, the class report, the diagnosis and the modules that build sentences are among the
        scanned."""
        assert {"feedback.py", "classreport.py", "cases.py", "selfcheck.py", "api.py", "report.py",
                "mistakes.py", "gradescope.py", "batch.py", "diagnosis.py", "submission.py"} <= set(SCANNED)

    def test_scan_finds_a_literal_not_a_docstring_or_comment(self):
        """The scan reports a Japanese literal in code, even in an f-string or a joining expression, and skips
        docstrings and comments."""
        source = ('"""モジュール。"""\n'
                  'def f(lang):\n'
                  '    """関数。"""\n'
                  '    # 注釈\n'
                  '    x = "です" if lang == "ja" else "is"\n'
                  '    return f"{x} 点" + "、".join(["a"])\n')
        assert [line for line, _ in japanese_literals(source)] == [5, 6]
