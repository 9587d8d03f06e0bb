"""The command line: thin over the library; library errors become messages and exit codes here."""

from __future__ import annotations

import os
import sys
from datetime import UTC
from functools import wraps

import click

from .config import config_path
from .errors import EXIT_NEEDS_A_PERSON, PppError, ValidationFailed
from .google.errors import NoAnswer, Unreachable
from .workspace import load_all


class Context:
    def __init__(self, config: str | None):
        self.config_file = config_path(config)

    def load(self):
        loaded = load_all(self.config_file)
        for warning in loaded.workspace.warnings:
            click.echo(str(warning), err=True)
        return loaded


def _config_here(ctx, param, value):
    if value is not None:
        ctx.find_object(Context).config_file = config_path(value)


config_option = click.option(
    "--config",
    metavar="PATH",
    expose_value=False,
    callback=_config_here,
    help="The workspace config (also accepted before the command name).",
)


def translate_errors(command):
    """Library errors become one message each and leave with their own exit code (2: fix the config
    or specs, one line per problem; 1: a person must look); an OSError is named as what it is."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ValidationFailed as failed:
            for problem in failed.problems:
                click.echo(str(problem), err=True)
            errors = len(failed.errors)
            click.echo(f"{errors} problem{'s' if errors != 1 else ''} to fix.", err=True)
            sys.exit(failed.exit_code)
        except Unreachable as exc:
            click.echo(f"Error: {unreachable_message(exc)}", err=True)
            sys.exit(exc.exit_code)
        except PppError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()  # our output was cut short (e.g. piped into head): nothing to report
            sys.exit(EXIT_NEEDS_A_PERSON)
        except OSError as exc:  # a full disk, a folder not writable: this machine, not Google
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_NEEDS_A_PERSON)

    return wrapper


def workspace_command(command):
    """A command that takes --config, gets the Context and has its errors translated."""
    return config_option(click.pass_obj(translate_errors(command)))


def unreachable_message(exc: Unreachable) -> str:
    from .connect import LOCAL_URL_ENV

    if isinstance(exc, NoAnswer) or exc.complete:
        return str(exc)  # it says what did not answer, and what to do
    local = os.environ.get(LOCAL_URL_ENV)
    if local:
        return (
            f"cannot reach the local workspace at {LOCAL_URL_ENV}={local} ({exc.cause}): "
            f"start it with `ppp-gsuite local serve`, or unset {LOCAL_URL_ENV} to use one started for "
            "this command; the address must start with http://"
        )
    return f"cannot reach Google ({exc}); check the network connection and try again"


def config_minutes(loaded) -> int:
    return loaded.workspace.config.email.grace_minutes


def plural(count: int, word: str) -> str:
    if count != 1 and word == "person":
        return f"{count} people"
    return f"{count} {word}{'' if count == 1 else 's'}"


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="With backend: local, commands use the local workspace named by PPP_GSUITE_LOCAL_URL "
    "(e.g. http://127.0.0.1:8470 while `ppp-gsuite local serve` runs), or start one for the command.",
)
@click.option(
    "--config",
    "config",
    metavar="PATH",
    help="The workspace config (default: $PPP_GSUITE_CONFIG or ./ppp-gsuite.yaml).",
)
@click.pass_context
def main(ctx, config):
    """Recruit and support Patient and Public Partners with Google Forms, Sheets and Gmail."""
    ctx.obj = Context(config)


@main.command()
@workspace_command
def validate(obj: Context):
    """Check the config, form specs and sheet layouts; exit 2 with one line per problem."""
    from datetime import date

    from .config import past_closing_dates

    loaded = obj.load()
    for warning in past_closing_dates(loaded.workspace, date.today()):
        click.echo(str(warning), err=True)
    click.echo(
        f"{obj.config_file}: {len(loaded.workspace.config.opportunities)} opportunities, "
        f"{len(loaded.targets)} forms and {len(loaded.layouts)} sheet layouts are valid."
    )
    from .secrets_check import credential_warnings

    for warning in credential_warnings(loaded.workspace):
        click.echo(str(warning), err=True)
    if loaded.workspace.config.backend == "local":
        from .connect import connect

        with connect(loaded.workspace) as clients:
            warn_about_sender(loaded.workspace.config, clients)
            check_one_place(loaded, clients)
    else:
        check_credentials_file(loaded.workspace)
        warn_about_sender(loaded.workspace.config, None)
        if loaded.workspace.config.role_description_form:  # the proposals are only in the Workspace: ask it
            from .connect import connect

            with connect(loaded.workspace) as clients:
                check_one_place(loaded, clients)


def config_apis(loaded, clients):
    """(FormsApi, DriveApi, SheetsApi) under the config's `retries:`, one policy (and one time budget) for the
    command, as a sync's: every command waits out Google's refusals the way the operator set."""
    from .google.drive_api import DriveApi
    from .google.forms_api import FormsApi
    from .google.retry import policy_for
    from .google.sheets_api import SheetsApi

    retry = policy_for(loaded.workspace.config.retries)
    return FormsApi(clients.forms, retry), DriveApi(clients.drive, retry), SheetsApi(clients.sheets, retry)


def check_one_place(loaded, clients) -> None:
    """An opportunity in ppp-gsuite.yaml and in the Opportunities spreadsheet both is an error (exit 2)."""
    from .errors import ValidationFailed
    from .sync.going_live import in_both

    _forms, drive, sheets = config_apis(loaded, clients)
    problems = in_both(loaded, drive, sheets)
    if problems:
        raise ValidationFailed(problems)


def check_credentials_file(workspace) -> None:
    """Offline: the credentials file is a token or a service-account key (CredentialsUnusable if not)."""
    from .google.signin import credentials_from_file

    assert workspace.config.google is not None
    path = workspace.resolve(workspace.config.google.credentials)
    if not path.exists():
        click.echo(f"warning: no sign-in yet at {path}: run `ppp-gsuite auth login`", err=True)
        return
    credentials_from_file(path, workspace.config.google.subject)


def warn_about_sender(config, clients) -> None:
    """Gmail sends as the account, silently, unless sender.email is it or a verified send-as alias."""
    from .mail.sender_check import sender_warning

    send_as = clients.send_as if clients is not None else None
    try:
        warning = sender_warning(config.sender.email, send_as, config.google.subject if config.google else None)
    except PppError as error:  # a warning must never stop the command it comes with
        warning = f"could not check that Gmail will send from sender.email: {error}"
    if warning:
        click.echo(f"warning: {warning}", err=True)


@main.command("deploy-forms")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option(
    "--allow-retitle",
    "allow_retitle",
    metavar="KEY",
    multiple=True,
    help="Let the question KEY be reworded: it still asks the same thing (a new question needs a new key).",
)
@workspace_command
def deploy_forms(obj: Context, dry_run: bool, allow_retitle: tuple[str, ...]):
    """Create or update the Google Forms so they match the specs, and print their links."""
    from datetime import UTC, date, datetime

    from .connect import connect
    from .forms.deploy import deploy, found_none
    from .google.clients import SAME_IDENTITY
    from .runlease import ensure_lease_form
    from .sync.going_live import prepare

    loaded = obj.load()
    with connect(loaded.workspace) as clients:
        forms, drive, sheets = config_apis(loaded, clients)  # one retry policy for the run, as a sync's
        # Approved proposals are opportunities too: their forms, and the shared forms' lists of groups.
        proposals = prepare(loaded, forms, drive, sheets, datetime.now(UTC), go_live=False)
        loaded = proposals.loaded if proposals else loaded
        outcomes = deploy(
            loaded.targets, forms, drive, date.today(), dry_run=dry_run, allow_retitle=frozenset(allow_retitle)
        )
        if not dry_run:
            ensure_lease_form(forms, drive)  # where sync keeps its lease (runlease.py): made once
        warn_about_sender(loaded.workspace.config, clients)
    click.echo(f"signed in as {clients.identity}")
    if found_none(outcomes):
        click.echo(
            "found no forms deployed by this app identity, so each form is new (as on a first deploy). If they were "
            f"deployed before with other credentials, use those instead and delete these ({SAME_IDENTITY})."
        )
    failed = 0
    from_sheet = {c.key for c in proposals.checked if c.opportunity is not None} if proposals else set()
    for outcome in outcomes:
        opportunity = outcome.target.opportunity
        if opportunity is not None and opportunity.key in from_sheet:
            click.echo("(from the Opportunities spreadsheet)")
        click.echo(describe_outcome(outcome, dry_run))
        if outcome.problem:
            failed += 1
            click.echo(f"  problem: {outcome.problem}", err=True)
    for proposal in proposals.checked if proposals else []:
        if proposal.opportunity is None:
            click.echo(
                f"proposed in the Opportunities spreadsheet, not live: {proposal.proposal.answers.get('group', '')} "
                f"({proposal.status}{', ' + str(len(proposal.problems)) + ' problem(s)' if proposal.problems else ''})"
            )
    if dry_run:
        click.echo("Dry run: nothing was changed.")
    if failed:
        raise click.ClickException(f"{failed} form{'s' if failed > 1 else ''} could not be fully deployed; see above.")


def describe_outcome(outcome, dry_run: bool) -> str:
    words = outcome.plan.changes + outcome.steps
    summary = ("would " if dry_run else "") + "; ".join(words) if words else "unchanged"
    line = f"{outcome.target.label}: {summary}"
    if outcome.link:
        line += f"\n  {outcome.link}"
    return line


@main.command()
@click.option("--no-browser", is_flag=True, help="Skip the step that asks you to submit the throw-away form.")
@click.option(
    "--record",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write every request and answer, redacted, to FILE (a vcrpy cassette) to send back to us.",
)
@click.option(
    "--wait-minutes",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="How long to wait for your response to the throw-away form.",
)
@workspace_command
def doctor(obj: Context, no_browser: bool, record: str | None, wait_minutes: float):
    """Check every kind of call the tool makes, on a throw-away form and spreadsheet; exit 1 if any fails."""
    import contextlib

    from .connect import connect
    from .doctor.run import Apis, Doctor, Respond

    loaded = obj.load()
    config = loaded.workspace.config

    def ask(link: str) -> None:
        click.echo(
            f"  Open this link, answer the throw-away form and press Submit (waiting up to {wait_minutes:g} minutes):"
        )
        click.echo(f"  {link}")

    recorder: contextlib.AbstractContextManager = contextlib.nullcontext()
    if record:
        from .google.recording import recording

        recorder = recording(record)
    with recorder, connect(loaded.workspace) as clients:
        click.echo(f"signed in as {clients.identity}")
        respond = None if no_browser else Respond(ask, wait_minutes * 60)
        subject = config.google.subject if config.backend == "google" and config.google else None
        forms, drive, sheets = config_apis(loaded, clients)  # a 429 the config's retries outlast is no failure
        apis = Apis(forms, drive, sheets, clients.mail)
        checkup = Doctor(apis, click.echo, respond, account=subject).run()
    if record:
        click.echo(f"recording written to {record} (redacted: no token, address, name, id or answer of yours)")
    failed = [step for step in checkup.steps if not step.outcome.startswith(("passed", "skipped"))]
    if failed:
        raise click.ClickException(
            f"{len(failed)} of {len(checkup.steps)} steps did not pass (see above); put right what the first one says "
            "and run doctor again."
        )
    click.echo(f"All {len(checkup.steps)} steps passed: ppp-gsuite can work in this Workspace.")


@main.command()
@click.option("--full", is_flag=True, help="Re-read every response, not only those since the last run.")
@click.option(
    "--configs",
    "configs",
    metavar="GLOB",
    default=None,
    help="Sync every config matching GLOB (one per organisation, e.g. 'orgs/*.yaml'), each in its own process; "
    "in a Cloud Run task, only the one CLOUD_RUN_TASK_INDEX picks from the sorted matches.",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="With --configs: how many organisations sync at once (default 4).",
)
@click.option(
    "--log-format",
    "log_format",
    type=click.Choice(["text", "json"]),
    default="text",
    envvar="PPP_GSUITE_LOG_FORMAT",
    show_default=True,
    help="The operators' log on stderr: a line per step, or JSON lines as Cloud Logging reads them.",
)
@workspace_command
def sync(obj: Context, full: bool, configs: str | None, parallel: int | None, log_format: str):
    """Write new and edited responses into the spreadsheets (run it from cron every few minutes)."""
    if configs is not None:
        sync_many(configs, parallel, full, log_format)
        return
    if parallel is not None:
        raise click.UsageError("--parallel goes with --configs GLOB")
    from .runlog import RunLog

    log = RunLog(log_format)
    code = 0
    try:
        translate_errors(_sync)(obj, full, log)
    except SystemExit as leaving:
        code = leaving.code if isinstance(leaving.code, int) else EXIT_NEEDS_A_PERSON
        raise
    except BaseException:  # a crash (a bug, Ctrl-C): the summary still comes last, and says it failed
        code = EXIT_NEEDS_A_PERSON
        raise
    finally:
        log.finish(code)


def _sync(obj: Context, full: bool, log) -> None:
    from datetime import datetime

    from .connect import connect
    from .google.clients import SAME_IDENTITY
    from .leased_run import leased_run
    from .request_watch import RequestWatch
    from .runlease import LeaseHeld
    from .runlock import AlreadyRunning, lock_file, single_run
    from .sync.run import NothingDeployed
    from .sync_job import run_sync

    loaded = obj.load()
    watch = RequestWatch()
    try:
        with single_run(lock_file(loaded.workspace.path)), connect(loaded.workspace) as clients:
            watch.attach(clients)
            pacer = clients.pacer  # the requests it made, in minutes of Google's quotas
            try:
                with leased_run(clients, loaded.workspace.config.sync.lease_seconds, watch) as run:
                    log.step("lease taken", lease_seconds=loaded.workspace.config.sync.lease_seconds)
                    outcome = run_sync(loaded, clients, datetime.now(UTC), full=full, progress=log.progress)
                    run.counts = run_counts(outcome)
                    run.exit_code = sync_exit_code(outcome)
                    log.summary.update(
                        seconds=run.seconds(),
                        **{key: len(v) if isinstance(v, list) else v for key, v in run.counts.items()},
                    )
            except NothingDeployed as nothing:
                raise PppError(f"{nothing}; signed in as {clients.identity}: {SAME_IDENTITY}") from None
            finally:
                log.summary["requests"] = watch.counts()
    except (AlreadyRunning, LeaseHeld) as running:
        click.echo(str(running))
        log.summary["lease"] = "held by another run" if isinstance(running, LeaseHeld) else "lock file held"
        return
    print_sync_report(outcome, loaded, pacer)
    if sync_exit_code(outcome):
        click.echo(f"Error: {sync_problems(outcome)}", err=True)
        sys.exit(sync_exit_code(outcome))


def run_counts(outcome) -> dict:
    """The run's record (and the log's summary), in numbers only."""
    report, mail = outcome.report, outcome.mail
    counts = {
        "responses": report.responses,
        "rows_added": report.added,
        "rows_updated": report.updated,
        "waiting_for_grace": report.waiting,
        "held_for_details": report.held_invitations,
        "sharing_refused": sorted(report.refused),  # spreadsheet names (no person's)
        "too_large": sorted(report.too_large),
        "not_shared": sorted(report.not_shared),
    }
    if mail:
        counts.update(
            emails_sent=mail.sent, emails_not_sent=mail.failed, emails_held=mail.held, emails_unknown=mail.unknown
        )
    return counts


def _waiting_for_a_person(mail) -> bool:
    return bool(mail and (mail.unknown or mail.waiting_for_a_person))


def sync_exit_code(outcome) -> int:
    """1 when something needs a person (a spreadsheet held back, an email of unknown outcome), else 0."""
    return EXIT_NEEDS_A_PERSON if outcome.report.held_back() or _waiting_for_a_person(outcome.mail) else 0


def sync_problems(outcome) -> str:
    report, mail = outcome.report, outcome.mail
    held = []
    if report.too_large:
        held.append(
            f"{len(report.too_large)} spreadsheet(s) would pass Google's limit of cells for one spreadsheet, so nothing "
            "was written there."
        )
    if report.refused:
        held.append(
            f"{len(report.refused)} spreadsheet(s) are shared more widely than the config says, so nothing was written "
            "there. Remove the sharing named above in Google Drive (Share), or name the person in ppp-gsuite.yaml."
        )
    if report.not_shared:
        held.append(
            f"{len(report.not_shared)} spreadsheet(s) could not be shared with the people the config names, so nothing "
            "was written there (no one sees applicants' details the lead cannot) and nothing about them was emailed. "
            "Do what each line above says; the next sync tries to share them again."
        )
    if held:
        return " ".join(held) + " The others were synced; run sync again once it is put right."
    return (
        f"{mail.waiting_for_a_person + mail.unknown} email(s) may or may not have been sent: a person must check "
        "(ppp-gsuite status lists them; they are never sent again automatically: settle each with "
        "ppp-gsuite email settle KEY --sent or --retry)."
    )


def print_sync_report(outcome, loaded, pacer=None) -> None:
    report = outcome.report
    click.echo(f"sync at {outcome.now:%Y-%m-%d %H:%M:%S} UTC")  # a line with the time, for cron's log
    for name in report.created:
        click.echo(f"created spreadsheet: {name}")
    for spare in report.spares:
        click.echo(f"spare spreadsheet: {spare}")
    read = (
        "read again (a full rescan)" if report.full_scans else "read since the last run (with a few minutes' overlap)"
    )
    click.echo(
        f"{plural(report.responses, 'response')} {read}: "
        f"{plural(report.added, 'row')} added, {report.updated} updated, {report.flagged} flagged for checking, "
        f"{report.unmatched} not matched to a person."
    )
    if report.unverified:
        click.echo(
            f"{plural(report.unverified, 'response')} answered consent questions without the person's link code: "
            "not applied, flagged in Needs checking."
        )
    for entry in report.unshared:
        click.echo(f"access ended (no longer in the config): {entry}")
    for group in report.closed:
        click.echo(f"closing date passed: the form for {group} no longer accepts responses")
    for group in report.reopened:
        click.echo(f"closing date moved: the form for {group} accepts responses again")
    for header in report.restored_headers:
        click.echo(f"warning: a column was missing and was added again at the end: {header}", err=True)
    mail = outcome.mail
    if report.waiting:
        click.echo(
            f"decisions waiting for the grace period ({config_minutes(loaded)} minutes) before they are emailed: {report.waiting}"
        )
    if report.held_invitations:
        click.echo(
            f"interview invitations held until the interview details are filled in (see Needs checking): "
            f"{report.held_invitations}"
        )
    if mail:
        click.echo(
            f"emails: {mail.sent} sent, {mail.failed} not sent (see the rows), {mail.held} held by the "
            f"daily cap for a later run, {mail.unknown} with an unknown outcome."
        )
    if report.shared_added or report.shared_removed:
        click.echo(
            f"peer support network contacts: {len(report.shared_added)} added, {len(report.shared_removed)} removed"
        )
    if pacer is not None:
        click.echo(pacer.summary())
    for name, link in report.sheets.items():
        click.echo(f"  {name}: {link}")
    for name, problems in report.refused.items():
        for problem in problems:
            click.echo(f"refused to write {name}: {problem}", err=True)
    for name, problems in report.not_shared.items():
        for problem in problems:
            click.echo(f"not shared, so not written: {name}: {problem}", err=True)
    for name, problems in report.too_large.items():
        for problem in problems:
            click.echo(f"too large, so not written: {name}: {problem}", err=True)


def labelled_log(run) -> str:
    """An organisation's JSON log with each entry saying whose it is (its config and name): in Cloud Logging
    the lines of every organisation's run come one after another, apart from the `== config` lines on stdout.
    A line its run wrote as plain text (an error said before its log began) becomes an entry of its own."""
    import json

    lines = []
    for line in run.stderr.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not isinstance(entry, dict):
            entry = {"message": line}
        lines.append(json.dumps({**entry, "config": str(run.config), "organisation": run.name}) + "\n")
    return "".join(lines)


def sync_many(pattern: str, parallel: int | None, full: bool, log_format: str) -> None:
    """`sync --configs GLOB`: each organisation's output whole as its run ends, then a line each; the
    exit code is the worst of theirs."""
    from .orgs import DEFAULT_PARALLEL, Runner, config_files, worst

    configs = config_files(pattern, os.environ)

    def show(run) -> None:
        click.echo(f"== {run.config}: {run.name}")
        click.echo(run.stdout, nl=False)
        click.echo(run.stderr if log_format == "text" else labelled_log(run), nl=False, err=True)

    arguments = (["--full"] if full else []) + ["--log-format", log_format]
    runs = Runner(arguments, parallel or DEFAULT_PARALLEL).run(configs, show)
    for run in runs:
        click.echo(run.summary)
    sys.exit(worst([run.exit_code for run in runs]))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print it as one JSON object, for machines.")
@workspace_command
def status(obj: Context, as_json: bool):
    """Show each form, each spreadsheet, the emails and the last run; exit 1 while something needs a person."""
    import json
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from .connect import connect
    from .status import as_json as status_json
    from .status import read_status
    from .sync.destinations import destinations
    from .sync.going_live import prepare
    from .vocabulary import eoi_form

    loaded = obj.load()
    with connect(loaded.workspace) as clients:
        forms, drive, sheets = config_apis(loaded, clients)
        # Approved role descriptions' opportunities are the config's own here too, as in a sync.
        proposals = prepare(loaded, forms, drive, sheets, datetime.now(UTC), go_live=False)
        loaded = proposals.loaded if proposals else loaded
        config = loaded.workspace.config
        today = datetime.now(ZoneInfo(config.email.timezone)).strftime("%Y-%m-%d")
        closing = {eoi_form(o.key): o.closing_date.isoformat() for o in config.opportunities}
        found = read_status(
            drive,
            sheets,
            today,
            destinations(config, loaded.targets, loaded.layouts),
            forms=forms,
            closing_dates=closing,
        )
    if as_json:
        click.echo(json.dumps(status_json(found), indent=2))
        sys.exit(found.exit_code)
    print_status(found, config)
    if found.exit_code:
        problems = [f"{len(found.unknown)} email(s) need a person to check"] if found.unknown else []
        refused = [sheet.name for sheet in found.sheet_details if sheet.sharing_refused]
        if refused:
            problems.append(f"the last sync wrote nothing into {len(refused)} spreadsheet(s); run sync to see why")
        click.echo(f"Error: {'; '.join(problems)}", err=True)
        sys.exit(found.exit_code)


def print_status(found, config) -> None:
    click.echo(f"forms deployed: {found.forms}")
    for form in found.form_details:
        state = "open" if form.open else "closed"
        closing = f", closing date {form.closing_date}" if form.closing_date else ""
        click.echo(f"form: {form.name}: {state}{closing}, {plural(form.responses, 'response')}: {form.link}")
    for sheet in found.sheet_details:
        rows = ", ".join(f"{tab} {count}" for tab, count in sheet.rows.items())
        click.echo(f"spreadsheet: {sheet.name}: {sheet.link}")
        click.echo(f"  rows: {rows or 'none'}")
        who = ", ".join(f"{g['who'] or g['type']} ({g['role']})" for g in sheet.can_open)
        click.echo(f"  who can open it: {who or 'nobody'}")
        if sheet.sharing_refused:
            click.echo(
                "  the last sync wrote nothing here: it is shared more widely than the config says, or could "
                "not be shared with someone the config names (run sync to see which)"
            )
    for form, newest in sorted(found.newest.items()):
        click.echo(f"newest response seen, {form}: {newest}")
    click.echo(f"emails sent today: {found.sent_today} (daily cap {config.email.daily_cap})")
    last = found.last_run or {}
    if last:
        click.echo(
            f"emails the last sync held for a later run (daily cap or Gmail's limits): {last.get('emails_held', 0)}; "
            f"decisions waiting for the grace period: {last.get('waiting_for_grace', 0)}"
        )
    for name, held in found.held_invitations.items():
        click.echo(
            f"interview invitations held until the interview details are filled in (see Needs checking), {name}: {held}"
        )
    for key, time in found.retry:
        click.echo(f"waiting to be sent by a later run ({time}): {key}")
    for key, state, time in found.failed:
        click.echo(f"not sent ({time}): {key}: {state}")
    for key, time in found.unknown:
        click.echo(
            f"UNKNOWN OUTCOME ({time}): {key}: check the Sent mail by hand, then run "
            f"ppp-gsuite email settle '{key}' --sent (it went) or --retry (it did not: send it again)"
        )
    if last:
        requests = ", ".join(f"{api} {count}" for api, count in last.get("requests", {}).items())
        click.echo(
            f"last sync: started {last.get('started')}, took {last.get('seconds')} s, exit code "
            f"{last.get('exit_code')}, requests: {requests or 'none'}"
        )
    else:
        click.echo("last sync: none recorded yet")
    if found.lease:
        click.echo(
            f"a sync is running (or was killed): it holds the run's lease ({found.lease['holder']}) "
            f"until {found.lease['expires']}"
        )


@main.group()
def email():
    """Emails that need a person."""


@email.command()
@click.argument("key")
@click.option("--sent", "outcome", flag_value="sent", help="It arrived (found in the Sent mail): never send it again.")
@click.option("--retry", "outcome", flag_value="retry", help="It did not go: the next sync sends it.")
@workspace_command
def settle(obj: Context, key: str, outcome: str | None):
    """Close an email whose outcome is unknown (its key as ppp-gsuite status shows it), either way."""
    from .connect import connect
    from .runlock import lock_file, single_run
    from .sync.settle import settle as settle_email
    from .vocabulary import SENT

    if outcome is None:
        raise click.UsageError("say what you found: --sent (it arrived) or --retry (it did not)")
    loaded = obj.load()
    with (
        single_run(lock_file(loaded.workspace.path)),
        connect(loaded.workspace) as clients,
        held_lease(loaded, clients),
    ):
        _forms, drive, sheets = config_apis(loaded, clients)
        state = settle_email(drive, sheets, key, outcome == SENT)
    click.echo(f"{key}: {state}" + (" (never sent again)" if state == SENT else " (the next sync sends it)"))


@main.command("preview-email")
@click.argument("name")
@click.option(
    "--response",
    "response_id",
    metavar="ID",
    default=None,
    help="Fill it in from this response's row (its Response ID) instead of sample details.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the HTML (default: .ppp-gsuite/previews/NAME.html).",
)
@workspace_command
def preview_email(obj: Context, name: str, response_id: str | None, output: str | None):
    """Print an email's subject and text with sample details, and write its HTML to a file."""
    from datetime import datetime
    from pathlib import Path

    from .mail.preview import preview

    loaded = obj.load()
    context = None
    if response_id:
        from .connect import connect
        from .sync.partner_support import current_agreement
        from .sync.preview import context_for
        from .sync.run import Sync

        with connect(loaded.workspace) as clients:
            job = Sync.for_workspace(loaded, clients, datetime.now(UTC))
            context = context_for(job.view_as_read(), response_id, name, current_agreement(job.targets))
    from .sync.emails import common_context

    config_context = common_context(loaded.workspace.config, None, name)
    own = {part: config_context[part] for part in ("organisation", "sender")}
    rendered = preview(loaded.workspace.templates_dir, name, context, own)
    click.echo(f"Subject: {rendered.subject}\n")
    click.echo(rendered.text)
    path = Path(output or Path(".ppp-gsuite") / "previews" / f"{name}.html")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rendered.html, encoding="utf-8")
    click.echo(f"(HTML written to {path})")


