"""Fingerprints, sites, Corpus, and the corpus pass against the CLI."""

from __future__ import annotations

import pickle
import subprocess

import pytest

import declutter
from conftest import run_cli
from crawl import (
    BLOG_CHROME,
    NEWS_CHROME_END,
    interleave,
    parse_output,
    reference_clean,
    write_crawl,
)


def test_fingerprints():
    fps = declutter.fingerprints("Home\nHome\n\n -- \nShare this article\n")
    assert fps == sorted(set(fps)) and len(fps) == 2
    assert declutter.fingerprint("Home") in fps
    assert declutter.fingerprint(" -- ") is None
    # Digits, case and punctuation do not matter.
    assert declutter.fingerprint("(c) 2023 Example") == declutter.fingerprint("C 1999 example!")
    assert declutter.fingerprints("") == []


def test_signed_fingerprints_are_the_same_bits():
    text = "Home\nShare this\nSubscribe now\nAbout us\n"
    unsigned = declutter.fingerprints(text)
    signed = declutter.fingerprints(text, signed=True)
    assert [s % 2**64 for s in signed] == unsigned
    assert all(-(2**63) <= s < 2**63 for s in signed)
    assert any(s < 0 for s in signed)  # this text has a fingerprint >= 2**63
    # A Corpus takes either form.
    a = declutter.Corpus(3, {fp: 3 for fp in unsigned})
    b = declutter.Corpus(3, [(fp, 3) for fp in signed])
    assert a.to_dict() == b.to_dict()
    assert a.to_dict(signed=True) == {fp: 3 for fp in signed}


def test_document_key():
    a = declutter.fingerprints("Home\nShare this\nA story.\n")
    b = declutter.fingerprints("home\nA story!\nShare this\nHome\n")
    assert a == b and declutter.document_key(a) == declutter.document_key(b)
    c = declutter.fingerprints("Home\nAnother story.\n")
    assert declutter.document_key(a) != declutter.document_key(c)
    signed = declutter.fingerprints("Home\nShare this\nA story.\n", signed=True)
    assert declutter.document_key(signed) == declutter.document_key(a)
    assert declutter.document_key(a, signed=True) % 2**64 == declutter.document_key(a)
    assert isinstance(declutter.document_key([]), int)


def test_site_of():
    assert declutter.site_of("https://www.Example.com/a/b?x=1") == "example.com"
    assert declutter.site_of("http://user@news.example.org:8080/") == "news.example.org"
    assert declutter.site_of("example.net") == "example.net"
    assert declutter.site_of("") == ""
    with pytest.raises(TypeError, match="url must be str, not NoneType"):
        declutter.site_of(None)


def test_corpus_api():
    texts = ["Home\nFirst story.\n", "home\r\nSecond story.\n", "Home\nThird.\n"]
    corpus = declutter.Corpus.from_texts(texts)
    home = declutter.fingerprint("Home")
    assert corpus.documents == 3
    assert corpus.count(home) == 3 and home in corpus
    assert corpus.count(123) == 0 and 123 not in corpus
    assert len(corpus) == 4
    assert repr(corpus) == "Corpus(documents=3, lines=4)"
    again = declutter.Corpus(corpus.documents, corpus.to_dict())
    assert again.to_dict() == corpus.to_dict() and again.documents == 3
    assert pickle.loads(pickle.dumps(corpus)).to_dict() == corpus.to_dict()
    corpus.retain_repeated(2)
    assert corpus.to_dict() == {home: 3}
    assert len(again) == 4  # no shared state
    more = declutter.Corpus()
    more.add("Home\nFourth.\n")
    more.merge(again)
    assert more.documents == 4 and more.count(home) == 4


def test_corpus_rejects_bad_counts():
    with pytest.raises(ValueError, match="a fingerprint must be an int"):
        declutter.Corpus(1, {2**64: 1})
    with pytest.raises(ValueError, match="a fingerprint must be an int"):
        declutter.Corpus(1, {"x": 1})
    with pytest.raises(ValueError, match="a count must be a non-negative int"):
        declutter.Corpus(1, {1: -1})
    with pytest.raises(TypeError, match="counts must be a dict"):
        declutter.Corpus(1, 5)
    # Counts above the number of documents are clamped.
    assert declutter.Corpus(2, {1: 5}).count(1) == 2


