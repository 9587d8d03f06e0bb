"""The form spec language: sections of items, each with a stable key (form_specs/*.yaml)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from ..models import Label, Model, Prose
from ..yamlload import Mapping

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

ItemType = Literal[
    "short_text",
    "paragraph",
    "single_choice",
    "multiple_choice",
    "dropdown",
    "scale",
    "date",
    "time",
    "text",
    "reference",
    "link_code",
]
CHOICE_TYPES = {"single_choice", "multiple_choice", "dropdown"}
SKIP_LOGIC_TYPES = {"single_choice", "dropdown"}
ConsentKey = Literal[
    "privacy_notice",
    "future_opportunities",
    "share_with_engagement_team",
    "group_can_see_email",
    "confidentiality_agreement",
]
SUBMIT = "submit"


def _key(value: str) -> str:
    if not KEY_PATTERN.match(value):
        raise ValueError(
            f"key {value!r} must be snake_case (lower-case letters, digits, _), such as "
            f"{re.sub('[^a-z0-9]+', '_', value.lower()).strip('_') or 'full_name'}"
        )
    return value


Key = Annotated[str, AfterValidator(_key)]


def _choice_from_text(value: Any) -> Any:
    if isinstance(value, str):
        wrapped = Mapping(label=value)
        wrapped.line = getattr(value, "line", 0)
        wrapped.key_lines = {"label": wrapped.line}
        return wrapped
    return value


class Choice(Model):
    label: Label
    go_to: str | None = None  # a section key, or "submit"

    @field_validator("label")
    @classmethod
    def _has_text(cls, label: str) -> str:
        if not label.strip():
            raise ValueError("an empty choice: write its text, or remove it")
        return label


class Item(Model):
    key: Key
    type: ItemType
    title: Label
    help: Prose | None = None
    required: bool = False
    choices: list[Annotated[Choice, BeforeValidator(_choice_from_text)]] | None = None
    low: int | None = None
    high: int | None = None
    low_label: Label | None = None
    high_label: Label | None = None
    include_year: bool = True
    include_time: bool = False
    consent: ConsentKey | None = None
    # The explanatory texts (keys of `text` items) this consent agrees to, such as an agreement's full
    # wording: they are part of the wording recorded with each answer, so changing them asks again.
    wording_includes: list[Key] = Field(default_factory=list)
    omittable: bool = False

    @model_validator(mode="after")
    def _fits_type(self) -> Item:
        if self.type in CHOICE_TYPES and not self.choices:
            raise ValueError(f'{self.key} is a {self.type} question without choices; add choices: ["...", "..."]')
        if self.type not in CHOICE_TYPES and self.choices:
            raise ValueError(f"{self.key} is a {self.type} item, which takes no choices; remove choices")
        if self.choices and len({c.label for c in self.choices}) != len(self.choices):
            raise ValueError(f"{self.key} lists the same choice twice; keep each choice once")
        if self.type not in SKIP_LOGIC_TYPES and any(c.go_to for c in self.choices or ()):
            raise ValueError(f"{self.key}: go_to works only on single_choice and dropdown questions; remove go_to")
        if self.type == "scale":
            low, high = self.low if self.low is not None else 1, self.high
            if low not in (0, 1) or high is None or not 2 <= high <= 10:
                raise ValueError(f"{self.key}: a scale needs low: 0 or 1 and high: 2 to 10")
        elif self.low is not None or self.high is not None:
            raise ValueError(f"{self.key}: low and high belong to scale questions only; remove them")
        if self.type == "text" and self.required:
            raise ValueError(f"{self.key}: explanatory text cannot be required; remove required")
        return self

    @property
    def is_question(self) -> bool:
        return self.type != "text"


class Section(Model):
    key: Key
    title: Label | None = None
    help: Prose | None = None
    items: list[Item] = Field(default_factory=list)


class FormSpec(Model):
    title: Label
    description: Prose
    version: Label | None = None  # a wording's version (the confidentiality agreement's), shown to leads
    sections: list[Section] = Field(min_length=1)

    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items

    def item(self, key: str) -> Item | None:
        return next((item for item in self.items() if item.key == key), None)

    def link_code_item(self) -> Item | None:
        """The question a prefilled link fills with the person's link code (a secret only they were sent)."""
        return next((item for item in self.items() if item.type == "link_code"), None)

    def consent_items(self) -> list[Item]:
        return [item for item in self.items() if item.consent]
