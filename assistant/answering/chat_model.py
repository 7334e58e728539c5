"""The online answerer: a chat model writes the answer from the fenced, numbered sources.

Everything the model streams passes two filters before anyone sees it: the sentinel guard
(a reply that turns out to be "cannot answer" is never half-shown) and the citation filter
(a marker that points at no source never reaches a screen). What was shown is therefore
exactly ``Answer.text``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..citations import CitationFilter
from ..results import Turn
from ..text import count_tokens
from .answerer import Answering, Evidence, Reply, SourcesReady, Timings, numbered_sources
from .budget import SourceText, fit_sources, room_for_sources
from .followups import history_transcript
from .prompts import CANNOT_ANSWER, Prompts, fence_source_text

if TYPE_CHECKING:
    from ..llm import ChatClient, ChatStream
    from ..settings import Settings

MODEL_DECLINED = "The collection does not answer this: the papers found do not contain the answer."


@dataclass
class ChatPrompt:
    """The messages of one answer request and the sources they number ``[1]..[n]``."""

    messages: list[dict[str, str]]
    sources: list[SourceText]
    prompt_tokens: int


def build_prompt(
    prompts: Prompts, query: str, texts: Sequence[SourceText], settings: Settings
) -> ChatPrompt:
    """System and user messages with the sources that fit, numbered ``[1]..[n]`` and fenced."""
    system = prompts.render_system()
    frame = prompts.render_answer(sources="", question=query)
    room = room_for_sources(settings, system + "\n" + frame)
    fitted = fit_sources(texts, room, render_source)
    blocks = "\n\n".join(render_source(n, s) for n, s in enumerate(fitted.kept, 1))
    user = prompts.render_answer(sources=blocks, question=query)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return ChatPrompt(messages, fitted.kept, count_tokens(system) + count_tokens(user))


def render_source(n: int, source: SourceText) -> str:
    """One source as the model reads it."""
    return f"[{n}] {fence_source_text(source.title)}\n{fence_source_text(source.text)}"


class ChatModelAnswerer:
    """Answers with a chat model behind an OpenAI-compatible endpoint."""

    mode = "llm"

    def __init__(self, client: ChatClient, prompts: Prompts, settings: Settings) -> None:
        self.client = client
        self.prompts = prompts
        self.settings = settings

    def condense(self, question: str, history: Sequence[Turn], model: str | None) -> str:
        """The model rewrites the follow-up; a reply it cannot use keeps the question as is."""
        prompt = self.prompts.render_condense(
            history=history_transcript(history), question=question
        )
        reply = self.client.complete(
            [{"role": "user", "content": prompt}],
            model=self.client.resolve_model(model),
            max_tokens=self.settings.condense_max_tokens,
            temperature=0.0,
        )
        lines = [line.strip().strip('"') for line in reply.text.strip().splitlines()]
        lines = [line for line in lines if line]
        return lines[0] if lines and CANNOT_ANSWER not in lines[0] else question

    def answer(self, evidence: Evidence, timings: Timings) -> Answering:
        mark = time.perf_counter()
        prompt = build_prompt(self.prompts, evidence.query, evidence.texts, self.settings)
        model = self.client.resolve_model(evidence.model)
        timings.since("prompt_ms", mark)
        timings.since_start("prepare_ms")
        yield SourcesReady(numbered_sources(prompt.sources))
        chat = self.client.stream_chat(prompt.messages, model=model)
        written = _WrittenAnswer(len(prompt.sources))
        try:
            for delta in chat:
                timings.first("first_token_ms")
                visible = written.feed(delta)
                if written.declined:
                    break
                if visible:
                    yield visible
        finally:
            chat.close()
        tail = written.finish()
        if tail:
            yield tail
        reply = written.reply(prompt, model, _usage(chat, prompt, written))
        if not reply.answered:
            yield ("\n\n" if written.text else "") + MODEL_DECLINED
        return reply


def _usage(chat: ChatStream, prompt: ChatPrompt, written: _WrittenAnswer) -> dict[str, int]:
    """The server's token counts; when it sent none, counted with the budget's tokenizer,
    and marked as estimated."""
    if chat.usage:
        return chat.usage
    completion_tokens = count_tokens(written.raw)
    return {
        "prompt_tokens": prompt.prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt.prompt_tokens + completion_tokens,
        "estimated": 1,
    }


class _WrittenAnswer:
    """The model's deltas through the sentinel guard and the citation filter."""

    def __init__(self, source_count: int) -> None:
        self.guard = SentinelGuard()
        self.citations = CitationFilter(source_count)
        self._raw: list[str] = []
        self._shown: list[str] = []

    @property
    def declined(self) -> bool:
        return self.guard.declined

    @property
    def raw(self) -> str:
        return "".join(self._raw)

    @property
    def text(self) -> str:
        return "".join(self._shown).strip()

    def feed(self, delta: str) -> str:
        self._raw.append(delta)
        visible = self.citations.feed(self.guard.feed(delta))
        if not self.guard.declined:
            self._shown.append(visible)
        return visible

    def finish(self) -> str:
        if self.guard.declined:
            return ""
        tail = self.citations.feed(self.guard.finish()) + self.citations.finish()
        self._shown.append(tail)
        return tail

    def reply(self, prompt: ChatPrompt, model: str, usage: dict[str, int]) -> Reply:
        if self.declined or not self.text:
            sources = numbered_sources(prompt.sources)
            return Reply(MODEL_DECLINED, False, sources, [], model=model, usage=usage)
        return Reply(
            self.text,
            True,
            numbered_sources(prompt.sources, self.citations.cited),
            list(self.citations.cited),
            model=model,
            usage=usage,
            invalid_citations=list(self.citations.invalid),
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
