"""`ppp-gsuite network invite`: a peer support network meeting's invitation to every partner whose
latest consent allows it, once per event and person, and the list of them to the engagement team.

Who is invited is who the engagement team's sheet holds (consent.may_share on the latest answer the
person gave, through any of their references): a partner who said no, or never answered, is never
emailed about the network. An invitation's key names the person (a hash of their address, never the
address) and the event (its date and a hash of its name), so running the command again for the same
event sends nothing twice, and someone who consents later is invited by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..errors import PppError
from ..vocabulary import ADMIN, APPOINTED, ENGAGEMENT, EOI, SENT, opportunity_target, short_hash
from .consent import by_person, may_share, person_of
from .email_step import read_log, records_for
from .emails import DueEmail, approver_tag, common_context, email_key
from .mailer import MailReport, log_state

INVITATION, TEAM_LIST = "network_invitation", "network_invited"


@dataclass
class InviteReport:
    invited: int = 0  # people with an invitation to this event, this run or before
    new: int = 0  # of them, invited by this run
    mail: MailReport | None = None
    sheet: str = ""  # the engagement team's sheet
    names: list[str] = field(default_factory=list)  # never printed: for the team's email


def event_tag(event: str, day: date) -> str:
    """An event in a key: its date and a hash of its name (a name typed again the same way is the same event)."""
    return f"{day.isoformat()} {short_hash(' '.join(event.lower().split()), 8)}"


def invitation_key(person: str, event: str, day: date) -> str:
    return email_key(f"network {short_hash(person, 12)}", INVITATION, event_tag(event, day))


def invitations(view, event: str, day: date) -> tuple[list[DueEmail], list[str]]:
    """One invitation per person whose latest consent allows sharing (every key, sent before or not), and
    their names."""
    config = view.config
    consents = by_person(view.consents, view.partners)
    due: dict[str, DueEmail] = {}
    for opportunity in config.opportunities:
        target = opportunity_target(opportunity.key)
        eoi = records_for(view, target, EOI)
        if eoi is None:
            continue
        for record in eoi.by_id.values():
            reference, status = eoi.get(record, "tool", "reference"), eoi.get(record, "lead", "status")
            partner = view.partners.get(reference)
            if partner is None or not may_share(consents, reference, status, config.engagement_requires_appointment):
                continue
            key = invitation_key(person_of(partner), event, day)
            if key in due and status != APPOINTED:
                continue  # one invitation a person: named with a role they hold, when they hold several
            context = common_context(config, opportunity, INVITATION)
            context.update(
                person={"name": partner.name},
                links=view.links_for(reference),
                event={"name": event, "date": day},
            )
            due[key] = DueEmail(
                key,
                INVITATION,
                partner.name,
                eoi.contact(record, "email"),
                "the partner's email address",
                context,
                (config.sender.name, config.sender.email),
            )
    return list(due.values()), sorted(email.to_name for email in due.values())


def team_lists(view, event: str, day: date, names: list[str], sheet: str) -> list[DueEmail]:
    """To each of the engagement team: who was invited (names only: their details are in the team's sheet).
    Once for each list: a run that invites nobody new sends none."""
    if not names:
        return []
    due = []
    for member in view.config.engagement_team:
        context = common_context(view.config, None, TEAM_LIST)
        context["links"]["sheet"] = sheet
        context.update(event={"name": event, "date": day}, invited={"names": names})
        key = email_key(
            "network",
            TEAM_LIST,
            f"{event_tag(event, day)} {short_hash('|'.join(names), 8)} {approver_tag(member.email)}",
        )
        due.append(
            DueEmail(key, TEAM_LIST, member.name, member.email, "an engagement team address (engagement_team)", context)
        )
    return due


def invite(sync, event: str, day: date) -> InviteReport:
    """Send the invitations due for `event` on `day` through a Sync's spreadsheets and email log (nothing
    listed from the forms, nothing else written)."""
    from .destinations import EMAIL_LOG  # the admin spreadsheet's tabs

    if not event.strip():
        raise PppError('name the event: --event "Peer support network, spring meeting"')
    view = sync.view_as_read()
    admin = sync.runs[ADMIN]
    log = read_log(admin.values.get(EMAIL_LOG.tab, []))
    mailer = sync._mailer(log)
    if mailer is None:
        raise PppError(
            "no email can be sent: email.send is false, or the sync records spreadsheet is shared too widely "
            "(ppp-gsuite sync says which)"
        )
    report = InviteReport(sheet=view.sheet_links.get(ENGAGEMENT, ""))
    people, names = invitations(view, event, day)
    report.invited, report.names = len(people), names
    fresh = [email for email in people if mailer.is_due(email.key)]
    sync._send(mailer, fresh)
    report.new = mailer.report.sent
    sent = [email.to_name for email in people if log_state(mailer.log.get(email.key, {})) == SENT]
    sync._send(mailer, team_lists(view, event, day, sorted(sent), report.sheet))
    sync.books.flush([admin])
    report.mail = mailer.report
    return report
