"""An organisation's Drive sharing policy, set on the local workspace: the product keeps personal data
private whatever the domain's default visibility, and explains a ban on link sharing."""

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.errors import PppError
from ppp_gsuite.google.drive_api import DriveApi, ShareRefused
from ppp_gsuite.google.errors import GoogleApiError
from sync_env import EOI, quick_retries  # noqa: E402

HEART = "opportunity:heart-board"


def beyond_the_owner_and_people(env, file_id):
    return [
        (p["type"], p.get("domain") or p.get("emailAddress"), p["role"])
        for p in env.drive.permissions(file_id)
        if p["role"] != "owner" and p["type"] != "user"
    ]


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

    def _create(self, body: dict, applied=None) -> dict:
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
            ("user", "owner", None),
            ("anyone", "reader", "published"),
        ], form["name"]


EYE = "opportunity:eye-group"


def outbox_to(local, address):
    return [m for m in local.json("GET", "/_local/gmail/messages")["messages"] if address in m["to"]]


def every_cell(env, file_id) -> set[str]:
    titles = [s["properties"]["title"] for s in env.sheets.metadata(file_id)["sheets"]]
    return {cell for _, values in env.sheets.read_tabs(file_id, titles).values() for row in values for cell in row}


def shared_with(env, file_id) -> list[tuple[str, str]]:
    return [(p["emailAddress"], p["role"]) for p in env.drive.permissions(file_id) if p["role"] != "owner"]


def test_a_lead_address_with_no_google_account_stops_only_their_spreadsheet_until_it_can_be_shared(env, local):
    local.organisation_policy(addressesWithoutGoogleAccount=["alex@example.org"])
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    env.answer("eoi-eye-group", EOI, full_name="Sam Applicant", email="sam.applicant@example.org")
    report = env.apply(emails=True)

    heart = next(f for f in env.drive.find("spreadsheet") if f["appProperties"]["target"] == HEART)
    assert list(report.not_shared) == [heart["name"]]  # that spreadsheet only, named
    problem = " ".join(report.not_shared[heart["name"]])
    assert "alex@example.org" in problem and "no Google account" in problem and "ppp-gsuite.yaml" in problem
    assert "Robin Applicant" not in every_cell(env, heart["id"])  # nothing personal where the lead cannot look
    assert outbox_to(local, "robin@example.org") == []  # nor an acknowledgement of a row not written
    assert [r["Name"] for r in env.records(EYE)] == ["Sam Applicant"]  # every other spreadsheet synced
    assert outbox_to(local, "sam.applicant@example.org")

    again = env.apply(emails=True)  # still refused: said again, still nothing written, nothing sent twice
    assert list(again.not_shared) == [heart["name"]]
    assert [r["Name"] for r in env.records(EYE)] == ["Sam Applicant"]
    assert len(outbox_to(local, "sam.applicant@example.org")) == 1

    local.organisation_policy(addressesWithoutGoogleAccount=[])  # Alex now signs in to Google with it
    fixed = env.apply(emails=True)
    assert not fixed.not_shared and not fixed.refused
    assert shared_with(env, heart["id"]) == [("alex@example.org", "writer")]
    assert [r["Name"] for r in env.records(HEART)] == ["Robin Applicant"]
    assert len(outbox_to(local, "robin@example.org")) == 1


def test_a_lead_address_outside_the_allowed_domains_makes_sync_exit_1_naming_it_and_what_to_do(env, local):
    config = env.root / "ppp-gsuite.yaml"
    config.write_text(config.read_text().replace("alex@example.org", "alex@partner.example"))
    local.organisation_policy(allowedSharingDomains=[])  # sharing outside the organisation: off
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    env.answer("eoi-eye-group", EOI, full_name="Sam Applicant", email="sam.applicant@example.org")

    result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 1, result.output
    heart = next(f for f in env.drive.find("spreadsheet") if f["appProperties"]["target"] == HEART)
    refused = [line for line in result.output.splitlines() if "alex@partner.example" in line]
    assert refused and heart["name"] in refused[0]
    assert "partner.example" in refused[0] and "organisation address" in refused[0]
    assert "the others were synced" in result.output.lower()
    assert "Traceback" not in result.output and "400" not in result.output
    assert "Robin Applicant" not in every_cell(env, heart["id"])
    assert [r["Name"] for r in env.records(EYE)] == ["Sam Applicant"]

    config.write_text(config.read_text().replace("alex@partner.example", "alex@example.org"))  # the fix it asked for
    result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 0, result.output
    assert shared_with(env, heart["id"]) == [("alex@example.org", "writer")]
    assert [r["Name"] for r in env.records(HEART)] == ["Robin Applicant"]


class AnswersShare:
    """A Drive service whose permissions.create answers one error envelope."""

    def __init__(self, code: int, reason: str):
        self.code, self.reason = code, reason

    def files(self):
        return None

    def permissions(self):
        return self

    def create(self, **kwargs):
        import json

        import httplib2
        from googleapiclient.errors import HttpError

        envelope = {
            "error": {
                "code": self.code,
                "message": "Bad Request",
                "errors": [{"domain": "global", "reason": self.reason, "message": "Bad Request"}],
            }
        }

        class Request:
            def execute(inner):
                raise HttpError(httplib2.Response({"status": self.code}), json.dumps(envelope).encode())

        return Request()

    def list(self, **kwargs):
        """permissions.list: no grant yet (what a retry of an unanswered share looks at first)."""

        class Request:
            def execute(inner):
                return {"permissions": []}

        return Request()


@pytest.mark.parametrize(
    "code, reason, refused",
    [
        (400, "invalidSharingRequest", True),
        (400, "shareOutNotPermitted", True),
        (403, "shareOutNotPermittedToUser", True),
        (400, "cannotShareTeamDriveWithNonGoogleAccounts", True),
        (403, "forbidden", False),
        (403, "insufficientFilePermissions", False),
        (400, "badRequest", False),
        (403, "sharingRateLimitExceeded", False),
        (429, "rateLimitExceeded", False),
        (500, "backendError", False),
    ],
)
def test_a_share_is_taken_as_refused_for_that_address_only_on_googles_own_reasons(code, reason, refused):
    with pytest.raises(GoogleApiError if not refused else ShareRefused) as raised:
        DriveApi(AnswersShare(code, reason), quick_retries()).share("file", "lead@example.org", "writer")
    assert isinstance(raised.value, ShareRefused) == refused