def test_corpus_removes_lines_repeated_across_a_site(seeds):
    chrome = "Get the Example Gazette morning briefing in your inbox"
    places = ["Lisbon", "Oslo", "Nairobi", "Lima", "Hanoi", "Quito"]
    texts = [
        interleave(f"Filed from {place}\n\n{seeds[i % len(seeds)][1]}", [chrome])
        for i, place in enumerate(places)
    ]
    cleaner = declutter.Cleaner()
    corpus = declutter.Corpus.from_texts(texts)
    assert all(chrome in cleaner.clean(t) for t in texts)
    assert not any(chrome in cleaner.clean(t, corpus=corpus) for t in texts)
    removal = [r for r in cleaner.explain(texts[0], corpus=corpus) if r.text == chrome]
    assert removal[0].layer in ("corpus", "model") and isinstance(removal[0].score, float)
    # Copies count once: six copies of one page are one document.
    copies = declutter.Corpus.from_texts([texts[0]] * 6)
    assert copies.documents == 1
    assert chrome in cleaner.clean(texts[0], corpus=copies)
    # clean_batch: one corpus for all, or one per text, on any thread count.
    want = [cleaner.clean(t, corpus=corpus) for t in texts]
    assert cleaner.clean_batch(texts, corpus=corpus) == want
    assert cleaner.clean_batch(texts, threads=2, corpus=[corpus] * len(texts)) == want
    mixed = [corpus, None, corpus, None, corpus, None]
    assert cleaner.clean_batch(texts, threads=2, corpus=mixed) == [
        cleaner.clean(t, corpus=c) for t, c in zip(texts, mixed)
    ]
    assert declutter.clean(texts[0], corpus=corpus) == want[0]


def test_reference_corpus_pass_removes_site_chrome():
    lines = write_crawl_lines()
    with_corpus = reference_clean(lines)
    without = reference_clean(lines, corpus=False)
    assert len(with_corpus) == len(lines)
    texts = [r["text"] for r in with_corpus if isinstance(r, dict) and isinstance(r.get("text"), str)]
    plain = [r["text"] for r in without if isinstance(r, dict) and isinstance(r.get("text"), str)]
    for chrome in NEWS_CHROME_END + BLOG_CHROME:
        assert any(chrome in t for t in plain), chrome
        assert not any(chrome in t for t in texts), chrome
    # A two-page site is too small for evidence: cleaned as without a corpus.
    def tiny(records):
        return [r for r in records if isinstance(r, dict) and "tiny" in str(r.get("url"))]

    assert len(tiny(with_corpus)) == 2 and tiny(with_corpus) == tiny(without)


def write_crawl_lines() -> list[str]:
    from crawl import crawl_lines

    return crawl_lines()


def cli_has_corpus_pass(cli: str) -> bool:
    """Whether this CLI runs the corpus pass on JSONL (it has --no-corpus)."""
    out = subprocess.run([cli, "clean", "--help"], capture_output=True, check=False)
    return b"--no-corpus" in out.stdout


def test_cli_without_corpus_equals_reference(cli, tmp_path):
    lines = write_crawl(tmp_path / "crawl.jsonl")
    args = ["clean", str(tmp_path / "crawl.jsonl"), "-o", str(tmp_path / "out.jsonl"), "-q"]
    if cli_has_corpus_pass(cli):
        args.append("--no-corpus")
    run_cli(cli, *args)
    got = parse_output((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines())
    assert got == reference_clean(lines, corpus=False)


def test_cli_corpus_pass_equals_reference(cli, tmp_path):
    if not cli_has_corpus_pass(cli):
        pytest.skip("this declutter CLI has no JSONL corpus pass yet (no --no-corpus in `clean --help`)")
    lines = write_crawl(tmp_path / "crawl.jsonl")
    run_cli(cli, "clean", str(tmp_path / "crawl.jsonl"), "-o", str(tmp_path / "out.jsonl"), "-q")
    got = parse_output((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines())
    assert got == reference_clean(lines)
