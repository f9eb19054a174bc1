"""Strip page chrome (menus, share prompts, related-links lists...) from
plain-text dumps of web pages, keeping the article body.

Quick use::

    import declutter

    clean_text = declutter.clean(page_text)

For many documents build a :class:`Cleaner` once and reuse it;
:meth:`Cleaner.clean_batch` cleans a list of documents on several threads
with the GIL released.

Corpus evidence (lines repeated across many pages of one site) takes two
passes, which may run on a cluster:

1. per record, :func:`fingerprints` of its text; per group (a site, see
   :func:`site_of`), the number of documents and, for each fingerprint, the
   number of documents that contain it;
2. per record, ``cleaner.clean(text, corpus=Corpus(documents, counts))``
   with its group's counts.

:mod:`declutter.spark` does both passes with PySpark.
"""

from ._declutter import (
    Cleaner,
    Corpus,
    ModelError,
    Removal,
    RulesError,
    __version__,
    clean,
    document_key,
    fingerprint,
    fingerprints,
    site_of,
)

__all__ = [
    "Cleaner",
    "Corpus",
    "ModelError",
    "Removal",
    "RulesError",
    "__version__",
    "clean",
    "document_key",
    "fingerprint",
    "fingerprints",
    "site_of",
]
