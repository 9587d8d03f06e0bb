"""The workspace config, ppp-gsuite.yaml: organisation, backend, people, rates and opportunities."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from .errors import ConfigNotFound, Problem, ValidationFailed
from .mail.templates import long_date
from .models import Label, Model, Prose, parse
from .specs.models import Item, Key
from .vocabulary import DEFAULT_TIME_ZONE
from .yamlload import load, shown

DEFAULT_CONFIG = "ppp-gsuite.yaml"
CONFIG_ENV = "PPP_GSUITE_CONFIG"
EMAIL_PATTERN = re.compile(r"^[^@\s<>,;\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _email(value: str) -> str:
    if not EMAIL_PATTERN.match(value):
        raise ValueError(f"{value!r} is not an email address; write it like name@example.org")
    return value


def _slug(value: str) -> str:
    if not SLUG_PATTERN.match(value):
        raise ValueError(f"key {value!r} must use lower-case letters, digits and hyphens, such as urgent-care-board")
    return value


Email = Annotated[str, AfterValidator(_email)]
Slug = Annotated[str, AfterValidator(_slug)]


class Person(Model):
    name: Label
    email: Email


class LeadContact(Person):
    role: Label


class Organisation(Model):
    name: Label
    engagement_email: Email
    pals: Prose
    one_to_one_support: Prose | None = None
    # How many days the organisation usually takes to reply: to applicants after a closing date, to
    # partners about their needs, claims and messages. Forms and emails say "by" or "within" it.
    response_days: int = Field(default=14, ge=1, le=120)


class GoogleSettings(Model):
    # The token `ppp-gsuite auth login` writes (0600), or a service-account key; never inside the repository.
    credentials: str
    subject: Email | None = None  # for a service account: the staff account it acts for
    # The desktop OAuth client's JSON from the Google Cloud console, which `auth login` signs in through.
    oauth_client: str | None = None


class LocalSettings(Model):
    store: str = ".ppp-gsuite/local.sqlite3"
    port: int = 8470
    # Who the local backend signs in as: the staff account and the OAuth client (the "app" that
    # drive.file and appProperties are private to). deploy-forms and sync must use the same pair.
    account: Email = "staff@example.org"
    client_id: str = "ppp-gsuite-local"
    # A token from `ppp-gsuite auth login` on the local workspace (written 0600): when set, commands sign
    # in with it, refreshing it at the workspace's token endpoint, instead of as account and client_id.
    credentials: str | None = None
    subject: Email | None = None  # when credentials is a service-account key: the staff account it acts for


class TimeoutSettings(Model):
    """How long any call to Google (or the local workspace) may take; a stalled call ends the run."""

    connect_seconds: float = Field(default=10, gt=0)  # to open the connection
    read_seconds: float = Field(default=60, gt=0)  # to wait for each part of the answer


class RetrySettings(Model):
    """How long a run waits for Google to take a refused (429) or failed (5xx) call again (google/retry.py)."""

    attempts: int = Field(default=6, ge=1)  # per call, the first included
    first_wait_seconds: float = Field(default=1, gt=0)  # the first wait is drawn from 0 to this
    longest_wait_seconds: float = Field(default=32, gt=0)  # no wait is drawn from a wider range
    budget_seconds: float = Field(default=300, ge=0)  # all the waits of one run together


class MileageRate(Model):
    starts: date = Field(alias="from")
    car: Decimal
    car_over_10000: Decimal
    motorcycle: Decimal
    bicycle: Decimal


DEFAULT_INDUCTION_CHECKLIST = (  # the partners' own top tips for an induction
    "What is expected of the role, and the aims and purpose of the group",
    "Any training the role needs, and who arranges it",
    "Needs before the first meeting: how they would like the papers, and any access or communication needs",
    "If meetings are on Microsoft Teams, an overview of its main functions",
    "If meetings are face to face, the venue's access, directions and parking",
    "A pre-meet before each meeting to go through the agenda",
    "A list of the words and abbreviations the group uses",
    "How their views will be heard: time on the agenda, and how to raise a question",
)


class Support(Model):
    expenses: bool = True
    induction: bool = True
    confidentiality_agreement: bool = False
    other: list[Prose] = Field(default_factory=list)
    # A one-to-one review with the lead contact every 6 or 12 months: the lead is told when one is due.
    review_months: int = 12
    # What the induction covers: sent to the lead contact when someone is appointed.
    induction_checklist: list[Prose] = Field(default_factory=lambda: list(DEFAULT_INDUCTION_CHECKLIST))

    @field_validator("review_months")
    @classmethod
    def _six_or_twelve(cls, months: int) -> int:
        if months not in (6, 12):
            raise ValueError("review_months is 6 or 12: a review every six months or every year")
        return months


class SupportScheme(Model):
    """The one-to-one support scheme: who coordinates it (they alone open its spreadsheet) and who supports."""

    coordinators: list[Person] = Field(min_length=1)
    supporters: list[Person] = Field(min_length=1)


class OpportunityQuestions(Model):
    section_title: Label = "Questions about this role"
    omit: list[Key] = Field(default_factory=list)
    add: list[Item] = Field(default_factory=list)


class Opportunity(Model):
    key: Slug
    group: Label
    places: int = Field(ge=1)
    who_can_apply: Prose
    remit: Prose
    membership: Prose
    priorities: Prose
    role: Prose
    key_requirements: list[Prose] = Field(min_length=1)
    time_commitment: Prose
    where: Prose
    support: Support = Field(default_factory=Support)
    questions: OpportunityQuestions = Field(default_factory=OpportunityQuestions)
    closing_date: date
    lead_contact: LeadContact


class PacingSettings(Model):
    """Requests a minute the tool makes as one user, per Google quota: Google's published per-user figures
    by default (docs/google-fidelity.md; ppp_gsuite/google/pacing.py). Lower them when another program
    uses the same account; raising them past Google's only brings 429s."""

    sheets_reads: int = Field(default=60, ge=1)
    sheets_writes: int = Field(default=60, ge=1)
    forms_reads: int = Field(default=390, ge=1)
    forms_response_lists: int = Field(default=180, ge=1)  # responses.list, Forms' "expensive reads"
    forms_writes: int = Field(default=150, ge=1)
    gmail_units: int = Field(default=6000, ge=100)  # a send is 100 units
    drive_requests: int = Field(default=12000, ge=1)

    def limits(self) -> dict[str, int]:
        """By the pacer's quota names."""
        return {
            "sheets.read": self.sheets_reads,
            "sheets.write": self.sheets_writes,
            "forms.read": self.forms_reads,
            "forms.expensiveRead": self.forms_response_lists,
            "forms.write": self.forms_writes,
            "gmail.units": self.gmail_units,
            "drive.requests": self.drive_requests,
        }


