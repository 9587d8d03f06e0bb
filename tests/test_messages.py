"""Small things a reader notices: messages that point at the right line and name the right thing."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main

REPO = Path(__file__).resolve().parent.parent
MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_backend_google_without_credentials_points_at_the_backend_line(workspace):
    config = workspace / "ppp-gsuite.yaml"
    text = config.read_text().replace("backend: local", "backend: google")
    config.write_text(text)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 2
    line = text[: text.index("backend: google")].count("\n") + 1
    problem = result.stderr.splitlines()[0]
    assert problem.startswith(f"ppp-gsuite.yaml:{line}: backend: google needs a google: section"), problem
    assert "value:" not in problem


def test_a_typo_in_an_email_template_names_the_variable_and_what_it_could_be(workspace):
    templates = workspace / "email_templates"
    text = templates / "appointed.txt"
    text.write_text(text.read_text().replace("{{ opportunity.group }}", "{{ opportunity.grop }}", 1))
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 2
    problem = next(line for line in result.stderr.splitlines() if "appointed.txt" in line)
    assert "opportunity.grop" in problem, problem
    assert "group" in problem.split("opportunity.grop", 1)[1]  # what it can use instead
    assert "dict object" not in problem and "has no attribute" not in problem


def test_an_unknown_top_level_name_in_an_email_template_is_named_plainly(workspace):
    text = workspace / "email_templates" / "eoi_received.txt"
    text.write_text("{{ applicant.name }}\n" + text.read_text())
    result = CliRunner().invoke(main, ["validate"])
    problem = next(line for line in result.stderr.splitlines() if "eoi_received.txt" in line)
    assert problem.startswith("email_templates/eoi_received.txt:1: unknown variable applicant"), problem
    assert "'applicant' is undefined" not in problem


def test_preview_email_uses_the_configs_own_pals_and_one_to_one_text(workspace, tmp_path):
    config = workspace / "ppp-gsuite.yaml"
    config.write_text(
        config.read_text().replace(
            '  pals: "Complaints about care go to PALS: pals@example.org."\n',
            '  pals: "Complaints about care go to PALS: pals@example.org."\n'
            '  one_to_one_support: "Ask Testshire for a chat with a mentor."\n',
        )
    )
    result = CliRunner().invoke(main, ["preview-email", "appointed", "--output", str(tmp_path / "a.html")])
    assert result.exit_code == 0, result.output
    assert "Complaints about care go to PALS: pals@example.org." in result.stdout
    assert "Ask Testshire for a chat with a mentor." in result.stdout
    assert "Testshire Care Partnership" in result.stdout
    assert "Riverside Health and Care Partnership" not in result.stdout  # the sample organisation
    assert "Ask Testshire for a chat with a mentor." in (tmp_path / "a.html").read_text()


def test_the_worked_example_answers_where_meetings_take_place_in_words_that_read_under_that_title():
    """The form shows each role's `where` under "Where do meetings take place?": a bare "Both." (the
    answer to "online, face to face or both?") reads as nonsense there."""
    from ppp_gsuite.config import load_config

    config = load_config(REPO / "ppp-gsuite.yaml").config
    spec = (REPO / "form_specs" / "expression_of_interest.yaml").read_text()
    assert "title: Where do meetings take place?" in spec and 'help: "{{ opportunity.where }}"' in spec
    for opportunity in config.opportunities:
        first_sentence = opportunity.where.split(".")[0]
        assert len(first_sentence.split()) > 2, (opportunity.key, first_sentence)


def test_forms_and_emails_agree_on_how_often_the_peer_support_network_meets():
    import re

    said = {}
    for path in sorted((REPO / "form_specs").glob("*.yaml")) + sorted((REPO / "email_templates").glob("*")):
        for sentence in re.split(r"(?<=[.!?])\s", path.read_text()):
            if re.search(r"(?<![-\w])meets?\b", sentence) and (
                "network" in sentence or "get to know one another" in sentence
            ):
                found = re.search(r"meets? (every [a-z]+ [a-z]+|[a-z ]+ times a year|monthly|quarterly)", sentence)
                assert found, (path.name, sentence)
                said.setdefault(found.group(1), []).append(path.name)
    assert len(said) == 1, said


def test_links_printed_while_local_serve_runs_on_another_port_open_on_that_port(workspace, monkeypatch):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request

    monkeypatch.delenv("PPP_GSUITE_LOCAL_URL", raising=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serving = subprocess.Popen(
        [sys.executable, "-m", "ppp_gsuite.cli", "local", "serve", "--port", str(port)],
        cwd=workspace,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PPP_GSUITE_LOCAL_URL"},
    )
    try:
        assert "Local workspace on" in serving.stdout.readline()
        result = CliRunner().invoke(main, ["deploy-forms"])
        assert result.exit_code == 0, result.output
        links = [line.strip() for line in result.output.splitlines() if line.strip().startswith("http")]
        assert links and all(link.startswith(f"http://127.0.0.1:{port}/") for link in links), links
        with urllib.request.urlopen(links[0], timeout=10) as page:
            assert page.status == 200
    finally:
        serving.send_signal(signal.SIGINT)  # Ctrl-C
        serving.wait(timeout=10)
    result = CliRunner().invoke(main, ["deploy-forms"])  # once it stopped: links at the config's port again
    links = [line.strip() for line in result.output.splitlines() if line.strip().startswith("http")]
    assert links and all(link.startswith("http://127.0.0.1:8470/") for link in links), links


def test_a_typo_in_a_form_spec_names_the_field_and_what_it_could_be(workspace):
    spec = workspace / "form_specs" / "expression_of_interest.yaml"
    text = spec.read_text()
    assert "{{ opportunity.role }}" in text
    spec.write_text(text.replace("{{ opportunity.role }}", "{{ opportunity.rol }}", 1))
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 2
    problem = result.stderr.splitlines()[0]
    assert "rol" in problem and "role" in problem.split("{{ opportunity.rol }}", 1)[1], problem
    assert "has no attribute" not in problem and "object" not in problem, problem
