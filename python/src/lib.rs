//! Python bindings for declutter: the extension module `declutter._declutter`.
//!
//! The Python package `declutter` (python/python/declutter/) re-exports
//! everything defined here; its stubs (`_declutter.pyi`) document the Python
//! API. Text is `str` in and `str` out: the core works on bytes, and a
//! Python `str` encodes to valid UTF-8, so what the core keeps of it is
//! valid UTF-8 too.
//!
//! Long calls release the GIL, so other Python threads run meanwhile;
//! [`PyCleaner::clean_batch`] cleans on a rayon pool of its own, one
//! [`Cleaner::fork`] per worker thread, as the CLI's batch driver does.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use declutter::corpus::{self, Corpus};
use declutter::model::Model;
use declutter::{Cleaned, Cleaner, RuleSet};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

pyo3::create_exception!(
    declutter,
    RulesError,
    PyValueError,
    "A rules file that cannot be used: bad TOML, an invalid rule or a regex \
     that does not compile. The message names the file, line and rule."
);

pyo3::create_exception!(
    declutter,
    ModelError,
    PyValueError,
    "A line-model file that cannot be used (bad JSON, or a model for another \
     version). The message names the file."
);

/// Turns a library error into the Python exception callers catch.
fn rules_error(err: declutter::Error) -> PyErr {
    match err.kind() {
        declutter::ErrorKind::Model { .. } => ModelError::new_err(err.to_string()),
        _ => RulesError::new_err(err.to_string()),
    }
}

/// The name of an object's type, for error messages.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_string())
}

/// `obj` as a `str`, or a `TypeError` that says what was expected.
/// The items of `texts`, a sequence of documents; a single `str` is refused
/// (its message ends with `str_hint`), as is anything that is not iterable.
fn text_items<'py>(texts: &Bound<'py, PyAny>, str_hint: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if texts.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "texts must be a list of str, not str{str_hint}"
        )));
    }
    texts
        .try_iter()
        .map_err(|_| {
            PyTypeError::new_err(format!("texts must be a list of str, not {}", type_name(texts)))
        })?
        .collect()
}

/// The documents of [`text_items`], each a `str` (errors name `texts[i]`).
fn texts_of<'a>(items: &'a [Bound<'_, PyAny>]) -> PyResult<Vec<&'a str>> {
    items.iter().enumerate().map(|(i, item)| as_text(item, &format!("texts[{i}]"))).collect()
}

fn as_text<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<&'a str> {
    match obj.cast::<PyString>() {
        Ok(s) => s.to_str(),
        Err(_) => {
            let got = type_name(obj);
            let hint = if obj.is_instance_of::<pyo3::types::PyBytes>()
                || obj.is_instance_of::<pyo3::types::PyByteArray>()
            {
                " (decode it first, e.g. data.decode('utf-8', errors='replace'))"
            } else {
                ""
            };
            Err(PyTypeError::new_err(format!("{what} must be str, not {got}{hint}")))
        }
    }
}

/// The kept text of `input` as a `str`, ending as `input` ends (a `str` is a
/// value, not a text file: it gains no final newline; see
/// [`Cleaned::end_like`]). The input was valid UTF-8 and the cleaner keeps
/// whole lines or cuts at regex matches, so the lossy fallback never
/// actually replaces anything; it only guards the invariant.
fn kept_text(mut cleaned: Cleaned, input: &str) -> String {
    cleaned.end_like(input.as_bytes());
    String::from_utf8(cleaned.text)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// One rules file, read when the cleaner is built and kept so that a pickled
/// cleaner (sent to a Spark executor, say) carries its rules with it.
#[derive(Debug, Clone)]
struct RulesSource {
    /// The path, as shown in errors.
    name: String,
    /// The file's text.
    text: String,
}

impl RulesSource {
    fn read(path: PathBuf) -> PyResult<RulesSource> {
        let (name, text) = read_utf8(path, "rules")?;
        Ok(RulesSource { name, text })
    }
}

/// A file's name (as shown in errors) and text; `what` says what it holds.
fn read_utf8(path: PathBuf, what: &str) -> PyResult<(String, String)> {
    let name = path.display().to_string();
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(format!("{name}: cannot read {what}: {e}"))
        }
        _ => PyOSError::new_err(format!("{name}: cannot read {what}: {e}")),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let msg = format!("{name}: {what} file is not UTF-8: {e}");
        if what == "rules" {
            RulesError::new_err(msg)
        } else {
            ModelError::new_err(msg)
        }
    })?;
    Ok((name, text))
}

