"""The vector store: the only module that imports chromadb. Embedded (PersistentClient) or a server (HttpClient).

We always pass our own vectors: Chroma's default embedding function would try to download a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from index.catalog import Filters


class ModelMismatchError(Exception):
    """The index was built with another embedding model than the one configured."""


class VectorStore:
    def __init__(self, *, path: Path | None = None, url: str = "", collection: str = "styrdok") -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False)
        if url:
            u = urlparse(url if "://" in url else f"http://{url}")
            self.client = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or 8000, ssl=u.scheme == "https", settings=settings
            )
        else:
            assert path is not None
            path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(path), settings=settings)
        self.name = collection
        self.path, self.url = path, url
        self._col = None
        self._sent = None

    def reopened(self) -> VectorStore:
        """A new handle on the same store that sees what other processes wrote since this one was opened.

        Embedded Chroma loads each collection's HNSW index into memory once per process and never re-reads it:
        another process's new vectors are counted and fetched by id, but queries never return them. Chroma caches
        one "system" per folder for the whole process, so a new client would get the same stale one: this folder's
        entry is dropped from that cache (only it: other indexes in the process keep theirs) and a new client built,
        which reads the index from disk. Handles still in use by a running query keep the old system until they are
        dropped. A Chroma server needs none of this: it is the one process that reads and writes.
        """
        if self.url:
            return self
        from chromadb.api.shared_system_client import SharedSystemClient

        ident = self.client._identifier
        SharedSystemClient._identifier_to_system.pop(ident, None)
        SharedSystemClient._identifier_to_refcount.pop(ident, None)
        return VectorStore(path=self.path, collection=self.name)

    def open(self, model_id: str, dim: int) -> None:
        """Open (or create) the collection and refuse one built with another model."""
        col = self.client.get_or_create_collection(
            self.name,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"model": model_id, "dim": dim},
        )
        meta = col.metadata or {}
        if meta.get("model") != model_id or int(meta.get("dim", dim)) != dim:
            raise ModelMismatchError(
                f"Indexet byggdes med modellen {meta.get('model')} ({meta.get('dim')} dimensioner), men inställningen "
                f"anger {model_id} ({dim} dimensioner). Bygg om indexet med `styrdok ingest --rebuild <mappar>`, "
                "eller välj samma modell som förut (STYRDOK_MODEL)."
            )
        self._col = col
        # Sentence vectors of each chunk, keyed "<chunk_id>~<n>" with the chunk id in "parent" (see index/vectors.py).
        self._sent = self.client.get_or_create_collection(
            f"{self.name}-sentences",
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"model": model_id, "dim": dim},
        )

    @property
    def col(self):  # noqa: ANN201 - chromadb's Collection type
        if self._col is None:
            raise RuntimeError("VectorStore.open() must be called first")
        return self._col

    @property
    def sent(self):  # noqa: ANN201
        if self._sent is None:
            raise RuntimeError("VectorStore.open() must be called first")
        return self._sent

    def add(self, ids: Sequence[str], vectors: np.ndarray, texts: Sequence[str], metas: Sequence[dict]) -> None:
        for i in range(0, len(ids), 1000):  # Chroma caps the batch size
            self.col.upsert(
                ids=list(ids[i : i + 1000]),
                embeddings=vectors[i : i + 1000],
                documents=list(texts[i : i + 1000]),
                metadatas=[_store_meta(m) for m in metas[i : i + 1000]],
            )

    def add_sentences(self, parents: Sequence[str], vectors: np.ndarray, metas: Sequence[dict]) -> None:
        """Sentence vectors; `parents[i]` is the chunk id of sentence i (numbered per chunk in order)."""
        seen: dict[str, int] = {}
        ids = []
        for p in parents:
            seen[p] = seen.get(p, -1) + 1
            ids.append(sentence_id(p, seen[p]))
        for i in range(0, len(ids), 1000):
            self.sent.upsert(
                ids=ids[i : i + 1000],
                embeddings=vectors[i : i + 1000],
                metadatas=[
                    {**_store_meta(m), "parent": p}
                    for m, p in zip(metas[i : i + 1000], parents[i : i + 1000], strict=True)
                ],
            )

    def delete(self, ids: Sequence[str]) -> None:
        """Delete chunks and their sentence vectors."""
        for i in range(0, len(ids), 500):
            part = list(ids[i : i + 500])
            self.col.delete(ids=part)
            self.sent.delete(where={"parent": {"$in": part}})

    def count(self) -> int:
        return self.col.count()

    def all_ids(self) -> list[str]:
        return self.col.get(include=[])["ids"]

    def sentence_parents(self) -> set[str]:
        return {m["parent"] for m in self.sent.get(include=["metadatas"])["metadatas"]}

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Chunk id → its stored vector (ids the store lacks are left out)."""
        return _embeddings(self.col, ids)

    def sentence_vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Sentence id (see sentence_id) → its stored vector (ids the store lacks are left out)."""
        return _embeddings(self.sent, ids)

    def query(
        self, vector: np.ndarray, k: int, filters: Filters | None = None, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first; among `ids` only, when given."""
        # No count() first: Chroma 1.5 returns fewer results when asked for more than it has (also when empty), and
        # a count costs ~14 ms per query at 100k chunks.
        res = self.col.query(
            query_embeddings=[vector], n_results=k, where=_chroma_where(filters), ids=_ids(ids), include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def query_sentences(
        self, vector: np.ndarray, k: int, filters: Filters | None = None, ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(parent chunk id, cosine similarity) of the k nearest sentences, best first (among sentence `ids` only,
        when given)."""
        # The parent chunk is read from the id ("<chunk_id>~<n>"): asking Chroma for metadatas as well cost 30 of
        # the 32 ms of this query at 421k sentence vectors (bench/results, scale section).
        res = self.sent.query(
            query_embeddings=[vector], n_results=k, where=_chroma_where(filters), ids=_ids(ids), include=["distances"]
        )
        return [
            (sid.rpartition("~")[0], 1.0 - float(d)) for sid, d in zip(res["ids"][0], res["distances"][0], strict=True)
        ]

    def sentence_counts(self) -> dict[str, int]:
        """Sentence vectors per chunk, counted from the store (for catalogs that did not record them)."""
        counts: dict[str, int] = {}
        for sid in self.sent.get(include=[])["ids"]:
            parent = sid.rpartition("~")[0]
            counts[parent] = counts.get(parent, 0) + 1
        return counts

    def drop(self) -> None:
        for name in (self.name, f"{self.name}-sentences"):
            try:
                self.client.delete_collection(name)
            except Exception:  # noqa: BLE001 - a missing collection is what we want anyway
                pass
        self._col = self._sent = None


def _embeddings(col, ids: Sequence[str]) -> dict[str, np.ndarray]:  # noqa: ANN001 - a chromadb Collection
    if not ids:
        return {}
    got = col.get(ids=list(ids), include=["embeddings"])
    return {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"], strict=True)}


def sentence_id(chunk_id: str, n: int) -> str:
    """The id of sentence vector n of a chunk: "<chunk_id>~<n>"."""
    return f"{chunk_id}~{n}"


def _ids(ids: Sequence[str] | None) -> list[str] | None:
    # An empty list finds nothing; an id the collection lacks makes Chroma raise (see IndexSearcher._dense_filtered).
    return list(ids) if ids is not None else None


# The metadata stored with each vector: every Filters field (the `where` fallback of filtered search filters on
# them, so a new filter needs nothing here) and what identifies the chunk.
_KEEP = ("doc_id", *(f.name for f in fields(Filters)), "goal", "page", "chunk_index")


def _store_meta(m: dict) -> dict:
    return {k: m[k] for k in _KEEP if k in m and m[k] is not None}


def _chroma_where(filters: Filters | None) -> dict | None:
    if filters is None or filters.is_empty():
        return None
    conds: list[dict] = [{name: value} for name, value in filters.items()]
    return conds[0] if len(conds) == 1 else {"$and": conds}
