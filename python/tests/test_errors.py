"""Bad input raises clear exceptions."""

from __future__ import annotations

import pytest

import declutter


@pytest.mark.parametrize(
    "value, message",
    [
        (b"bytes", "text must be str, not bytes (decode it first"),
        (bytearray(b"x"), "text must be str, not bytearray"),
        (None, "text must be str, not NoneType"),
        (42, "text must be str, not int"),
        (["a"], "text must be str, not list"),
    ],
)
def test_text_must_be_str(value, message):
    cleaner = declutter.Cleaner()
    for call in (declutter.clean, cleaner.clean, cleaner.explain, declutter.fingerprints):
        with pytest.raises(TypeError) as e:
            call(value)
        assert str(e.value).startswith(message), str(e.value)


def test_clean_batch_names_the_bad_item():
    cleaner = declutter.Cleaner()
    with pytest.raises(TypeError, match=r"texts\[2\] must be str, not bytes"):
        cleaner.clean_batch(["a", "b", b"c"])
    with pytest.raises(TypeError, match=r"texts\[0\] must be str, not NoneType"):
        cleaner.clean_batch([None])
    with pytest.raises(TypeError, match="texts must be a list of str, not str"):
        cleaner.clean_batch("one document")
    with pytest.raises(TypeError, match="texts must be a list of str, not int"):
        cleaner.clean_batch(3)
    with pytest.raises(ValueError, match="threads must be at least 1"):
        cleaner.clean_batch(["a"], threads=0)


def test_clean_batch_corpus_argument_is_checked():
    cleaner = declutter.Cleaner()
    corpus = declutter.Corpus()
    with pytest.raises(ValueError, match="corpus has 1 entries but there are 2 texts"):
        cleaner.clean_batch(["a", "b"], corpus=[corpus])
    with pytest.raises(TypeError, match=r"corpus\[1\] must be a Corpus or None, not dict"):
        cleaner.clean_batch(["a", "b"], corpus=[corpus, {}])
    with pytest.raises(TypeError, match="corpus must be a Corpus, None, or a list"):
        cleaner.clean_batch(["a"], corpus=3)


def test_lone_surrogates_are_a_unicode_error():
    with pytest.raises(UnicodeEncodeError):
        declutter.clean("bad \ud800 surrogate")


def test_bad_regex_is_a_rules_error_naming_file_line_and_rule(tmp_path):
    rules = tmp_path / "bad.toml"
    rules.write_text('[[rule]]\nname = "oops"\nkind = "shape"\npatterns = [\'(\']\n')
    with pytest.raises(declutter.RulesError) as e:
        declutter.Cleaner(str(rules))
    msg = str(e.value)
    assert f"{rules}:2" in msg and "rule 'oops'" in msg and "bad regex" in msg, msg
    assert isinstance(e.value, ValueError)
    with pytest.raises(declutter.RulesError, match="oops"):
        declutter.clean("x", rules=str(rules))


def test_bad_toml_and_bad_kind(tmp_path):
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("[[rule]]\nname = \n")
    with pytest.raises(declutter.RulesError, match=rf"{syntax}:2: invalid rules file"):
        declutter.Cleaner(syntax)
    kind = tmp_path / "kind.toml"
    kind.write_text('[[rule]]\nname = "x"\nkind = "nope"\nphrases = ["a"]\n')
    with pytest.raises(declutter.RulesError, match=r"rule 'x': unknown kind 'nope'"):
        declutter.Cleaner(kind)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(declutter.RulesError, match="not UTF-8"):
        declutter.Cleaner(binary)


def test_missing_rules_file(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(FileNotFoundError, match=f"{missing}: cannot read rules"):
        declutter.Cleaner(missing)
    with pytest.raises(TypeError, match="rules_path must be a path"):
        declutter.Cleaner(3)
    with pytest.raises(TypeError, match="rules_path items must be paths"):
        declutter.Cleaner([3])


def test_model_errors(tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text('{"format": "nope"}')
    with pytest.raises(declutter.ModelError, match=str(bad)) as e:
        declutter.Cleaner(model=bad)
    assert isinstance(e.value, ValueError)
    with pytest.raises(FileNotFoundError, match="cannot read the line model"):
        declutter.Cleaner(model=tmp_path / "missing.json")
    with pytest.raises(TypeError, match="model must be True, False or a path"):
        declutter.Cleaner(model=3)
    with pytest.raises(ValueError, match="threshold must be within 0 and 1"):
        declutter.Cleaner(threshold=1.5)
