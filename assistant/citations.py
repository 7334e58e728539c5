"""Citations are owned by code: ``[n]`` markers are parsed, checked against the sources given,
and markers that point at no source are removed (and reported) before any text is shown.

Recognised markers: ``[3]``, ``[1, 2]``, ``[1][2]`` (two markers), ranges ``[1-3]`` / ``[1–3]``;
written otherwise (``【1】``, ``［1］``, ``[^1]``, ``[1; 2]``, ``\\[1\\]``, ``[Source 1]``,
``[Paper 2]``, ``(Sources 1 and 2)``, ``(Source 1, Source 2)``, ``[citation:1]``), they are
rewritten as ``[n]``. A bare ``(1)`` or a superscript is no marker: both are common in prose
(enumerations, units, footnotes); nor is an interval (``[0, 1]``, "a scale of [1, 5]" or
"of [1-5]").
The same streaming filter serves live output and whole texts, so what a user saw while the
answer streamed is exactly the final ``Answer.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MARKER_BODY = r"\s*\d+(?:\s*[,\-–]\s*\d+)*\s*"
"""The grammar of what may stand between the brackets of a citation marker."""
MARKER = re.compile(r"\[(" + MARKER_BODY + r")\]")
"""A whole citation marker in a text, ``[3]``, ``[1, 2]``, ``[1-3]``; group 1 is its inside."""
_MARKER_BODY = re.compile("^" + MARKER_BODY + "$")
_MARKER_CHARS = frozenset("0123456789,-– ")
# Other ways models write a marker, rewritten as ``[n]`` as they stream: lenticular or
# full-width brackets (``【1】``, ``［1］``, common in Chinese answers), Markdown-escaped ones
# (``\\[1\\]``), a footnote caret (``[^1]``), semicolons or "and" between the numbers
# (``[1; 2]``, ``[Sources 1 and 2]``), a word naming the source, once or before each number
# (``[Source 1]``, ``[Paper 2]``, ``(Source 1, Source 2)``, ``[citation:1]``: small models
# name the sources so; in parentheses only with that word).
_CLOSERS = {"[": "]", "【": "】", "［": "］", "(": ")"}
_ESCAPE = "\\"
# Not "ref": the paper's own references reach the model rewritten as "(ref. 12)".
_NAMING_WORDS = ("source", "paper", "abstract", "document", "doc", "citation")
_NAMING_WORD = "(?:" + "|".join(f"{word}s?" for word in _NAMING_WORDS) + ")"
_SOURCE_WORD = re.compile(rf"^\s*{_NAMING_WORD}\s*:?", re.IGNORECASE)
_NUMBER_OR_RANGE = re.compile(r"\d+(?:\s*[-–]\s*\d+)?")
_WRITTEN_ITEM = rf"(?:{_NAMING_WORD}\s*:?\s*)?\^?\s*{_NUMBER_OR_RANGE.pattern}"
_WRITTEN_SEPARATOR = r"\s*(?:[,;&]\s*(?:and\s+)?|and\s+)\s*"
_WRITTEN_BODY = re.compile(
    rf"^\s*{_WRITTEN_ITEM}(?:{_WRITTEN_SEPARATOR}{_WRITTEN_ITEM})*\s*$", re.IGNORECASE
)
_WRITTEN_WORDS = (*_NAMING_WORDS, "and")
_WRITTEN_CHARS = (
    _MARKER_CHARS
    | set(";^:&" + _ESCAPE)
    | {c for w in _WRITTEN_WORDS for c in w + w.upper() + "sS"}
)
_MAX_MARKER_LEN = 60  # longer bracketed text is prose, not a citation
_MAX_RANGE = 50  # "[1-9999]" is not a citation of 9999 sources
_CLOSING_PUNCTUATION = frozenset(".,;:!?)")
# An interval in prose is no citation list: two numbers of which one is 0 (no source is 0:
# "[0, 1]", "[0-100]"), or a pair after words that introduce an interval ("a scale of [1, 5]",
# "in the range [1, 10]", "between [2, 8]", "normalised to [1, 5]", "sampled from [1, 4]").
_NUMBER_PAIR = re.compile(r"^\s*(\d+)\s*([,\-–])\s*(\d+)\s*$")
_INTERVAL_CUE = re.compile(
    r"(?:\b(?:intervals?|ranges?|ranging|scales?|between|within)"
    r"|\b(?:(?:re)?scaled|normali[sz]ed|clipped|clamped|mapped|squashed|bounded|restricted|"
    r"limited)\s+(?:to|in|into|within)"
    r"|\b(?:sampled|drawn|chosen|picked|uniform(?:ly)?)\s+(?:from|in|on|over))"
    r"(?:\s+(?:of|from|in|on|over|is|was|are|were|the|a|an))*\s*$",
    re.IGNORECASE,
)
# "[1-5]" is the usual way to cite a run of sources, so a dash pair is an interval only after
# a cue that leads into a value ("a scale of [1-5]", "in the range [1-10]", "scaled to
# [1-5]"), not after a bare noun ("at large scales [1-3]").
_DASH_INTERVAL_CUE = re.compile(
    r"(?:\b(?:intervals?|ranges?|scales?)\s+(?:of|from)"
    r"|\branging\s+from"
    r"|\b(?:in|within|on)\s+(?:the|a|an)\s+(?:range|interval|scale)"
    r"|\b(?:(?:re)?scaled|normali[sz]ed|clipped|clamped|mapped|squashed|bounded|restricted|"
    r"limited)\s+(?:to|in|into|within)"
    r"|\b(?:sampled|drawn|chosen|picked|uniform(?:ly)?)\s+(?:from|in|on|over))"
    r"(?:\s+(?:the|a|an))?\s*$",
    re.IGNORECASE,
)
_CUE_REACH = 40
"""How much text before a bracket is read for an interval's cue."""


