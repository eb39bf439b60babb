//! `ecswatch timeline --replay FILE`: the incident timeline of a recording, for the postmortem.

use super::Exit;
use super::snapshot::read_recording;
use crate::cli::{TimelineArgs, TimelineFormat};
use crate::diagnosis::Playbook;
use crate::model::Scope;
use crate::record::player::Player;
use crate::report::{build_timeline, timeline_json, timeline_markdown};
use std::sync::Arc;

pub fn run(pb: Playbook, scope: Scope, args: &TimelineArgs) -> Result<String, Exit> {
    let rec = read_recording(&args.replay)?;
    let mut player = Player::new(rec, Arc::new(pb), scope);
    player.finish();
    let t = build_timeline(&player.store, player.start(), player.end());
    Ok(match args.format {
        TimelineFormat::Markdown => timeline_markdown(&t),
        TimelineFormat::Json => timeline_json(&t) + "\n",
    })
}
