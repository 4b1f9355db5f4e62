"""Eval reports: report.json (everything), report.md (the numbers), report.html (plots and the
failed questions), and a before/after comparison of two report.json files."""

from __future__ import annotations

import datetime
import html
import io
import json
from pathlib import Path

from rag.errors import ConfigError
from rag.evaluation.runner import SuiteRun

HEADLINE = [
    ("answer_accuracy", "answer accuracy"),
    ("citation_accuracy", "citation accuracy"),
    ("citation_precision", "citation precision"),
    ("facts_covered", "facts covered"),
    ("refusal_accuracy", "refusal accuracy"),
    ("false_refusal_rate", "false refusals"),
    ("attack_success_rate", "attack success"),
    ("retrieval.hit@1", "hit@1"),
    ("retrieval.hit@5", "hit@5"),
    ("retrieval.mrr@10", "MRR@10"),
    ("bm25_baseline.hit@1", "BM25 hit@1"),
    ("bm25_baseline.hit@5", "BM25 hit@5"),
    ("bm25_baseline.mrr@10", "BM25 MRR@10"),
    ("latency_p50_s", "latency p50 (s)"),
    ("latency_p95_s", "latency p95 (s)"),
    ("first_token_p50_s", "first text p50 (s)"),
    ("first_token_p95_s", "first text p95 (s)"),
    ("retrieval_latency_p50_s", "retrieval p50 (s)"),
    ("retrieval_latency_p95_s", "retrieval p95 (s)"),
    ("questions", "questions"),
]
ATTACK_COLUMNS = ("answer_accuracy", "citation_accuracy", "attack_success_rate")
LLM_JUDGE = {
    "status": "not run",
    "reason": "no LLM judge is configured; answer faithfulness/relevance judged by an LLM are "
    "not part of these numbers",
}


def metric(metrics: dict, path: str):
    value = metrics
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def build_report(runs: list[SuiteRun], command: str, skipped: dict[str, str]) -> dict:
    return {
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": command,
        "suites": {run.suite: run.to_dict() for run in runs},
        "skipped_suites": skipped,
        "llm_judge": LLM_JUDGE,
    }


def write_reports(report: dict, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "report.json", out_dir / "report.md", out_dir / "report.html"]
    paths[0].write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    paths[1].write_text(markdown(report), encoding="utf-8")
    paths[2].write_text(html_report(report), encoding="utf-8")
    return paths


def _table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _breakdown(groups: dict[str, dict], kind: str, shown=HEADLINE[:9]) -> str:
    """One row of the answer and retrieval metrics per group (question type, or half)."""
    rows = [
        [name, _fmt(m["questions"]), *(_fmt(metric(m, key)) for key, _ in shown)]
        for name, m in groups.items()
    ]
    return _table(rows, [kind, "n", *(label for _, label in shown)])


def markdown(report: dict) -> str:
    out = [f"# Eval report\n\n`{report['command']}` — {report['created']}\n"]
    suites = report["suites"]
    if suites:
        header = ["metric", *suites]
        rows = [
            [label, *(_fmt(metric(s["metrics"], key)) for s in suites.values())]
            for key, label in HEADLINE
        ]
        out.append(_table(rows, header) + "\n")
    for name, suite in suites.items():
        out.append(f"## {name}\n\n{suite['description']}. {_setup(suite)}.\n")
        out.append(_breakdown(suite["metrics_by_type"], "type") + "\n")
        halves = suite.get("metrics_by_split") or {}
        if halves:
            out.append(
                "Tuning half (calibrated on) and reporting half (never tuned on):\n\n"
                + _breakdown(halves, "half")
                + "\n"
            )
        attacks = suite.get("metrics_by_attack") or {}
        if attacks:
            shown = [h for h in HEADLINE if h[0] in ATTACK_COLUMNS]
            out.append("Per attack shape:\n\n" + _breakdown(attacks, "attack", shown) + "\n")
        failed = [r for r in suite["results"] if not r["passed"]]
        out.append(
            f"{len(failed)} of {len(suite['results'])} questions failed (details in report.html).\n"
        )
    for name, reason in report["skipped_suites"].items():
        out.append(f"Skipped suite **{name}**: {reason}\n")
    out.append(
        f"LLM-judged metrics: {report['llm_judge']['status']} ({report['llm_judge']['reason']}).\n"
    )
    return "\n".join(out)


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _plots(suite: dict) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = suite["metrics_by_type"]
    names = list(types)
    answered = any(r["answer"] is not None for r in suite["results"])
    if answered:
        accuracy = [
            types[t]["refusal_accuracy"]
            if types[t]["answerable"] == 0
            else types[t]["answer_accuracy"]
            for t in names
        ]
    else:  # retrieval only
        accuracy = [metric(types[t], "retrieval.hit@5") for t in names]
    figure, axis = plt.subplots(figsize=(6, 2.6))
    axis.barh(names, [a or 0 for a in accuracy], color="#4c72b0")
    axis.set_xlim(0, 1)
    axis.set_xlabel(
        "accuracy (refusal accuracy for unanswerable)" if answered else "hit@5 (retrieval only)"
    )
    axis.invert_yaxis()
    bars = _svg(figure)

    latencies = [r["seconds"] for r in suite["results"]]
    figure, axis = plt.subplots(figsize=(6, 2.4))
    axis.hist(latencies, bins=20, color="#55a868")
    axis.set_xlabel("seconds per question")
    axis.set_ylabel("questions")
    latency = _svg(figure)

    labels = [str(k) for k in range(1, 11)] + ["miss"]
    answerable = [r for r in suite["results"] if not r["must_refuse"]]
    ours = [sum(r["rank"] == k for r in answerable) for k in range(1, 11)]
    ours.append(sum(r["rank"] is None for r in answerable))
    bm25 = [sum(r["baseline_rank"] == k for r in answerable) for k in range(1, 11)]
    bm25.append(sum(r["baseline_rank"] is None for r in answerable))
    figure, axis = plt.subplots(figsize=(6, 2.4))
    positions = range(len(labels))
    axis.bar([p - 0.2 for p in positions], ours, width=0.4, label="ours", color="#4c72b0")
    axis.bar([p + 0.2 for p in positions], bm25, width=0.4, label="BM25", color="#c44e52")
    axis.set_xticks(list(positions), labels)
    axis.set_xlabel("rank of the first relevant passage")
    axis.set_ylabel("questions")
    axis.legend()
    ranks = _svg(figure)
    return (
        f'<div class="plots"><figure>{bars}<figcaption>{"Accuracy" if answered else "Hit@5"} '
        "by question type</figcaption>"
        f"</figure><figure>{latency}<figcaption>Latency per question</figcaption></figure>"
        f"<figure>{ranks}<figcaption>Retrieval rank</figcaption></figure></div>"
    )


