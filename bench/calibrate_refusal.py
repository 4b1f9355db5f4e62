"""Calibrate the extractive generator's refusal on the tuning halves only.

For every tuning-half question of the multidoc, Quoref rejection and ceasefire suites (ceasefire:
its first 29 questions, the ones the defaults were always tuned on), this records what
``ExtractiveGenerator.assess`` sees, then searches the coverage weight and the refusal threshold
that best separate "must refuse" from "can answer". The reporting halves are never read.

    .venv/bin/python bench/calibrate_refusal.py [--index /tmp/calibrate-index]
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import rag
from rag.evaluation import suites
from rag.evaluation.questions import Question, contains
from rag.generate import Assessment, ExtractiveGenerator
from rag.types import Passage


def assessed_questions(
    suite: suites.Suite, index_dir: Path, **settings
) -> Iterator[tuple[rag.Bot, Question, list[Passage], Assessment]]:
    """Each single-turn tuning question of ``suite``, with its retrieved passages and the
    extractive generator's assessment of them, from a bot over the suite's index in
    ``index_dir`` (brought up to date; ``settings`` override the defaults)."""
    bot = rag.open(index_dir / suite.name, build=False, corpus_dir=suite.corpus, **settings)
    bot.ingest([suite.corpus], progress=False)
    quoting = ExtractiveGenerator(bot.settings, bot.embedder)
    for question in suites.tuning_questions(suite):
        if question.turns:
            continue
        passages = bot.retrieve(question.question)
        ranked = quoting.score_sentences(question.question, passages)
        yield bot, question, passages, quoting.assess(question.question, passages, ranked)


def features(suite: suites.Suite, index_dir: Path) -> list[dict]:
    rows = []
    for _, question, _, seen in assessed_questions(suite, index_dir, generator="extractive"):
        right = bool(seen.best) and any(contains(seen.best.text, a) for a in question.answers)
        rows.append(
            {
                "suite": suite.name,
                "refuse": question.must_refuse,
                "right": right,
                "score": seen.best.score if seen.best else 0.0,
                "coverage": seen.coverage,
                "missing": seen.missing_names,
                "holds": seen.holds_asked,
            }
        )
    return rows


def accuracy(rows: list[dict], weight: float, threshold: float) -> dict[str, float]:
    """Per suite: mean of refusal accuracy and answered rate (answerable questions)."""
    out = {}
    for name in sorted({r["suite"] for r in rows}):
        mine = [r for r in rows if r["suite"] == name]
        refused = [
            not r["holds"]
            or r["score"]
            + weight * r["coverage"]
            - ExtractiveGenerator.MISSING_NAME_PENALTY * r["missing"]
            < threshold
            for r in mine
        ]
        must = [ref for r, ref in zip(mine, refused, strict=True) if r["refuse"]]
        can = [not ref for r, ref in zip(mine, refused, strict=True) if not r["refuse"]]
        parts = [sum(x) / len(x) for x in (must, can) if x]
        out[name] = sum(parts) / len(parts)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="keep the suites' indexes here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        index = args.index or Path(scratch)
        chosen = [
            suites.multidoc(),
            suites.quoref_rejection(index / "corpora", present=False),
            suites.quoref_rejection(index / "corpora", present=True),
            suites.ceasefire(),
        ]
        rows = [row for suite in chosen for row in features(suite, index)]
    results = []
    weights = [w / 10 for w in range(0, 11)]
    for weight, step in itertools.product(weights, range(25, 131)):
        threshold = step / 100
        per_suite = accuracy(rows, weight, threshold)
        results.append((sum(per_suite.values()) / len(per_suite), weight, threshold, per_suite))
    results.sort(key=lambda r: -r[0])
    current = accuracy(rows, ExtractiveGenerator.COVERAGE, rag.Settings().refusal_threshold)
    print(f"{len(rows)} tuning questions; current setting: {current}")
    for mean, weight, threshold, per_suite in results[:10]:
        detail = ", ".join(f"{k} {v:.3f}" for k, v in per_suite.items())
        print(f"mean {mean:.3f}  coverage weight {weight}  threshold {threshold:.2f}  ({detail})")


if __name__ == "__main__":
    main()
