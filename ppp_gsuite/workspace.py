"""Load everything a command needs from the config file, collecting every problem at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Workspace, load_config
from .errors import ValidationFailed
from .sheets.layout import Layout, check_layouts, load_layouts
from .specs.load import FormTarget, build_targets, load_specs, wanted_specs
from .vocabulary import EOI


def load_workspace(path: Path) -> tuple[Workspace, list[FormTarget]]:
    workspace = load_config(path)
    return workspace, build_targets(workspace, load_specs(workspace))


@dataclass
class Loaded:
    workspace: Workspace
    targets: list[FormTarget]
    layouts: dict[str, Layout]


def load_all(path: Path) -> Loaded:
    """Config, specs and sheet layouts, checked against each other; every problem reported at once."""
    workspace = load_config(path)
    problems = []
    try:
        specs = load_specs(workspace)
        targets = build_targets(workspace, specs)
    except ValidationFailed as failed:
        problems += failed.problems
        specs, targets = {}, []
    try:
        wanted = wanted_specs(workspace.config)
        layouts = {n: layout for n, layout in load_layouts(workspace.layouts_dir).items() if layout.form in wanted}
    except ValidationFailed as failed:
        problems += failed.problems
        layouts = {}
    from .mail.templates import check_templates

    problems += check_templates(workspace.templates_dir)
    if specs and layouts:
        added = {EOI: {item.key for o in workspace.config.opportunities for item in o.questions.add}}
        problems += check_layouts(layouts, specs, workspace.layouts_dir, added)
    if problems:
        raise ValidationFailed(problems)
    return Loaded(workspace, targets, layouts)
