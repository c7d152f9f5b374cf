"""Real-text scale (`make bench-real`): the 4,096 regeringen.se pages of ../shared/data/skala ingested by
`styrdok ingest` into a fresh index, then searched and asked like bench/scale.py's synthetic fixtures.

Reports ingest time and peak RSS (the whole process, as a user runs it), chunk and vector counts, search / filtered
search / ask p50 and p95, and the dense top-10 agreement with an exact brute-force ranking. The built index is cached
under bench/results/cache/real-<all|N> with its ingest record, so `make bench` re-measures the queries on it without
ingesting again; `--limit N` ingests an evenly spread sample of N pages (for development; the figures say so).
Queries are the pages' own titles (distinct, real wording, every topic of the corpus): they measure latency, not
relevance. The filter is one publication year (the corpus spans 2019–2023).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

DEFAULT_SKALA = common.ROOT.parent / "shared" / "data" / "skala"
RECORD = "bench-real.json"  # the ingest record, written last into the cached home: marks it complete
FILTER_YEAR = 2021
FAILURES_KEPT = 5  # failed files named in the record (all are counted)
BUILD_HINT = "make bench-real (ingests ../shared/data/skala once, about an hour on 2 busy cores; LIMIT=N for a sample)"


def cache_home(out: Path, limit: int | None) -> Path:
    return out / "cache" / f"real-{limit or 'all'}"


def pick(folder: Path, limit: int | None) -> list[Path]:
    """Every Markdown page under `folder`, or `limit` of them spread evenly over the sorted list (both kinds, every
    year)."""
    files = sorted(folder.rglob("*.md"))
    files = [f for f in files if f.name != "README.md"]
    if limit and limit < len(files):
        step = len(files) / limit
        files = [files[int(i * step)] for i in range(limit)]
    return files


def build(folder: Path, home: Path, limit: int | None, work: Path) -> dict:
    """A fresh index of `folder` (or a sample of it) at `home` by the `styrdok ingest` command; the ingest record."""
    files = pick(folder, limit)
    if not files:
        raise SystemExit(f"no Markdown pages under {folder}")
    src = folder
    if limit:
        src = work / f"skala-{limit}"
        shutil.rmtree(src, ignore_errors=True)
        for f in files:
            dst = src / f.relative_to(folder)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dst)
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    load_before = [round(x, 2) for x in os.getloadavg()]
    common.log(f"real: ingesting {len(files)} pages of {folder} into {home} (load {load_before})")
    report = work / "ingest-report.json"
    peak, secs, rc = common.peak_rss_mb([str(common.VENV_BIN / "styrdok"), "ingest", str(src), "--json"],
                                        common.child_env(home), timeout=6 * 3600, stdout=report)  # fmt: skip
    failures = _check_ingest(rc, report)
    counts = _counts(home)
    record = {"folder": str(folder), "pages": len(files), "limit": limit, "ingest_s": round(secs, 1),
              "peak_rss_mb": round(peak, 1), "load_average_before": load_before,
              "load_average_after": [round(x, 2) for x in os.getloadavg()], "cpu_count": os.cpu_count(),
              "built": time.strftime("%Y-%m-%d %H:%M:%S"), "failed": len(failures),
              "failures": failures[:FAILURES_KEPT], **counts}  # fmt: skip
    (home / RECORD).write_text(json.dumps(record, indent=2), encoding="utf-8")
    if limit:
        shutil.rmtree(src, ignore_errors=True)
    return record


def _check_ingest(rc: int, report: Path) -> list[dict]:
    """The files `styrdok ingest --json` reported failed ({"file", "message"}), or SystemExit when the ingest as a
    whole failed: exit 1 only says some files failed (the rest went in), so only a run that ingested nothing, or
    another exit code, ends the benchmark."""
    try:
        results = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = None
    if rc not in (0, 1) or not isinstance(results, list):
        raise SystemExit(f"styrdok ingest failed with exit code {rc}")
    if not any(r.get("status") == "ingested" for r in results):
        raise SystemExit(f"styrdok ingest read no file in (exit code {rc})")
    return [{"file": r.get("path"), "message": r.get("reason")} for r in results if r.get("status") == "failed"]


def _counts(home: Path) -> dict:
    from index.catalog import Catalog
    from index.store import VectorStore

    s = common.settings_for(home)
    cat = Catalog(s.catalog_path)
    try:
        model_id, _, dim = (cat.get_meta("model") or "").rpartition("|")
        store = VectorStore(path=s.chroma_dir, collection=s.collection)
        store.open(model_id, int(dim))
        return {"documents": len(cat.documents()), "chunks": cat.count_chunks(), "chunk_vectors": store.count(),
                "sentence_vectors": store.sent.count()}  # fmt: skip
    finally:
        cat.close()


def queries(home: Path, n: int) -> list[str]:
    """`n` distinct page titles, spread over the catalog."""
    from index.catalog import Catalog

    cat = Catalog(common.settings_for(home).catalog_path)
    try:
        titles = list(dict.fromkeys(d.title for d in sorted(cat.documents(), key=lambda d: d.doc_id) if d.title))
    finally:
        cat.close()
    step = max(1, len(titles) // max(1, n))
    return titles[::step][:n]


def measure(home: Path, embedder, n_queries: int) -> dict:  # noqa: ANN001 - index.embedder.Embedder
    """The query side on a built real index (bench/scale.py's measure, filter: one year)."""
    from bench import scale

    record = json.loads((home / RECORD).read_text(encoding="utf-8"))
    qs = queries(home, n_queries)
    year, scale.FILTER_YEAR = scale.FILTER_YEAR, FILTER_YEAR
    try:
        row = scale.measure(common.settings_for(home), embedder, qs)
    finally:
        scale.FILTER_YEAR = year
    row.update(ingest=record, queries=len(qs), filter={"year": FILTER_YEAR}, home=str(home))
    return row


def cached(out: Path) -> Path | None:
    """The full corpus's cached index if built (else the largest sample), or None."""
    homes = [h for h in (out / "cache").glob("real-*") if (h / RECORD).exists()]
    full = [h for h in homes if h.name == "real-all"]
    if full:
        return full[0]
    return max(homes, key=lambda h: int(h.name.split("-")[1]), default=None)


def run(out: Path, folder: Path, limit: int | None, n_queries: int, rebuild: bool) -> dict:
    from bench import embed_bench

    home = cache_home(out, limit)
    work = out / "work-real"
    work.mkdir(parents=True, exist_ok=True)
    try:
        if rebuild or not (home / RECORD).exists():
            build(folder, home, limit, work)
        else:
            common.log(f"real: using the cached index {home}")
        from index.config import Settings

        emb = embed_bench.embedder(work / "models-probe", Settings.from_env().embed_backend)
        return measure(home, emb, n_queries)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def merge_into_summary(out: Path, real: dict) -> dict:
    """Put the real-text point into results.json and rewrite summary.json / summary.md (other parts kept)."""
    from bench import summary

    path = out / "results.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"machine": common.machine()}
    results["real"] = real
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    from index.config import Settings

    s = summary.headline(results, results.get("default_backend") or Settings.from_env().embed_backend)
    summary.write(out, results, s)
    return s


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--folder", type=Path, default=Path(os.environ.get("STYRDOK_SKALA", DEFAULT_SKALA)))
    p.add_argument("--limit", type=int, help="ingest only N pages spread over the corpus (a separate cached index)")
    p.add_argument("--queries", type=int, default=40, help="distinct questions per latency measurement")
    p.add_argument("--rebuild", action="store_true", help="ingest again even when the cached index exists")
    p.add_argument("--out", type=Path, default=common.RESULTS)
    a = p.parse_args(argv)
    from index.config import set_offline_defaults

    set_offline_defaults()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not a.folder.is_dir():
        raise SystemExit(f"{a.folder} is missing (the skala corpus: ../shared/data/skala beside the repository)")
    a.out.mkdir(parents=True, exist_ok=True)
    real = run(a.out, a.folder, a.limit, a.queries, a.rebuild)
    (a.out / "real.json").write_text(json.dumps(real, ensure_ascii=False, indent=2), encoding="utf-8")
    return merge_into_summary(a.out, real)


if __name__ == "__main__":
    s = main()
    print(json.dumps({k: v for k, v in s.items() if k.startswith("real_") or k == "targets"}, ensure_ascii=False,
                     indent=2))  # fmt: skip
