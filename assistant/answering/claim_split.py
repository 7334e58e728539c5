"""Splitting a model's answer into claims: its sentences, each with the ``[n]`` markers that
cite it, read the way the answer is laid out in Markdown.

Instruction-tuned models rarely write one cited sentence after another. They write bullet and
numbered lists with bold lead-ins, tables, block quotes, paragraphs whose one citation closes
the paragraph, and lead-ins ("The paper reports [1]:") whose citation covers the list below.
Each layout decides which sentence a marker cites, so the answer is first cut into blocks
(paragraphs, list items, table rows; headings and code are no claims), and sentences never
run across blocks. A claim's text is its sentence as written (white space folded), so a
reader, and the chat app's ``⚠`` mark, can find it in the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..citations import MARKER, MARKER_BODY, marker_spans, reference_list_start
from ..text import ends_with_abbreviation, sentence_spans
from .declining import only_declines

_MARKERS = rf"\[{MARKER_BODY}\](?:\s*\[{MARKER_BODY}\])*"
_MARKER_LIST = rf"\[{MARKER_BODY}\](?:\s*(?:[,;&]|and)?\s*\[{MARKER_BODY}\])*"
_IN_PARENTHESES = rf"\(\s*(?:(?:sources?|references?|see)\s*:?\s*)?{_MARKER_LIST}\s*\)"
# used with match(): anchored
_LEADING_MARKERS = re.compile(rf"(?:{_MARKERS}|{_IN_PARENTHESES})\s*[:;,]?\s*", re.IGNORECASE)
# Markers and nothing else a reader would take for a claim: "[1][2]", "(Source: [1])",
# "(Sources: [1], [2])", a "Source: [1]" line under a paragraph.
_SOURCE_LINE = (
    r"(?:\*\*|__)?(?:sources?|references?)\s*(?::\s*(?:\*\*|__)?|(?:\*\*|__)\s*:)\s*" + _MARKER_LIST
)
_CITATION_ONLY = rf"(?:{_MARKERS}|{_IN_PARENTHESES}|{_SOURCE_LINE})"
_ONLY_MARKERS = re.compile(rf"^\s*{_CITATION_ONLY}\s*[.,;]?\s*$", re.IGNORECASE)
_CITATION_FRAGMENT = re.compile(_CITATION_ONLY, re.IGNORECASE)
_CITATION_SENTENCE = re.compile(rf"{_CITATION_ONLY}\s*[.,;]?\s*", re.IGNORECASE)
_ONLY_CITATIONS = re.compile(rf"\s*(?:{_CITATION_ONLY}\s*[.,;]?\s*)*", re.IGNORECASE)
_STOP = r"[.!?。！？]"
_CLOSERS = r"[\"'”’)*_`]"
# Where an answer's sentence ends though the general splitter (made for abstracts) goes on:
# a marker at the stop ends the sentence whatever follows ("… [1]. **Second**, …",
# "… true. [2] wav2vec …"), and so does a stop before emphasis, code, math or a curly quote
# ("… [1]. `LiMBeR` shows …") or a closing quote or emphasis before a capital ('… so." Then').
_ANSWER_SENTENCE_END = re.compile(
    rf"\d\s*\]\s*{_STOP}{_CLOSERS}*(?=\s*\S)|{_STOP}{_CLOSERS}*\s*(?i:{_CITATION_ONLY})(?=\s*[^\s:;,])"
    rf"|{_STOP}{_CLOSERS}*(?=\s+(?:\*\*?|__?|`|\$|[“‘])\S)"
    rf"|{_STOP}{_CLOSERS}+(?=\s+[\"'“‘(\[]?[A-Z0-9])"
)
_QUOTE_PREFIX = re.compile(r"^\s*(?:>\s?)+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}=+\s*$")
_THEMATIC_BREAK = re.compile(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_LIST_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d+[.)])\s+")
_CODE_FENCE = re.compile(r"^\s*(?:```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
# A bold line standing for a heading ("**Key findings**", "**Method.**"); a longer bold
# sentence is a claim.
_PSEUDO_HEADING = re.compile(
    r"^(?:\*\*|__)(?:(?:[^\s*_]+\s+){0,7}[^\s*_]*[^\s*_.!?]|(?:[^\s*_]+\s+){0,2}[^\s*_]+)(?:\*\*|__)$"
)
_WORD = re.compile(r"[^\W_]")
# What a chat model says to its reader around an answer, not about the papers.
_TO_THE_READER = re.compile(
    r"^\W*(?:let me know|(?:i )?hope (?:this|that|it) helps|feel free|happy to help|"
    r"if you (?:need|want|would like|have|'d like)|please (?:let me know|feel free|ask)|"
    r"(?:is there )?anything else|would you like|do you want|i can (?:also )?(?:help|provide|"
    r"go into|explain|summari[sz]e|elaborate))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ClaimText:
    """One claim of an answer as written, and the source numbers it cites (first use first)."""

    text: str
    citations: list[int]


def split_claims(text: str) -> list[ClaimText]:
    """The claims of ``text``: its sentences, list items and table rows, each with its ``[n]``
    citations. Markers at a sentence's stop, or alone on the next line, cite that sentence; a
    paragraph's citation covers its uncited sentences before it; a lead-in's ("… [1]:") covers
    the list items under it. Headings, code, questions and lead-ins are not claims."""
    text = text[: reference_list_start(text)]  # a list of sources at the end claims nothing
    claims: list[ClaimText] = []
    lead_in = _LeadIn()
    for block in _blocks(text):
        block_claims, block_lead_in = _claims_of_block(block.text)
        block_claims = _cited_by_paragraph_end(block_claims)
        nested = block.kind != "text" and block.indent >= lead_in.indent
        if lead_in.citations and nested:
            block_claims = [_cited_if_uncited(c, lead_in.citations) for c in block_claims]
        elif not nested:
            lead_in = _LeadIn()
        if block_lead_in is not None:
            # Items under this lead-in are indented deeper than it (under a paragraph: any).
            lead_in = _LeadIn(block_lead_in, block.indent + (block.kind != "text"))
        claims.extend(block_claims)
    return claims


def is_claim(sentence: str) -> bool:
    """Words, not a lead-in to a list ("The papers differ in three ways:"), a question (a
    title such as "What Does BERT Look At?" asks, it claims nothing), a bold line standing
    for a heading ("**Key findings**"), a sentence about the sources rather than the world
    ("The sources do not state this directly.") or one addressed to the reader ("Let me know
    if you need more.")."""
    plain = plain_claim(sentence).rstrip("*_ ")
    if _PSEUDO_HEADING.match(sentence.strip()) and not MARKER.search(sentence):
        return False
    if only_declines(plain) or (_TO_THE_READER.match(plain) and not MARKER.search(sentence)):
        return False
    return bool(_WORD.search(plain)) and not plain.endswith((":", "?", "：", "？"))


def only_citations(text: str) -> bool:
    """Whether ``text`` is markers and nothing else ("[1][2]", "(Source: [1])",
    "Source: [1]"): it says nothing, so it is no claim, and no answer on its own."""
    return _ONLY_CITATIONS.fullmatch(text) is not None


def plain_claim(text: str) -> str:
    """The claim without its markers, emphasis and table bars, as compared with sources."""
    text = _CITATION_FRAGMENT.sub(" ", text)  # "(Source: [1])" says nothing of the papers
    return " ".join(MARKER.sub(" ", text).replace("**", "").replace("|", " ").split())


def citations_in(text: str) -> list[int]:
    """The source numbers of the markers in ``text``, each once, first use first."""
    numbers = [n for _, _, marker_numbers in marker_spans(text) for n in marker_numbers]
    return list(dict.fromkeys(numbers))


# -- blocks --------------------------------------------------------------------------------------


@dataclass
class _Block:
    """A paragraph (``text``), a list item (``item``) or a table row (``row``): the lines of
    the answer whose sentences share a citation written at their end."""

    kind: str
    indent: int = 0
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class _LeadIn:
    """The citations of a lead-in ("The paper reports [1]:") that the items under it share."""

    citations: list[int] = field(default_factory=list)
    indent: int = 0


def _blocks(text: str) -> list[_Block]:
    """The answer's paragraphs, list items and table rows, without their bullets and quote
    marks; headings, code, table headers and rules separate blocks and are left out."""
    blocks: list[_Block] = []
    lines = [_QUOTE_PREFIX.sub("", line) for line in text.splitlines()]
    current: _Block | None = None
    in_code = in_table = False
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _CODE_FENCE.match(line):
            in_code, current = not in_code, None
            continue
        if _ONLY_MARKERS.match(line) and blocks and not in_code:
            blocks[-1].lines.append(line)  # markers on a line of their own cite the block above
            continue
        if in_code or _ends_block(line, following):
            in_table = in_table and bool(line.strip()) and not in_code
            current = None
            continue
        if _SETEXT_UNDERLINE.match(line) and current is not None and current.kind == "text":
            blocks.remove(current)  # the paragraph above was a heading
            current = None
            continue
        if _TABLE_RULE.match(line) or (in_table and "|" in line):
            in_table = True
            if not _TABLE_RULE.match(line):
                blocks.append(_Block("row", 0, [line]))
            current = None
            continue
        bullet = _LIST_BULLET.match(line)
        if bullet:
            current = _Block("item", len(bullet.group(1)), [line[bullet.end() :]])
            blocks.append(current)
        elif current is not None:
            current.lines.append(line)
        else:
            current = _Block("text", 0, [line])
            blocks.append(current)
    return blocks


def _ends_block(line: str, following: str) -> bool:
    """A blank line, a heading, a thematic break, or a table's header row (the line above
    its ``|---|`` rule)."""
    if not line.strip() or _HEADING.match(line) or _THEMATIC_BREAK.match(line):
        return True
    return "|" in line and bool(_TABLE_RULE.match(following))


# -- sentences of a block --------------------------------------------------------------------


def _claims_of_block(text: str) -> tuple[list[ClaimText], list[int] | None]:
    """The claims of one block, and, when the block ends with a lead-in ("… [1]:"), the
    citations of that lead-in (None when it does not end with one)."""
    claims: list[ClaimText] = []
    lead_in: list[int] | None = None
    for start, end in _sentence_spans(text):
        sentence = text[start:end]
        lead_in = None
        if is_claim(sentence):
            claims.append(ClaimText(" ".join(sentence.split()), citations_in(sentence)))
        elif plain_claim(sentence).rstrip("*_ ").endswith((":", "：")):
            lead_in = citations_in(sentence)
    return claims, lead_in


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of an answer's block: the general splitter's, cut further where an
    answer's sentence ends (a marker at the stop, emphasis or code after it), markers opening
    a sentence given to the one they follow, and cuts inside parentheses undone."""
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        for match in _ANSWER_SENTENCE_END.finditer(text, start, end):
            if match.end() < end and not _ends_abbreviation(text, start, match.start()):
                spans.append((start, match.end()))
                start = (
                    match.end()
                    + len(text[match.end() : end])
                    - len(text[match.end() : end].lstrip())
                )
        spans.append((start, end))
    return _joined_inside_parentheses(text, _markers_to_sentence_before(text, spans))


def _markers_to_sentence_before(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Markers opening a sentence ("True. [1] Next …", a marker-only line) cite the sentence
    before them, when it ended with a stop; after a question (a paper's title) they open the
    claim they stand before ("What Is X? [2]: X is …")."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        leading = _LEADING_MARKERS.match(text, start, end) or _CITATION_SENTENCE.fullmatch(
            text, start, end
        )
        if leading and out and text[out[-1][0] : out[-1][1]].rstrip("\"'”’)*_` ")[-1:] in ".!。！":
            out[-1] = (out[-1][0], start + len(leading.group(0).rstrip(":;, \n\t")))
            start = leading.end()
            if start >= end:
                continue
        out.append((start, end))
    return out


def _ends_abbreviation(text: str, start: int, stop: int) -> bool:
    """Whether the stop at ``stop`` ends an abbreviation ("et al. [1] show …"); a cut that
    starts with a marker ("… [1].") ends a sentence."""
    return text[stop] in ".!?" and ends_with_abbreviation(text[start : stop + 1])


def _joined_inside_parentheses(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    joined: list[tuple[int, int]] = []
    depth = 0  # parentheses left open by the last joined span
    for start, end in spans:
        if depth > 0 and ")" in text[start:end]:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
            depth = 0
        depth = _open_parentheses(text[start:end], depth)
    return joined


def _open_parentheses(text: str, depth: int) -> int:
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
    return depth


# -- citations shared between claims -------------------------------------------------------------


def _cited_by_paragraph_end(claims: list[ClaimText]) -> list[ClaimText]:
    """Uncited sentences take the citations of the next cited one in their block: "A. B. [1]"
    cites [1] for both (each is still checked against it)."""
    shared: list[int] = []
    out: list[ClaimText] = []
    for claim in reversed(claims):
        shared = claim.citations or shared
        out.append(_cited_if_uncited(claim, shared))
    return out[::-1]


def _cited_if_uncited(claim: ClaimText, citations: list[int]) -> ClaimText:
    return claim if claim.citations or not citations else ClaimText(claim.text, list(citations))
