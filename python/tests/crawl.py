"""A small JSONL crawl for the corpus-pass tests, and a reference
implementation of the CLI's corpus pass written from its specification.

The specification (``declutter clean in.jsonl -o out.jsonl``): records are
grouped by ``site_of(record[url_field])`` when that field is a string, else
into the group ``""``; only records whose text field is a string count as
documents of their group, and a record whose set of line fingerprints equals
that of one already counted in the group (an exact copy of a page) is not
counted again; ``documents`` is their number, ``count(fp)`` the number of
them whose ``fingerprints(text)`` contain ``fp``; each record with a string
text is cleaned with its group's corpus. Everything else passes through.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import declutter
from declutter.spark import get_field

ROOT = Path(__file__).resolve().parents[2]

# Site chrome that repeats on every page of a site (and so only corpus
# evidence can tell it from the body).
NEWS_CHROME_TOP = ["Example Gazette", "Sections Politics Business Culture Opinion"]
NEWS_CHROME_END = [
    "Get the Example Gazette morning briefing in your inbox",
    "Example Gazette is published by Example Media Group",
]
BLOG_CHROME = ["Filed under Thoughts and Notes", "Comments are moderated by the editors"]
NO_URL_CHROME = ["Archived by the crawler team for research"]
# One per record, so that no two pages of a group are copies by accident.
PLACES = [
    "Lisbon", "Oslo", "Nairobi", "Lima", "Hanoi", "Quito", "Perth", "Accra",
    "Tbilisi", "Dakar", "Riga", "Cusco", "Male", "Sucre", "Suva", "Apia",
    "Bern", "Baku", "Doha", "Kiev", "Lome", "Minsk", "Paris", "Rabat",
]


def _seed_texts() -> list[str]:
    seeds = sorted(p for p in (ROOT / "seeds").iterdir() if p.is_file())
    return [p.read_bytes().decode("utf-8", errors="replace") for p in seeds]


def interleave(body: str, chrome: list[str]) -> str:
    """``body`` with one chrome line after each of its long lines (from the
    second on): inside the body, where only corpus evidence finds them."""
    lines = body.split("\n")
    long_lines = [i for i, line in enumerate(lines) if len(line) > 200][1:]
    for j, (at, line) in reversed(list(enumerate(zip(long_lines, chrome)))):
        lines.insert(at + 1, line)
    return "\n".join(lines)


def crawl_lines() -> list[str]:
    """The crawl, one JSON record (or junk line) per item."""
    seeds = _seed_texts()
    records: list[object] = []
    n = 0

    def add(url, text, **extra):
        nonlocal n
        record = {"id": n, **extra}
        if url is not ...:
            record["url"] = url
        if text is not ...:
            record["text"] = text
        records.append(record)
        n += 1

    place = iter(PLACES)

    def dateline(body: str) -> str:
        return f"Filed from {next(place)}\n\n{body}"

    news = []
    for i in range(6):
        body = dateline(seeds[i % len(seeds)])
        news.append("\n".join(NEWS_CHROME_TOP) + "\n\n" + interleave(body, NEWS_CHROME_END))
        add(f"https://{'www.' if i % 2 else ''}gazette.example.com/story/{i}", news[-1], lang="en")
    # The same page crawled again (another URL): not counted twice.
    add("https://gazette.example.com/story/0?utm=feed", news[0], lang="en")
    for i in range(6):
        body = dateline(seeds[(i + 2) % len(seeds)])
        add(f"http://Blog.Example.org:8080/p?id={i}", interleave(body, BLOG_CHROME))
    for i in range(5):
        body = dateline(seeds[(i + 4) % len(seeds)])
        add(..., interleave(body, NO_URL_CHROME))
    # A non-string URL joins the no-URL group.
    add(12, NO_URL_CHROME[0] + "\nA short note with one line of text that is not very long.")
    # Two pages of a small site share a line: below the evidence threshold.
    for i in range(2):
        add(f"https://tiny.example.net/{i}", f"Tiny Site header\n{seeds[i]}")
    # Records that are not cleaned and not counted.
    add("https://gazette.example.com/empty", None)
    add("https://gazette.example.com/number", 42)
    add("https://gazette.example.com/missing", ...)
    add("https://gazette.example.com/unicode", "Ünïcödé Gazette\n\n" + seeds[3], tags=["ü", 1.5])
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(7, "this line is not JSON")
    return lines


def write_crawl(path: Path) -> list[str]:
    """Writes the crawl to ``path`` and returns its lines."""
    lines = crawl_lines()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def _site(url: object) -> str:
    return declutter.site_of(url) if isinstance(url, str) else ""


def reference_clean(
    lines: list[str],
    *,
    corpus: bool = True,
    field: str = "text",
    url_field: str = "url",
    cleaner: declutter.Cleaner | None = None,
) -> list[object]:
    """What the CLI outputs for ``lines``, as parsed JSON values (a line
    that is not JSON is kept as its string)."""
    cleaner = cleaner or declutter.Cleaner()
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            parsed.append(None)
    groups: dict[str, dict[tuple[int, ...], None]] = defaultdict(dict)
    for record in parsed:
        text = get_field(record, field)
        if isinstance(text, str):
            # A dict as an ordered set: a copy of a page (the same set of
            # lines) counts once. Written without document_key on purpose.
            fps = tuple(declutter.fingerprints(text))
            groups[_site(get_field(record, url_field))][fps] = None
    corpora = {
        site: declutter.Corpus(len(docs), Counter(fp for doc in docs for fp in doc))
        for site, docs in groups.items()
    }
    out: list[object] = []
    for line, record in zip(lines, parsed):
        text = get_field(record, field)
        if not isinstance(text, str):
            out.append(record if record is not None else line)
            continue
        group = corpora[_site(get_field(record, url_field))] if corpus else None
        cleaned = cleaner.clean(text, corpus=group)
        target = record
        keys = field.split(".")
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = cleaned
        out.append(record)
    return out


def parse_output(lines: list[str]) -> list[object]:
    """Output lines as JSON values, a non-JSON line as its string."""
    out: list[object] = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append(line)
    return out
