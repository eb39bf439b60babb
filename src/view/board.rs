//! The board: every service in scope, worst first.

use super::{Body, Size, Styled, ago, s};
use crate::console::state::{Sort, UiState, Visible};
use crate::diagnosis::Severity;
use crate::model::{MetricKind, SeriesShape, Time};
use crate::present::{StatusBadge, status_badge};
use crate::store::{ServiceState, Store};
use crate::theme::Meaning;

pub fn badge_meaning(b: StatusBadge) -> Meaning {
    match b {
        StatusBadge::Failed => Meaning::StatusFailed,
        StatusBadge::RollingBack | StatusBadge::Stopping => Meaning::StatusRollingBack,
        StatusBadge::WaitingForApproval => Meaning::StatusDegraded,
        StatusBadge::Deploying | StatusBadge::ShiftingTraffic | StatusBadge::Baking => {
            Meaning::StatusDeploying
        }
        StatusBadge::Degraded => Meaning::StatusDegraded,
        StatusBadge::Ok => Meaning::StatusOk,
        StatusBadge::Draining | StatusBadge::Inactive => Meaning::StatusRetired,
    }
}

pub fn severity_meaning(s: Severity) -> Meaning {
    match s {
        Severity::Critical => Meaning::SeverityCritical,
        Severity::Warning => Meaning::SeverityWarning,
        Severity::Info => Meaning::SeverityInfo,
    }
}

/// The board's sparkline cell: 5xx (the targets' and the load balancer's own, added) for a
/// load-balanced service, else CPU on 0-100 — always named, never one passed off as the other.
pub fn board_spark(st: &ServiceState, now: Time, minutes: usize) -> String {
    use super::spark;
    let t5 = spark::series_minutes(st, MetricKind::Http5xx, now, minutes);
    let e5 = spark::series_minutes(st, MetricKind::ElbHttp5xx, now, minutes);
    let (label, values, shape) = match (t5, e5) {
        (Some(a), Some(b)) => ("5xx", spark::add(&a, &b), SeriesShape::Count),
        (Some(a), None) | (None, Some(a)) => ("5xx", a, SeriesShape::Count),
        (None, None) => match spark::series_minutes(st, MetricKind::CpuUtilization, now, minutes) {
            Some(c) => ("cpu", c, SeriesShape::Percent),
            None => return String::new(),
        },
    };
    format!("{label}{}", spark::draw(&values, shape))
}

/// Every service with its status badge, worst first or by name (computed once per frame).
pub fn all_badges(store: &Store, sort: Sort, now: Time) -> Vec<(&ServiceState, StatusBadge)> {
    let mut rows: Vec<(&ServiceState, StatusBadge)> = store
        .services
        .values()
        .map(|st| (st, status_badge(store, st, now)))
        .collect();
    // compare by reference: no key allocation per comparison on large boards
    let by_name = |a: &ServiceState, b: &ServiceState| {
        a.service
            .cluster
            .cmp(&b.service.cluster)
            .then_with(|| a.service.name.cmp(&b.service.name))
    };
    match sort {
        Sort::Worst => rows.sort_by(|a, b| {
            a.1.cmp(&b.1)
                .then_with(|| top_severity(a.0).cmp(&top_severity(b.0)))
                .then_with(|| by_name(a.0, b.0))
        }),
        Sort::Name => rows.sort_by(|a, b| by_name(a.0, b.0)),
    }
    rows
}

/// The board's services after filter and sort.
pub fn board_rows<'a>(
    store: &'a Store,
    ui: &UiState,
    now: Time,
) -> Vec<(&'a ServiceState, StatusBadge)> {
    filtered(
        all_badges(store, ui.sort, now),
        &ui.board_filter,
        &filter_tags(store),
    )
}

fn filtered<'a>(
    rows: Vec<(&'a ServiceState, StatusBadge)>,
    filter: &str,
    tags: &[Vec<String>],
) -> Vec<(&'a ServiceState, StatusBadge)> {
    if filter.is_empty() {
        return rows;
    }
    let filter = filter.to_lowercase();
    rows.into_iter()
        .filter(|(st, _)| {
            st.service.cluster.to_lowercase().contains(&filter)
                || st.service.name.to_lowercase().contains(&filter)
                || format!("{}/{}", st.service.cluster, st.service.name)
                    .to_lowercase()
                    .contains(&filter)
                || tags
                    .get(usize::from(st.service.place))
                    .is_some_and(|t| t.iter().any(|w| w.to_lowercase().contains(&filter)))
                || st.findings.iter().any(|f| f.id.contains(&filter))
        })
        .collect()
}

