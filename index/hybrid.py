"""Fusion of dense and lexical result lists, and the search hit type. Pure functions: easy to measure and test.

Which fusion and which weights are used was decided by measurement on eval/sets/exempel.jsonl and SweQUAD-MC dev
(`styrdok eval` with each FusionConfig; the figures are in FusionConfig's comment): the defaults below are the
measured winners, not guesses.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field


@dataclass
class FusionConfig:
    # Measured 2026-11-27, recall@3 on eval/sets/exempel.jsonl (84 questions) / SweQUAD-MC dev (126): dense alone
    # 0.857 / 0.857, lexical alone 0.595 / 0.913, weighted with lexical weight 0.1 0.893 / 0.865, 0.3 0.905 / 0.889,
    # 0.5 0.845 / 0.897, RRF k=10 w=0.3 0.869 / 0.897, RRF k=60 w=1.0 0.762 / 0.929. Weighted 0.3 is the best
    # on our own documents and within 0.04 of the best on SweQUAD; RRF 60/1.0 wins there but loses 0.14 here.
    method: str = "weighted"  # "rrf" | "weighted" | "dense" | "lexical"
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 0.3
    structure_boost: float = 0.3  # for chunks of a goal ("mål 5") or focus area the question names
    candidates: int = 50  # how many each retriever contributes before fusion


@dataclass
class Hit:
    rank: int
    score: float
    doc_id: str
    chunk_id: str
    title: str
    doc_type: str
    date: str
    page: int
    section: str
    text: str
    source: str
    goal: int = 0
    focus_area: str = ""
    organ: str = ""
    publisher: str = ""
    role: str = ""  # "contents" / "cover": found by search, never quoted as an answer
    chunk_index: int = 0
    signals: dict[str, float] = field(default_factory=dict)  # dense/lexical scores, for eval and debugging

    @classmethod
    def from_row(cls, rank: int, score: float, chunk_id: str, text: str, m: dict, signals: dict[str, float]) -> Hit:
        """A hit from a catalog row (its text and stored chunk metadata)."""
        return cls(
            rank=rank, score=round(score, 6), doc_id=m["doc_id"], chunk_id=chunk_id, title=m["title"],
            doc_type=m["doc_type"], date=m.get("date", ""), page=m.get("page", 0), section=m.get("section", ""),
            text=text, source=m["source"], goal=m.get("goal", 0), focus_area=m.get("focus_area", ""),
            organ=m.get("organ", ""), publisher=m.get("publisher", ""), role=m.get("role", ""),
            chunk_index=m.get("chunk_index", 0), signals=signals,
        )  # fmt: skip

    def to_json(self) -> dict:
        d = asdict(self)
        for k in ("goal", "focus_area", "organ", "role", "chunk_index", "signals"):
            d.pop(k)
        return d


def rrf(lists: list[list[tuple[str, float]]], weights: list[float], k: int) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: sum of w / (k + rank)."""
    scores: dict[str, float] = {}
    for lst, w in zip(lists, weights, strict=True):
        for rank, (cid, _) in enumerate(lst, start=1):
            scores[cid] = scores.get(cid, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda x: -x[1])


def weighted(lists: list[list[tuple[str, float]]], weights: list[float]) -> list[tuple[str, float]]:
    """Convex combination of min-max normalised scores (a missing candidate counts as 0 in that list)."""
    scores: dict[str, float] = {}
    for lst, w in zip(lists, weights, strict=True):
        if not lst:
            continue
        vals = [s for _, s in lst]
        lo, hi = min(vals), max(vals)
        span = (hi - lo) or 1.0
        for cid, s in lst:
            scores[cid] = scores.get(cid, 0.0) + w * (s - lo) / span
    return sorted(scores.items(), key=lambda x: -x[1])


def fuse(
    dense: list[tuple[str, float]], lexical: list[tuple[str, float]], cfg: FusionConfig
) -> list[tuple[str, float]]:
    if cfg.method == "dense":
        return dense
    if cfg.method == "lexical":
        return lexical
    w = [cfg.dense_weight, cfg.lexical_weight]
    if cfg.method == "weighted":
        return weighted([dense, lexical], w)
    return rrf([dense, lexical], w, cfg.rrf_k)


GOAL_REF = re.compile(r"\bmål(?:et)?\s+(?:nr\.?\s*)?(\d{1,2})\b", re.IGNORECASE)


def named_goals(query: str) -> set[int]:
    """Goal numbers a question names explicitly: "Hur bedöms Mål 9?" → {9}."""
    return {int(n) for n in GOAL_REF.findall(query)}


def named_focus_areas(query: str, known: set[str]) -> set[str]:
    q = query.lower()
    return {f for f in known if f and f.lower() in q}


def boost(
    fused: list[tuple[str, float]], metas: dict[str, dict], goals: set[int], focus: set[str], amount: float
) -> list[tuple[str, float]]:
    """Lift chunks that belong to a goal or focus area the question names; structure the user stated outranks
    similarity of wording."""
    if not (goals or focus) or not amount:
        return fused
    out = []
    for cid, s in fused:
        m = metas.get(cid, {})
        hit = (m.get("goal") in goals) or (m.get("focus_area") in focus)
        out.append((cid, s + amount if hit else s))
    return sorted(out, key=lambda x: -x[1])
