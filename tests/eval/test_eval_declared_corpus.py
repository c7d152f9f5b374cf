"""`styrdok eval --set X --split test --baseline` on a set with a declared corpus: a few real verkliga files, the real
model, both pipelines, the index cached between runs, gold documents matched by their path under the corpus root."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from eval.corpus import shared_root

pytestmark = pytest.mark.slow

SEED = "seeds/000_b4f07bea39e3c847.txt"
PM = "data/verkliga/regeringen/pressmeddelanden/"
FILES = [
    SEED,
    PM + "okat-stod-till-kommunernas-brottsforebyggande-arbete.md",
    PM + "forslag-pa-ny-cirkular-hantering-av-textil-och-textilavfall.md",
]
QUESTIONS = [
    {"id": "t1", "question": "Vilket av kommunens mål handlar om klimat och miljö?", "group": "resident",
     "answerable": True, "gold_doc": SEED, "gold_goal": 5, "evidence": "Lunds kommun ska vara ledande inom miljö och klimat",
     "key_fact": "ledande inom miljö och klimat", "kind": "goal", "split": "test"},
    {"id": "t2", "question": "Vem fördelar statsbidraget för brottsförebyggande åtgärder?", "group": "staff",
     "answerable": True, "gold_doc": FILES[1], "gold_goal": None, "evidence": "som ska fördelas av Brottsförebyggande rådet",
     "key_fact": "Brottsförebyggande rådet", "kind": "name", "split": "test"},
    # The same wording under another path: a hit from the real file must not count for a gold_doc it is not.
    {"id": "t3", "question": "Vem ska ansvara för att samla in textilavfall?", "group": "resident",
     "answerable": True, "gold_doc": "andra/" + Path(FILES[2]).name, "gold_goal": None,
     "evidence": "kommunerna bör ha ansvar för insamlingen av textilavfall", "key_fact": "kommunerna",
     "kind": "fact", "split": "test"},
    {"id": "t4", "question": "När har återvinningscentralen öppet?", "group": "resident", "answerable": False,
     "gold_doc": None, "gold_goal": None, "evidence": None, "key_fact": None, "kind": "offcorpus", "split": "test"},
    {"id": "d1", "question": "När börjar EU:s krav på separat insamling av textilavfall gälla?", "group": "staff",
     "answerable": True, "gold_doc": FILES[2], "gold_goal": None, "evidence": "som börjar gälla från den 1 januari 2025",
     "key_fact": "1 januari 2025", "kind": "date", "split": "dev"},
]  # fmt: skip


@pytest.fixture
def tiny(tmp_path: Path, model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of three real files under a shared root of its own, and a set declaring them as its corpus."""
    src = shared_root()
    assert all((src / f).exists() for f in FILES), f"the shared material is missing under {src} (STYRDOK_SHARED)"
    shared = tmp_path / "shared"
    for f in FILES:
        (shared / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src / f, shared / f)
    sets = tmp_path / "sets"
    sets.mkdir()
    (sets / "liten.corpus.toml").write_text(
        'root = "shared"\npaths = ["seeds/000_b4f07bea39e3c847.txt", "data/verkliga/regeringen"]\n', encoding="utf-8"
    )
    qfile = sets / "liten.jsonl"
    qfile.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    for k in ("STYRDOK_LLM_BASE_URL", "STYRDOK_LLM_MODEL", "STYRDOK_ANSWER_MODE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("STYRDOK_SHARED", str(shared))
    monkeypatch.setenv("STYRDOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("STYRDOK_MODEL_CACHE", str(model_cache))
    monkeypatch.setenv("STYRDOK_EVAL_CACHE", str(tmp_path / "cache"))
    return qfile


def _run(qfile: Path, report: Path):  # noqa: ANN202
    from ui.cli import main

    args = ["eval", "--set", str(qfile), "--split", "test", "--baseline", "--json", "--report", str(report)]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_eval_runs_a_split_over_a_declared_corpus_with_both_pipelines(tiny: Path, tmp_path: Path):
    r = _run(tiny, tmp_path / "r1")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)["liten-test"]
    ours, base = summary["styrdok"], summary["baseline"]
    assert base is not None
    # t1 and t2 are found by both; t3's wording is only in a document that is not its gold_doc.
    assert ours["recall@10"] == pytest.approx(2 / 3, abs=1e-3) == base["recall@10"]
    assert ours["refusal_accuracy"] == 1.0 and base["refusal_accuracy"] == 0.0  # the baseline never refuses
    rows = json.loads((tmp_path / "r1" / "results.json").read_text(encoding="utf-8"))["liten-test"]["styrdok"]["rows"]
    assert [row["id"] for row in rows] == ["t1", "t2", "t3", "t4"]  # the dev question is not asked
    assert rows[1]["retrieval"]["top"][0].startswith(FILES[1])  # hits are named by their path under the root

    cached = list((tmp_path / "cache").iterdir())
    assert len(cached) == 1 and (cached[0] / "complete").exists()
    built = (cached[0] / "complete").stat().st_mtime_ns
    again = _run(tiny, tmp_path / "r2")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["liten-test"]["styrdok"] == ours
    assert list((tmp_path / "cache").iterdir()) == cached and (cached[0] / "complete").stat().st_mtime_ns == built


def test_eval_says_where_the_corpus_is_missing(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STYRDOK_SHARED", str(tmp_path / "finns-inte"))
    r = _run(tiny, tmp_path / "r")
    assert r.exit_code != 0
    assert "finns inte" in r.output and "STYRDOK_SHARED" in r.output
