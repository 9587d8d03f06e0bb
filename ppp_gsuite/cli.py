"""The command line: thin over the library; library errors become messages and exit codes here."""
from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path

import click

from .config import config_path
from .errors import ConfigNotFound, PppError, ValidationFailed
from .workspace import load_workspace

EXIT_INVALID = 2


class Context:
    def __init__(self, config: str | None):
        self.config_file = config_path(config)

    def load(self):
        return load_workspace(self.config_file)


def translate_errors(command):
    """Problems in the config or specs exit 2, one line each; other known failures exit 1."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ValidationFailed as failed:
            for problem in failed.problems:
                click.echo(str(problem), err=True)
            errors = len(failed.errors)
            click.echo(f"{errors} problem{'s' if errors != 1 else ''} to fix.", err=True)
            sys.exit(EXIT_INVALID)
        except ConfigNotFound as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_INVALID)
        except PppError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", metavar="PATH", help="The workspace config (default: $PPP_GSUITE_CONFIG or ./ppp-gsuite.yaml).")
@click.pass_context
def main(ctx, config):
    """Recruit and support Patient and Public Partners with Google Forms, Sheets and Gmail."""
    ctx.obj = Context(config)


@main.command()
@click.pass_obj
@translate_errors
def validate(obj: Context):
    """Check the config and every form spec; exit 2 with one line per problem."""
    workspace, targets = obj.load()
    for warning in workspace.warnings:
        click.echo(str(warning), err=True)
    click.echo(f"{obj.config_file}: {len(workspace.config.opportunities)} opportunities and {len(targets)} forms are valid.")


@main.command("deploy-forms")
@click.option("--dry-run", is_flag=True, help="Show what would change, change nothing.")
@click.pass_obj
@translate_errors
def deploy_forms(obj: Context, dry_run: bool):
    """Create or update the Google Forms so they match the specs."""
    from .forms.plan import plan_form

    workspace, targets = obj.load()
    for warning in workspace.warnings:
        click.echo(str(warning), err=True)
    for target in targets:
        plan = plan_form(target.spec_name, target.spec, None)
        click.echo(f"{target.label}: " + ("unchanged" if plan.unchanged else "; ".join(plan.changes)))
