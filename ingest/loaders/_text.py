"""Turning lines of plain text (PDF pages, TXT files) into paragraph, list and table blocks.

Plain text has no markup, so paragraph and heading boundaries are guessed from line shapes. Over-splitting is cheap
(the chunker merges small paragraphs of one section again); gluing a heading onto a paragraph is not, so the rules
lean towards starting a new block.
"""

from __future__ import annotations

import re

from ingest.clean import clean_text, flatten
from ingest.loaders._pdf_style import ROLE_CAPTION, ROLE_CONTENTS, ROLE_COVER, ROLE_HEADING, unmark
from ingest.model import Block

CELL_SEP = "\x1f"  # marks a table row inside page text; cells are joined with it until blocks are made

_BULLET = re.compile(r"^[•▪◦●■□▶►✓\-–*]\s+(?=\S)")
_NUMBERED = re.compile(r"^\(?\d{1,3}[.)]\s+(?=\S)")
# Lines that open document structure and always start a block of their own.
_STRUCTURE = re.compile(r"^(?:fokusområde\s+\d|(?:\d{1,2}(?:\.\d{1,2})+\.?\s+)?mål\s+\d|§\s*\d)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?:…]['\"”»)]*$")


def _starts_upper(line: str) -> bool:
    first = line.lstrip("\"'”»(–- ")[:1]
    return first.isupper() or first.isdigit() or first == "§" or bool(_BULLET.match(line))


def _is_all_caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _heading_like(line: str, prev: str | None, nxt: str | None, width: int) -> bool:
    if len(line) > 100 or not _starts_upper(line):
        return False
    if _is_all_caps(line) and len(line) <= 80:
        return True
    if re.search(r"[.,;:!?\-–]$", line):
        return False
    if width >= 40 and len(line) > 0.75 * width:  # a nearly full line is running prose
        return False
    prev_closed = prev is None or bool(_SENTENCE_END.search(prev)) or not prev
    return prev_closed and (nxt is None or not nxt or _starts_upper(nxt))


def _typical_width(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines if line and CELL_SEP not in line)
    if not lengths:
        return 0
    return lengths[int(0.9 * (len(lengths) - 1))]


def table_row_block(line: str, page: int | None) -> Block | None:
    cells = [flatten(cell) for cell in line.split(CELL_SEP)]
    cells = [cell for cell in cells if cell]
    if not cells:
        return None
    return Block(text=" | ".join(cells), page=page, kind="table_row")


def lines_to_blocks(lines: list[str], page: int | None = None, *, shape_headings: bool = True) -> list[Block]:
    """Group lines into blocks. Blank lines always end a block; lines containing CELL_SEP are table rows.

    `shape_headings=False`: the lines' headings are marked (a PDF's typography), so no line becomes a heading by
    its shape alone."""
    lines = [line.strip() for line in lines]
    width = _typical_width(lines)
    blocks: list[Block] = []
    current: list[str] = []
    kind = "paragraph"
    title_block = False  # current block was opened by a structure line ("Mål 5. …") and ends at its title

    def flush() -> None:
        nonlocal current, kind, title_block
        text = flatten("\n".join(current))
        if text:
            blocks.append(Block(text=text, page=page, kind=kind))
        current, kind, title_block = [], "paragraph", False

    marked_heading = False  # the last block is a heading the typography marked (a wrapped one continues it)
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        role, level, line = unmark(line)
        if role:
            wrapped = line[:1].islower()  # a heading too long for one line goes on in lower case
            if role == ROLE_HEADING and marked_heading and wrapped and not current and blocks[-1].level == level:
                blocks[-1].text = flatten(f"{blocks[-1].text}\n{line}")
                continue
            if role in (ROLE_CONTENTS, ROLE_COVER):
                # A contents page or a cover is one block of its own: indexed, never quoted as an answer.
                wanted = "contents" if role == ROLE_CONTENTS else "cover"
                if kind != wanted:
                    flush()
                    kind = wanted
                current.append(line)
                continue
            flush()
            if role == ROLE_HEADING:
                blocks.append(Block(text=flatten(line), page=page, level=level, kind="heading"))
                marked_heading = True
            elif role == ROLE_CAPTION:
                blocks.append(Block(text=flatten(line), page=page, kind="caption"))
            continue
        if kind in ("contents", "cover"):
            if not line:
                continue
            flush()
        marked_heading = False
        if not line:
            flush()
            continue
        if CELL_SEP in line:
            flush()
            row = table_row_block(line, page)
            if row:
                blocks.append(row)
            continue
        if _STRUCTURE.match(line):
            flush()
            current, title_block = [line], True
        elif _BULLET.match(line):
            flush()
            current, kind = [_BULLET.sub("", line)], "list_item"
        elif _NUMBERED.match(line):
            flush()
            current, kind = [line], "list_item"
        elif shape_headings and _heading_like(line, current[-1] if current else None, nxt, width):
            flush()
            current = [line]
            flush()
            continue
        elif current and _SENTENCE_END.search(current[-1]) and _starts_upper(line):
            last = current[-1]
            if title_block or kind == "list_item" or width < 40 or len(last) < 0.85 * width:
                flush()
            current.append(line)
        elif current and width >= 40 and len(current[-1]) < 0.7 * width and _starts_upper(line):
            # A short line is where a paragraph, list item or title ended, punctuation or not.
            flush()
            current.append(line)
        elif title_block and current and not current[-1].endswith(("-", ",")) and _starts_upper(line):
            # The title of a goal/section line ended without punctuation; the body starts here.
            flush()
            current.append(line)
        else:
            current.append(line)
    flush()
    return blocks


def text_to_lines(text: str) -> list[str]:
    """Clean text (keeping line breaks) and split it into lines."""
    return clean_text(text).split("\n")
