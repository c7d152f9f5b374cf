"""The index end to end with the real model and real Chroma: idempotence, replacement, prune, mismatch, server."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.catalog import Filters
from index.store import ModelMismatchError

pytestmark = pytest.mark.slow


def snapshot(idx) -> dict[str, list[str]]:
    return {d.doc_id: idx.catalog.chunk_ids(d.doc_id) for d in idx.documents()}


def test_reingest_three_times_keeps_one_copy(make_index, corpus: Path):
    idx = make_index()
    first = idx.ingest([corpus])
    assert {r.status for r in first} == {"ingested"}
    before = snapshot(idx)
    n = idx.store.count()
    for _ in range(3):
        again = idx.ingest([corpus])
        assert {r.status for r in again} == {"skipped"}
        assert all("oförändrad" in r.reason for r in again)
    assert snapshot(idx) == before
    assert idx.store.count() == n == idx.catalog.count_chunks()
    assert idx.check() == {"only_in_vectors": [], "only_in_catalog": []}


def test_changed_file_replaces_its_chunks(make_index, corpus: Path):
    idx = make_index()
    idx.ingest([corpus])
    md = corpus / "pressmeddelande-solceller-2025.md"
    old = idx.catalog.document_by_source(str(md.resolve()))
    md.write_text(md.read_text(encoding="utf-8") + "\n\nKommunen planterar också 4 711 lindar längs Ringvägen.\n")
    res = {Path(r.path).name: r for r in idx.ingest([corpus])}
    assert res[md.name].status == "ingested"
    new = idx.catalog.document_by_source(str(md.resolve()))
    assert new.doc_id != old.doc_id
    assert idx.catalog.chunk_ids(old.doc_id) == []
    assert idx.check() == {"only_in_vectors": [], "only_in_catalog": []}
    top = idx.search("lindar längs Ringvägen", k=1)[0]
    assert top.doc_id == new.doc_id and "4 711 lindar" in top.text


def test_prune_and_remove(make_index, corpus: Path):
    idx = make_index()
    idx.ingest([corpus])
    gone = corpus / "pressmeddelande-fritidskort-2026.html"
    gone_id = idx.catalog.document_by_source(str(gone.resolve())).doc_id
    gone.unlink()
    res = idx.ingest([corpus], prune=True)
    assert [r.doc_id for r in res if r.status == "removed"] == [gone_id]
    assert idx.catalog.document(gone_id) is None
    some = idx.documents()[0]
    r = idx.remove(some.doc_id)
    assert r.status == "removed" and idx.catalog.document(some.doc_id) is None
    assert idx.remove("finns-inte").status == "failed"
    assert idx.check() == {"only_in_vectors": [], "only_in_catalog": []}


def test_duplicate_file_under_other_name_indexed_once(make_index, corpus: Path):
    idx = make_index()
    src = corpus / "pressmeddelande-solceller-2025.md"
    (corpus / "kopia.md").write_bytes(src.read_bytes())
    res = {Path(r.path).name: r for r in idx.ingest([corpus])}
    statuses = sorted([res["kopia.md"].status, res[src.name].status])
    assert statuses == ["ingested", "skipped"]
    assert "samma innehåll" in (res["kopia.md"].reason + res[src.name].reason)


def test_bad_file_does_not_stop_ingest(make_index, corpus: Path):
    (corpus / "trasig.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<")
    (corpus / "tom.txt").write_bytes(b"")
    idx = make_index()
    res = {Path(r.path).name: r for r in idx.ingest([corpus])}
    assert res["trasig.pdf"].status == "failed" and res["trasig.pdf"].reason
    assert res["tom.txt"].status == "failed" and "tom" in res["tom.txt"].reason
    assert sum(r.status == "ingested" for r in res.values()) == len(list((corpus).glob("*"))) - 2


def test_model_mismatch_is_a_clear_error(make_index, settings, corpus: Path, embedder, model_cache: Path):
    from index.config import Settings
    from index.embedder import Embedder
    from index.engine import Index

    idx = make_index()
    idx.ingest([corpus / "pressmeddelande-solceller-2025.md"])
    idx.close()
    folder = embedder.model_path()
    other = Embedder(Settings(home=settings.home, model=folder, model_cache=model_cache))
    idx2 = Index(settings, embedder=other)
    with pytest.raises(ModelMismatchError, match="--rebuild"):
        idx2.search("klimat")
    # --rebuild re-indexes with the new model and then works
    res = idx2.ingest([corpus / "pressmeddelande-solceller-2025.md"], rebuild=True)
    assert res[0].status == "ingested"
    assert idx2.search("solceller", k=1)
    idx2.close()


def test_filters(sample_index):
    hits = sample_index.search("budget", k=10, filters=Filters(doc_type="nämndsplan"))
    assert hits and all(h.doc_type == "nämndsplan" for h in hits)
    for h in sample_index.search("mål", k=10, filters=Filters(year=2019)):
        assert h.date.startswith("2019")


def test_climate_question_finds_climate_goal(sample_index):
    top = sample_index.search("Vilka mål handlar om klimatet?", k=3)
    assert top[0].goal == 5, [(h.goal, h.section) for h in top]


def test_chroma_server_mode(chroma_server: str, embedder, settings, corpus: Path):
    from dataclasses import replace

    from index.engine import Index

    idx = Index(replace(settings, chroma_url=chroma_server), embedder=embedder)
    res = idx.ingest([corpus])
    assert res and all(r.status == "ingested" for r in res)
    assert idx.store.count() == idx.catalog.count_chunks()
    top = idx.search("Vilka mål handlar om klimatet?", k=3)
    assert top[0].goal == 5
    # Filtered search asks the server by id (index/searcher.py); None would mean it fell back to a metadata filter.
    allowed = idx.searcher._allowed(Filters(doc_type="mål"))
    v = idx.embedder.embed_query("Vilka mål handlar om klimatet?")
    dense = idx.searcher._dense_filtered(v, 10, allowed)
    assert dense and {c for c, _ in dense} <= allowed.id_set
    top = idx.search("Vilka mål handlar om klimatet?", k=3, filters=Filters(doc_type="mål"))
    assert top[0].goal == 5 and all(h.doc_type == "mål" for h in top)
    idx.close()


def test_search_shows_a_passage_once_and_caps_hits_per_document(make_index, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shared = "Kommunens kundtjänst svarar på frågor om avfall och återvinning alla vardagar mellan åtta och fem."
    # Two documents that share a section word for word (a copied boilerplate text): that passage is shown once.
    (docs / "a.md").write_text(f"# Avfall\n\n{shared}\n\n## Mer\n\nSorteringen av matavfall börjar i mars.\n")
    (docs / "b.md").write_text(f"# Avfall\n\n{shared}\n\n## Annat\n\nGlasigloor töms varannan vecka.\n")
    idx = make_index()
    idx.ingest([docs])
    hits = idx.search("När svarar kundtjänst på frågor om avfall?", k=10)
    texts = [" ".join(h.text.split()) for h in hits]
    assert len(texts) == len(set(texts))
    assert sum(shared in t for t in texts) == 1
    capped = idx.search("avfall återvinning matavfall glasigloor", k=10, per_doc=1)
    assert len({h.doc_id for h in capped}) == len(capped) == 2


def test_duplicates_beyond_the_first_batch_of_rows_still_leave_room_for_other_hits(make_index, tmp_path: Path):
    # Search reads candidate rows a batch (50) at a time: 60 copies of one notice fill the first batch, and the
    # other passage must still be found in the next one.
    docs = tmp_path / "docs"
    docs.mkdir()
    notice = "Simhallen är stängd för underhåll under vecka 32."
    for i in range(60):
        (docs / f"kopia-{i:02d}.md").write_text(f"# Anslag\n\n{notice}\n" + "\n" * i)  # other bytes, same text
    (docs / "annat.md").write_text("# Bad\n\nUtomhusbadet har öppet hela sommaren.\n")
    idx = make_index()
    idx.ingest([docs])
    hits = idx.search("Är simhallen stängd för underhåll eller öppet?", k=2)
    assert len(hits) == 2
    assert notice in hits[0].text and "Utomhusbadet" in hits[1].text


def test_an_ingest_leaves_the_word_index_in_one_segment(make_index, corpus: Path):
    idx = make_index()
    files = sorted(corpus.iterdir())
    idx.ingest(files[:2])
    idx.ingest(files[2:])  # every document is its own write, and each write adds a segment
    segments = idx.catalog.db.execute("SELECT count(DISTINCT segid) FROM chunks_fts_idx").fetchone()[0]
    assert segments == 1
    assert idx.search("klimat", k=1)


def test_searches_from_many_threads_agree_with_one_at_a_time(sample_index):
    from concurrent.futures import ThreadPoolExecutor

    questions = ["Vilka mål handlar om klimatet?", "Vad kostar fritidskortet?", "Hur går det för skolan?"] * 3
    alone = [[h.chunk_id for h in sample_index.search(q, k=5)] for q in questions]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda q: [h.chunk_id for h in sample_index.search(q, k=5)], questions))
    assert together == alone
