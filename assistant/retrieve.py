"""Query + filters → passages to answer from.

Search returns chunks; an answer needs passages:
- diverse: at most one chunk per goal/section in the first pass, so "Vilka mål …" sees several goals instead of
  five chunks of one goal; the rest of the slots are filled by score afterwards;
- whole: chunks of one document that sit next to each other are merged into one passage;
- current: when several versions of a document exist (same title apart from years, or the same organ's plan or
  goal document), a question about what applies now gets the newest; older ones are kept out of the passages
  (or only pushed back, when the question does not say "now" and names no year).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.types import ClosestDoc, Passage
from index.catalog import DocRecord, Filters
from index.engine import Index
from index.hybrid import Hit

CANDIDATES = 24  # chunks fetched before diversity and merging pick the passages
PER_UNIT = 1  # chunks per goal/section in the first pass
PER_DOC = 3  # chunks per document in the first pass

# Document types that come in versions per organ (a new plan replaces the old one).
VERSIONED_TYPES = {"nämndsplan", "mål"}
_NOW = re.compile(r"\b(?:nu|nuvarande|aktuell\w*|gäll(?:er|ande)|idag|i\s+dag|just\s+nu|senaste|numera)\b", re.I)
_PAST = re.compile(r"\b(?:tidigare|förr|förra|föregående|gaml\w+|historik|före|innan)\b|\b(?:19|20)\d\d\b", re.I)


@dataclass
class Retrieval:
    query: str
    passages: list[Passage]
    hits: list[Hit]  # every candidate, best first (refusal features and closest documents are computed on them)


def retrieve(
    index: Index, query: str, filters: Filters | None = None, k: int = 5, candidates: int = CANDIDATES
) -> Retrieval:
    hits = index.search(query, k=max(k, candidates), filters=filters)
    if not hits:
        return Retrieval(query, [], [])
    hits = prefer_current(hits, index.documents(), query)
    # A cover or a contents page names every topic of a report but answers none: never quoted.
    chosen = diverse([h for h in hits if not h.role], k)
    return Retrieval(query, merge_neighbours(chosen, index), hits)


def unit(h: Hit) -> tuple[str, str]:
    """What counts as "the same thing" for diversity: a goal, else a section, of one document."""
    return (h.doc_id, f"goal:{h.goal}" if h.goal else f"section:{h.section}")


def diverse(hits: Sequence[Hit], k: int) -> list[Hit]:
    chosen: list[Hit] = []
    units: dict[tuple[str, str], int] = {}
    docs: dict[str, int] = {}
    for h in hits:
        if len(chosen) == k:
            break
        if units.get(unit(h), 0) >= PER_UNIT or docs.get(h.doc_id, 0) >= PER_DOC:
            continue
        chosen.append(h)
        units[unit(h)] = units.get(unit(h), 0) + 1
        docs[h.doc_id] = docs.get(h.doc_id, 0) + 1
    for h in hits:  # fill up by score when there are not enough distinct units
        if len(chosen) == k:
            break
        if h not in chosen:
            chosen.append(h)
    return sorted(chosen, key=lambda h: h.rank)


def merge_neighbours(hits: Sequence[Hit], index: Index | None = None) -> list[Passage]:
    """One passage per run of adjacent chunks of a document; passages ordered by their best chunk."""
    by_doc: dict[str, list[Hit]] = {}
    for h in hits:
        by_doc.setdefault(h.doc_id, []).append(h)
    out: list[Passage] = []
    for doc_hits in by_doc.values():
        doc_hits.sort(key=lambda h: h.chunk_index)
        run: list[Hit] = []
        for h in doc_hits:
            if run and h.chunk_index != run[-1].chunk_index + 1:
                out.append(Passage.from_hits(run))
                run = []
            run.append(h)
        out.append(Passage.from_hits(run))
    out.sort(key=lambda p: -p.score)
    return out


# --- versions ----------------------------------------------------------------------------------------------------
def version_key(d: DocRecord) -> tuple[str, ...]:
    """Documents with equal keys are versions of one another."""
    if d.doc_type in VERSIONED_TYPES and d.organ:
        return ("organ", d.doc_type, d.organ.lower())
    return ("title", _bare_title(d.title))


def _bare_title(title: str) -> str:
    t = re.sub(r"\(.*?\)|\d+", " ", title.lower())
    return " ".join(re.findall(r"[^\W_]+", t))


_memo: list = [None, set()]  # [the documents list last seen, its result]; Index.documents() returns one list until
# the catalog changes, so this computes once per catalog state, not once per question.


def superseded(docs: Sequence[DocRecord]) -> set[str]:
    """Ids of documents that a newer version replaces (dates compare as ISO strings; undated never wins)."""
    if _memo[0] is docs:
        return _memo[1]
    old = _superseded(docs)
    _memo[:] = [docs, old]
    return old


def _superseded(docs: Sequence[DocRecord]) -> set[str]:
    groups: dict[tuple[str, ...], list[DocRecord]] = {}
    for d in docs:
        groups.setdefault(version_key(d), []).append(d)
    old: set[str] = set()
    for group in groups.values():
        dated = [d for d in group if d.date]
        if len(group) < 2 or not dated:
            continue
        newest = max(dated, key=lambda d: d.date)
        old.update(d.doc_id for d in group if d.doc_id != newest.doc_id and (d.date or "") < newest.date)
    return old


def prefer_current(hits: list[Hit], docs: Sequence[DocRecord], query: str) -> list[Hit]:
    """Drop (question says "now") or push back (question names no time) hits from superseded versions."""
    if _PAST.search(query):
        return hits
    old = superseded(docs)
    if not old or not any(h.doc_id in old for h in hits):
        return hits
    current = [h for h in hits if h.doc_id not in old]
    if _NOW.search(query) and current:
        return current
    return current + [h for h in hits if h.doc_id in old]


def closest_documents(hits: Sequence[Hit], n: int = 3) -> list[ClosestDoc]:
    out: list[ClosestDoc] = []
    for h in hits:
        if any(c.doc_id == h.doc_id for c in out):
            continue
        out.append(ClosestDoc(h.doc_id, h.title, h.date, h.section, h.source))
        if len(out) == n:
            break
    return out


def focus_area_goals(index: Index, question: str, passages: list[Passage]) -> list[Passage]:
    """When the question names a focus area ("Vilka mål hör till Smartare Lund?"), all of that area's goal
    passages from the goal document, read from the catalog: search alone may have found only some of them."""
    q = question.lower()
    areas = {(p.doc_id, p.focus_area) for p in passages if p.focus_area and p.focus_area.lower() in q}
    have = {cid for p in passages for cid in p.chunk_ids}
    extra: list[Passage] = []
    for doc_id, area in areas:
        for cid, text, m in index.catalog.neighbours(doc_id, 0, span=1_000_000):
            if m.get("focus_area") == area and m.get("goal") and cid not in have:
                extra.append(Passage.from_hits([Hit.from_row(0, 0.0, cid, text, m, {})]))
    return passages + extra
