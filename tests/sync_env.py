"""A deployed minimal workspace on the local server, for sync and email tests."""
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests

from ppp_gsuite.forms.deploy import deploy
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.google.clients import local_clients
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.forms_api import FormsApi
from ppp_gsuite.google.gmail_api import GmailSender
from ppp_gsuite.google.sheets_api import SheetsApi
from ppp_gsuite.sync.destinations import destinations
from ppp_gsuite.sync.run import Sync
from ppp_gsuite.workspace import load_all

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
EOI = "expression_of_interest"
TAB = "Expressions of interest"


class Env:
    """A deployed minimal workspace on the local server, with helpers to answer forms and read sheets."""

    def __init__(self, local, root: Path):
        self.local, self.root = local, root
        self.loaded = load_all(root / "ppp-gsuite.yaml")
        clients = local_clients(local.url)
        self.forms, self.drive, self.sheets = FormsApi(clients.forms), DriveApi(clients.drive), SheetsApi(clients.sheets)
        outcomes = deploy(self.loaded.targets, self.forms, self.drive, date(2026, 11, 24))
        self.form_ids = {o.target.key: o.form_id for o in outcomes}
        self.clock = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def answer(self, form_key, spec, **answers):
        body = {"answers": {
            question_id(spec, key): {"questionId": question_id(spec, key), "textAnswers": {"answers": [{"value": v}]}}
            for key, v in answers.items()
        }}
        return self.local.add_response(self.form_ids[form_key], body)

    def apply(self, sheets=None, minutes=5, emails=False, config=None, **kwargs):
        config = config or self.loaded.workspace.config
        self.clock += timedelta(minutes=minutes)
        if emails:
            kwargs.setdefault("send", GmailSender(requests.Session(), self.local.url).send)
            kwargs.setdefault("templates", self.loaded.workspace.templates_dir)
        self.job = Sync(config, self.loaded.targets, destinations(config, self.loaded.targets, self.loaded.layouts),
                        self.forms, self.drive, sheets or self.sheets, self.clock, **kwargs)
        return self.job.run()

    def spreadsheet(self, target):
        return next(f["id"] for f in self.drive.find("spreadsheet") if f["appProperties"]["target"] == target)

    def tab(self, target, title=TAB):
        return self.sheets.read_tabs(self.spreadsheet(target), [title])[title][1]

    def records(self, target, title=TAB):
        values = self.tab(target, title)
        return [dict(zip(values[0], row + [""] * (len(values[0]) - len(row)))) for row in values[1:] if any(row)]

    def write(self, target, ranges):
        self.sheets.write(self.spreadsheet(target), ranges)


@pytest.fixture
def env(local, tmp_path, monkeypatch):
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    return Env(local, tmp_path)
