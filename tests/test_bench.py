"""The benchmark runs both syncs it compares (bench/sync_bench.py): its figures are what README's table shows."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_runs_the_product_and_the_naive_sync_side_by_side(tmp_path):
    command = [sys.executable, "bench/sync_bench.py", "--sizes", "30", "--modes", "no quotas", "--opportunities", "2"]
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    lines = [line for line in finished.stdout.splitlines() if line.strip().startswith("30 ")]
    assert {line.split()[1] for line in lines} == {"product", "naive"}, finished.stdout
    assert not [line for line in lines if "FAILED" in line], finished.stdout
    assert "| 30 |" in finished.stdout
