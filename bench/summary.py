"""results → summary.json (the headline numbers) and summary.md (machine, ratios, targets, details)."""

from __future__ import annotations

import json
from pathlib import Path

# Issue 16's "done when" list. The real-text targets (not numbered in the issue) are ours: the synthetic 100k
# targets apply to the ~10x smaller real index too, and a first ingest of the 4,096 skala pages must finish within an
# hour on the 2-core project machine (a municipal corpus is ingested once, then incrementally).
TARGETS = {
    "ingest_ratio_vs_baseline": (">=", 2.0),
    "ui_rss_mb": ("<=", 500.0),
    "cold_start_s": ("<=", 1.0),
    "search_p50_ms_100k": ("<=", 50.0),
    "ask_p50_ms_100k": ("<=", 250.0),
    "filtered_over_unfiltered_p50": ("<=", 1.5),
    "real_ingest_s": ("<=", 3600.0),
    "real_search_p50_ms": ("<=", 50.0),
    "real_ask_p50_ms": ("<=", 250.0),
}
REQUIRED = tuple(TARGETS)

# Recall@3 change in points against onnx fp32 on (exempel, verkliga dev, SweQUAD-MC dev) per ingest route, measured
# by `styrdok eval` with the route's STYRDOK_EMBED_BACKEND / STYRDOK_SENTENCE_BACKEND (docs/scaling.md, "Issue 16
# routes"; None: not measured). Shown beside each route's ingest ratio: speed counts only with its quality cost.
RECALL3_DELTA: dict[str, tuple[float | None, float | None, float | None]] = {
    "onnx": (0.0, 0.0, 0.0),
    "torch": (0.0, 0.0, 0.0),  # the same vectors as onnx fp32 (cosine 1.0000)
    "ct2": (0.0, 0.0, 0.0),  # the same vectors as onnx fp32 (cosine 1.0000)
    "onnx-int8": (-2.4, None, None),
    "ct2-int8": (-2.4, 0.0, 0.0),
    # chunks fp32, sentences by another encoder (STYRDOK_SENTENCE_BACKEND); ct2 fp32 chunks = onnx fp32 chunks
    "onnx+ct2-int8": (-1.2, 0.0, None),
    "ct2+ct2-int8": (-1.2, 0.0, None),
    "onnx+static": (-6.0, 1.9, -4.0),
    "ct2+static": (-6.0, 1.9, -4.0),
}


def _get(d: dict | None, *path: str):  # noqa: ANN202
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def headline(r: dict, default_backend: str) -> dict:
    ingest = r.get("ingest") or {}
    corpus = "swequad" if "swequad" in ingest else "exempel"
    scale = r.get("scale") or {}
    largest = max(scale, key=int) if scale else None
    at100k = scale.get("100000")
    s = {
        "ingest_ratio_vs_baseline": _get(ingest, corpus, default_backend, "ratio_vs_baseline"),
        "ingest_recall3_delta_points": _deltas(default_backend),
        "ingest_ratio_corpus": corpus if ingest else None,
        "ingest_ratio_by_backend": {
            k: x.get("ratio_vs_baseline") for k, x in (ingest.get(corpus) or {}).items() if k != "baseline"
        },  # fmt: skip
        "search_p50_ms_100k": _get(at100k, "search", "p50_ms"),
        "ask_p50_ms_100k": _get(at100k, "ask", "p50_ms"),
        "filtered_over_unfiltered_p50": _get(at100k or scale.get(largest or ""), "filtered_over_unfiltered_p50"),
        "filtered_ratio_scale": ("100000" if at100k else largest),
        "cold_start_s": _get(r, "process", "cold_search", default_backend, "first_result_p50_s"),
        # After the first answer (the measure); after the first search when the answer request failed.
        "ui_rss_mb": _get(r, "process", "ui", default_backend, "rss_after_first_ask_mb")
        or _get(r, "process", "ui", default_backend, "rss_after_first_search_mb"),
        "embed_backend": default_backend,
        "largest_scale_measured": int(largest) if largest else None,
    }
    s.update(_real(r.get("real")))
    s["targets"] = {k: _verdict(s.get(k), *TARGETS[k]) for k in TARGETS}
    return s


def _deltas(route: str) -> dict[str, float | None]:
    d = RECALL3_DELTA.get(route, (None, None, None))
    return dict(zip(("exempel", "verkliga_dev", "swequad_dev"), d, strict=True))


