#!/usr/bin/env python3
"""Peak memory of the corpus pass on a crawl of many sites.

A broad crawl has about as many corpus groups as sites, most of them with a
few documents, so what a group costs matters as much as what a line costs.
This writes RECORDS synthetic JSONL records (default 1,000,000) spread over
SITES sites (default 300,000; about 289,000 get a record), each a short page
of template lines around a sentence of common words, and reports the peak
resident memory of `declutter clean` on it without the corpus pass, with
it, and with the pass capped at 100,000 distinct lines.

    benches/corpus_memory.py [RECORDS [SITES]]

Needs a release build (cargo build --release). Figures in benches/runs/.
"""

import json
import os
import random
import resource
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(HERE, "target", "release", "declutter")
WORDS = ("the of and to in a is that for it as was with be by on not he this are or his from at "
         "which but have an they you were her she there one all we their").split()


def write_records(path, records, sites):
    rng = random.Random(1)
    with open(path, "w") as f:
        for i in range(records):
            site = f"site{rng.randrange(sites)}.example"
            body = " ".join(rng.choice(WORDS) for _ in range(30)) + "."
            text = f"Home\nAbout us\n{body}\nShare this\nCopyright {site}"
            f.write(json.dumps({"text": text, "url": f"https://{site}/p{i}"}) + "\n")


def peak_kib(args):
    """Runs declutter in a child of its own and returns its peak RSS in KiB."""
    code = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, BIN, *args], check=True,
                         capture_output=True, text=True)
    return int(out.stdout.split()[-1])


def main():
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    sites = int(sys.argv[2]) if len(sys.argv) > 2 else 300_000
    with tempfile.TemporaryDirectory() as work:
        data = os.path.join(work, "crawl.jsonl")
        write_records(data, records, sites)
        out = os.path.join(work, "out.jsonl")
        base = ["clean", "-q", data, "-o", out, "--force"]
        print(f"{records} records over up to {sites} sites, {os.path.getsize(data)} bytes")
        for name, extra in (("no corpus pass", ["--no-corpus"]), ("corpus pass", []),
                            ("capped at 100000 lines", ["--corpus-max-lines", "100000"])):
            print(f"{name:<24} peak {peak_kib(base + extra) / 1024:8.1f} MiB")


if __name__ == "__main__":
    main()
