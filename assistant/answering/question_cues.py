"""What a question's wording says about the answer it wants.

Names (``DeBERTa``, ``GPT-4``, ``Chinchilla``) point at papers; "which papers ..." asks for
several; "how many ..." asks for a number; "What learning rate and which optimiser ..." asks
for two details, the second of them a name. Both the abstention decision and the offline
answerer read these cues, and the pipeline reads more papers for a question that asks for
several.
"""

from __future__ import annotations

import re

from ..text import STOPWORDS, content_terms

_NAME_CANDIDATE = re.compile(r"[^\W_][\w\-]*[^\W_]|[^\W_]")
_DOCUMENT_NOUNS = frozenset({"papers", "works", "studies", "articles", "publications"})
_ALSO_VERBS = frozenset({"works", "studies", "models", "approaches"})
"""After another word these are read as verbs ("which combination works best")."""
_LIST_QUESTION = re.compile(
    r"\b(?:which|what)\s+(?P<between>(?:[\w-]+\s+){0,4}?)"
    r"(?P<noun>papers|works|studies|articles|publications|methods|models|approaches|systems|"
    r"techniques)\b",
    re.IGNORECASE,
)
_PAPERS_THAT = re.compile(
    r"\b(?:papers|works|studies) (?:that|which)\b|\b(?:list|name) (?:the |all )?papers\b"
    # the collection's papers, as such: "how do the papers …", "what do papers here say",
    # "papers about …", "does any paper …" (but not "scientific papers", a topic)
    r"|\b(?:the|any|some|other) (?:papers|works|studies)\b"
    r"|\b(?:papers|works|studies) (?:here|about|on|in the collection)\b"
    r"|\bany (?:paper|work|study|research)\b"
    # work as a mass noun, and a search for papers: "is there work that …", "I'm looking
    # for papers where …", "does anything here …" (but "is there a paper …" wants one)
    r"|\b(?:is|are) there (?:any |some |other )?(?:work|research|papers|studies)\b"
    r"|\blooking for (?:any |some |other )?(?:papers|work|research|studies)\b"
    r"|\banything (?:here|in the collection)\b",
    re.IGNORECASE,
)
_QUANTITY_QUESTION = re.compile(
    r"\bhow (?:many|much|large|big|fast|long|often|well)\b|\bby how\b|\bwhat (?:is the |was the )?"
    r"(?P<noun>accuracy|score|size|percentage|number|speed-?up|improvement|gain|batch size|"
    r"learning rate|cost|price|budget)\b",
    re.IGNORECASE,
)
# A question may ask for several things: "What learning rate and batch size ...", "Which
# corpora ..., and what embedding dimension ...". Each asked part opens with a question word
# (after a preposition, perhaps: "Under which licence ..."), and the words between it and the
# first verb name what the answer must give. A part cut short by the next one ("What initial
# learning rate and how many warm-up steps ...") names it with all its words.
_PREPOSITION = (
    r"(?:of|in|on|from|with|under|at|for|by|to|between|among|across|into|over|against|"
    r"through|during|within|after|before)"
)
_ASKED_PART = re.compile(
    r"(?:^|,\s*(?:(?:and|or)\s+)?|\s(?:and|or)\s+)"
    rf"(?=(?:{_PREPOSITION}\s+)?(?:what|which|how many|how much)\b)",
    re.IGNORECASE,
)
_ASKED_HEAD = (
    rf"^(?:{_PREPOSITION}\s+)?(?P<asking>what|which|how many|how much)\s+"
    r"(?P<focus>(?:[\w-]+\s+){0,4}?[\w-]+)"
)
# An auxiliary or a verb in the past ("Which social network *supplied* the images", "Which
# LLM *wrote* the captions") ends what is asked for; a following determiner tells the verb
# from an adjective ("pretrained"), and one after it a noun ("what practical *use* does").
_ASKED_BEFORE_VERB = re.compile(
    _ASKED_HEAD + r"\s+(?:(?:did|does|do|was|were|is|are|has|have|had|can|could|will|would|"
    r"reach|get|save|use(?!\s+(?:does|did|do|is|was))|used)\b|"
    r"(?:[a-z]+ed|wrote|gave|made|took|ran|drew|chose|brought|built|found|won|beat|led|held|"
    r"sent|saw)\s+(?:the|a|an|its|their|his|her|on|in|by|with)\b"
    # a verb in the present after a singular head, before its object ("which encoder
    # *embeds* them", "which LLM *writes* the captions"); a plural head does not take it,
    # and a plural noun before a preposition is no verb ("which papers align audio
    # *representations* with")
    r"|(?<![sS]\s)[a-z]+[^s\W]s\s+(?:the|a|an|its|their|his|her|them|it|all|each|every)\b)",
    re.IGNORECASE,
)
_ASKED_ALONE = re.compile(_ASKED_HEAD + "$", re.IGNORECASE)
# "What is the name of the benchmark ...", "what are the scoring methods called", "which
# languages, by name, ...": whatever the kind, the answer is a name.
_NAME_OF = re.compile(
    r"^what (?:is|are|was|were) (?:the |its |their )?names? (?:of|for) "
    r"(?:the |a |an |its |their )?",
    re.IGNORECASE,
)
_CALLED = re.compile(
    r"^what (?:is|are|was|were) (?:the |its |their )?(?P<focus>(?:[\w-]+\s+){0,4}?[\w-]+)\s+"
    r"called\b",
    re.IGNORECASE,
)
# After "the name of", a relative pronoun ends what is asked for as well ("the name of the
# benchmark *that* NDCR was evaluated on"); elsewhere it too often follows a description.
_NAMED_BEFORE = re.compile(
    r"^(?P<focus>(?:[\w-]+\s+){0,4}?[\w-]+)\s+(?:that|which|whose|where)\b", re.IGNORECASE
)
_BY_NAME = re.compile(r",?\s+by name\b,?", re.IGNORECASE)
_BY_NAME_ASKED = "name"
"""The question word of a part that asks for a name in so many words."""
_COORDINATION = re.compile(r"\s+(?:and|or)\s+")
# Heads that name no detail: "which method does ..." asks for a paper, not a fact inside one,
# and "what problem does X solve" asks for something an abstract describes without naming it
# ("problem", "limitation", "idea"); "how much *faster*", "which *five* datasets" and "what
# *exactly*" compare, count or hedge. Only the other words of a head must appear in a paper
# that gives the detail.
_GENERIC_FOCUS = frozenset(
    """paper papers work works study studies method methods approach approaches model models
    system systems way ways technique techniques
    problem problems issue issues challenge challenges limitation limitations gap gaps
    shortcoming shortcomings weakness weaknesses drawback drawbacks bottleneck bottlenecks
    idea ideas insight insights contribution contributions novelty goal goals aim aims
    purpose objective objectives motivation motivations advantage advantages benefit benefits
    strength strengths finding findings result results conclusion conclusions outcome
    outcomes difference differences role intuition principle mechanism strategy trick
    component components ingredient ingredients factor factors element elements
    baseline baselines competitor competitors alternative alternatives else quantity quantities
    much many more less fewer better worse higher lower faster slower larger smaller bigger
    cheaper one two three four five six seven eight nine ten eleven twelve
    might may must should shall
    exactly actually really precisely specifically roughly approximately typically usually
    main key central core primary major biggest overall specific particular exact new novel
    kind kinds type types sort part parts aspect aspects thing things""".split()  # noqa: SIM905 - a word list
)


