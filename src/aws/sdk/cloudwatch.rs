//! CloudWatch GetMetricData.

use super::{SdkApi, map_err, to_time};
use crate::aws::{ApiResult, Page};
use crate::model::{MetricPoint, MetricQuery, MetricResult, Time};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use aws_smithy_types::DateTime;

impl SdkApi {
    pub(super) async fn cw_get_metric_data(
        &self,
        queries: &[MetricQuery],
        start: Time,
        end: Time,
        next: Option<String>,
    ) -> ApiResult<Page<MetricResult>> {
        let out = self
            .cw()
            .get_metric_data()
            .set_metric_data_queries(Some(queries.iter().map(query).collect()))
            .start_time(DateTime::from_secs(start.timestamp()))
            .end_time(DateTime::from_secs(end.timestamp()))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("cloudwatch:GetMetricData", e))?;
        Ok(Page {
            items: out
                .metric_data_results()
                .iter()
                .map(|r| {
                    let mut points: Vec<MetricPoint> = r
                        .timestamps()
                        .iter()
                        .zip(r.values())
                        .filter_map(|(t, v)| to_time(t).map(|t| MetricPoint { t, v: *v }))
                        .filter(|p| p.v.is_finite())
                        .collect();
                    points.sort_by_key(|p| p.t);
                    MetricResult {
                        id: r.id().unwrap_or_default().to_string(),
                        points,
                    }
                })
                .collect(),
            next: out.next_token().map(str::to_owned),
        })
    }
}

fn query(q: &MetricQuery) -> MetricDataQuery {
    let metric = Metric::builder()
        .namespace(q.namespace)
        .metric_name(q.metric)
        .set_dimensions(Some(
            q.dimensions
                .iter()
                .map(|(n, v)| Dimension::builder().name(*n).value(v).build())
                .collect(),
        ))
        .build();
    MetricDataQuery::builder()
        .id(&q.id)
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(q.period_s)
                .stat(q.stat)
                .build(),
        )
        .return_data(true)
        .build()
}
