"""Keeping a reasoning model's thinking apart from its answer while the reply streams.

Local reasoning models (DeepSeek-R1 distills, Qwen3 through Ollama, vLLM or llama.cpp) may
write their thinking into the content as ``<think>…</think>`` (or ``<thinking>…</thinking>``;
Magistral as ``[THINK]…[/THINK]``, Kimi as ``◁think▷…◁/think▷``; gpt-oss without a parser as
its analysis channel, ``<|channel|>analysis<|message|>…<|end|>``). That text is never answer
text: it is not shown as the answer, not parsed for citations and not checked as claims. A tag
may arrive split across deltas, so a possible tag prefix is held back until it is decided; an
opening tag that is never closed makes the rest of the reply reasoning.

Thinking only ever opens the reply (after white space, or right after another thinking block):
an opening tag once the answer has begun is an answer that mentions it ("R1 wraps its reasoning
in <think> tags"), and so is a closing tag that pairs with such a mention or stands in inline
code (`` `</think>` ``).

Many chat templates (DeepSeek-R1, QwQ, Qwen3 served without a reasoning parser) put the opening
``<think>`` into the prompt, so the reply starts with the thinking itself and only the closing
tag arrives. Such a closing tag, before any opening one, turns everything before it into
reasoning: the splitter says so with ``restarted`` so the answer can start afresh.
"""

from __future__ import annotations

import re

BLOCK_BREAK = "\n\n"
"""What stands between two thinking blocks of one reply in ``reasoning``."""
# gpt-oss served without a parser for its "harmony" format writes its thinking on the
# analysis channel and its answer on the final one: the same as a thinking block, in tokens.
_HARMONY_OPEN = "<|channel|>analysis<|message|>"
_HARMONY_CLOSE = "<|end|>"
_HARMONY_MARKS = ("<|start|>assistant", "<|channel|>final<|message|>", "<|return|>")
"""Tokens of the harmony format that are neither thinking nor answer: dropped."""
# Magistral's raw format (llama.cpp leaves it in the content) and Kimi's.
_OTHER_OPEN = ("[THINK]", "◁think▷")
_OTHER_CLOSE = ("[/THINK]", "◁/think▷")
_CLOSE_TAGS = ("</think>", "</thinking>", _HARMONY_CLOSE, *_OTHER_CLOSE)
_TAGS = ("<think>", "<thinking>", _HARMONY_OPEN, *_OTHER_OPEN, *_CLOSE_TAGS, *_HARMONY_MARKS)
_OPEN_PATTERN = "|".join([r"<think(?:ing)?>", *map(re.escape, (_HARMONY_OPEN, *_OTHER_OPEN))])
_CLOSE_PATTERN = "|".join([r"</think(?:ing)?>", *map(re.escape, (_HARMONY_CLOSE, *_OTHER_CLOSE))])
_CODE_TICK = "`"
_MARK_PATTERN = "|".join(re.escape(mark) for mark in _HARMONY_MARKS)
_TAG = re.compile(
    f"(?P<open>{_OPEN_PATTERN})|(?P<close>{_CLOSE_PATTERN})|(?P<mark>{_MARK_PATTERN})",
    re.IGNORECASE,
)
_CLOSE = re.compile(f"(?P<close>{_CLOSE_PATTERN})", re.IGNORECASE)


