//! Sparklines on a fixed time axis: one cell per whole minute, ending with the last complete
//! minute (the minute in progress is partial and would draw as a drop). A count series with no
//! datapoint in a minute had nothing to count there (CloudWatch sends no zero), so it draws as
//! zero; a gauge with no datapoint draws as a gap. Percentages are drawn on 0-100, so a flat
//! 63% is a flat 63%, not a full bar.

use crate::model::{MetricKind, MetricPoint, SeriesShape, Time};

const SPARK: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The values of the last `width` whole minutes before `now`, oldest first.
pub fn minutes<'a>(
    points: impl DoubleEndedIterator<Item = &'a MetricPoint>,
    shape: SeriesShape,
    now: Time,
    width: usize,
) -> Vec<Option<f64>> {
    let end = crate::poll::minute_floor(now).timestamp();
    let first = end - 60 * width as i64;
    let mut out = vec![None; width];
    // the newest points are at the back: stop at the first older than the axis
    for p in points.rev() {
        let t = p.t.timestamp();
        if t < first {
            break;
        }
        if t >= end {
            continue;
        }
        let i = ((t - first) / 60) as usize;
        if let Some(slot) = out.get_mut(i) {
            *slot = Some(slot.unwrap_or(0.0) + p.v);
        }
    }
    if shape == SeriesShape::Count {
        for v in &mut out {
            v.get_or_insert(0.0);
        }
    }
    out
}

/// A blue/green swap within the last `width` whole minutes: a line of `width` cells with `^`
/// under the swap's minute (`~` when the time is estimated), and where production went.
pub fn swap_mark(
    swaps: &[crate::store::Swap],
    now: Time,
    width: usize,
) -> Option<(String, String)> {
    let end = crate::poll::minute_floor(now).timestamp();
    let first = end - 60 * width as i64;
    let w = swaps.iter().rev().find(|w| {
        let t = w.at.timestamp();
        t >= first && t < end
    })?;
    let i = ((w.at.timestamp() - first) / 60) as usize;
    let mut cells: Vec<char> = vec![' '; width];
    if let Some(c) = cells.get_mut(i) {
        *c = if w.approx { '~' } else { '^' };
    }
    Some((
        cells.into_iter().collect(),
        crate::model::target_group_name(&w.to).to_string(),
    ))
}

/// Add two series minute by minute (target and ELB 5xx); a gap plus a value is the value.
pub fn add(a: &[Option<f64>], b: &[Option<f64>]) -> Vec<Option<f64>> {
    a.iter()
        .zip(b)
        .map(|(x, y)| match (x, y) {
            (None, None) => None,
            _ => Some(x.unwrap_or(0.0) + y.unwrap_or(0.0)),
        })
        .collect()
}

/// Draw minutes: percentages on 0-100, anything else scaled to its own maximum; a gap is a
/// space.
pub fn draw(values: &[Option<f64>], shape: SeriesShape) -> String {
    let max = match shape {
        SeriesShape::Percent => 100.0,
        _ => values.iter().flatten().copied().fold(0.0_f64, f64::max),
    };
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if max <= 0.0 => SPARK[0],
            Some(v) => SPARK[((v / max) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

/// The newest minute that has a value, and the largest.
pub fn last_and_max(values: &[Option<f64>]) -> (Option<f64>, Option<f64>) {
    let last = values.iter().rev().flatten().next().copied();
    let max = values.iter().flatten().copied().reduce(f64::max);
    (last, max)
}

/// A series of one kind as minutes.
pub fn series_minutes(
    st: &crate::store::ServiceState,
    kind: MetricKind,
    now: Time,
    width: usize,
) -> Option<Vec<Option<f64>>> {
    let ring = st.metrics.get(&kind)?;
    Some(minutes(ring.iter(), kind.shape(), now, width))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min_ago: i64, v: f64, now: Time) -> MetricPoint {
        MetricPoint {
            t: crate::poll::minute_floor(now) - chrono::Duration::minutes(min_ago),
            v,
        }
    }

    fn now() -> Time {
        chrono::DateTime::parse_from_rfc3339("2026-12-01T12:03:30Z")
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    #[test]
    fn an_old_spike_of_a_count_is_old_and_quiet_minutes_are_zero() {
        let n = now();
        // 5xx only 8 and 7 minutes ago, nothing since (ALB sends no datapoint)
        let pts = [at(8, 50.0, n), at(7, 40.0, n)];
        let m = minutes(pts.iter(), SeriesShape::Count, n, 10);
        assert_eq!(m.len(), 10);
        assert_eq!(draw(&m, SeriesShape::Count), "▁▁█▇▁▁▁▁▁▁");
        assert_eq!(last_and_max(&m), (Some(0.0), Some(50.0)));
    }

    #[test]
    fn the_minute_in_progress_is_not_drawn() {
        let n = now();
        let partial = MetricPoint {
            t: crate::poll::minute_floor(n),
            v: 1.0,
        };
        let pts = [at(1, 10.0, n), partial];
        let m = minutes(pts.iter(), SeriesShape::Count, n, 3);
        assert_eq!(m, [Some(0.0), Some(0.0), Some(10.0)]);
    }

    #[test]
    fn percentages_are_on_0_to_100_and_gauges_have_gaps() {
        let n = now();
        let flat: Vec<MetricPoint> = (1..=4).map(|m| at(m, 63.0, n)).collect();
        let m = minutes(flat.iter(), SeriesShape::Percent, n, 4);
        assert_eq!(draw(&m, SeriesShape::Percent), "▅▅▅▅");
        let gauge = [at(3, 0.2, n), at(1, 0.4, n)];
        let m = minutes(gauge.iter(), SeriesShape::Gauge, n, 3);
        assert_eq!(draw(&m, SeriesShape::Gauge), "▅ █");
    }

    #[test]
    fn target_and_elb_5xx_add_up() {
        let a = [Some(1.0), None, Some(2.0)];
        let b = [None, None, Some(3.0)];
        assert_eq!(add(&a, &b), [Some(1.0), None, Some(5.0)]);
    }
}
