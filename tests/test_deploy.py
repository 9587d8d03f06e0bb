"""deploy-forms against the local workspace over real HTTP: create, find again, update in place."""

import urllib.request
from datetime import date
from pathlib import Path

import pytest

from cli_env import run  # its `workspace` fixture is a plugin (conftest.py)
from ppp_gsuite.forms.deploy import deploy
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.forms_api import FormsApi
from ppp_gsuite.workspace import load_workspace


class RecordingForms(FormsApi):
    def __init__(self, service):
        super().__init__(service)
        self.batches = []

    def batch_update(self, form_id, requests, revision=None):
        self.batches.append(requests)
        return super().batch_update(form_id, requests, revision)


def apis(local):
    clients = local.clients()
    return RecordingForms(clients.forms), DriveApi(clients.drive)


def test_second_deploy_reports_no_changes_and_only_reads(workspace, local):
    first = run("deploy-forms")
    assert first.exit_code == 0, first.output
    assert first.output.count("create the form") == 5
    after_first = len(local.requests())
    second = run("deploy-forms")
    assert second.exit_code == 0, second.output
    assert second.output.count(": unchanged") == 5
    later = local.requests()[after_first:]
    assert later and {r["method"] for r in later} == {"GET"}, later


def test_printed_links_open_the_forms(workspace, local):
    result = run("deploy-forms")
    links = [line.strip() for line in result.output.splitlines() if line.strip().startswith("http")]
    assert len(links) == 5
    for link in links:
        with urllib.request.urlopen(link) as page:
            assert page.status == 200
    with urllib.request.urlopen(links[0]) as page:
        assert "Expression of interest: Heart Care Board" in page.read().decode()


def test_one_edited_label_is_one_update_and_responses_stay(workspace, local):
    assert run("deploy-forms").exit_code == 0
    ws, targets = load_workspace(Path("ppp-gsuite.yaml"))
    forms, drive = apis(local)
    deployed = {o.target.key: o.form_id for o in deploy(targets, forms, drive, date(2026, 11, 24), dry_run=True)}
    heart = deployed["eoi-heart-board"]
    local.add_response(
        heart,
        {
            "answers": {
                question_id("expression_of_interest", "full_name"): {
                    "questionId": question_id("expression_of_interest", "full_name"),
                    "textAnswers": {"answers": [{"value": "Robin Applicant"}]},
                }
            }
        },
    )

    spec = Path("form_specs/expression_of_interest.yaml")
    spec.write_text(spec.read_text().replace("title: Your email address", "title: Your email address, if you have one"))
    preview = run("deploy-forms", "--dry-run", "--allow-retitle", "email")
    assert preview.exit_code == 0, preview.output
    changed = [
        line
        for line in preview.output.splitlines()
        if line.startswith(("expression", "needs", "expenses", "preferences"))
    ]
    assert changed[0] == "expression of interest for Heart Care Board: would update email (title)"
    assert changed[1] == "expression of interest for Eye Care Group: would update email (title)"
    assert all(line.endswith(": unchanged") for line in changed[2:])
    assert "Dry run: nothing was changed." in preview.output

    ws, targets = load_workspace(Path("ppp-gsuite.yaml"))
    forms, drive = apis(local)
    deploy(targets, forms, drive, date(2026, 11, 24), allow_retitle={"email"})
    assert len(forms.batches) == 2
    for batch in forms.batches:
        assert [next(iter(r)) for r in batch] == ["updateItem"]
        assert batch[0]["updateItem"]["item"]["title"] == "Your email address, if you have one"
    live = forms.get(heart)
    assert any(item.get("title") == "Your email address, if you have one" for item in live["items"])
    responses, _ = forms.list_responses(heart)
    assert len(responses) == 1
    assert run("deploy-forms").output.count(": unchanged") == 5


def writes(local, since: int) -> list[dict]:
    return [r for r in local.requests()[since:] if r["method"] != "GET"]


def line_of(path: Path, marker: str) -> int:
    text = path.read_text()
    return text.count("\n", 0, text.index(marker)) + 1


