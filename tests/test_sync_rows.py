"""What a lead reads in the rows the sync writes, and what the sync says it did."""
from datetime import date

from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.forms.deploy import deploy
from ppp_gsuite.workspace import load_all
from sync_env import EOI  # noqa: E402

HEART = "opportunity:heart-board"


def test_the_summary_says_full_rescan_only_when_one_was_made(env):
    """Forms with no responses yet are not 'read again' on every run: only the first run, or --full, rescans."""
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    first = CliRunner().invoke(main, ["sync"])
    assert first.exit_code == 0, first.output
    assert "read again (a full rescan)" in first.output
    second = CliRunner().invoke(main, ["sync"])
    assert second.exit_code == 0, second.output
    assert "read again" not in second.output and "read since the last run" in second.output
    forced = CliRunner().invoke(main, ["sync", "--full"])
    assert "read again (a full rescan)" in forced.output


def _redeploy(env, edit: str):
    """A label edit of the expression of interest, deployed as deploy-forms does."""
    spec = env.root / "form_specs" / "expression_of_interest.yaml"
    lines = spec.read_text().splitlines()
    lines[0] = lines[0].rstrip('"') + f' {edit}"'
    spec.write_text("\n".join(lines) + "\n")
    env.loaded = load_all(env.root / "ppp-gsuite.yaml")
    deploy(env.loaded.targets, env.forms, env.drive, date(2026, 11, 24))
    return env.forms.get(env.form_ids["eoi-heart-board"])["revisionId"]


def test_a_rows_form_version_is_the_one_it_was_answered_under_and_stays(env):
    first = env.forms.get(env.form_ids["eoi-heart-board"])["revisionId"]
    early = env.answer("eoi-heart-board", EOI, full_name="Ann Early", email="ann@example.org")
    env.apply()
    waiting = env.answer("eoi-heart-board", EOI, full_name="Ben Waiting", email="ben@example.org")
    second = _redeploy(env, "(reworded)")
    assert second != first
    later = env.answer("eoi-heart-board", EOI, full_name="Cat Later", email="cat@example.org")
    env.apply()
    version = {r["Response ID"]: r["Form version"] for r in env.records(HEART)}
    assert version == {early["responseId"]: first, waiting["responseId"]: first, later["responseId"]: second}
    _redeploy(env, "(reworded again)")
    report = env.apply(full=True)  # every response read again: nobody's row is touched
    assert report.updated == 0
    assert {r["Response ID"]: r["Form version"] for r in env.records(HEART)} == version
