"""Before a sync: the proposals the engagement team approved become opportunities, and their forms go live.

Reads the role description form's responses and the team's Opportunities spreadsheet, checks each
proposal (sync/proposals.py), and returns the workspace with the approved opportunities added to the
ones in ppp-gsuite.yaml, so the sync that follows treats them exactly alike: it makes and shares
their lead spreadsheets, writes their responses, closes and reopens their forms by closing date.
Their expression-of-interest forms are deployed here, by the same planner and apply as
`deploy-forms`, only when an approved proposal is new or changed since its form was last deployed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..config import Opportunity, Workspace
from ..errors import Problem
from ..forms.deploy import FormOutcome, deploy, find_deployed
from ..google.drive_api import DriveApi
from ..google.forms_api import FormsApi
from ..google.sheets_api import SheetsApi
from ..specs.load import build_targets, load_specs
from ..vocabulary import (
    EOI_PREFIX,
    OPPORTUNITIES,
    PROPOSAL_CLOSED,
    PROPOSAL_KEY,
    PROPOSAL_LINK,
    PROPOSAL_REFERENCE,
    ROLE_DESCRIPTION,
    eoi_form,
    short_hash,
)
from ..workspace import Loaded
from ..yamlload import shown
from . import proposals as pure
from .destinations import PROPOSALS_TAB
from .rows import answers_by_key
from .spreadsheets import SHEET_KIND

DEPLOYED = "deployed"  # the form's appProperties: a hash of the proposal it was last deployed from
FROM_PROPOSAL = "proposal"  # the form's appProperties: the reference of the proposal it was deployed from


@dataclass
class Proposals:
    loaded: Loaded  # the workspace with the approved proposals' opportunities added
    checked: list[pure.Checked] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what went wrong making a form live (for the report)


def prepare(
    loaded: Loaded, forms: FormsApi, drive: DriveApi, sheets: SheetsApi, now: datetime, go_live: bool = True
) -> Proposals | None:
    """None when the organisation has no role description form (role_description_form: false).
    Without `go_live` nothing is deployed: the workspace is widened only (deploy-forms deploys it all)."""
    config = loaded.workspace.config
    if not config.role_description_form:
        return None
    deployed = find_deployed(drive)
    form = deployed.get(ROLE_DESCRIPTION)
    target = next((t for t in loaded.targets if t.key == ROLE_DESCRIPTION), None)
    if form is None or target is None:
        return Proposals(loaded)  # deploy-forms has not made it yet: nothing to propose through
    responses, _ = forms.list_responses(form["id"], None)
    listed = [
        (r["responseId"], r.get("lastSubmittedTime", ""), answers_by_key(ROLE_DESCRIPTION, target.spec, r))
        for r in responses
    ]
    records = pure.team_columns(_sheet_values(drive, sheets))
    today = now.astimezone(ZoneInfo(config.email.timezone)).date()
    checked: list[pure.Checked] = []
    keys: set[str] = set()
    # A deployed form keeps its proposal's key: the row's Key cell is the team's to type over by mistake.
    deployed_keys = {
        file["appProperties"][FROM_PROPOSAL]: target.removeprefix(EOI_PREFIX)
        for target, file in deployed.items()
        if target.startswith(EOI_PREFIX) and FROM_PROPOSAL in file["appProperties"]
    }
    for proposal in pure.group(listed):
        record = records.get(proposal.reference, {})
        key = (
            deployed_keys.get(proposal.reference)
            or record.get(PROPOSAL_KEY)
            or pure.key_for(proposal.answers.get("group", ""))
        )
        status = pure.status_of(record)
        # Closed ends a live opportunity, and is also how the team says no to one never approved: that one
        # gets no form, no lead spreadsheet and no email, and leaves its key to another proposal.
        never_live = status == PROPOSAL_CLOSED and not _went_live(proposal.reference, key, deployed)
        others = set(keys)
        opportunity, problems = pure.check(proposal, key, config, others, today)
        if not never_live:
            keys.add(key)
        found = pure.Checked(proposal, key, problems, status, pure.note_of(record), None)
        found.link = record.get(PROPOSAL_LINK, "")
        if status in pure.LIVE_STATUSES and not never_live:
            if opportunity is not None and not pure.blocking(problems, status):
                found.opportunity = opportunity
            elif _went_live(proposal.reference, key, deployed):
                found.opportunity = pure.last_good(proposal, key, config, others, today, status)
                found.kept_earlier = found.opportunity is not None
                found.problems = problems + [pure.KEPT_EARLIER] if found.kept_earlier else problems
            if found.opportunity is not None and status == PROPOSAL_CLOSED:
                found.opportunity = _closed(found.opportunity, today)
        checked.append(found)
    live = [c.opportunity for c in checked if c.opportunity is not None]
    result = Proposals(_with_opportunities(loaded, live), checked)
    if go_live:
        _go_live(result, deployed, forms, drive, now, today)
    return result


def in_both(loaded: Loaded, drive: DriveApi, sheets: SheetsApi) -> list[Problem]:
    """For validate: an opportunity in ppp-gsuite.yaml whose key a proposal in the Opportunities spreadsheet
    also has. One place only: the sync would otherwise let the YAML entry replace the live proposal's form."""
    workspace = loaded.workspace
    if not workspace.config.role_description_form:
        return []
    rows = pure.team_columns(_sheet_values(drive, sheets))
    by_key = {record.get(PROPOSAL_KEY, ""): record for record in rows.values() if record.get(PROPOSAL_KEY)}
    return [
        Problem(
            shown(workspace.path),
            opportunity.line,
            f"opportunity {opportunity.key} is also a proposal in the Opportunities spreadsheet (reference "
            f"{by_key[opportunity.key].get(PROPOSAL_REFERENCE, '')}, {pure.status_of(by_key[opportunity.key])}); "
            "an opportunity lives in one place: remove it here, or set that proposal to Closed and give this one "
            "another key",
        )
        for opportunity in workspace.config.opportunities
        if opportunity.key in by_key
    ]


