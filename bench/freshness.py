"""What keeping a long-lived reader current costs (index/stores.py `Stores.fresh`): the change-marker check every
search pays, and the vector store reopen paid once after another process wrote.

Builds a catalog and an embedded Chroma store of N chunks (random unit vectors: the cost does not depend on the
model) with 4 sentence vectors each, in D documents, then times `Stores.fresh()` with nothing changed, and
`VectorStore.reopened()` + `open()` (the reload after a write). Writes bench/results/freshness.json.

    python -m bench.freshness [--chunks 10000] [--docs 500]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import RESULTS, latency_stats, log

DIM = 384


class _NoModel:
    """Stands in for the embedder: `_fresh` asks only for the model's id and size."""

    model_id, dim = "bench-random", DIM


def build(home: Path, n_chunks: int, n_docs: int):  # noqa: ANN201
    from index.catalog import DocRecord
    from index.config import Settings
    from index.engine import Index
    from ingest.model import Chunk, ChunkMeta

    idx = Index(Settings(home=home), embedder=_NoModel())  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    per_doc = n_chunks // n_docs
    for d in range(n_docs):
        doc_id = f"{d:016x}"
        chunks = [
            Chunk(f"{doc_id}:{i:04d}", f"Mål {d}.{i}: kommunen ska minska utsläppen med {i} procent.",
                  ChunkMeta(doc_id, f"Dokument {d}", "mål", f"/x/{d}.md", year=2020 + d % 6, chunk_index=i))
            for i in range(per_doc)
        ]  # fmt: skip
        vec = rng.normal(size=(per_doc, DIM)).astype(np.float32)
        vec /= np.linalg.norm(vec, axis=1, keepdims=True)
        sent = np.repeat(vec, 4, axis=0)
        idx.store.add([c.chunk_id for c in chunks], vec, [c.text for c in chunks], [c.meta.to_dict() for c in chunks])
        idx.store.add_sentences([c.chunk_id for c in chunks for _ in range(4)], sent,
                                [c.meta.to_dict() for c in chunks for _ in range(4)])  # fmt: skip
        rec = DocRecord(doc_id, f"/x/{d}.md", doc_id * 4, f"Dokument {d}", "mål", "", 2020 + d % 6, "", per_doc)
        idx.catalog.replace_document(rec, chunks, None, [4] * per_doc)
    return idx


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.monotonic()
        idx = build(Path(tmp), args.chunks, args.docs)
        log(f"built {args.chunks} chunks in {args.docs} documents in {time.monotonic() - start:.0f} s")
        idx.stores.fresh()
        check = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            idx.stores.fresh()  # nothing changed: the per-search cost
            check.append(time.perf_counter() - t)
        reopen = []
        v = np.ones(DIM, dtype=np.float32) / DIM**0.5
        for _ in range(5):
            t = time.perf_counter()
            store = idx.store.reopened()
            store.open(_NoModel.model_id, DIM)
            store.query(v, 10)  # the first query loads the index
            store.query_sentences(v, 30)
            reopen.append(time.perf_counter() - t)
            idx.stores._store = store
        result = {
            "chunks": args.chunks, "documents": args.docs, "sentence_vectors": 4 * args.chunks,
            "check_per_search": latency_stats(check), "reopen_after_a_write": latency_stats(reopen),
        }  # fmt: skip
        idx.close()
    log(json.dumps(result))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "freshness.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
