"""The web app: four tabs over assistant.service.Service. Layout lives in ui/web_<tab>.py, HTML in ui/render.py.

`serve()` is what `styrdok serve` runs. Gradio is imported only here and in the tab modules, never by the CLI at
start-up, so `styrdok --help` stays instant.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.api import positive
from ui.upload import DEFAULT_CLEANUP_S, AdminGate
from ui.web_public import PublicTexts, routes

if TYPE_CHECKING:
    import gradio as gr

    from assistant.service import Service
    from assistant.settings import AppSettings

log = logging.getLogger("styrdok.web")

TITLE = "styrdok – fråga kommunens styrdokument"
DEFAULT_CONCURRENCY = 4

# Readable on a phone (nothing wider than the screen), visible keyboard focus, and the marked quote clearly marked.
CSS = """
.notis { border-left: 4px solid #b45309; background: #fffbeb; padding: .5rem .75rem; border-radius: 4px; }
.notis p { margin: 0; color: #422006; }
mark { background: #fde047; color: inherit; padding: 0 .1em; }
details.kalla { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .35rem .6rem;
  margin: .35rem 0; }
details.kalla > summary { cursor: pointer; font-weight: 600; }
details.kalla[open] > summary { margin-bottom: .35rem; }
.kalla-meta { font-size: .9em; opacity: .85; margin-bottom: .25rem; }
blockquote.kalla-text { margin: .25rem 0; padding-left: .6rem; border-left: 3px solid var(--border-color-primary);
  overflow-wrap: anywhere; }
.kallor-rubrik { font-weight: 600; margin: .6rem 0 .2rem; }
a.cite { font-weight: 600; text-decoration: underline; }
:focus-visible { outline: 3px solid #2563eb !important; outline-offset: 2px; }
ol.traffar, ol.mal-lista { padding-left: 1.4rem; }
ul.dokument { list-style: none; padding-left: 0; }
li.traff, li.mal, li.dok { margin-bottom: 1rem; overflow-wrap: anywhere; }
.traff-titel, .mal-titel, .dok-titel { font-weight: 600; font-size: 1.05em; }
.mal-stycke { background: var(--background-fill-secondary); padding: .4rem .6rem; border-radius: 4px; }
.exempel button { white-space: normal; }
.fel { color: #b91c1c; }
.styrka { display: inline-block; font-size: .85em; padding: 0 .4rem; border-radius: 4px; margin: .15rem 0; }
.styrka.tydlig { background: #dcfce7; color: #14532d; }
.styrka.mojlig { background: #f3f4f6; color: #374151; }
/* WCAG AA contrast (4.5:1) for Gradio's orange and red buttons: white on #f97316 is 2.8:1, on #ef4444 3.8:1. */
button.primary, .primary > button, button.primary:hover { background: #1d4ed8 !important; color: #fff !important;
  border-color: #1d4ed8 !important; }
button.stop, button.stop:hover { background: #b91c1c !important; color: #fff !important; border-color: #b91c1c !important; }
a.original { font-size: .95em; }
a.original .ny-flik { color: inherit; }
/* The chosen tab in Gradio's orange is under 4.5:1 on white at phone width. */
button[role="tab"][aria-selected="true"], button[role="tab"].selected { color: #1d4ed8 !important; }
/* Gradio's light grey for hints and placeholders is about 4.1:1 on white. */
.info-text, .subdued, ::placeholder { color: #4b5563 !important; }
.forklaring { font-size: .9em; font-style: italic; }
table.tabell { border-collapse: collapse; margin: .3rem 0; font-size: .9em; display: block; overflow-x: auto;
  border: none !important; width: auto !important; }
table.tabell td { border: 1px solid var(--border-color-primary); padding: .15rem .4rem; vertical-align: top; }
.traff-stalle { font-size: .9em; font-weight: 600; margin-top: .3rem; }
.sidfot { font-size: .9em; border-top: 1px solid var(--border-color-primary); padding-top: .5rem; }
#fraga-chatt .placeholder-content { padding-top: 0; }
"""

# The page is Swedish (screen readers choose their voice by the lang attribute). Clicking [n] in an answer opens
# that answer's source n: the browser's own jump to #id would scroll but leave the passage closed, so the link opens
# the <details> and moves keyboard focus there (Enter on the link works too).
HEAD = """
<style>
/* Here, not in CSS: Gradio scopes that to elements inside the app, and the side padding sits on the app itself. */
@media (max-width: 480px) { .main.fillable.app { padding-left: 8px !important; padding-right: 8px !important; } }
/* One accent colour with AA contrast on white (Gradio's orange is 2.8:1): chosen tab, its underline, links. */
:root { --color-accent: #1d4ed8 !important; }
</style>
<script>
document.documentElement.lang = "sv";
%SWEDISH%
// Choosing the same file again must upload again (e.g. after a refused password): a file input only reports a
// change when its value changes, so it is emptied as the file chooser opens.
document.addEventListener("click", function (e) {
  if (e.target instanceof HTMLInputElement && e.target.type === "file") e.target.value = "";
}, true);
document.addEventListener("click", function (e) {
  var a = e.target && e.target.closest ? e.target.closest("a.cite") : null;
  if (!a) return;
  var d = document.getElementById((a.getAttribute("href") || "").slice(1));
  if (!d) return;
  e.preventDefault();
  e.stopPropagation();
  d.open = true;
  d.scrollIntoView({ block: "nearest" });
  var s = d.querySelector("summary");
  if (s) s.focus();
}, true);
</script>
"""


@dataclass(frozen=True)
class WebSettings:
    """The web app's own settings, read once when `styrdok serve` starts, beside the rest (AppSettings).

    concurrency (STYRDOK_WEB_CONCURRENCY): how many events run at once. Gradio's default is 1: one user's long answer
    (an LLM can take 30 s) would hold everyone else in the queue. Searches and answers only read: the catalog
    connection is opened for use from many threads (writes are serialised by the ingest lock), Chroma's client is
    thread-safe, and the embedder loads its model under a lock and releases the GIL while it computes. A handful of
    workers also caps memory and CPU contention on a small server; uploads run in their own group of one.
    """

    concurrency: int = DEFAULT_CONCURRENCY
    cleanup_s: int = DEFAULT_CLEANUP_S  # STYRDOK_UPLOAD_CLEANUP_S (ui/upload.py)
    gate: AdminGate = field(default_factory=AdminGate)  # STYRDOK_ADMIN_PASSWORD / STYRDOK_ADMIN_TOKEN_FILE
    texts: PublicTexts = field(default_factory=PublicTexts)  # STYRDOK_ORGANISATION, STYRDOK_CONTACT_*, …

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebSettings:
        """SettingsError (Swedish, naming the variable) for a value that is wrong, as for every other setting."""
        return cls(
            concurrency=int(positive(env, "STYRDOK_WEB_CONCURRENCY", DEFAULT_CONCURRENCY, integer=True)),
            cleanup_s=int(positive(env, "STYRDOK_UPLOAD_CLEANUP_S", DEFAULT_CLEANUP_S, integer=True)),
            gate=AdminGate.from_env(env),
            texts=PublicTexts.from_env(env),
        )


def head() -> str:
    """HEAD with the script that puts Gradio's own texts in Swedish (ui/web_swedish.py)."""
    from ui import web_swedish

    return HEAD.replace("%SWEDISH%", web_swedish.script())


def build_app(
    service: Service, gate: AdminGate | None = None, texts: PublicTexts | None = None, web: WebSettings | None = None
) -> gr.Blocks:
    """The page. `web`: the settings read at start-up (default: the defaults); `gate` and `texts` override its."""
    import gradio as gr

    from ui import web_ask, web_docs, web_goals, web_search
    from ui.web_common import refreshed

    web = web or WebSettings()
    gate = gate or web.gate
    texts = texts or web.texts
    age = web.cleanup_s
    # Files anyone sends to Gradio's upload route are deleted after `age` seconds (see ui/upload.py).
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(max(1, age // 10), age)) as app:
        gr.Markdown(f"# {TITLE}")
        gr.Markdown(texts.intro_markdown(), elem_id="inledning")
        with gr.Tabs():
            with gr.Tab("Fråga", id="fraga", elem_id="flik-fraga"):
                ask_filters = web_ask.build(service, texts)
            with gr.Tab("Hitta mål", id="mal", elem_id="flik-mal"):
                web_goals.build(service)
            with gr.Tab("Sök", id="sok", elem_id="flik-sok"):
                search_filters = web_search.build(service)
            with gr.Tab("Dokument", id="dokument", elem_id="flik-dokument"):
                docs = web_docs.build(service, gate, service.settings.limits.max_file_bytes)
        gr.Markdown(texts.footer_markdown(), elem_id="sidfot", elem_classes=["sidfot"])

        def on_load() -> tuple:
            # The filters' choices (years, publishers) and the document list come from the index at page load, so a
            # new upload shows up on reload.
            listed = service.documents()
            return (*refreshed(listed), *refreshed(listed), *docs.refresh(listed))

        outputs = [*ask_filters, *search_filters, *docs.outputs]
        app.load(on_load, None, outputs, queue=False)
    return app


def serve(
    host: str = "127.0.0.1",
    port: int = 7860,
    root_path: str = "",
    settings: AppSettings | None = None,
    web: WebSettings | None = None,
) -> None:
    """Start the app and block. Nothing on the page is fetched from outside (Gradio bundles its fonts and scripts).

    `settings` and `web` are read once by the caller (`styrdok serve`); without them, from the environment here."""
    # Before gradio is imported: it reads these at import time.
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("GRADIO_RUN_HISTORY", "False")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # gradio's own start-up probes, one line per request
    from assistant.service import Service
    from assistant.settings import AppSettings

    settings = settings or AppSettings.from_env(os.environ)
    web = web or WebSettings.from_env(os.environ)
    service = Service(settings)
    gate = web.gate
    log.info("personalfunktioner (uppladdning/borttagning): %s", "på" if gate.enabled else "avstängda")
    app = build_app(service, web=web)
    # Open the stores and load the model before the first request, not during it: the first visitor doesn't wait
    # for the model, and concurrent first requests can't race to open Chroma (its client must be created once).
    _warm_up(service)
    app.queue(default_concurrency_limit=web.concurrency, max_size=100)
    try:
        app.launch(
            server_name=host, server_port=port, root_path=root_path or None, css=CSS, head=head(),
            share=False, inbrowser=False, show_error=False, footer_links=[], run_history=False, ssr_mode=False,
            pwa=False, mcp_server=False, enable_monitoring=False,
            # With staff functions off nothing may be uploaded at all: the route refuses anything over one byte.
            max_file_size=service.settings.limits.max_file_bytes if gate.enabled else 1,
            strict_cors=True, app_kwargs={"routes": routes(service, web.texts)},
        )  # fmt: skip
    finally:
        service.close()


def _warm_up(service: Service) -> None:
    log.info("laddar modellen och öppnar indexet …")
    try:
        service.warm_up()
    except Exception:  # noqa: BLE001 - an empty or broken index shows itself on the page; start-up goes on
        log.exception("uppvärmningen misslyckades")
