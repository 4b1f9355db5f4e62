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
import functools
import re
import unicodedata

# Who an injected instruction talks to, when it names an AI.
_ADDRESSEE = (
    r"(?:ai|a\.i\.|assistant|chat\s*bot|chat-?gpt|gpt|llm|language\s+model|ai\s+model|"
    r"the\s+model|bot|copilot|claude|gemini|llama|qwen|system|agent)"
)

# The parts the general rules are built from (English; other languages below).
# Whoever or whatever reads the text, however it is called: a reader that is automated by
# name (summarisers, question-answering tools, crawlers), software that summarises or answers,
# software that reads or processes *this article* (not "programs that parse this field":
# specifications put obligations on parsers), or whoever reads, summarises or answers.
_UNDERSTAND = r"(?:summari[sz]|condens|answer|paraphras|rewrit|respond|digest|analy[sz])\w*"
_PROCESS = rf"(?:{_UNDERSTAND}|(?:read|process|pars|index|ingest|handl|crawl|scrap)\w*)"
_TOOL = (
    r"(?:software|tools?|programs?|programmes?|systems?|services?|models?|bots?|assistants?|"
    r"agents?|pipelines?|engines?|applications?|apps?|readers?|ais?|llms?)"
)
_AUTOMATED = (
    r"(?:summari[sz]ers?|summari[sz]ation\s+\w+|question[- ]answering\s+\w+|chat\s*bots?|"
    r"language\s+models?|crawlers?|indexers?|scrapers?|retrieval\s+\w+|"
    r"(?:automated|automatic|generative|ai|machine)\s+(?:summari\w+|tools?|systems?|readers?|"
    r"assistants?|agents?|services?|software|programs?|models?|answer\w*|question\w*))"
)
_TEXT = (
    r"(?:this|the\s+following|these)\s+(?:article|page|text|story|document|report|brief|memo|"
    r"passage|content|post|email|message|site|website|note|summary|section)"
)
_READER = (
    rf"(?:\b{_AUTOMATED}\b"
    rf"|\b{_TOOL}\s+(?:that\s+|which\s+|who\s+)?{_UNDERSTAND}"
    rf"|\b{_TOOL}\s+(?:that\s+|which\s+|who\s+)?{_PROCESS}\s+(?:or\s+\w+\s+)?{_TEXT}\b"
    rf"|\b(?:whoever|anyone|anybody|everyone|everybody|anything)\s+(?:who\s+|that\s+)?"
    rf"{_PROCESS})"
)
# ... is told it must, should, is required or expected to ...
_MUST = (
    r"(?:must|should|shall|will\s+have\s+to|ha(?:ve|s)\s+to|needs?\s+to|ought\s+to|"
    r"(?:is|are)\s+(?:to|required\s+to|expected\s+to|instructed\s+to|asked\s+to|obliged\s+to|"
    r"supposed\s+to|meant\s+to))"
)
# ... say, repeat, include or answer something.
_SAY = (
    r"(?:say|state|tell|answer|reply|respond|repeat|reproduce|recite|quote|copy|output|print|"
    r"write|include|insert|append|add|mention|describe|report|claim|assert|call|refer|present|"
    r"begin|start|open|end|close|link|recommend|direct|inform|summari[sz]e|translate)"
)
# What an answer is: the form-of-the-answer rules talk about it.
_ANSWER = r"(?:answers?|repl(?:y|ies)|responses?|summar(?:y|ies)|outputs?)"

