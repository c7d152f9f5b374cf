"""LLM answers: prompt with numbered sources, verify the reply sentence by sentence as it streams, keep only what
verifies — and never be worse than the extractive answer.

The model is asked to end every sentence with [n: "citat"]. Each sentence is checked in code as soon as it is
complete (`verify.check_sentence`): the quote must be in source n, numbers must be in the cited sources, the words
must mostly come from them, and nothing may rest on an instruction planted in a document. Only sentences that pass
are passed on to the UI, one at a time; nothing unchecked is ever shown. The extractive answer (which the gate has
already accepted) is returned instead, with a notice and `Answer.llm.fallback_reason`, when the call fails, when the
model says it found nothing, or when less than half of its sentences (or none) survive.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from assistant.conversation import Resolved
from assistant.llm.base import Generator, GeneratorError, Message
from assistant.prompts import ANSWER_STOP, ANSWER_SYSTEM, answer_messages
from assistant.text import norm_space
from assistant.tokens import TokenCounter
from assistant.types import FORMULATING, REFUSAL, Answer, Citation, FallbackReason, LLMReport, Passage, Status
from assistant.verify import Cited, check_sentence

log = logging.getLogger("styrdok.assistant")

MIN_KEPT_SHARE = 0.5  # below this share of verified sentences the whole LLM answer is replaced
# Reply budget: a rephrasing of the accepted extractive answer needs about its length again for the quotes it must
# carry, plus room for the markers; never more than ANSWER_MAX (a runaway reply costs seconds on a small server).
ANSWER_MIN, ANSWER_MAX, ANSWER_MARKERS = 96, 400, 48
PROMPT_MARGIN = 200  # tiktoken is an estimate for other models' tokenizers
_MARKER = re.compile(r"\[\s*(\d+)\s*(?:[:,]\s*(?:[\"“”„»«']\s*(.*?)\s*[\"“”„»«']|([^\]]*?)))?\s*\]", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“”„»«(]?[A-ZÅÄÖ0-9])")
# Where a streamed reply can be cut with every sentence before it complete: after a marker (and its full stop)
# when the next word has begun, or after a full stop before a capital. Never inside an open marker.
_BOUNDARY = re.compile(r"(?:\][.!?]?[\"”»)]*|[.!?][\"”»)]*)\s+(?=[\"“„»«(]?[^\s\[.,;:!?\]])")

FALLBACK_NOTICE = (
    "Språkmodellens svar gick inte att belägga i källorna, så svaret består i stället av citat direkt ur dokumenten."
)
ERROR_NOTICE = "Svaret består av citat direkt ur dokumenten."


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


@dataclass
class SentenceStream:
    """Verifies a reply while it streams: `feed` returns the sentences that completed and passed, as the answer
    shows them (with their citation numbers, renumbered in order of first use)."""

    passages: Sequence[Passage]
    raw: str = ""
    done: int = 0  # how much of `raw` has been cut into claims
    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # why, for counts (not logged: a sentence can echo the question)
    citations: list[Citation] = field(default_factory=list)

    def feed(self, piece: str) -> list[str]:
        self.raw += piece
        cut = self._last_boundary()
        return self._take(cut) if cut > self.done else []

    def finish(self) -> list[str]:
        return self._take(len(self.raw))

    @property
    def claims(self) -> int:
        return len(self.kept) + len(self.dropped)

    @property
    def text(self) -> str:
        return "".join(self.kept)

    def _last_boundary(self) -> int:
        cut = self.done
        for m in _BOUNDARY.finditer(self.raw, self.done):
            part = self.raw[self.done : m.end()]
            if part.count("[") == part.count("]"):  # a quote inside a marker may contain a full stop
                cut = m.end()
        return cut

    def _take(self, cut: int) -> list[str]:
        chunk, self.done = self.raw[self.done : cut], cut
        out = []
        for c in parse(chunk):
            v = check_sentence(c.sentence, c.cites, self.passages)
            if v.ok and all(q.quote for q in c.cites):
                shown = ("" if not self.kept else " ") + self._render(c.sentence, v.spans)
                self.kept.append(shown)
                out.append(shown)
            else:
                self.dropped.append("; ".join(v.reasons) or "citat saknas")
        return out

    def _render(self, sentence: str, spans: list[tuple[int, int, int]]) -> str:
        marks = []
        for n, start, end in spans:
            p = self.passages[n - 1]
            cit = next(
                (x for x in self.citations if x.chunk_id == p.chunk_id and (x.start, x.end) == (start, end)), None
            )
            if cit is None:
                cit = Citation.from_passage(len(self.citations) + 1, p, start, end)
                self.citations.append(cit)
            marks.append(f"[{cit.n}]")
        body = sentence.rstrip()
        end = body[-1] if body[-1:] in ".!?" else "."
        return f"{body.rstrip('.!?')} {' '.join(dict.fromkeys(marks))}{end}"


def verified_answer(
    raw: str, passages: Sequence[Passage], question: str, standalone: str
) -> tuple[Answer | None, list[str]]:
    """A whole reply's verified sentences as an Answer (None when too little survives), and why others were dropped."""
    s = SentenceStream(passages)
    s.feed(raw)
    s.finish()
    return _llm_answer(s, question, standalone), s.dropped


