"""The email templates folder as files: every file belongs to an email, every email has its three
parts, and templates include only the shared parts (files starting with "_"), each with file:line.

Rendering each email with sample details (mail.templates) catches the rest; these checks come first
so a missing or stray file is reported where a person can act on it, not as a render failure.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import jinja2
from jinja2 import nodes

from ..errors import Problem
from ..yamlload import shown

SHARED_PREFIX = "_"
NOT_TEMPLATES = {"README.md"}


def email_name(filename: str, parts: Collection[str]) -> str | None:
    for suffix in sorted(parts, key=len, reverse=True):
        if filename.endswith(suffix):
            return filename[: -len(suffix)]
    return None


def check_files(templates_dir: Path, emails: Collection[str], parts: Collection[str]) -> tuple[list[Problem], set[str]]:
    """Problems with the files themselves, and the emails that cannot be rendered because of them."""
    problems: list[Problem] = []
    for path in _template_paths(templates_dir):
        if path.name.startswith(SHARED_PREFIX):
            continue
        email = email_name(path.name, parts)
        if email is None:
            problems.append(
                Problem(
                    shown(path),
                    1,
                    f"not an email template: name it <email>{', <email>'.join(parts)} (the emails are {', '.join(emails)})",
                )
            )
        elif email not in emails:
            problems.append(
                Problem(shown(path), 1, f"there is no email called {email!r}; the emails are {', '.join(emails)}")
            )
    broken: set[str] = set()
    for name in emails:
        files = [templates_dir / (name + suffix) for suffix in parts]
        missing = [path for path in files if not path.is_file()]
        if not missing:
            continue
        broken.add(name)
        present = sorted((path for path in files if path.is_file()), key=lambda path: path.name != name + ".txt")
        names = ", ".join(path.name for path in missing)
        if present:
            problems.append(
                Problem(
                    shown(present[0]),
                    1,
                    f"{names} is missing: the email {name} needs {', '.join(p.name for p in files)}",
                )
            )
        else:
            problems.append(
                Problem(
                    shown(missing[0]),
                    None,
                    f"the email {name} has no templates: add {', '.join(p.name for p in files)}",
                )
            )
    include_problems, unusable = _check_includes(templates_dir)
    problems += include_problems
    for name in emails:
        if any(_reaches(templates_dir, name + suffix, unusable) for suffix in parts):
            broken.add(name)
    return problems, broken


def _template_paths(templates_dir: Path) -> list[Path]:
    return [
        path
        for path in sorted(templates_dir.iterdir())
        if path.is_file() and not path.name.startswith(".") and path.name not in NOT_TEMPLATES
    ]


def _includes(path: Path) -> list[tuple[int, object]]:
    """(line, name) of each {% include %}, {% extends %} and {% import %}; name is None when not quoted text."""
    try:
        tree = jinja2.Environment().parse(path.read_text(encoding="utf-8"))
    except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
        return []  # rendering reports it, with its line
    found = []
    for node in tree.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
        assert isinstance(node, (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport))  # what find_all found
        name = node.template.value if isinstance(node.template, nodes.Const) else None
        found.append((node.lineno, name))
    return found


def _check_includes(templates_dir: Path) -> tuple[list[Problem], set[str]]:
    """Each include names a shared part of this folder that exists; a missing one is reported once."""
    problems, unusable = [], set()
    missing: dict[str, list[tuple[Path, int]]] = {}
    shared = sorted(p.name for p in templates_dir.iterdir() if p.name.startswith(SHARED_PREFIX))
    for path in _template_paths(templates_dir):
        for line, name in _includes(path):
            if not isinstance(name, str) or not name.startswith(SHARED_PREFIX) or "/" in name or "\\" in name:
                unusable.add(path.name)
                problems.append(
                    Problem(
                        shown(path),
                        line,
                        f"includes {name or 'a name that is not quoted text'}; a template may include only the shared parts of this folder: {', '.join(shared)}",
                    )
                )
            elif not (templates_dir / name).is_file():
                unusable.add(path.name)
                missing.setdefault(name, []).append((path, line))
    for name, places in missing.items():
        path, line = places[0]
        more = f" (and {len(places) - 1} more templates include it)" if len(places) > 1 else ""
        problems.append(
            Problem(
                shown(path),
                line,
                f"includes {name}, but {shown(templates_dir / name)} does not exist; restore it or include one of {', '.join(shared)}{more}",
            )
        )
    return problems, unusable


def _reaches(templates_dir: Path, filename: str, unusable: set[str], seen: set[str] | None = None) -> bool:
    """Whether rendering `filename` would reach a template with a bad include."""
    seen = seen if seen is not None else set()
    if filename in unusable:
        return True
    if filename in seen or not (templates_dir / filename).is_file():
        return False
    seen.add(filename)
    return any(
        isinstance(name, str) and _reaches(templates_dir, name, unusable, seen)
        for _, name in _includes(templates_dir / filename)
    )
