"""PDF loader (pypdf): one block per paragraph or table row, with 1-based page numbers."""

from __future__ import annotations

import io
import re
from pathlib import Path

from ingest.clean import flatten, strip_running_lines
from ingest.loaders import _pdf_style as style
from ingest.loaders._layout import layout_lines, replace_table_runs
from ingest.loaders._text import CELL_SEP, lines_to_blocks
from ingest.model import Block, LoadedDoc, LoadError

SUFFIXES = (".pdf",)  # the suffixes this loader reads; loaders/__init__.py finds it by them

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

    page_lines: list[list[str]] = []
    page_styles: list[list[style.StyledLine]] = []
    heights: list[float] = []
    failed = 0
    by_position: list[int] = []
    for number, page in enumerate(pages, start=1):
        try:
            lines, styled, degenerate = _page_lines(page)
            height = float(page.mediabox.height)
        except Exception:  # one unreadable page should not cost the rest of the document
            failed += 1
            lines, styled, height, degenerate = [], [], 0.0, False
        if degenerate:
            by_position.append(number)
        page_lines.append(lines)
        page_styles.append(styled)
        heights.append(height)
    if failed == len(pages):
        raise LoadError(BROKEN)
    # Running headers and footers first, on the lines as extracted: a footer below a page's footnotes must look
    # the same on every page to be recognised.
    page_texts = ["\n".join(lines) for lines in page_lines]
    stripped = strip_running_lines(page_texts)
    if not any(text.strip() for text in stripped):
        stripped = page_texts  # every line "repeated": tiny identical pages, not headers around a body
    page_roles = style.roles(page_styles, heights)
    marked = any(role.startswith(style.ROLE_HEADING) for roles in page_roles for role in roles.values())
    stripped = _with_roles([text.split("\n") for text in stripped], page_roles)
    blocks: list[Block] = []
    for number, text in enumerate(stripped, start=1):
        _append_page(blocks, lines_to_blocks(text.split("\n"), page=number, shape_headings=not marked))
    if not any(block.text.strip() for block in blocks):
        raise LoadError(NO_TEXT)

    title, meta = _pdf_meta(reader)
    notes = []
    if by_position:
        notes.append(
            f"texten på {len(by_position)} av {len(pages)} sidor kom ut ett ord per rad och lästes efter position"
            " på sidan; kontrollera gärna tabellerna"
        )
    if failed:
        notes.append(f"{failed} av {len(pages)} sidor kunde inte läsas")
    empty = sum(1 for text in stripped if not text.strip())
    if empty and not failed:
        notes.append(f"{empty} av {len(pages)} sidor saknar text (bilder eller skannade sidor läses inte)")
    # The cover's largest type is the document's own headline; the file's title property is often a file name.
    return LoadedDoc(
        blocks=blocks, title=_cover_title(page_styles) or title, meta=meta, headings_marked=marked, notes=notes
    )


def _with_roles(page_lines: list[list[str]], page_roles: list[dict[str, str]]) -> list[str]:
    """Each page's text with its lines marked by their role; footnotes left out and their markers dropped."""
    out = []
    for n, (lines, roles) in enumerate(zip(page_lines, page_roles, strict=True)):
        if style.is_contents_page(lines):
            out.append("\n".join(style.mark(style.ROLE_CONTENTS, line) if line else line for line in lines))
            continue
        if n == 0 and style.is_cover_page(lines, len(page_lines)):
            out.append("\n".join(style.mark(style.ROLE_COVER, line) if line else line for line in lines))
            continue
        numbers = style.footnote_numbers([line for line in lines if style.role_of(line, roles) == "f"])
        kept = []
        for line in lines:
            role = style.role_of(line.replace(CELL_SEP, ""), roles) if line else ""
            if CELL_SEP in line and not role.startswith(style.ROLE_HEADING):
                role = ""  # a table row stays a row; only a heading that layout mode split into cells is restored
            elif CELL_SEP in line:
                line = " ".join(cell.strip() for cell in line.split(CELL_SEP))
            if role == "f":
                continue
            if numbers and line:
                line = style.drop_markers(line, numbers)
            if role:
                line = style.mark(role, line)
            kept.append(line)
        out.append("\n".join(kept))
    return out