/// Which line model a cleaner uses.
#[derive(Debug, Clone)]
enum ModelSource {
    /// The embedded model.
    Default,
    /// The context classifier instead of a model.
    Off,
    /// A model file: its name (as shown in errors) and text.
    File { name: String, text: String },
}

/// Everything a cleaner is built from: enough to rebuild it elsewhere.
#[derive(Debug, Clone)]
struct Settings {
    rules: Vec<RulesSource>,
    default_rules: bool,
    classifier: bool,
    duplicates: bool,
    model: ModelSource,
    threshold: Option<f32>,
}

impl Settings {
    /// The defaults, as `declutter clean` without options.
    fn defaults() -> Settings {
        Settings {
            rules: Vec::new(),
            default_rules: true,
            classifier: true,
            duplicates: true,
            model: ModelSource::Default,
            threshold: None,
        }
    }

    fn build(&self) -> PyResult<Cleaner> {
        let mut builder = Cleaner::builder();
        // As the CLI: without the classifier there is no line model either.
        builder
            .default_rules(self.default_rules)
            .classifier(self.classifier)
            .duplicates(self.duplicates)
            .line_model(self.classifier && !matches!(self.model, ModelSource::Off));
        if let (true, ModelSource::File { name, text }) = (self.classifier, &self.model) {
            builder.model(Model::parse(text, name).map_err(rules_error)?);
        }
        if let Some(threshold) = self.threshold {
            if !(0.0..=1.0).contains(&threshold) {
                return Err(PyValueError::new_err(format!(
                    "threshold must be within 0 and 1, not {threshold}"
                )));
            }
            builder.model_threshold(threshold);
        }
        for source in &self.rules {
            builder.rules(RuleSet::parse(&source.text, &source.name).map_err(rules_error)?);
        }
        builder.build().map_err(rules_error)
    }
}

/// `rules_path` as a list of paths: one `str`/`os.PathLike`, or a sequence
/// of them.
fn rule_paths(arg: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<PathBuf>> {
    let Some(arg) = arg else { return Ok(Vec::new()) };
    if arg.is_none() {
        return Ok(Vec::new());
    }
    if arg.is_instance_of::<PyString>() || arg.hasattr("__fspath__")? {
        return Ok(vec![arg.extract()?]);
    }
    let mut paths = Vec::new();
    for item in arg.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "rules_path must be a path (str or os.PathLike) or a list of paths, not {}",
            type_name(arg)
        ))
    })? {
        let item = item?;
        paths.push(item.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "rules_path items must be paths (str or os.PathLike), not {}",
                type_name(&item)
            ))
        })?);
    }
    Ok(paths)
}

/// A pool of worker threads, each with its own fork of the cleaner.
struct Workers {
    pool: rayon::ThreadPool,
    forks: Vec<Cleaner>,
}

/// Removes page chrome from documents. Build one and reuse it: the rules
/// are compiled once, here.
///
/// Args:
///     rules_path: a rules TOML file (str or os.PathLike), or a list of
///         them, added on top of the defaults; a rule with a default's name
///         replaces it. The files are read now.
///     default_rules: start from the embedded default rules (default True).
///     classifier: let the learned line model (or the context classifier)
///         remove lines no rule names (default True); False leaves only
///         rules and structural detectors, like the CLI's --no-classifier.
///     duplicates: remove repeated lines (default True).
///     model: True for the embedded line model, False for the context
///         classifier instead (the CLI's --no-model), or the path of a
///         model file (--model).
///     threshold: the line model's body-probability threshold, 0 to 1
///         (lower keeps more); default: the model's own (--threshold).
///
/// Raises:
///     RulesError: a rules file is not valid (the message names the file,
///         line and rule).
///     ModelError: a model file is not valid.
///     FileNotFoundError, OSError: a rules or model file cannot be read.
///     ValueError: threshold is outside 0 to 1.
///
/// A cleaner is safe to share between threads, and picklable (the pickle
/// carries the rules' text, so no rules file is needed where it is loaded).
#[pyclass(name = "Cleaner", module = "declutter", frozen)]
struct PyCleaner {
    cleaner: Cleaner,
    settings: Settings,
    /// The pool of the last `clean_batch` call, reused while the thread
    /// count stays the same.
    workers: Mutex<Option<(usize, Arc<Workers>)>>,
}

