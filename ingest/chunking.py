"""Structure-aware chunking: sections follow the heading path; goals, focus areas and tables are boundaries.

Every chunk starts with its section heading so it reads on its own, stays within `max_tokens` as measured by
`count_tokens`, and no text of the document is lost: each block's text is in some chunk, split on sentence
boundaries (then words, then characters) only where it is too long.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.model import Block, Chunk, ChunkMeta, LoadedDoc
from ingest.structure import annotate_goals, focus_name

SECTION_SEP = " › "
ROLE_KINDS = frozenset({"contents", "cover"})
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+")
# A block longer than this reaches the packer in pieces cut at sentence ends: packing measures the whole text that is
# left after every chunk, so one 2 MB paragraph (a file that lost its line breaks) took minutes, quadratic in length.
_PIECE_CHARS = 4000


def estimate_tokens(text: str) -> int:
    """A conservative token count for when no tokenizer is given: long Swedish compounds count several."""
    return 2 + sum(1 + len(token) // 4 if token[0].isalnum() else 1 for token in _TOKEN.findall(text))


@dataclass
class _Heading:
    level: int
    text: str
    page: int | None
    focus: str = ""
    goal: int = 0


@dataclass
class _Section:
    path: list[_Heading]
    new_headings: list[_Heading] = field(default_factory=list)  # headings not yet written into any chunk
    body: list[Block] = field(default_factory=list)


def _sections(blocks: list[tuple[Block, int]]) -> list[_Section]:
    """Cut the document at headings. A heading with no body before its next sibling becomes a section alone."""
    path: list[_Heading] = []
    sections: list[_Section] = []
    current = _Section(path=[])
    for block, goal in blocks:
        if not block.text.strip():
            continue
        if block.level <= 0:
            current.body.append(block)
            continue
        heading = _Heading(block.level, block.text.strip(), block.page, focus_name(block.text) or "", goal)
        pending = current.new_headings
        ends_pending = pending and (
            heading.level <= pending[-1].level or (goal and any(h.goal for h in pending))  # never two goals
        )
        if current.body or ends_pending:
            sections.append(current)
            current = _Section(path=[])
        while path and path[-1].level >= heading.level:
            path.pop()
        path.append(heading)
        current.path = list(path)
        current.new_headings.append(heading)
    if current.body or current.new_headings:
        sections.append(current)
    return sections


class _Packer:
    """Greedy packing of lines into chunks that fit; a chunk may open with repeated context lines."""

    def __init__(self, fits: Callable[[str], bool], half_fits: Callable[[str], bool]) -> None:
        self.fits = fits
        self.half_fits = half_fits
        self.out: list[tuple[str, int, str]] = []
        self.role = ""  # role of the chunk being packed ("contents", "cover"), "" for body text
        self.lines: list[str] = []
        self.context = 0  # leading lines repeated for context; a chunk of only those is not emitted
        self.has_body = False
        self.page = 0

    def close(self) -> None:
        if len(self.lines) > self.context:
            self.out.append(("\n".join(self.lines), self.page, self.role))
        self.lines, self.context, self.has_body, self.page = [], 0, False, 0

    def open(self, context: list[str]) -> None:
        self.close()
        context = [line for line in context if line]
        # Repeated context may take at most half the room; drop its outer lines first.
        while context and not self.half_fits("\n".join(context)):
            context = context[1:]
        self.lines, self.context = list(context), len(context)

    def add(self, text: str, page: int | None, context: list[str], *, body: bool = True) -> None:
        if not self.lines:
            self.open(context)
        for n, piece in enumerate(_pieces(text.strip(), _PIECE_CHARS)):
            self._add(piece, page, context, body, continues=n > 0)

    def _add(self, text: str, page: int | None, context: list[str], body: bool, *, continues: bool) -> None:
        while text:
            if self.fits("\n".join([*self.lines, text])):
                self._append(text, page, body)
                return
            if self.has_body and not continues:  # a piece of a long block fills up the chunk its last piece began
                self.open(context)
                continue
            continues = False
            piece, rest = _split_to_fit(self.lines, text, self.fits)
            if piece:
                self._append(piece, page, body)
                text = rest
                if text:
                    self.open(context)
            elif len(self.lines) > self.context:  # only headings here: give the text a fresh chunk
                self.open(context)
            elif self.lines:  # the repeated context leaves no room at all
                self.lines, self.context = [], 0
            else:  # count_tokens rejects even one character: emit it anyway rather than lose text
                self._append(text[0], page, body)
                text = text[1:].strip()
                if text:
                    self.open(context)

    def _append(self, text: str, page: int | None, body: bool) -> None:
        if len(self.lines) == self.context:
            self.page = page or 0
        self.lines.append(text)
        self.has_body = self.has_body or body


def _pieces(text: str, size: int) -> list[str]:
    """`text` cut into pieces of at most `size` characters, at the last sentence end (else space) in each."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        end = start + size
        cut = 0
        for pattern in (_SENTENCE_END, _SPACE):
            for match in pattern.finditer(text, start + 1, end):
                cut = match.end()
            if cut:
                break
        cut = cut or end
        pieces.append(text[start:cut].strip())
        start = cut
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def _split_to_fit(lines: list[str], text: str, fits: Callable[[str], bool]) -> tuple[str, str]:
    """The longest head of `text` (whole sentences, else words, else characters) that fits after `lines`."""
    for pattern in (_SENTENCE_END, _SPACE):
        units = [unit for unit in pattern.split(text) if unit]
        if len(units) > 1:
            n = _max_fitting(len(units), lambda k, u=units: fits("\n".join([*lines, " ".join(u[:k])])))
            if n:
                return " ".join(units[:n]), " ".join(units[n:])
    n = _max_fitting(len(text), lambda k: fits("\n".join([*lines, text[:k]])))
    return text[:n].strip(), text[n:].strip()


