"""A deployed minimal workspace on the local server, for sync and email tests."""

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from ppp_gsuite.forms.deploy import deploy
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.forms_api import FormsApi
from ppp_gsuite.google.gmail_api import GmailSender
from ppp_gsuite.google.retry import RetryPolicy
from ppp_gsuite.google.sheets_api import SheetsApi
from ppp_gsuite.sync.run import new_sync
from ppp_gsuite.workspace import load_all

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


def quick_retries(**kwargs) -> RetryPolicy:
    """The product's retry policy with waits of hundredths of a second: the same decisions, test-sized."""
    return RetryPolicy(**{"first_wait": 0.01, "longest_wait": 0.05, **kwargs})


EOI = "expression_of_interest"
TAB = "Expressions of interest"


class Env:
    """A deployed minimal workspace on the local server, with helpers to answer forms and read sheets."""

    def __init__(self, local, root: Path):
        self.local, self.root = local, root
        self.loaded = load_all(root / "ppp-gsuite.yaml")
        clients = local.clients()
        self.retry = quick_retries()
        self.forms, self.drive, self.sheets = (
            FormsApi(clients.forms, self.retry),
            DriveApi(clients.drive, self.retry),
            SheetsApi(clients.sheets, self.retry),
        )
        outcomes = deploy(self.loaded.targets, self.forms, self.drive, date(2026, 11, 24))
        self.form_ids = {o.target.key: o.form_id for o in outcomes}
        self.clock = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

    def answer(self, form_key, spec, **answers):
        return self.local.add_response(self.form_ids[form_key], self.answer_body(spec, **answers))

    @staticmethod
    def answer_body(spec, **answers):
        return {
            "answers": {
                question_id(spec, key): {
                    "questionId": question_id(spec, key),
                    "textAnswers": {"answers": [{"value": v}]},
                }
                for key, v in answers.items()
            }
        }

    def sync(self, forms=None, drive=None, sheets=None, emails=False, **kwargs):
        """A sync at the current clock, over these adapters (perhaps wrapped to crash) or the env's own."""
        if emails:
            kwargs.setdefault("send", GmailSender(self.local.session(), self.local.url).send)
        return new_sync(
            self.loaded, forms or self.forms, drive or self.drive, sheets or self.sheets, self.clock, **kwargs
        )

    def apply(self, sheets=None, minutes=5, emails=False, **kwargs):
        self.clock += timedelta(minutes=minutes)
        self.job = self.sync(sheets=sheets, emails=emails, **kwargs)
        return self.job.run()

    def spreadsheet(self, target):
        return next(f["id"] for f in self.drive.find("spreadsheet") if f["appProperties"]["target"] == target)

    def tab(self, target, title=TAB):
        return self.sheets.read_tabs(self.spreadsheet(target), [title])[title][1]

    def records(self, target, title=TAB):
        values = self.tab(target, title)
        return [dict(zip(values[0], row + [""] * (len(values[0]) - len(row)))) for row in values[1:] if any(row)]

    def as_sent(self, reference):
        """What the prefilled links in a person's emails fill in: their reference and their link code
        (made as the tool makes it, with the secret it keeps)."""
        from ppp_gsuite.sync.consent import link_code

        admin = next(f for f in self.drive.find("spreadsheet") if f["appProperties"]["target"] == "admin")
        return {"reference": reference, "link_code": link_code(admin["appProperties"]["link_secret"], reference)}

    def write(self, target, ranges):
        self.sheets.write(self.spreadsheet(target), ranges)


@pytest.fixture
def env(local, tmp_path, monkeypatch):
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    return Env(local, tmp_path)


class Crash(BaseException):
    """Stands for the process being killed: nothing after it runs (not an Exception: nothing catches it)."""


class KilledAt:
    """Kills a sync at its Nth call to Google (counted across the adapters and the sends), before the call
    reaches the server, or after the server did it but before its answer is used."""

    def __init__(self, at: int, after: bool = False):
        self.at, self.after, self.calls = at, after, 0

    def call(self, method):
        def wrapper(*args, **kwargs):
            self.calls += 1
            if self.calls != self.at:
                return method(*args, **kwargs)
            if self.after:
                method(*args, **kwargs)  # done (a send delivered), then killed before the answer was used
            raise Crash()

        return wrapper

    def wrap(self, adapter):
        killer = self

        class Proxy:
            def __getattr__(self, name):
                attribute = getattr(adapter, name)
                return killer.call(attribute) if callable(attribute) else attribute

        return Proxy()

    def sync(self, env: "Env", **kwargs):
        """A sync of `env` at its clock whose every call to Google counts towards the kill."""
        if "send" in kwargs:
            kwargs["send"] = self.call(kwargs["send"])
        return env.sync(self.wrap(env.forms), self.wrap(env.drive), self.wrap(env.sheets), **kwargs)


class NothingNew:
    """The Forms adapter as it answers ten minutes after the last response: nothing new listed (a quiet
    cron run, the usual case); everything else passes through."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def list_responses(self, form_id, since):
        return [], 1
