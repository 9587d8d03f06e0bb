"""Apply the planner's plans: create or update each form, publish it, let responders in, and tag it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from ..errors import PppError, Problem, ValidationFailed
from ..google.drive_api import APP_KEY, FORM_MIME, DriveApi, oldest, permission_in_words
from ..google.errors import GoogleApiError
from ..google.forms_api import FormsApi, StaleRevision
from ..specs.load import FormTarget
from .plan import FormPlan, plan_form
from .versions import REVISION, record_deploy

FORM_KIND = "form"
# The reason Drive gives when an organisation's policy refuses a public share. Only this positive
# signal is explained as the administrator's setting; any other 403 is reported as Google said it.
SHARING_POLICY_REASONS = {"publishOutNotPermitted"}
RESPONDERS_REFUSED = (
    "your organisation does not allow sharing with 'anyone with the link', so people outside it "
    "cannot open this form. Ask your Google Workspace administrator to allow it for forms (Admin "
    "console > Apps > Google Workspace > Drive and Docs > Sharing settings), then run deploy-forms again"
)
EDITED_MEANWHILE = (
    "someone edited this form in Google Forms while deploy-forms was updating it, twice in a row, so "
    "nothing more was changed. Ask whoever is editing it to stop (the spec is the form's source), "
    "then run deploy-forms again"
)


@dataclass
class FormOutcome:
    target: FormTarget
    plan: FormPlan
    form_id: str | None = None
    link: str | None = None
    accepting: bool = True
    steps: list[str] = field(default_factory=list)  # what was done besides the plan
    problem: str | None = None
    recorded_revision: str | None = None
    app_properties: dict[str, str] = field(default_factory=dict)  # as found on the deployed form's Drive file

    @property
    def changed(self) -> bool:
        return not self.plan.unchanged or bool(self.steps)


def accepting_responses(target: FormTarget, today: date) -> bool:
    """An EOI stops taking responses after its closing date (the Forms API has no closing date)."""
    return target.opportunity is None or today <= target.opportunity.closing_date


def find_deployed(drive: DriveApi) -> dict[str, dict]:
    """target key -> the form's Drive file, from the appProperties set when each form was created."""
    return {f["appProperties"]["target"]: f for f in drive.find(FORM_KIND) if "target" in f.get("appProperties", {})}


def deploy(
    targets: list[FormTarget],
    forms: FormsApi,
    drive: DriveApi,
    today: date,
    dry_run: bool = False,
    allow_retitle=frozenset(),
    now: datetime | None = None,
) -> list[FormOutcome]:
    """Plan every form first: while any key would change meaning, nothing is changed anywhere.
    `now` is when a new revision goes live (recorded in the form's deploy history); the clock's time if None."""
    deployed = find_deployed(drive)
    planned = []
    for target in targets:
        file = deployed.get(target.key)
        live = forms.get(file["id"]) if file else None
        outcome = FormOutcome(
            target, plan_form(target.spec_name, target.spec, live, allow_retitle), file["id"] if file else None
        )
        outcome.app_properties = dict(file.get("appProperties", {})) if file else {}
        outcome.recorded_revision = outcome.app_properties.get(REVISION)
        outcome.accepting = accepting_responses(target, today)
        outcome.link = live.get("responderUri") if live else None
        planned.append((outcome, live))
    refused = [
        Problem(*outcome.target.where(change.key, "type" if change.kind == "type" else "title"), change.message)
        for outcome, _ in planned
        for change in outcome.plan.meaning_changes
    ]
    if refused:
        raise ValidationFailed(refused)
    outcomes = []
    for outcome, live in planned:
        if dry_run:
            _preview_publishing(outcome, live)
            outcomes.append(outcome)
            continue
        outcomes.append(outcome)
        try:
            _apply_replanning_once(outcome, live, forms, drive, allow_retitle, now)
        except IdsChanged as error:
            outcome.problem = f"{error} Deploy stopped here: no later form was deployed."
            break
        except (GoogleApiError, StaleRevision) as error:
            outcome.problem = EDITED_MEANWHILE if isinstance(error, StaleRevision) else str(error)
    return outcomes


def _apply_replanning_once(
    outcome: FormOutcome,
    live: dict | None,
    forms: FormsApi,
    drive: DriveApi,
    allow_retitle: frozenset[str] = frozenset(),
    now: datetime | None = None,
) -> None:
    """Apply the plan; if the form changed since it was read, read it again, re-plan and apply once more
    (the same check of each key's meaning as the first plan: a change there stops this form)."""
    try:
        _apply(outcome, live, forms, drive, now or datetime.now(UTC))
    except StaleRevision:
        assert outcome.form_id is not None  # a stale revision is only ever of a form that exists
        live = forms.get(outcome.form_id)
        outcome.plan = plan_form(outcome.target.spec_name, outcome.target.spec, live, allow_retitle)
        if outcome.plan.meaning_changes:
            outcome.problem = "; ".join(change.message for change in outcome.plan.meaning_changes)
            return
        _apply(outcome, live, forms, drive, now or datetime.now(UTC))


