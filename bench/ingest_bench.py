"""Ingest throughput: styrdok's pipeline against the plain LangChain pipeline (eval/baseline.py) with the same model,
on the same files in the same run. Both read text with styrdok's loaders; model loading is outside the timings.

The ratio is baseline seconds / our seconds for the same corpus (equal input text, so it is the ratio of corpus
throughput). Passages/s differ in meaning between the two: LangChain cuts 1000-character chunks with 200 overlap,
we cut structure-aware chunks and embed every sentence too (index/vectors.py), about twice the text of the chunks.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import EXEMPEL, log, settings_for


def swequad_subset(src: Path, dest: Path, n: int) -> Path:
    """The first `n` distinct SweQUAD-MC contexts (by content hash: deterministic) as .txt files."""
    seen: dict[str, str] = {}
    for part in ("training", "dev", "test"):
        for item in json.loads((src / f"{part}.json").read_text(encoding="utf-8"))["data"]:
            ctx = item["context"].replace("\r\n", "\n")
            seen.setdefault(hashlib.sha1(ctx.encode()).hexdigest()[:12], ctx)
    dest.mkdir(parents=True, exist_ok=True)
    for key in sorted(seen)[:n]:
        (dest / f"sq-{key}.txt").write_text(seen[key], encoding="utf-8")
    return dest


def _count_tokens(embedder, texts: list[str]) -> int:  # noqa: ANN001
    return sum(embedder.count_tokens(t) for t in texts)


def ours(folder: Path, home: Path, embedder) -> dict:  # noqa: ANN001
    """Ingest `folder` into a fresh index at `home`; then again, unchanged, to show nothing is re-embedded."""
    from index.engine import Index

    idx = Index(settings_for(home, embed_backend=embedder.backend), embedder=embedder)
    embedded = {"calls": 0, "texts": 0}
    orig = embedder.embed_passages

    def counting(texts, *a, **kw):  # noqa: ANN001, ANN202
        embedded["calls"] += 1
        embedded["texts"] += len(texts)
        return orig(texts, *a, **kw)

    embedder.embed_passages = counting
    try:
        _ = idx.store  # open Chroma outside the timing, as the baseline's constructor does
        t = time.perf_counter()
        results = idx.ingest([folder])
        secs = time.perf_counter() - t
        first = dict(embedded)
        t = time.perf_counter()
        again = idx.ingest([folder])
        again_secs = time.perf_counter() - t
    finally:
        del embedder.embed_passages
    texts = [r[0] for r in idx.catalog.db.execute("SELECT text FROM chunks")]
    sentences = idx.store.sent.count()
    idx.close()
    chunks = len(texts)
    tokens = _count_tokens(embedder, texts)
    return {
        "backend": embedder.backend, "seconds": round(secs, 2), "docs": sum(r.status == "ingested" for r in results),
        "failed": sum(r.status == "failed" for r in results), "chunks": chunks, "sentence_vectors": sentences,
        "texts_embedded": first["texts"], "chunks_per_s": round(chunks / secs, 2),
        "embedded_per_s": round(first["texts"] / secs, 2), "chunk_tokens": tokens,
        "tokens_per_s": round(tokens / secs, 1),
        "reingest_unchanged": {"seconds": round(again_secs, 3), "texts_embedded": embedded["texts"] - first["texts"],
                               "all_skipped": all(r.status == "skipped" for r in again)},
    }  # fmt: skip


def baseline(folder: Path, model_folder: str, torch_threads: int) -> dict:
    import torch

    from eval.baseline import Baseline, document_text
    from ingest.loaders import SUPPORTED_SUFFIXES

    torch.set_num_threads(torch_threads)
    with tempfile.TemporaryDirectory(prefix="styrdok-bench-baseline-") as d:
        b = Baseline(model_folder, persist_dir=Path(d))
        b.embeddings.embed_query("uppvärmning")  # load the model outside the timing
        t = time.perf_counter()
        chunks = b.ingest(folder)
        secs = time.perf_counter() - t
        texts = []
        for f in sorted(folder.rglob("*")):
            if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES:
                texts += b.splitter.split_text(document_text(f))
        model = b.embeddings._client  # the SentenceTransformer inside HuggingFaceEmbeddings: its own tokenizer
        tokens = sum(len(model.tokenizer("passage: " + x, verbose=False)["input_ids"]) for x in texts)
    return {"seconds": round(secs, 2), "chunks": chunks, "chunks_per_s": round(chunks / secs, 2),
            "chunk_tokens": tokens, "tokens_per_s": round(tokens / secs, 1), "torch_threads": torch_threads}  # fmt: skip


def run(work: Path, embedders: dict, corpora: dict[str, Path], torch_threads: int, keep: str = "onnx-int8") -> dict:
    """For each corpus: the baseline, then ours with each backend (backend → Embedder, loaded with 1 thread). Ours
    runs with the thread count `styrdok ingest` uses (Settings.for_ingest: every core unless
    STYRDOK_INGEST_THREADS says otherwise), the baseline with the torch thread count measured faster (bench/run.py).
    The index built with `keep` is left at work/<corpus>-<keep> (the scale benchmark and the cold start reuse it)."""
    import torch

    from bench.embed_bench import embedder as load_embedder
    from index.config import Settings

    threads = Settings.from_env().for_ingest().threads
    model_folder = next(iter(embedders.values())).model_path()
    # ONNX sessions fix their thread count when made: one more per backend for ingest.
    ingest_embedders = {b: (e if b == "torch" or threads == 1 else load_embedder(work / "models-probe", b, threads))
                        for b, e in embedders.items()}  # fmt: skip
    out: dict = {}
    for name, folder in corpora.items():
        log(f"ingest {name}: baseline (LangChain, torch {torch_threads} thread(s))")
        row: dict = {"baseline": baseline(folder, model_folder, torch_threads)}
        for backend, emb in ingest_embedders.items():
            log(f"ingest {name}: styrdok ({backend}, {threads} thread(s))")
            home = work / f"{name}-{backend}"
            shutil.rmtree(home, ignore_errors=True)
            torch.set_num_threads(threads)  # the torch backend's ingest threads (ONNX sessions ignore it)
            row[backend] = ours(folder, home, emb)
            torch.set_num_threads(1)
            row[backend]["threads"] = threads
            row[backend]["ratio_vs_baseline"] = round(row["baseline"]["seconds"] / row[backend]["seconds"], 2)
            if backend != keep:
                shutil.rmtree(home, ignore_errors=True)
        out[name] = row
    return out


def default_corpora(work: Path, swequad: Path | None, n_contexts: int) -> tuple[dict[str, Path], str]:
    corpora = {"exempel": EXEMPEL}
    note = ""
    if swequad and (swequad / "test.json").exists():
        corpora["swequad"] = swequad_subset(swequad, work / "swequad-corpus", n_contexts)
    else:
        note = f"SweQUAD-MC not found at {swequad}: that part was skipped"
    return corpora, note
