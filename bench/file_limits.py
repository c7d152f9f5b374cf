"""Peak memory and time of reading one hostile file under the default limits (ingest/limits.py), each in a fresh
process: a 1 GiB DOCX bomb, a 50 MB single-line text, a 50 MB single-line HTML page, a 9.5 MB single line (just
under the text limit), a DOCX of ~38 MB of Word XML (just under the unpack limit) and a 2,000-page PDF.

Measures `ingest.pipeline.prepare` (read, clean, chunk: what the limits bound) with the model's tokenizer for
chunk sizes, as an ingest process does after loading the model; embedding is bounded by the chunk limit. RSS is
sampled every 5 ms: `rss_before_mb` (model loaded), `peak_rss_mb` while reading the file, and their difference
`file_mb`, the file's own share. Writes bench/results/file_limits.json.

    python -m bench.file_limits [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from bench.common import RESULTS, ROOT, log

LINE = "Vinterväghållningen omfattar plogning och sandning av kommunens gator och cykelvägar. "

PROBE = """
import json, sys, threading, time
from pathlib import Path
import psutil
from index.config import Settings
from index.embedder import Embedder
from ingest.model import LoadError
from ingest.pipeline import prepare
settings = Settings.from_env()
embedder = Embedder(settings)
embedder.count_tokens("värm upp")
me = psutil.Process()
before = me.memory_info().rss
peak = [before]
done = threading.Event()
def sample():
    while not done.wait(0.005):
        peak[0] = max(peak[0], me.memory_info().rss)
threading.Thread(target=sample, daemon=True).start()
start = time.monotonic()
try:
    doc = prepare(Path(sys.argv[1]), file_sha="0" * 64, count_tokens=embedder.count_tokens, max_tokens=350,
                  limits=settings.limits)
    out = {"chunks": len(doc.chunks), "reason": ""}
except LoadError as e:
    out = {"chunks": 0, "reason": str(e)}
out["seconds"] = round(time.monotonic() - start, 2)
done.set()
peak[0] = max(peak[0], me.memory_info().rss)
out["rss_before_mb"] = round(before / 2**20, 1)
out["peak_rss_mb"] = round(peak[0] / 2**20, 1)
out["file_mb"] = round((peak[0] - before) / 2**20, 1)
print(json.dumps(out, ensure_ascii=False))
"""


def docx_bomb(path: Path, unpacked_mb: int) -> None:
    para = b"<w:p><w:r><w:t>Kommunen ska ha en hallbar ekonomi.</w:t></w:r></w:p>" * 16
    block = (para * (2**20 // len(para) + 1))[: 2**20]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(unpacked_mb):
                f.write(block)


def big_docx(path: Path, xml_mb: int) -> None:
    """A real Word document (python-docx's template) whose body is `xml_mb` MB of varied paragraphs."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(buf)
    xml = src.read("word/document.xml").decode()
    head, _, tail = xml.partition("<w:body>")
    paras, size, i = [], 0, 0
    while size < xml_mb * 2**20:
        p = f"<w:p><w:r><w:t>Mål {i}: kommunen ska minska utsläppen med {i % 97} procent till år {2000 + i % 50}.</w:t></w:r></w:p>"
        paras.append(p)
        size += len(p)
        i += 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = (head + "<w:body>" + "".join(paras) + tail.split("</w:body>", 1)[0] + "</w:body>"
                        + tail.split("</w:body>", 1)[1]).encode()  # fmt: skip
            out.writestr(item.filename, data)


def pdf_pages(path: Path, pages: int) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, pageCompression=1)
    for n in range(pages):
        y = 800
        for j in range(40):
            c.drawString(50, y, f"Sida {n + 1}, rad {j + 1}: kommunen ska minska utsläppen och bygga fler bostäder.")
            y -= 18
        c.showPage()
    c.save()


def build(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "docx_bomb_1gib": folder / "bomb.docx",
        "text_50mb_one_line": folder / "en-rad.txt",
        "html_50mb_one_line": folder / "en-rad.html",
        "text_9_5mb_one_line": folder / "nio.txt",
        "docx_38mb_xml": folder / "stor.docx",
        "pdf_2000_pages": folder / "sidor.pdf",
    }
    docx_bomb(files["docx_bomb_1gib"], 1024)
    n = 49 * 2**20 // len(LINE.encode())
    files["text_50mb_one_line"].write_text(LINE * n, encoding="utf-8")
    files["html_50mb_one_line"].write_text(f"<html><body><p>{LINE * n}</p></body></html>", encoding="utf-8")
    files["text_9_5mb_one_line"].write_text(LINE * (int(9.5 * 2**20) // len(LINE.encode())), encoding="utf-8")
    big_docx(files["docx_38mb_xml"], 38)
    pdf_pages(files["pdf_2000_pages"], 2000)
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--work", type=Path, default=RESULTS / "cache" / "file_limits")
    ap.add_argument("--only", nargs="*", help="measure only these cases (names as in the results)")
    args = ap.parse_args()
    files = build(args.work)
    results = {}
    for name, path in files.items():
        if args.only and name not in args.only:
            continue
        log(f"{name}: {path.stat().st_size / 2**20:.1f} MB on disk")
        proc = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            results[name] = {"error": proc.stderr[-2000:]}
            continue
        results[name] = {"size_mb": round(path.stat().st_size / 2**20, 2), **json.loads(proc.stdout.splitlines()[-1])}
        log(f"  {results[name]}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "file_limits.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    started = time.strftime("%Y-%m-%d %H:%M")
    log(f"done {started}: {args.out / 'file_limits.json'}")


if __name__ == "__main__":
    main()
