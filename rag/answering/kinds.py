"""What a question asks to be done with the documents: state a fact, summarise, list,
compare, say yes or no, or give a reason or manner. Each kind is answered on purpose
(rag.answering.synthesis); the kind is read from the wording alone, so every part of the
pipeline that needs it can work it out again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

FACT, SUMMARY, LIST, COMPARISON, YES_NO, WHY_HOW = (
    "fact",
    "summary",
    "list",
    "comparison",
    "yes_no",
    "why_how",
)

# Words that name a piece of writing: "this article", "the tempfile docs".
DOCUMENT_WORDS = (
    r"article|document|documents|documentation|docs|doc|page|pages|text|file|files|report|"
    r"paper|story|chapter|section|licen[cs]e|manual|guide|module|corpus|collection|folder|"
    r"spec|specification|post|essay"
)
SUMMARY_PATTERN = re.compile(
    r"\bsummar(?:y|ies|ise|ize|ised|ized|ising|izing)\b|\boverview\b|\bgist\b|\btl;?dr\b|"
    r"\b(?:main|key|major|central) (?:points?|ideas?|topics?|takeaways?|themes?|messages?|terms|"
    r"arguments?|findings?)\b|"
    r"^\s*what(?:'s| is| are)\b.{0,80}\babout\s*\??\s*$|"
    rf"\bwhat (?:does|do) (?:this|the|these|that) (?:[\w.-]+ ){{0,4}}(?:{DOCUMENT_WORDS})\b"
    r"(?: \w+)? (?:say|cover|discuss|describe|explain|contain)\s*\??\s*$|"
    rf"\btell me about (?:this|the|these) (?:[\w.-]+ ){{0,3}}(?:{DOCUMENT_WORDS})\b",
    re.I,
)
COMPARISON_PATTERN = re.compile(
    r"\b(?:differ|differs|differed|difference|differences|different|(?<!to )compare|compared|"
    r"comparison|versus|vs\.?|contrast|similarit(?:y|ies)|in common)\b|"
    r"^\s*which is (?:\w+er|more \w+|less \w+|better|worse)\b",
    re.I,
)
YES_NO_PATTERN = re.compile(
    r"^\s*(?:is|are|was|were|am|do|does|did|can|could|should|shall|has|have|had|will|would|"
    r"may|might|must|isn't|aren't|wasn't|doesn't|don't|didn't|can't|won't|hasn't|haven't)\b",
    re.I,
)
# "Is it final or still a draft?" asks to choose, not for a yes or no.
ALTERNATIVES = re.compile(r"\bor\b", re.I)
WHY_HOW_PATTERN = re.compile(
    r"^\s*(?:why|how)\b(?! (?:many|much|long|old|often|far|big|large|fast|soon|come)\b)|"
    r"\b(?:for what reason|what (?:is|was|are) the reasons?|what causes?|in what way)\b",
    re.I,
)
# "Which countries…", "What reasons does…", "Who are the key people…", "List all…"
LIST_OPENING = re.compile(
    r"^\s*(?:(?:in|under|according to|per) [^,]{1,60},\s*)?(?:which|what)\s+"
    r"(?:(?:kinds|types|sorts) of\s+)?((?:[\w.'-]+\s+){0,5}?[\w'-]+)\s+"
    r"(?:are|were|do|does|did|has|have|had|can|could|should|will|would|is|must|may)\b",
    re.I,
)
LIST_WORDS = re.compile(
    r"^\s*(?:list|name|enumerate|give me (?:the|all|a list))\b|\bwho (?:are|were) (?:the|all)\b|"
    r"\b(?:what|which) (?:kinds|types|sorts) of\b|\bin what order\b|"
    r"\ball (?:the )?(?:\w+ )?(?:ways|people|names|countries|steps|options|functions|reasons|"
    r"conditions)\b",
    re.I,
)
PLURAL_PEOPLE = {
    "people",
    "persons",
    "players",
    "parties",
    "members",
    "names",
    "leaders",
    "men",
    "women",
    "children",
    "figures",
    "officials",
    "actors",
    "characters",
    "staff",
}
NOT_PLURAL = {
    "is",
    "was",
    "has",
    "does",
    "this",
    "its",
    "us",
    "class",
    "process",
    "access",
    "status",
    "address",
    "series",
    "news",
    "analysis",
    "basis",
    "thus",
    "less",
    "plus",
    "bus",
    "gas",
    "yes",
    "always",
    "perhaps",
    "across",
    "unless",
    "whereas",
    "pass",
    "loss",
    "success",
    "business",
    "express",
    "progress",
    "bias",
    "alias",
}


@dataclass(frozen=True)
class QuestionKind:
    """The kind of a question and, for a comparison, the sides to compare."""

    kind: str
    sides: tuple[str, ...] = ()

    @property
    def gathers(self) -> bool:
        """Whether the answer draws on several paragraphs (lists, comparisons, summaries)."""
        return self.kind in (SUMMARY, LIST, COMPARISON)


def kind_of(question: str) -> QuestionKind:
    """The kind of ``question`` (see the module docstring), by its wording."""
    text = " ".join(question.split())
    if SUMMARY_PATTERN.search(text):
        return QuestionKind(SUMMARY)
    if COMPARISON_PATTERN.search(text):
        return QuestionKind(COMPARISON, comparison_sides(text))
    if YES_NO_PATTERN.search(text) and not ALTERNATIVES.search(text):
        return QuestionKind(YES_NO)
    if _asks_for_a_list(text):
        return QuestionKind(LIST)
    if WHY_HOW_PATTERN.search(text):
        return QuestionKind(WHY_HOW)
    return QuestionKind(FACT)


def _asks_for_a_list(text: str) -> bool:
    if LIST_WORDS.search(text):
        return True
    match = LIST_OPENING.search(text)
    if not match:
        return False
    head = match.group(1).split()[-1].lower().strip("'")
    return head in PLURAL_PEOPLE or _is_plural(head)


@cache
def _is_plural(word: str) -> bool:
    import simplemma

    if word in NOT_PLURAL or not word.endswith("s") or len(word) < 4:
        return False
    return simplemma.lemmatize(word, lang="en") != word


SIDE_PATTERNS = (
    re.compile(r"\bbetween (.+?) and (.+?)(?:\s+(?:in|when|for|regarding|on)\b.*)?\??$", re.I),
    re.compile(
        r"\b(?:do|does|did|are|is|were|was)\s+(.+?)\s+(?:and|or)\s+(.+?)\s+"
        r"(?:differ|compare|contrast)",
        re.I,
    ),
    re.compile(
        r"\b(?:does|do|is|are)\s+(.+?)\s+(?:differ|different) from\s+(.+?)"
        r"(?:\s+(?:in|when|for|regarding)\b.*)?\??$",
        re.I,
    ),
    re.compile(
        r"\b(?:does|do)\s+(.+?)\s+compare (?:with|to)\s+(.+?)"
        r"(?:\s+(?:in|when|for|regarding)\b.*)?\??$",
        re.I,
    ),
    re.compile(
        r"\bcompare\s+(.+?)\s+(?:with|to|and)\s+(.+?)"
        r"(?:\s+(?:in|when|for|regarding)\b.*)?\??$",
        re.I,
    ),
    re.compile(r",\s*(.+?)\s+or\s+(.+?)\s*\??$", re.I),
    re.compile(r"(\S+)\s+(?:vs\.?|versus)\s+(\S+)", re.I),
)
SIDE_NOISE = re.compile(r"^(?:the|a|an|how|what)\s+|['’]s\b|\s+(?:each|both)$", re.I)


def comparison_sides(question: str) -> tuple[str, ...]:
    """The two things a comparison is about ("Zelenskyy's and Putin's positions" gives
    ("Zelenskyy", "Putin positions")), or () when the wording names none."""
    for pattern in SIDE_PATTERNS:
        match = pattern.search(question)
        if match:
            sides = tuple(SIDE_NOISE.sub("", side.strip(" ?,.")).strip() for side in match.groups())
            if all(sides):
                return sides
    return ()
