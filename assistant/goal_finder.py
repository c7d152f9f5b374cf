"""Which of the municipality's goals does a draft proposal (tjänsteskrivelse) touch? Ranked, one row per goal.

A draft is long and about several things, and the embedding model reads only its first 512 tokens. So the draft is
split into parts (paragraphs, long ones into sentence windows), each part is searched among the goal documents
(doc_type "mål"), and the goal chunks each part finds are aggregated per goal with reciprocal rank: a goal that
several parts find near the top ranks above one that a single part finds far down. The evidence shown for a goal is
its passage that matched best, together with the part of the draft that found it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from index.catalog import Filters
from index.hybrid import Hit

GOAL_DOC_TYPE = "mål"
MAX_PARTS = 24  # bounds the cost: each part is one hybrid search (~50 ms on one core)
PART_WORDS = 70  # about one paragraph; well under the model's 512-token window
MIN_PART_WORDS = 4  # headings like "Tjänsteskrivelse" or "Beslutsförslag" say nothing about goals
HITS_PER_PART = 8
RANK_K = 1.0  # reciprocal-rank constant over the *goals* a part finds (few candidates, so a small k)
TOP_PER_PART = 2  # a goal must be among the best this many goals of at least one part to be listed at all
MIN_SHARE = 0.25  # ... and reach this share of the best goal's score
STRONG_SHARE = 0.6  # "clear" link: the best goal of some part and at least this share of the top score

_GOAL_HEADING = re.compile(r"^\s*(?:KF-)?mål\s*(\d+)\s*[.:–-]?\s*(.*)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"”])")

SearchFn = Callable[[str, int, Filters], list[Hit]]


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
    score: float  # aggregated reciprocal rank; only the order means something
    parts_matched: int  # how many parts of the draft found this goal
    evidence: Hit  # the goal's best-matching passage
    draft_excerpt: str  # the part of the draft that found it
    strong: bool = False  # a clear link; the others are possible links for the case officer to judge
    paragraph: str = field(default="")  # copy-ready sentence with the reference

    @property
    def reference(self) -> str:
        """(källa, datum, s. N): what a case officer writes after a claim."""
        bits = [self.doc_title, self.date, f"s. {self.evidence.page}" if self.evidence.page else ""]
        return "(" + ", ".join(b for b in bits if b) + ")"


def split_draft(text: str, max_parts: int = MAX_PARTS) -> list[str]:
    """Paragraphs of the draft; long ones cut into windows of whole sentences; headings and stubs dropped."""
    parts: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = " ".join(para.split())
        if len(para.split()) < MIN_PART_WORDS:
            continue
        window: list[str] = []
        for sentence in _SENTENCE_END.split(para):
            if window and len(" ".join(window + [sentence]).split()) > PART_WORDS:
                parts.append(" ".join(window))
                window = []
            window.append(sentence)
        if window:
            parts.append(" ".join(window))
    if not parts and text.strip():
        parts = [" ".join(text.split())]  # a one-liner is still a question worth asking
    return parts[:max_parts]


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


def find_goals(search: SearchFn, text: str, *, limit: int = 5, year: int | None = None) -> list[GoalMatch]:
    """The goals `text` touches, best first. `search(query, k, filters)` is the hybrid search."""
    parts = split_draft(text)
    filters = Filters(doc_type=GOAL_DOC_TYPE, year=year)
    scores: dict[tuple[str, int], float] = {}
    best: dict[tuple[str, int], tuple[int, Hit, str]] = {}  # key → (goal rank in its part, hit, part)
    found_in: dict[tuple[str, int], int] = {}
    for part in parts:
        seen: list[tuple[str, int]] = []
        for hit in search(part, HITS_PER_PART, filters):
            key = (hit.doc_id, hit.goal)
            if hit.goal <= 0 or key in seen:
                continue  # the first hit of a goal is its best in this part
            seen.append(key)
            rank = len(seen)
            scores[key] = scores.get(key, 0.0) + 1.0 / (RANK_K + rank)
            found_in[key] = found_in.get(key, 0) + 1
            if key not in best or (rank, -hit.score) < (best[key][0], -best[key][1].score):
                best[key] = (rank, hit, part)
    if not scores:
        return []
    top = max(scores.values())
    ranked = sorted(scores, key=lambda k: (-scores[k], k[1]))
    out: list[GoalMatch] = []
    for key in ranked:
        rank, hit, part = best[key]
        if rank > TOP_PER_PART or scores[key] < MIN_SHARE * top:
            continue
        m = GoalMatch(
            goal=hit.goal, name=goal_name(hit), focus_area=hit.focus_area, doc_id=hit.doc_id, doc_title=hit.title,
            date=hit.date, organ=hit.organ, score=round(scores[key], 4), parts_matched=found_in[key], evidence=hit,
            draft_excerpt=part, strong=rank == 1 and scores[key] >= STRONG_SHARE * top,
        )  # fmt: skip
        m.paragraph = paragraph_for(m)
        out.append(m)
        if len(out) == limit:
            break
    return out