def held_lease(loaded, clients, changes: bool = True):
    """The run's lease for a command that changes what a sync reads and writes (leased_run.command_lease)."""
    import contextlib

    from .leased_run import command_lease

    if not changes:
        return contextlib.nullcontext()
    name = click.get_current_context().command_path.removeprefix(f"{main.name} ").strip()
    return command_lease(clients, loaded.workspace.config.sync.lease_seconds, name)


def _removal(obj: Context, dry_run: bool, plan, why: str):
    """Shared by purge and erase: find the rows, say how many, and remove them unless --dry-run."""
    from datetime import datetime

    from . import retention
    from .connect import connect
    from .runlock import lock_file, single_run
    from .sync.run import Sync

    loaded = obj.load()
    now = datetime.now(UTC)
    with (
        single_run(lock_file(loaded.workspace.path)),
        connect(loaded.workspace) as clients,
        held_lease(loaded, clients, changes=not dry_run),
    ):
        sync = retention.prepare(Sync.for_workspace(loaded, clients, now, emails=False))
        removal = plan(sync, now)
        verb = "would remove" if dry_run else "removed"
        click.echo(f"{plural(removal.people, 'person')}: {verb} {sum(removal.count().values())} rows")
        for where, count in sorted(removal.count().items()):
            click.echo(f"  {where}: {count}")
        if not dry_run and removal.rows:
            retention.apply(sync, removal, why, now)
    if removal.tombstones:
        click.echo(retention.BY_HAND)
        for response_id, form in sorted(removal.tombstones.items(), key=lambda item: item[1]):
            click.echo(f"  {form}: {response_id}")
    if dry_run:
        click.echo("Dry run: nothing was changed.")


