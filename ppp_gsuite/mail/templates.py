"""Render the emails in email_templates/: a subject, a plain-text body and an HTML body each.

Staff edit these templates, so they render in jinja2's sandbox with StrictUndefined, and only the
HTML part is autoescaped (docs/decisions.md §7). Files whose names start with "_" are shared parts
(the HTML layout, the footer) used by {% extends %} and {% include %}.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import traceback
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ..errors import Problem, ValidationFailed
from ..yamlload import shown
from .meeting_emails import MEETING_EMAILS, with_meeting_sample
from .template_files import check_files

EMAILS: dict[str, str] = {
    "eoi_received": "applicant",
    "interview_invitation": "applicant",
    "appointed": "applicant",
    "not_appointed": "applicant",
    "claim_received": "partner",
    "claim_queried": "partner",
    "claim_approved": "partner",
    "claim_paid": "partner",
    "needs_reminder": "partner",
    "agreement_changed": "partner",
    "network_invitation": "partner",
    "eoi_digest": "lead",
    "needs_received": "lead",
    "closing_date_passed": "lead",
    "induction_checklist": "lead",
    "agreement_reminder": "lead",
    "review_due": "lead",
    "term_ending": "lead",
    "claims_digest": "approvers",
    "sharing_changes": "engagement_team",
    "preferences_message": "engagement_team",
    "network_invited": "engagement_team",
    "support_request_new": "coordinators",
    "support_matched_requester": "requester",
    "support_matched_supporter": "supporter",
    "support_follow_up": "requester",
    "support_evaluation": "requester",
    "proposal_checked": "proposer",
    "proposal_returned": "proposer",
    "proposal_live": "proposer",
    **MEETING_EMAILS,
}

# Emails to a lead contact about one of their partners name that partner (never their answers or details).
NAMES_THE_PARTNER = (
    "needs_received",
    "preferences_message",
    "induction_checklist",
    "agreement_reminder",
    "review_due",
    "term_ending",
)

PARTS = {"subject": ".subject.txt", "text": ".txt", "html": ".html"}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def long_date(value: object) -> str:
    """'Monday 15 March 2027': no leading zero, no abbreviations, the same on every platform."""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return str(value)  # text that is not a date, as it is
    if isinstance(value, datetime.date):
        return f"{value:%A} {value.day} {value:%B %Y}"
    return str(value)


def money(value: object) -> str:
    """'£12.50' from a number or numeric text; other text is shown as it is."""
    try:
        amount = Decimal(str(value).strip().lstrip("£"))
    except InvalidOperation:
        return str(value)
    return f"£{amount:,.2f}"


class _Named(dict[str, Any]):
    """A mapping in an email's context that knows its dotted name, so a typo can be named in full."""

    __slots__ = ("_name",)  # underscored: the sandbox never lets a template reach it
    _name: str


def _named(value: object, name: str) -> object:
    if isinstance(value, dict):
        named = _Named({key: _named(item, f"{name}.{key}") for key, item in value.items()})
        named._name = name
        return named
    return value


class _UnknownVariable(jinja2.StrictUndefined):
    """StrictUndefined whose message names the variable as the template wrote it and what it could be."""

    @property
    def _undefined_message(self) -> str:
        owner, name = self._undefined_obj, self._undefined_name
        if owner is jinja2.utils.missing:
            return f"{name}"
        if isinstance(owner, _Named):
            known = ", ".join(sorted(str(key) for key in owner))
            return f"{owner._name}.{name}; {owner._name} has {known}"
        return f"{name} (on a {type(owner).__name__})"


# The folder, and each file's (name, modification time in ns, size).
_Signature = tuple[str, tuple[tuple[str, int, int], ...]]


def _signature(templates_dir: Path) -> _Signature:
    """The folder and every file's name, size and modification time: what a staff edit changes."""
    found = []
    with os.scandir(templates_dir) as entries:
        for entry in entries:
            if entry.is_file():
                stat = entry.stat()
                found.append((entry.name, stat.st_mtime_ns, stat.st_size))
    return (str(Path(templates_dir).resolve()), tuple(sorted(found)))


# One compiled environment per templates folder and process: compiling the fourteen emails in a new
# sandbox costs far more than rendering them. Keyed by the files' signature, so an edit is seen.
_ENVIRONMENTS: dict[str, tuple[_Signature, SandboxedEnvironment]] = {}
_PASSED: set[str] = set()  # the contents of template folders that passed check_templates


