"""The online answerer: a chat model writes the answer from the fenced, numbered sources.

Everything the model streams passes three filters before anyone sees it: the reasoning
splitter (``<think>`` blocks and reasoning deltas become ``Answer.reasoning``, never answer
text), the sentinel guard (a reply that turns out to be "cannot answer" is never half-shown)
and the citation filter (a marker that points at no source never reaches a screen). What was
shown as the answer is ``Answer.text``; when the reply is no answer (a refusal, or prose citing
no source) the reason is shown after it and is what ``Answer.text`` says.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..citations import CitationFilter, marker_spans, neutralise_markers, reference_list_start
from ..results import Turn
from ..text import count_tokens
from .answerer import (
    Answering,
    AnswerRestarted,
    Evidence,
    ReasoningDelta,
    Reply,
    SourcesReady,
    Timings,
    numbered_sources,
)
from .budget import SourceText, fit_sources, room_for_sources
from .claim_split import only_citations
from .followups import history_transcript, rewrite_from_reply
from .prompts import CANNOT_ANSWER, Prompts, fence_source_text
from .reasoning import BLOCK_BREAK, ReasoningSplitter, split_reasoning
from .refusals import answers_in_part, is_refusal

if TYPE_CHECKING:
    from ..chat_stream import ChatStream
    from ..llm import ChatClient
    from ..server_replies import StreamDelta
    from ..settings import Settings

MODEL_DECLINED = "The collection does not answer this: the papers found do not contain the answer."
"""The answer when the model declines (the sentinel, or a refusal in prose citing nothing)."""
MODEL_UNCITED = (
    "(Not a grounded answer: none of its sentences cites a source, so nothing above is backed "
    "by the papers.)"
)
"""Appended to a reply whose sentences cite no source (a list of sources after it is no
citation); such a reply is never ``answered``."""
MODEL_CUT_OFF = (
    "The model reached its token limit before writing an answer; raise max_tokens "
    "(ASSISTANT_MAX_TOKENS)."
)
"""The answer when the reply was cut at ``max_tokens`` before any answer text (a reasoning
model can spend them all thinking)."""
MODEL_REFUSED = "The model refused to answer: {refusal}"
"""The answer when the model refused apart from the content (OpenAI's ``refusal`` field): its
reason, not a claim about the papers."""
MODEL_FILTERED = (
    "The endpoint's content filter stopped the answer; rephrase the question or use another model."
)
"""Said after what was written (or instead of it) when the server's filter cut the reply; such a
reply is never ``answered``."""
MODEL_TOOL_CALL = (
    "The model replied with a tool call instead of an answer; use a model or server "
    "setting that answers in text."
)
MODEL_ONLY_REASONING = (
    "The model wrote only its reasoning and no answer; ask again, or use another model."
)
"""The answer when the model finished after thinking (a ``<think>`` block never closed, or
reasoning sent apart) without writing any answer text."""
MODEL_EMPTY = "The model sent an empty reply; ask again, or use another model."
"""The answer when the model finished without writing anything: an empty reply says nothing
about the papers, so it is not told as a decline."""
_CUT_SHORT = ("length", "content_filter")
"""Finish reasons of a reply that stopped before the model was done (token limit, filter)."""
_REFUSAL_SHOWN = 300
"""At most this much of a model's refusal is quoted."""


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
    """One source as the model reads it. Reference markers of the paper's own ("as shown in
    [2]") are rewritten, so a model copying them does not cite our source 2 by accident."""
    title, text = neutralise_markers(source.title), neutralise_markers(source.text)
    return f"[{n}] {fence_source_text(title)}\n{fence_source_text(text)}"


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
            # Never more than the model's window leaves beside the prompt.
            max_tokens=max(
                16,
                min(
                    self.settings.condense_max_tokens,
                    self.settings.context_window - count_tokens(prompt),
                ),
            ),
            temperature=0.0,
        )
        if reply.finish_reason in _CUT_SHORT:
            # Half a question, or a reasoning model's first thoughts.
            return question
        rewrite, _ = split_reasoning(reply.text)  # a reasoning model may think aloud here too
        standalone = rewrite_from_reply(rewrite)
        return standalone if standalone and CANNOT_ANSWER not in standalone else question

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
            # Read to the end even once the sentinel was seen: a closing </think> may yet say
            # that everything so far was thinking (see ``ReasoningSplitter.restarted``).
            for delta in chat.deltas():
                timings.first("first_token_ms")
                shown_before = written.text
                visible, reasoning = written.feed(delta)
                if reasoning:
                    yield ReasoningDelta(reasoning)
                if written.restarted and shown_before:
                    yield AnswerRestarted()  # what was shown was thinking; the answer follows
                if visible:
                    yield visible
        finally:
            chat.close()
        tail, reasoning = written.finish()
        if reasoning:
            yield ReasoningDelta(reasoning)
        if tail:
            yield tail
        reply = written.reply(prompt, model, _usage(chat, prompt, written), _Ending.of(chat))
        if not reply.text.startswith(written.text) or not written.text:
            yield ("\n\n" if written.text else "") + reply.text  # the reason it is no answer
        elif reply.text != written.text:
            yield reply.text[len(written.text) :]
        return reply


