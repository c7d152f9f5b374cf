"""The `styrdok` command line contract (JSON shapes, batch, exit codes), through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ui.cli import main

pytestmark = pytest.mark.slow

HIT_KEYS = {"rank", "score", "doc_id", "chunk_id", "title", "doc_type", "date", "page", "section", "text", "source",
            "publisher"}  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path, model_cache: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STYRDOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("STYRDOK_MODEL_CACHE", str(model_cache))
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


def test_ingest_search_docs_remove(cli, corpus: Path, tmp_path: Path):
    r = cli("ingest", str(corpus))
    assert r.exit_code == 0, r.output
    assert "Klart:" in r.output and "misslyckade" in r.output

    r = cli("search", "Vilka mål handlar om klimatet?", "--json", "-k", "3")
    out = json.loads(r.output)
    assert out["query"] == "Vilka mål handlar om klimatet?" and len(out["hits"]) == 3
    assert set(out["hits"][0]) == HIT_KEYS
    assert "Mål 5" in out["hits"][0]["section"] or "klimat" in out["hits"][0]["section"].lower()
    assert [h["rank"] for h in out["hits"]] == [1, 2, 3]

    batch = tmp_path / "fragor.txt"
    batch.write_text("Vilka mål handlar om klimatet?\n\nHur ska ekonomin skötas?\nsolceller på skolor\n", "utf-8")
    r = cli("search", "--batch", str(batch), "-k", "2")
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert [x["query"] for x in lines] == ["Vilka mål handlar om klimatet?", "Hur ska ekonomin skötas?",
                                           "solceller på skolor"]  # fmt: skip
    assert all(len(x["hits"]) == 2 for x in lines)

    r = cli("ingest", str(corpus), "--json")
    assert {x["status"] for x in json.loads(r.output)} == {"skipped"}

    docs = json.loads(cli("docs", "--json").output)
    assert len(docs) == len(list(corpus.iterdir()))
    r = cli("remove", docs[0]["doc_id"])
    assert r.exit_code == 0 and "Borttaget" in r.output
    assert len(json.loads(cli("docs", "--json").output)) == len(docs) - 1


def test_failed_file_sets_exit_status(cli, tmp_path: Path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "trasig.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "in" / "bra.txt").write_text("Kommunen ska ha en långsiktigt hållbar ekonomi.", encoding="utf-8")
    r = cli("ingest", str(tmp_path / "in"))
    assert r.exit_code == 1
    assert "✗" in r.output and "trasig.docx" in r.output and "✓" in r.output


def test_empty_query_is_a_clear_error(cli):
    r = cli("search")
    assert r.exit_code == 2 and "Fel:" in r.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["search", "skola", "-k", "100000000000000000000"], "-k ska vara ett antal mellan 1 och 100"),
        (["search", "skola", "-k", "0"], "-k ska vara ett antal mellan 1 och 100, inte 0"),
        (["search", "skola", "-k", "-1"], "-k ska vara ett antal mellan 1 och 100, inte -1"),
        (["search", "skola", "--year", "99999999999999999999"], "--year ska vara ett årtal mellan 1000 och 9999"),
        (["ask", "skola", "--year", "0"], "--year ska vara ett årtal mellan 1000 och 9999, inte 0"),
        (["chat", "--year", "-5"], "--year ska vara ett årtal mellan 1000 och 9999"),
    ],
)
def test_out_of_range_options_are_clear_errors(cli, args, said):
    r = cli(*args)
    assert r.exit_code == 2
    assert f"Fel: {said}" in r.output and "Traceback" not in r.output and "Overflow" not in r.output


def test_the_largest_k_is_accepted(cli, corpus: Path):
    assert cli("ingest", str(corpus)).exit_code == 0
    out = json.loads(cli("search", "mål", "-k", "100", "--json").output)
    assert 5 < len(out["hits"]) <= 100


def test_a_filter_that_matches_nothing_says_so(cli, corpus: Path):
    assert cli("ingest", str(corpus)).exit_code == 0
    r = cli("search", "klimat", "--type", "nonexistent")
    assert r.exit_code == 1
    assert "Inga inlästa dokument passar filtret (typ 'nonexistent')" in r.output
    assert "Dokumenttyper i indexet: " in r.output and "mål" in r.output
    assert "Har du läst in" not in r.output
    r = cli("ask", "Vad gäller för klimatet?", "--year", "1850")
    assert r.exit_code == 1 and "(år 1850)" in r.output and "År i indexet: " in r.output
    assert cli("search", "klimat", "--type", "mål").exit_code == 0  # a filter that matches still searches
    r = cli("search", "klimat", "--publisher", "Regeringen")
    assert r.exit_code == 1 and "(utgivare 'Regeringen')" in r.output
    out = json.loads(cli("search", "solceller", "--utgivare", "Lunds kommun", "--json").output)
    assert out["hits"] and {h["publisher"] for h in out["hits"]} == {"Lunds kommun"}


def test_file_names_cannot_forge_report_lines(cli, tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    forged = "a.txt\n✓ falsk.txt inläst (3 avsnitt)\nKlart: 9 inlästa, 0 överhoppade, 0 misslyckade\x1b[2K.txt"
    (folder / forged).write_bytes(b"")  # empty: fails with a reason, which puts the name in the report
    r = cli("ingest", str(folder))
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert [x for x in lines if x.startswith("✓")] == []
    assert [x for x in lines if x.startswith("Klart:")] == [
        "Klart: 0 inlästa, 0 överhoppade, 1 misslyckade, 0 borttagna."
    ]
    assert "\x1b" not in r.output
    assert "a.txt\\n✓ falsk.txt inläst (3 avsnitt)\\nKlart: 9 inlästa" in r.output and "\\x1b[2K.txt" in r.output
    report = json.loads(cli("ingest", str(folder), "--json").output)
    assert "\n" not in report[0]["path"] and report[0]["status"] == "failed"
