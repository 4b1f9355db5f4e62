"""The eval suites: a question set and the corpus it is asked about."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError
from rag.evaluation.questions import FACTS_NEEDED, Question, load_questions

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS_DIR = ROOT / "evals" / "questions"
DEFAULT_QUOREF_DIR = ROOT.parent / "shared" / "benchmarks" / "quoref"
DEFAULT_SAMPLE = 1000
DEFAULT_SEED = 13


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    corpus: Path  # a directory of documents to index
    questions: list[Question]


def _local_suite(name: str, description: str, corpus: Path, questions: str) -> Suite:
    return Suite(name, description, corpus, load_questions(QUESTIONS_DIR / questions))


def ceasefire() -> Suite:
    return _local_suite(
        "ceasefire",
        "the bundled news article; written for this project, used to tune the defaults",
        ROOT / "corpus",
        "ceasefire.jsonl",
    )


def ceasefire_heldout() -> Suite:
    return _local_suite(
        "ceasefire-heldout",
        "the bundled news article; questions written after tuning, never tuned on",
        ROOT / "corpus",
        "ceasefire-heldout.jsonl",
    )


def dpkg_specs() -> Suite:
    return _local_suite(
        "dpkg-specs",
        "four hard-wrapped dpkg specification files (GPL-2+, see dpkg-specs.COPYRIGHT); "
        "the right file must be cited",
        ROOT / "evals" / "corpora" / "dpkg-specs",
        "dpkg-specs.jsonl",
    )


def multidoc() -> Suite:
    return _local_suite(
        "multidoc",
        "ten related documents in four formats (Python docs as HTML and PDF, three licences as "
        "text, pip docs as Markdown; see multidoc.COPYRIGHT): questions that name a document, "
        "whose answer is in one document while similar text is in another, and 18 that none "
        "answers; split into a tuning and a reporting half",
        ROOT / "evals" / "corpora" / "multidoc",
        "multidoc.jsonl",
    )


def _read_quoref(data_dir: Path) -> tuple[dict[str, str], list[dict]]:
    """The benchmark's passages (pid -> text, whitespace runs made single spaces: one passage
    is one paragraph) and its questions, in file order."""
    corpus_file = data_dir / "quoref.corpus.jsonl"
    questions_file = data_dir / "quoref.questions.jsonl"
    if not corpus_file.exists() or not questions_file.exists():
        raise ConfigError(f"the Quoref benchmark is not in {data_dir} (use --quoref DIR)")
    texts = {}
    for line in corpus_file.read_text(encoding="utf-8").splitlines():
        passage = json.loads(line)
        texts[passage["pid"]] = " ".join(passage["text"].split())
    items = [json.loads(x) for x in questions_file.read_text(encoding="utf-8").splitlines()]
    return texts, items


def _write_passages(corpus: Path, texts: dict[str, str]) -> Path:
    """One ``PID.txt`` file per passage in ``corpus``, rewritten only when its text differs
    (so a kept index sees the files unchanged)."""
    corpus.mkdir(parents=True, exist_ok=True)
    for pid, text in texts.items():
        target = corpus / f"{pid}.txt"
        if not target.exists() or target.read_text(encoding="utf-8") != text + "\n":
            target.write_text(text + "\n", encoding="utf-8")
    return corpus


def quoref(
    work_dir: Path,
    sample: int = DEFAULT_SAMPLE,
    seed: int = DEFAULT_SEED,
    data_dir: Path = DEFAULT_QUOREF_DIR,
) -> Suite:
    """A seeded sample of Quoref questions over all 2,942 passages, one file per passage.

    A retrieved passage counts when it is the question's gold passage.
    """
    texts, items = _read_quoref(data_dir)
    corpus = _write_passages(work_dir / "quoref-corpus", texts)
    chosen = random.Random(seed).sample(items, min(sample, len(items)))
    questions = [
        Question(
            id=item["qid"],
            type="fact",
            question=item["question"],
            answers=tuple(item["answers"]),
            source=f"{item['gold_pid']}.txt",
        )
        for item in chosen
    ]
    return Suite(
        "quoref",
        f"Quoref reading comprehension: {len(questions)} questions sampled with seed {seed} "
        "from 6,500, over all 2,942 Wikipedia passages; a passage counts when it is the gold one",
        corpus,
        questions,
    )


REJECTION_QUESTIONS = 100
REJECTION_SEED = 21
REJECTION_NEIGHBOURS = 4  # distractors per question: the passages BM25 ranks next to the gold one


@dataclass(frozen=True)
class RejectionSet:
    """Quoref questions, their gold passages and same-topic distractors (see quoref_rejection)."""

    items: list[dict]
    golds: dict[str, str]  # pid -> text
    distractors: dict[str, str]


def rejection_set(
    data_dir: Path = DEFAULT_QUOREF_DIR,
    count: int = REJECTION_QUESTIONS,
    seed: int = REJECTION_SEED,
) -> RejectionSet:
    """Pick ``count`` Quoref questions (one per gold passage, seeded) with, for each, the
    passages a BM25 search ranks nearest its question (the same topic, usually the same
    article). A question is kept only if none of its answers occurs in any distractor, and its
    distractors hold no answer of a question already kept: without its gold passage, no
    question can be answered from the corpus."""
    from rag.evaluation.baseline import BM25Index
    from rag.evaluation.questions import normalize
    from rag.types import Paragraph

    texts, items = _read_quoref(data_dir)
    search = BM25Index([Paragraph(pid, 1, None, None, text) for pid, text in texts.items()])
    random.Random(seed).shuffle(items)
    chosen: list[dict] = []
    golds: dict[str, str] = {}
    distractors: dict[str, str] = {}
    pool = ""  # the distractors' normalised text, each padded with spaces
    answers: list[str] = []  # normalised, padded answers of the kept questions
    for item in items:
        gold = item["gold_pid"]
        if gold in golds or gold in distractors:
            continue
        near = [
            p.source
            for p in search.search(item["question"], REJECTION_NEIGHBOURS + 1)
            if p.source != gold and p.source not in golds
        ][:REJECTION_NEIGHBOURS]
        own = [f" {normalize(a)} " for a in item["answers"]]
        near_text = "".join(f" {normalize(texts[pid])} " for pid in near)
        if any(a in pool or a in near_text for a in own) or any(a in near_text for a in answers):
            continue
        pool += near_text
        answers += own
        chosen.append(item)
        golds[gold] = texts[gold]
        distractors |= {pid: texts[pid] for pid in near}
        if len(chosen) == count:
            break
    return RejectionSet(chosen, golds, distractors)


def quoref_rejection(work_dir: Path, present: bool, data_dir: Path = DEFAULT_QUOREF_DIR) -> Suite:
    """Negative rejection on Quoref: the same questions asked over the distractors alone
    (``present=False``: every question must be refused) and over the distractors plus the
    gold passages (``present=True``: every question must be answered from its gold passage).
    Questions alternate between the tuning and the reporting half."""
    chosen = rejection_set(data_dir)
    name = "quoref-present" if present else "quoref-absent"
    passages = chosen.distractors | (chosen.golds if present else {})
    corpus = _write_passages(work_dir / f"{name}-corpus", passages)
    questions = [
        Question(
            id=item["qid"],
            type="fact" if present else "unanswerable",
            question=item["question"],
            answers=tuple(item["answers"]) if present else (),
            source=f"{item['gold_pid']}.txt" if present else None,
            split="tune" if n % 2 == 0 else "report",
        )
        for n, item in enumerate(chosen.items)
    ]
    where = "with" if present else "without"
    return Suite(
        name,
        f"Quoref negative rejection: {len(questions)} questions asked {where} their gold "
        f"passages, over {len(passages)} passages ({REJECTION_NEIGHBOURS} same-topic "
        f"distractors a question, seed {REJECTION_SEED}); the right behaviour is to "
        + ("answer from the gold passage" if present else "refuse"),
        corpus,
        questions,
    )


INJECTION_FILES = ROOT / "evals" / "corpora" / "injection"
# The second attack set (issue 21): written before the defences it tests were built.
INJECTION_2_FILES = ROOT / "evals" / "corpora" / "injection-2"


def _beside_the_article(work_dir: Path, name: str, attacks: Path) -> Path:
    """A fresh folder holding the bundled article and the attack documents."""
    import shutil

    corpus = work_dir / name
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    for path in [*(ROOT / "corpus").iterdir(), *attacks.iterdir()]:
        if path.is_file():
            shutil.copy(path, corpus / path.name)
    return corpus


def injection(work_dir: Path) -> Suite:
    """The bundled article beside 14 hostile documents (one per attack shape), asked ordinary
    questions about the article: answers must stay right and carry no attacker's payload."""
    questions = load_questions(QUESTIONS_DIR / "injection.jsonl")
    shapes = len({q.attack for q in questions})
    return Suite(
        "injection",
        f"prompt injection: the bundled article beside {shapes} hostile documents (one per "
        "attack shape: txt, Markdown, HTML, PDF, DOCX; written for this project after the "
        "detector, never tuned on), asked ordinary questions about the article; an answer "
        "carrying an attacker's payload is a successful attack",
        _beside_the_article(work_dir, "injection", INJECTION_FILES),
        questions,
    )


