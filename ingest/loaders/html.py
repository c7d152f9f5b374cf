"""HTML loader (BeautifulSoup): page chrome and scripts dropped; headings, paragraphs, list items, table rows."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.clean import flatten
from ingest.loaders.txt import read_text_bytes
from ingest.model import Block, LoadedDoc, LoadError

SUFFIXES = (".html", ".htm")  # the suffixes this loader reads; loaders/__init__.py finds it by them

# Elements whose text is never document content.
_CHROME = re.compile(r"cookie|consent|kakor|breadcrumb|brodsmul|skip-?link|banner|share|dela", re.IGNORECASE)
_DROP = ("script", "style", "nav", "header", "footer", "noscript", "template", "svg", "iframe", "form", "button")
_DROP += ("title",)  # read into meta first; not body text
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_TEXT = dict.fromkeys("p dt dd pre figcaption caption blockquote address".split(), "paragraph")
_BLOCK_TEXT["li"] = "list_item"
_CONTAINERS = set("html body main article section div aside ul ol dl figure table thead tbody tfoot center".split())
_CONTAINERS |= {"details", "summary", "fieldset", "head"}
_META_NAMES = dict.fromkeys(("date", "dc.date", "dcterms.date", "dcterms.created", "article:published_time"), "date")
_META_NAMES.update({"doc_type": "doc_type", "organ": "organ", "description": "description", "dc.title": "title"})
# A site name after the page title: "Pressmeddelande … | Lunds kommun".
_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]*(kommun|stad|region)[^|–—-]*$", re.IGNORECASE)


def load(path: Path) -> LoadedDoc:
    data = read_text_bytes(path)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadError("filen verkar inte vara text")
    try:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(data, "html.parser")
        meta = _meta(soup)
        for tag in soup.find_all(_DROP):
            tag.decompose()
        # Site chrome that is not in a semantic tag: cookie banners, breadcrumbs, skip links. Left in, such short
        # boilerplate becomes a passage that is "near" every question in embedding space.
        for tag in soup.find_all(attrs={"class": _CHROME}) + soup.find_all(attrs={"id": _CHROME}):
            tag.decompose()
        blocks: list[Block] = []
        # The whole tree, not soup.body: html.parser keeps text after </body> or </html> outside <body>, and
        # browsers show it.
        _walk(soup, blocks)
    except LoadError:
        raise
    except Exception as exc:  # html.parser is lenient, but a pathological file must not escape as a traceback
        raise LoadError("HTML-filen kunde inte tolkas") from exc
    if not blocks:
        raise LoadError("HTML-filen innehåller ingen text")
    title = meta.pop("title", "") or next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return LoadedDoc(blocks=blocks, title=title or None, meta=meta)


def _meta(soup: object) -> dict[str, str]:
    meta: dict[str, str] = {}
    title_tag = soup.find("title")  # type: ignore[attr-defined]
    if title_tag:
        title = _SITE_SUFFIX.sub("", flatten(title_tag.get_text(" ")))
        if title:
            meta["title"] = title
    for tag in soup.find_all("meta"):  # type: ignore[attr-defined]
        name = str(tag.get("name") or tag.get("property") or "").strip().lower()
        key = _META_NAMES.get(name)
        content = flatten(str(tag.get("content") or ""))
        if key and content and key not in meta:
            meta[key] = content
    return meta


_SPACED = set(_HEADINGS) | set(_BLOCK_TEXT) | _CONTAINERS | {"br", "hr", "tr", "td", "th", "img"}


def _text(node: object) -> str:
    """Element text with spaces only where block boundaries are; get_text(" ") would split "<b>be</b>slut"."""
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Doctype, ProcessingInstruction

    parts: list[str] = []
    for item in node.descendants:  # type: ignore[attr-defined]
        if isinstance(item, (Comment, Doctype, ProcessingInstruction)):
            continue
        if isinstance(item, NavigableString):
            parts.append(str(item))
        elif isinstance(item, Tag) and item.name.lower() in _SPACED:
            parts.append(" ")
    return flatten("".join(parts))


def _walk(node: object, blocks: list[Block]) -> None:
    """Emit blocks in document order; loose text between block elements becomes paragraphs of its own."""
    from bs4 import NavigableString, Tag
    from bs4.element import Comment, Doctype, ProcessingInstruction

    loose: list[str] = []

    def flush() -> None:
        text = flatten("".join(loose))
        if text:
            blocks.append(Block(text=text, kind="paragraph"))
        loose.clear()

    for child in node.children:  # type: ignore[attr-defined]
        if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            loose.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower()
        if name in _HEADINGS:
            flush()
            text = _text(child)
            if text:
                blocks.append(Block(text=text, level=_HEADINGS[name], kind="heading"))
        elif name == "tr":
            flush()
            _row(child, blocks)
        elif name == "li" and child.find(["ul", "ol", "p", "div", "table"]):
            flush()
            items: list[Block] = []
            _walk(child, items)  # nested lists/paragraphs inside an item are blocks of their own
            if items and items[0].kind == "paragraph":
                items[0].kind = "list_item"
            blocks.extend(items)
        elif name in _BLOCK_TEXT:
            flush()
            text = _text(child)
            if text:
                blocks.append(Block(text=text, kind=_BLOCK_TEXT[name]))
        elif name in _CONTAINERS:
            flush()
            _walk(child, blocks)
        elif name in ("br", "hr"):
            flush()
        else:  # inline element (a, span, strong …): part of the surrounding text
            loose.append(f" {_text(child)} " if child.find(list(_SPACED)) else child.get_text())
    flush()


def _row(tr: object, blocks: list[Block]) -> None:
    cells = [_text(cell) for cell in tr.find_all(["td", "th"], recursive=False)]  # type: ignore[attr-defined]
    cells = [cell for cell in cells if cell]
    if cells:
        blocks.append(Block(text=" | ".join(cells), kind="table_row"))
