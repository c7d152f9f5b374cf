"""Small pieces every tab shares: the filter dropdowns (one per filter the Filters table offers on the web) and how
their choices become a search filter."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from assistant.api import DocRecord, FilterField, Filters

if TYPE_CHECKING:
    import gradio as gr

log = logging.getLogger("styrdok.web")

ALL = ""  # the value of "no filter" in the dropdowns
ERROR_TEXT = "Något gick fel. Försök igen om en stund. Om felet finns kvar: kontakta den som driver tjänsten."
WEB_FILTERS: list[FilterField] = [f for f in Filters.table() if f.label]  # in the order the dropdowns stand


def choices(spec: FilterField, docs: Iterable[DocRecord] = ()) -> list[tuple[str, str]]:
    """A dropdown's choices: "all", then the fixed list, or else the values that occur in the index (a year with
    no documents would only give empty results)."""
    if spec.choices is not None:
        return [(spec.any_label, ALL)] + [(c.capitalize(), c) for c in spec.choices]
    return [(spec.any_label, ALL)] + [(str(v), str(v)) for v in spec.present(docs)]


def filter_dropdowns(tab: str) -> list[gr.Dropdown]:
    """The filter dropdowns of one tab, in a row the caller opened; element ids `<tab>-<slug>` (sok-ar, fraga-typ)."""
    import gradio as gr

    return [
        gr.Dropdown(
            choices(spec),
            value=ALL,
            label=spec.label,
            min_width=120 if spec.kind is int else 160,
            elem_id=f"{tab}-{spec.slug}",
        )  # fmt: skip
        for spec in WEB_FILTERS
    ]


def refreshed(docs: list[DocRecord]) -> list[gr.Dropdown]:
    """New choices for one tab's dropdowns from the documents now in the index (at page load)."""
    import gradio as gr

    return [gr.Dropdown(choices=choices(spec, docs)) for spec in WEB_FILTERS]


def to_filters(*values: str | None) -> Filters | None:
    """The dropdowns' values, in WEB_FILTERS order, as a search filter; None when nothing is chosen."""
    f = Filters.parse({spec.name: v for spec, v in zip(WEB_FILTERS, values, strict=False)})
    return None if f.is_empty() else f
