"""What a scope costs: `bot.retrieve` (hybrid, k=5) p50/p95 with and without a scope, on the
Python 3.11 library reference (Debian's python3.11-doc, all 317 pages; PSF licence, fetched
with apt-get download, not committed).

Questions are sentences of the pages (the first words of a random paragraph, as in
bench/scale.py), each with its own page. Scopes, timed in turn for every question so that
drift hits each alike: none; the question's own page; a glob of about half the pages
("[a-m]*.html"); every page by type (".html", a filter that chooses all 317). Also the share
of questions whose best passage comes from their own page (hit@1), and a check that no scoped
passage comes from outside its scope.

    .venv/bin/python bench/scope.py --work /tmp/rag-scope   # builds the index there once
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scale import pydoc_library, questions_with_pages  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=Path(tempfile.gettempdir()) / "rag-pydoc")
    parser.add_argument("--work", type=Path, required=True, help="keep the corpus/index here")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()

    import rag

    corpus, index = args.work / "corpus", args.work / "index"
    if not corpus.exists():
        library = pydoc_library(args.docs)
        corpus.mkdir(parents=True)
        for page in sorted(library.glob("*.html")):
            shutil.copy(page, corpus / page.name)
    started = time.perf_counter()
    report = rag.ingest([corpus], index_dir=index, generator="extractive")
    print(
        f"index: {len(list(corpus.glob('*.html')))} pages, {report.paragraphs} paragraphs "
        f"({time.perf_counter() - started:.0f} s to ingest or check)",
        file=sys.stderr,
    )
    bot = rag.open(index_dir=index, corpus_dir=corpus, generator="extractive", build=False)
    asked = questions_with_pages(corpus, args.questions)
    bot.retrieve(asked[0][0], k=5)  # loads the model and the BM25 arm

    scopes = {
        "none": lambda page: None,
        "the question's own page": lambda page: rag.Scope.of(only=[page]),
        "glob [a-m]*.html (about half)": lambda page: rag.Scope.of(only=["[a-m]*.html"]),
        "type .html (all 317 pages)": lambda page: rag.Scope.of(types=["html"]),
    }
    times: dict[str, list[float]] = {name: [] for name in scopes}
    hits: dict[str, int] = dict.fromkeys(scopes, 0)
    outside = 0
    for question, page in asked:
        for name, scope_of in scopes.items():
            scope = scope_of(page)
            begun = time.perf_counter()
            found = bot.retrieve(question, k=5, scope=scope)
            times[name].append((time.perf_counter() - begun) * 1000)
            hits[name] += bool(found) and found[0].source == page
            if scope is not None:
                chosen = bot.select(scope).sources
                outside += sum(p.source not in chosen for p in found)

    print(f"| scope | retrieve p50 | p95 | hit@1 (own page) | over {len(asked)} questions |")
    print("|---|---|---|---|---|")
    for name, values in times.items():
        values.sort()
        p95 = values[int(0.95 * (len(values) - 1))]
        print(
            f"| {name} | {statistics.median(values):.1f} ms | {p95:.1f} ms | "
            f"{hits[name] / len(asked):.3f} | |"
        )
    print(f"\npassages from outside their scope: {outside}")


if __name__ == "__main__":
    main()
