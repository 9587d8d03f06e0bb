"""The docs and the shipped example stay honest."""
import re
from pathlib import Path

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