/// What `/` matches a row's target on: its alias, account id, profile, Region (long and
/// short) — one list per target.
fn filter_tags(store: &Store) -> Vec<Vec<String>> {
    if !store.multi_target() {
        return Vec::new();
    }
    store
        .places
        .iter()
        .map(|t| {
            let mut v = vec![
                t.region.clone(),
                crate::store::short_region(&t.region),
                t.account_label(),
            ];
            v.extend(t.account.clone());
            v.extend(t.spec.profile.clone());
            v
        })
        .collect()
}

/// The target tag of a row: the alias or account id and the Region (`…2222 euw1` when
/// narrow: the last four digits of an account id without an alias).
pub(crate) fn row_tag(t: &crate::store::PlaceState, wide: bool) -> String {
    if wide || t.spec.alias.is_some() || t.account.is_none() {
        return t.tag(wide);
    }
    let id = t.account.as_deref().unwrap_or_default();
    let tail: String = id
        .chars()
        .skip(id.chars().count().saturating_sub(4))
        .collect();
    format!("…{tail} {}", crate::store::short_region(&t.region))
}

/// One line per cause failing in several targets at once.
fn together_lines(store: &Store, now: Time) -> Vec<super::Line> {
    crate::store::findings::together::shared_causes(store, now)
        .iter()
        .take(2)
        .map(|c| {
            vec![
                s("TOGETHER ", severity_meaning(c.severity)),
                s(c.summary(), Meaning::Text),
                s(format!("  {}", c.title), Meaning::Dim),
            ]
        })
        .collect()
}

/// Per target: its tag, how many services, and its freshness or what fails.
fn targets_status(store: &Store, now: Time) -> super::Line {
    let mut out = Vec::new();
    for (i, t) in store.places.iter().enumerate() {
        if i > 0 {
            out.push(s(" · ", Meaning::Dim));
        }
        let n = store
            .services
            .keys()
            .filter(|k| usize::from(k.place) == i)
            .count();
        let st = t.status.get(&crate::model::Source::Services);
        let err = st.and_then(|st| st.errors.first());
        out.push(s(
            format!("{} {n}", row_tag(t, false)),
            if err.is_some() {
                Meaning::Error
            } else {
                Meaning::Text
            },
        ));
        match (err, st.and_then(|st| st.last_ok)) {
            (Some((at, e)), _) => out.push(s(
                format!(" {} {}", e.kind.label(), at.format("%H:%MZ")),
                Meaning::Error,
            )),
            (None, Some(ok)) => out.push(s(
                format!(" {}", ago(now, ok).trim_end_matches(" ago")),
                Meaning::Dim,
            )),
            (None, None) => out.push(s(" ...", Meaning::Dim)),
        }
    }
    out
}

fn top_severity(st: &ServiceState) -> Severity {
    st.findings
        .first()
        .map(|f| f.severity)
        .unwrap_or(Severity::Info)
}

