"""Calibrate the extractive generator's refusal on the tuning halves only.

For every single-turn tuning-half question of the ceasefire (its first 29), multidoc, Quoref
rejection, false-refusal probe and synthesis suites, this records what
``SentenceScorer.assess`` reads (rag.answering.answerability.assessment_features), fits a
logistic regression of "can be answered" on it, and prints the weights
(rag.answering.evidence.EVIDENCE_WEIGHTS, scaled so that the sentence score weighs 1) and
the curve of refusals of the unanswerable
against false refusals over the threshold. The mix is what the suites hold: about three
answerable questions to one unanswerable, as in real use, and a false refusal costs as much as
a false answer. Summaries never refuse on evidence and are left out. The reporting halves are
never read.

    .venv/bin/python bench/calibrate_refusal.py [--index /tmp/calibrate-index]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

import rag
from rag.answering.answerability import assessment_features
from rag.answering.evidence import (
    EVIDENCE_WEIGHTS,
    Assessment,
    SentenceScorer,
    evidence_of,
    evidence_passages,
)
from rag.answering.kinds import SUMMARY, kind_of
from rag.evaluation import suites
from rag.evaluation.questions import Question
from rag.types import Passage

FEATURES = tuple(EVIDENCE_WEIGHTS)


def assessed_questions(
    suite: suites.Suite, index_dir: Path, **settings
) -> Iterator[tuple[rag.Bot, Question, list[Passage], Assessment]]:
    """Each single-turn tuning question of ``suite`` (summaries left out), with the passages
    the bot answers it from and the extractive generator's assessment of them, from a bot over
    the suite's index in ``index_dir`` (brought up to date; ``settings`` override the
    defaults)."""
    bot = rag.open(index_dir / suite.name, build=False, corpus_dir=suite.corpus, **settings)
    bot.ingest([suite.corpus], progress=False)
    scorer = SentenceScorer(bot.settings, bot.embedder)
    for question in suites.tuning_questions(suite):
        if question.turns or kind_of(question.question).kind == SUMMARY:
            continue
        passages = bot.evidence_for(question.question)
        ranked = scorer.score_sentences(question.question, passages)
        yield bot, question, passages, scorer.assess(question.question, passages, ranked)


def rows_of(suite: suites.Suite, index_dir: Path) -> list[dict]:
    rows = []
    for _, question, passages, seen in assessed_questions(suite, index_dir, generator="extractive"):
        row = {"suite": suite.name, "refuse": question.must_refuse, "holds": seen.holds_asked}
        if seen.best is None:
            row |= {name: 0.0 for name in FEATURES} | {"holds": False}
        else:
            row |= assessment_features(question.question, evidence_passages(passages), seen.best)
        rows.append(row)
    return rows


def fit(rows: list[dict], steps: int = 20000, rate: float = 0.5) -> tuple[np.ndarray, float]:
    """Logistic regression of "answerable" on the features (plain gradient descent, an L2
    penalty of 0.01 keeps the weights small)."""
    x = np.array([[r[name] for name in FEATURES] for r in rows])
    y = np.array([0.0 if r["refuse"] else 1.0 for r in rows])
    weights, bias = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ weights + bias)))
        weights -= rate * (x.T @ (p - y) / len(y) + 0.01 * weights)
        bias -= rate * float(np.mean(p - y))
    return weights, bias


def outcome(rows: list[dict], weights: dict[str, float], threshold: float) -> dict[str, float]:
    """Refused-when-unanswerable and refused-when-answerable at ``threshold``."""
    refused = [
        not r["holds"] or evidence_of({n: r[n] for n in weights}, weights) < threshold for r in rows
    ]
    must = [ref for r, ref in zip(rows, refused, strict=True) if r["refuse"]]
    can = [ref for r, ref in zip(rows, refused, strict=True) if not r["refuse"]]
    return {
        "refused_unanswerable": sum(must) / len(must) if must else float("nan"),
        "false_refusals": sum(can) / len(can) if can else float("nan"),
        "wrong": (len(must) - sum(must) + sum(can)) / len(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="keep the suites' indexes here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        index = args.index or Path(scratch)
        chosen = [
            suites.ceasefire(),
            suites.multidoc(),
            suites.quoref_rejection(index / "corpora", present=False),
            suites.quoref_rejection(index / "corpora", present=True),
            suites.probe(index / "corpora"),
            suites.synthesis(index / "corpora"),
        ]
        rows = [row for suite in chosen for row in rows_of(suite, index)]
    answerable = sum(not r["refuse"] for r in rows)
    print(f"{len(rows)} tuning questions, {answerable} answerable, {len(rows) - answerable} not")
    raw, bias = fit(rows)
    scale = raw[FEATURES.index("score")]
    fitted = {name: round(float(w / scale), 3) for name, w in zip(FEATURES, raw, strict=True)}
    print(f"fitted weights (score = 1): {fitted}, threshold {-bias / scale:.3f}")
    print(f"current weights: {EVIDENCE_WEIGHTS}, threshold {rag.Settings().refusal_threshold}")
    best = min((outcome(rows, fitted, step / 100)["wrong"], step / 100) for step in range(50, 250))
    print(f"fitted weights: fewest wrong ({best[0]:.3f}) at threshold {best[1]:.2f}")
    print("the curve (current weights): threshold, refused when unanswerable, refused when")
    print("answerable (false refusals), share wrong")
    for step in range(90, 186, 6):
        seen = outcome(rows, EVIDENCE_WEIGHTS, step / 100)
        print(
            f"  {step / 100:.2f}  {seen['refused_unanswerable']:.3f}  "
            f"{seen['false_refusals']:.3f}  {seen['wrong']:.3f}"
        )
    for threshold in (-bias / scale - 0.1, -bias / scale, best[1]):
        print(f"per suite, fitted, threshold {threshold:.3f}:")
        for name in sorted({r["suite"] for r in rows}):
            mine = [r for r in rows if r["suite"] == name]
            seen = outcome(mine, fitted, threshold)
            print(f"  {name}: " + ", ".join(f"{k} {v:.3f}" for k, v in seen.items()))


if __name__ == "__main__":
    main()
