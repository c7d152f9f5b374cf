"""Plain-text loader: UTF-8, or a detected legacy encoding (Windows-1252/Latin-1 are common for Swedish text)."""

from __future__ import annotations

import codecs
from pathlib import Path

from ingest.clean import strip_running_lines
from ingest.loaders._text import lines_to_blocks, text_to_lines
from ingest.model import LoadedDoc, LoadError

SUFFIXES = (".txt",)  # the suffixes this loader reads; loaders/__init__.py finds it by them

NOT_TEXT = "filen verkar inte vara text"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Characters expected in Swedish text beyond ASCII; used to choose between candidate decodings.
_SWEDISH = set("åäöÅÄÖéÉüÜ–—”“’‘…€§°½«»·")


def decode_bytes(data: bytes) -> str:
    """Decode a text file's bytes, raising LoadError for files that are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise LoadError(NOT_TEXT) from exc
    if b"\x00" in data:  # NUL bytes without a UTF-16/32 byte order mark: a binary file
        raise LoadError(NOT_TEXT)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data)
    if _control_ratio(text) > 0.05:
        raise LoadError(NOT_TEXT)
    return text


def _decode_legacy(data: bytes) -> str:
    candidates: list[str] = []
    for encoding in ("cp1252", "latin-1", "cp850"):
        try:
            candidates.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            candidates.append(str(best))
    except Exception:  # detection is a best effort; the fixed candidates remain
        pass
    if not candidates:
        raise LoadError(NOT_TEXT)
    # charset-normalizer alone tends to pick cp1250 or mac_roman for short Swedish texts, turning å into ĺ or ĺ
    # into something else; prefer the decoding with the most characters that Swedish text actually uses.
    return max(candidates, key=_swedish_score)


def _swedish_score(text: str) -> float:
    good = sum(1 for c in text if c in _SWEDISH)
    odd = sum(1 for c in text if ord(c) > 127 and c not in _SWEDISH)
    return good - 2 * odd - 10 * _control_ratio(text) * len(text)


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r\f") or 0x7F <= ord(c) < 0xA0)
    return bad / len(text)


def read_text_bytes(path: Path) -> bytes:
    """The raw bytes of a text-like file (txt, md, html); LoadError when unreadable or empty."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError("filen kunde inte läsas från disken") from exc
    if not data.strip():
        raise LoadError("filen är tom")
    return data


def load(path: Path) -> LoadedDoc:
    data = read_text_bytes(path)
    text = decode_bytes(data)
    if "\f" in text.strip("\f"):
        # Form feeds are page breaks (pdftotext output): keep page numbers and drop running headers.
        pages = strip_running_lines(text.split("\f"))
        blocks = [block for n, page in enumerate(pages, 1) for block in lines_to_blocks(text_to_lines(page), page=n)]
    else:
        blocks = lines_to_blocks(text_to_lines(text))
    if not blocks:
        raise LoadError("filen är tom")
    return LoadedDoc(blocks=blocks)
