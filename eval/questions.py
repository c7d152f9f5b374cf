"""Question sets: our JSONL format, and SweQUAD-MC pooled into a passage corpus.

A question (dict) has: id, question, group, answerable, gold_doc (file name; for a set with a declared corpus, the
path relative to the corpus root), gold_goal (int | list | None), evidence (text the retrieved passage must contain),
key_fact (text a correct answer contains), kind, followup_of, and in the real sets split ("dev" | "test").
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from eval.corpus import Corpus, declared

ROOT = Path(__file__).resolve().parent.parent
EXEMPEL_SET = ROOT / "eval" / "sets" / "exempel.jsonl"
EXEMPEL_CORPUS = ROOT / "data" / "exempel"
VERKLIGA_SET = ROOT / "eval" / "sets" / "verkliga.jsonl"
# Train-only questions on verkliga's dev documents (never its test documents), asked over the same corpus.
VERKLIGA_TRAIN_SET = ROOT / "eval" / "sets" / "verkliga-train.jsonl"


@dataclass
class QuestionSet:
    name: str
    questions: list[dict]
    corpus: Path  # folder of documents the questions are about (the root of `declared`)
    declared: Corpus | None = None  # a corpus declared next to the set: gold_doc is a path relative to its root


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_jsonl(path: Path, corpus: Path | None = None, split: str | None = None) -> QuestionSet:
    """A set and the documents it is asked over. `split` keeps only that split's questions, for sets that have
    one (verkliga); a set without split fields (exempel) is returned whole under its own name."""
    qs = read_jsonl(path)
    decl = None if corpus else declared(path)
    name = path.stem
    if split and any("split" in q for q in qs):
        qs = [q for q in qs if q.get("split") == split]
        name = f"{path.stem}-{split}"
    if decl:
        return QuestionSet(name, qs, decl.root, decl)
    return QuestionSet(name, qs, corpus or EXEMPEL_CORPUS)


def load_swequad(folder: Path, split: str, corpus_dir: Path) -> QuestionSet:
    """SweQUAD-MC (CC BY 4.0, Kalpakchi & Boye): all distinct contexts of all splits become one corpus of .txt
    files in `corpus_dir` (written once); the questions of `split` point at their context's file and answer span."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for part in ("training", "dev", "test"):
        for item in json.loads((folder / f"{part}.json").read_text(encoding="utf-8"))["data"]:
            ctx = item["context"].replace("\r\n", "\n")
            if ctx not in names:
                name = "sq-" + hashlib.sha1(ctx.encode()).hexdigest()[:12] + ".txt"
                names[ctx] = name
                f = corpus_dir / name
                if not f.exists():
                    f.write_text(ctx, encoding="utf-8")
    qs = []
    for i, item in enumerate(json.loads((folder / f"{split}.json").read_text(encoding="utf-8"))["data"]):
        raw = item["context"]
        ctx = raw.replace("\r\n", "\n")
        gold = next(c for c in item["choices"] if c["type"] == "Correct answer")
        answer = raw[gold["start"] : gold["end"]].replace("\r\n", "\n")
        qs.append(
            {
                "id": f"sq-{split}-{i:04d}",
                "question": item["question"],
                "group": "resident",
                "answerable": True,
                "gold_doc": names[ctx],
                "gold_goal": None,
                "evidence": _sentence_around(raw, gold["start"], gold["end"]),
                "key_fact": answer,
                "kind": "fact",
            }
        )
    return QuestionSet(f"swequad-{split}", qs, corpus_dir)


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) holding the span: the evidence a good passage must contain."""
    left = max(text.rfind(ch, 0, start) for ch in ".!?\n")
    m = re.search(r"[.!?\n]", text[end:])
    right = end + m.start() + 1 if m else len(text)
    return text[left + 1 : right].replace("\r", "").strip()
