"""The `styrdok` command line. Each command parses its options and passes the call on to assistant.service.

Heavy modules (torch, chromadb, gradio) are imported inside the commands, so `styrdok --help` is instant.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import click

STATUS_WORDS = {"ingested": "inläst", "skipped": "hoppades över", "failed": "misslyckades", "removed": "borttagen"}
STATUS_MARKS = {"ingested": "✓", "skipped": "–", "failed": "✗", "removed": "✗"}
MAX_K = 100  # more hits than anyone reads; also bounds the work one search asks for


def _settings(*, web: bool = False):  # noqa: ANN202
    """The settings (assistant.settings.AppSettings, and with `web` ui.web.WebSettings too), read once here from
    the environment; a wrong value stops with the same message naming the variable for every command."""
    import os

    from assistant.api import SettingsError
    from assistant.settings import AppSettings

    try:
        app = AppSettings.from_env(os.environ)
        if not web:
            return app
        from ui.web import WebSettings

        return app, WebSettings.from_env(os.environ)
    except SettingsError as e:
        _fail(str(e))


def _service(*, ingest: bool = False):  # noqa: ANN202
    from assistant.service import Service

    settings = _settings()
    return Service(settings=settings.for_ingest() if ingest else settings)


def _lines(batch: TextIO) -> Iterator[str]:
    """Non-empty lines of a --batch file, in order."""
    return (line.strip() for line in batch if line.strip())


def _fail(message: str) -> None:
    click.echo(f"Fel: {message}", err=True)
    sys.exit(2)


def _in_range(low: int, high: int, what: str):  # noqa: ANN202 - a click callback
    """A click callback refusing a number outside [low, high] with a Swedish message (click's own is English, and
    an unchecked huge number reached SQLite as an OverflowError traceback)."""

    def check(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            _fail(f"{param.opts[0]} ska vara {what} mellan {low} och {high}, inte {value}")
        return value

    return check


K_OPTION = click.option(
    "-k", default=5, show_default=True, type=int, callback=_in_range(1, MAX_K, "ett antal"),
    help=f"Antal träffar (1–{MAX_K}).",
)  # fmt: skip


def _filter_option(spec):  # noqa: ANN001, ANN202 - an assistant.api.FilterField → a click option
    number = {"type": int, "callback": _in_range(*spec.bounds, spec.what)} if spec.bounds else {}
    return click.option(*spec.options, spec.name, help=spec.help, **number)


def filter_options(command):  # noqa: ANN001, ANN201 - a click decorator
    """Add the filter options (one per field of Filters, as its table declares them) to a command, which receives
    them as one `filters` argument (Filters)."""
    from assistant.api import Filters  # only index.catalog: `styrdok --help` stays instant

    table = Filters.table()

    @functools.wraps(command)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        return command(*args, filters=Filters.parse({f.name: kwargs.pop(f.name, None) for f in table}), **kwargs)

    for spec in reversed(table):
        wrapper = _filter_option(spec)(wrapper)
    return wrapper


def _refuse_empty_filter(svc, filters) -> None:  # noqa: ANN001 - Service and Filters, imported lazily
    """Stop with a clear message when no document passes the filters: "no hits" would suggest an empty index."""
    if filters.is_empty() or svc.documents_matching(filters):
        return
    docs = svc.documents()
    table = {f.name: f for f in filters.table()}
    said = [f"{table[name].word} {value!r}" for name, value in filters.items()]
    found = [
        f"{table[name].plural} i indexet: " + (", ".join(str(v) for v in table[name].present(docs)) or "inga")
        for name, _ in filters.items()
    ]
    known = "; ".join(found)
    click.echo(f"Inga inlästa dokument passar filtret ({', '.join(said)}). {known[:1].upper()}{known[1:]}", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """styrdok — sök och fråga i kommunens styrdokument."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--prune", is_flag=True, help="Ta bort dokument vars filer inte längre finns.")
