"""A folder of organisations' configs (orgs/NAME.yaml), each the minimal workspace with its own
name, people and account, sharing the form specs, sheet layouts and templates one level up."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ppp_gsuite.forms.items import question_id

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
EOI = "expression_of_interest"
TAB = "Expressions of interest"


def write_orgs(root: Path, names: list[str], store: str | None = None) -> dict[str, Path]:
    """orgs/<name>.yaml for each name, signing in as involvement@<name>.example.org; returns the paths."""
    for part in ("form_specs", "sheet_layouts"):
        shutil.copytree(MINIMAL / part, root / part)
    shutil.copytree(MINIMAL / "email_templates", root / "email_templates")
    base = yaml.safe_load((MINIMAL / "ppp-gsuite.yaml").read_text())
    (root / "orgs").mkdir()
    paths = {}
    for name in names:
        domain = f"{name}.example.org"
        config = yaml.safe_load(yaml.safe_dump(base))
        config["organisation"]["name"] = f"{name.title()} Care Partnership"
        config["organisation"]["engagement_email"] = f"involvement@{domain}"
        config["sender"]["email"] = f"involvement@{domain}"
        config["engagement_team"] = [{"name": "Sam Engage", "email": f"sam@{domain}"}]
        config["expenses_approvers"] = [{"name": "Pat Finance", "email": f"pat@{domain}"}]
        for opportunity in config["opportunities"]:
            opportunity["lead_contact"]["email"] = f"lead-{opportunity['key']}@{domain}"
        config["local"] = {"account": f"involvement@{domain}"} | ({"store": store} if store else {})
        config.update(
            form_specs="../form_specs", sheet_layouts="../sheet_layouts", email_templates="../email_templates"
        )
        paths[name] = root / "orgs" / f"{name}.yaml"
        paths[name].write_text(yaml.safe_dump(config, sort_keys=False))
    return paths


def account(name: str) -> str:
    return f"involvement@{name}.example.org"


def eoi_answers(full_name: str, email: str) -> dict:
    """A response to the expression of interest, as the local workspace's control takes it."""
    answers = {"full_name": full_name, "email": email}
    return {
        "answers": {
            question_id(EOI, key): {"questionId": question_id(EOI, key), "textAnswers": {"answers": [{"value": value}]}}
            for key, value in answers.items()
        }
    }
