"""Document type and publisher from evidence in the text: the wording, the structure and the title.

Every rule names evidence a reader could point at ("säger … minister", "Regeringen ger … i uppdrag", a byline and a
photo credit, "Sammanträdesdatum", "X kommun" on the cover). With no evidence the type is "övrigt" and the
publisher is left empty: a guessed publisher would put one organisation's words in another's mouth.
"""

from __future__ import annotations

import re

from ingest.model import DOC_TYPES

# Keywords per document type that decide when the title names them, strongest first.
TITLE_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("pressmeddelande", ("pressmeddelande", "pressinformation", "press release", "nyhet från")),
    ("protokoll", ("protokoll", "protokollsutdrag", "sammanträdesprotokoll")),
    ("risk- och sårbarhetsanalys", ("risk- och sårbarhetsanalys", "risk och sårbarhetsanalys", "sårbarhetsanalys")),
    ("nämndsplan", ("nämndsplan", "nämndplan", "verksamhetsplan")),
    ("budget/bokslut", ("budget", "bokslut", "årsbokslut", "årsredovisning", "delårsrapport", "delårsbokslut",
                        "måluppföljning", "ekonomisk plan", "flerårsplan", "mål och budget")),
    ("mål", ("kommunfullmäktiges mål", "fokusområde", "målområde", "mål för", "strategiska mål", "målprogram")),
]  # fmt: skip

# Body wording per type, counted when the title says nothing; the most frequent evidence wins.
_BODY_EVIDENCE: list[tuple[str, re.Pattern[str]]] = [
    ("protokoll", re.compile(r"\b(sammanträdesdatum|justerare|justeras|protokollsutdrag|paragrafer)\b|^§\s*\d+", re.I | re.M)),
    ("risk- och sårbarhetsanalys", re.compile(r"\brisk- och sårbarhetsanalys\w*|\bsårbarhetsanalys\w*", re.I)),
    ("pressmeddelande", re.compile(r"\bpressmeddelande\b|\bpressinformation\b", re.I)),
    ("nämndsplan", re.compile(r"\bnämndsplan\w*|\bnämndplan\w*|\bverksamhetsplan\w*", re.I)),
    ("budget/bokslut", re.compile(r"\b(budget|bokslut|årsbokslut|årsredovisning|delårsrapport|delårsbokslut|"
                                  r"måluppföljning|flerårsplan)\b", re.I)),
    ("mål", re.compile(r"\b(kommunfullmäktiges mål|fokusområde|målområde|strategiska mål|målprogram)\b", re.I)),
]  # fmt: skip

_MUNICIPAL_TYPES = frozenset({"mål", "nämndsplan", "budget/bokslut", "protokoll", "risk- och sårbarhetsanalys"})

_ALIASES = {
    "mal": "mål", "goals": "mål", "kommunfullmäktiges mål": "mål", "målprogram": "mål",
    "press": "pressmeddelande", "nyhet": "pressmeddelande",
    "regeringsuppdrag": "uppdrag", "uppdrag": "uppdrag",
    "namndsplan": "nämndsplan", "nämndplan": "nämndsplan", "verksamhetsplan": "nämndsplan",
    "budget": "budget/bokslut", "bokslut": "budget/bokslut", "årsredovisning": "budget/bokslut",
    "delårsrapport": "budget/bokslut", "ekonomi": "budget/bokslut",
    "protokollsutdrag": "protokoll",
    "rsa": "risk- och sårbarhetsanalys", "risk och sårbarhetsanalys": "risk- och sårbarhetsanalys",
    "nyhetsartikel": "nyhetsartikel", "artikel": "nyhetsartikel", "news": "nyhetsartikel",
    "ovrigt": "övrigt", "other": "övrigt",
}  # fmt: skip

