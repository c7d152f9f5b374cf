"""Small pieces every tab shares: the filter choices and how a choice becomes a search filter."""

from __future__ import annotations

import logging

from assistant.api import DOC_TYPES, DocRecord, Filters

log = logging.getLogger("styrdok.web")

ALL = ""  # the value of "no filter" in the dropdowns
TYPE_CHOICES: list[tuple[str, str]] = [("Alla typer", ALL)] + [(t.capitalize(), t) for t in DOC_TYPES]
ERROR_TEXT = "Något gick fel. Försök igen om en stund. Om felet finns kvar: kontakta den som driver tjänsten."


def year_choices(docs: list[DocRecord]) -> list[tuple[str, str]]:
    """Years that occur in the index, newest first: a year with no documents would only give empty results."""
    years = sorted({d.year for d in docs if d.year}, reverse=True)
    return [("Alla år", ALL)] + [(str(y), str(y)) for y in years]


def publisher_choices(docs: list[DocRecord]) -> list[tuple[str, str]]:
    """Publishers that occur in the index ("Regeringen", "Lunds kommun"), alphabetically."""
    return [("Alla utgivare", ALL)] + [(p, p) for p in sorted({d.publisher for d in docs if d.publisher})]


def to_filters(doc_type: str | None, year: str | None, publisher: str | None = None) -> Filters | None:
    f = Filters(doc_type=doc_type or None, year=int(year) if year else None, publisher=publisher or None)
    return None if f.is_empty() else f