def is_interval(body: str, before: str) -> bool:
    """Whether ``[body]``, written after ``before``, is an interval rather than a citation."""
    pair = _NUMBER_PAIR.match(body)
    if pair is None:
        return False
    if int(pair.group(1)) == 0 or int(pair.group(3)) == 0:
        return True
    cue = _INTERVAL_CUE if pair.group(2) == "," else _DASH_INTERVAL_CUE
    return cue.search(before[-_CUE_REACH:]) is not None


def parse_marker(body: str) -> list[int]:
    """The source numbers in a marker's inside (``"1, 3-5"`` -> ``[1, 3, 4, 5]``)."""
    numbers: list[int] = []
    for part in body.split(","):
        part = part.strip()
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2:
            low, high = int(bounds[0]), int(bounds[1])
            if low <= high and high - low <= _MAX_RANGE:
                numbers.extend(range(low, high + 1))
            else:
                numbers.extend([low, high])
        else:
            numbers.extend(int(b) for b in bounds)
    return numbers


def marker_spans(text: str) -> list[tuple[int, int, list[int]]]:
    """Every citation marker in ``text`` as ``(start, end, source numbers)``, in order: what a
    reader of an answer can click."""
    return [
        (match.start(), match.end(), parse_marker(match.group(1)))
        for match in MARKER.finditer(text)
        if len(match.group(0)) <= _MAX_MARKER_LEN + 1  # the filter holds "[" + 59 chars
        and not is_interval(
            match.group(1), text[max(0, match.start() - _CUE_REACH) : match.start()]
        )
    ]