impl PyCleaner {
    fn from_settings(settings: Settings) -> PyResult<PyCleaner> {
        Ok(PyCleaner { cleaner: settings.build()?, settings, workers: Mutex::new(None) })
    }

    fn workers(&self, threads: usize) -> PyResult<Arc<Workers>> {
        let mut slot = self.workers.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((n, workers)) = &*slot {
            if *n == threads {
                return Ok(Arc::clone(workers));
            }
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("declutter-{i}"))
            .build()
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start worker threads: {e}")))?;
        let forks = (0..threads).map(|_| self.cleaner.fork()).collect();
        let workers = Arc::new(Workers { pool, forks });
        *slot = Some((threads, Arc::clone(&workers)));
        Ok(workers)
    }

    fn run(&self, py: Python<'_>, text: &str, corpus: Option<&PyCorpus>) -> Cleaned {
        let corpus = corpus.map(|c| Arc::clone(&c.inner));
        py.detach(|| self.cleaner.clean_with_corpus(text.as_bytes(), corpus.as_deref()))
    }
}

#[pymethods]
impl PyCleaner {
    #[new]
    #[pyo3(signature = (
        rules_path=None,
        *,
        default_rules=true,
        classifier=true,
        duplicates=true,
        model=None,
        threshold=None,
    ))]
    fn new(
        rules_path: Option<&Bound<'_, PyAny>>,
        default_rules: bool,
        classifier: bool,
        duplicates: bool,
        model: Option<&Bound<'_, PyAny>>,
        threshold: Option<f32>,
    ) -> PyResult<PyCleaner> {
        let rules =
            rule_paths(rules_path)?.into_iter().map(RulesSource::read).collect::<PyResult<_>>()?;
        let model = match model {
            None => ModelSource::Default,
            Some(m) if m.is_none() => ModelSource::Default,
            Some(m) if m.is_instance_of::<pyo3::types::PyBool>() => {
                if m.is_truthy()? {
                    ModelSource::Default
                } else {
                    ModelSource::Off
                }
            }
            Some(m) => {
                let path: PathBuf = m.extract().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "model must be True, False or a path (str or os.PathLike), not {}",
                        type_name(m)
                    ))
                })?;
                let (name, text) = read_utf8(path, "the line model")?;
                ModelSource::File { name, text }
            }
        };
        PyCleaner::from_settings(Settings {
            rules,
            default_rules,
            classifier,
            duplicates,
            model,
            threshold,
        })
    }

    /// Cleans one document and returns the kept text.
    ///
    /// The kept lines come back unchanged, in order, with trailing white
    /// space trimmed and runs of blank lines collapsed to one; the result
    /// ends with a newline only when text does, and is "" when nothing is
    /// kept. A text from which nothing is removed comes back as it was
    /// (but for that white space).
    ///
    /// Args:
    ///     text: the document (str).
    ///     corpus: the Corpus of the document's group (site), for corpus
    ///         evidence; None cleans the document on its own.
    ///
    /// Raises:
    ///     TypeError: text is not a str.
    #[pyo3(signature = (text, corpus=None))]
    fn clean(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        corpus: Option<PyRef<'_, PyCorpus>>,
    ) -> PyResult<String> {
        let text = as_text(text, "text")?;
        let cleaned = self.run(py, text, corpus.as_deref());
        Ok(kept_text(cleaned, text))
    }

    /// What cleaning one document removes, and why: a list of Removal in
    /// input order (whole lines, and parts cut from kept lines).
    ///
    /// Args:
    ///     text: the document (str).
    ///     corpus: as for clean().
    ///
    /// Raises:
    ///     TypeError: text is not a str.
    #[pyo3(signature = (text, corpus=None))]
    fn explain(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
        corpus: Option<PyRef<'_, PyCorpus>>,
    ) -> PyResult<Vec<PyRemoval>> {
        let text = as_text(text, "text")?;
        let cleaned = self.run(py, text, corpus.as_deref());
        Ok(removals(text, &cleaned))
    }

    /// Cleans many documents in parallel; returns the cleaned texts in input
    /// order, each equal to what clean() returns for it.
    ///
    /// The GIL is released while cleaning, and the work runs on a pool of
    /// `threads` threads owned by this cleaner (kept for the next call with
    /// the same count). Results do not depend on the thread count.
    ///
    /// Args:
    ///     texts: a list (or any iterable) of str.
    ///     threads: worker threads; default: one per core. Inside Spark,
    ///         Dask or a process pool, where each core already runs a task,
    ///         use 1.
    ///     corpus: None, one Corpus for every text, or a list with one
    ///         Corpus (or None) per text (for a batch mixing sites).
    ///
    /// Raises:
    ///     TypeError: texts is a str, or an item is not a str (the message
    ///         names its index).
    ///     ValueError: threads is 0, or corpus has the wrong length.
    #[pyo3(signature = (texts, threads=None, corpus=None))]
    fn clean_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        threads: Option<usize>,
        corpus: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let items = text_items(texts, " (wrap one document in a list)")?;
        let docs = texts_of(&items)?;
        let corpora = batch_corpora(corpus, docs.len())?;
        let threads = match threads {
            Some(0) => return Err(PyValueError::new_err("threads must be at least 1")),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let corpus_of = |i: usize| match &corpora {
            Corpora::None => None,
            Corpora::One(c) => Some(&**c),
            Corpora::Each(cs) => cs[i].as_deref(),
        };
        let cleaned: Vec<String> = if threads == 1 || docs.len() < 2 {
            let cleaner = &self.cleaner;
            py.detach(|| {
                docs.iter()
                    .enumerate()
                    .map(|(i, doc)| {
                        kept_text(cleaner.clean_with_corpus(doc.as_bytes(), corpus_of(i)), doc)
                    })
                    .collect()
            })
        } else {
            let workers = self.workers(threads)?;
            let shared = &self.cleaner;
            py.detach(|| {
                use rayon::prelude::*;
                workers.pool.install(|| {
                    docs.par_iter()
                        .enumerate()
                        .map(|(i, doc)| {
                            let cleaner = rayon::current_thread_index()
                                .and_then(|t| workers.forks.get(t))
                                .unwrap_or(shared);
                            kept_text(cleaner.clean_with_corpus(doc.as_bytes(), corpus_of(i)), doc)
                        })
                        .collect()
                })
            })
        };
        let out: Vec<Bound<'py, PyString>> =
            cleaned.iter().map(|text| PyString::new(py, text)).collect();
        PyList::new(py, out)
    }

    /// The names of the rules in effect, after merging, in definition order.
    #[getter]
    fn rule_names(&self) -> Vec<String> {
        self.cleaner.rules().rules().iter().map(|r| r.name.clone()).collect()
    }

    fn __repr__(&self) -> String {
        let s = &self.settings;
        let paths: Vec<&str> = s.rules.iter().map(|r| r.name.as_str()).collect();
        let model = match &s.model {
            ModelSource::Default => "True".to_string(),
            ModelSource::Off => "False".to_string(),
            ModelSource::File { name, .. } => format!("{name:?}"),
        };
        let threshold = s.threshold.map_or_else(|| "None".to_string(), |t| t.to_string());
        format!(
            "Cleaner(rules_path={paths:?}, default_rules={}, classifier={}, duplicates={}, \
             model={model}, threshold={threshold})",
            py_bool(s.default_rules),
            py_bool(s.classifier),
            py_bool(s.duplicates)
        )
    }

    /// Pickle support: the state carries the rules' text, not their paths,
    /// so a cleaner unpickled on another machine needs no rules file there.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let s = &self.settings;
        let rules: Vec<(String, String)> =
            s.rules.iter().map(|r| (r.name.clone(), r.text.clone())).collect();
        let module = py.import("declutter._declutter")?;
        let rebuild = module.getattr("_cleaner_from_state")?;
        // The model as (kind, name, text): 0 embedded, 1 off, 2 a file.
        let model = match &s.model {
            ModelSource::Default => (0u8, String::new(), String::new()),
            ModelSource::Off => (1, String::new(), String::new()),
            ModelSource::File { name, text } => (2, name.clone(), text.clone()),
        };
        let args = (rules, s.default_rules, s.classifier, s.duplicates, model, s.threshold)
            .into_pyobject(py)?;
        PyTuple::new(py, [rebuild, args.into_any()])
    }
}

