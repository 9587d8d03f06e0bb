"""Load form specs, merge each opportunity into the EOI base, fill in the text, and check the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..config import Config, Opportunity, Workspace
from ..errors import Problem, ValidationFailed
from ..models import Model, parse
from ..vocabulary import (
    CONFIDENTIALITY_FORM,
    EOI,
    MEETING_FEEDBACK,
    ROLE_DESCRIPTION,
    SPEC_NAMES,
    SUPPORT_EVALUATION,
    SUPPORT_REQUEST,
)
from ..vocabulary import MONITORING_FORM as MONITORING
from ..yamlload import load, shown
from .models import SKIP_LOGIC_TYPES, SUBMIT, Choice, FormSpec, Item, Section
from .render import RenderError, render_model

OPPORTUNITIES_PLACEHOLDER = "OPPORTUNITIES"  # a choice that stands for every opportunity's group name
CONSENT_SECTION = "consent"
OPPORTUNITY_SECTION = "opportunity_questions"


@dataclass(frozen=True)
class FormTarget:
    """One form to deploy: a spec, filled in (and for an EOI merged with its opportunity)."""

    key: str  # stable name used in Drive appProperties: "eoi-<opportunity>" or the spec name
    spec_name: str
    spec: FormSpec
    opportunity: Opportunity | None = None
    file: str = ""  # the spec file, as shown to a person
    config_file: str = ""  # where the opportunity's own questions are written
    config_keys: frozenset[str] = frozenset()

    def where(self, key: str, field: str = "title") -> tuple[str, int | None]:
        """The file and line of an item's field, for a problem found after loading (by the planner)."""
        item = self.spec.item(key)
        file = self.config_file if key in self.config_keys else self.file
        return file, item.line_of(field) if item else None

    @property
    def label(self) -> str:
        if self.opportunity:
            return f"expression of interest for {self.opportunity.group}"
        return self.spec_name.replace("_", " ")


def load_spec(path: Path) -> FormSpec:
    spec = parse(FormSpec, load(path), shown(path))
    problems = check_structure(spec, lambda item: shown(path))
    if problems:
        raise ValidationFailed(problems)
    return spec


def load_specs(workspace: Workspace) -> dict[str, FormSpec]:
    specs, problems = {}, []
    for name in wanted_specs(workspace.config):
        path = workspace.specs_dir / f"{name}.yaml"
        try:
            specs[name] = load_spec(path)
        except ValidationFailed as failed:
            problems.extend(failed.problems)
    problems += _unknown_spec_files(workspace.specs_dir)
    if problems:
        raise ValidationFailed(problems)
    return specs


def _unknown_spec_files(directory: Path) -> list[Problem]:
    """A spec under a name no form has (a typo, a copy) would be silently left out: refuse it."""
    if not directory.is_dir():
        return []
    return [
        Problem(
            shown(path),
            1,
            f"not a form spec: the forms are {', '.join(f'{n}.yaml' for n in SPEC_NAMES)}; rename or remove this file",
        )
        for path in sorted(directory.iterdir())
        if path.suffix in (".yaml", ".yml") and path.stem not in SPEC_NAMES
    ]


def build_targets(workspace: Workspace, specs: dict[str, FormSpec]) -> list[FormTarget]:
    """Every form the workspace deploys: one EOI per opportunity, then the shared forms."""
    config = workspace.config
    eoi_file = shown(workspace.specs_dir / f"{EOI}.yaml")
    problems: list[Problem] = []
    targets = []
    for opportunity in config.opportunities:
        try:
            merged, additions = merge_opportunity(specs[EOI], opportunity, eoi_file, shown(workspace.path))
            file_of = lambda item, a=additions: shown(workspace.path) if getattr(item, "key", None) in a else eoi_file  # noqa: E731
            problems.extend(check_structure(merged, file_of))
            context = {
                "organisation": config.organisation,
                "opportunity": opportunity,
                "config": config,
                "reply_by": config.reply_by(opportunity),
            }
            spec = _render(merged, context, file_of)
            targets.append(
                FormTarget(
                    f"eoi-{opportunity.key}",
                    EOI,
                    spec,
                    opportunity,
                    eoi_file,
                    shown(workspace.path),
                    frozenset(additions),
                )
            )
        except ValidationFailed as failed:
            problems.extend(failed.problems)
    for name in wanted_specs(config)[1:]:
        try:
            context = {"organisation": config.organisation, "config": config}
            file = shown(workspace.specs_dir / f"{name}.yaml")
            spec = _render(specs[name], context, _all_in(file))
            spec = _expand_opportunities(spec, [o.group for o in config.opportunities])
            targets.append(FormTarget(name, name, spec, file=file))
        except ValidationFailed as failed:
            problems.extend(failed.problems)
    if problems:
        raise ValidationFailed(problems)
    return targets


