"""declutter on Spark: the corpus pass and the cleaning pass as Spark jobs.

Two entry points:

- :func:`clean_dataframe` cleans a string column of any DataFrame (read
  from Parquet, a table, JSON with a schema...): pass 1 computes the line
  fingerprints of every document and counts them per site with Spark's own
  aggregation; the counts (lines found in at least ``min_count`` documents
  of a site) are collected and broadcast; pass 2 cleans each document with
  its site's :class:`declutter.Corpus`.
- :func:`clean_jsonl` does the same for JSONL text files and mirrors
  ``declutter clean in.jsonl -o out.jsonl`` record for record: records are
  read as raw lines and parsed in Python, so a record whose text field is
  not a string, or a line that is not JSON, passes through unchanged, and
  every other field of a record is kept.

Grouping follows the CLI: a record belongs to ``site_of(url)`` when its URL
field is a string, else to the group ``""`` (all records without a URL);
only records whose text is a string count as documents of their group, and
an exact copy of a page already in the group (the same set of line
fingerprints) is not counted again.

Requires ``pyspark``, ``pandas`` and ``pyarrow`` (``pip install
'declutter[spark]'``); the executors need ``declutter`` installed too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import declutter

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["clean_dataframe", "clean_jsonl", "corpus_counts", "get_field"]

# Internal column names; chosen to never collide with a user's columns.
_SITE = "__declutter_site"
_FPS = "__declutter_fps"
_FP = "__declutter_fp"
_KEY = "__declutter_key"
_RAW = "__declutter_raw"
_TEXT = "__declutter_text"
_URL = "__declutter_url"


def get_field(record: Any, path: str) -> Any:
    """The value at a dotted ``path`` (``meta.text``) in a parsed JSON
    record, or ``None`` when a step is missing or not an object."""
    value = record
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _set_field(record: dict, path: str, value: Any) -> None:
    keys = path.split(".")
    target = record
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value


def _site(url: Any) -> str:
    return declutter.site_of(url) if isinstance(url, str) else ""


def corpus_counts(
    df: DataFrame,
    text_col: str = "text",
    url_col: str | None = "url",
    min_count: int = 2,
) -> dict[str, declutter.Corpus]:
    """Pass 1: the :class:`declutter.Corpus` of every site of ``df``.

    Each row whose ``text_col`` is not null is one document of the group
    ``site_of(url)`` (``""`` when ``url_col`` is ``None`` or the URL is
    null); copies (rows of a group with the same lines, by
    :func:`declutter.document_key`) count once. Fingerprints are computed on the executors; Spark drops the
    copies, counts fingerprints per site (``groupBy(site,
    fingerprint).count()``) and documents per site. Only lines found in at
    least ``min_count`` documents are collected, which keeps what the driver
    collects and broadcasts small: the default (2) changes no result (a line
    found in its own document only reads like an unknown one); more may.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

    url = F.col(url_col) if url_col else F.lit(None).cast("string")
    docs = df.select(F.col(text_col).alias(_TEXT), url.alias(_URL)).where(
        F.col(_TEXT).isNotNull()
    )
    schema = StructType(
        [
            StructField(_SITE, StringType(), False),
            StructField(_KEY, LongType(), False),
            StructField(_FPS, ArrayType(LongType()), False),
        ]
    )

    def fingerprint_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        for batch in batches:
            fps = [declutter.fingerprints(t, signed=True) for t in batch[_TEXT]]
            yield pd.DataFrame(
                {
                    _SITE: [_site(u) for u in batch[_URL]],
                    _KEY: [declutter.document_key(f, signed=True) for f in fps],
                    _FPS: fps,
                }
            )

    # Copies of a page count once, by the CLI's document key.
    fps = docs.mapInPandas(fingerprint_batches, schema).dropDuplicates([_SITE, _KEY]).cache()
    try:
        documents = {r[_SITE]: r["count"] for r in fps.groupBy(_SITE).count().collect()}
        counts = (
            fps.select(_SITE, F.explode(_FPS).alias(_FP))
            .groupBy(_SITE, _FP)
            .count()
            .where(F.col("count") >= min_count)
            .collect()
        )
    finally:
        fps.unpersist()
    per_site: dict[str, dict[int, int]] = {site: {} for site in documents}
    for row in counts:
        per_site[row[_SITE]][row[_FP]] = row["count"]
    return {site: declutter.Corpus(documents[site], per_site[site]) for site in documents}