fn py_bool(yes: bool) -> &'static str {
    if yes {
        "True"
    } else {
        "False"
    }
}

/// Rebuilds a pickled [`PyCleaner`].
#[pyfunction]
fn _cleaner_from_state(
    rules: Vec<(String, String)>,
    default_rules: bool,
    classifier: bool,
    duplicates: bool,
    model: (u8, String, String),
    threshold: Option<f32>,
) -> PyResult<PyCleaner> {
    let rules = rules.into_iter().map(|(name, text)| RulesSource { name, text }).collect();
    let model = match model {
        (0, _, _) => ModelSource::Default,
        (1, _, _) => ModelSource::Off,
        (_, name, text) => ModelSource::File { name, text },
    };
    PyCleaner::from_settings(Settings {
        rules,
        default_rules,
        classifier,
        duplicates,
        model,
        threshold,
    })
}

/// The corpus argument of `clean_batch`.
enum Corpora {
    None,
    One(Arc<Corpus>),
    Each(Vec<Option<Arc<Corpus>>>),
}

fn batch_corpora(arg: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Corpora> {
    let Some(arg) = arg else { return Ok(Corpora::None) };
    if arg.is_none() {
        return Ok(Corpora::None);
    }
    if let Ok(one) = arg.cast::<PyCorpus>() {
        return Ok(Corpora::One(Arc::clone(&one.borrow().inner)));
    }
    let bad = || {
        PyTypeError::new_err(format!(
            "corpus must be a Corpus, None, or a list with one Corpus or None per text, not {}",
            type_name(arg)
        ))
    };
    let mut each = Vec::with_capacity(n);
    for (i, item) in arg.try_iter().map_err(|_| bad())?.enumerate() {
        let item = item?;
        if item.is_none() {
            each.push(None);
        } else {
            let c = item.cast::<PyCorpus>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "corpus[{i}] must be a Corpus or None, not {}",
                    type_name(&item)
                ))
            })?;
            each.push(Some(Arc::clone(&c.borrow().inner)));
        }
    }
    if each.len() != n {
        return Err(PyValueError::new_err(format!(
            "corpus has {} entries but there are {n} texts (give one Corpus or None per text)",
            each.len()
        )));
    }
    Ok(Corpora::Each(each))
}

