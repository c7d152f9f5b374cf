"""Files and folders → prepared documents (chunks + metadata), one file at a time, with a reason for every failure.

Nothing here writes anywhere: the index layer decides what to store. A bad file raises LoadError for that file
only; the caller reports it and goes on.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.limits import Limits, check_chunks, check_docx_text, check_html, check_text, check_zip, mb
from ingest.model import Chunk, LoadError

SIDECAR_SUFFIX = ".meta.json"
PLAIN_TEXT = (".txt", ".md", ".markdown")


@dataclass
class PreparedDoc:
    path: Path
    source: str  # absolute path: the document's identity on disk
    file_sha: str
    doc_id: str
    meta: dict
    chunks: list[Chunk]
    size: int
    mtime: float
    notes: tuple[str, ...] = ()  # LoadedDoc.notes: shown in the ingest report


def source_key(path: Path) -> str:
    return str(path.resolve())


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def identify(path: Path, limits: Limits | None = None) -> tuple[str, str]:
    """(source key, content sha256) of a file; raises LoadError (plain Swedish) when the file can't be opened."""
    if str(path) != str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace"):
        # The catalog, Chroma and every report store text; a name with undecodable bytes can be none of these.
        raise LoadError("filnamnet innehåller tecken som inte är giltig UTF-8 — byt namn på filen (t.ex. å, ä, ö)")
    check_file(path, limits)  # size before content: a 20 GB backup file is refused, not hashed first
    try:
        return source_key(path), file_sha256(path)
    except RuntimeError as e:  # Path.resolve() on a link loop
        raise LoadError(unreadable_reason(OSError(errno.ELOOP, str(e)))) from e
    except OSError as e:
        raise LoadError(unreadable_reason(e)) from e


def unreadable_reason(e: OSError) -> str:
    """Why a file could not be opened, in Swedish (the system's own message may be in English)."""
    reasons = {
        errno.ENOENT: "filen finns inte (en länk som pekar på en fil som inte finns?)",
        errno.ELOOP: "länken pekar i en slinga och leder aldrig till någon fil",
        errno.EACCES: "styrdok har inte behörighet att läsa filen",
        errno.EPERM: "styrdok har inte behörighet att läsa filen",
        errno.EISDIR: "sökvägen är en mapp, inte en fil",
    }
    return reasons.get(e.errno or 0, "filen kunde inte läsas från disken")


def doc_id_for(file_sha: str) -> str:
    """Stable id from content: the same bytes always give the same document id (duplicates collapse)."""
    return file_sha[:16]


def discover(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Every file under `paths` as (path, reason); reason is "" for a file to ingest, else why it is skipped.

    Symlinked folders are not followed (a link loop can't hang the walk) and are reported as skipped; hidden files
    and folders are left out.
    """
    from ingest.loaders import SUPPORTED_SUFFIXES

    seen: set[str] = set()
    for root in paths:
        root = Path(root)
        if root.is_file():
            files: Iterable[Path] = [root]
        elif root.is_dir():
            files = _walk(root)
        else:
            yield root, "filen eller mappen finns inte"
            continue
        for f in files:
            if f.is_symlink() and f.is_dir():
                yield f, "länkade mappar följs inte (en länk kan leda runt i en slinga); ange mappen direkt"
                continue
            key = source_key(f) if f.exists() else str(f)
            if key in seen:
                continue
            seen.add(key)
            if f.name.endswith(SIDECAR_SUFFIX):
                continue
            if f.suffix.lower() not in SUPPORTED_SUFFIXES:
                yield f, f"filtypen {f.suffix.lower() or '(ingen)'} stöds inte"
            else:
                yield f, ""


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]  # not walked: reported instead
        for name in sorted(filenames + links):
            if not name.startswith("."):
                yield Path(dirpath) / name


def check_file(path: Path, limits: Limits | None = None) -> os.stat_result:
    """Cheap checks before reading a file; raises LoadError with the reason."""
    limits = limits or Limits()
    try:
        st = path.stat()
    except OSError as e:  # broken link, permissions, loop
        raise LoadError(unreadable_reason(e)) from e
    if st.st_size == 0:
        raise LoadError("filen är tom")
    if st.st_size > limits.max_file_bytes:
        size = f"{st.st_size / 2**20:.1f}".replace(".", ",")
        raise LoadError(f"filen är {size} MB, större än gränsen på {mb(limits.max_file_mb)} MB (STYRDOK_MAX_FILE_MB)")
    return st


def _estimate_chunks(blocks: list, count_tokens: Callable[[str], int] | None, max_tokens: int, limits: Limits) -> None:
    """Refuse before chunking a text that will clearly give more chunks than allowed: chunking measures every piece
    with the tokenizer (a 9.5 MB line took 190 s to be refused after chunking). Tokens per character are measured on
    a sample; only a clear excess (a quarter over) is refused here, the exact count decides the rest."""
    chars = sum(len(b.text) for b in blocks)
    if chars < 200_000:
        return
    sample = " ".join(b.text for b in blocks)[:20_000]
    tokens = count_tokens(sample) if count_tokens else len(sample) / 4
    estimate = int(chars * tokens / max(len(sample), 1) / max_tokens)
    if estimate > 1.25 * limits.max_chunks:
        check_chunks(estimate, limits, about=True)


def _utf16(path: Path) -> bool:
    """UTF-16 text (with its byte-order mark) takes about twice its UTF-8 size on disk."""
    with path.open("rb") as f:
        return f.read(2) in (b"\xff\xfe", b"\xfe\xff")


def prepare(
    path: Path,
    *,
    file_sha: str,
    count_tokens: Callable[[str], int] | None,
    max_tokens: int,
    limits: Limits | None = None,
) -> PreparedDoc:
    """Load, clean and chunk one file. Raises LoadError (plain Swedish) when the file can't be used, also when it
    would unpack, read or chunk to more than `limits` allow (each checked before the next, costlier step)."""
    from ingest.chunking import chunk_document
    from ingest.loaders import load
    from ingest.metadata import infer_metadata

    limits = limits or Limits()
    st = check_file(path, limits)
    if path.suffix.lower() == ".docx":
        check_zip(path, limits)
        check_docx_text(path, limits)
    elif path.suffix.lower() in PLAIN_TEXT and not _utf16(path):
        check_text(st.st_size, limits)  # its text is about its size: refused before a long read (49 MB: ~25 s)
    elif path.suffix.lower() in (".html", ".htm"):
        check_html(path, limits)
    loaded = load(path)
    check_text(sum(len(b.text.encode("utf-8")) for b in loaded.blocks), limits)
    _estimate_chunks(loaded.blocks, count_tokens, max_tokens, limits)
    meta = infer_metadata(loaded, path)
    doc_id = doc_id_for(file_sha)
    source = source_key(path)
    meta = {**meta, "doc_id": doc_id, "source": source}
    chunks = chunk_document(loaded, doc_id=doc_id, meta=meta, count_tokens=count_tokens, max_tokens=max_tokens)
    check_chunks(len(chunks), limits)
    if not chunks:
        raise LoadError("ingen text hittades i filen")
    return PreparedDoc(path, source, file_sha, doc_id, meta, chunks, st.st_size, st.st_mtime, tuple(loaded.notes))
