"""Search over the catalog's copy of the vectors (index/exact.py) gives what Chroma gives (the same chunks in the same
order with the same scores, up to float rounding, with and without filters) except where Chroma's approximate HNSW
missed a nearer neighbour, which exact search never does.
The copy is swapped with the chunks, and an older catalog gets it from Chroma at the next ingest."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import numpy as np
import pytest

from index.catalog import Filters
from index.engine import Index
from index.exact import EXACT_MAX_VECTORS

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("STYRDOK_SHARED") or ROOT.parent / "shared")


def _questions(name: str, limit: int) -> list[str]:
    lines = (ROOT / "eval" / "sets" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(json.loads(x)["question"] for x in lines if x.strip()))[:limit]


def _assert_same_results(idx: Index, questions: list[str]) -> None:
    assert idx.stores.exact() is not None  # the copy is complete and in use
    years = sorted({d.year for d in idx.documents() if d.year})
    filters = [None, Filters(year=years[len(years) // 2]), Filters(doc_type=idx.documents()[-1].doc_type)]
    runs = [(q, f) for q in questions for f in filters]
    exact = [idx.search(q, k=10, filters=f) for q, f in runs]
    idx.stores.exact_max_vectors = 0  # the same searches through Chroma
    try:
        chroma = [idx.search(q, k=10, filters=f) for q, f in runs]
    finally:
        idx.stores.exact_max_vectors = EXACT_MAX_VECTORS
    assert any(exact), "nothing found at all"

    def same(a: list, b: list) -> bool:
        # Rank by rank the same scores and the same chunks; two hits whose fused scores tie may come in either order.
        return len(a) == len(b) and all(
            x.score == pytest.approx(y.score, abs=1e-4)
            and (
                x.chunk_id == y.chunk_id or any(h.chunk_id == x.chunk_id and abs(h.score - x.score) <= 1e-4 for h in b)
            )
            for x, y in zip(a, b, strict=True)
        )

    # HNSW is approximate and its graph differs from build to build, so a fresh index can miss a true nearest
    # sentence now and then; exact search never ranks a nearer neighbour lower, and nearly every search is Chroma's.
    differ = [(q, f) for (q, f), a, b in zip(runs, exact, chroma, strict=True) if not same(a, b)]
    assert len(differ) <= 0.1 * len(runs), differ
    for q in {q for q, _ in differ}:
        v = idx.embedder.embed_query(q)
        n = max(idx.fusion.candidates, 10)
        for mine, hnsw in [(idx.stores.exact().query(v, n), idx.store.query(v, n)),
                           (idx.stores.exact().query_sentences(v, 3 * n), idx.store.query_sentences(v, 3 * n))]:  # fmt: skip
            assert all(a >= b - 1e-6 for (_, a), (_, b) in zip(mine, hnsw, strict=True)), q


@pytest.mark.slow
def test_exact_search_gives_chromas_results_on_the_sample_corpus(sample_index):
    _assert_same_results(sample_index, _questions("exempel", 60))


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "data" / "verkliga").is_dir(), reason="../shared/data/verkliga is not here")
def test_exact_search_on_the_real_documents_is_chromas_or_finds_nearer_neighbours(make_index):
    """At 600 chunks and 4,000 sentence vectors Chroma's HNSW already misses some true nearest sentences (measured on
    the whole set: 7 of 60 questions ended differently, recall@1, 3, 5 and 10 unchanged). Exact search never ranks a
    nearer neighbour lower, and most results are Chroma's."""
    idx = make_index()
    assert all(r.status != "failed" for r in idx.ingest([SHARED / "data" / "verkliga" / "regeringen"]))
    exact = idx.stores.exact()
    assert exact is not None
    n = max(idx.fusion.candidates, 10)
    questions = _questions("verkliga", 40)
    for q in questions:
        v = idx.embedder.embed_query(q)
        for mine, hnsw in [(exact.query(v, n), idx.store.query(v, n)),
                           (exact.query_sentences(v, 3 * n), idx.store.query_sentences(v, 3 * n))]:  # fmt: skip
            assert len(mine) == len(hnsw)
            assert all(a >= b - 1e-6 for (_, a), (_, b) in zip(mine, hnsw, strict=True)), q  # never a worse one
    ours = [idx.search(q, k=10) for q in questions]
    idx.stores.exact_max_vectors = 0
    theirs = [idx.search(q, k=10) for q in questions]
    same = [(a, b) for a, b in zip(ours, theirs, strict=True) if [h.chunk_id for h in a] == [h.chunk_id for h in b]]
    # Scores of the same hits may move a little: a neighbour HNSW missed changes the fusion's candidate lists.
    assert len(same) >= 0.8 * len(questions), len(same)


