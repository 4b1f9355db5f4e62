"""How fast the web chat is usable, measured in a real headless Chromium, as medians.

Usage: [RAG_GENERATOR=extractive] .venv/bin/python bench/web_chat.py [--runs N] [--questions N]
(With the local LLM the question loop can stall: a question typed while the previous answer
is still finishing is dropped by the page; see the issue notes.)
In a scratch copy of the bundled corpus, for each run: start `rag serve` in a fresh process and
time until the page is usable (question box shown, start-up banner gone), once with an empty index
(cold: it builds the index) and once with the index built; then, in the last page, time from
pressing Enter to the question showing and to the answer's text showing. Baselines from the same
run: `rag ask` in a cold process, and `bot.ask` warm in this process.
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


def question_timings(page, question: str) -> tuple[float, float, float]:
    """Seconds from Enter to the question showing, to the first answer text showing (streamed
    text for an LLM), and to the final, checked answer with its sources."""
    rows = "document.querySelectorAll('#chat .bot-row')"
    sources = "document.querySelector('#sources').innerHTML"
    before = page.evaluate(f"{rows}.length")
    sources_before = page.evaluate(sources)
    box = page.locator("#question textarea")
    box.fill(question)
    started = time.perf_counter()
    box.press("Enter")
    page.wait_for_function(f"{rows}.length > {before}", polling=10)
    shown = time.perf_counter() - started
    page.wait_for_function(
        f"(() => {{ const r = {rows}; const t = r[r.length - 1].innerText;"
        " return !t.includes('Searching the documents') && t.trim().length > 0; })()",
        polling=10,
        timeout=120_000,
    )
    first_text = time.perf_counter() - started
    page.wait_for_function(
        f"{sources} !== {json.dumps(sources_before)}", polling=20, timeout=120_000
    )
    return shown, first_text, time.perf_counter() - started


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    cold, warm_start, page_shown, cli_cold, api_warm = [], [], [], [], []
    shown, answered, final = [], [], []
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        work = Path(scratch)
        shutil.copytree(ROOT / "corpus", work / "corpus")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for _ in range(args.runs):
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
            for i in range(args.questions):
                if i % 5 == 0:
                    page.locator("#new-chat").click()
                    page.wait_for_function("!document.querySelector('#chat .bot-row')")
                first, text, done = question_timings(page, QUESTIONS[i % len(QUESTIONS)])
                shown.append(first)
                answered.append(text)
                final.append(done)
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
                "Enter -> question shown (warm)": median(shown),
                "Enter -> first answer text shown (warm)": median(answered),
                "Enter -> final answer with sources (warm)": median(final),
                "baseline: bot.ask in process (warm)": median(api_warm),
                "generator": rag.load_settings().generator,
                "runs": args.runs,
                "questions": args.questions,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
