"""The Spark job (local[2]) against the reference corpus pass and the CLI.

Skipped when pyspark is not installed, unless DECLUTTER_REQUIRE_SPARK=1
(set by .ci/run) makes that a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

import declutter
from conftest import run_cli
from crawl import ROOT, parse_output, reference_clean, write_crawl
from test_corpus import cli_has_corpus_pass

if os.environ.get("DECLUTTER_REQUIRE_SPARK") != "1":
    pytest.importorskip("pyspark", reason="pyspark is not installed")
    pytest.importorskip("pandas", reason="pandas is not installed")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed")

from declutter.spark import clean_dataframe, clean_jsonl, corpus_counts  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    """A local[2] session whose inputs split into several small partitions."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("declutter-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # Several input partitions, so counts really are summed across them.
        .config("spark.sql.files.maxPartitionBytes", "16k")
        .config("spark.sql.files.openCostInBytes", "1k")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def read_parts(folder: Path) -> list[str]:
    """The lines of Spark's part files, in part order."""
    lines: list[str] = []
    for part in sorted(folder.glob("part-*")):
        lines.extend(part.read_text(encoding="utf-8").splitlines())
    return lines


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> tuple[Path, list[str]]:
    path = tmp_path_factory.mktemp("crawl") / "crawl.jsonl"
    return path, write_crawl(path)


@pytest.fixture(scope="module")
def spark_output(spark, crawl, tmp_path_factory) -> list[object]:
    """The Spark job's output for the crawl, corpus pass on."""
    path, _ = crawl
    out = tmp_path_factory.mktemp("spark") / "out"
    assert spark.read.text(str(path)).rdd.getNumPartitions() > 1
    clean_jsonl(spark, str(path), str(out))
    return parse_output(read_parts(out))


def test_spark_equals_reference(crawl, spark_output):
    _, lines = crawl
    want = reference_clean(lines)
    assert len(spark_output) == len(want)
    for i, (got, expected) in enumerate(zip(spark_output, want)):
        assert got == expected, f"record {i} differs"


def test_spark_equals_cli_corpus_pass(cli, crawl, spark_output, tmp_path):
    if not cli_has_corpus_pass(cli):
        pytest.skip("this declutter CLI has no JSONL corpus pass yet (no --no-corpus in `clean --help`)")
    path, _ = crawl
    run_cli(cli, "clean", str(path), "-o", str(tmp_path / "out.jsonl"), "-q")
    want = parse_output((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines())
    assert spark_output == want


def test_spark_without_corpus_equals_cli(spark, cli, crawl, tmp_path):
    path, lines = crawl
    clean_jsonl(spark, str(path), str(tmp_path / "spark"), corpus=False)
    got = parse_output(read_parts(tmp_path / "spark"))
    args = ["clean", str(path), "-o", str(tmp_path / "cli.jsonl"), "-q"]
    if cli_has_corpus_pass(cli):
        args.append("--no-corpus")
    run_cli(cli, *args)
    want = parse_output((tmp_path / "cli.jsonl").read_text(encoding="utf-8").splitlines())
    assert got == want == reference_clean(lines, corpus=False)


def test_corpus_counts_equal_local_counts(spark, crawl):
    _, lines = crawl
    records = [json.loads(line) for line in lines if line.startswith("{")]
    rows = [
        (r["text"] if isinstance(r.get("text"), str) else None,
         r["url"] if isinstance(r.get("url"), str) else None)
        for r in records
    ]
    df = spark.createDataFrame(rows, "text string, url string")
    corpora = corpus_counts(df, min_count=1)
    groups: dict[str, list[str]] = {}
    for text, url in rows:
        if text is not None:
            groups.setdefault(declutter.site_of(url) if url else "", []).append(text)
    assert set(corpora) == set(groups) == {
        "gazette.example.com", "blog.example.org", "", "tiny.example.net"
    }
    for site, texts in groups.items():
        local = declutter.Corpus.from_texts(texts)
        assert corpora[site].documents == local.documents
        assert corpora[site].to_dict() == local.to_dict()


def test_dataframe_and_parquet_example(spark, crawl, tmp_path):
    """The example script, Parquet in and out, on a typed DataFrame."""
    _, lines = crawl
    records = [json.loads(line) for line in lines if line.startswith("{")]
    rows = [
        (r["id"], r["text"] if isinstance(r.get("text"), str) else None,
         r["url"] if isinstance(r.get("url"), str) else None)
        for r in records
    ]
    spark.createDataFrame(rows, "id long, text string, url string").write.parquet(
        str(tmp_path / "in.parquet")
    )
    example = ROOT / "python" / "examples" / "spark_clean.py"
    spec = importlib.util.spec_from_file_location("spark_clean", example)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.run(spark, module.parse_args(
        [str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet"), "--parquet"]
    ))
    got = {
        row["id"]: row["text"]
        for row in spark.read.parquet(str(tmp_path / "out.parquet")).collect()
    }
    # The typed rows lose only the non-string texts, which are not cleaned.
    typed = [
        json.dumps({"id": i, "text": t, **({"url": u} if u is not None else {})})
        for i, t, u in rows
    ]
    want = {r["id"]: r.get("text") for r in reference_clean(typed)}
    assert got == want
    # And clean_dataframe with corpus=False is plain cleaning.
    plain = clean_dataframe(spark.read.parquet(str(tmp_path / "in.parquet")), corpus=False)
    cleaner = declutter.Cleaner()
    for row in plain.collect():
        original = dict((i, t) for i, t, _ in rows)[row["id"]]
        assert row["text"] == (cleaner.clean(original) if original is not None else None)


def test_spark_with_user_rules(spark, crawl, tmp_path):
    """A cleaner with a rules file reaches the executors through its pickle."""
    path, lines = crawl
    rules = tmp_path / "mine.toml"
    rules.write_text(
        '[[rule]]\nname = "gazette-promo"\nkind = "line"\n'
        'phrases = ["Get the Example Gazette morning briefing in your inbox"]\n'
    )
    cleaner = declutter.Cleaner(rules)
    clean_jsonl(spark, str(path), str(tmp_path / "out"), cleaner=cleaner, corpus=False)
    rules.unlink()
    got = parse_output(read_parts(tmp_path / "out"))
    assert got == reference_clean(lines, cleaner=cleaner, corpus=False)
    assert got != reference_clean(lines, corpus=False)
