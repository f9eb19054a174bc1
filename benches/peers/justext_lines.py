#!/usr/bin/env python3
"""jusText over a directory of page dumps, one paragraph per line: each
file's lines become <p> elements of a minimal HTML page, jusText classifies
them with its English stop list, and the lines it does not call boilerplate
are written to OUT_DIR under the same relative path. Used by
benches/compare.sh.

Usage: justext_lines.py IN_DIR OUT_DIR
"""

import html
import os
import sys

import justext


def main():
    src, dst = sys.argv[1], sys.argv[2]
    stoplist = justext.get_stoplist("English")
    for root, _, files in os.walk(src):
        for name in sorted(files):
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = [line for line in f.read().split("\n") if line.strip()]
            page = "<html><body>%s</body></html>" % "".join(
                "<p>%s</p>" % html.escape(line) for line in lines
            )
            kept = []
            if lines:
                for p in justext.justext(page.encode("utf-8"), stoplist, encoding="utf-8"):
                    if not p.is_boilerplate:
                        kept.append(p.text)
            out = os.path.join(dst, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "w", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in kept))


if __name__ == "__main__":
    main()
