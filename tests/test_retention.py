"""purge and erase: people removed from every sheet, tombstoned so no rescan brings them back."""

from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.sheets.a1 import cell_range
from sync_env import EOI, TAB

HEART = "opportunity:heart-board"


def everywhere(env, name, reference):
    """Every cell of every tab of every spreadsheet, to look for a person."""
    found = []
    for file in env.drive.find("spreadsheet"):
        tabs = [s["properties"]["title"] for s in env.sheets.metadata(file["id"])["sheets"]]
        for title, (_, values) in env.sheets.read_tabs(file["id"], tabs).items():
            for line in values:
                if any(name in cell or reference in cell for cell in line):
                    found.append((file["appProperties"]["target"], title))
    return found


def set_cells(env, name, cells):
    values = env.tab(HEART)
    header = values[0]
    number = next(i for i, row in enumerate(values) if len(row) > 1 and row[header.index("Name")] == name)
    env.write(HEART, [(cell_range(TAB, number + 1, header.index(h), header.index(h)), [[v]]) for h, v in cells.items()])


def person(env, name):
    env.answer("eoi-heart-board", EOI, full_name=name, email=f"{name.lower()}@example.org")


def reference(env, name):
    return next(r["Reference"] for r in env.records(HEART) if r["Name"] == name)


def test_erase_removes_a_person_from_every_sheet_and_a_full_rescan_does_not_bring_them_back(env):
    person(env, "Annika")
    person(env, "Bertram")
    env.apply()
    ref = reference(env, "Annika")
    env.answer(
        "needs_assessment", "needs_assessment", **env.as_sent(ref), share_with_engagement_team="Yes", what="Print"
    )
    env.answer("expenses", "expenses", reference=ref, how="Car", when="2026-11-01", miles="10")
    env.answer("preferences", "preferences", **env.as_sent(ref), group_can_see_email="No")
    set_cells(env, "Annika", {"Status": "Appointed"})
    env.apply()
    assert len(everywhere(env, "Annika", ref)) >= 5

    dry = CliRunner().invoke(main, ["erase", ref, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 person: would remove" in dry.output and "Dry run" in dry.output
    assert "Annika" not in dry.output  # counts, never contents
    assert len(everywhere(env, "Annika", ref)) >= 5

    result = CliRunner().invoke(main, ["erase", ref])
    assert result.exit_code == 0, result.output
    assert "cannot delete form responses" in result.output
    assert everywhere(env, "Annika", ref) == []
    env.apply(full=True)
    assert everywhere(env, "Annika", ref) == []
    assert [r["Name"] for r in env.records(HEART)] == ["Bertram"]


def test_purge_removes_people_not_appointed_after_the_retention_period_only(env):
    for name in ("Old", "Recent", "Kept"):
        person(env, name)
    env.apply()
    set_cells(env, "Old", {"Status": "Not appointed", "Status noted": "Not appointed since 2020-01-01T00:00:00Z"})
    set_cells(env, "Recent", {"Status": "Withdrawn"})
    set_cells(env, "Kept", {"Status": "Appointed", "Status noted": "Appointed since 2020-01-01T00:00:00Z"})
    env.apply()
    result = CliRunner().invoke(main, ["purge"])
    assert result.exit_code == 0, result.output
    assert "1 person: removed" in result.output
    assert sorted(r["Name"] for r in env.records(HEART)) == ["Kept", "Recent"]
    env.apply(full=True)
    assert sorted(r["Name"] for r in env.records(HEART)) == ["Kept", "Recent"]
    tombstones = env.records("admin", "Tombstones")
    assert len(tombstones) == 1 and tombstones[0]["Why"] == "retention period ended"


def test_erase_of_a_reference_that_matches_nobody_says_so_and_fails(env):
    person(env, "Annika")
    env.apply()
    ref = reference(env, "Annika")
    for typed in (ref[:-1] + ("x" if ref[-1].lower() != "x" else "y"), "", "   ", "ada.fictional@example.org"):
        for dry_run in ([], ["--dry-run"]):
            result = CliRunner().invoke(main, ["erase", typed, *dry_run])
            assert result.exit_code == 1, (typed, result.output)
            assert "nobody" in result.stderr.lower(), result.output
            assert "removed 0 rows" not in result.output
            assert typed.strip() == "" or typed not in result.output  # never echoed: it may be an address
    assert [r["Name"] for r in env.records(HEART)] == ["Annika"]


def test_erase_finds_a_reference_typed_in_capitals_and_with_spaces(env):
    person(env, "Annika")
    env.apply()
    ref = reference(env, "Annika")
    typed = " " + " ".join(ref[i : i + 4] for i in range(0, len(ref), 4)).upper() + " "
    result = CliRunner().invoke(main, ["erase", typed])
    assert result.exit_code == 0, result.output
    assert "1 person" in result.output
    assert [r["Name"] for r in env.records(HEART)] == []  # her row is gone


def test_erase_while_a_sync_elsewhere_holds_the_lease_removes_nothing_and_says_to_run_it_again(env):
    from datetime import UTC, datetime

    from ppp_gsuite.runlease import Lease, ensure_lease_form, read_record

    person(env, "Annika")
    env.apply()
    ref = reference(env, "Annika")
    form_id, _ = ensure_lease_form(env.forms, env.drive)
    elsewhere = Lease(env.forms, form_id, 600, lambda: datetime.now(UTC), holder="elsewhere 42 abcd")
    elsewhere.acquire()  # a sync on another machine: its writes by row would land on rows erase moved
    result = CliRunner().invoke(main, ["erase", ref])
    assert result.exit_code == 1 and "holds the run's lease (elsewhere 42 abcd" in result.output, result.output
    assert "run it again" in result.output
    assert [r["Name"] for r in env.records(HEART)] == ["Annika"]
    elsewhere.release({"exit_code": 0, "responses": 1})
    result = CliRunner().invoke(main, ["erase", ref])
    assert result.exit_code == 0, result.output
    assert everywhere(env, "Annika", ref) == []
    assert read_record(env.forms, form_id)[0].last_run == {"exit_code": 0, "responses": 1}  # the sync's, kept
