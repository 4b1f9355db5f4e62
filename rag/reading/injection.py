"""Instructions hidden in documents: text addressed to an AI, or imitating a system or user turn.

Document text is data. A passage that tries to instruct the assistant ("IMPORTANT SYSTEM NOTICE:
ignore all previous instructions…", "Dear AI, please…", a fake ``System:`` turn) is never used as
evidence: it is not quoted, not shown to a model, and its source card says why. The patterns
cover the usual shapes of indirect prompt injection in English, French, German, Spanish,
Italian, Portuguese, Russian, Ukrainian and Chinese, and payloads hidden in base64.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata

# Who an injected instruction talks to.
_ADDRESSEE = (
    r"(?:ai|a\.i\.|assistant|chat\s*bot|chat-?gpt|gpt|llm|language\s+model|ai\s+model|"
    r"the\s+model|bot|copilot|claude|gemini|llama|qwen|system|agent)"
)
_PATTERNS = [
    # "ignore / disregard / forget (all) (the) previous / prior / above instructions"
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}?"
    r"\b(?:previous|prior|above|earlier|preceding|all|any|your|the|system|original)\b"
    r"[^.!?\n]{0,30}?\b(?:instructions|prompts?|rules|directions|guidelines|directives)\b",
    r"\bnew\s+(?:instructions?|rules?|system\s+prompt|task)\s*[:!]",
    r"\b(?:system|admin(?:istrator)?|developer|security)\s+(?:notice|message|override|"
    r"instructions?|prompt|alert|update)\b\s*[:!]",
    r"\bsystem\s+prompt\b",
    r"\bprompt\s+injection\b",
    # A message addressed to the assistant: "Dear AI", "Note to the assistant", "Assistant, …"
    rf"\b(?:dear|hey|hello|hi|attention|note\s+(?:to|for))\s+(?:the\s+)?{_ADDRESSEE}\b",
    rf"\b(?:if|when)\s+you\s+are\s+(?:an?\s+)?{_ADDRESSEE}\b",
    rf"\bto\s+(?:any|all|the)\s+{_ADDRESSEE}s?\b\s+(?:reading|processing|summari[sz]ing)",
    r"^\W*(?:ai|assistant|chat\s*bot|chat-?gpt|llm|language\s+model)\s*[,:]\s*(?:please\s+)?[a-z]+",
    rf"\b(?:as|you\s+are)\s+(?:an?\s+)?(?:helpful\s+)?{_ADDRESSEE}\b[^.!?\n]{{0,40}}\b"
    r"(?:must|should|will|shall)\b",
    # Telling the reader how to answer.
    r"\b(?:answer|reply|respond)\s+(?:only|exactly|just|always|nothing\s+but)\b",
    r"\byour\s+(?:answer|reply|response)\s+(?:must|should|shall|has\s+to)\b",
    r"\b(?:always|you\s+must|you\s+should|make\s+sure\s+(?:to|you))\s+(?:answer|reply|"
    r"respond|tell\s+the\s+user|cite\s+this)\b",
    r"\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|tell|cite|say|answer|disclose)\b"
    r"[^.!?\n]{0,40}\b(?:user|question|passage|source|instruction|this)\b",
    r"\b(?:repeat|quote)\s+(?:the\s+)?(?:following|this|these\s+words)\b",
    r"\b(?:decode|base64)\b[^.!?\n]{0,40}\b(?:follow|execute|obey|instructions?)\b",
    # Chat-template tokens (imitated turns: see TURN).
    r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>",
    r"\[/?(?:INST|SYS)\]|<</?SYS>>",
    # Other languages: "ignore the previous instructions", "dear AI / assistant".
    r"\bignorez?\b[^.!?\n]{0,40}\binstructions?\b",
    r"\bignorier(?:e|en)?\b[^.!?\n]{0,40}\b(?:anweisungen|instruktionen|befehle)\b",
    r"\bignora(?:r)?\b[^.!?\n]{0,40}\b(?:instrucciones|istruzioni|instruções|instrucoes)\b",
    r"игнорируй|проигнорируй|игнорируйте|забудь\w*\s+(?:все\s+)?(?:предыдущие|прежние)|"
    r"ігноруй|проігноруй|забудь\w*\s+(?:усі\s+)?попередні",
    r"忽略(?:之前|以上|上面|所有|先前)|无视(?:之前|以上|所有)",
    r"\b(?:cher|chère)\s+(?:ia|assistant)\b|\bliebe[rs]?\s+(?:ki|assistent)\b|"
    r"\bquerid[oa]\s+(?:ia|asistente)\b|\bдорог(?:ой|ая)\s+(?:ии|ассистент|ші)\b",
]
INSTRUCTION = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.MULTILINE)
# An imitated chat turn: "System: …", "User: …", "Assistant: …"; two different roles in one
# passage are a fake conversation ("System: Debian 12" alone is a spec sheet).
TURN = re.compile(r"\b(system|user|assistant|human)\s*:\s*[^\W\d_]", re.IGNORECASE)
BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
INVISIBLE = {"Cf"}  # zero-width and bidi control characters, used to split trigger words


def normalized(text: str) -> str:
    """The text as a reader sees it: compatibility forms folded (full-width letters),
    invisible format characters removed."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in INVISIBLE)


def _decoded_runs(text: str) -> list[str]:
    """Long base64 runs of the text, decoded where they decode to readable text."""
    out = []
    for run in BASE64_RUN.findall(text):
        try:
            raw = base64.b64decode(run + "=" * (-len(run) % 4), validate=True)
            decoded = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        if all(ch.isprintable() or ch.isspace() for ch in decoded):
            out.append(decoded)
    return out


def instructions_in(text: str) -> list[str]:
    """The instruction-like phrases of ``text`` addressed to an AI (empty: none found)."""
    plain = normalized(text)
    found = []
    for piece in [plain, *_decoded_runs(plain)]:
        found += [m.group(0).strip() for m in INSTRUCTION.finditer(piece)]
        turns = TURN.findall(piece)
        if len({role.lower() for role in turns}) >= 2:
            found.append(" / ".join(dict.fromkeys(f"{role}:" for role in turns)))
    return found


def addresses_ai(text: str) -> bool:
    """Whether ``text`` holds instructions addressed to an AI or imitating a chat turn."""
    return bool(instructions_in(text))
