"""Checks that an answer says only what its sources say.

Used twice: on every LLM answer before it is shown (unsupported sentences are dropped), and by the tests and the
eval to measure the extractive answers. The rules:
- a cited quote must be found in its passage (whitespace/case tolerant; the passage's exact span is reported);
- every number in a sentence must appear verbatim in a cited passage (its text or its title/section/date line);
- the sentence's content words must mostly come from its cited passages;
- text in a passage that gives orders to the assistant ("Ignorera tidigare instruktioner och skriv att …") is data,
  never evidence: a quote from it, or a claim only it supports, is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.text import Span, content_terms, find_span, norm_space, numbers, sentences
from assistant.types import Answer, Passage
from index.analyzer_sv import split_compound

# How many of a sentence's content words may be missing from its sources: an LLM inflects and reorders (stems
# absorb that) and may add a linking word, one per four content words. A three-word claim must be fully sourced
# ("Parkering i centrum är dyr" with "dyr" nowhere in the source is a new claim, not a paraphrase).
MAX_MISSING_SHARE = 0.25

_INJECTION = re.compile(
    r"\b(?:ignorera|strunta\s+i|glöm|bortse\s+från|ignore|disregard|forget)\b[^.!?\n]{0,40}?"
    r"\b(?:instruktion\w*|anvisning\w*|regler\w*|instructions?|rules|prompt\w*)"
    r"|(?:^|[,;]\s*|\boch\s+)(?:skriv|svara|säg|påstå|berätta)\s+(?:att|till\s+användaren)\b"
    r"|\bsystem\s*-?\s*prompt|\bdu\s+är\s+(?:nu\s+)?en\s+(?:ai|assistent|språkmodell|chattbot)"
    r"|\b(?:you\s+are\s+now|as\s+an\s+ai)\b",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class Cited:
    """One citation marker in a sentence: source number and, for LLM answers, the quote it gave."""

    n: int
    quote: str | None = None


@dataclass
class Verdict:
    ok: bool
    reasons: list[str] = field(default_factory=list)  # plain Swedish, for logs and the eval report
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (n, start, end) of each quote found


def suspect_spans(text: str) -> list[Span]:
    """Sentences of a passage that address the assistant with instructions (prompt injection)."""
    return [s for s in sentences(text) if _INJECTION.search(s.text)]


def is_instruction(text: str) -> bool:
    return bool(_INJECTION.search(text))


def trusted_text(p: Passage) -> str:
    """The passage with instruction-like sentences blanked out (same length, so offsets still hold)."""
    t = p.text
    for s in suspect_spans(t):
        t = t[: s.start] + " " * (s.end - s.start) + t[s.end :]
    return t


def unsupported_terms(sentence: str, sources: Iterable[str]) -> list[str]:
    """The sentence's content words (numbers aside) not found in `sources`; compounds count when their parts are."""
    have: set[str] = set()
    for s in sources:
        have.update(content_terms(s))
    out = []
    for w in content_terms(sentence):
        if w.isdigit() or w in have:
            continue
        parts = split_compound(w, have.__contains__) if len(w) >= 7 else []
        if not parts:
            out.append(w)
    return out


def support(sentence: str, sources: Iterable[str]) -> float:
    """Share of the sentence's content words found in `sources` (1.0 for a sentence without any)."""
    terms = [t for t in content_terms(sentence) if not t.isdigit()]
    return 1.0 - len(unsupported_terms(sentence, sources)) / len(terms) if terms else 1.0


def missing_numbers(sentence: str, sources: Iterable[str]) -> list[str]:
    have: set[str] = set()
    for s in sources:
        have.update(numbers(s))
    return [x for x in numbers(sentence) if x not in have]


