"""Which documents a question set is asked over: `<set>.corpus.toml` next to the set, or the set's one folder.

A declared corpus lists files and folders under a root (the shared material folder, $STYRDOK_SHARED or ../shared
beside the repository). Questions name their gold document by its path relative to that root.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_ENV = "STYRDOK_SHARED"


def shared_root() -> Path:
    return Path(os.environ.get(SHARED_ENV) or ROOT.parent / "shared").resolve()


@dataclass(frozen=True)
class Corpus:
    root: Path  # gold_doc paths are relative to this folder
    paths: tuple[Path, ...]  # files and folders to ingest

    def files(self) -> list[Path]:
        """Every supported file of the corpus, sorted by its path relative to root."""
        from ingest.loaders import SUPPORTED_SUFFIXES

        out: set[Path] = set()
        for p in self.paths:
            found = [p] if p.is_file() else [f for f in p.rglob("*") if f.is_file()]
            out.update(f for f in found if f.suffix.lower() in SUPPORTED_SUFFIXES)
        return sorted(out, key=self.rel)

    def rel(self, path: Path | str) -> str:
        """A file's name as questions give it: its path relative to root, or its name when outside root."""
        p = Path(path).resolve()
        return p.relative_to(self.root).as_posix() if p.is_relative_to(self.root) else p.name

    def missing(self) -> list[Path]:
        return [p for p in self.paths if not p.exists()]

    def fingerprint(self) -> str:
        """sha256 over every file's relative path and content: same material, same key."""
        h = hashlib.sha256()
        for f in self.files():
            h.update(self.rel(f).encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
        return h.hexdigest()


def declared(set_path: Path) -> Corpus | None:
    """The corpus declared next to a set (`verkliga.jsonl` → `verkliga.corpus.toml`), or None."""
    decl = set_path.with_name(set_path.stem + ".corpus.toml")
    if not decl.exists():
        return None
    data = tomllib.loads(decl.read_text(encoding="utf-8"))
    root = shared_root() if data.get("root", "shared") == "shared" else (decl.parent / data["root"]).resolve()
    return Corpus(root, tuple((root / p).resolve() for p in data["paths"]))


def folder(path: Path) -> Corpus:
    """A plain folder as a corpus (data/exempel, the SweQUAD contexts)."""
    p = path.resolve()
    return Corpus(p, (p,))
