//! A per-document language guess, from the text alone (whatlang's trigram
//! and script model). It selects the stop-word list the classifier uses and
//! the rules that apply (a rule may name its `languages`). Documents whose
//! language cannot be told, or that have no stop-word list, still get every
//! structural detector and every rule without a language.

use crate::stopwords::{bare_word, languages_of, LanguageCounts};

/// At most about this many bytes of a document are looked at.
const SAMPLE_BYTES: usize = 4 * 1024;

/// Samples shorter than this are not guessed: the guess costs tens of
/// microseconds whatever the size, and says little about a few words.
const MIN_SAMPLE_BYTES: usize = 256;

/// The least whatlang confidence that counts as a guess.
const MIN_CONFIDENCE: f64 = 0.5;

/// A sample in which one language's stop words make up at least this share
/// of the words ...
const STOP_WORD_SHARE: f32 = 0.2;

/// ... and outnumber any other language's this many times is in that
/// language without asking the trigram model, which costs far more than
/// the lookups.
const STOP_WORD_MARGIN: f32 = 2.5;

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
/// its folded lines of six words or more: menus and link lists say little
/// about a page's language), joined up to the sample size. When one
/// language's stop words clearly dominate the sample (lower-case words are
/// looked up as they are), that language is the answer; otherwise
/// [`detect`] guesses from the sample.
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
    let mut counts = LanguageCounts::default();
    for token in sample.split_whitespace() {
        counts.add(languages_of(bare_word(token)));
    }
    counts.dominant(STOP_WORD_SHARE, STOP_WORD_MARGIN).or_else(|| detect(&sample))
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

    /// The same sentence in several languages, with the language's code.
    const SENTENCES: &[(&str, &str)] = &[
        (
            "The committee said on Tuesday that it would publish the report after the \
             election, because the members wanted more time to check what the witnesses \
             had told them about the contracts.",
            "en",
        ),
        (
            "Le comité a déclaré mardi qu'il publierait le rapport après les élections, \
             parce que les membres voulaient plus de temps pour vérifier ce que les témoins \
             leur avaient dit.",
            "fr",
        ),
        (
            "El comité dijo el martes que publicaría el informe después de las elecciones, \
             porque los miembros querían más tiempo para comprobar lo que los testigos les \
             habían dicho.",
            "es",
        ),
        (
            "Комитет заявил во вторник, что опубликует доклад после выборов, потому что \
             его члены хотели больше времени, чтобы проверить показания свидетелей.",
            "ru",
        ),
        (
            "Der Ausschuss sagte am Dienstag, dass er den Bericht nach der Wahl \
             veröffentlichen werde, weil die Mitglieder mehr Zeit haben wollten, um zu \
             prüfen, was die Zeugen ihnen über die Verträge gesagt hatten.",
            "de",
        ),
        (
            "De commissie zei dinsdag dat zij het rapport na de verkiezingen zou \
             publiceren, omdat de leden meer tijd wilden om na te gaan wat de getuigen \
             hun over de contracten hadden verteld.",
            "nl",
        ),
        (
            "Il comitato ha detto martedì che avrebbe pubblicato il rapporto dopo le \
             elezioni, perché i membri volevano più tempo per verificare ciò che i \
             testimoni avevano detto loro sui contratti.",
            "it",
        ),
        (
            "O comitê disse na terça-feira que publicaria o relatório depois das \
             eleições, porque os membros queriam mais tempo para verificar o que as \
             testemunhas lhes tinham dito sobre os contratos.",
            "pt",
        ),
        (
            "Udvalget sagde tirsdag, at det ville offentliggøre rapporten efter valget, \
             fordi medlemmerne ønskede mere tid til at kontrollere, hvad vidnerne havde \
             fortalt dem om kontrakterne.",
            "da",
        ),
        (
            "Kommittén sade på tisdagen att den skulle publicera rapporten efter valet, \
             eftersom ledamöterna ville ha mer tid att kontrollera vad vittnena hade \
             berättat för dem om kontrakten.",
            "sv",
        ),
    ];

    #[test]
    fn language_table() {
        for &(text, want) in SENTENCES {
            assert_eq!(detect(text), Some(want), "{text:?}");
        }
        assert_eq!(detect(""), None);
        assert_eq!(detect("12345 ---"), None);
    }

    #[test]
    fn stop_word_shortcut_agrees_with_the_trigram_model() {
        for &(text, want) in SENTENCES {
            // Folded-looking lines (lower case), enough for a sample.
            let lines = vec![text.to_lowercase(); 3];
            let sample: String = lines.iter().map(|l| format!("{l}\n")).collect();
            assert_eq!(detect(&sample), Some(want), "{want}: trigram model");
            assert_eq!(detect_lines(lines.iter().map(String::as_str)), Some(want), "{want}");
        }
    }

    #[test]
    fn plain_english_needs_no_trigram_model() {
        let mut counts = LanguageCounts::default();
        let text = "the committee said on tuesday that it would publish the report after \
                    the election because the members wanted more time";
        for word in text.split(' ') {
            counts.add(languages_of(word));
        }
        assert_eq!(counts.dominant(STOP_WORD_SHARE, STOP_WORD_MARGIN), Some("en"));
    }

    #[test]
    fn short_samples_are_not_guessed() {
        assert_eq!(detect_lines(["the cat sat on the mat and it was happy"].into_iter()), None);
    }

    #[test]
    fn long_text_is_sampled_on_a_char_boundary() {
        let text = "é".repeat(SAMPLE_BYTES);
        let _ = detect(&text);
    }
}
