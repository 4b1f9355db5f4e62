"""Run a suite through the public API: index its corpus, ask every question, score it."""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import rag
from rag.documents import find_documents, read_paragraphs
from rag.errors import ConfigError
from rag.evaluation.metrics import RANK_DEPTH, QuestionResult, aggregate, by_type, score_answer
from rag.evaluation.questions import missing_evidence
from rag.evaluation.suites import Suite
from rag.generate import generator_name
from rag.lexical import BM25Index

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SuiteRun:
    suite: str
    description: str
    generator: str
    settings: dict
    ingest_seconds: float
    paragraphs: int
    results: list[QuestionResult]
    metrics: dict
    metrics_by_type: dict

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def run_suite(
    suite: Suite, settings: rag.Settings, index_dir: Path, progress: bool = True
) -> SuiteRun:
    """Index the suite's corpus into ``index_dir`` (incrementally) and score every question."""
    settings = settings.replace(corpus_dir=suite.corpus, index_dir=index_dir)
    documents, _ = find_documents([suite.corpus])
    paragraphs = [p for doc in documents for p in read_paragraphs(doc.path, doc.source)]
    missing = missing_evidence(suite.questions, paragraphs)
    if missing:
        raise ConfigError(
            f"{suite.name}: evidence not found in the corpus: {'; '.join(missing[:5])}"
        )
    bot = rag.Bot(settings)
    report = bot.ingest([suite.corpus], progress=progress)
    baseline = BM25Index(paragraphs)
    results = []
    questions = suite.questions
    if progress:
        from tqdm import tqdm

        questions = tqdm(questions, desc=f"{suite.name}", unit="question")
    for question in questions:
        session = bot.chat()
        for turn in question.turns:
            session.ask(turn)
        answer = session.ask(question.question)
        started = time.perf_counter()
        ranked = bot.retrieve(answer.query, k=RANK_DEPTH)
        retrieve_seconds = time.perf_counter() - started
        lexical = baseline.search(answer.query, RANK_DEPTH)
        results.append(score_answer(question, answer, ranked, lexical, retrieve_seconds))
    generator = generator_name(settings)
    return SuiteRun(
        suite=suite.name,
        description=suite.description,
        generator=generator,
        settings={
            "embed_model": settings.embed_model,
            "generator": generator,
            "top_k": settings.top_k,
            "refusal_threshold": settings.refusal_threshold,
        },
        ingest_seconds=round(report.seconds, 2),
        paragraphs=len(paragraphs),
        results=results,
        metrics=aggregate(results),
        metrics_by_type=by_type(results),
    )
