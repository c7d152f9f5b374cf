"""Issue 16's ingest routes, timed round-robin in one process against the LangChain baseline on the same files:
the embedding backends (onnx fp32, onnx-int8, ct2-int8) and, with --m2v FOLDER, static sentence vectors (a model2vec
model distilled from the project's e5-small) in place of the transformer pass for the per-sentence vectors.

    .venv/bin/python -m bench.routes [--contexts 30] [--repeats 3] [--m2v /path/to/distilled] [--out FILE]

The m2v route is an experiment, not a styrdok setting: search and answers would also have to embed the question with
the static model for the sentence collection; its quality was measured with the same patch (docs/scaling.md).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from bench.common import interleaved, log
from bench.ingest_bench import baseline, ours, swequad_subset


@contextlib.contextmanager
def static_sentences(folder: Path) -> Iterator[dict]:
    """While active, Index._write embeds the sentence units with the static model (its second embedding call)."""
    from model2vec import StaticModel

    import index.engine as engine

    model = StaticModel.from_pretrained(str(folder))
    stats = {"texts": 0, "seconds": 0.0}
    orig = engine.Index._write

    def static_encode(texts: list[str]) -> np.ndarray:
        t = time.perf_counter()
        v = model.encode(list(texts)).astype(np.float32) if texts else np.zeros((0, model.dim), np.float32)
        v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        stats["texts"] += len(texts)
        stats["seconds"] += time.perf_counter() - t
        return v

    def write(self, doc, existing):  # noqa: ANN001, ANN202
        emb, calls = self.embedder, [0]
        plain = emb.embed_passages

        def embed(texts, *a, **kw):  # noqa: ANN001, ANN202
            calls[0] += 1
            return static_encode(texts) if calls[0] == 2 else plain(texts, *a, **kw)

        emb.embed_passages = embed
        try:
            return orig(self, doc, existing)
        finally:
            del emb.embed_passages

    engine.Index._write = write
    try:
        yield stats
    finally:
        engine.Index._write = orig


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--swequad", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/swequad-mc")
    p.add_argument("--contexts", type=int, default=30)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="threads for every pipeline, the baseline's torch too")
    p.add_argument("--m2v", type=Path, help="a distilled model2vec folder: adds the static-sentence routes")
    p.add_argument("--out", type=Path, default=Path("bench/results/routes.json"))
    p.add_argument("--routes", default=os.environ.get("STYRDOK_ROUTES", ""), help="comma list (default: all)")
    a = p.parse_args()

    from bench.embed_bench import embedder

    work = Path(tempfile.mkdtemp(prefix="styrdok-routes-"))
    folder = swequad_subset(a.swequad, work / "corpus", a.contexts)
    backends = ("onnx", "onnx-int8", "ct2", "ct2-int8")
    routes = [*backends] + ([f"{b}+m2v" for b in ("onnx", "ct2-int8")] if a.m2v else [])
    if a.routes:
        routes = [r for r in routes if r in a.routes.split(",")]
        backends = tuple(b for b in backends if b in {r.partition("+")[0] for r in routes} | {"onnx"})
    embs = {b: embedder(work / "probe", b, a.threads) for b in backends}
    rows: dict = {}
    m2v_stats: dict = {}

    def once(route: str) -> float:
        if route == "baseline":
            rows[route] = baseline(folder, embs["onnx"].model_path(), a.threads)
            return rows[route]["seconds"]
        b, _, extra = route.partition("+")
        home = work / f"{route}-{len(rows.get('_n', {}).get(route, []))}"
        rows.setdefault("_n", {}).setdefault(route, []).append(home)
        ctx = static_sentences(a.m2v) if extra == "m2v" else contextlib.nullcontext({})
        with ctx as stats:
            rows[route] = ours(folder, home, embs[b])
        if stats:
            m2v_stats[route] = dict(stats)
        return rows[route]["seconds"]

    log(f"routes: {routes} on {a.contexts} SweQUAD-MC contexts, {a.repeats} round-robin repeats")
    secs = interleaved(["baseline", *routes], a.repeats, once)
    out = {"contexts": a.contexts, "threads": a.threads, "repeats": a.repeats, "seconds": secs, "routes": {}}
    for r in routes:
        per = [round(b / s, 2) for b, s in zip(secs["baseline"], secs[r], strict=True)]
        row = rows[r]
        out["routes"][r] = {
            "ratio_vs_baseline_per_repeat": per, "ratio_vs_baseline_median": float(np.median(per)),
            "ratio_vs_onnx_median": float(np.median([o / s for o, s in zip(secs["onnx"], secs[r], strict=True)])),
            "chunks": row["chunks"], "sentence_vectors": row["sentence_vectors"],
            "texts_embedded": row["texts_embedded"], **({"static": m2v_stats[r]} if r in m2v_stats else {}),
        }  # fmt: skip
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(json.dumps(out["routes"], indent=2))


if __name__ == "__main__":
    main()
