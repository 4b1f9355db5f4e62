"""A plain BM25 ranking of paragraphs (bm25s), used as the lexical baseline in evals."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from rag.types import Paragraph, Passage

# The parameters of the reference BM25 numbers in ../shared/README.md.
BM25_K1 = 0.9
BM25_B = 0.4


class BM25Index:
    """Paragraphs ranked by BM25 (lower-cased words, English stopwords removed, no stemming)."""

    def __init__(self, paragraphs: Sequence[Paragraph], k1: float = BM25_K1, b: float = BM25_B):
        import bm25s

        # bm25s sets its own logger to DEBUG on import, which would print its debug lines.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.paragraphs = list(paragraphs)
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        tokens = bm25s.tokenize([_indexed_text(p) for p in self.paragraphs], show_progress=False)
        self._bm25.index(tokens, show_progress=False)

    def search(self, query: str, k: int) -> list[Passage]:
        """The ``k`` best paragraphs for ``query``, best first (score: BM25, higher is better)."""
        import bm25s

        k = min(k, len(self.paragraphs))
        if k == 0:
            return []
        tokens = bm25s.tokenize([query], return_ids=False, show_progress=False)
        ids, scores = self._bm25.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        ranked = []
        for index, score in zip(ids[0], scores[0], strict=True):
            if score <= 0:
                break
            p = self.paragraphs[int(index)]
            ranked.append(
                Passage(p.source, p.paragraph, p.heading, p.lines, p.text, float(score), p.page)
            )
        return ranked


def _indexed_text(paragraph: Paragraph) -> str:
    return f"{paragraph.heading}\n{paragraph.text}" if paragraph.heading else paragraph.text