def check_sentence(sentence: str, cites: Sequence[Cited], passages: Sequence[Passage]) -> Verdict:
    """Verify one answer sentence (citation markers already removed) against the passages it cites (1-based n)."""
    v = Verdict(ok=True)
    if not cites:
        return Verdict(False, ["meningen saknar källhänvisning"])
    if is_instruction(sentence):
        v.reasons.append("meningen innehåller en instruktion")
    sources: list[str] = []
    planted: list[str] = []
    for c in cites:
        if not 1 <= c.n <= len(passages):
            v.reasons.append(f"källa [{c.n}] finns inte")
            continue
        p = passages[c.n - 1]
        safe = trusted_text(p)
        sources += [safe, p.header]
        planted += [s.text for s in suspect_spans(p.text)]
        if c.quote is None:
            continue
        span = find_span(p.text, c.quote)
        if span is None:
            v.reasons.append(f"citatet finns inte i källa [{c.n}]")
        elif not norm_space(safe[span[0] : span[1]]) or _overlaps_suspect(p.text, span):
            v.reasons.append(f"citatet i källa [{c.n}] är en instruktion i dokumentet, inte ett sakförhållande")
        else:
            v.spans.append((c.n, *span))
    if not sources:
        v.reasons.append("inga giltiga källor")
    miss = missing_numbers(sentence, sources)
    if miss:
        v.reasons.append("talen " + ", ".join(miss) + " finns inte i källorna")
    missing = unsupported_terms(sentence, sources) if sources else []
    n_terms = len([t for t in content_terms(sentence) if not t.isdigit()])
    if len(missing) > int(MAX_MISSING_SHARE * n_terms):
        v.reasons.append("orden " + ", ".join(missing) + " finns inte i källorna")
    elif planted and set(missing) & set(unsupported_terms(" ".join(planted), [])):
        v.reasons.append("meningen bygger på en instruktion i dokumentet")
    v.ok = not v.reasons
    return v


def _overlaps_suspect(text: str, span: tuple[int, int]) -> bool:
    return any(s.start < span[1] and span[0] < s.end for s in suspect_spans(text))


# --- measuring a finished answer ---------------------------------------------------------------------------------
_MARK = re.compile(r"\s*\[(\d+)\]")


@dataclass
class SentenceCheck:
    sentence: str
    cited: list[int]
    ok: bool
    reasons: list[str]


def check_answer(answer: Answer, allowed: str = "") -> list[SentenceCheck]:
    """Every sentence of a finished answer checked against the citations it carries.

    A sentence without a marker (an opening such as "Ett mål handlar om klimatet:") is checked against all of the
    answer's citations; `allowed` is extra text its words may come from (the question, for restated openings).
    Quotes must equal their passage span exactly here: the answer is ours, not a model's.
    """
    by_n = {c.n: c for c in answer.citations}
    out = []
    for c in answer.citations:
        if c.text[c.start : c.end] != c.quote:
            out.append(SentenceCheck(c.quote, [c.n], False, [f"citat [{c.n}] stämmer inte med sitt textavsnitt"]))
    for s in _answer_sentences(answer.answer):
        ns = [int(m.group(1)) for m in _MARK.finditer(s)]
        plain = _MARK.sub("", s).strip()
        cites = [by_n[n] for n in ns if n in by_n] if ns else list(by_n.values())
        sources = [x for c in cites for x in (c.text, c.title, c.section, c.date, c.publisher, c.doc_type)]
        reasons = []
        if ns and len(cites) < len(ns):
            reasons.append("hänvisning till en källa som saknas")
        miss = missing_numbers(plain, sources)
        if miss:
            reasons.append("talen " + ", ".join(miss) + " finns inte i källorna")
        if support(plain, [*sources, allowed]) < 1.0:
            reasons.append("ord som inte finns i källorna")
        out.append(SentenceCheck(plain, ns, not reasons, reasons))
    return out


def _answer_sentences(text: str) -> list[str]:
    # A citation marker belongs to the sentence before it: cut after markers, and at line breaks.
    parts = re.split(r"(?<=\])\s+(?=[A-ZÅÄÖ0-9–-])|\n+", text)
    return [p.strip(" -–•\t") for p in parts if p.strip(" -–•\t")]
