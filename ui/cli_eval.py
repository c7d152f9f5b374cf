"""`styrdok eval`: run question sets, write the report, and (with --gate) fail when a metric drops."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from assistant.llm.base import Generator


@click.command("eval")
@click.option("--set", "sets", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Frågeuppsättning (JSONL). Standard: eval/sets/exempel.jsonl.")  # fmt: skip
@click.option("--swequad", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Mapp med SweQUAD-MC (dev.json/test.json/training.json).")  # fmt: skip
@click.option("--split", default="test", show_default=True, type=click.Choice(["dev", "test"]),
              help="Vilken del av SweQUAD-MC eller av en uppsättning med delar (verkliga.jsonl) som körs.")  # fmt: skip
@click.option("--baseline", is_flag=True, help="Kör också baslinjen (LangChain + Chroma, bara täta vektorer).")
@click.option("--report", "report_dir", type=click.Path(path_type=Path), help="Skriv rapport (Markdown, HTML, JSON).")
@click.option("--gate", is_flag=True, help="Avsluta med fel om ett mått är sämre än eval/gate.toml.")
@click.option("--json", "as_json", is_flag=True, help="Skriv sammanfattningen som JSON.")
@click.option("--mode", type=click.Choice(["extractive", "llm"]),
              help="Svarsläge för frågorna (standard: STYRDOK_ANSWER_MODE); llm använder språkmodellen i STYRDOK_LLM_*.")  # fmt: skip
@click.option("--sample", type=click.IntRange(1), help="Bara N frågor per uppsättning, slumpvis valda (med --seed).")
@click.option("--seed", type=int, default=17, show_default=True, help="Slumpfrö för --sample.")
@click.option("--judge", is_flag=True,
              help="Låt också den inställda språkmodellen bedöma svarens trohet (llm_faithfulness).")  # fmt: skip
def eval_cmd(
    sets: tuple[Path, ...], swequad: Path | None, split: str, baseline: bool, report_dir: Path | None, gate: bool,
    as_json: bool, mode: str | None, sample: int | None, seed: int, judge: bool,
) -> None:  # fmt: skip
    """Mät sökträffar och svarens trohet mot källorna."""
    from assistant.api import Settings, set_offline_defaults
    from eval import gate as G
    from eval.questions import EXEMPEL_SET, load_jsonl, load_swequad
    from eval.run import baseline_system, evaluate, styrdok_system

    set_offline_defaults()
    settings = Settings.from_env()
    qsets = [load_jsonl(p, split=split) for p in (sets or (() if swequad else (EXEMPEL_SET,)))]
    for qs in qsets:
        missing = qs.declared.missing() if qs.declared else []
        if missing:
            from eval.corpus import SHARED_ENV

            raise click.ClickException(
                f"Dokumenten som {qs.name} frågar om finns inte: {', '.join(map(str, missing))}. "
                f"Ange mappen med materialet i {SHARED_ENV}."
            )
    if swequad:
        qsets.append(load_swequad(swequad, split, settings.home / "eval" / "swequad-corpus"))
    if sample:  # a slow mode (an LLM on two cores) measured on the same seeded questions as the fast one
        import random

        for qs in qsets:
            keep = set(random.Random(seed).sample(range(len(qs.questions)), min(sample, len(qs.questions))))
            qs.questions = [q for i, q in enumerate(qs.questions) if i in keep]
    judge_llm = _judge_generator() if judge else None
    sections, summary, failures = [], {}, []
    for qs in qsets:
        click.echo(f"Utvärderar {qs.name} ({len(qs.questions)} frågor) …", err=True)
        search, ask, svc, failed = styrdok_system(qs, settings.home, mode=mode)
        for r in failed:
            click.echo(f"  varning: {r.path}: {r.reason}", err=True)
        ours = evaluate("styrdok", qs, search, ask, judge=judge_llm)
        base = None
        if baseline:
            b_search, b_ask = baseline_system(qs, svc.index.embedder.model_path())
            base = evaluate("baseline", qs, b_search, b_ask, judge=judge_llm)
        for r in (ours, base):
            if r is not None and r.judge.get("errors"):
                click.echo(f"  varning: domaren kunde inte bedöma {r.judge['errors']} av {r.judge['judged']} svar "
                           f"({r.name}): {r.judge['first_error']}", err=True)  # fmt: skip
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


def _judge_generator() -> Generator | None:
    """The configured LLM as judge, or None with a plain note: --judge never stops the non-LLM evaluation.
    assistant.llm is imported here, only when --judge is given, to keep `styrdok --help` instant."""
    from assistant.config import LLMSettings
    from assistant.llm import backend_from_env, chosen
    from assistant.llm.base import GeneratorError

    env = LLMSettings.from_env().env  # the environment is read by the settings class only
    if not chosen(env):
        click.echo(
            "Obs: ingen språkmodell är inställd (STYRDOK_LLM_BASE_URL och STYRDOK_LLM_MODEL), så svaren bedöms "
            "inte av en språkmodell. Utvärderingen fortsätter utan den.",
            err=True,
        )
        return None
    try:
        gen = backend_from_env(env)
    except GeneratorError as e:
        click.echo(f"Obs: språkmodellen kan inte användas som domare ({e}). Utvärderingen fortsätter utan den.",
                   err=True)  # fmt: skip
        return None
    click.echo(f"Språkmodellen {gen.name} bedömer svarens trohet mot källorna (llm_faithfulness).", err=True)
    return gen
