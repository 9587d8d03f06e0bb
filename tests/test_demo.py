"""`ppp-gsuite demo` on a copy of the worked example: what it prints is what the workspace holds."""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import requests

from local_workspace.server import start
from ppp_gsuite.config import load_config
from ppp_gsuite.connect import signed_in_local_clients
from ppp_gsuite.demo import people
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.sheets_api import SheetsApi

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ("ppp-gsuite.yaml", "form_specs", "sheet_layouts", "email_templates")
CLI = [sys.executable, "-c", "from ppp_gsuite.cli import main; main()"]


def copy_example(folder: Path) -> Path:
    for name in EXAMPLE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copy(source, folder / name)
    return folder


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PPP_GSUITE_LOCAL_URL"}
    return subprocess.run(CLI + list(args), cwd=folder, env=env, capture_output=True, text=True, timeout=120)


def printed_summary(text: str) -> dict:
    """The summary's counts: rows per (spreadsheet link, tab), emails by kind, engagement people."""
    rows, emails, shared, section, link = {}, {}, None, None, None
    for line in text.splitlines():
        if not line.startswith(" "):  # a heading: which part of the summary the indented lines belong to
            section = (
                "sheets" if line.startswith("Spreadsheets:") else "emails" if line.startswith("Emails sent:") else None
            )
            if section == "emails":
                emails["total"] = int(line.split(":")[1].split()[0])
            found = re.match(r"Shared with the engagement team: (\d+) (?:person|people): (\S+)$", line)
            if found:
                shared = (int(found.group(1)), found.group(2))
        elif section == "sheets" and line.startswith("    "):
            tab, count = line.strip().rsplit(": ", 1)
            rows[(link, tab)] = int(count)
        elif section == "sheets":
            link = line.rsplit(": ", 1)[1]
        elif section == "emails":
            kind, count = line.strip().rsplit(": ", 1)
            emails[kind] = int(count)
    return {"rows": rows, "emails": emails, "shared": shared}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = copy_example(tmp_path_factory.mktemp("demo"))
    result = run(folder, "demo")
    assert result.returncode == 0, result.stdout + result.stderr
    url, stop = start(
        folder / ".ppp-gsuite" / "local.sqlite3", public_url="http://127.0.0.1:8470"
    )  # the links people open
    settings = load_config(folder / "ppp-gsuite.yaml").config.local
    clients = signed_in_local_clients(url, settings)  # as the demo signed in: that account's and app's files
    yield folder, result.stdout, url, DriveApi(clients.drive), SheetsApi(clients.sheets)
    stop()


def tab_values(drive, sheets, target):
    file = next(f for f in drive.find("spreadsheet") if f["appProperties"]["target"] == target)
    titles = [s["properties"]["title"] for s in sheets.metadata(file["id"])["sheets"]]
    return file, {title: values for title, (_, values) in sheets.read_tabs(file["id"], titles).items()}


def filled(values):
    return [row for row in values[1:] if any(cell.strip() for cell in row)]


def test_the_printed_rows_per_sheet_are_what_the_sheets_hold(demo):
    folder, out, url, drive, sheets = demo
    printed = printed_summary(out)["rows"]
    held = {}
    for file in drive.find("spreadsheet"):
        _, tabs = tab_values(drive, sheets, file["appProperties"]["target"])
        held.update({(file["webViewLink"], title): len(filled(values)) for title, values in tabs.items()})
    assert printed == held
    eoi = sum(count for (link, tab), count in held.items() if tab == "Expressions of interest")
    assert eoi == len(people.everyone()) == 12


def test_the_printed_emails_by_kind_are_what_the_outbox_holds(demo):
    folder, out, url, drive, sheets = demo
    outbox = requests.get(f"{url}/_local/gmail/messages", timeout=10).json()["messages"]
    _, admin = tab_values(drive, sheets, "admin")
    log = admin["Email log"]
    kind_of = {row[log[0].index("Message ID")]: row[log[0].index("Email")] for row in filled(log)}
    held = Counter(kind_of[message["id"]] for message in outbox)  # every message sent is in the log
    printed = printed_summary(out)["emails"]
    assert printed.pop("total") == len(outbox)
    assert printed == dict(held)
    appointed = sum(1 for _, p in people.everyone() if p.decision == people.APPOINTED)
    assert held["appointed"] == appointed and held["claim_approved"] == held["claim_queried"] == 1
    assert held["interview_invitation"] == sum(1 for _, p in people.everyone() if p.decision == people.INVITED)


