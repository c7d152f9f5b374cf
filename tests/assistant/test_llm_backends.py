"""Backend selection from settings, and clear Swedish errors when a backend cannot be used."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assistant.config import LLMSettings
from assistant.llm import make_generator
from assistant.llm.base import GeneratorError


def test_settings_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for k in ("STYRDOK_ANSWER_MODE", "STYRDOK_LLM_BACKEND", "STYRDOK_LLM_BASE_URL", "STYRDOK_LLM_MODEL",
              "STYRDOK_LLM_API_KEY", "STYRDOK_LLM_GGUF"):  # fmt: skip
        monkeypatch.delenv(k, raising=False)
    s = LLMSettings.from_env()
    assert (s.mode, s.configured) == ("extractive", False) and make_generator(s) is None
    monkeypatch.setenv("STYRDOK_ANSWER_MODE", "llm")
    monkeypatch.setenv("STYRDOK_LLM_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("STYRDOK_LLM_MODEL", "qwen2.5:7b-instruct")
    s = LLMSettings.from_env()
    assert (s.mode, s.backend, s.model) == ("llm", "openai", "qwen2.5:7b-instruct")
    gen = make_generator(s)
    assert gen is not None and gen.name == "openai:qwen2.5:7b-instruct"
    monkeypatch.setenv("STYRDOK_LLM_GGUF", str(tmp_path / "modell.gguf"))
    monkeypatch.delenv("STYRDOK_LLM_BASE_URL")
    assert LLMSettings.from_env().backend == "llamacpp"


def test_openai_backend_needs_a_model_name():
    with pytest.raises(GeneratorError, match="STYRDOK_LLM_MODEL"):
        make_generator(LLMSettings(backend="openai", base_url="http://127.0.0.1:9/v1"))


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is not None, reason="llama-cpp-python is installed")
def test_llamacpp_missing_says_how_to_install(tmp_path: Path):
    with pytest.raises(GeneratorError, match="pip install llama-cpp-python"):
        make_generator(LLMSettings(backend="llamacpp", gguf=tmp_path / "modell.gguf"))


def test_unknown_backend():
    with pytest.raises(GeneratorError, match="Okänd LLM-bakände"):
        make_generator(LLMSettings(backend="ollama-native"))
