"""Table rows in pypdf's layout-mode text, and how they replace the cell-per-line runs of the plain text.

Layout mode pads text to its position on the page, so table cells sit in columns separated by runs of spaces.
Prose drawn word by word is also padded unevenly, so a row counts only when its cells line up with the cells of
a neighbouring line (start or end within a couple of characters) and it looks tabular (three cells or a number).
"""

from __future__ import annotations

import re

from ingest.loaders._text import CELL_SEP

# Cells are separated by three or more spaces: layout mode pads words of prose drawn one by one with two.
_CELL = re.compile(r"\S+(?: {1,2}\S+)*")
_NUMERIC = re.compile(r"^[-−+]?[\d\s.,%:]*\d[\d\s.,%:]*(?:\s?(?:kr|tkr|mkr|mnkr|%))?$", re.IGNORECASE)
_NEIGHBOURS = 2  # non-blank lines looked at on each side
_SLACK = 2  # characters of misalignment tolerated

Cell = tuple[int, int, str]  # start column, end column, text


def _cells(line: str) -> list[Cell]:
    return [(m.start(), m.end(), " ".join(m.group().split())) for m in _CELL.finditer(line)]


def is_row(texts: list[str]) -> bool:
    if len(texts) < 2 or any(len(text) > 60 for text in texts):
        return False
    numeric = any(_NUMERIC.match(text) for text in texts)
    if len(texts) == 2 and not numeric:
        return False
    return len(texts) >= 3 or numeric


def _aligned(a: Cell, b: Cell) -> bool:
    return abs(a[0] - b[0]) <= _SLACK or abs(a[1] - b[1]) <= _SLACK


def _aligned_run(cells: list[Cell], others: list[list[Cell]]) -> tuple[int, int]:
    """The longest run of cells [a, b) lining up, cell for cell, with consecutive cells of one neighbour."""
    best = (0, 0)
    for other in others:
        index = [next((k for k, o in enumerate(other) if _aligned(c, o)), None) for c in cells]
        a = 0
        while a < len(cells):
            if index[a] is None:
                a += 1
                continue
            b = a + 1
            while b < len(cells) and index[b] is not None and index[b] == index[b - 1] + 1:  # type: ignore[operator]
                b += 1
            if b - a > best[1] - best[0]:
                best = (a, b)
            a = b
    return best


def layout_rows(layout: str) -> list[tuple[int, int, int, list[str]]]:
    """(line index, run start, run end, cell texts of the line) for each layout line holding a table row."""
    lines = [_cells(line) for line in layout.split("\n")]
    filled = [i for i, cells in enumerate(lines) if cells]
    rows = []
    for pos, i in enumerate(filled):
        cells = lines[i]
        if len(cells) < 2:
            continue
        others = [lines[j] for j in filled[max(0, pos - _NEIGHBOURS) : pos] + filled[pos + 1 : pos + 1 + _NEIGHBOURS]]
        a, b = _aligned_run(cells, [other for other in others if len(other) >= 2])
        texts = [c[2] for c in cells]
        if b - a >= 2:
            rows.append((i, a, b, texts))
    return rows


def _norm(text: str) -> str:
    return " ".join(text.split())


def _find_run(lines: list[str], start: int, target: str) -> tuple[int, int] | None:
    for i in range(start, len(lines)):
        acc = _norm(lines[i])
        if not acc or CELL_SEP in lines[i] or not target.startswith(acc):
            continue
        j = i
        while acc != target and j + 1 < len(lines) and len(acc) < len(target) and CELL_SEP not in lines[j + 1]:
            j += 1
            acc = f"{acc} {_norm(lines[j])}".strip()
        if acc == target:
            return i, j
    return None


def replace_table_runs(lines: list[str], layout: str) -> list[str]:
    """Replace each run of plain lines that spells out a layout table row by that row, cells kept apart.

    A table beside a text column shares its layout lines with the column, so sub-runs of the aligned cells are
    tried too, longest first; the plain text decides which one is the row.
    """
    out = list(lines)
    pos = 0
    for _i, a, b, texts in layout_rows(layout):
        runs = [texts[x:y] for x in range(a, b) for y in range(x + 2, b + 1)]
        for run in sorted((run for run in runs if is_row(run)), key=len, reverse=True):
            found = _find_run(out, pos, _norm(" ".join(run)))
            if found:
                start, end = found
                out[start : end + 1] = [CELL_SEP.join(run)]
                pos = start + 1
                break
    return out


def layout_lines(layout: str) -> list[str]:
    """The layout text as lines, with table rows marked; for pages whose plain text is one word per line."""
    rows = {i: (a, b, texts) for i, a, b, texts in layout_rows(layout)}
    out = []
    for i, line in enumerate(layout.split("\n")):
        if i in rows:
            a, b, texts = rows[i]
            # Trim prose cells (a text column beside the table) off the ends of the run.
            while b - a > 2 and len(texts[a].split()) >= 4:
                a += 1
            while b - a > 2 and len(texts[b - 1].split()) >= 4:
                b -= 1
            if is_row(texts[a:b]):
                if texts[:a]:
                    out.append(" ".join(texts[:a]))
                out.append(CELL_SEP.join(texts[a:b]))
                if texts[b:]:
                    out.append(" ".join(texts[b:]))
                continue
        out.append(_norm(line))
    return out
