"""A tab's rows as records without a dict each (LineRecord), and tab values kept small (compact_rows):
each reads exactly as the dict of the row it replaces, whatever the row (short, long, repeated headers)."""

from hypothesis import given
from hypothesis import strategies as st

from ppp_gsuite.google.compact import compact_rows
from ppp_gsuite.sync.line_record import line_records

cells = st.text(alphabet="ab ", max_size=3)
tabs = st.lists(st.lists(cells, max_size=6), min_size=1, max_size=5)
changes = st.lists(st.tuples(cells, cells), max_size=4)


@given(tabs, changes, st.lists(cells, max_size=2))
def test_a_line_record_reads_and_changes_as_the_rows_dict(values, sets, removals):
    for line, record in zip(values[1:], line_records(values)):
        expected = dict(zip(values[0], line))
        assert dict(record) == expected and list(record) == list(expected) and len(record) == len(expected)
        for header, value in sets:
            record[header], expected[header] = value, value
        for header in removals:
            if header in expected:
                del record[header], expected[header]
            assert header not in record and record.get(header, "x") == expected.get(header, "x")
        assert dict(record) == expected and list(record) == list(expected)
        assert {**record} == expected and record == expected and record.copy() == expected
        assert line == values[values.index(line)]  # the line as read is left as it was


def test_compacted_rows_keep_every_value_and_share_the_short_ones():
    long = "I care for my mother. " * 5
    values = [["Status", "About"], ["".join(["Invi", "ted"]), long], ["".join(["Invit", "ed"]), long + ""]]
    before = [list(line) for line in values]
    assert values[1][0] is not values[2][0]
    compact_rows(values)
    assert values == before
    assert values[1][0] is values[2][0]  # one "Invited" for every row that has it
