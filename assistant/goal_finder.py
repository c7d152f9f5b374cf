"""Which of the municipality's goals does a draft proposal (tjänsteskrivelse) touch? Ranked, one row per goal.

A draft is about several things, and many of its sentences (headings, "Kommunstyrelsen föreslås besluta …") are
about none of the goals. So each sentence is searched on its own and votes for goals only as far as it singles one
out: search similarities are turned into a distribution with the embedding model's own temperature (e5 was trained
with 0.01), and a goal gets the part of its share that lies above an even split. A sentence about nothing in
particular gives every goal an even share and so votes for none. Votes add up over the draft.

Each sentence votes twice:
- directly, among the passages of the goal documents (doc_type "mål");
- through other documents: plans, follow-ups and press releases say which goal an activity serves ("arbete mot
  kommunfullmäktiges Mål 5"), so a passage about similar work that names a goal votes for that goal. Goal texts
  are short and abstract ("ledande inom miljö och klimat"); these passages carry the concrete words a draft uses
  ("solceller", "laddplatser").

Sentences are searched without their administrative frame ("Förvaltningen föreslår att …", "Kommunstyrelsen
föreslås godkänna …"): the frame matches the same frame in minutes, which name goals, and would vote for whatever
goal the minutes happen to name.

Measured on ten short drafts over the sample corpus (tests/ui/test_web_goals.py), on two versions of the index's
dense scoring: the intended goal ranked first in 9 of 10 on both. Goal passages alone: 10 and 8; fused search rank
alone: 9 and 7 — and both of those put another goal first for the solar-panel draft on one of the versions.

The evidence shown for a goal is its best passage, the sentence of the draft that found it, and the other document's
passage that links similar work to it, when there is one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from index.catalog import Filters
from index.hybrid import Hit

GOAL_DOC_TYPE = "mål"
MAX_PARTS = 30  # bounds the cost: two hybrid searches per sentence (~30–50 ms each on one core)
MIN_PART_WORDS = 3  # "Beslutsförslag", "Bakgrund": nothing to match
HITS_PER_PART = 40  # enough to see every goal of a goal document, so each sentence compares all of them
RELATED_PER_PART = 20  # passages of other documents that may name a goal
TEMPERATURE = 0.01  # e5's training temperature: similarities 0.01 apart differ by a factor e
MIN_SCORE = 0.1  # below this no sentence singled the goal out; a flat sentence gives ~0.03
MIN_SHARE = 0.5  # listed: at least this share of the best goal's score
STRONG_SHARE = 0.8  # "clear link": this close to the best goal; the others are for the case officer to judge
# The gate in absolute terms (issue 12): the votes above are relative, so a proposal about nothing in the goals
# (delegation rules, a street name) still has a "best" goal. A clear link also needs this much vote, and evidence
# that is not only a vague likeness: the goal's passage shares a word with the draft sentence that found it (a
# lexical match), or that sentence is at least STRONG_SIM similar to it — or the same holds for a passage of another
# document that links similar work to the goal (a press release on solar panels naming Mål 5). Chosen on the dev split of
# eval/sets/proposals.jsonl over the seed article's nine goals (`python -m eval.proposals_measure --split dev`):
# no unrelated proposal's evidence shared a word with its goal, and their similarity reached 0.862 (one; the rest
# ≤ 0.841); with these values none of the 7 unrelated dev proposals gets a clear link, and 5 of the 11 related do,
# each with a goal it touches. Below them a link is "possible" and no paragraph is offered to paste.
STRONG_SIM = 0.865
STRONG_SCORE = 0.6

# The administrative frame of a proposal sentence ("Kommunstyrelsen föreslås besluta att godkänna …"): it says
# nothing about goals but matches the same frame in minutes and follow-ups, which name goals. What follows it is kept.
_FRAME = re.compile(
    r"^[^.!?]*?\b(?:föreslås|föreslår|beslutar|beslöt|besluta|uppdrar|uppdras)\b"
    r"(?:\s+(?:besluta|kommunfullmäktige|fullmäktige|att|om|godkänna|anta|fastställa))*\s*",
    re.IGNORECASE,
)
_GOAL_REF = re.compile(r"\b(?:KF-)?mål\s+(\d{1,2})\b", re.IGNORECASE)
_GOAL_HEADING = re.compile(r"^\s*(?:KF-)?mål\s*(\d+)\s*[.:–-]?\s*(.*)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"”])")

SearchFn = Callable[[str, int, Filters | None], list[Hit]]


@dataclass
class GoalMatch:
    """One goal the draft touches, with the passage that shows why."""

    goal: int
    name: str  # the goal's wording, without "Mål N."
    focus_area: str
    doc_id: str
    doc_title: str
    date: str
    organ: str
    score: float  # summed votes of the draft's sentences; only order and ratios mean something
    parts_matched: int  # how many sentences of the draft voted for this goal
    evidence: Hit  # the goal's best-matching passage
    draft_excerpt: str  # the sentence of the draft that voted most for it
    strong: bool = False  # a clear link; the others are possible links for the case officer to judge
    similarity: float = 0.0  # dense similarity of the evidence passage to the draft sentence that found it
    related: Hit | None = None  # a passage of another document that links similar work to this goal
    paragraph: str = field(default="")  # copy-ready sentence with the reference; only for a clear link

    @property
    def reference(self) -> str:
        """(källa, datum, s. N): what a case officer writes after a claim."""
        bits = [self.doc_title, self.date, f"s. {self.evidence.page}" if self.evidence.page else ""]
        return "(" + ", ".join(b for b in bits if b) + ")"


def split_draft(text: str, max_parts: int = MAX_PARTS) -> list[str]:
    """The draft's sentences (headings count as one), stubs dropped; the first `max_parts`."""
    parts: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        parts += [s for s in _SENTENCE_END.split(para) if len(s.split()) >= MIN_PART_WORDS]
    if not parts and text.strip():
        parts = [" ".join(text.split())]  # a few words are still worth a search
    return parts[:max_parts]


