"""Embedding alone: backends (torch / ONNX fp32 / ONNX int8), batch size and thread count, on the texts an ingest of
the sample corpus embeds (its chunks and their sentences, see index/vectors.py)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from bench.common import EXEMPEL, interleaved, latency_stats, log, questions, settings_for

BACKENDS = ("torch", "onnx", "onnx-int8", "ct2-int8")


def ingest_texts(embedder, folder: Path = EXEMPEL) -> list[str]:  # noqa: ANN001
    """What an ingest of `folder` embeds: every chunk and every sentence unit."""
    from index.vectors import sentence_units
    from ingest.pipeline import discover, file_sha256, prepare

    out: list[str] = []
    for path, reason in discover([folder]):
        if reason:
            continue
        doc = prepare(path, file_sha=file_sha256(path), count_tokens=embedder.count_tokens, max_tokens=350)
        for c in doc.chunks:
            out.append(c.text)
            out += sentence_units(c.text)
    return out


def embedder(home: Path, backend: str, threads: int = 1):  # noqa: ANN201
    from index.embedder import Embedder

    e = Embedder(settings_for(home, embed_backend=backend, threads=threads))
    _ = e.dim  # load (and export, first time) outside any timing
    if e.backend != backend:
        raise RuntimeError(f"backend {backend} fell back to {e.backend} (see the styrdok log)")
    return e


def _set_torch_threads(n: int) -> None:
    import torch

    torch.set_num_threads(n)


def run(home: Path, quick: bool, loaded: dict | None = None) -> dict:
    """`loaded`: Embedders already loaded per backend (the missing ones are loaded here)."""
    n_texts = 60 if quick else 240
    repeats = 1 if quick else 2
    embs = {b: (loaded or {}).get(b) or embedder(home, b) for b in BACKENDS}
    texts = ingest_texts(embs["onnx-int8"])
    # Evenly spread over the ingest order: a mix of chunk and sentence lengths, as the ingest sees them.
    texts = texts[:: max(1, len(texts) // n_texts)][:n_texts]
    tokens = sum(embs["onnx-int8"].count_tokens(t) for t in texts)
    log(f"embedding: {len(texts)} texts, {tokens} tokens; backends {BACKENDS}")
    out: dict = {"texts": len(texts), "tokens": tokens}

    # Backends, 1 thread, default batch: throughput and fidelity to torch.
    _set_torch_threads(1)
    for e in embs.values():
        e.embed_passages(texts[:8])  # warm
    secs = interleaved(BACKENDS, repeats, lambda b: _time(lambda: embs[b].embed_passages(texts)))
    ref = embs["torch"].embed_passages(texts)
    backends = {}
    for b in BACKENDS:
        best = min(secs[b])
        cos = (embs[b].embed_passages(texts) * ref).sum(axis=1)
        backends[b] = {"seconds": round(best, 3), "passages_per_s": round(len(texts) / best, 1),
                       "tokens_per_s": round(tokens / best, 1), "cosine_to_torch_min": round(float(cos.min()), 4),
                       "cosine_to_torch_mean": round(float(cos.mean()), 5)}  # fmt: skip
    for b in BACKENDS:
        backends[b]["speedup_vs_torch"] = round(backends["torch"]["seconds"] / backends[b]["seconds"], 2)
    out["backends"] = backends

    # Batch size, 1 thread. ONNX int8: fixed batch sizes and token budgets (what it uses); torch: fixed sizes.
    enc = embs["onnx-int8"]._onnx
    prefixed = ["passage: " + t for t in texts]
    variants = {f"{s} texts": (s, 1 << 30) for s in (1, 8, 32)} | {
        f"{t} tokens": (64, t) for t in (256, 512, 1024, 2048)
    }
    bsecs = interleaved(variants, repeats, lambda k: _time(lambda: enc.encode(prefixed, *variants[k])))
    out["batch"] = {k: {"passages_per_s": round(len(texts) / min(v), 1)} for k, v in bsecs.items()}
    tsecs = interleaved(["8", "16", "32"], repeats,
                        lambda s: _time(lambda: embs["torch"].embed_passages(texts, batch_size=int(s))))  # fmt: skip
    out["batch_torch"] = {s: {"passages_per_s": round(len(texts) / min(v), 1)} for s, v in tsecs.items()}

    e = embs["onnx-int8"]
    # Threads: 1 vs 2, for a batch (ingest) and for single queries (search), torch and ONNX int8.
    qs = questions(30 if not quick else 10)
    threads: dict = {}
    for b in ("torch", "onnx-int8"):
        per = {n: (embs[b] if n == 1 else embedder(home, b, threads=n)) for n in (1, 2)}
        for n, emb in per.items():
            if b == "torch":
                _set_torch_threads(n)
            emb.embed_passages(texts[:8])
            batch_s = min(_time(lambda emb=emb: emb.embed_passages(texts)) for _ in range(repeats))
            lat = []
            for q in qs:
                emb._cache.clear()  # a distinct question each time; never the cache
                t = time.perf_counter()
                emb.embed_query(q)
                lat.append(time.perf_counter() - t)
            threads[f"{b}/{n}"] = {"batch_passages_per_s": round(len(texts) / batch_s, 1),
                                   "query": latency_stats(lat)}  # fmt: skip
        _set_torch_threads(1)
    out["threads"] = threads
    # The query cache: a repeated question costs a dictionary look-up.
    e.embed_query(qs[0])
    t = time.perf_counter()
    for _ in range(100):
        e.embed_query(qs[0])
    out["query_cache_hit_us"] = round((time.perf_counter() - t) / 100 * 1e6, 1)
    out["vectors_identical_on_cache_hit"] = bool(np.array_equal(e.embed_query(qs[0]), e.embed_query(qs[0])))
    return out


def _time(fn) -> float:  # noqa: ANN001
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t
