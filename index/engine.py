"""The index as one object for its callers: a writer (index/writer.py: ingest, removal, journal, recovery) and a
searcher (index/searcher.py: filters, fusion) over shared stores (index/stores.py: catalog, vector store, embedder).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from index.catalog import DocRecord, Filters
from index.config import Settings
from index.embedder import Embedder
from index.hybrid import FusionConfig, Hit
from index.searcher import Allowed, IndexSearcher
from index.store import ModelMismatchError
from index.stores import Stores, UsesStores
from index.writer import IndexBusyError, IndexWriter
from ingest.model import FileResult

__all__ = ["Allowed", "Filters", "Hit", "Index", "IndexBusyError", "ModelMismatchError"]


class Index(UsesStores):  # settings, catalog, embedder and store come from the shared Stores
    def __init__(self, settings: Settings, embedder: Embedder | None = None, fusion: FusionConfig | None = None):
        self.stores = Stores(settings, embedder)
        self.writer = IndexWriter(self.stores)
        self.searcher = IndexSearcher(self.stores, fusion)

    @property
    def fusion(self) -> FusionConfig:
        return self.searcher.fusion

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
        return self.writer.ingest(paths, prune=prune, rebuild=rebuild, progress=progress, on_result=on_result)

    def prune(self) -> list[FileResult]:
        return self.writer.prune()

    def remove(self, target: str) -> FileResult:
        return self.writer.remove(target)

    # --- reading -------------------------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        fusion: FusionConfig | None = None,
        per_doc: int | None = None,
    ) -> list[Hit]:
        return self.searcher.search(query, k=k, filters=filters, fusion=fusion, per_doc=per_doc)

    def documents(self) -> list[DocRecord]:
        return self.searcher.documents()

    def sentence_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        return self.searcher.sentence_vectors(chunk_ids)

    def focus_areas(self) -> set[str]:
        return self.stores.focus_areas()

    def check(self) -> dict[str, list[str]]:
        return self.stores.check()

    def close(self) -> None:
        self.stores.close()
