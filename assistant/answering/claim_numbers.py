"""Numbers a claim states that none of its cited sources gives.

A sentence copied from a source with one number changed ("18x fewer parameters" becoming
"80x fewer") still means nearly the same to the embedder and shares all its other words, so
its support score passes; a reader trusting the mark would quote a number the paper never
gave. So every quantity a claim writes in digits must occur in a cited source: in digits or
in words ("three", "twice"), with or without a magnitude ("1.5B" is "1.5 billion"), as a
share ("90%" is "0.9"), or more precisely than the claim gives it ("about 90%" is what
"89.7%" says, within 5%).

Digits that are not quantities are left alone: parts of names (GPT-3, T5, ResNet-50, 3D,
v2.1), list enumerators ("(1)", "2)") and references to a part of a paper ("Table 2",
"source 3").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..citations import MARKER

_MAGNITUDES = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "b": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "trillion": 1e12,
}
_MAGNITUDE = r"(?:\s?(?P<word>thousand|million|billion|trillion)\b|(?P<letter>[kKMBT])(?![A-Za-z]))"
# Not preceded by a letter, digit, "-", "." or "/": "GPT-3", "v2.1", "ResNet-50" and "1/2" are
# names or parts of one; not followed by a letter other than a magnitude or "x": "3D", "2nd".
_CLAIM_NUMBER = re.compile(
    r"(?<![\w\-./])(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    rf"(?:{_MAGNITUDE}|[x×](?![A-Za-z])|(?=\s?%|(?![\w])))"
)
_SOURCE_NUMBER = re.compile(
    rf"(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:{_MAGNITUDE})?"
)
_PART_REFERENCE = re.compile(
    r"\b(?:table|tab|figure|fig|section|sec|eq|equation|appendix|step|chapter|page|source"
    r"|sources|ref|reference|version|stage|phase)\.?\s*$",
    re.IGNORECASE,
)
_COUNTING_WORDS = (  # noqa: SIM905 - a word list reads better as text
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_WORD_VALUES = {word: float(value) for value, word in enumerate(_COUNTING_WORDS)} | {
    "thirty": 30.0,
    "forty": 40.0,
    "fifty": 50.0,
    "sixty": 60.0,
    "seventy": 70.0,
    "eighty": 80.0,
    "ninety": 90.0,
    "hundred": 100.0,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "twice": 2.0,
    "double": 2.0,
    "doubles": 2.0,
    "doubling": 2.0,
    "triple": 3.0,
    "triples": 3.0,
    "thrice": 3.0,
    "half": 0.5,
    "halves": 0.5,
    "dozen": 12.0,
}
_WORD = re.compile(r"[a-z]+")
_ESCAPE_SEQUENCE = re.compile(r"\x1b(?:\][^\x07\x1b]*(?:\x07|\x1b\\)?|\[[0-?]*[ -/]*[@-~]|.)")
_CONTEXT = 24
"""Characters either side of a number read to tell a quantity from a name or a reference."""
ROUNDING_TOLERANCE = 0.05
"""How far (relative) a source's number may lie from the claim's rounding of it."""


@dataclass(frozen=True)
class StatedNumber:
    """A quantity as a claim writes it, and the values it may stand for, each with the unit of
    its last written digit ("1.5B": 1.5 to a tenth, or 1.5e9 to a hundred million)."""

    written: str
    readings: tuple[tuple[float, float], ...]

    def given_by(self, value: float) -> bool:
        """Whether a source's ``value`` says this number, rounded to its precision."""
        return any(
            abs(value - reading) <= unit / 2 + 1e-9 * unit
            and abs(value - reading) <= ROUNDING_TOLERANCE * abs(reading)
            for reading, unit in self.readings
        )


def claim_numbers(claim: str) -> list[StatedNumber]:
    """The quantities ``claim`` writes in digits (not names, enumerators or part references)."""
    # Terminal escape sequences a reply may carry ("\x1b]8;;url\x07") hold digits of no claim.
    claim = MARKER.sub(" ", _ESCAPE_SEQUENCE.sub(" ", claim))
    numbers = []
    for match in _CLAIM_NUMBER.finditer(claim):
        # Only the words next to a number tell what it is; slicing no further keeps a long
        # claim full of numbers linear.
        before = claim[max(0, match.start() - _CONTEXT) : match.start()]
        after = claim[match.end() : match.end() + _CONTEXT]
        if _is_enumerator(match.group("digits"), before, after):
            continue
        if _PART_REFERENCE.search(before):
            continue
        written = match.group(0) + ("%" if after.lstrip().startswith("%") else "")
        numbers.append(_stated(match, written))
    return numbers


def unstated_numbers(claim: str, sources: Sequence[str]) -> list[str]:
    """The quantities of ``claim`` (as written) that none of ``sources`` gives."""
    wanted = claim_numbers(claim)
    if not wanted:
        return []
    given = set(_source_values(sources))
    missing = [n.written for n in wanted if not any(n.given_by(value) for value in given)]
    return list(dict.fromkeys(missing))


def _is_enumerator(digits: str, before: str, after: str) -> bool:
    """ "(1)", "2)" opening an item: a list's counter, not a quantity."""
    return len(digits) <= 2 and after.startswith(")") and (not before or before[-1] in "( \t\n")


def _stated(match: re.Match[str], written: str) -> StatedNumber:
    digits = match.group("digits").replace(",", "")
    value = float(digits)
    unit = 10.0 ** -(len(digits.split(".")[1]) if "." in digits else 0)
    scale = _scale(match)
    readings = ((value, unit),) if scale == 1.0 else ((value, unit), (value * scale, unit * scale))
    return StatedNumber(written, readings)


def _scale(match: re.Match[str]) -> float:
    magnitude = match.group("word") or match.group("letter") or ""
    return _MAGNITUDES.get(magnitude.casefold(), 1.0)


def _source_values(sources: Iterable[str]) -> Iterable[float]:
    for source in sources:
        for match in _SOURCE_NUMBER.finditer(source):
            value = float(match.group("digits").replace(",", ""))
            yield value
            yield value * _scale(match)
            # a share and its percentage say the same thing
            yield value * 100
            yield value / 100
        for word in _WORD.findall(source.casefold()):
            if word in _WORD_VALUES:
                yield _WORD_VALUES[word]
                if word in ("half", "halves"):
                    yield 50.0
