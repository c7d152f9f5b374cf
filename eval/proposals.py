"""Draft proposals for measuring Hitta mål (eval/sets/proposals.jsonl): each names the goals it touches.

A proposal (one JSON line) has: id, title, text (a tjänsteskrivelse-style draft, 3–8 sentences, written for this
set), goals (the numbers of Lund's 2019 goals it touches, [] when it touches none) and split ("dev" | "test", a
seeded third in test by eval/split.py's rule with the label "proposals").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PROPOSALS_SET = Path(__file__).resolve().parent / "sets" / "proposals.jsonl"
GOALS = range(1, 10)  # Lund 2019: nine goals under four focus areas


@dataclass(frozen=True)
class Proposal:
    id: str
    title: str
    text: str
    goals: tuple[int, ...]
    split: str

    @property
    def related(self) -> bool:
        return bool(self.goals)


def load_proposals(path: Path = PROPOSALS_SET, split: str | None = None) -> list[Proposal]:
    """The proposals in file order; only those of `split` when it is given."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Proposal(d["id"], d["title"], d["text"], tuple(d["goals"]), d["split"]))
    return [p for p in out if split is None or p.split == split]
