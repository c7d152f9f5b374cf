"""Conversation history, and follow-up questions made standalone before retrieval.

"Och vad säger de om ekonomin?" after "Vilka mål ingår i Lundaborna i fokus?" must search for the goals' economy,
not for "de" or "ekonomin" alone. Without an LLM the rules below do it; with one, the model rewrites and the rules
are the fallback when it fails or answers with something that is not a question.

Three shapes of follow-up, told apart because they need different context:
- topic shift ("Och vad säger de om ekonomin?", "Hur är det med X?"): keep only the previous question's frame
  ("målen") and search for the new topic — carrying "Lundaborna i fokus" along would pull back goals 1–3;
- bare noun ("Och skatteintäkterna?"): the previous question with the noun added;
- ellipsis ("Och hur mycket sparar kommunen per år?", "Vem ska leda det arbetet?"): the new question plus the
  previous question's content words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.llm.base import Generator
from assistant.prompts import REWRITE_MAX_TOKENS, REWRITE_STOP, rewrite_messages
from assistant.text import QUESTION_WORDS
from assistant.types import Answer
from index.analyzer_sv import STOP_WORDS, words

log = logging.getLogger("styrdok.assistant")

# "… och vad kostar det?": a leading ellipsis marks a continuation as plainly as "och" does.
_ELLIPSIS = re.compile(r"^(?:…|\.{2,})\s*")
_LEAD = re.compile(r"^\s*(?:och|men|samt|också|även|än|så|då)\b[\s,]*", re.IGNORECASE)
_TOPIC_SHIFT = re.compile(
    r"^\s*(?:och|men)?[\s,]*(?:"
    r"vad\s+(?:säger|sägs|står\s+det|skriver)\s+(?:de|dom|den|det|dessa|man|\w+en|\w+na)?\s*(?:om|kring)"
    r"|hur\s+(?:är|blir)\s+det\s+med|vad\s+gäller\s+(?:för)?|samma\s+(?:sak\s+)?(?:för|med)"
    r")\s+(?P<topic>[^?]+?)\s*\??\s*$",
    re.IGNORECASE,
)
_BARE = re.compile(r"^\s*(?:och|men)[\s,]+(?P<topic>[^?]+?)\s*\??\s*$", re.IGNORECASE)
_PRONOUN = re.compile(
    r"\b(?:de|dem|dom|dessa|denna|detta|deras|dess|där|dit|samma|det\s+arbetet|den\s+satsningen|det\s+målet)\b",
    re.IGNORECASE,
)
_QUESTION_WORD = re.compile(r"\b(?:vad|vilk\w+|hur|när|var|vem|vems|varför|kan|får|ska|finns|är)\b", re.IGNORECASE)
# Nouns that name what a question is about in this domain; "de" in a follow-up usually points back to one of them.
_FRAME = re.compile(
    r"\b(?P<w>mål(?:en)?|fokusområden(?:a)?|nämndsplan(?:en)?|budget(?:en)?|(?:års)?bokslut(?:et)?"
    r"|pressmeddelande(?:t)?|protokoll(?:et)?|kommunstyrelsen|nämnden)\b",
    re.IGNORECASE,
)
_DEFINITE = {"mål": "målen", "fokusområden": "fokusområdena", "nämndsplan": "nämndsplanen", "budget": "budgeten",
             "bokslut": "bokslutet", "årsbokslut": "årsbokslutet", "pressmeddelande": "pressmeddelandet",
             "protokoll": "protokollet"}  # fmt: skip


@dataclass
class Resolved:
    """A question ready for retrieval."""

    question: str  # as the user asked it
    standalone: str  # what is searched
    focus: str  # the user's own words: they decide which sentences answer
    is_followup: bool = False
    rewritten_by: str = "rules"  # "rules" | "llm" | "" (not a follow-up)


@dataclass
class Conversation:
    """The questions asked so far (standalone forms), for `Service.ask(..., history=conv.history)`."""

    turns: list[Resolved] = field(default_factory=list)

    @property
    def history(self) -> list[str]:
        return [t.standalone for t in self.turns]

    def add(self, answer: Answer) -> None:
        self.turns.append(
            Resolved(answer.question, answer.standalone_question or answer.question, answer.question, False, "")
        )

    def reset(self) -> None:
        self.turns.clear()


def previous_questions(history: Sequence[str | Answer] | None) -> list[str]:
    """History items as standalone question strings (an Answer knows how its question was searched)."""
    out = []
    for h in history or []:
        if isinstance(h, Answer):
            out.append(h.standalone_question or h.question)
        elif str(h).strip():
            out.append(str(h).strip())
    return out


def is_followup(question: str) -> bool:
    return bool(_LEAD.match(question) or _TOPIC_SHIFT.match(question) or _PRONOUN.search(question))


def resolve(question: str, history: Sequence[str | Answer] | None = None, llm: Generator | None = None) -> Resolved:
    """Make `question` standalone given the earlier questions (last one last)."""
    question = question.strip()
    prev = previous_questions(history)
    shown, question = question, _ELLIPSIS.sub("", question)
    if not prev or not is_followup(question):
        return Resolved(shown, shown, shown)
    if llm is not None:
        try:
            reply = llm.generate(
                rewrite_messages(prev[-3:], question), max_tokens=REWRITE_MAX_TOKENS, stop=REWRITE_STOP
            )
            text = reply.strip().strip('"”»« ')
            if _plausible_rewrite(text, question):
                return Resolved(shown, text, question, True, "llm")
            log.info("LLM rewrite rejected (%d characters)", len(text))  # not the text: it holds the question
        except Exception as e:  # noqa: BLE001 - any backend failure falls back to the rules
            log.warning("LLM rewrite failed (%s); using rules", e)
    return Resolved(shown, rule_rewrite(question, prev[-1]), question, True, "rules")


def rule_rewrite(question: str, previous: str) -> str:
    m = _TOPIC_SHIFT.match(question)
    if m:
        topic = m.group("topic")
        frame = _frame(previous)
        if frame:
            return f"Vad säger {frame} om {topic}?"
        return f"{previous.rstrip(' ?.')}, och {topic}?"
    m = _BARE.match(question)
    if m and not _QUESTION_WORD.search(m.group("topic")) and len(m.group("topic").split()) <= 4:
        return f"{previous.rstrip(' ?.')}, och {m.group('topic')}?"
    own = _LEAD.sub("", question, count=1).strip()
    own = own[:1].upper() + own[1:]
    context = [w for w in _context_words(previous) if w.lower() not in {x.lower() for x in words(own)}]
    return f"{own} ({' '.join(context)})" if context else own


def _frame(previous: str) -> str:
    m = _FRAME.search(previous)
    if not m:
        return ""
    w = m.group("w").lower()
    return _DEFINITE.get(w, w)


def _context_words(question: str) -> list[str]:
    return [w for w in re.findall(r"[^\W_]+", question) if w.lower() not in STOP_WORDS | QUESTION_WORDS]


def _plausible_rewrite(text: str, question: str) -> bool:
    # A model that answers instead of rewriting, or returns several lines, is not used.
    return bool(text) and "\n" not in text and len(text) <= max(300, 3 * len(question))
