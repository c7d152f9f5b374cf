"""eval/sets/proposals.jsonl: the Hitta mål proposal set keeps its shape, its split and its own wording."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from eval import split as S
from eval.corpus import shared_root
from eval.proposals import GOALS, PROPOSALS_SET, load_proposals
from ingest.loaders import load

ROOT = Path(__file__).resolve().parents[2]
SHINGLE = 6  # words: a run this long shared with a source document is a copied sentence, not a draft of our own


@pytest.fixture(scope="module")
def proposals():
    return load_proposals()


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])", text.strip()) if s]


def test_schema(proposals):
    raw = [json.loads(line) for line in PROPOSALS_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(set(r) == {"id", "title", "text", "goals", "split"} for r in raw)
    assert len({p.id for p in proposals}) == len(proposals) >= 20
    for p in proposals:
        assert p.title.strip() and p.split in {"dev", "test"}
        assert 3 <= len(sentences(p.text)) <= 8, (p.id, sentences(p.text))
        assert all(isinstance(g, int) and g in GOALS for g in p.goals) and len(set(p.goals)) == len(p.goals), p.id


def test_unrelated_and_every_goal_covered(proposals):
    assert sum(not p.related for p in proposals) >= 8
    covered = Counter(g for p in proposals for g in p.goals)
    assert set(covered) == set(GOALS), covered


def test_split_is_the_seeded_third(proposals):
    ids = [p.id for p in proposals]
    assert {p.id for p in proposals if p.split == "test"} == S.test_ids(ids, "proposals")
    assert [p.id for p in load_proposals(split="dev")] == [p.id for p in proposals if p.split == "dev"]


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def test_no_sentence_copied_from_the_goal_documents(proposals):
    sources = [shared_root() / "seeds" / "000_b4f07bea39e3c847.txt", *sorted((ROOT / "data" / "exempel").iterdir())]
    seen: set[tuple[str, ...]] = set()
    for f in sources:
        seen |= _shingles("\n".join(b.text for b in load(f).blocks))  # the text as the project extracts it
    assert len(seen) > 1000  # the seed article and the sample corpus were read
    copied = {p.id: sorted(_shingles(p.text) & seen) for p in proposals if _shingles(p.text) & seen}
    assert not copied, copied
