"""The data the assistant hands to the UI: passages it read, citations it made, and the answer. No rendering here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from index.hybrid import Hit

Mode = Literal["extractive", "llm"]

# The answer text of every refusal starts with this sentence; the UI and the tests look for it.
REFUSAL = "Jag hittar inget om det i dokumenten."
# "inget": the refusal, then this hint (the web app's search tab is named Sök).
REPHRASE = "Pröva att formulera frågan på ett annat sätt, eller sök bland dokumenten under fliken Sök."
# "osäkert": the gate doubts the draft; the nearest passages are shown as citations, nothing is asserted.
UNSURE = "Jag hittar inget säkert svar på just det. Närmast ligger:"
Confidence = Literal["svar", "osäkert", "inget"]
# Shown while a language model writes, until its first sentence has passed verification (never the draft itself).
FORMULATING = "Formulerar svaret …"
# Why an LLM-mode question got the extractive answer (Answer.llm.fallback_reason): the backend is not set up or
# could not be built, the call failed (also mid-stream), the model said it found nothing although the gate had
# accepted an answer, or too little of its reply survived verification (an echoed prompt, made-up quotes).
FallbackReason = Literal["not_configured", "backend_error", "refused", "unverified"]


@dataclass
class Segment:
    """Where one chunk lies inside a passage's text, with that chunk's own metadata."""

    start: int
    end: int
    chunk_id: str
    section: str
    goal: int = 0
    page: int = 0
    focus_area: str = ""


@dataclass
class Passage:
    """One or more adjacent chunks of one document, as the answerers see them."""

    doc_id: str
    chunk_ids: list[str]
    title: str
    doc_type: str
    date: str
    page: int
    section: str
    text: str
    source: str
    organ: str = ""
    publisher: str = ""
    goal: int = 0
    focus_area: str = ""
    chunk_index: int = 0  # index of the first chunk
    score: float = 0.0  # fused search score of the best chunk in it
    dense: float = 0.0  # best dense similarity among its chunks
    lexical: float = 0.0  # best BM25 score among its chunks
    segments: list[Segment] = field(default_factory=list)  # one per chunk, in order; empty: the whole text is one

    @classmethod
    def from_hits(cls, run: Sequence[Hit]) -> Passage:
        """One passage from hits on adjacent chunks of one document, in order: their texts joined by "\n", each
        chunk's place kept as a Segment; scores are the best among them."""
        first = run[0]
        best = max(run, key=lambda h: h.score)
        segments, pos = [], 0
        for h in run:
            segments.append(Segment(pos, pos + len(h.text), h.chunk_id, h.section, h.goal, h.page, h.focus_area))
            pos += len(h.text) + 1  # the "\n" that joins chunks
        return cls(
            doc_id=first.doc_id, chunk_ids=[h.chunk_id for h in run], title=first.title, doc_type=first.doc_type,
            date=first.date, page=first.page, section=first.section, text="\n".join(h.text for h in run),
            segments=segments,
            source=first.source, organ=first.organ, publisher=first.publisher, goal=first.goal if all(h.goal == first.goal for h in run) else 0,
            focus_area=first.focus_area, chunk_index=first.chunk_index, score=best.score,
            dense=max(h.signals.get("dense", 0.0) for h in run), lexical=max(h.signals.get("lexical", 0.0) for h in run),
        )  # fmt: skip

    @property
    def chunk_id(self) -> str:
        return self.chunk_ids[0]

    def segment_at(self, offset: int) -> Segment:
        """The chunk a character offset falls in (merged passages keep each chunk's section, goal and page)."""
        for seg in self.segments:
            if seg.start <= offset < seg.end:
                return seg
        if self.segments and offset >= self.segments[-1].start:
            return self.segments[-1]
        return Segment(0, len(self.text), self.chunk_id, self.section, self.goal, self.page, self.focus_area)

    @property
    def header(self) -> str:
        """What the sources show above the text: title, section, date. Counts as source text for numbers."""
        return " · ".join(x for x in (self.title, self.section, self.date) if x)


@dataclass
class Citation:
    n: int
    doc_id: str
    chunk_id: str
    title: str
    doc_type: str
    date: str
    page: int
    section: str
    quote: str  # exactly text[start:end]
    start: int
    end: int
    text: str  # the full cited passage
    source: str
    publisher: str = ""

    @classmethod
    def from_passage(cls, n: int, p: Passage, start: int, end: int) -> Citation:
        seg = p.segment_at(start)
        return cls(
            n=n, doc_id=p.doc_id, chunk_id=seg.chunk_id, title=p.title, doc_type=p.doc_type, date=p.date,
            page=seg.page, section=seg.section, quote=p.text[start:end], start=start, end=end, text=p.text,
            source=p.source, publisher=p.publisher,
        )  # fmt: skip

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class ClosestDoc:
    """A document named in a refusal: near the question, but not an answer to it."""

    doc_id: str
    title: str
    date: str
    section: str
    source: str


@dataclass(frozen=True)
class Status:
    """A line for the UI to show while it waits (e.g. FORMULATING); never answer text."""

    text: str


@dataclass
class LLMReport:
    """What the language model did for one answer: the `llm` field of the JSON and the audit log."""

    tried: bool = False
    kept_sentences: int = 0
    dropped: int = 0
    fallback_reason: FallbackReason | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    mode: Mode
    citations: list[Citation] = field(default_factory=list)
    standalone_question: str = ""  # the question as it was searched (follow-ups made standalone)
    closest: list[ClosestDoc] = field(default_factory=list)  # only when refused
    notice: str = ""  # e.g. why the LLM answer was replaced by the extractive one (plain Swedish)
    # svar: an answer; osäkert: the nearest passages, no answer asserted; inget: a refusal. `refused` is true for
    # both osäkert and inget.
    confidence: Confidence = "svar"
    llm: LLMReport = field(default_factory=LLMReport)

    def to_json(self) -> dict:
        """The output contract of `styrdok ask --json` (issues 3, 12 and 17): exactly these keys."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "confidence": self.confidence,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
            "notice": self.notice,  # e.g. that the language model's answer was replaced by quotes (plain Swedish)
            "llm": self.llm.to_json(),
        }
