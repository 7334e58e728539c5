"""The checks run when a collection is opened, and the lexical index following the store.

Both are cheap when all is well: counts and a generation stamp, no full reads.
"""

from __future__ import annotations

import logging

from .errors import StoreError
from .results import Progress
from .source_record import SourceRecord
from .store import PaperStore

LEXICAL_BATCH = 500
log = logging.getLogger("assistant")


def check_counts(store: PaperStore, record: SourceRecord, papers: int) -> None:
    """Compare manifest, chunk and record counts; report in one line what does not add up
    (an error when nothing could be found at all, a warning otherwise)."""
    chunks = store.chunk_count()
    name = store.name
    repair = f"run `assistant ingest --collection {name}` to repair it"
    if chunks < papers:  # every paper has at least one chunk
        message = (
            f"collection {name!r} at {store.location} lists {papers} papers but holds "
            f"{chunks} chunks; {repair}"
        )
        if chunks == 0:
            raise StoreError(message)
        log.warning("warning: %s", message)
    elif record.expected_papers > papers:
        log.warning(
            "warning: collection %r holds %d of the %d papers of its files (an ingest was "
            "interrupted); %s",
            name,
            papers,
            record.expected_papers,
            repair,
        )


def follow_store(store: PaperStore, progress: Progress | None) -> int:
    """Bring the lexical index up to date with the store's manifest; how many papers were
    copied. Only chunk texts are read: nothing is embedded, nothing written to Chroma."""
    generation = store.generation()
    lexical = store.lexical
    lexical_papers, _ = lexical.counts()
    if generation == lexical.generation() and lexical_papers == store.paper_count():
        return 0
    total = store.paper_count()
    report = progress or (lambda done, total, label: None)
    seen = copied = 0
    # A page of the manifest at a time, compared with the index's hashes of just those
    # papers: memory stays flat however large the collection.
    for page in store.manifest_pages():
        indexed = lexical.hashes_of([pid for pid, _ in page])
        stale = {
            pid: (str(meta["title"]), str(meta["hash"]))
            for pid, meta in page
            if indexed.get(pid) != meta.get("hash")
        }
        for start in range(0, len(stale), LEXICAL_BATCH):
            batch = dict(list(stale.items())[start : start + LEXICAL_BATCH])
            store.copy_to_lexical(batch)
        seen += len(page)
        copied += len(stale)
        if copied:
            report(seen, total, "Updating the keyword index")
    if lexical.counts()[0] > seen:  # it holds papers the manifest no longer has
        lexical.keep_only([pid for pid, _ in page] for page in store.manifest_pages())
    lexical.set_generation(generation)
    return copied
