"""Each kind of failure leaves with its own message and exit code; only a network failure says so."""

import errno
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.errors import PppError
from ppp_gsuite.google.clients import local_clients
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.errors import Unreachable
from ppp_gsuite.google.forms_api import FormsApi
from ppp_gsuite.google.sheets_api import SheetsApi

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PPP_GSUITE_LOCAL_URL", raising=False)
    return tmp_path


@pytest.fixture
def closed_port_url():
    """The address of a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_full_disk_is_reported_as_a_full_disk_not_as_google_unreachable(workspace, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "previews/eoi_received.html")

    monkeypatch.setattr(Path, "write_text", full)
    result = CliRunner().invoke(main, ["preview-email", "eoi_received"])
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert "reach" not in result.stderr and "Google" not in result.stderr


@pytest.mark.parametrize("adapter", ["forms", "drive", "sheets"])
def test_each_adapter_reports_no_answer_as_its_own_error(closed_port_url, adapter):
    clients = local_clients(closed_port_url, token="never-reaches-a-server")
    calls = {
        "forms": lambda: FormsApi(clients.forms).get("some-form"),
        "drive": lambda: DriveApi(clients.drive).find("form"),
        "sheets": lambda: SheetsApi(clients.sheets).metadata("some-sheet"),
    }
    with pytest.raises(Unreachable) as raised:
        calls[adapter]()
    assert isinstance(raised.value, PppError) and raised.value.exit_code == 1


def test_an_unreachable_local_workspace_is_named_with_how_to_start_it(workspace, monkeypatch, closed_port_url):
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", closed_port_url)
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 1
    assert f"cannot reach the local workspace at PPP_GSUITE_LOCAL_URL={closed_port_url}" in result.output
    assert "ppp-gsuite local serve" in result.output
    assert "Traceback" not in result.output


def test_exit_codes_say_who_must_act(workspace, monkeypatch, closed_port_url):
    """2: the config or specs must be fixed; 1: something else needs a person; 0: all went well."""
    runner = CliRunner()
    assert runner.invoke(main, ["validate"]).exit_code == 0
    assert runner.invoke(main, ["--config", "elsewhere.yaml", "validate"]).exit_code == 2
    config = workspace / "ppp-gsuite.yaml"
    good = config.read_text()
    config.write_text(good.replace('closing_date: "2027-01-31"', "closing_date: soon", 1))
    assert runner.invoke(main, ["status"]).exit_code == 2
    config.write_text(good)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", closed_port_url)
    assert runner.invoke(main, ["status"]).exit_code == 1


class Failing:
    """A googleapiclient request whose execute() fails as given."""

    def __init__(self, error: BaseException):
        self.error = error

    def execute(self):
        raise self.error


def test_only_transport_failures_become_unreachable():
    import google.auth.exceptions

    from ppp_gsuite.google.errors import SignInRefused, call

    for failure in (
        ConnectionRefusedError(),
        TimeoutError(),
        OSError(errno.ENETUNREACH, "Network is unreachable"),
        google.auth.exceptions.TransportError("no route"),
    ):
        with pytest.raises(Unreachable):
            call(Failing(failure), "forms.get")
    with pytest.raises(SignInRefused) as refused:
        call(Failing(google.auth.exceptions.RefreshError("invalid_grant")), "forms.get")
    assert "renew the credentials" in str(refused.value)
    with pytest.raises(OSError) as full:
        call(Failing(OSError(errno.ENOSPC, "No space left on device")), "forms.get")
    assert not isinstance(full.value, PppError)
