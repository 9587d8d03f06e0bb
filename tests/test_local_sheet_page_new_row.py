"""The stand-in's spreadsheet page: under the last row, an empty row to type a new row into, as
Sheets' grid offers (a lead adds a meeting there: issue 15). Its cells keep their column's rules:
a dropdown stays a dropdown, a protected column stays read-only."""

import re

from test_local_sheets import _lead_sheet, gc  # noqa: F401


def test_the_page_offers_one_empty_row_under_the_last_and_saves_a_new_row_typed_there(gc, local):  # noqa: F811
    spreadsheet = _lead_sheet(gc)
    page = f"/spreadsheets/d/{spreadsheet.id}/edit"
    status, html = local.request("GET", page)
    assert status == 200
    assert '<input type="text" name="0!D4" value=""' in html  # the empty row under row 3
    assert re.search(r'<select name="0!C4"[^>]*>\s*<option value="" selected></option>', html)  # its dropdown
    assert 'name="0!B4"' not in html  # a protected column stays read-only in it
    assert 'name="0!D5"' not in html  # one empty row, not the whole grid
    status, html = local.request("POST", page, form={"0!C4": "New", "0!D4": "a row typed by the lead"})
    assert status == 200 and "Saved 2 cells." in html
    assert spreadsheet.sheet1.get("C4:D4") == [["New", "a row typed by the lead"]]
    status, html = local.request("POST", page, form={"0!C5": "Hired"})
    assert status == 400 and "not one of the choices" in html  # strict validation below the rows too
