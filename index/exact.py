"""Exact dense search over the copy of the vectors the catalog holds, for an index small enough to scan.

Why: a cold `styrdok search` spent ~1.2 of its 2.3 s importing chromadb and opening its client (issue 16). The
catalog keeps every chunk's vector and its sentence vectors beside the chunk row, written in the same transaction
that swaps the document's rows (index/catalog.py, `vectors` table), so this copy is always exactly the committed
state: no journal step of its own, nothing to recover. Up to EXACT_MAX_VECTORS vectors a process reads them once
(per catalog change) and scores every one: exact, so never worse than HNSW, which on an index this small returns
the same neighbours anyway. Chroma stays the store of record and serves larger indexes, a Chroma server, and any
catalog written before the copy existed (until the next ingest fills it in, `IndexWriter._copy_vectors`). The
writer keeps the copy only where this search can use it (`Stores.keeps_copy`): past EXACT_MAX_VECTORS it is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Vectors (chunks + sentences) up to which search scans the catalog's copy instead of opening Chroma: 50k vectors
# of 384 floats are 77 MB held by a reader and ~10 ms per query on one core; beyond that HNSW is the better tool.
EXACT_MAX_VECTORS = 50_000


class ExactVectors:
    """Every chunk vector and sentence vector of the catalog, as two matrices (rows normalised as stored)."""

    def __init__(self, rows: Sequence[tuple[str, bytes, bytes]], dim: int) -> None:
        self.ids = [cid for cid, _, _ in rows]
        self.row = {cid: i for i, cid in enumerate(self.ids)}
        self.dim = dim
        self.chunks = np.frombuffer(b"".join(c for _, c, _ in rows), dtype=np.float32).reshape(len(rows), dim)
        counts = [len(s) // (4 * dim) for _, _, s in rows]
        self.sentences = np.frombuffer(b"".join(s for _, _, s in rows), dtype=np.float32).reshape(-1, dim)
        self.parent = np.repeat(np.arange(len(rows)), counts)  # sentence row → chunk row
        self.first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64) if rows else np.zeros(0, np.int64)
        self.counts = np.asarray(counts, dtype=np.int64)

    def query(self, v: np.ndarray, k: int, ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks, best first (among `ids` only, when given)."""
        rows = self._rows(ids)
        sims = self.chunks @ v if rows is None else self.chunks[rows] @ v
        top = _top(sims, k)
        idx = top if rows is None else rows[top]
        return [(self.ids[i], float(s)) for i, s in zip(idx, sims[top], strict=True)]

    def query_sentences(self, v: np.ndarray, k: int, ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(parent chunk id, cosine similarity) of the k nearest sentences, best first (of the chunks `ids`)."""
        rows = self._rows(ids)
        if rows is None:
            sims = self.sentences @ v
            top = _top(sims, k)
            return [(self.ids[self.parent[i]], float(sims[i])) for i in top]
        srows = np.flatnonzero(np.isin(self.parent, rows))
        sims = self.sentences[srows] @ v
        top = _top(sims, k)
        return [(self.ids[self.parent[srows[i]]], float(sims[i])) for i in top]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Chunk id → its vector (ids not in the catalog are left out), as VectorStore.vectors."""
        return {c: self.chunks[self.row[c]] for c in ids if c in self.row}

    def sentence_vectors(self, sids: Sequence[str]) -> dict[str, np.ndarray]:
        """Sentence id ("<chunk_id>~<n>") → its vector, as VectorStore.sentence_vectors."""
        out = {}
        for sid in sids:
            cid, _, n = sid.rpartition("~")
            r = self.row.get(cid)
            if r is not None and n.isdigit() and int(n) < self.counts[r]:
                out[sid] = self.sentences[self.first[r] + int(n)]
        return out

    def _rows(self, ids: Sequence[str] | None) -> np.ndarray | None:
        if ids is None:
            return None
        return np.asarray([self.row[c] for c in ids if c in self.row], dtype=np.int64)


def _top(sims: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values, largest first (ties: the lower index first, a stable order)."""
    if k <= 0 or len(sims) == 0:
        return np.zeros(0, dtype=np.int64)
    if k < len(sims):
        part = np.argpartition(-sims, k - 1)[:k]
        return part[np.lexsort((part, -sims[part]))]
    return np.lexsort((np.arange(len(sims)), -sims))
