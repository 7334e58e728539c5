"""PubMed's MEDLINE format, as "Send to → Citation manager" (.nbib) and "Save → Format:
PubMed" (.txt) write it: continued lines, repeated author tags, a record without abstract."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import CollectionError
from assistant.sources import load_collection, scan_sources

PUBMED = """PMID- 31234567
OWN - NLM
DP  - 2019 Jun 12
TI  - Deep learning for protein structure: a review of
      recent advances.
LID - 10.1000/prot.2019 [doi]
AB  - BACKGROUND: Proteins fold. METHODS: We review deep
      learning methods.
FAU - Smith, John A
AU  - Smith JA
AD  - Some University.
FAU - Doe, Jane
AU  - Doe J
JT  - Journal of Proteins

PMID- 31234568
TI  - A letter without abstract.
DP  - 2020
"""


@pytest.mark.parametrize("name", ["citations.nbib", "pubmed-set.txt"])
def test_pubmed_exports_are_read(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(PUBMED.replace("\n", "\r\n"), encoding="utf-8")
    (source,) = scan_sources([path])
    assert (source.format, source.papers) == ("medline", 1)
    assert [(s.title, s.origin) for s in source.skipped] == [
        ("A letter without abstract.", f"{path}:16")
    ]
    (paper,) = load_collection([path])
    assert paper.title == "Deep learning for protein structure: a review of recent advances."
    assert paper.abstract == "BACKGROUND: Proteins fold. METHODS: We review deep learning methods."
    assert (paper.authors, paper.year, paper.doi, paper.venue, paper.url) == (
        ("Smith, John A", "Doe, Jane"),
        2019,
        "10.1000/prot.2019",
        "Journal of Proteins",
        "https://pubmed.ncbi.nlm.nih.gov/31234567/",
    )


def test_a_line_that_is_no_medline_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.nbib"
    path.write_text("PMID- 1\nTI  - Title\nthis line is no tag\n", encoding="utf-8")
    with pytest.raises(CollectionError, match=r"broken\.nbib:3: not a MEDLINE line"):
        load_collection([path])
