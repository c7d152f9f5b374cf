"""The Dokument tab: what is indexed, and — for staff only — upload and removal.

Staff functions exist on the page only when the server has a staff password (ui.upload.AdminGate); every upload and
removal checks it again on the server, whatever the page sent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant.service import Service
from index.catalog import DocRecord
from index.engine import IndexBusyError
from ui import render
from ui.upload import ALLOWED_SUFFIXES, AdminGate, UploadError, is_upload, max_upload_bytes, store_upload
from ui.web_common import ERROR_TEXT, log

DISABLED_NOTE = (
    "Uppladdning och borttagning är avstängda på den här servern. De slås på av en administratör "
    "(miljövariabeln STYRDOK_ADMIN_PASSWORD eller STYRDOK_ADMIN_TOKEN_FILE)."
)


def document_choices(docs: list[DocRecord]) -> list[tuple[str, str]]:
    return [(f"{d.title} ({d.date or 'inget datum'})", d.doc_id) for d in docs]


def client_of(request: gr.Request | None) -> str:
    """Who sent a request, for the log: the peer address, and what a proxy says it forwarded (not proof of anything)."""
    if request is None or request.client is None:
        return ""
    forwarded = request.headers.get("x-forwarded-for", "")
    return request.client.host + (f", x-forwarded-for {forwarded}" if forwarded else "")


def upload_handler(service: Service, gate: AdminGate) -> Callable[..., str]:
    # `request` is filled in by Gradio (it looks for a gr.Request annotation); tests call without it.
    def run(files: Sequence[str] | None, password: str, request: gr.Request | None = None) -> str:
        try:
            gate.check(password, "uppladdning", client_of(request))
            if not files:
                return "Välj minst en fil att ladda upp."
            home = service.settings.home
            stored, refused = [], []
            for f in files:
                try:
                    stored.append(store_upload(Path(f), Path(f).name, home))
                except UploadError as e:
                    refused.append(f"- {render.esc(e)}")
            log.info("uppladdning: %d fil(er) sparade, %d nekade", len(stored), len(refused))
            results = service.ingest(stored) if stored else []
        except UploadError as e:
            return f"**Nekad.** {render.esc(e)}"
        except IndexBusyError as e:
            return f"**Vänta lite.** {render.esc(e)}"
        except Exception:
            log.exception("uppladdningen misslyckades")
            return ERROR_TEXT
        report = render.report_markdown(results) if results else ""
        return "\n".join(x for x in ["**Resultat:**", report, *refused] if x)

    return run


def remove_handler(service: Service, gate: AdminGate) -> Callable[..., str]:
    def run(doc_id: str | None, password: str, request: gr.Request | None = None) -> str:
        try:
            gate.check(password, "borttagning", client_of(request))
            if not doc_id:
                return "Välj ett dokument att ta bort."
            doc = next((d for d in service.documents() if d.doc_id == doc_id), None)
            if doc is None:
                return "Dokumentet finns inte längre i indexet."
            r = service.remove(doc_id)
            if r.status != "removed":
                return f"Kunde inte ta bort: {render.esc(r.reason)}"
            # An uploaded file goes with its document, or the next ingest of the uploads folder would bring it back.
            if is_upload(doc.source, service.settings.home):
                Path(doc.source).unlink(missing_ok=True)
            log.info("borttaget: %s (%s)", doc.doc_id, doc.source)
        except UploadError as e:
            return f"**Nekad.** {render.esc(e)}"
        except IndexBusyError as e:
            return f"**Vänta lite.** {render.esc(e)}"
        except Exception:
            log.exception("borttagningen misslyckades")
            return ERROR_TEXT
        return f"Borttaget: {render.esc(doc.title)} ({r.chunks} avsnitt)."

    return run


@dataclass
class DocsPanel:
    """What the page's load event needs: the components listing documents and how to fill them."""

    outputs: list[gr.components.Component]
    has_admin: bool

    def refresh(self, docs: list[DocRecord]) -> tuple:
        listing = render.documents_html(docs)
        if not self.has_admin:
            return (listing,)
        return listing, gr.Dropdown(choices=document_choices(docs), value=None)


def build(service: Service, gate: AdminGate) -> DocsPanel:
    gr.Markdown("### Inlästa dokument")
    table = gr.HTML(render.documents_html([]), elem_id="dok-lista")
    panel = DocsPanel([table], gate.enabled)
    with gr.Accordion("För personal: ladda upp eller ta bort dokument", open=gate.enabled, elem_id="dok-personal"):
        if not gate.enabled:
            gr.Markdown(DISABLED_NOTE, elem_id="dok-avstangt")
            return panel
        limit_mb = max_upload_bytes() / (1024 * 1024)
        gr.Markdown(
            f"Tillåtna filtyper: {', '.join(ALLOWED_SUFFIXES)}. Största fil: {limit_mb:g} MB. "
            "Skriv lösenordet och välj filerna. De sparas på servern och läses in direkt; stora filer kan ta någon minut."
        )
        password = gr.Textbox(label="Personalens lösenord", type="password", elem_id="dok-losen", max_length=200)
        # A button rather than a drop zone: its label is ours (the drop zone's text follows the browser's language)
        # and choosing files starts the upload at once, one step fewer.
        upload = gr.UploadButton(
            "Välj filer och ladda upp", file_count="multiple", file_types=list(ALLOWED_SUFFIXES), variant="primary",
            elem_id="dok-ladda-upp",
        )  # fmt: skip
        status = gr.Markdown(elem_id="dok-status")
        with gr.Row():
            doc = gr.Dropdown([], label="Dokument att ta bort", elem_id="dok-valj", scale=3, min_width=200)
            remove = gr.Button("Ta bort", variant="stop", elem_id="dok-ta-bort", scale=1, min_width=120)
    panel.outputs.append(doc)

    def refresh() -> tuple:
        return panel.refresh(service.documents())

    # Writes go one at a time (group "skriv"): the index has one writer anyway, and a second upload should wait in
    # the queue rather than fail on the ingest lock.
    write = {"concurrency_limit": 1, "concurrency_id": "skriv", "api_visibility": "private"}
    upload.upload(upload_handler(service, gate), [upload, password], status, **write).then(refresh, None, panel.outputs)
    remove.click(remove_handler(service, gate), [doc, password], status, **write).then(refresh, None, panel.outputs)
    return panel