def topic(sentence: str) -> str:
    """The sentence without its administrative frame: "Förvaltningen föreslår att solceller byggs" → "solceller byggs"."""
    return _FRAME.sub("", sentence, count=1).strip()


def goal_name(hit: Hit) -> str:
    """The goal's wording from its section path ("Fokusområde 2 › Mål 5. Lunds kommun ska …" → "Lunds kommun ska …")."""
    for piece in reversed(hit.section.split("›")):
        m = _GOAL_HEADING.match(piece)
        if m and int(m.group(1)) == hit.goal:
            return m.group(2).strip()
    return hit.section.split("›")[-1].strip()


def _genitive(organ: str) -> str:
    """Kommunfullmäktige → kommunfullmäktiges, Tekniska nämnden → tekniska nämndens (for running text)."""
    organ = organ.strip() or "Kommunfullmäktige"
    word = organ[0].lower() + organ[1:]
    return word if word[-1] in "sxz" else word + "s"


def paragraph_for(match: GoalMatch) -> str:
    name = f" ”{match.name}”" if match.name else ""
    return f"Ärendet bidrar till {_genitive(match.organ)} mål {match.goal}{name} {match.reference}."


def _shares(sims: list[float]) -> list[float]:
    """Each similarity's share of a distribution at TEMPERATURE, minus an even split (never below 0)."""
    if not sims:
        return []
    top = max(sims)
    weights = [math.exp((x - top) / TEMPERATURE) for x in sims]
    total, even = sum(weights), 1.0 / len(weights)
    return [max(0.0, w / total - even) for w in weights]


def _similarity(h: Hit) -> float:
    # Cosine from the dense search; a lexical-only index has none, and then the fused score must do.
    return h.signals.get("dense") or h.score


def _direct_votes(hits: list[Hit]) -> dict[tuple[str, int], tuple[float, Hit]]:
    """One sentence's votes among the goals' own passages, with each goal's best passage."""
    best: dict[tuple[str, int], Hit] = {}
    for h in hits:
        key = (h.doc_id, h.goal)
        if h.goal > 0 and (key not in best or _similarity(h) > _similarity(best[key])):
            best[key] = h
    keys = list(best)
    shares = _shares([_similarity(best[k]) for k in keys])
    return {k: (v, best[k]) for k, v in zip(keys, shares, strict=True)}


