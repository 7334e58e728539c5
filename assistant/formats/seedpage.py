"""The scraped "trending papers" page (``.txt``): titles and abstracts alternate, one per
line, after optional page chrome."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import CollectionError
from .base import Record, make_record, read_text

# Lines of page chrome in pages scraped from a "trending papers" site.
_CHROME_LINE = re.compile(r"^Get trending papers\b", re.IGNORECASE)
# The newsletter button's label ends up glued to the front of the first title.
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")


def read_title_abstract_lines(path: Path) -> Iterator[Record]:
    lines = read_text(path).splitlines()
    start = 0
    while start < len(lines) and _CHROME_LINE.match(lines[start].strip()):
        start += 1
    end = len(lines)
    while end > start and not lines[end - 1].strip():
        end -= 1
    body = list(lines[start:end])
    if not body:
        raise CollectionError(path, None, "holds no papers")
    if start > 0:
        body[0] = _GLUED_SUBSCRIBE.sub("", body[0].strip())
    if len(body) % 2:
        raise CollectionError(
            path,
            end,
            f"odd number of lines ({len(body)}): every title needs an abstract line after it",
        )
    for offset in range(0, len(body), 2):
        title_line = start + offset + 1
        title, abstract = body[offset].strip(), body[offset + 1].strip()
        if not title:
            raise CollectionError(path, title_line, "empty title")
        if not abstract:
            raise CollectionError(path, title_line + 1, f"empty abstract for {title!r}")
        yield make_record(path, title_line, title, abstract)