def _apply(outcome: FormOutcome, live: dict | None, forms: FormsApi, drive: DriveApi, now: datetime) -> None:
    plan = outcome.plan
    if plan.create is not None:
        created = _create(outcome, plan.create, forms, drive)
        outcome.form_id, outcome.link = created["formId"], created.get("responderUri")
        # Tag first: a crash after this leaves a form the next run finds and completes, not an orphan.
        drive.set_app_properties(
            outcome.form_id, {APP_KEY: FORM_KIND, "target": outcome.target.key, "spec": outcome.target.spec_name}
        )
        live_revision = created.get("revisionId")
    else:
        live_revision = (live or {}).get("revisionId")
    assert outcome.form_id is not None  # found deployed, or created just now
    revision = live_revision
    if plan.requests:
        reply = forms.batch_update(outcome.form_id, plan.requests, live_revision)
        _check_created_ids(outcome, plan.requests, reply.get("replies", []))
        revision = reply.get("writeControl", {}).get("requiredRevisionId")
    if revision and revision != outcome.recorded_revision:
        # The deploy history: the sync stamps each new row with the revision live when it was submitted.
        drive.set_app_properties(outcome.form_id, record_deploy(outcome.app_properties, revision, now))
    state = (live or {}).get("publishSettings", {}).get("publishState", {})
    if (
        plan.create is not None
        or not state.get("isPublished")
        or bool(state.get("isAcceptingResponses")) != outcome.accepting
    ):
        forms.set_publish_state(outcome.form_id, True, outcome.accepting)
        outcome.steps.append("publish" + ("" if outcome.accepting else ", closed to new responses"))
    permissions = drive.permissions(outcome.form_id)
    if plan.create is not None:
        _remove_default_visibility(outcome, permissions, drive)
    if not _has_responder_permission(permissions):
        try:
            drive.share_with_responders(outcome.form_id)
            outcome.steps.append("let anyone with the link respond")
        except GoogleApiError as error:
            if error.code != 403 or error.reason not in SHARING_POLICY_REASONS:
                raise
            outcome.problem = RESPONDERS_REFUSED
    if outcome.link is None:
        outcome.link = forms.get(outcome.form_id).get("responderUri")


def _create(outcome: FormOutcome, body: dict, forms: FormsApi, drive: DriveApi) -> dict:
    """forms.create, sent once. An untagged form of this app with the same name is a spare (a create whose
    answer was lost, or a run stopped before tagging): reported and trashed, never used unseen. After a
    lost answer, the form it made (if any) is found the same way and used; any more are spares."""
    name = body["info"].get("documentTitle") or body["info"]["title"]
    _trash_spares(outcome, drive.untagged(FORM_MIME, name), drive)

    def made() -> dict | None:
        found = oldest(drive.untagged(FORM_MIME, name))
        if not found:
            return None
        _trash_spares(outcome, found[1:], drive)
        return forms.get(found[0]["id"])

    return forms.create(body, applied=made)


def _trash_spares(outcome: FormOutcome, spares: list[dict], drive: DriveApi) -> None:
    for spare in spares:
        drive.trash(spare["id"])
        outcome.steps.append("move a spare untagged copy of this form to the bin (left by an interrupted create)")


def _remove_default_visibility(outcome: FormOutcome, permissions: list[dict], drive: DriveApi) -> None:
    """A new form may be shared with the whole domain by the organisation's default visibility
    (forms.create has no ignoreDefaultVisibility): only its owner and its responders are meant to reach it."""
    assert outcome.form_id is not None  # created just now
    for permission in permissions:
        if permission.get("type") in ("domain", "anyone") and permission.get("view") != "published":
            drive.unshare(outcome.form_id, permission["id"])
            outcome.steps.append(
                f"remove the access {permission_in_words(permission).replace(' can open it', ' had by default')}"
            )


def found_none(outcomes: list[FormOutcome]) -> bool:
    """No form was found deployed (every one is to be created): perhaps another app identity deployed them."""
    return bool(outcomes) and all(o.plan.create is not None for o in outcomes)


def _check_created_ids(outcome: FormOutcome, requests: list[dict], replies: list[dict]) -> None:
    """Every createItem reply must carry the item and question ids asked for: the sync finds each
    answer's column by question id, so a substituted id would leave that column blank for ever."""
    for request, reply in zip(requests, replies):
        if "createItem" not in request:
            continue
        item = request["createItem"]["item"]
        asked = (item["itemId"], _question_ids(item))
        given = reply.get("createItem", {})
        got = (given.get("itemId"), list(given.get("questionId", [])))  # Google omits an empty list
        if got != asked:
            raise IdsChanged(
                f"Google created an item of form {outcome.form_id} ({outcome.target.label}) with the ids "
                f"{got[0]} / {', '.join(got[1]) or 'none'} instead of the ids asked for, {asked[0]} / "
                f"{', '.join(asked[1]) or 'none'}; answers to it could not be put in their column. The form "
                "was not published. Please report this (the Forms API may have changed how it takes ids)."
            )


def _question_ids(item: dict) -> list[str]:
    if "questionItem" in item:
        return [item["questionItem"]["question"]["questionId"]]
    return [q["questionId"] for q in item.get("questionGroupItem", {}).get("questions", [])]


def _preview_publishing(outcome: FormOutcome, live: dict | None) -> None:
    state = (live or {}).get("publishSettings", {}).get("publishState", {})
    if live is None or not state.get("isPublished") or bool(state.get("isAcceptingResponses")) != outcome.accepting:
        outcome.steps.append("publish" + ("" if outcome.accepting else ", closed to new responses"))


def _has_responder_permission(permissions: list[dict]) -> bool:
    """The grant that lets anyone with the link respond (not merely read the form's file)."""
    return any(
        p.get("type") == "anyone" and p.get("role") == "reader" and p.get("view") == "published" for p in permissions
    )


class DeployFailed(PppError):
    pass


class IdsChanged(PppError):
    """Google created an item or question under other ids than those asked for."""
