"""DOCX loader (python-docx): paragraphs and tables in body order, heading styles → heading levels."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ingest.clean import flatten
from ingest.model import Block, LoadedDoc, LoadError

SUFFIXES = (".docx",)  # the suffixes this loader reads; loaders/__init__.py finds it by them

BROKEN = "DOCX-filen är skadad"

# Built-in style names in English and Swedish Word: "Heading 2" / "Rubrik 2", "Title" / "Rubrik" / "Titel".
_HEADING_STYLE = re.compile(r"^(?:heading|rubrik)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "titel", "rubrik"}
_LIST_STYLE = re.compile(r"list|lista|liststycke|punkt", re.IGNORECASE)


def load(path: Path) -> LoadedDoc:
    if not zipfile.is_zipfile(path):
        raise LoadError(BROKEN)
    try:
        import docx

        document = docx.Document(str(path))
        blocks, style_title = _blocks(document)
        prop_title, meta = _properties(document)
    except LoadError:
        raise
    except Exception as exc:  # BadZipFile, KeyError for missing parts, lxml syntax errors …
        raise LoadError(BROKEN) from exc
    if not blocks:
        raise LoadError("DOCX-filen innehåller ingen text")
    title = prop_title or style_title
    return LoadedDoc(blocks=blocks, title=title, meta=meta)


def _style_name(paragraph: object) -> str:
    try:
        style = paragraph.style  # type: ignore[attr-defined]
        return (style.name or "") if style is not None else ""
    except Exception:  # a paragraph pointing at a missing style is still text
        return ""


def _blocks(document: object) -> tuple[list[Block], str | None]:
    from docx.table import Table

    blocks: list[Block] = []
    title = None
    for item in document.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(item, Table):
            _table(item, blocks)
            continue
        text = flatten(item.text)
        if not text:
            continue
        style = _style_name(item).strip()
        heading = _HEADING_STYLE.match(style)
        if style.lower() in _TITLE_STYLES:
            title = title or text
            blocks.append(Block(text=text, level=1, kind="heading"))
        elif heading:
            blocks.append(Block(text=text, level=max(1, int(heading.group(1))), kind="heading"))
        elif _LIST_STYLE.search(style):
            blocks.append(Block(text=text, kind="list_item"))
        else:
            blocks.append(Block(text=text))
    return blocks, title


def _table(table: object, blocks: list[Block]) -> None:
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        seen: list[object] = []
        for cell in row.cells:
            # Merged cells come back once per grid column; the underlying element is the same object.
            if any(cell._tc is tc for tc in seen):
                continue
            seen.append(cell._tc)
            text = flatten(cell.text)
            if text:
                cells.append(text)
        if cells:
            blocks.append(Block(text=" | ".join(cells), kind="table_row"))


def _properties(document: object) -> tuple[str | None, dict[str, str]]:
    meta: dict[str, str] = {}
    try:
        props = document.core_properties  # type: ignore[attr-defined]
        title = flatten(props.title or "") or None
        if props.created:
            meta["created"] = props.created.date().isoformat()
        for key, value in (("subject", props.subject), ("category", props.category), ("author", props.author)):
            if value and flatten(value):
                meta[key] = flatten(value)
    except Exception:  # broken core properties are no reason to reject the text
        title = None
    return title, meta
