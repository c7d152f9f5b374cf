"""What the web page shows, as HTML/Markdown strings: answers with their sources, search hits, goals, reports.

Pure functions, so they are tested without a browser. Every piece of document text is HTML-escaped here: documents
come from outside (an uploaded file may contain markup) and must never become markup on the page.

Inside chat messages the HTML must contain no blank line: the Markdown renderer ends an HTML block at a blank line
and would render the rest of a passage as Markdown. Newlines in passages therefore become <br>.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from assistant.api import DocRecord, FileResult, Hit
from assistant.goal_finder import GoalMatch
from assistant.types import Answer, Citation

NOTICE = (
    "**Tänk på:** Svaren tas fram automatiskt av en AI ur kommunens dokument. Ett svar är inte ett beslut. "
    "Kontrollera alltid i källan innan du använder uppgiften."
)

_CITE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
# Units the documents use without explaining them; a short explanation goes under any text that contains one.
_UNITS = {"tkr": "tusen kronor", "mnkr": "miljoner kronor", "mkr": "miljoner kronor"}
_UNIT_RE = re.compile(r"\b(" + "|".join(_UNITS) + r")\b", re.IGNORECASE)
ORIGINAL_PREFIX = "original/"  # relative: resolves under the page's <base>, so it works behind a proxy's sub-path
_STATUS = {"ingested": "✓ inläst", "skipped": "– hoppades över", "failed": "✗ misslyckades", "removed": "✗ borttagen"}


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _one_block(text: str) -> str:
    """Escaped text with its line breaks kept but no blank lines (see the module docstring)."""
    return esc(re.sub(r"\s*\n\s*", "\n", text)).replace("\n", "<br>")


def where(doc_type: str, date: str, page: int, section: str, publisher: str = "") -> str:
    """Type · date · publisher · page · section: the facts a reader needs to find the passage in the original."""
    bits = [doc_type.capitalize() if doc_type else "", date, publisher, f"s. {page}" if page else "", section]
    return " · ".join(esc(b) for b in bits if b)


def original_href(doc_id: str, source: str = "", page: int = 0) -> str:
    """The app's link to a document's original file; a PDF opens at the page (#page=N, read by browsers' viewers)."""
    fragment = f"#page={page}" if page and source.lower().endswith(".pdf") else ""
    return f"{ORIGINAL_PREFIX}{esc(doc_id)}{fragment}"


def original_link(doc_id: str, source: str = "", page: int = 0, label: str = "Öppna originalet") -> str:
    """A link to the original that opens in a new tab, so the conversation on the page stays; the text says so."""
    kind = " (PDF)" if source.lower().endswith(".pdf") else ""
    at = f", sidan {page}" if page and kind else ""
    return (
        f'<a class="original" href="{original_href(doc_id, source, page)}" target="_blank" rel="noopener">'
        f"{esc(label)}{kind}{at}<span class='ny-flik'> – öppnas i en ny flik</span></a>"
    )


def explain_units(*texts: str) -> str:
    """'tkr betyder tusen kronor.' for the units that occur in the texts; empty when none does."""
    found = dict.fromkeys(m.group(1).lower() for t in texts for m in _UNIT_RE.finditer(t))
    if not found:
        return ""
    return "<p class='forklaring'>" + " ".join(f"{u} betyder {_UNITS[u]}." for u in found) + "</p>"


def anchor(turn: int, n: int) -> str:
    """Unique per answer: the chat keeps earlier answers, each with its own [1], [2] …"""
    return f"kalla-{turn}-{n}"


def passage_html(text: str, start: int, end: int) -> str:
    """The passage with the quoted part marked; offsets outside the text mark nothing rather than the wrong thing."""
    if not (0 <= start < end <= len(text)):
        return _one_block(text)
    return f"{_one_block(text[:start])}<mark>{_one_block(text[start:end])}</mark>{_one_block(text[end:])}"


def citation_html(c: Citation, turn: int) -> str:
    meta = where(c.doc_type, c.date, c.page, c.section, c.publisher)
    return (
        f'<details class="kalla" id="{anchor(turn, c.n)}"><summary><span class="nr">[{c.n}]</span> {esc(c.title)}'
        f'</summary><div class="kalla-meta">{meta}</div>'
        f'<blockquote class="kalla-text">{passage_html(c.text, c.start, c.end)}</blockquote>'
        f"<p class='kalla-original'>{original_link(c.doc_id, c.source, c.page)}</p></details>"
    )


def link_citations(text: str, turn: int, known: Iterable[int]) -> str:
    """[1] and [1, 2] in the answer become links to that answer's sources; unknown numbers stay plain text."""
    ok = set(known)

    def one(m: re.Match[str]) -> str:
        nums = [int(x) for x in m.group(1).split(",")]
        if not all(n in ok for n in nums):
            return m.group(0)
        links = ", ".join(f'<a class="cite" href="#{anchor(turn, n)}">{n}</a>' for n in nums)
        return f"[{links}]"

    return _CITE.sub(one, text)


def answer_message(a: Answer, turn: int, contact: str = "") -> str:
    """The assistant's chat message: answer, citation links, and the sources to open (closed until clicked).

    `contact` (HTML) says where to turn when nothing was found; it follows a refusal.
    """
    parts = [link_citations(esc(a.answer), turn, (c.n for c in a.citations))]
    if a.notice:
        parts.append(f"<p class='svar-notis'>{esc(a.notice)}</p>")
    if a.refused and a.closest:
        # Links even when the answer names them in its text: a dead end is what a refusal must not be.
        items = "".join(
            f"<li>{original_link(d.doc_id, d.source, 0, d.title)}{' · ' + esc(d.date) if d.date else ''}</li>"
            for d in a.closest
        )
        parts.append(f"<p class='kallor-rubrik'>Dokument som ligger närmast frågan:</p><ul>{items}</ul>")
    if a.refused and contact:
        parts.append(f"<p class='kontakt'>{contact}</p>")
    if units := explain_units(a.answer, *(c.text for c in a.citations)):
        parts.append(units)
    if a.citations:
        sources = "".join(citation_html(c, turn) for c in a.citations)
        parts.append(
            "<div class='kallor'><p class='kallor-rubrik'>Källor – klicka för att se det citerade stycket:</p>"
            f"{sources}</div>"
        )
    return "\n\n".join(parts)


def streaming_message(partial: str) -> str:
    """Text while it is being written; citation links come with the finished answer."""
    return esc(partial) + " ▍"


def snippet(text: str, query: str, width: int = 300) -> str:
    """Escaped excerpt around the first query word found, with query words marked (a cue, not a proof)."""
    flat = " ".join(text.split())
    words = sorted({w for w in re.findall(r"\w+", query.lower()) if len(w) > 3}, key=len, reverse=True)
    # Prefix match on the first 5 letters: Swedish inflects at the end ("skolor", "skolorna", "skolans").
    stems = [re.escape(w[:5]) for w in words]
    pattern = re.compile(r"\b(?:" + "|".join(stems) + r")\w*", re.IGNORECASE) if stems else None
    start = 0
    if pattern and (m := pattern.search(flat)):
        start = max(0, m.start() - width // 3)
    cut = flat[start : start + width]
    if start > 0:
        cut = "… " + cut.split(" ", 1)[-1]
    if start + width < len(flat):
        cut = cut.rsplit(" ", 1)[0] + " …"
    if not pattern:
        return esc(cut)
    out, last = [], 0
    for m in pattern.finditer(cut):
        out += [esc(cut[last : m.start()]), f"<mark>{esc(m.group(0))}</mark>"]
        last = m.end()
    out.append(esc(cut[last:]))
    return "".join(out)


def _is_table_row(line: str) -> bool:
    return line.count("|") >= 2


def _clean_cell(cell: str) -> str:
    """A cell of a Markdown table as a reader sees it: no emphasis stars, no escaping backslashes."""
    return re.sub(r"\\([*_|#])", r"\1", cell.replace("**", "")).strip()


def table_html(lines: Sequence[str], max_rows: int = 8) -> str:
    """'| a | b |' rows as a small table; separator rows ('|---|') are left out, long tables cut."""
    rows = [ln.strip().strip("|").split("|") for ln in lines if not re.fullmatch(r"[\s|:\-]+", ln)]
    shown = "".join(
        "<tr>" + "".join(f"<td>{esc(_clean_cell(c))}</td>" for c in row) + "</tr>" for row in rows[:max_rows]
    )
    more = (
        f"<p class='kalla-meta'>… och {len(rows) - max_rows} rader till i originalet.</p>"
        if len(rows) > max_rows
        else ""
    )
    return f"<table class='tabell'><tbody>{shown}</tbody></table>{more}"


def passage_preview(text: str, query: str) -> str:
    """A hit's text: the marked snippet of its prose, and its table rows (if any) as a small table."""
    lines = text.splitlines()
    table = [ln for ln in lines if _is_table_row(ln)]
    prose = " ".join(_clean_cell(ln) for ln in lines if not _is_table_row(ln))
    out = f"<p class='traff-text'>{snippet(prose, query)}</p>" if prose.strip() else ""
    if len(table) >= 2:
        out += table_html(table)
    elif table:
        out += f"<p class='traff-text'>{snippet(' · '.join(_clean_cell(c) for c in table[0].split('|')), query)}</p>"
    return out


def group_hits(hits: Sequence[Hit]) -> list[list[Hit]]:
    """Hits by document, in the order of each document's best hit; a passage shown once (same chunk or same text)."""
    groups: dict[str, list[Hit]] = {}
    seen: set[str] = set()
    for h in hits:
        key = " ".join(h.text.split()).lower()
        if h.chunk_id in seen or key in seen:
            continue
        seen.update((h.chunk_id, key))
        groups.setdefault(h.doc_id, []).append(h)
    return list(groups.values())


def hits_html(hits: Sequence[Hit], query: str, contact: str = "") -> str:
    if not query.strip():
        return "<p class='tomt'>Skriv vad du letar efter och tryck på Sök.</p>"
    if not hits:
        more = f" {contact}" if contact else ""
        return f"<p class='tomt'>Inga träffar. Prova andra ord eller ta bort filtren.{more}</p>"
    groups = group_hits(hits)
    items = []
    for g in groups:
        first = g[0]
        passages = "".join(
            f"<li><div class='traff-stalle'>{where('', '', h.page, h.section) or 'Utdrag'}</div>"
            f"{passage_preview(h.text, query)}</li>"
            for h in g
        )
        items.append(
            f"<li class='traff'><div class='traff-titel'>{esc(first.title)}</div>"
            f"<div class='kalla-meta'>{where(first.doc_type, first.date, 0, '', first.publisher)}</div>"
            f"<p>{original_link(first.doc_id, first.source, first.page)}</p>"
            f"<ul class='traff-stallen'>{passages}</ul></li>"
        )
    n_docs = "1 dokument" if len(groups) == 1 else f"{len(groups)} dokument"
    units = explain_units(*(h.text for h in hits))
    return f"<p class='antal'>Träffar i {n_docs}, de bästa först.</p><ol class='traffar'>{''.join(items)}</ol>{units}"


def goals_html(matches: Sequence[GoalMatch], text: str) -> str:
    if not text.strip():
        return "<p class='tomt'>Klistra in texten i ärendet och tryck på Hitta mål.</p>"
    if not matches:
        return (
            "<p class='tomt'>Inget av kommunfullmäktiges mål matchar texten tydligt. "
            "Finns målen inlästa? Se fliken Dokument.</p>"
        )
    rows = []
    for i, m in enumerate(matches, start=1):
        h = m.evidence
        found = "en del" if m.parts_matched == 1 else f"{m.parts_matched} delar"
        strength = "Tydlig koppling" if m.strong else "Möjlig koppling – bedöm själv"
        rows.append(
            f"<li class='mal'><div class='mal-titel'>Mål {m.goal}. {esc(m.name)}</div>"
            f"<div class='styrka {'tydlig' if m.strong else 'mojlig'}'>{strength}</div>"
            f"<div class='kalla-meta'>{esc(m.focus_area)}{' · ' if m.focus_area else ''}"
            f"{where(h.doc_type, h.date, h.page, '')} · {esc(m.doc_title)}</div>"
            f"<p>{original_link(h.doc_id, h.source, h.page)}</p>"
            f"<details class='kalla' {'open' if i == 1 else ''}><summary>Varför: stycket ur målen och texten i ärendet "
            f"({found} av ärendet pekar hit)</summary>"
            f"<blockquote class='kalla-text'>{_one_block(h.text)}</blockquote>"
            f"<p class='arende-del'><strong>Ur ärendet:</strong> {esc(m.draft_excerpt)}</p>{_related(m)}</details>"
            f"<p class='mal-stycke'>{esc(m.paragraph)}</p></li>"
        )
    return f"<ol class='mal-lista'>{''.join(rows)}</ol>"


def _related(m: GoalMatch) -> str:
    """Where another document ties similar work to the goal, with the goal's name marked."""
    if m.related is None:
        return ""
    r = m.related
    flat = " ".join(r.text.split())
    hit = re.search(rf"\b(?:KF-)?mål\s+{m.goal}\b", flat, re.IGNORECASE)
    at = hit.start() if hit else 0
    start = max(0, at - 160)
    cut = flat[start : at + 160]
    cut = ("… " if start else "") + cut + (" …" if at + 160 < len(flat) else "")
    shown = esc(cut)
    if hit:
        shown = shown.replace(esc(hit.group(0)), f"<mark>{esc(hit.group(0))}</mark>", 1)
    return (
        f"<p class='arende-del'><strong>Liknande arbete kopplas till målet i:</strong> {esc(r.title)} "
        f"({where(r.doc_type, r.date, r.page, r.section)})</p><blockquote class='kalla-text'>{shown}</blockquote>"
    )


def goals_paragraphs(matches: Sequence[GoalMatch]) -> str:
    """Plain text to paste into the proposal: one sentence per clearly linked goal (the best one if none is)."""
    chosen = [m for m in matches if m.strong] or list(matches[:1])
    return "\n\n".join(m.paragraph for m in chosen)


def documents_html(docs: Sequence[DocRecord], total: int | None = None) -> str:
    """The indexed documents, newest first; a list rather than a table so that it reads on a phone.

    `total`: how many there are before a filter; the count then says how many of them are shown.
    """
    total = len(docs) if total is None else total
    if not total:
        return "<p class='tomt'>Inga dokument är inlästa ännu.</p>"
    if not docs:
        return f"<p class='tomt'>Inget av de {total} dokumenten matchar filtret.</p>"
    count = f"{len(docs)} dokument." if len(docs) == total else f"Visar {len(docs)} av {total} dokument."
    rows = "".join(
        f"<li class='dok'><div class='dok-titel'>{esc(d.title)}</div><div class='kalla-meta'>"
        f"{where(d.doc_type, d.date or 'inget datum', 0, '', d.publisher)}</div>{original_link(d.doc_id, d.source)}</li>"
        for d in docs
    )
    return f"<p class='antal' role='status'>{count}</p><ul class='dokument'>{rows}</ul>"


def report_markdown(results: Sequence[FileResult], names: dict[str, str] | None = None) -> str:
    """The per-file ingest report, one line per file, with the name the user uploaded rather than our copy's."""
    if not results:
        return "Inga filer lästes in."
    names = names or {}
    lines = []
    for r in results:
        shown = names.get(r.path, r.path.rsplit("/", 1)[-1])
        extra = f" ({r.chunks} avsnitt)" if r.status == "ingested" else (f": {r.reason}" if r.reason else "")
        lines.append(f"- {esc(shown)} – {_STATUS.get(r.status, r.status)}{esc(extra)}")
    return "\n".join(lines)