def wanted_specs(config: Config) -> tuple[str, ...]:
    """The forms this organisation deploys: monitoring and meeting feedback are optional, and the confidentiality agreement is
    deployed only when an opportunity asks its partners to sign one."""
    optional = {
        MONITORING: config.equal_opportunities_monitoring,
        CONFIDENTIALITY_FORM: any(o.support.confidentiality_agreement for o in config.opportunities),
        SUPPORT_REQUEST: config.support_scheme is not None,
        SUPPORT_EVALUATION: config.support_scheme is not None,
        ROLE_DESCRIPTION: config.role_description_form,
        MEETING_FEEDBACK: config.meetings is not None,
    }
    return tuple(n for n in SPEC_NAMES if optional.get(n, True))


def _expand_opportunities(spec: FormSpec, groups: list[str]) -> FormSpec:
    """A choice "OPPORTUNITIES" becomes one choice per opportunity (a list YAML text cannot loop over)."""
    sections = []
    for section in spec.sections:
        items = []
        for item in section.items:
            if item.choices and any(c.label == OPPORTUNITIES_PLACEHOLDER for c in item.choices):
                choices = []
                for choice in item.choices:
                    if choice.label == OPPORTUNITIES_PLACEHOLDER:
                        choices += [Choice(label=group) for group in groups]
                    else:
                        choices.append(choice)
                item = item.model_copy(update={"choices": choices})
            items.append(item)
        sections.append(section.model_copy(update={"items": items}))
    return spec.model_copy(update={"sections": sections})


_M = TypeVar("_M", bound=Model)


def _all_in(file: str) -> Callable[[Model], str]:
    """file_of for a spec read from one file."""
    return lambda _: file


def _render(spec: FormSpec, context: dict[str, Any], file_of: Callable[[Model], str]) -> FormSpec:
    """Fill in every text; explanatory text that fills in as nothing is left out, a question never is."""
    problems: list[Problem] = []

    def fill(model: _M, file: str) -> _M:
        try:
            return render_model(model, context)
        except RenderError as exc:
            problems.append(Problem(file, exc.line, str(exc)))
            return model

    sections = []
    for section in spec.sections:
        items = [fill(item, file_of(item)) for item in section.items]
        problems.extend(
            Problem(
                file_of(item),
                item.line_of("title"),
                f"{item.key}: a question needs a title: the words people answer, and its column's header",
            )
            for item in items
            if item.is_question and not item.title.strip()
        )
        shell = fill(section.model_copy(update={"items": []}), file_of(section))
        sections.append(shell.model_copy(update={"items": [i for i in items if i.title or i.help]}))
    head = fill(spec.model_copy(update={"sections": []}), file_of(spec))
    if problems:
        raise ValidationFailed(problems)
    return head.model_copy(update={"sections": sections})


def merge_opportunity(
    base: FormSpec, opportunity: Opportunity, base_file: str, config_file: str
) -> tuple[FormSpec, set[str]]:
    """Base order, minus what the opportunity leaves out, then its own questions, then consent."""
    wanted = opportunity.questions
    problems = []
    for key in wanted.omit:
        item = base.item(key)
        if item is None:
            problems.append(
                Problem(
                    config_file,
                    wanted.line,
                    f"opportunity {opportunity.key} leaves out {key}, which the expression of interest does not have; remove it from omit",
                )
            )
        elif not item.omittable:
            problems.append(
                Problem(
                    config_file,
                    wanted.line,
                    f"opportunity {opportunity.key} leaves out {key}, a standard question every expression of interest must ask; remove it from omit",
                )
            )
    if not any(s.key == CONSENT_SECTION for s in base.sections):
        problems.append(
            Problem(
                base_file, base.line, f"the expression of interest needs a last section with key: {CONSENT_SECTION}"
            )
        )
    if problems:
        raise ValidationFailed(problems)
    sections: list[Section] = []
    for section in base.sections:
        if section.key == CONSENT_SECTION and wanted.add:
            sections.append(Section(key=OPPORTUNITY_SECTION, title=wanted.section_title, items=wanted.add))
        items = [
            _land_before_consent(item) if wanted.add else item for item in section.items if item.key not in wanted.omit
        ]
        sections.append(section.model_copy(update={"items": items}))
    return base.model_copy(update={"sections": sections}), {item.key for item in wanted.add}


