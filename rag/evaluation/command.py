"""`rag eval`: run suites, write the reports, compare two reports, or gate against a baseline."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import shlex
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import rag
from rag.errors import ConfigError
from rag.evaluation import gate, report
from rag.evaluation import suites as registry
from rag.evaluation.runner import SuiteRun, run_suite


@dataclass(frozen=True)
class EvalRequest:
    suites: list[str] = field(default_factory=list)  # empty: every available suite
    generators: list[str] = field(default_factory=list)  # empty: the configured one
    retrievals: list[str] = field(default_factory=list)  # empty: the configured one
    answer: bool = True  # False: score retrieval only, no generator
    index_dir: Path | None = None  # reuse/keep indexes here (one subdirectory per suite)
    sample: int = registry.DEFAULT_SAMPLE
    seed: int = registry.DEFAULT_SEED
    quoref_dir: Path = registry.DEFAULT_QUOREF_DIR
    out_dir: Path | None = None
    gate_file: Path | None = None
    progress: bool = True


def run_eval(request: EvalRequest, settings: rag.Settings) -> int:
    """Run the requested suites; returns the exit code (1 when a gate fails)."""
    names = request.suites or list(registry.ALL_SUITES)
    unknown = [n for n in names if n not in registry.ALL_SUITES]
    if unknown:
        raise ConfigError(
            f"unknown suite {unknown[0]!r} (available: {', '.join(registry.ALL_SUITES)})"
        )
    baseline = gate.load_baseline(request.gate_file) if request.gate_file else None
    # A retrieval-only run has no generator to vary.
    generators = (request.generators or [settings.generator])[: None if request.answer else 1]
    retrievals = request.retrievals or [settings.retrieval]
    runs: list[SuiteRun] = []
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="rag-eval-") as scratch:
        work = Path(scratch)
        for name in names:
            try:
                suite = _load_suite(name, request, work)
            except ConfigError as error:
                if request.suites:  # asked for by name: an error, not a silent skip
                    raise
                skipped[name] = str(error)
                print(f"rag eval: skipping {name}: {error}", file=sys.stderr)
                continue
            for generator, retrieval in itertools.product(generators, retrievals):
                index_root = request.index_dir or work / "index"
                run = run_suite(
                    suite,
                    settings.replace(generator=generator, retrieval=retrieval),
                    index_root / name,
                    progress=request.progress,
                    answer=request.answer,
                )
                suffix = "".join(
                    f"@{value}"
                    for value, choices in ((generator, generators), (retrieval, retrievals))
                    if len(choices) > 1
                )
                runs.append(dataclasses.replace(run, suite=name + suffix))
    command = "rag eval " + " ".join(shlex.quote(a) for a in sys.argv[2:])
    built = report.build_report(runs, command, skipped)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = request.out_dir or Path("reports") / f"eval-{stamp}"
    paths = report.write_reports(built, out_dir)
    print(report.markdown(built).split("\n## ")[0])
    print("reports: " + ", ".join(map(str, paths)))
    if baseline is None:
        return 0
    gated = [run for run in runs if run.suite == baseline["suite"]]
    if not gated:
        raise ConfigError(f"the gate needs the {baseline['suite']!r} suite in this run")
    lines = gate.check(gated[0].metrics, baseline)
    print("\n".join(["gate against " + str(request.gate_file) + ":", *lines]))
    return 1 if any(line.startswith("FAIL") for line in lines) else 0


def compare_reports(old: Path, new: Path) -> int:
    print(report.compare(report.load_report(old), report.load_report(new)), end="")
    return 0


def _load_suite(name: str, request: EvalRequest, work: Path) -> registry.Suite:
    if name == "quoref":
        return registry.quoref(work, request.sample, request.seed, request.quoref_dir)
    if name in registry.INJECTION_SUITES:
        return registry.INJECTION_SUITES[name](work)
    if name in registry.MIXED_SUITES:
        return registry.MIXED_SUITES[name](work)
    if name in registry.REJECTION_SUITES:
        return registry.quoref_rejection(work, name == "quoref-present", request.quoref_dir)
    return registry.LOCAL_SUITES[name]()
