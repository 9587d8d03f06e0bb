"""`ppp-gsuite report diversity`: the monitoring spreadsheet, counted, small numbers hidden."""
from __future__ import annotations

from ..errors import PppError
from ..google.drive_api import DriveApi
from ..google.sheets_api import SheetsApi
from ..specs.load import MONITORING
from ..sync.destinations import MONITORING as MONITORING_SHEET
from .diversity import diversity_report, format_report

OPPORTUNITY_KEY = "opportunity"


def read_monitoring(loaded, drive: DriveApi, sheets: SheetsApi) -> str:
    if not loaded.workspace.config.equal_opportunities_monitoring:
        raise PppError("equal-opportunities monitoring is off: set equal_opportunities_monitoring: true in the config")
    target = next((t for t in loaded.targets if t.key == MONITORING), None)
    found = [f for f in drive.find("spreadsheet") if f.get("appProperties", {}).get("target") == MONITORING_SHEET]
    if target is None or not found:
        raise PppError("there is no monitoring spreadsheet yet: run ppp-gsuite deploy-forms, then ppp-gsuite sync")
    layout = next(candidate for candidate in loaded.layouts.values() if candidate.form == MONITORING)
    values = sheets.read_tabs(found[0]["id"], [layout.tab])[layout.tab][1]
    rows = [dict(zip(values[0], line)) for line in values[1:]] if values else []
    questions = [item for item in target.spec.items() if item.is_question]
    opportunity = next(item.title for item in questions if item.key == OPPORTUNITY_KEY)
    characteristics = [(item.title, item.title) for item in questions if item.key != OPPORTUNITY_KEY]
    return format_report(diversity_report(rows, characteristics, opportunity))
