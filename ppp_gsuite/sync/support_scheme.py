"""The one-to-one support scheme (pure): requests and evaluations into the scheme's spreadsheet, and the
emails its coordinators' statuses call for, each once.

A request is New; a coordinator matches a supporter (Status Matched, Supporter: one of the config's
supporters by name or address), and the requester and the supporter are each told once (again only
if matched to someone else); Agreement made, with the Focus agreed and the Until date filled in,
schedules one follow-up to the requester on that date; Closed sends the two-question evaluation,
whose answers come back by the reference in its link. A status must stand `email.grace_minutes`,
as a lead's decision does, and an email waiting for a detail says so in Needs checking.
"""

from __future__ import annotations

from datetime import timedelta

from ..config import Config, Person
from ..vocabulary import (
    AGREEMENT_MADE,
    CLOSED,
    MATCHED,
    SCHEME,
    SHEET_TIME,
    SUPPORT_EVALUATION,
    SUPPORT_REQUEST,
)
from .consent import consent_rows
from .email_step import EmailView, Note, records_for, with_flag
from .emails import (
    ACKNOWLEDGE_WITHIN,
    DueEmail,
    Records,
    approver_tag,
    common_context,
    email_key,
    recent,
    status_view,
    stood,
)
from .partner_support import UNREADABLE_DATE, read_date
from .response_rows import Writes, version
from .rows import Row, build_row, reference_for, typed_reference

HELD = "email held until these are filled in"  # the start of its Needs checking note


def rows(config: Config, targets: dict, snapshot, runs: dict) -> Writes:
    """New and edited requests (each with its own reference, and its privacy agreement in the consent log)
    and evaluations (by the reference in their link: one that matches no request is flagged)."""
    writes = Writes()
    run = runs.get(SCHEME)
    if run is None:
        return writes
    requests, evaluations = run.dest.tab(SUPPORT_REQUEST), run.dest.tab(SUPPORT_EVALUATION)
    known = set()
    if requests is not None:
        values = run.values.get(requests.tab, [])
        column = requests.column("tool", "reference")
        if values and column and column.header in values[0]:
            position = values[0].index(column.header)
            known = {line[position] for line in values[1:] if len(line) > position and line[position]}
        target = targets[SUPPORT_REQUEST]
        for response in snapshot.listed.get(SUPPORT_REQUEST, []):
            answers = snapshot.answers[(SUPPORT_REQUEST, response["responseId"])]
            reference = reference_for(response["responseId"])
            known.add(reference)
            row = build_row(
                requests,
                SUPPORT_REQUEST,
                target.spec,
                response,
                version(snapshot, SUPPORT_REQUEST, response),
                tool_values={"reference": reference},
                answers=answers,
                zone=config.email.timezone,
            )
            writes.add(SCHEME, requests.tab, [row])
            writes.consents += consent_rows(SUPPORT_REQUEST, target.spec, response, reference, answers)
            writes.flagged += bool(row.flags)
    if evaluations is not None:
        target = targets[SUPPORT_EVALUATION]
        for response in snapshot.listed.get(SUPPORT_EVALUATION, []):
            answers = snapshot.answers[(SUPPORT_EVALUATION, response["responseId"])]
            row = build_row(
                evaluations,
                SUPPORT_EVALUATION,
                target.spec,
                response,
                version(snapshot, SUPPORT_EVALUATION, response),
                tool_values={"partner_reference": typed_reference(answers.get("reference", ""))},
                answers=answers,
                zone=config.email.timezone,
            )
            writes.add(SCHEME, evaluations.tab, [row])
            writes.unmatched += typed_reference(answers.get("reference", "")) not in known
    return writes


def supporter(config: Config, typed: str) -> Person | None:
    """The supporter a coordinator typed: by name or address, in any case."""
    wanted = " ".join(typed.split()).lower()
    assert config.support_scheme is not None  # the scheme's spreadsheet exists only with one
    return next(
        (p for p in config.support_scheme.supporters if wanted in (p.name.lower(), p.email.lower())),
        None,
    )


def _missing(config: Config, found: Records, record: dict[str, str], status: str) -> list[str]:
    """What an email about `status` waits for: a known supporter; the focus and a readable Until date."""
    missing = []
    if (
        status in (MATCHED, AGREEMENT_MADE, CLOSED)
        and supporter(config, found.get(record, "lead", "supporter")) is None
    ):
        missing.append(f"{found.tab.header('lead', 'supporter')} (one of the supporters in the config)")
    if status == AGREEMENT_MADE:
        if not found.get(record, "lead", "focus"):
            missing.append(found.tab.header("lead", "focus"))
        if read_date(found.get(record, "lead", "until")) is None:
            missing.append(f"{found.tab.header('lead', 'until')} ({UNREADABLE_DATE})")
    return missing


