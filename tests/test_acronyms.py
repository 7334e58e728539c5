import pytest

from assistant.answering.acronyms import MAX_LETTERS, acronym_definitions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Referring video object segmentation (RVOS) aims to segment objects.",
            [("RVOS", ["Referring", "video", "object", "segmentation"])],
        ),
        (
            "Pre-trained Language Models (PLMs) help.",
            [("PLM", ["Pre-trained", "Language", "Models"])],
        ),
        (
            "the task of Open-domain Question Answering (Open-QA).",
            [("Open-QA", ["Open-domain", "Question", "Answering"])],
        ),
        (
            "a Multi-modality Large Language Model (MLLM) re-captions images",
            [("MLLM", ["Multi-modality", "Large", "Language", "Model"])],
        ),
        (
            "Bidirectional Encoder Representations from Transformers (BERT) is strong.",
            [("BERT", ["Bidirectional", "Encoder", "Representations", "from", "Transformers"])],
        ),
        ("Transformers and State Space Models (SSMs).", [("SSM", ["State", "Space", "Models"])]),
    ],
)
def test_an_acronym_is_found_with_the_words_that_spell_it(text, expected):
    assert list(acronym_definitions(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "accuracy rises (82.1%) on the benchmark.",
        "we beat the baseline (GLUE) easily.",  # the words before do not spell it
        "results of the (ABC) model",  # an expansion does not begin with a function word
        "Multimodal LoRA (MM-LoRA), a module",  # letters from inside a word
    ],
)
def test_a_parenthesis_that_no_words_before_it_spell_defines_nothing(text):
    assert list(acronym_definitions(text)) == []


def test_text_made_to_defeat_the_search_is_read_in_polynomial_time():
    # Each hyphenated word spells one letter or two: tried afresh, the mixes would double
    # with every word (minutes at this size).
    text = "b " + "a-a " * 60 + "(" + "A" * 9 + "B)"
    assert list(acronym_definitions(text)) == []
    matching = "a-a " * 60 + "(" + "A" * 10 + ")"
    assert list(acronym_definitions(matching)) == [("A" * 10, ["a-a"] * 10)]


def test_capitals_too_long_for_an_acronym_are_not_searched():
    words = " ".join(["Alpha"] * (MAX_LETTERS + 1))
    assert list(acronym_definitions(f"{words} ({'A' * (MAX_LETTERS + 1)})")) == []
    assert list(acronym_definitions(f"{words} ({'A' * MAX_LETTERS})"))
