"""Settings for answering, read from the environment (the LLM is optional; extractive needs nothing).

STYRDOK_ANSWER_MODE         extractive (default) | llm
STYRDOK_LLM_CONTEXT_TOKENS  the model's context window that prompt and reply must fit in (default 4096)
STYRDOK_ORGANISATION        the organisation this deployment serves, as documents name their publisher ("Lunds
                            kommun"): questions about "kommunen" prefer its documents, and an answer from another
                            publisher says so
Which LLM backend, and its own settings (STYRDOK_LLM_BACKEND, STYRDOK_LLM_BASE_URL, …), are read by the backends
themselves from the same mapping: see `assistant/llm/__init__.py` and each backend's module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ingest.limits import positive


@dataclass
class LLMSettings:
    mode: str = "extractive"
    context_tokens: int = 4096  # prompt budget the passages must fit in (tiktoken count, with a margin)
    env: Mapping[str, str] = field(default_factory=dict)  # what the LLM backend reads its own settings from

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMSettings:
        env = dict(os.environ if env is None else env)
        context = int(positive(env, "STYRDOK_LLM_CONTEXT_TOKENS", 4096, integer=True))  # SettingsError if wrong
        return cls(
            mode=env.get("STYRDOK_ANSWER_MODE", "extractive").strip().lower() or "extractive",
            context_tokens=max(1024, context),
            env=env,
        )

    @property
    def configured(self) -> bool:
        """Do the settings name an LLM backend (or hold one's settings)? Building it may still fail."""
        from assistant.llm import chosen

        return bool(chosen(self.env))


@dataclass
class AnswerSettings:
    organisation: str = ""  # the home organisation (STYRDOK_ORGANISATION); "" means none is set

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AnswerSettings:
        env = os.environ if env is None else env
        return cls(organisation=" ".join(env.get("STYRDOK_ORGANISATION", "").split()))
