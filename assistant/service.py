"""The one entry point the UI layer uses: ingest, search, documents, remove (and, later, ask)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from index.catalog import DocRecord, Filters
from index.config import Settings, set_offline_defaults
from index.engine import Index
from index.hybrid import Hit
from ingest.model import FileResult


class Service:
    def __init__(self, settings: Settings | None = None, index: Index | None = None) -> None:
        set_offline_defaults()
        self.settings = settings or Settings.from_env()
        self._index = index

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.settings)
        return self._index

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        prune: bool = False,
        rebuild: bool = False,
        progress: bool = False,
        on_result: Callable[[FileResult], None] | None = None,
    ) -> list[FileResult]:
        return self.index.ingest(paths, prune=prune, rebuild=rebuild, progress=progress, on_result=on_result)

    def search(self, query: str, k: int = 5, filters: Filters | None = None) -> list[Hit]:
        return self.index.search(query, k=k, filters=filters)

    def documents(self) -> list[DocRecord]:
        return self.index.documents()

    def remove(self, target: str) -> FileResult:
        return self.index.remove(target)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
