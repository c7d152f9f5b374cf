"""LLM mode against a real llama-server with a weak model: streaming, refusals, verification, fallbacks that show,
never worse than extractive, and the server going down mid-answer."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistant.ask import Assistant
from assistant.audit import AuditLog, AuditSettings
from assistant.config import LLMSettings
from assistant.llm import backend_from_env
from assistant.llm.base import GeneratorError
from assistant.types import FORMULATING, Answer, Status
from assistant.verify import check_answer

pytestmark = pytest.mark.slow

# Answerable from data/exempel (the gate says svar) with the key fact the extractive answer holds.
ANSWERABLE = {
    "Hur många skolor får solceller?": "tolv",
    "Hur ska nämnderna följa upp målen?": "varje nämnd",
}


def env_for(url: str) -> dict[str, str]:
    return {"STYRDOK_LLM_BASE_URL": url, "STYRDOK_LLM_MODEL": "gemma3-270m", "STYRDOK_LLM_TIMEOUT": "60"}


def settings(url: str) -> LLMSettings:
    return LLMSettings(mode="llm", env=env_for(url))


@pytest.mark.parametrize("question", list(ANSWERABLE))
def test_never_worse_than_extractive_and_nothing_unchecked(sample_index, real_server, question):
    extractive = Assistant(sample_index, LLMSettings()).ask(question)
    assert not extractive.refused and ANSWERABLE[question] in extractive.answer.lower()
    started = time.monotonic()
    events = list(Assistant(sample_index, settings(real_server)).ask_stream(question))
    took = time.monotonic() - started
    final = events[-1]
    assert isinstance(final, Answer) and events[0] == Status(FORMULATING)
    sentences = [e for e in events if isinstance(e, str)]
    assert final.llm.tried and not final.refused
    if final.mode == "llm":  # what was streamed is the answer, and every sentence of it checks out
        assert "".join(sentences) == final.answer and final.llm.kept_sentences == len(sentences)
        # Quotes are their passages' text and every number is in a cited passage (paraphrased words were allowed
        # by verification within its share, so word support is not asked for here).
        bad = [c for c in check_answer(final, question) if any(r.startswith(("talen", "citat")) for r in c.reasons)]
        assert not bad, bad
    else:  # the fallback is the extractive answer, says why, and keeps its key fact
        assert final.answer == extractive.answer and final.llm.fallback_reason in ("refused", "unverified")
        assert final.notice and ANSWERABLE[question] in final.answer.lower()
    # Stop sequences and a sized max_tokens: no reply runs for the old 700-token cap (14–21 s on this server).
    assert took < 60, f"{took:.1f} s"


def test_json_and_audit_show_what_the_llm_did(sample_index, real_server, tmp_path: Path):
    from assistant.service import Service

    audit = AuditLog(tmp_path, AuditSettings())
    svc = Service(sample_index.settings, index=sample_index, llm=settings(real_server), audit=audit)
    out = svc.ask("Hur många skolor får solceller?").to_json()
    llm = out["llm"]
    assert llm["tried"] is True and llm["kept_sentences"] + llm["dropped"] >= 0
    assert (out["mode"] == "extractive") == (llm["fallback_reason"] is not None)
    (entry,) = [json.loads(x) for x in audit.path.read_text(encoding="utf-8").splitlines()]
    assert entry["llm"] == llm and entry["mode"] == out["mode"]
    assert "solceller" not in audit.path.read_text(encoding="utf-8")  # no question text


def test_off_corpus_question_is_refused_without_asking_the_model(sample_index, real_server):
    ans = Assistant(sample_index, settings(real_server)).ask("Var kan jag parkera?")
    assert ans.refused and not ans.llm.tried


def test_the_rewrite_is_short(sample_index, real_server):
    started = time.monotonic()
    ans = Assistant(sample_index, settings(real_server)).ask(
        "Och vad kostar det?", history=["Vem kan få fritidskortet?"]
    )
    assert ans.standalone_question and not ans.llm.fallback_reason == "backend_error"
    assert time.monotonic() - started < 60


def test_server_going_down_mid_stream(sample_index, own_server):
    proc, url = own_server()
    gen = backend_from_env(env_for(url))
    assert gen is not None
    messages = [{"role": "user", "content": "Räkna från ett till hundra: ett, två, tre,"}]
    stream = gen.stream(messages, max_tokens=300)
    first = next(stream)
    assert first
    proc.kill()
    proc.wait()
    with pytest.raises(GeneratorError, match="Språkmodellen svarade inte"):
        for _ in stream:
            pass
    # The next question finds the server gone: the extractive answer, with the reason and a notice.
    started = time.monotonic()
    ans = Assistant(sample_index, settings(url)).ask("Hur många skolor får solceller?")
    assert ans.mode == "extractive" and not ans.refused and "tolv" in ans.answer.lower()
    assert ans.llm.fallback_reason == "backend_error" and "Språkmodellen svarade inte" in ans.notice
    assert time.monotonic() - started < 30
