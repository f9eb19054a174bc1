"""Type stubs for the Rust extension module (re-exported by ``declutter``)."""

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Literal, final

__version__: Final[str]

__all__ = [
    "Cleaner",
    "Corpus",
    "ModelError",
    "Removal",
    "RulesError",
    "__version__",
    "clean",
    "document_key",
    "fingerprint",
    "fingerprints",
    "site_of",
    "_cleaner_from_state",
]

_StrPath = str | os.PathLike[str]
_RulesPaths = _StrPath | Sequence[_StrPath]
_Layer = Literal["rule", "section", "structure", "classifier", "corpus", "model", "inline"]

class RulesError(ValueError):
    """A rules file that cannot be used: bad TOML, an invalid rule or a
    regex that does not compile. The message names the file, line and
    rule, e.g. ``my.toml:7: rule 'gallery-counter': bad regex: ...``."""

class ModelError(ValueError):
    """A line-model file that cannot be used (bad JSON, or a model for
    another version). The message names the file."""

@final
class Removal:
    """One removal, as :meth:`Cleaner.explain` reports it."""

    @property
    def line(self) -> int:
        """1-based line number in the input."""
    @property
    def text(self) -> str:
        """What was removed: a whole line (without its line terminator) or,
        for the ``inline`` layer, the part cut from a kept line."""
    @property
    def rule(self) -> str:
        """The name of the rule or detector that removed it."""
    @property
    def layer(self) -> _Layer:
        """The stage that removed it."""
    @property
    def score(self) -> float | None:
        """The evidence behind a scored removal (the body probability for
        the line model, the stop-word density for the context classifier,
        the share of the group's other documents containing the line for
        the corpus layer), else None."""
    @property
    def start(self) -> int:
        """Start of the removed text in the input, as a str index."""
    @property
    def end(self) -> int:
        """End (exclusive) of the removed text in the input, as a str index."""
    def to_dict(self) -> dict[str, int | str | float | None]:
        """The removal as a plain dict (for JSON, pandas, ...)."""
    def __eq__(self, other: object, /) -> bool: ...

@final
class Corpus:
    """Corpus evidence for one group of documents (one site, or a whole
    batch): the number of documents, and for each line fingerprint the
    number of documents that contain it.

    ``counts`` is ``{fingerprint: documents containing it}`` (a mapping or
    an iterable of pairs), as computed elsewhere, e.g. by a cluster job from
    :func:`fingerprints`. Fingerprints may be unsigned or the same 64 bits
    signed. Counts of 0 are ignored; counts above ``documents`` are clamped.

    Raises ValueError for a fingerprint or count out of range, TypeError
    when ``counts`` is neither a mapping nor an iterable of pairs.
    """

    def __new__(
        cls,
        documents: int = 0,
        counts: Mapping[int, int] | Iterable[tuple[int, int]] | None = None,
    ) -> Corpus: ...
    @staticmethod
    def from_texts(texts: Iterable[str]) -> Corpus:
        """The corpus of a list of documents (one group), counted here as
        ``declutter clean`` counts a group: exact copies count once."""
    def add(self, text: str) -> None:
        """Adds one document to the counts (copies included)."""
    def merge(self, other: Corpus) -> None:
        """Adds the documents and counts of another corpus."""
    def retain_repeated(self, min: int) -> None:
        """Drops every line found in fewer than ``min`` documents
        (``retain_repeated(2)`` changes no cleaning result; more may).
        Call it once every document is added: a dropped line found again
        later is counted from 0."""
    @property
    def documents(self) -> int:
        """The number of documents in the group."""
    def count(self, fingerprint: int) -> int:
        """How many documents contain the line with this fingerprint."""
    def to_dict(self, signed: bool = False) -> dict[int, int]:
        """The counts; ``signed=True`` gives fingerprints as signed 64-bit
        values (for Spark or Arrow int64 columns)."""
    def __len__(self) -> int:
        """The number of distinct lines held."""
    def __contains__(self, fingerprint: int, /) -> bool: ...

@final
class Cleaner:
    """Removes page chrome from documents. Build one and reuse it.

    ``rules_path`` is a rules TOML file (or a list of them) added to the
    defaults; a rule with a default's name replaces it. ``default_rules``,
    ``classifier`` and ``duplicates`` (all True by default) turn off the
    embedded rules, the line model and context classifier (like the CLI's
    ``--no-classifier``) and repeated-line removal. ``model`` is True for
    the embedded line model, False for the context classifier instead
    (``--no-model``) or a model file (``--model``); ``threshold`` overrides
    the model's body-probability threshold (``--threshold``).

    Raises :class:`RulesError` for an invalid rules file,
    :class:`ModelError` for an invalid model file, FileNotFoundError or
    OSError for a file that cannot be read, ValueError for a threshold
    outside 0 to 1. Thread-safe and picklable (the pickle carries the rules'
    and model's text).
    """

    def __new__(
        cls,
        rules_path: _RulesPaths | None = None,
        *,
        default_rules: bool = True,
        classifier: bool = True,
        duplicates: bool = True,
        model: bool | _StrPath | None = None,
        threshold: float | None = None,
    ) -> Cleaner: ...
    def clean(self, text: str, corpus: Corpus | None = None) -> str:
        """Cleans one document and returns the kept text ("" when nothing
        is kept), ending with a newline only when text does. Raises
        TypeError when text is not a str."""
    def explain(self, text: str, corpus: Corpus | None = None) -> list[Removal]:
        """What cleaning one document removes, and why, in input order."""
    def clean_batch(
        self,
        texts: Iterable[str],
        threads: int | None = None,
        corpus: Corpus | Sequence[Corpus | None] | None = None,
    ) -> list[str]:
        """Cleans many documents in parallel with the GIL released; returns
        the cleaned texts in input order. ``threads`` defaults to one per
        core; ``corpus`` is one Corpus for all texts or one (or None) per
        text. Raises TypeError naming the index of a non-str item."""
    @property
    def rule_names(self) -> list[str]:
        """The names of the rules in effect, in definition order."""

def clean(text: str, rules: _RulesPaths | None = None, corpus: Corpus | None = None) -> str:
    """Cleans one document with the default rules (or with ``rules`` added,
    read on every call: build a :class:`Cleaner` for many documents)."""

def fingerprints(text: str, *, signed: bool = False) -> list[int]:
    """The distinct fingerprints of a document's lines, sorted."""

def document_key(fingerprints: Iterable[int], *, signed: bool = False) -> int:
    """The key of a whole document from its fingerprints (as
    :func:`fingerprints` returns them): copies of a page share it, and
    ``declutter clean`` counts one document per key and group."""

def fingerprint(line: str, *, signed: bool = False) -> int | None:
    """The fingerprint of one line, or None for a line without letters or digits."""

def site_of(url: str) -> str:
    """The group a record belongs to: its URL's lower-cased host without "www."."""

def _cleaner_from_state(
    rules: list[tuple[str, str]],
    default_rules: bool,
    classifier: bool,
    duplicates: bool,
    model: tuple[int, str, str],
    threshold: float | None,
) -> Cleaner:
    """Rebuilds a pickled Cleaner (internal)."""
