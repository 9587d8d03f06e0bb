"""`ppp-gsuite auth login` and `auth check`: signing in, as thin commands over google/signin.py."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import click

from .errors import EXIT_INVALID, EXIT_NEEDS_A_PERSON, PppError
from .secrets_check import credential_warnings


class NeedsConfig(PppError):
    exit_code = EXIT_INVALID


def _short(scope: str) -> str:
    return scope.rsplit("/", 1)[-1]


@click.group()
def auth():
    """Sign in (to Google, or to the local workspace) and check the sign-in."""


def _workspace_command(command):
    from .cli import workspace_command

    return workspace_command(command)


@auth.command()
@click.option(
    "--client", "client_file", metavar="FILE", help="The desktop OAuth client's JSON (default: google.oauth_client)."
)
@click.option("--no-browser", is_flag=True, help="Print the sign-in link instead of opening a browser.")
@click.option(
    "--service-account", "key_file", metavar="KEY", help="Store a service-account key instead (domain-wide delegation)."
)
@click.option("--subject", metavar="USER", help="With --service-account: the staff account it acts for.")
@_workspace_command
def login(obj, client_file: str | None, no_browser: bool, key_file: str | None, subject: str | None):
    """Sign in once with drive.file and gmail.send; the token is written (0600) where the config says."""
    from .google.signin import login as sign_in
    from .google.signin import read_json

    loaded = obj.load()
    workspace = loaded.workspace
    config = workspace.config
    if key_file or subject:
        _store_service_account(workspace, key_file, subject)
        return
    if config.backend == "google":
        assert config.google is not None
        token_path = workspace.resolve(config.google.credentials)
        named = client_file or (
            str(workspace.resolve(config.google.oauth_client)) if config.google.oauth_client else None
        )
        if not named:
            raise NeedsConfig(
                "name the desktop OAuth client's JSON (downloaded from the Google Cloud console): "
                "--client FILE, or google.oauth_client: FILE in the config"
            )
        client_config = read_json(Path(named), "the OAuth client file")
        granted = sign_in(client_config, token_path, not no_browser)
    else:
        if not config.local.credentials:
            raise NeedsConfig(
                "with backend: local, set local.credentials: PATH (where the local sign-in's token goes) in the config"
            )
        token_path = workspace.resolve(config.local.credentials)
        with _local_client_config(workspace, client_file) as client_config:
            granted = sign_in(client_config, token_path, not no_browser)
    click.echo(
        f"Signed in through OAuth client {granted['client_id']} with {', '.join(_short(s) for s in granted['scopes'])}; "
        f"the token is in {token_path} (readable by you only). Next: ppp-gsuite auth check"
    )
    for warning in credential_warnings(workspace):
        click.echo(str(warning), err=True)


@contextlib.contextmanager
def _local_client_config(workspace, client_file: str | None):
    """The OAuth client to sign in through: the file given, or the local workspace's own."""
    from .connect import local_workspace_url
    from .google.local_session import local_oauth_client
    from .google.signin import read_json

    if client_file:
        yield read_json(Path(client_file), "the OAuth client file")
        return
    with local_workspace_url(workspace) as (url, _public):
        yield local_oauth_client(url, workspace.config.local.client_id)


def _store_service_account(workspace, key_file: str | None, subject: str | None) -> None:
    from .google.signin import store_service_account_key

    config = workspace.config
    if not key_file or not subject:
        raise NeedsConfig(
            "--service-account KEY and --subject USER go together (the key, and the staff account it acts for)"
        )
    if config.backend == "google":
        assert config.google is not None
        token_path, configured, where = workspace.resolve(config.google.credentials), config.google.subject, "google"
    elif config.local.credentials:
        token_path, configured, where = workspace.resolve(config.local.credentials), config.local.subject, "local"
    else:
        raise NeedsConfig("with backend: local, set local.credentials: PATH (where the key goes) in the config")
    email = store_service_account_key(Path(key_file), token_path)
    click.echo(f"Stored the key of service account {email} in {token_path} (readable by you only).")
    if configured != subject:
        raise NeedsConfig(
            f"now set `subject: {subject}` under {where}: in {workspace.path.name} (it says "
            f"{configured or 'nothing'}), then run `ppp-gsuite auth check`"
        )
    click.echo("Next: ppp-gsuite auth check")


@auth.command()
@_workspace_command
def check(obj):
    """Which account, which OAuth client, which scopes, when the token expires, and whether it can refresh."""
    from .google.signin import SCOPES
    from .google.signin import check as check_sign_in

    loaded = obj.load()
    workspace = loaded.workspace
    with _credentials_to_check(workspace) as (credentials, path, drive_url):
        report = check_sign_in(credentials, path, drive_url)
    click.echo(f"Account: {report.account}")
    click.echo(f"OAuth client: {report.client}")
    click.echo(f"Scopes: {', '.join(report.scopes) or 'none'}")
    if report.expires:
        minutes = int((report.expires - datetime.now(UTC)).total_seconds() // 60)
        click.echo(f"Access token expires: {report.expires:%Y-%m-%d %H:%M} UTC (in {minutes} minutes)")
    click.echo(f"Can refresh: {'yes' if report.can_refresh else 'no: run `ppp-gsuite auth login` again'}")
    missing = [s for s in SCOPES if s not in report.scopes]
    extra = [s for s in report.scopes if s not in SCOPES]
    if missing:
        click.echo(
            f"Missing: {', '.join(_short(s) for s in missing)}; run `ppp-gsuite auth login` and allow both", err=True
        )
    if extra:
        click.echo(f"warning: the token also holds {', '.join(extra)}, which the tool never needs", err=True)
    for warning in credential_warnings(workspace):
        click.echo(str(warning), err=True)
    if missing or not report.can_refresh:
        raise SystemExit(EXIT_NEEDS_A_PERSON)


@contextlib.contextmanager
def _credentials_to_check(workspace):
    from .connect import local_token_path, local_workspace_url
    from .google.clients import load_credentials
    from .google.signin import credentials_from_file

    config = workspace.config
    if config.backend == "google":
        assert config.google is not None
        yield (
            load_credentials(workspace),
            workspace.resolve(config.google.credentials),
            "https://www.googleapis.com/drive/v3",
        )
        return
    if not config.local.credentials:
        raise NeedsConfig(
            f"no sign-in to check: the local workspace signs commands in as {config.local.account} by itself; "
            "set local.credentials: PATH and run `ppp-gsuite auth login` to sign in as a person does"
        )
    path = local_token_path(workspace)
    with local_workspace_url(workspace) as (url, _public):
        yield (
            credentials_from_file(path, config.local.subject, token_uri=f"{url.rstrip('/')}/token"),
            path,
            f"{url.rstrip('/')}/drive/v3",
        )
