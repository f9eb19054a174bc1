"""clean, Cleaner.clean, explain and clean_batch against the CLI's output."""

from __future__ import annotations

import pickle
import re
import threading

import pytest

import declutter
from conftest import ROOT, as_value, run_cli

PAGE = (
    "Skip to main content\n\nA headline about the committee\n\nThe committee said on Tuesday "
    "that it would not be able to reach a decision before the end of the year, as the members "
    "of the panel were still waiting for the report that had been promised to them.\n\n"
    "Read more\n"
)


def test_clean_equals_golden(seeds):
    bad = [name for name, seed, golden in seeds if declutter.clean(seed) != golden]
    assert not bad, f"declutter.clean differs from golden/ for {bad}"


def test_cleaner_clean_equals_golden(seeds):
    cleaner = declutter.Cleaner()
    bad = [name for name, seed, golden in seeds if cleaner.clean(seed) != golden]
    assert not bad


@pytest.mark.parametrize("threads", [None, 1, 2, 3])
def test_clean_batch_equals_golden_and_keeps_order(seeds, threads):
    cleaner = declutter.Cleaner()
    texts = [seed for _, seed, _ in seeds] * 3
    want = [golden for _, _, golden in seeds] * 3
    assert cleaner.clean_batch(texts, threads=threads) == want


def test_clean_batch_edge_cases():
    cleaner = declutter.Cleaner()
    assert cleaner.clean_batch([]) == []
    assert cleaner.clean_batch(["", "\n\n", PAGE], threads=2) == ["", "", cleaner.clean(PAGE)]
    assert cleaner.clean_batch((PAGE,)) == [cleaner.clean(PAGE)]
    assert cleaner.clean_batch(t for t in [PAGE]) == [cleaner.clean(PAGE)]


def test_text_edge_cases():
    assert declutter.clean("") == ""
    # A str is a value, not a text file: it ends as it ended.
    line = "One line without a newline at the end"
    assert declutter.clean(line) == line
    assert declutter.clean(line + "\n") == line + "\n"
    assert declutter.clean(line + "  \n\n\n") == line + "\n"
    body = "The article text stays as it was written, all of it, every word."
    assert declutter.clean("Skip to main content\n" + body) == body
    assert declutter.Cleaner().clean_batch([line, line + "\n"], threads=2) == [line, line + "\n"]
    crlf = PAGE.replace("\n", "\r\n")
    assert declutter.clean(crlf).replace("\r", "") == declutter.clean(PAGE)
    # Non-ASCII text comes back as the same characters.
    text = "Ελληνικά κείμενα μένουν όπως γράφτηκαν, με τόνους και όλα.\n"
    assert declutter.clean(text) == text


def test_explain_matches_cli_explain(seeds, cli):
    cleaner = declutter.Cleaner()
    pattern = re.compile(r"^\s*(\d+) - (\S+)\s+(\S+)")
    for path_name, seed, _ in seeds:
        out = run_cli(cli, "explain", "--color", "never", str(ROOT / "seeds" / path_name))
        want = []
        for line in out.stdout.decode("utf-8", "replace").splitlines():
            m = pattern.match(line)
            if m:
                want.append((int(m[1]), m[2], m[3]))
        got = [(r.line, r.layer, r.rule) for r in cleaner.explain(seed) if r.layer != "inline"]
        assert got == want, path_name


def test_explain_fields():
    cleaner = declutter.Cleaner()
    text = "Ünïcode first\n" + PAGE
    removals = cleaner.explain(text)
    skip = removals[0] if removals[0].rule == "skip-link" else removals[1]
    assert skip.rule == "skip-link"
    assert skip.layer == "rule"
    assert skip.text == "Skip to main content"
    assert skip.line == 2
    # start/end are str indices, not byte offsets.
    assert text[skip.start : skip.end] == "Skip to main content"
    assert skip.score is None
    d = skip.to_dict()
    assert d["rule"] == "skip-link" and d["line"] == 2 and set(d) == {
        "line", "text", "rule", "layer", "score", "start", "end"
    }
    assert "skip-link" in repr(skip)
    # Every removed line is gone from the output, every other line is there.
    kept = cleaner.clean(text).splitlines()
    for r in removals:
        if r.layer != "inline" and r.text.strip():
            assert r.text not in kept


def test_cleaner_options():
    bare = declutter.Cleaner(default_rules=False, classifier=False)
    assert bare.rule_names == []
    assert "Skip to main content" in bare.clean(PAGE)
    assert "skip-link" in declutter.Cleaner().rule_names
    assert "default_rules=False" in repr(bare)


def test_user_rules_file(tmp_path):
    rules = tmp_path / "mine.toml"
    rules.write_text(
        '[[rule]]\nname = "house-promo"\nkind = "line"\nphrases = ["Join our club!"]\n'
    )
    text = "Join our club!\nThe article text stays as it was written, all of it, every word.\n"
    want = "The article text stays as it was written, all of it, every word.\n"
    assert declutter.clean(text, rules=str(rules)) == want
    assert declutter.clean(text, rules=rules) == want  # os.PathLike
    cleaner = declutter.Cleaner(rules)
    assert cleaner.clean(text) == want
    assert cleaner.explain(text)[0].rule == "house-promo"
    assert declutter.Cleaner([rules], default_rules=False).rule_names == ["house-promo"]
    # A pickled cleaner carries its rules' text, not just their path.
    blob = pickle.dumps(cleaner)
    rules.unlink()
    assert pickle.loads(blob).clean(text) == want


def test_clean_batch_releases_the_gil():
    # Another Python thread makes progress while clean_batch runs.
    cleaner = declutter.Cleaner()
    texts = [PAGE * 20] * 400
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)

    t = threading.Thread(target=tick)
    t.start()
    try:
        before = len(ticks)
        cleaner.clean_batch(texts, threads=1)
        during = len(ticks) - before
    finally:
        stop.set()
        t.join()
    assert during > 1000


def test_cleaner_is_shared_across_python_threads(seeds):
    cleaner = declutter.Cleaner()
    results = {}

    def work(i):
        results[i] = [cleaner.clean(seed) for _, seed, _ in seeds]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    want = [golden for _, _, golden in seeds]
    assert all(r == want for r in results.values())


@pytest.mark.parametrize(
    "kwargs, flags",
    [
        ({"model": False}, ["--no-model"]),
        ({"threshold": 0.2}, ["--threshold", "0.2"]),
        ({"classifier": False}, ["--no-classifier"]),
        ({"model": str(ROOT / "src" / "rules" / "model.json")},
         ["--model", str(ROOT / "src" / "rules" / "model.json")]),
    ],
)
def test_cleaner_options_equal_cli_flags(seeds, cli, kwargs, flags):
    cleaner = declutter.Cleaner(**kwargs)
    again = pickle.loads(pickle.dumps(cleaner))
    for name, seed, _ in seeds:
        out = run_cli(cli, "clean", *flags, str(ROOT / "seeds" / name))
        want = as_value(out.stdout.decode("utf-8", errors="replace"), seed)
        assert cleaner.clean(seed) == want, (name, flags)
        assert again.clean(seed) == want, (name, flags)
