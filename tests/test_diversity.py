"""Equal-opportunities monitoring: an anonymous form, and a report of counts with small numbers hidden."""

import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppp_gsuite.reports.diversity import Characteristic, counts_tab, diversity_report, format_report
from ppp_gsuite.specs.load import load_spec
from ppp_gsuite.specs.render import render_model

ROOT = Path(__file__).resolve().parents[1]
OPP, AGE, GENDER = "Which opportunity did you apply for?", "How old are you?", "What is your gender?"
PNTS, NA = "Prefer not to say", "Not answered"
AGES = ("18 to 24", "25 to 34", "45 to 54", "65 to 74", "75 or over", PNTS)
GENDERS = ("Woman", "Man", "Non-binary", PNTS)
OPPORTUNITIES = ("Board", "Committee", "Workstream")
TRAITS = [Characteristic(AGE, "Age band", AGES), Characteristic(GENDER, "Gender", GENDERS)]
OPPORTUNITY = Characteristic(OPP, "Opportunity", (*OPPORTUNITIES, PNTS))
THRESHOLD = 5
HIDDEN = "hidden"


def rows_of(*groups):
    """Rows from (count, opportunity, age, gender) groups, with the tool columns a sheet has."""
    rows = []
    for count, opportunity, age, gender in groups:
        for _ in range(count):
            n = len(rows)
            rows.append(
                {"Date": "2026-11-24", "Response ID": f"resp-{n:04d}", OPP: opportunity, AGE: age, GENDER: gender}
            )
    return rows


def report_of(rows):
    return diversity_report(rows, TRAITS, OPPORTUNITY, THRESHOLD)


def table(part, label):
    return dict(next(t for t in part.tables if t.label == label).rows)


# -- what the printed report says, read back as a reader would ---------------------------------

COUNT_LINE = re.compile(r"^(\S.*?) {2,}(\d+|[a-z][a-z ]*)$")


def parse(text):
    """The printed report as {section title: {"total": shown, table label: {answer: shown}}}, as a
    reader would take it in. A count that is not a number is hidden."""
    sections, current, label = {}, None, None
    lines = text.splitlines()
    for number, line in enumerate(lines):
        heading = re.match(r"^== (.*): (\S+) responses? ==$", line)
        if heading:
            current = sections.setdefault(heading.group(1).removeprefix("Opportunity: "), {})
            current["total"], label = heading.group(2), None
        elif current is not None and number + 1 < len(lines) and re.match(r"^-+ +-+$", lines[number + 1]):
            label = re.split(r" {2,}", line)[0]
            current[label] = {}
        elif label is not None and line.strip() and not re.match(r"^-+ +-+$", line):
            match = COUNT_LINE.match(line)
            assert match, line
            current[label][match.group(1)] = match.group(2)
        elif not line.strip():
            label = None
    return sections


def true_counts(rows):
    """Every count a report could show: (part,) totals and (part, label, answer) counts."""
    answer = lambda row, header: (row.get(header) or "").strip() or NA  # noqa: E731
    groups = {"All responses": rows}
    for o in (*OPPORTUNITIES, PNTS, NA):
        groups[o] = [r for r in rows if answer(r, OPP) == o]
    counts = {}
    for part, members in groups.items():
        counts[(part,)] = len(members)
        for trait in TRAITS:
            for value in (*trait.choices, NA):
                counts[(part, trait.label, value)] = sum(answer(r, trait.header) == value for r in members)
    return counts


def unknowns_and_sums(text):
    """What a reader knows: each count shown, and the sums the counts must make. Every count not shown
    (hidden, or in a breakdown not printed) is an unknown."""
    sections = parse(text)
    shown = {}
    overall = sections.get("All responses", {})
    if "total" in overall and overall["total"].isdigit():
        shown[("All responses",)] = int(overall["total"])
    for title, value in overall.get(OPPORTUNITY.label, {}).items():
        if value.isdigit():
            shown[(title,)] = int(value)
    for title, section in sections.items():
        if section.get("total", "").isdigit():
            shown[(title,)] = int(section["total"])
        for trait in TRAITS:
            if trait.label in section:
                printed = section[trait.label]
                for value in (*trait.choices, NA):  # a listed table leaves out nothing but zeros
                    count = printed.get(value, "0")
                    if count.isdigit():
                        shown[(title, trait.label, value)] = int(count)
    # A report that leaves out answers the form offers lists only the answers given: each answer
    # it lists was given at least once, and each it leaves out by nobody.
    given = set()
    listed = overall.get(OPPORTUNITY.label) or {t: s for t, s in sections.items() if t != "All responses"}
    if listed and set(listed) != {*OPPORTUNITY.choices, NA}:
        given |= {(o,) for o in listed}
        shown |= {(o,): 0 for o in {*OPPORTUNITY.choices, NA} - set(listed)}
    for trait in TRAITS:
        printed = overall.get(trait.label)
        if printed and set(printed) != {*trait.choices, NA}:
            given |= {("All responses", trait.label, value) for value in printed}
    parts = ["All responses", *OPPORTUNITIES, PNTS, NA]
    sums = [(("All responses",), [(o,) for o in parts[1:]])]
    for part in parts:
        for trait in TRAITS:
            sums.append(((part,), [(part, trait.label, v) for v in (*trait.choices, NA)]))
    for trait in TRAITS:
        for value in (*trait.choices, NA):
            sums.append((("All responses", trait.label, value), [(o, trait.label, value) for o in parts[1:]]))
    return shown, given, sums