def test_a_key_given_a_new_meaning_deploys_nothing_until_confirmed(workspace, local):
    assert run("deploy-forms").exit_code == 0
    spec = Path("form_specs/expression_of_interest.yaml")
    spec.write_text(spec.read_text().replace("title: Your email address", "title: Your date of birth"))
    before = len(local.requests())
    refused = run("deploy-forms")
    assert refused.exit_code == 2, refused.output
    assert f"form_specs/expression_of_interest.yaml:{line_of(spec, 'Your date of birth')}: email: " in refused.stderr
    assert "--allow-retitle email" in refused.stderr and "a new question needs a new key" in refused.stderr
    assert writes(local, before) == []

    spec.write_text(
        spec.read_text().replace(
            "type: short_text\n        title: Your date of birth", "type: date\n        title: Your date of birth"
        )
    )
    before = len(local.requests())
    retyped = run("deploy-forms", "--allow-retitle", "email")
    assert retyped.exit_code == 2, retyped.output
    assert "email: " in retyped.stderr and "a new question needs a new key" in retyped.stderr
    assert writes(local, before) == []

    spec.write_text(
        spec.read_text().replace(
            "type: date\n        title: Your date of birth", "type: short_text\n        title: Your date of birth"
        )
    )
    confirmed = run("deploy-forms", "--allow-retitle", "email")
    assert confirmed.exit_code == 0, confirmed.output
    assert confirmed.output.count("update email (title)") == 2


def test_a_whole_config_object_in_form_text_deploys_nothing(workspace, local):
    spec = Path("form_specs/expression_of_interest.yaml")
    spec.write_text(spec.read_text().replace("title: Your full name", "title: Your full name {{ organisation }}"))
    before = len(local.requests())
    result = run("deploy-forms")
    assert result.exit_code == 2, result.output
    assert f"form_specs/expression_of_interest.yaml:{line_of(spec, '{{ organisation }}')}: " in result.stderr
    assert local.requests()[before:] == []


def test_a_past_closing_date_closes_the_form(workspace, local):
    config = Path("ppp-gsuite.yaml")
    config.write_text(config.read_text().replace('closing_date: "2027-01-31"', 'closing_date: "2020-01-31"'))
    result = run("deploy-forms")
    assert result.exit_code == 0, result.output
    assert "publish, closed to new responses" in result.output
    assert "has passed" not in result.output  # validate warns of it; commands run from cron do not repeat it
    link = next(line.strip() for line in result.output.splitlines() if line.strip().startswith("http"))
    with urllib.request.urlopen(link) as page:
        assert "no longer accepting responses" in page.read().decode()


def test_organisation_forbidding_anyone_links_is_explained(workspace, local):
    local.forbid_anyone(True)
    result = run("deploy-forms")
    assert result.exit_code == 1
    assert "does not allow sharing with 'anyone with the link'" in result.output
    assert "Workspace administrator" in result.output
    local.forbid_anyone(False)
    again = run("deploy-forms")
    assert again.exit_code == 0, again.output
    assert again.output.count("let anyone with the link respond") == 5


def test_a_deploy_interrupted_after_create_is_completed_not_duplicated(workspace, local):
    ws, targets = load_workspace(Path("ppp-gsuite.yaml"))
    forms, drive = apis(local)

    class Crash(Exception):
        pass

    def crash(*args):
        raise Crash()

    forms.batch_update = crash
    with pytest.raises(Crash):
        deploy(targets[:1], forms, drive, date(2026, 11, 24))
    result = run("deploy-forms")
    assert result.exit_code == 0, result.output
    assert result.output.count("create the form") == 4
    assert "Heart Care Board: update the form's description; stop collecting email addresses" in result.output
    assert "; add full_name;" in result.output
    assert len(drive.find("form")) == 5


def use_oauth_client(client_id):
    """Point the workspace's local backend at another OAuth client (same staff account)."""
    config = Path("ppp-gsuite.yaml")
    config.write_text(config.read_text() + f"\nlocal:\n  client_id: {client_id}\n")


def test_a_second_oauth_client_cannot_find_the_forms_and_both_commands_say_so(workspace, local):
    first = run("deploy-forms")
    assert first.exit_code == 0, first.output
    assert "OAuth client ppp-gsuite-local" in first.output
    use_oauth_client("a-second-client")

    synced = run("sync")
    assert synced.exit_code == 1
    assert "staff@example.org through OAuth client a-second-client" in synced.output
    assert "same credentials" in synced.output

    again = run("deploy-forms", "--dry-run")
    assert again.exit_code == 0, again.output
    assert "OAuth client a-second-client" in again.output
    assert "found no forms deployed by this app identity" in again.output
    assert "same credentials" in again.output


