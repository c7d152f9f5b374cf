"""`styrdok eval`: run question sets, write the report, and (with --gate) fail when a metric drops."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command("eval")
@click.option("--set", "sets", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Frågeuppsättning (JSONL). Standard: eval/sets/exempel.jsonl.")  # fmt: skip
@click.option("--swequad", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Mapp med SweQUAD-MC (dev.json/test.json/training.json).")  # fmt: skip
@click.option("--split", default="test", show_default=True, type=click.Choice(["dev", "test"]))
@click.option("--baseline", is_flag=True, help="Kör också baslinjen (LangChain + Chroma, bara täta vektorer).")
@click.option("--report", "report_dir", type=click.Path(path_type=Path), help="Skriv rapport (Markdown, HTML, JSON).")
@click.option("--gate", is_flag=True, help="Avsluta med fel om ett mått är sämre än eval/gate.toml.")
@click.option("--json", "as_json", is_flag=True, help="Skriv sammanfattningen som JSON.")
def eval_cmd(
    sets: tuple[Path, ...], swequad: Path | None, split: str, baseline: bool, report_dir: Path | None, gate: bool,
    as_json: bool,
) -> None:  # fmt: skip
    """Mät sökträffar och svarens trohet mot källorna."""
    from eval import gate as G
    from eval.questions import EXEMPEL_SET, load_jsonl, load_swequad
    from eval.run import baseline_system, evaluate, styrdok_system
    from index.config import Settings, set_offline_defaults

    set_offline_defaults()
    settings = Settings.from_env()
    qsets = [load_jsonl(p) for p in (sets or (() if swequad else (EXEMPEL_SET,)))]
    if swequad:
        qsets.append(load_swequad(swequad, split, settings.home / "eval" / "swequad-corpus"))
    sections, summary, failures = [], {}, []
    for qs in qsets:
        click.echo(f"Utvärderar {qs.name} ({len(qs.questions)} frågor) …", err=True)
        search, ask, svc, failed = styrdok_system(qs, settings.home)
        for r in failed:
            click.echo(f"  varning: {r.path}: {r.reason}", err=True)
        ours = evaluate("styrdok", qs, search, ask)
        base = None
        if baseline:
            b_search, b_ask = baseline_system(qs, svc.index.embedder.model_path())
            base = evaluate("baseline", qs, b_search, b_ask)
        sections.append((qs.name, ours, base))
        summary[qs.name] = {"styrdok": {**ours.retrieval, **ours.answers},
                            "baseline": {**base.retrieval, **base.answers} if base else None}  # fmt: skip
        limits = G.thresholds().get(qs.name) if gate else None
        if limits:
            failures += [f"{qs.name}: {line}" for line in G.check(summary[qs.name]["styrdok"], limits)]
    if report_dir:
        from eval.report import write

        for p in write(report_dir, sections):
            click.echo(f"Skrev {p}", err=True)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        from eval.report import markdown

        for name, ours, base in sections:
            click.echo(markdown(name, ours, base).split("### Failures")[0])
    if failures:
        click.echo("Spärren slog till:\n" + "\n".join(f"  {f}" for f in failures), err=True)
        sys.exit(1)
