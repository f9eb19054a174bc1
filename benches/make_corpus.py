#!/usr/bin/env python3
"""Builds the comparison corpus for benches/compare.sh.

Pages (seeds/*.txt and ../shared/eval-dev/*/*.input.txt, read at run time)
are written again and again, in a new shuffled order on each round, each
copy varied a little so that no two files are the same bytes: a header line
with the copy's number, two neighbouring paragraphs swapped, and on some
copies a line upper-cased or a typographic apostrophe turned into an ASCII
one. Every page becomes one file (declutter treats a text file as one
document), 1000 files per directory. The same bytes, in the same order, are
also written to one concatenated file for the line tools (cat, wc, grep),
and the first SAMPLE megabytes again as a sample directory (+ its
concatenation) for the slow Python tools.

Usage: make_corpus.py OUT_DIR MEGABYTES SAMPLE_MEGABYTES PAGE...
"""

import os
import random
import sys


def main():
    out, mb, sample_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    paths = sys.argv[4:]
    texts = []
    for p in paths:
        with open(p, "rb") as f:
            texts.append(f.read())
    limit = mb * 1000 * 1000
    sample_limit = sample_mb * 1000 * 1000
    rng = random.Random(42)
    corpus = os.path.join(out, "corpus")
    sample = os.path.join(out, "sample")
    written = sample_written = 0
    copy = 0
    with open(os.path.join(out, "corpus.cat"), "wb") as cat, open(
        os.path.join(out, "sample.cat"), "wb"
    ) as sample_cat:
        while written < limit:
            order = list(range(len(texts)))
            rng.shuffle(order)
            for i in order:
                page = vary(texts[i], copy, rng)
                sub = "%04d" % (copy // 1000)
                name = "%07d.txt" % copy
                os.makedirs(os.path.join(corpus, sub), exist_ok=True)
                with open(os.path.join(corpus, sub, name), "wb") as f:
                    f.write(page)
                cat.write(page)
                written += len(page)
                if sample_written < sample_limit:
                    os.makedirs(os.path.join(sample, sub), exist_ok=True)
                    with open(os.path.join(sample, sub, name), "wb") as f:
                        f.write(page)
                    sample_cat.write(page)
                    sample_written += len(page)
                copy += 1
                if written >= limit:
                    break
    print("%d files, %d bytes (sample: %d bytes)" % (copy, written, sample_written))


def vary(text, copy, rng):
    """One copy of a page: a header line, two paragraphs swapped, and now
    and then one line upper-cased or one curly apostrophe made straight."""
    paras = text.split(b"\n\n")
    if len(paras) > 2:
        k = rng.randrange(len(paras) - 1)
        paras[k], paras[k + 1] = paras[k + 1], paras[k]
    body = b"\n\n".join(paras)
    if copy % 3 == 1:
        lines = body.split(b"\n")
        k = rng.randrange(len(lines))
        lines[k] = lines[k].upper()
        body = b"\n".join(lines)
    elif copy % 3 == 2:
        body = body.replace("\u2019".encode(), b"'", 1)
    if not body.endswith(b"\n"):
        body += b"\n"
    return b"Story %d\n" % copy + body


if __name__ == "__main__":
    main()
