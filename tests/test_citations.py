"""Citations are owned by code: parsing, removal of markers that point at nothing, streaming."""

from __future__ import annotations

import pytest

from assistant.citations import CitationFilter, check_citations, marker_spans, parse_marker


@pytest.mark.parametrize(
    ("body", "numbers"),
    [
        ("3", [3]),
        ("1, 2", [1, 2]),
        ("1,2,2", [1, 2, 2]),
        ("1-3", [1, 2, 3]),
        ("2–4", [2, 3, 4]),
        ("1, 3-4", [1, 3, 4]),
    ],
)
def test_parse_marker(body, numbers):
    assert parse_marker(body) == numbers


@pytest.mark.parametrize(
    ("text", "cleaned", "cited", "invalid"),
    [
        ("A [1]. B [2].", "A [1]. B [2].", [1, 2], []),
        ("Both [1, 2] say so.", "Both [1, 2] say so.", [1, 2], []),
        ("Adjacent [2][1].", "Adjacent [2][1].", [2, 1], []),
        ("A range [1-3].", "A range [1-3].", [1, 2, 3], []),
        ("Nothing behind it [7].", "Nothing behind it.", [], [7]),
        ("Zero [0] is no source, and more.", "Zero is no source, and more.", [], [0]),
        ("Mixed [1, 9] here.", "Mixed [1] here.", [1], [9]),
        ("Pair [9][2].", "Pair [2].", [2], [9]),
        ("Range past the end [2-5].", "Range past the end [2, 3].", [2, 3], [4, 5]),
        ("Keeps lines [8]\n\nNext.", "Keeps lines\n\nNext.", [], [8]),
        (
            "Not citations: [a], [see 2], arr[ and [12",
            "Not citations: [a], [see 2], arr[ and [12",
            [],
            [],
        ),
    ],
)
def test_check_citations(text, cleaned, cited, invalid):
    check = check_citations(text, 3)
    assert (check.text, check.cited, check.invalid) == (cleaned, cited, invalid)


def test_cited_numbers_are_in_order_of_first_use():
    assert check_citations("x [3] y [1] z [3] w [2]", 3).cited == [3, 1, 2]


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_streaming_in_any_chunking_equals_the_whole_text_check(size):
    text = "DAE [1] beats it [1, 7]. Others [9] disagree [2][8].\nDone [1-2]."
    whole = check_citations(text, 2)
    stream = CitationFilter(2)
    shown = (
        "".join(stream.feed(text[i : i + size]) for i in range(0, len(text), size))
        + stream.finish()
    )
    assert shown == whole.text
    assert "[7]" not in shown and "[9]" not in shown and "[8]" not in shown
    assert (stream.cited, stream.invalid) == (whole.cited, whole.invalid) == ([1, 2], [7, 9, 8])


def test_a_marker_is_held_back_until_it_is_decided():
    stream = CitationFilter(2)
    assert stream.feed("Claim [") == "Claim"  # the space waits with the bracket
    assert stream.feed("4") == ""
    assert stream.feed("].") == "."


def test_marker_spans_follow_the_same_grammar_as_the_filter():
    text = "DAE [1] and [2, 3] and ranges [1-3] or [4–5]; not [a] nor [1 2] nor [x, 1]."
    spans = marker_spans(text)
    assert [text[start:end] for start, end, _ in spans] == ["[1]", "[2, 3]", "[1-3]", "[4–5]"]
    assert [numbers for _, _, numbers in spans] == [[1], [2, 3], [1, 2, 3], [4, 5]]
    # Whatever the filter keeps as a marker is a span, and nothing else is.
    checked = check_citations(text, 5).text
    assert [checked[s:e] for s, e, _ in marker_spans(checked)] == [
        "[1]",
        "[2, 3]",
        "[1-3]",
        "[4–5]",
    ]


def test_overlong_brackets_are_prose_not_markers():
    assert marker_spans("[" + ", ".join(["1"] * 30) + "]") == []


@pytest.mark.parametrize(
    "text",
    [
        "Values are scaled to [0, 1].",
        "Probabilities in [0,1] and percentages in [0-100].",
        "Rated on a scale of [1, 5].",
        "Scores lie in the range [1, 10].",
        "A weight between [2, 3] works.",
        "Outputs are normalised to [1, 5].",
        "k is sampled uniformly from [1, 4].",
        "Steps in the interval [2, 4] help.",
        "Fractions [0.5, 1] and negatives [-1, 1] are no markers.",
        "Rated on a scale of [1-5].",
        "Ratings range from [1–5] here.",
        "Scores lie in the range [1-10].",
        "Outputs are normalised to [1-5].",
        "k is sampled uniformly from [1-4].",
    ],
)
def test_an_interval_in_prose_stays_as_written_and_cites_nothing(text):
    check = check_citations(text, 5)
    assert (check.text, check.cited, check.invalid) == (text, [], [])
    assert marker_spans(text) == []


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        # Without an interval's cue, a pair is a citation list, in every accepted form.
        ("As shown in [1, 5].", [1, 5]),
        ("Compared to [2, 3], it wins.", [2, 3]),
        ("Both agree [1][2] and [1-3] and [1; 2].", [1, 2, 3]),
        ("A range [1-3].", [1, 2, 3]),
        ("Trained at large scales [1-3].", [1, 2, 3]),
        ("Results vary between [2-4] and within [1-2].", [2, 3, 4, 1]),
        ("A scale of [1, 2, 3] sources.", [1, 2, 3]),
    ],
)
def test_citation_lists_that_are_no_intervals_are_still_citations(text, cited):
    assert check_citations(text, 5).cited == cited
