"""Consent gates sharing: the engagement team's sheet, the consent log, and sharing checks."""

from datetime import UTC, timedelta

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ppp_gsuite.cli import main
from ppp_gsuite.sheets.a1 import cell_range
from sync_env import EOI, TAB, Crash, Env, KilledAt

HEART = "opportunity:heart-board"
NEEDS, PREFS = "needs_assessment", "preferences"


def engagement(env):
    """Names in the engagement team's sheet; a sheet whose creation was interrupted holds nobody yet."""
    found = [f for f in env.drive.find("spreadsheet") if f["appProperties"]["target"] == "engagement"]
    if not found:
        return []
    tabs = [s["properties"]["title"] for s in env.sheets.metadata(found[0]["id"])["sheets"]]
    if "Partners" not in tabs:
        return []
    return sorted(r["Name"] for r in env.records("engagement", "Partners"))


def apply_person(env, name):
    env.answer("eoi-heart-board", EOI, full_name=name, email=f"{name.lower()}@example.org")


def reference_of(env, name):
    return next(r["Reference"] for r in env.records(HEART) if r["Name"] == name)


def set_status(env, name, status):
    values = env.tab(HEART)
    header = values[0]
    number = next(i for i, row in enumerate(values) if len(row) > 1 and row[header.index("Name")] == name)
    column = header.index("Status")
    env.write(HEART, [(cell_range(TAB, number + 1, column, column), [[status]])])


def answers_as_sent(env, name):
    """What the prefilled link in her emails fills in."""
    return env.as_sent(reference_of(env, name))


def consent(env, name, answer, form=NEEDS):
    env.answer(form, form, **answers_as_sent(env, name), share_with_engagement_team=answer)


def test_only_people_who_consented_and_were_appointed_are_shared_and_withdrawal_removes_them(env):
    for name in ("Ann", "Ben", "Cat"):
        apply_person(env, name)
    env.apply()
    consent(env, "Ann", "Yes")
    consent(env, "Ben", "Yes")
    consent(env, "Cat", "No")
    set_status(env, "Ann", "Appointed")
    set_status(env, "Ben", "Shortlisted")
    set_status(env, "Cat", "Appointed")
    env.apply()
    assert engagement(env) == ["Ann"]
    row = env.records("engagement", "Partners")[0]
    assert row["Email"] == "ann@example.org" and row["Role"] == "Heart Care Board"
    assert set(row) == {"Name", "Email", "Phone", "Preferred way of contact", "Role", "Date appointed", "Row key"}
    assert row["Row key"] != reference_of(env, "Ann")  # a reference would let its holder change her choices

    set_status(env, "Ben", "Appointed")
    report = env.apply()
    assert engagement(env) == ["Ann", "Ben"] and report.shared_added == ["Ben"]

    consent(env, "Ann", "No", form=PREFS)  # a withdrawal through the preferences form
    report = env.apply()
    assert engagement(env) == ["Ben"] and report.shared_removed == ["Ann"]

    set_status(env, "Ben", "Withdrawn")
    env.apply()
    assert engagement(env) == []


def test_the_consent_log_is_append_only_and_keeps_the_wording(env, local):
    apply_person(env, "Ann")
    env.apply()
    response = env.answer(NEEDS, NEEDS, **answers_as_sent(env, "Ann"), share_with_engagement_team="Yes")
    env.apply()
    env.apply()
    log = [r for r in env.records("admin", "Consent log") if r["Consent"] == "share_with_engagement_team"]
    assert len(log) == 1 and log[0]["Answer"] == "Yes"
    wordings = {r["Wording"]: r["Question as asked"] for r in env.records("admin", "Consent wording")}
    assert wordings[log[0]["Wording"]] == "May we share your contact details with the engagement team?"
    assert "Question as asked" not in log[0]  # the text once in its own tab, not on every row of the log
    changed = dict(response["answers"])
    qid = next(q for q, a in changed.items() if a["textAnswers"]["answers"][0]["value"] == "Yes")
    changed[qid] = {"questionId": qid, "textAnswers": {"answers": [{"value": "No"}]}}
    local.edit_response(env.form_ids[NEEDS], response["responseId"], {"answers": changed})
    env.apply()
    log = [r for r in env.records("admin", "Consent log") if r["Consent"] == "share_with_engagement_team"]
    assert [r["Answer"] for r in sorted(log, key=lambda r: r["Given"])] == ["Yes", "No"]
    assert len({r["Record"] for r in log}) == 2


