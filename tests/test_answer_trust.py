"""Answers a reader can trust, end to end with a real loopback OpenAI server and the seeded
store: refusals, claims checked against the sources they cite, reasoning kept apart, and
replies cut at the token limit."""

from __future__ import annotations

import pytest
from openai_server import Reply
from paper_files import write_jsonl

from assistant.answering import MODEL_CUT_OFF, MODEL_DECLINED, MODEL_UNCITED
from assistant.answering.claim_numbers import claim_numbers
from assistant.answering.prompts import CANNOT_ANSWER
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.text import split_sentences

QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"


def abstract_sentences(assistant: Assistant, question: str) -> list[list[str]]:
    """The sentences of each source's abstract, in the order the answer numbers them."""
    hits = assistant.search(question, assistant.settings.k)
    return [split_sentences(assistant.paper(hit.paper_id).abstract) for hit in hits]


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    [
        "I cannot answer this from the provided sources.",
        "The provided sources do not mention what DAE-Talker uses.",
        f"{CANNOT_ANSWER}",
        f"Let me see. {CANNOT_ANSWER}",
    ],
)
def test_a_refusal_in_prose_or_the_sentinel_is_no_answer(llm, openai_server, reply):
    openai_server.enqueue(reply)
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert not answer.answered and answer.text == MODEL_DECLINED
    assert answer.citations == [] and answer.claims == []
    assert not any(source.cited for source in answer.sources)
    assert shown.strip().endswith(MODEL_DECLINED)  # the reader is told, not left guessing
    assert CANNOT_ANSWER not in shown


def test_a_reply_saying_what_is_missing_but_citing_a_source_is_an_answer(llm, openai_server):
    openai_server.enqueue(
        "The sources do not mention a dataset size, but DAE-Talker uses diffusion latents [1]."
    )
    answer = llm.answer(QUESTION)
    assert answer.answered and answer.citations == [1]


def test_an_uncited_reply_is_never_a_grounded_answer(llm, openai_server):
    openai_server.enqueue("DAE-Talker replaces landmarks with learned latent codes.")
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert not answer.answered and answer.citations == []
    assert answer.text.startswith("DAE-Talker replaces landmarks")
    assert answer.text.endswith(MODEL_UNCITED) and shown.strip() == answer.text
    assert not any(source.cited for source in answer.sources)


def test_a_reply_citing_only_sources_that_do_not_exist_is_uncited(llm, openai_server):
    openai_server.enqueue("DAE-Talker uses latents [9].")
    answer = llm.answer(QUESTION)
    assert not answer.answered and answer.invalid_citations == [9]
    assert "[9]" not in answer.text and answer.text.endswith(MODEL_UNCITED)


@pytest.mark.parametrize("reply", ["[1][2]", "[1, 2].", "(Source: [1])", "Sources: [1], [2]"])
def test_a_reply_of_markers_alone_says_nothing_so_is_no_grounded_answer(llm, openai_server, reply):
    openai_server.enqueue(reply)
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert not answer.answered and answer.citations == [] and answer.claims == []
    assert answer.text.endswith(MODEL_UNCITED) and shown.strip() == answer.text
    assert not any(source.cited for source in answer.sources)


# -- claims --------------------------------------------------------------------------------


def test_a_sentence_copied_from_source_1_but_cited_to_2_is_unsupported(llm, openai_server):
    sentences = abstract_sentences(llm, QUESTION)
    copied_from_1 = sentences[0][1].rstrip(".")
    copied_from_2 = sentences[1][0].rstrip(".")
    openai_server.enqueue(f"{copied_from_1} [2]. {copied_from_2} [2]. {copied_from_1} [1].")
    answer = llm.answer(QUESTION)
    assert answer.answered
    assert [(c.citations, c.supported) for c in answer.claims] == [
        ([2], False),
        ([2], True),
        ([1], True),
    ]
    assert answer.claims[0].support < answer.claims[2].support
    assert "claims_ms" in answer.timings


