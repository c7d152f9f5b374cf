"""The benchmark runs end to end on a tiny corpus and writes the summary with every required key (no timings are
asserted: they depend on the machine and its load)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _importable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(ROOT))  # bench/ is a folder of the repository, not an installed package


@pytest.mark.slow
def test_quick_bench_writes_the_summary(tmp_path: Path, model_cache: Path, monkeypatch: pytest.MonkeyPatch):
    from bench import run, summary

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("lunds-kommun-mal-2019-sammanfattning.md", "pressmeddelande-solceller-2025.md"):
        shutil.copy(ROOT / "data" / "exempel" / name, corpus / name)
    monkeypatch.setenv("STYRDOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("STYRDOK_MODEL_CACHE", str(model_cache))
    out = tmp_path / "results"
    run.main(["--quick", "--parts", "ingest,scale", "--corpus", str(corpus), "--swequad", str(tmp_path / "none"),
              "--scales", "60", "--queries", "2", "--out", str(out)])  # fmt: skip

    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summary.REQUIRED) <= set(s)
    assert s["ingest_ratio_vs_baseline"] is not None
    assert s["filtered_over_unfiltered_p50"] is not None
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Machine" in md and "ingest_ratio_vs_baseline" in md
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    row = res["ingest"]["exempel"]
    assert row["baseline"]["chunks"] > 0
    ours = row[res["default_backend"]]
    assert ours["docs"] == 2 and ours["reingest_unchanged"]["texts_embedded"] == 0  # unchanged files: no embedding
    scale = res["scale"]["60"]
    assert scale["chunks"] >= 60 and scale["sentence_vectors"] > 0
    assert not (out / "work").exists()  # temporary indexes are removed


def test_headline_reads_the_100k_row_and_judges_the_targets():
    from bench import summary

    results = {
        "ingest": {"exempel": {"onnx": {"ratio_vs_baseline": 2.5}}},
        "scale": {"1000": {"filtered_over_unfiltered_p50": 1.1},
                  "100000": {"search": {"p50_ms": 60.0}, "ask": {"p50_ms": 120.0}, "filtered_over_unfiltered_p50": 2.0}},
        "process": {"cold_search": {"onnx": {"first_result_p50_s": 1.5}},
                    "ui": {"onnx": {"rss_after_first_search_mb": 600.0}}},
    }  # fmt: skip
    s = summary.headline(results, "onnx")
    assert s["search_p50_ms_100k"] == 60.0 and s["filtered_over_unfiltered_p50"] == 2.0
    assert s["targets"]["ingest_ratio_vs_baseline"].startswith("met")
    assert s["targets"]["search_p50_ms_100k"].startswith("MISSED")
    assert s["targets"]["ask_p50_ms_100k"].startswith("met")
    assert s["cold_start_s"] == 1.5 and s["ui_rss_mb"] == 600.0