@pytest.mark.parametrize(
    "permission, named",
    [
        ({"type": "anyone", "role": "reader"}, "anyone with the link can open it (reader)"),
        (
            {"type": "user", "role": "reader", "emailAddress": "stranger@example.org"},
            "stranger@example.org can open it",
        ),
    ],
)
def test_a_sheet_shared_too_widely_is_not_written_and_the_others_still_sync(env, drive_api, permission, named):
    apply_person(env, "Ann")
    env.apply()
    consent(env, "Ann", "Yes")
    set_status(env, "Ann", "Appointed")
    engagement_id = env.spreadsheet("engagement")
    drive_api.permissions().create(fileId=engagement_id, body=permission).execute()
    apply_person(env, "Ben")
    result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 1
    assert named in result.stderr
    assert "Patient and Public Partners: peer support network contacts" in result.stderr
    assert engagement(env) == []  # nothing written there
    assert sorted(r["Name"] for r in env.records(HEART)) == ["Ann", "Ben"]  # the other sheets synced


def test_an_unmatched_response_is_not_written_into_a_widely_shared_admin_sheet(env, drive_api):
    env.apply()
    drive_api.permissions().create(
        fileId=env.spreadsheet("admin"), body={"type": "domain", "role": "reader", "domain": "example.org"}
    ).execute()
    env.answer(NEEDS, NEEDS, reference="nobody")
    report = env.apply()
    assert any(
        "everyone at example.org" in p
        for p in report.refused["Patient and Public Partners: sync records (Testshire Care Partnership)"]
    )


@settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
class SharingMachine(RuleBasedStateMachine):
    """Submit, consent yes/no, status changes, withdrawal, sync and crashes, against a model."""

    def __init__(self):
        super().__init__()
        self.env = None

    @initialize()
    def start(self):
        self.env = self.make_env()
        self.people: list[str] = []
        self.synced: set[str] = set()  # people in the sheet after the last completed sync
        self.consent: dict[str, bool] = {}
        self.status: dict[str, str] = {}
        self.allowed: list[set[str]] = [
            set()
        ]  # what the sheet may hold: the last completed sync, and crashed ones after it

    def expected(self) -> set[str]:
        return {p for p in self.people if self.consent.get(p) and self.status.get(p) == "Appointed"}

    @rule()
    def submit(self):
        name = f"P{len(self.people)}"
        apply_person(self.env, name)
        self.people.append(name)

    def known(self) -> list[str]:
        """People whose row a lead can already see (and whose reference a prefilled link carries)."""
        sheets = {f["appProperties"]["target"] for f in self.env.drive.find("spreadsheet")}
        if not self.people or HEART not in sheets:
            return []
        tabs = [s["properties"]["title"] for s in self.env.sheets.metadata(self.env.spreadsheet(HEART))["sheets"]]
        rows = {r["Name"] for r in self.env.records(HEART)} if TAB in tabs else set()
        return [p for p in self.people if p in rows]

    @rule(data=st.data(), answer=st.booleans(), via_preferences=st.booleans())
    def give_consent(self, data, answer, via_preferences):
        known = self.known()
        if known:
            person = data.draw(st.sampled_from(known))
            consent(self.env, person, "Yes" if answer else "No", form=PREFS if via_preferences else NEEDS)
            self.consent[person] = answer

    @rule(data=st.data(), answer=st.booleans(), via_preferences=st.booleans())
    def forge_consent(self, data, answer, via_preferences):
        """Someone who saw a reference in a lead's sheet answers for that person: nothing changes."""
        known = self.known()
        if known:
            person = data.draw(st.sampled_from(known))
            form = PREFS if via_preferences else NEEDS
            self.env.answer(
                form,
                form,
                reference=reference_of(self.env, person).upper(),
                share_with_engagement_team="Yes" if answer else "No",
            )

    @rule(data=st.data(), status=st.sampled_from(["Appointed", "Shortlisted", "Withdrawn", "Not appointed"]))
    def change_status(self, data, status):
        known = self.known()
        if known:
            person = data.draw(st.sampled_from(known))
            set_status(self.env, person, status)
            self.status[person] = status

    @rule()
    def sync(self):
        self.env.apply()
        self.synced = self.expected()
        self.allowed = [self.synced]
        assert set(engagement(self.env)) == self.synced

    @rule(step=st.integers(min_value=1, max_value=40))
    def crashed_sync(self, step):
        env = self.env
        env.clock += timedelta(minutes=5)
        job = KilledAt(step).sync(env)
        try:
            job.run()
        except Crash:
            self.allowed.append(self.expected())
            return
        self.synced = self.expected()
        self.allowed = [self.synced]

    @invariant()
    def never_anyone_without_consent(self):
        if self.env is None:
            return
        # Each allowed set is who had consent (and Appointed) when a sync started: the sheet only ever
        # holds such a set, so nobody is in it without consent as the sync knew it.
        held = set(engagement(self.env)) if self.people else set()
        assert any(held == allowed for allowed in self.allowed), (held, self.allowed)


