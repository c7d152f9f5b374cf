"""Document metadata: title, doc_type, date, year, organ and publisher, from what the file states or from its text.

Precedence: a sidecar `<name>.meta.json` beside the file, then what the loader found (front matter, document
properties, HTML meta tags), then inference from the title and text. Inference never guesses: a date is taken only
where the document states it as its own (a dated line, "Publicerad …", a decision date), never a deadline or another
date from the body, and never a date after today; a publisher only from evidence in the text. What is not supported
is left empty.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from ingest.doc_type import infer_doc_type, infer_publisher, normalize_doc_type
from ingest.model import LoadedDoc, display_path
from ingest.structure import annotate

SIDECAR_KEYS = ("title", "doc_type", "date", "organ", "publisher")

MONTHS = {
    "januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7, "augusti": 8,
    "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "okt": 10,
    "nov": 11, "dec": 12,
    # Scraped pages often print the publication date with English month names ("18 October 2019").
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8, "october": 10,
}  # fmt: skip
_ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")
_LONG_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+((?:19|20)\d\d)\b",
                        re.IGNORECASE)  # fmt: skip
# Words that state the document's own date: its publication, its meeting, its decision or adoption. A bare
# "Datum" is weaker: a revision log's "Datum och paragraf: …" (Borlänge's RSA, dev split) is not the issue date.
_OWN_DATE = re.compile(
    r"\b(publicerad|publicerat|publicerades|daterad|sammanträdesdatum|beslutsdatum|beslutad|beslutat|"
    r"beslutades|antagen|antaget|antagna|antogs|fastställd|fastställt|fastställdes|behandlad|behandlat|behandlades)\b",
    re.IGNORECASE,
)
_WEAK_OWN_DATE = re.compile(r"\b(datum|pressmeddelande)\b", re.IGNORECASE)
# Words that make the date after them a deadline or a period's bound, never the document's own date.
_DEADLINE_BEFORE = re.compile(
    r"\b(senast|till och med|t\.o\.m\.?|fram till|från och med|fr\.o\.m\.?|före|innan|efter|under|per|"
    r"redovisas|redovisa|lämnas|slutredovisas|delredovisas|rapporteras)\s+(?:den\s+)?$",
    re.IGNORECASE,
)
# "Lund 2025-03-14", "Stockholm den 3 mars 2021", or a date alone: a dated line of a letter, minutes or a cover.
_DATED_LINE = re.compile(r"^(?:[A-ZÅÄÖ][\wåäö]+,?\s+)?(?:den\s+)?(?P<date>.+?)\s*$")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_DATED_LINE_CHARS = 160  # a block this short is a line of its own (cover, dateline), not running prose
_EDGE_BLOCKS = 6  # blocks at the top and the bottom where a dated line stands
_TEXT_SCAN = 4000  # characters of body text that type/organ/date inference looks at


def infer_metadata(doc: LoadedDoc, path: Path, *, today: dt.date | None = None) -> dict:
    """title, doc_type, date, year, organ, publisher and source for a loaded document."""
    stated = {k: str(v).strip() for k, v in doc.meta.items() if v is not None and str(v).strip()}
    stated.update(read_sidecar(path))
    text = "\n".join(block.text for block in doc.blocks)
    head = text[:_TEXT_SCAN]

    title = stated.get("title") or (doc.title or "").strip() or headline(doc) or prettify_stem(path)
    publisher = stated.get("publisher") or stated.get("utgivare") or infer_publisher(title, head)
    doc_type = normalize_doc_type(stated.get("doc_type", "")) or infer_doc_type(
        title, head, path.stem, publisher=publisher
    )
    # A file's "created" property is left out on purpose: templates carry it over, and a wrong date misleads.
    date = not_after(normalize_date(stated.get("date", "")), today) or find_own_date(doc, today=today)
    year = int(date[:4]) if date[:4].isdigit() else _title_year(title)
    if stated.get("organ"):
        organ = _canonical_organ(stated["organ"])
    elif publisher == "Regeringen" or doc_type == "nyhetsartikel":
        organ = ""  # a municipal body named in a government text or a news story did not issue it
    else:
        organ = find_organ(title, head)
    return {
        "title": title,
        "doc_type": doc_type,
        "date": date,
        "year": year,
        "organ": organ,
        "publisher": publisher,
        "source": display_path(path),
    }


def read_sidecar(path: Path) -> dict[str, str]:
    """Keys title/doc_type/date/organ/publisher from `<file>.meta.json` or `<stem>.meta.json`; {} when absent."""
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_name(path.stem + ".meta.json")):
        try:
            data = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            return {k: str(data[k]).strip() for k in SIDECAR_KEYS if data.get(k) not in (None, "")}
    return {}


def prettify_stem(path: Path) -> str:
    """'kf_mal-2020' → 'Kf mal 2020'; hyphens between digits ('2020-2023') are kept."""
    text = re.sub(r"(?<!\d)[-_.]+|[-_.]+(?!\d)", " ", path.stem)
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] if text else path.name


# Headings that only label the kind of document; the real title follows them.
_LABELS = {"pressmeddelande", "pressinformation", "nyhet", "nyheter", "protokoll", "utdrag", "tjänsteskrivelse"}
_CAPTION = re.compile(r"\b(?:foto|bild|fotograf|illustration):", re.IGNORECASE)
_HEAD_BLOCKS = 8  # a headline stands among the first few blocks, before the body starts


def headline(doc: LoadedDoc) -> str:
    """The document's own headline.

    A heading the format marks (Markdown #, HTML h1, a PDF's largest type) comes first. Plain text (a scraped page,
    a text file) has none: its headline is the first short line that is neither a photo caption nor a sentence,
    among the first blocks. Only then a heading found by shape ("Fokusområde 1 …" names a section, not the document).
    """
    marked = [b for b in doc.blocks if b.level > 0 and b.text.strip() and b.text.lower().strip(" :") not in _LABELS]
    if marked:
        return min(marked, key=lambda b: b.level).text.strip() if marked[0].level > 1 else marked[0].text.strip()
    captions = {b.text.strip().rstrip(".") for b in doc.blocks[:_HEAD_BLOCKS] if _CAPTION.search(b.text)}
    captions |= {_CAPTION.split(c)[0].strip(" .") for c in list(captions)}
    for block in doc.blocks[:_HEAD_BLOCKS]:
        text = block.text.strip()
        if _is_headline(text, captions):
            return text
        if len(text) > 200:
            break  # the body has begun
    return _first_heading(doc)


def _is_headline(text: str, captions: set[str]) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 20 or len(text) > 160 or _CAPTION.search(text) or text.rstrip(".") in captions:
        return False
    if text.endswith((".", ",", ";", ":")) or text.lower().strip(" :") in _LABELS:
        return False
    return text[:1].isupper() or text[:1].isdigit()


def _first_heading(doc: LoadedDoc) -> str:
    blocks = annotate(doc.blocks, by_shape=not doc.headings_marked)
    headings = (b.text.strip() for b in blocks if b.level > 0 and b.text.strip())
    return next((h for h in headings if h.lower().strip(" :") not in _LABELS), "")


def _valid(year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def not_after(iso: str, today: dt.date | None = None) -> str:
    """The date, or '' when it lies after today: a document cannot have been issued in the future."""
    if not iso:
        return ""
    limit = (today or dt.date.today()).isoformat()
    return iso if iso[: len(iso)] <= limit[: len(iso)] else ""


def normalize_date(value: str) -> str:
    """'2019-10-18', '2019-10-18T08:00', '18 oktober 2019', '2019' → ISO ('2019-10-18' / '2019'); else ''."""
    value = value.strip()
    if not value:
        return ""
    match = _ISO_DATE.search(value)
    if match:
        return _valid(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _LONG_DATE.search(value)
    if match:
        return _valid(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
    match = re.fullmatch(r"((?:19|20)\d\d)", value)
    return match.group(1) if match else ""


def _dates(text: str) -> list[tuple[int, str]]:
    found = []
    for match in _ISO_DATE.finditer(text):
        iso = _valid(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if iso:
            found.append((match.start(), iso))
    for match in _LONG_DATE.finditer(text):
        iso = _valid(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
        if iso:
            found.append((match.start(), iso))
    return sorted(found)


def find_date(text: str, *, today: dt.date | None = None) -> str:
    """The date a stating word labels ("Publicerad 12 maj 2025", "Antagen av kommunfullmäktige den …",
    "Sammanträdesdatum: …"); '' when no date is stated as the document's own. Deadlines and other dates in
    the body are never taken."""
    dates = [(pos, iso) for pos, iso in _dates(text) if not _DEADLINE_BEFORE.search(text[max(0, pos - 30) : pos])]
    for pattern in (_OWN_DATE, _WEAK_OWN_DATE):
        for keyword in pattern.finditer(text):
            near = [iso for pos, iso in dates if keyword.end() <= pos <= keyword.end() + 60 and not_after(iso, today)]
            if near:
                return near[0]
    return ""


def find_own_date(doc: LoadedDoc, *, today: dt.date | None = None) -> str:
    """The date the document states as its own, from its dated lines; '' when it states none.

    Only short blocks (a cover line, "Publicerad …", "Sammanträdesdatum: …", a signature line) or a block that
    starts with the stating word count: "Regeringen beslutade den 3 maj …" in running prose dates another decision,
    not the document. Blocks are read from the top (the head of the text) and then the last few.
    """
    head: list[str] = []
    seen = 0
    for block in doc.blocks:
        if seen > _TEXT_SCAN:
            break
        head.append(block.text.strip())
        seen += len(block.text)
    tail = [b.text.strip() for b in doc.blocks[-_EDGE_BLOCKS:]]
    for text in [*head, *tail]:
        if len(text) <= _DATED_LINE_CHARS or _OWN_DATE.match(text) or _WEAK_OWN_DATE.match(text):
            date = find_date(text, today=today)
            if date:
                return date
    for text in [*head[:_EDGE_BLOCKS], *tail]:
        match = _DATED_LINE.match(text)
        if match and len(text) <= 40 and _only_a_date(match.group("date")):
            iso = not_after(normalize_date(match.group("date")), today)
            if len(iso) == 10:
                return iso
    return ""


def _only_a_date(text: str) -> bool:
    """The text is one date and nothing else ("2025-03-14", "3 mars 2021"): "Uppdraget avslutas den 31 december
    2021." is a sentence about an end date, not a dated line."""
    text = text.strip().rstrip(".")
    return any(pattern.fullmatch(text) for pattern in (_ISO_DATE, _LONG_DATE))