def clean_dataframe(
    df: DataFrame,
    text_col: str = "text",
    url_col: str | None = "url",
    *,
    cleaner: declutter.Cleaner | None = None,
    corpus: bool = True,
    min_count: int = 2,
) -> DataFrame:
    """Both passes over a DataFrame: ``df`` with ``text_col`` cleaned.

    ``cleaner`` (default: ``declutter.Cleaner()``) is pickled to the
    executors with its rules. ``corpus=False`` skips pass 1 (like the CLI's
    ``--no-corpus``). Null texts stay null and are not documents.
    """
    from pyspark.sql.types import StringType

    columns = df.columns
    if text_col not in columns:
        raise ValueError(f"no column {text_col!r} in {columns}")
    if url_col is not None and url_col not in columns:
        raise ValueError(f"no column {url_col!r} in {columns}")
    schema = df.schema
    if not isinstance(schema[text_col].dataType, StringType):
        raise TypeError(
            f"column {text_col!r} must be a string column, not {schema[text_col].dataType}"
        )
    cleaner = cleaner if cleaner is not None else declutter.Cleaner()
    corpora = corpus_counts(df, text_col, url_col, min_count) if corpus else {}
    # One broadcast: the cleaner (with its rules' text) and every site's corpus.
    shared = df.sparkSession.sparkContext.broadcast((cleaner, corpora))

    def clean_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        cleaner, corpora = shared.value
        for batch in batches:
            texts = batch[text_col]
            urls = batch[url_col] if url_col is not None else None
            idx = [i for i, t in enumerate(texts) if isinstance(t, str)]
            docs = [texts.iat[i] for i in idx]
            sites = [_site(urls.iat[i]) if urls is not None else "" for i in idx]
            # Spark runs one task per core already: one thread per task.
            cleaned = cleaner.clean_batch(
                docs, threads=1, corpus=[corpora.get(site) for site in sites]
            )
            out = batch.copy()
            column = out[text_col].astype(object)
            for i, text in zip(idx, cleaned):
                column.iat[i] = text
            out[text_col] = column
            yield out

    return df.mapInPandas(clean_batches, schema)


def clean_jsonl(
    spark: SparkSession,
    input_path: str,
    output_path: str,
    *,
    field: str = "text",
    url_field: str = "url",
    cleaner: declutter.Cleaner | None = None,
    corpus: bool = True,
    min_count: int = 2,
    mode: str = "error",
) -> None:
    """Cleans JSONL files like ``declutter clean in.jsonl -o out.jsonl``.

    ``field`` and ``url_field`` are dotted paths into each record (the CLI's
    ``--field`` and ``--url-field``). Output is JSONL text files in the
    folder ``output_path`` (Spark's ``part-*`` files), one line per input
    line, in input order within each part. Records are re-serialised with
    ``json.dumps(ensure_ascii=False)``, so they equal the CLI's output as
    JSON values, not always byte for byte (number formatting, spacing).
    """
    from pyspark.sql.types import StringType, StructField, StructType

    lines = spark.read.text(input_path)

    def parse_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        for batch in batches:
            texts, urls = [], []
            for line in batch["value"]:
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                text = get_field(record, field)
                url = get_field(record, url_field)
                texts.append(text if isinstance(text, str) else None)
                urls.append(url if isinstance(url, str) else None)
            yield pd.DataFrame({_RAW: batch["value"], _TEXT: texts, _URL: urls})

    parsed_schema = StructType(
        [
            StructField(_RAW, StringType(), True),
            StructField(_TEXT, StringType(), True),
            StructField(_URL, StringType(), True),
        ]
    )
    # Both passes parse the input; parsing again is cheaper than caching a
    # whole crawl's text.
    parsed = lines.mapInPandas(parse_batches, parsed_schema)
    cleaned = clean_dataframe(
        parsed, _TEXT, _URL, cleaner=cleaner, corpus=corpus, min_count=min_count
    )

    def splice_batches(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import pandas as pd

        for batch in batches:
            out = []
            for raw, text in zip(batch[_RAW], batch[_TEXT]):
                if not isinstance(text, str):
                    out.append(raw)
                    continue
                record = json.loads(raw)
                _set_field(record, field, text)
                out.append(json.dumps(record, ensure_ascii=False))
            yield pd.DataFrame({"value": out})

    result = cleaned.mapInPandas(splice_batches, StructType([StructField("value", StringType())]))
    result.write.mode(mode).text(output_path)
