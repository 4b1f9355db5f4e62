"""Sweep the hybrid fusion weight on the tuning questions: the ceasefire set and a Quoref sample
that shares no question with the one `rag eval quoref` reports.

    .venv/bin/python bench/tune_retrieval.py --index /tmp/quoref-index/quoref

--index: a Quoref index built by `rag eval quoref --index DIR` (DIR/quoref); without it only the
ceasefire questions are swept. Prints hit@1 / hit@5 / MRR@10 per weight.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

import rag
from rag.evaluation import suites
from rag.evaluation.metrics import first_relevant_rank, retrieval_metrics
from rag.evaluation.questions import Question

WEIGHTS = (0.0, 0.4, 0.5, 0.6, 0.7, 1.0)
TUNING_SEED = 7


def quoref_tuning_questions(work: Path, count: int) -> tuple[Path, list[Question]]:
    """``count`` Quoref questions drawn from those the reported sample leaves out."""
    reported = {q.id for q in suites.quoref(work).questions}
    everything = suites.quoref(work, sample=10**6)
    rest = [q for q in everything.questions if q.id not in reported]
    return everything.corpus, random.Random(TUNING_SEED).sample(rest, count)


def sweep(name: str, settings: rag.Settings, questions: list[Question]) -> None:
    answerable = [q for q in questions if not q.must_refuse and not q.turns]
    print(f"\n{name}: {len(answerable)} questions")
    print("| BM25 weight | hit@1 | hit@5 | MRR@10 |\n|---|---|---|---|")
    for weight in WEIGHTS:
        bot = rag.Bot(settings.replace(hybrid_lexical_weight=weight))
        ranks = [first_relevant_rank(q, bot.retrieve(q.question, k=10)) for q in answerable]
        scores = retrieval_metrics(ranks)
        print(f"| {weight} | " + " | ".join(f"{scores[m]:.3f}" for m in scores) + " |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="the Quoref index directory")
    parser.add_argument("--questions", type=int, default=1000, help="Quoref tuning questions")
    args = parser.parse_args()
    settings = rag.load_settings(generator="extractive", retrieval="hybrid")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        ceasefire = suites.ceasefire()
        rag.ingest([ceasefire.corpus], index_dir=work / "ceasefire")
        sweep(
            "ceasefire",
            settings.replace(index_dir=work / "ceasefire", corpus_dir=ceasefire.corpus),
            ceasefire.questions,
        )
        if args.index:
            corpus, questions = quoref_tuning_questions(work, args.questions)
            sweep(
                f"Quoref tuning sample (seed {TUNING_SEED}, disjoint from the reported one)",
                settings.replace(index_dir=args.index, corpus_dir=corpus),
                questions,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
