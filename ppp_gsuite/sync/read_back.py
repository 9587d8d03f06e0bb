"""Which columns a sync reads back from its spreadsheets: all but those it only ever writes.

An applicant's long answers (paragraph questions) are most of a lead sheet's bytes; the run writes
them when a response arrives or is edited, and reads back only the few it uses (READ_BACK). The
consent log's source column is written for people to read, never read by the run. At 100,000
responses this is the difference between downloading every answer again on each run and not.
A cell left out stands as UNREAD: a record asked for one fails loudly (line_record.NotRead).
"""

from __future__ import annotations

from ..sheets.layout import TabLayout
from ..vocabulary import CONSENT_SOURCE, MONITORING_FORM
from .destinations import CONSENT_LOG

# The long answers the run uses: papers posted and access needs (meetings), a message in the preferences
# form (its pointer to the involvement team). Any other answer the run looks up must not be a long one,
# or be added here (a test reads every tab of every layout through the sync: tests/test_read_back.py).
READ_BACK = frozenset({"papers_postal_address", "access_communication_needs", "anything_else"})


def unread_headers(tab: TabLayout) -> frozenset[str]:
    if tab is CONSENT_LOG:
        return frozenset({CONSENT_SOURCE})
    if tab.form == MONITORING_FORM:  # every answer is counted (the diversity report's counts tab)
        return frozenset()
    return frozenset(c.header for c in tab.columns if c.kind == "answer" and c.long_text and c.key not in READ_BACK)
