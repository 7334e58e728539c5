"""Markup inside exported text becomes the text a reader means: LaTeX in BibTeX and the arXiv
snapshot, JATS/HTML in abstracts fetched from Crossref (any format), and nothing of the
words is lost on the way (a bare ``%`` or ``&`` in a BibTeX field is text)."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.formats.markup import html_to_text
from assistant.sources import load_collection

HAND_WRITTEN_BIB = r"""@article{a,
  title = {R&D at AT&T: 50% faster},
  author = {Smith, John},
  journal = {IEEE Trans. Pattern Analysis & Machine Intelligence},
  abstract = {We reach 95% accuracy & more. The rest of this line matters.
Second line.},
}
@article{b,
  title = {{\"U}ber {BERT}: \textit{Efficient} Attention for $x^2$ Scaling -- a Study},
  author = {M{\"u}ller, J{\"o}rg and {Barnes and Noble} and others},
  abstract = {Cost $O(n \log n)$ on \textsc{GLUE}, 95\% of \$5 runs; see Fig.~2 of $\alpha$-nets.},
  url = {https://example.org/~smith/a\_b},
  doi = {10.1000/a\_b},
}
"""


def test_bibtex_bare_percent_and_ampersand_are_text_not_latex(tmp_path: Path) -> None:
    path = tmp_path / "hand.bib"
    path.write_text(HAND_WRITTEN_BIB, encoding="utf-8")
    first, second = load_collection([path])
    assert first.title == "R&D at AT&T: 50% faster"
    assert first.abstract == (
        "We reach 95% accuracy & more. The rest of this line matters. Second line."
    )
    assert first.venue == "IEEE Trans. Pattern Analysis & Machine Intelligence"
    assert second.title == "Über BERT: Efficient Attention for x^2 Scaling – a Study"
    assert second.abstract == "Cost O(n log n) on GLUE, 95% of $5 runs; see Fig. 2 of α-nets."
    assert second.authors == ("Müller, Jörg", "Barnes and Noble")
    assert (second.url, second.doi) == ("https://example.org/~smith/a_b", "10.1000/a_b")


def test_bibtex_abstract_with_jats_tags_reads_as_text(tmp_path: Path) -> None:
    path = tmp_path / "bbt.bib"
    path.write_text(
        "@article{c,\n title = {Water},\n abstract = {<jats:title>Abstract</jats:title>"
        "<jats:p>H<jats:sub>2</jats:sub>O \\&amp; <jats:italic>ice</jats:italic>.</jats:p>},\n}\n",
        encoding="utf-8",
    )
    assert load_collection([path])[0].abstract == "H2O & ice."


def test_csl_json_and_ris_abstracts_lose_their_html(tmp_path: Path) -> None:
    csl = tmp_path / "zotero.json"
    csl.write_text(
        json.dumps(
            [
                {
                    "title": "Attention <i>in vivo</i>",
                    "abstract": '<jats:p>We show 3 &lt; 5 &#x2013; <a href="x">here</a>.</jats:p>'
                    "<jats:p>Second paragraph.</jats:p>",
                    "container-title": "Cells &amp; Tissues",
                }
            ]
        ),
        encoding="utf-8",
    )
    ris = tmp_path / "mendeley.ris"
    ris.write_text(
        "TY  - JOUR\nTI  - Soil<sup>2</sup>\nAB  - <p>Roots &amp; fungi.</p>\nER  - \n",
        encoding="utf-8",
    )
    from_csl, from_ris = load_collection([csl, ris])
    assert from_csl.title == "Attention in vivo"
    assert from_csl.abstract == "We show 3 < 5 – here. Second paragraph."
    assert from_csl.venue == "Cells & Tissues"
    assert (from_ris.title, from_ris.abstract) == ("Soil2", "Roots & fungi.")


def test_text_that_only_looks_like_markup_is_kept() -> None:
    for text in ("if a<b and c>d then", "AT&T and R&D; x &y;z", "<unknown> stays", "p<0.05"):
        assert html_to_text(text) == text


def _arxiv_paper(tmp_path: Path, title: str, abstract: str) -> tuple[str, str]:
    """``(title, abstract)`` as read back from an arXiv snapshot line holding them."""
    path = tmp_path / "arxiv.json"
    line = {
        "id": "2101.00001",
        "title": title,
        "abstract": abstract,
        "authors": "A. Author",
        "versions": [{"created": "Mon, 4 Jan 2021 10:00:00 GMT"}],
    }
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    paper = load_collection([path])[0]
    return paper.title, paper.abstract


def test_arxiv_snapshot_latex_is_decoded(tmp_path: Path) -> None:
    assert _arxiv_paper(
        tmp_path,
        "On $O(n^2)$ \\textit{Attention}",
        "We study \\emph{sparse} attention; 90% of heads prune, ~4x faster.",
    ) == ("On O(n^2) Attention", "We study sparse attention; 90% of heads prune, ~4x faster.")


def test_arxiv_citations_prices_and_authors_macros_read_as_text(tmp_path: Path) -> None:
    abstract = (
        "Unlike prior work \\cite{a,b}, training costs $5 million, or $10 per run "
        "\\citep[p.~2]{c}. Error falls to $10^{-3}$ on the \\squad benchmark; we raised $2M."
    )
    assert _arxiv_paper(tmp_path, "Cheap \\ours{} Training", abstract) == (
        "Cheap ours Training",
        "Unlike prior work, training costs $5 million, or $10 per run. Error falls to 10^-3 on "
        "the squad benchmark; we raised $2M.",
    )


def test_a_jsonl_field_of_nothing_but_markup_is_named(tmp_path: Path) -> None:
    import pytest

    from assistant.errors import CollectionError

    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps({"title": "<i></i>", "abstract": "Text."}) + "\n")
    with pytest.raises(CollectionError, match=r"mine\.jsonl:1: 'title' holds nothing but markup"):
        load_collection([path])