def _real(x: dict | None) -> dict:
    """The real-text point (bench/real.py); keys present with None when it was not measured."""
    x = x or {}
    ing = x.get("ingest") or {}
    return {
        "real_ingest_s": ing.get("ingest_s"),
        "real_ingest_peak_rss_mb": ing.get("peak_rss_mb"),
        "real_pages": ing.get("pages"),
        "real_failed": ing.get("failed"),  # pages `styrdok ingest` could not read (bench-real.json names a few)
        "real_sample": bool(ing.get("limit")) if ing else None,  # True: a --limit sample, not all 4,096 pages
        "real_chunks": ing.get("chunks"),
        "real_sentence_vectors": ing.get("sentence_vectors"),
        "real_ingest_load_average": ing.get("load_average_before"),
        "real_search_p50_ms": _get(x, "search", "p50_ms"),
        "real_search_p95_ms": _get(x, "search", "p95_ms"),
        "real_filtered_search_p50_ms": _get(x, "search_filtered", "p50_ms"),
        "real_filtered_search_p95_ms": _get(x, "search_filtered", "p95_ms"),
        "real_ask_p50_ms": _get(x, "ask", "p50_ms"),
        "real_ask_p95_ms": _get(x, "ask", "p95_ms"),
        "real_dense_top10_vs_exact": _get(x, "dense", "top10_vs_exact", "unfiltered"),
        "real_dense_top10_vs_exact_filtered": _get(x, "dense", "top10_vs_exact", "ours"),
        "real_not_measured": x.get("not_measured"),
    }


def _verdict(value, op: str, limit: float) -> str:  # noqa: ANN001
    if value is None:
        return "not measured"
    ok = value >= limit if op == ">=" else value <= limit
    return f"{'met' if ok else 'MISSED'} ({value} {op} {limit})" if ok else f"MISSED ({value}, target {op} {limit})"


def write(out: Path, results: dict, summary: dict) -> None:
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "summary.md").write_text(markdown(results, summary), encoding="utf-8")


def _row(cells: list) -> str:
    return "| " + " | ".join("—" if c is None else str(c) for c in cells) + " |"


def markdown(r: dict, s: dict) -> str:
    m = r.get("machine", {})
    v = m.get("versions", {})
    lines = [
        "# styrdok benchmark summary",
        "",
        f"Run {r.get('started')} ({'quick' if r.get('quick') else 'full'}, {r.get('seconds')} s in all). "
        "Ratios against a baseline measured in the same run are the numbers to trust; absolute times move with the "
        "machine's load.",
        "",
        "## Machine",
        f"- CPU: {m.get('cpu')}; {m.get('logical_cores')} logical cores; {m.get('memory_gb')} GB memory",
        f"- load average at start: {m.get('load_average_start')}, at end: {r.get('load_average_end')}",
        f"- Python {m.get('python')}; " + ", ".join(f"{k} {x}" for k, x in v.items() if x),
        f"- embedding backend: {s.get('embed_backend')}; threads per process: 1 unless a row says otherwise",
        "",
        "## Headline",
        _row(["metric", "value", "target"]),
        _row(["---"] * 3),
    ]
    for k in REQUIRED:
        lines.append(_row([k, s.get(k), s.get("targets", {}).get(k, "")]))
        if k == "ingest_ratio_vs_baseline":
            for b, ratio in (s.get("ingest_ratio_by_backend") or {}).items():
                d = ", ".join("—" if x is None else f"{x:+.1f}" for x in _deltas(b).values())
                lines.append(_row([f"… with backend {b} ({s.get('ingest_ratio_corpus')}; recall@3 change in points "
                                   f"on exempel, verkliga dev, SweQUAD dev: {d})", ratio, ""]))  # fmt: skip
    lines += [""]
    for note in r.get("notes", []):
        lines.append(f"- {note}")
    lines += _ingest_md(r.get("ingest"))
    lines += _embed_md(r.get("embed"))
    lines += _real_md(r.get("real"))
    lines += _scale_md(r.get("scale"), "Query latency, embedded Chroma (warm, distinct questions)")
    lines += _scale_md(r.get("server"), "Query latency, Chroma server (`chroma run`, loopback)")
    lines += _process_md(r.get("process"))
    lines += _quality_md(r.get("quality"))
    return "\n".join(lines) + "\n"


