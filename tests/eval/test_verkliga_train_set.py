"""The gate's extra training questions (eval/sets/verkliga-train.jsonl): schema, counts, only verkliga's dev
documents, evidence and key facts verbatim in the text the project's loaders extract, honest paraphrases."""

from __future__ import annotations

import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from eval import split as S
from eval.corpus import declared
from eval.questions import VERKLIGA_SET, VERKLIGA_TRAIN_SET, read_jsonl

ROOT = Path(__file__).resolve().parents[2]
FIELDS = {"id", "question", "group", "answerable", "gold_doc", "gold_goal", "evidence", "key_fact", "kind", "split"}
GROUPS = {"resident", "new_employee", "staff"}
KINDS = {"number", "name", "fact", "date", "list", "paraphrase", "goal"}
PER_DOC = 4  # at most this many questions on one document: spread, not a few documents asked to death


def collapse(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def corpus():  # noqa: ANN201
    c = declared(VERKLIGA_SET)
    assert c is not None and not c.missing(), f"the real corpus is missing: {c and c.missing()}"
    return c


@pytest.fixture(scope="module")
def dev_docs(corpus) -> set[str]:  # noqa: ANN001
    docs = {corpus.rel(f) for f in corpus.files()}
    return docs - S.test_documents(docs)  # the seed article is always among the test documents


@pytest.fixture(scope="module")
def text(corpus):  # noqa: ANN001, ANN201
    from ingest.loaders import load

    @cache
    def doc_text(doc: str) -> str:
        return collapse("\n".join(b.text for b in load(corpus.root / doc).blocks if b.text.strip()))

    return doc_text


def problems(rows: list[dict], dev_docs: set[str], text) -> list[str]:  # noqa: ANN001
    """Everything wrong with the rows, one line each (empty: the set is sound). Only dev documents are read."""
    out = []
    ids = Counter(r.get("id") for r in rows)
    out += [f"{i}: id used {n} times" for i, n in ids.items() if n > 1]
    for n, r in enumerate(rows, 1):
        rid = r.get("id")
        if set(r) != FIELDS:
            out.append(f"{rid}: fields {sorted(set(r) ^ FIELDS)}")
            continue
        if rid != f"t{n:03d}":
            out.append(f"{rid}: expected id t{n:03d}")
        if r["split"] != "train" or r["group"] not in GROUPS or r["gold_goal"] is not None:
            out.append(f"{rid}: split, group or gold_goal")
        if not r["question"].strip().endswith("?"):
            out.append(f"{rid}: not a question")
        if not r["answerable"]:
            if r["kind"] != "offcorpus" or any(r[k] is not None for k in ("gold_doc", "evidence", "key_fact")):
                out.append(f"{rid}: an off-corpus question has kind offcorpus and null gold fields")
            continue
        if r["kind"] not in KINDS:
            out.append(f"{rid}: kind {r['kind']}")
        if r["gold_doc"] not in dev_docs:  # never a test document, never the seed article
            out.append(f"{rid}: {r['gold_doc']} is not a verkliga dev document")
            continue
        doc = text(r["gold_doc"])
        for field in ("evidence", "key_fact"):
            if not r[field] or collapse(r[field]) not in doc:
                out.append(f"{rid}: {field} not verbatim in {r['gold_doc']}")
    return out


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_jsonl(VERKLIGA_TRAIN_SET)


def test_rows_are_sound(rows, dev_docs, text):
    assert problems(rows, dev_docs, text) == []


def test_the_check_catches_broken_rows(rows, corpus, dev_docs, text):
    """The check above can fail: each kind of damage alone is reported (on rows that pass when undamaged)."""
    answerable = next(r for r in rows if r["answerable"]) | {"id": "t001"}
    offcorpus = next(r for r in rows if not r["answerable"]) | {"id": "t001"}
    assert problems([answerable], dev_docs, text) == [] and problems([offcorpus], dev_docs, text) == []
    test_doc = sorted(S.test_documents(corpus.rel(f) for f in corpus.files()) - S.FIXED_TEST)[0]
    broken = [
        answerable | {"evidence": answerable["evidence"] + " och något som inte står där"},
        answerable | {"key_fact": "999 999 kronor"},
        answerable | {"gold_doc": test_doc},  # rejected by name: a test document is never read
        answerable | {"gold_doc": next(iter(S.FIXED_TEST))},
        answerable | {"split": "dev"},
        answerable | {"id": "t002"},
        {k: v for k, v in answerable.items() if k != "kind"},
        offcorpus | {"key_fact": "x"},
    ]
    for bad in broken:
        assert problems([bad], dev_docs, text), bad
    assert problems([answerable, answerable | {"id": "t001"}], dev_docs, text)  # a repeated id


def test_counts_and_spread(rows, dev_docs):
    answerable = [r for r in rows if r["answerable"]]
    assert len(answerable) >= 150
    assert sum(not r["answerable"] for r in rows) >= 50
    per_doc = Counter(r["gold_doc"] for r in answerable)
    assert max(per_doc.values()) <= PER_DOC, per_doc.most_common(3)
    assert len(per_doc) >= 0.9 * len(dev_docs)  # nearly every dev document, the PDF included
    assert any(d.endswith(".pdf") for d in per_doc)
    kinds = Counter(r["kind"] for r in answerable)
    for kind in ("number", "name", "fact", "date", "list", "paraphrase"):
        assert kinds[kind] >= 10, kinds
    assert set(Counter(r["group"] for r in rows)) == GROUPS


def test_questions_are_new():
    """No question repeats one of verkliga.jsonl (dev or test): the rows add examples, not copies."""
    seen = {collapse(q["question"]).lower() for q in read_jsonl(VERKLIGA_SET)}
    train = [collapse(q["question"]).lower() for q in read_jsonl(VERKLIGA_TRAIN_SET)]
    assert not seen & set(train)
    assert len(set(train)) == len(train)


def test_paraphrases_share_no_content_word_with_their_passage(rows, corpus):
    """scripts/check_questions.py's rule for the kind: no content word or stem in common with the paragraph that
    holds the evidence."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import check_questions

    check_questions.use_corpus(VERKLIGA_SET)
    shared = {
        r["id"]: check_questions.shared_words(r["question"], check_questions.answer_passage(r))
        for r in rows
        if r["kind"] == "paraphrase"
    }
    assert {i: w for i, w in shared.items() if w} == {}
    assert re.fullmatch(r"t\d{3}", min(shared))
