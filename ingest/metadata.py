"""Document metadata: title, doc_type, date, year and organ, from what the file states or from its text.

Precedence: a sidecar `<name>.meta.json` beside the file, then what the loader found (front matter, document
properties, HTML meta tags), then inference from the title and text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from ingest.model import DOC_TYPES, LoadedDoc, display_path
from ingest.structure import annotate

SIDECAR_KEYS = ("title", "doc_type", "date", "organ")

MONTHS = {
    "januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7, "augusti": 8,
    "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "okt": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)")
_LONG_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+((?:19|20)\d\d)\b",
                        re.IGNORECASE)  # fmt: skip
_DECISION = re.compile(
    r"\b(beslutad|beslutat|beslutades|beslut|antagen|antaget|antagna|antogs|fastställd|fastställt|fastställdes|"
    r"datum|daterad|publicerad|publicerat)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")

# Keywords per document type, strongest first; the first type whose keyword is in the title wins.
_TYPE_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("pressmeddelande", ("pressmeddelande", "pressinformation", "press release", "nyhet från")),
    ("nämndsplan", ("nämndsplan", "nämndplan", "verksamhetsplan")),
    ("budget/bokslut", ("budget", "bokslut", "årsbokslut", "årsredovisning", "delårsrapport", "delårsbokslut",
                        "måluppföljning", "ekonomisk plan", "flerårsplan", "mål och budget")),
    ("mål", ("kommunfullmäktiges mål", "fokusområde", "målområde", "mål för", "strategiska mål")),
]  # fmt: skip
_TYPE_ALIASES = {
    "mal": "mål", "mål": "mål", "goals": "mål", "kommunfullmäktiges mål": "mål",
    "press": "pressmeddelande", "pressmeddelande": "pressmeddelande", "nyhet": "pressmeddelande",
    "nämndsplan": "nämndsplan", "namndsplan": "nämndsplan", "nämndplan": "nämndsplan", "verksamhetsplan": "nämndsplan",
    "budget": "budget/bokslut", "bokslut": "budget/bokslut", "budget/bokslut": "budget/bokslut",
    "årsredovisning": "budget/bokslut", "delårsrapport": "budget/bokslut", "ekonomi": "budget/bokslut",
    "övrigt": "övrigt", "ovrigt": "övrigt", "other": "övrigt",
}  # fmt: skip

_ORGAN = re.compile(
    r"\b((?i:kommunfullmäktige|kommunstyrelse(?:n)?|(?:tekniska|sociala|gemensamma)\s+nämnd(?:en)?)|"
    r"(?:[A-ZÅÄÖa-zåäö]+-\s+och\s+)?[A-ZÅÄÖa-zåäö]+nämnd(?:en)?)(?:s)?\b"
)
_ORGAN_HEAD = 600  # an organ merely mentioned counts only near the top, where the issuing body is named
_ORGAN_CONTEXT = re.compile(r"\b(antagen|antaget|antogs|beslutad|beslutat|fastställd|fastställt|beslut i|av)\s+$",
                            re.IGNORECASE)  # fmt: skip
_TEXT_SCAN = 4000  # characters of body text that type/organ/date inference looks at


def infer_metadata(doc: LoadedDoc, path: Path) -> dict:
    """title, doc_type, date, year, organ and source for a loaded document."""
    stated = {k: str(v).strip() for k, v in doc.meta.items() if v is not None and str(v).strip()}
    stated.update(read_sidecar(path))
    text = "\n".join(block.text for block in doc.blocks)
    head = text[:_TEXT_SCAN]

    title = stated.get("title") or (doc.title or "").strip() or _first_heading(doc) or prettify_stem(path)
    doc_type = normalize_doc_type(stated.get("doc_type", "")) or infer_doc_type(title, head, path.stem)
    # A file's "created" property is left out on purpose: templates carry it over, and a wrong date misleads.
    date = normalize_date(stated.get("date", "")) or find_date(head)
    year = int(date[:4]) if date[:4].isdigit() else _title_year(title)
    organ = _canonical_organ(stated["organ"]) if stated.get("organ") else find_organ(title, head)
    return {
        "title": title,
        "doc_type": doc_type,
        "date": date,
        "year": year,
        "organ": organ,
        "source": display_path(path),
    }


def read_sidecar(path: Path) -> dict[str, str]:
    """Keys title/doc_type/date/organ from `<file>.meta.json` or `<stem>.meta.json`; {} when absent or broken."""
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


def _first_heading(doc: LoadedDoc) -> str:
    headings = (b.text.strip() for b in annotate(doc.blocks) if b.level > 0 and b.text.strip())
    return next((h for h in headings if h.lower().strip(" :") not in _LABELS), "")


def normalize_doc_type(value: str) -> str:
    """A stated doc_type mapped onto DOC_TYPES; '' when nothing was stated."""
    value = value.strip().lower()
    if not value:
        return ""
    if value in DOC_TYPES:
        return value
    if value in _TYPE_ALIASES:
        return _TYPE_ALIASES[value]
    return infer_doc_type(value, "", "") if any(k in value for _t, kws in _TYPE_KEYWORDS for k in kws) else "övrigt"


def infer_doc_type(title: str, text: str, stem: str = "") -> str:
    """The title (or file name) decides when it names a type; otherwise the most frequent keyword in the text."""
    for name in (title.lower(), stem.lower().replace("_", " ").replace("-", " ")):
        for doc_type, keywords in _TYPE_KEYWORDS:
            if any(keyword in name for keyword in keywords):
                return doc_type
        if re.search(r"\bmål\b", name):
            return "mål"
    lowered = text.lower()
    scores = {doc_type: sum(lowered.count(k) for k in keywords) for doc_type, keywords in _TYPE_KEYWORDS}
    best = max(scores.values())
    if best == 0:
        return "övrigt"
    return next(doc_type for doc_type, _k in _TYPE_KEYWORDS if scores[doc_type] == best)


def _valid(year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


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


def find_date(text: str) -> str:
    """The date next to 'beslutad/antagen/datum …' if any, else the first date in the text."""
    dates = _dates(text)
    if not dates:
        return ""
    for keyword in _DECISION.finditer(text):
        near = [iso for pos, iso in dates if keyword.end() <= pos <= keyword.end() + 60]
        if near:
            return near[0]
    return dates[0][1]


def _title_year(title: str) -> int:
    match = _YEAR.search(title)
    return int(match.group(1)) if match else 0


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