@click.option("--rebuild", is_flag=True, help="Töm indexet och läs in allt på nytt (t.ex. efter modellbyte).")
@click.option("--json", "as_json", is_flag=True, help="Skriv rapporten som JSON.")
def ingest(paths: tuple[Path, ...], prune: bool, rebuild: bool, as_json: bool) -> None:
    """Läs in filer och mappar (PDF, Word, Markdown, text, HTML)."""
    from assistant.api import IndexBusyError, ModelMismatchError

    svc = _service(ingest=True)
    try:
        results = svc.ingest(list(paths), prune=prune, rebuild=rebuild, progress=not as_json)
    except (IndexBusyError, ModelMismatchError) as e:
        _fail(str(e))
        return
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            if r.status == "ingested":
                extra = f" ({r.chunks} avsnitt)" + (f" – obs: {r.reason}" if r.reason else "")
            else:
                extra = f": {r.reason}" if r.reason else ""
            click.echo(f"{STATUS_MARKS[r.status]} {r.path} {STATUS_WORDS[r.status]}{extra}")
        counts = {s: sum(r.status == s for r in results) for s in STATUS_WORDS}
        click.echo(
            f"Klart: {counts['ingested']} inlästa, {counts['skipped']} överhoppade, "
            f"{counts['failed']} misslyckade, {counts['removed']} borttagna."
        )
    sys.exit(1 if any(r.status == "failed" for r in results) else 0)


@main.command()
@click.argument("query", required=False)
@K_OPTION
@filter_options
@click.option(
    "--per-doc", default=3, show_default=True, type=int, callback=_in_range(1, MAX_K, "ett antal"),
    help="Högst så många träffar per dokument.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Skriv resultatet som JSON.")
@click.option("--batch", type=click.File("r", encoding="utf-8"), help="En fråga per rad; en JSON-rad per fråga ut.")
def search(
    query: str | None,
    k: int,
    filters,  # noqa: ANN001 - index.catalog.Filters, from filter_options
    per_doc: int,
    as_json: bool,
    batch: TextIO | None,
) -> None:
    """Sök i dokumenten (semantiskt och på ord)."""
    if not query and batch is None:
        _fail("ange en sökfråga eller --batch FIL")
    import os

    # A search needs no BLAS thread pool (its vector products are small): starting OpenBLAS's, one thread per core,
    # was ~80 ms of a cold search. Set before numpy is first imported; the user's own setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    svc = _service()
    svc.preload()  # the model loads while the catalog is read and the words are searched (cold start, issue 16)
    _refuse_empty_filter(svc, filters)
    if batch is not None:
        for q in _lines(batch):
            hits = svc.search(q, k=k, filters=filters, per_doc=per_doc)
            click.echo(json.dumps({"query": q, "hits": [h.to_json() for h in hits]}, ensure_ascii=False))
        return
    hits = svc.search(query, k=k, filters=filters, per_doc=per_doc)
    if as_json:
        click.echo(json.dumps({"query": query, "hits": [h.to_json() for h in hits]}, ensure_ascii=False, indent=2))
        return
    if not hits:
        click.echo("Inga träffar. Har du läst in några dokument? Prova: styrdok ingest data/exempel")
        return
    # Grouped by document, the documents in the order of their best hit.
    by_doc: dict[str, list] = {}
    for h in hits:
        by_doc.setdefault(h.doc_id, []).append(h)
    for doc_hits in by_doc.values():
        first = doc_hits[0]
        about = " · ".join(x for x in (first.publisher, first.doc_type, first.date or "datum saknas") if x)
        click.echo(f"{first.title}\n   {about}")
        for h in doc_hits:
            where = " · ".join(x for x in (h.section, f"s. {h.page}" if h.page else "") if x)
            click.echo(
                f"   {h.rank}. {where}\n      {_snippet(h.text)}" if where else f"   {h.rank}. {_snippet(h.text)}"
            )
        click.echo("")


