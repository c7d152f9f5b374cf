"""Any OpenAI-compatible chat endpoint through LangChain's ChatOpenAI: Ollama, vLLM, a llama.cpp server, OpenAI,
Azure OpenAI (its /openai/v1 endpoint). langchain_openai is imported when the backend is built, not before."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.config import LLMSettings
from assistant.llm.base import GeneratorError, Message


class OpenAICompatGenerator:
    def __init__(self, settings: LLMSettings) -> None:
        from langchain_openai import ChatOpenAI

        if not settings.model:
            raise GeneratorError("Ange modellens namn i STYRDOK_LLM_MODEL (t.ex. qwen2.5:7b-instruct).")
        self.name = f"openai:{settings.model}"
        self.chat = ChatOpenAI(
            model=settings.model,
            base_url=settings.base_url or None,
            # Local servers (Ollama, vLLM, llama.cpp) accept any key, but the client insists on one.
            api_key=settings.api_key or "ingen-nyckel",
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            timeout=settings.timeout,
            max_retries=0,  # a dead endpoint must fail fast so the extractive answer can take over
        )

    def generate(self, messages: list[Message]) -> str:
        try:
            return _text(self.chat.invoke(list(messages)).content)
        except Exception as e:  # noqa: BLE001 - network, HTTP and parse errors all mean "no answer from the model"
            raise GeneratorError(_why(e)) from e

    def stream(self, messages: list[Message]) -> Iterator[str]:
        try:
            for chunk in self.chat.stream(list(messages)):
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
