"""The tool's words, each spelled once: form and target keys, lead statuses, email-log states, the
headers of the tool's own records, and how times are written and in which zone.

Pure (no imports of the product). Change a word here and everything that reads or writes it follows;
the stand-in (local_workspace) never imports this: it knows nothing of the tool.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# -- the forms (spec names) and the deployed form keys ---------------------------------------
EOI = "expression_of_interest"
NEEDS_ASSESSMENT = "needs_assessment"
EXPENSE_CLAIMS = "expenses"
PREFERENCES = "preferences"
MONITORING_FORM = "equal_opportunities"  # anonymous: no reference, never joined to a person
CONFIDENTIALITY_FORM = "confidentiality_agreement"  # deployed only where an opportunity asks for one
SUPPORT_REQUEST = "support_request"  # the one-to-one support scheme (deployed only when the config has one)
SUPPORT_EVALUATION = "support_evaluation"
MEETING_FEEDBACK = "meeting_feedback"  # two questions after a meeting: only with meetings: in the config
ROLE_DESCRIPTION = "role_description"  # a recruiting lead proposes an opportunity (optional, like monitoring)
SPEC_NAMES = (
    EOI,
    NEEDS_ASSESSMENT,
    EXPENSE_CLAIMS,
    PREFERENCES,
    MONITORING_FORM,
    CONFIDENTIALITY_FORM,
    SUPPORT_REQUEST,
    SUPPORT_EVALUATION,
    MEETING_FEEDBACK,
    ROLE_DESCRIPTION,
)
# answered by a partner, carrying their reference
JOINED_FORMS = (NEEDS_ASSESSMENT, EXPENSE_CLAIMS, PREFERENCES, CONFIDENTIALITY_FORM, MEETING_FEEDBACK)
EOI_PREFIX = "eoi-"


def eoi_form(opportunity_key: str) -> str:
    """The deployed form key of an opportunity's expression of interest."""
    return f"{EOI_PREFIX}{opportunity_key}"


# -- the spreadsheets the tool keeps (targets) -----------------------------------------------
ADMIN = "admin"
EXPENSES = "expenses"
ENGAGEMENT = "engagement"
MONITORING = "monitoring"  # anonymous answers row by row: the tool's own account alone
MONITORING_COUNTS = "monitoring_counts"  # their counts, small numbers hidden: the engagement team
OPPORTUNITIES = "opportunities"  # proposed role descriptions: the engagement team approves them there
SCHEME = "scheme"  # the one-to-one support scheme's requests: its coordinators only
OPPORTUNITY_PREFIX = "opportunity:"


def opportunity_target(key: str) -> str:
    return f"{OPPORTUNITY_PREFIX}{key}"


# -- contact details a lead corrects -------------------------------------------------------------
CORRECTED_PREFIX = "corrected_"  # lead column `corrected_<answer key>`: used instead of the answer wherever it is used


def corrected(answer_key: str) -> str:
    """The key of the lead column that corrects an answer (corrected_email for email)."""
    return f"{CORRECTED_PREFIX}{answer_key}"


# -- statuses a lead or approver sets ---------------------------------------------------------
NEW = "New"
SHORTLISTED = "Shortlisted"
INVITED = "Invited to interview"
APPOINTED = "Appointed"
NOT_APPOINTED = "Not appointed"
WITHDRAWN = "Withdrawn"
TERM_ENDED = "Term ended"  # the lead closed a partner's term: sharing ends as for Withdrawn
QUERIED = "Queried"
APPROVED = "Approved"
REJECTED = "Rejected"
PAID = "Paid"
MATCHED, AGREEMENT_MADE, CLOSED = "Matched", "Agreement made", "Closed"  # a support request's, after New
# a person whose involvement is over, or whose support request closed (retention counts from it)
ENDED = (NOT_APPOINTED, WITHDRAWN, TERM_ENDED, CLOSED)

# -- a partner at a meeting, as the lead marks it in the Attendance tab --------------------------
ATTENDED = "Attended"
APOLOGIES = "Sent apologies"
ABSENT = "Absent"
ATTENDANCE_MARKS = (ATTENDED, APOLOGIES, ABSENT)

# -- the email log: its states -----------------------------------------------------------------
SENDING = "sending"
SENT = "sent"
RETRY = "retry"
UNKNOWN = "unknown: check by hand whether it arrived; set to retry to send it again"
NOT_SENT = "not sent"  # the start of every state that says why an email was not sent

# -- headers of the tool's own records (admin spreadsheet and the engagement team's sheet) -----
RESPONSE_ID = "Response ID"

LOG_KEY, LOG_EMAIL, LOG_TO, LOG_STATE, LOG_MESSAGE_ID, LOG_TIME = "Key", "Email", "To", "State", "Message ID", "Time"

