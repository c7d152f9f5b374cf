"""Small text tools shared by the answerers and the verifier: sentences with offsets, content words, numbers.

Pure functions over strings; the Swedish stemming is the index's own, so "ekonomin" in a question meets "ekonomi"
in a passage exactly as it does in search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analyzer_sv import STOP_WORDS, stem, words
from ingest.sentences import sentence_spans

# Words that carry the question's form, not its topic: they must not count as evidence that a passage answers it.
QUESTION_WORDS = frozenset(
    """vilka vilket vilken vilkas hur vad när var vem vems varför varifrån vart ska skall kan får måste bör
    finns fanns säger sägs står handlar gäller gällde innebär betyder berör rör om ens man jag vi ni du mig oss
    min mitt mina vår vårt våra någon något några många mycket mer mest stor stort stora hög högt höga lång
    länge ungefär egentligen just nu idag dag också även bara enligt dokumenten dokumentet""".split()
)
# Light verbs in their forms: they carry tense, not content, and an LLM's "ska gå med" for a source's "går med"
# must not count as an unsourced word.
LIGHT_VERBS = frozenset(
    """gå går gick gått göra gör gjorde gjort ge ger gav gett gavs ta tar tog tagit tas få fick fått kommer kom
    kommit bör borde kunna kunde vill ville skulle""".split()
)

# Spaces inside numbers: regular, no-break and narrow no-break ("86 200", "4 711").
_SP = "[ \u00a0\u202f]"
NUMBER = re.compile(rf"(?<![\w,.])(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,3}}(?:{_SP}\d{{3}})+(?:,\d+)?|\d+(?:,\d+)?)(?![\w])")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def norm_space(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def sentences(text: str) -> list[Span]:
    """Sentences and list items of `text` with their character spans (the rules: `ingest.sentences`)."""
    return [Span(s, e, text[s:e]) for s, e in sentence_spans(text)]


def content_terms(text: str) -> list[str]:
    """Stems of the words that carry meaning (stop words and question words left out), in order, unique."""
    out = []
    for w in words(text):
        if w in STOP_WORDS or w in QUESTION_WORDS or w in LIGHT_VERBS or (len(w) < 2 and not w.isdigit()):
            continue
        out.append(stem(w))
    return list(dict.fromkeys(out))


def numbers(text: str) -> list[str]:
    """Numbers as written ("86 200", "112,4", "2025-12-31"), spaces inside them normalised to one plain space."""
    return [re.sub(_SP, " ", m.group(0)) for m in NUMBER.finditer(text)]


def find_span(haystack: str, needle: str) -> tuple[int, int] | None:
    """Where `needle` occurs in `haystack`, tolerant of whitespace, case and quote-mark differences.

    Returns the exact span in `haystack`, so the caller reports the passage's own characters.
    """
    needle = needle.strip().strip("\"'”“»«„ ").strip()
    if not needle:
        return None
    parts = [re.escape(p) for p in _fold_quotes(needle).split()]
    pattern = r"\s+".join(parts)
    m = re.search(pattern, _fold_quotes(haystack), flags=re.IGNORECASE)
    return (m.start(), m.end()) if m else None


def _fold_quotes(s: str) -> str:
    # One-to-one character replacements only: offsets in the folded text equal those in the original.
    return s.translate(str.maketrans({"”": '"', "“": '"', "„": '"', "»": '"', "«": '"', "’": "'", "‘": "'", "–": "-"}))
