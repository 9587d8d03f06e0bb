"""`ppp-gsuite sync --configs GLOB`: many organisations, one config each, in one run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from googleapiclient.errors import HttpError

from many_orgs import account, eoi_answers, write_orgs
from ppp_gsuite.cli import main
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.sheets_api import SheetsApi
from ppp_gsuite.orgs import TASK_COUNT_ENV, TASK_INDEX_ENV, NoConfigs, config_files, worst

ORGS = ["alder", "birch", "cedar"]
PEOPLE = {
    "alder": [("Ada Alder", "ada@people.example.com"), ("Abe Alder", "abe@people.example.com")],
    "birch": [("Bea Birch", "bea@people.example.com")],
    "cedar": [("Cal Cedar", "cal@people.example.com"), ("Cy Cedar", "cy@people.example.com")],
}


def cli(*args):
    return CliRunner().invoke(main, list(args))


def everything_visible(local, name: str) -> tuple[list[dict], set[str]]:
    """The spreadsheets an organisation's account finds, and every cell value in them."""
    clients = local.clients(user=account(name))
    drive, sheets = DriveApi(clients.drive), SheetsApi(clients.sheets)
    found = drive.find("spreadsheet")
    cells: set[str] = set()
    for spreadsheet in found:
        titles = [s["properties"]["title"] for s in sheets.metadata(spreadsheet["id"])["sheets"]]
        for _range, rows in sheets.read_tabs(spreadsheet["id"], titles).values():
            cells.update(value for row in rows for value in row)
    return found, cells


@pytest.fixture
def orgs(tmp_path, monkeypatch, local):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    paths = write_orgs(tmp_path, ORGS)
    forms = {}
    for name, path in paths.items():
        deployed = cli("--config", str(path), "deploy-forms")
        assert deployed.exit_code == 0, deployed.output
        clients = local.clients(user=account(name))
        forms[name] = {f["appProperties"]["target"]: f["id"] for f in DriveApi(clients.drive).find("form")}
    return paths, forms


def test_three_organisations_sync_in_one_run_each_into_its_own_spreadsheets_only(orgs, local):
    paths, forms = orgs
    for name, people in PEOPLE.items():
        for full_name, email in people:
            local.add_response(forms[name]["eoi-heart-board"], eoi_answers(full_name, email))

    result = cli("sync", "--configs", "orgs/*.yaml", "--parallel", "3")

    assert result.exit_code == 0, result.output
    summaries = [line for line in result.stdout.splitlines() if line.startswith("organisation ")]
    assert summaries == [
        f"organisation {name.title()} Care Partnership (orgs/{name}.yaml): exit 0, ok, " + line.rsplit(", ", 1)[1]
        for name, line in zip(ORGS, summaries, strict=True)
    ]
    for name in ORGS:
        found, cells = everything_visible(local, name)
        assert found, f"{name} has no spreadsheets"
        own = {value for person in PEOPLE[name] for value in person}
        others = {value for other in ORGS if other != name for person in PEOPLE[other] for value in person}
        assert own <= cells, f"{name}'s own applicants are missing from its spreadsheets"
        assert not others & cells, f"{name}'s spreadsheets hold another organisation's people"
        # Its files are its own account's, and no other organisation's account can open them.
        drive = local.clients(user=account(name)).drive
        for spreadsheet in found:
            owners = drive.files().get(fileId=spreadsheet["id"], fields="owners").execute()["owners"]
            assert [o["emailAddress"] for o in owners] == [account(name)]
            for other in ORGS:
                if other != name:
                    stranger = local.clients(user=account(other)).drive
                    with pytest.raises(HttpError) as refused:
                        stranger.files().get(fileId=spreadsheet["id"], fields="id").execute()
                    assert refused.value.resp.status == 404


def test_the_exit_code_is_the_worst_and_each_organisation_gets_its_line(orgs, local):
    paths, _forms = orgs
    paths["birch"].write_text(paths["birch"].read_text().replace("places: 2", "places: two"))

    result = cli("sync", "--configs", "orgs/*.yaml")

    assert result.exit_code == 2, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith("organisation ")]
    assert [line.split(": exit ")[1].split(",")[0] for line in lines] == ["0", "2", "0"]
    assert "places" in result.stderr  # birch's own run said what is wrong with its config


