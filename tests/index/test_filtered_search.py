"""Filtered search finds the passing chunks through the catalog and queries the vector store by id or over-fetches
(index/searcher.py, IndexSearcher._dense_filtered / _lexical) instead of using a Chroma `where`. It must give what the
`where` path gives, and keep working when a vector vanished or the catalog predates sentence counts."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

import index.searcher as searcher
from index.catalog import Catalog, Filters
from index.vectors import best_per_chunk

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Vilka mål handlar om klimatet?",
    "Vad kostar fritidskortet?",
    "Hur följs målen upp?",
    "Vad gör tekniska nämnden med solceller?",
    "Vem beslutar om budgeten?",
]
FILTERS = [
    Filters(doc_type="pressmeddelande"),
    Filters(doc_type="mål"),
    Filters(year=2025),
    Filters(year=2025, doc_type="nämndsplan"),
    Filters(organ="Kommunstyrelsen"),
]


def passes(hit, f: Filters, years: dict[str, int]) -> bool:  # noqa: ANN001
    # The year is the document's (its stated date, else the year in its title), so it comes from the catalog.
    return (
        (not f.doc_type or hit.doc_type == f.doc_type)
        and (not f.year or years[hit.doc_id] == f.year)
        and (not f.organ or hit.organ == f.organ)
    )


def where_dense(idx, v, n: int, f: Filters) -> list[tuple[str, float]]:  # noqa: ANN001
    """The dense candidates through Chroma `where` filters: the reference."""
    chunks = dict(idx.store.query(v, n, f))
    return idx.searcher._mixed(v, chunks, best_per_chunk(idx.store.query_sentences(v, 3 * n, f)))


def test_filtered_search_equals_the_metadata_filter(sample_index, monkeypatch):
    years = {d.doc_id: d.year for d in sample_index.documents()}
    got = {(q, repr(f)): sample_index.search(q, k=5, filters=f) for q in QUESTIONS for f in FILTERS}
    assert all(got.values())  # every filter selects real documents
    for (q, key), hits in got.items():
        f = next(x for x in FILTERS if repr(x) == key)
        assert all(passes(h, f, years) for h in hits), (q, f, [(h.doc_type, h.date) for h in hits])
    # The same searches through Chroma `where` and SQL joins.
    monkeypatch.setattr(sample_index.searcher, "_dense_filtered", lambda *a: None)
    monkeypatch.setattr(
        sample_index.searcher, "_lexical", lambda q, n, f, allowed: sample_index.catalog.lexical_search(q, n, f)
    )
    for q in QUESTIONS:
        for f in FILTERS:
            ref = sample_index.search(q, k=5, filters=f)
            assert [h.chunk_id for h in got[(q, repr(f))]] == [h.chunk_id for h in ref], (q, f)


def test_over_fetching_keeps_the_best_passing_candidates(sample_index, monkeypatch):
    monkeypatch.setattr(searcher, "IDS_PER_NEIGHBOUR", 0)  # never restrict by ids: over-fetch and cut
    n = 10
    for f in FILTERS:
        allowed = sample_index.searcher._allowed(f)
        for q in QUESTIONS:
            v = sample_index.embedder.embed_query(q)
            ours = sample_index.searcher._dense_filtered(v, n, allowed)
            assert {c for c, _ in ours} <= allowed.id_set
            ref = where_dense(sample_index, v, n, f)
            assert [c for c, _ in ours[:5]] == [c for c, _ in ref[:5]], (q, f)


def test_lexical_over_fetch_equals_the_sql_filter(sample_index):
    f = Filters(doc_type="mål")
    allowed = sample_index.searcher._allowed(f)
    assert 3 < len(allowed.ids) < sample_index.catalog.count_chunks()
    for q in ["mål klimat miljö", "lundaborna i fokus", "ekonomi budget i balans"]:
        ours = [c for c, _ in sample_index.searcher._lexical(q, 4, f, allowed)]
        ref = [c for c, _ in sample_index.catalog.lexical_search(q, 4, f)]
        # The best passing chunks, in order; the tail may be shorter (index/searcher.py, OVER_FETCH).
        assert ours and ours == ref[: len(ours)] and len(ours) >= 2, (q, ours, ref)


def test_a_vanished_vector_falls_back_to_the_metadata_filter(make_index, corpus: Path, caplog):
    idx = make_index()
    idx.ingest([corpus])
    idx.stores.exact_max_vectors = 0  # Chroma's path (a larger index): the catalog's copy has no vanished vectors
    f = Filters(doc_type="mål")
    allowed = idx.searcher._allowed(f)
    idx.store.col.delete(ids=[allowed.ids[0]])  # the catalog still lists it (as during a replacement)
    with caplog.at_level(logging.INFO, logger="styrdok.index"):
        hits = idx.search("Vilka mål handlar om klimatet?", k=5, filters=f)
    assert hits and all(h.doc_type == "mål" for h in hits)
    assert "using a metadata filter" in caplog.text


def test_catalog_without_sentence_counts_is_upgraded(make_index, corpus: Path):
    idx = make_index()
    idx.ingest([corpus])
    recorded = dict(idx.catalog.db.execute("SELECT chunk_id, n_sentences FROM chunks"))
    assert recorded == {c: idx.store.sentence_counts().get(c, 0) for c in recorded}
    assert any(recorded.values())
    idx.catalog.db.execute("UPDATE chunks SET n_sentences = NULL")
    idx.searcher._allowed_cache.clear()
    f = Filters(doc_type="mål")
    assert idx.searcher._allowed(f).n_sentences is None
    hits = idx.search("Vilka mål handlar om klimatet?", k=3, filters=f)  # still searchable meanwhile
    assert hits and all(h.doc_type == "mål" for h in hits)
    idx.ingest([corpus])  # nothing changed, but the counts are recorded again
    assert dict(idx.catalog.db.execute("SELECT chunk_id, n_sentences FROM chunks")) == recorded


def test_old_catalog_schema_gets_the_column(tmp_path: Path):
    path = tmp_path / "catalog.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE chunks (id INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL, "
               "text TEXT NOT NULL, meta TEXT NOT NULL)")  # fmt: skip
    db.execute("INSERT INTO chunks(chunk_id, doc_id, text, meta) VALUES ('a:0000', 'a', 'x', '{}')")
    db.commit()
    db.close()
    cat = Catalog(path)
    assert cat.db.execute("SELECT n_sentences FROM chunks").fetchall() == [(None,)]
    assert cat.chunks_without_sentence_counts() == ["a:0000"]
    cat.close()
