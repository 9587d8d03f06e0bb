"""Role descriptions without YAML: a recruiting lead proposes an opportunity through the role description
form, the engagement team returns or approves it in the Opportunities spreadsheet, and the sync makes
its expression-of-interest form live, with its lead spreadsheet, and tells the proposer."""

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from cli_env import run, workspace  # noqa: F401  (the fixture)
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.forms_api import FormsApi
from ppp_gsuite.google.sheets_api import SheetsApi
from ppp_gsuite.sheets.a1 import cell_range
from ppp_gsuite.workspace import load_all

ROOT = Path(__file__).parent.parent
PROPOSER = "proposer@example.org"
LEAD = "casey.lead@example.org"
TAB = "Opportunities"


def outbox(local):
    return local.json("GET", "/_local/gmail/messages")["messages"]


def sent(local, to, subject_part):
    return [m for m in outbox(local) if to in m["to"] and subject_part in m["subject"]]


class Team:
    """The proposer's form and the engagement team's spreadsheet, on the test's local workspace."""

    def __init__(self, local, folder: Path):
        self.local = local
        clients = local.clients()
        self.forms, self.drive, self.sheets = (
            FormsApi(clients.forms),
            DriveApi(clients.drive),
            SheetsApi(clients.sheets),
        )
        loaded = load_all(folder / "ppp-gsuite.yaml")
        self.spec = next(t.spec for t in loaded.targets if t.key == "role_description")

    def form_id(self, target):
        files = [f for f in self.drive.find("form") if f["appProperties"].get("target") == target]
        return files[0]["id"] if files else None

    def propose(self, **changes):
        today = date.today()
        answers = {
            "proposer_email": PROPOSER,
            "group": "Stroke Services Working Group",
            "places": "2",
            "who_can_apply": "Patient and Public Partners can be patients, service users, carers, or members of the public.",
            "remit": "Plans how stroke care is given across Riverside.",
            "membership": "Stroke doctors, nurses, therapists and two partners.",
            "priorities": "Faster rehabilitation at home.",
            "role": "Reading papers and joining six meetings a year.",
            "key_requirements": "To be committed to addressing health inequalities\nTo be open to other people's points of view",
            "time_commitment": "Six meetings a year, two hours each, with papers to read.",
            "where": "Online on Microsoft Teams.",
            "support_offered": ["Out-of-pocket expenses reimbursed", "An induction, and support sessions"],
            "confidentiality_agreement": "No",
            "closing_date": (today + timedelta(days=60)).isoformat(),
            "lead_name": "Casey Lead",
            "lead_role": "Stroke Programme Manager",
            "lead_email": LEAD,
        } | changes
        body = {
            "answers": {
                question_id("role_description", key): {
                    "questionId": question_id("role_description", key),
                    "textAnswers": {"answers": [{"value": v} for v in (value if isinstance(value, list) else [value])]},
                }
                for key, value in answers.items()
                if value
            }
        }
        return self.local.add_response(self.form_id("role_description"), body)

    def spreadsheet(self, target):
        return next(f for f in self.drive.find("spreadsheet") if f["appProperties"]["target"] == target)

    def rows(self):
        values = self.sheets.read_tabs(self.spreadsheet("opportunities")["id"], [TAB])[TAB][1]
        return [dict(zip(values[0], row + [""] * (len(values[0]) - len(row)))) for row in values[1:] if any(row)]

    def set(self, header, value, row=0):
        values = self.sheets.read_tabs(self.spreadsheet("opportunities")["id"], [TAB])[TAB][1]
        column = values[0].index(header)
        self.sheets.write(
            self.spreadsheet("opportunities")["id"], [(cell_range(TAB, row + 2, column, column), [[value]])]
        )


@pytest.fixture
def team(workspace, local):  # noqa: F811
    shutil.copy(ROOT / "form_specs" / "role_description.yaml", workspace / "form_specs")
    config = workspace / "ppp-gsuite.yaml"
    config.write_text(config.read_text() + "\nrole_description_form: true\n")
    result = run("deploy-forms")
    assert result.exit_code == 0, result.output
    return Team(local, workspace)