def _max_fitting(total: int, ok: Callable[[int], bool]) -> int:
    """Largest k in 1..total with ok(k), by binary search (token counts grow with the text); 0 if none."""
    lo, hi = 0, total
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def chunk_document(
    doc: LoadedDoc,
    *,
    doc_id: str,
    meta: dict,
    count_tokens: Callable[[str], int] | None = None,
    max_tokens: int = 350,
) -> list[Chunk]:
    """Split a loaded document into self-contained chunks of at most `max_tokens` tokens each."""
    count = count_tokens or estimate_tokens
    packer = _Packer(lambda t: count(t) <= max_tokens, lambda t: count(t) <= max_tokens // 2)
    title = str(meta.get("title") or doc.title or "").strip()
    drafts: list[tuple[str, int, str, _Section]] = []

    for section in _sections(annotate_goals(doc.blocks, by_shape=not doc.headings_marked)):
        heading = [section.path[-1].text] if section.path else []
        for h in section.new_headings:
            packer.add(h.text, h.page, [], body=False)
        table: list[Block] = []
        for block in [*section.body, None]:
            if block is not None and block.kind == "table_row":
                table.append(block)
                continue
            if table:
                _add_table(packer, table, heading)
                table = []
            if block is not None and block.kind in ROLE_KINDS:
                # Contents pages and covers get chunks of their own, marked, so answers never quote them.
                packer.close()
                packer.role = block.kind
                packer.add(block.text, block.page, [])
                packer.close()
                packer.role = ""
            elif block is not None:
                packer.add(block.text, block.page, heading)
        packer.close()
        drafts.extend((text, page, role, section) for text, page, role in packer.out)
        packer.out = []

    base = {
        "doc_id": doc_id,
        "title": title,
        "doc_type": str(meta.get("doc_type") or "övrigt"),
        "source": str(meta.get("source") or ""),
        "date": str(meta.get("date") or ""),
        "year": _int(meta.get("year")),
        "organ": str(meta.get("organ") or ""),
        "publisher": str(meta.get("publisher") or ""),
    }
    chunks = []
    for i, (text, page, role, section) in enumerate(drafts):
        path = section.path
        top = path[0] if path else None
        if top and title and top.text.casefold() == title.casefold() and not (top.focus or top.goal):
            path = path[1:]  # the document's own title is in `title`, not a section
        chunk_meta = ChunkMeta(
            **base,
            section=SECTION_SEP.join(h.text for h in path),
            focus_area=next((h.focus for h in reversed(section.path) if h.focus), ""),
            goal=next((h.goal for h in reversed(section.path) if h.goal), 0),
            page=page,
            role=role,
            chunk_index=i,
            content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        chunks.append(Chunk(chunk_id=f"{doc_id}:{i:04d}", text=text, meta=chunk_meta))
    return chunks


def _add_table(packer: _Packer, rows: list[Block], heading: list[str]) -> None:
    """A table starts its own chunk (unless only headings precede it); continuation chunks repeat its header."""
    if packer.has_body:
        packer.close()
    header = rows[0].text.strip()
    packer.add(header, rows[0].page, heading)
    for row in rows[1:]:
        packer.add(row.text, row.page, [*heading, header])
    packer.close()


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0
