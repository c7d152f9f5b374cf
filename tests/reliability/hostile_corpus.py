"""A folder of the files a municipality's file share really holds, generated at test time (no binaries committed).

`build(root)` writes the folder and returns what should happen to each file: ingested (and findable by a word only
it contains), skipped as a duplicate, or failed with a reason in plain Swedish. Good PDFs use reportlab's built-in
Helvetica and ASCII text so that no font needs to be installed.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Size limit the hostile ingest runs under (STYRDOK_MAX_FILE_MB), and a file just over it.
LIMIT_MB = 3
BLANK_PAGES = 3000


@dataclass(frozen=True)
class Expect:
    name: str  # path relative to the corpus root
    status: str  # ingested | skipped | failed
    reason: str = ""  # a piece of the per-file reason (lower case) for skipped/failed files
    word: str = ""  # for ingested files: a word only this file contains, searched for afterwards
    absent: str = ""  # a word in the file that must never be indexed (script text)


GOOD_MD = """---
title: Plan för gatubelysning 2026
date: 2026-02-01
---

# Gatubelysning

Tekniska nämnden byter all gatubelysning till LED före 2028. Gatubelysningsbytet minskar elförbrukningen med
hälften och gör gång- och cykelvägar tryggare under den mörka årstiden.
"""

GOOD_TXT = """Protokollsutdrag, kultur- och fritidsnämnden

Nämnden beslutar att bibliotekets öppettider utökas. Meröppetbiblioteket i Stångby öppnar i mars och är
tillgängligt alla dagar mellan klockan 7 och 22 för den som har lånekort och PIN-kod.
"""

LATIN1_TXT = """Återvinningscentral i Östra Torn