@dataclass(frozen=True)
class _Ending:
    """How the model's reply ended: the server's ``finish_reason`` and any refusal."""

    finish_reason: str | None
    refusal: str = ""

    @classmethod
    def of(cls, chat: ChatStream) -> _Ending:
        return cls(chat.finish_reason, " ".join(chat.refusal.split())[:_REFUSAL_SHOWN])

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"

    def no_answer(self, *, thought: bool) -> str:
        """The answer when the model wrote no answer text (``thought``: only reasoning),
        saying why."""
        if self.refusal:
            return MODEL_REFUSED.format(refusal=self.refusal)
        if self.finish_reason == "content_filter":
            return MODEL_FILTERED
        if self.finish_reason in ("tool_calls", "function_call"):
            return MODEL_TOOL_CALL
        if self.truncated:
            return MODEL_CUT_OFF
        return MODEL_ONLY_REASONING if thought else MODEL_EMPTY


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
    """The model's deltas: reasoning split off first, then the answer text through the sentinel
    guard and the citation filter (so thinking is never shown, parsed or checked)."""

    def __init__(self, source_count: int) -> None:
        self.splitter = ReasoningSplitter()
        self.guard = SentinelGuard()
        self.citations = CitationFilter(source_count)
        self._raw: list[str] = []
        self._shown: list[str] = []
        self._reasoning: list[str] = []
        self._channel = ""

    @property
    def declined(self) -> bool:
        return self.guard.declined

    @property
    def raw(self) -> str:
        return "".join(self._raw)

    @property
    def text(self) -> str:
        return "".join(self._shown).strip()

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning).strip()

    @property
    def restarted(self) -> bool:
        """The last delta closed a thinking block the chat template had opened: the text
        shown before it was reasoning, and the answer starts again."""
        return self.splitter.restarted

    def feed(self, delta: StreamDelta) -> tuple[str, str]:
        """One delta in; the answer text that can be shown now and the new reasoning out."""
        self._raw.append(delta.content + delta.reasoning)
        answer, thought = self.splitter.feed(delta.content)
        if self.splitter.restarted:
            self.guard = SentinelGuard()
            self.citations = CitationFilter(self.citations.source_count)
            self._shown.clear()
        return self._show(answer), self._think(delta.reasoning, "sent") + self._think(
            thought, "written"
        )

    def finish(self) -> tuple[str, str]:
        """Flush what the splitter, the guard and the filter held back."""
        answer, thought = self.splitter.finish()
        visible = self._show(answer)
        if self.guard.declined:
            return "", self._think(thought, "written")
        tail = self.citations.feed(self.guard.finish()) + self.citations.finish()
        self._shown.append(tail)
        return visible + tail, self._think(thought, "written")

    def reply(
        self, prompt: ChatPrompt, model: str, usage: dict[str, int], ending: _Ending
    ) -> Reply:
        """The reply as answered, declined, or written without any valid citation: only a
        reply that cites a source is ``answered``."""
        text, cited = self.text, self._cited_in_body()
        if self.declined or (text and is_refusal(text, cited)):
            text, cited = MODEL_DECLINED, []
        elif not text:
            text = ending.no_answer(thought=bool(self.reasoning))
        elif not cited:
            # Prose that points at no source is not a grounded answer, however plausible.
            text = f"{text}\n\n{MODEL_UNCITED}"
        filtered = ending.finish_reason == "content_filter"
        if filtered and text != MODEL_FILTERED:
            # Cut by the server, the reply is no whole answer: told, and not ``answered``
            # (so its half sentence and the note are not checked as claims).
            text = f"{text}\n\n({MODEL_FILTERED})"
        return Reply(
            text,
            bool(cited) and not filtered,
            numbered_sources(prompt.sources, cited),
            cited,
            model=model,
            usage=usage,
            invalid_citations=list(self.citations.invalid),
            reasoning=self.reasoning,
            truncated=ending.truncated,
        )

    def _cited_in_body(self) -> list[int]:
        """The valid sources the answer cites, not counting a reference list it ends with
        (its entries only say which sources exist)."""
        body = self.text[: reference_list_start(self.text)]
        if only_citations(body):
            return []  # "[1][2]" cites sources, but says nothing they could back
        in_body = {n for _, _, numbers in marker_spans(body) for n in numbers}
        return [n for n in self.citations.cited if n in in_body]

    def _show(self, answer: str) -> str:
        if not answer or self.guard.declined:
            return ""
        visible = self.citations.feed(self.guard.feed(answer))
        while self.guard.waiting:
            # The sentinel after an answered part marks only what the sources leave open
            # ("X uses Y [1]. The GPU is not given: CANNOT_ANSWER"); alone, it declines.
            if answers_in_part(self.text + visible, self.citations.cited):
                visible += self.citations.feed(self.guard.resume())
            else:
                self.guard.decline()
        if self.guard.declined:
            return ""
        self._shown.append(visible)
        return visible

    def _think(self, reasoning: str, channel: str) -> str:
        """Keep ``reasoning`` from one ``channel`` (sent apart, or written in ``<think>``);
        thinking that moves from one channel to the other starts a new block."""
        if not reasoning:
            return ""
        if self._reasoning and channel != self._channel:
            self._reasoning[-1] = self._reasoning[-1].rstrip()
            reasoning = BLOCK_BREAK + reasoning.lstrip()
        self._channel = channel
        self._reasoning.append(reasoning)
        return reasoning


