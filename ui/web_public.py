"""What a public service must offer beside the tabs: the original files, the accessibility statement, the
deployment's own texts (whose documents these are, where to turn when nothing is found).

The original-file route serves only files the catalog lists, looked up by document id: a request never names a path,
so nothing outside the catalog can be reached whatever the URL says. Files are only read, and each is sent with a
content type chosen here from its suffix, never guessed from the bytes: HTML and Markdown go out as plain text, so
an uploaded page can't run script on the app's origin.
"""

from __future__ import annotations

import html
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from assistant.service import Service

log = logging.getLogger("styrdok.web")

ROOT = Path(__file__).resolve().parents[1]
STATEMENT_TEMPLATE = ROOT / "docs" / "tillganglighetsredogorelse.html"
STATEMENT_PATH = "tillganglighet"  # relative to the page, like the original links
DOC_ID = re.compile(r"[0-9a-f]{16}")
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".markdown": "text/plain; charset=utf-8",
    ".html": "text/plain; charset=utf-8",
    ".htm": "text/plain; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# A format ingest reads that is not listed above (a new loader) is served as a download, never shown: no edit is
# needed here for a new format, and nothing unknown is ever rendered by the browser.
DOWNLOAD = "application/octet-stream"


def content_type(suffix: str) -> str | None:
    """How an original with this suffix is served; None: not at all (not a format ingest reads)."""
    from assistant.api import supported_suffixes

    return CONTENT_TYPES.get(suffix) or (DOWNLOAD if suffix in supported_suffixes() else None)


# The browser must take the content type as given (nosniff). Text and Word files also get a sandbox, so nothing in
# them can run even if a browser tried; a PDF doesn't, because Chromium refuses to show a sandboxed PDF.
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, max-age=300",
    "Referrer-Policy": "no-referrer",
}
SANDBOX = {"Content-Security-Policy": "sandbox; default-src 'none'"}


@dataclass(frozen=True)
class PublicTexts:
    """Texts each deployment sets for itself (environment variables), with defaults that are true anywhere."""

    organisation: str = "kommunen"
    contact_url: str = ""
    contact_label: str = "Kontakta kommunen"
    statement_url: str = STATEMENT_PATH
    statement_file: Path = STATEMENT_TEMPLATE  # the accessibility statement served at tillganglighet

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PublicTexts:
        env = os.environ if env is None else env
        return cls(
            organisation=env.get("STYRDOK_ORGANISATION", "").strip() or cls.organisation,
            contact_url=env.get("STYRDOK_CONTACT_URL", "").strip(),
            contact_label=env.get("STYRDOK_CONTACT_LABEL", "").strip() or cls.contact_label,
            statement_url=env.get("STYRDOK_ACCESSIBILITY_URL", "").strip() or cls.statement_url,
            statement_file=Path(env.get("STYRDOK_ACCESSIBILITY_FILE", "") or STATEMENT_TEMPLATE),
        )

    def contact_html(self) -> str:
        """Where to turn when the documents don't answer: a link when the deployment has one."""
        label = html.escape(self.contact_label)
        if not self.contact_url:
            return f"Hittar du inte det du söker? {label} – växeln eller kundtjänsten hjälper dig vidare."
        return f'Hittar du inte det du söker? <a href="{html.escape(self.contact_url, quote=True)}">{label}</a>.'

    def intro_markdown(self) -> str:
        """Under the page title: whose documents these are."""
        return f"Här kan du söka och ställa frågor om styrdokument från {self.organisation}: mål, planer, budget och beslut."

    def footer_markdown(self) -> str:
        return (
            f"Dokumenten kommer från {self.organisation}. "
            f"[Tillgänglighetsredogörelse]({self.statement_url}) · {self.contact_html()}"
        )


# By the question box: questions may end up in logs, and nobody needs personal data to ask about the documents.
PERSONAL_DATA = "Skriv inte personuppgifter, till exempel namn, personnummer, adress eller uppgifter om hälsa."


def original_file(service: Service, doc_id: str) -> Path | None:
    """The file of a catalogued document, or None: unknown id, id of the wrong shape, file gone or not a file."""
    if not DOC_ID.fullmatch(doc_id):
        return None
    doc = next((d for d in service.documents() if d.doc_id == doc_id), None)
    if doc is None:
        return None
    path = Path(doc.source)
    if content_type(path.suffix.lower()) is None or path.is_symlink() or not path.is_file():
        return None
    return path


def routes(service: Service, texts: PublicTexts | None = None) -> list[Route]:
    """Starlette routes placed before Gradio's own: /original/{doc_id} and the accessibility statement."""
    from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse
    from starlette.routing import Route

    def refused() -> Response:
        return PlainTextResponse("Filen finns inte.", status_code=404, headers={**SAFE_HEADERS, **SANDBOX})

    def original(request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        path = original_file(service, doc_id)
        if path is None:
            log.info("originalfil nekad: %r", doc_id[:80])
            return refused()
        suffix = path.suffix.lower()
        media_type = content_type(suffix)
        # PDF and text are shown in the browser; a Word file (or a format not listed) is downloaded under its name.
        disposition = "attachment" if suffix == ".docx" or media_type == DOWNLOAD else "inline"
        return FileResponse(
            path, media_type=media_type, headers={**SAFE_HEADERS, **({} if suffix == ".pdf" else SANDBOX)},
            filename=path.name,
            content_disposition_type=disposition,
        )  # fmt: skip

    def statement(request: Request) -> Response:
        file = (texts or PublicTexts()).statement_file
        try:
            text = file.read_text(encoding="utf-8")
        except OSError:
            return refused()
        return HTMLResponse(text, headers={"X-Content-Type-Options": "nosniff"})

    return [
        Route("/original/{doc_id:path}", original, methods=["GET", "HEAD"]),
        Route(f"/{STATEMENT_PATH}", statement, methods=["GET", "HEAD"]),
    ]
