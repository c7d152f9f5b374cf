"""The one entry point the UI layer uses: ingest, search, documents, remove (and, later, ask)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from index.catalog import DocRecord, Filters
from index.config import Settings, set_offline_defaults
from index.engine import Index
from index.hybrid import Hit
from ingest.model import FileResult

if TYPE_CHECKING:
    from assistant.goal_finder import GoalMatch


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

    def find_goals(self, text: str, *, limit: int = 5, year: int | None = None) -> list[GoalMatch]:
        """The goals a draft proposal touches, best first, each with the passage that shows why."""
        from assistant.goal_finder import find_goals

        return find_goals(lambda q, k, f: self.search(q, k=k, filters=f), text, limit=limit, year=year)