STATE_FORM, STATE_FORM_ID, STATE_NEWEST, STATE_FULL_SCAN = "Form", "Form ID", "Newest response seen", "Last full scan"

CONSENT_RECORD, CONSENT_REFERENCE, CONSENT_NAME, CONSENT_ANSWER, CONSENT_GIVEN = (
    "Record",
    "Reference",
    "Consent",
    "Answer",
    "Given",
)
CONSENT_WORDING, CONSENT_QUESTION, CONSENT_SOURCE = "Wording", "Question as asked", "From"

# Each change to the engagement team's list, one row per person, kept until the team has been told of it.
CHANGE_RECORD, CHANGE_ROW_KEY, CHANGE_NUMBER, CHANGE_NAME, CHANGE_WHAT, CHANGE_TIME = (
    "Record",
    "Row key",
    "Change",
    "Name",
    "Added or removed",
    "Time",
)
ADDED, REMOVED = "added", "removed"

TOMBSTONE_ID, TOMBSTONE_FORM, TOMBSTONE_WHEN, TOMBSTONE_WHY = RESPONSE_ID, "Form", "Removed", "Why"

# -- times ---------------------------------------------------------------------------------------
DEFAULT_TIME_ZONE = "Europe/London"  # the organisation's zone unless the config names another
SHEET_TIME = "%Y-%m-%d %H:%M"  # a time as a person reads and sorts it in a sheet, in the organisation's zone
DAY = "%Y-%m-%d"
# Machine marks, read by the tool rather than a person, stay RFC 3339 in UTC: the sync state's
# high-water marks and last full scan, the deploy history on a form's Drive file, and the consent
# log's "Given" (Google's own submission time, by which the latest answer wins).
UTC_STAMP = "%Y-%m-%dT%H:%M:%SZ"  # the tool's own records of when (RFC 3339, UTC, to the second)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(UTC_STAMP)


def precise_stamp(moment: datetime) -> str:
    """A machine mark to the millisecond, as Google stamps responses (RFC 3339, UTC): when a form
    revision went live, compared with a response's submission time."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def mark_stamp(moment: datetime) -> str:
    """A form's high-water mark (Sync state): the newest submission time a run saw, to the microsecond, so a
    response submitted after it is told apart from the one that set it (sync.run: `fresh` responses)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_stamp(text: str) -> datetime:
    """RFC 3339 as Google and the tool write it (a trailing Z, perhaps fractions of a second)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def local_time(moment: datetime, zone: str = DEFAULT_TIME_ZONE) -> str:
    """The one format of every time a person reads in a sheet the tool writes (SHEET_TIME, the organisation's zone)."""
    return moment.astimezone(ZoneInfo(zone)).strftime(SHEET_TIME)


def parse_local(text: str, zone: str = DEFAULT_TIME_ZONE) -> datetime:
    """A time as local_time writes it, back into a moment; RFC 3339 (as rows noted before were) is read too."""
    text = text.strip()
    if "T" in text:
        return parse_stamp(text)
    return datetime.strptime(text, SHEET_TIME).replace(tzinfo=ZoneInfo(zone))


def local_day(moment: datetime, zone: str = DEFAULT_TIME_ZONE) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime(DAY)


def short_hash(text: str, length: int) -> str:
    """The first `length` hex digits of text's SHA-256: how the tool names a thing in a cell or a key
    without writing the thing itself (a wording, a row key, an approver, a layout). Lengths are part of
    what is stored: keep each caller's."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


# -- proposed role descriptions (the Opportunities spreadsheet) --------------------------------
PROPOSED = "Proposed"
PROPOSAL_APPROVED = APPROVED  # the same word as a claim's
LIVE = "Live"
PROPOSAL_CLOSED = "Closed"
RETURNED = "Returned"
PROPOSAL_STATUSES = (PROPOSED, PROPOSAL_APPROVED, LIVE, PROPOSAL_CLOSED, RETURNED)
PROPOSAL_REFERENCE = "Reference"  # the row key: the first submission's reference, quoted to change it
PROPOSAL_STATUS = "Status"
PROPOSAL_NOTE = "Note to the proposer"
PROPOSAL_KEY = "Opportunity key"
PROPOSAL_GROUP = "Group"
PROPOSAL_PLACES = "Places"
PROPOSAL_CLOSING = "Closing date"
PROPOSAL_LEAD = "Lead contact"
PROPOSAL_PROPOSER = "Proposed by"
PROPOSAL_SUBMITTED = "Last submitted"
PROPOSAL_PROBLEMS = "Problems"
PROPOSAL_LINK = "Form link"
PROPOSAL_RESPONSE = "Latest response ID"
