"""Hitta mål measured on eval/sets/proposals.jsonl over the seed article's nine goals (Lund 2019).

    python -m eval.proposals_measure [--split dev|test] [--home DIR]

Prints, per proposal, the goals found (number, vote, evidence similarity, clear link or not) and the totals:
related proposals whose first goal is one they touch, clear links that are right, and unrelated proposals given a
clear link ("Tydlig koppling") or a paragraph to paste (the target is none).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from eval.corpus import shared_root
from eval.proposals import Proposal, load_proposals

SEED_ARTICLE = "seeds/000_b4f07bea39e3c847.txt"


def seed_service(home: Path):  # noqa: ANN201
    from assistant.service import Service
    from index.config import Settings
    from index.engine import Index

    base = Settings.from_env()
    s = replace(base, home=home, model_cache=base.models_dir)
    index = Index(s)
    index.ingest([shared_root() / SEED_ARTICLE])
    return Service(settings=s, index=index)


def measure(find, proposals: list[Proposal]) -> dict:  # noqa: ANN001 - find: text → list[GoalMatch]
    rows = []
    for p in proposals:
        ms = find(p.text)
        rows.append({"id": p.id, "goals": list(p.goals),
                     "found": [(m.goal, m.score, m.similarity, m.strong, bool(m.paragraph)) for m in ms]})  # fmt: skip
    related = [r for r in rows if r["goals"]]
    unrelated = [r for r in rows if not r["goals"]]
    strong = [(g, r) for r in related for g, _, _, s, _ in r["found"] if s]
    return {
        "proposals": len(rows),
        "related": len(related),
        "unrelated": len(unrelated),
        "related_top1": sum(bool(r["found"]) and r["found"][0][0] in r["goals"] for r in related),
        "related_with_clear_link": sum(any(f[3] for f in r["found"]) for r in related),
        "clear_links_right": sum(g in r["goals"] for g, r in strong),
        "clear_links": len(strong),
        "unrelated_marked_tydlig": sum(any(f[3] for f in r["found"]) for r in unrelated),
        "unrelated_with_paragraph": sum(any(f[4] for f in r["found"]) for r in unrelated),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=["dev", "test"])
    ap.add_argument("--home", type=Path, help="index folder (default: a temporary one)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        svc = seed_service(args.home or Path(tmp))
        res = measure(svc.find_goals, load_proposals(split=args.split))
    for r in res.pop("rows"):
        print(r["id"], r["goals"], r["found"][:3])
    print(json.dumps(res, ensure_ascii=False))
    return res


if __name__ == "__main__":
    main()