def _environment(templates_dir: Path) -> SandboxedEnvironment:
    signature = _signature(templates_dir)
    cached = _ENVIRONMENTS.get(signature[0])
    if cached and cached[0] == signature:
        return cached[1]
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=_UnknownVariable,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["money"] = money
    _ENVIRONMENTS[signature[0]] = (signature, env)
    return env


def render(templates_dir: Path, name: str, context: dict[str, Any]) -> RenderedEmail:
    templates_dir = Path(templates_dir)
    env = _environment(templates_dir)
    parts = {part: _render_one(env, templates_dir, name + suffix, context) for part, suffix in PARTS.items()}
    return RenderedEmail(subject=" ".join(parts["subject"].split()), text=parts["text"], html=parts["html"])


def _render_one(env: SandboxedEnvironment, templates_dir: Path, filename: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(filename).render({key: _named(value, key) for key, value in context.items()})
    except jinja2.TemplateNotFound as exc:
        missing = exc.name or filename
        raise ValidationFailed(
            [Problem(shown(templates_dir / missing), None, "the template file is missing")]
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        where = shown(Path(exc.filename)) if exc.filename else shown(templates_dir / filename)
        raise ValidationFailed([Problem(where, exc.lineno, f"template syntax error: {exc.message}")]) from None
    except Exception as exc:  # staff-edited templates: any failure is reported with its place, not raised raw
        where, line = _template_frame(exc, templates_dir / filename)
        if isinstance(exc, jinja2.UndefinedError):
            known = ", ".join(sorted(context))
            message = f"unknown variable {exc.message}" + (
                "" if ";" in str(exc.message) else f"; this email can use {known}"
            )
        else:
            message = f"the template cannot be rendered: {exc}"
        raise ValidationFailed([Problem(where, line, message)]) from None


def _template_frame(exc: Exception, default: Path) -> tuple[str, int | None]:
    """The file and line of the innermost template frame: jinja2 rewrites tracebacks to template lines."""
    templates = default.parent.resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.suffix in (".txt", ".html") and path.resolve().parent == templates:
            return shown(path), frame.lineno
    return shown(default), None


def check_templates(templates_dir: Path) -> list[Problem]:
    """Every email renders with its sample context; every template file belongs to an email.

    Templates that passed are not checked again in this process: nor is a copy of them elsewhere
    (the key is the files' names and contents, which the sample contexts alone render).
    """
    templates_dir = Path(templates_dir)
    if not templates_dir.is_dir():
        return [Problem(shown(templates_dir), None, "the email templates folder is missing")]
    contents = _contents(templates_dir)
    if contents in _PASSED:
        return []
    problems = _check_templates(templates_dir)
    if not problems:
        _PASSED.add(contents)
    return problems


def _contents(templates_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(templates_dir.iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _check_templates(templates_dir: Path) -> list[Problem]:
    problems, broken = check_files(templates_dir, EMAILS, PARTS.values())
    for name in EMAILS:
        if name in broken:
            continue
        try:
            render(templates_dir, name, sample_context(name))
        except ValidationFailed as exc:
            problems += exc.problems
    return problems


def sample_context(name: str) -> dict[str, Any]:
    """A realistic context for `name`: the common keys, shaped as the send shapes them (mail.context),
    plus only the keys that email gets."""
    from .context import email_context  # it reads EMAILS from here

    audience = EMAILS[name]
    to_person = audience in ("applicant", "partner")
    context = email_context(
        name,
        organisation={
            "name": "Riverside Health and Care Partnership",
            "engagement_email": "involvement@example.org",
            "pals": "For a complaint or concern about your care, please contact PALS at pals@example.org or on 01632 960 000.",
            "one_to_one_support": "We offer free one-to-one support from an experienced partner: email involvement@example.org.",
        },
        sender={"name": "Riverside Involvement Team", "email": "involvement@example.org"},
        lead={
            "name": "Morgan Hale",
            "role": "Community Services Programme Manager",
            "email": "morgan.hale@example.org",
        },
        opportunity={
            "key": "community-services-group",
            "group": "Community Services Working Group",
            "closing_date": datetime.date(2027, 3, 15),
            "reply_by": datetime.date(2027, 3, 29),
            "places": 2,
            "where": "Online on Microsoft Teams, and twice a year at Riverside House",
            "time_commitment": "Six meetings a year, two and a half hours each, with papers to read beforehand",
            "confidentiality_agreement": True,
            "induction": True,
            "expenses": True,
        },
    )
    # The lead's needs_received email names the partner; other lead and team emails name nobody.
    context["person"] = {"name": "Alex Rowan" if to_person or name in NAMES_THE_PARTNER else ""}
    context["links"].update(
        {
            "preferences": "https://forms.example.org/preferences?ref=7f3a9c" if to_person else "",
            "needs_assessment": "https://forms.example.org/needs?ref=7f3a9c"
            if name in ("appointed", "needs_reminder")
            else "",
            "confidentiality_agreement": "https://forms.example.org/confidentiality?ref=7f3a9c"
            if name in ("appointed", "agreement_changed")
            else "",
            "expenses": "https://forms.example.org/expenses?ref=7f3a9c"
            if audience == "partner" or name == "appointed"
            else "",
            "sheet": "https://sheets.example.org/d/community-services" if not to_person else "",
            "equal_opportunities": "https://forms.example.org/equal-opportunities" if name == "eoi_received" else "",
        }
    )
    extra: dict[str, dict[str, Any]] = {
        "interview_invitation": {
            "interview": {
                "when": "Thursday 8 April 2027 at 2pm",
                "where": "https://teams.example.org/meet/community-services",
                "panel": "Morgan Hale and Jordan Patel, a current Patient and Public Partner",
            }
        },
        "not_appointed": {"future_opportunities": True},
        "eoi_digest": {"digest": {"count": 3}},
        "claims_digest": {"digest": {"count": 2}},
        "needs_reminder": {"days_waiting": 14},
        "agreement_reminder": {"days_waiting": 14},
        "agreement_changed": {"agreement": {"version": "2"}},
        "induction_checklist": {
            "checklist": ["What is expected of the role", "If meetings are on Microsoft Teams, an overview of it"]
        },
        "network_invitation": {
            "event": {"name": "Peer support network: spring meeting", "date": datetime.date(2027, 3, 18)}
        },
        "network_invited": {
            "event": {"name": "Peer support network: spring meeting", "date": datetime.date(2027, 3, 18)},
            "invited": {"names": ["Alex Rowan", "Sam Kerr"]},
        },
        "review_due": {"review": {"due": datetime.date(2027, 11, 24), "months": 12}},
        "term_ending": {"term": {"end": datetime.date(2028, 11, 30)}},
        "sharing_changes": {"changes": {"added": ["Alex Rowan", "Sam Kerr"], "removed": ["Chris Dale"]}},
    }
    if name.startswith("proposal_"):
        extra[name] = {
            "proposal": {
                "group": "Community Services Working Group",
                "reference": "k3j7q2m9x4b8n5t1",
                "problems": [
                    "the closing date, 2026-01-31, is in the past",
                    "it offers 1 place; two or more are advised",
                ]
                if name == "proposal_checked"
                else [],
                "note": "Please say where the meetings take place." if name == "proposal_returned" else "",
                "link": "https://forms.example.org/community-services" if name == "proposal_live" else "",
            }
        }
    if name.startswith("claim_"):
        extra[name] = {
            "claim": {
                "what": "travel to the working group meeting",
                "date": datetime.date(2027, 4, 13),
                "total": "12.60",
                "status": {
                    "claim_received": "Received",
                    "claim_queried": "Queried",
                    "claim_approved": "Approved",
                    "claim_paid": "Paid",
                }[name],
                "notes": "Could you tell us where you parked? The parking receipt is for a different day."
                if name == "claim_queried"
                else "",
                "miles_unread": False,
            }
        }
    if name.startswith("support_") and name != "support_request_new":
        context["person"] = {"name": "Sam Kerr" if name == "support_matched_supporter" else "Alex Rowan"}
        extra[name] = {
            "request": {
                "name": "Alex Rowan",
                "email": "alex.rowan@example.org",
                "support_with": "Preparing for a new involvement role; Exploring how to be more effective",
                "how_to_meet": "By video call",
            },
            "supporter": {"name": "Sam Kerr", "email": "sam.kerr@example.org"},
            "agreement": {"focus": "Preparing for the first board meeting", "until": datetime.date(2027, 5, 24)},
        }
    if name == "support_evaluation":
        context["links"]["evaluation"] = "https://forms.example.org/support-evaluation?ref=7f3a9c"
    if name == "support_request_new":
        context["links"]["sheet"] = "https://sheets.example.org/d/support-scheme"
    context.update(extra.get(name, {}))
    with_meeting_sample(name, context)
    return context
