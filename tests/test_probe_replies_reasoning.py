"""Reasoning models that think and never answer, or think more than once: what the reader is
told says so, and the thinking blocks stay apart in ``reasoning``."""

from __future__ import annotations

import json

import pytest

from assistant.answering.chat_model import MODEL_EMPTY, MODEL_ONLY_REASONING

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
ANSWER = (
    "DAE-Talker uses data-driven latent representations obtained from a diffusion autoencoder [1]."
)


@pytest.mark.parametrize(
    "reply",
    [
        {"chunks": ["<think>The answer may be in [1] but", " I am not sure"]},  # never closed
        {"chunks": [], "reasoning_chunks": ["Weighing [1] ", "against [2]"]},
        {"chunks": [], "reasoning_chunks": ["Weighing [1]"], "reasoning_field": "reasoning"},
    ],
)
def test_a_reply_of_reasoning_only_says_so_not_that_it_was_empty(llm, openai_server, reply):
    openai_server.enqueue(**reply)
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert answer.text == MODEL_ONLY_REASONING != MODEL_EMPTY
    assert shown.strip() == answer.text
    assert not answer.answered and answer.citations == [] and answer.claims == []
    assert "[1]" in answer.reasoning and not answer.truncated


def test_a_reply_with_nothing_at_all_is_still_empty(llm, openai_server):
    openai_server.enqueue(chunks=[])
    assert llm.answer(QUESTION).text == MODEL_EMPTY


def test_thinking_blocks_stay_apart_in_the_reasoning(llm, openai_server):
    openai_server.enqueue(
        chunks=["<think>first look at [2]</think>", "<think>then ", "[3]</think>", ANSWER]
    )
    answer = llm.answer(QUESTION)
    assert answer.reasoning == "first look at [2]\n\nthen [3]"
    assert answer.text == ANSWER and answer.citations == [1]


def _magistral_chunk(content: object, finish: str | None = None) -> str:
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "model": "magistral-small-latest",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": content}}],
    }
    chunk["choices"][0]["finish_reason"] = finish
    return f"data: {json.dumps(chunk)}\n\n"


def test_mistral_content_parts_are_read_as_thinking_and_answer(llm, openai_server):
    # Magistral streams ``content`` as a list of parts: thinking first, then text.
    thinking = [{"type": "thinking", "thinking": [{"type": "text", "text": "Source [2] is "}]}]
    events = (
        _magistral_chunk(thinking)
        + _magistral_chunk([{"type": "thinking", "thinking": [{"type": "text", "text": "off"}]}])
        + _magistral_chunk([{"type": "text", "text": ANSWER[:20]}])
        + _magistral_chunk(ANSWER[20:])  # plain strings may follow
        + _magistral_chunk("", finish="stop")
        + "data: [DONE]\n\n"
    )
    openai_server.enqueue(raw=events, content_type="text/event-stream")
    answer = llm.answer(QUESTION)
    assert answer.text == ANSWER and answer.answered and answer.citations == [1]
    assert answer.reasoning == "Source [2] is off"


def test_mistral_content_parts_in_a_whole_reply_are_read_too(llm, openai_server):
    body = {
        "id": "c",
        "object": "chat.completion",
        "model": "magistral-small-latest",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": [{"type": "text", "text": "Hmm [3]"}]},
                        {"type": "text", "text": ANSWER},
                    ],
                },
                "finish_reason": "stop",
            }
        ],
    }
    openai_server.enqueue(raw=json.dumps(body))  # a server that ignored "stream"
    answer = llm.answer(QUESTION)
    assert answer.text == ANSWER and answer.reasoning == "Hmm [3]"


def test_gpt_oss_channels_leaked_into_the_content_are_reasoning_and_answer(llm, openai_server):
    # gpt-oss behind a server that does not parse its format: analysis, then final channel.
    openai_server.enqueue(
        chunks=[
            "<|channel|>analysis<|message|>Check [2]",
            " first.<|e",
            "nd|><|start|>assistant<|channel|>final<|message|>",
            ANSWER,
            "<|return|>",
        ]
    )
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert shown == answer.text == ANSWER
    assert answer.reasoning == "Check [2] first." and answer.citations == [1]


MENTIONS = [
    f"{ANSWER} Unlike R1-style models that wrap reasoning in `<think>` tags, it needs no text "
    "prompt [1]. It outperforms existing methods in lip-sync [1].",
    f"{ANSWER} R1-style models write their reasoning between <think> tags, followed by the "
    "answer [1]. It outperforms existing methods in lip-sync [1].",
    f"{ANSWER} R1-style models end their reasoning with `</think>` [1].",
]


@pytest.mark.parametrize("reply", MENTIONS)
def test_a_think_tag_the_answer_mentions_is_answer_text(llm, openai_server, reply):
    openai_server.enqueue(chunks=[reply[:120], reply[120:]])
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert shown == answer.text == reply
    assert answer.answered and answer.citations == [1] and answer.reasoning == ""


@pytest.mark.parametrize(("opening", "closing"), [("[THINK]", "[/THINK]"), ("◁think▷", "◁/think▷")])
def test_thinking_in_magistral_or_kimi_tags_is_reasoning(llm, openai_server, opening, closing):
    thought = "The user asks about DAE-Talker; source [2] is unrelated, and [3] too."
    openai_server.enqueue(chunks=[opening + thought[:20], thought[20:] + closing, ANSWER])
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert shown == answer.text == ANSWER
    assert answer.reasoning == thought
    assert answer.citations == [1] and answer.invalid_citations == []
