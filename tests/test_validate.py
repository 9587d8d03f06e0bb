"""`ppp-gsuite validate`: each broken config or spec gives one clear line with file and line."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
CONFIG = "ppp-gsuite.yaml"
EOI = "form_specs/expression_of_interest.yaml"
PREFS = "form_specs/preferences.yaml"
LAYOUT = "sheet_layouts/expressions_of_interest.yaml"
APPOINTED = "email_templates/appointed.txt"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def edit(root: Path, file: str, old: str, new: str) -> str:
    path = root / file
    text = path.read_text()
    assert old in text, f"fixture lacks {old!r}"
    text = text.replace(old, new, 1)
    path.write_text(text)
    return text


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    start = -1
    for _ in range(occurrence):
        start = text.index(marker, start + 1)
    return text.count("\n", 0, start) + 1


def validate():
    return CliRunner().invoke(main, ["validate"])


BROKEN = [
    # (id, file, old, new, marker on the expected line, occurrence, words the message must hold)
    ("unknown question type", EOI, "type: paragraph", "type: essay", "type: essay", 1, "write one of 'short_text'"),
    ("duplicate keys", EOI, "key: email", "key: full_name", "key: full_name", 2, "used twice"),
    ("choice without options", PREFS, '        choices: ["Screen", "Print"]\n', "", "key: what", 1, "add choices"),
    (
        "skip logic to a missing section",
        EOI,
        "go_to: interests",
        "go_to: interest",
        'label: "Yes"',
        1,
        "does not have; write one of",
    ),
    (
        "unquoted yes/no",
        EOI,
        'choices: ["Yes", "No"]',
        "choices: [Yes, No]",
        "choices: [Yes, No]",
        1,
        'write it in quotes: "Yes"',
    ),
    (
        "unreadable closing date",
        CONFIG,
        'closing_date: "2027-01-31"',
        "closing_date: 31st January 2027",
        "closing_date: 31st",
        1,
        "write it as YYYY-MM-DD",
    ),
    (
        "unknown field",
        EOI,
        "required: true",
        "requred: true",
        "requred",
        1,
        "unknown field requred; did you mean required:?",
    ),
    ("invalid YAML", EOI, "    title: About you", "    title: About you\n   oops: [", "oops", 1, "invalid YAML"),
    (
        "missing lead contact",
        CONFIG,
        "    lead_contact: {name: Jo Lead, role: Manager, email: jo@example.org}\n",
        "",
        "key: eye-group",
        1,
        "lead_contact is missing",
    ),
    (
        "dropping a required standard question",
        CONFIG,
        "omit: [postcode]",
        "omit: [email]",
        "omit: [email]",
        1,
        "a standard question every expression of interest must ask",
    ),
    (
        "unknown consent",
        EOI,
        "consent: future_opportunities",
        "consent: marketing",
        "consent: marketing",
        1,
        "write one of 'privacy_notice'",
    ),
    (
        "consent through a reference without a link code",
        "form_specs/needs_assessment.yaml",
        "      - key: link_code\n        type: link_code\n        title: Your link code\n",
        "",
        "key: share_with_engagement_team",
        1,
        "add an item `key: link_code, type: link_code`",
    ),
    ("key not snake_case", PREFS, "key: what", "key: What Now", "key: What Now", 1, "such as what_now"),
    (
        "template typo",
        EOI,
        "opportunity.role",
        "opportunity.rol",
        "opportunity.rol",
        1,
        "there is no 'rol' there; write one of",
    ),
    ("skip logic backwards", EOI, "go_to: consent", "go_to: start", '"No"', 1, "may only go forward"),
    ("bad email", CONFIG, "email: jo@example.org", "email: jo at example", "jo at example", 1, "not an email address"),
    # A form is public: text that renders a whole config object would publish every field of it.
    (
        "whole organisation in form text",
        EOI,
        "title: Your full name",
        "title: Your full name {{ organisation }}",
        "Your full name {{",
        1,
        "{{ organisation.name }}",
    ),
    (
        "whole lead contact in form text",
        EOI,
        "title: Your full name",
        "title: Your full name {{ opportunity.lead_contact }}",
        "Your full name {{",
        1,
        "{{ opportunity.lead_contact.name }}",
    ),
    (
        "a list in form text",
        EOI,
        "title: Your full name",
        "title: Your full name {{ opportunity.key_requirements }}",
        "Your full name {{",
        1,
        "name one entry, such as {{ opportunity.key_requirements[0] }}",
    ),
    (
        "an unset value in form text",
        EOI,
        "title: Your full name",
        "title: Your full name {{ organisation.one_to_one_support }}",
        "Your full name {{",
        1,
        "is not set in the config",
    ),
    (
        "include in form text",
        EOI,
        "title: Your full name",
        'title: Your full name {% include "secrets.txt" %}',
        "Your full name {%",
        1,
        "cannot include other files",
    ),
    (
        "question without a title",
        EOI,
        "title: Your full name",
        'title: ""',
        'title: ""',
        1,
        "full_name: a question needs a title",
    ),
    (
        "question whose title fills in as nothing",
        EOI,
        "title: Your full name",
        'title: "{% if opportunity.places > 5 %}Your name{% endif %}"',
        'title: "{%',
        1,
        "full_name: a question needs a title",
    ),
    (
        "template typo in an opportunity's own question",
        CONFIG,
        "title: Tell us about your experience of heart services",
        "title: Tell us about {{ opportunity.grop }}",
        "Tell us about {{",
        1,
        "there is no 'grop' there",
    ),
    (
        "empty choice",
        EOI,
        'choices: ["I agree"]',
        'choices: ["I agree", ""]',
        'choices: ["I agree", ""]',
        1,
        "an empty choice",
    ),
    (
        "duplicate header in a layout",
        LAYOUT,
        "{lead: notes, header: Notes}",
        "{lead: notes, header: Name}",
        "{lead: notes",
        1,
        "'Name' appears twice",
    ),
    (
        "template includes a file that is not a shared part",
        APPOINTED,
        '{% include "_footer.txt" %}',
        '{% include "not_appointed.txt" %}',
        "{% include",
        1,
        "only the shared parts",
    ),
    (
        "template includes the README",
        APPOINTED,
        '{% include "_footer.txt" %}',
        '{% include "README.md" %}',
        "{% include",
        1,
        "only the shared parts",
    ),
    (
        "template includes a file outside the folder",
        APPOINTED,
        '{% include "_footer.txt" %}',
        '{% include "../ppp-gsuite.yaml" %}',
        "{% include",
        1,
        "only the shared parts",
    ),
    (
        "template includes a missing part",
        APPOINTED,
        '{% include "_footer.txt" %}',
        '{% include "_foter.txt" %}',
        "{% include",
        1,
        "_foter.txt does not exist",
    ),
]


@pytest.mark.parametrize("case", BROKEN, ids=[case[0] for case in BROKEN])
def test_broken_input_gives_one_line_with_file_and_line(workspace, case):
    _, file, old, new, marker, occurrence, words = case
    text = edit(workspace, file, old, new)
    result = validate()
    assert result.exit_code == 2, result.output
    problems = [line for line in result.stderr.splitlines() if not line.endswith("to fix.")]
    assert len(problems) == 1, result.stderr
    assert problems[0].startswith(f"{file}:{line_of(text, marker, occurrence)}: "), problems[0]
    assert words in problems[0]


def only_problem(result) -> str:
    assert result.exit_code == 2, result.output
    problems = [line for line in result.stderr.splitlines() if not line.endswith("to fix.")]
    assert len(problems) == 1, result.stderr
    assert "Traceback" not in result.output
    return problems[0]


def test_template_with_an_unknown_name_is_refused_at_its_first_line(workspace):
    (workspace / "email_templates" / "apointed.txt").write_text("Dear {{ person.name }},\n")
    problem = only_problem(validate())
    assert problem.startswith("email_templates/apointed.txt:1: "), problem
    assert "there is no email called 'apointed'" in problem


def test_missing_part_of_an_email_is_refused_where_its_other_parts_are(workspace):
    (workspace / "email_templates" / "appointed.html").unlink()
    problem = only_problem(validate())
    assert problem.startswith("email_templates/appointed.txt:1: "), problem
    assert "appointed.html" in problem and "is missing" in problem


def test_missing_shared_part_is_refused_where_it_is_included(workspace):
    (workspace / "email_templates" / "_staff_footer.txt").unlink()
    includes = {
        f"email_templates/{path.name}:{line_of(path.read_text(), '_staff_footer.txt')}"
        for path in (workspace / "email_templates").glob("*.txt")
        if "_staff_footer.txt" in path.read_text()
    }
    problem = only_problem(validate())
    assert problem.split(": ")[0] in includes, problem
    assert "_staff_footer.txt does not exist" in problem


def test_unknown_form_spec_file_is_refused(workspace):
    (workspace / "form_specs" / "expresion_of_interest.yaml").write_text("title: x\n")
    problem = only_problem(validate())
    assert problem.startswith("form_specs/expresion_of_interest.yaml:1: "), problem
    assert "expression_of_interest" in problem


def test_past_closing_date_warns_but_passes(workspace):
    text = edit(workspace, CONFIG, 'closing_date: "2027-01-31"', 'closing_date: "2020-01-31"')
    result = validate()
    assert result.exit_code == 0, result.output
    assert (
        f"{CONFIG}:{line_of(text, '2020-01-31')}: warning: opportunity heart-board closed on Friday 31 January 2020"
        in result.stderr
    )
    assert "eye-group" not in result.stderr


def test_fewer_than_two_places_warns_but_passes(workspace):
    text = edit(workspace, CONFIG, "places: 2", "places: 1")
    result = validate()
    assert result.exit_code == 0, result.output
    assert (
        f"{CONFIG}:{line_of(text, 'key: heart-board')}: warning: opportunity heart-board offers 1 place"
        in result.stderr
    )


def test_valid_workspace_passes(workspace):
    result = validate()
    assert result.exit_code == 0, result.output
    assert "2 opportunities, 5 forms and 4 sheet layouts are valid" in result.stdout


def test_several_problems_are_all_reported(workspace):
    edit(workspace, EOI, "type: paragraph", "type: essay")
    edit(workspace, PREFS, "key: what", "key: What")
    result = validate()
    assert result.exit_code == 2
    assert EOI in result.stderr and PREFS in result.stderr


def test_missing_config_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = validate()
    assert result.exit_code == 2
    assert "--config PATH" in result.stderr


def test_config_from_environment(workspace, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("PPP_GSUITE_CONFIG", str(workspace / CONFIG))
    assert validate().exit_code == 0
