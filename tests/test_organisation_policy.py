"""An organisation's Drive sharing policy, set on the local workspace: the product keeps personal data
private whatever the domain's default visibility, and explains a ban on link sharing."""
import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.errors import PppError
from ppp_gsuite.google.drive_api import DriveApi
from sync_env import EOI  # noqa: E402

HEART = "opportunity:heart-board"


def beyond_the_owner_and_people(env, file_id):
    return [(p["type"], p.get("domain") or p.get("emailAddress"), p["role"]) for p in env.drive.permissions(file_id)
            if p["role"] != "owner" and p["type"] != "user"]


def test_with_new_files_visible_to_the_domain_no_spreadsheet_ever_is(env, local):
    local.organisation_policy(defaultVisibility="domainWithLink")
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    report = env.apply()
    assert report.added == 1 and not report.refused
    spreadsheets = env.drive.find("spreadsheet")
    assert len(spreadsheets) == len(report.created) > 1
    for file in spreadsheets:
        assert beyond_the_owner_and_people(env, file["id"]) == [], file["name"]
    again = env.apply()
    assert not again.refused
    for file in env.drive.find("spreadsheet"):
        assert beyond_the_owner_and_people(env, file["id"]) == [], file["name"]


class DefaultVisibilityApplies(DriveApi):
    """A Workspace where a new file is shared with the domain even so (say, by the folder it lands in)."""

    def _create(self, body: dict) -> dict:
        return self._files.create(body=body, fields="id, name, webViewLink, appProperties").execute()


def test_a_new_spreadsheet_shared_beyond_its_owner_gets_no_personal_data(env, local):
    local.organisation_policy(defaultVisibility="domainWithLink")
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    env.drive.__class__ = DefaultVisibilityApplies
    with pytest.raises(PppError) as raised:
        env.apply()
    assert "everyone at example.org can open it" in str(raised.value)
    assert "nothing was written" in str(raised.value)
    for file in env.drive.find("spreadsheet"):
        values = env.sheets.read_tabs(file["id"], ["Sheet1"])["Sheet1"][1]
        assert values == [], file["name"]


def test_with_link_sharing_forbidden_deploy_says_exactly_that_and_exits_1(local, tmp_path, monkeypatch):
    import shutil

    from sync_env import MINIMAL

    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    local.organisation_policy(linkSharing="forbidden")
    result = CliRunner().invoke(main, ["deploy-forms"])
    assert result.exit_code == 1
    assert result.output.count("your organisation does not allow sharing with 'anyone with the link'") == 5
    assert "403" not in result.output


def test_with_new_files_visible_to_the_domain_new_forms_reach_only_their_responders(local, tmp_path, monkeypatch):
    import shutil

    from sync_env import MINIMAL

    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    local.organisation_policy(defaultVisibility="domainWithLink")
    result = CliRunner().invoke(main, ["deploy-forms"])
    assert result.exit_code == 0, result.output
    assert result.output.count("remove the access everyone at example.org had by default (reader)") == 5
    drive = DriveApi(local.clients().drive)
    for form in drive.find("form"):
        assert [(p["type"], p["role"], p.get("view")) for p in drive.permissions(form["id"])] == [
            ("user", "owner", None), ("anyone", "reader", "published")], form["name"]
