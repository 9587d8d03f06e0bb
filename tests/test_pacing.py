"""Pacing under Google's per-minute quotas: a large sync slows down instead of failing with a 429.

The stand-in counts quotas per clock minute as Google does; the tests move its clock and the pacer's
together (a fast clock), so minutes of quota pass without waiting real minutes.
"""

from __future__ import annotations

import io
import time
from collections import Counter

import pytest

from local_workspace.quotas import charge_of
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.errors import GoogleApiError
from ppp_gsuite.google.forms_api import FormsApi
from ppp_gsuite.google.pacing import Pacer, pace, quota_of
from ppp_gsuite.google.sheets_api import SheetsApi
from ppp_gsuite.progress import wait_display

# The stand-in's limits, lowered so a small sync needs several minutes of quota; the pacer keeps to them.
LIMITS = {"sheets.read": 3, "sheets.write": 3, "forms.read": 4, "forms.expensiveRead": 2, "forms.write": 4}


class FastClock:
    """The pacer's clock and the stand-in's quotas' clock, moved on together when the pacer sleeps."""

    def __init__(self, local=None):
        self.local, self.offset = local, 0.0

    def time(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.offset += seconds
        if self.local is not None:
            self.local.quotas(advance_seconds=seconds)


def test_requests_are_classified_by_quota_on_google_hosts_and_local_paths():
    assert quota_of("GET", "https://sheets.googleapis.com/v4/spreadsheets/x/values:batchGet?ranges=A") == (
        "sheets.read",
        1,
    )
    assert quota_of("POST", "http://127.0.0.1:1/v4/spreadsheets/x/values:batchUpdate") == ("sheets.write", 1)
    assert quota_of("POST", "https://sheets.googleapis.com/v4/spreadsheets/x/values:batchGetByDataFilter") == (
        "sheets.read",
        1,
    )
    assert quota_of("GET", "https://forms.googleapis.com/v1/forms/f/responses?pageSize=5000") == (
        "forms.expensiveRead",
        1,
    )
    assert quota_of("GET", "https://forms.googleapis.com/v1/forms/f") == ("forms.read", 1)
    assert quota_of("POST", "https://forms.googleapis.com/v1/forms/f:batchUpdate") == ("forms.write", 1)
    assert quota_of("POST", "https://gmail.googleapis.com/gmail/v1/users/me/messages/send") == ("gmail.units", 100)
    assert quota_of("GET", "https://www.googleapis.com/drive/v3/files?q=x") == ("drive.requests", 1)
    assert quota_of("POST", "https://oauth2.googleapis.com/token") is None


def test_no_minute_holds_more_than_the_limit_and_the_run_slows_down_instead():
    clock = FastClock()
    pacer = Pacer({"sheets.write": 60}, clock=clock.time, sleep=clock.sleep)
    sent = []
    for _ in range(150):
        with pacer.paced("POST", "https://sheets.googleapis.com/v4/spreadsheets/x/values:batchUpdate"):
            sent.append(clock.time())
    for i, at in enumerate(sent):  # any 60 seconds, wherever Google's minute starts
        assert sum(1 for other in sent[i:] if other < at + 60) <= 60
    assert sent[-1] - sent[0] >= 120  # 150 writes need at least two minutes after the first
    assert pacer.quota_minutes() == {"sheets.write": 2.5}
    assert "150 Sheets write requests = 2.50 min" in pacer.summary()


def test_progress_bar_on_a_terminal_and_nothing_under_cron():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert wait_display(io.StringIO()) is None  # cron: stderr is a file
    terminal = Terminal()
    clock = FastClock()
    pacer = Pacer({"sheets.read": 2}, clock=clock.time, sleep=clock.sleep, on_wait=wait_display(terminal))
    for _ in range(3):
        with pacer.paced("GET", "https://sheets.googleapis.com/v4/spreadsheets/x"):
            pass
    assert "pausing for the per-minute quota of Sheets read requests" in terminal.getvalue()
    assert clock.offset >= 59  # it waited (on the fast clock) for the oldest read to leave the minute


def seed(env, count):
    """`count` expressions of interest over two forms, in one request a form (the stand-in's batch control)."""
    by_form: dict[str, list[dict]] = {"eoi-heart-board": [], "eoi-eye-group": []}
    for n in range(count):
        answers = {"full_name": f"Applicant {n}", "email": f"a{n}@example.org"}
        by_form["eoi-heart-board" if n % 2 else "eoi-eye-group"].append(
            {
                "answers": {
                    question_id("expression_of_interest", key): {
                        "questionId": question_id("expression_of_interest", key),
                        "textAnswers": {"answers": [{"value": value}]},
                    }
                    for key, value in answers.items()
                }
            }
        )
    for form, responses in by_form.items():
        added = env.local.json("POST", f"/_local/forms/{env.form_ids[form]}/responses/batch", {"responses": responses})
        assert len(added["responseIds"]) == len(responses)


def paced_adapters(local, clock, limits=LIMITS):
    clients = pace(local.clients(), Pacer(limits, clock=clock.time, sleep=clock.sleep))
    return clients, FormsApi(clients.forms), DriveApi(clients.drive), SheetsApi(clients.sheets)


@pytest.mark.parametrize("emails", [False, True])
def test_first_sync_under_the_quotas_gets_no_429_and_its_quota_minutes_match_the_requests(env, local, emails):
    seed(env, 24)
    local.quotas(enforce=True, limits={**LIMITS, "gmail.units": 300}, clear=True)  # 3 sends a minute
    clock = FastClock(local)
    clients, forms, drive, sheets = paced_adapters(local, clock, {**LIMITS, "gmail.units": 300})
    before = len(local.requests())
    send = clients.mail.send if emails else None
    report = env.sync(forms, drive, sheets, send=send).run() if emails else env.sync(forms, drive, sheets).run()
    assert report.added == 24
    assert local.quotas()["refused"] == 0  # no 429 reached the product
    made = Counter()
    for request in local.requests()[before:]:
        charge = charge_of(request["methodId"])
        if charge:
            made[charge[0]] += charge[1]
    pacer = clients.pacer
    assert {q: u for q, u in pacer.stats.units.items() if q != "drive.requests"} == dict(made)
    minutes = pacer.quota_minutes()
    assert minutes["sheets.write"] == made["sheets.write"] / 3
    assert clock.offset >= 60 * (max(minutes.values()) - 1)  # it took the minutes of quota it used
    if emails:
        assert made["gmail.units"] >= 2400  # 24 acknowledgements: 8 minutes of this Gmail quota, none refused


def test_the_same_sync_unpaced_is_refused(env, local):
    """The control: without pacing the stand-in answers 429 part-way (what the test above would see)."""
    seed(env, 24)
    local.quotas(enforce=True, limits=LIMITS, clear=True)
    with pytest.raises(GoogleApiError) as refused:
        env.sync().run()
    assert refused.value.code == 429


def test_sync_prints_the_quota_minutes_of_the_requests_it_made(workspace, local):
    import re

    from cli_env import run

    assert run("deploy-forms").exit_code == 0
    local.quotas(enforce=True)  # Google's figures: the sync keeps under them
    before = len(local.requests())
    result = run("sync")
    assert result.exit_code == 0, result.output
    writes = sum(1 for r in local.requests()[before:] if (charge_of(r["methodId"]) or ("",))[0] == "sheets.write")
    line = next(line for line in result.output.splitlines() if line.startswith("Google quota used:"))
    assert f"{writes} Sheets write requests = {writes / 60:.2f} min" in line
    assert re.search(r"at least \d+\.\d\d minutes of quota", line)
    assert local.quotas()["refused"] == 0