def test_the_copy_follows_replacement_and_removal_and_is_filled_in_for_an_older_catalog(make_index, corpus: Path):
    idx = make_index()
    idx.ingest([corpus])

    def copy() -> dict[str, tuple[bytes, bytes]]:
        return {c: (v, s) for c, v, s in idx.catalog.all_vectors()}

    def same(a: np.ndarray, b: np.ndarray) -> bool:  # Chroma keeps its cosine space's own re-normalised vectors
        return a.shape == b.shape and np.allclose(a, b, rtol=0, atol=1e-6)

    def assert_copy_is_chromas() -> None:
        got = copy()
        assert sorted(got) == sorted(idx.catalog.all_chunk_ids())
        chunks = idx.store.vectors(list(got))
        for cid, (v, s) in got.items():
            assert same(np.frombuffer(v, dtype=np.float32), chunks[cid])
            dim = idx.embedder.dim
            n = len(s) // (4 * dim)
            sids = [f"{cid}~{i}" for i in range(n)]
            sents = idx.store.sentence_vectors(sids)
            assert len(sents) == n == idx.catalog.sentence_sources([cid])[cid][1]
            assert same(
                np.frombuffer(s, dtype=np.float32).reshape(n, dim), np.array([sents[i] for i in sids]).reshape(n, dim)
            )

    assert_copy_is_chromas()
    target = next(corpus.glob("*.md"))
    target.write_text(target.read_text(encoding="utf-8") + "\n\nEtt nytt stycke om cykelvägar i tätorten.\n")
    idx.ingest([corpus])
    assert_copy_is_chromas()
    idx.remove(str(target))
    target.unlink()  # so that the ingest below does not bring it back
    assert_copy_is_chromas()

    before = copy()
    idx.catalog.db.execute("DELETE FROM vectors")  # as a catalog written before the copy existed
    assert idx.stores.exact() is None  # incomplete: search uses Chroma
    assert idx.search("klimat", k=3)
    idx.ingest([corpus])  # nothing changed, but the copy is filled in from Chroma
    after = copy()
    assert sorted(after) == sorted(before)
    f32 = np.float32
    assert all(same(np.frombuffer(after[c][0], f32), np.frombuffer(before[c][0], f32)) for c in before)
    assert all(same(np.frombuffer(after[c][1], f32), np.frombuffer(before[c][1], f32)) for c in before)
    assert idx.stores.exact() is not None


def test_the_copy_is_kept_only_within_the_limit_and_comes_back_when_the_index_shrinks(make_index, corpus: Path):
    idx = make_index()
    idx.ingest([corpus])
    total = idx.catalog.vector_total()
    n = idx.catalog.count_chunks()
    assert idx.catalog.vector_counts()[:2] == (n, n) and idx.stores.exact() is not None

    def copied() -> int:
        return idx.catalog.vector_counts()[1]

    idx.stores.exact_max_vectors = total - 1  # an index past the limit keeps no copy, even when nothing is written
    idx.ingest([corpus])
    assert copied() == 0 and idx.stores.exact() is None
    idx.stores.exact_max_vectors = total + 1  # within it again: filled in from Chroma
    idx.ingest([corpus])
    assert copied() == n and idx.stores.exact() is not None

    new = corpus / "linbana.md"  # a write that takes the index past the limit drops the whole copy with it
    new.write_text(
        "---\ntitle: Linbanan\ndoc_type: mål\n---\n\n# Linbanan\n\nEn linbana av glas byggs över ån. Den går "
        "från stationen till sjukhuset. Resan tar fyra minuter.\n"
    )
    assert [r.status for r in idx.ingest([new])] == ["ingested"]
    assert idx.catalog.vector_total() > total + 1
    assert copied() == 0 and idx.stores.exact() is None
    assert "linbana av glas" in idx.search("linbana av glas", k=3)[0].text  # Chroma serves the search
    idx.remove(str(new))
    new.unlink()
    assert copied() == 0  # a removal writes no copy; the next ingest does
    idx.ingest([corpus])
    assert copied() == n and idx.stores.exact() is not None


def test_the_back_fill_counts_what_it_copied_and_what_chroma_lacks(make_index, corpus: Path, caplog):
    idx = make_index()
    idx.ingest([corpus])
    n = idx.catalog.count_chunks()
    with caplog.at_level(logging.INFO, logger="styrdok.index"):
        idx.ingest([corpus])  # a complete copy: nothing to fill in, nothing said
    assert "copied the vectors" not in caplog.text and "could not get a copy" not in caplog.text
    idx.catalog.db.execute("DELETE FROM vectors")  # as a catalog written before the copy existed
    idx.store.col.delete(ids=[idx.catalog.all_chunk_ids()[0]])  # and one chunk Chroma lost
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="styrdok.index"):
        idx.ingest([corpus])
    assert f"copied the vectors of {n - 1} chunks" in caplog.text
    assert "1 chunks could not get a copy of their vectors in the catalog: Chroma lacks" in caplog.text
    assert idx.catalog.vector_counts()[1] == n - 1 and idx.stores.exact() is None  # incomplete: Chroma serves
