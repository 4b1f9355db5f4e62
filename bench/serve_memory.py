"""Peak resident memory of `rag serve` per generator, after it has answered a few questions.

Usage: .venv/bin/python bench/serve_memory.py [--generator NAME ...]
Starts `rag serve` on the bundled corpus (index built in a scratch directory) for each generator,
waits until it is ready, asks three questions through its API, then reads the server process's
peak resident set size (VmHWM in /proc/PID/status) and its time to the first answer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from web_chat import free_port, start_serve  # bench/ is the script's directory

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Which country hosted the latest round of peace talks?",
    "Who is the Kremlin spokesperson?",
    "What is the capital of Australia?",
]


def peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    raise RuntimeError("no VmHWM")


def measure(generator: str, work: Path) -> dict:
    from gradio_client import Client

    port = free_port()
    env = dict(os.environ, RAG_GENERATOR=generator)
    started = time.perf_counter()
    server = start_serve(work, port, env)
    try:
        client = None
        while client is None:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            except Exception:
                if server.poll() is not None:
                    raise SystemExit(f"rag serve ({generator}) exited") from None
                time.sleep(0.5)
        while client.predict(api_name="/status")[0]:
            time.sleep(0.5)
        ready = time.perf_counter() - started
        seconds = []
        for question in QUESTIONS:
            asked = time.perf_counter()
            client.predict(question, api_name="/ask")
            seconds.append(round(time.perf_counter() - asked, 2))
        return {
            "ready_s": round(ready, 1),
            "answer_s": seconds,
            "peak_rss_mib": peak_mib(server.pid),
        }
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", action="append", dest="generators")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        shutil.copytree(ROOT / "corpus", work / "corpus")
        subprocess.run([sys.executable, "-m", "rag", "ingest"], cwd=work, check=True)
        for generator in args.generators or ["extractive", "local"]:
            results[generator] = measure(generator, work)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
