"""A local GGUF model through llama-cpp-python (an optional extra: `pip install llama-cpp-python`).

Measured on 2 cores (see shared notes): a 1.5B model needs 30+ s before the first word with five passages, and the
small models on PyPI answer poorly in Swedish, so this is never the default.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.config import LLMSettings
from assistant.llm.base import GeneratorError, Message

MISSING = (
    "Paketet llama-cpp-python är inte installerat. Installera det med `pip install llama-cpp-python` "
    "(det kompileras vid installationen och kan ta 10 minuter), eller använd en OpenAI-kompatibel server "
    "via STYRDOK_LLM_BASE_URL."
)


class LlamaCppGenerator:
    def __init__(self, settings: LLMSettings) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as e:
            raise GeneratorError(MISSING) from e
        if settings.gguf is None or not settings.gguf.is_file():
            raise GeneratorError(f"Modellfilen finns inte: {settings.gguf}. Ange en GGUF-fil i STYRDOK_LLM_GGUF.")
        self.name = f"llamacpp:{settings.gguf.name}"
        self.settings = settings
        self.llm = Llama(
            model_path=str(settings.gguf), n_ctx=settings.context_tokens, n_threads=settings.threads, verbose=False
        )

    def _call(self, messages: list[Message], stream: bool):  # noqa: ANN202
        return self.llm.create_chat_completion(
            messages=list(messages),
            temperature=self.settings.temperature,
            max_tokens=self.settings.max_tokens,
            stream=stream,
        )

    def generate(self, messages: list[Message]) -> str:
        try:
            return self._call(messages, False)["choices"][0]["message"]["content"] or ""
        except Exception as e:  # noqa: BLE001
            raise GeneratorError(f"Den lokala modellen misslyckades ({type(e).__name__}: {e}).") from e

    def stream(self, messages: list[Message]) -> Iterator[str]:
        try:
            for part in self._call(messages, True):
                piece = part["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield piece
        except Exception as e:  # noqa: BLE001
            raise GeneratorError(f"Den lokala modellen misslyckades ({type(e).__name__}: {e}).") from e
