"""The Dokument tab: what is indexed, and — for staff only — upload and removal.

Staff functions exist on the page only when the server has a staff password (ui.upload.AdminGate); every upload and
removal checks it again on the server, whatever the page sent.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import gradio as gr

from assistant.api import DocRecord, IndexBusyError
from assistant.service import Service
from ui import render
from ui.upload import (
    AdminGate,
    UploadError,
    allowed_suffixes,
    discard_received,
    is_upload,
    leftover_uploads,
    store_upload,
)
from ui.web_common import ERROR_TEXT, log

DISABLED_NOTE = (
    "Uppladdning och borttagning är avstängda på den här servern. De slås på av en administratör "
    "(miljövariabeln STYRDOK_ADMIN_PASSWORD eller STYRDOK_ADMIN_TOKEN_FILE)."
)


def document_choices(docs: list[DocRecord]) -> list[tuple[str, str]]:
    return [(f"{d.title} ({d.date or 'inget datum'})", d.doc_id) for d in docs]


def filter_docs(docs: list[DocRecord], text: str | None) -> list[DocRecord]:
    """Documents whose title, type or date contain every word typed (case does not matter)."""
    words = (text or "").lower().split()
    return [d for d in docs if all(w in f"{d.title} {d.doc_type} {d.date}".lower() for w in words)]


def refusal(e: Exception) -> str:
    """A refusal with the time: a second wrong password must not look like nothing happened."""
    return f"**Nekad** (kl. {time.strftime('%H:%M:%S')}). {render.esc(e)}"


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


def upload_handler(service: Service, gate: AdminGate, max_bytes: int | None = None) -> Callable[..., str]:
    # max_bytes: the size limit of one file (None: Limits' default), from WebSettings
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
                    stored.append(store_upload(Path(f), Path(f).name, home, max_bytes))
                except UploadError as e:
                    refused.append(f"- {render.esc(e)}")
            log.info("uppladdning: %d fil(er) sparade, %d nekade", len(stored), len(refused))
            results = service.ingest(stored) if stored else []
        except UploadError as e:
            return refusal(e)
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
            return refusal(e)
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
            return refusal(e)
        except IndexBusyError:
            return BUSY
        except Exception:
            log.exception("borttagningen misslyckades")
            return ERROR_TEXT
        return f"Borttaget: {render.esc(doc.title)}."

    return run


@dataclass
class DocsPanel:
    """What the page's load event needs: the components listing documents and how to fill them."""

    outputs: list[gr.components.Component]
    has_admin: bool
    leftovers: Callable[[], str] | None = None

    def refresh(self, docs: list[DocRecord], filter_text: str = "") -> tuple:
        listing = render.documents_html(filter_docs(docs, filter_text), total=len(docs))
        if not self.has_admin:
            return (listing,)
        left = self.leftovers() if self.leftovers else ""
        return listing, gr.Dropdown(choices=document_choices(docs), value=None), left