_RULES = {
    # 1. Overriding the assistant's instructions: "ignore all previous instructions".
    "override": (
        r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}?"
        r"\b(?:previous|prior|above|earlier|preceding|all|any|your|the|system|original)\b"
        r"[^.!?\n]{0,30}?\b(?:instructions|prompts?|rules|directions|guidelines|directives)\b"
    ),
    # 2. A fake notice or prompt: "SYSTEM NOTICE:", "new instructions:", "system prompt".
    "notice": (
        r"\bnew\s+(?:instructions?|rules?|system\s+prompt|task)\s*[:!]"
        r"|\b(?:system|admin(?:istrator)?|developer|security)\s+(?:notice|message|override|"
        r"instructions?|prompt|alert|update)\b\s*[:!]|\bsystem\s+prompt\b|\bprompt\s+injection\b"
    ),
    # 3. A message to a named AI: "Dear AI", "Note to the assistant", "Assistant, …".
    "named-addressee": (
        rf"\b(?:dear|hey|hello|hi|attention|note\s+(?:to|for))\s+(?:the\s+)?{_ADDRESSEE}\b"
        rf"|\b(?:if|when)\s+you\s+are\s+(?:an?\s+)?{_ADDRESSEE}\b"
        rf"|\bto\s+(?:any|all|the)\s+{_ADDRESSEE}s?\b\s+(?:reading|processing|summari[sz]ing)"
        r"|^\W*(?:ai|assistant|chat\s*bot|chat-?gpt|llm|language\s+model)\s*[,:]\s*(?:please\s+)?"
        r"[a-z]+"
        rf"|\b(?:as|you\s+are)\s+(?:an?\s+)?(?:helpful\s+)?{_ADDRESSEE}\b[^.!?\n]{{0,40}}\b"
        r"(?:must|should|will|shall)\b"
    ),
    # 4. An obligation put on whoever reads, summarises or answers, whatever it is called:
    #    "Automated summarisers ... are to reproduce", "Any software that condenses this
    #    article must repeat", "Whoever answers questions about it should say".
    "reader-obligation": rf"{_READER}[^.!?\n]{{0,90}}?\b{_MUST}\s+(?:\w+\s+){{0,2}}?{_SAY}\b",
    #    ... or in the passive: "every generated summary of it begins with", "It is required
    #    that every answer ...".
    "required-answer": (
        rf"\b(?:every|each|any|all)\s+(?:generated\s+|automatic\s+|ai[- ])?{_ANSWER}\b"
        rf"[^.!?\n]{{0,60}}?\b{_MUST}\s+(?:\w+\s+){{0,2}}?{_SAY}\b"
        rf"|\bit\s+is\s+(?:required|mandatory|essential)\s+that\s+(?:every|each|any|all|the)\s+"
        rf"(?:\w+\s+)?{_ANSWER}\b"
    ),
    # 5. The form of the answer: "repeat word for word", "reply only with", "your first
    #    message is", "begin your response with", "include this link in every answer".
    "answer-form": (
        r"\b(?:repeat|reproduce|recite|quote|say|state|echo|output|print|write)\b"
        r"[^.!?\n,;]{0,60}?(?:word[- ]for[- ]word|verbatim|exactly\s+as\s+(?:written|follows|it\s+"
        r"stands))"
        r"|\b(?:answer|reply|respond)\s+(?:with\s+)?(?:only|exactly|just|always|solely|"
        r"exclusively|nothing\s+(?:but|except|other\s+than))\b"
        r"|\b(?:say|mention|add|write)\s+nothing\s+else\b"
        rf"|\byour\s+(?:first\s+|only\s+|next\s+)?{_ANSWER}\s+(?:must|should|shall|has\s+to)\b"
        r"|\b(?:your|its|(?:the\s+)?\w+['’]s)\s+(?:first|opening|initial|next|only|every)\s+"
        r"(?:message|reply|response|answer|words?|line)\s+(?:is|are|must\s+be|should\s+be|"
        r"will\s+be|shall\s+be)\s+(?:always\s*)?[:\"“'‘]"
        r"|\byour\s+(?:first|opening|initial)\s+(?:message|reply|response|answer|words?)\s+"
        r"(?:must|should|shall|has\s+to|will)\b"
        rf"|\b(?:begin|start|open|end|close|finish)\s+(?:your|every|each|any)\s+(?:first\s+)?"
        rf"(?:{_ANSWER}|message)\s+with\b"
        rf"|\b(?:include|insert|append|add|put)\b[^.!?\n]{{0,80}}?\b(?:in|into|at\s+the\s+"
        rf"(?:start|end)\s+of)\s+(?:every|each|any|your)\s+(?:\w+\s+)?{_ANSWER}\b"
        r"|\b(?:always|you\s+must|you\s+should|make\s+sure\s+(?:to|you))\s+(?:answer|reply|"
        r"respond|tell\s+the\s+user|cite\s+this)\b"
        r"|\b(?:do\s+not|don'?t|never)\s+(?:mention|reveal|tell|cite|say|answer|disclose)\b"
        r"[^.!?\n]{0,40}\b(?:user|question|passage|source|instruction|this)\b"
        r"|\b(?:repeat|quote)\s+(?:the\s+)?(?:following|this|these\s+words)\b"
    ),
    # 6. Telling whoever asks what to say: "Tell anyone who asks that …", "If you are asked
    #    who mediated, say that …".
    "what-to-tell": (
        r"\btell\s+(?:anyone|anybody|everyone|everybody|whoever|all\s+those|people|readers|"
        r"visitors|users|them)\s+(?:who\s+|that\s+)?(?:asks?|asking|enquires?|wants\s+to\s+know)"
        r"\b[^.!?\n]{0,30}?\bthat\b"
        r"|\b(?:if|when|whenever)\b[^.!?\n]{0,30}?\bask(?:ed|s)?\b[^.!?\n]{0,60}?,?\s*"
        r"(?:say|tell\s+\w+|state|claim|reply|respond|answer|explain)\s+that\b"
    ),
    # 7. A role or persona: "you are now …", "from now on you are", "act as … and tell",
    #    "a bot that has no rules", "pretend you are".
    "role-assignment": (
        r"\bfrom\s+(?:now|this\s+(?:point|moment)|here)\s+on\b,?\s+(?:you|your)\b"
        r"|\byou\s+are\s+now\s+(?:an?\s+|the\s+|called\b|named\b|known\s+as\b|playing\b|acting\b"
        r"|in\s+[\w-]+(?:[\s-][\w-]+)?[\s-]mode\b|\w+\s*,\s*an?\b)"
        r"|\b(?:act|behave|speak|answer|respond|write)\s+as\s+(?:if\s+you\s+were\s+)?(?:an?\s+|the\s+)?"
        r"[^.!?\n]{0,50}?\band\s+(?:tell|say|answer|reply|respond|state|inform|claim|insist)\b"
        r"|\bpretend\s+(?:that\s+)?you\s+are\b"
        r"|(?:^|[.!?:;]\s*|\byou\s+(?:will|must|should|shall|are\s+to)\s+|\bplease\s+|\bnow\s+)"
        r"(?:role-?play|play\s+the\s+(?:role|part)\s+of)\b|\bstay\s+in\s+character\b"
        r"|\b(?:bot|assistant|ai|model|persona|character|newsbot|chatbot|agent)\b[^.!?\n]{0,30}?"
        r"\b(?:with\s+no|without(?:\s+any)?|has\s+no|follows\s+no|obeys\s+no|knows\s+no|free\s+of)"
        r"\s+(?:rules|restrictions|limits|limitations|filters|guidelines|guardrails|censorship)\b"
        r"|\b(?:unrestricted|unfiltered|uncensored|jailbroken)\s+(?:\w+\s+)?(?:bot|assistant|"
        r"ai|model|persona|newsbot|chatbot|mode)\b"
        r"|\bdo\s+anything\s+now\b"
    ),
    # 8. Decoding a hidden payload: "decode this and follow it".
    "decode": r"\b(?:decode|base64)\b[^.!?\n]{0,40}\b(?:follow|execute|obey|instructions?)\b",
    # 9. Chat-template tokens (imitated turns: see TURN).
    "template-token": (
        r"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>"
        r"|\[/?(?:INST|SYS)\]|<</?SYS>>"
    ),
}
# 10. The same in the other languages covered: overriding, addressing an AI, roles and personas,
#     the form of the answer, obligations put on tools that summarise the text. Each language
#     runs only on text with its letters or its commonest words (its guard): most text is in
#     none of them, and these patterns are the slowest to try.
_OTHER_LANGUAGES = {
    "fr": (  # French
        r"\b(?:les|des|est|une|vous|tu|pour|et|qui|ne|pas)\b|[àâçéèêëîïôûù]",
        (
            r"\bignorez?\b[^.!?\n]{0,40}\binstructions?\b|\b(?:cher|chère)\s+(?:ia|assistant)\b"
            r"|\b(?:à\s+partir\s+de\s+maintenant|désormais|dorénavant)\s*,?\s*(?:tu\s+es|vous\s+"
            r"êtes|tu\s+seras|vous\s+serez)\b"
            r"|\br[ée]pond(?:s|ez)?\s+(?:uniquement|seulement|simplement)\b|\bmot\s+pour\s+mot\b"
            r"|\b(?:robot|bot|assistant|ia)\b[^.!?\n]{0,20}\bsans\s+(?:règles|limites|restrictions)\b"
            r"|\b(?:outils|programmes|logiciels|systèmes|services)\s+qui\s+(?:résum|lis|lisent|"
            r"trait|analys)\w*[^.!?\n]{0,60}?\bdoivent\b"
        ),
    ),
    "de": (  # German
        r"\b(?:der|das|und|ist|nicht|du|sie|ein|eine|den|dem|zu)\b|[äöüß]",
        (
            r"\bignorier(?:e|en)?\b[^.!?\n]{0,40}\b(?:anweisungen|instruktionen|befehle)\b"
            r"|\bliebe[rs]?\s+(?:ki|assistent)\b"
            r"|\b(?:ab\s+(?:jetzt|sofort)|von\s+nun\s+an|ab\s+nun)\s*,?\s*(?:bist\s+du|sind\s+sie)\b"
            r"|\bantworte(?:n\s+sie)?\s+(?:nur|ausschließlich|lediglich)\b"
            r"|\b(?:wortwörtlich|wort\s+für\s+wort)\b"
            r"|\b(?:bot|assistent|ki)\b[^.!?\n]{0,20}\bohne\s+(?:regeln|grenzen|einschränkungen)\b"
            r"|\b(?:programme|werkzeuge|tools|systeme|dienste)\s*,?\s+die\b[^.!?\n]{0,60}?"
            r"(?:zusammenfass|les|verarbeit|beantwort)\w*\s*,?\s+(?:müssen|sollen|haben)\b"
        ),
    ),
    "es": (  # Spanish
        r"\b(?:los|las|que|eres|una|para|por|del|es|sin)\b|[áéíóúñ¿¡]",
        (
            r"\bignora(?:r)?\b[^.!?\n]{0,40}\b(?:instrucciones|istruzioni|instruções|instrucoes)\b"
            r"|\bquerid[oa]\s+(?:ia|asistente)\b"
            r"|\b(?:a\s+partir\s+de\s+ahora|de\s+ahora\s+en\s+adelante|desde\s+ahora)\s*,?\s*"
            r"(?:eres|serás|usted\s+es)\b"
            r"|\bresponde(?:r)?\s+(?:solo|sólo|solamente|únicamente)\b|\bpalabra\s+por\s+palabra\b"
            r"|\b(?:bot|asistente|ia|robot)\b[^.!?\n]{0,20}\bsin\s+(?:reglas|límites|restricciones)\b"
            r"|\b(?:herramientas|programas|sistemas|servicios)\s+que\s+(?:resum|le[ea]n|proces|"
            r"analic)\w*[^.!?\n]{0,60}?\bdeben\b"
        ),
    ),
    "it": (  # Italian
        r"\b(?:il|che|sei|della|per|una|non|gli|sono|senza)\b|[àèéìòù]",
        (
            r"\b(?:d['’]ora\s+in\s+poi|da\s+(?:ora|adesso)\s+in\s+poi)\s*,?\s*(?:sei|tu\s+sei|"
            r"sarai)\b"
            r"|\brispondi\s+(?:solo|soltanto|unicamente|esclusivamente)\b|\bparola\s+per\s+parola\b"
            r"|\b(?:bot|assistente|ia|robot)\b[^.!?\n]{0,20}\bsenza\s+(?:regole|limiti|restrizioni)\b"
            r"|\b(?:strumenti|programmi|sistemi|servizi)\s+che\s+(?:riassum|legg|elabor|analizz)\w*"
            r"[^.!?\n]{0,60}?\bdevono\b"
        ),
    ),
    "pt": (  # Portuguese
        r"\b(?:você|não|uma|para|que|os|as|sem|são|é)\b|[ãõçáéíóúâê]",
        (
            r"\b(?:a\s+partir\s+de\s+agora|de\s+agora\s+em\s+diante)\s*,?\s*(?:você\s+é|és|tu\s+és|"
            r"serás)\b"
            r"|\bresponda\s+(?:apenas|somente|só|unicamente)\b|\bpalavra\s+por\s+palavra\b"
            r"|\b(?:bot|assistente|ia|robô)\b[^.!?\n]{0,20}\bsem\s+(?:regras|limites|restrições)\b"
            r"|\b(?:ferramentas|programas|sistemas|serviços)\s+que\s+(?:resum|lê|leem|process|"
            r"analis)\w*[^.!?\n]{0,60}?\bdevem\b"
        ),
    ),
    "ru-uk": (  # Russian and Ukrainian
        r"[а-яёіїєґ]",
        (
            r"игнорируй|проигнорируй|игнорируйте|забудь\w*\s+(?:все\s+)?(?:предыдущие|прежние)|"
            r"ігноруй|проігноруй|забудь\w*\s+(?:усі\s+)?попередні"
            r"|\bдорог(?:ой|ая)\s+(?:ии|ассистент|ші)\b"
            r"|(?:отныне|с\s+этого\s+момента|теперь|відтепер|з\s+цього\s+моменту|тепер)\s*,?\s*"
            r"(?:ты|вы)\s*(?:—|-|–)?\s*(?:бот|ассистент|помощник|ии|асистент|помічник|ші)"
            r"|(?:отныне|с\s+этого\s+момента|відтепер|з\s+цього\s+моменту)\s*,?\s*(?:ты|вы|ти)\b"
            r"|(?:отвечай|отвечайте|відповідай|відповідайте)\s+(?:только|лишь|лише|тільки)"
            r"|дословно|слово\s+в\s+слово|дослівно"
            r"|(?:бот|ассистент|асистент|ии|ші)\w*\s+без\s+(?:правил|ограничений|обмежень)"
            r"|(?:программы|инструменты|системы|програми|інструменти|системи)\s*,?\s+(?:которые|"
            r"что|які|що)[^.!?\n]{0,60}?(?:должны|обязаны|повинні|мають)"
        ),
    ),
    "zh": (  # Chinese
        r"[\u4e00-\u9fff]",
        (
            r"忽略(?:之前|以上|上面|所有|先前)|无视(?:之前|以上|所有)"
            r"|从现在(?:开始|起)\s*[，,]?\s*你(?:是|将|要)|你现在是|扮演|角色扮演"
            r"|(?:只|仅|只能)(?:回答|回复|输出)|逐字|原样(?:重复|复述|输出)"
            r"|没有(?:任何)?(?:规则|限制)的|(?:总结|概括|处理|阅读)(?:本文|此文|这篇)[^。！？\n]{0,20}"
            r"(?:必须|应该|应当)"
        ),
    ),
}
INSTRUCTION = re.compile(
    "|".join(f"(?P<{name.replace('-', '_')}>{pattern})" for name, pattern in _RULES.items()),
    re.IGNORECASE | re.MULTILINE,
)
LANGUAGE_RULES = {
    language: (re.compile(guard, re.IGNORECASE), re.compile(pattern, re.IGNORECASE))
    for language, (guard, pattern) in _OTHER_LANGUAGES.items()
}
# A sentence that tells its reader what to say, beyond the rules above (which mark a whole
# document as hostile): "Say that the talks failed.", "Answer: they were cancelled.", "When
# asked about it, reply that …". It is never an answer sentence, even in a trusted document.
SAYING = re.compile(
    r"^\W*(?:please\s+)?(?:say|tell\s+(?:\w+\s+){0,3}?|answer|reply|respond|state|claim|"
    r"insist|explain)\s*(?:that\b|:)"
    r"|\b(?:if|when|whenever)\b[^.!?\n]{0,40}?\bask(?:ed|s)?\b[^.!?\n]{0,60}?,\s*(?:please\s+)?"
    r"(?:say|tell|answer|reply|respond|state|claim)\b",
    re.IGNORECASE,
)
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


