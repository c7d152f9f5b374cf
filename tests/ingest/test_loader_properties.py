"""Properties of the loaders and the whole per-file pipeline (test_formats.py already feeds plain random bytes to
each loader): bytes that start like a real format, under every suffix, end as a document or a LoadError; and the
text loader keeps every visible character of UTF-8 and Windows-1252 text."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.loaders import SUPPORTED_SUFFIXES, load
from ingest.model import LoadError
from ingest.pipeline import prepare

# Starts of real formats: past the first sniffing, random bytes reach the parsers proper.
_HEADS = [
    b"",
    b"%PDF-1.7\n",
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
    b"PK\x03\x04",
    b"<!doctype html><html><body><p>",
    b"---\ntitle: ",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x89PNG\r\n\x1a\n",
    b"{\\rtf1 ",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "Mål 1. Kommunen ska växa\n".encode("cp1252"),
]
_TAILS = [b"", b"\n%%EOF\n", b"\ntrailer << /Root 1 0 R >>\n%%EOF"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    head=st.sampled_from(_HEADS),
    body=st.binary(max_size=600),
    tail=st.sampled_from(_TAILS),
    suffix=st.sampled_from(sorted(SUPPORTED_SUFFIXES)),
)
def test_format_like_bytes_under_every_suffix_end_as_document_or_load_error(tmp_path, head, body, tail, suffix):
    path = tmp_path / f"slump{suffix}"
    path.write_bytes(head + body + tail)
    try:
        doc = prepare(path, file_sha="0" * 64, count_tokens=None, max_tokens=60)
    except LoadError as exc:
        assert str(exc) and "Error" not in str(exc)  # a Swedish reason, not an exception's name
    else:
        assert doc.chunks and all(c.text.strip() for c in doc.chunks)


# Windows-1252 encodes these at 0xC4 and above: a file containing any of them is never valid UTF-8 (no byte in the
# continuation range follows), so the legacy decoding is the only reading.
_SWEDISH_1252 = list("abcdefghijklmnopqrstuvwxyzåäöÅÄÖéÉü ABCXYZ0123456789.,:;!?()'\"/%")
# UTF-8 may carry anything a document holds: dashes, quotes, symbols, other scripts.
_UTF8_EXTRA = list("–—”“’…€§°½«»·→✓∑ĖħЖ中🙂")


def _text(alphabet: list[str]) -> st.SearchStrategy[str]:
    pieces = st.sampled_from([*alphabet, "\n", "\n\n", " ", "kommunen", "Mål 3.", "Fokusområde 2", "\n– ", "\n* "])
    return st.lists(pieces, min_size=1, max_size=120).map("".join).filter(lambda t: any(c.isalnum() for c in t))


# A line opening with a bullet is a list item; the bullet is markup and is dropped (ingest/loaders/_text.py).
_BULLET = re.compile(r"(?m)^[^\S\n]*[•▪◦●■□▶►✓*\-–][^\S\n]+(?=\S)")


def _visible(text: str) -> str:
    """Characters that must survive loading: all but whitespace and hyphens (joined at line ends), in NFC."""
    return unicodedata.normalize("NFC", "".join(c for c in text if not c.isspace() and c not in "-\u00ad"))


def _loaded_text(path: Path) -> str:
    return "".join(block.text for block in load(path).blocks)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_text(_SWEDISH_1252 + _UTF8_EXTRA))
def test_txt_loader_keeps_all_utf8_text(tmp_path, text):
    path = tmp_path / "utf8.txt"
    path.write_bytes(text.encode("utf-8"))
    assert _visible(_loaded_text(path)) == _visible(_BULLET.sub("", text))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_text(_SWEDISH_1252))
def test_txt_loader_keeps_all_cp1252_text(tmp_path, text):
    path = tmp_path / "cp1252.txt"
    path.write_bytes(text.encode("cp1252"))
    assert _visible(_loaded_text(path)) == _visible(_BULLET.sub("", text))
