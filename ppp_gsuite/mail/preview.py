"""`ppp-gsuite preview-email`: an email rendered with sample details, for staff editing templates."""

from __future__ import annotations

from pathlib import Path

from ..errors import PppError
from .templates import EMAILS, RenderedEmail, render, sample_context


def preview(templates_dir: Path, name: str, context: dict | None = None, own: dict | None = None) -> RenderedEmail:
    """`context` (a real row's), or the sample details with `own` (the config's organisation and
    sender, as the real emails get them) in place of the sample's."""
    if name not in EMAILS:
        raise PppError(f"there is no email called {name}; choose one of {', '.join(sorted(EMAILS))}")
    return render(templates_dir, name, context or {**sample_context(name), **(own or {})})
