//! One file per subcommand.

pub mod cycle;
pub mod doctor;
pub mod explain;
pub mod snapshot;
pub mod timeline;
pub mod wait;

use crate::diagnosis::Playbook;
use std::path::Path;

// the process's exit is the command line's contract (`cli`): the console loop returns it too
pub use crate::cli::Exit;

/// The playbook: built in, plus the user's file when given (bad files exit 2 naming file and line).
pub fn load_playbook(path: Option<&Path>) -> Result<Playbook, Exit> {
    match path {
        Some(p) => Playbook::load_path(p).map_err(|e| Exit::new(2, format!("playbook: {e}"))),
        None => Ok(Playbook::builtin()),
    }
}
