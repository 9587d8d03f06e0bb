"""Equal-opportunities monitoring: an anonymous form, and a report of counts with small numbers hidden."""
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ppp_gsuite.reports.diversity import diversity_report, format_report
from ppp_gsuite.specs.load import load_spec
from ppp_gsuite.specs.render import render_model

ROOT = Path(__file__).resolve().parents[1]
OPP, AGE, GENDER = "Which opportunity did you apply for?", "How old are you?", "What is your gender?"
TRAITS = [(AGE, "Age band"), (GENDER, "Gender")]
HIDDEN = "fewer than 5"


def rows_of(*groups):
    """Rows from (count, opportunity, age, gender) groups, with the tool columns a sheet has."""
    rows = []
    for count, opportunity, age, gender in groups:
        for _ in range(count):
            n = len(rows)
            rows.append({"Submitted": f"2026-11-24 10:{n:02d}", "Response ID": f"resp-{n:04d}",
                         OPP: opportunity, AGE: age, GENDER: gender})
    return rows


def table(part, label):
    return dict(next(t for t in part.tables if t.label == label).rows)


def test_small_counts_are_hidden_and_totals_shown():
    rows = rows_of((10, "Board", "25 to 34", "Woman"), (6, "Board", "45 to 54", "Man"), (2, "Board", "75 or over", "Man"))
    report = diversity_report(rows, TRAITS, OPP)
    assert report.overall.total == "18"
    ages = table(report.overall, "Age band")
    assert ages["75 or over"] == HIDDEN
    assert ages["25 to 34"] == "10"
    assert table(report.overall, "Gender") == {"Man": "8", "Woman": "10"}


def test_one_hidden_count_hides_the_next_smallest_so_it_cannot_be_subtracted():
    rows = rows_of((10, "Board", "25 to 34", "Woman"), (6, "Board", "45 to 54", "Woman"), (2, "Board", "75 or over", "Woman"))
    ages = table(diversity_report(rows, TRAITS, OPP).overall, "Age band")
    assert ages == {"25 to 34": "10", "45 to 54": HIDDEN, "75 or over": HIDDEN}


def test_two_hidden_counts_need_nothing_more_hidden():
    rows = rows_of((10, "Board", "25 to 34", "Woman"), (3, "Board", "45 to 54", "Woman"), (2, "Board", "75 or over", "Woman"))
    ages = table(diversity_report(rows, TRAITS, OPP).overall, "Age band")
    assert ages == {"25 to 34": "10", "45 to 54": HIDDEN, "75 or over": HIDDEN}


def test_blank_answers_count_as_not_answered_and_come_last():
    rows = rows_of((7, "Board", "25 to 34", "Woman"), (5, "Board", "", "  "), (6, "Board", "Prefer not to say", "Man"))
    rows.append({OPP: "Board", GENDER: "Man"})  # no age column at all
    report = diversity_report(rows, TRAITS, OPP)
    ages = table(report.overall, "Age band")
    assert list(ages) == ["25 to 34", "Prefer not to say", "Not answered"]
    assert ages["Not answered"] == "6"
    assert table(report.overall, "Gender")["Not answered"] == "5"


def test_each_opportunity_has_its_own_counts_and_small_totals_are_hidden():
    rows = rows_of(
        (8, "Board", "25 to 34", "Woman"), (7, "Board", "45 to 54", "Man"),
        (6, "Committee", "25 to 34", "Man"), (5, "Committee", "45 to 54", "Woman"),
        (3, "Workstream", "25 to 34", "Woman"),
        (6, "", "45 to 54", "Woman"),
    )
    report = diversity_report(rows, TRAITS, OPP)
    parts = {p.title: p for p in report.opportunities}
    assert list(parts) == ["Board", "Committee", "Workstream", "Not answered"]
    assert parts["Board"].total == "15" and parts["Committee"].total == "11"
    assert parts["Workstream"].total == HIDDEN
    assert table(parts["Workstream"], "Age band")["25 to 34"] == HIDDEN
    # Workstream's total alone hidden would be 35 minus the others: the next smallest total goes too.
    assert report.overall.total == "35"
    assert [p.total for p in report.opportunities] == ["15", "11", HIDDEN, HIDDEN]
    # Workstream's "25 to 34" alone hidden would be 17 - 8 - 6: another count in that row goes too.
    assert table(report.overall, "Age band")["25 to 34"] == "17"
    across = [table(p, "Age band")["25 to 34"] for p in report.opportunities]
    assert across.count(HIDDEN) >= 2


def test_a_breakdown_without_small_counts_is_shown_whole():
    rows = rows_of((8, "Board", "25 to 34", "Woman"), (7, "Board", "45 to 54", "Man"),
                   (6, "Committee", "25 to 34", "Man"), (5, "Committee", "45 to 54", "Woman"))
    parts = {p.title: p for p in diversity_report(rows, TRAITS, OPP).opportunities}
    assert table(parts["Board"], "Gender") == {"Man": "7", "Woman": "8"}
    assert table(parts["Committee"], "Age band") == {"25 to 34": "6", "45 to 54": "5"}
    assert table(parts["Committee"], "Gender") == {"Man": "6", "Woman": "5"}