@main.command()
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@workspace_command
def purge(obj: Context, dry_run: bool):
    """Remove people not appointed, or who withdrew, once retention_days have passed since."""
    from datetime import timedelta

    from .retention import purge_plan

    _removal(
        obj,
        dry_run,
        lambda sync, now: purge_plan(sync, timedelta(days=sync.config.retention_days), now),
        "retention period ended",
    )


@main.command()
@click.argument("reference")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@workspace_command
def erase(obj: Context, reference: str, dry_run: bool):
    """Remove one person, by their reference, from every spreadsheet (a request to be forgotten)."""
    from .retention import erase_plan

    _removal(obj, dry_run, lambda sync, now: erase_plan(sync, reference), "erased on request")


@main.command()
@workspace_command
def demo(obj: Context):
    """Play a fictional recruitment round on a fresh local workspace, then say what it holds.

    Deploys the forms; a dozen fictional applicants (example.org and example.com addresses,
    01632 960xxx drama numbers) fill in the form pages over HTTP as a browser does; the sync runs;
    the leads shortlist, invite, appoint and decline in their sheets; appointed partners answer the
    welcome form from their emails and two claim expenses, which an approver approves and queries;
    one partner withdraws consent to sharing through the preferences form; the sync runs again.
    It prints counts and links only.

    It refuses (exit 2) backend: google; PPP_GSUITE_LOCAL_URL (it starts its own workspace on the
    config's local.store, so a running `local serve`, and any request quota it applies, play no
    part); and a store that already holds forms, spreadsheets or mail: it never mixes fictional
    people into a workspace in use. To run it again, delete the
    store (local.store in the config). The config, its grace period included, is used as it is:
    later syncs run with their clock moved past email.grace_minutes, as if cron ran again later.
    """
    from datetime import datetime

    from .connect import LOCAL_URL_ENV, connect
    from .demo.browser import Browser
    from .demo.run import NotFresh, fast_forward, run_demo
    from .demo.summary import describe
    from .errors import EXIT_INVALID
    from .runlock import lock_file, single_run

    loaded = obj.load()
    workspace = loaded.workspace
    if workspace.config.backend != "local":
        click.echo(
            "Error: the demo makes up people and sends them email: it runs only on the local workspace "
            "(backend: local), never on Google. Use a config with backend: local.",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    if os.environ.get(LOCAL_URL_ENV):
        click.echo(
            f"Error: the demo starts its own local workspace on local.store; unset {LOCAL_URL_ENV} "
            "(and stop `ppp-gsuite local serve`), then run it again.",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    store = workspace.resolve(workspace.config.local.store)
    with single_run(lock_file(workspace.path)), connect(workspace) as clients:
        assert clients.public_url and clients.api_url  # the demo runs only on the local workspace
        browser = Browser(clients.public_url, clients.api_url)
        fast_forward(clients.pacer)
        try:
            played, summary = run_demo(loaded, clients, browser, datetime.now(UTC), click.echo)
        except NotFresh as refused:
            click.echo(
                f"Error: {refused} ({store}); the demo runs only on a fresh one, so it never mixes fictional "
                "people into a workspace in use. Open that one with `ppp-gsuite local serve`, or delete the "
                "store (or point local.store elsewhere) to run the demo.",
                err=True,
            )
            sys.exit(EXIT_INVALID)
    click.echo(
        f"The demo ran {played.syncs} syncs, moving their clock past the {workspace.config.email.grace_minutes}-minute "
        "grace period for decisions as if cron ran later: times it wrote (the email log, Status noted) run up to "
        f"{int(played.clock_moved.total_seconds() // 60)} minutes ahead of this machine's clock."
    )
    for line in describe(summary, clients.public_url or ""):
        click.echo(line)


@main.command()
@click.option("--once", is_flag=True, help="Check the watches, sync for the notifications waiting, then stop.")
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0),
    default=10,
    show_default=True,
    metavar="N",
    help="How long to wait between pulls when no notification came.",
)
@workspace_command
def watch(obj: Context, once: bool, poll_seconds: float):
    """Keep a Forms API watch on every form and sync within seconds of a response (Cloud Pub/Sub)."""
    import time
    from datetime import datetime, timedelta

    from .connect import connect, pubsub_for
    from .errors import EXIT_INVALID
    from .forms.deploy import find_deployed
    from .google.form_watches import FormWatches
    from .google.retry import policy_for
    from .leased_run import leased_run
    from .request_watch import RequestWatch
    from .runlease import LeaseHeld
    from .runlock import AlreadyRunning, lock_file, single_run
    from .sync_job import run_sync
    from .watch import Watcher

    loaded = obj.load()
    settings = loaded.workspace.config.watch
    if settings is None:
        click.echo(
            "Error: ppp-gsuite watch needs a watch: section in the config, with topic: projects/PROJECT/topics/NAME "
            "and subscription: projects/PROJECT/subscriptions/NAME (see the README, 'Near-real-time').",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    with connect(loaded.workspace) as clients:
        requests = RequestWatch().attach(clients)

        def sync(forms: set[str]) -> None:
            requests.by_api.clear()  # each sync's record counts its own requests
            lease_seconds = loaded.workspace.config.sync.lease_seconds
            # The same lease as `sync`: a cron sync elsewhere and this watch never both send.
            with single_run(lock_file(loaded.workspace.path)), leased_run(clients, lease_seconds, requests) as run:
                outcome = run_sync(loaded, clients, datetime.now(UTC))
                run.counts, run.exit_code = run_counts(outcome), sync_exit_code(outcome)
            report, mail = outcome.report, outcome.mail
            click.echo(
                f"sync at {outcome.now:%Y-%m-%d %H:%M:%S} UTC: {plural(report.responses, 'response')} read, "
                f"{plural(report.added, 'row')} added, {report.updated} updated"
                + (f"; emails: {mail.sent} sent" if mail else "")
            )
            problems = []
            if report.refused or report.not_shared:
                problems.append(f"{len(report.refused) + len(report.not_shared)} spreadsheet(s) were not written")
            if mail and (mail.unknown or mail.waiting_for_a_person):
                problems.append(f"{mail.unknown + mail.waiting_for_a_person} email(s) need a person to check")
            if problems:
                click.echo(f"warning: {'; '.join(problems)}: run ppp-gsuite sync to see what and why", err=True)

        watcher = Watcher(
            FormWatches(clients.forms),
            pubsub_for(loaded.workspace, clients),
            settings.topic,
            settings.subscription,
            lambda: find_deployed(config_apis(loaded, clients)[1]),  # each round its own retry budget
            sync,
            lambda: datetime.now(UTC),
            timedelta(hours=settings.renew_hours_before_expiry),
            timedelta(minutes=settings.check_minutes),
            say=click.echo,
            warn=lambda line: click.echo(line, err=True),
        )
        click.echo(f"watching as {clients.identity}; notifications from {settings.subscription}")
        while True:
            # Each round its own retry budget (a run's is the whole run; this process lasts days).
            watcher.watches = FormWatches(clients.forms, policy_for(loaded.workspace.config.retries))
            try:
                synced = watcher.step()
            except (AlreadyRunning, LeaseHeld) as running:  # unacknowledged, they come again in a moment
                click.echo(str(running))
                synced = 0
            if once:
                return
            if not synced:
                time.sleep(poll_seconds)


@main.group()
def report():
    """Reports for the engagement team."""


@report.command()
@workspace_command
def diversity(obj: Context):
    """Print equal-opportunities counts per question and opportunity, with counts under 5 hidden."""
    from .connect import connect
    from .reports.monitoring import read_monitoring

    loaded = obj.load()
    with connect(loaded.workspace) as clients:
        _forms, drive, sheets = config_apis(loaded, clients)
        click.echo(read_monitoring(loaded, drive, sheets))


@report.command()
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day, like 2027-04-01.")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day, like 2028-03-31.")
@workspace_command
def impact(obj: Context, start, end):
    """Print, per opportunity, the meetings held, attendance and the lead's lines of what changed."""
    from .connect import connect
    from .reports.impact import format_impact, impact

    loaded = obj.load()
    with connect(loaded.workspace) as clients:
        _forms, drive, sheets = config_apis(loaded, clients)
        found = impact(loaded, drive, sheets, start.date(), end.date())
        click.echo(format_impact(found, start.date(), end.date()))


