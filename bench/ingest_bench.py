"""Ingest throughput: styrdok's pipeline against the plain LangChain pipeline (eval/baseline.py) with the same model,
on the same files in the same run. Both read text with styrdok's loaders; model loading is outside the timings.

The ratio is baseline seconds / our seconds for the same corpus (equal input text, so it is the ratio of corpus
throughput), each the median of round-robin repeats. Passages/s differ in meaning between the two: LangChain cuts 1000-character chunks with 200 overlap,
we cut structure-aware chunks and embed every sentence too (index/vectors.py), about twice the text of the chunks.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import EXEMPEL, interleaved, log, settings_for


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


def ours(folder: Path, home: Path, embedder, sentence_backend: str = "") -> dict:  # noqa: ANN001
    """Ingest `folder` into a fresh index at `home`; then again, unchanged, to show nothing is re-embedded.
    `sentence_backend`: Settings.sentence_backend (its encoder is loaded outside the timing)."""
    from index.engine import Index

    settings = settings_for(home, embed_backend=embedder.backend, sentence_backend=sentence_backend,
                            threads=embedder.settings.threads)  # the sentence encoder's too  # fmt: skip
    idx = Index(settings, embedder=embedder)
    sent = idx.stores.sentence_embedder
    _ = sent.dim  # load it (a second model, or the static table) outside the timing
    embedded = {"calls": 0, "texts": 0}
    orig = embedder.embed_passages

    def counting(texts, *a, **kw):  # noqa: ANN001, ANN202
        embedded["calls"] += 1
        embedded["texts"] += len(texts)
        return orig(texts, *a, **kw)

    embedder.embed_passages = counting
    sent_orig, sent_texts = sent.embed_passages, [0]

    def counting_sentences(texts, *a, **kw):  # noqa: ANN001, ANN202
        sent_texts[0] += len(texts)
        return sent_orig(texts, *a, **kw)

    if sent is not embedder:
        sent.embed_passages = counting_sentences
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
        if sent is not embedder:
            del sent.embed_passages
    texts = [r[0] for r in idx.catalog.db.execute("SELECT text FROM chunks")]
    sentences = idx.store.sent.count()
    idx.close()
    chunks = len(texts)
    tokens = _count_tokens(embedder, texts)
    return {
        "backend": embedder.backend, "seconds": round(secs, 2), "docs": sum(r.status == "ingested" for r in results),
        "failed": sum(r.status == "failed" for r in results), "chunks": chunks, "sentence_vectors": sentences,
        "texts_embedded": first["texts"] + sent_texts[0], "sentence_texts_embedded": sent_texts[0] or None,
        "chunks_per_s": round(chunks / secs, 2),
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


def run(
    work: Path, embedders: dict, corpora: dict[str, Path], torch_threads: int, keep: str = "onnx-int8", repeats: int = 3
) -> dict:
    """For each corpus: the baseline, then ours with each backend (backend → Embedder, loaded with 1 thread). Ours
    runs with the thread count `styrdok ingest` uses (Settings.for_ingest: every core unless
    STYRDOK_INGEST_THREADS says otherwise), the baseline with the torch thread count measured faster (bench/run.py).
    The index built last with `keep` is left where its row's "home" says (the scale benchmark and the cold start
    reuse it)."""
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
        rows: dict = {}

        def once(pipeline: str, name: str = name, folder: Path = folder, rows: dict = rows) -> float:
            if pipeline == "baseline":
                log(f"ingest {name}: baseline (LangChain, torch {torch_threads} thread(s))")
                rows[pipeline] = baseline(folder, model_folder, torch_threads)
            else:
                log(f"ingest {name}: styrdok ({pipeline}, {threads} thread(s))")
                # A new folder each time: Chroma keeps a client per path open in this process.
                homes = rows.setdefault("_homes", {}).setdefault(pipeline, [])
                home = work / f"{name}-{pipeline}-{len(homes)}"
                homes.append(home)
                torch.set_num_threads(threads)  # the torch backend's ingest threads (ONNX sessions ignore it)
                rows[pipeline] = ours(folder, home, ingest_embedders[pipeline])
                torch.set_num_threads(1)
                rows[pipeline]["threads"] = threads
            return rows[pipeline]["seconds"]

        # Round-robin repeats, median kept: a 2-second ingest moves by ±30% with the machine's load.
        times = interleaved(["baseline", *ingest_embedders], repeats, once)
        for pipeline, secs in times.items():
            _set_seconds(rows[pipeline], float(np.median(secs)), secs)
        homes = rows.pop("_homes")
        for backend in ingest_embedders:
            rows[backend]["ratio_vs_baseline"] = round(rows["baseline"]["seconds"] / rows[backend]["seconds"], 2)
            for home in homes[backend][:-1] if backend == keep else homes[backend]:
                shutil.rmtree(home, ignore_errors=True)
            if backend == keep:
                rows[backend]["home"] = str(homes[backend][-1])  # the index later parts reuse
        out[name] = rows
    return out


def _set_seconds(row: dict, secs: float, runs: list[float]) -> None:
    """Put the median time in a pipeline's row and recompute its rates from it."""
    row["seconds"], row["seconds_runs"] = round(secs, 2), runs
    row["chunks_per_s"] = round(row["chunks"] / secs, 2)
    row["tokens_per_s"] = round(row["chunk_tokens"] / secs, 1)
    if "texts_embedded" in row:
        row["embedded_per_s"] = round(row["texts_embedded"] / secs, 2)


def default_corpora(work: Path, swequad: Path | None, n_contexts: int) -> tuple[dict[str, Path], str]:
    corpora = {"exempel": EXEMPEL}
    note = ""
    if swequad and (swequad / "test.json").exists():
        corpora["swequad"] = swequad_subset(swequad, work / "swequad-corpus", n_contexts)
    else:
        note = f"SweQUAD-MC not found at {swequad}: that part was skipped"
    return corpora, note