def test_a_proposal_is_checked_returned_fixed_approved_and_goes_live_with_its_lead_sheet(team, local):
    team.propose(places="1", closing_date="2026-01-31")
    assert run("sync").exit_code == 0
    [row] = team.rows()
    assert row["Status"] == "Proposed"
    assert "1 place; two or more are advised" in row["Problems"]
    assert "2026-01-31, is in the past" in row["Problems"]
    assert len(sent(local, PROPOSER, "needs a few changes")) == 1
    assert run("sync").exit_code == 0
    assert len(sent(local, PROPOSER, "needs a few changes")) == 1, "the same problems are told once"

    team.set("Status", "Returned")
    team.set("Note to the proposer", "Please say which venue, if any, is used.")
    assert run("sync").exit_code == 0
    assert run("sync").exit_code == 0
    [returned] = sent(local, PROPOSER, "come back with a note")
    assert "which venue" in returned["text"]

    team.propose(proposal_reference=row["Reference"].upper())  # fixed, quoting the reference as typed
    assert run("sync").exit_code == 0
    [row] = team.rows()
    assert row["Problems"] == "" and row["Places"] == "2"
    team.set("Status", "Approved")
    assert team.form_id("eoi-stroke-services-working-group") is None

    result = run("sync")
    assert result.exit_code == 0, result.output
    [row] = team.rows()
    form_id = team.form_id("eoi-stroke-services-working-group")
    assert form_id and row["Status"] == "Live" and row["Form link"]
    form = team.forms.get(form_id)
    assert form["info"]["title"] == "Expression of interest: Stroke Services Working Group"
    assert "Reading papers and joining six meetings a year." in str(form["items"])
    lead_sheet = team.spreadsheet("opportunity:stroke-services-working-group")
    people = {p.get("emailAddress") for p in team.drive.permissions(lead_sheet["id"]) if p["role"] != "owner"}
    assert people == {LEAD}
    [live] = sent(local, PROPOSER, "Now open")
    assert row["Form link"] in live["text"]
    assert len(sent(local, "", "Now open")) == 1 + 1  # the proposer and the minimal config's engagement team
    assert run("sync").exit_code == 0
    assert len(sent(local, "", "Now open")) == 2, "told once"

    eoi = next(t.spec for t in load_all(Path("ppp-gsuite.yaml")).targets if t.key == "role_description")
    assert eoi  # the workspace still loads with the proposal form
    _apply(team, local, form_id)
    assert run("sync").exit_code == 0
    assert _applied(team, lead_sheet)


def test_a_new_submission_moving_the_closing_date_closes_and_reopens_the_live_form(team, local):
    team.propose()
    assert run("sync").exit_code == 0
    [row] = team.rows()
    team.set("Status", "Approved")
    assert run("sync").exit_code == 0
    form_id = team.form_id("eoi-stroke-services-working-group")
    assert _accepting(team, form_id)

    team.propose(proposal_reference=row["Reference"], closing_date=(date.today() - timedelta(days=2)).isoformat())
    assert run("sync").exit_code == 0
    assert not _accepting(team, form_id)
    assert team.rows()[0]["Status"] == "Live"

    team.propose(proposal_reference=row["Reference"], closing_date=(date.today() + timedelta(days=30)).isoformat())
    assert run("sync").exit_code == 0
    assert _accepting(team, form_id)


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"places": "two"}, "how many opportunities: 'two' is not a whole number"),
        ({"places": "1"}, "1 place; two or more are advised"),
        ({"closing_date": "2026-01-31"}, "the closing date, 2026-01-31, is in the past"),
        ({"lead_email": "casey at example"}, "the lead contact's email address"),
        ({"key_requirements": ""}, "the key requirements"),
        ({"group": "Heart Board"}, "already in ppp-gsuite.yaml"),
        ({"group": "   "}, "the group's name is missing"),
        ({"remit": " "}, "the group's remit is missing"),
        ({"lead_email": "  "}, "the lead contact's email address is missing"),
    ],
)
def test_each_mistake_validate_catches_in_yaml_is_on_the_row(team, changes, problem):
    team.propose(**changes)
    assert run("sync").exit_code == 0
    [row] = team.rows()
    assert problem in row["Problems"]


def _accepting(team, form_id):
    return team.forms.get(form_id)["publishSettings"]["publishState"]["isAcceptingResponses"]


def _apply(team, local, form_id):
    """Robin Applicant's response to the form, every required question answered."""
    answers = {
        qid: {"questionId": qid, "textAnswers": {"answers": [{"value": value}]}}
        for qid, value in _applicant(team, form_id).items()
    }
    local.add_response(form_id, {"answers": answers})


