//! Reading inputs and writing outputs safely.

mod atomic;
pub mod input;
pub mod jsonl;
pub mod output;
mod walk;

pub use atomic::{write_atomic, AtomicFile};
pub use input::{Compression, Format};
pub use walk::{walk_inputs, walk_inputs_except, InputFile};
