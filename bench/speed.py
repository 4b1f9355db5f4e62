"""Speed in one run on this machine: encoders, whole ingest, peak memory and cold `rag ask`.

    .venv/bin/python bench/speed.py                 # 23 pages, 317 pages, the 1,204-file folder
    .venv/bin/python bench/speed.py --quick         # 23 pages only

Material: Debian's python3.11-doc library pages (fetched with apt-get download, not committed)
and, for many small files, 1,204 Quoref passages one file each (the shared benchmark; the
1,204-file folder the issue measured with SQuAD passages is matched in count).

Prints:
- windows per second of each embedding backend encoding exactly the windows rag embeds for the
  23 pages (same threads, length-sorted), against raw sentence-transformers on torch;
- whole-process `rag ingest` (its wall time, peak RSS) for each corpus, and its rate against
  the raw rate of the backend it used on the same windows;
- cold `rag ask` with no server running (median of 3), extractive and local.
The answer latency under 1, 4 and 20 web sessions is bench/load_chat.py's (`--slots N`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale import ROOT, pydoc_library, raw_encode_seconds, timed, window_texts  # noqa: E402

RAG = [sys.executable, "-m", "rag"]
QUOREF = ROOT.parent / "shared" / "benchmarks" / "quoref" / "quoref.corpus.jsonl"
QUESTION = "What does the shutil module offer for copying files?"


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
    env = environment(corpus_dir=str(corpus), index_dir=str(index), embed_backend=backend,
                      generator="extractive")
    wall, rss, _ = timed([*RAG, "ingest"], env)
    return wall, rss


def cold_ask(corpus: Path, index: Path, generator: str, runs: int = 3) -> float:
    env = environment(corpus_dir=str(corpus), index_dir=str(index), generator=generator)
    return statistics.median(timed([*RAG, "ask", QUESTION], env)[0] for _ in range(runs))


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=Path, default=Path(tempfile.gettempdir()) / "rag-pydoc")
    parser.add_argument("--quick", action="store_true", help="the 23 pages only")
    parser.add_argument("--backend", default="onnx", help="the backend ingest is timed with")
    args = parser.parse_args()
    library = pydoc_library(args.docs)
    with tempfile.TemporaryDirectory(prefix="rag-speed-") as scratch:
        work = Path(scratch)
        corpora = {"23 pages": pages(library, 23, work / "p23")}
        if not args.quick:
            corpora["317 pages"] = pages(library, 0, work / "p317")
            corpora["1,204 files"] = small_files(work / "small")

        _, texts = window_texts(corpora["23 pages"])
        torch_rate = len(texts) / raw_encode_seconds(texts, work, 2, 32)
        rates = {"torch": torch_rate}
        for backend in ("onnx", "onnx-int8"):
            rates[backend] = onnx_rate(texts, backend)
        print(f"\nEncoders on the 23 pages' {len(texts):,} windows (2 threads):\n")
        print("| backend | windows/s | against torch |\n|---|---|---|")
        for backend, rate in rates.items():
            print(f"| {backend} | {rate:.0f} | {rate / torch_rate:.2f}× |", flush=True)

        print(f"\nWhole `rag ingest` with {args.backend}:\n")
        print("| corpus | windows | ingest (s) | windows/s | against its raw rate "
              "| against raw torch | peak RSS (MB) |\n|---|---|---|---|---|---|---|")
        for name, corpus in corpora.items():
            _, texts = window_texts(corpus, sorted(corpus.iterdir()))
            raw = onnx_rate(texts, args.backend) if args.backend != "torch" else torch_rate
            wall, rss = ingest(corpus, work / f"index-{name}", args.backend)
            rate = len(texts) / wall
            print(f"| {name} | {len(texts):,} | {wall:.1f} | {rate:.0f} | {rate / raw:.0%} "
                  f"| {rate / torch_rate:.2f}× | {rss:.0f} |", flush=True)

        index = work / "index-23 pages"
        print("\nCold `rag ask`, no server running (median of 3):\n")
        print("| generator | seconds |\n|---|---|")
        for generator in ("extractive", "local"):
            print(f"| {generator} | {cold_ask(corpora['23 pages'], index, generator):.1f} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
