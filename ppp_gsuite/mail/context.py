"""The shape of an email's context: which keys each email gets (pure).

One function for the send and for `validate`'s sample: the send fills it from the config and the
rows, the sample from made-up values, so a template that passes `validate` can be filled in when
it is sent (an email to the engagement team is about no opportunity, in both).
"""

from __future__ import annotations

from .templates import EMAILS

LINKS = (
    "preferences",
    "needs_assessment",
    "expenses",
    "sheet",
    "equal_opportunities",
    "confidentiality_agreement",
    "evaluation",  # the one-to-one support scheme's evaluation form, prefilled with the request's reference
    "meeting_feedback",
)
NO_LEAD = {"name": "", "role": "", "email": ""}


def about_an_opportunity(name: str) -> bool:
    """Emails to applicants, partners and leads concern one opportunity; the engagement team's, the
    expenses approvers', the support scheme's and a role description's proposer's do not (a proposal is not
    one yet)."""
    return EMAILS[name] not in ("engagement_team", "approvers", "requester", "supporter", "coordinators", "proposer")


def email_context(name: str, organisation: dict, sender: dict, lead: dict | None, opportunity: dict | None) -> dict:
    """The keys every email `name` gets; the caller adds the person, the links and that email's own keys."""
    about = about_an_opportunity(name)
    return {
        "organisation": organisation,
        "sender": sender,
        "lead": lead if about and lead else dict(NO_LEAD),
        "opportunity": opportunity if about and opportunity else {},
        "person": {"name": ""},
        "links": dict.fromkeys(LINKS, ""),
    }
