//! Themes: styles keyed by meaning, never colours in code. A meaning falls back along its dots
//! (`status.failed` -> `status` -> `text`). Shipped themes are embedded; `--theme` takes a name
//! (shipped, or `$XDG_CONFIG_HOME/ecswatch/themes/NAME.toml`) or a path.

use crate::config_file::{line_of, read_text, toml_error};
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// What a piece of text means; the theme decides how it looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Meaning {
    Text,
    Dim,
    Title,
    TitleFocused,
    Border,
    BorderFocused,
    Selection,
    Key,
    StatusFailed,
    StatusRollingBack,
    StatusDeploying,
    StatusDegraded,
    StatusOk,
    /// A service being deleted (DRAINING) or deleted (INACTIVE): neither failing nor OK.
    StatusRetired,
    SeverityCritical,
    SeverityWarning,
    SeverityInfo,
    HealthHealthy,
    HealthUnhealthy,
    HealthOther,
    EventFailure,
    EventNoise,
    ProgressDone,
    ProgressFailed,
    Spark,
    Stale,
    Error,
}

impl Meaning {
    pub const ALL: [Meaning; 27] = [
        Meaning::Text,
        Meaning::Dim,
        Meaning::Title,
        Meaning::TitleFocused,
        Meaning::Border,
        Meaning::BorderFocused,
        Meaning::Selection,
        Meaning::Key,
        Meaning::StatusFailed,
        Meaning::StatusRollingBack,
        Meaning::StatusDeploying,
        Meaning::StatusDegraded,
        Meaning::StatusOk,
        Meaning::StatusRetired,
        Meaning::SeverityCritical,
        Meaning::SeverityWarning,
        Meaning::SeverityInfo,
        Meaning::HealthHealthy,
        Meaning::HealthUnhealthy,
        Meaning::HealthOther,
        Meaning::EventFailure,
        Meaning::EventNoise,
        Meaning::ProgressDone,
        Meaning::ProgressFailed,
        Meaning::Spark,
        Meaning::Stale,
        Meaning::Error,
    ];

    /// The key in theme files.
    pub fn key(self) -> &'static str {
        match self {
            Meaning::Text => "text",
            Meaning::Dim => "text.dim",
            Meaning::Title => "title",
            Meaning::TitleFocused => "title.focused",
            Meaning::Border => "border",
            Meaning::BorderFocused => "border.focused",
            Meaning::Selection => "selection",
            Meaning::Key => "key",
            Meaning::StatusFailed => "status.failed",
            Meaning::StatusRollingBack => "status.rolling_back",
            Meaning::StatusDeploying => "status.deploying",
            Meaning::StatusDegraded => "status.degraded",
            Meaning::StatusOk => "status.ok",
            Meaning::StatusRetired => "status.retired",
            Meaning::SeverityCritical => "severity.critical",
            Meaning::SeverityWarning => "severity.warning",
            Meaning::SeverityInfo => "severity.info",
            Meaning::HealthHealthy => "health.healthy",
            Meaning::HealthUnhealthy => "health.unhealthy",
            Meaning::HealthOther => "health.other",
            Meaning::EventFailure => "event.failure",
            Meaning::EventNoise => "event.noise",
            Meaning::ProgressDone => "progress.done",
            Meaning::ProgressFailed => "progress.failed",
            Meaning::Spark => "spark",
            Meaning::Stale => "stale",
            Meaning::Error => "error",
        }
    }
}

pub const SHIPPED: [(&str, &str); 4] = [
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("mono", include_str!("../../themes/mono.toml")),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    styles: HashMap<Meaning, Style>,
}

/// A theme file that cannot be used: which file, which line, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeError(pub String);

impl std::fmt::Display for ThemeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    #[serde(default)]
    styles: BTreeMap<String, toml::Spanned<RawStyle>>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawStyle {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

fn color(s: &str) -> Option<Color> {
    let c = match s.to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
        "default" | "reset" => Color::Reset,
        "black" => Color::Black,
        "red" => Color::Red,
        "green" => Color::Green,
        "yellow" => Color::Yellow,
        "blue" => Color::Blue,
        "magenta" => Color::Magenta,
        "cyan" => Color::Cyan,
        "gray" | "grey" => Color::Gray,
        "darkgray" | "darkgrey" => Color::DarkGray,
        "lightred" => Color::LightRed,
        "lightgreen" => Color::LightGreen,
        "lightyellow" => Color::LightYellow,
        "lightblue" => Color::LightBlue,
        "lightmagenta" => Color::LightMagenta,
        "lightcyan" => Color::LightCyan,
        "white" => Color::White,
        hex if hex.len() == 7 && hex.starts_with('#') => {
            let v = u32::from_str_radix(&hex[1..], 16).ok()?;
            Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8)
        }
        _ => return None,
    };
    Some(c)
}

