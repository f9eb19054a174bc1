"""Clean a JSONL crawl with Spark, corpus pass included.

The job does what ``declutter clean in.jsonl -o out.jsonl`` does on one
machine, spread over a cluster:

1. every record's text is fingerprinted (``declutter.fingerprints``), and
   Spark counts, per site (``declutter.site_of(url)``), the documents and
   the documents containing each line;
2. the lines repeated in at least two documents of a site are collected,
   broadcast, and each record is cleaned with its site's ``Corpus``.

Usage (local, two cores)::

    pip install './python[spark]'
    python python/examples/spark_clean.py crawl.jsonl cleaned/ --master 'local[2]'

On a cluster, install declutter on the executors and use ``spark-submit``::

    spark-submit python/examples/spark_clean.py s3://bucket/crawl/ s3://bucket/cleaned/

``--parquet`` reads and writes Parquet instead (the text column is cleaned,
every other column is kept).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import declutter
from declutter.spark import clean_dataframe, clean_jsonl

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", help="JSONL file(s) or folder (Parquet with --parquet)")
    parser.add_argument("output", help="output folder (Spark part files)")
    parser.add_argument("--field", default="text", help="the text field (dotted path for JSONL)")
    parser.add_argument("--url-field", default="url", help="the URL field grouping records by site")
    parser.add_argument("--rules", action="append", default=[], help="extra rules file (repeatable)")
    parser.add_argument("--no-corpus", action="store_true", help="skip the corpus pass")
    parser.add_argument("--parquet", action="store_true", help="Parquet in and out")
    parser.add_argument("--master", help="Spark master, e.g. local[2] (default: spark-submit's)")
    parser.add_argument("--overwrite", action="store_true", help="replace the output folder")
    return parser.parse_args(argv)


def run(spark: SparkSession, args: argparse.Namespace) -> None:
    """Runs the job on an existing session."""
    # Rules are read here, on the driver, and travel with the pickled cleaner.
    cleaner = declutter.Cleaner(args.rules or None)
    mode = "overwrite" if args.overwrite else "error"
    if args.parquet:
        df = spark.read.parquet(args.input)
        url_col = args.url_field if args.url_field in df.columns else None
        out = clean_dataframe(df, args.field, url_col, cleaner=cleaner, corpus=not args.no_corpus)
        out.write.mode(mode).parquet(args.output)
    else:
        clean_jsonl(
            spark,
            args.input,
            args.output,
            field=args.field,
            url_field=args.url_field,
            cleaner=cleaner,
            corpus=not args.no_corpus,
            mode=mode,
        )


def main(argv: list[str] | None = None) -> None:
    """Starts a Spark session and runs the job."""
    args = parse_args(argv)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("declutter")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        run(spark, args)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
