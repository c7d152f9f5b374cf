"""Issue 16's ingest routes, timed round-robin in one process against the LangChain baseline on the same files.

A route is "<embed backend>" or "<embed backend>+<sentence backend>" (Settings.sentence_backend,
STYRDOK_SENTENCE_BACKEND): chunk vectors by the first, sentence vectors by the second, e.g. "onnx+static" (static
vectors distilled from the project's e5-small, index/static_backend.py) or "onnx+ct2-int8" (fp32 chunks, int8
sentences).

    .venv/bin/python -m bench.routes [--contexts 30] [--repeats 3] [--routes onnx,onnx+static] [--out FILE]

Quality of a route: `styrdok eval` with STYRDOK_EMBED_BACKEND / STYRDOK_SENTENCE_BACKEND set the same way
(docs/scaling.md, "Issue 16 routes").
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import interleaved, log
from bench.ingest_bench import baseline, ours, swequad_subset

ROUTES = ("onnx", "onnx-int8", "ct2", "ct2-int8", "onnx+ct2-int8", "ct2+ct2-int8", "onnx+static", "ct2+static")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--swequad", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/swequad-mc")
    p.add_argument("--contexts", type=int, default=30)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="threads for every pipeline, the baseline's torch too")
    p.add_argument("--out", type=Path, default=Path("bench/results/routes.json"))
    p.add_argument("--routes", default=os.environ.get("STYRDOK_ROUTES", ""), help="comma list (default: all)")
    p.add_argument("--corpus", type=Path, help="this folder instead of the SweQUAD-MC contexts")
    a = p.parse_args()

    from bench.embed_bench import embedder

    work = Path(tempfile.mkdtemp(prefix="styrdok-routes-"))
    folder = a.corpus or swequad_subset(a.swequad, work / "corpus", a.contexts)
    routes = [r.strip() for r in a.routes.split(",") if r.strip()] if a.routes else list(ROUTES)
    if "onnx" not in routes:
        routes.insert(0, "onnx")  # the reference of ratio_vs_onnx
    embs = {b: embedder(work / "probe", b, a.threads) for b in {r.partition("+")[0] for r in routes}}
    rows: dict = {}
    counts: dict[str, int] = {}

    def once(route: str) -> float:
        if route == "baseline":
            rows[route] = baseline(folder, embs["onnx"].model_path(), a.threads)
            return rows[route]["seconds"]
        b, _, sent = route.partition("+")
        counts[route] = counts.get(route, 0) + 1
        t = time.perf_counter()
        rows[route] = ours(folder, work / f"{route}-{counts[route]}", embs[b], sentence_backend=sent)
        log(f"{route}: {rows[route]['seconds']} s ({time.perf_counter() - t:.1f} s with loading)")
        return rows[route]["seconds"]

    log(f"routes: {routes} on {folder}, {a.repeats} round-robin repeats, load {os.getloadavg()}")
    secs = interleaved(["baseline", *routes], a.repeats, once)
    out = {"corpus": str(folder), "threads": a.threads, "repeats": a.repeats, "seconds": secs, "routes": {},
           "load_average_end": os.getloadavg()}  # fmt: skip
    for r in routes:
        per = [round(b / s, 2) for b, s in zip(secs["baseline"], secs[r], strict=True)]
        row = rows[r]
        out["routes"][r] = {
            "ratio_vs_baseline_per_repeat": per, "ratio_vs_baseline_median": float(np.median(per)),
            "ratio_vs_onnx_median": float(np.median([o / s for o, s in zip(secs["onnx"], secs[r], strict=True)])),
            "chunks": row["chunks"], "sentence_vectors": row["sentence_vectors"],
            "texts_embedded": row["texts_embedded"], "sentence_texts_embedded": row.get("sentence_texts_embedded"),
        }  # fmt: skip
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(json.dumps(out["routes"], indent=2))


if __name__ == "__main__":
    main()