@dataclass
class CitationFilter:
    """Feed text deltas, get back text with only valid markers; then read ``cited``/``invalid``.

    Text that might be the start of a marker (``"[1"``) is held until it is decided; whitespace
    before a removed marker is dropped so "shown [7]." becomes "shown.".
    """

    source_count: int
    cited: list[int] = field(default_factory=list)
    """Valid source numbers, in order of first use."""
    invalid: list[int] = field(default_factory=list)
    """Numbers that pointed at no source (removed from the text), in order of first use."""
    _marker: str = ""
    _whitespace: str = ""
    _after_removal: bool = False
    _recent: str = ""
    """The text just before the held marker, read for an interval's cue ("a scale of")."""

    def feed(self, delta: str) -> str:
        """Process one delta; returns the text that can be shown now."""
        out: list[str] = []
        for char in delta:
            self._consume(char, out)
        return "".join(out)

    def finish(self) -> str:
        """Flush what is held back (an unclosed ``[`` is plain text)."""
        out: list[str] = []
        self._release_marker(out)
        out.append(self._whitespace)
        self._whitespace = ""
        return "".join(out)

    def _consume(self, char: str, out: list[str]) -> None:
        if not self._marker:
            if char in _CLOSERS or char == _ESCAPE:
                self._marker = char
            else:
                self._plain(char, out)
            return
        if self._marker == _ESCAPE:
            if char == "[":
                self._marker += char
                return
            self._release_marker(out)  # a backslash that escapes no bracket
            self._consume(char, out)
        elif char == _CLOSERS[self._marker.lstrip(_ESCAPE)[0]]:
            self._close_marker(out, char)
        elif char in _WRITTEN_CHARS and len(self._marker) < _MAX_MARKER_LEN:
            self._marker += char
        else:
            # Not a marker after all: release it as text and look at this char afresh.
            self._release_marker(out)
            self._consume(char, out)

    def _release_marker(self, out: list[str]) -> None:
        pending, self._marker = self._marker, ""
        for held in pending:
            self._plain(held, out)

    def _plain(self, char: str, out: list[str]) -> None:
        self._recent = (self._recent + char)[-_CUE_REACH:]
        if char.isspace():
            if self._after_removal:
                # Whitespace after a removed marker replaces the one before it (keeps newlines).
                self._whitespace = char
                self._after_removal = False
            else:
                self._whitespace += char
            return
        if self._after_removal and char in _CLOSING_PUNCTUATION:
            self._whitespace = ""
        out.append(self._whitespace + char)
        self._whitespace = ""
        self._after_removal = False

    def _close_marker(self, out: list[str], closer: str) -> None:
        held, self._marker = self._marker, ""
        escaped = held.startswith(_ESCAPE)
        opener = held[1] if escaped else held[0]
        body = held[2:] if escaped else held[1:]
        if escaped and body.endswith(_ESCAPE):
            body = body[: -len(_ESCAPE)]  # "\\[1\\]"
        named = _SOURCE_WORD.match(body)
        if (
            not _WRITTEN_BODY.match(body)
            or (opener == "(" and not named)
            or (not named and is_interval(body, self._recent))
        ):
            for char in held + closer:
                self._plain(char, out)
            return
        if not _MARKER_BODY.match(body) or held[0] != "[":
            # the one way markers are written
            body = ", ".join(_NUMBER_OR_RANGE.findall(body))
        self._cite(out, body)

    def _cite(self, out: list[str], body: str) -> None:
        numbers = parse_marker(body)
        valid = [n for n in numbers if 1 <= n <= self.source_count]
        for n in numbers:
            target = self.cited if n in valid else self.invalid
            if n not in target:
                target.append(n)
        if not valid:
            self._after_removal = True
            return
        text = "[" + body + "]" if len(valid) == len(numbers) else _format_marker(valid)
        self._recent = (self._recent + text)[-_CUE_REACH:]
        out.append(self._whitespace + text)
        self._whitespace = ""
        self._after_removal = False


def _format_marker(numbers: list[int]) -> str:
    unique = list(dict.fromkeys(numbers))
    return "[" + ", ".join(str(n) for n in unique) + "]"


@dataclass(frozen=True)
class CitationCheck:
    """The outcome of checking a whole text."""

    text: str
    cited: list[int]
    invalid: list[int]


def check_citations(text: str, source_count: int) -> CitationCheck:
    """Remove markers that point at no source; report which sources were cited."""
    citation_filter = CitationFilter(source_count)
    cleaned = citation_filter.feed(text) + citation_filter.finish()
    return CitationCheck(cleaned, list(citation_filter.cited), list(citation_filter.invalid))


_SOURCE_TEXT_MARKER = re.compile(rf"\[([0-9,\-– ]{{1,{_MAX_MARKER_LEN}}})\]")


