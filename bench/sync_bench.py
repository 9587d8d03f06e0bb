"""Benchmark: the product's sync against a naive per-row sync, on the same workspace and responses.

    .venv/bin/python bench/sync_bench.py                       # 1,000, 10,000 and 100,000 responses
    .venv/bin/python bench/sync_bench.py --sizes 1000,10000    # quicker

For each size it seeds one local workspace (its own process) with the forms of a generated config
(`--opportunities`, 20 by default) and that many responses, submitted over the past `--days` days,
then copies it for each case, so every case starts from the same workspace and the same responses:

  product, no quotas      the stand-in's per-minute quotas off (the product paces itself all the same)
  product, quotas         the stand-in's quotas on, as Google's: a 429 reaching the product fails it
  product, faults         quotas on, and some calls fail (a 500, a dropped answer): runs until one completes
  naive, no quotas        gspread append_row per response, update per changed cell (1,000 and 10,000 only)
  naive, quotas           the same under the quotas: it stops at the first 429

Each sync runs in a subprocess of its own, so its peak resident memory (VmHWM, resource.getrusage
where there is no /proc) is its own. Each case is a first run, then a run with nothing new. For each run it prints the requests by
API method, the writes, the minutes of Google quota they represent (each quota's units over its
per-minute limit; the run needs at least the largest), wall seconds, peak resident memory, and 429s;
then the ratios of naive to product. The machine's other load makes the seconds noisy; the requests
and quota minutes are exact.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local_workspace.quotas import LIMITS, charge_of  # noqa: E402  (the stand-in's figures: Google's)
from ppp_gsuite.config import LocalSettings  # noqa: E402
from ppp_gsuite.connect import signed_in_local_clients  # noqa: E402
from ppp_gsuite.forms.deploy import deploy  # noqa: E402
from ppp_gsuite.forms.items import question_id  # noqa: E402
from ppp_gsuite.google.drive_api import DriveApi  # noqa: E402
from ppp_gsuite.google.forms_api import FormsApi  # noqa: E402
from ppp_gsuite.google.sheets_api import SheetsApi  # noqa: E402
from ppp_gsuite.workspace import load_all  # noqa: E402

PAGE = 5000  # responses in one page of forms.responses.list (Google's most)
PAYLOAD = 2_000_000  # bytes of one write Google recommends at most
FAULTS = [  # the fault mode: each fails one call (the rest of the run goes on, or the next run does it)
    {"method_id": "forms.forms.responses.list", "mode": "error_500", "after": 3},
    {"method_id": "sheets.spreadsheets.values.batchUpdate", "mode": "apply_then_drop", "after": 2},
    {"method_id": "sheets.spreadsheets.values.batchGet", "mode": "error_500", "after": 4},
]
MOST_RUNS = 6
DATA_METHODS = ("responses.list", "values.batchUpdate", "values.append", "values.update")


# -- the local workspace, in its own process -----------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, store: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"from local_workspace.server import serve_forever; serve_forever({str(store)!r}, {self.port})",
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                self.get("/_local/quotas")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the local workspace did not start")

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path) as answer:
            return json.loads(answer.read())

    def post(self, path: str, body, method: str = "POST") -> dict:
        request = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request) as answer:
            return json.loads(answer.read())

    def requests(self) -> list[dict]:
        return self.get("/_local/requests")["requests"]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


# -- the workspace and its responses ---------------------------------------------------------------------
def make_config(folder: Path, opportunities: int) -> Path:
    config = yaml.safe_load((ROOT / "ppp-gsuite.yaml").read_text())
    template = config["opportunities"][0]
    config["opportunities"] = [
        {**template, "key": f"board-{n:02d}", "group": f"Board number {n}"} for n in range(opportunities)
    ]
    config["form_specs"] = str(ROOT / "form_specs")
    config["sheet_layouts"] = str(ROOT / "sheet_layouts")
    config["email_templates"] = str(ROOT / "email_templates")
    config.setdefault("email", {})["send"] = False  # the naive script sends nothing either
    path = folder / "ppp-gsuite.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def text(spec: str, key: str, value: str) -> tuple[str, dict]:
    qid = question_id(spec, key)
    return qid, {"questionId": qid, "textAnswers": {"answers": [{"value": value}]}}


def eoi_response(n: int, rng: random.Random, when: str) -> dict:
    spec = "expression_of_interest"
    answers = dict(
        [
            text(spec, "full_name", f"Applicant {n}"),
            text(spec, "email", f"applicant{n}@example.org"),
            text(spec, "phone", f"01632 96{n % 10000:04d}"),
            text(spec, "about_yourself", "I care for my mother and use local services. " * rng.randint(1, 8)),
            text(
                spec, "what_interests_you", '=HYPERLINK("http://example.org")' if n % 97 == 0 else "Making care better."
            ),
            text(spec, "what_you_would_bring", "Lived experience."),
            text(spec, "privacy_agreement", "I agree"),
            text(spec, "future_opportunities", rng.choice(["Yes", "No"])),
        ]
    )
    return {"answers": answers, "createTime": when, "lastSubmittedTime": when}


def joined_response(spec: str, reference: str, rng: random.Random, when: str) -> dict:
    pairs = [text(spec, "reference", reference)]
    if spec == "expenses":
        pairs += [
            text(spec, "claim_for", "Board meeting"),
            text(spec, "activity_date", "2026-10-01"),
            text(spec, "travel_mode", "Car or van"),
            text(spec, "miles", str(rng.randint(1, 60))),
        ]
    return {"answers": dict(pairs), "createTime": when, "lastSubmittedTime": when}


def seed(folder: Path, size: int, opportunities: int, days: int, seed_number: int) -> tuple[Path, Path]:
    """A store with the forms deployed and `size` responses submitted over the past `days` days."""
    store = folder / "seeded.sqlite3"
    config = make_config(folder, opportunities)
    server = Server(store)
    try:
        server.post("/_local/quotas", {"enforce": False})
        loaded = load_all(config)
        clients = signed_in_local_clients(server.url, LocalSettings())
        outcomes = deploy(loaded.targets, FormsApi(clients.forms), DriveApi(clients.drive), date.today())
        form_ids = {o.target.key: o.form_id for o in outcomes}
        eoi_keys = sorted(k for k in form_ids if k.startswith("eoi-"))
        rng = random.Random(seed_number)
        start = datetime.now(UTC) - timedelta(days=days)
        step = timedelta(days=days) / max(size, 1)  # in order of submission, an hour and more before now
        joined = max(1, size // 20)
        batches: dict[str, list[dict]] = {}

        def stamp(n: int) -> str:
            return (start + step * n - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

        def flush(force: bool = False) -> None:
            for key, batch in list(batches.items()):
                if batch and (force or len(batch) >= 2000):
                    server.post(f"/_local/forms/{form_ids[key]}/responses/batch", {"responses": batch})
                    batches[key] = []

        for n in range(size):
            if n % 20 == 19:  # references nobody holds: they land, flagged, in the admin spreadsheet
                spec = rng.choice(["needs_assessment", "expenses", "preferences"])
                batches.setdefault(spec, []).append(joined_response(spec, f"unknown-{n}", rng, stamp(n)))
            else:
                key = rng.choice(eoi_keys)
                batches.setdefault(key, []).append(eoi_response(n, rng, stamp(n)))
            flush()
        flush(force=True)
        del joined
    finally:
        server.stop()
    return store, config


# -- one sync, in a process of its own --------------------------------------------------------------------
def child_product(url: str, config: str) -> dict:
    from ppp_gsuite.google.pacing import Pacer, pace
    from ppp_gsuite.sync.run import new_sync

    loaded = load_all(Path(config))
    clients = pace(signed_in_local_clients(url, LocalSettings()), Pacer(loaded.workspace.config.pacing.limits()))
    result: dict = {"ok": True, "written_bytes": 0, "largest_write": 0, "read_bytes": 0}
    unmeasured = clients.sheets.session.request

    def measured(method, url, *args, **kwargs):  # the bytes of each write, as requests sends them, and of answers
        if method.upper() != "GET" and kwargs.get("json") is not None:
            size = len(json.dumps(kwargs["json"]))
            result["written_bytes"] += size
            result["largest_write"] = max(result["largest_write"], size)
        answer = unmeasured(method, url, *args, **kwargs)
        result["read_bytes"] += len(answer.content)
        return answer

    clients.sheets.session.request = measured
    started = time.perf_counter()
    try:
        report = new_sync(
            loaded, FormsApi(clients.forms), DriveApi(clients.drive), SheetsApi(clients.sheets), datetime.now(UTC)
        ).run()
        result.update(responses=report.responses, added=report.added, updated=report.updated)
    except Exception as error:  # noqa: BLE001  (the run's outcome is the figure; its first line names the call)
        result.update(ok=False, error=str(error).splitlines()[0][:200])
    result["seconds"] = time.perf_counter() - started
    assert clients.pacer is not None
    result["quota_minutes"] = clients.pacer.quota_minutes()
    result["waited"] = clients.pacer.stats.waited_seconds
    return result


def child_naive(url: str, config: str, state: str) -> dict:
    """What a hand-made script does: list every response, then append_row each new one and update each
    changed cell, one request each (RAW: never USER_ENTERED, even here)."""
    import gspread
    from gspread.utils import rowcol_to_a1

    from ppp_gsuite.google.local_session import LocalSession

    loaded = load_all(Path(config))
    settings = LocalSettings()
    clients = signed_in_local_clients(url, settings)
    credentials = clients.sheets.session.credentials  # the local sign-in's, as the product's session holds them
    if not credentials.valid:
        credentials.refresh(None)
    token = credentials.token
    gc = gspread.Client(None, session=LocalSession(url, token))
    forms = clients.forms.forms()
    known = json.loads(Path(state).read_text()) if Path(state).exists() else {}
    started = time.perf_counter()
    result: dict = {"ok": True, "added": 0, "updated": 0, "responses": 0}
    try:
        deployed = {
            f["appProperties"]["target"]: f["id"]
            for f in DriveApi(clients.drive).find("form")
            if f["appProperties"].get("target", "").startswith("eoi-")
        }
        for key, form_id in sorted(deployed.items()):
            responses, token_ = [], None
            while True:
                page = forms.responses().list(formId=form_id, pageSize=PAGE, pageToken=token_).execute()
                responses += page.get("responses", [])
                token_ = page.get("nextPageToken")
                if not token_:
                    break
            result["responses"] += len(responses)
            if key not in known:
                known[key] = gc.create(f"Naive {key}").id
                Path(state).write_text(json.dumps(known))
            worksheet = gc.open_by_key(known[key]).sheet1
            values = worksheet.get_all_values()
            questions = sorted({qid for r in responses for qid in r.get("answers", {})})
            header = ["Response ID", "Submitted", *questions]
            if not any(values):
                worksheet.append_row(header, value_input_option="RAW")
                values = [header]
            rows = {row[0]: number for number, row in enumerate(values, start=1) if row}
            for response in responses:
                answers = response.get("answers", {})
                line = [response["responseId"], response["lastSubmittedTime"]] + [
                    "; ".join(a.get("value", "") for a in answers.get(q, {}).get("textAnswers", {}).get("answers", []))
                    for q in questions
                ]
                number = rows.get(response["responseId"])
                if number is None:
                    worksheet.append_row(line, value_input_option="RAW")
                    result["added"] += 1
                    continue
                current = values[number - 1]
                for column, value in enumerate(line, start=1):
                    if (current[column - 1] if column - 1 < len(current) else "") != value:
                        worksheet.update(
                            range_name=rowcol_to_a1(number, column), values=[[value]], value_input_option="RAW"
                        )
                        result["updated"] += 1
    except Exception as error:  # noqa: BLE001
        result.update(ok=False, error=f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")
    del loaded
    result["seconds"] = time.perf_counter() - started
    return result


def peak_rss_kib() -> int:
    """This process's peak resident memory. Linux's getrusage keeps, across fork and exec, the peak of the
    process that started it (here the benchmark, which holds the request logs): VmHWM is this program's own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_child(kind: str, url: str, config: Path, state: Path) -> dict:
    out = state.with_suffix(".result.json")
    command = [sys.executable, __file__, "--child", kind, "--url", url, "--config", str(config), "--out", str(out)]
    command += ["--state", str(state)]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if finished.returncode != 0 or not out.exists():
        return {"ok": False, "error": (finished.stderr.strip().splitlines() or ["no result"])[-1], "seconds": 0}
    return json.loads(out.read_text())