def _cover_title(page_styles: list[list[style.StyledLine]]) -> str | None:
    """The first page's largest type, when it stands out from the body: a report's title on its cover."""
    first = page_styles[0] if page_styles else []
    body = style.body_size(page_styles)
    if not first or not body:
        return None
    top = max(line.size for line in first)
    if top < 1.3 * body:
        return None
    title = flatten(" ".join(line.text for line in first if line.size >= top - 0.5))
    return title if 3 < len(title) <= 200 else None


def _append_page(blocks: list[Block], page_blocks: list[Block]) -> None:
    """Append a page's blocks, re-joining a paragraph that the page break cut in two."""
    if blocks and page_blocks:
        last, first = blocks[-1], page_blocks[0]
        continues = first.text[:1].islower() and not re.search(r"[.!?:]$", last.text)
        if last.kind in ("paragraph", "list_item") and first.kind == "paragraph" and continues:
            last.text = flatten(f"{last.text}\n{first.text}")
            page_blocks = page_blocks[1:]
    blocks.extend(page_blocks)


def _page_lines(page: object) -> tuple[list[str], list[style.StyledLine], bool]:
    """The page's lines in reading order; table rows come back with their cells joined by CELL_SEP.

    The default extraction keeps columns in order but puts each table cell on a line of its own; layout mode
    keeps table rows together but interleaves columns. So the plain text is used, and table rows found in the
    layout text replace the matching runs of cell lines. A page whose plain text is still mostly one word per
    line is read in layout mode instead.
    """
    plain, styled = style.styled_lines(page)
    lines = [line.strip() for line in plain.split("\n")]
    short = sum(1 for line in lines if line and len(line.split()) <= 2)
    if short < 3:  # no run of cell-like lines: skip the slower layout extraction
        return lines, styled, False
    layout = page.extract_text(extraction_mode="layout") or ""  # type: ignore[attr-defined]
    lines = _header_rows(replace_table_runs(lines, layout))
    prose = [line for line in lines if line and CELL_SEP not in line]
    if len(prose) >= 6 and sum(1 for line in prose if len(line.split()) == 1) > 0.5 * len(prose):
        # One word per line: the styles are per word too; regroup them by baseline to match the layout lines.
        return layout_lines(layout), style.by_baseline(styled), True
    return lines, styled, False


_NUMBER_CELL = re.compile(r"^[-−+]?[\d\s.,%]*\d[\d\s.,%]*(?:\s?(?:kr|tkr|mkr|mnkr|%))?$", re.IGNORECASE)


def _label_line(line: str) -> bool:
    return bool(line.strip()) and CELL_SEP not in line and len(line) <= 80 and not re.search(r"[.!?:]$", line.strip())


def _header_rows(lines: list[str]) -> list[str]:
    """Join a table's header cells, extracted one per line just above its first row, into a header row; and a row
    of numbers with the label line just above it.

    Layout mode finds rows by numbers and alignment; a header of words only ("Verksamhet", "Budget 2025",
    "Budget 2026") stays as separate lines, and the chunker can then not repeat it with every row.
    """
    out = list(lines)
    i = 0
    while i < len(out):
        cells = out[i].split(CELL_SEP)
        if len(cells) > 1 and i > 0 and _label_line(out[i - 1]) and all(_NUMBER_CELL.match(c.strip()) for c in cells):
            # A row of numbers whose label was extracted as a line of its own ("Ny teknik bowlinghall Korsavad
            # (6154)" / "3,000 | 2,117 | 0,884"): the label is the row's first cell, so the two are never parted.
            out[i - 1 : i + 1] = [CELL_SEP.join([out[i - 1].strip(), *cells])]
            continue
        if CELL_SEP in out[i] and (i == 0 or CELL_SEP not in out[i - 1]):
            n = out[i].count(CELL_SEP) + 1
            head = out[i - n : i] if i >= n else []
            if head and all(0 < len(h) <= 40 and CELL_SEP not in h and not re.search(r"[.!?:]$", h) for h in head):
                out[i - n : i] = [CELL_SEP.join(head)]
                i -= n - 1
        i += 1
    return out


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
