"""Loaders: one module per file format, each with `SUFFIXES` and `load(path) -> LoadedDoc`, dispatched here by suffix.

A new format is one new module in this package: the loaders are found by listing the package's modules (helpers
start with `_`), so nothing here, in ingest's file discovery or in the web upload names the formats.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import zipfile
from pathlib import Path
from types import ModuleType

from ingest.model import LoadedDoc, LoadError

__all__ = ["SUPPORTED_SUFFIXES", "load", "loaders", "supported_suffixes"]


@functools.cache
def loaders() -> dict[str, ModuleType]:
    """Suffix → loader module, for every public module of this package. Cached: found once per process.

    Importing the modules is cheap (~0.2 s for all): each imports its parser inside `load`."""
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for suffix in module.SUFFIXES:
            if suffix in found:  # two loaders for one suffix would silently depend on the listing order
                raise RuntimeError(f"{suffix} is claimed by both {found[suffix].__name__} and {module.__name__}")
            found[suffix.lower()] = module
    return found


def supported_suffixes() -> frozenset[str]:
    """The suffixes (with the dot, lower case) some loader reads."""
    return frozenset(loaders())


def __getattr__(name: str) -> object:
    # SUPPORTED_SUFFIXES reads like the constant it used to be, but is found on first use (PEP 562).
    if name == "SUPPORTED_SUFFIXES":
        return supported_suffixes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _format(module: ModuleType) -> str:
    return module.__name__.rpartition(".")[2]


def load(path: Path) -> LoadedDoc:
    """Load a document by its suffix. Every failure is a LoadError with a plain Swedish reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    module = loaders().get(suffix)
    if module is None:
        raise LoadError(f"filtypen {suffix} stöds inte" if suffix else "filer utan filändelse stöds inte")
    if not path.exists():
        raise LoadError("filen finns inte")
    if not path.is_file():
        raise LoadError("sökvägen är ingen vanlig fil")
    try:
        if path.stat().st_size == 0:
            raise LoadError("filen är tom")
        doc = module.load(path)
    except LoadError as exc:
        # "DOCX-filen är skadad" is wrong and unhelpful when the file is a PDF someone renamed: say what it is.
        actual = _sniff(path)
        if actual and actual[1] not in (_format(module), _CONTAINER.get(_format(module))):
            what, module_name = actual
            fix = f" — byt filändelse till .{module_name}" if module_name in map(_format, loaders().values()) else ""
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
