"""LLM answers: prompt with numbered sources, stream the reply, parse its citations, keep only what verifies.

The model is asked to end every sentence with [n: "citat"]. Each sentence is then checked in code
(`verify.check_sentence`): the quote must be in source n, numbers must be in the cited sources, the words must
mostly come from them, and nothing may rest on an instruction planted in a document. Sentences that fail are
dropped; if less than half survive (or none), the extractive answer is returned instead, with a notice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.config import LLMSettings
from assistant.conversation import Resolved
from assistant.llm.base import Generator, GeneratorError
from assistant.prompts import ANSWER_SYSTEM, answer_messages
from assistant.text import norm_space
from assistant.tokens import TokenCounter
from assistant.types import REFUSAL, Answer, Citation, Passage
from assistant.verify import Cited, check_sentence

log = logging.getLogger("styrdok.assistant")

MIN_KEPT_SHARE = 0.5  # below this share of verified sentences the whole LLM answer is replaced
_MARKER = re.compile(r"\[\s*(\d+)\s*(?:[:,]\s*(?:[\"“”„»«']\s*(.*?)\s*[\"“”„»«']|([^\]]*?)))?\s*\]", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“”„»«(]?[A-ZÅÄÖ0-9])")

FALLBACK_NOTICE = (
    "Språkmodellens svar gick inte att belägga i källorna, så svaret består i stället av citat direkt ur dokumenten."
)


@dataclass
class Claim:
    sentence: str  # without its markers
    cites: list[Cited]


def parse(raw: str) -> list[Claim]:
    """Sentences of a model reply with the citation markers that follow each (none: an uncited sentence)."""
    claims: list[Claim] = []
    pos = 0
    for m in _MARKER.finditer(raw):
        text = raw[pos : m.start()]
        if text.strip(" \t.,;"):
            parts = [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]
            claims += [Claim(s.strip(), []) for s in parts[:-1]]  # only the last sentence before a marker is cited
            claims.append(Claim(parts[-1].strip(), []))
        if claims:
            claims[-1].cites.append(Cited(int(m.group(1)), (m.group(2) or m.group(3) or "").strip() or None))
        pos = m.end()
    rest = raw[pos:].strip(" \t\n.,;")
    if rest:
        claims += [Claim(s.strip(), []) for s in _SENTENCE_END.split(rest) if s.strip(" .")]
    for c in claims:
        c.sentence = c.sentence.strip().lstrip(".,;: ").strip()
    return [c for c in claims if c.sentence]


def verified_answer(
    raw: str, passages: Sequence[Passage], question: str, standalone: str
) -> tuple[Answer | None, list[str]]:
    """The reply's verified sentences as an Answer (None when too little survives), and why others were dropped."""
    claims = parse(raw)
    dropped: list[str] = []
    kept: list[tuple[str, list[tuple[int, int, int]]]] = []
    for c in claims:
        v = check_sentence(c.sentence, c.cites, passages)
        if v.ok and all(q.quote for q in c.cites):
            kept.append((c.sentence, v.spans))
        else:
            dropped.append(f"{c.sentence[:80]} — {'; '.join(v.reasons) or 'citat saknas'}")
    if not kept or len(kept) < MIN_KEPT_SHARE * len(claims):
        return None, dropped
    citations: list[Citation] = []
    parts = []
    for sentence, spans in kept:
        marks = []
        for n, start, end in spans:
            p = passages[n - 1]
            cit = next((x for x in citations if x.chunk_id == p.chunk_id and (x.start, x.end) == (start, end)), None)
            if cit is None:
                cit = Citation.from_passage(len(citations) + 1, p, start, end)
                citations.append(cit)
            marks.append(f"[{cit.n}]")
        body = sentence.rstrip()
        end = body[-1] if body[-1:] in ".!?" else "."
        parts.append(f"{body.rstrip('.!?')} {' '.join(dict.fromkeys(marks))}{end}")
    answer = Answer(question, " ".join(parts), False, "llm", citations, standalone)
    if dropped:
        answer.notice = f"{len(dropped)} mening(ar) i språkmodellens svar togs bort eftersom de inte gick att belägga."
    return answer, dropped


def fit_passages(passages: Sequence[Passage], settings: LLMSettings, counter: TokenCounter) -> list[Passage]:
    """As many passages (best first) as fit the model's context next to the instructions and the reply."""
    budget = settings.context_tokens - settings.max_tokens - counter.count(ANSWER_SYSTEM) - 200
    return list(passages[: counter.fit([p.text for p in passages], max(200, budget))])


def answer_with_llm(
    llm: Generator,
    resolved: Resolved,
    passages: Sequence[Passage],
    extractive: Answer,
    refusal: Answer,
    settings: LLMSettings,
    counter: TokenCounter,
) -> Iterator[str | Answer]:
    """Stream the model's tokens, then yield the verified Answer (or the extractive one, with a notice)."""
    used = fit_passages(passages, settings, counter)
    pieces: list[str] = []
    try:
        for token in llm.stream(answer_messages(resolved.standalone, used)):
            pieces.append(token)
            yield token
    except GeneratorError as e:
        log.warning("LLM failed: %s", e)
        extractive.notice = f"{e} Svaret består av citat direkt ur dokumenten."
        yield extractive
        return
    raw = "".join(pieces)
    if norm_space(REFUSAL).lower().rstrip(".") in norm_space(raw).lower() and not _MARKER.search(raw):
        yield refusal  # the model found nothing either: say so, with the closest documents
        return
    answer, dropped = verified_answer(raw, used, resolved.question, resolved.standalone)
    if dropped:  # counted, not quoted: a model's sentence can repeat a name from the question
        log.info("dropped %d unsupported sentence(s)", len(dropped))
    if answer is None:
        extractive.notice = FALLBACK_NOTICE
        yield extractive
        return
    yield answer
