"""What a lead reads in the rows the sync writes, and what the sync says it did."""
from click.testing import CliRunner

from ppp_gsuite.cli import main
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
