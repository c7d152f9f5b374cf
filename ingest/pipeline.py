"""Files and folders → prepared documents (chunks + metadata), one file at a time, with a reason for every failure.

Nothing here writes anywhere: the index layer decides what to store. A bad file raises LoadError for that file
only; the caller reports it and goes on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.model import Chunk, LoadError

MAX_FILE_BYTES = int(float(os.environ.get("STYRDOK_MAX_FILE_MB", "50")) * 1024 * 1024)
SIDECAR_SUFFIX = ".meta.json"


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


def source_key(path: Path) -> str:
    return str(path.resolve())


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def doc_id_for(file_sha: str) -> str:
    """Stable id from content: the same bytes always give the same document id (duplicates collapse)."""
    return file_sha[:16]


def discover(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Every file under `paths` as (path, reason); reason is "" for a file to ingest, else why it is skipped.

    Symlinked folders are not followed (a link loop can't hang the walk); hidden files and folders are left out.
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
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def check_file(path: Path) -> os.stat_result:
    """Cheap checks before reading a file; raises LoadError with the reason."""
    try:
        st = path.stat()
    except OSError as e:  # broken link, permissions, loop
        raise LoadError(f"filen kan inte läsas ({e.strerror or e})") from e
    if st.st_size == 0:
        raise LoadError("filen är tom")
    if st.st_size > MAX_FILE_BYTES:
        raise LoadError(f"filen är större än gränsen på {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return st


def prepare(
    path: Path,
    *,
    file_sha: str,
    count_tokens: Callable[[str], int] | None,
    max_tokens: int,
) -> PreparedDoc:
    """Load, clean and chunk one file. Raises LoadError (plain Swedish) when the file can't be used."""
    from ingest.chunking import chunk_document
    from ingest.loaders import load
    from ingest.metadata import infer_metadata

    st = check_file(path)
    loaded = load(path)
    meta = infer_metadata(loaded, path)
    doc_id = doc_id_for(file_sha)
    source = source_key(path)
    meta = {**meta, "doc_id": doc_id, "source": source}
    chunks = chunk_document(loaded, doc_id=doc_id, meta=meta, count_tokens=count_tokens, max_tokens=max_tokens)
    if not chunks:
        raise LoadError("ingen text hittades i filen")
    return PreparedDoc(path, source, file_sha, doc_id, meta, chunks, st.st_size, st.st_mtime)
