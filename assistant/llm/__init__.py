"""Generators: chat models behind one small protocol. One backend per module, each imported only when chosen."""

from __future__ import annotations

from assistant.config import LLMSettings
from assistant.llm.base import Generator, GeneratorError


def make_generator(settings: LLMSettings) -> Generator | None:
    """The configured backend, or None when no LLM is configured. Raises GeneratorError (Swedish) when it can't."""
    if not settings.configured:
        return None
    if settings.backend == "openai":
        from assistant.llm.openai_compat import OpenAICompatGenerator

        return OpenAICompatGenerator(settings)
    if settings.backend == "llamacpp":
        from assistant.llm.llamacpp import LlamaCppGenerator

        return LlamaCppGenerator(settings)
    raise GeneratorError(f"Okänd LLM-bakände: {settings.backend!r} (använd openai eller llamacpp).")
