//! CloudWatch Logs FilterLogEvents.

use super::{SdkApi, map_err};
use crate::aws::{ApiResult, LogQuery, Page};
use crate::model::LogLine;
use crate::sanitize;

impl SdkApi {
    pub(super) async fn logs_filter_log_events(&self, q: &LogQuery) -> ApiResult<Page<LogLine>> {
        let mut req = self
            .logs()
            .filter_log_events()
            .log_group_name(&q.group)
            .set_log_stream_name_prefix(q.stream_prefix.clone())
            .start_time(q.start.timestamp_millis())
            .set_end_time(q.end.map(|t| t.timestamp_millis()))
            .limit(q.limit)
            .set_next_token(q.next.clone())
            .customize();
        // awslogs-region: the log group lives in another Region than the cluster
        if let Some(region) = q.region.clone() {
            req = req.config_override(
                aws_sdk_cloudwatchlogs::config::Builder::default()
                    .region(aws_sdk_cloudwatchlogs::config::Region::new(region)),
            );
        }
        let out = req
            .send()
            .await
            .map_err(|e| map_err("logs:FilterLogEvents", e))?;
        Ok(Page {
            items: out
                .events()
                .iter()
                .filter_map(|e| {
                    let t = chrono::DateTime::from_timestamp_millis(e.timestamp()?)?;
                    Some(LogLine {
                        event_id: e.event_id().unwrap_or_default().to_string(),
                        t,
                        stream: e.log_stream_name().map(sanitize::clean).unwrap_or_default(),
                        message: e.message().map(sanitize::clean).unwrap_or_default(),
                    })
                })
                .collect(),
            next: out.next_token().map(str::to_owned),
        })
    }
}
