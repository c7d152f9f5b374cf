"""Loaders: one module per file format, each with `load(path) -> LoadedDoc`, dispatched here by suffix."""

from __future__ import annotations

import importlib
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
    except LoadError:
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