pub fn build<'a>(
    store: &'a Store,
    ui: &UiState,
    all: Vec<(&'a ServiceState, StatusBadge)>,
    now: Time,
    size: Size,
    vis: &mut Visible,
) -> Body {
    let rows = filtered(all, &ui.board_filter, &filter_tags(store));
    let multi = store.multi_target();
    let together = together_lines(store, now);
    // Only the rows that fit are built: the window keeps the selection in view.
    let page = usize::from(size.height.saturating_sub(4 + together.len() as u16)).max(1);
    // the selection is a service: found again wherever the re-sort put it
    vis.board = crate::console::selection::resolve(
        &ui.board,
        &rows,
        |(st, _), k| st.service.is(k),
        |(st, _)| st.service.key(),
        page,
    );
    let selected = vis.board.index;
    vis.board_selected = vis.board.id().cloned();
    vis.copy = selected.map(|i| rows[i].0.service.arn.clone());
    let offset = selected.map_or(0, |sel| (sel + 1).saturating_sub(page));
    vis.board_rows = rows
        .iter()
        .skip(offset)
        .take(page)
        .map(|(st, _)| st.service.key())
        .collect();
    let wide = size.width >= 120;
    let tags: Vec<String> = if multi {
        store.places.iter().map(|t| row_tag(t, wide)).collect()
    } else {
        Vec::new()
    };
    let tag_w = tags
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(0)
        .min(if wide { 28 } else { 12 }) as u16
        // room for the `!` of a failing target
        + 1;
    // One cluster in view: its name goes in the header, rows show service names only.
    let single_cluster = store
        .services
        .keys()
        .next()
        .filter(|first| store.services.keys().all(|k| k.cluster == first.cluster))
        .map(|k| k.cluster.clone());
    let name_header = match &single_cluster {
        Some(c) => format!("SERVICE ({c})"),
        None => "SERVICE".to_string(),
    };
    // the name column is as wide as the longest name (up to a cap): the rest of the width
    // goes to the top finding
    let cap: usize = match (wide, single_cluster.is_some()) {
        (true, _) => 36,
        (false, true) => 14,
        (false, false) => 18,
    };
    let longest = rows
        .iter()
        .map(|(st, _)| {
            if single_cluster.is_some() {
                st.service.name.chars().count()
            } else {
                st.service.key().to_string().chars().count()
            }
        })
        .max()
        .unwrap_or(0);
    let name_w = longest.max(name_header.chars().count()).min(cap) as u16;
    // as wide as the longest badge shown ("WAITING FOR APPROVAL" is said whole)
    let status_w = rows
        .iter()
        .map(|(_, b)| b.label().len() as u16)
        .max()
        .unwrap_or(0)
        .max(12);
    // Spare width goes to the top finding: wide, the ROLLOUT column and the sparkline are
    // shown only as far as they leave the longest title on screen whole.
    let tasks_w: u16 = if wide { 7 } else { 5 };
    let finding_w = rows
        .iter()
        .skip(offset)
        .take(page)
        .map(|(st, _)| {
            st.findings
                .first()
                .map_or(1, |f| f.row_title().chars().count() + 5)
        })
        .max()
        .unwrap_or(1) as u16;
    // every column but the finding, each with its one-cell gap
    let fixed =
        status_w + 1 + if multi { tag_w.max(5) + 1 } else { 0 } + name_w + 1 + tasks_w + 1 + 5 + 5;
    let mut spare = size.width.saturating_sub(fixed);
    let rollout_col = wide && spare >= 12 + finding_w;
    if rollout_col {
        spare -= 12;
    }
    // the series' name (3) and one cell a minute, up to 20 minutes
    // (several targets at 80 columns: the tag takes the sparkline's place)
    let spark_w: u16 = match (wide, multi) {
        (true, _) => match spare.saturating_sub(finding_w + 1).min(23) {
            w if w >= 8 => w,
            _ => 0,
        },
        (false, false) => 8,
        (false, true) => 0,
    };
    let mut header = vec![("STATUS".to_string(), status_w)];
    if multi {
        header.push(("WHERE".to_string(), tag_w.max(5)));
    }
    header.extend([(name_header, name_w), ("TASKS".to_string(), tasks_w)]);
    if rollout_col {
        header.push(("ROLLOUT".to_string(), 11));
    }
    header.push(("FAIL".to_string(), 4));
    header.push(("UNHL".to_string(), 4));
    if spark_w > 0 {
        header.push((
            if spark_w >= 14 {
                format!("5XX/CPU {} MIN", spark_w - 3)
            } else {
                "5XX/CPU".to_string()
            },
            spark_w,
        ));
    }
    header.push(("TOP FINDING".to_string(), 0));
    // what the last column gets: the width less every other column and the gaps between them
    let top_w = usize::from(size.width)
        .saturating_sub(header.iter().map(|(_, w)| usize::from(*w)).sum::<usize>())
        .saturating_sub(header.len() - 1);
    let out_rows: Vec<Vec<Styled>> = rows
        .iter()
        .skip(offset)
        .take(page)
        .map(|(st, badge)| {
            let svc = &st.service;
            let (rollout, _) = svc.rollout();
            // counts from AWS are untrusted: a sum must not overflow
            let failed = svc
                .deployments
                .iter()
                .fold(0i32, |n, d| n.saturating_add(d.failed));
            // and containers restarted in place in the last 15 minutes (no task stopped)
            let restarted: u32 = crate::store::findings::restarts::restarts(st, now)
                .iter()
                .fold(0u32, |n, r| n.saturating_add(r.2));
            let fail_cell = if restarted > 0 {
                format!(
                    "{}{restarted}r",
                    if failed > 0 {
                        format!("{failed}+")
                    } else {
                        String::new()
                    }
                )
            } else {
                failed.to_string()
            };
            // production's health (and test's during test stages), never the idle group's
            let unhealthy: usize = store
                .serving_groups_of(svc)
                .iter()
                .map(|tg| tg.targets.iter().filter(|t| t.state == "unhealthy").count())
                .sum();
            let spark = if spark_w > 0 {
                board_spark(st, now, usize::from(spark_w) - 3)
            } else {
                String::new()
            };
            let top = match st.findings.first() {
                Some(f) => {
                    let word = match f.severity {
                        Severity::Critical => "CRIT",
                        Severity::Warning => "WARN",
                        Severity::Info => "INFO",
                    };
                    s(
                        super::fit(&format!("{word} {}", f.row_title()), top_w),
                        severity_meaning(f.severity),
                    )
                }
                None => s("-", Meaning::Dim),
            };
            let mut cells = vec![s(badge.label(), badge_meaning(*badge))];
            if multi {
                // a target whose credentials fail: its rows are marked, the others are live
                let target = store.place(svc.place);
                let stale = target.credentials_error().is_some() || target.failing();
                cells.push(s(
                    format!(
                        "{}{}",
                        if stale { "!" } else { "" },
                        tags.get(usize::from(svc.place)).map_or("", String::as_str)
                    ),
                    if stale { Meaning::Error } else { Meaning::Dim },
                ));
            }
            cells.extend([
                s(
                    if single_cluster.is_some() {
                        svc.name.clone()
                    } else {
                        svc.key().to_string()
                    },
                    Meaning::Text,
                ),
                s(
                    format!("{}/{}", svc.running, svc.desired),
                    if svc.running < svc.desired {
                        Meaning::HealthOther
                    } else {
                        Meaning::Text
                    },
                ),
            ]);
            if rollout_col {
                // a service deployment's stage says more than IN_PROGRESS
                let stage = svc
                    .live_service_deployment()
                    .filter(|_| svc.ecs_controlled())
                    .and_then(|d| d.lifecycle_stage.as_deref())
                    .map(super::rollout::stage_short);
                let cell = match (svc.ecs_controlled(), stage) {
                    (true, Some(st)) => st.to_string(),
                    (true, None) => rollout.unwrap_or("-").to_string(),
                    (false, _) => svc.controller().to_string(),
                };
                cells.push(s(cell.to_lowercase().replace('_', " "), Meaning::Text));
            }
            cells.extend([
                s(
                    fail_cell,
                    if failed > 0 || restarted > 0 {
                        Meaning::ProgressFailed
                    } else {
                        Meaning::Dim
                    },
                ),
                s(
                    unhealthy.to_string(),
                    if unhealthy > 0 {
                        Meaning::HealthUnhealthy
                    } else {
                        Meaning::Dim
                    },
                ),
            ]);
            if spark_w > 0 {
                cells.push(s(spark, Meaning::Spark));
            }
            cells.push(top);
            cells
        })
        .collect();
    let empty = if out_rows.is_empty() {
        let st = &store.status(crate::model::Source::Services);
        Some(if st.last_ok.is_none() && st.errors.is_empty() {
            vec![s("loading services...", Meaning::Dim)]
        } else if !ui.board_filter.is_empty() {
            vec![s(
                format!("no service matches '{}'", ui.board_filter),
                Meaning::Dim,
            )]
        } else if let Some((at, e)) = st.errors.first() {
            vec![s(
                format!("cannot read services ({}): {e}", ago(now, *at)),
                Meaning::Error,
            )]
        } else {
            vec![s(
                "no services in scope: this account has no ECS services in the region",
                Meaning::Dim,
            )]
        })
    } else {
        None
    };
    let selected = selected.filter(|_| !out_rows.is_empty());
    vis.copy = selected
        .and_then(|i| rows.get(i))
        .map(|(st, _)| st.service.arn.clone());
    // freshness of the service list, and which other sources fail (their panes say why)
    let mut status = vec![super::s("services ", Meaning::Dim)];
    if store.multi_target() {
        status.extend(targets_status(store, now));
    } else {
        status.extend(super::freshness(
            store,
            0,
            crate::model::Source::Services,
            now,
        ));
        let failing: Vec<String> = store.places[0]
            .status
            .iter()
            .filter(|(src, st)| **src != crate::model::Source::Services && !st.errors.is_empty())
            .map(|(src, st)| {
                let kind = st.errors.first().map(|(_, e)| e.kind.label()).unwrap_or("");
                format!("{} {kind}", src.name().replace('_', " "))
            })
            .collect();
        if !failing.is_empty() {
            status.push(super::s(
                format!(" | {}", failing.join(", ")),
                Meaning::Stale,
            ));
        }
    }
    Body::Board {
        header,
        status,
        rows: out_rows,
        selected: selected.map(|i| i - offset),
        empty,
        together,
    }
}
