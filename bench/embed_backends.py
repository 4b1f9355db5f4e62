"""Retrieval and answer quality of each embedding backend, in one run on the same questions.

    .venv/bin/python bench/embed_backends.py [--questions 300] [--passages 600]

For each backend (torch, onnx, onnx-int8) it indexes
- a Quoref sub-corpus: the gold passages of the first N questions of `rag eval quoref`'s reported
  sample (seed 13; nothing was tuned on it) and other passages up to --passages, and scores
  retrieval (dense arm alone and hybrid: hit@1, hit@5);
- the ceasefire and multidoc suites, answered by the extractive generator (accuracy, refusal
  accuracy, false-refusal rate, retrieval hit@1) on their reporting halves and on all questions.
It prints one Markdown table, with each backend's ingest rate (windows per second, whole ingest).
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import rag
from rag.evaluation import suites
from rag.evaluation.report import metric
from rag.evaluation.runner import run_suite
from rag.indexing.embedder import BACKENDS


def quoref_subset(work: Path, questions: int, passages: int) -> suites.Suite:
    full = suites.quoref(work / "full", sample=questions)
    texts, _ = suites._read_quoref(suites.DEFAULT_QUOREF_DIR)
    gold = {q.source.removesuffix(".txt") for q in full.questions}
    others = sorted(set(texts) - gold)
    chosen = gold | set(random.Random(5).sample(others, max(0, passages - len(gold))))
    corpus = suites._write_passages(work / "subset", {p: texts[p] for p in sorted(chosen)})
    description = f"{len(full.questions)} Quoref questions over {len(chosen)} passages"
    return suites.Suite("quoref-subset", description, corpus, full.questions)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--passages", type=int, default=600)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS))
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        quoref = quoref_subset(work, args.questions, args.passages)
        for backend in args.backends:
            settings = rag.load_settings(generator="extractive", embed_backend=backend)
            row = {"backend": backend}
            index = work / f"index-{backend}"
            dense = run_suite(
                quoref, settings.replace(retrieval="dense"), index / "q", False, answer=False
            )
            hybrid = run_suite(quoref, settings, index / "q", False, answer=False)
            windows = rag.Bot(settings.replace(index_dir=index / "q")).store.window_count()
            row["quoref ingest windows/s"] = windows / dense.ingest_seconds
            for name, run in (("dense", dense), ("hybrid", hybrid)):
                for k in ("hit@1", "hit@5"):
                    row[f"quoref {name} {k}"] = metric(run.metrics, f"retrieval.{k}")
            for suite in (suites.ceasefire(), suites.multidoc()):
                run = run_suite(suite, settings, index / suite.name, False)
                report = run.metrics_by_split.get("report", {})
                for label, metrics in (("all", run.metrics), ("report half", report)):
                    for key in ("answer_accuracy", "refusal_accuracy", "false_refusal_rate"):
                        row[f"{suite.name} {label} {key}"] = metric(metrics, key)
                    row[f"{suite.name} {label} hit@1"] = metric(metrics, "retrieval.hit@1")
            rows.append(row)
            print(row, flush=True)
    print(f"\n{quoref.description}\n")
    print("| figure | " + " | ".join(r["backend"] for r in rows) + " |")
    print("|---" * (len(rows) + 1) + "|")
    for key in rows[0]:
        if key == "backend":
            continue
        cells = [f"{r[key]:.3f}" if r[key] is not None else "–" for r in rows]
        print(f"| {key} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