class SyncSettings(Model):
    full_rescan_hours: int = Field(default=24, ge=1)
    # The run's lease in the Workspace lapses this long after it was last renewed (a killed runner's
    # lease is taken over after it); a run renews it once a third has passed (runlease.py).
    lease_seconds: int = Field(default=600, ge=1)


class WatchSettings(Model):
    """`ppp-gsuite watch`: Forms API watches publish to `topic`; the command pulls from `subscription`."""

    topic: Annotated[str, Field(pattern=r"^projects/[^/]+/topics/[^/]+$")]  # projects/PROJECT/topics/NAME
    subscription: Annotated[str, Field(pattern=r"^projects/[^/]+/subscriptions/[^/]+$")]
    renew_hours_before_expiry: int = Field(default=24, ge=1, le=160)  # watches last 7 days (168 hours)
    check_minutes: int = Field(default=60, ge=1)  # how often the watches are checked while it runs


class EmailSettings(Model):
    send: bool = True
    daily_cap: int = Field(default=1500, ge=0)  # Workspace accounts allow about 2,000 a day
    grace_minutes: int = Field(default=15, ge=0)  # a decision must stand this long before it is emailed
    needs_reminder_days: int = Field(default=14, ge=1)
    agreement_reminder_days: int = Field(default=14, ge=1)  # tell the lead once an agreement has waited this long
    term_end_notice_days: int = Field(default=30, ge=1)  # tell the lead this long before a partner's term ends
    digest_hour: int = Field(default=9, ge=0, le=23)  # leads get the day's digest from this hour
    timezone: str = DEFAULT_TIME_ZONE


class MeetingSettings(Model):
    """Meetings after appointment (sync/meetings.py): each opportunity's spreadsheet gets a Meetings tab the
    lead fills and an Attendance tab the tool lays out. Left out of the config, there are neither."""

    # The lead's checklist of papers and each partner's notice go this many days before a meeting.
    notice_days: int = Field(default=7, ge=1, le=60)
    # A partner's attendance is counted over their last this many meetings marked in Attendance...
    attendance_window: int = Field(default=6, ge=3, le=24)
    # ...and the lead is told once when it falls below this percentage (seed 002: at least 80%).
    attendance_threshold: int = Field(default=80, ge=1, le=100)
    # A list explaining the words and abbreviations used in meetings, linked from every notice.
    glossary_link: str | None = None


