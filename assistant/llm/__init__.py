"""Generators: chat models behind one small protocol, one backend per module.

Each module in this package registers its backend by name (`@register`) and declares the settings it reads from a
plain mapping (the entry point passes `os.environ` or its own settings snapshot; no backend reads the environment
itself). A new backend is one new file here plus its test: `backends()` finds it by importing the package's modules.
Backends import their client libraries when built, never at import, so finding them costs nothing.

STYRDOK_LLM_BACKEND   the backend by name (see `available()`); unset: the first backend whose settings are present
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from assistant.llm.base import Generator, GeneratorError

BACKEND_ENV = "STYRDOK_LLM_BACKEND"


@dataclass(frozen=True)
class Backend:
    name: str
    build: Callable[[Mapping[str, str]], Generator]  # reads its own settings from the mapping, then connects
    detect: Callable[[Mapping[str, str]], bool]  # are this backend's settings present (chosen when no name is set)?
    settings: tuple[str, ...] = ()  # the environment names it reads, for `styrdok --help` texts and errors
    priority: int = 100  # lower is tried first when detecting


_REGISTRY: dict[str, Backend] = {}
_SKIP = {"base"}  # modules here that are not backends


def register(
    name: str, *, detect: Callable[[Mapping[str, str]], bool], settings: tuple[str, ...] = (), priority: int = 100
) -> Callable[[Any], Any]:
    """Class decorator: the class has `from_env(env) -> Generator` (a classmethod reading its settings)."""

    def wrap(cls: Any) -> Any:
        _REGISTRY[name] = Backend(name, cls.from_env, detect, settings, priority)
        return cls

    return wrap


def backends() -> dict[str, Backend]:
    """Every backend in this package, by name (modules are imported once; importing registers)."""
    for mod in pkgutil.iter_modules(__path__):
        if mod.name not in _SKIP and not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    return dict(_REGISTRY)


def available() -> list[str]:
    return sorted(backends())


def _pick(env: Mapping[str, str]) -> tuple[str, dict[str, Backend]]:
    """The asked-for backend's name ("" for none) and the registry, listed once for both."""
    found = backends()
    name = env.get(BACKEND_ENV, "").strip().lower()
    if name:
        return name, found
    for b in sorted(found.values(), key=lambda b: (b.priority, b.name)):
        if b.detect(env):
            return b.name, found
    return "", found


def chosen(env: Mapping[str, str]) -> str:
    """The backend's name the settings ask for: named, or the first whose settings are present; "" for none."""
    return _pick(env)[0]


def backend_from_env(env: Mapping[str, str]) -> Generator | None:
    """The configured backend, or None when no LLM is configured. Raises GeneratorError (Swedish) when it can't."""
    name, found = _pick(env)
    if not name:
        return None
    backend = found.get(name)
    if backend is None:
        raise GeneratorError(f"Okänd LLM-bakände: {name!r} (använd {' eller '.join(sorted(found))}).")
    return backend.build(env)