Återvinningscentralen i Östra Torn får längre öppettider från maj. Där lämnar hushållen grovavfall, trädgårdsavfall
och farligt avfall. Sorteringsguiden på kommunens webbplats visar vad som hör hemma i vilken container.
"""

HTML = """<!doctype html><html><head><title>{title} | Exempels kommun</title>
<style>body {{ font-family: sans-serif }} .stilord {{ color: red }}</style>
<script>var hemligskriptord = "{junk}"; document.write("hemligskriptord");</script></head>
<body><nav>Meny Start Kontakt</nav><main><h1>{title}</h1>
<p>{text}</p><script>console.log("hemligskriptord")</script>
<noscript>Aktivera javascript</noscript></main><footer>Exempels kommun</footer></body></html>
"""
BATH = "Kommunen provtar vattnet vid alla strandbad varannan vecka. Badvattenproverna publiceras vid varje strand."
TREES = "Parkförvaltningen planterar tvåhundra nya träd i år. Trädplanteringsplanen visar var de hamnar."

LONG_LINE_WORD = "Snöröjningsentreprenaden"


def _pdf(pages: list[list[str]], password: str | None = None, owner: str = "ägare") -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    encrypt = pdfencrypt.StandardEncryption(password, ownerPassword=owner) if password is not None else None
    c = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt)
    for lines in pages:
        c.setFont("Helvetica", 11)
        y = A4[1] - 80
        for line in lines:
            c.drawString(50, y, line)
            y -= 14
        c.showPage()
    c.save()
    return buf.getvalue()


def _image_only_pdf() -> bytes:
    """A scan: one page with a picture of text and no text layer."""
    # A 1-bit grey pattern standing in for a scanned page; reportlab takes raw RGB through PIL.
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("RGB", (200, 280), "white")
    for x in range(20, 180, 3):
        for y in range(20, 260, 9):
            img.putpixel((x, y), (0, 0, 0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawImage(ImageReader(img), 50, 200, width=400, height=560)
    c.showPage()
    c.save()
    return buf.getvalue()


def _blank_pdf(pages: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    for _ in range(pages):
        c.showPage()
    c.save()
    return buf.getvalue()


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    d.add_heading(paragraphs[0], level=1)
    for p in paragraphs[1:]:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


GOOD_PDF_LINES = [
    "Vinterparkering 2026",
    "",
    "Under vintern galler datumparkering pa natter i hela centrum. Vinterparkeringsreglerna",
    "galler fran den 1 november till den 31 mars och gor snorojningen snabbare.",
]
GOOD_DOCX = [
    "Skolskjuts",
    "Elever i grundskolan som har langre an fyra kilometer till skolan far skolskjuts.",
    "Skolskjutsansokan gors i e-tjansten fore den 15 maj inför varje lasar.",
]


def build(root: Path) -> list[Expect]:
    """Write the hostile folder under `root` (created) and return the expected outcome per file."""
    root.mkdir(parents=True, exist_ok=True)
    out: list[Expect] = []

    def put(name: str, data: bytes | str, status: str, reason: str = "", **words: str) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        out.append(Expect(name, status, reason, **words))

    good_pdf = _pdf([GOOD_PDF_LINES])
    good_docx = _docx(GOOD_DOCX)

    # --- good files: every one must be indexed and found by a word only it contains
    put("bra/gatubelysning.md", GOOD_MD, "ingested", word="Gatubelysningsbytet")
    put("bra/bibliotek.txt", GOOD_TXT, "ingested", word="Meröppetbiblioteket")
    put("bra/vinterparkering.pdf", good_pdf, "ingested", word="Vinterparkeringsreglerna")
    put("bra/skolskjuts.docx", good_docx, "ingested", word="Skolskjutsansokan")
    bath = HTML.format(title="Badplatser", text=BATH, junk="x")
    put("bra/badplatser.html", bath, "ingested", word="Badvattenproverna", absent="hemligskriptord")
    put("bra/atervinning-cp1252.txt", LATIN1_TXT.encode("cp1252"), "ingested", word="Återvinningscentralen")
    # A page minified onto one 2 MB line, almost all of it inline script: only the paragraph is text.
    minified = HTML.format(title="Träd", text=TREES, junk="a" * 2_000_000).replace("\n", " ")
    put("bra/minifierad.html", minified, "ingested", word="Trädplanteringsplanen", absent="hemligskriptord")
    # Prose without a single line break (an export that lost them). The 2 MB case is timed without embedding in
    # test_hostile_files.py: embedding 2,000 chunks would take minutes on two cores.
    sentence = f"{LONG_LINE_WORD} omfattar plogning och sandning av kommunens gator och cykelvägar. "
    put("bra/en-rad.txt", sentence * 400, "ingested", word=LONG_LINE_WORD)
    # Encrypted, but anyone may open it (empty user password, owner password set): read like any other PDF.
    open_pdf = _pdf([["Fardtjanst 2026", "", "Fardtjanstresorna kostar lika mycket som en bussresa."]], password="")
    put("bra/fardtjanst-krypterad-oppen.pdf", open_pdf, "ingested", word="Fardtjanstresorna")

    # --- duplicates under other names: indexed once
    put("kopior/kopia av gatubelysning.md", GOOD_MD, "skipped", "samma innehåll")
    put("kopior/vinterparkering (2).pdf", good_pdf, "skipped", "samma innehåll")

    # --- broken PDFs
    put("pdf/trasig.pdf", b"%PDF-1.7\n" + os.urandom(3000) + b"\n%%EOF\n", "failed", "skadad")
    put("pdf/avbruten.pdf", good_pdf[: len(good_pdf) // 2], "failed", "skadad")
    put("pdf/bara-rubrik.pdf", b"%PDF-1.4\n%%EOF\n", "failed", "skadad")
    put("pdf/losenord.pdf", _pdf([["Hemlig plan"]], password="hemligt"), "failed", "lösenordsskyddad")
    put("pdf/skannad.pdf", _image_only_pdf(), "failed", "skannad")
    put("pdf/tomma-sidor.pdf", _blank_pdf(BLANK_PAGES), "failed", "ingen text")

    # --- empty and oversized
    put("tomt/noll-byte.md", b"", "failed", "tom")
    put("tomt/bara-mellanslag.txt", " \n\t\n  \r\n", "failed", "tom")
    put("tomt/tom.docx", b"", "failed", "tom")
    put("tomt/tom-sida.html", "<html><body><script>x()</script></body></html>", "failed", "ingen text")
    big = ("Stor fil. " * 120 + "\n") * (LIMIT_MB * 1024 * 1024 // 1200 + 200)
    put("stor/for-stor.txt", big, "failed", "större än gränsen")

    # --- wrong extensions and junk. A renamed file differs from every good file, or it would be skipped as a
    # duplicate before it is read.
    put("fel/egentligen-pdf.docx", _pdf([["Ett PDF-dokument med fel filandelse"]]), "failed", "pdf-fil")
    put("fel/egentligen-docx.pdf", _docx(["Fel filändelse", "Word som heter .pdf."]), "failed", "word-dokument")
    put("fel/binar.txt", os.urandom(20_000), "failed", "inte vara text")
    put("fel/bild.md", b"\x89PNG\r\n\x1a\n" + os.urandom(5000), "failed", "bild (png)")
    put("fel/program.exe", b"MZ" + os.urandom(100), "skipped", "stöds inte")
    broken_zip = bytearray(good_docx)
    broken_zip[len(broken_zip) // 3 : len(broken_zip) // 3 + 400] = os.urandom(400)
    put("fel/trasig.docx", bytes(broken_zip), "failed", "skadad")
    put("fel/inte-zip.docx", b"PK\x03\x04" + os.urandom(500), "failed", "skadad")
    put("fel/zip-utan-word.docx", _zip({"hej.txt": b"inget word-dokument"}), "failed", "skadad")
    put("fel/arkiv.pdf", _zip({"protokoll.txt": b"ett arkiv"}), "failed", "zip-arkiv")
    put("fel/kalkyl.docx", _zip({"xl/workbook.xml": b"<workbook/>"}), "failed", "excel")

    # --- links: a folder link to its own parent (walking it would never end), a link into nothing, two file
    # links pointing at each other
    (root / "slinga").mkdir()
    os.symlink("..", root / "slinga" / "uppåt")
    os.symlink(root / "finns-inte.txt", root / "slinga" / "trasig-länk.txt")
    os.symlink("ping.txt", root / "slinga" / "pong.txt")
    os.symlink("pong.txt", root / "slinga" / "ping.txt")
    out += [
        Expect("slinga/uppåt", "skipped", "länkade mappar"),
        Expect("slinga/trasig-länk.txt", "failed", "finns inte"),
        Expect("slinga/ping.txt", "failed", "slinga"),
        Expect("slinga/pong.txt", "failed", "slinga"),
    ]
    # A name in Latin-1 bytes from an old Windows share, not valid UTF-8: it can't be stored or shown as is.
    (root / "namn").mkdir()
    with open(os.fsencode(root / "namn") + b"/gammal-\xe5tg\xe4rd.txt", "wb") as f:
        f.write("Åtgärdsplan för äldreomsorgen.".encode())
    out.append(Expect("namn/gammal-\ufffdtg\ufffdrd.txt", "failed", "filnamnet"))
    return out


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def build_good(root: Path) -> list[Expect]:
    """A folder of good files only (the exit status must then be 0)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "gatubelysning.md").write_text(GOOD_MD, encoding="utf-8")
    (root / "atervinning.txt").write_bytes(LATIN1_TXT.encode("cp1252"))
    return [
        Expect("gatubelysning.md", "ingested", word="Gatubelysningsbytet"),
        Expect("atervinning.txt", "ingested", word="Återvinningscentralen"),
    ]