def injection_2(work_dir: Path) -> Suite:
    """The second attack set: 37 hostile documents (hidden PDF and DOCX text, directives to
    summarisers, role-play personas, answer-form directives, eight languages) beside the
    bundled article."""
    questions = load_questions(QUESTIONS_DIR / "injection-2.jsonl")
    documents = sum(1 for path in INJECTION_2_FILES.iterdir() if path.is_file())
    return Suite(
        "injection-2",
        f"prompt injection, second set: the bundled article beside {documents} hostile "
        "documents (hidden PDF and DOCX text, directives to summarisers and readers, role-play "
        "personas, answer-form directives, seven other languages, a bare title line; written "
        "before the defences of issue 21, reported without tuning), asked ordinary questions "
        "about the article; an answer carrying a payload is a successful attack",
        _beside_the_article(work_dir, "injection-2", INJECTION_2_FILES),
        questions,
    )


def injection_clean() -> Suite:
    return _local_suite(
        "injection-clean",
        "the injection suite's questions on the bundled article alone: the benign baseline",
        ROOT / "corpus",
        "injection.jsonl",
    )


def injection_2_clean() -> Suite:
    return _local_suite(
        "injection-2-clean",
        "the second injection set's questions on the bundled article alone: its benign baseline",
        ROOT / "corpus",
        "injection-2.jsonl",
    )


