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
    credentials: str
    subject: Email | None = None


class LocalSettings(Model):
    store: str = ".ppp-gsuite/local.sqlite3"
    port: int = 8470
    # Who the local backend signs in as: the staff account and the OAuth client (the "app" that
    # drive.file and appProperties are private to). deploy-forms and sync must use the same pair.
    account: Email = "staff@example.org"
    client_id: str = "ppp-gsuite-local"


class TimeoutSettings(Model):
    """How long any call to Google (or the local workspace) may take; a stalled call ends the run."""

    connect_seconds: float = Field(default=10, gt=0)  # to open the connection
    read_seconds: float = Field(default=60, gt=0)  # to wait for each part of the answer


class MileageRate(Model):
    starts: date = Field(alias="from")
    car: Decimal
    car_over_10000: Decimal
    motorcycle: Decimal
    bicycle: Decimal


class Support(Model):
    expenses: bool = True
    induction: bool = True
    confidentiality_agreement: bool = False
    other: list[Prose] = Field(default_factory=list)


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


class EmailSettings(Model):
    send: bool = True
    daily_cap: int = Field(default=1500, ge=0)  # Workspace accounts allow about 2,000 a day
    grace_minutes: int = Field(default=15, ge=0)  # a decision must stand this long before it is emailed
    needs_reminder_days: int = Field(default=14, ge=1)
    digest_hour: int = Field(default=9, ge=0, le=23)  # leads get the day's digest from this hour
    timezone: str = DEFAULT_TIME_ZONE


class Config(Model):
    organisation: Organisation
    google: GoogleSettings | None = None
    backend: Literal["local", "google"] = "local"  # after google, so its check can see that section
    local: LocalSettings = Field(default_factory=LocalSettings)
    timeouts: TimeoutSettings = Field(default_factory=TimeoutSettings)
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
    # The engagement team gets a person's details once they consented and (by default) were appointed.
    engagement_requires_appointment: bool = True
    # An optional, anonymous equal-opportunities form; its answers reach the engagement team only.
    equal_opportunities_monitoring: bool = False
    # purge removes people not appointed, or who withdrew, this long after that status was set.
    retention_days: int = Field(default=365, ge=30)
    opportunities: list[Opportunity] = Field(min_length=1)

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
        if opportunity.places < 2:
            problems.append(
                Problem(
                    file,
                    opportunity.line,
                    f"opportunity {opportunity.key} offers {opportunity.places} place; two or more are advised, "
                    "so partners bring different views and support each other",
                    level="warning",
                )
            )
    starts = [rate.starts for rate in config.mileage_rates]
    if len(set(starts)) != len(starts):
        problems.append(
            Problem(file, config.mileage_rates[0].line, "two mileage rates start on the same date; keep one")
        )
    return problems


def past_closing_dates(workspace: Workspace, today: date) -> list[Problem]:
    """Warnings for `validate` (not every cron run): a past closing date is allowed, the form stays closed."""
    return [
        Problem(
            shown(workspace.path),
            opportunity.line_of("closing_date"),
            f"opportunity {opportunity.key} closed on {long_date(opportunity.closing_date)}, which has passed; "
            "its form stays closed to new responses (move closing_date to reopen it)",
            level="warning",
        )
        for opportunity in workspace.config.opportunities
        if opportunity.closing_date < today
    ]
