//! The user's defaults: the `[defaults]` table of `config.toml` (the file that also holds the
//! rooms), so `ecswatch` alone opens on the account, Region, theme and keymap this engineer
//! always uses. A flag on the command line wins over its default.
//!
//! ```toml
//! [defaults]
//! profile = "prod"          # or: room = "checkout" (not both)
//! region = "eu-west-1"
//! theme = "mono"
//! keymap = "vim"
//! api_share = 10            # percent of each shared quota, 1..=100
//! share_group = "oncall"    # members of this Unix group share the hub too
//! share = false             # read alone (like --no-share): no shared hub
//! ```
//!
//! A bad value is an error naming the file, the line and the problem; a missing file is no
//! defaults at all.

use crate::cli::Global;
use crate::config_file::{line_of, read_text, toml_error};
use std::path::Path;
use toml::Spanned;

/// The defaults of one config file, each with where it was written.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Defaults {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub room: Option<String>,
    pub theme: Option<String>,
    pub keymap: Option<String>,
    pub api_share: Option<u8>,
    /// `--share-group`: the Unix group whose members share this user's hub.
    pub share_group: Option<String>,
    /// `share = false`: read alone, as `--no-share`.
    pub share: Option<bool>,
}

#[derive(Debug, serde::Deserialize)]
struct File {
    #[serde(default)]
    defaults: Option<Spanned<DefaultsDef>>,
    // the rooms are read (and checked) by `room::load_room` when one is asked for
    #[serde(default)]
    #[allow(dead_code)]
    room: Option<toml::Value>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultsDef {
    profile: Option<Spanned<String>>,
    region: Option<Spanned<String>>,
    room: Option<Spanned<String>>,
    theme: Option<Spanned<String>>,
    keymap: Option<Spanned<String>>,
    api_share: Option<Spanned<i64>>,
    share_group: Option<Spanned<String>>,
    share: Option<bool>,
}

/// The defaults in the config file at `path` (none when there is no file).
pub fn load(path: &Path) -> Result<Defaults, String> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Defaults::default()),
        _ => {}
    }
    let text = read_text(path)?;
    parse(&path.display().to_string(), &text)
}

/// The defaults in `text`, read from `file` (named in errors).
pub fn parse(file: &str, text: &str) -> Result<Defaults, String> {
    let f: File = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
    let Some(d) = f.defaults else {
        return Ok(Defaults::default());
    };
    let at = |span: std::ops::Range<usize>| format!("{file}:{}", line_of(text, span.start));
    let d_span = d.span();
    let d = d.into_inner();
    // every string reaches a screen or a file name: no control characters, nothing empty
    let text_of = |v: Option<Spanned<String>>, key: &str| -> Result<Option<String>, String> {
        let Some(v) = v else { return Ok(None) };
        let span = v.span();
        let s = v.into_inner();
        if s.trim().is_empty() {
            return Err(format!("{}: [defaults] {key} is empty", at(span)));
        }
        if s.chars().any(char::is_control) {
            return Err(format!(
                "{}: [defaults] {key} holds a control character",
                at(span)
            ));
        }
        Ok(Some(s))
    };
    let region_span = d.region.as_ref().map(Spanned::span);
    let out = Defaults {
        profile: text_of(d.profile, "profile")?,
        region: text_of(d.region, "region")?,
        room: text_of(d.room, "room")?,
        theme: text_of(d.theme, "theme")?,
        keymap: text_of(d.keymap, "keymap")?,
        share_group: text_of(d.share_group, "share_group")?,
        share: d.share,
        api_share: match d.api_share {
            None => None,
            Some(v) => {
                let span = v.span();
                match u8::try_from(*v.get_ref()) {
                    Ok(n) if (1..=100).contains(&n) => Some(n),
                    _ => {
                        return Err(format!(
                            "{}: [defaults] api_share = {} is not a percentage from 1 to 100",
                            at(span),
                            v.get_ref()
                        ));
                    }
                }
            }
        },
    };
    if let (Some(r), Some(span)) = (&out.region, region_span)
        && !crate::room::valid_region(r)
    {
        return Err(format!(
            "{}: [defaults] region {r:?} is not a Region name (like us-east-1)",
            at(span)
        ));
    }
    if out.room.is_some() && (out.profile.is_some() || out.region.is_some()) {
        return Err(format!(
            "{}: [defaults] sets room and profile/region: a room names its own accounts and Regions; keep one",
            at(d_span)
        ));
    }
    Ok(out)
}

