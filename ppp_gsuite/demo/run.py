"""`ppp-gsuite demo`: a recruitment round played out on a fresh local workspace.

Forms are deployed; a dozen fictional applicants fill in the expression-of-interest pages; the sync
runs; the leads shortlist, invite (with interview details), appoint and decline in their sheets; the
appointed partners follow the links in their emails to the welcome form and two of them claim
expenses, which an approver approves and queries; one partner withdraws consent to sharing through
the preferences form; the sync runs again. Everything goes through what people and cron use: form
pages, the Sheets API on the staff's own columns, and the same sync entry as `ppp-gsuite sync`.

Decision emails wait until a decision has stood `email.grace_minutes` (so a mis-click can be undone).
The demo keeps the config's grace period as it is and moves the sync's clock past it instead, as if
cron ran again a little later, the way the tests do: what is shown is what the product does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from ..errors import EXIT_INVALID, PppError
from ..forms.deploy import deploy
from ..forms.items import entry_number, question_id
from ..google.drive_api import DriveApi
from ..google.forms_api import FormsApi
from ..google.sheets_api import SheetsApi
from ..sync.destinations import EXPENSES, opportunity_target
from ..sync_job import SyncOutcome, run_sync
from ..vocabulary import EOI
from . import people
from .browser import Browser
from .lead import type_in_row
from .summary import Summary, read_summary

NEEDS, CLAIMS, PREFERENCES = "needs_assessment", "expenses", "preferences"
LINK = re.compile(r"https?://\S+")


class NotFresh(PppError):
    """The workspace already holds forms, spreadsheets or mail: the demo would mix into it."""

    exit_code = EXIT_INVALID


@dataclass
class Played:
    """What the demo did, in counts (the summary says what the workspace holds)."""

    applicants: int = 0
    decisions: dict[str, int] = field(default_factory=dict)
    welcome_forms: int = 0
    claims: dict[str, int] = field(default_factory=dict)
    withdrawals: int = 0
    syncs: int = 0
    clock_moved: timedelta = timedelta(0)


class Demo:
    def __init__(self, loaded, clients, browser: Browser, start: datetime, say: Callable[[str], None]):
        self.loaded, self.config = loaded, loaded.workspace.config
        self.clients, self.browser, self.say = clients, browser, say
        self.forms, self.drive = FormsApi(clients.forms), DriveApi(clients.drive)
        self.sheets = SheetsApi(clients.sheets)
        self.clock, self.start = start, start
        self.played = Played()
        self.links: dict[str, str] = {}  # form target -> its link (responderUri)

    # -- the round --------------------------------------------------------------------------
    def run(self) -> tuple[Played, Summary]:
        self.check_fresh()
        self.browser.quotas_off()
        self.say(
            "Google's per-minute quotas are off for the demo (it plays an hour of cron runs in seconds); "
            "`local serve` keeps them on"
        )
        self.deploy_forms()
        self.applicants_apply()
        self.sync()
        self.leads_decide()
        self.sync()  # the decisions are noted: their grace period starts
        self.sync(after_grace=True)  # they have stood: the emails go
        self.partners_answer_their_emails()
        self.sync()
        self.approver_decides()
        self.partner_withdraws_consent()
        self.sync()
        self.sync(after_grace=True)
        return self.played, read_summary(self.forms, self.drive, self.sheets, self.browser.outbox())

    def check_fresh(self) -> None:
        if self.drive.find("form") or self.drive.find("spreadsheet") or self.browser.outbox():
            raise NotFresh("this local workspace already holds forms, spreadsheets or sent mail")

    def deploy_forms(self) -> None:
        today = self.start.date()
        outcomes = deploy(self.loaded.targets, self.forms, self.drive, today)
        problems = [o for o in outcomes if o.problem or not o.link]
        if problems:
            raise PppError(f"the demo could not deploy {len(problems)} form(s): {problems[0].problem}")
        self.links = {o.target.key: o.link for o in outcomes if o.link}
        closed = [o.target.label for o in outcomes if not o.accepting]
        if closed:
            raise PppError(f"the demo needs every form open, but {closed[0]} is past its closing date in the config")
        self.say(f"deployed {len(outcomes)} forms")

    def applicants_apply(self) -> None:
        for opportunity, person in people.everyone():
            answers = {
                "full_name": [person.name],
                "email": [person.email],
                "phone": [person.phone],
                "preferred_contact": [person.preferred_contact],
                "has_business_interests": ["No"],
                "about_yourself": [person.about],
                "what_interests_you": [person.interest],
                "what_you_would_bring": [person.bring],
                "privacy_agreement": ["I agree"],
                "future_opportunities": ["Yes"],
                **person.extra,
            }
            self.browser.fill_in(self.links[f"eoi-{opportunity}"], _entries(EOI, answers), "an expression of interest")
            self.played.applicants += 1
        self.say(f"{self.played.applicants} fictional applicants filled in the expression-of-interest pages")

    def sync(self, after_grace: bool = False) -> SyncOutcome:
        step = timedelta(minutes=self.config.email.grace_minutes + 1) if after_grace else timedelta(minutes=1)
        self.clock += step
        self.played.clock_moved = self.clock - self.start
        outcome = run_sync(self.loaded, self.clients, self.clock)
        self.played.syncs += 1
        mail = outcome.mail
        sent = f", {mail.sent} emails sent" if mail else ""
        waiting = f", {outcome.report.waiting} decisions waiting for the grace period" if outcome.report.waiting else ""
        added = outcome.report.added
        self.say(
            f"sync {self.played.syncs} at {outcome.now:%H:%M} UTC: {added} row{'' if added == 1 else 's'} added, "
            f"{outcome.report.updated} updated{sent}{waiting}"
        )
        if outcome.report.held_back() or (mail and (mail.unknown or mail.failed or mail.waiting_for_a_person)):
            raise PppError(f"sync {self.played.syncs} of the demo did not go cleanly; run `ppp-gsuite status`")
        return outcome

    # -- staff in their sheets ----------------------------------------------------------------
    def leads_decide(self) -> None:
        layout = self._layout(EOI)
        name, status = _header(layout, "answer", "full_name"), _header(layout, "lead", "status")
        interview = {_header(layout, "lead", key): text for key, text in people.INTERVIEW.items()}
        for opportunity, person in people.everyone():
            if person.decision == people.NEW:
                continue
            cells = {status: person.decision} | (interview if person.decision == people.INVITED else {})
            type_in_row(
                self.sheets, self._spreadsheet(opportunity_target(opportunity)), layout.tab, (name, person.name), cells
            )
            self.played.decisions[person.decision] = self.played.decisions.get(person.decision, 0) + 1
        self.say(
            "the leads set "
            + ", ".join(f"{count} {decision.lower()}" for decision, count in self.played.decisions.items())
        )

    def approver_decides(self) -> None:
        layout = self._layout(CLAIMS)
        name, status = _header(layout, "tool", "partner_name"), _header(layout, "lead", "claim_status")
        notes = _header(layout, "lead", "approver_notes")
        claimants = [p for _, p in people.everyone() if p.decision == people.APPOINTED and p.claims]
        for person, decision in zip(claimants, people.CLAIM_DECISIONS):
            cells = {status: decision} | ({notes: people.QUERY_NOTE} if decision == "Queried" else {})
            type_in_row(self.sheets, self._spreadsheet(EXPENSES), layout.tab, (name, person.name), cells)
            self.played.claims[decision] = self.played.claims.get(decision, 0) + 1
        self.say(
            "an approver set "
            + ", ".join(f"{count} claim {decision.lower()}" for decision, count in self.played.claims.items())
        )

    # -- partners following the links in their email ---------------------------------------------
    def partners_answer_their_emails(self) -> None:
        appointed = [p for _, p in people.everyone() if p.decision == people.APPOINTED]
        for person in appointed:
            yes_no = "Yes" if person.shares else "No"
            self.browser.fill_in(
                self._link_in_email(person, NEEDS),
                _entries(
                    NEEDS,
                    {
                        "share_with_engagement_team": [yes_no],
                        "group_can_see_email": [yes_no],
                    },
                ),
                "a welcome form",
            )
            self.played.welcome_forms += 1
            if person.claims:
                self.browser.fill_in(
                    self._link_in_email(person, CLAIMS), _entries(CLAIMS, people.CLAIM), "an expense claim"
                )
        claims = sum(1 for p in appointed if p.claims)
        self.say(
            f"{self.played.welcome_forms} appointed partners filled in the welcome form from their email; "
            f"{claims} claimed expenses"
        )

    def partner_withdraws_consent(self) -> None:
        for _, person in people.everyone():
            if person.decision == people.APPOINTED and person.withdraws:
                self.browser.fill_in(
                    self._link_in_email(person, PREFERENCES),
                    _entries(
                        PREFERENCES,
                        {
                            "share_with_engagement_team": ["No"],
                        },
                    ),
                    "the preferences form",
                )
                self.played.withdrawals += 1
        self.say(f"{self.played.withdrawals} partner withdrew consent to sharing through the preferences form")

    def _link_in_email(self, person: people.Applicant, form: str) -> str:
        """The prefilled link to `form` in the newest email sent to this person (what they click)."""
        responder = self.links[form]
        for message in reversed(self.browser.outbox()):
            if parseaddr(message["to"])[1].lower() != person.email.lower():
                continue
            for link in LINK.findall(message["text"]):
                if link.split("?")[0] == responder and "usp=pp_url" in link:
                    return link
        raise PppError(f"no email to one of the demo's partners carries a link to the {form.replace('_', ' ')} form")

    # -- where things are ------------------------------------------------------------------------
    def _layout(self, form: str):
        return next(layout for layout in self.loaded.layouts.values() if layout.form == form)

    def _spreadsheet(self, target: str) -> str:
        for file in self.drive.find("spreadsheet"):
            if file.get("appProperties", {}).get("target") == target:
                return file["id"]
        raise PppError(f"the sync has not made the spreadsheet {target} yet")


def _header(layout, kind: str, key: str) -> str:
    return next(c.header for c in layout.columns if getattr(c, kind) == key)


def _entries(form: str, answers: dict[str, list[str]]) -> dict[str, list[str]]:
    """Answers by question key as the page's field names (`entry.N`, N from the question's id)."""
    return {f"entry.{entry_number(question_id(form, key))}": values for key, values in answers.items()}


def fast_forward(pacer) -> None:
    """The demo plays an hour of cron runs in seconds (its clock moved past the grace period as if cron ran
    later): its pacer's minutes pass likewise, as it waits, not on this machine's clock. Its requests are
    still counted and spaced under Google's per-minute quotas; only the waiting is played, not sat through."""
    played = [pacer.clock()]
    pacer.clock = lambda: played[0]

    def wait(seconds: float) -> None:
        played[0] += seconds

    pacer.sleep = wait


def run_demo(loaded, clients, browser: Browser, start: datetime, say: Callable[[str], None]) -> tuple[Played, Summary]:
    return Demo(loaded, clients, browser, start, say).run()
