"""Reference markers inside source text are neutralised before anything counts citations."""

from __future__ import annotations

import pytest

from assistant.citations import check_citations, neutralise_markers


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("As shown in [2], it works.", "As shown in (ref. 2), it works."),
        (
            "Prior work [1, 2] and [3-5] and [6–7].",
            "Prior work (refs. 1, 2) and (refs. 3-5) and (refs. 6–7).",
        ),
        ("Two markers [1][12].", "Two markers (ref. 1)(ref. 12)."),
        # Brackets that are not markers stay as they are.
        ("An interval [a, b] and [0.5] and [] stay.", "An interval [a, b] and [0.5] and [] stay."),
    ],
)
def test_markers_become_readable_non_citations(source, expected):
    assert neutralise_markers(source) == expected


def test_a_neutralised_abstract_cites_nothing():
    abstract = "Our approach improves on [2] and [3, 4] by a wide margin [1-2]."
    assert check_citations(abstract, 5).cited == [2, 3, 4, 1]
    checked = check_citations(neutralise_markers(abstract), 5)
    assert checked.cited == [] and checked.invalid == []
