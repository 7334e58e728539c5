"""The answer reader: a MiniLM-L6 cross-encoder that reads a question together with one paper
and scores whether the paper answers it.

Retrieval signals tell whether a paper is *about* a question; a detail the abstract leaves out
("how many GPU hours…" of an otherwise on-topic paper) looks the same to them. The reader sees
the question and the paper's words together, so it can tell. It is the bundled embedder's
network with a classification head, fine-tuned on the development questions by
``benchmarks/train_answer_reader.py`` and shipped as dynamically quantised ONNX.

An abstract rarely fits the reader's 192 tokens beside the question, so it reads the title and
the sentences that share the question's rarest words, in the abstract's order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .embedding import check_sha256, load_session
from .errors import ModelFileError
from .memo import BoundedMemo
from .resources import resource_path
from .text import content_terms, split_sentences

READER_FILE = "reader_qint8.onnx"
READER_SHA256 = "55b67b2a5dc2fae63c384556236a28db5297a2ec8ad2be3895646d2960675e19"
READER_MAX_TOKENS = 192
"""Question and passage together, as in training: attention cost grows with the square."""
QUESTION_MAX_TOKENS = 64
"""A longer question is cut: the passage needs the room more."""
REMEMBERED_PAIRS = 256
"""The latest (question, paper) pairs whose logits are kept: a chat session's worth."""
NUMBER_BONUS = 4.0
"""Added to a sentence's score when the question asks for a number and the sentence has one:
about the weight of one fairly rare shared word (IDF runs to ~6 over the bundled papers)."""


class ReaderInputs:
    """What the reader reads: word-piece ids of ``[CLS] question [SEP] passage [SEP]`` and
    their token types (training builds its inputs with this too, so they cannot drift)."""

    def __init__(self, tokenizer_dir: Path | None = None) -> None:
        from tokenizers import Tokenizer

        tokenizer_dir = tokenizer_dir or resource_path("models") / "all-MiniLM-L6-v2"
        self._tokenizer = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._cls, self._sep = (self._special(token) for token in ("[CLS]", "[SEP]"))

    def _special(self, token: str) -> int:
        found = self._tokenizer.token_to_id(token)
        if found is None:
            raise ModelFileError(f"the bundled tokenizer has no {token}; reinstall paper-assistant")
        return int(found)

    def tokens(self, text: str) -> list[int]:
        """Word-piece ids of ``text`` without the special tokens."""
        return list(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def pairs(
        self,
        question: str,
        papers: Sequence[tuple[str, str]],
        idf: Callable[[str], float],
        wants_number: bool,
    ) -> list[tuple[list[int], list[int]]]:
        """``(ids, token types)`` of the question with each ``(title, abstract)``."""
        question_ids = self.tokens(question)[:QUESTION_MAX_TOKENS]
        budget = READER_MAX_TOKENS - len(question_ids) - 3
        out = []
        for title, abstract in papers:
            text = self.passage(question, title, abstract, budget, idf, wants_number)
            passage_ids = self.tokens(text)[:budget]
            ids = [self._cls, *question_ids, self._sep, *passage_ids, self._sep]
            out.append((ids, [0] * (len(question_ids) + 2) + [1] * (len(passage_ids) + 1)))
        return out

    def passage(
        self,
        question: str,
        title: str,
        abstract: str,
        budget: int,
        idf: Callable[[str], float],
        wants_number: bool,
    ) -> str:
        """The title and as much of the abstract as fits in ``budget`` tokens: all of it, or
        the sentences sharing the most (IDF-weighted) of the question's words, in order."""
        head = title.rstrip(".") + ". "
        sentences = split_sentences(abstract)
        used = len(self.tokens(head))
        sizes = [len(self.tokens(s)) for s in sentences]
        if used + sum(sizes) <= budget:
            return head + " ".join(sentences)
        asked = set(content_terms(question))
        scores = [
            sum(idf(t) for t in asked & set(content_terms(s)))
            + (NUMBER_BONUS if wants_number and any(c.isdigit() for c in s) else 0.0)
            for s in sentences
        ]
        kept = set()
        for i in sorted(range(len(sentences)), key=lambda i: (-scores[i], i)):
            if used + sizes[i] <= budget:
                kept.add(i)
                used += sizes[i]
        return head + " ".join(sentences[i] for i in sorted(kept))


def padded(pairs: Sequence[tuple[list[int], list[int]]]) -> dict[str, np.ndarray]:
    """The model's feeds for ``pairs``: ids, attention mask and token types, padded."""
    width = max(len(ids) for ids, _ in pairs)
    ids = np.zeros((len(pairs), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, (pair_ids, pair_types) in enumerate(pairs):
        ids[row, : len(pair_ids)] = pair_ids
        mask[row, : len(pair_ids)] = 1
        types[row, : len(pair_types)] = pair_types
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


class AnswerReader:
    """Scores (question, paper) pairs: a logit, positive when the paper likely answers."""

    def __init__(self, model_path: Path | None = None, inputs: ReaderInputs | None = None) -> None:
        self._model_path = model_path or resource_path("models") / "answer-reader" / READER_FILE
        self.inputs = inputs or ReaderInputs()
        # The same question read with the same paper costs one pass: answering and the
        # evaluation's gate read each question, and a session asks again and again.
        self._read: BoundedMemo[tuple[int, ...], float] = BoundedMemo(REMEMBERED_PAIRS)

    def forget(self) -> None:
        """Forget the logits read so far (a benchmark's cold start)."""
        self._read.clear()

    @functools.cached_property
    def _session(self) -> Any:
        # Loaded on the first read: with a model the reader is never asked, and the request
        # should not wait for 22 MB it does not use.
        check_sha256(self._model_path, READER_SHA256, "answer reader model")
        return load_session(self._model_path, "answer reader model")

    def logits(
        self,
        question: str,
        papers: Sequence[tuple[str, str]],
        idf: Callable[[str], float],
        *,
        wants_number: bool = False,
    ) -> list[float]:
        """One logit per ``(title, abstract)``: how likely that paper answers ``question``.
        ``idf`` weighs the question's words when an abstract must be cut to fit. A damaged
        model file is a ``ModelFileError`` here, on the first read."""
        pairs = self.inputs.pairs(question, papers, idf, wants_number)
        logits = []
        for ids, types in pairs:
            key = tuple(ids)  # the ids decide the token types
            logit = self._read.get(key)
            if logit is None:
                # Alone, as the embedder runs: activations are quantised over a whole run,
                # so run-mates would nudge a logit.
                logit = float(self._session.run(None, padded([(ids, types)]))[0][0])
                self._read.put(key, logit)
            logits.append(logit)
        return logits


@functools.cache
def shared_reader() -> AnswerReader:
    """The bundled reader, one per process (its session is safe to share)."""
    return AnswerReader()