/// One removal, as Cleaner.explain() reports it.
///
/// Attributes:
///     line: 1-based line number in the input.
///     text: what was removed: a whole line (without its line terminator)
///         or, for the "inline" layer, the part cut from a kept line.
///     rule: the name of the rule or detector that removed it.
///     layer: the stage that removed it: "rule", "section", "structure",
///         "classifier", "corpus", "model" or "inline".
///     score: the evidence behind a scored removal (the body probability
///         for the line model, the stop-word density for the context
///         classifier, the share of the group's other documents containing
///         the line for the corpus layer), else None.
///     start, end: where the removed text is in the input, as str indices
///         (``text == input[start:end]``).
#[pyclass(name = "Removal", module = "declutter", frozen, get_all, eq)]
#[derive(Debug, Clone, PartialEq)]
struct PyRemoval {
    /// 1-based line number in the input.
    line: usize,
    /// What was removed: a whole line (without its line terminator) or, for
    /// the `inline` layer, the part cut from a kept line.
    text: String,
    /// The name of the rule or detector that removed it.
    rule: String,
    /// The stage that removed it: rule, section, structure, classifier,
    /// corpus, model or inline.
    layer: &'static str,
    /// The evidence behind a scored removal, else `None`.
    score: Option<f64>,
    /// Start of the removed text in the input, as a `str` index.
    start: usize,
    /// End (exclusive) of the removed text in the input, as a `str` index.
    end: usize,
}

#[pymethods]
impl PyRemoval {
    /// The removal as a plain dict (for JSON, pandas, ...).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("line", self.line)?;
        d.set_item("text", &self.text)?;
        d.set_item("rule", &self.rule)?;
        d.set_item("layer", self.layer)?;
        d.set_item("score", self.score)?;
        d.set_item("start", self.start)?;
        d.set_item("end", self.end)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let score = match self.score {
            Some(s) => format!("{s:.3}"),
            None => "None".to_string(),
        };
        format!(
            "Removal(line={}, layer={:?}, rule={:?}, score={score}, text={:?})",
            self.line, self.layer, self.rule, self.text
        )
    }
}