def _title_year(title: str) -> int:
    match = _YEAR.search(title)
    return int(match.group(1)) if match else 0


_ORGAN = re.compile(
    r"\b((?i:kommunfullmäktige|kommunstyrelse(?:n)?|(?:tekniska|sociala|gemensamma)\s+nämnd(?:en)?)|"
    r"(?:[A-ZÅÄÖa-zåäö]+-\s+och\s+)?[A-ZÅÄÖa-zåäö]+nämnd(?:en)?)(?:s)?\b"
)
_ORGAN_HEAD = 600  # an organ merely mentioned counts only near the top, where the issuing body is named
_ORGAN_CONTEXT = re.compile(r"\b(antagen|antaget|antogs|beslutad|beslutat|fastställd|fastställt|beslut i|av)\s+$",
                            re.IGNORECASE)  # fmt: skip


def _canonical_organ(name: str) -> str:
    name = " ".join(name.split())
    lowered = name.lower()
    if lowered.startswith("kommunfullmäktige"):
        return "Kommunfullmäktige"
    if lowered.startswith("kommunstyrelse"):
        return "Kommunstyrelsen"
    if re.search(r"nämnds?$", lowered):
        name = re.sub(r"nämnds?$", "nämnden", name)
    elif lowered.endswith("nämndens"):
        name = name[:-1]
    return name[:1].upper() + name[1:]


def find_organ(title: str, text: str) -> str:
    """The decision-making body: named in the title, else after 'antagen av …', else one named near the top."""
    match = _ORGAN.search(title)
    if match:
        return _canonical_organ(match.group(1))
    first = ""
    for match in _ORGAN.finditer(text):
        if _ORGAN_CONTEXT.search(text[max(0, match.start() - 20) : match.start()]):
            return _canonical_organ(match.group(1))
        if not first and match.start() < _ORGAN_HEAD:
            first = _canonical_organ(match.group(1))
    return first
