#!/usr/bin/env python3
"""datatrove's C4QualityFilter over a directory of page dumps, one document
per file: the filter's line rules remove lines from each document, and the
remaining text is written to OUT_DIR under the same relative path (also for
documents the filter would drop as a whole, so that every tool writes every
document). Used by benches/compare.sh.

Usage: c4_lines.py IN_DIR OUT_DIR
"""

import os
import sys

from datatrove.data import Document
from datatrove.pipeline.filters.c4_filters import C4QualityFilter


def main():
    src, dst = sys.argv[1], sys.argv[2]
    c4 = C4QualityFilter()
    for root, _, files in os.walk(src):
        for name in sorted(files):
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                doc = Document(text=f.read(), id=path)
            c4.filter(doc)
            out = os.path.join(dst, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "w", encoding="utf-8") as f:
                f.write(doc.text)


if __name__ == "__main__":
    main()