def linearly_determined(unknowns, equations):
    """The unknowns that the sums fix exactly: those on which every solution of the homogeneous
    system is zero (reduced row echelon form: a pivot whose row holds no free unknown)."""
    matrix, pivots, r = [row[:] for row in equations], [], 0
    for col in range(len(unknowns)):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col]), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        matrix[r] = [a / matrix[r][col] for a in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][col]:
                f = matrix[i][col]
                matrix[i] = [a - f * b for a, b in zip(matrix[i], matrix[r])]
        pivots.append(col)
        r += 1
    free = set(range(len(unknowns))) - set(pivots)
    return {unknowns[col] for row, col in zip(matrix, pivots) if not any(row[f] for f in free)}


def bounds(unknowns, equations, given):
    """Interval reasoning over the sums, knowing no count is negative (and the answers given at
    least once): each unknown's (lowest, highest)."""
    lo = {u: int(u in given) for u in unknowns}
    hi = {u: float("inf") for u in unknowns}
    for _ in range(60):
        changed = False
        for coefficients, constant in equations:
            for u, a in coefficients.items():
                rest_lo = sum(min(b * lo[v], b * hi[v]) for v, b in coefficients.items() if v != u)
                rest_hi = sum(max(b * lo[v], b * hi[v]) for v, b in coefficients.items() if v != u)
                low, high = sorted(((constant - rest_hi) / a, (constant - rest_lo) / a))
                if low > lo[u]:
                    lo[u], changed = low, True
                if high < hi[u]:
                    hi[u], changed = high, True
        if not changed:
            break
    return lo, hi


def assert_nothing_small_can_be_worked_out(rows, text):
    truth = true_counts(rows)
    shown, given, sums = unknowns_and_sums(text)
    for key, value in shown.items():
        assert truth[key] == value, (key, value, truth[key])
    unknowns = [k for k in truth if k not in shown]
    linear, intervals = [], []
    for total, members in sums:
        terms = {}
        for key, sign in [(total, -1), *((m, 1) for m in members)]:
            if key not in shown:
                terms[key] = terms.get(key, 0) + sign
        constant = shown.get(total, 0) - sum(shown.get(m, 0) for m in members)
        terms = {k: a for k, a in terms.items() if a}
        if terms:
            linear.append([Fraction(terms.get(u, 0)) for u in unknowns] + [Fraction(constant)])
            intervals.append((terms, constant))
    lo, hi = bounds(unknowns, intervals, given)
    fixed = linearly_determined(unknowns, [row[:-1] for row in linear])
    for key in unknowns:
        if 0 < truth[key] < THRESHOLD:
            assert key not in fixed, f"{key} = {truth[key]} follows from the sums\n{text}"
            assert lo[key] != hi[key], f"{key} = {truth[key]} follows from the sums and no count being negative\n{text}"


# -- the property ------------------------------------------------------------------------------

ANSWERS = st.tuples(st.sampled_from((*AGES, "")), st.sampled_from((*GENDERS, "")))


def group(opportunity, size):
    return st.lists(ANSWERS, min_size=size, max_size=size).map(
        lambda answers: [(1, opportunity, age, gender) for age, gender in answers]
    )


@pytest.mark.parametrize("alone", [True, False], ids=["only-group", "with-others"])
@pytest.mark.parametrize("size", range(13))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_no_count_under_the_threshold_can_be_worked_out_from_the_printed_report(size, alone, data):
    """Every group size from 0 to 12 (the Board's, and the whole report's when the Board is alone)."""
    groups = data.draw(group("Board", size))
    if not alone:
        for opportunity in ("Committee", "Workstream", PNTS, ""):
            groups += data.draw(st.integers(0, 12).flatmap(lambda n, o=opportunity: group(o, n)))
    rows = rows_of(*data.draw(st.permutations(groups)))
    text = format_report(report_of(rows))
    assert_nothing_small_can_be_worked_out(rows, text)


def test_the_reader_model_catches_a_count_given_away_by_subtraction():
    """The property's reader is not blind: a report with one hidden count in a table is caught."""
    rows = rows_of((10, "Board", "25 to 34", "Woman"), (2, "Board", "45 to 54", "Woman"))
    text = (
        "== All responses: 12 responses ==\n\nAge band  Count\n--------  -----\n25 to 34     10\n"
        "45 to 54  hidden\n\nGender  Count\n------  -----\nWoman      12\n"
    )
    with pytest.raises(AssertionError, match="follows from the sums"):
        assert_nothing_small_can_be_worked_out(rows, text)


