"""The index's writer: ingest files, remove documents, recover from a killed ingest.

Write order per document (crash safety): journal → vectors into Chroma → one SQLite transaction that swaps the
catalog and BM25 rows → old vectors out → journal cleared. The catalog is the truth; `_recover` finishes or undoes
whatever a killed ingest left in the journal.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from index.catalog import DocRecord
from index.store import sentence_id
from index.stores import Stores, UsesStores
from index.vectors import sentence_units
from ingest.model import FileResult, LoadError, display_path
from ingest.pipeline import PreparedDoc, discover, identify, prepare, source_key

log = logging.getLogger("styrdok.index")


class IndexBusyError(Exception):
    """Another process is writing to the same index."""


class IndexWriter(UsesStores):
    def __init__(self, stores: Stores) -> None:
        self.stores = stores
        self._crash_count: dict[str, int] = {}  # see _crashpoint

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

    def _crashpoint(self, step: str) -> None:
        """Fault injection for the crash-safety test: settings.crash_at = "step:n" (STYRDOK_CRASH_AT) kills this
        process (SIGKILL) the n-th time `step` is reached. Empty in normal use, where this is one comparison."""
        if not self.settings.crash_at:
            return
        name, _, n = self.settings.crash_at.partition(":")
        if name == step:
            self._crash_count[step] = self._crash_count.get(step, 0) + 1
            if self._crash_count[step] >= int(n or 1):
                os.kill(os.getpid(), signal.SIGKILL)

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
            self._copy_vectors()
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
            if any(r.status in ("ingested", "removed") for r in results):
                self.catalog.compact_words()
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
        sent_vectors = self.sentence_embedder.embed_passages(unique)[[row[u] for _, u in units]]
        self.catalog.journal_add(doc.doc_id, new_ids, old_ids)
        self._crashpoint("journal")
        self.store.add(new_ids, vectors, [c.text for c in doc.chunks], [c.meta.to_dict() for c in doc.chunks])
        if units:
            self.store.add_sentences([c.chunk_id for c, _ in units], sent_vectors, [c.meta.to_dict() for c, _ in units])
        self._crashpoint("vectors")
        record = DocRecord.from_prepared(doc)
        n_sent = [len(us) for us in per_chunk]
        ends = np.cumsum(n_sent)
        # The catalog's copy of the vectors, swapped with the chunks (index/exact.py), only where exact search can
        # use it; a write that takes the index past its limit drops the whole copy in the same transaction.
        extra = len(new_ids) + len(units) - (self.catalog.vector_total(existing.doc_id) if existing else 0)
        keep = self.stores.keeps_copy(extra)
        copies = (
            [(_f32(vectors[i]), _f32(sent_vectors[ends[i] - k : ends[i]])) for i, k in enumerate(n_sent)]
            if keep
            else None
        )
        self.catalog.replace_document(
            record, doc.chunks, existing.doc_id if existing else None, n_sent, copies, drop_copy=not keep
        )
        self.stores.written()  # our store has these vectors: no reopening for them
        self._crashpoint("catalog")
        stale = [i for i in old_ids if i not in set(new_ids)]
        self.store.delete(stale)
        self._crashpoint("stale")
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

    def _copy_vectors(self) -> None:
        """Keep the catalog's copy of the vectors where exact search can use it (`Stores.keeps_copy`), else drop it.
        Where it is kept, the chunks written without it (a catalog from before the copy, an index that outgrew the
        limit and shrank back) get theirs from Chroma. A chunk whose vectors Chroma lacks stays without, search keeps
        using Chroma, and each ingest says so (and looks it up again: at most EXACT_MAX_VECTORS of them, and a record
        of them could go stale when its document is written again)."""
        if not self.stores.keeps_copy():
            if dropped := self.catalog.drop_vectors():
                self.stores.written()
                log.info("dropped the catalog's copy of the vectors of %d chunks (exact search can't use it)", dropped)
            return
        missing = self.catalog.chunks_without_vectors()  # the one query when nothing is missing
        copied = 0
        for i in range(0, len(missing), 1000):
            part = missing[i : i + 1000]
            chunks = self.store.vectors([c for c, _ in part])
            sids = {c: [sentence_id(c, j) for j in range(n or 0)] for c, n in part}
            sents = self.store.sentence_vectors([s for ss in sids.values() for s in ss])
            found = {
                c: (_f32(chunks[c]), b"".join(_f32(sents[s]) for s in sids[c]))
                for c, _ in part
                if c in chunks and all(s in sents for s in sids[c])
            }
            self.catalog.set_vectors(found)
            copied += len(found)
        if copied:
            self.stores.written()
            log.info("copied the vectors of %d chunks into the catalog", copied)
        if lacking := len(missing) - copied:
            log.warning(
                "%d chunks could not get a copy of their vectors in the catalog: Chroma lacks their vectors (or some "
                "of their sentence vectors). Search uses Chroma until their documents are written again "
                "(`styrdok check` lists them; `styrdok ingest --rebuild` writes all)",
                lacking,
            )

    def _reset(self) -> None:
        """Empty the index, whatever model built it (so no model check here)."""
        self.stores.drop_vectors()
        self.catalog.clear()

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
        self.stores.written()
        self.store.delete(ids)
        self.catalog.journal_clear(d.doc_id)


def _f32(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a, dtype=np.float32).tobytes()


def _progress(total: int):  # noqa: ANN202
    from tqdm import tqdm

    return tqdm(total=total, unit="fil", desc="Läser in", file=sys.stderr, disable=None)
