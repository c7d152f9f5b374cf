"""Markdown loader: front matter → meta, # headings, lists, tables and paragraphs as blocks."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.clean import flatten
from ingest.loaders.txt import decode_bytes, read_text_bytes
from ingest.model import Block, LoadedDoc, LoadError

SUFFIXES = (".md", ".markdown")  # the suffixes this loader reads; loaders/__init__.py finds it by them

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(?:\[[ xX]\]\s+)?")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+")
_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")

# A link target in (...): may hold one level of parentheses, as in `javascript:alert(1)` or a Wikipedia address.
# `[^)]*` stopped at the first ")" and left the rest, "klicka)", in the text.
_TARGET = r"\((?:[^()]|\([^()]*\))*\)"
# Inline markup that should not reach the index: images, links (text kept, target dropped, whatever its scheme),
# emphasis, code spans, HTML tags.
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]" + _TARGET), r"\1"),
    (re.compile(r"\[([^\]]+)\]" + _TARGET), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
]


# Raw HTML script and style blocks are code, never document text; an unclosed one runs to the end, as in a browser.
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)


def strip_inline(text: str) -> str:
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text


def parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split simple YAML front matter (`key: value` lines between `---` fences) from the body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text  # no closing fence: a horizontal rule, not front matter
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        match = re.match(r"^([A-Za-z_][\w\-]*)\s*:\s*(.*?)\s*$", line)
        if not match:
            continue  # nested YAML and list items are beyond the simple format we read
        key, value = match.group(1).lower(), match.group(2)
        value = re.sub(r"\s+#.*$", "", value) if not value.startswith(("'", '"')) else value
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if value:
            meta[key] = value
    return meta, "\n".join(lines[end + 1 :])


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [flatten(strip_inline(cell.replace("\\|", "|"))) for cell in re.split(r"(?<!\\)\|", line)]


def parse_blocks(body: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []
    kind = "paragraph"

    def flush() -> None:
        nonlocal para, kind
        text = flatten(strip_inline("\n".join(para)))
        if text:
            blocks.append(Block(text=text, kind=kind))
        para, kind = [], "paragraph"

    lines = body.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if _FENCE.match(line):
            flush()
            fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
            i += 1
            code: list[str] = []
            while i < len(lines) and not lines[i].strip().startswith(fence):
                code.append(lines[i])
                i += 1
            para = code
            flush()
        elif not stripped or (_RULE.match(line) and not (para and _SETEXT.match(line))):
            flush()
        elif heading := _HEADING.match(line):
            flush()
            text = flatten(strip_inline(heading.group(2) or ""))
            if text:
                blocks.append(Block(text=text, level=len(heading.group(1)), kind="heading"))
        elif para and kind == "paragraph" and _SETEXT.match(line):
            text = flatten(strip_inline("\n".join(para)))
            para = []
            if text:
                blocks.append(Block(text=text, level=1 if stripped.startswith("=") else 2, kind="heading"))
        elif stripped.startswith("|") or (
            stripped.count("|") >= 2 and i + 1 < len(lines) and _is_separator(lines[i + 1])
        ):
            flush()
            if not _TABLE_SEPARATOR.match(line):
                cells = [cell for cell in _cells(line) if cell]
                if cells:
                    blocks.append(Block(text=" | ".join(cells), kind="table_row"))
        elif _BULLET.match(line):
            flush()
            para, kind = [_BULLET.sub("", line)], "list_item"
        elif _NUMBERED.match(line):
            flush()
            para, kind = [stripped], "list_item"  # the number is kept: it may be a goal number
        else:
            para.append(re.sub(r"^\s*>\s?", "", line))
        i += 1
    flush()
    return blocks


def _is_separator(line: str) -> bool:
    return bool(_TABLE_SEPARATOR.match(line)) and "|" in line


def load(path: Path) -> LoadedDoc:
    data = read_text_bytes(path)
    text = decode_bytes(data).replace("\r\n", "\n").replace("\r", "\n")
    meta, body = parse_front_matter(text)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL)
    body = _SCRIPT.sub("\n", body)
    blocks = parse_blocks(body)
    if not blocks:
        raise LoadError("filen är tom" if not meta else "filen innehåller ingen text utöver metadata")
    title = meta.get("title") or next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    return LoadedDoc(blocks=blocks, title=title, meta=meta)
