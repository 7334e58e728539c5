"""Papers: what one is, its stable id, how it is cited; loading collection files.

A paper's id comes from its normalised title, so it is stable across files and re-ingests.
Any problem stops the load with one error naming the file and line; nothing is half-read.
The readers of each format live in ``assistant.formats``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Paper:
    """One paper of the collection."""

    paper_id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    url: str | None = None
    doi: str | None = None
    venue: str | None = None
    origin: str = field(default="", compare=False)
    """``file:line`` the paper was read from (for error messages)."""

    @property
    def content_hash(self) -> str:
        """Changes whenever anything stored about the paper changes."""
        fields: list[Any] = [self.title, self.abstract, list(self.authors), self.year, self.url]
        # Only when set, so papers stored before these fields existed keep their hash.
        if self.doi or self.venue:
            fields += [self.doi, self.venue]
        payload = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    @property
    def source_file(self) -> str:
        """The file the paper was read from (``origin`` without the line)."""
        return self.origin.rpartition(":")[0] if ":" in self.origin else self.origin


def short_citation(authors: Sequence[str], year: int | None) -> str | None:
    """How a reference reads in running text: "Lovelace (2020)", "Lovelace and Hopper (2020)",
    "Lovelace et al. (2020)"; None when neither authors nor year are known."""
    names = [family_name(a) for a in authors if a.strip()]
    if not names and year is None:
        return None
    who = f"{names[0]} et al." if len(names) >= 3 else " and ".join(names)
    when = f"({year})" if year is not None else ""
    return " ".join(part for part in (who, when) if part)


def family_name(author: str) -> str:
    """ "Lovelace, Ada" and "Ada Lovelace" both give "Lovelace"."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0].strip()
    return author.split()[-1] if author.split() else author


def normalize_title(title: str) -> str:
    """Case, accents, punctuation and spacing folded away: equal titles compare equal."""
    text = unicodedata.normalize("NFKD", title).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", text))


def paper_id_for(title: str) -> str:
    """The stable id of the paper with this title."""
    return hashlib.sha1(normalize_title(title).encode()).hexdigest()[:16]
