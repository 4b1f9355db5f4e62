"""The eval suites: a question set and the corpus it is asked about."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError
from rag.evaluation.questions import Question, load_questions

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS_DIR = ROOT / "evals" / "questions"
DEFAULT_QUOREF_DIR = ROOT.parent / "shared" / "benchmarks" / "quoref"
DEFAULT_SAMPLE = 1000
DEFAULT_SEED = 13


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    corpus: Path  # a directory of documents to index
    questions: list[Question]


def _local_suite(name: str, description: str, corpus: Path, questions: str) -> Suite:
    return Suite(name, description, corpus, load_questions(QUESTIONS_DIR / questions))


def ceasefire() -> Suite:
    return _local_suite(
        "ceasefire",
        "the bundled news article; written for this project, used to tune the defaults",
        ROOT / "corpus",
        "ceasefire.jsonl",
    )


def ceasefire_heldout() -> Suite:
    return _local_suite(
        "ceasefire-heldout",
        "the bundled news article; questions written after tuning, never tuned on",
        ROOT / "corpus",
        "ceasefire-heldout.jsonl",
    )


def dpkg_specs() -> Suite:
    return _local_suite(
        "dpkg-specs",
        "four hard-wrapped dpkg specification files (GPL-2+, see dpkg-specs.COPYRIGHT); "
        "the right file must be cited",
        ROOT / "evals" / "corpora" / "dpkg-specs",
        "dpkg-specs.jsonl",
    )


def multidoc() -> Suite:
    return _local_suite(
        "multidoc",
        "ten related documents in four formats (Python docs as HTML and PDF, three licences as "
        "text, pip docs as Markdown; see multidoc.COPYRIGHT): questions that name a document, "
        "whose answer is in one document while similar text is in another, and 18 that none "
        "answers; split into a tuning and a reporting half",
        ROOT / "evals" / "corpora" / "multidoc",
        "multidoc.jsonl",
    )


def quoref(
    work_dir: Path,
    sample: int = DEFAULT_SAMPLE,
    seed: int = DEFAULT_SEED,
    data_dir: Path = DEFAULT_QUOREF_DIR,
) -> Suite:
    """A seeded sample of Quoref questions over all 2,942 passages, one file per passage.

    A retrieved passage counts when it is the question's gold passage.
    """
    corpus_file = data_dir / "quoref.corpus.jsonl"
    questions_file = data_dir / "quoref.questions.jsonl"
    if not corpus_file.exists() or not questions_file.exists():
        raise ConfigError(f"the Quoref benchmark is not in {data_dir} (use --quoref DIR)")
    corpus = work_dir / "quoref-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for line in corpus_file.read_text(encoding="utf-8").splitlines():
        passage = json.loads(line)
        target = corpus / f"{passage['pid']}.txt"
        text = " ".join(passage["text"].split()) + "\n"  # one passage = one paragraph
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    items = [json.loads(x) for x in questions_file.read_text(encoding="utf-8").splitlines()]
    chosen = random.Random(seed).sample(items, min(sample, len(items)))
    questions = [
        Question(
            id=item["qid"],
            type="fact",
            question=item["question"],
            answers=tuple(item["answers"]),
            source=f"{item['gold_pid']}.txt",
        )
        for item in chosen
    ]
    return Suite(
        "quoref",
        f"Quoref reading comprehension: {len(questions)} questions sampled with seed {seed} "
        "from 6,500, over all 2,942 Wikipedia passages; a passage counts when it is the gold one",
        corpus,
        questions,
    )


LOCAL_SUITES = {
    "ceasefire": ceasefire,
    "ceasefire-heldout": ceasefire_heldout,
    "dpkg-specs": dpkg_specs,
    "multidoc": multidoc,
}
ALL_SUITES = (*LOCAL_SUITES, "quoref")
