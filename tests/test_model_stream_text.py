"""What real servers stream, end to end through the loopback OpenAI server: characters split
across deltas, replies whose thinking was opened by the chat template, follow-ups rewritten
by a model cut at its token limit."""

from __future__ import annotations

from openai_server import Reply
from test_llm import MESSAGES, make_client

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"


# -- Unicode split across deltas --------------------------------------------------------------


def test_an_emoji_split_between_two_deltas_is_one_character_again(llm, openai_server):
    # A server splitting text by UTF-16 units sends the two surrogate halves apart.
    openai_server.enqueue(Reply(chunks=["DAE-Talker uses latents \ud83d", "\ude00 [1]."]))
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert shown == answer.text == "DAE-Talker uses latents 😀 [1]."
    assert answer.answered and [c.citations for c in answer.claims] == [[1]]


def test_a_lone_surrogate_becomes_a_replacement_character(openai_server, tmp_path):
    openai_server.enqueue(
        Reply(chunks=["\ude00a", "b \ud83d"], reasoning_chunks=["think \ud83d", "x"])
    )
    stream = make_client(openai_server, tmp_path).stream_chat(MESSAGES, model="m")
    content = "".join(stream)
    assert content == "\ufffdab \ufffd"
    assert stream.reasoning == "think \ufffdx"
    content.encode("utf-8")  # printable, storable


def test_a_whole_reply_with_a_lone_surrogate_is_valid_text(openai_server, tmp_path):
    openai_server.enqueue(Reply(text="ok \ud83d", reasoning_chunks=["\udc00"]))
    reply = make_client(openai_server, tmp_path).complete(MESSAGES, model="m")
    assert (reply.text, reply.reasoning) == ("ok \ufffd", "\ufffd")


# -- thinking opened by the chat template -------------------------------------------------------


def test_a_closing_think_tag_alone_makes_what_came_before_it_reasoning(llm, openai_server):
    # DeepSeek-R1 / QwQ templates open <think> in the prompt: only the closing tag arrives.
    thought = "Okay, the user asks. Maybe CANNOT_ANSWER? Source [3] is unrelated."
    openai_server.enqueue(
        Reply(
            chunks=[
                thought[:30],
                thought[30:] + "\n</th",
                "ink>\n\nDAE-Talker ",
                "uses latents [1].",
            ]
        )
    )
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert answer.text == "DAE-Talker uses latents [1]."
    assert shown.endswith("\n\nDAE-Talker uses latents [1].") and "</think>" not in shown
    assert answer.answered and answer.citations == [1] and answer.invalid_citations == []
    assert answer.reasoning == stream.reasoning == thought
    assert [c.text for c in answer.claims] == ["DAE-Talker uses latents [1]."]


def test_a_stray_closing_tag_after_a_thinking_block_is_not_shown(llm, openai_server):
    openai_server.enqueue(
        Reply(chunks=["<think>a</think>", "DAE-Talker uses latents [1].</think>"])
    )
    answer = llm.answer(QUESTION)
    assert answer.text == "DAE-Talker uses latents [1]." and answer.reasoning == "a"


def test_a_follow_up_rewrite_cut_at_the_token_limit_keeps_the_question(llm, openai_server):
    from assistant.results import Turn

    openai_server.enqueue(Reply(text="Okay, the user is asking about", finish_reason="length"))
    openai_server.enqueue("It predicts latents [1].")
    history = [Turn(QUESTION, "It uses diffusion autoencoder latents [1].")]
    answer = llm.answer("What does its speech model predict?", history=history)
    assert answer.standalone_question == "What does its speech model predict?"
    assert "Question: What does its speech model predict?" in (
        openai_server.chat_requests[-1].message("user")
    )


def test_a_whole_reply_with_only_a_closing_tag_splits_the_same_way():
    from assistant.answering.reasoning import split_reasoning

    reply = "Hmm, [4]?\n</THINK>\n\nWhich model? "
    assert split_reasoning(reply) == ("Which model? ", "Hmm, [4]?\n")
