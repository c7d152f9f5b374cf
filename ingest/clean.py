"""Text normalisation shared by the loaders: whitespace, unicode, hyphenation and running headers/footers."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict

SOFT_HYPHEN = "\u00ad"

# PDF text often carries typographic ligatures; split them so words match what users type.
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})

# Zero-width characters and other invisible format characters that only break words apart.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Control characters other than tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Every horizontal whitespace character (NBSP, thin space, tabs …) becomes one plain space.
_HSPACE = re.compile(r"[^\S\n]+")

# Words after a line-final hyphen that show the hyphen is real: "miljö-\noch klimat" is "miljö- och klimat".
_KEEP_HYPHEN_BEFORE = {"och", "eller", "samt", "respektive", "resp", "som", "till", "men", "and", "or"}
# Lookarounds instead of consuming the words, so "a-\nb-\nc" joins both breaks.
_EOL_HYPHEN = re.compile(r"(?<=\w)[-\u2010][ \t]*\n[ \t]*(?=\w)")
_WORD = re.compile(r"\w+")


def _join_hyphen(match: re.Match[str]) -> str:
    before = match.string[match.start() - 1]
    after = _WORD.match(match.string, match.end())
    word = after.group() if after else ""
    if word.lower() in _KEEP_HYPHEN_BEFORE:
        return "- "
    # "EU-\nprojekt", "Covid-\n19", "Lund-\nMalmö": abbreviations, digits and names keep their hyphen.
    if before.isupper() or before.isdigit() or word[:1].isdigit() or word[:1].isupper():
        return "-"
    return ""


def clean_text(text: str) -> str:
    """Normalise text: NFC, no soft hyphens/controls, joined end-of-line hyphenation, tidy whitespace.

    Line breaks are kept (single newlines, and at most one blank line between paragraphs) so callers can still
    see the paragraph structure; loaders flatten paragraph text themselves.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    # A soft hyphen at a line end is a hyphenation point: the word continues on the next line.
    text = re.sub(SOFT_HYPHEN + r"[ \t]*\n[ \t]*", "", text)
    text = text.replace(SOFT_HYPHEN, "").translate(_LIGATURES)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = unicodedata.normalize("NFC", text)
    text = _HSPACE.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _EOL_HYPHEN.sub(_join_hyphen, text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def flatten(text: str) -> str:
    """clean_text, then one line: for paragraph text whose line breaks are only layout."""
    return re.sub(r"\s*\n\s*", " ", clean_text(text))


# --- running headers and footers -------------------------------------------------------------------------------

# Lines that are nothing but a page number: "3", "- 3 -", "Sida 3 av 36", "Sid 3 (36)", "Page 3 of 36", "3 (36)".
_PAGE_NUMBER = re.compile(
    r"^(?:(?:sida|sid|s\.|page|p\.)\s*)?[-–—(]?\s*\d{1,4}\s*[-–—)]?\s*(?:(?:av|of|/)\s*\d{1,4}|\(\s*\d{1,4}\s*\))?$",
    re.IGNORECASE,
)
# Explicit page-number wording, safe to remove even on a single page.
_PAGE_NUMBER_EXPLICIT = re.compile(
    r"^(?:(?:sida|sid|page)\s*\d{1,4}(?:\s*(?:av|of|/)\s*\d{1,4}|\s*\(\s*\d{1,4}\s*\))?|[-–—]\s*\d{1,4}\s*[-–—])$",
    re.IGNORECASE,
)
# Lines that share a shape with a running header but are document structure and must stay.
_STRUCTURE_LINE = re.compile(r"^(?:fokusområde|mål|§)\s*\d", re.IGNORECASE)
_EDGE_LINES = 4  # running lines sit among the first/last few lines of a page's extracted text


def _line_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def _numbers(line: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", line)]


def _edge_indexes(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if len(filled) <= 2 * _EDGE_LINES:
        return filled
    return filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]


def strip_running_lines(pages: list[str]) -> list[str]:
    """Remove running headers/footers and bare page numbers from the text of each page.

    A line is running when a line of the same shape (digits ignored) sits near the top or bottom of (nearly) every
    page. If the lines differ only in numbers, one number must follow the page number ("SID 3 (36)", "SID 4 (36)"),
    so that a goal heading that happens to open two pages is not taken for a header.
    """
    n_pages = len(pages)
    page_lines = [page.split("\n") for page in pages]
    edges = [_edge_indexes(lines) for lines in page_lines]
    # Short documents need the line on every page: two pages sharing a subheading is not a running header.
    threshold = n_pages if n_pages <= 3 else max(3, math.ceil(0.6 * n_pages))

    # key -> {page index: [line indexes]}
    occurrences: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for p, idxs in enumerate(edges):
        for i in idxs:
            occurrences[_line_key(page_lines[p][i])][p].append(i)

    remove: set[tuple[int, int]] = set()
    if n_pages >= 2:
        for _key, by_page in occurrences.items():
            if len(by_page) < threshold:
                continue
            texts = {" ".join(page_lines[p][i].split()) for p, idxs in by_page.items() for i in idxs}
            if len(texts) == 1:
                remove.update((p, i) for p, idxs in by_page.items() for i in idxs)
                continue
            sample = page_lines[next(iter(by_page))][by_page[next(iter(by_page))][0]].strip()
            if _STRUCTURE_LINE.match(sample):
                continue
            # Which number position tracks the page number, and with what offset?
            offsets: dict[tuple[int, int], set[int]] = defaultdict(set)
            for p, idxs in by_page.items():
                for i in idxs:
                    for pos, number in enumerate(_numbers(page_lines[p][i])):
                        offsets[(pos, number - p)].add(p)
            best = max((pages_ for pages_ in offsets.values()), key=len, default=set())
            if len(best) >= threshold:
                remove.update((p, i) for p in best for i in by_page[p])

    result = []
    for p, lines in enumerate(page_lines):
        kept = []
        edge_set = set(edges[p])
        for i, line in enumerate(lines):
            if (p, i) in remove:
                continue
            stripped = line.strip()
            if i in edge_set and stripped:
                if _PAGE_NUMBER_EXPLICIT.match(stripped):
                    continue
                if n_pages >= 2 and _PAGE_NUMBER.match(stripped) and _is_page_number(stripped, p, n_pages):
                    continue
            kept.append(line)
        result.append("\n".join(kept))
    return result


def _is_page_number(line: str, page_index: int, n_pages: int) -> bool:
    """A lone bare number at a page edge counts as a page number when it matches the page's position.

    Consistently offset numbering (cover, table of contents) is already caught as a running line.
    """
    numbers = _numbers(line)
    return len(numbers) == 1 and numbers[0] - (page_index + 1) in (-1, 0) and numbers[0] <= n_pages
