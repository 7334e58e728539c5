"""The bounded memo under the claim check's vectors and the reader's logits."""

import threading

import numpy as np

from assistant.answering.vectors import VectorCache
from assistant.memo import BoundedMemo


def test_the_least_recently_used_entry_is_forgotten_first():
    memo: BoundedMemo[str, int] = BoundedMemo(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "a" is now the most recent
    memo.put("c", 3)
    assert (memo.get("a"), memo.get("b"), memo.get("c")) == (1, None, 3)
    assert len(memo) == 2
    memo.clear()
    assert len(memo) == 0 and memo.get("c") is None


def test_missing_keys_come_once_in_order():
    memo: BoundedMemo[str, int] = BoundedMemo(4)
    memo.put("b", 2)
    assert memo.missing(["c", "b", "a", "c"]) == ["c", "a"]


def test_threads_never_leave_it_over_its_size():
    memo: BoundedMemo[int, int] = BoundedMemo(16)

    def fill(offset: int) -> None:
        for i in range(500):
            memo.put(offset + i, i)
            memo.get(offset + i // 2)

    threads = [threading.Thread(target=fill, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(memo) == 16


class CountingEmbedder:
    embedder_id = "counting"

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def embed(self, texts):
        self.asked.append(list(texts))
        return [np.full(3, float(len(text)), dtype=np.float32) for text in texts]


def test_vectors_are_embedded_once_and_in_one_batch():
    embedder = CountingEmbedder()
    cache = VectorCache(size=8)
    first = cache.embed(embedder, ["ab", "abc", "ab"])
    again = cache.embed(embedder, ["abc", "abcd"])
    assert embedder.asked == [["ab", "abc"], ["abcd"]]
    assert first[:, 0].tolist() == [2.0, 3.0, 2.0]
    assert again[:, 0].tolist() == [3.0, 4.0]


def test_more_texts_than_the_cache_holds_still_get_their_vectors():
    embedder = CountingEmbedder()
    rows = VectorCache(size=2).embed(embedder, ["a", "bb", "ccc", "dddd"])
    assert rows[:, 0].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert embedder.asked[0] == ["a", "bb", "ccc", "dddd"]  # one batch first
