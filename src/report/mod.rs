//! Reports built from the store: `snapshot` JSON (schema `ecswatch.snapshot.v1`) and text.
//! Pure functions of the store and `now`.

mod json;
mod status;
mod text;

pub use json::{SCHEMA, snapshot_json};
pub use status::{StatusBadge, status_badge};
pub use text::{ago, snapshot_text};
