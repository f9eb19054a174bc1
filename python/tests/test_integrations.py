"""The Hugging Face datasets example and the datatrove step.

Each is skipped when its library is not installed, unless
DECLUTTER_REQUIRE_INTEGRATIONS=1 (set by .ci/run) makes that a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections import defaultdict

import pytest

import declutter
from crawl import ROOT, crawl_lines, reference_clean

REQUIRED = os.environ.get("DECLUTTER_REQUIRE_INTEGRATIONS") == "1"


def typed_rows() -> list[dict]:
    """The crawl's records as typed rows: text and url str or None."""
    rows = []
    for line in crawl_lines():
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        text, url = r.get("text"), r.get("url")
        rows.append({
            "id": r["id"],
            "text": text if isinstance(text, str) else None,
            "url": url if isinstance(url, str) else None,
        })
    return rows


def reference_texts(rows: list[dict], corpus: bool = True) -> dict[int, str | None]:
    lines = [json.dumps({k: v for k, v in r.items() if v is not None}) for r in rows]
    return {r["id"]: r.get("text") for r in reference_clean(lines, corpus=corpus)}


def load_example(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "python" / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def hf(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    if not REQUIRED:
        pytest.importorskip("datasets", reason="datasets is not installed")
    return load_example("hf_datasets")


def test_hf_datasets_map_equals_reference(hf):
    import datasets

    rows = typed_rows()
    ds = datasets.Dataset.from_list(rows)
    for corpus in (True, False):
        out = hf.clean_dataset(ds, corpus=corpus, batch_size=4, threads=2)
        assert {r["id"]: r["text"] for r in out} == reference_texts(rows, corpus), corpus


def test_hf_datasets_main_writes_jsonl(hf, tmp_path):
    rows = typed_rows()
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    hf.main([str(src), str(tmp_path / "out.jsonl")])
    got = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert {r["id"]: r["text"] for r in got} == reference_texts(rows)


@pytest.fixture
def datatrove_step():
    if not REQUIRED:
        pytest.importorskip("datatrove", reason="datatrove is not installed")
    from declutter.datatrove import DeclutterFormatter

    return DeclutterFormatter


def test_datatrove_step_equals_reference(datatrove_step):
    import pickle

    from datatrove.data import Document

    rows = [r for r in typed_rows() if r["text"] is not None]
    groups = defaultdict(list)
    for r in rows:
        groups[declutter.site_of(r["url"]) if r["url"] else ""].append(r["text"])
    corpora = {site: declutter.Corpus.from_texts(texts) for site, texts in groups.items()}
    want = reference_texts(rows)

    def docs():
        for r in rows:
            meta = {"url": r["url"]} if r["url"] else {}
            yield Document(text=r["text"], id=str(r["id"]), metadata=meta)

    step = datatrove_step(corpora=corpora, batch_size=3, drop_empty=False)
    step = pickle.loads(pickle.dumps(step))  # executors pickle their steps
    out = list(step.run(docs()))
    assert {int(d.id): d.text for d in out} == want
    assert step.stats["total"].total == len(rows)

    # drop_empty drops what cleans to nothing.
    empty = Document(text="Skip to main content\n", id="empty")
    kept = list(datatrove_step()([empty, Document(text="Body text.\n", id="b")]))
    assert [d.id for d in kept] == ["b"]
