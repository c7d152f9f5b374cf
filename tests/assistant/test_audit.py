"""The audit log: time, mode, refusal, cited documents and latency for every question — the question text only when
an operator enables it with a retention period — and no personal data in the default logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from assistant.audit import NO_RETENTION, AuditLog, AuditSettings
from assistant.types import Answer, Citation

QUESTION = "Har Anna Lindqvist på Storgatan 3 fått bygglov?"


def answer(question: str = QUESTION, doc_ids: tuple[str, ...] = ("d1", "d2", "d1")) -> Answer:
    cites = [Citation(n, d, f"{d}:0000", "T", "mål", "", 0, "", "q", 0, 1, "q", "/x") for n, d in enumerate(doc_ids)]
    return Answer(question, "Svar.", refused=False, mode="extractive", citations=cites, standalone_question=question)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_settings_from_the_environment(monkeypatch):
    for k in ("STYRDOK_AUDIT_QUESTIONS", "STYRDOK_AUDIT_RETENTION_DAYS"):
        monkeypatch.delenv(k, raising=False)
    assert AuditSettings.from_env() == AuditSettings(False, None)
    monkeypatch.setenv("STYRDOK_AUDIT_QUESTIONS", "1")
    assert AuditSettings.from_env().questions_refused
    for bad in ("", "0", "-3", "trettio"):
        monkeypatch.setenv("STYRDOK_AUDIT_RETENTION_DAYS", bad)
        assert AuditSettings.from_env().questions_refused, bad
    monkeypatch.setenv("STYRDOK_AUDIT_RETENTION_DAYS", "30")
    assert AuditSettings.from_env() == AuditSettings(True, 30) and AuditSettings.from_env().keeps_questions


def test_default_line_has_no_question(tmp_path: Path):
    audit = AuditLog(tmp_path, AuditSettings())
    audit.record(answer(), 0.1234)
    (entry,) = lines(audit.path)
    assert entry.keys() == {"time", "event", "mode", "refused", "doc_ids", "llm", "latency_ms"}
    assert entry["llm"] == {"tried": False, "kept_sentences": 0, "dropped": 0, "fallback_reason": None}
    assert entry["event"] == "answer" and entry["mode"] == "extractive" and entry["refused"] is False
    assert entry["doc_ids"] == ["d1", "d2"] and entry["latency_ms"] == 123
    assert entry["time"].endswith("+00:00")
    assert "Lindqvist" not in audit.path.read_text(encoding="utf-8")


def test_questions_without_retention_are_not_stored_and_the_log_says_so_once(tmp_path: Path):
    audit = AuditLog(tmp_path, AuditSettings(store_questions=True))
    for _ in range(3):
        audit.record(answer(), 0.01)
    entries = lines(audit.path)
    assert [e["event"] for e in entries] == ["notice", "answer", "answer", "answer"]
    assert entries[0]["message"] == NO_RETENTION and "STYRDOK_AUDIT_RETENTION_DAYS" in NO_RETENTION
    assert "Lindqvist" not in audit.path.read_text(encoding="utf-8")


def test_questions_with_retention_are_stored_and_old_lines_pruned(tmp_path: Path):
    now = [1_800_000_000.0]
    audit = AuditLog(tmp_path, AuditSettings(True, 7), clock=lambda: now[0])
    audit.record(answer("Gammal fråga om Storgatan?"), 0.01)
    now[0] += 6 * 86400
    audit.record(answer("Nyare fråga?"), 0.01)
    assert [e["question"] for e in lines(audit.path)] == ["Gammal fråga om Storgatan?", "Nyare fråga?"]
    now[0] += 2 * 86400  # the first line is now 8 days old, the second 2
    audit.record(answer(), 0.01)
    entries = lines(audit.path)
    assert [e["question"] for e in entries] == ["Nyare fråga?", QUESTION]
    assert "Storgatan?" not in audit.path.read_text(encoding="utf-8")


def test_a_broken_log_never_stops_an_answer(tmp_path: Path, caplog):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "audit.jsonl").mkdir()  # not a file: every write fails
    audit = AuditLog(tmp_path, AuditSettings())
    audit.record(answer(), 0.01)
    audit.record(answer(), 0.01)
    assert sum("auditloggen kan inte skrivas" in r.getMessage() for r in caplog.records) == 1


def _service(index, home: Path, llm=None, audit_settings: AuditSettings | None = None):
    from assistant.config import LLMSettings
    from assistant.service import Service

    audit = AuditLog(home, audit_settings or AuditSettings())
    return Service(index.settings, index=index, llm=llm or LLMSettings(), audit=audit)


@pytest.mark.slow
def test_service_audits_every_answer_without_the_question(sample_index, tmp_path: Path):
    svc = _service(sample_index, tmp_path)
    first = svc.ask("Hur många skolor får solceller?")
    streamed = [item for item in svc.ask_stream("Vem är Anna Lindqvist på Storgatan 3?")]
    entries = lines(tmp_path / "logs" / "audit.jsonl")
    assert len(entries) == 2
    assert entries[0]["doc_ids"] == list(dict.fromkeys(c.doc_id for c in first.citations)) and entries[0]["doc_ids"]
    assert entries[1]["refused"] is streamed[-1].refused is True and entries[1]["doc_ids"] == []
    text = (tmp_path / "logs" / "audit.jsonl").read_text(encoding="utf-8")
    assert "solceller" not in text and "Lindqvist" not in text


@pytest.mark.slow
def test_llm_mode_logs_no_question_text(sample_index, fake_llm, llm_settings, tmp_path: Path, caplog):
    """A rejected follow-up rewrite and a dropped sentence were logged with their text, which repeats the question
    (and whatever name the model echoes)."""
    url, _ = fake_llm([
        {"when": "Sista frågan:", "reply": "Hur mycket sparar kommunen per år, frågar Anna Lindqvist?\nTack!"},
        {"when": "Fråga:", "reply": 'Tolv skolor får solceller [{n:tolv skolor}: "tolv skolor"]. '
                                    'Anna Lindqvist räknade ut besparingen [{n:tolv skolor}: "Anna Lindqvist"].'},
    ])  # fmt: skip
    caplog.set_level(logging.DEBUG, logger="styrdok")
    svc = _service(sample_index, tmp_path, llm=llm_settings(url))
    ans = svc.ask("Och hur mycket sparar kommunen per år?", history=["Hur många skolor får solceller?"])
    assert not ans.refused
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("styrdok")]
    assert any("rewrite rejected" in m for m in ours) and any("unsupported sentence" in m for m in ours), ours
    assert not any("Lindqvist" in m or "sparar kommunen" in m for m in ours), ours
    text = (tmp_path / "logs" / "audit.jsonl").read_text(encoding="utf-8")
    assert "Lindqvist" not in text and "sparar" not in text
    (entry,) = lines(tmp_path / "logs" / "audit.jsonl")
    assert entry["mode"] == ans.mode == "llm"  # the LLM's answer, with what verification did to it
    assert entry["llm"] == {"tried": True, "kept_sentences": 1, "dropped": 1, "fallback_reason": None}


@pytest.mark.slow
def test_operator_enabled_questions_are_in_the_audit(sample_index, tmp_path: Path):
    svc = _service(sample_index, tmp_path, audit_settings=AuditSettings(True, 30))
    svc.ask("Och vad säger de om ekonomin?", history=["Vilka mål ingår i Lundaborna i fokus?"])
    (entry,) = lines(tmp_path / "logs" / "audit.jsonl")
    assert entry["question"] == "Och vad säger de om ekonomin?"
    assert entry["standalone_question"] and entry["standalone_question"] != entry["question"]