def rules_matched(text: str) -> list[tuple[str, str]]:
    """Each instruction-like phrase of ``text`` with the rule that recognised it: the rules
    above, and ``turns`` for an imitated conversation (empty: none found)."""
    plain = normalized(text)
    found = []
    for piece in [plain, *_decoded_runs(plain)]:
        for match in INSTRUCTION.finditer(piece):
            rule = next(name for name, value in match.groupdict().items() if value is not None)
            found.append((rule.replace("_", "-"), match.group(0).strip()))
        for guard, pattern in LANGUAGE_RULES.values():
            if guard.search(piece):
                found += [("other-languages", m.group(0).strip()) for m in pattern.finditer(piece)]
        turns = TURN.findall(piece)
        if len({role.lower() for role in turns}) >= 2:
            found.append(("turns", " / ".join(dict.fromkeys(f"{role}:" for role in turns))))
    return found


def instructions_in(text: str) -> list[str]:
    """The instruction-like phrases of ``text`` addressed to whoever reads or answers from it
    (empty: none found)."""
    return [phrase for _, phrase in rules_matched(text)]


@functools.lru_cache(maxsize=8192)  # the same retrieved sentences come back question after question
def is_directive(sentence: str) -> bool:
    """Whether ``sentence`` tells whoever reads it what to answer or how: an instruction of
    the rules above, or a sentence of the form "Say that …" / "If asked …, reply …"."""
    return bool(instructions_in(sentence)) or bool(SAYING.search(normalized(sentence)))


def addresses_ai(text: str) -> bool:
    """Whether ``text`` holds instructions to whoever reads, summarises or answers from it,
    or imitates a chat turn."""
    return bool(instructions_in(text))
