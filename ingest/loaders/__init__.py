"""Loaders: one module per file format, each with `load(path) -> LoadedDoc`, dispatched here by suffix."""

from __future__ import annotations

import importlib
import zipfile
from pathlib import Path

from ingest.model import LoadedDoc, LoadError

_MODULES = {
    ".pdf": "pdf",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_MODULES)

__all__ = ["SUPPORTED_SUFFIXES", "load"]


def load(path: Path) -> LoadedDoc:
    """Load a document by its suffix. Every failure is a LoadError with a plain Swedish reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _MODULES:
        raise LoadError(f"filtypen {suffix} stöds inte" if suffix else "filer utan filändelse stöds inte")
    if not path.exists():
        raise LoadError("filen finns inte")
    if not path.is_file():
        raise LoadError("sökvägen är ingen vanlig fil")
    try:
        if path.stat().st_size == 0:
            raise LoadError("filen är tom")
        module = importlib.import_module(f"ingest.loaders.{_MODULES[suffix]}")
        doc = module.load(path)
    except LoadError as exc:
        # "DOCX-filen är skadad" is wrong and unhelpful when the file is a PDF someone renamed: say what it is.
        actual = _sniff(path)
        if actual and actual[1] not in (_MODULES[suffix], _CONTAINER.get(_MODULES[suffix])):
            what, module_name = actual
            fix = f" — byt filändelse till .{module_name}" if module_name in _MODULES.values() else ""
            raise LoadError(f"filen har filändelsen {suffix} men är {what}{fix}") from exc
        raise
    except OSError as exc:
        raise LoadError("filen kunde inte läsas från disken") from exc
    except RecursionError as exc:
        raise LoadError("filen är för djupt nästlad för att kunna läsas") from exc
    except Exception as exc:  # a parser bug must still reach the user as a reason, not a traceback
        raise LoadError("filen kunde inte läsas på grund av ett oväntat fel i tolkningen") from exc
    if not any(block.text.strip() for block in doc.blocks):
        raise LoadError("filen innehåller ingen text")
    return doc


# A DOCX is a zip: a zip without Word's parts, named .docx, is a damaged DOCX rather than a misnamed file.
_CONTAINER = {"docx": "zip"}
# Magic numbers of formats people rename by hand: (start of file, what it is, loader module or a plain suffix).
_MAGIC = (
    (b"%PDF-", "en PDF-fil", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ett äldre Office-dokument (.doc/.xls), som inte stöds", "doc"),
    (b"{\\rtf", "ett RTF-dokument, som inte stöds", "rtf"),
    (b"\x89PNG", "en bild (PNG)", "png"),
    (b"\xff\xd8\xff", "en bild (JPEG)", "jpg"),
    (b"GIF8", "en bild (GIF)", "gif"),
    (b"MZ", "ett program (.exe)", "exe"),
)


def _sniff(path: Path) -> tuple[str, str] | None:
    """What the file's first bytes say it is, as (description, module or suffix); None when they say nothing."""
    try:
        with path.open("rb") as f:
            head = f.read(1024)
    except OSError:
        return None
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None  # a broken zip says nothing about what it was meant to be
        if "word/document.xml" in names:
            return "ett Word-dokument (DOCX)", "docx"
        if "xl/workbook.xml" in names:
            return "ett Excel-dokument, som inte stöds", "xlsx"
        if "ppt/presentation.xml" in names:
            return "en PowerPoint-presentation, som inte stöds", "pptx"
        return "ett zip-arkiv, som inte stöds", "zip"
    for magic, what, kind in _MAGIC:
        if head.startswith(magic) or (kind == "pdf" and magic in head):
            return what, kind
    return None
