"""From a question to a grounded ``Answer``: condense, retrieve, decide, generate, check.

``stream_answer`` is a generator: it yields text as it becomes showable and ends with the
final ``Answer``. What it yields has already been through the citation check, so a marker
that points at no source never reaches a screen. Closing the generator (the TUI does so
when the user presses Esc) closes the HTTP stream.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .budget import SourceText, fit_sources, room_for_sources
from .citations import CitationFilter, check_citations
from .errors import AssistantError
from .extractive import MIN_SIMILARITY as EXTRACTIVE_MIN_SIMILARITY
from .extractive import Quote, compose_answer, select_quotes
from .followups import condense_by_rule, history_transcript
from .prompt_templates import CANNOT_ANSWER, Prompts, fence_source_text, load_prompts
from .relevance import judge_relevance, term_statistics
from .results import Answer, Hit, Source, Turn
from .text import count_tokens

if TYPE_CHECKING:
    from .collection import Paper
    from .llm import ChatClient
    from .service import Assistant
    from .settings import Settings

NOT_COVERED = (
    "The collection does not answer this: none of its papers is close enough to the question."
)
MODEL_DECLINED = "The collection does not answer this: the papers found do not contain the answer."
FULL_ABSTRACT_MAX_TOKENS = 600
"""Longer texts (full papers rather than abstracts) are represented by their best passages."""
CONDENSE_MAX_TOKENS = 96


def stream_answer(
    assistant: Assistant,
    question: str,
    *,
    k: int | None = None,
    model: str | None = None,
    history: Sequence[Turn] = (),
    where: Mapping[str, Any] | None = None,
) -> Iterator[str | Answer]:
    """Yield text deltas as they can be shown, then the final ``Answer``.

    ``Answer.text`` is authoritative; it equals the joined deltas (stripped) except when the
    model declines after having written something, where the decline sentence follows.
    """
    started = time.perf_counter()
    question = " ".join(question.split())
    if not question:
        raise AssistantError("the question is empty; type what you want to know")
    settings = assistant.settings
    k = k or settings.k
    client = _client(assistant) if settings.mode == "llm" else None
    timings: dict[str, float] = {}

    standalone: str | None = None
    if history:
        standalone = _condense(client, question, history, model)
        timings["condense_ms"] = _ms_since(started)
    query = standalone or question

    mark = time.perf_counter()
    hits = assistant.search(query, k, where=where)
    papers = [assistant.paper(hit.paper_id) for hit in hits]
    timings["retrieve_ms"] = _ms_since(mark)

    def answer(text: str, answered: bool, **fields: Any) -> Answer:
        timings["total_ms"] = _ms_since(started)
        return Answer(
            question=question,
            text=text,
            answered=answered,
            mode=settings.mode,
            standalone_question=standalone,
            timings=dict(timings),
            **fields,
        )

    frequencies = term_statistics(assistant, query)
    best_similarity = max((hit.similarity for hit in hits), default=0.0)
    relevance = judge_relevance(query, best_similarity, papers, frequencies)
    # A model reads the sources and can still decline; offline nothing does, so ask more.
    floor = settings.min_relevance
    if client is None:
        floor = max(floor, EXTRACTIVE_MIN_SIMILARITY)
    if not hits or not relevance.enough(floor):
        yield NOT_COVERED
        yield answer(NOT_COVERED, False, sources=[], citations=[])
        return

    texts = [_source_text(hit, paper) for hit, paper in zip(hits, papers, strict=True)]
    if client is None:
        numbered = [
            (n, t.text, hit.similarity)
            for n, (t, hit) in enumerate(zip(texts, hits, strict=True), 1)
        ]
        quotes = select_quotes(query, numbered, assistant.embedder, frequencies)
        if not quotes:
            yield NOT_COVERED
            yield answer(NOT_COVERED, False, sources=[], citations=[])
            return
        check = check_citations(
            compose_answer(quotes, {n: t.title for n, t in enumerate(texts, 1)}), len(texts)
        )
        yield check.text
        sources = _quoted_passages(_sources(texts, check.cited), quotes)
        yield answer(check.text, True, sources=sources, citations=check.cited)
        return

    yield from _generate(client, assistant, query, texts, model, started, timings, answer)


# -- LLM mode ------------------------------------------------------------------------------


@dataclass
class _Prompt:
    messages: list[dict[str, str]]
    sources: list[SourceText]
    prompt_tokens: int


def build_prompt(
    prompts: Prompts, query: str, texts: Sequence[SourceText], settings: Settings
) -> _Prompt:
    """System and user messages with the sources that fit, numbered ``[1]..[n]`` and fenced."""
    system = prompts.render_system()
    frame = prompts.render_answer(sources="", question=query)
    room = room_for_sources(settings, system + "\n" + frame)
    fitted = fit_sources(texts, room, render_source)
    blocks = "\n\n".join(render_source(n, s) for n, s in enumerate(fitted.kept, 1))
    user = prompts.render_answer(sources=blocks, question=query)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return _Prompt(messages, fitted.kept, count_tokens(system) + count_tokens(user))


def render_source(n: int, source: SourceText) -> str:
    """One source as the model reads it."""
    return f"[{n}] {fence_source_text(source.title)}\n{fence_source_text(source.text)}"


def _generate(
    client: ChatClient,
    assistant: Assistant,
    query: str,
    texts: Sequence[SourceText],
    model: str | None,
    started: float,
    timings: dict[str, float],
    answer: Callable[..., Answer],
) -> Iterator[str | Answer]:
    mark = time.perf_counter()
    prompt = build_prompt(load_prompts(), query, texts, assistant.settings)
    model_name = client.resolve_model(model)
    timings["prompt_ms"] = _ms_since(mark)
    timings["prepare_ms"] = _ms_since(started)

    chat = client.stream_chat(prompt.messages, model=model_name)
    guard = SentinelGuard()
    citations = CitationFilter(len(prompt.sources))
    shown: list[str] = []
    raw: list[str] = []
    try:
        for delta in chat:
            if "first_token_ms" not in timings:
                timings["first_token_ms"] = _ms_since(started)
            raw.append(delta)
            visible = citations.feed(guard.feed(delta))
            if guard.declined:
                break
            if visible:
                shown.append(visible)
                yield visible
    finally:
        chat.close()
    tail = "" if guard.declined else citations.feed(guard.finish()) + citations.finish()
    if tail:
        shown.append(tail)
        yield tail

    usage = chat.usage or _estimated_usage(prompt.prompt_tokens, "".join(raw))
    text = "".join(shown).strip()
    if guard.declined or not text:
        yield ("\n\n" if text else "") + MODEL_DECLINED
        yield answer(
            MODEL_DECLINED,
            False,
            sources=_sources(prompt.sources, []),
            citations=[],
            model=model_name,
            usage=usage,
        )
        return
    yield answer(
        text,
        True,
        sources=_sources(prompt.sources, citations.cited),
        citations=list(citations.cited),
        model=model_name,
        usage=usage,
        invalid_citations=list(citations.invalid),
    )


class SentinelGuard:
    """Holds back text that could be the start of the "cannot answer" sentinel."""

    def __init__(self, sentinel: str = CANNOT_ANSWER) -> None:
        self.sentinel = sentinel
        self.declined = False
        self._held = ""

    def feed(self, delta: str) -> str:
        if self.declined:
            return ""
        text = self._held + delta
        if self.sentinel in text:
            self.declined = True
            self._held = ""
            return ""
        for size in range(min(len(self.sentinel) - 1, len(text)), 0, -1):
            if self.sentinel.startswith(text[-size:]):
                self._held = text[-size:]
                return text[:-size]
        self._held = ""
        return text

    def finish(self) -> str:
        held, self._held = self._held, ""
        return "" if self.declined else held


# -- helpers -------------------------------------------------------------------------------


def _client(assistant: Assistant) -> ChatClient:
    from .llm import client_for

    return client_for(assistant.settings)


def _condense(
    client: ChatClient | None, question: str, history: Sequence[Turn], model: str | None
) -> str:
    if client is None:
        return condense_by_rule(question, history)
    prompt = load_prompts().render_condense(history=history_transcript(history), question=question)
    reply = client.complete(
        [{"role": "user", "content": prompt}],
        model=client.resolve_model(model),
        max_tokens=CONDENSE_MAX_TOKENS,
        temperature=0.0,
    )
    lines = [line.strip().strip('"') for line in reply.text.strip().splitlines() if line.strip()]
    return lines[0] if lines and CANNOT_ANSWER not in lines[0] else question


def _source_text(hit: Hit, paper: Paper) -> SourceText:
    text = paper.abstract
    if count_tokens(text) > FULL_ABSTRACT_MAX_TOKENS:
        text = " … ".join(hit.passages) or hit.passage
    return SourceText(hit.paper_id, hit.title, text)


def _sources(texts: Sequence[SourceText], cited: Sequence[int]) -> list[Source]:
    return [Source(n, t.paper_id, t.title, t.text, n in cited) for n, t in enumerate(texts, 1)]


def _quoted_passages(sources: list[Source], quotes: Sequence[Quote]) -> list[Source]:
    """Offline, a cited source's passage is what was quoted from it, in reading order
    (pieces joined by " … "), so a reader sees exactly what the answer rests on."""
    by_source: dict[int, list[Quote]] = {}
    for quote in quotes:
        by_source.setdefault(quote.n, []).append(quote)
    return [
        replace(
            s,
            passage=" … ".join(
                q.sentence for q in sorted(by_source[s.n], key=lambda q: q.position)
            ),
        )
        if s.n in by_source
        else s
        for s in sources
    ]


def _estimated_usage(prompt_tokens: int, completion: str) -> dict[str, int]:
    """The server sent no usage: count with the budget's tokenizer, and say so."""
    completion_tokens = count_tokens(completion)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "estimated": 1,
    }


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
