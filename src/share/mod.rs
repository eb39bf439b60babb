//! A shared session: one hub polls for every console watching the same places on this host,
//! each console a viewer of it (issue #39). The hub (`ecswatch serve`, started by the first
//! `ecswatch --share`) runs the pollers, the budget and a store once, and streams what it reads
//! over a Unix-domain socket as recording lines; each viewer applies them to its own store,
//! keeps its own navigation, theme and size, and tells the hub what it has open. The hub's plan
//! is the union of the viewers' (every open service at open-service priority). Writes stay in
//! the viewer, made with its own credentials.
//!
//! - where: `$XDG_RUNTIME_DIR/ecswatch/` (else the state directory's `run/`), a 0700 directory
//!   of the user's; one socket (0600) per watch, named by a hash of its places
//!   ([`socket_path`]); the hub checks each peer's uid (`SO_PEERCRED`) is its own.
//! - the protocol: [`protocol`] (a versioned handshake, then the recording format's lines).

pub mod group;
pub mod hub;
pub mod protocol;
pub mod viewer;

use std::path::{Path, PathBuf};

/// Where a shared session's socket is, and who may attach to it.
#[derive(Debug, Clone)]
pub struct Shared {
    pub socket: PathBuf,
    /// `--share-group`: members of this group may attach (its gid).
    pub group: Option<u32>,
}

/// The directory a group's members share (`--share-group`): `/tmp/ecswatch-share-GROUP`, mode
/// 0770, of that group. An existing one that others may enter, or of another group, is refused
/// (sharing then fails and the console reads alone: nobody can plant a socket for the group).
pub fn group_dir(name: &str, gid: u32) -> Result<PathBuf, String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(format!("{name:?} is not a group name"));
    }
    let dir = std::env::temp_dir().join(format!("ecswatch-share-{name}"));
    if !dir.exists() {
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        std::os::unix::fs::chown(&dir, None, Some(gid))
            .map_err(|e| format!("cannot give {} to group {name}: {e}", dir.display()))?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o770))
            .map_err(|e| format!("cannot restrict {}: {e}", dir.display()))?;
    }
    let meta =
        std::fs::metadata(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if meta.gid() != gid || meta.mode() & 0o007 != 0 || !meta.is_dir() {
        return Err(format!(
            "{} is not group {name}'s alone (group {}, mode {:o})",
            dir.display(),
            meta.gid(),
            meta.mode() & 0o777
        ));
    }
    Ok(dir)
}

/// The directory the sockets live in, created 0700 when missing. An existing directory that
/// is not the user's own, or that others may enter, is refused.
pub fn runtime_dir() -> Result<PathBuf, String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|v| !v.is_empty()) {
        Some(d) => PathBuf::from(d).join("ecswatch"),
        None => crate::logfile::state_dir()
            .ok_or("no XDG_RUNTIME_DIR and no state directory (HOME is not set)")?
            .join("run"),
    };
    if !dir.exists() {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| format!("cannot restrict {}: {e}", dir.display()))?;
    }
    let meta =
        std::fs::metadata(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if meta.uid() != own_uid()? {
        return Err(format!("{} belongs to another user", dir.display()));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(format!(
            "{} may be entered by others (mode {:o}): it must be 0700",
            dir.display(),
            meta.mode() & 0o777
        ));
    }
    Ok(dir)
}

/// This process's effective uid (the owner of `/proc/self`).
pub fn own_uid() -> Result<u32, String> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .map_err(|e| format!("cannot read /proc/self: {e}"))
}

/// The socket of this watch: its places with the Region each resolved to, and what else
/// decides where requests go (the demo, the endpoint, the environment's profile).
pub fn watch_socket(
    places: &[(crate::room::PlaceSpec, String)],
    demo: bool,
    endpoint: Option<&str>,
    group: Option<&str>,
) -> Result<Shared, String> {
    let env = |v: &str| std::env::var(v).unwrap_or_default();
    let context = format!(
        "demo={demo} endpoint={} profile={}",
        endpoint
            .map(str::to_owned)
            .unwrap_or_else(|| env("AWS_ENDPOINT_URL")),
        env("AWS_PROFILE")
    );
    match group {
        None => Ok(Shared {
            socket: socket_path(&runtime_dir()?, places, &context),
            group: None,
        }),
        Some(name) => {
            let gid = group::lookup(name)?;
            Ok(Shared {
                socket: socket_path(&group_dir(name, gid)?, places, &context),
                group: Some(gid),
            })
        }
    }
}

/// The socket of the watch of `places`: each place as given (profile, scope) with the Region
/// its requests go to, and `context`: what else decides where requests go (the endpoint, the
/// default profile of the environment).
pub fn socket_path(
    dir: &Path,
    places: &[(crate::room::PlaceSpec, String)],
    context: &str,
) -> PathBuf {
    dir.join(format!("{}.sock", watch_key(places, context)))
}

/// A stable name for what a set of places watches: the same places in any order, the same
/// key (FNV-1a of their canonical JSON; not a secret, only a name).
pub fn watch_key(places: &[(crate::room::PlaceSpec, String)], context: &str) -> String {
    let mut parts: Vec<String> = places
        .iter()
        .map(|(p, region)| {
            let mut p = p.clone();
            p.alias = None;
            format!("{}@{region}", serde_json::to_string(&p).unwrap_or_default())
        })
        .collect();
    parts.sort();
    parts.push(context.to_string());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.join("\n").bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("watch-{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::room::PlaceSpec;

    #[test]
    fn the_same_places_in_any_order_are_one_watch() {
        let a = (
            PlaceSpec {
                profile: Some("prod".into()),
                ..Default::default()
            },
            "eu-west-1".to_string(),
        );
        let b = (PlaceSpec::default(), "us-east-1".to_string());
        let key = |p: &[(PlaceSpec, String)]| watch_key(p, "");
        assert_eq!(key(&[a.clone(), b.clone()]), key(&[b.clone(), a.clone()]));
        assert_ne!(key(std::slice::from_ref(&a)), key(std::slice::from_ref(&b)));
        let mut scoped = a.clone();
        scoped.0.scope.clusters = vec!["prod".into()];
        assert_ne!(key(std::slice::from_ref(&a)), key(&[scoped]));
        // another endpoint is another watch
        assert_ne!(
            watch_key(std::slice::from_ref(&a), "http://127.0.0.1:5000"),
            key(&[a])
        );
    }
}
