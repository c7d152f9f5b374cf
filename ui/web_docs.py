"""The Dokument tab: what is indexed, and — for staff only — upload and removal.

Staff functions exist on the page only when the server has a staff password (ui.upload.AdminGate); every upload and
removal checks it again on the server, whatever the page sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import gradio as gr

from assistant.service import Service
from index.catalog import DocRecord
from index.engine import IndexBusyError
from ui import render
from ui.upload import (
    ALLOWED_SUFFIXES,
    AdminGate,
    UploadError,
    discard_received,
    is_upload,
    leftover_uploads,
    max_upload_bytes,
    store_upload,
)
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


def address_of(request: gr.Request | None) -> str:
    """The peer address failed logins are counted per (never a header: a client can write any)."""
    return request.client.host if request is not None and request.client is not None else ""


# The busy message names the server's data folder: the web shows this instead (no server paths on the page).
BUSY = "**Vänta lite.** En annan inläsning pågår just nu. Försök igen om en stund."


def _no_paths(text: str) -> str:
    """Folders cut from the paths in a report reason ("samma innehåll som /srv/styrdok/uploads/x.pdf" → "x.pdf")."""
    return re.sub(r"(?:[^\s/]*/)+(?=[^\s/])", "", text)


def upload_handler(service: Service, gate: AdminGate) -> Callable[..., str]:
    # `request` is filled in by Gradio (it looks for a gr.Request annotation); tests call without it.
    def run(files: Sequence[str] | None, password: str, request: gr.Request | None = None) -> str:
        stored: list[Path] = []
        try:
            gate.check(password, "uppladdning", client_of(request), address_of(request))
            if not files:
                return "Välj minst en fil att ladda upp."
            home = service.settings.home
            refused = []
            for f in files:
                try:
                    stored.append(store_upload(Path(f), Path(f).name, home))
                except UploadError as e:
                    refused.append(f"- {render.esc(e)}")
            log.info("uppladdning: %d fil(er) sparade, %d nekade", len(stored), len(refused))
            results = service.ingest(stored) if stored else []
        except UploadError as e:
            return f"**Nekad.** {render.esc(e)}"
        except IndexBusyError:
            return BUSY
        except Exception:
            log.exception("uppladdningen misslyckades")
            return ERROR_TEXT
        finally:
            # Nothing refused or failed stays behind: Gradio's temporary copies go now, and our copies of files
            # that did not become documents (failed, duplicates, a busy index) go too.
            discard_received(list(files or []))
            _discard_unindexed(service, stored)
        results = [replace(r, reason=_no_paths(r.reason)) for r in results]
        report = render.report_markdown(results) if results else ""
        return "\n".join(x for x in ["**Resultat:**", report, *refused] if x)

    return run


def _discard_unindexed(service: Service, stored: list[Path]) -> None:
    if not stored:
        return
    try:
        indexed = {d.source for d in service.documents()}
    except Exception:  # noqa: BLE001 - the index unreadable: keep the files; staff see them as left over
        log.exception("kunde inte läsa dokumentlistan efter uppladdningen")
        return
    for p in stored:
        if str(p.resolve()) not in indexed:
            p.unlink(missing_ok=True)


def clear_leftovers_handler(service: Service, gate: AdminGate) -> Callable[..., str]:
    """Staff: delete the files in the uploads folder that no document comes from."""

    def run(password: str, request: gr.Request | None = None) -> str:
        try:
            gate.check(password, "rensning", client_of(request), address_of(request))
            gone = leftover_uploads(service.settings.home, {d.source for d in service.documents()})
            for p in gone:
                p.unlink(missing_ok=True)
            log.info("rensning: %d kvarlämnade fil(er) borttagna", len(gone))
        except UploadError as e:
            return f"**Nekad.** {render.esc(e)}"
        except Exception:
            log.exception("rensningen misslyckades")
            return ERROR_TEXT
        return f"{len(gone)} kvarlämnade fil(er) borttagna." if gone else "Inga kvarlämnade filer."

    return run


def leftovers_markdown(service: Service) -> str:
    """The files in the uploads folder that are not in the index, by name only."""
    files = leftover_uploads(service.settings.home, {d.source for d in service.documents()})
    if not files:
        return "Inga kvarlämnade filer i uppladdningsmappen."
    names = "\n".join(f"- {render.esc(p.name)}" for p in files)
    return f"Filer i uppladdningsmappen som inte finns i indexet ({len(files)}):\n\n{names}"


def remove_handler(service: Service, gate: AdminGate) -> Callable[..., str]:
    def run(doc_id: str | None, password: str, request: gr.Request | None = None) -> str:
        try:
            gate.check(password, "borttagning", client_of(request), address_of(request))
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
        except IndexBusyError:
            return BUSY
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

    leftovers: Callable[[], str] | None = None

    def refresh(self, docs: list[DocRecord]) -> tuple:
        listing = render.documents_html(docs)
        if not self.has_admin:
            return (listing,)
        left = self.leftovers() if self.leftovers else ""
        return listing, gr.Dropdown(choices=document_choices(docs), value=None), left


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
        leftovers = gr.Markdown(elem_id="dok-kvar")
        clear = gr.Button("Rensa kvarlämnade filer", elem_id="dok-rensa")
    panel.outputs += [doc, leftovers]
    panel.leftovers = lambda: leftovers_markdown(service)

    def refresh() -> tuple:
        return panel.refresh(service.documents())

    # Writes go one at a time (group "skriv"): the index has one writer anyway, and a second upload should wait in
    # the queue rather than fail on the ingest lock.
    write = {"concurrency_limit": 1, "concurrency_id": "skriv", "api_visibility": "private"}
    upload.upload(upload_handler(service, gate), [upload, password], status, **write).then(refresh, None, panel.outputs)
    remove.click(remove_handler(service, gate), [doc, password], status, **write).then(refresh, None, panel.outputs)
    clear.click(clear_leftovers_handler(service, gate), [password], status, **write).then(refresh, None, panel.outputs)
    return panel