# A quote attributed to an office holder: "… säger socialminister Jakob Forssmed", "säger Anna Ek (S), ordförande".
_ROLE = r"(?:\w*minister\w*|statsråd\w*|ordförande|kommunalråd\w*|förvaltningschef\w*|direktör\w*|stadsdirektör\w*)"
_ATTRIBUTED_QUOTE = re.compile(rf"\bsäger\s+(?:[^.!?\n]{{0,60}}?)\b{_ROLE}\b", re.I)
_MINISTER = re.compile(r"\b\w*minister(?:n|ns)?\b|\bstatsråd(?:et)?\b", re.I)
# "Regeringen ger Socialstyrelsen i uppdrag att …", "… får i uppdrag av regeringen", a title "Uppdrag till/att …".
_ASSIGNMENT_TITLE = re.compile(r"^(?:regerings)?uppdrag\b|^ändring av (?:regerings)?uppdrag", re.I)
_ASSIGNMENT_TEXT = re.compile(r"\bregeringen\s+(?:(?:ger|gav|har\s+gett)\b[^.]{0,120}\buppdrag|uppdrar\s+åt\b)", re.I)
# News article: a byline, a photo credit, a dateline ("LUND. …"), "Publicerad <date> <time>".
_NEWS_SIGNALS = (
    re.compile(r"^(?:av|text:)\s*\n?\s*[A-ZÅÄÖ][a-zåäöé]+(?:\s+[A-ZÅÄÖ][a-zåäöé-]+)+\s*$", re.M | re.I),
    re.compile(r"\b(?:foto|bild|fotograf):\s*\S", re.I),
    re.compile(r"^[A-ZÅÄÖ]{3,}(?:\s[A-ZÅÄÖ]{3,})?\.\s+[A-ZÅÄÖ]", re.M),
    re.compile(r"\bpublicerad\b[^\n]{0,40}\b\d{1,2}[:.]\d{2}\b", re.I),
)
_GOVERNMENT = re.compile(r"\bregeringen\b|\bregeringskansliet\b|\w+departementet\b", re.I)
_MUNICIPALITY = re.compile(r"\b([A-ZÅÄÖ][a-zåäöé]+(?:[- ][A-ZÅÄÖ][a-zåäöé]+)?) (kommun|stad|region)s?\b")
_NOT_NAMES = frozenset(
    "Denna Detta Den Det En Ett Varje Vår Vårt Hela Egen Annan Samma Vilken Vilket Ingen Er Din Min Sin Till Från Som Och I Om Per".split()
)
_COVER_CHARS = 1200  # where a municipal document names itself: title and cover page


def normalize_doc_type(value: str) -> str:
    """A stated doc_type mapped onto DOC_TYPES; '' when nothing was stated."""
    value = value.strip().lower()
    if not value:
        return ""
    if value in DOC_TYPES:
        return value
    if value in _ALIASES:
        return _ALIASES[value]
    return _title_type(value) or "övrigt"


def is_news_article(text: str) -> bool:
    """Two independent marks of journalism (byline, photo credit, dateline, time-stamped publication)."""
    return sum(1 for signal in _NEWS_SIGNALS if signal.search(text)) >= 2


def infer_doc_type(title: str, text: str, stem: str = "", *, publisher: str = "") -> str:
    """The type the evidence supports, in order of strength; "övrigt" when none does."""
    head = f"{title}\n{text}"
    if is_news_article(text):
        return "nyhetsartikel"
    typed = _title_type(title.lower())
    # The government issues news releases and assignments; a release about the budget is no municipal budget.
    if typed and not (publisher == "Regeringen" and typed in _MUNICIPAL_TYPES):
        return typed
    if _ATTRIBUTED_QUOTE.search(text):
        return "pressmeddelande"
    if _ASSIGNMENT_TITLE.search(title.strip()) or _ASSIGNMENT_TEXT.search(text[:800]):
        return "uppdrag"
    counts = {doc_type: len(pattern.findall(head)) for doc_type, pattern in _BODY_EVIDENCE}
    if publisher == "Regeringen":
        counts = {t: c for t, c in counts.items() if t not in _MUNICIPAL_TYPES}
    best = max(counts.values())
    if best:
        return next(doc_type for doc_type, _p in _BODY_EVIDENCE if counts.get(doc_type) == best)
    typed = _title_type(stem.lower().replace("_", " ").replace("-", " "))
    if typed:
        return typed
    # A government page that is neither an assignment nor anything else above is the government's news release.
    return "pressmeddelande" if publisher == "Regeringen" else "övrigt"


def _title_type(name: str) -> str:
    for doc_type, keywords in TITLE_KEYWORDS:
        if any(keyword in name for keyword in keywords):
            return doc_type
    return "mål" if re.search(r"\bmål\b", name) else ""


def infer_publisher(title: str, text: str) -> str:
    """Who issued the document: "Regeringen", "X kommun" (or stad/region), or "" when the text does not say.

    A minister's quote or an assignment by the government outweighs a municipality named in passing; otherwise a
    municipality named in the title or on the cover is the issuer. A news article's publisher (the newspaper) is
    rarely stated, so news articles get none unless stated.
    """
    head = f"{title}\n{text[:4000]}"
    if is_news_article(text):
        return ""
    if _MINISTER.search(head) or _ASSIGNMENT_TEXT.search(head) or re.search(r"\bregeringen\b", title, re.I):
        return "Regeringen"
    cover = f"{title}\n{text[:_COVER_CHARS]}"
    names = [f"{m.group(1)} {m.group(2)}" for m in _MUNICIPALITY.finditer(cover) if m.group(1) not in _NOT_NAMES]
    if names:
        return max(dict.fromkeys(names), key=names.count)
    if len(_GOVERNMENT.findall(head)) >= 2 or _ASSIGNMENT_TITLE.search(title.strip()):
        return "Regeringen"
    return ""
