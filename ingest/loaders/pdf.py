"""PDF loader (pypdf): one block per paragraph or table row, with 1-based page numbers."""

from __future__ import annotations

import io
import re
from pathlib import Path

from ingest.clean import flatten, strip_running_lines
from ingest.loaders._layout import layout_lines, replace_table_runs
from ingest.loaders._text import CELL_SEP, lines_to_blocks
from ingest.model import Block, LoadedDoc, LoadError

BROKEN = "PDF-filen är skadad eller ofullständig"
ENCRYPTED = "PDF-filen är krypterad (lösenordsskyddad) och kan inte läsas"
NO_TEXT = "PDF-filen innehåller ingen text — skannad? Den behöver tolkas med OCR innan den kan läsas in"

# PDF titles that are really a file name or a producer's default, not a document title.
_JUNK_TITLE = re.compile(
    r"(\.(docx?|pdf|xlsx?|pptx?|indd)$|^microsoft word|^untitled|^namnlös|^dokument\d*$|^\(?anonymous\)?$)", re.I
)


def load(path: Path) -> LoadedDoc:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError("PDF-filen kunde inte läsas från disken") from exc
    if not data.strip():
        raise LoadError("filen är tom")
    if b"%PDF-" not in data[:1024]:
        raise LoadError("filen är ingen PDF-fil trots filändelsen .pdf")
    # A file cut off mid-download lacks the end marker; pypdf would silently recover only part of it.
    if b"%%EOF" not in data[-4096:]:
        raise LoadError(BROKEN)

    import pypdf  # imported here so that loading other formats does not pay for it
    from pypdf import PasswordType

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except Exception as exc:  # e.g. AES without the optional crypto dependency
                raise LoadError("PDF-filen är krypterad på ett sätt som inte kan läsas") from exc
            if decrypted == PasswordType.NOT_DECRYPTED:
                raise LoadError(ENCRYPTED)
        pages = list(reader.pages)
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises many types (PdfReadError, ValueError, KeyError …) on broken files
        raise LoadError(BROKEN) from exc
    if not pages:
        raise LoadError("PDF-filen innehåller inga sidor")

    page_texts: list[str] = []
    failed = 0
    for page in pages:
        try:
            page_texts.append("\n".join(_page_lines(page)))
        except Exception:  # one unreadable page should not cost the rest of the document
            failed += 1
            page_texts.append("")
    if failed == len(pages):
        raise LoadError(BROKEN)

    stripped = strip_running_lines(page_texts)
    if not any(text.strip() for text in stripped):
        stripped = page_texts  # every line "repeated": tiny identical pages, not headers around a body
    blocks: list[Block] = []
    for number, text in enumerate(stripped, start=1):
        _append_page(blocks, lines_to_blocks(text.split("\n"), page=number))
    if not any(block.text.strip() for block in blocks):
        raise LoadError(NO_TEXT)

    title, meta = _pdf_meta(reader)
    return LoadedDoc(blocks=blocks, title=title, meta=meta)


def _append_page(blocks: list[Block], page_blocks: list[Block]) -> None:
    """Append a page's blocks, re-joining a paragraph that the page break cut in two."""
    if blocks and page_blocks:
        last, first = blocks[-1], page_blocks[0]
        continues = first.text[:1].islower() and not re.search(r"[.!?:]$", last.text)
        if last.kind in ("paragraph", "list_item") and first.kind == "paragraph" and continues:
            last.text = flatten(f"{last.text}\n{first.text}")
            page_blocks = page_blocks[1:]
    blocks.extend(page_blocks)


def _page_lines(page: object) -> list[str]:
    """The page's lines in reading order; table rows come back with their cells joined by CELL_SEP.

    The default extraction keeps columns in order but puts each table cell on a line of its own; layout mode
    keeps table rows together but interleaves columns. So the plain text is used, and table rows found in the
    layout text replace the matching runs of cell lines. A page whose plain text is still mostly one word per
    line is read in layout mode instead.
    """
    plain = page.extract_text() or ""  # type: ignore[attr-defined]
    lines = [line.strip() for line in plain.split("\n")]
    short = sum(1 for line in lines if line and len(line.split()) <= 2)
    if short < 3:  # no run of cell-like lines: skip the slower layout extraction
        return lines
    layout = page.extract_text(extraction_mode="layout") or ""  # type: ignore[attr-defined]
    lines = replace_table_runs(lines, layout)
    prose = [line for line in lines if line and CELL_SEP not in line]
    if len(prose) >= 6 and sum(1 for line in prose if len(line.split()) == 1) > 0.5 * len(prose):
        return layout_lines(layout)
    return lines


def _pdf_meta(reader: object) -> tuple[str | None, dict[str, str]]:
    meta: dict[str, str] = {}
    title = None
    try:
        info = reader.metadata  # type: ignore[attr-defined]
        if info:
            raw_title = flatten(str(info.title or ""))
            if raw_title and not _JUNK_TITLE.search(raw_title) and len(raw_title) > 3:
                title = raw_title
            created = info.creation_date
            if created:
                meta["created"] = created.date().isoformat()
    except Exception:  # broken metadata is no reason to reject the text
        pass
    return title, meta
