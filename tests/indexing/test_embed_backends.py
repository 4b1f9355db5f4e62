"""Embedding backends: the ONNX copies give sentence-transformers' vectors, a question is
answered without torch or transformers, and an index is never read with another backend's
vectors. Material: the bundled article, with the real packaged model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import rag
from rag.errors import EmbeddingModelMismatchError
from rag.indexing.embedder import Embedder
from tests.conftest import ARTICLE

pytestmark = pytest.mark.slow  # the embedding model on real indexes

RUBIO = "What position does Marco Rubio hold?"


def article_sentences() -> list[str]:
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if len(line) > 40][:24] + [RUBIO, "Riyadh", "?"]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_the_onnx_question_path_gives_sentence_transformers_vectors():
    from sentence_transformers import SentenceTransformer

    from rag.indexing.embedder import resolve_model_path

    texts = article_sentences()
    reference = SentenceTransformer(resolve_model_path("all-MiniLM-L6-v2"), device="cpu").encode(
        texts, normalize_embeddings=True
    )
    onnx = Embedder(rag.load_settings(embed_backend="onnx"))
    one_by_one = np.array([onnx.embed_query(text) for text in texts])
    batched = np.array(onnx.embed_texts(texts))
    assert cosines(one_by_one, reference).min() >= 0.9999
    assert cosines(batched, reference).min() >= 0.9999


def test_int8_embeds_a_text_alike_alone_and_in_a_batch():
    """What ingest stores for a window and what a question embeds for the same words agree
    (dynamic quantisation scales by the batch, so ingest embeds int8 texts one at a time)."""
    int8 = Embedder(rag.load_settings(embed_backend="onnx-int8"))
    texts = article_sentences()
    alone = np.array([int8.embed_query(text) for text in texts])
    assert cosines(np.array(int8.embed_texts(texts)), alone).min() >= 0.9999
    fp32 = np.array(Embedder(rag.load_settings(embed_backend="onnx")).embed_texts(texts))
    assert cosines(alone, fp32).min() >= 0.95  # int8 is near fp32, not equal to it


@pytest.fixture(scope="module")
def article_index(tmp_path_factory) -> Path:
    """The article indexed with the int8 backend."""
    root = tmp_path_factory.mktemp("backends")
    (root / "corpus").mkdir()
    shutil.copy(ARTICLE, root / "corpus")
    rag.ingest(
        [root / "corpus"],
        index_dir=root / "index",
        embed_backend="onnx-int8",
        corpus_dir=root / "corpus",
    )
    return root


def test_a_question_is_answered_without_importing_torch_transformers_or_nltk(article_index):
    """A cold question loads no heavy library: the ONNX encoder embeds it, the sentences of
    the passages are those cut at ingest, and words are stemmed without nltk."""
    script = textwrap.dedent(
        f"""
        import json, sys
        import rag
        bot = rag.open(index_dir={str(article_index / "index")!r}, build=False,
                       generator="extractive", embed_backend="onnx-int8")
        answer = bot.ask({RUBIO!r})
        heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers", "nltk",
                                   "sklearn") if m in sys.modules)
        print(json.dumps({{"text": answer.text, "refused": answer.refused, "heavy": heavy}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=article_index,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert not result["refused"] and "Secretary of State" in result["text"]


def _open(index: Path, corpus: Path, backend: str) -> rag.Bot:
    return rag.open(
        index_dir=index,
        build=False,
        generator="extractive",
        embed_backend=backend,
        corpus_dir=corpus,
    )


def test_an_index_is_not_read_with_another_backends_vectors(article_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(article_index / "index", index)
    corpus = article_index / "corpus"
    torch_bot = _open(index, corpus, "torch")
    with pytest.raises(EmbeddingModelMismatchError, match="backend 'onnx-int8', not 'torch'"):
        torch_bot.ask(RUBIO)

    report = torch_bot.ingest()  # ingest with the other backend re-embeds every file
    assert report.updated + report.added == 1
    answer = torch_bot.ask(RUBIO)
    assert not answer.refused and "Secretary of State" in answer.text
    again = _open(index, corpus, "onnx-int8")
    with pytest.raises(EmbeddingModelMismatchError, match="backend 'torch', not 'onnx-int8'"):
        again.retrieve(RUBIO)


def test_the_cli_names_the_mismatch_in_one_line(article_index, tmp_path):
    from tests.conftest import run_rag

    done = run_rag("ask", RUBIO, cwd=article_index, embed_backend="torch")
    assert done.returncode == 2
    assert "embedded with backend 'onnx-int8'" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
