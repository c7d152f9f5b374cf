"""`styrdok ask` and `styrdok chat` through click's runner, over the sample corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ui.cli import main

pytestmark = pytest.mark.slow

CITATION_KEYS = {"n", "doc_id", "chunk_id", "title", "doc_type", "date", "page", "section", "quote", "start", "end",
                 "text", "source", "publisher"}  # fmt: skip


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, model_cache: Path):
    home = tmp_path_factory.mktemp("cli-home")
    env = {"STYRDOK_HOME": str(home), "STYRDOK_MODEL_CACHE": str(model_cache), "STYRDOK_ANSWER_MODE": "extractive",
           "STYRDOK_LLM_BASE_URL": "", "STYRDOK_LLM_MODEL": "", "STYRDOK_LLM_GGUF": ""}  # fmt: skip
    runner = CliRunner(env=env)

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    root = Path(__file__).resolve().parents[2]
    assert run("ingest", str(root / "data" / "exempel")).exit_code == 0
    return run


def test_ask_climate_gives_a_cited_swedish_answer(cli):
    r = cli("ask", "Vilka mål handlar om klimat och miljö?")
    assert r.exit_code == 0
    assert "Mål 5. Lunds kommun ska vara ledande inom miljö och klimat" in r.output
    assert "[1]" in r.output and "Källor:" in r.output
    assert "inte ett beslut" in r.output and "kontrollera" in r.output


def test_ask_parking_is_refused(cli):
    r = cli("ask", "Hur mycket kostar det att parkera i centrum?")
    assert r.exit_code == 0
    # Either kind of refusal: nothing asserted ("osäkert" lists the nearest passages, "inget" only documents).
    assert r.output.startswith(("Jag hittar inget om det i dokumenten.", "Jag hittar inget säkert svar på just det."))
    assert "Källor:" not in r.output


def test_ask_json_follows_the_contract(cli):
    out = json.loads(cli("ask", "Vilka mål handlar om klimat och miljö?", "--json").output)
    assert set(out) == {"question", "answer", "refused", "confidence", "mode", "citations", "notice", "llm"}
    assert out["refused"] is False and out["mode"] == "extractive" and out["confidence"] == "svar"
    assert out["llm"] == {"tried": False, "kept_sentences": 0, "dropped": 0, "fallback_reason": None}
    c = out["citations"][0]
    assert set(c) == CITATION_KEYS and c["n"] == 1
    assert c["text"][c["start"] : c["end"]] == c["quote"]
    refused = json.loads(cli("ask", "Hur mycket kostar det att parkera i centrum?", "--json").output)
    assert refused["refused"] is True and refused["confidence"] in ("osäkert", "inget")
    assert refused["citations"] == [] if refused["confidence"] == "inget" else 1 <= len(refused["citations"]) <= 3


def test_ask_batch_writes_one_line_per_question_in_order(cli, tmp_path: Path):
    f = tmp_path / "fragor.txt"
    f.write_text("Vilka mål handlar om klimat och miljö?\n\nHur mycket kostar det att parkera i centrum?\n", "utf-8")
    lines = [json.loads(x) for x in cli("ask", "--batch", str(f)).output.splitlines()]
    assert [x["question"] for x in lines] == ["Vilka mål handlar om klimat och miljö?",
                                              "Hur mycket kostar det att parkera i centrum?"]  # fmt: skip
    assert [x["refused"] for x in lines] == [False, True]


def test_ask_filters(cli):
    out = json.loads(cli("ask", "Hur mycket el väntas solcellerna producera per år?", "--type", "pressmeddelande",
                         "--json").output)  # fmt: skip
    assert out["citations"] and {c["doc_type"] for c in out["citations"]} == {"pressmeddelande"}


def test_chat_keeps_history_and_starts_over(cli):
    r = cli("chat", input="Vilka mål ingår i Lundaborna i fokus?\nOch vad säger de om ekonomin?\nny\n"
                          "Och vad säger de om ekonomin?\n")  # fmt: skip
    assert r.exit_code == 0
    assert "Tolkat som: Vad säger målen om ekonomin?" in r.output
    assert "Mål 9. Lunds kommun ska ha en långsiktigt hållbar ekonomi" in r.output
    assert "Nytt samtal." in r.output
    assert r.output.count("Tolkat som:") == 1  # after "ny" the follow-up has nothing to lean on
