"""Pure row building: answers to cells, checks that flag, cells that fit, mileage at the right rate."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from ppp_gsuite.config import MileageRate
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.sheets.layout import load_layouts, resolve
from ppp_gsuite.sync.mileage import Journey, mileage, tax_year
from ppp_gsuite.sync.rows import CELL_LIMIT, build_row
from ppp_gsuite.sync.table import plan_tab
from shared_workspace import minimal


def eoi_tab():
    loaded = minimal()
    target = next(t for t in loaded.targets if t.key == "eoi-eye-group")
    return resolve("expressions_of_interest", loaded.layouts["expressions_of_interest"], target.spec), target


def response(rid, **answers):
    return {
        "responseId": rid,
        "createTime": "2026-11-24T10:00:00Z",
        "lastSubmittedTime": "2026-11-24T10:00:00Z",
        "answers": {
            question_id("expression_of_interest", key): {
                "questionId": question_id("expression_of_interest", key),
                "textAnswers": {"answers": [{"value": v}]},
            }
            for key, v in answers.items()
        },
    }


def row_for(rid, **answers):
    tab, target = eoi_tab()
    return build_row(
        tab,
        target.spec_name,
        target.spec,
        response(rid, **answers),
        "rev1",
        tool_values={"reference": "ref-" + rid},
        zone="Europe/London",
    )


def test_answers_go_under_their_headers_and_lead_columns_get_defaults_only():
    row = row_for("r1", full_name="Robin", email="robin@example.org")
    assert row.cells["Name"] == "Robin"
    assert row.cells["Response ID"] == "r1"
    assert row.cells["Submitted"] == "2026-11-24 10:00"
    assert "Status" not in row.cells and "Notes" not in row.cells
    assert row.new_row_defaults == {"Status": "New", "Form version": "rev1"}  # a new row's only: never rewritten
    assert "Form version" not in row.cells
    assert row.cells["Needs checking"] == ""


def test_an_answer_failing_a_check_is_flagged_and_still_written():
    row = row_for("r1", full_name="Robin", email="robin at home")
    assert row.cells["Email"] == "robin at home"
    assert "the email address is not valid: correct it in Corrected email" in row.cells["Needs checking"]


def test_a_long_answer_is_cut_with_a_visible_marker():
    row = row_for("r1", full_name="x" * (CELL_LIMIT + 10))
    assert len(row.cells["Name"]) == CELL_LIMIT
    assert row.cells["Name"].endswith("the whole answer is in the form's responses]")
    assert "Name: cut to fit a cell" in row.cells["Needs checking"]


def test_rows_are_found_by_response_id_after_a_lead_sorts_and_inserts_columns():
    tab, _ = eoi_tab()
    headers = tab.header_row()
    first = plan_tab(tab, "EOI", [], [row_for("a", full_name="Ann"), row_for("b", full_name="Ben")])
    block = first.ranges[-1][1]
    sheet = [headers] + block
    # The lead inserts a column at the front, sorts rows (b before a) and sets a status.
    sheet = [["Lead's own"] + line for line in sheet]
    sheet = [sheet[0], sheet[2], sheet[1]]
    status = sheet[0].index("Status")
    sheet[1][status] = "Shortlisted"
    again = plan_tab(tab, "EOI", sheet, [row_for("a", full_name="Ann Edited"), row_for("c", full_name="Cat")])
    assert again.added == 1 and again.updated == 1
    name_col = sheet[0].index("Name")
    update = [r for r in again.ranges if r[1] == [["Ann Edited"]]]
    assert len(update) == 1
    letters = update[0][0].split("!")[1]
    assert letters.startswith("C3:"), letters  # row 3 (a sorted below b), column C (shifted by the insert)
    assert name_col == 2
    assert all("Shortlisted" not in str(values) for _, values in again.ranges)


def test_nothing_new_writes_nothing():
    tab, _ = eoi_tab()
    first = plan_tab(tab, "EOI", [], [row_for("a", full_name="Ann")])
    sheet = [tab.header_row()] + first.ranges[-1][1]
    again = plan_tab(tab, "EOI", sheet, [row_for("a", full_name="Ann")])
    assert again.ranges == [] and again.added == 0 and again.updated == 0


RATES = [
    MileageRate.model_validate(
        {"from": "2011-04-06", "car": "0.45", "car_over_10000": "0.25", "motorcycle": "0.24", "bicycle": "0.20"}
    )
]


def test_car_rate_drops_after_ten_thousand_miles_in_a_tax_year():
    journeys = [
        Journey("1", "p", date(2026, 5, 1), "Car or van", Decimal(9990)),
        Journey("2", "p", date(2026, 6, 1), "Car or van", Decimal(20)),
        Journey("3", "q", date(2026, 6, 1), "Car", Decimal(20)),
        Journey("4", "p", date(2027, 4, 6), "Car", Decimal(10)),
        Journey("5", "p", date(2026, 6, 2), "Bicycle", Decimal(10)),
        Journey("6", "p", date(2026, 6, 2), "Train", Decimal(10)),
    ]
    owed = mileage(journeys, RATES)
    assert owed["1"] == Decimal("4495.50")
    assert owed["2"] == Decimal("7.00")  # 10 at 45p, 10 at 25p
    assert owed["3"] == Decimal("9.00")  # another partner: own threshold
    assert owed["4"] == Decimal("4.50")  # new tax year
    assert owed["5"] == Decimal("2.00")
    assert "6" not in owed
    assert tax_year(date(2027, 4, 5)) == 2026 and tax_year(date(2027, 4, 6)) == 2027


def test_every_status_the_tool_acts_on_is_a_choice_in_the_shipped_layouts():
    """The statuses are spelled once in the code (vocabulary) and once in the layouts staff edit: a status the
    tool acts on that no dropdown offers (a typo, a rename on one side) would never send its email."""
    from ppp_gsuite.sync.emails import DECISIONS
    from ppp_gsuite.vocabulary import APPOINTED, ENDED, WITHDRAWN

    layouts = load_layouts(Path(__file__).resolve().parent.parent / "sheet_layouts")
    offered = {
        choice
        for layout in layouts.values()
        for column in layout.columns
        if column.lead in ("status", "claim_status")
        for choice in column.choices or ()
    }
    assert set(DECISIONS) | {APPOINTED, WITHDRAWN, *ENDED} <= offered, offered
