//! Reading a recording back, a line at a time: the header's checks, torn and unreadable lines
//! skipped and named, several sessions in one file.

use super::*;

/// A recording as read back.
#[derive(Debug, Clone)]
pub struct Recording {
    pub path: PathBuf,
    /// The first session's header fields.
    pub region: String,
    pub scope: Scope,
    pub origin: String,
    /// The first session's targets when it watched several (empty: one, `region` and `scope`).
    pub targets: Vec<RecordedTarget>,
    /// Every record after the headers, in file order.
    pub records: Vec<Record>,
    /// Lines that could not be read (1-based line number, why): a torn last line after a crash.
    pub skipped: Vec<(usize, String)>,
}

impl Recording {
    pub fn start(&self) -> Option<Time> {
        self.records.first().map(Record::time)
    }

    pub fn end(&self) -> Option<Time> {
        self.records.iter().map(Record::time).max()
    }

    /// One line per skipped line, for stderr.
    pub fn warnings(&self) -> Vec<String> {
        self.skipped
            .iter()
            .map(|(n, why)| format!("{}:{n}: skipped: {why}", self.path.display()))
            .collect()
    }
}

/// The scope covering both (an empty list means "all").
fn union(a: &Scope, b: &Scope) -> Scope {
    let merge = |x: &Vec<String>, y: &Vec<String>| {
        if x.is_empty() || y.is_empty() {
            return Vec::new();
        }
        let mut out = x.clone();
        out.extend(y.iter().filter(|v| !x.contains(v)).cloned());
        out
    };
    Scope {
        clusters: merge(&a.clusters, &b.clusters),
        services: merge(&a.services, &b.services),
    }
}

/// Read a recording, a line at a time (the file is never held whole). Errors (exit 2) when the
/// file cannot be read, does not start with an ecswatch recording header, or is of a newer
/// format version; lines that do not parse are skipped and listed in [`Recording::skipped`].
pub fn read(path: &Path) -> Result<Recording, String> {
    use std::io::BufRead;
    let file = File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut parser = Parser::new(path);
    let mut buf = Vec::new();
    let mut n = 0;
    let mut ended_clean = true;
    loop {
        buf.clear();
        let got = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        if got == 0 {
            break;
        }
        n += 1;
        ended_clean = buf.ends_with(b"\n");
        let raw = buf.strip_suffix(b"\n").unwrap_or(&buf);
        parser.line(n, raw)?;
    }
    // counted as `parse` counts: a final newline ends one more (empty) line
    parser.finish(if ended_clean { n + 1 } else { n })
}

/// [`read`] over bytes already in memory (`path` names them in messages).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Recording, String> {
    let mut parser = Parser::new(path);
    let mut n = 0;
    for raw in bytes.split(|b| *b == b'\n') {
        n += 1;
        parser.line(n, raw)?;
    }
    parser.finish(n)
}

/// Reading a recording line by line.
struct Parser<'a> {
    path: &'a Path,
    header: Option<(String, Scope, String, Vec<RecordedTarget>)>,
    records: Vec<Record>,
    skipped: Vec<(usize, String)>,
}

impl<'a> Parser<'a> {
    fn new(path: &'a Path) -> Self {
        Self {
            path,
            header: None,
            records: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn line(&mut self, n: usize, raw: &[u8]) -> Result<(), String> {
        let path = self.path;
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(());
        }
        let parsed = std::str::from_utf8(raw)
            .map_err(|_| "not UTF-8".to_string())
            .and_then(super::decode);
        match (parsed, self.header.is_some()) {
            (
                Ok(Record::Header {
                    format,
                    version,
                    region,
                    scope,
                    origin,
                    targets,
                    ..
                }),
                _,
            ) => {
                if format != FORMAT {
                    return Err(format!(
                        "{}:{n}: not an ecswatch recording (format {format:?})",
                        path.display()
                    ));
                }
                if version > VERSION {
                    return Err(format!(
                        "{}:{n}: recording format version {version} is newer than this ecswatch reads ({VERSION})",
                        path.display()
                    ));
                }
                match self.header.as_mut() {
                    None => self.header = Some((region, scope, origin, targets)),
                    // several sessions: what any of them watched (the first one's targets)
                    Some((_, seen, _, _)) => *seen = union(seen, &scope),
                }
            }
            (Ok(r), true) => self.records.push(r),
            (_, false) => {
                return Err(format!(
                    "{}:{n}: not an ecswatch recording (the first line must be its header)",
                    path.display()
                ));
            }
            (Err(e), true) => self.skipped.push((n, e)),
        }
        Ok(())
    }

    /// `lines`: how many lines there were (a bad line among the last is a torn write).
    fn finish(self, lines: usize) -> Result<Recording, String> {
        let Some((region, scope, origin, targets)) = self.header else {
            return Err(format!("{}: empty recording", self.path.display()));
        };
        let skipped = self
            .skipped
            .into_iter()
            .map(|(n, e)| {
                let why = if n + 1 >= lines {
                    format!("torn last line ({e})")
                } else {
                    format!("unreadable line ({e})")
                };
                (n, why)
            })
            .collect();
        let mut records = self.records;
        // sessions appended one after another are already in order; a stable sort keeps it so
        records.sort_by_key(Record::time);
        Ok(Recording {
            path: self.path.to_path_buf(),
            region,
            scope,
            origin,
            targets,
            records,
            skipped,
        })
    }
}
