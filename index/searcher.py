"""The index's searcher: dense and lexical candidates, filters resolved in the catalog, fusion, the hits."""

from __future__ import annotations

import json
import logging
import math
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from index.catalog import DocRecord, Filters
from index.exact import ExactVectors
from index.hybrid import FusionConfig, Hit, boost, fuse, named_focus_areas, named_goals
from index.store import VectorStore, sentence_id
from index.stores import Stores, UsesStores
from index.vectors import best_per_chunk, lone_unit, mix, sentence_units

log = logging.getLogger("styrdok.index")


class IndexSearcher(UsesStores):
    def __init__(self, stores: Stores, fusion: FusionConfig | None = None) -> None:
        self.stores = stores
        self.fusion = fusion or FusionConfig()
        self._cache_lock = threading.Lock()
        self._docs_cache: tuple[tuple, list[DocRecord]] | None = None
        self._allowed_cache: OrderedDict[tuple, Allowed] = OrderedDict()  # key: filters and catalog state

    def documents(self) -> list[DocRecord]:
        """All documents, newest first. Cached until the catalog changes (also by another process): every answer
        looks at them, and re-reading ~10k rows cost ~90 ms per question (bench/results)."""
        key = self._catalog_state()
        cached = self._docs_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        docs = self.catalog.documents()
        self._docs_cache = (key, docs)
        return docs

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """Sentence text → the vector ingest stored for it, for the sentences of these chunks. The answerer scores
        sentences against the question and would otherwise embed them again (~7 ms each on one core)."""
        self._fresh()
        texts: dict[str, str] = {}  # sentence id → text
        lone: dict[str, str] = {}  # chunk id → its one sentence, whose vector the chunk vector stands in for
        for cid, (text, count) in self.catalog.sentence_sources(chunk_ids).items():
            units = sentence_units(text)
            if count == len(units):  # recorded by this splitter: ids and texts line up
                texts.update((sentence_id(cid, i), u) for i, u in enumerate(units))
            if not units and (u := lone_unit(text)) is not None:
                lone[cid] = u
        source = self.stores.exact() or self.store
        out = {lone[cid]: v for cid, v in source.vectors(list(lone)).items()} if lone else {}
        if not self.stores.sentence_space:  # static sentence vectors are not comparable with the question's e5 one
            out.update({texts[sid]: v for sid, v in source.sentence_vectors(list(texts)).items()})
        return out

    def focus_areas(self) -> set[str]:
        return self.stores.focus_areas()

    def _dense(self, query: str, n: int, filters: Filters | None, allowed: Allowed | None) -> list[tuple[str, float]]:
        v = self.embedder.embed_query(query)
        exact = self.stores.exact()
        if exact is not None:  # a small embedded index: every vector scanned, Chroma never opened (index/exact.py)
            ids = allowed.ids if allowed is not None else None
            chunk_sims = dict(exact.query(v, n, ids))
            sent_v = self._sentence_query(query, v)
            return self._mixed(v, chunk_sims, best_per_chunk(exact.query_sentences(sent_v, 3 * n, ids)), exact)
        if allowed is not None:
            dense = self._dense_filtered(v, n, allowed, self._sentence_query(query, v))
            if dense is not None:
                return dense
        chunk_sims = dict(self.store.query(v, n, filters))
        sent_sims = best_per_chunk(self.store.query_sentences(self._sentence_query(query, v), 3 * n, filters))
        return self._mixed(v, chunk_sims, sent_sims)

    def _sentence_query(self, query: str, v: np.ndarray) -> np.ndarray:
        """The question's vector in the sentence vectors' space: its e5 vector, or its static one."""
        return self.sentence_embedder.embed_query(query) if self.stores.sentence_space else v

    def _mixed(
        self,
        v: np.ndarray,
        chunk_sims: dict[str, float],
        sent_sims: dict[str, float],
        source: ExactVectors | VectorStore | None = None,
    ) -> list[tuple[str, float]]:
        missing = [c for c in sent_sims if c not in chunk_sims]
        for cid, vec in (source or self.store).vectors(missing).items():
            chunk_sims[cid] = float(vec @ v)
        return mix(chunk_sims, sent_sims)

    def _dense_filtered(
        self, v: np.ndarray, n: int, allowed: Allowed, vs: np.ndarray | None = None
    ) -> list[tuple[str, float]] | None:
        """The dense candidates of `_dense` among the `allowed` chunks (those passing a filter), without a Chroma
        `where`.

        Why: Chroma evaluates `where` against every matching metadata row: at 100k chunks (421k sentence vectors)
        a one-year filter cost ~210 ms per search, the unfiltered query ~3 ms (bench/results, scale section). The
        catalog knows which chunks pass. When they are few, the query is restricted to their ids (exact); otherwise the nearest OVER_FETCH × n / share are fetched unfiltered and the passing
        ones kept: the best passing candidates are exactly those of a filtered query, only the tail may be shorter.
        None: fall back to `where` (a replaced document's ids vanished between look-up and query)."""
        if not allowed.ids:
            return []
        k_chunks = math.ceil(OVER_FETCH * n / allowed.share)
        k_sents = math.ceil(OVER_FETCH * 3 * n / allowed.share)
        try:
            if len(allowed.ids) <= IDS_PER_NEIGHBOUR * k_chunks:
                chunk_sims = dict(self.store.query(v, n, ids=allowed.ids))
            else:
                chunk_sims = dict([x for x in self.store.query(v, k_chunks) if x[0] in allowed.id_set][:n])
                if len(chunk_sims) < n // 2:  # the filter passes few of the near ones: ask for its best exactly
                    chunk_sims = dict(self.store.query(v, n, ids=allowed.ids))
            if allowed.n_sentences is not None and allowed.n_sentences <= IDS_PER_NEIGHBOUR * k_sents:
                sids = allowed.sentence_ids()
                ranked = self.store.query_sentences(vs if vs is not None else v, 3 * n, ids=sids) if sids else []
            else:
                ranked = self.store.query_sentences(vs if vs is not None else v, k_sents)
                ranked = [x for x in ranked if x[0] in allowed.id_set][: 3 * n]
        except Exception as e:  # noqa: BLE001 - Chroma raises on an id it lacks
            log.info("filtered search by id failed (%s); using a metadata filter", e)
            return None
        return self._mixed(v, chunk_sims, best_per_chunk(ranked))

    def _lexical(self, query: str, n: int, filters: Filters | None, allowed: Allowed | None) -> list[tuple[str, float]]:
        """BM25 candidates; with filters, the unfiltered ranking over-fetched and cut to the passing chunks when that
        is exact enough (as in _dense_filtered), else SQL joins the filter (~5 ms more at 100k chunks)."""
        if filters is None or allowed is None:
            return self.catalog.lexical_search(query, n)
        if not allowed.ids:
            return []
        k = math.ceil(OVER_FETCH * n / allowed.share)
        if k < len(allowed.ids):
            ranked = self.catalog.lexical_search(query, k)
            passing = [x for x in ranked if x[0] in allowed.id_set][:n]
            if len(ranked) < k or len(passing) >= n // 2:  # every match seen, or enough of the best ones
                return passing
        return self.catalog.lexical_search(query, n, filters)

    def _allowed(self, filters: Filters) -> Allowed:
        """The chunks passing `filters`, cached until the catalog changes (the same year or document type is asked
        for again and again; the look-up costs ~11 ms at 100k chunks)."""
        key = (filters.key(), self._catalog_state())
        with self._cache_lock:
            hit = self._allowed_cache.get(key)
        if hit is None:
            rows = self.catalog.chunk_ids_where(filters)
            hit = Allowed(rows, self.catalog.count_chunks())
            with self._cache_lock:
                self._allowed_cache[key] = hit
                if len(self._allowed_cache) > 32:
                    self._allowed_cache.popitem(last=False)
        return hit

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        fusion: FusionConfig | None = None,
        per_doc: int | None = None,
    ) -> list[Hit]:
        """The k best chunks, each passage once; `per_doc` caps the hits from any one document."""
        cfg = fusion or self.fusion
        query = query.strip()
        if not query:
            return []
        self._fresh()
        n = max(cfg.candidates, k)
        allowed = self._allowed(filters) if filters is not None and not filters.is_empty() else None
        # The word search runs on another thread while this one embeds the question and queries the vectors: SQLite
        # and ONNX Runtime release the GIL, so the two overlap (search p50 at 100k chunks: bench/results, scale
        # section). In a fresh process the words also run while the model is still loading (Embedder.preload).
        words = _WORDS.submit(self._lexical, query, n, filters, allowed) if cfg.method != "dense" else None
        dense = self._dense(query, n, filters, allowed) if cfg.method != "lexical" else []
        lexical = words.result() if words is not None else []
        fused = fuse(dense, lexical, cfg)
        dense_s, lex_s = dict(dense), dict(lexical)
        goals, focus = named_goals(query), named_focus_areas(query, self.focus_areas())
        rows: dict[str, tuple[str, str, str]] = {}  # chunk id → document id, text, stored metadata
        boosted = bool((goals or focus) and cfg.structure_boost)
        if boosted:  # the boost reads every candidate's goal and focus area
            rows = self.catalog.chunk_rows([cid for cid, _ in fused])
            fused = boost(fused, {c: json.loads(m) for c, (_, _, m) in rows.items()}, goals, focus, cfg.structure_boost)
        hits: list[Hit] = []
        # The same passage twice (a copy of a document, repeated boilerplate) is shown once: compared exactly first,
        # then with whitespace and case folded.
        seen_exact: set[str] = set()
        seen: set[str] = set()
        per_document: dict[str, int] = {}
        # Rows are read a batch at a time, best first, and only the hits' metadata is parsed: reading and parsing
        # every candidate (~200) cost ~8 ms per search at 100k chunks.
        batch = max(50, 4 * k)
        for i, (cid, score) in enumerate(fused):
            if i % batch == 0 and not boosted:
                rows.update(self.catalog.chunk_rows([c for c, _ in fused[i : i + batch]]))
            if cid not in rows:  # vectors of a half-written document: no catalog row yet
                continue
            doc_id, text, meta = rows[cid]
            if text in seen_exact:
                continue
            same = " ".join(text.split()).casefold()
            if same in seen or (per_doc and per_document.get(doc_id, 0) >= per_doc):
                continue
            seen_exact.add(text)
            seen.add(same)
            per_document[doc_id] = per_document.get(doc_id, 0) + 1
            signals = {"dense": dense_s.get(cid, 0.0), "lexical": lex_s.get(cid, 0.0)}
            hits.append(Hit.from_row(len(hits) + 1, score, cid, text, json.loads(meta), signals))
            if len(hits) == k:
                break
        return hits


