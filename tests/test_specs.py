"""Spec loading keeps text as text and merges each opportunity into the EOI base."""

from pathlib import Path

from ppp_gsuite.config import load_config
from ppp_gsuite.specs.load import build_targets, load_specs
from shared_workspace import minimal


def targets():
    return {t.key: t for t in minimal().targets}


def test_choices_stay_strings():
    choices = [c.label for c in targets()["expenses"].spec.item("how").choices]
    assert choices == ["Car", "Bus", "012"]
    consent = targets()["eoi-heart-board"].spec.item("consent_future")
    assert [c.label for c in consent.choices] == ["Yes", "No"]


def test_eoi_merge_order_base_then_additions_then_consent():
    spec = targets()["eoi-heart-board"].spec
    assert [s.key for s in spec.sections] == ["start", "about_you", "interests", "opportunity_questions", "consent"]
    assert spec.item("postcode") is None  # omitted by this opportunity
    assert spec.item("heart_experience") is not None
    other = targets()["eoi-eye-group"].spec
    assert other.item("postcode") is not None
    assert [s.key for s in other.sections][-1] == "consent"


def test_text_is_filled_in_from_the_role_description():
    spec = targets()["eoi-heart-board"].spec
    assert spec.title == "Expression of interest: Heart Care Board"
    assert spec.item("role_summary").help == "Read papers and share your views."


def test_a_jump_to_consent_lands_on_the_opportunitys_own_questions_first():
    spec = targets()["eoi-heart-board"].spec
    choice = next(c for c in spec.item("has_interests").choices if c.label == "No")
    assert choice.go_to == "opportunity_questions"
    other = targets()["eoi-eye-group"].spec  # no questions of its own: the jump stays on consent
    assert next(c for c in other.item("has_interests").choices if c.label == "No").go_to == "consent"


SHIPPED = Path(__file__).parent.parent / "ppp-gsuite.yaml"


def shipped_targets(tmp_path, response_days: int):
    """The worked example's forms, with the organisation's usual reply time set to `response_days`."""
    root = Path(__file__).parent.parent
    text = SHIPPED.read_text()
    assert "  response_days: 14\n" in text  # the example documents the setting and its default
    config = tmp_path / "ppp-gsuite.yaml"
    config.write_text(
        text.replace("  response_days: 14\n", f"  response_days: {response_days}\n").replace(
            "\nopportunities:",
            f"\nform_specs: {root / 'form_specs'}\nsheet_layouts: {root / 'sheet_layouts'}\n"
            f"email_templates: {root / 'email_templates'}\nopportunities:",
        )
    )
    workspace = load_config(config)
    return {t.key: t for t in build_targets(workspace, load_specs(workspace))}


def test_the_last_section_of_every_form_says_what_happens_next(tmp_path):
    forms = shipped_targets(tmp_path, 10)
    assert len(forms) == 8  # the maternity workstream's confidentiality agreement, and meeting feedback (meetings on)
    for target in forms.values():
        last = target.spec.sections[-1].items[-1]
        assert last.type == "text" and last.title == "What happens next", target.key
        assert len(last.help) > 80, target.key
    urgent = forms["eoi-urgent-care-board"].spec.sections[-1].items[-1].help
    assert "Monday 15 March 2027" in urgent  # the closing date
    assert "Thursday 25 March 2027" in urgent  # ten days later, the organisation's usual reply time
    assert "Daniel Whitfield" in urgent  # who to ask if nothing comes
    maternity = forms["eoi-maternity-childrens-workstream"].spec.sections[-1].items[-1].help
    assert "Friday 30 April 2027" in maternity and "Monday 10 May 2027" in maternity
    assert "within 10 days" in forms["needs_assessment"].spec.sections[-1].items[-1].help
