//! A per-document language guess, from the text alone (whatlang's trigram
//! and script model). It selects the stop-word list the classifier uses and
//! the rules that apply (a rule may name its `languages`). Documents whose
//! language cannot be told, or that have no stop-word list, still get every
//! structural detector and every rule without a language.

/// At most about this many bytes of a document are looked at.
const SAMPLE_BYTES: usize = 4 * 1024;

/// Samples shorter than this are not guessed: the guess costs tens of
/// microseconds whatever the size, and says little about a few words.
const MIN_SAMPLE_BYTES: usize = 256;

/// The least whatlang confidence that counts as a guess.
const MIN_CONFIDENCE: f64 = 0.5;

/// The language of `text` as an ISO 639-1 code (`"en"`, `"de"`, ...), or
/// the ISO 639-3 code for languages without a two-letter one; `None` when
/// the text is too short or too mixed to tell.
///
/// ```
/// let text = "Der Hund und die Katze sind heute nicht in dem großen Haus geblieben, \
///             weil das Wetter so schön war.";
/// assert_eq!(declutter::lang::detect(text), Some("de"));
/// ```
pub fn detect(text: &str) -> Option<&'static str> {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    if info.confidence() < MIN_CONFIDENCE {
        return None;
    }
    Some(iso639_1(info.lang()))
}

/// The language of a document from some of its lines (the cleaner passes
/// its lines of six words or more: menus and link lists say little about a
/// page's language), joined up to the sample size.
pub fn detect_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Option<&'static str> {
    let mut sample = String::with_capacity(SAMPLE_BYTES + 256);
    for line in lines {
        if sample.len() >= SAMPLE_BYTES {
            break;
        }
        sample.push_str(line);
        sample.push('\n');
    }
    if sample.len() < MIN_SAMPLE_BYTES {
        return None;
    }
    detect(&sample)
}

fn iso639_1(lang: whatlang::Lang) -> &'static str {
    use whatlang::Lang::*;
    match lang {
        Eng => "en",
        Deu => "de",
        Fra => "fr",
        Spa => "es",
        Ita => "it",
        Por => "pt",
        Nld => "nl",
        Rus => "ru",
        Swe => "sv",
        Dan => "da",
        Nob => "no",
        Fin => "fi",
        Pol => "pl",
        Ron => "ro",
        Hun => "hu",
        Tur => "tr",
        Ind => "id",
        Cat => "ca",
        Ell => "el",
        Slv => "sl",
        Ara => "ar",
        Heb => "he",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Ukr => "uk",
        Ces => "cs",
        Slk => "sk",
        Hrv => "hr",
        Srp => "sr",
        Bul => "bg",
        Hin => "hi",
        Vie => "vi",
        Tha => "th",
        Pes => "fa",
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_table() {
        for (text, want) in [
            (
                "The committee said on Tuesday that it would publish the report after the \
                 election, because the members wanted more time to check what the witnesses \
                 had told them about the contracts.",
                Some("en"),
            ),
            (
                "Le comité a déclaré mardi qu'il publierait le rapport après les élections, \
                 parce que les membres voulaient plus de temps pour vérifier ce que les témoins \
                 leur avaient dit.",
                Some("fr"),
            ),
            (
                "El comité dijo el martes que publicaría el informe después de las elecciones, \
                 porque los miembros querían más tiempo para comprobar lo que los testigos les \
                 habían dicho.",
                Some("es"),
            ),
            (
                "Комитет заявил во вторник, что опубликует доклад после выборов, потому что \
                 его члены хотели больше времени, чтобы проверить показания свидетелей.",
                Some("ru"),
            ),
            ("", None),
            ("12345 ---", None),
        ] {
            assert_eq!(detect(text), want, "{text:?}");
        }
    }

    #[test]
    fn long_text_is_sampled_on_a_char_boundary() {
        let text = "é".repeat(SAMPLE_BYTES);
        let _ = detect(&text);
    }
}
