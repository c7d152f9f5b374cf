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
    assert "## Machine" in md and "ingest_ratio_vs_baseline" in md and "recall@3 change" in md
    res = json.loads((out / "results.json").read_text(encoding="utf-8"))
    row = res["ingest"]["exempel"]
    assert row["baseline"]["chunks"] > 0
    ours = row[res["default_backend"]]
    assert ours["docs"] == 2 and ours["reingest_unchanged"]["texts_embedded"] == 0  # unchanged files: no embedding
    scale = res["scale"]["60"]
    assert scale["chunks"] >= 60 and scale["sentence_vectors"] > 0
    stages = scale["ask"]["stages_p50_ms"]  # where an ask's time goes, the learned gate's share among it
    assert set(stages) == {"retrieve", "candidates", "compose", "assess", "gate_features", "gate_decision"}
    assert stages["retrieve"] > 0 and stages["gate_decision"] > 0
    assert 0 < scale["ask"]["gate_share_of_p50"] < scale["ask"]["answer_selection_share_of_p50"] < 1
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
    # The ratio's quality cost beside it: the default's own vectors, no change
    assert s["ingest_recall3_delta_points"] == {"exempel": 0.0, "verkliga_dev": 0.0, "swequad_dev": 0.0}


@pytest.mark.slow
def test_real_point_is_built_once_and_reported(tmp_path: Path, model_cache: Path, monkeypatch: pytest.MonkeyPatch):
    """`make bench-real` on a tiny stand-in for skala: a sample ingest into a cached index, its figures in the summary,
    and a second run measuring the cached index without ingesting again."""
    from bench import real

    folder = tmp_path / "skala"
    (folder / "a").mkdir(parents=True)
    for name in ("lunds-kommun-mal-2019-sammanfattning.md", "pressmeddelande-solceller-2025.md"):
        shutil.copy(ROOT / "data" / "exempel" / name, folder / "a" / name)
    (folder / "b").mkdir()
    (folder / "b" / "2021-03-uppdrag.md").write_text(
        "# Uppdrag om solceller\n\nRegeringen ger Boverket i uppdrag att se över reglerna för solceller på tak. "
        "Uppdraget ska redovisas senast den 1 mars 2022.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("STYRDOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("STYRDOK_MODEL_CACHE", str(model_cache))
    out = tmp_path / "results"
    args = ["--folder", str(folder), "--limit", "2", "--queries", "2", "--out", str(out)]
    s = real.main(args)
    assert s["real_pages"] == 2 and s["real_sample"] is True  # two of three pages, and said to be a sample
    assert s["real_chunks"] > 0 and s["real_sentence_vectors"] > 0
    assert s["real_ingest_s"] > 0 and s["real_ingest_peak_rss_mb"] > 100
    assert s["real_search_p50_ms"] > 0 and s["real_ask_p50_ms"] > 0 and s["real_filtered_search_p50_ms"] > 0
    assert 0 <= s["real_dense_top10_vs_exact"] <= 1
    assert s["targets"]["real_search_p50_ms"].startswith(("met", "MISSED"))
    home = real.cached(out)
    assert home == real.cache_home(out, 2)
    built = json.loads((home / real.RECORD).read_text())["built"]
    again = real.main(args)  # cached: measured again, not ingested again
    assert json.loads((home / real.RECORD).read_text())["built"] == built
    assert again["real_ingest_s"] == s["real_ingest_s"]
    assert "## Real text" in (out / "summary.md").read_text(encoding="utf-8")
    assert not (out / "work-real").exists()


@pytest.mark.slow
def test_real_ingest_record_counts_the_pages_that_failed(tmp_path: Path, model_cache: Path,
                                                        monkeypatch: pytest.MonkeyPatch):  # fmt: skip
    """`styrdok ingest` exits 1 when some files fail and the rest went in: the benchmark goes on and says so."""
    from bench import real, summary

    folder = tmp_path / "skala"
    folder.mkdir()
    shutil.copy(ROOT / "data" / "exempel" / "pressmeddelande-solceller-2025.md", folder / "a.md")
    (folder / "tom.md").write_bytes(b"")  # refused per file: "filen är tom"
    monkeypatch.setenv("STYRDOK_MODEL_CACHE", str(model_cache))
    work = tmp_path / "work"
    work.mkdir()
    record = real.build(folder, tmp_path / "home", None, work)
    assert record["pages"] == 2 and record["documents"] == 1 and record["failed"] == 1
    assert record["failures"] == [{"file": str(folder / "tom.md"), "message": "filen är tom"}]
    assert json.loads((tmp_path / "home" / real.RECORD).read_text(encoding="utf-8")) == record
    assert summary.headline({"real": {"ingest": record}}, "onnx")["real_failed"] == 1


def test_only_an_ingest_that_read_nothing_or_crashed_stops_the_real_benchmark(tmp_path: Path):
    from bench import real

    report = tmp_path / "report.json"

    def results(*statuses: str) -> Path:
        report.write_text(json.dumps([{"path": f"{i}.md", "status": s, "reason": "skäl" if s == "failed" else "",
                                       "doc_id": "", "chunks": 0} for i, s in enumerate(statuses)]))  # fmt: skip
        return report

    assert real._check_ingest(0, results("ingested", "ingested")) == []
    assert real._check_ingest(1, results("ingested", "failed")) == [{"file": "1.md", "message": "skäl"}]
    with pytest.raises(SystemExit, match="read no file"):
        real._check_ingest(1, results("failed", "failed"))
    with pytest.raises(SystemExit, match="exit code 2"):
        real._check_ingest(2, results("ingested"))
    report.write_text("Traceback ...")
    with pytest.raises(SystemExit, match="exit code 1"):
        real._check_ingest(1, report)


def test_headline_reports_the_real_point_or_how_to_build_it():
    from bench import summary

    real = {"ingest": {"ingest_s": 1200.0, "peak_rss_mb": 700.0, "pages": 4096, "limit": None, "chunks": 9000,
                       "sentence_vectors": 40000, "load_average_before": [1.0, 1.0, 1.0], "failed": 3},
            "search": {"p50_ms": 30.0, "p95_ms": 40.0}, "search_filtered": {"p50_ms": 35.0, "p95_ms": 50.0},
            "ask": {"p50_ms": 300.0, "p95_ms": 400.0}, "dense": {"top10_vs_exact": {"unfiltered": 0.98, "ours": 1.0}}}  # fmt: skip
    s = summary.headline({"real": real, "process": {"ui": {"onnx": {"rss_after_first_ask_mb": 480.0}}}}, "onnx")
    assert (s["real_ingest_s"], s["real_search_p50_ms"], s["real_ask_p50_ms"]) == (1200.0, 30.0, 300.0)
    assert s["real_sample"] is False and s["real_dense_top10_vs_exact"] == 0.98
    assert s["real_pages"] == 4096 and s["real_failed"] == 3
    assert s["targets"]["real_search_p50_ms"].startswith("met")
    assert s["targets"]["real_ask_p50_ms"].startswith("MISSED")
    assert s["targets"]["ui_rss_mb"].startswith("met")  # the RSS after the first answer is the one judged
    assert s["targets"]["cold_start_s"] == "not measured"
    missing = summary.headline({"real": {"not_measured": "build it with make bench-real"}}, "onnx")
    assert missing["real_ingest_s"] is None and missing["real_failed"] is None
    assert "make bench-real" in missing["real_not_measured"]
    assert "make bench-real" in summary.markdown({"real": {"not_measured": "build it with make bench-real"}}, missing)
