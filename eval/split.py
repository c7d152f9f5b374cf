"""The frozen dev/test split of the real question sets, by a seeded random choice (never by hand).

Rule, fixed before any question was written: the corpus's documents are grouped by kind (the folder they sit in);
in each group, sorted by path, `random.Random(f"{SEED}:{group}").sample(docs, round(len(docs) / 3))` picks the test
documents. Documents in FIXED_TEST go to test whatever the draw (the seed article: the product's key document).
Items that belong to no document (off-corpus questions, draft proposals) are drawn the same way by id:
a seeded sample of a third of the ids, sorted, is test. A question's split is its document's split.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable

SEED = "styrdok-verkliga-2026-11-30"
FIXED_TEST = frozenset({"seeds/000_b4f07bea39e3c847.txt"})


def group_of(doc: str) -> str:
    """A document's kind for the draw: its folder (regeringen/pressmeddelanden, kommuner, seeds, …)."""
    return doc.rsplit("/", 1)[0] if "/" in doc else ""


def test_documents(docs: Iterable[str]) -> set[str]:
    """A third of each group's documents (paths relative to the corpus root), by the seeded draw."""
    docs = set(docs)  # a generator is read once
    groups: dict[str, list[str]] = defaultdict(list)
    for d in sorted(docs):
        if d not in FIXED_TEST:
            groups[group_of(d)].append(d)
    chosen = set(FIXED_TEST) & docs
    for g, members in sorted(groups.items()):
        chosen.update(random.Random(f"{SEED}:{g}").sample(members, round(len(members) / 3)))
    return chosen


def test_ids(ids: Iterable[str], label: str) -> set[str]:
    """A third of the ids (rounded down), drawn with the seed and `label` (e.g. "offcorpus", "proposals")."""
    ids = sorted(set(ids))
    return set(random.Random(f"{SEED}:{label}").sample(ids, len(ids) // 3))
