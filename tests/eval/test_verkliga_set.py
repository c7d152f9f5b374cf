"""The real question set (eval/sets/verkliga.jsonl): its test split is frozen, and the split and counts hold."""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from eval import split as S
from eval.corpus import declared
from eval.questions import VERKLIGA_SET, read_jsonl

ROOT = Path(__file__).resolve().parents[2]
SEED = "seeds/000_b4f07bea39e3c847.txt"
PDFS = {"data/verkliga/kommuner/RSA_Borlange_2023.pdf", "data/verkliga/kommuner/RSA_Hagfors_2023_maskad.pdf"}
# sha256 of the test split's rows, canonical JSON (sorted keys, no spaces, UTF-8) one per line, in file order.
# Never change this to make a test pass: the test split is what the project reports on, written before any tuning.
TEST_SPLIT_SHA256 = "7847c768788000beb11e95a0582c543705979c069eb739142c306b995cffc4de"


def canonical(rows: list[dict]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for r in rows).encode()


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_jsonl(VERKLIGA_SET)


def test_test_split_is_frozen(rows):
    test_rows = [r for r in rows if r["split"] == "test"]
    assert hashlib.sha256(canonical(test_rows)).hexdigest() == TEST_SPLIT_SHA256


def test_no_document_has_questions_in_both_splits(rows):
    splits: dict[str, set[str]] = {}
    for r in rows:
        if r["answerable"]:
            splits.setdefault(r["gold_doc"], set()).add(r["split"])
    both = [d for d, s in splits.items() if len(s) > 1]
    assert not both, both
    assert splits[SEED] == {"test"}  # the product's key document is held out
    assert sorted(next(iter(splits[d])) for d in PDFS) == ["dev", "test"]  # one PDF in each split


def test_counts(rows):
    answerable = [r for r in rows if r["answerable"]]
    off = [r for r in rows if not r["answerable"]]
    assert len(rows) >= 150
    assert sum(r["gold_doc"] == SEED for r in answerable) >= 20
    assert sum(r["gold_doc"] in PDFS for r in answerable) >= 20
    assert len(off) >= 40
    assert Counter(r["split"] for r in off)["test"] == len(off) // 3
    assert {r["id"] for r in off if r["split"] == "test"} == S.test_ids((r["id"] for r in off), "offcorpus")
    kinds = Counter(r["kind"] for r in answerable)
    for kind in ("paraphrase", "number", "date", "name", "list", "goal"):
        assert kinds[kind] >= 5, (kind, kinds)
    assert len({r["id"] for r in rows}) == len(rows)


def test_the_draw_takes_a_third_of_each_kind_and_is_seeded():
    docs = [f"a/{i:02d}.md" for i in range(30)] + [f"b/{i}.pdf" for i in range(2)] + [SEED]
    chosen = S.test_documents(docs)
    assert chosen == S.test_documents(reversed(docs))  # order does not matter, the seed does
    by_group = Counter(d.split("/")[0] for d in chosen - S.FIXED_TEST)
    assert by_group == {"a": 10, "b": 1} and SEED in chosen


def test_split_follows_the_draw_and_evidence_is_verbatim():
    """scripts/check_questions.py over the real documents (../shared or $STYRDOK_SHARED): evidence and key facts
    as the project's loaders extract them, and every question's split equal to its document's draw."""
    corpus = declared(VERKLIGA_SET)
    assert corpus is not None and not corpus.missing(), f"the real corpus is missing: {corpus.missing()}"
    sys.path.insert(0, str(ROOT / "scripts"))
    import check_questions

    assert check_questions.check(VERKLIGA_SET) == 0
