"""`make bench`: styrdok's speed against a baseline measured in the same run, and how it scales.

Parts (all by default; pick with --parts): embed (backends, batch size, threads), ingest (ours vs LangChain, on the
sample corpus and pooled SweQUAD-MC passages), scale (search / ask latency at 1k, 10k, 100k chunks, embedded Chroma),
server (the same through a `chroma run` server), process (cold start, --help/docs, peak RSS of ingest and of the web
UI), real (query latency on the cached real-text index of `make bench-real`, bench/real.py; only says how to
build it when it is missing), quality (recall per backend via `styrdok eval`; opt-in, slow). Writes bench/results/<part>.json, results.json,
summary.json and summary.md. --quick: small sizes, for a smoke run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script (python bench/run.py): make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common, summary  # noqa: E402

PARTS = ("embed", "ingest", "scale", "server", "process", "real")
DEFAULT_SWEQUAD = common.ROOT.parent / "shared" / "data" / "swequad-mc"
QUALITY_METRICS = ("recall@1", "recall@3", "recall@5", "mrr", "key_fact", "refusal_accuracy", "false_refusal_rate")


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes (a smoke run of every part)")
    p.add_argument("--parts", default=",".join(PARTS), help=f"comma list of {', '.join(PARTS)}, quality")
    p.add_argument("--swequad", type=Path, default=Path(os.environ.get("STYRDOK_SWEQUAD", DEFAULT_SWEQUAD)))
    p.add_argument("--contexts", type=int, help="SweQUAD-MC contexts to ingest (default 30; quick 6)")
    p.add_argument("--scales", help="comma list of chunk counts (default 1000,10000,100000; quick 1000)")
    p.add_argument("--server-scales", help="chunk counts for server mode (default 1000,10000; quick 1000)")
    p.add_argument("--queries", type=int, help="distinct questions per latency measurement (default 40; quick 8)")
    p.add_argument("--corpus", type=Path, help="ingest this folder instead of data/exempel (tests use a tiny one)")
    p.add_argument("--out", type=Path, default=common.RESULTS)
    p.add_argument("--no-cache", action="store_true", help="rebuild the largest scale fixture even when cached")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    a = parse(argv)
    from index.config import set_offline_defaults

    set_offline_defaults()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    parts = [x.strip() for x in a.parts.split(",") if x.strip()]
    quick = a.quick
    scales = [int(x) for x in (a.scales or ("1000" if quick else "1000,10000,100000")).split(",")]
    server_scales = [int(x) for x in (a.server_scales or ("1000" if quick else "1000,10000")).split(",")]
    n_queries = a.queries or (8 if quick else 40)
    n_contexts = a.contexts or (6 if quick else 30)
    corpus = a.corpus or common.EXEMPEL
    out = a.out
    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.time()
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": quick, "parts": parts,
                     "machine": common.machine(), "notes": []}  # fmt: skip
    from index.config import Settings

    default_backend = Settings.from_env().embed_backend
    results["default_backend"] = default_backend
    try:
        _run_parts(a, results, parts, work, corpus, default_backend, quick, scales, server_scales, n_queries,
                   n_contexts)  # fmt: skip
    finally:
        results["seconds"] = round(time.time() - started, 1)
        results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        s = summary.headline(results, default_backend)
        summary.write(out, results, s)
        shutil.rmtree(work, ignore_errors=True)
    common.log(f"done in {results['seconds']} s: {out / 'summary.md'}")
    return s


def _run_parts(a, results: dict, parts: list[str], work: Path, corpus: Path, default_backend: str, quick: bool,
               scales: list[int], server_scales: list[int], n_queries: int, n_contexts: int) -> None:  # fmt: skip
    from bench import embed_bench, ingest_bench, process_bench, real, scale

    def save(name: str, data: object) -> None:
        results[name] = data
        (a.out / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")

    backends = ("ct2-int8", "onnx-int8", "onnx", "torch") if not quick else (default_backend, "torch")
    backends = tuple(dict.fromkeys((default_backend, *backends)))
    # Load every backend once (converting / exporting the model the first time: a one-off, timed apart).
    embedders, one_off = {}, {}
    for b in backends:
        t = time.perf_counter()
        embedders[b] = embed_bench.embedder(work / "models-probe", b)
        one_off[b] = round(time.perf_counter() - t, 1)
    results["model_load_s"] = one_off
    torch_threads = 1
    if "embed" in parts:
        common.log("part embed")
        save("embed", embed_bench.run(work / "embed", quick, embedders))
        th = results["embed"]["threads"]
        torch_threads = 2 if th["torch/2"]["batch_passages_per_s"] > th["torch/1"]["batch_passages_per_s"] else 1
    base_home = None
    if "ingest" in parts or "scale" in parts or "server" in parts or "process" in parts:
        common.log("part ingest")
        corpora, note = ingest_bench.default_corpora(work, a.swequad, n_contexts)
        if a.corpus:
            corpora = {"exempel": corpus}
        if note:
            results["notes"].append(note)
        if "ingest" not in parts:  # later parts need a built index of the sample corpus, nothing else
            corpora = {"exempel": corpora["exempel"]}
            ours = {default_backend: embedders[default_backend]}
            home = work / f"exempel-{default_backend}"
            res = {"exempel": {default_backend: {**ingest_bench.ours(corpora["exempel"], home, embedders[default_backend]),
                                                 "home": str(home)}}}  # fmt: skip
        else:
            ours = {b: embedders[b] for b in backends}
            res = ingest_bench.run(work, ours, corpora, torch_threads, keep=default_backend, repeats=1 if quick else 3)
            save("ingest", res)
        base_home = Path(res["exempel"][default_backend]["home"])
    queries = common.questions(n_queries)
    emb = embedders[default_backend]
    if "scale" in parts or "server" in parts:
        base = scale.load_base(base_home)
        results["notes"].append(
            f"Scale fixtures: {base.n_chunks} real chunks of {len(base.docs)} sample documents replicated with varied "
            "doc ids/years/types/organs; vectors are the real embeddings plus noise (made cheaply), text, FTS and "
            f"fusion are real. Filter: year = {scale.FILTER_YEAR} (about 1/12 of the documents)."
        )
    if "scale" in parts:
        common.log("part scale")
        cache = None if a.no_cache else a.out / "cache" / f"scale-{scale.cache_key(base, scales[-1])}"
        save("scale", scale.run_scales(work, base, emb, queries, scales, cache=cache if scales[-1] >= 50_000 else None))
    if "server" in parts:
        common.log("part server")
        srv = common.ChromaServer(work / "chroma-server")
        try:
            save("server", scale.run_scales(work, base, emb, queries, server_scales, url=srv.url, label="server"))
        finally:
            srv.stop()
    if "process" in parts:
        common.log("part process")
        reps = 2 if quick else 3
        p = {"startup": process_bench.startup(base_home, reps),
             "cold_search": process_bench.cold_search(base_home, 5 if quick else 9,
                                                      backends if not quick else (default_backend,)),
             "ingest_rss": process_bench.ingest_rss(work, (default_backend,) if quick else (default_backend, "torch"),
                                                    corpus),
             "ui": {b: process_bench.ui_rss(base_home, b) for b in ((default_backend,) if quick else
                                                                    (default_backend, "torch"))}}  # fmt: skip
        save("process", p)
    if "real" in parts:
        common.log("part real")
        home = real.cached(a.out)
        if home is None:
            note = f"real-text point not measured: no cached index; build it with {real.BUILD_HINT}"
            common.log(note)
            results["notes"].append(note)
            save("real", {"not_measured": note})
        else:
            save("real", real.measure(home, emb, n_queries))
    if "quality" in parts:
        common.log("part quality (styrdok eval per backend)")
        save("quality", quality(work, ("torch", "onnx", "onnx-int8", "ct2-int8")))


def quality(work: Path, backends: tuple[str, ...]) -> dict:
    """`styrdok eval --json` on eval/sets/exempel.jsonl with each backend, each in its own home (the eval reuses an
    index it built before, so one home per backend keeps vectors from mixing)."""
    out = {}
    for b in backends:
        env = common.child_env(work / f"quality-{b}", STYRDOK_EMBED_BACKEND=b)
        from index.config import Settings

        env["STYRDOK_MODEL_CACHE"] = str(Settings.from_env().models_dir)
        res = subprocess.run([str(common.VENV_BIN / "styrdok"), "eval", "--json"], env=env, capture_output=True,
                             text=True, timeout=1800)  # fmt: skip
        data = json.loads(res.stdout)
        out[b] = {k: v for k, v in next(iter(data.values()))["styrdok"].items() if k in QUALITY_METRICS}
    return {"metrics": list(QUALITY_METRICS), "backends": out}


if __name__ == "__main__":
    s = main()
    print(json.dumps(s, ensure_ascii=False, indent=2))