def neutralise_markers(text: str) -> str:
    """Reference markers inside a source's own text (``[12]``, ``[1, 2]``, ``[3-5]``) rewritten
    as ``(ref. 12)``, ``(refs. 1, 2)``, ``(refs. 3-5)``: they point at the paper's bibliography,
    not at our sources, so nothing downstream may count them as citations."""

    def rewrite(match: re.Match[str]) -> str:
        body = match.group(1)
        if not _MARKER_BODY.match(body):
            return match.group(0)
        body = " ".join(body.split())
        several = any(mark in body for mark in ",-–")
        return f"(ref{'s' if several else ''}. {body})"

    return _SOURCE_TEXT_MARKER.sub(rewrite, text)


# A model's own list of what it cited, after the answer ("Sources:", "**References**",
# "## Bibliography"), one entry a line ("[1] Title", "- [2] Title", "1. Title [1]"), or all on
# the heading's line ("Sources: [1], [2]", "**Sources:** [1] Title; [2] Title").
_HEADING_WORDS = (
    r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?\s*(?:sources?|references?|citations?|bibliography|"
    r"works cited|cited sources|sources cited|sources used)\s*:?\s*(?:\*\*|__)?\s*:?\s*"
)
_LIST_HEADING = re.compile(_HEADING_WORDS + "$", re.IGNORECASE)
_INLINE_LIST = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:sources?|references?|citations?|cited sources|sources cited|"
    r"sources used)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*\[\s*\d",
    re.IGNORECASE,
)
_LIST_ENTRY = re.compile(r"^\s*(?:[-*•]\s*)?(?:\[\s*\d+\s*\]|\d+[.)]\s)")
_NOT_PROSE = re.compile(r"^\s*(?:[-*+•|#>]|\d+[.)]\s)")
# A footnote's definition ("[^1]: Title", which the filter has made "[1]: Title").
_FOOTNOTE = re.compile(r"^\s*\[\s*(\d+)\s*\]:")


def reference_list_start(text: str) -> int | None:
    """Where a reference list the model appended to its answer starts (its heading, or its
    first footnote definition), or None.

    Its entries only repeat which sources exist: they are not citations of any sentence,
    and not claims. Only a list that ends the text counts."""
    start = _headed_list_start(text)
    if start is None:
        start = _footnotes_start(text)
    if start is not None and not text[:start].strip():
        return None  # the whole reply is that list: then it is the answer
    return start


def _headed_list_start(text: str) -> int | None:
    offset = 0
    start: int | None = None
    above = ""
    for line in text.splitlines(keepends=True):
        if start is None:
            if _starts_list(line, above):
                start = offset
        elif line.strip() and not _LIST_ENTRY.match(line):
            # Prose after the heading: it was a lead-in, not a reference list.
            start = offset if _starts_list(line, above) else None
        offset += len(line)
        above = line
    return start


def _starts_list(line: str, above: str) -> bool:
    """Whether ``line`` heads a list of sources. A one-line "Source: [1]" straight under a
    line of prose that cites nothing is that paragraph's citation, as some models (Llama)
    cite each paragraph; after a blank line, or under cited prose, it lists sources."""
    if _LIST_HEADING.match(line):
        return True
    if not _INLINE_LIST.match(line):
        return False
    return not (above.strip() and not _NOT_PROSE.match(above) and not MARKER.search(above))


def _footnotes_start(text: str) -> int | None:
    """Where the footnote definitions that end ``text`` start, when each defines a number
    the text before them cites (a reply of "[1]: X uses Y." lines is an answer, not notes)."""
    lines = text.splitlines(keepends=True)
    end = len(text)
    start: int | None = None
    defined: list[int] = []
    for line in reversed(lines):
        end -= len(line)
        footnote = _FOOTNOTE.match(line)
        if footnote:
            start = end
            defined.append(int(footnote.group(1)))
        elif line.strip():
            break
    if start is None:
        return None
    cited = {n for _, _, numbers in marker_spans(text[:start]) for n in numbers}
    return start if set(defined) <= cited else None
