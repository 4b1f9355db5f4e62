"""What a follow-up's references point at: "What other role did it play?" after "Which
country hosted the talks?" (answered "Saudi Arabia") asks "What other role did Saudi Arabia
play?". Used when no language model rewrites the follow-up, and when its rewrite changed more
than the references (rag.chat.faithful_rewrite)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answering.answerability import MARKERS
from rag.text import WORD, content_words
from rag.types import Turn

# Things a question can be about (ranked by ``mentions``): code ("mkstemp()", "TemporaryFile",
# "token_hex", "`pip wheel`"), a named module or command ("the secrets module"), a name
# ("Saudi Arabia", "Apache License 2.0", "U.S.").
CODE = re.compile(
    r"`([^`\n]{1,60})`|\b[A-Za-z_][\w.]*\(\)|\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+\.[a-z_]\w*\b"
    r"|\b[A-Z][a-z]+[A-Z]\w*\b"
)
KINDS = "module package function class method command library option parameter license"
NAMED_KIND = re.compile(rf"\b([a-z][\w.-]*\s+(?:{'|'.join(KINDS.split())}))\b")
NAME_WORD = r"(?:[A-Z][\w’'.-]*|\d+(?:\.\d+)*)"
NAME = re.compile(rf"\b[A-Z][\w’'.-]*(?:\s+(?:of\s+(?:the\s+)?)?{NAME_WORD})*")
POSSESSIVE_ENDING = re.compile(r"['’]s?$")
ABBREVIATION_END = re.compile(r"\b(?:[A-Z]\.)+$")
# The doer in "Where does pip look …?", "How does Putin approach …?"
DOER = re.compile(r"\b(?:does|do|did|can|could|should|will|would)\s+(?:the\s+)?([\w.-]+)", re.I)
# Capitalised words that open a question rather than name anything.
OPENERS = set(
    "what which who whom whose when where why how does do did is are was were can could should "
    "would will may might must shall has have had and but or if under on in at for from by with "
    "since after before during i you we the a an this that these those it its each every any "
    "some all no".split()
)
QUESTION_WORDS = "what which who whom whose when where why how".split()
# A who/which question asks for a name; its answer's name becomes what "he" or "it" means.
ASKS_FOR_A_NAME = re.compile(r"^\W*(?:(?P<who>who|whom)|which\s+\w+)\b", re.I)

PERSONAL = {"it", "he", "she", "him", "they", "them"}
POSSESSIVE = {"its", "his", "their", "her"}
DEMONSTRATIVE = {"that", "this", "these", "those"}
# An elliptical follow-up: "And its randbelow function?", "What about Putin?"
ELLIPSIS = re.compile(r"^\W*(?:and|but|what about|how about)\s+(.+?)\W*$", re.I)


def mentions(text: str, kinds: bool = True) -> list[str]:
    """What ``text`` names, most telling first: code ("What is the default mode of
    TemporaryFile?"), the doer of a does-question ("Where does pip look …?"), names of
    several words ("the Apache License 2.0"), named modules and commands (unless not
    ``kinds``), then one-word names; in text order within each."""
    text = MARKERS.sub("", text)
    found: list[tuple[int, int, int, str]] = []  # (rank, start, end, phrase)

    def add(rank: int, start: int, end: int) -> None:
        if end > start and not any(a < end and start < b for _, a, b, _ in found):
            found.append((rank, start, end, text[start:end]))

    for match in CODE.finditer(text):
        add(0, *(match.span(1) if match.group(1) else match.span()))
    doer = DOER.search(text)
    if doer and doer.group(1).lower() not in OPENERS:
        at = doer.start(1)
        whole = NAMED_KIND.match(text, at) or NAME.match(text, at)
        add(1, at, whole.end() if whole else doer.end(1))
    for match in NAME.finditer(text):
        start, end = match.span()
        words = match.group(0).split()
        while words and words[0].lower().strip(".") in OPENERS:
            start += len(words.pop(0)) + 1
        while words and words[-1].lower() in {"of", "the"}:
            end -= len(words.pop()) + 1
        phrase = text[start:end]
        owner = POSSESSIVE_ENDING.search(phrase)
        if owner:  # "Putin's" names Putin
            end = start + owner.start()
        elif not ABBREVIATION_END.search(phrase):  # "U.S." keeps its full stop
            end = start + len(phrase.rstrip("."))
        add(2 if len(words) > 1 else 4, start, end)
    for match in NAMED_KIND.finditer(text) if kinds else ():
        if match.group(1).split()[0] not in OPENERS:
            add(3, *match.span(1))
    return [phrase for *_, phrase in sorted(found)]


def _owned(text: str, phrase: str) -> bool:
    """Whether ``phrase`` is something the topic has ("its choice function"), not a topic."""
    return bool(re.search(rf"\b(?:its|his|her|their)\s+{re.escape(phrase)}", text, re.I))


def _answered_name(turn: Turn) -> str | None:
    """The name a who/which answer gives: the one nearest the words it shares with the
    question, and not in the question itself."""
    asked = content_words(turn.query)
    which = re.search(r"\bwhich\s+((?:\S+\s+){0,2}\S+)", turn.query, re.I)
    answer = MARKERS.sub("", turn.answer)
    words = [(m.span(), content_words(m.group())) for m in WORD.finditer(answer)]
    anchors = [span for span, found in words if found & asked]
    if which:  # "Which core generator …?": the name beside "generator"
        named = content_words(which.group(1))
        anchors = [span for span, found in words if found & named] or anchors
    best, best_distance = None, None
    for name in mentions(answer, kinds=False):
        if not content_words(name) or content_words(name) <= asked:
            continue
        if not anchors:
            return name
        start = answer.find(name)
        end = start + len(name)
        # the gap to the nearest shared word; a name after it ("spokesperson Dmitry Peskov")
        # wins a tie with one before it ("Kremlin spokesperson")
        distance = min(start - b - 0.5 if start >= b else a - end for a, b in anchors)
        if best_distance is None or distance < best_distance:
            best, best_distance = name, distance
    return best


def topic(history: Sequence[Turn], person: bool = True) -> str | None:
    """What "he" (``person``) or "it" means after ``history``: the name the last who/which
    question was answered with (for "it", only a which-question's: "Who is the steward of the
    licence?" does not make the steward "it"), else what the last question names itself, else
    the topic before it."""
    for back in range(len(history) - 1, -1, -1):
        turn = history[back]
        asks = ASKS_FOR_A_NAME.match(turn.question)
        if turn.answer and asks and (person or not asks.group("who")):
            name = _answered_name(turn)
            if name:
                return name
        own = [m for m in mentions(turn.query) if not _owned(turn.query, m)]
        if own:
            return own[0]
    return None


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") and not name.endswith("ss") else f"{name}'s"


def _names(text: str, phrase: str) -> bool:
    return bool(re.search(rf"(?<![\w.]){re.escape(phrase)}(?![\w(])", text, re.I))


def resolve(question: str, history: Sequence[Turn]) -> str | None:
    """``question`` with its references replaced by what they point at, or None when nothing
    in it could be resolved. A question that names nothing itself also gets the topic."""
    if not history:
        return None
    previous = history[-1]
    subject = topic(history, person=False)  # what "it" means
    someone = topic(history, person=True)  # what "he" means
    elided = ELLIPSIS.match(question)
    if elided and not any(w in elided.group(1).lower().split() for w in QUESTION_WORDS):
        return _fill_ellipsis(elided.group(1), previous, subject)
    words = question.split(" ")
    replaced = False
    for i, word in enumerate(words):
        bare = word.strip("?,.!;:")
        lower = bare.lower()
        after = words[i + 1].strip("?,.!;:").lower() if i + 1 < len(words) else ""
        if lower in PERSONAL | POSSESSIVE:
            referent = subject if lower in {"it", "its"} else someone
            if referent and not _names(question, referent):
                name = _possessive(referent) if lower in POSSESSIVE - {"her"} else referent
                words[i] = word.replace(bare, name)
                replaced = True
        elif lower in DEMONSTRATIVE and after:
            thing = _demonstrated(after, previous)
            if thing:
                words[i] = word.replace(bare, thing)
                replaced = True
    resolved = " ".join(words)
    if subject and not mentions(question) and not _names(resolved, subject):
        return f"{resolved} ({subject})"
    return resolved if replaced else None


def _demonstrated(noun: str, previous: Turn) -> str | None:
    """What "that <noun>" points at: the code the last answer gave for "that function", else
    the last question's "<word> <noun>" ("that file" after "a requirements file")."""
    if noun in KINDS.split():
        code = [m for m in mentions(previous.answer, kinds=False) if CODE.fullmatch(m)]
        if code:
            return code[0]
    compound = re.search(rf"\b(\w+)\s+{re.escape(noun)}\b", previous.query, re.I)
    if compound and compound.group(1).lower() not in OPENERS | DEMONSTRATIVE:
        return f"the {compound.group(1)}"
    return None


def _fill_ellipsis(phrase: str, previous: Turn, subject: str | None) -> str:
    """ "And its randbelow function?" after "What does the secrets module's choice function
    return?" asks "What does the secrets module's randbelow function return?"; "What about
    Putin?" after "How does Zelenskyy see the talks?" asks "How does Putin see the talks?"."""
    if subject:
        phrase = re.sub(r"\b(?:its|his|their)\b", _possessive(subject), phrase, flags=re.I)
    words = phrase.split()
    if len(words) >= 2 and words[-1].lower() not in OPENERS:
        slot = re.search(rf"\b\w+\s+{re.escape(words[-1])}\b", previous.query)
        if slot:
            new = " ".join(words[-2:])
            return previous.query[: slot.start()] + new + previous.query[slot.end() :]
    if subject and subject in previous.query and mentions(phrase):
        return previous.query.replace(subject, phrase, 1)
    return f"{phrase} {previous.query}"