def _snippet(text: str, n: int = 220) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1].rsplit(" ", 1)[0] + " …"


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Skriv listan som JSON.")
def docs(as_json: bool) -> None:
    """Lista inlästa dokument."""
    svc = _service()
    rows = svc.documents()
    if as_json:
        click.echo(json.dumps([d.__dict__ for d in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("Indexet är tomt. Läs in dokument med: styrdok ingest <mapp>")
        return
    for d in rows:
        who = f"  ({d.publisher})" if d.publisher else ""
        click.echo(
            f"{d.doc_id}  {d.date or 'datum saknas':12}  {d.doc_type:15}  {d.n_chunks:4} avsnitt  {d.title}{who}"
        )


@main.command()
@click.argument("target")
def remove(target: str) -> None:
    """Ta bort ett dokument ur indexet (sökväg eller dokument-id)."""
    from assistant.api import IndexBusyError

    svc = _service()
    try:
        r = svc.remove(target)
    except IndexBusyError as e:
        _fail(str(e))
        return
    if r.status != "removed":
        _fail(r.reason)
    click.echo(f"Borttaget: {r.path} ({r.chunks} avsnitt)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adress att lyssna på (0.0.0.0: alla nätverk).")
@click.option("--port", default=7860, show_default=True, type=int, help="Port att lyssna på.")
@click.option(
    "--root-path", default="", envvar="STYRDOK_ROOT_PATH", help="Sökväg bakom en omvänd proxy, t.ex. /styrdok."
)
def serve(host: str, port: int, root_path: str) -> None:
    """Starta webbappen (Fråga, Hitta mål, Sök, Dokument)."""
    from ui.web import serve as run_web

    # A wrong setting is a message here, not a traceback from the first request.
    settings, web = _settings(web=True)
    run_web(host=host, port=port, root_path=root_path, settings=settings, web=web)


# --- ask and chat ------------------------------------------------------------------------------------------------
NOTICE = (
    "Obs! Svaret är sammanställt automatiskt ur dokumenten. Det är inte ett beslut och kan vara ofullständigt – "
    "kontrollera alltid i källan."
)


@main.command()
@click.argument("question", required=False)
@filter_options
@click.option(
    "--mode",
    type=click.Choice(["extractive", "llm"]),
    help="extractive: svar med citat ur dokumenten (standard); llm: språkmodellen i STYRDOK_LLM_*.",
)
@click.option("--json", "as_json", is_flag=True, help="Skriv svaret som JSON.")
@click.option("--batch", type=click.File("r", encoding="utf-8"), help="En fråga per rad; en JSON-rad per fråga ut.")
def ask(
    question: str | None,
    filters,  # noqa: ANN001 - index.catalog.Filters, from filter_options
    mode: str | None,
    as_json: bool,
    batch: TextIO | None,
) -> None:
    """Ställ en fråga och få ett svar med källhänvisningar ur dokumenten."""
    if not question and batch is None:
        _fail("ange en fråga eller --batch FIL")
    svc = _service()
    svc.preload()  # the model loads while the catalog is read and the words are searched (cold start, issue 16)
    _refuse_empty_filter(svc, filters)
    if batch is not None:
        for q in _lines(batch):
            click.echo(json.dumps(svc.ask(q, filters=filters, mode=mode).to_json(), ensure_ascii=False))
        return
    answer = svc.ask(question, filters=filters, mode=mode)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    _print_answer(answer)


@main.command()
@filter_options
@click.option("--mode", type=click.Choice(["extractive", "llm"]), help="Svarsläge (som för ask).")
def chat(filters, mode: str | None) -> None:  # noqa: ANN001 - filters: index.catalog.Filters
    """Samtala med dokumenten: följdfrågor förstås i sitt sammanhang. "ny" börjar om, Ctrl-D avslutar."""
    from assistant.types import Answer, Status

    svc = _service()
    _refuse_empty_filter(svc, filters)
    history: list[Answer] = []
    click.echo('Ställ en fråga om dokumenten. Skriv "ny" för att börja om och avsluta med Ctrl-D.')
    while True:
        try:
            question = input("\nDu: ").strip()
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not question:
            continue
        if question.lower() in ("ny", "ny fråga", "börja om"):
            history.clear()
            click.echo("Nytt samtal.")
            continue
        answer, shown = None, ""
        for item in svc.ask_stream(question, history=history, filters=filters, mode=mode):
            if isinstance(item, Answer):
                answer = item
            elif isinstance(item, Status):  # "Formulerar svaret …" while the model writes; never its draft
                click.echo(click.style(item.text, dim=True))
            else:  # a sentence of the model's answer that has passed verification
                click.echo(item, nl=False)
                shown += item
        if shown:
            click.echo()
        if answer is not None:
            if answer.standalone_question and answer.standalone_question != answer.question:
                click.echo(click.style(f"(Tolkat som: {answer.standalone_question})", dim=True))
            _print_answer(answer, text=answer.answer != shown)
            history.append(answer)


def _print_answer(answer, text: bool = True) -> None:  # noqa: ANN001 - assistant.types.Answer, imported lazily
    if text:  # False: its sentences were already shown as they passed verification
        click.echo(answer.answer)
    if answer.notice:
        click.echo(click.style(answer.notice, dim=True))
    if answer.citations:
        click.echo("\nKällor:")
        for c in answer.citations:
            where = " · ".join(x for x in (c.date, f"s. {c.page}" if c.page else "", c.section) if x)
            click.echo(f"[{c.n}] {c.title}" + (f" — {where}" if where else ""))
    if not answer.refused:
        click.echo("\n" + click.style(NOTICE, dim=True))


def _register_subcommands() -> None:
    from ui.cli_eval import eval_cmd

    main.add_command(eval_cmd)


_register_subcommands()

if __name__ == "__main__":
    main()
