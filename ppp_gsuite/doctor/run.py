"""The doctor's steps: every kind of call the product makes, each on the throw-away form and spreadsheet,
through the product's own adapters, planner and sheet writer. Safe on a live Workspace: it touches
nothing but what it makes, and moves that to the bin at the end, whatever happened.

Each step reports one line: passed, skipped, not tried (a step it needs failed), or what Google said and
what to do (`advice.py`). A later step still runs when it does not need the one that failed, so one run
names every problem it can.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..errors import PppError
from ..forms.plan import plan_form
from ..google.clients import Clients
from ..google.drive_api import DriveApi
from ..google.errors import GoogleApiError, Unreachable
from ..google.forms_api import FormsApi
from ..google.sheets_api import SheetsApi
from ..mail.mime import build_message, encode_raw
from ..mail.templates import RenderedEmail
from ..sheets.formatting import tab_requests
from ..sync.rows import Row
from ..sync.sharing import sharing_problems
from ..sync.spreadsheets import sheet_id_for
from ..sync.table import plan_tab
from ..vocabulary import precise_stamp
from .advice import advice
from .throwaway import (
    DOCTOR_KIND,
    FORM_NAME,
    FORM_SPEC,
    FORMULA,
    SPEC_NAME,
    SPREADSHEET_NAME,
    TAB,
    tags,
)

PASSED, FAILED, SKIPPED, NOT_TRIED = "passed", "FAILED", "skipped", "not tried"
POLL_SECONDS = 5.0  # responses.list counts against Forms' 180 "expensive reads" a minute: a few a minute is nothing
TRASH_ATTEMPTS = 3
EMAIL_SUBJECT = "ppp-gsuite doctor: a test message to yourself"
EMAIL_TEXT = (
    "ppp-gsuite doctor sent this message to the account it signs in as, to check that it can send email. "
    "You can delete it."
)


@dataclass
class Step:
    name: str
    outcome: str = PASSED
    detail: str = ""

    def line(self) -> str:
        return f"{self.outcome}: {self.name}" + (f": {self.detail}" if self.detail else "")


@dataclass
class Apis:
    forms: FormsApi
    drive: DriveApi
    sheets: SheetsApi
    mail: object  # GmailSender: send(raw) -> message id, never retried (docs/decisions.md §5)

    @classmethod
    def of(cls, clients: Clients) -> Apis:
        return cls(FormsApi(clients.forms), DriveApi(clients.drive), SheetsApi(clients.sheets), clients.mail)


@dataclass
class Respond:
    """How the response step gets its response: `ask(link)` tells the person (or a test's browser), then the
    doctor waits up to `wait_seconds` for it to show in responses.list. None: --no-browser, skipped."""

    ask: Callable[[str], None]
    wait_seconds: float = 600.0


@dataclass
class Checkup:
    steps: list[Step] = field(default_factory=list)
    form_id: str | None = None
    spreadsheet_id: str | None = None
    link: str | None = None
    account: str | None = None
    responses: int = 0

    @property
    def passed(self) -> bool:
        return all(step.outcome in (PASSED, SKIPPED) for step in self.steps)


class Doctor:
    def __init__(
        self,
        apis: Apis,
        say: Callable[[str], None],
        respond: Respond | None,
        account: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.apis, self.say, self.respond, self.sleep, self.clock = apis, say, respond, sleep, clock
        self.checkup = Checkup(account=account)
        self._failed: set[str] = set()

    # -- running steps -------------------------------------------------------------------------------------

    def step(self, name: str, action: Callable[[], str | None], needs: tuple[str, ...] = (), made_here: bool = True):
        """Run one step (unless a step it needs failed) and say its line."""
        missing = [need for need in needs if need in self._failed]
        if missing:
            result = Step(name, NOT_TRIED, f"needs '{missing[0]}', which failed")
            self._failed.add(name)
        else:
            try:
                result = Step(name, PASSED, action() or "")
            except Skipped as skipped:
                result = Step(name, SKIPPED, str(skipped))
            except (PppError, GoogleApiError) as error:
                result = Step(name, FAILED, advice(error, made_here))
                self._failed.add(name)
        self.checkup.steps.append(result)
        self.say(result.line())
        return result

    def run(self) -> Checkup:
        started = self.clock()
        try:
            self._form_steps(started)
            self._spreadsheet_steps(started)
            self.step(SEND, self._send_email, made_here=False)
        finally:
            self.step(CLEAN_UP, self._clean_up, made_here=False)
        return self.checkup

    # -- the form ------------------------------------------------------------------------------------------

    def _form_steps(self, started: datetime) -> None:
        c, forms, drive = self.checkup, self.apis.forms, self.apis.drive
        plan = plan_form(SPEC_NAME, FORM_SPEC, None)
        body = plan.create
        assert body is not None  # a plan against no live form creates it
        created: dict = {}

        def create() -> str:
            created.update(forms.create(body))
            c.form_id, c.link = created["formId"], created.get("responderUri")
            tagged: dict[str, str | None] = {**tags(precise_stamp(started))}
            drive.set_app_properties(c.form_id, tagged)  # tag first: the clean-up finds it
            return f"'{FORM_NAME}' (forms.create, then tagged throw-away in its Drive appProperties)"

        def lay_out() -> str:
            assert c.form_id
            reply = forms.batch_update(c.form_id, plan.requests, created.get("revisionId"))
            live = forms.get(c.form_id)
            jumps = [
                option
                for item in live.get("items", [])
                for option in item.get("questionItem", {})
                .get("question", {})
                .get("choiceQuestion", {})
                .get("options", [])
                if option.get("goToSectionId") or option.get("goToAction")
            ]
            if len(live.get("items", [])) != 3 or len(jumps) != 2:
                raise PppError(
                    "Google accepted the layout but the form does not show it (items or section jumps missing): "
                    "please report this line"
                )
            return f"{len(reply.get('replies', []))} requests in one forms.batchUpdate, with a section jump"

        def publish() -> str:
            assert c.form_id
            forms.set_publish_state(c.form_id, True, True)
            return "forms.setPublishSettings"

        def responders() -> str:
            assert c.form_id
            drive.share_with_responders(c.form_id)
            return "anyone with the link may respond (Drive permission anyone/reader, view published)"

        def find() -> str:
            found = [f["id"] for f in drive.find(DOCTOR_KIND)]
            if c.form_id not in found:
                raise PppError(
                    "Drive did not find the form by its appProperties right after they were set: please report this "
                    "line (deploy-forms and sync find every form and spreadsheet this way)"
                )
            return "drive.files.list on appProperties"

        def permissions() -> str:
            assert c.form_id
            listed = drive.permissions(c.form_id)
            owner = next((p for p in listed if p.get("role") == "owner"), {})
            c.account = c.account or owner.get("emailAddress")
            if not any(p.get("type") == "anyone" and p.get("view") == "published" for p in listed):
                raise PppError("the responders' permission is not listed (includePermissionsForView=published)")
            return "the responders' permission is listed with includePermissionsForView=published"

        self.step(CREATE_FORM, create)
        self.step(LAY_OUT_FORM, lay_out, needs=(CREATE_FORM,))
        self.step(PUBLISH, publish, needs=(CREATE_FORM,))
        self.step(RESPONDERS, responders, needs=(CREATE_FORM,))
        self.step(FIND, find, needs=(CREATE_FORM,))
        self.step(PERMISSIONS, permissions, needs=(CREATE_FORM,))
        self.step(RESPONSE, self._response, needs=(LAY_OUT_FORM, PUBLISH, RESPONDERS))
        self.step(RESPONSES, lambda: self._responses(started), needs=(CREATE_FORM,))

    def _response(self) -> str:
        c = self.checkup
        if self.respond is None:
            raise Skipped("--no-browser: nobody was asked to submit the form")
        if not c.link:
            raise PppError("Google gave the form no responder link (responderUri)")
        self.respond.ask(c.link)
        assert c.form_id
        deadline = time.monotonic() + self.respond.wait_seconds
        while True:
            responses, _ = self.apis.forms.list_responses(c.form_id)
            if responses:
                c.responses = len(responses)
                return "a response arrived (forms.responses.list)"
            if time.monotonic() >= deadline:
                raise PppError(
                    f"no response arrived within {self.respond.wait_seconds / 60:g} minutes: open the link above, "
                    "answer and press Submit, then run doctor again (or use --no-browser to skip this step)"
                )
            self.sleep(POLL_SECONDS)

    def _responses(self, started: datetime) -> str:
        assert self.checkup.form_id
        since = precise_stamp(started - timedelta(minutes=10))  # as the sync asks: a mark minus an overlap
        responses, _ = self.apis.forms.list_responses(self.checkup.form_id, since)
        if len(responses) < self.checkup.responses:
            raise PppError(
                f"responses.list with the filter 'timestamp > {since}' left out a response submitted since: "
                "please report this line"
            )
        return f"filter 'timestamp > {since}' answered {len(responses)} response(s)"

    # -- the spreadsheet -----------------------------------------------------------------------------------

    def _spreadsheet_steps(self, started: datetime) -> None:
        c, drive, sheets = self.checkup, self.apis.drive, self.apis.sheets

        def create() -> str:
            file = drive.create_spreadsheet(SPREADSHEET_NAME, tags(precise_stamp(started)))
            c.spreadsheet_id = file["id"]
            return f"'{SPREADSHEET_NAME}', private, editors unable to share it (drive.files.create)"

        def check_sharing() -> str:
            file = next((f for f in drive.find(DOCTOR_KIND) if f["id"] == c.spreadsheet_id), None)
            if file is None:
                raise PppError("Drive did not find the new spreadsheet by its appProperties: please report this line")
            assert c.spreadsheet_id
            problems = sharing_problems((), drive.permissions(c.spreadsheet_id), file.get("writersCanShare"))
            if problems:
                raise PppError(
                    f"the new spreadsheet can be opened by more than its owner ({'; '.join(problems)}): ask your "
                    "Workspace administrator whether new files are shared by default"
                )
            return "only its owner can open it"

        def lay_out() -> str:
            assert c.spreadsheet_id
            requests = tab_requests(TAB, sheet_id_for(TAB.tab), add=True) + [{"deleteSheet": {"sheetId": 0}}]
            sheets.batch_update(c.spreadsheet_id, requests)
            return f"{len(requests)} requests in one spreadsheets.batchUpdate"

        def write() -> str:
            assert c.spreadsheet_id
            row = Row("doctor-check", "", {TAB.header("tool", "response_id"): "doctor-check", "Answer": FORMULA})
            writes = plan_tab(TAB, TAB.tab, [], [row])
            sheets.write(c.spreadsheet_id, writes.ranges)
            read = sheets.read_tabs(c.spreadsheet_id, [TAB.tab])[TAB.tab][1]
            if read[1:2] != [["doctor-check", FORMULA]]:
                raise PppError(
                    f"wrote {FORMULA!r} as plain text (RAW) and read back {read[1:2]!r}: please report this line"
                )
            return f"written RAW and read back as written ({FORMULA!r} stayed text)"

        self.step(CREATE_SHEET, create)
        self.step(SHEET_SHARING, check_sharing, needs=(CREATE_SHEET,))
        self.step(LAY_OUT_SHEET, lay_out, needs=(CREATE_SHEET,))
        self.step(WRITE_SHEET, write, needs=(LAY_OUT_SHEET,))

    # -- email ---------------------------------------------------------------------------------------------

    def _send_email(self) -> str:
        account = self.checkup.account
        if not account:
            raise PppError(
                "could not tell which account is signed in (Drive names it as the owner of the files the doctor "
                "makes, and none could be made), so no email was sent"
            )
        html = f"<p>{EMAIL_TEXT}</p>"
        message = build_message(("ppp-gsuite", account), ("", account), RenderedEmail(EMAIL_SUBJECT, EMAIL_TEXT, html))
        self.apis.mail.send(encode_raw(message))  # type: ignore[attr-defined]
        return "one message to the signed-in account itself (gmail.users.messages.send)"

    # -- the bin -------------------------------------------------------------------------------------------

    def _clean_up(self) -> str:
        """Every throw-away file to the bin: those made now, and any an earlier run left (found by tag)."""
        c, drive = self.checkup, self.apis.drive
        made = [i for i in (c.form_id, c.spreadsheet_id) if i]
        try:
            left = [f["id"] for f in drive.find(DOCTOR_KIND)]
        except (PppError, GoogleApiError) as error:
            if not made:
                return "nothing was made"
            left, looked = [], advice(error)
        else:
            looked = ""
        ids = list(dict.fromkeys(made + left))
        if not ids:
            return "nothing was made"
        failed = [file_id for file_id in ids if not self._trash(file_id)]
        if failed or looked:
            raise PppError(
                f"could not move {len(failed) or 'every'} throw-away file(s) to the bin"
                + (f" ({looked})" if looked else "")
                + ": in Google Drive, delete the files named 'ppp-gsuite doctor: throw-away …' (the next doctor "
                "run also tries)"
            )
        earlier = len(ids) - len(made)
        return f"{len(made)} moved to the bin" + (f", and {earlier} left by an earlier run" if earlier else "")

    def _trash(self, file_id: str) -> bool:
        """files.update trashed=true, tried again after a 429, a 5xx or no answer (it is safe to repeat)."""
        for attempt in range(TRASH_ATTEMPTS):
            try:
                self.apis.drive.trash(file_id)
                return True
            except GoogleApiError as error:
                if error.code != 429 and error.code < 500:
                    return False
            except Unreachable:
                pass
            if attempt + 1 < TRASH_ATTEMPTS:
                self.sleep(2.0 * 2**attempt)
        return False


class Skipped(Exception):
    """A step left out on purpose (not a failure)."""


CREATE_FORM = "create the throw-away form"
LAY_OUT_FORM = "lay out the form with a section jump"
PUBLISH = "publish the form"
RESPONDERS = "let anyone with the link respond"
FIND = "find the form by its appProperties"
PERMISSIONS = "list who can open the form, with the published view"
RESPONSE = "a response, submitted by you"
RESPONSES = "read responses with the timestamp filter"
CREATE_SHEET = "create the throw-away spreadsheet"
SHEET_SHARING = "check who can open the spreadsheet"
LAY_OUT_SHEET = "lay out the spreadsheet"
WRITE_SHEET = "write to the spreadsheet and read it back"
SEND = "send one email to the signed-in account"
CLEAN_UP = "move the throw-away files to the bin"
