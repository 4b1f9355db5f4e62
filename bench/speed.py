"""Speed in one run on this machine: encoders, whole ingest, peak memory and cold `rag ask`.

    .venv/bin/python bench/speed.py                 # 23 pages, 317 pages, the 1,204-file folder
    .venv/bin/python bench/speed.py --quick         # 23 pages only
    .venv/bin/python bench/speed.py --part ask --part load   # only these tables

Material: Debian's python3.11-doc library pages (fetched with apt-get download, not committed)
and, for many small files, 1,204 Quoref passages one file each (the shared benchmark; the
1,204-file folder the issue measured with SQuAD passages is matched in count).

Prints:
- windows per second of each embedding backend encoding exactly the windows rag embeds for the
  23 pages (same threads, length-sorted), against raw sentence-transformers on torch;
- whole-process `rag ingest` (its wall time, peak RSS) for each corpus, and its rate against
  the raw rate of the backend it used on the same windows;
- cold `rag ask` (median of 3), extractive and local, with no server running and with a
  `rag serve` running on the same index (which then answers; asked once before timing);
- answer p50/p95 under 1, 4 and 20 web sessions at once with the local model
  (bench/load_chat.py), with 1 slot and with ``--slots`` (default 2) answers decoded together.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load_chat import LoadRow, WebChatUnderLoad, free_port  # noqa: E402
from bench.scale import ROOT, pydoc_library, raw_encode_seconds, timed, window_texts  # noqa: E402
from rag.interfaces.remote import running_server  # noqa: E402

RAG = [sys.executable, "-m", "rag"]
QUOREF = ROOT.parent / "shared" / "benchmarks" / "quoref" / "quoref.corpus.jsonl"
# answered from the 23 pages (asyncio-queue.html), by both generators
QUESTION = "What does asyncio.Queue.qsize() return?"


def onnx_rate(texts: list[str], backend: str) -> float:
    """Windows per second of ``backend`` on ``texts`` (loaded first, then timed)."""
    import rag
    from rag.indexing.embedder import Embedder

    embedder = Embedder(rag.load_settings(embed_backend=backend))
    embedder.embed_texts(texts[:4])
    started = time.perf_counter()
    embedder.embed_texts(texts)
    return len(texts) / (time.perf_counter() - started)


def environment(**settings: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    return env | {f"RAG_{k.upper()}": v for k, v in settings.items()}


def ingest(corpus: Path, index: Path, backend: str) -> tuple[float, float]:
    env = environment(
        corpus_dir=str(corpus), index_dir=str(index), embed_backend=backend, generator="extractive"
    )
    wall, rss, _ = timed([*RAG, "ingest"], env)
    return wall, rss


def cold_ask(corpus: Path, index: Path, generator: str, runs: int = 3) -> float:
    env = environment(corpus_dir=str(corpus), index_dir=str(index), generator=generator)
    return statistics.median(timed([*RAG, "ask", QUESTION], env)[0] for _ in range(runs))


class RunningServer:
    """`rag serve` on ``index`` with ``generator``, until closed."""

    def __init__(self, corpus: Path, index: Path, generator: str):
        env = environment(corpus_dir=str(corpus), index_dir=str(index), generator=generator)
        self.env = env
        self._process = subprocess.Popen(
            [*RAG, "serve", "--port", str(free_port())],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 300
        while running_server(index, corpus) is None:
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"rag serve on {index} did not start")
            time.sleep(0.5)
        timed([*RAG, "ask", QUESTION], env)  # the server loads its models now, not when timed

    def close(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=60)


def cold_ask_with_server(corpus: Path, index: Path, generator: str, runs: int = 3) -> float:
    server = RunningServer(corpus, index, generator)
    try:
        return statistics.median(timed([*RAG, "ask", QUESTION], server.env)[0] for _ in range(runs))
    finally:
        server.close()


def load_rows(slot_counts: tuple[int, ...], sessions: tuple[int, ...], minutes: float):
    """bench/load_chat.py's rows for each slot count and number of sessions (local model)."""
    for slots in slot_counts:
        chat = WebChatUnderLoad("local", slots)
        try:
            for count in sessions:
                yield chat.run(count, minutes)
        finally:
            chat.close()


