"""The bundled papers' sentence vectors ship with the package: their first offline answer and
claim check embed none of their sentences, and get the vectors the embedder would give."""

import numpy as np
import pytest
from claim_checks import CountingEmbedder

from assistant.answering.claims import _windows
from assistant.answering.extractive import quotable_sentences
from assistant.answering.vectors import SHARED_VECTORS, VectorCache, shipped_sentences
from assistant.citations import neutralise_markers
from assistant.resources import bundled_seed_files, resource_path
from assistant.settings import Settings
from assistant.shipped_vectors import (
    FILE_NAME,
    SENTENCE_RUN,
    SENTENCES,
    SENTENCES_FILE_NAME,
    load_shipped,
)
from assistant.sources import load_collection


@pytest.fixture(scope="module")
def bundled():
    return list(load_collection(bundled_seed_files()))


def test_every_sentence_the_answerers_embed_of_a_bundled_paper_is_shipped(embedder, bundled):
    # Fails when the seeds, the sentence splitter or the claim check's window change without
    # `python -m assistant.shipped_vectors` being run again.
    assert Settings().claim_window_sentences == SENTENCE_RUN
    shipped = shipped_sentences(embedder.embedder_id)
    assert shipped is not None
    for paper in bundled:
        quoted = [neutralise_markers(s) for _, s in quotable_sentences(paper.abstract)]
        texts = quoted + _windows(paper.abstract, SENTENCE_RUN)
        missing = [t for t, v in zip(texts, shipped.lookup(texts), strict=True) if v is None]
        assert missing == [], paper.title


def test_shipped_vectors_are_the_embedders_own_and_spare_it(embedder, bundled):
    counting = CountingEmbedder(embedder)
    sentences = [s for _, s in quotable_sentences(bundled[0].abstract)]
    edited = f"{sentences[0]} Edited."
    vectors = VectorCache(shipped=shipped_sentences).embed(counting, [*sentences, edited])
    assert counting.asked == [edited]  # only the text the package does not hold
    np.testing.assert_allclose(vectors, embedder.embed([*sentences, edited]), atol=1e-5)


def test_another_embedder_gets_no_shipped_vectors(embedder, bundled):
    assert shipped_sentences("another-embedder") is None
    counting = CountingEmbedder(embedder)
    sentence = quotable_sentences(bundled[0].abstract)[0][1]
    VectorCache(shipped=None).embed(counting, [sentence])
    assert counting.asked == [sentence]  # nothing shipped is consulted without a lookup


def test_the_shared_cache_keeps_the_shipped_vectors_when_cleared(embedder, bundled):
    SHARED_VECTORS.clear()
    counting = CountingEmbedder(embedder)
    SHARED_VECTORS.embed(counting, [s for _, s in quotable_sentences(bundled[1].abstract)])
    assert counting.asked == []


def test_a_damaged_or_foreign_file_is_no_shipped_vectors(tmp_path, embedder):
    shipped = (resource_path("data") / SENTENCES_FILE_NAME).read_bytes()
    scrambled = shipped[:3000] + bytes(b ^ 0x55 for b in shipped[3000:6000]) + shipped[6000:]
    for damage in (b"", b"PK\x03\x04 not a zip", shipped[:-1000], scrambled):
        damaged = tmp_path / "damaged.npz"
        damaged.write_bytes(damage)
        assert load_shipped(embedder.embedder_id, SENTENCES, damaged) is None
    chunks = resource_path("data") / FILE_NAME  # chunk vectors are not sentence vectors
    assert load_shipped(embedder.embedder_id, SENTENCES, chunks) is None
    assert load_shipped(embedder.embedder_id, SENTENCES) is not None
