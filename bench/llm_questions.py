"""The eight questions of issue 17, extractive versus LLM mode over data/exempel: mode, sentences kept/dropped,
latency and whether the key fact is in the answer → bench/results/llm_questions.{json,md}.

    STYRDOK_LLM_BASE_URL=http://127.0.0.1:8080/v1 STYRDOK_LLM_MODEL=gemma3-270m python -m bench.llm_questions

Without an LLM configured only the extractive column is filled. The index is built in --home (reused when there).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The key fact a right answer holds (lower case); None: not answerable from data/exempel (a refusal is right).
QUESTIONS: dict[str, str | None] = {
    "Vilka mål handlar om klimat och miljö?": "mål 5",
    "Hur många skolor får solceller?": "tolv",
    "Vem kan få fritidskortet?": "13 och 19 år",
    "Vad kostar fritidskortet?": "9,8 mnkr",
    "Hur ska nämnderna följa upp målen?": "varje nämnd",
    "Var kan jag parkera?": None,
    "Vilka fokusområden finns?": "smartare lund",
    "När ska solcellerna vara klara?": "2025-11-30",
}


def run(home: Path, out: Path) -> list[dict]:
    from assistant.ask import Assistant
    from assistant.config import LLMSettings
    from index.config import Settings, set_offline_defaults
    from index.engine import Index

    set_offline_defaults()
    index = Index(replace(Settings.from_env(), home=home))
    index.ingest([ROOT / "data" / "exempel"])
    modes = {"extractive": Assistant(index, LLMSettings())}
    llm = LLMSettings.from_env({**os.environ, "STYRDOK_ANSWER_MODE": "llm"})
    if llm.configured:
        modes["llm"] = Assistant(index, llm)
    rows = []
    for question, fact in QUESTIONS.items():
        row: dict = {"question": question, "key_fact": fact}
        for name, assistant in modes.items():
            started = time.monotonic()
            ans = assistant.ask(question)
            took = time.monotonic() - started
            right = ans.refused if fact is None else (not ans.refused and fact in ans.answer.lower())
            row[name] = {"mode": ans.mode, "confidence": ans.confidence, "refused": ans.refused,
                         "latency_s": round(took, 2), "key_fact": right, "llm": ans.llm.to_json(),
                         "answer": ans.answer, "notice": ans.notice}  # fmt: skip
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "llm_questions.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (out / "llm_questions.md").write_text(markdown(rows), encoding="utf-8")
    index.close()
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| question | extractive: mode · key fact · s | LLM: mode · kept/dropped · fallback · key fact · s |",
             "|---|---|---|"]  # fmt: skip
    for r in rows:
        e, m = r["extractive"], r.get("llm")
        ext = f"{e['mode'] if not e['refused'] else e['confidence']} · {'ja' if e['key_fact'] else 'nej'} · {e['latency_s']}"
        if m is None:
            llm = "–"
        else:
            info = m["llm"]
            mode = m["mode"] if not m["refused"] else m["confidence"]
            llm = (f"{mode} · {info['kept_sentences']}/{info['dropped']} · {info['fallback_reason'] or '–'} · "
                   f"{'ja' if m['key_fact'] else 'nej'} · {m['latency_s']}")  # fmt: skip
        lines.append(f"| {r['question']} | {ext} | {llm} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=ROOT / "bench" / "results" / "cache" / "llm-questions")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    run(args.home, args.out)


if __name__ == "__main__":
    main()
