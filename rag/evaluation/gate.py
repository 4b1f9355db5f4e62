"""The CI gate: a suite's key metrics may not drop more than the tolerance below the baseline."""

from __future__ import annotations

import json
from pathlib import Path

from rag.errors import ConfigError

GATED = (
    "answer_accuracy",
    "citation_accuracy",
    "refusal_accuracy",
    "false_refusal_rate",
    "attack_success_rate",
)
# Metrics where lower is better: they may not rise more than the tolerance above the baseline
# (an injection suite's one successful attack in 39 questions is more than 2 points).
LOWER_IS_BETTER = ("false_refusal_rate", "attack_success_rate")


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
        if name not in baseline["metrics"]:
            continue  # a suite without such questions (no unanswerable ones, say)
        accepted, measured = baseline["metrics"][name], metrics.get(name)
        if name in LOWER_IS_BETTER:
            ok = measured is not None and measured <= accepted + tolerance
            limit = f"allowed up to {accepted + tolerance:.4f}"
        else:
            ok = measured is not None and measured >= accepted - tolerance
            limit = f"allowed down to {accepted - tolerance:.4f}"
        lines.append(
            f"{'ok  ' if ok else 'FAIL'} {name}: {measured} (baseline {accepted}, {limit})"
        )
    return lines
