"""Sentence embeddings from an exported ONNX graph: ONNX Runtime and the `tokenizers` package,
no torch and no transformers (a question is embedded in milliseconds of a cold process)."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from rag.indexing.onnx_models import INPUTS, OnnxModel


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
        tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0)
        return tokenizer

    @property
    def dimension(self) -> int:
        return int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """One row per text; batches of texts of similar length (a batch is padded to its
        longest)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            vectors[chosen] = self._run([texts[i] for i in chosen])
        return vectors

    def _run(self, texts: list[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        types = np.array([e.type_ids for e in encoded], dtype=np.int64)
        feeds = dict(zip(INPUTS, (ids, mask, types), strict=True))
        return self._session.run(None, feeds)[0]
