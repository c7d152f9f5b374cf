"""The CI gate: styrdok's metrics on eval/sets/exempel.jsonl must not drop below eval/gate.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import gate
from eval.questions import EXEMPEL_SET, load_jsonl
from eval.run import K_MAX, evaluate

pytestmark = pytest.mark.slow


def test_gate_on_exempel(sample_index):
    from assistant.service import Service

    svc = Service(settings=sample_index.settings, index=sample_index)
    qs = load_jsonl(EXEMPEL_SET)

    def search(q: str) -> list[tuple[str, str, int]]:
        return [(Path(h.source).name, h.text, h.goal) for h in sample_index.search(q, k=K_MAX)]

    def ask(q: str, history: list[str]) -> dict:
        return svc.ask(q, history=history).to_json()

    res = evaluate("styrdok", qs, search, ask)
    measured = {**res.retrieval, **res.answers}
    print(measured)
    failures = gate.check(measured, gate.thresholds()["exempel"])
    assert not failures, failures


def test_gate_check_reads_floors_and_ceilings():
    limits = {"recall@3": 0.8, "false_refusal_rate": 0.3}
    assert gate.check({"recall@3": 0.85, "false_refusal_rate": 0.2}, limits) == []
    bad = gate.check({"recall@3": 0.7, "false_refusal_rate": 0.4}, limits)
    assert len(bad) == 2 and "golvet" in bad[0] and "taket" in bad[1]
    assert gate.check({}, {"mrr": 0.5}) == ["mrr: mättes inte"]
