"""What the doctor makes and throws away: one small form with a section jump, one spreadsheet tab (pure).

Both are named as throw-away and tagged so in their Drive appProperties (`ppp_gsuite: doctor`), a tag
no deploy or sync ever looks for: a left-over is never taken for a deployed form or spreadsheet, and the
next doctor run finds it and moves it to the bin.
"""

from __future__ import annotations

from ..forms.items import entry_number, question_id
from ..google.drive_api import APP_KEY
from ..models import parse
from ..sheets.layout import SheetColumn, TabLayout
from ..specs.models import FormSpec
from ..vocabulary import RESPONSE_ID

DOCTOR_KIND = "doctor"  # the value of the APP_KEY appProperty on everything the doctor makes
THROWAWAY = "throwaway"  # appProperty key, set to "yes": says what the file is to anyone reading them
SPEC_NAME = "doctor"
FORM_NAME = "ppp-gsuite doctor: throw-away form (safe to delete)"
SPREADSHEET_NAME = "ppp-gsuite doctor: throw-away spreadsheet (safe to delete)"
CHOICE_KEY = "go_on"
NOTE_KEY = "note"
GO_ON = "Yes"
# A formula typed into a form must stay text in a sheet (docs/decisions.md §7): the doctor writes one
# and reads it back, so a sheet that evaluated it would show.
FORMULA = "=1+1"

FORM_SPEC = parse(
    FormSpec,
    {
        "title": FORM_NAME,
        "description": "Made by ppp-gsuite doctor to check that the tool can work in this Workspace. "
        "It is moved to the bin when the check ends; nothing you type here is kept.",
        "sections": [
            {
                "key": "start",
                "items": [
                    {
                        "key": CHOICE_KEY,
                        "type": "single_choice",
                        "title": "Go on to the second page?",
                        "required": True,
                        "choices": [{"label": GO_ON, "go_to": "second"}, {"label": "No", "go_to": "submit"}],
                    }
                ],
            },
            {
                "key": "second",
                "title": "Second page",
                "items": [{"key": NOTE_KEY, "type": "short_text", "title": "Anything (it is thrown away)"}],
            },
        ],
    },
    "the doctor's throw-away form",
)

TAB = TabLayout(
    "doctor",
    "",
    "Check",
    (SheetColumn("tool", "response_id", RESPONSE_ID, 200), SheetColumn("answer", NOTE_KEY, "Answer", 200)),
)


def tags(created: str) -> dict[str, str]:
    """The appProperties of a throw-away file: what it is, and when the doctor made it."""
    return {APP_KEY: DOCTOR_KIND, THROWAWAY: "yes", "created": created}


def field_of(key: str) -> str:
    """The form page's field name for a question of the throw-away form (as a browser posts it)."""
    return f"entry.{entry_number(question_id(SPEC_NAME, key))}"
