"""The Hitta mål tab (for staff): paste a draft proposal, get the goals it touches and a paragraph to paste back."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from assistant.service import Service
from ui import render
from ui.web_common import ERROR_TEXT, log

MAX_CHARS = 30_000  # a long tjänsteskrivelse is ~10 pages; beyond that it is a paste mistake, not a proposal

EXAMPLE = (
    "Solceller på kommunens skolor\n\n"
    "Tekniska förvaltningen föreslår att solceller installeras på taken till tio grundskolor under 2026. "
    "Anläggningarna beräknas ge en tredjedel av skolornas el och minska utsläppen av växthusgaser. "
    "Eleverna får följa elproduktionen i undervisningen om energi och klimat."
)


def goals_handler(service: Service) -> Callable[[str], tuple[str, str]]:
    def run(text: str) -> tuple[str, str]:
        text = (text or "")[:MAX_CHARS]
        if not text.strip():
            return render.goals_html([], ""), ""
        try:
            matches = service.find_goals(text)
        except Exception:
            log.exception("målsökningen misslyckades")
            return f"<p class='fel'>{ERROR_TEXT}</p>", ""
        return render.goals_html(matches, text), render.goals_paragraphs(matches)

    return run


def build(service: Service) -> None:
    gr.Markdown(
        "Klistra in texten i ett ärende, till exempel ett utkast till tjänsteskrivelse. Du får de mål i "
        "kommunfullmäktiges målstyrning som texten berör, det bästa först, med stycket som visar varför och en "
        "mening med källhänvisning som du kan kopiera. Kontrollera alltid att målet verkligen passar ärendet."
    )
    text = gr.Textbox(
        label="Text ur ärendet", lines=8, max_lines=20, max_length=MAX_CHARS, elem_id="mal-text",
        placeholder="Klistra in texten här",
    )  # fmt: skip
    with gr.Row():
        go = gr.Button("Hitta mål", variant="primary", elem_id="mal-knapp", min_width=140)
        example = gr.Button("Visa ett exempel", variant="secondary", min_width=140)
    result = gr.HTML(render.goals_html([], ""), elem_id="mal-resultat")
    paragraph = gr.Textbox(
        label="Att klistra in i ärendet", lines=3, interactive=False, buttons=["copy"], elem_id="mal-stycke"
    )
    run = goals_handler(service)
    go.click(run, text, [result, paragraph], api_name="hitta_mal")
    example.click(lambda: EXAMPLE, None, text, queue=False).then(run, text, [result, paragraph])
