//! The library's error type.

use std::fmt;

/// An error from building rules, a line model or a [`Cleaner`](crate::Cleaner).
///
/// The error is opaque: match on [`Error::kind`] only when you need to tell
/// cases apart; its `Display` text always names the rule or source at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong, for callers that need to tell errors apart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A rules file is not valid TOML or does not follow the rules schema.
    RulesSyntax {
        /// Where the rules came from (a path, or `<default>` for the embedded set).
        source: String,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// What the parser said.
        message: String,
    },
    /// A rule is well-formed TOML but makes no sense (empty phrase, unknown kind, ...).
    InvalidRule {
        /// Where the rules came from.
        source: String,
        /// The rule's name.
        rule: String,
        /// What is wrong with it.
        message: String,
    },
    /// A rule's regular expression does not compile.
    BadRegex {
        /// Where the rules came from.
        source: String,
        /// The rule's name.
        rule: String,
        /// 1-based line of the rule in its file, when known.
        line: Option<usize>,
        /// The regex compiler's message.
        message: String,
    },
    /// The phrase automaton could not be built (for example, too many phrases).
    Automaton {
        /// What aho-corasick said.
        message: String,
    },
    /// A line-model file could not be read or does not fit this version.
    Model {
        /// Where the model came from.
        source: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    /// What kind of error this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub(crate) fn rules_syntax(source: &str, line: Option<usize>, message: String) -> Error {
        Error { kind: ErrorKind::RulesSyntax { source: source.to_string(), line, message } }
    }

    pub(crate) fn invalid_rule(source: &str, rule: &str, message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::InvalidRule {
                source: source.to_string(),
                rule: rule.to_string(),
                message: message.into(),
            },
        }
    }

    pub(crate) fn bad_regex(
        source: &str,
        rule: &str,
        line: Option<usize>,
        message: String,
    ) -> Error {
        Error {
            kind: ErrorKind::BadRegex {
                source: source.to_string(),
                rule: rule.to_string(),
                line,
                message,
            },
        }
    }

    pub(crate) fn automaton(message: String) -> Error {
        Error { kind: ErrorKind::Automaton { message } }
    }

    pub(crate) fn model(source: &str, message: String) -> Error {
        Error { kind: ErrorKind::Model { source: source.to_string(), message } }
    }
}

fn location(source: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{source}:{line}"),
        None => source.to_string(),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::RulesSyntax { source, line, message } => {
                write!(f, "{}: invalid rules file: {}", location(source, *line), message.trim())
            }
            ErrorKind::InvalidRule { source, rule, message } => {
                write!(f, "{source}: rule '{rule}': {message}")
            }
            ErrorKind::BadRegex { source, rule, line, message } => {
                write!(f, "{}: rule '{rule}': bad regex: {message}", location(source, *line))
            }
            ErrorKind::Automaton { message } => {
                write!(f, "cannot build the phrase matcher: {message}")
            }
            ErrorKind::Model { source, message } => {
                write!(f, "{source}: invalid line model: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}