def test_claims_are_checked_against_the_whole_abstract_not_the_prompts_excerpt(
    assistant_factory, openai_server
):
    # A context window this small shortens the best source in the prompt; its last sentence
    # is still part of the paper the claim cites.
    llm = assistant_factory(base_url=openai_server.url, context_window=420, max_tokens=64)
    last = abstract_sentences(llm, QUESTION)[0][-1].rstrip(".")
    openai_server.enqueue(f"{last} [1].")
    answer = llm.answer(QUESTION)
    assert last not in openai_server.chat_requests[-1].message("user")
    assert [c.supported for c in answer.claims] == [True]


def test_faithful_short_claims_and_paraphrased_negations_are_supported(llm, openai_server):
    # ViT-Lens's abstract gives "87.4% on ModelNet40" inside a long sentence; APE's says
    # "our method ... training 77% fewer parameters"; CLIP's says "without needing to use
    # any of the 1.28 million training examples".
    question = "What zero-shot 3D classification accuracy does ViT-Lens achieve?"
    titles = [hit.title for hit in llm.search(question, llm.settings.k)]
    vit_lens, ape, clip = (
        1 + next(i for i, title in enumerate(titles) if title.startswith(start))
        for start in ("ViT-Lens", "APE", "Learning Transferable Visual Models")
    )
    openai_server.enqueue(
        f"ViT-Lens achieves 87.4% on ModelNet40 [{vit_lens}], while APE trains 77% fewer "
        f"parameters [{ape}]. CLIP matches the accuracy of ResNet-50 on ImageNet zero-shot "
        f"without using its 1.28 million training examples [{clip}]. APE trains 77% fewer "
        f"parameters [{vit_lens}]."
    )
    answer = llm.answer(question)
    assert [(c.supported, c.contradicted_by) for c in answer.claims] == [
        (True, []),
        (True, []),
        (False, []),  # copied from APE's abstract, cited to ViT-Lens's
    ]


def test_offline_answers_quote_their_sources_so_their_claims_are_supported(seeded_assistant):
    answer = seeded_assistant.answer(QUESTION)
    assert answer.answered and answer.claims
    assert all(claim.supported for claim in answer.claims), answer.claims
    assert all(claim.citations for claim in answer.claims)


# -- [n] inside a source's own text ---------------------------------------------------------


@pytest.fixture(scope="module")
def marked_home(tmp_path_factory, embedder):
    home = tmp_path_factory.mktemp("marked-home")
    papers = tmp_path_factory.mktemp("marked-papers") / "papers.jsonl"
    rows = [
        {
            "title": "Sparse Routing for Mixture-of-Experts Transformers",
            "abstract": "We study routing in sparse mixture-of-experts transformers. As shown "
            "in [2], load imbalance wastes compute. Our router balances expert load with an "
            "auxiliary loss [3, 4].",
        },
        {
            "title": "Protein Folding with Equivariant Graph Networks",
            "abstract": "We predict protein structures with equivariant graph networks.",
        },
    ]
    write_jsonl(papers, rows)
    Assistant(Settings(home=home), embedder=embedder).ingest([papers])
    return home


def test_markers_inside_an_abstract_reach_the_model_neutralised(
    marked_home, embedder, openai_server
):
    question = "How does the router balance expert load in sparse mixture-of-experts models?"
    llm = Assistant(
        Settings.load({"home": marked_home, "base_url": openai_server.url}), embedder=embedder
    )
    openai_server.enqueue("As shown in (ref. 2), load imbalance wastes compute [1].")
    answer = llm.answer(question)
    user = openai_server.chat_requests[-1].message("user")
    assert "As shown in (ref. 2), load imbalance" in user
    assert "auxiliary loss (refs. 3, 4)." in user
    assert "in [2]" not in user and "[3, 4]" not in user
    assert answer.answered and answer.citations == [1]
    assert [s.cited for s in answer.sources] == [True, False]


# -- reasoning models ------------------------------------------------------------------------


def test_think_blocks_are_reasoning_never_answer_text_or_citations(llm, openai_server):
    thought = f"Source [3] might say {CANNOT_ANSWER}. No: [1] says latents."
    openai_server.enqueue(
        Reply(
            chunks=["<thi", f"nk>{thought[:20]}", f"{thought[20:]}</th", "ink>\n\n", "Latents [1]."]
        )
    )
    stream = llm.stream_answer(QUESTION)
    shown = "".join(stream)
    answer = stream.answer
    assert shown.strip() == answer.text == "Latents [1]."
    assert answer.answered and answer.citations == [1]  # [3] in the thinking cites nothing
    assert answer.reasoning == thought and stream.reasoning == thought
    assert [c.text for c in answer.claims] == ["Latents [1]."]


