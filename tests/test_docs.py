"""The docs and the shipped example stay honest."""

import re
from pathlib import Path

import click
from click.testing import CliRunner

from ppp_gsuite.cli import main

ROOT = Path(__file__).parent.parent


def commands(group=main, prefix="ppp-gsuite"):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name, command in commands():
        assert command.help, f"{name} has no help"
        assert f"`{name}" in readme, f"{name} is not in the README"


def test_quick_start_has_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start")[1].split("\n## ")[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert len(blocks) == 2 and all(len(b.strip().splitlines()) == 1 for b in blocks)
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1].strip() in ci, ".ci/run must run the README's test command"


def test_the_shipped_example_is_valid(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "2 opportunities" in result.stdout


# --- The README's Commands table against the click commands, both ways -------------------------

GLOBAL_OPTIONS = {"--config", "--help", "-h"}  # every command takes them; the README says so once, below the table


def readme_commands_table() -> dict[str, str]:
    """'ppp-gsuite sync' -> '[--full]': the first cell of each row of the README's Commands table."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Commands\n")[1].split("\n## ")[0]
    rows = {}
    for line in section.splitlines():
        cell = re.match(r"\| `(ppp-gsuite [^`]*)` \|", line)
        if cell:
            usage = cell.group(1)
            name = re.match(r"ppp-gsuite( [a-z][a-z-]*)+", usage).group(0)
            rows[name] = usage[len(name) :]
    return rows


def cli_usage(command) -> tuple[set[str], set[str]]:
    """The options (long names) and arguments (upper-case, as in the README) a click command takes."""
    options, arguments = set(), set()
    for param in command.params:
        if isinstance(param, click.Argument):
            arguments.add(param.human_readable_name.upper())
        else:
            options.update(name for name in param.opts if name.startswith("--"))
    return options - GLOBAL_OPTIONS, arguments


def readme_usage(usage: str) -> tuple[set[str], set[str]]:
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", usage))
    arguments = set(re.findall(r"\b[A-Z][A-Z_]*\b", re.sub(r"\[[^\]]*\]", "", usage)))
    return options, arguments


def test_the_readme_commands_table_lists_every_command_and_no_other():
    in_cli = {name for name, _ in commands()}
    in_readme = set(readme_commands_table())
    assert in_cli - in_readme == set(), "commands missing from the README's Commands table"
    assert in_readme - in_cli == set(), "the README's Commands table names commands the CLI lacks"


def test_the_readme_commands_table_lists_every_option_and_no_other():
    table = readme_commands_table()
    for name, command in commands():
        if name not in table:
            continue  # reported by the test above
        cli_options, cli_arguments = cli_usage(command)
        readme_options, readme_arguments = readme_usage(table[name])
        assert cli_options - readme_options == set(), f"{name}: options missing from the README's table"
        assert readme_options - cli_options == set(), f"{name}: the README's table gives options the CLI lacks"
        assert cli_arguments == readme_arguments, f"{name}: arguments differ between the CLI and the README"


def test_every_command_takes_config_as_the_readme_says():
    readme = (ROOT / "README.md").read_text()
    assert "Every command takes `--config PATH`" in readme
    for name, command in commands():
        assert any("--config" in param.opts for param in command.params), f"{name} does not take --config"
