//! JSONL records: find one string field by its dotted path without parsing
//! (or re-serialising) anything else, and splice a new value in.
//!
//! Only the path to the field is decoded; every other value is validated and
//! skipped, so the bytes outside the field's span come out exactly as they
//! went in (key order, spacing, number formatting, escapes).

use std::borrow::Cow;
use std::fmt;
use std::io::Write;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// Why a record's field could not be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RecordProblem {
    /// The line is not valid JSON (or not UTF-8).
    Malformed,
    /// The record is valid JSON but not an object.
    NotObject,
    /// The field (or an object on its path) is absent.
    MissingField,
    /// The field is present but not a string.
    NotString,
    /// The record is longer than the document size limit.
    TooLarge,
}

impl RecordProblem {
    /// A short name for summaries.
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordProblem::Malformed => "malformed-json",
            RecordProblem::NotObject => "not-an-object",
            RecordProblem::MissingField => "missing-field",
            RecordProblem::NotString => "field-not-a-string",
            RecordProblem::TooLarge => "too-large",
        }
    }
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record's text field, found by [`locate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The byte span of the field's value (with its quotes) in the record.
    pub span: Range<usize>,
    /// The decoded string.
    pub text: Cow<'a, str>,
    /// The offset of the top-level object's closing `}`.
    pub close: usize,
}

/// Finds the string at `path` (keys, outermost first) in `record`, one JSON
/// object (a line without its line terminator). When a key occurs more
/// than once in an object, the first occurrence is used.
pub fn locate<'a>(record: &'a [u8], path: &[&str]) -> Result<Field<'a>, RecordProblem> {
    let text = std::str::from_utf8(record).map_err(|_| RecordProblem::Malformed)?;
    let trimmed = text.trim_end_matches([' ', '\t', '\r', '\n']);
    if !trimmed.trim_start_matches([' ', '\t', '\r', '\n']).starts_with('{') {
        return match serde_json::from_str::<IgnoredAny>(text) {
            Ok(_) => Err(RecordProblem::NotObject),
            Err(_) => Err(RecordProblem::Malformed),
        };
    }
    let close = trimmed.len().saturating_sub(1);
    let mut scope = text;
    let mut found = None;
    for (depth, key) in path.iter().enumerate() {
        let mut de = serde_json::Deserializer::from_str(scope);
        let value = match (FindKey { key }).deserialize(&mut de) {
            Ok(value) => value,
            Err(_) => return Err(RecordProblem::Malformed),
        };
        if depth == 0 && de.end().is_err() {
            return Err(RecordProblem::Malformed);
        }
        match value {
            Found::Value(raw) => {
                scope = raw.get();
                found = Some(raw);
            }
            Found::Absent => return Err(RecordProblem::MissingField),
            Found::NotObject => return Err(RecordProblem::MissingField),
        }
    }
    let raw = found.ok_or(RecordProblem::MissingField)?;
    let value = raw.get();
    if !value.starts_with('"') {
        return Err(RecordProblem::NotString);
    }
    let start = value.as_ptr() as usize - text.as_ptr() as usize;
    let decoded: Borrowed<'a> =
        serde_json::from_str(value).map_err(|_| RecordProblem::Malformed)?;
    Ok(Field { span: start..start + value.len(), text: decoded.0, close })
}

/// Writes `record` with the field's value replaced by `text` (as a JSON
/// string) and, when given, `extra` (`"name":value`, already JSON) added as
/// the last member of the top-level object.
pub fn splice(
    out: &mut Vec<u8>,
    record: &[u8],
    field: &Field<'_>,
    text: &str,
    extra: Option<&[u8]>,
) {
    out.extend_from_slice(&record[..field.span.start]);
    write_json_string(out, text);
    match extra {
        Some(extra) if field.span.end <= field.close => {
            out.extend_from_slice(&record[field.span.end..field.close]);
            out.push(b',');
            out.extend_from_slice(extra);
            out.extend_from_slice(&record[field.close..]);
        }
        _ => out.extend_from_slice(&record[field.span.end..]),
    }
}

