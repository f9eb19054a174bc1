//! Reading inputs and writing outputs safely.

mod atomic;
mod walk;

pub use atomic::{write_atomic, AtomicFile};
pub use walk::{walk_inputs, InputFile};
