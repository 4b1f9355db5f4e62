"""Run a suite through the public API: index its corpus, ask every question, score it."""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import rag
from rag.answering.factory import generator_name
from rag.errors import ConfigError
from rag.evaluation.baseline import BM25Index
from rag.evaluation.metrics import (
    RANK_DEPTH,
    QuestionResult,
    aggregate,
    by_attack,
    by_split,
    by_type,
    score_answer,
    score_retrieval,
)
from rag.evaluation.questions import Question, missing_evidence
from rag.evaluation.suites import Suite
from rag.reading.discovery import find_documents
from rag.reading.readers import read_paragraphs
from rag.types import Answer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SuiteRun:
    suite: str
    description: str
    generator: str  # "none" for a retrieval-only run
    retrieval: str
    settings: dict
    ingest_seconds: float
    index_mb: float  # the index directory's size on disk
    paragraphs: int
    results: list[QuestionResult]
    metrics: dict
    metrics_by_type: dict
    metrics_by_split: dict  # "tune" / "report" halves, when the question set has them
    metrics_by_attack: dict  # per attack shape, for injection suites

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def run_suite(
    suite: Suite,
    settings: rag.Settings,
    index_dir: Path,
    progress: bool = True,
    answer: bool = True,
) -> SuiteRun:
    """Index the suite's corpus into ``index_dir`` (incrementally) and score every question.

    ``answer=False`` scores retrieval only: each question is retrieved as written (follow-ups
    are not made standalone) and no generator runs.
    """
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
        reply = _answer(bot, question) if answer else None
        query = reply.query if reply else question.question
        started = time.perf_counter()
        ranked = bot.retrieve(query, k=RANK_DEPTH)
        retrieve_seconds = time.perf_counter() - started
        lexical = baseline.search(query, RANK_DEPTH)
        results.append(
            score_answer(question, reply, ranked, lexical, retrieve_seconds)
            if reply
            else score_retrieval(question, ranked, lexical, retrieve_seconds, settings.top_k)
        )
    generator = generator_name(settings) if answer else "none"
    return SuiteRun(
        suite=suite.name,
        description=suite.description,
        generator=generator,
        retrieval=settings.retrieval,
        settings={
            "embed_model": settings.embed_model,
            "generator": generator,
            "retrieval": settings.retrieval,
            "window_sentences": settings.window_sentences,
            "hybrid_lexical_weight": settings.hybrid_lexical_weight,
            "hybrid_candidates": settings.hybrid_candidates,
            "top_k": settings.top_k,
            "refusal_threshold": settings.refusal_threshold,
            "llm_refusal_threshold": settings.llm_refusal_threshold,
        },
        ingest_seconds=round(report.seconds, 2),
        index_mb=round(_size(index_dir) / 2**20, 1),
        paragraphs=len(paragraphs),
        results=results,
        metrics=aggregate(results),
        metrics_by_type=by_type(results),
        metrics_by_split=by_split(results),
        metrics_by_attack=by_attack(results),
    )


def _answer(bot: rag.Bot, question: Question) -> Answer:
    """Ask the question in a fresh chat, after its earlier turns."""
    session = bot.chat()
    for turn in question.turns:
        session.ask(turn)
    return session.ask(question.question)


def _size(directory: Path) -> int:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file())
