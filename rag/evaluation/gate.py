"""The CI gate: a suite's key metrics may not drop more than the tolerance below the baseline."""

from __future__ import annotations

import json
from pathlib import Path

from rag.errors import ConfigError

GATED = ("answer_accuracy", "citation_accuracy", "refusal_accuracy")


def load_baseline(path: Path) -> dict:
    try:
        baseline = json.loads(Path(path).read_text(encoding="utf-8"))
        baseline["suite"], baseline["metrics"], baseline["tolerance_points"]  # noqa: B018
    except OSError as error:
        raise ConfigError(f"cannot read baseline {path}: {error.strerror}") from None
    except (json.JSONDecodeError, KeyError, TypeError):
        raise ConfigError(
            f"{path} is not a baseline file (suite, metrics, tolerance_points)"
        ) from None
    return baseline


def check(metrics: dict, baseline: dict) -> list[str]:
    """One line per gated metric; lines starting with FAIL mean the gate is closed."""
    tolerance = baseline["tolerance_points"] / 100
    lines = []
    for name in GATED:
        accepted, measured = baseline["metrics"][name], metrics.get(name)
        ok = measured is not None and measured >= accepted - tolerance
        lines.append(
            f"{'ok  ' if ok else 'FAIL'} {name}: {measured} (baseline {accepted}, "
            f"allowed down to {accepted - tolerance:.4f})"
        )
    return lines