@main.group()
def network():
    """The peer support network."""


@network.command()
@click.option("--event", required=True, help='The meeting, as the invitation names it: "Spring meeting, online".')
@click.option("--date", "day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Its date: 2027-03-18.")
@workspace_command
def invite(obj: Context, event: str, day):
    """Email the event's invitation to every partner whose latest consent allows it (once each), and the list to
    the engagement team."""
    from datetime import datetime

    from .connect import connect
    from .runlock import lock_file, single_run
    from .sync.network_invite import invite as send_invitations
    from .sync.run import Sync

    loaded = obj.load()
    with (
        single_run(lock_file(loaded.workspace.path)),
        connect(loaded.workspace) as clients,
        held_lease(loaded, clients),
    ):
        outcome = send_invitations(Sync.for_workspace(loaded, clients, datetime.now(UTC)), event, day.date())
    mail = outcome.mail
    assert mail is not None  # invite refuses to run without a mailer
    click.echo(
        f"peer support network, {day:%Y-%m-%d}: {plural(outcome.invited, 'partner')} may be invited "
        f"(their latest consent allows it); {outcome.new} invited now, the rest before; "
        f"{mail.failed} not sent (see the email log), {mail.held} held by the daily cap, {mail.unknown} with an unknown outcome."
    )
    if outcome.sheet:
        click.echo(f"  the engagement team's sheet: {outcome.sheet}")
    if mail.unknown or mail.failed or mail.held:
        sys.exit(EXIT_NEEDS_A_PERSON)