def test_no_shown_total_ever_has_exactly_one_hidden_count_under_it():
    groups = [(n, opp, age, gender) for n, opp, age, gender in [
        (9, "Board", "18 to 24", "Woman"), (1, "Board", "25 to 34", "Man"), (4, "Board", "65 to 74", "Woman"),
        (2, "Committee", "18 to 24", "Man"), (12, "Committee", "25 to 34", "Woman"), (1, "Committee", "", "Non-binary"),
        (5, "Prefer not to say", "65 to 74", "Man"), (3, "", "18 to 24", "Prefer not to say"),
    ]]
    report = diversity_report(rows_of(*groups), TRAITS, OPP)
    parts = [report.overall, *report.opportunities]
    for part in parts:
        for t in part.tables:
            if part.total != HIDDEN:
                assert [c for _, c in t.rows].count(HIDDEN) != 1, (part.title, t.label)
    if report.overall.total != HIDDEN:
        assert [p.total for p in report.opportunities].count(HIDDEN) != 1
    for label in ("Age band", "Gender"):
        for value, shown in table(report.overall, label).items():
            if shown != HIDDEN:
                assert [table(p, label)[value] for p in report.opportunities].count(HIDDEN) != 1, value


def test_fewer_responses_than_the_threshold_shows_no_numbers_but_zeros():
    report = diversity_report(rows_of((3, "Board", "25 to 34", "Woman")), TRAITS, OPP)
    assert report.overall.total == HIDDEN
    assert table(report.overall, "Age band") == {"25 to 34": HIDDEN}


def test_no_rows_gives_an_empty_report():
    report = diversity_report([], TRAITS, OPP)
    assert report.overall.total == "0" and report.opportunities == ()
    assert "0 responses" in format_report(report)


def test_the_printed_report_has_tables_and_no_row_level_data():
    rows = rows_of((9, "Board", "25 to 34", "Woman"), (2, "Board", "45 to 54", "Man"), (6, "Committee", "45 to 54", "Woman"))
    rows[0]["Anything else"] = "secret-free-text"
    text = format_report(diversity_report(rows, TRAITS, OPP))
    assert "Age band" in text and "Gender" in text and "Opportunity: Board" in text
    assert "fewer than 5" in text and "17 responses" in text
    assert "resp-" not in text and "2026-11-24" not in text and "secret-free-text" not in text
    assert AGE not in text  # headers given labels are shown by their label
    for line in text.splitlines():
        assert len(line) < 100


def test_the_monitoring_form_is_optional_and_anonymous():
    spec = load_spec(ROOT / "form_specs" / "equal_opportunities.yaml")
    spec = render_model(spec, {"organisation": {"name": "Example Health"}})
    questions = [item for item in spec.items() if item.is_question]
    assert [q.key for q in questions] == [
        "opportunity", "age_band", "gender", "gender_same_as_birth", "disability",
        "ethnic_group", "religion", "sexual_orientation", "caring_responsibilities",
    ]
    for q in questions:
        assert not q.required and q.type in {"single_choice", "dropdown"} and not q.consent, q.key
        assert "Prefer not to say" in [c.label for c in q.choices], q.key
    assert [c.label for c in spec.item("opportunity").choices] == ["OPPORTUNITIES", "Prefer not to say"]
    words = " ".join(f"{q.key} {q.title} {q.help or ''}" for q in spec.items()).lower()
    for asked in ("name", "email", "phone", "postcode", "reference", "address"):
        assert asked not in words, asked
    notice = spec.description
    assert notice.startswith("How we use your answers")
    for point in ("optional", "anonymous", "engagement team", "never see", "reach everyone"):
        assert point in notice, point
    assert "Example Health aims to offer equal opportunities" in notice
    assert "marital status" in notice


def determined(unknowns, equations, target):
    """Whether the sums fix the unknown `target` exactly (it lies in the row space of the equations)."""
    def rank(matrix):
        matrix, r = [row[:] for row in matrix], 0
        for col in range(len(unknowns)):
            pivot = next((i for i in range(r, len(matrix)) if matrix[i][col]), None)
            if pivot is None:
                continue
            matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
            for i in range(len(matrix)):
                if i != r and matrix[i][col]:
                    f = matrix[i][col] / matrix[r][col]
                    matrix[i] = [a - f * b for a, b in zip(matrix[i], matrix[r])]
            r += 1
        return r
    unit = [Fraction(int(u == target)) for u in unknowns]
    return rank(equations + [unit]) == rank(equations)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(
    st.integers(1, 7), st.sampled_from(["Board", "Committee", "Workstream", ""]),
    st.sampled_from(["18 to 24", "25 to 34", "65 to 74", ""]), st.sampled_from(["Woman", "Man", "Non-binary"]),
), max_size=8))
def test_no_small_count_can_be_worked_out_from_what_is_shown(groups):
    rows = rows_of(*groups)
    report = diversity_report(rows, TRAITS, OPP)
    parts = [report.overall, *report.opportunities]
    cells = {}  # (part, label, value) or (part,) -> (true count, shown)
    for part in parts:
        members = [r for r in rows if part is report.overall or (r[OPP] or "Not answered") == part.title]
        cells[(part.title,)] = (len(members), part.total)
        for header, label in TRAITS:
            for value, shown in table(part, label).items():
                true = sum((r[header] or "Not answered") == value for r in members)
                assert shown == HIDDEN or shown == str(true)
                cells[(part.title, label, value)] = (true, shown)
    unknowns = [k for k, (_, shown) in cells.items() if shown == HIDDEN]
    sums = [(("All responses",), [(p.title,) for p in report.opportunities])]
    for part in parts:
        for _, label in TRAITS:
            sums.append(((part.title,), [(part.title, label, v) for v in table(part, label)]))
    for _, label in TRAITS:
        for value in table(report.overall, label):
            sums.append((("All responses", label, value), [(p.title, label, value) for p in report.opportunities]))
    equations = []
    for total, members in sums:
        if not members:
            continue
        equations.append([Fraction(int(u in members) - int(u == total)) for u in unknowns])
    for key in unknowns:
        if 0 < cells[key][0] < 5:
            assert not determined(unknowns, equations, key), key
