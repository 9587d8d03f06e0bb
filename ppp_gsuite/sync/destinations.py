"""Which spreadsheets the tool owns, what tabs each holds, and who may open each (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from ..reports.diversity import COUNTS_HEADER
from ..sheets.layout import Layout, SheetColumn, TabLayout, resolve
from ..specs.load import FormTarget
from ..vocabulary import (
    ADMIN,
    CHANGE_NAME,
    CHANGE_NUMBER,
    CHANGE_RECORD,
    CHANGE_ROW_KEY,
    CHANGE_TIME,
    CHANGE_WHAT,
    CONSENT_ANSWER,
    CONSENT_GIVEN,
    CONSENT_NAME,
    CONSENT_QUESTION,
    CONSENT_RECORD,
    CONSENT_REFERENCE,
    CONSENT_SOURCE,
    CONSENT_WORDING,
    ENGAGEMENT,
    EOI,
    EXPENSES,
    LOG_EMAIL,
    LOG_KEY,
    LOG_MESSAGE_ID,
    LOG_STATE,
    LOG_TIME,
    LOG_TO,
    MONITORING,
    MONITORING_COUNTS,
    OPPORTUNITIES,
    PROPOSAL_CLOSING,
    PROPOSAL_GROUP,
    PROPOSAL_KEY,
    PROPOSAL_LEAD,
    PROPOSAL_LINK,
    PROPOSAL_NOTE,
    PROPOSAL_PLACES,
    PROPOSAL_PROBLEMS,
    PROPOSAL_PROPOSER,
    PROPOSAL_REFERENCE,
    PROPOSAL_RESPONSE,
    PROPOSAL_STATUS,
    PROPOSAL_STATUSES,
    PROPOSAL_SUBMITTED,
    PROPOSED,
    SCHEME,
    STATE_FORM,
    STATE_FORM_ID,
    STATE_FULL_SCAN,
    STATE_NEWEST,
    TOMBSTONE_FORM,
    TOMBSTONE_ID,
    TOMBSTONE_WHEN,
    TOMBSTONE_WHY,
    eoi_form,
    opportunity_target,
    short_hash,
)
from .meeting_tabs import with_meeting_tabs

__all__ = [
    "ADMIN",
    "ENGAGEMENT",
    "EXPENSES",
    "MONITORING",
    "MONITORING_COUNTS",
    "OPPORTUNITIES",
    "opportunity_target",
]  # the targets, named in vocabulary

SYNC_STATE = TabLayout(
    "sync_state",
    "",
    "Sync state",
    (
        SheetColumn("tool", "response_id", STATE_FORM),
        SheetColumn("tool", "form_id", STATE_FORM_ID),
        SheetColumn("tool", "high_water", STATE_NEWEST),
        SheetColumn("tool", "full_scan", STATE_FULL_SCAN),
    ),
)
EMAIL_LOG = TabLayout(
    "email_log",
    "",
    "Email log",
    (
        SheetColumn("tool", "response_id", LOG_KEY, 320),
        SheetColumn("tool", "template", LOG_EMAIL, 180),
        SheetColumn("tool", "recipient", LOG_TO, 220),
        SheetColumn("tool", "state", LOG_STATE, 260),
        SheetColumn("tool", "message_id", LOG_MESSAGE_ID, 200),
        SheetColumn("tool", "time", LOG_TIME, 150),
    ),
)
CONSENT_LOG = TabLayout(
    "consent_log",
    "",
    "Consent log",
    (
        SheetColumn("tool", "response_id", CONSENT_RECORD, 320),
        SheetColumn("tool", "reference", CONSENT_REFERENCE, 150),
        SheetColumn("tool", "consent", CONSENT_NAME, 200),
        SheetColumn("tool", "answer", CONSENT_ANSWER, 200),
        SheetColumn("tool", "given", CONSENT_GIVEN, 200),
        SheetColumn("tool", "wording", CONSENT_WORDING, 120),  # its text once, in CONSENT_WORDINGS
        SheetColumn("tool", "source", CONSENT_SOURCE, 320),
    ),
)
# Each wording of a consent question once, by its hash: the log's rows stay short (two a response). A log laid
# out before kept the text on every row, under CONSENT_QUESTION: those rows stay as they are, and their
# wordings are copied here (consent.wording_rows).
CONSENT_WORDINGS = TabLayout(
    "consent_wordings",
    "",
    "Consent wording",
    (
        SheetColumn("tool", "response_id", CONSENT_WORDING, 120),
        SheetColumn("tool", "question", CONSENT_QUESTION, 600),
    ),
)
NETWORK_CHANGES = TabLayout(
    "network_changes",
    "",
    "Network list changes",
    (
        SheetColumn("tool", "response_id", CHANGE_RECORD, 200),
        SheetColumn("tool", "reference", CHANGE_ROW_KEY, 110),  # the engagement sheet's row key: erase finds it
        SheetColumn("tool", "change", CHANGE_NUMBER, 80),
        SheetColumn("tool", "name", CHANGE_NAME, 180),
        SheetColumn("tool", "what", CHANGE_WHAT, 130),
        SheetColumn("tool", "time", CHANGE_TIME, 180),
    ),
)
TOMBSTONES = TabLayout(
    "tombstones",
    "",
    "Tombstones",
    (
        SheetColumn("tool", "response_id", TOMBSTONE_ID, 320),
        SheetColumn("tool", "form", TOMBSTONE_FORM, 200),
        SheetColumn("tool", "when", TOMBSTONE_WHEN, 150),
        SheetColumn("tool", "why", TOMBSTONE_WHY, 200),
    ),
)
ENGAGEMENT_TAB = TabLayout(
    "engagement",
    "",
    "Partners",
    (
        SheetColumn("tool", "name", "Name", 180),
        SheetColumn("tool", "email", "Email", 220),
        SheetColumn("tool", "phone", "Phone", 130),
        SheetColumn("tool", "preferred_contact", "Preferred way of contact", 150),
        SheetColumn("tool", "opportunity", "Role", 220),
        SheetColumn("tool", "appointed", "Date appointed", 120),
        SheetColumn("tool", "response_id", "Row key", 110),
    ),
)
MONITORING_COUNTS_TAB = TabLayout(
    "monitoring_counts",
    "",
    "Equal opportunities counts",
    tuple(
        SheetColumn("tool", header.lower(), header, width) for header, width in zip(COUNTS_HEADER, (200, 320, 260, 90))
    ),
)
PROPOSALS_TAB = TabLayout(
    "opportunities",
    "",
    "Opportunities",
    (
        SheetColumn("lead", "status", PROPOSAL_STATUS, 110, PROPOSAL_STATUSES, PROPOSED),
        SheetColumn("tool", "group", PROPOSAL_GROUP, 240),
        SheetColumn("tool", "problems", PROPOSAL_PROBLEMS, 360),
        SheetColumn("lead", "note", PROPOSAL_NOTE, 280),
        SheetColumn("tool", "places", PROPOSAL_PLACES, 70),
        SheetColumn("tool", "closing_date", PROPOSAL_CLOSING, 110),
        SheetColumn("tool", "lead_contact", PROPOSAL_LEAD, 260),
        SheetColumn("tool", "proposer", PROPOSAL_PROPOSER, 220),
        SheetColumn("tool", "form_link", PROPOSAL_LINK, 260),
        SheetColumn("tool", "submitted", PROPOSAL_SUBMITTED, 170),
        SheetColumn("tool", "key", PROPOSAL_KEY, 200),
        SheetColumn("tool", "latest_response", PROPOSAL_RESPONSE, 200),
        SheetColumn("tool", "response_id", PROPOSAL_REFERENCE, 140),  # the row key
    ),
)
UNMATCHED_PREFIX = "Unmatched "


@dataclass(frozen=True)
class Destination:
    target: str  # "admin", "expenses" or "opportunity:<key>"
    name: str
    tabs: tuple[TabLayout, ...]
    writers: tuple[str, ...]  # the only people besides the owner who may open it
    role: str = "writer"

    @property
    def layout_hash(self) -> str:
        """Changes when tabs or headers change, so a run knows to lay the spreadsheet out again."""
        text = "|".join(f"{tab.tab}:{','.join(tab.header_row())}" for tab in self.tabs) + "|" + ",".join(self.writers)
        return short_hash(text, 16)

    def tab(self, form: str) -> TabLayout | None:
        return next((t for t in self.tabs if t.form == form and not t.tab.startswith(UNMATCHED_PREFIX)), None)


def destinations(config: Config, targets: list[FormTarget], layouts: dict[str, Layout]) -> dict[str, Destination]:
    specs = {t.key: t.spec for t in targets}
    org = config.organisation.name
    found: dict[str, Destination] = {}
    for opportunity in config.opportunities:
        tabs = tuple(
            resolve(name, layout, specs[eoi_form(opportunity.key)] if layout.form == EOI else specs[layout.form])
            for name, layout in layouts.items()
            if layout.spreadsheet == "opportunity"
        )
        target = opportunity_target(opportunity.key)
        found[target] = Destination(
            target,
            f"Patient and Public Partners: {opportunity.group} ({org})",
            with_meeting_tabs(config, _eoi_first(tabs)),
            (opportunity.lead_contact.email,),
        )
    expense_tabs = tuple(
        resolve(n, layout, specs[layout.form]) for n, layout in layouts.items() if layout.spreadsheet == EXPENSES
    )
    found[EXPENSES] = Destination(
        EXPENSES,
        f"Patient and Public Partners: expense claims ({org})",
        expense_tabs,
        tuple(person.email for person in config.expenses_approvers),
    )
    if config.role_description_form:
        found[OPPORTUNITIES] = Destination(
            OPPORTUNITIES,
            f"Patient and Public Partners: proposed opportunities ({org})",
            (PROPOSALS_TAB,),
            tuple(person.email for person in config.engagement_team),
        )
    found[ENGAGEMENT] = Destination(
        ENGAGEMENT,
        f"Patient and Public Partners: peer support network contacts ({org})",
        (ENGAGEMENT_TAB,),
        tuple(person.email for person in config.engagement_team),
        "reader",
    )
    admin_tabs = [SYNC_STATE, EMAIL_LOG, CONSENT_LOG, TOMBSTONES, NETWORK_CHANGES, CONSENT_WORDINGS] + [
        resolve(n, layout, specs[layout.form]) for n, layout in layouts.items() if layout.spreadsheet == ADMIN
    ]
    monitoring_tabs = tuple(
        resolve(n, layout, specs[layout.form]) for n, layout in layouts.items() if layout.spreadsheet == MONITORING
    )
    if monitoring_tabs:
        # The answers row by row: nobody but the tool's own account opens them (the form promises
        # totals only). The engagement team gets the counts, small numbers hidden, in a spreadsheet
        # of their own.
        found[MONITORING] = Destination(
            MONITORING,
            f"Patient and Public Partners: equal opportunities answers ({org})",
            monitoring_tabs,
            (),
        )
        found[MONITORING_COUNTS] = Destination(
            MONITORING_COUNTS,
            f"Patient and Public Partners: equal opportunities counts ({org})",
            (MONITORING_COUNTS_TAB,),
            tuple(person.email for person in config.engagement_team),
            "reader",
        )
    scheme_tabs = tuple(
        resolve(n, layout, specs[layout.form]) for n, layout in layouts.items() if layout.spreadsheet == SCHEME
    )
    if scheme_tabs and config.support_scheme:  # requests and evaluations: the scheme's coordinators alone
        found[SCHEME] = Destination(
            SCHEME,
            f"One-to-one support scheme: requests ({org})",
            scheme_tabs,
            tuple(person.email for person in config.support_scheme.coordinators),
        )
    for name, layout in layouts.items():
        if layout.spreadsheet not in (ADMIN, MONITORING, SCHEME) and layout.form != EOI:
            tab = resolve(name, layout, specs[layout.form])
            admin_tabs.append(
                TabLayout(tab.name, tab.form, UNMATCHED_PREFIX + tab.tab[0].lower() + tab.tab[1:], tab.columns)
            )
    found[ADMIN] = Destination(ADMIN, f"Patient and Public Partners: sync records ({org})", tuple(admin_tabs), ())
    return found


def _eoi_first(tabs: tuple[TabLayout, ...]) -> tuple[TabLayout, ...]:
    return tuple(sorted(tabs, key=lambda tab: tab.form != EOI))


def unmatched_tab(admin: Destination, form: str) -> TabLayout | None:
    return next((t for t in admin.tabs if t.form == form and t.tab.startswith(UNMATCHED_PREFIX)), None)
