"""The data that flows between the layers: what a loader returns and what the chunker produces.

Every package may import this module; it imports only the standard library.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

DOC_TYPES = (
    "mål",
    "pressmeddelande",
    "uppdrag",
    "nämndsplan",
    "budget/bokslut",
    "protokoll",
    "risk- och sårbarhetsanalys",
    "nyhetsartikel",
    "övrigt",
)


class LoadError(Exception):
    """A file that cannot be read. The message is plain Swedish and is shown to the user as is."""


@dataclass
class Block:
    """One piece of a loaded document, in reading order.

    `level` > 0 marks a heading (1 = top level). Loaders set it where the format says so (Markdown #, HTML h1-h6,
    DOCX heading styles); `ingest.structure` finds the rest in plain text (Fokusområde N, Mål N, "5. …").
    """

    text: str
    page: int | None = None  # 1-based page number where the format has pages (PDF)
    level: int = 0
    kind: str = "paragraph"  # paragraph | heading | table_row | list_item | caption | contents | cover


@dataclass
class LoadedDoc:
    """What a loader returns: the text as blocks plus whatever metadata the file itself states."""

    blocks: list[Block]
    title: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # e.g. date, organ, doc_type from front matter/properties
    # The format's typography marked the headings (a PDF's type sizes): lines are then not promoted to headings by
    # their shape alone (an ALL-CAPS footnote or a caption is no chapter).
    headings_marked: bool = False
    # What a reader of the ingest report should know about how the text was read (plain Swedish), e.g. pages whose
    # text came out one word per line and were read by position instead.
    notes: list[str] = field(default_factory=list)


@dataclass
class ChunkMeta:
    doc_id: str
    title: str
    doc_type: str
    source: str
    date: str = ""  # ISO date (YYYY-MM-DD or YYYY) when known
    year: int = 0  # 0 when unknown; kept separately so filters are integer comparisons
    organ: str = ""  # nämnd/styrelse when stated
    publisher: str = ""  # the organisation that issued the document (Regeringen, X kommun), when supported
    section: str = ""  # heading path joined with " › "
    focus_area: str = ""
    goal: int = 0  # goal number, 0 when the chunk is not inside one goal
    page: int = 0  # 0 when the format has no pages
    role: str = ""  # "contents" or "cover": searchable, but never quoted as an answer
    chunk_index: int = 0
    content_hash: str = ""  # sha256 of the chunk text

    def to_dict(self) -> dict[str, str | int]:
        return asdict(self)


@dataclass
class Chunk:
    chunk_id: str
    text: str
    meta: ChunkMeta


@dataclass
class FileResult:
    """One line of the per-file ingest report."""

    path: str
    status: str  # ingested | skipped | failed | removed
    reason: str = ""  # plain Swedish, for skipped/failed; for ingested, how the text was read when that matters
    doc_id: str = ""
    chunks: int = 0


def display_path(path: Path) -> str:
    """The path as given (links not followed), relative to the working directory when possible. Never raises.

    Resolving would show a link as its target (a folder link to ".." as ".") and raises on a link loop. A name
    that is not valid UTF-8 (Latin-1 bytes from an old file share) arrives with surrogate escapes that no terminal
    or JSON report can print; such bytes are shown as U+FFFD.
    """
    full = Path(os.path.abspath(path))
    try:
        shown = str(full.relative_to(Path.cwd()))
    except (ValueError, OSError):  # elsewhere, or the working directory is gone
        shown = str(path)
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
