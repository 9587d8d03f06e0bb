"""The meeting emails (sync/meetings.py): who each goes to, and the sample details `validate` and
`preview-email` fill them with (pure; the send fills the same keys from the sheets)."""

from __future__ import annotations

import datetime
from typing import Any

MEETING_EMAILS: dict[str, str] = {
    "meeting_notice": "partner",
    "meeting_update": "partner",
    "meeting_feedback": "partner",
    "you_said_we_did": "partner",
    "meeting_checklist": "lead",
    "attendance_low": "lead",
}

_MEETING = {
    "id": "m-3fa2c1d0",
    "when": "2027-04-13 10:00",
    "day": datetime.date(2027, 4, 13),
    "time": "10:00",
    "where": "https://teams.example.org/meet/community-services",
    "online": True,
    "papers_link": "https://drive.example.org/papers/april",
    "papers_due": "2027-04-06",
    "pre_meet": True,
    "pre_meet_when": "2027-04-08 14:00, on the phone",
}


def with_meeting_sample(name: str, context: dict[str, Any]) -> None:
    """Add to a sample context the keys a meeting email gets beyond the common ones (mail.context)."""
    context.update(meeting_sample(name))
    if name == "meeting_feedback":
        context["links"]["meeting_feedback"] = "https://forms.example.org/meeting-feedback?ref=7f3a9c&m=m-3fa2c1d0"


def meeting_sample(name: str) -> dict[str, Any]:
    """The keys a meeting email gets beyond the common ones (mail.context), with made-up values."""
    if name in ("meeting_notice", "meeting_update"):
        meeting = dict(_MEETING) | ({"was": "2027-04-06 10:00"} if name == "meeting_update" else {})
        return {
            "meeting": meeting,
            "papers": {"formats": ["Large print", "A printed copy sent by post"], "by_post": True},
            "glossary_link": "https://example.org/words-we-use",
        }
    if name == "meeting_feedback":
        return {
            "meeting": dict(_MEETING),
            "papers": {"formats": ["Large print"], "by_post": True},
            "glossary_link": "",
        }
    if name == "meeting_checklist":
        return {
            "meeting": dict(_MEETING),
            "partners": [
                {
                    "name": "Alex Rowan",
                    "answered": True,
                    "formats": ["Large print", "A printed copy sent by post"],
                    "by_post": True,
                    "post_to": "1 Sample Street, Riverside",
                    "access_needs": True,
                    "pre_meet": "Yes, before every meeting",
                },
                {
                    "name": "Sam Kerr",
                    "answered": True,
                    "formats": ["On screen, sent by email"],
                    "by_post": False,
                    "post_to": "",
                    "access_needs": False,
                    "pre_meet": "No, thank you",
                },
                {
                    "name": "Chris Dale",
                    "answered": False,
                    "formats": [],
                    "by_post": False,
                    "post_to": "",
                    "access_needs": False,
                    "pre_meet": "",
                },
            ],
        }
    if name == "you_said_we_did":
        return {
            "impact": {
                "quarter": "January to March 2027",
                "lines": [
                    {"day": datetime.date(2027, 1, 12), "line": "The discharge leaflet was rewritten in plain English"},
                    {
                        "day": datetime.date(2027, 3, 9),
                        "line": "Evening meetings were added so working carers can come",
                    },
                ],
            }
        }
    if name == "attendance_low":
        return {
            "person": {"name": "Alex Rowan"},
            "attendance": {"attended": 3, "apologies": 1, "meetings": 5, "percent": 60, "threshold": 80},
        }
    return {}
