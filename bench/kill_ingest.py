"""Kill `rag ingest` with SIGKILL at random moments, then check that the next `rag ingest`
brings the index back to exactly the right paragraph counts.

Each run starts from a fresh index (so the kill lands while files are being written), kills
the ingest after a random delay between 0.5 s and the time a whole ingest takes, optionally
kills the recovering ingest too, then lets one finish and compares `rag info --json` with a
reference ingest of the same corpus. Prints one line per run and a summary.

    .venv/bin/python bench/kill_ingest.py [--runs 20] [--seed 1] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILES = [
    ROOT / "corpus" / "ukraine-russia-ceasefire-talks.txt",
    ROOT / "evals" / "corpora" / "multidoc" / "secrets.html",
    ROOT / "evals" / "corpora" / "multidoc" / "tempfile.pdf",
    ROOT / "evals" / "corpora" / "multidoc" / "mpl-2.0.txt",
]


def rag(*args: str, index: Path) -> list[str]:
    return [sys.executable, "-m", "rag", "--index", str(index), *args]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env["RAG_GENERATOR"] = "extractive"
    return env


def counts(index: Path) -> dict[str, int]:
    result = subprocess.run(
        rag("info", "--json", index=index), capture_output=True, text=True, env=environment()
    )
    if result.returncode != 0:
        raise SystemExit(f"rag info failed: {result.stderr.strip()}")
    return json.loads(result.stdout)["documents"]


def ingest(corpus: Path, index: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        rag("ingest", str(corpus), index=index), capture_output=True, text=True, env=environment()
    )


def killed_ingest(corpus: Path, index: Path, delay: float) -> int | None:
    """Start an ingest, SIGKILL it after ``delay`` s; its exit code if it finished first."""
    process = subprocess.Popen(
        rag("ingest", str(corpus), index=index),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment(),
    )
    try:
        return process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, help="documents to ingest (default: 4 files)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="kill-ingest-") as scratch:
        work = Path(scratch)
        corpus = args.corpus
        if corpus is None:
            corpus = work / "corpus"
            corpus.mkdir()
            for path in DEFAULT_FILES:
                shutil.copy(path, corpus / path.name)
        started = time.monotonic()
        reference = ingest(corpus, work / "reference")
        whole = time.monotonic() - started
        if reference.returncode != 0:
            raise SystemExit(f"reference ingest failed: {reference.stderr.strip()}")
        expected = counts(work / "reference")
        print(
            f"reference: {sum(expected.values())} paragraphs in {len(expected)} files, "
            f"ingest {whole:.1f} s"
        )
        failures = 0
        for run in range(1, args.runs + 1):
            index = work / f"index-{run}"
            delay = rng.uniform(0.5, whole)
            finished = killed_ingest(corpus, index, delay)
            second = None
            if rng.random() < 0.3:  # sometimes the recovering ingest is killed too
                second = rng.uniform(0.5, whole)
                killed_ingest(corpus, index, second)
            recovery = ingest(corpus, index)
            got = counts(index) if recovery.returncode == 0 else {}
            ok = recovery.returncode == 0 and got == expected
            failures += not ok
            print(
                f"run {run:2d}: killed after {delay:5.2f} s"
                + (" (it had finished)" if finished is not None else "")
                + (f", recovery killed after {second:5.2f} s" if second else "")
                + f" -> {'OK' if ok else 'WRONG'}"
                + ("" if ok else f" ({recovery.stderr.strip() or got})")
            )
            shutil.rmtree(index, ignore_errors=True)
        print(f"{args.runs - failures}/{args.runs} runs recovered exact counts")
        return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