/// Fill what the command line left unset from `d`. Where the flags name any place to watch
/// (`--profile`, `--region` or `--room`), the defaults' place is not used at all: a profile
/// from the flags with a Region from the file would watch a place nobody asked for. The demo
/// is one place of its own: it takes the theme, keymap and share only.
pub fn apply(g: &mut Global, d: &Defaults) {
    let share_asked = g.share || g.share_group.is_some() || g.via.is_some();
    let place_from_flags = !g.profiles.is_empty() || !g.regions.is_empty() || g.room.is_some();
    if !place_from_flags && !g.demo {
        if let Some(room) = &d.room {
            g.room = Some(room.clone());
        } else {
            g.profiles.extend(d.profile.clone());
            g.regions.extend(d.region.clone());
        }
    }
    if g.theme.is_none() {
        g.theme = d.theme.clone();
    }
    if g.keymap.is_none() {
        g.keymap = d.keymap.clone();
    }
    if g.api_share.is_none() {
        g.api_share = d.api_share;
    }
    if g.share_group.is_none() {
        g.share_group = d.share_group.clone();
    }
    // sharing is the default; the file or the environment may turn it off where no flag
    // asked for it (a script, a test harness: ECSWATCH_NO_SHARE=1)
    let env_off = std::env::var("ECSWATCH_NO_SHARE").is_ok_and(|v| !v.is_empty() && v != "0");
    if !share_asked && (d.share == Some(false) || env_off) {
        g.no_share = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &str = "/home/me/.config/ecswatch/config.toml";

    #[test]
    fn reads_every_default_and_keeps_rooms_alone() {
        let d = parse(
            F,
            "[room.checkout]\ntargets = [{ profile = \"p\" }]\n\n[defaults]\nprofile = \"prod\"\nregion = \"eu-west-1\"\ntheme = \"mono\"\nkeymap = \"vim\"\napi_share = 10\nshare_group = \"oncall\"\nshare = false\n",
        )
        .unwrap();
        assert_eq!(
            d,
            Defaults {
                profile: Some("prod".into()),
                region: Some("eu-west-1".into()),
                room: None,
                theme: Some("mono".into()),
                keymap: Some("vim".into()),
                api_share: Some(10),
                share_group: Some("oncall".into()),
                share: Some(false),
            }
        );
        assert_eq!(parse(F, "# nothing\n").unwrap(), Defaults::default());
    }

    #[test]
    fn bad_values_name_file_and_line() {
        let cases = [
            ("[defaults]\n\napi_share = 0\n", ":3:", "api_share = 0"),
            ("[defaults]\napi_share = 300\n", ":2:", "1 to 100"),
            ("[defaults]\nregion = \"us east\"\n", ":2:", "not a Region"),
            ("[defaults]\nprofle = \"x\"\n", ":2:", "profle"),
            ("[defaults]\ntheme = \"\"\n", ":2:", "theme is empty"),
            (
                "[defaults]\nprofile = \"a\\u001b[2J\"\n",
                ":2:",
                "control character",
            ),
            ("[defaults]\napi_share = \"ten\"\n", ":2:", "invalid type"),
            (
                "\n[defaults]\nroom = \"r\"\nprofile = \"p\"\n",
                ":2:",
                "keep one",
            ),
        ];
        for (text, line, words) in cases {
            let e = parse(F, text).unwrap_err();
            assert!(e.starts_with(F), "{e}");
            assert!(e.contains(line), "{text:?}: {e}");
            assert!(e.contains(words), "{text:?}: {e}");
        }
    }

    #[test]
    fn flags_win_and_a_place_is_taken_whole() {
        let d = Defaults {
            profile: Some("prod".into()),
            region: Some("eu-west-1".into()),
            theme: Some("mono".into()),
            api_share: Some(10),
            ..Defaults::default()
        };
        let mut g = Global::default();
        apply(&mut g, &d);
        assert_eq!(g.profiles, ["prod"]);
        assert_eq!(g.regions, ["eu-west-1"]);
        assert_eq!(g.theme.as_deref(), Some("mono"));
        assert_eq!(g.api_share, Some(10));

        // a Region on the command line: the file's profile is not mixed in
        let mut g = Global {
            regions: vec!["us-east-1".into()],
            theme: Some("light".into()),
            api_share: Some(50),
            ..Global::default()
        };
        apply(&mut g, &d);
        assert!(g.profiles.is_empty());
        assert_eq!(g.regions, ["us-east-1"]);
        assert_eq!(g.theme.as_deref(), Some("light"));
        assert_eq!(g.api_share, Some(50));

        // the demo is its own place
        let mut g = Global {
            demo: true,
            ..Global::default()
        };
        apply(&mut g, &d);
        assert!(g.profiles.is_empty() && g.regions.is_empty());
        assert_eq!(g.theme.as_deref(), Some("mono"));

        // a room default
        let d = Defaults {
            room: Some("checkout".into()),
            ..Defaults::default()
        };
        let mut g = Global::default();
        apply(&mut g, &d);
        assert_eq!(g.room.as_deref(), Some("checkout"));
    }

    #[test]
    fn sharing_is_the_default_and_the_file_may_turn_it_off_unless_a_flag_asks() {
        let mut g = Global::default();
        apply(&mut g, &Defaults::default());
        assert!(!g.no_share, "shared by default");

        let off = Defaults {
            share: Some(false),
            share_group: Some("oncall".into()),
            ..Defaults::default()
        };
        let mut g = Global::default();
        apply(&mut g, &off);
        assert!(
            g.no_share,
            "share = false reads alone, whatever group the file names"
        );

        for mut g in [
            Global {
                share: true,
                ..Global::default()
            },
            Global {
                share_group: Some("sre".into()),
                ..Global::default()
            },
            Global {
                via: Some("bastion".into()),
                ..Global::default()
            },
        ] {
            apply(&mut g, &off);
            assert!(
                !g.no_share,
                "a flag that asks for sharing wins over the file"
            );
        }
    }
}
