"""What a short-answer question asks for, read from its title, so the browser can offer to fill it
(WCAG 1.3.5 Identify Input Purpose: https://www.w3.org/WAI/WCAG21/Understanding/identify-input-purpose).

Only the hints are set (autocomplete, and the keyboard a phone shows: inputmode, type=tel): a
short-answer question in Google Forms has no response validation here (the Forms API cannot set one:
https://developers.google.com/forms/api/reference/rest/v1/forms#textquestion), so the page refuses
nothing that Google would take, such as "carol at example dot com" for an email address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Purpose:
    autocomplete: str  # an HTML autofill field name
    input_type: str = "text"  # "tel" only changes the keyboard: browsers do not validate it
    inputmode: str | None = None


# The first pattern that matches the title wins: "email address" is an email, not a postal address.
_PURPOSES = [
    (r"\be-?mail\b", Purpose("email", inputmode="email")),
    (r"\b(tele)?phone\b|\bmobile\b", Purpose("tel", input_type="tel")),
    (r"\bpost ?code\b|\bzip\b", Purpose("postal-code")),
    (r"\baddress\b", Purpose("street-address")),
    (r"^(your )?(full )?name$", Purpose("name")),
]


def purpose(title: str) -> Purpose | None:
    """What a text question titled `title` asks for, or None when the title does not say."""
    text = title.strip().lower()
    for pattern, found in _PURPOSES:
        if re.search(pattern, text):
            return found
    return None
