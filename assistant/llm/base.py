"""The generator protocol every LLM backend implements, and the error they raise."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TypedDict


class Message(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


class GeneratorError(Exception):
    """The model could not be reached or failed. The message is plain Swedish; callers fall back to extractive."""


class Generator(Protocol):
    name: str  # for logs and the UI, e.g. "openai:qwen2.5:7b-instruct"

    def generate(self, messages: list[Message]) -> str:
        """The whole reply at once."""
        ...

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """The reply token by token (a backend that cannot stream yields it in one piece)."""
        ...