/// The removals of `cleaned`, with byte offsets turned into `str` indices.
fn removals(text: &str, cleaned: &Cleaned) -> Vec<PyRemoval> {
    // Removals come in input order, so one cursor converts all offsets.
    let mut at_byte = 0;
    let mut at_char = 0;
    let mut char_index = |byte: usize| {
        if byte < at_byte {
            at_byte = 0;
            at_char = 0;
        }
        at_char += text.get(at_byte..byte).map_or(0, |s| s.chars().count());
        at_byte = byte;
        at_char
    };
    cleaned
        .removals
        .iter()
        .map(|r| {
            let removed = text.get(r.range.clone()).unwrap_or("");
            let removed = removed.strip_suffix('\r').unwrap_or(removed);
            let start = char_index(r.range.start);
            let end = char_index(r.range.start + removed.len());
            PyRemoval {
                line: r.line,
                text: removed.to_string(),
                rule: r.rule.to_string(),
                layer: r.layer.as_str(),
                score: r.score.map(f64::from),
                start,
                end,
            }
        })
        .collect()
}

/// Corpus evidence for one group of documents (one site, or a whole
/// batch): the number of documents, and for each line fingerprint the
/// number of documents that contain it. Lines found in many documents of
/// the group are removed unless they read as prose.
///
/// Args:
///     documents: the number of documents in the group.
///     counts: {fingerprint: documents containing it} (a dict, or an
///         iterable of pairs), as computed elsewhere, e.g. by a cluster job
///         from fingerprints(). Fingerprints may be given unsigned or as
///         the same 64 bits signed (fingerprints(signed=True)). Counts of 0
///         are ignored; counts above `documents` are clamped to it.
///
/// Raises:
///     ValueError: a fingerprint or count out of range.
///     TypeError: counts is neither a dict nor an iterable of pairs.
///
/// A group needs at least 5 documents before its counts are used, and a
/// line is repeated when found in at least 3 other documents (and 10% of
/// them). Corpus objects are picklable; Corpus.from_texts() counts
/// documents here.
#[pyclass(name = "Corpus", module = "declutter")]
struct PyCorpus {
    inner: Arc<Corpus>,
}

/// A fingerprint from Python: an unsigned 64-bit value, or the same bits as
/// a signed one (Spark and Arrow have no unsigned 64-bit integers).
fn fingerprint_arg(obj: &Bound<'_, PyAny>) -> PyResult<u64> {
    if let Ok(fp) = obj.extract::<u64>() {
        return Ok(fp);
    }
    if let Ok(fp) = obj.extract::<i64>() {
        return Ok(fp as u64);
    }
    Err(PyValueError::new_err(format!(
        "a fingerprint must be an int in [-2**63, 2**64), not {}",
        obj.repr().map_or_else(|_| type_name(obj), |r| r.to_string())
    )))
}

/// A count from Python, clamped to what the core stores.
fn count_arg(obj: &Bound<'_, PyAny>) -> PyResult<u32> {
    match obj.extract::<u64>() {
        Ok(n) => Ok(u32::try_from(n).unwrap_or(u32::MAX)),
        Err(_) => Err(PyValueError::new_err(format!(
            "a count must be a non-negative int, not {}",
            obj.repr().map_or_else(|_| type_name(obj), |r| r.to_string())
        ))),
    }
}

fn fingerprint_out(fp: u64, signed: bool) -> i128 {
    if signed {
        i128::from(fp as i64)
    } else {
        i128::from(fp)
    }
}