class Config(Model):
    organisation: Organisation
    google: GoogleSettings | None = None
    backend: Literal["local", "google"] = "local"  # after google, so its check can see that section
    local: LocalSettings = Field(default_factory=LocalSettings)
    timeouts: TimeoutSettings = Field(default_factory=TimeoutSettings)
    retries: RetrySettings = Field(default_factory=RetrySettings)
    pacing: PacingSettings = Field(default_factory=PacingSettings)  # under Google's per-minute quotas
    sender: Person
    engagement_team: list[Person] = Field(min_length=1)
    expenses_approvers: list[Person] = Field(min_length=1)
    mileage_rates: list[MileageRate] = Field(min_length=1)
    form_specs: str = "form_specs"
    sheet_layouts: str = "sheet_layouts"
    email_templates: str = "email_templates"
    sync: SyncSettings = Field(default_factory=SyncSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    watch: WatchSettings | None = None  # only for `ppp-gsuite watch`
    # The engagement team gets a person's details once they consented and (by default) were appointed.
    engagement_requires_appointment: bool = True
    # An optional, anonymous equal-opportunities form; its answers reach the engagement team only.
    equal_opportunities_monitoring: bool = False
    # purge removes people not appointed, or who withdrew, this long after that status was set.
    retention_days: int = Field(default=365, ge=30)
    # Meetings, papers in each partner's format, attendance (sync/meetings.py); off when left out.
    meetings: MeetingSettings | None = None
    # The role description form: recruiting leads propose opportunities, the engagement team approves
    # them in the Opportunities spreadsheet, and the sync makes them live (docs/decisions.md, 'Role descriptions without YAML').
    role_description_form: bool = False
    opportunities: list[Opportunity] = Field(default_factory=list)
    # The one-to-one support scheme (its request and evaluation forms and spreadsheet), when there is one.
    support_scheme: SupportScheme | None = None

    @field_validator("opportunities")
    @classmethod
    def _some_opportunity(cls, opportunities: list[Opportunity], info: ValidationInfo) -> list[Opportunity]:
        if not opportunities and not info.data.get("role_description_form"):
            raise ValueError(
                "describe at least one opportunity here, or set role_description_form: true so recruiting "
                "leads can propose them through a form"
            )
        return opportunities

    @field_validator("backend")
    @classmethod
    def _google_needs_credentials(cls, backend: str, info: ValidationInfo) -> str:
        # A field check, so the problem points at the backend line (a model check has no line).
        if backend == "google" and "google" in info.data and info.data["google"] is None:
            raise ValueError(
                "backend: google needs a google: section with credentials: PATH "
                "(see the README, 'Using it with Google')"
            )
        return backend

    def opportunity(self, key: str) -> Opportunity:
        return next(o for o in self.opportunities if o.key == key)

    def reply_by(self, opportunity: Opportunity) -> date:
        """The day applicants hear back by: the closing date plus the organisation's usual reply time."""
        return opportunity.closing_date + timedelta(days=self.organisation.response_days)


class Workspace:
    """A loaded config together with where it lives, so relative paths resolve against it."""

    def __init__(self, config: Config, path: Path, warnings: list[Problem]):
        self.config = config
        self.path = path
        self.root = path.parent
        self.warnings = warnings

    def resolve(self, relative: str) -> Path:
        return (self.root / relative).resolve()

    @property
    def specs_dir(self) -> Path:
        return self.resolve(self.config.form_specs)

    @property
    def templates_dir(self) -> Path:
        return self.resolve(self.config.email_templates)

    @property
    def layouts_dir(self) -> Path:
        return self.resolve(self.config.sheet_layouts)


def config_path(option: str | None) -> Path:
    return Path(option or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_config(path: Path) -> Workspace:
    if not path.exists():
        raise ConfigNotFound(
            f"no config at {path}; run from the folder holding ppp-gsuite.yaml, or pass --config PATH "
            f"(or set {CONFIG_ENV})"
        )
    display = shown(path)
    data = load(path, display)
    config = parse(Config, data, display)
    problems = _check(config, display)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise ValidationFailed(problems)
    return Workspace(config, path.resolve(), [p for p in problems if p.level == "warning"])


def _check(config: Config, file: str) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for opportunity in config.opportunities:
        if opportunity.key in seen:
            problems.append(
                Problem(
                    file, opportunity.line, f"two opportunities have the key {opportunity.key}; give each its own key"
                )
            )
        seen.add(opportunity.key)
        problems += [Problem(file, opportunity.line, message, level="warning") for message in advice(opportunity)]
    starts = [rate.starts for rate in config.mileage_rates]
    if len(set(starts)) != len(starts):
        problems.append(
            Problem(file, config.mileage_rates[0].line, "two mileage rates start on the same date; keep one")
        )
    return problems


def advice(opportunity: Opportunity) -> list[str]:
    """What validate warns of in an opportunity that is otherwise right: the same words on a proposal's row."""
    if opportunity.places < 2:
        return [
            f"opportunity {opportunity.key} offers {opportunity.places} place; two or more are advised, "
            "so partners bring different views and support each other"
        ]
    return []


def closed_already(opportunity: Opportunity, today: date) -> str | None:
    if opportunity.closing_date >= today:
        return None
    return (
        f"opportunity {opportunity.key} closed on {long_date(opportunity.closing_date)}, which has passed; "
        "its form stays closed to new responses (move closing_date to reopen it)"
    )


def past_closing_dates(workspace: Workspace, today: date) -> list[Problem]:
    """Warnings for `validate` (not every cron run): a past closing date is allowed, the form stays closed."""
    return [
        Problem(
            shown(workspace.path),
            opportunity.line_of("closing_date"),
            message,
            level="warning",
        )
        for opportunity in workspace.config.opportunities
        if (message := closed_already(opportunity, today))
    ]