# What "which X" asks for is a name when X is one of these: the answer to "which benchmarks"
# or "under which licence" is "SQuAD and TriviaQA" or "MIT", not a description.
_NAMED_KINDS = frozenset(
    """dataset datasets benchmark benchmarks corpus corpora language languages licence licences
    license licenses gpu gpus hardware toolkit toolkits library libraries framework frameworks
    platform platforms network networks website websites company companies organisation
    organisations organization organizations institution institutions university universities
    country countries journal journals conference conferences venue venues backbone backbones
    encoder encoders decoder decoders llm llms tokenizer tokenizers optimizer optimizers
    optimiser optimisers simulator simulators engine engines""".split()  # noqa: SIM905 - a word list
)


def question_names(question: str) -> list[str]:
    """Words of the question that look like names: mixed case (``DeBERTa``), letters with
    digits (``GPT-4``), or capitalised where a sentence does not begin (``Chinchilla``)."""
    names = []
    for match in _NAME_CANDIDATE.finditer(question):
        word = match.group().strip("-")
        if len(word) < 2 or word.casefold() in STOPWORDS:
            continue
        inner_capital = any(ch.isupper() for ch in word[1:])
        has_digit = any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word)
        starts_sentence = match.start() == 0 or question[: match.start()].rstrip()[-1:] in ".?!:"
        if inner_capital or has_digit or (word[0].isupper() and not starts_sentence):
            names.append(word)
    return list(dict.fromkeys(names))


