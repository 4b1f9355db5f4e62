"""ONNX copies of a sentence-transformers model, made once on this machine and cached.

The whole sentence-transformers pipeline (the transformer, mean pooling, normalisation) is
exported as one ONNX graph, its attention and layer norms fused by ONNX Runtime's transformer
optimiser, and for "onnx-int8" its weights quantised to int8 (dynamic quantisation, per
channel). Making them needs torch; using them (rag.indexing.onnx_encoder) does not.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# Raise when the export changes: every cached copy is then made again.
EXPORT_VERSION = 1
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@dataclass(frozen=True)
class OnnxModel:
    """One exported model: its graph, its tokenizer and the longest input it reads."""

    graph: Path
    tokenizer: Path
    max_length: int


def cached_onnx_model(model_dir: str, backend: str, cache_dir: Path) -> OnnxModel:
    """The ONNX copy of the sentence-transformers model in ``model_dir`` for ``backend``
    ("onnx" or "onnx-int8"), exported into ``cache_dir`` the first time (some seconds; other
    processes wait for it rather than export it twice)."""
    directory = cache_dir.expanduser() / f"onnx-{_fingerprint(Path(model_dir))}"
    found = _read(directory, backend)
    if found is not None:
        return found
    directory.parent.mkdir(parents=True, exist_ok=True)
    with (directory.parent / f"{directory.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _read(directory, backend)
        if found is None:
            log.warning("making the ONNX copy of %s (once, in %s)", model_dir, directory)
            _export(Path(model_dir), directory)
            found = _read(directory, backend)
    assert found is not None
    return found


def _fingerprint(model_dir: Path) -> str:
    """Names the model's files by path, size and time, cheaply (no hashing of the weights)."""
    import hashlib

    files = [(item.name, item.stat()) for item in sorted(model_dir.iterdir()) if item.is_file()]
    stats = [(name, stat.st_size, int(stat.st_mtime)) for name, stat in files]
    key = repr((EXPORT_VERSION, str(model_dir.resolve()), stats))
    return f"{model_dir.name}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def _read(directory: Path, backend: str) -> OnnxModel | None:
    meta = directory / "meta.json"
    if not meta.is_file():
        return None
    recorded = json.loads(meta.read_text(encoding="utf-8"))
    graph = directory / recorded["graphs"][backend]
    return OnnxModel(graph, directory / "tokenizer.json", int(recorded["max_length"]))


def _export(model_dir: Path, directory: Path) -> None:
    """Export, fuse and quantise into a new directory, then move it into place whole."""
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        max_length = _export_graph(model_dir, work / "exported.onnx")
        _fuse(work / "exported.onnx", work / "fp32.onnx", model_dir)
        _quantise(work / "fp32.onnx", work / "int8.onnx")
        (work / "exported.onnx").unlink()
        shutil.copyfile(model_dir / "tokenizer.json", work / "tokenizer.json")
        meta = {
            "source": str(model_dir),
            "export_version": EXPORT_VERSION,
            "max_length": max_length,
            "graphs": {"onnx": "fp32.onnx", "onnx-int8": "int8.onnx"},
        }
        (work / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        shutil.rmtree(directory, ignore_errors=True)
        os.replace(work, directory)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _export_graph(model_dir: Path, target: Path) -> int:
    import warnings

    import torch
    from sentence_transformers import SentenceTransformer

    # eager attention exports the pattern ONNX Runtime fuses into its Attention operator
    model = SentenceTransformer(
        str(model_dir), device="cpu", model_kwargs={"attn_implementation": "eager"}
    )

    class Pipeline(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            features = dict(zip(INPUTS, (input_ids, attention_mask, token_type_ids), strict=True))
            return self.model(features)["sentence_embedding"]

    texts = ["a sample", "a longer sample sentence"]
    sample = model.tokenizer(texts, padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pipeline().eval(),
            tuple(sample[name] for name in INPUTS),
            str(target),
            input_names=list(INPUTS),
            output_names=["sentence_embedding"],
            dynamic_axes=axes | {"sentence_embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return int(model.max_seq_length)


def _fuse(source: Path, target: Path, model_dir: Path) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    optimised = optimize_model(
        str(source),
        model_type="bert",
        num_heads=int(config["num_attention_heads"]),
        hidden_size=int(config["hidden_size"]),
    )
    optimised.save_model_to_file(str(target))


def _quantise(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # per-channel int8 weights keep the vectors within cosine ~0.99 of fp32; per-tensor did not
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": 1},  # FLOAT, for the fused operators' outputs
    )
