"""The vector store: the only module that imports chromadb. Embedded (PersistentClient) or a server (HttpClient).

We always pass our own vectors: Chroma's default embedding function would try to download a model.
"""

from __future__ import annotations

from collections.abc import Sequence
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
        self._col = None

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

    @property
    def col(self):  # noqa: ANN201 - chromadb's Collection type
        if self._col is None:
            raise RuntimeError("VectorStore.open() must be called first")
        return self._col

    def add(self, ids: Sequence[str], vectors: np.ndarray, texts: Sequence[str], metas: Sequence[dict]) -> None:
        for i in range(0, len(ids), 1000):  # Chroma caps the batch size
            self.col.upsert(
                ids=list(ids[i : i + 1000]),
                embeddings=vectors[i : i + 1000],
                documents=list(texts[i : i + 1000]),
                metadatas=[_store_meta(m) for m in metas[i : i + 1000]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), 1000):
            self.col.delete(ids=list(ids[i : i + 1000]))

    def count(self) -> int:
        return self.col.count()

    def all_ids(self) -> list[str]:
        return self.col.get(include=[])["ids"]

    def query(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first."""
        n = self.count()
        if n == 0:
            return []
        res = self.col.query(
            query_embeddings=[vector], n_results=min(k, n), where=_chroma_where(filters), include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def drop(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except Exception:  # noqa: BLE001 - a missing collection is what we want anyway
            pass
        self._col = None


def _store_meta(m: dict) -> dict:
    keep = ("doc_id", "doc_type", "year", "organ", "goal", "page", "chunk_index")
    return {k: m[k] for k in keep if k in m and m[k] is not None}


def _chroma_where(filters: Filters | None) -> dict | None:
    if filters is None or filters.is_empty():
        return None
    conds: list[dict] = []
    if filters.doc_type:
        conds.append({"doc_type": filters.doc_type})
    if filters.year:
        conds.append({"year": filters.year})
    if filters.organ:
        conds.append({"organ": filters.organ})
    return conds[0] if len(conds) == 1 else {"$and": conds}
