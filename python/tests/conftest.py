"""Shared fixtures: the repository's seeds and goldens, and the CLI binary.

The goldens equal the CLI's ``declutter clean`` output for the seeds (the
Rust test suite checks that), so comparing with them compares with the CLI.
Tests that run the binary find it through ``DECLUTTER_BIN`` or in
``target/{release,debug}``; without one they are skipped, unless
``DECLUTTER_REQUIRE_CLI=1`` (set by .ci/run) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted(p for p in (ROOT / "seeds").iterdir() if p.is_file())


def read_text(path: Path) -> str:
    """A file's text, decoded as the CLI reads it (invalid UTF-8 replaced)."""
    return path.read_bytes().decode("utf-8", errors="replace")


def as_value(file_text: str, text: str) -> str:
    """What the ``str`` API returns for ``text``, given what the CLI writes
    for it as a file: the same, without the file's final newline when
    ``text`` has none (a ``str`` ends as it ended)."""
    if not text.endswith("\n") and file_text.endswith("\n"):
        return file_text[:-1]
    return file_text


@pytest.fixture(scope="session")
def seeds() -> list[tuple[str, str, str]]:
    """(name, seed text, golden text) for every seed; the golden as the
    ``str`` API returns it (see :func:`as_value`)."""
    out = []
    for p in SEEDS:
        seed = read_text(p)
        out.append((p.name, seed, as_value(read_text(ROOT / "golden" / p.name), seed)))
    return out


def _find_cli() -> str | None:
    env = os.environ.get("DECLUTTER_BIN")
    if env:
        return env
    for profile in ("release", "debug"):
        candidate = ROOT / "target" / profile / "declutter"
        if candidate.is_file():
            return str(candidate)
    return shutil.which("declutter")


@pytest.fixture(scope="session")
def cli() -> str:
    """The path of the ``declutter`` binary."""
    path = _find_cli()
    if path is None:
        if os.environ.get("DECLUTTER_REQUIRE_CLI") == "1":
            pytest.fail("DECLUTTER_REQUIRE_CLI=1 but no declutter binary (set DECLUTTER_BIN)")
        pytest.skip("no declutter binary: run `cargo build --release` or set DECLUTTER_BIN")
    return path


def run_cli(cli: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Runs the binary and fails the test on a non-zero exit."""
    proc = subprocess.run([cli, *args], input=stdin, capture_output=True, check=False)
    if proc.returncode != 0:
        pytest.fail(f"declutter {' '.join(args)} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc
