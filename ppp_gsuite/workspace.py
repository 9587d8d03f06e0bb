"""Load everything a command needs from the config file, collecting every problem at once."""
from __future__ import annotations

from pathlib import Path

from .config import Workspace, load_config
from .specs.load import FormTarget, build_targets, load_specs


def load_workspace(path: Path) -> tuple[Workspace, list[FormTarget]]:
    workspace = load_config(path)
    return workspace, build_targets(workspace, load_specs(workspace))
