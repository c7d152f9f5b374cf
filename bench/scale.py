"""Query latency at 1k / 10k / 100k chunks: search and extractive ask, with and without a metadata filter.

How the large indexes are made (cheaply, and said so in the output): the chunks of a real ingest (text, metadata,
FTS terms, chunk vector, sentence vectors) are replicated document by document. Each replica gets its own doc id,
year (2015-2026), document type and organ, so filters select a realistic share. Its vectors are the real ones plus
Gaussian noise (cosine ~0.97 to the original), renormalised, so the HNSW graph holds distinct points. The lexical
side is real: every replica's text and analysed FTS terms are stored in the catalog, and BM25 and fusion run over
all of them. Everything is written through the production schema (catalog tables, VectorStore.add /
add_sentences with the same metadata), only faster than re-embedding 100k chunks.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.common import latency_stats, log, settings_for

TYPES = ("mål", "nämndsplan", "pressmeddelande", "budget/bokslut", "övrigt")
ORGANS = ("Kommunfullmäktige", "Kommunstyrelsen", "Tekniska nämnden", "Barn- och skolnämnden",
          "Kultur- och fritidsnämnden", "Miljönämnden")  # fmt: skip
NOISE = 0.0125  # per-dimension std: |noise| ≈ 0.25, cosine to the source vector ≈ 0.97
FILTER_YEAR = 2020  # one year of twelve: about 8% of the chunks


@dataclass
class BaseDoc:
    row: tuple  # the documents row
    chunks: list[dict] = field(default_factory=list)  # text, meta, terms, vec, sents (list of vectors), smetas


@dataclass
class Base:
    model: str  # "model_id|dim" as the catalog records it
    docs: list[BaseDoc]

    @property
    def n_chunks(self) -> int:
        return sum(len(d.chunks) for d in self.docs)

    def fingerprint(self) -> str:
        h = hashlib.sha256(self.model.encode())
        for d in self.docs:
            for c in d.chunks:
                h.update(c["text"].encode())
                h.update(np.asarray(c["vec"], dtype=np.float32).tobytes())
        return h.hexdigest()[:16]


def load_base(home: Path) -> Base:
    """Everything a real ingest at `home` wrote, per document."""
    from index.catalog import Catalog
    from index.store import VectorStore

    s = settings_for(home)
    cat = Catalog(s.catalog_path)
    model = cat.get_meta("model") or ""
    model_id, _, dim = model.rpartition("|")
    store = VectorStore(path=s.chroma_dir, collection=s.collection)
    store.open(model_id, int(dim))
    docs = {r[0]: BaseDoc(tuple(r)) for r in cat.db.execute("SELECT * FROM documents ORDER BY doc_id")}
    rows = cat.db.execute(
        "SELECT c.chunk_id, c.doc_id, c.text, c.meta, f.terms FROM chunks c JOIN chunks_fts f ON f.rowid = c.id "
        "ORDER BY c.id"
    ).fetchall()
    vecs = store.vectors([r[0] for r in rows])
    sent = store.sent.get(include=["embeddings", "metadatas"])
    by_parent: dict[str, list[tuple[int, np.ndarray, dict]]] = {}
    for sid, v, m in zip(sent["ids"], sent["embeddings"], sent["metadatas"], strict=True):
        by_parent.setdefault(m["parent"], []).append((int(sid.rsplit("~", 1)[1]), np.asarray(v, np.float32), m))
    for cid, doc_id, text, meta, terms in rows:
        ss = sorted(by_parent.get(cid, []), key=lambda x: x[0])
        docs[doc_id].chunks.append({"text": text, "meta": json.loads(meta), "terms": terms, "vec": vecs[cid],
                                    "sents": [v for _, v, _ in ss]})  # fmt: skip
    cat.close()
    return Base(model, [d for d in docs.values() if d.chunks])


class Fixture:
    """An index under `home` (vectors in embedded Chroma there, or in a server at `url`) grown by replicas."""

    def __init__(self, home: Path, base: Base, url: str = "", seed: int = 0) -> None:
        from index.catalog import Catalog
        from index.store import VectorStore

        self.settings = settings_for(home, chroma_url=url)
        self.base = base
        self.catalog = Catalog(self.settings.catalog_path)
        self.catalog.set_meta("model", base.model)
        model_id, _, dim = base.model.rpartition("|")
        self.store = VectorStore(path=self.settings.chroma_dir, url=url, collection=self.settings.collection)
        self.store.open(model_id, int(dim))
        self.rng = np.random.default_rng(seed)
        self.n_chunks = self.catalog.count_chunks()
        self.n_sentences = self.store.sent.count()
        replica, _, next_doc = (self.catalog.get_meta("bench_position") or "0:0").partition(":")
        self.replica, self.next_doc = int(replica), int(next_doc)
        self.build_seconds = 0.0

    def close(self) -> None:
        self.catalog.close()

    def _noisy(self, v: np.ndarray) -> np.ndarray:
        x = v + self.rng.normal(0.0, NOISE, size=v.shape).astype(np.float32)
        return x / np.linalg.norm(x, axis=-1, keepdims=True)

    def grow_to(self, target: int) -> None:
        """Add replicas, whole documents at a time, until the index holds at least `target` chunks; a later call
        goes on where this one stopped (replica number and document position are kept in the catalog)."""
        t = time.perf_counter()
        pending: list[tuple[BaseDoc, int, int]] = []
        docs = self.base.docs
        planned = self.n_chunks
        while planned < target:
            doc = docs[self.next_doc]
            pending.append((doc, self.replica, self.next_doc))
            planned += len(doc.chunks)
            self.next_doc += 1
            if self.next_doc == len(docs):
                self.next_doc, self.replica = 0, self.replica + 1
            if sum(len(d.chunks) for d, _, _ in pending) >= 2000:
                self._write(pending)
                pending = []
                if self.n_chunks // 20_000 != (self.n_chunks - 2000) // 20_000:
                    log(f"  {self.n_chunks} chunks, {self.n_sentences} sentence vectors written")
        if pending:
            self._write(pending)
        self.catalog.compact_words()  # as an ingest leaves it (Writer.ingest)
        self.catalog.set_meta("bench_position", f"{self.replica}:{self.next_doc}")
        self.build_seconds += time.perf_counter() - t

    def _write(self, items: list[tuple[BaseDoc, int, int]]) -> None:
        ids, vecs, texts, metas, s_parents, s_vecs, s_metas = [], [], [], [], [], [], []
        with self.catalog.transaction() as db:
            for doc, r, k in items:
                doc_id = hashlib.sha256(f"{doc.row[0]}:{r}".encode()).hexdigest()[:16]
                year = 2015 + (r * 7 + k) % 12
                row = list(doc.row)
                # documents: doc_id, source, file_sha, title, doc_type, date, year, organ, n_chunks, size, mtime, at, publisher
                row[0], row[1], row[2] = doc_id, f"/bench/replica-{r}/{Path(doc.row[1]).name}", doc_id * 4
                row[3] = f"{doc.row[3]} ({r})"
                row[4], row[5], row[6], row[7] = (
                    TYPES[(r + k) % 5],
                    f"{year}-0{1 + r % 9}-15",
                    year,
                    ORGANS[(r + 3 * k) % 6],
                )
                db.execute(f"INSERT INTO documents VALUES ({','.join('?' * len(row))})", row)
                for i, c in enumerate(doc.chunks):
                    cid = f"{doc_id}:{i:04d}"
                    meta = {**c["meta"], "doc_id": doc_id, "title": row[3], "doc_type": row[4], "date": row[5],
                            "year": year, "organ": row[7], "source": row[1]}  # fmt: skip
                    cur = db.execute("INSERT INTO chunks(chunk_id, doc_id, text, meta, n_sentences) VALUES (?,?,?,?,?)",
                                     (cid, doc_id, c["text"], json.dumps(meta, ensure_ascii=False), len(c["sents"])))  # fmt: skip
                    db.execute("INSERT INTO chunks_fts(rowid, terms) VALUES (?, ?)", (cur.lastrowid, c["terms"]))
                    ids.append(cid)
                    vecs.append(c["vec"])
                    texts.append(c["text"])
                    metas.append(meta)
                    for sv in c["sents"]:
                        s_parents.append(cid)
                        s_vecs.append(sv)
                        s_metas.append(meta)
        self.store.add(ids, self._noisy(np.stack(vecs)), texts, metas)
        if s_vecs:
            self.store.add_sentences(s_parents, self._noisy(np.stack(s_vecs)), s_metas)
        self.n_chunks += len(ids)
        self.n_sentences += len(s_vecs)


def measure(settings, embedder, queries: list[str], *, ask: bool = True, warmup: int = 3) -> dict:  # noqa: ANN001
    """Warm latencies over distinct questions: search (k=5) and extractive ask, each without and with a filter."""
    from assistant.service import Service
    from index.catalog import Filters
    from index.engine import Index

    idx = Index(settings, embedder=embedder)
    svc = Service(settings=settings, index=idx)
    filt = Filters(year=FILTER_YEAR)
    out: dict = {}
    # The first search through a new Index pays for opening the collections and loading the catalog vocabulary.
    t = time.perf_counter()
    idx.search(queries[0] + " ??", k=5)
    out["first_search_in_process_ms"] = round((time.perf_counter() - t) * 1000, 1)
    for q in queries[:warmup]:  # open Chroma, load HNSW segments, prime SQLite pages
        idx.search(q + " ?", k=5)
        idx.search(q + " ?", k=5, filters=filt)
    for name, f in (("search", None), ("search_filtered", filt)):
        lat = []
        for q in queries:
            embedder._cache.clear()  # each question pays for its own query embedding, as a new question does
            t = time.perf_counter()
            idx.search(q, k=5, filters=f)
            lat.append(time.perf_counter() - t)
        out[name] = latency_stats(lat)
    if ask:
        for q in queries[:warmup]:
            svc.ask(q + " ?", mode="extractive")
        sim = svc.assistant.similarity
        for name, f in (("ask", None), ("ask_filtered", filt)):
            lat, emb_secs, emb_texts, stages = [], [], [], {}
            for q in queries:
                embedder._cache.clear()
                getattr(sim, "_cache", {}).clear()  # sentence vectors of earlier answers: replicas would hit them
                spent = {"s": 0.0, "n": 0}
                orig = embedder.embed_passages

                def counting(texts, *a, _o=orig, _s=spent, **kw):  # noqa: ANN001, ANN202
                    t0 = time.perf_counter()
                    try:
                        return _o(texts, *a, **kw)
                    finally:
                        _s["s"] += time.perf_counter() - t0
                        _s["n"] += len(texts)

                embedder.embed_passages = counting
                try:
                    with _stage_timer() as per_stage:
                        t = time.perf_counter()
                        svc.ask(q, filters=f, mode="extractive")
                        lat.append(time.perf_counter() - t)
                finally:
                    del embedder.embed_passages
                emb_secs.append(spent["s"])
                emb_texts.append(spent["n"])
                for k, v in per_stage.items():
                    stages.setdefault(k, []).append(v)
            out[name] = latency_stats(lat)
            out[name]["sentence_embedding_p50_ms"] = round(float(np.median(emb_secs)) * 1000, 1)
            out[name]["sentences_embedded_p50"] = float(np.median(emb_texts))
            out[name]["stages_p50_ms"] = {k: round(float(np.median(v)) * 1000, 2) for k, v in stages.items()}
            total = float(np.median(lat))
            # The learned gate (its features and decision) and the whole answer selection after retrieval.
            gate = float(np.median(stages["gate_features"])) + float(np.median(stages["gate_decision"]))
            out[name]["gate_share_of_p50"] = round(gate / total, 4)
            after = gate + sum(float(np.median(stages[k])) for k in ("candidates", "compose", "assess"))
            out[name]["answer_selection_share_of_p50"] = round(after / total, 4)
    out["filtered_over_unfiltered_p50"] = round(out["search_filtered"]["p50_ms"] / out["search"]["p50_ms"], 2)
    out["dense"] = dense_cost(idx, embedder, queries, filt)
    idx.close()
    return out


@contextlib.contextmanager
def _stage_timer() -> Iterator[dict[str, float]]:
    """Seconds spent in each stage of one ask (assistant/ask.py's steps, wrapped for the measurement only):
    retrieval, candidate sentences (with their embedding), composing, the rule signals, the learned gate's features
    and its decision."""
    import assistant.ask as ask_mod
    from assistant.gate_model import load

    spent = {k: 0.0 for k in ("retrieve", "candidates", "compose", "assess", "gate_features", "gate_decision")}
    gm = load()
    names = {"retrieve": "retrieve", "candidates": "candidates", "compose": "compose", "assess": "assess",
             "gate_features": "gate_features"}  # fmt: skip
    saved = {n: getattr(ask_mod, n) for n in names.values()}

    def timed(stage: str, fn):  # noqa: ANN001, ANN202
        def run(*a, **kw):  # noqa: ANN002, ANN003, ANN202
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[stage] += time.perf_counter() - t

        return run

    for stage, n in names.items():
        setattr(ask_mod, n, timed(stage, saved[n]))
    gm.probability = timed("gate_decision", type(gm).probability.__get__(gm))
    gm.reply = timed("gate_decision", type(gm).reply.__get__(gm))
    try:
        yield spent
    finally:
        for n, fn in saved.items():
            setattr(ask_mod, n, fn)
        del gm.probability, gm.reply


def dense_cost(idx, embedder, queries: list[str], filt, exact_queries: int = 20) -> dict:  # noqa: ANN001
    """The dense side alone (query vector cached): unfiltered, filtered as search does it (catalog ids or over-fetch,
    index/searcher.py), and filtered by a Chroma `where` (the previous way). Each way's top 10 is compared with an exact
    brute-force ranking (same scoring) over every vector it may return, which shows what HNSW and the over-fetch
    lose."""
    n = idx.fusion.candidates
    plain, ours, where = [], [], []
    allowed = idx.searcher._allowed(filt)
    for q in queries:
        v = embedder.embed_query(q)
        for lat, fn, args in ((plain, idx.searcher._dense, (q, n, None, None)), (ours, idx.searcher._dense_filtered, (v, n, allowed)),
                              (where, _dense_where, (idx, v, n, filt))):  # fmt: skip
            t = time.perf_counter()
            fn(*args)
            lat.append(time.perf_counter() - t)
    agree: dict[str, list[float]] = {"unfiltered": [], "ours": [], "where": []}
    every = _ExactDense(*_every_vector(idx.store.col), *_every_vector(idx.store.sent))
    for q in queries[:exact_queries]:
        agree["unfiltered"].append(
            _overlap(every.top10(embedder.embed_query(q), n), idx.searcher._dense(q, n, None, None))
        )
    if allowed.ids and allowed.n_sentences is not None:  # the filtered ways, when the filter passes anything
        passing = _ExactDense(*_vectors_of(idx.store.vectors, allowed.ids),
                              *_vectors_of(idx.store.sentence_vectors, allowed.sentence_ids()))  # fmt: skip
        for q in queries[:exact_queries]:
            v = embedder.embed_query(q)
            exact = passing.top10(v, n)
            agree["ours"].append(_overlap(exact, idx.searcher._dense_filtered(v, n, allowed)))
            agree["where"].append(_overlap(exact, _dense_where(idx, v, n, filt)))
    return {
        "dense_unfiltered": latency_stats(plain),
        "dense_filtered": latency_stats(ours),
        "dense_chroma_where": latency_stats(where),
        "top10_vs_exact": {k: round(float(np.mean(x)), 3) if x else None for k, x in agree.items()},
        "filter_share": round(allowed.share, 4),
    }


class _ExactDense:
    """IndexSearcher._dense's scoring by brute force over the given chunk and sentence vectors: the exact reference (HNSW's
    own loss on the replicated fixture's near-duplicates is large, so the unfiltered way is measured too)."""

    def __init__(self, chunk_ids: list[str], chunk_m: np.ndarray, sent_ids: list[str], sent_m: np.ndarray) -> None:
        self.chunk_ids, self.chunk_m, self.sent_m = chunk_ids, chunk_m, sent_m
        self.parents = [s.rpartition("~")[0] for s in sent_ids]
        self.row = {c: i for i, c in enumerate(chunk_ids)}

    def top10(self, v: np.ndarray, n: int) -> set[str]:
        from index.vectors import best_per_chunk, mix

        cs, ss = self.chunk_m @ v, self.sent_m @ v
        chunk = {self.chunk_ids[i]: float(cs[i]) for i in np.argsort(-cs)[:n]}
        sent = best_per_chunk([(self.parents[i], float(ss[i])) for i in np.argsort(-ss)[: 3 * n]])
        for c in sent:
            chunk.setdefault(c, float(cs[self.row[c]]))
        return {c for c, _ in mix(chunk, sent)[:10]}


def _every_vector(col) -> tuple[list[str], np.ndarray]:  # noqa: ANN001 - a chromadb Collection
    ids, parts = [], []
    for off in range(0, col.count(), 10_000):
        got = col.get(include=["embeddings"], limit=10_000, offset=off)
        ids += got["ids"]
        parts.append(np.asarray(got["embeddings"], np.float32))
    return ids, np.concatenate(parts)


def _vectors_of(fetch, ids: list[str]) -> tuple[list[str], np.ndarray]:  # noqa: ANN001 - a VectorStore method
    got: dict[str, np.ndarray] = {}
    for i in range(0, len(ids), 5000):
        got.update(fetch(ids[i : i + 5000]))
    return list(got), np.stack(list(got.values()))


def _overlap(exact: set[str], got: list[tuple[str, float]] | None) -> float:
    return len(exact & {c for c, _ in (got or [])[:10]}) / max(1, len(exact))


def _dense_where(idx, v: np.ndarray, n: int, filt) -> list[tuple[str, float]]:  # noqa: ANN001
    """The dense candidates through Chroma `where` filters (what search did before index/engine.py filtered by id)."""
    from index.vectors import best_per_chunk

    return idx.searcher._mixed(
        v, dict(idx.store.query(v, n, filt)), best_per_chunk(idx.store.query_sentences(v, 3 * n, filt))
    )


def run_scales(
    work: Path,
    base: Base,
    embedder,
    queries: list[str],
    scales: list[int],
    *,
    url: str = "",
    cache: Path | None = None,
    ask: bool = True,
    label: str = "embedded",
) -> dict:  # noqa: ANN001
    """Grow one fixture through `scales` (measuring at each); the largest may come from / go to `cache`."""
    import shutil

    out: dict = {}
    home = work / f"scale-{label}"
    shutil.rmtree(home, ignore_errors=True)
    fx = Fixture(home, base, url=url)
    for n in scales:
        cached = cache is not None and n == scales[-1] and (cache / "catalog.sqlite3").exists() and not url
        if cached:
            fx.close()
            fx = Fixture(cache, base)
            log(f"scale {label} {n}: using the cached fixture {cache}")
        else:
            log(f"scale {label}: growing to {n} chunks (now {fx.n_chunks})")
            fx.grow_to(n)
        log(f"scale {label} {n}: {fx.n_chunks} chunks, {fx.n_sentences} sentence vectors; measuring")
        row = measure(fx.settings, embedder, queries, ask=ask)
        row.update(chunks=fx.n_chunks, sentence_vectors=fx.n_sentences, fixture_cached=cached,
                   fixture_build_s=round(fx.build_seconds, 1))  # fmt: skip
        out[str(n)] = row
    fx.close()
    if cache is not None and not url and not (cache / "catalog.sqlite3").exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(cache, ignore_errors=True)
        home.rename(cache)  # the largest fixture is reused by the next run (see cache_key)
    return out


def cache_key(base: Base, n: int) -> str:
    import chromadb

    import index.catalog as catalog_mod
    import index.store as store_mod

    h = hashlib.sha256(f"{base.fingerprint()}|{n}|{NOISE}|{chromadb.__version__}".encode())
    # A change of the catalog schema or of the metadata stored with vectors makes a new fixture.
    h.update(catalog_mod.SCHEMA.encode())
    h.update(inspect.getsource(store_mod).encode())
    return h.hexdigest()[:12]
