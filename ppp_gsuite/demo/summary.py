"""What the workspace holds after the demo, read back from it (never from what the demo meant to do),
and said in counts and links only: no name, address or answer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..google.drive_api import DriveApi
from ..google.forms_api import FormsApi
from ..google.sheets_api import SheetsApi
from ..status import rows_below_header
from ..sync.destinations import EMAIL_LOG, ENGAGEMENT, ENGAGEMENT_TAB

NOT_IN_LOG = "not in the email log"


@dataclass
class Spreadsheet:
    name: str
    link: str
    rows: dict[str, int]  # tab -> rows below the header
    target: str = ""


@dataclass
class Summary:
    forms: list[tuple[str, str]] = field(default_factory=list)  # (form name, link)
    spreadsheets: list[Spreadsheet] = field(default_factory=list)
    emails: Counter = field(default_factory=Counter)  # kind -> messages in the outbox
    engagement_people: int = 0  # rows on the engagement team's sheet
    engagement_link: str = ""

    @property
    def emails_total(self) -> int:
        return sum(self.emails.values())


def read_summary(forms: FormsApi, drive: DriveApi, sheets: SheetsApi, outbox: list[dict]) -> Summary:
    summary = Summary()
    for form in sorted(drive.find("form"), key=lambda f: f.get("name", "")):
        summary.forms.append((form.get("name", form["id"]), forms.get(form["id"]).get("responderUri", "")))
    log: dict[str, str] = {}  # message id -> kind of email
    for file in sorted(drive.find("spreadsheet"), key=lambda f: f.get("name", "")):
        titles = [s["properties"]["title"] for s in sheets.metadata(file["id"]).get("sheets", [])]
        tabs = sheets.read_tabs(file["id"], titles) if titles else {}
        target = file.get("appProperties", {}).get("target", "")
        sheet = Spreadsheet(
            file.get("name", file["id"]),
            file.get("webViewLink", ""),
            {title: rows_below_header(values) for title, (_, values) in tabs.items()},
            target,
        )
        summary.spreadsheets.append(sheet)
        if EMAIL_LOG.tab in tabs:
            values = tabs[EMAIL_LOG.tab][1]
            headers = values[0] if values else []
            for row in values[1:]:
                record = dict(zip(headers, row))
                if record.get("Message ID"):
                    log[record["Message ID"]] = record.get("Email", "")
        if target == ENGAGEMENT:
            summary.engagement_people = sheet.rows.get(ENGAGEMENT_TAB.tab, 0)
            summary.engagement_link = sheet.link
    summary.emails = Counter(log.get(message["id"], NOT_IN_LOG) for message in outbox)
    return summary


def describe(summary: Summary, index_url: str) -> list[str]:
    lines = [f"Forms: {len(summary.forms)}"]
    lines += [f"  {name}: {link}" for name, link in summary.forms]
    lines.append(f"Spreadsheets: {len(summary.spreadsheets)} (rows below the header, per tab)")
    for sheet in summary.spreadsheets:
        lines.append(f"  {sheet.name}: {sheet.link}")
        lines += [f"    {tab}: {count}" for tab, count in sheet.rows.items()]
    lines.append(f"Emails sent: {summary.emails_total} (in the outbox, by kind)")
    lines += [f"  {kind}: {count}" for kind, count in sorted(summary.emails.items())]
    lines.append(
        f"Shared with the engagement team: {summary.engagement_people} "
        f"{'person' if summary.engagement_people == 1 else 'people'}: {summary.engagement_link}"
    )
    lines.append(
        f"Open the workspace at {index_url}/ (the outbox: {index_url}/gmail/outbox) "
        "while `ppp-gsuite local serve` runs."
    )
    return lines
