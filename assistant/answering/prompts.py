"""Prompt templates: plain files under ``prompts/``, placeholders checked when loaded.

The templates use ``str.format`` placeholders (``{question}``); a literal brace in a template
is written doubled. Values substituted into a template (abstracts, questions) are never
themselves formatted, so braces in an abstract are harmless.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ConfigError
from ..resources import resource_path

CANNOT_ANSWER = "CANNOT_ANSWER"
"""What the model is told to reply when the sources do not answer; code and tests share it."""

# Each template file and exactly the placeholders it must use (no more, no fewer).
REQUIRED_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "system.md": frozenset({"cannot_answer"}),
    "answer.md": frozenset({"sources", "question", "cannot_answer"}),
    "condense.md": frozenset({"history", "question"}),
}

SOURCES_OPEN = "<sources>"
SOURCES_CLOSE = "</sources>"
_FENCE_TAG = re.compile(r"<\s*/?\s*sources\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Prompts:
    """The loaded templates, ready to render."""

    system: str
    answer: str
    condense: str

    def render_system(self) -> str:
        """The system message of an answer request."""
        return self.system.format(cannot_answer=CANNOT_ANSWER).strip()

    def render_answer(self, *, sources: str, question: str) -> str:
        """The user message: fenced sources, then the question."""
        return self.answer.format(
            sources=sources, question=question, cannot_answer=CANNOT_ANSWER
        ).strip()

    def render_condense(self, *, history: str, question: str) -> str:
        """The request that turns a follow-up into a standalone question."""
        return self.condense.format(history=history, question=question).strip()


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _decorated_placeholder(template: str) -> tuple[str, str] | None:
    """The first placeholder written with a conversion or format spec (``{question!r}``,
    ``{question:%}``) and how to write it plainly: the values are text put in as they are, so
    such a placeholder either fails once a question is asked or changes what the model reads."""
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is not None and (spec or conversion):
            written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return "{" + written + "}", "{" + name + "}"
    return None


def load_prompts(directory: Path | None = None) -> Prompts:
    """The templates: the shipped ``prompts/``, with any file of the same name in ``directory``
    (the ``prompts_dir`` setting) used instead.

    Raises ``ConfigError`` naming the file when a template is unreadable, not UTF-8, or uses
    other placeholders than the ones the code fills in.
    """
    if directory is None:
        return _shipped_prompts()
    if not directory.is_dir():
        raise ConfigError(
            f"prompts_dir {directory} is not a directory; create it or unset prompts_dir"
        )
    shipped = _shipped_prompts()
    texts = {
        name: _read_checked(directory / name, need, user=True)
        if (directory / name).exists()
        else getattr(shipped, name.removesuffix(".md"))
        for name, need in REQUIRED_PLACEHOLDERS.items()
    }
    return Prompts(
        system=texts["system.md"], answer=texts["answer.md"], condense=texts["condense.md"]
    )


@lru_cache(maxsize=1)
def _shipped_prompts() -> Prompts:
    directory = resource_path("prompts")
    texts = {
        name: _read_checked(directory / name, need) for name, need in REQUIRED_PLACEHOLDERS.items()
    }
    return Prompts(
        system=texts["system.md"], answer=texts["answer.md"], condense=texts["condense.md"]
    )


def _read_checked(path: Path, need: frozenset[str], *, user: bool = False) -> str:
    remedy = "fix it or remove it from prompts_dir" if user else "reinstall the package"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"prompt template {path} cannot be read ({exc.strerror}); {remedy}"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"prompt template {path} is not UTF-8 text; {remedy}") from None
    try:
        found = placeholders(text)
    except ValueError as exc:  # unbalanced braces
        raise ConfigError(
            f"prompt template {path}: {exc}; write a literal brace as {{{{ or }}}}"
        ) from None
    decorated = _decorated_placeholder(text)
    if decorated:
        written, plain = decorated
        raise ConfigError(f"prompt template {path}: write the placeholder {written} as {plain}")
    missing, unknown = sorted(need - found), sorted(found - need)
    if missing or unknown:
        problems = []
        if missing:
            problems.append("missing " + ", ".join("{" + n + "}" for n in missing))
        if unknown:
            problems.append("unknown " + ", ".join("{" + n + "}" for n in unknown))
        raise ConfigError(f"prompt template {path}: {'; '.join(problems)} placeholder(s)")
    return text


def fence_source_text(text: str) -> str:
    """Keep an abstract from closing the sources fence early (it is data, never instructions)."""
    return _FENCE_TAG.sub(lambda m: m.group().replace("<", "‹").replace(">", "›"), text)
