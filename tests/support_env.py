"""The minimal workspace with support after appointment switched on: the heart board asks for a
confidentiality agreement (its form and layout copied from the worked example), and its expressions of
interest carry the columns a lead keeps after appointment (as the worked example's layout has them)."""

import shutil
from pathlib import Path

from ppp_gsuite.forms.deploy import deploy
from ppp_gsuite.sheets.a1 import cell_range
from ppp_gsuite.workspace import load_all
from sync_env import EOI, MINIMAL, TAB, Env

ROOT = Path(__file__).parent.parent
HEART = "opportunity:heart-board"
AGREEMENT = "confidentiality_agreement"
NEEDS = "needs_assessment"
SUPPORT_COLUMNS = """\
  - {tool: confidentiality, header: Confidentiality agreement}
  - {lead: induction_done, header: Induction done, choices: ["Yes", "No"]}
  - {lead: last_review, header: Last 1:1 review}
  - {lead: term_end, header: Term end}
"""


SCHEME = """support_scheme:
  coordinators: [{name: Kim Coordinator, email: kim@example.org}]
  supporters:
    - {name: Lee Supporter, email: lee@example.org}
    - {name: Max Supporter, email: max@example.org}
"""


def with_support(root: Path) -> None:
    shutil.copytree(MINIMAL, root, dirs_exist_ok=True)
    shutil.copy(ROOT / "form_specs" / f"{AGREEMENT}.yaml", root / "form_specs")
    shutil.copy(ROOT / "sheet_layouts" / "confidentiality_agreements.yaml", root / "sheet_layouts")
    layout = root / "sheet_layouts" / "expressions_of_interest.yaml"
    text = layout.read_text().replace("Not appointed, Withdrawn]", "Not appointed, Withdrawn, Term ended]")
    layout.write_text(text.replace("  - {tool: flags,", SUPPORT_COLUMNS + "  - {tool: flags,", 1))
    for name in ("support_request", "support_evaluation"):
        shutil.copy(ROOT / "form_specs" / f"{name}.yaml", root / "form_specs")
        shutil.copy(ROOT / "sheet_layouts" / f"{name}s.yaml", root / "sheet_layouts")
    config = root / "ppp-gsuite.yaml"
    config.write_text(
        config.read_text().replace(
            '    closing_date: "2027-01-31"',
            '    support: {confidentiality_agreement: true, review_months: 6}\n    closing_date: "2027-01-31"',
        )
        + SCHEME
    )


class SupportEnv(Env):
    def redeploy(self):
        """After a spec was edited: load the workspace again and deploy the change."""
        self.loaded = load_all(self.root / "ppp-gsuite.yaml")
        deploy(self.loaded.targets, self.forms, self.drive, self.clock.date())

    def row(self, name):
        return next(r for r in self.records(HEART) if r["Name"] == name)

    def set_cell(self, name, header, value):
        values = self.tab(HEART)
        headers = values[0]
        number = next(i for i, row in enumerate(values) if len(row) > 1 and row[headers.index("Name")] == name)
        column = headers.index(header)
        self.write(HEART, [(cell_range(TAB, number + 1, column, column), [[value]])])

    def appoint(self, name):
        """`name` applies to the heart board and is appointed; the appointment stands past the grace period."""
        self.answer("eoi-heart-board", EOI, full_name=name, email=f"{name.lower()}@example.org")
        self.apply(emails=True)
        self.set_cell(name, "Status", "Appointed")
        self.apply(emails=True, minutes=1)
        self.apply(emails=True, minutes=20)

    def outbox(self, to=None, subject=""):
        messages = self.local.json("GET", "/_local/gmail/messages")["messages"]
        return [m for m in messages if (to is None or to in m["to"]) and subject in m["subject"]]
