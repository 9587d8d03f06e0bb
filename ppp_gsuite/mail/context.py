"""The shape of an email's context: which keys each email gets (pure).

One function for the send and for `validate`'s sample: the send fills it from the config and the
rows, the sample from made-up values, so a template that passes `validate` can be filled in when
it is sent (an email to the engagement team is about no opportunity, in both).
"""

from __future__ import annotations

from .templates import EMAILS

LINKS = ("preferences", "needs_assessment", "expenses", "sheet", "equal_opportunities", "meeting_feedback")
NO_LEAD = {"name": "", "role": "", "email": ""}


def about_an_opportunity(name: str) -> bool:
    """Emails to applicants, partners and leads concern one opportunity; the engagement team's and the
    expenses approvers' do not."""
    return EMAILS[name] not in ("engagement_team", "approvers")


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