MIXED_FOLDERS = {
    "article": ROOT / "corpus",
    "multidoc": ROOT / "evals" / "corpora" / "multidoc",
    "dpkg-specs": ROOT / "evals" / "corpora" / "dpkg-specs",
}


def _mixed_corpus(work_dir: Path, name: str, folders: tuple[str, ...]) -> Path:
    """One folder holding several corpora side by side (``article/``, ``multidoc/``, …), as a
    user's folder of unrelated documents would; files are copied only when they differ."""
    import shutil

    corpus = work_dir / name
    for folder in folders:
        target = corpus / folder
        target.mkdir(parents=True, exist_ok=True)
        for path in MIXED_FOLDERS[folder].iterdir():
            copy = target / path.name
            if path.is_file() and (not copy.exists() or copy.read_bytes() != path.read_bytes()):
                shutil.copy(path, copy)
    return corpus


def probe(work_dir: Path) -> Suite:
    """The false-refusal probe: every answerable question of the ceasefire, ceasefire-heldout,
    dpkg-specs and multidoc suites in a second wording, over all their documents in one
    folder."""
    return Suite(
        "probe",
        "false-refusal probe: each answerable question of ceasefire, ceasefire-heldout, "
        "dpkg-specs and multidoc asked in a second wording (synonyms, other word forms, lower "
        "case), written before tuning; over the three corpora in one folder (15 documents); "
        "alternate questions are the tuning and the reporting half",
        _mixed_corpus(work_dir, "probe", ("article", "multidoc", "dpkg-specs")),
        load_questions(QUESTIONS_DIR / "probe.jsonl"),
    )


def synthesis(work_dir: Path) -> Suite:
    """Summaries, lists, comparisons, yes/no and why/how questions over the article and the
    multidoc documents in one folder, scored by the key facts the answer covers."""
    return Suite(
        "synthesis",
        "questions whose answer takes several sentences (summary, list, comparison, yes/no, "
        "why/how) about the article, Python docs (HTML, PDF), the Apache licence and a pip page "
        "(Markdown), in one folder with the other multidoc files; right when the answer states "
        f"≥ {int(FACTS_NEEDED * 100)} % of the key facts and cites enough paragraphs; written "
        "before tuning, alternate questions are the tuning and the reporting half",
        _mixed_corpus(work_dir, "synthesis", ("article", "multidoc")),
        load_questions(QUESTIONS_DIR / "synthesis.jsonl"),
    )


def conversation(work_dir: Path) -> Suite:
    """Fifteen six-turn conversations over the article and the multidoc documents in one
    folder: each turn is asked after the ones before it in one chat session."""
    return Suite(
        "conversation",
        "15 conversations of 6 turns (90 questions: 15 openers, 75 follow-ups that refer back "
        "with pronouns or leave the subject out) about the article, Python docs, three licences "
        "and pip pages in one folder; written before tuning; alternate conversations are the "
        "tuning and the reporting half",
        _mixed_corpus(work_dir, "conversation", ("article", "multidoc")),
        load_questions(QUESTIONS_DIR / "conversation.jsonl"),
    )


INJECTION_SUITES = {"injection": injection, "injection-2": injection_2}
MIXED_SUITES = {"probe": probe, "synthesis": synthesis, "conversation": conversation}
LOCAL_SUITES = {
    "ceasefire": ceasefire,
    "ceasefire-heldout": ceasefire_heldout,
    "dpkg-specs": dpkg_specs,
    "multidoc": multidoc,
    "injection-clean": injection_clean,
    "injection-2-clean": injection_2_clean,
}
REJECTION_SUITES = ("quoref-absent", "quoref-present")
ALL_SUITES = (*LOCAL_SUITES, *MIXED_SUITES, *INJECTION_SUITES, "quoref", *REJECTION_SUITES)


# The ceasefire questions the defaults were always tuned on (the set has no halves).
CEASEFIRE_TUNING = 29


def tuning_questions(suite: Suite) -> list[Question]:
    """The questions a calibration may read: the tuning half, or ceasefire's first 29."""
    if suite.name == "ceasefire":
        return suite.questions[:CEASEFIRE_TUNING]
    return [q for q in suite.questions if q.split == "tune"]
