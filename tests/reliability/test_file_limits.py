"""Bounded work per file: zip bombs refused from the zip's directory, text and chunk limits, and the peak memory of
each measured in a fresh process (a test in this process would measure the whole test session)."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ingest.limits import Limits, SettingsError
from ingest.model import LoadError
from ingest.pipeline import prepare

ROOT = Path(__file__).resolve().parents[2]
PEAK_LIMIT_MB = 1536  # issue 15: any single file under the default limits stays under 1.5 GB
SMALL_MB = 400  # a file refused before it is parsed: the interpreter and imports only (~80–230 MB measured)

# Reads one file as `styrdok ingest` does (default limits from the environment) and prints its outcome and peak RSS.
PROBE = r"""
import json, re, sys
from pathlib import Path
from ingest.limits import Limits
from ingest.model import LoadError
from ingest.pipeline import prepare
try:
    doc = prepare(Path(sys.argv[1]), file_sha="0" * 64, count_tokens=None, max_tokens=350, limits=Limits.from_env())
    out = {"chunks": len(doc.chunks), "reason": ""}
except LoadError as e:
    out = {"chunks": 0, "reason": str(e)}
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a large pytest process would report the
# parent's size. VmHWM belongs to the memory map that exec makes new.
hwm = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
out["peak_mb"] = int(hwm.group(1)) / 1024
print(json.dumps(out))
"""


def probe(path: Path, **env: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def docx_bomb(path: Path, unpacked_mb: int) -> Path:
    """A DOCX whose document.xml is `unpacked_mb` MB of one repeated paragraph (packs ~1,000 times)."""
    para = b"<w:p><w:r><w:t>Kommunen ska ha en hallbar ekonomi.</w:t></w:r></w:p>" * 16
    block = para * (2**20 // len(para) + 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><w:document><w:body>')
            for _ in range(unpacked_mb):
                f.write(block[: 2**20])
    return path


@pytest.mark.slow
def test_a_1_gib_docx_bomb_is_refused_with_its_own_message_in_little_memory(tmp_path: Path):
    bomb = docx_bomb(tmp_path / "bomb.docx", 1024)
    assert bomb.stat().st_size < 5 * 2**20
    out = probe(bomb)
    assert out["reason"].startswith("filen packar upp till mer än 40 MB (den packar upp till 1024")
    assert "skadad" not in out["reason"]
    assert out["peak_mb"] < SMALL_MB, out  # nothing was unpacked: the directory alone said no


def test_a_bomb_under_the_size_limit_is_refused_by_its_ratio(tmp_path: Path):
    bomb = docx_bomb(tmp_path / "liten-bomb.docx", 30)
    with pytest.raises(LoadError, match=r"packar upp till mer än 30 MB ur 0,\d+ MB, mer än 100 gånger.*zip-bomb"):
        prepare(bomb, file_sha="0" * 64, count_tokens=None, max_tokens=350)
    # With the ratio limit raised, its body text (streamed from the XML, not built) is the next limit it meets.
    with pytest.raises(LoadError, match=r"^filen innehåller mer text än gränsen på 10 MB"):
        prepare(bomb, file_sha="0" * 64, count_tokens=None, max_tokens=350, limits=Limits(max_zip_ratio=1e6))


@pytest.mark.slow
def test_a_49_mb_single_line_text_is_refused_by_the_text_limit_in_bounded_memory(tmp_path: Path):
    line = "Vinterväghållningen omfattar plogning och sandning av kommunens gator och cykelvägar. "
    path = tmp_path / "en-rad.txt"
    with path.open("w", encoding="utf-8") as f:
        for _ in range(49 * 2**20 // len(line.encode()) // 1000):
            f.write(line * 1000)
    out = probe(path)
    assert out["reason"].startswith("filen innehåller 4"), out
    assert "mer än gränsen på 10 MB (STYRDOK_MAX_TEXT_MB)" in out["reason"]
    assert out["peak_mb"] < SMALL_MB, out  # refused from its size, before reading
    # Just under the text limit, the file is read; its chunk count, estimated from a sample, stops it before chunking.
    path.write_text(line * (int(9.5 * 2**20) // len(line.encode())), encoding="utf-8")
    out = probe(path)
    assert re.match(
        r"filen blir omkring \d{4} avsnitt, fler än gränsen på 5000 \(STYRDOK_MAX_CHUNKS\)", out["reason"]
    ), out
    assert out["peak_mb"] < PEAK_LIMIT_MB, out


@pytest.mark.slow
def test_html_of_many_tiny_elements_is_refused_before_parsing(tmp_path: Path):
    path = tmp_path / "taggar.html"
    path.write_text("<html><body>" + "<p>Mål.</p>" * 2_000_000 + "</body></html>", encoding="utf-8")
    out = probe(path)
    assert out["reason"].startswith("HTML-filen har omkring 4000004 element, fler än gränsen på 300000"), out
    assert out["peak_mb"] < SMALL_MB, out


@pytest.mark.slow
def test_a_docx_with_too_much_text_is_refused_from_its_xml_quickly(tmp_path: Path):
    """A real Word document (python-docx's template) with 12 MB of body text, under the unpack limit."""
    import docx

    path = tmp_path / "mycket-text.docx"
    docx.Document().save(path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    head, _, tail = parts["word/document.xml"].decode().partition("<w:body>")
    rng = random.Random(1)
    words = "kommunen ska minska utsläppen bygga bostäder skolor parker cykelvägar år procent mål nämnden".split()
    paras, size = [], 0
    while size < 12 * 2**20:  # varied text: it packs like prose (~3 times), not like a bomb
        text = "Kommunen ska minska utsläppen. " + " ".join(
            rng.choice(words) + str(rng.randrange(999)) for _ in range(60)
        )
        paras.append(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
        size += len(text.encode())
    body = "".join(paras)
    parts["word/document.xml"] = (head + "<w:body>" + body + tail).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    out = probe(path)
    assert out["reason"] == (
        "filen innehåller mer text än gränsen på 10 MB (STYRDOK_MAX_TEXT_MB); dela upp den i mindre filer"
    ), out
    assert out["peak_mb"] < SMALL_MB, out
    # Under a 20 MB text limit it passes that check (the count is of body text, not markup) and meets the next one.
    with pytest.raises(LoadError, match=r"^filen blir omkring \d+ avsnitt"):
        prepare(path, file_sha="0" * 64, count_tokens=None, max_tokens=350, limits=Limits(max_text_mb=20))


def test_chunk_and_text_limits_are_settable_and_clear(tmp_path: Path):
    path = tmp_path / "lang.md"
    path.write_text("\n\n".join(f"## Avsnitt {i}\n\nKommunen ska göra sak nummer {i} under året." for i in range(50)))
    doc = prepare(path, file_sha="0" * 64, count_tokens=None, max_tokens=350)
    assert len(doc.chunks) > 10
    with pytest.raises(LoadError, match=r"^filen blir \d+ avsnitt, fler än gränsen på 10 \(STYRDOK_MAX_CHUNKS\)"):
        prepare(path, file_sha="0" * 64, count_tokens=None, max_tokens=350, limits=Limits(max_chunks=10))
    with pytest.raises(LoadError, match=r"mer än gränsen på 0,001 MB \(STYRDOK_MAX_TEXT_MB\)"):
        prepare(path, file_sha="0" * 64, count_tokens=None, max_tokens=350, limits=Limits(max_text_mb=0.001))


def test_limits_from_the_environment():
    assert Limits.from_env({}) == Limits()
    got = Limits.from_env({"STYRDOK_MAX_CHUNKS": "20", "STYRDOK_MAX_TEXT_MB": "2,5"})
    assert got.max_chunks == 20 and got.max_text_mb == 2.5 and got.max_unpacked_mb == Limits().max_unpacked_mb
    with pytest.raises(SettingsError, match="^Miljövariabeln STYRDOK_MAX_UNPACKED_MB är satt men tom"):
        Limits.from_env({"STYRDOK_MAX_UNPACKED_MB": " "})
    for name, bad in [("STYRDOK_MAX_CHUNKS", "1.5"), ("STYRDOK_MAX_ZIP_RATIO", "-3"), ("STYRDOK_MAX_FILE_MB", "nan"),
                      ("STYRDOK_MAX_TEXT_MB", "mycket")]:  # fmt: skip
        with pytest.raises(SettingsError, match=f"^Miljövariabeln {name} har värdet '{bad}', men ska vara"):
            Limits.from_env({name: bad})


def test_a_wrong_setting_is_one_swedish_message_from_the_cli(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ingest", str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "STYRDOK_HOME": str(tmp_path / "home"),
             "STYRDOK_MAX_CHUNKS": "många"},
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "Fel: Miljövariabeln STYRDOK_MAX_CHUNKS har värdet 'många', men ska vara ett heltal större än 0."
    )
