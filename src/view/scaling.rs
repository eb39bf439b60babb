//! The scaling pane: the service's scalable target (min, max, desired, what is suspended), its
//! policies (metric, target value, `ResourceLabel`) and its recent activities, with the ones
//! that did not scale and why.

use super::{Line, ago, s, wrap};
use crate::model::scaling::ScalingPart;
use crate::model::{ScalingActivity, Time};
use crate::store::ServiceState;
use crate::theme::Meaning;

fn activity_meaning(a: &ScalingActivity) -> Meaning {
    match a.status.as_str() {
        "Failed" | "Unfulfilled" => Meaning::EventFailure,
        "Successful" => Meaning::Text,
        _ => Meaning::Dim,
    }
}

/// The pane's lines; `errors` are the scaling source's latest errors (a part that could not be
/// read says which call failed, on which resource, and that what shows is an earlier read).
pub fn scaling_lines(
    st: &ServiceState,
    errors: &[(Time, crate::aws::ApiError)],
    now: Time,
    width: usize,
) -> Vec<Line> {
    let Some(scaling) = st.scaling.as_ref() else {
        return vec![vec![s(
            "read while the service is open (Application Auto Scaling) ...",
            Meaning::Dim,
        )]];
    };
    let Some(t) = scaling.target.as_ref() else {
        return vec![vec![s(
            "not registered with Application Auto Scaling: the desired count changes only by hand or by deployments",
            Meaning::Dim,
        )]];
    };
    let desired = st.service.desired;
    let mut lines = vec![vec![
        s(format!("min {}  max {}  ", t.min, t.max), Meaning::Title),
        s(
            format!("desired {desired}"),
            if desired >= t.max {
                Meaning::HealthOther
            } else {
                Meaning::Text
            },
        ),
        s(
            if desired >= t.max && t.min != t.max {
                " (at max)".to_string()
            } else {
                String::new()
            },
            Meaning::HealthOther,
        ),
        s(
            match t.suspended() {
                v if v.is_empty() => String::new(),
                v => format!("  SUSPENDED {}", v.join(", ")),
            },
            Meaning::HealthUnhealthy,
        ),
    ]];
    let id = crate::model::scaling::resource_id(&st.service.cluster, &st.service.name);
    let unread = |part: ScalingPart, lines: &mut Vec<Line>| {
        if !scaling.unread.contains(&part) {
            return false;
        }
        let why = errors
            .iter()
            .find(|(_, e)| {
                e.operation.ends_with(part.operation()) && e.resource.as_deref() == Some(&id)
            })
            .map(|(at, e)| format!("{e} ({})", at.format("%H:%M:%SZ")))
            .unwrap_or_else(|| format!("{} failed", part.operation()));
        lines.extend(wrap("not read: ", &why, Meaning::Error, width));
        true
    };
    let policies_unread = unread(ScalingPart::Policies, &mut lines);
    if scaling.policies.is_empty() && !policies_unread {
        lines.push(vec![s(
            "no scaling policies: nothing moves the desired count",
            Meaning::Dim,
        )]);
    }
    for p in &scaling.policies {
        let mut l = vec![
            s(format!("policy {} ", p.name), Meaning::Key),
            s(
                format!(
                    "{} {}",
                    p.policy_type.trim_end_matches("Scaling"),
                    p.metric.as_deref().unwrap_or("")
                ),
                Meaning::Text,
            ),
        ];
        if let Some(v) = p.target_value {
            l.push(s(format!(" target {v}"), Meaning::Text));
        }
        if p.disable_scale_in {
            l.push(s(" (no scale-in)", Meaning::Dim));
        }
        lines.push(l);
        if let Some(label) = &p.resource_label {
            lines.extend(wrap("  label ", label, Meaning::Dim, width));
        }
    }
    let activities_unread = unread(ScalingPart::Activities, &mut lines);
    if activities_unread && scaling.activities.is_empty() {
        // nothing earlier to show: say nothing about the six weeks
    } else if scaling.activities.is_empty() {
        lines.push(vec![s(
            "no scaling activity in the last six weeks",
            Meaning::Dim,
        )]);
    } else {
        lines.push(vec![s("activities", Meaning::Title)]);
    }
    for a in scaling.activities.iter().take(10) {
        let when = a
            .start
            .map(|x| format!("{} ({})", x.format("%H:%M:%S"), ago(now, x)))
            .unwrap_or_else(|| "-".into());
        lines.push(vec![
            s(format!("  {when} "), Meaning::Dim),
            s(format!("{:<11}", a.status), activity_meaning(a)),
            s(a.description.clone(), Meaning::Text),
        ]);
        for r in &a.not_scaled {
            let caps: Vec<String> = [("min", r.min), ("max", r.max), ("current", r.current)]
                .iter()
                .filter_map(|(n, v)| v.map(|v| format!("{n} {v}")))
                .collect();
            lines.push(vec![s(
                format!("    not scaled: {} ({})", r.code, caps.join(", ")),
                Meaning::HealthOther,
            )]);
        }
        if let Some(m) = &a.status_message {
            lines.extend(wrap("    ", m, Meaning::Dim, width));
        }
    }
    lines
}