# -- figures ----------------------------------------------------------------------------------------------
def figures(made: list[dict]) -> dict:
    by_method = Counter(r["methodId"] for r in made)
    units: Counter = Counter()
    for r in made:
        charge = charge_of(r["methodId"])
        if charge:
            units[charge[0]] += charge[1]
    minutes = {quota: used / LIMITS[quota] for quota, used in units.items()}
    return {
        "requests": len(made),
        "writes": sum(1 for r in made if r["method"] != "GET"),
        "by_method": dict(sorted(by_method.items())),
        "quota_minutes": minutes,
        "binding": max(minutes.items(), key=lambda item: item[1]) if minutes else ("", 0.0),
    }


def one_run(server: Server, kind: str, config: Path, state: Path) -> dict:
    """One sync, a minute of quota after the one before (cron runs every few minutes): each process paces
    its own requests, and Google's minute has room again."""
    server.post("/_local/quotas", {"advance_seconds": 60})
    before = len(server.requests())
    refused_before = server.get("/_local/quotas").get("refused", 0)
    result = run_child(kind, server.url, config, state)
    result.update(figures(server.requests()[before:]))
    result["refused_429"] = server.get("/_local/quotas").get("refused", 0) - refused_before
    return result


def case(folder: Path, seeded: Path, config: Path, kind: str, mode: str) -> list[tuple[str, dict]]:
    store = folder / f"{kind}-{mode}.sqlite3"
    for suffix in ("", "-wal", "-shm"):  # SQLite's write-ahead log holds the latest writes until a checkpoint
        if Path(f"{seeded}{suffix}").exists():
            shutil.copy(f"{seeded}{suffix}", f"{store}{suffix}")
    state = folder / f"{kind}-{mode}.state.json"
    server = Server(store)
    runs: list[tuple[str, dict]] = []
    try:
        server.post("/_local/quotas", {"enforce": mode != "no quotas"})
        if mode == "faults":
            for fault in FAULTS:
                server.post("/_local/faults", fault)
            for attempt in range(1, MOST_RUNS + 1):
                result = one_run(server, kind, config, state)
                runs.append((f"first, run {attempt}", result))
                if result["ok"]:
                    break
        else:
            runs.append(("first", one_run(server, kind, config, state)))
        if runs[-1][1]["ok"]:
            runs.append(("nothing new", one_run(server, kind, config, state)))
    finally:
        server.stop()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)
    return runs


