"""Any OpenAI-compatible chat endpoint through LangChain's ChatOpenAI: Ollama, vLLM, llama.cpp's llama-server,
OpenAI, Azure OpenAI (its /openai/v1 endpoint). langchain_openai is imported when the backend is built, not before.

STYRDOK_LLM_BASE_URL  the endpoint, e.g. http://localhost:11434/v1 (Ollama), http://127.0.0.1:8080/v1
                      (llama-server), http://host:8000/v1 (vLLM), https://<resurs>.openai.azure.com/openai/v1
STYRDOK_LLM_MODEL     the model's name at that endpoint, e.g. qwen2.5:7b-instruct
STYRDOK_LLM_API_KEY   the key, when the endpoint needs one
STYRDOK_LLM_TIMEOUT   seconds before a call is given up (default 120)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from assistant.llm import register
from assistant.llm.base import DEFAULT_MAX_TOKENS, TEMPERATURE, GeneratorError, Message, number, setting

BASE_URL, MODEL = "STYRDOK_LLM_BASE_URL", "STYRDOK_LLM_MODEL"
API_KEY, TIMEOUT = "STYRDOK_LLM_API_KEY", "STYRDOK_LLM_TIMEOUT"


@dataclass(frozen=True)
class OpenAISettings:
    base_url: str = ""
    model: str = ""
    api_key: str = ""
    timeout: float = 120.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OpenAISettings:
        s = cls(setting(env, BASE_URL), setting(env, MODEL), setting(env, API_KEY), number(env, TIMEOUT, 120.0))
        if not s.model:
            raise GeneratorError(f"Ange modellens namn i {MODEL} (t.ex. qwen2.5:7b-instruct).")
        if s.base_url and not s.base_url.startswith(("http://", "https://")):
            raise GeneratorError(f"{BASE_URL} ska börja med http:// eller https:// (är {s.base_url!r}).")
        return s


@register(
    "openai", detect=lambda env: bool(setting(env, BASE_URL) or setting(env, MODEL)),
    settings=(BASE_URL, MODEL, API_KEY, TIMEOUT), priority=20,
)  # fmt: skip
class OpenAICompatGenerator:
    def __init__(self, settings: OpenAISettings) -> None:
        from langchain_openai import ChatOpenAI

        self.name = f"openai:{settings.model}"
        self.settings = settings
        self.chat = ChatOpenAI(
            model=settings.model,
            base_url=settings.base_url or None,
            # Local servers (Ollama, vLLM, llama.cpp) accept any key, but the client insists on one.
            api_key=settings.api_key or "ingen-nyckel",
            temperature=TEMPERATURE,
            max_tokens=DEFAULT_MAX_TOKENS,
            timeout=settings.timeout,
            max_retries=0,  # a dead endpoint must fail fast so the extractive answer can take over
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OpenAICompatGenerator:
        return cls(OpenAISettings.from_env(env))

    def _options(self, max_tokens: int | None, stop: Sequence[str]) -> dict:
        # Sent as max_completion_tokens, which llama-server, vLLM and Ollama read as well as OpenAI.
        return {"max_tokens": max_tokens or DEFAULT_MAX_TOKENS, "stop": list(stop) or None}

    def generate(self, messages: list[Message], max_tokens: int | None = None, stop: Sequence[str] = ()) -> str:
        try:
            return _text(self.chat.invoke(list(messages), **self._options(max_tokens, stop)).content)
        except Exception as e:  # noqa: BLE001 - network, HTTP and parse errors all mean "no answer from the model"
            raise GeneratorError(_why(e)) from e

    def stream(self, messages: list[Message], max_tokens: int | None = None, stop: Sequence[str] = ()) -> Iterator[str]:
        try:
            for chunk in self.chat.stream(list(messages), **self._options(max_tokens, stop)):
                piece = _text(chunk.content)
                if piece:
                    yield piece
        except Exception as e:  # noqa: BLE001
            raise GeneratorError(_why(e)) from e


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content)


def _why(e: Exception) -> str:
    return f"Språkmodellen svarade inte ({type(e).__name__}: {str(e)[:200]})."
