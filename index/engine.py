"""The index as one object: ingest files, search, list and remove documents.

Write order per document (crash safety): journal → vectors into Chroma → one SQLite transaction that swaps the
catalog and BM25 rows → old vectors out → journal cleared. The catalog is the truth; `_recover` finishes or undoes
whatever a killed ingest left in the journal.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import sys
import threading
import traceback
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from index.catalog import Catalog, DocRecord, Filters
from index.config import Settings, configure_logging
from index.embedder import Embedder
from index.hybrid import FusionConfig, Hit, boost, fuse, named_focus_areas, named_goals
from index.store import ModelMismatchError, VectorStore, sentence_id
from index.vectors import best_per_chunk, lone_unit, mix, sentence_units
from ingest.model import FileResult, LoadError, display_path
from ingest.pipeline import PreparedDoc, discover, identify, prepare, source_key

log = logging.getLogger("styrdok.index")

__all__ = ["Index", "IndexBusyError", "ModelMismatchError", "Filters", "Hit"]


class IndexBusyError(Exception):
    """Another process is writing to the same index."""


class Index:
    def __init__(self, settings: Settings, embedder: Embedder | None = None, fusion: FusionConfig | None = None):
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        configure_logging(settings.home)
        self.catalog = Catalog(settings.catalog_path)
        self.embedder = embedder or Embedder(settings)
        self.fusion = fusion or FusionConfig()
        self._store: VectorStore | None = None
        self._focus_areas: set[str] | None = None
        self._open_lock = threading.Lock()
        self._docs_cache: tuple[tuple, list[DocRecord]] | None = None
        self._allowed_cache: OrderedDict[tuple, Allowed] = OrderedDict()  # key: filters and catalog state
        self._seen_state: tuple | None = None  # the catalog state the caches below were read at (see _fresh)
        self._store_state: tuple | None = None  # the catalog state the open vector store has seen

    # --- opening -------------------------------------------------------------------------------------------------
    @property
    def store(self) -> VectorStore:
        if self._store is None:
            with self._open_lock:  # two first requests at once must not open Chroma twice
                return self._open_store()
        return self._store

    def _open_store(self) -> VectorStore:
        if self._store is None:
            model_id, dim = self.embedder.model_id, self.embedder.dim
            recorded = self.catalog.get_meta("model")
            if recorded and recorded != f"{model_id}|{dim}":
                rec_model, _, rec_dim = recorded.rpartition("|")
                raise ModelMismatchError(
                    f"Indexet byggdes med modellen {rec_model} ({rec_dim} dimensioner), men inställningen anger "
                    f"{model_id} ({dim} dimensioner). Bygg om indexet med `styrdok ingest --rebuild <mappar>`, "
                    "eller välj samma modell som förut (STYRDOK_MODEL)."
                )
            store = VectorStore(
                path=self.settings.chroma_dir, url=self.settings.chroma_url, collection=self.settings.collection
            )
            store.open(model_id, dim)
            self.catalog.set_meta("model", f"{model_id}|{dim}")
            self._store_state = self._catalog_state()
            self._store = store
        return self._store

    def _fresh(self) -> None:
        """Make this process see what another process's committed ingest or removal changed (issue 15).

        A long-lived reader (the web app, a LangChain retriever) kept the vector index it loaded first, so new
        chunks had word scores but no dense scores and fusion dropped them. The catalog's change marker
        (`_catalog_state`, one indexed SQL query per search) tells when anything was written; the vector store is
        then reopened, which reloads its index from disk, and the word caches are dropped. A process's own writes
        leave its store current: `_write` and `_remove` record that.
        """
        state = self._catalog_state()
        if state == self._seen_state:
            return
        with self._open_lock:
            self._seen_state = state
            self._focus_areas = None
            self.catalog._vocab = None
            if self._store is not None and state != self._store_state:
                log.info("index changed by another process; reopening the vector store")
                store = self._store.reopened()
                store.open(self.embedder.model_id, self.embedder.dim)
                self._store, self._store_state = store, state

    def close(self) -> None:
        self.catalog.close()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the one-writer lock, or raise IndexBusyError at once.

        Never wait: a second ingest (or a removal from the web) that queued behind a long ingest would look hung,
        and a web worker would be tied up for minutes. The lock is the kernel's (flock), so a killed writer's lock
        goes with its process.
        """
        lock = FileLock(str(self.settings.home / "ingest.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise IndexBusyError(
                f"En annan inläsning pågår redan i {self.settings.home}. Vänta tills den är klar och försök igen."
            ) from None
        try:
            yield
        finally:
            lock.release()

    # --- writing -------------------------------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[Path],
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: bool = False,
        on_result: Callable[[FileResult], None] | None = None,
    ) -> list[FileResult]:
        with self._writing():
            self._fresh()  # another process's writes since our last search: seen before ours are added
            if rebuild:
                self._reset()
            self._recover()
            self._record_sentence_counts()
            items = list(discover(paths))
            results: list[FileResult] = []
            bar = _progress(len(items)) if progress else None
            for path, reason in items:
                r = FileResult(display_path(path), "skipped", reason) if reason else self._ingest_guarded(path)
                results.append(r)
                if on_result:
                    on_result(r)
                if bar:
                    bar.set_postfix_str(path.name[:30], refresh=False)
                    bar.update(1)
            if bar:
                bar.close()
            if prune:
                results += self.prune()
            return results

    def _ingest_guarded(self, path: Path) -> FileResult:
        """One file; whatever goes wrong with it is that file's failure, never the end of the whole ingest."""
        try:
            return self._ingest_one(path)
        except Exception as e:  # noqa: BLE001 - the traceback goes to the log file, the user gets a reason
            log.error("unexpected error ingesting %r\n%s", path, traceback.format_exc())
            return FileResult(display_path(path), "failed", f"oväntat fel vid inläsning ({type(e).__name__})")

    def _ingest_one(self, path: Path) -> FileResult:
        shown = display_path(path)
        try:
            source, sha = identify(path, self.settings.limits)
        except LoadError as e:
            return FileResult(shown, "failed", str(e))
        existing = self.catalog.document_by_source(source)
        if existing and existing.file_sha == sha:
            return FileResult(shown, "skipped", "oförändrad sedan förra inläsningen", existing.doc_id)
        twin = self.catalog.document_by_sha(sha)
        if twin and twin.source != source:
            if existing:  # this file now has another file's content: its old version must go
                self._remove(existing)
            return FileResult(shown, "skipped", f"samma innehåll som {display_path(Path(twin.source))}", twin.doc_id)
        try:
            doc = prepare(
                path,
                file_sha=sha,
                count_tokens=self.embedder.count_tokens,
                max_tokens=self._max_tokens(),
                limits=self.settings.limits,
            )
        except LoadError as e:
            return FileResult(shown, "failed", str(e))
        except Exception as e:  # noqa: BLE001 - one bad file must never stop the ingest
            log.error("unexpected error reading %s\n%s", path, traceback.format_exc())
            return FileResult(shown, "failed", f"oväntat fel vid läsning ({type(e).__name__})")
        self._write(doc, existing)
        return FileResult(shown, "ingested", "; ".join(doc.notes), doc.doc_id, len(doc.chunks))

    def _max_tokens(self) -> int:
        # Leave room under the model's limit; a chunk past it would be silently truncated by the model.
        return min(350, self.embedder.max_tokens - 16)

    def _write(self, doc: PreparedDoc, existing: DocRecord | None) -> None:
        new_ids = [c.chunk_id for c in doc.chunks]
        old_ids = self.catalog.chunk_ids(existing.doc_id) if existing else []
        vectors = self.embedder.embed_passages([c.text for c in doc.chunks])
        per_chunk = [sentence_units(c.text) for c in doc.chunks]
        units = [(c, u) for c, us in zip(doc.chunks, per_chunk, strict=True) for u in us]
        # A sentence repeated in one document (a heading line atop each of its chunks) is embedded once.
        unique = list(dict.fromkeys(u for _, u in units))
        row = {u: i for i, u in enumerate(unique)}
        sent_vectors = self.embedder.embed_passages(unique)[[row[u] for _, u in units]]
        self.catalog.journal_add(doc.doc_id, new_ids, old_ids)
        _crashpoint("journal")
        self.store.add(new_ids, vectors, [c.text for c in doc.chunks], [c.meta.to_dict() for c in doc.chunks])
        if units:
            self.store.add_sentences([c.chunk_id for c, _ in units], sent_vectors, [c.meta.to_dict() for c, _ in units])
        _crashpoint("vectors")
        m = doc.meta
        record = DocRecord(
            doc.doc_id, doc.source, doc.file_sha, m.get("title") or doc.path.stem, m.get("doc_type") or "övrigt",
            m.get("date") or "", int(m.get("year") or 0), m.get("organ") or "", len(doc.chunks), doc.size, doc.mtime,
            publisher=m.get("publisher") or "",
        )  # fmt: skip
        n_sent = [len(us) for us in per_chunk]
        self.catalog.replace_document(record, doc.chunks, existing.doc_id if existing else None, n_sent)
        self._focus_areas = None
        self._store_state = self._catalog_state()  # our store has these vectors: no reopening for them
        _crashpoint("catalog")
        stale = [i for i in old_ids if i not in set(new_ids)]
        self.store.delete(stale)
        _crashpoint("stale")
        self.catalog.journal_clear(doc.doc_id)

    def _recover(self) -> None:
        """Finish or undo the vector writes of an ingest that was killed half-way."""
        for doc_id, new_ids, old_ids in self.catalog.journal_entries():
            committed = self.catalog.document(doc_id) is not None
            live = set(self.catalog.chunk_ids(doc_id)) if committed else set()
            dead = [i for i in (old_ids if committed else new_ids) if i not in live]
            if dead:
                self.store.delete(dead)
            self.catalog.journal_clear(doc_id)

    def _record_sentence_counts(self) -> None:
        """One-off upgrade of a catalog written before sentence counts were recorded (filtered search needs them)."""
        ids = self.catalog.chunks_without_sentence_counts()
        if not ids:
            return
        counts = self.store.sentence_counts()
        self.catalog.set_sentence_counts({c: counts.get(c, 0) for c in ids})
        log.info("recorded sentence counts of %d chunks", len(ids))

    def _reset(self) -> None:
        """Empty the index, whatever model built it (so no model check here)."""
        VectorStore(
            path=self.settings.chroma_dir, url=self.settings.chroma_url, collection=self.settings.collection
        ).drop()
        self._store = None
        for d in self.catalog.documents():
            self.catalog.remove_document(d.doc_id)
        self.catalog.db.execute("DELETE FROM journal")
        self.catalog.db.execute("DELETE FROM meta WHERE key='model'")

    def prune(self) -> list[FileResult]:
        """Drop documents whose files are gone."""
        out = []
        for d in self.catalog.documents():
            if not Path(d.source).exists():
                self._remove(d)
                out.append(FileResult(display_path(Path(d.source)), "removed", "filen finns inte längre", d.doc_id))
        return out

    def remove(self, target: str) -> FileResult:
        """Remove a document by its id or its file path."""
        with self._writing():
            self._fresh()
            d = self.catalog.document(target) or self.catalog.document_by_source(source_key(Path(target)))
            if d is None:
                return FileResult(target, "failed", "inget dokument med det id:t eller den sökvägen finns i indexet")
            self._remove(d)
            return FileResult(display_path(Path(d.source)), "removed", "", d.doc_id, d.n_chunks)

    def _remove(self, d: DocRecord) -> None:
        ids = self.catalog.chunk_ids(d.doc_id)
        self.catalog.journal_add(d.doc_id, [], ids)
        self.catalog.remove_document(d.doc_id)  # catalog first: search stops seeing it at once
        self._store_state = self._catalog_state()
        self.store.delete(ids)
        self.catalog.journal_clear(d.doc_id)

    # --- reading -------------------------------------------------------------------------------------------------
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
        out = {lone[cid]: v for cid, v in self.store.vectors(list(lone)).items()} if lone else {}
        out.update({texts[sid]: v for sid, v in self.store.sentence_vectors(list(texts)).items()})
        return out

    def _catalog_state(self) -> tuple:
        """Changes whenever a document is added, replaced or removed (also by another process)."""
        return tuple(self.catalog.db.execute("SELECT count(*), max(ingested_at) FROM documents").fetchone())

    def check(self) -> dict[str, list[str]]:
        """Ids in one store but not the other (both lists empty when consistent)."""
        in_store = set(self.store.all_ids()) | self.store.sentence_parents()
        in_catalog = {r[0] for r in self.catalog.db.execute("SELECT chunk_id FROM chunks")}
        return {"only_in_vectors": sorted(in_store - in_catalog), "only_in_catalog": sorted(in_catalog - in_store)}

    def focus_areas(self) -> set[str]:
        if self._focus_areas is None:
            q = "SELECT DISTINCT json_extract(meta, '$.focus_area') FROM chunks"
            self._focus_areas = {r[0] for r in self.catalog.db.execute(q) if r[0]}
        return self._focus_areas

    def _dense(self, query: str, n: int, filters: Filters | None, allowed: Allowed | None) -> list[tuple[str, float]]:
        v = self.embedder.embed_query(query)
        if allowed is not None:
            dense = self._dense_filtered(v, n, allowed)
            if dense is not None:
                return dense
        chunk_sims = dict(self.store.query(v, n, filters))
        sent_sims = best_per_chunk(self.store.query_sentences(v, 3 * n, filters))
        return self._mixed(v, chunk_sims, sent_sims)

    def _mixed(
        self, v: np.ndarray, chunk_sims: dict[str, float], sent_sims: dict[str, float]
    ) -> list[tuple[str, float]]:
        missing = [c for c in sent_sims if c not in chunk_sims]
        for cid, vec in self.store.vectors(missing).items():
            chunk_sims[cid] = float(vec @ v)
        return mix(chunk_sims, sent_sims)

    def _dense_filtered(self, v: np.ndarray, n: int, allowed: Allowed) -> list[tuple[str, float]] | None:
        """The dense candidates of `_dense` among the `allowed` chunks (those passing a filter), without a Chroma
        `where`.

        Why: Chroma evaluates `where` against every matching metadata row: at 100k chunks (421k sentence vectors)
        a one-year filter cost ~210 ms per search, the unfiltered query ~3 ms (bench/results, scale section). The
        catalog knows which chunks pass. When they are few, the query is restricted to their ids (exact); otherwise the nearest OVERFETCH × n / share are fetched unfiltered and the passing
        ones kept: the best passing candidates are exactly those of a filtered query, only the tail may be shorter.
        None: fall back to `where` (a replaced document's ids vanished between look-up and query)."""
        if not allowed.ids:
            return []
        k_chunks = math.ceil(OVERFETCH * n / allowed.share)
        k_sents = math.ceil(OVERFETCH * 3 * n / allowed.share)
        try:
            if len(allowed.ids) <= IDS_OVER_FETCH * k_chunks:
                chunk_sims = dict(self.store.query(v, n, ids=allowed.ids))
            else:
                chunk_sims = dict([x for x in self.store.query(v, k_chunks) if x[0] in allowed.id_set][:n])
                if len(chunk_sims) < n // 2:  # the filter passes few of the near ones: ask for its best exactly
                    chunk_sims = dict(self.store.query(v, n, ids=allowed.ids))
            if allowed.n_sentences is not None and allowed.n_sentences <= IDS_OVER_FETCH * k_sents:
                sids = allowed.sentence_ids()
                ranked = self.store.query_sentences(v, 3 * n, ids=sids) if sids else []
            else:
                ranked = [x for x in self.store.query_sentences(v, k_sents) if x[0] in allowed.id_set][: 3 * n]
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
        k = math.ceil(OVERFETCH * n / allowed.share)
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
        with self._open_lock:
            hit = self._allowed_cache.get(key)
        if hit is None:
            rows = self.catalog.chunk_ids_where(filters)
            hit = Allowed(rows, self.catalog.count_chunks())
            with self._open_lock:
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
        dense = self._dense(query, n, filters, allowed) if cfg.method != "lexical" else []
        lexical = self._lexical(query, n, filters, allowed) if cfg.method != "dense" else []
        fused = fuse(dense, lexical, cfg)
        dense_s, lex_s = dict(dense), dict(lexical)
        # Vectors of a half-written document have no catalog row and are skipped here.
        rows = self.catalog.chunks_by_id([cid for cid, _ in fused])
        fused = boost(
            fused,
            {cid: m for cid, (_, m) in rows.items()},
            named_goals(query),
            named_focus_areas(query, self.focus_areas()),
            cfg.structure_boost,
        )
        hits: list[Hit] = []
        seen: set[str] = (
            set()
        )  # the same passage twice (a copy of a document, a repeated boilerplate text) is shown once
        per_document: dict[str, int] = {}
        for cid, score in fused:
            if cid not in rows:
                continue
            text, m = rows[cid]
            same = " ".join(text.split()).casefold()
            if same in seen or (per_doc and per_document.get(m["doc_id"], 0) >= per_doc):
                continue
            seen.add(same)
            per_document[m["doc_id"]] = per_document.get(m["doc_id"], 0) + 1
            signals = {"dense": dense_s.get(cid, 0.0), "lexical": lex_s.get(cid, 0.0)}
            hits.append(Hit.from_row(len(hits) + 1, score, cid, text, m, signals))
            if len(hits) == k:
                break
        return hits


# Filtered search (Index._dense_filtered) over-fetches OVERFETCH times the expected need, unless restricting the
# query to the passing ids is cheaper: measured at 421k sentence vectors, an id costs ~0.8 µs and a fetched
# neighbour ~2.9 µs, so ids win up to ~3 ids per neighbour that over-fetching would fetch.
OVERFETCH = 1.0
IDS_OVER_FETCH = 3


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


def _crashpoint(step: str) -> None:
    """Fault injection for the crash-safety test: STYRDOK_CRASH_AT=step:n kills this process (SIGKILL) the n-th
    time `step` is reached. Unset in normal use, where this is one dictionary look-up."""
    spec = os.environ.get("STYRDOK_CRASH_AT")
    if not spec:
        return
    name, _, n = spec.partition(":")
    if name == step:
        _CRASH_COUNT[step] = _CRASH_COUNT.get(step, 0) + 1
        if _CRASH_COUNT[step] >= int(n or 1):
            os.kill(os.getpid(), signal.SIGKILL)


_CRASH_COUNT: dict[str, int] = {}


def _progress(total: int):  # noqa: ANN202
    from tqdm import tqdm

    return tqdm(total=total, unit="fil", desc="Läser in", file=sys.stderr, disable=None)