#[pymethods]
impl PyCorpus {
    #[new]
    #[pyo3(signature = (documents=0, counts=None))]
    fn new(documents: u64, counts: Option<&Bound<'_, PyAny>>) -> PyResult<PyCorpus> {
        let mut pairs = Vec::new();
        if let Some(counts) = counts.filter(|c| !c.is_none()) {
            if let Ok(dict) = counts.cast::<PyDict>() {
                pairs.reserve(dict.len());
                for (fp, n) in dict.iter() {
                    pairs.push((fingerprint_arg(&fp)?, count_arg(&n)?));
                }
            } else {
                let bad = || {
                    PyTypeError::new_err(format!(
                        "counts must be a dict {{fingerprint: documents}} or an iterable of \
                         (fingerprint, documents) pairs, not {}",
                        type_name(counts)
                    ))
                };
                for pair in counts.try_iter().map_err(|_| bad())? {
                    let (fp, n): (Bound<'_, PyAny>, Bound<'_, PyAny>) =
                        pair?.extract().map_err(|_| bad())?;
                    pairs.push((fingerprint_arg(&fp)?, count_arg(&n)?));
                }
            }
        }
        Ok(PyCorpus { inner: Arc::new(Corpus::from_counts(documents, pairs)) })
    }

    /// The corpus of a list of documents (one group), counted here with the
    /// GIL released, as `declutter clean` counts a group: a document whose
    /// lines are exactly those of one already counted (the same page
    /// crawled twice) is not counted again.
    ///
    /// Raises:
    ///     TypeError: texts is a str, or an item is not a str.
    #[staticmethod]
    fn from_texts(py: Python<'_>, texts: &Bound<'_, PyAny>) -> PyResult<PyCorpus> {
        let items = text_items(texts, "")?;
        let docs = texts_of(&items)?;
        let corpus = py.detach(|| {
            // As the CLI counts: a copy of a document already added (the
            // same lines exactly) is not counted again.
            Corpus::from_pages(docs.iter().map(|doc| corpus::fingerprints(doc.as_bytes())))
        });
        Ok(PyCorpus { inner: Arc::new(corpus) })
    }

    /// Adds one document (str) to the counts (every call counts, copies
    /// included; from_texts() skips copies).
    fn add(&mut self, text: &Bound<'_, PyAny>) -> PyResult<()> {
        let text = as_text(text, "text")?;
        Arc::make_mut(&mut self.inner).add_document(&corpus::fingerprints(text.as_bytes()));
        Ok(())
    }

    /// Adds the documents and counts of another corpus (over other documents).
    fn merge(&mut self, other: &Bound<'_, PyCorpus>) {
        let other = Arc::clone(&other.borrow().inner);
        Arc::make_mut(&mut self.inner).merge(&other);
    }

    /// Drops every line found in fewer than `min` documents. A line found
    /// in one document only (its own) reads exactly like an unknown one, so
    /// `retain_repeated(2)` shrinks a corpus to send to workers, and the
    /// table cleaning looks every line up in, without changing any result;
    /// a higher `min` may. Call it once every document is added: a dropped
    /// line found again later is counted from 0.
    fn retain_repeated(&mut self, min: u32) {
        Arc::make_mut(&mut self.inner).retain_repeated(min);
    }

    /// The number of documents in the group.
    #[getter]
    fn documents(&self) -> u64 {
        self.inner.documents()
    }

    /// How many documents contain the line with this fingerprint (0 when
    /// unknown).
    fn count(&self, fingerprint: &Bound<'_, PyAny>) -> PyResult<u32> {
        Ok(self.inner.count(fingerprint_arg(fingerprint)?))
    }

    /// The counts as a dict {fingerprint: documents}; `signed=True` gives
    /// fingerprints as signed 64-bit values (for Spark or Arrow int64).
    #[pyo3(signature = (signed=false))]
    fn to_dict<'py>(&self, py: Python<'py>, signed: bool) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (fp, n) in self.inner.iter() {
            d.set_item(fingerprint_out(fp, signed), n)?;
        }
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __contains__(&self, fingerprint: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.inner.count(fingerprint_arg(fingerprint)?) > 0)
    }

    fn __repr__(&self) -> String {
        format!("Corpus(documents={}, lines={})", self.inner.documents(), self.inner.len())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.borrow();
        let args = (this.inner.documents(), this.to_dict(py, false)?).into_pyobject(py)?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }
}

/// The default cleaner, built on first use.
static DEFAULT_CLEANER: PyOnceLock<Py<PyCleaner>> = PyOnceLock::new();