def _applied(team, lead_sheet) -> bool:
    """Whether Robin Applicant's response is in the lead spreadsheet."""
    values = team.sheets.read_tabs(lead_sheet["id"], ["Expressions of interest"])["Expressions of interest"][1]
    return any("Robin Applicant" in line for line in values)


def _applicant(team, form_id):
    form = team.forms.get(form_id)
    answers = {}
    for item in form["items"]:
        question = item.get("questionItem", {}).get("question", {})
        if not question.get("required"):
            continue
        title = item["title"].lower()
        if "choice" in str(question.get("choiceQuestion", "")) or "choiceQuestion" in question:
            value = question["choiceQuestion"]["options"][0]["value"]
        elif "name" in title:
            value = "Robin Applicant"
        elif "email" in title:
            value = "robin@example.org"
        else:
            value = "Some words"
        answers[question["questionId"]] = value
    return answers


def _go_live(team):
    team.propose()
    assert run("sync").exit_code == 0
    team.set("Status", "Approved")
    assert run("sync").exit_code == 0
    assert team.rows()[0]["Status"] == "Live"


def test_deploy_forms_keeps_a_live_proposal_in_the_forms_that_list_every_group(team, workspace):  # noqa: F811
    """The equal-opportunities form lists every opportunity's group: a deploy from the YAML alone would take
    the live proposal's group out of it (and the next sync, its form unchanged, would not put it back)."""
    shutil.copy(ROOT / "form_specs" / "equal_opportunities.yaml", workspace / "form_specs")
    shutil.copy(ROOT / "sheet_layouts" / "equal_opportunities.yaml", workspace / "sheet_layouts")
    config = workspace / "ppp-gsuite.yaml"
    config.write_text(config.read_text() + "equal_opportunities_monitoring: true\n")
    assert run("deploy-forms").exit_code == 0
    _go_live(team)
    result = run("deploy-forms")
    assert result.exit_code == 0, result.output
    assert (
        "(from the Opportunities spreadsheet)\nexpression of interest for Stroke Services Working Group"
        in result.output
    )
    form = team.forms.get(team.form_id("equal_opportunities"))
    assert "Stroke Services Working Group" in str(form["items"])


def test_validate_refuses_an_opportunity_in_the_yaml_and_the_spreadsheet_both(team, workspace):  # noqa: F811
    _go_live(team)
    config = workspace / "ppp-gsuite.yaml"
    text = config.read_text()
    heart = text[text.index("  - key: heart-board") : text.index("  - key: eye-group")]
    config.write_text(text.replace(heart, heart + heart.replace("heart-board", "stroke-services-working-group")))
    result = run("validate")
    assert result.exit_code == 2
    assert (
        "opportunity stroke-services-working-group is also a proposal in the Opportunities spreadsheet" in result.output
    )


def test_erase_and_preview_find_an_applicant_to_a_live_proposal(team, local):
    """Commands other than sync (erase, purge, preview-email, network invite) see the approved proposals'
    opportunities too: an applicant to one can be erased on request."""
    _go_live(team)
    form_id = team.form_id("eoi-stroke-services-working-group")
    _apply(team, local, form_id)
    assert run("sync").exit_code == 0
    lead_sheet = team.spreadsheet("opportunity:stroke-services-working-group")
    values = team.sheets.read_tabs(lead_sheet["id"], ["Expressions of interest"])["Expressions of interest"][1]
    reference = dict(zip(values[0], values[1]))["Reference"]
    preview = run("preview-email", "eoi_received", "--response", dict(zip(values[0], values[1]))["Response ID"])
    assert preview.exit_code == 0, preview.output
    assert "Stroke Services Working Group" in preview.output
    result = run("erase", reference)
    assert result.exit_code == 0, result.output
    values = team.sheets.read_tabs(lead_sheet["id"], ["Expressions of interest"])["Expressions of interest"][1]
    assert not any("Robin Applicant" in line for line in values)


def test_a_proposal_the_team_closes_without_approving_it_never_gets_a_form_or_a_lead_sheet(team, local):
    """Closed is how the team says no to a proposal as well as how a live one ends: one never approved
    must not become a form, nor a lead spreadsheet shared with its lead contact."""
    team.propose()
    assert run("sync").exit_code == 0
    team.set("Status", "Closed")
    assert run("sync").exit_code == 0
    assert team.form_id("eoi-stroke-services-working-group") is None
    assert not [f for f in team.drive.find("spreadsheet") if "stroke" in f["appProperties"]["target"]]
    [row] = team.rows()
    assert row["Status"] == "Closed" and row["Form link"] == ""
    assert not sent(local, LEAD, "")


