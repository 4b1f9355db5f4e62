"""Load test of the web chat: parallel chat sessions through gradio_client for a while.

Starts the web chat on the bundled article (a temporary index), asks every ceasefire fact
question once alone, then runs ``--sessions`` sessions at once, each a gradio_client Client of
its own (its own conversation), asking the questions answered right when alone in a random
order for ``--minutes``. Every answer is checked for the expected fact; errors (exceptions,
empty answers) are counted. Prints one table row: sessions, generator, answers, errors, wrong
answers, latency p50/p95 (seconds, question sent to final answer received), and the p50 of the
questions asked by one session alone first (the baseline, same run).

    .venv/bin/python bench/load_chat.py --generator extractive --sessions 20 --minutes 3
    .venv/bin/python bench/load_chat.py --generator local --sessions 20 --slots 4

--slots: answers the local model decodes together (the llm_slots setting); --max-wait: seconds
a question waits for the model before it is answered by quoting (llm_max_wait; 0: no limit).
The table counts the answers given by quoting because the model was busy.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import rag
from rag.answering.llm import QUOTED_WHILE_BUSY
from ui.app import serve

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "corpus" / "ukraine-russia-ceasefire-talks.txt"
QUESTIONS = ROOT / "evals" / "questions" / "ceasefire.jsonl"


def answerable_questions() -> list[dict]:
    items = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    return [q for q in items if q["type"] in ("fact", "paraphrase") and not q.get("turns")]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session(
    url: str, questions: list[dict], until: float, seed: int, results: list, each_once=False
) -> None:
    """Ask random questions until ``until`` (or each once, in order) in one new session."""
    from gradio_client import Client

    rng = random.Random(seed)
    client = Client(url, verbose=False)
    order = iter(questions) if each_once else None
    while time.monotonic() < until:
        item = next(order, None) if order else rng.choice(questions)
        if item is None:
            break
        client.predict(api_name="/new_chat")  # each question on its own, not as a follow-up
        started = time.monotonic()
        try:
            _, history, *_ = client.predict(item["question"], api_name="/ask")
            text = history[-1]["content"][0]["text"] if history else ""
            error = None if text else "empty answer"
        except Exception as exc:  # counted and reported, never hidden
            text, error = "", f"{type(exc).__name__}: {exc}"
        seconds = time.monotonic() - started
        right = any(a.lower() in text.lower() for a in item["answers"])
        results.append({"id": item["id"], "seconds": seconds, "error": error, "right": right})


class QuotedWhileBusy(logging.Handler):
    """Counts the questions the LLM generator answered by quoting because the model was busy."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.getMessage().startswith(QUOTED_WHILE_BUSY)


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class LoadRow:
    """One load run: what the sessions got, and the baseline of one session alone."""

    sessions: int
    generator: str
    slots: int
    max_wait: float
    minutes: float
    answers: int
    quoted: int
    errors: list[dict]
    wrong: list[dict]
    p50: float
    p95: float
    alone_p50: float

    HEADER = (
        "| sessions | generator | slots | max wait (s) | minutes | answers | quoted while busy "
        "| errors | without the expected fact | p50 (s) | p95 (s) | one session alone p50 (s) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|"
    )

    def wrong_ids(self) -> list[str]:
        """The questions answered without the expected fact, each once."""
        return sorted({r["id"] for r in self.wrong})

    def markdown(self) -> str:
        return (
            f"| {self.sessions} | {self.generator} | {self.slots} | {self.max_wait:g} | "
            f"{self.minutes:g} | {self.answers} | {self.quoted} | {len(self.errors)} | "
            f"{len(self.wrong)} | {self.p50:.2f} | {self.p95:.2f} | {self.alone_p50:.2f} |"
        )


class WebChatUnderLoad:
    """The web chat on the bundled article (a temporary index), asked by parallel sessions.
    ``alone`` is each answerable question asked once by one session: the questions answered
    with the expected fact then are the ones every later run asks (and must still get right)."""

    def __init__(self, generator: str, slots: int | None = None, max_wait: float | None = None):
        self._scratch = tempfile.TemporaryDirectory(prefix="load-chat-")
        work = Path(self._scratch.name)
        (work / "corpus").mkdir()
        shutil.copy(ARTICLE, work / "corpus")
        self.settings = rag.load_settings(
            corpus_dir=work / "corpus",
            index_dir=work / "index",
            generator=generator,
            llm_slots=slots,
            llm_max_wait=max_wait,
        )
        self._quoted = QuotedWhileBusy()
        logging.getLogger("rag.answering.llm").addHandler(self._quoted)
        logging.getLogger("rag.answering.llm").setLevel(logging.INFO)
        port = free_port()
        self._app = serve(self.settings, port=port, block=False)
        self.url = f"http://127.0.0.1:{port}/"
        from gradio_client import Client

        status = Client(self.url, verbose=False)
        while status.predict(api_name="/status")[0]:  # building the index, loading models
            time.sleep(0.5)
        self.alone: list[dict] = []
        session(self.url, answerable_questions(), float("inf"), 0, self.alone, each_once=True)
        right = {r["id"] for r in self.alone if r["right"]}
        self.questions = [q for q in answerable_questions() if q["id"] in right]

    def run(self, sessions: int, minutes: float) -> LoadRow:
        """``sessions`` sessions asking at once for ``minutes``."""
        results: list[dict] = []
        self._quoted.count = 0  # under load only
        until = time.monotonic() + minutes * 60
        threads = [
            threading.Thread(target=session, args=(self.url, self.questions, until, n, results))
            for n in range(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = [r["seconds"] for r in results if r["error"] is None]
        single = [r["seconds"] for r in self.alone if r["error"] is None]
        return LoadRow(
            sessions=sessions,
            generator=self.settings.generator,
            slots=self.settings.llm_slots,
            max_wait=self.settings.llm_max_wait,
            minutes=minutes,
            answers=len(results),
            quoted=self._quoted.count,
            errors=[r for r in results if r["error"] is not None],
            wrong=[r for r in results if r["error"] is None and not r["right"]],
            p50=percentile(seconds, 50) if seconds else float("nan"),
            p95=percentile(seconds, 95) if seconds else float("nan"),
            alone_p50=percentile(single, 50),
        )

    def close(self) -> None:
        self._app.close()
        logging.getLogger("rag.answering.llm").removeHandler(self._quoted)
        self._scratch.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", default="extractive")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--slots", type=int, help="llm_slots (default: the configured one)")
    parser.add_argument("--max-wait", type=float, help="llm_max_wait (default: the configured)")
    args = parser.parse_args()
    chat = WebChatUnderLoad(args.generator, args.slots, args.max_wait)
    try:
        print(
            f"{len(chat.questions)} of {len(chat.alone)} questions answered with the expected "
            "fact alone"
        )
        row = chat.run(args.sessions, args.minutes)
    finally:
        chat.close()
    print(LoadRow.HEADER)
    print(row.markdown())
    for item in row.errors[:5]:
        print(f"error: {item['id']}: {item['error']}")
    if wrong := row.wrong_ids():
        print(f"questions answered without the expected fact: {', '.join(wrong)}")
    return 1 if row.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