class SentinelGuard:
    """Holds back text that could be the start of the "cannot answer" sentinel, however it is
    written (``CANNOT_ANSWER``, ``cannot_answer``, Markdown-escaped ``CANNOT\\_ANSWER``), and
    stops at the sentinel: what follows waits until the reply is judged a refusal
    (``decline``) or an answer that only marks a part the sources leave open (``resume``, the
    sentinel dropped)."""

    def __init__(self, sentinel: str = CANNOT_ANSWER) -> None:
        self.declined = False
        self._held = ""
        forms = (sentinel, sentinel.replace("_", "\\_"))
        self._forms = tuple(form.casefold() for form in forms)
        self._longest = max(map(len, forms))
        self._pattern = re.compile("|".join(map(re.escape, forms)), re.IGNORECASE)
        self._waiting: str | None = None  # what came after the sentinel, while it is judged
        self._ended_sentence = False  # the text passed so far ends with a stop
        self._after_sentinel = False  # punctuation closing the dropped sentinel goes with it

    def feed(self, delta: str) -> str:
        if self.declined:
            return ""
        if self._waiting is not None:
            self._waiting += delta
            return ""
        text = self._held + delta
        if self._after_sentinel:
            text = self._closing_punctuation_dropped(text)
        at, length = self._find_sentinel(text)
        if at >= 0:
            # The words that lead into the sentinel ("…in the sources: ") go with it.
            self._held = ""
            self._waiting = text[at + length :]
            return self._passed(_LEADS_INTO_SENTINEL.sub("", text[:at]))
        size = self._held_size(text)
        self._held = text[len(text) - size :]
        return self._passed(text[: len(text) - size])

    @property
    def waiting(self) -> bool:
        """The sentinel was just written: the reply must be judged before more passes."""
        return self._waiting is not None

    def decline(self) -> None:
        """The reply is a refusal: nothing more of it passes."""
        self.declined, self._waiting = True, None

    def resume(self) -> str:
        """The reply answers in part: the sentinel is dropped (its sentence closed with a
        stop) and what followed it passes."""
        waiting, self._waiting = self._waiting or "", None
        self._after_sentinel = True
        stop = "" if self._ended_sentence else "."
        self._ended_sentence = True
        return stop + self.feed(waiting)

    def finish(self) -> str:
        held, self._held = self._held, ""
        return "" if self.declined or self.waiting else held

    def _held_size(self, text: str) -> int:
        """How much of the end of ``text`` may yet lead into the sentinel or begin it."""
        size = next(
            (
                n
                for n in range(min(self._longest - 1, len(text)), 0, -1)
                if any(form.startswith(text[-n:].casefold()) for form in self._forms)
            ),
            0,
        )
        lead = _LEADS_INTO_SENTINEL.search(text, 0, len(text) - size)
        return len(text) - lead.start() if lead else size

    def _find_sentinel(self, text: str) -> tuple[int, int]:
        """Where the sentinel first stands in ``text``, in any of its forms, and its length
        there (-1 and 0 when it does not)."""
        match = self._pattern.search(text)
        return (match.start(), match.end() - match.start()) if match else (-1, 0)

    def _passed(self, text: str) -> str:
        if text.strip():
            self._ended_sentence = text.rstrip()[-1] in ".!?"
        return text

    def _closing_punctuation_dropped(self, text: str) -> str:
        kept = text.lstrip(".:;,!*_`")
        self._after_sentinel = not kept
        return kept


_LEADS_INTO_SENTINEL = re.compile(r"[\s:;,\-—–*_`]*$")
"""What stands between a sentence and the sentinel after it ("…in the sources: ")."""
