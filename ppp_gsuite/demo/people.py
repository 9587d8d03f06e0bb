"""The demo's fictional applicants, and what the leads decide about each (pure data).

Nobody here is a real person: invented names, addresses at example.org and example.com (reserved
for examples), and phone numbers from 01632 960000-960999, which Ofcom keeps for drama.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NEW, SHORTLISTED, INVITED, APPOINTED, NOT_APPOINTED = (
    "New",
    "Shortlisted",
    "Invited to interview",
    "Appointed",
    "Not appointed",
)


@dataclass(frozen=True)
class Applicant:
    name: str
    email: str
    phone: str
    preferred_contact: str
    about: str
    interest: str
    bring: str
    decision: str  # what the lead sets in the Status column after the first sync
    shares: bool = True  # if appointed: yes to sharing contact details with the engagement team
    claims: bool = False  # if appointed: sends an expense claim
    withdraws: bool = False  # if appointed: later says no to sharing, through the preferences form
    extra: dict[str, list[str]] = field(default_factory=dict)  # answers to an opportunity's own questions


def _a(name, email, phone, contact, decision, **kwargs) -> Applicant:
    return Applicant(
        name,
        email,
        f"01632 960{phone}",
        contact,
        about="I am a fictional person made up for the ppp-gsuite demo.",
        interest="I would like to help services hear from people like me.",
        bring="Experience of using these services, and time to read the papers.",
        decision=decision,
        **kwargs,
    )


URGENT_CARE = "urgent-care-board"
MATERNITY = "maternity-childrens-workstream"

APPLICANTS: dict[str, list[Applicant]] = {
    URGENT_CARE: [
        _a("Ada Fictional", "ada.fictional@example.org", "101", "Email", APPOINTED, claims=True),
        _a("Bram Placeholder", "bram.placeholder@example.com", "102", "Phone call", APPOINTED, withdraws=True),
        _a("Cleo Sample", "cleo.sample@example.org", "103", "Email", INVITED),
        _a("Dev Example", "dev.example@example.com", "104", "Text message", INVITED),
        _a("Esme Madeup", "esme.madeup@example.org", "105", "Email", SHORTLISTED),
        _a("Fergus Invented", "fergus.invented@example.com", "106", "Letter by post", NOT_APPOINTED),
        _a("Gwen Notreal", "gwen.notreal@example.org", "107", "Email", NEW),
    ],
    MATERNITY: [
        _a(
            "Hana Pretend",
            "hana.pretend@example.org",
            "201",
            "Email",
            APPOINTED,
            claims=True,
            extra={"family_services_experience": ["Health visitors"]},
        ),
        _a("Idris Standin", "idris.standin@example.com", "202", "Phone call", APPOINTED, shares=False),
        _a("Juno Dummy", "juno.dummy@example.org", "203", "Email", INVITED),
        _a("Kai Imaginary", "kai.imaginary@example.com", "204", "Email", SHORTLISTED),
        _a("Lena Fabricated", "lena.fabricated@example.org", "205", "Text message", NOT_APPOINTED),
    ],
}

INTERVIEW = {  # what a lead types in the interview columns when inviting
    "interview_date": "Tuesday 12 January 2027, 2pm",
    "interview_where": "Riverside House, 1 Quay Street (or on Teams if you prefer)",
    "interview_panel": "The lead contact and a current Patient and Public Partner",
}

CLAIM = {  # an expense claim, by question key
    "claim_for": ["Board meeting"],
    "activity_date": ["2027-01-12"],
    "travel_mode": ["Car"],
    "journey_from_to": ["Home to Riverside House and back"],
    "miles": ["14"],
    "parking": ["3.50"],
    "claim_declaration": ["I confirm"],
}
CLAIM_DECISIONS = ("Approved", "Queried")  # what the approver sets on the first and second claim
QUERY_NOTE = "Please send a photo of the parking receipt."


def everyone() -> list[tuple[str, Applicant]]:
    return [(opportunity, person) for opportunity, people in APPLICANTS.items() for person in people]