class ReasoningSplitter:
    """Feed content deltas; get back ``(answer_text, reasoning_text)`` that can be shown now.

    White space that starts the answer (before the first word, or right after a closing tag)
    is dropped, so an answer after a thinking block does not begin with blank lines.
    """

    def __init__(self) -> None:
        self.reasoning = ""
        """All reasoning text seen so far."""
        self.restarted = False
        """Set by the ``feed`` that met a closing tag with no opening one: the answer text
        returned before it was reasoning (now in ``reasoning``), and the answer starts anew."""
        self._in_reasoning = False
        self._tag_seen = False
        self._held = ""
        self._answer_started = False
        self._answer = ""
        self._mentioned_open = False
        self._in_code = False

    def feed(self, delta: str) -> tuple[str, str]:
        """Process one delta; returns the answer text and the reasoning text it completes."""
        text = self._held + delta
        self._held = ""
        self.restarted = False
        answer: list[str] = []
        reasoning: list[str] = []
        while text:
            tag = (_CLOSE if self._in_reasoning else _TAG).search(text)
            if tag is None:
                keep = _partial_tag_length(text, _CLOSE_TAGS if self._in_reasoning else _TAGS)
                self._held = text[len(text) - keep :]
                self._emit(text[: len(text) - keep], answer, reasoning)
                break
            self._emit(text[: tag.start()], answer, reasoning)
            text = text[tag.end() :]
            if tag.lastgroup != "mark":
                self._take_tag(tag.lastgroup == "open", tag.group(), answer, reasoning)
        return "".join(answer), "".join(reasoning)

    def _take_tag(self, opening: bool, tag: str, answer: list[str], reasoning: list[str]) -> None:
        """Open or close a thinking block, or keep ``tag`` as answer text that mentions it."""
        if not self._in_reasoning and self._mentions(opening):
            self._emit(tag, answer, reasoning)
            return
        if self._in_reasoning or opening:
            self._in_reasoning = not self._in_reasoning
            if self._in_reasoning and self.reasoning.strip():
                # A second thinking block: kept apart from the first, not run into it.
                self._emit(BLOCK_BREAK, answer, reasoning)
        elif not self._tag_seen:
            self._restart(answer, reasoning)
        # A closing tag after a finished thinking block is a stray: it is dropped.
        self._tag_seen = True
        if not self._in_reasoning:
            self._answer_started = False  # the answer after </think> starts afresh

    def _mentions(self, opening: bool) -> bool:
        """Whether a tag met outside thinking is answer text that mentions it: an opening tag
        once the answer has begun, a closing one that pairs with such a mention or stands in
        inline code."""
        if opening:
            self._mentioned_open = self._answer_started
            return self._answer_started
        mentioned, self._mentioned_open = self._mentioned_open, False
        return mentioned or self._in_code

    def finish(self) -> tuple[str, str]:
        """Flush what was held back (a lone ``<thi`` at the very end is plain text)."""
        held, self._held = self._held, ""
        answer: list[str] = []
        reasoning: list[str] = []
        self.restarted = False
        self._emit(held, answer, reasoning)
        return "".join(answer), "".join(reasoning)

    def _restart(self, answer: list[str], reasoning: list[str]) -> None:
        """Everything taken for answer so far was thinking the template had opened."""
        thought = self._answer  # this delta's answer text so far included
        answer.clear()
        self._answer = ""
        self.reasoning += thought
        reasoning.append(thought)
        self.restarted = True
        self._in_code = False

    def _emit(self, text: str, answer: list[str], reasoning: list[str]) -> None:
        if not text:
            return
        if self._in_reasoning:
            reasoning.append(text)
            self.reasoning += text
            return
        if not self._answer_started:
            text = text.lstrip()
            self._answer_started = bool(text)
        answer.append(text)
        if text.count(_CODE_TICK) % 2:
            self._in_code = not self._in_code
        if not self._tag_seen:
            self._answer += text


def split_reasoning(text: str) -> tuple[str, str]:
    """A whole reply split into ``(answer_text, reasoning_text)``."""
    splitter = ReasoningSplitter()
    answer, reasoning = splitter.feed(text)
    tail_answer, tail_reasoning = splitter.finish()
    return answer + tail_answer, reasoning + tail_reasoning


def _partial_tag_length(text: str, tags: tuple[str, ...]) -> int:
    """Length of the longest end of ``text`` that could be the start of one of ``tags``."""
    lowered = text[-max(len(t) for t in tags) :].casefold()
    for size in range(len(lowered), 0, -1):
        if any(tag.casefold().startswith(lowered[-size:]) for tag in tags):
            return size
    return 0
