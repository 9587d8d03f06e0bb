"""`ppp-gsuite report diversity`: the monitoring spreadsheet, counted, small numbers hidden."""

from __future__ import annotations

from ..errors import PppError
from ..google.drive_api import DriveApi
from ..google.sheets_api import SheetsApi
from ..sync.destinations import MONITORING as MONITORING_SHEET
from ..sync.destinations import destinations
from ..vocabulary import MONITORING_FORM as MONITORING
from .diversity import format_report, monitoring_report


def read_monitoring(loaded, drive: DriveApi, sheets: SheetsApi) -> str:
    if not loaded.workspace.config.equal_opportunities_monitoring:
        raise PppError("equal-opportunities monitoring is off: set equal_opportunities_monitoring: true in the config")
    target = next((t for t in loaded.targets if t.key == MONITORING), None)
    found = [f for f in drive.find("spreadsheet") if f.get("appProperties", {}).get("target") == MONITORING_SHEET]
    if target is None or not found:
        raise PppError("there is no monitoring spreadsheet yet: run ppp-gsuite deploy-forms, then ppp-gsuite sync")
    tab = destinations(loaded.workspace.config, loaded.targets, loaded.layouts)[MONITORING_SHEET].tab(MONITORING)
    if tab is None:
        raise PppError("the monitoring spreadsheet's layout has no tab for the monitoring form: add one to the layouts")
    values = sheets.read_tabs(found[0]["id"], [tab.tab])[tab.tab][1]
    rows = [dict(zip(values[0], line)) for line in values[1:]] if values else []
    return format_report(monitoring_report(target.spec, tab, rows))
