"""The LLM-judge faithfulness (eval/judge.py) over real HTTP against a scripted OpenAI-compatible server process, and
`styrdok eval --judge` with and without an LLM configured. No embedding model: the systems under test are stubbed
where the CLI would build an index, so only the judge's own path runs for real."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from fake_openai import scripted_servers
from netutil import free_port

from assistant.llm import backend_from_env
from eval.judge import judge_answer, parse_claims, parse_verdict, strip_citations
from eval.questions import QuestionSet
from eval.report import markdown
from eval.run import evaluate

SERVER = Path(__file__).with_name("judge_llm_server.py")
LLM_ENV = ("STYRDOK_ANSWER_MODE", "STYRDOK_LLM_BACKEND", "STYRDOK_LLM_BASE_URL", "STYRDOK_LLM_MODEL",
           "STYRDOK_LLM_API_KEY", "STYRDOK_LLM_GGUF")  # fmt: skip

PASSAGE = (
    "Avgiften för att parkera i centrum är 25 kronor per timme på vardagar. Boendeparkering kostar 500 kronor per "
    "månad. Parkeringsverksamheten sköts av tekniska nämnden."
)
CITE = {"n": 1, "title": "Parkering i centrum", "section": "Parkering i centrum", "date": "2026-01-10",
        "text": PASSAGE, "quote": "Avgiften för att parkera i centrum är 25 kronor per timme på vardagar.",
        "source": "/docs/parkering-i-centrum.md"}  # fmt: skip
FAITHFUL = {
    "answer": "Avgiften för att parkera i centrum är 25 kronor per timme på vardagar [1]. "
    "Boendeparkering kostar 500 kronor per månad [1].",
    "refused": False,
    "citations": [CITE, {**CITE, "n": 2}],  # two citations of one passage: the judge reads it once
}
PLANTED = "Parkering i centrum är gratis på söndagar."
HALF = {"answer": f"Avgiften för att parkera i centrum är 25 kronor per timme på vardagar [1]. {PLANTED} [1]",
        "refused": False, "citations": [CITE]}  # fmt: skip


@pytest.fixture
def judge_server(tmp_path: Path) -> Iterator[Callable[[list[dict]], tuple[str, Path]]]:
    """Start the scripted judge (a real process on loopback): rules → (base URL, request log)."""
    with scripted_servers(SERVER, tmp_path) as start:
        yield start


def _generator(base_url: str):  # noqa: ANN202
    env = {"STYRDOK_LLM_BASE_URL": base_url, "STYRDOK_LLM_MODEL": "domare", "STYRDOK_LLM_API_KEY": "test",
           "STYRDOK_LLM_TIMEOUT": "20"}  # fmt: skip
    return backend_from_env(env)


def _requests(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_faithful_answer_scores_one(judge_server):
    url, log = judge_server([])
    out = judge_answer(_generator(url), "Vad kostar parkering i centrum?", FAITHFUL)
    assert out["llm_faithfulness"] == 1.0, out
    assert out["claims"] == ["Avgiften för att parkera i centrum är 25 kronor per timme på vardagar.",
                             "Boendeparkering kostar 500 kronor per månad."]  # fmt: skip
    assert out["unsupported"] == []
    sent = _requests(log)
    assert len(sent) == 3  # one claims request, one verdict per claim
    claims_prompt = sent[0]["messages"][-1]["content"]
    assert "[1]" not in claims_prompt and "Svar:\n" in claims_prompt  # markers are not claims
    assert "påståenden" in sent[0]["messages"][0]["content"]  # the prompts are Swedish
    verdict_prompt = sent[1]["messages"][-1]["content"]
    assert verdict_prompt.count('<källa nr="') == 1 and PASSAGE in verdict_prompt


def test_one_unsupported_claim_of_two_scores_half(judge_server):
    claims = ["Avgiften i centrum är 25 kronor per timme på vardagar.", PLANTED]
    url, _ = judge_server([
        {"when": "Svar:\n", "reply": "```json\n" + json.dumps(claims, ensure_ascii=False) + "\n```"},
        {"when": f"Påstående: {PLANTED}", "reply": "Nej."},
        {"when": "Påstående:", "reply": "Ja"},
    ])  # fmt: skip
    out = judge_answer(_generator(url), "Vad kostar parkering i centrum?", HALF)
    assert out["llm_faithfulness"] == 0.5, out
    assert out["claims"] == claims and out["unsupported"] == [PLANTED]


def test_unparseable_claims_fall_back_to_lines_and_json_verdicts_are_read(judge_server):
    url, _ = judge_server([
        {"when": "Svar:\n", "reply": "Här är påståendena:\n- Avgiften är 25 kronor per timme.\n2. " + PLANTED},
        {"when": f"Påstående: {PLANTED}", "reply": '{"påstående": "Ja, gratis", "stöds": "nej"}'},
        {"when": "Påstående:", "reply": '{"stöds": true}'},
    ])  # fmt: skip
    out = judge_answer(_generator(url), "Vad kostar parkering?", HALF)
    assert out["claims"] == ["Avgiften är 25 kronor per timme.", PLANTED]
    assert out["llm_faithfulness"] == 0.5 and out["unsupported"] == [PLANTED]


@pytest.mark.parametrize("failing", ["Svar:\n", "Påstående:"])
def test_server_error_gives_none_without_raising(judge_server, failing: str):
    url, _ = judge_server([{"when": failing, "reply": "", "status": 500}])
    out = judge_answer(_generator(url), "Vad kostar parkering i centrum?", FAITHFUL)
    assert out["llm_faithfulness"] is None and out["note"], out


def test_dead_endpoint_gives_none():
    out = judge_answer(_generator(f"http://127.0.0.1:{free_port()}/v1"), "Vad kostar parkering?", FAITHFUL)
    assert out["llm_faithfulness"] is None and "Domaren" in out["note"]


def test_refused_answer_is_not_judged(judge_server):
    url, log = judge_server([])
    out = judge_answer(_generator(url), "Vem vann VM?", {"answer": "Jag hittar inget.", "refused": True})
    assert out["llm_faithfulness"] is None and out["claims"] == []
    assert _requests(log) == []


def test_parsers():
    assert strip_citations('Mål 5 gäller klimatet [2: "klimatet"] och miljön [1][3].\n- Punkt [4, 5]') == (
        "Mål 5 gäller klimatet och miljön.\n- Punkt"
    )
    assert parse_claims('Påståendena: ["A.", " B  b. "]') == ["A.", "B b."]
    assert parse_claims('[{"påstående": "A."}, {"påstående": "B."}]') == ["A.", "B."]
    assert parse_claims("[]") == []
    assert parse_claims('["A.",\n"B.",') == ["A.", "B."]  # cut off at max_tokens: one claim per line
    assert [parse_verdict(r) for r in ("ja", "Ja, det stöds.", "NEJ", "nej.", "yes", '{"svar": "ja"}')] == [
        True, True, False, False, True, True,
    ]  # fmt: skip
    assert parse_verdict('{"supported": false}') is False
    assert parse_verdict("Påståendet stöds delvis") is None


# --- evaluate() and the report --------------------------------------------------------------------------------
QUESTIONS = [
    {"id": "p1", "question": "Vad kostar parkering i centrum?", "answerable": True, "kind": "number",
     "gold_doc": "parkering-i-centrum.md", "evidence": "25 kronor per timme", "key_fact": "25 kronor"},
    {"id": "p2", "question": "Är parkering gratis någon dag?", "answerable": True, "kind": "fact",
     "gold_doc": "parkering-i-centrum.md", "evidence": "25 kronor per timme", "key_fact": "vardagar"},
    {"id": "p3", "question": "Vem vann fotbolls-VM 1958?", "answerable": False, "kind": "off_corpus"},
]  # fmt: skip
ANSWERS = {"p1": FAITHFUL, "p2": HALF, "p3": {"answer": "Jag hittar inget.", "refused": True, "citations": []}}


def _stub_system():  # noqa: ANN202 - (search, ask) over the one parking passage, answers scripted per question
    by_question = {q["question"]: ANSWERS[q["id"]] for q in QUESTIONS}

    def search(q: str) -> list[tuple[str, str, int]]:
        return [("parkering-i-centrum.md", PASSAGE, 0)]

    def ask(q: str, history: list[str]) -> dict:
        return {"question": q, "mode": "extractive", **by_question[q]}

    return search, ask


def test_evaluate_reports_llm_faithfulness_beside_sentence_support(judge_server):
    url, _ = judge_server([])
    search, ask = _stub_system()
    qs = QuestionSet("parkering", QUESTIONS, Path("."))
    res = evaluate("styrdok", qs, search, ask, judge=_generator(url))
    assert res.answers["llm_faithfulness"] == 0.75  # mean of 1.0 and 0.5; the refusal is not judged
    assert "sentence_support" in res.answers  # beside, not instead
    assert res.judge == {"model": "openai:domare", "judged": 2, "errors": 0, "first_error": "", "stopped": False}
    rows = {r["id"]: r for r in res.rows}
    assert rows["p2"]["judge"]["unsupported"] == [PLANTED] and "judge" not in rows["p3"]
    md = markdown("parkering", res, None)
    assert "| llm_faithfulness | 0.750 |" in md and "| sentence_support |" in md and "LLM judge openai:domare" in md
    assert md.index("| sentence_support |") < md.index("| llm_faithfulness |")

    plain = evaluate("styrdok", qs, search, ask)
    assert "llm_faithfulness" not in plain.answers and "llm_faithfulness" not in markdown("parkering", plain, None)


def test_evaluate_stops_asking_a_judge_that_fails_on_every_answer():
    qs = QuestionSet("parkering", [{**QUESTIONS[0], "id": f"p{i}"} for i in range(6)], Path("."))
    search, ask = _stub_system()
    res = evaluate("styrdok", qs, search, ask, judge=_generator(f"http://127.0.0.1:{free_port()}/v1"))
    assert res.judge["judged"] == 3 and res.judge["errors"] == 3 and res.judge["stopped"]
    assert "llm_faithfulness" not in res.answers and "sentence_support" in res.answers
    assert "judge stopped" in markdown("parkering", res, None)


# --- the CLI ----------------------------------------------------------------------------------------------------
@pytest.fixture
def eval_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """`styrdok eval --set <tiny set>` with both systems stubbed (no index, no embedding model)."""
    import eval.run
    from ui.cli import main

    for k in LLM_ENV:
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("STYRDOK_HOME", str(tmp_path / "home"))
    qfile = tmp_path / "parkering.jsonl"
    qfile.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    svc = SimpleNamespace(index=SimpleNamespace(embedder=SimpleNamespace(model_path=lambda: "ingen-modell")))
    monkeypatch.setattr(eval.run, "styrdok_system", lambda qs, home, **kw: (*_stub_system(), svc, []))
    monkeypatch.setattr(eval.run, "baseline_system", lambda qs, model: _stub_system())

    def run(*args: str):  # noqa: ANN202
        return CliRunner().invoke(main, ["eval", "--set", str(qfile), "--json", *args], catch_exceptions=False)

    return run


def test_cli_judge_without_llm_prints_a_note_and_continues(eval_cli):
    r = eval_cli("--judge")
    assert r.exit_code == 0, r.output
    assert "ingen språkmodell är inställd" in r.stderr
    summary = json.loads(r.stdout)["parkering"]["styrdok"]
    assert "sentence_support" in summary and "llm_faithfulness" not in summary


def test_cli_judge_scores_both_systems(eval_cli, judge_server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    url, log = judge_server([])
    monkeypatch.setenv("STYRDOK_LLM_BASE_URL", url)
    monkeypatch.setenv("STYRDOK_LLM_MODEL", "domare")
    r = eval_cli("--judge", "--baseline", "--report", str(tmp_path / "rapport"))
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)["parkering"]
    assert summary["styrdok"]["llm_faithfulness"] == summary["baseline"]["llm_faithfulness"] == 0.75
    assert "sentence_support" in summary["styrdok"]
    assert len(_requests(log)) == 2 * (3 + 3)  # two systems × two answered questions × (1 + 2 claims)
    report = (tmp_path / "rapport" / "report.md").read_text(encoding="utf-8")
    assert "| llm_faithfulness | 0.750 | 0.750 | 1.00× |" in report and PLANTED in report
    assert "LLM judge openai:domare" in (tmp_path / "rapport" / "report.html").read_text(encoding="utf-8")
