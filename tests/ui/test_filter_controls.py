"""The filter controls of the command line and the web page come from the one Filters table (index/catalog.py)."""

from __future__ import annotations

from click.testing import CliRunner

from assistant.api import DocRecord, Filters
from ui.cli import main
from ui.web_common import ALL, WEB_FILTERS, choices, to_filters


def _doc(year: int, publisher: str) -> DocRecord:
    return DocRecord("d", "s", "sha", "t", "mål", f"{year}-01-01", year, "", 1, publisher=publisher)


def test_every_filter_is_a_command_line_option():
    for command in ("search", "ask", "chat"):
        out = CliRunner().invoke(main, [command, "--help"]).output
        for spec in Filters.table():
            assert all(option in out for option in spec.options), (command, spec.options)


def test_the_web_dropdowns_follow_the_table():
    assert [f.name for f in WEB_FILTERS] == ["doc_type", "year", "publisher"]  # organ is not offered on the web
    docs = [_doc(2023, "Lunds kommun"), _doc(2025, "Regeringen"), _doc(2023, "")]
    by_name = {f.name: f for f in WEB_FILTERS}
    assert choices(by_name["year"], docs) == [("Alla år", ALL), ("2025", "2025"), ("2023", "2023")]
    assert choices(by_name["publisher"], docs)[1:] == [("Lunds kommun", "Lunds kommun"), ("Regeringen", "Regeringen")]
    assert choices(by_name["doc_type"])[:2] == [("Alla typer", ALL), ("Mål", "mål")]


def test_dropdown_values_become_filters():
    assert to_filters("mål", "2024", "") == Filters(doc_type="mål", year=2024)
    assert to_filters("", "", "Regeringen") == Filters(publisher="Regeringen")
    assert to_filters(ALL, ALL, ALL) is None
