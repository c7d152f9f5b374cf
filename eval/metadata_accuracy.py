"""Metadata accuracy against a truth file (`metadata.jsonl` of shared/data/verkliga): type, publisher, date, title.

The truth is for measuring only; ingest never reads it. A date counts as correct when it agrees with the truth at
the truth's precision (a year-month truth accepts any day of that month) or when it is left empty; it counts as
invented when it disagrees, when the truth has none, or when it lies after today.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.doc_type import normalize_doc_type
from ingest.loaders import load
from ingest.metadata import infer_metadata
from ingest.model import LoadError


@dataclass
class MetadataReport:
    n: int = 0
    type_ok: int = 0
    publisher_ok: int = 0
    date_ok: int = 0
    invented_dates: int = 0
    titles_known: int = 0
    title_ok: int = 0
    failed: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def rates(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            "type": self.type_ok / n,
            "publisher": self.publisher_ok / n,
            "date_correct_or_empty": self.date_ok / n,
            "invented_dates": float(self.invented_dates),
            "title": self.title_ok / max(self.titles_known, 1),
        }


def read_truth(path: Path) -> dict[str, dict]:
    return {row["file"]: row for row in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if row}


def _norm(text: str | None) -> str:
    text = unicodedata.normalize("NFC", (text or "").replace("\u00ad", ""))
    return " ".join(text.split()).casefold()


def date_verdict(predicted: str, truth: str | None, today: dt.date) -> str:
    """'empty', 'correct' or 'invented'."""
    if not predicted:
        return "empty"
    if predicted > today.isoformat()[: len(predicted)]:
        return "invented"
    truth = (truth or "").strip()
    if not truth:
        return "invented"
    width = min(len(truth), len(predicted))
    return "correct" if predicted[:width] == truth[:width] and len(predicted) >= len(truth) else "invented"


def measure(root: Path, truth: dict[str, dict], files: list[str], *, today: dt.date | None = None) -> MetadataReport:
    """Load each file (no embedding), infer its metadata and compare it with the truth."""
    today = today or dt.date.today()
    report = MetadataReport()
    for rel in files:
        row = truth[rel]
        path = root / rel
        try:
            meta = infer_metadata(load(path), path, today=today)
        except LoadError as exc:
            report.failed.append(f"{rel}: {exc}")
            continue
        report.n += 1
        wrong: dict[str, tuple[str, str]] = {}
        if meta["doc_type"] == normalize_doc_type(row["kind"]):
            report.type_ok += 1
        else:
            wrong["type"] = (meta["doc_type"], row["kind"])
        if _norm(meta["publisher"]) == _norm(row.get("publisher")):
            report.publisher_ok += 1
        else:
            wrong["publisher"] = (meta["publisher"], row.get("publisher") or "")
        verdict = date_verdict(meta["date"], row.get("published"), today)
        if verdict == "invented":
            report.invented_dates += 1
            wrong["date"] = (meta["date"], row.get("published") or "")
        else:
            report.date_ok += 1
        if row.get("title"):
            report.titles_known += 1
            if _norm(meta["title"]) == _norm(row["title"]):
                report.title_ok += 1
            else:
                wrong["title"] = (meta["title"], row["title"])
        if wrong:
            report.errors.append({"file": rel, **{k: {"got": g, "want": w} for k, (g, w) in wrong.items()}})
    return report


def _main() -> None:  # pragma: no cover - a developer's tool: python -m eval.metadata_accuracy ROOT [FILES_JSON]
    import sys

    root = Path(sys.argv[1])
    truth = read_truth(root / "metadata.jsonl")
    files = json.loads(Path(sys.argv[2]).read_text()) if len(sys.argv) > 2 else sorted(truth)
    report = measure(root, truth, files)
    for err in report.errors:
        print(json.dumps(err, ensure_ascii=False))
    print(report.n, {k: round(v, 3) for k, v in report.rates().items()}, report.failed)


if __name__ == "__main__":
    _main()
