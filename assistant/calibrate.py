"""Measure the refusal gate and the extractive answers on a question set, and search the gate's thresholds.

    python -m assistant.calibrate eval/sets/exempel.jsonl [more.jsonl …] [--corpus data/exempel] [--grid] [--show]

With --corpus the documents are ingested into a temporary index first (the model cache is STYRDOK_MODEL_CACHE
or STYRDOK_HOME's); without it the index in STYRDOK_HOME is used. The question format is eval's JSONL
(question, answerable, gold_doc, followup_of …); it is read here directly, since assistant may not import eval.
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant import relevance
from assistant.answer_extractive import TEMPLATE_WORDS
from assistant.ask import Assistant
from assistant.conversation import resolve
from assistant.relevance import Relevance
from assistant.types import Answer
from assistant.verify import check_answer


@dataclass
class Row:
    id: str
    question: str
    answerable: bool
    relevance: Relevance
    answer: Answer  # as answered with the current thresholds
    draft: str  # the extractive answer the gate judged (also when it refused)
    gold_cited: bool  # a citation of the answer points at the gold document
    draft_gold: bool  # a citation of the draft points at the gold document
    sentences: int  # sentences checked (answered questions)
    supported: int  # ... of which supported by their citations


def load(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def run(assistant: Assistant, questions: Sequence[dict]) -> list[Row]:
    by_id = {q["id"]: q for q in questions}
    rows = []
    for q in questions:
        prev = by_id.get(q.get("followup_of") or "")
        history = [prev["question"]] if prev else None
        resolved = resolve(q["question"], history)
        prep = assistant.prepare(resolved)
        ans = assistant.ask(q["question"], history)
        gold = q.get("gold_doc") or ""
        checks = [] if ans.refused else check_answer(ans, f"{q['question']} {resolved.standalone} {TEMPLATE_WORDS}")
        rows.append(
            Row(
                q["id"],
                q["question"],
                bool(q["answerable"]),
                prep.relevance,
                ans,
                prep.composed.text,
                bool(gold) and any(Path(c.source).name == gold for c in ans.citations),
                bool(gold) and any(Path(c.source).name == gold for c in prep.composed.citations),
                len(checks),
                sum(c.ok for c in checks),
            )  # fmt: skip
        )
    return rows


def rates(rows: Sequence[Row], answers: Callable[[Row], bool] | None = None) -> dict[str, float]:
    """Refusal accuracy, false-refusal rate (answerable refused), false-answer rate (off-corpus answered)."""
    answers = answers or (lambda r: not r.answer.refused)
    pos = [r for r in rows if r.answerable]
    neg = [r for r in rows if not r.answerable]
    false_refusals = sum(not answers(r) for r in pos)
    false_answers = sum(answers(r) for r in neg)
    sentences = sum(r.sentences for r in rows)
    return {
        "questions": len(rows),
        "answerable": len(pos),
        "offcorpus": len(neg),
        "accuracy": 1 - (false_refusals + false_answers) / max(1, len(rows)),
        "false_refusal_rate": false_refusals / max(1, len(pos)),
        "false_answer_rate": false_answers / max(1, len(neg)),
        "gold_cited_rate": sum(r.gold_cited for r in pos if answers(r)) / max(1, sum(answers(r) for r in pos)),
        "sentence_support_rate": sum(r.supported for r in rows) / max(1, sentences),
        "sentences": sentences,
    }


def grid(rows: Sequence[Row], false_answer_cost: float = 2.0) -> list[tuple[float, dict, dict]]:
    """Thresholds ranked by cost = false refusals + cost × false answers (answering off-corpus is the worse
    error: it shows unrelated quotes as if they answered)."""
    out = []
    names = ("MIN_COVERAGE", "MIN_SIM", "SURE_SIM", "GOAL_FIT_SIM", "FULL_COVERAGE_SIM")
    for values in itertools.product(
        [0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7],
        [0.84, 0.85, 0.855, 0.86, 0.865, 0.87, 0.875, 0.88],
        [0.88, 0.885, 0.89, 0.895, 0.90, 1.0],
        [0.83, 0.84, 0.85, 1.0],
        [0.84, 0.845, 0.85, 0.855, 0.86, 1.0],
    ):

        def answers(r: Row, c: tuple = values) -> bool:
            return bool(r.draft) and relevance.decide(r.relevance, *c)

        m = rates(rows, answers)
        cost = m["false_refusal_rate"] * m["answerable"] + false_answer_cost * m["false_answer_rate"] * m["offcorpus"]
        out.append((cost, dict(zip(names, values, strict=True)), m))
    out.sort(key=lambda x: x[0])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("questions", type=Path, nargs="+")
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--show", action="store_true", help="print every question's signals and answer")
    args = ap.parse_args()
    from index.config import Settings
    from index.engine import Index

    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        if args.corpus:
            settings.model_cache = settings.models_dir
            settings.home = Path(tmp)
        index = Index(settings)
        if args.corpus:
            index.ingest([args.corpus])
        rows = run(Assistant(index), [q for path in args.questions for q in load(path)])
        index.close()
    for r in rows if args.show else []:
        rel = r.relevance
        verdict = "refused" if r.answer.refused else "answered"
        flag = "" if r.answer.refused != r.answerable else "   <-- error"
        print(f"{r.id} {'A' if r.answerable else 'X'}{'+' if r.draft_gold else ' '} {verdict:8} sim={rel.sim:.3f} cov={rel.coverage:.2f} "
              f"kind={rel.kind} typed={rel.typed_ok}{flag}\n  {r.question}\n  " + r.draft.replace("\n", "\n  "))  # fmt: skip
    print(json.dumps(rates(rows), indent=2))
    if args.grid:
        for cost, params, m in grid(rows)[:10]:
            print(f"cost={cost:.1f} {params} false_refusal={m['false_refusal_rate']:.3f} "
                  f"false_answer={m['false_answer_rate']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
