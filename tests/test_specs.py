"""Spec loading keeps text as text and merges each opportunity into the EOI base."""
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