# The word searches of concurrent questions (the web app's worker threads) each get a thread; every thread keeps
# its own SQLite connection (Catalog.db).
_WORDS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="styrdok-words")

# Filtered search (IndexSearcher._dense_filtered) fetches OVER_FETCH times the expected need (n / the passing
# share), unless restricting the query to the passing ids is cheaper: measured at 421k sentence vectors, an id costs
# ~0.8 µs and a fetched neighbour ~2.9 µs, so ids win while there are at most IDS_PER_NEIGHBOUR ids per neighbour
# that over-fetching would fetch.
OVER_FETCH = 1.0  # a factor on the expected need; 1.0: no margin beyond it
IDS_PER_NEIGHBOUR = 3  # a count ratio: passing ids per fetched neighbour at which the id query is still cheaper


class Allowed:
    """The chunks that pass a filter: their ids (a list for Chroma, a set for tests) and sentence vector count."""

    def __init__(self, rows: list[tuple[str, int | None]], total_chunks: int) -> None:
        self.ids = [c for c, _ in rows]
        self.id_set = set(self.ids)
        self.counts = [k for _, k in rows]
        self.n_sentences = None if None in self.counts else sum(self.counts)
        self.share = max(len(self.ids) / max(total_chunks, 1), 1e-9)
        self._sids: list[str] | None = None

    def sentence_ids(self) -> list[str]:
        if self._sids is None:
            self._sids = [sentence_id(c, i) for c, k in zip(self.ids, self.counts, strict=True) for i in range(k or 0)]
        return self._sids