def test_a_live_proposal_the_team_closes_stops_taking_responses(team):
    _go_live(team)
    form_id = team.form_id("eoi-stroke-services-working-group")
    team.set("Status", "Closed")
    assert run("sync").exit_code == 0
    assert not _accepting(team, form_id)


def test_the_team_typing_over_a_live_proposals_key_makes_no_second_form(team):
    """The key is a tool column: typed over, the next sync would deploy a second form under the new key and
    leave the first open, its responses read by nobody."""
    _go_live(team)
    form_id = team.form_id("eoi-stroke-services-working-group")
    team.set("Opportunity key", "stroke-group")
    assert run("sync").exit_code == 0
    assert team.form_id("eoi-stroke-group") is None
    assert team.rows()[0]["Opportunity key"] == "stroke-services-working-group"
    assert _accepting(team, form_id)


def test_a_proposal_closed_without_going_live_leaves_its_group_name_free(team):
    """Two proposals for one group: the team closes the first unapproved; the second is not held back by it."""
    team.propose(places="1")
    assert run("sync").exit_code == 0
    team.set("Status", "Closed")
    team.propose(lead_name="Another Lead")
    assert run("sync").exit_code == 0
    first, second = team.rows()
    assert first["Status"] == "Closed" and "another proposal" not in second["Problems"], second["Problems"]
    team.set("Status", "Approved", row=1)
    assert run("sync").exit_code == 0
    assert team.rows()[1]["Status"] == "Live"
    assert team.form_id("eoi-stroke-services-working-group")


def test_someone_joining_the_engagement_team_is_no_reason_to_tell_the_others_again(team, workspace, local):  # noqa: F811
    """The going-live email goes once to each member: a member added at the top of the list must not move
    the others into places not yet told (as expenses approvers' digests are kept, by address)."""
    _go_live(team)
    assert len(sent(local, "sam@example.org", "Now open")) == 1
    config = workspace / "ppp-gsuite.yaml"
    text = config.read_text()
    config.write_text(
        text.replace("  - {name: Sam Engage", "  - {name: Kim New, email: kim@example.org}\n  - {name: Sam Engage")
    )
    assert run("sync").exit_code == 0
    assert len(sent(local, "sam@example.org", "Now open")) == 1


def test_the_proposer_is_told_the_lead_contacts_details_will_be_public(team):
    """The lead contact's name, job role and address go on a form anyone with the link can open: whoever
    proposes the opportunity must know that before giving someone else's details."""
    form = team.forms.get(team.form_id("role_description"))
    lead = next(item for item in form["items"] if item.get("title") == "The lead contact: name")
    assert "shown on the application form" in lead["description"]


def test_a_mistake_in_a_live_proposals_new_submission_keeps_the_form_as_it_was_and_tells_the_proposer(team, local):
    """A typo in a later submission must not take a live opportunity out of the sync (its applicants'
    responses would reach no one), and the proposer must hear of it, as of any other problem."""
    _go_live(team)
    form_id = team.form_id("eoi-stroke-services-working-group")
    team.propose(proposal_reference=team.rows()[0]["Reference"], places="two", time_commitment="Weekly.")
    assert run("sync").exit_code == 0
    [row] = team.rows()
    assert row["Status"] == "Live" and "'two' is not a whole number" in row["Problems"]
    assert "stays as it was" in row["Problems"]
    [told] = sent(local, PROPOSER, "needs a few changes")
    assert "'two' is not a whole number" in told["text"]
    assert "Weekly." not in str(team.forms.get(form_id))  # the earlier version, whole
    _apply(team, local, form_id)
    assert run("sync").exit_code == 0
    assert _applied(team, team.spreadsheet("opportunity:stroke-services-working-group"))


def test_status_gives_a_live_proposals_form_its_closing_date(team):
    """`status` sees the approved role descriptions' opportunities as the sync does: the live form's
    closing date is the proposal's (it was missing: status knew only the YAML's opportunities)."""
    _go_live(team)
    result = run("status", "--json")
    status = json.loads(result.stdout)
    [form] = [f for f in status["forms"] if f["target"] == "eoi-stroke-services-working-group"]
    assert form["closing_date"] == (date.today() + timedelta(days=60)).isoformat()
    assert form["open"]