def _related_votes(hits: list[Hit]) -> list[tuple[int, float, Hit]]:
    """(goal number, vote, passage) from passages of other documents that name goals."""
    others = [h for h in hits if h.doc_type != GOAL_DOC_TYPE]
    out = []
    for h, share in zip(others, _shares([_similarity(h) for h in others]), strict=True):
        # A heading ("3.3 Mål 5 – …") says which goal the passage is about; a goal named in passing counts when
        # the heading names none.
        named = {int(n) for n in _GOAL_REF.findall(h.section)} or {int(n) for n in _GOAL_REF.findall(h.text)}
        if share > 0:
            out += [(n, share / len(named), h) for n in named]
    return out


def _clear(hit: Hit) -> bool:
    """Evidence for a clear link: shared words, or a close likeness (see STRONG_SIM)."""
    return hit.signals.get("lexical", 0.0) > 0 or _similarity(hit) >= STRONG_SIM


def _goal_doc(goal_docs: dict[str, str], date: str) -> str:
    """The goal document in force at `date`: the newest one not after it, else the oldest (ISO dates sort)."""
    ordered = sorted(goal_docs, key=lambda d: goal_docs[d])
    before = [d for d in ordered if goal_docs[d] <= (date or "9999")]
    return before[-1] if before else ordered[0]


def find_goals(search: SearchFn, text: str, *, limit: int = 5, year: int | None = None) -> list[GoalMatch]:
    """The goals `text` touches, best first. `search(query, k, filters)` is the hybrid search."""
    goal_filter = Filters(doc_type=GOAL_DOC_TYPE, year=year)
    scores: dict[tuple[str, int], float] = {}
    found_in: dict[tuple[str, int], set[int]] = {}
    evidence: dict[tuple[str, int], tuple[float, Hit, str]] = {}  # the goal passage of the strongest direct vote
    related: dict[tuple[str, int], tuple[float, Hit]] = {}
    pending: list[tuple[int, int, float, Hit]] = []  # (sentence, goal number, vote, passage): resolved below
    goal_docs: dict[int, dict[str, str]] = {}  # goal number → {goal document id: date}

    for i, part in enumerate(split_draft(text)):
        query = topic(part)
        if len(query.split()) < MIN_PART_WORDS:
            continue
        goal_hits = search(query, HITS_PER_PART, goal_filter)
        if not goal_hits:  # goals published in another kind of document (a news article listing them)
            goal_hits = [h for h in search(query, HITS_PER_PART, Filters(year=year)) if h.goal > 0]
        for key, (vote, hit) in _direct_votes(goal_hits).items():
            goal_docs.setdefault(key[1], {})[key[0]] = hit.date
            scores[key] = scores.get(key, 0.0) + vote
            if vote > 0:
                found_in.setdefault(key, set()).add(i)
            if key not in evidence or vote > evidence[key][0]:
                evidence[key] = (vote, hit, part)
        pending += [(i, n, v, h) for n, v, h in _related_votes(search(query, RELATED_PER_PART, None))]

    for i, n, vote, hit in pending:
        if n not in goal_docs:
            continue  # names a goal that no goal document (in the year asked for) has
        key = (_goal_doc(goal_docs[n], hit.date), n)
        scores[key] += vote
        found_in.setdefault(key, set()).add(i)
        if key not in related or vote > related[key][0]:
            related[key] = (vote, hit)

    if not scores or max(scores.values()) < MIN_SCORE:
        return []
    top = max(scores.values())
    out: list[GoalMatch] = []
    for key in sorted(scores, key=lambda k: (-scores[k], k[1])):
        score = scores[key]
        if score < max(MIN_SCORE, MIN_SHARE * top):
            break
        _, hit, part = evidence[key]
        m = GoalMatch(
            goal=hit.goal, name=goal_name(hit), focus_area=hit.focus_area, doc_id=hit.doc_id, doc_title=hit.title,
            date=hit.date, organ=hit.organ, score=round(score, 4), parts_matched=len(found_in.get(key, ())),
            evidence=hit, draft_excerpt=part, similarity=round(_similarity(hit), 4),
            strong=score >= STRONG_SHARE * top and score >= STRONG_SCORE
            and (_clear(hit) or (key in related and _clear(related[key][1]))),
            related=related[key][1] if key in related else None,
        )  # fmt: skip
        m.paragraph = paragraph_for(m) if m.strong else ""
        out.append(m)
        if len(out) == limit:
            break
    return out