def _llm_answer(s: SentenceStream, question: str, standalone: str) -> Answer | None:
    if not s.kept or len(s.kept) < MIN_KEPT_SHARE * s.claims:
        return None
    answer = Answer(question, s.text, False, "llm", list(s.citations), standalone)
    answer.llm = LLMReport(True, len(s.kept), len(s.dropped))
    if s.dropped:
        answer.notice = (
            f"{len(s.dropped)} mening(ar) i språkmodellens svar togs bort eftersom de inte gick att belägga."
        )
    return answer


def model_refused(raw: str) -> bool:
    """Did the model itself say it found nothing? Only a reply that is the refusal sentence and little more counts:
    the sentence is in the prompt's rules, so a model that echoes its prompt repeats it among much else."""
    text = norm_space(_MARKER.sub(" ", raw)).lower()
    core = norm_space(REFUSAL).lower().rstrip(".")
    if core not in text or _MARKER.search(raw):
        return False
    return len(text.replace(core, "").strip(" .:-\"'")) <= 40


def fit_passages(passages: Sequence[Passage], context_tokens: int, counter: TokenCounter) -> list[Passage]:
    """As many passages (best first) as fit the model's context next to the instructions and the longest reply."""
    budget = context_tokens - ANSWER_MAX - counter.count(ANSWER_SYSTEM) - PROMPT_MARGIN
    return list(passages[: counter.fit([p.text for p in passages], max(200, budget))])


def reply_budget(extractive: Answer, messages: Sequence[Message], context_tokens: int, counter: TokenCounter) -> int:
    """max_tokens for the reply: sized to the accepted answer it rephrases, within what the context has left."""
    want = 2 * counter.count(extractive.answer) + ANSWER_MARKERS
    room = context_tokens - sum(counter.count(m["content"]) for m in messages) - PROMPT_MARGIN
    return max(32, min(ANSWER_MAX, max(ANSWER_MIN, want), room))


def fallback(extractive: Answer, reason: FallbackReason, notice: str, s: SentenceStream | None = None) -> Answer:
    extractive.notice = " ".join(x for x in (notice, extractive.notice) if x)
    kept, dropped = (len(s.kept), len(s.dropped)) if s else (0, 0)
    extractive.llm = LLMReport(True, kept, dropped, reason)
    return extractive


def answer_with_llm(
    llm: Generator,
    resolved: Resolved,
    passages: Sequence[Passage],
    extractive: Answer,
    context_tokens: int,
    counter: TokenCounter,
) -> Iterator[str | Status | Answer]:
    """A status line, the verified sentences as each completes, then the Answer (the extractive one on fallback)."""
    used = fit_passages(passages, context_tokens, counter)
    messages = answer_messages(resolved.standalone, used)
    budget = reply_budget(extractive, messages, context_tokens, counter)
    s = SentenceStream(used)
    yield Status(FORMULATING)
    try:
        for token in llm.stream(messages, max_tokens=budget, stop=ANSWER_STOP):
            yield from s.feed(token)
        yield from s.finish()
    except GeneratorError as e:
        log.warning("LLM failed: %s", e)
        yield fallback(extractive, "backend_error", f"{e} {ERROR_NOTICE}", s)
        return
    if s.dropped:  # counted, not quoted: a model's sentence can repeat a name from the question
        log.info("dropped %d unsupported sentence(s)", len(s.dropped))
    if model_refused(s.raw):  # the gate accepted an answer: a refusal must not take it away
        yield fallback(extractive, "refused", FALLBACK_NOTICE, s)
        return
    answer = _llm_answer(s, resolved.question, resolved.standalone)
    yield answer if answer is not None else fallback(extractive, "unverified", FALLBACK_NOTICE, s)
