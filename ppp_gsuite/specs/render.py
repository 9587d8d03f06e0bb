"""Fill spec text from the config with jinja2 (sandboxed, StrictUndefined: a typo fails at validate).

Forms are public, so a `{{ }}` must name one value (`organisation.name`), never a whole section of
the config (`organisation`), which would print every field of it; and form text includes no files.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateError, TemplateNotFound, Undefined
from jinja2.sandbox import SandboxedEnvironment

from ..mail.templates import long_date
from ..models import Model

ONE_VALUE = (str, int, float, Decimal, date)


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


class RenderError(Exception):
    def __init__(self, line: int | None, message: str):
        self.line = line
        super().__init__(message)


class _WholeObject(TemplateError):
    pass


class _NoFiles(BaseLoader):
    def get_source(self, environment: Environment, template: str) -> NoReturn:
        raise TemplateNotFound(template)


def _one_value(value: Any) -> Any:
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    if value is None or isinstance(value, bool) or not isinstance(value, ONE_VALUE):
        raise _WholeObject()
    return value


def _whole_object_message(text: str, context: dict[str, Any]) -> str:
    """Which {{ }} fills in something other than one value, and what to write instead."""
    for expression in EXPRESSION.findall(text):
        try:
            value = _env.compile_expression(expression)(**context)
        except TemplateError:
            continue
        if isinstance(value, ONE_VALUE) and not isinstance(value, bool):
            continue
        if value is None:
            return f"{{{{ {expression} }}}} is not set in the config; fill it in, or put the text inside {{% if {expression} %}}...{{% endif %}}"
        if isinstance(value, bool):
            return (
                f"{{{{ {expression} }}}} is true or false, not text; use it as {{% if {expression} %}}...{{% endif %}}"
            )
        what = "a list" if isinstance(value, (list, tuple)) else "a whole section of the config"
        example = expression
        while isinstance(value, (Model, list, tuple)) and value:
            if isinstance(value, Model):
                fields = list(type(value).model_fields)
                field = next((f for f in ("name", "group") if f in fields), fields[0])
                example, value = f"{example}.{field}", getattr(value, field)
            else:
                example, value = f"{example}[0]", value[0]
        hint = "name one entry, such as" if what == "a list" else "name one of its fields, such as"
        return f"{{{{ {expression} }}}} is {what}, and a form is public; {hint} {{{{ {example} }}}}"
    return f"{text[:40]!r} fills in something that is not text; name one value inside {{{{ }}}}"


EXPRESSION = re.compile(r"{{-?\s*(.+?)\s*-?}}")
_env = SandboxedEnvironment(
    undefined=_UnknownName,
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_one_value,
    loader=_NoFiles(),
)
_env.filters["long_date"] = long_date


def render_text(text: str, context: dict[str, Any], line: int | None = None) -> str:
    if "{" not in text:
        return text
    try:
        return _env.from_string(text).render(context).strip()
    except TemplateNotFound as exc:
        raise RenderError(
            line, f"form text cannot include other files ({exc.name}); write the text here instead"
        ) from None
    except _WholeObject:
        raise RenderError(line, _whole_object_message(text, context)) from None
    except TemplateError as exc:
        raise RenderError(
            line, f"cannot fill in {text[:40]!r}: {exc.message}; check the name inside {{{{ }}}}"
        ) from None


M = TypeVar("M", bound=Model)


def render_model(model: M, context: dict[str, Any]) -> M:
    """A copy of `model` with every text field rendered; lines are kept for later problems."""
    updates: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, str):
            updates[name] = render_text(value, context, model.line_of(name))
        elif isinstance(value, Model):
            updates[name] = render_model(value, context)
        elif isinstance(value, list):
            updates[name] = [
                render_model(v, context)
                if isinstance(v, Model)
                else render_text(v, context, model.line_of(name))
                if isinstance(v, str)
                else v
                for v in value
            ]
    return model.model_copy(update=updates)
