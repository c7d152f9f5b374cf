"""The backend registry: backends found by name, each reading its own settings, and clear Swedish errors."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

import assistant.llm as llm_pkg
from assistant.config import LLMSettings
from assistant.llm import available, backend_from_env, backends, chosen
from assistant.llm.base import GeneratorError

OPENAI = {"STYRDOK_LLM_BASE_URL": "http://localhost:11434/v1", "STYRDOK_LLM_MODEL": "qwen2.5:7b-instruct"}


def test_backends_are_found_by_name_and_chosen_from_their_settings(tmp_path: Path):
    assert {"openai", "llamacpp"} <= set(available())
    assert chosen({}) == "" and backend_from_env({}) is None
    assert chosen(OPENAI) == "openai" and chosen({"STYRDOK_LLM_GGUF": str(tmp_path / "m.gguf")}) == "llamacpp"
    assert chosen({**OPENAI, "STYRDOK_LLM_BACKEND": "LlamaCpp"}) == "llamacpp"
    gen = backend_from_env(OPENAI)
    assert gen is not None and gen.name == "openai:qwen2.5:7b-instruct"
    assert gen.settings.timeout == 120.0


def test_settings_come_from_the_mapping_not_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STYRDOK_LLM_MODEL", "från-miljön")
    monkeypatch.setenv("STYRDOK_ANSWER_MODE", "llm")
    gen = backend_from_env({**OPENAI, "STYRDOK_LLM_TIMEOUT": "7.5"})
    assert gen is not None and gen.name == "openai:qwen2.5:7b-instruct" and gen.settings.timeout == 7.5
    s = LLMSettings.from_env({"STYRDOK_ANSWER_MODE": "llm"})
    assert (s.mode, s.configured) == ("llm", False)
    assert LLMSettings.from_env().configured  # the entry point passes os.environ: the model set above counts


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STYRDOK_LLM_BASE_URL": "http://127.0.0.1:9/v1"}, "STYRDOK_LLM_MODEL"),
        ({**OPENAI, "STYRDOK_LLM_TIMEOUT": "snart"}, "inget tal"),
        ({**OPENAI, "STYRDOK_LLM_TIMEOUT": "0"}, "större än 0"),
        ({**OPENAI, "STYRDOK_LLM_BASE_URL": "localhost:11434"}, "http://"),
        ({"STYRDOK_LLM_BACKEND": "ollama-native"}, "Okänd LLM-bakände"),
    ],
)
def test_bad_settings_are_explained_in_swedish(env: dict, message: str):
    with pytest.raises(GeneratorError, match=message):
        backend_from_env(env)


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is not None, reason="llama-cpp-python is installed")
def test_llamacpp_missing_says_how_to_install(tmp_path: Path):
    with pytest.raises(GeneratorError, match="pip install llama-cpp-python"):
        backend_from_env({"STYRDOK_LLM_GGUF": str(tmp_path / "modell.gguf")})


DUMMY = """
from assistant.llm import register


@register("eko", detect=lambda env: "EKO_SVAR" in env, settings=("EKO_SVAR",))
class Eko:
    def __init__(self, reply: str) -> None:
        self.name, self.reply = "eko", reply

    @classmethod
    def from_env(cls, env):
        return cls(env["EKO_SVAR"])

    def generate(self, messages, max_tokens=None, stop=()):
        return self.reply

    def stream(self, messages, max_tokens=None, stop=()):
        yield self.reply
"""


def test_a_new_backend_is_one_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A module dropped into the package's folder is found by name, with no other file changed."""
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "eko.py").write_text(DUMMY, encoding="utf-8")
    monkeypatch.setattr(llm_pkg, "__path__", [*llm_pkg.__path__, str(folder)])
    monkeypatch.setattr(llm_pkg, "_REGISTRY", dict(llm_pkg._REGISTRY))
    monkeypatch.delitem(sys.modules, "assistant.llm.eko", raising=False)
    assert "eko" in available() and "eko" in backends()
    assert chosen({"EKO_SVAR": "hej"}) == "eko"
    gen = backend_from_env({"STYRDOK_LLM_BACKEND": "eko", "EKO_SVAR": "hej"})
    assert gen is not None and gen.generate([]) == "hej"