def _went_live(reference: str, key: str, deployed: dict[str, dict]) -> bool:
    """Whether this proposal's form was deployed: the form of its key, tagged with its reference (or deployed
    before forms were tagged so)."""
    file = deployed.get(eoi_form(key))
    return file is not None and file.get("appProperties", {}).get(FROM_PROPOSAL, reference) == reference


def _closed(opportunity: Opportunity, today: date) -> Opportunity:
    """Closed by the team: its form stops taking responses, whatever its closing date says."""
    return opportunity.model_copy(update={"closing_date": min(opportunity.closing_date, today - timedelta(days=1))})


def _sheet_values(drive: DriveApi, sheets: SheetsApi) -> list[list[str]]:
    """The Opportunities tab as the team left it; empty before the first sync made it."""
    files = [f for f in drive.find(SHEET_KIND) if f.get("appProperties", {}).get("target") == OPPORTUNITIES]
    if not files:
        return []
    tabs = sheets.read_tabs(files[0]["id"], [PROPOSALS_TAB.tab])
    return tabs.get(PROPOSALS_TAB.tab, ("", []))[1]


def _with_opportunities(loaded: Loaded, live: list[Opportunity]) -> Loaded:
    if not live:
        return loaded
    workspace = loaded.workspace
    config = workspace.config.model_copy(update={"opportunities": [*workspace.config.opportunities, *live]})
    widened = Workspace(config, workspace.path, workspace.warnings)
    return Loaded(widened, build_targets(widened, load_specs(widened)), loaded.layouts)


def _go_live(
    result: Proposals, deployed: dict[str, dict], forms: FormsApi, drive: DriveApi, now: datetime, today: date
) -> None:
    """Deploy the forms of approved proposals that are new or changed (and the shared forms, whose lists of
    groups they join); note each one's link."""
    wanted = {c.key: c for c in result.checked if c.opportunity is not None}
    changed = {
        key
        for key, c in wanted.items()
        if deployed.get(eoi_form(key), {}).get("appProperties", {}).get(DEPLOYED) != _fingerprint(c.opportunity)
    }
    if not changed:
        return
    targets = [
        t
        for t in result.loaded.targets
        if (t.opportunity is not None and t.opportunity.key in changed)
        or (t.opportunity is None and t.key != ROLE_DESCRIPTION)
    ]
    outcomes: list[FormOutcome] = deploy(targets, forms, drive, today, now=now)
    for outcome in outcomes:
        opportunity = outcome.target.opportunity
        if opportunity is None or opportunity.key not in wanted:
            if outcome.problem:
                result.problems.append(f"{outcome.target.label}: {outcome.problem}")
            continue
        if outcome.problem:
            result.problems.append(f"{outcome.target.label}: {outcome.problem}")
            continue
        assert outcome.form_id is not None
        c = wanted[opportunity.key]
        drive.set_app_properties(
            outcome.form_id, {DEPLOYED: _fingerprint(c.opportunity), FROM_PROPOSAL: c.proposal.reference}
        )
        wanted[opportunity.key].link = outcome.link or ""


def _fingerprint(opportunity: Opportunity | None) -> str:
    assert opportunity is not None
    return short_hash(opportunity.model_dump_json(), 16)
