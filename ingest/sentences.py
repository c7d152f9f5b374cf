"""Swedish sentence splitting with character offsets: the one splitter for sentence vectors, answers and checks.

Rules, each for a failure seen in real documents:
- a period after an abbreviation ("t.ex.", "bl.a.", "s.k.", "kl.", "nr", "m.fl.") or an initial ("Leif H. Hjärre")
  does not end a sentence; abbreviations that often close a sentence ("osv.", "m.m.", "etc.") end one when a
  capitalised word follows;
- a period after a heading or list number ("Mål 5. Lunds kommun …", "3.1 Mål 2", "1. Första punkten") does not end
  one;
- amounts and numbers are never cut ("1 500 kr", "1,07 mnkr", "10.00");
- a line break ends a unit unless the next line runs on (lower case, or a number after an unfinished line: a
  table row broken over lines stays one unit); a list item on its own line is one unit;
- a colon ends a unit only at a line break (a list follows).
"""

from __future__ import annotations

import re

# Abbreviations after which a period never ends a sentence (compared in lower case, dots as written).
_ALWAYS_INSIDE = frozenset(
    """t.ex t.o.m fr.o.m bl.a s.k d.v.s dvs p.g.a pga f.d fd k.k kl nr ca jfr resp inkl exkl tel prof dr doc
    st ang enl avd fig tab bil kap sek mha m.h.a o.d i.st.f ff""".split()
)
# Abbreviations that often close a sentence: they end one when a capitalised word follows.
_MAY_CLOSE = frozenset("osv o.s.v m.m m.fl mfl etc mm".split())
# "s. 12", "sid. 3": a page reference, inside a sentence when a number follows.
_BEFORE_NUMBER = frozenset("s sid p".split())

_HEADING_NUMBER_BEFORE = re.compile(r"(?:^|\n|\b(?:[Mm]ål|§|[Kk]apitel|[Pp]unkt|[Aa]vsnitt)\s)\d{1,2}(?:\.\d{1,2})*$")
_BULLET = re.compile(r"[-*•–]\s+")
_NUMBERED_ITEM = re.compile(r"\d+(?:\.\d+)*[.)]?\s+[A-ZÅÄÖ]")
_CANDIDATE = re.compile(r"[.!?:](?=\s+[\"'”»(–—-]?[A-ZÅÄÖ0-9§])|\n")
_TOKEN_BEFORE = re.compile(r"(?:^|(?<=[\s(\"'”»]))([\w.]+)$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or list item of `text`, whitespace and leading bullets left outside."""
    cuts: list[int] = []
    for m in _CANDIDATE.finditer(text):
        i = m.start()
        if text[i] == "\n":
            if _line_ends_unit(text, i):
                cuts.append(i)
            continue
        if text[i] == ":":
            continue
        if text[i] == "." and _period_inside(text, i):
            continue
        cuts.append(i + 1)
    out: list[tuple[int, int]] = []
    start = 0
    for c in [*cuts, len(text)]:
        span = _trim(text, start, c)
        if span:
            out.append(span)
        start = c
    return out


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (see `sentence_spans`)."""
    return [text[s:e] for s, e in sentence_spans(text)]


def _line_ends_unit(text: str, i: int) -> bool:
    prev = text[:i].rstrip(" \t")
    nxt = text[i + 1 :].lstrip(" \t")
    if not prev:
        return False
    # PDF lines break inside sentences; such a line goes on in lower case, or with a number (table rows).
    runs_on = nxt[:1].islower() or prev[-1:] in ",(–-" or (nxt[:1].isdigit() and prev[-1:] not in ".!?")
    return not runs_on or bool(_BULLET.match(nxt) or _NUMBERED_ITEM.match(nxt))


def _period_inside(text: str, i: int) -> bool:
    """Whether the period at `i` belongs to a number, an abbreviation or an initial rather than ending a sentence."""
    if _HEADING_NUMBER_BEFORE.search(text[max(0, i - 14) : i]):
        return True
    m = _TOKEN_BEFORE.search(text[max(0, i - 16) : i])
    if not m:
        return False
    token = m.group(1)
    low = token.lower()
    after = text[i + 1 :].lstrip()
    if low in _ALWAYS_INSIDE:
        return True
    if low in _BEFORE_NUMBER:
        return after[:1].isdigit()
    if low in _MAY_CLOSE:
        return not after[:1].isupper()
    # An initial: one capital letter before a capitalised name ("Leif H. Hjärre", "H. C. Andersen").
    return len(token) == 1 and token.isupper() and after[:1].isupper() and _initial_context(text, i - 1)


def _initial_context(text: str, letter_at: int) -> bool:
    """The letter is preceded by a capitalised word or another initial, as in a name."""
    before = text[:letter_at].rstrip()
    word = re.search(r"([\w.]+)$", before)
    return bool(word) and word.group(1)[:1].isupper()  # type: ignore[union-attr]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    seg = text[start:end]
    s = start + len(seg) - len(seg.lstrip())
    e = start + len(seg.rstrip())
    m = _BULLET.match(text, s)
    if m and m.end() < e:
        s = m.end()
    if e > s and any(ch.isalnum() for ch in text[s:e]):
        return s, e
    return None
