//! Keymaps: key -> action per layer, resolved by a pure function. Shipped keymaps are embedded;
//! `--keymap NAME|PATH` picks one (`vim` is merged over `default`), and
//! `$XDG_CONFIG_HOME/ecswatch/keymap.toml` is merged over that per key; `noop` unbinds.

mod key;

pub use key::Key;

use crate::config_file::{line_of, read_text, toml_error};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Everything a key can do. Parsed from strings, described for the generated help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Back,
    Refresh,
    Copy,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Filter,
    Sort,
    NextPane,
    PrevPane,
    Timeline,
    Note,
    Rollback,
    Redeploy,
    Scale,
    StopTask,
    Exec,
    AbortDeployment,
    ContinueHook,
    RollbackHook,
    PlayPause,
    Faster,
    Slower,
    SeekBack,
    SeekForward,
}

impl Action {
    pub const ALL: [Action; 31] = [
        Action::Quit,
        Action::Help,
        Action::Back,
        Action::Refresh,
        Action::Copy,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Open,
        Action::Filter,
        Action::Sort,
        Action::NextPane,
        Action::PrevPane,
        Action::Timeline,
        Action::Note,
        Action::Rollback,
        Action::Redeploy,
        Action::Scale,
        Action::StopTask,
        Action::Exec,
        Action::AbortDeployment,
        Action::ContinueHook,
        Action::RollbackHook,
        Action::PlayPause,
        Action::Faster,
        Action::Slower,
        Action::SeekBack,
        Action::SeekForward,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Back => "back",
            Action::Refresh => "refresh",
            Action::Copy => "copy",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Filter => "filter",
            Action::Sort => "sort",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::Timeline => "timeline",
            Action::Note => "note",
            Action::Rollback => "rollback",
            Action::Redeploy => "redeploy",
            Action::Scale => "scale",
            Action::StopTask => "stop_task",
            Action::Exec => "exec",
            Action::AbortDeployment => "abort_deployment",
            Action::ContinueHook => "continue_hook",
            Action::RollbackHook => "rollback_hook",
            Action::PlayPause => "play_pause",
            Action::Faster => "faster",
            Action::Slower => "slower",
            Action::SeekBack => "seek_back",
            Action::SeekForward => "seek_forward",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit ecswatch",
            Action::Help => "show this help",
            Action::Back => "go back / close",
            Action::Refresh => "poll every source now",
            Action::Copy => "copy the selected ARN or confirm command (OSC 52)",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::Open => "open the selected service or task",
            Action::Filter => "filter (services on the board, lines in the log pane)",
            Action::Sort => "change the board's sort order",
            Action::NextPane => "focus the next pane",
            Action::PrevPane => "focus the previous pane",
            Action::Timeline => "open the incident timeline (this service, or all on the board)",
            Action::Note => "add a note to the timeline",
            Action::Rollback => {
                "roll back: the service deployment (StopServiceDeployment ROLLBACK), else to the previous task definition (--allow-writes)"
            }
            Action::Redeploy => "force a new deployment (--allow-writes)",
            Action::Scale => "change the desired count (--allow-writes)",
            Action::StopTask => "stop a task (--allow-writes)",
            Action::Exec => {
                "ECS Exec into the selected running task: preflight, copy the command (runs it with --allow-writes)"
            }
            Action::AbortDeployment => {
                "stop the service deployment where it is, no rollback (ABORT, --allow-writes)"
            }
            Action::ContinueHook => {
                "continue a deployment paused at a lifecycle hook (--allow-writes)"
            }
            Action::RollbackHook => {
                "roll back a deployment paused at a lifecycle hook (--allow-writes)"
            }
            Action::PlayPause => "replay: pause / play",
            Action::Faster => "replay: play faster",
            Action::Slower => "replay: play slower",
            Action::SeekBack => "replay: back one minute",
            Action::SeekForward => "replay: forward one minute",
        }
    }
}

impl FromStr for Action {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == s)
            .ok_or(())
    }
}

/// Where a key is pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layer {
    Global,
    Board,
    Service,
    Task,
    Timeline,
    Help,
}

impl Layer {
    pub const ALL: [Layer; 6] = [
        Layer::Global,
        Layer::Board,
        Layer::Service,
        Layer::Task,
        Layer::Timeline,
        Layer::Help,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layer::Global => "global",
            Layer::Board => "board",
            Layer::Service => "service",
            Layer::Task => "task",
            Layer::Timeline => "timeline",
            Layer::Help => "help",
        }
    }
}

