//! The Targets pane: every target group of the service with its role (production first;
//! blue/green's groups labelled `prod` / `test` / `idle`), each target's health, a zonal
//! shift or anomaly on its row and counted on its group's line, then the service's Service
//! Connect endpoints and VPC Lattice groups.

use super::{Line, s};
use crate::model::{GroupRole, Service, target_group_name};
use crate::store::Store;
use crate::theme::Meaning;

fn role_meaning(role: GroupRole) -> Meaning {
    match role {
        GroupRole::Prod => Meaning::Title,
        GroupRole::Test => Meaning::StatusDeploying,
        GroupRole::Idle => Meaning::Dim,
        GroupRole::Unknown => Meaning::SeverityWarning,
    }
}

/// The pane's lines and each line's row id (a group's ARN, `ARN|id:port` for a target, `#N`
/// for lines that are places).
pub fn target_pane(store: &Store, svc: &Service) -> (Vec<Line>, Vec<String>) {
    let mut lines: Vec<Line> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    let swaps = store
        .services
        .get(&svc.key())
        .map(|st| st.swaps.as_slice())
        .unwrap_or_default();
    for g in store.traffic_of(svc) {
        ids.push(g.arn.clone());
        let mut head: Line = Vec::new();
        if g.blue_green {
            head.push(s(format!("[{}] ", g.role.label()), role_meaning(g.role)));
        }
        head.push(s(format!("{} ", g.name()), Meaning::Title));
        let Some(tg) = g.state else {
            head.push(s("not read yet", Meaning::Dim));
            lines.push(head);
            continue;
        };
        let healthy = tg.targets.iter().filter(|t| t.state == "healthy").count();
        // an idle group's health is nobody's: shown, never in red
        let counts = if g.role.carries_traffic() && healthy < tg.targets.len() {
            Meaning::HealthUnhealthy
        } else if g.role.carries_traffic() {
            Meaning::HealthHealthy
        } else {
            Meaning::Dim
        };
        head.push(s(format!("{healthy}/{} healthy", tg.targets.len()), counts));
        let shifted = tg.targets.iter().filter(|t| t.overridden()).count();
        let anomalous = tg.targets.iter().filter(|t| t.anomalous()).count();
        if shifted > 0 {
            head.push(s(
                format!(" {shifted} zonal shift"),
                Meaning::SeverityWarning,
            ));
        }
        if anomalous > 0 {
            head.push(s(
                format!(" {anomalous} anomalous"),
                Meaning::SeverityWarning,
            ));
        }
        head.push(s(
            format!(
                "  {} dereg {}",
                tg.group.target_type.as_deref().unwrap_or("?"),
                tg.group
                    .deregistration_delay_s
                    .map(|d| format!("{d}s"))
                    .unwrap_or_else(|| "?".into())
            ),
            Meaning::Dim,
        ));
        if g.blue_green && !g.why.is_empty() {
            head.push(s(format!("  ({})", g.why), Meaning::Dim));
        }
        lines.push(head);
        for t in &tg.targets {
            ids.push(format!(
                "{}|{}{}",
                tg.group.arn,
                t.id,
                t.port.map(|p| format!(":{p}")).unwrap_or_default()
            ));
            let m = match t.state.as_str() {
                _ if !g.role.carries_traffic() => Meaning::Dim,
                "healthy" => Meaning::HealthHealthy,
                "unhealthy" => Meaning::HealthUnhealthy,
                _ => Meaning::HealthOther,
            };
            let mut row = vec![
                s(
                    format!(
                        "  {}{} ",
                        t.id,
                        t.port.map(|p| format!(":{p}")).unwrap_or_default()
                    ),
                    Meaning::Text,
                ),
                s(t.state.to_uppercase(), m),
            ];
            if t.overridden() {
                row.push(s(
                    format!(
                        " ZONAL SHIFT {}",
                        t.override_reason
                            .as_deref()
                            .or(t.override_state.as_deref())
                            .unwrap_or_default()
                    ),
                    Meaning::SeverityWarning,
                ));
            }
            if t.anomalous() {
                row.push(s(
                    if t.mitigated() {
                        " ANOMALOUS (mitigated: gets less traffic)"
                    } else {
                        " ANOMALOUS"
                    },
                    Meaning::SeverityWarning,
                ));
            }
            row.push(s(
                format!(" {}", t.reason.clone().unwrap_or_default()),
                Meaning::Text,
            ));
            row.push(s(
                t.description
                    .as_deref()
                    .or(t.override_description.as_deref())
                    .map(|d| format!(" - {d}"))
                    .unwrap_or_default(),
                Meaning::Dim,
            ));
            lines.push(row);
        }
    }
    if let Some(last) = swaps
        .iter()
        .rev()
        .find(|w| w.at > chrono::DateTime::UNIX_EPOCH)
    {
        ids.push(format!("#{}", ids.len()));
        lines.push(vec![s(
            format!(
                "production {}moved to {} at {}{}",
                if last.approx { "≈ " } else { "" },
                target_group_name(&last.to),
                last.at.format("%H:%M"),
                last.from
                    .as_deref()
                    .map(|f| format!(" (from {})", target_group_name(f)))
                    .unwrap_or_default()
            ),
            Meaning::Dim,
        )]);
    }
    if let Some(sc) = svc.service_connect() {
        ids.push(format!("#{}", ids.len()));
        lines.push(vec![
            s("service connect ", Meaning::Title),
            s(
                format!(
                    "{}{}",
                    sc.namespace
                        .as_deref()
                        .map(crate::model::short_name)
                        .unwrap_or("?"),
                    if sc.is_client_only() {
                        "  client only"
                    } else {
                        ""
                    }
                ),
                Meaning::Text,
            ),
        ]);
        for e in &sc.services {
            ids.push(format!("#{}", ids.len()));
            let aliases: Vec<String> = e
                .aliases
                .iter()
                .map(|(p, dns)| match dns {
                    Some(d) => format!("{d}:{p}"),
                    None => format!(":{p}"),
                })
                .collect();
            lines.push(vec![
                s(
                    format!(
                        "  {} ({})",
                        e.discovery_name.as_deref().unwrap_or(&e.port_name),
                        e.port_name
                    ),
                    Meaning::Text,
                ),
                s(format!(" {}", aliases.join(" ")), Meaning::Dim),
                s(if e.tls_ca.is_some() { " tls" } else { "" }, Meaning::Dim),
            ]);
        }
    }
    for l in svc.lattice_groups() {
        ids.push(format!("#{}", ids.len()));
        let read = store.lattice.get(&l.target_group_arn).map(|(t, _)| t);
        let mut head = vec![
            s("[lattice] ", Meaning::Title),
            s(
                format!(
                    "{} (port {}) ",
                    crate::model::short_name(&l.target_group_arn),
                    l.port_name
                ),
                Meaning::Title,
            ),
        ];
        match read {
            None => head.push(s("not read yet", Meaning::Dim)),
            Some(targets) => {
                let healthy = targets.iter().filter(|t| t.status == "HEALTHY").count();
                head.push(s(
                    format!("{healthy}/{} healthy", targets.len()),
                    if healthy < targets.len() {
                        Meaning::HealthUnhealthy
                    } else {
                        Meaning::HealthHealthy
                    },
                ));
            }
        }
        lines.push(head);
        for t in read.into_iter().flatten() {
            ids.push(format!(
                "{}|{}{}",
                l.target_group_arn,
                t.id,
                t.port.map(|p| format!(":{p}")).unwrap_or_default()
            ));
            let m = match t.status.as_str() {
                "HEALTHY" => Meaning::HealthHealthy,
                "UNHEALTHY" => Meaning::HealthUnhealthy,
                _ => Meaning::HealthOther,
            };
            lines.push(vec![
                s(
                    format!(
                        "  {}{} ",
                        t.id,
                        t.port.map(|p| format!(":{p}")).unwrap_or_default()
                    ),
                    Meaning::Text,
                ),
                s(t.status.clone(), m),
                s(
                    t.reason
                        .as_deref()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default(),
                    Meaning::Text,
                ),
            ]);
        }
    }
    (lines, ids)
}