fn modifier(s: &str) -> Option<Modifier> {
    Some(match s {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        _ => return None,
    })
}

impl Theme {
    /// Parse a theme file. Unknown meanings, colours and modifiers are errors naming the line.
    pub fn parse(name: &str, file: &str, text: &str) -> Result<Self, ThemeError> {
        let raw: RawTheme =
            toml::from_str(text).map_err(|e| ThemeError(toml_error(file, text, &e)))?;
        let known: HashMap<&str, Meaning> = Meaning::ALL.iter().map(|m| (m.key(), *m)).collect();
        let mut parsed: HashMap<String, Style> = HashMap::new();
        for (key, spanned) in &raw.styles {
            let line = line_of(text, spanned.span().start);
            let err = |msg: String| ThemeError(format!("{file}:{line}: {msg}"));
            let is_prefix = known.keys().any(|k| k.starts_with(&format!("{key}.")));
            if !known.contains_key(key.as_str()) && !is_prefix {
                return Err(err(format!("unknown meaning '{key}'")));
            }
            let raw = spanned.get_ref();
            let mut style = Style::default();
            if let Some(fg) = &raw.fg {
                style = style
                    .fg(color(fg).ok_or_else(|| err(format!("'{key}': unknown colour '{fg}'")))?);
            }
            if let Some(bg) = &raw.bg {
                style = style
                    .bg(color(bg).ok_or_else(|| err(format!("'{key}': unknown colour '{bg}'")))?);
            }
            for m in &raw.modifiers {
                style = style.add_modifier(
                    modifier(m).ok_or_else(|| err(format!("'{key}': unknown modifier '{m}'")))?,
                );
            }
            parsed.insert(key.clone(), style);
        }
        // Resolve every meaning along its fallback chain.
        let styles = Meaning::ALL
            .iter()
            .map(|m| {
                let mut k = m.key();
                let style = loop {
                    if let Some(s) = parsed.get(k) {
                        break *s;
                    }
                    match k.rfind('.') {
                        Some(i) => k = &k[..i],
                        None => break parsed.get("text").copied().unwrap_or_default(),
                    }
                };
                (*m, style)
            })
            .collect();
        Ok(Self {
            name: name.to_string(),
            styles,
        })
    }

    pub fn shipped(name: &str) -> Option<Self> {
        SHIPPED.iter().find(|(n, _)| *n == name).map(|(n, text)| {
            Self::parse(n, &format!("themes/{n}.toml (built in)"), text)
                .expect("shipped themes are valid")
        })
    }

    /// `--theme NAME|PATH`, the user's config dir, and NO_COLOR.
    pub fn resolve(
        arg: Option<&str>,
        config_dir: Option<&Path>,
        no_color: bool,
    ) -> Result<Self, ThemeError> {
        let Some(arg) = arg else {
            return Ok(Self::shipped(if no_color { "mono" } else { "default" }).expect("shipped"));
        };
        let as_path = PathBuf::from(arg);
        let candidate = if arg.contains('/') || arg.ends_with(".toml") {
            Some(as_path)
        } else if let Some(t) = Self::shipped(arg) {
            return Ok(t);
        } else {
            config_dir.map(|d| d.join("themes").join(format!("{arg}.toml")))
        };
        match candidate {
            Some(p) if p.exists() => {
                let text = read_text(&p).map_err(ThemeError)?;
                Self::parse(arg, &p.display().to_string(), &text)
            }
            Some(p) => Err(ThemeError(format!(
                "theme '{arg}' not found (not a shipped theme: {}; no file {})",
                SHIPPED.map(|(n, _)| n).join(", "),
                p.display()
            ))),
            None => Err(ThemeError(format!(
                "theme '{arg}' not found (shipped: {})",
                SHIPPED.map(|(n, _)| n).join(", ")
            ))),
        }
    }

