"""Fill spec text from the config with jinja2 (sandboxed, StrictUndefined: a typo fails at validate)."""
from __future__ import annotations

from typing import Any, TypeVar

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..models import Model

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)


class RenderError(Exception):
    def __init__(self, line: int | None, message: str):
        self.line = line
        super().__init__(message)


def render_text(text: str, context: dict[str, Any], line: int | None = None) -> str:
    if "{" not in text:
        return text
    try:
        return _env.from_string(text).render(context).strip()
    except TemplateError as exc:
        raise RenderError(line, f"cannot fill in {text[:40]!r}: {exc.message}; check the name inside {{{{ }}}}") from None


M = TypeVar("M", bound=Model)


def render_model(model: M, context: dict[str, Any]) -> M:
    """A copy of `model` with every text field rendered; lines are kept for later problems."""
    updates: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, str):
            updates[name] = render_text(value, context, model.line)
        elif isinstance(value, Model):
            updates[name] = render_model(value, context)
        elif isinstance(value, list):
            updates[name] = [
                render_model(v, context) if isinstance(v, Model)
                else render_text(v, context, model.line) if isinstance(v, str) else v
                for v in value
            ]
    copy = model.model_copy(update=updates)
    copy._line = model.line
    return copy
