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


@pytest.fixture
def worked_example(tmp_path, monkeypatch):
    """A copy of the repository's worked example (config, forms, layouts, emails)."""
    for name in ("form_specs", "sheet_layouts", "email_templates"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "ppp-gsuite.yaml", tmp_path)
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
