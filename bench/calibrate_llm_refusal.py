"""Calibrate when the LLM generator asks the model, on the tuning halves only.

The LLM path refuses without asking the model when the evidence (``Assessment.evidence``) is
below ``llm_refusal_threshold``. Above it, the model answers and the grounding check verifies
every sentence, so the model can answer paraphrases that the quoting generator would refuse.

This asks every tuning-half question (the same questions as bench/calibrate_refusal.py) once,
with the threshold at ``--floor``, and records the evidence and whether the answer passed (the
right answer with a right citation, or a refusal where one is due). An answer does not depend on
the threshold once the model is asked, so the outcome at any threshold t ≥ floor is: a refusal
if the evidence is below t, else the recorded answer. The reporting halves are never read.

    .venv/bin/python bench/calibrate_llm_refusal.py [--generator local] [--index DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from calibrate_refusal import assessed_questions  # bench/, beside this script

import rag
from rag.evaluation import suites
from rag.evaluation.metrics import score_answer


def outcomes(suite: suites.Suite, index_dir: Path, generator: str, floor: float) -> list[dict]:
    rows = []
    for bot, question, passages, assessment in assessed_questions(
        suite, index_dir, generator=generator, llm_refusal_threshold=floor
    ):
        answer = bot.ask(question.question)
        result = score_answer(question, answer, passages, passages, 0.0)
        rows.append(
            {
                "suite": suite.name,
                "id": question.id,
                "refuse": question.must_refuse,
                "asked_model": assessment.answers(floor),
                "evidence": assessment.evidence,
                "passed": result.passed,
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def accuracy(rows: list[dict], threshold: float) -> dict[str, float]:
    """Per suite: mean of refusal accuracy and pass rate on answerable questions."""
    out = {}
    for name in sorted({r["suite"] for r in rows}):
        mine = [r for r in rows if r["suite"] == name]
        passed = [
            r["refuse"] if (not r["asked_model"] or r["evidence"] < threshold) else r["passed"]
            for r in mine
        ]
        must = [p for r, p in zip(mine, passed, strict=True) if r["refuse"]]
        can = [p for r, p in zip(mine, passed, strict=True) if not r["refuse"]]
        parts = [sum(x) / len(x) for x in (must, can) if x]
        out[name] = sum(parts) / len(parts)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", default="local")
    parser.add_argument("--floor", type=float, default=0.40, help="lowest threshold tried")
    parser.add_argument("--index", type=Path, help="keep the suites' indexes here")
    parser.add_argument("--rows", type=Path, help="reuse (or write) the recorded outcomes")
    args = parser.parse_args()
    if args.rows and args.rows.exists():
        rows = [json.loads(line) for line in args.rows.read_text().splitlines()]
    else:
        with tempfile.TemporaryDirectory() as scratch:
            index = args.index or Path(scratch)
            chosen = [
                suites.multidoc(),
                suites.quoref_rejection(index / "corpora", present=False),
                suites.quoref_rejection(index / "corpora", present=True),
                suites.ceasefire(),
            ]
            rows = [r for s in chosen for r in outcomes(s, index, args.generator, args.floor)]
        if args.rows:
            args.rows.write_text("".join(json.dumps(r) + "\n" for r in rows))
    results = []
    for step in range(round(args.floor * 100), 131):
        per_suite = accuracy(rows, step / 100)
        results.append((sum(per_suite.values()) / len(per_suite), step / 100, per_suite))
    current = rag.Settings().llm_refusal_threshold
    print(f"{len(rows)} tuning questions; current {current}: {accuracy(rows, current)}")
    for mean, threshold, per_suite in sorted(results, key=lambda r: -r[0])[:10]:
        detail = ", ".join(f"{k} {v:.3f}" for k, v in per_suite.items())
        print(f"mean {mean:.3f}  threshold {threshold:.2f}  ({detail})")


if __name__ == "__main__":
    main()