# -- particular cases ------------------------------------------------------------------------


def test_small_counts_are_hidden_and_totals_shown():
    rows = rows_of(
        (10, "Board", "25 to 34", "Woman"), (6, "Board", "45 to 54", "Man"), (2, "Board", "75 or over", "Man")
    )
    report = report_of(rows)
    assert report.overall.total == "18"
    ages = table(report.overall, "Age band")
    assert ages["75 or over"] == HIDDEN
    assert ages["25 to 34"] == "10"
    assert table(report.overall, "Gender")["Woman"] == "10"


def test_every_answer_offered_is_listed_so_a_listed_answer_says_nobody_gave_it():
    rows = rows_of((10, "Board", "25 to 34", "Woman"), (6, "Board", "45 to 54", "Man"))
    ages = table(report_of(rows).overall, "Age band")
    assert list(ages) == [*AGES, NA]
    assert ages["18 to 24"] == "0" and ages[NA] == "0"


def test_a_breakdown_of_a_group_under_the_threshold_is_not_printed():
    rows = rows_of(
        (10, "Board", "25 to 34", "Woman"), (6, "Committee", "45 to 54", "Man"), (3, "Workstream", "65 to 74", "Man")
    )
    text = format_report(report_of(rows))
    sections = parse(text)
    assert "Board" in sections and "Committee" in sections
    assert "Workstream" not in sections, text
    assert "Workstream" in sections["All responses"]["Opportunity"]  # its number of responses, hidden or not


def test_prefer_not_to_say_and_not_answered_are_answers_not_opportunities():
    rows = rows_of((10, "Board", "25 to 34", "Woman"), (7, PNTS, "45 to 54", "Man"), (6, "", "45 to 54", "Woman"))
    text = format_report(report_of(rows))
    sections = parse(text)
    assert PNTS not in sections and NA not in sections, text
    assert sections["All responses"]["Opportunity"][PNTS] == "7"
    assert sections["All responses"]["Opportunity"][NA] == "6"
    assert "Opportunity: Prefer not to say" not in text


def test_no_zero_is_printed_beside_a_hidden_count():
    rows = rows_of(
        (10, "Board", "25 to 34", "Woman"),
        (2, "Board", "45 to 54", "Woman"),
        (3, "Board", "25 to 34", "Man"),
        (8, "Committee", "65 to 74", "Man"),
    )
    text = format_report(report_of(rows))
    for title, section in parse(text).items():
        for label, counts in section.items():
            if label != "total" and HIDDEN in counts.values():
                assert "0" not in counts.values(), (title, label, text)


def test_fewer_responses_than_the_threshold_shows_no_breakdown_at_all():
    text = format_report(report_of(rows_of((3, "Board", "25 to 34", "Woman"))))
    assert parse(text) == {"All responses": {"total": HIDDEN}}, text
    assert "25 to 34" not in text and "Board" not in text


def test_no_rows_gives_an_empty_report():
    report = report_of([])
    assert report.overall.total == "0" and report.opportunities == ()
    assert "0 responses" in format_report(report)


def test_the_printed_report_has_tables_and_no_row_level_data():
    rows = rows_of(
        (9, "Board", "25 to 34", "Woman"), (2, "Board", "45 to 54", "Man"), (6, "Committee", "45 to 54", "Woman")
    )
    rows[0]["Anything else"] = "secret-free-text"
    text = format_report(report_of(rows))
    assert "Age band" in text and "Gender" in text and "Opportunity: Board" in text
    assert HIDDEN in text and "17 responses" in text
    assert "resp-" not in text and "2026-11-24" not in text and "secret-free-text" not in text
    assert AGE not in text  # headers given labels are shown by their label
    for line in text.splitlines():
        assert len(line) < 100


def test_the_monitoring_form_is_optional_and_anonymous():
    spec = load_spec(ROOT / "form_specs" / "equal_opportunities.yaml")
    spec = render_model(spec, {"organisation": {"name": "Example Health"}})
    questions = [item for item in spec.items() if item.is_question]
    assert [q.key for q in questions] == [
        "opportunity",
        "age_band",
        "gender",
        "gender_same_as_birth",
        "disability",
        "ethnic_group",
        "religion",
        "sexual_orientation",
        "caring_responsibilities",
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


def test_the_counts_tab_holds_what_the_printed_report_shows_and_nothing_else():
    rows = rows_of(
        (10, "Board", "25 to 34", "Woman"),
        (2, "Board", "45 to 54", "Woman"),
        (3, "Committee", "25 to 34", "Man"),
        (8, "Committee", "65 to 74", "Man"),
    )
    report = report_of(rows)
    printed = parse(format_report(report))
    tab = counts_tab(report)
    assert tab[0] == ["Responses", "Question", "Answer", "Count"]
    from_tab = {}
    for part, question, answer, count in tab[1:]:
        section = from_tab.setdefault(part, {})
        if question == "Number of responses":
            section["total"] = count
        else:
            section.setdefault(question, {})[answer] = count
    assert from_tab == printed
