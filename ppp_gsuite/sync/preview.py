"""The context an email would have for one real response, for `preview-email --response ID` (pure: from
the spreadsheets as read, Sync.view_as_read, by the same functions as the send)."""

from __future__ import annotations

from ..errors import PppError
from ..mail.meeting_emails import MEETING_EMAILS
from ..vocabulary import EOI, EXPENSE_CLAIMS, EXPENSES, opportunity_target
from . import partner_support
from .email_step import EmailView, records_for
from .emails import applicant_context, claim_context


def context_for(view: EmailView, response_id: str, name: str, agreement=None) -> dict:
    """The context the email `name` would have for this response (`agreement`: the confidentiality
    agreement as deployed now, partner_support.current_agreement)."""
    if name in MEETING_EMAILS:
        raise PppError(f"{name} is about a meeting, not one response: preview it without --response (sample details)")
    supporting = partner_support.preview_context(view, response_id, name, agreement)
    if supporting is not None:
        return supporting
    for opportunity in view.config.opportunities:
        eoi = records_for(view, opportunity_target(opportunity.key), EOI)
        if eoi is not None and response_id in eoi.by_id:
            return applicant_context(
                view.config, name, opportunity, eoi, eoi.by_id[response_id], view.links_for, view.now, view.consents
            )
    claims = records_for(view, EXPENSES, EXPENSE_CLAIMS)
    record = claims.by_id.get(response_id) if claims else None
    partner = view.partners.get(claims.get(record, "tool", "partner_reference")) if claims and record else None
    if partner:
        assert claims is not None and record is not None  # the partner was found from this claim
        opportunity = next(o for o in view.config.opportunities if o.key == partner.opportunity)
        return claim_context(view.config, name, opportunity, partner, claims, record, view.links_for)
    raise PppError(
        f"no expression of interest or expense claim has the response id {response_id}; "
        "copy it from the Response ID column"
    )
