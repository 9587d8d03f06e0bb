"""validate and deploy-forms warn when Gmail would not send from sender.email (it sends as the account)."""

from pathlib import Path

import pytest

from cli_env import run  # its `workspace` fixture is a plugin (conftest.py)

SENDER = "involvement@example.org"  # the fixture's sender.email


@pytest.mark.parametrize("command", ["validate", "deploy-forms"])
def test_a_sender_gmail_would_rewrite_is_warned_about(workspace, local, command):
    account = local.json("GET", "/_local/gmail/send-as")["account"]
    result = run(command)
    assert result.exit_code == 0, result.output
    assert f"warning: sender.email ({SENDER}) is neither the Gmail account" in result.output
    assert f"Gmail would send every email from {account} instead" in result.output


@pytest.mark.parametrize("command", ["validate", "deploy-forms"])
def test_a_verified_alias_is_not_warned_about(workspace, local, command):
    local.json("PUT", "/_local/gmail/send-as", {"aliases": [SENDER]})
    result = run(command)
    assert result.exit_code == 0, result.output
    assert "sender.email" not in result.output


def test_the_warning_names_the_account_gmail_would_send_as(workspace, local):
    """The library check on its own, against the stand-in's users.settings.sendAs.list."""
    account = local.json("GET", "/_local/gmail/send-as")["account"]
    from ppp_gsuite.mail.sender_check import sender_warning

    warning = sender_warning(
        SENDER, local.clients(scopes=["https://www.googleapis.com/auth/gmail.settings.basic"]).mail.send_as
    )
    assert warning and account in warning


def test_on_google_it_cannot_be_checked_so_says_what_to_verify(workspace):
    config = Path("ppp-gsuite.yaml")
    config.write_text(
        config.read_text().replace("backend: local", "backend: google\ngoogle: {credentials: token.json}")
    )
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert f"cannot check that Gmail will send from sender.email ({SENDER})" in result.output
    assert "gmail.settings.basic" in result.output and "Send mail as" in result.output


def test_on_google_a_sender_that_is_the_signed_in_subject_needs_no_check(workspace):
    config = Path("ppp-gsuite.yaml")
    config.write_text(
        config.read_text().replace(
            "backend: local", f"backend: google\ngoogle: {{credentials: key.json, subject: {SENDER}}}"
        )
    )
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "sender.email" not in result.output
