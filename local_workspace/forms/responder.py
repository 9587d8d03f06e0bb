"""What a responder's page does with a form, without HTTP: sections, answers from posted
fields (`entry.<int(questionId, 16)>`), required checks and section navigation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

END = -1  # the page after the last section (reached when skip logic says submit)
REQUIRED = "This is a required question"


@dataclass
class Section:
    index: int
    item_id: str | None  # the page break's itemId; None for the opening section
    title: str
    description: str
    items: list[dict] = field(default_factory=list)


def sections(form: dict) -> list[Section]:
    result = [Section(0, None, "", "")]
    for item in form.get("items") or []:
        if item.get("pageBreakItem") is not None:
            result.append(Section(len(result), item["itemId"], item.get("title", ""), item.get("description", "")))
        else:
            result[-1].items.append(item)
    return result


def entry_name(question_id: str) -> str:
    return f"entry.{int(question_id, 16)}"


def questions(items: list[dict]) -> list[tuple[dict, dict]]:
    """(item, question) pairs, one per answerable question (group rows included)."""
    found = []
    for item in items:
        if item.get("questionItem"):
            found.append((item, item["questionItem"]["question"]))
        elif item.get("questionGroupItem"):
            for row in item["questionGroupItem"].get("questions") or []:
                found.append((item, row))
    return found


def read_answers(form: dict, fields) -> dict[str, list[str]]:
    """Answers keyed by questionId from a MultiDict of `entry.N` fields; blanks dropped."""
    by_entry = {entry_name(q["questionId"]): q["questionId"] for _, q in questions(form.get("items") or [])}
    answers: dict[str, list[str]] = {}
    for name in fields:
        question_id = by_entry.get(name)
        if question_id is None:
            continue
        # Browsers send a textarea's line breaks as CRLF; Google Forms answers have \n.
        values = [v.replace("\r\n", "\n").strip() for v in fields.getlist(name) if v.strip()]
        if values:
            answers[question_id] = values
    return answers


def validate(items: list[dict], answers: dict[str, list[str]]) -> dict[str, str]:
    """Error messages keyed by questionId for the questions among `items`."""
    errors = {}
    for item, question in questions(items):
        values = answers.get(question["questionId"], [])
        if not values:
            if question.get("required"):
                errors[question["questionId"]] = REQUIRED
            continue
        problem = _value_problem(item, question, values)
        if problem:
            errors[question["questionId"]] = problem
    return errors


def _value_problem(item: dict, question: dict, values: list[str]) -> str | None:
    choice = question.get("choiceQuestion") or _row_choice(item, question)
    if choice:
        allowed = {o.get("value") for o in choice.get("options") or []}
        if any(v not in allowed for v in values):
            return "Choose one of the options"
        if choice.get("type") != "CHECKBOX" and len(values) > 1:
            return "Choose only one option"
        return None
    if len(values) > 1:
        return "Give one answer"
    value = values[0]
    if question.get("scaleQuestion") is not None:
        scale = question["scaleQuestion"]
        if not value.isdigit() or not scale.get("low", 0) <= int(value) <= scale.get("high", 0):
            return f"Choose a number from {scale.get('low', 0)} to {scale.get('high', 0)}"
    if question.get("dateQuestion") is not None:
        if parse_date_value(value, question["dateQuestion"]) is None:
            return "Enter a real date, for example 2026-05-19"
    if question.get("timeQuestion") is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?", value):
        return "Enter a time, for example 14:30"
    return None


def _row_choice(item: dict, question: dict) -> dict | None:
    if question.get("rowQuestion") is not None:
        return (item.get("questionGroupItem") or {}).get("grid", {}).get("columns")
    return None


def parse_date_value(value: str, date_question: dict) -> str | None:
    """The answer text the Forms API stores for a date input, or None when it is not a date."""
    try:
        if date_question.get("includeTime"):
            moment = datetime.fromisoformat(value.replace(" ", "T"))
            text = moment.strftime("%Y-%m-%d %H:%M")
        else:
            text = date.fromisoformat(value).isoformat()
    except ValueError:
        return None
    return text if date_question.get("includeYear", True) else text[5:]


def next_section(all_sections: list[Section], current: int, answers: dict[str, list[str]]) -> int:
    """The section after `current`: the last answered option with a go-to decides, else the next one."""
    jump = None
    for _item, question in questions(all_sections[current].items):
        choice = question.get("choiceQuestion") or {}
        if choice.get("type") not in ("RADIO", "DROP_DOWN"):
            continue
        chosen = answers.get(question["questionId"], [])
        for option in choice.get("options") or []:
            if chosen and option.get("value") == chosen[0]:
                if option.get("goToSectionId"):
                    jump = ("section", option["goToSectionId"])
                elif option.get("goToAction") in ("SUBMIT_FORM", "RESTART_FORM", "NEXT_SECTION"):
                    jump = ("action", option["goToAction"])
    if jump == ("action", "SUBMIT_FORM"):
        return END
    if jump == ("action", "RESTART_FORM"):
        return 0
    if jump and jump[0] == "section":
        for section in all_sections:
            if section.item_id == jump[1]:
                return section.index
    return current + 1 if current + 1 < len(all_sections) else END


def response_answers(form: dict, visited: list[int], answers: dict[str, list[str]]) -> dict:
    """The FormResponse answers for the sections the responder went through."""
    all_sections = sections(form)
    result = {}
    for index in visited:
        if index == END:
            continue
        for _, question in questions(all_sections[index].items):
            values: list[Any] | None = answers.get(question["questionId"])
            if not values:
                continue
            if question.get("dateQuestion") is not None:
                values = [parse_date_value(values[0], question["dateQuestion"])]
            if question.get("timeQuestion") is not None:
                values = [values[0][:5]]
            result[question["questionId"]] = {
                "questionId": question["questionId"],
                "textAnswers": {"answers": [{"value": v} for v in values]},
            }
    return result
