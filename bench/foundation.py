"""Whole-process timings of the CLI and warm latency of the Python API, as medians.

Usage: .venv/bin/python bench/foundation.py [--runs N]
Measures, on the bundled corpus in a scratch directory: `rag --help`; `rag ingest` into an empty
index (wall time and peak memory of the process); `rag ask` in a cold process; `bot.ask` warm.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rag

ROOT = Path(__file__).resolve().parent.parent
RAG = [sys.executable, "-m", "rag"]
QUESTION = "Which country hosted the latest round of peace talks?"


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and the peak resident memory (MiB) of one run of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)  # this child's own peak, not all children's
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def median_of(runs: int, command: list[str], cwd: Path, before=None) -> dict:
    walls, peaks = [], []
    for _ in range(runs):
        if before:
            before()
        wall, peak = timed(command, cwd)
        walls.append(wall)
        peaks.append(peak)
    return {
        "median_s": round(statistics.median(walls), 3),
        "min_s": round(min(walls), 3),
        "max_s": round(max(walls), 3),
        "peak_mib": round(max(peaks)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        shutil.copytree(ROOT / "corpus", work / "corpus")
        results["rag --help"] = median_of(args.runs, [*RAG, "--help"], work)
        results["rag ingest (empty index)"] = median_of(
            args.runs, [*RAG, "ingest"], work, before=lambda: shutil.rmtree(work / "index", True)
        )
        results["rag ask (cold process)"] = median_of(args.runs, [*RAG, "ask", QUESTION], work)
        bot = rag.open(index_dir=work / "index", corpus_dir=work / "corpus")
        bot.ask(QUESTION)  # warm-up: loads the model
        warm = []
        for _ in range(max(20, args.runs)):
            started = time.perf_counter()
            bot.ask(QUESTION)
            warm.append(time.perf_counter() - started)
        results["bot.ask (warm)"] = {
            "median_s": round(statistics.median(warm), 4),
            "runs": len(warm),
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
