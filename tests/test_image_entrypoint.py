"""The container image's own command, read from the Dockerfile, in a clean environment (as `env -i`
gives it: only PATH, HOME and the image's ENV), against the local workspace with two organisations.

The folder of the test stands for the image's WORKDIR; `ppp-gsuite` is found on PATH as pip
installs it in the image. Nothing of this test process's environment reaches the command.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import LocalControls
from local_workspace import server
from many_orgs import account, eoi_answers, write_orgs
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.sheets_api import SheetsApi
from ppp_gsuite.orgs import TASK_COUNT_ENV, TASK_INDEX_ENV

ROOT = Path(__file__).parent.parent
ORGS = ["alder", "birch"]
STORE = "../store/local.sqlite3"  # one local workspace (one "Google") for both, as from orgs/


def dockerfile() -> dict:
    """The instructions the test needs: ENTRYPOINT and CMD (exec form), ENV, WORKDIR, USER, FROM."""
    text = (ROOT / "Dockerfile").read_text()
    lines = re.sub(r"\\\n\s*", " ", text).splitlines()  # continuation lines joined
    found: dict = {"ENV": {}}
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        instruction, _, rest = line.strip().partition(" ")
        if instruction in ("ENTRYPOINT", "CMD"):
            found[instruction] = json.loads(rest)  # the exec form: no shell between the image and its command
        elif instruction == "ENV":
            found["ENV"].update(part.split("=", 1) for part in shlex.split(rest))
        elif instruction in ("WORKDIR", "USER", "FROM"):
            found[instruction] = rest.strip()
    return found


def image_command() -> tuple[list[str], dict[str, str]]:
    image = dockerfile()
    return image["ENTRYPOINT"] + image["CMD"], image["ENV"]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What `env -i` leaves, plus the image's ENV: ppp-gsuite on PATH as in the image."""
    _command, image_env = image_command()
    return {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(home), **image_env, **extra}


def test_the_image_is_the_official_python_slim_and_runs_as_a_user_of_its_own():
    image = dockerfile()
    assert image["FROM"].startswith("python:3.11-slim")
    assert image["USER"] and image["USER"] not in ("root", "0")
    command, _env = image_command()
    assert command[:2] == ["ppp-gsuite", "sync"] and "--configs" in command


def spreadsheet_people(local: LocalControls, name: str) -> set[str]:
    clients = local.clients(user=account(name))
    sheets = SheetsApi(clients.sheets)
    cells = set()
    for found in DriveApi(clients.drive).find("spreadsheet"):
        titles = [s["properties"]["title"] for s in sheets.metadata(found["id"])["sheets"]]
        for _range, rows in sheets.read_tabs(found["id"], titles).values():
            cells.update(value for row in rows for value in row)
    return cells


@pytest.fixture
def folder(tmp_path):
    """The image's WORKDIR: two organisations' configs, deployed, each with one applicant."""
    write_orgs(tmp_path, ORGS, store=STORE)
    home = tmp_path / "home"
    home.mkdir()
    for name in ORGS:
        deployed = subprocess.run(
            ["ppp-gsuite", "--config", f"orgs/{name}.yaml", "deploy-forms"],
            cwd=tmp_path,
            env=clean_env(home),
            capture_output=True,
            text=True,
        )
        assert deployed.returncode == 0, deployed.stderr
    url, stop = server.start(tmp_path / "store" / "local.sqlite3")
    try:
        local = LocalControls(url)
        for name in ORGS:
            forms = {
                f["appProperties"]["target"]: f["id"]
                for f in DriveApi(local.clients(user=account(name)).drive).find("form")
            }
            local.add_response(
                forms["eoi-heart-board"], eoi_answers(f"{name.title()} Person", f"{name}@people.example.com")
            )
    finally:
        stop()
    return tmp_path


def run_image(folder: Path, **env: str) -> subprocess.CompletedProcess:
    command, _image_env = image_command()
    return subprocess.run(
        command, cwd=folder, env=clean_env(folder / "home", **env), capture_output=True, text=True, timeout=300
    )


def test_the_image_command_syncs_each_organisation_and_a_cloud_run_task_only_its_own(folder):
    task = run_image(folder, **{TASK_INDEX_ENV: "1", TASK_COUNT_ENV: "2"})

    assert task.returncode == 0, task.stdout + task.stderr
    assert [line.split(" (")[0] for line in task.stdout.splitlines() if line.startswith("organisation ")] == [
        "organisation Birch Care Partnership"
    ]
    url, stop = server.start(folder / "store" / "local.sqlite3")
    try:
        local = LocalControls(url)
        assert "Birch Person" in spreadsheet_people(local, "birch")
        assert spreadsheet_people(local, "alder") == set()  # task 1 is birch's alone
    finally:
        stop()

    whole = run_image(folder)

    assert whole.returncode == 0, whole.stdout + whole.stderr
    summaries = [line for line in whole.stdout.splitlines() if line.startswith("organisation ")]
    assert len(summaries) == 2 and all(": exit 0, ok," in line for line in summaries)
    assert "Person" not in whole.stdout + whole.stderr and "@people" not in whole.stdout + whole.stderr
    url, stop = server.start(folder / "store" / "local.sqlite3")
    try:
        local = LocalControls(url)
        alder, birch = spreadsheet_people(local, "alder"), spreadsheet_people(local, "birch")
        assert "Alder Person" in alder and "Birch Person" not in alder
        assert "Birch Person" in birch and "Alder Person" not in birch
    finally:
        stop()


def test_a_task_count_that_differs_from_the_configs_is_refused(tmp_path):
    write_orgs(tmp_path, ORGS, store=STORE)
    (tmp_path / "home").mkdir()
    refused = run_image(tmp_path, **{TASK_INDEX_ENV: "0", TASK_COUNT_ENV: "3"})
    assert refused.returncode == 2
    assert "set the job's task count (--tasks) to 2" in refused.stderr


def test_the_example_organisation_config_is_valid(tmp_path):
    """deploy/orgs/example-org.yaml.example, placed as the image places it, passes validate."""
    for part in ("form_specs", "sheet_layouts", "email_templates"):
        (tmp_path / part).symlink_to(ROOT / part)
    (tmp_path / "orgs").mkdir()
    config = tmp_path / "orgs" / "example-org.yaml"
    config.write_text((ROOT / "deploy" / "orgs" / "example-org.yaml.example").read_text())
    done = subprocess.run(
        ["ppp-gsuite", "--config", str(config), "validate"],
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