pub const SHIPPED: [(&str, &str); 2] = [
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError(pub String);

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keymap {
    bindings: BTreeMap<(Layer, Key), Action>,
}

type RawFile = BTreeMap<String, BTreeMap<String, toml::Spanned<String>>>;

impl Keymap {
    /// Merge a keymap file over this one.
    pub fn merge_file(&mut self, file: &str, text: &str) -> Result<(), KeymapError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| KeymapError(toml_error(file, text, &e)))?;
        for (layer_name, keys) in raw {
            let layer = Layer::ALL
                .iter()
                .copied()
                .find(|l| l.name() == layer_name)
                .ok_or_else(|| {
                    KeymapError(format!(
                        "{file}: unknown layer [{layer_name}] (layers: {})",
                        Layer::ALL.map(|l| l.name()).join(", ")
                    ))
                })?;
            for (key_text, action) in keys {
                let line = line_of(text, action.span().start);
                let key: Key = key_text.parse().map_err(|e| {
                    KeymapError(format!(
                        "{file}:{line}: [{layer_name}] key '{key_text}': {e}"
                    ))
                })?;
                let action_text = action.get_ref().as_str();
                if action_text == "noop" {
                    self.bindings.remove(&(layer, key));
                    continue;
                }
                let action: Action = action_text.parse().map_err(|_| {
                    KeymapError(format!(
                        "{file}:{line}: [{layer_name}] key '{key_text}': unknown action '{action_text}'"
                    ))
                })?;
                self.bindings.insert((layer, key), action);
            }
        }
        Ok(())
    }

    pub fn shipped(name: &str) -> Option<Self> {
        let mut k = Keymap::default();
        k.merge_file("keymaps/default.toml (built in)", SHIPPED[0].1)
            .expect("shipped keymap is valid");
        if name == "default" {
            return Some(k);
        }
        let (_, text) = SHIPPED.iter().find(|(n, _)| *n == name)?;
        k.merge_file(&format!("keymaps/{name}.toml (built in)"), text)
            .expect("shipped keymap is valid");
        Some(k)
    }

    /// `--keymap NAME|PATH` (a path merges over the default), then the user's keymap.toml.
    pub fn resolve(arg: Option<&str>, config_dir: Option<&Path>) -> Result<Self, KeymapError> {
        let read = |p: &Path| read_text(p).map_err(KeymapError);
        let mut keymap = match arg {
            None => Self::shipped("default").expect("shipped"),
            Some(a) if !a.contains('/') && !a.ends_with(".toml") => match Self::shipped(a) {
                Some(k) => k,
                None => {
                    let p = config_dir.map(|d| d.join("keymaps").join(format!("{a}.toml")));
                    match p.filter(|p| p.exists()) {
                        Some(p) => {
                            let mut k = Self::shipped("default").expect("shipped");
                            k.merge_file(&p.display().to_string(), &read(&p)?)?;
                            k
                        }
                        None => {
                            return Err(KeymapError(format!(
                                "keymap '{a}' not found (shipped: {})",
                                SHIPPED.map(|(n, _)| n).join(", ")
                            )));
                        }
                    }
                }
            },
            Some(path) => {
                let p = Path::new(path);
                let mut k = Self::shipped("default").expect("shipped");
                k.merge_file(path, &read(p)?)?;
                k
            }
        };
        if let Some(user) = config_dir
            .map(|d| d.join("keymap.toml"))
            .filter(|p| p.exists())
        {
            keymap.merge_file(&user.display().to_string(), &read(&user)?)?;
        }
        Ok(keymap)
    }

    /// What `key` does in `layer`: the layer's binding, else the global one.
    pub fn resolve_key(&self, layer: Layer, key: Key) -> Option<Action> {
        self.bindings
            .get(&(layer, key))
            .or_else(|| self.bindings.get(&(Layer::Global, key)))
            .copied()
    }

    /// Bindings of a layer (with the global ones it does not shadow), for the help screen.
    pub fn help(&self, layer: Layer) -> Vec<(Action, Vec<Key>)> {
        let mut by_action: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        for ((l, key), action) in &self.bindings {
            let shadowed = *l == Layer::Global && self.bindings.contains_key(&(layer, *key));
            if (*l == layer || *l == Layer::Global) && !shadowed {
                by_action.entry(*action).or_default().push(*key);
            }
        }
        // plain keys first: hints show `q`, not `ctrl-c`
        for keys in by_action.values_mut() {
            keys.sort_by_key(|k| (k.ctrl || k.alt, *k));
        }
        by_action.into_iter().collect()
    }

    /// The first key bound to an action in a layer, for hints ("? help").
    pub fn key_for(&self, layer: Layer, action: Action) -> Option<Key> {
        self.help(layer)
            .into_iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, k)| k.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().unwrap()
    }

    #[test]
    fn shipped_keymaps_load_and_resolve() {
        let d = Keymap::shipped("default").unwrap();
        assert_eq!(d.resolve_key(Layer::Board, key("j")), Some(Action::Down));
        assert_eq!(d.resolve_key(Layer::Board, key("q")), Some(Action::Quit));
        assert_eq!(d.resolve_key(Layer::Help, key("q")), Some(Action::Back));
        assert_eq!(
            d.resolve_key(Layer::Board, key("ctrl-c")),
            Some(Action::Quit)
        );
        assert_eq!(d.resolve_key(Layer::Board, key("x")), None);
        let v = Keymap::shipped("vim").unwrap();
        assert_eq!(v.resolve_key(Layer::Service, key("h")), Some(Action::Back));
        assert_eq!(v.resolve_key(Layer::Board, key("G")), Some(Action::Bottom));
        assert_eq!(
            v.resolve_key(Layer::Board, key("j")),
            Some(Action::Down),
            "vim merges over default"
        );
    }

    #[test]
    fn every_action_is_reachable_in_the_default_keymap() {
        let d = Keymap::shipped("default").unwrap();
        for a in Action::ALL {
            assert!(
                Layer::ALL.iter().any(|l| d.key_for(*l, a).is_some()),
                "{} has no key",
                a.name()
            );
        }
    }

    #[test]
    fn user_file_merges_per_key_and_noop_unbinds() {
        let mut k = Keymap::shipped("default").unwrap();
        k.merge_file(
            "mine.toml",
            "[board]\nj = \"noop\"\nn = \"down\"\n[global]\nQ = \"quit\"\n",
        )
        .unwrap();
        assert_eq!(k.resolve_key(Layer::Board, key("j")), None);
        assert_eq!(k.resolve_key(Layer::Board, key("n")), Some(Action::Down));
        assert_eq!(
            k.resolve_key(Layer::Board, key("k")),
            Some(Action::Up),
            "untouched keys stay"
        );
        assert_eq!(k.resolve_key(Layer::Task, key("Q")), Some(Action::Quit));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let mut k = Keymap::default();
        let e = k
            .merge_file("mine.toml", "[board]\nj = \"down\"\nx = \"explode\"\n")
            .unwrap_err();
        assert_eq!(
            e.0,
            "mine.toml:3: [board] key 'x': unknown action 'explode'"
        );
        let e = k
            .merge_file("mine.toml", "[board]\n\"ctrl-\" = \"down\"\n")
            .unwrap_err();
        assert!(
            e.0.starts_with("mine.toml:2: [board] key 'ctrl-': "),
            "{}",
            e.0
        );
        let e = k
            .merge_file("mine.toml", "[boards]\nj = \"down\"\n")
            .unwrap_err();
        assert!(
            e.0.starts_with("mine.toml: unknown layer [boards]"),
            "{}",
            e.0
        );
        let e = k
            .merge_file("mine.toml", "[board]\nj = \"down\"\nj = \"up\"\n")
            .unwrap_err();
        assert!(
            e.0.starts_with("mine.toml:3: ") && e.0.contains("duplicate"),
            "{}",
            e.0
        );
        let e = k.merge_file("mine.toml", "[board]\nj = 3\n").unwrap_err();
        assert!(e.0.starts_with("mine.toml:2: "), "{}", e.0);
    }

    #[test]
    fn help_lists_layer_and_unshadowed_global_keys() {
        let d = Keymap::shipped("default").unwrap();
        let help = d.help(Layer::Help);
        let back: Vec<String> = help
            .iter()
            .find(|(a, _)| *a == Action::Back)
            .unwrap()
            .1
            .iter()
            .map(|k| k.to_string())
            .collect();
        assert!(back.contains(&"q".to_string()) && back.contains(&"esc".to_string()));
        let quit: Vec<String> = help
            .iter()
            .find(|(a, _)| *a == Action::Quit)
            .unwrap()
            .1
            .iter()
            .map(|k| k.to_string())
            .collect();
        assert_eq!(quit, ["ctrl-c"], "q is shadowed in help; ctrl-c stays");
    }
}
