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

from assistant.goal_finder import GoalMatch
from assistant.types import Answer, Citation
from index.catalog import DocRecord
from index.hybrid import Hit
from ingest.model import FileResult

NOTICE = (
    "**Tänk på:** Svaren tas fram automatiskt av en AI ur kommunens dokument. Ett svar är inte ett beslut. "
    "Kontrollera alltid i källan innan du använder uppgiften."
)

_CITE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_STATUS = {"ingested": "✓ inläst", "skipped": "– hoppades över", "failed": "✗ misslyckades", "removed": "✗ borttagen"}


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _one_block(text: str) -> str:
    """Escaped text with its line breaks kept but no blank lines (see the module docstring)."""
    return esc(re.sub(r"\s*\n\s*", "\n", text)).replace("\n", "<br>")


def where(doc_type: str, date: str, page: int, section: str) -> str:
    """Type · date · page · section: the facts a reader needs to find the passage in the original."""
    bits = [doc_type.capitalize() if doc_type else "", date, f"s. {page}" if page else "", section]
    return " · ".join(esc(b) for b in bits if b)


def anchor(turn: int, n: int) -> str:
    """Unique per answer: the chat keeps earlier answers, each with its own [1], [2] …"""
    return f"kalla-{turn}-{n}"


def passage_html(text: str, start: int, end: int) -> str:
    """The passage with the quoted part marked; offsets outside the text mark nothing rather than the wrong thing."""
    if not (0 <= start < end <= len(text)):
        return _one_block(text)
    return f"{_one_block(text[:start])}<mark>{_one_block(text[start:end])}</mark>{_one_block(text[end:])}"


def citation_html(c: Citation, turn: int) -> str:
    meta = where(c.doc_type, c.date, c.page, c.section)
    return (
        f'<details class="kalla" id="{anchor(turn, c.n)}"><summary><span class="nr">[{c.n}]</span> {esc(c.title)}'
        f'</summary><div class="kalla-meta">{meta}</div>'
        f'<blockquote class="kalla-text">{passage_html(c.text, c.start, c.end)}</blockquote></details>'
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


def answer_message(a: Answer, turn: int) -> str:
    """The assistant's chat message: answer, citation links, and the sources to open (closed until clicked)."""
    parts = [link_citations(esc(a.answer), turn, (c.n for c in a.citations))]
    if a.notice:
        parts.append(f"<p class='svar-notis'>{esc(a.notice)}</p>")
    if a.refused and any(d.title not in a.answer for d in a.closest):  # unless the answer already names them
        items = "".join(
            f"<li>{esc(d.title)}{' · ' + esc(d.date) if d.date else ''}{' · ' + esc(d.section) if d.section else ''}"
            "</li>"
            for d in a.closest
        )
        parts.append(f"<p class='kallor-rubrik'>Dokument som ligger närmast frågan:</p><ul>{items}</ul>")
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


def hits_html(hits: Sequence[Hit], query: str) -> str:
    if not query.strip():
        return "<p class='tomt'>Skriv vad du letar efter och tryck på Sök.</p>"
    if not hits:
        return "<p class='tomt'>Inga träffar. Prova andra ord eller ta bort filtren.</p>"
    rows = "".join(
        f"<li class='traff'><div class='traff-titel'>{esc(h.title)}</div>"
        f"<div class='kalla-meta'>{where(h.doc_type, h.date, h.page, h.section)}</div>"
        f"<p class='traff-text'>{snippet(h.text, query)}</p></li>"
        for h in hits
    )
    return f"<p class='antal'>{len(hits)} träffar, de bästa först.</p><ol class='traffar'>{rows}</ol>"


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


def documents_html(docs: Sequence[DocRecord]) -> str:
    """The indexed documents, newest first; a list rather than a table so that it reads on a phone."""
    if not docs:
        return "<p class='tomt'>Inga dokument är inlästa ännu.</p>"
    rows = "".join(
        f"<li class='dok'><div class='dok-titel'>{esc(d.title)}</div><div class='kalla-meta'>"
        f"{where(d.doc_type, d.date or 'inget datum', 0, '')} · {d.n_chunks} avsnitt · id {esc(d.doc_id)}</div></li>"
        for d in docs
    )
    return f"<p class='antal'>{len(docs)} dokument.</p><ul class='dokument'>{rows}</ul>"


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
