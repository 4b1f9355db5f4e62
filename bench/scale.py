"""Ingest and retrieval at documentation-site scale: the Python 3.11 library reference.

Fetches Debian's python3.11-doc (apt-get download; PSF licence, not committed), copies its
library/*.html pages (the first N alphabetically, or all 317) into a scratch corpus and prints
one table: paragraphs, windows, the raw sentence-transformers encode time of exactly those
windows (same model, batch size, threads and length-sorted order), whole-process `rag ingest`
time and its ratio to the raw encode, peak RSS, index size, re-ingest with nothing changed and
with one page edited (beside the raw encode time of that page's windows), and `bot.retrieve`
p50/p95 (hybrid, k=5) over 200 questions taken from the pages' headings.

    .venv/bin/python bench/scale.py --pages 23        # the subset
    .venv/bin/python bench/scale.py --pages 0         # all pages
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RAG = [sys.executable, "-m", "rag"]


def pydoc_library(work: Path) -> Path:
    """library/ of Debian's python3.11-doc, downloaded and unpacked into ``work`` once."""
    html = work / "usr/share/doc/python3.11/html/library"
    if not html.exists():
        work.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", "python3.11-doc"], cwd=work, check=True)
        deb = next(work.glob("python3.11-doc_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(work)], check=True)
    return html


def timed(command: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Wall seconds, the process's own peak RSS (MiB), and its stdout. The peak is GNU time's:
    a child forked straight from this process would count this process's own peak as its
    (Linux keeps the larger of the two across exec)."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("w+", suffix=".rss") as peak,
    ):
        started = time.perf_counter()
        timer = ["/usr/bin/time", "-f", "%M", "-o", peak.name]
        status = subprocess.run([*timer, *command], stdout=out, stderr=err, text=True, env=env)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if status.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{err.read()}")
        return wall, int(Path(peak.name).read_text().split()[-1]) / 1024, out.read()


RAW_ENCODE = """
import json, sys, time
import torch
torch.set_num_threads(int(sys.argv[2]))
from sentence_transformers import SentenceTransformer
from rag.indexing.embedder import resolve_model_path
texts = json.load(open(sys.argv[1]))
texts.sort(key=len)
model = SentenceTransformer(resolve_model_path("all-MiniLM-L6-v2"), device="cpu")
started = time.perf_counter()
model.encode(texts, batch_size=int(sys.argv[3]), normalize_embeddings=True)
print(time.perf_counter() - started)
"""


def window_texts(corpus: Path, pages: list[Path] | None = None) -> tuple[int, list[str]]:
    """Paragraphs and the exact texts rag embeds for them."""
    import rag
    from rag.indexing.windows import embedded_text, windows_of
    from rag.reading.readers import read_paragraphs

    sentences = rag.load_settings().window_sentences
    paragraphs, texts = 0, []
    for path in pages or sorted(corpus.glob("*.html")):
        for paragraph in read_paragraphs(path, path.name):
            paragraphs += 1
            for window in windows_of(paragraph, sentences):
                texts.append(embedded_text(window, paragraph.heading))
    return paragraphs, texts


def raw_encode_seconds(texts: list[str], scratch: Path, threads: int, batch: int) -> float:
    import json

    path = scratch / "texts.json"
    path.write_text(json.dumps(texts))
    result = subprocess.run(
        [sys.executable, "-c", RAW_ENCODE, str(path), str(threads), str(batch)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return float(result.stdout.strip().splitlines()[-1])


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def retrieval_latency(index: Path, corpus: Path, questions: list[str]) -> tuple[float, float]:
    import rag

    bot = rag.open(index_dir=index, corpus_dir=corpus, generator="extractive", build=False)
    bot.retrieve(questions[0], k=5)  # loads the model and the BM25 arm
    times = []
    for question in questions:
        started = time.perf_counter()
        bot.retrieve(question, k=5)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def answer_latency(index: Path, corpus: Path, questions: list[str]) -> float:
    """Median seconds of `bot.ask` with the local model (one warm-up question first)."""
    import rag

    bot = rag.open(index_dir=index, corpus_dir=corpus, generator="local", build=False)
    bot.ask(questions[0])
    times = []
    for question in questions[1:]:
        started = time.perf_counter()
        bot.ask(question)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def answers_on_both(work: Path, questions: int) -> list[tuple[str, str]]:
    """The local model's answer p50 on this index and on the bundled article (same settings)."""
    import json

    article = work / "article"
    (article / "corpus").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "corpus" / "ukraine-russia-ceasefire-talks.txt", article / "corpus")
    import rag

    rag.ingest([article / "corpus"], index_dir=article / "index")
    suite = ROOT / "evals" / "questions" / "ceasefire.jsonl"
    asked = [json.loads(line)["question"] for line in suite.read_text().splitlines() if line]
    small = answer_latency(article / "index", article / "corpus", asked[: questions + 1])
    large = answer_latency(
        work / "index", work / "corpus", questions_from(work / "corpus", questions + 1)
    )
    return [
        (
            f"`bot.ask` with the local model, p50 over {questions} questions",
            f"{large:.1f} s here; {small:.1f} s on the bundled article",
        )
    ]


def questions_from(corpus: Path, n: int = 200) -> list[str]:
    return [question for question, _ in questions_with_pages(corpus, n)]


def questions_with_pages(corpus: Path, n: int = 200) -> list[tuple[str, str]]:
    """``n`` questions made of the first words of a random paragraph of a random page, each
    with its page's name."""
    from rag.reading.readers import read_paragraphs

    rng = random.Random(11)
    pages = sorted(corpus.glob("*.html"))
    picked = []
    for path in rng.sample(pages, min(len(pages), n)) * 2:
        paragraphs = [p for p in read_paragraphs(path, path.name) if not p.code]
        if paragraphs:
            sentence = rng.choice(paragraphs).text.split(". ")[0]
            picked.append((f"What does the documentation say about {sentence[:80]}?", path.name))
        if len(picked) == n:
            break
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=23, help="first N pages; 0 = all")
    parser.add_argument("--docs", type=Path, default=Path(tempfile.gettempdir()) / "rag-pydoc")
    parser.add_argument("--work", type=Path, default=None, help="keep the corpus/index here")
    parser.add_argument(
        "--answers",
        type=int,
        default=0,
        metavar="N",
        help="also time N answers with the local model here and on the bundled article",
    )
    parser.add_argument(
        "--answers-only", action="store_true", help="only that, on the index kept in --work"
    )
    args = parser.parse_args()
    if args.answers_only:
        for name, value in answers_on_both(args.work, args.answers or 10):
            print(f"| {name} | {value} |")
        return

    import rag

    settings = rag.load_settings()
    library = pydoc_library(args.docs)
    pages = sorted(library.glob("*.html"))
    pages = pages[: args.pages] if args.pages else pages
    work = args.work or Path(tempfile.mkdtemp(prefix="rag-scale-"))
    corpus, index = work / "corpus", work / "index"
    shutil.rmtree(work, ignore_errors=True)
    corpus.mkdir(parents=True)
    for page in pages:
        shutil.copy(page, corpus / page.name)

    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env["RAG_GENERATOR"] = "extractive"
    rows: list[tuple[str, str]] = [("pages", f"{len(pages)} ({size_mb(corpus):.1f} MB of HTML)")]

    paragraphs, texts = window_texts(corpus)
    rows += [("paragraphs", f"{paragraphs:,}"), ("windows (embedded texts)", f"{len(texts):,}")]
    raw = raw_encode_seconds(texts, work, settings.threads, settings.embed_batch_size)
    rows.append(
        (
            "raw sentence-transformers encode of those windows",
            f"{raw:.1f} s ({len(texts) / raw:.0f} windows/s; batch "
            f"{settings.embed_batch_size}, {settings.threads} threads)",
        )
    )

    ingest = [*RAG, "--index", str(index), "ingest", str(corpus)]
    wall, peak, _ = timed(ingest, env)
    rows.append(
        (
            "`rag ingest` whole process, empty index",
            f"{wall:.1f} s = {raw / wall:.0%} of the raw encode rate",
        )
    )
    rows.append(("peak RSS of `rag ingest`", f"{peak:,.0f} MiB"))
    rows.append(("index size on disk", f"{size_mb(index):.0f} MB"))

    wall, _, _ = timed(ingest, env)
    rows.append(("re-ingest, nothing changed", f"{wall:.1f} s"))

    edited = corpus / pages[len(pages) // 2].name
    text = edited.read_text(encoding="utf-8")
    edited.write_text(
        text.replace("</p>", " This sentence was added by bench/scale.py.</p>", 1),
        encoding="utf-8",
    )
    page_paragraphs, page_texts = window_texts(corpus, [edited])
    page_raw = raw_encode_seconds(page_texts, work, settings.threads, settings.embed_batch_size)
    wall, _, _ = timed(ingest, env)
    rows.append(
        (
            f"re-ingest, one page edited ({edited.name}: {page_paragraphs} paragraphs, "
            f"{len(page_texts)} windows)",
            f"{wall:.1f} s (raw encode of that page: {page_raw:.1f} s)",
        )
    )

    p50, p95 = retrieval_latency(index, corpus, questions_from(corpus))
    rows.append(("`bot.retrieve` hybrid, k=5: p50 / p95", f"{p50:.0f} / {p95:.0f} ms"))
    if args.answers:
        rows += answers_on_both(work, args.answers)

    print(f"| measure ({len(pages)} pages) | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
