"""Loading collections: the scraped seed page, JSONL, and every malformed case."""

from __future__ import annotations

from pathlib import Path

import pytest
from paper_files import write_jsonl

from assistant.collection import normalize_title, paper_id_for
from assistant.errors import CollectionError
from assistant.resources import bundled_seed_files
from assistant.sources import load_collection


def test_bundled_seed_page_holds_the_290_papers() -> None:
    papers = load_collection(bundled_seed_files())
    assert len(papers) == 290
    assert papers[0].title == (
        "LUKE: Deep Contextualized Entity Representations with Entity-aware Self-attention"
    )
    assert papers[-1].title == "UL2: Unifying Language Learning Paradigms"
    assert all(p.abstract and not p.title.startswith("Subscribe") for p in papers)
    assert len({p.paper_id for p in papers}) == 290


def test_paper_id_is_stable_under_case_spacing_and_punctuation() -> None:
    assert normalize_title("  UL2:  Unifying   Language ") == "ul2 unifying language"
    assert paper_id_for("UL2: Unifying Language") == paper_id_for("ul2 unifying language")
    assert paper_id_for("UL2") != paper_id_for("UL3")


def test_jsonl_with_optional_fields(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mine.jsonl",
        [
            {
                "title": "A",
                "abstract": "First.",
                "authors": ["Ada Lovelace", "Alan Turing"],
                "year": 2021,
                "url": "https://example.org/a",
            },
            {"title": "B", "abstract": "Second.", "authors": "Grace Hopper, Edsger Dijkstra"},
        ],
    )
    first, second = load_collection([path])
    assert first.authors == ("Ada Lovelace", "Alan Turing") and first.year == 2021
    assert first.url == "https://example.org/a"
    assert second.authors == ("Grace Hopper", "Edsger Dijkstra") and second.year is None


def test_several_files_load_together_and_titles_must_be_unique_across_them(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [{"title": "Same Title", "abstract": "x"}])
    b = write_jsonl(
        tmp_path / "b.jsonl",
        [{"title": "Other", "abstract": "y"}, {"title": "same title!", "abstract": "z"}],
    )
    assert len(load_collection([a, tmp_path / "a.jsonl"][:1])) == 1
    with pytest.raises(
        CollectionError, match=r"b\.jsonl:2: duplicate title .* \(first at .*a\.jsonl:1\)"
    ):
        load_collection([a, b])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"title": "A", "abstract": ""}\n', r"bad\.jsonl:1: missing or empty 'abstract'"),
        ('{"title": "A", "abstract": "x"}\n{"title": "A"\n', r"bad\.jsonl:2: bad JSON"),
        ('["a list"]\n', r"bad\.jsonl:1: each line must be a JSON object"),
        (
            '{"title": "A", "abstract": "x"}\n{"title": "a", "abstract": "y"}\n',
            r"bad\.jsonl:2: duplicate title",
        ),
        (
            '{"title": "A", "abstract": "x", "year": "soon"}\n',
            r"bad\.jsonl:1: 'year' must be a number",
        ),
        ('{"title": "A", "abstract": "x", "authors": 3}\n', r"bad\.jsonl:1: 'authors' must be"),
        ("\n\n", r"bad\.jsonl: holds no papers"),
    ],
)
def test_malformed_jsonl_names_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CollectionError, match=message):
        load_collection([path])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Title one\nAbstract one.\nTitle two\n", r"bad\.txt:3: odd number of lines"),
        ("Title one\n\nTitle two\nAbstract two.\n", r"bad\.txt:2: empty abstract for 'Title one'"),
        ("Title one\nA.\nTitle One\nB.\n", r"bad\.txt:3: duplicate title"),
    ],
)
def test_malformed_title_abstract_lines_name_file_and_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CollectionError, match=message):
        load_collection([path])


def test_scraped_page_chrome_and_glued_subscribe_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(
        "Get trending papers in your email inbox once a day!\n"
        "Get trending papers in your email inbox!\n"
        "SubscribeFirst Paper\nIts abstract.\nSecond Paper\nAnother abstract.\n",
        encoding="utf-8",
    )
    assert [p.title for p in load_collection([path])] == ["First Paper", "Second Paper"]


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title\nAbstract\nCaf\u00e9 title\nx\n".encode("latin-1"))
    with pytest.raises(CollectionError, match=r"latin1\.txt:3: not UTF-8"):
        load_collection([path])


def test_missing_file_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(CollectionError, match="no such file"):
        load_collection([tmp_path / "nope.jsonl"])
    # A mistyped name without an extension is missing, not of an unknown format.
    with pytest.raises(CollectionError, match="no such file"):
        load_collection([tmp_path / "papers"])
    (tmp_path / "papers.doc").write_text("a,b\n")
    with pytest.raises(CollectionError, match="unknown format"):
        load_collection([tmp_path / "papers.doc"])