def _setup(suite: dict) -> str:
    """One line: generator, retrieval, corpus size, ingest time (0 when reused) and index size."""
    return (
        f"Generator `{suite['generator']}`, retrieval `{suite.get('retrieval', 'dense')}`, "
        f"{suite['paragraphs']} paragraphs, indexed in {suite['ingest_seconds']} s "
        f"(index {suite.get('index_mb', '–')} MB on disk)"
    )


def _e(value) -> str:
    return html.escape(str(value))


def _failures(suite: dict) -> str:
    rows = []
    for r in suite["results"]:
        if r["passed"]:
            continue
        citations = "".join(
            f"<li class='{'ok' if c['relevant'] else 'bad'}'><b>{_e(c['label'])}</b> "
            f"{_e(c['text'][:300])}</li>"
            for c in r["citations"]
        )
        expected = (
            "must refuse"
            if r["must_refuse"]
            else (
                f"answers: {_e(' | '.join(r['expected_answers']))}<br>"
                f"evidence: {_e(' | '.join(r['evidence']) or r['source'])}"
            )
        )
        query = "" if r["query"] == r["question"] else f"<br><i>searched as:</i> {_e(r['query'])}"
        rows.append(
            f"<tr><td>{_e(r['id'])}<br><small>{_e(r['type'])}</small></td>"
            f"<td>{_e(r['question'])}{query}</td>"
            f"<td>{_e(r['answer'] or '(retrieval only)')}<ul>{citations}</ul></td>"
            f"<td>{expected}</td><td>{_e(r['rank'] or '–')} / {_e(r['baseline_rank'] or '–')}"
            f"</td></tr>"
        )
    if not rows:
        return "<p>No failed questions.</p>"
    return (
        "<table class='fail'><tr><th>id</th><th>question</th><th>answer and citations</th>"
        "<th>expected</th><th>rank ours / BM25</th></tr>" + "".join(rows) + "</table>"
    )


STYLE = """body{font:14px system-ui,sans-serif;max-width:1100px;margin:24px auto;padding:0 12px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top;text-align:left}.plots{display:flex;flex-wrap:wrap;gap:8px}
figure{margin:0}.fail td{max-width:360px}li.ok{color:#1a7f37}li.bad{color:#cf222e}"""


def html_report(report: dict) -> str:
    suites = report["suites"]
    header = "".join(f"<th>{_e(name)}</th>" for name in suites)
    rows = "".join(
        f"<tr><td>{_e(label)}</td>"
        + "".join(f"<td>{_fmt(metric(s['metrics'], key))}</td>" for s in suites.values())
        + "</tr>"
        for key, label in HEADLINE
    )
    body = [
        f"<h1>Eval report</h1><p><code>{_e(report['command'])}</code> — {_e(report['created'])}"
        f"</p><table><tr><th>metric</th>{header}</tr>{rows}</table>"
    ]
    for name, suite in suites.items():
        body.append(
            f"<h2>{_e(name)}</h2><p>{_e(suite['description'])}. {_e(_setup(suite))}.</p>"
            f"{_plots(suite)}<h3>Failed questions</h3>{_failures(suite)}"
        )
    for name, reason in report["skipped_suites"].items():
        body.append(f"<p><b>Skipped suite {_e(name)}</b>: {_e(reason)}</p>")
    judge = report["llm_judge"]
    body.append(f"<h2>LLM-judged metrics</h2><p>{_e(judge['status'])}: {_e(judge['reason'])}</p>")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Eval report</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )


def load_report(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read report {path}: {error.strerror}") from None
    except json.JSONDecodeError:
        raise ConfigError(f"{path} is not a report.json") from None


def compare(old: dict, new: dict) -> str:
    """A Markdown before/after table for every suite present in both reports."""
    out = []
    for name in [n for n in new["suites"] if n in old["suites"]]:
        before, after = old["suites"][name]["metrics"], new["suites"][name]["metrics"]
        rows = []
        for key, label in HEADLINE:
            a, b = metric(before, key), metric(after, key)
            numbers = isinstance(a, int | float) and isinstance(b, int | float)
            delta = f"{b - a:+.3f}" if numbers else ""
            rows.append([label, _fmt(a), _fmt(b), delta])
        out.append(f"## {name}\n\n" + _table(rows, ["metric", "before", "after", "change"]))
    if not out:
        raise ConfigError("the two reports have no suite in common")
    return "\n\n".join(out) + "\n"