/// Appends `text` as a JSON string literal.
pub fn write_json_string(out: &mut Vec<u8>, text: &str) {
    // Serialising a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
    let _ = out.flush();
}

#[derive(serde::Deserialize)]
struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);

enum Found<'de> {
    Value(&'de RawValue),
    Absent,
    NotObject,
}

/// Looks for one key in an object; skips (but validates) everything else.
struct FindKey<'k> {
    key: &'k str,
}

impl<'de> DeserializeSeed<'de> for FindKey<'_> {
    type Value = Found<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Found<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! not_object {
    ($($name:ident: $ty:ty),*) => {
        $(fn $name<E: de::Error>(self, _: $ty) -> Result<Found<'de>, E> {
            Ok(Found::NotObject)
        })*
    };
}

impl<'de> Visitor<'de> for FindKey<'_> {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found<'de>, A::Error> {
        let mut found = Found::Absent;
        while let Some(matches) = map.next_key_seed(KeyIs { key: self.key })? {
            if matches && matches!(found, Found::Absent) {
                found = Found::Value(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Found<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Found::NotObject)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Found<'de>, E> {
        Ok(Found::NotObject)
    }

    not_object!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
}

/// Compares an object key with the wanted one, without allocating when the
/// key has no escapes.
struct KeyIs<'k> {
    key: &'k str,
}

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(record: &str, path: &[&str], text: &str) -> Result<String, RecordProblem> {
        let field = locate(record.as_bytes(), path)?;
        let mut out = Vec::new();
        splice(&mut out, record.as_bytes(), &field, text, None);
        Ok(String::from_utf8(out).expect("utf-8"))
    }

    #[test]
    fn locate_table() {
        use RecordProblem::*;
        let rows: &[(&str, &[&str], Result<&str, RecordProblem>)] = &[
            (r#"{"text":"a"}"#, &["text"], Ok(r#"{"text":"X"}"#)),
            (
                r#"{ "id" : 1.50, "text" : "a\nb" , "z":[1,{"text":2}] }"#,
                &["text"],
                Ok(r#"{ "id" : 1.50, "text" : "X" , "z":[1,{"text":2}] }"#),
            ),
            (
                r#"{"meta":{"text":"a"},"text":3}"#,
                &["meta", "text"],
                Ok(r#"{"meta":{"text":"X"},"text":3}"#),
            ),
            (r#"{"te\u0078t":"a"}"#, &["text"], Ok(r#"{"te\u0078t":"X"}"#)),
            (r#"{"text":"a","text":"b"}"#, &["text"], Ok(r#"{"text":"X","text":"b"}"#)),
            ("{\"text\":\"a\"}\r", &["text"], Ok("{\"text\":\"X\"}\r")),
            (r#"{"text":"a""#, &["text"], Err(Malformed)),
            (r#"{"text":"a"} x"#, &["text"], Err(Malformed)),
            ("", &["text"], Err(Malformed)),
            (r#"[1,2]"#, &["text"], Err(NotObject)),
            (r#""text""#, &["text"], Err(NotObject)),
            (r#"{"body":"a"}"#, &["text"], Err(MissingField)),
            (r#"{"meta":3}"#, &["meta", "text"], Err(MissingField)),
            (r#"{"text":null}"#, &["text"], Err(NotString)),
            (r#"{"text":["a"]}"#, &["text"], Err(NotString)),
            (r#"{"text":{"a":1}}"#, &["text"], Err(NotString)),
        ];
        for (record, path, expected) in rows {
            let got = replace(record, path, "X");
            assert_eq!(got.as_deref().map_err(Clone::clone), expected.clone(), "{record}");
        }
    }

    #[test]
    fn decodes_and_reencodes_text() {
        let record = r#"{"text":"caf\u00e9 \"q\"\nline"}"#;
        let field = locate(record.as_bytes(), &["text"]).expect("field");
        assert_eq!(field.text, "café \"q\"\nline");
        let mut out = Vec::new();
        splice(&mut out, record.as_bytes(), &field, &field.text, Some(br#""n":1"#));
        assert_eq!(String::from_utf8(out).expect("utf-8"), r#"{"text":"café \"q\"\nline","n":1}"#);
    }
}
