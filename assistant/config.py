"""Settings for answering, read from the environment (the LLM is optional; extractive needs nothing).

STYRDOK_ANSWER_MODE   extractive (default) | llm
STYRDOK_LLM_BACKEND   openai (default when a base URL or model is set) | llamacpp
STYRDOK_LLM_BASE_URL  OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (Ollama), http://host:8000/v1
                      (vLLM, llama.cpp server), https://api.openai.com/v1, https://<resurs>.openai.azure.com/openai/v1
STYRDOK_LLM_MODEL     model name at that endpoint, e.g. qwen2.5:7b-instruct
STYRDOK_LLM_API_KEY   key, when the endpoint needs one
STYRDOK_LLM_GGUF      path to a local GGUF file (backend llamacpp)
STYRDOK_LLM_TIMEOUT   seconds before a call is given up (default 120)
STYRDOK_ORGANISATION  the organisation this deployment serves, as documents name their publisher ("Lunds kommun"):
                      questions about "kommunen" prefer its documents, and an answer from another publisher says so
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LLMSettings:
    mode: str = "extractive"
    backend: str = ""  # "" means no LLM configured
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    gguf: Path | None = None
    timeout: float = 120.0
    temperature: float = 0.0  # answers must be reproducible and stay close to the sources
    max_tokens: int = 700
    context_tokens: int = 4096  # prompt budget the passages must fit in (tiktoken count, with a margin)
    threads: int = 2

    @classmethod
    def from_env(cls) -> LLMSettings:
        env = os.environ
        s = cls(
            mode=env.get("STYRDOK_ANSWER_MODE", "extractive").strip().lower() or "extractive",
            base_url=env.get("STYRDOK_LLM_BASE_URL", "").strip(),
            model=env.get("STYRDOK_LLM_MODEL", "").strip(),
            api_key=env.get("STYRDOK_LLM_API_KEY", "").strip(),
            gguf=Path(env["STYRDOK_LLM_GGUF"]).expanduser() if env.get("STYRDOK_LLM_GGUF") else None,
        )
        s.backend = env.get("STYRDOK_LLM_BACKEND", "").strip().lower()
        if not s.backend:
            s.backend = "llamacpp" if s.gguf else ("openai" if s.base_url or s.model else "")
        if env.get("STYRDOK_LLM_TIMEOUT"):
            s.timeout = float(env["STYRDOK_LLM_TIMEOUT"])
        if env.get("STYRDOK_LLM_CONTEXT_TOKENS"):
            s.context_tokens = int(env["STYRDOK_LLM_CONTEXT_TOKENS"])
        return s

    @property
    def configured(self) -> bool:
        return bool(self.backend)


@dataclass
class AnswerSettings:
    organisation: str = ""  # the home organisation (STYRDOK_ORGANISATION); "" means none is set

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AnswerSettings:
        env = os.environ if env is None else env
        return cls(organisation=" ".join(env.get("STYRDOK_ORGANISATION", "").split()))
