"""Fill spec text from the config with jinja2 (sandboxed, StrictUndefined: a typo fails at validate)."""
from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..models import Model



class _UnknownName(StrictUndefined):
    """Names the missing field and the fields there are, not jinja's "'...Opportunity object' has no attribute"."""

    @property
    def _undefined_message(self) -> str:
        owner, name = self._undefined_obj, self._undefined_name
        if isinstance(owner, Model):
            fields = ", ".join(field for field in type(owner).model_fields if not field.startswith("_"))
            return f"there is no {name!r} there; write one of {fields}"
        if isinstance(owner, dict):
            return f"there is no {name!r} there; write one of {', '.join(map(str, owner))}"
        return super()._undefined_message


_env = SandboxedEnvironment(undefined=_UnknownName, autoescape=False, trim_blocks=True, lstrip_blocks=True)


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


def render_model(model: Model, context: dict[str, Any]) -> Model:
    """A copy of `model` with every text field rendered; lines are kept for later problems."""
    updates = {}
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
