"""The generator protocol every LLM backend implements, the error they raise, and helpers for their settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol, TypedDict

TEMPERATURE = 0.0  # answers must be reproducible and stay close to the sources
DEFAULT_MAX_TOKENS = 700  # a call that names no cap of its own (the eval judge)


class Message(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


class GeneratorError(Exception):
    """The model could not be reached or failed. The message is plain Swedish; callers fall back to extractive."""


class Generator(Protocol):
    name: str  # for logs and the UI, e.g. "openai:qwen2.5:7b-instruct"

    def generate(self, messages: list[Message], max_tokens: int | None = None, stop: Sequence[str] = ()) -> str:
        """The whole reply at once, at most `max_tokens` long, cut before any of `stop`."""
        ...

    def stream(self, messages: list[Message], max_tokens: int | None = None, stop: Sequence[str] = ()) -> Iterator[str]:
        """The reply piece by piece (a backend that cannot stream yields it in one piece)."""
        ...


def setting(env: Mapping[str, str], name: str, default: str = "") -> str:
    return env.get(name, default).strip() or default


def number(env: Mapping[str, str], name: str, default: float, low: float = 0.0) -> float:
    """A positive number setting; a malformed one is an error the operator can act on, in Swedish."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise GeneratorError(f"{name}={raw!r} är inget tal.") from None
    if value <= low:
        raise GeneratorError(f"{name} måste vara större än {low:g} (är {raw}).")
    return value
