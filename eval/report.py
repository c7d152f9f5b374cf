"""Evaluation results → Markdown and a self-contained HTML page (inline CSS and SVG, nothing fetched)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from eval.run import SystemResult

HEADLINE = ["recall@1", "recall@3", "recall@5", "mrr", "ndcg@10"]
# llm_faithfulness (only with --judge) sits next to sentence_support: the same question asked of an LLM judge.
ANSWER = ["sentence_support", "llm_faithfulness", "citation_precision", "citation_recall", "key_fact",
          "key_fact_answerable", "refusal_accuracy", "false_refusal_rate", "false_answer_rate",
          "unsure_rate"]  # fmt: skip


def comparison(ours: SystemResult, base: SystemResult | None) -> list[tuple[str, float, float | None, str]]:
    rows = []
    for group, keys in (("retrieval", HEADLINE), ("answers", ANSWER)):
        a, b = getattr(ours, group), getattr(base, group) if base else {}
        for k in keys:
            if k in a:
                bv = b.get(k) if b else None
                # No ratio to a baseline of 0 (the baseline never refuses, so its refusal accuracy is 0).
                ratio = f"{a[k] / bv:.2f}×" if bv else ("—" if bv is None else "— (baseline 0)")
                rows.append((k, a[k], bv, ratio))
    return rows


def _failed(row: dict) -> bool:
    r = row.get("retrieval", {})
    s = row.get("scores", {})
    return (
        r.get("recall@3", 1) < 1
        or s.get("sentence_support", 1) < 1
        or s.get("refusal_correct", 1) < 1
        or s.get("false_refusal", 0) > 0
        or s.get("key_fact", 1) == 0
    )


def markdown(set_name: str, ours: SystemResult, base: SystemResult | None) -> str:
    lines = [f"## {set_name}", "", f"{len(ours.rows)} questions; styrdok {ours.seconds} s"
             + (f", baseline {base.seconds} s" if base else ""), ""]  # fmt: skip
    lines += [_judge_line(ours, base), ""] if ours.judge else []
    lines += ["| metric | styrdok | baseline | ratio |", "|---|---|---|---|"]
    for k, a, b, ratio in comparison(ours, base):
        lines.append(f"| {k} | {a:.3f} | {'' if b is None else f'{b:.3f}'} | {ratio} |")
    fails = [r for r in ours.rows if _failed(r)]
    lines += ["", f"### Failures ({len(fails)})", ""]
    for r in fails[:50]:
        lines.append(f"- `{r['id']}` {r['question']} — {json.dumps(_fail_summary(r), ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _judge_line(ours: SystemResult, base: SystemResult | None) -> str:
    """Who judged, and how many answers the judge could not score (those are left out of llm_faithfulness)."""
    parts = [f"{r.name} {r.judge['judged']} answers, {r.judge['errors']} not scored"
             + (" (judge stopped: it failed on every answer)" if r.judge.get("stopped") else "")
             for r in (ours, base) if r is not None and r.judge]  # fmt: skip
    return f"LLM judge {ours.judge['model']} (llm_faithfulness, beside the non-LLM checks): " + "; ".join(parts)


def _fail_summary(row: dict) -> dict:
    out = {k: v for k, v in row.get("scores", {}).items() if v is not None}
    if "retrieval" in row:
        out["recall@3"] = row["retrieval"]["recall@3"]
    judged = row.get("judge") or {}
    if judged.get("unsupported"):
        out["unsupported_claims"] = judged["unsupported"]
    if judged.get("note"):
        out["judge_note"] = judged["note"]
    return out


def _bars(ours: SystemResult, base: SystemResult | None) -> str:
    rows = comparison(ours, base)
    h = 22 * len(rows) + 10
    parts = [f'<svg role="img" aria-label="Jämförelse" width="560" height="{h}" xmlns="http://www.w3.org/2000/svg">']
    for i, (k, a, b, _) in enumerate(rows):
        y = 5 + i * 22
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{html.escape(k)}</text>')
        parts.append(f'<rect x="150" y="{y}" width="{300 * a:.0f}" height="9" fill="#1f6f43"/>')
        if b is not None:
            parts.append(f'<rect x="150" y="{y + 10}" width="{300 * b:.0f}" height="9" fill="#b0b7bf"/>')
        parts.append(f'<text x="{455}" y="{y + 13}" font-size="11">{a:.2f}{"" if b is None else f" / {b:.2f}"}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_page(sections: list[tuple[str, SystemResult, SystemResult | None]]) -> str:
    body = ["<h1>styrdok – utvärdering</h1>",
            "<p>Grön stapel: styrdok. Grå: baslinjen (LangChain RecursiveCharacterTextSplitter 1000/200 + Chroma, "
            "samma modell, bara täta vektorer, svaret = bästa passagen).</p>"]  # fmt: skip
    for name, ours, base in sections:
        body.append(f"<h2>{html.escape(name)}</h2>{_bars(ours, base)}")
        if ours.judge:
            body.append(f"<p>{html.escape(_judge_line(ours, base))}</p>")
        body.append("<table><tr><th>id</th><th>fråga</th><th>svar</th><th>källor</th><th>resultat</th></tr>")
        for r in sorted(ours.rows, key=lambda r: not _failed(r)):
            cls = "fail" if _failed(r) else "ok"
            cites = "<br>".join(
                html.escape(f"[{c['n']}] {c['source']}: {c['quote'][:100]}") for c in r.get("citations", [])
            )
            body.append(
                f'<tr class="{cls}"><td>{html.escape(r["id"])}</td><td>{html.escape(r["question"])}</td>'
                f"<td>{html.escape(r.get('answer', ''))}</td><td>{cites}</td>"
                f"<td>{html.escape(json.dumps(_fail_summary(r), ensure_ascii=False))}</td></tr>"
            )
        body.append("</table>")
    css = ("body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;"
           "font-size:13px}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}tr.fail{background:#fde8e8}")  # fmt: skip
    return f'<!doctype html><html lang="sv"><meta charset="utf-8"><title>styrdok utvärdering</title><style>{css}</style>{"".join(body)}</html>'


def write(report_dir: Path, sections: list[tuple[str, SystemResult, SystemResult | None]]) -> list[Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    md = report_dir / "report.md"
    md.write_text("# styrdok – utvärdering\n\n" + "\n".join(markdown(n, o, b) for n, o, b in sections), "utf-8")
    page = report_dir / "report.html"
    page.write_text(html_page(sections), encoding="utf-8")
    data = report_dir / "results.json"
    data.write_text(json.dumps({n: {"styrdok": o.__dict__, "baseline": b.__dict__ if b else None}
                                for n, o, b in sections}, ensure_ascii=False, indent=1), encoding="utf-8")  # fmt: skip
    return [md, page, data]