def test_the_engagement_team_sees_who_consented_and_not_the_partner_who_withdrew(demo):
    folder, out, url, drive, sheets = demo
    file, tabs = tab_values(drive, sheets, "engagement")
    names = [row[0] for row in filled(tabs["Partners"])]
    assert printed_summary(out)["shared"] == (len(names), file["webViewLink"])
    appointed = [p for _, p in people.everyone() if p.decision == people.APPOINTED]
    withdrew = [p.name for p in appointed if p.withdraws]
    assert withdrew and not set(withdrew) & set(names)
    assert sorted(names) == sorted(p.name for p in appointed if p.shares and not p.withdraws)


def test_the_output_holds_no_name_address_or_phone_and_status_finds_nothing_for_a_person(demo):
    folder, out, url, drive, sheets = demo
    for _, person in people.everyone():
        for detail in (person.name, person.email, person.phone, person.name.split()[1]):
            assert detail not in out
    status = run(folder, "status")
    assert status.returncode == 0, status.stdout + status.stderr


def test_a_second_demo_refuses_the_used_workspace_and_changes_nothing(demo):
    folder, out, url, drive, sheets = demo
    before = len(requests.get(f"{url}/_local/gmail/messages", timeout=10).json()["messages"])
    forms = len(drive.find("form"))
    again = run(folder, "demo")
    assert again.returncode == 2
    assert "fresh" in again.stderr
    assert len(requests.get(f"{url}/_local/gmail/messages", timeout=10).json()["messages"]) == before
    assert len(drive.find("form")) == forms


def test_the_demo_refuses_google(tmp_path):
    folder = copy_example(tmp_path)
    config = folder / "ppp-gsuite.yaml"
    config.write_text(
        config.read_text().replace("backend: local", "backend: google")
        + "\ngoogle:\n  credentials: secrets/token.json\n"
    )
    result = run(folder, "demo")
    assert result.returncode == 2
    assert "never on Google" in result.stderr
    assert not (folder / ".ppp-gsuite" / "local.sqlite3").exists()


def printed_forms(text: str) -> dict:
    """The summary's forms: name -> link (the indented lines under "Forms: N")."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Forms: "))
    forms = {}
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        name, link = line.strip().rsplit(": ", 1)
        forms[name] = link
    assert len(forms) == int(lines[start].split()[1])
    return forms


def test_status_json_shows_what_the_demo_printed(demo):
    """What the demo printed (read back from the pages and the outbox) is what `status --json` reads
    from the workspace: forms and their links, rows per tab, emails sent by kind, people shared."""
    import json

    folder, out, url, drive, sheets = demo
    result = run(folder, "status", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    status = json.loads(result.stdout)
    assert {form["name"]: form["link"] for form in status["forms"]} == printed_forms(out)
    assert all(form["open"] for form in status["forms"])
    assert sum(form["responses"] for form in status["forms"] if form["target"].startswith("eoi-")) == 12
    printed = printed_summary(out)
    rows = {(sheet["link"], tab): count for sheet in status["spreadsheets"] for tab, count in sheet["rows"].items()}
    assert rows == printed["rows"]
    emails = dict(printed["emails"])
    assert emails.pop("total") == sum(status["emails"]["sent_by_kind"].values())
    assert emails == status["emails"]["sent_by_kind"]
    engagement = next(sheet for sheet in status["spreadsheets"] if sheet["target"] == "engagement")
    assert (engagement["rows"]["Partners"], engagement["link"]) == printed["shared"]
    assert status["emails"]["unknown"] == [] and status["exit_code"] == 0