def test_the_engagement_sheet_follows_consent_and_status_through_crashes(local, tmp_path_factory, monkeypatch):
    import shutil

    from sync_env import MINIMAL

    def make_env():
        local.reset()
        root = tmp_path_factory.mktemp("sharing")
        shutil.copytree(MINIMAL, root, dirs_exist_ok=True)
        monkeypatch.chdir(root)
        monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
        return Env(local, root)

    SharingMachine.make_env = staticmethod(make_env)
    SharingMachine.TestCase().runTest()


@pytest.fixture
def monitoring_env(local, tmp_path, monkeypatch):
    """The minimal workspace with the equal-opportunities form switched on."""
    import shutil
    from pathlib import Path

    from sync_env import MINIMAL

    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    shutil.copy(Path(__file__).parent.parent / "form_specs" / "equal_opportunities.yaml", tmp_path / "form_specs")
    shutil.copy(Path(__file__).parent.parent / "sheet_layouts" / "equal_opportunities.yaml", tmp_path / "sheet_layouts")
    config = tmp_path / "ppp-gsuite.yaml"
    config.write_text(config.read_text() + "equal_opportunities_monitoring: true\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    return Env(local, tmp_path)


def monitoring_answers(env, ages):
    spec = "equal_opportunities"
    for age in ages:
        env.answer(spec, spec, opportunity="Heart Care Board", age_band=age, gender="Woman")


def opened_by(env, file_id):
    return {p.get("emailAddress") or p.get("type") for p in env.drive.permissions(file_id) if p.get("role") != "owner"}


def test_the_engagement_team_gets_counts_and_nobody_but_the_tool_opens_the_answers(monitoring_env):
    env = monitoring_env
    monitoring_answers(env, ["25 to 34"] * 6 + ["65 to 74"] * 5 + ["Under 18"])
    env.apply()
    answers = env.spreadsheet("monitoring")
    assert opened_by(env, answers) == set()  # the row-level answers: the tool's own account alone
    team_files = [f["id"] for f in env.drive.find("spreadsheet") if "sam@example.org" in opened_by(env, f["id"])]
    assert answers not in team_files
    tabs = {}
    for file_id in team_files:
        for sheet in env.sheets.metadata(file_id)["sheets"]:
            title = sheet["properties"]["title"]
            tabs[title] = env.sheets.read_tabs(file_id, [title])[title][1]
    assert not any("Response ID" in values[0] or "Date" in values[0] for values in tabs.values() if values), tabs
    counts = next(values for values in tabs.values() if values and values[0][-1] == "Count")
    rows = {
        (part, question, answer): count
        for part, question, answer, count in (r + [""] * (4 - len(r)) for r in counts[1:])
    }
    assert rows[("All responses", "Number of responses", "")] == "12"
    assert rows[("All responses", "How old are you?", "25 to 34")] == "6"
    assert rows[("All responses", "How old are you?", "Under 18")] == "hidden"
    assert rows[("All responses", "What is your gender?", "Woman")] == "12"
    for lead_sheet in ("opportunity:heart-board", "opportunity:eye-group"):
        lead_tabs = [s["properties"]["title"] for s in env.sheets.metadata(env.spreadsheet(lead_sheet))["sheets"]]
        assert all("monitoring" not in t.lower() and "equal" not in t.lower() for t in lead_tabs)
    result = CliRunner().invoke(main, ["report", "diversity"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("25 to 34") and line.endswith(" 6") for line in lines), result.output
    assert any(line.startswith("Under 18") and line.endswith(" hidden") for line in lines)
    assert "Response ID" not in result.output


def test_the_answers_are_not_written_where_anyone_but_the_tool_can_open_them(monitoring_env):
    env = monitoring_env
    monitoring_answers(env, ["25 to 34"] * 5)
    env.apply()
    answers = env.spreadsheet("monitoring")
    env.drive.share(answers, "sam@example.org", "reader")  # someone shares it by hand, even with the team
    monitoring_answers(env, ["45 to 54"])
    report = env.apply()
    [(name, problems)] = report.refused.items()
    assert "equal opportunities" in name and "sam@example.org can open it" in problems[0]
    values = env.sheets.read_tabs(answers, ["Equal opportunities monitoring"])["Equal opportunities monitoring"][1]
    assert len(values) == 6  # the header and the five answers before: nothing more written there


def test_answers_shared_with_the_team_by_an_earlier_version_are_unshared_on_the_next_sync(monitoring_env):
    env = monitoring_env
    monitoring_answers(env, ["25 to 34"] * 5)
    env.apply()
    answers = env.spreadsheet("monitoring")
    env.drive.share(answers, "sam@example.org", "reader")  # as versions before this one shared it
    env.drive.set_app_properties(answers, {"layout": "an earlier layout"})
    monitoring_answers(env, ["45 to 54"])
    report = env.apply()
    assert not report.refused
    assert report.unshared == [
        "Patient and Public Partners: equal opportunities answers (Testshire Care Partnership): sam@example.org"
    ]
    assert opened_by(env, answers) == set()
    assert len(env.records("monitoring", "Equal opportunities monitoring")) == 6


def test_the_engagement_team_is_emailed_who_was_added_and_removed_once(env, local):
    apply_person(env, "Ann")
    env.apply(emails=True)
    consent(env, "Ann", "Yes")
    set_status(env, "Ann", "Appointed")
    env.apply(emails=True)
    env.apply(emails=True)
    to_team = [m for m in local.json("GET", "/_local/gmail/messages")["messages"] if "sam@example.org" in m["to"]]
    assert len(to_team) == 1
    assert "Ann" in to_team[0]["text"]
    consent(env, "Ann", "No", form=PREFS)
    env.apply(emails=True)
    to_team = [m for m in local.json("GET", "/_local/gmail/messages")["messages"] if "sam@example.org" in m["to"]]
    assert len(to_team) == 2 and "Ann" in to_team[1]["text"]


def test_a_withdrawal_sent_through_the_preferences_web_page_takes_effect_in_the_next_sync(env, local):
    from ppp_gsuite.forms.items import entry_number, question_id

    apply_person(env, "Ann")
    env.apply()
    consent(env, "Ann", "Yes")
    set_status(env, "Ann", "Appointed")
    env.apply()
    assert engagement(env) == ["Ann"]

    ref, code = answers_as_sent(env, "Ann")["reference"], answers_as_sent(env, "Ann")["link_code"]
    form_id = env.form_ids[PREFS]
    entry = lambda key: f"entry.{entry_number(question_id(PREFS, key))}"  # noqa: E731
    status, page = local.request(
        "GET", f"/forms/d/e/{form_id}/viewform?usp=pp_url&{entry('reference')}={ref}&{entry('link_code')}={code}"
    )
    assert (
        status == 200 and f'value="{ref}"' in page and f'value="{code}"' in page
    )  # as the link in every email fills them in
    status, page = local.request(
        "POST",
        f"/forms/d/e/{form_id}/formResponse",
        form={entry("reference"): ref, entry("link_code"): code, "pageHistory": "0", "navigate": "next"},
    )
    assert status == 200 and "May we share your contact details" in page
    status, page = local.request(
        "POST",
        f"/forms/d/e/{form_id}/formResponse",
        form={
            entry("reference"): ref,
            entry("link_code"): code,
            entry("share_with_engagement_team"): "No",
            "pageHistory": "0,1",
            "navigate": "submit",
        },
    )
    assert status == 200 and "Your response has been recorded" in page
    report = env.apply()
    assert engagement(env) == [] and report.shared_removed == ["Ann"]


def test_the_latest_consent_is_by_time_given_and_no_wins_a_tie():
    from ppp_gsuite.sync.consent import latest

    same = "2026-11-24T10:00:00Z"
    for order in (["Yes", "No"], ["No", "Yes"]):
        records = [{"Reference": "r", "Consent": "c", "Answer": a, "Given": same} for a in order]
        assert latest(records)[("r", "c")].answer == "No"
    records = [
        {"Reference": "r", "Consent": "c", "Answer": "No", "Given": "2026-11-24T10:00:00.500Z"},
        {"Reference": "r", "Consent": "c", "Answer": "Yes", "Given": "2026-11-24T10:00:01Z"},
    ]
    assert latest(records)[("r", "c")].answer == "Yes"


def test_a_withdrawal_takes_effect_even_while_another_opportunitys_sheet_cannot_be_read(env):
    apply_person(env, "Ann")
    env.answer("eoi-eye-group", EOI, full_name="Eve", email="eve@example.org")
    env.apply()
    consent(env, "Ann", "Yes")
    set_status(env, "Ann", "Appointed")
    eve_ref = next(r["Reference"] for r in env.records("opportunity:eye-group") if r["Name"] == "Eve")
    env.answer(NEEDS, NEEDS, **env.as_sent(eve_ref), share_with_engagement_team="Yes")
    values = env.tab("opportunity:eye-group")
    column = values[0].index("Status")
    env.write("opportunity:eye-group", [(cell_range(TAB, 2, column, column), [["Appointed"]])])
    env.apply()
    assert engagement(env) == ["Ann", "Eve"]
    # The eye group's lead renames a tab; then Ann and Eve withdraw.
    eye = env.spreadsheet("opportunity:eye-group")
    tab_id = next(
        s["properties"]["sheetId"] for s in env.sheets.metadata(eye)["sheets"] if s["properties"]["title"] == TAB
    )
    env.sheets.batch_update(
        eye, [{"updateSheetProperties": {"properties": {"sheetId": tab_id, "title": "Renamed"}, "fields": "title"}}]
    )
    report = env.apply()
    assert engagement(env) == ["Ann", "Eve"] and report.refused  # Eve kept while her sheet is unreadable
    consent(env, "Ann", "No", form=PREFS)
    env.answer(PREFS, PREFS, **env.as_sent(eve_ref), share_with_engagement_team="No")
    env.apply()
    assert engagement(env) == []


def test_an_overshared_admin_sheet_holds_every_email_rather_than_leaving_it_half_recorded(env, local, drive_api):
    apply_person(env, "Ann")
    env.apply()
    drive_api.permissions().create(fileId=env.spreadsheet("admin"), body={"type": "anyone", "role": "reader"}).execute()
    apply_person(env, "Ben")
    env.apply(emails=True)
    assert local.json("GET", "/_local/gmail/messages")["messages"] == []
    assert all(r["State"] != "sending" for r in env.records("admin", "Email log"))


def test_a_message_in_the_preferences_form_reaches_the_involvement_team_without_its_text(env, local):
    apply_person(env, "Ann")
    env.apply(emails=True)
    env.answer(PREFS, PREFS, reference=reference_of(env, "Ann"), anything_else="Please delete everything about me.")
    env.apply(emails=True)
    env.apply(emails=True)
    to_team = [
        m for m in local.json("GET", "/_local/gmail/messages")["messages"] if "involvement@example.org" in m["to"]
    ]
    assert len(to_team) == 1
    assert "Ann" in to_team[0]["text"] and "Preferences tab" in to_team[0]["text"]
    assert "delete everything" not in to_team[0]["text"] + to_team[0]["html"]


def test_a_sync_that_emails_the_engagement_team_exits_0_and_counts_what_the_outbox_holds(env, local):
    """Issue 10.1: the team's notice and the applicants' emails are one mail run: no false 'unknown outcome',
    the summary counts every email sent, and `status` agrees with the outbox."""

    def outbox():
        return local.json("GET", "/_local/gmail/messages")["messages"]

    apply_person(env, "Ann")
    apply_person(env, "Bea")
    first = CliRunner().invoke(main, ["sync"])
    assert first.exit_code == 0, first.output
    consent(env, "Ann", "Yes")
    consent(env, "Bea", "Yes")
    set_status(env, "Ann", "Appointed")
    set_status(env, "Bea", "Appointed")
    for change in ("added", "withdrawn"):
        before = len(outbox())
        result = CliRunner().invoke(main, ["sync"])
        assert result.exit_code == 0, result.output
        sent = len(outbox()) - before
        assert sent >= 1 and any("sam@example.org" in m["to"] for m in outbox()[before:]), change
        assert f"emails: {sent} sent," in result.output, (change, sent, result.output)
        set_status(env, "Bea", "Withdrawn")
    status = CliRunner().invoke(main, ["status"])
    assert status.exit_code == 0, status.output
    assert f"emails sent today: {len(outbox())} " in status.output


def to_team(local):
    return [m for m in local.json("GET", "/_local/gmail/messages")["messages"] if "sam@example.org" in m["to"]]


def test_each_change_to_the_network_list_is_told_in_order_even_when_its_names_recur(env, local):
    """Issue 10.2: added, withdrawn, added again on one day: three notices, the last one saying she was added
    (a key from the names and the date took the third for the first, already sent)."""
    apply_person(env, "Ann")
    env.apply(emails=True)
    set_status(env, "Ann", "Appointed")
    for answer in ("Yes", "No", "Yes"):
        consent(env, "Ann", answer, form=PREFS)
        env.apply(emails=True)
    told = [m["text"] for m in to_team(local)]
    assert len(told) == 3
    assert [("Added (" in text, "Removed (" in text) for text in told] == [(True, False), (False, True), (True, False)]
    assert all("- Ann" in text for text in told) and engagement(env) == ["Ann"]


def test_a_network_notice_gmail_refused_is_sent_by_a_later_run(env, local):
    """Issue 10.2: a 429 on the team's notice leaves it due; the next run sends it (the sheet was already
    rewritten, so the change is not seen again: it must be remembered until it is sent)."""
    from ppp_gsuite.google.gmail_api import SendRefused

    def limited(raw):
        raise SendRefused(429, "RESOURCE_EXHAUSTED", "User-rate limit exceeded", "rateLimitExceeded")

    apply_person(env, "Ann")
    env.apply(emails=True)
    consent(env, "Ann", "Yes")
    set_status(env, "Ann", "Appointed")
    env.apply(emails=True, send=limited)
    assert engagement(env) == ["Ann"] and to_team(local) == []
    env.apply(emails=True)
    env.apply(emails=True)
    told = to_team(local)
    assert len(told) == 1 and "Ann" in told[0]["text"]


def test_network_changes_are_numbered_in_order_and_a_number_is_never_used_again():
    from datetime import datetime

    from ppp_gsuite.sync.network_changes import change_rows, numbers_told

    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    first = change_rows([], {"k1": "Ann"}, {}, now)
    assert [r.cells["Change"] for r in first] == ["1"]
    recorded = [r.cells for r in first]
    assert change_rows(recorded, {"k1": "Ann"}, {}, now) == []  # the same change again: a rerun after a crash
    second = change_rows(recorded, {}, {"k1": "Ann"}, now)
    assert [r.cells["Change"] for r in second] == ["2"]
    recorded += [r.cells for r in second]
    assert [r.cells["Change"] for r in change_rows(recorded, {"k1": "Ann"}, {}, now)] == ["3"]
    # The rows of change 2 erased, its notice in the email log: 2 is not used again.
    told = numbers_told(["engagement-change-2|sharing_changes|0", "abc|eoi_received|"])
    assert [r.cells["Change"] for r in change_rows(recorded[:1], {}, {"k1": "Ann"}, now, told)] == ["3"]


def test_the_engagement_teams_notice_is_logged_as_sent_not_as_an_unknown_outcome(env, local):
    """The notice goes out before the run's other emails; the later step must not take its intent,
    written moments before, for one a crashed run left behind (status would then ask a person to
    check mail that was sent, and the next sync would exit 1)."""
    apply_person(env, "Ann")
    env.apply(emails=True)
    consent(env, "Ann", "Yes")
    set_status(env, "Ann", "Appointed")
    env.apply(emails=True)
    env.apply(emails=True)
    sent = {m["id"] for m in local.json("GET", "/_local/gmail/messages")["messages"] if "sam@example.org" in m["to"]}
    notices = [r for r in env.records("admin", "Email log") if r["Email"] == "sharing_changes"]
    assert len(notices) == len(sent) == 1
    assert notices[0]["State"] == "sent" and notices[0]["Message ID"] in sent
    env.apply(emails=True)
    assert env.job.mail_report.waiting_for_a_person == 0


def test_a_reference_typed_by_hand_in_capitals_and_with_spaces_is_matched(env):
    """Issue 10.10: a withdrawal with the reference typed as people type it (capitals, spaces) was ignored."""
    apply_person(env, "Ann")
    env.apply()
    consent(env, "Ann", "Yes")
    set_status(env, "Ann", "Appointed")
    env.apply()
    assert engagement(env) == ["Ann"]
    ref = reference_of(env, "Ann")
    typed = " " + " ".join(ref[i : i + 4] for i in range(0, len(ref), 4)).upper() + " "
    env.answer(PREFS, PREFS, **{**answers_as_sent(env, "Ann"), "reference": typed, "share_with_engagement_team": "No"})
    report = env.apply()
    assert engagement(env) == [] and report.shared_removed == ["Ann"]
    [row] = env.records("admin", "Preferences")
    assert "not found" not in row.get("Needs checking", "")


def test_an_unrelated_edit_of_the_welcome_form_does_not_undo_a_later_withdrawal(env, local):
    """Issue 10.10: the latest answer to each consent question wins, wherever it was given; an edit that
    left the consent answer as it was is not a new answer."""
    apply_person(env, "Ann")
    env.apply()
    welcome = env.answer(NEEDS, NEEDS, **answers_as_sent(env, "Ann"), share_with_engagement_team="Yes", what="Print")
    set_status(env, "Ann", "Appointed")
    env.apply()
    assert engagement(env) == ["Ann"]
    consent(env, "Ann", "No", form=PREFS)
    env.apply()
    assert engagement(env) == []
    from ppp_gsuite.forms.items import question_id

    changed = dict(welcome["answers"])
    qid = question_id(NEEDS, "what")
    changed[qid] = {"questionId": qid, "textAnswers": {"answers": [{"value": "Screen"}]}}
    local.edit_response(env.form_ids[NEEDS], welcome["responseId"], {"answers": changed})
    env.apply()
    assert engagement(env) == []
    assert env.records(HEART, "Needs assessments")[0]["What"] == "Screen"  # the edit itself is taken


def appoint_in_two_roles(env, name="Ann"):
    """`name` applies for both opportunities (her email typed differently the second time), says yes to
    sharing through each, and is appointed to both."""
    apply_person(env, name)
    env.answer("eoi-eye-group", EOI, full_name=name, email=f" {name.upper()}@example.org")
    env.apply()
    eye = "opportunity:eye-group"
    eye_ref = env.records(eye)[0]["Reference"]
    consent(env, name, "Yes")
    env.answer(NEEDS, NEEDS, **env.as_sent(eye_ref), share_with_engagement_team="Yes")
    set_status(env, name, "Appointed")
    column = env.tab(eye)[0].index("Status")
    env.write(eye, [(cell_range(TAB, 2, column, column), [["Appointed"]])])
    env.apply()


def test_a_person_in_two_roles_who_says_no_through_one_is_no_longer_shared_through_either(env):
    """Issue 10.10: consent is the person's (the same email address, however it was typed), not the role's."""
    appoint_in_two_roles(env)
    assert engagement(env) == ["Ann", "Ann"]  # a row for each role
    consent(env, "Ann", "No", form=PREFS)  # through her heart board reference
    report = env.apply()
    assert engagement(env) == [] and report.shared_removed == ["Ann", "Ann"]


def test_a_withdrawal_is_applied_while_the_engagement_sheet_is_overshared_but_nobody_is_added(env, drive_api):
    """Issue 10.10: removing personal data is always allowed; only adding it is refused."""
    for name in ("Ann", "Ben", "Cat"):
        apply_person(env, name)
    env.apply()
    for name in ("Ann", "Ben"):
        consent(env, name, "Yes")
        set_status(env, name, "Appointed")
    env.apply()
    assert engagement(env) == ["Ann", "Ben"]
    drive_api.permissions().create(
        fileId=env.spreadsheet("engagement"), body={"type": "anyone", "role": "reader"}
    ).execute()
    consent(env, "Ann", "No", form=PREFS)
    consent(env, "Cat", "Yes")
    set_status(env, "Cat", "Appointed")
    report = env.apply()
    assert engagement(env) == ["Ben"]  # Ann removed; Cat not added while anyone with the link can open it
    assert any(
        "anyone with the link" in p
        for p in report.refused[
            "Patient and Public Partners: peer support network contacts (Testshire Care Partnership)"
        ]
    ), report.refused
    assert report.shared_removed == ["Ann"] and report.shared_added == []


def answers_from_emailed_link(local, form):
    """What a person's own prefilled link (in the email she was sent) fills in, by question key."""
    import re
    from urllib.parse import parse_qsl, urlsplit

    from ppp_gsuite.forms.items import entry_number, question_id

    message = next(m for m in local.json("GET", "/_local/gmail/messages")["messages"] if "ann@example.org" in m["to"])
    by_entry = {f"entry.{entry_number(question_id(form, key))}": key for key in ("reference", "link_code")}
    for link in re.findall(r"https?://\S+", message["text"]):
        found = {by_entry[name]: value for name, value in parse_qsl(urlsplit(link).query) if name in by_entry}
        if found.get("reference"):
            return found
    raise AssertionError("no prefilled link to the form in her email")


def test_another_persons_reference_changes_nothing_about_sharing_and_is_flagged(env, local):
    """Issue 10.10: the reference is shown in the lead's sheet; an answer carrying it but not the link code
    only its person was sent (in her emails' prefilled links) must not change what is shared about her."""
    apply_person(env, "Ann")
    env.apply(emails=True)  # her acknowledgement carries her prefilled links
    own = answers_from_emailed_link(local, PREFS)
    env.answer(PREFS, PREFS, **own, share_with_engagement_team="Yes")  # through her own link
    set_status(env, "Ann", "Appointed")
    env.apply()
    assert engagement(env) == ["Ann"]
    ref = reference_of(env, "Ann")
    env.answer(PREFS, PREFS, reference=ref, share_with_engagement_team="No")  # someone who saw her reference
    env.answer(PREFS, PREFS, reference=ref, link_code="aaaabbbbccccdddd", share_with_engagement_team="No")
    env.answer(NEEDS, NEEDS, reference=ref, share_with_engagement_team="No")
    report = env.apply()
    assert engagement(env) == ["Ann"] and report.shared_removed == []
    assert report.unverified == 3
    flagged = [r for r in env.records("admin", "Preferences") if "link code" in r["Needs checking"]]
    assert len(flagged) == 2
    assert "link code" in env.records(HEART, "Needs assessments")[0]["Needs checking"]
    env.answer(PREFS, PREFS, **own, share_with_engagement_team="No")  # she, through her own link: applied
    report = env.apply()
    assert engagement(env) == [] and report.shared_removed == ["Ann"]


def test_the_sync_summary_counts_answers_without_the_link_code(env):
    apply_person(env, "Ann")
    env.apply()
    env.answer(PREFS, PREFS, reference=reference_of(env, "Ann"), share_with_engagement_team="Yes")
    result = CliRunner().invoke(main, ["sync"])
    assert "1 response answered consent questions without the person's link code: not applied" in result.output, (
        result.output
    )


def test_a_preview_of_a_real_persons_email_does_not_show_her_link_code(env, tmp_path):
    """Whoever runs preview-email sees her reference, not the code that lets her links change her choices."""
    apply_person(env, "Ann")
    env.apply()
    ann = next(r for r in env.records(HEART) if r["Name"] == "Ann")
    result = CliRunner().invoke(
        main,
        ["preview-email", "appointed", "--response", ann["Response ID"], "--output", str(tmp_path / "appointed.html")],
    )
    assert result.exit_code == 0, result.output
    shown = result.output + (tmp_path / "appointed.html").read_text()
    assert ann["Reference"] in shown and "THEIR-LINK-CODE" in shown
    assert env.as_sent(ann["Reference"])["link_code"] not in shown


def test_a_withdrawal_through_one_role_holds_through_quiet_runs(env):
    """Found in review: a run that listed nothing new knew no one's other roles, so the other role's older
    'yes' put her back on the engagement sheet (and the team was told she was added)."""
    from sync_env import NothingNew

    appoint_in_two_roles(env)
    assert engagement(env) == ["Ann", "Ann"]
    consent(env, "Ann", "No", form=PREFS)
    env.apply()
    assert engagement(env) == []
    for _ in range(2):
        report = env.apply(minutes=30, forms=NothingNew(env.forms))
        assert engagement(env) == [] and report.shared_added == []


def test_someone_joining_the_engagement_team_gets_the_recent_notices_and_nobody_else_is_told_again(env, local):
    """Each member's notice is keyed by their address (as approvers' digests are), not their place in the
    list: a member added at the top used to shift the others into places not yet told, so each of them got
    the same notice twice."""
    from ppp_gsuite.config import Person

    apply_person(env, "Ann")
    env.apply(emails=True)
    consent(env, "Ann", "Yes")
    set_status(env, "Ann", "Appointed")
    env.apply(emails=True)
    assert len(to_team(local)) == 1
    team = env.loaded.workspace.config.engagement_team
    team.insert(0, Person(name="Kim New", email="kim@example.org"))
    env.apply(emails=True)
    assert len(to_team(local)) == 1, "Sam was told the same change twice"
    new = [m for m in local.json("GET", "/_local/gmail/messages")["messages"] if "kim@example.org" in m["to"]]
    assert len(new) == 1 and "Ann" in new[0]["text"]


def test_a_notice_logged_by_an_earlier_version_under_the_members_place_is_not_sent_again(env):
    """Upgrading is no reason to tell the team again: a notice logged under the member's place in the list
    (before notices were keyed by address) counts as told."""
    from datetime import datetime

    from ppp_gsuite.sync.network_changes import change_rows, notices

    config = env.loaded.workspace.config
    now = datetime.now(UTC)
    recorded = [row.cells for row in change_rows([], {"k1": "Ann"}, {}, now, zone=config.email.timezone)]
    logged_before = {"engagement-change-1|sharing_changes|0"}
    assert notices(config, recorded, "", now, lambda key: key not in logged_before) == []
    assert len(notices(config, recorded, "", now, lambda key: True)) == len(config.engagement_team)
