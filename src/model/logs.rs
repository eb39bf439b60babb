use super::Time;

/// One log event. `message` is sanitized.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogLine {
    pub event_id: String,
    pub t: Time,
    pub stream: String,
    pub message: String,
}