def minimum_requests(size: int, payload_bytes: int, forms: int) -> int:
    """The fewest requests Google's page size and the 2 MB payload allow the data of a sync: a page of
    responses from every form (and one more for each further 5,000), and the bytes written in 2 MB requests."""
    return forms + size // PAGE + math.ceil(payload_bytes / PAYLOAD)


def print_run(size: int, kind: str, mode: str, label: str, r: dict, forms: int) -> None:
    minutes = r["quota_minutes"]
    binding, most = r["binding"]
    status = "ok" if r["ok"] else f"FAILED ({r.get('error', '')})"
    rss = f"{r['maxrss_kb'] / 1024:.0f} MB" if "maxrss_kb" in r else "-"
    print(
        f"{size:>7,} {kind:7s} {mode:10s} {label:16s} requests {r['requests']:>6,} writes {r['writes']:>6,} "
        f"quota {most:7.2f} min ({binding}) wall {r['seconds']:7.1f} s peak RSS {rss:>7} 429s {r['refused_429']} "
        f"{status}"
    )
    print("        by method: " + ", ".join(f"{m.split('.', 1)[1]} {n}" for m, n in r["by_method"].items()))
    detail = ", ".join(f"{q} {v:.2f}" for q, v in sorted(minutes.items()))
    printed = r.get("quota_minutes_printed")
    if printed is not None:
        same = all(abs(printed.get(q, 0) - v) < 1e-9 for q, v in minutes.items())
        detail += f"  (the product's own count {'matches' if same else 'DIFFERS: ' + json.dumps(printed)})"
    print(f"        quota minutes: {detail}")
    if "read_bytes" in r:
        print(f"        downloaded from Sheets: {r['read_bytes'] / 1e6:.1f} MB")
    if r.get("written_bytes"):
        least = minimum_requests(size if label.startswith("first") else 0, r["written_bytes"], forms)
        data = sum(n for m, n in r["by_method"].items() if m.endswith(DATA_METHODS))
        print(
            f"        written {r['written_bytes'] / 1e6:.1f} MB, largest request {r['largest_write'] / 1e6:.2f} MB; "
            f"the fewest requests Google's page and payload sizes allow: {least}; these made {data} "
            f"(responses.list and values writes: {data / least:.1f}x), {r['requests']} in all with the "
            "spreadsheets' own (find, create, share, check who can open, lay out, read)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="numbers of responses, comma-separated")
    parser.add_argument("--naive-up-to", type=int, default=10_000, help="the naive sync runs at sizes up to this")
    parser.add_argument("--modes", default="no quotas,quotas,faults", help="which of: no quotas, quotas, faults")
    parser.add_argument("--opportunities", type=int, default=20)
    parser.add_argument("--days", type=int, default=60, help="responses are spread over this many past days")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=["product", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--state", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        try:
            result = (
                child_product(args.url, args.config)
                if args.child == "product"
                else child_naive(args.url, args.config, args.state)
            )
        except Exception:  # noqa: BLE001
            result = {"ok": False, "error": traceback.format_exc().splitlines()[-1], "seconds": 0}
        result["maxrss_kb"] = peak_rss_kib()
        if "quota_minutes" in result and args.child == "product":
            result["quota_minutes_printed"] = result.pop("quota_minutes")
        Path(args.out).write_text(json.dumps(result))
        return

    sizes = [int(s) for s in args.sizes.split(",") if s]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    print(
        f"# {args.opportunities} opportunities ({args.opportunities + 3} forms with responses), responses over "
        f"{args.days} days; quota minutes use Google's per-user limits {LIMITS}"
    )
    summary: dict[tuple[int, str, str], dict] = {}
    for size in sizes:
        folder = Path(tempfile.mkdtemp(prefix="ppp-bench-"))
        try:
            started = time.perf_counter()
            seeded, config = seed(folder, size, args.opportunities, args.days, args.seed)
            print(f"\n## {size:,} responses (seeded in {time.perf_counter() - started:.0f} s)")
            kinds = ["product"] + (["naive"] if size <= args.naive_up_to else [])
            for kind in kinds:
                for mode in modes:
                    if kind == "naive" and mode == "faults":
                        continue  # it has no answer to a fault but to stop; the quotas case shows that
                    for label, result in case(folder, seeded, config, kind, mode):
                        print_run(size, kind, mode, label, result, args.opportunities + 3)
                        if label.startswith("first"):
                            summary[(size, kind, mode)] = result
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    print("\n## naive / product, first sync without the stand-in's quotas")
    print("| responses | product requests | naive requests | ratio | product quota-min | naive quota-min | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        product, naive = summary.get((size, "product", "no quotas")), summary.get((size, "naive", "no quotas"))
        if not product or not naive:
            continue
        p_min, n_min = product["binding"][1], naive["binding"][1]
        print(
            f"| {size:,} | {product['requests']:,} ({product['writes']:,} writes) | {naive['requests']:,} "
            f"({naive['writes']:,} writes) | {naive['requests'] / product['requests']:.0f}x | {p_min:.2f} | "
            f"{n_min:.1f} | {n_min / p_min:.0f}x |"
        )


if __name__ == "__main__":
    main()