def build(service: Service, gate: AdminGate, max_bytes: int) -> DocsPanel:
    # The staff panel comes first (closed): after a long list of documents nobody would find it.
    with gr.Accordion("För personal: ladda upp eller ta bort dokument", open=False, elem_id="dok-personal"):
        if gate.enabled:
            staff = _staff_panel(service, gate, max_bytes)
        else:
            gr.Markdown(DISABLED_NOTE, elem_id="dok-avstangt")
    gr.Markdown("## Inlästa dokument")
    filter_text = gr.Textbox(
        label="Filtrera listan", placeholder="Till exempel: budget 2025", elem_id="dok-filter", max_length=200
    )
    table = gr.HTML(render.documents_html([]), elem_id="dok-lista")
    panel = DocsPanel([table], gate.enabled)
    filter_text.change(
        lambda text: render.documents_html(filter_docs(service.documents(), text), total=len(service.documents())),
        filter_text, table, queue=False, api_visibility="private",
    )  # fmt: skip
    if not gate.enabled:
        return panel
    panel.outputs += [staff.doc, staff.leftovers]
    panel.leftovers = lambda: leftovers_markdown(service)

    def refresh(text: str) -> tuple:
        return panel.refresh(service.documents(), text)

    # Writes go one at a time (group "skriv"): the index has one writer anyway, and a second upload should wait in
    # the queue rather than fail on the ingest lock.
    write = {"concurrency_limit": 1, "concurrency_id": "skriv", "api_visibility": "private"}
    staff.upload.upload(
        upload_handler(service, gate, max_bytes), [staff.upload, staff.password], staff.status, **write
    ).then(refresh, filter_text, panel.outputs)

    def ask_first(doc_id: str | None) -> tuple:
        """Removing can't be undone: name the document and ask before anything happens."""
        doc = next((d for d in service.documents() if d.doc_id == doc_id), None) if doc_id else None
        if doc is None:
            return gr.Row(visible=False), "Välj ett dokument att ta bort."
        return gr.Row(visible=True), f"**Ta bort {render.esc(doc.title)}?** Det går inte att ångra."

    private = {"queue": False, "api_visibility": "private"}
    staff.remove.click(ask_first, staff.doc, [staff.confirm, staff.status], **private)
    staff.no.click(lambda: (gr.Row(visible=False), "Inget togs bort."), None, [staff.confirm, staff.status], **private)
    staff.yes.click(lambda: gr.Row(visible=False), None, staff.confirm, **private).then(
        remove_handler(service, gate), [staff.doc, staff.password], staff.status, **write
    ).then(refresh, filter_text, panel.outputs)
    staff.clear.click(clear_leftovers_handler(service, gate), [staff.password], staff.status, **write).then(
        refresh, filter_text, panel.outputs
    )
    return panel


@dataclass
class _Staff:
    password: gr.Textbox
    upload: gr.UploadButton
    status: gr.Markdown
    doc: gr.Dropdown
    remove: gr.Button
    confirm: gr.Row
    yes: gr.Button
    no: gr.Button
    leftovers: gr.Markdown
    clear: gr.Button


def _staff_panel(service: Service, gate: AdminGate, max_bytes: int) -> _Staff:
    limit_mb = max_bytes / (1024 * 1024)
    gr.Markdown(
        f"Tillåtna filtyper: {', '.join(allowed_suffixes())}. Största fil: {limit_mb:g} MB. "
        "Skriv lösenordet och välj filerna. De sparas på servern och läses in direkt; stora filer kan ta någon minut."
    )
    password = gr.Textbox(label="Personalens lösenord", type="password", elem_id="dok-losen", max_length=200)
    # A button rather than a drop zone: its label is ours (the drop zone's text follows the browser's language)
    # and choosing files starts the upload at once, one step fewer. No file_types: Gradio's own refusal is in
    # English; the server refuses other types in Swedish (ui.upload.safe_name).
    upload = gr.UploadButton(
        "Välj filer och ladda upp", file_count="multiple", variant="primary", elem_id="dok-ladda-upp",
    )  # fmt: skip
    status = gr.Markdown(elem_id="dok-status")
    with gr.Row():
        doc = gr.Dropdown([], label="Dokument att ta bort", elem_id="dok-valj", scale=3, min_width=200)
        remove = gr.Button("Ta bort …", variant="stop", elem_id="dok-ta-bort", scale=1, min_width=120)
    with gr.Row(visible=False, elem_id="dok-bekrafta") as confirm:
        yes = gr.Button("Ja, ta bort", variant="stop", elem_id="dok-ja", min_width=120)
        no = gr.Button("Avbryt", elem_id="dok-avbryt", min_width=120)
    leftovers = gr.Markdown(elem_id="dok-kvar")
    clear = gr.Button("Rensa kvarlämnade filer", elem_id="dok-rensa")
    return _Staff(password, upload, status, doc, remove, confirm, yes, no, leftovers, clear)
