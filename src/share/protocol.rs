//! The shared session's protocol, over the hub's Unix socket: JSON lines.
//!
//! 1. The viewer says `hello` (the protocol version, its ecswatch version, its Unix user).
//! 2. The hub answers `welcome` (the same, and how many viewers are attached), or `refused`
//!    with the reason (another protocol version: the viewer runs standalone and says so).
//! 3. Then the hub sends the recording format's lines (`docs/RECORDING.md`): a `header`, every
//!    `update` of the last hour (a late joiner's first frame holds that hour), then each new
//!    update as it is read. The viewer sends an `intent` line whenever what it has open or on
//!    screen changes.

use crate::model::ServiceKey;
use serde::{Deserialize, Serialize};

/// Bumped when a line changes meaning; a viewer of another version is refused.
pub const PROTOCOL: u32 = 1;

/// A line from a viewer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToHub {
    Hello {
        protocol: u32,
        version: String,
        user: String,
    },
    /// What the viewer wants read (its `store::Intent`, less what only a one-shot asks).
    Intent(ViewerIntent),
    /// A note typed or an action taken in the viewer, for everyone's timeline (a recording's
    /// `note` or `action` record): the hub sends it to every viewer, the sender included.
    Timeline { record: Box<crate::record::Record> },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ViewerIntent {
    #[serde(default)]
    pub focus: Option<ServiceKey>,
    #[serde(default)]
    pub open_task: Option<String>,
    #[serde(default)]
    pub on_screen: Vec<ServiceKey>,
    /// Bumped by the viewer's "refresh now".
    #[serde(default)]
    pub refresh: u64,
}

impl ViewerIntent {
    pub fn of(i: &crate::store::Intent) -> Self {
        Self {
            focus: i.focus.clone(),
            open_task: i.open_task.clone(),
            on_screen: i.on_screen.clone(),
            refresh: i.refresh,
        }
    }
}

/// The hub's first line to a viewer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromHub {
    Welcome {
        protocol: u32,
        version: String,
        /// Viewers attached, this one included.
        viewers: usize,
        /// The file the hub records to (`serve --record`): a viewer that starts the next hub
        /// after this one died has it go on recording there (a new session in the same file).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recording: Option<std::path::PathBuf>,
    },
    Refused {
        reason: String,
    },
}

/// The hub's intent for its pollers: the union of its viewers'. Every viewer's open service
/// is open (`also_open`: each at open-service priority); the board rows of viewers on the
/// board are on screen; one viewer's open task (the first) has its stream read; a refresh of
/// any viewer refreshes all.
pub fn union(viewers: &[&ViewerIntent]) -> crate::store::Intent {
    let mut out = crate::store::Intent::default();
    for v in viewers {
        match &v.focus {
            Some(f) => {
                if !out.also_open.contains(f) {
                    out.also_open.push(f.clone());
                }
                if out.open_task.is_none() {
                    out.open_task = v.open_task.clone();
                    // a task is read for the service it is in: that one leads
                    if v.open_task.is_some() {
                        out.focus = Some(f.clone());
                    }
                }
            }
            None => {
                for k in &v.on_screen {
                    if !out.on_screen.contains(k) {
                        out.on_screen.push(k.clone());
                    }
                }
            }
        }
        out.refresh = out.refresh.wrapping_add(v.refresh);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_union_opens_every_viewers_service_and_shows_every_board_row() {
        let web = ServiceKey::new("prod", "web");
        let api = ServiceKey::new("prod", "api");
        let a = ViewerIntent {
            focus: Some(web.clone()),
            ..Default::default()
        };
        let b = ViewerIntent {
            focus: Some(api.clone()),
            open_task: Some("arn:task/1".into()),
            refresh: 2,
            ..Default::default()
        };
        let c = ViewerIntent {
            on_screen: vec![web.clone(), ServiceKey::new("prod", "jobs")],
            refresh: 1,
            ..Default::default()
        };
        let d = a.clone();
        let u = union(&[&a, &b, &c, &d]);
        assert_eq!(u.also_open, vec![web.clone(), api.clone()]);
        assert_eq!(u.focus, Some(api));
        assert_eq!(u.open_task.as_deref(), Some("arn:task/1"));
        assert_eq!(u.on_screen.len(), 2);
        assert_eq!(u.refresh, 3);
        assert_eq!(union(&[]), crate::store::Intent::default());
        // lines round-trip
        let line = serde_json::to_string(&ToHub::Intent(b.clone())).unwrap();
        assert!(line.starts_with(r#"{"type":"intent""#), "{line}");
        assert!(
            matches!(serde_json::from_str::<ToHub>(&line).unwrap(), ToHub::Intent(i) if i == b)
        );
    }
}
