"""Score the bundled question set with the public API (the full `rag eval` suite builds on this).

Usage: .venv/bin/python evals/check.py [--index DIR] [--questions FILE]
An answerable question counts as correct when the answer is not a refusal, contains one of the
acceptable answers and cites a paragraph that contains one of the evidence strings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

import rag

ROOT = Path(__file__).resolve().parent.parent


def score(bot: rag.Bot, questions: list[dict]) -> dict:
    correct, refused_right, latencies, failures = 0, 0, [], []
    answerable = [q for q in questions if q.get("evidence")]
    must_refuse = [q for q in questions if q["type"] == "unanswerable"]
    for item in answerable + must_refuse:
        answer = bot.ask(item["question"])
        latencies.append(answer.seconds)
        if item in must_refuse:
            ok = answer.refused
            refused_right += ok
        else:
            ok = (
                not answer.refused
                and any(a.lower() in answer.text.lower() for a in item["answers"])
                and any(e in c.text for c in answer.citations for e in item["evidence"])
            )
            correct += ok
        if not ok:
            failures.append({"id": item["id"], "answer": answer.text})
    return {
        "answered_correctly_with_right_citation": f"{correct}/{len(answerable)}",
        "refusal_accuracy": f"{refused_right}/{len(must_refuse)}",
        "ask_latency_median_s": round(statistics.median(latencies), 4),
        "failures": failures,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", help="existing index (default: a temporary one of corpus/)")
    parser.add_argument("--questions", default=ROOT / "evals/questions/ceasefire.jsonl")
    args = parser.parse_args()
    questions = [json.loads(x) for x in Path(args.questions).read_text().splitlines() if x.strip()]
    with tempfile.TemporaryDirectory() as scratch:
        bot = rag.open(index_dir=args.index or scratch, corpus_dir=ROOT / "corpus")
        print(json.dumps(score(bot, questions), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