def _land_before_consent(item: Item) -> Item:
    """A jump to the consent section lands on the opportunity's own questions, so none is skipped."""
    if not any(choice.go_to == CONSENT_SECTION for choice in item.choices or ()):
        return item
    choices = [
        c.model_copy(update={"go_to": OPPORTUNITY_SECTION}) if c.go_to == CONSENT_SECTION else c
        for c in item.choices or ()
    ]
    return item.model_copy(update={"choices": choices})


def check_structure(spec: FormSpec, file_of: Callable[[Model], str]) -> list[Problem]:
    """Rules across items: unique keys, skip logic to a later section, consent questions asked plainly."""
    problems = []
    seen: dict[str, Item] = {}
    section_keys = [s.key for s in spec.sections]
    for position, section in enumerate(spec.sections):
        if section.key in section_keys[:position]:
            problems.append(
                Problem(
                    file_of(section),
                    section.line,
                    f"the section key {section.key} is used twice; give each section its own key",
                )
            )
        if position and not section.title:
            problems.append(
                Problem(
                    file_of(section),
                    section.line,
                    f"section {section.key} needs a title: every section after the first is a page with a heading",
                )
            )
        for item in section.items:
            if item.key in seen or item.key in section_keys:
                problems.append(
                    Problem(
                        file_of(item),
                        item.line,
                        f"the key {item.key} is used twice in this form; keys name columns, so give each question its own",
                    )
                )
            seen[item.key] = item
            for choice in item.choices or ():
                if not choice.go_to or item.type not in SKIP_LOGIC_TYPES or choice.go_to == SUBMIT:
                    continue
                if choice.go_to not in section_keys:
                    problems.append(
                        Problem(
                            file_of(item),
                            choice.line or item.line,
                            f"{item.key}: choice {choice.label!r} goes to section {choice.go_to}, which this form does not have; write one of {', '.join(section_keys[1:])} or submit",
                        )
                    )
                elif section_keys.index(choice.go_to) <= position:
                    problems.append(
                        Problem(
                            file_of(item),
                            choice.line or item.line,
                            f"{item.key}: choice {choice.label!r} goes back to section {choice.go_to}; skip logic may only go forward",
                        )
                    )
            problems += _wording_problems(spec, item, file_of)
            if item.consent and item.type not in SKIP_LOGIC_TYPES | {"multiple_choice"}:
                problems.append(
                    Problem(
                        file_of(item),
                        item.line,
                        f"{item.key}: a consent question must be a choice question with its own answer",
                    )
                )
    asked = spec.consent_items()
    if (
        asked and spec.item("reference") is not None and spec.link_code_item() is None
    ):  # a reference is no proof of who answers
        problems.append(
            Problem(
                file_of(asked[0]),
                asked[0].line,
                f"{asked[0].key}: a consent asked through a person's link needs "
                "their link code too: add an item `key: link_code, type: link_code` next to the reference",
            )
        )
    return problems


def _wording_problems(spec: FormSpec, item: Item, file_of: Callable[[Model], str]) -> list[Problem]:
    """An agreement's consent names the texts it agrees to (`wording_includes`): each must be explanatory
    text of this form, and the form must say which version of the wording it shows."""
    if not item.wording_includes:
        return []
    problems = []
    if not item.consent:
        problems.append(
            Problem(
                file_of(item),
                item.line,
                f"{item.key}: wording_includes belongs to a consent question; add consent: or remove it",
            )
        )
    for key in item.wording_includes:
        included = spec.item(key)
        if included is None or included.type != "text":
            problems.append(
                Problem(
                    file_of(item),
                    item.line_of("wording_includes") or item.line,
                    f"{item.key}: wording_includes names {key}, which is not explanatory text (type: text) of this form; "
                    f"write the key of the text that holds the wording",
                )
            )
    if not (spec.version or "").strip():
        problems.append(
            Problem(
                file_of(spec),
                spec.line,
                f'{item.key} agrees to a wording: add `version:` at the top of the form (for example version: "1"), '
                "so leads see which version each partner agreed to",
            )
        )
    return problems
