"""A datatrove pipeline step that cleans each document's text.

Usage::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from declutter.datatrove import DeclutterFormatter

    LocalPipelineExecutor(
        pipeline=[
            JsonlReader("crawl/"),
            DeclutterFormatter(),
            JsonlWriter("cleaned/"),
        ],
        tasks=4,
    ).run()

With corpus evidence computed beforehand (for example by
:func:`declutter.spark.corpus_counts`, or :meth:`declutter.Corpus.from_texts`
per site), pass ``corpora={site: Corpus}``: each document is cleaned with
the corpus of ``site_of(document.metadata["url"])`` (``""`` without a URL).

Requires ``datatrove`` (``pip install datatrove``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from os import PathLike
from typing import TYPE_CHECKING

import declutter

try:
    from datatrove.pipeline.base import PipelineStep
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "declutter.datatrove needs datatrove: pip install datatrove"
    ) from e

if TYPE_CHECKING:
    from datatrove.data import Document, DocumentsPipeline

__all__ = ["DeclutterFormatter"]


class DeclutterFormatter(PipelineStep):
    """Replaces each document's text with its cleaned text.

    Args:
        rules_path: extra rules file(s), as for :class:`declutter.Cleaner`
            (read once, here; the step pickles with the rules' text).
        default_rules, classifier: as for :class:`declutter.Cleaner`.
        corpora: ``{site: Corpus}`` for corpus evidence, or None.
        url_key: the metadata key holding a document's URL (for ``corpora``).
        drop_empty: drop documents whose cleaned text is empty (default True).
        batch_size: documents cleaned per :meth:`~declutter.Cleaner.clean_batch`
            call.
        threads: threads per call; datatrove runs one task per core, so the
            default is 1.

    Stats: ``total`` documents, ``dropped`` empty ones, ``chars_removed``.
    """

    name = "🧹 declutter"
    type = "✂️ - FORMAT"

    def __init__(
        self,
        rules_path: str | PathLike[str] | list[str | PathLike[str]] | None = None,
        *,
        default_rules: bool = True,
        classifier: bool = True,
        corpora: Mapping[str, declutter.Corpus] | None = None,
        url_key: str = "url",
        drop_empty: bool = True,
        batch_size: int = 256,
        threads: int = 1,
    ) -> None:
        super().__init__()
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.cleaner = declutter.Cleaner(
            rules_path, default_rules=default_rules, classifier=classifier
        )
        self.corpora = dict(corpora) if corpora is not None else None
        self.url_key = url_key
        self.drop_empty = drop_empty
        self.batch_size = batch_size
        self.threads = threads

    def _corpus(self, doc: Document) -> declutter.Corpus | None:
        if self.corpora is None:
            return None
        url = doc.metadata.get(self.url_key)
        return self.corpora.get(declutter.site_of(url) if isinstance(url, str) else "")

    def _flush(self, batch: list[Document]) -> Iterator[Document]:
        with self.track_time(unit="batch"):
            cleaned = self.cleaner.clean_batch(
                [doc.text for doc in batch],
                threads=self.threads,
                corpus=[self._corpus(doc) for doc in batch],
            )
        for doc, text in zip(batch, cleaned):
            self.stat_update("total")
            self.stat_update("chars_removed", value=len(doc.text) - len(text))
            if self.drop_empty and not text:
                self.stat_update("dropped")
                continue
            doc.text = text
            yield doc

    def run(
        self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1
    ) -> DocumentsPipeline:
        """Cleans the documents of ``data``, in order, a batch at a time."""
        batch: list[Document] = []
        for doc in data or ():
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield from self._flush(batch)
                batch = []
        if batch:
            yield from self._flush(batch)
