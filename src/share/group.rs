//! Unix groups, for `--share-group`: a group's id from `/etc/group`, and whether a process
//! (a hub's peer, by its pid from `SO_PEERCRED`) is in it, from `/proc/PID/status`.

use std::path::Path;

/// The gid of group `name` in `group_file` (`/etc/group`: `name:x:gid:members`).
pub fn gid_of(group_file: &str, name: &str) -> Option<u32> {
    group_file.lines().find_map(|line| {
        let mut f = line.split(':');
        let n = f.next()?;
        let _pw = f.next()?;
        let gid = f.next()?;
        (n == name).then(|| gid.trim().parse().ok()).flatten()
    })
}

/// The group `name`'s gid on this host.
pub fn lookup(name: &str) -> Result<u32, String> {
    let text = std::fs::read_to_string("/etc/group")
        .map_err(|e| format!("cannot read /etc/group: {e}"))?;
    gid_of(&text, name).ok_or_else(|| format!("no Unix group named {name:?} on this host"))
}

/// The groups (primary and supplementary) of a process, from its `/proc/PID/status`.
pub fn groups_of_status(status: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for line in status.lines() {
        if let Some(rest) = line.strip_prefix("Gid:") {
            // real, effective, saved, filesystem: the effective one decides
            if let Some(g) = rest.split_whitespace().nth(1).and_then(|g| g.parse().ok()) {
                out.push(g);
            }
        } else if let Some(rest) = line.strip_prefix("Groups:") {
            out.extend(
                rest.split_whitespace()
                    .filter_map(|g| g.parse::<u32>().ok()),
            );
        }
    }
    out
}

/// Whether process `pid` is in group `gid` (false when it cannot be read: refused).
pub fn process_in(pid: i32, gid: u32) -> bool {
    let path = Path::new("/proc").join(pid.to_string()).join("status");
    std::fs::read_to_string(path)
        .map(|s| groups_of_status(&s).contains(&gid))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_from_the_files_the_host_keeps() {
        let etc = "root:x:0:\noncall:x:1042:alice,bob\nbroken\n";
        assert_eq!(gid_of(etc, "oncall"), Some(1042));
        assert_eq!(gid_of(etc, "nobody-here"), None);
        assert_eq!(gid_of(etc, "broken"), None);
        let status = "Name:\tecswatch\nUid:\t1001\t1001\t1001\t1001\nGid:\t1001\t1001\t1001\t1001\nGroups:\t27 1042 \n";
        assert_eq!(groups_of_status(status), vec![1001, 27, 1042]);
        assert!(groups_of_status("Gid:\nGroups:\n").is_empty());
    }
}
