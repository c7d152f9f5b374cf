"""Small text tools shared by the answerers and the verifier: sentences with offsets, content words, numbers.

Pure functions over strings; the Swedish stemming is the index's own, so "ekonomin" in a question meets "ekonomi"
in a passage exactly as it does in search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analyzer_sv import STOP_WORDS, stem, words

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

_ABBREVIATIONS = ("t.ex", "bl.a", "m.m", "d.v.s", "dvs", "osv", "s", "ca", "nr", "kr", "jfr", "resp", "inkl", "exkl")
_HEADING_NUMBER_BEFORE = re.compile(r"(?:^|\n|\b(?:[Mm]ål|§|[Kk]apitel|[Pp]unkt|[Aa]vsnitt)\s)\d{1,2}(?:\.\d{1,2})*$")
_BULLET = re.compile(r"[-*•–]\s+")
_NUMBERED_HEADING = re.compile(r"\d+(?:\.\d+)*\.?\s+[A-ZÅÄÖ]")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def norm_space(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def sentences(text: str) -> list[Span]:
    """Sentences and list items of `text` with their character spans (leading bullets left outside the span).

    A period after a heading number ("Mål 5. Lunds kommun …", "3.1 Mål 2") or an abbreviation does not end a
    sentence; a line break ends one unless the next line runs on (starts in lower case, or with a number after an
    unfinished line: a table row broken over lines stays one unit).
    """
    cuts: list[int] = []
    for m in re.finditer(r"[.!?:](?=\s+[\"'”»(–—-]?[A-ZÅÄÖ0-9§])|\n", text):
        i = m.start()
        if text[i] == "\n":
            prev = text[:i].rstrip(" \t")
            nxt = text[i + 1 :].lstrip(" \t")
            # PDF lines break inside sentences; such a line goes on in lower case, or with a number (table rows).
            runs_on = nxt[:1].islower() or prev[-1:] in ",(–-" or (nxt[:1].isdigit() and prev[-1:] not in ".!?")
            runs_on = runs_on and not _BULLET.match(nxt) and not _NUMBERED_HEADING.match(nxt)
            if prev and not runs_on:
                cuts.append(i)
            continue
        if text[i] == ":":
            continue  # a colon only ends a unit at a line break (lists), never inside a line
        before = text[max(0, i - 12) : i]
        if text[i] == "." and (
            _HEADING_NUMBER_BEFORE.search(text[max(0, i - 14) : i])
            or any(before.lower().endswith(" " + a) or before.lower() == a for a in _ABBREVIATIONS)
        ):
            continue
        cuts.append(i + 1)
    out: list[Span] = []
    start = 0
    for c in [*cuts, len(text)]:
        _add_span(text, start, c, out)
        start = c
    return out


def _add_span(text: str, start: int, end: int, out: list[Span]) -> None:
    seg = text[start:end]
    lead = len(seg) - len(seg.lstrip())
    s, e = start + lead, start + len(seg.rstrip())
    m = _BULLET.match(text, s)
    if m and m.end() < e:
        s = m.end()
    if e > s and any(ch.isalnum() for ch in text[s:e]):
        out.append(Span(s, e, text[s:e]))


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
