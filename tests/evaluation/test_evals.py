"""Eval suites: the question sets are sound, metrics mean what evals/README.md says, and
`rag eval` writes reports, compares them and gates on a baseline."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rag.errors import ConfigError
from rag.evaluation import gate, suites
from rag.evaluation.metrics import aggregate, score_answer
from rag.evaluation.questions import Question, contains, load_questions, missing_evidence
from rag.reading.discovery import find_documents
from rag.reading.readers import read_paragraphs
from rag.types import Answer, Citation, Passage
from tests.conftest import ROOT


@pytest.mark.parametrize("name", list(suites.LOCAL_SUITES))
def test_every_evidence_string_occurs_in_its_corpus(name):
    suite = suites.LOCAL_SUITES[name]()
    documents, _ = find_documents([suite.corpus])
    paragraphs = [p for d in documents for p in read_paragraphs(d.path, d.source)]
    assert missing_evidence(suite.questions, paragraphs) == []


@pytest.mark.parametrize("name", list(suites.MIXED_SUITES))
def test_mixed_folder_suites_evidence_and_key_facts_occur_in_their_documents(name, tmp_path):
    suite = suites.MIXED_SUITES[name](tmp_path)
    documents, _ = find_documents([suite.corpus])
    paragraphs = [p for d in documents for p in read_paragraphs(d.path, d.source)]
    assert missing_evidence(suite.questions, paragraphs) == []
    texts = {}
    for p in paragraphs:
        texts[p.source] = f"{texts.get(p.source, '')} {p.context or ''} {p.text}"
    missing = [
        (q.id, fact)
        for q in suite.questions
        for fact in q.facts
        if not any(contains(texts[q.source], wording) for wording in fact)
    ]
    assert missing == []
    assert {q.split for q in suite.questions} == {"tune", "report"}


def test_the_synthesis_suite_asks_every_kind_over_four_kinds_of_document(tmp_path):
    questions = suites.synthesis(tmp_path).questions
    assert len(questions) >= 60
    assert {q.type for q in questions} == {"summary", "list", "comparison", "yes_no", "why_how"}
    assert {q.source.rsplit(".", 1)[1] for q in questions} >= {"txt", "html", "pdf", "md"}


def test_ceasefire_suite_covers_every_question_type():
    questions = suites.ceasefire().questions
    assert len(questions) >= 50
    counts = {t: sum(q.type == t for q in questions) for t in {q.type for q in questions}}
    assert set(counts) == {
        "fact",
        "paraphrase",
        "multi_paragraph",
        "false_premise",
        "multi_turn",
        "unanswerable",
    }


def test_a_malformed_question_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "type": "fact", "question": "Q?"}\n')
    with pytest.raises(ConfigError, match=r"bad.jsonl:1: an answerable question needs"):
        load_questions(path)


def test_answer_matching_ignores_case_punctuation_and_possessives_but_not_word_parts():
    assert contains("President Donald Trump’s administration [1].", "donald trump")
    assert contains("a 30-day ceasefire", "30-day")
    assert not contains("the regrouping", "regroup")


def _passage(text: str, source: str = "a.txt", paragraph: int = 1) -> Passage:
    return Passage(source, paragraph, None, (1, 1), text, 0.5)


def test_scores_follow_the_documented_definitions():
    host = Question("q1", "fact", "Who hosted?", ("Saudi Arabia",), ("Saudi Arabia hosting",))
    right = _passage("Talks with Saudi Arabia hosting them.", paragraph=2)
    wrong = _passage("Unrelated text.", paragraph=3)
    answer = Answer(
        question="Who hosted?",
        text="Saudi Arabia hosted [1] with help [2].",
        citations=[Citation.of(right), Citation.of(wrong)],
        refused=False,
        passages=[wrong, right],
        query="Who hosted?",
        generator="extractive",
        seconds=0.1,
    )
    result = score_answer(host, answer, [wrong, right], [right], 0.01)
    assert (result.rank, result.baseline_rank) == (2, 1)
    assert result.answer_correct and result.citation_correct
    assert result.citation_precision == 0.5
    refuse = Question("q2", "unanswerable", "What is the GDP?")
    refusal = Answer("What is the GDP?", "I could not find this.", [], True, [], "x", "e", 0.3)
    metrics = aggregate([result, score_answer(refuse, refusal, [], [], 0.01)])
    assert metrics["retrieval"] == {"hit@1": 0.0, "hit@5": 1.0, "mrr@10": 0.5}
    assert metrics["bm25_baseline"]["hit@1"] == 1.0
    assert metrics["refusal_accuracy"] == 1.0 and metrics["false_refusal_rate"] == 0.0


def test_quoref_sample_is_seeded_and_one_passage_is_one_file(tmp_path):
    data = tmp_path / "quoref"
    data.mkdir()
    passages = [{"pid": f"p{i}", "text": f"Passage {i}\nabout Person{i}."} for i in range(3)]
    (data / "quoref.corpus.jsonl").write_text("\n".join(map(json.dumps, passages)))
    items = [
        {"qid": f"q{i}", "question": f"Who {i}?", "gold_pid": f"p{i % 3}", "answers": ["X"]}
        for i in range(10)
    ]
    (data / "quoref.questions.jsonl").write_text("\n".join(map(json.dumps, items)))
    first = suites.quoref(tmp_path / "w1", sample=4, seed=7, data_dir=data)
    again = suites.quoref(tmp_path / "w2", sample=4, seed=7, data_dir=data)
    assert [q.id for q in first.questions] == [q.id for q in again.questions]
    assert len(first.questions) == 4
    assert (first.corpus / "p1.txt").read_text() == "Passage 1 about Person1.\n"
    with pytest.raises(ConfigError, match="not in"):
        suites.quoref(tmp_path / "w3", data_dir=tmp_path / "missing")


def test_gate_fails_on_a_drop_beyond_tolerance():
    accepted = dict.fromkeys(gate.GATED, 0.9) | {"false_refusal_rate": 0.05}
    baseline = {"suite": "s", "tolerance_points": 2, "metrics": accepted}
    fine = dict.fromkeys(gate.GATED, 0.885) | {"false_refusal_rate": 0.065}
    assert not any(line.startswith("FAIL") for line in gate.check(fine, baseline))
    worse = fine | {"citation_accuracy": 0.87}
    assert [line.split()[1] for line in gate.check(worse, baseline) if "FAIL" in line] == [
        "citation_accuracy:"
    ]


def test_gate_fails_when_false_refusals_rise_beyond_tolerance():
    baseline = {"suite": "s", "tolerance_points": 2, "metrics": {"false_refusal_rate": 0.05}}
    assert "FAIL" not in gate.check({"false_refusal_rate": 0.07}, baseline)[0]
    assert gate.check({"false_refusal_rate": 0.08}, baseline)[0].startswith("FAIL")


def rag_eval(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "rag", "eval", *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.mark.slow  # the `rag` command and the embedding model
def test_rag_eval_writes_reports_compares_and_gates(tmp_path):
    out = tmp_path / "report"
    too_high = tmp_path / "baseline.json"
    too_high.write_text(
        json.dumps(
            {
                "suite": "dpkg-specs",
                "tolerance_points": 2,
                "metrics": dict.fromkeys(gate.GATED, 1.0),
            }
        )
    )
    run = rag_eval("dpkg-specs", "--out", str(out), "--gate", str(too_high), cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "FAIL answer_accuracy" in run.stdout and "| hit@1 |" in run.stdout
    report = json.loads((out / "report.json").read_text())
    suite = report["suites"]["dpkg-specs"]
    assert suite["metrics"]["questions"] == len(suites.dpkg_specs().questions)
    assert {"hit@1", "hit@5", "mrr@10"} == set(suite["metrics"]["bm25_baseline"])
    assert report["llm_judge"]["status"] == "not run"
    page = (out / "report.html").read_text()
    assert page.count("<svg") == 3 and "Failed questions" in page
    failed = [r for r in suite["results"] if r["must_refuse"] != r["refused"]]
    assert all(r["id"] in page for r in failed)
    assert (out / "report.md").read_text().startswith("# Eval report")

    compared = rag_eval("--compare", str(out / "report.json"), str(out / "report.json"), cwd=ROOT)
    assert compared.returncode == 0 and "| answer accuracy |" in compared.stdout
    assert "+0.000" in compared.stdout


def test_rag_eval_rejects_an_unknown_suite_in_one_line(tmp_path):
    run = rag_eval("nonesuch", "--out", str(tmp_path), cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "rag: error: unknown suite 'nonesuch' (available: ceasefire, ceasefire-heldout, "
        "dpkg-specs, multidoc, injection-clean, injection-2-clean, probe, synthesis, "
        "conversation, injection, injection-2, quoref, quoref-absent, quoref-present)"
    ]
