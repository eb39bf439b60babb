//! Reports built from the store: `snapshot` JSON (schema `ecswatch.snapshot.v1`) and text, and
//! the incident timeline (`ecswatch.timeline.v1`, Markdown).
//! Pure functions of the store and `now`.

mod json;
mod text;
mod timeline;

pub use json::{SCHEMA, snapshot_json};
// the helpers the console shares with the reports live below both (`present`)
pub use crate::present::{StatusBadge, ago, credentials_hint, status_badge};
pub use text::snapshot_text;
pub use timeline::{
    CONTEXT_BEFORE_S, Summary, TIMELINE_SCHEMA, Timeline, build as build_timeline, timeline_json,
    timeline_markdown,
};
