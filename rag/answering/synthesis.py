"""Answers drawn from several sentences, each kind on purpose (rag.answering.kinds): a summary of
central, diverse sentences in document order, a list whose every sentence adds something new,
a comparison with evidence for each side, a yes/no that opens with Yes or No, and a why/how
that prefers the sentence giving the reason or the manner. Everything here chooses among the
documents' own sentences; nothing is written."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.answering.answerability import NAME_RUN, is_whole_sentence
from rag.text import content_words, names
from rag.types import Passage, ScoredSentence

# List questions whose items are names: the answer's sentences must each add a new name.
NAMED_ITEMS = re.compile(
    r"\b(?:who|whom|countries|country|nations|states|people|persons|leaders|officials|"
    r"players|parties|figures|members|cities|companies|organi[sz]ations|allies|powers|"
    r"governments|authors|characters|actors|names)\b",
    re.I,
)
# Lists of people: their items are full names.
PEOPLE = re.compile(
    r"\b(?:who|whom|people|persons|leaders|officials|figures|players|members|authors|"
    r"characters|actors)\b",
    re.I,
)
# A sentence that gives a reason or a manner ("… because …", "… in order to …", "by …ing").
REASON_CUES = re.compile(
    r"\b(?:because|since|as a result|due to|owing to|so that|in order to|so as to|therefore|"
    r"thus|hence|which means|reason|aims? to|to ensure|to prevent|to avoid|to reduce|"
    r"by \w+ing|through|using|via|leading to|causing|caused|given that|designed for|"
    r"protects?|guards?|allows?|lets|enables?|requires?)\b",
    re.I,
)
# Words that turn a statement into its denial, beyond "not" and "no".
DENIALS = re.compile(
    r"\b(?:not|no|never|none|nor|neither|cannot|can't|won't|isn't|aren't|wasn't|weren't|"
    r"doesn't|don't|didn't|hasn't|haven't|without|reluctant|reluctance|refused?|refuses|"
    r"declined?|fails?|failed|unable|lacks?|hesitated?|rejected?|forbidden|prohibited)\b",
    re.I,
)
# Lists: what each new item a sentence adds is worth, in sentence score.
ITEM_BONUS = 0.03
# Summaries: the lift of a section's first sentence and of a paragraph's, and the most
# sentences a summary grows to when a document has more sections than its usual length.
SECTION_LEAD, PARAGRAPH_LEAD, MAX_SUMMARY_SENTENCES = 0.1, 0.03, 7
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A pronoun that opens a sentence and stands for something named before it.
PRONOUN_SUBJECT = re.compile(r"^\W*(?:he|she|they|it|his|her|their|its|this|these|those)\b", re.I)


@dataclass(frozen=True)
class Selection:
    """The sentences an answer quotes (in the order they are said) and the word it opens
    with, if any ("Yes" / "No")."""

    sentences: list[ScoredSentence]
    opening: str | None = None


def paragraph_key(sentence: ScoredSentence) -> tuple[str, int]:
    return (sentence.passage.source, sentence.passage.paragraph)


def reading_order(sentences: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    return sorted(sentences, key=lambda s: (s.passage.source, s.passage.paragraph, s.position))


def list_sentences(
    ranked: Sequence[ScoredSentence], question: str, limit: int, margin: float
) -> list[ScoredSentence]:
    """Up to ``limit`` sentences, each adding something the ones before it did not say: a new
    name when the question asks for named things, else new words. Candidates score within
    ``margin`` of the best; the next one taken is the best by its score plus ITEM_BONUS for
    each new item (up to three), so a sentence naming three countries goes before one that
    names one."""
    if not ranked:
        return []
    by_name = bool(NAMED_ITEMS.search(question))
    asked = names(question)
    floor = ranked[0].score - margin
    pool = [s for s in ranked if s.score >= floor]
    if PEOPLE.search(question):  # people have full names: "Dmitry Peskov", "Marco Rubio"
        items = {id(s): set(NAME_RUN.findall(s.text)) for s in pool}
    else:
        items = {
            id(s): (named_in(s.text) - asked if by_name else content_words(s.text) - asked)
            for s in pool
        }
    chosen: list[ScoredSentence] = []
    said: set[str] = set()
    while pool and len(chosen) < limit:
        best = max(
            pool, key=lambda s, said=said: s.score + ITEM_BONUS * min(len(items[id(s)] - said), 3)
        )
        pool.remove(best)
        new = items[id(best)] - said
        enough = 1 if by_name else max(2, len(items[id(best)]) // 3)
        if chosen and len(new) < enough or (by_name and not new):
            continue
        chosen.append(best)
        said |= items[id(best)]
    return chosen


def named_in(sentence: str) -> set[str]:
    """The names a sentence mentions; its first word only when the next is capitalised too
    ("Ukrainian President …", not "Leaders on all sides …")."""
    first, _, rest = sentence.partition(" ")
    return names(rest) | (names(first) if rest[:1].isupper() else set())


def _mentions(sentence: ScoredSentence, side: str) -> bool:
    """Whether the sentence (with its heading) is about ``side``: it has the side's names, or
    half of its words when it has none."""
    text = f"{sentence.passage.context or ''} {sentence.text}"
    side_names = names(side)
    if side_names:
        return side_names <= content_words(text)
    words = content_words(side)
    return bool(words) and len(words & content_words(text)) * 2 >= len(words)


def comparison_sentences(
    ranked: Sequence[ScoredSentence], sides: Sequence[str], per_side: int = 1
) -> list[ScoredSentence]:
    """The best sentences about each side (``per_side`` each, none repeated); without sides,
    the best two sentences of different paragraphs."""
    chosen: list[ScoredSentence] = []
    if not sides:
        for sentence in ranked:
            if all(paragraph_key(sentence) != paragraph_key(c) for c in chosen):
                chosen.append(sentence)
            if len(chosen) == 2:
                break
        return chosen
    for side in sides:
        found = [s for s in ranked if _mentions(s, side) and s not in chosen][:per_side]
        chosen += found
    return chosen


def reason_first(ranked: Sequence[ScoredSentence], bonus: float) -> list[ScoredSentence]:
    """The sentences re-ranked with ``bonus`` for those that give a reason or a manner."""
    return sorted(ranked, key=lambda s: -(s.score + (bonus if REASON_CUES.search(s.text) else 0.0)))


def yes_or_no(question: str, sentence: str, passage: Passage) -> str:
    """ "Yes" when the sentence says what the question asks, "No" when it denies it or when
    the question's name or number is nowhere in the paragraph it is quoted from (``passage``,
    with its title and headings) while the sentence names another ("Did Qatar host…?" answered by
    "…Saudi Arabia hosting…")."""
    paragraph = f"{passage.context or ''} {passage.text}"
    denied = bool(DENIALS.search(sentence)) != bool(DENIALS.search(question))
    said = content_words(f"{sentence} {paragraph}")
    other_name = bool(names(question.partition(" ")[2]) - said) and bool(
        names(sentence) - names(question)
    )
    asked_numbers = set(NUMBER.findall(question))
    other_number = bool(asked_numbers - set(NUMBER.findall(f"{sentence} {paragraph}"))) and bool(
        NUMBER.findall(sentence)
    )
    return "No" if denied or other_name or other_number else "Yes"


def with_named_subjects(chosen: Sequence[ScoredSentence]) -> list[ScoredSentence]:
    """Each sentence whose subject is a pronoun ("He argues …") preceded by the sentence of
    its paragraph that comes before it, which names who or what that is."""
    out: list[ScoredSentence] = []
    for sentence in chosen:
        if PRONOUN_SUBJECT.match(sentence.text) and sentence.position > 0:
            before = sentence.passage.sentence_texts[sentence.position - 1]
            if is_whole_sentence(before) and all(
                (paragraph_key(s), s.position) != (paragraph_key(sentence), sentence.position - 1)
                for s in [*out, *chosen]
            ):
                out.append(
                    ScoredSentence(before, sentence.passage, sentence.position - 1, sentence.score)
                )
        out.append(sentence)
    return out


def summary_sentences(
    candidates: Sequence[ScoredSentence],
    vectors: Sequence[Sequence[float]],
    limit: int,
    diversity: float,
) -> list[ScoredSentence]:
    """A summary: the most central sentence of each section (heading), then more of the
    sections' most central ones, up to ``limit``: central to the whole and unlike each other
    (maximal marginal relevance with weight ``diversity``), at most one per paragraph, in
    document order. ``vectors`` are the candidates' unit embeddings."""
    if not candidates:
        return []
    dimension = len(vectors[0])
    centre = [sum(v[i] for v in vectors) for i in range(dimension)]
    norm = sum(x * x for x in centre) ** 0.5 or 1.0
    centre = [x / norm for x in centre]
    centrality = [sum(a * b for a, b in zip(v, centre, strict=True)) for v in vectors]
    sections: dict[tuple[str, str | None], list[int]] = {}
    for i, sentence in enumerate(candidates):
        sections.setdefault((sentence.passage.source, sentence.passage.heading), []).append(i)
    # a section's lead sentence states its topic, a paragraph's first sentence often does
    leads = {members[0] for members in sections.values()}
    lifted = [
        c + (SECTION_LEAD if i in leads else PARAGRAPH_LEAD if s.position == 0 else 0.0)
        for i, (c, s) in enumerate(zip(centrality, candidates, strict=True))
    ]
    limit = max(limit, min(len(sections), MAX_SUMMARY_SENTENCES))
    depth = max(2, -(-2 * limit // len(sections)))  # each section's most central few
    ranked = {
        key: sorted(members, key=lambda j: -lifted[j])[:depth] for key, members in sections.items()
    }

    def similarity(i: int, j: int) -> float:
        return sum(a * b for a, b in zip(vectors[i], vectors[j], strict=True))

    chosen: list[int] = []

    def pick(pool: list[int]) -> None:
        """Add the pool's best by maximal marginal relevance, never two of one paragraph."""
        while pool and len(chosen) < limit:
            best = max(
                pool,
                key=lambda i: (
                    (1 - diversity) * lifted[i]
                    - diversity * max((similarity(i, j) for j in chosen), default=0.0)
                ),
            )
            pool.remove(best)
            if all(paragraph_key(candidates[best]) != paragraph_key(candidates[j]) for j in chosen):
                chosen.append(best)
                return

    # first one sentence from each section (the most central sections when there are more
    # sections than sentences), then the rest from any section
    leads = sorted((members[0] for members in ranked.values()), key=lambda i: -lifted[i])
    leads = leads[:limit]
    while leads and len(chosen) < limit:
        pick(leads)
    rest = [i for members in ranked.values() for i in members if i not in chosen]
    while rest and len(chosen) < limit:
        pick(rest)
    return reading_order([candidates[i] for i in chosen])


def overview_passages(passages: Sequence[Passage]) -> list[Passage]:
    """The prose paragraphs of a summary's scope (code is cited, never summarised)."""
    return [p for p in passages if not p.code and not p.untrusted]


# What a summary request says besides its subject ("Give me a short overview of the docs").
SUMMARY_VOCABULARY = (
    "summary summaries summarize summarise summarizing overview gist tldr main key major "
    "central point points idea ideas topic topics takeaway takeaways theme themes message "
    "messages term terms article articles document documents documentation docs doc page pages "
    "text file files report paper story chapter section licence license manual guide module "
    "corpus collection folder spec specification post essay say says cover covers discuss "
    "discusses describe describes explain explains contain contains tell give brief short quick "
    "please whole entire everything"
)


def _words(text: str) -> set[str]:
    """Content words with hyphenated and path-joined words split ("ukraine-russia-talks.txt")."""
    return content_words(re.sub(r"[-/_.]+", " ", text))


def summary_subject(question: str) -> set[str]:
    """The words of a summary request that name what to summarise ("ceasefire" in
    "Summarize the ceasefire article")."""
    return _words(question) - content_words(SUMMARY_VOCABULARY)


def summary_focus(question: str, passages: Sequence[Passage]) -> set[str]:
    """The subject words that no document being summarised has in its name, title or
    headings: what the summary must be about ("Putin" in "Summarize what the article says
    about Putin")."""
    named: set[str] = set()
    for passage in passages:
        named |= _words(f"{passage.source} {passage.context or ''}")
    return summary_subject(question) - named


def about(focus: set[str], passages: Sequence[Passage]) -> list[Passage]:
    """The passages that mention one of the ``focus`` words; all of them when none does."""
    kept = [p for p in passages if focus & _words(f"{p.context or ''} {p.text}")]
    return kept or list(passages)
