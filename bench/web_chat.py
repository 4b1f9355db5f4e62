"""How fast the web chat is usable, measured in a real headless Chromium, as medians.

Usage: [RAG_GENERATOR=extractive] .venv/bin/python bench/web_chat.py [--runs N] [--questions N]
       [--chat-only]
In a scratch copy of the bundled corpus, for each run: start `rag serve` in a fresh process and
time until the page is usable (question box shown, start-up banner gone), once with an empty index
(cold: it builds the index) and once with the index built; then, in the last page, time from
pressing Enter to the question showing, to the answer's first text and to the checked answer,
for questions sent when nothing is being answered ("after") and for questions sent as soon as
the previous answer's first text shows ("during": they are queued, then answered). Baselines
from the same run: `rag ask` in a cold process, and `bot.ask` warm in this process.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rag
from rag.answering.factory import generator_name

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
QUESTIONS = [
    "Which country hosted the latest round of peace talks?",
    "Who is the Kremlin spokesperson?",
    "What does Zelenskyy demand before accepting a ceasefire?",
    "How does Putin see the ceasefire?",
    "Which European nations voiced support for Ukraine's demands?",
]
USABLE = (
    "() => document.querySelector('#question textarea') !== null"
    " && document.querySelector('#status').innerText.trim() === ''"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(work: Path, port: int, env: dict | None = None) -> subprocess.Popen:
    """`rag serve` on ``port`` in a fresh process, working in ``work``."""
    return subprocess.Popen(
        [sys.executable, "-m", "rag", "serve", "--port", str(port)],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def open_when_up(page, port: int, server: subprocess.Popen) -> None:
    """Load the app's page as soon as the server answers."""
    while True:
        try:
            page.goto(f"http://127.0.0.1:{port}/", timeout=2_000)
            return
        except Exception:
            if server.poll() is not None:
                raise SystemExit("rag serve exited") from None
            time.sleep(0.1)


def seconds_to_page(browser, work: Path) -> tuple[float, float]:
    """From starting `rag serve` to the page showing, and to the page accepting questions."""
    port = free_port()
    started = time.perf_counter()
    server = start_serve(work, port)
    page = browser.new_page()
    try:
        open_when_up(page, port, server)
        page.locator("#question textarea").wait_for(timeout=60_000)
        shown = time.perf_counter() - started
        page.wait_for_function(USABLE, timeout=300_000, polling=50)
        return shown, time.perf_counter() - started
    finally:
        page.close()
        server.terminate()
        server.wait()


ROWS = "document.querySelectorAll('#chat .bot-row')"
PLACEHOLDERS = ["Searching the documents", "Queued:"]
DRAFT = "writing, then checked"


def send(page, question: str) -> tuple[int, float]:
    """Type ``question`` and press Enter; its answer's row number and when Enter was pressed."""
    row = page.evaluate(f"{ROWS}.length")
    box = page.locator("#question textarea")
    box.fill(question)
    started = time.perf_counter()
    box.press("Enter")
    return row, started


def wait_row(page, row: int, started: float, final: bool) -> float:
    """Seconds from ``started`` until answer row ``row`` shows text (``final``: checked text)."""
    unwanted = PLACEHOLDERS + ([DRAFT] if final else [])
    page.wait_for_function(
        f"([n, unwanted]) => {{ const r = {ROWS}; if (r.length <= n) return false;"
        " const t = r[n].innerText; return t.trim().length > 0"
        " && !unwanted.some((u) => t.includes(u)); }",
        arg=[row, unwanted],
        polling=10,
        timeout=180_000,
    )
    return time.perf_counter() - started


def shown_at(page, row: int, started: float) -> float:
    page.wait_for_function(f"{ROWS}.length > {row}", polling=10)
    return time.perf_counter() - started


def pair_timings(page, first: str, second: str) -> dict[str, tuple[float, float, float]]:
    """A question sent with nothing running ("after"), and one sent as soon as that answer's
    first text shows ("during"): seconds to shown, first text and checked answer, each."""
    row_a, started_a = send(page, first)
    shown_a = shown_at(page, row_a, started_a)
    text_a = wait_row(page, row_a, started_a, final=False)
    row_b, started_b = send(page, second)
    shown_b = shown_at(page, row_b, started_b)
    final_a = wait_row(page, row_a, started_a, final=True)
    text_b = wait_row(page, row_b, started_b, final=False)
    final_b = wait_row(page, row_b, started_b, final=True)
    return {"after": (shown_a, text_a, final_a), "during": (shown_b, text_b, final_b)}


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument(
        "--chat-only", action="store_true", help="skip the start-up timings (one server start)"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    cold, warm_start, page_shown, cli_cold, api_warm = [], [], [], [], []
    timings: dict[str, list[tuple[float, float, float]]] = {"after": [], "during": []}
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        work = Path(scratch)
        shutil.copytree(ROOT / "corpus", work / "corpus")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(0 if args.chat_only else args.runs):
            shutil.rmtree(work / "index", ignore_errors=True)
            cold.append(seconds_to_page(browser, work)[1])
            first_shown, usable = seconds_to_page(browser, work)
            page_shown.append(first_shown)
            warm_start.append(usable)
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "rag", "ask", QUESTIONS[0]],
                cwd=work,
                check=True,
                capture_output=True,
            )
            cli_cold.append(time.perf_counter() - started)

        port = free_port()
        server = start_serve(work, port)
        page = browser.new_page()
        try:
            open_when_up(page, port, server)
            page.wait_for_function(USABLE, timeout=300_000)
            for i in range(0, args.questions, 2):
                if i % 4 == 0:
                    page.locator("#new-chat").click()
                    page.wait_for_function("!document.querySelector('#chat .bot-row')")
                pair = pair_timings(
                    page, QUESTIONS[i % len(QUESTIONS)], QUESTIONS[(i + 1) % len(QUESTIONS)]
                )
                for kind, values in pair.items():
                    timings[kind].append(values)
        finally:
            server.terminate()
            server.wait()
        browser.close()
        bot = rag.open(index_dir=work / "index", corpus_dir=work / "corpus")
        bot.ask(QUESTIONS[0])
        for i in range(args.questions):
            started = time.perf_counter()
            bot.ask(QUESTIONS[i % len(QUESTIONS)])
            api_warm.append(time.perf_counter() - started)

    print(
        json.dumps(
            {
                "rag serve -> usable page, empty index (cold, builds it)": median(cold),
                "rag serve -> page shown, index built": median(page_shown),
                "rag serve -> usable page, index built": median(warm_start),
                "baseline: rag ask, cold process": median(cli_cold),
                **{
                    f"{kind}: Enter -> {what}": median([t[i] for t in values])
                    for kind, values in timings.items()
                    for i, what in enumerate(("question shown", "first text", "checked answer"))
                },
                "baseline: bot.ask in process (warm)": median(api_warm),
                "generator": generator_name(rag.load_settings()),
                "runs": args.runs,
                "questions": args.questions,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