def _ingest_md(ing: dict | None) -> list[str]:
    if not ing:
        return []
    out = ["", "## Ingest throughput (model loaded; Chroma opened; same files)",
           _row(["corpus", "pipeline", "s", "chunks", "chunks/s", "texts embedded", "chunk tokens/s", "× baseline"]),
           _row(["---"] * 8)]  # fmt: skip
    for corpus, row in ing.items():
        b = row["baseline"]
        out.append(_row([corpus, f"LangChain baseline (torch, {b['torch_threads']} thr)", b["seconds"], b["chunks"],
                         b["chunks_per_s"], b["chunks"], b["tokens_per_s"], 1.0]))  # fmt: skip
        for name, x in row.items():
            if name == "baseline":
                continue
            out.append(_row([corpus, f"styrdok ({name}, {x.get('threads', 1)} thr)", x["seconds"], x["chunks"], x["chunks_per_s"],
                             x["texts_embedded"], x["tokens_per_s"], x["ratio_vs_baseline"]]))  # fmt: skip
    first = next(iter(ing.values()))
    re = next((x["reingest_unchanged"] for k, x in first.items() if k != "baseline"), None)
    if re:
        out.append(f"\nRe-ingest of unchanged files: {re['seconds']} s, {re['texts_embedded']} texts embedded, "
                   f"all skipped: {re['all_skipped']}.")  # fmt: skip
    return out


def _embed_md(e: dict | None) -> list[str]:
    if not e:
        return []
    out = ["", f"## Embedding alone ({e['texts']} chunk and sentence texts of the sample corpus, {e['tokens']} tokens)",
           _row(["backend", "passages/s", "tokens/s", "× torch", "cosine to torch (min / mean)"]), _row(["---"] * 5)]  # fmt: skip
    for b, x in e["backends"].items():
        out.append(_row([b, x["passages_per_s"], x["tokens_per_s"], x["speedup_vs_torch"],
                         f"{x['cosine_to_torch_min']} / {x['cosine_to_torch_mean']}"]))  # fmt: skip
    out += ["", "Batch size (onnx-int8, 1 thread), passages/s: "
            + ", ".join(f"{k}: {x['passages_per_s']}" for k, x in e["batch"].items())
            + "; torch: " + ", ".join(f"{k}: {x['passages_per_s']}" for k, x in e.get("batch_torch", {}).items())]  # fmt: skip
    out += ["", _row(["backend/threads", "batch passages/s", "single query p50 ms", "p95 ms"]), _row(["---"] * 4)]
    for k, x in e["threads"].items():
        out.append(_row([k, x["batch_passages_per_s"], x["query"]["p50_ms"], x["query"]["p95_ms"]]))
    out.append(f"\nQuery-embedding cache hit: {e['query_cache_hit_us']} µs.")
    return out


def _real_md(x: dict | None) -> list[str]:
    if not x:
        return []
    if x.get("not_measured"):
        return ["", "## Real text (skala)", f"Not measured: {x['not_measured']}"]
    ing = x["ingest"]
    what = f"a sample of {ing['pages']} pages" if ing.get("limit") else f"all {ing['pages']} pages"
    agree = _get(x, "dense", "top10_vs_exact") or {}
    named = "; ".join(f"{f['file']}: {f['message']}" for f in ing.get("failures", [])[:2])
    failed = f"; {ing['failed']} pages failed (e.g. {named})" if ing.get("failed") else ""
    return [
        "", f"## Real text: ../shared/data/skala ({what}, {ing['documents']} documents)",
        f"- `styrdok ingest`: {ing['ingest_s']} s, peak RSS {ing['peak_rss_mb']} MB, {ing['cpu_count']} cores, load "
        f"average {ing['load_average_before']} before and {ing['load_average_after']} after (built {ing['built']})",
        f"- {ing['chunks']} chunks, {ing['chunk_vectors']} chunk vectors, {ing['sentence_vectors']} sentence vectors"
        f"{failed}",
        f"- {x['queries']} page titles as queries; filter: year {x['filter']['year']} "
        f"({_get(x, 'dense', 'filter_share')} of the chunks)",
        _row(["search p50/p95 ms", "filtered p50/p95 ms", "ask p50/p95 ms", "dense top 10 vs exact: plain / filtered"]),
        _row(["---"] * 4),
        _row([f"{x['search']['p50_ms']} / {x['search']['p95_ms']}",
              f"{x['search_filtered']['p50_ms']} / {x['search_filtered']['p95_ms']}",
              f"{x['ask']['p50_ms']} / {x['ask']['p95_ms']}", f"{agree.get('unfiltered')} / {agree.get('ours')}"]),
    ]  # fmt: skip