def test_reasoning_deltas_are_kept_apart_and_reach_the_stream_first(llm, openai_server):
    openai_server.enqueue(
        Reply(chunks=["Latents ", "[1]."], reasoning_chunks=["Which source? ", "[2] no, [1]."])
    )
    stream = llm.stream_answer(QUESTION)
    first = next(stream)
    assert stream.reasoning == "Which source? [2] no, [1]."  # known before the answer text
    rest = "".join(stream)
    answer = stream.answer
    assert (first + rest).strip() == answer.text == "Latents [1]."
    assert answer.reasoning == "Which source? [2] no, [1]." and answer.citations == [1]
    assert [c.citations for c in answer.claims] == [[1]]


def test_reasoning_sent_apart_and_written_in_think_stays_two_blocks(llm, openai_server):
    openai_server.enqueue(
        Reply(
            chunks=["<think>Source [3] looks relevant.</think>", "Latents [1]."],
            reasoning_chunks=["I should cite [5] maybe."],
        )
    )
    answer = llm.answer(QUESTION)
    assert answer.reasoning == "I should cite [5] maybe.\n\nSource [3] looks relevant."
    assert answer.text == "Latents [1]." and answer.citations == [1]


def test_a_reply_cut_at_the_token_limit_is_marked_truncated(llm, openai_server):
    openai_server.enqueue(Reply(chunks=["DAE-Talker uses latents [1] and"], finish_reason="length"))
    answer = llm.answer(QUESTION)
    assert answer.truncated and answer.answered
    assert answer.text == "DAE-Talker uses latents [1] and"


def test_a_model_that_thinks_until_the_limit_has_written_no_answer(llm, openai_server):
    openai_server.enqueue(Reply(chunks=["<think>Let me weigh [1] and [2]"], finish_reason="length"))
    answer = llm.answer(QUESTION)
    assert answer.truncated and not answer.answered
    assert answer.text == MODEL_CUT_OFF and answer.reasoning == "Let me weigh [1] and [2]"


def test_an_answer_that_finished_is_not_truncated(llm, openai_server):
    openai_server.enqueue("Latents [1].")
    answer = llm.answer(QUESTION)
    assert not answer.truncated and answer.reasoning == ""


def test_a_copied_sentence_with_one_number_changed_is_unsupported(llm, openai_server):
    source, numbered = next(
        (n, sentence.rstrip("."))
        for n, sentences in enumerate(abstract_sentences(llm, QUESTION), start=1)
        for sentence in sentences
        if claim_numbers(sentence)
    )
    stated = claim_numbers(numbered)[0]
    changed = f"{stated.readings[0][0] + 7:g}"
    altered = numbered.replace(stated.written.rstrip("%x×"), changed, 1)
    openai_server.enqueue(f"{numbered} [{source}]. {altered} [{source}].")
    true, wrong = llm.answer(QUESTION).claims
    assert true.supported and true.unstated_numbers == []
    assert not wrong.supported and changed in wrong.unstated_numbers[0]


def test_a_copied_sentence_saying_the_opposite_is_unsupported(llm, openai_server):
    # "that leverages data-driven latent representations" -> "that does not leverage ...":
    # every content word is the source's, so only the reversal makes it unsupported.
    source, sentence = next(
        (n, s.rstrip("."))
        for n, sentences in enumerate(abstract_sentences(llm, QUESTION), start=1)
        for s in sentences
        if "that leverages data-driven" in s
    )
    reversed_ = sentence.replace("that leverages", "that does not leverage")
    openai_server.enqueue(f"{sentence} [{source}]. {reversed_} [{source}].")
    true, wrong = llm.answer(QUESTION).claims
    assert true.supported and true.contradicted_by == []
    assert not wrong.supported
    assert wrong.support >= llm.settings.claim_support_threshold
    assert "leverages data-driven latent representations" in wrong.contradicted_by[0]