def name_forms(name: str) -> tuple[str, ...]:
    """The ways a paper may write a name of the question: as asked, and for a plural of a
    capitalised name ("GANs", "LLMs", "CNNs") also its singular, which is how a paper
    introduces its one model ("we train a GAN")."""
    if len(name) > 2 and name.endswith("s") and (name[-2].isupper() or name[-2].isdigit()):
        return (name, name[:-1])
    return (name,)


def asks_for_several_papers(question: str) -> bool:
    """ "Which papers ...", "which video representation papers ...", "what approaches ...":
    the question wants a list of papers.

    Up to four describing words may stand between "which" and the noun, but no function
    word ("what is the number of models" asks for a number). "Which models does ERNIE 2.0
    outperform?" asks about one named paper, so models, methods or systems make a list
    question only when the question names nothing; papers, works or studies always do.
    """
    if _PAPERS_THAT.search(question):
        return True
    for match in _LIST_QUESTION.finditer(question):
        between = match.group("between").split()
        noun = match.group("noun").casefold()
        if any(word.casefold() in STOPWORDS for word in between) or (
            between and noun in _ALSO_VERBS
        ):
            continue
        if noun in _DOCUMENT_NOUNS or not question_names(question):
            return True
    return False


_JOINING = re.compile(r"\b(?:and|or|both|between|versus|vs)\b|/", re.IGNORECASE)


def joins_several_things(question: str) -> bool:
    """ "How do X and Y differ …", "X or Y", "between X and Y", "X vs. Y": the question
    joins two subjects, so its answer may draw on more than one paper. Broad on purpose
    ("… parameters and memory" joins two as well): it only stops narrowing an answer to
    one paper. "How does X compare against …" asks about X alone."""
    return _JOINING.search(question) is not None


def papers_to_read(question: str, k: int, several_papers_k: int) -> int:
    """How many papers to retrieve for ``question`` when the caller did not say: ``k``, or
    ``several_papers_k`` (if more) when the question asks for several papers."""
    return max(k, several_papers_k) if asks_for_several_papers(question) else k


def asks_for_number(question: str) -> bool:
    """Whether the question asks for a quantity ("how many", "by how much", "what accuracy")."""
    return _QUANTITY_QUESTION.search(question) is not None


def asked_quantity(question: str) -> list[str] | None:
    """The content words naming the quantity a question asks for ("how many GPU hours" ->
    ``["gpu", "hour"]``), or ``None`` when it asks for no number."""
    match = _QUANTITY_QUESTION.search(question)
    if match is None:
        return None
    named = content_terms(match.group("noun") or "")
    return named or content_terms(question[match.end() :])[:2]


