"""Run question sets against styrdok (and optionally the LangChain baseline) and collect per-question rows.

Each corpus gets its own index under <STYRDOK_HOME>/eval/<corpus>, so an evaluation never touches the user's index;
ingest is idempotent, so a second run only embeds what changed. A declared corpus (eval/corpus.py, e.g. verkliga)
is built into a fresh index under STYRDOK_EVAL_CACHE (default eval/reports/index-cache/), keyed by its files'
hashes, the ingest and index code and the model, and reused as it is while that key holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from assistant.llm.base import Generator
from eval import metrics as M
from eval.corpus import ROOT, Corpus
from eval.judge import judge_answer
from eval.questions import QuestionSet

K_MAX = 10
CACHE_ENV = "STYRDOK_EVAL_CACHE"
COMPLETE = "complete"  # marker file: the cached index was built to the end
JUDGE_GIVE_UP = 3  # answers the LLM judge may fail on in a row, from the start, before it is no longer asked


@dataclass
class SystemResult:
    name: str
    retrieval: dict[str, float] = field(default_factory=dict)
    answers: dict[str, float] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    judge: dict = field(default_factory=dict)  # with --judge: {"model", "judged", "errors", "first_error", "stopped"}


def retrieval_row(q: dict, hits: list[tuple[str, str, int]], by_doc: bool = False) -> dict:
    """hits: (source file name, or path relative to a declared corpus's root, text, goal) best first."""
    rel = [M.hit_is_relevant(q, name, text, goal, by_doc=by_doc) for name, text, goal in hits]
    return {
        "recall@1": M.recall_at(rel, 1),
        "recall@3": M.recall_at(rel, 3),
        "recall@5": M.recall_at(rel, 5),
        "recall@10": M.recall_at(rel, 10),
        "mrr": M.reciprocal_rank(rel),
        "ndcg@10": M.ndcg_at(rel, 10),
        "top": [f"{name} {text[:80]!r}" for name, text, _ in hits[:3]],
    }


def evaluate(
    name: str,
    qset: QuestionSet,
    search: Callable[[str], list[tuple[str, str, int]]],
    ask: Callable[[str, list[str]], dict] | None,
    judge: Generator | None = None,
) -> SystemResult:
    """Per-question rows and aggregates. With `judge` (an LLM), each answered question also gets the LLM-judge
    faithfulness (eval/judge.py) as the score llm_faithfulness, beside the deterministic checks."""
    t0 = time.monotonic()
    judged = errors = 0
    first_error = ""
    by_id = {q["id"]: q for q in qset.questions}
    rows = []
    for q in qset.questions:
        row: dict = {"id": q["id"], "question": q["question"], "kind": q.get("kind"), "group": q.get("group")}
        history = [by_id[q["followup_of"]]["question"]] if q.get("followup_of") in by_id else []
        if q.get("answerable", True) and q.get("kind") != "followup":
            row["retrieval"] = retrieval_row(q, search(q["question"]), by_doc=qset.declared is not None)
        if ask is not None:
            ans = ask(q["question"], history)
            row["answer"] = ans.get("answer", "")
            row["refused"] = ans.get("refused", False)
            row["confidence"] = ans.get("confidence", "inget" if row["refused"] else "svar")
            row["citations"] = [
                {"n": c["n"], "source": Path(c.get("source", "")).name, "quote": c.get("quote", "")}
                for c in ans.get("citations", [])
            ]
            row["scores"] = M.answer_scores(q, ans)
            row["scores"]["unsure"] = float(row["confidence"] == "osäkert")
            # A judge that failed on every one of the first answers is down or unusable: stop asking it, or a hung
            # endpoint would cost its timeout on every question of the set.
            judge_down = judged >= JUDGE_GIVE_UP and errors == judged
            if judge is not None and not row["refused"] and not judge_down:
                row["judge"] = judge_answer(judge, q["question"], ans)
                judged += 1
                if row["judge"]["llm_faithfulness"] is None:
                    errors += 1  # left out of the mean rather than counted as 0: a dead judge is not a bad answer
                    first_error = first_error or row["judge"]["note"]
                else:
                    row["scores"]["llm_faithfulness"] = row["judge"]["llm_faithfulness"]
        rows.append(row)
    res = SystemResult(name, rows=rows, seconds=round(time.monotonic() - t0, 2))
    if judge is not None:
        res.judge = {"model": judge.name, "judged": judged, "errors": errors, "first_error": first_error,
                     "stopped": judged >= JUDGE_GIVE_UP and errors == judged}  # fmt: skip
    res.retrieval = M.aggregate(
        [{k: v for k, v in r["retrieval"].items() if k != "top"} for r in rows if "retrieval" in r]
    )
    if ask is not None:
        sc = M.aggregate([r["scores"] for r in rows])
        names = {"sentence_support": "sentence_support", "llm_faithfulness": "llm_faithfulness",
                 "citation_precision": "citation_precision",
                 "citation_recall": "citation_recall", "key_fact": "key_fact",
                 "refusal_correct": "refusal_accuracy", "false_refusal": "false_refusal_rate",
                 "false_answer": "false_answer_rate", "key_fact_answerable": "key_fact_answerable",
                 "unsure": "unsure_rate"}  # fmt: skip
        # A metric with no question to measure it (no off-corpus questions in SweQUAD) is left out, not 0.
        res.answers = {out: sc[key] for key, out in names.items() if key in sc}
    return res


def styrdok_system(qset: QuestionSet, home: Path, embedder=None, mode: str | None = None):  # noqa: ANN001, ANN201
    """(search, ask, service, failed files) over an index of the set's corpus: under `home` for a plain folder,
    in the keyed cache for a declared corpus. `mode`: "extractive" or "llm" (None: the configured default)."""
    from assistant.service import Service
    from index.config import Settings
    from index.engine import Index

    base = Settings.from_env()
    decl = qset.declared
    if decl is None:
        s = replace(base, home=home / "eval" / _slug(qset.corpus), model_cache=base.models_dir)
        index = Index(s, embedder=embedder)
        results = index.ingest([qset.corpus])
        failed = [r for r in results if r.status == "failed"]
    else:
        s = replace(base, home=index_cache_dir(decl, base.model, base.vectors_key), model_cache=base.models_dir)
        index, failed = _cached_index(decl, s, embedder)
    svc = Service(settings=s, index=index)
    name = decl.rel if decl else (lambda source: Path(source).name)

    def search(q: str) -> list[tuple[str, str, int]]:
        return [(name(h.source), h.text, h.goal) for h in index.search(q, k=K_MAX)]

    def ask(q: str, history: list[str]) -> dict:
        return svc.ask(q, history=history, mode=mode).to_json()  # type: ignore[arg-type]

    return search, ask, svc, failed


def index_cache_dir(corpus: Corpus, model: str | None, backend: str = "onnx") -> Path:
    """Where a declared corpus's index is kept: one folder per (files, root, ingest/index code, model, embedding
    backend: int8 backends store other vectors than fp32)."""
    h = hashlib.sha256(corpus.fingerprint().encode())
    h.update(str(corpus.root).encode() + b"\0" + str(model or "built-in").encode())
    if backend != "onnx":  # the default keeps its key, so existing caches stay valid
        h.update(b"\0" + backend.encode())
    for f in sorted((ROOT / "ingest").rglob("*.py")) + sorted((ROOT / "index").rglob("*.py")):
        h.update(f.relative_to(ROOT).as_posix().encode() + hashlib.sha256(f.read_bytes()).digest())
    base = Path(os.environ.get(CACHE_ENV) or ROOT / "eval" / "reports" / "index-cache")
    return base / f"{corpus.root.name}-{h.hexdigest()[:16]}"


def _cached_index(corpus: Corpus, settings, embedder):  # noqa: ANN001, ANN202
    """The cached index when it was built to the end; otherwise a fresh one built from nothing (a half-built folder
    from an interrupted run is thrown away) and marked complete."""
    from index.engine import Index
    from ingest.model import FileResult

    marker = settings.home / COMPLETE
    if marker.exists():  # the files that failed to ingest are remembered, so every run warns about them
        failed = [FileResult(**r) for r in json.loads(marker.read_text(encoding="utf-8"))["failed"]]
        return Index(settings, embedder=embedder), failed
    if settings.home.exists():
        shutil.rmtree(settings.home)
    settings.home.mkdir(parents=True)
    index = Index(settings, embedder=embedder)
    results = index.ingest(corpus.files())
    failed = [r for r in results if r.status == "failed"]
    data = {"files": len(results), "failed": [asdict(r) for r in failed]}
    marker.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return index, failed


def baseline_system(qset: QuestionSet, model_folder: str):  # noqa: ANN201
    from eval.baseline import Baseline

    b = Baseline(model_folder)
    decl = qset.declared
    if decl is None:
        b.ingest(qset.corpus)
    else:
        b.ingest_files(decl.files(), name=decl.rel)

    def search(q: str) -> list[tuple[str, str, int]]:
        # The baseline has no goal metadata; credit it with the first goal its chunk names (generous to it).
        return [(h.source_name, h.text, _first_goal(h.text)) for h in b.search(q, k=K_MAX)]

    def ask(q: str, history: list[str]) -> dict:
        return b.ask(q)

    return search, ask


def _first_goal(text: str) -> int:
    m = re.search(r"\bMål (\d+)", text)
    return int(m.group(1)) if m else 0


def _slug(p: Path) -> str:
    import hashlib

    return f"{p.name}-{hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:8]}"
