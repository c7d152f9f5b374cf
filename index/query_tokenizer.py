"""Exact token ids for a few short texts (a search query) without loading the 250k-piece tokenizer.

Why: loading the Unigram tokenizer (even the Latin-only one, index/onnx_backend.py) took 0.4-0.5 s of a cold
`styrdok search` and holds the GIL throughout, so nothing else can use that time (issue 16). A Unigram segmentation
can only use pieces that occur in the text: the Viterbi search scores the pieces the text's substrings match, in an
order set by their position and length, and an unknown character costs the vocabulary's lowest score minus a fixed
penalty. So a tokenizer built from `tokenizers` with the same normalizer, pre-tokenizer and post-processor and just
those pieces (their own scores; the lowest-scoring piece kept so the penalty is the same), its ids mapped back to the
full vocabulary's, gives the same ids. The pieces are looked up in a small SQLite file beside the tokenizer
(PIECES, written once), a few hundred indexed look-ups per query.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path

PIECES = "tokenizer-pieces.sqlite3"
MAX_CHARS = 1000  # longer texts (or many of them) are what the full tokenizer is for


class QueryTokenizer:
    """Token ids of short texts from the pieces they contain; `encode` gives None where the full tokenizer must."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        self.template = json.loads(meta["template"])
        self.max_len = int(meta["max_len"])
        self.fixed = json.loads(meta["fixed"])  # [piece, id, score] always kept: specials, the lowest-scoring piece
        self.added = [t["content"] for t in self.template["added_tokens"]]
        self.pad_id = int(meta["pad_id"])
        from tokenizers import Tokenizer

        # The normalizer, built alone: the text is normalised the way the full tokenizer does before segmenting.
        skeleton = self._json([[p, s] for p, _, s in self.fixed], {i: n for n, (_, i, _) in enumerate(self.fixed)})
        self.normalizer = Tokenizer.from_str(skeleton).normalizer

    def encode(self, texts: list[str]) -> list[list[int]] | None:
        if sum(len(t) for t in texts) > MAX_CHARS or any(a in t for a in self.added for t in texts):
            return None  # long texts; or an added token in the text, which the tokenizer splits off first
        subs: set[str] = set()
        for t in texts:
            # Every substring up to the longest piece of the normalised text with its word markers: a superset of
            # the pieces the segmentation can match (Metaspace: spaces become ▁, one is put in front).
            s = "\u2581" + self.normalizer.normalize_str(t).replace(" ", "\u2581")
            subs.update(s[i:j] for i in range(len(s)) for j in range(i + 1, min(len(s), i + self.max_len) + 1))
        found: dict[int, tuple[str, float]] = {i: (p, s) for p, i, s in self.fixed}
        subs_list = list(subs)
        for k in range(0, len(subs_list), 500):
            part = subs_list[k : k + 500]
            q = f"SELECT piece, id, score FROM pieces WHERE piece IN ({','.join('?' * len(part))})"
            found.update((i, (p, s)) for p, i, s in self.db.execute(q, part))
        ids = sorted(found)  # the full vocabulary's ids in order: the special tokens keep 0..3
        from tokenizers import Tokenizer

        tok = Tokenizer.from_str(self._json([list(found[i]) for i in ids], {i: n for n, i in enumerate(ids)}))
        return [[ids[n] for n in e.ids] for e in tok.encode_batch(texts)]

    def _json(self, vocab: list[list], new_id: dict[int, int]) -> str:
        """The tokenizer.json of a small vocabulary; `new_id`: full vocabulary id → id in it (the added tokens,
        the unknown token and the post-processor's special tokens name ids)."""
        data = dict(self.template)
        data["model"] = {**data["model"], "vocab": vocab, "unk_id": new_id[data["model"]["unk_id"]]}
        data["added_tokens"] = [{**t, "id": new_id[t["id"]]} for t in data["added_tokens"]]
        post = json.loads(json.dumps(data["post_processor"]))
        for spec in post.get("special_tokens", {}).values():
            spec["ids"] = [new_id[i] for i in spec["ids"]]
        data["post_processor"] = post
        return json.dumps(data, ensure_ascii=False)


def write_pieces(tokenizer_json: Path, dest: Path) -> bool:
    """Write PIECES for a Unigram tokenizer.json to `dest` (built aside, moved into place); False for a tokenizer of
    another kind, for which there is nothing to write."""
    data = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    model = data.get("model") or {}
    post = data.get("post_processor") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback") or post.get("type") != "TemplateProcessing":
        return False
    vocab = model["vocab"]
    special = {t["id"] for t in data.get("added_tokens", [])} | {model["unk_id"]}
    for spec in post.get("special_tokens", {}).values():
        special.update(spec["ids"])
    lowest = min(range(len(vocab)), key=lambda i: vocab[i][1])
    fixed = [[vocab[i][0], i, vocab[i][1]] for i in sorted(special | {lowest})]
    pad = next((t["id"] for t in data.get("added_tokens", []) if t["content"] == "<pad>"), 1)
    template = {**data, "model": {**model, "vocab": []}, "truncation": None, "padding": None}
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        with db:
            db.execute("CREATE TABLE pieces (piece TEXT PRIMARY KEY, id INTEGER NOT NULL, score REAL NOT NULL)")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            # A piece listed twice keeps its last id, as the tokenizer's own piece → id map does.
            db.executemany(
                "INSERT OR REPLACE INTO pieces VALUES (?,?,?)", ((p, i, s) for i, (p, s) in enumerate(vocab))
            )
            db.executemany(
                "INSERT INTO meta VALUES (?,?)",
                [("template", json.dumps(template, ensure_ascii=False)), ("fixed", json.dumps(fixed)),
                 ("max_len", str(max(len(p) for p, _ in vocab))), ("pad_id", str(pad))],
            )  # fmt: skip
        db.close()
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would lock other users of a shared model cache out
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return True
