//! declutter strips page chrome from plain-text dumps of web pages and keeps
//! the article body.
//!
//! Scraped text is full of navigation, share buttons, "Read more" links,
//! related-article lists, captions, promos and site templates. declutter
//! removes them with rules that ship as data (one Aho-Corasick automaton over
//! every phrase, one regex set over every line shape), structural detectors
//! (section starters and the link lists they open, breadcrumbs, repeated
//! lines, tail templates) and a per-line classifier that uses each line's
//! context. What remains is the input's own text; every removal carries the
//! name of the rule or detector that made it.
//!
//! # Overview
//! - [`Cleaner`], built once with [`CleanerBuilder`], cleans documents:
//!   [`Cleaner::clean`] returns a [`Cleaned`] with the kept text and every
//!   [`Removal`].
//! - [`RuleSet`] is a parsed rules file; [`rules::DEFAULT_RULES`] is the
//!   embedded default set, read by the same parser as a user's file.
//! - [`Error`] reports bad rules, naming the file, line and rule.
//! - [`corpus`] counts lines repeated across the documents of a site or a
//!   batch; [`Cleaner::clean_with_corpus`] uses the counts.
//! - [`model`] is the learned line model (trees shipped as data) that decides,
//!   from each line's features in context, what is body.
//! - [`eval`] scores cleaned text against gold text (token P/R/F1).
//! - [`Batch`], built with [`BatchBuilder`], cleans files, directories and
//!   streams (text or JSONL, gzip or zstd) in parallel, keeping input order;
//!   [`stats::Summary`] adds up what it did.
//!
//! # Example
//! ```
//! use declutter::{Cleaner, RuleSet};
//!
//! let extra = RuleSet::parse(
//!     "[[rule]]\nname = \"house-promo\"\nkind = \"line\"\nphrases = [\"Join our club!\"]\n",
//!     "my-rules.toml",
//! )?;
//! let cleaner = Cleaner::builder().rules(extra).build()?;
//! let cleaned = cleaner.clean(b"Join our club!\nThe article text stays as it was written.\n");
//! assert_eq!(cleaned.text, b"The article text stays as it was written.\n");
//! assert_eq!(&*cleaned.removals[0].rule, "house-promo");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod batch;
pub mod classify;
mod clean;
pub mod corpus;
mod error;
pub mod eval;
pub mod fold;
pub mod gate;
pub mod io;
pub mod lang;
pub mod lexicon;
pub mod lines;
pub mod matcher;
pub mod model;
pub mod page_model;
mod passes;
pub mod rules;
pub mod stats;
pub mod stopwords;
mod swar;
mod wordtable;

pub use batch::{Batch, BatchBuilder, BatchError};
pub use clean::{detector, Cleaned, Cleaner, CleanerBuilder, Layer, Removal};
pub use corpus::Corpus;
pub use error::{Error, ErrorKind};
pub use rules::{Rule, RuleKind, RuleSet, Scope};