    pub fn style(&self, m: Meaning) -> Style {
        self.styles.get(&m).copied().unwrap_or_default()
    }

    /// True when no meaning uses a colour (mono): used by tests of NO_COLOR.
    pub fn is_colourless(&self) -> bool {
        self.styles
            .values()
            .all(|s| s.fg.is_none() && s.bg.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_theme_loads_and_defines_every_meaning() {
        for (name, text) in SHIPPED {
            let raw: RawTheme = toml::from_str(text).unwrap();
            let t = Theme::parse(name, name, text).unwrap();
            assert_eq!(t.styles.len(), Meaning::ALL.len());
            // every meaning is given explicitly or by a direct parent: no silent plain text
            for m in Meaning::ALL {
                let k = m.key();
                let parent = k.split('.').next().unwrap();
                assert!(
                    raw.styles.contains_key(k) || raw.styles.contains_key(parent),
                    "{name}: {k}"
                );
            }
        }
        assert!(Theme::shipped("mono").unwrap().is_colourless());
        assert!(!Theme::shipped("default").unwrap().is_colourless());
    }

    #[test]
    fn fallback_along_dots() {
        let t = Theme::parse(
            "t",
            "t.toml",
            "[styles]\ntext = { fg = \"white\" }\nstatus = { modifiers = [\"bold\"] }\n",
        )
        .unwrap();
        assert_eq!(
            t.style(Meaning::StatusFailed),
            Style::default().add_modifier(Modifier::BOLD)
        );
        assert_eq!(t.style(Meaning::Spark), Style::default().fg(Color::White));
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        let e = Theme::parse(
            "t",
            "my.toml",
            "[styles]\ntext = {}\n\"status.bad\" = { fg = \"red\" }\n",
        )
        .unwrap_err();
        assert_eq!(e.0, "my.toml:3: unknown meaning 'status.bad'");
        let e = Theme::parse("t", "my.toml", "[styles]\ntext = { fg = \"purple\" }\n").unwrap_err();
        assert_eq!(e.0, "my.toml:2: 'text': unknown colour 'purple'");
        let e = Theme::parse(
            "t",
            "my.toml",
            "[styles]\ntext = { modifiers = [\"blink\"] }\n",
        )
        .unwrap_err();
        assert_eq!(e.0, "my.toml:2: 'text': unknown modifier 'blink'");
        let e = Theme::parse("t", "my.toml", "[styles\n").unwrap_err();
        assert!(e.0.starts_with("my.toml:1: "), "{}", e.0);
        let e =
            Theme::parse("t", "my.toml", "[styles]\ntext = { colour = \"red\" }\n").unwrap_err();
        assert!(
            e.0.starts_with("my.toml:2: ") && e.0.contains("colour"),
            "{}",
            e.0
        );
    }

    #[test]
    fn resolve_names_paths_and_no_color() {
        assert_eq!(Theme::resolve(None, None, true).unwrap().name, "mono");
        assert_eq!(Theme::resolve(None, None, false).unwrap().name, "default");
        assert_eq!(
            Theme::resolve(Some("light"), None, true).unwrap().name,
            "light"
        );
        let e = Theme::resolve(Some("nope"), None, false).unwrap_err();
        assert_eq!(
            e.0,
            "theme 'nope' not found (shipped: default, light, high-contrast, mono)"
        );
        let dir = std::env::temp_dir().join(format!("ecswatch-theme-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("themes")).unwrap();
        std::fs::write(
            dir.join("themes/mine.toml"),
            "[styles]\ntext = { fg = \"#ff8800\" }\n",
        )
        .unwrap();
        let t = Theme::resolve(Some("mine"), Some(&dir), false).unwrap();
        assert_eq!(t.style(Meaning::Text).fg, Some(Color::Rgb(0xff, 0x88, 0)));
        std::fs::write(dir.join("bin.toml"), [0xffu8, 0]).unwrap();
        let p = dir.join("bin.toml");
        let e = Theme::resolve(Some(p.to_str().unwrap()), None, false).unwrap_err();
        assert_eq!(
            e.0,
            format!(
                "{}:1: not UTF-8 text (byte 0); is this a binary file?",
                p.display()
            )
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
