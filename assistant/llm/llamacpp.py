"""A local GGUF model in-process through llama-cpp-python (an optional extra: `pip install llama-cpp-python`).

Measured on 2 cores (see shared notes): a 1.5B model needs 30+ s before the first word with five passages, and the
small models on PyPI answer poorly in Swedish, so this is never the default. A llama-server process reached through
the openai backend does the same without compiling anything into this environment.

STYRDOK_LLM_GGUF            path to the GGUF file
STYRDOK_LLM_THREADS         CPU threads (default 2)
STYRDOK_LLM_CONTEXT_TOKENS  the model's context window (default 4096)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.llm import register
from assistant.llm.base import DEFAULT_MAX_TOKENS, TEMPERATURE, GeneratorError, Message, number, setting

GGUF, THREADS, CONTEXT = "STYRDOK_LLM_GGUF", "STYRDOK_LLM_THREADS", "STYRDOK_LLM_CONTEXT_TOKENS"
MISSING = (
    "Paketet llama-cpp-python är inte installerat. Installera det med `pip install llama-cpp-python` "
    "(det kompileras vid installationen och kan ta 10 minuter), eller kör llama-server och ange dess adress "
    "i STYRDOK_LLM_BASE_URL."
)


@dataclass(frozen=True)
class LlamaCppSettings:
    gguf: Path
    threads: int = 2
    context_tokens: int = 4096

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LlamaCppSettings:
        raw = setting(env, GGUF)
        if not raw:
            raise GeneratorError(f"Ange en GGUF-fil i {GGUF}.")
        return cls(Path(raw).expanduser(), int(number(env, THREADS, 2)), int(number(env, CONTEXT, 4096)))


@register("llamacpp", detect=lambda env: bool(setting(env, GGUF)), settings=(GGUF, THREADS, CONTEXT), priority=10)
class LlamaCppGenerator:
    def __init__(self, settings: LlamaCppSettings) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as e:
            raise GeneratorError(MISSING) from e
        if not settings.gguf.is_file():
            raise GeneratorError(f"Modellfilen finns inte: {settings.gguf}. Ange en GGUF-fil i {GGUF}.")
        self.name = f"llamacpp:{settings.gguf.name}"
        self.llm = Llama(
            model_path=str(settings.gguf), n_ctx=settings.context_tokens, n_threads=settings.threads, verbose=False
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LlamaCppGenerator:
        return cls(LlamaCppSettings.from_env(env))

    def _call(self, messages: list[Message], stream: bool, max_tokens: int | None, stop: Sequence[str]):  # noqa: ANN202
        return self.llm.create_chat_completion(
            messages=list(messages), temperature=TEMPERATURE, max_tokens=max_tokens or DEFAULT_MAX_TOKENS,
            stop=list(stop) or None, stream=stream,
        )  # fmt: skip

    def generate(self, messages: list[Message], max_tokens: int | None = None, stop: Sequence[str] = ()) -> str:
        try:
            return self._call(messages, False, max_tokens, stop)["choices"][0]["message"]["content"] or ""
        except Exception as e:  # noqa: BLE001
            raise GeneratorError(f"Den lokala modellen misslyckades ({type(e).__name__}: {e}).") from e

    def stream(self, messages: list[Message], max_tokens: int | None = None, stop: Sequence[str] = ()) -> Iterator[str]:
        try:
            for part in self._call(messages, True, max_tokens, stop):
                piece = part["choices"][0].get("delta", {}).get("content")
                if piece:
                    yield piece
        except Exception as e:  # noqa: BLE001
            raise GeneratorError(f"Den lokala modellen misslyckades ({type(e).__name__}: {e}).") from e
