"""A streamed answer as the `openai` client receives it from `rag serve`, against `bot.ask_stream`
in this process, in the same run; and one MCP tool call through `rag mcp`.

Usage: .venv/bin/python bench/api_stream.py [--generator local|extractive] [--questions N]
In a scratch copy of the bundled corpus: build the index, copy it for the in-process bot, start
`rag serve` in a fresh process on the other copy. For each question, one after the other (never
two at once): `bot.ask_stream` here (time to the first draft text and to the checked answer),
then the same question streamed through the openai client (time to the first chunk, the first
draft chunk, the first content chunk and [DONE]). Prints the medians, then the first
question's chunks as received and its citations, then an MCP `ask_documents` call (answered by
the running server, which owns the index) and its result.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import openai
from web_chat import QUESTIONS as WEB_CHAT_QUESTIONS  # bench/, beside this script
from web_chat import free_port, start_serve

import rag

ROOT = Path(__file__).resolve().parent.parent
# the web chat bench's questions, then three more (the last one unanswerable)
QUESTIONS = [
    *WEB_CHAT_QUESTIONS,
    "What role does Marco Rubio play in the talks?",
    "What did the United States propose?",
    "What is the capital of Australia?",
]


def in_process(bot: rag.Bot, question: str) -> dict:
    started = time.perf_counter()
    first = None
    for item in bot.ask_stream(question):
        if isinstance(item, str) and item and first is None:
            first = time.perf_counter() - started
    return {"first draft": first, "answer": time.perf_counter() - started}


def streamed(client: openai.OpenAI, model: str, question: str) -> tuple[dict, list]:
    started = time.perf_counter()
    times: dict = {"first chunk": None, "first draft chunk": None, "first content chunk": None}
    received = []
    stream = client.chat.completions.create(
        model=model, stream=True, messages=[{"role": "user", "content": question}]
    )
    for chunk in stream:
        now = time.perf_counter() - started
        delta = chunk.choices[0].delta
        draft = (delta.model_extra or {}).get("reasoning_content")
        times["first chunk"] = times["first chunk"] or now
        if draft and times["first draft chunk"] is None:
            times["first draft chunk"] = now
        if delta.content and times["first content chunk"] is None:
            times["first content chunk"] = now
        received.append((now, chunk))
    times["[DONE]"] = time.perf_counter() - started
    return times, received


def median(values) -> str:
    values = [v for v in values if v is not None]
    return f"{statistics.median(values):.3f}" if values else "–"


def draft_of(chunk) -> str | None:
    return (chunk.choices[0].delta.model_extra or {}).get("reasoning_content")


def show_chunks(received: list) -> None:
    print("\nchunks of the first question, as the openai client received them:")
    drafts = [n for n, (_, chunk) in enumerate(received) if draft_of(chunk)]
    hidden = set(drafts[3:-2])  # the middle of the draft, a token or so per chunk
    for number, (at, chunk) in enumerate(received):
        if number in hidden:
            continue
        delta = chunk.choices[0].delta
        fields = {k: v for k, v in {"role": delta.role, "content": delta.content}.items() if v}
        if draft_of(chunk):
            fields["reasoning_content"] = draft_of(chunk)
        finish = chunk.choices[0].finish_reason
        line = f"  #{number:<3} {at:6.3f} s  {json.dumps(fields, ensure_ascii=False)[:160]}"
        print(line + (f"  finish_reason={finish}" if finish else ""))
    if hidden:
        print(f"  ({len(hidden)} draft chunks not shown)")
    print("\ncitations on the last chunk:")
    print(json.dumps(received[-1][1].model_extra["citations"], ensure_ascii=False, indent=2))


def mcp_call(work: Path, env: dict, question: str) -> None:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "rag", "mcp"], env=env, cwd=str(work)
    )

    async def call():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            started = time.perf_counter()
            result = await client.call_tool("ask_documents", {"question": question})
            return time.perf_counter() - started, result

    seconds, result = asyncio.run(call())
    print(f"\nMCP: call_tool('ask_documents', {{'question': {question!r}}}) in {seconds:.2f} s")
    print(json.dumps(result.structured_content, ensure_ascii=False, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generator", default="local")
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    args = parser.parse_args()
    questions = QUESTIONS[: args.questions]
    with tempfile.TemporaryDirectory(prefix="rag-api-bench-") as scratch:
        work = Path(scratch)
        shutil.copytree(ROOT / "corpus", work / "corpus")
        rag.ingest([work / "corpus"], index_dir=work / "index", corpus_dir=work / "corpus")
        shutil.copytree(work / "index", work / "index-here")
        bot = rag.open(
            index_dir=work / "index-here", corpus_dir=work / "corpus", generator=args.generator
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
        env["RAG_GENERATOR"] = args.generator
        port = free_port()
        server = start_serve(work, port, env)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/api/documents", timeout=300).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
            client = openai.OpenAI(base_url=f"{base}/v1", api_key="-", timeout=600)
            model = f"rag-{args.generator}"
            bot.ask("warm-up")  # both sides have their models loaded before timing
            streamed(client, model, "warm-up")
            here, there, first_received = [], [], None
            for question in questions:
                here.append(in_process(bot, question))
                times, received = streamed(client, model, question)
                there.append(times)
                first_received = first_received or received
            print(f"{len(questions)} questions, generator {args.generator}, medians in seconds")
            print(
                f"  bot.ask_stream:  first draft {median(h['first draft'] for h in here)}, "
                f"checked answer {median(h['answer'] for h in here)}"
            )
            print(
                "  openai stream:   "
                + ", ".join(f"{name} {median(t[name] for t in there)}" for name in there[0])
            )
            show_chunks(first_received)
            mcp_call(work, env, questions[0])
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
