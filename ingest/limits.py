"""How much work one file may cause: its size on disk, what it unpacks to, how much text and how many chunks.

Without these a 1 MB DOCX that unpacks to 1 GiB took 2.1 GB of memory, and a 2 MB single-line text took 241 s of
chunking and embedding, holding up the one-at-a-time upload queue. Read once from the environment at the entry point
(index.config.Settings.from_env); an invalid value is one clear Swedish message naming the variable.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.model import LoadError


class SettingsError(ValueError):
    """An environment variable with a value styrdok cannot use; the message is Swedish and names the variable."""


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 50.0  # STYRDOK_MAX_FILE_MB: size on disk
    # STYRDOK_MAX_UNPACKED_MB: what a DOCX (a zip) may unpack to. Word's XML of a 1,000-page report is ~20 MB;
    # python-docx parses it into a tree ~7 times that size (95 MB of XML took the ingest process past 1.5 GB,
    # bench/file_limits.py), so this also bounds the parse's memory.
    max_unpacked_mb: float = 40.0
    # STYRDOK_MAX_ZIP_RATIO: unpacked / packed size of one zip entry. Word's XML packs ~5–20 times; a zip bomb
    # packs 1,000 times or more.
    max_zip_ratio: float = 100.0
    # STYRDOK_MAX_TEXT_MB: text (UTF-8) after reading. 2,000 pages of dense prose is ~6 MB.
    max_text_mb: float = 10.0
    # STYRDOK_MAX_CHUNKS: passages per file, each embedded with its sentences (~0.1 s per passage on one core).
    max_chunks: int = 5000
    # STYRDOK_MAX_HTML_ELEMENTS: the HTML parser's tree takes ~1.3 KB per element (measured: 200k <p> → 280 MB), so
    # 50 MB of tiny elements would take ~8 GB. A long municipal web page has a few thousand.
    max_html_elements: int = 300_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        env = os.environ if env is None else env
        d = cls()
        return cls(
            max_file_mb=positive(env, "STYRDOK_MAX_FILE_MB", d.max_file_mb),
            max_unpacked_mb=positive(env, "STYRDOK_MAX_UNPACKED_MB", d.max_unpacked_mb),
            max_zip_ratio=positive(env, "STYRDOK_MAX_ZIP_RATIO", d.max_zip_ratio),
            max_text_mb=positive(env, "STYRDOK_MAX_TEXT_MB", d.max_text_mb),
            max_chunks=int(positive(env, "STYRDOK_MAX_CHUNKS", d.max_chunks, integer=True)),
            max_html_elements=int(positive(env, "STYRDOK_MAX_HTML_ELEMENTS", d.max_html_elements, integer=True)),
        )

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)


def positive(env: Mapping[str, str], name: str, default: float, *, integer: bool = False) -> float:
    """A number greater than 0 from `env[name]` (default when unset); SettingsError otherwise, also when set but empty:
    an empty value is more likely a broken deployment script than a wish for the default."""
    if name not in env:
        return default
    raw = env[name].strip()
    if not raw:
        kind = "ett heltal" if integer else "ett tal"
        raise SettingsError(f"Miljövariabeln {name} är satt men tom. Ta bort den eller ge den {kind} större än 0.")
    try:
        value = int(raw) if integer else float(raw.replace(",", "."))
    except ValueError:
        value = 0
    if not value > 0 or value != value or value == float("inf"):
        kind = "ett heltal" if integer else "ett tal"
        raise SettingsError(f"Miljövariabeln {name} har värdet {raw!r}, men ska vara {kind} större än 0.")
    return value


def mb(n: float) -> str:
    """Megabytes the Swedish way: "1,5", "50", "0,001"."""
    return f"{n:.{1 if n >= 1 else 3}f}".rstrip("0").rstrip(".").replace(".", ",")


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip (DOCX) that unpacks to more than the limits, from its directory alone: nothing is unpacked.

    The sizes in the directory bound what is unpacked: Python's zipfile stops each entry at its declared size (and a
    CRC error follows), so an archive cannot claim little and unpack much.
    """
    try:
        with zipfile.ZipFile(path) as z:
            entries = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a readable zip: the loader says what is wrong with it
    total = sum(e.file_size for e in entries)
    if total > limits.max_unpacked_mb * 2**20:
        raise LoadError(
            f"filen packar upp till mer än {mb(limits.max_unpacked_mb)} MB (den packar upp till "
            f"{mb(total / 2**20)} MB) och läses inte in; gränsen är STYRDOK_MAX_UNPACKED_MB"
        )
    for e in entries:
        if e.file_size > 2**20 and e.file_size > limits.max_zip_ratio * max(e.compress_size, 1):
            raise LoadError(
                f"filen packar upp till mer än {mb(e.file_size / 2**20)} MB ur {mb(e.compress_size / 2**20)} MB, "
                f"mer än {mb(limits.max_zip_ratio)} gånger sin storlek (en så kallad zip-bomb), och läses inte in; "
                "gränsen är STYRDOK_MAX_ZIP_RATIO"
            )


def check_docx_text(path: Path, limits: Limits) -> None:
    """Refuse a DOCX whose body text is over the text limit, counted by streaming its XML (~1 s for 40 MB) before
    python-docx builds its objects: that took minutes for a 38 MB body on a shared core."""
    from lxml import etree

    limit = limits.max_text_mb * 2**20
    total = 0
    try:
        with zipfile.ZipFile(path) as z, z.open("word/document.xml") as f:
            for _, el in etree.iterparse(f, events=("end",), tag="{*}t", huge_tree=False, resolve_entities=False):
                total += len((el.text or "").encode("utf-8"))
                el.clear()
                if total > limit:
                    check_text(total, limits, at_least=True)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, etree.LxmlError):
        return  # no body or not a readable zip: the loader says what is wrong with it


def check_html(path: Path, limits: Limits) -> None:
    """Refuse HTML with more elements than the parser may build (counted as "<" in the raw bytes: an upper bound)."""
    n = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            n += block.count(b"<")
    if n > limits.max_html_elements:
        raise LoadError(
            f"HTML-filen har omkring {n} element, fler än gränsen på {limits.max_html_elements} "
            "(STYRDOK_MAX_HTML_ELEMENTS); dela upp den i mindre filer"
        )


def check_text(n_bytes: int, limits: Limits, *, at_least: bool = False) -> None:
    if n_bytes > limits.max_text_mb * 2**20:
        amount = "mer text än" if at_least else f"{mb(n_bytes / 2**20)} MB text, mer än"
        raise LoadError(
            f"filen innehåller {amount} gränsen på {mb(limits.max_text_mb)} MB (STYRDOK_MAX_TEXT_MB); "
            "dela upp den i mindre filer"
        )


def check_chunks(n: int, limits: Limits, *, about: bool = False) -> None:
    if n > limits.max_chunks:
        raise LoadError(
            f"filen blir {'omkring ' if about else ''}{n} avsnitt, fler än gränsen på {limits.max_chunks} (STYRDOK_MAX_CHUNKS); "
            "dela upp den i mindre filer"
        )
