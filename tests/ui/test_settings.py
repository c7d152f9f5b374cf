"""One settings object, read once at the entry point: a wrong value stops `styrdok` with the same Swedish message
naming the variable, whether the command searches, ingests or starts the web app."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.settings import AppSettings
from ui.cli import main


@pytest.mark.parametrize(
    ("name", "bad", "kind"),
    [
        ("STYRDOK_MAX_FILE_MB", "femtio", "ett tal"),
        ("STYRDOK_MAX_FILE_MB", "-1", "ett tal"),
        ("STYRDOK_THREADS", "0", "ett heltal"),
        ("STYRDOK_LLM_CONTEXT_TOKENS", "många", "ett heltal"),
    ],
)
def test_the_same_message_for_the_cli_and_the_web(tmp_path: Path, name: str, bad: str, kind: str):
    expected = f"Fel: Miljövariabeln {name} har värdet '{bad}', men ska vara {kind} större än 0.\n"
    env = {"STYRDOK_HOME": str(tmp_path / "home"), name: bad}
    for args in (["search", "klimat"], ["ingest", str(tmp_path)], ["serve", "--port", "1"]):
        r = CliRunner().invoke(main, args, env=env)
        assert (r.exit_code, r.output) == (2, expected), args


@pytest.mark.parametrize("name", ["STYRDOK_MAX_FILE_MB", "STYRDOK_INGEST_THREADS"])
def test_a_set_but_empty_number_is_an_error_too(tmp_path: Path, name: str):
    # Before, ingest fell back to the default for an empty STYRDOK_MAX_FILE_MB while the web app crashed.
    env = {"STYRDOK_HOME": str(tmp_path / "home"), name: ""}
    for args in (["ingest", str(tmp_path)], ["serve", "--port", "1"]):
        r = CliRunner().invoke(main, args, env=env)
        assert r.exit_code == 2, args
        assert r.output.startswith(f"Fel: Miljövariabeln {name} är satt men tom."), (args, r.output)


@pytest.mark.parametrize("name", ["STYRDOK_WEB_CONCURRENCY", "STYRDOK_UPLOAD_CLEANUP_S"])
def test_web_settings_are_checked_at_start_up(tmp_path: Path, name: str):
    r = CliRunner().invoke(main, ["serve", "--port", "1"], env={"STYRDOK_HOME": str(tmp_path), name: "många"})
    assert r.exit_code == 2
    assert r.output == f"Fel: Miljövariabeln {name} har värdet 'många', men ska vara ett heltal större än 0.\n"
    r = CliRunner().invoke(main, ["serve", "--port", "1"], env={"STYRDOK_HOME": str(tmp_path), name: ""})
    assert (r.exit_code, r.output.startswith(f"Fel: Miljövariabeln {name} är satt men tom.")) == (2, True)


def test_the_settings_are_a_snapshot(tmp_path: Path):
    env = {"STYRDOK_HOME": str(tmp_path), "STYRDOK_ORGANISATION": " Lunds  kommun ", "STYRDOK_CRASH_AT": ""}
    app = AppSettings.from_env(env)
    env["STYRDOK_ORGANISATION"] = "Annan"
    assert app.index.home == tmp_path and app.answer.organisation == "Lunds kommun"
    assert app.env["STYRDOK_ORGANISATION"] == " Lunds  kommun " and app.index.crash_at == ""
