"""One settings object for the whole application, built once by the entry point (a CLI command, the web start-up)
from one snapshot of the environment and passed down; nothing below reads the environment itself.

The one exception is the documented offline defaults (`index.config.set_offline_defaults`, `HF_HUB_OFFLINE` in
index/embedder.py, `TIKTOKEN_CACHE_DIR` in assistant/tokens.py), which are switches for libraries, not settings.
A wrong value is a SettingsError whose Swedish message names the variable, raised here, at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from assistant.audit import AuditSettings
from assistant.config import AnswerSettings, LLMSettings
from index.config import Settings


@dataclass(frozen=True)
class AppSettings:
    index: Settings = field(default_factory=Settings)  # home, model, store, limits per file (index/config.py)
    answer: AnswerSettings = field(default_factory=AnswerSettings)  # the home organisation
    audit: AuditSettings = field(default_factory=AuditSettings)  # what the audit log keeps
    llm: LLMSettings = field(default_factory=LLMSettings)  # answer mode, context budget; the backend reads `env`
    # The snapshot itself: the LLM backend reads its own STYRDOK_LLM_* settings from it (assistant/llm).
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str], index: Settings | None = None) -> AppSettings:
        """`index`: index settings the caller already has (tests), instead of those in `env`."""
        snapshot = dict(env)  # later changes to the process environment change nothing
        return cls(
            index=index or Settings.from_env(snapshot),
            answer=AnswerSettings.from_env(snapshot),
            audit=AuditSettings.from_env(snapshot),
            llm=LLMSettings.from_env(snapshot),
            env=snapshot,
        )

    def for_ingest(self) -> AppSettings:
        """These settings for a batch ingest process (index.config.Settings.for_ingest)."""
        return replace(self, index=self.index.for_ingest())
