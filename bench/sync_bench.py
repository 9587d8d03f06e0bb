"""Benchmark the sync: seed N responses over many forms through the local workspace, run sync, print figures.

    .venv/bin/python bench/sync_bench.py --responses 10000 --opportunities 20

Runs the local workspace in its own process (so the figures are the sync's alone), deploys the
forms of a generated config with the given number of opportunities, seeds responses through the
/_local/ test control, then runs the sync three times: the first run (which also creates and lays
out the spreadsheets), a run with nothing new, and a run with new and edited responses. For each it
prints responses, forms, spreadsheets, requests by API method, wall seconds and peak memory, and the
request budget of the issue it answers to.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ppp_gsuite.config import LocalSettings  # noqa: E402
from ppp_gsuite.connect import signed_in_local_clients  # noqa: E402
from ppp_gsuite.forms.deploy import deploy  # noqa: E402
from ppp_gsuite.forms.items import question_id  # noqa: E402
from ppp_gsuite.google.drive_api import DriveApi  # noqa: E402
from ppp_gsuite.google.forms_api import FormsApi  # noqa: E402
from ppp_gsuite.google.sheets_api import SheetsApi  # noqa: E402
from ppp_gsuite.sync.run import new_sync  # noqa: E402
from ppp_gsuite.workspace import load_all  # noqa: E402

FEW = 5  # finding what was deployed, the admin read, the high-water marks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_config(folder: Path, opportunities: int) -> Path:
    config = yaml.safe_load((ROOT / "ppp-gsuite.yaml").read_text())
    template = config["opportunities"][0]
    config["opportunities"] = [
        {**template, "key": f"board-{n:02d}", "group": f"Board number {n}"} for n in range(opportunities)
    ]
    config["form_specs"] = str(ROOT / "form_specs")
    config["sheet_layouts"] = str(ROOT / "sheet_layouts")
    config["email_templates"] = str(ROOT / "email_templates")
    path = folder / "ppp-gsuite.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def post(url: str, body: dict, method: str = "POST") -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def requests_so_far(url: str) -> list[dict]:
    with urllib.request.urlopen(url + "/_local/requests") as answer:
        return json.loads(answer.read())["requests"]


def answer(spec: str, key: str, value: str) -> tuple[str, dict]:
    qid = question_id(spec, key)
    return qid, {"questionId": qid, "textAnswers": {"answers": [{"value": value}]}}


def eoi_response(n: int, rng: random.Random) -> dict:
    spec = "expression_of_interest"
    answers = dict(
        [
            answer(spec, "full_name", f"Applicant {n}"),
            answer(spec, "email", f"applicant{n}@example.org"),
            answer(spec, "phone", f"01632 96{n % 10000:04d}"),
            answer(spec, "about_yourself", "I care for my mother and use local services. " * rng.randint(1, 8)),
            answer(
                spec, "what_interests_you", '=HYPERLINK("http://example.org")' if n % 97 == 0 else "Making care better."
            ),
            answer(spec, "what_you_would_bring", "Lived experience."),
            answer(spec, "privacy_agreement", "I agree"),
            answer(spec, "future_opportunities", rng.choice(["Yes", "No"])),
        ]
    )
    return {"answers": answers}


def joined_response(spec: str, reference: str, rng: random.Random) -> dict:
    pairs = [answer(spec, "reference", reference)]
    if spec == "expenses":
        pairs += [
            answer(spec, "claim_for", "Board meeting"),
            answer(spec, "activity_date", "2026-10-01"),
            answer(spec, "travel_mode", "Car or van"),
            answer(spec, "miles", str(rng.randint(1, 60))),
        ]
    return {"answers": dict(pairs)}


def run_sync(loaded, url: str, label: str, budget: str, budget_of) -> None:
    clients = signed_in_local_clients(url, LocalSettings())
    before = len(requests_so_far(url))
    tracemalloc.start()
    started = time.perf_counter()
    report = new_sync(
        loaded, FormsApi(clients.forms), DriveApi(clients.drive), SheetsApi(clients.sheets), datetime.now(UTC)
    ).run()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    made = requests_so_far(url)[before:]
    by_method = Counter(r["methodId"] for r in made)
    writes = sum(1 for r in made if r["method"] != "GET")
    spreadsheets = len(report.sheets)
    allowed = budget_of(report.pages, spreadsheets, len(loaded.targets))
    print(f"\n== {label}")
    print(
        f"responses read: {report.responses}  rows added: {report.added}  updated: {report.updated}  "
        f"flagged: {report.flagged}  unmatched: {report.unmatched}"
    )
    print(f"forms: {len(loaded.targets)}  spreadsheets: {spreadsheets}  pages of responses: {report.pages}")
    print(
        f"requests: {len(made)} ({writes} writes); budget {budget} = {allowed}: {'OK' if len(made) <= allowed else 'OVER'}"
    )
    for method, count in sorted(by_method.items()):
        print(f"  {method:45s} {count}")
    print(f"wall seconds: {seconds:.2f}  peak memory (Python heap): {peak / 1e6:.1f} MB")
    return report, made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--opportunities", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="ppp-bench-"))
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from local_workspace.server import serve_forever; serve_forever({str(folder / 'store.sqlite3')!r}, {port})",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests_so_far(url)
                break
            except OSError:
                time.sleep(0.1)
        # Google's per-minute quotas off: this measures the work a run does (requests by method),
        # not waiting for quota; pacing under the quotas is the faults-and-scale issue's.
        post(f"{url}/_local/quotas", {"enforce": False})
        loaded = load_all(make_config(folder, args.opportunities))
        clients = signed_in_local_clients(url, LocalSettings())
        outcomes = deploy(loaded.targets, FormsApi(clients.forms), DriveApi(clients.drive), date.today())
        form_ids = {o.target.key: o.form_id for o in outcomes}
        eoi_keys = [k for k in form_ids if k.startswith("eoi-")]
        started = time.perf_counter()
        joined = max(1, args.responses // 20)
        for n in range(args.responses - joined):
            post(f"{url}/_local/forms/{form_ids[rng.choice(eoi_keys)]}/responses", eoi_response(n, rng))
        for n in range(joined):  # references nobody holds yet: they land, flagged, in the admin spreadsheet
            spec = rng.choice(["needs_assessment", "expenses", "preferences"])
            post(f"{url}/_local/forms/{form_ids[spec]}/responses", joined_response(spec, f"unknown-{n}", rng))
        print(f"seeded {args.responses} responses over {len(form_ids)} forms in {time.perf_counter() - started:.1f} s")

        run_sync(
            loaded,
            url,
            "first run (creates and lays out the spreadsheets)",
            "pages + 6 x spreadsheets + few",
            lambda pages, sheets, forms: pages + 6 * sheets + FEW,
        )
        _, made = run_sync(
            loaded,
            url,
            "second run, nothing new",
            "forms + spreadsheets + few reads, 0 writes",
            lambda pages, sheets, forms: forms + sheets + FEW,
        )
        assert all(r["method"] == "GET" for r in made), "a run with nothing new wrote something"

        listed = FormsApi(clients.forms).list_responses(form_ids[eoi_keys[0]])[0]
        for response in listed[:50]:
            post(
                f"{url}/_local/forms/{form_ids[eoi_keys[0]]}/responses/{response['responseId']}",
                {
                    "answers": {
                        **response["answers"],
                        **dict([answer("expression_of_interest", "what_you_would_bring", "Edited answer.")]),
                    }
                },
                "PUT",
            )
        for n in range(500):
            post(
                f"{url}/_local/forms/{form_ids[rng.choice(eoi_keys)]}/responses", eoi_response(args.responses + n, rng)
            )
        run_sync(
            loaded,
            url,
            "third run: 500 new and 50 edited responses",
            "pages + 3 x spreadsheets + few",
            lambda pages, sheets, forms: pages + 3 * sheets + FEW,
        )
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