def test_a_pattern_matching_nothing_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("sync", "--configs", "orgs/*.yaml")
    assert result.exit_code == 2
    assert "no config matches 'orgs/*.yaml'" in result.stderr


def test_a_cloud_run_task_picks_its_config_by_index_from_the_sorted_matches(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "orgs").mkdir()
    for name in ("c", "a", "b"):
        (tmp_path / "orgs" / f"{name}.yaml").write_text("")
    env = {TASK_INDEX_ENV: "1", TASK_COUNT_ENV: "3"}
    assert [p.name for p in config_files("orgs/*.yaml", env)] == ["b.yaml"]
    assert [p.name for p in config_files("orgs/*.yaml", {})] == ["a.yaml", "b.yaml", "c.yaml"]
    for wrong in ({TASK_INDEX_ENV: "3", TASK_COUNT_ENV: "3"}, {TASK_INDEX_ENV: "0", TASK_COUNT_ENV: "2"}):
        with pytest.raises(NoConfigs, match="task count"):
            config_files("orgs/*.yaml", wrong)


def test_the_worst_exit_code_counts_a_killed_run_as_needing_a_person():
    assert worst([0, 0]) == 0
    assert worst([0, 2, 1]) == 2
    assert worst([0, -15]) == 1


def test_the_module_runs_as_the_cli(tmp_path):
    """The runner starts each organisation as `python -m ppp_gsuite.cli`: that must be the CLI."""
    done = subprocess.run([sys.executable, "-m", "ppp_gsuite.cli", "sync", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--configs" in done.stdout


# A stand-in for one organisation's sync: it notes that it began, then takes its time.
_DRIVER = """
import sys, pathlib
from ppp_gsuite.orgs import Runner

folder = pathlib.Path(sys.argv[1])

class Slow(Runner):
    def command(self, config):
        return [sys.executable, "-c", f"import pathlib, time; pathlib.Path({str(folder / config.stem)!r}).touch(); time.sleep(30)"]

configs = [folder / f"{name}.yaml" for name in ("alder", "birch", "cedar")]
runs = Slow([], parallel=1).run(configs, lambda run: print(run.summary, flush=True))
"""


@pytest.mark.parametrize("how", ["SIGTERM to the runner", "Ctrl-C in its terminal"])
def test_told_to_stop_the_runner_ends_the_running_sync_and_starts_no_other(tmp_path, how):
    import os
    import signal
    import time

    driver = subprocess.Popen([sys.executable, "-c", _DRIVER, str(tmp_path)], start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "alder").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (tmp_path / "alder").exists()
        if how == "SIGTERM to the runner":
            driver.send_signal(signal.SIGTERM)
        else:  # the terminal sends SIGINT to every process of the foreground group
            os.killpg(driver.pid, signal.SIGINT)
        driver.wait(timeout=20)
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alder"], "a sync began after the runner was told to stop"


def test_with_json_logs_each_line_of_each_organisations_log_says_whose_it_is(orgs, local):
    import json

    paths, _forms = orgs
    paths["birch"].write_text(paths["birch"].read_text().replace("places: 2", "places: two"))

    result = cli("sync", "--configs", "orgs/*.yaml", "--log-format", "json")

    assert result.exit_code == 2, result.output
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]  # each a JSON object
    finished = [e for e in entries if e.get("message") == "sync finished"]
    assert {e["config"]: e["exit_code"] for e in finished} == {f"orgs/{name}.yaml": 0 for name in ORGS} | {
        "orgs/birch.yaml": 2
    }
    assert {e["organisation"] for e in entries} == {"Alder Care Partnership", "birch", "Cedar Care Partnership"}
    birch = [e for e in entries if e["config"] == "orgs/birch.yaml"]
    assert birch and any("places" in e["message"] for e in birch)  # its config error, said as its own
