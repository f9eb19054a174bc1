"""Clean a Hugging Face ``datasets.Dataset`` with declutter, corpus pass included.

``Dataset.map(batched=True)`` hands a batch of rows to a function; the
function gives the batch's texts to :meth:`declutter.Cleaner.clean_batch`,
which cleans them in parallel with the GIL released. With ``num_proc=N``,
``datasets`` runs N processes already: use ``threads=1`` there.

The corpus pass takes two ``map`` calls: the first adds each row's site and
line fingerprints, the counts are summed per site in Python, and the second
cleans each row with its site's :class:`declutter.Corpus`.

Usage::

    pip install ./python datasets
    python python/examples/hf_datasets.py crawl.jsonl cleaned.jsonl
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from typing import Any

import datasets

import declutter


def site_column(url: Any) -> str:
    """The group of a row: ``site_of(url)``, or ``""`` without a URL."""
    return declutter.site_of(url) if isinstance(url, str) else ""


def corpus_pass(ds: datasets.Dataset, text: str = "text", url: str = "url") -> dict[str, declutter.Corpus]:
    """Pass 1: the corpus of every site, counted as ``declutter clean``
    counts (rows with a null text are skipped, copies of a page count once)."""

    def add_fingerprints(batch: dict[str, list]) -> dict[str, list]:
        urls = batch[url] if url in batch else [None] * len(batch[text])
        return {
            "_site": [site_column(u) for u in urls],
            # Signed: Arrow columns hold int64, not unsigned 64-bit values.
            "_fps": [
                declutter.fingerprints(t, signed=True) if isinstance(t, str) else None
                for t in batch[text]
            ],
        }

    fps = ds.map(add_fingerprints, batched=True, remove_columns=ds.column_names)
    documents: Counter[str] = Counter()
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    seen: dict[str, set[int]] = defaultdict(set)
    for row in fps:
        if row["_fps"] is None:
            continue
        page = declutter.document_key(row["_fps"])  # as declutter clean keys copies
        if page in seen[row["_site"]]:
            continue  # the same lines as a page already counted: a copy
        seen[row["_site"]].add(page)
        documents[row["_site"]] += 1
        counts[row["_site"]].update(row["_fps"])
    return {site: declutter.Corpus(n, counts[site]) for site, n in documents.items()}


def clean_dataset(
    ds: datasets.Dataset,
    cleaner: declutter.Cleaner | None = None,
    *,
    text: str = "text",
    url: str = "url",
    corpus: bool = True,
    batch_size: int = 1000,
    threads: int | None = None,
) -> datasets.Dataset:
    """Both passes: ``ds`` with the ``text`` column cleaned (nulls stay null)."""
    cleaner = cleaner or declutter.Cleaner()
    corpora = corpus_pass(ds, text, url) if corpus else {}

    def clean(batch: dict[str, list]) -> dict[str, list]:
        texts = batch[text]
        urls = batch[url] if url in batch else [None] * len(texts)
        idx = [i for i, t in enumerate(texts) if isinstance(t, str)]
        cleaned = cleaner.clean_batch(
            [texts[i] for i in idx],
            threads=threads,
            corpus=[corpora.get(site_column(urls[i])) for i in idx],
        )
        out = list(texts)
        for i, t in zip(idx, cleaned):
            out[i] = t
        return {text: out}

    return ds.map(clean, batched=True, batch_size=batch_size)


def main(argv: list[str] | None = None) -> None:
    """Cleans a JSONL file into another."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", help="JSONL file with a text column (and optionally url)")
    parser.add_argument("output", help="JSONL file to write")
    parser.add_argument("--no-corpus", action="store_true", help="skip the corpus pass")
    args = parser.parse_args(argv)
    ds = datasets.load_dataset("json", data_files=args.input, split="train")
    clean_dataset(ds, corpus=not args.no_corpus).to_json(args.output, force_ascii=False)


if __name__ == "__main__":
    main()