def notes(view: EmailView) -> list[Note]:
    """What each request's email waits for, in Needs checking (its status is noted with the others':
    email_step.status_notes)."""
    found = records_for(view, SCHEME, SUPPORT_REQUEST)
    if found is None or SCHEME in view.held or view.config.support_scheme is None:
        return []
    flags = found.tab.column("tool", "flags")
    result = []
    for response_id, record in found.by_id.items():
        if flags is None:
            break
        missing = _missing(view.config, found, record, found.get(record, "lead", "status"))
        cell = with_flag(record.get(flags.header, ""), HELD, f"{HELD}: {', '.join(missing)}" if missing else None)
        if cell != record.get(flags.header, ""):
            result.append(Note(SCHEME, found.tab.tab, Row(response_id, "", {flags.header: cell})))
    return result


def emails(view: EmailView, wanted) -> list[DueEmail]:
    """To coordinators: each new request (a pointer to the sheet). To the requester and the supporter: the
    match. To the requester: the follow-up on the Until date, and the evaluation when Closed."""
    config, found = view.config, records_for(view, SCHEME, SUPPORT_REQUEST)
    if found is None or SCHEME in view.held or config.support_scheme is None:
        return []
    grace = timedelta(minutes=config.email.grace_minutes)
    since = (view.local_now - ACKNOWLEDGE_WITHIN).strftime(SHEET_TIME)
    due = []
    for response_id, record in found.by_id.items():
        name, address = found.get(record, "answer", "full_name"), found.contact(record, "email")
        reference = found.get(record, "tool", "reference")
        if recent(found, record, since):
            for coordinator in config.support_scheme.coordinators:
                key = email_key(response_id, "support_request_new", approver_tag(coordinator.email))
                if wanted(key):
                    context = _context(config, "support_request_new", view.sheet_links.get(SCHEME, ""))
                    due.append(
                        DueEmail(
                            key,
                            "support_request_new",
                            coordinator.name,
                            coordinator.email,
                            "a coordinator's address (support_scheme: coordinators)",
                            context,
                        )
                    )
        shown = status_view(record, found.tab, "status", config.email.timezone)
        if not stood(shown, view.now, grace) or _missing(config, found, record, shown.status):
            continue
        helper = supporter(config, found.get(record, "lead", "supporter"))
        if helper is None:
            continue  # New: nobody matched yet
        tag = approver_tag(helper.email)
        request = {
            "name": name,
            "email": address,
            "support_with": found.get(record, "answer", "support_with"),
            "how_to_meet": found.get(record, "answer", "how_to_meet"),
        }
        common = {
            "request": request,
            "supporter": {"name": helper.name, "email": helper.email},
            "agreement": {
                "focus": found.get(record, "lead", "focus"),
                "until": read_date(found.get(record, "lead", "until")) or "",
            },
        }

        requester, helped_by = (name, address), (helper.name, helper.email)
        to_requester = "the requester's email address"
        wanted_now: list[tuple[str, str, tuple[str, str], str, tuple[str, str], dict]] = []
        if shown.status in (MATCHED, AGREEMENT_MADE, CLOSED):
            wanted_now.append(("support_matched_requester", tag, requester, to_requester, helped_by, {}))
            wanted_now.append(("support_matched_supporter", tag, helped_by, "a supporter's address", requester, {}))
        until = read_date(found.get(record, "lead", "until"))
        if shown.status == AGREEMENT_MADE and until and view.local_now.date() >= until:
            wanted_now.append(("support_follow_up", until.isoformat(), requester, to_requester, helped_by, {}))
        if shown.status == CLOSED:
            link = view.links_for(reference).get(SUPPORT_EVALUATION, "")
            wanted_now.append(("support_evaluation", "", requester, to_requester, helped_by, {"evaluation": link}))
        for template, about, to, who, reply_to, links in wanted_now:
            key = email_key(response_id, template, about)
            if wanted(key):
                context = _context(config, template, "") | common
                context["person"] = {"name": to[0]}
                context["links"] |= links
                due.append(DueEmail(key, template, to[0], to[1], who, context, reply_to))
    return due


def _context(config: Config, name: str, sheet: str) -> dict:
    context = common_context(config, None, name)
    context["links"]["sheet"] = sheet
    return context
