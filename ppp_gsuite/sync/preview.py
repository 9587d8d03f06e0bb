"""The context an email would have for one real response, for `preview-email --response ID`."""
from __future__ import annotations

from ..errors import PppError
from ..specs.load import EOI
from .destinations import EXPENSES, opportunity_target
from .email_step import _links
from .emails import applicant_context, claim_context, tab_records
from .rows import Partner


def context_for(sync, response_id: str) -> dict:
    sync.books.open()
    deployed = {f["appProperties"]["target"]: f for f in sync.drive.find("form") if "target" in f.get("appProperties", {})}
    links_for = _links(sync, deployed)
    partners = {}
    for opportunity in sync.config.opportunities:
        run = sync.books.read(sync.runs[opportunity_target(opportunity.key)])
        eoi = tab_records(run, run.dest.tab(EOI))
        for rid, record in eoi.by_id.items():
            reference = eoi.get(record, "tool", "reference")
            partners[reference] = Partner(reference, rid, eoi.get(record, "answer", "full_name"), opportunity.key, opportunity.group)
            if rid == response_id:
                return applicant_context(sync.config, opportunity, eoi, record, links_for, sync.now)
    expenses = sync.runs.get(EXPENSES)
    if expenses:
        claims = tab_records(sync.books.read(expenses), expenses.dest.tab("expenses"))
        claim = claims.by_id.get(response_id)
        partner = partners.get(claims.get(claim, "tool", "partner_reference")) if claim else None
        if claim and partner:
            opportunity = next(o for o in sync.config.opportunities if o.key == partner.opportunity)
            return claim_context(sync.config, opportunity, partner, claims, claim, links_for)
    raise PppError(f"no expression of interest or expense claim has the response id {response_id}; "
                   "copy it from the Response ID column")
