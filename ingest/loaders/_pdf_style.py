"""What a PDF's typography says about its lines: headings by size and weight, footnotes, captions, contents pages.

pypdf's text visitor reports each piece of extracted text with its font and size; pieced together they are exactly
`extract_text()`'s output, so every output line gets a size, a bold share and a baseline. From those, over the whole
document:

- the body size is the size most characters are set in;
- a short line clearly larger than the body is a heading, its level the rank of its size; a short line wholly in
  bold at body size is the lowest heading level;
- a footnote sits in the bottom part of a page and opens with a small number ("¹ Lag (2006:544) …"); it and what
  follows it below are kept out of the running text, and its marker glued to a word ("lag1") is removed;
- a short line in smaller type that is no footnote is a caption, kept apart from the paragraphs around it;
- a contents page is one whose lines mostly end in dot leaders and a page number, or that opens with "Innehåll".

The roles travel to `lines_to_blocks` as a marker in front of the line (`mark`/`unmark`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

MARK = "\ue000"  # a line role marker (private use: not whitespace, so strip() keeps it): MARK + role letter (+ heading level digit) + MARK, then the text
ROLE_HEADING, ROLE_CAPTION, ROLE_CONTENTS, ROLE_COVER = "h", "c", "t", "v"
_MARKED = re.compile(rf"^{MARK}([{ROLE_HEADING}{ROLE_CAPTION}{ROLE_CONTENTS}{ROLE_COVER}])(\d?){MARK}")
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_LEADER = re.compile(r"(?:\.{3,}|…{2,}|(?:\. ){3,}|\s{3,})\s*\d{1,3}\s*$")
_CONTENTS_TITLE = re.compile(r"^\s*(innehåll|innehållsförteckning|innehåll och sidor)\s*$", re.IGNORECASE)
_FOOTNOTE_START = re.compile(r"^\d{1,3}(?:\s*\S|$)")  # "1 Lag …", or a lone superscript "1" on its own baseline
_MAX_HEADING_CHARS = 120
_MAX_LEVELS = 4


@dataclass
class StyledLine:
    text: str
    size: float  # mean font size of its characters
    bold: float  # share of its characters set in a bold font
    y: float  # baseline of its first character, from the bottom of the page
    lead_size: float  # size of its first characters (a footnote's small number)

    @property
    def key(self) -> str:
        return key(self.text)


def key(text: str) -> str:
    """Lines are matched across extraction modes by their characters without spaces."""
    return re.sub(r"\s+", "", text)


def styled_lines(page: object) -> tuple[str, list[StyledLine]]:
    """The page's plain text and its lines with their typography (one StyledLine per non-blank output line)."""
    parts: list[tuple[str, float, bool, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
        name = str(font.get("/BaseFont", "")) if font else ""
        parts.append((text, float(size) * scale, bool(_BOLD_FONT.search(name)), tm[5] * cm[3] + cm[5]))

    plain = page.extract_text(visitor_text=visit) or ""  # type: ignore[attr-defined]
    lines: list[StyledLine] = []
    current: list[tuple[str, float, bool, float]] = []

    def close() -> None:
        pieces = [p for p in current if p[0].strip()]
        text = "".join(p[0] for p in current).strip()
        if pieces and text:
            chars = sum(len(p[0].strip()) for p in pieces)
            size = sum(p[1] * len(p[0].strip()) for p in pieces) / chars
            bold = sum(len(p[0].strip()) for p in pieces if p[2]) / chars
            lines.append(StyledLine(text, size, bold, pieces[0][3], pieces[0][1]))
        current.clear()

    for text, size, bold, y in parts:
        segments = text.split("\n")
        for n, segment in enumerate(segments):
            if n:
                close()
            if segment:
                current.append((segment, size, bold, y))
    close()
    return plain, lines


def by_baseline(lines: list[StyledLine], tolerance: float = 1.5) -> list[StyledLine]:
    """Words that share a baseline joined into one line (pages whose plain text is one word per line)."""
    rows: list[list[StyledLine]] = []
    for line in lines:
        row = next((r for r in rows if abs(r[0].y - line.y) <= tolerance), None)
        if row is None:
            rows.append([line])
        else:
            row.append(line)
    out = []
    for row in rows:
        chars = sum(len(w.text) for w in row)
        out.append(
            StyledLine(
                " ".join(w.text for w in row),
                sum(w.size * len(w.text) for w in row) / chars,
                sum(w.bold * len(w.text) for w in row) / chars,
                row[0].y,
                row[0].lead_size,
            )
        )
    return out


def body_size(pages: list[list[StyledLine]]) -> float:
    """The size most characters of running text (lines of 20+ characters) are set in."""
    weights: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if len(line.text) >= 20:
                weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 0.0


def is_contents_page(texts: list[str]) -> bool:
    filled = [t for t in texts if t.strip()]
    if not filled:
        return False
    leaders = sum(1 for t in filled if _LEADER.search(t))
    titled = any(_CONTENTS_TITLE.match(t) for t in filled[:4])
    if titled:  # under "Innehåll" a trailing page number is enough, leaders or not
        numbered = sum(1 for t in filled if re.search(r"\s\d{1,3}$", t))
        return numbered >= 3 and numbered >= 0.4 * len(filled)
    return leaders >= 3 and leaders >= 0.4 * len(filled)


def is_cover_page(texts: list[str], n_pages: int) -> bool:
    """A first page of few words in front of a longer document."""
    return n_pages >= 3 and sum(len(t.split()) for t in texts) < 60


def roles(pages: list[list[StyledLine]], heights: list[float]) -> list[dict[str, str]]:
    """Per page: line key → role ("h1".."h5", "c" caption, "f" footnote); lines not in the map are body text."""
    body = body_size(pages)
    if not body:
        return [{} for _ in pages]
    big = sorted({round(line.size * 2) / 2 for lines in pages for line in lines if _heading_size(line, body)},
                 reverse=True)[:_MAX_LEVELS]  # fmt: skip
    out: list[dict[str, str]] = []
    for lines, height in zip(pages, heights, strict=True):
        page_roles: dict[str, str] = {}
        foot_top = _footnote_top(lines, body, height)
        for i, line in enumerate(lines):
            runs_on = i + 1 < len(lines) and lines[i + 1].text[:1].islower()
            if foot_top is not None and line.y <= foot_top + 0.5:
                page_roles.setdefault(line.key, "f")
            elif _heading_size(line, body):
                size = round(line.size * 2) / 2
                level = big.index(size) + 1 if size in big else len(big)
                page_roles.setdefault(line.key, f"h{level}")
            elif _bold_heading(line, body) and not runs_on:  # "Samhällsviktig / verksamhet:" is a term
                page_roles.setdefault(line.key, f"h{len(big) + 1}")
            elif line.size <= 0.88 * body and len(line.text) <= 150 and re.search(r"[A-Za-zÅÄÖåäö]{3}", line.text):
                page_roles.setdefault(line.key, "c")
        _demote_bold_runs(lines, page_roles, f"h{len(big) + 1}")
        out.append(page_roles)
    return out


def _demote_bold_runs(lines: list[StyledLine], page_roles: dict[str, str], bold_role: str) -> None:
    """Three or more bold lines in a row are a bold list or a box, not a stack of headings."""
    run: list[str] = []
    for line in [*lines, None]:
        if line is not None and page_roles.get(line.key) == bold_role:
            run.append(line.key)
            continue
        if len(run) >= 3:
            for k in run:
                page_roles.pop(k, None)
        run = []


def _short_text(line: StyledLine) -> bool:
    text = line.text
    return len(text) <= _MAX_HEADING_CHARS and bool(re.search(r"[A-Za-zÅÄÖåäö]{2}", text)) and not _LEADER.search(text)


def _heading_size(line: StyledLine, body: float) -> bool:
    return _short_text(line) and line.size >= body + 1.5 and line.size >= 1.12 * body


def _bold_heading(line: StyledLine, body: float) -> bool:
    text = line.text
    return (
        line.bold >= 0.95
        and abs(line.size - body) <= 1.0
        and _short_text(line)
        and len(text) <= 80
        and not text.endswith((".", ",", ";", ":"))
        and (text[:1].isupper() or text[:1].isdigit())
    )


def _footnote_top(lines: list[StyledLine], body: float, height: float) -> float | None:
    """Baseline of the first footnote in the bottom third of the page, if any."""
    starts = [
        line.y
        for line in lines
        if 0 < line.y < height / 3 and line.lead_size <= 0.8 * body and _FOOTNOTE_START.match(line.text)
    ]
    return max(starts) if starts else None


def role_of(line: str, page_roles: dict[str, str]) -> str:
    """The role of an output line: by its characters, else by a styled line it contains (layout mode joins a
    superscript number or a neighbouring word onto a line that the visitor reported apart)."""
    k = key(line)
    for candidate in (k, re.sub(r"^\d{1,3}", "", k), re.sub(r"\d{1,3}$", "", k)):  # a footnote number joined on
        if candidate in page_roles:
            return page_roles[candidate]
    inside = [(len(sk), role) for sk, role in page_roles.items() if len(sk) >= 12 and sk in k]
    return max(inside)[1] if inside else ""


def footnote_numbers(texts: list[str]) -> list[str]:
    return [m.group(1) for t in texts if (m := re.match(r"^(\d{1,3})(?:\s|$)", t))]


def drop_markers(text: str, numbers: list[str]) -> str:
    """Remove footnote markers glued to the end of a word ("enligt lag1 skyldiga" → "enligt lag skyldiga")."""
    for number in numbers:
        text = re.sub(rf"(?<=[a-zåäö)]){number}(?=[\s,.;:)]|$)", "", text, count=1)
    return text


def mark(role: str, text: str) -> str:
    """`text` with its role ("h2", "c", "t", "v") in front, for `unmark` to read back."""
    return f"{MARK}{role}{MARK}{text}"


def unmark(line: str) -> tuple[str, int, str]:
    """(role letter or "", heading level or 0, text) of a possibly marked line."""
    match = _MARKED.match(line)
    if not match:
        return "", 0, line
    return match.group(1), int(match.group(2) or 0), line[match.end() :]
