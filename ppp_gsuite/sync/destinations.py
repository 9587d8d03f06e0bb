"""Which spreadsheets the tool owns, what tabs each holds, and who may open each (pure)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..config import Config
from ..sheets.layout import Layout, SheetColumn, TabLayout, resolve
from ..specs.load import EOI, FormTarget

ADMIN, EXPENSES = "admin", "expenses"
SYNC_STATE = TabLayout("sync_state", "", "Sync state", (
    SheetColumn("tool", "response_id", "Form"),
    SheetColumn("tool", "form_id", "Form ID"),
    SheetColumn("tool", "high_water", "Newest response seen"),
    SheetColumn("tool", "full_scan", "Last full scan"),
))
EMAIL_LOG = TabLayout("email_log", "", "Email log", (
    SheetColumn("tool", "response_id", "Key", 320),
    SheetColumn("tool", "template", "Email", 180),
    SheetColumn("tool", "recipient", "To", 220),
    SheetColumn("tool", "state", "State", 260),
    SheetColumn("tool", "message_id", "Message ID", 200),
    SheetColumn("tool", "time", "Time", 150),
))
CONSENT_LOG = TabLayout("consent_log", "", "Consent log", (
    SheetColumn("tool", "response_id", "Record", 320),
    SheetColumn("tool", "reference", "Reference", 150),
    SheetColumn("tool", "consent", "Consent", 200),
    SheetColumn("tool", "answer", "Answer", 200),
    SheetColumn("tool", "given", "Given", 200),
    SheetColumn("tool", "wording", "Wording", 120),
    SheetColumn("tool", "question", "Question as asked", 400),
    SheetColumn("tool", "source", "From", 320),
))
TOMBSTONES = TabLayout("tombstones", "", "Tombstones", (
    SheetColumn("tool", "response_id", "Response ID", 320),
    SheetColumn("tool", "form", "Form", 200),
    SheetColumn("tool", "when", "Removed", 150),
    SheetColumn("tool", "why", "Why", 200),
))
ENGAGEMENT_TAB = TabLayout("engagement", "", "Partners", (
    SheetColumn("tool", "name", "Name", 180),
    SheetColumn("tool", "email", "Email", 220),
    SheetColumn("tool", "phone", "Phone", 130),
    SheetColumn("tool", "preferred_contact", "Preferred way of contact", 150),
    SheetColumn("tool", "opportunity", "Role", 220),
    SheetColumn("tool", "appointed", "Date appointed", 120),
    SheetColumn("tool", "response_id", "Row key", 110),
))
ENGAGEMENT = "engagement"
MONITORING = "monitoring"  # anonymous answers: the engagement team alone, never a lead
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
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def tab(self, form: str) -> TabLayout | None:
        return next((t for t in self.tabs if t.form == form and not t.tab.startswith(UNMATCHED_PREFIX)), None)


def opportunity_target(key: str) -> str:
    return f"opportunity:{key}"


def destinations(config: Config, targets: list[FormTarget], layouts: dict[str, Layout]) -> dict[str, Destination]:
    specs = {t.key: t.spec for t in targets}
    org = config.organisation.name
    found: dict[str, Destination] = {}
    for opportunity in config.opportunities:
        tabs = tuple(
            resolve(name, layout, specs[f"eoi-{opportunity.key}"] if layout.form == EOI else specs[layout.form])
            for name, layout in layouts.items() if layout.spreadsheet == "opportunity"
        )
        target = opportunity_target(opportunity.key)
        found[target] = Destination(
            target, f"Patient and Public Partners: {opportunity.group} ({org})", _eoi_first(tabs),
            (opportunity.lead_contact.email,),
        )
    expense_tabs = tuple(resolve(n, layout, specs[layout.form]) for n, layout in layouts.items() if layout.spreadsheet == EXPENSES)
    found[EXPENSES] = Destination(
        EXPENSES, f"Patient and Public Partners: expense claims ({org})", expense_tabs,
        tuple(person.email for person in config.expenses_approvers),
    )
    found[ENGAGEMENT] = Destination(
        ENGAGEMENT, f"Patient and Public Partners: peer support network contacts ({org})", (ENGAGEMENT_TAB,),
        tuple(person.email for person in config.engagement_team), "reader",
    )
    admin_tabs = [SYNC_STATE, EMAIL_LOG, CONSENT_LOG, TOMBSTONES] + [resolve(n, layout, specs[layout.form]) for n, layout in layouts.items() if layout.spreadsheet == ADMIN]
    monitoring_tabs = tuple(resolve(n, layout, specs[layout.form]) for n, layout in layouts.items() if layout.spreadsheet == MONITORING)
    if monitoring_tabs:
        found[MONITORING] = Destination(
            MONITORING, f"Patient and Public Partners: equal opportunities monitoring ({org})", monitoring_tabs,
            tuple(person.email for person in config.engagement_team), "reader",
        )
    for name, layout in layouts.items():
        if layout.spreadsheet not in (ADMIN, MONITORING) and layout.form != EOI:
            tab = resolve(name, layout, specs[layout.form])
            admin_tabs.append(TabLayout(tab.name, tab.form, UNMATCHED_PREFIX + tab.tab[0].lower() + tab.tab[1:], tab.columns))
    found[ADMIN] = Destination(ADMIN, f"Patient and Public Partners: sync records ({org})", tuple(admin_tabs), ())
    return found


def _eoi_first(tabs: tuple[TabLayout, ...]) -> tuple[TabLayout, ...]:
    return tuple(sorted(tabs, key=lambda tab: tab.form != EOI))


def unmatched_tab(admin: Destination, form: str) -> TabLayout | None:
    return next((t for t in admin.tabs if t.form == form and t.tab.startswith(UNMATCHED_PREFIX)), None)