def test_a_failed_call_never_prints_the_token(workspace, local):
    token = local.token(scopes=["gmail.send"])
    from ppp_gsuite.google.clients import local_clients
    from ppp_gsuite.google.errors import GoogleApiError
    from ppp_gsuite.google.sheets_api import SheetsApi

    clients = local_clients(local.url, token=token)
    spreadsheet = (
        local.clients()
        .drive.files()
        .create(body={"name": "Leads", "mimeType": "application/vnd.google-apps.spreadsheet"})
        .execute()["id"]
    )
    with pytest.raises(GoogleApiError) as raised:
        SheetsApi(clients.sheets).read_tabs(spreadsheet, ["Sheet1"])
    assert raised.value.code == 403 and "insufficient authentication scopes" in str(raised.value)
    with pytest.raises(GoogleApiError) as raised_drive:
        DriveApi(clients.drive).find("form")
    for error in (raised.value, raised_drive.value):
        assert token not in str(error) and token not in repr(error.__dict__)


def test_ids_google_substitutes_stop_the_deploy_naming_the_form(workspace, local):
    # The third form (the two EOIs first): EOIs have skip logic, which other ids would break anyway.
    local.json("POST", "/_local/faults", {"method_id": "forms.forms.batchUpdate", "mode": "substitute_ids", "after": 2})
    result = run("deploy-forms")
    assert result.exit_code == 1, result.output
    outcomes = [line for line in result.output.splitlines() if ": " in line and not line.startswith(("  ", "warning"))]
    assert outcomes[2].startswith("needs assessment: create the form"), result.output
    problem = result.output[result.output.index("problem:") :]
    assert "(needs assessment)" in problem and "instead of the ids asked for" in problem
    assert "Deploy stopped here" in problem
    forms, drive = apis(local)
    found = {f["appProperties"]["target"]: f["id"] for f in drive.find("form")}
    assert len(found) == 3  # no later form was created
    assert not forms.get(found["needs_assessment"])["publishSettings"]["publishState"]["isPublished"]


class PersonEditing(RecordingForms):
    """A person adds an item at the top of the form right after each of the first `times` reads."""

    def __init__(self, service, times):
        super().__init__(service)
        self.times = times

    def get(self, form_id):
        live = super().get(form_id)
        if self.times:
            self.times -= 1
            self._forms.batchUpdate(
                formId=form_id,
                body={
                    "requests": [
                        {
                            "createItem": {
                                "item": {"title": "Added by a person", "textItem": {}},
                                "location": {"index": 0},
                            }
                        }
                    ]
                },
            ).execute()
        return live


def edit_a_label():
    spec = Path("form_specs/expression_of_interest.yaml")
    spec.write_text(spec.read_text().replace("title: Your email address", "title: Your email address, if you have one"))


def test_a_form_edited_while_deploying_is_read_again_and_planned_again(workspace, local):
    assert run("deploy-forms").exit_code == 0
    edit_a_label()
    ws, targets = load_workspace(Path("ppp-gsuite.yaml"))
    forms = PersonEditing(local.clients().forms, times=1)
    [outcome] = deploy(targets[:1], forms, apis(local)[1], date(2026, 11, 24), allow_retitle=frozenset({"email"}))
    assert outcome.problem is None
    items = forms.get(outcome.form_id)["items"]
    assert not any(item["title"] == "Added by a person" for item in items)  # the spec is the form's source
    assert any(item["title"] == "Your email address, if you have one" for item in items)
    assert (
        "expression of interest for Heart Care Board: unchanged"
        in run("deploy-forms", "--allow-retitle", "email").output
    )


def test_a_form_edited_again_after_planning_again_stops_with_a_message(workspace, local):
    assert run("deploy-forms").exit_code == 0
    edit_a_label()
    ws, targets = load_workspace(Path("ppp-gsuite.yaml"))
    forms = PersonEditing(local.clients().forms, times=5)
    [outcome] = deploy(targets[:1], forms, apis(local)[1], date(2026, 11, 24), allow_retitle=frozenset({"email"}))
    assert "someone edited this form in Google Forms while deploy-forms was updating it" in outcome.problem
    assert sum(item["title"] == "Added by a person" for item in forms.get(outcome.form_id)["items"]) >= 2