def pages(library: Path, count: int, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    chosen = sorted(library.glob("*.html"))
    for page in chosen[:count] if count else chosen:
        shutil.copy(page, target)
    return target


def small_files(target: Path, count: int = 1204) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for line in QUOREF.read_text(encoding="utf-8").splitlines()[:count]:
        passage = json.loads(line)
        (target / f"{passage['pid']}.txt").write_text(passage["text"] + "\n", encoding="utf-8")
    return target


PARTS = ("encoders", "ingest", "ask", "load")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=Path, default=Path(tempfile.gettempdir()) / "rag-pydoc")
    parser.add_argument("--quick", action="store_true", help="the 23 pages only")
    parser.add_argument("--backend", default="onnx", help="the backend ingest is timed with")
    parser.add_argument("--slots", type=int, default=2, help="slots compared with 1 under load")
    parser.add_argument("--minutes", type=float, default=2.0, help="of each load run")
    parser.add_argument("--part", action="append", choices=PARTS, help="only these (repeatable)")
    args = parser.parse_args()
    parts = args.part or PARTS
    library = pydoc_library(args.docs)
    with tempfile.TemporaryDirectory(prefix="rag-speed-") as scratch:
        work = Path(scratch)
        corpora = {"23 pages": pages(library, 23, work / "p23")}
        if not args.quick:
            corpora["317 pages"] = pages(library, 0, work / "p317")
            corpora["1,204 files"] = small_files(work / "small")
        if "encoders" in parts or "ingest" in parts:
            torch_rate = encoders(corpora["23 pages"], work)
        if "ingest" in parts:
            whole_ingests(corpora, work, args.backend, torch_rate)
        if "ask" in parts:
            index = work / "index-23 pages"
            if not index.exists():
                ingest(corpora["23 pages"], index, args.backend)
            cold_asks(corpora["23 pages"], index)
    if "load" in parts:
        print(f"\nThe web chat under load, local model ({args.minutes:g} minutes each):\n")
        print(LoadRow.HEADER, flush=True)
        for row in load_rows(tuple(dict.fromkeys((1, args.slots))), (1, 4, 20), args.minutes):
            print(row.markdown(), flush=True)
            if wrong := row.wrong_ids():
                print(f"<!-- without the expected fact: {', '.join(wrong)} -->", flush=True)
    return 0


def encoders(corpus: Path, work: Path) -> float:
    """Prints each backend's rate on ``corpus``'s windows; returns raw torch's."""
    _, texts = window_texts(corpus)
    torch_rate = len(texts) / raw_encode_seconds(texts, work, 2, 32)
    rates = {"torch": torch_rate}
    for backend in ("onnx", "onnx-int8"):
        rates[backend] = onnx_rate(texts, backend)
    print(f"\nEncoders on the 23 pages' {len(texts):,} windows (2 threads):\n")
    print("| backend | windows/s | against torch |\n|---|---|---|")
    for backend, rate in rates.items():
        print(f"| {backend} | {rate:.0f} | {rate / torch_rate:.2f}× |", flush=True)
    return torch_rate


def whole_ingests(corpora: dict[str, Path], work: Path, backend: str, torch_rate: float) -> None:
    print(f"\nWhole `rag ingest` with {backend}:\n")
    print(
        "| corpus | windows | ingest (s) | windows/s | against its raw rate "
        "| against raw torch | peak RSS (MB) |\n|---|---|---|---|---|---|---|"
    )
    for name, corpus in corpora.items():
        _, texts = window_texts(corpus, sorted(corpus.iterdir()))
        raw = onnx_rate(texts, backend) if backend != "torch" else torch_rate
        wall, rss = ingest(corpus, work / f"index-{name}", backend)
        rate = len(texts) / wall
        print(
            f"| {name} | {len(texts):,} | {wall:.1f} | {rate:.0f} | {rate / raw:.0%} "
            f"| {rate / torch_rate:.2f}× | {rss:.0f} |",
            flush=True,
        )


def cold_asks(corpus: Path, index: Path) -> None:
    print(f'\nCold `rag ask "{QUESTION}"` on the 23 pages (median of 3, seconds):\n')
    print("| generator | no server | a `rag serve` running |\n|---|---|---|")
    for generator in ("extractive", "local"):
        alone = cold_ask(corpus, index, generator)
        served = cold_ask_with_server(corpus, index, generator)
        print(f"| {generator} | {alone:.1f} | {served:.1f} |", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