def asked_details(question: str) -> list[str]:
    """What each part of a question asks for, as written ("What learning rate and batch size
    were used ..." -> ``["learning rate", "batch size"]``); a part that asks only for a paper,
    a method or something an abstract describes without naming it ("what problem ...") names
    no detail."""
    return list(dict.fromkeys(detail for _, detail in _asked_parts(question)))


def asked_names(question: str) -> list[str]:
    """The asked details that a name answers: "Which *Open-QA benchmarks* ...", "Under which
    *licence* ...", "What is the name of the *benchmark* ..." (but not "how many benchmarks",
    which a number answers)."""
    names = [
        detail
        for asking, detail in _asked_parts(question)
        if asking == _BY_NAME_ASKED
        or (asking in ("what", "which") and _kind(detail) in _NAMED_KINDS)
    ]
    return list(dict.fromkeys(names))


def _kind(detail: str) -> str:
    """What kind of thing a detail is: its last word, or the one before a generic last word
    ("which *GPU* model", "which large *language* model")."""
    words = detail.casefold().split()
    if len(words) > 1 and words[-1] in _GENERIC_FOCUS:
        return words[-2]
    return words[-1]


def _asked_parts(question: str) -> list[tuple[str, str]]:
    """``(question word, detail)`` for each detail each part of ``question`` asks for; the
    question word is ``_BY_NAME_ASKED`` for a part that asks for a name in so many words."""
    question = question.strip()
    bounds = list(_ASKED_PART.finditer(question))
    ends = [bound.start() for bound in bounds[1:]] + [len(question)] if bounds else []
    parts: list[tuple[str, str]] = []
    for bound, end in zip(bounds, ends, strict=True):
        last = end == len(question)
        part = question[bound.end() : end].strip().rstrip(",")
        asking, focus = _asked_focus(_BY_NAME.sub("", part).rstrip("?!. "), last=last)
        if _BY_NAME.search(part) and asking:
            asking = _BY_NAME_ASKED
        for phrase in _COORDINATION.split(focus):
            phrase = _without_leading_function_words(phrase)
            if focus_terms(phrase) and not any(w.casefold() in STOPWORDS for w in phrase.split()):
                parts.append((asking, phrase))
    return parts


def _asked_focus(part: str, *, last: bool) -> tuple[str, str]:
    """``(question word, the words naming what is asked)`` of one part of a question, or
    empty strings when it names nothing. The question's ``last`` part needs a verb after
    what it asks for: "Which strategy generalised better?" has its verb inside."""
    called = _CALLED.search(part)
    if called:
        return _BY_NAME_ASKED, called.group("focus")
    name_of = _NAME_OF.search(part)
    if name_of:
        named = part[name_of.end() :]
        relative = _NAMED_BEFORE.search(named)
        if relative:
            return _BY_NAME_ASKED, relative.group("focus")
        asking, focus = _asked_focus("which " + named, last=last)
        return (_BY_NAME_ASKED if asking else ""), focus
    match = _ASKED_BEFORE_VERB.search(part) or (None if last else _ASKED_ALONE.search(part))
    if match is None:
        return "", ""
    return " ".join(match.group("asking").casefold().split()), match.group("focus")


def _without_leading_function_words(phrase: str) -> str:
    """ "other deepfake datasets" -> "deepfake datasets": "which other X" asks for an X."""
    words = phrase.split()
    while len(words) > 1 and words[0].casefold() in STOPWORDS:
        words = words[1:]
    return " ".join(words)


def topic_terms(question: str) -> list[str]:
    """The content words of ``question`` that say what it is about: without the words that
    only frame what is asked ("the *key idea* behind X", "the *main limitation* of Y"),
    which an abstract that answers it need not write."""
    return [t for t in content_terms(question) if t not in _GENERIC_FOCUS]


def focus_terms(focus: str) -> list[str]:
    """The content words of an asked-for phrase that name a detail ("main limitation" names
    none; "learning rate" names two)."""
    return [t for t in content_terms(focus) if t not in _GENERIC_FOCUS]
