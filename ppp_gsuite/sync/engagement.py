"""The engagement team's list (peer support network contacts): exactly the people whose latest answer
to sharing is yes and (by default) who were appointed (pure: a function of what the run read)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..config import Config
from ..vocabulary import APPOINTED, ENGAGEMENT, EOI, local_day, opportunity_target
from .consent import SHARE, Member, may_share, row_key
from .emails import noted


@dataclass
class EngagementList:
    """The sheet's new content, and who is added and who removed (row key -> name)."""

    values: list[list[str]]
    added: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)

    def removals_only(self, current: list[list[str]]) -> EngagementList:
        """The sheet as it is less the people removed: what may be written while it is shared too widely
        (removing personal data is always allowed; adding it is not)."""
        kept = [line for line in current[1:] if not (len(line) > 6 and line[6] in self.removed)]
        return EngagementList(current[:1] + kept, {}, dict(self.removed))


def engagement_list(config: Config, runs: dict, records: dict, consents: dict, now: datetime) -> EngagementList:
    """`runs`: the spreadsheets as read (the team's sheet as it is, and which could not be read);
    `records`: every response tab as records (email_step.records_of); `consents`: the latest answers."""
    tab = runs[ENGAGEMENT].dest.tabs[0]
    current = runs[ENGAGEMENT].values.get(tab.tab, [])[1:]
    members, kept = [], []
    # People of a spreadsheet that could not be read stay only while their latest consent is yes:
    # a withdrawal still takes effect; nobody is added from there.
    still_yes = {row_key(ref) for (ref, consent), answer in consents.items() if consent == SHARE and answer.yes}
    for opportunity in config.opportunities:
        source = runs[opportunity_target(opportunity.key)]
        if source.broken:
            kept += [
                line for line in current if len(line) > 6 and line[4] == opportunity.group and line[6] in still_yes
            ]
            continue
        eoi = records[source.dest.target][source.dest.tab(EOI).tab]
        for record in eoi.by_id.values():
            reference, status = eoi.get(record, "tool", "reference"), eoi.get(record, "lead", "status")
            if not may_share(consents, reference, status, config.engagement_requires_appointment):
                continue
            was, since = noted(eoi.get(record, "tool", "status_seen"), config.email.timezone)
            appointed = local_day(since if was == APPOINTED and since else now, config.email.timezone)
            members.append(
                Member(
                    reference,
                    eoi.get(record, "answer", "full_name"),
                    eoi.contact(record, "email"),
                    eoi.contact(record, "phone"),
                    eoi.get(record, "answer", "preferred_contact"),
                    opportunity.group,
                    appointed,
                )
            )
    before = {line[6]: line[0] for line in current if len(line) > 6 and line[6]}
    after = {m.key: m.name for m in members} | {line[6]: line[0] for line in kept}
    return EngagementList(
        [tab.header_row()] + sorted([m.row() for m in members] + [line[:7] for line in kept]),
        added={key: after[key] for key in after.keys() - before.keys()},
        removed={key: before[key] for key in before.keys() - after.keys()},
    )
