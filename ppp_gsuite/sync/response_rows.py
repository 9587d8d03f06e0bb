"""The rows step of a sync run: the listed responses as rows, and where each goes (no Google calls).

Functions of what the run read (the snapshot's responses and answers, the spreadsheets' rows as read);
each returns Writes, which the run applies in its one write per spreadsheet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..config import Config
from ..errors import PppError
from ..reports.diversity import counts_of_sheet
from ..sheets.layout import TabLayout
from ..specs.models import FormSpec
from ..vocabulary import (
    ADMIN,
    EOI,
    EXPENSE_CLAIMS,
    EXPENSES,
    JOINED_FORMS,
    MONITORING,
    MONITORING_COUNTS,
    MONITORING_FORM,
    PREFERENCES,
    corrected,
    eoi_form,
    opportunity_target,
)
from .consent import answers_before, consent_rows, link_code
from .destinations import MONITORING_COUNTS_TAB, unmatched_tab
from .expenses import add_money
from .rows import Partner, Row, build_row, reference_for, refreshed_flags, typed_reference
from .spreadsheets import SheetRun
from .table import existing_rows


@dataclass
class Writes:
    """What a step wants written: rows by target and tab title, this run's consent records, and counts."""

    rows: dict[str, dict[str, list[Row]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    consents: list[Row] = field(default_factory=list)
    replace: dict[str, dict[str, list[list[str]]]] = field(
        default_factory=dict
    )  # target -> tab -> its whole new values
    flagged: int = 0
    unmatched: int = 0
    unverified: int = 0  # answers about sharing without the person's link code: applied to nothing

    def add(self, target: str, tab: str, rows: list[Row]) -> None:
        self.rows[target][tab].extend(rows)

    def __iadd__(self, other: Writes) -> Writes:
        for target, tabs in other.rows.items():
            for tab, rows in tabs.items():
                self.add(target, tab, rows)
        self.consents += other.consents
        for target, whole_tabs in other.replace.items():
            self.replace.setdefault(target, {}).update(whole_tabs)
        self.flagged += other.flagged
        self.unmatched += other.unmatched
        self.unverified += other.unverified
        return self


def expressions_of_interest(
    config: Config, targets: dict, snapshot, runs: dict[str, SheetRun], opportunities: list | None = None
) -> tuple[Writes, dict[str, Partner]]:
    """EOI rows (minting references for new ones), and every known reference -> partner: of `opportunities`
    (the config's, in order, by default; a sync asks one at a time, as it lists their forms)."""
    listed = snapshot.listed
    writes, partners = Writes(), {}
    before = answers_before(snapshot.consent_log, listed_ids(snapshot))
    for opportunity in config.opportunities if opportunities is None else opportunities:
        key = eoi_form(opportunity.key)
        responses = listed.get(key, [])
        run = runs[opportunity_target(opportunity.key)]
        tab = run.dest.tab(EOI)
        if tab is None:
            raise PppError(
                f"the spreadsheet {run.dest.target} has no tab for the expression of interest form: check the layouts"
            )
        writes.add(run.dest.target, tab.tab, flags_after_corrections(tab, run.values.get(tab.tab, []), responses))
        # Every run knows every person (not only when something was listed): consent is the person's
        # across roles, and a claim's decision is emailed to its partner, in quiet runs too.
        values = run.values.get(tab.tab, [])
        references = column_by_id(tab, values, "tool", "reference")
        corrections = column_by_id(tab, values, "lead", corrected("email"))
        target = targets[key]
        for response in responses:
            reference = references.get(response["responseId"]) or reference_for(response["responseId"])
            references[response["responseId"]] = reference
            answers = snapshot.answers[(key, response["responseId"])]
            row = build_row(
                tab,
                target.spec_name,
                target.spec,
                response,
                version(snapshot, key, response),
                tool_values={"reference": reference},
                answers=answers,
                zone=config.email.timezone,
                corrections={"email": corrections.get(response["responseId"], "")},
            )
            writes.add(run.dest.target, tab.tab, [row])
            writes.consents += consent_rows(target.spec_name, target.spec, response, reference, answers, before)
            writes.flagged += bool(row.flags)
        names = column_by_id(tab, values, "answer", "full_name")
        emails = column_by_id(tab, values, "answer", "email")
        for response in responses:
            answers = snapshot.answers[(key, response["responseId"])]
            names[response["responseId"]] = answers.get("full_name", "")
            emails[response["responseId"]] = answers.get("email", "")
        emails |= {rid: email for rid, email in corrections.items() if email.strip()}  # the lead's correction wins
        for response_id, reference in references.items():
            partners[reference] = Partner(
                reference,
                response_id,
                names.get(response_id, ""),
                opportunity.key,
                opportunity.group,
                emails.get(response_id, "").strip(),
            )
    return writes, partners


def joined(config: Config, targets: dict, snapshot, runs: dict[str, SheetRun], partners: dict[str, Partner]) -> Writes:
    """Needs assessments, expense claims and preferences, each in its partner's spreadsheet (or unmatched)."""
    writes = Writes()
    before = answers_before(snapshot.consent_log, listed_ids(snapshot))
    for form in JOINED_FORMS:
        responses = snapshot.listed.get(form, [])
        if not responses:
            continue
        target = targets[form]
        rows_by_run: dict[tuple[str, str], list[Row]] = defaultdict(list)
        for response in responses:
            answers = snapshot.answers[(form, response["responseId"])]
            partner = partners.get(typed_reference(answers.get("reference", "")))
            reference = partner.reference if partner else typed_reference(answers.get("reference", ""))
            consents = consent_rows(form, target.spec, response, reference, answers, before)
            unverified = bool(consents) and not carries_link_code(target.spec, answers, reference, snapshot.link_secret)
            if not unverified:
                writes.consents += consents
            run, tab = home(runs, form, partner)
            if tab is None:
                continue
            row = build_row(
                tab,
                form,
                target.spec,
                response,
                version(snapshot, form, response),
                partner,
                answers=answers,
                zone=config.email.timezone,
            )
            if unverified:
                flag(tab, row, UNVERIFIED)
                writes.unverified += 1
            rows_by_run[(run.dest.target, tab.tab)].append(row)
            writes.flagged += bool(row.flags)
            writes.unmatched += partner is None
        for (dest_target, title), rows in rows_by_run.items():
            run = runs[dest_target]
            tab = next(t for t in run.dest.tabs if t.tab == title)
            if form == EXPENSE_CLAIMS:
                writes.add(dest_target, title, add_money(config, run, tab, rows))
            writes.add(dest_target, title, rows)
    return writes


UNVERIFIED = (
    "link code missing or wrong: the answers to the consent questions were not applied (anyone who "
    "knows a reference could have sent them); ask the person to use the link in one of our emails"
)


def carries_link_code(spec: FormSpec, answers: dict[str, str], reference: str, secret: str) -> bool:
    """Whether a response answering consent questions carries the link code only its person was sent."""
    item = spec.link_code_item()
    if item is None or not reference or not secret:
        return False
    return typed_reference(answers.get(item.key, "")) == link_code(secret, reference)


def flag(tab: TabLayout, row: Row, problem: str) -> None:
    row.flags += (problem,)
    column = tab.column("tool", "flags")
    if column is not None:
        row.cells[column.header] = "; ".join(row.flags)


def monitoring(targets: dict, snapshot, runs: dict[str, SheetRun], zone: str) -> Writes:
    """Anonymous answers, to the spreadsheet only the tool's own account opens; their counts (small
    numbers hidden, as `report diversity` prints them) rewritten whole in the engagement team's."""
    writes = Writes()
    run = runs.get(MONITORING)
    if run is None:
        return writes
    responses = snapshot.listed.get(MONITORING_FORM, [])
    target, tab = targets[MONITORING_FORM], run.dest.tabs[0]
    rows = [
        build_row(
            tab,
            MONITORING_FORM,
            target.spec,
            r,
            version(snapshot, MONITORING_FORM, r),
            answers=snapshot.answers[(MONITORING_FORM, r["responseId"])],
            zone=zone,
        )
        for r in responses
    ]
    writes.add(MONITORING, tab.tab, rows)
    counts = runs.get(MONITORING_COUNTS)
    if counts is not None and not run.broken and not counts.broken:
        writes.replace[MONITORING_COUNTS] = {
            MONITORING_COUNTS_TAB.tab: counts_of_sheet(
                target.spec, tab, run.values.get(tab.tab, []), [row.cells for row in rows]
            )
        }
    return writes


def flags_after_corrections(tab: TabLayout, values: list[list[str]], listed: list[dict]) -> list[Row]:
    """Rows not listed this run whose email flag a lead's correction (or its removal) changed: their
    Needs checking as it stands now (a listed row's is built whole)."""
    email, flags = tab.column("answer", "email"), tab.column("tool", "flags")
    if email is None or flags is None or tab.column("lead", corrected("email")) is None:
        return []
    answered, corrections = (
        column_by_id(tab, values, "answer", "email"),
        column_by_id(tab, values, "lead", corrected("email")),
    )
    rows, seen = [], {response["responseId"] for response in listed}
    for response_id, shown in column_by_id(tab, values, "tool", "flags").items():
        now = refreshed_flags(tab, shown, email, answered.get(response_id, ""), corrections.get(response_id, ""))
        if response_id not in seen and now != shown:
            rows.append(Row(response_id, "", {flags.header: now}))
    return rows


def listed_ids(snapshot) -> set[str]:
    """The response ids this run listed (new, edited, or listed again), of every form."""
    return {response["responseId"] for responses in snapshot.listed.values() for response in responses}


def version(snapshot, form: str, response: dict) -> str:
    """The revision of the form live when the response was first submitted (never rewritten on the row)."""
    versions = snapshot.versions.get(form)
    return versions.at(response.get("createTime") or response.get("lastSubmittedTime", "")) if versions else ""


def home(runs: dict[str, SheetRun], form: str, partner: Partner | None) -> tuple[SheetRun, TabLayout | None]:
    """Where a joined response is written: its partner's spreadsheet, or the admin one if unmatched."""
    admin = runs[ADMIN]
    if form == PREFERENCES:
        return admin, admin.dest.tab(form)
    if partner is None:
        if any(run.broken for run in runs.values()):
            return admin, None  # perhaps their row is in the spreadsheet that could not be read: wait
        return admin, unmatched_tab(admin.dest, form)
    run = runs[EXPENSES] if form == EXPENSE_CLAIMS else runs[opportunity_target(partner.opportunity)]
    return run, run.dest.tab(form)


def column_by_id(tab: TabLayout, values: list[list[str]], kind: str, key: str) -> dict[str, str]:
    column = tab.column(kind, key)
    if column is None or not values or column.header not in values[0]:
        return {}
    position = values[0].index(column.header)
    return {
        response_id: (values[number - 1][position] if position < len(values[number - 1]) else "")
        for response_id, number in existing_rows(tab, values).items()
    }
