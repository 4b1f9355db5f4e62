"""Plain BM25 over each paragraph's text and heading: the retrieval baseline every eval reports
beside ours, and the ranker that picks the distractors of the Quoref rejection sets."""

from __future__ import annotations

from collections.abc import Sequence

from rag.indexing.bm25 import bm25_of_texts, query_tokens, scores_of, top, with_heading
from rag.types import Paragraph, Passage


class BM25Index:
    """Paragraphs ranked by plain BM25 over their text: the baseline every eval reports."""

    def __init__(self, paragraphs: Sequence[Paragraph]):
        self.paragraphs = list(paragraphs)
        self._bm25 = bm25_of_texts([with_heading(p.heading, p.text) for p in self.paragraphs])

    def search(self, query: str, k: int) -> list[Passage]:
        """The ``k`` best paragraphs for ``query``, best first (score: BM25, higher is better)."""
        k = min(k, len(self.paragraphs))
        if k == 0:
            return []
        scores = scores_of(self._bm25, query_tokens(query), len(self.paragraphs))
        return [Passage.of(self.paragraphs[i], float(scores[i])) for i in top(scores, k)]
