"""Where the sign-in is kept: a token or key tracked by git, or readable by others, is a warning."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from .config import Workspace
from .errors import Problem
from .yamlload import shown


def credential_paths(workspace: Workspace) -> list[tuple[str, Path]]:
    """(config key, path) of each credentials file the config names."""
    config = workspace.config
    named = []
    if config.google is not None:
        named.append(("google.credentials", config.google.credentials))
    if config.local.credentials:
        named.append(("local.credentials", config.local.credentials))
    return [(key, workspace.resolve(value)) for key, value in named]


def credential_warnings(workspace: Workspace) -> list[Problem]:
    file = shown(workspace.path)
    problems = []
    for key, path in credential_paths(workspace):
        if tracked_by_git(path):
            problems.append(
                Problem(
                    file,
                    None,
                    f"{key} ({path.name}) is tracked by git: a sign-in must never be committed; run "
                    f"`git rm --cached {path}`, add it to .gitignore, and sign in again (`ppp-gsuite auth login`) "
                    "so the committed one stops working",
                    level="warning",
                )
            )
        if path.exists() and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            problems.append(
                Problem(
                    file,
                    None,
                    f"{key} ({path.name}) can be read by other users of this machine: run `chmod 600 {path}`",
                    level="warning",
                )
            )
    return problems


def tracked_by_git(path: Path) -> bool:
    """Whether `path` is in the index of the git repository around it (False where there is none)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "--error-unmatch", "--", str(path)],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
