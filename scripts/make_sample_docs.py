"""Write the two binary sample documents in data/exempel/ from fixed content.

    .venv/bin/python scripts/make_sample_docs.py

Outputs
  data/exempel/tekniska-namnden-namndsplan-2026.pdf   (reportlab, 3 pages, running header/footer, budget table)
  data/exempel/arsbokslut-2025-maluppfoljning.docx     (python-docx, heading styles, one table)

Both documents are fictional examples. The content below is fixed, and creation dates/IDs are pinned, so re-running
the script gives the same text (and, as far as the libraries allow, the same bytes).

Font: DejaVu Sans from the system (package fonts-dejavu-core, already present on the build machine; on a bare
Debian/Ubuntu install it with `apt-get install -y fonts-dejavu-core`). The built-in PDF fonts cannot be relied on
for å/ä/ö in extracted text, hence the TTF.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "exempel"
PDF_PATH = OUT_DIR / "tekniska-namnden-namndsplan-2026.pdf"
DOCX_PATH = OUT_DIR / "arsbokslut-2025-maluppfoljning.docx"

FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
]

FIXED_TIME = dt.datetime(2025, 11, 20, 9, 0, 0)

# ---------------------------------------------------------------------------------------------------------------
# Nämndsplan (PDF)
# ---------------------------------------------------------------------------------------------------------------

NP_TITLE = "Tekniska nämnden – nämndsplan 2026 (fiktivt exempel)"
NP_HEADER = "NÄMNDSPLAN 2026 TEKNISKA NÄMNDEN"

# Each page is a list of (style, text) items; "table" is a special item. Explicit page breaks keep it at 3 pages.
NP_PAGES: list[list[tuple[str, object]]] = [
    [
        ("title", NP_TITLE),
        ("meta", "Dnr TN 2025/0512"),
        ("meta", "Antagen av tekniska nämnden 2025-11-20, § 142"),
        ("note", "Detta är ett fiktivt exempeldokument. Belopp, indikatorer och namn är påhittade."),
        ("h1", "1. Nämndens uppdrag"),
        (
            "p",
            "Tekniska nämnden ansvarar för kommunens gator, torg och parker, för trafikplanering, gatubelysning "
            "och vinterväghållning. Nämnden är också väghållare för de kommunala cykelvägarna och förvaltar "
            "kommunens lekplatser.",
        ),
        ("h1", "2. Utgångspunkter"),
        (
            "p",
            "Kommunfullmäktiges nio mål gäller för all kommunal verksamhet. Enligt kommunstyrelsens anvisningar "
            "bestämmer varje nämnd själv vilka aktiviteter och indikatorer den använder för att arbeta mot och "
            "följa upp målen.",
        ),
        (
            "p",
            "Tekniska nämnden bidrar främst till Mål 2, Mål 3, Mål 5, Mål 6 och Mål 9. Övriga mål berörs "
            "indirekt, bland annat Mål 7 genom nämndens arbete med kompetensförsörjning inom förvaltningen.",
        ),
        (
            "p",
            "För varje mål redovisas nedan de aktiviteter nämnden genomför under 2026 och de indikatorer som "
            "används i uppföljningen. Målvärdena avser helåret 2026.",
        ),
    ],
    [
        ("h1", "3. Mål, aktiviteter och indikatorer"),
        ("h2", "3.1 Mål 2 – I Lunds kommun skapas kvalitet som gör skillnad"),
        (
            "p",
            "Aktivitet: Nämnden inför en digital felanmälan där den som anmäler ett fel får återkoppling via sms "
            "när felet är åtgärdat.",
        ),
        (
            "p",
            "Indikator: Andel felanmälningar som åtgärdas inom fem arbetsdagar. Målvärde 90 procent (utfall 2025: "
            "88 procent).",
        ),
        ("h2", "3.2 Mål 3 – bästa kommunen att bo och leva i, särskilt för barn och unga"),
        (
            "p",
            "Aktivitet: Sex lekplatser rustas upp och belysningen längs prioriterade skolvägar förbättras.",
        ),
        ("p", "Indikator: Antal upprustade lekplatser under året. Målvärde 6 stycken."),
        ("h2", "3.3 Mål 5 – Lunds kommun ska vara ledande inom miljö och klimat"),
        (
            "p",
            "Aktivitet: Nämnden byter 2 400 armaturer i gatubelysningen till LED och bygger 3,2 km ny cykelväg.",
        ),
        (
            "p",
            "Indikator: Energianvändning för gatubelysning. Målvärde högst 3 100 MWh (utfall 2024: 3 650 MWh). "
            "Indikator: Andel fossilfria fordon i nämndens fordonspark. Målvärde 85 procent.",
        ),
        ("h2", "3.4 Mål 6 – ett attraktivt och funktionellt besöksmål"),
        (
            "p",
            "Aktivitet: Ny skyltning för gående i stadskärnan och utökad sommarplantering på torgen.",
        ),
        ("p", "Indikator: Antal nya vägvisningsskyltar. Målvärde 120 stycken."),
        ("h2", "3.5 Mål 9 – Lunds kommun ska ha en långsiktigt hållbar ekonomi"),
        (
            "p",
            "Aktivitet: Samordnad upphandling av drift och underhåll av gator och parker.",
        ),
        (
            "p",
            "Indikator: Nämndens nettokostnad i förhållande till budgetram. Målvärde ingen negativ avvikelse.",
        ),
    ],
    [
        ("h1", "4. Budget 2026"),
        (
            "p",
            "Tabellen visar nämndens driftbudget per verksamhet, nettokostnad i tkr. Budget 2025 avser den "
            "budget som fullmäktige beslutade för 2025.",
        ),
        ("table", None),
        (
            "p",
            "Nämndens investeringsbudget för 2026 uppgår till 58 000 tkr, varav 21 000 tkr avser cykelvägar.",
        ),
        ("h1", "5. Uppföljning"),
        (
            "p",
            "Nämnden följer upp nämndsplanen i en tertialrapport per 2026-04-30, i delårsrapporten per "
            "2026-08-31 och i årsbokslutet per 2026-12-31. Indikatorerna redovisas med utfall och kommentar.",
        ),
        (
            "p",
            "Nämndsplanen gäller från 2026-01-01 och ersätter nämndsplan 2025.",
        ),
    ],
]

NP_BUDGET = [
    ("Verksamhet", "Budget 2025", "Budget 2026"),
    ("Gator och parker", "84 500 tkr", "86 200 tkr"),
    ("Trafik och mobilitet", "41 300 tkr", "42 900 tkr"),
    ("Vinterväghållning", "17 800 tkr", "18 400 tkr"),
    ("Gatubelysning", "12 600 tkr", "11 900 tkr"),
    ("Nämnd och förvaltningsledning", "9 400 tkr", "9 700 tkr"),
    ("Summa nettokostnad", "165 600 tkr", "169 100 tkr"),
]


def _tkr(s: str) -> int:
    return int(s.replace(" tkr", "").replace(" ", ""))


def _check_budget() -> None:
    rows = NP_BUDGET[1:-1]
    for col in (1, 2):
        assert sum(_tkr(r[col]) for r in rows) == _tkr(NP_BUDGET[-1][col]), "budgettabellens summa stämmer inte"


def _find_font(name: str) -> Path:
    for d in FONT_CANDIDATES:
        p = d / name
        if p.exists():
            return p
    raise SystemExit(f"Hittar inte {name}; installera fonts-dejavu-core (apt-get install -y fonts-dejavu-core).")


def make_pdf(path: Path = PDF_PATH) -> None:
    from reportlab import rl_config

    rl_config.invariant = 1  # fixed creation date and document ID
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _check_budget()
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(_find_font("DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(_find_font("DejaVuSans-Bold.ttf"))))

    base = ParagraphStyle("base", fontName="DejaVuSans", fontSize=10.5, leading=14.5, spaceAfter=6)
    styles = {
        "title": ParagraphStyle(
            "title", parent=base, fontName="DejaVuSans-Bold", fontSize=17, leading=22, spaceAfter=10
        ),
        "meta": ParagraphStyle("meta", parent=base, spaceAfter=2),
        "note": ParagraphStyle("note", parent=base, fontSize=9.5, textColor=colors.HexColor("#555555"), spaceBefore=6),
        "h1": ParagraphStyle("h1", parent=base, fontName="DejaVuSans-Bold", fontSize=13, leading=17, spaceBefore=10),
        "h2": ParagraphStyle("h2", parent=base, fontName="DejaVuSans-Bold", fontSize=11, leading=15, spaceBefore=6),
        "p": base,
    }

    def header_footer(canvas, doc) -> None:  # noqa: ANN001
        canvas.saveState()
        w, h = A4
        canvas.setFont("DejaVuSans", 8.5)
        canvas.drawString(20 * mm, h - 14 * mm, NP_HEADER)
        canvas.drawRightString(w - 20 * mm, h - 14 * mm, "Dnr TN 2025/0512")
        canvas.setLineWidth(0.5)
        canvas.line(20 * mm, h - 16 * mm, w - 20 * mm, h - 16 * mm)
        canvas.drawCentredString(w / 2, 12 * mm, f"SID {doc.page} ({len(NP_PAGES)})")
        canvas.restoreState()

    story = []
    for i, page in enumerate(NP_PAGES):
        if i:
            story.append(PageBreak())
        for style, text in page:
            if style == "table":
                t = Table(NP_BUDGET, colWidths=[75 * mm, 40 * mm, 40 * mm])
                t.setStyle(
                    TableStyle(
                        [
                            ("FONT", (0, 0), (-1, -1), "DejaVuSans", 10),
                            ("FONT", (0, 0), (-1, 0), "DejaVuSans-Bold", 10),
                            ("FONT", (0, -1), (-1, -1), "DejaVuSans-Bold", 10),
                            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                            ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                        ]
                    )
                )
                story += [Spacer(1, 4), t, Spacer(1, 8)]
            else:
                story.append(Paragraph(str(text), styles[style]))

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=24 * mm,
        bottomMargin=22 * mm,
        title=NP_TITLE,
        author="Tekniska nämnden (fiktivt exempel)",
        subject="nämndsplan",
        creator="scripts/make_sample_docs.py",
    )
    doc.build(story, onFirstPage=header_footer, onLaterPages=header_footer)

    from pypdf import PdfReader

    n = len(PdfReader(str(path)).pages)
    assert n == len(NP_PAGES), f"nämndsplanen blev {n} sidor, väntade {len(NP_PAGES)}"


# ---------------------------------------------------------------------------------------------------------------
# Årsbokslut (DOCX)
# ---------------------------------------------------------------------------------------------------------------

AB_TITLE = "Årsbokslut 2025 med måluppföljning (fiktivt exempel)"

# (style, text). style: title | h1 | h2 | p | table
AB_CONTENT: list[tuple[str, str]] = [
    ("title", AB_TITLE),
    ("p", "Kommunstyrelsen · Dnr KS 2026/0098 · Bokslutsdag 2025-12-31 · Behandlat av kommunstyrelsen 2026-03-25"),
    ("p", "Detta är ett fiktivt exempeldokument. Belopp, indikatorer och bedömningar är påhittade."),
    ("h1", "1. Sammanfattning"),
    (
        "p",
        "Kommunen redovisar för 2025 ett resultat på 112,4 mnkr, att jämföra med ett budgeterat resultat på "
        "85,0 mnkr. Resultatet motsvarar 1,4 procent av skatteintäkter och generella statsbidrag.",
    ),
    (
        "p",
        "Nettokostnaderna ökade med 4,1 procent medan skatteintäkter och statsbidrag ökade med 4,6 procent. "
        "Investeringarna uppgick till 1 046 mnkr och självfinansieringsgraden blev 62 procent.",
    ),
    (
        "p",
        "Av kommunfullmäktiges nio mål bedöms tre som uppfyllda, fem som delvis uppfyllda och ett som ej uppfyllt.",
    ),
    ("h1", "2. Måluppföljning"),
    (
        "p",
        "Nämnderna har själva valt aktiviteter och indikatorer för sitt arbete mot målen. Kommunstyrelsens "
        "samlade bedömning bygger på nämndernas redovisningar och sammanfattas i tabellen nedan.",
    ),
    ("table", ""),
    ("h2", "Mål 1. Alla Lundabor ska ha mesta möjliga inflytande över sina liv"),
    (
        "p",
        "Bedömning: delvis uppfyllt. Andelen gymnasieelever som tog examen inom fyra år var 83,5 procent, "
        "en liten ökning från föregående år. Andelen hushåll med långvarigt försörjningsstöd minskade inte.",
    ),
    ("h2", "Mål 2. I Lunds kommun skapas kvalitet som gör skillnad"),
    (
        "p",
        "Bedömning: delvis uppfyllt. Tekniska nämnden åtgärdade 88 procent av felanmälningarna inom fem "
        "arbetsdagar. Två verksamheter inom hemtjänsten drevs under året av privata utförare efter upphandling.",
    ),
    ("h2", "Mål 3. Lunds kommun ska vara den bästa kommunen att bo och leva i, särskilt för barn och unga"),
    (
        "p",
        "Bedömning: uppfyllt. Kommunstyrelsen gav i september kultur- och fritidsnämnden i uppdrag att införa "
        "fritidskort för unga, och fem lekplatser rustades upp under året.",
    ),
    ("h2", "Mål 4. I Lund ska vi vara ledande inom innovation och skapande"),
    (
        "p",
        "Bedömning: uppfyllt. Mediantiden för handläggning av bygglov sjönk till 6 veckor, och kommunen "
        "medverkade i tre samarbetsprojekt med universitetet om att nyttiggöra forskningsresultat.",
    ),
    ("h2", "Mål 5. Lunds kommun ska vara ledande inom miljö och klimat"),
    (
        "p",
        "Bedömning: uppfyllt. Solcellsanläggningar med en sammanlagd effekt på 1 450 kW togs i drift på tolv "
        "skolor. Utsläppen från kommunens egna fordon minskade med 12 procent jämfört med 2024.",
    ),
    ("h2", "Mål 6. Lunds kommun ska vara ett attraktivt och funktionellt besöksmål"),
    (
        "p",
        "Bedömning: delvis uppfyllt. Antalet gästnätter i kommunen var 612 000, vilket är något lägre än "
        "målvärdet. Samverkan med besöksnäringen har utvecklats.",
    ),
    ("h2", "Mål 7. Lunds kommun ska vara en modern och attraktiv arbetsgivare"),
    (
        "p",
        "Bedömning: ej uppfyllt. Personalomsättningen ökade till 11,8 procent och sjukfrånvaron var 7,2 procent. "
        "Arbetet med nya karriärvägar för sjuksköterskor och lärare har påbörjats men inte gett effekt ännu.",
    ),
    ("h2", "Mål 8. Vi vill uppmuntra nytänkande och en stark innovationskultur i organisationen"),
    (
        "p",
        "Bedömning: delvis uppfyllt. Kommunens innovationsfond beviljade medel till 14 förbättringsprojekt, "
        "men kostnaden per brukare ökade i flera verksamheter.",
    ),
    ("h2", "Mål 9. Lunds kommun ska ha en långsiktigt hållbar ekonomi"),
    (
        "p",
        "Bedömning: delvis uppfyllt. Resultatet på 112,4 mnkr är bättre än budget, och kostnaderna ökade "
        "långsammare än intäkterna. Fullmäktiges riktvärde om ett resultat på 2 procent av skatteintäkter och "
        "generella statsbidrag nåddes dock inte.",
    ),
    ("h1", "3. Fortsatt arbete"),
    (
        "p",
        "Kommunstyrelsen föreslår att nämnderna i sina nämndsplaner för 2027 särskilt prioriterar Mål 7 och "
        "Mål 9. Årsbokslutet överlämnas till kommunfullmäktige för godkännande.",
    ),
]

AB_TABLE = [
    ("Mål", "Fokusområde", "Bedömning 2025"),
    ("Mål 1", "Lundaborna i fokus", "Delvis uppfyllt"),
    ("Mål 2", "Lundaborna i fokus", "Delvis uppfyllt"),
    ("Mål 3", "Lundaborna i fokus", "Uppfyllt"),
    ("Mål 4", "Smartare Lund", "Uppfyllt"),
    ("Mål 5", "Smartare Lund", "Uppfyllt"),
    ("Mål 6", "Smartare Lund", "Delvis uppfyllt"),
    ("Mål 7", "Organisationen Lund", "Ej uppfyllt"),
    ("Mål 8", "Organisationen Lund", "Delvis uppfyllt"),
    ("Mål 9", "Ekonomi", "Delvis uppfyllt"),
]


def _normalize_zip(path: Path) -> None:
    """Rewrite the .docx zip with fixed member timestamps so the bytes do not change between runs."""
    src = path.read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 3, 25, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            zout.writestr(fixed, zin.read(info.filename))
    path.write_bytes(buf.getvalue())


def make_docx(path: Path = DOCX_PATH) -> None:
    from docx import Document

    counts = {}
    for _, _, verdict in AB_TABLE[1:]:
        counts[verdict] = counts.get(verdict, 0) + 1
    assert counts == {"Uppfyllt": 3, "Delvis uppfyllt": 5, "Ej uppfyllt": 1}, counts

    d = Document()
    cp = d.core_properties
    cp.title = AB_TITLE
    cp.author = "Kommunstyrelsen (fiktivt exempel)"
    cp.subject = "budget/bokslut"
    cp.keywords = "årsbokslut, måluppföljning, 2025"
    cp.created = FIXED_TIME
    cp.modified = FIXED_TIME
    cp.last_modified_by = "scripts/make_sample_docs.py"
    cp.revision = 1

    for style, text in AB_CONTENT:
        if style == "title":
            d.add_heading(text, level=0)
        elif style == "h1":
            d.add_heading(text, level=1)
        elif style == "h2":
            d.add_heading(text, level=2)
        elif style == "p":
            d.add_paragraph(text)
        elif style == "table":
            t = d.add_table(rows=len(AB_TABLE), cols=len(AB_TABLE[0]))
            t.style = "Table Grid"
            for r, row in enumerate(AB_TABLE):
                for c, val in enumerate(row):
                    t.cell(r, c).text = val
        else:
            raise ValueError(style)
    d.save(str(path))
    _normalize_zip(path)


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    make_pdf()
    make_docx()
    for p in (PDF_PATH, DOCX_PATH):
        print(f"skrev {p.relative_to(ROOT)} ({p.stat().st_size} byte)")


if __name__ == "__main__":
    main()
