"""The one entry point the UI layer uses: ingest, search, documents, remove, ask."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.settings import AppSettings
from index.catalog import DocRecord, Filters
from index.config import Settings, set_offline_defaults
from index.hybrid import Hit
from ingest.model import FileResult

if TYPE_CHECKING:
    from assistant.ask import Assistant
    from assistant.audit import AuditLog
    from assistant.config import LLMSettings
    from assistant.goal_finder import GoalMatch
    from assistant.types import Answer, Mode, Status
    from index.embedder import Embedder
    from index.engine import Index


class Service:
    def __init__(
        self,
        settings: AppSettings | Settings | None = None,
        index: Index | None = None,
        llm: LLMSettings | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        """`settings`: what the entry point read (AppSettings). Without it, or with only the index's Settings (tests,
        notebooks), the rest is read from the process environment here."""
        set_offline_defaults()
        if not isinstance(settings, AppSettings):
            settings = AppSettings.from_env(os.environ, index=settings)
        self.app = settings
        self.settings = settings.index
        self._index = index
        self._embedder: Embedder | None = None  # started loading by preload, before the index is opened
        self._llm = llm  # None: the entry point's settings.llm (STYRDOK_ANSWER_MODE, STYRDOK_LLM_*)
        self._assistant: Assistant | None = None
        self._audit = audit  # None: opened with settings.audit when the first question is asked

    @property
    def index(self) -> Index:
        if self._index is None:
            from index.engine import Index  # imported here: preload starts the model before these imports

            self._index = Index(self.settings, embedder=self._embedder)
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

    def preload(self) -> None:
        """Start loading the embedding model in the background (a cold CLI search: index/embedder.py, preload),
        before the index's own modules are imported, so that their import overlaps the model's loading."""
        if self._index is not None:
            self._index.embedder.preload()
            return
        from index.embedder import Embedder

        self._embedder = self._embedder or Embedder(self.settings)
        self._embedder.preload()

    def warm_up(self) -> None:
        """Load the model and open the index before the first request (the web app)."""
        self.index.embedder.warm_up()
        self.search("kommunens mål", k=1)

    def search(self, query: str, k: int = 5, filters: Filters | None = None, per_doc: int | None = None) -> list[Hit]:
        return self.index.search(query, k=k, filters=filters, per_doc=per_doc)

    def documents(self) -> list[DocRecord]:
        return self.index.documents()

    def documents_matching(self, filters: Filters) -> list[DocRecord]:
        """The documents that pass `filters` (as search applies them: each set field equals the document's)."""
        return [d for d in self.documents() if all(getattr(d, name) == value for name, value in filters.items())]

    def remove(self, target: str) -> FileResult:
        return self.index.remove(target)

    @property
    def assistant(self) -> Assistant:
        if self._assistant is None:
            from assistant.ask import Assistant

            self._assistant = Assistant(self.index, self._llm or self.app.llm, settings=self.app.answer)
        return self._assistant

    def ask(
        self,
        question: str,
        history: Sequence[str | Answer] | None = None,
        filters: Filters | None = None,
        mode: Mode | None = None,
    ) -> Answer:
        """A grounded answer in Swedish with verified citations, or a refusal naming the closest documents.

        `history`: earlier questions (or Answers) of the conversation, oldest first; follow-ups are made
        standalone from them. `mode`: "extractive" (quotes, no LLM) or "llm"; None uses the configured default.
        """
        from assistant.ask import final_answer

        return final_answer(self.ask_stream(question, history, filters, mode))

    def ask_stream(
        self,
        question: str,
        history: Sequence[str | Answer] | None = None,
        filters: Filters | None = None,
        mode: Mode | None = None,
    ) -> Iterator[str | Status | Answer]:
        """Like `ask`, for a UI: in LLM mode a Status line and then each verified sentence (str) as it completes;
        last, the final Answer. Nothing unchecked is ever yielded."""
        from assistant.types import Answer

        started = time.monotonic()
        try:
            for item in self.assistant.ask_stream(question, history, filters, mode):
                if isinstance(item, Answer):
                    self.audit.record(item, time.monotonic() - started)
                yield item
        except Exception as e:
            self.audit.record(None, time.monotonic() - started, mode=mode or "", error=type(e).__name__)
            raise

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            from assistant.audit import AuditLog

            self._audit = AuditLog(self.settings.home, self.app.audit)
        return self._audit

    def close(self) -> None:
        if self._index is not None:
            self._index.close()

    def find_goals(self, text: str, *, limit: int = 5, year: int | None = None) -> list[GoalMatch]:
        """The goals a draft proposal touches, best first, each with the passage that shows why."""
        from assistant.goal_finder import find_goals

        return find_goals(lambda q, k, f: self.search(q, k=k, filters=f), text, limit=limit, year=year)
