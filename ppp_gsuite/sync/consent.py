"""Consent: every answer recorded (append-only, with the wording it answered), and who may be shared.

Pure. A record's id is (response, consent, time submitted): an edited response adds a record,
nothing is ever rewritten. The engagement team's sheet holds a person only while their latest
answer to sharing is yes and (by default) their status is Appointed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import sys
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from ..specs.models import FormSpec
from ..vocabulary import (
    APPOINTED,
    CONSENT_ANSWER,
    CONSENT_GIVEN,
    CONSENT_NAME,
    CONSENT_QUESTION,
    CONSENT_RECORD,
    CONSENT_REFERENCE,
    CONSENT_SOURCE,
    CONSENT_WORDING,
    TERM_ENDED,
    WITHDRAWN,
    parse_stamp,
    short_hash,
)
from .line_record import LineRecord, positions
from .rows import Partner, Row, answers_by_key

SHARE = "share_with_engagement_team"
LOG_HEADERS = (
    CONSENT_RECORD,
    CONSENT_REFERENCE,
    CONSENT_NAME,
    CONSENT_ANSWER,
    CONSENT_GIVEN,
    CONSENT_WORDING,
    CONSENT_SOURCE,
)  # a consent record's cells, in this order
LOG_POSITIONS = positions(list(LOG_HEADERS))


def link_code(secret: str, reference: str) -> str:
    """A person's link code: what the prefilled links in their emails carry besides their reference, and
    what an answer must carry to change what is shared about them. An HMAC of their reference (itself
    derived from their response id) with a secret only the tool holds (Spreadsheets.link_secret): never
    in a spreadsheet, and not to be worked out from a reference a lead sees. Checked from the reference
    alone, so a withdrawal counts even while its person's spreadsheet cannot be read."""
    digest = hmac.new(secret.encode(), f"link code:{reference}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:16].lower()


@lru_cache(maxsize=256)  # the same few wordings, asked for every consent record a run makes
def wording(text: str) -> str:
    return short_hash(text, 12)


def consent_text(spec: FormSpec, item) -> str:
    """What a consent answer agrees to, in full: its question, and where it agrees to explanatory texts
    (an agreement's full wording: `wording_includes`) those texts and the form's version too, so a changed
    agreement is a new wording (answers to the old one stay visible as such)."""
    if not item.wording_includes:
        return item.title
    parts = [spec.version or ""]
    for key in item.wording_includes:
        included = spec.item(key)
        parts += [included.title, included.help or ""] if included else [key]
    return "\n".join(parts + [item.title])


def consent_wording(spec: FormSpec, item) -> str:
    """The hash a consent log row keeps of what was agreed to; the text itself is kept once, in the wording tab."""
    return wording(consent_text(spec, item))


def wording_rows(texts, log: Sequence[Mapping[str, str]]) -> list[Row]:
    """Each wording once, keyed by its hash: what the specs' consent questions agree to now (consent_text), and those that
    log rows laid out before kept in full on the row (so no wording is lost when the text leaves the log)."""
    by_hash = {wording(text): text for text in texts}
    for record in log:
        question = record.get(CONSENT_QUESTION, "")
        if question:
            by_hash.setdefault(record.get(CONSENT_WORDING) or wording(question), question)
    return [Row(key, "", {CONSENT_WORDING: key, CONSENT_QUESTION: text}) for key, text in sorted(by_hash.items())]


def consent_rows(
    spec_name: str,
    spec: FormSpec,
    response: dict,
    reference: str,
    answers: dict[str, str] | None = None,
    before: dict[tuple[str, str], str] | None = None,
) -> list[Row]:
    """A record per consent question answered in this response; a blank answer (preferences: no change) adds none,
    nor does an edit that left the answer as this response gave it before (`before`, from answers_before):
    an edit of other questions is not a new answer to this one."""
    answers = answers_by_key(spec_name, spec, response) if answers is None else answers
    before = before or {}
    given = response.get("lastSubmittedTime", "")
    source = f"{spec_name} {response['responseId']}"
    rows = []
    for item in spec.consent_items():
        answer = answers.get(item.key, "").strip()
        if not answer or before.get((response["responseId"], item.consent or "")) == answer:
            continue
        assert item.consent  # consent_items() are the items with one
        record = f"{response['responseId']}|{item.consent}|{given}"
        # one short line over shared header positions, not a dict: a first sync at 100,000 responses makes
        # 190,000 of these; the source and the wording's hash are one string for all that share them
        line = [record, reference, item.consent, sys.intern(answer), given, consent_wording(spec, item), source]
        rows.append(Row(record, given, LineRecord(LOG_POSITIONS, line)))
    return rows


def answers_before(
    records: Sequence[Mapping[str, str]], responses: Collection[str] | None = None
) -> dict[tuple[str, str], str]:
    """(response id, consent) -> the latest answer that response gave, from the consent log; of `responses`
    only, when given (a run asks about those it listed: a few, where the log holds two records each of all)."""
    mine = []
    for record in records:
        response_id = record.get(CONSENT_RECORD, "").split("|")[0]
        if responses is None or response_id in responses:
            mine.append((response_id, record))
    found: dict[tuple[str, str], str] = {}
    for response_id, record in sorted(mine, key=lambda pair: _moment(pair[1].get(CONSENT_GIVEN, ""))):
        found[(response_id, record.get(CONSENT_NAME, ""))] = record.get(CONSENT_ANSWER, "")
    return found


@dataclass(frozen=True, slots=True)
class Consent:
    answer: str
    given: str
    wording: str

    @property
    def yes(self) -> bool:
        return self.answer.lower().startswith(("yes", "i agree"))


def latest(records: Sequence[Mapping[str, str]]) -> dict[tuple[str, str], Consent]:
    """(reference, consent) -> the latest answer, by the time it was given (parsed: Google's fractions of a
    second vary in length); at the same moment, no wins, and then the later record. One pass, nothing kept
    per record but the answer found so far (a sort's keys for a log of 190,000 records were 20 MB)."""
    return fold({}, records)


def fold(found: dict[tuple[str, str], Consent], records: Iterable[Mapping[str, str]]) -> dict[tuple[str, str], Consent]:
    """`found` (latest's answers so far) with `records` taken in, as if they had come after those it was made
    from: a sync folds in the log as read, then each form's new records as it lists them. Returns `found`."""

    def rank(consent: Consent) -> tuple[datetime, bool]:
        return _moment(consent.given), not consent.yes

    for record in records:
        key = (record.get(CONSENT_REFERENCE, ""), record.get(CONSENT_NAME, ""))
        consent = Consent(
            record.get(CONSENT_ANSWER, ""), record.get(CONSENT_GIVEN, ""), record.get(CONSENT_WORDING, "")
        )
        known = found.get(key)
        if known is None or rank(consent) >= rank(known):
            found[key] = consent
    return found


def person_of(partner: Partner) -> str:
    """Who a reference belongs to: one person may apply for (and be appointed to) several roles, each with
    its own reference. The same email address, trimmed and in any case, is the same person; a reference
    without one is a person of its own."""
    address = partner.email.strip().lower()
    return f"email:{address}" if address else f"reference:{partner.reference}"


def by_person(
    consents: dict[tuple[str, str], Consent], partners: dict[str, Partner], in_place: bool = False
) -> dict[tuple[str, str], Consent]:
    """Consent is the person's, not the role's: each of a person's references takes the latest answer
    they gave through any of them (by the time it was given; at the same moment, no wins). `in_place`:
    changes and returns `consents` itself (a sync's own map of 190,000 answers at 100,000 responses)."""
    people: dict[str, list[str]] = defaultdict(list)
    for reference, partner in partners.items():
        people[person_of(partner)].append(reference)
    shared = {reference for references in people.values() if len(references) > 1 for reference in references}
    del people  # kept only for those with several references (one reference: its own answers are the person's)
    names_by_reference: dict[str, set[str]] = defaultdict(set)  # one pass: a run holds thousands of each
    for reference, name in consents:
        if reference in shared:
            names_by_reference[reference].add(name)
    groups: dict[str, list[str]] = defaultdict(list)
    for reference, partner in partners.items():  # in the partners' order, as before: a tie resolves alike
        if reference in shared:
            groups[person_of(partner)].append(reference)
    found = consents if in_place else dict(consents)
    for references in groups.values():
        for name in set().union(*(names_by_reference.get(reference, set()) for reference in references)):
            given = [consents[(reference, name)] for reference in references if (reference, name) in consents]
            newest = max(given, key=lambda c: (_moment(c.given), not c.yes))
            found.update({(reference, name): newest for reference in references})
    return found


def current_wordings(specs: list[tuple[str, FormSpec]]) -> dict[str, set[str]]:
    """consent -> the wordings the deployed forms ask it with now (earlier answers show as older wording)."""
    found: dict[str, set[str]] = {}
    for _, spec in specs:
        for item in spec.consent_items():
            assert item.consent  # consent_items() are the items with one
            found.setdefault(item.consent, set()).add(consent_wording(spec, item))
    return found


def _moment(text: str) -> datetime:
    try:
        return parse_stamp(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Member:
    reference: str
    name: str
    email: str
    phone: str
    preferred_contact: str
    opportunity: str
    appointed: str

    @property
    def key(self) -> str:
        """The row's key in the engagement team's sheet: derived from the reference, and not usable as one
        (a reference in a prefilled link lets its holder change that person's choices)."""
        return row_key(self.reference)

    def row(self) -> list[str]:
        return [self.name, self.email, self.phone, self.preferred_contact, self.opportunity, self.appointed, self.key]


def row_key(reference: str) -> str:
    return short_hash(f"engagement row:{reference}", 10)


def may_share(consents: dict[tuple[str, str], Consent], reference: str, status: str, require_appointed: bool) -> bool:
    consent = consents.get((reference, SHARE))
    if consent is None or not consent.yes or status in (WITHDRAWN, TERM_ENDED):
        return False
    return status == APPOINTED or not require_appointed