/// Cleans one document and returns the kept text.
///
/// Args:
///     text: the document (str).
///     rules: None for the default rules, or a rules TOML file (str or
///         os.PathLike, or a list of them) added to the defaults. A file is
///         read and compiled on every call: to clean many documents with
///         it, build a Cleaner once.
///     corpus: the Corpus of the document's group, or None.
///
/// Raises:
///     TypeError: text is not a str.
///     RulesError: the rules file is not valid.
#[pyfunction]
#[pyo3(signature = (text, rules=None, corpus=None))]
fn clean(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    rules: Option<&Bound<'_, PyAny>>,
    corpus: Option<PyRef<'_, PyCorpus>>,
) -> PyResult<String> {
    let text = as_text(text, "text")?;
    let paths = rule_paths(rules)?;
    let cleaned = if paths.is_empty() {
        let cleaner = DEFAULT_CLEANER
            .get_or_try_init(py, || Py::new(py, PyCleaner::from_settings(Settings::defaults())?))?;
        cleaner.get().run(py, text, corpus.as_deref())
    } else {
        let rules = paths.into_iter().map(RulesSource::read).collect::<PyResult<_>>()?;
        let cleaner = PyCleaner::from_settings(Settings { rules, ..Settings::defaults() })?;
        cleaner.run(py, text, corpus.as_deref())
    };
    Ok(kept_text(cleaned, text))
}

/// The distinct fingerprints of a document's lines, sorted: what the
/// document adds to its group's Corpus (each fingerprint counts once).
///
/// A fingerprint is the XXH3-64 hash of the line lower-cased, digits turned
/// into 0, punctuation dropped and white space collapsed; lines without a
/// letter or digit have none. Values are the same on every machine.
/// `signed=True` returns the same 64 bits as signed ints, for Spark or
/// Arrow int64 columns; Corpus accepts both.
///
/// Raises:
///     TypeError: text is not a str.
#[pyfunction]
#[pyo3(signature = (text, *, signed=false))]
fn fingerprints(py: Python<'_>, text: &Bound<'_, PyAny>, signed: bool) -> PyResult<Vec<i128>> {
    let text = as_text(text, "text")?;
    let fps = py.detach(|| corpus::fingerprints(text.as_bytes()));
    Ok(fps.into_iter().map(|fp| fingerprint_out(fp, signed)).collect())
}

/// The key of a whole document, from its fingerprints (as fingerprints()
/// returns them, signed or not): documents with the same lines have the
/// same key. `declutter clean` counts a document once per key and group; a
/// distributed corpus pass drops copies by (group, key) the same way.
///
/// Raises:
///     ValueError: a fingerprint is out of range.
#[pyfunction]
#[pyo3(signature = (fingerprints, *, signed=false))]
fn document_key(fingerprints: &Bound<'_, PyAny>, signed: bool) -> PyResult<i128> {
    let mut fps = Vec::new();
    for fp in fingerprints.try_iter()? {
        fps.push(fingerprint_arg(&fp?)?);
    }
    Ok(fingerprint_out(corpus::document_key(&fps), signed))
}

/// The fingerprint of one line, or None for a line without letters or
/// digits (see fingerprints()).
#[pyfunction]
#[pyo3(signature = (line, *, signed=false))]
fn fingerprint(line: &Bound<'_, PyAny>, signed: bool) -> PyResult<Option<i128>> {
    let line = as_text(line, "line")?;
    Ok(corpus::fingerprint(line.as_bytes()).map(|fp| fingerprint_out(fp, signed)))
}

/// The group a record belongs to, from its URL: the lower-cased host
/// without a leading "www." (or the input trimmed and lower-cased when it
/// is a bare domain). Records without a URL form the group "".
///
/// Raises:
///     TypeError: url is not a str.
#[pyfunction]
fn site_of(url: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(corpus::site_of(as_text(url, "url")?))
}

/// The extension module.
#[pymodule]
fn _declutter(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("RulesError", m.py().get_type::<RulesError>())?;
    m.add("ModelError", m.py().get_type::<ModelError>())?;
    m.add_class::<PyCleaner>()?;
    m.add_class::<PyCorpus>()?;
    m.add_class::<PyRemoval>()?;
    m.add_function(wrap_pyfunction!(clean, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprints, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprint, m)?)?;
    m.add_function(wrap_pyfunction!(document_key, m)?)?;
    m.add_function(wrap_pyfunction!(site_of, m)?)?;
    m.add_function(wrap_pyfunction!(_cleaner_from_state, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
