"""A copy of the minimal workspace, run through the CLI against the test's local workspace."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture
def workspace(tmp_path, monkeypatch, local):
    """The minimal workspace in a folder of its own (the current directory), on the test's local workspace."""
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    return tmp_path


def run(*args):
    """A command as a person types it, for example run("sync")."""
    return CliRunner().invoke(main, list(args))