def _scale_md(sc: dict | None, title: str) -> list[str]:
    if not sc:
        return []
    out = ["", f"## {title}",
           _row(["chunks", "sentence vectors", "search p50/p95 ms", "filtered p50/p95 ms", "filtered ÷ plain",
                 "ask p50/p95 ms", "ask filtered p50 ms", "ask: sentence embedding p50 ms (n)",
                 "dense only p50 ms: plain / filtered / Chroma where", "dense top 10 vs exact: plain / filtered / where"]),
           _row(["---"] * 10)]  # fmt: skip
    for x in sc.values():
        ask, askf = x.get("ask"), x.get("ask_filtered")
        d = x.get("dense", {})
        agree = d.get("top10_vs_exact", {})
        out.append(_row([
            f"{x['chunks']}" + (" (cached)" if x.get("fixture_cached") else ""), x["sentence_vectors"],
            f"{x['search']['p50_ms']} / {x['search']['p95_ms']}",
            f"{x['search_filtered']['p50_ms']} / {x['search_filtered']['p95_ms']}", x["filtered_over_unfiltered_p50"],
            f"{ask['p50_ms']} / {ask['p95_ms']}" if ask else None, askf["p50_ms"] if askf else None,
            f"{ask['sentence_embedding_p50_ms']} ({ask['sentences_embedded_p50']:.0f})" if ask else None,
            f"{_get(d, 'dense_unfiltered', 'p50_ms')} / {_get(d, 'dense_filtered', 'p50_ms')} / "
            f"{_get(d, 'dense_chroma_where', 'p50_ms')}",
            f"{agree.get('unfiltered')} / {agree.get('ours')} / {agree.get('where')}",
        ]))  # fmt: skip
    firsts = ", ".join(f"{x['chunks']}: {x.get('first_search_in_process_ms')} ms" for x in sc.values())
    out.append(
        f"\nFirst search through a new Index (the Chroma client of the fixture is already open; loads the vocabulary): {firsts}."
    )
    builds = ", ".join(f"{n}: {x['fixture_build_s']} s" for n, x in sc.items() if not x.get("fixture_cached"))
    out.append(f"\nFixtures: real sample-corpus chunks replicated (varied doc ids, years, types, organs), real text "
               f"and FTS terms, real vectors + small noise (see bench/scale.py). Build time: {builds or 'cached'}.")  # fmt: skip
    return out


def _process_md(p: dict | None) -> list[str]:
    if not p:
        return []
    out = ["", "## Processes"]
    for name, x in (p.get("startup") or {}).items():
        out.append(f"- `styrdok {name if name != 'help' else '--help'}`: {x['p50_s']} s; heavy modules imported: "
                   f"{x['heavy_modules_imported']}")  # fmt: skip
    for b, x in (p.get("cold_search") or {}).items():
        out.append(
            f"- cold `styrdok search` ({b}): first result after {x['first_result_p50_s']} s, exit {x['exit_p50_s']} s"
            + (f" (median of {x['runs']}; CPU {x['cpu_p50_s']} s; load average {x['load_average_1min']})"
               if "cpu_p50_s" in x else "")
        )  # fmt: skip
    for b, x in (p.get("ingest_rss") or {}).items():
        out.append(f"- `styrdok ingest data/exempel` ({b}): peak RSS {x['peak_rss_mb']} MB, {x['seconds']} s")
    for b, x in (p.get("ui") or {}).items():
        out.append(f"- `styrdok serve` ({b}): RSS {x['rss_after_start_mb']} MB after start, "
                   f"{x['rss_after_first_search_mb']} MB after the first search, {x['rss_after_first_ask_mb']} MB after "
                   f"the first answer; listening after {x['listening_after_s']} s")  # fmt: skip
    return out


def _quality_md(q: dict | None) -> list[str]:
    if not q:
        return []
    out = ["", "## Retrieval quality per backend (`styrdok eval`)", _row(["backend", *q["metrics"]]),
           _row(["---"] * (1 + len(q["metrics"])))]  # fmt: skip
    for b, x in q["backends"].items():
        out.append(_row([b, *[x.get(k) for k in q["metrics"]]]))
    return out
