"""Sentence embeddings from an exported ONNX graph: ONNX Runtime and the `tokenizers` package,
no torch and no transformers (a question is embedded in milliseconds of a cold process)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

import numpy as np

from rag.indexing.onnx_models import INPUTS, OnnxModel

# At most this many texts run at once, however short (the token budget bounds the rest).
MAX_BATCH_TEXTS = 256


class OnnxEncoder:
    """Encodes texts with one ONNX sentence-embedding graph (vectors already normalised)."""

    def __init__(self, model: OnnxModel, threads: int):
        self.model = model
        self.threads = threads

    @cached_property
    def _session(self):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(
            str(self.model.graph), options, providers=["CPUExecutionProvider"]
        )

    @cached_property
    def _tokenizer(self):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model.tokenizer))
        tokenizer.enable_truncation(self.model.max_length)
        tokenizer.no_padding()  # batches are padded here, to their own longest text
        return tokenizer

    @property
    def dimension(self) -> int:
        return int(self._session.get_outputs()[0].shape[-1])

    def encode(
        self, texts: list[str], max_tokens: int, max_texts: int = MAX_BATCH_TEXTS
    ) -> np.ndarray:
        """One row per text. Texts are tokenised once, sorted by length and run in batches of
        at most ``max_tokens`` tokens, padding included (and at most ``max_texts`` texts; 1
        runs every text alone)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids = [encoding.ids for encoding in self._tokenizer.encode_batch(texts)]
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for chosen in _batches(ids, max_tokens, max_texts):
            vectors[chosen] = self._run([ids[i] for i in chosen])
        return vectors

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        width = max(map(len, ids))
        tokens = np.zeros((len(ids), width), dtype=np.int64)  # padding, masked out
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, text in enumerate(ids):
            tokens[row, : len(text)] = text
            mask[row, : len(text)] = 1
        feeds = dict(zip(INPUTS, (tokens, mask, np.zeros_like(tokens)), strict=True))
        return self._session.run(None, feeds)[0]


def _batches(ids: list[list[int]], max_tokens: int, max_texts: int) -> Iterator[list[int]]:
    """Positions of texts of similar length, shortest first, in batches whose padded size
    (texts x the longest) stays within ``max_tokens`` (a longer text goes alone)."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    batch: list[int] = []
    for position in order:
        # sorted: the text being added is the batch's longest
        if batch and (
            (len(batch) + 1) * len(ids[position]) > max_tokens or len(batch) == max_texts
        ):
            yield batch
            batch = []
        batch.append(position)
    if batch:
        yield batch