@main.group()
def local():
    """The local workspace: a stand-in for Google on this machine."""


@local.command()
@click.option("--port", type=int, default=None, help="Port to listen on (default: local.port in the config, 8470).")
@workspace_command
def serve(obj: Context, port: int | None):
    """Run the local workspace until Ctrl-C, so form links and sheets open in a browser."""
    from pathlib import Path

    from local_workspace.server import PortInUse, serve_forever

    from .config import load_config
    from .connect import serving_note

    workspace = load_config(obj.config_file)
    settings = workspace.config.local
    store = workspace.resolve(settings.store)
    Path(store).parent.mkdir(parents=True, exist_ok=True)
    port = port or settings.port
    url, note = f"http://127.0.0.1:{port}", serving_note(store)

    def ready():
        note.write_text(url, encoding="utf-8")  # so links other commands print open here, whatever --port says
        click.echo(f"Local workspace on {url}/ (store {store}); Ctrl-C stops it.")
        click.echo(f"Other commands use it when PPP_GSUITE_LOCAL_URL={url} is set, and print links to it.")

    try:
        serve_forever(str(store), port, on_ready=ready)
    except PortInUse as error:
        raise click.ClickException(str(error)) from None
    finally:
        if note.is_file() and note.read_text(encoding="utf-8") == url:
            note.unlink()


from .cli_auth import auth  # noqa: E402  (its commands use workspace_command above)

main.add_command(auth)

if __name__ == "__main__":
    main()
