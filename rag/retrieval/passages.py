"""What every arm returns: stored paragraphs, each with the scores the arms gave it."""

from __future__ import annotations

import dataclasses

from rag.indexing.store import ParagraphStore
from rag.types import Passage

Key = tuple[str, int]  # (source, paragraph)


def ranked_passages(
    store: ParagraphStore,
    ranked: list[Key],
    similarity: dict[Key, float],
    lexical_scores: dict[Key, float] | None = None,
    fused: dict[Key, float] | None = None,
) -> list[Passage]:
    """The paragraphs of ``ranked``, in that order, carrying their cosine similarity
    (``score``, which the answer generators read) and, where the BM25 arm ran, their
    ``lexical_score`` and ``fused_score``."""
    paragraphs = store.paragraphs(ranked)
    passages = []
    for key in ranked:
        if key not in paragraphs:  # deleted by another process since the BM25 index was built
            continue
        passages.append(
            dataclasses.replace(
                paragraphs[key],
                score=round(similarity.get(key, 0.0), 4),
                lexical_score=round(lexical_scores[key], 4) if lexical_scores else None,
                fused_score=round(fused[key], 4) if fused else None,
            )
        )
    return passages
