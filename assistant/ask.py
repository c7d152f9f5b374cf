"""Question → Answer: make it standalone, retrieve, decide whether the passages answer it, then answer.

The extractive answer is always computed (it is cheap, ~ms after retrieval); in LLM mode it is the fallback when
the model fails or too little of its answer survives verification.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence

from assistant.answer_extractive import Candidate, Composed, candidates, compose, kind_of
from assistant.config import AnswerSettings, LLMSettings
from assistant.conversation import Resolved, resolve
from assistant.gate_model import features as gate_features
from assistant.gate_model import load as gate_model
from assistant.llm import backend_from_env
from assistant.llm.base import Generator, GeneratorError
from assistant.relevance import Relevance, assess
from assistant.retrieve import Retrieval, closest_documents, focus_area_goals, retrieve
from assistant.scoring import SentenceSimilarity, TermWeights
from assistant.text import content_terms
from assistant.tokens import TokenCounter
from assistant.types import REFUSAL, REPHRASE, UNSURE, Answer, Citation, Confidence, LLMReport, Mode, Passage, Status
from index.catalog import Filters
from index.engine import Index

log = logging.getLogger("styrdok.assistant")

K_FACT = 5  # passages for a fact question
HOME_BONUS = 0.02  # sentence score lead of the home organisation's text for questions about "kommunen"
_ABOUT_MUNICIPALITY = re.compile(r"\bkommun(?:en|ens)\b|\bvår\s+kommun\b", re.I)
UNSURE_PASSAGES = 3  # passages an "osäkert" reply shows, one per document
K_GOALS = 9  # a list of goals needs room for several goals and the sentence that names them


def final_answer(stream: Iterable[str | Status | Answer]) -> Answer:
    """Drain an answer stream (status lines, verified sentences, then the Answer) and return the Answer it ends with."""
    answer: Answer | None = None
    for item in stream:
        if isinstance(item, Answer):
            answer = item
    if answer is None:
        raise RuntimeError("the answer stream ended without an Answer")
    return answer


class Assistant:
    def __init__(
        self,
        index: Index,
        llm_settings: LLMSettings | None = None,
        generator: Generator | None = None,
        settings: AnswerSettings | None = None,
    ):
        self.index = index
        self.llm_settings = llm_settings or LLMSettings.from_env()
        self.settings = settings or AnswerSettings.from_env()
        self._generator = generator
        self._generator_error = ""
        self.similarity = SentenceSimilarity(index.embedder)
        self.tokens = TokenCounter(index.settings.home)

    # --- the LLM, built on first use ----------------------------------------------------------------------------
    def generator(self) -> Generator | None:
        if self._generator is None and not self._generator_error and self.llm_settings.configured:
            try:
                self._generator = backend_from_env(self.llm_settings.env)
            except GeneratorError as e:
                self._generator_error = str(e)
                log.warning("LLM unavailable: %s", e)
        return self._generator

    def default_mode(self) -> Mode:
        return "llm" if self.llm_settings.mode == "llm" and self.llm_settings.configured else "extractive"

    # --- asking --------------------------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: Sequence[str | Answer] | None = None,
        filters: Filters | None = None,
        mode: Mode | None = None,
    ) -> Answer:
        return final_answer(self.ask_stream(question, history, filters, mode))

    def ask_stream(
        self,
        question: str,
        history: Sequence[str | Answer] | None = None,
        filters: Filters | None = None,
        mode: Mode | None = None,
    ) -> Iterator[str | Status | Answer]:
        """In LLM mode a Status ("Formulerar svaret …") and then each sentence of the model's reply once it has
        passed verification; always last, the final Answer. A UI shows the sentences as they come and then the
        Answer, whose text is exactly those sentences unless it fell back to the extractive answer (Answer.llm).
        """
        mode = mode or self.default_mode()
        llm = self.generator() if mode == "llm" else None
        resolved = resolve(question, history, llm=llm)
        prep = self.prepare(resolved, filters)
        if prep.confidence == "osäkert":
            yield self._unsure(prep)
            return
        if prep.refused:
            yield self._refusal(resolved, prep.retrieval)
            return
        extractive = Answer(
            question=question, answer=prep.composed.text, refused=False, mode="extractive", confidence="svar",
            citations=prep.composed.citations, standalone_question=resolved.standalone,
            notice=self._other_publisher(prep.composed.citations),
        )  # fmt: skip
        if mode != "llm":
            yield extractive
            return
        if llm is None:
            extractive.notice = self._generator_error or "Ingen språkmodell är inställd; svaret är citat ur dokumenten."
            extractive.llm = LLMReport(False, fallback_reason="not_configured")
            yield extractive
            return
        from assistant.answer_llm import answer_with_llm

        yield from answer_with_llm(
            llm, resolved, prep.retrieval.passages, extractive, self.llm_settings.context_tokens, self.tokens
        )

    def prepare(self, resolved: Resolved, filters: Filters | None = None) -> Prepared:
        """Retrieval, candidate sentences, the extractive answer and the refusal decision (also used by the eval)."""
        q = resolved.standalone
        kind = kind_of(resolved.standalone)
        r = retrieve(self.index, q, filters, k=K_GOALS if kind in ("goals", "goal", "goal_about") else K_FACT)
        if kind == "goals":
            r.passages = focus_area_goals(self.index, q, r.passages)
        weights = TermWeights(self.index.catalog, content_terms(q))
        # Three in four candidate sentences are sentences ingest already embedded: reuse those vectors.
        self.similarity.prime(self.index.sentence_vectors([c for p in r.passages for c in p.chunk_ids]))
        ranked = self._prefer_home(q, r.passages, candidates(q, resolved.focus, r.passages, self.similarity, weights))
        composed = compose(q, resolved.focus, r.passages, ranked)
        rel = assess(ranked, kind, composed.typed_ok, has_goal=composed.has_goal, named=composed.named)
        feats = gate_features(content_terms(q), kind, ranked, composed, r.passages, weights)
        return Prepared(resolved, r, composed, rel, feats, ranked)

    def _prefer_home(self, q: str, passages: Sequence[Passage], ranked: list[Candidate]) -> list[Candidate]:
        """A question about "kommunen" is about the home organisation: its sentences get a small lead, enough to
        win among near-equal ones (a government press release about all municipalities loses to the municipality's
        own text), too small to put an unrelated sentence first."""
        org = self.settings.organisation.lower()
        if not org or not _ABOUT_MUNICIPALITY.search(q):
            return ranked
        home = {i for i, p in enumerate(passages) if p.publisher.lower() == org}
        if not home:
            return ranked
        for c in ranked:
            if c.passage in home:
                c.score += HOME_BONUS
        return sorted(ranked, key=lambda c: -c.score)

    def _other_publisher(self, citations: Sequence[Citation]) -> str:
        """ "Svaret bygger på text från Regeringen, inte från Lunds kommun." when no cited text is the home
        organisation's and the publishers are known."""
        org = self.settings.organisation
        others = list(dict.fromkeys(c.publisher for c in citations))
        if not org or not citations or "" in others or any(p.lower() == org.lower() for p in others):
            return ""
        return f"Svaret bygger på text från {' och '.join(others)}, inte från {org}."

    def _refusal(self, resolved: Resolved, r: Retrieval) -> Answer:
        closest = closest_documents(r.hits)
        text = REFUSAL
        if closest:
            names = "; ".join(f"{c.title} ({c.date})" if c.date else c.title for c in closest)
            text += f" Närmast frågan ligger: {names}."
        return Answer(
            question=resolved.question, answer=f"{text} {REPHRASE}", refused=True, mode="extractive",
            standalone_question=resolved.standalone, closest=closest, confidence="inget",
        )  # fmt: skip

    def _unsure(self, prep: Prepared) -> Answer:
        """The nearest passages (each by its best sentence) as citations, under a line that asserts nothing."""
        cites: list[Citation] = []
        lines = [UNSURE]
        for c in prep.ranked:
            if len(cites) == UNSURE_PASSAGES:
                break
            if c.heading or any(x.doc_id == prep.retrieval.passages[c.passage].doc_id for x in cites):
                continue
            p = prep.retrieval.passages[c.passage]
            cite = Citation.from_passage(len(cites) + 1, p, c.span.start, c.span.end)
            cites.append(cite)
            where = " · ".join(x for x in (p.title, p.date, cite.section if cite.section != p.title else "") if x)
            lines.append(f"- {where} [{cite.n}]")
        return Answer(
            question=prep.resolved.question, answer="\n".join(lines), refused=True, mode="extractive",
            citations=cites, standalone_question=prep.resolved.standalone, confidence="osäkert",
        )  # fmt: skip


class Prepared:
    def __init__(
        self,
        resolved: Resolved,
        retrieval: Retrieval,
        composed: Composed,
        relevance: Relevance,
        features: dict[str, float] | None = None,
        ranked: Sequence[Candidate] = (),
    ) -> None:
        self.resolved = resolved
        self.retrieval = retrieval
        self.composed = composed
        self.relevance = relevance
        self.features = features or {}
        self.ranked = list(ranked)

    @property
    def probability(self) -> float:
        """The learned gate's probability that the draft answer is right."""
        return gate_model().probability(self.features)

    @property
    def confidence(self) -> Confidence:
        if not self.retrieval.passages or not self.composed.citations:
            return "inget"
        return gate_model().reply(self.probability)

    @property
    def refused(self) -> bool:
        return self.confidence != "svar"
