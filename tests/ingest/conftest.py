"""Fixtures for the ingest tests: real PDF/DOCX files written into tmp_path."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", str(Path.home() / ".fonts"))


def _find_dejavu() -> Path | None:
    for folder in _FONT_DIRS:
        hits = sorted(Path(folder).rglob("DejaVuSans.ttf")) if Path(folder).is_dir() else []
        if hits:
            return hits[0]
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":family=DejaVu Sans", "file"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            path = Path(line.split(":")[0].strip())
            if path.suffix.lower() == ".ttf" and path.is_file():
                return path
    return None


@pytest.fixture(scope="session")
def pdf_font() -> str:
    """Register a DejaVu TrueType font with reportlab (the built-in fonts cannot embed å/ä/ö reliably)."""
    path = _find_dejavu()
    if path is None:
        pytest.skip("ingen DejaVu TTF-font hittades (installera fonts-dejavu-core) — PDF-testerna kräver en")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVu", str(path)))
    return "DejaVu"


# A page: {"left"/"right": column lines, "table": [(cells…)], "words": lines drawn word by word,
#          "shapes": [(x, y, w, h)], "header"/"footer"/"page_number": format strings with {page} and {pages}}
Page = dict


@pytest.fixture
def make_pdf(tmp_path: Path, pdf_font: str) -> Callable[..., Path]:
    """Build a PDF page by page with the canvas API, so line breaks, columns and table cells are exact."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    width, height = A4

    def build(pages: list[Page], name: str = "doc.pdf", encrypt: object = None, title: str = "") -> Path:
        path = tmp_path / name
        c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
        if title:
            c.setTitle(title)
        for number, page in enumerate(pages, start=1):
            c.setFont(pdf_font, 9)
            if page.get("header"):
                c.drawString(50, height - 30, page["header"].format(page=number, pages=len(pages)))
            if page.get("footer"):
                c.drawString(50, 30, page["footer"].format(page=number, pages=len(pages)))
            if page.get("page_number"):
                c.drawRightString(width - 50, 30, page["page_number"].format(page=number, pages=len(pages)))
            c.setFont(pdf_font, 11)
            for x, column in ((50, page.get("left", [])), (310, page.get("right", []))):
                y = height - 80
                for line in column:
                    if line:
                        c.drawString(x, y, line)
                    y -= 14
            y = height - 80 - 14 * (max(len(page.get("left", [])), len(page.get("right", []))) + 2)
            for row in page.get("table", []):
                for x, cell in zip((50, 250, 400), row, strict=False):
                    c.drawString(x, y, cell)
                y -= 14
            y = height - 80
            for line in page.get("words", []):  # drawn word by word, as some PDF producers do
                x = 50.0
                for word in line.split():
                    c.drawString(x, y, word)
                    x += stringWidth(word + " ", pdf_font, 11)
                y -= 14
            for shape in page.get("shapes", []):
                c.rect(*shape, fill=1)
            c.showPage()
        c.save()
        return path

    return build
