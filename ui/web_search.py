"""The Sök tab: hybrid search with filters; results as cards with a marked snippet."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from assistant.service import Service
from ui import render
from ui.web_common import ERROR_TEXT, filter_dropdowns, log, to_filters

RESULTS = 10


def search_handler(service: Service) -> Callable[..., str]:
    def run(query: str, *filters: str) -> str:  # the filter dropdowns' values (ui/web_common.py)
        query = (query or "").strip()
        if not query:
            return render.hits_html([], "")
        try:
            hits = service.search(query, k=RESULTS, filters=to_filters(*filters))
        except Exception:
            log.exception("sökningen misslyckades")
            return f"<p class='fel'>{ERROR_TEXT}</p>"
        return render.hits_html(hits, query)

    return run


def build(service: Service) -> list[gr.Dropdown]:
    """Lay out the tab inside the current gr.Tab; returns the filter dropdowns, whose choices the page refreshes from
    the index."""
    gr.Markdown(
        "Sök efter ord eller innebörd i alla inlästa dokument. Du kan begränsa till en dokumenttyp eller ett år."
    )
    with gr.Row(equal_height=True):
        query = gr.Textbox(
            label="Sök efter", placeholder="Till exempel: solceller på skolor", scale=4, min_width=240,
            elem_id="sok-fraga", submit_btn="Sök",
        )  # fmt: skip
    with gr.Row():
        filters = filter_dropdowns("sok")
    results = gr.HTML(render.hits_html([], ""), elem_id="sok-resultat")
    run = search_handler(service)
    gr.on(
        [query.submit, *(f.change for f in filters)], run, [query, *filters], results, api_name="sok",
    )  # fmt: skip
    return filters
